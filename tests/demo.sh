#!/bin/sh
# make demo: onboard a device end to end against a local akenza-like broker on
# 127.0.0.1 -- key pair, fingerprint, registration, token, connectivity check --
# and watch its first message arrive.  Everything happens in a temporary
# directory that is removed at the end, the broker included.
#   $AKCRED  the akcred binary     $O  the build directory (akcred_auth.so)
set -eu
: "${AKCRED:?AKCRED must name the akcred binary}"
: "${O:?O must name the build directory}"
TESTS=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/akcred-demo.XXXXXX")

fail() { echo "demo: $*" >&2; exit 1; }
skip() { echo "demo: cannot run: $*" >&2; exit 1; }
. "$TESTS/cli/broker.lib"
broker_need
broker_trap 'cd /; rm -rf "$T"'
cd "$T"

if [ -t 1 ]; then b=$(printf '\033[1m') n=$(printf '\033[0m'); else b="" n=""; fi
step() { printf '\n%s== %s%s\n' "$b" "$*" "$n"; }
# Print a command as one would type it (akcred by name, arguments quoted), then run it.
show() {
	line=""
	for a in "$@"; do
		[ "$a" = "$AKCRED" ] && a=akcred
		case $a in *[!A-Za-z0-9_./:=@-]*) a="'$a'" ;; esac
		line="$line${line:+ }$a"
	done
	printf '%s$ %s%s\n' "$b" "$line" "$n"
	"$@"
}

DEVICE=demo-sensor-01
echo "akcred demo: onboarding device '$DEVICE' (in $T, removed at the end)"

step "1. The device gets a key pair (EC P-256); the private key stays on the device"
show "$AKCRED" keygen --private device_private.pem --public device_public.pem

step "2. Its fingerprint: what the akenza console asks for, and the kid of every token"
show "$AKCRED" fingerprint device_public.pem
echo "the same value from openssl, independently:"
show sh -c "openssl pkey -pubin -in device_public.pem -outform DER | sha256sum"

step "3. A local akenza-like broker: mosquitto + akcred_auth.so, TLS with a CA made just now"
broker_start "$T/broker"
echo "broker listening on 127.0.0.1:$BROKER_PORT (TLS), CA certificate $CA"
echo "register the public key, as one would upload it to akenza:"
show mkdir -p "broker/keys/$DEVICE"
show cp device_public.pem "broker/keys/$DEVICE/"

step "4. Mint the token the device sends as its MQTT password, and look inside"
"$AKCRED" jwt mint --device-id "$DEVICE" --key device_private.pem >token
printf '%s$ akcred jwt mint --device-id %s --key device_private.pem > token%s\n' "$b" "$DEVICE" "$n"
show "$AKCRED" jwt decode @token

step "5. Someone listens on the device's uplink topic"
observe "/up/device/id/$DEVICE" received.txt 1
echo "mosquitto_sub -t /up/device/id/$DEVICE (observer port $OBS_PORT)"

step "6. akcred check: connect as the device (client id = device id), publish, wait for the ack"
show "$AKCRED" check --device-id "$DEVICE" --key device_private.pem \
	--host localhost --port "$BROKER_PORT" --ca-file "$CA" --payload '{"temperature":22}'

step "7. The subscriber got it"
observe_wait received.txt 1
sed 's/^/  /' received.txt
grep "akcred-auth: device '$DEVICE' logged in" "$BROKER_LOG" | sed 's/^[0-9]*: /  broker: /'

step "8. And a key the broker does not know is turned away (exit 7)"
"$AKCRED" keygen --private stranger.pem --public stranger_public.pem >/dev/null
set +e
"$AKCRED" check --device-id "$DEVICE" --key stranger.pem --host localhost \
	--port "$BROKER_PORT" --ca-file "$CA" 2>&1 | sed 's/^/  /'
set -e
grep "login of '$DEVICE' refused" "$BROKER_LOG" | tail -n 1 | sed 's/^[0-9]*: /  broker: /'

printf '\n%sdemo complete%s: the broker is stopped and %s removed\n' "$b" "$n" "$T"
# The demo ran akcred and the plugin from the build directory ($O).
echo "to run such a broker yourself: sudo make install puts akcred and akcred_auth.so where"
echo "README.md's 'Test a device on a local broker' expects them"
