#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# report_memory.sh: peak RSS and wall time of the commands that read saved reports — one pass
# of the streaming reader, `check --facts`, `diff` and `merge` — on big generated reports. Prints
# a table; a benchmark, not a test.
#
#   bench/report_memory.sh [COUNT...]          default: 100000
#
# Each COUNT makes a report of COUNT endpoints from one refused endpoint (the shape of a
# refused-target fleet scan: ~1.5 KB each, 149 MB at 100,000), a NEW copy with one endpoint
# gone, one changed and one added, and two halves to merge; with REAL=1 also COUNT/16 copies of
# a full endpoint (tests/fuzz/seeds/fuzz_report_read/one_endpoint.json: ~9 KB each). BASE=path
# to another dbtls (a build of an older commit) adds its figures for the same commands.
#
# Use builds without sanitizers. DBTLS (default build/dbtls) and STREAM_READ (default
# build/tests/integration/stream_read, made by `make check` or `make
# tests/integration/stream_read`) pick the binaries.
set -euo pipefail

S=$(cd "$(dirname "$0")/.." && pwd)
DBTLS=${DBTLS:-$S/build/dbtls}
STREAM_READ=${STREAM_READ:-$(dirname "$DBTLS")/tests/integration/stream_read}
GEN="$S/tests/integration/gen_big_report.py"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "report_memory.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

run() { # LABEL CMD...
	local label=$1 rc=0
	shift
	"$TIME" -f '%M %e' -o "$W/time" "$@" >/dev/null 2>"$W/err" || rc=$?
	tail -1 "$W/time" | awk -v l="$label" -v rc="$rc" \
		'{ printf "%-52s %8.1f s %9.1f MiB   exit %s\n", l, $2, $1 / 1024, rc }'
	[ "$rc" != 2 ] || sed 's/^/    /' "$W/err"
}

one() { # TAG TEMPLATE COUNT
	local tag=$1 tpl=$2 n=$3 mb
	python3 "$GEN" "$tpl" "$n" "$W/r.json"
	python3 "$GEN" "$tpl" "$((n + 1))" "$W/new.json" --skip 17 --change 42
	python3 "$GEN" "$tpl" "$((n / 2))" "$W/a.json"
	python3 "$GEN" "$tpl" "$((n - n / 2))" "$W/b.json" --from "$((n / 2))"
	mb=$(($(stat -c %s "$W/r.json") / 1000000))
	for who in new ${BASE:+base}; do
		local bin=$DBTLS
		[ "$who" = base ] && bin=$BASE
		[ "$who" = new ] && [ -x "$STREAM_READ" ] &&
			run "$tag $n ($mb MB): stream read" "$STREAM_READ" "$W/r.json"
		run "$tag $n ($mb MB): check --facts [$who]" "$bin" check --facts "$W/r.json" \
			--policy none -q -o "$W/c.jsonl"
		run "$tag $n ($mb MB): diff [$who]" "$bin" diff "$W/r.json" "$W/new.json"
		run "$tag $n ($mb MB): merge of two halves [$who]" "$bin" merge "$W/a.json" \
			"$W/b.json" --policy none -q -o "$W/m.json"
	done
}

"$DBTLS" scan mysql://127.0.0.1:1 --timeout 1 -q -o "$W/refused.json" || true
printf '%-52s %10s %13s\n' "run" "wall" "peak RSS"
for n in "${@:-100000}"; do
	one refused "$W/refused.json" "$n"
	[ -z "${REAL:-}" ] || one real "$S/tests/fuzz/seeds/fuzz_report_read/one_endpoint.json" "$((n / 16))"
done
