/* SPDX-License-Identifier: MIT */
/*
 * postgres.c — PostgreSQL's two ways to TLS.
 *
 * postgres://HOST[:5432]: the client sends the 8-byte SSLRequest and the server answers one byte
 * (src/wire/preamble/pg_proto.h): 'S' — the ClientHello may go out; 'N' — the server offers no
 * TLS (ssl=off), a fact; 'E' — an ErrorResponse (a pre-7.4 server, or one refusing the
 * connection), reported as the server's words. Anything else is a protocol error, and so is any
 * byte that came along with the 'S': the server must wait for the ClientHello there, and bytes
 * sent before the handshake would be read as TLS-protected data by a careless client
 * (CVE-2021-23222).
 *
 * postgres+direct://HOST:PORT: PostgreSQL 17's sslnegotiation=direct — the ClientHello is the
 * first byte on the wire and must offer ALPN "postgresql" (the server refuses a direct handshake
 * without it). Both descriptors name "postgresql" as their alpn_probe: the scan records whether
 * the server (or a proxy in front of it) selects, ignores or refuses it, which decides whether
 * libpq 17 clients, which offer it even after an SSLRequest, can connect.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "src/wire/preamble/pg_proto.h"
#include "src/wire/preamble/preamble.h"

/* Bytes read of an ErrorResponse at most; pg_proto accepts up to DBTLS_PG_MAX_MESSAGE. */
#define PG_ERR_READ DBTLS_PG_MAX_MESSAGE

static void pg_server_error(const struct dbtls_pg_error *e, struct dbtls_server_info *out)
{
	out->err_sqlstate = dbtls_strdup(e->code);
	out->err_message = dbtls_strdup(e->message);
}

/* After an 'S': bytes already waiting are an injection attempt (CVE-2021-23222). A socket is
 * asked without waiting (poll with 0 ms, then a peek): the connection's own deadline is absolute
 * and must not be spent here. A replayed connection (unit tests) answers at once anyway. */
static enum dbtls_err pg_nothing_buffered(struct dbtls_conn *c, struct dbtls_diag *d)
{
	struct dbtls_diag quiet = {0};
	uint8_t extra[64];
	size_t got = 0;
	enum dbtls_err err = DBTLS_OK;

	if (c->fd >= 0) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		ssize_t n = 0;

		if (poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
			n = recv(c->fd, extra, sizeof(extra), MSG_PEEK | MSG_DONTWAIT);
		got = n > 0 ? (size_t)n : 0;
	} else {
		int saved = c->timeout_ms;
		int64_t saved_deadline = c->deadline_ms;

		c->timeout_ms = 0;
		c->deadline_ms = 0;
		err = dbtls_conn_recv(c, extra, sizeof(extra), &got, &quiet);
		c->timeout_ms = saved;
		c->deadline_ms = saved_deadline;
	}
	if (err == DBTLS_OK && got)
		return dbtls_diag_set(
		    d, DBTLS_ERR_PROTOCOL,
		    "the server sent %zu byte%s after its 'S' answer and before the "
		    "TLS handshake (first 0x%02x): injected bytes are never TLS "
		    "data (CVE-2021-23222)",
		    got, got == 1 ? "" : "s", extra[0]);
	return DBTLS_OK; /* nothing there; CLOSED: the ClientHello will say so */
}

static enum dbtls_err pg_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
			       struct dbtls_server_info *out, struct dbtls_diag *d)
{
	uint8_t req[DBTLS_PG_SSLREQUEST_LEN], buf[PG_ERR_READ];
	struct dbtls_pg_error e;
	enum dbtls_pg_answer ans;
	enum dbtls_err err;
	size_t n = 0, got;

	(void)t; /* the SSLRequest names no one */
	memset(&e, 0, sizeof(e));
	dbtls_pg_sslrequest(req);
	err = dbtls_conn_send(c, req, sizeof(req), d);
	if (err)
		return err;
	/* exactly one byte: whatever follows an 'S' belongs to the check below, not to us */
	err = dbtls_conn_recv_exact(c, buf, 1, d);
	if (err) {
		if (err == DBTLS_ERR_CLOSED)
			dbtls_diag_set(d, err,
				       "connection closed before the answer to the "
				       "PostgreSQL SSLRequest");
		return err;
	}
	n = 1;
	for (;;) {
		err = dbtls_pg_classify_answer(buf, n, &ans, &e, NULL);
		if (err != DBTLS_ERR_TRUNCATED || n >= sizeof(buf))
			break;
		err = dbtls_conn_recv(c, buf + n, sizeof(buf) - n, &got, d);
		if (err == DBTLS_ERR_CLOSED) {
			err = dbtls_pg_classify_answer(buf, n, &ans, &e, NULL);
			break;
		}
		if (err)
			return err;
		n += got;
	}
	if (err == DBTLS_ERR_TRUNCATED)
		return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
				      "PostgreSQL ErrorResponse truncated after %zu bytes", n);
	if (err)
		return dbtls_diag_set(
		    d, DBTLS_ERR_PROTOCOL,
		    "not a PostgreSQL server: answer to the SSLRequest starts with "
		    "0x%02x, not 'S', 'N' or 'E'",
		    buf[0]);
	out->greeting_seen = true; /* the server answered the SSLRequest */
	out->product = dbtls_strdup("PostgreSQL");
	switch (ans) {
	case DBTLS_PG_ANSWER_TLS:
		out->tls_offered = true;
		return pg_nothing_buffered(c, d);
	case DBTLS_PG_ANSWER_NO_TLS:
		out->tls_offered = false;
		return dbtls_diag_set(d, DBTLS_ERR_NO_TLS,
				      "server offers no TLS (answered 'N' to the SSLRequest)");
	case DBTLS_PG_ANSWER_ERROR:
	default:
		pg_server_error(&e, out);
		return dbtls_diag_set(d, DBTLS_ERR_SERVER_ERROR,
				      "server answered the SSLRequest with an error: %s%s%s%s%s",
				      e.severity[0] ? e.severity : "ERROR", e.code[0] ? " " : "",
				      e.code, e.message[0] ? ": " : "", e.message);
	}
}

/* What a PostgreSQL server sends where a ServerHello was expected: an ErrorResponse (a server
 * that did not expect TLS there, e.g. a pre-17 server on a direct connection). */
static enum dbtls_err pg_error_packet(const uint8_t *p, size_t n, struct dbtls_server_error *se)
{
	struct dbtls_pg_error e;
	enum dbtls_err err;

	if (n == 0 || p[0] != 'E')
		return DBTLS_ERR_PROTOCOL;
	err = dbtls_pg_parse_error(p, n, &e, NULL);
	if (err)
		return err;
	memset(se, 0, sizeof(*se));
	snprintf(se->sqlstate, sizeof(se->sqlstate), "%s", e.code);
	snprintf(se->message, sizeof(se->message), "%.15s%s%.230s", e.severity,
		 e.severity[0] ? ": " : "", e.message);
	return DBTLS_OK;
}

static enum dbtls_err pg_direct_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				      struct dbtls_server_info *out, struct dbtls_diag *d)
{
	(void)c;
	(void)t;
	(void)d;
	out->tls_offered = true;
	out->product = dbtls_strdup("PostgreSQL");
	return out->product ? DBTLS_OK : DBTLS_ERR_NOMEM;
}

static const char *const pg_direct_alpn[] = {DBTLS_PG_ALPN, NULL};

const struct dbtls_preamble dbtls_preamble_postgres = {
    .scheme = "postgres",
    .default_port = 5432,
    .supports = DBTLS_PRE_SQL | DBTLS_PRE_ERROR_PACKETS,
    .alpn = NULL, /* libpq before 17 offers none; the ALPN probe asks as libpq 17 does */
    .product = "PostgreSQL",
    .start = pg_start,
    .error_packet = pg_error_packet,
    .help = "PostgreSQL: send the SSLRequest, read 'S' (TLS), 'N' (no TLS) or an ErrorResponse",
    .alpn_probe = DBTLS_PG_ALPN,
};

const struct dbtls_preamble dbtls_preamble_postgres_direct = {
    .scheme = "postgres+direct",
    .default_port = 5432,
    .supports = DBTLS_PRE_SQL | DBTLS_PRE_ERROR_PACKETS,
    .alpn = pg_direct_alpn,
    .product = "PostgreSQL",
    .start = pg_direct_start,
    .error_packet = pg_error_packet,
    .help = "PostgreSQL 17+ sslnegotiation=direct: TLS from the first byte, ALPN \"postgresql\"",
    .alpn_probe = DBTLS_PG_ALPN,
};
