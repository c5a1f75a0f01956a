# akcred jwt mint: the token akenza expects, its options, and its refusals.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt

seg() { # N TOKEN: decoded segment N (1 header, 2 claims)
	"$PYTHON" -c 'import base64,sys; s=sys.argv[2].split(".")[int(sys.argv[1])-1]; print(base64.urlsafe_b64decode(s+"="*(-len(s)%4)).decode())' "$1" "$2"
}

# EC: exactly {"alg","typ","kid"} and {"iat","exp","aud"}, compact, one line of output.
akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000
assert_eq "$(wc -l <out)" 1 "lines of output"
[ ! -s err ] || fail "mint wrote to stderr: $(cat err)"
tok=$(cat out)
kid=$(py_fingerprint "$K/ec_public.pem")
assert_eq "$(seg 1 "$tok")" "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"$kid\"}" header
assert_eq "$(seg 2 "$tok")" '{"iat":1764000000,"exp":1764001200,"aud":"https://akenza.io/devices/dev-1"}' claims
case $tok in *=*|*+*|*/*) fail "not base64url without padding: $tok" ;; esac

# RSA, --ttl with units, --sub, --no-kid, ISO 8601 --iat, private cloud host.
akcred 0 jwt mint --device-id dev-2 --key "$K/rsa_private.pem" --ttl 1h30m --sub --no-kid \
	--iat 2025-11-24T16:00:00Z --aud-host acme.akenza.io
tok=$(cat out)
assert_eq "$(seg 1 "$tok")" '{"alg":"RS256","typ":"JWT"}' header
assert_eq "$(seg 2 "$tok")" '{"iat":1764000000,"exp":1764005400,"aud":"https://acme.akenza.io/devices/dev-2","sub":"dev-2"}' claims

# Default lifetime 20 minutes, iat = now.
before=$(date +%s)
akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --json
after=$(date +%s)
"$PYTHON" - "$before" "$after" <<'PY'
import json, sys
j = json.load(open("out"))
lo, hi = int(sys.argv[1]), int(sys.argv[2])
c = j["claims"]
assert lo <= c["iat"] <= hi, c
assert c["exp"] - c["iat"] == 1200, c
assert j["lifetime"] == 1200 and j["header"]["alg"] == "ES256", j
assert j["token"].count(".") == 2 and j["expires_at"].endswith("Z"), j
PY

# --public must match the private key.
akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --public "$K/ec_public.pem"
akcred 3 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --public "$K/rsa_public.pem"
assert_grep "is not the public key of" err

# Encrypted keys with the passphrase sources of keygen.
printf 'correct horse\n' >pass
openssl pkcs8 -topk8 -in "$K/ec_private.pem" -v2 aes-256-cbc -passout pass:'correct horse' -out enc.pem
akcred 0 jwt mint --device-id dev-1 --key enc.pem --passphrase-file pass --iat 1764000000
assert_eq "$(seg 1 "$(cat out)")" "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"$kid\"}" "header (encrypted key)"
AKCRED_PASSPHRASE='correct horse' akcred 0 jwt mint --device-id dev-1 --key enc.pem </dev/null
printf 'wrong\n' >bad
akcred 3 jwt mint --device-id dev-1 --key enc.pem --passphrase-file bad

# Keys akenza does not take, and public keys, are refused (input error).
for k in rsa1024_private.pem ec384_private.pem ed25519_private.pem ec_public.pem; do
	akcred 3 jwt mint --device-id dev-1 --key "$K/$k"
	assert_grep "^akcred: jwt mint: " err
done

# Usage errors.
akcred 2 jwt mint --key "$K/ec_private.pem"
assert_grep "device-id is required" err
akcred 2 jwt mint --device-id dev-1
akcred 2 jwt mint --device-id 'a/b' --key "$K/ec_private.pem"
akcred 2 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --ttl 0
akcred 2 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --ttl 20x
akcred 2 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 2025-02-30T00:00:00Z
akcred 2 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --aud-host 'evil.com/x?'
akcred 2 jwt mint --device-id dev-1 --key "$K/ec_private.pem" extra
akcred 3 jwt mint --device-id dev-1 --key missing.pem

# A long lifetime is allowed, with a warning.
akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --ttl 2d
assert_grep "warning: a lifetime of 2d" err
