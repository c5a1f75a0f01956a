# A rerun whose batch-wide options do not fit the existing batch (key type,
# RSA size, certificates, encryption) fails once for the batch, exit 3,
# before any device is checked and before a passphrase is asked for.
. "$(dirname "$0")/lib.sh"

akcred 0 provision -o ec --count 40 --prefix d-
cp ec/manifest.csv before.csv
akcred 3 provision -o ec --count 40 --prefix d- --type rsa
assert_grep "^akcred: provision: the options do not match batch 'ec': it holds EC256_PEM devices \('d-[0-9]+'\), this run makes RSA256_PEM \(see --type and --cert\)$" "$T/err"
assert_eq "$(wc -l <"$T/err")" 1 "number of messages"
akcred 3 provision -o ec --count 40 --prefix d- --cert
assert_grep "it holds EC256_PEM devices .*, this run makes EC256_X509_PEM" "$T/err"
assert_eq "$(wc -l <"$T/err")" 1 "number of messages"
# --encrypt on a batch of plain keys: the batch error, not a passphrase prompt or error.
env -u AKCRED_PASSPHRASE "$AKCRED" provision -o ec --count 40 --prefix d- --encrypt \
	</dev/null >out 2>err && fail "--encrypt on a plain batch succeeded"
assert_grep "^akcred: provision: the options do not match batch 'ec': its private keys are not encrypted \('ec/d-[0-9]+/private.pem'\): leave out --encrypt$" err
assert_eq "$(wc -l <err)" 1 "number of messages"
cmp -s before.csv ec/manifest.csv || fail "a refused run changed the manifest"

# RSA: the key size is the batch's too.
akcred 0 provision -o rsa --count 2 --prefix r- --type rsa
akcred 3 provision -o rsa --count 2 --prefix r- --type rsa --bits 3072
assert_grep "^akcred: provision: the options do not match batch 'rsa': it holds RSA 2048 keys \('r-[12]'\), this run makes RSA 3072 \(see --bits\)$" "$T/err"
akcred 3 provision -o rsa --count 2 --prefix r-
assert_grep "it holds RSA256_PEM devices .*, this run makes EC256_PEM" "$T/err"
akcred 0 provision -o rsa --count 2 --prefix r- --type rsa
assert_grep '^nothing to do' "$T/out"
