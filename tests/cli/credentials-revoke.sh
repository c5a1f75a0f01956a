# credentials revoke: one credential by fingerprint or by id; a device's last
# credential is refused (it could no longer connect) unless --force; --dry-run
# shows the requests and sends none; a credential already gone is done,
# but only when the listing can tell.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

make_devices dev 1
mock_start
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA"

akcred 0 register --manifest dev/manifest.csv --data-flow-id df --create-devices $api
for k in a b; do
	"$AKCRED" keygen --private $k.pem --public $k.pub >/dev/null
	akcred 0 register --device-id dev-0001 --public $k.pub $api
done
fp1=$(sed -n 2p dev/manifest.csv | cut -d, -f3)
fpa=$("$AKCRED" fingerprint a.pub | awk '{print $NF}')
fpb=$("$AKCRED" fingerprint b.pub | awk '{print $NF}')

# The kids akenza holds for dev-0001, sorted.
held() {
	mock_state | "$PYTHON" -c 'import json, sys
d = [d for d in json.load(sys.stdin)["devices"] if d["deviceId"] == "dev-0001"][0]
print(" ".join(sorted(c["kid"] for c in d["credentials"])))'
}
cred_id() { # KID: its credential id at akenza
	mock_state | "$PYTHON" -c 'import json, sys
d = [d for d in json.load(sys.stdin)["devices"] if d["deviceId"] == "dev-0001"][0]
print([c["id"] for c in d["credentials"] if c["kid"] == sys.argv[1]][0])' "$1"
}
assert_eq "$(held)" "$(printf '%s\n' "$fp1" "$fpa" "$fpb" | sort | tr '\n' ' ' | sed 's/ $//')" "before"

# --dry-run: the requests, none sent.
n=$(mock_stat requests)
akcred 0 credentials revoke --device-id dev-0001 --fingerprint "$fpa" --dry-run $api
assert_grep "^device dev-0001: the credential of fingerprint $fpa$" "$T/out"
assert_grep "^  GET    $MOCK_URL/v3/assets\?workspaceId=ws&type=DEVICE&search=dev-0001$" "$T/out"
assert_grep "^  GET    $MOCK_URL/v3/device-authorization/devices/\{akenzaDeviceId\}/credentials$" "$T/out"
assert_grep "^  DELETE $MOCK_URL/v3/device-authorization/devices/\{akenzaDeviceId\}/credentials/\{credentialId\} \(unless it is the device's last credential\)$" "$T/out"
assert_grep '^dry run: 1 credential would be revoked, 0 skipped, 0 failed; headers include x-api-key \(not shown\)$' "$T/out"
assert_eq "$(mock_stat requests)" "$n" "requests of a dry run"

# By fingerprint (any case), then by id.
up=$(echo "$fpa" | tr a-f A-F)
akcred 0 credentials revoke --device-id dev-0001 --fingerprint "$up" $api
assert_grep "^revoked  dev-0001  credential [0-9a-f]+$" "$T/out"
assert_eq "$(held)" "$(printf '%s\n' "$fp1" "$fpb" | sort | tr '\n' ' ' | sed 's/ $//')" "after revoking a"
idb=$(cred_id "$fpb")
akcred 0 credentials revoke --device-id dev-0001 --credential-id "$idb" $api --json
"$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); d=j["devices"][0]
assert j["revoked"] == 1 and j["status"] == "ok" and d["outcome"] == "revoked" and d["credential_id"] == sys.argv[2], j' "$T/out" "$idb"
assert_eq "$(held)" "$fp1" "after revoking b"

# Gone already: done, exit 0, nothing deleted.
akcred 0 credentials revoke --device-id dev-0001 --fingerprint "$fpa" $api
assert_grep '^gone     dev-0001  akenza holds no such credential$' "$T/out"

# The last credential: refused and said, exit 1, still there; --force deletes it.
n=$(mock_stat credentials_deleted)
akcred 1 credentials revoke --device-id dev-0001 --fingerprint "$fp1" $api
assert_grep "^akcred: credentials revoke: device 'dev-0001': credential [0-9a-f]+ is its last one: without it the device cannot connect; not deleted \(--force deletes it\)$" "$T/err"
assert_eq "$(held)" "$fp1" "the last credential"
assert_eq "$(mock_stat credentials_deleted)" "$n" "deletes refused"
id1=$(cred_id "$fp1")
akcred 1 credentials revoke --device-id dev-0001 --credential-id "$id1" $api
assert_grep "is its last one" "$T/err"
akcred 0 credentials revoke --device-id dev-0001 --credential-id "$id1" --force $api
assert_eq "$(held)" "" "after --force"

# A lost answer to the DELETE: sent again, the 404 counts as done.
mock_stop
mock_start --drop-after-delete 1
api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA"
akcred 0 register --device-id dev-0001 --public a.pub --create-devices --data-flow-id df $api
akcred 0 register --device-id dev-0001 --public b.pub $api
akcred 0 credentials revoke --device-id dev-0001 --fingerprint "$fpa" $api
assert_grep "^revoked  dev-0001  credential [0-9a-f]+$" "$T/out"
assert_grep "note: akenza answered 404 to the DELETE: gone since it was listed" "$T/out"
assert_eq "$(held)" "$fpb" "after a lost DELETE answer"
assert_eq "$(mock_stat drop-after-delete)" 1 "faults injected"
assert_eq "$(mock_stat credentials_deleted)" 1 "credentials deleted"
! grep -qF "$AKCRED_API_KEY" "$T/out" "$T/err" || fail "the API key in the output"

# Usage: one way to name the credential, a kid that is one.
akcred 2 credentials revoke --device-id dev-0001 $api
assert_grep '^akcred: credentials revoke: --device-id needs --fingerprint KID or --credential-id ID$' "$T/err"
akcred 2 credentials revoke --device-id dev-0001 --fingerprint abc $api
assert_grep "^akcred: credentials revoke: --fingerprint 'abc' is not a kid \(64 hex digits\)$" "$T/err"
akcred 2 credentials revoke --device-id dev-0001 --fingerprint "$fpa" --credential-id x $api
akcred 2 credentials revoke --manifest dev/manifest.csv $api

# A listing that shows no comparable fingerprint and no public key: not
# finding the key in it proves nothing, so the revoke fails (exit 1) and
# deletes nothing -- it said "gone" before; by id it still works.
mock_stop
mock_start --fingerprint none --no-public-key
api="--workspace-id ws --api-url $MOCK_URL --ca-file $MOCK_CA"
akcred 0 register --device-id dev-0001 --public a.pub --create-devices --data-flow-id df $api
akcred 0 register --device-id dev-0001 --public b.pub $api
akcred 1 credentials revoke --device-id dev-0001 --fingerprint "$fpa" $api
assert_grep "^akcred: credentials revoke: device 'dev-0001': cannot tell from akenza's listing whether the credential is gone: credential '[0-9a-f]+' shows no kid, no public key and no certificate fingerprint akcred knows$" "$T/err"
assert_eq "$(mock_stat credentials_deleted)" 0 "credentials deleted"
assert_eq "$(held)" "$(printf '%s\n' "$fpa" "$fpb" | sort | tr '\n' ' ' | sed 's/ $//')" "after a listing that tells nothing"
akcred 0 credentials revoke --device-id dev-0001 --credential-id "$(cred_id "$fpa")" $api
assert_eq "$(held)" "$fpb" "after revoking by id"
