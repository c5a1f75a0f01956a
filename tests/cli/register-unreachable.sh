# register: exit statuses that scripts can act on.  A batch that never reached
# the API -- every device failed with a network error -- exits 5, like any
# command that cannot reach its server, not 1 ("some devices failed"); a
# batch in which akenza answered some devices and not others still exits 1.
# --dry-run checks the API key as the run does, and fails as it would.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 3
key=$(cat "$T/apikey")
mock_start
url=$MOCK_URL
common="--manifest dev/manifest.csv --workspace-id ws --data-flow-id df --create-devices --ca-file $MOCK_CA --retries 1"
mock_stop

# Nothing listening any more: every request fails to connect.
run 5 env AKCRED_API_KEY="$key" "$AKCRED" register $common --api-url "$url"
assert_grep "device 'dev-0001': looking up the device: giving up after 2 attempts" "$T/err"
assert_grep '^3 devices: 0 registered, 0 already there, 0 skipped \(results file\), 3 failed$' "$T/out"
run 5 env AKCRED_API_KEY="$key" "$AKCRED" register $common --api-url "$url" --json
assert_grep '"status": "network"' "$T/out"
# A device that fails before any request does not make the batch a negative answer.
zeros=0000000000000000000000000000000000000000000000000000000000000000
sed -i "s/^dev-0003,EC256_PEM,[0-9a-f]*,/dev-0003,EC256_PEM,$zeros,/" dev/manifest.csv
run 5 env AKCRED_API_KEY="$key" "$AKCRED" register $common --api-url "$url"
assert_grep "device 'dev-0003': the manifest's fingerprint $zeros is not" "$T/err"

# akenza reached for some devices: the batch is a negative answer, exit 1.
mock_start
common="--manifest dev/manifest.csv --workspace-id ws --data-flow-id df --create-devices --ca-file $MOCK_CA --retries 1"
run 1 env AKCRED_API_KEY="$key" "$AKCRED" register $common --api-url "$MOCK_URL"
assert_grep '^3 devices: 2 registered, 0 already there, 0 skipped \(results file\), 1 failed$' "$T/out"
mock_stop

# --dry-run without any API key fails as the run would (2), and says why.
unset AKCRED_API_KEY || true
rm -f dev/registered.csv
akcred 2 register $common --api-url "$url" --dry-run
assert_grep 'no API key: give --api-key-file FILE or set AKCRED_API_KEY' "$T/err"
akcred 2 register $common --api-url "$url" --dry-run --json
akcred 3 register $common --api-url "$url" --dry-run --api-key-file missing.key
assert_grep "missing.key" "$T/err"
: >empty.key
akcred 3 register $common --api-url "$url" --dry-run --api-key-file empty.key
assert_grep "the API key in 'empty.key' is empty" "$T/err"
# With a key it shows the requests, and never the key.
printf '%s\n' "$key" >good.key
chmod 600 good.key
akcred 1 register $common --api-url "$url" --dry-run --api-key-file good.key
assert_grep '^dry run: 2 devices would be registered, 0 skipped, 1 failed' "$T/out"
! grep -qF -- "$key" "$T/out" "$T/err" || fail "the API key appears in the output"
