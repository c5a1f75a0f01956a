# register: the man page lists exactly the options of --help, and every exit
# status of err.h.
. "$(dirname "$0")/lib.sh"

man=$TESTS/../man/akcred-register.1
[ -f "$man" ] || fail "no man page"
akcred 0 register --help
sed -n 's/^ *\(-., \)\{0,1\}--\([a-z-]*\).*/\2/p' "$T/out" | sort -u >help.opts
sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$man" | grep '^\.It Fl' |
	sed 's/.*Fl \\-\([a-z][a-z-]*\).*/\1/' | sort -u >man.opts
diff help.opts man.opts || fail "options of --help and of the man page differ"
[ "$(wc -l <help.opts)" -ge 18 ] || fail "too few options found"
for st in 0 1 2 3 4 5 6 7; do
	grep -q "^\.It $st\$" "$man" || fail "exit status $st not in the man page"
done
if command -v mandoc >/dev/null; then
	mandoc -Tlint -W warning "$man" || fail "mandoc -Tlint"
fi
