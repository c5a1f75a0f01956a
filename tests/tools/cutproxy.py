#!/usr/bin/env python3
"""A TCP proxy for tests that can cut its connections: cutproxy.py PORT TARGET-PORT.

Forwards 127.0.0.1:PORT to 127.0.0.1:TARGET-PORT.  SIGUSR1 cuts every connection and
closes new ones at once until SIGUSR2; each state change and each accepted connection is
a line on standard output ("ready", "cut", "open", "accepted N"), so that a test waits
for it instead of sleeping.
"""
import selectors
import signal
import socket
import sys

port, target = int(sys.argv[1]), int(sys.argv[2])
cut = False
pending = []


def say(what):
    print(what, flush=True)


signal.signal(signal.SIGUSR1, lambda *_: pending.append("cut"))
signal.signal(signal.SIGUSR2, lambda *_: pending.append("open"))

sel = selectors.DefaultSelector()
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", port))
lsock.listen(16)
sel.register(lsock, selectors.EVENT_READ, None)
pairs = {}  # socket -> its peer
accepted = 0
say("ready")


def drop(s):
    p = pairs.pop(s, None)
    for x in (s, p):
        if x is None:
            continue
        pairs.pop(x, None)
        try:
            sel.unregister(x)
        except (KeyError, ValueError):
            pass
        x.close()


while True:
    try:
        events = sel.select(0.2)
    except InterruptedError:
        events = []
    while pending:
        what = pending.pop(0)
        cut = what == "cut"
        if cut:
            for s in list(pairs):
                drop(s)
        say(what)
    for key, _ in events:
        s = key.fileobj
        if s is lsock:
            c, _ = lsock.accept()
            if cut:
                c.close()
                continue
            try:
                u = socket.create_connection(("127.0.0.1", target))
            except OSError:
                c.close()
                continue
            accepted += 1
            pairs[c], pairs[u] = u, c
            sel.register(c, selectors.EVENT_READ, None)
            sel.register(u, selectors.EVENT_READ, None)
            say("accepted %d" % accepted)
            continue
        if s not in pairs:
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            drop(s)
            continue
        try:
            pairs[s].sendall(data)
        except (OSError, KeyError):
            drop(s)
