/* SPDX-License-Identifier: MIT */
/*
 * hello.h — the raw hello engine: ClientHellos built byte by byte, and the server's first answer
 * parsed into a typed result.
 *
 * Building our own hellos means coverage never depends on what the local OpenSSL still supports
 * (SSLv2, SSLv3, export and RC4 suites are all offered from the registry in suites.c). The parser
 * reads only through the bounds-checked reader in buf.h; it is fuzzed by tests/fuzz/fuzz_hello.c.
 *
 * Ownership: params and their lists are borrowed for the call; dbtls_hello_build appends to the
 * caller's buffer; results are plain structs the caller owns (fixed arrays, nothing to free).
 */
#ifndef DBTLS_HELLO_H
#define DBTLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/buf.h"
#include "src/registry/names.h"
#include "src/core/err.h"
#include "src/facts/facts.h"
#include "src/wire/net.h"
#include "src/wire/preamble/preamble.h"

struct dbtls_hello_params {
	enum dbtls_version version; /* the one version offered; SSLv2 uses the SSLv2 format */
	const uint32_t *suites;	    /* suite codes to offer, in preference order */
	size_t nsuites;
	const uint16_t *groups; /* supported_groups; NULL = every group we know */
	size_t ngroups;
	/* TLS 1.3: the groups to send a key share for. NULL with nkey_shares 0 = one x25519 share
	 * when x25519 is offered, else none (the server then answers with a HelloRetryRequest). */
	const uint16_t *key_shares;
	size_t nkey_shares;
	bool no_key_shares;  /* TLS 1.3: send an empty key_share to learn the server's pick */
	const char *sni;     /* server_name, NULL = none (never sent for IP literals) */
	bool status_request; /* ask for a stapled OCSP response */
	bool want_kex;	     /* TLS <= 1.2: read on to the ServerKeyExchange (DH size, curve) */
	/* application_layer_protocol_negotiation (RFC 7301): the names to offer, NULL-terminated,
	 * in preference order; NULL or empty: no extension. Not in SSLv2/SSLv3 hellos, which have
	 * no extensions. An ill-formed list (dbtls_alpn_valid) makes dbtls_hello_build fail INPUT.
	 */
	const char *const *alpn;
	/* handshake facts (src/wire/probes.c) */
	const uint16_t *sigalgs; /* signature_algorithms to offer; NULL = the built-in list */
	size_t nsigalgs;
	bool encrypt_then_mac; /* offer encrypt_then_mac (RFC 7366) */
	bool heartbeat;	       /* offer heartbeat (RFC 6520), peer_allowed_to_send */
	bool offer_deflate;    /* offer DEFLATE compression before null (CRIME, RFC 9325 §3.3) */
};

enum dbtls_hello_kind {
	DBTLS_HELLO_NONE = 0,
	DBTLS_HELLO_SERVER_HELLO,      /* a ServerHello (SSLv3 … TLS 1.3) */
	DBTLS_HELLO_HRR,	       /* a TLS 1.3 HelloRetryRequest */
	DBTLS_HELLO_SSL2_SERVER_HELLO, /* an SSLv2 SERVER-HELLO */
	DBTLS_HELLO_ALERT,	       /* a TLS alert (or SSLv2 ERROR) */
	DBTLS_HELLO_SERVER_ERROR, /* the database's error packet (yaSSL MySQL: #08S01 Bad handshake)
				   */
	DBTLS_HELLO_CLOSED,	  /* the server closed the connection without a word */
	DBTLS_HELLO_GARBAGE,	  /* bytes that are neither TLS nor a known error packet */
};

#define DBTLS_HELLO_MAX_SSL2_CIPHERS 32

struct dbtls_hello_result {
	enum dbtls_hello_kind kind;
	uint16_t version;	 /* negotiated version (supported_versions for TLS 1.3) */
	uint16_t legacy_version; /* ServerHello.version / record version */
	uint32_t cipher;	 /* chosen suite (TLS) */
	uint8_t compression;
	uint16_t group;		   /* TLS 1.3 key_share / HRR group, or the ECDHE curve in SKE */
	int dh_bits;		   /* size of the DHE prime in ServerKeyExchange, 0 if none seen */
	bool secure_renegotiation; /* renegotiation_info in the ServerHello */
	bool extended_master_secret;
	bool status_request; /* server will staple (empty status_request in ServerHello) */
	/* The ALPN protocol the ServerHello selected (TLS <= 1.2; TLS 1.3 sends it encrypted, so
	 * the raw engine never sees it there). alpn_seen false: no ALPN extension in the answer.
	 * Bytes as sent, a NUL byte shown as '?'. */
	bool alpn_seen;
	char alpn[DBTLS_ALPN_NAME_MAX + 1];
	uint8_t alert_level;
	uint8_t alert_desc;
	uint32_t ssl2_ciphers[DBTLS_HELLO_MAX_SSL2_CIPHERS]; /* SSLv2 SERVER-HELLO cipher kinds */
	size_t nssl2_ciphers;
	struct dbtls_server_error server_error;
	uint8_t head[48]; /* GARBAGE: the first bytes of the answer (what it was, if not TLS) */
	size_t nhead;
	/* GARBAGE only: the bytes are a MySQL greeting or error packet (tls:// at a MySQL port) */
	bool looks_mysql;
	/* ServerHello extensions for the handshake facts */
	bool encrypt_then_mac; /* encrypt_then_mac echoed */
	bool session_ticket;   /* empty session_ticket: a NewSessionTicket will follow */
	bool heartbeat;	       /* heartbeat extension echoed */
	/* the DHE prime of the ServerKeyExchange (want_kex), so that the enumeration's own DHE
	 * picks tell which prime the server serves; dh_plen 0 when none or longer than dh_p */
	uint8_t dh_p[1024];
	size_t dh_plen;
};

/* Appends the wire bytes of the ClientHello described by p to out (records included). */
enum dbtls_err dbtls_hello_build(const struct dbtls_hello_params *p, struct dbtls_buf *out);

/*
 * Parses the server's first answer from the bytes received so far. Returns OK when r is complete,
 * TRUNCATED when more bytes are needed, PROTOCOL when the bytes are garbage (r->kind = GARBAGE).
 * error_packet is the preamble's decoder for non-TLS error packets (may be NULL); want_kex asks to
 * go on past the ServerHello to the key exchange of TLS <= 1.2.
 */
enum dbtls_err dbtls_hello_parse(const uint8_t *p, size_t n,
				 enum dbtls_err (*error_packet)(const uint8_t *, size_t,
								struct dbtls_server_error *),
				 bool want_kex, struct dbtls_hello_result *r);

/* Sends the hello described by p over c (preamble done) and reads the answer into *r. A closed
 * connection or an alert is a result (OK), not an error; errors are TIMEOUT/IO/NOMEM. */
enum dbtls_err dbtls_hello_probe(struct dbtls_conn *c, const struct dbtls_preamble *pre,
				 const struct dbtls_hello_params *p, struct dbtls_hello_result *r,
				 struct dbtls_diag *d);

/* Writes a one-line description of r ("ServerHello TLSv1.2 TLS_ECDHE…", "alert
 * handshake_failure (40)", …) into out. */
void dbtls_hello_describe(const struct dbtls_hello_result *r, char *out, size_t outlen);
#endif
