#!/bin/sh
# Benchmark: connect, publish at QoS 1, wait for the PUBACK, disconnect, against
# the local TLS broker (mosquitto + akcred_auth.so on 127.0.0.1): akcred check
# (which also mints and checks its token) beside mosquitto_pub doing the same
# with a pre-minted token.  Median wall time (hyperfine) and peak RSS.
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
command -v hyperfine >/dev/null 2>&1 || skip "no hyperfine"
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

hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$T/h.json" \
	-n "akcred check" "$akcred_cmd" -n "mosquitto_pub" "$pub_cmd" >"$T/h.out" 2>&1 || { cat "$T/h.out" >&2;
	fail "hyperfine failed"; }
rss_akcred=$(/usr/bin/time -f %M sh -c "exec $akcred_cmd" 2>&1 >/dev/null | tail -n 1)
rss_pub=$(/usr/bin/time -f %M sh -c "exec $pub_cmd" 2>&1 >/dev/null | tail -n 1)

"$PYTHON" - "$T/h.json" "$rss_akcred" "$rss_pub" "$RUNS" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
a, p = res["akcred check"], res["mosquitto_pub"]
print("check: connect + TLS + publish QoS 1 + PUBACK + disconnect, local broker, %s runs" % sys.argv[4])
print("  %-14s %10s %10s %10s %12s" % ("", "median ms", "mean ms", "stddev ms", "peak RSS KiB"))
for name, r, rss in (("akcred check", a, sys.argv[2]), ("mosquitto_pub", p, sys.argv[3])):
    print("  %-14s %10.2f %10.2f %10.2f %12s" % (name, r["median"] * 1e3, r["mean"] * 1e3,
                                                 r["stddev"] * 1e3, rss))
ratio = a["median"] / p["median"]
print("  akcred/mosquitto_pub median ratio: %.2fx (target <= 1.20x): %s" %
      (ratio, "ok" if ratio <= 1.2 else "OVER TARGET"))
PY
