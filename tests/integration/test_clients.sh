#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_clients.sh: client impact (issue 15) against real servers. Every recorded ClientHello of
# tests/fixtures/clients (real drivers, recorded by tests/clients/capture.py) is replayed, byte for
# byte after the SSLRequest, to the compatibility and the strict MariaDB, to the permissive and the
# strict PostgreSQL 15, and to a MariaDB running a proposed change (TLS 1.2 with DHE suites only);
# the ServerHello each answers (version, suite, key-share group, or a refusal) must be what
# `dbtls scan --clients` predicted for that profile from the scan's facts -- for the change, from
# `--proposed` on the scan of the server as it is, before the change. Where the real client runs
# here (mariadb CLI, PyMySQL, psql), it connects too, and the Ssl_version / Ssl_cipher (or
# pg_stat_ssl) it gets must be the prediction as well. PostgreSQL is scanned through a loopback
# front (capture.py pgproxy: SSLRequest, then relay) as tls://, independent of a postgres://
# preamble.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
PY=/usr/bin/python3
CAP=$DBTLS_SRCDIR/tests/clients/capture.py
FX=$DBTLS_SRCDIR/tests/fixtures/clients
pki_ensure
CA=$DBTLS_PKI/ca-bundle.pem
t_start=$(date +%s.%N)
elapsed() { echo "$(date +%s.%N) $t_start" | awk '{printf "%.1f", $1 - $2}'; }

MYSQL_CLIENTS=(mariadb-cli pymysql mariadb-connector-j go-sql-driver-mysql node-mysql2)
PG_CLIENTS=(psql pgjdbc node-pg)
PROPOSED_CIPHERS=DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256

start_compat COMPAT
start_strict STRICT
# the ground truth of the proposed change: a server that has made it
start_compat CHANGED --tls-version=TLSv1.2 --ssl-cipher=$PROPOSED_CIPHERS
printf '{"tls_version": "TLSv1.2", "ssl_cipher": "%s"}\n' "$PROPOSED_CIPHERS" >"$T/proposed.json"

# --- the predictions -------------------------------------------------------------------------------
"$DBTLS" scan "mysql://127.0.0.1:$COMPAT_PORT" "mysql://127.0.0.1:$STRICT_PORT" --ca-file "$CA" \
	--policy none --clients all --clients-in-use mariadb-cli,go-sql-driver-mysql --proposed "$T/proposed.json" \
	-o "$T/mysql.json" --format json --quiet
validate_report "$T/mysql.json"

# predict FILE PORT CLIENT CONFIG: "outcome|version|suite|group|reason" of that row
predict() {
	"$PY" - "$@" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
for e in r["endpoints"]:
    if str(e["port"]) != sys.argv[2]:
        continue
    for c in e.get("clients", []):
        if c["client"] == sys.argv[3] and c["config"] == sys.argv[4]:
            print("|".join(str(c.get(k) or "") for k in ("outcome", "version", "suite", "group", "reason")))
PYEOF
}

# served NAME CLIENT PROTO: what the real server answers to the recorded hello, as prediction
# fields "version|suite|group" (the group of a key share, or of a HelloRetryRequest), or "refused"
served() {
	local port=${1}_PORT ans
	ans=$("$PY" "$CAP" replay 127.0.0.1 "${!port}" "$3" "$FX/$2.bin")
	case $ans in
	alert* | closed) echo refused ;;
	*)
		set -- $ans
		local g=${4:-}
		case $g in 0x001D) g=x25519 ;; 0x0017) g=secp256r1 ;; 0x0018) g=secp384r1 ;; esac
		echo "$1|$2|$g"
		;;
	esac
}

# check_row REPORT NAME PORT CLIENT CONFIG PROTO: the prediction equals the real server's answer
check_row() {
	local p outcome got want
	p=$(predict "$1" "$3" "$4" "$5")
	[ -n "$p" ] || {
		assert_eq "$4 vs $2 ($5): a prediction row" present missing
		return
	}
	outcome=${p%%|*}
	got=$(served "$2" "$4" "$6")
	printf '  %-20s %-8s %-8s server: %-50s predicted: %s\n' "$4" "$2" "$5" "$got" "$p"
	if [ "$got" = refused ]; then
		assert_match "$4 vs $2 ($5): refused, predicted as a handshake failure" \
			'^fails\|.*\|(no common|group unsupported)' "$p"
	else
		IFS='|' read -r _ v s g _ <<<"$p"
		# a DHE group shows in the ServerKeyExchange, which the replay does not read
		case $g in "DH "*) g= ;; esac
		want="$v|$s|$g"
		assert_eq "$4 vs $2 ($5): the server's pick is the predicted one" "$want" "$got"
		assert_match "$4 vs $2 ($5): predicted a handshake ($outcome)" \
			'^(connects|connects_unverified|fails)$' "$outcome"
	fi
}

for c in "${MYSQL_CLIENTS[@]}"; do
	check_row "$T/mysql.json" COMPAT "$COMPAT_PORT" "$c" current mysql
	check_row "$T/mysql.json" STRICT "$STRICT_PORT" "$c" current mysql
	# the change, predicted from the compat server's facts, answered by the changed server
	check_row "$T/mysql.json" CHANGED "$COMPAT_PORT" "$c" proposed mysql
done
# the change breaks Go (no DHE in crypto/tls) and keeps the others, said before it is made
assert_match "proposed: go-sql-driver-mysql breaks" '^fails\|TLSv1.2\|\|\|no common suite' \
	"$(predict "$T/mysql.json" "$COMPAT_PORT" go-sql-driver-mysql proposed)"
assert_match "proposed: Connector/J gets DHE" 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384' \
	"$(predict "$T/mysql.json" "$COMPAT_PORT" mariadb-connector-j proposed)"
# a PREFERRED-style client is never "connects"
assert_match "mariadb-cli: connects without verifying" '^connects_unverified\|' \
	"$(predict "$T/mysql.json" "$STRICT_PORT" mariadb-cli current)"

# a client marked in use that the change breaks is a finding (the saved report judged again: the
# rows survive the JSON round trip); one in use that only connects unverified is not
"$DBTLS" check --facts "$T/mysql.json" --policy baseline --format json -o "$T/judged.json" --quiet ||
	true
# (and today already: verify-full against the system roots, and the test CA is not among them)
assert_match "clients.would-break: Go after the change, on the compat server" \
	"go-sql-driver-mysql \(current configuration\): CA not in that client's default trust store.*
go-sql-driver-mysql \(proposed configuration\): no common suite in TLSv1.2$" \
	"$("$PY" -c "
import json, sys
r = json.load(open(sys.argv[1]))
for e in r['endpoints']:
    for f in e.get('findings', []):
        if f['check'] == 'clients.would-break' and str(e['port']) == sys.argv[2]:
            print(f['evidence'])" "$T/judged.json" "$COMPAT_PORT")"

# the same table in the text and HTML reports of the saved scan
"$DBTLS" check --facts "$T/mysql.json" --policy none --format html -o "$T/clients.html" --quiet
assert_eq "HTML: the client-impact section, Go in use and broken by the change" 2 \
	"$(tr -d '\n' <"$T/clients.html" | grep -o '<h3>Client impact</h3>.*go-sql-driver-mysql <strong>(in use)</strong></td><td>proposed</td><td><span class="badge failed">fails</span>' |
		grep -o '<h3>Client impact</h3>' | wc -l)"
assert_match "text: the clients block" \
	'go-sql-driver-mysql \(in use\) \[proposed\]: fails TLSv1.2: no common suite in TLSv1.2' \
	"$("$DBTLS" check --facts "$T/mysql.json" --policy none --format text --no-color)"

# a proposed certificate change alone: the chain under a new root (tests/pki: new-root-ca), with
# the new bundle; a verifying client with a default trust store does not have that CA, one that
# does not verify keeps connecting (unverified), and a chain that does not verify against the
# bundle it names is said so
printf '{"certificate": "%s", "ca_bundle": "%s"}\n' "$DBTLS_PKI/newca-server-chain.pem" \
	"$DBTLS_PKI/new-ca-bundle.pem" >"$T/proposed-ca.json"
printf '{"certificate": "%s", "ca_bundle": "%s"}\n' "$DBTLS_PKI/newca-server-chain.pem" \
	"$CA" >"$T/proposed-wrong-ca.json"
for prop in proposed-ca proposed-wrong-ca; do
	"$DBTLS" scan "mysql://127.0.0.1:$STRICT_PORT" --ca-file "$CA" --policy none \
		--clients mariadb-cli,mariadb-connector-j --proposed "$T/$prop.json" -o "$T/$prop-r.json" \
		--format json --quiet
done
assert_match "new CA: Connector/J (JDK cacerts) does not have it" \
	"^fails\|TLSv1.3\|TLS_AES_256_GCM_SHA384\|x25519\|CA not in that client's default trust store \(jdk-cacerts\)" \
	"$(predict "$T/proposed-ca-r.json" "$STRICT_PORT" mariadb-connector-j proposed)"
assert_match "new CA: the mariadb CLI keeps connecting, unverified" '^connects_unverified\|TLSv1.3' \
	"$(predict "$T/proposed-ca-r.json" "$STRICT_PORT" mariadb-cli proposed)"
assert_match "new chain, old bundle: does not verify" \
	"^fails\|.*the proposed chain does not verify against the proposed CA bundle: unable to get local issuer" \
	"$(predict "$T/proposed-wrong-ca-r.json" "$STRICT_PORT" mariadb-connector-j proposed)"
# ground truth of the last one: openssl verifies the same chain against the same bundle the same way
assert_match "openssl agrees: new chain against the old bundle" "unable to get local issuer" \
	"$(openssl verify -CAfile "$CA" -untrusted "$DBTLS_PKI/newca-server-chain.pem" \
		"$DBTLS_PKI/newca-server-chain.pem" 2>&1 || true)"

# the real clients that run here, with the TLS they actually get
iana() { # OPENSSL-OR-IANA-NAME -> IANA name (data/cipher-suites.csv)
	awk -F, -v n="$1" '$1 ~ /^0x/ && ($3 == n || $2 == n) { print $2; exit }' \
		"$DBTLS_SRCDIR/data/cipher-suites.csv"
}
for srv in COMPAT STRICT CHANGED; do
	port=${srv}_PORT
	ppport=${!port}
	[ $srv = CHANGED ] && ppport=$COMPAT_PORT cfg=proposed || cfg=current
	p=$(predict "$T/mysql.json" "$ppport" mariadb-cli $cfg)
	IFS='|' read -r _ v s _ _ <<<"$p"
	got=$(mariadb --no-defaults -h 127.0.0.1 -P "${!port}" -u root --ssl -N -B \
		-e "SHOW STATUS LIKE 'Ssl_version'; SHOW STATUS LIKE 'Ssl_cipher'" | awk '{print $2}' |
		paste -sd '|')
	assert_eq "real mariadb CLI vs $srv ($cfg)" "$v|$s" "${got%%|*}|$(iana "${got#*|}")"
	if "$PY" -c 'import pymysql' 2>/dev/null; then
		p=$(predict "$T/mysql.json" "$ppport" pymysql $cfg)
		IFS='|' read -r _ v s _ _ <<<"$p"
		got=$("$PY" -c "
import pymysql, sys
c = pymysql.connect(host='127.0.0.1', port=int(sys.argv[1]), user='root',
    ssl={'check_hostname': False, 'verify_mode': 0})
cur = c.cursor(); cur.execute(\"SHOW STATUS LIKE 'Ssl_version'\"); a = cur.fetchone()[1]
cur.execute(\"SHOW STATUS LIKE 'Ssl_cipher'\"); print(a + '|' + cur.fetchone()[1])" "${!port}")
		assert_eq "real PyMySQL vs $srv ($cfg)" "$v|$s" "${got%%|*}|$(iana "${got#*|}")"
	else
		echo "note: python3-pymysql is not installed: the real PyMySQL connection is skipped"
	fi
done

# Connector/J (JDK) and go-sql-driver/mysql, built here at test time (offline), as real clients
# too: with verification off (trustServerCertificate, tls=skip-verify) they get the server's pick
# of the prediction; Go must fail against the changed server as predicted
J=$T/java
if command -v javac >/dev/null && [ -e /usr/share/java/mariadb-java-client.jar ]; then
	mkdir -p "$J"
	cat >"$J/Ssl.java" <<'JEOF'
import java.sql.*;
public class Ssl {
    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(
                 "jdbc:mariadb://127.0.0.1:" + a[0] + "/?useSsl=true&trustServerCertificate=true", "root", "");
             Statement s = c.createStatement()) {
            ResultSet r = s.executeQuery("SHOW STATUS LIKE 'Ssl_version'"); r.next();
            String v = r.getString(2);
            r = s.executeQuery("SHOW STATUS LIKE 'Ssl_cipher'"); r.next();
            System.out.println(v + "|" + r.getString(2));
        }
    }
}
JEOF
	javac -d "$J" "$J/Ssl.java"
	for srv in COMPAT STRICT CHANGED; do
		port=${srv}_PORT
		ppport=${!port}
		[ $srv = CHANGED ] && ppport=$COMPAT_PORT cfg=proposed || cfg=current
		IFS='|' read -r _ v s _ _ <<<"$(predict "$T/mysql.json" "$ppport" mariadb-connector-j $cfg)"
		got=$(java -cp "$J:/usr/share/java/mariadb-java-client.jar" Ssl "${!port}" 2>&1 | tail -1)
		assert_eq "real Connector/J vs $srv ($cfg)" "$v|$s" "${got%%|*}|$(iana "${got#*|}")"
	done
else
	echo "note: no JDK or libmariadb-java: the real Connector/J connection is skipped"
fi
if command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/go-sql-driver/mysql ]; then
	mkdir -p "$T/go"
	cat >"$T/go/main.go" <<'GOEOF'
package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	db, err := sql.Open("mysql", "root@tcp(127.0.0.1:"+os.Args[1]+")/?tls=skip-verify&timeout=5s")
	var n, v, c string
	if err == nil {
		err = db.QueryRow("SHOW STATUS LIKE 'Ssl_version'").Scan(&n, &v)
	}
	if err == nil {
		err = db.QueryRow("SHOW STATUS LIKE 'Ssl_cipher'").Scan(&n, &c)
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(v + "|" + c)
}
GOEOF
	if (cd "$T/go" && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
		GOCACHE="$T/gocache" go build -o gossl . >"$T/go/build.log" 2>&1); then
		for srv in COMPAT STRICT; do
			port=${srv}_PORT
			IFS='|' read -r _ v s _ _ <<<"$(predict "$T/mysql.json" "${!port}" go-sql-driver-mysql current)"
			got=$("$T/go/gossl" "${!port}" || true)
			assert_eq "real go-sql-driver/mysql vs $srv" "$v|$s" "${got%%|*}|$(iana "${got#*|}")"
		done
		assert_match "real go-sql-driver/mysql vs CHANGED: fails as predicted" \
			'^error:.*handshake failure' "$("$T/go/gossl" "$CHANGED_PORT" || true)"
	else
		echo "note: go-sql-driver/mysql does not build offline here: $(head -3 "$T/go/build.log")"
	fi
else
	echo "note: no Go or golang-github-go-sql-driver-mysql-dev: the real Go connection is skipped"
fi

# --- PostgreSQL 15 ---------------------------------------------------------------------------------
if have_postgres 2>/dev/null; then
	pg_start_permissive PGP
	pg_start_strict PGS
	for srv in PGP PGS; do
		port=${srv}_PORT
		coproc_out=$T/proxy-$srv.out
		"$PY" "$CAP" pgproxy "${!port}" >"$coproc_out" 2>/dev/null &
		pid=$!
		dbtls_at_exit "kill $pid 2>/dev/null || true"
		for _ in $(seq 100); do grep -q '^port' "$coproc_out" && break; sleep 0.05; done
		export "${srv}_FRONT=$(awk '/^port/ {print $2}' "$coproc_out")"
	done
	"$DBTLS" scan "tls://127.0.0.1:$PGP_FRONT" "tls://127.0.0.1:$PGS_FRONT" --ca-file "$CA" \
		--policy none --clients psql,pgjdbc,node-pg -o "$T/pg.json" --format json --quiet
	validate_report "$T/pg.json"
	for c in "${PG_CLIENTS[@]}"; do
		check_row "$T/pg.json" PGP "$PGP_FRONT" "$c" current pg
		check_row "$T/pg.json" PGS "$PGS_FRONT" "$c" current pg
	done
	for srv in PGP PGS; do
		port=${srv}_PORT front=${srv}_FRONT
		p=$(predict "$T/pg.json" "${!front}" psql current)
		IFS='|' read -r _ v s _ _ <<<"$p"
		got=$(psql "host=127.0.0.1 port=${!port} user=postgres dbname=postgres sslmode=require" -Atc \
			"select version || '|' || cipher from pg_stat_ssl where pid = pg_backend_pid()")
		assert_eq "real psql vs $srv" "$v|$s" "${got%%|*}|$(iana "${got#*|}")"
	done
else
	echo "note: PostgreSQL is not installed: the PostgreSQL clients are not replayed"
fi

echo "done in $(elapsed) s"
finish
