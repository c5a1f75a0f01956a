# check: a device may publish only under its own uplink topic; the broker closes the
# connection of one that does not (MQTT 3.1.1 cannot refuse a PUBLISH): exit 1.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker dev1
observe '/#' obs.txt 1
set -- --device-id dev1 --key dev.key --host localhost --port "$BROKER_PORT" --ca-file "$CA"

for topic in /up/device/id/dev2 /up/device/id/dev1x /down/device/id/dev1 up/device/id/dev1; do
	akcred 1 check "$@" --topic "$topic"
	assert_grep '^connack +[0-9.]+ ms +accepted' out
	assert_grep '^publish +failed' out
	assert_grep "publish to '$topic' not acknowledged: the broker closed the connection" err
	assert_grep 'hint: a device may publish only under /up/device/id/dev1' err
	assert_grep "akcred-auth: 'dev1' may not publish to '$topic'" "$BROKER_LOG"
done
# Nothing of that reached a subscriber; the device's own topic does.
akcred 0 check "$@" --topic /up/device/id/dev1/x --payload '{"ok":1}'
observe_wait obs.txt 1
assert_eq "$(cat obs.txt)" '/up/device/id/dev1/x {"ok":1}' "received"

# Downlinks: --listen subscribes to /down/device/id/dev1/# and prints what comes.
# The downlink is sent as soon as the broker has the device's subscription.
# It has --listen's time to arrive: two processes that are not under valgrind
# (this one and mosquitto_pub) against akcred's window, which is generous and
# longer under valgrind.
listen=3
[ -z "${AKCRED_VALGRIND:-}" ] || listen=15
(
	wait_until "the device did not subscribe" grep -q ' dev1 1 /down/device/id/dev1/#' "$BROKER_LOG"
	mosquitto_pub -h 127.0.0.1 -p "$OBS_PORT" -t /down/device/id/dev1/cmd -m '{"led":"on"}'
) &
akcred 0 check "$@" --listen $listen
assert_grep '^subscribe +[0-9.]+ ms +/down/device/id/dev1/#, QoS 1 granted' out
assert_grep '^downlink +/down/device/id/dev1/cmd \{"led":"on"\}$' out
assert_grep '^listen +[0-9.]+ ms +1 downlink message$' out
