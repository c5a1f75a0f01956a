# register: the results file is a journal, as the manifest is: a second run
# on it at the same time is refused before any request, a file that is not
# one is never appended to, and one an editor saved with a byte order mark and
# CRLF line ends is read as the manifest would be.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 3
mock_start
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
reg="register --manifest dev/manifest.csv --workspace-id ws --data-flow-id df --create-devices"
reg="$reg --api-url $MOCK_URL --ca-file $MOCK_CA"
header=device_id,akenza_device_id,credential_id,fingerprint,registered

# Another run holds the results file (its lock, taken here by the shell).
echo "$header" >dev/registered.csv
exec 9<dev/registered.csv
flock -x 9
akcred 3 $reg
exec 9<&-
assert_grep "'dev/registered.csv' is in use by another akcred process" "$T/err"
assert_eq "$(mock_stat requests)" 0 "requests while the results file was in use"
assert_eq "$(cat dev/registered.csv)" "$header" "the results file in use"

akcred 0 $reg
assert_grep '^3 devices: 3 registered, 0 already there, 0 skipped' "$T/out"
assert_eq "$(tail -n +2 dev/registered.csv | wc -l)" 3 "result rows"

# Not a results file: refused, and left as it was.
printf 'name,value\na,b\n' >other.csv
akcred 3 $reg --results other.csv
assert_grep "'other.csv' is not a results file of akcred register" "$T/err"
assert_eq "$(cat other.csv)" "$(printf 'name,value\na,b')" "the other file"

# Saved by an editor on Windows: every device is still known (nothing sent),
# for a dry run too.
printf '\357\273\277' >saved.csv
sed 's/$/\r/' dev/registered.csv >>saved.csv
mv saved.csv dev/registered.csv
before=$(mock_stat requests)
akcred 0 $reg --dry-run
assert_grep '^dry run: 0 devices would be registered, 3 skipped, 0 failed' "$T/out"
akcred 0 $reg
assert_grep '^3 devices: 0 registered, 0 already there, 3 skipped' "$T/out"
assert_eq "$(mock_stat requests)" "$before" "requests for devices in the results file"

# A row is known by the rules its fields were written by: any device id that
# devid allows (here with '!' and '@'), an akenza id, a kid.
"$AKCRED" keygen --private odd.key --public odd.pem >/dev/null
odd='odd!id@site'
akcred 0 register --device-id "$odd" --public odd.pem --workspace-id ws --data-flow-id df \
	--create-devices --api-url "$MOCK_URL" --ca-file "$MOCK_CA" --results odd.csv
assert_grep "^registered +$odd  device " "$T/out"
before=$(mock_stat requests)
akcred 0 register --device-id "$odd" --public odd.pem --workspace-id ws --api-url "$MOCK_URL" \
	--ca-file "$MOCK_CA" --results odd.csv
assert_grep "^skipped +$odd" "$T/out"
assert_eq "$(mock_stat requests)" "$before" "requests for a device in the results file"
