#!/usr/bin/python3
"""A local HTTPS stand-in for akenza's REST API, for the tests of
`akcred register` (never for production use).

It implements the endpoints register uses, as akenza's Java API client
documents them:
  GET  /v3/assets?workspaceId=W&type=DEVICE&search=S   -> {"content": [device...]}
  POST /v3/devices                                      -> 201 device
  GET  /v3/device-authorization/devices/{id}/credentials -> {"content": [credential...]}
  POST /v3/device-authorization/devices/{id}/credentials -> 201 credential
                                 (an optional "expiration", ISO 8601 UTC, is stored)
  DELETE /v3/device-authorization/devices/{id}/credentials/{credentialId}
                                                        -> 204, or 404 if unknown
checks the x-api-key header (401 otherwise) and every request body (400 and a
"bad_requests" count otherwise), computes fingerprints independently
(pycryptodome), and can inject faults:
  --rate-limit N        every Nth request: 429 with Retry-After: 1 (seconds)
  --rate-limit-date N   every Nth request: 429 with Retry-After as an HTTP date
  --rate-limit-bare N   every Nth request: 429 without Retry-After
  --error500 N          every Nth request: 500, not carried out
  --error500-after N    every Nth POST: carried out, then 500
  --slow N:SECS         every Nth POST: carried out, answered after SECS
  --drop N              every Nth request: connection closed, no answer, not carried out
  --drop-after N        every Nth POST: carried out, connection closed without answer
  --drop-after-delete N every Nth DELETE: carried out, connection closed without answer
  --error500-delete N   every Nth DELETE: carried out, then 500
  --unauthorized-after N   requests from the Nth on: 401 (a revoked key)
  --duplicates reject|allow   a credential with a key the device has: 409 (default) or stored again
  --fingerprint kid|sha1|none  what "fingerprint" holds (sha1: of the certificate, for certificates)
  --no-public-key       credentials are shown without their "publicKey" (with --fingerprint
                        sha1, a certificate's only trace is then its SHA-1)
  --stale-listings N    the first N credential listings of each device show none (a
                        replica lagging behind), so that a POST meets a duplicate
  --latency MS          every answer waits MS milliseconds (a network far away)
  --existing FILE       device ids (one a line) that exist from the start; a line
                        "DEVICE-ID AKENZA-ID" also fixes the device's akenza id
  --echo-key            404 messages repeat the x-api-key received (a careless server)
  --echo-key-at N       the same, the key starting at character N of the message
GET /_mock/state (no key needed) returns everything, for checks: the devices,
the counters (among them "tls_failures", handshakes that failed) and the API
requests in order of arrival ("log": seconds since the mock started, method,
path); POST /_mock/heal ends every fault injection.

usage: mockakenza.py serve --cert C --key K --api-key-file F --port-file P [faults]
       mockakenza.py check --url U --ca CA --manifest M   (exit 1 unless each device
                     of M has exactly one credential, with its fingerprint, and no
                     request was malformed)
       mockakenza.py state --url U --ca CA
"""
import argparse
import base64
import email.utils
import hashlib
import json
import os
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from Cryptodome.PublicKey import ECC, RSA

ALGORITHMS = {"EC256_PEM", "RSA256_PEM", "EC256_X509_PEM", "RSA256_X509_PEM"}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.devices = {}  # akenza id -> device
        self.by_device_id = {}
        self.stats = {"requests": 0, "posts": 0, "connections": 0, "credentials_added": 0,
                      "duplicates_refused": 0, "devices_created": 0, "bad_requests": 0,
                      "unauthorized": 0, "tls_failures": 0, "deletes": 0,
                      "credentials_deleted": 0, "faults": {}}
        self.log = []  # API requests: {"t": seconds since start, "method", "path"}
        self.start = time.monotonic()
        if args.existing:
            for line in open(args.existing):
                if line.split():
                    self.new_device(line.split()[0], "ws", "df", *line.split()[1:2])

    def new_device(self, device_id, ws, df, aid=None):
        aid = aid or "%016x" % secrets.randbits(63)
        dev = {"id": aid, "deviceId": device_id, "name": device_id, "workspaceId": ws,
               "dataFlowId": df, "connectivity": "MQTT", "type": "DEVICE", "credentials": []}
        self.devices[aid] = dev
        self.by_device_id[device_id] = dev
        return dev

    def fault(self, name):
        self.stats["faults"][name] = self.stats["faults"].get(name, 0) + 1


def every(n, count):
    return n and count % n == 0


def key_facts(algorithm, pem):
    """(kid, sha1 of the certificate or None), or raise ValueError."""
    x509 = algorithm.endswith("_X509_PEM")
    label = "CERTIFICATE" if x509 else "PUBLIC KEY"
    m = re.fullmatch(r"-----BEGIN %s-----\n([A-Za-z0-9+/=\n]+)-----END %s-----\n?" % (label, label),
                     pem)
    if not m:
        raise ValueError("publicKey is not a %s PEM" % label)
    mod = ECC if algorithm.startswith("EC") else RSA
    key = mod.import_key(pem)
    if mod is RSA and key.size_in_bits() < 2048:
        raise ValueError("RSA keys must have at least 2048 bits")
    kid = hashlib.sha256(key.public_key().export_key(format="DER")).hexdigest()
    sha1 = hashlib.sha1(base64.b64decode(m.group(1))).hexdigest() if x509 else None
    return kid, sha1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mockakenza/1"
    # One write per answer (flushed after each request), and no Nagle: otherwise
    # headers and body go out as two segments and the second waits for the
    # client's delayed ACK, 40 ms per request -- a server artefact, not akcred's.
    wbufsize = 65536

    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    def log_message(self, fmt, *args):
        if os.environ.get("MOCK_VERBOSE"):
            sys.stderr.write("mock: " + fmt % args + "\n")

    def reply(self, status, obj=None, headers=()):
        body = json.dumps(obj).encode() if obj is not None else b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def do_GET(self):
        self.handle_api("GET")

    def do_POST(self):
        self.handle_api("POST")

    def do_DELETE(self):
        self.handle_api("DELETE")

    def handle_api(self, method):
        st = self.server.state
        a = st.args
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_mock/heal" and method == "POST":
            with st.lock:
                for k in ("rate_limit", "rate_limit_date", "rate_limit_bare", "error500",
                          "error500_after", "drop", "drop_after", "unauthorized_after",
                          "drop_after_delete", "error500_delete"):
                    setattr(a, k, 0)
                a.slow = None
            self.reply(200, {})
            return
        if url.path == "/_mock/state":
            with st.lock:
                self.reply(200, {"devices": list(st.devices.values()), "stats": st.stats,
                                 "log": st.log})
            return
        with st.lock:
            st.stats["requests"] += 1
            st.log.append({"t": round(time.monotonic() - st.start, 4), "method": method,
                           "path": self.path})
            n = st.stats["requests"]
            if method == "POST":
                st.stats["posts"] += 1
            posts = st.stats["posts"]
            if method == "DELETE":
                st.stats["deletes"] += 1
            deletes = st.stats["deletes"]
            if a.unauthorized_after and n >= a.unauthorized_after:
                st.stats["unauthorized"] += 1
                return self.reply(401, {"message": "API key revoked"})
            if self.headers.get("x-api-key") != self.server.api_key:
                st.stats["unauthorized"] += 1
                return self.reply(401, {"message": "Unauthorized: invalid API key"})
            if every(a.rate_limit, n):
                st.fault("429")
                return self.reply(429, {"message": "Too many requests"}, [("Retry-After", "1")])
            if every(a.rate_limit_date, n):
                st.fault("429-date")
                when = email.utils.formatdate(time.time() + 1, usegmt=True)
                return self.reply(429, {"message": "Too many requests"}, [("Retry-After", when)])
            if every(a.rate_limit_bare, n):
                st.fault("429-bare")
                return self.reply(429, {"message": "Too many requests"})
            if every(a.error500, n):
                st.fault("500")
                return self.reply(500, {"message": "Internal server error"})
            if every(a.drop, n):
                st.fault("drop")
                return self.drop()
            status, obj = self.route(method, url, raw)
            after = None
            if method == "POST" and status < 300:
                if every(a.error500_after, posts):
                    after = "500-after"
                elif a.slow and every(a.slow[0], posts):
                    after = "slow"
                elif every(a.drop_after, posts):
                    after = "drop-after"
            if method == "DELETE" and status < 300:
                if every(a.drop_after_delete, deletes):
                    after = "drop-after-delete"
                elif every(a.error500_delete, deletes):
                    after = "500-delete"
            if after:
                st.fault(after)
        # Outside the lock: the other threads go on meanwhile.
        if after in ("500-after", "500-delete"):
            return self.reply(500, {"message": "Internal server error (after the fact)"})
        if after in ("drop-after", "drop-after-delete"):
            return self.drop()
        if after == "slow":
            time.sleep(a.slow[1])
        if a.latency:
            time.sleep(a.latency / 1000)
        self.reply(status, obj)

    def bad(self, why):
        self.server.state.stats["bad_requests"] += 1
        sys.stderr.write("mock: bad request %s: %s\n" % (self.path, why))
        return 400, {"message": why}

    def route(self, method, url, raw):
        st = self.server.state
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/v3/assets" and method == "GET":
            if "workspaceId" not in q or q.get("type") != ["DEVICE"] or "search" not in q:
                return self.bad("the asset listing needs workspaceId, type=DEVICE and search")
            s = q["search"][0]
            found = [public(d) for d in st.devices.values() if s in d["deviceId"]]
            return 200, {"content": found}
        if url.path == "/v3/devices" and method == "POST":
            try:
                body = json.loads(raw)
            except ValueError:
                return self.bad("body is not JSON")
            want = {"name", "deviceId", "workspaceId", "dataFlowId", "connectivity"}
            if not isinstance(body, dict) or set(body) != want or body["connectivity"] != "MQTT" \
                    or not all(isinstance(body[k], str) and body[k] for k in want):
                return self.bad("create device: fields %s, connectivity MQTT" % sorted(want))
            if body["deviceId"] in st.by_device_id:
                return 409, {"message": "A device with this deviceId already exists"}
            dev = st.new_device(body["deviceId"], body["workspaceId"], body["dataFlowId"])
            st.stats["devices_created"] += 1
            return 201, public(dev)
        m = re.fullmatch(r"/v3/device-authorization/devices/([^/]+)/credentials/([^/]+)",
                         url.path)
        if m and method == "DELETE":
            dev = st.devices.get(m.group(1))
            creds = dev["credentials"] if dev else []
            left = [c for c in creds if c["id"] != m.group(2)]
            if dev is None or len(left) == len(creds):
                return 404, {"message": "Credential not found"}
            dev["credentials"] = left
            st.stats["credentials_deleted"] += 1
            return 204, None
        m = re.fullmatch(r"/v3/device-authorization/devices/([^/]+)/credentials", url.path)
        if m and method in ("GET", "POST"):
            dev = st.devices.get(m.group(1))
            if dev is None:
                if st.args.echo_key_at is not None:
                    msg = "Device not found, x-api-key "
                    msg += "." * max(0, st.args.echo_key_at - len(msg))
                    return 404, {"message": msg + self.headers.get("x-api-key", "") + " sent"}
                if st.args.echo_key:
                    return 404, {"message": "Device not found (request had x-api-key: %s)"
                                 % self.headers.get("x-api-key")}
                return 404, {"message": "Device not found"}
            if method == "GET":
                dev["listings"] = dev.get("listings", 0) + 1
                if dev["listings"] <= st.args.stale_listings:
                    st.fault("stale-listing")
                    return 200, {"content": []}
                return 200, {"content": [self.shown(c) for c in dev["credentials"]]}
            try:
                body = json.loads(raw)
            except ValueError:
                return self.bad("body is not JSON")
            want = {"name", "akenzaDeviceId", "algorithm", "publicKey"}
            if not isinstance(body, dict) or not want <= set(body) <= want | {"expiration"}:
                return self.bad("add credential: fields %s" % sorted(want))
            if body["akenzaDeviceId"] != dev["id"]:
                return self.bad("akenzaDeviceId is not the device of the path")
            if body["algorithm"] not in ALGORITHMS:
                return self.bad("unknown algorithm")
            exp = body.get("expiration")
            if "expiration" in body and not (isinstance(exp, str) and re.fullmatch(
                    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", exp)):
                return self.bad("expiration: not an ISO 8601 UTC time")
            try:
                kid, sha1 = key_facts(body["algorithm"], body["publicKey"])
            except (ValueError, IndexError, TypeError) as e:
                return self.bad("publicKey: %s" % e)
            if any(c["kid"] == kid for c in dev["credentials"]) and \
                    st.args.duplicates == "reject":
                st.stats["duplicates_refused"] += 1
                return 409, {"message": "A credential with this public key already exists"}
            cred = {"id": "%016x" % secrets.randbits(63), "name": body["name"],
                    "deviceId": dev["deviceId"], "akenzaDeviceId": dev["id"],
                    "algorithm": body["algorithm"], "publicKey": body["publicKey"],
                    "kid": kid, "sha1": sha1, "expiration": exp,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            dev["credentials"].append(cred)
            st.stats["credentials_added"] += 1
            dev["added"] = dev.get("added", 0) + 1  # ever, for the rotate tests
            return 201, self.shown(cred)
        return 404, {"message": "No route %s %s" % (method, url.path)}

    def shown(self, c):
        hidden = ("kid", "sha1", "publicKey") if self.server.state.args.no_public_key \
            else ("kid", "sha1")
        out = {k: v for k, v in c.items() if k not in hidden}
        kind = self.server.state.args.fingerprint
        if kind == "kid" or (kind == "sha1" and c["sha1"] is None):
            out["fingerprint"] = c["kid"]
        elif kind == "sha1":
            out["fingerprint"] = c["sha1"]
        return out


def public(dev):
    return {k: v for k, v in dev.items() if k not in ("credentials", "listings", "added")}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def finish_request(self, request, client_address):
        # The TLS handshake in the connection's own thread, not the accepting one.
        try:
            conn = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            with self.state.lock:
                self.state.stats["tls_failures"] += 1
            return
        with self.state.lock:
            self.state.stats["connections"] += 1
        try:
            super().finish_request(conn, client_address)
        finally:
            try:
                conn.close()
            except OSError:
                pass


def slow_arg(s):
    n, secs = s.split(":")
    return int(n), float(secs)


def serve(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.cert, a.key)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.ctx = ctx
    srv.state = State(a)
    srv.api_key = open(a.api_key_file).read().splitlines()[0]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    srv.serve_forever()


def fetch_state(a):
    ctx = ssl.create_default_context(cafile=a.ca)
    with urllib.request.urlopen(a.url.rstrip("/") + "/_mock/state", context=ctx) as r:
        return json.load(r)


def check(a):
    st = fetch_state(a)
    want = {}
    for line in open(a.manifest).read().splitlines()[1:]:
        if line.strip():
            f = line.split(",")
            want[f[0]] = f[2]
    by_id = {d["deviceId"]: d for d in st["devices"]}
    problems = []
    for dev_id, fp in want.items():
        d = by_id.get(dev_id)
        creds = [c for c in d["credentials"] if c["kid"] == fp] if d else []
        if len(creds) != 1:
            problems.append("%s: %d credentials with its key" % (dev_id, len(creds)))
        if d and len(d["credentials"]) != len(creds):
            problems.append("%s: %d other credentials" % (dev_id, len(d["credentials"]) - len(creds)))
    if st["stats"]["bad_requests"]:
        problems.append("%d malformed requests" % st["stats"]["bad_requests"])
    for p in problems[:20]:
        print("mock check: " + p, file=sys.stderr)
    print(json.dumps(st["stats"]))
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--api-key-file", required=True)
    s.add_argument("--port-file", required=True)
    for name in ("rate-limit", "rate-limit-date", "rate-limit-bare", "error500",
                 "error500-after", "drop", "drop-after", "unauthorized-after",
                 "drop-after-delete", "error500-delete"):
        s.add_argument("--" + name, type=int, default=0)
    s.add_argument("--slow", type=slow_arg)
    s.add_argument("--latency", type=float, default=0)
    s.add_argument("--stale-listings", type=int, default=0)
    s.add_argument("--duplicates", choices=("reject", "allow"), default="reject")
    s.add_argument("--fingerprint", choices=("kid", "sha1", "none"), default="kid")
    s.add_argument("--no-public-key", action="store_true")
    s.add_argument("--existing")
    s.add_argument("--echo-key", action="store_true")
    s.add_argument("--echo-key-at", type=int)
    for name in ("check", "state", "heal"):
        c = sub.add_parser(name)
        c.add_argument("--url", required=True)
        c.add_argument("--ca", required=True)
        if name == "check":
            c.add_argument("--manifest", required=True)
    a = p.parse_args()
    if a.cmd == "serve":
        serve(a)
    elif a.cmd == "check":
        sys.exit(check(a))
    elif a.cmd == "heal":
        ctx = ssl.create_default_context(cafile=a.ca)
        urllib.request.urlopen(urllib.request.Request(a.url.rstrip("/") + "/_mock/heal",
                                                      data=b"", method="POST"), context=ctx).read()
    else:
        json.dump(fetch_state(a), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
