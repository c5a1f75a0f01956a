# register --dry-run shows manifest paths, the API URL and request bodies by
# the rule of untrusted text (safetext): a path or credential name with a
# bidi override or a C1 control is shown escaped, never raw; --json is ASCII.
. "$(dirname "$0")/lib.sh"
RLO=$(printf '\342\200\256') # U+202E
CSI=$(printf '\302\233')     # U+009B
raw() { ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177-\377]')" "$1"; }

# A device whose key file name has U+202E and a C1 control in it.
mkdir -p batch/d1
"$AKCRED" keygen --private batch/d1/private.pem --public "batch/d1/pub${RLO}${CSI}.pem" >/dev/null
fp=$("$AKCRED" fingerprint "batch/d1/pub${RLO}${CSI}.pem")
{
	echo "device_id,algorithm,fingerprint,public_key,created"
	echo "d1,EC256_PEM,$fp,d1/pub${RLO}${CSI}.pem,2026-11-24T14:13:27Z"
} >batch/manifest.csv
printf 'ak-test-0123456789abcdef\n' >api.key
chmod 600 api.key
set -- register --manifest batch/manifest.csv --workspace-id ws --data-flow-id df \
	--create-devices --api-url https://127.0.0.1:9 --api-key-file api.key \
	--credential-name "key${RLO}1" --dry-run

akcred 0 "$@"
raw out || { cat -v out >&2; fail "register --dry-run printed a raw control or non-ASCII byte"; }
assert_grep '^device d1: EC256_PEM, fingerprint [0-9a-f]{64}, from batch/d1/pub\\xe2\\x80\\xae\\xc2\\x9b\.pem$' out
assert_grep '^       \{"name":"key\\xe2\\x80\\xae1","akenzaDeviceId":"\{akenzaDeviceId\}"' out

akcred 0 "$@" --json
raw out || { cat -v out >&2; fail "register --dry-run --json printed a raw control or non-ASCII byte"; }
assert_grep '"name": "key\\u202E1"' out
