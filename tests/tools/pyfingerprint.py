#!/usr/bin/python3
"""The akenza fingerprint by an independent implementation (pycryptodome), as
the reference client computes it: SHA-256 of the DER SubjectPublicKeyInfo.

usage: pyfingerprint.py FILE [PASSPHRASE]
Reads PEM or DER keys of any kind that pycryptodome reads, and X.509
certificates (whose SubjectPublicKeyInfo is hashed, not the certificate)."""
import hashlib
import sys

from Cryptodome.PublicKey import ECC, RSA


def load(data, passphrase):
    errors = []
    for mod in (RSA, ECC):
        try:
            return mod.import_key(data, passphrase=passphrase)
        except (ValueError, IndexError, TypeError) as e:
            errors.append(str(e))
    raise SystemExit("pyfingerprint: cannot read key: " + "; ".join(errors))


def main():
    data = open(sys.argv[1], "rb").read()
    passphrase = sys.argv[2] if len(sys.argv) > 2 else None
    key = load(data, passphrase)
    der = key.public_key().export_key(format="DER")
    print(hashlib.sha256(der).hexdigest())


if __name__ == "__main__":
    main()
