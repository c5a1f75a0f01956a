# Drift: akcred-jwt(1) documents every option of each jwt command's --help, and
# the exit statuses; every command has help and a completion entry.
. "$(dirname "$0")/lib.sh"
MAN=$TESTS/../man/akcred-jwt.1
[ -f "$MAN" ] || fail "no man/akcred-jwt.1"
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W warning "$MAN" >lint 2>&1 || { cat lint >&2; fail "mandoc -Tlint"; }
fi
for sub in mint decode verify; do
	akcred 0 jwt "$sub" --help
	assert_grep "^usage: akcred jwt $sub" out
	for opt in $(grep -Eo -- '--[a-z0-9-]+' out | sort -u); do
		[ "$opt" = --help ] && continue
		grep -q -- "^\.It Fl \\\\-${opt#--}\( \|$\)" "$MAN" || fail "$sub $opt is not in akcred-jwt(1)"
		grep -q -- "Op Fl \\\\-${opt#--}\|^\.Fl \\\\-${opt#--}" "$MAN" || fail "$sub $opt is not in the SYNOPSIS"
	done
done
akcred 0 jwt --help
for sub in mint decode verify; do assert_grep "^  $sub " out; done
akcred 2 jwt
akcred 2 jwt frobnicate
akcred 2 jwt min
# Exit statuses 0 to 7 are listed.
for s in 0 1 2 3 4 5 6 7; do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$MAN" | grep -q "^\.It $s$" || fail "exit status $s missing"
done
# Completions know the subcommands and their options.
akcred 0 help --completion bash
for w in mint decode verify --signature-only --no-kid --aud-host; do
	grep -q -- "$w" out || fail "bash completion lacks $w"
done
