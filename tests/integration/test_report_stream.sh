#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_report_stream.sh: saved reports larger than the old 64 MiB bound are read one endpoint at a
# time. A report of 8,000 endpoints (~75 MB, copies of a real one with distinct hosts, made by
# gen_big_report.py) is read by the streaming reader, `check --facts`, `diff` against a changed
# copy and `merge` of two halves, each under /usr/bin/time with a generous ceiling on peak RSS
# (memory, not time: the figures do not depend on the machine's speed). Before the streaming
# reader, all of these refused the file ("larger than 64 MiB").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
STREAM_READ=${STREAM_READ:-$(dirname "$DBTLS")/tests/integration/stream_read}
T=$DBTLS_TEST_TMP
GEN=("$DBTLS_PYTHON" "$DBTLS_LIBDIR/gen_big_report.py" "$DBTLS_SRCDIR/tests/fuzz/seeds/fuzz_report_read/one_endpoint.json")
TIME=/usr/bin/time
N=8000
[ -x "$TIME" ] || { echo "SKIP: no /usr/bin/time (Debian package time)"; exit 77; }
# under ASan, freed memory waits in a quarantine (256 MB by default) that would be measured too
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=4:detect_leaks=0"

"${GEN[@]}" "$N" "$T/big.json"
# NEW: one endpoint gone (h17), one changed (h42), one added (h8000)
"${GEN[@]}" "$((N + 1))" "$T/new.json" --skip 17 --change 42
size=$(stat -c %s "$T/big.json")
assert_eq "the report is larger than 64 MiB" 1 "$((size > 64 * 1024 * 1024))"

# the targets of the endpoint lines of a JSON Lines report
targets() {
	"$DBTLS_PYTHON" -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") == "endpoint":
        print(o["target"])' "$1"
}

# measure CMD...: runs it; its peak RSS in MiB in $mib, stdout in $T/out, exit status in $rc
measure() {
	rc=0
	"$TIME" -f %M -o "$T/rss" "$@" >"$T/out" 2>"$T/err" || rc=$?
	mib=$(($(tail -1 "$T/rss") / 1024))
}

measure "$STREAM_READ" "$T/big.json"
assert_eq "stream read: every endpoint" "endpoints $N files 0" "$(cat "$T/out")"
assert_eq "stream read: under 64 MiB (one endpoint at a time; measured ~20)" 1 "$((mib < 64))"
echo "stream read of $((size / 1048576)) MB: $mib MiB"

measure "$DBTLS" diff "$T/big.json" "$T/new.json" --format json
assert_eq "diff: not refused" 1 "$((rc != 2))"
[ "$rc" != 2 ] || cat "$T/err"
assert_eq "diff: removed, added, one certificate, one change" \
	"['mysql://h17.example:3306'] ['mysql://h8000.example:3306'] 1 1" \
	"$(py_json "$T/out" "'%s %s %d %d' % (d['endpoints']['removed'], d['endpoints']['added'], d['summary']['certificates'], d['summary']['changed'])")"
assert_eq "diff: under 96 MiB (an index of ids and offsets; measured ~25)" 1 "$((mib < 96))"
echo "diff of two $((size / 1048576)) MB reports: $mib MiB"

measure "$DBTLS" check --facts "$T/big.json" --policy none -q -o "$T/check.jsonl"
assert_eq "check --facts: not refused" 1 "$((rc != 2))"
[ "$rc" != 2 ] || cat "$T/err"
assert_eq "check --facts: every endpoint written" "$N" "$(targets "$T/check.jsonl" | wc -l)"
echo "check --facts of $((size / 1048576)) MB: $mib MiB"

"${GEN[@]}" $((N / 2)) "$T/a.json"
"${GEN[@]}" $((N / 2)) "$T/b.json" --from $((N / 2))
measure "$DBTLS" merge "$T/a.json" "$T/b.json" --policy none -q -o "$T/merged.jsonl"
assert_eq "merge: not refused" 1 "$((rc != 2))"
[ "$rc" != 2 ] || cat "$T/err"
assert_eq "merge: every endpoint once, in order" \
	"$(seq 0 $((N - 1)) | sed 's|.*|mysql://h&.example:3306|')" "$(targets "$T/merged.jsonl")"
echo "merge of two $((size / 2097152)) MB halves: $mib MiB"
rc=0
"$DBTLS" merge "$T/a.json" "$T/a.json" --policy none -q -o "$T/dup.jsonl" 2>"$T/err" || rc=$?
assert_eq "merge of a report with itself: exit 2" 2 "$rc"
assert_match "merge: names the endpoint, before any output" \
	"mysql://h0.example:3306 is in both $T/a.json and $T/a.json" "$(cat "$T/err")"
assert_eq "merge: no output" 0 "$([ -e "$T/dup.jsonl" ] && echo 1 || echo 0)"
finish
