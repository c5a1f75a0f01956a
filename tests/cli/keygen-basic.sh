# keygen writes a PKCS#8 private key (0600) and an SPKI public key under
# akenza's default names, and prints the fingerprint pycryptodome computes.
. "$(dirname "$0")/lib.sh"

akcred 0 keygen
[ -f ec_private.pem ] && [ -f ec_public.pem ] || fail "default file names"
assert_eq "$(mode_of ec_private.pem)" 600 "private key mode"
assert_eq "$(mode_of ec_public.pem)" 644 "public key mode"
assert_eq "$(head -n 1 ec_private.pem)" "-----BEGIN PRIVATE KEY-----"
assert_eq "$(head -n 1 ec_public.pem)" "-----BEGIN PUBLIC KEY-----"
openssl pkey -in ec_private.pem -noout -text | grep -q 'NIST CURVE: P-256' || fail "not P-256"
fp=$(py_fingerprint ec_public.pem)
assert_grep "^fingerprint  $fp\$" out
assert_grep "^private key  ec_private.pem  \(EC P-256, keep it secret\)" out
assert_eq "$(py_fingerprint ec_private.pem)" "$fp" "private and public match"
assert_no_grep "BEGIN" out

akcred 0 keygen --type rsa --bits 3072 --json
"$PYTHON" - "$(py_fingerprint rsa_public.pem)" <<'PY'
import json, sys
d = json.load(open("out"))
assert d == {"type": "rsa", "bits": 3072, "private": "rsa_private.pem",
             "public": "rsa_public.pem", "encrypted": False, "token": False,
             "uri": None, "old_left": [], "fingerprint": sys.argv[1]}, d
PY
openssl pkey -in rsa_private.pem -noout -text | grep -q 'Private-Key: (3072 bit' || fail "not 3072 bits"

# Chosen names, and a certificate for akenza's X.509 upload (CN = device id, long validity).
akcred 3 keygen --private k/dev.key --public k/dev.pub --cert k/dev.crt --device-id dev-42
assert_grep "cannot create a file next to 'k/dev.key': No such file or directory" err
mkdir k
akcred 0 keygen --private k/dev.key --public k/dev.pub --cert k/dev.crt --device-id dev-42
assert_eq "$(openssl x509 -in k/dev.crt -noout -subject)" "subject=CN = dev-42"
end=$(date -d "$(openssl x509 -in k/dev.crt -noout -enddate | cut -d= -f2)" +%s)
days=$(( (end - $(date +%s)) / 86400 ))
[ "$days" -ge 3649 ] && [ "$days" -le 3650 ] || fail "default validity is $days days"
assert_eq "$(py_fingerprint k/dev.crt)" "$(py_fingerprint k/dev.pub)" "certificate key"
openssl verify -CAfile k/dev.crt k/dev.crt >/dev/null 2>&1 || fail "certificate does not verify"
akcred 0 keygen --private k/2.key --public k/2.pub --cert k/2.crt --device-id d2 --days 7
end=$(date -d "$(openssl x509 -in k/2.crt -noout -enddate | cut -d= -f2)" +%s)
assert_eq $(( (end - $(date +%s) + 3600) / 86400 )) 7 "--days"

# Usage errors are status 2 and write nothing.
mkdir u && cd u
akcred 2 keygen --type dsa
assert_grep "type must be ec or rsa, not 'dsa'" "$T/err"
akcred 2 keygen --type rsa --bits 1024
assert_grep "akenza needs at least 2048" "$T/err"
akcred 2 keygen --bits 4096
assert_grep "bits is for RSA keys" "$T/err"
akcred 2 keygen --cert c.pem
assert_grep "cert needs --device-id" "$T/err"
akcred 2 keygen --cert c.pem --device-id 'a/b'
assert_grep "device id 'a/b' has the character '/'" "$T/err"
akcred 2 keygen --days 3
akcred 3 keygen --private same --public same
assert_grep "'same' and 'same' are the same file" "$T/err"
akcred 2 keygen extra
akcred 2 keygen --passphrase-file x
assert_eq "$(ls -A)" "" "files left by usage errors"
