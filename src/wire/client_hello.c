/* SPDX-License-Identifier: MIT */
/*
 * client_hello.c — ClientHello parsing (see client_hello.h). Wire: RFC 8446 §4.1.2 and §4.2
 * (supported_versions, key_share, signature_algorithms[_cert]), RFC 5246 §7.4.1.2, RFC 6066 §3
 * (server_name), RFC 7301 (ALPN), RFC 8422 (supported_groups).
 */
#include "src/wire/client_hello.h"

#include <string.h>

#include "src/core/buf.h"

#define REC_HANDSHAKE	22
#define HS_CLIENT_HELLO 1
#define CH_MAX_MESSAGE	(64 * 1024)

#define EXT_SERVER_NAME		   0x0000
#define EXT_STATUS_REQUEST	   0x0005
#define EXT_SUPPORTED_GROUPS	   0x000a
#define EXT_SIGNATURE_ALGORITHMS   0x000d
#define EXT_ALPN		   0x0010
#define EXT_EXTENDED_MASTER_SECRET 0x0017
#define EXT_SESSION_TICKET	   0x0023
#define EXT_SUPPORTED_VERSIONS	   0x002b
#define EXT_SIGALGS_CERT	   0x0032
#define EXT_KEY_SHARE		   0x0033
#define EXT_RENEGOTIATION_INFO	   0xff01

bool dbtls_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Appends v to list (cap entries) or notes the overflow. */
static void ch_push(uint16_t *list, size_t *n, size_t cap, uint16_t v, bool *trunc)
{
	if (*n < cap)
		list[(*n)++] = v;
	else
		*trunc = true;
}

/* Reads a u16 list of `width`-byte length prefix into list; false when malformed. */
static bool ch_u16_list(struct dbtls_rd *r, int width, uint16_t *list, size_t *n, size_t cap,
			bool *trunc)
{
	struct dbtls_rd l;
	size_t len = width == 1 ? dbtls_rd_u8(r) : dbtls_rd_u16(r);

	if (r->err || len % 2 || !dbtls_rd_sub(r, len, &l))
		return false;
	while (dbtls_rd_left(&l) >= 2)
		ch_push(list, n, cap, dbtls_rd_u16(&l), trunc);
	return !l.err;
}

static void ch_copy_name(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t i;

	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = p[i] ? (char)p[i] : '?';
	out[n] = '\0';
}

static bool ch_sni(struct dbtls_rd *e, struct dbtls_client_hello *ch)
{
	struct dbtls_rd l;
	size_t len = dbtls_rd_u16(e);

	ch->sni_sent = true;
	if (e->err || !dbtls_rd_sub(e, len, &l))
		return false;
	while (dbtls_rd_left(&l) > 0) {
		uint8_t type = dbtls_rd_u8(&l);
		size_t nl = dbtls_rd_u16(&l);
		const uint8_t *name = dbtls_rd_bytes(&l, nl);

		if (!name)
			return false;
		if (type == 0 && !ch->sni[0])
			ch_copy_name(ch->sni, sizeof(ch->sni), name, nl);
	}
	return !l.err;
}

static bool ch_alpn(struct dbtls_rd *e, struct dbtls_client_hello *ch)
{
	struct dbtls_rd l;
	size_t len = dbtls_rd_u16(e);

	if (e->err || !dbtls_rd_sub(e, len, &l))
		return false;
	while (dbtls_rd_left(&l) > 0) {
		size_t nl = dbtls_rd_u8(&l);
		const uint8_t *name = dbtls_rd_bytes(&l, nl);

		if (!name || nl == 0)
			return false;
		if (ch->nalpn < DBTLS_CH_MAX_ALPN)
			ch_copy_name(ch->alpn[ch->nalpn++], DBTLS_CH_MAX_ALPN_NAME + 1, name, nl);
		else
			ch->truncated_lists = true;
	}
	return !l.err;
}

static bool ch_key_share(struct dbtls_rd *e, struct dbtls_client_hello *ch)
{
	struct dbtls_rd l;
	size_t len = dbtls_rd_u16(e);

	if (e->err || !dbtls_rd_sub(e, len, &l))
		return false;
	while (dbtls_rd_left(&l) > 0) {
		uint16_t g = dbtls_rd_u16(&l);
		size_t kl = dbtls_rd_u16(&l);

		if (!dbtls_rd_skip(&l, kl))
			return false;
		ch_push(ch->key_shares, &ch->nkey_shares, DBTLS_CH_MAX_LIST, g,
			&ch->truncated_lists);
	}
	return !l.err;
}

static bool ch_extension(uint16_t type, struct dbtls_rd *e, struct dbtls_client_hello *ch)
{
	bool *t = &ch->truncated_lists;

	switch (type) {
	case EXT_SERVER_NAME:
		/* an empty server_name is legal only in a ServerHello; a client sends a list */
		return ch_sni(e, ch);
	case EXT_STATUS_REQUEST:
		ch->status_request = true;
		return true;
	case EXT_SUPPORTED_GROUPS:
		ch->has_groups = true;
		return ch_u16_list(e, 2, ch->groups, &ch->ngroups, DBTLS_CH_MAX_LIST, t);
	case EXT_SIGNATURE_ALGORITHMS:
		ch->has_sigalgs = true;
		return ch_u16_list(e, 2, ch->sigalgs, &ch->nsigalgs, DBTLS_CH_MAX_LIST, t);
	case EXT_SIGALGS_CERT:
		return ch_u16_list(e, 2, ch->sigalgs_cert, &ch->nsigalgs_cert, DBTLS_CH_MAX_LIST,
				   t);
	case EXT_ALPN:
		return ch_alpn(e, ch);
	case EXT_EXTENDED_MASTER_SECRET:
		ch->extended_master_secret = true;
		return true;
	case EXT_SESSION_TICKET:
		ch->session_ticket = true;
		return true;
	case EXT_SUPPORTED_VERSIONS:
		ch->has_supported_versions = true;
		return ch_u16_list(e, 1, ch->versions, &ch->nversions, DBTLS_CH_MAX_LIST, t);
	case EXT_KEY_SHARE:
		return ch_key_share(e, ch);
	case EXT_RENEGOTIATION_INFO:
		ch->renegotiation_info = true;
		return true;
	default:
		return true;
	}
}

/* Parses the ClientHello body (after the 4-byte handshake header). */
static bool ch_body(struct dbtls_rd *m, struct dbtls_client_hello *ch)
{
	struct dbtls_rd exts;
	size_t i, sid, ns;

	ch->legacy_version = dbtls_rd_u16(m);
	dbtls_rd_skip(m, 32); /* random */
	sid = dbtls_rd_u8(m);
	if (m->err || sid > 32 || !dbtls_rd_skip(m, sid))
		return false;
	if (!ch_u16_list(m, 2, ch->suites, &ch->nsuites, DBTLS_CH_MAX_SUITES, &ch->truncated_lists))
		return false;
	ch->ncompression = dbtls_rd_u8(m);
	if (m->err || ch->ncompression == 0 || !dbtls_rd_skip(m, ch->ncompression))
		return false;
	for (i = 0; i < ch->nsuites; i++)
		if (ch->suites[i] == 0x00ff)
			ch->renegotiation_info = true;
	if (dbtls_rd_left(m) == 0)
		goto versions; /* no extensions at all (SSLv3-style hello) */
	ns = dbtls_rd_u16(m);
	if (m->err || !dbtls_rd_sub(m, ns, &exts))
		return false;
	while (dbtls_rd_left(&exts) > 0) {
		struct dbtls_rd e;
		uint16_t type = dbtls_rd_u16(&exts);
		size_t el = dbtls_rd_u16(&exts);

		if (exts.err || !dbtls_rd_sub(&exts, el, &e))
			return false;
		for (i = 0; i < ch->nextensions; i++)
			if (ch->extensions[i] == type)
				return false; /* RFC 8446 §4.2: no type twice */
		ch_push(ch->extensions, &ch->nextensions, DBTLS_CH_MAX_LIST, type,
			&ch->truncated_lists);
		if (!ch_extension(type, &e, ch))
			return false;
	}
versions:
	if (!ch->has_supported_versions) {
		ch->versions[0] = ch->legacy_version;
		ch->nversions = 1;
	}
	return !m->err;
}

enum dbtls_err dbtls_client_hello_parse(const uint8_t *p, size_t n, struct dbtls_client_hello *ch)
{
	static uint8_t msg_unused; /* keeps the reader non-NULL for an empty message */
	struct dbtls_rd rd, m;
	struct dbtls_buf msg;
	enum dbtls_err err = DBTLS_ERR_PROTOCOL;
	size_t want = 0;
	bool first = true;

	memset(ch, 0, sizeof(*ch));
	dbtls_buf_init(&msg);
	dbtls_rd_init(&rd, p, n);
	/* gather the handshake bytes of as many records as the message needs */
	for (;;) {
		uint8_t type;
		uint16_t ver;
		size_t len;
		const uint8_t *frag;

		if (dbtls_rd_left(&rd) < 5) {
			err = DBTLS_ERR_TRUNCATED;
			if (dbtls_rd_left(&rd) > 0 && rd.p[rd.pos] != REC_HANDSHAKE)
				err = DBTLS_ERR_PROTOCOL;
			goto out;
		}
		type = dbtls_rd_u8(&rd);
		ver = dbtls_rd_u16(&rd);
		len = dbtls_rd_u16(&rd);
		if (type != REC_HANDSHAKE || (ver >> 8) != 3 || len == 0 || len > 16384 + 2048)
			goto out;
		if (first)
			ch->record_version = ver;
		first = false;
		frag = dbtls_rd_bytes(&rd, len);
		if (!frag) {
			err = DBTLS_ERR_TRUNCATED;
			goto out;
		}
		dbtls_buf_bytes(&msg, frag, len);
		if (msg.oom) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		if (msg.len >= 4) {
			if (msg.data[0] != HS_CLIENT_HELLO)
				goto out;
			want = 4 +
			       ((size_t)msg.data[1] << 16 | (size_t)msg.data[2] << 8 | msg.data[3]);
			if (want > CH_MAX_MESSAGE)
				goto out;
			if (msg.len >= want)
				break;
		}
	}
	dbtls_rd_init(&m, msg.data ? msg.data + 4 : &msg_unused, want - 4);
	if (!ch_body(&m, ch))
		goto out;
	err = DBTLS_OK;
out:
	dbtls_buf_free(&msg);
	return err;
}

bool dbtls_client_hello_offers(const struct dbtls_client_hello *ch, uint16_t v)
{
	size_t i;

	if (ch->has_supported_versions) {
		for (i = 0; i < ch->nversions; i++)
			if (ch->versions[i] == v)
				return true;
		return false;
	}
	if (v > ch->legacy_version)
		return false;
	return v >= 0x0301 || ch->legacy_version == 0x0300;
}
