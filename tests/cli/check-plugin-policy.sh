# The broker plugin takes jwt verify's token policy: its leeway (0 to 86400 seconds) and an
# audience host jwt verify --aud-host would take; a value outside it stops mosquitto at start,
# not at every login, as does a plugin_opt_disconnect_on_expiry other than true or false.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/broker.lib"
broker_need
broker_trap 'cd /; rm -rf "$T"'
mkdir -p "$T/keys"

# Start mosquitto with the plugin and one extra plugin option; it must exit at once: waiting
# for it to exit or to listen, whichever comes first, so no speed is assumed.
refused_at_start() { # OPTION VALUE MESSAGE-REGEX
	port=$(free_port)
	log=$T/$1.log
	cat >"$T/$1.conf" <<-EOF
	per_listener_settings true
	persistence false
	log_dest file $log
	log_type all
	listener $port 127.0.0.1
	allow_anonymous false
	plugin $PLUGIN
	plugin_opt_keys_dir $T/keys
	plugin_opt_$1 $2
	EOF
	[ "$(id -u)" -ne 0 ] || printf 'user root\n' >>"$T/$1.conf"
	broker_run "$T/$1.conf" "$T/$1.out"
	pid=$BROKER_PID
	wait_until "mosquitto with plugin_opt_$1 $2 neither exited nor listened" \
		_exited_or_listening "$pid" "$port" "$log"
	if kill -0 "$pid" 2>/dev/null; then
		fail "mosquitto started with plugin_opt_$1 $2"
	fi
	assert_grep "$3" "$log"
}

_exited_or_listening() { # PID PORT LOG
	kill -0 "$1" 2>/dev/null || return 0
	grep -q "Opening ipv4 listen socket on port $2" "$3" 2>/dev/null
}

refused_at_start aud_host 'acme/akenza.io' \
	"akcred-auth: plugin_opt_aud_host: audience host 'acme/akenza.io': only letters"
refused_at_start leeway 86401 'akcred-auth: plugin_opt_leeway must be seconds from 0 to 86400'
refused_at_start leeway -1 'akcred-auth: plugin_opt_leeway must be seconds from 0 to 86400'
refused_at_start disconnect_on_expiry yes \
	'akcred-auth: plugin_opt_disconnect_on_expiry must be true or false'

# The largest leeway is taken, and a good aud host: the broker starts and lets a device in.
broker_start "$T/broker"
broker_stop
opts='plugin_opt_leeway 86400\nplugin_opt_aud_host acme.akenza.io:8443'
sed -i "s|^plugin_opt_keys_dir .*|&\n$opts|" "$T/broker/mosquitto.conf"
broker_run "$T/broker/mosquitto.conf" "$T/broker/mosquitto.out"
wait_until "mosquitto did not start" _broker_listening "$T/broker"
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
broker_register dev1 dev.pub
# A token expired 23 hours ago, within a day's leeway: accepted by the broker.
akcred 0 check --device-id dev1 --key dev.key --aud-host acme.akenza.io:8443 \
	--iat "$(($(date +%s) - 86400))" --ttl 1h --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --json
