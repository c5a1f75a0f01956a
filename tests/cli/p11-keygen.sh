# keygen --private pkcs11:...: the pair is made on the token; pkcs11-tool, the
# independent view, finds the private key sensitive, never extractable and for
# signing only, labelled as the URI says and with the fingerprint as its id.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/p11.lib"
p11_token factory

akcred 0 keygen --pin-file pin.txt --private 'pkcs11:token=factory;object=dev-ec' \
	--public ec.pem --cert ec.crt --device-id dev-ec
fp=$(sed -n 's/^fingerprint  //p' out)
assert_grep "^private key  pkcs11:token=factory;object=dev-ec  \(EC P-256, on the token, not extractable\)$" out
assert_eq "$(py_fingerprint ec.pem)" "$fp" "the public key file's kid"
assert_eq "$(py_fingerprint ec.crt)" "$fp" "the certificate's kid"
openssl verify -CAfile ec.crt ec.crt >/dev/null 2>&1 || fail "the certificate signed on the token does not verify"
[ ! -e ec_private.pem ] || fail "a private key file was written"
# A PIN in the URI, in its query or among its attributes, is never printed.
for uri in 'pkcs11:token=factory;object=dev-pin?pin-value=1234' \
	'pkcs11:token=factory;object=dev-pin2;pin-value=1234'; do
	akcred 0 keygen --private "$uri" --public pin.pem --json
	assert_no_pin out
	assert_grep '"private": "pkcs11:token=factory;object=dev-pin2?"' out
	rm -f pin.pem
done
akcred 3 fingerprint 'pkcs11:token=factory;object=nothing;pin-value=1234'
assert_no_pin err
assert_grep "no object matches 'pkcs11:token=factory;object=nothing'" err

p11tool --token-label factory --login --pin 1234 --list-objects --type privkey >objs 2>&1
assert_grep "label: +dev-ec$" objs
assert_grep "ID: +$fp$" objs
assert_grep "Usage: +sign$" objs
assert_grep "Access: +sensitive, always sensitive, never extractable, local$" objs

# The same kid from the token, and tokens that verify with the exported key.
akcred 0 fingerprint --pin-file pin.txt 'pkcs11:token=factory;object=dev-ec'
assert_eq "$(cat out)" "$fp" "the token key's kid"
akcred 0 jwt mint --pin-file pin.txt --device-id dev-ec --key 'pkcs11:token=factory;object=dev-ec' \
	--public ec.pem
cp out t.jwt
akcred 0 jwt verify --key ec.crt --device-id dev-ec @t.jwt

# A second object of the label: refused, the token and the files unchanged; --force replaces.
akcred 3 keygen --pin-file pin.txt --private 'pkcs11:token=factory;object=dev-ec' --public other.pem
assert_grep "token 'factory' already has an object labelled 'dev-ec' \(--force replaces it\)" err
[ ! -e other.pem ] || fail "other.pem written"
akcred 0 keygen --force --pin-file pin.txt --private 'pkcs11:token=factory;object=dev-ec' \
	--public ec.pem
fp2=$(sed -n 's/^fingerprint  //p' out)
[ "$fp2" != "$fp" ] || fail "--force made the same key"
p11tool --token-label factory --login --pin 1234 --list-objects >objs 2>&1
assert_eq "$(grep -c 'label: *dev-ec$' objs)" 2 "objects labelled dev-ec after --force (one pair)"
assert_grep "ID: +$fp2$" objs
assert_no_grep "ID: +$fp$" objs

# RSA, with --json; the usage errors.
akcred 0 keygen --pin-file pin.txt -t rsa -b 3072 --private 'pkcs11:token=factory;object=dev-rsa' \
	--public rsa.pem --json
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["token"] and j["bits"] == 3072 and j["type"] == "rsa", j'
assert_eq "$(py_fingerprint rsa.pem)" "$("$PYTHON" -c 'import json; print(json.load(open("out"))["fingerprint"])')" "RSA kid"
akcred 2 keygen --encrypt --private 'pkcs11:token=factory;object=x'
assert_grep "encrypt is for key files" err
akcred 2 keygen --pin-file pin.txt --private 'pkcs11:token=factory' --public x.pem
assert_grep "names no object=" err
akcred 2 keygen --pin-file pin.txt --private 'pkcs11:token=factory;object=x;id=%01' --public x.pem
assert_grep "leave id= and type= out" err
