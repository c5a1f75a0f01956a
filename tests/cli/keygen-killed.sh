# A keygen killed while it writes leaves no file at all, above all no hidden
# private key; hidden files that an earlier, killed run left behind (where the
# file system has no O_TMPFILE) are removed by the next keygen for the same
# files when they are provably its leftovers, and kept otherwise.
. "$(dirname "$0")/lib.sh"

# A file size limit below the size of an RSA private key, SIGXFSZ not
# ignored: keygen is killed in the middle of writing its first file.
mkdir k && cd k
st=0
(ulimit -f 1; exec "$AKCRED" keygen --type rsa) >"$T/out" 2>"$T/err" || st=$?
# Killed by SIGXFSZ (128 + 25), not a write error that keygen handled itself.
[ "$st" -gt 128 ] || fail "keygen was not killed by the file size limit (exit $st)"
if "$PYTHON" -c 'import os; os.close(os.open(".", os.O_TMPFILE | os.O_WRONLY, 0o600))' 2>/dev/null
then
	assert_eq "$(ls -A)" "" "files left by a killed keygen"
else
	# No O_TMPFILE here: the staged file had a name, and the next keygen removes it.
	akcred 0 keygen --type rsa
	assert_eq "$(ls -A | grep -c akcred || true)" 0 "a killed keygen's files left"
fi
cd ..

# What a killed run of the named-file fallback, or a killed --force, leaves.
akcred 0 keygen
cp -p ec_private.pem current
(umask 077; echo "killed while staged" >.ec_private.pem.akcred-Ab12Cd)
ln ec_private.pem .ec_private.pem.akcred-old-Ab12Cd      # a backup that is the target
(umask 077; echo "old key" >.ec_private.pem.akcred-old-Xy34Zw) # may be the only copy
ln -s ec_private.pem .ec_private.pem.akcred-Sy55Ln       # not a regular file
echo other >.ec_private.pem.akcred-toolong           # not a name keygen makes
echo other >.ec_public.pem.akcred-Qq11Qq.bak
akcred 3 keygen
assert_grep "'ec_private.pem' exists" err
akcred 0 keygen --private other.pem --public other.pub
[ -e .ec_private.pem.akcred-Ab12Cd ] || fail "another target's leftovers removed"
akcred 0 keygen --force
[ ! -e .ec_private.pem.akcred-Ab12Cd ] || fail "a killed run's staged key is still there"
[ ! -e .ec_private.pem.akcred-old-Ab12Cd ] || fail "a redundant backup is still there"
assert_eq "$(cat .ec_private.pem.akcred-old-Xy34Zw)" "old key" "a backup that may be needed"
[ -L .ec_private.pem.akcred-Sy55Ln ] || fail "a symlink was removed"
[ -e .ec_private.pem.akcred-toolong ] && [ -e .ec_public.pem.akcred-Qq11Qq.bak ] ||
	fail "a file of another shape was removed"
