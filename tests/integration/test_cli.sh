#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_cli.sh: the command line as a user meets it: --version, help naming every option and exit
# code, usage errors as one line naming the bad input (FILE:LINE for target files) with exit 2 and
# no report written, and no option that would put a secret on argv. Needs no database.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

v=$("$DBTLS" --version)
assert_match "--version" '^dbtls [0-9]+\.[0-9]+\.[0-9]+ \(OpenSSL 3' "$v"
assert_eq "--version matches VERSION" "$(cat "$DBTLS_SRCDIR/VERSION")" "$(awk '{print $2}' <<<"$v")"

help=$("$DBTLS" help)
assert_eq "--help and help agree" "$help" "$("$DBTLS" --help)"
for opt in --targets --ca-file --sni --timeout --jobs --per-host-connections --output --format --quiet --no-color; do
	assert_match "help describes $opt" "$opt" "$help"
done
for code in "0  every" "1  findings" "2  usage" "3  some endpoints"; do
	assert_match "help documents exit code ${code%% *}" "$code" "$help"
done
assert_match "help lists the protocols from the preamble table" 'mysql +MySQL/MariaDB' "$help"

usage() { # EXPECTED-MESSAGE ARGS...: exit 2, one line on stderr containing the message, no stdout
	local want=$1 rc=0 out
	shift
	out=$("$DBTLS" "$@" 2>"$T/err") || rc=$?
	assert_eq "exit 2 for: $*" 2 "$rc"
	assert_eq "nothing on stdout for: $*" "" "$out"
	assert_eq "one line on stderr for: $*" 1 "$(wc -l <"$T/err")"
	assert_match "message for: $*" "$want" "$(cat "$T/err")"
}
usage "no command given"
usage "unknown command 'scna'" scna db
usage "no targets given" scan
usage "--clients nosuch: no such profile" scan --clients nosuch tls://127.0.0.1:1
printf '{"tls_version": "TLSv1.3", "tls_version": "TLSv1.2"}\n' >"$T/dup.json"
usage "duplicate object key" scan --clients all --proposed "$T/dup.json" tls://127.0.0.1:1
usage "unknown option '--password'" scan --password hunter2 db
usage "--timeout 'soon'" scan --timeout soon db
usage "target 'db:0': bad port" scan db:0
usage "unknown protocol 'oracle'" scan oracle://db
usage "IPv6 addresses need brackets" scan ::1:3306
usage "cannot tell the format" scan -o report.pdf db
usage "$T/nope.txt: No such file" scan --targets "$T/nope.txt"
usage "--ca-file $T/none.pem" scan --ca-file "$T/none.pem" db

printf 'db1:3306\n# comment\n\nmysql://db2:3306\nhttp://db3\n' >"$T/targets.txt"
usage "$T/targets.txt:5: unknown protocol 'http'" scan --targets "$T/targets.txt" -o "$T/never.json"
assert_eq "no report after a usage error" no "$([ -e "$T/never.json" ] && echo yes || echo no)"

finish
