# The forms secure elements and other tools hand out -- PKCS#10 requests,
# OpenSSH keys and authorized_keys files, JWKs and JWK Sets, raw P-256
# points -- give the kid of the key's SubjectPublicKeyInfo as openssl
# computes it, are named in --json, and serve jwt verify --key; bad ones are
# input errors (3) that say what is wrong.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/keyformats.lib"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
kid() { openssl pkey -in "$1" -pubout -outform DER | sha256sum | cut -d' ' -f1; }
ec=$(kid ec.pem)
rsa=$(kid rsa.pem)

# An authorized_keys file: every key line counts, options and comments around them.
command -v ssh-keygen >/dev/null 2>&1 || skip "ssh-keygen (openssh-client) is not installed"
ssh-keygen -y -f ec.pem >ec.ssh
ssh-keygen -y -f rsa.pem >rsa.ssh
{
	echo "# fleet"
	printf 'from="10.0.0.0/8",command="echo \\"a b\\"" %s sensor-1\n' "$(cat ec.ssh)"
	echo
	printf '%s sensor 2\n' "$(cat rsa.ssh)"
} >authorized_keys
akcred 0 fingerprint authorized_keys
assert_eq "$(cat out)" "$ec  authorized_keys
$rsa  authorized_keys" "authorized_keys"
# ssh-keygen's own conversion of the line to PKCS#8 has the same kid.
ssh-keygen -e -m PKCS8 -f ec.ssh >ec.ssh.spki
akcred 0 fingerprint - <ec.ssh
assert_eq "$(cat out)" "$(openssl pkey -pubin -in ec.ssh.spki -outform DER | sha256sum | cut -d' ' -f1)"
assert_eq "$(cat out)" "$ec" "ssh-keygen's conversion"

# The format and the encoding each form was read in.
openssl req -new -key ec.pem -subj /CN=se -out ec.csr 2>/dev/null
openssl req -in ec.csr -outform DER -out ec.csr.der
make_jwk ec.pem >ec.jwk
make_jwk rsa.pem public >rsa.pub.jwk
openssl pkey -in ec.pem -pubout -outform DER | tail -c 64 >ec.xy
od -An -v -tx1 ec.xy | tr -d ' \n' >ec.xy.hex
openssl pkey -in ec.pem -pubout -outform DER -ec_conv_form compressed | tail -c 33 >ec.comp
akcred 0 fingerprint --json ec.csr ec.csr.der authorized_keys ec.jwk rsa.pub.jwk ec.xy ec.xy.hex ec.comp
"$PYTHON" - "$T/out" "$ec" "$rsa" <<'PY' || fail "fingerprint --json"
import json, sys
got = [(k["file"], k["fingerprint"], k["format"], k["encoding"], k["private"])
       for k in json.load(open(sys.argv[1]))]
ec, rsa = sys.argv[2], sys.argv[3]
want = [
    ("ec.csr", ec, "PKCS#10 certificate request", "PEM", False),
    ("ec.csr.der", ec, "PKCS#10 certificate request", "DER", False),
    ("authorized_keys", ec, "OpenSSH public key", "OpenSSH", False),
    ("authorized_keys", rsa, "OpenSSH public key", "OpenSSH", False),
    ("ec.jwk", ec, "JWK", "JSON", True),
    ("rsa.pub.jwk", rsa, "JWK", "JSON", False),
    ("ec.xy", ec, "raw P-256 point X||Y", "binary", False),
    ("ec.xy.hex", ec, "raw P-256 point X||Y", "hex", False),
    ("ec.comp", ec, "raw compressed P-256 point", "binary", False),
]
assert got == want, got
PY

# jwt verify --key with a JWK Set picks the key by the token's kid, as from a PEM bundle;
# a private JWK signs, and PyJWT takes its token with openssl's public key.
make_jwk ec.pem public >ec.pub.jwk
"$PYTHON" - ec.pub.jwk rsa.pub.jwk >set.jwks <<'PY'
import json, sys
print(json.dumps({"keys": [json.load(open(f)) for f in sys.argv[1:]]}))
PY
akcred 0 jwt mint --key ec.jwk --device-id dev-1
cp out ec.jwt
"$PYTHON" - "$(cat ec.jwt)" ec.pem <<'PY' || fail "PyJWT refuses the token of a private JWK"
import sys, jwt
from cryptography.hazmat.primitives import serialization
key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None).public_key()
jwt.decode(sys.argv[1], key, algorithms=["ES256"], audience="https://akenza.io/devices/dev-1")
PY
akcred 0 jwt mint --key rsa.pem --device-id dev-1
cp out rsa.jwt
akcred 0 jwt verify --key set.jwks --device-id dev-1 "$(cat ec.jwt)"
assert_grep "^token accepted" out
assert_grep "key EC P-256 $ec \(key 1 of 2 in the file\)" out
akcred 0 jwt verify --key set.jwks --device-id dev-1 "$(cat rsa.jwt)"
assert_grep "key RSA 2048 $rsa \(key 2 of 2 in the file\)" out
# A request, an OpenSSH line, a raw point: each verifies the token of its key.
for k in ec.csr ec.ssh ec.xy.hex; do
	akcred 0 jwt verify --key $k --device-id dev-1 "$(cat ec.jwt)"
	assert_grep "^token accepted" out
done
akcred 1 jwt verify --key ec.xy --device-id dev-1 "$(cat rsa.jwt)"

# Bad ones: exit 3, saying what is wrong.
# Y with its lowest bit flipped: only Y and p - Y go with X.
{ printf '\004'; cat ec.xy; } | perl -0777 -pe 'substr($_, -1, 1) ^= "\x01"' >offcurve
akcred 3 fingerprint offcurve
assert_grep "'offcurve': a raw P-256 point of 65 bytes, but not on the curve" err
sed 's/"P-256"/"P-384"/' ec.jwk >p384.jwk
akcred 3 fingerprint p384.jwk
assert_grep "'p384.jwk': JWK curve \"P-384\": akcred reads P-256 only" err
cut -c1-101 ec.ssh >truncated.ssh
akcred 3 fingerprint truncated.ssh
assert_grep "'truncated.ssh' line 1: the key data is not base64, or is truncated" err
# The last byte of a request is its signature's.
perl -0777 -pe 'substr($_, -1, 1) ^= "\x01"' ec.csr.der >badsig.der
akcred 3 fingerprint badsig.der
assert_grep "'badsig.der': the certificate request's signature does not verify" err
akcred 3 jwt verify --key badsig.der --device-id dev-1 "$(cat ec.jwt)"
assert_grep "signature does not verify" err
[ ! -s out ] || fail "something printed on stdout for a bad key"
