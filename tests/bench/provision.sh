# provision: 10,000 EC devices made durably (wall, keys/s, peak memory)
# against Python's cryptography generating and PEM-encoding 10,000 P-256
# pairs in one process with no files, run by run; the rerun that checks the
# batch; the peak memory for 100,000 ids; RSA-2048 keys/s against raw OpenSSL
# on the same cores with --jobs 1 and 2; a shell loop over openssl doing the
# same job; and, as the floor the file layout sets, the same files made by a
# Python loop with no keys and no sync.  Targets: 10,000 durable EC devices
# <= 1.5x Python's time (medians); the rerun <= half the time of making; peak
# RSS <= 32 MiB for 10,000 and 100,000 ids; RSA --jobs 2 >= 90% of two raw
# OpenSSL threads.
# Takes about two to three minutes.
. "$BENCH_LIB"
TESTS_TOOLS=$(cd "$(dirname "$BENCH_LIB")/../tools" && pwd)
cd "$W"
EC_N=${BENCH_PROVISION_EC:-10000}
EC_RUNS=${BENCH_PROVISION_RUNS:-3}
RSA_N=${BENCH_PROVISION_RSA:-30}
SH_N=${BENCH_PROVISION_SHELL:-200}
cores=$(nproc)

# wall seconds, peak KiB and CPU seconds (user + system) of a command: "S KIB CPU"
timed() {
	/usr/bin/time -f '%e %M %U %S' -o "$W/time" "$@" >/dev/null 2>"$W/stderr" || true
	tail -n 1 "$W/time" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }'
}
rate() { # N SECONDS
	awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'
}
median() { # the median of the numbers on standard input
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
ratio() { # A B: A / B
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'
}

# The reference: Python's cryptography (OpenSSL underneath), keys and PEM only.
cat >pyec.py <<'PY'
import sys
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec
for _ in range(int(sys.argv[1])):
    k = ec.generate_private_key(ec.SECP256R1())
    k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    k.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
PY

# The floor the file layout sets: what akcred's files cost the kernel alone,
# with no keys and no sync -- per device a directory made under a hidden name,
# two small files created O_EXCL and written, one rename.  On ext4 that is
# most of akcred's time; Python's reference above writes no file at all.
cat >pyfiles.py <<'PY'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.mkdir(out, 0o700)
priv, pub = b"p" * 241, b"q" * 178
for i in range(1, n + 1):
    stage = "%s/.akcred-dev-%05d.tmp" % (out, i)
    os.mkdir(stage, 0o700)
    for name, data, mode in (("private.pem", priv, 0o600), ("public.pem", pub, 0o644)):
        fd = os.open(stage + "/" + name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        os.write(fd, data)
        os.close(fd)
    os.rename(stage, "%s/dev-%05d" % (out, i))
PY

printf 'cores: %s   load: %s\n\n' "$cores" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %9s %9s %9s %9s\n' "EC P-256, $EC_N devices, durable (group commit)" "wall s" "keys/s" "peak KiB" "CPU s"
# Side by side, run by run, so that a change in the machine's load hits both.
# Each run its own directory, all removed at the end: ext4 without a journal
# scans past inodes freed in the last minute, and a batch removed just before
# would make the next run pay for the benchmark's own clean-up.
: >py.s
: >ak.s
: >re.s
: >fl.s
run=0
while [ "$run" -lt "$EC_RUNS" ]; do
	run=$((run + 1))
	set -- $(timed "$PYTHON" pyec.py "$EC_N")
	echo "$1" >>py.s
	printf '%-52s %9s %9s %9s %9s\n' "python3 cryptography, no files (run $run)" "$1" "$(rate "$EC_N" "$1")" "$2" "$3"
	set -- $(timed "$AKCRED" provision -o "ec$run" --count "$EC_N" --prefix dev-)
	echo "$1" >>ak.s
	printf '%-52s %9s %9s %9s %9s\n' "akcred provision (run $run)" "$1" "$(rate "$EC_N" "$1")" "$2" "$3"
	set -- $(timed "$PYTHON" pyfiles.py "files$run" "$EC_N")
	echo "$1" >>fl.s
	printf '%-52s %9s %9s %9s %9s\n' "  the same files alone, python3, 1 thread (run $run)" "$1" "" "" "$3"
done
"$PYTHON" "$TESTS_TOOLS/pycheckprovision.py" ec1 --expect "$EC_N" >/dev/null ||
	echo "WARNING: the benchmark batch does not check out"
run=0
while [ "$run" -lt "$EC_RUNS" ]; do
	run=$((run + 1))
	set -- $(timed "$AKCRED" provision -o "ec$run" --count "$EC_N" --prefix dev-)
	echo "$1" >>re.s
	printf '%-52s %9s %9s %9s\n' "rerun: check all, change nothing (run $run)" "$1" "$(rate "$EC_N" "$1")" "$2"
done
py=$(median <py.s) ak=$(median <ak.s) re=$(median <re.s) fl=$(median <fl.s)
printf '%-52s %9s\n' "median: python3 cryptography" "$py"
printf '%-52s %9s\n' "median: akcred provision" "$ak"
printf '%-52s %9s\n' "median: the files alone" "$fl"
printf '%-52s %9s\n' "median: rerun" "$re"
printf '%-52s %9s\n' "akcred / python3 (target <= 1.50x)" "$(ratio "$ak" "$py")"
printf '%-52s %9s\n' "rerun / making (target <= 0.50x)" "$(ratio "$re" "$ak")"
printf '%-52s %9s\n' "the files alone / python3 (the layout's floor)" "$(ratio "$fl" "$py")"
printf 'load: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf ec[0-9]* files[0-9]* py.s ak.s re.s fl.s pyec.py pyfiles.py

# A shell loop doing the same job with the openssl tool: key, public key,
# fingerprint, manifest row (and no fsync at all).  Extrapolated from SH_N.
cat >loop.sh <<'SH'
mkdir -p sh
echo device_id,algorithm,fingerprint,public_key,created >sh/manifest.csv
i=1
while [ $i -le "$1" ]; do
	id=$(printf 'dev-%05d' $i)
	mkdir -m 700 sh/$id
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sh/$id/private.pem 2>/dev/null
	openssl pkey -in sh/$id/private.pem -pubout -out sh/$id/public.pem
	fp=$(openssl pkey -pubin -in sh/$id/public.pem -outform DER | sha256sum | cut -c1-64)
	echo "$id,EC256_PEM,$fp,$id/public.pem,$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>sh/manifest.csv
	i=$((i + 1))
done
SH
set -- $(timed sh loop.sh "$SH_N")
printf '%-52s %9s %9s %9s\n' "shell loop over openssl ($SH_N devices, no fsync)" "$1" "$(rate "$SH_N" "$1")" "$2"
printf '%-52s %9s\n' "  the same extrapolated to $EC_N devices" \
	"$(awk -v s="$1" -v n="$SH_N" -v m="$EC_N" 'BEGIN { printf "%.0f", s * m / n }')"
rm -rf sh

# Peak memory for 100,000 ids: a manifest that lists 100,000 devices and an id
# list of the same 100,000 (each is indexed, queued, checked and reported --
# their directories do not exist, so every check fails fast: the whole
# pipeline at 100,000 ids without writing 100,000 key directories).
"$PYTHON" - <<'PY'
import os
os.makedirs("big", exist_ok=True)
with open("big/manifest.csv", "w") as m, open("ids100k.txt", "w") as ids:
    m.write("device_id,algorithm,fingerprint,public_key,created\n")
    for i in range(1, 100001):
        m.write("device-%06d,EC256_PEM,%064x,device-%06d/public.pem,2026-11-24T14:13:27Z\n" % (i, i, i))
        ids.write("device-%06d\n" % i)
PY
printf '\n%-52s %9s %9s\n' "memory as the batch grows" "wall s" "peak KiB"
set -- $(timed "$AKCRED" provision -o big --ids ids100k.txt)
printf '%-52s %9s %9s\n' "100,000 ids, 100,000 manifest rows (checks fail)" "$1" "$2"
head -n 1001 big/manifest.csv >big/m1k.csv
head -n 1000 ids100k.txt >ids1k.txt
set -- $(timed "$AKCRED" provision -o big --ids ids1k.txt --manifest big/m1k.csv)
printf '%-52s %9s %9s\n' "1,000 ids, 1,000 manifest rows (checks fail)" "$1" "$2"
rm -rf big ids100k.txt

# RSA-2048: akcred against raw OpenSSL key generation (EVP_PKEY_Q_keygen in
# N threads, no files) on the same cores.  Wall time depends on the load of
# the machine; CPU seconds per key compare the work itself.
cat >rawkeygen.c <<'C'
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
static atomic_int left;
static void *run(void *a) { (void)a; while (atomic_fetch_sub(&left, 1) > 0) EVP_PKEY_free(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)); return NULL; }
int main(int argc, char **argv) {
	int t = atoi(argv[2]), i; pthread_t th[64];
	atomic_store(&left, atoi(argv[1]));
	for (i = 0; i < t; i++) pthread_create(&th[i], NULL, run, NULL);
	for (i = 0; i < t; i++) pthread_join(th[i], NULL);
	return 0;
}
C
cc -O2 -o rawkeygen rawkeygen.c -lcrypto -pthread
printf '\nload: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %9s %9s %9s %9s\n' "RSA-2048, 2 x $RSA_N keys, runs interleaved" "wall s" "keys/s" "CPU s/key" \
	"cores"
cpk() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", c / (2 * n) }'; }
cores() { awk -v c="$1" -v w="$2" 'BEGIN { printf "%.2f", (w > 0 ? c / w : 0) }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
raw_1=0 rawcpu_1=0 raw_2=0 rawcpu_2=0 akcred_1=0 akcredcpu_1=0 akcred_2=0 akcredcpu_2=0
# Two rounds, each side by side, so that a change in the machine's load hits both.
for round in 1 2; do
	for j in 1 2; do
		set -- $(timed ./rawkeygen "$RSA_N" $j)
		eval "raw_$j=\$(add \$raw_$j $1) rawcpu_$j=\$(add \$rawcpu_$j $3)"
		rm -rf rsa
		set -- $(timed "$AKCRED" provision -o rsa --count "$RSA_N" --prefix dev- --type rsa --jobs $j)
		eval "akcred_$j=\$(add \$akcred_$j $1) akcredcpu_$j=\$(add \$akcredcpu_$j $3)"
	done
done
for j in 1 2; do
	eval "w=\$raw_$j c=\$rawcpu_$j"
	printf '%-52s %9s %9s %9s %9s\n' "raw OpenSSL EVP_PKEY_Q_keygen, $j thread(s)" "$w" \
		"$(rate $((2 * RSA_N)) "$w")" "$(cpk "$c" "$RSA_N")" "$(cores "$c" "$w")"
	eval "w=\$akcred_$j c=\$akcredcpu_$j"
	printf '%-52s %9s %9s %9s %9s\n' "akcred provision --type rsa --jobs $j" "$w" \
		"$(rate $((2 * RSA_N)) "$w")" "$(cpk "$c" "$RSA_N")" "$(cores "$c" "$w")"
done
printf '%-52s %9s\n' "akcred keys/s as a share of raw OpenSSL's, --jobs 1" \
	"$(awk -v r="$raw_1" -v s="$akcred_1" 'BEGIN { printf "%.0f%%", (s > 0 ? 100 * r / s : 0) }')"
printf '%-52s %9s\n' "akcred keys/s as a share of raw OpenSSL's, --jobs 2" \
	"$(awk -v r="$raw_2" -v s="$akcred_2" 'BEGIN { printf "%.0f%%", (s > 0 ? 100 * r / s : 0) }')"
printf '%-52s %9s\n' "akcred CPU per key as a share of raw OpenSSL's" \
	"$(awk -v r="$rawcpu_1" -v s="$akcredcpu_1" 'BEGIN { printf "%.0f%%", (r > 0 ? 100 * s / r : 0) }')"
printf '%-52s %9s\n' "akcred speed-up from --jobs 1 to --jobs 2" \
	"$(awk -v a="$akcred_1" -v b="$akcred_2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')"
printf '%-52s %9s\n' "raw OpenSSL speed-up from 1 to 2 threads" \
	"$(awk -v a="$raw_1" -v b="$raw_2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')"
rm -rf rsa
cat >rsaloop.sh <<'SH'
i=1
while [ $i -le "$1" ]; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k$i.pem 2>/dev/null
	openssl pkey -in k$i.pem -pubout -out p$i.pem
	i=$((i + 1))
done
SH
n=$((RSA_N / 4)); [ "$n" -ge 1 ] || n=1
set -- $(timed sh rsaloop.sh "$n")
printf '%-52s %9s %9s %9s\n' "shell loop over openssl genpkey + pkey ($n keys, 1 core)" "$1" \
	"$(rate "$n" "$1")" "$(awk -v c="$3" -v n="$n" 'BEGIN { printf "%.3f", c / n }')"
echo "(RSA key generation time varies a lot from key to key, and wall times with the"
echo " load of the machine: compare CPU s/key, and the cores each kept busy (CPU s / wall s);"
echo " rerun on an idle machine for the scaling from 1 to 2 jobs)"
