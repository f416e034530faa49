#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_addresses.sh: a host name with several addresses is several servers. Two real MariaDB
# servers listen on the same port at 127.0.0.1 (compat: TLS 1.0-1.3) and 127.0.0.2 (strict: TLS
# 1.2-1.3), and "localhost" names both in a hosts file of a private mount namespace (the test
# certificate is for localhost, so both verify; no lookup leaves the machine). A scan of the
# name is two endpoints whose facts are each their own server's (a scan that spread its probes
# over both would report TLS 1.0 at the strict one), with "?address=ADDR" in the id; the
# report, Prometheus labels, merge and shards keep them apart; --first-address scans one; a
# target may name one address itself; the SQL login goes to the probes' address.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
pki_ensure
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	echo "SKIP: a private hosts file needs root and unshare -m"
	exit 77
fi

start_compat A >/dev/null
start_strict B --port="$A_PORT" --bind-address=127.0.0.2 >/dev/null
P=$A_PORT
printf '127.0.0.1 localhost\n127.0.0.2 localhost\n::1 gap.dbtls.test\n127.0.0.1 gap.dbtls.test\n' >"$T/hosts"
mariadb_sql A "CREATE USER 'scan'@'%' IDENTIFIED BY 'addr-secret-1'; GRANT PROCESS ON *.* TO 'scan'@'%';"
mariadb_sql B "CREATE USER 'scan'@'%' IDENTIFIED BY 'addr-secret-1'; GRANT PROCESS ON *.* TO 'scan'@'%';"

# ns ARGS...: dbtls ARGS... with the private hosts file; sets RC
ns() {
	RC=0
	timeout -s KILL 300 unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
		"$T/hosts" "$DBTLS" "$@" 2>"$T/ns.err" || RC=$?
}
j() { py_json "$1" "$2"; }

# --- every address: two endpoints, each its own server ----------------------------------------
ns scan --policy none -q --ca-file "$DBTLS_PKI/ca-bundle.pem" -o "$T/all.json" -o "$T/all.prom" \
	"localhost:$P"
assert_eq "every address: scanned (exit 0)" 0 "$RC"
assert_eq "every address: two endpoints" 2 "$(j "$T/all.json" "len(d['endpoints'])")"
assert_eq "every address: ids name the address" \
	"mysql://localhost:$P?address=127.0.0.1 mysql://localhost:$P?address=127.0.0.2" \
	"$(j "$T/all.json" "' '.join(e['id'] for e in d['endpoints'])")"
assert_eq "every address: each connected only to its own" "127.0.0.1 127.0.0.2" \
	"$(j "$T/all.json" "' '.join(e['address'] for e in d['endpoints'])")"
assert_eq "every address: both list the name's addresses" \
	"['127.0.0.1', '127.0.0.2'] ['127.0.0.1', '127.0.0.2']" \
	"$(j "$T/all.json" "' '.join(str(e['name_addresses']) for e in d['endpoints'])")"
assert_eq "every address: TLS 1.0 at the compat server only (no mixed facts)" "accepted rejected" \
	"$(j "$T/all.json" "' '.join(e['tls']['versions']['TLSv1.0']['status'] for e in d['endpoints'])")"
assert_eq "every address: the target as given, SNI and host are the name's" \
	"localhost:$P localhost localhost|localhost:$P localhost localhost" \
	"$(j "$T/all.json" "'|'.join('%s %s %s' % (e['target'], e['sni'], e['host']) for e in d['endpoints'])")"
assert_eq "every address: the certificate verifies for the name at both" "True True" \
	"$(j "$T/all.json" "' '.join(str(e['verification']['hostname_ok']) for e in d['endpoints'])")"
assert_ok "every address: report valid" validate_report "$T/all.json"
assert_eq "every address: two Prometheus targets" 2 \
	"$(grep -o "target=\"mysql://localhost:$P?address=127.0.0.[12]\"" "$T/all.prom" | sort -u | wc -l)"

# --- --first-address: one endpoint, the plain id, the first address only ----------------------
ns scan --policy none -q --first-address --ca-file "$DBTLS_PKI/ca-bundle.pem" -o "$T/first.json" \
	"localhost:$P"
assert_eq "--first-address: one endpoint" 1 "$(j "$T/first.json" "len(d['endpoints'])")"
assert_eq "--first-address: the name's id" "mysql://localhost:$P 127.0.0.1 accepted" \
	"$(j "$T/first.json" "[' '.join((e['id'], e['address'], e['tls']['versions']['TLSv1.0']['status'])) for e in d['endpoints'][:1]][0]")"
assert_eq "--first-address: the other address is still listed" "['127.0.0.1', '127.0.0.2']" \
	"$(j "$T/first.json" "str(d['endpoints'][0]['name_addresses'])")"

# the first address refuses (the servers listen on IPv4 only; the resolver puts ::1 first): the
# first one that answers, as a client connects; by default the refusing address is an endpoint
# (an error) of its own
ns scan --policy none -q --first-address -o "$T/gap1.json" "gap.dbtls.test:$P"
assert_eq "--first-address: the first address that answers" "1 127.0.0.1 mysql://gap.dbtls.test:$P 0" \
	"$(j "$T/gap1.json" "' '.join(str(x) for x in (len(d['endpoints']), d['endpoints'][0]['address'], d['endpoints'][0]['id'], len(d['endpoints'][0]['errors'])))")"
ns scan --policy none -q -o "$T/gap.json" "gap.dbtls.test:$P"
assert_eq "every address: the one refusing is an endpoint error, the other scanned (exit 3)" \
	"3 REFUSED 0" "$RC $(j "$T/gap.json" "' '.join([(e['errors'][0]['code'] if e['errors'] else '0') for e in d['endpoints']])")"

# --- a target naming one address (the id's own form) ------------------------------------------
ns scan --policy none -q --ca-file "$DBTLS_PKI/ca-bundle.pem" -o "$T/one.json" \
	"mysql://localhost:$P?address=127.0.0.2"
assert_eq "?address=: one endpoint at that address, the strict server" \
	"mysql://localhost:$P?address=127.0.0.2 127.0.0.2 rejected True" \
	"$(j "$T/one.json" "[' '.join((e['id'], e['address'], e['tls']['versions']['TLSv1.0']['status'], str(e['verification']['hostname_ok']))) for e in d['endpoints'][:1]][0]")"
assert_eq "?address=: no name lookup, so no name_addresses" null \
	"$(j "$T/one.json" "d['endpoints'][0].get('name_addresses')")"

# bad input: one line naming it, exit 2, nothing sent
for bad in "localhost:$P?address=db2" "127.0.0.1:$P?address=127.0.0.2" "localhost:$P?address=[::1]"; do
	RC=0
	"$DBTLS" scan --policy none -q -o "$T/bad.json" "$bad" 2>"$T/bad.err" || RC=$?
	assert_eq "bad ?address= ($bad): exit 2" 2 "$RC"
	assert_eq "bad ?address= ($bad): one line naming the target" 1 \
		"$(grep -cF "target '$bad'" "$T/bad.err" || true)"
	assert_eq "bad ?address= ($bad): no report" 0 "$([ -e "$T/bad.json" ] && echo 1 || echo 0)"
done

# --- merge and diff keep the two apart; shards keep a name's addresses together -----------------
RC=0
"$DBTLS" merge "$T/all.json" "$T/one.json" -o "$T/m.json" >/dev/null 2>"$T/m.err" || RC=$?
assert_eq "merge: the same address twice is a duplicate (exit 2)" 2 "$RC"
assert_eq "merge: the duplicate is named by its id" 1 \
	"$(grep -c "mysql://localhost:$P?address=127.0.0.2" "$T/m.err" || true)"
RC=0
"$DBTLS" merge --latest "$T/all.json" "$T/first.json" -o "$T/m2.json" >/dev/null 2>"$T/m2.err" || RC=$?
assert_eq "merge: the name and its addresses are three endpoints" 3 \
	"$(j "$T/m2.json" "len(d['endpoints'])")"
RC=0
"$DBTLS" diff "$T/all.json" "$T/all.json" >"$T/diff.txt" 2>&1 || RC=$?
assert_eq "diff of a report with itself: no change (exit 0)" 0 "$RC"
ns scan --policy none -q --shard 0/2 -o "$T/s0.json" "localhost:$P"
ns scan --policy none -q --shard 1/2 -o "$T/s1.json" "localhost:$P"
assert_eq "shards: both addresses of the name land in one shard" "0 2" \
	"$(echo $(
		j "$T/s0.json" "len(d['endpoints'])"
		j "$T/s1.json" "len(d['endpoints'])"
	) | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"

# --- waivers: the name's id covers its addresses, ?address= only that one ---------------------
cat >"$T/waive-name.json" <<EOF
{"waivers": [{"check": "protocol.tls10-enabled", "endpoint": "mysql://localhost:$P",
  "until": "2099-01-01", "reason": "legacy clients until the migration", "owner": "dba-team"}]}
EOF
cat >"$T/waive-one.json" <<EOF
{"waivers": [{"check": "protocol.tls10-enabled", "endpoint": "mysql://localhost:$P?address=127.0.0.1",
  "until": "2099-01-01", "reason": "legacy clients until the migration", "owner": "dba-team"}]}
EOF
for w in name one; do
	RC=0
	"$DBTLS" check --facts "$T/all.json" --waivers "$T/waive-$w.json" -o "$T/w-$w.json" >/dev/null \
		2>"$T/w-$w.err" || RC=$?
done
waived() { # REPORT: per endpoint, its protocol.tls10-enabled findings as waived or not
	j "$1" "' '.join(','.join(str(bool(f.get('waived'))) for f in e['findings'] if f['check'] == 'protocol.tls10-enabled') or '-' for e in d['endpoints'])"
}
assert_eq "waiver on the name's id covers the address that fails" "True -" "$(waived "$T/w-name.json")"
assert_eq "waiver on one address covers that one" "True -" "$(waived "$T/w-one.json")"
cat >"$T/waive-two.json" <<EOF
{"waivers": [{"check": "protocol.tls10-enabled", "endpoint": "mysql://localhost:$P?address=127.0.0.2",
  "until": "2099-01-01", "reason": "legacy clients until the migration", "owner": "dba-team"}]}
EOF
RC=0
"$DBTLS" check --facts "$T/all.json" --waivers "$T/waive-two.json" -o "$T/w-two.json" >/dev/null 2>&1 || RC=$?
assert_eq "waiver on the other address leaves the failing one unwaived" "False -" "$(waived "$T/w-two.json")"

# --- the SQL login goes to the probes' address, pinned to the certificate verified there -----
DBTLS_MYSQL_PASSWORD=addr-secret-1 ns scan --policy none -q --sql --sql-user scan \
	--ca-file "$DBTLS_PKI/ca-bundle.pem" -o "$T/sql.json" "localhost:$P"
assert_eq "SQL: logged in at both addresses" "ok ok" \
	"$(j "$T/sql.json" "' '.join(e['sql']['status'] for e in d['endpoints'])")"
assert_eq "SQL: each login reached its own server (TLS 1.0 allowed at the compat one only)" \
	"1 0" "$(j "$T/sql.json" "' '.join(str(int('TLSv1.0' in (e['sql']['variables'].get('tls_version') or ''))) for e in d['endpoints'])")"
assert_eq "SQL: the certificate counted as verified" "True True" \
	"$(j "$T/sql.json" "' '.join(str(e['sql']['verify_server_cert']) for e in d['endpoints'])")"
assert_eq "SQL: the password is in no report" 0 "$(grep -c addr-secret-1 "$T/sql.json" || true)"
# not verified for the name (no --ca-file: the test CA is not in the system store): no password
DBTLS_MYSQL_PASSWORD=addr-secret-1 ns scan --policy none -q --sql --sql-user scan \
	-o "$T/sqlnv.json" "localhost:$P"
assert_eq "SQL: an unverified address gets no login attempt" "failed failed" \
	"$(j "$T/sqlnv.json" "' '.join(e['sql']['status'] for e in d['endpoints'])")"
assert_eq "SQL: and says why" 2 \
	"$(j "$T/sqlnv.json" "sum('did not verify for localhost' in (e['sql'].get('reason') or '') for e in d['endpoints'])")"

finish
