/* SPDX-License-Identifier: MIT */
/*
 * net.c — TCP connections under one deadline each, name resolution under the same deadline, and
 * the replay seam used by tests.
 *
 * Sockets are non-blocking from the start. Every wait is a poll() on the socket and the cancel fd
 * for what is left of the connection's absolute deadline, and the deadline is checked again before
 * every send and receive: a server that drips a byte just inside each wait, or floods bytes so no
 * wait happens at all, still meets the deadline. The OpenSSL handshake (handshake.c) relies on the
 * fd being non-blocking too and waits through dbtls_conn_wait().
 */
#include "src/wire/net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <unistd.h>

int64_t dbtls_net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dbtls_net_deadline_min(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

bool dbtls_net_cancelled(const int *cancel_fd)
{
	struct pollfd p;

	if (!cancel_fd || *cancel_fd < 0)
		return false;
	p = (struct pollfd){.fd = *cancel_fd, .events = POLLIN};
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

enum dbtls_err dbtls_conn_check(const struct dbtls_conn *c, struct dbtls_diag *d)
{
	if (dbtls_net_cancelled(c->cancel_fd))
		return dbtls_diag_set(d, DBTLS_ERR_INTERRUPTED, "interrupted");
	if (c->deadline_ms && dbtls_net_now_ms() >= c->deadline_ms)
		return dbtls_diag_set(d, DBTLS_ERR_TIMEOUT,
				      "the connection's deadline (%d ms) passed", c->timeout_ms);
	return DBTLS_OK;
}

/* Waits for events on fd within what is left of deadline (absolute; 0: timeout_ms per wait). */
static enum dbtls_err net_wait(int fd, short events, int64_t deadline, int timeout_ms,
			       const int *cancel_fd, const char *what, struct dbtls_diag *d)
{
	struct pollfd p[2] = {{.fd = fd, .events = events},
			      {.fd = cancel_fd ? *cancel_fd : -1, .events = POLLIN}};
	int64_t left;
	int rc, ms;

	for (;;) {
		ms = timeout_ms;
		if (deadline) {
			left = deadline - dbtls_net_now_ms();
			if (left <= 0)
				return timeout_ms > 0
					   ? dbtls_diag_set(d, DBTLS_ERR_TIMEOUT,
							    "the connection's deadline (%d ms) "
							    "passed while %s",
							    timeout_ms, what)
					   : dbtls_diag_set(d, DBTLS_ERR_TIMEOUT,
							    "the connection's deadline passed "
							    "while %s",
							    what);
			ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		p[0].revents = p[1].revents = 0;
		rc = poll(p, 2, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			if (d)
				d->sys_errno = errno;
			return dbtls_diag_set(d, DBTLS_ERR_IO, "poll: %s", strerror(errno));
		}
		if (p[1].revents)
			return dbtls_diag_set(d, DBTLS_ERR_INTERRUPTED, "interrupted while %s",
					      what);
		if (rc > 0)
			return DBTLS_OK;
		if (!deadline)
			return dbtls_diag_set(d, DBTLS_ERR_TIMEOUT,
					      "no answer within %d ms while %s", timeout_ms, what);
	}
}

enum dbtls_err dbtls_conn_wait(const struct dbtls_conn *c, short events, const char *what,
			       struct dbtls_diag *d)
{
	return net_wait(c->fd, events, c->deadline_ms, c->timeout_ms, c->cancel_fd, what, d);
}

static enum dbtls_err sock_send(struct dbtls_conn *c, const uint8_t *p, size_t n,
				struct dbtls_diag *d)
{
	enum dbtls_err err;
	ssize_t w;

	while (n) {
		err = dbtls_conn_check(c, d);
		if (err)
			return err;
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			err = dbtls_conn_wait(c, POLLOUT, "sending", d);
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
		err = dbtls_conn_check(c, d);
		if (err)
			return err;
		r = recv(c->fd, p, cap, 0);
		if (r > 0) {
			*got = (size_t)r;
			return DBTLS_OK;
		}
		if (r == 0)
			return dbtls_diag_set(d, DBTLS_ERR_CLOSED,
					      "connection closed by the server");
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			err = dbtls_conn_wait(c, POLLIN, "waiting for the server", d);
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
	if (c->before_recv) {
		enum dbtls_err (*hook)(struct dbtls_conn *, void *, struct dbtls_diag *) =
		    c->before_recv;
		enum dbtls_err err;

		c->before_recv = NULL; /* the hook itself receives */
		err = hook(c, c->before_recv_arg, d);
		if (err)
			return err;
	}
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

static void addr_to_string(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
	if (getnameinfo(sa, len, out, (socklen_t)outlen, NULL, 0, NI_NUMERICHOST))
		snprintf(out, outlen, "?");
}

void dbtls_net_addr_string(const struct dbtls_addrs *a, size_t i, char *out, size_t outlen)
{
	if (i >= a->n) {
		snprintf(out, outlen, "?");
		return;
	}
	addr_to_string((const struct sockaddr *)&a->a[i], a->len[i], out, outlen);
}

static int net_getaddrinfo(const char *host, const char *portstr, int flags, struct addrinfo **res)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC};
	int rc;

	hints.ai_flags = AI_ADDRCONFIG | flags;
	rc = getaddrinfo(host, portstr, &hints, res);
	if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
		/* AI_ADDRCONFIG hides ::1 on hosts with only loopback IPv6; try again without it */
		hints.ai_flags = flags;
		rc = getaddrinfo(host, portstr, &hints, res);
	}
	return rc;
}

static void net_copy_addrs(const struct addrinfo *res, struct dbtls_addrs *out)
{
	out->n = 0;
	for (const struct addrinfo *ai = res; ai && out->n < DBTLS_NET_MAXADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out->a[0]))
			continue;
		memcpy(&out->a[out->n], ai->ai_addr, ai->ai_addrlen);
		out->len[out->n++] = ai->ai_addrlen;
	}
}

/* A name lookup in a helper thread. getaddrinfo cannot be interrupted, so a lookup past the
 * deadline is abandoned: whoever of the two lets go last frees the job. */
struct net_gai {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	int refs;
	bool done;
	int rc;
	char *host;
	char port[8];
	struct addrinfo *res;
};

static void net_gai_unref(struct net_gai *g)
{
	bool last;

	pthread_mutex_lock(&g->lock);
	last = --g->refs == 0;
	pthread_mutex_unlock(&g->lock);
	if (!last)
		return;
	if (g->res)
		freeaddrinfo(g->res);
	free(g->host);
	pthread_cond_destroy(&g->done_cv);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static void *net_gai_thread(void *arg)
{
	struct net_gai *g = arg;
	struct addrinfo *res = NULL;
	int rc = net_getaddrinfo(g->host, g->port, 0, &res);

	pthread_mutex_lock(&g->lock);
	g->rc = rc;
	g->res = rc ? NULL : res;
	g->done = true;
	pthread_cond_signal(&g->done_cv);
	pthread_mutex_unlock(&g->lock);
	net_gai_unref(g);
	return NULL;
}

static struct net_gai *net_gai_new(const char *host, uint16_t port)
{
	struct net_gai *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;

	if (!g || !(g->host = strdup(host))) {
		free(g);
		return NULL;
	}
	snprintf(g->port, sizeof(g->port), "%u", port);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	g->refs = 2; /* the caller and the thread */
	return g;
}

/* Waits for g under deadline/cancel, checking the cancel fd every 100 ms. Called locked. */
static enum dbtls_err net_gai_wait(struct net_gai *g, const char *host, int64_t deadline,
				   const int *cancel_fd, struct dbtls_diag *d)
{
	struct timespec ts;
	int64_t now, until;

	while (!g->done) {
		if (dbtls_net_cancelled(cancel_fd))
			return dbtls_diag_set(d, DBTLS_ERR_INTERRUPTED,
					      "interrupted while resolving %s", host);
		now = dbtls_net_now_ms();
		if (deadline && now >= deadline)
			return dbtls_diag_set(d, DBTLS_ERR_TIMEOUT,
					      "cannot resolve %s: no answer by the deadline", host);
		until = now + 100;
		if (deadline && until > deadline)
			until = deadline;
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000;
		pthread_cond_timedwait(&g->done_cv, &g->lock, &ts);
	}
	return DBTLS_OK;
}

enum dbtls_err dbtls_net_resolve(const char *host, uint16_t port, int64_t deadline_ms,
				 const int *cancel_fd, struct dbtls_addrs *out,
				 struct dbtls_diag *d)
{
	struct addrinfo *res = NULL;
	struct net_gai *g;
	enum dbtls_err err;
	pthread_attr_t at;
	sigset_t all, old;
	pthread_t th;
	char portstr[8];
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(portstr, sizeof(portstr), "%u", port);
	/* a literal needs no lookup and no thread */
	rc = net_getaddrinfo(host, portstr, AI_NUMERICHOST, &res);
	if (rc == 0) {
		net_copy_addrs(res, out);
		freeaddrinfo(res);
		return out->n ? DBTLS_OK
			      : dbtls_diag_set(d, DBTLS_ERR_RESOLVE, "cannot resolve %s", host);
	}
	g = net_gai_new(host, port);
	if (!g)
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	/* an abandoned lookup may outlive the scan: it must never be the thread a SIGINT or
	 * SIGTERM is delivered to, so it starts with every signal blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&th, &at, net_gai_thread, g);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		/* no thread to be had: look it up here, without the deadline */
		pthread_attr_destroy(&at);
		g->refs = 1;
		net_gai_unref(g);
		rc = net_getaddrinfo(host, portstr, 0, &res);
		if (rc)
			return dbtls_diag_set(d, DBTLS_ERR_RESOLVE, "cannot resolve %s: %s", host,
					      gai_strerror(rc));
		net_copy_addrs(res, out);
		freeaddrinfo(res);
		return DBTLS_OK;
	}
	pthread_attr_destroy(&at);
	pthread_mutex_lock(&g->lock);
	err = net_gai_wait(g, host, deadline_ms, cancel_fd, d);
	if (!err && g->rc)
		err = dbtls_diag_set(d, DBTLS_ERR_RESOLVE, "cannot resolve %s: %s", host,
				     gai_strerror(g->rc));
	if (!err) {
		net_copy_addrs(g->res, out);
		if (!out->n)
			err = dbtls_diag_set(d, DBTLS_ERR_RESOLVE, "cannot resolve %s", host);
	}
	pthread_mutex_unlock(&g->lock);
	net_gai_unref(g);
	return err;
}

enum dbtls_err dbtls_resolve(const char *host, uint16_t port, char *addr, size_t addrlen,
			     struct dbtls_diag *d)
{
	struct dbtls_addrs a;
	enum dbtls_err err = dbtls_net_resolve(host, port, 0, NULL, &a, d);

	if (err)
		return err;
	dbtls_net_addr_string(&a, 0, addr, addrlen);
	return DBTLS_OK;
}

static enum dbtls_err net_connect_one(const struct sockaddr *sa, socklen_t salen, int64_t deadline,
				      const int *cancel_fd, int *fdout, struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	int fd, soerr = 0, one = 1;
	socklen_t len = sizeof(soerr);
	char addr[64];

	addr_to_string(sa, salen, addr, sizeof(addr));
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = dbtls_diag_set(d, DBTLS_ERR_CONNECT, "socket: %s", strerror(errno));
		goto out;
	}
	/* hellos are single small writes: send them at once */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, sa, salen) < 0) {
		if (errno != EINPROGRESS) {
			soerr = errno;
			goto failed;
		}
		err = net_wait(fd, POLLOUT, deadline, (int)(deadline - dbtls_net_now_ms()),
			       cancel_fd, "connecting", d);
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
	    (unsigned)ntohs(sa->sa_family == AF_INET6
				? ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port
				: ((const struct sockaddr_in *)(const void *)sa)->sin_port),
	    strerror(soerr));
out:
	if (fd >= 0)
		close(fd);
	return err;
}

enum dbtls_err dbtls_conn_open_addrs(struct dbtls_conn *c, const struct dbtls_addrs *a,
				     int64_t deadline_ms, const int *cancel_fd, char *addr,
				     size_t addrlen, struct dbtls_diag *d)
{
	enum dbtls_err err = dbtls_diag_set(d, DBTLS_ERR_CONNECT, "no address to connect to");
	int64_t t0 = dbtls_net_now_ms();
	int fd = -1;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	for (size_t i = 0; i < a->n; i++) {
		err = net_connect_one((const struct sockaddr *)&a->a[i], a->len[i], deadline_ms,
				      cancel_fd, &fd, d);
		if (!err) {
			if (addr)
				dbtls_net_addr_string(a, i, addr, addrlen);
			break;
		}
		if (err == DBTLS_ERR_TIMEOUT || err == DBTLS_ERR_INTERRUPTED)
			break; /* the deadline is spent for every address alike */
	}
	if (err)
		return err;
	c->fd = fd;
	c->deadline_ms = deadline_ms;
	c->cancel_fd = cancel_fd;
	c->timeout_ms = (int)(deadline_ms - t0); /* what the connection was given, for messages */
	if (c->timeout_ms < 1)
		c->timeout_ms = 1;
	c->io = &sock_io;
	dbtls_buf_init(&c->sent);
	return DBTLS_OK;
}

enum dbtls_err dbtls_conn_open(struct dbtls_conn *c, const char *host, uint16_t port,
			       int timeout_ms, char *addr, size_t addrlen, struct dbtls_diag *d)
{
	int64_t deadline = dbtls_net_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	struct dbtls_addrs a;
	enum dbtls_err err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	err = dbtls_net_resolve(host, port, deadline, NULL, &a, d);
	if (err)
		return err;
	return dbtls_conn_open_addrs(c, &a, deadline, NULL, addr, addrlen, d);
}
