# Keys on a PKCS#11 token (SoftHSM2): pkcs11-tool makes them, akcred reads their
# public halves (the same kid as the exported public key) and mints with them;
# PyJWT verifies the tokens against the exported key.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/p11.lib"
p11_token factory
p11_keypair factory sensor-17 01 EC:prime256v1
p11_keypair factory gw-rsa 02 rsa:2048

for o in sensor-17 gw-rsa; do
	akcred 0 fingerprint --pin-file pin.txt "pkcs11:token=factory;object=$o"
	assert_eq "$(cat out)" "$(py_fingerprint "$o.der")" "kid of $o on the token"
	# The public key object alone needs no PIN.
	AKCRED_PIN=wrong akcred 0 fingerprint "pkcs11:token=factory;object=$o;type=public"
	assert_eq "$(cat out)" "$(py_fingerprint "$o.der")" "kid of $o's public key object"
done
akcred 0 fingerprint --json --pin-file pin.txt 'pkcs11:token=factory;id=%01'
"$PYTHON" -c 'import json; j=json.load(open("out"))[0]; assert j["private"] and j["type"] == "ec" and j["encoding"] == "PKCS#11" and j["akenza"]["algorithm"] == "ES256", j'

# jwt verify takes its key from the token too, the module and the PIN from its options
# as mint does: the public key object needs no PIN; the private key one, from --pin-file.
AKCRED_PKCS11_MODULE= akcred 0 jwt mint --device-id dev-1 --pkcs11-module "$P11_MODULE" \
	--pin-file pin.txt --key 'pkcs11:token=factory;object=sensor-17'
cp out v.jwt
AKCRED_PKCS11_MODULE= akcred 0 jwt verify --pkcs11-module "$P11_MODULE" --device-id dev-1 \
	--key 'pkcs11:token=factory;object=sensor-17;type=public' @v.jwt
assert_grep "^token accepted$" out
AKCRED_PKCS11_MODULE= akcred 0 jwt verify --pkcs11-module "$P11_MODULE" --pin-file pin.txt \
	--device-id dev-1 --key 'pkcs11:token=factory;object=sensor-17' @v.jwt
assert_grep "^token accepted$" out
echo 0000 >wrong.txt
AKCRED_PKCS11_MODULE= akcred 3 jwt verify --pkcs11-module "$P11_MODULE" --pin-file wrong.txt \
	--device-id dev-1 --key 'pkcs11:token=factory;object=sensor-17' @v.jwt
assert_grep "^akcred: jwt verify: wrong PIN for token 'factory'$" err

"$PYTHON" -c 'import jwt, Cryptodome' 2>/dev/null || skip "$PYTHON lacks jwt (PyJWT) or Cryptodome"
for o in sensor-17 gw-rsa; do
	openssl pkey -pubin -inform DER -in "$o.der" -out "$o.pem"
	# The module from --pkcs11-module this time, the PIN from the environment.
	AKCRED_PKCS11_MODULE= AKCRED_PIN=1234 akcred 0 jwt mint --device-id dev-1 \
		--pkcs11-module "$P11_MODULE" --key "pkcs11:token=factory;object=$o"
	"$PYTHON" - "$(cat out)" "$o.pem" "$(py_fingerprint "$o.der")" <<'PY' || fail "PyJWT refused the token of $o"
import sys, jwt
tok, pub, kid = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
h = jwt.get_unverified_header(tok)
assert h["kid"] == kid, (h, kid)
jwt.decode(tok, pub, algorithms=[h["alg"]], audience="https://akenza.io/devices/dev-1")
PY
	cp out tok.jwt
	akcred 0 jwt verify --key "$o.pem" --device-id dev-1 @tok.jwt
done
# The URI's own module-path and pin-source; a pin-value is taken but warned of (ps shows it).
AKCRED_PKCS11_MODULE= akcred 0 jwt mint --device-id dev-1 \
	--key "pkcs11:token=factory;object=sensor-17?module-path=$P11_MODULE&pin-source=file:$T/pin.txt"
assert_no_grep warning err
akcred 0 jwt mint --device-id dev-1 --key 'pkcs11:token=factory;object=sensor-17?pin-value=1234'
assert_grep "warning: the PIN in the URI's pin-value is visible to other users" err
# fingerprint names each key by its operand: a URI's shown without its query, never its PIN.
akcred 0 fingerprint 'pkcs11:token=factory;object=sensor-17?pin-value=1234' sensor-17.pem
assert_no_pin out
assert_grep "  pkcs11:token=factory;object=sensor-17$" out
akcred 0 fingerprint --json 'pkcs11:token=factory;object=sensor-17?pin-value=1234'
assert_no_pin out
assert_grep '"file": "pkcs11:token=factory;object=sensor-17"' out

# No module named anywhere: the modules p11-kit has registered, SoftHSM2's among them.
if [ -f /usr/share/p11-kit/modules/softhsm2.module ]; then
	AKCRED_PKCS11_MODULE= akcred 0 fingerprint --pin-file pin.txt 'pkcs11:token=factory;object=sensor-17'
	assert_eq "$(cat out)" "$(py_fingerprint sensor-17.der)" "kid through p11-kit's modules"
	AKCRED_PKCS11_MODULE= akcred 0 fingerprint --pin-file pin.txt \
		'pkcs11:token=factory;object=sensor-17?module-name=softhsm2'
	assert_eq "$(cat out)" "$(py_fingerprint sensor-17.der)" "kid through module-name"
	AKCRED_PKCS11_MODULE= akcred 3 fingerprint --pin-file pin.txt \
		'pkcs11:token=factory;object=sensor-17?module-name=nosuch'
	assert_grep "no PKCS#11 module named 'nosuch' is registered with p11-kit" err
fi
