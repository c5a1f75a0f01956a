# register: a wrong or revoked API key stops the run with exit 7, and the key
# never appears in any output -- not in errors, not in --json, not in
# --dry-run; a rerun with a good key completes what was left.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 6
key=$(cat "$T/apikey")
mock_start
common="--manifest dev/manifest.csv --workspace-id ws --data-flow-id df --create-devices --api-url $MOCK_URL --ca-file $MOCK_CA"

no_key_in_output() {
	! grep -qF -- "$1" "$T/out" "$T/err" || fail "the API key appears in the output"
}

# No key at all: a usage error that says how to give one.
unset AKCRED_API_KEY || true
akcred 2 register $common
assert_grep 'no API key: give --api-key-file FILE or set AKCRED_API_KEY' "$T/err"

# A wrong key (from a file): 401, exit 7, nothing registered.
printf 'wrong-%s\n' "$key" >bad.key
chmod 600 bad.key
akcred 7 register $common --api-key-file bad.key
assert_no_grep 'can be read by others' "$T/err"
chmod 644 bad.key
akcred 7 register $common --api-key-file bad.key
assert_grep "warning: 'bad.key' can be read by others \(mode 644\): chmod 600 it" "$T/err"
chmod 600 bad.key
assert_grep "akcred: register: akenza refused the API key \(HTTP 401\): Unauthorized: invalid API key" "$T/err"
no_key_in_output "wrong-$key"
akcred 7 register $common --api-key-file bad.key --json
no_key_in_output "wrong-$key"
assert_grep '"status": "refused"' "$T/out"
assert_eq "$(mock_stat credentials_added)" 0 "credentials added with a wrong key"
run 7 env AKCRED_API_KEY="wrong-$key" "$AKCRED" register $common
no_key_in_output "wrong-$key"

# Keys a header cannot carry are refused without being shown.
printf 'bad key with spaces\n' >space.key
akcred 3 register $common --api-key-file space.key
assert_grep "the API key in 'space.key' is not printable ASCII" "$T/err"
no_key_in_output "bad key with spaces"
# A NUL inside the line is a byte a header cannot carry too, not the key's end.
printf 'keypart\000rest\n' >nul.key
akcred 3 register $common --api-key-file nul.key
assert_grep "the API key in 'nul.key' is not printable ASCII" "$T/err"
: >empty.key
akcred 3 register $common --api-key-file empty.key
assert_grep "the API key in 'empty.key' is empty" "$T/err"

# Dry run: shows the requests, never the key, sends nothing.
before=$(mock_stat requests)
run 0 env AKCRED_API_KEY="$key" "$AKCRED" register $common --dry-run
no_key_in_output "$key"
assert_grep '^  POST https://127.0.0.1:[0-9]+/v3/device-authorization/devices/\{akenzaDeviceId\}/credentials' "$T/out"
assert_grep '"publicKey":"-----BEGIN PUBLIC KEY-----' "$T/out"
assert_grep 'x-api-key \(not shown\)' "$T/out"
assert_eq "$(mock_stat requests)" "$before" "requests of a dry run"

# A server that echoes the key in its error messages: akcred masks it.
mock_stop
mock_start --echo-key
run 7 env AKCRED_API_KEY="$key" "$AKCRED" register --device-id d1 --public dev/dev-0001/public.pem \
	--akenza-device-id 00000000000000ff --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep 'HTTP 404: Device not found \(request had x-api-key: \(API key\)\)' "$T/err"
no_key_in_output "$key"

# The key revoked in the middle of a run: exit 7, what was done is recorded.
mock_stop
mock_start --unauthorized-after 9
common="--manifest dev/manifest.csv --workspace-id ws --data-flow-id df --create-devices --api-url $MOCK_URL --ca-file $MOCK_CA"
run 7 env AKCRED_API_KEY="$key" "$AKCRED" register $common --jobs 1
assert_grep 'akenza refused the API key \(HTTP 401\): API key revoked' "$T/err"
assert_grep 'stopped: [0-9]+ of 6 devices not done' "$T/err"
no_key_in_output "$key"
done_rows=$(tail -n +2 dev/registered.csv | wc -l)
[ "$done_rows" -ge 2 ] && [ "$done_rows" -lt 6 ] || fail "$done_rows devices recorded before the 401"
# The key valid again: a rerun completes the rest, each device once.
mock_heal
run 0 env AKCRED_API_KEY="$key" "$AKCRED" register $common
assert_grep "^6 devices: [0-9]+ registered, 0 already there, $done_rows skipped \(results file\), 0 failed" "$T/out"
mock_check dev/manifest.csv
assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 6 "result rows"
