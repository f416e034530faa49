#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""http_server.py PORTFILE LOGFILE [--port N] (--files DIR | --ocsp INDEX CA RSIGNER RKEY)

A tiny loopback HTTP server for the revocation tests (python3 standard library only). It binds
127.0.0.1 (port N, or one the kernel picks), writes the port to PORTFILE (atomically) once it
accepts connections, logs one line per request to LOGFILE ("METHOD PATH STATUS BYTES"), serves any
number of requests (one thread each) and exits by itself after 600 s, or earlier on SIGTERM/SIGINT.

  --files DIR      GET/HEAD /NAME serves DIR/NAME (no listings, no '..'): CRLs at a
                   crlDistributionPoints URL.
  --ocsp INDEX CA RSIGNER RKEY
                   an OCSP responder (RFC 6960 over HTTP: POST with the DER request as the body,
                   or GET /BASE64): each request goes to `openssl ocsp -index INDEX -CA CA -rsigner
                   RSIGNER -rkey RKEY -reqin ... -respout ... -ndays 1`, i.e. OpenSSL's own
                   responder answers from the `openssl ca` database INDEX (read per request, so
                   revoking a certificate takes effect at once). `openssl ocsp -port` would do the
                   same but binds every interface, not just loopback.
"""

import argparse
import base64
import http.server
import os
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.parse

LIFETIME_S = 600


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "dbtls-test-http/1"
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # quiet: requests go to LOGFILE via log()
        pass

    def log(self, status, nbytes):
        with self.server.log_lock, open(self.server.logfile, "a") as f:
            f.write("%s %s %d %d\n" % (self.command, self.path, status, nbytes))

    def reply(self, status, body, ctype, head=False):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.log(status, len(body))

    # --- files ---------------------------------------------------------------------------------
    def serve_file(self, head=False):
        name = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
        if not name or "/" in name or name.startswith("."):
            return self.reply(404, b"not found\n", "text/plain", head)
        path = os.path.join(self.server.files, name)
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            return self.reply(404, b"not found\n", "text/plain", head)
        ctype = "application/pkix-crl" if name.endswith((".crl", ".der")) else "application/octet-stream"
        return self.reply(200, body, ctype, head)

    # --- OCSP ----------------------------------------------------------------------------------
    def ocsp(self, req):
        index, ca, rsigner, rkey = self.server.ocsp
        with tempfile.TemporaryDirectory(prefix="ocsp.") as tmp:
            reqf, respf = os.path.join(tmp, "req.der"), os.path.join(tmp, "resp.der")
            with open(reqf, "wb") as f:
                f.write(req)
            r = subprocess.run(
                ["openssl", "ocsp", "-index", index, "-CA", ca, "-rsigner", rsigner,
                 "-rkey", rkey, "-reqin", reqf, "-respout", respf, "-ndays", "1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            try:
                with open(respf, "rb") as f:
                    body = f.read()
            except OSError:
                body = b""
        if r.returncode != 0 or not body:
            sys.stderr.write("openssl ocsp failed (%d): %s\n" % (r.returncode, r.stderr.decode(errors="replace")))
            return self.reply(500, b"responder error\n", "text/plain")
        return self.reply(200, body, "application/ocsp-response")

    def do_GET(self):
        if self.server.files is not None:
            return self.serve_file()
        try:
            b64 = urllib.parse.unquote(self.path.rsplit("/", 1)[-1])
            req = base64.b64decode(b64 + "=" * (-len(b64) % 4), validate=False)
        except ValueError:
            return self.reply(400, b"bad request\n", "text/plain")
        return self.ocsp(req)

    def do_HEAD(self):
        if self.server.files is not None:
            return self.serve_file(head=True)
        return self.reply(405, b"", "text/plain", head=True)

    def do_POST(self):
        if self.server.ocsp is None:
            return self.reply(405, b"method not allowed\n", "text/plain")
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = 0
        if n <= 0 or n > 65536:
            return self.reply(400, b"bad request\n", "text/plain")
        return self.ocsp(self.rfile.read(n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("portfile")
    ap.add_argument("logfile")
    ap.add_argument("--port", type=int, default=0)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--files", metavar="DIR")
    mode.add_argument("--ocsp", nargs=4, metavar=("INDEX", "CA", "RSIGNER", "RKEY"))
    a = ap.parse_args()

    http.server.ThreadingHTTPServer.request_queue_size = 64
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.files = os.path.abspath(a.files) if a.files else None
    srv.ocsp = [os.path.abspath(p) for p in a.ocsp] if a.ocsp else None
    srv.logfile = a.logfile
    srv.log_lock = threading.Lock()
    open(a.logfile, "a").close()

    def stop(*_):
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Timer(LIFETIME_S, stop).start()

    tmp = a.portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, a.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
