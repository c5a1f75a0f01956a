# provision after an interruption: a device that lost its manifest row is
# checked and finished, staged leftovers and a torn manifest tail are removed;
# a listed device whose files are missing or wrong is an error for that id
# and never gets a new key; certificates are checked by their subject's data.
. "$(dirname "$0")/lib.sh"

akcred 0 provision -o b --count 6 --prefix d-
cp b/manifest.csv full.csv
fp5=$(grep '^d-5,' b/manifest.csv | cut -d, -f3)

# Killed between the rename and the append: d-6 exists, its row does not.
head -n 6 full.csv >b/manifest.csv
# Killed while staging: a hidden directory with a half-written file.
mkdir -m 700 b/.akcred-d-7.Ab12Cd
echo '-----BEGIN PRIV' >b/.akcred-d-7.Ab12Cd/private.pem
# Killed in the middle of an append: a torn last line.
printf 'd-9,EC256_PEM,0123' >>b/manifest.csv
# Killed while creating another manifest: its staged copy.
echo x >b/.manifest.csv.akcred-Zx81Qp
akcred 0 provision -o b --count 6 --prefix d-
assert_grep '^removed 1 unfinished directory of an interrupted run$' "$T/out"
assert_grep '^0 new EC P-256 keys in .b., 1 finished from an interrupted run, 5 already provisioned' \
	"$T/out"
"$PYTHON" "$TESTS/tools/pycheckprovision.py" b --expect 6 >/dev/null || fail "b does not check out"
assert_eq "$(grep '^d-6,' b/manifest.csv | cut -d, -f3)" "$(grep '^d-6,' full.csv | cut -d, -f3)" \
	"d-6's fingerprint"
[ ! -e b/.manifest.csv.akcred-Zx81Qp ] || fail "the staged manifest copy is still there"

# A finished batch: nothing to do, nothing changed.
cp b/manifest.csv before.csv
akcred 0 provision -o b --count 6 --prefix d-
assert_grep '^nothing to do: all 6 devices in .b. are provisioned and check out$' "$T/out"
cmp -s before.csv b/manifest.csv || fail "a rerun changed the manifest"

# Listed, but the files are gone: an error for that id, and no new key.
mv b/d-2 gone
akcred 1 provision -o b --count 6 --prefix d-
assert_grep "device 'd-2': device 'd-2' is in the manifest but 'b/d-2' is missing: not making a new key" \
	"$T/err"
[ ! -e b/d-2 ] || fail "a new d-2 was made"
mv gone b/d-2

# Listed, but public.pem was replaced by another key: an error, files kept.
cp b/d-3/public.pem d3.pem
cp b/d-4/public.pem b/d-3/public.pem
akcred 1 provision -o b --count 6 --prefix d-
assert_grep "device 'd-3': 'b/d-3/public.pem' does not match private.pem" "$T/err"
cp d3.pem b/d-3/public.pem

# Both files replaced by another pair: the fingerprint differs from the manifest's.
mkdir other && cp b/d-1/private.pem b/d-1/public.pem other/
cp b/d-4/private.pem b/d-4/public.pem d4-save.pem 2>/dev/null || true
mkdir d4 && cp -p b/d-4/private.pem b/d-4/public.pem d4/
cp -p other/private.pem other/public.pem b/d-4/
akcred 1 provision -o b --count 6 --prefix d-
assert_grep "device 'd-4': the key in 'b/d-4' has fingerprint [0-9a-f]{64}, not the manifest's" "$T/err"
cp -p d4/private.pem d4/public.pem b/d-4/

# A private key others may read is refused (and reported, not "fixed").
chmod 644 b/d-5/private.pem
akcred 1 provision -o b --count 6 --prefix d-
assert_grep "device 'd-5': 'b/d-5/private.pem' is readable by others \(mode 644\)" "$T/err"
chmod 600 b/d-5/private.pem
assert_eq "$(grep '^d-5,' b/manifest.csv | cut -d, -f3)" "$fp5" "d-5's fingerprint"

# A different key type than the batch was made with: one error for the batch, before any device.
akcred 3 provision -o b --count 6 --prefix d- --type rsa
assert_grep "^akcred: provision: the options do not match batch 'b': it holds EC256_PEM devices \('d-[1-6]'\), this run makes RSA256_PEM \(see --type and --cert\)$" "$T/err"
assert_eq "$(wc -l <"$T/err")" 1 "number of messages"
akcred 3 provision -o b --count 6 --prefix d- --cert
assert_grep "it holds EC256_PEM devices .*, this run makes EC256_X509_PEM" "$T/err"

# Not listed and incomplete (made by hand): reported, not replaced.
mkdir -m 700 b/d-7
akcred 1 provision -o b --count 7 --prefix d-
assert_grep "device 'd-7': 'b/d-7/private.pem' is missing" "$T/err"
[ -z "$(ls b/d-7)" ] || fail "b/d-7 was filled in"
rmdir b/d-7

# Everything restored: the batch checks out again.
akcred 0 provision -o b --count 6 --prefix d-
"$PYTHON" "$TESTS/tools/pycheckprovision.py" b --expect 6 >/dev/null || fail "b does not check out"

# One run at a time per directory.
"$PYTHON" -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(120)' b locked &
holder=$!
trap 'kill $holder 2>/dev/null || true; cd /; rm -rf "$T"' EXIT
while [ ! -e locked ]; do sleep 0.05; done
akcred 3 provision -o b --count 6 --prefix d-
assert_grep "'b' is in use by another akcred provision" "$T/err"
kill $holder
wait $holder 2>/dev/null || true

# A file that is not a manifest is never appended to.
mkdir c && echo 'name,value' >c/list.csv
akcred 3 provision -o c --count 2 --prefix d- --manifest c/list.csv
assert_grep "'c/list.csv' is not a manifest" "$T/err"
assert_eq "$(cat c/list.csv)" "name,value"

# Certificates of ids with characters a printed subject escapes (CN=a\;b):
# a rerun checks them by the name's data and keeps them.
printf 'a;b\nc<d>\nplain\n' >odd.txt
akcred 0 provision -o odd --ids odd.txt --cert
akcred 0 provision -o odd --ids odd.txt --cert
assert_grep "^nothing to do: all 3 devices in 'odd' are provisioned and check out$" "$T/out"
