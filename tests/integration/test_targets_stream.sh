#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_targets_stream.sh: targets in, endpoints out. Each target form and its bad input: CIDR
# ranges (IPv4 and IPv6, expanded one address at a time; counts; a range over --cidr-max and a bad
# prefix refused before any probe), --targets FILE (a bad line refused before any connection: a
# listener on the first line counts none), --targets - (a bad line ends the intake, the targets
# before it are scanned and reported, exit 2); duplicates on the stream scanned once. Memory stays
# bounded: 20,000 refused targets from standard input under an RSS ceiling (/usr/bin/time %M, no
# timing involved). The streaming path equals the batch one: `check --facts` (streamed, judged
# endpoint by endpoint) and `merge` of the same single report (batch: dbtls_evaluate and the
# whole-scan writers) write the same text, JSON, Prometheus, HTML and JSON Lines, byte for byte
# (the scan id aside: a streamed run cannot hash targets it has not read yet).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
Q=(--timeout 1 -q --policy none)

targets_of() { # REPORT.jsonl: the endpoint lines' targets, in order
	"$DBTLS_PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "endpoint":
        print(o["target"])' "$1"
}

# --- CIDR ranges ------------------------------------------------------------------------------
rc=0
"$DBTLS" scan 127.0.0.0/28:1 "${Q[@]}" -o "$T/c4.jsonl" || rc=$?
assert_eq "IPv4 /28: scanned, nothing listens (exit 3)" 3 "$rc"
assert_eq "IPv4 /28: 16 endpoints" 16 "$(targets_of "$T/c4.jsonl" | wc -l)"
assert_eq "IPv4 /28: first and last address, the port kept" "127.0.0.0:1 127.0.0.15:1" \
	"$(targets_of "$T/c4.jsonl" | sed -n '1p;$p' | tr '\n' ' ' | sed 's/ $//')"
rc=0
"$DBTLS" scan 'mysql://127.0.0.5/30:1' "${Q[@]}" -o "$T/c4b.jsonl" || rc=$?
assert_eq "a host address in the range: the network's four" \
	"mysql://127.0.0.4:1 mysql://127.0.0.5:1 mysql://127.0.0.6:1 mysql://127.0.0.7:1" \
	"$(targets_of "$T/c4b.jsonl" | tr '\n' ' ' | sed 's/ $//')"
rc=0
"$DBTLS" scan 'tls://[::1]/127:1' "${Q[@]}" -o "$T/c6.jsonl" || rc=$?
assert_eq "IPv6 /127: the scheme kept, bracketed" "tls://[::]:1 tls://[::1]:1" \
	"$(targets_of "$T/c6.jsonl" | tr '\n' ' ' | sed 's/ $//')"
rc=0
"$DBTLS" scan '[::1/128]:1' "${Q[@]}" -o "$T/c6b.jsonl" || rc=$?
assert_eq "IPv6 [ADDR/N]:PORT spelling" "[::1]:1" "$(targets_of "$T/c6b.jsonl")"

rc=0
"$DBTLS" scan 10.0.0.0/8:3306 "${Q[@]}" -o "$T/big.json" 2>"$T/err" || rc=$?
assert_eq "a /8 is refused (usage)" 2 "$rc"
assert_match "it says how many and how to insist" \
	"16777216 addresses, more than --cidr-max 65536.*--cidr-max 16777216" "$(cat "$T/err")"
assert_eq "no report written" 0 "$([ -e "$T/big.json" ] && echo 1 || echo 0)"
rc=0
"$DBTLS" scan 127.0.0.0/29:1 --cidr-max 4 "${Q[@]}" -o "$T/cap.jsonl" 2>"$T/err" || rc=$?
assert_eq "--cidr-max 4 refuses a /29" 2 "$rc"
rc=0
"$DBTLS" scan 127.0.0.0/29:1 --cidr-max 8 "${Q[@]}" -o "$T/cap.jsonl" || rc=$?
assert_eq "--cidr-max 8 takes it: 8 endpoints" 8 "$(targets_of "$T/cap.jsonl" | wc -l)"
rc=0
"$DBTLS" scan 127.0.0.0/33:1 "${Q[@]}" 2>"$T/err" || rc=$?
assert_eq "a bad prefix is a usage error" 2 "$rc"
assert_match "it names the prefix" "bad prefix length '/33'" "$(cat "$T/err")"
# a range whose scheme no preamble knows (found by fuzz_targets: it reached the scan unparsed
# and crashed it, exit 139): refused with the target parser's own words, on argv and in a file
rc=0
"$DBTLS" scan 'foo://127.0.0.0/30:1' "${Q[@]}" 2>"$T/err" || rc=$?
assert_eq "a range with an unknown scheme is a usage error" 2 "$rc"
assert_match "it names the scheme" "unknown protocol 'foo'" "$(cat "$T/err")"
printf '127.0.0.1:1\nfoo://127.0.0.0/30:1\n' >"$T/badrange.txt"
rc=0
"$DBTLS" scan --targets "$T/badrange.txt" "${Q[@]}" 2>"$T/err" || rc=$?
assert_eq "the same in a --targets file: usage error" 2 "$rc"
assert_match "FILE:LINE" "badrange.txt:2: unknown protocol 'foo'" "$(cat "$T/err")"

# --- --targets FILE: a bad line costs no traffic ------------------------------------------------
# a listener that counts the connections it accepts (none must come)
"$DBTLS_PYTHON" - "$T/listen.port" "$T/listen.count" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
n = 0
s.settimeout(20)
try:
    while True:
        c, _ = s.accept()
        n += 1
        open(sys.argv[2], "w").write(str(n))
        c.close()
except OSError:
    pass
EOF
LISTENER=$!
for _ in $(seq 100); do [ -s "$T/listen.port" ] && break; sleep 0.05; done
LPORT=$(cat "$T/listen.port")
printf 'mysql://127.0.0.1:%s\n# a comment\n127.0.0.2:1\nmysql://db1:3306/prod\n127.0.0.3:1\n' \
	"$LPORT" >"$T/bad.txt"
rc=0
"$DBTLS" scan --targets "$T/bad.txt" "${Q[@]}" -o "$T/bad.json" 2>"$T/err" || rc=$?
assert_eq "a bad line in a file: usage error" 2 "$rc"
assert_match "named FILE:LINE" "bad.txt:4: a path \('/prod'\) is not part of a target" "$(cat "$T/err")"
sleep 0.3
assert_eq "no connection went out (the first line listens)" 0 "$(cat "$T/listen.count" 2>/dev/null || echo 0)"
printf '127.0.0.0/30:1\n127.0.0.9/33:1\n' >"$T/badrange.txt"
rc=0
"$DBTLS" scan --targets "$T/badrange.txt" "${Q[@]}" 2>"$T/err" || rc=$?
assert_eq "a bad range in a file: usage error" 2 "$rc"
assert_match "named FILE:LINE" "badrange.txt:2: bad prefix length" "$(cat "$T/err")"
# the same listener, now scanned: the count proves it could see a connection
printf 'mysql://127.0.0.1:%s\n' "$LPORT" >"$T/good.txt"
"$DBTLS" scan --targets "$T/good.txt" "${Q[@]}" -o "$T/good.json" 2>/dev/null || true
assert_eq "the listener does count a scan" 1 "$([ "$(cat "$T/listen.count" 2>/dev/null || echo 0)" -gt 0 ] && echo 1 || echo 0)"
kill "$LISTENER" 2>/dev/null || true
wait "$LISTENER" 2>/dev/null || true

# --- --targets -: checked per line; a bad line ends the intake there ---------------------------
rc=0
printf '127.0.0.1:1\n127.0.0.2:1\nmysql://127.0.0.1:1\n127.0.0.3:1\nroot@db1\n127.0.0.4:1\n' |
	"$DBTLS" scan --targets - "${Q[@]}" -o "$T/stdin.jsonl" 2>"$T/err" || rc=$?
assert_eq "a bad line on standard input: exit 2" 2 "$rc"
assert_match "named -:LINE" "-:5: credentials do not belong in targets" "$(cat "$T/err")"
assert_match "a duplicate on the stream is noted" "'mysql://127.0.0.1:1' is '127.0.0.1:1' again" "$(cat "$T/err")"
assert_eq "the targets before it are reported, once each, in order" \
	"127.0.0.1:1 127.0.0.2:1 127.0.0.3:1" "$(targets_of "$T/stdin.jsonl" | tr '\n' ' ' | sed 's/ $//')"
rc=0
printf '127.0.0.0/30:1\n' | "$DBTLS" scan --targets - 127.0.0.1:1 "${Q[@]}" -o "$T/mix.jsonl" 2>/dev/null || rc=$?
assert_eq "argv, then a range from standard input (127.0.0.1 once)" 4 "$(targets_of "$T/mix.jsonl" | wc -l)"

# --- bounded memory: 20,000 refused targets from standard input ---------------------------------
# Timing plays no part: the peak RSS of 20,000 targets against that of 2,000 (same options), so
# that a sanitizer's fixed overhead cancels out. What still grows with the list is the set of ids
# seen and the per-server records (~0.4 KiB a target); before the stream every endpoint's facts
# stayed to the end as well (~1.5 KiB more, x2 under ASan).
if [ -x /usr/bin/time ]; then
	"$DBTLS_PYTHON" -c '
for i in range(20000):
    print("mysql://127.%d.%d.%d:1" % (1 + i // 65025, (i // 255) % 255, 1 + i % 255))' >"$T/many.txt"
	head -n 2000 "$T/many.txt" >"$T/few.txt"
	# (grep reads all of nm's output: with -q, nm could die of SIGPIPE and pipefail say "no")
	asan=$(nm -D "$DBTLS" 2>/dev/null | grep -c __asan_init || true)
	asan=$((asan > 0))
	for n in few many; do
		rc=0
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=1:thread_local_quarantine_size_kb=64" \
			/usr/bin/time -f %M -o "$T/rss-$n" "$DBTLS" scan --targets - --timeout 1 -q \
			--jobs 16 -o "$T/$n.json" -o "$T/$n.prom" -o "$T/$n-out.txt" <"$T/$n.txt" || rc=$?
		assert_eq "$n refused: scanned (exit 3)" 3 "$rc"
	done
	assert_eq "20,000 endpoints in the JSON" 20000 "$("$DBTLS_PYTHON" -c '
import json, sys; print(len(json.load(open(sys.argv[1]))["endpoints"]))' "$T/many.json")"
	grow=$(($(tail -n 1 "$T/rss-many") - $(tail -n 1 "$T/rss-few")))
	# measured: 7 MiB without sanitizers, 15 MiB under ASan; before the stream (the same runs
	# from a --targets file, which was all there was): 33 MiB without sanitizers
	limit=$((asan ? 28000 : 16000))
	assert_eq "18,000 more targets cost ${grow} KiB, under ${limit} KiB" 1 "$((grow < limit))"
fi

# --- interrupted: every streamed report says so, and keeps what finished ------------------------
fake_start SIL silent
env --default-signal=INT "$DBTLS" scan --policy none -q --jobs 1 --timeout 30 -o "$T/i.txt" \
	-o "$T/i.html" -o "$T/i.json" 127.0.0.1:1 "mysql://127.0.0.1:$SIL_PORT" 127.0.0.3:1 \
	2>"$T/i.err" &
pid=$!
sleep 1.5
kill -INT "$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
fake_stop SIL
assert_eq "SIGINT: exit 130" 130 "$rc"
# the silent server's endpoint was cut short and the last one never started: 2 not finished,
# counted as the endpoints passed (a streamed run keeps no array of them)
assert_match "text says interrupted, with the endpoints not finished" \
	"interrupted: the run was stopped \(SIGINT/SIGTERM\); 2 endpoints not finished" "$(cat "$T/i.txt")"
assert_match "HTML says interrupted, with the endpoints not finished" \
	'<p class="meta" id="interrupted"><span class="warn">interrupted</span>: the run was stopped \(SIGINT/SIGTERM\); 2 endpoints not finished' \
	"$(cat "$T/i.html")"
assert_eq "JSON: the three endpoints, the run interrupted" "3 True" \
	"$(py_json "$T/i.json" "'%d %s' % (len(d['endpoints']), d['interrupted'])")"
assert_eq "no temporary file left" "" "$(cd "$T" && ls | grep -F '.tmp.' || true)"

# --- standard output: formats that spool write their summary there at the end -------------------
pki_ensure >/dev/null
rc=0
"$DBTLS" scan 127.0.0.1:1 127.0.0.2:1 --timeout 1 --format html >"$T/o.html" || rc=$?
assert_eq "HTML on standard output: exit 3" 3 "$rc"
assert_eq "HTML on standard output: whole" "</html>" "$(tail -n 1 "$T/o.html")"
rc=0
"$DBTLS" scan 127.0.0.1:1 --timeout 1 --new-ca-file "$DBTLS_PKI/ca-bundle.pem" >"$T/o.txt" || rc=$?
assert_eq "text with --new-ca-file on standard output: exit 3" 3 "$rc"
assert_match "the rotation line first" "^CA rotation to .*: 0 of 1 endpoint ready; not ready: 127.0.0.1:1 \(not checked\)" \
	"$(head -n 1 "$T/o.txt")"
assert_match "then the endpoint, then the counts" "1 endpoint scanned|endpoints scanned" "$(cat "$T/o.txt")"

# --- the streaming path equals the batch path ----------------------------------------------------
if have_mariadb; then
	pki_ensure >/dev/null
	PORT=$(free_port)
	start_compat STREAM --port="$PORT" --bind-address=127.0.0.1,127.0.0.2
	CA=$DBTLS_PKI/ca-bundle.pem
	"$DBTLS" scan "mysql://127.0.0.1:$PORT" "mysql://127.0.0.2:$PORT" 127.0.0.3:1 \
		--ca-file "$CA" --new-ca-file "$CA" --timeout 2 -q -o "$T/r.json" || true
	for pol in baseline pci-dss; do
		for ext in txt json prom html jsonl; do
			"$DBTLS" check --facts "$T/r.json" --policy "$pol" -q -o "$T/check-$pol.$ext" || true
			"$DBTLS" merge "$T/r.json" --policy "$pol" -q -o "$T/merge-$pol.$ext" || true
			sed -E 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}/SCANID/g' "$T/check-$pol.$ext" >"$T/a"
			sed -E 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}/SCANID/g' "$T/merge-$pol.$ext" >"$T/b"
			assert_eq "check (streamed) = merge (batch), $pol, .$ext" same \
				"$(cmp -s "$T/a" "$T/b" && echo same || diff "$T/a" "$T/b" | head -5)"
		done
	done
	assert_match "the text report has the rotation line first" "^CA rotation to " \
		"$(head -n 1 "$T/check-baseline.txt")"
	assert_match "the PCI inventory is there" "PCI DSS 4.0.1 inventory" "$(cat "$T/check-pci-dss.txt")"
	# ... and not empty in the streamed JSON and HTML: both MariaDB addresses, one shared leaf
	assert_eq "streamed JSON inventory: the leaf served by the two reached endpoints" 2 \
		"$(py_json "$T/check-pci-dss.json" "[r['endpoint_count'] for r in d['inventory']['requirement_4_2_1_1'] if r['position'] == 'leaf'][0]")"
	assert_eq "streamed JSON inventory: suites of both" 1 \
		"$(py_json "$T/check-pci-dss.json" "int(all(r['endpoint_count'] == 2 for r in d['inventory']['requirement_12_3_3'] if r['version'] == 'TLSv1.3') and len(d['inventory']['requirement_12_3_3']) > 5)")"
	assert_match "streamed HTML inventory: the certificate table" '<table id="inventory-certs">' \
		"$(cat "$T/check-pci-dss.html")"
fi

finish
