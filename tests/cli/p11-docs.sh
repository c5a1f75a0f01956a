# The worked SoftHSM2 example of akcred-pkcs11(7) runs as the page shows it: every
# "$ " line of its EXAMPLES block, in order, in a directory of its own (softhsm2-util
# and pkcs11-tool lines too), each exiting 0 and printing the lines shown after it
# (each up to its first digit, "..." or quote: what varies).
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/p11.lib"
unset AKCRED_PKCS11_MODULE SOFTHSM2_CONF
PAGE=$TESTS/../man/akcred-pkcs11.7
US=$(printf '\037')

# One example a line: COMMAND US OUTPUT-LINES (separated by US as well).
awk -v us="$US" '
	function unesc(s) { gsub(/\\&/, "", s); gsub(/\\-/, "-", s); gsub(/\\e/, "\\", s); return s }
	/^\.Sh / { ex = ($0 ~ /^\.Sh EXAMPLES/); next }
	!ex { next }
	/^\.Bd -literal/ { inb = 1; next }
	/^\.Ed/ { inb = 0; next }
	!inb { next }
	{
		line = unesc($0)
		if (cont != "") { sub(/^[ \t]+/, "", line); c[n] = cont line; cont = "" }
		else if (line ~ /^\$ /) { n++; c[n] = substr(line, 3); o[n] = "" }
		else if (n) { o[n] = o[n] us line; next }
		if (c[n] ~ /\\$/) { sub(/[ \t]*\\$/, " ", c[n]); cont = c[n] }
	}
	END { for (i = 1; i <= n; i++) print c[i] o[i] }
' "$PAGE" >examples
[ "$(grep -c '^akcred ' examples)" -ge 3 ] || { cat examples; fail "the page has too few akcred examples"; }
grep -q '^softhsm2-util --init-token' examples || fail "the example does not make its token"

mkdir ex
cd ex
# One shell for the block: its exports carry over from line to line, as in a terminal.
: >script
while IFS=$US read -r cmd shown; do
	case $cmd in akcred\ *) cmd="\"\$AKCRED\" ${cmd#akcred }" ;; esac
	n=$(($(grep -c '^# example' script 2>/dev/null || :) + 1))
	printf '# example %s\n{ %s; } >out.%s 2>err.%s || { echo "example %s exited $?: %s" >&2; cat err.%s >&2; exit 1; }\n' \
		"$n" "$cmd" "$n" "$n" "$n" "$(printf '%s' "$cmd" | tr -d "'")" "$n" >>script
	printf '%s\n' "$shown" | tr "$US" '\n' | sed "s/[0-9'].*//; s/\.\.\..*//; s/[[:space:]]*\$//" |
		grep -v '^$' >"shown.$n" || :
done <../examples
AKCRED=$AKCRED sh -eu script || fail "an example of akcred-pkcs11(7) failed"
for s in shown.*; do
	n=${s#shown.}
	while read -r prefix; do
		[ ${#prefix} -lt 4 ] || grep -qF -- "$prefix" "out.$n" "err.$n" ||
			{ cat "out.$n" "err.$n" >&2; fail "example $n: no line with '$prefix'"; }
	done <"$s"
done
# The kid read from the token is the exported public key's.
[ -s token ] || fail "the example minted no token"
assert_eq "$(cat out.8)" "$(py_fingerprint sensor-17.pem)" "the fingerprint the example prints"
