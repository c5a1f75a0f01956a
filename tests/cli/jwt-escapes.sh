# Hostile text in a token never reaches the terminal raw (C1 controls, bidi
# overrides, invalid UTF-8) and --json never loses a problem to it.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
KID=$(py_fingerprint "$K/ec_public.pem")
C='{"iat":1764000000,"exp":1764001200,"aud":"https://akenza.io/devices/dev-1"}'
AT=1764000060
forge() { "$PYTHON" "$TESTS/tools/pyforge.py" "$@"; }
C1=$(printf '\302\233')		# U+009B CSI
RLO=$(printf '\342\200\256')	# U+202E
nonascii() { LC_ALL=C grep -c "$(printf '[\200-\377]')" "$1" || true; }

# alg with a CSI, typ with a right-to-left override: escaped in the text output.
forge "{\"alg\":\"\\u009b31mX\",\"typ\":\"a\\u202eb\",\"kid\":\"$KID\"}" "$C" "$K/ec_private.pem" >tok
akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
assert_grep 'error +alg_unsupported: .*\\xc2\\x9b31mX' out
assert_grep 'warning +typ_unexpected: .*a\\xe2\\x80\\xaeb' out
LC_ALL=C grep -q "$C1\|$RLO" out && fail "raw C1/bidi character in the output"
akcred 1 jwt decode --at $AT @tok
LC_ALL=C grep -q "$C1\|$RLO" out && fail "raw C1/bidi character in decode's output"
# --json is ASCII only: the header is shown with \u escapes.
for sub in "verify --key $K/ec_public.pem" decode; do
	# shellcheck disable=SC2086
	akcred 1 jwt $sub --at $AT --json @tok
	assert_eq "$(nonascii out)" 0 "non-ASCII lines in jwt $sub --json"
	assert_grep '"alg": "\\u009[bB]31mX"' out
done

# 79 bytes and an "e acute" in typ: the message is cut between characters and
# the problem is in --json (it was dropped: "problems": []).
long=$(printf '%079d' 0 | tr 0 a)
forge "{\"alg\":\"ES256\",\"typ\":\"$long\\u00e9\",\"kid\":\"$KID\"}" "$C" "$K/ec_private.pem" >tok
akcred 0 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT --json @tok
"$PYTHON" - out <<'PY' || fail "typ_unexpected missing from --json"
import json, sys
j = json.load(open(sys.argv[1]))
codes = [p["code"] for p in j["problems"]]
assert codes == ["typ_unexpected"], codes
PY
akcred 0 jwt decode --at $AT --json @tok
assert_grep '"code": "typ_unexpected"' out

# Jansson's error text quotes the token's bytes: escaped too.
h=$(printf '%s' "{\"alg\":\"ES256\",\"kid\":\"$KID\"}" | "$PYTHON" -c 'import base64,sys; print(base64.urlsafe_b64encode(sys.stdin.buffer.read()).rstrip(b"=").decode())')
c=$(printf '{"a":\033[2J\302\233}' | "$PYTHON" -c 'import base64,sys; print(base64.urlsafe_b64encode(sys.stdin.buffer.read()).rstrip(b"=").decode())')
printf '%s.%s.AAAA\n' "$h" "$c" >tok
akcred 1 jwt decode --at $AT @tok
assert_grep 'error +malformed: claims is not JSON' out
LC_ALL=C grep -q "$(printf '\033')\|$C1" out && fail "raw escape from Jansson's error text"
akcred 1 jwt decode --at $AT --json @tok
assert_eq "$(nonascii out)" 0 "non-ASCII lines in decode --json"
exit 0
