# connect: one long session through tokens that expire and a connection that is cut --
# every input line arrives (at least once), the token is refreshed by reconnecting, a
# downlink sent while the device was away is printed, and the end of input exits 0 once
# everything is acknowledged.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/connect.lib"
check_broker dev1
connect_proxy
observe /up/device/id/dev1 up.txt 100000
# A short token lifetime: refreshed 0.8 of it after it is minted, i.e. every 2.4 s.
connect_start --device-id dev1 --key dev.key --host localhost --port "$PROXY_PORT" \
	--ca-file "$CA" --ttl 3
feed 1 5
wait_until "lines 1-5 did not arrive" delivered_all up.txt 1 5
status_wait '^refresh: reconnecting with a new token$' 2
# Cut: the session notices, keeps what it reads, and retries.
proxy_cut
feed 6 10
status_wait '^retrying in [0-9.]+s$'
# Retained, so that the broker hands it over when the device subscribes again.
mosquitto_pub -h 127.0.0.1 -p "$OBS_PORT" -q 1 -r -t /down/device/id/dev1/cmd -m '{"led":"on"}'
proxy_open
wait_until "the downlink was not printed" \
	grep -q '^{"topic":"/down/device/id/dev1/cmd","payload":"{\\"led\\":\\"on\\"}","qos":1}$' out
feed 11 15
connect_end
connect_wait 0
wait_until "not every line arrived" delivered_all up.txt 1 15
# The status lines: connections, refreshes, the reconnect after the cut, the end.
assert_grep '^connected: 127\.0\.0\.1:[0-9]+ as .dev1., token expires [0-9T:Z-]+, refresh in [0-9.]+s$' err
[ "$(status_count '^connected: ')" -ge 3 ] || fail "fewer than three connections"
assert_grep '^(disconnected: |failed: |akcred: connect: )' err
assert_grep '^end of input: [0-9]+ messages? to acknowledge$' err
assert_grep '^done: 15 messages acknowledged$' err
# After the cut there is a connection again, and the token never shows.
awk '/^retrying in/ { r = 1 } r && /^connected: / { ok = 1 } END { exit !ok }' err ||
	fail "no connection after the retry"
assert_no_grep 'eyJ' err
assert_no_grep 'eyJ' out
