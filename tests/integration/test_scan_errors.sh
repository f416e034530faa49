#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_scan_errors.sh: endpoints that refuse, stay silent, send garbage, send a MySQL ERR packet in
# place of the greeting (1129 host blocked, 1040 too many connections), offer no TLS, or answer the
# ClientHello the yaSSL way (ERR 1043 #08S01 Bad handshake). Each becomes facts or an error entry
# for that endpoint; the scan of the others (a real MariaDB among them) and the report complete,
# within the timeout, and the exit status is 3.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

start_strict GOOD
for m in silent garbage close mysql-err-1129 mysql-err-1040 mysql-nossl yassl-bad-handshake; do
	fake_start "$m" "$m"
done
REFUSED_PORT=$(free_port) # nothing listens there

start=$(date +%s.%N)
rc=0
"$DBTLS" scan --policy none --ca-file "$DBTLS_PKI/ca-bundle.pem" --timeout 1 -q -o "$T/r.json" \
	"127.0.0.1:$SILENT_PORT" "127.0.0.1:$GARBAGE_PORT" "127.0.0.1:$CLOSE_PORT" \
	"127.0.0.1:$MYSQL_ERR_1129_PORT" "127.0.0.1:$MYSQL_ERR_1040_PORT" \
	"127.0.0.1:$MYSQL_NOSSL_PORT" "127.0.0.1:$YASSL_BAD_HANDSHAKE_PORT" \
	"127.0.0.1:$REFUSED_PORT" "mysql://localhost:$GOOD_PORT" || rc=$?
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
assert_eq "exit status: some endpoints could not be scanned" 3 "$rc"
assert_ok "report written and valid" validate_report "$T/r.json"
# every endpoint runs in parallel: the slowest is one timeout (plus the real server's scan)
assert_eq "whole scan bounded by the timeout ($elapsed s)" 1 "$(awk -v e="$elapsed" 'BEGIN { print (e < 4) }')"
j() { py_json "$T/r.json" "$1"; }
err() { j "[e['code'] for e in d['endpoints'][$1]['errors']][:1]"; }

assert_eq "silent: TIMEOUT" '["TIMEOUT"]' "$(err 0)"
assert_eq "silent: TLS status unknown, not 'no TLS'" null "$(j "d['endpoints'][0]['tls']['offered']")"
assert_eq "garbage: PROTOCOL" '["PROTOCOL"]' "$(err 1)"
assert_match "garbage: says so" 'not a MySQL server' "$(j "d['endpoints'][1]['errors'][0]['message']")"
assert_match "close: an error" '"(CLOSED|PROTOCOL)"' "$(err 2)"

assert_eq "1129: SERVER_ERROR" '["SERVER_ERROR"]' "$(err 3)"
assert_eq "1129: code kept" 1129 "$(j "d['endpoints'][3]['server']['error']['code']")"
assert_match "1129: message kept" 'is blocked because of many connection errors' "$(j "d['endpoints'][3]['server']['error']['message']")"
assert_eq "1129: never misreported as no TLS" null "$(j "d['endpoints'][3]['tls']['offered']")"
assert_eq "1040: code and SQLSTATE" "1040 08004" "$(j "'%d %s' % (d['endpoints'][4]['server']['error']['code'], d['endpoints'][4]['server']['error']['sqlstate'])")"
assert_match "1040: message in the error entry" 'Too many connections' "$(j "d['endpoints'][4]['errors'][0]['message']")"

assert_eq "no CLIENT_SSL: tls.offered false" false "$(j "d['endpoints'][5]['tls']['offered']")"
assert_eq "no CLIENT_SSL: not an error" "[]" "$(j "d['endpoints'][5]['errors']")"

assert_eq "yaSSL: TLS offered" true "$(j "d['endpoints'][6]['tls']['offered']")"
assert_eq "yaSSL: ERR answer counts as a rejection" rejected "$(j "d['endpoints'][6]['tls']['versions']['TLSv1.2']['status']")"
assert_match "yaSSL: reason names the packet" '1043 #08S01 Bad handshake' "$(j "d['endpoints'][6]['tls']['versions']['TLSv1.2']['reason']")"
assert_match "yaSSL: server version" 'yaSSL' "$(j "d['endpoints'][6]['server']['version']")"

assert_eq "refused: REFUSED" '["REFUSED"]' "$(err 7)"
assert_eq "refused: stage" connect "$(j "d['endpoints'][7]['errors'][0]['stage']")"
assert_eq "refused: no connection used" 0 "$(j "d['endpoints'][7]['connections_used']")"

assert_eq "the real server in the same run is scanned completely" "TLSv1.2 TLSv1.3" \
	"$(j "' '.join(k for k,v in d['endpoints'][8]['tls']['versions'].items() if v['status']=='accepted')")"
assert_eq "... and verified" true "$(j "d['endpoints'][8]['verification']['ca_ok']")"

# an unwritable report path fails that output only; the other -o is still written (a missing
# directory is refused before the scan, see test_cli_input.sh: /proc exists, and takes no file)
rc=0
"$DBTLS" scan -q -o "/proc/dbtls-test-r.json" -o "$T/ok.json" "mysql://localhost:$GOOD_PORT" \
	2>"$T/stderr" || rc=$?
assert_eq "unwritable -o: exit 2" 2 "$rc"
assert_match "unwritable -o: one line naming the file" 'dbtls-test-r.json' "$(cat "$T/stderr")"
assert_ok "unwritable -o: the other report is there and valid" validate_report "$T/ok.json"

finish
