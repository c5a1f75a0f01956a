#!/bin/sh
# The onboarding flow of one device, narrated: make its key pair, print the
# fingerprint akenza asks for, and check it against an independent tool.
# Runs in a temporary directory that is removed afterwards.
set -eu
: "${AKCRED:?set AKCRED to the akcred binary}"
d=$(mktemp -d "${TMPDIR:-/tmp}/akcred-demo.XXXXXX")
trap 'rm -rf "$d"' EXIT
cd "$d"

say() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

say "1. make the device's key pair (EC P-256, private key mode 0600)"
show "$AKCRED" keygen --cert ec_cert.pem --device-id demo-device-1
ls -l ec_private.pem ec_public.pem ec_cert.pem

say "2. the fingerprint to enter in the akenza console (also the token's kid)"
show "$AKCRED" fingerprint ec_public.pem
fp=$("$AKCRED" fingerprint ec_public.pem)
for f in ec_private.pem ec_cert.pem; do
	[ "$("$AKCRED" fingerprint "$f")" = "$fp" ] || { echo "demo: $f gives another fingerprint" >&2; exit 1; }
done
echo "the private key and the certificate give the same fingerprint"

say "3. the same value from openssl"
show sh -c "openssl pkey -pubin -in ec_public.pem -outform DER | sha256sum"

say "done: the demo cleaned up after itself"
