# provision reports bad ids with their line numbers and duplicates, skips
# them, provisions the rest and exits 1.
. "$(dirname "$0")/lib.sh"

cat >ids.txt <<'IDS'
good-1
bad/id
# a comment
	
  good-2  
.hidden
good-1
has space
good-3
a+b
IDS
akcred 1 provision -o batch --ids ids.txt
assert_grep "^akcred: provision: 'ids.txt' line 2: device id 'bad/id' has the character '/': skipped$" "$T/err"
assert_grep "'ids.txt' line 6: device id '.hidden' starts with '.'" "$T/err"
assert_grep "'ids.txt' line 7: device id 'good-1' was already given on line 1: skipped" "$T/err"
assert_grep "'ids.txt' line 8: .*space" "$T/err"
assert_grep "'ids.txt' line 10: device id 'a\+b' has the character '\+'" "$T/err"
assert_eq "$(wc -l <"$T/err")" 5 "number of messages"
assert_grep '^3 new EC P-256 keys' "$T/out"
assert_grep '^4 bad ids, 1 duplicate, 0 failed devices' "$T/out"
"$PYTHON" "$TESTS/tools/pycheckprovision.py" batch --expect 3 >/dev/null ||
	fail "the good ids were not provisioned correctly"
assert_eq "$(tail -n +2 batch/manifest.csv | cut -d, -f1 | sort | tr '\n' ' ')" "good-1 good-2 good-3 "

# The same again: nothing new, still exit 1 for the bad lines.
akcred 1 provision -o batch --ids ids.txt --json
"$PYTHON" - "$T/out" <<'PY' || fail "bad JSON summary"
import json, sys
j = json.load(open(sys.argv[1]))
assert (j["created"], j["verified"], j["invalid"], j["duplicates"]) == (0, 3, 4, 1), j
PY

# A line longer than any id, and control characters, are reported safely.
{ head -c 300 /dev/zero | tr '\0' a; echo; printf 'x\033[31my\n'; echo ok-1; } >odd.txt
akcred 1 provision -o batch --ids odd.txt
assert_grep "'odd.txt' line 1: the device id is longer than 128 characters" "$T/err"
assert_grep "'odd.txt' line 2: device id 'x\\\\x1b\[31my'" "$T/err"
assert_grep '^1 new EC P-256 key in' "$T/out"
