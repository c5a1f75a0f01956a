# bash completion for akcred(1).
# Generated from the command table by 'akcred help --completion bash': do not edit.
_akcred()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local path='' i w opts='' operands=''
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == -* ]] && continue
		case $path in
		'') path=$w ;;
		jwt) path="jwt $w" ;;
		credentials) path="credentials $w" ;;
		*) break ;;
		esac
	done
	case $path in
	'')
		COMPREPLY=($(compgen -W "keygen fingerprint provision jwt check connect register credentials rotate help version" -- "$cur"))
		return ;;
	jwt)
		COMPREPLY=($(compgen -W "mint decode verify --help" -- "$cur"))
		return ;;
	credentials)
		COMPREPLY=($(compgen -W "list revoke --help" -- "$cur"))
		return ;;
	'keygen')
		case $prev in
		--type|-t) COMPREPLY=($(compgen -W "ec rsa" -- "$cur")); return ;;
		--bits|-b) COMPREPLY=($(compgen -W "2048 3072 4096" -- "$cur")); return ;;
		--private) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--public) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--cert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--device-id) return ;;
		--days) return ;;
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pkcs11-module) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pin-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		opts='--type --bits --private --public --cert --device-id --days --encrypt --passphrase-file --pkcs11-module --pin-file --force --json --help'
		operands=''
		;;
	'fingerprint')
		case $prev in
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pkcs11-module) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pin-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		opts='--json --passphrase-file --pkcs11-module --pin-file --help'
		operands='@file'
		;;
	'provision')
		case $prev in
		--out-dir|-o) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--ids|-i) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--count) return ;;
		--prefix) return ;;
		--start) return ;;
		--width) return ;;
		--type|-t) COMPREPLY=($(compgen -W "ec rsa" -- "$cur")); return ;;
		--bits|-b) COMPREPLY=($(compgen -W "2048 3072 4096" -- "$cur")); return ;;
		--days) return ;;
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--token) return ;;
		--pkcs11-module) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pin-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--manifest) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--jobs|-j) return ;;
		esac
		opts='--out-dir --ids --count --prefix --start --width --type --bits --cert --days --encrypt --passphrase-file --token --pkcs11-module --pin-file --manifest --jobs --json --help'
		operands=''
		;;
	'jwt mint')
		case $prev in
		--device-id) return ;;
		--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--public) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pkcs11-module) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pin-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--ttl) COMPREPLY=($(compgen -W "20m 1h 24h" -- "$cur")); return ;;
		--aud-host) COMPREPLY=($(compgen -W "akenza.io" -- "$cur")); return ;;
		--iat) return ;;
		esac
		opts='--device-id --key --public --passphrase-file --pkcs11-module --pin-file --ttl --aud-host --sub --no-kid --iat --json --help'
		operands=''
		;;
	'jwt decode')
		case $prev in
		--at) return ;;
		esac
		opts='--at --json --help'
		operands='@token'
		;;
	'jwt verify')
		case $prev in
		--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--device-id) return ;;
		--aud-host) COMPREPLY=($(compgen -W "akenza.io" -- "$cur")); return ;;
		--leeway) COMPREPLY=($(compgen -W "0 60s 5m" -- "$cur")); return ;;
		--at) return ;;
		--max-lifetime) COMPREPLY=($(compgen -W "1h 24h" -- "$cur")); return ;;
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pkcs11-module) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pin-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		opts='--key --device-id --aud-host --leeway --at --max-lifetime --signature-only --passphrase-file --pkcs11-module --pin-file --json --help'
		operands='@token'
		;;
	'check')
		case $prev in
		--device-id) return ;;
		--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pkcs11-module) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pin-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--token-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--host) return ;;
		--port) COMPREPLY=($(compgen -W "8883 1883" -- "$cur")); return ;;
		--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--ca-path) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--ttl) COMPREPLY=($(compgen -W "20m 1h" -- "$cur")); return ;;
		--aud-host) COMPREPLY=($(compgen -W "akenza.io" -- "$cur")); return ;;
		--iat) return ;;
		--username) return ;;
		--topic-suffix) return ;;
		--topic) return ;;
		--payload) return ;;
		--payload-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--qos) COMPREPLY=($(compgen -W "0 1" -- "$cur")); return ;;
		--listen) COMPREPLY=($(compgen -W "10s 1m" -- "$cur")); return ;;
		--timeout) COMPREPLY=($(compgen -W "5s 10s 30s" -- "$cur")); return ;;
		--manifest) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--token) return ;;
		--jobs) return ;;
		--results) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		opts='--device-id --key --passphrase-file --pkcs11-module --pin-file --token-file --host --port --ca-file --ca-path --plaintext --ttl --aud-host --sub --no-kid --iat --username --topic-suffix --topic --payload --payload-file --raw --qos --listen --timeout --show-token --dry-run --json --manifest --token --jobs --results --all --help'
		operands=''
		;;
	'connect')
		case $prev in
		--device-id) return ;;
		--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pkcs11-module) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--pin-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--host) return ;;
		--port) COMPREPLY=($(compgen -W "8883 1883" -- "$cur")); return ;;
		--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--ca-path) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--ttl) COMPREPLY=($(compgen -W "20m 1h" -- "$cur")); return ;;
		--aud-host) COMPREPLY=($(compgen -W "akenza.io" -- "$cur")); return ;;
		--username) return ;;
		--topic-suffix) return ;;
		--timeout) COMPREPLY=($(compgen -W "5s 10s 30s" -- "$cur")); return ;;
		--interval) COMPREPLY=($(compgen -W "10s 1m" -- "$cur")); return ;;
		--spool) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--refusals) return ;;
		esac
		opts='--device-id --key --passphrase-file --pkcs11-module --pin-file --host --port --ca-file --ca-path --plaintext --ttl --aud-host --username --topic-suffix --timeout --interval --spool --refusals --help'
		operands=''
		;;
	'register')
		case $prev in
		--manifest) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--device-id) return ;;
		--public) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--data-flow-id) return ;;
		--credential-name) return ;;
		--expires) return ;;
		--workspace-id) return ;;
		--akenza-device-id) return ;;
		--api-url) return ;;
		--api-key-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--jobs|-j) return ;;
		--timeout) return ;;
		--retries) return ;;
		--results) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac
		opts='--manifest --device-id --public --data-flow-id --create-devices --credential-name --expires --workspace-id --akenza-device-id --api-url --api-key-file --ca-file --jobs --timeout --retries --results --dry-run --json --help'
		operands=''
		;;
	'credentials list')
		case $prev in
		--device-id) return ;;
		--manifest) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--expiring-within) COMPREPLY=($(compgen -W "7d 30d" -- "$cur")); return ;;
		--workspace-id) return ;;
		--akenza-device-id) return ;;
		--api-url) return ;;
		--api-key-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--jobs|-j) return ;;
		--timeout) return ;;
		--retries) return ;;
		esac
		opts='--device-id --manifest --key --expiring-within --workspace-id --akenza-device-id --api-url --api-key-file --ca-file --jobs --timeout --retries --json --help'
		operands=''
		;;
	'credentials revoke')
		case $prev in
		--device-id) return ;;
		--fingerprint) return ;;
		--credential-id) return ;;
		--manifest) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--fingerprints) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--results) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--workspace-id) return ;;
		--akenza-device-id) return ;;
		--api-url) return ;;
		--api-key-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--jobs|-j) return ;;
		--timeout) return ;;
		--retries) return ;;
		esac
		opts='--device-id --fingerprint --credential-id --manifest --fingerprints --results --force --workspace-id --akenza-device-id --api-url --api-key-file --ca-file --jobs --timeout --retries --dry-run --json --help'
		operands=''
		;;
	'rotate')
		case $prev in
		--manifest) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--journal) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--type|-t) COMPREPLY=($(compgen -W "ec rsa" -- "$cur")); return ;;
		--bits|-b) COMPREPLY=($(compgen -W "2048 3072 4096" -- "$cur")); return ;;
		--days) return ;;
		--expires) return ;;
		--passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--workspace-id) return ;;
		--api-url) return ;;
		--api-key-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--jobs|-j) return ;;
		--timeout) return ;;
		--retries) return ;;
		--host) return ;;
		--port) COMPREPLY=($(compgen -W "8883 1883" -- "$cur")); return ;;
		--ca-path) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		esac
		opts='--manifest --journal --type --bits --days --expires --passphrase-file --keep-old --finish --verify-login --workspace-id --api-url --api-key-file --ca-file --jobs --timeout --retries --host --port --ca-path --plaintext --dry-run --json --help'
		operands=''
		;;
	'help')
		case $prev in
		--completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
		esac
		opts='--completion --help'
		operands='@command'
		;;
	'version')
		case $prev in
		esac
		opts='--json --help'
		operands=''
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [[ $operands == @file ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	elif [[ $operands == @token ]]; then
		# @FILE, never a bare file name (that would be read as a token).  bash
		# replaces the word with its '@' (a readline special prefix) although
		# COMP_WORDS may split it off: take the word from the line.
		w=$cur
		if [[ -n ${COMP_LINE-} ]]; then
			w=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
			w=${w##*[[:space:]]}
		fi
		COMPREPLY=($(compgen -P @ -f -- "${w#@}"))
	elif [[ $operands == @command ]]; then
		COMPREPLY=($(compgen -W "keygen fingerprint provision jwt check connect register credentials rotate help version" -- "$cur"))
	fi
}
complete -o filenames -o bashdefault -F _akcred akcred
