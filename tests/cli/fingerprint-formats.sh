# Every encoding of one key gives the fingerprint pycryptodome computes (for
# what it does not read -- requests, JWKs, raw points -- that of the key's
# SPKI), for RSA 2048/3072/4096 and EC P-256; formats are told by content only.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/keyformats.lib"
echo secret > pass

make_formats ec -algorithm EC -pkeyopt ec_paramgen_curve:P-256
make_formats rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
make_formats rsa3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
make_formats rsa4096 -algorithm RSA -pkeyopt rsa_keygen_bits:4096
# "openssl ecparam -genkey" writes an EC PARAMETERS block before the key.
openssl ecparam -name prime256v1 -genkey -out ecparam.trad.pem

checked=0
for f in ec.* rsa*.* ecparam.*; do
	case $f in *.enc.*) pw=secret ;; *) pw= ;; esac
	want=$(py_fingerprint "$f" $pw 2>/dev/null) || want=$(py_fingerprint "${f%%.*}.spki.pem")
	# Hide the file name: detection must not depend on it.
	cp "$f" input
	akcred 0 fingerprint --passphrase-file pass input
	assert_eq "$(cat out)" "$want" "fingerprint of $f"
	akcred 0 fingerprint --passphrase-file pass - < "$f"
	assert_eq "$(cat out)" "$want" "fingerprint of $f on stdin"
	checked=$((checked + 1))
done
[ "$checked" -ge 70 ] || fail "only $checked inputs checked"

# Cross-check with the openssl pipeline that akenza.md names.
want=$(openssl pkey -pubin -in ec.spki.pem -outform DER | sha256sum | cut -d" " -f1)
akcred 0 fingerprint ec.spki.pem
assert_eq "$(cat out)" "$want" "openssl pipeline"
