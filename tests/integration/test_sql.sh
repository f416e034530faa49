#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_sql.sh: `dbtls scan --sql` against a real MariaDB (performance_schema=ON) on loopback. A
# plain-text TCP client held open by the test must be named in the report (user, host, program);
# accounts created with and without REQUIRE SSL/X509/ISSUER must be classified correctly; a login
# with too few privileges gives "not readable" facts and a complete report; a wrong password is an
# error for that endpoint while the TLS probe results stay; the certificate is verified unless
# --sql-insecure (itself a finding); the password comes from DBTLS_MYSQL_PASSWORD or
# --defaults-file, never from MYSQL_PWD; and the password appears in no output at all (stdout,
# stderr, JSON, text, a re-judged report).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
# no ~/.my.cnf of whoever runs the tests: the option files are the test's own
export HOME=$T/home
mkdir -p "$HOME"
unset DBTLS_MYSQL_PASSWORD MYSQL_PWD

start_compat SQL --performance-schema=ON
CA=$DBTLS_PKI/ca-bundle.pem
TARGET=mysql://localhost:$SQL_PORT

# Passwords that would be easy to spot in any output. The scan account may read the grant tables
# and performance_schema; "low" may only log in.
SCAN_PW='Sc4n-pw-7f3c9e21'
APP_PW='App-pw-2b8d4c11'
LOW_PW='Low-pw-91ae6d04'
WRONG_PW='Wrong-pw-5c0ffee5'
mariadb_sql SQL "
CREATE USER 'scan'@'%' IDENTIFIED BY '$SCAN_PW' REQUIRE SSL;
GRANT SELECT ON mysql.* TO 'scan'@'%';
GRANT SELECT ON performance_schema.* TO 'scan'@'%';
CREATE USER 'app'@'%' IDENTIFIED BY '$APP_PW';
CREATE USER 'sec'@'%' IDENTIFIED BY 'x' REQUIRE SSL;
CREATE USER 'x5'@'10.%' IDENTIFIED BY 'x' REQUIRE X509;
CREATE USER 'iss'@'%' IDENTIFIED BY 'x' REQUIRE ISSUER '/CN=dbtls test root CA' AND SUBJECT '/CN=iss';
CREATE USER 'loc'@'localhost' IDENTIFIED BY 'x';
CREATE USER 'old'@'%' IDENTIFIED BY 'x' ACCOUNT LOCK;
CREATE USER 'low'@'%' IDENTIFIED BY '$LOW_PW' REQUIRE SSL;"

# A plain-text TCP client that stays connected during the scans (its password via the
# environment, so it is not on a command line either).
MYSQL_PWD=$APP_PW mariadb --no-defaults --skip-ssl --protocol=TCP -h127.0.0.1 -P"$SQL_PORT" -uapp \
	-e 'SELECT SLEEP(300)' >/dev/null 2>&1 &
PLAIN_PID=$!
dbtls_at_exit "kill $PLAIN_PID 2>/dev/null; wait $PLAIN_PID 2>/dev/null"
for _ in $(seq 100); do
	n=$(mariadb_sql SQL "SELECT COUNT(*) FROM performance_schema.threads WHERE PROCESSLIST_USER='app' AND CONNECTION_TYPE='TCP/IP'")
	[ "$n" = 1 ] && break
	sleep 0.05
done
assert_eq "the plain-text client is connected" 1 "$n"

OUTPUTS=()
run() { # NAME EXPECTED-EXIT ARGS... (environment as set by the caller)
	local name=$1 want=$2 rc=0
	shift 2
	"$DBTLS" "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	OUTPUTS+=("$T/$name.out" "$T/$name.err")
	assert_eq "$name: exit status" "$want" "$rc"
	[ "$rc" = "$want" ] || { cat "$T/$name.err"; tail -30 "$T/$name.out"; }
}

# --- a full login: everything readable ---------------------------------------------------------
DBTLS_MYSQL_PASSWORD=$SCAN_PW run full 1 scan --ca-file "$CA" --sql --sql-user scan \
	-o "$T/full.json" -o "$T/full.txt" "$TARGET"
OUTPUTS+=("$T/full.json" "$T/full.txt")
assert_ok "full: report validates" validate_report "$T/full.json"
j() { py_json "$T/full.json" "$1"; }
S="d['endpoints'][0]['sql']"
assert_eq "full: sql status" ok "$(j "$S['status']")"
assert_eq "full: certificate verified" true "$(j "$S['verify_server_cert']")"
assert_eq "full: logged in as" "scan@%" "$(j "$S['account']")"
assert_match "full: session over TLS" '^TLSv1\.[23]$' "$(j "$S['session']['Ssl_version']")"
assert_eq "full: require_secure_transport" OFF "$(j "$S['variables']['require_secure_transport']")"
assert_eq "full: ssl_cipher" "ALL:@SECLEVEL=0" "$(j "$S['variables']['ssl_cipher']")"
assert_eq "full: tls_version" "TLSv1.0,TLSv1.1,TLSv1.2,TLSv1.3" "$(j "$S['variables']['tls_version']")"
assert_eq "full: tls_ciphersuites absent on MariaDB (null, not missing)" "null" \
	"$(j "$S['variables'].get('tls_ciphersuites', 'missing')")"
assert_match "full: TLS library" '^OpenSSL ' "$(j "$S['variables']['version_ssl_library']")"
assert_eq "full: performance_schema read" read "$(j "$S['connections']['status']")"
assert_eq "full: the plain-text client, named" '[["app", "TCP/IP", "mysql"]]' \
	"$(j "[[c['user'], c['type'], c['program']] for c in $S['connections']['list'] if c['type'] == 'TCP/IP']")"
assert_eq "full: dbtls's own connection is TLS" '["SSL/TLS"]' \
	"$(j "[c['type'] for c in $S['connections']['list'] if c['self']]")"
acct() { j "[a['require'] + '/' + str(a['network']) for a in $S['accounts']['list'] if (a['user'], a['host']) == ('$1', '$2')]"; }
assert_eq "full: accounts from" mysql.global_priv "$(j "$S['accounts']['source']")"
assert_eq "full: app@% has no TLS requirement" '["none/True"]' "$(acct app %)"
assert_eq "full: sec@% REQUIRE SSL" '["SSL/True"]' "$(acct sec %)"
assert_eq "full: x5@10.% REQUIRE X509" '["X509/True"]' "$(acct x5 10.%)"
assert_eq "full: iss@% REQUIRE ISSUER AND SUBJECT" '["ISSUER SUBJECT/True"]' "$(acct iss %)"
assert_eq "full: loc@localhost is not a network account" '["none/False"]' "$(acct loc localhost)"
assert_eq "full: old@% is locked" true "$(j "[a['locked'] for a in $S['accounts']['list'] if a['user'] == 'old'][0]")"
assert_eq "full: nothing unreadable" "[]" "$(j "$S['unreadable']")"
# the server's own certificate dates are the probed leaf's
assert_eq "full: Ssl_server_not_after is the leaf's not_after" true \
	"$(j "__import__('calendar').timegm(__import__('time').strptime($S['session']['Ssl_server_not_after'], '%b %d %H:%M:%S %Y GMT')) == __import__('calendar').timegm(__import__('time').strptime(d['endpoints'][0]['certificates'][0]['not_after'], '%Y-%m-%dT%H:%M:%SZ'))")"
F="d['endpoints'][0]['findings']"
ids=$(j "' '.join(sorted(set(f['check'] for f in $F if f['check'].startswith('sql.'))))")
assert_eq "full: SQL findings" "sql.account-no-tls sql.plaintext-connections sql.require-secure-transport-off sql.ssl-cipher-weak sql.tls-version-legacy" "$ids"
finding() { j "[f['$2'] for f in $F if f['check'] == '$1'][0]"; }
assert_match "full: plain-text finding names the client" "app@localhost \(program mysql, connection [0-9]+" \
	"$(finding sql.plaintext-connections evidence)"
assert_match "full: plain-text remediation names the client's account" "ALTER USER 'app'@'%' REQUIRE SSL;" \
	"$(finding sql.plaintext-connections remediation)"
assert_match "full: account finding names app@%" "'app'@'%'" "$(finding sql.account-no-tls evidence)"
assert_eq "full: … and not the accounts with TLS or local ones" "" \
	"$(finding sql.account-no-tls evidence | grep -oE "'(sec|x5|iss|loc|old|scan|low)'@" || true)"
assert_match "full: account remediation is the exact SQL" "ALTER USER 'app'@'%' REQUIRE SSL;" \
	"$(finding sql.account-no-tls remediation)"
assert_match "full: require_secure_transport remediation" "SET GLOBAL require_secure_transport=ON;.*my.cnf.*require_secure_transport=ON" \
	"$(finding sql.require-secure-transport-off remediation)"
assert_eq "full: the TLS probes are all still there" accepted \
	"$(j "d['endpoints'][0]['tls']['versions']['TLSv1.2']['status']")"
assert_match "full: text report has the SQL lines" "sql: logged in as scan@.*session TLSv1" "$(cat "$T/full.txt")"
assert_match "full: text report counts the plain-text client" "connections: [0-9]+ \(1 plain-text TCP" "$(cat "$T/full.txt")"

# --- the saved report judged again: the SQL facts come back --------------------------------------
run recheck 1 check --facts "$T/full.json" -o "$T/recheck.json"
OUTPUTS+=("$T/recheck.json")
assert_eq "recheck: the same SQL findings" "$ids" \
	"$(py_json "$T/recheck.json" "' '.join(sorted(set(f['check'] for f in d['endpoints'][0]['findings'] if f['check'].startswith('sql.'))))")"
assert_eq "recheck: facts unchanged" true \
	"$(py_json "$T/recheck.json" "d['endpoints'][0]['sql'] == json.load(open('$T/full.json'))['endpoints'][0]['sql']")"

# --- too few privileges: facts say so, the report is complete -------------------------------------
DBTLS_MYSQL_PASSWORD=$LOW_PW run low 1 scan --ca-file "$CA" --sql --sql-user low -q -o "$T/low.json" "$TARGET"
OUTPUTS+=("$T/low.json")
assert_ok "low: report validates" validate_report "$T/low.json"
l() { py_json "$T/low.json" "$1"; }
assert_eq "low: no endpoint errors" "[]" "$(l "d['endpoints'][0]['errors']")"
assert_eq "low: sql status" ok "$(l "$S['status']")"
assert_eq "low: connections not readable" not_readable "$(l "$S['connections']['status']")"
assert_eq "low: accounts not readable" not_readable "$(l "$S['accounts']['status']")"
assert_eq "low: each failed statement is a fact" '[["connections", 1142], ["accounts", 1142], ["accounts", 1142]]' \
	"$(l "[[u['what'], u['code']] for u in $S['unreadable']]")"
assert_match "low: … with the statement" "FROM performance_schema.threads" "$(l "$S['unreadable'][0]['statement']")"
assert_eq "low: settings still read" OFF "$(l "$S['variables']['require_secure_transport']")"
assert_eq "low: what can be judged still is" true \
	"$(l "'sql.require-secure-transport-off' in [f['check'] for f in d['endpoints'][0]['findings']]")"
assert_eq "low: nothing claimed about what was not read" "[]" \
	"$(l "[f['check'] for f in d['endpoints'][0]['findings'] if f['check'] in ('sql.plaintext-connections', 'sql.account-no-tls')]")"

# --- a wrong password: an error for the endpoint; the TLS facts stay ------------------------------
DBTLS_MYSQL_PASSWORD=$WRONG_PW run wrong 3 scan --ca-file "$CA" --sql --sql-user scan --policy none \
	-o "$T/wrong.json" -o "$T/wrong.txt" "$TARGET"
OUTPUTS+=("$T/wrong.json" "$T/wrong.txt")
assert_ok "wrong: report validates" validate_report "$T/wrong.json"
w() { py_json "$T/wrong.json" "$1"; }
assert_eq "wrong: one error, at the SQL login" '[["SERVER_ERROR", "sql login"]]' \
	"$(w "[[e['code'], e['stage']] for e in d['endpoints'][0]['errors']]")"
assert_match "wrong: the error says what the server said" "ERROR 1045: Access denied for user 'scan'@" \
	"$(w "d['endpoints'][0]['errors'][0]['message']")"
assert_eq "wrong: sql status" '["failed", 1045]' "$(w "[$S['status'], $S['error_code']]")"
assert_eq "wrong: TLS probing results still there" '["accepted", "accepted"]' \
	"$(w "[d['endpoints'][0]['tls']['versions'][v]['status'] for v in ('TLSv1.2', 'TLSv1.3')]")"
assert_eq "wrong: the certificate chain too" 2 "$(w "len(d['endpoints'][0]['certificates'])")"
assert_match "wrong: text report names the failure" "sql: login failed: ERROR 1045" "$(cat "$T/wrong.txt")"

# --- MYSQL_PWD is not a password source ----------------------------------------------------------
MYSQL_PWD=$SCAN_PW run mysql_pwd 3 scan --ca-file "$CA" --sql --sql-user scan --policy none -q \
	-o "$T/mysql_pwd.json" "$TARGET"
OUTPUTS+=("$T/mysql_pwd.json")
assert_match "MYSQL_PWD: ignored (no password sent)" "using password: NO" \
	"$(py_json "$T/mysql_pwd.json" "d['endpoints'][0]['errors'][0]['message']")"

# --- --defaults-file: user and password from the option file --------------------------------------
printf '[client]\nuser=scan\npassword=%s\n' "$SCAN_PW" >"$T/scan.cnf"
chmod 600 "$T/scan.cnf"
run cnf 1 scan --ca-file "$CA" --defaults-file "$T/scan.cnf" -q -o "$T/cnf.json" "$TARGET"
OUTPUTS+=("$T/cnf.json")
assert_eq "defaults-file: logged in (implies --sql)" '["ok", "scan@%"]' \
	"$(py_json "$T/cnf.json" "[$S['status'], $S['account']]")"

# --- verification: a CA that did not issue the certificate ------------------------------------------
OTHER=$DBTLS_PKI/other-ca.pem
DBTLS_MYSQL_PASSWORD=$SCAN_PW run unverified 3 scan --ca-file "$OTHER" --sql --sql-user scan \
	--policy none -q -o "$T/unverified.json" "$TARGET"
OUTPUTS+=("$T/unverified.json")
assert_eq "wrong CA: the login refuses the server" '[["TLS", "sql login"]]' \
	"$(py_json "$T/unverified.json" "[[e['code'], e['stage']] for e in d['endpoints'][0]['errors']]")"
DBTLS_MYSQL_PASSWORD=$SCAN_PW run insecure 1 scan --ca-file "$OTHER" --sql-insecure --sql-user scan \
	-q -o "$T/insecure.json" "$TARGET"
OUTPUTS+=("$T/insecure.json")
assert_eq "--sql-insecure: logged in without verification" '["ok", false]' \
	"$(py_json "$T/insecure.json" "[$S['status'], $S['verify_server_cert']]")"
assert_eq "--sql-insecure: a finding about the scan itself" true \
	"$(py_json "$T/insecure.json" "'sql.insecure-scan' in [f['check'] for f in d['endpoints'][0]['findings']]")"

# --- no TLS, no login ----------------------------------------------------------------------------
fake_start NOSSL mysql-nossl
DBTLS_MYSQL_PASSWORD=$SCAN_PW run nossl 1 scan --sql --sql-user scan -q -o "$T/nossl.json" \
	"mysql://127.0.0.1:$NOSSL_PORT"
OUTPUTS+=("$T/nossl.json")
assert_eq "no TLS: the login is skipped, not sent in clear text" skipped \
	"$(py_json "$T/nossl.json" "$S['status']")"
assert_ok "no TLS: report validates" validate_report "$T/nossl.json"

# --- usage -----------------------------------------------------------------------------------------
run nouser_file 2 scan --defaults-file "$T/does-not-exist.cnf" "$TARGET"
run help 0 help
assert_match "help documents the SQL options" "--sql-user USER.*DBTLS_MYSQL_PASSWORD" "$(tr '\n' ' ' <"$T/help.out")"

# --- no password anywhere ----------------------------------------------------------------------------
for pw in "$SCAN_PW" "$LOW_PW" "$WRONG_PW" "$APP_PW"; do
	leaks=$(grep -lF -- "$pw" "${OUTPUTS[@]}" || true)
	assert_eq "no output contains a password (${pw:0:4}…)" "" "$leaks"
done
assert_eq "every output was looked at" true "$([ "${#OUTPUTS[@]}" -ge 30 ] && echo true || echo false)"

finish
