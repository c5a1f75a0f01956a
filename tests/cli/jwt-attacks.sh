# The known attacks on JWT verifiers: each token is refused, and for the right reason.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
KID=$(py_fingerprint "$K/ec_public.pem")
AUD=https://akenza.io/devices/dev-1
C="{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\"}"
AT=1764000060
forge() { "$PYTHON" "$TESTS/tools/pyforge.py" "$@"; }

refused() { # CODE TOKEN [KEY]: verify exits 1 reporting CODE
	printf '%s\n' "$2" >tok
	akcred 1 jwt verify --key "${3:-$K/ec_public.pem}" --device-id dev-1 --at $AT @tok
	assert_grep "error +$1:" out
}

# alg none, in any case, with or without a signature.
for alg in none None NONE nOnE; do
	refused alg_unsupported "$(forge "{\"alg\":\"$alg\",\"kid\":\"$KID\"}" "$C")"
done
# HMAC keyed with the public key the verifier holds (RS256 -> HS256 confusion).
refused alg_unsupported "$(forge "{\"alg\":\"HS256\",\"kid\":\"$KID\"}" "$C" "$K/rsa_public.pem" hmac-with-pem)" "$K/rsa_public.pem"
refused alg_unsupported "$(forge "{\"alg\":\"HS256\",\"kid\":\"$KID\"}" "$C" "$K/ec_public.pem" hmac-with-pem)"
# The alg is never taken from the header: an RS256 header does not make an EC key verify RSA.
refused alg_key_mismatch "$(forge "{\"alg\":\"RS256\",\"kid\":\"$KID\"}" "$C" "$K/rsa_private.pem")"
# Keys in the header are never used: signed by ec2, carrying ec2's public key.
x5c=$(sed '1d;$d' "$K/ec_public.pem" | tr -d '\n')
refused signature_invalid "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\",\"x5c\":[\"$x5c\"],\"jku\":\"https://evil/jwks\",\"jwk\":{\"kty\":\"EC\"}}" "$C" "$K/ec2_private.pem")"
assert_grep "warning +header_key_ignored:" out
# Strict base64url: padding, stray characters, standard-alphabet characters,
# non-canonical trailing bits.
good=$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\"}" "$C" "$K/ec_private.pem")
h=${good%%.*} rest=${good#*.}
refused malformed "$h==.$rest"
refused malformed "$h.$rest="
refused whitespace " $h.$rest x"
# (tr alone was flaky: one ES256 signature in about 15 has neither '-' nor '_'.)
std=$(printf '%s' "$good" | tr _- /+)
[ "$std" = "$good" ] || refused malformed "$std"
sig=${good##*.}
refused malformed "${good%.*}.+${sig#?}"
assert_grep "standard base64, not base64url" out
last=$(printf '%s' "$good" | tail -c 1)
case $last in A) alt=B ;; Q) alt=R ;; g) alt=h ;; w) alt=x ;; *) fail "unexpected last character $last" ;; esac
refused malformed "${good%?}$alt"
assert_grep "non-canonical" out
# Exactly three segments.
refused malformed "$good.$rest"
refused malformed "$h.$rest.x.y"
refused malformed "${good%.*}"
# Size limit before decoding.
big=$(head -c 9000 /dev/zero | tr '\0' A)
refused too_long "$h.$big.$big"
assert_grep "longer than 8192" out
# Duplicate members (parsers disagreeing about which one counts).
refused duplicate_member "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\"}" "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"https://akenza.io/devices/dev-2\",\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
# ES256 signatures are exactly 64 bytes; DER is recognised, never "repaired";
# a 65-byte signature with a leading zero is not trimmed.
refused signature_der_encoded "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\"}" "$C" "$K/ec_private.pem" der)"
sig=${good##*.}
padded=$("$PYTHON" -c 'import base64,sys; s=sys.argv[1]; b=base64.urlsafe_b64decode(s+"="*(-len(s)%4)); print(base64.urlsafe_b64encode(b"\0"+b).rstrip(b"=").decode())' "$sig")
refused signature_length "${good%.*}.$padded"
# r = s = 0 and r, s = 2^256-1 (out of range) go to OpenSSL as they are, and fail.
zero=$("$PYTHON" -c 'import base64; print(base64.urlsafe_b64encode(bytes(64)).rstrip(b"=").decode())')
refused signature_invalid "${good%.*}.$zero"
ones=$("$PYTHON" -c 'import base64; print(base64.urlsafe_b64encode(b"\xff"*64).rstrip(b"=").decode())')
refused signature_invalid "${good%.*}.$ones"
# A control character in a claim is never printed raw.
refused aud_mismatch "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\"}" '{"iat":1764000000,"exp":1764001200,"aud":"https://akenza.io/devices/a\u001b[31mb"}' "$K/ec_private.pem")"
! grep -q "$(printf '\033')" out || fail "an escape character reached the output"
