# Documentation cannot drift from the code: every command has a man page whose
# options and synopsis match --help, every page lists the exit statuses of
# err.h, the pages are mandoc -Tlint clean and render without groff warnings
# or nested quotes, and completions/ is what the command table generates.
. "$(dirname "$0")/lib.sh"
ROOT=$TESTS/..
MAN=$ROOT/man

command -v mandoc >/dev/null || skip "mandoc is not installed"
mandoc -Tlint -W warning "$MAN"/*.1 "$MAN"/*.7 > lint 2>&1 || { cat lint; fail "mandoc -Tlint"; }

# What man(1) shows: groff with every warning (a literal that "can't break line" sticks
# out of the page), typeset and on an 80-column terminal; and no quotes inside quotes,
# which mdoc makes of two .Dq on one line.
for page in "$MAN"/*.1 "$MAN"/*.7; do
	if command -v groff >/dev/null; then
		groff -ww -z -mandoc "$page" > groff.out 2>&1
		groff -ww -z -Tutf8 -rLL=78n -mandoc "$page" >> groff.out 2>&1
		[ ! -s groff.out ] || { cat groff.out; fail "$(basename "$page"): groff warns"; }
	fi
	mandoc -Tutf8 -O width=200 "$page" | sed 's/.\x08//g' > page.txt
	if grep -nE '“[^”]*“|‘[^’]*‘' page.txt > nested; then
		cat nested; fail "$(basename "$page"): quotes nested in quotes"
	fi
done

# Exit statuses: the enum in err.h, akcred(1) and every page agree.
sed -n 's/^[[:space:]]*AK_[A-Z]* = \([0-9]\+\),.*/\1/p' "$ROOT/include/err.h" | sort -n > codes
[ "$(wc -l < codes)" -eq 8 ] || fail "err.h: expected 8 exit statuses"
for page in "$MAN"/*.1; do
	awk '/^\.Sh EXIT STATUS/{on=1; next} /^\.Sh/{on=0} on && /^\.It [0-9]+$/{print $2}' "$page" \
	    | sort -n > page.codes
	cmp -s codes page.codes || fail "$(basename "$page"): EXIT STATUS lists $(tr '\n' ' ' < page.codes)"
done

"$AKCRED" help | sed -n 's/^  \([a-z][a-z-]*\( [a-z]*\)\?\)  .*/\1/p' | sed 's/ *$//' > commands
while read -r cmd; do
	first=${cmd%% *}
	page=$MAN/akcred-$first.1
	[ -f "$page" ] || fail "no man page for '$cmd'"
	grep -q "Xr akcred-$first 1" "$MAN/akcred.1" || fail "akcred.1 does not refer to akcred-$first(1)"
	"$AKCRED" $cmd --help > help || fail "$cmd --help"
	head -n 1 help | grep -q "^usage: akcred $cmd" || fail "$cmd --help: no usage line"
	sed -n 's/^ *\(-., \)\?\(--[a-z0-9-]*\).*/\2/p' help >> "opts.$first"
	sed -n '/^usage:/,/^$/p' help | grep -o -- '--[a-z0-9-]*' >> "syn.$first"
done < commands
for f in opts.*; do
	first=${f#opts.}
	page=$MAN/akcred-$first.1
	sort -u "$f" > want
	# Options documented: ".It Fl x , Fl -name ..." items.
	grep '^\.It Fl' "$page" | grep -o 'Fl \\\?-[a-z0-9-]*' | sed 's/^Fl \\\?/-/' | sort -u > got
	diff want got > d || { cat d; fail "akcred-$first.1: options differ from --help (< help, > page)"; }
	sort -u "syn.$first" > want
	awk '/^\.Sh SYNOPSIS/{on=1; next} /^\.Sh/{on=0} on' "$page" | grep -o 'Fl \\\?-[a-z0-9-]*' \
	    | sed 's/^Fl \\\?/-/' | sort -u > got
	diff want got > d || { cat d; fail "akcred-$first.1: SYNOPSIS differs from usage (< usage, > page)"; }
done

# completions/ holds exactly what the command table generates.
"$AKCRED" help --completion bash | cmp -s - "$ROOT/completions/akcred.bash" || fail "completions/akcred.bash is stale: make completions"
"$AKCRED" help --completion zsh | cmp -s - "$ROOT/completions/_akcred" || fail "completions/_akcred is stale: make completions"
"$AKCRED" help --completion fish | cmp -s - "$ROOT/completions/akcred.fish" || fail "completions/akcred.fish is stale: make completions"
