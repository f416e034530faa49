#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_postgres.sh: postgres:// and postgres+direct:// end to end against real servers.
#   - PostgreSQL 15, permissive (TLS 1.0+, ALL:@SECLEVEL=0) and strict (TLS 1.2+, three suites,
#     ssl_prefer_server_ciphers=on): accepted versions and suites equal `openssl s_client
#     -starttls postgres`, one handshake per suite (truth_suites); the strict server's order is
#     the order it enforces; ALPN postgresql after the SSLRequest is "ignored" (PG 15), as s_client
#     sees it.
#   - ssl=off: tls.offered false, tls.not-offered with the PostgreSQL fix text.
#   - --sql: a plaintext client held open is named, host/hostssl rules are reported, a wrong
#     password is one endpoint error with the TLS results kept, the password is in no output.
#   - postgres+direct:// against alpn_server.js: pg17 (refuses a handshake without ALPN
#     postgresql: the scan offers it and succeeds; "selected"), ignore (a proxy that ignores ALPN:
#     "ignored" and protocol.alpn-refused), select; postgres:// against a proxy that answers the
#     SSLRequest and refuses ALPN ("refused", protocol.alpn-refused).
#   - every report format renders; the JSON validates against the schema.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"

require_postgres
T=$DBTLS_TEST_TMP
pki_ensure
CA=$DBTLS_PKI/ca-bundle.pem
lines() { tr '\n' ' ' | sed 's/ $//'; }
# scan_json OUT TARGET [options...]: scan, JSON to OUT, stderr to OUT.err
scan_json() {
	local out=$1 rc=0
	shift
	"$DBTLS" scan --ca-file "$CA" --format json "$@" >"$out" 2>"$out.err" || rc=$?
	# 0 or 1 (findings); anything else (3: an endpoint error is expected only where asserted
	# below; 134: a sanitizer) fails the test
	[ "$rc" -le 1 ] || [ "$rc" -eq 3 ] || {
		_DBTLS_FAILED=$((_DBTLS_FAILED + 1))
		echo "FAIL: dbtls scan $* exited $rc"
		tail -20 "$out.err"
	}
	return 0
}
# the accepted "VERSION OPENSSL-NAME" lines of a report, sorted like truth_suites
report_suites() {
	py_json "$1" "'\n'.join(sorted('%s %s' % (v, s['openssl_name']) for v, x in d['endpoints'][0]['tls']['versions'].items() if x['status'] == 'accepted' for s in x.get('suites', [])))"
}

# a pg_hba.conf with a password rule for "app" before the trust rules
HBA=$T/pg_hba.conf
printf '%s\n' 'local all all trust' \
	'hostssl all app 127.0.0.1/32 scram-sha-256' \
	"$(sed -n '3,$p' <<<"$DBTLS_PG_HBA")" >"$HBA"
chmod 644 "$HBA"
pg_start_permissive PERM "--hba=$HBA"
pg_start_strict STRICT
pg_start_notls NOTLS

# --- permissive: versions and suites against s_client -----------------------------------------
t0=$(date +%s.%N)
scan_json "$T/perm.json" "postgres://127.0.0.1:$PERM_PORT"
t1=$(date +%s.%N)
assert_eq "permissive: no endpoint errors" "[]" "$(py_json "$T/perm.json" "d['endpoints'][0]['errors']")"
assert_eq "permissive: versions = s_client's" "$(truth_versions "$PERM_PORT" postgres | lines)" \
	"$(py_json "$T/perm.json" "' '.join(v for v, x in d['endpoints'][0]['tls']['versions'].items() if x['status'] == 'accepted')")"
truth=$(truth_suites "$PERM_PORT" postgres)
assert_eq "permissive: suites = s_client's, one at a time" "$(lines <<<"$truth")" \
	"$(report_suites "$T/perm.json" | LC_ALL=C sort | lines)"
echo "permissive: $(wc -l <<<"$truth") (version, suite) pairs; scan $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s," \
	"$(py_json "$T/perm.json" "d['endpoints'][0]['connections_used']") connections"
assert_eq "permissive: ALPN postgresql after the SSLRequest, as s_client sees it" \
	"$(truth_alpn "$PERM_PORT" postgresql postgres)" \
	"$(py_json "$T/perm.json" "d['endpoints'][0]['alpn_probe']['outcome']")"
assert_eq "permissive: PG 15 ignores it, no finding" "ignored []" \
	"$(py_json "$T/perm.json" "d['endpoints'][0]['alpn_probe']['outcome'] + ' ' + json.dumps([f['check'] for f in d['endpoints'][0]['findings'] if f['check'] == 'protocol.alpn-refused'])")"
assert_match "permissive: TLS 1.0 finding with a postgresql.conf fix" \
	"ssl_min_protocol_version = 'TLSv1.2'.*pg_reload_conf" \
	"$(py_json "$T/perm.json" "[f['remediation'] for f in d['endpoints'][0]['findings'] if f['check'] == 'protocol.tls10-enabled'][0]")"

# --- strict: suites and the order the server enforces ------------------------------------------
scan_json "$T/strict.json" "postgres://127.0.0.1:$STRICT_PORT"
assert_eq "strict: suites = s_client's" "$(truth_suites "$STRICT_PORT" postgres | lines)" \
	"$(report_suites "$T/strict.json" | LC_ALL=C sort | lines)"
assert_eq "strict: server order" "true" \
	"$(py_json "$T/strict.json" "d['endpoints'][0]['tls']['versions']['TLSv1.2']['server_order']")"
assert_eq "strict: the order is the server's ssl_ciphers" "${DBTLS_PG_STRICT_CIPHERS//:/ }" \
	"$(py_json "$T/strict.json" "' '.join(s['openssl_name'] for s in d['endpoints'][0]['tls']['versions']['TLSv1.2']['suites'])")"
# ground truth of the order: offered in reverse, the server's first suite still wins
assert_eq "strict: s_client agrees the server picks" "TLSv1.2 ${DBTLS_PG_STRICT_CIPHERS%%:*}" \
	"$(truth_handshake "$STRICT_PORT" postgres -tls1_2 -cipher "$(tr ':' '\n' <<<"$DBTLS_PG_STRICT_CIPHERS" | tac | paste -sd:)")"

# --- ssl=off ----------------------------------------------------------------------------------
scan_json "$T/notls.json" "postgres://127.0.0.1:$NOTLS_PORT"
assert_eq "ssl=off: tls.offered false" "false" "$(py_json "$T/notls.json" "d['endpoints'][0]['tls']['offered']")"
assert_eq "ssl=off: one connection" "1" "$(py_json "$T/notls.json" "d['endpoints'][0]['connections_used']")"
assert_match "ssl=off: not-offered with the PostgreSQL fix" "ssl = on.*pg_reload_conf.*hostssl" \
	"$(py_json "$T/notls.json" "[f['remediation'] for f in d['endpoints'][0]['findings'] if f['check'] == 'tls.not-offered'][0]")"
assert_match "ssl=off: evidence says 'N'" "answered 'N' to the SSLRequest" \
	"$(py_json "$T/notls.json" "[f['evidence'] for f in d['endpoints'][0]['findings'] if f['check'] == 'tls.not-offered'][0]")"

# --- --sql ------------------------------------------------------------------------------------
PW='pg-Secret-4711-xyz'
pg_sql PERM "CREATE ROLE app LOGIN PASSWORD '$PW'" >/dev/null
pg_hold_plain PERM
if "$DBTLS" help 2>&1 | grep -q 'built without libpq'; then
	echo "SKIP: --sql (built without libpq)"
else
	DBTLS_PG_PASSWORD=$PW scan_json "$T/sql.json" --sql-user postgres "postgres://127.0.0.1:$PERM_PORT"
	assert_eq "sql: logged in" ok "$(py_json "$T/sql.json" "d['endpoints'][0]['sql']['status']")"
	assert_eq "sql: verified" "true" "$(py_json "$T/sql.json" "d['endpoints'][0]['sql']['verify_server_cert']")"
	assert_match "sql: the plaintext client is named" "dbtls-plain-client" \
		"$(py_json "$T/sql.json" "[f['title'] for f in d['endpoints'][0]['findings'] if f['check'] == 'sql.plaintext-connections']")"
	assert_eq "sql: our own session is TLS" "SSL/TLS" \
		"$(py_json "$T/sql.json" "[c['type'] for c in d['endpoints'][0]['sql']['connections']['list'] if c['self']][0]")"
	assert_eq "sql: host and hostssl rules with their lines" "6:app:none 7:all:SSL" \
		"$(py_json "$T/sql.json" "' '.join('%d:%s:%s' % (a['line'], a['user'], a['require']) for a in d['endpoints'][0]['sql']['accounts']['list'] if a['network'] and a['require'] in ('none', 'SSL') and not a['locked'])")"
	assert_match "sql: account-no-tls fix is a pg_hba.conf line" "line 6: hostssl all app 10.0.0.0/8" \
		"$(py_json "$T/sql.json" "[f['remediation'] for f in d['endpoints'][0]['findings'] if f['check'] == 'sql.account-no-tls'][0]")"
	assert_match "sql: ssl_min_protocol_version=TLSv1 is a finding" "ssl_min_protocol_version" \
		"$(py_json "$T/sql.json" "[f['title'] for f in d['endpoints'][0]['findings'] if f['check'] == 'sql.tls-version-legacy']")"
	assert_ok "sql: the report validates" validate_report "$T/sql.json"

	# a password login (the app role's scram rule) with the right and the wrong password
	DBTLS_PG_PASSWORD=$PW scan_json "$T/app.json" --sql-user app "postgres://127.0.0.1:$PERM_PORT"
	assert_eq "sql: app logs in with DBTLS_PG_PASSWORD" "ok app" \
		"$(py_json "$T/app.json" "d['endpoints'][0]['sql']['status'] + ' ' + d['endpoints'][0]['sql']['account']")"
	DBTLS_PG_PASSWORD="wrong-$PW" PGPASSWORD=$PW scan_json "$T/bad.json" --sql-user app \
		"postgres://127.0.0.1:$PERM_PORT"
	assert_eq "sql: wrong password (PGPASSWORD ignored) is one endpoint error" "failed 1 sql login" \
		"$(py_json "$T/bad.json" "d['endpoints'][0]['sql']['status'] + ' ' + str(len(d['endpoints'][0]['errors'])) + ' ' + d['endpoints'][0]['errors'][0]['stage']")"
	assert_match "sql: the server's words" "password authentication failed" \
		"$(py_json "$T/bad.json" "d['endpoints'][0]['sql']['reason']")"
	assert_eq "sql: the TLS results are kept" "$(report_suites "$T/perm.json" | wc -l)" \
		"$(report_suites "$T/bad.json" | wc -l)"
	# ~/.pgpass (PGPASSFILE) supplies it when the environment does not
	printf '127.0.0.1:%s:*:app:%s\n' "$PERM_PORT" "$PW" >"$T/pgpass"
	chmod 600 "$T/pgpass"
	PGPASSFILE=$T/pgpass scan_json "$T/pgpass.json" --sql-user app "postgres://127.0.0.1:$PERM_PORT"
	assert_eq "sql: the password from PGPASSFILE" ok "$(py_json "$T/pgpass.json" "d['endpoints'][0]['sql']['status']")"
	# --sql-insecure: require, recorded as not verified
	DBTLS_PG_PASSWORD=$PW scan_json "$T/insecure.json" --sql-insecure --sql-user postgres \
		"postgres://127.0.0.1:$PERM_PORT"
	assert_eq "sql: --sql-insecure is recorded" "false" \
		"$(py_json "$T/insecure.json" "d['endpoints'][0]['sql']['verify_server_cert']")"
	# every output format of the password scans, stdout and stderr
	DBTLS_PG_PASSWORD="wrong-$PW" "$DBTLS" scan --ca-file "$CA" --sql-user app -o "$T/all.json" \
		-o "$T/all.html" -o "$T/all.jsonl" -o "$T/all.prom" -o "$T/all.txt" \
		"postgres://127.0.0.1:$PERM_PORT" >"$T/all.out" 2>&1 || true
	assert_eq "the password is in no output" "" \
		"$(grep -l -F -- "$PW" "$T"/*.json "$T"/*.err "$T"/all.* 2>/dev/null || true)"
	for f in all.json all.html all.jsonl all.prom all.txt; do
		assert_ok "$f written" test -s "$T/$f"
	done
	assert_ok "the JSON report validates" validate_report "$T/all.json"
fi

# --- postgres+direct:// against the ALPN servers -------------------------------------------------
if have_node; then
	alpn_start A17 pg17
	alpn_start AIGN ignore
	alpn_start ASEL select
	assert_eq "pg17: s_client without ALPN postgresql is refused" refused "$(truth_alpn "$A17_PORT" h2)"
	seen=$(wc -l <"$A17_LOG")
	scan_json "$T/a17.json" "postgres+direct://127.0.0.1:$A17_PORT"
	assert_eq "pg17: the scan succeeds (TLS 1.2, 1.3)" "TLSv1.2 TLSv1.3 []" \
		"$(py_json "$T/a17.json" "' '.join(v for v, x in d['endpoints'][0]['tls']['versions'].items() if x['status'] == 'accepted') + ' ' + json.dumps(d['endpoints'][0]['errors'])")"
	assert_eq "pg17: ALPN postgresql selected, as s_client sees it" \
		"$(truth_alpn "$A17_PORT" postgresql | cut -d' ' -f1)" \
		"$(py_json "$T/a17.json" "d['endpoints'][0]['alpn_probe']['outcome']")"
	assert_eq "pg17: every connection offered postgresql" "0" \
		"$(tail -n +"$((seen + 1))" "$A17_LOG" | grep -c 'closed (no ALPN)\|refused' || true)"
	scan_json "$T/aign.json" "postgres+direct://127.0.0.1:$AIGN_PORT"
	assert_eq "ignore: ALPN postgresql ignored, as s_client sees it" \
		"$(truth_alpn "$AIGN_PORT" postgresql)" \
		"$(py_json "$T/aign.json" "d['endpoints'][0]['alpn_probe']['outcome']")"
	assert_match "ignore: libpq 17 direct clients would break: a finding" \
		'ALPN "postgresql" ignored on direct TLS' \
		"$(py_json "$T/aign.json" "[f['title'] for f in d['endpoints'][0]['findings'] if f['check'] == 'protocol.alpn-refused'][0]")"
	assert_match "ignore: fixed at the proxy" "alpn postgresql" \
		"$(py_json "$T/aign.json" "[f['remediation'] for f in d['endpoints'][0]['findings'] if f['check'] == 'protocol.alpn-refused'][0]")"
	scan_json "$T/asel.json" "postgres+direct://127.0.0.1:$ASEL_PORT"
	assert_eq "select: selected" selected "$(py_json "$T/asel.json" "d['endpoints'][0]['alpn_probe']['outcome']")"
	# a proxy that answers the SSLRequest and refuses ALPN: libpq 17 clients break there
	alpn_start AREF sslrequest-refuse
	assert_eq "sslrequest-refuse: s_client -starttls postgres -alpn postgresql is refused" refused \
		"$(truth_alpn "$AREF_PORT" postgresql postgres)"
	scan_json "$T/aref.json" "postgres://127.0.0.1:$AREF_PORT"
	assert_eq "sslrequest-refuse: the scan itself succeeds" "TLSv1.2 TLSv1.3 []" \
		"$(py_json "$T/aref.json" "' '.join(v for v, x in d['endpoints'][0]['tls']['versions'].items() if x['status'] == 'accepted') + ' ' + json.dumps(d['endpoints'][0]['errors'])")"
	assert_eq "sslrequest-refuse: ALPN postgresql refused" refused \
		"$(py_json "$T/aref.json" "d['endpoints'][0]['alpn_probe']['outcome']")"
	assert_match "sslrequest-refuse: the finding names libpq 17's ALPN" \
		'ALPN "postgresql" refused: clients that offer it cannot connect' \
		"$(py_json "$T/aref.json" "[f['title'] for f in d['endpoints'][0]['findings'] if f['check'] == 'protocol.alpn-refused'][0]")"
	assert_match "sslrequest-refuse: the fix is at the proxy" "HAProxy.*alpn postgresql" \
		"$(py_json "$T/aref.json" "[f['remediation'] for f in d['endpoints'][0]['findings'] if f['check'] == 'protocol.alpn-refused'][0]")"
	for f in a17 aign asel aref; do
		assert_ok "$f: the report validates" validate_report "$T/$f.json"
	done
else
	echo "SKIP: postgres+direct (node not found)"
fi
for f in perm strict notls; do
	assert_ok "$f: the report validates" validate_report "$T/$f.json"
done
for fmt in text html jsonl prometheus; do
	"$DBTLS" check --facts "$T/perm.json" --format "$fmt" >"$T/perm.$fmt" 2>&1 || true
	assert_ok "perm renders as $fmt" test -s "$T/perm.$fmt"
done
finish
