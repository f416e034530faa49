#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_connect_errors.sh: the max_connect_errors trap, for real. MariaDB counts every connection
# that ends before a login against the client's host and answers ERR 1129 ("Host … is blocked")
# after max_connect_errors of them; loopback clients are exempt, so this test puts the server and
# the scanner in two network namespaces of its own, joined by a veth pair on 192.0.2.0/24 that
# exists only on this machine (the root namespace here does not answer ARP on a veth, so the server
# cannot stay there). mariadbd reverse-resolves the client: it also runs in a private mount
# namespace whose /etc/hosts answers, so no lookup leaves the machine. Its Unix socket, a file,
# still lets the test run SQL from outside.
#  1. ground truth: with no limit (--max-connect-errors 0) a full scan blocks its own host;
#  2. dbtls's default budget stops short of the limit, and the host is not blocked afterwards;
#  3. with --sql credentials dbtls logs in to reset the count and completes the enumeration;
#  4. two spellings of the server in one run share one budget.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v unshare >/dev/null; then
	[ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ] && { echo "FAIL: needs root, ip and unshare"; exit 1; }
	echo "SKIP: needs root, ip (iproute2) and unshare"
	exit 77
fi

NS=dbtls-ce-c$$
SRV_NS=dbtls-ce-s$$
SRV_IF=dbce$$s
NS_IF=dbce$$c
SRV_IP=192.0.2.1
CLI_IP=192.0.2.2
cleanup_ns() {
	ip netns del "$NS" 2>/dev/null || true
	ip netns del "$SRV_NS" 2>/dev/null || true
}
# last registered runs first: the namespaces go after the servers in them have stopped
dbtls_at_exit cleanup_ns
ip netns add "$NS"
ip netns add "$SRV_NS"
ip link add "$SRV_IF" type veth peer name "$NS_IF"
ip link set "$SRV_IF" netns "$SRV_NS"
ip link set "$NS_IF" netns "$NS"
ip netns exec "$SRV_NS" ip addr add "$SRV_IP/24" dev "$SRV_IF"
ip netns exec "$NS" ip addr add "$CLI_IP/24" dev "$NS_IF"
for n in "$NS" "$SRV_NS"; do ip netns exec "$n" ip link set lo up; done
ip netns exec "$SRV_NS" ip link set "$SRV_IF" up
ip netns exec "$NS" ip link set "$NS_IF" up

# mariadbd in a private mount namespace with a hosts file that knows the scanner
printf '127.0.0.1 localhost\n::1 localhost\n%s scanner.dbtls.test\n%s dbserver.dbtls.test\n' \
	"$CLI_IP" "$SRV_IP" >"$T/hosts"
have_mariadb
REAL_MARIADBD=$MARIADBD
cat >"$T/mariadbd-wrapper" <<WRAP
#!/bin/sh
exec ip netns exec "$SRV_NS" unshare -m sh -c 'mount --bind "\$0" /etc/hosts && exec "\$@"' "$T/hosts" "$REAL_MARIADBD" "\$@"
WRAP
chmod +x "$T/mariadbd-wrapper"
MARIADBD=$T/mariadbd-wrapper
export MARIADBD

# a server certificate for the namespace address, so that the verifying SQL login accepts it
pki_ensure
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/ns.key" -subj "/CN=$SRV_IP" \
	-out "$T/ns.csr" 2>/dev/null
printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$SRV_IP" >"$T/ns.ext"
openssl x509 -req -in "$T/ns.csr" -CA "$DBTLS_PKI/intermediate.pem" -CAkey "$DBTLS_PKI/intermediate.key" \
	-CAcreateserial -CAserial "$T/ns.srl" -days 30 -sha256 -extfile "$T/ns.ext" -out "$T/ns.pem" 2>/dev/null
cat "$T/ns.pem" "$DBTLS_PKI/intermediate.pem" >"$T/ns-chain.pem"

LIMIT=40
start_compat CE --ssl-cert="$T/ns-chain.pem" --ssl-key="$T/ns.key" --bind-address=$SRV_IP --skip-name-resolve=OFF --max-connect-errors=$LIMIT \
	--performance-schema=ON
TARGET=mysql://$SRV_IP:$CE_PORT
CA=$DBTLS_PKI/ca-bundle.pem
in_ns() { ip netns exec "$NS" "$@"; }
errors_of_scanner() {
	mariadb_sql CE "SELECT COALESCE(SUM(SUM_CONNECT_ERRORS),0) FROM performance_schema.host_cache WHERE IP='$CLI_IP'"
}
# an account the scanner's host may use: without one the greeting is ERR 1130 (host not allowed)
mariadb_sql CE "CREATE USER 'scan'@'%' IDENTIFIED BY 'Sc4n-ce-pass' REQUIRE SSL; GRANT PROCESS ON *.* TO 'scan'@'%'"
assert_ok "the namespace reaches the server" in_ns timeout 5 bash -c "exec 3<>/dev/tcp/$SRV_IP/$CE_PORT"

# 1. ground truth: no limit, so the scan blocks its own host part-way
rc=0
in_ns "$DBTLS" scan --policy none --max-connect-errors 0 --ca-file "$CA" -q -o "$T/nolimit.json" "$TARGET" || rc=$?
assert_eq "no limit: the scan could not finish (exit 3)" 3 "$rc"
assert_match "no limit: the server blocked the scanner (1129)" 'blocks this host|1129' \
	"$(py_json "$T/nolimit.json" "' '.join(e['message'] for e in d['endpoints'][0]['errors'])")"
rc=0
in_ns "$DBTLS" scan --policy none --ca-file "$CA" -q -o "$T/blocked.json" "$TARGET" || rc=$?
assert_eq "blocked host: the greeting is ERR 1129" 1129 "$(py_json "$T/blocked.json" "d['endpoints'][0]['server']['error']['code']")"
assert_eq "blocked host: never reported as 'no TLS'" null "$(py_json "$T/blocked.json" "d['endpoints'][0]['tls']['offered']")"
mariadb_sql CE "FLUSH HOSTS"

# 2. the default budget: stop short, keep the host usable
rc=0
in_ns "$DBTLS" scan --policy none --max-connect-errors $LIMIT --ca-file "$CA" -q -o "$T/budget.json" "$TARGET" || rc=$?
assert_eq "budget: partial scan is exit 3" 3 "$rc"
assert_match "budget: the LIMIT error says why and what to do" 'stopped after [0-9]+ probes to stay under max_connect_errors=40.*--sql' \
	"$(py_json "$T/budget.json" "' '.join(e['message'] for e in d['endpoints'][0]['errors'] if e['code']=='LIMIT')")"
assert_eq "budget: one LIMIT error, not one per task" 1 \
	"$(py_json "$T/budget.json" "sum(1 for e in d['endpoints'][0]['errors'] if e['code']=='LIMIT')")"
used=$(py_json "$T/budget.json" "d['endpoints'][0]['connections_used']")
assert_eq "budget: at most $LIMIT connections ($used)" 1 "$((used < LIMIT))"
counted=$(errors_of_scanner)
assert_eq "budget: the server counted $counted errors, under $LIMIT" 1 "$((counted < LIMIT))"
rc=0
in_ns "$DBTLS" scan --policy none --max-connect-errors $LIMIT --ca-file "$CA" -q -o "$T/after.json" "$TARGET" || rc=$?
assert_eq "budget: the host is not blocked afterwards" true "$(py_json "$T/after.json" "d['endpoints'][0]['tls']['offered']")"
mariadb_sql CE "FLUSH HOSTS"

# 3. with credentials: log in to reset the count, and finish the enumeration
rc=0
DBTLS_MYSQL_PASSWORD=Sc4n-ce-pass in_ns "$DBTLS" scan --policy none --max-connect-errors $LIMIT --sql --sql-user scan \
	--ca-file "$CA" -q -o "$T/sql.json" "$TARGET" 2>"$T/sql.err" || rc=$?
assert_eq "credentials: no LIMIT error" 0 \
	"$(py_json "$T/sql.json" "sum(1 for e in d['endpoints'][0]['errors'] if e['code'] in ('LIMIT','SERVER_ERROR'))")"
assert_eq "credentials: the whole enumeration (91 suites)" 91 \
	"$(py_json "$T/sql.json" "sum(len(v.get('suites', [])) for v in d['endpoints'][0]['tls']['versions'].values())")"
used=$(py_json "$T/sql.json" "d['endpoints'][0]['connections_used']")
assert_eq "credentials: more connections than the limit ($used), none blocked" 1 "$((used > LIMIT))"
counted=$(errors_of_scanner)
assert_eq "credentials: the server's count stayed under $LIMIT ($counted)" 1 "$((counted < LIMIT))"
assert_eq "credentials: the password appears in no output" 0 "$(cat "$T/sql.json" "$T/sql.err" | grep -c 'Sc4n-ce-pass' || true)"

# 4. two spellings of one server share one budget: together they stay under the limit
mariadb_sql CE "FLUSH HOSTS"
rc=0
in_ns "$DBTLS" scan --policy none --max-connect-errors $LIMIT --ca-file "$CA" -q -o "$T/twice.json" \
	"$TARGET" "$SRV_IP:$CE_PORT/" || rc=$?
used=$(py_json "$T/twice.json" "sum(e['connections_used'] for e in d['endpoints'])")
assert_eq "two spellings: $used connections in all, under $LIMIT" 1 "$((used < LIMIT))"
counted=$(errors_of_scanner)
assert_eq "two spellings: the server counted $counted errors, under $LIMIT" 1 "$((counted < LIMIT))"
assert_eq "two spellings: no 1129 for either" 0 \
	"$(py_json "$T/twice.json" "sum(1 for e in d['endpoints'] for x in e['errors'] if x['code']=='SERVER_ERROR')")"

finish
