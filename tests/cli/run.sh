#!/bin/sh
# Run the black-box tests: every test in tests/cli (or those named), $JOBS
# (default two) at a time, longest first, each in a private temporary
# directory.  Exit 77 from a test means skipped.  Ends with the line
# "N passed, N failed, N skipped"; each test's seconds go to $O/../cli-times.
#
# The naming rule, which tells tests from helpers:
#   <command>-<behaviour>.sh   a test (jwt-verify.sh, check-tls.sh; <command> may
#                              be an area: cli-, docs-, install-, errors-, fuzz-)
#   <name>.lib                 a helper that tests source (broker.lib, check.lib, ...)
#   lib.sh                     the one helper every test sources first
#   run.sh                     this runner
# Any other *.sh here is refused, so that a misnamed test is never silently
# left out, and so is a name given on the command line that is not a test.
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

is_test() { # NAME (without .sh)
	case $1 in
	*/* | -* | *- | *[!A-Za-z0-9-]*) return 1 ;;
	?*-?*) return 0 ;;
	*) return 1 ;;
	esac
}

for f in "$dir"/*.sh; do
	n=$(basename "$f" .sh)
	[ "$n" = lib ] || [ "$n" = run ] || is_test "$n" || {
		echo "run.sh: '$n.sh' is neither a test (<command>-<behaviour>.sh) nor lib.sh:" \
			"rename it, or make it a helper <name>.lib" >&2
		exit 2
	}
done

if [ $# -gt 0 ]; then
	tests=""
	for t in "$@"; do
		n=${t%.sh}
		if ! is_test "$n" || [ ! -f "$dir/$n.sh" ]; then
			echo "run.sh: '$t' is not a test in tests/cli (<command>-<behaviour>.sh)" >&2
			exit 2
		fi
		tests="$tests $dir/$n.sh"
	done
else
	tests=$(ls "$dir"/*-*.sh)
fi

# Longest first, by the times of the last runs next to the build directory
# ($O/../cli-times, shared by the default, sanitizer and valgrind runs: their
# order is much the same), so that a long test does not start last and keep
# the run waiting on one core; tests without a time (new ones) come first.
times=${O:+${O%/*}/cli-times}
if [ -n "$times" ] && [ -s "$times" ]; then
	tests=$(for t in $tests; do
		n=$(basename "$t" .sh)
		printf '%s %s\n' "$(awk -v n="$n" '$2 == n { s = $1 } END { print s + 0 == 0 ? 999999 : s }' "$times")" "$t"
	done | sort -k1,1nr -k2 | cut -d" " -f2)
fi

# One line per test: "<status> <seconds> <name>", run $jobs at a time.
printf '%s\n' $tests | xargs -P "$jobs" -I{} sh -c '
	t={}; n=$(basename "$t" .sh); s=$(date +%s)
	sh "$t" >"'"$logs"'/$n.log" 2>&1; echo "$? $(($(date +%s) - s)) $n" >"'"$logs"'/$n.rc"'

pass=0 failed=0 skipped=0
for t in $(printf '%s\n' $tests | sort); do
	n=$(basename "$t" .sh)
	rc=$(cut -d" " -f1 "$logs/$n.rc" 2>/dev/null || echo 1)
	secs=$(cut -d" " -f2 "$logs/$n.rc" 2>/dev/null || echo 0)
	# Only whole runs of a test go into the times, whatever their outcome.
	[ -z "$times" ] || [ ! -s "$logs/$n.rc" ] || echo "$secs $n" >>"$logs/times"
	case $rc in
	0) pass=$((pass + 1)); echo "ok   $n (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "skip $n: $(tail -n 1 "$logs/$n.log")" ;;
	*) failed=$((failed + 1)); echo "FAIL $n (exit $rc)"; sed 's/^/     | /' "$logs/$n.log" | tail -n 40 ;;
	esac
done
# Keep the times of the tests not run this time.
if [ -n "$times" ] && [ -s "$logs/times" ] && [ -d "$(dirname "$times")" ]; then
	{ cat "$logs/times"; [ ! -s "$times" ] || awk 'NR == FNR { seen[$2] = 1; next } !seen[$2]' "$logs/times" "$times"; } \
		>"$logs/times.new" && mv "$logs/times.new" "$times"
fi
echo "$pass passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
