# provision killed with SIGKILL at many random moments, rerun each time: at
# the end every device has exactly one valid key, the manifest exactly one row
# per device, no staged leftover, and no key ever changed once it existed.
. "$(dirname "$0")/lib.sh"
# Under valgrind the kills would only ever hit its start-up: nothing to learn.
[ -z "${AKCRED_VALGRIND:-}" ] || skip "timing-based: not under valgrind"

n=800
kills=${PROVISION_CRASH_KILLS:-30}
rand_ms() { # 0 .. $1-1
	echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 ))
}
keys_of() { # "<id> <sha256 of public.pem>" of every complete device
	find batch -mindepth 2 -maxdepth 2 -name public.pem -path 'batch/dev-*' -print0 |
		xargs -0 -r sha256sum | sed -E 's|^([0-9a-f]{64})  batch/([^/]*)/public.pem$|\2 \1|'
}
snapshot() { # and what the kill left: staged directories, devices without their row
	if [ -d batch ]; then
		staged=$((staged + $(find batch -mindepth 1 -maxdepth 1 -name '.akcred-*' | wc -l)))
		ls batch | grep '^dev-' | sort >"$T/dirs"
		{ tail -n +2 batch/manifest.csv 2>/dev/null || true; } | cut -d, -f1 | sort >"$T/rows"
		unlisted=$((unlisted + $(comm -23 "$T/dirs" "$T/rows" | wc -l)))
	fi # the public key of every complete device, and the manifest's rows
	keys_of >>"$T/seen-keys"
	[ -f batch/manifest.csv ] && tail -n +2 batch/manifest.csv | grep -E ',[0-9TZ:-]{20}$' | cut -d, -f1,3 >>"$T/seen-rows" || true
}

: >"$T/seen-keys"
: >"$T/seen-rows"
staged=0 unlisted=0
i=0 killed=0
# The kills are random: while none has caught devices being staged, go on (up to
# four times as many runs), on a fresh batch once one is finished.
while [ $i -lt "$kills" ] || { [ "$staged" -eq 0 ] && [ $i -lt $((kills * 4)) ]; }; do
	i=$((i + 1))
	if [ $i -gt "$kills" ] && grep -qs '^nothing to do' "$T/run.out"; then
		rm -rf batch
		: >"$T/seen-keys"
		: >"$T/seen-rows"
	fi
	"$AKCRED" provision -o batch --count $n --prefix dev- --jobs 2 >"$T/run.out" 2>"$T/run.err" &
	pid=$!
	sleep "0.$(printf '%03d' "$(rand_ms 250)")"
	if kill -KILL $pid 2>/dev/null; then
		killed=$((killed + 1))
	fi
	set +e
	wait $pid
	rc=$?
	set -e
	# Killed (137) or finished; never anything else.
	[ $rc -eq 137 ] || [ $rc -eq 0 ] || { cat "$T/run.err" >&2; fail "run $i exited $rc"; }
	snapshot
done
[ $killed -ge 5 ] || fail "only $killed of $kills runs were killed: the test proved little"

# The last run finishes the batch.
akcred 0 provision -o batch --count $n --prefix dev- --jobs 2
"$PYTHON" "$TESTS/tools/pycheckprovision.py" batch --expect $n >"$T/check" ||
	fail "the directory does not check out"

# No key ever changed: what any interrupted run left is what the final one has.
keys_of | sort >"$T/final-keys"
sort -u "$T/seen-keys" >"$T/seen-keys.u"
extra=$(comm -23 "$T/seen-keys.u" "$T/final-keys" | head -5)
[ -z "$extra" ] || fail "keys replaced after a crash: $extra"
tail -n +2 batch/manifest.csv | cut -d, -f1,3 | sort >"$T/final-rows"
sort -u "$T/seen-rows" >"$T/seen-rows.u"
extra=$(comm -23 "$T/seen-rows.u" "$T/final-rows" | head -5)
[ -z "$extra" ] || fail "manifest rows changed after a crash: $extra"

# And a rerun of the finished batch changes nothing.
sum=$(sha256sum batch/manifest.csv)
akcred 0 provision -o batch --count $n --prefix dev-
assert_grep '^nothing to do: all 800 devices' "$T/out"
assert_eq "$(sha256sum batch/manifest.csv)" "$sum" "manifest after a rerun"
# Killed while devices were being staged, some kills must have left work to clean up.
[ "$staged" -ge 1 ] || fail "no kill left a staged directory: the kills missed the interesting moments"
echo "$killed kills survived; they left $staged staged directories and $unlisted devices without their row"
