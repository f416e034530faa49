/* SPDX-License-Identifier: MIT */
/*
 * err.h — the one list of dbtls error codes.
 *
 * Every function that can fail returns enum dbtls_err (0 = DBTLS_OK) and puts the detail a person
 * needs into a caller-provided struct dbtls_diag. The numbers are stable: they appear in reports
 * (as names) and are never reused, so a retired code keeps its slot.
 */
#ifndef DBTLS_ERR_H
#define DBTLS_ERR_H

#include <stddef.h>

#define DBTLS_ERR_MAP(XX)                                                                          \
	XX(OK, 0, "success")                                                                       \
	XX(NOMEM, 1, "out of memory")                                                              \
	XX(USAGE, 2, "invalid usage")                                                              \
	XX(INPUT, 3, "invalid input")                                                              \
	XX(RESOLVE, 4, "host name could not be resolved")                                          \
	XX(REFUSED, 5, "connection refused")                                                       \
	XX(CONNECT, 6, "connection failed")                                                        \
	XX(TIMEOUT, 7, "timed out")                                                                \
	XX(CLOSED, 8, "connection closed by peer")                                                 \
	XX(IO, 9, "network i/o error")                                                             \
	XX(PROTOCOL, 10, "unexpected bytes from server")                                           \
	XX(SERVER_ERROR, 11, "server answered with an error packet")                               \
	XX(NO_TLS, 12, "server offers no TLS")                                                     \
	XX(TLS, 13, "TLS handshake failed")                                                        \
	XX(FILE, 14, "file error")                                                                 \
	XX(TRUNCATED, 15, "message truncated")                                                     \
	XX(UNSUPPORTED, 16, "not supported")                                                       \
	XX(INTERNAL, 17, "internal error")                                                         \
	XX(LIMIT, 18, "stopped to stay under the server's max_connect_errors")                     \
	XX(NO_VERSION, 19, "TLS offered but no version could be negotiated")                       \
	XX(INTERRUPTED, 20, "interrupted")

enum dbtls_err {
#define XX(name, num, msg) DBTLS_ERR_##name = num,
	DBTLS_ERR_MAP(XX)
#undef XX
};
#define DBTLS_OK DBTLS_ERR_OK

/* Returns a borrowed, static English description of err ("timed out"). */
const char *dbtls_strerror(enum dbtls_err err);
/* Returns a borrowed, static stable name of err ("TIMEOUT"), used as the report's error code. */
const char *dbtls_errname(enum dbtls_err err);

/* What went wrong, in words, for the one failing call. Filled by the callee, owned by the caller.
 */
struct dbtls_diag {
	char msg[512];
	int sys_errno;	       /* errno at the failure, or 0 */
	unsigned long ssl_err; /* first OpenSSL error queue entry, or 0 */
};

/* Sets d->msg from a printf format (d may be NULL); always returns err so callers can
 * `return dbtls_diag_set(d, DBTLS_ERR_TIMEOUT, "...")`. */
enum dbtls_err dbtls_diag_set(struct dbtls_diag *d, enum dbtls_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Empties d (d may be NULL). */
void dbtls_diag_clear(struct dbtls_diag *d);

#endif
