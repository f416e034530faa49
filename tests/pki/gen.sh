#!/usr/bin/env bash
set -euo pipefail
# SPDX-License-Identifier: MIT
#
# gen.sh OUTDIR: generate the throw-away test PKI that integration tests and the demo use. Nothing
# of it is checked in; it is made at test time with the openssl command line only.
#
#   root-ca.{key,pem}        private root; ca-bundle.pem holds it alone (clients trust the root)
#   intermediate.{key,pem}   signed by the root, CA:TRUE pathlen:0
#   server.{key,pem}         RSA-2048 leaf from the intermediate, SAN localhost/127.0.0.1/::1,
#                            serverAuth; server-pkcs1.key is the same key in PKCS#1 ("traditional")
#   server-chain.pem         leaf + intermediate: what a correct server serves
#   expired.{key,pem}        leaf from the intermediate whose validity ended in 2021;
#                            expired-chain.pem = leaf + intermediate
#   selfsigned.{key,pem}     self-signed leaf for localhost
#   other-ca.pem             an unrelated root, for "does not verify" tests (other-ca.key too)
#
# Chains and revocation (every leaf below is for localhost/127.0.0.1/::1 from the intermediate, and
# X-chain.pem = X.pem + intermediate.pem unless said otherwise):
#   intermediate-index.txt   the intermediate's `openssl ca` database (index), listing every
#                            certificate it issued (server.pem included): what an OCSP responder
#                            (`openssl ocsp -index`) answers from
#                            (+ .attr: unique_subject = no, needed to load it)
#   root-index.txt           the same for the root (it lists the intermediate); + .attr
#   revoked.{key,pem}        RSA-2048 leaf, revoked (reason keyCompromise); revoked-chain.pem
#   crl.pem, crl.der         the intermediate's CRL (PEM, DER) listing revoked.pem; next update in
#                            2 years, so it outlives every leaf
#   root-crl.pem             the root's (empty) CRL: covers the intermediate
#   ocsp-signer.{key,pem}    delegated OCSP responder (EC P-256, EKU OCSPSigning, ocsp-nocheck)
#   nointermediate-chain.pem server.pem alone: the incomplete chain
#   misordered-chain.pem     server.pem, root-ca.pem, intermediate.pem: the leaf must come first (a
#                            TLS server always sends its own certificate first), so "wrong order" is
#                            the root before the intermediate that links it to the leaf
#   extra-chain.pem          server.pem, intermediate.pem, other-ca.pem: an unrelated extra cert
#   sha1.{key,pem}           RSA-2048 leaf signed with sha1WithRSAEncryption; sha1-chain.pem. A
#                            server needs @SECLEVEL=0 to serve it (OpenSSL rejects SHA-1 at >= 1)
#   rsa1024.{key,pem}        RSA-1024 leaf; rsa1024-chain.pem (mariadbd needs @SECLEVEL=0)
#   dsa1024.{key,pem}        DSA-1024 leaf; dsa1024-chain.pem. Only TLS <= 1.2 DHE-DSS suites can
#                            use it, and only at @SECLEVEL=0 (e.g. openssl s_server -no_tls1_3)
#   noeku.{key,pem}          EC P-256 leaf whose EKU is clientAuth only; noeku-chain.pem
#   leafca.{key,pem}         EC P-256 leaf with basicConstraints CA:TRUE; leafca-chain.pem
#   xmpp-ids.{key,pem}       EC P-256 leaf for the XMPP domain xmpp.test by SRV-ID
#                            (_xmpp-client.xmpp.test) and xmppAddr only (its DNS name is another);
#                            xmpp-ids-chain.pem
#   new-root-ca.{key,pem}    a second, unrelated "new" root (EC P-256); new-ca-bundle.pem holds it
#                            alone; ca-bundle-old-new.pem holds both roots
#   new-intermediate.{key,pem}  signed by the new root (EC P-256)
#   newca-server.{key,pem}   the server certificate re-issued under the new intermediate for the
#                            same key (newca-server.key = server.key); newca-server-chain.pem =
#                            leaf + new-intermediate.pem
#
# Idempotent: a complete PKI in OUTDIR (stamp file .complete, server certificate valid for at least
# another week) is left alone; otherwise everything is generated in a scratch directory and moved in
# under a lock, so concurrent callers never see a half-written set. Prints nothing but errors.
#
# OpenSSL 3.0's x509/req have no -not_before/-not_after, so the expired leaf is issued with
# `openssl ca -startdate/-enddate` and a minimal CA configuration written here.
#
# gen.sh --aia PKIDIR OUTDIR OCSP_URL CRL_URL: certificates whose authorityInfoAccess (OCSP) and
# crlDistributionPoints name loopback servers a test starts (the URLs are baked into the
# certificates, so a test makes them once it knows its ports). From PKIDIR's intermediate, into
# OUTDIR:
#   ocsp-aia.{key,pem}       good leaf, AIA OCSP = OCSP_URL and CDP = CRL_URL; ocsp-aia-chain.pem
#   revoked-ocsp.{key,pem}   leaf with AIA OCSP only, revoked (keyCompromise);
#                            revoked-ocsp-chain.pem
#   revoked-crl.{key,pem}    leaf with CDP only, revoked (keyCompromise); revoked-crl-chain.pem
#   index.txt                PKIDIR's intermediate-index.txt plus these three: the responder's index
#                            (+ index.txt.attr)
#   crl.pem, crl.der         the intermediate's CRL listing revoked.pem and both revoked-* leaves:
#                            serve crl.der at CRL_URL
# (keys are copies: ocsp-aia.key = server.key, revoked-*.key = revoked.key). PKIDIR must be complete
# (run gen.sh PKIDIR first). Idempotent for the same URLs; prints nothing but errors.

usage() {
	echo "usage: $0 OUTDIR | $0 --aia PKIDIR OUTDIR OCSP_URL CRL_URL" >&2
	exit 2
}

# The system openssl.cnf must not leak extensions into our certificates.
unset OPENSSL_CONF

# write_config FILE INTERMEDIATE-DB-PREFIX: the configuration req, x509 -extfile and ca read.
write_config() {
	cat >"$1" <<EOF
# Minimal configuration for the dbtls test PKI (req, x509 -extfile and ca all read it).
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused

[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

# An XMPP server's identities only (RFC 6120 §13.7.1.2, RFC 7712): an SRV-ID for c2s and an
# xmppAddr for the domain xmpp.test, and a DNS name that is not it.
[ v3_xmpp_ids ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:not-the-domain.invalid, otherName:1.3.6.1.5.5.7.8.7;IA5STRING:_xmpp-client.xmpp.test, otherName:1.3.6.1.5.5.7.8.5;UTF8:xmpp.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

# DSA and EC keys sign; they cannot encipher keys.
[ v3_leaf_sig ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_noeku ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_leafca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_selfsigned ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash

# \`openssl ca\` issues the leaves that must be in a database (revocation, OCSP) and the expired
# one (only it can set arbitrary dates).
[ ca ]
default_ca = intermediate_ca
[ intermediate_ca ]
dir = .
database = $2-index.txt
new_certs_dir = ./ca-newcerts
serial = $2-serial
crlnumber = $2-crlnumber
certificate = ./intermediate.pem
private_key = ./intermediate.key
default_md = sha256
default_crl_days = 730
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ root_ca ]
dir = .
database = ./root-index.txt
new_certs_dir = ./ca-newcerts
serial = ./root-serial
crlnumber = ./root-crlnumber
certificate = ./root-ca.pem
private_key = ./root-ca.key
default_md = sha256
default_crl_days = 730
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = supplied
EOF
}

o="/O=dbtls tests"

# issue NAME EXTENSIONS [openssl ca options...]: NAME.pem for NAME.key from the intermediate's
# database (the current configuration), subject O=dbtls tests/CN=$cn (default localhost), 365 days.
issue() {
	local name=$1 ext=$2
	shift 2
	openssl req -config openssl.cnf -new -key "$name.key" -subj "$o/CN=${cn:-localhost}" \
		-out "$name.csr"
	openssl ca -config openssl.cnf -batch -notext -in "$name.csr" -out "$name.pem" \
		-extfile openssl.cnf -extensions "$ext" -days 365 "$@" 2>/dev/null
}
revoke() { # PEM: revoke for key compromise in the intermediate's database
	openssl ca -config openssl.cnf -revoke "$1" -crl_reason keyCompromise >/dev/null 2>&1
}
gencrl() { # make crl.pem and crl.der from the intermediate's database
	openssl ca -config openssl.cnf -gencrl -out crl.pem 2>/dev/null
	openssl crl -in crl.pem -outform DER -out crl.der
}

# --- gen.sh --aia PKIDIR OUTDIR OCSP_URL CRL_URL ---------------------------------------------
if [ "${1:-}" = --aia ]; then
	[ $# -eq 5 ] || usage
	pki=$(cd "$2" && pwd)
	mkdir -p "$3"
	out=$(cd "$3" && pwd)
	ocsp_url=$4 crl_url=$5
	for f in intermediate.pem intermediate.key intermediate-index.txt server.key revoked.key; do
		if [ ! -s "$pki/$f" ]; then
			echo "$0: $pki/$f is missing (run $0 $pki first)" >&2
			exit 1
		fi
	done
	stamp="$ocsp_url $crl_url $(stat -c %Y.%i "$pki/intermediate.pem")"
	exec 9>"$out/.lock"
	flock 9
	if [ -e "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$stamp" ]; then
		exit 0
	fi
	work=$(mktemp -d "$out/.gen.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	cd "$work"
	write_config openssl.cnf ./aia
	cat >>openssl.cnf <<EOF

[ v3_aia ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:$ocsp_url
crlDistributionPoints = URI:$crl_url

[ v3_aia_ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:$ocsp_url

[ v3_aia_crl ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$crl_url
EOF
	export OPENSSL_CONF="$work/openssl.cnf"
	cp "$pki/intermediate.pem" "$pki/intermediate.key" .
	cp "$pki/intermediate-index.txt" aia-index.txt
	echo 'unique_subject = no' >aia-index.txt.attr
	echo 2001 >aia-serial # the main PKI's serials are 10xx
	echo 2001 >aia-crlnumber
	mkdir ca-newcerts
	cp "$pki/server.key" ocsp-aia.key
	cp "$pki/revoked.key" revoked-ocsp.key
	cp "$pki/revoked.key" revoked-crl.key
	issue ocsp-aia v3_aia
	issue revoked-ocsp v3_aia_ocsp
	issue revoked-crl v3_aia_crl
	revoke revoked-ocsp.pem
	revoke revoked-crl.pem
	gencrl
	for n in ocsp-aia revoked-ocsp revoked-crl; do
		cat "$n.pem" intermediate.pem >"$n-chain.pem"
	done
	mv -f aia-index.txt index.txt
	mv -f aia-index.txt.attr index.txt.attr
	rm -f "$out/.complete"
	for f in ocsp-aia.key ocsp-aia.pem ocsp-aia-chain.pem revoked-ocsp.key revoked-ocsp.pem \
		revoked-ocsp-chain.pem revoked-crl.key revoked-crl.pem revoked-crl-chain.pem index.txt \
		index.txt.attr crl.pem crl.der; do
		chmod 0644 "$f"
		mv -f "$f" "$out/$f"
	done
	printf '%s\n' "$stamp" >"$out/.complete"
	exit 0
fi

# --- gen.sh OUTDIR ----------------------------------------------------------------------------
[ $# -eq 1 ] || usage
case $1 in -*) usage ;; esac
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)

files=(root-ca.key root-ca.pem intermediate.key intermediate.pem server.key server.pem
	server-pkcs1.key server-chain.pem ca-bundle.pem expired.key expired.pem expired-chain.pem
	selfsigned.key selfsigned.pem other-ca.key other-ca.pem
	intermediate-index.txt intermediate-index.txt.attr root-index.txt root-index.txt.attr
	revoked.key revoked.pem revoked-chain.pem crl.pem crl.der root-crl.pem ocsp-signer.key
	ocsp-signer.pem nointermediate-chain.pem misordered-chain.pem extra-chain.pem sha1.key sha1.pem
	sha1-chain.pem rsa1024.key rsa1024.pem rsa1024-chain.pem dsa1024.key dsa1024.pem
	dsa1024-chain.pem noeku.key noeku.pem noeku-chain.pem leafca.key leafca.pem leafca-chain.pem
	new-root-ca.key new-root-ca.pem new-intermediate.key new-intermediate.pem newca-server.key
	newca-server.pem newca-server-chain.pem new-ca-bundle.pem ca-bundle-old-new.pem
	xmpp-ids.key xmpp-ids.pem xmpp-ids-chain.pem)

complete() {
	local f
	[ -e "$out/.complete" ] || return 1
	for f in "${files[@]}"; do
		[ -s "$out/$f" ] || return 1
	done
	openssl x509 -in "$out/server.pem" -noout -checkend 604800 >/dev/null 2>&1
}

exec 9>"$out/.lock"
flock 9
if complete; then
	exit 0
fi

work=$(mktemp -d "$out/.gen.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

write_config openssl.cnf ./intermediate
export OPENSSL_CONF="$work/openssl.cnf"

# genpkey writes PKCS#8.
key() { # FILE [BITS]
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2:-2048}" -out "$1" 2>/dev/null
}
eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
dsakey() {
	openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 \
		-pkeyopt dsa_paramgen_q_bits:160 -out dsa.param 2>/dev/null
	openssl genpkey -paramfile dsa.param -out "$1" 2>/dev/null
}
# req -x509 for roots and the self-signed leaf; csr + x509 -req for certificates signed by a CA.
selfsign() { # key pem subject extensions days serial
	openssl req -config openssl.cnf -new -x509 -key "$1" -out "$2" -subj "$3" \
		-extensions "$4" -days "$5" -set_serial "$6" -sha256
}
sign() { # key pem subject extensions days serial ca-pem ca-key
	openssl req -config openssl.cnf -new -key "$1" -subj "$3" -out "$2.csr"
	openssl x509 -req -in "$2.csr" -out "$2" -CA "$7" -CAkey "$8" -extfile openssl.cnf \
		-extensions "$4" -days "$5" -set_serial "$6" -sha256 2>/dev/null
}

# Key generation dominates the run time; generate the RSA-2048 keys in parallel. The rest (EC, DSA,
# RSA-1024) takes milliseconds.
pids=()
for k in root-ca intermediate server expired selfsigned other-ca revoked sha1; do
	key "$k.key" &
	pids+=($!)
done
key rsa1024.key 1024
dsakey dsa1024.key
for k in ocsp-signer noeku leafca new-root-ca new-intermediate xmpp-ids; do
	eckey "$k.key"
done
for p in "${pids[@]}"; do
	wait "$p"
done

selfsign root-ca.key root-ca.pem "$o/CN=dbtls test root CA" v3_root 3650 0x1001
sign intermediate.key intermediate.pem "$o/CN=dbtls test intermediate CA" v3_intermediate 1825 \
	0x1002 root-ca.pem root-ca.key
sign server.key server.pem "$o/CN=localhost" v3_leaf 365 0x1003 intermediate.pem intermediate.key
selfsign selfsigned.key selfsigned.pem "$o/CN=localhost" v3_selfsigned 365 0x1004
selfsign other-ca.key other-ca.pem "$o/CN=dbtls unrelated CA" v3_root 3650 0x1005

mkdir ca-newcerts
: >intermediate-index.txt
echo 1006 >intermediate-serial
echo 1001 >intermediate-crlnumber
openssl req -config openssl.cnf -new -key expired.key -subj "$o/CN=localhost" -out expired.csr
openssl ca -config openssl.cnf -batch -notext -in expired.csr -out expired.pem \
	-extfile openssl.cnf -extensions v3_leaf \
	-startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null

# The intermediate's database: server.pem (made with x509 -req) is entered as valid, the rest is
# issued by `openssl ca` (serials 1007…).
openssl ca -config openssl.cnf -valid server.pem >/dev/null 2>&1
issue revoked v3_leaf
issue sha1 v3_leaf -md sha1
issue rsa1024 v3_leaf
issue dsa1024 v3_leaf_sig
cn="dbtls test OCSP responder" issue ocsp-signer v3_ocsp
issue noeku v3_noeku
issue leafca v3_leafca
cn="dbtls xmpp ids" issue xmpp-ids v3_xmpp_ids
revoke revoked.pem
gencrl

# The root's database and (empty) CRL, which covers the intermediate.
: >root-index.txt
echo 1001 >root-crlnumber
openssl ca -config openssl.cnf -name root_ca -valid intermediate.pem >/dev/null 2>&1
openssl ca -config openssl.cnf -name root_ca -gencrl -out root-crl.pem 2>/dev/null

# The "new" CA for rotation tests: the server's key, re-issued under a new root.
selfsign new-root-ca.key new-root-ca.pem "$o/CN=dbtls test new root CA" v3_root 3650 0x3001
sign new-intermediate.key new-intermediate.pem "$o/CN=dbtls test new intermediate CA" \
	v3_intermediate 1825 0x3002 new-root-ca.pem new-root-ca.key
cp server.key newca-server.key
sign newca-server.key newca-server.pem "$o/CN=localhost" v3_leaf 365 0x3003 new-intermediate.pem \
	new-intermediate.key

openssl rsa -in server.key -traditional -out server-pkcs1.key 2>/dev/null
for n in server expired revoked sha1 rsa1024 dsa1024 noeku leafca xmpp-ids; do
	cat "$n.pem" intermediate.pem >"$n-chain.pem"
done
cat newca-server.pem new-intermediate.pem >newca-server-chain.pem
cp server.pem nointermediate-chain.pem
cat server.pem root-ca.pem intermediate.pem >misordered-chain.pem
cat server.pem intermediate.pem other-ca.pem >extra-chain.pem
cp root-ca.pem ca-bundle.pem
cp new-root-ca.pem new-ca-bundle.pem
cat root-ca.pem new-root-ca.pem >ca-bundle-old-new.pem

rm -f "$out/.complete"
for f in "${files[@]}"; do
	chmod 0644 "$f" # test keys: readable by a server running as another user
	mv -f "$f" "$out/$f"
done
: >"$out/.complete"
