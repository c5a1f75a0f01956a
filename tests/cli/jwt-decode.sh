# akcred jwt decode: readable without a key, marked unverified, from any source.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt

akcred 0 jwt mint --device-id dev-7 --key "$K/ec_private.pem" --iat 1764000000 --ttl 20m
tok=$(cat out)

# From the operand, at a fixed moment: raw numbers, ISO 8601, relative times, lifetime.
akcred 0 jwt decode --at 2025-11-24T16:02:48Z "$tok"
assert_grep "^NOT VERIFIED" out
assert_grep '^  iat +1764000000 +2025-11-24T16:00:00Z +\(2m48s ago\)$' out
assert_grep '^  exp +1764001200 +2025-11-24T16:20:00Z +\(expires in 17m12s\)$' out
assert_grep '^  lifetime +20m$' out
assert_grep '^device id: dev-7 \(from aud, host akenza.io\)$' out
assert_grep '^signature: 64 bytes, raw R\|\|S' out
assert_grep "^token: ${#tok} bytes$" out
assert_grep '^problems: none' out

# Expired: still decoded, problem listed, exit 1.
akcred 1 jwt decode --at 1764001440 "$tok"
assert_grep '\(expired 4m ago\)' out
assert_grep '^  error +expired: ' out

# stdin, "-", @FILE; one final line end ("\n" or "\r\n") is the file's framing.
printf '%s\n' "$tok" >tokfile
akcred 0 jwt decode --at 1764000000 @tokfile
printf '%s\r\n' "$tok" >tokfile
akcred 0 jwt decode --at 1764000000 <tokfile
akcred 0 jwt decode --at 1764000000 - <tokfile
akcred 0 jwt decode --at 1764000000 --json @tokfile
"$PYTHON" - "${#tok}" <<'PY'
import json, sys
j = json.load(open("out"))
assert j["verified"] is False
assert j["header"]["alg"] == "ES256" and j["claims"]["aud"] == "https://akenza.io/devices/dev-7"
assert j["times"]["exp"] == {"value": 1764001200, "utc": "2025-11-24T16:20:00Z", "relative": "in 20m"}, j["times"]
assert j["lifetime"] == 1200 and j["device_id"] == "dev-7"
assert j["signature"] == {"length": 64, "form": "raw"}
assert j["token_length"] == int(sys.argv[1]) and j["problems"] == []
PY

# A DER signature is pointed out without any key.
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
"$PYTHON" "$TESTS/tools/pyforge.py" '{"alg":"ES256","typ":"JWT"}' \
	'{"iat":1764000000,"exp":1764001200,"aud":"https://akenza.io/devices/d"}' "$K/ec_private.pem" der >der
akcred 1 jwt decode --at 1764000000 @der
assert_grep '^signature: 7[0-2] bytes, DER-encoded' out
assert_grep 'error +signature_der_encoded:' out

# Garbage is malformed (exit 1), a missing file is an input error, two tokens a usage error.
akcred 1 jwt decode "hello"
assert_grep 'error +malformed:' out
akcred 3 jwt decode @missing
akcred 2 jwt decode a b
akcred 2 jwt decode --at yesterday "$tok"
