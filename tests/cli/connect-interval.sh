# connect --interval: a generated message that often instead of standard input (which is
# not read), numbered; SIGINT stops it cleanly, saying how many were not acknowledged.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/connect.lib"
check_broker dev1
observe /up/device/id/dev1/beat up.txt 100000
connect_start --device-id dev1 --key dev.key --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --interval 1 --topic-suffix beat
# Lines on standard input are no messages here.
feed 1 1
_beats() { grep -q '"seq":2,' up.txt; }
wait_until "no second message" _beats
kill -INT "$AK_PID"
set +e
wait "$AK_PID"
st=$?
set -e
connect_end
assert_grep '^/up/device/id/dev1/beat \{"seq":1,"time":"[0-9T:Z-]+"\}$' up.txt
assert_no_grep '"n":' up.txt
assert_grep '^stopped: [0-9]+ messages? not acknowledged$' err
# 0 if nothing was left unacknowledged, else 1.
if grep -q '^stopped: 0 ' err; then want=0; else want=1; fi
assert_eq "$st" "$want" "exit status"
