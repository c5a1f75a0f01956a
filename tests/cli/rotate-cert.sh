# rotate for certificate devices (the X509 algorithms): the new pair comes
# with a new self-signed certificate, CN = the device id, valid --days days,
# which is what akenza gets (as an X509 credential, as register uploads it);
# the swap renames private key, public key and certificate.  A certificate
# that is not the manifest's key fails its device; a dry run says what
# a certificate device goes through; --days is refused with --finish.
# (Killed at random moments: rotate-kill.sh, whose batch is half certificate
# devices.)
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

rotate_setup 3 cert
cp dev/dev-0001/cert.pem old-cert.pem
akcred 0 $ROT --dry-run
assert_grep '^  make a new key pair and certificate beside the current ones$' "$T/out"
assert_grep '^  upload its certificate as a further credential$' "$T/out"
akcred 0 $ROT --days 30
assert_grep '^3 devices: 3 rotated, .* 0 failed$' "$T/out"
rotate_check --final
! cmp -s old-cert.pem dev/dev-0001/cert.pem || fail "the certificate did not change"
grep -q '^dev-0002,EC256_X509_PEM,[0-9a-f]*,dev-0002/cert.pem,' dev/manifest.csv ||
	fail "the manifest row is no longer the certificate's"
assert_eq "$(mode_of dev/dev-0002/cert.pem)" 644 "certificate mode"
# The certificate as provision and keygen make them: CN = id, self-signed, --days.
for d in dev-0001 dev-0003; do
	subj=$(openssl x509 -in dev/$d/cert.pem -noout -subject -nameopt RFC2253)
	assert_eq "$subj" "subject=CN=$d" "$d: certificate subject"
	openssl verify -CAfile dev/$d/cert.pem dev/$d/cert.pem >/dev/null 2>&1 ||
		fail "$d: not self-signed"
	openssl x509 -in dev/$d/cert.pem -noout -checkend $((29 * 86400)) >/dev/null ||
		fail "$d: valid for less than --days 30"
	! openssl x509 -in dev/$d/cert.pem -noout -checkend $((31 * 86400)) >/dev/null ||
		fail "$d: valid for more than --days 30"
done
# akenza got the certificates: register finds nothing left to upload.
akcred 0 register --manifest dev/manifest.csv --workspace-id ws --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep '^3 devices: 0 registered, 3 already there' "$T/out"

# --type rsa: RSA certificates; the default validity is provision's.
akcred 0 $ROT --journal dev/rotation-2.csv --type rsa
grep -q '^dev-0001,RSA256_X509_PEM,' dev/manifest.csv || fail "--type rsa: manifest algorithm"
rotate_check --final --uploads 3
openssl x509 -in dev/dev-0001/cert.pem -noout -checkend $((3649 * 86400)) >/dev/null ||
	fail "default validity: less than 3650 days"

# A certificate that is not the manifest's key fails its device, untouched.
"$AKCRED" keygen --private other.pem --public other.pub --cert other.crt --device-id dev-0002 >/dev/null
cp other.crt dev/dev-0002/cert.pem
akcred 1 $ROT --journal dev/rotation-3.csv
assert_grep "^akcred: rotate: device 'dev-0002': its certificate 'dev/dev-0002/cert.pem' is not of the manifest's key" "$T/err"
cmp -s other.crt dev/dev-0002/cert.pem || fail "the mismatched certificate was touched"
[ ! -e dev/dev-0002/private.pem.next ] || fail "a new pair for a device that failed"
# One that is no certificate at all (a bare public key): an input error, as above.
openssl pkey -in dev/dev-0002/private.pem -pubout -out dev/dev-0002/cert.pem
akcred 1 $ROT --journal dev/rotation-4.csv
assert_grep "^akcred: rotate: device 'dev-0002': 'dev/dev-0002/cert.pem' is not a certificate$" "$T/err"

akcred 2 $ROT --finish --days 5
assert_grep "days" "$T/err"

# akenza answering with the certificate's SHA-1 as fingerprint: rotate
# compares it with the new certificate's.
rm -rf dev
mock_stop
rotate_setup 2 cert --fingerprint sha1
akcred 0 $ROT
assert_grep "note: akenza's fingerprint is the certificate's SHA-1; it matches" "$T/out"
rotate_check --final
