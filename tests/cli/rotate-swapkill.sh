# rotate killed right after each of its renames in turn (an LD_PRELOAD shim,
# tests/tools/syncshim.c, SIGKILLs it after the N-th), over a device with a
# public key and one with a certificate: the swap's renames (private key,
# public key, certificate) and the manifest's.  After every kill the
# device's files are one set that akenza holds -- the renames not yet done
# waiting as ".next" files of the new key -- and the rerun completes the
# rotation.  rotate-kill.sh kills at random moments; this one at each point
# between renames, which random kills rarely strike.
# memcheck: skip the shim would load into valgrind's launcher too (as in provision-durability)
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"
: "${O:?O must name the build directory}"
[ -z "${SANITIZE:-}" ] || skip "the sanitizer runtimes must be first in the process, before an LD_PRELOAD shim"
SHIM=$O/syncshim.so
[ -f "$SHIM" ] || fail "no $SHIM (make builds it)"

rotate_setup 2 mixed
grep -q '^dev-0002,EC256_X509_PEM,' dev/manifest.csv || fail "dev-0002 is not a certificate device"
kills=0 midswap=0 N=0
while :; do
	N=$((N + 1))
	[ $N -le 20 ] || fail "still killed at rename $N: the kills never ran out"
	set +e
	AKCRED_SYNCSHIM_KILL_RENAME=$N LD_PRELOAD=$SHIM "$AKCRED" $ROT --journal dev/rotation-$N.csv \
		>"$T/run.out" 2>"$T/run.err"
	rc=$?
	set -e
	ROUND="rename $N"
	if [ $rc -eq 0 ]; then
		rotate_check --final --uploads $((N + 1))
		break
	fi
	[ $rc -eq 137 ] || { cat "$T/run.err" >&2; fail "$ROUND: exited $rc"; }
	kills=$((kills + 1))
	# The certificate device caught between its renames: the private key new,
	# its certificate's rename still to come.
	if [ ! -e dev/dev-0002/private.pem.next ] && [ -e dev/dev-0002/cert.pem.next ]; then
		midswap=$((midswap + 1))
	fi
	rotate_check --uploads $((N + 1))
	akcred 0 $ROT --journal dev/rotation-$N.csv
	assert_grep ' 0 failed$' "$T/out"
	rotate_check --final --uploads $((N + 1))
done
# Two renames for the key device, three for the certificate device, one for the manifest.
assert_eq $kills 6 "kills (one after each rename)"
[ $midswap -ge 2 ] || fail "the certificate device was caught between its renames $midswap times"
