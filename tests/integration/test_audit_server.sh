#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_audit_server.sh: `dbtls scan --sql --audit-server-files` (issue 13) on the database host
# (loopback MariaDB of lib.sh): the key, certificate and CA files the server names in ssl_key,
# ssl_cert and ssl_ca are audited and tied to the endpoint (files[].referenced_by names the
# endpoint, the variable and version_ssl_library). A server given a PKCS#8 copy of the test PKI's
# key gets the file.key-not-pkcs1 note (its library reads PKCS#8; a yaSSL/wolfSSL build would
# not); the one with the PKCS#1 key does not. Without --sql the option is a usage error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP/audit-server
PY=/usr/bin/python3
mkdir -p "$T/home"
export HOME=$T/home
unset DBTLS_MYSQL_PASSWORD MYSQL_PWD
pki_ensure
openssl pkcs8 -topk8 -nocrypt -in "$DBTLS_PKI/server.key" -out "$T/server-pkcs8.key"
openssl rsa -in "$DBTLS_PKI/server.key" -traditional -out "$T/server-pkcs1.key" 2>/dev/null
chmod 600 "$T/server-pkcs8.key" "$T/server-pkcs1.key"
grep -q 'BEGIN PRIVATE KEY' "$T/server-pkcs8.key" && grep -q 'BEGIN RSA PRIVATE KEY' "$T/server-pkcs1.key"

PW='Aud1t-srv-pw-4e2a'
for name in P8 P1; do
	if [ $name = P8 ]; then key=$T/server-pkcs8.key; else key=$T/server-pkcs1.key; fi
	start_with_cert $name server-chain.pem "$key"
	mariadb_sql $name "CREATE USER 'scan'@'%' IDENTIFIED BY '$PW' REQUIRE SSL;"
done
CA=$DBTLS_PKI/ca-bundle.pem

set +e
DBTLS_MYSQL_PASSWORD=$PW "$DBTLS" scan --ca-file "$CA" --sql --sql-user scan --audit-server-files \
	-q -o "$T/p8.json" -o "$T/p8.txt" "mysql://localhost:$P8_PORT" 2> "$T/p8.err"
DBTLS_MYSQL_PASSWORD=$PW "$DBTLS" scan --ca-file "$CA" --sql --sql-user scan --audit-server-files \
	-q -o "$T/p1.json" "mysql://localhost:$P1_PORT" 2> "$T/p1.err"
"$DBTLS" scan --audit-server-files "mysql://localhost:$P1_PORT" > /dev/null 2> "$T/nosql.err"
nosql=$?
set -e
[ $nosql = 2 ] && grep -q 'needs --sql' "$T/nosql.err" || { echo "FAIL: --audit-server-files without --sql: exit $nosql"; exit 1; }
if grep -qF -- "$PW" "$T"/p8.* "$T"/p1.*; then
	echo "FAIL: the SQL password appears in the output"
	exit 1
fi
P8_PORT=$P8_PORT P1_PORT=$P1_PORT T=$T PKI=$DBTLS_PKI "$PY" - <<'PYEOF'
import json, os
T, PKI = os.environ["T"], os.environ["PKI"]
fails = []
def load(n):
    return json.load(open(os.path.join(T, n + ".json")))
for n, key, want_note in (("p8", "server-pkcs8.key", True), ("p1", "server-pkcs1.key", False)):
    d = load(n)
    port = os.environ[n.upper() + "_PORT"]
    if d["endpoints"][0]["sql"]["status"] != "ok":
        fails.append("%s: sql status %s" % (n, d["endpoints"][0]["sql"]["status"]))
    files = {f["path"]: f for f in d.get("files", [])}
    k = files.get(os.path.join(T, key))
    if not k:
        fails.append("%s: key not audited (files %s)" % (n, sorted(files)))
        continue
    ref = k.get("referenced_by") or ""
    if not ref.startswith("mysql://localhost:%s ssl_key (version_ssl_library " % port):
        fails.append("%s: referenced_by %r" % (n, ref))
    if os.path.join(PKI, "server-chain.pem") not in files or os.path.join(PKI, "ca-bundle.pem") not in files:
        fails.append("%s: ssl_cert/ssl_ca not audited: %s" % (n, sorted(files)))
    notes = [x for x in k.get("findings", []) if x["check"] == "file.key-not-pkcs1"]
    if want_note and (len(notes) != 1 or notes[0]["severity"] != "info" or "yaSSL/wolfSSL" not in notes[0]["evidence"]):
        fails.append("%s: key-not-pkcs1 note %s" % (n, notes))
    if not want_note and notes:
        fails.append("%s: unexpected note %s" % (n, notes))
if fails:
    print("FAIL:\n  " + "\n  ".join(fails))
    raise SystemExit(1)
print("audit-server-files: key, certificate and CA tied to the endpoint; PKCS#8 note")
PYEOF
grep -q '^FILES$' "$T/p8.txt" || { echo "FAIL: no FILES section in the scan's text report"; exit 1; }
echo "PASS: scan --audit-server-files"
