# register: the manifest that provision writes (plain keys and certificates)
# registers as is; the results file lands next to it.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"

"$AKCRED" provision --help >/dev/null 2>&1 || skip "no provision command in this build"
"$AKCRED" provision --out-dir keys --count 15 --prefix sensor- >/dev/null
"$AKCRED" provision --out-dir certs --count 5 --prefix cam- --cert --type rsa >/dev/null
mock_start
export AKCRED_API_KEY
AKCRED_API_KEY=$(cat "$T/apikey")
for batch in keys certs; do
	akcred 0 register --manifest $batch/manifest.csv --workspace-id w --data-flow-id f \
		--create-devices --api-url "$MOCK_URL" --ca-file "$MOCK_CA" --json
	n=$(tail -n +2 $batch/manifest.csv | wc -l)
	"$PYTHON" - "$T/out" "$n" <<'PY' || fail "$batch: json summary"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["registered"] == int(sys.argv[2]) and j["failed"] == 0, j
assert j["results"].endswith("/registered.csv"), j
PY
	mock_check $batch/manifest.csv
	assert_eq "$(tail -n +2 $batch/registered.csv | wc -l)" "$n" "$batch: result rows"
done
mock_state | grep -q '"algorithm": "RSA256_X509_PEM"' || fail "certificates not uploaded as RSA256_X509_PEM"
