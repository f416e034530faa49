#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_policy.sh: the policy engine end to end against real MariaDB servers: the compatibility
# server fails `baseline` with TLS 1.0/1.1 and weak-suite findings (exit 1); the strict one passes
# `baseline` and `mozilla-intermediate` (exit 0); waivers turn the failing exit into a passing one
# until they expire; a saved report is judged again under another profile without the network;
# a profile derived from a reviewed scan flags a changed server; bad profiles are exit 2 with
# FILE:LINE:COLUMN.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

start_compat COMPAT
start_strict STRICT
CA=$DBTLS_PKI/ca-bundle.pem
COMPAT=mysql://localhost:$COMPAT_PORT
STRICT=mysql://localhost:$STRICT_PORT

run() { # EXPECTED-EXIT WHAT ARGS...
	local want=$1 what=$2 rc=0
	shift 2
	"$DBTLS" "$@" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$what: exit status" "$want" "$rc"
	[ "$rc" = "$want" ] || { cat "$T/err"; tail -20 "$T/out"; }
}

run 1 "compat under baseline (default)" scan --ca-file "$CA" -q -o "$T/compat.json" "$COMPAT"
assert_ok "report with findings validates" validate_report "$T/compat.json"
ids=$(py_json "$T/compat.json" "' '.join(sorted(set(f['check'] for f in d['endpoints'][0]['findings'])))")
for id in protocol.tls10-enabled protocol.tls11-enabled suites.anon; do
	assert_match "compat: finding $id" "(^| )$id( |$)" "$ids"
done
assert_eq "compat: TLS 1.0 finding is high" high \
	"$(py_json "$T/compat.json" "[f['severity'] for f in d['endpoints'][0]['findings'] if f['check']=='protocol.tls10-enabled'][0]")"
assert_match "compat: remediation gives the my.cnf line" 'tls_version=TLSv1.2,TLSv1.3' \
	"$(py_json "$T/compat.json" "[f['remediation'] for f in d['endpoints'][0]['findings'] if f['check']=='protocol.tls10-enabled'][0]")"
assert_match "compat: references RFC 8996" 'RFC 8996' \
	"$(py_json "$T/compat.json" "[f['references'] for f in d['endpoints'][0]['findings'] if f['check']=='protocol.tls10-enabled'][0]")"
assert_match "compat: anon evidence names a suite" 'TLS_(DH|ECDH)_anon_' \
	"$(py_json "$T/compat.json" "[f['evidence'] for f in d['endpoints'][0]['findings'] if f['check']=='suites.anon'][0]")"
assert_eq "top-level policy" "baseline" "$(py_json "$T/compat.json" "d['policy']['name']")"
assert_eq "summary: one endpoint failed" 1 "$(py_json "$T/compat.json" "d['summary']['endpoints']['failed']")"
assert_eq "every finding has the contract's keys" true \
	"$(py_json "$T/compat.json" "all(set(['check','severity','title','evidence','remediation','references','waived']) <= set(f) for f in d['endpoints'][0]['findings'])")"

run 0 "strict under baseline" scan --ca-file "$CA" -q -o "$T/strict.json" "$STRICT"
run 0 "strict under mozilla-intermediate" scan --ca-file "$CA" --policy mozilla-intermediate -q "$STRICT"
assert_eq "strict: nothing at or above high" 0 \
	"$(py_json "$T/strict.json" "sum(1 for f in d['endpoints'][0]['findings'] if f['severity'] in ('high','critical'))")"
run 1 "strict under mozilla-modern (TLS 1.2 is below its minimum)" check --facts "$T/strict.json" --policy mozilla-modern -q

# --- re-evaluation of a saved report: no network needed -------------------------------------------
run 1 "check --facts under baseline" check --facts "$T/compat.json" -q -o "$T/recheck.json"
assert_eq "re-evaluation finds the same checks" "$ids" \
	"$(py_json "$T/recheck.json" "' '.join(sorted(set(f['check'] for f in d['endpoints'][0]['findings'])))")"
run 0 "check --facts --policy none" check --facts "$T/compat.json" --policy none -q
run 0 "check --facts --fail-on critical on strict" check --facts "$T/strict.json" --fail-on critical -q

# --- waivers ----------------------------------------------------------------------------------------
waivers() { # UNTIL: a waiver for each compat finding at or above high
	py_json "$T/compat.json" "json.dumps({'waivers': [{'check': c, 'endpoint': d['endpoints'][0]['target'], 'until': '$1', 'reason': 'migration of the legacy ERP client', 'owner': 'dba-team'} for c in sorted(set(f['check'] for f in d['endpoints'][0]['findings'] if f['severity'] in ('high','critical')))]})"
}
waivers "$(date -u -d '+30 days' +%F)" >"$T/waivers-ok.json"
waivers "$(date -u -d '-1 day' +%F)" >"$T/waivers-old.json"
run 0 "compat with waivers valid for 30 more days" check --facts "$T/compat.json" --waivers "$T/waivers-ok.json" -q -o "$T/waived.json"
assert_eq "waived findings stay in the report, marked" true \
	"$(py_json "$T/waived.json" "any(f['waived'] and f['waiver']['owner']=='dba-team' for f in d['endpoints'][0]['findings'])")"
run 1 "compat with waivers that ran out yesterday" check --facts "$T/compat.json" --waivers "$T/waivers-old.json" -q
run 0 "a live scan honours waivers too" scan --ca-file "$CA" --waivers "$T/waivers-ok.json" -q "$COMPAT"

# --- drift: pin the strict server, then change it ---------------------------------------------------
run 0 "policy derive" policy derive "$T/strict.json" -o "$T/pinned.json" --name strict-pinned
run 0 "the pinned profile passes the server it came from" scan --ca-file "$CA" --policy "$T/pinned.json" -q "$STRICT"
# a pin extends baseline: pinning the weak server does not switch its findings off
run 0 "policy derive of the weak server" policy derive "$T/compat.json" -o "$T/pinned-compat.json"
assert_eq "the pinned profile extends baseline" baseline "$(py_json "$T/pinned-compat.json" "d['extends']")"
run 1 "the weak server still fails under its own pins" check --facts "$T/compat.json" --policy "$T/pinned-compat.json" -q -o "$T/pc.json"
assert_match "baseline's findings stay on" 'protocol.tls10-enabled' \
	"$(py_json "$T/pc.json" "' '.join(f['check'] for f in d['endpoints'][0]['findings'])")"
assert_eq "no drift on the scan it came from" 0 \
	"$(py_json "$T/pc.json" "sum(f['check'].startswith('drift.') for f in d['endpoints'][0]['findings'])")"
run 1 "an endpoint without a pin is not passed in silence" check --facts "$T/strict.json" --policy "$T/pinned-compat.json" -q -o "$T/nopin.json"
assert_match "it gets a finding saying so" 'could not be evaluated: the policy has no pin' \
	"$(py_json "$T/nopin.json" "' '.join(f['title'] for f in d['endpoints'][0]['findings'])")"
# 1,500 endpoints: what derive writes, --policy can load (before: 4.9 MB, the loader stops at 4 MiB)
py_json "$T/compat.json" "json.dumps(dict(d, endpoints=[dict(d['endpoints'][0], target='db%d:3306' % i, host='db%d' % i) for i in range(1500)]))" >"$T/big.json"
run 0 "policy derive of 1,500 endpoints" policy derive "$T/big.json" -o "$T/big-pinned.json"
assert_eq "it is under 4 MiB ($(wc -c <"$T/big-pinned.json") bytes)" 1 "$(($(wc -c <"$T/big-pinned.json") < 4194304))"
run 1 "and --policy loads it" check --facts "$T/big.json" --policy "$T/big-pinned.json" -q -o "$T/big-r.json"
assert_eq "no endpoint lacks its pin" 0 \
	"$(py_json "$T/big-r.json" "sum('no pin' in f['title'] for e in d['endpoints'] for f in e['findings'])")"
mariadb_stop STRICT
start_compat STRICT2 --port="$STRICT_PORT"
run 1 "after the server changed: drift" scan --ca-file "$CA" --policy "$T/pinned.json" -q -o "$T/drift.json" "$STRICT"
assert_match "drift findings" 'drift.suites.*drift.versions|drift.versions.*drift.suites' \
	"$(py_json "$T/drift.json" "' '.join(sorted(f['check'] for f in d['endpoints'][0]['findings']))")"
assert_match "drift evidence names what was added" 'added: .*TLSv1.0' \
	"$(py_json "$T/drift.json" "[f['evidence'] for f in d['endpoints'][0]['findings'] if f['check']=='drift.versions'][0]")"

# --- profiles, explain, and bad input -----------------------------------------------------------------
run 0 "dbtls policies" policies
assert_eq "policies lists the 10 shipped profiles (bsi-tr-02102-2-2026 and mozilla-modern-6 the last two)" 10 "$(wc -l <"$T/out")"
run 0 "dbtls explain" explain protocol.tls10-enabled
assert_match "explain names the RFC and the profiles" 'RFC 8996[^$]*Profiles:.*baseline \(high\)' "$(tr '\n' ' ' <"$T/out")"
run 2 "explain of an unknown check" explain protocol.tls9-enabled
printf '{\n  "name": "broken",\n  "version": "1",\n  "checks": {"protocol.tls10-enabled": "hgih"}\n}\n' >"$T/broken.json"
run 2 "a bad profile" scan --policy "$T/broken.json" "$STRICT"
assert_match "the error is FILE:LINE:COLUMN" "broken.json:4:14: unknown severity 'hgih'" "$(cat "$T/err")"
run 2 "--fail-on with a bad severity" scan --fail-on severe "$STRICT"

finish
