#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_certs.sh: certificate chains, revocation and CA-rotation readiness end to end, real parts
# only (issue 5). MariaDB serves a revoked leaf, an incomplete, a misordered and an over-long chain,
# SHA-1, RSA-1024 (only under @SECLEVEL=0), clientAuth-only and CA:TRUE leaves and a leaf re-issued
# under a new root; `openssl s_server` serves a stapled OCSP response and a DSA-1024 leaf as direct
# TLS targets. Revocation answers come from OpenSSL's own OCSP responder (`openssl ocsp -index`
# behind a loopback HTTP front, see lib.sh) and from a CRL served over loopback HTTP, both named in
# the certificates' AIA / CRL distribution points, or from `--crl FILE`. Each setup is first checked
# against the openssl command line (ground truth), then dbtls's report must say the same: the
# revocation status, date, reason and source per certificate; hard-fail vs soft-fail; leaf-only;
# the chain facts; the check ids under `baseline`; the rotation summary (JSON and text).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
pki_ensure
P=$DBTLS_PKI
CA=$P/ca-bundle.pem
A=$T/aia
t_start=$EPOCHREALTIME

# --- revocation servers, then the certificates that name them ------------------------------------
start_http_files CRLSRV "$A"
start_ocsp_responder OCSP 0 "$A/index.txt"
pki_aia "$A" "$OCSP_URL" "$CRLSRV_URL/crl.der"

# --- the servers --------------------------------------------------------------------------------------
start_with_cert AIA "$A/ocsp-aia-chain.pem" "$A/ocsp-aia.key"
start_with_cert REV_OCSP "$A/revoked-ocsp-chain.pem" "$A/revoked-ocsp.key"
start_with_cert REV_CRL "$A/revoked-crl-chain.pem" "$A/revoked-crl.key"
start_with_cert REVOKED revoked-chain.pem revoked.key
start_with_cert NOINT nointermediate-chain.pem server.key
start_with_cert MISORD misordered-chain.pem server.key
start_with_cert EXTRA extra-chain.pem server.key
# mariadbd refuses a SHA-1-signed or 1024-bit leaf at the default security level ("Failed to setup
# SSL") and serves them under @SECLEVEL=0.
start_with_cert SHA1 sha1-chain.pem sha1.key --ssl-cipher='ALL:@SECLEVEL=0'
start_with_cert RSA1024 rsa1024-chain.pem rsa1024.key --ssl-cipher='ALL:@SECLEVEL=0'
start_with_cert NOEKU noeku-chain.pem noeku.key
start_with_cert LEAFCA leafca-chain.pem leafca.key
start_with_cert GOOD server-chain.pem server.key
start_with_cert NEWCA newca-server-chain.pem newca-server.key
ocsp_make_response server.pem "$T/staple.der"
start_stapling_server STAPLE server-chain.pem server.key "$T/staple.der"
ocsp_make_response revoked.pem "$T/staple-revoked.der"
start_stapling_server STAPLE_REV revoked-chain.pem revoked.key "$T/staple-revoked.der"
# a server stapling the response for another certificate (server.pem's, "good") to its revoked leaf
start_stapling_server STAPLE_WRONG revoked-chain.pem revoked.key "$T/staple.der"
# DSA: TLS 1.2 DHE-DSS suites only, at @SECLEVEL=0 (OpenSSL then answers TLS 1.3 hellos with 1.2).
start_tls_server DSA dsa1024-chain.pem dsa1024.key -cipher 'ALL:@SECLEVEL=0'
echo "servers up at $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

m() { printf 'mysql://localhost:%s' "$1"; }
AIA=$(m "$AIA_PORT") REV_OCSP=$(m "$REV_OCSP_PORT") REV_CRL=$(m "$REV_CRL_PORT")
REVOKED=$(m "$REVOKED_PORT") NOINT=$(m "$NOINT_PORT") MISORD=$(m "$MISORD_PORT")
EXTRA=$(m "$EXTRA_PORT") SHA1=$(m "$SHA1_PORT") RSA1024=$(m "$RSA1024_PORT")
NOEKU=$(m "$NOEKU_PORT") LEAFCA=$(m "$LEAFCA_PORT") GOOD=$(m "$GOOD_PORT") NEWCA=$(m "$NEWCA_PORT")
STAPLE=tls://127.0.0.1:$STAPLE_PORT DSA=tls://127.0.0.1:$DSA_PORT
STAPLE_REV=tls://127.0.0.1:$STAPLE_REV_PORT STAPLE_WRONG=tls://127.0.0.1:$STAPLE_WRONG_PORT

# --- ground truth: what openssl says about each setup --------------------------------------------
served() { # PORT [s_client options]: the subjects' CNs of the served chain, in order, ';'-joined
	local port=$1
	shift
	timeout 10 openssl s_client -connect "127.0.0.1:$port" -showcerts -cipher 'ALL:@SECLEVEL=0' \
		"$@" </dev/null 2>/dev/null | sed -n 's/^ *[0-9]* s:.*CN *= *//p' | paste -sd ';'
}
assert_eq "truth: incomplete chain served" "localhost" "$(served "$NOINT_PORT" -starttls mysql)"
assert_eq "truth: misordered chain served" \
	"localhost;dbtls test root CA;dbtls test intermediate CA" "$(served "$MISORD_PORT" -starttls mysql)"
assert_eq "truth: extra chain served" "localhost;dbtls test intermediate CA;dbtls unrelated CA" \
	"$(served "$EXTRA_PORT" -starttls mysql)"
assert_eq "truth: new-CA chain served" "localhost;dbtls test new intermediate CA" \
	"$(served "$NEWCA_PORT" -starttls mysql)"
assert_eq "truth: DSA server" "localhost;dbtls test intermediate CA" "$(served "$DSA_PORT")"
ocsp_truth() { # CERT: the responder's verdict for CERT per `openssl ocsp`
	openssl ocsp -issuer "$P/intermediate.pem" -cert "$1" -url "$OCSP_URL" -CAfile "$CA" \
		-timeout 5 2>&1 | sed -n "s|^$1: ||p; s/^\tReason: //p" | paste -sd ' '
}
assert_eq "truth: OCSP says revoked-ocsp.pem is revoked" "revoked keyCompromise" \
	"$(ocsp_truth "$A/revoked-ocsp.pem")"
assert_eq "truth: OCSP says ocsp-aia.pem is good" "good" "$(ocsp_truth "$A/ocsp-aia.pem")"
out=$(openssl verify -crl_check -crl_download -CAfile "$CA" -untrusted "$P/intermediate.pem" \
	"$A/revoked-crl.pem" 2>&1 || true)
assert_match "truth: the CRL at the CDP revokes revoked-crl.pem" "certificate revoked" "$out"
out=$(openssl verify -crl_check -CRLfile "$P/crl.pem" -CAfile "$CA" -untrusted "$P/intermediate.pem" \
	"$P/revoked.pem" 2>&1 || true)
assert_match "truth: crl.pem revokes revoked.pem" "certificate revoked" "$out"
out=$(timeout 10 openssl s_client -connect "127.0.0.1:$STAPLE_PORT" -status -CAfile "$CA" \
	</dev/null 2>&1 || true)
assert_match "truth: s_server staples a good response" "Cert Status: good" "$out"
out=$(timeout 10 openssl s_client -connect "127.0.0.1:$STAPLE_REV_PORT" -status -CAfile "$CA" \
	</dev/null 2>&1 || true)
assert_match "truth: s_server staples a revoked response" "Cert Status: revoked" "$out"
out=$(openssl verify -CAfile "$P/new-ca-bundle.pem" -untrusted "$P/new-intermediate.pem" \
	"$P/newca-server.pem" 2>&1 || true)
assert_eq "truth: newca-server verifies under the new root" "$P/newca-server.pem: OK" "$out"
out=$(openssl verify -CAfile "$P/new-ca-bundle.pem" -untrusted "$P/intermediate.pem" \
	"$P/server.pem" 2>&1 || true)
assert_match "truth: server.pem does not verify under the new root" "unable to get local issuer" "$out"
: >"$OCSP_LOG"
: >"$CRLSRV_LOG"

# --- helpers --------------------------------------------------------------------------------------
# scan EXPECTED-EXIT WHAT OUT.json ARGS...: dbtls scan --ca-file CA ... -o OUT.json ARGS; the exit
# status must be EXPECTED-EXIT and the report must validate.
# TIMEOUT (seconds, default 5) is --timeout.
scan() {
	local want=$1 what=$2 out=$3 rc=0
	shift 3
	"$DBTLS" scan --ca-file "$CA" --timeout "${TIMEOUT:-5}" -q -o "$out" "$@" >"$T/out" 2>"$T/err" ||
		rc=$?
	assert_eq "$what: exit status" "$want" "$rc"
	[ "$rc" = "$want" ] || { cat "$T/err"; tail -5 "$T/out"; }
	if [ -s "$out" ]; then
		assert_ok "$what: report validates" validate_report "$out"
	fi
}
# ep FILE TARGET EXPR: EXPR with e = the endpoint whose target is TARGET
ep() {
	[ -s "$1" ] || { echo "(no report $(basename "$1"))"; return 1; }
	py_json "$1" "(lambda e: $3)(next(x for x in d['endpoints'] if x['target'] == '$2'))"
}
checks() { ep "$1" "$2" "' '.join(sorted(set(f['check'] for f in e['findings'])))"; }
sev() { ep "$1" "$2" "next((f['severity'] for f in e['findings'] if f['check'] == '$3'), 'absent')"; }
rev() { ep "$1" "$2" "e['certificates'][$3]['revocation']['$4']"; }
has() { # WHAT FILE TARGET CHECK: the endpoint has a finding CHECK
	assert_match "$1: finding $4" "(^| )$4( |$)" "$(checks "$2" "$3")"
}
hasnt() { # WHAT FILE TARGET CHECK: no finding CHECK
	local got
	got=$(checks "$2" "$3") || true
	if [[ " $got " == *" $4 "* ]]; then
		assert_eq "$1: no finding $4 (findings: $got)" absent present
	else
		assert_eq "$1: no finding $4" absent absent
	fi
}
# On failure, show what the report says: the excerpt for the endpoint TARGET.
_failed_before=0
excerpt() { # FILE TARGET: print revocation/chain/rotation facts and findings if a check failed
	if [ "$_DBTLS_FAILED" -gt "$_failed_before" ] && [ -s "$1" ]; then
		echo "--- $2 in $(basename "$1"):"
		ep "$1" "$2" "{'certificates': [{k: c.get(k) for k in ('subject', 'eku', 'key_usage',
			'ocsp_url', 'crl_urls', 'revocation')} for c in e['certificates']],
			'verification': {k: (e['verification'] or {}).get(k) for k in ('ca_ok', 'error',
			'stapled', 'chain', 'rotation')}, 'errors': e['errors'],
			'findings': [(f['check'], f['severity'], f['evidence']) for f in e['findings']]}" |
			"$DBTLS_PYTHON" -m json.tool || true
	fi
	_failed_before=$_DBTLS_FAILED
}
# idx_time SERIAL INDEX: the revocation time the CA database records, as RFC 3339
idx_time() {
	awk -F'\t' -v s="$1" '$1 == "R" && $4 == s { split($3, a, ","); t = a[1];
		printf "20%s-%s-%sT%s:%s:%sZ\n", substr(t, 1, 2), substr(t, 3, 2), substr(t, 5, 2),
			substr(t, 7, 2), substr(t, 9, 2), substr(t, 11, 2) }' "$2"
}
serial() { openssl x509 -in "$1" -noout -serial | sed 's/serial=//'; }
profile_sev=$(py_json "$DBTLS_SRCDIR/data/policies/baseline.json" "d['checks']['cert.revocation-unavailable']")

# --- one scan of everything, revocation hard-fail (the default) ------------------------------------
R=$T/all.json
scan 1 "all endpoints, hard-fail" "$R" "$AIA" "$REV_OCSP" "$REV_CRL" "$NOINT" "$MISORD" "$EXTRA" \
	"$SHA1" "$RSA1024" "$NOEKU" "$LEAFCA" "$STAPLE" "$STAPLE_REV" "$DSA"
assert_eq "the top-level rotation is null without --new-ca-file" null "$(py_json "$R" "d.get('rotation', 'missing')")"

# revoked, answered by the OCSP responder named in the AIA
want_at=$(idx_time "$(serial "$A/revoked-ocsp.pem")" "$A/index.txt")
assert_eq "OCSP: leaf status" revoked "$(rev "$R" "$REV_OCSP" 0 status)"
assert_eq "OCSP: revoked_at (the CA database's time)" "$want_at" "$(rev "$R" "$REV_OCSP" 0 revoked_at)"
assert_eq "OCSP: reason" keyCompromise "$(rev "$R" "$REV_OCSP" 0 reason)"
assert_match "OCSP: source names OCSP" 'OCSP' "$(rev "$R" "$REV_OCSP" 0 source)"
assert_eq "OCSP: source is not the staple" 0 "$(rev "$R" "$REV_OCSP" 0 source | grep -ci stapl || true)"
assert_eq "OCSP: ocsp_url" "$OCSP_URL" "$(ep "$R" "$REV_OCSP" "e['certificates'][0]['ocsp_url']")"
has "OCSP" "$R" "$REV_OCSP" cert.revoked
assert_eq "OCSP: cert.revoked is critical" critical "$(sev "$R" "$REV_OCSP" cert.revoked)"
assert_match "OCSP: dbtls asked the responder (POST)" '^POST ' "$(cat "$OCSP_LOG")"
excerpt "$R" "$REV_OCSP"

# revoked, from the CRL at the distribution point (no AIA)
want_at=$(idx_time "$(serial "$A/revoked-crl.pem")" "$A/index.txt")
assert_eq "CDP: leaf status" revoked "$(rev "$R" "$REV_CRL" 0 status)"
assert_eq "CDP: revoked_at" "$want_at" "$(rev "$R" "$REV_CRL" 0 revoked_at)"
assert_eq "CDP: reason" keyCompromise "$(rev "$R" "$REV_CRL" 0 reason)"
assert_match "CDP: source names the CRL" 'CRL' "$(rev "$R" "$REV_CRL" 0 source)"
assert_eq "CDP: crl_urls" "[\"$CRLSRV_URL/crl.der\"]" "$(ep "$R" "$REV_CRL" "e['certificates'][0]['crl_urls']")"
assert_eq "CDP: no ocsp_url" null "$(ep "$R" "$REV_CRL" "e['certificates'][0]['ocsp_url']")"
has "CDP" "$R" "$REV_CRL" cert.revoked
assert_match "CDP: dbtls downloaded the CRL" 'GET /crl.der 200' "$(cat "$CRLSRV_LOG")"
excerpt "$R" "$REV_CRL"

# good, via OCSP; both URLs reported; nothing wrong with this chain
assert_eq "good: leaf status" good "$(rev "$R" "$AIA" 0 status)"
assert_match "good: source names OCSP" 'OCSP' "$(rev "$R" "$AIA" 0 source)"
assert_match "good: this_update is a time" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$(rev "$R" "$AIA" 0 this_update)"
assert_match "good: next_update is a time (responder says -ndays 1)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' \
	"$(rev "$R" "$AIA" 0 next_update)"
assert_eq "good: revoked_at null" null "$(rev "$R" "$AIA" 0 revoked_at)"
assert_eq "good: ocsp_url / crl_urls" "$OCSP_URL [\"$CRLSRV_URL/crl.der\"]" \
	"$(ep "$R" "$AIA" "e['certificates'][0]['ocsp_url'] + ' ' + json.dumps(e['certificates'][0]['crl_urls'])")"
assert_match "good: eku is serverAuth" '^\["(serverAuth|TLS Web Server Authentication)"\]$' \
	"$(ep "$R" "$AIA" "e['certificates'][0]['eku']")"
assert_eq "good: key_usage" '["digitalSignature", "keyEncipherment"]' \
	"$(ep "$R" "$AIA" "e['certificates'][0]['key_usage']")"
assert_eq "good: not stapled" false "$(ep "$R" "$AIA" "e['verification']['stapled']")"
assert_eq "good: chain complete, in order, nothing extra, anchor not served" "False False 0 False" \
	"$(ep "$R" "$AIA" "' '.join(str(e['verification']['chain'][k]) for k in ('incomplete', 'misordered', 'extra', 'anchor_served'))")"
assert_eq "good: anchor is the test root" "$(openssl x509 -in "$CA" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)" \
	"$(ep "$R" "$AIA" "e['verification']['chain']['anchor_sha256'].replace(':', '').lower()")"
for c in cert.revoked cert.chain-incomplete cert.chain-order cert.chain-extra cert.eku cert.key-usage \
	cert.leaf-is-ca cert.key-weak cert.signature-hash cert.untrusted; do
	hasnt "good chain" "$R" "$AIA" "$c"
done
excerpt "$R" "$AIA"

# stapled OCSP (s_server -status_file), direct TLS
assert_eq "stapled: verification.stapled" true "$(ep "$R" "$STAPLE" "e['verification']['stapled']")"
assert_eq "stapled: leaf status" good "$(rev "$R" "$STAPLE" 0 status)"
assert_eq "stapled: source" "stapled OCSP" "$(rev "$R" "$STAPLE" 0 source)"
hasnt "stapled" "$R" "$STAPLE" cert.revoked
excerpt "$R" "$STAPLE"
assert_eq "stapled revoked: status, reason, source" "revoked keyCompromise stapled OCSP" \
	"$(rev "$R" "$STAPLE_REV" 0 status) $(rev "$R" "$STAPLE_REV" 0 reason) $(rev "$R" "$STAPLE_REV" 0 source)"
assert_eq "stapled revoked: revoked_at" "$(idx_time "$(serial "$P/revoked.pem")" "$P/intermediate-index.txt")" \
	"$(rev "$R" "$STAPLE_REV" 0 revoked_at)"
has "stapled revoked" "$R" "$STAPLE_REV" cert.revoked
excerpt "$R" "$STAPLE_REV"

# chains
assert_eq "incomplete: chain.incomplete" true "$(ep "$R" "$NOINT" "e['verification']['chain']['incomplete']")"
assert_match "incomplete: missing_issuer names the intermediate" 'intermediate CA' \
	"$(ep "$R" "$NOINT" "e['verification']['chain']['missing_issuer']")"
has "incomplete" "$R" "$NOINT" cert.chain-incomplete
hasnt "incomplete" "$R" "$NOINT" cert.chain-order
excerpt "$R" "$NOINT"
assert_eq "misordered: chain.misordered" true "$(ep "$R" "$MISORD" "e['verification']['chain']['misordered']")"
assert_eq "misordered: not incomplete" false "$(ep "$R" "$MISORD" "e['verification']['chain']['incomplete']")"
assert_eq "misordered: the root is served" true "$(ep "$R" "$MISORD" "e['verification']['chain']['anchor_served']")"
has "misordered" "$R" "$MISORD" cert.chain-order
hasnt "misordered" "$R" "$MISORD" cert.chain-incomplete
excerpt "$R" "$MISORD"
assert_eq "extra: chain.extra" 1 "$(ep "$R" "$EXTRA" "e['verification']['chain']['extra']")"
assert_eq "extra: still in order" false "$(ep "$R" "$EXTRA" "e['verification']['chain']['misordered']")"
has "extra" "$R" "$EXTRA" cert.chain-extra
excerpt "$R" "$EXTRA"

# the leaf itself
has "SHA-1 leaf" "$R" "$SHA1" cert.signature-hash
excerpt "$R" "$SHA1"
has "RSA-1024 leaf (mariadbd at @SECLEVEL=0)" "$R" "$RSA1024" cert.key-weak
excerpt "$R" "$RSA1024"
has "DSA-1024 leaf (s_server)" "$R" "$DSA" cert.key-weak
excerpt "$R" "$DSA"
has "clientAuth-only leaf" "$R" "$NOEKU" cert.eku
assert_match "clientAuth-only leaf: eku" '^\["(clientAuth|TLS Web Client Authentication)"\]$' \
	"$(ep "$R" "$NOEKU" "e['certificates'][0]['eku']")"
excerpt "$R" "$NOEKU"
has "CA:TRUE leaf" "$R" "$LEAFCA" cert.leaf-is-ca
hasnt "CA:TRUE leaf" "$R" "$LEAFCA" cert.eku
excerpt "$R" "$LEAFCA"

# --- switches ----------------------------------------------------------------------------------------
# soft-fail softens only "unavailable"; one OCSP query per (issuer, serial) and run, however many
# endpoints serve the certificate
: >"$OCSP_LOG"
R=$T/soft-revoked.json
scan 1 "soft-fail, the revoked leaf behind two targets" "$R" --revocation soft-fail "$REV_OCSP" \
	"mysql://127.0.0.1:$REV_OCSP_PORT"
assert_eq "soft-fail: still revoked, critical (both targets)" "critical critical" \
	"$(sev "$R" "$REV_OCSP" cert.revoked) $(sev "$R" "mysql://127.0.0.1:$REV_OCSP_PORT" cert.revoked)"
assert_eq "one OCSP request for the two targets (cached)" 1 "$(grep -c '^POST ' "$OCSP_LOG" || true)"
excerpt "$R" "$REV_OCSP"

# a staple for another certificate must not vouch for the leaf: --crl then says revoked
R=$T/wrong-staple.json
scan 1 "a staple for another certificate" "$R" --crl "$P/crl.pem" "$STAPLE_WRONG"
assert_eq "wrong staple: leaf revoked (from the CRL)" revoked "$(rev "$R" "$STAPLE_WRONG" 0 status)"
assert_match "wrong staple: source is the CRL" 'CRL' "$(rev "$R" "$STAPLE_WRONG" 0 source)"
excerpt "$R" "$STAPLE_WRONG"

# the responder does not know the certificate (its line taken out of the index, which the responder
# reads per request): unknown
cp "$A/index.txt" "$T/index.saved"
awk -F'\t' -v s="$(serial "$A/revoked-ocsp.pem")" '$4 != s' "$T/index.saved" >"$A/index.txt"
R=$T/unknown.json
scan 0 "responder does not know the leaf" "$R" --revocation-leaf-only "$REV_OCSP"
cp "$T/index.saved" "$A/index.txt"
assert_eq "unknown: leaf status" unknown "$(rev "$R" "$REV_OCSP" 0 status)"
assert_match "unknown: source names OCSP" 'OCSP' "$(rev "$R" "$REV_OCSP" 0 source)"
hasnt "unknown" "$R" "$REV_OCSP" cert.revoked
excerpt "$R" "$REV_OCSP"

R=$T/off.json
scan 0 "--revocation off on the revoked leaf" "$R" --revocation off "$REV_OCSP"
assert_eq "off: leaf not_checked" not_checked "$(rev "$R" "$REV_OCSP" 0 status)"
hasnt "off" "$R" "$REV_OCSP" cert.revoked
hasnt "off" "$R" "$REV_OCSP" cert.revocation-unavailable
excerpt "$R" "$REV_OCSP"

R=$T/leafonly.json
scan 0 "--revocation-leaf-only" "$R" --revocation-leaf-only "$AIA"
assert_eq "leaf-only: leaf good" good "$(rev "$R" "$AIA" 0 status)"
assert_eq "leaf-only: intermediate not_checked" not_checked "$(rev "$R" "$AIA" 1 status)"
hasnt "leaf-only" "$R" "$AIA" cert.revocation-unavailable
excerpt "$R" "$AIA"

# every element covered: leaf by OCSP, intermediate by the root's CRL (--crl): nothing unavailable
R=$T/covered.json
scan 0 "hard-fail, whole chain covered" "$R" --crl "$P/root-crl.pem" "$AIA"
assert_eq "covered: leaf good" good "$(rev "$R" "$AIA" 0 status)"
assert_match "covered: leaf answered by OCSP (the root CRL does not cover it)" 'OCSP' "$(rev "$R" "$AIA" 0 source)"
assert_eq "covered: intermediate good" good "$(rev "$R" "$AIA" 1 status)"
assert_match "covered: intermediate from the CRL" 'CRL' "$(rev "$R" "$AIA" 1 source)"
hasnt "covered" "$R" "$AIA" cert.revocation-unavailable
excerpt "$R" "$AIA"

# --crl FILE, no network (revoked.pem has neither AIA nor CDP); PEM, then DER + a second CRL
R=$T/crlfile.json
scan 1 "--crl crl.pem" "$R" --crl "$P/crl.pem" "$REVOKED"
want_at=$(idx_time "$(serial "$P/revoked.pem")" "$P/intermediate-index.txt")
assert_eq "--crl: leaf revoked" revoked "$(rev "$R" "$REVOKED" 0 status)"
assert_eq "--crl: revoked_at" "$want_at" "$(rev "$R" "$REVOKED" 0 revoked_at)"
assert_eq "--crl: reason" keyCompromise "$(rev "$R" "$REVOKED" 0 reason)"
assert_match "--crl: source names the CRL" 'CRL' "$(rev "$R" "$REVOKED" 0 source)"
has "--crl" "$R" "$REVOKED" cert.revoked
excerpt "$R" "$REVOKED"
R=$T/crlder.json
scan 1 "--crl crl.der --crl root-crl.pem" "$R" --crl "$P/crl.der" --crl "$P/root-crl.pem" "$REVOKED"
assert_eq "--crl DER, repeated: leaf revoked, intermediate good" "revoked good" \
	"$(rev "$R" "$REVOKED" 0 status) $(rev "$R" "$REVOKED" 1 status)"
hasnt "--crl DER, repeated" "$R" "$REVOKED" cert.revocation-unavailable
excerpt "$R" "$REVOKED"

# The responder goes away: the CRL from the distribution point still answers. OpenSSL's HTTP client
# retries a refused connect until the deadline, so each dead URL costs a whole --timeout: 1 s here.
TIMEOUT=1
fake_stop OCSP
: >"$CRLSRV_LOG"
R=$T/fallback.json
scan 0 "OCSP responder down, CRL up" "$R" --revocation-leaf-only "$AIA"
assert_eq "fallback: leaf good from the CRL" good "$(rev "$R" "$AIA" 0 status)"
assert_match "fallback: source names the CRL" 'CRL' "$(rev "$R" "$AIA" 0 source)"
assert_match "fallback: dbtls downloaded the CRL" 'GET /crl.der 200' "$(cat "$CRLSRV_LOG")"
excerpt "$R" "$AIA"

# nothing answers: unavailable; hard-fail makes it a finding at the profile's severity,
# soft-fail an info note
fake_stop CRLSRV
R=$T/hard.json
scan 0 "nothing answers, hard-fail (baseline: $profile_sev < high)" "$R" --revocation hard-fail \
	--revocation-leaf-only "$AIA"
assert_eq "hard-fail: leaf unavailable" unavailable "$(rev "$R" "$AIA" 0 status)"
assert_match "hard-fail: detail says why" '.' "$(rev "$R" "$AIA" 0 detail)"
has "hard-fail" "$R" "$AIA" cert.revocation-unavailable
assert_eq "hard-fail: severity is the profile's" "$profile_sev" "$(sev "$R" "$AIA" cert.revocation-unavailable)"
excerpt "$R" "$AIA"
R=$T/hard-med.json
scan 1 "nothing answers, hard-fail, --fail-on $profile_sev" "$R" --fail-on "$profile_sev" \
	--revocation-leaf-only "$AIA"
R=$T/soft.json
scan 0 "nothing answers, soft-fail, --fail-on $profile_sev" "$R" --revocation soft-fail \
	--fail-on "$profile_sev" --revocation-leaf-only "$AIA"
assert_eq "soft-fail: leaf unavailable" unavailable "$(rev "$R" "$AIA" 0 status)"
assert_eq "soft-fail: the finding is info" info "$(sev "$R" "$AIA" cert.revocation-unavailable)"
excerpt "$R" "$AIA"

# a private PKI: the chain ends in the CA of --ca-file and no certificate names an OCSP responder
# or CRL. Nothing is down and there is nothing to ask: not_applicable and an info note, also
# under NIST's high hard-fail (before: unavailable, a high finding, every such endpoint failed).
R=$T/private.json
nist_sev=$(py_json "$DBTLS_SRCDIR/data/policies/nist-800-52r2.json" "d['checks']['cert.revocation-unavailable']")
rc=0
"$DBTLS" scan --ca-file "$CA" --timeout 5 --policy nist-800-52r2 -q -o "$R" "$GOOD" || rc=$?
assert_ok "private PKI: report validates" validate_report "$R"
assert_eq "private PKI: leaf not_applicable" not_applicable "$(rev "$R" "$GOOD" 0 status)"
assert_eq "private PKI: intermediate not_applicable" not_applicable "$(rev "$R" "$GOOD" 1 status)"
assert_match "private PKI: detail says why" 'no revocation pointers in a private PKI' "$(rev "$R" "$GOOD" 0 detail)"
assert_eq "private PKI under NIST ($nist_sev hard-fail): an info note" info \
	"$(sev "$R" "$GOOD" cert.revocation-unavailable)"
assert_eq "private PKI: the note is the only revocation finding" 1 \
	"$(ep "$R" "$GOOD" "sum(f['check'] == 'cert.revocation-unavailable' for f in e['findings'])")"
# a CRL given for it: then it is asked, not assumed away
R=$T/private-crl.json
"$DBTLS" scan --ca-file "$CA" --timeout 5 --crl "$P/crl.pem" -q -o "$R" "$GOOD" || true
assert_match "private PKI with --crl: asked" '^(good|unavailable|unknown)$' "$(rev "$R" "$GOOD" 0 status)"

TIMEOUT=5

# --- CA rotation -----------------------------------------------------------------------------------
R=$T/rotation.json
scan 1 "rotation to the new root" "$R" --new-ca-file "$P/new-ca-bundle.pem" --no-color \
	-o "$T/rotation.txt" "$GOOD" "$NEWCA"
new_fp=$(openssl x509 -in "$P/new-root-ca.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
assert_eq "old CA server: rotation checked, not ready" "True False" \
	"$(ep "$R" "$GOOD" "str(e['verification']['rotation']['checked']) + ' ' + str(e['verification']['rotation']['ready'])")"
has "old CA server" "$R" "$GOOD" ca-rotation.not-ready
assert_eq "old CA server: ca-rotation.not-ready is the profile's high" high "$(sev "$R" "$GOOD" ca-rotation.not-ready)"
excerpt "$R" "$GOOD"
assert_eq "new CA server: ready" true "$(ep "$R" "$NEWCA" "e['verification']['rotation']['ready']")"
assert_eq "new CA server: the new root anchors it" "$new_fp" \
	"$(ep "$R" "$NEWCA" "e['verification']['rotation']['anchor_sha256'].replace(':', '').lower()")"
assert_match "new CA server: anchor subject" 'new root CA' "$(ep "$R" "$NEWCA" "e['verification']['rotation']['anchor_subject']")"
assert_eq "new CA server: no ca-rotation finding" "" \
	"$(ep "$R" "$NEWCA" "' '.join(f['check'] for f in e['findings'] if f['check'].startswith('ca-rotation.'))")"
excerpt "$R" "$NEWCA"
assert_eq "summary: ready / not ready" "1 1" "$(py_json "$R" "'%d %d' % (d['rotation']['ready'], d['rotation']['not_ready'])")"
assert_eq "summary: the not-ready targets" "[\"$GOOD\"]" "$(py_json "$R" "d['rotation']['not_ready_targets']")"
assert_match "summary: new_ca_file" 'new-ca-bundle\.pem$' "$(py_json "$R" "d['rotation']['new_ca_file']")"
assert_match "text: a rotation summary line (1 of 2 ready, the old-CA target not ready)" \
	"[Rr]otation.*1 of 2 .*ready.*not ready: $GOOD" "$(cat "$T/rotation.txt")"
assert_match "text: the first line is the rotation summary" '[Rr]otation.*ready|ready.*[Rr]otation' \
	"$(head -n 1 "$T/rotation.txt")"

# --- bad input is a usage error (2) -------------------------------------------------------------
for bad in "--revocation maybe" "--crl $T/no-such.crl" "--new-ca-file $T/no-such.pem"; do
	rc=0
	# shellcheck disable=SC2086 # split on purpose: option and value
	"$DBTLS" scan $bad -q "$GOOD" >/dev/null 2>"$T/err" || rc=$?
	assert_eq "$bad: exit status" 2 "$rc"
	assert_eq "$bad: one line on stderr" 1 "$(wc -l <"$T/err")"
done

echo "done in $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
finish
