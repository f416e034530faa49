#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/rtt.sh [RUNS]: a full scan of the compatibility MariaDB (TLS 1.0-1.3, 91 suites) through
# bench/delay_proxy.py at 20 ms and 100 ms round-trip time, side by side in the same run: dbtls
# (pipelined preamble, the default), dbtls --no-pipeline (the careful order: wait for the greeting),
# nmap --script ssl-enum-ciphers and sslscan --starttls-mysql. Prints the median wall time of RUNS
# runs (default 3) of each, its ratio to dbtls, and the round trips per connection the proxy
# counted. Not a test: it prints figures. Loopback only; every command is bounded by `timeout`.
#
# Overridable: RTTS ("20 100"), DBTLS (the binary), SSLSCAN_MAX_RTT (sslscan only up to this RTT,
# default 100: at 100 ms it takes about a minute a run), DBTLS_BASELINE (another dbtls binary, say
# one built from an older commit, run the same way as the row "baseline": before/after in one run).
# DBTLS_PROBE_TRACE=FILE on dbtls's own runs shows how the connection slots were used.
set -euo pipefail
RUNS=${1:-3}
RTTS=${RTTS:-20 100}
SSLSCAN_MAX_RTT=${SSLSCAN_MAX_RTT:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/integration/lib.sh"
DBTLS=${DBTLS:-$DBTLS_SRCDIR/build/dbtls}
[ -x "$DBTLS" ] || DBTLS=$DBTLS_SRCDIR/dbtls
T=$DBTLS_TEST_TMP

for tool in nmap sslscan; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench: installing $tool (Debian package)" >&2
		apt-get install -y -q "$tool" >/dev/null 2>&1 || sudo -n apt-get install -y -q "$tool" >/dev/null 2>&1 ||
			echo "bench: $tool not available; its rows stay empty" >&2
	fi
done

require_mariadb
start_compat BENCH
PORT=$BENCH_PORT

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else print "" }'; }
now() { date +%s.%N; }

# run NAME CMD...: RUNS timed runs through the proxy; appends "name rtt median rt/conn conns"
declare -A MED=() RTC=() NCONN=()
run() {
	local name=$1 rtt=$2 i t0 t1
	shift 2
	: >"$T/times"
	for ((i = 0; i < RUNS; i++)); do
		: >"$T/proxy.stats"
		t0=$(now)
		timeout 300 "$@" >/dev/null 2>&1 || true
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >>"$T/times"
	done
	sleep 0.3
	MED[$name/$rtt]=$(median <"$T/times")
	RTC[$name/$rtt]=$(awk '{ n++; s += $3 } END { if (n) printf "%.2f", s / n }' "$T/proxy.stats")
	NCONN[$name/$rtt]=$(wc -l <"$T/proxy.stats") # of the last run
}

mkdir -p "$T/nmapdata"
for rtt in $RTTS; do
	rm -f "$T/proxy.port"
	"$DBTLS_PYTHON" "$HERE/delay_proxy.py" --upstream-port "$PORT" --rtt-ms "$rtt" \
		--port-file "$T/proxy.port" --stats "$T/proxy.stats" --max-time 3000 2>>"$T/proxy.log" &
	proxy=$!
	for _ in $(seq 100); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
	pp=$(cat "$T/proxy.port")
	printf 'mysql\t%s/tcp\t0.5\n' "$pp" >"$T/nmapdata/nmap-services"
	run dbtls "$rtt" "$DBTLS" scan --policy none -q -o "$T/r.json" "mysql://127.0.0.1:$pp"
	run dbtls-careful "$rtt" "$DBTLS" scan --policy none -q --no-pipeline -o "$T/r.json" "mysql://127.0.0.1:$pp"
	if [ -n "${DBTLS_BASELINE:-}" ]; then
		run baseline "$rtt" "$DBTLS_BASELINE" scan --policy none -q -o "$T/r.json" "mysql://127.0.0.1:$pp"
	fi
	if command -v nmap >/dev/null; then
		run nmap "$rtt" nmap -Pn -n -p "$pp" --datadir "$T/nmapdata" --script ssl-enum-ciphers 127.0.0.1
	fi
	if command -v sslscan >/dev/null && [ "$rtt" -le "$SSLSCAN_MAX_RTT" ]; then
		run sslscan "$rtt" sslscan --no-colour --starttls-mysql "127.0.0.1:$pp"
	fi
	kill "$proxy" 2>/dev/null || true
	wait "$proxy" 2>/dev/null || true
done

printf '\nFull scan of the compatibility MariaDB through a delaying proxy (median of %d runs)\n' "$RUNS"
printf '%-14s %6s %9s %9s %12s %8s\n' tool rtt_ms wall_s vs_dbtls rt_per_conn conns
for rtt in $RTTS; do
	for name in dbtls dbtls-careful baseline nmap sslscan; do
		m=${MED[$name/$rtt]:-}
		[ -n "$m" ] || continue
		ratio=$(awk -v a="$m" -v b="${MED[dbtls/$rtt]}" 'BEGIN { printf "%.2fx", a / b }')
		printf '%-14s %6s %9s %9s %12s %8s\n' "$name" "$rtt" "$m" "$ratio" "${RTC[$name/$rtt]}" \
			"${NCONN[$name/$rtt]}"
	done
done
