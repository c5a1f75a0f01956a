# provision --token: each device's key pair made on the token, labelled with its id,
# the device directories holding only the public key and certificate; a rerun checks
# them against the token; a key an interrupted run left on the token is reused, and a
# run killed mid-batch never leaves an id with two keys.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/p11.lib"
p11_token factory
set -- --token 'pkcs11:token=factory' --pin-file pin.txt

# labels_of ID: how many objects on the token carry label ID (a pair: 2)
labels_of() {
	p11tool --token-label factory --login --pin 1234 --list-objects 2>/dev/null |
		grep -c "label: *$1\$" || :
}

akcred 0 provision -o b --count 3 --prefix dev- --cert "$@"
assert_grep "^token        pkcs11:token=factory$" out
for d in dev-1 dev-2 dev-3; do
	[ -f "b/$d/public.pem" ] && [ -f "b/$d/cert.pem" ] || fail "$d's files are missing"
	[ ! -e "b/$d/private.pem" ] || fail "$d has a private key file"
	akcred 0 fingerprint --pin-file pin.txt "pkcs11:token=factory;object=$d"
	assert_eq "$(cat out)" "$(py_fingerprint "b/$d/public.pem")" "$d: the token's key is public.pem's"
	assert_grep "^$d,EC256_X509_PEM,$(cat out),$d/cert.pem," b/manifest.csv
	assert_eq "$(labels_of "$d")" 2 "objects labelled $d"
done
p11tool --token-label factory --login --pin 1234 --list-objects --type privkey >objs 2>&1
assert_grep "Access: +sensitive, always sensitive, never extractable, local" objs
assert_no_grep "Usage: .*(decrypt|derive|unwrap)" objs

# A rerun checks and keeps them; one without --token, or with --encrypt, is refused.
akcred 0 provision -o b --count 3 --prefix dev- --cert "$@"
assert_grep "^nothing to do: all 3 devices" out
akcred 3 provision -o b --count 3 --prefix dev- --cert
assert_grep "its keys are on a token .*give --token" err
# The JSON summary names the token as every output shows a URI: never with its PIN.
akcred 0 provision -o b --count 3 --prefix dev- --cert --json \
	--token "pkcs11:token=factory;pin-value=1234?module-path=$P11_MODULE"
assert_no_pin out
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["token"] == "pkcs11:token=factory" and j["verified"] == 3, j'
akcred 0 provision -o files --count 1 --prefix f- --json
"$PYTHON" -c 'import json; j=json.load(open("out")); assert "token" in j and j["token"] is None, j'
akcred 2 provision -o b --count 3 --prefix dev- --cert --encrypt "$@"

# A key on the token whose device never got its directory (a run killed after the
# pair was made): reused, not made twice.
"$AKCRED" keygen --pin-file pin.txt --private 'pkcs11:token=factory;object=dev-4' \
	--public left.pem >/dev/null
akcred 0 provision -o b --count 4 --prefix dev- --cert "$@"
assert_eq "$(py_fingerprint b/dev-4/public.pem)" "$(py_fingerprint left.pem)" "dev-4 reused the key"
assert_eq "$(labels_of dev-4)" 2 "objects labelled dev-4"
# Half a pair (killed inside the generation: the public key without its private one):
# replaced by a whole pair.
openssl pkey -in left.pem -pubin -outform DER -out left.der
p11tool --token-label factory --login --pin 1234 --write-object left.der --type pubkey \
	--label dev-5 >/dev/null 2>&1 || fail "pkcs11-tool could not write dev-5's public key"
assert_eq "$(labels_of dev-5)" 1 "objects labelled dev-5 before"
akcred 0 provision -o b --count 5 --prefix dev- --cert "$@"
assert_eq "$(labels_of dev-5)" 2 "objects labelled dev-5 after"
[ "$(py_fingerprint b/dev-5/public.pem)" != "$(py_fingerprint left.pem)" ] ||
	fail "dev-5 took half a pair"
akcred 0 fingerprint --pin-file pin.txt 'pkcs11:token=factory;object=dev-5'
assert_eq "$(cat out)" "$(py_fingerprint b/dev-5/public.pem)" "dev-5's new pair"
# A device whose row did not reach the manifest: recovered with its key.
grep -v '^dev-2,' b/manifest.csv >m && cat m >b/manifest.csv
akcred 0 provision -o b --count 5 --prefix dev- --cert "$@"
assert_grep "^dev-2,EC256_X509_PEM,$(py_fingerprint b/dev-2/public.pem)," b/manifest.csv
# A device whose key left the token is an error for it, never a new key.
p11tool --token-label factory --login --pin 1234 --delete-object --type privkey --label dev-3 \
	>/dev/null 2>&1
akcred 1 provision -o b --count 5 --prefix dev- --cert "$@"
assert_grep "device 'dev-3': no object matches 'pkcs11:token=factory;object=dev-3'" err

# Only a half proven missing is half a pair: a private key alone (no public key of
# its id or label) with no id -- what a run killed inside the generation leaves -- is
# replaced too; one with an id was finished by someone, may be registered, and cannot
# be copied out: an error, and it stays, as does an object of the label that is no
# half of a key pair.
p11tool --token-label factory --login --pin 1234 --keypairgen --key-type EC:prime256v1 \
	--label alone >/dev/null 2>&1 || fail "pkcs11-tool could not make alone"
p11tool --token-label factory --login --pin 1234 --delete-object --type pubkey --label alone \
	>/dev/null 2>&1 || fail "pkcs11-tool could not delete alone's public key"
echo alone >ids
akcred 0 provision -o h --ids ids "$@"
assert_eq "$(labels_of alone)" 2 "objects labelled alone after"
akcred 0 fingerprint --pin-file pin.txt 'pkcs11:token=factory;object=alone'
assert_eq "$(cat out)" "$(py_fingerprint h/alone/public.pem)" "alone's new pair"
p11_keypair factory finished 06 EC:prime256v1
p11tool --token-label factory --login --pin 1234 --delete-object --type pubkey --label finished \
	>/dev/null 2>&1 || fail "pkcs11-tool could not delete finished's public key"
echo finished >>ids
akcred 3 provision -o h --ids ids "$@"
assert_grep "token 'factory' has a private key labelled 'finished' with an id and without its public half: not replacing it$" err
[ ! -e h/finished ] || fail "finished was made"
assert_eq "$(labels_of finished)" 1 "objects labelled finished"
p11tool --token-label factory --login --pin 1234 --list-objects --type privkey 2>/dev/null |
	grep -A3 "label: *finished$" | grep -q "ID: *06$" || fail "the private key of id 06 is gone"
p11tool --token-label factory --login --pin 1234 --keygen --key-type AES:16 --label secret \
	>/dev/null 2>&1 || fail "pkcs11-tool could not make a secret key"
echo secret >ids
akcred 3 provision -o h --ids ids "$@"
assert_grep "device 'secret'|'secret'" err
assert_grep "token 'factory' has a secret key labelled 'secret', and no private key of that label: not replacing it$" err
assert_eq "$(labels_of secret)" 1 "objects labelled secret"
p11tool --token-label factory --login --pin 1234 --list-objects --type secrkey 2>/dev/null |
	grep -q "label: *secret$" || fail "the secret key is gone"

# Killed mid-batch, then rerun: every device has one pair, matching its public.pem.
[ -z "${AKCRED_VALGRIND:-}" ] || exit 0 # the kill would only ever hit valgrind's start-up
"$AKCRED" provision -o k --count 40 --prefix k- "$@" >run.out 2>&1 &
pid=$!
wait_until "no device was made" sh -c 'ls k 2>/dev/null | grep -q "^k-"'
kill -9 $pid 2>/dev/null || :
wait $pid 2>/dev/null || :
akcred 0 provision -o k --count 40 --prefix k- "$@"
p11tool --token-label factory --login --pin 1234 --list-objects 2>/dev/null |
	sed -n 's/^ *label: *\(k-[0-9]*\)$/\1/p' | sort | uniq -c >counts
assert_eq "$(wc -l <counts)" 40 "ids with objects on the token"
assert_no_grep '^ *([013-9]|[0-9]{2,}) ' counts
i=1
while [ $i -le 40 ]; do
	id=$(printf 'k-%02d' $i)
	"$AKCRED" fingerprint --pin-file pin.txt "pkcs11:token=factory;object=$id" >fp ||
		fail "$id has no key on the token"
	assert_eq "$(cat fp)" "$(py_fingerprint "k/$id/public.pem")" "$id's public.pem"
	i=$((i + 1))
done
