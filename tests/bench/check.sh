#!/bin/sh
# Benchmark: connect, publish at QoS 1, wait for the PUBACK, disconnect, against
# the local TLS broker (mosquitto + akcred_auth.so on 127.0.0.1): akcred check
# (which also mints and checks its token) beside mosquitto_pub doing the same
# with a pre-minted token.  Median wall and CPU time of interleaved runs, peak
# RSS, and check's own connack phase (from --json).  Twice: against a broker
# with mosquitto's default settings, where the server's Nagle algorithm holds
# the CONNACK behind the TLS 1.3 session tickets until the client ACKs them
# (quick_ack() in src/mqtt.c is how check avoids the wait), and against one
# with set_tcp_nodelay true, as the tests run it.
#   $AKCRED, $O (akcred_auth.so), $PYTHON; RUNS (default 30)
set -eu
: "${AKCRED:?AKCRED must name the akcred binary}"
: "${O:?O must name the build directory}"
PYTHON=${PYTHON:-/usr/bin/python3}
RUNS=${RUNS:-30}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/akcred-bench.XXXXXX")
fail() { echo "bench check: $*" >&2; exit 1; }
skip() { echo "bench check: skipped: $*" >&2; exit 0; }
. "$TESTS/cli/broker.lib"
broker_need
broker_trap 'cd /; rm -rf "$T"'
cd "$T"

broker_start "$T/broker"
nodelay_port=$BROKER_PORT
# The same broker with mosquitto's defaults: broker_start's configuration
# without set_tcp_nodelay, on ports of its own.
default_port=$(free_port)
default_obs=$(free_port)
sed -e '/set_tcp_nodelay/d' -e "s/^listener $BROKER_PORT /listener $default_port /" \
	-e "s/^listener $OBS_PORT /listener $default_obs /" \
	-e "s|^log_dest file .*|log_dest file $T/default.log|" \
	"$T/broker/mosquitto.conf" >"$T/default.conf"
grep -q "^listener $default_port " "$T/default.conf" || fail "cannot derive the default broker"
broker_run "$T/default.conf" "$T/default.out"
wait_until "the default mosquitto did not start" \
	grep -q "Opening ipv4 listen socket on port $default_obs" "$T/default.log"

"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
broker_register bench1 dev.pub
"$AKCRED" jwt mint --device-id bench1 --key dev.key --ttl 1h >token
payload='{"temperature":22}'

akcred_cmd() { # PORT
	echo "$AKCRED check --device-id bench1 --key dev.key --host localhost --port $1 --ca-file $CA --payload '$payload' --json"
}
pub_cmd() { # PORT
	echo "mosquitto_pub -h localhost -p $1 --cafile $CA -i bench1 -u unused -P $(cat token) -t /up/device/id/bench1 -m '$payload' -q 1"
}
for port in $default_port $nodelay_port; do
	# Both must work before they are timed.
	sh -c "$(akcred_cmd "$port")" >/dev/null || fail "akcred check failed (port $port)"
	sh -c "$(pub_cmd "$port")" || fail "mosquitto_pub failed (port $port)"
done

rss_akcred=$(/usr/bin/time -f %M sh -c "exec $(akcred_cmd "$default_port")" 2>&1 >/dev/null | tail -n 1)
rss_pub=$(/usr/bin/time -f %M sh -c "exec $(pub_cmd "$default_port")" 2>&1 >/dev/null | tail -n 1)
"$PYTHON" - "$RUNS" "$rss_akcred" "$rss_pub" "$T/out.json" \
	"default mosquitto" "$(akcred_cmd "$default_port")" "$(pub_cmd "$default_port")" 0.35 \
	"set_tcp_nodelay true" "$(akcred_cmd "$nodelay_port")" "$(pub_cmd "$nodelay_port")" 1.20 <<'PY'
import json, os, shlex, statistics, subprocess, sys, time
runs, rss_akcred, rss_pub, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
brokers = [sys.argv[i:i + 4] for i in range(5, len(sys.argv), 4)]
devnull = subprocess.DEVNULL

def timed(argv, stdout):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=stdout, stderr=devnull)
    _, status, ru = os.wait4(p.pid, 0)  # this child's own CPU time
    t1 = time.perf_counter()
    if status != 0:
        sys.exit("bench check: %s failed" % argv[0])
    return (t1 - t0) * 1e3, (ru.ru_utime + ru.ru_stime) * 1e3

def connack_ms():
    with open(out) as f:
        return next(p["ms"] for p in json.load(f)["phases"] if p["phase"] == "connack")

print("check: connect + TLS + publish QoS 1 + PUBACK + disconnect, local broker, %d runs each" % runs)
for label, akcred, pub, target in brokers:
    cmds = {"akcred check": shlex.split(akcred), "mosquitto_pub": shlex.split(pub)}
    wall = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    connack = []
    # Interleaved runs (akcred, mosquitto_pub, akcred, ...): on a shared machine the
    # load drifts, and timing one command's runs after the other's would skew the ratio.
    for i in range(runs + 3):
        for name, argv in (cmds.items() if i % 2 == 0 else reversed(list(cmds.items()))):
            if name == "akcred check":
                with open(out, "w") as f:
                    w, c = timed(argv, f)
            else:
                w, c = timed(argv, devnull)
            if i < 3:
                continue  # warm-up
            wall[name].append(w)
            cpu[name].append(c)
            if name == "akcred check":
                connack.append(connack_ms())
    rss = {"akcred check": rss_akcred, "mosquitto_pub": rss_pub}
    print("broker: %s" % label)
    print("  %-14s %14s %12s %14s %12s" % ("", "median wall ms", "min wall ms", "median CPU ms", "peak RSS KiB"))
    for name in cmds:
        print("  %-14s %14.2f %12.2f %14.2f %12s" % (name, statistics.median(wall[name]), min(wall[name]),
                                                     statistics.median(cpu[name]), rss[name]))
    print("  akcred check connack phase: median %.2f ms, max %.2f ms" %
          (statistics.median(connack), max(connack)))
    ratio = statistics.median(wall["akcred check"]) / statistics.median(wall["mosquitto_pub"])
    cratio = statistics.median(cpu["akcred check"]) / statistics.median(cpu["mosquitto_pub"])
    print("  akcred/mosquitto_pub: median wall %.2fx (target <= %sx: %s), median CPU %.2fx" %
          (ratio, target, "ok" if ratio <= float(target) else "OVER TARGET", cratio))
PY
