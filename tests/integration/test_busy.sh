#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_busy.sh: a "too many connections" (ERR 1040) never loses a probe of a server that has let
# the scan in, and never holds up one that has not.
#  - a fake that greets the first connection and then answers 1040 to the next 24: four tries a
#    probe (the old rule) lose probes, each in-flight probe taking at most five refusals; now
#    every 1040 is asked again until the endpoint's deadline: no SERVER_ERROR, every retry
#    counted, every version's status known and the same as without the 1040s;
#  - the same fake answering 1040 for ever after the first greeting, under a short
#    --endpoint-timeout: each probe still lost at the deadline is an error naming the probe and
#    the server's words, never a refusal (no version "rejected");
#  - an endpoint that only ever answers 1040 is reported as busy after the few tries (the code and
#    words kept), in a bounded time, not waited on until its deadline;
#  - a real MariaDB with max_connections=1 and one connection held by the test (so the scan has
#    MariaDB's one extra connection), scanned with --per-host-connections 8: no errors, retries
#    counted, the same versions and suites as the default 4 connections against the same server.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
j() { py_json "$1" "$2"; }
statuses() { j "$1" "json.dumps({k: v['status'] for k, v in d['endpoints'][0]['tls']['versions'].items()}, sort_keys=True)"; }
busy_errors() { j "$1" "[e['stage'] for e in d['endpoints'][0]['errors'] if e['code'] == 'SERVER_ERROR' or '1040' in e['message']]"; }

# --- the same fake without 1040s: what the scan must find ------------------------------------------
fake_start PLAIN mysql-tls
"$DBTLS" scan --policy none -q --timeout 3 -o "$T/plain.json" "127.0.0.1:$PLAIN_PORT" || true
assert_eq "plain fake: TLS 1.2 accepted" accepted "$(j "$T/plain.json" "d['endpoints'][0]['tls']['versions']['TLSv1.2']['status']")"

# --- 1040 after the server let us in: waited out ---------------------------------------------------
FAKE_BUSY_N=24 fake_start AFTER mysql-busy-after
"$DBTLS" scan --policy none -q --timeout 3 -o "$T/after.json" "127.0.0.1:$AFTER_PORT" || true
# counted as words: two threads' lines can run together in the fake's log
said=$(grep -o busy "$DBTLS_TEST_TMP/fake-AFTER.log" | wc -l)
assert_eq "1040 after a greeting: the server said it 24 times ($said)" 24 "$said"
assert_eq "1040 after a greeting: no probe lost to it" "[]" "$(busy_errors "$T/after.json")"
# every 1040 a probe met was retried; a warm connection (opened beside the first one) that met
# one and was closed unused, because it came too late for the probes, needs none: at most 3
retries=$(j "$T/after.json" "d['endpoints'][0].get('retries')")
assert_eq "1040 after a greeting: every 1040 a probe met retried, more than 4 ($retries)" 1 \
	"$((retries >= 21 && retries <= 24))"
assert_eq "1040 after a greeting: every version's status as without 1040s" "$(statuses "$T/plain.json")" "$(statuses "$T/after.json")"
assert_eq "1040 after a greeting: the server facts are the greeting's" "5.7.44-dbtls-fake" "$(j "$T/after.json" "d['endpoints'][0]['server']['version']")"
assert_ok "1040 after a greeting: report valid" validate_report "$T/after.json"

# --- 1040 for ever after the first greeting: lost at the deadline, said so -------------------------
FAKE_BUSY_N=1000000 fake_start FULL mysql-busy-after
rc=0
"$DBTLS" scan --policy none -q --timeout 1 --endpoint-timeout 3 -o "$T/full.json" "127.0.0.1:$FULL_PORT" || rc=$?
assert_eq "full after a greeting: exit 3" 3 "$rc"
assert_eq "full after a greeting: retried until the deadline (more than 4)" 1 "$(j "$T/full.json" "int(d['endpoints'][0]['retries'] > 4)")"
assert_eq "full after a greeting: every error is the server's 1040, naming the probe" "[]" \
	"$(j "$T/full.json" "[e for e in d['endpoints'][0]['errors'] if e['code'] != 'SERVER_ERROR' or not e['stage'].startswith(('probe', 'handshake')) or 'Too many connections' not in e['message'] or 'endpoint-timeout' not in e['message']]")"
assert_eq "full after a greeting: a probe lost, said so" 1 "$(j "$T/full.json" "int(len(d['endpoints'][0]['errors']) > 0)")"
assert_eq "full after a greeting: a 1040 is never a refusal" "[]" \
	"$(j "$T/full.json" "[k for k, v in d['endpoints'][0]['tls']['versions'].items() if v['status'] == 'rejected']")"
assert_ok "full after a greeting: report valid" validate_report "$T/full.json"

# --- only ever 1040: reported as busy after the few tries, quickly ---------------------------------
FAKE_BUSY_N=1000000 fake_start ALWAYS mysql-busy-first
start=$(date +%s.%N)
rc=0
"$DBTLS" scan --policy none -q --timeout 3 -o "$T/always.json" "127.0.0.1:$ALWAYS_PORT" || rc=$?
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
assert_eq "never let in: exit 3" 3 "$rc"
assert_eq "never let in: not waited on until the deadline ($elapsed s)" 1 "$(awk -v e="$elapsed" 'BEGIN { print (e < 15) }')"
assert_eq "never let in: 4 retries" 4 "$(j "$T/always.json" "d['endpoints'][0]['retries']")"
assert_eq "never let in: SERVER_ERROR" SERVER_ERROR "$(j "$T/always.json" "d['endpoints'][0]['errors'][0]['code']")"
assert_match "never let in: the server's words" 'Too many connections' "$(j "$T/always.json" "d['endpoints'][0]['errors'][0]['message']")"
assert_eq "never let in: the server's code" 1040 "$(j "$T/always.json" "d['endpoints'][0]['server']['error']['code']")"

# --- a real MariaDB past its max_connections -------------------------------------------------------
# max_connections=1, and the test holds that one connection (greeted, idle; --connect-timeout keeps
# MariaDB from dropping it during the scans): the scan gets MariaDB's one extra connection (kept
# for SUPER, but checked only at the login), so 8 probes at once meet 1040 all the time.
start_compat BUSYDB --max-connections=1 --connect-timeout=60
"$DBTLS_PYTHON" - "$BUSYDB_PORT" "$T/held" <<'EOF' &
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(4096)  # the greeting: this connection counts now
open(sys.argv[2], "w").close()
time.sleep(300)
EOF
HOLD_PID=$!
dbtls_at_exit "kill $HOLD_PID 2>/dev/null || true"
for _ in $(seq 200); do [ -e "$T/held" ] && break; sleep 0.05; done
assert_eq "real server: the test holds its one connection" 1 "$([ -e "$T/held" ] && echo 1 || echo 0)"
"$DBTLS" scan --policy none -q -o "$T/db4.json" "mysql://127.0.0.1:$BUSYDB_PORT" || true
"$DBTLS" scan --policy none -q --per-host-connections 8 -o "$T/db8.json" "mysql://127.0.0.1:$BUSYDB_PORT" || true
tls_of() { j "$1" "json.dumps({k: [v['status'], sorted(s['name'] for s in v.get('suites', []))] for k, v in d['endpoints'][0]['tls']['versions'].items()}, sort_keys=True)"; }
echo "real server, max_connections=1: retries $(j "$T/db4.json" "d['endpoints'][0].get('retries')") at 4 connections, $(j "$T/db8.json" "d['endpoints'][0].get('retries')") at 8"
assert_eq "real server, 8 connections: no errors" "[]" "$(j "$T/db8.json" "d['endpoints'][0]['errors']")"
assert_eq "real server, 8 connections: the 1040s were retried" 1 "$(j "$T/db8.json" "int(d['endpoints'][0].get('retries', 0) > 0)")"
assert_eq "real server, 4 connections: no errors" "[]" "$(j "$T/db4.json" "d['endpoints'][0]['errors']")"
assert_eq "real server: 8 connections find what 4 find" "$(tls_of "$T/db4.json")" "$(tls_of "$T/db8.json")"
assert_eq "real server: all 91 suites" 91 "$(j "$T/db8.json" "sum(len(v.get('suites', [])) for v in d['endpoints'][0]['tls']['versions'].values())")"
kill "$HOLD_PID" 2>/dev/null || true

finish
