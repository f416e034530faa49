/* SPDX-License-Identifier: MIT */
/*
 * handshake.c — a full OpenSSL client handshake that collects the served chain and judges it.
 *
 * The client is as permissive as the library allows (every protocol version and cipher it still
 * has, security level 0, no verification during the handshake) because the point is to look at
 * whatever the server serves, weak or not. The chain is judged only afterwards: X509_verify_cert
 * against the CA bundle (or the system store) with the served intermediates as untrusted, and
 * X509_check_host / X509_check_ip_asc for the name. Key sizes are reported separately, so the
 * verification does not reject small keys either.
 *
 * The socket is non-blocking; every wait is a poll() bounded by the connection's one absolute
 * deadline, and the BIO refuses to read or write past it, so neither a silent server nor one that
 * floods HelloRequests (each of which OpenSSL reads and ignores) can keep the handshake going.
 * OpenSSL reads and writes through a tiny BIO of our own that sends with
 * MSG_NOSIGNAL: a server that resets the connection must not kill the scanner with SIGPIPE.
 * Everything (context, BIO method, and the store unless the caller lends one it loaded once) is
 * created per call; there is no global state.
 */
#include "src/wire/handshake.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "src/pki/trust.h"
#include "src/pki/x509.h"
#include "src/wire/preamble/preamble.h"
#include "src/registry/names.h"

/* Our BIO's type: only BIO_find_type() looks at it, and nobody searches for this one. */
#define HS_BIO_TYPE (0x7f | BIO_TYPE_SOURCE_SINK)

struct hs_sock {
	int fd;
	bool eof;
	bool stopped; /* the BIO refused I/O: the deadline passed or the scan was cancelled */
	enum dbtls_err why;
	struct dbtls_conn bound; /* fd, deadline and cancel fd only: for dbtls_conn_check/wait */
	/* the caller's connection, for its before_recv hook (a pipelined preamble's greeting,
	 * read before the first byte of the server's TLS answer), and what the hook said */
	struct dbtls_conn *conn;
	enum dbtls_err hook_err;
	struct dbtls_diag hook_d;
};

/* False (and s->stopped) once the deadline has passed or the cancel fd fired. */
static bool hs_bio_may(struct hs_sock *s)
{
	enum dbtls_err err = dbtls_conn_check(&s->bound, NULL);

	if (err) {
		s->stopped = true;
		s->why = err;
	}
	return !err;
}

static int hs_bio_write(BIO *b, const char *buf, int len)
{
	struct hs_sock *s = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (!hs_bio_may(s))
		return -1;
	do
		n = send(s->fd, buf, (size_t)len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_write(b);
	return (int)n;
}

static int hs_bio_read(BIO *b, char *buf, int len)
{
	struct hs_sock *s = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (!hs_bio_may(s))
		return -1;
	if (s->conn && s->conn->before_recv) {
		size_t got;

		s->hook_err = dbtls_conn_recv(s->conn, NULL, 0, &got, &s->hook_d);
		if (s->hook_err) {
			s->stopped = true;
			s->why = s->hook_err;
			return -1;
		}
	}
	do
		n = recv(s->fd, buf, (size_t)len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_read(b);
	if (n == 0)
		s->eof = true;
	return (int)n;
}

static long hs_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct hs_sock *s = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF: /* lets OpenSSL tell "peer closed" from "no data yet" */
		return s && s->eof;
	default:
		return 0;
	}
}

/* Moves OpenSSL's whole error queue into out ("; "-separated) and returns the first code. */
static unsigned long hs_drain_errors(char *out, size_t outlen)
{
	unsigned long e, first = 0;
	size_t used = 0;
	char one[256];
	int n;

	out[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		if (!first)
			first = e;
		ERR_error_string_n(e, one, sizeof(one));
		if (used + 1 >= outlen)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? "; " : "", one);
		if (n > 0)
			used += (size_t)n < outlen - used ? (size_t)n : outlen - used - 1;
	}
	return first;
}

/* Fills d with "<what>: <OpenSSL error queue>" (or fallback when the queue is empty), clears the
 * queue and returns err. */
static enum dbtls_err hs_fail(struct dbtls_diag *d, enum dbtls_err err, const char *what,
			      const char *fallback)
{
	char q[400];
	unsigned long first = hs_drain_errors(q, sizeof(q));

	if (d)
		d->ssl_err = first;
	return dbtls_diag_set(d, err, "%s: %s", what, first ? q : fallback);
}

static enum dbtls_err hs_load_store(const char *ca_file, X509_STORE **out, struct dbtls_diag *d)
{
	X509_STORE *store = X509_STORE_new();
	enum dbtls_err err = DBTLS_OK;
	char what[320];

	if (!store) {
		err = hs_fail(d, DBTLS_ERR_NOMEM, "certificate store", "out of memory");
		goto out;
	}
	if (ca_file && !X509_STORE_load_file(store, ca_file)) {
		snprintf(what, sizeof(what), "cannot load CA file %s", ca_file);
		err = hs_fail(d, DBTLS_ERR_FILE, what, "no certificate in it");
		goto out;
	}
	if (!ca_file && !X509_STORE_set_default_paths(store)) {
		err = hs_fail(d, DBTLS_ERR_FILE, "cannot load the system CA store", "failed");
		goto out;
	}
out:
	if (err) {
		X509_STORE_free(store);
		store = NULL;
	}
	*out = store;
	return err;
}

enum dbtls_err dbtls_handshake_store(const char *ca_file, X509_STORE **out, struct dbtls_diag *d)
{
	return hs_load_store(ca_file, out, d);
}

/* The caller's store when it loaded one (a new reference), else one loaded from ca_file now. */
static enum dbtls_err hs_store(X509_STORE *given, const char *ca_file, X509_STORE **out,
			       struct dbtls_diag *d)
{
	if (!given)
		return hs_load_store(ca_file, out, d);
	*out = NULL;
	if (!X509_STORE_up_ref(given))
		return hs_fail(d, DBTLS_ERR_NOMEM, "certificate store", "out of memory");
	*out = given;
	return DBTLS_OK;
}

static enum dbtls_err hs_ctx_new(SSL_CTX **out, struct dbtls_diag *d)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	enum dbtls_err err = DBTLS_OK;

	if (!ctx) {
		err = hs_fail(d, DBTLS_ERR_INTERNAL, "SSL_CTX_new", "failed");
		goto out;
	}
	/* lowest and highest version the library supports; level 0 admits small keys, SHA-1, … */
	if (!SSL_CTX_set_min_proto_version(ctx, 0) || !SSL_CTX_set_max_proto_version(ctx, 0) ||
	    !SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0")) {
		err = hs_fail(d, DBTLS_ERR_INTERNAL, "configuring the TLS client", "failed");
		goto out;
	}
	SSL_CTX_set_security_level(ctx, 0);
	/* the chain is judged after the handshake, so that a bad one is reported, not refused */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* OpenSSL 3 refuses servers without RFC 5746 renegotiation_info; we still want to look */
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT);
out:
	if (err) {
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
	*out = ctx;
	return err;
}

static enum dbtls_err hs_stopped(const struct hs_sock *s, struct dbtls_diag *d)
{
	if (s->hook_err) { /* the greeting before the answer: its own words */
		if (d)
			*d = s->hook_d;
		return s->hook_err;
	}
	return s->why == DBTLS_ERR_INTERRUPTED
		   ? dbtls_diag_set(d, DBTLS_ERR_INTERRUPTED, "TLS handshake interrupted")
		   : dbtls_diag_set(d, DBTLS_ERR_TIMEOUT,
				    "TLS handshake not finished by the connection's deadline");
}

static enum dbtls_err hs_connect(SSL *ssl, struct hs_sock *s, struct dbtls_diag *d)
{
	enum dbtls_err err;
	int rc, e, sys;
	short events;
	const char *what;

	for (;;) {
		/* SSL_get_error() reads the queue: it must hold only this call's entries */
		ERR_clear_error();
		errno = 0;
		rc = SSL_connect(ssl);
		sys = errno;
		if (rc == 1)
			return DBTLS_OK;
		if (s->stopped) {
			ERR_clear_error();
			return hs_stopped(s, d);
		}
		e = SSL_get_error(ssl, rc);
		if (e == SSL_ERROR_WANT_READ) {
			events = POLLIN;
			what = "TLS handshake: waiting for the server";
		} else if (e == SSL_ERROR_WANT_WRITE) {
			events = POLLOUT;
			what = "TLS handshake: sending";
		} else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
			if (d)
				d->sys_errno = sys;
			return hs_fail(d, DBTLS_ERR_TLS, "TLS handshake failed",
				       sys ? strerror(sys) : "connection closed by the server");
		} else {
			return hs_fail(d, DBTLS_ERR_TLS, "TLS handshake failed",
				       "no detail from OpenSSL");
		}
		err = dbtls_conn_wait(&s->bound, events, what, d);
		if (err)
			return err;
	}
}

static enum dbtls_err hs_collect_chain(STACK_OF(X509) * chain, time_t now, struct dbtls_cert **out,
				       size_t *nout, struct dbtls_diag *d)
{
	int n = chain ? sk_X509_num(chain) : 0;
	struct dbtls_cert *certs = NULL;
	enum dbtls_err err = DBTLS_OK;
	size_t done = 0;

	if (n <= 0)
		goto out;
	certs = calloc((size_t)n, sizeof(*certs));
	if (!certs) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (; done < (size_t)n; done++) {
		err = dbtls_x509_cert_facts(sk_X509_value(chain, (int)done), now, &certs[done], d);
		if (err)
			goto out;
	}
out:
	if (err) {
		for (size_t i = 0; i < done; i++)
			dbtls_cert_free(&certs[i]);
		free(certs);
		certs = NULL;
		done = 0;
	}
	*out = certs;
	*nout = done;
	return err;
}

/* Copies an IP literal (brackets stripped) into buf; false when host is a name. */
static bool hs_ip_literal(const char *host, char *buf, size_t buflen)
{
	unsigned char bin[16];
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= buflen)
		return false;
	memcpy(buf, host, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1;
}

static char *hs_name(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	long len;
	char *p;

	if (b && X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0 &&
	    (len = BIO_get_mem_data(b, &p)) >= 0 && (s = malloc((size_t)len + 1))) {
		memcpy(s, p, (size_t)len);
		s[len] = 0;
		/* RFC 2253 output escapes control bytes itself; the rest is kept as the certificate
		 * says and escaped by every writer (src/core/escape.h). Only NUL, which a C string
		 * cannot hold, becomes '?'. */
		for (long i = 0; i < len; i++)
			if (!s[i])
				s[i] = '?';
	}
	BIO_free(b);
	return s;
}

static char *hs_sha256(X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *s;

	if (!X509_digest(x, EVP_sha256(), md, &n) || !(s = malloc(2 * n + 1)))
		return NULL;
	for (unsigned int i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", md[i]);
	return s;
}

/* True when issuer issued x: names, key identifiers and key usage agree (X509_check_issued) and
 * x's signature verifies with issuer's key — what `openssl verify -partial_chain -trusted ISSUER
 * X` decides for one pair, dates, purposes and constraints aside. */
static bool hs_issued(X509 *issuer, X509 *x)
{
	EVP_PKEY *k = X509_get0_pubkey(issuer);
	bool ok = X509_check_issued(issuer, x) == X509_V_OK && k && X509_verify(x, k) == 1;

	ERR_clear_error(); /* a refusal is an answer, not an error to report later */
	return ok;
}

/* The certificates of store (loaded on demand: a hashed directory as well as a file) whose
 * subject is name, new (sk_X509_pop_free), NULL when none. */
static STACK_OF(X509) * hs_store_by_name(X509_STORE *store, const X509_NAME *name)
{
	X509_STORE_CTX *sctx = store ? X509_STORE_CTX_new() : NULL;
	STACK_OF(X509) *sk = NULL;

	if (sctx && X509_STORE_CTX_init(sctx, store, NULL, NULL))
		sk = X509_STORE_CTX_get1_certs(sctx, name);
	X509_STORE_CTX_free(sctx);
	ERR_clear_error(); /* "no such certificate" is an answer */
	return sk;
}

/* A certificate of store that issued x (new reference; X509_free), NULL when none did. */
static X509 *hs_store_issuer(X509_STORE *store, X509 *x)
{
	STACK_OF(X509) *sk = hs_store_by_name(store, X509_get_issuer_name(x));
	X509 *found = NULL;

	for (int i = 0; !found && sk && i < sk_X509_num(sk); i++)
		if (hs_issued(sk_X509_value(sk, i), x) && X509_up_ref(sk_X509_value(sk, i)))
			found = sk_X509_value(sk, i);
	sk_X509_pop_free(sk, X509_free);
	return found;
}

static bool hs_in_store(X509_STORE *store, X509 *x)
{
	STACK_OF(X509) *sk = hs_store_by_name(store, X509_get_subject_name(x));
	bool found = false;

	for (int i = 0; !found && sk && i < sk_X509_num(sk); i++)
		found = X509_cmp(sk_X509_value(sk, i), x) == 0;
	sk_X509_pop_free(sk, X509_free);
	return found;
}

/* The anchor a path ends in: name, fingerprint, expiry. */
static void hs_anchor(X509 *a, time_t now, char **subject, char **sha256, time_t *not_after,
		      long *days_left)
{
	struct tm tm;
	time_t t = 0;

	*subject = hs_name(X509_get_subject_name(a));
	*sha256 = hs_sha256(a);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(a), &tm))
		t = timegm(&tm);
	if (not_after)
		*not_after = t;
	*days_left = t ? dbtls_days_between(now, t) : 0;
}

#define HS_MAX_PATH 32 /* longer paths are not followed further (a loop guard) */

/*
 * The shape of the served chain, from which certificate issued which (hs_issued), whatever the
 * verification result: an expired leaf or a wrong purpose says nothing about what is served. The
 * path starts at the leaf and takes, at each step, the served certificate that issued the
 * current one (the next one first), else the CA bundle's; it ends at a self-signed certificate
 * or where no issuer is to be had. From it:
 * - incomplete: the bundle supplied a certificate that is not self-signed (an intermediate the
 *   server should have sent), or the leaf's issuer is nowhere (no CA bundle certificate issued it
 *   either; an unknown issuer of a served intermediate is an unknown root, cert.untrusted's);
 * - misordered: a served certificate is not followed by its issuer although the issuer is served;
 * - extra: served certificates the path does not use, a second copy of one it does included;
 * - anchor_served: the path ends in a self-signed served certificate the bundle trusts.
 * The trusted root a complete path ends in is never "missing": it is the anchor.
 */
static void hs_chain(X509_STORE *store, STACK_OF(X509) * served, time_t now,
		     struct dbtls_chain_facts *ch)
{
	int n = sk_X509_num(served);
	bool used[HS_MAX_PATH] = {false};
	X509 *cur, *anchor = NULL, *held = NULL; /* held: a bundle certificate we reference */
	int at = 0, steps = 0;

	ch->analysed = true;
	if (n <= 0)
		return;
	if (n > HS_MAX_PATH)
		n = HS_MAX_PATH;
	for (int i = 0; i + 1 < n; i++) {
		X509 *x = sk_X509_value(served, i);
		if (hs_issued(sk_X509_value(served, i + 1), x) || X509_self_signed(x, 0) == 1)
			continue;
		/* its issuer is served, just not next to it */
		for (int k = 0; k < n; k++)
			if (k != i && k != i + 1 && hs_issued(sk_X509_value(served, k), x))
				ch->misordered = true;
	}
	used[0] = true;
	cur = sk_X509_value(served, 0);
	while (steps++ < HS_MAX_PATH) {
		int next = -1;
		X509 *from_store;

		if (X509_self_signed(cur, 1) == 1) {
			/* a served root ends the path; trusted, it is the anchor (served
			 * needlessly) */
			if (at >= 0 && hs_in_store(store, cur)) {
				anchor = cur;
				ch->anchor_served = at > 0;
			} else if (at < 0) {
				anchor = cur; /* the bundle's root */
			}
			break;
		}
		if (at >= 0 && at + 1 < n && !used[at + 1] &&
		    hs_issued(sk_X509_value(served, at + 1), cur))
			next = at + 1;
		for (int k = 0; at >= 0 && next < 0 && k < n; k++)
			if (!used[k] && hs_issued(sk_X509_value(served, k), cur))
				next = k;
		if (next >= 0) {
			used[next] = true;
			at = next;
			cur = sk_X509_value(served, next);
			continue;
		}
		from_store = hs_store_issuer(store, cur);
		if (!from_store) {
			/* the issuer is nowhere: the leaf's means a missing intermediate (the
			 * served chain is the leaf alone, or the leaf's issuer was not sent); a
			 * served CA's is an unknown root (cert.untrusted) */
			if (at == 0 || (at > 0 && !(X509_get_extension_flags(cur) & EXFLAG_CA))) {
				ch->incomplete = true;
				if (!ch->missing_issuer)
					ch->missing_issuer = hs_name(X509_get_issuer_name(cur));
			}
			break;
		}
		X509_free(held);
		held = cur = from_store;
		if (X509_self_signed(cur, 1) != 1) {
			/* an intermediate only the bundle has: clients with the root alone cannot
			 * build the path */
			ch->incomplete = true;
			if (!ch->missing_issuer)
				ch->missing_issuer = hs_name(X509_get_subject_name(cur));
		}
		at = -1; /* off the served list from here */
	}
	for (int i = 0; i < n; i++)
		if (!used[i])
			ch->extra++;
	ch->extra += (size_t)(sk_X509_num(served) - n); /* past the loop guard: not followed */
	if (anchor)
		hs_anchor(anchor, now, &ch->anchor_subject, &ch->anchor_sha256,
			  &ch->anchor_not_after, &ch->anchor_days_left);
	X509_free(held);
}

/* Verifies the served chain against store; returns the X509_V_* code and, in *path (new, may be
 * NULL), the path OpenSSL built (partial when verification failed). */
static int hs_verify_path(X509_STORE *store, STACK_OF(X509) * chain, time_t now,
			  STACK_OF(X509) * *path)
{
	X509 *leaf = sk_X509_value(chain, 0);
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *sctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	int code = X509_V_ERR_UNSPECIFIED, rc;

	if (path)
		*path = NULL;
	if (!untrusted || !sctx)
		goto out;
	/* the stack borrows the certificates; the peer chain keeps them alive */
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(chain, i)))
			goto out;
	if (!X509_STORE_CTX_init(sctx, store, leaf, untrusted) ||
	    !X509_STORE_CTX_set_purpose(sctx, X509_PURPOSE_SSL_SERVER))
		goto out;
	param = X509_STORE_CTX_get0_param(sctx);
	X509_VERIFY_PARAM_set_auth_level(param, 0); /* key sizes are a separate finding */
	X509_VERIFY_PARAM_set_time(param, now);
	rc = X509_verify_cert(sctx);
	code = X509_STORE_CTX_get_error(sctx);
	if (rc != 1 && code == X509_V_OK)
		code = X509_V_ERR_UNSPECIFIED; /* rc < 0: an internal failure */
	if (path)
		*path = X509_STORE_CTX_get1_chain(sctx);
out:
	X509_STORE_CTX_free(sctx);
	sk_X509_free(untrusted);
	return code;
}

/* True when the ASN.1 string a (IA5 or UTF-8) is want + rest, ignoring ASCII case and a
 * trailing dot of a; want may be "" and rest must be non-NULL. */
static bool hs_asn1_name_is(const ASN1_STRING *a, const char *want, const char *rest)
{
	const unsigned char *p = ASN1_STRING_get0_data(a);
	size_t n = (size_t)ASN1_STRING_length(a), w = strlen(want), r = strlen(rest);

	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n != w + r || memchr(p, 0, n))
		return false;
	return strncasecmp((const char *)p, want, w) == 0 &&
	       strncasecmp((const char *)p + w, rest, r) == 0;
}

bool dbtls_handshake_xmpp_id_match(X509 *leaf, const char *domain, const char *service)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	char prefix[64];
	bool ok = false;

	snprintf(prefix, sizeof(prefix), "%s.", service ? service : "");
	for (int i = 0; gens && !ok && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_TYPE *v;
		int nid;

		if (g->type != GEN_OTHERNAME)
			continue;
		nid = OBJ_obj2nid(g->d.otherName->type_id);
		v = g->d.otherName->value;
		if (nid == NID_SRVName && service && v->type == V_ASN1_IA5STRING)
			ok = hs_asn1_name_is(v->value.ia5string, prefix, domain);
		else if (nid == NID_XmppAddr && v->type == V_ASN1_UTF8STRING)
			ok = hs_asn1_name_is(v->value.utf8string, "", domain);
	}
	GENERAL_NAMES_free(gens);
	return ok;
}

/* Judges the served chain: CA bundle, host name, chain shape, rotation readiness. Fills *v (new
 * strings) and *path_out (new; the verified or partial path). */
static enum dbtls_err hs_verify(X509_STORE *store, STACK_OF(X509) * chain, time_t now,
				const struct dbtls_handshake_opts *o, struct dbtls_verification *v,
				STACK_OF(X509) * *path_out, struct dbtls_diag *d)
{
	X509 *leaf = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : NULL;
	enum dbtls_err err = DBTLS_OK;
	const char *host = o ? o->verify_host : NULL;
	char ip[64];

	*path_out = NULL;
	v->ca_source = strdup(o && o->ca_file ? o->ca_file : "system");
	if (host)
		v->hostname_checked = strdup(host);
	if (!v->ca_source || (host && !v->hostname_checked)) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!leaf) {
		/* an anonymous suite: nothing to verify */
		v->verify_code = X509_V_ERR_UNSPECIFIED;
		v->error = strdup("no certificate (anonymous key exchange only)");
		if (!v->error)
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	v->verify_code = hs_verify_path(store, chain, now, path_out);
	v->ca_ok = v->verify_code == X509_V_OK;
	if (!v->ca_ok) {
		v->error = strdup(X509_verify_cert_error_string(v->verify_code));
		if (!v->error) {
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	hs_chain(store, chain, now, &v->chain);
	/* the system store again, whatever --ca-file is: do CA/Browser Forum rules apply? */
	err = dbtls_trust_public(chain, NULL, now, &v->public_trust, d);
	if (err)
		goto out;
	if (o && o->new_ca_file) {
		X509_STORE *ns = NULL;
		STACK_OF(X509) *np = NULL;
		int code;

		err = hs_store(o->new_store, o->new_ca_file, &ns, d);
		if (err)
			goto out;
		code = hs_verify_path(ns, chain, now, &np);
		v->rotation.checked = true;
		v->rotation.ready = code == X509_V_OK;
		if (!v->rotation.ready)
			v->rotation.error = strdup(X509_verify_cert_error_string(code));
		else if (np && sk_X509_num(np) > 0)
			hs_anchor(sk_X509_value(np, sk_X509_num(np) - 1), now,
				  &v->rotation.anchor_subject, &v->rotation.anchor_sha256, NULL,
				  &v->rotation.anchor_days_left);
		sk_X509_pop_free(np, X509_free);
		X509_STORE_free(ns);
	}
	if (host && hs_ip_literal(host, ip, sizeof(ip)))
		v->hostname_ok = X509_check_ip_asc(leaf, ip, 0) == 1;
	else if (host)
		v->hostname_ok = X509_check_host(leaf, host, strlen(host), 0, NULL) == 1 ||
				 (o->xmpp_srv_service &&
				  dbtls_handshake_xmpp_id_match(leaf, host, o->xmpp_srv_service));
out:
	return err;
}

void dbtls_handshake_keep_free(struct dbtls_handshake_keep *k)
{
	if (!k)
		return;
	sk_X509_pop_free(k->served, X509_free);
	sk_X509_pop_free(k->path, X509_free);
	free(k->stapled);
	memset(k, 0, sizeof(*k));
}

/* A CertificateRequest arrived: note it (app data) and send no certificate. */
static int hs_client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	bool *requested = SSL_get_app_data(ssl);

	(void)x509;
	(void)pkey;
	if (requested)
		*requested = true;
	return 0;
}

/* The CertificateRequest as the handshake saw it: CA names and signature schemes. */
static enum dbtls_err hs_client_auth(SSL *ssl, bool requested, struct dbtls_client_auth_facts *ca)
{
	const STACK_OF(X509_NAME) *names = requested ? SSL_get0_peer_CA_list(ssl) : NULL;
	int nsig = requested ? SSL_get_sigalgs(ssl, -1, NULL, NULL, NULL, NULL, NULL) : 0;
	struct dbtls_client_auth_facts n = {.probed = true, .requested = requested};
	enum dbtls_err err = DBTLS_ERR_NOMEM;
	char hex[8];

	if (names && sk_X509_NAME_num(names) > 0 &&
	    !(n.ca_names = calloc((size_t)sk_X509_NAME_num(names), sizeof(*n.ca_names))))
		goto out;
	for (int i = 0; names && i < sk_X509_NAME_num(names); i++)
		if (!(n.ca_names[n.nca_names++] = hs_name(sk_X509_NAME_value(names, i))))
			goto out;
	if (nsig > 0 && !(n.sigalgs = calloc((size_t)nsig, sizeof(*n.sigalgs))))
		goto out;
	for (int i = 0; i < nsig; i++) {
		unsigned char rsig = 0, rhash = 0;
		SSL_get_sigalgs(ssl, i, NULL, NULL, NULL, &rsig, &rhash);
		if (!(n.sigalgs[n.nsigalgs++] = strdup(
			  dbtls_sigalg_label((uint16_t)(rhash << 8 | rsig), hex, sizeof(hex)))))
			goto out;
	}
	*ca = n;
	return DBTLS_OK;
out:
	for (size_t i = 0; i < n.nca_names; i++)
		free(n.ca_names[i]);
	for (size_t i = 0; i < n.nsigalgs; i++)
		free(n.sigalgs[i]);
	free(n.ca_names);
	free(n.sigalgs);
	return err;
}

/* ---- the session ticket (RFC 5077, RFC 8446 §4.6.1) ---- */

/* How long to read for a TLS 1.3 NewSessionTicket: a server sends it once it has the client's
 * Finished, so it arrives about one round trip after the handshake ends; twice the handshake's
 * own time covers that, within [HS_TICKET_MIN_MS, HS_TICKET_MAX_MS] and never past the deadline. */
#define HS_TICKET_MIN_MS 50
#define HS_TICKET_MAX_MS 1000

/* Reads the ticket the server issued into *t. TLS 1.2 tickets are part of the handshake: only
 * the session is looked at. For TLS 1.3 the records after the handshake are read (application
 * data, which no database sends before the client speaks, is dropped) until a ticket is there or
 * the short wait is over. The connection's deadline stays the bound: the wait only shortens it,
 * and a stop during the wait is not a handshake failure (the ticket is then "could not tell"). */
static void hs_ticket(SSL *ssl, struct hs_sock *s, int64_t hs_ms, struct dbtls_ticket_facts *t)
{
	const SSL_SESSION *sess = SSL_get0_session(ssl);
	int64_t saved = s->bound.deadline_ms, start = dbtls_net_now_ms(), wait = 2 * hs_ms;
	unsigned char buf[512];

	memset(t, 0, sizeof(*t));
	t->probed = true;
	t->lifetime_s = -1;
	if (SSL_version(ssl) != TLS1_3_VERSION) {
		t->issued = sess && SSL_SESSION_has_ticket(sess);
		goto out;
	}
	wait = wait < HS_TICKET_MIN_MS	 ? HS_TICKET_MIN_MS
	       : wait > HS_TICKET_MAX_MS ? HS_TICKET_MAX_MS
					 : wait;
	if (start + wait < saved || !saved)
		s->bound.deadline_ms = start + wait;
	for (;;) {
		int rc, e;

		ERR_clear_error();
		rc = SSL_read(ssl, buf, (int)sizeof(buf));
		sess = SSL_get0_session(ssl);
		if (s->stopped || (sess && SSL_SESSION_has_ticket(sess)))
			break;
		if (rc > 0)
			continue; /* application data: not ours to read */
		e = SSL_get_error(ssl, rc);
		if (e != SSL_ERROR_WANT_READ ||
		    dbtls_conn_wait(&s->bound, POLLIN, "reading a session ticket", NULL))
			break;
	}
	sess = SSL_get0_session(ssl);
	t->issued = sess && SSL_SESSION_has_ticket(sess) ? 1 : -1;
	s->bound.deadline_ms = saved;
	s->stopped = false;
	s->why = DBTLS_OK;
	ERR_clear_error();
out:
	if (t->issued == 1)
		t->lifetime_s = (long)SSL_SESSION_get_ticket_lifetime_hint(sess);
}

enum dbtls_err dbtls_handshake_certs(struct dbtls_conn *c, const struct dbtls_handshake_opts *o,
				     struct dbtls_endpoint_facts *f, struct dbtls_diag *d)
{
	return dbtls_handshake_certs_keep(c, o, f, NULL, d);
}

enum dbtls_err dbtls_handshake_certs_keep(struct dbtls_conn *c,
					  const struct dbtls_handshake_opts *o,
					  struct dbtls_endpoint_facts *f,
					  struct dbtls_handshake_keep *keep, struct dbtls_diag *d)
{
	struct dbtls_verification v;
	struct hs_sock sock = {.fd = -1};
	struct dbtls_cert *certs = NULL;
	size_t ncerts = 0;
	enum dbtls_err err = DBTLS_OK;
	X509_STORE *store = NULL;
	BIO_METHOD *meth = NULL;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	BIO *bio;
	const SSL_CIPHER *cipher;
	const char *name;
	STACK_OF(X509) *path = NULL;
	const unsigned char *stapled = NULL;
	long stapled_len;
	char ipbuf[64];
	time_t now = time(NULL); /* one scan time for days_left and for chain validity */
	struct dbtls_client_auth_facts ca = {0};
	bool cert_requested = false;
	int timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : c ? c->timeout_ms : 0;
	int64_t deadline, hs_start;

	memset(&v, 0, sizeof(v));
	if (!c || !f || c->fd < 0 || (timeout_ms <= 0 && !c->deadline_ms))
		return dbtls_diag_set(d, DBTLS_ERR_USAGE,
				      "handshake needs a connected socket and a timeout");
	/* one deadline for the whole handshake: the connection's, else timeout_ms from now */
	deadline = c->deadline_ms ? c->deadline_ms : dbtls_net_now_ms() + timeout_ms;
	ERR_clear_error();
	/* a CA file that does not load is a configuration error: find out before talking */
	err = hs_store(o ? o->store : NULL, o ? o->ca_file : NULL, &store, d);
	if (err)
		goto out;
	err = hs_ctx_new(&ctx, d);
	if (err)
		goto out;

	sock.fd = c->fd;
	sock.conn = c;
	sock.bound.fd = c->fd;
	sock.bound.deadline_ms = deadline;
	sock.bound.cancel_fd = c->cancel_fd;
	meth = BIO_meth_new(HS_BIO_TYPE, "dbtls socket");
	ssl = SSL_new(ctx);
	if (!meth || !ssl || !BIO_meth_set_write(meth, hs_bio_write) ||
	    !BIO_meth_set_read(meth, hs_bio_read) || !BIO_meth_set_ctrl(meth, hs_bio_ctrl)) {
		err = hs_fail(d, DBTLS_ERR_NOMEM, "TLS setup", "out of memory");
		goto out;
	}
	bio = BIO_new(meth);
	if (!bio) {
		err = hs_fail(d, DBTLS_ERR_NOMEM, "TLS setup", "out of memory");
		goto out;
	}
	BIO_set_data(bio, &sock);
	BIO_set_init(bio, 1);
	SSL_set_bio(ssl, bio, bio); /* ssl owns bio from here */
	/* RFC 6066 §3: a literal IPv4 or IPv6 address is never sent as server_name */
	if (o && o->sni && !hs_ip_literal(o->sni, ipbuf, sizeof(ipbuf)) &&
	    !SSL_set_tlsext_host_name(ssl, o->sni)) {
		err = hs_fail(d, DBTLS_ERR_USAGE, "invalid SNI name", o->sni);
		goto out;
	}
	if (o && o->alpn && o->alpn[0]) {
		uint8_t wire[DBTLS_ALPN_MAX * (DBTLS_ALPN_NAME_MAX + 1)];
		size_t n = dbtls_alpn_wire(o->alpn, wire, sizeof(wire));

		/* SSL_set_alpn_protos returns 0 on success, unlike the rest of OpenSSL */
		if (!n || SSL_set_alpn_protos(ssl, wire, (unsigned)n) != 0) {
			err = hs_fail(d, DBTLS_ERR_USAGE, "invalid ALPN list", o->alpn[0]);
			goto out;
		}
		v.alpn_offered = true;
	}
	/* ask for a stapled OCSP response: whether the server staples is itself a fact */
	SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
	if (o && o->client_auth) {
		SSL_set_app_data(ssl, &cert_requested);
		SSL_CTX_set_client_cert_cb(ctx, hs_client_cert_cb);
	}
	SSL_set_connect_state(ssl);

	hs_start = dbtls_net_now_ms();
	err = hs_connect(ssl, &sock, d);
	if (err)
		goto out;
	if (!o || !o->no_ticket)
		hs_ticket(ssl, &sock, dbtls_net_now_ms() - hs_start, &v.ticket);

	/* for a client the peer chain starts with the leaf */
	err = hs_collect_chain(SSL_get_peer_cert_chain(ssl), now, &certs, &ncerts, d);
	if (err)
		goto out;
	err = hs_verify(store, SSL_get_peer_cert_chain(ssl), now, o, &v, &path, d);
	if (err)
		goto out;
	stapled_len = SSL_get_tlsext_status_ocsp_resp(ssl, &stapled);
	v.stapled = stapled && stapled_len > 0;
	if (keep) {
		memset(keep, 0, sizeof(*keep));
		keep->served = X509_chain_up_ref(SSL_get_peer_cert_chain(ssl));
		keep->path = path; /* ownership moves to keep */
		path = NULL;
		if (v.stapled && (keep->stapled = malloc((size_t)stapled_len))) {
			memcpy(keep->stapled, stapled, (size_t)stapled_len);
			keep->nstapled = (size_t)stapled_len;
		}
		if (!keep->served || (v.stapled && !keep->stapled)) {
			dbtls_handshake_keep_free(keep);
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	cipher = SSL_get_current_cipher(ssl);
	name = cipher ? SSL_CIPHER_standard_name(cipher) : NULL;
	if (!name && cipher)
		name = SSL_CIPHER_get_name(cipher);
	v.protocol = strdup(SSL_get_version(ssl));
	v.cipher = name ? strdup(name) : NULL;
	if (v.alpn_offered) {
		const unsigned char *sel = NULL;
		unsigned nsel = 0;

		/* OpenSSL has already refused a pick that was not on our list */
		SSL_get0_alpn_selected(ssl, &sel, &nsel);
		/* sel is not NUL-terminated: copy, never strndup */
		if (sel && nsel) {
			v.alpn = malloc(nsel + 1);
			if (!v.alpn) {
				err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
				goto out;
			}
			memcpy(v.alpn, sel, nsel);
			v.alpn[nsel] = 0;
		}
	}
	if (!v.protocol || (name && !v.cipher)) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	v.done = true;
	if (o && o->client_auth) {
		err = hs_client_auth(ssl, cert_requested, &ca);
		if (err) {
			err = dbtls_diag_set(d, err, "out of memory");
			goto out;
		}
	}

	/* say goodbye once without waiting for the answer; the caller closes the socket */
	SSL_shutdown(ssl);
out:
	sk_X509_pop_free(path, X509_free);
	SSL_free(ssl); /* and the bio it owns */
	BIO_meth_free(meth);
	SSL_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	if (err) {
		for (size_t i = 0; i < ncerts; i++)
			dbtls_cert_free(&certs[i]);
		free(certs);
		dbtls_verification_free(&v);
		return err;
	}
	for (size_t i = 0; i < f->ncerts; i++)
		dbtls_cert_free(&f->certs[i]);
	free(f->certs);
	dbtls_verification_free(&f->verification);
	f->certs = certs;
	f->ncerts = ncerts;
	f->verification = v;
	if (ca.probed) {
		for (size_t i = 0; i < f->client_auth.nca_names; i++)
			free(f->client_auth.ca_names[i]);
		for (size_t i = 0; i < f->client_auth.nsigalgs; i++)
			free(f->client_auth.sigalgs[i]);
		free(f->client_auth.ca_names);
		free(f->client_auth.sigalgs);
		f->client_auth = ca;
	}
	return DBTLS_OK;
}

/* ---- TLS 1.3 signature schemes (handshake facts) ---- */

/* The IANA scheme the server signed its CertificateVerify with, from what OpenSSL reports. */
static uint16_t hs_peer_sigalg(SSL *ssl)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	EVP_PKEY *key = leaf ? X509_get0_pubkey(leaf) : NULL;
	int type = 0, hash = 0, h = 0;

	if (!SSL_get_peer_signature_type_nid(ssl, &type))
		return 0;
	SSL_get_peer_signature_nid(ssl, &hash);
	h = hash == NID_sha256 ? 0 : hash == NID_sha384 ? 1 : hash == NID_sha512 ? 2 : -1;
	switch (type) {
	case EVP_PKEY_ED25519:
		return 0x0807;
	case EVP_PKEY_ED448:
		return 0x0808;
	case EVP_PKEY_EC:
		return h < 0 ? 0 : (uint16_t)(0x0403 + 0x0100 * h);
	case EVP_PKEY_RSA_PSS:
		if (h < 0)
			return 0;
		/* rsae: an rsaEncryption key; pss: an RSASSA-PSS key */
		return (uint16_t)((key && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA_PSS ? 0x0809
											: 0x0804) +
				  h);
	}
	return 0;
}

enum dbtls_err dbtls_handshake_sigalg13(struct dbtls_conn *c, const char *sni, int timeout_ms,
					const uint16_t *algs, size_t n, uint16_t *picked,
					struct dbtls_diag *d)
{
	struct hs_sock sock = {.fd = -1};
	enum dbtls_err err = DBTLS_OK;
	BIO_METHOD *meth = NULL;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	char list[1024] = "", ipbuf[64];
	size_t o = 0;
	BIO *bio;

	*picked = 0;
	if (!c || c->fd < 0)
		return dbtls_diag_set(d, DBTLS_ERR_USAGE, "handshake needs a connected socket");
	if (timeout_ms <= 0)
		timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 10000;
	for (size_t i = 0; i < n; i++) {
		const char *name = dbtls_sigalg_name(algs[i]);
		if (name && o + strlen(name) + 2 < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ":" : "",
					      name);
	}
	ERR_clear_error();
	err = hs_ctx_new(&ctx, d);
	if (err)
		goto out;
	if (!o || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set1_sigalgs_list(ctx, list)) {
		err = hs_fail(d, DBTLS_ERR_INPUT, "signature schemes the local OpenSSL refuses",
			      list);
		goto out;
	}
	sock.fd = c->fd;
	sock.bound.fd = c->fd;
	sock.bound.deadline_ms = c->deadline_ms ? c->deadline_ms : dbtls_net_now_ms() + timeout_ms;
	sock.bound.cancel_fd = c->cancel_fd;
	meth = BIO_meth_new(HS_BIO_TYPE, "dbtls socket");
	ssl = SSL_new(ctx);
	if (!meth || !ssl || !BIO_meth_set_write(meth, hs_bio_write) ||
	    !BIO_meth_set_read(meth, hs_bio_read) || !BIO_meth_set_ctrl(meth, hs_bio_ctrl) ||
	    !(bio = BIO_new(meth))) {
		err = hs_fail(d, DBTLS_ERR_NOMEM, "TLS setup", "out of memory");
		goto out;
	}
	BIO_set_data(bio, &sock);
	BIO_set_init(bio, 1);
	SSL_set_bio(ssl, bio, bio);
	if (sni && !hs_ip_literal(sni, ipbuf, sizeof(ipbuf)))
		SSL_set_tlsext_host_name(ssl, sni);
	SSL_set_connect_state(ssl);
	err = hs_connect(ssl, &sock, d);
	if (err == DBTLS_ERR_TLS) {
		err = DBTLS_OK; /* refused: none of the schemes will do */
		goto out;
	}
	if (err)
		goto out;
	*picked = hs_peer_sigalg(ssl);
	SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	BIO_meth_free(meth);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return err;
}
