/* SPDX-License-Identifier: MIT */
/*
 * preamble.h — the protocol preamble table: how each database protocol brings a freshly connected
 * socket to the point where the TLS ClientHello goes out (MySQL's SSLRequest, PostgreSQL's
 * SSLRequest, XMPP's STARTTLS, or nothing for direct TLS).
 *
 * Adding a protocol is one new file ending in a `const struct dbtls_preamble` descriptor and one
 * line in the registry in preamble.c.
 */
#ifndef DBTLS_PREAMBLE_H
#define DBTLS_PREAMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "src/wire/net.h"

/* A server's non-TLS error packet found where a TLS record was expected. */
struct dbtls_server_error {
	int code;
	char sqlstate[6]; /* "" when the packet has none */
	char message[256];
};

struct dbtls_preamble {
	const char *scheme; /* URL scheme: "mysql", "tls", … */
	uint16_t default_port;
	/*
	 * Contract: c is connected. Reads the server's greeting (if the protocol has one) into *out
	 * and asks for TLS. Returns OK when the next byte the client sends may be a ClientHello;
	 * NO_TLS when the server does not offer TLS (a fact, with *out filled, nothing sent);
	 * SERVER_ERROR when the server sent an error packet instead (out->err_* filled);
	 * TIMEOUT / CLOSED / PROTOCOL otherwise, with d saying what came. Never prints.
	 */
	enum dbtls_err (*start)(struct dbtls_conn *c, struct dbtls_server_info *out,
				struct dbtls_diag *d);
	/*
	 * Optional. Contract: p[0..n) are the first bytes the server sent after the ClientHello and
	 * they are not a TLS record. Returns OK and fills *e when they are this protocol's error
	 * packet (e.g. old yaSSL MySQL servers answer `#08S01 Bad handshake`), TRUNCATED when more
	 * bytes are needed to tell, PROTOCOL when they are something else.
	 */
	enum dbtls_err (*error_packet)(const uint8_t *p, size_t n, struct dbtls_server_error *e);
	const char *help; /* one line for `dbtls help` */
};

extern const struct dbtls_preamble dbtls_preamble_mysql;
extern const struct dbtls_preamble dbtls_preamble_tls;

/* Returns the borrowed descriptor for scheme, or NULL. */
const struct dbtls_preamble *dbtls_preamble_find(const char *scheme);
/* Returns the borrowed registry and its length via *n. */
const struct dbtls_preamble *const *dbtls_preamble_all(size_t *n);

#endif
