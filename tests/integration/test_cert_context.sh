#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_cert_context.sh: certificates judged in their context (issue 16), with certificates made
# at test time from the test PKI and served by `openssl s_server`; openssl's own verdicts are
# the ground truth:
#   1. expiry windows proportional to the lifetime: a 47-day leaf with 10 days left gets no
#      cert.expiring, a 3-year leaf with 10 days left does (and the 47-day one does under fixed
#      windows, the behaviour before);
#   2. verification.public_trust and cert.cabf-validity: the same 330-day leaf (issued after
#      2026-03-15, so the CA/B maximum is 200 days) is publicly trusted when the system store
#      (SSL_CERT_FILE) holds the test root, private under the machine's real store (no CA/B
#      finding at all), and "cannot tell" (a finding, never a pass) when the store is empty;
#   3. auto-generated certificates: the real MariaDB here (10.11, no zero-configuration TLS)
#      serving a self-signed "CN=MariaDB Server" certificate is plainly self-signed, and --sql
#      reads each account's plugin and whether it has a password (compared with mysql.user);
#      a scripted greeting claiming MariaDB 11.4 in front of the same certificate (TLS from
#      Python's ssl) gets the zero-configuration finding instead of cert.self-signed and
#      cert.untrusted; one claiming MySQL 8.0 with a MySQL_Server_*_Auto_Generated_* chain gets
#      the MySQL finding next to cert.untrusted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
pki_ensure
P=$DBTLS_PKI
CA=$P/ca-bundle.pem
W=$T/context
mkdir -p "$W/newcerts" "$W/empty"
unset OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR

# --- certificates -------------------------------------------------------------------------------
: >"$W/index.txt"
echo 'unique_subject = no' >"$W/index.txt.attr"
echo 7001 >"$W/serial"
cat >"$W/ca.cnf" <<CNF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca ]
default_ca = int_ca
[ int_ca ]
database = $W/index.txt
new_certs_dir = $W/newcerts
serial = $W/serial
certificate = $P/intermediate.pem
private_key = $P/intermediate.key
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = supplied
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
utc() { date -u -d "@$(($(date +%s) + $1 * 86400))" +%Y%m%d%H%M%SZ; } # DAYS from now
# leaf NAME FROM_DAYS TO_DAYS: NAME.pem (and NAME-chain.pem) valid from now+FROM to now+TO days
leaf() {
	OPENSSL_CONF=$W/ca.cnf openssl req -config "$W/ca.cnf" -new -key "$P/server.key" \
		-subj "/O=dbtls tests/CN=localhost" -out "$W/$1.csr" 2>/dev/null
	OPENSSL_CONF=$W/ca.cnf openssl ca -config "$W/ca.cnf" -batch -notext -in "$W/$1.csr" \
		-out "$W/$1.pem" -extfile "$W/ca.cnf" -extensions v3_leaf -startdate "$(utc "$2")" \
		-enddate "$(utc "$3")" 2>/dev/null
	cat "$W/$1.pem" "$P/intermediate.pem" >"$W/$1-chain.pem"
}
leaf life47 -37 10   # 47 days, 10 left
leaf life3y -1085 10 # 1095 days, 10 left
leaf long330 -1 329  # 330 days, issued yesterday (after 2026-03-15: CA/B maximum 200)
leaf short150 -1 149 # 150 days: within every CA/B limit

for n in life47 life3y long330 short150; do
	start_tls_server "$n" "$W/$n-chain.pem" "$P/server.key"
done

# --- helpers ------------------------------------------------------------------------------------
scan() { # OUT.json ARGS...
	local out=$1 rc=0
	shift
	"$DBTLS" scan --ca-file "$CA" --timeout "${TIMEOUT:-5}" -q -o "$out" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "scan $out: exit $rc"
		cat "$T/err"
	fi
	assert_ok "$(basename "$out"): report validates" validate_report "$out"
}
ep() { py_json "$1" "(lambda e: $3)(next(x for x in d['endpoints'] if x['target'] == '$2'))"; }
finding() { # REPORT TARGET CHECK FIELD: the field of the check's finding, or "absent"
	ep "$1" "$2" "next((f['$4'] for f in e['findings'] if f['check'] == '$3'), 'absent')"
}
tgt() { echo "tls://127.0.0.1:$1"; }

# --- 1. proportional expiry windows -------------------------------------------------------------
# ground truth: the dates openssl reads, and that both expire within 11 days but not within 9
for n in life47 life3y; do
	assert_ok "truth: $n expires within 11 days" bash -c "! openssl x509 -in '$W/$n.pem' -noout -checkend $((11 * 86400)) >/dev/null"
	assert_ok "truth: $n is valid for 9 more days" bash -c "openssl x509 -in '$W/$n.pem' -noout -checkend $((9 * 86400)) >/dev/null"
done
nb47=$(openssl x509 -in "$W/life47.pem" -noout -startdate | cut -d= -f2)
na47=$(openssl x509 -in "$W/life47.pem" -noout -enddate | cut -d= -f2)
assert_eq "truth: life47 lifetime in days" 47 $((($(date -d "$na47" +%s) - $(date -d "$nb47" +%s)) / 86400))
R=$T/expiry.json
scan "$R" "$(tgt "$LIFE47_PORT")" "$(tgt "$LIFE3Y_PORT")"
assert_eq "47-day leaf, 10 days left: routine, no cert.expiring" absent \
	"$(finding "$R" "$(tgt "$LIFE47_PORT")" cert.expiring title)"
assert_eq "3-year leaf, 10 days left: cert.expiring" medium \
	"$(finding "$R" "$(tgt "$LIFE3Y_PORT")" cert.expiring severity)"
assert_match "3-year leaf: evidence names the lifetime and the window" \
	'(9|10) days left of a 1095-day lifetime; warning at 30 days, critical at 7 days' \
	"$(finding "$R" "$(tgt "$LIFE3Y_PORT")" cert.expiring evidence)"
# the same scan judged with fixed windows (the fractions off): the 47-day leaf was a finding
cat >"$W/fixed.json" <<'JSON'
{"name": "fixed-expiry", "version": "1", "extends": "baseline",
 "parameters": {"cert_expiry_warning_fraction": 0, "cert_expiry_critical_fraction": 0}}
JSON
"$DBTLS" check --facts "$R" --policy "$W/fixed.json" -q -o "$T/expiry-fixed.json" >/dev/null 2>&1 || true
assert_eq "fixed windows: the 47-day leaf is cert.expiring" medium \
	"$(finding "$T/expiry-fixed.json" "$(tgt "$LIFE47_PORT")" cert.expiring severity)"

# --- 2. public trust and the CA/B Forum limits ----------------------------------------------------
LONG=$(tgt "$LONG330_PORT")
SHORT=$(tgt "$SHORT150_PORT")
# a) the test root as the system store: the chain is "publicly trusted"
assert_match "truth: with SSL_CERT_FILE=root the chain verifies" ': OK$' \
	"$(SSL_CERT_FILE=$P/root-ca.pem SSL_CERT_DIR=$W/empty openssl verify -untrusted "$P/intermediate.pem" "$W/long330.pem" 2>&1)"
R=$T/public.json
SSL_CERT_FILE=$P/root-ca.pem SSL_CERT_DIR=$W/empty scan "$R" "$LONG" "$SHORT"
root_subject=$(openssl x509 -in "$P/root-ca.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
assert_eq "public: anchored" true "$(ep "$R" "$LONG" "e['verification']['public_trust']['anchored']")"
assert_eq "public: the anchor is the test root" "$root_subject" \
	"$(ep "$R" "$LONG" "e['verification']['public_trust']['anchor']")"
assert_eq "public: the store consulted (no usable directory: the file)" "$P/root-ca.pem" \
	"$(ep "$R" "$LONG" "e['verification']['public_trust']['store']")"
assert_match "public 330 days: cert.cabf-validity" \
	'^Publicly trusted certificate valid for 330 days \(CA/B Forum maximum 200\)$' \
	"$(finding "$R" "$LONG" cert.cabf-validity title)"
assert_match "public 330 days: the rule in the evidence" 'SC-081v3, issued from 2026-03-15' \
	"$(finding "$R" "$LONG" cert.cabf-validity evidence)"
assert_eq "public 150 days: within the limit" absent "$(finding "$R" "$SHORT" cert.cabf-validity title)"
# b) the machine's own store: the test root is not in it, so the chain is private
truth=$(openssl verify -untrusted "$P/intermediate.pem" "$W/long330.pem" 2>&1 || true)
assert_match "truth: the system store does not know the test root" 'unable to get local issuer certificate' "$truth"
R=$T/private.json
scan "$R" "$LONG"
assert_eq "private: verifies against --ca-file" true "$(ep "$R" "$LONG" "e['verification']['ca_ok']")"
sys_usable=$(ep "$R" "$LONG" "e['verification']['public_trust']['anchored']")
if [ -n "$(ls /etc/ssl/certs 2>/dev/null | grep -E '^[0-9a-f]{8}\.[0-9]+$' | head -1)" ]; then
	assert_eq "private: not anchored in the system store" false "$sys_usable"
	assert_eq "private: the verify error" "unable to get local issuer certificate" \
		"$(ep "$R" "$LONG" "e['verification']['public_trust']['detail']")"
	assert_eq "private 330 days: nothing about CA/B" absent "$(finding "$R" "$LONG" cert.cabf-validity title)"
else
	echo "note: this machine has no hashed system store; the private case is the empty store's"
	assert_eq "no system store: cannot tell" null "$sys_usable"
fi
# c) an empty store (missing file, empty directory): cannot tell, and a finding says so
R=$T/unknown.json
SSL_CERT_FILE=$W/no-such-file.pem SSL_CERT_DIR=$W/empty scan "$R" "$LONG" "$SHORT"
assert_eq "empty store: anchored is null" null "$(ep "$R" "$LONG" "e['verification']['public_trust']['anchored']")"
assert_match "empty store: why" 'empty or unreadable' \
	"$(ep "$R" "$LONG" "e['verification']['public_trust']['detail']")"
assert_match "empty store, 330 days: cannot tell is a finding" \
	'^Cannot tell whether the CA/B Forum limit applies: valid for 330 days' \
	"$(finding "$R" "$LONG" cert.cabf-validity title)"
assert_eq "empty store, 150 days: within every limit, nothing to tell" absent \
	"$(finding "$R" "$SHORT" cert.cabf-validity title)"
# a directory whose only hashed entry is a dangling link (a removed root) is no store either
mkdir -p "$W/dangling"
ln -sf "$W/no-such-root.pem" "$W/dangling/9d66eef0.0"
R=$T/dangling.json
SSL_CERT_FILE=$W/no-such-file.pem SSL_CERT_DIR=$W/dangling scan "$R" "$LONG"
assert_eq "dangling hashed link: anchored is null" null \
	"$(ep "$R" "$LONG" "e['verification']['public_trust']['anchored']")"
# a saved report judged again keeps the fact
"$DBTLS" check --facts "$T/public.json" -q -o "$T/public-again.json" >/dev/null 2>&1 || true
assert_match "check --facts: the public finding again" '^Publicly trusted' \
	"$(finding "$T/public-again.json" "$LONG" cert.cabf-validity title)"

# --- 3. auto-generated certificates -------------------------------------------------------------
A=$W/auto
mkdir -p "$A"
# MariaDB zero-configuration shape: one self-signed certificate, one RDN naming MariaDB (the
# SAN lets the --sql login verify it as its own CA)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$A/zero.key" -out "$A/zero.pem" \
	-subj "/CN=MariaDB Server" -addext "subjectAltName=IP:127.0.0.1" -days 3650 2>/dev/null
# MySQL's auto_generate_certs chain: a CA and the server certificate it issued (mysqld serves
# the server certificate alone)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$A/myca.key" -out "$A/myca.pem" \
	-subj "/CN=MySQL_Server_8.0.36_Auto_Generated_CA_Certificate" -days 3650 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$A/mysrv.key" -out "$A/mysrv.csr" \
	-subj "/CN=MySQL_Server_8.0.36_Auto_Generated_Server_Certificate" 2>/dev/null
openssl x509 -req -in "$A/mysrv.csr" -CA "$A/myca.pem" -CAkey "$A/myca.key" -CAcreateserial \
	-CAserial "$A/myca.srl" -days 3650 -out "$A/mysrv.pem" 2>/dev/null
mts_start() { # NAME VERSION CERT KEY: mysql_tls_server.py, NAME_PORT
	local var portfile=$T/mts-$1.port pid i
	var=$(_dbtls_varname "$1")
	"$DBTLS_PYTHON" "$DBTLS_LIBDIR/mysql_tls_server.py" "$2" "$3" "$4" "$portfile" \
		</dev/null >"$T/mts-$1.log" 2>&1 &
	pid=$!
	disown "$pid"
	_DBTLS_FAKE_PID[$1]=$pid
	for ((i = 0; i < 100; i++)); do
		[ -s "$portfile" ] && { export "${var}_PORT=$(cat "$portfile")"; return 0; }
		sleep 0.05
	done
	cat "$T/mts-$1.log"
	return 1
}
mts_start zero114 "5.5.5-11.4.5-MariaDB-log" "$A/zero.pem" "$A/zero.key"
mts_start mysql80 "8.0.36" "$A/mysrv.pem" "$A/mysrv.key"
start_with_cert ZERO1011 "$A/zero.pem" "$A/zero.key"
SCAN_PW='Ctx-scan-pw-4e1f0a77'
mariadb_sql ZERO1011 "
CREATE USER 'scan'@'%' IDENTIFIED BY '$SCAN_PW';
GRANT SELECT ON mysql.* TO 'scan'@'%';
CREATE USER 'nopw'@'%';
CREATE USER 'web'@'10.%' IDENTIFIED BY 'x';"

# ground truth: what openssl sees on each (the subject, and the verify result without a CA)
for p in "$ZERO114_PORT" "$ZERO1011_PORT"; do
	out=$(openssl s_client -starttls mysql -connect "127.0.0.1:$p" </dev/null 2>&1 || true)
	assert_match "truth ($p): the MariaDB-shaped certificate is served" 'subject=CN ?= ?MariaDB Server' "$out"
	assert_match "truth ($p): self-signed" 'verify error:num=18:self[- ]signed certificate' "$out"
done
out=$(openssl s_client -starttls mysql -connect "127.0.0.1:$MYSQL80_PORT" </dev/null 2>&1 || true)
assert_match "truth: the MySQL auto-generated leaf" 'subject=CN ?= ?MySQL_Server_8.0.36_Auto_Generated_Server_Certificate' "$out"
assert_match "truth: its issuer is not served" 'verify error:num=20:unable to get local issuer certificate' "$out"
assert_match "truth: the real server is MariaDB 10.11" '^10\.11\.' "$(mariadb_sql ZERO1011 'SELECT VERSION()')"
plugins=$(mariadb_sql ZERO1011 "SELECT CONCAT(user, '@', host, '=', plugin, ':', IF(authentication_string = '', 'N', 'Y')) FROM mysql.user WHERE user IN ('scan', 'nopw', 'web') ORDER BY user" | tr '\n' ' ')
assert_eq "truth: plugins and passwords in mysql.user" \
	"nopw@%=mysql_native_password:N scan@%=mysql_native_password:Y web@10.%=mysql_native_password:Y " "$plugins"

Z114=mysql://127.0.0.1:$ZERO114_PORT
M80=mysql://127.0.0.1:$MYSQL80_PORT
Z1011=mysql://127.0.0.1:$ZERO1011_PORT
R=$T/auto.json
scan "$R" "$Z114" "$M80"
assert_match "MariaDB 11.4 shape: the zero-configuration finding" \
	'^MariaDB zero-configuration TLS certificate: only MariaDB 11.4\+ connectors verify it' \
	"$(finding "$R" "$Z114" cert.auto-generated title)"
assert_match "MariaDB 11.4 shape: no --sql, the accounts cannot be told" \
	'from the certificate.s shape; .*cannot be told \(no --sql\)' \
	"$(finding "$R" "$Z114" cert.auto-generated evidence)"
assert_eq "MariaDB 11.4 shape: medium" medium "$(finding "$R" "$Z114" cert.auto-generated severity)"
assert_eq "MariaDB 11.4 shape: replaces cert.self-signed" absent "$(finding "$R" "$Z114" cert.self-signed title)"
assert_eq "MariaDB 11.4 shape: replaces cert.untrusted" absent "$(finding "$R" "$Z114" cert.untrusted title)"
assert_match "MariaDB 11.4 shape: the fix says which clients" 'Connector/C 3.4\+.*FLUSH SSL' \
	"$(finding "$R" "$Z114" cert.auto-generated remediation | tr '\n' ' ')"
assert_match "MySQL 8.0 auto-generated: the MySQL finding" \
	"^MySQL's auto-generated certificate: clients that do not verify are exposed" \
	"$(finding "$R" "$M80" cert.auto-generated title)"
assert_match "MySQL 8.0 auto-generated: caching_sha2_password exposure named" 'caching_sha2_password' \
	"$(finding "$R" "$M80" cert.auto-generated evidence)"
assert_match "MySQL 8.0 auto-generated: the fix" 'auto_generate_certs=OFF.*ALTER INSTANCE RELOAD TLS|ALTER INSTANCE RELOAD TLS.*auto_generate_certs=OFF' \
	"$(finding "$R" "$M80" cert.auto-generated remediation | tr '\n' ' ')"
assert_match "MySQL 8.0 auto-generated: cert.untrusted stays (nobody has that CA)" 'does not verify' \
	"$(finding "$R" "$M80" cert.untrusted title)"
# the real 10.11 with the same certificate: no zero-configuration TLS before 11.4
R=$T/auto1011.json
DBTLS_MYSQL_PASSWORD=$SCAN_PW scan "$R" --ca-file "$A/zero.pem" --sql --sql-user scan "$Z1011"
assert_eq "MariaDB 10.11: sql status" ok "$(ep "$R" "$Z1011" "e['sql']['status']")"
assert_eq "MariaDB 10.11: not zero-configuration" absent "$(finding "$R" "$Z1011" cert.auto-generated title)"
assert_eq "MariaDB 10.11: self-signed" "Self-signed certificate" "$(finding "$R" "$Z1011" cert.self-signed title)"
got=$(ep "$R" "$Z1011" "' '.join('%s@%s=%s:%s' % (a['user'], a['host'], a.get('plugin'), 'Y' if a.get('password') else 'N') for a in e['sql']['accounts']['list'] if a['user'] in ('scan', 'nopw', 'web'))")
assert_eq "--sql: plugins and passwords as mysql.user has them" \
	"nopw@%=mysql_native_password:N scan@%=mysql_native_password:Y web@10.%=mysql_native_password:Y" "$got"
assert_fails "the report holds no password hash" grep -qi 'authentication_string\|\*[0-9A-F]\{40\}' "$R"
# and the same facts with the server's version claimed 11.4 and ssl_cert read empty: judged
# again offline, the accounts that cannot use the password check are named
"$DBTLS_PYTHON" - "$R" "$T/auto1011-as-114.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = d["endpoints"][0]
e["server"]["version"] = "5.5.5-11.4.5-MariaDB"
e["sql"]["variables"]["ssl_cert"] = ""
json.dump(d, open(sys.argv[2], "w"))
PY
"$DBTLS" check --facts "$T/auto1011-as-114.json" -q -o "$T/auto-114-again.json" >/dev/null 2>&1 || true
assert_match "as 11.4 with --sql facts: ssl_cert empty is certain" "the server's ssl_cert is empty" \
	"$(finding "$T/auto-114-again.json" "$Z1011" cert.auto-generated evidence)"
assert_match "as 11.4 with --sql facts: the account without a password is named" \
	'cannot work for nopw@% \(no password\)' \
	"$(finding "$T/auto-114-again.json" "$Z1011" cert.auto-generated evidence)"

finish
