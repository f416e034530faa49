#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_reports.sh: the report formats end to end. One scan of the compatibility MariaDB writes
# JSON, HTML, JSON Lines, Prometheus and text at once (-o per extension); the HTML is rendered in
# headless Chromium, which must show every section and log nothing to its console (a page with a
# throwing script proves the check would notice); the Prometheus file passes `promtool check
# metrics`; the JSON Lines parse and carry the same scan id as the HTML; the text summary is
# coloured on a terminal only (--no-color, NO_COLOR). The same report with hostile strings put
# into the fields a server controls renders as text, never as markup. `dbtls diff` reports what
# appeared, disappeared and changed, with exit 1 only for something new at or above --fail-on and
# exit 2 naming a bad file.
#
# Needs chromium and promtool (Debian packages chromium, prometheus): without them those parts
# are skipped, unless DBTLS_REQUIRE_INTEGRATION=1 (scripts/test.sh), which makes them failures.
# DBTLS_KEEP_TMP=1 keeps the reports and a screenshot (report.png) to look at.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
REQUIRE=${DBTLS_REQUIRE_INTEGRATION:-0}

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
PROMTOOL=$(command -v promtool || true)
missing() { # TOOL: skip a part without TOOL, or fail when everything is required
	if [ "$REQUIRE" = 1 ]; then
		assert_eq "$1 is installed (DBTLS_REQUIRE_INTEGRATION=1)" yes no
	else
		echo "skip: $1 not found"
	fi
}

# chrome NAME ARGS...: headless Chromium with the flags this machine needs (no network but
# loopback, a fresh profile), its log in $T/NAME.log; stdout is the caller's.
chrome() {
	local name=$1 prof rc=0
	shift
	prof=$(mktemp -d "$T/chromium-profile.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-quic \
		--user-data-dir="$prof" --enable-logging=stderr --v=0 "$@" 2>"$T/$name.log" || rc=$?
	rm -rf "$prof"
	return "$rc"
}

# render FILE.html NAME: the DOM Chromium built from the page into $T/NAME.dom, and what the page
# logged to the console (script errors, CSP violations, console.*) into $T/NAME.console.
render() {
	chrome "$2" --dump-dom "file://$1" >"$T/$2.dom"
	grep -E 'CONSOLE|Uncaught' "$T/$2.log" >"$T/$2.console" || true
}

run() { # EXPECTED-EXIT WHAT ARGS...: dbtls ARGS, stdout in $T/out, stderr in $T/err
	local want=$1 what=$2 rc=0
	shift 2
	"$DBTLS" "$@" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$what: exit status" "$want" "$rc"
	[ "$rc" = "$want" ] || { cat "$T/err"; tail -20 "$T/out"; }
}

start_compat COMPAT
CA=$DBTLS_PKI/ca-bundle.pem
TARGET=mysql://localhost:$COMPAT_PORT

# --- one scan, five formats -------------------------------------------------------------------------
run 1 "compat scan writes every format at once" scan --ca-file "$CA" -q -o "$T/r.json" \
	-o "$T/r.html" -o "$T/r.jsonl" -o "$T/r.prom" -o "$T/r.txt" "$TARGET"
for f in r.json r.html r.jsonl r.prom r.txt; do
	assert_ok "$f written" test -s "$T/$f"
done
assert_ok "the JSON report validates" validate_report "$T/r.json"
assert_match "-o FILE.html is HTML" '^<!DOCTYPE html>' "$(head -c 15 "$T/r.html")"
assert_match "-o FILE.prom is the exposition format" '^# HELP dbtls_' "$(head -1 "$T/r.prom")"
run 0 "--format prometheus for an unknown extension" check --facts "$T/r.json" --policy none \
	--format prometheus -q -o "$T/metrics.out"
assert_match "--format wins over the extension" '^# HELP dbtls_' "$(head -1 "$T/metrics.out")"
nfind=$(py_json "$T/r.json" "len(d['endpoints'][0]['findings'])")

# --- HTML in a real browser ---------------------------------------------------------------------------
html_sections() { # NAME ENDPOINTS: the rendered DOM has the summary and each endpoint's sections
	local dom=$T/$1.dom
	assert_eq "$1: no script or image elements" 0 "$(grep -ciE '<(script|img|iframe|object)' "$dom" || true)"
	assert_eq "$1: nothing on the console" "" "$(cat "$T/$1.console")"
	assert_eq "$1: summary section" 1 "$(grep -c '<section id="summary">' "$dom")"
	assert_eq "$1: one section per endpoint" "$2" "$(grep -c '<section class="endpoint" id="ep-' "$dom")"
	local h
	for h in 'Findings by severity' 'Endpoints' 'Nearest certificate expiries' 'Findings' \
		'TLS versions' 'Cipher suites' 'Key exchange' 'Certificate chain'; do
		assert_eq "$1: heading '$h'" yes "$(grep -q "<h[23]>$h</h[23]>" "$dom" && echo yes || echo no)"
	done
}
if [ -n "$CHROMIUM" ]; then
	# the check must see a script error and a blocked fetch, or a passing render proves nothing
	printf '<!DOCTYPE html><html><body><p>x</p><script>throw new Error("planted")</script></body></html>\n' \
		>"$T/broken.html"
	render "$T/broken.html" broken
	assert_match "a throwing page is noticed" 'Uncaught Error: planted' "$(cat "$T/broken.console")"

	render "$T/r.html" real
	html_sections real 1
	assert_match "real: the anonymous suites are marked weak" \
		'<tr class="weak"><td>[0-9]+</td><td class="mono">TLS_(DH|ECDH)_anon_' "$(cat "$T/real.dom")"
	assert_match "real: the TLS 1.0 finding with its remediation" \
		'protocol.tls10-enabled.*tls_version=TLSv1.2,TLSv1.3' "$(tr '\n' ' ' <"$T/real.dom")"
	assert_match "real: the leaf's subject in the chain" '\[0\] leaf: CN=localhost' "$(cat "$T/real.dom")"
	assert_eq "real: every finding is shown" "$nfind" "$(grep -c '<article class="finding' "$T/real.dom")"
	chrome shot --window-size=1280,2200 --screenshot="$T/report.png" "file://$T/r.html" >/dev/null
	assert_eq "a screenshot was taken" PNG "$(head -c 4 "$T/report.png" | tail -c 3)"
	assert_eq "the screenshot is not blank" 1 "$(($(stat -c %s "$T/report.png") > 20000))"
else
	missing chromium
fi

# --- Prometheus -----------------------------------------------------------------------------------
if [ -n "$PROMTOOL" ]; then
	out=$("$PROMTOOL" check metrics <"$T/r.prom" 2>&1) && rc=0 || rc=$?
	assert_eq "promtool check metrics (exit)" 0 "$rc"
	assert_eq "promtool check metrics (no lint)" "" "$out"
else
	missing promtool
fi
assert_eq "prom: TLS 1.0 accepted" 1 \
	"$(sed -n "s|^dbtls_tls_version_accepted{target=\"$TARGET\",version=\"TLSv1.0\"} ||p" "$T/r.prom")"
assert_eq "prom: SSLv3 refused" 0 \
	"$(sed -n "s|^dbtls_tls_version_accepted{target=\"$TARGET\",version=\"SSLv3\"} ||p" "$T/r.prom")"
leaf_t=$(py_json "$T/r.json" "__import__('calendar').timegm(__import__('time').strptime(d['endpoints'][0]['certificates'][0]['not_after'], '%Y-%m-%dT%H:%M:%SZ'))")
assert_match "prom: leaf expiry timestamp" "^dbtls_certificate_not_after_timestamp_seconds\{target=\"$TARGET\",position=\"0\",subject=\"CN=localhost[^\"]*\"\} $leaf_t\$" \
	"$(grep '^dbtls_certificate_not_after_timestamp_seconds' "$T/r.prom" | head -1)"
assert_eq "prom: high findings" \
	"$(py_json "$T/r.json" "sum(1 for f in d['endpoints'][0]['findings'] if f['severity']=='high' and not f['waived'])")" \
	"$(sed -n "s|^dbtls_findings{target=\"$TARGET\",severity=\"high\"} ||p" "$T/r.prom")"

# --- JSON Lines -------------------------------------------------------------------------------------
jl=$("$DBTLS_PYTHON" - "$T/r.jsonl" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
objs = [json.loads(l) for l in lines]
ids = {o["scan_id"] for o in objs}
print(len([o for o in objs if o["type"] == "finding"]), len([o for o in objs if o["type"] == "endpoint"]),
      len(ids), ids.pop(), objs[-1]["outcome"])
EOF
)
read -r jl_find jl_ep jl_nids jl_id jl_outcome <<<"$jl"
assert_eq "jsonl: one line per finding" "$nfind" "$jl_find"
assert_eq "jsonl: one endpoint line" 1 "$jl_ep"
assert_eq "jsonl: one scan id" 1 "$jl_nids"
assert_eq "jsonl: the endpoint failed" failed "$jl_outcome"
assert_match "the HTML names the same scan id" "scan <code>$jl_id</code>" "$(cat "$T/r.html")"
# one type per key across every line kind (one index takes them all), and a timestamp on each
jl_types=$("$DBTLS_PYTHON" - "$T/r.jsonl" <<'EOF'
import json, sys
types, stamped, n = {}, 0, 0
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    n += 1
    stamped += isinstance(o.get("timestamp"), str)
    for k, v in o.items():
        if v is not None:
            types.setdefault(k, set()).add(type(v).__name__)
bad = sorted(k for k, t in types.items() if len(t) > 1)
print(" ".join(bad) or "none", stamped == n)
EOF
)
assert_eq "jsonl: one type per key across line kinds, every line stamped" "none True" "$jl_types"

# --- text: ten seconds, colour only on a terminal ----------------------------------------------------
txt=$(cat "$T/r.txt")
assert_match "text: verdict first" "^FAIL  $TARGET" "$txt"
assert_match "text: weak suites named" 'weak: TLS_' "$txt"
assert_match "text: closing verdict" $'\n''FAIL  1 of 1 endpoint failed' "$txt"
assert_eq "text: shorter than the suite list" 1 "$(($(wc -l <"$T/r.txt") < 60))"
assert_eq "text file: no colour" 0 "$(grep -c $'\033' "$T/r.txt" || true)"
if command -v script >/dev/null; then
	tty_out() { script -qec "$*" /dev/null </dev/null; }
	assert_eq "terminal: colour" 1 \
		"$(tty_out "'$DBTLS' check --facts '$T/r.json' --format text" | grep -c $'\033\\[31m' | awk '{print ($1 > 0)}')"
	assert_eq "terminal with --no-color: none" 0 \
		"$(tty_out "'$DBTLS' check --facts '$T/r.json' --format text --no-color" | grep -c $'\033\\[' || true)"
	assert_eq "terminal with NO_COLOR: none" 0 \
		"$(NO_COLOR=1 tty_out "'$DBTLS' check --facts '$T/r.json' --format text" | grep -c $'\033\\[' || true)"
fi

# --- hostile strings from the server ------------------------------------------------------------------
"$DBTLS_PYTHON" - "$T/r.json" "$T/hostile.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
h = '<script>alert("x")</script>\'"><img src=x onerror=alert(1)>&amp;\x1b[31m\r\n\u009b\u202e\\"} 1\nevil 1'
e = d["endpoints"][0]
e["server"]["version"] = h
e["server"]["product"] = h
c = e["certificates"][0]
c["subject"] = "CN=" + h
c["issuer"] = "O=" + h
c["sans"] = ["DNS:" + h]
if e.get("verification"):
    e["verification"]["error"] = h
e["errors"].append({"code": "PROTOCOL", "message": h, "stage": h})
json.dump(d, open(sys.argv[2], "w"))
EOF
run 1 "hostile report judged again" check --facts "$T/hostile.json" -q -o "$T/h.html" -o "$T/h.prom" \
	-o "$T/h.jsonl" -o "$T/h.txt"
[ "$(cat "$T/err")" = "" ] || cat "$T/err"
if [ -n "$CHROMIUM" ]; then
	render "$T/h.html" hostile
	html_sections hostile 1
	assert_match "hostile: the markup is shown as text" '&lt;script&gt;alert\("x"\)&lt;/script&gt;' \
		"$(cat "$T/hostile.dom")"
fi
if [ -n "$PROMTOOL" ]; then
	out=$("$PROMTOOL" check metrics <"$T/h.prom" 2>&1) && rc=0 || rc=$?
	assert_eq "hostile: promtool check metrics" "0 " "$rc $out"
fi
assert_eq "hostile: JSON Lines parse" ok "$("$DBTLS_PYTHON" -c 'import json,sys
[json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]; print("ok")' "$T/h.jsonl")"
assert_eq "hostile: no escape byte in the text" 0 "$(grep -c $'\033' "$T/h.txt" || true)"
assert_eq "hostile: no carriage return in the text" 0 "$(grep -c $'\r' "$T/h.txt" || true)"

# --- dbtls diff ------------------------------------------------------------------------------------
run 1 "baseline re-judged" check --facts "$T/r.json" -q -o "$T/old.json"
run 1 "mozilla-modern re-judged" check --facts "$T/r.json" --policy mozilla-modern -q -o "$T/new.json"
run 0 "diff of a report with itself" diff "$T/old.json" "$T/old.json"
assert_match "nothing changed" 'summary: 0 appeared, 0 disappeared, 0 changed, 0 unverified, 0 certificates changed; 0 alerts' \
	"$(cat "$T/out")"
"$DBTLS" diff "$T/old.json" "$T/new.json" --format json >"$T/diff.json" 2>"$T/err" && rc=0 || rc=$?
alerts=$(py_json "$T/diff.json" "d['summary']['alerts']")
assert_eq "baseline -> mozilla-modern: exit 1 exactly when something new is at or above high" \
	"$([ "$alerts" -gt 0 ] && echo 1 || echo 0)" "$rc"
assert_eq "baseline -> mozilla-modern: findings appeared" 1 "$(($(py_json "$T/diff.json" "d['summary']['appeared']") > 0))"
assert_eq "the JSON names both files" "$T/old.json $T/new.json" \
	"$(py_json "$T/diff.json" "d['old']['file'] + ' ' + d['new']['file']")"

# a TLS 1.0 finding that is new, a renewed leaf, a finding that went away, a severity that changed
"$DBTLS_PYTHON" - "$T/old.json" "$T/a.json" "$T/b.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
e = d["endpoints"][0]
tls10 = next(f for f in e["findings"] if f["check"] == "protocol.tls10-enabled")
gone = {"check": "suites.rc4", "severity": "medium", "title": "old RC4", "evidence": "x",
        "remediation": "y", "references": [], "waived": False}
a = json.loads(json.dumps(d))
a["endpoints"][0]["findings"] = [f for f in e["findings"] if f is not tls10] + [gone]
b = json.loads(json.dumps(d))
b["endpoints"][0]["certificates"][0]["sha256_fingerprint"] = "f" * 64
for f in b["endpoints"][0]["findings"]:
    if f["check"] == "protocol.tls11-enabled":
        f["severity"] = "critical"
json.dump(a, open(sys.argv[2], "w"))
json.dump(b, open(sys.argv[3], "w"))
EOF
run 1 "diff: new TLS 1.0 finding -> exit 1" diff "$T/a.json" "$T/b.json" --no-color
assert_match "diff: appeared" '\+ HIGH +mysql://localhost:[0-9]+ protocol.tls10-enabled: TLS 1.0 accepted \[alert\]' "$(cat "$T/out")"
assert_match "diff: disappeared" '- MEDIUM +mysql://localhost:[0-9]+ suites.rc4: old RC4' "$(cat "$T/out")"
assert_match "diff: severity changed" '~ HIGH>CRITICAL +mysql://localhost:[0-9]+ protocol.tls11-enabled' "$(cat "$T/out")"
assert_match "diff: leaf changed" '~ cert mysql://localhost:[0-9]+ \[0\] CN=localhost' "$(cat "$T/out")"
run 0 "diff: --fail-on critical ignores a new high" diff "$T/a.json" "$T/a.json" --fail-on critical
run 1 "diff: ...but a high that became critical is new at critical" diff "$T/a.json" "$T/b.json" --fail-on critical
run 0 "diff: the way back is no alert" diff "$T/b.json" "$T/a.json"
run 2 "diff: a missing file" diff "$T/a.json" "$T/missing.json"
assert_eq "diff: one line naming the file" "dbtls: diff: $T/missing.json: No such file or directory" "$(cat "$T/err")"
printf '{"endpoints": [' >"$T/trunc.json"
run 2 "diff: truncated JSON" diff "$T/trunc.json" "$T/a.json"
assert_match "diff: FILE:LINE:COLUMN" "^dbtls: diff: $T/trunc.json:1:[0-9]+: " "$(cat "$T/err")"
assert_eq "diff: the error is one line" 1 "$(wc -l <"$T/err")"
run 2 "diff: usage" diff "$T/a.json"
# a finding without a string severity crashed diff (UBSan: NULL to strcmp); every endpoint of NEW
# erroring read as "nothing new" (exit 0)
"$DBTLS_PYTHON" - "$T/a.json" "$T/nosev.json" "$T/allerr.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
n = json.loads(json.dumps(d))
del n["endpoints"][0]["findings"][0]["severity"]
json.dump(n, open(sys.argv[2], "w"))
for e in d["endpoints"]:
    e["errors"] = [{"code": "TIMEOUT", "message": "timed out", "stage": "connect"}]
    e["tls"]["offered"] = None
    e["findings"] = []
    e["certificates"] = []
json.dump(d, open(sys.argv[3], "w"))
EOF
run 2 "diff: a finding without a severity is an input error" diff "$T/a.json" "$T/nosev.json"
assert_eq "diff: one line naming FILE and the JSON path" \
	"dbtls: diff: $T/nosev.json: endpoints[0].findings[0].severity: missing (expected a string)" "$(cat "$T/err")"
run 3 "diff: NEW could not scan any endpoint -> exit 3, not 'nothing new'" diff "$T/a.json" "$T/allerr.json"
assert_match "diff: its endpoints are listed as not scanned" 'not scanned in new: mysql://localhost:[0-9]+' "$(cat "$T/out")"
run 2 "diff: html is no diff format" diff "$T/a.json" "$T/b.json" --format html

finish
