#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_hostile_text.sh: a server whose error message and version string are hostile bytes
# (terminal escapes, a bidi override, CR LF, markup, invalid UTF-8, BEL, a NUL). One escaping
# policy (src/core/escape.h): the wire layer keeps the bytes in the facts (only NUL, which a C
# string cannot hold, becomes '?'), and every writer escapes them for its format — so the text and
# HTML reports show "\x1b[31m" where the server sent ESC [31m, and no report holds a raw control
# byte or live markup. Before, the wire layer turned each such byte into '?', and a reader could
# not tell what the server had sent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

fake_start ERR mysql-err-hostile
fake_start GREET mysql-hostile-greeting

rc=0
"$DBTLS" scan --policy baseline --timeout 2 -q -o "$T/r.json" -o "$T/r.txt" -o "$T/r.html" \
	-o "$T/r.jsonl" -o "$T/r.prom" "127.0.0.1:$ERR_PORT" "127.0.0.1:$GREET_PORT" || rc=$?
assert_match "exit status: findings (1) or errors (3)" '^(1|3)$' "$rc"
assert_ok "JSON report valid" validate_report "$T/r.json"

# no report holds a raw control byte (ESC, BEL, CR), a raw bidi override or an invalid byte
for f in r.json r.txt r.html r.jsonl r.prom; do
	assert_eq "$f: no raw ESC/BEL/CR" 0 "$(LC_ALL=C grep -c $'[\x1b\x07\r]' "$T/$f" || true)"
	assert_eq "$f: no raw U+202E" 0 "$(LC_ALL=C grep -c $'\xe2\x80\xae' "$T/$f" || true)"
	assert_eq "$f: no raw 0xFF" 0 "$(LC_ALL=C grep -c $'\xff' "$T/$f" || true)"
done

txt=$(cat "$T/r.txt")
# the bytes reached the writer: escaped, not replaced by '?' on the wire
assert_match "text: ESC shown as \\x1b" 'Access denied \\x1b\[31mRED\\x1b\[0m' "$txt"
assert_match "text: bidi override shown as \\u202e" '\\u202egnp\.exe' "$txt"
assert_match "text: CR LF shown, not executed" 'gnp\.exe\\x0d\\nX-Injected' "$txt"
assert_match "text: invalid UTF-8 shown as \\xNN" '\\xff\\xfe \\x07bell' "$txt"
assert_match "text: NUL is the one byte kept as '?'" 'bell\?after' "$txt"
assert_match "text: the greeting's version too" 'MySQL 5\.7\.44-Access denied \\x1b\[31m' "$txt"
assert_eq "text: one line per message (no injected line)" 0 "$(grep -c '^X-Injected' "$T/r.txt" || true)"

assert_eq "HTML: no live markup from the server" 0 "$(grep -c '<script>alert' "$T/r.html" || true)"
assert_match "HTML: markup shown as text" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "$(cat "$T/r.html")"
assert_match "HTML: ESC shown as \\x1b" 'Access denied \\x1b\[31mRED' "$(cat "$T/r.html")"

j() { py_json "$T/r.json" "$1"; }
assert_eq "JSON: the error code kept" 1045 "$(j "d['endpoints'][0]['server']['error']['code']")"
assert_eq "JSON: the server's ESC reaches the report (JSON-escaped), not '?'" true \
	"$(j "'\\x1b[31mRED' in d['endpoints'][0]['server']['error']['message']")"
assert_eq "JSON: markup kept as text" true \
	"$(j "'<script>alert(1)</script>' in d['endpoints'][0]['server']['error']['message']")"

finish
