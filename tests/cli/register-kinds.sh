# register: certificates and RSA keys; akenza answering with the
# certificate's SHA-1 or no fingerprint at all (said, not failed); devices
# missing without --create-devices; an unknown akenza id (akenza's message
# and the HTTP status named); a server certificate we do not trust (exit 6).
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
make_devices certs 3 cert
make_devices rsa 2 rsa

mock_start --fingerprint sha1
akcred 0 register --manifest certs/manifest.csv --workspace-id w --data-flow-id f --create-devices \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_eq "$(grep -c "note: akenza's fingerprint is the certificate's SHA-1; it matches" "$T/out")" 3 "sha1 notes"
mock_check certs/manifest.csv
mock_state | grep -q '"algorithm": "EC256_X509_PEM"' || fail "not uploaded as a certificate"
# The listing (sha1 fingerprints) recognises them too.
rm certs/registered.csv
akcred 0 register --manifest certs/manifest.csv --workspace-id w --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep '^3 devices: 0 registered, 3 already there' "$T/out"
mock_stop

echo dev-0001 >existing
mock_start --fingerprint none --existing existing
akcred 0 register --manifest rsa/manifest.csv --workspace-id w --data-flow-id f --create-devices \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA" --json
"$PYTHON" - "$T/out" <<'PY' || fail "json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["registered"] == 2, j
for d in j["devices"]:
    assert d["note"] == "akenza returned no fingerprint: not compared", d
created = {d["device_id"]: d.get("device_created", False) for d in j["devices"]}
assert created == {"dev-0001": False, "dev-0002": True}, created
PY
# Listing without fingerprints: matched by the public key akenza returns.
rm rsa/registered.csv
akcred 0 register --manifest rsa/manifest.csv --workspace-id w --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep '^2 devices: 0 registered, 2 already there' "$T/out"
assert_grep 'note: matched by the public key akenza returned' "$T/out"
mock_check rsa/manifest.csv

# Not in akenza and not to be created: exit 1, named.
"$AKCRED" keygen --private x.key --public x.pem >/dev/null
akcred 1 register --device-id ghost --public x.pem --workspace-id w --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep "akcred: register: device 'ghost': not found in akenza workspace 'w' \(--create-devices creates it\)" "$T/err"
# An akenza id akenza does not know: the status and akenza's message, exit 7.
akcred 7 register --device-id ghost --public x.pem --akenza-device-id 0000000000000bad \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep "device 'ghost': listing its credentials: HTTP 404: Device not found" "$T/err"

# Our test CA not given: the system store does not trust the mock: exit 6, at
# once -- one handshake, no retry (counted by the mock, not timed).
before=$(mock_stat tls_failures)
akcred 6 register --device-id ghost --public x.pem --workspace-id w --api-url "$MOCK_URL" --retries 3
assert_grep "certificate" "$T/err"
assert_no_grep "giving up after" "$T/err"
# The mock may count the refused handshake a moment after akcred is gone.
tls_failures_seen() { [ "$(mock_stat tls_failures)" -gt "$before" ]; }
wait_until "the mock saw no failed handshake" tls_failures_seen
assert_eq "$(mock_stat tls_failures)" $((before + 1)) "handshakes refused (no retry)"
