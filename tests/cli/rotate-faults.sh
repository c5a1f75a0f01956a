# rotate against an API that fails: rate limits (with and without
# Retry-After), 5xx, dropped connections, POST and DELETE answers lost after
# the fact -- the batch ends rotated, one new credential per device, never a
# second upload; and the exit statuses of an API that cannot be reached (5)
# or that refuses the key (7), which leave every device as it was.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

# One fault at a time, often enough that the rotation meets it for sure (a
# fault that every request or POST gets cannot be passed by retrying).
for fault in "--rate-limit 5:429" "--rate-limit-date 5:429-date" "--rate-limit-bare 5:429-bare" \
	"--error500 3:500" "--drop 3:drop" "--drop-after 1:drop-after" "--error500-after 1:500-after" \
	"--drop-after-delete 1:drop-after-delete" "--error500-delete 1:500-delete"; do
	opt=${fault%:*} name=${fault##*:}
	[ -z "${ROTATE_TIMES:-}" ] || date +"%T $name" >&2
	rm -rf dev
	# shellcheck disable=SC2086
	ROTATE_FAULTS=keep rotate_setup 3 ec $opt
	before=$(mock_stat "$name")
	akcred 0 $ROT --jobs 2
	assert_grep '^3 devices: 3 rotated, .* 0 failed$' "$T/out"
	ROUND=$name rotate_check --final
	[ "$(mock_stat "$name")" -gt "$before" ] || fail "$name: not met during the rotation"
	! grep -qF "$AKCRED_API_KEY" "$T/out" "$T/err" || fail "$name: the API key in the output"
	mock_stop
done

# Nothing listening: exit 5; nothing changed but the journal's header.
rm -rf dev
rotate_setup 2 ec
sum=$(cat dev/manifest.csv dev/*/private.pem dev/*/public.pem | sha256sum)
url=$MOCK_URL
mock_stop
akcred 5 rotate --manifest dev/manifest.csv --workspace-id ws --api-url "$url" \
	--ca-file "$MOCK_CA" --retries 1 --timeout 5
assert_grep '^2 devices: 0 rotated, .* 2 failed$' "$T/out"
assert_grep "^akcred: rotate: device 'dev-0001': .*giving up after 2 attempts" "$T/err"
# The new pairs wait beside the old ones for the rerun; the keys in use are untouched.
assert_eq "$(cat dev/manifest.csv dev/*/private.pem dev/*/public.pem | sha256sum)" "$sum" "files after exit 5"
[ -f dev/dev-0001/private.pem.next ] || fail "the new pair is not kept for the rerun"
assert_eq "$(grep -c ',made,' dev/rotation.csv)" 2 "made rows"

# A revoked API key: the run stops at once, exit 7.
mock_start --unauthorized-after 1 --existing /dev/null
akcred 7 rotate --manifest dev/manifest.csv --workspace-id ws --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep "^akcred: rotate: akenza refused the API key \(HTTP 401\)" "$T/err"
assert_eq "$(cat dev/manifest.csv dev/*/private.pem dev/*/public.pem | sha256sum)" "$sum" "files after exit 7"
