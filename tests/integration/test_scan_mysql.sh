#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_scan_mysql.sh: dbtls against real MariaDB servers on loopback: the compatibility config
# (TLS 1.0-1.3, ALL:@SECLEVEL=0), the strict one (TLS 1.2/1.3, ECDHE+AEAD), TLS off, an expired
# and a self-signed certificate. Accepted versions must equal what `openssl s_client -starttls
# mysql` finds, version by version; chain and verification facts must match the PKI; every report
# must validate against data/report.schema.json.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

start_compat COMPAT
start_strict STRICT
start_notls NOTLS
start_with_cert EXPIRED expired-chain.pem expired.key
start_with_cert SELFSIGNED selfsigned.pem selfsigned.key
CA=$DBTLS_PKI/ca-bundle.pem

rc=0
"$DBTLS" scan --policy none --ca-file "$CA" --timeout 5 -q -o "$T/r.json" \
	"127.0.0.1:$COMPAT_PORT" "mysql://localhost:$STRICT_PORT" "mysql://127.0.0.1:$NOTLS_PORT" \
	"mysql://localhost:$EXPIRED_PORT" "mysql://localhost:$SELFSIGNED_PORT" || rc=$?
assert_eq "exit status when every endpoint was scanned" 0 "$rc"
assert_ok "report validates against the schema" validate_report "$T/r.json"
j() { py_json "$T/r.json" "$1"; }

# --- versions equal the openssl ground truth ------------------------------------------------------
for i in 0 1; do
	port=$COMPAT_PORT
	[ $i = 1 ] && port=$STRICT_PORT
	truth=$(openssl_versions 127.0.0.1 "$port" mysql | tr '\n' ' ')
	ours=$(j "' '.join(v for v in ['TLSv1.0','TLSv1.1','TLSv1.2','TLSv1.3'] if d['endpoints'][$i]['tls']['versions'][v]['status']=='accepted')")
	assert_eq "endpoint $i: accepted versions equal openssl s_client's" "${truth% }" "$ours"
	for v in SSLv2 SSLv3; do
		assert_eq "endpoint $i: $v rejected" rejected "$(j "d['endpoints'][$i]['tls']['versions']['$v']['status']")"
	done
done
assert_eq "compat: TLS 1.0-1.3 accepted (issue's 'done means')" "TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3" \
	"$(j "' '.join(k for k,v in d['endpoints'][0]['tls']['versions'].items() if v['status']=='accepted')")"
assert_eq "strict: only TLS 1.2 and 1.3" "TLSv1.2 TLSv1.3" \
	"$(j "' '.join(k for k,v in d['endpoints'][1]['tls']['versions'].items() if v['status']=='accepted')")"
assert_match "strict: TLS 1.1 refused with an alert" '^alert ' \
	"$(j "d['endpoints'][1]['tls']['versions']['TLSv1.1']['reason']")"

# --- what the preamble learned --------------------------------------------------------------------
assert_eq "server product" MariaDB "$(j "d['endpoints'][0]['server']['product']")"
assert_match "server version from the greeting" 'MariaDB' "$(j "d['endpoints'][0]['server']['version']")"
assert_eq "tls.offered" true "$(j "d['endpoints'][0]['tls']['offered']")"
assert_eq "protocol" mysql "$(j "d['endpoints'][0]['protocol']")"
assert_eq "address" 127.0.0.1 "$(j "d['endpoints'][1]['address']")"
assert_eq "no errors on a healthy endpoint" "[]" "$(j "d['endpoints'][0]['errors']")"
# the issue's bound: accepted suites + accepted groups + 2 per version probed + 5. The default
# scan now also spends the flight+CCS and the fallback-SCSV connections (handshake facts, issue
# 16); the reverse-order preference check saves one per version with 3+ suites, so it still fits
bound=$(j "sum(len(v.get('suites', [])) for v in d['endpoints'][0]['tls']['versions'].values()) + len(d['endpoints'][0]['tls']['groups']) + 2*6 + 5")
used=$(j "d['endpoints'][0]['connections_used']")
assert_eq "connections used ($used) within the bound ($bound)" 1 "$((used <= bound))"
assert_eq "compat: suites per version" "16 16 56 3" \
	"$(j "' '.join(str(len(d['endpoints'][0]['tls']['versions'][v]['suites'])) for v in ['TLSv1.0','TLSv1.1','TLSv1.2','TLSv1.3'])")"
assert_eq "strict: suites per version" "3 3" \
	"$(j "' '.join(str(len(d['endpoints'][1]['tls']['versions'][v]['suites'])) for v in ['TLSv1.2','TLSv1.3'])")"
assert_eq "MariaDB follows the client's order" "False False" \
	"$(j "' '.join(str(d['endpoints'][1]['tls']['versions'][v]['server_order']) for v in ['TLSv1.2','TLSv1.3'])")"
assert_match "groups include x25519 and secp256r1" 'x25519.*secp256r1|secp256r1.*x25519' "$(j "d['endpoints'][0]['tls']['groups']")"
assert_eq "DHE prime size (OpenSSL's default for a 2048-bit RSA key)" 2048 "$(j "d['endpoints'][0]['tls']['dh_bits']")"
assert_eq "strict: no DHE" null "$(j "d['endpoints'][1]['tls']['dh_bits']")"

# --- TLS off --------------------------------------------------------------------------------------
assert_eq "no TLS: tls.offered false" false "$(j "d['endpoints'][2]['tls']['offered']")"
assert_eq "no TLS: TLS 1.2 rejected" rejected "$(j "d['endpoints'][2]['tls']['versions']['TLSv1.2']['status']")"
assert_eq "no TLS: reason" "server offers no TLS" "$(j "d['endpoints'][2]['tls']['versions']['TLSv1.3']['reason']")"
assert_eq "no TLS: greeting still read" MariaDB "$(j "d['endpoints'][2]['server']['product']")"
# the opening connection, and the warm ones opened beside it (at most --per-host-connections - 1,
# closed unused once the greeting shows no TLS)
used=$(j "d['endpoints'][2]['connections_used']")
assert_eq "no TLS: the opening and at most 3 warm connections ($used)" 1 "$((used >= 1 && used <= 4))"
"$DBTLS" scan --policy none --no-pipeline --timeout 5 -q -o "$T/notls.json" "mysql://127.0.0.1:$NOTLS_PORT" || true
assert_eq "no TLS, --no-pipeline: one connection, nothing sent after the greeting" 1 \
	"$(py_json "$T/notls.json" "d['endpoints'][0]['connections_used']")"
assert_eq "no TLS: no chain" 0 "$(j "len(d['endpoints'][2]['certificates'])")"

# --- chain and verification -----------------------------------------------------------------------
assert_eq "served chain length (leaf + intermediate)" 2 "$(j "len(d['endpoints'][0]['certificates'])")"
assert_match "leaf subject" 'CN=localhost' "$(j "d['endpoints'][0]['certificates'][0]['subject']")"
assert_match "second is the intermediate" 'intermediate' "$(j "d['endpoints'][0]['certificates'][1]['subject']")"
assert_eq "leaf SANs" '["DNS:localhost", "IP:127.0.0.1", "IP:::1"]' "$(j "d['endpoints'][0]['certificates'][0]['sans']")"
assert_eq "key" "RSA 2048" "$(j "d['endpoints'][0]['certificates'][0]['key_type'] + ' ' + str(d['endpoints'][0]['certificates'][0]['key_bits'])")"
assert_eq "compat: ca_ok" true "$(j "d['endpoints'][0]['verification']['ca_ok']")"
assert_eq "compat: hostname_ok for 127.0.0.1 (IP SAN)" true "$(j "d['endpoints'][0]['verification']['hostname_ok']")"
assert_eq "strict: hostname_ok for localhost" true "$(j "d['endpoints'][1]['verification']['hostname_ok']")"
want_fp=$(openssl x509 -in "$DBTLS_PKI/server.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
assert_eq "leaf fingerprint equals the PKI's" "$want_fp" "$(j "d['endpoints'][0]['certificates'][0]['sha256_fingerprint']")"
want_end=$(date -u -d "$(openssl x509 -in "$DBTLS_PKI/server.pem" -noout -enddate | sed 's/notAfter=//')" +%Y-%m-%dT%H:%M:%SZ)
assert_eq "leaf not_after equals the PKI's" "$want_end" "$(j "d['endpoints'][0]['certificates'][0]['not_after']")"
assert_eq "expired: ca_ok false" false "$(j "d['endpoints'][3]['verification']['ca_ok']")"
assert_eq "expired: error" "certificate has expired" "$(j "d['endpoints'][3]['verification']['error']")"
assert_eq "expired: hostname still matches" true "$(j "d['endpoints'][3]['verification']['hostname_ok']")"
assert_match "expired: days_left negative" '^-[0-9]+$' "$(j "d['endpoints'][3]['certificates'][0]['days_left']")"
assert_eq "self-signed: ca_ok false" false "$(j "d['endpoints'][4]['verification']['ca_ok']")"
assert_eq "self-signed: flag" true "$(j "d['endpoints'][4]['certificates'][0]['self_signed']")"
assert_eq "self-signed: chain of one" 1 "$(j "len(d['endpoints'][4]['certificates'])")"

# --- SNI / host name mismatch and the system store -------------------------------------------------
"$DBTLS" scan --policy none --ca-file "$CA" --sni db.example -q -o "$T/sni.json" "127.0.0.1:$STRICT_PORT"
assert_eq "--sni db.example: chain still verifies" true "$(py_json "$T/sni.json" "d['endpoints'][0]['verification']['ca_ok']")"
assert_eq "--sni db.example: name does not match" false "$(py_json "$T/sni.json" "d['endpoints'][0]['verification']['hostname_ok']")"
assert_eq "--sni: recorded" db.example "$(py_json "$T/sni.json" "d['endpoints'][0]['sni']")"
"$DBTLS" scan --policy none -q -o "$T/sys.json" "127.0.0.1:$STRICT_PORT"
assert_eq "system store: a private CA does not verify" false "$(py_json "$T/sys.json" "d['endpoints'][0]['verification']['ca_ok']")"
assert_eq "system store: named" system "$(py_json "$T/sys.json" "d['endpoints'][0]['verification']['ca_source']")"

# --- IPv6: [::1] targets, the address in the report, the IP SAN match --------------------------------
start_strict SIX --bind-address=::1
rc=0
"$DBTLS" scan --policy none --ca-file "$CA" -q -o "$T/v6.json" "mysql://[::1]:$SIX_PORT" || rc=$?
assert_eq "IPv6: exit status" 0 "$rc"
assert_eq "IPv6: host and address" "::1 ::1" "$(py_json "$T/v6.json" "d['endpoints'][0]['host'] + ' ' + d['endpoints'][0]['address']")"
assert_eq "IPv6: versions" "TLSv1.2 TLSv1.3" \
	"$(py_json "$T/v6.json" "' '.join(k for k,v in d['endpoints'][0]['tls']['versions'].items() if v['status']=='accepted')")"
assert_eq "IPv6: the leaf's IP:::1 SAN matches" true "$(py_json "$T/v6.json" "d['endpoints'][0]['verification']['hostname_ok']")"
assert_eq "IPv6: openssl s_client agrees" "TLSv1.2 TLSv1.3" "$(openssl_versions ::1 "$SIX_PORT" mysql | tr '\n' ' ' | sed 's/ $//')"

# --- text summary ---------------------------------------------------------------------------------
out=$("$DBTLS" scan --policy none --ca-file "$CA" --format text "127.0.0.1:$COMPAT_PORT" "127.0.0.1:$NOTLS_PORT")
assert_match "text: versions line" 'versions: SSLv2=no SSLv3=no TLSv1.0=yes TLSv1.1=yes TLSv1.2=yes TLSv1.3=yes' "$out"
assert_match "text: verification line" 'chain verifies .*: yes; host name 127.0.0.1 matches: yes' "$out"
assert_match "text: no TLS" 'server offers no TLS' "$out"
assert_match "text: summary line" '2 endpoints scanned, 0 with errors' "$out"
case $out in *$'\033'*) assert_eq "text: no colour when not a terminal" none escape ;; esac

# --- several outputs, and targets from a file --------------------------------------------------------
printf '# fleet\n127.0.0.1:%s\n\nmysql://localhost:%s  # strict\n' "$COMPAT_PORT" "$STRICT_PORT" >"$T/targets.txt"
"$DBTLS" scan --policy none --targets "$T/targets.txt" --ca-file "$CA" -q -o "$T/f.json" -o "$T/f.txt"
assert_eq "targets file: two endpoints" 2 "$(py_json "$T/f.json" "len(d['endpoints'])")"
assert_match "-o FILE.txt gets the text format" 'endpoints scanned' "$(cat "$T/f.txt")"
assert_eq "no temporary files left next to the reports" "" "$(ls "$T" | grep '\.tmp\.' || true)"

finish
