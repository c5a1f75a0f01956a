# PKCS#11 keys that cannot be had: each says why, with the status of its class.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/p11.lib"
p11_token factory
p11_keypair factory sensor-17 01 EC:prime256v1
p11_keypair factory sensor-17 02 EC:prime256v1
p11_keypair factory other 03 EC:prime256v1
echo 9999 >bad.txt
set -- jwt mint --device-id dev-1

akcred 3 "$@" --pin-file bad.txt --key 'pkcs11:token=factory;object=other'
assert_grep "^akcred: jwt mint: wrong PIN for token 'factory'$" err
akcred 3 "$@" --pin-file pin.txt --key 'pkcs11:token=factory;object=nothing'
assert_grep "^akcred: jwt mint: no object matches 'pkcs11:token=factory;object=nothing' on token 'factory'$" err
akcred 3 "$@" --pin-file pin.txt --key 'pkcs11:token=factory;object=sensor-17'
assert_grep "2 objects match .*, add id= or object=$" err
akcred 0 "$@" --pin-file pin.txt --key 'pkcs11:token=factory;object=sensor-17;id=%02'
akcred 3 "$@" --pin-file pin.txt --key 'pkcs11:token=elsewhere;object=other'
assert_grep "no token matches 'pkcs11:token=elsewhere;object=other'$" err
akcred 3 "$@" --pin-file pin.txt --pkcs11-module "$T/no-such-module.so" --key 'pkcs11:object=other'
assert_grep "cannot load the PKCS#11 module '$T/no-such-module.so'" err
akcred 2 "$@" --pin-file pin.txt --key 'pkcs11:token=factory;object=other;id=%zz'
assert_grep "not a PKCS#11 URI" err
# No PIN and no terminal to ask on: the sources are named.
setsid -w "$AKCRED" "$@" --key 'pkcs11:token=factory;object=other' >out 2>err </dev/null && fail "minted without a PIN"
assert_grep "a PIN is needed for token 'factory' .*--pin-file FILE or set AKCRED_PIN" err
# A query's PIN never shows in a message.
akcred 3 "$@" --key 'pkcs11:token=factory;object=nothing?pin-value=1234'
assert_no_grep "pin-value=1234" err

# A locked PIN: p11-locked.sh, with a module of its own (SoftHSM2 never locks one).
