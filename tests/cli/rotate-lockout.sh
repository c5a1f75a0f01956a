# rotate deletes a device's old credential only while akenza still lists the new
# one: with the new credential revoked by hand (and some other credential there,
# so that the old one is not the device's last), --finish keeps the old one --
# the key the device still logs in with after the swap is the new one, and
# deleting the old would leave it with no credential of a key it holds.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

rotate_setup 1 ec
old=$(grep '^dev-0001,' dev/manifest.csv | cut -d, -f3)
akcred 0 $ROT --keep-old
new=$(grep '^dev-0001,' dev/manifest.csv | cut -d, -f3)
[ "$new" != "$old" ] || fail "the key did not change"
api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA"
akcred 0 credentials revoke --device-id dev-0001 --fingerprint "$new" $api
"$AKCRED" keygen --private other.pem --public other.pub >/dev/null
akcred 0 register --device-id dev-0001 --public other.pub $api
other=$("$AKCRED" fingerprint other.pub)

akcred 1 $ROT --finish
assert_grep "^akcred: rotate: device .dev-0001.: akenza does not list the new key $new \(credential [0-9a-f]+\) any more: the old credential is kept$" "$T/err"
assert_grep "1 failed$" "$T/out"
akcred 0 credentials list --device-id dev-0001 $api --json
"$PYTHON" - "$T/out" "$old" "$other" <<'PY' || fail "the old credential was not kept"
import json, sys
j = json.load(open(sys.argv[1]))
fps = sorted(c["fingerprint"] for c in j["devices"][0]["credentials"])
assert fps == sorted(sys.argv[2:4]), fps
PY
