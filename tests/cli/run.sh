#!/bin/sh
# Run the black-box tests: every tests/cli/*.sh (or those named), two at a
# time, each in a private temporary directory.  Exit 77 from a test means
# skipped.  Ends with the line "N passed, N failed, N skipped".
set -u
dir=$(cd "$(dirname "$0")" && pwd)
: "${AKCRED:?set AKCRED to the binary under test}"
export AKCRED PYTHON="${PYTHON:-/usr/bin/python3}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
jobs=${JOBS:-2}
# VALGRIND=1: every run of akcred goes through valgrind memcheck (make memcheck).
if [ -n "${VALGRIND:-}" ]; then
	export AKCRED_REAL="$AKCRED" AKCRED="$dir/../tools/valgrind-akcred" AKCRED_VALGRIND=1
fi
logs=$(mktemp -d "${TMPDIR:-/tmp}/akcred-cli.XXXXXX")
trap 'rm -rf "$logs"' EXIT

if [ $# -gt 0 ]; then
	tests=""
	for t in "$@"; do tests="$tests $dir/${t%.sh}.sh"; done
else
	# Tests are named <command>-<behaviour>.sh; files without a dash are sourced helpers.
	tests=$(ls "$dir"/*-*.sh)
fi

# One line per test: "<status> <name>", run $jobs at a time.
printf '%s\n' $tests | xargs -P "$jobs" -I{} sh -c '
	t={}; n=$(basename "$t" .sh)
	sh "$t" >"'"$logs"'/$n.log" 2>&1; echo "$? $n" >"'"$logs"'/$n.rc"'

pass=0 failed=0 skipped=0
for t in $tests; do
	n=$(basename "$t" .sh)
	rc=$(cut -d" " -f1 "$logs/$n.rc" 2>/dev/null || echo 1)
	case $rc in
	0) pass=$((pass + 1)); echo "ok   $n" ;;
	77) skipped=$((skipped + 1)); echo "skip $n: $(tail -n 1 "$logs/$n.log")" ;;
	*) failed=$((failed + 1)); echo "FAIL $n (exit $rc)"; sed 's/^/     | /' "$logs/$n.log" | tail -n 40 ;;
	esac
done
echo "$pass passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
