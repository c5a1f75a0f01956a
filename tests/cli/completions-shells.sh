# The completion scripts, generated from the command table, complete every
# command and every option in bash, zsh and fish.
. "$(dirname "$0")/lib.sh"
C=$TESTS/../completions

# Leaf commands ("keygen", "jwt mint") and their options, as --help shows them.
"$AKCRED" help | sed -n 's/^  \([a-z][a-z-]*\( [a-z]*\)\?\)  .*/\1/p' | sed 's/ *$//' > commands
[ "$(wc -l < commands)" -ge 4 ] || fail "too few commands listed"
options_of() {
	"$AKCRED" $1 --help | sed -n 's/^ *\(-., \)\?\(--[a-z0-9-]*\).*/\2/p'
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

# @FILE operands (jwt decode, jwt verify) keep their '@': a bare file name would be read as
# a one-segment token.  bash splits the '@' off in COMP_WORDS but replaces the whole word
# "@t_go" (a readline special prefix): the reply must carry the '@'.
touch t_good
bash_line() { # LINE WORDS...: COMP_LINE, and the words as bash splits them
	_line=$1
	shift
	bash -c 'COMP_LINE=$1 COMP_POINT=${#1}; . "$2"; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _akcred; printf "%s\n" "${COMPREPLY[@]}"' \
	    _ "$_line" "$C/akcred.bash" "$@"
}
assert_eq "$(bash_line 'akcred jwt decode @t_go' akcred jwt decode @ t_go)" "@t_good" "bash @FILE"
assert_eq "$(bash_line 'akcred jwt verify --key k @t_go' akcred jwt verify --key k @ t_go)" \
	"@t_good" "bash verify @FILE"
assert_eq "$(bash_line 'akcred jwt decode t_go' akcred jwt decode t_go)" "@t_good" "bash bare file"
assert_eq "$(bash_complete akcred jwt decode @t_go)" "@t_good" "bash @FILE, one word"
assert_eq "$(fish_complete 'akcred jwt decode @t_go')" "@t_good" "fish @FILE"
assert_eq "$(fish_complete 'akcred jwt verify --key k @t_go')" "@t_good" "fish verify @FILE"

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
# After "@" the file names (the '@' stays on the line, compset -P).
assert_eq "$(zc 'akcred jwt decode @t_go')" "t_good" "zsh @FILE"
