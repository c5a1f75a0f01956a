# \u0000 in a header or claims string is valid JSON: never "not JSON".  Where
# nothing compares it, it is taken and printed escaped (decode never emits a
# raw NUL); in alg, typ, kid, aud, sub or a member name it is json_nul.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
KID=$(py_fingerprint "$K/ec_public.pem")
AUD=https://akenza.io/devices/dev-1
H="{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"$KID\"}"
AT=1764000060
forge() { "$PYTHON" "$TESTS/tools/pyforge.py" "$@"; }

forge "$H" "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\",\"note\":\"a\\u0000b\"}" "$K/ec_private.pem" >tok
akcred 0 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
assert_grep "^token accepted$" out
akcred 0 jwt decode --at $AT @tok
assert_grep '"note": "a\\u0000b"' out
tr -d '\000' <out | cmp -s - out || fail "decode printed a NUL byte"
akcred 0 jwt decode --at $AT --json @tok
tr -d '\000' <out | cmp -s - out || fail "decode --json printed a NUL byte"
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["claims"]["note"] == "a\x00b", j'

# Compared strings: their own code, and the token is refused.
for c in "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\\u0000x\"}" \
	"{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\",\"sub\":\"dev-1\\u0000\"}" \
	"{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\",\"x\\u0000\":1}"; do
	forge "$H" "$c" "$K/ec_private.pem" >tok
	akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
	assert_grep "^  error +json_nul: " out
	assert_no_grep "not JSON" out
done
forge "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"$KID\\u0000\"}" "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\"}" "$K/ec_private.pem" >tok
akcred 1 jwt decode --at $AT @tok
assert_grep "^  error +json_nul: header kid" out
assert_no_grep "not JSON" out
