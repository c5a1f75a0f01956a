# rotate --verify-login: a new key that the broker refuses does not replace
# the old one (the device fails, its old key stays in use, exit 1); once the
# broker knows the new keys, the rerun logs in with each, then swaps it in.
# And --expires gives the new credentials their expiration.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/broker.lib"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"
broker_need
broker_trap 'mock_kill_all; cd /; rm -rf "$T"'

rotate_setup 3 ec
broker_start "$T/broker"
# One trust file for the API's CA and the broker's.
cat "$MOCK_CA" "$CA" >both.pem
rot="rotate --manifest dev/manifest.csv --workspace-id ws --api-url $MOCK_URL --ca-file both.pem
	--verify-login --host localhost --port $BROKER_PORT --expires 30d"
cp dev/manifest.csv manifest.before
akcred 1 $rot
assert_grep "^akcred: rotate: device 'dev-0002': the broker refused the new key, which stays beside the old one: " "$T/err"
assert_grep '^3 devices: 0 rotated, .* 3 failed$' "$T/out"
cmp -s manifest.before dev/manifest.csv || fail "the manifest changed"
assert_eq "$(py_fingerprint dev/dev-0002/private.pem)" "$(grep '^dev-0002,' manifest.before | cut -d, -f3)" "key in use"
assert_eq "$(grep -c ',uploaded,' dev/rotation.csv)" 3 "uploaded rows"
assert_eq "$(grep -c ',verified,' dev/rotation.csv || true)" 0 "verified rows"
rotate_check
# Each new credential expires in 30 days, as akenza lists it.
mock_state | "$PYTHON" -c '
import json, sys, time, calendar
for d in json.load(sys.stdin)["devices"]:
    new = d["credentials"][-1]
    t = calendar.timegm(time.strptime(new["expiration"], "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(t - time.time() - 30 * 86400) < 3600, new
    assert d["credentials"][0]["expiration"] is None, d
' || fail "--expires: the new credentials' expiration"

# The broker learns the new keys: the rerun logs in with each, then swaps.
for d in dev-0001 dev-0002 dev-0003; do
	mkdir -p "$KEYS_DIR/$d"
	cp "dev/$d/public.pem.next" "$KEYS_DIR/$d/new.pem"
	py_fingerprint "dev/$d/public.pem.next" >"$d.newfp"
done
# dev-0002 as a run without --verify-login killed inside its swap leaves it: the
# private key renamed already, the public one not.  The login uses the key in place.
mv dev/dev-0002/private.pem.next dev/dev-0002/private.pem
akcred 0 $rot
assert_grep '^3 devices: 3 rotated, .* 0 failed$' "$T/out"
assert_eq "$(grep -c ',verified,' dev/rotation.csv)" 3 "verified rows"
for d in dev-0001 dev-0002 dev-0003; do
	assert_grep "device '$d' logged in with key $(cat "$d.newfp")" "$BROKER_LOG"
done
rotate_check --final
