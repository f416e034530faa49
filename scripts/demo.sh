#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# demo.sh: the README's first quick-start command. Installs what is missing, builds dbtls, starts a
# throwaway MariaDB on loopback with the "compatibility" TLS settings a cloud provider documents for
# old clients (TLS 1.0-1.3, ALL:@SECLEVEL=0) and a test PKI made on the spot, scans it, shows the
# summary and writes demo-output/report.json (and report.txt, report.html). The server and its temporary files
# are gone when the script ends.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/deps.sh"
dbtls_install_deps "${DBTLS_BUILD_DEPS[@]}" mariadb-server mariadb-client python3

cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build
(cd build && { [ -f Makefile ] || ../configure -q; } && make -s -j"$(nproc)" dbtls)

. "$top/tests/integration/lib.sh"
require_mariadb
echo "demo: starting a throwaway MariaDB (TLS 1.0-1.3, ALL:@SECLEVEL=0) on 127.0.0.1"
start_compat DEMO
mkdir -p "$top/demo-output"
echo "demo: dbtls scan mysql://localhost:$DEMO_PORT --ca-file <test CA> -o demo-output/report.json"
echo
rc=0
"$top/build/dbtls" scan "mysql://localhost:$DEMO_PORT" --ca-file "$DBTLS_PKI/ca-bundle.pem" \
	-o "$top/demo-output/report.json" -o "$top/demo-output/report.txt" \
	-o "$top/demo-output/report.html" || rc=$?
echo
echo "demo: reports in $top/demo-output/ (report.json, report.txt, report.html); dbtls exit status $rc"
