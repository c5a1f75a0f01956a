# credentials list: each device's credentials with id, name, algorithm,
# fingerprint, expiration and creation, the local key's marked;
# --expiring-within shows only those that expire soon and exits 1 if any;
# --json is the same listing, one object per device.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 3
mock_start
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA"

# dev-0001 gets a second key that expires in 2 days; the others none.
akcred 0 register --manifest dev/manifest.csv --data-flow-id df --create-devices $api
"$AKCRED" keygen --private new.pem --public new.pub >/dev/null
akcred 0 register --device-id dev-0001 --public new.pub --expires 2d $api
fp1=$(sed -n 2p dev/manifest.csv | cut -d, -f3)
fpn=$("$AKCRED" fingerprint new.pub | awk '{print $NF}')

akcred 0 credentials list --device-id dev-0001 --key dev/dev-0001/private.pem $api
cat "$T/out"
assert_grep '^device dev-0001 \(akenza [0-9a-f]+\): 2 credentials$' "$T/out"
assert_grep "^  [0-9a-f]+  akcred-${fp1%"${fp1#????????????}"}  EC256_PEM  expires never  created 20[0-9-]+T[0-9:]+Z  \(the local key\)$" "$T/out"
assert_grep "^  [0-9a-f]+  akcred-${fpn%"${fpn#????????????}"}  EC256_PEM  expires 20[0-9-]+T[0-9:]+Z \(in [0-9dhms]+\)  created " "$T/out"
assert_grep "^      fingerprint $fp1$" "$T/out"
assert_grep "^      fingerprint $fpn$" "$T/out"
assert_eq "$(grep -c 'the local key' "$T/out")" 1 "marked credentials"

# Without --key, nothing is marked.
akcred 0 credentials list --device-id dev-0001 $api
assert_no_grep 'the local key' "$T/out"

# The manifest marks each device's key; devices in order.
akcred 0 credentials list --manifest dev/manifest.csv $api
assert_eq "$(grep -c '^device ' "$T/out")" 3 "devices listed"
assert_eq "$(grep -c 'the local key' "$T/out")" 3 "local keys marked"
assert_eq "$(grep '^device ' "$T/out" | cut -d' ' -f2 | tr '\n' ' ')" "dev-0001 dev-0002 dev-0003 " "order"

# --expiring-within: the one expiring in 2 days, exit 1 for a cron job; none within 1 day.
akcred 1 credentials list --manifest dev/manifest.csv --expiring-within 3d $api
assert_eq "$(grep -c '^device ' "$T/out")" 1 "devices with expiring credentials"
assert_grep '^device dev-0001 .*: 1 credential expiring$' "$T/out"
assert_grep "^      fingerprint $fpn$" "$T/out"
assert_grep '^1 credential expires within 3d$' "$T/out"
akcred 0 credentials list --manifest dev/manifest.csv --expiring-within 1d $api
assert_grep '^0 credentials expire within 1d$' "$T/out"
assert_no_grep '^device ' "$T/out"

# --json: the same, one object per device with its list.
akcred 0 credentials list --manifest dev/manifest.csv --json $api
"$PYTHON" - "$T/out" "$fp1" "$fpn" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
d = {x["device_id"]: x for x in j["devices"]}
assert list(d) == ["dev-0001", "dev-0002", "dev-0003"], list(d)
c = d["dev-0001"]["credentials"]
assert len(c) == 2, c
local = [x for x in c if x["local"]]
assert len(local) == 1 and local[0]["fingerprint"] == sys.argv[2] and local[0]["kid"] == sys.argv[2], c
new = [x for x in c if x["fingerprint"] == sys.argv[3]][0]
assert new["expiration"].endswith("Z") and new["created"].endswith("Z") and not new["local"], new
assert local[0]["expiration"] is None, local
assert all(len(d[k]["credentials"]) == 1 for k in ("dev-0002", "dev-0003")), d
assert j["status"] == "ok" and j["failed"] == 0, j
PY
akcred 1 credentials list --manifest dev/manifest.csv --json --expiring-within 3d $api
"$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["expiring"] == 1 and j["status"] == "negative", j; assert sum(len(d["credentials"]) for d in j["devices"]) == 1' "$T/out"

# A device akenza does not know: named, exit 1; the API key never shown.
akcred 1 credentials list --device-id nosuch $api
assert_grep "^akcred: credentials list: device 'nosuch': not found in akenza workspace 'ws'$" "$T/err"
! grep -qF "$AKCRED_API_KEY" "$T/out" "$T/err" || fail "the API key in the output"

# Usage: one device or a manifest, --key with a device.
akcred 2 credentials list $api
assert_grep '^akcred: credentials list: give either --device-id ID or --manifest FILE$' "$T/err"
akcred 2 credentials list --device-id dev-0001 --manifest dev/manifest.csv $api
akcred 2 credentials list --manifest dev/manifest.csv --key new.pub $api
akcred 2 credentials list --device-id dev-0001 --expiring-within soon $api
akcred 2 credentials list --device-id dev-0001 --api-url http://127.0.0.1:1 --workspace-id ws
assert_grep "--api-url must be an https:// URL" "$T/err"
akcred 3 credentials list --device-id dev-0001 --key nosuch.pem $api
