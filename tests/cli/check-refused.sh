# check: the broker refuses the login -- expired token, key not registered, client id
# not the token's device -- exit 7, with the broker's answer and the token's problems.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker dev1
"$AKCRED" keygen --private other.key --public other.pub >/dev/null
broker_register dev2 other.pub
set -- --host localhost --port "$BROKER_PORT" --ca-file "$CA"

# Expired: minted an hour ago for 20 minutes.
"$AKCRED" jwt mint --device-id dev1 --key dev.key --iat "$(($(date +%s) - 3600))" >old.jwt
akcred 7 check --device-id dev1 --token-file old.jwt --key dev.key "$@"
assert_grep '^connack +failed' out
assert_grep 'refused the connection: CONNACK 5, not authorised' err
assert_grep 'token error: expired' err
assert_grep "login of 'dev1' refused: expired" "$BROKER_LOG"

# The same with the device's clock an hour behind (--iat): warned, sent, refused.
akcred 7 check --device-id dev1 --key dev.key --iat "$(($(date +%s) - 3600))" "$@"
assert_grep 'warning: the token minted with --iat has problems; sending it anyway' err
assert_grep 'token error: expired' err
assert_grep 'CONNACK 5, not authorised' err

# A key the broker does not know for this device (kid not registered).
akcred 7 check --device-id dev1 --key other.key "$@"
assert_grep 'CONNACK 5, not authorised' err
hint="the token passes every local check: is the key with fingerprint $("$AKCRED" fingerprint other.pub) registered with the broker for device 'dev1'?"
grep -qxF "  hint: $hint" err || { cat err; fail "no hint line '$hint'"; }
assert_grep "login of 'dev1' refused: kid_unknown" "$BROKER_LOG"
# --json carries the same hint, and phase times in whole microseconds.
akcred 7 check --device-id dev1 --key other.key "$@" --json
"$PYTHON" - "$T/out" "$hint" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert sys.argv[2] in o["hints"], o["hints"]
assert not any("below" in h for h in o["hints"]), o["hints"]
assert o["token_problems"] == [], o
PY
assert_grep '^      "ms": [0-9]+\.[0-9]{1,3},$' out
assert_no_grep '"ms": [0-9]+\.[0-9]{4,}' out

# The client id is not the device of the token's audience (a valid token for dev2).
"$AKCRED" jwt mint --device-id dev2 --key dev.key >dev2.jwt
akcred 7 check --device-id dev1 --token-file dev2.jwt "$@"
assert_grep 'CONNACK 5, not authorised' err
assert_grep 'token error: aud_mismatch: ' err
assert_grep "login of 'dev1' refused: aud_mismatch" "$BROKER_LOG"

# No key registered at all for the device.
akcred 7 check --device-id dev3 --key dev.key "$@"
assert_grep "login of 'dev3' refused: no key is registered" "$BROKER_LOG"

# --json carries the status, the phase and the token problems.
akcred 7 check --device-id dev1 --token-file old.jwt "$@" --json
"$PYTHON" - "$T/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["ok"] is False and o["status"] == 7 and o["failed_phase"] == "connack", o
assert o["connack"] == 5
assert "expired" in [p["code"] for p in o["token_problems"]], o
assert "the token fails the checks akenza makes: expired" in o["hints"], o["hints"]
PY
akcred 7 check --device-id dev1 --token-file old.jwt "$@"
assert_grep '^  hint: the token fails the checks akenza makes: expired$' err
