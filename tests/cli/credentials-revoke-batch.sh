# credentials revoke --manifest --fingerprints: a compromised batch's
# credentials deleted with register's retries, through a results journal
# (revoked.csv) that a rerun passes over; lost and failed DELETE answers,
# 429s and dropped connections leave every listed key deleted exactly once
# and every other credential in place.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")

# Six devices, each with its manifest key and a second one (new/dev-NNNN.pub);
# the manifest keys of dev-0001..dev-0004 are compromised.
setup() { # FAULT OPTIONS
	mock_start "$@"
	api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA"
	rm -f dev/registered.csv dev/revoked.csv
	akcred 0 register --manifest dev/manifest.csv --data-flow-id df --create-devices $api
	for d in $(tail -n +2 dev/manifest.csv | cut -d, -f1); do
		akcred 0 register --device-id "$d" --public "new/$d.pub" $api
	done
}
make_devices dev 6
mkdir new
for d in $(tail -n +2 dev/manifest.csv | cut -d, -f1); do
	"$AKCRED" keygen --private "new/$d.pem" --public "new/$d.pub" >/dev/null
done
{ echo "# compromised"; tail -n +2 dev/manifest.csv | head -4 | cut -d, -f3; echo; } >bad.txt

# What akenza holds: exactly the new key for dev-0001..4, both for dev-0005..6.
check_state() { # WHAT
	mock_state | "$PYTHON" -c 'import json, subprocess, sys
st = json.load(sys.stdin)
bad = set(l.strip() for l in open("bad.txt") if l.strip() and not l.startswith("#"))
rows = [l.split(",") for l in open("dev/manifest.csv").read().splitlines()[1:]]
for dev_id, _, fp, _, _ in rows:
    d = [d for d in st["devices"] if d["deviceId"] == dev_id][0]
    kids = sorted(c["kid"] for c in d["credentials"])
    new = subprocess.run([sys.argv[1], "fingerprint", "new/%s.pub" % dev_id], check=True,
                         capture_output=True, text=True).stdout.split()[-1]
    want = sorted([new] if fp in bad else [fp, new])
    assert kids == want, "%s: %s, not %s" % (dev_id, kids, want)
assert st["stats"]["bad_requests"] == 0, st["stats"]' "$AKCRED" || fail "$1: akenza does not hold what it should"
}

for fault in "" "--drop-after-delete 2" "--error500-delete 2" "--rate-limit 3" "--rate-limit-bare 4" "--drop 4" "--error500 5"; do
	# shellcheck disable=SC2086
	setup $fault
	akcred 0 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt $api --jobs 3
	assert_grep '^4 devices: 4 revoked, 0 already gone, 0 skipped \(results file\), 0 failed$' "$T/out"
	check_state "${fault:-no fault}"
	assert_eq "$(tail -n +2 dev/revoked.csv | cut -d, -f1 | sort | tr '\n' ' ')" "dev-0001 dev-0002 dev-0003 dev-0004 " "$fault: journal"
	if [ -n "$fault" ]; then
		n=$(mock_stat "$(echo "${fault#--}" | cut -d' ' -f1 | sed 's/^error//; s/^rate-limit$/429/; s/^rate-limit-bare$/429-bare/')")
		[ "$n" -gt 0 ] || fail "$fault: no fault was injected"
	fi
	# A rerun passes over what the journal holds: no request at all.
	n=$(mock_stat requests)
	akcred 0 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt $api
	assert_grep '^4 devices: 0 revoked, 0 already gone, 4 skipped \(results file\), 0 failed$' "$T/out"
	assert_eq "$(mock_stat requests)" "$n" "$fault: requests of a rerun"
	mock_stop
done

# Interrupted: a key revoked but not journaled (the journal lost) is gone on the
# rerun, which still ends with every listed key deleted, and journals it.
setup
akcred 0 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt $api
rm dev/revoked.csv
akcred 0 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt $api
assert_grep '^4 devices: 0 revoked, 4 already gone, 0 skipped \(results file\), 0 failed$' "$T/out"
assert_eq "$(tail -n +2 dev/revoked.csv | wc -l)" 4 "journal rows after a rerun"
check_state "rerun without the journal"

# A device whose listed key is its last: refused, the others done, exit 1;
# --force on the rerun finishes it.  A kid no device has fails on its own.
mock_stop
setup
id=$(mock_state | "$PYTHON" -c 'import json, sys
d = [d for d in json.load(sys.stdin)["devices"] if d["deviceId"] == "dev-0002"][0]
print(d["id"], d["credentials"][1]["id"])')
akcred 0 credentials revoke --device-id dev-0002 --akenza-device-id "${id% *}" --credential-id "${id#* }" $api
echo 0000000000000000000000000000000000000000000000000000000000000000 >>bad.txt
akcred 1 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt $api
assert_grep "^akcred: credentials revoke: device 'dev-0002': credential [0-9a-f]+ is its last one" "$T/err"
assert_grep "^akcred: credentials revoke: fingerprint 0{64}: no device of 'dev/manifest.csv' has it$" "$T/err"
assert_grep '^5 devices: 3 revoked, 0 already gone, 0 skipped \(results file\), 2 failed$' "$T/out"
akcred 1 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt --force $api
assert_grep '^5 devices: 1 revoked, 0 already gone, 3 skipped \(results file\), 1 failed$' "$T/out"
mock_state | "$PYTHON" -c 'import json, sys
d = [d for d in json.load(sys.stdin)["devices"] if d["deviceId"] == "dev-0002"][0]
assert d["credentials"] == [], d' || fail "--force did not delete the last credential"

# A bad line in the fingerprints file: refused before any request.
n=$(mock_stat requests)
echo "not-a-kid" >>bad.txt
akcred 3 credentials revoke --manifest dev/manifest.csv --fingerprints bad.txt $api
assert_grep "^akcred: credentials revoke: 'bad.txt' line [0-9]+: not a fingerprint \(64 hex digits\)$" "$T/err"
assert_eq "$(mock_stat requests)" "$n" "requests after a bad fingerprints file"
! grep -qF "$AKCRED_API_KEY" "$T/out" "$T/err" || fail "the API key in the output"
