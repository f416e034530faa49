#!/usr/bin/env bash
set -euo pipefail
# SPDX-License-Identifier: MIT
#
# test_infra.sh: self-test of the integration-test infrastructure (tests/pki/gen.sh, lib.sh,
# fake_server.py), so a failing scanner test can be told apart from broken plumbing. Checks the
# generated PKI with `openssl verify`, starts the compat/strict/notls/expired MariaDB configurations
# and compares `openssl_versions` with what each is configured for, checks every fake-server mode
# byte for byte with a small Python client, and exercises py_json, validate_report and the
# assertion helpers. Exit 0 pass, 1 fail, 77 skip (no mariadbd, unless DBTLS_REQUIRE_INTEGRATION=1).

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_mariadb

t_start=$EPOCHREALTIME
elapsed() { # since the start of the test, in seconds with 2 decimals
	local now=$EPOCHREALTIME
	awk -v a="$t_start" -v b="$now" 'BEGIN { printf "%.2f", b - a }'
}

# --- PKI ------------------------------------------------------------------------------------------
pki_ensure
P=$DBTLS_PKI
for f in root-ca.key root-ca.pem intermediate.key intermediate.pem server.key server.pem \
	server-pkcs1.key server-chain.pem ca-bundle.pem expired.key expired.pem expired-chain.pem \
	selfsigned.key selfsigned.pem other-ca.pem; do
	assert_eq "pki: $f exists" yes "$([ -s "$P/$f" ] && echo yes || echo no)"
done
assert_eq "pki: gen.sh prints nothing" "" "$("$DBTLS_SRCDIR/tests/pki/gen.sh" "$P" 2>&1)"
assert_eq "pki: server verifies via the intermediate" "$P/server.pem: OK" \
	"$(openssl verify -CAfile "$P/ca-bundle.pem" -untrusted "$P/intermediate.pem" "$P/server.pem" 2>&1)"
assert_eq "pki: server does not verify without the intermediate" 2 \
	"$(openssl verify -CAfile "$P/ca-bundle.pem" "$P/server.pem" >/dev/null 2>&1 || echo $?)"
out=$(openssl verify -CAfile "$P/ca-bundle.pem" -untrusted "$P/intermediate.pem" "$P/expired.pem" 2>&1 || true)
assert_match "pki: expired leaf" "certificate has expired" "$out"
out=$(openssl verify -CAfile "$P/other-ca.pem" -untrusted "$P/intermediate.pem" "$P/server.pem" 2>&1 || true)
assert_match "pki: server against other-ca" "unable to get local issuer certificate" "$out"
out=$(openssl verify -CAfile "$P/ca-bundle.pem" "$P/selfsigned.pem" 2>&1 || true)
assert_match "pki: self-signed against ca-bundle" "self-signed certificate" "$out"
out=$(openssl x509 -in "$P/server.pem" -noout -ext subjectAltName,extendedKeyUsage)
assert_match "pki: server SAN" "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" "$out"
assert_match "pki: server EKU" "TLS Web Server Authentication" "$out"
assert_match "pki: intermediate pathlen" "CA:TRUE, pathlen:0" \
	"$(openssl x509 -in "$P/intermediate.pem" -noout -ext basicConstraints)"
assert_eq "pki: expired notAfter" "notAfter=Jan  1 00:00:00 2021 GMT" \
	"$(openssl x509 -in "$P/expired.pem" -noout -enddate)"
assert_eq "pki: PKCS#1 key" "-----BEGIN RSA PRIVATE KEY-----" "$(head -n 1 "$P/server-pkcs1.key")"
assert_eq "pki: PKCS#8 key" "-----BEGIN PRIVATE KEY-----" "$(head -n 1 "$P/server.key")"
assert_eq "pki: PKCS#1 key is the server key" "$(openssl pkey -in "$P/server.key" -pubout)" \
	"$(openssl pkey -in "$P/server-pkcs1.key" -pubout)"
assert_eq "pki: server-chain holds 2 certificates" 2 "$(grep -c 'BEGIN CERTIFICATE' "$P/server-chain.pem")"
assert_eq "pki: ca-bundle holds the root only" "$(cat "$P/root-ca.pem")" "$(cat "$P/ca-bundle.pem")"
# Idempotent: a second run leaves the files alone; a fresh directory is made again from scratch.
# (Its time is printed, not asserted: tests must not depend on timing on a loaded machine.)
before=$(stat -c %Y.%i "$P/server.pem")
"$DBTLS_SRCDIR/tests/pki/gen.sh" "$P"
assert_eq "pki: second run leaves server.pem alone" "$before" "$(stat -c %Y.%i "$P/server.pem")"
t0=$EPOCHREALTIME
"$DBTLS_SRCDIR/tests/pki/gen.sh" "$DBTLS_TEST_TMP/pki2"
t1=$EPOCHREALTIME
assert_ok "pki: a fresh directory gets a server certificate" test -s "$DBTLS_TEST_TMP/pki2/server.pem"
echo "pki: fresh generation took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
echo "pki ready at $(elapsed) s"

# --- MariaDB configurations -----------------------------------------------------------------------
start_compat compat
echo "first server (install-db + start) at $(elapsed) s"
t0=$EPOCHREALTIME
start_strict strict
t1=$EPOCHREALTIME
start_notls notls
start_with_cert expired expired-chain.pem expired.key
echo "one start: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; 4 servers up at $(elapsed) s"

for v in PORT SOCK PID DATADIR; do
	var=COMPAT_$v
	assert_eq "mariadb_start exports $var" yes "$([ -n "${!var:-}" ] && echo yes || echo no)"
done
assert_eq "compat: tls_version" "TLSv1.0,TLSv1.1,TLSv1.2,TLSv1.3" \
	"$(mariadb_sql compat "select @@tls_version")"
assert_eq "compat: root login over TCP" "root@localhost" \
	"$(mariadb --no-defaults -h 127.0.0.1 -P "$COMPAT_PORT" -u root -N -B -e 'select current_user()')"

assert_eq "compat: versions" "TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3" \
	"$(openssl_versions 127.0.0.1 "$COMPAT_PORT" mysql | paste -sd ' ')"
assert_eq "strict: versions" "TLSv1.2 TLSv1.3" \
	"$(openssl_versions 127.0.0.1 "$STRICT_PORT" mysql | paste -sd ' ')"
assert_eq "notls: versions" "" "$(openssl_versions 127.0.0.1 "$NOTLS_PORT" mysql | paste -sd ' ')"
assert_eq "expired: versions (MariaDB defaults)" "TLSv1.2 TLSv1.3" \
	"$(openssl_versions 127.0.0.1 "$EXPIRED_PORT" | paste -sd ' ')"
out=$(timeout 10 openssl s_client -brief -starttls mysql -connect "127.0.0.1:$NOTLS_PORT" </dev/null 2>&1 || true)
assert_match "notls: s_client gets no TLS" "MySQL server does not support SSL" "$out"

# The served chain verifies against the root alone (the server sends the intermediate).
out=$(timeout 10 openssl s_client -brief -starttls mysql -connect "127.0.0.1:$COMPAT_PORT" \
	-CAfile "$P/ca-bundle.pem" -verify_return_error -verify_hostname localhost </dev/null 2>&1 || true)
assert_match "compat: chain verifies against ca-bundle" "Verification: OK" "$out"
out=$(timeout 10 openssl s_client -brief -starttls mysql -connect "127.0.0.1:$EXPIRED_PORT" \
	-CAfile "$P/ca-bundle.pem" </dev/null 2>&1 || true)
assert_match "expired: s_client sees the expired leaf" "certificate has expired" "$out"
out=$(timeout 10 openssl s_client -brief -starttls mysql -connect "127.0.0.1:$STRICT_PORT" -tls1_2 \
	-cipher 'AES256-SHA:@SECLEVEL=0' </dev/null 2>&1 || true)
assert_eq "strict: refuses a non-ECDHE suite" "" "$(sed -n 's/^Protocol version: //p' <<<"$out")"

mariadb_stop expired
assert_eq "mariadb_stop: process gone" gone "$(kill -0 "$EXPIRED_PID" 2>/dev/null && echo alive || echo gone)"
echo "servers checked at $(elapsed) s"

# --- fake servers ---------------------------------------------------------------------------------
modes=(silent garbage close mysql-err-1129 mysql-err-1040 mysql-nossl yassl-bad-handshake)
args=()
for m in "${modes[@]}"; do
	fake_start "fake-$m" "$m"
	var=$(_dbtls_varname "fake-$m")_PORT
	args+=("$m=${!var}")
done

# One client process checks every mode: it prints "MODE ok" or "MODE <what was wrong>".
results=$("$DBTLS_PYTHON" - "${args[@]}" <<'EOF'
import socket, struct, sys
from concurrent.futures import ThreadPoolExecutor

def conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    return s

def read_all(s, limit=1 << 16):
    buf = b""
    while len(buf) < limit:
        try:
            chunk = s.recv(limit - len(buf))
        except ConnectionResetError:
            break
        if not chunk:
            break
        buf += chunk
    return buf

def read_packet(s):
    hdr = b""
    while len(hdr) < 4:
        c = s.recv(4 - len(hdr))
        if not c:
            raise ValueError("EOF in packet header")
        hdr += c
    n = hdr[0] | hdr[1] << 8 | hdr[2] << 16
    body = b""
    while len(body) < n:
        c = s.recv(n - len(body))
        if not c:
            raise ValueError("EOF in packet body")
        body += c
    return hdr[3], body

def err(seq, code, msg, state=None):
    p = b"\xff" + struct.pack("<H", code) + (b"#" + state if state else b"") + msg
    return struct.pack("<I", len(p))[:3] + bytes([seq]) + p

def parse_greeting(p):
    """HandshakeV10 → dict; raises on any deviation from the layout."""
    g = {}
    assert p[0] == 10, "protocol version %d" % p[0]
    end = p.index(b"\x00", 1)
    g["version"] = p[1:end].decode()
    i = end + 1
    g["conn_id"] = struct.unpack_from("<I", p, i)[0]; i += 4
    auth1 = p[i:i + 8]; i += 8
    assert p[i] == 0, "filler"; i += 1
    lo = struct.unpack_from("<H", p, i)[0]; i += 2
    g["charset"] = p[i]; i += 1
    g["status"] = struct.unpack_from("<H", p, i)[0]; i += 2
    hi = struct.unpack_from("<H", p, i)[0]; i += 2
    g["caps"] = caps = lo | hi << 16
    alen = p[i]; i += 1
    assert caps & 0x00080000, "CLIENT_PLUGIN_AUTH"
    assert alen == 21, "auth_plugin_data_len %d" % alen
    assert p[i:i + 10] == b"\x00" * 10, "reserved"; i += 10
    n2 = max(13, alen - 8)
    auth2 = p[i:i + n2]; i += n2
    assert auth2[-1] == 0, "auth-plugin-data part 2 not NUL-terminated"
    assert b"\x00" not in auth1 + auth2[:-1], "NUL in scramble"
    end = p.index(b"\x00", i)
    g["plugin"] = p[i:end].decode()
    assert end + 1 == len(p), "%d trailing bytes" % (len(p) - end - 1)
    return g

def check(mode, port):
    s = conn(port)
    try:
        if mode == "silent":
            s.settimeout(0.5)
            try:
                d = s.recv(1)
                return "sent %r" % d if d else "closed"
            except socket.timeout:
                return "ok"
        if mode == "garbage":
            d = read_all(s)
            return "ok" if len(d) == 64 else "got %d bytes" % len(d)
        if mode == "close":
            d = read_all(s)
            return "ok" if d == b"" else "got %r" % d
        if mode == "mysql-err-1129":
            want = err(0, 1129, b"Host '127.0.0.1' is blocked because of many connection errors; "
                       b"unblock with 'mariadb-admin flush-hosts'")
            d = read_all(s)
            return "ok" if d == want and len(d) == 110 else "got %r" % d
        if mode == "mysql-err-1040":
            d = read_all(s)
            want = bytes.fromhex("1d000000ff1004") + b"#08004Too many connections"
            return "ok" if d == want == err(0, 1040, b"Too many connections", b"08004") else "got %r" % d
        if mode == "mysql-nossl":
            seq, p = read_packet(s)
            g = parse_greeting(p)
            if seq != 0 or g["caps"] & 0x0800 or not g["caps"] & 0x0200:
                return "seq %d caps %#x" % (seq, g["caps"])
            if g["plugin"] != "mysql_native_password" or g["status"] != 2 or g["charset"] != 8:
                return "greeting %r" % g
            s.settimeout(0.3)
            try:
                d = s.recv(1)
                return "then sent %r" % d if d else "then closed"
            except socket.timeout:
                return "ok"
        if mode == "yassl-bad-handshake":
            seq, p = read_packet(s)
            g = parse_greeting(p)
            if seq != 0 or not g["caps"] & 0x0800 or g["version"] != "5.6.51-yaSSL":
                return "greeting seq %d %r" % (seq, g)
            # SSLRequest: CLIENT_PROTOCOL_41|CLIENT_SSL|CLIENT_SECURE_CONNECTION|CLIENT_PLUGIN_AUTH,
            # max packet 16 MiB, charset 33, 23 zero bytes; sequence 1.
            req = struct.pack("<IIB", 0x00088A00, 1 << 24, 33) + b"\x00" * 23
            s.sendall(struct.pack("<I", len(req))[:3] + b"\x01" + req)
            s.sendall(bytes.fromhex("160301002f010000") + b"\x00" * 45)  # the start of a ClientHello
            d = read_all(s)
            want = err(2, 1043, b"Bad handshake", b"08S01")
            return "ok" if d == want else "got %r" % d
        return "unknown mode"
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)
    finally:
        s.close()

def twice(arg):
    # Two connections at once: each server must serve more than one, concurrently.
    mode, port = arg.split("=")
    with ThreadPoolExecutor(2) as pool:
        r = list(pool.map(lambda _: check(mode, int(port)), range(2)))
    return mode, r[0] if r[0] != "ok" else r[1]

with ThreadPoolExecutor(len(sys.argv) - 1) as pool:
    for mode, verdict in pool.map(twice, sys.argv[1:]):
        print(mode, verdict)
EOF
)
for m in "${modes[@]}"; do
	assert_eq "fake $m" "$m ok" "$(grep "^$m " <<<"$results" || echo "$m no result")"
done
# A real TLS client against the fakes that answer quickly.
assert_eq "fake mysql-nossl: openssl_versions" "" \
	"$(openssl_versions 127.0.0.1 "$FAKE_MYSQL_NOSSL_PORT" mysql | paste -sd ' ')"
assert_eq "fake yassl-bad-handshake: openssl_versions" "" \
	"$(openssl_versions 127.0.0.1 "$FAKE_YASSL_BAD_HANDSHAKE_PORT" mysql | paste -sd ' ')"
fake_stop fake-silent
assert_eq "fake_stop: process gone" gone \
	"$(kill -0 "$FAKE_SILENT_PID" 2>/dev/null && echo alive || echo gone)"
echo "fake servers checked at $(elapsed) s"

# --- JSON helpers and assertions ------------------------------------------------------------------
cat >"$DBTLS_TEST_TMP/r.json" <<'EOF'
{"endpoints": [{"tls": {"versions": {"TLSv1.2": {"status": "accepted"}}}, "port": 3306,
  "ok": true, "none": null}]}
EOF
r="$DBTLS_TEST_TMP/r.json"
assert_eq "py_json string" accepted "$(py_json "$r" 'd["endpoints"][0]["tls"]["versions"]["TLSv1.2"]["status"]')"
assert_eq "py_json number" 3306 "$(py_json "$r" 'd["endpoints"][0]["port"]')"
assert_eq "py_json bool" true "$(py_json "$r" 'd["endpoints"][0]["ok"]')"
assert_eq "py_json null" null "$(py_json "$r" 'd["endpoints"][0]["none"]')"
assert_eq "py_json len" 1 "$(py_json "$r" 'len(d["endpoints"])')"
assert_fails "py_json missing key" py_json "$r" 'd["nope"]' 2>/dev/null

cat >"$DBTLS_TEST_TMP/s.json" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
 "required": ["endpoints"],
 "properties": {"endpoints": {"type": "array", "items": {"type": "object", "required": ["port"],
   "properties": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}}}}}}
EOF
s="$DBTLS_TEST_TMP/s.json"
assert_ok "validate_report: valid report" validate_report "$r" "$s"
echo '{"endpoints": [{"port": 0}]}' >"$DBTLS_TEST_TMP/bad.json"
out=$(validate_report "$DBTLS_TEST_TMP/bad.json" "$s" || echo "rc=$?")
assert_match "validate_report: invalid report" "endpoints/0/port: 0 is less than the minimum of 1.*rc=1" \
	"$(tr '\n' ' ' <<<"$out")"
if [ -f "$DBTLS_SRCDIR/data/report.schema.json" ]; then
	assert_ok "data/report.schema.json is a valid schema" "$DBTLS_PYTHON" -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.validators.validator_for(s).check_schema(s)' "$DBTLS_SRCDIR/data/report.schema.json"
fi

out=$(DBTLS_TEST_TMP="$DBTLS_TEST_TMP/nested" bash -c '. "$1"; assert_eq what a b; assert_eq same c c
finish' _ "$DBTLS_LIBDIR/lib.sh" || echo "rc=$?")
assert_eq "assert_eq/finish report a failure" "FAIL: what: expected 'a' got 'b'|1 passed, 1 failed|rc=1" \
	"$(paste -sd '|' <<<"$out")"
out=$(DBTLS_TEST_TMP="$DBTLS_TEST_TMP/nested" bash -c '. "$1"; assert_eq same c c; finish' _ \
	"$DBTLS_LIBDIR/lib.sh" || echo "rc=$?")
assert_eq "finish passes" "1 passed, 0 failed" "$out"

echo "done in $(elapsed) s"
finish
