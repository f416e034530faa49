#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_xmpp.sh: XMPP and other direct-TLS services against real servers, with `openssl s_client`
# as the ground truth.
#   - Prosody (one server per mode) and ejabberd (one VM, both modes), STARTTLS required and
#     optional: accepted versions and suites equal s_client -starttls xmpp -xmpphost localhost,
#     suite by suite; starttls_required and the SASL mechanisms before TLS as the server sent
#     them; the findings for optional STARTTLS and PLAIN/DIGEST-MD5 before TLS; product null (the
#     Debian servers do not name their software).
#   - xmpp-server:// against the s2s ports; xmpps:// (direct TLS, ALPN xmpp-client) against the
#     direct-TLS ports, and what the servers did with the ALPN (s_client -alpn says the same).
#   - --xmpp-domain: a domain the certificate does not name gives cert.hostname-mismatch; the
#     right one passes; a certificate naming the domain only by SRV-ID and xmppAddr matches over
#     xmpps:// and does not over tls:// (plain DNS-ID rules).
#   - redis-server --tls-port as tls:// (versions equal s_client's); tls:// --alpn foo,bar
#     against s_server -alpn bar: "bar" selected, in JSON and text.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"
require_prosody
require_ejabberd
require_redis

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
pki_ensure
CA=$DBTLS_PKI/ca-bundle.pem
D=$DBTLS_XMPP_DOMAIN
t0=$SECONDS
lap() { echo "  [$((SECONDS - t0)) s] $*"; }

# scan OUT TARGET [options...]: dbtls scan into $T/OUT.json (and OUT.txt), timing it
scan() {
	local out=$1 s rc=0
	shift
	s=$(date +%s.%N)
	"$DBTLS" scan --ca-file "$CA" -q -o "$T/$out.json" "$@" || rc=$?
	"$DBTLS" check --facts "$T/$out.json" --format text >"$T/$out.txt" 2>&1 || true
	echo "  dbtls $*: $(echo "$(date +%s.%N) $s" | awk '{printf "%.2f", $1 - $2}') s," \
		"$(j "$out" 'd["endpoints"][0]["connections_used"]') connections, exit $rc"
}
j() { py_json "$T/$1.json" "$2" 2>/dev/null || echo "ERROR"; }
# suites OUT: "VERSION OPENSSL-NAME" lines of the accepted suites, sorted (truth_suites' format)
suites() {
	"$DBTLS_PYTHON" - "$T/$1.json" <<'EOF' | LC_ALL=C sort
import json, sys
e = json.load(open(sys.argv[1]))["endpoints"][0]
for v, vf in e["tls"]["versions"].items():
    for s in vf.get("suites") or []:
        print(v, s.get("openssl_name") or s["name"])
EOF
}
versions() {
	"$DBTLS_PYTHON" - "$T/$1.json" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))["endpoints"][0]
for v, vf in e["tls"]["versions"].items():
    if vf["status"] == "accepted" and v.startswith("TLS"):
        print(v)
EOF
}
finding() { j "$1" "' '.join(sorted(f['check'] for f in d['endpoints'][0].get('findings', [])))"; }
# fixes OUT CHECK: the remediation of that finding
fixes() { j "$1" "' '.join(f['remediation'] for f in d['endpoints'][0].get('findings', []) if f['check'] == '$2')"; }

# check_starttls LABEL PORT PROTO WANT_REQUIRED WANT_MECHS(python list)
check_starttls() {
	local label=$1 port=$2 proto=$3 req=$4 mechs=$5 scheme=xmpp
	[ "$proto" = xmpp-server ] && scheme=xmpp-server
	scan "$label" "$scheme://127.0.0.1:$port" --xmpp-domain "$D"
	assert_ok "$label: report validates" validate_report "$T/$label.json"
	assert_eq "$label: tls offered" true "$(j "$label" 'd["endpoints"][0]["tls"]["offered"]')"
	assert_eq "$label: starttls_required" "$req" \
		"$(j "$label" 'd["endpoints"][0]["server"]["starttls_required"]')"
	assert_eq "$label: SASL mechanisms before TLS" "$mechs" \
		"$(j "$label" 'd["endpoints"][0]["server"]["sasl_mechanisms"]')"
	assert_eq "$label: product not guessed" null "$(j "$label" 'd["endpoints"][0]["server"]["product"]')"
	assert_eq "$label: host name matches $D" true \
		"$(j "$label" 'd["endpoints"][0]["verification"]["hostname_ok"]')"
	truth_versions "$port" "$proto" >"$T/$label.truthv"
	assert_eq "$label: versions = s_client's" "$(paste -sd' ' "$T/$label.truthv")" \
		"$(versions "$label" | paste -sd' ')"
	truth_suites "$port" "$proto" >"$T/$label.truth"
	suites "$label" >"$T/$label.got"
	echo "  $label: versions $(paste -sd' ' "$T/$label.truthv"); s_client accepts" \
		"$(wc -l <"$T/$label.truth") suites, dbtls reports $(wc -l <"$T/$label.got")"
	# dbtls may know suites the local OpenSSL cannot offer: compare within what s_client can
	assert_eq "$label: suites = s_client's ($(wc -l <"$T/$label.truth") accepted)" \
		"$(cat "$T/$label.truth")" "$(grep -Fxf "$T/$label.truth" "$T/$label.got" || true)"
	assert_eq "$label: no suite beyond s_client's" "" \
		"$(grep -vFxf "$T/$label.truth" "$T/$label.got" | while read -r v n; do
			openssl ciphers -s "-$(sed 's/TLSv1.0/tls1/;s/TLSv1\./tls1_/' <<<"$v")" \
				'ALL:COMPLEMENTOFALL:@SECLEVEL=0' 2>/dev/null | tr ':' '\n' |
				grep -qFx "$n" && echo "$v $n"
		done)"
}

# --- Prosody ----------------------------------------------------------------------------------
prosody_start PREQ required
prosody_start POPT optional
lap "Prosody (required, optional) up"
check_starttls prosody-req "$PREQ_PORT" xmpp true '[]'
assert_fails "prosody-req: no xmpp findings" grep -q "xmpp\." <<<"$(finding prosody-req)"
check_starttls prosody-opt "$POPT_PORT" xmpp false '["SCRAM-SHA-1"]'
assert_match "prosody-opt: finding for optional STARTTLS" "xmpp.starttls-optional" \
	"$(finding prosody-opt)"
# Prosody keeps PLAIN back until TLS (allow_unencrypted_plain_auth = false): SCRAM alone is no
# password mechanism finding
assert_fails "prosody-opt: no password-before-TLS finding" grep -q "xmpp.auth-before-tls" \
	<<<"$(finding prosody-opt)"
assert_match "prosody-opt: text names STARTTLS optional" "xmpp: STARTTLS optional" \
	"$(cat "$T/prosody-opt.txt")"
assert_match "prosody-opt: fix names c2s_require_encryption" "c2s_require_encryption = true" \
	"$(fixes prosody-opt xmpp.starttls-optional)"
lap "Prosody c2s"

scan prosody-s2s "xmpp-server://127.0.0.1:$PREQ_S2S_PORT" --xmpp-domain "$D"
assert_eq "prosody s2s: TLS offered" true "$(j prosody-s2s 'd["endpoints"][0]["tls"]["offered"]')"
assert_eq "prosody s2s: required" true \
	"$(j prosody-s2s 'd["endpoints"][0]["server"]["starttls_required"]')"
truth_versions "$PREQ_S2S_PORT" xmpp-server >"$T/ps2s.truthv"
assert_eq "prosody s2s: versions = s_client's" "$(paste -sd' ' "$T/ps2s.truthv")" \
	"$(versions prosody-s2s | paste -sd' ')"

scan prosody-tls "xmpps://127.0.0.1:$PREQ_TLS_PORT" --xmpp-domain "$D"
assert_eq "prosody xmpps: TLS" true "$(j prosody-tls 'd["endpoints"][0]["tls"]["offered"]')"
assert_eq "prosody xmpps: ALPN xmpp-client offered, $(truth_alpn "$PREQ_TLS_PORT" xmpp-client)" \
	"ignored" "$(j prosody-tls '"selected " + d["endpoints"][0]["verification"]["alpn"] if d["endpoints"][0]["verification"].get("alpn") else "ignored"')"
assert_match "prosody xmpps: text says no ALPN selected" "ALPN selected: none" \
	"$(cat "$T/prosody-tls.txt")"
assert_eq "prosody xmpps: the raw TLS 1.2 hello saw none either" null \
	"$(j prosody-tls 'd["endpoints"][0]["tls"]["alpn_hello"]')"
truth_versions "$PREQ_TLS_PORT" tls >"$T/ptls.truthv"
assert_eq "prosody xmpps: versions = s_client's" "$(paste -sd' ' "$T/ptls.truthv")" \
	"$(versions prosody-tls | paste -sd' ')"

# --xmpp-domain with a name Prosody has no certificate for: over direct TLS it refuses the
# ClientHello (alert unrecognized_name), so every probe is refused; the hostname check itself is
# tested against s_server below
scan prosody-sni "xmpps://127.0.0.1:$PREQ_TLS_PORT" --xmpp-domain example.net
assert_eq "--xmpp-domain example.net: SNI sent" example.net "$(j prosody-sni 'd["endpoints"][0]["sni"]')"
assert_match "Prosody refuses an SNI it has no certificate for" "unrecognized_name" \
	"$(j prosody-sni 'd["endpoints"][0]["errors"]')"
assert_fails "--xmpp-domain localhost: no hostname finding" grep -q "cert.hostname-mismatch" \
	<<<"$(finding prosody-tls)"
scan prosody-unknown "xmpp://127.0.0.1:$PREQ_PORT" --xmpp-domain example.net
assert_match "xmpp:// to a domain Prosody does not serve: host-unknown" "host-unknown" \
	"$(j prosody-unknown 'd["endpoints"][0]["errors"]')"
assert_eq "host-unknown: TLS not reported as absent" null \
	"$(j prosody-unknown 'd["endpoints"][0]["tls"]["offered"]')"
srv_stop PREQ
srv_stop POPT
lap "Prosody s2s, direct TLS, --xmpp-domain"

# --- ejabberd ---------------------------------------------------------------------------------
ejabberd_start EJ
lap "ejabberd up"
check_starttls ejabberd-req "$EJ_PORT" xmpp true '[]'
check_starttls ejabberd-opt "$EJ_OPT_PORT" xmpp false \
	'["DIGEST-MD5", "PLAIN", "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "X-OAUTH2"]'
assert_match "ejabberd-opt: finding for optional STARTTLS" "xmpp.starttls-optional" \
	"$(finding ejabberd-opt)"
assert_match "ejabberd-opt: finding for PLAIN/DIGEST-MD5 before TLS" "xmpp.auth-before-tls" \
	"$(finding ejabberd-opt)"
assert_match "ejabberd-opt: the finding names them" "DIGEST-MD5, PLAIN, X-OAUTH2" \
	"$(cat "$T/ejabberd-opt.txt")"
assert_match "ejabberd-opt: fix names starttls_required" "starttls_required: true" \
	"$(fixes ejabberd-opt xmpp.auth-before-tls)"
scan ejabberd-s2s "xmpp-server://127.0.0.1:$EJ_S2S_PORT" --xmpp-domain "$D"
assert_eq "ejabberd s2s: TLS offered" true "$(j ejabberd-s2s 'd["endpoints"][0]["tls"]["offered"]')"
assert_eq "ejabberd s2s: optional" false \
	"$(j ejabberd-s2s 'd["endpoints"][0]["server"]["starttls_required"]')"
truth_versions "$EJ_S2S_PORT" xmpp-server >"$T/es2s.truthv"
assert_eq "ejabberd s2s: versions = s_client's" "$(paste -sd' ' "$T/es2s.truthv")" \
	"$(versions ejabberd-s2s | paste -sd' ')"
scan ejabberd-tls "xmpps://127.0.0.1:$EJ_TLS_PORT" --xmpp-domain "$D"
assert_eq "ejabberd xmpps: ALPN xmpp-client offered, $(truth_alpn "$EJ_TLS_PORT" xmpp-client)" \
	"ignored" "$(j ejabberd-tls '"selected " + d["endpoints"][0]["verification"]["alpn"] if d["endpoints"][0]["verification"].get("alpn") else "ignored"')"
assert_eq "ejabberd xmpps: host name matches" true \
	"$(j ejabberd-tls 'd["endpoints"][0]["verification"]["hostname_ok"]')"
srv_stop EJ
lap "ejabberd"

# --- SRV-ID / xmppAddr ------------------------------------------------------------------------
start_tls_server XIDS xmpp-ids-chain.pem xmpp-ids.key
scan xids "xmpps://127.0.0.1:$XIDS_PORT" --xmpp-domain xmpp.test
assert_eq "SRV-ID/xmppAddr cert: matches xmpp.test over xmpps://" true \
	"$(j xids 'd["endpoints"][0]["verification"]["hostname_ok"]')"
scan xids-tls "tls://127.0.0.1:$XIDS_PORT" --sni xmpp.test
assert_eq "SRV-ID/xmppAddr cert: not a DNS-ID match over tls://" false \
	"$(j xids-tls 'd["endpoints"][0]["verification"]["hostname_ok"]')"
scan xids-other "xmpps://127.0.0.1:$XIDS_PORT" --xmpp-domain other.test
assert_eq "SRV-ID/xmppAddr cert: does not match other.test" false \
	"$(j xids-other 'd["endpoints"][0]["verification"]["hostname_ok"]')"
assert_eq "--xmpp-domain other.test: the name checked" other.test \
	"$(j xids-other 'd["endpoints"][0]["verification"]["hostname"]')"
assert_match "--xmpp-domain other.test: hostname finding" "cert.hostname-mismatch" \
	"$(finding xids-other)"
assert_fails "--xmpp-domain xmpp.test: no hostname finding" grep -q "cert.hostname-mismatch" \
	<<<"$(finding xids)"
fake_stop XIDS

# --- tls:// --alpn, Redis ---------------------------------------------------------------------
start_tls_server ALPN server-chain.pem server.key -alpn bar
assert_eq "s_client: bar selected from foo,bar" "selected bar" "$(truth_alpn "$ALPN_PORT" foo,bar)"
scan alpn "tls://127.0.0.1:$ALPN_PORT" --alpn foo,bar
assert_eq "tls:// --alpn foo,bar: JSON says bar" bar \
	"$(j alpn 'd["endpoints"][0]["verification"]["alpn"]')"
assert_match "tls:// --alpn foo,bar: text says bar" "ALPN selected: bar" "$(cat "$T/alpn.txt")"
assert_eq "tls:// --alpn foo,bar: the raw TLS 1.2 hello saw bar" bar \
	"$(j alpn 'd["endpoints"][0]["tls"]["alpn_hello"]')"
assert_match "tls:// --alpn foo,bar: text shows the raw hello's" "raw TLS 1.2 hello: bar" \
	"$(cat "$T/alpn.txt")"
fake_stop ALPN

redis_tls_start REDIS
scan redis "tls://127.0.0.1:$REDIS_PORT" --sni localhost
assert_eq "redis: TLS" true "$(j redis 'd["endpoints"][0]["tls"]["offered"]')"
truth_versions "$REDIS_PORT" tls >"$T/redis.truthv"
assert_eq "redis: versions = s_client's" "$(paste -sd' ' "$T/redis.truthv")" \
	"$(versions redis | paste -sd' ')"
assert_eq "redis: chain verifies, localhost matches" "True True" \
	"$(j redis '"%s %s" % (d["endpoints"][0]["verification"]["ca_ok"], d["endpoints"][0]["verification"]["hostname_ok"])')"
srv_stop REDIS
lap "SRV-ID, ALPN, Redis"
finish
