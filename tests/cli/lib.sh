# Sourced by every black-box test in tests/cli/.  Each test runs in its own
# temporary directory ($T, also the working directory), removed by trap.
#   $AKCRED   the binary under test      $PYTHON   Debian's python3 (PyJWT, Cryptodome)
#   $DATA     tests/data                 $TESTS    tests/
set -eu
: "${AKCRED:?AKCRED must name the binary under test}"
TESTS=$(cd "$(dirname "$0")/.." && pwd)
DATA=$TESTS/data
PYTHON=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/akcred-test.XXXXXX")
# A test that needs more clean-up (servers, mounts) redefines at_exit.
at_exit() { :; }
trap '_st=$?; at_exit; cd /; rm -rf "$T"; exit $_st' EXIT
cd "$T"
. "$TESTS/cli/wait.lib"

# A test that cannot run under valgrind (make memcheck) says why in a line
# "# memcheck: skip <reason>"; it is skipped there, and only there.
if [ -n "${AKCRED_VALGRIND:-}" ]; then
	_why=$(sed -n 's/^# memcheck: skip //p' "$0" | head -n 1)
	if [ -n "$_why" ]; then
		echo "SKIP: under valgrind: $_why" >&2
		exit 77
	fi
fi

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# run STATUS CMD...: run CMD, require exit STATUS; output in $T/out, $T/err.
# (Names with a leading underscore: the tests' own variables must not be clobbered.)
run() {
	_want=$1
	shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	_got=$?
	set -e
	if [ "$_got" -ne "$_want" ]; then
		echo "--- stdout" >&2; cat "$T/out" >&2
		echo "--- stderr" >&2; cat "$T/err" >&2
		fail "'$*' exited $_got, expected $_want"
	fi
}

# akcred STATUS ARGS...: run the binary under test.
akcred() {
	_st=$1
	shift
	run "$_st" "$AKCRED" "$@"
}

assert_eq() { # GOT WANT [WHAT]
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

assert_grep() { # PATTERN FILE: an extended regex must match a line of FILE
	grep -Eq -- "$1" "$2" || { cat "$2" >&2; fail "no line of $(basename "$2") matches '$1'"; }
}

assert_no_grep() { # PATTERN FILE
	! grep -Eq -- "$1" "$2" || { cat "$2" >&2; fail "a line of $(basename "$2") matches '$1'"; }
}

mode_of() {
	stat -c %a "$1"
}

# The fingerprint as an independent implementation computes it.
py_fingerprint() { # FILE [PASSPHRASE]
	"$PYTHON" "$TESTS/tools/pyfingerprint.py" "$@"
}

# Run CMD as an unprivileged user when we are root (permission tests).
as_nobody() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
