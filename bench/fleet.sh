#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/fleet.sh: many endpoints from a few real MariaDB servers on loopback addresses. Each
# mariadbd listens on SERVERS_ADDRS addresses at once (bind-address takes a list: 127.0.0.1,
# 127.0.0.2, …, see FIELD-NOTES), on its own port; the targets are every address x port. For each
# count in COUNTS and each --jobs in JOBS it prints wall time, endpoints a second, peak RSS
# (/usr/bin/time), connections (the report's connections_used), endpoints with errors. Then the
# same for PROXY_COUNT endpoints through bench/delay_proxy.py at PROXY_RTT ms (one proxy listening
# on each address, forwarding to the same address).
#
# Not part of `make check`. Bounded: each scan runs under `timeout RUN_LIMIT` (default 900 s) and
# is reported as cut off past it; traffic goes only to 127.0.0.0/8.
#
# Overridable: COUNTS ("1000 10000"), JOBS ("1 4 16 64"), SERVER (compat|strict; default compat:
# 116 connections an endpoint), MAX_ADDRS (addresses per server, default 2000), PROXY_COUNT (200),
# PROXY_RTT (20), PROXY_JOBS ("16 64"), RUN_LIMIT (900), DBTLS.
set -euo pipefail
COUNTS=${COUNTS:-1000 10000}
JOBS=${JOBS:-1 4 16 64}
SERVER=${SERVER:-compat}
MAX_ADDRS=${MAX_ADDRS:-2000}
PROXY_COUNT=${PROXY_COUNT:-200}
PROXY_RTT=${PROXY_RTT:-20}
PROXY_JOBS=${PROXY_JOBS:-16 64}
RUN_LIMIT=${RUN_LIMIT:-900}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/integration/lib.sh"
DBTLS=${DBTLS:-$DBTLS_SRCDIR/build/dbtls}
[ -x "$DBTLS" ] || DBTLS=$DBTLS_SRCDIR/dbtls
T=$DBTLS_TEST_TMP
require_mariadb

addr() { # N (0-based) -> a loopback address, 127.0.0.1 upwards, skipping .0 and .255
	local n=$1
	printf '127.%d.%d.%d\n' $((n / 64516)) $((n / 254 % 254)) $((n % 254 + 1))
}

max=0
for c in $COUNTS $PROXY_COUNT; do [ "$c" -gt "$max" ] && max=$c; done
per=$((max < MAX_ADDRS ? max : MAX_ADDRS))
nservers=$(((max + per - 1) / per))
list=$(for ((i = 0; i < per; i++)); do addr "$i"; done | tr '\n' ',')
list=${list%,}
PORTS=()
for ((s = 0; s < nservers; s++)); do
	"start_$SERVER" "FLEET$s" --bind-address="$list" >/dev/null
	v=FLEET${s}_PORT
	PORTS+=("${!v}")
done
echo "bench: $nservers $SERVER server(s) x $per addresses, ports ${PORTS[*]}" >&2

targets() { # COUNT PORTS...: COUNT targets, address-major
	local n=$1 i=0 a p
	shift
	for ((a = 0; a < per && i < n; a++)); do
		for p in "$@"; do
			[ "$i" -lt "$n" ] || break
			echo "mysql://$(addr "$a"):$p"
			i=$((i + 1))
		done
	done
}

ROWS=()
scan() { # LABEL COUNT JOBS TARGETFILE
	local label=$1 n=$2 jobs=$3 file=$4 t0 t1 rc=0 wall rss
	t0=$(date +%s.%N)
	timeout "$RUN_LIMIT" /usr/bin/time -f '%M' -o "$T/rss" "$DBTLS" scan --policy none -q \
		--jobs "$jobs" --targets "$file" -o "$T/fleet.json" 2>"$T/stderr" || rc=$?
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	rss=$(awk 'END { printf "%.0f", $1 / 1024 }' "$T/rss" 2>/dev/null || echo "?")
	if [ "$rc" = 124 ] || [ ! -s "$T/fleet.json" ]; then
		ROWS+=("$(printf '%-10s %7s %5s %8s %8s %8s %10s %7s' "$label" "$n" "$jobs" "$wall" - "$rss" "cut off" -)")
		return
	fi
	read -r conns errs <<<"$("$DBTLS_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
e = d["endpoints"]
print(sum(x["connections_used"] for x in e), sum(1 for x in e if x["errors"]))' "$T/fleet.json")"
	# what the errors were, so a row with errors can be explained (the report is overwritten)
	"$DBTLS_PYTHON" -c 'import collections, json, sys
d = json.load(open(sys.argv[1]))
c = collections.Counter(x["errors"][0]["message"][:100] for x in d["endpoints"] if x["errors"])
for m, k in c.most_common(5):
    print("  %s x %d: %s" % (sys.argv[2], k, m), file=sys.stderr)' "$T/fleet.json" "$label/$n/$jobs"
	ROWS+=("$(printf '%-10s %7s %5s %8s %8.1f %8s %10s %7s' "$label" "$n" "$jobs" "$wall" \
		"$(awk -v n="$n" -v w="$wall" 'BEGIN { print n / w }')" "$rss" "$conns" "$errs")")
	printf '%s\n' "${ROWS[-1]}" >&2
}

for n in $COUNTS; do
	targets "$n" "${PORTS[@]}" >"$T/targets-$n"
	for jobs in $JOBS; do
		scan loopback "$n" "$jobs" "$T/targets-$n"
	done
done

# through the delaying proxy: one proxy process per server port, listening on every address
PPORTS=()
for p in "${PORTS[@]}"; do
	pp=$(free_port)
	rm -f "$T/proxy-$p.port"
	"$DBTLS_PYTHON" "$HERE/delay_proxy.py" --upstream-port "$p" --listen-port "$pp" \
		--listen-addrs "$((PROXY_COUNT < per ? PROXY_COUNT : per))" --rtt-ms "$PROXY_RTT" \
		--port-file "$T/proxy-$p.port" --max-time "$((RUN_LIMIT * 3))" --max-open 1024 \
		2>>"$T/proxy.log" &
	dbtls_at_exit "kill $! 2>/dev/null || true"
	for _ in $(seq 200); do [ -s "$T/proxy-$p.port" ] && break; sleep 0.05; done
	PPORTS+=("$pp")
done
targets "$PROXY_COUNT" "${PPORTS[@]}" >"$T/targets-proxy"
for jobs in $PROXY_JOBS; do
	scan "${PROXY_RTT}ms-rtt" "$PROXY_COUNT" "$jobs" "$T/targets-proxy"
done

printf '\n%s %s servers; %s\n' "$nservers" "$SERVER" "$("$DBTLS" --version 2>/dev/null | head -n 1)"
printf '%-10s %7s %5s %8s %8s %8s %10s %7s\n' path endpoints jobs wall_s ep_per_s rss_MiB connections errors
printf '%s\n' "${ROWS[@]}"
