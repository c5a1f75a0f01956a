# make install puts the binary, the man pages (sections 1 and 7), the
# completions and the broker plugin where a distribution expects them, with
# the right modes; make uninstall removes exactly those files (and the
# plugin directory akcred owns), and nobody else's.
. "$(dirname "$0")/lib.sh"
: "${O:?O must name the build directory}"
ROOT=$(cd "$TESTS/.." && pwd)
command -v make >/dev/null || skip "no make"

# What a PREFIX=/usr install must hold, and nothing else.
{
	echo root/usr/bin/akcred
	for page in "$ROOT"/man/*.[17]; do
		s=${page##*.}
		echo "root/usr/share/man/man$s/$(basename "$page")"
	done
	echo root/usr/share/bash-completion/completions/akcred
	echo root/usr/share/zsh/site-functions/_akcred
	echo root/usr/share/fish/vendor_completions.d/akcred.fish
	echo root/usr/lib/akcred/akcred_auth.so
} | sort > expected
assert_grep '^root/usr/share/man/man7/akcred-broker\.7$' expected

run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PREFIX=/usr install
find root -type f -o -type l | sort > installed
cmp -s installed expected || { diff expected installed >&2; fail "installed files differ from the expected list"; }
assert_eq "$(mode_of root/usr/bin/akcred)" 755 "binary mode"
while read -r f; do
	case $f in
	*/bin/akcred) ;;
	# A plugin is dlopen()ed, never run: a shared object is 644 (Debian policy 8.1).
	*) assert_eq "$(mode_of "$f")" 644 "$f mode" ;;
	esac
done < expected
assert_eq "$(mode_of root/usr/lib/akcred)" 755 "plugin directory mode"
"$T/root/usr/bin/akcred" version > /dev/null || fail "installed binary does not run"
# The installed plugin is the broker plugin: it exports mosquitto's entry points.
if command -v nm >/dev/null; then
	nm -D --defined-only root/usr/lib/akcred/akcred_auth.so > syms
	assert_grep ' T mosquitto_plugin_(version|init|cleanup)$' syms
	assert_no_grep ' T (authz|jwt|key)_' syms
fi

# Someone else's files in the same directories survive uninstall, and so do
# the directories that hold them.
echo other > root/usr/bin/other
echo other > root/usr/lib/akcred/other.so
echo other > root/usr/share/man/man7/other.7
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PREFIX=/usr uninstall
assert_eq "$(find root -type f | sort | tr '\n' ' ')" \
	"root/usr/bin/other root/usr/lib/akcred/other.so root/usr/share/man/man7/other.7 " \
	"files left after uninstall"

# Alone, akcred's own plugin directory goes with its plugin.
rm -rf root
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PREFIX=/usr install
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PREFIX=/usr uninstall
assert_eq "$(find root -type f)" "" "files left after uninstall"
[ ! -e root/usr/lib/akcred ] || fail "uninstall left the plugin directory"

# LIBDIR and PLUGINDIR move the plugin (a multiarch or mosquitto's own directory).
rm -rf root
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PREFIX=/usr \
	LIBDIR=/usr/lib/x86_64-linux-gnu install-plugin
[ -f root/usr/lib/x86_64-linux-gnu/akcred/akcred_auth.so ] || fail "LIBDIR is not obeyed"
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PLUGINDIR=/usr/lib/mosquitto install-plugin
[ -f root/usr/lib/mosquitto/akcred_auth.so ] || fail "PLUGINDIR is not obeyed"
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PLUGINDIR=/usr/lib/mosquitto uninstall-plugin
[ ! -e root/usr/lib/mosquitto/akcred_auth.so ] || fail "uninstall-plugin left the plugin"
[ -d root/usr/lib/mosquitto ] || fail "uninstall-plugin removed a directory that is not akcred's"
