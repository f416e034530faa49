/* SPDX-License-Identifier: MIT */
/*
 * test_handshake.c — unit tests for dbtls_handshake_certs() (src/handshake.c) against real servers.
 *
 * Each test starts a small server in a thread on 127.0.0.1 (port 0): an OpenSSL server serving an
 * RSA-2048 leaf plus its root, a TLS 1.0-only server with a weak suite, a server that answers the
 * ClientHello with garbage, and one that accepts and never says a word. The PKI is generated with
 * the OpenSSL API at start-up; CA bundles go to mkstemp files that are removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "src/facts/facts.h"
#include "src/wire/handshake.h"
#include "src/wire/net.h"
#include "tests/unit/fixtures.h"

enum srv_mode { SRV_TLS, SRV_TLS10_WEAK, SRV_GARBAGE, SRV_SILENT };

struct pki {
	EVP_PKEY *root_key, *leaf_key, *other_key;
	X509 *root, *leaf, *other;
	char ca_path[64];    /* the right root */
	char other_path[64]; /* an unrelated CA */
	SSL_CTX *srv_ctx, *weak_ctx;
};

struct srv {
	enum srv_mode mode;
	SSL_CTX *ctx;
	int lfd;
	uint16_t port;
	pthread_t th;
	char sni[128]; /* server_name the client sent, "" when none */
};

/* A certificate valid from yesterday for a year, signed by issuer (NULL: self-signed). */
static X509 *tx_cert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer, EVP_PKEY *sign_key,
		     bool ca, const char *san)
{
	const char *const name[] = {"CN", cn, NULL};
	struct fx_ext exts[7] = {
	    {NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE"},
	    {NID_key_usage,
	     ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment"},
	    {NID_subject_key_identifier, "hash"},
	};
	size_t n = 3;
	char hex[24];

	if (!ca)
		exts[n++] = (struct fx_ext){NID_ext_key_usage, "serverAuth"};
	if (issuer)
		exts[n++] = (struct fx_ext){NID_authority_key_identifier, "keyid:always"};
	if (san)
		exts[n++] = (struct fx_ext){NID_subject_alt_name, san};
	snprintf(hex, sizeof(hex), "%lX", serial);
	return fx_cert(&(struct fx_cert_spec){.key = key,
					      .sign_key = sign_key,
					      .issuer = issuer,
					      .name = name,
					      .serial_hex = hex,
					      .relative = true,
					      .not_before = -86400,
					      .not_after = 365L * 86400,
					      .exts = exts});
}

static void tx_write_pem(char *path, size_t pathlen, X509 *x)
{
	FILE *fp;
	int fd;

	snprintf(path, pathlen, "/tmp/dbtls-test-ca-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	assert_true(PEM_write_X509(fp, x));
	assert_int_equal(fclose(fp), 0);
}

static SSL_CTX *tx_server_ctx(struct pki *p, bool weak)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(ctx);
	assert_true(SSL_CTX_use_certificate(ctx, p->leaf));
	assert_true(SSL_CTX_use_PrivateKey(ctx, p->leaf_key));
	assert_true(SSL_CTX_add1_chain_cert(ctx, p->root));
	if (weak) {
		/* what an old database server still speaks: TLS 1.0 and plain-RSA AES-CBC-SHA */
		SSL_CTX_set_security_level(ctx, 0);
		assert_true(SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION));
		assert_true(SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION));
		assert_true(SSL_CTX_set_cipher_list(ctx, "AES128-SHA:@SECLEVEL=0"));
	}
	return ctx;
}

static int setup(void **state)
{
	struct pki *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	p->other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	p->leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_true(p->root_key && p->other_key && p->leaf_key);
	p->root = tx_cert(p->root_key, "dbtls Test Root", 1, NULL, p->root_key, true, NULL);
	p->other = tx_cert(p->other_key, "Unrelated Root", 2, NULL, p->other_key, true, NULL);
	p->leaf = tx_cert(p->leaf_key, "localhost", 3, p->root, p->root_key, false,
			  "DNS:localhost,IP:127.0.0.1,IP:::1");
	tx_write_pem(p->ca_path, sizeof(p->ca_path), p->root);
	tx_write_pem(p->other_path, sizeof(p->other_path), p->other);
	p->srv_ctx = tx_server_ctx(p, false);
	p->weak_ctx = tx_server_ctx(p, true);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pki *p = *state;

	unlink(p->ca_path);
	unlink(p->other_path);
	SSL_CTX_free(p->srv_ctx);
	SSL_CTX_free(p->weak_ctx);
	X509_free(p->root);
	X509_free(p->other);
	X509_free(p->leaf);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->other_key);
	EVP_PKEY_free(p->leaf_key);
	free(p);
	return 0;
}

static void *srv_main(void *arg)
{
	static const char garbage[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	struct srv *s = arg;
	struct timeval tv = {.tv_sec = 10};
	char buf[4096];
	const char *sni;
	SSL *ssl;
	int fd;

	fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	/* a test that goes wrong must not hang the server thread forever */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	switch (s->mode) {
	case SRV_TLS:
	case SRV_TLS10_WEAK:
		ssl = SSL_new(s->ctx);
		if (!ssl)
			break;
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1) {
			sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
			snprintf(s->sni, sizeof(s->sni), "%s", sni ? sni : "");
			while (SSL_read(ssl, buf, sizeof(buf)) > 0)
				;
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		break;
	case SRV_GARBAGE:
		/* read the ClientHello first, so closing does not turn into a reset */
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			send(fd, garbage, sizeof(garbage) - 1, MSG_NOSIGNAL);
		shutdown(fd, SHUT_WR);
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			;
		break;
	case SRV_SILENT:
		/* swallow whatever comes, answer nothing, until the client gives up */
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			;
		break;
	}
	ERR_clear_error();
	close(fd);
	return NULL;
}

static void srv_start(struct srv *s, enum srv_mode mode, SSL_CTX *ctx)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->ctx = ctx;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sa, &len), 0);
	s->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_join(struct srv *s)
{
	assert_int_equal(pthread_join(s->th, NULL), 0);
	close(s->lfd);
}

/* A connected, non-blocking client socket, as the preamble would leave it. */
static int tx_connect(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
	return fd;
}

/* One scan of a fresh server of the given kind; f and d are the caller's. */
static enum dbtls_err tx_scan(enum srv_mode mode, SSL_CTX *ctx,
			      const struct dbtls_handshake_opts *o, struct dbtls_endpoint_facts *f,
			      struct dbtls_diag *d, char *sni_seen, size_t sni_len)
{
	struct srv s;
	struct dbtls_conn c;
	enum dbtls_err err;

	srv_start(&s, mode, ctx);
	memset(&c, 0, sizeof(c));
	c.fd = tx_connect(s.port);
	c.timeout_ms = 5000;
	dbtls_diag_clear(d);
	err = dbtls_handshake_certs(&c, o, f, d);
	close(c.fd); /* the handshake leaves the socket to its owner */
	srv_join(&s);
	if (sni_seen)
		snprintf(sni_seen, sni_len, "%s", s.sni);
	return err;
}

static void tx_assert_fingerprint(const struct dbtls_cert *c, X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char hex[65];

	assert_true(X509_digest(x, EVP_sha256(), md, &len));
	for (unsigned int i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(c->sha256, hex);
}

static void test_chain_and_ca_ok(void **state)
{
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {.ca_file = p->ca_path,
					 .sni = "localhost",
					 .verify_host = "localhost",
					 .timeout_ms = 5000};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;
	char sni[128];

	assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, sni, sizeof(sni)), DBTLS_OK);
	assert_string_equal(sni, "localhost");
	assert_int_equal(f.ncerts, 2);
	assert_string_equal(f.certs[0].subject, "CN=localhost");
	assert_string_equal(f.certs[0].issuer, "CN=dbtls Test Root");
	assert_string_equal(f.certs[0].key_type, "RSA");
	assert_int_equal(f.certs[0].key_bits, 2048);
	assert_int_equal(f.certs[0].nsans, 3);
	assert_string_equal(f.certs[0].sans[2], "IP:::1");
	/* valid for 365 days from set-up; a second may have ticked since */
	assert_in_range(f.certs[0].days_left, 364, 365);
	tx_assert_fingerprint(&f.certs[0], p->leaf);
	assert_string_equal(f.certs[1].subject, "CN=dbtls Test Root");
	assert_true(f.certs[1].self_signed);
	assert_true(f.certs[1].is_ca);
	tx_assert_fingerprint(&f.certs[1], p->root);

	assert_true(f.verification.done);
	assert_true(f.verification.ca_ok);
	assert_null(f.verification.error);
	assert_int_equal(f.verification.verify_code, X509_V_OK);
	assert_true(f.verification.hostname_ok);
	assert_string_equal(f.verification.hostname_checked, "localhost");
	assert_string_equal(f.verification.ca_source, p->ca_path);
	assert_string_equal(f.verification.protocol, "TLSv1.3");
	assert_non_null(f.verification.cipher);
	assert_true(strncmp(f.verification.cipher, "TLS_", 4) == 0);
	assert_int_equal(ERR_peek_error(), 0);
	dbtls_endpoint_facts_free(&f);
}

static void test_hostnames(void **state)
{
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {.ca_file = p->ca_path, .timeout_ms = 5000};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;
	char sni[128];
	static const struct {
		const char *host;
		bool ok;
	} rows[] = {
	    {"127.0.0.1", true},   {"::1", true},	 {"[::1]", true},
	    {"db.example", false}, {"127.0.0.2", false}, {"LOCALHOST", true},
	};

	/* the same facts are filled again and again: each call replaces the previous chain */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		o.verify_host = rows[i].host;
		assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, sni, sizeof(sni)),
				 DBTLS_OK);
		assert_string_equal(sni, ""); /* no SNI asked for, none sent */
		assert_int_equal(f.ncerts, 2);
		assert_true(f.verification.ca_ok);
		assert_string_equal(f.verification.hostname_checked, rows[i].host);
		if (rows[i].ok)
			assert_true(f.verification.hostname_ok);
		else
			assert_false(f.verification.hostname_ok);
	}
	dbtls_endpoint_facts_free(&f);
}

static void test_unrelated_ca(void **state)
{
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {
	    .ca_file = p->other_path, .verify_host = "localhost", .timeout_ms = 5000};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;

	assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, NULL, 0), DBTLS_OK);
	assert_int_equal(f.ncerts, 2);
	assert_true(f.verification.done);
	assert_false(f.verification.ca_ok);
	/* the served root is not in the bundle */
	assert_int_equal(f.verification.verify_code, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
	assert_non_null(f.verification.error);
	assert_string_equal(f.verification.error,
			    X509_verify_cert_error_string(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN));
	assert_true(f.verification.hostname_ok); /* the name is judged on its own */
	dbtls_endpoint_facts_free(&f);
}

static void test_system_store(void **state)
{
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {.verify_host = "localhost", .timeout_ms = 5000};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;

	assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, NULL, 0), DBTLS_OK);
	assert_true(f.verification.done);
	assert_false(f.verification.ca_ok); /* our test root is in no system store */
	assert_non_null(f.verification.error);
	assert_string_equal(f.verification.ca_source, "system");
	dbtls_endpoint_facts_free(&f);
}

static void test_weak_server(void **state)
{
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {
	    .ca_file = p->ca_path, .verify_host = "localhost", .timeout_ms = 5000};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;

	assert_int_equal(tx_scan(SRV_TLS10_WEAK, p->weak_ctx, &o, &f, &d, NULL, 0), DBTLS_OK);
	assert_int_equal(f.ncerts, 2);
	assert_true(f.verification.ca_ok);
	assert_string_equal(f.verification.protocol, "TLSv1");
	assert_string_equal(f.verification.cipher, "TLS_RSA_WITH_AES_128_CBC_SHA");
	dbtls_endpoint_facts_free(&f);
}

static void test_timeout(void **state)
{
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {.ca_file = p->ca_path, .timeout_ms = 300};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;
	struct timespec t0, t1;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tx_scan(SRV_SILENT, NULL, &o, &f, &d, NULL, 0), DBTLS_ERR_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250);
	assert_true(ms < 2000);
	assert_true(d.msg[0] != '\0');
	/* on failure the facts are untouched */
	assert_int_equal(f.ncerts, 0);
	assert_null(f.certs);
	assert_false(f.verification.done);
	assert_int_equal(ERR_peek_error(), 0);
}

static void test_garbage(void **state)
{
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {.ca_file = p->ca_path, .timeout_ms = 5000};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;

	assert_int_equal(tx_scan(SRV_GARBAGE, NULL, &o, &f, &d, NULL, 0), DBTLS_ERR_TLS);
	assert_non_null(strstr(d.msg, "TLS handshake failed"));
	assert_true(d.ssl_err != 0);
	assert_int_equal(f.ncerts, 0);
	assert_false(f.verification.done);
	assert_int_equal(ERR_peek_error(), 0); /* the queue was cleared */
}

static void test_bad_ca_file(void **state)
{
	struct dbtls_handshake_opts o = {.ca_file = "/nonexistent/dbtls-ca.pem",
					 .timeout_ms = 5000};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_conn c = {0};
	struct dbtls_diag d = {0};
	int sv[2];
	char b;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	c.fd = sv[0];
	c.timeout_ms = 5000;
	assert_int_equal(dbtls_handshake_certs(&c, &o, &f, &d), DBTLS_ERR_FILE);
	assert_non_null(strstr(d.msg, "CA file"));
	/* found out before a single byte went out */
	assert_int_equal(recv(sv[1], &b, 1, 0), -1);
	assert_false(f.verification.done);
	c.fd = -1;
	assert_int_equal(dbtls_handshake_certs(&c, &o, &f, &d), DBTLS_ERR_USAGE);
	close(sv[0]);
	close(sv[1]);
}

/* What the scripted server's ALPN callback saw and picked (one server thread at a time). */
static struct {
	unsigned char offered[64];
	unsigned noffered;
	int calls;
} alpn_seen;

/* Server preference "foo", "bar", as `openssl s_server -alpn foo,bar`; no overlap is NOACK
 * (the handshake goes on without ALPN), as s_server does. */
static int tx_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
			  const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char mine[] = {3, 'f', 'o', 'o', 3, 'b', 'a', 'r'};
	unsigned char *sel;
	(void)ssl;
	(void)arg;

	alpn_seen.calls++;
	alpn_seen.noffered = inlen < sizeof(alpn_seen.offered) ? inlen : 0;
	memcpy(alpn_seen.offered, in, alpn_seen.noffered);
	if (SSL_select_next_proto(&sel, outlen, mine, sizeof(mine), in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* The handshake offers the caller's ALPN list as it is on the wire and records the server's
 * pick; no overlap is "offered, none selected"; no list is "not offered"; a bad list is refused
 * before a byte goes out. */
static void test_alpn(void **state)
{
	static const char *const bar_baz[] = {"bar", "baz", NULL};
	static const char *const baz[] = {"baz", NULL};
	static const char *const bad[] = {"", NULL};
	static const unsigned char wire[] = {3, 'b', 'a', 'r', 3, 'b', 'a', 'z'};
	struct pki *p = *state;
	struct dbtls_handshake_opts o = {.ca_file = p->ca_path,
					 .sni = "localhost",
					 .verify_host = "localhost",
					 .timeout_ms = 5000,
					 .alpn = bar_baz};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_diag d;

	SSL_CTX_set_alpn_select_cb(p->srv_ctx, tx_alpn_select, NULL);
	memset(&alpn_seen, 0, sizeof(alpn_seen));
	assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, NULL, 0), DBTLS_OK);
	assert_int_equal(alpn_seen.calls, 1);
	assert_int_equal(alpn_seen.noffered, sizeof(wire));
	assert_memory_equal(alpn_seen.offered, wire, sizeof(wire));
	assert_true(f.verification.done);
	assert_true(f.verification.alpn_offered);
	assert_string_equal(f.verification.alpn, "bar");

	o.alpn = baz;
	assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, NULL, 0), DBTLS_OK);
	assert_true(f.verification.alpn_offered);
	assert_null(f.verification.alpn);

	o.alpn = NULL;
	memset(&alpn_seen, 0, sizeof(alpn_seen));
	assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, NULL, 0), DBTLS_OK);
	assert_int_equal(alpn_seen.calls, 0);
	assert_false(f.verification.alpn_offered);
	assert_null(f.verification.alpn);

	o.alpn = bad;
	assert_int_equal(tx_scan(SRV_TLS, p->srv_ctx, &o, &f, &d, NULL, 0), DBTLS_ERR_USAGE);
	assert_non_null(strstr(d.msg, "ALPN"));
	assert_int_equal(alpn_seen.calls, 0);
	SSL_CTX_set_alpn_select_cb(p->srv_ctx, NULL, NULL);
	dbtls_endpoint_facts_free(&f);
}

int main(void)
{
	/* the server threads write to sockets the client under test may already have closed: that
	 * must be an EPIPE for the thread, not a signal that kills the whole test (as in dbtls'
	 * main) */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_and_ca_ok),
	    cmocka_unit_test(test_hostnames),
	    cmocka_unit_test(test_unrelated_ca),
	    cmocka_unit_test(test_system_store),
	    cmocka_unit_test(test_weak_server),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_bad_ca_file),
	    cmocka_unit_test(test_alpn),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
