# Dispatch and usage errors: exact command names, status 2 for usage errors,
# --help everywhere, version, and write errors on stdout.
. "$(dirname "$0")/lib.sh"

akcred 2
assert_grep "^usage: akcred <command>" err
assert_grep "^  keygen " err
akcred 2 frobnicate
assert_grep "^akcred: unknown command 'frobnicate'" err
assert_grep "^  fingerprint " err
akcred 2 key
assert_grep "unknown command 'key'" err
akcred 2 KEYGEN
akcred 2 keygen --frob
assert_grep "^akcred: keygen: unknown option '--frob'" err
assert_grep "^usage: akcred keygen " err
akcred 2 keygen -z
assert_grep "unknown option '-z'" err
akcred 2 keygen --type
assert_grep "option '--type' needs a value" err
akcred 2 keygen --bits lots --type rsa
assert_grep "bits wants a number, not 'lots'" err
akcred 2 keygen --bits=-1 --type rsa

"$AKCRED" help | sed -n 's/^  \([a-z][a-z-]*\( [a-z]*\)\?\)  .*/\1/p' | sed 's/ *$//' > commands
while read -r cmd; do
	# shellcheck disable=SC2086
	akcred 0 $cmd --help
	assert_grep "^usage: akcred $cmd" out
	assert_grep "^  -h, --help " out
	# shellcheck disable=SC2086
	akcred 0 help $cmd
	# shellcheck disable=SC2086
	"$AKCRED" $cmd -h | cmp -s - out || fail "'help $cmd' differs from '$cmd -h'"
done < commands
akcred 0 --help
assert_grep "^commands:" out
akcred 2 help nosuch

akcred 0 version
assert_grep "^akcred [0-9]+\.[0-9]+\.[0-9]+" out
assert_grep "^  openssl +OpenSSL 3\." out
assert_grep "^  libsodium +1\." out
assert_grep "^  jansson +2\." out
akcred 0 --version
akcred 0 version --json
"$PYTHON" -c 'import json; d = json.load(open("out")); assert d["akcred"] and d["openssl"].startswith("OpenSSL 3"), d'
akcred 2 version extra

# Output that cannot be written is an error, not a silent success.
if [ -w /dev/full ]; then
	set +e; "$AKCRED" help --completion bash > /dev/full 2> err2; st=$?; set -e
	assert_eq "$st" 3 "status when stdout is full"
	assert_grep "cannot write to standard output" err2
fi
