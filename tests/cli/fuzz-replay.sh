# Every fuzz harness replays its corpus -- the seeds and every input that
# once crashed it -- without a crash, sanitizers included when built so.
. "$(dirname "$0")/lib.sh"
: "${O:?O must name the build directory}"
n=0
for h in "$TESTS"/fuzz/fuzz-*.c; do
	name=$(basename "$h" .c)
	name=${name#fuzz-}
	bin=$O/replay-$name
	[ -x "$bin" ] || fail "no replay binary for harness '$name' (make builds $bin)"
	ls "$TESTS/fuzz/corpus/$name/"* >/dev/null 2>&1 || fail "harness '$name' has no corpus"
	run 0 "$bin" "$TESTS/fuzz/corpus/$name/"*
	n=$((n + 1))
done
[ "$n" -ge 2 ] || fail "only $n harnesses"
