# p11-kit is loaded at run time, by the first pkcs11: URI only: the binary does not link
# it, a command with a key file runs even where it cannot load, and a URI then says why.
. "$(dirname "$0")/lib.sh"
BIN=${AKCRED_REAL:-$AKCRED}
if command -v ldd >/dev/null 2>&1; then
	ldd "$BIN" >libs 2>&1 || :
	assert_no_grep 'p11-kit|softhsm' libs
fi
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
mkdir lib
printf 'not a library\n' >lib/libp11-kit.so.0
export LD_LIBRARY_PATH="$T/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

akcred 0 jwt mint --device-id dev1 --key dev.key
akcred 0 fingerprint dev.pub
akcred 4 jwt mint --device-id dev1 --key 'pkcs11:token=factory;object=dev1'
assert_grep "^akcred: jwt mint: cannot load p11-kit \(libp11-kit.so.0\): .*\(Debian: apt-get install libp11-kit0\)$" err
