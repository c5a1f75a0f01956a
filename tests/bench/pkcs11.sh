#!/bin/sh
# Benchmark of a token's key: one "akcred jwt mint" invocation with a key on a
# SoftHSM2 token (module load, session, login, CKM_ECDSA / CKM_SHA256_RSA_PKCS)
# next to the same command with a key file, median wall time of $RUNS runs
# (hyperfine); and keygen on the token.  Target: a token mint at most 2x the
# file one.
# Environment: $AKCRED, $PYTHON, $O.
set -eu
: "${AKCRED:?}" "${O:?}"
PYTHON=${PYTHON:-/usr/bin/python3}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30}
. "$TESTS/bench/lib.sh"
MODULE=/usr/lib/softhsm/libsofthsm2.so
[ -f "$MODULE" ] || { echo "skipped: no $MODULE (Debian package softhsm2)"; exit 0; }

mkdir -p "$W/tokens"
printf 'directories.tokendir = %s/tokens\nlog.level = ERROR\n' "$W" >"$W/softhsm2.conf"
export SOFTHSM2_CONF="$W/softhsm2.conf" AKCRED_PKCS11_MODULE="$MODULE"
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
echo 1234 >"$W/pin"
cd "$W"
"$AKCRED" keygen --private ec.pem --public ec.pub >/dev/null
"$AKCRED" keygen -t rsa --private rsa.pem --public rsa.pub >/dev/null
"$AKCRED" keygen --private 'pkcs11:token=bench;object=ec' --public tec.pub --pin-file pin >/dev/null
"$AKCRED" keygen -t rsa --private 'pkcs11:token=bench;object=rsa' --public trsa.pub \
	--pin-file pin >/dev/null

echo "== akcred jwt mint, one invocation: a SoftHSM2 key vs a key file (median of $RUNS, ms)"
printf '%-10s %10s %10s %8s\n' "" "file" "token" "ratio"
for t in ec rsa; do
	f=$(median_ms "$RUNS" "" "$AKCRED jwt mint --device-id bench-device --key $t.pem")
	k=$(median_ms "$RUNS" "" "$AKCRED jwt mint --device-id bench-device --pin-file pin --key pkcs11:token=bench;object=$t")
	awk -v t="$t" -v f="$f" -v k="$k" 'BEGIN {
		printf "%-10s %10.2f %10.2f %7.2fx  target <= 2x: %s\n", t, f, k, k / f, (k <= 2 * f ? "met" : "MISSED") }'
done
h=$(median_ms "$RUNS" "" "$AKCRED help")
echo "akcred help (start-up floor): $h ms"
echo
echo "== akcred keygen on the token (median of 10, ms)"
k=$(median_ms 10 "" "$AKCRED keygen --force --private pkcs11:token=bench;object=kg --public kg.pub --pin-file pin")
echo "EC P-256: $k ms"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
