# RFC 7515 appendix A.2 (RS256) and A.3 (ES256) examples verify at the JWS layer.
. "$(dirname "$0")/lib.sh"
R=$DATA/rfc7515

akcred 0 jwt verify --signature-only --key "$R/a2-rsa-public.pem" @"$R/a2.jws"
assert_grep "^token accepted$" out
akcred 0 jwt verify --signature-only --key "$R/a2-rsa-private.pem" <"$R/a2.jws"
akcred 0 jwt verify --signature-only --key "$R/a3-ec-public.pem" "$(cat "$R/a3.jws")"
akcred 0 jwt verify --signature-only --key "$R/a3-ec-private.pem" --json @"$R/a3.jws"
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["accepted"] and j["signature_valid"] and j["signature"] == {"length": 64, "form": "raw"}, j'

# As akenza tokens they are refused: expired in 2011, no aud, no iat.
akcred 1 jwt verify --key "$R/a3-ec-public.pem" @"$R/a3.jws"
for c in expired aud_missing iat_missing; do assert_grep "error +$c:" out; done

# Wrong key, or a changed payload: the signature fails.
akcred 1 jwt verify --signature-only --key "$R/a2-rsa-public.pem" @"$R/a3.jws"
assert_grep "alg_key_mismatch" out
sed 's/^\([^.]*\)\.eyJpc3Mi/\1.eyJpc3Ni/' "$R/a3.jws" >tampered
akcred 1 jwt verify --signature-only --key "$R/a3-ec-public.pem" @tampered
assert_grep "signature_invalid" out
