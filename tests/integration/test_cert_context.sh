#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_cert_context.sh: certificates judged in their context (issue 16), with certificates made
# at test time from the test PKI and served by `openssl s_server`; openssl's own verdicts are
# the ground truth:
#   1. expiry windows proportional to the lifetime: a 47-day leaf with 10 days left gets no
#      cert.expiring, a 3-year leaf with 10 days left does (and the 47-day one does under fixed
#      windows, the behaviour before);
#   2. verification.public_trust and cert.cabf-validity: the same 330-day leaf (issued after
#      2026-03-15, so the CA/B maximum is 200 days) is publicly trusted when the system store
#      (SSL_CERT_FILE) holds the test root, private under the machine's real store (no CA/B
#      finding at all), and "cannot tell" (a finding, never a pass) when the store is empty.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
pki_ensure
P=$DBTLS_PKI
CA=$P/ca-bundle.pem
W=$T/context
mkdir -p "$W/newcerts" "$W/empty"
unset OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR

# --- certificates -------------------------------------------------------------------------------
: >"$W/index.txt"
echo 'unique_subject = no' >"$W/index.txt.attr"
echo 7001 >"$W/serial"
cat >"$W/ca.cnf" <<CNF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca ]
default_ca = int_ca
[ int_ca ]
database = $W/index.txt
new_certs_dir = $W/newcerts
serial = $W/serial
certificate = $P/intermediate.pem
private_key = $P/intermediate.key
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = supplied
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
utc() { date -u -d "@$(($(date +%s) + $1 * 86400))" +%Y%m%d%H%M%SZ; } # DAYS from now
# leaf NAME FROM_DAYS TO_DAYS: NAME.pem (and NAME-chain.pem) valid from now+FROM to now+TO days
leaf() {
	OPENSSL_CONF=$W/ca.cnf openssl req -config "$W/ca.cnf" -new -key "$P/server.key" \
		-subj "/O=dbtls tests/CN=localhost" -out "$W/$1.csr" 2>/dev/null
	OPENSSL_CONF=$W/ca.cnf openssl ca -config "$W/ca.cnf" -batch -notext -in "$W/$1.csr" \
		-out "$W/$1.pem" -extfile "$W/ca.cnf" -extensions v3_leaf -startdate "$(utc "$2")" \
		-enddate "$(utc "$3")" 2>/dev/null
	cat "$W/$1.pem" "$P/intermediate.pem" >"$W/$1-chain.pem"
}
leaf life47 -37 10   # 47 days, 10 left
leaf life3y -1085 10 # 1095 days, 10 left
leaf long330 -1 329  # 330 days, issued yesterday (after 2026-03-15: CA/B maximum 200)
leaf short150 -1 149 # 150 days: within every CA/B limit

for n in life47 life3y long330 short150; do
	start_tls_server "$n" "$W/$n-chain.pem" "$P/server.key"
done

# --- helpers ------------------------------------------------------------------------------------
scan() { # OUT.json ARGS...
	local out=$1 rc=0
	shift
	"$DBTLS" scan --ca-file "$CA" --timeout "${TIMEOUT:-5}" -q -o "$out" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "scan $out: exit $rc"
		cat "$T/err"
	fi
	assert_ok "$(basename "$out"): report validates" validate_report "$out"
}
ep() { py_json "$1" "(lambda e: $3)(next(x for x in d['endpoints'] if x['target'] == '$2'))"; }
finding() { # REPORT TARGET CHECK FIELD: the field of the check's finding, or "absent"
	ep "$1" "$2" "next((f['$4'] for f in e['findings'] if f['check'] == '$3'), 'absent')"
}
tgt() { echo "tls://127.0.0.1:$1"; }

# --- 1. proportional expiry windows -------------------------------------------------------------
# ground truth: the dates openssl reads, and that both expire within 11 days but not within 9
for n in life47 life3y; do
	assert_ok "truth: $n expires within 11 days" bash -c "! openssl x509 -in '$W/$n.pem' -noout -checkend $((11 * 86400)) >/dev/null"
	assert_ok "truth: $n is valid for 9 more days" bash -c "openssl x509 -in '$W/$n.pem' -noout -checkend $((9 * 86400)) >/dev/null"
done
nb47=$(openssl x509 -in "$W/life47.pem" -noout -startdate | cut -d= -f2)
na47=$(openssl x509 -in "$W/life47.pem" -noout -enddate | cut -d= -f2)
assert_eq "truth: life47 lifetime in days" 47 $((($(date -d "$na47" +%s) - $(date -d "$nb47" +%s)) / 86400))
R=$T/expiry.json
scan "$R" "$(tgt "$LIFE47_PORT")" "$(tgt "$LIFE3Y_PORT")"
assert_eq "47-day leaf, 10 days left: routine, no cert.expiring" absent \
	"$(finding "$R" "$(tgt "$LIFE47_PORT")" cert.expiring title)"
assert_eq "3-year leaf, 10 days left: cert.expiring" medium \
	"$(finding "$R" "$(tgt "$LIFE3Y_PORT")" cert.expiring severity)"
assert_match "3-year leaf: evidence names the lifetime and the window" \
	'(9|10) days left of a 1095-day lifetime; warning at 30 days, critical at 7 days' \
	"$(finding "$R" "$(tgt "$LIFE3Y_PORT")" cert.expiring evidence)"
# the same scan judged with fixed windows (the fractions off): the 47-day leaf was a finding
cat >"$W/fixed.json" <<'JSON'
{"name": "fixed-expiry", "version": "1", "extends": "baseline",
 "parameters": {"cert_expiry_warning_fraction": 0, "cert_expiry_critical_fraction": 0}}
JSON
"$DBTLS" check --facts "$R" --policy "$W/fixed.json" -q -o "$T/expiry-fixed.json" >/dev/null 2>&1 || true
assert_eq "fixed windows: the 47-day leaf is cert.expiring" medium \
	"$(finding "$T/expiry-fixed.json" "$(tgt "$LIFE47_PORT")" cert.expiring severity)"

# --- 2. public trust and the CA/B Forum limits ----------------------------------------------------
LONG=$(tgt "$LONG330_PORT")
SHORT=$(tgt "$SHORT150_PORT")
# a) the test root as the system store: the chain is "publicly trusted"
assert_match "truth: with SSL_CERT_FILE=root the chain verifies" ': OK$' \
	"$(SSL_CERT_FILE=$P/root-ca.pem SSL_CERT_DIR=$W/empty openssl verify -untrusted "$P/intermediate.pem" "$W/long330.pem" 2>&1)"
R=$T/public.json
SSL_CERT_FILE=$P/root-ca.pem SSL_CERT_DIR=$W/empty scan "$R" "$LONG" "$SHORT"
root_subject=$(openssl x509 -in "$P/root-ca.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
assert_eq "public: anchored" true "$(ep "$R" "$LONG" "e['verification']['public_trust']['anchored']")"
assert_eq "public: the anchor is the test root" "$root_subject" \
	"$(ep "$R" "$LONG" "e['verification']['public_trust']['anchor']")"
assert_eq "public: the store consulted" "$P/root-ca.pem, $W/empty" \
	"$(ep "$R" "$LONG" "e['verification']['public_trust']['store']")"
assert_match "public 330 days: cert.cabf-validity" \
	'^Publicly trusted certificate valid for 330 days \(CA/B Forum maximum 200\)$' \
	"$(finding "$R" "$LONG" cert.cabf-validity title)"
assert_match "public 330 days: the rule in the evidence" 'SC-081v3, issued from 2026-03-15' \
	"$(finding "$R" "$LONG" cert.cabf-validity evidence)"
assert_eq "public 150 days: within the limit" absent "$(finding "$R" "$SHORT" cert.cabf-validity title)"
# b) the machine's own store: the test root is not in it, so the chain is private
truth=$(openssl verify -untrusted "$P/intermediate.pem" "$W/long330.pem" 2>&1 || true)
assert_match "truth: the system store does not know the test root" 'unable to get local issuer certificate' "$truth"
R=$T/private.json
scan "$R" "$LONG"
assert_eq "private: verifies against --ca-file" true "$(ep "$R" "$LONG" "e['verification']['ca_ok']")"
sys_usable=$(ep "$R" "$LONG" "e['verification']['public_trust']['anchored']")
if [ -n "$(ls /etc/ssl/certs 2>/dev/null | grep -E '^[0-9a-f]{8}\.[0-9]+$' | head -1)" ]; then
	assert_eq "private: not anchored in the system store" false "$sys_usable"
	assert_eq "private: the verify error" "unable to get local issuer certificate" \
		"$(ep "$R" "$LONG" "e['verification']['public_trust']['detail']")"
	assert_eq "private 330 days: nothing about CA/B" absent "$(finding "$R" "$LONG" cert.cabf-validity title)"
else
	echo "note: this machine has no hashed system store; the private case is the empty store's"
	assert_eq "no system store: cannot tell" null "$sys_usable"
fi
# c) an empty store (missing file, empty directory): cannot tell, and a finding says so
R=$T/unknown.json
SSL_CERT_FILE=$W/no-such-file.pem SSL_CERT_DIR=$W/empty scan "$R" "$LONG" "$SHORT"
assert_eq "empty store: anchored is null" null "$(ep "$R" "$LONG" "e['verification']['public_trust']['anchored']")"
assert_match "empty store: why" 'empty or unreadable' \
	"$(ep "$R" "$LONG" "e['verification']['public_trust']['detail']")"
assert_match "empty store, 330 days: cannot tell is a finding" \
	'^Cannot tell whether the CA/B Forum limit applies: valid for 330 days' \
	"$(finding "$R" "$LONG" cert.cabf-validity title)"
assert_eq "empty store, 150 days: within every limit, nothing to tell" absent \
	"$(finding "$R" "$SHORT" cert.cabf-validity title)"
# a saved report judged again keeps the fact
"$DBTLS" check --facts "$T/public.json" -q -o "$T/public-again.json" >/dev/null 2>&1 || true
assert_match "check --facts: the public finding again" '^Publicly trusted' \
	"$(finding "$T/public-again.json" "$LONG" cert.cabf-validity title)"

finish
