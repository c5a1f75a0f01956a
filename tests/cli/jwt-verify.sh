# akcred jwt verify: options, key formats, output and exit statuses.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt

akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000
tok=$(cat out)
printf '%s\n' "$tok" >tok

# Any key form the fingerprint command reads: public, private, PKCS#1/SEC1, DER, certificate.
openssl pkey -in "$K/ec_private.pem" -outform DER -out ec.der
openssl ec -in "$K/ec_private.pem" -out sec1.pem 2>/dev/null
. "$TESTS/cli/cert.lib"
cert_dated "$K/ec_private.pem" 20250101000000Z 20351231235959Z cert.pem
for key in "$K/ec_public.pem" "$K/ec_private.pem" ec.der sec1.pem cert.pem; do
	akcred 0 jwt verify --key "$key" --device-id dev-1 --at 1764000100 @tok
	assert_grep '^token accepted$' out
done
assert_grep "^checked: signature and claims at 2025-11-24T16:01:40Z, leeway 1m, key EC P-256 $(py_fingerprint "$K/ec_public.pem")$" out

# Leeway: exp + leeway is the limit; stated in the output.
akcred 0 jwt verify --key "$K/ec_public.pem" --at 1764001230 @tok
akcred 1 jwt verify --key "$K/ec_public.pem" --at 1764001230 --leeway 0 @tok
assert_grep 'error +expired: .*leeway 0s' out
akcred 1 jwt verify --key "$K/ec_public.pem" --at 1764001261 @tok
# iat in the future, beyond the leeway.
akcred 1 jwt verify --key "$K/ec_public.pem" --at 1763999000 @tok
assert_grep 'error +iat_in_future' out
akcred 0 jwt verify --key "$K/ec_public.pem" --at 1763999000 --leeway 20m @tok

# Lifetime: a warning only, with a settable limit.
akcred 0 jwt verify --key "$K/ec_public.pem" --at 1764000000 --max-lifetime 10m @tok
assert_grep '^token accepted with 1 warning$' out
assert_grep 'warning +lifetime_too_long: the lifetime is 20m, above 10m' out

# Device id and audience host.
akcred 1 jwt verify --key "$K/ec_public.pem" --at 1764000000 --device-id dev-2 @tok
akcred 1 jwt verify --key "$K/ec_public.pem" --at 1764000000 --aud-host acme.akenza.io @tok
assert_grep 'aud_mismatch' out
akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000 --aud-host acme.akenza.io
akcred 0 jwt verify --key "$K/ec_public.pem" --at 1764000000 --aud-host acme.akenza.io --device-id dev-1 "$(cat out)"

# --json: accepted, problems list, the settings.
akcred 1 jwt verify --key "$K/ec2_private.pem" --at 1764000000 --json @tok
"$PYTHON" - <<'PY'
import json
j = json.load(open("out"))
assert j["accepted"] is False and j["signature_checked"] and not j["signature_valid"]
codes = sorted(p["code"] for p in j["problems"])
assert codes == ["kid_mismatch", "signature_invalid"], codes
assert j["leeway"] == 60 and j["max_lifetime"] == 86400 and j["at"] == "2025-11-24T16:00:00Z"
assert j["key"]["algorithm"] == "ES256" and len(j["key"]["fingerprint"]) == 64
PY

# Every problem is reported, not only the first.
akcred 1 jwt verify --key "$K/rsa_public.pem" --device-id dev-9 --at 1765000000 @tok
assert_grep '^token REJECTED: 4 errors$' out
for c in kid_mismatch alg_key_mismatch aud_mismatch expired; do assert_grep "error +$c:" out; done

# Usage and input errors are told apart from a rejected token.
akcred 2 jwt verify @tok
assert_grep 'key is required' err
akcred 2 jwt verify --key "$K/ec_public.pem" --leeway soon @tok
akcred 2 jwt verify --key "$K/ec_public.pem" --device-id 'a b' @tok
akcred 3 jwt verify --key missing.pem @tok
akcred 3 jwt verify --key "$K/ec_public.pem" @missing
echo garbage >garbage.pem
akcred 3 jwt verify --key garbage.pem @tok
