#!/bin/sh
# Benchmark: check --manifest, the end-of-line check of a batch of devices (default 1000)
# against the local plugin broker (mosquitto + akcred_auth.so on 127.0.0.1, on this same
# machine), at several --jobs, in devices per second, beside what the machine can do:
# full TLS handshakes per second against the same broker (openssl s_time -new, one and
# two at a time).  Then the same batch against the broker without set_tcp_nodelay (as
# mosquitto ships), where the CONNACK waits for the client's delayed ACK (the 40 ms
# stall: akcred-check(1), issue 12).
#   $AKCRED, $O (akcred_auth.so), $PYTHON; DEVICES (default 1000), JOBS (default "8 16 32 64"),
#   RUNS (default 3: the median is shown)
set -eu
: "${AKCRED:?AKCRED must name the akcred binary}"
: "${O:?O must name the build directory}"
PYTHON=${PYTHON:-/usr/bin/python3}
DEVICES=${DEVICES:-1000}
JOBS=${JOBS:-8 16 32 64}
RUNS=${RUNS:-3}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/akcred-bench.XXXXXX")
fail() { echo "bench check-batch: $*" >&2; exit 1; }
skip() { echo "bench check-batch: skipped: $*" >&2; exit 0; }
. "$TESTS/cli/broker.lib"
broker_need
broker_trap 'cd /; rm -rf "$T"'
cd "$T"

broker_start "$T/broker"
"$AKCRED" provision --out-dir b --count "$DEVICES" --prefix dev- >/dev/null
for d in b/dev-*/; do
	broker_register "$(basename "$d")" "$d/public.pem"
done

# One batch: its devices/s from the summary line, and the CPU seconds of akcred and of
# the broker over the run.
batch() { # PORT JOBS
	b0=$(awk '{ print $14 + $15 }' "/proc/$BROKER_PID/stat")
	/usr/bin/time -f '%U %S' -o time.out "$AKCRED" check --manifest b/manifest.csv --all \
		--host localhost --port "$1" --ca-file "$CA" --jobs "$2" >out 2>err ||
		{ cat err >&2; fail "the batch failed (jobs $2)"; }
	b1=$(awk '{ print $14 + $15 }' "/proc/$BROKER_PID/stat")
	rate=$(sed -n 's/.* (\([0-9.]*\) s, \([0-9]*\) devices\/s)$/\2/p' out)
	[ -n "$rate" ] || { cat out >&2; fail "no summary line"; }
	printf '%s %s %s\n' "$rate" "$(awk '{ print $1 + $2 }' time.out)" \
		"$(echo "$b0 $b1" | awk -v hz="$(getconf CLK_TCK)" '{ print ($2 - $1) / hz }')"
}

median_batch() { # PORT JOBS: the run of median rate, "rate akcred-cpu broker-cpu"
	i=0
	: >runs
	while [ $i -lt "$RUNS" ]; do
		batch "$1" "$2" >>runs
		i=$((i + 1))
	done
	sort -n runs | sed -n "$(((RUNS + 1) / 2))p"
}

# What the machine can do: full handshakes per second, one client, then two at a time.
s_time() { # PORT SECONDS
	openssl s_time -connect "127.0.0.1:$1" -new -time "$2" 2>/dev/null |
		sed -n 's/^\([0-9]*\) connections in \([0-9.]*\) real seconds.*/\1 \2/p' |
		awk '{ printf "%.0f\n", $1 / $2 }'
}
hs1=$(s_time "$BROKER_PORT" 5)
s_time "$BROKER_PORT" 5 >hs2a &
pid=$!
s_time "$BROKER_PORT" 5 >hs2b
wait "$pid"
hs2=$(($(cat hs2a) + $(cat hs2b)))

echo "check --manifest: $DEVICES devices, each a full TLS handshake, a token login, a publish"
echo "at QoS 1 and its PUBACK, against the local plugin broker on this $(nproc)-core machine"
echo "(broker included); median of $RUNS runs.  Target: at least 300 devices/s."
printf '  %-34s %10s %14s %14s\n' "" "devices/s" "akcred CPU s" "broker CPU s"
best=0
for j in $JOBS; do
	set -- $(median_batch "$BROKER_PORT" "$j")
	printf '  %-34s %10s %14s %14s\n' "set_tcp_nodelay true, --jobs $j" "$1" "$2" "$3"
	[ "$1" -le "$best" ] || best=$1
done
echo "  openssl s_time -new (TLS handshakes/s, same broker): $hs1 one at a time, $hs2 two at a time"
echo "$best $hs1 $hs2" | awk '{ printf "  best batch: %d devices/s (%s), %.2fx the handshakes of one client, %.2fx of two\n",
	$1, ($1 >= 300 ? "target met" : "BELOW TARGET"), $1 / $2, $1 / $3 }'

# The same broker as mosquitto ships it: no set_tcp_nodelay, TLS 1.3 allowed.
conf=$T/broker/default.conf
port=$(free_port)
sed -e '/set_tcp_nodelay/d' -e '/tls_version/d' -e "s/^listener $BROKER_PORT /listener $port /" \
	-e "s/^listener $OBS_PORT .*/listener $(free_port) 127.0.0.1/" \
	-e "s|^log_dest file .*|log_dest file $T/broker/default.log|" "$T/broker/mosquitto.conf" >"$conf"
broker_run "$conf" "$T/broker/default.out"
default_up() { grep -q "Opening ipv4 listen socket on port $port" "$T/broker/default.log" 2>/dev/null; }
wait_until "the default broker did not start" default_up
for j in $JOBS; do
	set -- $(median_batch "$port" "$j")
	printf '  %-34s %10s %14s %14s\n' "default mosquitto, --jobs $j" "$1" "$2" "$3"
done
"$AKCRED" check --device-id dev-0001 --key b/dev-0001/private.pem --host localhost --port "$port" \
	--ca-file "$CA" >one.out 2>&1 || { cat one.out >&2; fail "check against the default broker"; }
echo "  one device against it: $(grep -E '^(tls|connack) ' one.out | awk '{ printf "%s %s ms  ", $1, $2 }')"
