#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_layering.sh: `make layering-check` (tools/layering-check.sh) passes on the tree, and fails —
# naming the file, the line and the arrow — on each kind of forbidden include planted in a copy:
# checks -> wire, reports -> wire, wire -> scheduler, facts -> anything but core, and an include
# that is not written from the top of the tree. Needs no server.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

T=$DBTLS_TEST_TMP
check=$DBTLS_SRCDIR/tools/layering-check.sh

rc=0
out=$(bash "$check" "$DBTLS_SRCDIR" 2>&1) || rc=$?
assert_eq "the tree is clean ($out)" 0 "$rc"

# plant FILE INCLUDE: a copy of the tree with one more include in FILE; the check must name it
plant() {
	local file=$1 inc=$2 want=$3 copy rc=0 out
	copy=$T/tree-$RANDOM
	mkdir -p "$copy"
	(cd "$DBTLS_SRCDIR" && cp -r app src checks reports "$copy/")
	printf '#include "%s"\n' "$inc" >>"$copy/$file"
	out=$(bash "$check" "$copy" 2>&1) || rc=$?
	assert_eq "planted $inc in $file fails the check" 1 "$rc"
	assert_ok "planted $inc in $file is named" grep -qE "^$file:[0-9]+: include \"$inc\": $want" <<<"$out"
	rm -rf "$copy"
}
plant checks/check_kex.c src/wire/hello.h "checks -> wire is not allowed"
plant reports/report_text.c src/wire/net.h "reports -> wire is not allowed"
plant reports/report_text.c src/scan/scan.h "reports -> scan is not allowed"
plant src/wire/handshake.c src/scan/scan.h "wire -> scan is not allowed"
plant src/facts/facts.h src/registry/suites.h "facts -> registry is not allowed"
plant checks/checks.c checks/../src/wire/hello.h "not a path from the top of the tree"
plant src/pki/x509.c hello.h "not a path from the top of the tree"
finish
