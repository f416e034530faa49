#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_audit_parse.sh: the file audit's readers (issue 13) on fixtures made at test time by the
# real tools, checked through `dbtls audit --policy none --format json PATH...` (the report's files[]):
# openssl makes PKCS#1, PKCS#8, encrypted PKCS#8 and traditional encrypted PEM keys, PKCS#12 in
# modern and -legacy encryption and a PKCS#7 bundle (crl2pkcs7); keytool makes JKS, JCEKS and
# PKCS#12 stores under `changeit`, `apsaradb` and a strong password, an RDS-style trust store
# before and after a new CA is imported, and an Openfire-like keystore with a DSA and an RSA
# entry. Fingerprints must equal what keytool -list -v and openssl x509 -fingerprint print. Config
# files (option files with includes, OX dbconnector.yaml naming a JKS under changeit, Connector/J
# properties, PostgreSQL files, Openfire XML) become settings; the stores they name are opened
# with the password found there, which never appears in the output. Corrupt and truncated files
# give one error line naming the file (and line) while the other files are still audited.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP/audit
PY=/usr/bin/python3
if ! command -v keytool >/dev/null; then
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		echo "FAIL: keytool not found and DBTLS_REQUIRE_INTEGRATION=1" >&2
		exit 1
	fi
	echo "SKIP: keytool not found"
	exit 77
fi
STRONG='Zq7-strong-Pass!word-91'
mkdir -p "$T/keys" "$T/stores" "$T/conf/conf.d" "$T/bad" "$T/rds"
K=$T/keys S=$T/stores C=$T/conf

# --- keys and certificates (openssl) ---------------------------------------------------------------
openssl genrsa -traditional -out "$K/pkcs1.key" 2048 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$K/server.key" 2>/dev/null
openssl pkcs8 -topk8 -in "$K/pkcs1.key" -passout pass:"$STRONG" -out "$K/enc-pkcs8.key"
openssl rsa -in "$K/pkcs1.key" -traditional -aes256 -passout pass:"$STRONG" -out "$K/trad-enc.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/ec.key" 2>/dev/null
openssl req -x509 -new -key "$K/server.key" -subj /CN=db.example -days 30 -out "$K/server.pem" 2>/dev/null
openssl req -x509 -new -key "$K/ec.key" -subj /CN=other -days 30 -out "$T/other.pem" 2>/dev/null
cat "$K/server.pem" "$T/other.pem" > "$T/bundle.pem"
openssl crl2pkcs7 -nocrl -certfile "$T/bundle.pem" -out "$T/bundle.p7b"
openssl crl2pkcs7 -nocrl -certfile "$T/bundle.pem" -outform DER -out "$T/bundle-der.p7b"
openssl x509 -in "$K/server.pem" -outform DER -out "$T/server.der"
openssl pkcs12 -export -in "$K/server.pem" -inkey "$K/server.key" -passout pass:changeit -out "$S/modern.p12"
openssl pkcs12 -export -legacy -in "$K/server.pem" -inkey "$K/server.key" -passout pass:changeit -out "$S/legacy.p12"
openssl pkcs12 -export -in "$K/server.pem" -inkey "$K/server.key" -passout pass:"$STRONG" -out "$S/strong.p12"
chmod 600 "$K/server.key"
chmod 644 "$K/pkcs1.key"

# --- stores (keytool) ---------------------------------------------------------------------------------
kt() { keytool "$@" >/dev/null 2>&1; }
kt -genkeypair -alias server -keyalg RSA -keysize 2048 -dname CN=jks.example -validity 30 \
	-storetype JKS -keystore "$S/server.jks" -storepass changeit -keypass changeit
kt -importcert -noprompt -alias rootca -file "$T/other.pem" -storetype JCEKS \
	-keystore "$S/trust.jceks" -storepass apsaradb
kt -importcert -noprompt -alias rootca -file "$T/other.pem" -storetype PKCS12 \
	-keystore "$S/trust-strong.p12" -storepass "$STRONG"
kt -importcert -noprompt -alias apsaradb-ca -file "$T/other.pem" -storetype JKS \
	-keystore "$S/apsaradb.jks" -storepass apsaradb
# Openfire's default keystore holds a DSA and an RSA entry
kt -genkeypair -alias openfire_dsa -keyalg DSA -keysize 2048 -dname CN=xmpp.example -validity 30 \
	-storetype JKS -keystore "$S/openfire.jks" -storepass changeit -keypass changeit
kt -genkeypair -alias openfire_rsa -keyalg RSA -keysize 2048 -dname CN=xmpp.example -validity 30 \
	-storetype JKS -keystore "$S/openfire.jks" -storepass changeit -keypass changeit
# RDS-style trust store: the old CA, then the new one imported
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rds-old.key" -subj "/CN=Amazon RDS old Root CA" -days 30 -out "$T/rds-old.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rds-new.key" -subj "/CN=Amazon RDS new Root CA" -days 60 -out "$T/rds-new.pem" 2>/dev/null
kt -importcert -noprompt -alias rds-old -file "$T/rds-old.pem" -storetype JKS -keystore "$T/rds/before.jks" -storepass changeit
cp "$T/rds/before.jks" "$T/rds/after.jks"
kt -importcert -noprompt -alias rds-new -file "$T/rds-new.pem" -storetype JKS -keystore "$T/rds/after.jks" -storepass changeit

# --- configuration files ------------------------------------------------------------------------------
cat > "$C/my.cnf" <<'CNF'
[client]
ssl-mode = PREFERRED
ssl_ca = ../keys/server.pem
password = not-in-the-output-1
!includedir conf.d
[mysqld]
loose-require-secure-transport = OFF
tls_version = TLSv1.1,TLSv1.2
CNF
printf '[mysqld]\nssl-key=../../keys/server.key\nssl-cert=../../keys/server.pem\n' > "$C/conf.d/server.cnf"
kt -importcert -noprompt -alias ca -file "$T/other.pem" -storetype JKS -keystore "$C/ox-trust.jks" -storepass changeit
cat > "$C/dbconnector.yaml" <<'YML'
com.openexchange.database:
  readUrl: jdbc:mysql://db-read.example:3306/configdb
  readProperties:
    useSSL: true
    requireSSL: false
    verifyServerCertificate: false
    enabledTLSProtocols: TLSv1.2
    trustCertificateKeyStoreUrl: file:ox-trust.jks
    trustCertificateKeyStorePassword: changeit
    password: not-in-the-output-2
YML
cat > "$C/app.properties" <<PROP
db.url=jdbc:mariadb://db.example/app?sslMode=verify-full&user=app&password=not-in-the-output-3
javax.net.ssl.trustStore=../stores/trust-strong.p12
javax.net.ssl.trustStorePassword=$STRONG
PROP
printf "listen_addresses = '*'\nssl = on\nssl_min_protocol_version = 'TLSv1.1'\nssl_cert_file = '../keys/server.pem'\n" > "$C/postgresql.conf"
printf "local all all peer\nhost all all 0.0.0.0/0 scram-sha-256\nhostssl all all ::/0 cert clientcert=verify-full\n" > "$C/pg_hba.conf"
printf "[prod]\nhost=db.example\ndbname=app\nsslmode=prefer\n" > "$C/pg_service.conf"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<jive>\n  <xmpp>\n    <socket>\n      <ssl>\n        <protocols>TLSv1,TLSv1.2</protocols>\n      </ssl>\n    </socket>\n  </xmpp>\n</jive>\n' > "$C/openfire.xml"
printf 'xmpp.socket.ssl.certificate.revocation.only-end-entity=false\nxmpp.socket.ssl.certificate.revocation.soft-fail=true\njdk.tls.server.enableStatusRequestExtension=true\n' > "$C/openfire.properties"

# --- corrupt and truncated ---------------------------------------------------------------------------
head -c 200 "$S/server.jks" > "$T/bad/truncated.jks"
head -c 300 "$S/modern.p12" > "$T/bad/truncated.p12"
printf 'db:\n  url: [jdbc:mysql://x\n  other: 1\n' > "$T/bad/broken.yaml"
sed '3d' "$K/server.pem" > "$T/bad/corrupt.pem"
printf -- '-----BEGIN CERTIFICATE-----\nMIIB\n' > "$T/bad/nocert-end.pem"
ln -s /etc/hostname "$T/bad/outside-link"
ln -s .. "$T/bad/loop"

# --- audit -------------------------------------------------------------------------------------------------
set +e
"$DBTLS" audit --policy none --format json "$T" > "$T/out.json" 2> "$T/err.txt"
rc=$?
set -e
[ $rc -eq 3 ] || { echo "FAIL: exit $rc, want 3 (some files had errors)"; cat "$T/err.txt"; exit 1; }
for secret in "$STRONG" not-in-the-output-1 not-in-the-output-2 not-in-the-output-3; do
	if grep -qF -- "$secret" "$T/out.json" "$T/err.txt"; then
		echo "FAIL: a password appears in the output"
		exit 1
	fi
done

# ground truth for the fingerprints
kt_fp() { # STORE PASS ALIAS ALG -> fingerprint as keytool prints it
	keytool -list -v -keystore "$1" -storepass "$2" -alias "$3" 2>/dev/null | awk -v a="$4:" '$1 == a { print $2 }'
}
export FP_SERVER_JKS_SHA1=$(kt_fp "$S/server.jks" changeit server SHA1)
export FP_SERVER_JKS_SHA256=$(kt_fp "$S/server.jks" changeit server SHA256)
export FP_OTHER_SHA1=$(openssl x509 -in "$T/other.pem" -noout -fingerprint -sha1 | sed 's/.*=//')
export FP_RDS_NEW_SHA256=$(openssl x509 -in "$T/rds-new.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
[ -n "$FP_SERVER_JKS_SHA1" ] && [ -n "$FP_SERVER_JKS_SHA256" ] || { echo "FAIL: no keytool fingerprint"; exit 1; }

T=$T "$PY" - "$T/out.json" <<'PYEOF'
import json, os, sys
T = os.environ["T"]
d = json.load(open(sys.argv[1]))
files = {f["path"]: f for f in d["files"]}
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
def f(rel):
    p = os.path.join(T, rel)
    check(p in files, "no facts for " + rel)
    return files.get(p, {"keys": [], "certs": [{}], "settings": [], "errors": [], "kind": None, "mode": None, "owner": None})
def key(rel):
    ks = f(rel)["keys"]
    check(len(ks) == 1, rel + ": one key")
    return ks[0] if ks else {}
def setting(fa, k, group=None):
    for s in fa["settings"]:
        if s["key"] == k and (group is None or s["group"] == group):
            return s
    fails.append("%s: no setting %s" % (fa.get("path"), k))
    return {}

# keys
k = key("keys/pkcs1.key"); check((k.get("format"), k.get("type"), k.get("bits"), k.get("encrypted")) == ("pkcs1", "RSA", 2048, False), "pkcs1: %s" % k)
k = key("keys/server.key"); check((k.get("format"), k.get("type"), k.get("bits")) == ("pkcs8", "RSA", 3072), "pkcs8: %s" % k)
check(k.get("matching_cert") == os.path.join(T, "keys/server.pem") + ":1", "server.key matches server.pem: %s" % k.get("matching_cert"))
k = key("keys/enc-pkcs8.key"); check((k.get("format"), k.get("encrypted"), k.get("type")) == ("pkcs8-encrypted", True, None), "enc pkcs8: %s" % k)
k = key("keys/trad-enc.key"); check((k.get("format"), k.get("encrypted"), k.get("type")) == ("pem-encrypted", True, "RSA"), "trad enc: %s" % k)
k = key("keys/ec.key"); check((k.get("format"), k.get("type"), k.get("bits")) == ("pkcs8", "EC", 256), "ec: %s" % k)
check(key("keys/pkcs1.key").get("matching_cert") is None, "pkcs1.key matches nothing")
check(f("keys/server.key")["mode"] == "0600" and f("keys/pkcs1.key")["mode"] == "0644", "modes")
check(f("keys/server.key")["owner"] is not None, "owner name")
# certificates and bundles
check(f("keys/server.pem")["kind"] == "pem-cert", "pem-cert")
check(f("bundle.pem")["kind"] == "pem-bundle" and len(f("bundle.pem")["certs"]) == 2, "pem-bundle")
check(f("bundle.p7b")["kind"] == "pkcs7" and len(f("bundle.p7b")["certs"]) == 2, "pkcs7 pem")
check(f("bundle-der.p7b")["kind"] == "pkcs7" and len(f("bundle-der.p7b")["certs"]) == 2, "pkcs7 der")
check(f("server.der")["kind"] == "der-cert", "der-cert")
check(f("other.pem")["certs"][0]["sha1_colon"] == os.environ["FP_OTHER_SHA1"], "openssl sha1 fingerprint")
# PKCS#12
def store(rel):
    return f(rel).get("store") or {}
for rel, legacy in (("stores/modern.p12", False), ("stores/legacy.p12", True)):
    s = store(rel)
    check(s.get("type") == "PKCS12" and s.get("password_source") == "default" and s.get("password_well_known") is True, rel + ": opened with a default")
    check(s.get("legacy_crypto") is legacy, rel + ": legacy_crypto %s" % s.get("legacy_crypto"))
    e = s.get("entries", [])
    check(len(e) == 1 and e[0]["type"] == "PrivateKeyEntry" and e[0]["certs"][0]["subject"] == "CN=db.example", rel + ": entries %s" % e)
s = store("stores/strong.p12"); check(s.get("password_source") == "not-opened" and s.get("entries") == [], "strong p12 not opened")
# keytool stores
s = store("stores/server.jks")
check(s.get("type") == "JKS" and s.get("password_source") == "default" and s.get("integrity_ok") is True, "jks changeit")
e = s.get("entries", [{}])[0]
check(e.get("alias") == "server" and e.get("type") == "PrivateKeyEntry", "jks entry %s" % e)
c = e.get("certs", [{}])[0]
check(c.get("sha1_colon") == os.environ["FP_SERVER_JKS_SHA1"], "keytool SHA1 %s vs %s" % (c.get("sha1_colon"), os.environ["FP_SERVER_JKS_SHA1"]))
check(c.get("sha256_colon") == os.environ["FP_SERVER_JKS_SHA256"], "keytool SHA256")
s = store("stores/trust.jceks")
check(s.get("type") == "JCEKS" and s.get("password_source") == "default" and s.get("entries", [{}])[0].get("type") == "trustedCertEntry", "jceks apsaradb %s" % s)
s = store("stores/apsaradb.jks"); check(s.get("password_source") == "default" and s.get("password_well_known"), "apsaradb jks")
s = store("stores/trust-strong.p12")
check(s.get("password_source") == "setting" and s.get("password_well_known") is False, "strong p12 opened via the properties' password: %s" % s.get("password_source"))
check(s.get("entries", [{}])[0].get("type") == "trustedCertEntry" and s["entries"][0]["alias"] == "rootca", "p12 trusted entry")
s = store("stores/openfire.jks")
types = sorted((e["alias"], e["certs"][0]["key_type"]) for e in s.get("entries", []))
check(types == [("openfire_dsa", "DSA"), ("openfire_rsa", "RSA")], "openfire keystore %s" % types)
# RDS rotation: the new CA by fingerprint, before and after
def has_fp(rel, fp):
    return any(c["sha256_colon"] == fp for e in store(rel).get("entries", []) for c in e["certs"])
check(not has_fp("rds/before.jks", os.environ["FP_RDS_NEW_SHA256"]), "new CA not in the old store")
check(has_fp("rds/after.jks", os.environ["FP_RDS_NEW_SHA256"]), "new CA in the updated store")
# settings
m = f("conf/my.cnf")
check(m["kind"] == "mysql-option-file", "my.cnf kind")
check(setting(m, "ssl_mode", "client").get("value") == "PREFERRED" and setting(m, "ssl_mode").get("line") == 2, "ssl_mode")
check(setting(m, "password").get("value") == "****", "password masked")
check(setting(m, "require_secure_transport", "mysqld").get("value") == "OFF", "loose- prefix")
sk = setting(m, "ssl_key", "mysqld"); check(sk.get("file") == os.path.join(T, "conf/conf.d/server.cnf") and sk.get("line") == 2, "ssl_key from !includedir: %s" % sk)
y = f("conf/dbconnector.yaml")
check(y["kind"] == "yaml", "yaml kind")
g = "com.openexchange.database.readProperties"
check(setting(y, "verifyservercertificate", g).get("value") == "false" and setting(y, "requiressl", g).get("value") == "false", "yaml props")
check(setting(y, "jdbc_url").get("value") == "jdbc:mysql://db-read.example:3306/configdb", "yaml jdbc url")
ox = f("conf/ox-trust.jks").get("store") or {}
check(ox.get("password_source") == "setting" and ox.get("password_well_known") is True, "ox store opened via the yaml's password, a default: %s" % ox)
p = f("conf/app.properties")
check(p["kind"] == "jdbc-properties" and setting(p, "sslmode").get("value") == "verify-full", "properties")
check(f("conf/postgresql.conf")["kind"] == "postgresql-conf" and setting(f("conf/postgresql.conf"), "ssl_min_protocol_version").get("value") == "TLSv1.1", "postgresql.conf")
hba = [s["group"] for s in f("conf/pg_hba.conf")["settings"]]
check(hba == ["local", "host", "hostssl"], "pg_hba %s" % hba)
check(setting(f("conf/pg_service.conf"), "sslmode", "prod").get("value") == "prefer", "pg_service")
check(setting(f("conf/openfire.xml"), "xmpp.socket.ssl.protocols").get("line") == 6, "openfire xml")
check(f("conf/openfire.properties")["kind"] == "openfire-properties", "openfire properties")
# errors: one line naming the file, the walk went on
def err(rel, want):
    es = f(rel)["errors"]
    check(len(es) == 1 and es[0]["message"].startswith(want) and "\n" not in es[0]["message"], "%s: errors %s" % (rel, es))
err("bad/truncated.jks", os.path.join(T, "bad/truncated.jks") + ": offset ")
err("bad/truncated.p12", os.path.join(T, "bad/truncated.p12") + ": DER object of ")
err("bad/broken.yaml", os.path.join(T, "bad/broken.yaml") + ":3: YAML: ")
err("bad/corrupt.pem", os.path.join(T, "bad/corrupt.pem") + ":1: certificate does not parse")
err("bad/nocert-end.pem", os.path.join(T, "bad/nocert-end.pem") + ":1: PEM block 'CERTIFICATE' has no END line")
err("bad/outside-link", os.path.join(T, "bad/outside-link") + ": symbolic link to ")
check(os.path.join(T, "bad/loop") not in files, "directory loop not walked twice")
if fails:
    print("FAIL:\n  " + "\n  ".join(fails))
    sys.exit(1)
print("audit facts: %d files checked" % len(files))
PYEOF

# the password from the environment and from a --store-passwords file
T=$DBTLS_TEST_TMP/audit
DBTLS_STORE_PASSWORD=$STRONG "$DBTLS" audit --policy none --format json "$S/strong.p12" > "$T/env.json"
grep -q '"password_source": "env"' "$T/env.json" || { echo "FAIL: env password"; exit 1; }
printf '# stores\nstrong.p12 = %s\n' "$STRONG" > "$T/pw.txt"
"$DBTLS" audit --policy none --format json --store-passwords "$T/pw.txt" --no-default-passwords "$S/strong.p12" "$S/server.jks" > "$T/file.json"
"$PY" - "$T/file.json" "$T/pw.txt" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = {f["path"].rsplit("/", 1)[1]: f["store"] for f in d["files"]}
assert s["strong.p12"]["password_source"] == "file", s
assert s["strong.p12"]["password_ref"] == sys.argv[2] + ":2", s
assert s["server.jks"]["password_source"] == "not-opened", s
assert len(s["server.jks"]["entries"]) == 1  # JKS entries are listed without the password
PYEOF
if grep -qF -- "$STRONG" "$T/env.json" "$T/file.json"; then echo "FAIL: password in output"; exit 1; fi
echo "test_audit_parse: ok"
