# rotate for devices whose private keys are encrypted (provision --encrypt),
# here with certificates too: given the passphrase (--passphrase-file,
# AKCRED_PASSPHRASE, or asked once on the terminal), each new private key is
# encrypted with it as well; without one, or with a wrong one, every device
# fails with nothing made.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

pass='correct horse'
printf '%s\n' "$pass" >pp
"$AKCRED" provision -o dev --count 3 --prefix dev- --width 4 --cert --encrypt \
	--passphrase-file pp >/dev/null
rotate_register

# No passphrase and no terminal to ask on: said for each device, nothing made.
run 1 setsid "$AKCRED" $ROT </dev/null
assert_grep "^akcred: rotate: device 'dev-0001': .*a passphrase is needed for .*there is no terminal to ask on: use --passphrase-file FILE or set AKCRED_PASSPHRASE$" "$T/err"
assert_grep '^3 devices: 0 rotated, .* 3 failed$' "$T/out"
printf 'wrong\n' >bad
akcred 1 $ROT --passphrase-file bad
assert_grep "^akcred: rotate: device 'dev-0002': " "$T/err"
assert_grep '^3 devices: 0 rotated, .* 3 failed$' "$T/out"
[ -z "$(find dev -name '*.next')" ] || fail "new files for devices that failed"

cp dev/dev-0002/private.pem old.pem
akcred 0 $ROT --passphrase-file pp
assert_grep '^3 devices: 3 rotated, .* 0 failed$' "$T/out"
rotate_check --final --passphrase "$pass"
! cmp -s old.pem dev/dev-0002/private.pem || fail "the private key did not change"
grep -q 'BEGIN ENCRYPTED PRIVATE KEY' dev/dev-0002/private.pem || fail "the new key is not encrypted"
assert_eq "$(py_fingerprint dev/dev-0002/private.pem "$pass")" \
	"$(grep '^dev-0002,' dev/manifest.csv | cut -d, -f3)" "the new key, decrypted"
assert_eq "$(mode_of dev/dev-0002/private.pem)" 600 "private key mode"

# From the environment; then asked once on a terminal for the whole batch.
AKCRED_PASSPHRASE=$pass akcred 0 $ROT --journal dev/rotation-2.csv
rotate_check --final --uploads 3 --passphrase "$pass"
"$PYTHON" "$TESTS/tools/ttyrun.py" "$pass" -- "$AKCRED" $ROT --journal dev/rotation-3.csv \
	>tty.out 2>&1 || { cat tty.out >&2; fail "asked on the terminal"; }
assert_eq "$(grep -c 'assphrase' tty.out)" 1 "prompts on the terminal"
rotate_check --final --uploads 4 --passphrase "$pass"

akcred 2 $ROT --finish --passphrase-file pp
