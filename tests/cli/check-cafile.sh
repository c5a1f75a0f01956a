# check: a --ca-file or --ca-path that cannot be used is named with the system's reason
# (not OpenSSL's "system lib", not a '-' for the option not given), exit 3.
. "$(dirname "$0")/lib.sh"
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
set -- check --device-id dev1 --key dev.key --dry-run --host 127.0.0.1

akcred 3 "$@" --ca-file nope.pem
assert_grep "^akcred: check: cannot load the CA certificates: cannot open 'nope.pem': No such file or directory$" err
akcred 3 "$@" --ca-file nope.pem --ca-path .
assert_grep "cannot open 'nope.pem': No such file or directory$" err
# Not a regular file (a FIFO would hang OpenSSL's reader), or no certificate in it.
akcred 3 "$@" --ca-file "$T"
assert_grep "cannot load the CA certificates: '$T' is not a regular file$" err
echo 'not a certificate' >junk.pem
akcred 3 "$@" --ca-file junk.pem
assert_grep "cannot load the CA certificates 'junk.pem': no PEM certificate in it$" err
# A directory that is not there is not silently an empty trust store.
akcred 3 "$@" --ca-path nope.d
assert_grep "^akcred: check: cannot use the CA directory 'nope.d': No such file or directory$" err
akcred 3 "$@" --ca-path junk.pem
assert_grep "cannot use the CA directory 'junk.pem': not a directory$" err
# A CA file with a certificate loads (openssl for the test CA).
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=akcred test CA" -keyout ca.key -out ca.pem 2>/dev/null
	akcred 0 "$@" --ca-file ca.pem
	akcred 0 "$@" --ca-path .
fi
