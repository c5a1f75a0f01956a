# One file named twice is refused (exit 3) before anything is written: files
# are compared by device and inode, or by directory and name, not by spelling.
. "$(dirname "$0")/lib.sh"

akcred 0 keygen --private k.pem --public k.pub
cp -p k.pem old.pem
mkdir sub
ln -s . alias
ln k.pem hard.pem
for spelling in ./k.pem alias/k.pem "$T/k.pem" sub/../k.pem hard.pem; do
	akcred 3 keygen --private k.pem --public "$spelling" --force
	assert_grep "^akcred: keygen: 'k.pem' and '$spelling' are the same file" err
	cmp -s k.pem old.pem || fail "--public $spelling: the private key was replaced"
	akcred 3 keygen --private "$spelling" --public k.pub --cert k.pem --device-id d --force
	assert_grep "are the same file" err
	cmp -s k.pem old.pem || fail "--private $spelling: the private key was replaced"
done

# Files that do not exist yet: compared by their directory and name.
akcred 3 keygen --private new.pem --public ./new.pem
assert_grep "'new.pem' and './new.pem' are the same file" err
akcred 3 keygen --private new.pem --public alias/new.pem --force
[ ! -e new.pem ] || fail "new.pem written"
assert_eq "$(ls -A | grep -c akcred || true)" 0 "hidden files left"
