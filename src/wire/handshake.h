/* SPDX-License-Identifier: MIT */
/*
 * handshake.h — the one full OpenSSL handshake of a scan: collect the served chain and judge it.
 *
 * The raw hello probes (hello.c) learn versions and suites without completing a handshake; this
 * probe completes one with OpenSSL, accepting anything the library can still speak, so that even a
 * weak server's chain can be inspected. The chain is judged afterwards (CA bundle, host name), so a
 * bad chain is reported rather than refused. Rule for this module: opts and conn are borrowed; what
 * it writes into the facts is new and owned by the facts.
 */
#ifndef DBTLS_HANDSHAKE_H
#define DBTLS_HANDSHAKE_H

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "src/wire/net.h"
#include <openssl/x509.h>

struct dbtls_handshake_opts {
	const char *ca_file;	 /* PEM bundle; NULL = OpenSSL's default system store */
	const char *sni;	 /* server_name to send; NULL = none */
	const char *verify_host; /* host name or IP literal the leaf must match (VERIFY_IDENTITY) */
	int timeout_ms;		 /* whole handshake, from its start, when c has no deadline_ms */
	const char
	    *new_ca_file; /* CA rotation: would the chain verify against this bundle alone? */
	/* ALPN names to offer (NULL-terminated, borrowed); NULL or empty: none. The server's pick
	 * goes to f->verification.alpn. An ill-formed list is USAGE before any byte is sent. */
	const char *const *alpn;
	/* XMPP identities (RFC 6120 §13.7.1.2, RFC 7712): when set ("_xmpp-client" or
	 * "_xmpp-server"), a leaf that X509_check_host does not match against verify_host still
	 * matches when a subjectAltName otherName names it: an SRV-ID (id-on-dnsSRV) equal to
	 * SERVICE.verify_host, or an xmppAddr (id-on-xmppAddr) equal to verify_host. NULL: DNS and
	 * IP names only. */
	const char *xmpp_srv_service;
	/* record whether the server asks for a client certificate (TLS 1.3 encrypts the request,
	 * so only this handshake sees it there) in f->client_auth (new, owned by f) */
	bool client_auth;
	/* do not read for a TLS 1.3 session ticket after the handshake (f->verification.ticket
	 * stays unprobed): for extra handshakes whose facts are not the endpoint's, which would
	 * otherwise pay the short wait (up to 1 s) on a server that issues none */
	bool no_ticket;
	/* The stores to verify against, loaded once by the caller (dbtls_handshake_store) and
	 * borrowed: ca_file's (or the system's) and new_ca_file's. NULL: the handshake loads its
	 * own from the file, which takes a while (the system store: about 100 ms) with the
	 * connection already open and the server waiting. */
	X509_STORE *store, *new_store;
};

/* Loads ca_file (NULL: the system store, as a handshake without opts.store does) into *out
 * (new; X509_STORE_free), for dbtls_handshake_opts.store and .new_store. FILE when ca_file does
 * not load. A store is only read from once loaded: one may serve handshakes on many threads. */
enum dbtls_err dbtls_handshake_store(const char *ca_file, X509_STORE **out, struct dbtls_diag *d);

/* True when leaf's subjectAltName carries an SRV-ID "SERVICE.DOMAIN" (id-on-dnsSRV) or an
 * xmppAddr "DOMAIN" (id-on-xmppAddr) for domain (ASCII case ignored, one trailing dot ignored);
 * service may be NULL (then only xmppAddr counts). Everything borrowed. */
bool dbtls_handshake_xmpp_id_match(X509 *leaf, const char *domain, const char *service);

/* What the revocation check needs from a handshake, kept past the connection so that slow OCSP
 * and CRL fetches never hold the database connection open (MariaDB's connect_timeout is 10 s). */
struct dbtls_handshake_keep {
	STACK_OF(X509) * served; /* the served chain, leaf first (references held) */
	STACK_OF(X509) * path;	 /* the path verification built, leaf .. anchor (may be NULL) */
	unsigned char *stapled;	 /* the stapled OCSP response (DER), NULL when none */
	size_t nstapled;
};
/* Releases what k holds and zeroes it; k may be NULL. */
void dbtls_handshake_keep_free(struct dbtls_handshake_keep *k);

/* Runs a full OpenSSL client handshake over c->fd (a connected, NON-BLOCKING socket whose protocol
 * preamble is already done, or pipelined: c->before_recv, when set, runs before the first byte of
 * the server's answer is read, and its error ends the handshake with its words) and fills
 * f->certs/f->ncerts (served chain, leaf first, new) and f->verification (new strings); what f held
 * there before is freed. Returns TLS with a diag on handshake failure, TIMEOUT past the deadline,
 * FILE when ca_file cannot be loaded (checked before any byte is sent); on failure f is untouched.
 * o may be NULL (system store, no SNI, no host check). The handshake ends by c->deadline_ms
 * (TIMEOUT), or, when c has none, o->timeout_ms (else c->timeout_ms) after it starts; c->cancel_fd
 * ends it with INTERRUPTED. Never closes c->fd. */
enum dbtls_err dbtls_handshake_certs(struct dbtls_conn *c, const struct dbtls_handshake_opts *o,
				     struct dbtls_endpoint_facts *f, struct dbtls_diag *d);
/* The same, and on success fills *keep (new; dbtls_handshake_keep_free) for a revocation check
 * after the caller has closed the connection. */
enum dbtls_err dbtls_handshake_certs_keep(struct dbtls_conn *c,
					  const struct dbtls_handshake_opts *o,
					  struct dbtls_endpoint_facts *f,
					  struct dbtls_handshake_keep *keep, struct dbtls_diag *d);

/* One TLS 1.3 handshake over c (preamble done, non-blocking) offering only the signature schemes
 * algs (IANA codes; those the local OpenSSL does not know are left out): *picked is the scheme the
 * server signed its CertificateVerify with, 0 when it refused the handshake (a result, OK).
 * timeout_ms <= 0 falls back to c->timeout_ms. Errors: TIMEOUT, IO, NOMEM, INPUT (no scheme
 * left to offer). Never closes c->fd. */
enum dbtls_err dbtls_handshake_sigalg13(struct dbtls_conn *c, const char *sni, int timeout_ms,
					const uint16_t *algs, size_t n, uint16_t *picked,
					struct dbtls_diag *d);

#endif
