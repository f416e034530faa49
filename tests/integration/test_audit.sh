#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_audit.sh: `dbtls audit PATH...` (issue 13) end to end. Each file check has a passing and a
# failing fixture made here by the real tools (openssl, keytool): keys readable by others or not,
# PKCS#8 vs PKCS#1 server keys, weak keys, JKS under changeit vs a strong password (given by
# DBTLS_STORE_PASSWORD), a JKS trust store under apsaradb, an RDS-style trust store before and after
# the new CA is imported (--new-ca-file), an Openfire keystore with its default DSA and RSA entries,
# OX's dbconnector.yaml with useSSL/requireSSL/verifyServerCertificate, my.cnf with
# ssl-mode=PREFERRED vs VERIFY_IDENTITY, pg_hba host vs hostssl. Every report format is written
# and checked (JSON against the schema, Prometheus with promtool when installed, JSON Lines line by
# line, HTML), no password appears in any output, a corrupt file gives one line naming it while the
# others complete (exit 3), waivers name a file by path, and `check --facts` judges the files again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
PY=/usr/bin/python3
if ! command -v keytool >/dev/null; then
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		echo "FAIL: keytool not found and DBTLS_REQUIRE_INTEGRATION=1" >&2
		exit 1
	fi
	echo "SKIP: keytool not found"
	exit 77
fi
T=$DBTLS_TEST_TMP/audit2
STRONG='Xy9-strong-Store!pass-42'
C=$T/cases
mkdir -p "$C/pass" "$C/fail" "$C/rds" "$T/ca" "$T/corrupt"
kt() { keytool "$@" >/dev/null 2>&1; }

# --- keys -------------------------------------------------------------------------------------------
openssl genrsa -traditional -out "$C/pass/key-0600.key" 2048 2>/dev/null
chmod 600 "$C/pass/key-0600.key"
cp "$C/pass/key-0600.key" "$C/fail/key-0644.key" && chmod 644 "$C/fail/key-0644.key"
openssl genrsa -traditional -out "$C/fail/key-1024.key" 1024 2>/dev/null
chmod 600 "$C/fail/key-1024.key"
# server keys named by [mysqld] ssl-key (a PKCS#8 one is a note: the TLS library is not known)
mkdir -p "$T/srv1" "$T/srv8"
openssl genrsa -traditional -out "$T/srv1/server.key" 2048 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$T/srv1/server.key" -out "$T/srv8/server.key"
chmod 600 "$T/srv1/server.key" "$T/srv8/server.key"
printf '[mysqld]\nssl-key = %s\nrequire_secure_transport = ON\n' "$T/srv1/server.key" > "$C/pass/server-pkcs1.cnf"
printf '[mysqld]\nssl-key = %s\nrequire_secure_transport = OFF\ntls_version = TLSv1,TLSv1.2\n' "$T/srv8/server.key" > "$C/fail/server-pkcs8.cnf"

# --- stores -----------------------------------------------------------------------------------------
kt -genkeypair -alias server -keyalg RSA -keysize 2048 -dname CN=app.example -validity 400 \
	-storetype JKS -keystore "$C/fail/changeit.jks" -storepass changeit -keypass changeit
kt -genkeypair -alias server -keyalg RSA -keysize 2048 -dname CN=app.example -validity 400 \
	-storetype JKS -keystore "$C/pass/strong.jks" -storepass "$STRONG" -keypass "$STRONG"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca/ca.key" -subj /CN=ApsaraDB-CA -days 400 -out "$T/ca/apsara.pem" 2>/dev/null
kt -importcert -noprompt -alias apsaradb-ca -file "$T/ca/apsara.pem" -storetype JKS \
	-keystore "$C/fail/apsaradb.jks" -storepass apsaradb
# Openfire's default keystore: a DSA and an RSA entry
kt -genkeypair -alias openfire_dsa -keyalg DSA -keysize 2048 -dname CN=xmpp.example -validity 400 \
	-storetype JKS -keystore "$C/fail/openfire.jks" -storepass "$STRONG" -keypass "$STRONG"
kt -genkeypair -alias openfire_rsa -keyalg RSA -keysize 2048 -dname CN=xmpp.example -validity 400 \
	-storetype JKS -keystore "$C/fail/openfire.jks" -storepass "$STRONG" -keypass "$STRONG"
# RDS-style CA rotation: the trust store before and after the new CA is imported
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca/old.key" -subj "/CN=Amazon RDS old Root CA" -days 400 -out "$T/ca/rds-old.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca/new.key" -subj "/CN=Amazon RDS new Root CA" -days 800 -out "$T/ca/rds-new.pem" 2>/dev/null
kt -importcert -noprompt -alias rds-old -file "$T/ca/rds-old.pem" -storetype JKS -keystore "$C/rds/before.jks" -storepass "$STRONG"
cp "$C/rds/before.jks" "$C/rds/after.jks"
kt -importcert -noprompt -alias rds-new -file "$T/ca/rds-new.pem" -storetype JKS -keystore "$C/rds/after.jks" -storepass "$STRONG"

# --- client and server settings -------------------------------------------------------------------
printf '[client]\nssl-mode = PREFERRED\n' > "$C/fail/preferred.cnf"
printf '[client]\nssl-mode = VERIFY_IDENTITY\nssl-ca = %s\n' "$T/ca/apsara.pem" > "$C/pass/verify.cnf"
cat > "$C/fail/dbconnector.yaml" <<'YML'
com.openexchange.database:
  readUrl: jdbc:mysql://db-read.example:3306/configdb
  readProperties:
    useSSL: true
    requireSSL: false
    verifyServerCertificate: false
    password: not-in-any-output-7
YML
cat > "$C/pass/dbconnector.yaml" <<'YML'
com.openexchange.database:
  readUrl: jdbc:mysql://db-read.example:3306/configdb
  readProperties:
    useSSL: true
    requireSSL: true
    verifyServerCertificate: true
    enabledTLSProtocols: TLSv1.2,TLSv1.3
YML
printf 'local all all peer\nhost all all 0.0.0.0/0 scram-sha-256\n' > "$C/fail/pg_hba.conf"
printf 'local all all peer\nhostssl all all 0.0.0.0/0 scram-sha-256\nhost all all 0.0.0.0/0 reject\n' > "$C/pass/pg_hba.conf"
printf "listen_addresses = '*'\nssl = off\n" > "$C/fail/postgresql.conf"
printf "listen_addresses = '*'\nssl = on\nssl_min_protocol_version = 'TLSv1.2'\n" > "$C/pass/postgresql.conf"
printf 'xmpp.socket.ssl.certificate.revocation.soft-fail=true\n' > "$C/fail/openfire.properties"
printf 'xmpp.socket.ssl.certificate.revocation.soft-fail=false\n' > "$C/pass/openfire.properties"

# --- the audit -------------------------------------------------------------------------------------
run() { # run NAME ARGS... -> $T/NAME.{rc,out,err}
	local name=$1
	shift
	set +e
	"$DBTLS" "$@" > "$T/$name.out" 2> "$T/$name.err"
	echo $? > "$T/$name.rc"
	set -e
}
export DBTLS_STORE_PASSWORD=$STRONG
run all audit "$C" --new-ca-file "$T/ca/rds-new.pem" -o "$T/r.json" -o "$T/r.jsonl" -o "$T/r.prom" -o "$T/r.html" -o "$T/r.txt"
unset DBTLS_STORE_PASSWORD
[ "$(cat "$T/all.rc")" = 1 ] || { echo "FAIL: audit exit $(cat "$T/all.rc"), want 1"; cat "$T/all.err"; exit 1; }
[ ! -s "$T/all.err" ] || { echo "FAIL: stderr not empty:"; cat "$T/all.err"; exit 1; }

C=$C T=$T "$PY" - "$T/r.json" <<'PYEOF'
import json, os, sys
C = os.environ["C"]
d = json.load(open(sys.argv[1]))
files = {f["path"]: f for f in d["files"]}
fails = []
def ids(rel):
    p = os.path.join(C, rel)
    if p not in files:
        fails.append("no file " + rel)
        return set()
    return {x["check"] for x in files[p].get("findings", [])}
def finding(rel, check):
    p = os.path.join(C, rel)
    return [x for x in files.get(p, {}).get("findings", []) if x["check"] == check]
expect = [  # (check, failing fixture, passing fixture)
    ("file.key-permissions", "fail/key-0644.key", "pass/key-0600.key"),
    ("file.key-weak", "fail/key-1024.key", "pass/key-0600.key"),
    ("store.default-password", "fail/changeit.jks", "pass/strong.jks"),
    ("store.default-password", "fail/apsaradb.jks", "rds/after.jks"),
    ("store.new-ca-missing", "rds/before.jks", "rds/after.jks"),
    ("file.cert-key-weak", "fail/openfire.jks", "pass/strong.jks"),
    ("client.no-verify", "fail/preferred.cnf", "pass/verify.cnf"),
    ("client.no-verify", "fail/dbconnector.yaml", "pass/dbconnector.yaml"),
    ("client.plaintext-fallback", "fail/preferred.cnf", "pass/verify.cnf"),
    ("client.plaintext-fallback", "fail/dbconnector.yaml", "pass/dbconnector.yaml"),
    ("config.password-plaintext", "fail/dbconnector.yaml", "pass/dbconnector.yaml"),
    ("pg.hba-no-ssl", "fail/pg_hba.conf", "pass/pg_hba.conf"),
    ("server.ssl-disabled", "fail/postgresql.conf", "pass/postgresql.conf"),
    ("server.secure-transport-off", "fail/server-pkcs8.cnf", "pass/server-pkcs1.cnf"),
    ("tls.config-version-below-min", "fail/server-pkcs8.cnf", "pass/postgresql.conf"),
    ("openfire.revocation-soft-fail", "fail/openfire.properties", "pass/openfire.properties"),
]
for check, bad, good in expect:
    if check not in ids(bad):
        fails.append("%s: no %s (has %s)" % (bad, check, sorted(ids(bad))))
    if check in ids(good):
        fails.append("%s: unexpected %s" % (good, check))
# the password source is named, the password never
ev = finding("fail/changeit.jks", "store.default-password")
if not ev or "opens with a well-known default password" not in ev[0]["evidence"] or "source: default" not in ev[0]["evidence"]:
    fails.append("changeit evidence: %s" % ev)
s = files[os.path.join(C, "pass/strong.jks")]["store"]
if s["password_source"] != "env" or s["password_well_known"]:
    fails.append("strong.jks opened through DBTLS_STORE_PASSWORD: %s" % s["password_source"])
# the DSA entry, not the RSA one
w = finding("fail/openfire.jks", "file.cert-key-weak")
if len(w) != 1 or "openfire_dsa" not in w[0]["evidence"]:
    fails.append("openfire: %s" % [x["evidence"] for x in w])
# the new CA by fingerprint
nc = finding("rds/before.jks", "store.new-ca-missing")
if not nc or "none with the new CA's SHA-256 fingerprint" not in nc[0]["evidence"]:
    fails.append("rds before: %s" % nc)
# PKCS#8 server key: an info note naming what to check; the PKCS#1 one is quiet
srv8 = [f for p, f in files.items() if p.endswith("/srv8/server.key")]
srv1 = [f for p, f in files.items() if p.endswith("/srv1/server.key")]
n8 = [x for x in (srv8[0]["findings"] if srv8 else []) if x["check"] == "file.key-not-pkcs1"]
if len(n8) != 1 or n8[0]["severity"] != "info" or "version_ssl_library" not in n8[0]["evidence"]:
    fails.append("pkcs8 server key note: %s" % n8)
if not srv1 or any(x["check"] == "file.key-not-pkcs1" for x in srv1[0]["findings"]):
    fails.append("pkcs1 server key: %s" % (srv1 and srv1[0]["findings"]))
# settings are masked
for f in d["files"]:
    for st in f["settings"]:
        if st["secret"] and st["value"] != "****":
            fails.append("unmasked " + st["name"])
if fails:
    print("FAIL:\n  " + "\n  ".join(fails))
    sys.exit(1)
print("audit findings: %d files, %d checks with a passing and a failing fixture" % (len(files), len(expect)))
PYEOF

# every format: the schema, JSON Lines, Prometheus, HTML, text
"$PY" -c '
import json, sys
import jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
kinds = {}
for line in open(sys.argv[3]):
    o = json.loads(line)
    kinds[o["type"]] = kinds.get(o["type"], 0) + 1
    assert "target" not in o, o
    assert "file" in o, o
assert kinds.get("finding", 0) > 10 and kinds.get("file", 0) > 15, kinds
' "$T/r.json" "$DBTLS_SRCDIR/data/report.schema.json" "$T/r.jsonl"
if command -v promtool >/dev/null; then
	promtool check metrics < "$T/r.prom" 2>&1 | grep -v "counter metrics should" | grep . && { echo "FAIL: promtool"; exit 1; } || true
fi
grep -q '^dbtls_store_default_password{path=".*/fail/changeit.jks"} 1$' "$T/r.prom" || { echo "FAIL: prom default password"; exit 1; }
grep -q '^dbtls_store_default_password{path=".*/pass/strong.jks"} 0$' "$T/r.prom" || { echo "FAIL: prom strong"; exit 1; }
grep -q '^dbtls_file_findings{path=".*/fail/pg_hba.conf",severity="high"} 1$' "$T/r.prom" || { echo "FAIL: prom file findings"; exit 1; }
grep -q 'id="file-1"' "$T/r.html" && grep -q 'pg.hba-no-ssl' "$T/r.html" || { echo "FAIL: html files"; exit 1; }
grep -q '^FILES$' "$T/r.txt" && grep -q 'files audited' "$T/r.txt" || { echo "FAIL: text FILES"; exit 1; }
# (changeit and apsaradb are also alias and file names here: the store's strong password and
# the YAML's password are the ones that must never appear)
for secret in "$STRONG" not-in-any-output-7; do
	if grep -rqF -- "$secret" "$T"/r.* "$T/all.out" "$T/all.err"; then
		echo "FAIL: a password appears in the output"
		exit 1
	fi
done

# check --facts judges the files again: the same findings
run again check --facts "$T/r.json" -o "$T/r2.json" -q
[ "$(cat "$T/again.rc")" = 1 ] || { echo "FAIL: check --facts exit $(cat "$T/again.rc")"; cat "$T/again.err"; exit 1; }
"$PY" -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
fa = {f["path"]: sorted(x["check"] for x in f["findings"]) for f in a["files"]}
fb = {f["path"]: sorted(x["check"] for x in f["findings"]) for f in b["files"]}
# store.new-ca-missing needs --new-ca-file, which check does not take
for p in fa:
    fa[p] = [c for c in fa[p] if c != "store.new-ca-missing"]
assert fa == fb, (fa, fb)
' "$T/r.json" "$T/r2.json"

# a waiver names a file by its path
printf '{"waivers": [{"check": "pg.hba-no-ssl", "endpoint": "%s", "until": "2099-01-01", "reason": "legacy app", "owner": "dba"}]}\n' "$C/fail/pg_hba.conf" > "$T/waivers.json"
run waived audit "$C/fail/pg_hba.conf" --waivers "$T/waivers.json" --format json
[ "$(cat "$T/waived.rc")" = 0 ] || { echo "FAIL: waived pg_hba exit $(cat "$T/waived.rc")"; cat "$T/waived.err"; exit 1; }
grep -q '"waived": true' "$T/waived.out" || { echo "FAIL: waiver not applied"; exit 1; }
run unwaived audit "$C/fail/pg_hba.conf"
[ "$(cat "$T/unwaived.rc")" = 1 ] || { echo "FAIL: pg_hba exit $(cat "$T/unwaived.rc"), want 1"; exit 1; }

# a corrupt file: one line naming it, the others are audited; exit 3 (nothing at --fail-on)
head -c 200 "$C/pass/strong.jks" > "$T/corrupt/cut.jks"
cp "$C/pass/key-0600.key" "$T/corrupt/ok.key"
run corrupt audit "$T/corrupt" --format json
[ "$(cat "$T/corrupt.rc")" = 3 ] || { echo "FAIL: corrupt exit $(cat "$T/corrupt.rc"), want 3"; cat "$T/corrupt.err"; exit 1; }
[ "$(wc -l < "$T/corrupt.err")" = 1 ] && grep -q "^dbtls: $T/corrupt/cut.jks: " "$T/corrupt.err" || { echo "FAIL: corrupt message:"; cat "$T/corrupt.err"; exit 1; }
grep -q '"audit.file-error"' "$T/corrupt.out" && grep -q "$T/corrupt/ok.key" "$T/corrupt.out" || { echo "FAIL: corrupt report"; exit 1; }

# usage: no path is exit 2; the store password is never on argv (there is no option for it)
run usage audit
[ "$(cat "$T/usage.rc")" = 2 ] || { echo "FAIL: audit without a path exit $(cat "$T/usage.rc")"; exit 1; }
run usage2 audit --store-password x "$C"
[ "$(cat "$T/usage2.rc")" = 2 ] || { echo "FAIL: --store-password accepted"; exit 1; }
echo "PASS: dbtls audit"
