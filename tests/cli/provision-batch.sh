# provision makes a correct batch: every private key matches its public key,
# every fingerprint equals pycryptodome's, modes, layout and manifest rows as
# documented -- for EC and RSA, with certificates, encrypted, from stdin, with
# the manifest elsewhere.
. "$(dirname "$0")/lib.sh"

i=1
while [ $i -le 12 ]; do printf 'dev-%02d\n' $i; i=$((i + 1)); done >ids.txt
akcred 0 provision -o batch --ids ids.txt --jobs 2
assert_grep '^12 new EC P-256 keys in .batch.' "$T/out"
"$PYTHON" "$TESTS/tools/pycheckprovision.py" batch --expect 12 >/dev/null ||
	fail "the EC batch does not check out"
assert_eq "$(mode_of batch)" 700 "mode of the output directory"
assert_eq "$(head -n 1 batch/manifest.csv)" "device_id,algorithm,fingerprint,public_key,created"
assert_eq "$(mode_of batch/manifest.csv)" 644 "mode of the manifest"
assert_grep '^dev-07,EC256_PEM,[0-9a-f]{64},dev-07/public.pem,20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
	batch/manifest.csv
# akcred's own fingerprint command and OpenSSL agree with the manifest.
fp=$(grep '^dev-03,' batch/manifest.csv | cut -d, -f3)
akcred 0 fingerprint batch/dev-03/private.pem
assert_eq "$(cat "$T/out")" "$fp" "akcred fingerprint of dev-03"
assert_eq "$(openssl pkey -pubin -in batch/dev-03/public.pem -outform DER | sha256sum | cut -c1-64)" \
	"$fp" "openssl's fingerprint of dev-03"
openssl pkey -in batch/dev-03/private.pem -check -noout >/dev/null 2>&1 ||
	fail "openssl does not accept dev-03's private key"

# The JSON summary of a rerun: nothing new, everything checked.
akcred 0 provision -o batch --ids ids.txt --json
"$PYTHON" - "$T/out" <<'PY' || fail "bad JSON summary"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["verified"] == 12 and j["created"] == 0 and j["failed"] == 0, j
assert j["type"] == "ec" and j["curve"] == "P-256" and j["total"] == 12, j
assert j["manifest"] == "batch/manifest.csv", j
PY

# RSA with certificates, ids from stdin, the manifest in another directory.
mkdir lists
printf 'rsa-1\n\n# two RSA devices\nrsa-2\n' | run 0 "$AKCRED" provision -o rsa --ids - --type rsa \
	--cert --days 30 --manifest lists/rsa.csv --jobs 2
"$PYTHON" "$TESTS/tools/pycheckprovision.py" rsa --manifest lists/rsa.csv --cert --type rsa \
	--expect 2 >/dev/null || fail "the RSA batch does not check out"
assert_grep '^rsa-1,RSA256_X509_PEM,[0-9a-f]{64},\.\./rsa/rsa-1/cert.pem,' lists/rsa.csv
openssl x509 -in rsa/rsa-2/cert.pem -noout -subject >"$T/subject"
assert_grep 'CN ?= ?rsa-2' "$T/subject"
end=$(openssl x509 -in rsa/rsa-2/cert.pem -noout -enddate | cut -d= -f2)
days=$(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 ))
[ "$days" -ge 29 ] && [ "$days" -le 30 ] || fail "certificate valid for $days days, not 30"

# Encrypted private keys; a rerun needs the passphrase to check them.
echo 'correct horse' >pass
akcred 0 provision -o enc --count 3 --prefix enc- --encrypt --passphrase-file pass
assert_grep 'ENCRYPTED PRIVATE KEY' enc/enc-1/private.pem
"$PYTHON" "$TESTS/tools/pycheckprovision.py" enc --passphrase 'correct horse' --expect 3 \
	>/dev/null || fail "the encrypted batch does not check out"
akcred 0 provision -o enc --count 3 --prefix enc- --encrypt --passphrase-file pass
assert_grep '^nothing to do' "$T/out"
# Without --encrypt, or with a wrong passphrase: one error for the batch (exit 3), not one per device.
akcred 3 provision -o enc --count 3 --prefix enc-
assert_grep "^akcred: provision: the options do not match batch 'enc': its private keys are encrypted \('enc/enc-[1-3]/private.pem'\): give --encrypt$" "$T/err"
assert_eq "$(wc -l <"$T/err")" 1 "number of messages"
echo 'wrong' >wrong
akcred 3 provision -o enc --count 3 --prefix enc- --encrypt --passphrase-file wrong
assert_grep "^akcred: provision: batch 'enc': wrong passphrase for 'enc/enc-[1-3]/private.pem'$" "$T/err"
assert_eq "$(wc -l <"$T/err")" 1 "number of messages"
# Nothing was touched by the failed checks.
"$PYTHON" "$TESTS/tools/pycheckprovision.py" enc --passphrase 'correct horse' --expect 3 \
	>/dev/null || fail "failed checks changed the batch"
