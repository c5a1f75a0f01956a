# register --expires TIME|DURATION: the credential's expiration as akenza
# stores it (ISO 8601 UTC), in the request a dry run shows too; a time that
# is not in the future, or that is not one, is a usage error.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 2
mock_start
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
api="--workspace-id ws --data-flow-id df --create-devices --api-url $MOCK_URL --ca-file $MOCK_CA"

expiration() { # DEVICE-ID: the expiration of its one credential at akenza
	mock_state | "$PYTHON" -c 'import json, sys
d = [d for d in json.load(sys.stdin)["devices"] if d["deviceId"] == sys.argv[1]][0]
assert len(d["credentials"]) == 1, d
print(d["credentials"][0]["expiration"])' "$1"
}

akcred 0 register --device-id dev-0001 --public dev/dev-0001/public.pem --expires 2031-05-06T07:08:09Z $api
assert_eq "$(expiration dev-0001)" 2031-05-06T07:08:09Z "a time"

# A duration from now: between the moments before and after the run.
before=$(date -u +%s)
akcred 0 register --device-id dev-0002 --public dev/dev-0002/public.pem --expires 30d $api
after=$(date -u +%s)
got=$(date -u -d "$(expiration dev-0002)" +%s)
[ "$got" -ge $((before + 30 * 86400)) ] && [ "$got" -le $((after + 30 * 86400)) ] ||
	fail "--expires 30d gave $(expiration dev-0002), not 30 days from now"

# Without --expires, none.
mock_stop
mock_start
api="--workspace-id ws --data-flow-id df --create-devices --api-url $MOCK_URL --ca-file $MOCK_CA"
akcred 0 register --device-id dev-0001 --public dev/dev-0001/public.pem $api
assert_eq "$(expiration dev-0001)" None "no --expires"

# The dry run's request body carries it.
akcred 0 register --manifest dev/manifest.csv --expires 1893456000 --dry-run --json $api
"$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1]))
assert all(d["add_credential"]["expiration"] == "2030-01-01T00:00:00Z" for d in j["devices"]), j' "$T/out"

akcred 2 register --device-id dev-0001 --public dev/dev-0001/public.pem --expires 2020-01-01T00:00:00Z $api
assert_grep "^akcred: register: --expires '2020-01-01T00:00:00Z' is not in the future$" "$T/err"
akcred 2 register --device-id dev-0001 --public dev/dev-0001/public.pem --expires 90 $api
assert_grep "not in the future" "$T/err"
akcred 2 register --device-id dev-0001 --public dev/dev-0001/public.pem --expires soon $api
assert_grep "^akcred: register: --expires wants a time \(ISO 8601 UTC or epoch seconds\) or a duration like 90d, not 'soon'$" "$T/err"
