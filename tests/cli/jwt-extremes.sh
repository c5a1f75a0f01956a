# Extreme and edge values: times at the ends of int64, time 0, NUL bytes.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
"$PYTHON" -c 'import Cryptodome' 2>/dev/null || skip "$PYTHON lacks Cryptodome"
KID=$(py_fingerprint "$K/ec_public.pem")
H="{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"$KID\"}"
AUD=https://akenza.io/devices/dev-1
AT=1764000060
forge() { "$PYTHON" "$TESTS/tools/pyforge.py" "$@"; }

# iat -2, exp 2^63-1: no overflow (the sanitizer build aborts on one), the
# lifetime and the times are shown as out of range.
forge "$H" "{\"iat\":-2,\"exp\":9223372036854775807,\"aud\":\"$AUD\"}" "$K/ec_private.pem" >tok
akcred 1 jwt decode --at $AT @tok
assert_grep '^  lifetime +\(out of range\)$' out
assert_grep '^  exp +9223372036854775807 +\(out of range\)$' out
assert_grep 'error +claim_type: exp 9223372036854775807 is out of range' out
akcred 1 jwt decode --at $AT --json @tok
"$PYTHON" - out <<'PY' || fail "out-of-range times in --json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["lifetime"] is None, j["lifetime"]
assert j["times"]["exp"] == {"value": 2**63 - 1, "utc": None, "relative": None}, j["times"]
assert j["times"]["iat"]["utc"] is None
PY
akcred 1 jwt verify --key "$K/ec_public.pem" --at $AT --json @tok
assert_grep '"lifetime": null' out
forge "$H" "{\"iat\":-9223372036854775808,\"exp\":9223372036854775807,\"aud\":\"$AUD\"}" "$K/ec_private.pem" >tok
akcred 1 jwt decode --at $AT @tok
assert_grep '^  lifetime +\(out of range\)$' out
exit 0
