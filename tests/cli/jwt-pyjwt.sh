# Cross-check with PyJWT + pycryptodome (an independent implementation), both ways.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import jwt, Cryptodome' 2>/dev/null || skip "$PYTHON lacks jwt (PyJWT) or Cryptodome"

for t in ec rsa; do
	# akcred mints, PyJWT verifies with the right audience and key.
	akcred 0 jwt mint --device-id dev-1 --key "$K/${t}_private.pem"
	tok=$(cat out)
	"$PYTHON" - "$tok" "$K/${t}_public.pem" "$(py_fingerprint "$K/${t}_public.pem")" <<'PY' || fail "PyJWT refused the $t token"
import sys, jwt
tok, pub, kid = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
h = jwt.get_unverified_header(tok)
assert h["kid"] == kid, ("fingerprint mismatch between akcred and pycryptodome", h["kid"], kid)
c = jwt.decode(tok, pub, algorithms=[h["alg"]], audience="https://akenza.io/devices/dev-1")
assert c["exp"] - c["iat"] == 1200
try:
    jwt.decode(tok, pub, algorithms=[h["alg"]], audience="https://akenza.io/devices/dev-2")
    raise SystemExit("PyJWT accepted the wrong audience")
except jwt.InvalidAudienceError:
    pass
PY
	# The reference client's way (PyJWT) mints, akcred verifies.
	"$PYTHON" "$TESTS/tools/pymint.py" "$K/${t}_private.pem" "$K/${t}_public.pem" dev-1 >ref
	akcred 0 jwt verify --key "$K/${t}_public.pem" --device-id dev-1 @ref
	assert_grep "^token accepted$" out
	akcred 0 jwt verify --key "$K/${t}_private.pem" --device-id dev-1 --json @ref
	"$PYTHON" -c 'import json,sys; j=json.load(open("out")); assert j["accepted"] and j["signature_valid"] and j["problems"] == [], j'
	# The kid the reference computes is the one akcred expects from this key.
	akcred 1 jwt verify --key "$K/ec2_private.pem" --device-id dev-1 @ref
	akcred 1 jwt verify --key "$K/${t}_public.pem" --device-id dev-2 @ref
	assert_grep "aud_mismatch" out
done
