# check: TLS failures -- unknown CA, host name mismatch, plain MQTT on the TLS port and
# TLS on a plain port -- exit 6 with OpenSSL's exact reason and a fix.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker dev1
set -- --device-id dev1 --key dev.key

# The system trust store does not know the test CA.
akcred 6 check "$@" --host localhost --port "$BROKER_PORT"
assert_grep '^tls +failed' out
assert_grep 'server certificate rejected: (self-signed certificate in certificate chain|unable to get local issuer certificate)' err
assert_grep 'hint: .*--ca-file' err
# Another CA than the broker's.
broker_pki "$T/other"
akcred 6 check "$@" --host localhost --port "$BROKER_PORT" --ca-file "$T/other/ca.pem"
assert_grep 'server certificate rejected' err
assert_grep 'hint: the CA certificates given' err

# The certificate is for localhost, not 127.0.0.1.
akcred 6 check "$@" --host 127.0.0.1 --port "$BROKER_PORT" --ca-file "$CA"
assert_grep "server certificate rejected: it is for localhost, not for '127.0.0.1'" err

# TLS to a plain MQTT port.
akcred 6 check "$@" --host localhost --port "$OBS_PORT" --ca-file "$CA"
assert_grep "127\.0\.0\.1:$OBS_PORT speaks plain MQTT, not TLS" err
assert_grep 'hint: use the broker.s TLS port' err

# Plain MQTT to the TLS port.
akcred 6 check "$@" --host localhost --port "$BROKER_PORT" --plaintext
assert_grep 'warning: --plaintext: no TLS' err
assert_grep "127\.0\.0\.1:$BROKER_PORT speaks TLS, not plain MQTT" err
assert_grep 'hint: leave out --plaintext' err

# An expired server certificate: the date, and the two likely causes.
broker_stop
broker_pki_expired "$T/expired" "$T/broker"
broker_start "$T/expired"
akcred 6 check "$@" --host localhost --port "$BROKER_PORT" --ca-file "$CA"
assert_grep "server certificate rejected: certificate has expired: 'CN=localhost' expired on 2020-02-01T00:00:00Z" err
assert_grep 'hint: the broker must renew its certificate, or this machine.s clock is wrong' err

# There is no option to turn verification off.
akcred 2 check "$@" --insecure
akcred 0 check --help
assert_no_grep 'insecure|no-verify' out
