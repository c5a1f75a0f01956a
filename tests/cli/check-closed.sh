# check: a server that reads and hangs up -- right after the CONNECT (exit 7, the
# usual way brokers refuse without a CONNACK) or during the TLS handshake (exit 6).
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
closing_listener

akcred 7 check --device-id dev1 --key dev.key --host 127.0.0.1 --port "$CLOSING_PORT" --plaintext
assert_grep '^tcp +[0-9.]+ ms' out
assert_grep '^connack +failed' out
assert_grep 'connection closed by the broker right after CONNECT, without a CONNACK' err
assert_grep 'hint: brokers close the connection instead of answering' err
assert_grep 'the token passes every local check' err

akcred 6 check --device-id dev1 --key dev.key --host localhost --port "$CLOSING_PORT"
assert_grep '^tls +failed' out
assert_grep 'the server closed the connection during the TLS handshake' err
