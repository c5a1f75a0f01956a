# connect: bad command lines and inputs are refused before anything is sent, and a
# failure that waiting cannot mend (CA certificates that do not load) is not retried.
. "$(dirname "$0")/lib.sh"
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null

akcred 2 connect --key dev.key
assert_grep 'device-id is required' err
akcred 2 connect --device-id dev1
assert_grep 'key is required' err
akcred 2 connect --device-id 'a/b' --key dev.key
akcred 2 connect --device-id dev1 --key dev.key --timeout 0
akcred 2 connect --device-id dev1 --key dev.key --interval 0
akcred 2 connect --device-id dev1 --key dev.key --refusals 0
akcred 2 connect --device-id dev1 --key dev.key --topic-suffix '#'
assert_grep "topic-suffix '#': a topic path" err
akcred 2 connect --device-id dev1 --key dev.key --plaintext --ca-file x.pem
akcred 2 connect --device-id dev1 --key dev.key extra
# Inputs.
akcred 3 connect --device-id dev1 --key missing.pem </dev/null
akcred 3 connect --device-id dev1 --key dev.pub </dev/null
assert_grep "'dev.pub' is a public key" err
akcred 3 connect --device-id dev1 --key dev.key --ca-file missing.pem --host 127.0.0.1 \
	</dev/null
assert_grep 'cannot load the CA certificates' err
assert_no_grep '^retrying' err
# A spool that is not a directory.
: >notadir
akcred 3 connect --device-id dev1 --key dev.key --spool notadir --host 127.0.0.1 </dev/null
assert_grep "'notadir' exists and is not a directory" err
