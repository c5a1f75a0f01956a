# README.md's "Test a device on a local broker" section works as written,
# for root and for a normal user: its "$ " lines run in order in one shell,
# broker/mosquitto.conf is the section's plain block, the device connects.
# What the test has to change, and only that: "sudo make install" is an
# install into DESTDIR=$T/root (so the plugin line gets that prefix, and
# must then name a file make install put there); the broker's port 8883 is
# a free one (check gets --port); the "/usr/sbin/mosquitto" line, which the
# README runs in another terminal, runs in the background; "akcred" on the
# PATH is the binary under test.  The PATH is Debian's for a user (no sbin).
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/broker.lib"
ROOT=$(cd "$TESTS/.." && pwd)
broker_need
command -v make >/dev/null || skip "no make"
broker_trap 'for f in "$T"/*/mosquitto.pid; do kill "$(cat "$f" 2>/dev/null)" 2>/dev/null || :; done
	cd /; rm -rf "$T"'

# --- the section: its commands (continuations joined) and its file
awk -v cmds=cmds -v conf=conf.txt '
	/^## / { in_sec = ($0 == "## Test a device on a local broker"); next }
	!in_sec { next }
	/^```console$/ { blk = "console"; next }
	# A plain block is a file, named by the first `word` of the line before it.
	/^```$/ && blk == "" {
		blk = "file"
		if (match(last, /`[^`]+`/)) file = substr(last, RSTART + 1, RLENGTH - 2)
		next
	}
	/^```/ { blk = ""; next }
	blk == "" { if (NF) last = $0; next }
	blk == "console" {
		line = $0
		if (cont != "") { sub(/^[ \t]+/, "", line); cmd = cont line; cont = "" }
		else if (line ~ /^\$ /) cmd = substr(line, 3)
		else next
		if (cmd ~ /\\$/) { sub(/\\$/, "", cmd); cont = cmd; next }
		print cmd > cmds
		next
	}
	blk == "file" { if (!wrote++) print "@" file > cmds; print > conf; next }
' "$ROOT/README.md"
[ -s cmds ] && [ -s conf.txt ] || fail "README.md: no local-broker section with commands and a file"
grep -q '^sudo make install$' cmds || fail "the section does not say to install akcred"
assert_eq "$(grep -c '^/usr/sbin/mosquitto ' cmds)" 1 "mosquitto lines"
grep -q '^akcred check ' cmds || fail "the section runs no check"
grep -q '^@broker/mosquitto\.conf$' cmds || fail "the broker's file is not named broker/mosquitto.conf"
grep -q '^plugin /' conf.txt || fail "the broker's file has no plugin line with an absolute path"

# --- "sudo make install", into DESTDIR
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" install
plugin=$(sed -n 's/^plugin //p' conf.txt)
[ -f "$T/root$plugin" ] || { find root >&2; fail "the README's plugin $plugin is not where make install puts it"; }
mkdir bin
printf '#!/bin/sh\nexec "%s" "$@"\n' "$AKCRED" >bin/akcred
chmod 755 bin/akcred
chmod 755 "$T"

# A sanitizer build's plugin needs its runtimes in mosquitto (as broker.lib does).
preload=""
case "${SANITIZE:-}" in *address*) preload="$(${CC:-cc} -print-file-name=libasan.so)" ;; esac
case "${SANITIZE:-}" in *undefined*) preload="$preload $(${CC:-cc} -print-file-name=libubsan.so)" ;; esac

# run_as WHO DIR: the section in DIR, run by WHO (self, or nobody when we are root).
run_as() {
	who=$1 d=$2
	port=$(free_port)
	mkdir -p "$d"
	[ "$who" != nobody ] || chown 65534:65534 "$d"
	{
		echo 'set -eu'
		# As in another terminal; the script waits until it listens (as wait.lib).
		cat <<-EOF
		start_broker() {
			LD_PRELOAD="$preload" ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 "\$@" >mosquitto.log 2>&1 &
			echo \$! >"$d/mosquitto.pid"
			end=\$((\$(date +%s) + $WAIT_LIMIT))
			until grep -q "Opening ipv4 listen socket on port $port" mosquitto.log; do
				kill -0 "\$(cat "$d/mosquitto.pid")" 2>/dev/null || { cat mosquitto.log >&2; exit 1; }
				[ \$(date +%s) -lt \$end ] || { echo "mosquitto did not start" >&2; exit 1; }
				sleep 0.05
			done
		}
		EOF
		while IFS= read -r c; do
			case $c in
			"sudo make install") ;;
			/usr/sbin/mosquitto\ *) echo "start_broker $c" ;;
			"akcred check "*) echo "$c --port $port" ;;
			@*) # the file, where the README shows it
				echo "cat >'${c#@}' <<\"AKCRED_EOF\""
				sed "s|^plugin /|plugin $T/root/|; s|^listener 8883 |listener $port |" "$T/conf.txt"
				echo 'AKCRED_EOF' ;;
			*) echo "$c" ;;
			esac
		done <"$T/cmds"
	} >"$T/script.$who"
	set +e
	if [ "$who" != nobody ]; then
		(cd "$d" && HOME=$d PATH=$T/bin:/usr/local/bin:/usr/bin:/bin sh "$T/script.$who") \
			>"$T/out.$who" 2>&1
	else
		(cd "$d" && as_nobody env HOME="$d" PATH="$T/bin:/usr/local/bin:/usr/bin:/bin" \
			sh "$T/script.$who") >"$T/out.$who" 2>&1
	fi
	st=$?
	set -e
	kill "$(cat "$d/mosquitto.pid" 2>/dev/null)" 2>/dev/null || true
	if [ "$st" -ne 0 ]; then
		cat "$T/script.$who" "$T/out.$who" "$d/mosquitto.log" >&2 2>/dev/null
		fail "as $who: the README's local-broker section failed (exit $st)"
	fi
	assert_grep "^ok: 'sensor-17' connected to 127\.0\.0\.1:$port and published" "$T/out.$who"
	assert_grep "^connack .* accepted, client id 'sensor-17'" "$T/out.$who"
}

run_as self "$T/as-self"
[ "$(id -u)" -ne 0 ] || run_as nobody "$T/as-nobody"
