# provision --encrypt without a terminal or another source of the passphrase: a usage
# error, in grammatical English for the plural "the new private keys", before any key.
. "$(dirname "$0")/lib.sh"
run 2 setsid "$AKCRED" provision --out-dir b --count 2 --prefix d- --encrypt </dev/null
assert_grep "^akcred: provision: a passphrase is needed for the new private keys and there is no terminal to ask on: use --passphrase-file FILE or set AKCRED_PASSPHRASE$" err
assert_no_grep 'keys needs' err
[ ! -e b/manifest.csv ] || fail "keys made without a passphrase"
