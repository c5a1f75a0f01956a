# An uppercase kid does not match (kids are compared byte for byte, as the
# broker picks a device's key) and the message says it differs only in case.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
KID=$(py_fingerprint "$K/ec_public.pem")
UP=$(printf '%s' "$KID" | tr a-f A-F)
[ "$UP" != "$KID" ] || skip "the fingerprint has no letter"
AT=1764000060
"$PYTHON" "$TESTS/tools/pyforge.py" "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"$UP\"}" \
	'{"iat":1764000000,"exp":1764001200,"aud":"https://akenza.io/devices/dev-1"}' "$K/ec_private.pem" >tok
akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
assert_grep "^  error +kid_mismatch: kid '$UP' differs from the key's fingerprint only in case" out
akcred 0 jwt decode --at $AT @tok
assert_grep "^  warning +kid_format: .*uppercase letters" out
# At the JWS layer alone the kid is a hint: a warning.
akcred 0 jwt verify --signature-only --key "$K/ec_public.pem" @tok
assert_grep "^  warning +kid_mismatch: .*only in case" out
# In a file of several keys, the report is the one of the key whose fingerprint differs only
# in case, and the output names that key, not the file's first.
openssl pkey -in "$K/ec2_private.pem" -pubout -out ec2_public.pem
cat ec2_public.pem "$K/ec_public.pem" >two.pem
akcred 1 jwt verify --key two.pem --device-id dev-1 --at $AT @tok
assert_grep "^  error +kid_mismatch: kid '$UP' differs from the key's fingerprint only in case" out
assert_grep "key EC P-256 $KID \(key 2 of 2 in the file: its fingerprint differs from the token's kid only in case\)$" out
