#!/bin/sh
# Install the Debian packages that a make target needs, and only those that are
# missing: apt-get as root, or through sudo.  Says what it installs.
#   sh tests/deps.sh build|check|demo|bench|fuzz|lint
set -eu

build="gcc make pkg-config libssl-dev libsodium-dev libjansson-dev libcurl4-openssl-dev libmosquitto-dev mosquitto-dev libp11-kit-dev"
runtime="openssl libcurl4 libmosquitto1 mosquitto mosquitto-clients libp11-kit0"
testing="libcriterion-dev python3 python3-jwt python3-pycryptodome mandoc groff-base zsh fish valgrind softhsm2 opensc acl"

case "${1:-build}" in
build) want="$build" ;;
check) want="$build $runtime $testing" ;;
demo)  want="$build $runtime python3" ;;
bench) want="$build $runtime python3 python3-jwt python3-pycryptodome python3-cryptography hyperfine time curl softhsm2" ;;
fuzz)  want="$build clang libclang-rt-14-dev" ;;
lint)  want="$build mandoc groff-base clang-format" ;;
*) echo "usage: $0 build|check|demo|bench|fuzz|lint" >&2; exit 2 ;;
esac

command -v dpkg-query >/dev/null 2>&1 || {
	echo "akcred: not a Debian system: install the equivalents of: $want" >&2
	exit 0
}

missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

echo "akcred: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "akcred: not root and no sudo: install them yourself:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
