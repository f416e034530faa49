#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mysql_tls_server.py VERSION CERT KEY PORTFILE: a MySQL-protocol greeting that claims a server
version no machine here runs (MySQL 8.0 with its auto-generated chain, MariaDB 11.4 with
zero-configuration TLS), then real TLS from Python's ssl module (the local OpenSSL) serving CERT
(leaf first, then its chain) and KEY. test_cert_context.sh uses it for what only the greeting's
version and the certificate's shape decide; everything about the TLS itself is a real stack.

Per connection: the greeting (protocol 10, CLIENT_SSL), the 36-byte SSLRequest (the ClientHello
may already follow it: the ssl module reads it from the socket), then the TLS handshake, then
the connection is held until the client closes. Binds 127.0.0.1 port 0, writes the port to
PORTFILE atomically, exits on SIGTERM or after 120 s."""
import os
import signal
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_server  # noqa: E402  (greeting(), recv_exact(), the capability bits)

LIFETIME_S = 120


def serve(conn, ctx, version):
    try:
        conn.settimeout(10)
        conn.sendall(fake_server.greeting(version, fake_server.CAPS_NOSSL | fake_server.CLIENT_SSL))
        if len(fake_server.recv_exact(conn, 36)) != 36:
            return
        tls = ctx.wrap_socket(conn, server_side=True)
        while tls.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    version, cert, key, portfile = sys.argv[1:5]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    timer = threading.Timer(LIFETIME_S, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, ctx, version), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
