# check and the broker plugin: a certificate registered as a device's key counts only
# within its validity period (give or take the leeway), the rule jwt verify applies.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
. "$TESTS/cli/cert.lib"
check_broker
cert_dated dev.key 20200101000000Z 20200201000000Z expired.crt
cert_dated dev.key 20990101000000Z 20991231000000Z future.crt
cert_dated dev.key 20200101000000Z 20991231000000Z valid.crt
broker_register old1 expired.crt
broker_register new1 future.crt
broker_register ok1 valid.crt
set -- --host localhost --port "$BROKER_PORT" --ca-file "$CA"

akcred 0 check --device-id ok1 --key dev.key "$@"
assert_grep "device 'ok1' logged in with key $("$AKCRED" fingerprint dev.pub)" "$BROKER_LOG"

# Not valid yet: refused (it used to be accepted).
akcred 7 check --device-id new1 --key dev.key "$@"
assert_grep 'CONNACK 5, not authorised' err
assert_grep "login of 'new1' refused: cert_not_valid: .* it is not valid yet" "$BROKER_LOG"
assert_no_grep "device 'new1' logged in" "$BROKER_LOG"

# Expired: refused, with the rule's reason in the log.
akcred 7 check --device-id old1 --key dev.key "$@"
assert_grep 'CONNACK 5, not authorised' err
assert_grep "login of 'old1' refused: cert_not_valid: the certificate is valid from 2020-01-01T00:00:00Z to 2020-02-01T00:00:00Z: at .* it has expired \(leeway 1m\)" "$BROKER_LOG"

# check's local checks with the certificate as the key say why before connecting.
"$AKCRED" jwt mint --device-id old1 --key dev.key >t.jwt
akcred 1 jwt verify --key expired.crt --device-id old1 @t.jwt
assert_grep 'error +cert_not_valid: .* it has expired' out
akcred 7 check --device-id old1 --token-file t.jwt --key expired.crt "$@"
assert_grep 'token error: cert_not_valid: .* it has expired' err
