#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_cli_input.sh: every input answered before any probe goes out, and output that fits the
# reader. Bad --ca-file/--crl/--new-ca-file/--defaults-file/-o inputs are one line naming the input
# and exit 2 with no connection made; the -o extension decides the format; target errors point at
# the cause (credentials never echoed); the same endpoint twice is scanned once; targets-file and
# policy-file bytes reach stderr escaped; evidence wraps to $COLUMNS; colours follow no-color.org;
# a closed stdout pipe is not an error. Needs no database (openssl s_server and fake servers).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
pki_ensure >/dev/null
CA=$DBTLS_PKI/ca-bundle.pem

usage() { # EXPECTED-MESSAGE ARGS...: exit 2, one line on stderr containing the message, no stdout
	local want=$1 rc=0 out
	shift
	out=$("$DBTLS" "$@" 2>"$T/err") || rc=$?
	assert_eq "exit 2 for: $*" 2 "$rc"
	assert_eq "nothing on stdout for: $*" "" "$out"
	assert_eq "one line on stderr for: $*" 1 "$(wc -l <"$T/err")"
	assert_match "message for: $*" "$want" "$(cat "$T/err")"
}

# --- item 10: inputs checked before any probe: a server that counts connections sees none ----------
fake_start COUNT count
COUNTED() { grep -c accepted "$DBTLS_TEST_TMP/fake-COUNT.log" || true; }
TGT="127.0.0.1:$COUNT_PORT"
mkdir -p "$T/adir"
printf 'not a certificate\n' >"$T/junk.pem"
usage "--ca-file $T/adir: is a directory" scan --ca-file "$T/adir" "$TGT"
usage "--ca-file $T/junk.pem: not a PEM CA bundle" scan --ca-file "$T/junk.pem" "$TGT"
usage "--new-ca-file $T/junk.pem: not a PEM CA bundle" scan --new-ca-file "$T/junk.pem" "$TGT"
usage "--crl $T/junk.pem: not a CRL" scan --crl "$T/junk.pem" "$TGT"
usage "--crl $CA: not a CRL" scan --crl "$CA" "$TGT"
usage "--defaults-file $T/adir: is a directory" scan --defaults-file "$T/adir" "$TGT"
usage "-o $T/missing/r.json: directory $T/missing" scan -o "$T/missing/r.json" "$TGT"
usage "-o $T/adir: is a directory" scan -o "$T/adir" "$TGT"
assert_eq "no connection was made for any bad input" 0 "$(COUNTED)"
# the good ones still load: a CA bundle, a PEM and a DER CRL
rc=0
"$DBTLS" scan --policy none --ca-file "$CA" --crl "$DBTLS_PKI/crl.pem" --crl "$DBTLS_PKI/crl.der" \
	--timeout 1 -q -o "$T/count.json" "$TGT" 2>"$T/err" || rc=$?
assert_eq "good CA bundle and CRLs accepted: the endpoint is scanned" 3 "$rc"
assert_match "and the server saw it" '^[1-9]' "$(COUNTED)"

# --- item 3: one endpoint, many spellings: scanned once ---------------------------------------------
rc=0
"$DBTLS" scan --policy none --timeout 1 -q -o "$T/dup.json" "$TGT" "mysql://$TGT" \
	"MYSQL://127.0.0.1:$COUNT_PORT/" 2>"$T/err" || rc=$?
assert_eq "duplicates: exit 3 (the endpoint errors)" 3 "$rc"
assert_eq "duplicates: one endpoint in the report" 1 "$(py_json "$T/dup.json" "len(d['endpoints'])")"
assert_eq "duplicates: a note per dropped spelling" 2 "$(grep -c 'scanned once' "$T/err")"
assert_match "duplicates: the note names the canonical id" "mysql://127.0.0.1:$COUNT_PORT" "$(cat "$T/err")"
fake_stop COUNT

# --- item 15: target errors point at the cause --------------------------------------------------
usage "credentials do not belong in targets" scan "mysql://admin:s3cr3t-pw@db1:3306"
assert_eq "the password is never echoed" 0 "$(grep -c 's3cr3t' "$T/err" || true)"
assert_eq "nor the user" 0 "$(grep -c 'admin' "$T/err" || true)"
printf 'mysql://root:hunter2@db1\n' >"$T/creds.txt"
usage "credentials do not belong" scan --targets "$T/creds.txt"
assert_eq "targets file: the password is never echoed" 0 "$(grep -c hunter2 "$T/err" || true)"
usage "a path \('/db'\) is not part of a target" scan "mysql://db1:3306/db"
usage "a path \('/db'\) is not part of a target" scan "db1/db"
usage "a query \('\?ssl=1'\) is not part of a target" scan "db1:3306?ssl=1"
usage "bad port '0'" scan db:0
for t in db:0 "mysql://db1/db" "db1?ssl=1" "oracle://db"; do
	"$DBTLS" scan "$t" 2>"$T/err" || true
	assert_eq "the error names '$t' once" 1 "$(grep -oF -- "$t" "$T/err" | wc -l)"
done
REFUSED=$(free_port)
rc=0
"$DBTLS" scan --policy none --timeout 1 -q -o "$T/refused.json" "MySQL://127.0.0.1:$REFUSED" 2>"$T/err" || rc=$?
assert_eq "MYSQL:// (any case) is a target: scanned, refused, exit 3" 3 "$rc"
assert_match "a refused connection names the port" "port $REFUSED: Connection refused" \
	"$(py_json "$T/refused.json" "d['endpoints'][0]['errors'][0]['message']")"
fake_start NOSSL mysql-nossl
rc=0
"$DBTLS" scan --policy none --timeout 1 -q -o "$T/mysql-as-tls.json" "tls://127.0.0.1:$NOSSL_PORT" 2>"$T/err" || rc=$?
assert_match "tls:// at a MySQL server: the hint says mysql://" 'this looks like MySQL: use mysql://' \
	"$(cat "$T/mysql-as-tls.json")"
fake_stop NOSSL

# --- item 13: bytes from files reach stderr escaped; a BOM is not part of line 1 ----------------
printf '\xef\xbb\xbf127.0.0.1:%s\n' "$REFUSED" >"$T/bom.txt"
rc=0
"$DBTLS" scan --policy none --timeout 1 -q -o "$T/bom.json" --targets "$T/bom.txt" 2>"$T/err" || rc=$?
assert_eq "a UTF-8 BOM on line 1 is ignored (scanned, refused: 3)" 3 "$rc"
assert_eq "BOM: the host is what follows it" 127.0.0.1 "$(py_json "$T/bom.json" "d['endpoints'][0]['host']")"
printf 'db1\n\033]0;pwned\007\033[2Jdb2 x\n' >"$T/esc.txt"
usage "esc.txt:2: one target per line" scan --targets "$T/esc.txt"
assert_eq "targets file: no raw ESC on stderr" 0 "$(tr -cd '\033' <"$T/err" | wc -c)"
assert_match "targets file: the ESC is shown as \\x1b" '\\x1b\]0;pwned' "$(cat "$T/err")"
# --- a report with long evidence, for the output items ------------------------------------------
start_tls_server WEAK expired-chain.pem expired.key -cipher 'ALL:@SECLEVEL=0'
rc=0
"$DBTLS" scan --revocation off --ca-file "$CA" -q -o "$T/r.json" "tls://127.0.0.1:$WEAK_PORT" 2>"$T/err" || rc=$?
assert_eq "weak server: findings, exit 1" 1 "$rc"
fake_stop WEAK

# policy and waiver keys reach stderr escaped (item 13)
printf '{"name": "p", "version": "1", "extends": "baseline", "checks": {"\\u001b[2Jx\\u001b]0;t\\u0007": {}}}\n' >"$T/esc-policy.json"
"$DBTLS" check --facts "$T/r.json" --policy "$T/esc-policy.json" 2>"$T/err" >/dev/null || true
assert_match "policy file: the error is reported" 'policy' "$(cat "$T/err")"
assert_eq "policy file: no raw ESC on stderr" 0 "$(tr -cd '\033\007' <"$T/err" | wc -c)"
printf '{"waivers": [{"check": "\\u001b[2Jx", "endpoint": "db", "until": "2099-01-01", "reason": "r", "owner": "o"}]}\n' >"$T/esc-waivers.json"
"$DBTLS" check --facts "$T/r.json" --waivers "$T/esc-waivers.json" 2>"$T/err" >/dev/null || true
assert_eq "waivers file: no raw ESC on stderr" 0 "$(tr -cd '\033' <"$T/err" | wc -c)"

ck() { "$DBTLS" "$@" || true; } # findings exit 1: the output is what is tested here

# --- item 9: the -o extension decides; --format is for stdout and unknown extensions --------------
ck check --facts "$T/r.json" --format text -q -o "$T/f1.json"
assert_eq "--format text -o r.json writes JSON" '{' "$(head -c 1 "$T/f1.json")"
ck check --facts "$T/r.json" --format json -q -o "$T/f2.html"
assert_match "--format json -o a.html writes HTML" '^<!DOCTYPE html>' "$(head -1 "$T/f2.html")"
out=$(ck check --facts "$T/r.json" --format json -o "$T/f3.txt")
assert_eq "--format json with -o: stdout is JSON" '{' "${out:0:1}"
assert_match "… and the .txt file is text" '^FAIL' "$(head -1 "$T/f3.txt")"
out=$(ck check --facts "$T/r.json" -o -)
assert_match "-o - without --format is text" '^FAIL' "$out"
out=$(ck check --facts "$T/r.json" -o - --format jsonl)
assert_match "-o - follows --format" '^\{"' "$out"
ck check --facts "$T/r.json" --format prometheus -q -o "$T/f4.out"
assert_match "--format for an unknown extension" '^# HELP' "$(head -1 "$T/f4.out")"

# --- item 14: evidence wraps to $COLUMNS, keeping the indent; colour per no-color.org --------------
wide=$(ck check --facts "$T/r.json" --no-color | awk 'length > 100' | wc -l)
assert_match "without COLUMNS (not a terminal): no wrapping" '^[1-9]' "$wide"
COLUMNS=60 ck check --facts "$T/r.json" --no-color >"$T/narrow.txt" || true
ev=$(grep -c '^           ' "$T/narrow.txt")
assert_match "COLUMNS=60: evidence lines present" '^[1-9]' "$ev"
assert_eq "COLUMNS=60: every evidence line fits" 0 "$(grep '^           ' "$T/narrow.txt" | awk '{ if (length($0) > 60) n++ } END { print n + 0 }')"
assert_match "COLUMNS=60: the wrapped evidence keeps its words" 'TLS_RSA_WITH_AES_128_CBC_SHA,' "$(cat "$T/narrow.txt")"
widest() { "$DBTLS_PYTHON" -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$1"; }
assert_eq "COLUMNS=60: no line is wider (a word that does not fit aside)" 1 "$(awk -v w="$(widest "$T/narrow.txt")" 'BEGIN { print (w <= 60) }')"
assert_eq "COLUMNS=60: continuation lines are indented" 1 "$(grep -cE '^    TLS_[A-Z0-9_]+,' "$T/narrow.txt" | awk '{ print ($1 > 0) }')"
ck check --facts "$T/r.json" --no-color -o "$T/nowrap.txt" >/dev/null
COLUMNS=60 ck check --facts "$T/r.json" --no-color -q -o "$T/nowrap60.txt"
assert_eq "files are never wrapped (COLUMNS is for the terminal)" "$(cat "$T/nowrap.txt")" "$(cat "$T/nowrap60.txt")"
has_esc() { grep -c $'\033\\[' | awk '{ print ($1 > 0) }'; }
if command -v script >/dev/null; then
	tty_out() { script -qec "$*" /dev/null </dev/null; }
	assert_eq "terminal: colours" 1 "$(tty_out "'$DBTLS' check --facts '$T/r.json'" | has_esc)"
	assert_eq "terminal, NO_COLOR empty: colours (no-color.org)" 1 "$(NO_COLOR= tty_out "'$DBTLS' check --facts '$T/r.json'" | has_esc)"
	assert_eq "terminal, NO_COLOR=1: none" 0 "$(NO_COLOR=1 tty_out "'$DBTLS' check --facts '$T/r.json'" | has_esc)"
	assert_eq "terminal, TERM=dumb: none" 0 "$(TERM=dumb tty_out "'$DBTLS' check --facts '$T/r.json'" | has_esc)"
	assert_eq "terminal, --color=never: none" 0 "$(tty_out "'$DBTLS' check --facts '$T/r.json' --color=never" | has_esc)"
fi
assert_eq "pipe, --color=always: colours" 1 "$(ck check --facts "$T/r.json" --color=always | has_esc)"
assert_eq "pipe, --color=always beats NO_COLOR" 1 "$(NO_COLOR=1 ck check --facts "$T/r.json" --color=always | has_esc)"
assert_eq "pipe, --color (no value) is always" 1 "$(ck check --facts "$T/r.json" --color | has_esc)"
assert_eq "pipe: no colours by default" 0 "$(ck check --facts "$T/r.json" | has_esc)"
usage "--color 'sometimes'" check --facts "$T/r.json" --color=sometimes

# --- item 16: dbtls policy lists its sub-commands; a closed stdout pipe is quiet -------------------
rc=0
out=$("$DBTLS" policy 2>"$T/err") || rc=$?
assert_eq "dbtls policy: exit 0" 0 "$rc"
assert_match "dbtls policy: lists derive" 'dbtls policy derive' "$out"
usage "unknown sub-command 'frob'" policy frob
closed_pipe() { # ARGS...: run dbtls with stdout a pipe whose reader is gone; print "RC STDERR"
	"$DBTLS_PYTHON" - "$DBTLS" "$@" <<'EOF'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
sys.stdout.write("%d %s" % (p.returncode, p.stderr.decode(errors="replace")))
EOF
}
assert_eq "check | (closed): its own status (1), nothing on stderr" "1 " "$(closed_pipe check --facts "$T/r.json")"
assert_eq "check --format json | (closed): the same" "1 " "$(closed_pipe check --facts "$T/r.json" --format json)"
assert_eq "explain all | (closed): 0, quiet" "0 " "$(closed_pipe explain all)"
assert_eq "help | (closed): 0, quiet" "0 " "$(closed_pipe help)"
assert_eq "diff | (closed): its own status, quiet" "0 " "$(closed_pipe diff "$T/r.json" "$T/r.json")"
if [ -w /dev/full ]; then
	rc=0
	"$DBTLS" help >/dev/full 2>"$T/err" || rc=$?
	assert_eq "a full disk on stdout is an error (exit 2)" 2 "$rc"
	assert_match "… and says so" 'standard output' "$(cat "$T/err")"
fi

# --- per-command help and acceptance ----------------------------------------------------------------
out=$("$DBTLS" help scan)
assert_match "help scan: the scan options" '--alpn LIST' "$out"
assert_eq "help scan: not the derive options" 0 "$(grep -c -- '--extends' <<<"$out" || true)"
assert_eq "scan --help is help scan" "$out" "$("$DBTLS" scan --help)"
usage "check does not take --sql" check --facts "$T/r.json" --sql
usage "--alpn 'h2,,x': each protocol id is 1 to 255 bytes" scan --alpn 'h2,,x' db
usage "--alpn 'h 2': protocol ids are printable" scan --alpn 'h 2' db

finish
