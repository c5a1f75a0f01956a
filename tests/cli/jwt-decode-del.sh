# jwt decode and verify show a token's header and claims without a raw DEL
# (or any other control, C1 or bidi character): the JSON blocks, in the text
# output as with --json, escape it as \u007F, as safetext_json() does for
# every --json of akcred.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
KID=$(py_fingerprint "$K/ec_public.pem")
AT=1764000060
DEL=$(printf '\177')
RLO=$(printf '\342\200\256')
forge() { "$PYTHON" "$TESTS/tools/pyforge.py" "$@"; }
raw() { ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177-\377]')" "$1"; }

# DEL raw in the header's typ and in a claim (JSON allows it unescaped), the
# JSON escape of DEL in another, and U+202E.
forge "{\"alg\":\"ES256\",\"typ\":\"J${DEL}WT\",\"kid\":\"$KID\"}" \
	"{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"https://akenza.io/devices/dev-1\",\"x\":\"a${DEL}b\",\"y\":\"\\u007f${RLO}\"}" \
	"$K/ec_private.pem" >tok
akcred 0 jwt decode --at $AT @tok
raw out || { cat -v out >&2; fail "jwt decode printed a raw control or non-ASCII byte"; }
assert_grep '^    "typ": "J\\u007FWT",$' out
assert_grep '^    "x": "a\\u007Fb",$' out
assert_grep '^    "y": "\\u007F\\u202E"$' out
for sub in decode "verify --key $K/ec_public.pem --device-id dev-1"; do
	# shellcheck disable=SC2086
	akcred 0 jwt $sub --at $AT --json @tok
	raw out || { cat -v out >&2; fail "jwt $sub --json printed a raw control or non-ASCII byte"; }
	assert_grep '"x": "a\\u007Fb"' out
	# Still JSON, with the token's very text.
	"$PYTHON" - out <<'PY' || fail "jwt $sub --json is not the token's JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["header"]["typ"] == "J\x7fWT", j["header"]
assert j["claims"]["x"] == "a\x7fb" and j["claims"]["y"] == "\x7f\u202e", j["claims"]
PY
done
exit 0
