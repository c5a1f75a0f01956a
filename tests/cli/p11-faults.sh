# A token that fails mid-way (fakep11 in front of SoftHSM2) never costs the key that
# is whole: keygen --force whose old object will not go keeps the new pair, names the
# old object left (by a URI without the PIN) and exits 1; provision takes a failure to
# read a key of the label for an error, not for half a pair, and half a pair that will
# not go stops the run with the new pair kept for the rerun.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/p11.lib"
FAKE=${O:?}/fakep11.so
[ -f "$FAKE" ] || fail "no $FAKE: make $FAKE"
p11_token factory
export FAKEP11_WRAP="$P11_MODULE"

# labels_of LABEL: how many objects on the token carry LABEL (a pair: 2)
labels_of() {
	p11tool --token-label factory --login --pin 1234 --list-objects 2>/dev/null |
		grep -c "label: *$1\$" || :
}
# uri_id FINGERPRINT: the id= of a key of that fingerprint, as a URI has it
uri_id() {
	printf '%s' "$1" | sed 's/../%&/g' | tr a-f A-F
}

akcred 0 keygen --pin-file pin.txt --private 'pkcs11:token=factory;object=dev-1' --public old.pem
old=$(sed -n 's/^fingerprint  //p' out)
# The first old object goes, the second does not: the new pair stays, and is the key.
FAKEP11_DESTROY_FAIL=2 akcred 1 keygen --force --pkcs11-module "$FAKE" \
	--private 'pkcs11:token=factory;object=dev-1;pin-value=1234' --public new.pem
new=$(sed -n 's/^fingerprint  //p' out)
[ -n "$new" ] && [ "$new" != "$old" ] || fail "no new key was reported"
assert_eq "$(py_fingerprint new.pem)" "$new" "new.pem's kid"
assert_no_pin err
assert_grep "^akcred: keygen: the old (private|public) key 'pkcs11:token=factory;object=dev-1;type=(private|public);id=$(uri_id "$old")' remains on token 'factory' beside the new key 'pkcs11:token=factory;object=dev-1;type=private;id=$(uri_id "$new")': cannot destroy it: CKR_DEVICE_ERROR$" err
assert_eq "$(labels_of dev-1)" 3 "objects labelled dev-1 (the new pair and one old object)"
akcred 0 fingerprint --pin-file pin.txt "pkcs11:token=factory;object=dev-1;type=private;id=$(uri_id "$new")"
assert_eq "$(cat out)" "$new" "the new key on the token"
akcred 0 jwt mint --pin-file pin.txt --device-id dev-1 \
	--key "pkcs11:token=factory;object=dev-1;id=$(uri_id "$new")" --public new.pem
cp out t.jwt
akcred 0 jwt verify --key new.pem --device-id dev-1 @t.jwt
# --json names them too, for scripts: the new key's URI and every old object left.
FAKEP11_DESTROY_FAIL=2 akcred 1 keygen --force --json --pkcs11-module "$FAKE" \
	--private 'pkcs11:token=factory;object=dev-1;pin-value=1234' --public new.pem
assert_no_pin out
left=$(sed -n "s/.*the old [a-z]* key '\([^']*\)'.*/\1/p" err)
[ -n "$left" ] || fail "no old object named on stderr"
"$PYTHON" - "$left" "$(py_fingerprint new.pem)" <<'PY'
import json, sys
j = json.load(open("out"))
kid = "".join("%" + sys.argv[2][i:i + 2].upper() for i in range(0, 64, 2))
assert j["fingerprint"] == sys.argv[2], j
assert j["uri"] == "pkcs11:token=factory;object=dev-1;type=private;id=" + kid, j
assert j["old_left"] == [sys.argv[1]], j
PY
akcred 0 keygen --json --public file.pem --private file.key
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["uri"] is None and j["old_left"] == [], j'
# A rerun that can destroy them replaces all of them: one pair of the label again.
akcred 0 keygen --force --pin-file pin.txt --private 'pkcs11:token=factory;object=dev-1' \
	--public new.pem
assert_eq "$(labels_of dev-1)" 2 "objects labelled dev-1 after a rerun"
akcred 0 fingerprint --pin-file pin.txt 'pkcs11:token=factory;object=dev-1'
assert_eq "$(cat out)" "$(py_fingerprint new.pem)" "the rerun's key"

# provision finding the key of an id on a token that fails to read it: an error, and
# the key stays -- only a half proven missing makes half a pair to replace.
set -- --token 'pkcs11:token=factory' --pin-file pin.txt
akcred 0 keygen --pin-file pin.txt --private 'pkcs11:token=factory;object=dev-2' --public two.pem
echo dev-2 >ids
FAKEP11_ATTR_FAIL=256 akcred 4 provision -o b --ids ids --pkcs11-module "$FAKE" "$@"
assert_grep "^akcred: provision: .*cannot read the key's type on token 'factory': CKR_DEVICE_ERROR$" err
assert_eq "$(labels_of dev-2)" 2 "objects labelled dev-2"
akcred 0 fingerprint --pin-file pin.txt 'pkcs11:token=factory;object=dev-2'
assert_eq "$(cat out)" "$(py_fingerprint two.pem)" "dev-2's key after the failed run"
akcred 0 provision -o b --ids ids "$@"
assert_eq "$(py_fingerprint b/dev-2/public.pem)" "$(py_fingerprint two.pem)" "dev-2 reused the key"
# The optional CKA_PUBLIC_KEY_INFO (0x129) failing, as a module older than it may: the
# key's other attributes give its public half.
FAKEP11_ATTR_FAIL=0x129 akcred 0 fingerprint --pin-file pin.txt --pkcs11-module "$FAKE" \
	'pkcs11:token=factory;object=dev-2'
assert_eq "$(cat out)" "$(py_fingerprint two.pem)" "dev-2's key without CKA_PUBLIC_KEY_INFO"
FAKEP11_ATTR_FAIL=0x129 akcred 0 fingerprint --pin-file pin.txt --pkcs11-module "$FAKE" \
	'pkcs11:token=factory;object=dev-2;type=public'
assert_eq "$(cat out)" "$(py_fingerprint two.pem)" "dev-2's public key without CKA_PUBLIC_KEY_INFO"

# Half a pair (a public key alone) that will not go: the run stops naming it, the new
# pair stays, and the rerun takes that pair.
openssl pkey -in two.pem -pubin -outform DER -out half.der
p11tool --token-label factory --login --pin 1234 --write-object half.der --type pubkey \
	--label dev-3 >/dev/null 2>&1 || fail "pkcs11-tool could not write dev-3's public key"
echo dev-3 >ids
FAKEP11_DESTROY_FAIL=1 akcred 4 provision -o b --ids ids --pkcs11-module "$FAKE" "$@"
assert_grep "the old public key 'pkcs11:token=factory;object=dev-3;type=public[^']*' remains on token 'factory' beside the new key 'pkcs11:token=factory;object=dev-3;type=private;id=[%0-9A-F]+': cannot destroy it: CKR_DEVICE_ERROR$" err
[ ! -e b/dev-3 ] || fail "dev-3 was made by the stopped run"
assert_eq "$(labels_of dev-3)" 3 "objects labelled dev-3 (the new pair and the old half)"
akcred 0 fingerprint --pin-file pin.txt 'pkcs11:token=factory;object=dev-3'
cp out fp.new
akcred 0 provision -o b --ids ids "$@"
assert_eq "$(py_fingerprint b/dev-3/public.pem)" "$(cat fp.new)" "dev-3 took the new pair"

# A private key alone, on a token whose CKA_PUBLIC_KEY_INFO read fails: that
# failure shows nothing, so the key is not taken for half a pair -- an error,
# and it stays (with the attribute readable, such a key is replaced:
# p11-provision).
p11tool --token-label factory --login --pin 1234 --keypairgen --key-type EC:prime256v1 \
	--label lone >/dev/null 2>&1 || fail "pkcs11-tool could not make lone"
p11tool --token-label factory --login --pin 1234 --delete-object --type pubkey --label lone \
	>/dev/null 2>&1 || fail "pkcs11-tool could not delete lone's public key"
echo lone >ids
FAKEP11_ATTR_FAIL=0x129 run 4 "$AKCRED" provision -o b --ids ids --pkcs11-module "$FAKE" "$@"
assert_grep "not replacing what may be half a pair" err
assert_eq "$(labels_of lone)" 1 "objects labelled lone"
[ ! -e b/lone ] || fail "lone was made"
