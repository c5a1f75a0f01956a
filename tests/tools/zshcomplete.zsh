#!/usr/bin/zsh -f
# Print the completions zsh offers for a command line, one per line, using
# the real completion system on a pseudo-terminal (zpty): each match that
# compadd adds is echoed with a marker.
#   zsh -f zshcomplete.zsh COMPLETIONS_DIR 'akcred keygen --ty'
zmodload zsh/zpty || exit 1
dir=$1 line=$2
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null; fpath=($dir \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd() { local -a __m; builtin compadd -O __m "$@"; (( $#__m )) && print -rl -- "" "ZC:${^__m[@]}" >/dev/tty; builtin compadd "$@"; }'
zpty -w z "print -r -- READY-\$((6*7))"
zpty -r z out '*READY-42*'
zpty -w -n z "$line"$'\t'
# Read until the matches have stopped coming for half a second (10 s at most):
# a loaded machine may take longer than any fixed pause.
out='' idle=0
for i in {1..100}; do
	if zpty -r -t z chunk; then
		out+=$chunk idle=0
	else
		sleep 0.1
		(( idle++ ))
		[[ $out == *ZC:* ]] && (( idle >= 5 )) && break
	fi
done
print -r -- "$out" | tr -d '\r' | grep -ao 'ZC:[^[:space:]]*' | sed 's/^ZC://' | sort -u
zpty -d z
