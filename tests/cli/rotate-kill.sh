# rotate killed with SIGKILL at random moments, many times, each kill landing
# while the batch is at work (after a random number of journal rows: every
# step gets its share), over a batch of which half the devices have
# certificates: after each kill every device still has a local private key
# that akenza holds (as a certificate for those), its public key and
# certificate of that key (or, in the middle of the swap, their ".next"),
# never a second new key uploaded; the reruns end with one credential per
# device, the new one, and the manifest equal to the local keys.  Then a
# rotation killed with --keep-old, and its --finish.
# memcheck: skip kills at random moments: under valgrind they only hit its start-up
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

n=12
kills=${ROTATE_KILLS:-16}
rand() { # 0 .. $1-1 (0 if $1 is 0)
	[ "$1" -gt 0 ] || { echo 0; return; }
	echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 ))
}
# Slow answers keep the batch at work long enough for the kills; the slowness
# is only ever waited for, never measured.
rotate_setup $n mixed --latency 40
rows() {
	tail -n +2 "$journal" 2>/dev/null | grep -c . || true
}
rows_reached() { # N: the journal has N rows, or the run ended
	[ "$(rows)" -ge "$1" ] || ! kill -0 $pid 2>/dev/null
}

# The step of the last row when a kill struck, one a line: the kills must have
# hit more than one phase.
: >"$T/struck"
phases() {
	sort -u "$T/struck" | grep -c . || true
}
rotations=1 journal=dev/rotation.csv killed=0 ROUND=0
while [ $ROUND -lt "$kills" ] ||
	{ { [ $killed -lt 6 ] || [ "$(phases)" -lt 3 ]; } && [ $ROUND -lt $((kills * 4)) ]; }; do
	ROUND=$((ROUND + 1))
	have=$(rows)
	# A rotation is 4 rows a device (made, uploaded, swapped, done); when done, a new one.
	if [ "$have" -ge $((4 * n)) ]; then
		rotations=$((rotations + 1))
		journal=dev/rotation-$rotations.csv
		have=0
	fi
	"$AKCRED" $ROT --journal "$journal" --jobs 3 >"$T/run.out" 2>"$T/run.err" &
	pid=$!
	# Before the last row, so that the kill finds work left.
	wait_until "round $ROUND: the run did not get going" rows_reached $((have + 1 + $(rand $((4 * n - have - 1)))))
	sleep "0.0$(rand 5)"
	if kill -KILL $pid 2>/dev/null; then
		killed=$((killed + 1))
		tail -n 1 "$journal" | cut -d, -f2 >>"$T/struck"
	fi
	set +e
	wait $pid
	rc=$?
	set -e
	[ $rc -eq 137 ] || [ $rc -eq 0 ] || { cat "$T/run.err" >&2; fail "round $ROUND: exited $rc"; }
	rotate_check --uploads $((rotations + 1))
done
[ $killed -ge 6 ] || fail "only $killed runs were killed: the test proved little"
[ "$(phases)" -ge 3 ] || fail "the kills struck after only $(phases) kinds of step"
rounds=$ROUND

# The rerun ends it.
ROUND=
akcred 0 $ROT --journal "$journal"
assert_grep " 0 failed$" "$T/out"
rotate_check --final --uploads $((rotations + 1))
# Every device's journal steps in order, each once (a kill tears at most a last line).
"$PYTHON" - "$journal" <<'PY' || fail "journal steps out of order"
import csv, sys
steps = {}
for r in csv.DictReader(open(sys.argv[1])):
    steps.setdefault(r["device_id"], []).append(r["step"])
for d, s in steps.items():
    assert s == ["made", "uploaded", "swapped", "done"], (d, s)
PY

# --keep-old killed, then finished: the old credentials stay until --finish.
kj=dev/rotation-keep.csv
"$AKCRED" $ROT --journal $kj --keep-old >"$T/run.out" 2>"$T/run.err" &
pid=$!
journal=$kj
wait_until "the --keep-old run did not get going" rows_reached $((n + $(rand $((2 * n)))))
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
rotate_check --uploads $((rotations + 2))
akcred 0 $ROT --journal $kj --keep-old
assert_eq "$(mock_stat credentials_deleted)" "$(($(grep -c ',done,' dev/rotation*.csv | awk -F: '{s+=$2} END {print s}')))" "deletes so far"
rotate_check --uploads $((rotations + 2))
mock_state | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin)["devices"]; assert all(len(x["credentials"]) == 2 for x in d), [len(x["credentials"]) for x in d]' ||
	fail "--keep-old: every device holds its old and its new credential"
"$AKCRED" $ROT --journal $kj --finish >"$T/run.out" 2>"$T/run.err" &
pid=$!
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
akcred 0 $ROT --journal $kj --finish
assert_grep " 0 failed$" "$T/out"
rotate_check --final --uploads $((rotations + 2))
echo "$killed of $rounds runs killed, over $rotations rotations; last step at the kill: $(sort "$T/struck" | uniq -c | tr -s ' \n' ' ')"
