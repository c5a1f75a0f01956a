# register: the text and the --json views print one result, so they agree:
# for the same devices in the same state they name the same outcomes, ids,
# fingerprints and counts -- in a dry run, a run and a rerun.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 4
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
mock_start
reg="register --manifest dev/manifest.csv --workspace-id ws --data-flow-id df --create-devices"
reg="$reg --api-url $MOCK_URL --ca-file $MOCK_CA"

# agree TEXT JSON: the devices and counts of the text view are those of the JSON view.
agree() {
	"$PYTHON" - "$1" "$2" <<'PY' || fail "the text view and the JSON view disagree"
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
j = json.load(open(sys.argv[2]))
devs = {d["device_id"]: d for d in j["devices"]}
seen = set()
for l in lines:
    m = re.match(r"device (\S+): (\S+), fingerprint ([0-9a-f]{64}), from ", l)
    if m:
        d = devs[m.group(1)]
        assert (d["outcome"], d["algorithm"], d["fingerprint"]) == ("dry-run",) + m.groups()[1:], (l, d)
        seen.add(m.group(1))
        continue
    m = re.match(r"(registered|present|skipped) +(\S+)  device (\S+)  credential (\S+)$", l)
    if m:
        d = devs[m.group(2)]
        assert (d["outcome"], d["akenza_device_id"], d["credential_id"]) == \
            (m.group(1), m.group(3), m.group(4)), (l, d)
        seen.add(m.group(2))
        continue
    m = re.match(r"dry run: (\d+) devices? would be registered, (\d+) skipped, (\d+) failed;", l)
    if m:
        n = j["total"] - j["skipped"] - j["failed"]
        assert (n, j["skipped"], j["failed"]) == tuple(map(int, m.groups())), (l, j)
        continue
    m = re.match(r"(\d+) devices: (\d+) registered, (\d+) already there, (\d+) skipped \(results file\), (\d+) failed$", l)
    if m:
        got = tuple(map(int, m.groups()))
        assert got == (j["total"], j["registered"], j["present"], j["skipped"], j["failed"]), (l, j)
        continue
    if not l.startswith("  "):
        raise AssertionError("a line of the text view not understood: " + l)
# A batch's text leaves out what the results file holds; everything else is in both.
assert seen == {k for k, d in devs.items() if d["outcome"] != "skipped" or j["total"] == 1}, (seen, devs)
PY
}

akcred 0 $reg --dry-run
cp "$T/out" dry.txt
akcred 0 $reg --dry-run --json
agree dry.txt "$T/out"

# Registered, then found again in akenza's listing (the results file gone):
# the same state seen by each view.
akcred 0 $reg
rm dev/registered.csv
akcred 0 $reg
cp "$T/out" present.txt
assert_eq "$(grep -c '^present ' present.txt)" 4 "present lines"
rm dev/registered.csv
akcred 0 $reg --json
agree present.txt "$T/out"

# Everything in the results file.
akcred 0 $reg
cp "$T/out" skipped.txt
akcred 0 $reg --json
agree skipped.txt "$T/out"
