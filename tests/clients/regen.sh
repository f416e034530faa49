#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# regen.sh BUILDDIR: records every real client installed here again (tests/clients/capture.py ->
# tests/fixtures/clients/NAME.bin + NAME.json) and rewrites the recorded profiles of data/clients
# from them through dbtls's ClientHello parser (BUILDDIR/tests/clients/client_import). Not part
# of make check: run it by hand when a client or its TLS library changes, look at the diff,
# commit. The MySQL 8.0 greeting's captures (NAME-mysql8.bin) are kept to show whether a driver
# changes its offer with the server version; the profile comes from the MariaDB greeting's.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: regen.sh BUILDDIR}
/usr/bin/python3 "$src/tests/clients/capture.py" record "$src/tests/fixtures/clients" "${@:2}"
for meta in "$src"/tests/fixtures/clients/*.json; do
	name=$(basename "$meta" .json)
	case $name in *-mysql8) continue ;; esac
	"$build/tests/clients/client_import" "$src/tests/fixtures/clients/$name.bin" "$meta" \
		"$src/tests/clients/notwire.json" > "$src/data/clients/$name.json"
	echo "data/clients/$name.json"
done
