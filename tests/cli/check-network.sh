# check: network failures -- nothing listening, a listener that never answers,
# a name that does not resolve -- exit 5, bounded by --timeout.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/broker.lib"
broker_need
broker_trap 'cd /; rm -rf "$T"'
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
set -- --device-id dev1 --key dev.key

port=$(free_port)
akcred 5 check "$@" --host 127.0.0.1 --port "$port"
assert_grep '^tcp +failed' out
assert_grep "connection to 127\.0\.0\.1:$port refused" err
assert_grep 'hint: nothing listens on' err

silent_listener
# The timeout bounds the network phases; starting up and minting come on top,
# and everything is 20 to 50 times slower under valgrind.
to=2 slack=2
[ -z "${AKCRED_VALGRIND:-}" ] || to=15 slack=20
start=$(date +%s)
akcred 5 check "$@" --host localhost --port "$SILENT_PORT" --timeout $to
took=$(($(date +%s) - start))
[ "$took" -le $((to + slack)) ] || fail "--timeout $to took ${took}s"
assert_grep "no TLS answer from 127\.0\.0\.1:$SILENT_PORT within $to\.0s: the server accepted the TCP connection but never answered" err

# A name with an empty label: the resolver refuses it without asking any DNS server.
akcred 5 check "$@" --host broker..invalid --timeout 3
assert_grep '^resolve +failed' out
assert_grep "cannot resolve 'broker\.\.invalid'" err
