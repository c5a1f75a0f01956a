# register: command-line mistakes (exit 2), bad inputs (exit 3), and a
# manifest that disagrees with its keys (the device fails, the others go on).
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
"$AKCRED" keygen --private k.pem --public p.pem >/dev/null

akcred 2 register
assert_grep 'give either --manifest FILE or --device-id ID --public FILE' "$T/err"
akcred 2 register --manifest m.csv --device-id d1 --public p.pem --workspace-id w
akcred 2 register --device-id d1 --workspace-id w
assert_grep '--device-id and --public go together' "$T/err"
akcred 2 register --device-id 'a/b' --public p.pem --workspace-id w
akcred 2 register --device-id d1 --public p.pem
assert_grep '--workspace-id is needed' "$T/err"
akcred 2 register --device-id d1 --public p.pem --workspace-id w --create-devices
assert_grep '--create-devices needs --workspace-id and --data-flow-id' "$T/err"
akcred 2 register --device-id d1 --public p.pem --workspace-id w --api-url http://127.0.0.1:1
assert_grep "--api-url must be an https:// URL, not 'http://127.0.0.1:1'" "$T/err"
akcred 2 register --device-id d1 --public p.pem --workspace-id w --jobs 0
akcred 2 register --device-id d1 --public p.pem --workspace-id w --jobs 65
akcred 2 register --device-id d1 --public p.pem --workspace-id w --timeout 0
akcred 2 register --device-id d1 --public p.pem --akenza-device-id 'a b'
# No abbreviations: "--api-key KEY" is not "--api-key-file", and the key is not echoed.
akcred 2 register --device-id d1 --public p.pem --workspace-id w --api-key sekrit-xyz
assert_grep "unknown option '--api-key'" "$T/err"
assert_no_grep sekrit "$T/err"
akcred 2 register --device-id d1 --public p.pem --workspace-id w --api-key=sekrit-xyz
assert_no_grep sekrit "$T/err"
akcred 2 register --device-id d1 --public p.pem --workspace-id w extra
akcred 2 register --device-id d1 --public p.pem --workspace-id 'w/../x'
assert_grep "workspace-id 'w/../x' is not an akenza id" "$T/err"
akcred 2 register --device-id d1 --public p.pem --workspace-id w --create-devices --data-flow-id 'a?b'
# Ids are akenza's (akenza_plausible_id): no '@', at most 64 characters.
akcred 2 register --device-id d1 --public p.pem --workspace-id 'w@x' \
	--api-url https://127.0.0.1:9
assert_grep "workspace-id 'w@x' is not an akenza id" "$T/err"
akcred 2 register --device-id d1 --public p.pem --akenza-device-id "$(printf '%065d' 0)" \
	--api-url https://127.0.0.1:9
assert_grep "akenza-device-id '0+' is not an akenza id" "$T/err"
akcred 2 register --device-id d1 --public p.pem --workspace-id w --credential-name "$(printf 'a\nb')"
akcred 2 register --device-id d1 --public p.pem --workspace-id w --credential-name "$(printf '\377')"
assert_grep 'credential-name must be 1 to 200 bytes of UTF-8' "$T/err"
akcred 0 register --help
assert_grep '^usage: akcred register --manifest FILE' "$T/out"

# Inputs.
akcred 3 register --device-id d1 --public missing.pem --workspace-id w
assert_grep "cannot open 'missing.pem'" "$T/err"
akcred 3 register --device-id d1 --public k.pem --workspace-id w
assert_grep "'k.pem' is a private key: register uploads public keys only" "$T/err"
akcred 3 register --manifest nothere.csv --workspace-id w
akcred 3 register --device-id d1 --public p.pem --workspace-id w --ca-file nothere.pem
assert_grep "nothere.pem" "$T/err"
openssl genpkey -algorithm ed25519 -out ed.key 2>/dev/null
openssl pkey -in ed.key -pubout -out ed.pem
akcred 3 register --device-id d1 --public ed.pem --workspace-id w
assert_grep "akenza does not accept this key" "$T/err"

# A manifest whose rows disagree with their files: those devices fail, the rest is registered.
make_devices dev 4
zeros=0000000000000000000000000000000000000000000000000000000000000000
sed -i "s/^dev-0002,EC256_PEM,[0-9a-f]*/dev-0002,EC256_PEM,$zeros/" dev/manifest.csv
sed -i 's/^dev-0003,EC256_PEM/dev-0003,RSA256_PEM/' dev/manifest.csv
echo 'dev-0001,EC256_PEM,'"$(sed -n 2p dev/manifest.csv | cut -d, -f3)"',dev-0001/public.pem,2026-11-24T14:13:27Z' >>dev/manifest.csv
echo 'bad row' >>dev/manifest.csv
mock_start
akcred 1 register --manifest dev/manifest.csv --workspace-id w --data-flow-id f --create-devices \
	--api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep "device 'dev-0002': the manifest's fingerprint $zeros is not that of 'dev/dev-0002/public.pem'" "$T/err"
assert_grep "device 'dev-0003': the manifest says RSA256_PEM but 'dev/dev-0003/public.pem' is EC256_PEM" "$T/err"
assert_grep "device 'dev-0001': listed twice in the manifest" "$T/err"
assert_grep "line 7" "$T/err"
assert_grep '^6 devices: 2 registered, 0 already there, 0 skipped \(results file\), 4 failed' "$T/out"
assert_eq "$(mock_stat credentials_added)" 2 "credentials added"
