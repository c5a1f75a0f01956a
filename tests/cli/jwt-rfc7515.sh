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

# RFC 7520 4.1: the payload is a sentence, not JSON, and the kid is no akenza
# fingerprint.  At the JWS layer both are fine: the kid is only a warning.
S=$DATA/rfc7520
akcred 0 jwt verify --signature-only --key "$S/bilbo-rsa-public.pem" --json @"$S/4-1.jws"
"$PYTHON" - <<'PY'
import json
j = json.load(open("out"))
assert j["accepted"] and j["signature_valid"] and j["claims"] is None, j
assert j["payload_length"] == 167, j  # UTF-8, with two U+2019
assert [(p["code"], p["severity"]) for p in j["problems"]] == [("kid_mismatch", "warning")], j
PY
akcred 0 jwt verify --signature-only --key "$S/bilbo-rsa-public.pem" @"$S/4-1.jws"
assert_grep "^token accepted with 1 warning$" out
assert_grep "warning kid_mismatch: kid 'bilbo.baggins@hobbiton.example'" out
# As an akenza token the foreign kid is an error.
akcred 1 jwt verify --key "$S/bilbo-rsa-public.pem" @"$S/4-1.jws"
assert_grep "error +kid_mismatch:" out

# Wycheproof-style vectors, made here with pycryptodome: ES256 and RS256 over
# payloads that are empty, "foo" and binary, with a kid that is not a
# fingerprint, or none.
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
"$PYTHON" - "$K/ec_private.pem" "$K/rsa_private.pem" <<'PY'
import base64, sys
from Cryptodome.Hash import SHA256
from Cryptodome.PublicKey import ECC, RSA
from Cryptodome.Signature import DSS, pkcs1_15

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

ec = ECC.import_key(open(sys.argv[1]).read())
rsa = RSA.import_key(open(sys.argv[2]).read())
payloads = {"empty": b"", "foo": b"foo", "binary": bytes(range(256)) + b"\x00\xff"}
headers = {"kid": ',"kid":"wycheproof-1"', "nokid": ""}
for alg, key in (("ES256", ec), ("RS256", rsa)):
    for pn, p in payloads.items():
        for hn, extra in headers.items():
            h = ('{"alg":"%s"%s}' % (alg, extra)).encode()
            si = (b64(h) + "." + b64(p)).encode()
            hh = SHA256.new(si)
            sig = DSS.new(key, "fips-186-3").sign(hh) if alg == "ES256" else pkcs1_15.new(key).sign(hh)
            open("%s-%s-%s.jws" % (alg, pn, hn), "w").write(si.decode() + "." + b64(sig) + "\n")
PY
for alg in ES256 RS256; do
	case $alg in ES256) pub=$K/ec_public.pem ;; *) pub=$K/rsa_public.pem ;; esac
	for p in empty foo binary; do
		for h in kid nokid; do
			f=$alg-$p-$h.jws
			akcred 0 jwt verify --signature-only --key "$pub" --json @"$f"
			"$PYTHON" - "$p" "$h" <<'PY' || fail "$f: not accepted as it should be"
import json, sys
j = json.load(open("out"))
assert j["accepted"] and j["signature_valid"] and j["claims"] is None, j
assert j["payload_length"] == {"empty": 0, "foo": 3, "binary": 258}[sys.argv[1]], j
codes = [(p["code"], p["severity"]) for p in j["problems"]]
assert codes == ([("kid_mismatch", "warning")] if sys.argv[2] == "kid" else []), codes
PY
			# The payload is never printed as JSON, nor as raw bytes.
			akcred 0 jwt verify --signature-only --key "$pub" @"$f"
		done
		# Tampered: one payload byte more, and the signature fails.
		sed 's/^\([^.]*\)\./\1.QQ/' "$alg-$p-kid.jws" >tampered
		case $p in empty) ;; *)
			akcred 1 jwt verify --signature-only --key "$pub" @tampered
			assert_grep "error +(signature_invalid|malformed):" out ;;
		esac
	done
done
