#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_deadlines.sh: time is bounded, whatever the server does. Hostile servers (fake_server.py)
# drip a MySQL greeting one byte per 0.9 s, drip or flood (HelloRequest) the full TLS handshake,
# or "accept" every suite slowly; a name resolves through a DNS server that never answers (in a
# private network and mount namespace, so no query leaves the machine). Each scan must end within
# a generous multiple of its deadline (--timeout per connection, --endpoint-timeout per endpoint)
# with a report that says what was cut off. Ctrl-C (SIGINT) and SIGTERM write the report of what
# was finished, mark the run interrupted, and exit 130.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
pki_ensure

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

# elapsed START: seconds since START (a date +%s.%N value), two decimals
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
# below SECONDS LIMIT: 1 when SECONDS < LIMIT
below() { awk -v e="$1" -v l="$2" 'BEGIN { print (e < l) }'; }

for m in mysql-drip tls-hello-flood tls-drip tls-slow-accept mysql-nossl silent; do
	fake_start "$m" "$m"
done

# scan NAME ARGS...: run a scan into $T/NAME.json with a hard stop at 120 s (a hang must
# fail the test, not the test run); sets RC and SECS
scan() {
	local name=$1 start
	shift
	start=$(date +%s.%N)
	RC=0
	timeout -s KILL 120 "$DBTLS" scan --policy none -q -o "$T/$name.json" "$@" \
		2>"$T/$name.err" || RC=$?
	SECS=$(elapsed "$start")
}

# --- one deadline per connection ---------------------------------------------------------------
# A 78-byte greeting at 0.9 s a byte took 80 s at --timeout 1 (each byte reset the per-read
# timeout); the whole connection now ends at its deadline.
scan drip --timeout 1 "mysql://127.0.0.1:$MYSQL_DRIP_PORT"
assert_eq "dripped greeting: exit 3" 3 "$RC"
assert_eq "dripped greeting: ends by the deadline ($SECS s)" 1 "$(below "$SECS" 6)"
assert_ok "dripped greeting: report valid" validate_report "$T/drip.json"
assert_eq "dripped greeting: TIMEOUT" TIMEOUT "$(py_json "$T/drip.json" "d['endpoints'][0]['errors'][0]['code']")"

# The full handshake gets a ServerHello, then HelloRequests as fast as it reads them: each one
# used to restart the wait, and OpenSSL skips them, so the handshake never ended.
scan flood --timeout 1 "tls://127.0.0.1:$TLS_HELLO_FLOOD_PORT"
assert_eq "HelloRequest flood: exit 3" 3 "$RC"
assert_eq "HelloRequest flood: ends by the deadline ($SECS s)" 1 "$(below "$SECS" 8)"
assert_ok "HelloRequest flood: report valid" validate_report "$T/flood.json"
assert_eq "HelloRequest flood: the handshake is a TIMEOUT" "TIMEOUT handshake" \
	"$(py_json "$T/flood.json" "[e['code'] + ' ' + e['stage'] for e in d['endpoints'][0]['errors'] if e['stage'] == 'handshake'][0]")"
assert_eq "HelloRequest flood: what the probes learned is kept" accepted \
	"$(py_json "$T/flood.json" "d['endpoints'][0]['tls']['versions']['TLSv1.2']['status']")"

# The same handshake dripped one byte per 0.1 s under --timeout 0.2.
scan tdrip --timeout 0.2 "tls://127.0.0.1:$TLS_DRIP_PORT"
assert_eq "dripped handshake: exit 3" 3 "$RC"
assert_eq "dripped handshake: ends by the deadline ($SECS s)" 1 "$(below "$SECS" 6)"
assert_eq "dripped handshake: TIMEOUT reported" TIMEOUT \
	"$(py_json "$T/tdrip.json" "[e['code'] for e in d['endpoints'][0]['errors'] if e['stage'] == 'handshake'][0]")"

# --- one deadline per endpoint -----------------------------------------------------------------
# Every suite "accepted" after 0.1 s: over a thousand slow connections. --endpoint-timeout 3 cuts
# the scan, keeps what was found, and names every probe cut off.
scan slow --timeout 1 --endpoint-timeout 3 "tls://127.0.0.1:$TLS_SLOW_ACCEPT_PORT"
assert_eq "slow accepter: exit 3" 3 "$RC"
assert_eq "slow accepter: ends by --endpoint-timeout ($SECS s)" 1 "$(below "$SECS" 12)"
assert_ok "slow accepter: report valid" validate_report "$T/slow.json"
assert_match "slow accepter: a TIMEOUT naming a probe cut off" 'TIMEOUT probe TLSv1\.[0-2]: cut off by --endpoint-timeout' \
	"$(py_json "$T/slow.json" "'; '.join('%s %s: %s' % (e['code'], e['stage'], e['message']) for e in d['endpoints'][0]['errors'])")"
assert_eq "slow accepter: suites found before the cut are kept" 1 \
	"$(py_json "$T/slow.json" "int(len(d['endpoints'][0]['tls']['versions']['TLSv1.2'].get('suites', [])) > 0)")"
assert_eq "slow accepter: versions never finished say so, none is 'rejected' by default" 1 \
	"$(py_json "$T/slow.json" "int(all(v['status'] != 'not_probed' for v in d['endpoints'][0]['tls']['versions'].values()))")"
assert_match "help documents --endpoint-timeout" '--endpoint-timeout SECONDS' "$("$DBTLS" help)"

# --- name resolution under the deadline ----------------------------------------------------------
# In private network + mount namespaces: resolv.conf names a local DNS server that never answers
# (30 s per try, 3 tries); the lookup used to block for all of that.
if [ "$(id -u)" = 0 ] && unshare -mn true 2>/dev/null; then
	printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:3\n' >"$T/resolv.conf"
	cat >"$T/silent_dns.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
open(sys.argv[1], "w").write("up\n")
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try:
        s.recvfrom(512)  # and never answer
    except OSError:
        pass
EOF
	start=$(date +%s.%N)
	RC=0
	timeout -s KILL 60 unshare -mn sh -c '
		ip link set lo up &&
		mount --bind "$1/resolv.conf" /etc/resolv.conf &&
		{ "$2" "$1/silent_dns.py" "$1/dns.up" </dev/null >/dev/null 2>&1 & } &&
		dns=$! &&
		for i in $(seq 100); do [ -s "$1/dns.up" ] && break; sleep 0.05; done &&
		rc=0 && "$3" scan --policy none -q --timeout 1 -o "$1/resolve.json" \
			mysql://slow-name.dbtls-test.invalid:3306 || rc=$?
		kill "$dns"
		exit "$rc"' \
		sh "$T" "$DBTLS_PYTHON" "$DBTLS" 2>"$T/resolve.err" || RC=$?
	SECS=$(elapsed "$start")
	assert_eq "slow resolver: exit 3" 3 "$RC"
	assert_eq "slow resolver: the lookup is cut at --timeout ($SECS s)" 1 "$(below "$SECS" 8)"
	assert_match "slow resolver: TIMEOUT at connect, naming the lookup" 'TIMEOUT connect cannot resolve slow-name' \
		"$(py_json "$T/resolve.json" "' '.join([d['endpoints'][0]['errors'][0]['code'], d['endpoints'][0]['errors'][0]['stage'], d['endpoints'][0]['errors'][0]['message']])")"
else
	echo "SKIP slow resolver: needs root and unshare -mn"
fi

# --- one cap per server, whatever the spelling -------------------------------------------------
# Three spellings of one server (two hosts-file names in a private mount namespace, and the
# address: three endpoints, not duplicates of one another) with --per-host-connections 1: at most
# one connection open to it at any time. Every hello is refused, so each endpoint is an error
# (NO_VERSION, exit 3), never a pass.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	printf '127.0.0.1 one.dbtls.test two.dbtls.test\n' >"$T/hosts"
	# every hello refused after 0.1 s: a short scan (one probe per version) that is never cut
	FAKE_PEAK_FILE="$T/peak" FAKE_SLOW_S=0.1 FAKE_ACCEPT=0 fake_start shared tls-slow-accept
	RC=0
	timeout -s KILL 60 unshare -m sh -c 'mount --bind "$1/hosts" /etc/hosts &&
		"$2" scan --policy none -q --jobs 3 --per-host-connections 1 --timeout 5 \
			-o "$1/shared.json" "tls://127.0.0.1:$3" \
			"tls://one.dbtls.test:$3" "tls://two.dbtls.test:$3/"' \
		sh "$T" "$DBTLS" "$SHARED_PORT" 2>"$T/shared.err" || RC=$?
	assert_eq "three spellings: every hello refused is an endpoint error (exit 3)" 3 "$RC"
	assert_eq "three spellings: all reached the server" "127.0.0.1 127.0.0.1 127.0.0.1" \
		"$(py_json "$T/shared.json" "' '.join(e['address'] for e in d['endpoints'])")"
	assert_eq "three spellings share one connection cap (peak open at once)" 1 "$(cat "$T/peak")"
else
	echo "SKIP shared cap: needs root and unshare -m"
fi

# --- Ctrl-C / SIGTERM ----------------------------------------------------------------------------
# interrupt SIGNAL NAME: the first endpoint finishes at once, the second is silent (held for the
# 30 s timeout), the rest wait behind it (--jobs 1). The signal comes when the second is in flight.
interrupt() {
	local sig=$1 name=$2 pid start i
	rm -f "$T/$name.json"
	# a background job starts with SIGINT ignored (and dbtls keeps it so): give it the default
	env --default-signal=INT "$DBTLS" scan --policy none -q --jobs 1 --timeout 30 -o "$T/$name.json" \
		"mysql://127.0.0.1:$MYSQL_NOSSL_PORT" "mysql://127.0.0.1:$SILENT_PORT" \
		"tls://127.0.0.1:$SILENT_PORT" "tls://127.0.0.2:$SILENT_PORT" 2>"$T/$name.err" &
	pid=$!
	sleep 1.5
	start=$(date +%s.%N)
	kill "-$sig" "$pid" 2>/dev/null || true
	RC=0
	for ((i = 0; i < 200; i++)); do # 20 s
		_dbtls_alive "$pid" || break
		sleep 0.1
	done
	_dbtls_alive "$pid" && kill -KILL "$pid"
	wait "$pid" || RC=$?
	SECS=$(elapsed "$start")
}

interrupt INT sigint
assert_eq "SIGINT: exit 130" 130 "$RC"
assert_eq "SIGINT: ends at once ($SECS s)" 1 "$(below "$SECS" 5)"
assert_ok "SIGINT: report written and valid" validate_report "$T/sigint.json"
assert_eq "SIGINT: the run is marked interrupted" true "$(py_json "$T/sigint.json" "d.get('interrupted')")"
assert_eq "SIGINT: the finished endpoint is kept" "false []" \
	"$(py_json "$T/sigint.json" "'%s %s' % (json.dumps(d['endpoints'][0]['tls']['offered']), d['endpoints'][0]['errors'])")"
assert_eq "SIGINT: the others are INTERRUPTED" "INTERRUPTED INTERRUPTED INTERRUPTED" \
	"$(py_json "$T/sigint.json" "' '.join(e['errors'][0]['code'] for e in d['endpoints'][1:])")"
assert_eq "SIGINT: not started ones say so" "not scanned" \
	"$(py_json "$T/sigint.json" "d['endpoints'][3]['errors'][0]['stage']")"
assert_match "SIGINT: one line on stderr" 'interrupted' "$(cat "$T/sigint.err")"

interrupt TERM sigterm
assert_eq "SIGTERM: exit 130" 130 "$RC"
assert_eq "SIGTERM: ends at once ($SECS s)" 1 "$(below "$SECS" 5)"
assert_eq "SIGTERM: the run is marked interrupted" true "$(py_json "$T/sigterm.json" "d.get('interrupted')")"
assert_eq "SIGTERM: no temporary file left" "" "$(cd "$T" && ls | grep -F '.tmp.' || true)"

# --- SQL steps against a server whose result rows never end ----------------------------------
# Before: the MySQL login read the whole result (mysql_store_result) and PostgreSQL's PQexec did
# the same, so a scripted server flooding rows held the scan past its endpoint deadline with
# memory growing without bound (17 GB at 120 s, then killed). Now rows are read one at a time, to
# DBTLS_SQL_MAX_ROWS (100,000), and the statement is recorded as unreadable. The RSS ceiling
# (200 MB) is far above what the scan needs (~15 MB) and far below what the flood would cost.
export FAKE_CERT="$DBTLS_PKI/server-chain.pem" FAKE_KEY="$DBTLS_PKI/server.key"
fake_start mysqlflood mysql-sql-flood
fake_start pgflood pg-sql-flood
for kind in mysql pg; do
	case $kind in
	mysql) url="mysql://127.0.0.1:$MYSQLFLOOD_PORT" pwvar=DBTLS_MYSQL_PASSWORD ;;
	pg) url="postgres://127.0.0.1:$PGFLOOD_PORT" pwvar=DBTLS_PG_PASSWORD ;;
	esac
	start=$(date +%s.%N)
	RC=0
	# under ASan freed rows sit in its quarantine (256 MB by default): keep it small, so the
	# figure is dbtls's own (no effect on a build without sanitizers)
	env "$pwvar=flood-pw" ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=1:thread_local_quarantine_size_kb=64" \
		timeout -s KILL 120 /usr/bin/time -f %M -o "$T/$kind-flood.rss" \
		"$DBTLS" scan --policy none -q -o "$T/$kind-flood.json" --sql --sql-user u \
		--ca-file "$DBTLS_PKI/ca-bundle.pem" --endpoint-timeout 30 "$url" \
		2>"$T/$kind-flood.err" || RC=$?
	SECS=$(elapsed "$start")
	assert_eq "$kind row flood: the scan ends (exit 0)" 0 "$RC"
	assert_ok "$kind row flood: report valid" validate_report "$T/$kind-flood.json"
	assert_eq "$kind row flood: peak RSS below 200 MB ($(cat "$T/$kind-flood.rss") KB)" 1 \
		"$(awk -v k="$(tail -1 "$T/$kind-flood.rss")" 'BEGIN { print (k < 200000) }')"
	assert_eq "$kind row flood: the login happened" ok \
		"$(py_json "$T/$kind-flood.json" "d['endpoints'][0]['sql']['status']")"
	assert_eq "$kind row flood: the first statement is cut at the row cap" \
		"more than 100000 rows: the rest was not read" \
		"$(py_json "$T/$kind-flood.json" "d['endpoints'][0]['sql']['unreadable'][0]['message']")"
	assert_eq "$kind row flood: the password appears nowhere" "" \
		"$(grep -l flood-pw "$T/$kind-flood.json" "$T/$kind-flood.err" || true)"
done

# a complete run carries no "interrupted" key at all
assert_eq "a complete run is not marked" null "$(py_json "$T/drip.json" "d.get('interrupted')")"

finish
