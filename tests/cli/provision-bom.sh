# provision reads an ids file saved with a UTF-8 byte order mark (Windows
# editors) as the manifest reader does: the BOM is skipped, the first id is
# kept; a BOM anywhere else is part of its line.
. "$(dirname "$0")/lib.sh"

printf '\357\273\277bom1\r\nbom2\r\n' >ids.txt
akcred 0 provision -o b --ids ids.txt
assert_grep '^2 new EC P-256 keys' "$T/out"
assert_eq "$(tail -n +2 b/manifest.csv | cut -d, -f1 | sort | tr '\n' ' ')" "bom1 bom2 "

# From a pipe too, and with a comment as the first line.
printf '\357\273\277# batch 9\nbom3\n' | "$AKCRED" provision -o b --ids - >out 2>err ||
	fail "provision from a pipe: $(cat err)"
grep -q '^bom3,' b/manifest.csv || fail "bom3 is not in the manifest"

printf 'ok-1\n\357\273\277late\n' >late.txt
akcred 1 provision -o b --ids late.txt
assert_grep "'late.txt' line 2: device id '" "$T/err"
