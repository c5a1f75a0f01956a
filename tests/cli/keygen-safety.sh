# Key files are never overwritten without --force, --force replaces
# atomically, and a failure leaves no file behind.
. "$(dirname "$0")/lib.sh"

akcred 0 keygen
old=$(cat ec_private.pem)
akcred 3 keygen
assert_grep "'ec_private.pem' exists: not overwriting it \(use --force to replace\)" err
assert_eq "$(cat ec_private.pem)" "$old" "existing key unchanged"

# Only the public key exists: still refused, and the private key is not created either.
mkdir p && cd p
echo keep > ec_public.pem
akcred 3 keygen
assert_eq "$(ls -A)" "ec_public.pem" "files after refusal"
assert_eq "$(cat ec_public.pem)" "keep"
cd ..

# A symlink at the target is not followed, not even with the race check bypassed.
mkdir s && cd s
ln -s ../victim ec_private.pem
akcred 3 keygen
[ ! -e ../victim ] || fail "symlink followed"
cd ..

# --force replaces by rename: a new inode, mode 0600, no temporary files left.
ino=$(stat -c %i ec_private.pem)
chmod 644 ec_private.pem
akcred 0 keygen --force
[ "$(stat -c %i ec_private.pem)" != "$ino" ] || fail "--force rewrote the file in place"
[ "$(cat ec_private.pem)" != "$old" ] || fail "--force did not replace the key"
assert_eq "$(mode_of ec_private.pem)" 600
assert_eq "$(ls -A | grep -c akcred)" 0 "temporary files left"

# A file size limit makes the write fail half way (a stand-in for a full disk):
# nothing is left, neither the target nor a temporary file.
mkdir full && cd full
(ulimit -f 2; trap '' XFSZ; "$AKCRED" keygen --type rsa --bits 4096 --cert c.pem --device-id d) \
    >out 2>err && fail "write beyond the file size limit succeeded"
assert_grep "cannot write '.*': File too large" err
assert_eq "$(ls -A | grep -v -e '^out$' -e '^err$' || true)" "" "files left after a failed write"
cd ..

# An unwritable directory: a clear error, nothing left.
mkdir ro && chmod 555 ro
if [ "$(id -u)" -eq 0 ]; then chown 0:0 ro; fi
cd ro
run 3 as_nobody "$AKCRED" keygen
assert_grep "cannot create a file next to 'ec_private.pem': Permission denied" "$T/err"
assert_eq "$(ls -A)" "" "files left in an unwritable directory"
cd "$T"

# A really full disk, where a small tmpfs can be mounted (root, in most sandboxes).
mkdir tiny
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=4k tmpfs tiny 2>/dev/null; then
	at_exit() { umount "$T/tiny" 2>/dev/null || true; }
	cd tiny
	run 3 "$AKCRED" keygen --type rsa --bits 4096 --cert c.pem --device-id d
	assert_grep "No space left on device" "$T/err"
	assert_eq "$(ls -A)" "" "files left on a full disk"
	cd "$T"
	umount tiny
fi
