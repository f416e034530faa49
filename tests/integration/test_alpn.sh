#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_alpn.sh: ALPN end to end against `openssl s_server -alpn foo,bar` (the ground truth is
# s_client: it must see "bar" selected for the list bar,baz). The scan side runs through the unit
# harness tests/unit/test_scan (test_scan_alpn_server), because --alpn on the command line is not
# there yet: the list reaches the scan as struct dbtls_scan_opts.alpn. That test must run here,
# not skip.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HARNESS=${DBTLS_TEST_SCAN:-$(dirname "$DBTLS")/tests/unit/test_scan}
[ -x "$HARNESS" ] || { echo "SKIP: $HARNESS not built"; exit 77; }
pki_ensure
start_tls_server ALPN server-chain.pem server.key -alpn foo,bar

# ground truth: OpenSSL's own client sees the server's pick
truth=$(openssl s_client -connect "127.0.0.1:$ALPN_PORT" -alpn bar,baz -servername localhost \
	</dev/null 2>/dev/null | grep -a '^ALPN protocol' || true)
assert_eq "s_client: bar selected" "ALPN protocol: bar" "$truth"

out=$(DBTLS_TEST_ALPN_PORT=$ALPN_PORT DBTLS_TEST_CA=$DBTLS_PKI/ca-bundle.pem \
	"$HARNESS" 2>&1) && rc=0 || rc=$?
assert_eq "harness passes" 0 "$rc"
assert_match "ALPN scan ran (not skipped)" '\[       OK \] test_scan_alpn_server' "$out"
if [ "$rc" -ne 0 ]; then echo "$out" | tail -30 >&2; fi
finish
