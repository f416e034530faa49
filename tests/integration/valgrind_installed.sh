#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# valgrind_installed.sh: the installed binary (built without sanitizers, `make install`ed) under
# valgrind memcheck, where ASan/UBSan do not reach: a full scan of a real MariaDB with the policy
# engine, revocation, SQL login and every report format, then re-judging and diffing the saved
# report. Any memcheck error or definite leak fails. Run by scripts/test.sh with DBTLS set to the
# installed binary; not part of `make check` (which runs the sanitizer build).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb
command -v valgrind >/dev/null || { echo "FAIL: valgrind is not installed"; exit 1; }

DBTLS=${DBTLS:?set DBTLS to the installed dbtls}
T=$DBTLS_TEST_TMP
start_strict VG
mariadb_sql VG "CREATE USER 'vg'@'%' IDENTIFIED BY 'Vg-pass-1' REQUIRE SSL; GRANT PROCESS ON *.* TO 'vg'@'%'"

vg() { # WHAT ARGS...: run the installed dbtls under memcheck; exits 0-3 are its own answers, 99 memcheck
	local what=$1 rc=0
	shift
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$T/vg.log" "$DBTLS" "$@" >"$T/vg.out" 2>&1 || rc=$?
	case $rc in
	0 | 1 | 2 | 3) assert_eq "$what: memcheck clean" "" "$(cat "$T/vg.log")" ;;
	*)
		assert_eq "$what: exit status under valgrind" "0/1/2/3" "$rc"
		head -40 "$T/vg.log" "$T/vg.out"
		;;
	esac
}

DBTLS_MYSQL_PASSWORD=Vg-pass-1 vg "full scan" scan --timeout 30 --ca-file "$DBTLS_PKI/ca-bundle.pem" \
	--new-ca-file "$DBTLS_PKI/other-ca.pem" --sql --sql-user vg -q \
	-o "$T/r.json" -o "$T/r.html" -o "$T/r.jsonl" -o "$T/r.prom" -o "$T/r.txt" \
	"mysql://localhost:$VG_PORT"
assert_ok "the report validates" validate_report "$T/r.json"
assert_eq "the scan found TLS 1.2 and 1.3" "TLSv1.2 TLSv1.3" \
	"$(py_json "$T/r.json" "' '.join(k for k,v in d['endpoints'][0]['tls']['versions'].items() if v['status']=='accepted')")"
vg "check --facts under another profile" check --facts "$T/r.json" --policy mozilla-modern -q -o "$T/c.html"
vg "diff" diff "$T/r.json" "$T/r.json"
vg "policy derive" policy derive "$T/r.json" -o "$T/pinned.json"
vg "usage error" scan --policy "$T/nonexistent.json" mysql://localhost:1
vg "explain" explain cert.revoked

finish
