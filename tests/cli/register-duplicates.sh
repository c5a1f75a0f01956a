# register: akenza refusing a credential as a duplicate (HTTP 409) is fine
# when its listing then shows that very key -- and a named failure when it
# does not; nothing is ever stored twice.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 6
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
reg_args() {
	echo "register --manifest dev/manifest.csv --workspace-id w --data-flow-id f --create-devices --api-url $MOCK_URL --ca-file $MOCK_CA"
}

# Registered, then the results file lost, and the first listing of each
# device lags behind: the POST meets 409, the second listing shows the key.
mock_start --stale-listings 1
akcred 0 $(reg_args)
rm dev/registered.csv
akcred 0 $(reg_args)
assert_grep '^6 devices: 0 registered, 6 already there, 0 skipped \(results file\), 0 failed' "$T/out"
assert_eq "$(mock_stat duplicates_refused)" 6 "duplicates refused"
assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 6 "result rows"
mock_check dev/manifest.csv
mock_stop

# A listing that never shows the key: the device fails, named, with the 409.
mock_start --stale-listings 99
rm dev/registered.csv
akcred 0 $(reg_args)
rm dev/registered.csv
akcred 1 $(reg_args)
assert_eq "$(grep -c "refused as a duplicate (A credential with this public key already exists), yet akenza lists no credential with this key" "$T/err")" 6 "failures"
assert_grep "^akcred: register: device 'dev-0001': adding the credential: refused as a duplicate" "$T/err"
assert_grep '^6 devices: 0 registered, 0 already there, 0 skipped \(results file\), 6 failed' "$T/out"
assert_eq "$(mock_stat credentials_added)" 6 "credentials added"
[ ! -s dev/registered.csv ] || [ "$(tail -n +2 dev/registered.csv | wc -l)" -eq 0 ] || fail "failures recorded as results"
