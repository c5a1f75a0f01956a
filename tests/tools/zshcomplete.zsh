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
# zle reads the next keys only when the completion is over: clearing the line
# and running a command marks the end of the matches, however long a loaded
# machine takes (the caller's timeout(1) guards against a hang).
zpty -w z $'\C-u'"print -r -- DONE-\$((6*7))"
zpty -r z out '*DONE-42*'
print -r -- "$out" | tr -d '\r' | grep -ao 'ZC:[^[:space:]]*' | sed 's/^ZC://' | sort -u
zpty -d z
