# Drift: akcred-check(1) documents every option of check --help and every exit
# status; akcred-broker(7) every plugin option the plugin accepts; completions know check.
. "$(dirname "$0")/lib.sh"
MAN=$TESTS/../man/akcred-check.1
BMAN=$TESTS/../man/akcred-broker.7
[ -f "$MAN" ] || fail "no man/akcred-check.1"
[ -f "$BMAN" ] || fail "no man/akcred-broker.7"
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W warning "$MAN" "$BMAN" >lint 2>&1 || { cat lint >&2; fail "mandoc -Tlint"; }
fi
akcred 0 check --help
assert_grep '^usage: akcred check --device-id ID --key FILE' out
for opt in $(grep -Eo -- '--[a-z0-9-]+' out | sort -u); do
	[ "$opt" = --help ] && continue
	grep -q -- "^\.It Fl \\\\-${opt#--}\( \|$\)" "$MAN" || fail "$opt is not in akcred-check(1)"
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$MAN" | grep -q -- "Fl \\\\-${opt#--}\( \|$\)" ||
		fail "$opt is not in the SYNOPSIS"
done
for s in 0 1 2 3 4 5 6 7; do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$MAN" | grep -q "^\.It $s$" || fail "exit status $s missing"
done
# The plugin's options, as its source accepts them (option_set()), are documented.
n=0
for o in $(grep -Eo 'strcmp\(key, "[a-z_]+"' "$TESTS/../src/broker/akcred-auth.c" |
	sed 's/.*"\(.*\)"/\1/'); do
	grep -q "^\.It Ic plugin_opt_$o" "$BMAN" || fail "plugin_opt_$o is not in akcred-broker(7)"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "found $n plugin options in src/broker/akcred-auth.c, not all of them"
akcred 0 help
assert_grep '^  check +connect to the broker as the device' out
akcred 0 help --completion bash
for w in check --ca-file --token-file --topic-suffix --plaintext --listen; do
	grep -q -- "$w" out || fail "bash completion lacks $w"
done
