# register: HTTP 429 with Retry-After in seconds, as an HTTP date, and
# without it (exponential backoff): all devices registered once, and the
# run waits as told.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 8
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")

for fault in rate-limit rate-limit-date rate-limit-bare; do
	mock_start --$fault 4
	rm -f dev/registered.csv
	start=$(date +%s%N)
	akcred 0 register --manifest dev/manifest.csv --workspace-id ws --data-flow-id df \
		--create-devices --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	mock_check dev/manifest.csv
	kind=$(case $fault in rate-limit) echo 429;; rate-limit-date) echo 429-date;; *) echo 429-bare;; esac)
	n=$(mock_stat "$kind")
	[ "$n" -ge 3 ] || fail "$fault: only $n 429s"
	# Retry-After: 1 is honoured: the whole run waited at least about a second.
	[ "$fault" = rate-limit-bare ] || [ "$ms" -ge 900 ] || fail "$fault: run took only $ms ms"
	assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 8 "$fault: result rows"
	mock_stop
done
