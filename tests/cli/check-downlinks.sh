# check --listen: the downlinks received, in the text view as lines with broker data
# escaped, in --json as a list of topic, payload (null when not UTF-8) and QoS.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
command -v mosquitto_pub >/dev/null 2>&1 || skip "no mosquitto_pub (mosquitto-clients)"
check_broker dev1
# Retained, so the broker sends them right after the SUBACK, before the PUBACK of the
# device's publish: they are in before the listening starts, however slow the run.
down() { # SUBTOPIC PAYLOAD
	mosquitto_pub -h 127.0.0.1 -p "$OBS_PORT" -q 1 -r -t "/down/device/id/dev1/$1" -m "$2"
}
down cmd '{"led":"on"}'
down esc "$(printf 'a\033[2Jb')"
down bin "$(printf 'x\377y')"
set -- --device-id dev1 --key dev.key --host localhost --port "$BROKER_PORT" --ca-file "$CA" \
	--listen 1

akcred 0 check "$@"
assert_grep '^downlink +/down/device/id/dev1/cmd \{"led":"on"\}$' out
assert_grep '^downlink +/down/device/id/dev1/esc a\\x1b\[2Jb$' out
assert_grep '^downlink +/down/device/id/dev1/bin x\\xffy$' out
assert_grep '^listen +[0-9.]+ ms +3 downlink messages$' out

akcred 0 check "$@" --json
"$PYTHON" - "$T/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["ok"] is True, o
got = sorted((d["topic"], d["payload"], d["qos"]) for d in o["downlinks"])
want = sorted([
    ("/down/device/id/dev1/cmd", '{"led":"on"}', 1),
    ("/down/device/id/dev1/esc", "a\x1b[2Jb", 1),
    ("/down/device/id/dev1/bin", None, 1),
])
assert got == want, got
PY
assert_grep '"payload": "a\\u001B\[2Jb",' out
# Without --listen there is no list at all.
akcred 0 check --device-id dev1 --key dev.key --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --json
assert_no_grep '"downlinks"' out
