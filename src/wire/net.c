/* SPDX-License-Identifier: MIT */
/*
 * net.c — TCP connections with a deadline on every step, and the replay seam used by tests.
 *
 * Sockets are non-blocking from the start: connect, send and receive each wait in poll() for at
 * most conn->timeout_ms, so a silent or half-open endpoint costs one timeout and never hangs a
 * worker. The OpenSSL handshake (handshake.c) relies on the fd being non-blocking too.
 */
#include "src/wire/net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

static enum dbtls_err net_wait(int fd, short events, int timeout_ms, const char *what,
			       struct dbtls_diag *d)
{
	struct pollfd p = {.fd = fd, .events = events};
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return dbtls_diag_set(d, DBTLS_ERR_TIMEOUT, "no answer within %d ms while %s",
				      timeout_ms, what);
	if (rc < 0) {
		if (d)
			d->sys_errno = errno;
		return dbtls_diag_set(d, DBTLS_ERR_IO, "poll: %s", strerror(errno));
	}
	return DBTLS_OK;
}

static enum dbtls_err sock_send(struct dbtls_conn *c, const uint8_t *p, size_t n,
				struct dbtls_diag *d)
{
	enum dbtls_err err;
	ssize_t w;

	while (n) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			err = net_wait(c->fd, POLLOUT, c->timeout_ms, "sending", d);
			if (err)
				return err;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (d)
				d->sys_errno = errno;
			return dbtls_diag_set(
			    d,
			    errno == EPIPE || errno == ECONNRESET ? DBTLS_ERR_CLOSED : DBTLS_ERR_IO,
			    "send: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return DBTLS_OK;
}

static enum dbtls_err sock_recv(struct dbtls_conn *c, uint8_t *p, size_t cap, size_t *got,
				struct dbtls_diag *d)
{
	enum dbtls_err err;
	ssize_t r;

	for (;;) {
		r = recv(c->fd, p, cap, 0);
		if (r > 0) {
			*got = (size_t)r;
			return DBTLS_OK;
		}
		if (r == 0)
			return dbtls_diag_set(d, DBTLS_ERR_CLOSED,
					      "connection closed by the server");
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			err = net_wait(c->fd, POLLIN, c->timeout_ms, "waiting for the server", d);
			if (err)
				return err;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (d)
			d->sys_errno = errno;
		if (errno == ECONNRESET)
			return dbtls_diag_set(d, DBTLS_ERR_CLOSED,
					      "connection reset by the server");
		return dbtls_diag_set(d, DBTLS_ERR_IO, "recv: %s", strerror(errno));
	}
}

static const struct dbtls_io sock_io = {.send = sock_send, .recv = sock_recv};

static enum dbtls_err replay_send(struct dbtls_conn *c, const uint8_t *p, size_t n,
				  struct dbtls_diag *d)
{
	(void)d;
	dbtls_buf_bytes(&c->sent, p, n);
	return c->sent.oom ? DBTLS_ERR_NOMEM : DBTLS_OK;
}

static enum dbtls_err replay_recv(struct dbtls_conn *c, uint8_t *p, size_t cap, size_t *got,
				  struct dbtls_diag *d)
{
	size_t n = c->replay_len - c->replay_pos;

	if (!n)
		return dbtls_diag_set(d, DBTLS_ERR_CLOSED, "connection closed by the server");
	/* hand out at most 7 bytes at a time so parsers are exercised on split reads */
	if (n > cap)
		n = cap;
	if (n > 7)
		n = 7;
	memcpy(p, c->replay + c->replay_pos, n);
	c->replay_pos += n;
	*got = n;
	return DBTLS_OK;
}

static const struct dbtls_io replay_io = {.send = replay_send, .recv = replay_recv};

void dbtls_conn_init_replay(struct dbtls_conn *c, const uint8_t *p, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = 1000;
	c->io = &replay_io;
	c->replay = p;
	c->replay_len = p ? n : 0;
	dbtls_buf_init(&c->sent);
}

void dbtls_conn_close(struct dbtls_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0 && c->io == &sock_io)
		close(c->fd);
	c->fd = -1;
	dbtls_buf_free(&c->sent);
}

enum dbtls_err dbtls_conn_send(struct dbtls_conn *c, const uint8_t *p, size_t n,
			       struct dbtls_diag *d)
{
	return c->io->send(c, p, n, d);
}

enum dbtls_err dbtls_conn_recv(struct dbtls_conn *c, uint8_t *p, size_t cap, size_t *got,
			       struct dbtls_diag *d)
{
	*got = 0;
	if (!cap)
		return DBTLS_OK;
	return c->io->recv(c, p, cap, got, d);
}

enum dbtls_err dbtls_conn_recv_exact(struct dbtls_conn *c, uint8_t *p, size_t n,
				     struct dbtls_diag *d)
{
	enum dbtls_err err;
	size_t got;

	while (n) {
		err = dbtls_conn_recv(c, p, n, &got, d);
		if (err)
			return err;
		p += got;
		n -= got;
	}
	return DBTLS_OK;
}

static void addr_to_string(const struct sockaddr *sa, char *out, size_t outlen)
{
	if (getnameinfo(sa,
			sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in),
			out, (socklen_t)outlen, NULL, 0, NI_NUMERICHOST))
		snprintf(out, outlen, "?");
}

static enum dbtls_err net_resolve(const char *host, uint16_t port, struct addrinfo **res,
				  struct dbtls_diag *d)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC};
	char portstr[8];
	int rc;

	snprintf(portstr, sizeof(portstr), "%u", port);
	hints.ai_flags = AI_ADDRCONFIG;
	rc = getaddrinfo(host, portstr, &hints, res);
	if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
		/* AI_ADDRCONFIG hides ::1 on hosts with only loopback IPv6; try again without it */
		hints.ai_flags = 0;
		rc = getaddrinfo(host, portstr, &hints, res);
	}
	if (rc)
		return dbtls_diag_set(d, DBTLS_ERR_RESOLVE, "cannot resolve %s: %s", host,
				      gai_strerror(rc));
	return DBTLS_OK;
}

enum dbtls_err dbtls_resolve(const char *host, uint16_t port, char *addr, size_t addrlen,
			     struct dbtls_diag *d)
{
	struct addrinfo *res = NULL;
	enum dbtls_err err = net_resolve(host, port, &res, d);

	if (err)
		return err;
	addr_to_string(res->ai_addr, addr, addrlen);
	freeaddrinfo(res);
	return DBTLS_OK;
}

static enum dbtls_err net_connect_one(const struct addrinfo *ai, int timeout_ms, int *fdout,
				      struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	int fd, soerr = 0, one = 1;
	socklen_t len = sizeof(soerr);
	char addr[64];

	addr_to_string(ai->ai_addr, addr, sizeof(addr));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		err = dbtls_diag_set(d, DBTLS_ERR_CONNECT, "socket: %s", strerror(errno));
		goto out;
	}
	/* hellos are single small writes: send them at once */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			soerr = errno;
			goto failed;
		}
		err = net_wait(fd, POLLOUT, timeout_ms, "connecting", d);
		if (err)
			goto out;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr)
			goto failed;
	}
	*fdout = fd;
	return DBTLS_OK;
failed:
	if (d)
		d->sys_errno = soerr;
	err = dbtls_diag_set(
	    d, soerr == ECONNREFUSED ? DBTLS_ERR_REFUSED : DBTLS_ERR_CONNECT,
	    "connect to %s port %u: %s", addr,
	    (unsigned)ntohs(ai->ai_family == AF_INET6
				? ((const struct sockaddr_in6 *)ai->ai_addr)->sin6_port
				: ((const struct sockaddr_in *)ai->ai_addr)->sin_port),
	    strerror(soerr));
out:
	if (fd >= 0)
		close(fd);
	return err;
}

enum dbtls_err dbtls_conn_open(struct dbtls_conn *c, const char *host, uint16_t port,
			       int timeout_ms, char *addr, size_t addrlen, struct dbtls_diag *d)
{
	struct addrinfo *res = NULL, *ai;
	enum dbtls_err err;
	int fd = -1;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	err = net_resolve(host, port, &res, d);
	if (err)
		return err;
	err = DBTLS_ERR_CONNECT;
	for (ai = res; ai; ai = ai->ai_next) {
		err = net_connect_one(ai, timeout_ms, &fd, d);
		if (!err) {
			if (addr)
				addr_to_string(ai->ai_addr, addr, addrlen);
			break;
		}
	}
	freeaddrinfo(res);
	if (err)
		return err;
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	c->io = &sock_io;
	dbtls_buf_init(&c->sent);
	return DBTLS_OK;
}
