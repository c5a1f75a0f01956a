# One case per problem code of akcred-jwt(1): the code, its severity and the
# exit status, in --json and in the human output.  Tokens forged by pycryptodome.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
KID=$(py_fingerprint "$K/ec_public.pem")
KID2=$(py_fingerprint "$K/ec2_private.pem")
AUD=https://akenza.io/devices/dev-1
H="{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"$KID\"}"
C="{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\"}"
AT=1764000060

forge() { "$PYTHON" "$TESTS/tools/pyforge.py" "$@"; }

# expect CODE SEVERITY STATUS TOKEN [verify options...]: verify --json and the human form agree.
# A TOKEN of @FILE is the bytes of FILE (for those a shell variable cannot hold).
expect() {
	code=$1 sev=$2 status=$3 tok=$4
	shift 4
	case $tok in
	@*) cp "${tok#@}" tok ;;
	*) printf '%s\n' "$tok" >tok ;;
	esac
	akcred "$status" jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT --json "$@" @tok
	"$PYTHON" - "$code" "$sev" <<'PY' || fail "$code: not reported as $sev"
import json, sys
j = json.load(open("out"))
found = [p for p in j["problems"] if p["code"] == sys.argv[1]]
assert found and found[0]["severity"] == sys.argv[2] and found[0]["message"], j["problems"]
assert j["accepted"] == (sys.argv[2] == "warning" and all(p["severity"] == "warning" for p in j["problems"]))
PY
	akcred "$status" jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT "$@" @tok
	assert_grep "^  $sev +$code: " out
}

# The baseline is clean.
expect_clean() {
	printf '%s\n' "$1" >tok
	akcred 0 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT --json @tok
	"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["problems"] == [], j'
}
expect_clean "$(forge "$H" "$C" "$K/ec_private.pem")"

expect malformed error 1 "not-a-token"
GOOD=$(forge "$H" "$C" "$K/ec_private.pem")
expect too_long error 1 "$GOOD.$(head -c 9000 /dev/zero | tr '\0' A)"
printf '%s\000\n' "$GOOD" >nul.tok
expect nul_byte error 1 @nul.tok
expect whitespace error 1 "$GOOD "
expect multiple_tokens error 1 "$(printf '%s\n%s' "$GOOD" "$GOOD")"
expect json_nul error 1 "$(forge "$H" "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\\u0000\"}" "$K/ec_private.pem")"
expect malformed error 1 "$(forge "$H" "[1,2]" "$K/ec_private.pem")"
expect duplicate_member error 1 "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\",\"kid\":\"$KID\"}" "$C" "$K/ec_private.pem")"
expect alg_unsupported error 1 "$(forge '{"alg":"none","typ":"JWT"}' "$C")"
expect alg_key_mismatch error 1 "$(forge "{\"alg\":\"RS256\",\"kid\":\"$KID\"}" "$C" "$K/rsa_private.pem")"
expect signature_invalid error 1 "$(forge "$H" "$C" "$K/ec2_private.pem")"
expect signature_der_encoded error 1 "$(forge "$H" "$C" "$K/ec_private.pem" der)"
assert_grep "converted, it would verify" out
expect signature_length error 1 "$(forge "$H" "$C" --sig AAAA)"
expect kid_missing warning 0 "$(forge '{"alg":"ES256","typ":"JWT"}' "$C" "$K/ec_private.pem")"
expect kid_mismatch error 1 "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID2\"}" "$C" "$K/ec_private.pem")"
assert_grep "$KID2.*$KID" out
expect typ_unexpected warning 0 "$(forge "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"$KID\"}" "$C" "$K/ec_private.pem")"
expect crit_unsupported error 1 "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\",\"crit\":[\"x\"],\"x\":1}" "$C" "$K/ec_private.pem")"
expect header_key_ignored warning 0 "$(forge "{\"alg\":\"ES256\",\"kid\":\"$KID\",\"x5u\":\"https://evil/\"}" "$C" "$K/ec_private.pem")"
expect aud_missing error 1 "$(forge "$H" '{"iat":1764000000,"exp":1764001200}' "$K/ec_private.pem")"
expect aud_mismatch error 1 "$(forge "$H" '{"iat":1764000000,"exp":1764001200,"aud":"https://akenza.io/devices/dev-2"}' "$K/ec_private.pem")"
assert_grep "devices/dev-2.*expected $AUD" out
expect sub_mismatch warning 0 "$(forge "$H" "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":\"$AUD\",\"sub\":\"dev-9\"}" "$K/ec_private.pem")"
expect iat_missing error 1 "$(forge "$H" "{\"exp\":1764001200,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
expect iat_in_future error 1 "$(forge "$H" "{\"iat\":1764000600,\"exp\":1764001200,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
expect nbf_in_future error 1 "$(forge "$H" "{\"iat\":1764000000,\"nbf\":1764000600,\"exp\":1764001200,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
expect exp_missing error 1 "$(forge "$H" "{\"iat\":1764000000,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
expect expired error 1 "$(forge "$H" "$C" "$K/ec_private.pem")" --at 1764001300
expect exp_before_iat error 1 "$(forge "$H" "{\"iat\":1764000000,\"exp\":1763999000,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
expect lifetime_too_long warning 0 "$(forge "$H" "{\"iat\":1764000000,\"exp\":1764100000,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
expect claim_type error 1 "$(forge "$H" "{\"iat\":\"1764000000\",\"exp\":1764001200,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
# A NumericDate with a fraction is taken (floored) with a warning, as PyJWT takes it.
expect claim_type warning 0 "$(forge "$H" "{\"iat\":1764000000.25,\"exp\":1764001200.5,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
assert_grep "exp 1764001200.5 has a fraction: taken as 1764001200" out
expect expired error 1 "$(forge "$H" "{\"iat\":1764000000,\"exp\":1764000000.9,\"aud\":\"$AUD\"}" "$K/ec_private.pem")"
expect aud_multiple warning 0 "$(forge "$H" "{\"iat\":1764000000,\"exp\":1764001200,\"aud\":[\"$AUD\",\"https://example.com\"]}" "$K/ec_private.pem")"
# A certificate as the key, outside its validity period at --at (it starts today).
openssl req -x509 -new -key "$K/ec_private.pem" -subj /CN=dev-1 -days 1 -out cert.pem 2>/dev/null
expect cert_not_valid error 1 "$(forge "$H" "$C" "$K/ec_private.pem")" --key cert.pem
assert_grep "the certificate is valid from .* to .*: at 2025-11-24T16:01:00Z it is not valid yet" out
good=$("$AKCRED" jwt mint --key "$K/ec_private.pem" --device-id dev-1)
akcred 0 jwt verify --key cert.pem --device-id dev-1 "$good"
assert_no_grep cert_not_valid out

# kid_format is seen by decode (no key to compare with).
printf '%s\n' "$(forge '{"alg":"ES256","kid":"my-key"}' "$C" "$K/ec_private.pem")" >tok
akcred 0 jwt decode --at $AT @tok
assert_grep "warning +kid_format:" out

# Every code of the man page is exercised above (drift test).
for code in $(sed -n 's/^\.It Sy \([a-z_]*\)$/\1/p' "$TESTS/../man/akcred-jwt.1"); do
	grep -q "^expect $code \|kid_format" "$0" || fail "problem code $code has no test"
done
