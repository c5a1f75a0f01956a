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

# A near miss (at most two edits, as git) is suggested; it is never run.
akcred 2 keygn
assert_grep "^akcred: unknown command 'keygn' \(did you mean 'keygen'\?\)$" err
akcred 2 fingreprint x.pem
assert_grep "unknown command 'fingreprint' \(did you mean 'fingerprint'\?\)$" err
akcred 2 frobnicate
assert_no_grep 'did you mean' err
akcred 2 verify
assert_grep "unknown command 'verify' \(did you mean 'jwt verify'\?\)$" err
akcred 2 keygen --tpye ec
assert_grep "^akcred: keygen: unknown option '--tpye' \(did you mean '--type'\?\)$" err
[ ! -e ec_private.pem ] || fail "keygen ran with --tpye"
akcred 2 check --device-id d --key k --passphrase-fil p
assert_grep "unknown option '--passphrase-fil' \(did you mean '--passphrase-file'\?\)$" err
akcred 2 keygen --tpye=ec
assert_grep "unknown option '--tpye' \(did you mean '--type'\?\)$" err
akcred 2 keygen --frobnicate
assert_no_grep 'did you mean' err
akcred 2 help keygn
assert_grep "unknown command 'keygn' \(did you mean 'keygen'\?\)$" err
akcred 2 help jwt mnt
assert_grep "unknown command 'jwt mnt' \(did you mean 'jwt mint'\?\)$" err
akcred 2 help jwt mint x
assert_grep "unexpected operand 'x'" err
# A sub-command that does not exist: the parent's sub-commands are listed, not the top level.
akcred 2 jwt mnt
assert_grep "^akcred: jwt: unknown command 'mnt' \(did you mean 'mint'\?\)$" err
assert_grep '^  jwt mint ' err
assert_grep '^  jwt verify ' err
assert_no_grep '^  keygen ' err

# --help: an option too long for the column has its help on the next line, and every help
# text starts in the same column.
for cmd in keygen fingerprint provision check register help version 'jwt mint' 'jwt decode' \
	'jwt verify'; do
	# shellcheck disable=SC2086
	"$AKCRED" $cmd --help | sed -n '/^options:/,/^$/p' | sed '1d;$d' >opts
	"$PYTHON" - "$cmd" opts <<'PY'
import re, sys
lines = open(sys.argv[2]).read().splitlines()
for i, l in enumerate(lines):
    if not re.match(r"^  (-., |    )--", l):
        assert re.match(r"^ {29}\S", l) and i > 0, (sys.argv[1], l)
        continue
    if len(l) > 29 and l[28] == " " and l[29] != " " and "  " not in l[2:28].strip():
        continue  # the help in its column
    # Too long for the column: nothing else on the line, the help on the next one.
    assert "  " not in l[2:].strip(), (sys.argv[1], l)
    assert i + 1 < len(lines) and re.match(r"^ {29}\S", lines[i + 1]), (sys.argv[1], l)
PY
done

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

# --days is one row (CMD_CERT_DAYS_OPTION) for every command that makes
# certificates: the same help, range and default everywhere.
for c in keygen provision rotate; do
	akcred 0 $c --help
	grep -- '^ *--days N ' out >"days-$c" || fail "$c --help: no --days"
done
cmp -s days-keygen days-provision && cmp -s days-keygen days-rotate ||
	fail "--days differs between keygen, provision and rotate: $(cat days-*)"
akcred 2 rotate --manifest m.csv --days 36501
assert_grep "^akcred: rotate: --days must be from 1 to 36500, not .36501.$" err

# Output that cannot be written is an error, not a silent success.
if [ -w /dev/full ]; then
	set +e; "$AKCRED" help --completion bash > /dev/full 2> err2; st=$?; set -e
	assert_eq "$st" 3 "status when stdout is full"
	assert_grep "cannot write to standard output" err2
fi
