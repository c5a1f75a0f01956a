# register --public with a key in a form akenza does not take -- a secure
# element's certificate request or raw point, an OpenSSH line, a JWK --
# uploads it as the SubjectPublicKeyInfo PEM akenza takes, with the kid
# openssl computes; a private JWK is refused as a private PEM key is.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/keyformats.lib"

export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl req -new -key ec.pem -subj /CN=se -out dev-1.key 2>/dev/null
openssl pkey -in ec.pem -pubout -outform DER | tail -c 64 >dev-2.key
make_jwk rsa.pem public >dev-3.key
make_jwk rsa.pem >private.jwk

mock_start
for d in dev-1 dev-2 dev-3; do
	akcred 0 register --device-id $d --public $d.key --workspace-id w --data-flow-id f \
		--create-devices --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
done
mock_state >state.json
"$PYTHON" - state.json "$(openssl pkey -in ec.pem -pubout -outform DER | sha256sum | cut -c1-64)" \
	"$(openssl pkey -in rsa.pem -pubout -outform DER | sha256sum | cut -c1-64)" <<'PY' || fail "uploads"
import json, re, sys
state, ec, rsa = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
text = json.dumps(state)
# The mock parsed each upload as a PUBLIC KEY PEM (it refuses anything else) and computed its kid.
for kid, alg, n in ((ec, "EC256_PEM", 2), (rsa, "RSA256_PEM", 1)):
    assert text.count(kid) >= n, (kid, text)
    assert text.count('"algorithm": "%s"' % alg) == n, (alg, text)
assert "CERTIFICATE REQUEST" not in text and "{" not in re.findall(r'"publicKey": "([^"]*)"', text)[0]
PY
akcred 3 register --device-id dev-4 --public private.jwk --workspace-id w --data-flow-id f \
	--create-devices --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep "'private.jwk' is a private key: register uploads public keys only" err
mock_stop
