/* SPDX-License-Identifier: MIT */
/*
 * pg_proto.c — PostgreSQL's SSLRequest and the server's answers to it, as pure byte functions.
 *
 * The client sends an 8-byte SSLRequest (length 8, code 80877103); the server answers one byte:
 * 'S' (go ahead with TLS) or 'N' (no TLS). A server that cannot serve the connection at all may
 * send an ErrorResponse instead ('E' and a v3 message; a pre-7.4 server an 'E' and a bare string).
 * The same ErrorResponse shape comes back to a plaintext startup message (after 'N') and is what
 * a pooler or proxy may send where a TLS record was expected, so one parser serves all three.
 *
 * Every read of server bytes goes through the bounds-checked reader (buf.h). Text copied out is
 * truncated to its field and control characters become '?', since it goes into reports.
 */
#include "src/wire/preamble/pg_proto.h"

#include <string.h>

#include "src/core/buf.h"

void dbtls_pg_sslrequest(uint8_t out[DBTLS_PG_SSLREQUEST_LEN])
{
	static const uint8_t req[DBTLS_PG_SSLREQUEST_LEN] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};

	memcpy(out, req, sizeof(req));
}

const char *dbtls_pg_answer_name(enum dbtls_pg_answer a)
{
	switch (a) {
	case DBTLS_PG_ANSWER_TLS:
		return "tls";
	case DBTLS_PG_ANSWER_NO_TLS:
		return "no_tls";
	case DBTLS_PG_ANSWER_ERROR:
		return "error";
	}
	return "unknown";
}

/* Copies s[0..n) into dst (capacity cap), truncated, printable. */
static void pg_copy(char *dst, size_t cap, const uint8_t *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (s[i] >= 0x20 && s[i] != 0x7f) || s[i] >= 0x80 ? (char)s[i] : '?';
	dst[n] = 0;
}

/* The v3 fields "Xvalue\0"… "\0" of an ErrorResponse body; false when malformed. */
static bool pg_fields(struct dbtls_rd *r, struct dbtls_pg_error *e)
{
	char sev_s[sizeof(e->severity)] = "";

	for (;;) {
		uint8_t type = dbtls_rd_u8(r);
		const char *v;
		size_t vn;

		if (r->err)
			return false;
		if (type == 0)
			break;
		if (!dbtls_rd_cstr(r, &v, &vn))
			return false;
		switch (type) {
		case 'S':
			pg_copy(sev_s, sizeof(sev_s), (const uint8_t *)v, vn);
			break;
		case 'V':
			pg_copy(e->severity, sizeof(e->severity), (const uint8_t *)v, vn);
			break;
		case 'C':
			pg_copy(e->code, sizeof(e->code), (const uint8_t *)v, vn);
			break;
		case 'M':
			pg_copy(e->message, sizeof(e->message), (const uint8_t *)v, vn);
			break;
		case 'D':
			pg_copy(e->detail, sizeof(e->detail), (const uint8_t *)v, vn);
			break;
		case 'H':
			pg_copy(e->hint, sizeof(e->hint), (const uint8_t *)v, vn);
			break;
		case 'R':
			pg_copy(e->routine, sizeof(e->routine), (const uint8_t *)v, vn);
			break;
		default: /* F file, L line, P position, W where, …: not for reports */
			break;
		}
	}
	if (!e->severity[0])
		memcpy(e->severity, sev_s, sizeof(sev_s));
	/* every real ErrorResponse has a message; the rest of the body must be used up */
	return dbtls_rd_left(r) == 0 && e->message[0];
}

/* The pre-7.4 form: "E" then a NUL-terminated "FATAL:  text\n". */
static enum dbtls_err pg_parse_v2(const uint8_t *p, size_t n, struct dbtls_pg_error *e,
				  size_t *used)
{
	static const char *const sev[] = {"PANIC", "FATAL", "ERROR", NULL};
	size_t lim = n - 1 < DBTLS_PG_MAX_MESSAGE ? n - 1 : DBTLS_PG_MAX_MESSAGE;
	const uint8_t *nul = memchr(p + 1, 0, lim);
	size_t len;
	const uint8_t *t = p + 1;

	if (!nul) /* bounded: a text that never ends is not an error message */
		return n - 1 >= DBTLS_PG_MAX_MESSAGE ? DBTLS_ERR_PROTOCOL : DBTLS_ERR_TRUNCATED;
	len = (size_t)(nul - t);
	if (len == 0)
		return DBTLS_ERR_PROTOCOL;
	for (size_t i = 0; sev[i]; i++) {
		size_t sl = strlen(sev[i]);

		if (len > sl && memcmp(t, sev[i], sl) == 0 && t[sl] == ':') {
			memcpy(e->severity, sev[i], sl + 1);
			t += sl + 1;
			len -= sl + 1;
			while (len && *t == ' ') {
				t++;
				len--;
			}
			break;
		}
	}
	while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
		len--;
	pg_copy(e->message, sizeof(e->message), t, len);
	e->protocol = 2;
	if (used)
		*used = (size_t)(nul - p) + 1;
	return DBTLS_OK;
}

enum dbtls_err dbtls_pg_parse_error(const uint8_t *p, size_t n, struct dbtls_pg_error *e,
				    size_t *used)
{
	struct dbtls_rd r, body;
	uint32_t len;

	memset(e, 0, sizeof(*e));
	if (n == 0)
		return DBTLS_ERR_TRUNCATED;
	if (p[0] != 'E')
		return DBTLS_ERR_PROTOCOL;
	if (n < 2)
		return DBTLS_ERR_TRUNCATED;
	/* A v3 length starts with 0x00 (no message is 16 MB); a v2 text with a capital letter. */
	if (p[1] >= 'A' && p[1] <= 'Z')
		return pg_parse_v2(p, n, e, used);
	if (p[1] != 0)
		return DBTLS_ERR_PROTOCOL;
	if (n < 5)
		return DBTLS_ERR_TRUNCATED;
	dbtls_rd_init(&r, p, n);
	dbtls_rd_skip(&r, 1);
	len = (uint32_t)dbtls_rd_u16(&r) << 16;
	len |= dbtls_rd_u16(&r);
	if (len < 5 || len > DBTLS_PG_MAX_MESSAGE)
		return DBTLS_ERR_PROTOCOL;
	if (dbtls_rd_left(&r) < len - 4)
		return DBTLS_ERR_TRUNCATED;
	dbtls_rd_sub(&r, len - 4, &body);
	if (!pg_fields(&body, e)) {
		memset(e, 0, sizeof(*e));
		return DBTLS_ERR_PROTOCOL;
	}
	e->protocol = 3;
	if (used)
		*used = 1 + (size_t)len;
	return DBTLS_OK;
}

enum dbtls_err dbtls_pg_classify_answer(const uint8_t *p, size_t n, enum dbtls_pg_answer *ans,
					struct dbtls_pg_error *e, size_t *used)
{
	struct dbtls_pg_error scratch;
	enum dbtls_err err;
	size_t u = 0;

	if (!e)
		e = &scratch;
	if (n == 0)
		return DBTLS_ERR_TRUNCATED;
	switch (p[0]) {
	case 'S':
	case 'N':
		if (n != 1)
			return DBTLS_ERR_PROTOCOL; /* bytes before the handshake: not the server's
						    */
		*ans = p[0] == 'S' ? DBTLS_PG_ANSWER_TLS : DBTLS_PG_ANSWER_NO_TLS;
		u = 1;
		break;
	case 'E':
		err = dbtls_pg_parse_error(p, n, e, &u);
		if (err)
			return err;
		*ans = DBTLS_PG_ANSWER_ERROR;
		break;
	default:
		return DBTLS_ERR_PROTOCOL;
	}
	if (used)
		*used = u;
	return DBTLS_OK;
}

enum dbtls_err dbtls_pg_find_error(const uint8_t *p, size_t n, struct dbtls_pg_error *e)
{
	size_t pos = 0;

	memset(e, 0, sizeof(*e));
	while (pos < n) {
		struct dbtls_rd r;
		uint32_t len;
		uint8_t type = p[pos];

		if (type == 'E')
			return dbtls_pg_parse_error(p + pos, n - pos, e, NULL);
		/* AuthenticationX, ParameterStatus, BackendKeyData, NoticeResponse, ReadyForQuery,
		 * NegotiateProtocolVersion: what may precede an error at startup */
		if (type == 0 || !strchr("RSKNZv", type))
			return DBTLS_ERR_PROTOCOL;
		if (n - pos < 5)
			return DBTLS_ERR_TRUNCATED;
		dbtls_rd_init(&r, p + pos + 1, 4);
		len = (uint32_t)dbtls_rd_u16(&r) << 16;
		len |= dbtls_rd_u16(&r);
		if (len < 4 || len > DBTLS_PG_MAX_MESSAGE)
			return DBTLS_ERR_PROTOCOL;
		if (n - pos - 1 < len)
			return DBTLS_ERR_TRUNCATED;
		pos += 1 + (size_t)len;
	}
	return DBTLS_ERR_TRUNCATED;
}
