# provision: usage errors (2), unreadable input and unwritable directories
# (3), and a full disk stops the run cleanly; the rerun finishes the batch.
. "$(dirname "$0")/lib.sh"

echo d-1 >ids.txt
akcred 2 provision --count 3 --prefix d-
assert_grep 'out-dir is needed' "$T/err"
akcred 2 provision -o x
akcred 2 provision -o x --ids ids.txt --count 3 --prefix d-
akcred 2 provision -o x --count 3
assert_grep '--count needs --prefix' "$T/err"
akcred 2 provision -o x --count 3 --prefix 'a/b'
assert_grep "bad --prefix 'a/b'" "$T/err"
akcred 2 provision -o x --count 0 --prefix d-
akcred 2 provision -o x --ids ids.txt --prefix d-
akcred 2 provision -o x --ids ids.txt --bits 2048
akcred 2 provision -o x --ids ids.txt --type rsa --bits 1024
akcred 2 provision -o x --ids ids.txt --days 3
akcred 2 provision -o x --ids ids.txt --passphrase-file ids.txt
akcred 2 provision -o x --ids ids.txt --jobs 0
akcred 2 provision -o x --ids ids.txt extra
[ ! -e x ] || fail "a usage error created the output directory"
akcred 3 provision -o x --ids missing.txt
assert_grep "cannot open 'missing.txt'" "$T/err"

# Directories we may not write (as an unprivileged user when run as root).
chmod 755 "$T"
mkdir -m 755 ro
if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	skip "cannot switch to an unprivileged user"
fi
set +e
as_nobody "$AKCRED" provision -o ro/out --count 2 --prefix d- >out1 2>err1
rc1=$?
as_nobody "$AKCRED" provision -o ro --count 2 --prefix d- >out2 2>err2
rc2=$?
set -e
assert_eq "$rc1" 3 "exit status in an unwritable parent"
assert_grep "cannot create directory 'ro/out': Permission denied" err1
assert_eq "$rc2" 3 "exit status in an unwritable directory"
assert_grep "'ro'" err2
[ -z "$(ls -A ro)" ] || fail "something was written in ro"

# A full disk (simulated with a file size limit): the run stops with exit 3,
# nothing half-written stays, and a rerun finishes.
set +e
(ulimit -f 4 && exec "$AKCRED" provision -o full --count 150 --prefix d-) >out3 2>err3
rc=$?
set -e
assert_eq "$rc" 3 "exit status on a full disk"
assert_grep "cannot write 'full/(manifest.csv|d-[0-9]+/[a-z]+.pem)': (File too large|No space left on device)" err3
tail -c 1 full/manifest.csv | od -c | grep -q '\\n' || fail "the manifest ends with half a row"
akcred 0 provision -o full --count 150 --prefix d-
"$PYTHON" "$TESTS/tools/pycheckprovision.py" full --expect 150 >/dev/null ||
	fail "the batch does not check out after the disk was full"
