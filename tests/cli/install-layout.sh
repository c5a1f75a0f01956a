# make install puts the binary, the man pages and the completions where a
# distribution expects them, with the right modes; make uninstall removes
# exactly those files.
. "$(dirname "$0")/lib.sh"
: "${O:?O must name the build directory}"
ROOT=$(cd "$TESTS/.." && pwd)
command -v make >/dev/null || skip "no make"

run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PREFIX=/usr install
find root -type f -o -type l | sort > installed
assert_grep '^root/usr/bin/akcred$' installed
assert_eq "$(mode_of root/usr/bin/akcred)" 755 "binary mode"
for page in "$ROOT"/man/*.1 "$ROOT"/man/*.7; do
	[ -e "$page" ] || continue
	s=${page##*.}
	f=root/usr/share/man/man$s/$(basename "$page")
	[ -f "$f" ] || fail "man page $(basename "$page") not installed"
	assert_eq "$(mode_of "$f")" 644 "$f mode"
done
assert_grep '^root/usr/share/bash-completion/completions/akcred$' installed
assert_grep '^root/usr/share/zsh/site-functions/_akcred$' installed
assert_grep '^root/usr/share/fish/vendor_completions.d/akcred.fish$' installed
"$T/root/usr/bin/akcred" version > /dev/null || fail "installed binary does not run"

# Someone else's file in the same directories survives uninstall.
echo other > root/usr/bin/other
run 0 make -s -C "$ROOT" O="$O" DESTDIR="$T/root" PREFIX=/usr uninstall
assert_eq "$(find root -type f | sort)" "root/usr/bin/other" "files left after uninstall"
