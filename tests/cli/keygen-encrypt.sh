# --encrypt: the private key is encrypted PKCS#8; the passphrase comes from a
# file, the environment or the terminal, never from argv.
. "$(dirname "$0")/lib.sh"

printf 'correct horse\n' > pass
akcred 0 keygen --encrypt --passphrase-file pass
assert_eq "$(head -n 1 ec_private.pem)" "-----BEGIN ENCRYPTED PRIVATE KEY-----"
assert_grep "encrypted, keep it secret" out
fp=$(py_fingerprint ec_public.pem)
assert_eq "$(py_fingerprint ec_private.pem 'correct horse')" "$fp" "pycryptodome decrypts it"
akcred 0 fingerprint --passphrase-file pass ec_private.pem
assert_eq "$(cat out)" "$fp"
AKCRED_PASSPHRASE='correct horse' akcred 0 fingerprint ec_private.pem
assert_eq "$(cat out)" "$fp"

AKCRED_PASSPHRASE=env-pass akcred 0 keygen --type rsa --encrypt
assert_eq "$(py_fingerprint rsa_private.pem env-pass)" "$(py_fingerprint rsa_public.pem)"

# A passphrase through a pipe works; an empty one is refused.
akcred 0 keygen --encrypt --private p.pem --public p.pub --passphrase-file /dev/stdin <<EOF2
piped
EOF2
assert_eq "$(py_fingerprint p.pem piped)" "$(py_fingerprint p.pub)"
: > empty
akcred 3 keygen --encrypt --private q.pem --public q.pub --passphrase-file empty
assert_grep "passphrase is empty" err
[ ! -e q.pem ] || fail "key written with an empty passphrase"

# No terminal and no other source: a usage error before any key is made.
run 2 setsid "$AKCRED" keygen --encrypt --private r.pem --public r.pub < /dev/null
assert_grep "a passphrase is needed for the new private key and there is no terminal" err
[ ! -e r.pem ] || fail "key written without a passphrase"

# The terminal prompt asks twice with echo off and refuses a mismatch.
run 3 "$PYTHON" "$TESTS/tools/ttyrun.py" one two -- "$AKCRED" keygen --encrypt --private t.pem --public t.pub
assert_grep "passphrase for the new private key again:" out
assert_grep "passphrases do not match" out
assert_no_grep "one|two" out
[ ! -e t.pem ] || fail "key written after a mismatch"
run 0 "$PYTHON" "$TESTS/tools/ttyrun.py" typed typed -- "$AKCRED" keygen --encrypt --private t.pem --public t.pub
assert_no_grep "typed" out
assert_eq "$(py_fingerprint t.pem typed)" "$(py_fingerprint t.pub)" "key encrypted with the typed passphrase"
