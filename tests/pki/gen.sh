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
# Idempotent: a complete PKI in OUTDIR (stamp file .complete, server certificate valid for at least
# another week) is left alone; otherwise everything is generated in a scratch directory and moved in
# under a lock, so concurrent callers never see a half-written set. Prints nothing but errors.
#
# OpenSSL 3.0's x509/req have no -not_before/-not_after, so the expired leaf is issued with
# `openssl ca -startdate/-enddate` and a minimal CA configuration written here.

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)

files=(root-ca.key root-ca.pem intermediate.key intermediate.pem server.key server.pem
	server-pkcs1.key server-chain.pem ca-bundle.pem expired.key expired.pem expired-chain.pem
	selfsigned.key selfsigned.pem other-ca.key other-ca.pem)

complete() {
	local f
	[ -e "$out/.complete" ] || return 1
	for f in "${files[@]}"; do
		[ -s "$out/$f" ] || return 1
	done
	openssl x509 -in "$out/server.pem" -noout -checkend 604800 >/dev/null 2>&1
}

# The system openssl.cnf must not leak extensions into our certificates.
unset OPENSSL_CONF

exec 9>"$out/.lock"
flock 9
if complete; then
	exit 0
fi

work=$(mktemp -d "$out/.gen.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

cat >openssl.cnf <<'EOF'
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

[ v3_selfsigned ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash

# `openssl ca` is used only for the expired leaf, because only it can set arbitrary dates.
[ ca ]
default_ca = intermediate_ca
[ intermediate_ca ]
dir = .
database = ./ca-index.txt
new_certs_dir = ./ca-newcerts
serial = ./ca-serial
certificate = ./intermediate.pem
private_key = ./intermediate.key
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = supplied
EOF
export OPENSSL_CONF="$work/openssl.cnf"

# genpkey writes PKCS#8.
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
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

# Key generation dominates the run time; generate the six keys in parallel.
pids=()
for k in root-ca intermediate server expired selfsigned other-ca; do
	key "$k.key" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p"
done

o="/O=dbtls tests"
selfsign root-ca.key root-ca.pem "$o/CN=dbtls test root CA" v3_root 3650 0x1001
sign intermediate.key intermediate.pem "$o/CN=dbtls test intermediate CA" v3_intermediate 1825 \
	0x1002 root-ca.pem root-ca.key
sign server.key server.pem "$o/CN=localhost" v3_leaf 365 0x1003 intermediate.pem intermediate.key
selfsign selfsigned.key selfsigned.pem "$o/CN=localhost" v3_selfsigned 365 0x1004
selfsign other-ca.key other-ca.pem "$o/CN=dbtls unrelated CA" v3_root 3650 0x1005

mkdir ca-newcerts
: >ca-index.txt
echo 1006 >ca-serial
openssl req -config openssl.cnf -new -key expired.key -subj "$o/CN=localhost" -out expired.csr
openssl ca -config openssl.cnf -batch -notext -in expired.csr -out expired.pem \
	-extfile openssl.cnf -extensions v3_leaf \
	-startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null

openssl rsa -in server.key -traditional -out server-pkcs1.key 2>/dev/null
cat server.pem intermediate.pem >server-chain.pem
cat expired.pem intermediate.pem >expired-chain.pem
cp root-ca.pem ca-bundle.pem

rm -f "$out/.complete"
for f in "${files[@]}"; do
	chmod 0644 "$f" # test keys: readable by a server running as another user
	mv -f "$f" "$out/$f"
done
: >"$out/.complete"
