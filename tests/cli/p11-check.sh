# check and connect with a token's key: the token is minted on SoftHSM2 and the local
# plugin broker lets the device in with the public key pkcs11-tool exported.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/p11.lib"
. "$TESTS/cli/check.lib"
p11_token factory
p11_keypair factory dev-1 01 EC:prime256v1
openssl pkey -pubin -inform DER -in dev-1.der -out dev-1.pem
check_broker
broker_register dev-1 dev-1.pem
set -- --host localhost --port "$BROKER_PORT" --ca-file "$CA" --pin-file pin.txt

akcred 0 check --device-id dev-1 --key 'pkcs11:token=factory;object=dev-1' "$@"
assert_grep "device 'dev-1' logged in with key $(py_fingerprint dev-1.der)" "$BROKER_LOG"
# A wrong PIN stops before the network, as a missing key file does.
echo 0000 >bad.txt
akcred 3 check --device-id dev-1 --key 'pkcs11:token=factory;object=dev-1' \
	--host localhost --port "$BROKER_PORT" --ca-file "$CA" --pin-file bad.txt
assert_grep "wrong PIN for token 'factory'" err

# connect: a session whose tokens are signed on the token; the end of input ends it.
printf '{"n":1}\n{"n":2}\n' >lines
run 0 "$AKCRED" connect --device-id dev-1 --key 'pkcs11:token=factory;object=dev-1' "$@" <lines
assert_grep '^connected: .* as .dev-1.' err
[ "$(grep -c "device 'dev-1' logged in" "$BROKER_LOG")" -ge 2 ] || fail "connect did not log in"

# check --manifest --token: a batch provision made on the token, every device's token
# minted on it and let in; a device whose key is not on the token fails on its own.
akcred 0 provision -o b --count 2 --prefix tok- --token 'pkcs11:token=factory' --pin-file pin.txt
for d in tok-1 tok-2; do broker_register "$d" "b/$d/public.pem"; done
akcred 0 check --manifest b/manifest.csv --token 'pkcs11:token=factory' "$@"
for d in tok-1 tok-2; do
	assert_grep "device '$d' logged in with key $(py_fingerprint "b/$d/public.pem")" "$BROKER_LOG"
done
assert_eq "$(grep -c ',passed,0,,' b/checked.csv)" 2 "devices passed in checked.csv"
sed 's/^tok-2,/tok-9,/' b/manifest.csv >b/other.csv
akcred 1 check --manifest b/other.csv --results b/other-checked.csv --token 'pkcs11:token=factory' "$@"
assert_grep "^failed  tok-9  token: no object matches .pkcs11:token=factory;object=tok-9. on token .factory." out
# Without --token the batch's keys are files, which a token batch does not have.
akcred 1 check --manifest b/manifest.csv --all "$@"
assert_grep "failed  tok-1  .*private.pem" out
akcred 2 check --device-id dev-1 --key x.pem --token 'pkcs11:token=factory' "$@"
assert_grep "^akcred: check: --token needs --manifest" err
