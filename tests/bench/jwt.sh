#!/bin/sh
# Benchmark of the jwt commands and module:
#  1. one "akcred jwt mint" invocation, EC and RSA: median wall time (hyperfine)
#     and peak RSS (/usr/bin/time), next to the Python reference client's way
#     (tests/tools/pymint.py: PyJWT + pycryptodome) doing the same job;
#     targets: at most 5 ms and 8 MiB;
#  2. in-process signing throughput of the jwt module ($O/bench-jwt) next to
#     "openssl speed -seconds 2 ecdsap256 rsa2048" in the same run;
#     target: at least 90% of openssl's signs/s.
# Environment: $AKCRED, $PYTHON, $O (build dir holding bench-jwt).
set -eu
: "${AKCRED:?}" "${O:?}"
PYTHON=${PYTHON:-/usr/bin/python3}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
K=$TESTS/data/jwt
RUNS=${RUNS:-30}
SECS=${SECS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/akcred-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# median_ms CMD...: hyperfine's median wall time and mean user+system CPU
# time, in milliseconds ("wall cpu").  CPU time is shown because the machine
# may be shared: wall time then measures the neighbours too.
median_ms() {
	hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$tmp/h.json" "$*" >/dev/null 2>&1
	"$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f %.2f" % (r["median"] * 1000, (r["user"] + r["system"]) * 1000))' "$tmp/h.json"
}

# peak_kib CMD...: median of 5 peak RSS figures, KiB.
peak_kib() {
	for i in 1 2 3 4 5; do
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1
		cat "$tmp/rss"
	done | sort -n | sed -n 3p
}

echo "== akcred jwt mint, one invocation (median of $RUNS; peak RSS median of 5)"
printf '%-34s %10s %10s %10s\n' "" "wall ms" "CPU ms" "RSS MiB"
for t in ec rsa; do
	a="$AKCRED jwt mint --device-id bench-device --key $K/${t}_private.pem"
	p="$PYTHON $TESTS/tools/pymint.py $K/${t}_private.pem $K/${t}_public.pem bench-device"
	$a >/dev/null && $p >/dev/null
	am=$(median_ms $a) ar=$(peak_kib $a)
	pm=$(median_ms $p) pr=$(peak_kib $p)
	printf '%-34s %10s %10s %10.1f\n' "akcred jwt mint ($t)" $am "$(echo "$ar / 1024" | bc -l)"
	printf '%-34s %10s %10s %10.1f\n' "python reference, PyJWT ($t)" $pm "$(echo "$pr / 1024" | bc -l)"
	awk -v m="${am%% *}" -v r="$ar" -v t="$t" 'BEGIN {
		printf "  target %s: %s (median <= 5 ms), %s (<= 8 MiB)\n", t,
		    (m <= 5 ? "met" : "MISSED"), (r <= 8192 ? "met" : "MISSED") }'
done
a="$AKCRED help"  # loads no key and no network library: the start-up floor
printf '%-34s %10s %10s %10.1f\n' "akcred help (start-up floor)" $(median_ms $a) "$(echo "$(peak_kib $a) / 1024" | bc -l)"

echo
echo "== signing throughput per CPU second (same run; bench-jwt: median of 20 rounds, user+sys CPU)"
speed=$(openssl speed -seconds 2 ecdsap256 rsa2048 2>/dev/null)
os_ec=$(printf '%s\n' "$speed" | awk '/ecdsa \(nistp256\)/ { print $(NF-1) }')
os_rsa=$(printf '%s\n' "$speed" | awk '/^rsa 2048 bits/ { print $(NF-1) }')
"$O/bench-jwt" "$K/ec_private.pem" "$SECS" >"$tmp/ec"
"$O/bench-jwt" "$K/rsa_private.pem" "$SECS" >"$tmp/rsa"
printf '%-44s %10s %10s\n' "" "ES256" "RS256"
printf '%-44s %10s %10s\n' "openssl speed -seconds 2 (sign/s, user CPU)" "$os_ec" "$os_rsa"
for m in raw signer_buf signer oneshot; do
	case $m in
	raw) what="EVP_PKEY_sign alone, in-process" ;;
	signer_buf) what="jwt_signer_mint_buf (token module)" ;;
	signer) what="jwt_signer_mint (+ sodium_malloc)" ;;
	oneshot) what="jwt_mint (+ set-up, kid per token)" ;;
	esac
	printf '%-44s %10s %10s\n' "$what" "$(awk -v m=$m '$1 == m { print $2 }' "$tmp/ec")" \
		"$(awk -v m=$m '$1 == m { print $2 }' "$tmp/rsa")"
done
for t in ec rsa; do
	os=$os_ec
	[ $t = rsa ] && os=$os_rsa
	awk -v t="$t" -v os="$os" '$1 == "signer_buf" { v = $2 } $1 == "signer" { s = $2 } $1 == "raw" { r = $2 } END {
		printf "  %s: token module %.0f%% of openssl speed (target >= 90%%: %s); %.0f%% of EVP_PKEY_sign in-process; jwt_signer_mint %.0f%%\n",
		    t, 100 * v / os, (v >= 0.9 * os ? "met" : "MISSED"), 100 * v / r, 100 * s / os }' "$tmp/$t"
done
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
