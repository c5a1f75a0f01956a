# jwt verify with a certificate as the key: valid from notBefore through notAfter,
# give or take the leeway, or the token is rejected (cert_not_valid, exit 1).
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/cert.lib"
K=$DATA/jwt
akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000
cp out tok

# A certificate as the key must be valid at --at, give or take the leeway: an expired or
# not yet valid one rejects the token (exit 1), as check and the broker do.
# The token is valid from 1764000000 (2025-11-24T16:00:00Z) for 20 minutes.
cert_dated "$K/ec_private.pem" 20250101000000Z 20251124160100Z ends.pem
akcred 0 jwt verify --key ends.pem --device-id dev-1 --at 1764000060 @tok
akcred 0 jwt verify --key ends.pem --device-id dev-1 --at 1764000120 @tok
assert_grep '^token accepted$' out
akcred 1 jwt verify --key ends.pem --device-id dev-1 --at 1764000121 @tok
assert_grep '^token REJECTED: 1 error$' out
assert_grep '^  error +cert_not_valid: the certificate is valid from 2025-01-01T00:00:00Z to 2025-11-24T16:01:00Z: at 2025-11-24T16:02:01Z it has expired \(leeway 1m\)$' out
akcred 0 jwt verify --key ends.pem --device-id dev-1 --at 1764000121 --leeway 2m @tok
cert_dated "$K/ec_private.pem" 20251124160500Z 20351231235959Z starts.pem
akcred 1 jwt verify --key starts.pem --device-id dev-1 --at 1764000100 @tok
assert_grep '^  error +cert_not_valid: .*: at 2025-11-24T16:01:40Z it is not valid yet \(leeway 1m\)$' out
akcred 0 jwt verify --key starts.pem --device-id dev-1 --at 1764000240 @tok
akcred 1 jwt verify --key starts.pem --device-id dev-1 --at 1764000100 --json @tok
"$PYTHON" - <<'PY'
import json
j = json.load(open("out"))
assert j["accepted"] is False, j
assert [(p["code"], p["severity"]) for p in j["problems"]] == [("cert_not_valid", "error")], j
PY
