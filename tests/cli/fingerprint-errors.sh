# Inputs that are not keys: exit 3 and a message naming what was found.
# Keys akenza does not take: a fingerprint and a warning.
. "$(dirname "$0")/lib.sh"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
printf -- '-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n' > p7.pem
printf 'hello world\n' > text
head -c 300 /dev/urandom > binary
: > empty
printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n' > ssh
mkdir dir
mkfifo fifo

akcred 3 fingerprint p7.pem
assert_grep "PEM 'PKCS7', not a key or certificate" err
akcred 3 fingerprint ssh
assert_grep "OPENSSH PRIVATE KEY.*ssh-keygen -p -m PKCS8" err
akcred 3 fingerprint text
assert_grep "'text' is not a key or certificate \(text without a PEM block\)" err
akcred 3 fingerprint empty
assert_grep "'empty' is not a key or certificate \(empty\)" err
akcred 3 fingerprint dir
assert_grep "'dir' is not a regular file" err
akcred 3 fingerprint fifo
assert_grep "'fifo' is not a regular file" err
akcred 3 fingerprint binary
assert_grep "is not a key or certificate" err
# Named for what they look like (hex "04..." starts with 0x30, yet it is no DER).
# A raw point off the curve, and hex of a point's length that is none.
openssl pkey -in ec.pem -pubout -outform DER -out pub.der
{ printf '\004'; head -c 64 /dev/zero | tr '\0' '\1'; } >point.bin
od -An -v -tx1 point.bin | tr -d ' \n' >point.hex
akcred 3 fingerprint point.bin
assert_grep "'point.bin': a raw P-256 point of 65 bytes, but not on the curve" err
akcred 3 fingerprint point.hex
assert_grep "'point.hex': a raw P-256 point of 65 bytes in hex, but not on the curve" err
sed 's/^04/05/' point.hex >notpoint.hex
akcred 3 fingerprint notpoint.hex
assert_grep "'notpoint.hex' is not a key or certificate \(hex text of 130 digits, not a raw P-256 point: 130 digits start with 04, 66 with 02 or 03\)" err
od -An -v -tx1 pub.der | tr -d ' ' >der.hex
akcred 3 fingerprint der.hex
assert_grep "'der.hex' is not a key or certificate \(hex text of 182 digits: not supported; decode it first, e.g. with 'xxd -r -p' \(a raw P-256 point is 130, 128 or 66 digits\)\)" err
openssl pkey -in ec.pem -pubout | grep -v -- ----- >b64.txt
akcred 3 fingerprint b64.txt
assert_grep "'b64.txt' is not a key or certificate \(base64 text without a PEM block: not supported" err
[ ! -s out ] || fail "something printed on stdout for bad input"

# Hostile bytes in a name are not echoed raw to the terminal.
printf 'x' > "$(printf 'esc\033[31m')"
akcred 3 fingerprint "$(printf 'esc\033[31m')"
assert_grep 'esc\\x1b\[31m' err

# Encrypted key: a wrong passphrase is exit 3; no passphrase and no terminal is a usage error.
openssl pkcs8 -topk8 -v2 aes-256-cbc -in ec.pem -passout pass:right -out enc.pem
echo wrong > wrong
akcred 3 fingerprint --passphrase-file wrong enc.pem
assert_grep "wrong passphrase for 'enc.pem'" err
run 2 setsid "$AKCRED" fingerprint enc.pem < /dev/null
assert_grep "a passphrase is needed for enc.pem and there is no terminal" err
AKCRED_PASSPHRASE=right akcred 0 fingerprint enc.pem
assert_eq "$(cat out)" "$(py_fingerprint ec.pem)"

# Keys akenza will not take still get a fingerprint, with a warning.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed.pem 2>/dev/null
for k in rsa1024 p384; do
	akcred 0 fingerprint $k.pem
	assert_eq "$(cat out)" "$(py_fingerprint $k.pem)" "$k fingerprint"
	assert_grep "warning: '$k.pem': (RSA 1024|EC P-384) key: akenza will not take it: " err
done
akcred 0 fingerprint ed.pem
assert_eq "$(cat out)" "$(openssl pkey -in ed.pem -pubout -outform DER | sha256sum | cut -d' ' -f1)"
assert_grep "warning: 'ed.pem': ED25519 key: akenza will not take it: akenza takes only RSA" err
