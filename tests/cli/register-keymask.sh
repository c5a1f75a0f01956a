# register: a server that echoes the API key in an error message never makes
# akcred print it, whole or in part -- not where the message is cut to its 200
# characters, not with --json: the key is masked before the message is cut.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 1
key=$(cat "$T/apikey")

# No 8 characters of the key in a row, anywhere in the output.
no_key_fragment() {
	i=1
	while [ $((i + 7)) -le ${#key} ]; do
		frag=$(printf '%s' "$key" | cut -c "$i-$((i + 7))")
		! grep -qF -- "$frag" "$T/out" "$T/err" ||
			{ cat "$T/out" "$T/err" >&2; fail "'$frag' of the API key appears in the output"; }
		i=$((i + 1))
	done
}

# The key starting before, at and across the cut at 200 characters.
for at in 150 180 190 195 199; do
	mock_start --echo-key-at "$at"
	run 7 env AKCRED_API_KEY="$key" "$AKCRED" register --device-id d1 \
		--public dev/dev-0001/public.pem --akenza-device-id 00000000000000ff \
		--api-url "$MOCK_URL" --ca-file "$MOCK_CA"
	assert_grep 'HTTP 404: Device not found, x-api-key \.*(\(API key\)|\.\.\.)' "$T/err"
	no_key_fragment
	run 7 env AKCRED_API_KEY="$key" "$AKCRED" register --device-id d1 \
		--public dev/dev-0001/public.pem --akenza-device-id 00000000000000ff \
		--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --json
	assert_grep '"error": "device .*HTTP 404: Device not found' "$T/out"
	no_key_fragment
	mock_stop
done
