/* SPDX-License-Identifier: MIT */
/*
 * net.h — one TCP connection to an endpoint, under one absolute deadline.
 *
 * Preambles and the hello engine never touch a socket directly: they call dbtls_conn_send() and
 * dbtls_conn_recv*(), which go through conn->io. Real connections use the socket I/O; unit tests
 * and fuzz targets use dbtls_conn_init_replay(), which serves captured server bytes from memory and
 * records what the client sent, so a preamble or a probe can be replayed without a network.
 *
 * Time: a connection carries one absolute deadline (deadline_ms, on the dbtls_net_now_ms() clock)
 * for everything done on it — connect, preamble, hello or handshake — so a server that drips one
 * byte per second or floods messages cannot stretch it; no wait, send or receive goes past it.
 * Name resolution runs under the same deadline. A cancel fd (a pipe the signal handler writes to
 * and nobody drains) ends every wait at once with INTERRUPTED.
 */
#ifndef DBTLS_NET_H
#define DBTLS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

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
	int fd; /* -1 when not a socket (replay) */
	/* per wait when deadline_ms is 0 (zeroed test conns); else how long the connection was
	 * given, for messages */
	int timeout_ms;
	int64_t deadline_ms; /* absolute, dbtls_net_now_ms() clock; 0: none (timeout_ms per wait) */
	const int *cancel_fd; /* borrowed; NULL: none; readable: stop every wait (INTERRUPTED) */
	const struct dbtls_io *io;
	/* replay seam: bytes the "server" sends, and a record of what the client sent */
	const uint8_t *replay;
	size_t replay_len;
	size_t replay_pos;
	struct dbtls_buf sent;
	/* Optional, called once (and cleared first) before the first receive: a pipelined preamble
	 * reads the server's greeting there, after the ClientHello has gone out behind its request
	 * (struct dbtls_preamble.fast_check). Its error is the receive's. The arg is borrowed. */
	enum dbtls_err (*before_recv)(struct dbtls_conn *c, void *arg, struct dbtls_diag *d);
	void *before_recv_arg;
};

/* Milliseconds on the monotonic clock the deadlines use. */
int64_t dbtls_net_now_ms(void);
/* min(a, b) of two deadlines where 0 means "none". */
int64_t dbtls_net_deadline_min(int64_t a, int64_t b);
/* True when cancel_fd (may be NULL) has been signalled. Async-signal-safe to pair with a write. */
bool dbtls_net_cancelled(const int *cancel_fd);

/* The addresses a host name resolved to, in getaddrinfo's order (plain data, no ownership). */
#define DBTLS_NET_MAXADDRS 8
struct dbtls_addrs {
	size_t n;
	struct sockaddr_storage a[DBTLS_NET_MAXADDRS];
	socklen_t len[DBTLS_NET_MAXADDRS];
};
/* Resolves host (name, IPv4 or IPv6 literal) into *out by deadline_ms (0: none): a name lookup
 * runs in a helper thread that is abandoned (it cleans up after itself) when the deadline
 * passes or cancel_fd fires. Returns RESOLVE, TIMEOUT or INTERRUPTED with d saying why. */
enum dbtls_err dbtls_net_resolve(const char *host, uint16_t port, int64_t deadline_ms,
				 const int *cancel_fd, struct dbtls_addrs *out,
				 struct dbtls_diag *d);
/* Numeric form of a->a[i] ("127.0.0.1", "::1") into out (outlen >= 64). */
void dbtls_net_addr_string(const struct dbtls_addrs *a, size_t i, char *out, size_t outlen);
/* Connects to the first of a's addresses that answers, by deadline_ms (> 0). Fills *c (caller
 * closes with dbtls_conn_close; the deadline and cancel fd stay on c for what follows) and, if
 * addr is non-NULL, the numeric address used (addrlen >= 64). */
enum dbtls_err dbtls_conn_open_addrs(struct dbtls_conn *c, const struct dbtls_addrs *a,
				     int64_t deadline_ms, const int *cancel_fd, char *addr,
				     size_t addrlen, struct dbtls_diag *d);
/* Resolves and connects, all within timeout_ms from now (the connection's deadline). */
enum dbtls_err dbtls_conn_open(struct dbtls_conn *c, const char *host, uint16_t port,
			       int timeout_ms, char *addr, size_t addrlen, struct dbtls_diag *d);
/* Resolves host to its first numeric address (for the report) without connecting. */
enum dbtls_err dbtls_resolve(const char *host, uint16_t port, char *addr, size_t addrlen,
			     struct dbtls_diag *d);
/* Waits until fd is ready for events (POLLIN/POLLOUT) under c's deadline and cancel fd; what
 * names the step for the TIMEOUT message. For handshake.c, which owns the reads there. */
enum dbtls_err dbtls_conn_wait(const struct dbtls_conn *c, short events, const char *what,
			       struct dbtls_diag *d);
/* TIMEOUT or INTERRUPTED (with d) when c's deadline has passed or its cancel fd fired, else
 * OK: checked before every send and receive, so a flood of ready bytes cannot outrun it. */
enum dbtls_err dbtls_conn_check(const struct dbtls_conn *c, struct dbtls_diag *d);
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
