# A --count batch keeps its numbering when it grows: s-1 ... s-9, then
# s-10 ... s-12 -- never a second device (s-01) for a serial.  A --width that
# differs from the batch's, or a batch numbered two ways, is refused (exit 3).
. "$(dirname "$0")/lib.sh"

akcred 0 provision -o b --count 9 --prefix s-
akcred 0 provision -o b --count 12 --prefix s-
assert_grep '^3 new EC P-256 keys in .b., 9 already provisioned' "$T/out"
assert_eq "$(tail -n +2 b/manifest.csv | cut -d, -f1 | sort -V | tr '\n' ' ')" \
	"s-1 s-2 s-3 s-4 s-5 s-6 s-7 s-8 s-9 s-10 s-11 s-12 " "the ids"
[ ! -e b/s-01 ] || fail "a second device for serial 1"
"$PYTHON" "$TESTS/tools/pycheckprovision.py" b --expect 12 >/dev/null || fail "b does not check out"
# The same run again: nothing to do.
akcred 0 provision -o b --count 12 --prefix s-
assert_grep '^nothing to do: all 12 devices' "$T/out"

# A padded batch stays padded, and grows past its width: x-001 ... x-999, x-1000.
akcred 0 provision -o c --count 3 --prefix x- --width 3
akcred 0 provision -o c --count 4 --prefix x- --start 998
assert_eq "$(tail -n +2 c/manifest.csv | cut -d, -f1 | sort | tr '\n' ' ')" \
	"x-001 x-002 x-003 x-1000 x-1001 x-998 x-999 " "the padded ids"
akcred 0 provision -o c --count 3 --prefix x- --width 3
assert_grep '^nothing to do' "$T/out"

# Another width than the batch's would number its serials twice: refused, nothing made.
akcred 3 provision -o b --count 12 --prefix s- --width 2
assert_grep "^akcred: provision: batch 'b' numbers its 's-' ids with 1 digit \('s-[1-9]'\): --width 2 would give its devices a second id$" "$T/err"
[ ! -e b/s-01 ] || fail "--width 2 made s-01"

# Another prefix is another numbering: y-01 ... y-10 beside the s- ids.
akcred 0 provision -o b --count 10 --prefix y-
grep -q '^y-01,' b/manifest.csv || fail "y-01 is not in the manifest"

# A batch already numbered two ways (the old bug: s-1 and s-01) is not added to.
akcred 0 provision -o d --count 2 --prefix s-
printf 's-01\n' >more.txt
akcred 0 provision -o d --ids more.txt
akcred 3 provision -o d --count 3 --prefix s-
assert_grep "^akcred: provision: batch 'd' numbers 's-' ids in two ways \('s-[12]' and 's-01'\): not adding to it \(use --ids\)$" "$T/err"
[ ! -e d/s-3 ] || fail "s-3 was made"
