# provision shows a progress bar on a terminal only: on a pseudo-terminal the
# count, the percentage and the rate appear on standard error; through pipes
# standard error stays empty and standard output holds just the summary.
. "$(dirname "$0")/lib.sh"

"$PYTHON" "$TESTS/tools/ttyrun.py" -- "$AKCRED" provision -o tty --count 300 --prefix d- >tty.out ||
	fail "provision on a terminal failed"
assert_grep '300/300 \[#{30}\] 100%  [0-9]+/s' tty.out
assert_grep '300 new EC P-256 keys' tty.out
# The bar is erased before the summary: the summary line starts clean.
grep -q "$(printf '\r\033\\[K')" tty.out || fail "the bar is not erased"

akcred 0 provision -o pipe --count 300 --prefix d-
[ ! -s "$T/err" ] || { cat "$T/err"; fail "output on standard error without a terminal"; }
assert_eq "$(wc -l <"$T/out")" 2 "summary lines"
