# A locked PIN says so, whether the token tells before the login (CKF_USER_PIN_LOCKED)
# or only its answer to it (CKR_PIN_LOCKED): a module of the tests' own, as SoftHSM2
# never locks a PIN.
. "$(dirname "$0")/lib.sh"
FAKE=${O:?}/fakep11.so
[ -f "$FAKE" ] || fail "no $FAKE: make $FAKE"
echo 1234 >pin.txt
set -- jwt mint --device-id dev-1 --pkcs11-module "$FAKE" --pin-file pin.txt \
	--key 'pkcs11:token=fake;object=dev-1'
FAKEP11=flag akcred 3 "$@"
assert_grep "^akcred: jwt mint: the PIN of token 'fake' is locked$" err
FAKEP11=login akcred 3 "$@"
assert_grep "^akcred: jwt mint: the PIN of token 'fake' is locked \(too many wrong PINs\)$" err
