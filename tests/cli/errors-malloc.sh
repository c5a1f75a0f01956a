# Allocation failures: keygen, fingerprint, jwt mint and provision run with
# the Nth allocation failing (tests/tools/failmalloc.c, LD_PRELOAD) for many
# N.  Each must end with a documented exit status (0-7, never a signal), say
# why when it fails, leave no partial or temporary file, never print a
# private key, and never print a wrong answer with status 0.
# memcheck: skip valgrind replaces malloc itself
. "$(dirname "$0")/lib.sh"
: "${O:?O must name the build directory}"
[ -z "${SANITIZE:-}" ] || skip "the sanitizers replace malloc themselves"
SHIM=$O/failmalloc.so
[ -f "$SHIM" ] || fail "no $SHIM (make builds it)"

# N to try out of K allocations: all of the first 40 and the last 120 (where
# akcred's own work is, after the libraries' start-up), every step-th between:
# about 240 runs a command, the whole test well under 30 s.
points() { # K
	_k=$1 _step=$(($1 / 80 + 1))
	seq 1 40
	seq 41 "$_step" "$_k"
	seq $((_k > 160 ? _k - 119 : 41)) "$_k"
}

count_allocs() { # CMD...: how many allocations a successful run makes
	AKCRED_FAILMALLOC_COUNT="$T/count" LD_PRELOAD=$SHIM "$@" >/dev/null 2>&1 ||
		fail "'$*' fails under the shim without a failure"
	cat "$T/count"
}

# failing N CMD...: run CMD with allocation N failing; its status in $st.
failing() {
	_n=$1
	shift
	set +e
	# A hang (a deadlock on the failure path) is a failure too: timeout exits 124,
	# after $WAIT_LIMIT s (wait.lib: against a hang, not a measure of speed).
	# The shim goes into akcred only (through env), not into timeout(1).
	# Exit 126 is timeout(1) failing to start the command (seen once in a loaded
	# parallel run, with nothing on stderr): no akcred status, so try again, twice.
	for _try in 1 2 3; do
		timeout "$WAIT_LIMIT" env AKCRED_FAILMALLOC="$_n" LD_PRELOAD="$SHIM" "$@" \
			>"$T/out" 2>"$T/err"
		st=$?
		[ "$st" -eq 126 ] || break
	done
	set -e
	[ "$st" -le 7 ] || { cat "$T/err" >&2; fail "'$*' with allocation $_n failing: exit $st"; }
	if [ "$st" -ne 0 ]; then
		grep -q '^akcred: ' "$T/err" || fail "'$*' with allocation $_n failing: exit $st, no message"
	fi
	! grep -q 'PRIVATE KEY' "$T/out" || fail "'$*' with allocation $_n failing printed a private key"
	runs=$((runs + 1))
	[ "$st" -eq 0 ] || failed=$((failed + 1))
}

runs=0 failed=0
mkdir w && cd w
"$AKCRED" keygen --private key.pem --public pub.pem >/dev/null
"$AKCRED" fingerprint pub.pem >"$T/fp"
FP=$(cat "$T/fp")
ls -A | sort >"$T/base"
same_files() { # WHAT: the directory holds exactly the files it held before
	ls -A | sort | cmp -s - "$T/base" || { ls -lA >&2; fail "$1: files changed"; }
}

# keygen: both key files, or none; never a temporary one.
k=$(cd "$T" && count_allocs "$AKCRED" keygen --private "$T/k1.pem" --public "$T/p1.pem")
for n in $(points "$k"); do
	failing "$n" "$AKCRED" keygen --private new.pem --public newpub.pem
	if [ "$st" -eq 0 ]; then
		[ "$(mode_of new.pem)" = 600 ] || fail "keygen N=$n: private key mode $(mode_of new.pem)"
		"$AKCRED" fingerprint newpub.pem >/dev/null || fail "keygen N=$n: unusable public key"
		rm -f new.pem newpub.pem
	fi
	same_files "keygen with allocation $n failing (exit $st)"
done

# fingerprint: the right fingerprint, or a failure.
k=$(count_allocs "$AKCRED" fingerprint pub.pem)
for n in $(points "$k"); do
	failing "$n" "$AKCRED" fingerprint pub.pem
	if [ "$st" -eq 0 ]; then
		cmp -s "$T/out" "$T/fp" || fail "fingerprint N=$n: a wrong fingerprint, exit 0"
	else
		[ ! -s "$T/out" ] || fail "fingerprint N=$n: exit $st with output"
	fi
done

# jwt mint: a token that verifies, or no output at all.
k=$(count_allocs "$AKCRED" jwt mint --device-id dev-1 --key key.pem)
for n in $(points "$k"); do
	failing "$n" "$AKCRED" jwt mint --device-id dev-1 --key key.pem
	if [ "$st" -eq 0 ]; then
		"$AKCRED" jwt verify --key pub.pem --device-id dev-1 "$(cat "$T/out")" >/dev/null 2>&1 ||
			fail "jwt mint N=$n: exit 0 with a token that does not verify"
	else
		[ ! -s "$T/out" ] || fail "jwt mint N=$n: exit $st with output"
	fi
	same_files "jwt mint with allocation $n failing"
done

# provision: whole devices only, no staged leftover, and a rerun completes
# the batch.
complete() { # every device directory is whole and listed in the manifest
	[ -z "$(find out -name '.*' 2>/dev/null)" ] || { find out >&2; fail "$1: a temporary file left"; }
	[ -d out ] || return 0
	for d in out/d-*; do
		[ -e "$d" ] || continue
		[ -s "$d/private.pem" ] && [ -s "$d/public.pem" ] || { find out >&2; fail "$1: partial $d"; }
	done
}
k=$(count_allocs "$AKCRED" provision -o "$T/pcount" --count 2 --prefix d- --jobs 1)
for n in $(points "$k"); do
	rm -rf out
	failing "$n" "$AKCRED" provision -o out --count 2 --prefix d- --jobs 1
	complete "provision with allocation $n failing (exit $st)"
	if [ "$st" -ne 0 ]; then
		run 0 "$AKCRED" provision -o out --count 2 --prefix d- --jobs 1
		complete "provision rerun after allocation $n failed"
		[ "$(tail -n +2 out/manifest.csv | cut -d, -f1 | sort | tr '\n' ' ')" = "d-1 d-2 " ] ||
			fail "provision rerun after allocation $n failed: manifest $(cat out/manifest.csv)"
	fi
done
rm -rf out
same_files "after provision"

echo "$runs runs, $failed of them failed cleanly"
[ "$failed" -gt 0 ] || fail "no allocation failure was ever noticed: is the shim working?"
