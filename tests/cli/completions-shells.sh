# The completion scripts, generated from the command table, complete every
# command and every option in bash, zsh and fish.
. "$(dirname "$0")/lib.sh"
C=$TESTS/../completions

# Leaf commands ("keygen", "jwt mint") and their options, as --help shows them.
"$AKCRED" help | sed -n 's/^  \([a-z][a-z-]*\( [a-z]*\)\?\)  .*/\1/p' | sed 's/ *$//' > commands
[ "$(wc -l < commands)" -ge 4 ] || fail "too few commands listed"
options_of() {
	"$AKCRED" $1 --help | sed -n 's/^ *\(-., \)\?\(--[a-z-]*\).*/\2/p'
}

bash_complete() { # WORDS...: the last word is the one being completed
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _akcred; printf "%s\n" "${COMPREPLY[@]}"' \
	    _ "$C/akcred.bash" "$@"
}
fish_complete() { # LINE
	fish -c "source $C/akcred.fish; complete -C '$1'" | cut -f1
}

while read -r cmd; do
	first=${cmd%% *}
	bash_complete akcred "${first%?}" | grep -qx "$first" || fail "bash does not complete '$first'"
	fish_complete "akcred ${first%?}" | grep -qx "$first" || fail "fish does not complete '$first'"
	for o in $(options_of "$cmd"); do
		# shellcheck disable=SC2086
		bash_complete akcred $cmd "${o%?}" | grep -qx -- "$o" || fail "bash: '$cmd ${o%?}' misses $o"
		fish_complete "akcred $cmd ${o%?}" | grep -qx -- "$o" || fail "fish: '$cmd ${o%?}' misses $o"
	done
done < commands

# Option values and files.
assert_eq "$(bash_complete akcred keygen --type '' | tr '\n' ' ')" "ec rsa " "bash --type values"
assert_eq "$(fish_complete 'akcred keygen --type ' | tr '\n' ' ')" "ec rsa " "fish --type values"
touch somefile.pem
assert_eq "$(bash_complete akcred fingerprint some)" "somefile.pem" "bash file operand"
assert_eq "$(fish_complete 'akcred fingerprint some')" "somefile.pem" "fish file operand"

# zsh: the real completion system on a pseudo-terminal (about 1.5 s a query,
# so one query per command for all of its options).
zc() { timeout "$WAIT_LIMIT" zsh -f "$TESTS/tools/zshcomplete.zsh" "$C" "$1"; }
zc 'akcred ' > z.top
while read -r cmd; do
	grep -qx "${cmd%% *}" z.top || fail "zsh does not complete '${cmd%% *}'"
	zc "akcred $cmd --" > z.opts
	for o in $(options_of "$cmd"); do
		grep -qx -- "$o" z.opts || fail "zsh: 'akcred $cmd --' misses $o: offers $(tr '\n' ' ' <z.opts)"
	done
done < commands
assert_eq "$(zc 'akcred keygen --type ' | tr '\n' ' ')" "ec rsa " "zsh --type values"
