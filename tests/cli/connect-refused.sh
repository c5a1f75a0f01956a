# connect: a broker that refuses the login is not hammered -- the first refusal has
# check's diagnosis, the wait after a refusal is long (10 s, jittered: at least 5 s),
# and --refusals of them in a row end the session with exit 7.  The first
# refusal's hint says what the token checks say, as check's does: that the
# token passes them (or has warnings only), so the key is likely not registered.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/connect.lib"
check_broker dev1
"$AKCRED" keygen --private other.key --public other.pub >/dev/null
set -- --device-id dev1 --key other.key --host localhost --port "$BROKER_PORT" --ca-file "$CA"
_refusals() { grep -c "login of 'dev1' refused" "$BROKER_LOG" || true; }

akcred 7 connect "$@" --refusals 1 </dev/null
assert_grep '^akcred: connect: the broker refused the connection: CONNACK 5, not authorised$' err
assert_no_grep '^retrying in' err
assert_eq "$(_refusals)" 1 "refusals in the broker's log"
hint="the token passes every local check: is the key with fingerprint $("$AKCRED" fingerprint other.pub) registered with the broker for device 'dev1'?"
assert_eq "$(sed -n 's/^  hint: //p' err | tail -n 1)" "$hint" "the refusal's hint"

# A token with a warning (valid for longer than akenza's day): said so.
akcred 7 connect "$@" --refusals 1 --ttl 2d </dev/null
assert_grep "^  hint: the token has warnings only: is the key with fingerprint [0-9a-f]{64} registered with the broker for device 'dev1'\?$" err

akcred 7 connect "$@" --refusals 2 </dev/null
assert_eq "$(grep -c 'CONNACK 5' err)" 2 "refusals told"
assert_grep '^failed: the broker refused the connection: CONNACK 5, not authorised$' err
assert_grep '^retrying in ([5-9]|10)\.[0-9]s$' err
assert_eq "$(_refusals)" 4 "refusals in the broker's log"
