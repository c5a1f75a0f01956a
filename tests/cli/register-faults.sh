# register: 500s (before and after the fact), slow answers beyond --timeout,
# dropped connections (before and after the fact): every device ends up with
# exactly one credential -- nothing registered twice, nothing skipped.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 10
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")

# A slow answer comes well after --timeout, and --timeout is well above what a
# request takes, also under valgrind (make memcheck), whatever the load.
to=1
[ -z "${AKCRED_VALGRIND:-}" ] || to=8
for fault in "--error500 3" "--error500-after 2" "--slow 2:$((to * 3))" "--drop 3" "--drop-after 2"; do
	# shellcheck disable=SC2086
	mock_start $fault
	rm -f dev/registered.csv
	akcred 0 register --manifest dev/manifest.csv --workspace-id ws --data-flow-id df \
		--create-devices --api-url "$MOCK_URL" --ca-file "$MOCK_CA" --timeout $to --jobs 4
	assert_grep '^10 devices: .*, 0 skipped \(results file\), 0 failed' "$T/out"
	mock_check dev/manifest.csv
	! grep -qF "$AKCRED_API_KEY" "$T/out" "$T/err" || fail "$fault: the API key in the output"
	n=$(mock_stat "$(echo "${fault#--}" | cut -d' ' -f1 | sed 's/^error//')")
	[ "$n" -gt 0 ] || fail "$fault: no fault was injected"
	assert_eq "$(tail -n +2 dev/registered.csv | cut -d, -f1 | sort -u | wc -l)" 10 "$fault: devices recorded"
	assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 10 "$fault: result rows"
	mock_stop
done

# A server that keeps failing: bounded retries, then the device fails, named,
# with the status and akenza's message (exit 5 for one device).
mock_start --error500 1
akcred 5 register --device-id dev-0001 --public dev/dev-0001/public.pem --workspace-id ws \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --retries 2
assert_grep "^akcred: register: device 'dev-0001': looking up the device: giving up after 3 attempts: HTTP 500: Internal server error$" "$T/err"
assert_eq "$(mock_stat requests)" 3 "requests"
# Each retry waited for its back-off (500 ms doubling, half of it random), as
# the server saw it: lower bounds, which no slowness can break.  That the
# back-off is bounded is the unit test http/backoff_is_capped.
mock_state | "$PYTHON" -c 'import json, sys
t = [r["t"] for r in json.load(sys.stdin)["log"]]
assert len(t) == 3, t
assert t[1] - t[0] >= 0.24 and t[2] - t[1] >= 0.49, "retried without backing off: %s" % t' ||
	fail "the retries did not back off"
! grep -qF "$AKCRED_API_KEY" "$T/out" "$T/err" || fail "the API key in the output"
mock_stop
# Nothing listening: the same, as a network error.
akcred 5 register --device-id dev-0001 --public dev/dev-0001/public.pem --workspace-id ws \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --retries 1
assert_grep "device 'dev-0001': looking up the device: giving up after 2 attempts: .*(Connection refused|connect)" "$T/err"
