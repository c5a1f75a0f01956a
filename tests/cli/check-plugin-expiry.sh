# The broker plugin's plugin_opt_disconnect_on_expiry: with true, a session ends when its
# token expires (exp plus the leeway, 0 here) and sessions whose token is still good stay;
# with false (the default) a session outlives its token; loaded per listener, where
# mosquitto before 2.0.15 sends no ticks, a session past its token's expiry ends at its
# next publish at the latest.  A broker for each, and mosquitto_sub and mosquitto_pub
# logged in as devices; what must have happened is asserted only once the broker has
# served a whole check after the expiry, so no speed is assumed.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"

# mosquitto before 2.0.15 sends plugins tick events only with per_listener_settings false.
expiry_broker() { # NAME true|false [PER-LISTENER]: sets <NAME>_PORT, <NAME>_LOG
	port=$(free_port)
	log=$T/$1.log
	cat >"$T/$1.conf" <<-EOF
	per_listener_settings ${3:-false}
	persistence false
	log_dest file $log
	log_type all
	connection_messages true
	listener $port 127.0.0.1
	cafile $T/pki/ca.pem
	certfile $T/pki/server.pem
	keyfile $T/pki/server.key
	allow_anonymous false
	plugin $PLUGIN
	plugin_opt_keys_dir $KEYS_DIR
	plugin_opt_leeway 0
	plugin_opt_disconnect_on_expiry $2
	EOF
	[ "$(id -u)" -ne 0 ] || printf 'user root\n' >>"$T/$1.conf"
	broker_run "$T/$1.conf" "$T/$1.out"
	wait_until "mosquitto ($1) did not start" grep -q "Opening ipv4 listen socket on port $port" "$log"
	eval "$1_PORT=$port $1_LOG=$log"
}

# mosquitto_sub logged in as ID with TOKEN on PORT, in the background ($!): OUT has its output.
device_sub() { # PORT ID TOKEN OUT
	mosquitto_sub -h localhost -p "$1" --cafile "$T/pki/ca.pem" -V mqttv311 -i "$2" \
		-u unused -P "$3" -t "/down/device/id/$2/#" >"$4" 2>&1 &
	BROKER_PIDS="$BROKER_PIDS $!"
}

broker_pki "$T/pki"
CA=$T/pki/ca.pem
KEYS_DIR=$T/keys
for id in short long marker; do broker_register "$id" dev.pub; done
expiry_broker on true
expiry_broker off false
expiry_broker listener true true

# A few seconds of life, more under valgrind, where minting is slow: the token must still
# be good when mosquitto_sub logs in.
ttl=6
[ -z "${AKCRED_VALGRIND:-}" ] || ttl=60
iat=$(date +%s)
exp=$((iat + ttl))
"$AKCRED" jwt mint --device-id short --key dev.key --iat "$iat" --ttl "${ttl}s" >short.token
"$AKCRED" jwt mint --device-id long --key dev.key --ttl 1h >long.token

device_sub "$on_PORT" short "$(cat short.token)" on-short.out
device_sub "$on_PORT" long "$(cat long.token)" on-long.out
on_long_pid=$!
device_sub "$off_PORT" short "$(cat short.token)" off-short.out
off_short_pid=$!
# A device that publishes each line of its input, once its token has expired.
mkfifo pub.fifo
mosquitto_pub -h localhost -p "$listener_PORT" --cafile "$CA" -V mqttv311 -i short -u unused \
	-P "$(cat short.token)" -t /up/device/id/short -l <pub.fifo >listener-short.out 2>&1 &
BROKER_PIDS="$BROKER_PIDS $!"
exec 3>pub.fifo
exp_iso=$("$PYTHON" -c 'import sys, time; print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(sys.argv[1]))))' "$exp")
wait_until "short did not log in (on)" grep -q "akcred-auth: session of 'short' ends at $exp_iso," "$on_LOG"
wait_until "long did not log in (on)" grep -q "akcred-auth: session of 'long' ends at" "$on_LOG"
wait_until "short did not log in (off)" grep -q "akcred-auth: device 'short' logged in" "$off_LOG"
wait_until "short did not log in (listener)" \
	grep -q "akcred-auth: session of 'short' ends at $exp_iso," "$listener_LOG"
assert_no_grep "session of" "$off_LOG"

# Past exp on this machine's clock, which is the brokers' clock too.
_past_exp() { [ "$(date +%s)" -ge "$exp" ]; }
wait_until "the token of short did not expire" _past_exp
# A whole check after exp: the broker's loop, and so its tick, has turned since then.
for b in on off listener; do
	eval "port=\$${b}_PORT"
	akcred 0 check --device-id marker --key dev.key --host localhost --port "$port" --ca-file "$CA"
done

# true: short's session is ended, and its reconnection with the expired token refused.
wait_until "the session of short was not ended" \
	grep -q "akcred-auth: session of 'short' ended: its token expired at $exp_iso (exp, plus the leeway of 0s)" "$on_LOG"
wait_until "short was not refused on reconnecting" \
	grep -q "akcred-auth: login of 'short' refused: expired" "$on_LOG"
# The other session is kept, never taken over or closed.
assert_no_grep "session of 'long' ended" "$on_LOG"
[ "$(grep -c "akcred-auth: device 'long' logged in" "$on_LOG")" -eq 1 ] || fail "long logged in again"
kill -0 "$on_long_pid" 2>/dev/null || fail "mosquitto_sub as long ended: $(cat on-long.out)"

# true, per listener: by a tick or, without ticks, at its publish (a mosquitto_pub that a
# tick disconnected may be gone: no SIGPIPE then).
(
	trap '' PIPE
	echo '{"temperature":22}' >&3
) 2>/dev/null || true
wait_until "the session of short was not ended (listener)" grep -Eq \
	"akcred-auth: session of 'short' ended( on its publish)?: its token expired at $exp_iso " \
	"$listener_LOG"
exec 3>&-

# false: short's session outlives its token.
assert_no_grep "akcred-auth: session of" "$off_LOG"
assert_no_grep "Client short (closed|disconnected)" "$off_LOG"
kill -0 "$off_short_pid" 2>/dev/null || fail "mosquitto_sub as short ended: $(cat off-short.out)"
