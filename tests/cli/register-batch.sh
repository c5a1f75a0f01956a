# register: a batch against the mock akenza API -- devices created, one
# credential each, results recorded; a rerun sends nothing; without the
# results file a rerun finds the credentials in akenza's listing.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 12
mock_start
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
reg="register --manifest dev/manifest.csv --workspace-id ws-1 --data-flow-id df-1 --create-devices --api-url $MOCK_URL --ca-file $MOCK_CA"

c0=$(mock_stat connections) # this look counts as one
akcred 0 $reg --jobs 3
c1=$(mock_stat connections)
mock_check dev/manifest.csv
assert_eq "$(grep -c '^registered ' "$T/out")" 12 "registered lines"
# Three requests a device over at most three connections, reused.
assert_eq "$(mock_stat requests)" 36 "requests"
[ $((c1 - c0 - 1)) -ge 1 ] && [ $((c1 - c0 - 1)) -le 3 ] || fail "$((c1 - c0 - 1)) connections for --jobs 3"
assert_grep '^12 devices: 12 registered, 0 already there, 0 skipped' "$T/out"
assert_eq "$(head -n 1 dev/registered.csv)" "device_id,akenza_device_id,credential_id,fingerprint,registered"
assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 12 "result rows"
# Each row holds what akenza holds.
mock_state >state.json
"$PYTHON" - dev/registered.csv state.json <<'PY' || fail "results file and akenza disagree"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
st = json.load(open(sys.argv[2]))
dev = {d["deviceId"]: d for d in st["devices"]}
for r in rows:
    d = dev[r["device_id"]]
    assert d["id"] == r["akenza_device_id"], r
    assert [c["id"] for c in d["credentials"]] == [r["credential_id"]], r
    assert d["credentials"][0]["kid"] == r["fingerprint"], r
    assert d["workspaceId"] == "ws-1" and d["dataFlowId"] == "df-1", d
assert len(rows) == len(dev) == 12
PY

# Rerun: everything is in the results file; not one request.
before=$(mock_stat requests)
akcred 0 $reg
assert_grep '^12 devices: 0 registered, 0 already there, 12 skipped' "$T/out"
assert_eq "$(mock_stat requests)" "$before" "requests of a rerun"

# Results file lost: akenza's listing shows every key; nothing added.
rm dev/registered.csv
akcred 0 $reg --jobs 3
assert_grep '^12 devices: 0 registered, 12 already there' "$T/out"
assert_eq "$(mock_stat credentials_added)" 12 "credentials added"
assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 12 "result rows rebuilt"
mock_check dev/manifest.csv

# A new key for one device: only that one is registered, as a second credential.
"$AKCRED" keygen --private dev/dev-0003/new.key --public dev/dev-0003/new.pem >/dev/null
fp=$("$AKCRED" fingerprint dev/dev-0003/new.pem)
sed -i "s|^dev-0003,.*|dev-0003,EC256_PEM,$fp,dev-0003/new.pem,2026-11-24T15:00:00Z|" dev/manifest.csv
akcred 0 $reg --json
"$PYTHON" - "$T/out" <<'PY' || fail "json summary"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["registered"] == 1 and j["skipped"] == 11 and j["failed"] == 0, j
d = [x for x in j["devices"] if x["outcome"] == "registered"]
assert len(d) == 1 and d[0]["device_id"] == "dev-0003" and "device_created" not in d[0], d
PY
assert_eq "$(mock_stat credentials_added)" 13 "credentials after the new key"
assert_eq "$(mock_stat devices_created)" 12 "devices created"

# One device, its akenza id known: no look-up.
"$AKCRED" keygen --type rsa --private one.key --public one.pem >/dev/null
aid=$(grep '^dev-0007,' dev/registered.csv | cut -d, -f2)
akcred 0 register --device-id dev-0007 --public one.pem --akenza-device-id "$aid" \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --credential-name spare
assert_grep "^registered +dev-0007  device $aid  credential " "$T/out"
mock_state | "$PYTHON" -c '
import json, sys
d = [d for d in json.load(sys.stdin)["devices"] if d["deviceId"] == "dev-0007"][0]
c = d["credentials"][-1]
assert len(d["credentials"]) == 2 and c["name"] == "spare" and c["algorithm"] == "RSA256_PEM", d
' || fail "second credential of dev-0007"

# --results elsewhere, for a batch and for one device.
rm -f dev/registered.csv
akcred 0 $reg --results elsewhere.csv
[ ! -e dev/registered.csv ] || fail "--results ignored"
assert_eq "$(tail -n +2 elsewhere.csv | wc -l)" 12 "rows in --results"
akcred 0 register --device-id dev-0007 --public one.pem --akenza-device-id "$aid" \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --results one.csv
assert_grep '^present +dev-0007' "$T/out"
assert_grep "^dev-0007,$aid," one.csv
akcred 0 register --device-id dev-0007 --public one.pem --akenza-device-id "$aid" \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --results one.csv
assert_grep '^skipped +dev-0007' "$T/out"
mock_check_total=$(mock_stat credentials_added)
assert_eq "$mock_check_total" 14 "credentials in the end"

# On a terminal, a batch keeps a progress line on standard error.
rm -f dev/registered.csv
"$PYTHON" "$TESTS/tools/ttyrun.py" -- "$AKCRED" $reg >tty.out 2>&1 || fail "run on a terminal"
grep -q "$(printf '\r')register: 12/12  0 registered, 12 already there, 0 failed" tty.out ||
	{ cat -v tty.out >&2; fail "no progress line on the terminal"; }
# Not into a pipe.
akcred 0 $reg
assert_no_grep 'register: [0-9]+/' "$T/err"
