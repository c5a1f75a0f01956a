# fingerprint of one PEM file and keygen --type ec: median wall time and peak
# memory of akcred, the openssl pipeline and the Python reference
# (pycryptodome, as the reference client computes the kid).
# Targets: fingerprint median <= 5 ms and peak <= 8 MiB.
. "$BENCH_LIB"
cd "$W"
"$AKCRED" keygen >/dev/null
cat > pyfp.py <<'PY'
import hashlib, sys
from Cryptodome.PublicKey import ECC
key = ECC.import_key(open(sys.argv[1]).read())
print(hashlib.sha256(key.export_key(format="DER")).hexdigest())
PY
cat > pykeygen.py <<'PY'
import hashlib, os
from Cryptodome.PublicKey import ECC
key = ECC.generate(curve="P-256")
fd = os.open("py_private.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, key.export_key(format="PEM", use_pkcs8=True).encode()); os.fsync(fd); os.close(fd)
open("py_public.pem", "w").write(key.public_key().export_key(format="PEM"))
print(hashlib.sha256(key.public_key().export_key(format="DER")).hexdigest())
PY

printf '%-44s %10s %10s\n' "fingerprint of one PEM public key" "median ms" "peak KiB"
printf '%-44s %10s %10s\n' "akcred fingerprint" \
    "$(median_ms 300 '' "$AKCRED fingerprint ec_public.pem")" "$(peak_kib "$AKCRED" fingerprint ec_public.pem)"
printf '%-44s %10s %10s\n' "openssl pkey -outform DER | sha256sum" \
    "$(median_ms_shell 100 '' "openssl pkey -pubin -in ec_public.pem -outform DER | sha256sum")" \
    "$(peak_kib openssl pkey -pubin -in ec_public.pem -outform DER)"
printf '%-44s %10s %10s\n' "python3 pycryptodome (reference)" \
    "$(median_ms 30 '' "$PYTHON pyfp.py ec_public.pem")" "$(peak_kib "$PYTHON" pyfp.py ec_public.pem)"

printf '\n%-44s %10s %10s\n' "keygen --type ec (files fsynced)" "median ms" "peak KiB"
printf '%-44s %10s %10s\n' "akcred keygen" \
    "$(median_ms 100 'rm -f ec_private.pem ec_public.pem' "$AKCRED keygen")" \
    "$(rm -f ec_private.pem ec_public.pem; peak_kib "$AKCRED" keygen)"
printf '%-44s %10s %10s\n' "openssl genpkey + openssl pkey -pubout" \
    "$(median_ms_shell 50 'rm -f o.pem o.pub' "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out o.pem && openssl pkey -in o.pem -pubout -out o.pub")" \
    "$(rm -f o.pem; peak_kib openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out o.pem)"
printf '%-44s %10s %10s\n' "python3 pycryptodome (reference)" \
    "$(median_ms 20 '' "$PYTHON pykeygen.py")" "$(peak_kib "$PYTHON" pykeygen.py)"
