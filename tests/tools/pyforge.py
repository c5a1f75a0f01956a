#!/usr/bin/python3
"""Forge a compact JWS with pycryptodome, exactly as told: any header and
claims text (duplicates, wrong types, any alg), signed with the given key as
RS256 or ES256, the ES256 signature raw (R||S) or DER, or a literal signature.
For the tests of every problem code and attack.

usage: pyforge.py HEADER_JSON CLAIMS_TEXT [KEY_PEM [raw|der|hmac-with-pem]]
       pyforge.py HEADER_JSON CLAIMS_TEXT --sig BASE64URL
HEADER_JSON/CLAIMS_TEXT are used byte for byte (no re-serialisation)."""
import base64
import hashlib
import hmac
import sys

from Cryptodome.Hash import SHA256
from Cryptodome.PublicKey import ECC, RSA
from Cryptodome.Signature import DSS, pkcs1_15


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    header, claims = sys.argv[1].encode(), sys.argv[2].encode()
    signing_input = (b64(header) + "." + b64(claims)).encode()
    if len(sys.argv) > 4 and sys.argv[3] == "--sig":
        print(signing_input.decode() + "." + sys.argv[4])
        return
    if len(sys.argv) < 4:
        print(signing_input.decode() + ".")
        return
    pem = open(sys.argv[3], "rb").read()
    form = sys.argv[4] if len(sys.argv) > 4 else "raw"
    if form == "hmac-with-pem":
        # The classic attack: the verifier's public key PEM used as an HMAC secret.
        sig = hmac.new(pem, signing_input, hashlib.sha256).digest()
    else:
        h = SHA256.new(signing_input)
        try:
            key = RSA.import_key(pem)
            sig = pkcs1_15.new(key).sign(h)
        except (ValueError, IndexError, TypeError):
            key = ECC.import_key(pem)
            sig = DSS.new(key, "fips-186-3", encoding="der" if form == "der" else "binary").sign(h)
    print(signing_input.decode() + "." + b64(sig))


if __name__ == "__main__":
    main()
