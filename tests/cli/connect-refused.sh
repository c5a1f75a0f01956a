# connect: a broker that refuses the login is not hammered -- the first refusal has
# check's diagnosis, the wait after a refusal is long (10 s, jittered: at least 5 s),
# and --refusals of them in a row end the session with exit 7.
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

akcred 7 connect "$@" --refusals 2 </dev/null
assert_eq "$(grep -c 'CONNACK 5' err)" 2 "refusals told"
assert_grep '^failed: the broker refused the connection: CONNACK 5, not authorised$' err
assert_grep '^retrying in ([5-9]|10)\.[0-9]s$' err
assert_eq "$(_refusals)" 3 "refusals in the broker's log"
