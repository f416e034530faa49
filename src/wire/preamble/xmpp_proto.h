/* SPDX-License-Identifier: MIT */
/*
 * xmpp_proto.h — the bytes of XMPP's STARTTLS (RFC 6120 §5), as pure functions (no I/O): build
 * the client's stream header, and read the server's answer incrementally — its stream header,
 * its <stream:features> (is <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> there, with
 * <required/>? which SASL mechanisms are offered before TLS?), then <proceed/> or <failure/>, or
 * a <stream:error> with its condition. The XMPP preamble (xmpp://, xmpp-server://) calls these;
 * the unit tests and the fuzz target feed them what Prosody and ejabberd sent
 * (tests/fixtures/xmpp/).
 *
 * The reader is a bounded tokenizer, not a general XML parser: it knows elements, attributes in
 * ' or " quotes, namespace declarations and prefixes, the five predefined entities and character
 * references, and whitespace anywhere XML allows it; bytes may arrive split anywhere. What RFC
 * 6120 §11 forbids in a stream (comments, DTDs, CDATA, processing instructions other than the
 * XML declaration) and anything over its limits is a protocol error, never a guess.
 *
 * Ownership: the parser is a plain struct the caller owns (no allocation, nothing to free).
 */
#ifndef DBTLS_XMPP_PROTO_H
#define DBTLS_XMPP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/buf.h"
#include "src/core/err.h"

#define DBTLS_XMPP_NS_STREAMS	 "http://etherx.jabber.org/streams"
#define DBTLS_XMPP_NS_TLS	 "urn:ietf:params:xml:ns:xmpp-tls"
#define DBTLS_XMPP_NS_SASL	 "urn:ietf:params:xml:ns:xmpp-sasl"
#define DBTLS_XMPP_NS_STREAM_ERR "urn:ietf:params:xml:ns:xmpp-streams"
#define DBTLS_XMPP_NS_CAPS	 "http://jabber.org/protocol/caps"
/* What the client sends once the features offer STARTTLS. */
#define DBTLS_XMPP_STARTTLS "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
/* The ALPN protocols of direct TLS (XEP-0368). */
#define DBTLS_XMPP_ALPN_CLIENT "xmpp-client"
#define DBTLS_XMPP_ALPN_SERVER "xmpp-server"

#define DBTLS_XMPP_MAX_TAG     4096  /* longest tag, '<' to '>' */
#define DBTLS_XMPP_MAX_DEPTH   16    /* deepest element nesting */
#define DBTLS_XMPP_MAX_INPUT   65536 /* bytes between two events */
#define DBTLS_XMPP_MAX_MECHS   16
#define DBTLS_XMPP_MAX_NSDECLS 32 /* namespace declarations in scope */

enum dbtls_xmpp_kind {
	DBTLS_XMPP_C2S, /* xmlns='jabber:client' */
	DBTLS_XMPP_S2S, /* xmlns='jabber:server' */
};

/*
 * Appends the stream header to out: <stream:stream xmlns='jabber:client' (or jabber:server)
 * xmlns:stream='http://etherx.jabber.org/streams' to='DOMAIN' [from='FROM'] version='1.0'>,
 * with DOMAIN (and FROM, may be NULL) escaped for an XML attribute. Returns INPUT when domain is
 * empty, longer than 1023 bytes or holds control characters (then nothing is appended), NOMEM
 * when out ran out of memory, else OK.
 */
enum dbtls_err dbtls_xmpp_stream_header(struct dbtls_buf *out, enum dbtls_xmpp_kind kind,
					const char *domain, const char *from);

enum dbtls_xmpp_event {
	DBTLS_XMPP_EV_NONE = 0,	    /* every byte consumed; more are needed */
	DBTLS_XMPP_EV_FEATURES,	    /* a <stream:features> element is complete */
	DBTLS_XMPP_EV_PROCEED,	    /* <proceed/>: the ClientHello may go out */
	DBTLS_XMPP_EV_FAILURE,	    /* <failure/>: the server refused STARTTLS */
	DBTLS_XMPP_EV_STREAM_ERROR, /* a <stream:error> is complete: error_condition, error_text */
	DBTLS_XMPP_EV_CLOSED,	    /* </stream:stream>: the server closed the stream */
};

/* One element open on the parser's stack (private to xmpp_proto.c). */
struct dbtls_xmpp_level {
	char qname[64];
	int kind;
};

/* A namespace declaration in scope (private to xmpp_proto.c). */
struct dbtls_xmpp_nsdecl {
	char prefix[16];
	char uri[96];
	int depth;
};

struct dbtls_xmpp_parser {
	/* The server's stream header, once header_seen: attribute values (entities decoded,
	 * truncated to fit; "" when absent). */
	bool header_seen;
	char ns[32]; /* its default namespace: "jabber:client" or "jabber:server" */
	char from[256];
	char id[128];
	char version[16]; /* "1.0"; "" from a pre-RFC 3920 server, which has no features */
	char lang[32];

	/* The last complete <stream:features> (features_seen). */
	bool features_seen;
	bool starttls;		/* <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'> listed */
	bool starttls_required; /* … with <required/> inside */
	char mechanisms[DBTLS_XMPP_MAX_MECHS][32]; /* SASL mechanisms offered (before TLS) */
	size_t nmechanisms;
	char caps_node[256]; /* XEP-0115 <c node='…'/> in the features: the software's URI */

	/* The <stream:error>, once one was seen. */
	char error_condition[64]; /* "host-unknown", "policy-violation", … */
	char error_text[256];

	/* tokenizer state: private */
	int mode;
	char quote;
	bool failed;
	char tag[DBTLS_XMPP_MAX_TAG + 1];
	size_t taglen;
	char text[256];
	size_t textlen;
	size_t since_event;
	int depth;
	struct dbtls_xmpp_level stack[DBTLS_XMPP_MAX_DEPTH];
	struct dbtls_xmpp_nsdecl ns_decls[DBTLS_XMPP_MAX_NSDECLS];
	size_t nns;
};

/* Empties x for a new stream (after TLS a client starts over with a new header). */
void dbtls_xmpp_parser_init(struct dbtls_xmpp_parser *x);

/*
 * Feeds the next n server bytes. Returns OK with *ev: NONE when all n bytes were consumed, or the
 * event the bytes completed, with *used = the bytes consumed up to and including it (feed the rest
 * again: a server may send its header and features in one read). Returns PROTOCOL, with d saying
 * why, when the bytes are not an XMPP stream (the first thing is not a <stream:stream> in the
 * streams namespace, text outside it, a forbidden construct, a tag that does not parse or is too
 * long, nesting too deep, more than DBTLS_XMPP_MAX_INPUT bytes without an event); every later call
 * then fails the same way. d may be NULL.
 */
enum dbtls_err dbtls_xmpp_feed(struct dbtls_xmpp_parser *x, const uint8_t *p, size_t n,
			       size_t *used, enum dbtls_xmpp_event *ev, struct dbtls_diag *d);

/* The server software as the features name it (XEP-0115 caps node): "Prosody", "ejabberd",
 * "Openfire", "Tigase", "MongooseIM", or the node URI itself; NULL when the server did not say.
 * Borrowed from x or static. */
const char *dbtls_xmpp_software(const struct dbtls_xmpp_parser *x);

/* "none", "features", "proceed", "failure", "stream_error", "closed" (borrowed, static). */
const char *dbtls_xmpp_event_name(enum dbtls_xmpp_event ev);

#endif
