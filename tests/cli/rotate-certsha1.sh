# rotate for certificate devices when akenza lists a credential only by its
# certificate's SHA-1 (--fingerprint sha1, no publicKey to compute a kid
# from): the journal keeps the old and the new certificate's SHA-1 from the
# "made" row on, so the old credential is found and deleted, and the new
# one is seen to stay -- also by a rerun after a run stopped between the
# swap and the delete, when the old certificate file is gone.  A journal
# begun before those fields (ROTATE_JOURNAL_HEADER_1) is still read.  A
# certificate renewed with the same key is found by its key, never taken
# for gone.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

sha1_of() { # CERT: the SHA-1 of its DER, as akenza shows it
	openssl x509 -in "$1" -outform DER | sha1sum | cut -c1-40
}

rotate_setup 2 cert --fingerprint sha1 --no-public-key
# The mock lists a credential by nothing but that SHA-1.
"$PYTHON" - "$MOCK_URL" "$MOCK_CA" "$(cat "$T/apikey")" "$(sha1_of dev/dev-0001/cert.pem)" <<'PY' ||
import json, ssl, sys, urllib.request
url, ca, key, sha1 = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
state = json.load(urllib.request.urlopen(url + "/_mock/state", context=ctx))
dev = [d for d in state["devices"] if d["deviceId"] == "dev-0001"][0]
req = urllib.request.Request(url + "/v3/device-authorization/devices/%s/credentials" % dev["id"],
                             headers={"x-api-key": key})
items = json.load(urllib.request.urlopen(req, context=ctx))["content"]
assert [c["fingerprint"] for c in items] == [sha1] and "publicKey" not in items[0], items
PY
	fail "the mock does not list the credential by its SHA-1 alone"
old1=$(sha1_of dev/dev-0001/cert.pem)
akcred 0 $ROT
assert_grep '^2 devices: 2 rotated, .* 0 failed$' "$T/out"
rotate_check --final
grep -q "^dev-0001,made,.*,$old1,$(sha1_of dev/dev-0001/cert.pem)\$" dev/rotation.csv ||
	fail "the made row does not hold the old and the new certificate's SHA-1"
head -n 1 dev/rotation.csv | grep -q ',at,old_cert_sha1,new_cert_sha1$' ||
	fail "the journal's header does not name the SHA-1 fields"

# Stopped between swap and delete: killed after the last rename (the
# manifest's) where an LD_PRELOAD shim can run, else by --keep-old, which
# leaves the journal as the kill does.  The old certificates are gone; the
# rerun deletes their credentials by the SHA-1s of the journal.
SHIM=${O:-}/syncshim.so
if [ -n "${O:-}" ] && [ -f "$SHIM" ] && [ -z "${SANITIZE:-}" ] && [ -z "${AKCRED_VALGRIND:-}" ]; then
	# Three renames per device (private key, public key, certificate), then the manifest.
	set +e
	AKCRED_SYNCSHIM_KILL_RENAME=7 LD_PRELOAD=$SHIM "$AKCRED" $ROT --journal dev/rotation-2.csv \
		>"$T/run.out" 2>"$T/run.err"
	rc=$?
	set -e
	[ $rc -eq 137 ] || { cat "$T/run.err" >&2; fail "the killed run exited $rc"; }
else
	akcred 0 $ROT --journal dev/rotation-2.csv --keep-old
fi
assert_eq "$(grep -c ',swapped,' dev/rotation-2.csv)" 2 "swapped rows"
! grep -q ',done,' dev/rotation-2.csv || fail "a device was done before the rerun"
rotate_check --uploads 3
akcred 0 $ROT --journal dev/rotation-2.csv
assert_grep '^2 devices: 2 rotated, .* 0 failed$' "$T/out"
rotate_check --final --uploads 3

# A journal of an older akcred, without the SHA-1 fields: still read.
cut -d, -f1-8 dev/rotation-2.csv >dev/rotation-old.csv
head -n 1 dev/rotation-old.csv | grep -q ',algorithm,at$' || fail "the old journal's header"
akcred 0 $ROT --journal dev/rotation-old.csv
assert_grep '^2 devices: 0 rotated, .* 0 failed$' "$T/out"
assert_grep 'hint: this journal.s rotation is done for every device' "$T/out"

# A certificate renewed locally with the same key (logins go on: the token is
# checked against the key): akenza's SHA-1 is then of the old certificate,
# which says nothing against the key.  Shown its public key, the credential
# is found by that and deleted; shown nothing but the SHA-1, the device
# fails ("cannot tell") instead of counting the old credential as gone.
renew() { # DEVICE: a new self-signed certificate of its key
	openssl req -x509 -new -key "dev/$1/private.pem" -subj "/CN=$1" -days 30 \
		-out "dev/$1/cert.pem" 2>/dev/null || fail "openssl req"
}
for listing in with-key sha1-only; do
	mock_stop
	rm -rf dev
	if [ $listing = with-key ]; then
		rotate_setup 1 cert --fingerprint sha1
	else
		rotate_setup 1 cert --fingerprint sha1 --no-public-key
	fi
	renew dev-0001
	if [ $listing = with-key ]; then
		akcred 0 $ROT
		assert_grep '^1 device: 1 rotated, .* 0 failed$' "$T/out"
		rotate_check --final
	else
		akcred 1 $ROT
		assert_grep "^akcred: rotate: device 'dev-0001': cannot tell from akenza's listing whether the credential is gone" "$T/err"
		assert_eq "$(mock_stat credentials_deleted)" 0 "credentials deleted"
		rotate_check
	fi
done

# An older akcred's journal continued mid-rotation (every device swapped,
# its old credential kept): the rerun writes its rows in the journal's own
# 8-field form and deletes the old credentials, found by their kids.
mock_stop
rm -rf dev
rotate_setup 2 cert
akcred 0 $ROT --keep-old
cut -d, -f1-8 dev/rotation.csv >dev/rotation.old && mv dev/rotation.old dev/rotation.csv
akcred 0 $ROT
assert_grep '^2 devices: 2 rotated, .* 0 failed$' "$T/out"
rotate_check --final
awk -F, 'NF != 8 { exit 1 }' dev/rotation.csv || fail "a row of another width in an 8-field journal"
assert_eq "$(grep -c ',done,' dev/rotation.csv)" 2 "done rows"
