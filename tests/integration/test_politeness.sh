#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_politeness.sh: fewer round trips, politeness and resilience, progress.
#  - the pipelined MySQL preamble (SSLRequest + ClientHello right behind the TCP handshake) finds
#    what the careful one finds on the compatibility MariaDB, in fewer round trips (counted by
#    bench/delay_proxy.py, not timed), and goes back to the careful order when the greeting
#    changes or loses CLIENT_SSL after the first connection;
#  - ERR 1040 "Too many connections" is backed off and retried, and counted;
#  - --rate bounds new connections a second (timestamps at the server, generous bounds);
#  - with `ulimit -n 64` and --jobs 64, --jobs is fitted to the limit with one warning, and no
#    endpoint fails for want of descriptors;
#  - the progress line: on a terminal (a pty from script(1)), not with -q, not on a pipe, forced
#    by --progress.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
j() { py_json "$1" "$2"; }

# --- pipelined vs careful on the compatibility server ---------------------------------------------
start_compat COMPAT
"$DBTLS" scan --policy none -q -o "$T/fast.json" "mysql://127.0.0.1:$COMPAT_PORT"
"$DBTLS" scan --policy none -q --no-pipeline -o "$T/careful.json" "mysql://127.0.0.1:$COMPAT_PORT"
tls_of() { j "$1" "json.dumps(d['endpoints'][0]['tls'], sort_keys=True)"; }
assert_eq "pipelined: the same TLS facts as the careful order" "$(tls_of "$T/careful.json")" "$(tls_of "$T/fast.json")"
assert_eq "pipelined: 91 suites" 91 "$(j "$T/fast.json" "sum(len(v.get('suites', [])) for v in d['endpoints'][0]['tls']['versions'].values())")"
assert_eq "pipelined: no errors" "[]" "$(j "$T/fast.json" "d['endpoints'][0]['errors']")"
assert_eq "pipelined: no fallback on a steady server" null "$(j "$T/fast.json" "d['endpoints'][0].get('pipeline_fallback')")"

# round trips, counted by the delaying proxy: 1 (TCP) + the server's flights, per connection
"$DBTLS_PYTHON" "$DBTLS_SRCDIR/bench/delay_proxy.py" --upstream-port "$COMPAT_PORT" --rtt-ms 20 \
	--port-file "$T/proxy.port" --stats "$T/proxy.stats" --max-time 100 &
PROXY_PID=$!
dbtls_at_exit "kill $PROXY_PID 2>/dev/null || true"
for _ in $(seq 100); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
PROXY_PORT=$(cat "$T/proxy.port")
rtts() { # MODE...: scans through the proxy, prints "connections mean_round_trips"
	: >"$T/proxy.stats"
	"$DBTLS" scan --policy none -q "$@" -o "$T/proxied.json" "mysql://127.0.0.1:$PROXY_PORT"
	sleep 0.3 # the proxy logs a connection once both directions are closed
	awk '{ n++; s += $3 } END { printf "%d %.2f\n", n, s / n }' "$T/proxy.stats"
}
read -r n_fast rtt_fast <<<"$(rtts)"
assert_eq "proxied pipelined scan: same facts" "$(tls_of "$T/careful.json")" "$(tls_of "$T/proxied.json")"
read -r n_careful rtt_careful <<<"$(rtts --no-pipeline)"
echo "round trips per connection: pipelined $rtt_fast ($n_fast connections), careful $rtt_careful ($n_careful)"
assert_eq "careful order: 3 round trips per probe (mean $rtt_careful)" 1 "$(awk -v r="$rtt_careful" 'BEGIN { print (r >= 2.9 && r < 3.2) }')"
assert_eq "pipelined: about 2 round trips per probe (mean $rtt_fast)" 1 "$(awk -v r="$rtt_fast" 'BEGIN { print (r < 2.2) }')"
assert_eq "pipelined: no more connections than careful" 1 "$((n_fast <= n_careful))"
kill "$PROXY_PID" 2>/dev/null || true

# --- servers that change after the first connection -------------------------------------------------
fake_start VCHANGE mysql-version-change
fake_start NOSSL2 mysql-ssl-then-nossl
"$DBTLS" scan --policy none -q --timeout 3 -o "$T/change.json" "127.0.0.1:$VCHANGE_PORT" \
	"127.0.0.1:$NOSSL2_PORT" || true
assert_match "version change: fallback recorded" 'version changed.*5.7.44-dbtls-fake.*5.7.45-dbtls-fake' \
	"$(j "$T/change.json" "d['endpoints'][0].get('pipeline_fallback')")"
assert_eq "version change: the probes still done (careful order)" accepted \
	"$(j "$T/change.json" "d['endpoints'][0]['tls']['versions']['TLSv1.2']['status']")"
assert_eq "version change: no probe lost" "[]" \
	"$(j "$T/change.json" "[e['stage'] for e in d['endpoints'][0]['errors'] if e['stage'].startswith('probe')]")"
assert_match "CLIENT_SSL gone: fallback recorded" 'CLIENT_SSL' \
	"$(j "$T/change.json" "d['endpoints'][1].get('pipeline_fallback')")"
assert_eq "CLIENT_SSL gone: later probes say no TLS, never accepted" NO_TLS \
	"$(j "$T/change.json" "d['endpoints'][1]['errors'][0]['code']")"
nossl_hellos=$(grep -c 'hello nossl' "$DBTLS_TEST_TMP/fake-NOSSL2.log" || true)
assert_eq "CLIENT_SSL gone: at most one pipelined hello per connection slot ($nossl_hellos)" 1 "$((nossl_hellos >= 1 && nossl_hellos <= 4))"

# --- 1040: back off and retry ---------------------------------------------------------------------
FAKE_BUSY_N=2 fake_start BUSY mysql-busy-first
"$DBTLS" scan --policy none -q --timeout 3 -o "$T/busy.json" "127.0.0.1:$BUSY_PORT" || true
assert_eq "1040 twice: two retries counted" 2 "$(j "$T/busy.json" "d['endpoints'][0].get('retries')")"
assert_eq "1040 twice: no SERVER_ERROR left" "[]" \
	"$(j "$T/busy.json" "[e for e in d['endpoints'][0]['errors'] if e['code'] == 'SERVER_ERROR']")"
assert_eq "1040 twice: the probes done" accepted "$(j "$T/busy.json" "d['endpoints'][0]['tls']['versions']['TLSv1.2']['status']")"
assert_eq "1040 twice: the server facts are the greeting's" "5.7.44-dbtls-fake" "$(j "$T/busy.json" "d['endpoints'][0]['server']['version']")"
assert_ok "1040 report valid" validate_report "$T/busy.json"

# --- 1040 to the careful connections: the certificate handshake backs off and retries too --------
FAKE_BUSY_N=2 fake_start BUSYC mysql-busy-careful
"$DBTLS" scan --policy none -q --timeout 3 -o "$T/busyc.json" "127.0.0.1:$BUSYC_PORT" || true
busyc=$(grep -c 'busy careful' "$DBTLS_TEST_TMP/fake-BUSYC.log" || true)
assert_eq "1040 to careful connections: the server said it ($busyc)" 1 "$((busyc >= 1))"
assert_eq "1040 to careful connections: retried" 1 \
	"$(j "$T/busyc.json" "int(d['endpoints'][0].get('retries', 0) >= 1)")"
assert_eq "1040 to careful connections: no error says 1040 (handshake included)" "[]" \
	"$(j "$T/busyc.json" "[e['stage'] for e in d['endpoints'][0]['errors'] if '1040' in e['message'] or 'Too many' in e['message']]")"

# --- --rate ---------------------------------------------------------------------------------------
max_per_s() { # STAMPFILE: the most connections that started within any one second
	sort -n "$1" | awk '{ t[NR] = $1 } END { m = 0; j = 1; for (i = 1; i <= NR; i++) { while (t[i] - t[j] >= 1) j++; if (i - j + 1 > m) m = i - j + 1 } print m }'
}
FAKE_STAMP_FILE="$T/free.stamps" fake_start FREE mysql-tls
FAKE_STAMP_FILE="$T/rate.stamps" fake_start RATED mysql-tls
"$DBTLS" scan --policy none -q --timeout 3 -o "$T/free.json" "127.0.0.1:$FREE_PORT" || true
"$DBTLS" scan --policy none -q --timeout 3 --rate 2 -o "$T/rate.json" "127.0.0.1:$RATED_PORT" || true
free_max=$(max_per_s "$T/free.stamps")
rate_max=$(max_per_s "$T/rate.stamps")
rate_n=$(wc -l <"$T/rate.stamps")
echo "connections in the busiest second: $free_max without --rate, $rate_max with --rate 2 (of $rate_n)"
assert_eq "without --rate the burst is larger than 4 a second ($free_max)" 1 "$((free_max > 4))"
assert_eq "--rate 2: at most 4 new connections in any second ($rate_max)" 1 "$((rate_max <= 4))"
assert_eq "--rate 2: the same facts" "$(tls_of "$T/free.json")" "$(tls_of "$T/rate.json")"

# --- descriptor limit -----------------------------------------------------------------------------
addrs=$(seq -s, -f '127.0.0.%g' 1 64)
start_strict MANY --bind-address="$addrs"
targets=()
for i in $(seq 1 64); do targets+=("mysql://127.0.0.$i:$MANY_PORT"); done
rc=0
(
	ulimit -n 64
	exec "$DBTLS" scan --policy none -q --jobs 64 -o "$T/fds.json" "${targets[@]}"
) 2>"$T/fds.err" || rc=$?
assert_eq "ulimit -n 64, --jobs 64: exit 0" 0 "$rc"
assert_eq "ulimit -n 64: one warning" 1 "$(grep -c 'warning:.*file descriptors' "$T/fds.err" || true)"
assert_eq "ulimit -n 64: 64 endpoints" 64 "$(j "$T/fds.json" "len(d['endpoints'])")"
assert_eq "ulimit -n 64: no endpoint errors" 0 "$(j "$T/fds.json" "sum(len(e['errors']) for e in d['endpoints'])")"
assert_eq "ulimit -n 64: every endpoint complete" 64 "$(j "$T/fds.json" "sum(1 for e in d['endpoints'] if e['tls']['versions']['TLSv1.3']['status'] == 'accepted')")"

# --- progress -------------------------------------------------------------------------------------
two=("mysql://127.0.0.1:$MANY_PORT" "mysql://127.0.0.2:$MANY_PORT")
# script(1) gives the child a terminal on stdout and stderr and logs what it wrote there
script -qec "'$DBTLS' scan --policy none -o '$T/p1.json' ${two[*]} >/dev/null" "$T/tty.log" >/dev/null </dev/null || true
assert_match "terminal: progress line drawn" $'\rdbtls: 2/2 endpoints, 0 with errors' "$(cat "$T/tty.log")"
assert_match "terminal: and cleared" $'\r +\r' "$(cat "$T/tty.log")"
script -qec "'$DBTLS' scan --policy none -q -o '$T/p2.json' ${two[*]}" "$T/tty-q.log" >/dev/null </dev/null || true
assert_eq "terminal with -q: no progress" 0 "$(grep -c 'endpoints,' "$T/tty-q.log" || true)"
"$DBTLS" scan --policy none -o "$T/p3.json" "${two[@]}" >/dev/null 2>"$T/pipe.err" || true
assert_eq "not a terminal: no progress" 0 "$(grep -c 'endpoints,' "$T/pipe.err" || true)"
"$DBTLS" scan --policy none -q --progress -o "$T/p4.json" "${two[@]}" 2>"$T/forced.err" || true
assert_match "--progress: forced off a terminal" '2/2 endpoints, 0 with errors' "$(cat "$T/forced.err")"

finish
