#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_cert_verdicts.sh: certificate verdicts that must agree with the openssl command line (issue
# 17). `openssl s_server` (and one MariaDB) serve deliberately flawed certificates; each setup is
# first checked with openssl (`verify -CAfile root -untrusted int`, `s_client -showcerts`,
# `x509 -text`), then dbtls's report must state the same fact, raise the right finding and not the
# false one:
#   1. an expired / not-yet-valid leaf, an expired intermediate, a clientAuth-only and an
#      anyExtendedKeyUsage-only leaf, a CA:FALSE issuer: the path is complete, so no
#      cert.chain-incomplete and no "missing" trusted root (also over mysql://);
#   2. no SNI for an IP target: a server that aborts on a wrong name (-servername_fatal) and one
#      with a second certificate for the name "127.0.0.1" are judged by what IP clients get;
#   3. RSASSA-PSS over SHA-1 is a SHA-1 signature (rsassaPss(sha1)); over SHA-256 it is clean;
#   4. a duplicated intermediate is extra;
#   5. a tls:// port answering in plain text: tls.offered false after one connection;
#   6. one day count: finding title, days_left, text certificate line and nearest expiry agree;
#   7. an anonymous-only server: one "no certificate" finding, no host-name mismatch;
#   8. a refused OCSP responder / CRL server is reported as refused at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
pki_ensure
P=$DBTLS_PKI
CA=$P/ca-bundle.pem
W=$T/verdicts
t_start=$EPOCHREALTIME
unset OPENSSL_CONF

# gen_verdict_pki PKI OUT: the flawed certificates of test_cert_verdicts.sh, from the test PKI
gen_verdict_pki() {
	local P=$1 W=$2 o="/O=dbtls tests"
	mkdir -p "$W/newcerts"
	: >"$W/index.txt"
	echo 'unique_subject = no' >"$W/index.txt.attr"
	echo 5001 >"$W/serial"
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
[ root_ca ]
database = $W/index.txt
new_certs_dir = $W/newcerts
serial = $W/serial
certificate = $P/root-ca.pem
private_key = $P/root-ca.key
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
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_anyeku ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = anyExtendedKeyUsage
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_notca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
	local cnf=$W/ca.cnf
	req() { OPENSSL_CONF=$cnf openssl req -config "$cnf" -new -key "$1" -subj "$2" -out "$3"; }
	cadays() { # NAME SECTION EXT START END [ca options]: NAME.pem from NAME.csr
		local n=$1 sec=$2 ext=$3 s=$4 e=$5
		shift 5
		OPENSSL_CONF=$cnf openssl ca -config "$cnf" -name "$sec" -batch -notext -in "$W/$n.csr" \
			-out "$W/$n.pem" -extfile "$cnf" -extensions "$ext" -startdate "$s" -enddate "$e" \
			"$@" 2>/dev/null
	}
	sign() { # NAME CA-PEM CA-KEY EXT [x509 options]: NAME.pem from NAME.csr, now + 365 days
		local n=$1 ca=$2 cakey=$3 ext=$4
		shift 4
		OPENSSL_CONF=$cnf openssl x509 -req -in "$W/$n.csr" -out "$W/$n.pem" -CA "$ca" \
			-CAkey "$cakey" -CAcreateserial -CAserial "$W/x509.srl" -extfile "$cnf" \
			-extensions "$ext" -days 365 "$@" 2>/dev/null
	}
	local k=$P/server.key
	# a leaf valid from 2035 on
	req "$k" "$o/CN=localhost" "$W/notyet.csr"
	cadays notyet int_ca v3_leaf 20350101000000Z 20360101000000Z
	# an intermediate that expired in 2021 (the intermediate's key, another name), and its leaf
	req "$P/intermediate.key" "$o/CN=dbtls expired intermediate CA" "$W/expint.csr"
	cadays expint root_ca v3_int 20200101000000Z 20210101000000Z
	req "$k" "$o/CN=localhost" "$W/expint-leaf.csr"
	sign expint-leaf "$W/expint.pem" "$P/intermediate.key" v3_leaf
	# extendedKeyUsage anyExtendedKeyUsage only
	req "$k" "$o/CN=localhost" "$W/anyeku.csr"
	sign anyeku "$P/intermediate.pem" "$P/intermediate.key" v3_anyeku
	# an issuer with basicConstraints CA:FALSE (keyCertSign set), and its leaf
	req "$P/intermediate.key" "$o/CN=dbtls CA:FALSE issuer" "$W/notca.csr"
	sign notca "$P/root-ca.pem" "$P/root-ca.key" v3_notca
	req "$k" "$o/CN=localhost" "$W/notca-leaf.csr"
	sign notca-leaf "$W/notca.pem" "$P/intermediate.key" v3_leaf
	# RSASSA-PSS over SHA-1 and over SHA-256
	req "$k" "$o/CN=localhost" "$W/pss1.csr"
	sign pss1 "$P/intermediate.pem" "$P/intermediate.key" v3_leaf -sha1 \
		-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20
	cp "$W/pss1.csr" "$W/pss256.csr"
	sign pss256 "$P/intermediate.pem" "$P/intermediate.key" v3_leaf -sha256 \
		-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
	cat "$W/notyet.pem" "$P/intermediate.pem" >"$W/notyet-chain.pem"
	cat "$W/expint-leaf.pem" "$W/expint.pem" >"$W/expint-chain.pem"
	cat "$W/anyeku.pem" "$P/intermediate.pem" >"$W/anyeku-chain.pem"
	cat "$W/notca-leaf.pem" "$W/notca.pem" >"$W/notca-chain.pem"
	cat "$W/pss1.pem" "$P/intermediate.pem" >"$W/pss1-chain.pem"
	cat "$W/pss256.pem" "$P/intermediate.pem" >"$W/pss256-chain.pem"
	cat "$P/server.pem" "$P/intermediate.pem" "$P/intermediate.pem" >"$W/dup-chain.pem"
	local f
	for f in notyet expint-leaf expint anyeku notca notca-leaf pss1 pss256; do
		[ -s "$W/$f.pem" ] || { echo "gen_verdict_pki: $f.pem not made" >&2; return 1; }
	done
}
gen_verdict_pki "$P" "$W"

# --- the servers ------------------------------------------------------------------------------
s() { start_tls_server "$@" -cipher 'ALL:@SECLEVEL=0'; } # SHA-1 and small keys need level 0
s EXPIRED expired-chain.pem expired.key
s NOTYET "$W/notyet-chain.pem" server.key
s EXPINT "$W/expint-chain.pem" server.key
s NOEKU noeku-chain.pem noeku.key
s ANYEKU "$W/anyeku-chain.pem" server.key
s NOTCA "$W/notca-chain.pem" server.key
s PSS1 "$W/pss1-chain.pem" server.key
s PSS256 "$W/pss256-chain.pem" server.key
s DUP "$W/dup-chain.pem" server.key
# SNI: the good chain by default; a fatal alert for any other name than localhost / a self-signed
# certificate for the name 127.0.0.1
s SNIFATAL server-chain.pem server.key -servername localhost -servername_fatal \
	-cert2 "$P/server.pem" -key2 "$P/server.key"
s SNIIP server-chain.pem server.key -servername 127.0.0.1 -cert2 "$P/selfsigned.pem" \
	-key2 "$P/selfsigned.key"
# anonymous suites only: no certificate at all
start_tls_server ANON server-chain.pem server.key -nocert -cipher 'aNULL:@SECLEVEL=0' -no_tls1_3
# a leaf whose AIA OCSP responder and CRL distribution point refuse connections
DEAD_PORT=$(free_port)
pki_aia "$T/aia-dead" "http://127.0.0.1:$DEAD_PORT/" "http://127.0.0.1:$DEAD_PORT/crl.der"
s OCSPDEAD "$T/aia-dead/ocsp-aia-chain.pem" "$T/aia-dead/ocsp-aia.key"
# plain text on every connection, counting them
PLAIN_LOG=$T/plain.connections
"$DBTLS_PYTHON" -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(120)
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as log:
        log.write("connection\n")
    c.settimeout(2)
    try:
        c.recv(4096)
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    c.close()' "$T/plain.port" "$PLAIN_LOG" </dev/null >"$T/plain.log" 2>&1 &
PLAIN_PID=$!
disown "$PLAIN_PID"
dbtls_at_exit "kill -KILL $PLAIN_PID 2>/dev/null"
for ((i = 0; i < 100; i++)); do [ -s "$T/plain.port" ] && break; sleep 0.05; done
PLAIN_PORT=$(cat "$T/plain.port")
# the same expired leaf over mysql://
start_with_cert MYEXP expired-chain.pem expired.key
echo "servers up at $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

tls() { printf 'tls://127.0.0.1:%s' "$1"; }
EXPIRED=$(tls "$EXPIRED_PORT") NOTYET=$(tls "$NOTYET_PORT") EXPINT=$(tls "$EXPINT_PORT")
NOEKU=$(tls "$NOEKU_PORT") ANYEKU=$(tls "$ANYEKU_PORT") NOTCA=$(tls "$NOTCA_PORT")
PSS1=$(tls "$PSS1_PORT") PSS256=$(tls "$PSS256_PORT") DUP=$(tls "$DUP_PORT")
SNIFATAL=$(tls "$SNIFATAL_PORT") SNIIP=$(tls "$SNIIP_PORT") ANON=$(tls "$ANON_PORT")
OCSPDEAD=$(tls "$OCSPDEAD_PORT") PLAIN=$(tls "$PLAIN_PORT") MYEXP=mysql://127.0.0.1:$MYEXP_PORT

# --- ground truth ----------------------------------------------------------------------------
# CNs of the served chain, in order, ';'-joined (s_client without SNI: what an IP client gets)
served() {
	local port=$1
	shift
	timeout 10 openssl s_client -connect "127.0.0.1:$port" -showcerts -noservername \
		-cipher 'ALL:@SECLEVEL=0' "$@" </dev/null 2>/dev/null |
		sed -n 's/^ *[0-9]* s:.*CN *= *//p' | paste -sd ';'
}
vfy() { openssl verify -CAfile "$CA" "$@" 2>&1 | tr '\n' ' '; } # verify ARGS: one line
I=$P/intermediate.pem
truth_fail() { # WHAT CERT UNTRUSTED REASON-ERE: fails for REASON, and the path is complete
	assert_match "truth: $1 fails for its reason" "$4" "$(vfy -purpose sslserver -untrusted "$3" "$2")"
	assert_match "truth: $1 path is complete (dates and purpose aside)" ': OK $' \
		"$(vfy -no_check_time -untrusted "$3" "$2")"
}
truth_fail "expired leaf" "$P/expired.pem" "$I" 'error 10 at 0 depth lookup: certificate has expired'
truth_fail "not-yet-valid leaf" "$W/notyet.pem" "$I" 'error 9 at 0 depth lookup: certificate is not yet valid'
truth_fail "expired intermediate" "$W/expint-leaf.pem" "$W/expint.pem" 'error 10 at 1 depth lookup: certificate has expired'
truth_fail "clientAuth-only leaf" "$P/noeku.pem" "$I" 'error 26 at 0 depth lookup: unsuitable certificate purpose'
truth_fail "anyExtendedKeyUsage-only leaf" "$W/anyeku.pem" "$I" 'error 26 at 0 depth lookup: unsuitable certificate purpose'
# the CA:FALSE issuer issued the leaf (the error is about depth 1, the issuer) and the root it
assert_match "truth: CA:FALSE issuer is refused as a CA, at depth 1" \
	'error 79 at 1 depth lookup: invalid CA certificate' "$(vfy -untrusted "$W/notca.pem" "$W/notca-leaf.pem")"
assert_match "truth: the root issued the CA:FALSE issuer" ': OK $' \
	"$(openssl verify -partial_chain -trusted "$CA" "$W/notca.pem" 2>&1 | tr '\n' ' ')"
for n in EXPIRED NOTYET NOEKU ANYEKU PSS1 PSS256; do
	p=${n}_PORT
	assert_eq "truth: $n serves leaf + intermediate" "localhost;dbtls test intermediate CA" "$(served "${!p}")"
done
assert_eq "truth: EXPINT serves leaf + expired intermediate" "localhost;dbtls expired intermediate CA" \
	"$(served "$EXPINT_PORT")"
assert_eq "truth: NOTCA serves leaf + CA:FALSE issuer" "localhost;dbtls CA:FALSE issuer" "$(served "$NOTCA_PORT")"
assert_eq "truth: DUP serves the intermediate twice" \
	"localhost;dbtls test intermediate CA;dbtls test intermediate CA" "$(served "$DUP_PORT")"
assert_eq "truth: expired leaf over mysql://" "localhost;dbtls test intermediate CA" \
	"$(served "$MYEXP_PORT" -starttls mysql)"
# SNI: an IP client (no SNI) gets the good chain from both; SNI 127.0.0.1 would get other answers
assert_eq "truth: -servername_fatal server, no SNI: the good chain" "localhost;dbtls test intermediate CA" \
	"$(served "$SNIFATAL_PORT")"
out=$(timeout 10 openssl s_client -connect "127.0.0.1:$SNIFATAL_PORT" -servername 127.0.0.1 </dev/null 2>&1 || true)
assert_match "truth: -servername_fatal server, SNI 127.0.0.1: unrecognized name" 'unrecognized name' "$out"
assert_eq "truth: second-certificate server, no SNI: the good chain" "localhost;dbtls test intermediate CA" \
	"$(served "$SNIIP_PORT")"
out=$(timeout 10 openssl s_client -connect "127.0.0.1:$SNIIP_PORT" -servername 127.0.0.1 -showcerts </dev/null 2>/dev/null |
	sed -n 's/^ *0 s:.*CN *= *//p; s/^ *i:.*CN *= */issuer /p' | head -2 | paste -sd ';')
assert_eq "truth: second-certificate server, SNI 127.0.0.1: the self-signed one" "localhost;issuer localhost" "$out"
# PSS: the hash is a parameter of rsassaPss
txt=$(openssl x509 -in "$W/pss1.pem" -noout -text)
assert_match "truth: pss1 is RSASSA-PSS" 'Signature Algorithm: rsassaPss' "$txt"
assert_match "truth: pss1's hash is SHA-1" 'Hash Algorithm: sha1' "$txt"
assert_match "truth: pss256's hash is SHA-256" 'Hash Algorithm: sha256' \
	"$(openssl x509 -in "$W/pss256.pem" -noout -text)"
# anonymous only: a handshake with an ADH/AECDH suite and no certificate
out=$(timeout 10 openssl s_client -connect "127.0.0.1:$ANON_PORT" -cipher 'aNULL:@SECLEVEL=0' -no_tls1_3 </dev/null 2>&1 || true)
assert_match "truth: anonymous server sends no certificate" 'no peer certificate available' "$out"
assert_match "truth: anonymous server negotiates an anonymous suite" 'Cipher is A(EC)?DH' "$out"
# plain text: openssl cannot handshake; the answer is an HTTP 400
out=$(timeout 10 openssl s_client -connect "127.0.0.1:$PLAIN_PORT" </dev/null 2>&1 || true)
assert_match "truth: the plain-text port is no TLS" 'wrong version number|packet length too long|unexpected eof' "$out"
# refused: the OCSP / CRL port answers a connection with RST at once
assert_fails "truth: the OCSP responder's port refuses" bash -c "(: <>/dev/tcp/127.0.0.1/$DEAD_PORT) 2>/dev/null"
: >"$PLAIN_LOG"

# --- helpers ---------------------------------------------------------------------------------
scan() { # WHAT OUT.json ARGS...: a scan (--revocation off unless ARGS say otherwise) that validates
	local what=$1 out=$2 rc=0
	shift 2
	"$DBTLS" scan --ca-file "$CA" --timeout "${TIMEOUT:-5}" -q -o "$out" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "scan $what: exit $rc"
		cat "$T/err"
	fi
	assert_ok "$what: report validates" validate_report "$out"
}
ep() {
	[ -s "$1" ] || { echo "(no report $(basename "$1"))"; return 1; }
	py_json "$1" "(lambda e: $3)(next(x for x in d['endpoints'] if x['target'] == '$2'))"
}
checks() { ep "$1" "$2" "' '.join(sorted(set(f['check'] for f in e['findings'])))"; }
title() { ep "$1" "$2" "next((f['title'] for f in e['findings'] if f['check'] == '$3'), 'absent')"; }
has() { assert_match "$1: finding $4" "(^| )$4( |$)" "$(checks "$2" "$3")"; }
hasnt() {
	local got
	got=$(checks "$2" "$3") || true
	if [[ " $got " == *" $4 "* ]]; then
		assert_eq "$1: no finding $4 (findings: $got)" absent present
	else
		assert_eq "$1: no finding $4" absent absent
	fi
}
chain() { ep "$1" "$2" "' '.join(str(e['verification']['chain'][k]) for k in ('incomplete', 'missing_issuer', 'misordered', 'extra', 'anchor_served'))"; }
_failed_before=0
excerpt() {
	if [ "$_DBTLS_FAILED" -gt "$_failed_before" ] && [ -s "$1" ]; then
		echo "--- $2 in $(basename "$1"):"
		ep "$1" "$2" "{'certificates': [{k: c.get(k) for k in ('subject', 'signature_algorithm', 'days_left', 'revocation')} for c in e['certificates']], 'sni': e.get('sni'), 'tls': e.get('tls'), 'verification': e['verification'], 'errors': e['errors'], 'findings': [(f['check'], f['title'], f['evidence']) for f in e['findings']]}" |
			"$DBTLS_PYTHON" -m json.tool || true
	fi
	_failed_before=$_DBTLS_FAILED
}

# --- 1, 3, 4, 6: the chains ----------------------------------------------------------------------
R=$T/chains.json
scan "chains" "$R" --revocation off "$EXPIRED" "$NOTYET" "$EXPINT" "$NOEKU" "$ANYEKU" "$NOTCA" \
	"$PSS1" "$PSS256" "$DUP" "$MYEXP"
for t in "$EXPIRED" "$NOTYET" "$EXPINT" "$NOEKU" "$ANYEKU" "$NOTCA" "$MYEXP"; do
	assert_eq "$t: chain complete, nothing missing, in order, nothing extra, root not served" \
		"False None False 0 False" "$(chain "$R" "$t")"
	assert_eq "$t: the path ends in the test root" "CN=dbtls test root CA,O=dbtls tests" \
		"$(ep "$R" "$t" "e['verification']['chain']['anchor_subject']")"
	assert_eq "$t: the chain does not verify" false "$(ep "$R" "$t" "e['verification']['ca_ok']")"
	hasnt "$t" "$R" "$t" cert.chain-incomplete
	hasnt "$t" "$R" "$t" cert.chain-order
	hasnt "$t" "$R" "$t" cert.chain-extra
done
has "expired leaf" "$R" "$EXPIRED" cert.expired
has "expired leaf over mysql://" "$R" "$MYEXP" cert.expired
has "not-yet-valid leaf" "$R" "$NOTYET" cert.not-yet-valid
has "expired intermediate" "$R" "$EXPINT" cert.expired
has "clientAuth-only leaf" "$R" "$NOEKU" cert.eku
has "anyExtendedKeyUsage-only leaf: does not verify for a server" "$R" "$ANYEKU" cert.untrusted
has "CA:FALSE issuer" "$R" "$NOTCA" cert.untrusted
assert_match "CA:FALSE issuer: the verify error is openssl's" 'invalid CA certificate' \
	"$(ep "$R" "$NOTCA" "e['verification']['error']")"
for t in "$EXPIRED" "$NOTYET" "$EXPINT" "$NOEKU" "$ANYEKU" "$NOTCA" "$MYEXP"; do excerpt "$R" "$t"; done

# 3: RSASSA-PSS
assert_eq "PSS/SHA-1: sig_alg" "rsassaPss(sha1)" "$(ep "$R" "$PSS1" "e['certificates'][0]['signature_algorithm']")"
has "PSS/SHA-1" "$R" "$PSS1" cert.signature-hash
assert_eq "PSS/SHA-256: sig_alg" "rsassaPss(sha256)" "$(ep "$R" "$PSS256" "e['certificates'][0]['signature_algorithm']")"
hasnt "PSS/SHA-256" "$R" "$PSS256" cert.signature-hash
assert_eq "PSS/SHA-256: verifies" true "$(ep "$R" "$PSS256" "e['verification']['ca_ok']")"
excerpt "$R" "$PSS1"
excerpt "$R" "$PSS256"

# 4: leaf, intermediate, intermediate
assert_eq "duplicate: one extra, nothing missing, in order" "False None False 1 False" "$(chain "$R" "$DUP")"
has "duplicate" "$R" "$DUP" cert.chain-extra
hasnt "duplicate" "$R" "$DUP" cert.chain-incomplete
assert_eq "duplicate: still verifies" true "$(ep "$R" "$DUP" "e['verification']['ca_ok']")"
excerpt "$R" "$DUP"

# 6: the days of the expired leaf, counted once (whole days since notAfter, at scan time)
na=$(openssl x509 -in "$P/expired.pem" -noout -enddate | sed 's/notAfter=//')
days=$(( ($(date +%s) - $(date -d "$na" +%s)) / 86400 ))
assert_eq "days: JSON days_left" "-$days" "$(ep "$R" "$EXPIRED" "e['certificates'][0]['days_left']")"
assert_match "days: cert.expired title" "\\($days days ago\\)" "$(title "$R" "$EXPIRED" cert.expired)"
"$DBTLS" check --facts "$R" --format text --no-color >"$T/chains.txt" 2>"$T/err" || true
assert_match "days: text certificate line" "expired $days days ago" "$(grep -m1 'cert\[0\]: .*2021-01-01' "$T/chains.txt" || cat "$T/err")"
assert_match "days: text nearest expiry" "expired $days days ago" "$(grep '^nearest expiry' "$T/chains.txt" || true)"
excerpt "$R" "$EXPIRED"

# --- 2: no SNI for an IP target --------------------------------------------------------------
R=$T/sni.json
scan "SNI" "$R" --revocation off "$SNIFATAL" "$SNIIP" "tls://localhost:$SNIIP_PORT"
for t in "$SNIFATAL" "$SNIIP"; do
	assert_eq "$t: sni is null (none sent)" null "$(ep "$R" "$t" "e['sni']")"
	assert_eq "$t: the chain IP clients get" "localhost;dbtls test intermediate CA" \
		"$(ep "$R" "$t" "';'.join(c['subject'].split('CN=')[1].split(',')[0] for c in e['certificates'])")"
	assert_eq "$t: verifies, matches 127.0.0.1" "True True" \
		"$(ep "$R" "$t" "'%s %s' % (e['verification']['ca_ok'], e['verification']['hostname_ok'])")"
	assert_eq "$t: no error" "[]" "$(ep "$R" "$t" "e['errors']")"
	hasnt "$t" "$R" "$t" cert.self-signed
	hasnt "$t" "$R" "$t" cert.untrusted
	excerpt "$R" "$t"
done
assert_eq "by name: sni localhost" localhost "$(ep "$R" "tls://localhost:$SNIIP_PORT" "e['sni']")"

# --- 7: anonymous suites only -----------------------------------------------------------------
R=$T/anon.json
scan "anonymous only" "$R" --revocation off "$ANON"
has "anonymous" "$R" "$ANON" suites.anon
hasnt "anonymous" "$R" "$ANON" cert.hostname-mismatch
assert_eq "anonymous: one certificate finding, saying so" "No certificate (anonymous key exchange only)" \
	"$(ep "$R" "$ANON" "' | '.join(f['title'] for f in e['findings'] if f['check'].startswith('cert.'))")"
assert_eq "anonymous: no certificates" 0 "$(ep "$R" "$ANON" "len(e['certificates'])")"
excerpt "$R" "$ANON"

# --- 5: plain text on a tls:// port ------------------------------------------------------------
R=$T/plain.json
scan "plain text" "$R" "$PLAIN"
assert_eq "plain: tls.offered" false "$(ep "$R" "$PLAIN" "e['tls']['offered']")"
assert_eq "plain: one connection (dbtls)" 1 "$(ep "$R" "$PLAIN" "e['connections_used']")"
assert_eq "plain: one connection (the server's count)" 1 "$(wc -l <"$PLAIN_LOG")"
assert_match "plain: the answer shown as text" 'answer is not TLS: text "HTTP/1.1 400 Bad Request"' \
	"$(ep "$R" "$PLAIN" "e['tls']['versions']['TLSv1.2']['reason']")"
has "plain" "$R" "$PLAIN" tls.not-offered
excerpt "$R" "$PLAIN"

# --- 8: a refused OCSP responder and CRL server ------------------------------------------------
R=$T/refused.json
t0=$EPOCHREALTIME
TIMEOUT=10 scan "refused OCSP" "$R" --revocation-leaf-only "$OCSPDEAD"
dt=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
echo "refused OCSP responder + CRL server, --timeout 10: scan took $dt s"
assert_eq "refused: status" unavailable "$(ep "$R" "$OCSPDEAD" "e['certificates'][0]['revocation']['status']")"
det=$(ep "$R" "$OCSPDEAD" "e['certificates'][0]['revocation']['detail']")
assert_match "refused: OCSP says refused" "OCSP http://127.0.0.1:$DEAD_PORT/: connection refused" "$det"
assert_match "refused: CRL says refused" "crl.der: connection refused" "$det"
assert_eq "refused: at once, not after the 10 s timeout" 1 "$(awk -v t="$dt" 'BEGIN { print (t < 4) }')"
has "refused" "$R" "$OCSPDEAD" cert.revocation-unavailable
excerpt "$R" "$OCSPDEAD"

echo "total $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
finish
