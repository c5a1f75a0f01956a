# keygen --force replaces every file or none: when one target cannot be
# replaced, the old private AND public key are both still there, byte for byte.
. "$(dirname "$0")/lib.sh"

akcred 0 keygen --cert dev.crt --device-id dev
cp -p ec_private.pem old_private.pem
cp -p ec_public.pem old_public.pem
cp -p dev.crt old.crt

# The certificate's place is taken by a directory: nothing may be replaced.
mkdir cert.d
echo keep >cert.d/inside
akcred 3 keygen --cert cert.d --device-id dev --force
cmp -s ec_private.pem old_private.pem || fail "the old private key was replaced"
cmp -s ec_public.pem old_public.pem || fail "the old public key was replaced"
assert_eq "$(cat cert.d/inside)" keep "the directory's content"
assert_grep "^akcred: keygen: not replacing 'cert.d': it is a directory" err
assert_eq "$(mode_of ec_private.pem)" 600 "private key mode"
assert_eq "$(ls -A | grep -c akcred || true)" 0 "hidden files left"

# The same with the files in two directories (the public key's is the bad one).
mkdir a b
cp -p old_private.pem a/k.pem
mkdir b/k.pub
akcred 3 keygen --private a/k.pem --public b/k.pub --force
assert_grep "not replacing 'b/k.pub': it is a directory" err
cmp -s a/k.pem old_private.pem || fail "the private key in a/ was replaced"
assert_eq "$(ls -A a b | grep -c akcred || true)" 0 "hidden files left"

# When nothing is in the way, --force replaces all three together.
akcred 0 keygen --cert dev.crt --device-id dev --force
! cmp -s ec_private.pem old_private.pem || fail "private key not replaced"
! cmp -s ec_public.pem old_public.pem || fail "public key not replaced"
! cmp -s dev.crt old.crt || fail "certificate not replaced"
assert_eq "$(py_fingerprint ec_private.pem)" "$(py_fingerprint ec_public.pem)" "a pair"
assert_eq "$(py_fingerprint dev.crt)" "$(py_fingerprint ec_public.pem)" "the certificate's key"
assert_eq "$(ls -A | grep -c akcred || true)" 0 "hidden files left"
