#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# fleet_memory.sh: peak RSS (and wall time) of fleet-sized runs, from /usr/bin/time -v. Prints a
# table; a benchmark, not a test (nothing here fails on a figure).
#
#   bench/fleet_memory.sh [COUNT...]          default: 1000 100000
#
# Each COUNT is that many refused loopback targets (mysql://127.X.Y.Z:1: every probe is a refused
# connect, so the run measures the scheduler, the facts and the writers, not a server), scanned
# with -o r.json, then `check --facts r.json`, `diff r.json r.json` and `merge` of two halves.
# With FLEET_MARIADB=PORT, a MariaDB on 127.0.0.1 listening on 127.0.0.1-200 (bind-address takes a
# comma-separated list, FIELD-NOTES.md) is scanned too: COUNT/200 passes over its 200 addresses
# would be the same endpoints, so it scans the 200 once per --jobs value given in FLEET_JOBS.
#
# Use a build without sanitizers (./configure without --enable-sanitizers): ASan's shadow
# memory would be measured. DBTLS=path/to/dbtls picks the binary (default ./dbtls, then
# build/dbtls).
set -euo pipefail

DBTLS=${DBTLS:-$( [ -x ./dbtls ] && echo ./dbtls || echo build/dbtls)}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "fleet_memory.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
if nm -D "$DBTLS" 2>/dev/null | grep -q __asan_init; then
	echo "fleet_memory.sh: $DBTLS is built with sanitizers; the figures would be ASan's" >&2
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# run LABEL CMD...: CMD under time -v; prints LABEL, wall seconds, peak RSS in MiB
run() {
	local label=$1 rc=0
	shift
	"$TIME" -v "$@" >/dev/null 2>"$W/time" || rc=$?
	awk -v l="$label" -v rc="$rc" '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
		/Maximum resident set size/ { kb = $NF }
		END { printf "%-44s %9.1f s %9.1f MiB   exit %s\n", l, s, kb / 1024, rc }' "$W/time"
}

targets() { # COUNT FILE: COUNT distinct refused loopback targets
	"${PYTHON:-python3}" - "$1" >"$2" <<'EOF'
import sys
for i in range(int(sys.argv[1])):
    print("mysql://127.%d.%d.%d:1" % (1 + i // 65025, (i // 255) % 255, 1 + i % 255))
EOF
}

printf '%-44s %11s %13s\n' "run" "wall" "peak RSS"
for n in "${@:-1000 100000}"; do
	for c in $n; do
		targets "$c" "$W/t.txt"
		run "scan $c refused, -o r.json" "$DBTLS" scan --targets "$W/t.txt" --timeout 1 -q \
			-o "$W/r.json"
		run "scan $c refused, -o r.jsonl -o r.prom" "$DBTLS" scan --targets "$W/t.txt" \
			--timeout 1 -q -o "$W/r.jsonl" -o "$W/r.prom"
		run "scan $c refused, --targets -, all formats" sh -c '"$0" scan --targets - \
			--timeout 1 -q -o "$1/s.json" -o "$1/s.html" -o "$1/s.txt" -o "$1/s.jsonl" \
			-o "$1/s.prom" <"$1/t.txt"' "$DBTLS" "$W"
		run "check --facts ($c)" "$DBTLS" check --facts "$W/r.json" -q -o "$W/c.jsonl"
		run "diff ($c)" "$DBTLS" diff "$W/r.json" "$W/r.json"
		"$DBTLS" scan --targets "$W/t.txt" --timeout 1 --shard 0/2 -q -o "$W/s0.json" || true
		"$DBTLS" scan --targets "$W/t.txt" --timeout 1 --shard 1/2 -q -o "$W/s1.json" || true
		run "merge of 2 shards ($c)" "$DBTLS" merge "$W/s0.json" "$W/s1.json" -q -o "$W/m.json"
		printf '%-44s %11s %9.1f MiB\n' "  JSON report size ($c)" "" \
			"$(($(stat -c %s "$W/r.json") * 10 / 1048576))e-1"
	done
done
if [ -n "${FLEET_MARIADB:-}" ]; then
	: >"$W/real.txt"
	for i in $(seq 1 200); do echo "mysql://127.0.0.$i:$FLEET_MARIADB" >>"$W/real.txt"; done
	for j in ${FLEET_JOBS:-1 4 16 64}; do
		run "scan 200 MariaDB endpoints, --jobs $j" "$DBTLS" scan --targets "$W/real.txt" \
			--jobs "$j" -q -o "$W/real.json"
	done
fi
