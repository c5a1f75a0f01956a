# A file of several certificates counts each one only when none issued another: a certificate
# chain in a device's key file would make its CA's key one of the device's keys, so the chain
# is refused by every command that reads keys (fingerprint, jwt verify, the broker's loader).
. "$(dirname "$0")/lib.sh"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ec ca.key
ec dev.key
ec dev2.key
openssl req -new -x509 -key ca.key -subj /CN=factory-ca -days 10 -out ca.crt 2>/dev/null
openssl req -new -key dev.key -subj /CN=dev-1 -out dev.csr 2>/dev/null
openssl x509 -req -in dev.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 10 \
	-out dev.crt 2>/dev/null
openssl req -new -x509 -key dev.key -subj /CN=dev-1 -days 10 -out self1.crt 2>/dev/null
openssl req -new -x509 -key dev2.key -subj /CN=dev-1 -days 10 -out self2.crt 2>/dev/null

# Leaf then CA, and CA then leaf: refused, naming the chain, whatever the order.
cat dev.crt ca.crt > chain.pem
cat ca.crt dev.crt > rchain.pem
for f in chain.pem rchain.pem; do
	akcred 3 fingerprint "$f"
	assert_grep "'$f' holds a certificate chain" err
	[ ! -s out ] || fail "a fingerprint was printed for a chain: $(cat out)"
done
"$AKCRED" jwt mint --key dev.key --device-id dev-1 > tok
akcred 3 jwt verify --key chain.pem --device-id dev-1 @tok
assert_grep "certificate chain" err

# Two self-signed certificates of one device (a rotation): both count, one line each.
cat self1.crt self2.crt > both.pem
akcred 0 fingerprint both.pem
assert_eq "$(wc -l < out | tr -d ' ')" 2 "lines for two self-signed certificates"
assert_grep "^$(py_fingerprint dev.key)  both.pem" out
assert_grep "^$(py_fingerprint dev2.key)  both.pem" out
# A certificate beside its own key is no chain either.
cat self1.crt dev.key > own.pem
akcred 0 fingerprint own.pem
