# provision adopts nothing another user made: a batch directory owned by
# someone else or writable by group or others is refused (exit 3), as ssh
# refuses such a ~/.ssh; a device directory or key file the running user does
# not own is reported for that device and left out of the manifest (exit 1).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to make files owned by another user"
chmod 755 "$T" # the other user must reach its own directories in here

# A whole batch directory made by another user, with a key pair in it.
akcred 0 provision -o theirs --count 2 --prefix d-
rm theirs/manifest.csv
chown -R 65534:65534 theirs
akcred 3 provision -o theirs --count 2 --prefix d-
assert_grep "^akcred: provision: 'theirs' belongs to another user \(uid 65534\): not adopting what it holds$" "$T/err"
[ ! -e theirs/manifest.csv ] || fail "a manifest was written into another user's directory"
# What it looks like to that user: theirs is fine.
as_nobody "$AKCRED" provision -o theirs --count 2 --prefix d- >out 2>err || fail "as its owner: $(cat err)"

# Group- or world-writable: refused before anything is read or made.
mkdir -m 770 shared
akcred 3 provision -o shared --count 2 --prefix d-
assert_grep "^akcred: provision: 'shared' is writable by group or others \(mode 770\)$" "$T/err"
[ -z "$(ls -A shared)" ] || fail "something was made in a group-writable directory"

# Device directories and key files of another user inside our batch.
akcred 0 provision -o spare --count 3 --prefix d-
mkdir -m 700 b
mv spare/d-2 spare/d-3 b/
chown -R 65534:65534 b/d-2       # the whole device
chown 65534 b/d-3/public.pem     # only its public key
akcred 1 provision -o b --count 4 --prefix d-
assert_grep "^akcred: provision: device 'd-2': 'b/d-2' belongs to another user \(uid 65534\): not adopting what it holds$" "$T/err"
assert_grep "^akcred: provision: device 'd-3': 'b/d-3/public.pem' belongs to another user \(uid 65534\)" "$T/err"
assert_grep '^2 new EC P-256 keys in .b.' "$T/out"
assert_grep ' 2 failed devices' "$T/out"
assert_eq "$(tail -n +2 b/manifest.csv | cut -d, -f1 | sort | tr '\n' ' ')" "d-1 d-4 " "the manifest"

# A listed device whose private key changed hands later: an error, still not replaced.
chown 65534 b/d-1/private.pem
akcred 1 provision -o b --count 1 --prefix d-
assert_grep "^akcred: provision: device 'd-1': 'b/d-1/private.pem' belongs to another user" "$T/err"
