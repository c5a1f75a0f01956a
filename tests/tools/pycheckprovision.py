#!/usr/bin/python3
"""Check a directory made by 'akcred provision' with an independent
implementation (pycryptodome): one manifest row per device, every private key
matching its public key (and certificate), every fingerprint equal to
pycryptodome's, the modes and the layout, no stray files.

usage: pycheckprovision.py DIR [--manifest FILE] [--passphrase P] [--cert]
                           [--expect N] [--type ec|rsa] [--bits N]
Prints "N devices ok" and exits 0, or prints every problem and exits 1."""
import argparse
import csv
import hashlib
import os
import re
import stat
import sys

from Cryptodome.PublicKey import ECC, RSA

HEADER = ["device_id", "algorithm", "fingerprint", "public_key", "created"]


def load(path, passphrase=None):
    data = open(path, "rb").read()
    errors = []
    for mod in (ECC, RSA):
        try:
            return mod.import_key(data, passphrase=passphrase)
        except (ValueError, IndexError, TypeError) as e:
            errors.append(str(e))
    raise ValueError("%s: %s" % (path, "; ".join(errors)))


def fingerprint(key):
    return hashlib.sha256(key.public_key().export_key(format="DER")).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--manifest")
    ap.add_argument("--passphrase")
    ap.add_argument("--cert", action="store_true")
    ap.add_argument("--expect", type=int)
    ap.add_argument("--type", default="ec")
    ap.add_argument("--bits", type=int, default=2048)
    a = ap.parse_args()
    manifest = a.manifest or os.path.join(a.dir, "manifest.csv")
    mdir = os.path.dirname(manifest) or "."
    problems = []
    with open(manifest, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != HEADER:
        problems.append("bad header: %r" % (rows[:1],))
    rows = rows[1:]
    ids = [r[0] for r in rows if r]
    if len(ids) != len(set(ids)):
        problems.append("duplicate rows: %s" % sorted({i for i in ids if ids.count(i) > 1})[:5])
    if a.expect is not None and len(rows) != a.expect:
        problems.append("%d rows, expected %d" % (len(rows), a.expect))
    want_alg = ("EC256" if a.type == "ec" else "RSA256") + ("_X509_PEM" if a.cert else "_PEM")
    for r in rows:
        if len(r) != 5:
            problems.append("row %r has %d fields" % (r, len(r)))
            continue
        dev, alg, fp, pub, created = r
        ddir = os.path.join(a.dir, dev)
        try:
            st = os.lstat(ddir)
            if not stat.S_ISDIR(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o700:
                problems.append("%s: mode %o" % (ddir, st.st_mode))
            st = os.lstat(os.path.join(ddir, "private.pem"))
            if stat.S_IMODE(st.st_mode) != 0o600:
                problems.append("%s/private.pem: mode %o" % (ddir, stat.S_IMODE(st.st_mode)))
            if stat.S_IMODE(os.lstat(os.path.join(ddir, "public.pem")).st_mode) != 0o644:
                problems.append("%s/public.pem: not 0644" % ddir)
            priv = load(os.path.join(ddir, "private.pem"), a.passphrase)
            if not priv.has_private():
                problems.append("%s: private.pem holds no private key" % dev)
            pubk = load(os.path.join(ddir, "public.pem"))
            if fingerprint(priv) != fingerprint(pubk):
                problems.append("%s: private and public keys differ" % dev)
            if fingerprint(pubk) != fp:
                problems.append("%s: manifest fingerprint %s, pycryptodome %s" % (dev, fp, fingerprint(pubk)))
            if a.type == "ec" and not (isinstance(priv, ECC.EccKey) and priv.curve in ("NIST P-256", "p256", "P-256", "prime256v1", "secp256r1")):
                problems.append("%s: not a P-256 key" % dev)
            if a.type == "rsa" and not (isinstance(priv, RSA.RsaKey) and priv.size_in_bits() == a.bits):
                problems.append("%s: not an RSA %d key" % (dev, a.bits))
            expect_pub = os.path.relpath(os.path.join(ddir, "cert.pem" if a.cert else "public.pem"), mdir)
            if pub != expect_pub or os.path.isabs(pub):
                problems.append("%s: public_key %r, expected %r" % (dev, pub, expect_pub))
            if fingerprint(load(os.path.join(mdir, pub))) != fp:
                problems.append("%s: %s does not hash to the fingerprint" % (dev, pub))
        except (OSError, ValueError) as e:
            problems.append("%s: %s" % (dev, e))
        if alg != want_alg:
            problems.append("%s: algorithm %s, expected %s" % (dev, alg, want_alg))
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created):
            problems.append("%s: created %r" % (dev, created))
    # Every directory is in the manifest; nothing else (no staged leftovers).
    listed = set(ids)
    for name in os.listdir(a.dir):
        if name == os.path.basename(manifest) and os.path.abspath(mdir) == os.path.abspath(a.dir):
            continue
        if name not in listed:
            problems.append("stray entry %r in %s" % (name, a.dir))
    for name in os.listdir(mdir):
        if ".akcred-" in name:
            problems.append("stray temporary file %r in %s" % (name, mdir))
    for p in problems[:30]:
        print("pycheckprovision: " + p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("%d devices ok" % len(rows))


if __name__ == "__main__":
    main()
