#!/bin/sh
# Benchmark of akcred register: 1,000 devices against the local mock akenza
# API (HTTPS, tests/tools/mockakenza.py), with --jobs 1 and the default
# (--jobs 8), side by side with a sequential curl loop making the same three
# requests per device (look the device up, list its credentials, add one),
# one curl process per request as a shell script would.  The devices exist
# beforehand; each run starts from a fresh server.  Also reported: the mock's
# own CPU time per run, to tell whether the mock is the bottleneck.  Then the
# same with every answer delayed by LATENCY ms (default 20), as from a server
# far away, on the first NLAT (default 200) devices: what --jobs is for.
#   $AKCRED $PYTHON $O; N (default 1000) devices, RUNS (default 3) runs of akcred.
set -eu
: "${AKCRED:?}"
PYTHON=${PYTHON:-/usr/bin/python3}
N=${N:-1000}
RUNS=${RUNS:-3}
LATENCY=${LATENCY:-20}
NLAT=${NLAT:-200}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/akcred-bench.XXXXXX")
trap 'mock_kill_all; cd /; rm -rf "$T"' EXIT
cd "$T"
fail() {
	echo "bench register: $*" >&2
	exit 1
}
. "$TESTS/tools/mockakenza.sh"

# N EC public keys, the manifest, and each device's credential body for curl.
"$PYTHON" - "$N" <<'PY'
import hashlib, json, os, sys
from Cryptodome.PublicKey import ECC
n = int(sys.argv[1])
os.makedirs("dev")
with open("dev/manifest.csv", "w") as m, open("existing", "w") as ex:
    m.write("device_id,algorithm,fingerprint,public_key,created\n")
    for i in range(1, n + 1):
        d = "dev-%04d" % i
        pub = ECC.generate(curve="P-256").public_key()
        pem = pub.export_key(format="PEM") + "\n"
        open("dev/%s.pem" % d, "w").write(pem)
        fp = hashlib.sha256(pub.export_key(format="DER")).hexdigest()
        m.write("%s,EC256_PEM,%s,%s.pem,2026-11-24T14:13:27Z\n" % (d, fp, d))
        ex.write(d + "\n")
        body = {"name": "akcred-" + fp[:12], "akenzaDeviceId": "AKID",
                "algorithm": "EC256_PEM", "publicKey": pem}
        open("dev/%s.json" % d, "w").write(json.dumps(body, separators=(",", ":")))
PY

cpu_of() { # PID: user+system CPU seconds (clock ticks / 100)
	awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"
}

now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

results=$T/results
: >"$results"

# One akcred run on a fresh server; appends "label wall_ms rss_kb cpu_s mock_cpu_s".
run_akcred() { # LABEL ARGS...
	label=$1
	shift
	mock_start --existing "$T/existing" ${MOCK_EXTRA:-}
	rm -f dev/registered.csv
	c0=$(cpu_of "$MOCK_PID")
	t0=$(now_ms)
	AKCRED_API_KEY=$(cat "$T/apikey") /usr/bin/time -f '%M %U %S' -o "$T/rss" "$AKCRED" register \
		--manifest "$MANIFEST" --workspace-id ws --api-url "$MOCK_URL" \
		--ca-file "$MOCK_CA" "$@" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; fail "$label failed"; }
	t1=$(now_ms)
	c1=$(cpu_of "$MOCK_PID")
	grep -q "^$NDEV devices: $NDEV registered" "$T/out" || { tail -n 3 "$T/out" >&2; fail "$label: not all registered"; }
	mock_check "$MANIFEST"
	set -- $(tail -n 1 "$T/rss")
	echo "$label $((t1 - t0)) $1 $(awk "BEGIN { printf \"%.2f %.2f\", $2 + $3, $c1 - $c0 }")" >>"$results"
	mock_stop
}

run_curl() {
	mock_start --existing "$T/existing"
	key=$(cat "$T/apikey")
	c0=$(cpu_of "$MOCK_PID")
	t0=$(now_ms)
	for line in $(tail -n +2 dev/manifest.csv | cut -d, -f1); do
		id=$(curl -sS --fail --cacert "$MOCK_CA" -H "x-api-key: $key" -H 'Accept: application/json' \
			"$MOCK_URL/v3/assets?workspaceId=ws&type=DEVICE&search=$line" |
			sed -n 's/.*"id": *"\([0-9a-f]*\)", *"deviceId": *"'"$line"'".*/\1/p')
		[ -n "$id" ] || fail "curl loop: no id for $line"
		curl -sS --fail --cacert "$MOCK_CA" -H "x-api-key: $key" -H 'Accept: application/json' \
			"$MOCK_URL/v3/device-authorization/devices/$id/credentials" >/dev/null
		sed "s/AKID/$id/" "dev/$line.json" |
			curl -sS --fail --cacert "$MOCK_CA" -H "x-api-key: $key" \
				-H 'Content-Type: application/json' --data-binary @- \
				"$MOCK_URL/v3/device-authorization/devices/$id/credentials" >/dev/null
	done
	t1=$(now_ms)
	c1=$(cpu_of "$MOCK_PID")
	mock_check dev/manifest.csv
	echo "curl-loop $((t1 - t0)) - - $(awk "BEGIN { printf \"%.2f\", $c1 - $c0 }")" >>"$results"
	mock_stop
}

MANIFEST=dev/manifest.csv NDEV=$N
round=0
while [ $round -lt "$RUNS" ]; do
	run_akcred "jobs-1" --jobs 1
	run_akcred "jobs-default"
	round=$((round + 1))
done
run_curl

# Far away: a subset, with latency.
head -n $((NLAT + 1)) dev/manifest.csv >dev/near.csv
MANIFEST=dev/near.csv NDEV=$NLAT MOCK_EXTRA="--latency $LATENCY"
run_akcred "lat-jobs-1" --jobs 1
run_akcred "lat-jobs-default"
run_akcred "lat-jobs-32" --jobs 32
# Median wall time per label, devices per second, ratio to the curl loop.
"$PYTHON" - "$results" "$N" "$NLAT" "$LATENCY" <<'PY'
import os, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, ms, rss, cpu, mock = line.split()
    rows.setdefault(label, []).append((int(ms), rss, cpu, float(mock)))
n = int(sys.argv[2])
curl_ms = statistics.median(r[0] for r in rows["curl-loop"])
print("register: %d devices, 3 requests each, local mock akenza API over HTTPS" % n)
print("%-14s %5s %9s %10s %8s %12s %11s %10s" % ("run", "runs", "median s", "devices/s",
                                                "vs curl", "peak RSS KB", "akcred CPU", "mock CPU"))
for label in ("jobs-1", "jobs-default", "curl-loop"):  # the full set
    r = rows[label]
    ms = statistics.median(x[0] for x in r)
    rss = r[0][1]
    cpu = r[0][2]
    mock = statistics.median(x[3] for x in r)
    print("%-14s %5d %9.2f %10.1f %7.1fx %12s %11s %10.2f" % (label, len(r), ms / 1000,
                                                          n / (ms / 1000), curl_ms / ms, rss,
                                                          cpu, mock))
print("CPU in seconds per run; the machine has %d cores, shared." % os.cpu_count())
nlat, lat = int(sys.argv[3]), sys.argv[4]
print()
print("with %s ms added to every answer, %d devices" % (lat, nlat))
print("%-16s %9s %10s %10s" % ("run", "wall s", "devices/s", "vs jobs 1"))
base = rows["lat-jobs-1"][0][0]
for label in ("lat-jobs-1", "lat-jobs-default", "lat-jobs-32"):
    ms = rows[label][0][0]
    print("%-16s %9.2f %10.1f %9.1fx" % (label, ms / 1000, nlat / (ms / 1000), base / ms))
PY
