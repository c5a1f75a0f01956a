# connect --spool: what was not acknowledged survives a SIGKILL of akcred -- each line is
# in the spool before it is sent -- and the next run sends it first, then ends with an
# empty spool; SIGTERM stops cleanly and says how many were not acknowledged.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/connect.lib"
check_broker dev1
connect_proxy
observe /up/device/id/dev1 up.txt 100000
set -- --device-id dev1 --key dev.key --host localhost --ca-file "$CA" --spool sp
connect_start "$@" --port "$PROXY_PORT"
feed 1 3
wait_until "lines 1-3 did not arrive" delivered_all up.txt 1 3
proxy_cut
feed 4 6
_spooled() { grep -q '^put,[0-9]*,"{""n"":6}"$' sp/spool.csv; }
wait_until "line 6 did not reach the spool" _spooled
kill -KILL "$AK_PID"
connect_end
connect_wait 137
assert_eq "$(mode_of sp)" 700 "spool directory mode"
# The rerun (straight to the broker) sends what is left first; the end of input ends it.
akcred 0 connect "$@" --port "$BROKER_PORT" </dev/null
assert_grep "^spool: [3-6] messages from 'sp' go first$" err
assert_grep '^done: [3-6] messages acknowledged$' err
wait_until "not every line arrived after the rerun" delivered_all up.txt 1 6
# Nothing is left: a third run has nothing to send from the spool, which starts again
# from its header.
akcred 0 connect "$@" --port "$BROKER_PORT" </dev/null
assert_no_grep '^spool: ' err
assert_grep '^done: 0 messages acknowledged$' err
assert_eq "$(cat sp/spool.csv)" "op,seq,payload" "spool after the third run"
# SIGTERM while the broker is out of reach: a clean stop that counts what is kept.
proxy_cut
connect_start "$@" --port "$PROXY_PORT"
feed 7 8
wait_until "line 8 did not reach the spool" grep -q '"{""n"":8}"$' sp/spool.csv
kill -TERM "$AK_PID"
connect_wait 1
assert_grep "^stopped: 2 messages not acknowledged, kept in the spool 'sp'$" err
connect_end
