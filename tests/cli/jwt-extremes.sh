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

# Times with a fraction are shown, floored as the checker takes them.
forge "$H" "{\"iat\":1764000000.25,\"exp\":1764001200.5,\"nbf\":1e300,\"aud\":\"$AUD\"}" "$K/ec_private.pem" >tok
akcred 1 jwt decode --at $AT @tok
assert_grep '^  iat +1764000000.25 +2025-11-24T16:00:00Z  \(1m ago\)$' out
assert_grep '^  nbf +1e\+300 +\(out of range\)$' out
assert_grep '^  lifetime +20m$' out
akcred 1 jwt decode --at $AT --json @tok
"$PYTHON" - out <<'PY' || fail "fractional times in --json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["lifetime"] == 1200, j["lifetime"]
assert j["times"]["exp"] == {"value": 1764001200.5, "utc": "2025-11-24T16:20:00Z", "relative": "in 19m"}, j["times"]
assert j["times"]["nbf"]["utc"] is None
PY

# Time 0 means "now" inside the jwt module: --at 0 and --iat 0 are refused,
# not silently replaced by the current time.
good=$("$AKCRED" jwt mint --key "$K/ec_private.pem" --device-id dev-1 --iat 1764000000)
for t in 0 1970-01-01T00:00:00Z; do
	akcred 2 jwt decode --at "$t" "$good"
	assert_grep "--at: time '$t' \(1970-01-01T00:00:00Z\) is not usable" err
	akcred 2 jwt verify --key "$K/ec_public.pem" --at "$t" "$good"
	akcred 2 jwt mint --key "$K/ec_private.pem" --device-id dev-1 --iat "$t"
	assert_grep "--iat: time" err
done
akcred 1 jwt verify --key "$K/ec_public.pem" --at 1 "$good"
assert_grep 'error +iat_in_future:' out

# mint never makes an exp its own verifier refuses (after 9999-12-31T23:59:59Z).
akcred 2 jwt mint --key "$K/ec_private.pem" --device-id dev-1 --iat 253402300000 --ttl 20m
assert_grep 'exp would be after 9999-12-31T23:59:59Z' err
akcred 0 jwt mint --key "$K/ec_private.pem" --device-id dev-1 --iat 253402299599 --ttl 20m
akcred 0 jwt verify --key "$K/ec_public.pem" --at 253402299600 "$(cat out)"

# NUL bytes are not whitespace: trailing or inside, the token is rejected.
printf '%s\000\000\n' "$good" >tok
akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
assert_grep 'error +nul_byte: the token has a NUL byte at offset' out
printf '%s\000\n' "$good" | run 1 "$AKCRED" jwt decode --at $AT -
assert_grep 'error +nul_byte: the token has a NUL byte' out
printf '\000%s\n' "$good" >tok
akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
printf '%s\r\n' "$good" >tok
akcred 0 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
printf ' %s\r\n' "$good" >tok
akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @tok
assert_grep 'error +whitespace: the token starts with a space' out
exit 0
