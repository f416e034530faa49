#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_verdicts.sh: verdicts that must never be wrong. Servers that offer TLS and then refuse every
# hello (a TCP RST, a close, MySQL ERR 1043 right after the SSLRequest, a ServerHello of a version
# that was not offered) are an endpoint error NO_VERSION, never a PASS, under every shipped profile;
# a saved report of such an endpoint without the error (an older dbtls) is judged "could not be
# evaluated", not passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
PROFILES="baseline rfc9325 nist-800-52r2 bsi-tr-02102-2 mozilla-intermediate mozilla-modern pci-dss"

fake_start RST tls-rst
fake_start CLOSE tls-close
fake_start WRONG tls-wrong-version
fake_start ERR1043 mysql-err-1043

for srv in "tls://127.0.0.1:$RST_PORT rst" "tls://127.0.0.1:$CLOSE_PORT close" \
	"tls://127.0.0.1:$WRONG_PORT wrong-version" "mysql://127.0.0.1:$ERR1043_PORT err-1043"; do
	set -- $srv
	target=$1 name=$2
	for pol in $PROFILES; do
		rc=0
		"$DBTLS" scan --policy "$pol" --timeout 2 -q -o "$T/$name-$pol.json" "$target" || rc=$?
		# 3 (not scanned), or 1 where the profile also fails the missing TLS 1.3: never 0
		assert_match "$name under $pol: not a pass (exit $rc)" '^[13]$' "$rc"
		assert_eq "$name under $pol: NO_VERSION error" '["NO_VERSION"]' \
			"$(py_json "$T/$name-$pol.json" "[e['code'] for e in d['endpoints'][0]['errors']]")"
		assert_eq "$name under $pol: nothing passed" 0 \
			"$(py_json "$T/$name-$pol.json" "d['summary']['endpoints']['passed']")"
	done
	assert_ok "$name: report valid" validate_report "$T/$name-baseline.json"
	assert_eq "$name: TLS offered, no version accepted" "True 0" \
		"$(py_json "$T/$name-baseline.json" "'%s %d' % (d['endpoints'][0]['tls']['offered'], sum(v['status'] == 'accepted' for v in d['endpoints'][0]['tls']['versions'].values()))")"
done
assert_match "the error says what happened" 'every ClientHello .* was refused' \
	"$(py_json "$T/rst-baseline.json" "d['endpoints'][0]['errors'][0]['message']")"

# One set of counts: the scan's wall time has sub-second precision (before: 0 next to
# per-endpoint durations of 0.12 s), and is never less than the slowest endpoint took.
"$DBTLS" scan --policy baseline --timeout 2 -q -o "$T/rst.prom" -o "$T/rst.txt" "tls://127.0.0.1:$RST_PORT" || true
scan_s=$(awk '/^dbtls_scan_duration_seconds /{print $2}' "$T/rst.prom")
ep_s=$(awk '/^dbtls_endpoint_scan_duration_seconds/{print $2}' "$T/rst.prom")
assert_eq "scan duration ($scan_s s) >= endpoint duration ($ep_s s) > 0" 1 \
	"$(awk -v a="$scan_s" -v b="$ep_s" 'BEGIN { print (a >= b && b > 0 && a ~ /\./) }')"
assert_match "text: an errored endpoint is counted with errors" '1 endpoint scanned, 1 with errors' "$(cat "$T/rst.txt")"
assert_match "text: and as errored under the policy" '0 passed, 0 failed \(findings at or above high\), 1 errored' "$(cat "$T/rst.txt")"

# An errored endpoint keeps its place in a derived policy (before: dropped, and LeakSanitizer
# failed the derive); its drift checks are then not evaluable, never silently passed.
rc=0
"$DBTLS" policy derive "$T/rst-baseline.json" -o "$T/pinned.json" || rc=$?
assert_eq "derive of an errored endpoint: exit 0" 0 "$rc"
assert_match "its pin says why nothing is pinned" 'NO_VERSION' \
	"$(py_json "$T/pinned.json" "d['pins'][0]['unpinned']")"

# The same facts without the error (a report from before NO_VERSION existed): each check that
# needs a negotiated version or a chain says it could not be evaluated, at its own severity.
py_json "$T/wrong-version-baseline.json" "json.dumps(dict(d, endpoints=[dict(e, errors=[]) for e in d['endpoints']]))" >"$T/old.json"
for pol in $PROFILES; do
	rc=0
	"$DBTLS" check --facts "$T/old.json" --policy "$pol" -q -o "$T/old-$pol.json" || rc=$?
	assert_eq "error-free report under $pol: fails (exit 1)" 1 "$rc"
	assert_match "error-free report under $pol: cert checks not evaluable" \
		'cert\.[a-z-]+: could not be evaluated: no TLS version could be negotiated' \
		"$(py_json "$T/old-$pol.json" "' '.join(f['check'] + ': ' + f['title'] for f in d['endpoints'][0]['findings'])")"
done
assert_ok "indeterminate findings fit the schema" validate_report "$T/old-baseline.json"

finish
