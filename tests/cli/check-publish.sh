# check: the device logs in with a minted token and its message arrives, exactly,
# on its uplink topic, from client id = device id.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker sensor-7
observe '/up/#' obs.txt 1

akcred 0 check --device-id sensor-7 --key dev.key --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --payload '{"temperature":22}' --topic-suffix alerts
observe_wait obs.txt 1
assert_eq "$(cat obs.txt)" '/up/device/id/sensor-7/alerts {"temperature":22}' "received"
for ph in resolve tcp tls connack publish disconnect; do
	assert_grep "^$ph +[0-9.]+ ms" out
done
assert_grep 'TLSv1\.[23] .*server .CN=localhost., issued by .CN=akcred test CA.' out
assert_grep "^ok: 'sensor-7' connected to 127\.0\.0\.1:$BROKER_PORT and published 18 bytes" out
# The broker saw client id = device id, logged in with the registered key.
kid=$("$AKCRED" fingerprint dev.pub)
assert_grep "akcred-auth: device 'sensor-7' logged in with key $kid" "$BROKER_LOG"
assert_grep "New client connected from 127\.0\.0\.1:[0-9]+ as sensor-7 .*u'unused'" "$BROKER_LOG"
# The token is never printed unless asked.
assert_no_grep 'eyJ' out
assert_no_grep 'eyJ' err

# --json: one object, every phase; --show-token prints the token sent.
akcred 0 check --device-id sensor-7 --key dev.key --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --json
"$PYTHON" - "$T/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["ok"] is True and o["connack"] == 0, o
assert [p["phase"] for p in o["phases"]] == ["resolve", "tcp", "tls", "connack", "publish", "disconnect"], o
assert all(p["ok"] for p in o["phases"])
assert o["tls"]["issuer"] == "CN=akcred test CA" and o["tls"]["names"] == "localhost"
PY
akcred 0 check --device-id sensor-7 --key dev.key --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --show-token
tok=$(grep '^eyJ' out)
"$AKCRED" jwt verify --key dev.pub --device-id sensor-7 "$tok" >/dev/null 2>&1 ||
	printf '%s' "$tok" | "$AKCRED" jwt verify --key dev.pub --device-id sensor-7 >/dev/null ||
	fail "the token shown does not verify"

# The default payload is a JSON object with the time; --dry-run connects nowhere.
observe '/up/device/id/sensor-7' obs2.txt 1
akcred 0 check --device-id sensor-7 --key dev.key --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --qos 0
observe_wait obs2.txt 1
assert_grep '^/up/device/id/sensor-7 \{"check":"akcred","time":"20[0-9-]+T[0-9:]+Z"\}$' obs2.txt
n=$(grep -c 'as sensor-7' "$BROKER_LOG")
akcred 0 check --device-id sensor-7 --key dev.key --host localhost --port "$BROKER_PORT" \
	--ca-file "$CA" --dry-run
assert_grep '^ok: .*nothing was sent' out
assert_eq "$(grep -c 'as sensor-7' "$BROKER_LOG")" "$n" "connections after --dry-run"

# Cross-check: tokens minted by the reference client's libraries (PyJWT and
# pycryptodome), EC and RSA, are accepted by the broker plugin.
"$PYTHON" -c 'import jwt, Cryptodome' 2>/dev/null || skip "$PYTHON lacks PyJWT or Cryptodome"
"$AKCRED" keygen --type rsa --private rsa.key --public rsa.pub >/dev/null
broker_register sensor-8 rsa.pub
for dev in sensor-7:dev sensor-8:rsa; do
	id=${dev%%:*} k=${dev#*:}
	"$PYTHON" "$TESTS/tools/pymint.py" "$k.key" "$k.pub" "$id" >py.jwt
	# print() ends it with one line end: the file's framing, not part of the token.
	[ "$(tail -c 1 py.jwt | od -An -c | tr -d ' ')" = '\n' ] || fail "pymint.py printed no line end"
	akcred 0 check --device-id "$id" --token-file py.jwt --host localhost \
		--port "$BROKER_PORT" --ca-file "$CA"
	assert_grep "^token .* from file, a token for '$id'" out
	assert_grep "akcred-auth: device '$id' logged in with key $("$AKCRED" fingerprint "$k.pub")" \
		"$BROKER_LOG"
done

# The broker compares the password byte for byte, and check says beforehand
# what it will refuse: a space after the token, or a second line end.
for tail in ' \n' '\n\n'; do
	"$PYTHON" "$TESTS/tools/pymint.py" dev.key dev.pub sensor-7 | tr -d '\n' >ws.jwt
	printf "$tail" >>ws.jwt
	akcred 7 check --device-id sensor-7 --token-file ws.jwt --host localhost \
		--port "$BROKER_PORT" --ca-file "$CA"
	assert_grep "has problems; sending it anyway" err
	assert_grep "token error: whitespace: " err
	assert_grep "CONNACK 5" err
done
