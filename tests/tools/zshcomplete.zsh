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
# The completion system runs comppostfuncs when it is done: that marks the
# end of the matches, however long a loaded machine takes (the caller's
# timeout(1) guards against a hang).  Nothing is typed after the TAB, which
# zsh might read before zle is up, as its terminal's line editing.
zpty -w z '_zc_end() { print -r -- "" "ZC-END-$((6*7))" >/dev/tty; }'
zpty -w z "comppostfuncs=(_zc_end); print -r -- READY-\$((6*7))"
zpty -r z out '*READY-42*'
zpty -w -n z "$line"$'\t'
zpty -r z out '*ZC-END-42*'
print -r -- "$out" | tr -d '\r' | grep -ao 'ZC:[^[:space:]]*' | sed 's/^ZC://' | sort -u
zpty -d z
