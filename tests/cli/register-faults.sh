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
	n=$(mock_stat "$(echo "${fault#--}" | cut -d' ' -f1 | sed 's/^error//')")
	[ "$n" -gt 0 ] || fail "$fault: no fault was injected"
	assert_eq "$(tail -n +2 dev/registered.csv | cut -d, -f1 | sort -u | wc -l)" 10 "$fault: devices recorded"
	assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 10 "$fault: result rows"
	mock_stop
done
