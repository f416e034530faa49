/* SPDX-License-Identifier: MIT */
/*
 * net.h — one TCP connection to an endpoint, with a deadline on every operation.
 *
 * Preambles and the hello engine never touch a socket directly: they call dbtls_conn_send() and
 * dbtls_conn_recv*(), which go through conn->io. Real connections use the socket I/O; unit tests
 * and fuzz targets use dbtls_conn_init_replay(), which serves captured server bytes from memory and
 * records what the client sent, so a preamble or a probe can be replayed without a network.
 */
#ifndef DBTLS_NET_H
#define DBTLS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "src/core/buf.h"
#include "src/core/err.h"

struct dbtls_conn;

struct dbtls_io {
	/* Sends all n bytes or fails (TIMEOUT, CLOSED, IO). */
	enum dbtls_err (*send)(struct dbtls_conn *c, const uint8_t *p, size_t n,
			       struct dbtls_diag *d);
	/* Receives 1..cap bytes into p, setting *got; CLOSED on orderly EOF, TIMEOUT past the
	 * deadline. */
	enum dbtls_err (*recv)(struct dbtls_conn *c, uint8_t *p, size_t cap, size_t *got,
			       struct dbtls_diag *d);
};

struct dbtls_conn {
	int fd;		/* -1 when not a socket (replay) */
	int timeout_ms; /* per operation: connect, and each send/receive */
	const struct dbtls_io *io;
	/* replay seam: bytes the "server" sends, and a record of what the client sent */
	const uint8_t *replay;
	size_t replay_len;
	size_t replay_pos;
	struct dbtls_buf sent;
};

/* Resolves host (name, IPv4 or IPv6 literal) and connects to the first address that answers,
 * within timeout_ms. Fills *c (caller closes with dbtls_conn_close) and, if addr is non-NULL,
 * the numeric address used (addrlen >= 64). */
enum dbtls_err dbtls_conn_open(struct dbtls_conn *c, const char *host, uint16_t port,
			       int timeout_ms, char *addr, size_t addrlen, struct dbtls_diag *d);
/* Resolves host to its first numeric address (for the report) without connecting. */
enum dbtls_err dbtls_resolve(const char *host, uint16_t port, char *addr, size_t addrlen,
			     struct dbtls_diag *d);
/* Sets *c up to replay the borrowed bytes p[0..n) as the server's side. */
void dbtls_conn_init_replay(struct dbtls_conn *c, const uint8_t *p, size_t n);
/* Closes the socket / frees the replay record; safe on a closed or zeroed conn. */
void dbtls_conn_close(struct dbtls_conn *c);

enum dbtls_err dbtls_conn_send(struct dbtls_conn *c, const uint8_t *p, size_t n,
			       struct dbtls_diag *d);
enum dbtls_err dbtls_conn_recv(struct dbtls_conn *c, uint8_t *p, size_t cap, size_t *got,
			       struct dbtls_diag *d);
/* Receives exactly n bytes (CLOSED/TRUNCATED if the peer stops early). */
enum dbtls_err dbtls_conn_recv_exact(struct dbtls_conn *c, uint8_t *p, size_t n,
				     struct dbtls_diag *d);

#endif
