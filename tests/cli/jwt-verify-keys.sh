# jwt verify --key FILE holding several keys: every key counts, by the broker's rule (a kid
# names one key, a token without kid is tried with each); jwt mint refuses such a file.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
openssl pkey -in "$K/ec2_private.pem" -pubout -out ec2_public.pem
cat ec2_public.pem "$K/ec_public.pem" >two.pem
fp1=$(py_fingerprint "$K/ec_public.pem")
fp2=$(py_fingerprint ec2_public.pem)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out x.pem 2>/dev/null
AT=1764000100

# The second key of the file signed it: accepted, with or without kid.
"$AKCRED" jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000 >t.jwt
akcred 0 jwt verify --key two.pem --device-id dev-1 --at $AT @t.jwt
assert_grep '^token accepted$' out
assert_grep "^checked: signature and claims at .*, key EC P-256 $fp1 \(key 2 of 2 in the file\)$" out
"$AKCRED" jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000 --no-kid >n.jwt
akcred 0 jwt verify --key two.pem --device-id dev-1 --at $AT @n.jwt
assert_grep '^token accepted with 1 warning$' out
assert_grep "key EC P-256 $fp1 \(key 2 of 2 in the file\)$" out
akcred 0 jwt verify --key two.pem --device-id dev-1 --at $AT --json @t.jwt
"$PYTHON" - "$fp1" <<'PY'
import json, sys
j = json.load(open("out"))
assert j["accepted"] is True and j["key"]["fingerprint"] == sys.argv[1], j
assert j["keys_in_file"] == 2 and j["key_index"] == 2, j
PY
# One key in the file: the output is as it always was.
akcred 0 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT --json @t.jwt
"$PYTHON" - <<'PY'
import json
j = json.load(open("out"))
assert "keys_in_file" not in j and "key_index" not in j, j
PY

# Signed by neither: rejected, and the output says no key of the file has the kid.
"$AKCRED" jwt mint --device-id dev-1 --key x.pem --iat 1764000000 >x.jwt
akcred 1 jwt verify --key two.pem --device-id dev-1 --at $AT @x.jwt
assert_grep 'error +kid_mismatch: ' out
assert_grep "key EC P-256 $fp2 \(first of 2 keys in the file: none has the token's kid\)$" out
akcred 1 jwt verify --key two.pem --device-id dev-1 --at $AT --json @x.jwt
"$PYTHON" - <<'PY'
import json
j = json.load(open("out"))
assert j["accepted"] is False and j["keys_in_file"] == 2 and j["key_index"] is None, j
PY
"$AKCRED" jwt mint --device-id dev-1 --key x.pem --iat 1764000000 --no-kid >xn.jwt
akcred 1 jwt verify --key two.pem --device-id dev-1 --at $AT @xn.jwt
assert_grep 'error +signature_invalid: ' out
assert_grep "\(key 1 of 2 in the file; none of them accepts the token\)$" out
# A key of the file whose signature verifies gives the report: the claims are the reason.
akcred 1 jwt verify --key two.pem --device-id dev-2 --at $AT @n.jwt
assert_grep 'error +aud_mismatch: ' out
assert_no_grep 'signature_invalid' out
assert_grep "key EC P-256 $fp1 \(key 2 of 2 in the file; none of them accepts the token\)$" out
# With a kid, only the key it names was tried: the output does not say "none of them".
akcred 1 jwt verify --key two.pem --device-id dev-2 --at $AT @t.jwt
assert_grep 'error +aud_mismatch: ' out
assert_grep "key EC P-256 $fp1 \(key 2 of 2 in the file, the one with the token's kid: the others were not tried\)$" out

# --signature-only: a kid that names none of the keys (RFC 7520's 'bilbo.baggins@hobbiton.example')
# is a hint, so every key is tried, as with a file of that key alone.
S=$DATA/rfc7520
cat ec2_public.pem "$S/bilbo-rsa-public.pem" >ecbilbo.pem
akcred 0 jwt verify --signature-only --key "$S/bilbo-rsa-public.pem" @"$S/4-1.jws"
akcred 0 jwt verify --signature-only --key ecbilbo.pem @"$S/4-1.jws"
assert_grep '^token accepted with 1 warning$' out
assert_grep "\(key 2 of 2 in the file; none has the token's kid \(not a fingerprint\), so each was tried\)$" out
akcred 1 jwt verify --signature-only --key two.pem @"$S/4-1.jws"
assert_grep "\(key 1 of 2 in the file; none has the token's kid \(not a fingerprint\), so each was tried and none accepts the token\)$" out
# Without --signature-only that kid refuses the token: no key was tried.
akcred 1 jwt verify --key ecbilbo.pem @"$S/4-1.jws"
assert_grep 'error +kid_mismatch: ' out
assert_grep "\(first of 2 keys in the file: none has the token's kid \(not a fingerprint\)\)$" out

# A block that cannot be read refuses the file (exit 3), never only the first key.
{ cat "$K/ec_public.pem"; printf -- '-----BEGIN PUBLIC KEY-----\nMFkw\n'; } >cut.pem
akcred 3 jwt verify --key cut.pem --device-id dev-1 --at $AT @t.jwt
assert_grep "^akcred: jwt verify: 'cut.pem': unreadable PEM data after block 1$" err
# Signing needs one key: a file of two private keys is refused.
cat "$K/ec_private.pem" x.pem >twopriv.pem
akcred 3 jwt mint --device-id dev-1 --key twopriv.pem
assert_grep "^akcred: jwt mint: 'twopriv.pem' holds 2 keys or certificates: give a file with only the one to use$" err
