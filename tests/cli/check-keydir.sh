# The broker plugin: every key of a device counts -- any number of files in any order,
# junk among them, and every key of a file holding several (a key appended in a rotation).
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker
"$AKCRED" keygen --private new.key --public new.pub >/dev/null
set -- --host localhost --port "$BROKER_PORT" --ca-file "$CA"

# 200 junk files and 20 old keys around the real one (the plugin used to read 64 entries).
mkdir -p "$KEYS_DIR/dev1"
i=0
while [ $i -lt 200 ]; do
	echo "not a key $i" >"$KEYS_DIR/dev1/junk-$i.pem"
	[ $i -ne 100 ] || cp dev.pub "$KEYS_DIR/dev1/m-real.pem"
	i=$((i + 1))
done
i=0
while [ $i -lt 20 ]; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
		openssl pkey -pubout >"$KEYS_DIR/dev1/old-$i.pem"
	i=$((i + 1))
done
akcred 0 check --device-id dev1 --key dev.key "$@"
assert_grep "device 'dev1' logged in with key $("$AKCRED" fingerprint dev.pub) \(.*/dev1/m-real.pem\)" "$BROKER_LOG"
akcred 0 check --device-id dev1 --key dev.key --no-kid "$@"

# A rotation: the new key appended to the device's one key file.
broker_register dev2 dev.pub
cat new.pub >>"$KEYS_DIR/dev2/dev.pub"
akcred 0 check --device-id dev2 --key new.key "$@"
assert_grep "device 'dev2' logged in with key $("$AKCRED" fingerprint new.pub)" "$BROKER_LOG"
akcred 0 check --device-id dev2 --key dev.key "$@"

# kid_unknown names a file that could not be read: it may hold the missing key.
mkdir -p "$KEYS_DIR/dev3"
cp dev.pub "$KEYS_DIR/dev3/a.pem"
{ cat new.pub; printf -- '-----BEGIN PUBLIC KEY-----\nMFkw\n'; } >"$KEYS_DIR/dev3/b.pem"
akcred 7 check --device-id dev3 --key new.key "$@"
assert_grep "login of 'dev3' refused: kid_unknown: .*; registered key .*/dev3/b.pem unusable: .*unreadable PEM data after block 1" "$BROKER_LOG"

# check --token-file with a key file of several: its local checks follow the same rule.
cat dev.pub new.pub >both.pub
"$AKCRED" jwt mint --device-id dev3 --key new.key >t.jwt
akcred 7 check --device-id dev3 --token-file t.jwt --key both.pub "$@"
assert_grep 'passes every local check' err
assert_no_grep 'token error' err
akcred 7 check --device-id dev3 --token-file t.jwt --key dev.pub "$@"
assert_grep 'token error: kid_mismatch' err
# Minting needs one key.
cat dev.key new.key >both.key
akcred 3 check --device-id dev3 --key both.key "$@"
assert_grep "'both.key' holds 2 keys or certificates" err
