# The broker plugin logs hostile client ids, topics and refusal reasons by the
# rule akcred's own output keeps (safetext): C0 and C1 controls, DEL, bidi and
# format characters such as U+202E, and invalid UTF-8 as \xHH, never raw.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
command -v mosquitto_pub >/dev/null 2>&1 || skip "no mosquitto_pub (mosquitto-clients)"
check_broker dev1
RLO=$(printf '\342\200\256') # U+202E RIGHT-TO-LEFT OVERRIDE
LRI=$(printf '\342\201\246') # U+2066 LEFT-TO-RIGHT ISOLATE

# Our lines of the log: none may hold a byte outside printable ASCII.
no_raw() { # WHAT
	grep 'akcred-auth:' "$BROKER_LOG" >ours
	! LC_ALL=C grep -q "$(printf '[\001-\037\177-\377]')" ours ||
		{ cat ours >&2; fail "$1: a raw control, bidi or non-ASCII byte in akcred-auth's log"; }
}

# Wait for a line of the plugin's log, written by the broker (never run under
# valgrind) once the akcred run before the wait has ended: 600 tries 0.05 s
# apart, a bound against a hang only.
wait_log() { # EXTENDED-REGEX
	i=0
	until grep -Eq -- "$1" "$BROKER_LOG"; do
		i=$((i + 1))
		[ $i -le 600 ] || { cat "$BROKER_LOG" >&2; fail "no log line matches '$1'"; }
		sleep 0.05
	done
}

# A client id with a right-to-left override: refused, and logged escaped
# (in the id and in the reason, which quotes it).
mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$CA" -i "dev1${RLO}x" -u unused \
	-P not-a-token -t /up/device/id/dev1 -m '{}' >/dev/null 2>&1 || true
wait_log "login of 'dev1\\\\xe2\\\\x80\\\\xaex' refused: the client id is not a device id: .*dev1\\\\xe2\\\\x80\\\\xaex"
no_raw "client id"

# A logged-in device publishing where it may not, to a topic with bidi characters.
tok=$("$AKCRED" jwt mint --device-id dev1 --key dev.key)
mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$CA" -i dev1 -u unused -P "$tok" \
	-q 1 -t "/up/device/id/dev2${LRI}/${RLO}x" -m '{}' >/dev/null 2>&1 || true
wait_log "'dev1' may not publish to '/up/device/id/dev2\\\\xe2\\\\x81\\\\xa6/\\\\xe2\\\\x80\\\\xaex'"
no_raw "topic"
