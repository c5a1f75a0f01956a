#!/usr/bin/env python3
"""Check the order of durability in a syncshim log (tests/tools/syncshim.c).

usage: checkdurability.py LOG DIR

DIR is the batch directory (as the shim writes paths: absolute, resolved).
The rules, the promise of provision.c's crash analysis:
  - a staged directory DIR/.akcred-<id>.XXXXXX gets its name DIR/<id> only
    once every file written in it and its own entries are durable: a syncfs,
    or an fsync of each file and of the staged directory, after the last
    write in it;
  - a manifest row for device <id> is written only once DIR/<id> exists
    durably: after its rename, a syncfs or an fsync of DIR (a device renamed
    by an earlier run: at least one such sync earlier in this run);
  - every write to the manifest is followed by its fsync (a durable append)
    before the next one and before the run ends.
Prints "ok: N rows, M renames, K syncs" and exits 0, or prints every
violation and exits 1.
"""
import os
import sys


def main():
    log, batch = sys.argv[1], os.path.realpath(sys.argv[2])
    dirty_files = set()  # written, not yet synced
    dirty_dirs = set()  # entries changed, not yet synced
    renamed = {}  # id -> line of its rename into DIR
    manifest_unsynced = None  # line of a manifest write not yet fsynced
    dir_synced = False  # DIR (or its file system) synced at least once
    problems, rows, renames, syncs = [], 0, 0, 0

    def bad(n, msg):
        problems.append("line %d: %s" % (n, msg))

    for n, line in enumerate(open(log, encoding="utf-8", errors="replace"), 1):
        f = line.rstrip("\n").split("\t")
        call = f[0]
        if call == "syncfs":
            syncs += 1
            dirty_files.clear()
            dirty_dirs.clear()
            dir_synced = True
            manifest_unsynced = None
        elif call in ("fsync", "fdatasync"):
            syncs += 1
            path = f[1]
            dirty_files.discard(path)
            if call == "fsync":
                dirty_dirs.discard(path)
            if path == batch:
                dir_synced = True
            if os.path.basename(path) == "manifest.csv":
                manifest_unsynced = None
        elif call == "write":
            path = f[1]
            if os.path.basename(path) == "manifest.csv":
                if manifest_unsynced is not None:
                    bad(n, "manifest written again before the append on line %d was synced"
                        % manifest_unsynced)
                manifest_unsynced = n
                for row in f[3].split("\\n") if len(f) > 3 else []:
                    if not row or row.startswith("device_id,"):
                        continue
                    rows += 1
                    dev = row.split(",")[0]
                    if dev in renamed:
                        if batch in dirty_dirs:
                            bad(n, "row for '%s' written before a sync of DIR after its rename "
                                "(line %d)" % (dev, renamed[dev]))
                    elif not dir_synced:
                        bad(n, "row for '%s' (not renamed in this run) written before any "
                            "sync of DIR" % dev)
            else:
                dirty_files.add(path)
                dirty_dirs.add(os.path.dirname(path))
        elif call in ("rename", "link"):
            src, dst = f[1], f[2]
            base = os.path.basename(src)
            if call == "rename" and os.path.dirname(dst) == batch and base.startswith(".akcred-"):
                renames += 1
                left = sorted(p for p in dirty_files if p.startswith(src + "/"))
                if left:
                    bad(n, "'%s' renamed to '%s' before its files were synced: %s"
                        % (src, dst, ", ".join(left)))
                if src in dirty_dirs:
                    bad(n, "'%s' renamed before its own entries were synced" % src)
                renamed[os.path.basename(dst)] = n
            dirty_dirs.add(os.path.dirname(src))
            dirty_dirs.add(os.path.dirname(dst))
    if manifest_unsynced is not None:
        bad(manifest_unsynced, "the last manifest append was never synced")
    if problems:
        print("\n".join(problems))
        return 1
    print("ok: %d rows, %d renames, %d syncs" % (rows, renames, syncs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
