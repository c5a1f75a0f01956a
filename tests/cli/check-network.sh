# check: network failures -- nothing listening, a listener that never answers,
# a name that does not resolve -- exit 5, bounded by --timeout.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
set -- --device-id dev1 --key dev.key

port=$(free_port)
akcred 5 check "$@" --host 127.0.0.1 --port "$port"
assert_grep '^tcp +failed' out
assert_grep "connection to 127\.0\.0\.1:$port refused" err
assert_grep 'hint: nothing listens on' err

silent_listener
# The timeout bounds the network phases, and the listener times how long the
# connection stayed open: start-up, minting, loading the trust store (all
# before the timeout starts) and the exit (valgrind's leak check) are not in
# it.  valgrind slows what is left 20 to 50 times: a longer timeout there.
# The slack is for what comes between the timeout and the close(): generous,
# and larger under valgrind too.
to=2 slack=3
[ -z "${AKCRED_VALGRIND:-}" ] || to=8 slack=15
akcred 5 check "$@" --host localhost --port "$SILENT_PORT" --timeout $to
wait_until "the silent listener saw no connection end" grep -q '^connection 1 open' "$T/silent.out"
open_s=$(sed -n 's/^connection 1 open \([0-9.]*\) s$/\1/p' "$T/silent.out")
awk -v s="$open_s" -v max=$((to + slack)) 'BEGIN { exit !(s > 0 && s <= max) }' ||
	fail "--timeout $to: the connection stayed open ${open_s}s"
echo "--timeout $to: the connection stayed open ${open_s}s"
assert_grep "no TLS answer from 127\.0\.0\.1:$SILENT_PORT within $to\.0s: the server accepted the TCP connection but never answered" err

# A name with an empty label: the resolver refuses it without asking any DNS server.
akcred 5 check "$@" --host broker..invalid --timeout 3
assert_grep '^resolve +failed' out
assert_grep "cannot resolve 'broker\.\.invalid'" err
