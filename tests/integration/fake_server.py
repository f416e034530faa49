#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fake_server.py MODE PORTFILE: a tiny loopback TCP server that misbehaves on purpose.

Integration tests point dbtls at it to check that every odd endpoint ends up as an error recorded in
the endpoint's facts, never as a hang or a crash. It binds 127.0.0.1 port 0, writes the port to
PORTFILE (atomically: a reader never sees a half-written file), serves any number of connections
(one thread each) and exits by itself after 120 s, or earlier on SIGTERM/SIGINT. With
$FAKE_PEAK_FILE set, tls-slow-accept keeps in that file the most ClientHellos it ever had waiting
for their answer at once (the client's connections in flight).

Modes:
  silent               accept, never send, hold the connection
  garbage              send 64 random bytes, close
  close                accept and close at once
  mysql-err-1129       the ERR packet MariaDB sends instead of the greeting to a blocked host
                       (sequence 0, no '#' SQLSTATE marker)
  mysql-err-1040       ERR 1040 '#08004' "Too many connections" instead of the greeting
  mysql-nossl          a protocol-10 greeting without CLIENT_SSL, then wait
  yassl-bad-handshake  a greeting with CLIENT_SSL from "5.6.51-yaSSL"; read the 36-byte SSLRequest,
                       read the ClientHello, answer ERR 1043 '#08S01' "Bad handshake" (sequence 2),
                       close: what old yaSSL builds of MySQL did with a ClientHello they disliked
  mysql-err-hostile    ERR 1045 '#28000' whose message is hostile bytes (HOSTILE below: terminal
                       escapes, a bidi override, CR LF, markup, invalid UTF-8, a NUL)
  mysql-hostile-greeting
                       a greeting without CLIENT_SSL whose server version is hostile bytes (the same
                       without the NUL, which ends the version string), then wait
  mysql-err-1043       a greeting with CLIENT_SSL; read the 36-byte SSLRequest and answer ERR 1043
                       '#08S01' "Bad handshake" at once (the ClientHello that follows is never read)
  tls-rst              direct TLS: read the ClientHello, answer with a TCP RST (SO_LINGER 0)
  tls-close            direct TLS: read the ClientHello, close without a word
  tls-wrong-version    direct TLS: answer every ClientHello with a ServerHello (and ServerHelloDone)
                       of a version it did not offer: TLS 1.0 for any other hello, TLS 1.2 for a
                       TLS 1.0 hello
  mysql-tls            a greeting with CLIENT_SSL ("5.7.44-dbtls-fake"); read the SSLRequest and the
                       ClientHello; accept a TLS 1.2 hello offering ECDHE-RSA-AES128-GCM-SHA256
                       (ServerHello, ServerHelloDone), refuse any other (alert handshake_failure).
                       On stdout one line per ClientHello read: "hello" plus " nossl" when the
                       greeting of that connection had no CLIENT_SSL
  mysql-version-change as mysql-tls, but every connection after the first greets with another
                       server version ("5.7.45-dbtls-fake")
  mysql-ssl-then-nossl as mysql-tls for the first connection, then greetings without CLIENT_SSL
  mysql-busy-first     ERR 1040 "Too many connections" to the first $FAKE_BUSY_N connections
                       (default 2), then as mysql-tls
  mysql-busy-careful   as mysql-tls, but ERR 1040 to the first $FAKE_BUSY_N connections after the
                       first that send nothing for 0.5 s (wait for the greeting: the certificate
                       handshake; pipelined probes send at once)
  mysql-busy-after     as mysql-tls for the first $FAKE_BUSY_AFTER connections (default 1), then
                       ERR 1040 "Too many connections" to the next $FAKE_BUSY_N (default 24), then
                       as mysql-tls again: a server that let the client in and then filled up (the
                       1040 goes out at once, so a pipelined probe's SSLRequest and ClientHello
                       are still unread when the server closes: the client gets an RST after it)
With $FAKE_STAMP_FILE set, every mode appends the time (time.time()) of each accepted connection.
The last four refuse every hello: a scan of them must never PASS (no version can be negotiated).
  mysql-drip           a greeting with CLIENT_SSL, one byte every $FAKE_DRIP_S seconds (default 0.9)
  tls-hello-flood      direct TLS. dbtls's raw probes get a ServerHello (the first suite offered)
                       and ServerHelloDone; a full handshake (OpenSSL's ClientHello, told apart by
                       its encrypt_then_mac and supported_versions extensions) gets a ServerHello, then HelloRequest
                       messages without end, as fast as the client reads them
  tls-drip             as tls-hello-flood, but the full handshake's bytes come one every
                       $FAKE_DRIP_S seconds (default 0.1)
  tls-slow-accept      direct TLS: every ClientHello is "accepted" (ServerHello with the first suite
                       offered, ServerHelloDone, close) after $FAKE_SLOW_S seconds (default 0.1), so
                       a suite enumeration needs one slow connection per suite the client knows;
                       with $FAKE_ACCEPT=0 every hello is refused (alert handshake_failure) instead
  mysql-sql-flood      a real TLS MySQL server for the login (Python's ssl with $FAKE_CERT and
                       $FAKE_KEY): every connection gets a greeting with CLIENT_SSL and, after the
                       SSLRequest, a TLS handshake; a HandshakeResponse is answered OK whatever its
                       password, and every query a result set of one column whose rows never end
                       (sent as fast as the client reads them)
  pg-sql-flood         the same for PostgreSQL: 'S' to the SSLRequest, a TLS handshake, any
                       StartupMessage logged in (AuthenticationOk, server_version 16.9), and every
                       Query answered with a RowDescription and DataRows without end

Packet layouts follow the MySQL client/server protocol (Protocol::HandshakeV10, ERR_Packet): a
packet is a 3-byte little-endian payload length, a 1-byte sequence id, then the payload.
"""

import os
import select
import signal
import socket
import struct
import sys
import threading
import time

LIFETIME_S = 120
HOLD_S = 60  # how long silent/nossl connections are held open at most

CLIENT_SSL = 0x00000800
# Capabilities a MySQL 5.6 server announces, CLIENT_SSL taken out: lower 0xf7ff (CLIENT_LONG_PASSWORD
# … CLIENT_SECURE_CONNECTION, bit 0x0800 clear), upper 0x807f (CLIENT_MULTI_STATEMENTS …
# CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS, CLIENT_REMEMBER_OPTIONS). CLIENT_PLUGIN_AUTH (0x00080000) and
# CLIENT_PROTOCOL_41 (0x0200) are set, so the greeting carries auth_plugin_data_len and a plugin name.
CAPS_NOSSL = 0x807FF7FF
CHARSET_LATIN1 = 8
SERVER_STATUS_AUTOCOMMIT = 0x0002

MSG_1129 = (
    "Host '127.0.0.1' is blocked because of many connection errors; "
    "unblock with 'mariadb-admin flush-hosts'"
)


# What a hostile server writes where text is expected: dbtls keeps these bytes in its facts (only
# NUL becomes '?') and every report writer escapes them.
HOSTILE = (
    b"Access denied \x1b[31mRED\x1b[0m \xe2\x80\xaegnp.exe\r\nX-Injected: 1 "
    b"<script>alert(1)</script> \xff\xfe \x07bell\x00after"
)


def packet(seq, payload):
    """Frame a payload: 3-byte little-endian length, sequence id."""
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def err_packet(seq, code, message, sqlstate=None):
    """ERR_Packet: 0xff, code (LE16), optional '#' + 5-char SQLSTATE, message (to end of packet)."""
    payload = b"\xff" + struct.pack("<H", code)
    if sqlstate is not None:
        payload += b"#" + sqlstate.encode("ascii")
    payload += message if isinstance(message, bytes) else message.encode("utf-8")
    return packet(seq, payload)


def scramble(n):
    """Printable, NUL-free scramble bytes, as real servers generate them."""
    return bytes(0x21 + b % 94 for b in os.urandom(n))


_conn_id = [0]
_conn_lock = threading.Lock()


def greeting(version, caps):
    """Protocol::HandshakeV10 with mysql_native_password and a 20-byte scramble (sequence 0)."""
    with _conn_lock:
        _conn_id[0] += 1
        conn_id = _conn_id[0]
    auth = scramble(20)
    plugin = b"mysql_native_password\x00"
    payload = (
        bytes([10])
        + (version if isinstance(version, bytes) else version.encode("ascii"))
        + b"\x00"
        + struct.pack("<I", conn_id)
        + auth[:8]
        + b"\x00"  # filler
        + struct.pack("<H", caps & 0xFFFF)
        + bytes([CHARSET_LATIN1])
        + struct.pack("<H", SERVER_STATUS_AUTOCOMMIT)
        + struct.pack("<H", caps >> 16)
        + bytes([len(auth) + 1])  # auth_plugin_data_len, the NUL included: 21
        + b"\x00" * 10  # reserved
        + auth[8:]
        + b"\x00"  # part 2 is MAX(13, 21 - 8) = 13 bytes, NUL included
        + plugin
    )
    return packet(0, payload)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def hold(conn):
    """Keep the connection open without sending until the peer closes or HOLD_S passes."""
    conn.settimeout(HOLD_S)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def serve_silent(conn):
    hold(conn)


def serve_garbage(conn):
    conn.sendall(os.urandom(64))


def serve_close(conn):
    pass


def serve_count(conn):
    """Close at once, one line on stdout per connection: tests count what reached the server."""
    print("accepted", flush=True)


def serve_err_1129(conn):
    conn.sendall(err_packet(0, 1129, MSG_1129))


def serve_err_1040(conn):
    conn.sendall(err_packet(0, 1040, "Too many connections", "08004"))


def serve_nossl(conn):
    conn.sendall(greeting("5.7.44-dbtls-fake", CAPS_NOSSL))
    hold(conn)


def serve_yassl(conn):
    conn.sendall(greeting("5.6.51-yaSSL", CAPS_NOSSL | CLIENT_SSL))
    conn.settimeout(10)
    try:
        if len(recv_exact(conn, 36)) < 36:  # SSLRequest: header + 32-byte payload
            return
        if not conn.recv(65536):  # the ClientHello, or whatever the client sends instead
            return
    except OSError:
        return
    conn.sendall(err_packet(2, 1043, "Bad handshake", "08S01"))


def serve_err_hostile(conn):
    conn.sendall(err_packet(0, 1045, HOSTILE, "28000"))


def serve_hostile_greeting(conn):
    conn.sendall(greeting(b"5.7.44-" + HOSTILE.replace(b"\x00", b""), CAPS_NOSSL))
    hold(conn)


def serve_err_1043(conn):
    conn.sendall(greeting("5.7.44-dbtls-fake", CAPS_NOSSL | CLIENT_SSL))
    conn.settimeout(10)
    try:
        if len(recv_exact(conn, 36)) < 36:
            return
    except OSError:
        return
    conn.sendall(err_packet(2, 1043, "Bad handshake", "08S01"))


def read_client_hello(conn):
    """The first TLS record (or SSLv2 hello) the client sends; b"" when none came."""
    conn.settimeout(10)
    try:
        head = recv_exact(conn, 5)
        if len(head) < 5:
            return b""
        if head[0] & 0x80:  # SSLv2: 2-byte length with the top bit set
            n = ((head[0] & 0x7F) << 8 | head[1]) - 3
        else:
            n = struct.unpack(">H", head[3:5])[0]
        return head + recv_exact(conn, max(n, 0))
    except OSError:
        return b""


def serve_tls_rst(conn):
    read_client_hello(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def serve_tls_close(conn):
    read_client_hello(conn)


def serve_tls_wrong_version(conn):
    hello = read_client_hello(conn)
    if len(hello) < 11:
        return
    # record header (5), handshake header (4), then client_version; SSLv2 hellos carry it at 3
    offered = hello[3:5] if hello[0] & 0x80 else hello[9:11]
    answer = b"\x03\x03" if offered == b"\x03\x01" else b"\x03\x01"
    body = answer + os.urandom(32) + b"\x00" + b"\x00\x2f" + b"\x00"  # no session id, AES128-SHA
    hs = b"\x02" + struct.pack(">I", len(body))[1:] + body + b"\x0e\x00\x00\x00"
    conn.sendall(b"\x16" + answer + struct.pack(">H", len(hs)) + hs)
    time.sleep(0.2)


def drip(conn, data, every):
    for i in range(len(data)):
        conn.sendall(data[i : i + 1])
        time.sleep(every)


def serve_mysql_drip(conn):
    every = float(os.environ.get("FAKE_DRIP_S", "0.9"))
    drip(conn, greeting("5.7.44-dbtls-drip", CAPS_NOSSL | CLIENT_SSL), every)
    hold(conn)


def read_client_hello_body(conn):
    """The first TLS record (a ClientHello), or None when the client sends something else."""
    conn.settimeout(10)
    head = recv_exact(conn, 5)
    if len(head) < 5 or head[0] != 0x16:
        return None
    body = recv_exact(conn, struct.unpack(">H", head[3:5])[0])
    if len(body) < 4 or body[0] != 1:
        return None
    return body[4:]


def parse_client_hello(ch):
    """(client_version, [suites], {extension types}) of a ClientHello body."""
    version = struct.unpack(">H", ch[0:2])[0]
    pos = 2 + 32
    pos += 1 + ch[pos]
    n = struct.unpack(">H", ch[pos : pos + 2])[0]
    suites = [struct.unpack(">H", ch[pos + 2 + i : pos + 4 + i])[0] for i in range(0, n, 2)]
    pos += 2 + n
    pos += 1 + ch[pos]
    exts = set()
    if pos + 2 <= len(ch):
        end = pos + 2 + struct.unpack(">H", ch[pos : pos + 2])[0]
        pos += 2
        while pos + 4 <= end:
            t, ln = struct.unpack(">HH", ch[pos : pos + 4])
            exts.add(t)
            pos += 4 + ln
    return version, suites, exts


def tls_record(payload, version=0x0303):
    return bytes([0x16]) + struct.pack(">HH", version, len(payload)) + payload


def handshake_msg(mt, body):
    return bytes([mt]) + struct.pack(">I", len(body))[1:] + body


def server_hello(version, suite):
    body = struct.pack(">H", version) + os.urandom(32) + b"\x00" + struct.pack(">H", suite) + b"\x00"
    return handshake_msg(2, body)


def pick_suite(suites, prefer=None):
    usable = [s for s in suites if s not in (0x00FF, 0x5600) and (s >> 8) != 0x13]
    if prefer in usable:
        return prefer
    return usable[0] if usable else None


# OpenSSL's full handshake offers encrypt_then_mac next to a supported_versions list; dbtls's raw
# hellos offer encrypt_then_mac only up to TLS 1.2, and supported_versions only in TLS 1.3 ones
ETM = 0x0016
SUPPORTED_VERSIONS = 0x002B
HELLO_REQUEST = tls_record(handshake_msg(0, b""))


def answer_probe(conn, ch):
    """A quick, complete "accept": ServerHello with the first suite offered, ServerHelloDone."""
    version, suites, _ = parse_client_hello(ch)
    version = min(version, 0x0303)
    suite = pick_suite(suites)
    if suite is None:
        return
    conn.sendall(tls_record(server_hello(version, suite) + handshake_msg(14, b""), version))


def serve_tls_hostile(conn, flood):
    ch = read_client_hello_body(conn)
    if ch is None:
        return
    version, suites, exts = parse_client_hello(ch)
    if ETM not in exts or SUPPORTED_VERSIONS not in exts:
        answer_probe(conn, ch)
        return
    suite = pick_suite(suites, 0xC02F)
    if suite is None:
        return
    data = tls_record(server_hello(0x0303, suite))
    conn.settimeout(HOLD_S)
    if flood:
        conn.sendall(data)
        batch = HELLO_REQUEST * 512
        while True:
            conn.sendall(batch)
    else:
        every = float(os.environ.get("FAKE_DRIP_S", "0.1"))
        while True:
            drip(conn, data, every)
            data = HELLO_REQUEST


def serve_tls_hello_flood(conn):
    serve_tls_hostile(conn, True)


def serve_tls_drip(conn):
    serve_tls_hostile(conn, False)


def serve_tls_slow_accept(conn):
    ch = read_client_hello_body(conn)
    if ch is None:
        return
    count_active(1)
    try:
        time.sleep(float(os.environ.get("FAKE_SLOW_S", "0.1")))
    finally:
        count_active(-1)
    if os.environ.get("FAKE_ACCEPT", "1") == "0":  # refuse instead: alert handshake_failure
        conn.sendall(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]))
        return
    answer_probe(conn, ch)


_accepted = [0]


_this = threading.local()


def accepted_count():
    """This connection's number in accept order (1 for the first): counted by the accept loop,
    not by the handler threads, which may start in any order when connections come together."""
    return _this.n


def serve_mysql_tls_as(conn, version, ssl):
    conn.sendall(greeting(version, CAPS_NOSSL | (CLIENT_SSL if ssl else 0)))
    conn.settimeout(10)
    if len(recv_exact(conn, 36)) < 36:
        return
    ch = read_client_hello_body(conn)
    print("hello" + ("" if ssl else " nossl"), flush=True)
    if ch is None:
        return
    version, suites, _ = parse_client_hello(ch)
    if version == 0x0303 and 0xC02F in suites:
        conn.sendall(tls_record(server_hello(0x0303, 0xC02F) + handshake_msg(14, b"")))
    else:
        conn.sendall(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]))
    time.sleep(0.05)


def serve_mysql_tls(conn):
    accepted_count()
    serve_mysql_tls_as(conn, "5.7.44-dbtls-fake", True)


def serve_mysql_version_change(conn):
    n = accepted_count()
    serve_mysql_tls_as(conn, "5.7.44-dbtls-fake" if n == 1 else "5.7.45-dbtls-fake", True)


def serve_mysql_ssl_then_nossl(conn):
    n = accepted_count()
    serve_mysql_tls_as(conn, "5.7.44-dbtls-fake", n == 1)


_busy_careful = [0]


def serve_mysql_busy_careful(conn):
    """ERR 1040 to the first $FAKE_BUSY_N connections after the first that wait for the greeting
    before they send anything (dbtls's certificate handshake and other careful connections: a
    pipelined probe sends its SSLRequest at once), then as mysql-tls."""
    n = accepted_count()
    if n > 1:
        r, _, _ = select.select([conn], [], [], 0.5)
        with _conn_lock:
            careful = not r and _busy_careful[0] < int(os.environ.get("FAKE_BUSY_N", "2"))
            if careful:
                _busy_careful[0] += 1
        if careful:
            print("busy careful", flush=True)
            conn.sendall(err_packet(0, 1040, "Too many connections", "08004"))
            return
    serve_mysql_tls_as(conn, "5.7.44-dbtls-fake", True)


def serve_mysql_busy_first(conn):
    n = accepted_count()
    if n <= int(os.environ.get("FAKE_BUSY_N", "2")):
        conn.sendall(err_packet(0, 1040, "Too many connections", "08004"))
        return
    serve_mysql_tls_as(conn, "5.7.44-dbtls-fake", True)


def serve_mysql_busy_after(conn):
    n = accepted_count()
    after = int(os.environ.get("FAKE_BUSY_AFTER", "1"))
    if after < n <= after + int(os.environ.get("FAKE_BUSY_N", "24")):
        print("busy", flush=True)
        conn.sendall(err_packet(0, 1040, "Too many connections", "08004"))
        return
    serve_mysql_tls_as(conn, "5.7.44-dbtls-fake", True)


def read_packet(conn):
    head = recv_exact(conn, 4)
    if len(head) < 4:
        return None, None
    n = head[0] | head[1] << 8 | head[2] << 16
    return head[3], recv_exact(conn, n)


def lenenc_str(b):
    return bytes([len(b)]) + b


def column_def(seq, name):
    """Protocol::ColumnDefinition41 for a VARCHAR column."""
    payload = (
        lenenc_str(b"def")
        + lenenc_str(b"")
        + lenenc_str(b"t")
        + lenenc_str(b"t")
        + lenenc_str(name)
        + lenenc_str(name)
        + b"\x0c"
        + struct.pack("<HIBHB", CHARSET_LATIN1, 255, 0xFD, 0, 0)
        + b"\x00\x00"
    )
    return packet(seq, payload)


def eof_packet(seq):
    return packet(seq, b"\xfe\x00\x00" + struct.pack("<H", SERVER_STATUS_AUTOCOMMIT))


def serve_mysql_sql_flood(conn):
    import ssl

    conn.sendall(greeting("10.11.99-MariaDB-dbtls-flood", CAPS_NOSSL | CLIENT_SSL))
    conn.settimeout(30)
    if len(recv_exact(conn, 36)) < 36:
        return
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.environ["FAKE_CERT"], os.environ["FAKE_KEY"])
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        return  # a raw probe: it reads the ServerHello and goes
    seq, _ = read_packet(tls)  # HandshakeResponse41, any password will do
    if seq is None:
        return
    tls.sendall(packet(seq + 1, b"\x00\x00\x00" + struct.pack("<HH", SERVER_STATUS_AUTOCOMMIT, 0)))
    print("login", flush=True)
    while True:
        seq, q = read_packet(tls)
        if seq is None or not q or q[0] == 0x01:  # gone, or COM_QUIT
            return
        print("query " + q[1:80].decode("latin-1"), flush=True)
        tls.sendall(packet(1, b"\x01") + column_def(2, b"v") + eof_packet(3))
        row = lenenc_str(b"y" * 200)
        n = 4
        while True:
            tls.sendall(b"".join(packet((n + k) & 0xFF, row) for k in range(64)))
            n += 64


def pg_msg(kind, body):
    return kind + struct.pack(">I", len(body) + 4) + body


def serve_pg_sql_flood(conn):
    import ssl

    conn.settimeout(30)
    if recv_exact(conn, 8) != struct.pack(">II", 8, 80877103):  # SSLRequest
        return
    conn.sendall(b"S")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.environ["FAKE_CERT"], os.environ["FAKE_KEY"])
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        return
    head = recv_exact(tls, 4)
    if len(head) < 4:
        return
    recv_exact(tls, struct.unpack(">I", head)[0] - 4)  # StartupMessage
    tls.sendall(
        pg_msg(b"R", struct.pack(">I", 0))
        + pg_msg(b"S", b"server_version\x0016.9\x00")
        + pg_msg(b"K", struct.pack(">II", 1, 2))
        + pg_msg(b"Z", b"I")
    )
    print("login", flush=True)
    while True:
        kind = recv_exact(tls, 1)
        if kind in (b"", b"X"):
            return
        body = recv_exact(tls, struct.unpack(">I", recv_exact(tls, 4))[0] - 4)
        print("query " + body[:80].decode("latin-1"), flush=True)
        field = b"v\x00" + struct.pack(">IhIhih", 0, 0, 25, -1, -1, 0)
        tls.sendall(pg_msg(b"T", struct.pack(">h", 1) + field))
        row = pg_msg(b"D", struct.pack(">hI", 1, 200) + b"y" * 200)
        while True:
            tls.sendall(row * 64)


MODES = {
    "pg-sql-flood": serve_pg_sql_flood,
    "mysql-sql-flood": serve_mysql_sql_flood,
    "mysql-tls": serve_mysql_tls,
    "mysql-version-change": serve_mysql_version_change,
    "mysql-ssl-then-nossl": serve_mysql_ssl_then_nossl,
    "mysql-busy-first": serve_mysql_busy_first,
    "mysql-busy-careful": serve_mysql_busy_careful,
    "mysql-busy-after": serve_mysql_busy_after,
    "silent": serve_silent,
    "garbage": serve_garbage,
    "close": serve_close,
    "count": serve_count,
    "mysql-err-1129": serve_err_1129,
    "mysql-err-1040": serve_err_1040,
    "mysql-nossl": serve_nossl,
    "yassl-bad-handshake": serve_yassl,
    "mysql-err-hostile": serve_err_hostile,
    "mysql-hostile-greeting": serve_hostile_greeting,
    "mysql-err-1043": serve_err_1043,
    "tls-rst": serve_tls_rst,
    "tls-close": serve_tls_close,
    "tls-wrong-version": serve_tls_wrong_version,
    "mysql-drip": serve_mysql_drip,
    "tls-hello-flood": serve_tls_hello_flood,
    "tls-drip": serve_tls_drip,
    "tls-slow-accept": serve_tls_slow_accept,
}


_active = [0, 0]  # connections open now, most ever open at once
_active_lock = threading.Lock()


def count_active(delta):
    """Track connections waiting for an answer (tls-slow-accept: from the ClientHello read until
    the answer goes out, when the client may open its next one); with $FAKE_PEAK_FILE set, keep
    the peak written there."""
    path = os.environ.get("FAKE_PEAK_FILE")
    with _active_lock:
        _active[0] += delta
        if _active[0] > _active[1]:
            _active[1] = _active[0]
            if path:
                with open(path + ".tmp", "w") as f:
                    f.write("%d\n" % _active[1])
                os.rename(path + ".tmp", path)


def handle(conn, fn, n):
    _this.n = n
    try:
        fn(conn)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        sys.stderr.write("usage: fake_server.py {%s} PORTFILE\n" % "|".join(MODES))
        return 2
    fn = MODES[sys.argv[1]]
    portfile = sys.argv[2]

    # Exit promptly (and without tracebacks) when the test harness stops us, and in any case after
    # LIFETIME_S, so a forgotten fake server cannot outlive its test run by much.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    timer = threading.Timer(LIFETIME_S, lambda: os._exit(0))
    timer.daemon = True
    timer.start()

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(512)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, portfile)

    stamps = os.environ.get("FAKE_STAMP_FILE")
    while True:
        conn, _ = srv.accept()
        if stamps:
            with open(stamps, "a") as f:
                f.write("%.6f\n" % time.time())
        _accepted[0] += 1
        threading.Thread(target=handle, args=(conn, fn, _accepted[0]), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
