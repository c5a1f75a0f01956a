# Sourced by the benchmarks.  median_ms NAME CMD...: hyperfine's median wall
# time in ms; peak_kib CMD...: the peak resident set size in KiB.
set -eu
W=$(mktemp -d "${TMPDIR:-/tmp}/akcred-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

median_ms() { # RUNS PREPARE CMD: CMD is a shell string run without a shell (-N) if possible
	runs=$1 prep=$2 cmd=$3
	if [ -n "$prep" ]; then
		hyperfine -N -w 5 -r "$runs" --prepare "$prep" --export-json "$W/h.json" "$cmd" >/dev/null 2>&1
	else
		hyperfine -N -w 5 -r "$runs" --export-json "$W/h.json" "$cmd" >/dev/null 2>&1
	fi
	"$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$W/h.json"
}

median_ms_shell() { # RUNS PREPARE CMD: through sh (pipelines)
	runs=$1 prep=$2 cmd=$3
	hyperfine -S sh -w 5 -r "$runs" ${prep:+--prepare "$prep"} --export-json "$W/h.json" "$cmd" >/dev/null 2>&1
	"$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$W/h.json"
}

peak_kib() {
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
}
