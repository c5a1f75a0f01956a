# register: a batch killed with SIGKILL in the middle, then run again,
# leaves every device registered exactly once and recorded exactly once --
# also when the kill tore the last row of the results file.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 40
# Slow answers to some POSTs keep the batch running long enough to be killed.
mock_start --slow 3:0.4
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
reg="register --manifest dev/manifest.csv --workspace-id ws --data-flow-id df --create-devices --api-url $MOCK_URL --ca-file $MOCK_CA --jobs 4"

# N results recorded (and the batch still running: it must be killed mid-way).
rows_at_least() { # N
	[ "$(tail -n +2 dev/registered.csv 2>/dev/null | wc -l)" -ge "$1" ] && return 0
	kill -0 $pid 2>/dev/null || fail "round $round: the batch ended before it was killed"
	return 1
}

for round in 1 2; do
	"$AKCRED" $reg >"$T/out.$round" 2>"$T/err.$round" &
	pid=$!
	wait_until "round $round: the batch did not get going" rows_at_least $((round * 8))
	kill -KILL $pid
	wait $pid 2>/dev/null || true
	rows=$(tail -n +2 dev/registered.csv | wc -l)
	[ "$rows" -lt 40 ] || fail "round $round: the batch was done before the kill"
done
# As if the kill had struck in the middle of a row.
printf 'dev-0040,0123' >>dev/registered.csv

akcred 0 $reg
assert_grep '^40 devices: .*, 0 failed$' "$T/out"
mock_check dev/manifest.csv
assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 40 "result rows"
assert_eq "$(tail -n +2 dev/registered.csv | cut -d, -f1 | sort -u | wc -l)" 40 "devices recorded"
assert_no_grep '^dev-0040,0123$' dev/registered.csv
# Every row names the credential akenza holds.
mock_state >state.json
"$PYTHON" - dev/registered.csv state.json <<'PY' || fail "results file and akenza disagree"
import csv, json, sys
st = {d["deviceId"]: d for d in json.load(open(sys.argv[2]))["devices"]}
for r in csv.DictReader(open(sys.argv[1])):
    d = st[r["device_id"]]
    assert d["id"] == r["akenza_device_id"] and [c["id"] for c in d["credentials"]] == [r["credential_id"]], r
PY
# And once more: nothing left to do.
akcred 0 $reg
assert_grep '^40 devices: 0 registered, 0 already there, 40 skipped' "$T/out"
