# credentials list and revoke: a run that akenza stops (the API key revoked
# half-way: 401; a certificate that does not verify) still prints what it did,
# as register does -- --json names the status and the error, lists the devices
# that had an outcome and counts them all -- and says how much was not done.
# An API key that cannot be read starts no run, and prints no JSON.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 3
key=$(cat "$T/apikey")
export AKCRED_API_KEY="$key"
fp1=$(sed -n 2p dev/manifest.csv | cut -d, -f3)
fp2=$(sed -n 3p dev/manifest.csv | cut -d, -f3)
printf '%s\n%s\n' "$fp1" "$fp2" >bad.txt

# The requests register makes for the batch, counted on a mock of their own:
# a mock that refuses the key from request $((reg + N)) on lets the command
# after register make exactly N - 1 requests (with --jobs 1, in order).
mock_start
api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA"
akcred 0 register --manifest dev/manifest.csv --data-flow-id df --create-devices $api
reg=$(mock_stat requests)
mock_stop
registered() { # MOCK OPTIONS: a mock with the batch registered on it
	rm -f dev/registered.csv dev/revoked.csv
	mock_start "$@"
	api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA --jobs 1 --retries 0"
	akcred 0 register --manifest dev/manifest.csv --data-flow-id df --create-devices $api
	assert_eq "$(mock_stat requests)" "$reg" "register's requests"
}

# list: each device one GET (register's results give the akenza ids); the
# third is refused.  The two listed are shown, in text and in --json.
registered --unauthorized-after $((reg + 3))
akcred 7 credentials list --manifest dev/manifest.csv $api
assert_grep '^akcred: credentials list: akenza refused the API key \(HTTP 401\): API key revoked$' "$T/err"
assert_grep '^akcred: credentials list: stopped: 1 of 3 devices not done$' "$T/err"
assert_eq "$(grep '^device ' "$T/out" | cut -d' ' -f2 | tr '\n' ' ')" "dev-0001 dev-0002 " "devices listed"
mock_stop
registered --unauthorized-after $((reg + 3))
akcred 7 credentials list --manifest dev/manifest.csv --json $api
"$PYTHON" - "$T/out" "$fp1" <<'PY' || fail "list --json of a stopped run"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["status"] == "refused" and "API key revoked" in j["error"], j
assert j["total"] == 3 and j["failed"] == 0, j
assert [d["device_id"] for d in j["devices"]] == ["dev-0001", "dev-0002"], j
assert [c["fingerprint"] for c in j["devices"][0]["credentials"]] == [sys.argv[2]], j
PY
mock_stop

# revoke: per device a GET and a DELETE; the first device's key is revoked,
# the second's listing refused.
registered --unauthorized-after $((reg + 3))
akcred 7 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt --force --json $api
assert_grep '^akcred: credentials revoke: akenza refused the API key \(HTTP 401\): API key revoked$' "$T/err"
assert_grep '^akcred: credentials revoke: stopped: 1 of 2 devices not done$' "$T/err"
"$PYTHON" - "$T/out" "$fp1" <<'PY' || fail "revoke --json of a stopped run"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["status"] == "refused" and "API key revoked" in j["error"], j
assert j["total"] == 2 and j["revoked"] == 1 and j["failed"] == 0, j
assert [(d["device_id"], d["outcome"], d["fingerprint"]) for d in j["devices"]] == \
	[("dev-0001", "revoked", sys.argv[2])], j
assert j["results"] == "dev/revoked.csv", j
PY
assert_eq "$(tail -n +2 dev/revoked.csv | cut -d, -f1)" dev-0001 "recorded as revoked"

# A certificate that does not verify (another CA): exit 6, and the same shape.
otherca=$MOCK_CA
mock_stop
registered
for c in "list --device-id dev-0003" "revoke --device-id dev-0003 --fingerprint $fp1"; do
	# shellcheck disable=SC2086
	akcred 6 credentials $c --json --workspace-id ws --api-url "$MOCK_URL" --ca-file "$otherca"
	assert_grep "^akcred: credentials ${c%% *}: .*certificate" "$T/err"
	"$PYTHON" -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert j["status"] == "tls" and "certificate" in j["error"], j
assert j["total"] == 1 and j["devices"] == [], j' "$T/out" || fail "credentials $c --json with a TLS failure"
done

# An API key that cannot be read is an input error before any run, as for
# register: said, and no JSON (there is no run to describe).
for c in "list --device-id dev-0003" "revoke --device-id dev-0003 --fingerprint $fp1"; do
	# shellcheck disable=SC2086
	akcred 3 credentials $c --json $api --api-key-file missing.key
	assert_grep "^akcred: credentials ${c%% *}: .*missing.key" "$T/err"
	[ ! -s "$T/out" ] || fail "credentials $c --json printed a document without a run"
done
akcred 3 register --device-id dev-0003 --public dev/dev-0003/public.pem --json $api \
	--api-key-file missing.key
[ ! -s "$T/out" ] || fail "register --json printed a document without a run"
! grep -qF -- "$key" "$T/out" "$T/err" || fail "the API key in the output"
