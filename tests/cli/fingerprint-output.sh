# Output forms of fingerprint: hex alone, sha256sum-style lines, JSON details.
. "$(dirname "$0")/lib.sh"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out a.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out b.pem 2>/dev/null
openssl req -new -x509 -key a.pem -subj /CN=dev-7 -days 10 -out a.crt 2>/dev/null
fa=$(py_fingerprint a.pem)
fb=$(py_fingerprint b.pem)

akcred 0 fingerprint a.pem
assert_eq "$(cat out)" "$fa" "single input prints the hex alone"
[ ! -s err ] || fail "unexpected stderr: $(cat err)"

akcred 0 fingerprint a.pem b.pem
assert_eq "$(sed -n 1p out)" "$fa  a.pem"
assert_eq "$(sed -n 2p out)" "$fb  b.pem"

akcred 0 fingerprint < a.pem
assert_eq "$(cat out)" "$fa" "no operand reads stdin"

akcred 0 fingerprint --json a.crt b.pem
"$PYTHON" - "$fa" "$fb" "$(openssl x509 -in a.crt -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr A-F a-f)" <<'PY'
import json, sys
fa, fb, sha1 = sys.argv[1:]
d = json.load(open("out"))
assert isinstance(d, list) and len(d) == 2, d
c, r = d
assert c["file"] == "a.crt" and c["fingerprint"] == fa, c
assert c["type"] == "ec" and c["curve"] == "P-256" and c["bits"] == 256, c
assert c["format"] == "X.509 certificate" and c["encoding"] == "PEM" and c["private"] is False, c
assert c["akenza"] == {"accepted": True, "algorithm": "ES256", "credential": "EC256_X509_PEM"}, c
cert = c["certificate"]
assert cert["subject"] == "CN=dev-7", cert
assert cert["sha1_of_certificate"] == sha1, cert
assert cert["not_before"].endswith("Z") and cert["not_after"] > cert["not_before"], cert
assert r["type"] == "rsa" and r["bits"] == 2048 and r["private"] is True, r
assert r["format"] == "PKCS#8 private key", r
assert r["akenza"]["credential"] == "RSA256_PEM", r
PY

# A failing input does not stop the others; the status says what failed.
akcred 3 fingerprint a.pem missing.pem b.pem
assert_eq "$(sed -n 1p out)" "$fa  a.pem"
assert_eq "$(sed -n 2p out)" "$fb  b.pem"
assert_grep "^akcred: fingerprint: cannot open 'missing.pem': No such file" err

# A file of several keys: one line per key, in file order, never silently the first
# (a key appended during a rotation, a certificate and its chain).
openssl pkey -in a.pem -pubout >a.pub
openssl pkey -in b.pem -pubout >b.pub
cat a.pub b.pub >two.pem
akcred 0 fingerprint two.pem
assert_eq "$(cat out)" "$(printf '%s  two.pem\n%s  two.pem' "$fa" "$fb")" "two keys in one file"
akcred 0 fingerprint a.pem two.pem
assert_eq "$(cat out)" "$(printf '%s  a.pem\n%s  two.pem\n%s  two.pem' "$fa" "$fa" "$fb")"
akcred 0 fingerprint - <two.pem
assert_eq "$(wc -l <out)" 2 "two keys on stdin"
akcred 0 fingerprint --json a.crt two.pem
"$PYTHON" - "$fa" "$fb" <<'PY'
import json, sys
fa, fb = sys.argv[1:]
d = json.load(open("out"))
assert [(o["file"], o["fingerprint"]) for o in d] == [("a.crt", fa), ("two.pem", fa), ("two.pem", fb)], d
assert d[2]["type"] == "rsa" and d[2]["format"] == "SubjectPublicKeyInfo", d
PY
# A block that cannot be read refuses the file; where one key is needed, several are refused.
{ cat a.pub; printf -- '-----BEGIN PUBLIC KEY-----\nMFkw\n'; } >cut.pem
akcred 3 fingerprint cut.pem
assert_grep "^akcred: fingerprint: 'cut.pem': unreadable PEM data after block 1$" err
[ ! -s out ] || fail "a key of a refused file was printed"
cat a.pem b.pem >twopriv.pem
akcred 3 jwt mint --device-id dev-7 --key twopriv.pem
assert_grep "^akcred: jwt mint: 'twopriv.pem' holds 2 keys or certificates: give a file with only the one to use$" err
