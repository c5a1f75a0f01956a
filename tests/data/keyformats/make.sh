#!/bin/sh
# Regenerates the key-format samples of this directory, each made by a tool
# other than akcred: openssl (keys, requests, points), ssh-keygen (OpenSSH),
# PyJWT (JWKs).  kids holds each key's fingerprint as the openssl pipeline of
# akenza.md computes it from the SubjectPublicKeyInfo; the unit tests
# (tests/unit/test-key.c) expect every sample of a key to give that kid.
# Not run by the tests: the samples are checked in, so that the tests do not
# depend on these tools' versions.
set -eu
cd "$(dirname "$0")"

kid() { openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
for k in ec rsa; do
	openssl pkey -in $k.pem -pubout -out $k.spki.pem
	# PKCS#10, PEM and DER; RSA's PEM with the older "NEW" label.
	openssl req -new -key $k.pem -subj "/CN=$k-device" -out $k.csr.pem
	openssl req -in $k.csr.pem -outform DER -out $k.csr.der
	# OpenSSH, through ssh-keygen's own reading of the key.
	ssh-keygen -y -f $k.pem > $k.ssh.pub
	ssh-keygen -e -m PKCS8 -f $k.ssh.pub > $k.ssh-spki.pem
	[ "$(kid $k.ssh-spki.pem)" = "$(kid $k.spki.pem)" ]
done
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' rsa.csr.pem > rsa.newcsr.pem
rm rsa.csr.pem rsa.ssh-spki.pem ec.ssh-spki.pem
# The request's last byte is in its signature: flipping it breaks the signature alone.
openssl req -in ec.csr.pem -outform DER | perl -0777 -pe 'substr($_, -1, 1) ^= "\x01"' > ec.csr.badsig.der
# An authorized_keys file: options (one quoted, with spaces), comments, blank lines.
{
	echo "# device keys"
	printf 'command="echo a \\"b\\" c",no-pty,from="10.0.0.0/8" %s sensor-1\n' "$(cut -d' ' -f1,2 ec.ssh.pub)"
	echo
	printf '  %s sensor 2 (rotated)\r\n' "$(cut -d' ' -f1,2 rsa.ssh.pub)"
} > authorized_keys
ssh-keygen -q -t ed25519 -N '' -C '' -f ed25519 && mv ed25519.pub ed25519.ssh.pub && rm ed25519
printf '%s\n' "$(cut -c1-101 ec.ssh.pub)" > ec.ssh.truncated
# JWKs by PyJWT, private and public, and a JWK Set of both keys (one public, one private).
/usr/bin/python3 - <<'PY'
import json
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
algs = {"ec": ECAlgorithm, "rsa": RSAAlgorithm}
jwk = {}
for k, alg in algs.items():
    key = serialization.load_pem_private_key(open(k + ".pem", "rb").read(), None)
    jwk[k] = json.loads(alg.to_jwk(key))
    jwk[k + ".pub"] = json.loads(alg.to_jwk(key.public_key()))
    for n in (k, k + ".pub"):
        open(n + ".jwk", "w").write(json.dumps(jwk[n], indent=2) + "\n")
open("set.jwks", "w").write(json.dumps({"keys": [jwk["ec.pub"], jwk["rsa"]]}) + "\n")
bad = dict(jwk["ec.pub"], crv="P-384")
open("ec.badcrv.jwk", "w").write(json.dumps(bad) + "\n")
bad = dict(jwk["ec.pub"], x=jwk["ec.pub"]["x"][:-1])
open("ec.truncated.jwk", "w").write(json.dumps(bad) + "\n")
PY
# Raw points: 04||X||Y, X||Y, compressed; binary and hex.
openssl pkey -in ec.pem -pubout -outform DER | tail -c 65 > ec.point65.bin
tail -c 64 ec.point65.bin > ec.point64.bin
openssl pkey -in ec.pem -pubout -outform DER -ec_conv_form compressed | tail -c 33 > ec.point33.bin
for n in 65 64 33; do od -An -v -tx1 ec.point$n.bin | tr -d ' \n' > ec.point$n.hex; echo >> ec.point$n.hex; done
# Off the curve: Y + 1 (no point has two Y values but -Y and Y).
perl -0777 -pe 'substr($_, -1, 1) = chr((ord(substr($_, -1, 1)) + 1) % 256)' ec.point65.bin > ec.offcurve.bin
{ echo "ec $(kid ec.spki.pem)"; echo "rsa $(kid rsa.spki.pem)"; echo "ed25519 -"; } > kids
rm ec.pem rsa.pem
