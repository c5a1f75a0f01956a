# check --manifest: what it is given -- the command line, bad and repeated manifest rows,
# encrypted keys (one passphrase for the batch), a payload from standard input (read once),
# a dry run (nothing recorded), certificates in the manifest.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker
set -- --host localhost --port "$BROKER_PORT" --ca-file "$CA"

akcred 2 check --jobs 4 --device-id dev1 --key dev.key
assert_grep 'jobs needs --manifest' err
akcred 2 check --all --device-id dev1 --key dev.key
akcred 2 check --manifest m.csv --device-id dev1
akcred 2 check --manifest m.csv --token-file t.jwt
akcred 2 check --manifest m.csv --listen 10s
akcred 2 check --manifest m.csv --jobs 0
akcred 2 check --manifest m.csv --jobs 257
akcred 2 check "$@"
assert_grep 'device-id is required \(or --manifest\)' err
akcred 3 check --manifest missing.csv "$@"
assert_grep "missing.csv" err

# Encrypted keys and certificates: the passphrase comes once, from the file, for all.
echo 'batch secret' >pass
"$AKCRED" provision --out-dir e --count 6 --prefix e --encrypt --passphrase-file pass \
	--cert >/dev/null
for d in e/e*/; do
	broker_register "$(basename "$d")" "$d/cert.pem"
done
akcred 0 check --manifest e/manifest.csv --passphrase-file pass "$@"
assert_eq "$(grep -c '^ok  ' out)" 6 "encrypted devices passed"
AKCRED_PASSPHRASE='batch secret' akcred 0 check --manifest e/manifest.csv --all "$@"
assert_eq "$(grep -c '^ok  ' out)" 6 "encrypted devices passed (environment)"
echo 'wrong' >wrong
akcred 1 check --manifest e/manifest.csv --all --passphrase-file wrong "$@"
assert_grep "^failed  e1  token: wrong passphrase for 'e/e1/private.pem' \(exit 3\)$" out
# Without a passphrase and without a terminal to ask on: said once, for the batch.
run 2 setsid "$AKCRED" check --manifest e/manifest.csv --all "$@" </dev/null
assert_eq "$(grep -c '^akcred: ' err)" 1 "errors"
assert_grep "a passphrase is needed for e/e[1-6]/private.pem and there is no terminal to ask on" err
assert_no_grep '^(ok|failed)  ' out

# Bad rows and a device listed twice fail as input errors; the rest is checked.
check_batch 3 b
{
	cat b/manifest.csv
	sed -n 2p b/manifest.csv
	echo 'bad id!,EC256_PEM,00,x/public.pem,2026-11-24T14:13:27Z'
} >b/twice.csv
akcred 1 check --manifest b/twice.csv "$@"
assert_grep "^failed  b[1-3]  manifest: 'b/twice.csv' line 5: device 'b[1-3]' is listed twice \(first on line 2\) \(exit 3\)$" out
assert_grep "^failed  \(line 6\)  manifest: 'b/twice.csv' line 6: .* \(exit 3\)$" out
assert_eq "$(grep -c '^ok  ' out)" 3 "devices passed"
assert_grep '^5 devices: 3 passed, 2 failed, ' out
assert_eq "$(grep -c ',passed,' b/checked.csv)" 3 "rows recorded"

# A dry run reads the results file but writes nothing; the payload comes from stdin once.
rm b/checked.csv
echo '{"temperature":22}' | akcred 0 check --manifest b/manifest.csv --dry-run --payload-file - "$@"
assert_eq "$(grep -c '^ok  ' out)" 3 "devices ready"
[ ! -e b/checked.csv ] || fail "a dry run wrote the results file"
echo '{"temperature":22}' | akcred 0 check --manifest b/manifest.csv --payload-file - "$@"
assert_eq "$(grep -c '^ok  ' out)" 3 "devices published"
echo '[1]' | akcred 0 check --manifest b/manifest.csv --all --payload-file - "$@"
assert_eq "$(grep -c 'warning: the payload is JSON but not an object' err)" 1 "warnings"
# --results: elsewhere; a second run at the same time would be refused by its lock.
akcred 0 check --manifest b/manifest.csv --results r.csv "$@"
assert_eq "$(grep -c ',passed,' r.csv)" 3 "rows in --results"

# A batch whose first key is not encrypted and whose others are: the passphrase from the
# environment reaches every device, not only the first ones.
{
	head -n 1 b/manifest.csv
	tail -n +2 b/manifest.csv | awk -F, -v OFS=, '{ $4 = "b/" $4; print }'
	tail -n +2 e/manifest.csv | awk -F, -v OFS=, '{ $4 = "e/" $4; print }'
} >mixed.csv
AKCRED_PASSPHRASE='batch secret' akcred 0 check --manifest mixed.csv --jobs 2 "$@"
assert_eq "$(grep -c '^ok  ' out)" 9 "devices passed (mixed)"
