#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# capture.py: records the ClientHello that real database clients send, for the client profiles of
# data/clients/ (dbtls clients import) and the replay tests of tests/integration/test_clients.sh.
#
# A loopback listener (port 0, read back) answers as a MySQL server -- a MariaDB 10.11 greeting
# ("5.5.5-10.11.19-MariaDB") or a MySQL 8.0 one ("8.0.36"), CLIENT_SSL set, since some drivers
# choose their TLS offer from the server version -- or as PostgreSQL (SSLRequest -> 'S'; a
# GSSENCRequest -> 'N'), reads the client's request for TLS, records the first TLS handshake
# message (all the records it spans, as sent) and closes. Nothing else is ever sent to a client.
#
#   capture.py listen mysql|mysql8|pg OUT.bin     one capture; prints "port N" first
#   capture.py record OUTDIR [CLIENT...]          runs each real client that is installed here
#                                                 against the listener (default: all) and writes
#                                                 OUTDIR/CLIENT.bin and OUTDIR/CLIENT.json (what
#                                                 was run, its version, the date)
#   capture.py replay HOST PORT mysql|pg FILE.bin  sends the recorded hello to a real server
#                                                 after the SSLRequest and prints what it answers:
#                                                 "TLSv1.3 TLS_AES_256_GCM_SHA384 group 0x001D",
#                                                 "... hrr 0x0017" (a HelloRetryRequest asking for
#                                                 that group), "alert 40", "closed" (suite names from
#                                                 data/cipher-suites.csv)
#   capture.py pgproxy PGPORT                     a loopback front that does the SSLRequest to a
#                                                 PostgreSQL and then relays bytes, so that
#                                                 `dbtls scan tls://` sees its TLS; prints
#                                                 "port N", serves until killed
# Traffic goes only to 127.0.0.1.
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NPM_CACHE = os.environ.get("DBTLS_NPM_CACHE", "/var/cache/dbtls-test/npm")

CLIENT_LONG_PASSWORD = 1
CLIENT_PROTOCOL_41 = 0x200
CLIENT_SSL = 0x800
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_CONNECT_ATTRS = 0x100000
CLIENT_PLUGIN_AUTH_LENENC = 0x200000
CLIENT_DEPRECATE_EOF = 0x1000000

GREETINGS = {"mysql": "5.5.5-10.11.19-MariaDB", "mysql8": "8.0.36"}


def recv_exact(s, n, deadline):
    out = b""
    while len(out) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        r, _, _ = select.select([s], [], [], left)
        if not r:
            raise TimeoutError("timed out")
        chunk = s.recv(n - len(out))
        if not chunk:
            raise EOFError("client closed after %d of %d bytes" % (len(out), n))
        out += chunk
    return out


def mysql_greeting(version):
    caps = (CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH
            | CLIENT_CONNECT_ATTRS | CLIENT_PLUGIN_AUTH_LENENC | CLIENT_DEPRECATE_EOF)
    salt = b"abcdefgh" + b"ijklmnopqrst"
    p = bytes([10]) + version.encode() + b"\0"
    p += struct.pack("<I", 42) + salt[:8] + b"\0"
    p += struct.pack("<H", caps & 0xFFFF) + bytes([45]) + struct.pack("<H", 2)
    p += struct.pack("<H", caps >> 16) + bytes([21]) + b"\0" * 10
    p += salt[8:] + b"\0" + b"mysql_native_password\0"
    return struct.pack("<I", len(p))[:3] + b"\0" + p


def read_tls_message(s, deadline):
    """The first handshake message, as the records that carry it (headers included)."""
    raw = b""
    body = b""
    while True:
        hdr = recv_exact(s, 5, deadline)
        if hdr[0] != 22:
            raise ValueError("not a TLS handshake record: %s" % hdr.hex())
        n = struct.unpack(">H", hdr[3:5])[0]
        frag = recv_exact(s, n, deadline)
        raw += hdr + frag
        body += frag
        if len(body) >= 4 and len(body) >= 4 + int.from_bytes(body[1:4], "big"):
            return raw


def serve_one(ls, mode, out_path, result):
    """Accepts one client on ls, plays mode, records its hello into out_path."""
    deadline = time.monotonic() + 30
    try:
        ls.settimeout(30)
        c, _ = ls.accept()
        with c:
            if mode in GREETINGS:
                c.sendall(mysql_greeting(GREETINGS[mode]))
                hdr = recv_exact(c, 4, deadline)
                n = int.from_bytes(hdr[:3], "little")
                req = recv_exact(c, n, deadline)
                caps = struct.unpack("<I", req[:4])[0] if len(req) >= 4 else 0
                if not caps & CLIENT_SSL:
                    raise ValueError("the client did not ask for TLS (caps %#x)" % caps)
            else:
                while True:
                    req = recv_exact(c, 8, deadline)
                    code = struct.unpack(">I", req[4:8])[0]
                    if code == 80877104:  # GSSENCRequest
                        c.sendall(b"N")
                        continue
                    if code != 80877103:
                        raise ValueError("not an SSLRequest: %s" % req.hex())
                    c.sendall(b"S")
                    break
            hello = read_tls_message(c, deadline)
            with open(out_path, "wb") as f:
                f.write(hello)
            result["ok"] = True
    except Exception as e:  # noqa: BLE001 -- reported to the caller
        result["error"] = str(e)


def listener():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    return ls


# --- the real clients ------------------------------------------------------------------------

JAVA_SRC = r"""
import java.sql.*;
public class Cap {
    public static void main(String[] a) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "capture");
        p.setProperty("password", "capture");
        p.setProperty("connectTimeout", "5000");
        try { DriverManager.getConnection(a[0], p).close(); }
        catch (Exception e) { System.out.println("expected: " + e); }
    }
}
"""

GO_SRC = r"""
package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	db, err := sql.Open("mysql", "capture:capture@tcp(127.0.0.1:"+os.Args[1]+")/?tls=skip-verify&timeout=5s")
	if err == nil {
		err = db.Ping()
	}
	fmt.Println("expected:", err)
}
"""

NODE_MYSQL2 = r"""
const mysql = require('mysql2');
const c = mysql.createConnection({host: '127.0.0.1', port: +process.argv[process.argv.length - 1], user: 'capture',
  password: 'capture', ssl: {rejectUnauthorized: false}, connectTimeout: 5000});
c.connect(e => { console.log('expected:', e && e.code); c.destroy(); });
"""

NODE_PG = r"""
const { Client } = require('pg');
const c = new Client({host: '127.0.0.1', port: +process.argv[process.argv.length - 1], user: 'capture',
  password: 'capture', database: 'capture', ssl: {rejectUnauthorized: false},
  connectionTimeoutMillis: 5000});
c.connect().then(() => c.end(), e => console.log('expected:', e.message));
"""


def run(cmd, env=None, cwd=None):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    return p.stdout.decode(errors="replace")


def version_of(cmd):
    try:
        return run(cmd).strip().splitlines()[0]
    except Exception:  # noqa: BLE001
        return "unknown"


def deb_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode().strip() or "unknown"
    except Exception:  # noqa: BLE001
        return "unknown"


def npm_version(mod):
    try:
        with open(os.path.join(NPM_CACHE, "node_modules", mod, "package.json")) as f:
            return json.load(f)["version"]
    except Exception:  # noqa: BLE001
        return None


class Work:
    """A scratch dir with the compiled helpers (Java, Go), built once on first use."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dbtls-capture-")
        self.java = None
        self.go = None

    def java_class(self):
        if self.java is None:
            with open(os.path.join(self.dir, "Cap.java"), "w") as f:
                f.write(JAVA_SRC)
            run(["javac", "-d", self.dir, os.path.join(self.dir, "Cap.java")])
            self.java = os.path.exists(os.path.join(self.dir, "Cap.class"))
        return self.java

    def go_binary(self):
        if self.go is None:
            gd = os.path.join(self.dir, "go")
            os.makedirs(gd, exist_ok=True)
            with open(os.path.join(gd, "main.go"), "w") as f:
                f.write(GO_SRC)
            env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off", GOFLAGS="",
                       GOPROXY="off", GOCACHE=os.path.join(self.dir, "gocache"))
            out = run(["go", "build", "-o", os.path.join(gd, "cap"), "."], env=env, cwd=gd)
            self.go = os.path.exists(os.path.join(gd, "cap"))
            if not self.go:
                sys.stderr.write("go build failed offline: %s\n" % out)
        return self.go


def jar(*names):
    for n in names:
        p = os.path.join("/usr/share/java", n)
        if os.path.exists(p):
            return p
    return None


# name -> (mode, how to run it against PORT, version, what the default verification is)
def clients(w):
    pym = "import pymysql,sys\ntry: pymysql.connect(host='127.0.0.1',port=int(sys.argv[1]),user='capture',password='capture',ssl={'check_hostname':False,'verify_mode':0},connect_timeout=5)\nexcept Exception as e: print('expected:',e)\n"
    cj = jar("mariadb-java-client.jar")
    pj = jar("postgresql.jar")
    out = {}

    def mariadb(port):
        return ["mariadb", "-h", "127.0.0.1", "-P", str(port), "-u", "capture",
                "--password=capture", "--ssl", "--connect-timeout=5", "-e", "select 1"]
    for suffix, mode in (("", "mysql"), ("-mysql8", "mysql8")):
        if shutil.which("mariadb"):
            out["mariadb-cli" + suffix] = (mode, mariadb, version_of(["mariadb", "--version"]))
        if os.system("/usr/bin/python3 -c 'import pymysql' 2>/dev/null") == 0:
            out["pymysql" + suffix] = (mode, lambda port: ["/usr/bin/python3", "-c", pym, str(port)],
                                       "PyMySQL " + deb_version("python3-pymysql") + ", "
                                       + version_of(["/usr/bin/python3", "-c", "import ssl;print(ssl.OPENSSL_VERSION)"]))
        if cj and shutil.which("javac"):
            out["mariadb-connector-j" + suffix] = (
                mode, lambda port: ["java", "-cp", w.dir + ":" + cj, "Cap",
                                    "jdbc:mariadb://127.0.0.1:%d/capture?useSsl=true&trustServerCertificate=true" % port],
                "MariaDB Connector/J " + deb_version("libmariadb-java") + ", "
                + version_of(["java", "-version"]))
        if os.path.isdir("/usr/share/gocode/src/github.com/go-sql-driver/mysql") and shutil.which("go"):
            out["go-sql-driver-mysql" + suffix] = (
                mode, lambda port: [os.path.join(w.dir, "go", "cap"), str(port)],
                "go-sql-driver/mysql " + deb_version("golang-github-go-sql-driver-mysql-dev") + ", "
                + version_of(["go", "version"]))
        if npm_version("mysql2"):
            out["node-mysql2" + suffix] = (
                mode, lambda port: ["node", "-e", NODE_MYSQL2, "--", str(port)],
                "mysql2 " + npm_version("mysql2") + ", node " + version_of(["node", "--version"]))
    if shutil.which("psql"):
        out["psql"] = ("pg", lambda port: ["psql", "host=127.0.0.1 port=%d user=capture dbname=capture "
                                           "sslmode=require connect_timeout=5" % port, "-c", "select 1"],
                       version_of(["psql", "--version"]))
    if pj and shutil.which("javac"):
        out["pgjdbc"] = ("pg", lambda port: ["java", "-cp", w.dir + ":" + pj, "Cap",
                                             "jdbc:postgresql://127.0.0.1:%d/capture?sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory&gssEncMode=disable" % port],
                         "pgjdbc " + deb_version("libpostgresql-jdbc-java") + ", " + version_of(["java", "-version"]))
    if npm_version("pg"):
        out["node-pg"] = ("pg", lambda port: ["node", "-e", NODE_PG, "--", str(port)],
                          "pg " + npm_version("pg") + ", node " + version_of(["node", "--version"]))
    return out


def npm_ensure():
    """node's mysql2 and pg come from the npm registry, into a cache dir outside the tree."""
    if not shutil.which("npm") or (npm_version("mysql2") and npm_version("pg")):
        return
    os.makedirs(NPM_CACHE, exist_ok=True)
    try:
        run(["npm", "install", "--no-audit", "--no-fund", "mysql2", "pg"], cwd=NPM_CACHE)
    except Exception as e:  # noqa: BLE001 -- the node clients are then skipped
        sys.stderr.write("npm install failed: %s\n" % e)


def record(outdir, names):
    os.makedirs(outdir, exist_ok=True)
    if not names or any(n.startswith("node-") for n in names):
        npm_ensure()
    w = Work()
    env = dict(os.environ, NODE_PATH=os.path.join(NPM_CACHE, "node_modules"), PGPASSWORD="capture",
               PGGSSENCMODE="disable", HOME=w.dir)
    table = clients(w)
    names = names or sorted(table)
    failed = 0
    for name in names:
        if name not in table:
            print("%s: not installed here, skipped" % name)
            continue
        mode, argv, version = table[name]
        if name.startswith("mariadb-connector-j") or name == "pgjdbc":
            if not w.java_class():
                print("%s: javac failed, skipped" % name)
                continue
        if name.startswith("go-sql-driver"):
            if not w.go_binary():
                print("%s: cannot build offline, skipped" % name)
                continue
        ls = listener()
        port = ls.getsockname()[1]
        res = {}
        t = threading.Thread(target=serve_one, args=(ls, mode, os.path.join(outdir, name + ".bin"), res))
        t.start()
        try:
            out = run(argv(port), env=env)
        except subprocess.TimeoutExpired:
            out = "timed out"
        t.join(35)
        ls.close()
        if not res.get("ok"):
            print("%s: FAILED: %s (client said: %s)" % (name, res.get("error"), out.strip()[:300]))
            failed += 1
            continue
        meta = {"client": name, "version": version, "server_greeting": GREETINGS.get(mode, "postgres"),
                "protocol": "postgres" if mode == "pg" else "mysql",
                "recorded": time.strftime("%Y-%m-%d", time.gmtime())}
        with open(os.path.join(outdir, name + ".json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        print("%s: %d bytes (%s)" % (name, os.path.getsize(os.path.join(outdir, name + ".bin")), version))
    shutil.rmtree(w.dir, ignore_errors=True)
    return 1 if failed else 0


def replay(host, port, mode, path):
    if host not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("replay: loopback only")
    hello = open(path, "rb").read()
    deadline = time.monotonic() + 10
    s = socket.create_connection((host, port), timeout=10)
    with s:
        if mode == "pg":
            s.sendall(struct.pack(">II", 8, 80877103))
            a = recv_exact(s, 1, deadline)
            if a != b"S":
                sys.exit("replay: server answered %r to the SSLRequest" % a)
        else:
            hdr = recv_exact(s, 4, deadline)
            recv_exact(s, int.from_bytes(hdr[:3], "little"), deadline)
            caps = (CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_TRANSACTIONS
                    | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH)
            body = struct.pack("<IIB", caps, 1 << 24, 45) + b"\0" * 23
            s.sendall(struct.pack("<I", len(body))[:3] + b"\x01" + body)
        s.sendall(hello)
        ans = b""
        end = time.monotonic() + 5
        while time.monotonic() < end and len(ans) < 65536:
            r, _, _ = select.select([s], [], [], end - time.monotonic())
            if not r:
                break
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            ans += chunk
            # enough once the first record (the ServerHello, or an alert) is whole
            if len(ans) >= 5 and len(ans) >= 5 + struct.unpack(">H", ans[3:5])[0]:
                break
        print(describe_answer(ans))


HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
VERSIONS = {0x0300: "SSLv3", 0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2",
            0x0304: "TLSv1.3"}


def suite_names():
    names = {}
    with open(os.path.join(HERE, "..", "..", "data", "cipher-suites.csv")) as f:
        for line in f:
            if line.startswith("0x"):
                code, name = line.split(",")[:2]
                names[int(code, 16)] = name
    return names


def describe_answer(ans):
    """What the server's first record says: version and suite of its ServerHello, or not."""
    if len(ans) < 6:
        return "closed"
    if ans[0] == 21:
        return "alert %d" % ans[6] if len(ans) >= 7 else "alert"
    if ans[0] != 22 or ans[5] != 2:
        return "garbage " + ans[:16].hex()
    m = ans[9:]
    version = struct.unpack(">H", m[0:2])[0]
    random = m[2:34]
    sid = m[34]
    p = 35 + sid
    cipher = struct.unpack(">H", m[p:p + 2])[0]
    p += 3
    group = None
    if p + 2 <= len(m):
        end = p + 2 + struct.unpack(">H", m[p:p + 2])[0]
        p += 2
        while p + 4 <= end:
            et, el = struct.unpack(">HH", m[p:p + 4])
            body = m[p + 4:p + 4 + el]
            if et == 0x002b and el == 2:
                version = struct.unpack(">H", body)[0]
            if et == 0x0033 and el >= 2:
                group = struct.unpack(">H", body[:2])[0]
            p += 4 + el
    out = "%s %s" % (VERSIONS.get(version, hex(version)), suite_names().get(cipher, "0x%04X" % cipher))
    if random == HRR_RANDOM:  # the suite and version are chosen; the key share is asked again
        out += " hrr 0x%04X" % (group or 0)
    elif group is not None:
        out += " group 0x%04X" % group
    return out


def pgproxy(pgport):
    ls = listener()
    ls.listen(16)
    print("port %d" % ls.getsockname()[1], flush=True)

    def pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle(c):
        try:
            u = socket.create_connection(("127.0.0.1", pgport), timeout=10)
            u.sendall(struct.pack(">II", 8, 80877103))
            if recv_exact(u, 1, time.monotonic() + 10) != b"S":
                c.close()
                u.close()
                return
            u.settimeout(None)
            threading.Thread(target=pipe, args=(c, u), daemon=True).start()
            pipe(u, c)
        except Exception:  # noqa: BLE001 -- a failed relay is a closed connection
            c.close()

    while True:
        c, _ = ls.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "listen":
        ls = listener()
        print("port %d" % ls.getsockname()[1], flush=True)
        res = {}
        serve_one(ls, sys.argv[2], sys.argv[3], res)
        if not res.get("ok"):
            sys.exit("capture: " + res.get("error", "failed"))
    elif len(sys.argv) >= 3 and sys.argv[1] == "record":
        sys.exit(record(sys.argv[2], sys.argv[3:]))
    elif len(sys.argv) == 3 and sys.argv[1] == "pgproxy":
        pgproxy(int(sys.argv[2]))
    elif len(sys.argv) == 6 and sys.argv[1] == "replay":
        replay(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__ if False else "usage: capture.py listen|record|replay ... (see the file head)")


if __name__ == "__main__":
    main()
