/* SPDX-License-Identifier: MIT */
/*
 * xmpp_proto.c — XMPP's STARTTLS negotiation as pure byte functions: the client's stream header,
 * and an incremental, bounded reader for what the server answers.
 *
 * The reader works byte by byte, so a read may end anywhere (inside a tag, inside a quoted value,
 * inside an entity). Outside tags it only keeps the text of the few elements whose content
 * matters (<mechanism>, the stream error's <text>); a tag is collected whole (at most
 * DBTLS_XMPP_MAX_TAG bytes) and then taken apart: name, attributes, namespace declarations. Each
 * element open on the stack remembers its qualified name (a close tag must match it) and what it
 * is, found from its namespace and local name and its parent, so <starttls> only counts inside
 * <stream:features>, and a prefix (<tls:starttls xmlns:tls='…'>) works as well as a default
 * namespace.
 */
#include "src/wire/preamble/xmpp_proto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { XP_TEXT, XP_TAG };

enum {
	XK_OTHER,
	XK_STREAM,
	XK_FEATURES,
	XK_STARTTLS,
	XK_MECHS,
	XK_MECH,
	XK_ERROR,
	XK_ERROR_TEXT,
	XK_PROCEED,
	XK_FAILURE,
};

#define XP_MAX_ATTRS 32

struct xp_attr {
	const char *name, *val;
	size_t nlen, vlen;
};

static bool xp_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- the client's stream header ---- */

static void xp_escape(struct dbtls_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			dbtls_buf_bytes(b, "&amp;", 5);
			break;
		case '<':
			dbtls_buf_bytes(b, "&lt;", 4);
			break;
		case '>':
			dbtls_buf_bytes(b, "&gt;", 4);
			break;
		case '\'':
			dbtls_buf_bytes(b, "&apos;", 6);
			break;
		case '"':
			dbtls_buf_bytes(b, "&quot;", 6);
			break;
		default:
			dbtls_buf_u8(b, (uint8_t)*s);
		}
	}
}

static bool xp_valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 1023)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

enum dbtls_err dbtls_xmpp_stream_header(struct dbtls_buf *out, enum dbtls_xmpp_kind kind,
					const char *domain, const char *from)
{
	static const char open[] = "<stream:stream xmlns='";
	static const char mid[] = "' xmlns:stream='" DBTLS_XMPP_NS_STREAMS "' to='";
	const char *ns = kind == DBTLS_XMPP_S2S ? "jabber:server" : "jabber:client";

	if (!xp_valid_name(domain) || (from && !xp_valid_name(from)))
		return DBTLS_ERR_INPUT;
	dbtls_buf_bytes(out, open, sizeof(open) - 1);
	dbtls_buf_bytes(out, ns, strlen(ns));
	dbtls_buf_bytes(out, mid, sizeof(mid) - 1);
	xp_escape(out, domain);
	if (from) {
		dbtls_buf_bytes(out, "' from='", 8);
		xp_escape(out, from);
	}
	dbtls_buf_bytes(out, "' version='1.0'>", 16);
	return out->oom ? DBTLS_ERR_NOMEM : DBTLS_OK;
}

/* ---- names ---- */

const char *dbtls_xmpp_event_name(enum dbtls_xmpp_event ev)
{
	switch (ev) {
	case DBTLS_XMPP_EV_NONE:
		return "none";
	case DBTLS_XMPP_EV_FEATURES:
		return "features";
	case DBTLS_XMPP_EV_PROCEED:
		return "proceed";
	case DBTLS_XMPP_EV_FAILURE:
		return "failure";
	case DBTLS_XMPP_EV_STREAM_ERROR:
		return "stream_error";
	case DBTLS_XMPP_EV_CLOSED:
		return "closed";
	}
	return "unknown";
}

const char *dbtls_xmpp_software(const struct dbtls_xmpp_parser *x)
{
	static const struct {
		const char *needle, *name;
	} known[] = {
	    {"prosody", "Prosody"},	    {"process-one", "ejabberd"}, {"ejabberd", "ejabberd"},
	    {"igniterealtime", "Openfire"}, {"openfire", "Openfire"},	 {"tigase", "Tigase"},
	    {"mongooseim", "MongooseIM"},
	};

	if (!x->caps_node[0])
		return NULL;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasestr(x->caps_node, known[i].needle))
			return known[i].name;
	return x->caps_node;
}

/* ---- decoding ---- */

/* Appends code point cp as UTF-8 to dst[*o..cap-1). */
static void xp_utf8(char *dst, size_t cap, size_t *o, unsigned long cp)
{
	char u[4];
	size_t k;

	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*o + k < cap) {
		memcpy(dst + *o, u, k);
		*o += k;
	}
}

/* Decodes s[0..n) (predefined entities, character references) into dst (capacity cap >= 1),
 * truncated, control characters as '?'. An unknown entity is kept as it is. */
static void xp_decode(const char *s, size_t n, char *dst, size_t cap)
{
	static const struct {
		const char *name;
		char c;
	} ent[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'}};
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap;) {
		const char *semi;
		size_t el;
		bool done = false;

		if (s[i] != '&' || !(semi = memchr(s + i, ';', n - i)) ||
		    (el = (size_t)(semi - s - i - 1)) > 10) {
			unsigned char c = (unsigned char)s[i++];

			dst[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
			continue;
		}
		if (el >= 2 && s[i + 1] == '#') {
			unsigned long cp = 0;
			bool hex = s[i + 2] == 'x' || s[i + 2] == 'X', ok = el > (hex ? 2u : 1u);

			for (size_t k = i + (hex ? 3 : 2); ok && k < i + 1 + el; k++) {
				char c = s[k];
				int v = c >= '0' && c <= '9'	      ? c - '0'
					: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
					: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
								      : -1;

				if (v < 0 || cp > 0x10ffff)
					ok = false;
				else
					cp = cp * (hex ? 16 : 10) + (unsigned long)v;
			}
			if (ok && cp <= 0x10ffff) {
				if (cp < 0x20 || cp == 0x7f)
					cp = '?';
				xp_utf8(dst, cap, &o, cp);
				done = true;
			}
		} else {
			for (size_t k = 0; k < sizeof(ent) / sizeof(ent[0]); k++) {
				if (strlen(ent[k].name) == el &&
				    memcmp(s + i + 1, ent[k].name, el) == 0) {
					dst[o++] = ent[k].c;
					done = true;
					break;
				}
			}
		}
		if (done) {
			i += el + 2;
		} else {
			dst[o++] = '&';
			i++;
		}
	}
	dst[o] = 0;
}

/* ---- the tokenizer ---- */

void dbtls_xmpp_parser_init(struct dbtls_xmpp_parser *x)
{
	memset(x, 0, sizeof(*x));
	x->mode = XP_TEXT;
}

static enum dbtls_err xp_fail(struct dbtls_xmpp_parser *x, struct dbtls_diag *d, const char *why)
{
	x->failed = true;
	return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL, "not an XMPP stream: %s", why);
}

/* Splits the attributes of t[0..n) (after the element name). False when they do not parse. */
static bool xp_attrs(const char *t, size_t n, struct xp_attr *a, size_t *na)
{
	size_t i = 0;

	*na = 0;
	for (;;) {
		size_t s;
		char q;

		while (i < n && xp_space(t[i]))
			i++;
		if (i == n)
			return true;
		if (*na == XP_MAX_ATTRS)
			return false;
		s = i;
		while (i < n && !xp_space(t[i]) && t[i] != '=')
			i++;
		if (i == s)
			return false;
		a[*na].name = t + s;
		a[*na].nlen = i - s;
		while (i < n && xp_space(t[i]))
			i++;
		if (i == n || t[i++] != '=')
			return false;
		while (i < n && xp_space(t[i]))
			i++;
		if (i == n || (t[i] != '\'' && t[i] != '"'))
			return false;
		q = t[i++];
		s = i;
		while (i < n && t[i] != q) {
			if (t[i] == '<')
				return false;
			i++;
		}
		if (i == n)
			return false;
		a[*na].val = t + s;
		a[*na].vlen = i - s;
		(*na)++;
		i++;
		if (i < n && !xp_space(t[i]))
			return false; /* attributes are separated by whitespace */
	}
}

static bool xp_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* The decoded value of attribute name into dst ("" when absent). */
static void xp_get(const struct xp_attr *a, size_t na, const char *name, char *dst, size_t cap)
{
	dst[0] = 0;
	for (size_t i = 0; i < na; i++)
		if (xp_is(a[i].name, a[i].nlen, name)) {
			xp_decode(a[i].val, a[i].vlen, dst, cap);
			return;
		}
}

/* The namespace URI bound to prefix p[0..n) ("" for the default) in scope, or NULL. */
static const char *xp_lookup(const struct dbtls_xmpp_parser *x, const char *p, size_t n)
{
	for (size_t i = x->nns; i-- > 0;)
		if (xp_is(p, n, x->ns_decls[i].prefix))
			return x->ns_decls[i].uri;
	return NULL;
}

static enum dbtls_xmpp_event xp_close(struct dbtls_xmpp_parser *x)
{
	int kind = x->stack[x->depth - 1].kind;

	while (x->nns && x->ns_decls[x->nns - 1].depth == x->depth)
		x->nns--;
	x->depth--;
	switch (kind) {
	case XK_FEATURES:
		x->features_seen = true;
		return DBTLS_XMPP_EV_FEATURES;
	case XK_PROCEED:
		return DBTLS_XMPP_EV_PROCEED;
	case XK_FAILURE:
		return DBTLS_XMPP_EV_FAILURE;
	case XK_ERROR:
		return DBTLS_XMPP_EV_STREAM_ERROR;
	case XK_STREAM:
		return DBTLS_XMPP_EV_CLOSED;
	case XK_MECH: {
		char m[sizeof(x->mechanisms[0])];
		size_t s = 0, e = x->textlen;

		while (s < e && xp_space(x->text[s]))
			s++;
		while (e > s && xp_space(x->text[e - 1]))
			e--;
		xp_decode(x->text + s, e - s, m, sizeof(m));
		if (m[0] && x->nmechanisms < DBTLS_XMPP_MAX_MECHS)
			memcpy(x->mechanisms[x->nmechanisms++], m, sizeof(m));
		break;
	}
	case XK_ERROR_TEXT:
		xp_decode(x->text, x->textlen, x->error_text, sizeof(x->error_text));
		break;
	default:
		break;
	}
	return DBTLS_XMPP_EV_NONE;
}

static int xp_classify(int parent, const char *uri, const char *local, size_t ln)
{
	bool streams = uri && strcmp(uri, DBTLS_XMPP_NS_STREAMS) == 0;
	bool tls = uri && strcmp(uri, DBTLS_XMPP_NS_TLS) == 0;
	bool sasl = uri && strcmp(uri, DBTLS_XMPP_NS_SASL) == 0;
	bool serr = uri && strcmp(uri, DBTLS_XMPP_NS_STREAM_ERR) == 0;

	switch (parent) {
	case -1:
		return streams && xp_is(local, ln, "stream") ? XK_STREAM : -1;
	case XK_STREAM:
		if (streams && xp_is(local, ln, "features"))
			return XK_FEATURES;
		if (streams && xp_is(local, ln, "error"))
			return XK_ERROR;
		if (tls && xp_is(local, ln, "proceed"))
			return XK_PROCEED;
		if (tls && xp_is(local, ln, "failure"))
			return XK_FAILURE;
		break;
	case XK_FEATURES:
		if (tls && xp_is(local, ln, "starttls"))
			return XK_STARTTLS;
		if (sasl && xp_is(local, ln, "mechanisms"))
			return XK_MECHS;
		break;
	case XK_MECHS:
		if (sasl && xp_is(local, ln, "mechanism"))
			return XK_MECH;
		break;
	case XK_ERROR:
		if (serr && xp_is(local, ln, "text"))
			return XK_ERROR_TEXT;
		break;
	default:
		break;
	}
	return XK_OTHER;
}

/* An opening (or empty-element) tag t[0..n), without '<' and '>'. */
static enum dbtls_err xp_open(struct dbtls_xmpp_parser *x, char *t, size_t n,
			      enum dbtls_xmpp_event *ev, struct dbtls_diag *d)
{
	struct xp_attr a[XP_MAX_ATTRS];
	size_t na, nl = 0, pl = 0, added = 0;
	bool empty = false;
	const char *uri, *local, *colon;
	int parent = x->depth ? x->stack[x->depth - 1].kind : -1, kind;

	while (n && xp_space(t[n - 1]))
		n--;
	if (n && t[n - 1] == '/') {
		empty = true;
		n--;
	}
	while (nl < n && !xp_space(t[nl]) && t[nl] != '/')
		nl++;
	if (nl == 0 || nl >= sizeof(x->stack[0].qname))
		return xp_fail(x, d, "an element name that is empty or too long");
	if (nl < n && t[nl] == '/')
		return xp_fail(x, d, "a '/' inside a tag");
	if (!xp_attrs(t + nl, n - nl, a, &na))
		return xp_fail(x, d, "attributes that do not parse");
	if (x->depth == DBTLS_XMPP_MAX_DEPTH)
		return xp_fail(x, d, "elements nested too deep");
	if (x->depth == 0 && x->header_seen)
		return xp_fail(x, d, "data after the end of the stream");

	/* the element's own namespace declarations are in scope for its name */
	for (size_t i = 0; i < na; i++) {
		const char *p = NULL;
		size_t plen = 0;

		if (xp_is(a[i].name, a[i].nlen, "xmlns")) {
			p = "";
		} else if (a[i].nlen > 6 && memcmp(a[i].name, "xmlns:", 6) == 0) {
			p = a[i].name + 6;
			plen = a[i].nlen - 6;
		}
		if (!p || plen >= sizeof(x->ns_decls[0].prefix) || x->nns == DBTLS_XMPP_MAX_NSDECLS)
			continue; /* an unusable declaration leaves its elements unrecognised */
		memcpy(x->ns_decls[x->nns].prefix, p, plen);
		x->ns_decls[x->nns].prefix[plen] = 0;
		xp_decode(a[i].val, a[i].vlen, x->ns_decls[x->nns].uri, sizeof(x->ns_decls[0].uri));
		x->ns_decls[x->nns].depth = x->depth + 1;
		x->nns++;
		added++;
	}
	colon = memchr(t, ':', nl);
	if (colon) {
		pl = (size_t)(colon - t);
		local = colon + 1;
		uri = xp_lookup(x, t, pl);
	} else {
		local = t;
		uri = xp_lookup(x, "", 0);
	}
	kind = xp_classify(parent, uri, local, nl - (colon ? pl + 1 : 0));
	if (kind < 0) {
		x->nns -= added;
		return xp_fail(
		    x, d, "the first element is not <stream:stream> in " DBTLS_XMPP_NS_STREAMS);
	}
	if (kind == XK_STREAM && empty)
		return xp_fail(x, d, "an empty <stream:stream/>");

	memcpy(x->stack[x->depth].qname, t, nl);
	x->stack[x->depth].qname[nl] = 0;
	x->stack[x->depth].kind = kind;
	x->depth++;
	x->textlen = 0;
	switch (kind) {
	case XK_STREAM:
		x->header_seen = true;
		xp_get(a, na, "xmlns", x->ns, sizeof(x->ns));
		xp_get(a, na, "from", x->from, sizeof(x->from));
		xp_get(a, na, "id", x->id, sizeof(x->id));
		xp_get(a, na, "version", x->version, sizeof(x->version));
		xp_get(a, na, "xml:lang", x->lang, sizeof(x->lang));
		break;
	case XK_FEATURES: /* a later features element (after SASL, say) replaces the former */
		x->starttls = x->starttls_required = false;
		x->nmechanisms = 0;
		x->caps_node[0] = 0;
		break;
	case XK_STARTTLS:
		x->starttls = true;
		break;
	case XK_ERROR:
		x->error_condition[0] = x->error_text[0] = 0;
		break;
	case XK_OTHER:
		if (parent == XK_STARTTLS && uri && strcmp(uri, DBTLS_XMPP_NS_TLS) == 0 &&
		    xp_is(local, nl - (colon ? pl + 1 : 0), "required"))
			x->starttls_required = true;
		else if (parent == XK_FEATURES && uri && strcmp(uri, DBTLS_XMPP_NS_CAPS) == 0 &&
			 xp_is(local, nl - (colon ? pl + 1 : 0), "c"))
			xp_get(a, na, "node", x->caps_node, sizeof(x->caps_node));
		else if (parent == XK_ERROR && uri && strcmp(uri, DBTLS_XMPP_NS_STREAM_ERR) == 0) {
			size_t ll = nl - (colon ? pl + 1 : 0);

			if (ll >= sizeof(x->error_condition))
				ll = sizeof(x->error_condition) - 1;
			memcpy(x->error_condition, local, ll);
			x->error_condition[ll] = 0;
		}
		break;
	default:
		break;
	}
	*ev = empty ? xp_close(x) : DBTLS_XMPP_EV_NONE;
	return DBTLS_OK;
}

/* A complete tag in x->tag. */
static enum dbtls_err xp_tag(struct dbtls_xmpp_parser *x, enum dbtls_xmpp_event *ev,
			     struct dbtls_diag *d)
{
	char *t = x->tag;
	size_t n = x->taglen;

	*ev = DBTLS_XMPP_EV_NONE;
	if (n == 0)
		return xp_fail(x, d, "an empty tag '<>'");
	if (t[0] == '?') {
		/* only the XML declaration, only before the stream */
		if (x->depth || x->header_seen || n < 5 || memcmp(t, "?xml", 4) != 0 ||
		    !xp_space(t[4]) || t[n - 1] != '?')
			return xp_fail(x, d, "a processing instruction");
		return DBTLS_OK;
	}
	if (t[0] == '!')
		return xp_fail(x, d, "a comment, DTD or CDATA section (RFC 6120 section 11.1)");
	if (t[0] == '/') {
		size_t s = 1;

		while (n > s && xp_space(t[n - 1]))
			n--;
		if (x->depth == 0)
			return xp_fail(x, d, "a close tag with no element open");
		if (n - s != strlen(x->stack[x->depth - 1].qname) ||
		    memcmp(t + s, x->stack[x->depth - 1].qname, n - s) != 0)
			return xp_fail(x, d, "a close tag that does not match its element");
		*ev = xp_close(x);
		return DBTLS_OK;
	}
	return xp_open(x, t, n, ev, d);
}

enum dbtls_err dbtls_xmpp_feed(struct dbtls_xmpp_parser *x, const uint8_t *p, size_t n,
			       size_t *used, enum dbtls_xmpp_event *ev, struct dbtls_diag *d)
{
	*ev = DBTLS_XMPP_EV_NONE;
	if (used)
		*used = 0;
	if (x->failed)
		return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL, "not an XMPP stream (earlier error)");
	for (size_t i = 0; i < n; i++) {
		char c = (char)p[i];

		if (++x->since_event > DBTLS_XMPP_MAX_INPUT)
			return xp_fail(x, d, "too many bytes without a complete element");
		if (x->mode == XP_TEXT) {
			int kind = x->depth ? x->stack[x->depth - 1].kind : -1;

			if (c == '<') {
				x->mode = XP_TAG;
				x->taglen = 0;
				x->quote = 0;
			} else if (x->depth == 0 && !xp_space(c)) {
				return xp_fail(x, d,
					       x->header_seen ? "data after the end of the stream"
							      : "text before the stream header");
			} else if ((kind == XK_MECH || kind == XK_ERROR_TEXT) &&
				   x->textlen < sizeof(x->text)) {
				x->text[x->textlen++] = c;
			}
			continue;
		}
		if (x->quote) {
			if (c == x->quote)
				x->quote = 0;
		} else if (c == '\'' || c == '"') {
			x->quote = c;
		} else if (c == '<') {
			return xp_fail(x, d, "a '<' inside a tag");
		} else if (c == '>') {
			enum dbtls_err err;

			x->tag[x->taglen] = 0;
			x->mode = XP_TEXT;
			err = xp_tag(x, ev, d);
			if (err)
				return err;
			if (*ev != DBTLS_XMPP_EV_NONE) {
				x->since_event = 0;
				if (used)
					*used = i + 1;
				return DBTLS_OK;
			}
			continue;
		}
		if (x->taglen == DBTLS_XMPP_MAX_TAG)
			return xp_fail(x, d, "a tag longer than 4096 bytes");
		x->tag[x->taglen++] = c;
	}
	if (used)
		*used = n;
	return DBTLS_OK;
}
