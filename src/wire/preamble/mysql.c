/* SPDX-License-Identifier: MIT */
/*
 * preamble_mysql.c — the MySQL/MariaDB client/server protocol up to the TLS upgrade.
 *
 * The server speaks first with a protocol-10 initial handshake (greeting). If its capability flags
 * carry CLIENT_SSL, the client answers with a 32-byte SSLRequest (capabilities, max packet size,
 * character set, 23 zero bytes) as packet sequence 1 and the TLS ClientHello follows directly.
 * We test CLIENT_SSL before sending the SSLRequest: a server without it would read our hello as a
 * login attempt and count an aborted connection against our host.
 *
 * A server may send an ERR packet (first payload byte 0xFF) instead of the greeting: 1129 host
 * blocked (max_connect_errors), 1040 too many connections, 1130 host not allowed. That is reported
 * with its code and text, never as "no TLS". Old yaSSL servers answer a ClientHello they dislike
 * with an ERR packet (1043 #08S01 Bad handshake) rather than a TLS alert: error_packet() decodes
 * it.
 *
 * Pipelined (fast_start/fast_check): once a connection has shown the greeting, later ones send the
 * SSLRequest and the ClientHello right behind the TCP handshake and read the greeting after; it
 * must match the first one, or the caller goes back to the careful order.
 */
#include "src/wire/preamble/preamble.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MYSQL_CLIENT_LONG_PASSWORD     0x00000001u
#define MYSQL_CLIENT_LONG_FLAG	       0x00000004u
#define MYSQL_CLIENT_PROTOCOL_41       0x00000200u
#define MYSQL_CLIENT_SSL	       0x00000800u
#define MYSQL_CLIENT_TRANSACTIONS      0x00002000u
#define MYSQL_CLIENT_SECURE_CONNECTION 0x00008000u
#define MYSQL_CLIENT_MULTI_RESULTS     0x00020000u
#define MYSQL_CLIENT_PLUGIN_AUTH       0x00080000u

/* Largest greeting we accept; real ones are about 100 bytes. */
#define MYSQL_MAX_GREETING 4096

/* Decodes an ERR packet payload (starting at the 0xFF byte). Returns false if malformed. */
static bool mysql_parse_err(struct dbtls_rd *r, struct dbtls_server_error *e)
{
	size_t n;
	const uint8_t *p;

	memset(e, 0, sizeof(*e));
	if (dbtls_rd_u8(r) != 0xFF)
		return false;
	e->code = dbtls_rd_u16le(r);
	if (r->err)
		return false;
	/* protocol-41 ERR packets carry '#' + 5-char SQLSTATE; pre-handshake ones (1129) may not */
	if (dbtls_rd_left(r) >= 6 && r->p[r->pos] == '#') {
		dbtls_rd_skip(r, 1);
		memcpy(e->sqlstate, dbtls_rd_bytes(r, 5), 5);
	}
	n = dbtls_rd_left(r);
	if (n >= sizeof(e->message))
		n = sizeof(e->message) - 1;
	p = dbtls_rd_bytes(r, n);
	/* the bytes as sent: every writer escapes them (src/core/escape.h); only NUL, which a C
	 * string cannot hold, becomes '?' */
	for (size_t i = 0; p && i < n; i++)
		e->message[i] = p[i] ? (char)p[i] : '?';
	return !r->err;
}

static enum dbtls_err mysql_error_packet(const uint8_t *p, size_t n, struct dbtls_server_error *e)
{
	struct dbtls_rd r, payload;
	uint32_t len;

	if (n < 5)
		return n > 0 && n < 5 ? DBTLS_ERR_TRUNCATED : DBTLS_ERR_PROTOCOL;
	dbtls_rd_init(&r, p, n);
	len = dbtls_rd_u16le(&r);
	len |= (uint32_t)dbtls_rd_u8(&r) << 16; /* MySQL lengths are 3-byte little-endian */
	dbtls_rd_u8(&r);			/* sequence id */
	if (p[4] != 0xFF || len < 3 || len > 1024)
		return DBTLS_ERR_PROTOCOL;
	if (dbtls_rd_left(&r) < len)
		return DBTLS_ERR_TRUNCATED;
	dbtls_rd_sub(&r, len, &payload);
	return mysql_parse_err(&payload, e) ? DBTLS_OK : DBTLS_ERR_PROTOCOL;
}

/* True when s contains word, ignoring ASCII case. */
static bool mysql_has(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

/*
 * The product behind a greeting's version string. Only what the string itself says counts:
 * version numbers do not tell the forks apart any more (MySQL's calendar versions 8.4, 9.7, 26.x
 * overlap MariaDB's 10.x-12.x, so "major >= 10" would call MySQL 26 a MariaDB), and
 * version_comment, which names Percona, is not in the greeting.
 *   - MariaDB: "MariaDB" anywhere ("5.5.5-10.11.19-MariaDB-0+deb12u1"; 11+ may drop the
 *     "5.5.5-" replication prefix: "11.4.2-MariaDB-ubu2404"), or the prefix itself followed by
 *     a second version ("5.5.5-10.6.18"): MySQL 5.5.5 was "5.5.5-m3", never "5.5.5-N.".
 *   - Percona Server: "-Percona"/"-percona" (its plain "8.0.36-28" cannot be told from MySQL,
 *     whose fix texts fit it anyway).
 *   - TiDB: "-TiDB-".
 *   - MySQL otherwise, which the fix texts treat as the MySQL family.
 */
static const char *mysql_product_of(const char *version)
{
	size_t digits;

	if (mysql_has(version, "mariadb"))
		return "MariaDB";
	if (strncmp(version, "5.5.5-", 6) == 0) {
		digits = strspn(version + 6, "0123456789");
		if (digits > 0 && version[6 + digits] == '.')
			return "MariaDB";
	}
	if (mysql_has(version, "percona"))
		return "Percona Server";
	if (mysql_has(version, "tidb"))
		return "TiDB";
	return "MySQL";
}

static void mysql_product(const char *version, struct dbtls_server_info *out)
{
	out->product = dbtls_strdup(mysql_product_of(version));
}

static char *mysql_clean_string(const char *s, size_t n)
{
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	/* the bytes as sent (writers escape them, src/core/escape.h); NUL becomes '?' */
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] ? s[i] : '?';
	out[n] = 0;
	return out;
}

/* Parses a greeting payload (protocol 10; 9 is recognised as too old for TLS). */
static enum dbtls_err mysql_parse_greeting(const uint8_t *p, size_t n,
					   struct dbtls_server_info *out, struct dbtls_diag *d)
{
	struct dbtls_rd r;
	const char *ver;
	size_t verlen;
	uint32_t caps;

	dbtls_rd_init(&r, p, n);
	out->mysql.protocol_version = dbtls_rd_u8(&r);
	if (out->mysql.protocol_version != 10 && out->mysql.protocol_version != 9)
		return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
				      "not a MySQL greeting (protocol version byte 0x%02x)",
				      out->mysql.protocol_version);
	if (!dbtls_rd_cstr(&r, &ver, &verlen))
		return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
				      "MySQL greeting: server version string not terminated");
	out->version = mysql_clean_string(ver, verlen);
	if (!out->version)
		return DBTLS_ERR_NOMEM;
	mysql_product(out->version, out);
	out->greeting_seen = true;
	if (out->mysql.protocol_version == 9) {
		out->tls_offered = false;
		return DBTLS_OK;
	}
	out->mysql.connection_id = dbtls_rd_u32le(&r);
	dbtls_rd_skip(&r, 8 + 1); /* auth-plugin-data part 1, filler */
	caps = dbtls_rd_u16le(&r);
	if (r.err)
		return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
				      "MySQL greeting truncated before the capability flags");
	if (dbtls_rd_left(&r) >= 5) {
		dbtls_rd_skip(&r, 1 + 2); /* character set, status flags */
		caps |= (uint32_t)dbtls_rd_u16le(&r) << 16;
	}
	out->mysql.capabilities = caps;
	out->tls_offered = (caps & MYSQL_CLIENT_SSL) != 0;
	return DBTLS_OK;
}

/* Reads the greeting (or the ERR packet in its place) into *out: OK, SERVER_ERROR with out->err_*
 * filled, or TIMEOUT / CLOSED / PROTOCOL. */
static enum dbtls_err mysql_read_greeting(struct dbtls_conn *c, struct dbtls_server_info *out,
					  struct dbtls_diag *d)
{
	uint8_t hdr[4], *payload = NULL;
	struct dbtls_server_error e;
	struct dbtls_rd r;
	enum dbtls_err err;
	uint32_t len;

	err = dbtls_conn_recv_exact(c, hdr, 4, d);
	if (err) {
		if (err == DBTLS_ERR_CLOSED)
			dbtls_diag_set(d, err, "connection closed before the MySQL greeting");
		goto out;
	}
	len = (uint32_t)hdr[0] | ((uint32_t)hdr[1] << 8) | ((uint32_t)hdr[2] << 16);
	if (len == 0 || len > MYSQL_MAX_GREETING || hdr[3] != 0) {
		err = dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
				     "not a MySQL server: first bytes %02x %02x %02x %02x", hdr[0],
				     hdr[1], hdr[2], hdr[3]);
		goto out;
	}
	payload = malloc(len);
	if (!payload) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	err = dbtls_conn_recv_exact(c, payload, len, d);
	if (err) {
		if (err == DBTLS_ERR_CLOSED)
			dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
				       "MySQL greeting truncated (%u bytes announced)", len);
		err = err == DBTLS_ERR_CLOSED ? DBTLS_ERR_PROTOCOL : err;
		goto out;
	}
	if (payload[0] == 0xFF) {
		dbtls_rd_init(&r, payload, len);
		if (!mysql_parse_err(&r, &e)) {
			err = dbtls_diag_set(d, DBTLS_ERR_PROTOCOL, "malformed MySQL ERR packet");
			goto out;
		}
		out->err_code = e.code;
		out->err_sqlstate = dbtls_strdup(e.sqlstate);
		out->err_message = dbtls_strdup(e.message);
		err = dbtls_diag_set(d, DBTLS_ERR_SERVER_ERROR,
				     "server refused the connection: %d%s%s %s", e.code,
				     e.sqlstate[0] ? " #" : "", e.sqlstate, e.message);
		goto out;
	}
	err = mysql_parse_greeting(payload, len, out, d);
out:
	free(payload);
	return err;
}

/* SSLRequest: what a libmysqlclient with ssl-mode=REQUIRED sends before its ClientHello. */
static enum dbtls_err mysql_send_ssl_request(struct dbtls_conn *c, struct dbtls_diag *d)
{
	struct dbtls_buf req;
	enum dbtls_err err;
	uint32_t caps = MYSQL_CLIENT_LONG_PASSWORD | MYSQL_CLIENT_LONG_FLAG |
			MYSQL_CLIENT_PROTOCOL_41 | MYSQL_CLIENT_SSL | MYSQL_CLIENT_TRANSACTIONS |
			MYSQL_CLIENT_SECURE_CONNECTION | MYSQL_CLIENT_MULTI_RESULTS |
			MYSQL_CLIENT_PLUGIN_AUTH;

	dbtls_buf_init(&req);
	dbtls_buf_u8(&req, 32);
	dbtls_buf_u8(&req, 0);
	dbtls_buf_u8(&req, 0);
	dbtls_buf_u8(&req, 1); /* sequence id */
	dbtls_buf_u32le(&req, caps);
	dbtls_buf_u32le(&req, 16u * 1024 * 1024);
	dbtls_buf_u8(&req, 45); /* utf8mb4_general_ci */
	dbtls_buf_zeros(&req, 23);
	err = req.oom ? DBTLS_ERR_NOMEM : dbtls_conn_send(c, req.data, req.len, d);
	dbtls_buf_free(&req);
	return err;
}

static enum dbtls_err mysql_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				  struct dbtls_server_info *out, struct dbtls_diag *d)
{
	enum dbtls_err err;

	(void)t; /* the server speaks first and never asks who we wanted */
	err = mysql_read_greeting(c, out, d);
	if (err)
		return err;
	if (!out->tls_offered)
		return dbtls_diag_set(d, DBTLS_ERR_NO_TLS,
				      "server offers no TLS (no CLIENT_SSL in its greeting)");
	return mysql_send_ssl_request(c, d);
}

/* Pipelined: the SSLRequest goes out before the greeting is read. The server reads it only after
 * sending its greeting, so it sees the same bytes in the same order as from start(). */
static enum dbtls_err mysql_fast_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				       const struct dbtls_server_info *known, struct dbtls_diag *d)
{
	(void)t;
	(void)known;
	return mysql_send_ssl_request(c, d);
}

/* The greeting must match the one start() read: another version string or other capability
 * flags may be another server (a failover, a restart with other options), and one without
 * CLIENT_SSL has just read our SSLRequest and ClientHello as a login. */
static enum dbtls_err mysql_fast_check(struct dbtls_conn *c, const struct dbtls_server_info *known,
				       struct dbtls_server_info *out, struct dbtls_diag *d)
{
	enum dbtls_err err = mysql_read_greeting(c, out, d);

	if (err)
		return err;
	if (!out->tls_offered)
		return dbtls_diag_set(d, DBTLS_ERR_UNSUPPORTED,
				      "the greeting lost CLIENT_SSL after the first connection");
	if (!known->version || strcmp(known->version, out->version))
		return dbtls_diag_set(d, DBTLS_ERR_UNSUPPORTED,
				      "the server version changed after the first connection "
				      "(%s, then %s)",
				      known->version ? known->version : "none", out->version);
	if (known->mysql.capabilities != out->mysql.capabilities)
		return dbtls_diag_set(d, DBTLS_ERR_UNSUPPORTED,
				      "the capability flags changed after the first connection "
				      "(0x%08x, then 0x%08x)",
				      known->mysql.capabilities, out->mysql.capabilities);
	return DBTLS_OK;
}

const struct dbtls_preamble dbtls_preamble_mysql = {
    .scheme = "mysql",
    .default_port = 3306,
    .supports = DBTLS_PRE_CONNECT_BUDGET | DBTLS_PRE_SQL | DBTLS_PRE_ERROR_PACKETS,
    .alpn = NULL, /* MySQL clients send none */
    .product = "MySQL",
    .start = mysql_start,
    .fast_start = mysql_fast_start,
    .fast_check = mysql_fast_check,
    .error_packet = mysql_error_packet,
    .help = "MySQL/MariaDB/Percona: read the greeting, check CLIENT_SSL, send the SSLRequest",
};
