#!/bin/sh
# Benchmark: connect, publish at QoS 1, wait for the PUBACK, disconnect, against
# the local TLS broker (mosquitto + akcred_auth.so on 127.0.0.1): akcred check
# (which also mints and checks its token) beside mosquitto_pub doing the same
# with a pre-minted token.  Median wall and CPU time of interleaved runs, peak RSS.
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
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
broker_register bench1 dev.pub
"$AKCRED" jwt mint --device-id bench1 --key dev.key --ttl 1h >token
payload='{"temperature":22}'

akcred_cmd="$AKCRED check --device-id bench1 --key dev.key --host localhost --port $BROKER_PORT --ca-file $CA --payload '$payload'"
pub_cmd="mosquitto_pub -h localhost -p $BROKER_PORT --cafile $CA -i bench1 -u unused -P $(cat token) -t /up/device/id/bench1 -m '$payload' -q 1"
# Both must work before they are timed.
sh -c "$akcred_cmd" >/dev/null || fail "akcred check failed"
sh -c "$pub_cmd" || fail "mosquitto_pub failed"

# Interleaved runs (akcred, mosquitto_pub, akcred, ...): on a shared machine the
# load drifts, and timing one command's runs after the other's would skew the ratio.
rss_akcred=$(/usr/bin/time -f %M sh -c "exec $akcred_cmd" 2>&1 >/dev/null | tail -n 1)
rss_pub=$(/usr/bin/time -f %M sh -c "exec $pub_cmd" 2>&1 >/dev/null | tail -n 1)
"$PYTHON" - "$RUNS" "$akcred_cmd" "$pub_cmd" "$rss_akcred" "$rss_pub" <<'PY'
import os, resource, shlex, statistics, subprocess, sys, time
runs = int(sys.argv[1])
cmds = {"akcred check": shlex.split(sys.argv[2]), "mosquitto_pub": shlex.split(sys.argv[3])}
wall = {k: [] for k in cmds}
cpu = {k: [] for k in cmds}
rss = {"akcred check": sys.argv[4], "mosquitto_pub": sys.argv[5]}
devnull = subprocess.DEVNULL
for i in range(runs + 3):
    for name, argv in (cmds.items() if i % 2 == 0 else reversed(list(cmds.items()))):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=devnull, stderr=devnull)
        _, status, ru = os.wait4(p.pid, 0)  # this child's own CPU time
        t1 = time.perf_counter()
        if status != 0:
            sys.exit("bench check: %s failed" % name)
        if i < 3:
            continue  # warm-up
        wall[name].append((t1 - t0) * 1e3)
        cpu[name].append((ru.ru_utime + ru.ru_stime) * 1e3)
print("check: connect + TLS + publish QoS 1 + PUBACK + disconnect, local broker, %d runs each" % runs)
print("  %-14s %14s %12s %14s %12s" % ("", "median wall ms", "min wall ms", "median CPU ms", "peak RSS KiB"))
for name in cmds:
    print("  %-14s %14.2f %12.2f %14.2f %12s" % (name, statistics.median(wall[name]), min(wall[name]),
                                                 statistics.median(cpu[name]), rss[name]))
ratio = statistics.median(wall["akcred check"]) / statistics.median(wall["mosquitto_pub"])
cratio = statistics.median(cpu["akcred check"]) / statistics.median(cpu["mosquitto_pub"])
print("  akcred/mosquitto_pub: median wall %.2fx (target <= 1.20x: %s), median CPU %.2fx" %
      (ratio, "ok" if ratio <= 1.2 else "OVER TARGET", cratio))
PY
