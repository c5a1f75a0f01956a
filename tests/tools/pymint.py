#!/usr/bin/python3
"""Mint an akenza token the way the published Python reference client does
(PyJWT + pycryptodome): read the private and public PEM files, kid = SHA-256
of the public key's DER SubjectPublicKeyInfo, claims {iat, exp = iat + 20
minutes, aud}.  Used to cross-check akcred and as the benchmark baseline.

usage: pymint.py PRIVATE_PEM PUBLIC_PEM DEVICE_ID [IAT [AUD_HOST]]"""
import hashlib
import sys
import time

import jwt
from Cryptodome.PublicKey import ECC, RSA


def load_public(data):
    for mod in (RSA, ECC):
        try:
            return mod.import_key(data)
        except (ValueError, IndexError, TypeError):
            pass
    raise SystemExit("pymint: cannot read the public key")


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    private_pem = open(sys.argv[1], "rb").read()
    public = load_public(open(sys.argv[2], "rb").read())
    device_id = sys.argv[3]
    iat = int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time())
    host = sys.argv[5] if len(sys.argv) > 5 else "akenza.io"
    kid = hashlib.sha256(public.export_key(format="DER")).hexdigest()
    alg = "RS256" if isinstance(public, RSA.RsaKey) else "ES256"
    claims = {"iat": iat, "exp": iat + 20 * 60, "aud": "https://%s/devices/%s" % (host, device_id)}
    print(jwt.encode(claims, private_pem, algorithm=alg, headers={"kid": kid}))


if __name__ == "__main__":
    main()
