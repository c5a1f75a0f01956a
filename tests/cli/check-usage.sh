# check: bad command lines and inputs are refused before anything is sent.
. "$(dirname "$0")/lib.sh"
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null

akcred 2 check --key dev.key
assert_grep 'device-id is required' err
akcred 2 check --device-id dev1
assert_grep 'key is required' err
akcred 2 check --device-id 'a/b' --key dev.key
akcred 2 check --device-id dev1 --key dev.key --qos 2
akcred 2 check --device-id dev1 --key dev.key --timeout 0
akcred 2 check --device-id dev1 --key dev.key --topic-suffix '#'
akcred 2 check --device-id dev1 --key dev.key --topic /a --topic-suffix b
akcred 2 check --device-id dev1 --key dev.key --plaintext --ca-file x.pem
akcred 2 check --device-id dev1 --key dev.key --json --show-token
akcred 2 check --device-id dev1 --key dev.key --host 'bad host'
assert_grep "host 'bad host': not a host name or address" err
# Inputs: a public key cannot sign; a payload that is not JSON.
akcred 3 check --device-id dev1 --key dev.pub --dry-run --host 127.0.0.1
assert_grep "'dev.pub' is a public key" err
akcred 3 check --device-id dev1 --key dev.key --payload '{"t":' --dry-run --host 127.0.0.1
assert_grep 'the payload is not JSON' err
akcred 0 check --device-id dev1 --key dev.key --payload 'hello' --raw --dry-run --host 127.0.0.1
akcred 3 check --device-id dev1 --key dev.key --ca-file missing.pem --dry-run --host 127.0.0.1
assert_grep 'cannot load the CA certificates' err
# Missing inputs are found before anything is resolved (the default host is not local).
akcred 3 check --device-id dev1 --key missing.pem --dry-run
assert_no_grep '^resolve' out
akcred 3 check --device-id dev1 --token-file missing.jwt --dry-run
assert_no_grep '^resolve' out
