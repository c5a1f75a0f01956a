# --force replaces only regular files: a directory, a FIFO, a socket, a
# device or a symlink at a target is refused (exit 3) and nothing is touched.
. "$(dirname "$0")/lib.sh"

mkdir s && cd s
mkdir dir
mkfifo fifo
"$PYTHON" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock
ln -s victim link
# As root, where a rename over a device node would succeed, one of our own.
if [ "$(id -u)" -eq 0 ]; then mknod null c 1 3 2>/dev/null || true; fi
ls -lA >"$T/before"

refused() { # NAME KIND: refused in either place, the message names it
	akcred 3 keygen --private "$1" --public pub.pem --force
	assert_grep "^akcred: keygen: not replacing '$1': it is $2 \\(only regular files are" "$T/err"
	akcred 3 keygen --private priv.pem --public "$1" --force
	assert_grep "not replacing '$1': it is $2" "$T/err"
}
refused fifo "a named pipe"
if [ -e null ]; then refused null "a device"; fi
refused sock "a socket"
refused link "a symbolic link"
refused dir "a directory"
ls -lA >"$T/after"
cmp -s "$T/before" "$T/after" || { diff "$T/before" "$T/after" >&2; fail "files changed"; }
[ ! -e victim ] || fail "symlink followed"
[ -p fifo ] && [ -S sock ] && [ -d dir ] && [ -L link ] || fail "a special file was replaced"
if [ -e null ]; then [ -c null ] || fail "the device node was replaced"; fi
