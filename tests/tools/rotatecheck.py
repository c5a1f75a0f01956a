#!/usr/bin/python3
"""The invariant of `akcred rotate`, checked from the mock's state and the
local files (independently of akcred: pycryptodome computes the keys' kids).

usage: rotatecheck.py STATE.json MANIFEST [--final] [--uploads N] [--passphrase P]
At any moment (after a kill): every device of MANIFEST has a local private
key whose kid is a credential the mock holds for it (for an X509 row, a
certificate credential); its public key -- and for an X509 row its
certificate, which the row names, with public.pem beside it -- is of that
same key, or, in the middle of a swap that renamed the private key already,
its ".next" is (what the rerun renames into place); the mock never stored
more than N keys for it (default 2: the registered one and one new one; one
more for each rotation before) and holds at most two.  With --final, the
end state: exactly one credential, the local private key's, which is also
the local public key's (and certificate's) and the manifest's, and no
".next" file left.  --passphrase: that of encrypted private keys.  Exit 1
with the problems on stderr."""
import csv
import hashlib
import json
import os
import sys

from Cryptodome.PublicKey import ECC, RSA


def kid(path, passphrase=None):
    data = open(path, "rb").read()
    for mod in (ECC, RSA):
        try:
            key = mod.import_key(data, passphrase=passphrase)
            return hashlib.sha256(key.public_key().export_key(format="DER")).hexdigest()
        except (ValueError, IndexError, TypeError):
            pass
    raise ValueError("%s: not a key" % path)


def main():
    state = json.load(open(sys.argv[1]))
    manifest = sys.argv[2]
    final = "--final" in sys.argv[3:]
    uploads = int(sys.argv[sys.argv.index("--uploads") + 1]) if "--uploads" in sys.argv else 2
    passphrase = sys.argv[sys.argv.index("--passphrase") + 1] if "--passphrase" in sys.argv else None
    base = os.path.dirname(manifest) or "."
    devs = {d["deviceId"]: d for d in state["devices"]}
    problems = []
    for row in csv.DictReader(open(manifest)):
        dev_id = row["device_id"]
        x509 = row["algorithm"].endswith("_X509_PEM")
        named = os.path.join(base, row["public_key"])
        priv = os.path.join(os.path.dirname(named), "private.pem")
        pub = os.path.join(os.path.dirname(named), "public.pem") if x509 else named
        files = [pub, named] if x509 else [pub]
        d = devs.get(dev_id)
        if d is None:
            problems.append("%s: unknown to the mock" % dev_id)
            continue
        kids = [c["kid"] for c in d["credentials"]]
        try:
            local = kid(priv, passphrase)
        except (OSError, ValueError) as e:
            problems.append("%s: local private key: %s" % (dev_id, e))
            continue
        if local not in kids:
            problems.append("%s: local key %s is not among akenza's %s" % (dev_id, local[:12],
                                                                          [k[:12] for k in kids]))
        elif x509 != any(c["kid"] == local and c["algorithm"].endswith("_X509_PEM")
                         for c in d["credentials"]):
            problems.append("%s: akenza holds key %s, but not as the row's %s" %
                            (dev_id, local[:12], row["algorithm"]))
        for f in files:
            try:
                same = kid(f) == local or (os.path.exists(f + ".next") and
                                           kid(f + ".next") == local)
            except (OSError, ValueError) as e:
                problems.append("%s: %s" % (dev_id, e))
                continue
            if not same:
                problems.append("%s: %s (nor its .next) is not of the private key %s" %
                                (dev_id, f, local[:12]))
        if d.get("added", 0) > uploads:
            problems.append("%s: %d keys uploaded (at most %d)" % (dev_id, d["added"], uploads))
        if len(kids) > 2:
            problems.append("%s: %d credentials" % (dev_id, len(kids)))
        if final:
            if kids != [local]:
                problems.append("%s: credentials %s, not just the local key" % (dev_id, kids))
            if any(kid(f) != local for f in files) or row["fingerprint"] != local:
                problems.append("%s: public key, certificate or manifest row is not the "
                                "private key's" % dev_id)
            for f in [priv] + files:
                if os.path.exists(f + ".next"):
                    problems.append("%s: %s.next left" % (dev_id, f))
    if state["stats"].get("bad_requests"):
        problems.append("%d malformed requests" % state["stats"]["bad_requests"])
    for p in problems[:20]:
        print("rotatecheck: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
