#!/bin/sh
# Benchmark: akcred connect publishing N lines of standard input at QoS 1 to the local
# TLS broker (mosquitto + akcred_auth.so on 127.0.0.1) until every PUBACK is in, without
# and with --spool (each line fsynced before it is sent), beside mosquitto_pub -l doing
# the same with a pre-minted token.  Median wall time of interleaved runs, messages/s.
#   $AKCRED, $O (akcred_auth.so), $PYTHON; LINES (default 5000), RUNS (default 5)
set -eu
: "${AKCRED:?AKCRED must name the akcred binary}"
: "${O:?O must name the build directory}"
PYTHON=${PYTHON:-/usr/bin/python3}
LINES=${LINES:-5000}
RUNS=${RUNS:-5}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/akcred-bench.XXXXXX")
fail() { echo "bench connect: $*" >&2; exit 1; }
skip() { echo "bench connect: skipped: $*" >&2; exit 0; }
. "$TESTS/cli/broker.lib"
broker_need
broker_trap 'cd /; rm -rf "$T"'
cd "$T"

broker_start "$T/broker"
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
broker_register bench1 dev.pub
"$AKCRED" jwt mint --device-id bench1 --key dev.key --ttl 1h >token
seq 1 "$LINES" | sed 's/.*/{"n":&}/' >lines

base="$AKCRED connect --device-id bench1 --key dev.key --host localhost --port $BROKER_PORT --ca-file $CA"
pub="mosquitto_pub -h localhost -p $BROKER_PORT --cafile $CA -i bench1 -u unused -P $(cat token) -t /up/device/id/bench1 -q 1 -l"
"$PYTHON" - "$RUNS" "$LINES" "$base" "$base --spool $T/spool" "$pub" <<'PY'
import shlex, statistics, subprocess, sys, time
runs, lines = int(sys.argv[1]), int(sys.argv[2])
cmds = {"akcred connect": sys.argv[3], "connect --spool": sys.argv[4], "mosquitto_pub -l": sys.argv[5]}
wall = {k: [] for k in cmds}
for i in range(runs + 1):
    for name, cmd in cmds.items():
        with open("lines", "rb") as f:
            t0 = time.perf_counter()
            r = subprocess.run(shlex.split(cmd), stdin=f, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            t1 = time.perf_counter()
        if r.returncode != 0:
            sys.exit("bench connect: %s exited %d" % (name, r.returncode))
        if i > 0:  # the first round warms up
            wall[name].append(t1 - t0)
print("connect: %d lines at QoS 1 to the local TLS broker, all acknowledged, %d runs each" % (lines, runs))
print("  %-18s %14s %12s" % ("", "median wall s", "messages/s"))
for name in cmds:
    m = statistics.median(wall[name])
    print("  %-18s %14.3f %12.0f" % (name, m, lines / m))
PY
