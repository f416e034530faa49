#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# tls12_server.py MODE PORTFILE: a scripted direct-TLS server for what no available server does
# any more (test_handshake_facts.sh). It answers TLS 1.2 ClientHellos offering
# TLS_RSA_WITH_AES_128_CBC_SHA with ServerHello, an empty Certificate and ServerHelloDone (enough
# for raw probes; a real handshake cannot complete), refuses everything else with an alert, and
# then plays one 2014 bug:
#   heartbleed  negotiates the heartbeat extension and answers a heartbeat request with
#               payload_length bytes whatever the payload was (the CVE-2014-0160 over-read; the
#               "memory" is a fixed filler)
#   ccs         takes an early ChangeCipherSpec in silence and answers the next record with
#               bad_record_mac, as OpenSSL before 1.0.1h did (CVE-2014-0224)
#   patched     negotiates heartbeat, discards heartbeats with a bad length (RFC 6520), answers
#               well-formed ones, refuses an early CCS with unexpected_message
#   deflate     like patched, and picks DEFLATE compression when offered
#   picky       like patched, but closes without a word on a hello carrying an extension outside
#               what a 2010 client sent (server_name, supported_groups, ec_point_formats,
#               signature_algorithms, session_ticket, EMS, renegotiation_info, padding) or
#               offering a compression method besides null: an old stack that chokes on what
#               it does not know
# Binds 127.0.0.1 port 0 and writes the port to PORTFILE.
import socket
import struct
import sys
import threading

MODE = sys.argv[1]
SUITE = 0x002F


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


def record(c):
    h = recv_exact(c, 5)
    return h[0], recv_exact(c, struct.unpack(">H", h[3:5])[0])


def send(c, typ, body, ver=0x0303):
    c.sendall(struct.pack(">BHH", typ, ver, len(body)) + body)


def alert(c, desc):
    send(c, 21, bytes([2, desc]))


def hs(typ, body):
    return bytes([typ]) + struct.pack(">I", len(body))[1:] + body


def parse_hello(body):
    p = 4
    ver = struct.unpack(">H", body[p:p + 2])[0]
    p += 34
    p += 1 + body[p]
    n = struct.unpack(">H", body[p:p + 2])[0]
    suites = [struct.unpack(">H", body[p + 2 + i:p + 4 + i])[0] for i in range(0, n, 2)]
    p += 2 + n
    comps = list(body[p + 1:p + 1 + body[p]])
    p += 1 + body[p]
    exts = {}
    if p + 2 <= len(body):
        end = p + 2 + struct.unpack(">H", body[p:p + 2])[0]
        p += 2
        while p + 4 <= end:
            t, l = struct.unpack(">HH", body[p:p + 4])
            exts[t] = body[p + 4:p + 4 + l]
            p += 4 + l
    return ver, suites, comps, exts


def serve(c):
    try:
        typ, body = record(c)
        if typ != 22 or body[0] != 1:
            return
        ver, suites, comps, exts = parse_hello(body)
        known = {0x0000, 0x000A, 0x000B, 0x000D, 0x0015, 0x0017, 0x0023, 0xFF01}
        if MODE == "picky" and (set(exts) - known or comps != [0]):
            return
        if 0x002B in exts or ver != 0x0303 or SUITE not in suites:
            alert(c, 40)
            return
        comp = 1 if MODE == "deflate" and 1 in comps else 0
        ext = b""
        if 0xFF01 in exts or 0x00FF in suites:
            ext += struct.pack(">HHB", 0xFF01, 1, 0)
        if 0x0017 in exts:
            ext += struct.pack(">HH", 0x0017, 0)
        hb = MODE != "ccs" and 0x000F in exts
        if hb:
            ext += struct.pack(">HHB", 0x000F, 1, 1)
        sh = struct.pack(">H", 0x0303) + bytes(range(32)) + b"\x00" + struct.pack(">HB", SUITE, comp)
        sh += struct.pack(">H", len(ext)) + ext
        send(c, 22, hs(2, sh) + hs(11, b"\x00\x00\x00") + hs(14, b""))
        ccs_seen = False
        while True:
            typ, body = record(c)
            if typ == 24 and hb and len(body) >= 3 and body[0] == 1:
                claimed = struct.unpack(">H", body[1:3])[0]
                if MODE == "heartbleed":
                    send(c, 24, b"\x02" + body[1:3] + b"M" * claimed + b"P" * 16)
                elif 3 + claimed + 16 <= len(body):
                    send(c, 24, b"\x02" + body[1:3 + claimed] + b"P" * 16)
                # else: a bad length, discarded silently
            elif typ == 20 and MODE == "ccs" and not ccs_seen:
                ccs_seen = True
            elif ccs_seen:
                alert(c, 20)
                return
            else:
                alert(c, 10)
                return
    except (EOFError, OSError, IndexError, struct.error):
        pass
    finally:
        c.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    import os
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
