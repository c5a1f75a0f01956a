# register: 500s (before and after the fact), slow answers beyond --timeout,
# dropped connections (before and after the fact): every device ends up with
# exactly one credential -- nothing registered twice, nothing skipped.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 10
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")

for fault in "--error500 3" "--error500-after 2" "--slow 2:2.5" "--drop 3" "--drop-after 2"; do
	# shellcheck disable=SC2086
	mock_start $fault
	rm -f dev/registered.csv
	akcred 0 register --manifest dev/manifest.csv --workspace-id ws --data-flow-id df \
		--create-devices --api-url "$MOCK_URL" --ca-file "$MOCK_CA" --timeout 1 --jobs 4
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
# (valgrind slows every run ten times or more: the bound grows with it.)
start=$(date +%s) limit=5
[ -z "${AKCRED_VALGRIND:-}" ] || limit=40
akcred 5 register --device-id dev-0001 --public dev/dev-0001/public.pem --workspace-id ws \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --retries 2
assert_grep "^akcred: register: device 'dev-0001': looking up the device: giving up after 3 attempts: HTTP 500: Internal server error$" "$T/err"
assert_eq "$(mock_stat requests)" 3 "requests"
[ $(( $(date +%s) - start )) -lt $limit ] || fail "the back-off took too long"
! grep -qF "$AKCRED_API_KEY" "$T/out" "$T/err" || fail "the API key in the output"
mock_stop
# Nothing listening: the same, as a network error.
akcred 5 register --device-id dev-0001 --public dev/dev-0001/public.pem --workspace-id ws \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --retries 1
assert_grep "device 'dev-0001': looking up the device: giving up after 2 attempts: .*(Connection refused|connect)" "$T/err"
