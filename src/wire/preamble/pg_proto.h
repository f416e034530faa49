/* SPDX-License-Identifier: MIT */
/*
 * pg_proto.h — the bytes of PostgreSQL's TLS negotiation, as pure functions (no I/O): the 8-byte
 * SSLRequest, the one-byte answer to it ('S' TLS, 'N' no TLS, 'E' an ErrorResponse), and the
 * ErrorResponse parser for what a server sends instead of TLS (after an SSLRequest, or in answer
 * to a startup message or a ClientHello it did not expect). The PostgreSQL preamble
 * (postgres://, and postgres+direct:// with ALPN "postgresql") calls these; its unit tests and
 * fuzz target feed them bytes captured from PostgreSQL 15 (tests/fixtures/pg/).
 *
 * Nothing the server says before TLS is authenticated: an error message is reported as the
 * server's words, never trusted for anything else (libpq does not even read it).
 *
 * Ownership: every function writes only into caller-provided storage; nothing is allocated.
 */
#ifndef DBTLS_PG_PROTO_H
#define DBTLS_PG_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"

#define DBTLS_PG_SSLREQUEST_CODE 80877103u /* 1234 << 16 | 5679 */
#define DBTLS_PG_SSLREQUEST_LEN	 8
/* The ALPN protocol PostgreSQL 17+ requires for direct TLS (sslnegotiation=direct). */
#define DBTLS_PG_ALPN "postgresql"
/* Largest backend message the parsers accept; real ErrorResponses are a few hundred bytes. */
#define DBTLS_PG_MAX_MESSAGE 16384

/* Writes the SSLRequest (length 8, code 80877103, both big-endian) into out. */
void dbtls_pg_sslrequest(uint8_t out[DBTLS_PG_SSLREQUEST_LEN]);

/* The fields of an ErrorResponse that a report shows, NUL-terminated, truncated to fit, with
 * control characters replaced by '?'. Empty when the server did not send the field. */
struct dbtls_pg_error {
	char severity[16]; /* V (non-localized, 9.6+), else S: "FATAL", "ERROR", … */
	char code[6];	   /* C: the SQLSTATE, "28000" */
	char message[256]; /* M */
	char detail[256];  /* D */
	char hint[256];	   /* H */
	char routine[64];  /* R: the server function that raised it ("ClientAuthentication") */
	int protocol; /* 3: a v3 message ('E', length, fields); 2: pre-7.4 text, "E" + string */
};

enum dbtls_pg_answer {
	DBTLS_PG_ANSWER_TLS,	/* 'S': the ClientHello may go out */
	DBTLS_PG_ANSWER_NO_TLS, /* 'N': the server offers no TLS (a fact) */
	DBTLS_PG_ANSWER_ERROR,	/* 'E': an ErrorResponse, in *e */
};

/*
 * Classifies p[0..n), the first bytes the server sent after the SSLRequest. Returns OK with *ans
 * (and *e for ERROR; *used = the bytes that made the answer: 1 for 'S'/'N'); TRUNCATED when an
 * 'E' needs more bytes to be complete (n == 0 too); PROTOCOL for anything else — including bytes
 * after 'S' or 'N': the server must wait for the client there, and bytes that were sent along
 * before the handshake are an injection (CVE-2021-23222), never TLS data. A preamble should read
 * exactly one byte first and call this again with more only for 'E'. e and used may be NULL.
 */
enum dbtls_err dbtls_pg_classify_answer(const uint8_t *p, size_t n, enum dbtls_pg_answer *ans,
					struct dbtls_pg_error *e, size_t *used);

/*
 * Parses one ErrorResponse at p[0..n) (p[0] == 'E'): the v3 form (int32 length, then fields
 * "Xvalue\0"… ending in "\0"), or, when the length cannot be one (a pre-7.4 server), the v2 form
 * (a NUL-terminated text "FATAL:  …", severity taken from its prefix). Returns OK with *e and
 * *used (bytes of the message), TRUNCATED when more bytes are needed, PROTOCOL when it is
 * malformed. used may be NULL.
 */
enum dbtls_err dbtls_pg_parse_error(const uint8_t *p, size_t n, struct dbtls_pg_error *e,
				    size_t *used);

/*
 * Finds the first ErrorResponse in a stream of v3 backend messages p[0..n) — what a server sends
 * a plaintext startup message (e.g. 'R' AuthenticationOk, then 'E'), or the bytes a server sent
 * where a TLS record was expected. Messages of the types a server sends at startup (R, S, K, N,
 * Z, v) are skipped. Returns OK with *e; TRUNCATED when the bytes end before an ErrorResponse is
 * complete; PROTOCOL when they are not such a stream (a TLS record, garbage, a message type a
 * server does not send before the query phase).
 */
enum dbtls_err dbtls_pg_find_error(const uint8_t *p, size_t n, struct dbtls_pg_error *e);

/* "tls", "no_tls", "error" (borrowed, static). */
const char *dbtls_pg_answer_name(enum dbtls_pg_answer a);

#endif
