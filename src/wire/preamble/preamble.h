/* SPDX-License-Identifier: MIT */
/*
 * preamble.h — the protocol preamble table: how each database protocol brings a freshly connected
 * socket to the point where the TLS ClientHello goes out (MySQL's SSLRequest, PostgreSQL's
 * SSLRequest, XMPP's STARTTLS, or nothing for direct TLS).
 *
 * Adding a protocol is one new file ending in a `const struct dbtls_preamble` descriptor, its
 * declaration and one line in the registry in preamble.c, and its name in Makefile.am. What the
 * rest of dbtls needs to know about a protocol is in its descriptor (curl's `supports` mask style),
 * never in a strcmp of its scheme elsewhere: the ALPN protocols its clients offer, whether its
 * servers keep a connect-error budget, whether an SQL login step exists for it
 * (src/wire/sql/sql.h), whether it has error packets, and the product family its fix texts are
 * written for.
 *
 * Ownership: descriptors, their lists and strings are static and borrowed; the target passed to
 * start() is borrowed for the call.
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

/* What start() knows of the endpoint. A wire-layer struct, so that preambles never see the
 * scheduler's target. */
struct dbtls_preamble_target {
	const char *host; /* name or address as given, IPv6 without brackets */
	uint16_t port;
	/* The name the client claims to want: the SNI name sent (and the protocol's domain, e.g.
	 * XMPP's stream to=). Never NULL: the host when nothing else was asked for. */
	const char *name;
};

/* What a protocol has (struct dbtls_preamble.supports). */
enum {
	/* Its servers refuse a client host after so many connections that end before a login
	 * (MySQL/MariaDB max_connect_errors): the scheduler keeps every probe under the budget. */
	DBTLS_PRE_CONNECT_BUDGET = 1u << 0,
	/* It has an SQL login step: a module of the same scheme in src/wire/sql/sql.c. */
	DBTLS_PRE_SQL = 1u << 1,
	/* Its servers may answer a ClientHello with their own error packet: error_packet is set. */
	DBTLS_PRE_ERROR_PACKETS = 1u << 2,
	/* Its clients match the certificate as XMPP clients do (RFC 6120 §13.7.1.2, RFC 7712):
	 * the name is the XMPP domain (--xmpp-domain), and an SRV-ID (_xmpp-client. + domain, or
	 * _xmpp-server. for S2S) or an xmppAddr otherName naming it counts as a DNS name does. */
	DBTLS_PRE_XMPP_C2S = 1u << 5,
	DBTLS_PRE_XMPP_S2S = 1u << 6,
};

/* The longest ALPN list a descriptor or --alpn may give, and the longest name (RFC 7301). */
#define DBTLS_ALPN_MAX	    8
#define DBTLS_ALPN_NAME_MAX 255

struct dbtls_preamble {
	const char *scheme; /* URL scheme: "mysql", "tls", … */
	uint16_t default_port;
	unsigned supports; /* DBTLS_PRE_* bits */
	/* ALPN protocols its clients offer, NULL-terminated, in preference order (PostgreSQL 17
	 * direct TLS: "postgresql"); NULL: no ALPN extension. --alpn overrides it. */
	const char *const *alpn;
	/* The product family fix texts are written for when the greeting names none ("MySQL");
	 * NULL: generic. */
	const char *product;
	/*
	 * Contract: c is connected; t is the endpoint (borrowed). Reads the server's greeting (if
	 * the protocol has one) into *out and asks for TLS. Returns OK when the next byte the
	 * client sends may be a ClientHello; NO_TLS when the server does not offer TLS (a fact,
	 * with *out filled, nothing sent); SERVER_ERROR when the server sent an error packet
	 * instead (out->err_* filled); TIMEOUT / CLOSED / PROTOCOL otherwise, with d saying what
	 * came. Never prints.
	 */
	enum dbtls_err (*start)(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				struct dbtls_server_info *out, struct dbtls_diag *d);
	/*
	 * Optional, both or neither: the pipelined start, one round trip less per connection. Once
	 * start() has read a greeting on an earlier connection to the same endpoint, the scheduler
	 * may call fast_start() on a fresh connection instead: it sends, reading nothing, the bytes
	 * start() would send after the greeting (MySQL's SSLRequest), so that the ClientHello goes
	 * right behind. known is what that earlier start() read (borrowed; greeting_seen and
	 * tls_offered set). Returns OK or the send's error.
	 *
	 * fast_check() runs after the ClientHello went out and before the first byte of its answer
	 * is read (struct dbtls_conn.before_recv): it reads what start() would have read into *out
	 * and compares it with known. OK: the same server, TLS still offered; what follows answers
	 * the ClientHello. SERVER_ERROR: an error packet instead (out->err_* filled, as start()).
	 * UNSUPPORTED: the server is not the one known (another version, capabilities, no TLS any
	 * more); d says what changed and the answer is not to be used — the caller goes back to
	 * start() for the rest of the endpoint. TIMEOUT / CLOSED / PROTOCOL as start().
	 */
	enum dbtls_err (*fast_start)(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				     const struct dbtls_server_info *known, struct dbtls_diag *d);
	enum dbtls_err (*fast_check)(struct dbtls_conn *c, const struct dbtls_server_info *known,
				     struct dbtls_server_info *out, struct dbtls_diag *d);
	/*
	 * Optional. Contract: p[0..n) are the first bytes the server sent after the ClientHello and
	 * they are not a TLS record. Returns OK and fills *e when they are this protocol's error
	 * packet (e.g. old yaSSL MySQL servers answer `#08S01 Bad handshake`), TRUNCATED when more
	 * bytes are needed to tell, PROTOCOL when they are something else.
	 */
	enum dbtls_err (*error_packet)(const uint8_t *p, size_t n, struct dbtls_server_error *e);
	/* One line for `dbtls help`, after "SCHEME://HOST[:PORT]": what the scan sends first. */
	const char *help;
	/* Optional: an ALPN protocol whose handling is a fact of its own (struct
	 * dbtls_endpoint_facts.alpn_probe: selected, ignored or refused). The scan offers it in one
	 * more full handshake when its probes did not offer it (PostgreSQL: "postgresql", which
	 * libpq 17 sends even after an SSLRequest and proxies may refuse). NULL: none. */
	const char *alpn_probe;
};

/* The built-in descriptors, for the unit tests that start them directly. A new protocol's
 * descriptor needs no line here: it is declared next to its registry line in preamble.c. */
extern const struct dbtls_preamble dbtls_preamble_mysql;
extern const struct dbtls_preamble dbtls_preamble_tls;

/* Returns the borrowed descriptor for scheme, or NULL. */
const struct dbtls_preamble *dbtls_preamble_find(const char *scheme);
/* Returns the borrowed registry and its length via *n. */
const struct dbtls_preamble *const *dbtls_preamble_all(size_t *n);

/* True when list (NULL-terminated; NULL is an empty list) is a well-formed ALPN list: at most
 * DBTLS_ALPN_MAX names, each 1..DBTLS_ALPN_NAME_MAX bytes, none repeated. */
bool dbtls_alpn_valid(const char *const *list);
/* Appends list's ProtocolNameList body (u8 length + name, each) to out[0..cap) as RFC 7301 and
 * OpenSSL's SSL_set_alpn_protos want it; returns the length, 0 when list is empty or invalid. */
size_t dbtls_alpn_wire(const char *const *list, uint8_t *out, size_t cap);

#endif
