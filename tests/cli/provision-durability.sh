# The order of durability itself, not only recovery after SIGKILL: provision
# runs under an LD_PRELOAD shim (tests/tools/syncshim.c) that records every
# sync, rename, link and write with its path, and checkdurability.py asserts
# that no staged device gets its name before its files and directory are
# synced, and no manifest row is written before the sync that makes its
# device's name durable -- for new devices (EC, RSA with certificates, one
# and two jobs) and for devices a rerun finds without their row.  A doctored
# log must fail the check, so the check can see what it looks for.
# memcheck: skip the shim would load into valgrind's launcher too; the order of system calls is the same without it
. "$(dirname "$0")/lib.sh"
: "${O:?O must name the build directory}"
[ -z "${SANITIZE:-}" ] || skip "the sanitizer runtimes must be first in the process, before an LD_PRELOAD shim"
SHIM=$O/syncshim.so
[ -f "$SHIM" ] || fail "no $SHIM (make builds it)"
CHECK=$TESTS/tools/checkdurability.py
B=$(pwd -P)/batch

traced() { # LOG ARGS...: provision under the shim
	_log=$1
	shift
	AKCRED_SYNCSHIM_LOG="$T/$_log" LD_PRELOAD=$SHIM "$AKCRED" provision -o batch "$@" \
		>"$T/out" 2>"$T/err" || fail "provision $* failed: $(cat "$T/err")"
}
checked() { # LOG ROWS: the log keeps the order, with ROWS rows in it
	"$PYTHON" "$CHECK" "$T/$1" "$B" >"$T/check" || fail "$1: $(cat "$T/check")"
	grep -q "^ok: $2 rows" "$T/check" || fail "$1: expected $2 rows: $(cat "$T/check")"
}

# New devices, one job and two (several groups: the collector commits whatever is ready).
traced ec1.log --count 40 --prefix dev- --jobs 1
checked ec1.log 40
grep -q '^rename	' "$T/ec1.log" || fail "no rename recorded: is the shim loaded?"
traced ec2.log --count 120 --prefix dev- --jobs 2
checked ec2.log 80
[ "$(tail -n +2 batch/manifest.csv | wc -l)" -eq 120 ] || fail "not 120 rows"
rm -rf batch

traced rsa.log --count 6 --prefix r- --type rsa --cert --jobs 2
checked rsa.log 6
grep -q '/cert.pem	' "$T/rsa.log" || fail "no certificate written"
rm -rf batch

# A rerun that finds devices without their row: their rows only after a sync of DIR.
"$AKCRED" provision -o batch --count 8 --prefix dev- >/dev/null
head -n 4 batch/manifest.csv >"$T/m" && cat "$T/m" >batch/manifest.csv
traced rerun.log --count 8 --prefix dev-
checked rerun.log 5
grep -q '5 finished from an interrupted run' "$T/out" || fail "rerun recovered nothing: $(cat "$T/out")"

# The check must fail a log whose order is wrong: no group sync before the renames,
# and a row written before the sync of DIR.
grep -v '^syncfs	' "$T/ec1.log" >"$T/bad1.log"
! "$PYTHON" "$CHECK" "$T/bad1.log" "$B" >"$T/check" || fail "a log without syncfs passed"
grep -q 'renamed to .* before its files were synced' "$T/check" || fail "$(cat "$T/check")"
awk -v b="$B" '$0 == "fsync\t" b { next } { print }' "$T/ec1.log" >"$T/bad2.log"
! "$PYTHON" "$CHECK" "$T/bad2.log" "$B" >"$T/check" || fail "a log without the fsync of DIR passed"
grep -q 'written before a sync of DIR' "$T/check" || fail "$(cat "$T/check")"
