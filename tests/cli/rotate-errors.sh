# rotate refuses what it cannot rotate safely: a device whose private key is
# not the manifest's or missing (a token batch) fails alone (the others are
# rotated, exit 1), as does a certificate device whose certificate has its
# public key's name; a manifest with a bad row or a device twice is refused
# whole (exit 3: its rewrite would lose the row); a manifest row that is
# neither key of its rotation fails that device.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

rotate_setup 3 ec
"$AKCRED" keygen --private other.pem --public other.pub >/dev/null
cp dev/dev-0002/private.pem dev-0002.pem
cp other.pem dev/dev-0002/private.pem
akcred 1 $ROT
assert_grep "^akcred: rotate: device 'dev-0002': its private key 'dev/dev-0002/private.pem' is not the manifest's" "$T/err"
assert_grep '^3 devices: 2 rotated, .* 1 failed$' "$T/out"
cmp -s other.pem dev/dev-0002/private.pem || fail "the mismatched key was touched"
[ ! -e dev/dev-0002/private.pem.next ] || fail "a new pair for a device that failed"
# No private key file, as in a provision --token batch: said so, nothing made.
rm dev/dev-0002/private.pem
akcred 1 $ROT
assert_grep "^akcred: rotate: device 'dev-0002': no private key file 'dev/dev-0002/private.pem': rotate rotates key files, not keys on a PKCS#11 token$" "$T/err"
[ ! -e dev/dev-0002/private.pem.next ] || fail "a new pair for a device without a key file"
# Its key put back, the rerun rotates it, and only it.
cp dev-0002.pem dev/dev-0002/private.pem
akcred 0 $ROT
assert_grep '^3 devices: 1 rotated, .* 2 unchanged, 0 not started, 0 failed$' "$T/out"
rotate_check --final

# A manifest row changed behind the journal's back: neither key of its rotation.
sed -i 's/^\(dev-0003,EC256_PEM,\)[0-9a-f]*/\1'"$(printf '%064d' 0)"'/' dev/manifest.csv
akcred 1 $ROT
assert_grep "^akcred: rotate: device 'dev-0003': the manifest's fingerprint 0{64} is neither the old nor the new key" "$T/err"

# Refused whole: a bad row, a device twice; nothing written.
cp dev/manifest.csv good.csv
echo 'dev-0009,EC256_PEM,zz,dev-0009/public.pem,2026-11-24T14:13:27Z' >>dev/manifest.csv
sum=$(sha256sum dev/manifest.csv dev/rotation.csv)
akcred 3 $ROT
assert_grep "^akcred: rotate: cannot rotate: .*line 5: fingerprint 'zz'" "$T/err"
assert_eq "$(sha256sum dev/manifest.csv dev/rotation.csv)" "$sum" "files after a refusal"
cp good.csv dev/manifest.csv
tail -n 1 good.csv >>dev/manifest.csv
akcred 3 $ROT
assert_grep "device 'dev-0003' is listed twice" "$T/err"

# A certificate device whose row names its public key file as the
# certificate: the swap would rename one over the other; it fails alone.
rm -rf dev
rotate_setup 2 cert
sed -i 's|^dev-0001,\(.*\),dev-0001/cert.pem,|dev-0001,\1,dev-0001/public.pem,|' dev/manifest.csv
akcred 1 $ROT
assert_grep "^akcred: rotate: device 'dev-0001': its certificate 'dev/dev-0001/public.pem' has the name of its public key file$" "$T/err"
assert_grep '^2 devices: 1 rotated, .* 1 failed$' "$T/out"
[ ! -e dev/dev-0001/private.pem.next ] || fail "a new pair for a device that failed"
