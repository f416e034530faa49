/* SPDX-License-Identifier: MIT */
/*
 * revocation.c — revocation status of served certificates, through OpenSSL's own OCSP, CRL and
 * HTTP client code.
 *
 * Per certificate (leaf first; intermediates unless leaf-only; never a trust anchor) the sources
 * are asked in a fixed order and the first that gives good / revoked / unknown wins: the stapled
 * OCSP response (leaf only), each --crl file, the AIA OCSP responders, the CRL distribution
 * points. A source that cannot answer leaves one line in `detail` saying why, so "unavailable"
 * always comes with what was tried. Trust is narrow on purpose: an OCSP response must be signed by
 * the certificate's issuer or by a responder certificate that issuer delegated to (OCSP signing
 * EKU), and a CRL by the issuer's key; the issuer is the one from the verified path when there is
 * one. Everything a server or a responder sends is hostile input: bounded in size, under a
 * deadline, and any text taken from it is escaped before it lands in the facts.
 *
 * Fetches go through OSSL_HTTP (plain http:// only, no TLS callback is given, so https and
 * redirects to https fail cleanly), which honours http_proxy / no_proxy like the openssl tools.
 * A run-wide cache holds one answer per (issuer name, issuer key, serial) and one download per
 * CRL URL or --crl file; a lookup that another worker is doing waits for it instead of fetching
 * again, so one run asks a responder at most once per certificate.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* timegm() */
#endif

#include "src/wire/revocation.h"
#include "src/wire/net.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/http.h>
#include <openssl/httperr.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define RV_OCSP_MAX_LEN (1024 * 1024)	   /* largest OCSP response accepted */
#define RV_CRL_MAX_LEN	(10 * 1024 * 1024) /* largest CRL downloaded */
#define RV_LEEWAY_S	300		   /* clock skew tolerated on thisUpdate / nextUpdate */
#define RV_BUCKETS	64
#define RV_URL_SHOW	200 /* longest URL quoted in a detail */

/* --- cache ------------------------------------------------------------------------------- */

/*
 * One table for both kinds of entry: "cert:<hash>" holds an answer, "url:…" and "file:…" hold the
 * CRLs read from there (or why that failed). An entry is created pending by the thread that will
 * fill it; others wait on `cond` until it is done. Entries live until the cache is freed, so a
 * pointer to a done entry stays valid and its contents never change.
 */
struct rv_entry {
	struct rv_entry *next;
	char *key;
	bool done;
	struct dbtls_revocation result; /* cert entries */
	STACK_OF(X509_CRL) * crls;	/* CRL entries: what was read, NULL on failure */
	char *error;			/* CRL entries: why nothing was read */
};

struct dbtls_rev_cache {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rv_entry *buckets[RV_BUCKETS];
};

struct dbtls_rev_cache *dbtls_rev_cache_new(void)
{
	struct dbtls_rev_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL)) {
		free(c);
		return NULL;
	}
	if (pthread_cond_init(&c->cond, NULL)) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return NULL;
	}
	return c;
}

static void rv_clear(struct dbtls_revocation *r)
{
	free(r->source);
	free(r->revoked_at);
	free(r->reason);
	free(r->this_update);
	free(r->next_update);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

void dbtls_rev_cache_free(struct dbtls_rev_cache *c)
{
	if (!c)
		return;
	for (size_t b = 0; b < RV_BUCKETS; b++) {
		struct rv_entry *e = c->buckets[b], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->key);
			rv_clear(&e->result);
			sk_X509_CRL_pop_free(e->crls, X509_CRL_free);
			free(e->error);
			free(e);
		}
	}
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static size_t rv_bucket(const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % RV_BUCKETS;
}

/*
 * Returns the entry for key (borrowed, owned by the cache), waiting while another thread fills
 * it. When there was none, creates it pending and sets *owner: the caller must fill it and call
 * rv_cache_done(). NULL when out of memory.
 */
static struct rv_entry *rv_cache_claim(struct dbtls_rev_cache *c, const char *key, bool *owner)
{
	size_t b = rv_bucket(key);
	struct rv_entry *e;

	*owner = false;
	pthread_mutex_lock(&c->lock);
	for (e = c->buckets[b]; e; e = e->next)
		if (!strcmp(e->key, key))
			break;
	if (e) {
		while (!e->done)
			pthread_cond_wait(&c->cond, &c->lock);
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	e->key = strdup(key);
	if (!e->key) {
		free(e);
		e = NULL;
		goto out;
	}
	e->next = c->buckets[b];
	c->buckets[b] = e;
	*owner = true;
out:
	pthread_mutex_unlock(&c->lock);
	return e;
}

static void rv_cache_done(struct dbtls_rev_cache *c, struct rv_entry *e)
{
	pthread_mutex_lock(&c->lock);
	e->done = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* --- small helpers ---------------------------------------------------------------------- */

/* What was tried and why it did not answer, "; "-separated. */
struct rv_notes {
	char *s;
	size_t len;
};

/* Copy of s with control and non-ASCII bytes as \xNN (text from the network must not reach a
 * report raw: the JSON writer wants valid UTF-8), cut at max bytes of input. New, NULL on OOM. */
static char *rv_escape(const char *s, size_t max)
{
	size_t n = strnlen(s, max), o = 0;
	char *out = malloc(4 * n + 4);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch >= 0x7f)
			o += (size_t)sprintf(out + o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	if (s[n])
		o += (size_t)sprintf(out + o, "...");
	out[o] = '\0';
	return out;
}

static void rv_note(struct rv_notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rv_note(struct rv_notes *n, const char *fmt, ...)
{
	va_list ap;
	char *raw = NULL, *line, *grown;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&raw, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	/* notes quote servers (an HTTP reason phrase, a URL): escape whatever is not plain ASCII */
	line = rv_escape(raw, SIZE_MAX);
	free(raw);
	if (!line)
		return;
	len = (int)strlen(line);
	grown = realloc(n->s, n->len + (size_t)len + 3);
	if (!grown)
		goto out;
	n->s = grown;
	if (n->len) {
		memcpy(n->s + n->len, "; ", 2);
		n->len += 2;
	}
	memcpy(n->s + n->len, line, (size_t)len + 1);
	n->len += (size_t)len;
out:
	free(line);
}

/* Moves the notes into *detail (steals them; *detail must be NULL). */
static void rv_notes_to(struct rv_notes *n, char **detail)
{
	*detail = n->s;
	n->s = NULL;
	n->len = 0;
}

static bool rv_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = timegm(&tm);
	return true;
}

/* RFC 3339 of an ASN1_TIME; new string, NULL when t is NULL or unreadable. */
static char *rv_time_str(const ASN1_TIME *t)
{
	char buf[32];
	time_t tt;

	if (!rv_time(t, &tt))
		return NULL;
	dbtls_rfc3339(tt, buf, sizeof(buf));
	return strdup(buf);
}

/* The CRLReason names of RFC 5280 5.3.1 (OCSP uses the same codes); NULL for none / unknown. */
static const char *rv_reason_name(long code)
{
	static const char *const names[] = {
	    [0] = "unspecified",	[1] = "keyCompromise", [2] = "cACompromise",
	    [3] = "affiliationChanged", [4] = "superseded",    [5] = "cessationOfOperation",
	    [6] = "certificateHold",	[8] = "removeFromCRL", [9] = "privilegeWithdrawn",
	    [10] = "aACompromise",
	};

	if (code < 0 || code >= (long)(sizeof(names) / sizeof(names[0])))
		return NULL;
	return names[code];
}

/*
 * Why the OSSL_HTTP call just made failed, from the errors it queued (the queue was cleared
 * before it). The oldest entry is the cause ("missing asn1 encoding", "received error
 * code=404"); later ones only wrap it ("error receiving").
 */
static void rv_http_why(char *buf, size_t len, int timeout_s, size_t max_len)
{
	const char *data = NULL;
	int flags = 0;
	unsigned long e = ERR_peek_error_all(NULL, NULL, NULL, &data, &flags);
	int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);
	const char *rs;

	if (!e) {
		snprintf(buf, len, "no response");
	} else if (lib == ERR_LIB_BIO && reason == BIO_R_CONNECT_TIMEOUT) {
		/* OpenSSL retries a refused connect until the deadline, so refused ends here too */
		snprintf(buf, len, "no connection within %d s (refused, unreachable or unresolved)",
			 timeout_s);
	} else if ((lib == ERR_LIB_BIO && reason == BIO_R_TRANSFER_TIMEOUT) ||
		   (lib == ERR_LIB_HTTP && reason == HTTP_R_RETRY_TIMEOUT)) {
		snprintf(buf, len, "timed out after %d s", timeout_s);
	} else if (lib == ERR_LIB_HTTP && reason == HTTP_R_TLS_NOT_ENABLED) {
		snprintf(buf, len, "redirected to https, not supported (HTTP only)");
	} else if (lib == ERR_LIB_HTTP && (reason == HTTP_R_MAX_RESP_LEN_EXCEEDED ||
					   reason == HTTP_R_ASN1_LEN_EXCEEDS_MAX_RESP_LEN)) {
		snprintf(buf, len, "response larger than %zu bytes, refused", max_len);
	} else {
		rs = ERR_reason_error_string(e);
		if (data && (flags & ERR_TXT_STRING) && *data)
			snprintf(buf, len, "%s (%s)", rs ? rs : "HTTP error", data);
		else
			snprintf(buf, len, "%s", rs ? rs : "HTTP error");
	}
}

/* --- one lookup ------------------------------------------------------------------------- */

/*
 * Opens the connection for an OCSP request or CRL download ourselves, unless a proxy applies:
 * OpenSSL 3.0's HTTP client retries a refused connection until its deadline, so an immediate RST
 * would cost the whole --timeout and be reported as "no connection". A refusal is an answer.
 * Returns 1 with *c connected (non-blocking; the caller closes it) and *bio a socket BIO on it
 * (new, not owning the socket) for OSSL_HTTP's bio and rbio; 0 with why filled when the connection
 * failed ("connection refused", or the reason, within the same deadline); -1 when OSSL_HTTP is
 * to connect by itself (a proxy, a URL it will reject on its own, out of memory).
 */
static int rv_connect(const char *url, int timeout_ms, struct dbtls_conn *c, BIO **bio, char *why,
		      size_t len)
{
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	char *host = NULL;
	int ssl = 0, port = 0, rc = -1;

	*bio = NULL;
	if (!OSSL_HTTP_parse_url(url, &ssl, NULL, &host, NULL, &port, NULL, NULL, NULL) || ssl ||
	    port <= 0 || port > 65535 || OSSL_HTTP_adapt_proxy(NULL, NULL, host, 0))
		goto out;
	/* whole seconds, as the HTTP exchange that follows is bounded (OSSL_HTTP takes seconds) */
	err =
	    dbtls_conn_open(c, host, (uint16_t)port,
			    timeout_ms > 0 ? (timeout_ms + 999) / 1000 * 1000 : 1000, NULL, 0, &d);
	if (err) {
		if (err == DBTLS_ERR_REFUSED)
			snprintf(why, len, "connection refused");
		else
			snprintf(why, len, "%.200s", d.msg[0] ? d.msg : dbtls_strerror(err));
		rc = 0;
		goto out;
	}
	*bio = BIO_new_socket(c->fd, BIO_NOCLOSE);
	if (!*bio) {
		dbtls_conn_close(c);
		goto out;
	}
	rc = 1;
out:
	ERR_clear_error(); /* the parse and proxy look-up queue nothing the caller wants */
	OPENSSL_free(host);
	return rc;
}

struct rv_ctx {
	const struct dbtls_rev_opts *o;
	struct dbtls_rev_cache *cache;
	int timeout_s;
	time_t now;
	X509 *x;      /* the certificate being checked */
	X509 *issuer; /* its issuer (borrowed) */
};

/*
 * Accepts a URL for fetching or notes why not. Returns the escaped URL for messages (new) and
 * sets *ok; NULL on OOM.
 */
static char *rv_url_check(const char *url, const char *kind, struct rv_notes *n, bool *ok)
{
	char *shown = rv_escape(url, RV_URL_SHOW);

	*ok = false;
	if (!shown)
		return NULL;
	if (!strncasecmp(url, "http://", 7))
		*ok = true;
	else if (!strncasecmp(url, "https://", 8))
		rv_note(n, "%s %s: https is not supported (HTTP only)", kind, shown);
	else
		rv_note(n, "%s %s: not an http URL", kind, shown);
	return shown;
}

/*
 * True when bs is signed by the issuer itself or by a responder certificate the issuer issued
 * with the OCSP signing EKU. The store holds the issuer alone (a partial chain is allowed, so
 * neither its own chain nor anything else the verifier knows can vouch for a signer), and
 * OCSP_NOEXPLICIT stops OpenSSL from accepting any signer that merely chains to a trusted root.
 */
static bool rv_ocsp_verify(struct rv_ctx *cx, OCSP_BASICRESP *bs)
{
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *certs = sk_X509_new_null();
	bool ok = false;

	if (!store || !certs)
		goto out;
	if (!X509_STORE_add_cert(store, cx->issuer) ||
	    !X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN))
		goto out;
	if (!sk_X509_push(certs, cx->issuer))
		goto out;
	ok = OCSP_basic_verify(bs, certs, store, OCSP_NOEXPLICIT) == 1;
out:
	sk_X509_free(certs);
	X509_STORE_free(store);
	return ok;
}

/* Finds the single response for cx->x (a CertID made with SHA-1 or SHA-256). */
static bool rv_ocsp_find(struct rv_ctx *cx, OCSP_BASICRESP *bs, int *status, int *reason,
			 ASN1_GENERALIZEDTIME **rev, ASN1_GENERALIZEDTIME **thisupd,
			 ASN1_GENERALIZEDTIME **nextupd)
{
	const EVP_MD *mds[] = {EVP_sha1(), EVP_sha256()};
	bool found = false;

	for (size_t i = 0; i < 2 && !found; i++) {
		OCSP_CERTID *id = OCSP_cert_to_id(mds[i], cx->x, cx->issuer);

		if (!id)
			continue;
		found = OCSP_resp_find_status(bs, id, status, reason, rev, thisupd, nextupd) == 1;
		OCSP_CERTID_free(id);
	}
	return found;
}

/*
 * Judges an OCSP response for cx->x from `label` ("stapled OCSP", "OCSP http://…"); req is the
 * request it answers (for the nonce), NULL for a stapled one. Fills out and returns true when it
 * answers; otherwise notes why and returns false.
 */
static bool rv_ocsp_eval(struct rv_ctx *cx, OCSP_RESPONSE *resp, OCSP_REQUEST *req,
			 const char *label, struct dbtls_revocation *out, struct rv_notes *n)
{
	OCSP_BASICRESP *bs = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int rstatus, status = -1, reason = -1;
	time_t t_this = 0, t_next = 0;
	char *shown_this = NULL, *shown_next = NULL;
	bool answered = false, stale = false;

	rstatus = OCSP_response_status(resp);
	if (rstatus != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		rv_note(n, "%s: responder answered %s", label, OCSP_response_status_str(rstatus));
		goto out;
	}
	bs = OCSP_response_get1_basic(resp);
	if (!bs) {
		rv_note(n, "%s: not a basic OCSP response", label);
		goto out;
	}
	if (req && OCSP_check_nonce(req, bs) == 0) {
		rv_note(n, "%s: nonce does not match the request (replayed response?)", label);
		goto out;
	}
	if (!rv_ocsp_verify(cx, bs)) {
		rv_note(n,
			"%s: signature does not verify (not signed by the issuer or a responder it "
			"authorised)",
			label);
		goto out;
	}
	if (!rv_ocsp_find(cx, bs, &status, &reason, &rev, &thisupd, &nextupd)) {
		rv_note(n, "%s: does not cover this certificate", label);
		goto out;
	}
	if (!rv_time(thisupd, &t_this) || (nextupd && !rv_time(nextupd, &t_next))) {
		rv_note(n, "%s: unreadable thisUpdate / nextUpdate", label);
		goto out;
	}
	if (!OCSP_check_validity(thisupd, nextupd, RV_LEEWAY_S, -1)) {
		/* a signed "revoked" stays true once its date has passed; "good" does not */
		stale = t_this <= cx->now + RV_LEEWAY_S && status == V_OCSP_CERTSTATUS_REVOKED;
		if (!stale) {
			shown_this = rv_time_str(thisupd);
			shown_next = rv_time_str(nextupd);
			rv_note(n, "%s: outside its validity period (thisUpdate %s, nextUpdate %s)",
				label, shown_this ? shown_this : "?",
				shown_next ? shown_next : "none");
			goto out;
		}
		rv_note(n, "%s: stale response (nextUpdate has passed), revocation still counts",
			label);
	}

	switch (status) {
	case V_OCSP_CERTSTATUS_GOOD:
		out->status = DBTLS_REV_GOOD;
		break;
	case V_OCSP_CERTSTATUS_REVOKED:
		out->status = DBTLS_REV_REVOKED;
		out->revoked_at = rv_time_str(rev);
		out->reason = dbtls_strdup(rv_reason_name(reason));
		break;
	default:
		out->status = DBTLS_REV_UNKNOWN;
		rv_note(n, "%s: the responder does not know this certificate", label);
		break;
	}
	out->source = strdup(label);
	out->this_update = rv_time_str(thisupd);
	out->next_update = rv_time_str(nextupd);
	answered = true;
out:
	free(shown_this);
	free(shown_next);
	OCSP_BASICRESP_free(bs);
	return answered;
}

static bool rv_stapled(struct rv_ctx *cx, const unsigned char *der, size_t len,
		       struct dbtls_revocation *out, struct rv_notes *n)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = NULL;
	bool answered = false;

	if (len > RV_OCSP_MAX_LEN) {
		rv_note(n, "stapled OCSP: larger than %d bytes, refused", RV_OCSP_MAX_LEN);
		goto out;
	}
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	if (!resp) {
		rv_note(n, "stapled OCSP: not an OCSP response");
		goto out;
	}
	answered = rv_ocsp_eval(cx, resp, NULL, "stapled OCSP", out, n);
out:
	OCSP_RESPONSE_free(resp);
	return answered;
}

/* Asks the OCSP responder at url about cx->x (POST, with a nonce). */
static bool rv_ocsp_url(struct rv_ctx *cx, const char *url, struct dbtls_revocation *out,
			struct rv_notes *n)
{
	char *shown, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *label = NULL;
	char *target = NULL, why[256];
	OCSP_REQUEST *req = NULL;
	OCSP_CERTID *id = NULL;
	OCSP_RESPONSE *resp = NULL;
	BIO *reqbio = NULL, *rsp = NULL, *sock = NULL;
	bool answered = false, ok = false;
	size_t before = n->len;
	struct dbtls_conn conn;
	int ssl = 0, own = -1;

	shown = rv_url_check(url, "OCSP", n, &ok);
	if (!shown || !ok)
		goto out;
	if (asprintf(&label, "OCSP %s", shown) < 0) {
		label = NULL;
		goto out;
	}
	if (!OSSL_HTTP_parse_url(url, &ssl, NULL, &host, &port, NULL, &path, &query, NULL)) {
		rv_note(n, "%s: malformed URL", label);
		goto out;
	}
	/* OSSL_HTTP_parse_url gives "" for no query */
	if (asprintf(&target, "%s%s%s", path, query && *query ? "?" : "", query ? query : "") < 0) {
		target = NULL;
		goto out;
	}
	req = OCSP_REQUEST_new();
	id = OCSP_cert_to_id(NULL, cx->x, cx->issuer);
	if (!req || !id)
		goto out;
	if (!OCSP_request_add0_id(req, id))
		goto out;
	id = NULL; /* the request owns it now */
	if (!OCSP_request_add1_nonce(req, NULL, -1))
		goto out;
	reqbio = BIO_new(BIO_s_mem());
	if (!reqbio || i2d_OCSP_REQUEST_bio(reqbio, req) <= 0)
		goto out;

	own = rv_connect(url, cx->o->timeout_ms, &conn, &sock, why, sizeof(why));
	if (own == 0) {
		rv_note(n, "%s: %s", label, why);
		goto out;
	}
	ERR_clear_error(); /* what the transfer queues is then all ours */
	rsp = OSSL_HTTP_transfer(NULL, host, port, target, 0, NULL, NULL, sock, sock, NULL, NULL, 0,
				 NULL, "application/ocsp-request", reqbio,
				 "application/ocsp-response", 1, RV_OCSP_MAX_LEN, cx->timeout_s, 0);
	if (!rsp) {
		rv_http_why(why, sizeof(why), cx->timeout_s, RV_OCSP_MAX_LEN);
		rv_note(n, "%s: %s", label, why);
		goto out;
	}
	resp = d2i_OCSP_RESPONSE_bio(rsp, NULL);
	if (!resp) {
		rv_note(n, "%s: not an OCSP response", label);
		goto out;
	}
	answered = rv_ocsp_eval(cx, resp, req, label, out, n);
out:
	if (!answered && n->len == before)
		rv_note(n, "OCSP %s: could not build the request", shown ? shown : "");
	OCSP_RESPONSE_free(resp);
	BIO_free(rsp);
	BIO_free(sock);
	if (own == 1)
		dbtls_conn_close(&conn);
	BIO_free(reqbio);
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(req);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	OPENSSL_free(query);
	free(target);
	free(label);
	free(shown);
	return answered;
}

enum rv_crl_verdict {
	RV_CRL_OTHER,  /* not from this certificate's issuer */
	RV_CRL_FAILED, /* from the issuer but unusable (noted) */
	RV_CRL_ANSWER, /* out is filled */
};

/* CRL extensions this code understands; any other critical one makes the CRL unusable. */
static bool rv_crl_ext_known(int nid)
{
	return nid == NID_issuing_distribution_point || nid == NID_delta_crl ||
	       nid == NID_authority_key_identifier || nid == NID_crl_number;
}

/*
 * Judges one CRL for cx->x. label names it in notes and becomes the source ("CRL http://…",
 * "CRL file …").
 */
static enum rv_crl_verdict rv_crl_eval(struct rv_ctx *cx, X509_CRL *crl, const char *label,
				       struct dbtls_revocation *out, struct rv_notes *n)
{
	enum rv_crl_verdict v = RV_CRL_FAILED;
	ISSUING_DIST_POINT *idp = NULL;
	ASN1_ENUMERATED *reason_code = NULL;
	X509_REVOKED *rev = NULL;
	const ASN1_TIME *last, *next;
	time_t t_last, t_next = 0;
	bool partial = false, stale = false, is_ca;
	int crit = -1, found;
	char *shown_next = NULL;

	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(cx->x)) != 0)
		return RV_CRL_OTHER;
	if ((X509_get_extension_flags(cx->issuer) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(cx->issuer) & KU_CRL_SIGN)) {
		rv_note(n, "%s: the issuer's key usage does not allow CRL signing", label);
		goto out;
	}
	if (X509_CRL_verify(crl, X509_get0_pubkey(cx->issuer)) != 1) {
		rv_note(n, "%s: signature does not verify", label);
		goto out;
	}
	for (int i = 0; i < X509_CRL_get_ext_count(crl); i++) {
		X509_EXTENSION *ext = X509_CRL_get_ext(crl, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));

		if (X509_EXTENSION_get_critical(ext) && !rv_crl_ext_known(nid)) {
			rv_note(n, "%s: unhandled critical extension", label);
			goto out;
		}
	}
	idp = X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &crit, NULL);
	if (!idp && crit != -1) {
		rv_note(n, "%s: unreadable issuing distribution point", label);
		goto out;
	}
	is_ca = (X509_get_extension_flags(cx->x) & EXFLAG_CA) != 0;
	if (idp) {
		if (idp->indirectCRL || idp->onlyattr) {
			rv_note(n, "%s: indirect or attribute CRLs are not supported", label);
			goto out;
		}
		if ((idp->onlyuser && is_ca) || (idp->onlyCA && !is_ca)) {
			rv_note(n, "%s: covers only %s certificates", label,
				idp->onlyCA ? "CA" : "end-entity");
			goto out;
		}
		partial = idp->onlysomereasons != NULL;
	}
	if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0)
		partial = true;

	last = X509_CRL_get0_lastUpdate(crl);
	next = X509_CRL_get0_nextUpdate(crl);
	if (!rv_time(last, &t_last) || (next && !rv_time(next, &t_next))) {
		rv_note(n, "%s: unreadable thisUpdate / nextUpdate", label);
		goto out;
	}
	if (t_last > cx->now + RV_LEEWAY_S) {
		rv_note(n, "%s: not valid yet (thisUpdate in the future)", label);
		goto out;
	}
	stale = next && t_next < cx->now - RV_LEEWAY_S;

	/* 1: listed; 2: listed as removeFromCRL (delta CRLs), i.e. no longer revoked */
	found = X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(cx->x));
	if (found == 1) {
		out->status = DBTLS_REV_REVOKED;
		out->revoked_at = rv_time_str(X509_REVOKED_get0_revocationDate(rev));
		reason_code = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
		if (reason_code)
			out->reason =
			    dbtls_strdup(rv_reason_name(ASN1_ENUMERATED_get(reason_code)));
		if (stale)
			rv_note(n, "%s: stale (nextUpdate has passed), revocation still counts",
				label);
	} else if (stale) {
		shown_next = rv_time_str(next);
		rv_note(n, "%s: expired (nextUpdate %s)", label, shown_next ? shown_next : "?");
		goto out;
	} else if (partial) {
		rv_note(n, "%s: a delta or reason-limited CRL cannot show a certificate is good",
			label);
		goto out;
	} else {
		out->status = DBTLS_REV_GOOD;
	}
	out->source = strdup(label);
	out->this_update = rv_time_str(last);
	out->next_update = rv_time_str(next);
	v = RV_CRL_ANSWER;
out:
	free(shown_next);
	ASN1_ENUMERATED_free(reason_code);
	ISSUING_DIST_POINT_free(idp);
	return v;
}

/* Reads every CRL in a file: PEM (one or more) or a single DER. New stack, NULL on failure. */
static STACK_OF(X509_CRL) * rv_crl_read_file(const char *path, char **error)
{
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	BIO *bio = NULL;
	X509_CRL *crl = NULL;
	bool ok = false;

	if (!crls)
		goto out;
	bio = BIO_new_file(path, "rb");
	if (!bio) {
		*error = strdup("cannot open");
		goto out;
	}
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL))) {
		if (!sk_X509_CRL_push(crls, crl))
			goto out;
		crl = NULL;
	}
	if (sk_X509_CRL_num(crls) == 0) {
		crl = BIO_reset(bio) == 0 ? d2i_X509_CRL_bio(bio, NULL) : NULL;
		if (!crl) {
			*error = strdup("not a CRL (PEM or DER)");
			goto out;
		}
		if (!sk_X509_CRL_push(crls, crl))
			goto out;
		crl = NULL;
	}
	ok = true;
out:
	X509_CRL_free(crl);
	BIO_free(bio);
	if (!ok) {
		sk_X509_CRL_pop_free(crls, X509_CRL_free);
		crls = NULL;
	}
	return crls;
}

/* Downloads the CRL at url (DER, as RFC 5280 prescribes). New stack of one, NULL on failure. */
static STACK_OF(X509_CRL) * rv_crl_download(struct rv_ctx *cx, const char *url, char **error)
{
	STACK_OF(X509_CRL) *crls = NULL;
	X509_CRL *crl = NULL;
	BIO *rsp = NULL, *sock = NULL;
	struct dbtls_conn conn;
	char why[256];
	int own;

	own = rv_connect(url, cx->o->timeout_ms, &conn, &sock, why, sizeof(why));
	if (own == 0) {
		*error = strdup(why);
		goto out;
	}
	ERR_clear_error();
	rsp = OSSL_HTTP_get(url, NULL, NULL, sock, sock, NULL, NULL, 0, NULL, NULL, 1,
			    RV_CRL_MAX_LEN, cx->timeout_s);
	if (!rsp) {
		rv_http_why(why, sizeof(why), cx->timeout_s, RV_CRL_MAX_LEN);
		*error = strdup(why);
		goto out;
	}
	crl = d2i_X509_CRL_bio(rsp, NULL);
	if (!crl) {
		*error = strdup("not a CRL");
		goto out;
	}
	crls = sk_X509_CRL_new_null();
	if (!crls || !sk_X509_CRL_push(crls, crl)) {
		sk_X509_CRL_free(crls);
		crls = NULL;
		goto out;
	}
	crl = NULL;
out:
	X509_CRL_free(crl);
	BIO_free(rsp);
	BIO_free(sock);
	if (own == 1)
		dbtls_conn_close(&conn);
	return crls;
}

/*
 * The CRLs behind key ("url:…" / "file:…"), read once per cache. Returns the entry (borrowed;
 * done, so its crls / error never change) or NULL on OOM.
 */
static struct rv_entry *rv_crls(struct rv_ctx *cx, const char *key, const char *where, bool is_url)
{
	struct rv_entry *e;
	bool owner;

	e = rv_cache_claim(cx->cache, key, &owner);
	if (!e || !owner)
		return e;
	e->crls =
	    is_url ? rv_crl_download(cx, where, &e->error) : rv_crl_read_file(where, &e->error);
	rv_cache_done(cx->cache, e);
	return e;
}

static bool rv_crl_source(struct rv_ctx *cx, const char *where, bool is_url,
			  struct dbtls_revocation *out, struct rv_notes *n)
{
	char *shown = NULL, *key = NULL, *label = NULL, *err = NULL;
	struct rv_entry *e;
	bool answered = false, any = false, ok = true;
	size_t before = n->len;

	if (is_url)
		shown = rv_url_check(where, "CRL", n, &ok);
	else
		shown = rv_escape(where, RV_URL_SHOW);
	if (!shown || !ok)
		goto out;
	if (asprintf(&label, "CRL %s%s", is_url ? "" : "file ", shown) < 0) {
		label = NULL;
		goto out;
	}
	if (asprintf(&key, "%s:%s", is_url ? "url" : "file", where) < 0) {
		key = NULL;
		goto out;
	}
	e = rv_crls(cx, key, where, is_url);
	if (!e)
		goto out;
	if (!e->crls) {
		err = e->error ? rv_escape(e->error, 256) : NULL;
		rv_note(n, "%s: %s", label, err ? err : "out of memory");
		goto out;
	}
	for (int i = 0; i < sk_X509_CRL_num(e->crls) && !answered; i++) {
		enum rv_crl_verdict v =
		    rv_crl_eval(cx, sk_X509_CRL_value(e->crls, i), label, out, n);

		any = any || v != RV_CRL_OTHER;
		answered = v == RV_CRL_ANSWER;
	}
	if (!any)
		rv_note(n, "%s: not issued by this certificate's issuer", label);
out:
	if (!answered && n->len == before)
		rv_note(n, "CRL %s: out of memory", shown ? shown : "");
	free(err);
	free(key);
	free(label);
	free(shown);
	return answered;
}

/* Appends s to a string list unless it is there already (new copy). */
static void rv_url_add(STACK_OF(OPENSSL_STRING) * urls, const char *s)
{
	char *copy;

	if (!s || !*s)
		return;
	for (int i = 0; i < sk_OPENSSL_STRING_num(urls); i++)
		if (!strcmp(sk_OPENSSL_STRING_value(urls, i), s))
			return;
	copy = OPENSSL_strdup(s);
	if (copy && !sk_OPENSSL_STRING_push(urls, copy))
		OPENSSL_free(copy);
}

static void rv_str_free(OPENSSL_STRING s)
{
	OPENSSL_free(s);
}

/* CRL distribution point URIs of x (full names only), then those in the facts. */
static STACK_OF(OPENSSL_STRING) * rv_cdp_urls(X509 *x, const struct dbtls_cert *fc)
{
	STACK_OF(OPENSSL_STRING) *urls = sk_OPENSSL_STRING_new_null();
	STACK_OF(DIST_POINT) *dps = NULL;

	if (!urls)
		return NULL;
	dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;
		for (int j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);
			const ASN1_STRING *uri;
			char *s;

			if (gn->type != GEN_URI)
				continue;
			uri = gn->d.uniformResourceIdentifier;
			/* an embedded NUL would cut the URL short: skip such an entry */
			if (ASN1_STRING_length(uri) <= 0 ||
			    memchr(ASN1_STRING_get0_data(uri), 0, (size_t)ASN1_STRING_length(uri)))
				continue;
			s = OPENSSL_strndup((const char *)ASN1_STRING_get0_data(uri),
					    (size_t)ASN1_STRING_length(uri));
			if (s)
				rv_url_add(urls, s);
			OPENSSL_free(s);
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	for (size_t i = 0; fc && i < fc->ncrl_urls; i++)
		rv_url_add(urls, fc->crl_urls[i]);
	return urls;
}

/* Asks the network and --crl sources about cx->x; fills out (any status but NOT_CHECKED). */
static void rv_lookup(struct rv_ctx *cx, const struct dbtls_cert *fc, struct dbtls_revocation *out)
{
	STACK_OF(OPENSSL_STRING) *ocsp = NULL, *cdp = NULL;
	struct rv_notes n = {0};
	bool answered = false;

	for (size_t i = 0; i < cx->o->ncrl_files && !answered; i++)
		answered =
		    cx->o->crl_files[i] && rv_crl_source(cx, cx->o->crl_files[i], false, out, &n);
	if (answered)
		goto out;

	ocsp = X509_get1_ocsp(cx->x);
	if (!ocsp)
		ocsp = sk_OPENSSL_STRING_new_null();
	cdp = rv_cdp_urls(cx->x, fc);
	if (!ocsp || !cdp) {
		rv_note(&n, "out of memory");
		goto out;
	}
	if (fc)
		rv_url_add(ocsp, fc->ocsp_url);
	for (int i = 0; i < sk_OPENSSL_STRING_num(ocsp) && !answered; i++)
		answered = rv_ocsp_url(cx, sk_OPENSSL_STRING_value(ocsp, i), out, &n);
	for (int i = 0; i < sk_OPENSSL_STRING_num(cdp) && !answered; i++)
		answered = rv_crl_source(cx, sk_OPENSSL_STRING_value(cdp, i), true, out, &n);
	if (!answered && !sk_OPENSSL_STRING_num(ocsp) && !sk_OPENSSL_STRING_num(cdp))
		rv_note(&n, "no OCSP URL, no CRL distribution point");
out:
	if (!answered)
		out->status = DBTLS_REV_UNAVAILABLE;
	rv_notes_to(&n, &out->detail);
	sk_OPENSSL_STRING_pop_free(ocsp, rv_str_free);
	sk_OPENSSL_STRING_pop_free(cdp, rv_str_free);
}

/* Copies src into dst (strings duplicated); dst must be empty. False on OOM (dst then empty). */
static bool rv_copy(struct dbtls_revocation *dst, const struct dbtls_revocation *src)
{
	dst->status = src->status;
	dst->source = dbtls_strdup(src->source);
	dst->revoked_at = dbtls_strdup(src->revoked_at);
	dst->reason = dbtls_strdup(src->reason);
	dst->this_update = dbtls_strdup(src->this_update);
	dst->next_update = dbtls_strdup(src->next_update);
	dst->detail = dbtls_strdup(src->detail);
	if ((src->source && !dst->source) || (src->revoked_at && !dst->revoked_at) ||
	    (src->reason && !dst->reason) || (src->this_update && !dst->this_update) ||
	    (src->next_update && !dst->next_update) || (src->detail && !dst->detail)) {
		rv_clear(dst);
		return false;
	}
	return true;
}

/* Cache key of cx->x: a hash of the issuer's name and key and the serial. False on failure. */
static bool rv_cert_key(struct rv_ctx *cx, char *key, size_t len)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(cx->x);
	const ASN1_BIT_STRING *pub = X509_get0_pubkey_bitstr(cx->issuer);
	const unsigned char *name = NULL;
	size_t namelen = 0;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	bool ok = false;

	if (!mctx || !pub || !X509_NAME_get0_der(X509_get_issuer_name(cx->x), &name, &namelen))
		goto out;
	/* name, key and serial each prefixed with its length, so no two triples hash alike */
	if (!EVP_DigestInit_ex(mctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(mctx, &namelen, sizeof(namelen)) ||
	    !EVP_DigestUpdate(mctx, name, namelen) ||
	    !EVP_DigestUpdate(mctx, &pub->length, sizeof(pub->length)) ||
	    !EVP_DigestUpdate(mctx, pub->data, (size_t)pub->length) ||
	    !EVP_DigestUpdate(mctx, &serial->type, sizeof(serial->type)) ||
	    !EVP_DigestUpdate(mctx, serial->data, (size_t)serial->length) ||
	    !EVP_DigestFinal_ex(mctx, md, &mdlen))
		goto out;
	if (len < 5 + 2 * (size_t)mdlen + 1)
		goto out;
	memcpy(key, "cert:", 5);
	for (unsigned int i = 0; i < mdlen; i++)
		sprintf(key + 5 + 2 * i, "%02x", md[i]);
	ok = true;
out:
	EVP_MD_CTX_free(mctx);
	return ok;
}

/*
 * The whole story for one certificate: the stapled response (leaf), else the cached or a fresh
 * lookup. The cache holds lookups without the stapled part, which belongs to one endpoint. An
 * "unavailable" is cached too: a responder that did not answer is not asked again in this run,
 * or every endpoint behind the same CA would wait out the same timeout.
 */
static void rv_check_cert(struct rv_ctx *cx, const unsigned char *stapled, size_t nstapled,
			  const struct dbtls_cert *fc, struct dbtls_revocation *out)
{
	struct rv_notes n = {0};
	struct dbtls_revocation got = {0};
	struct rv_entry *e = NULL;
	char key[5 + 2 * EVP_MAX_MD_SIZE + 1];
	bool owner = false;

	if (stapled && nstapled && rv_stapled(cx, stapled, nstapled, out, &n)) {
		rv_notes_to(&n, &out->detail);
		goto out;
	}
	rv_clear(out);
	if (cx->cache && rv_cert_key(cx, key, sizeof(key)))
		e = rv_cache_claim(cx->cache, key, &owner);
	if (e && !owner) {
		if (!rv_copy(&got, &e->result))
			got.status = DBTLS_REV_UNAVAILABLE;
	} else {
		rv_lookup(cx, fc, &got);
		if (e) {
			if (!rv_copy(&e->result, &got))
				e->result.status = DBTLS_REV_UNAVAILABLE;
			rv_cache_done(cx->cache, e);
		}
	}
	*out = got;
	if (n.s) { /* the stapled response's note goes first */
		if (got.detail)
			rv_note(&n, "%s", got.detail);
		free(out->detail);
		rv_notes_to(&n, &out->detail);
	}
out:
	free(n.s);
}

/* Subject and issuer name agree and the certificate's own key verifies it. */
static bool rv_self_signed(X509 *x)
{
	return !X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) &&
	       X509_verify(x, X509_get0_pubkey(x)) == 1;
}

/* The issuer of served[i]: the next element of the verified path, else a served or path
 * certificate that names it as issuer and whose key verifies its signature. Borrowed. */
static X509 *rv_find_issuer(STACK_OF(X509) * served, STACK_OF(X509) * path, X509 *x)
{
	STACK_OF(X509) * pools[] = {served, path};

	for (int j = 0; j + 1 < sk_X509_num(path); j++)
		if (!X509_cmp(sk_X509_value(path, j), x))
			return sk_X509_value(path, j + 1);
	for (size_t p = 0; p < 2; p++)
		for (int j = 0; j < sk_X509_num(pools[p]); j++) {
			X509 *y = sk_X509_value(pools[p], j);

			if (y != x && X509_check_issued(y, x) == X509_V_OK &&
			    X509_verify(x, X509_get0_pubkey(y)) == 1)
				return y;
		}
	return NULL;
}

/* No certificate of served or path names an OCSP responder or a CRL distribution point. */
static bool rv_no_pointers(STACK_OF(X509) * served, STACK_OF(X509) * path)
{
	STACK_OF(X509) * sets[2] = {served, path};

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < sk_X509_num(sets[k]); i++) {
			X509 *x = sk_X509_value(sets[k], i);
			STACK_OF(OPENSSL_STRING) *ocsp = X509_get1_ocsp(x);
			bool any = sk_OPENSSL_STRING_num(ocsp) > 0 ||
				   X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) >= 0;
			X509_email_free(ocsp);
			if (any)
				return false;
		}
	return true;
}

void dbtls_revocation_check(STACK_OF(X509) * served, STACK_OF(X509) * path,
			    const unsigned char *stapled, size_t nstapled,
			    const struct dbtls_rev_opts *o, struct dbtls_cert *certs, size_t ncerts)
{
	struct rv_ctx cx = {.o = o};
	struct dbtls_rev_cache *own_cache = NULL;
	int nserved = sk_X509_num(served), npath = sk_X509_num(path);
	bool private_none;
	long secs;

	if (!o || !o->enabled || !certs || nserved <= 0)
		return;
	/* OSSL_HTTP takes whole seconds: round up, at least one */
	secs = o->timeout_ms > 0 ? ((long)o->timeout_ms + 999) / 1000 : 1;
	cx.timeout_s = secs > INT_MAX ? INT_MAX : (int)secs;
	cx.now = time(NULL);
	cx.cache = o->cache;
	if (!cx.cache) /* still one download per URL within this call */
		cx.cache = own_cache = dbtls_rev_cache_new();
	/* verified to the user's own CA, nobody names a responder or CRL, nothing stapled or
	 * given: a private PKI that has chosen not to run revocation */
	private_none = o->private_anchors && npath > 0 &&
		       rv_self_signed(sk_X509_value(path, npath - 1)) && !stapled &&
		       !o->ncrl_files && rv_no_pointers(served, path);

	for (size_t i = 0; i < ncerts && i < (size_t)nserved; i++) {
		struct dbtls_revocation *r = &certs[i].revocation;
		X509 *x = sk_X509_value(served, (int)i);
		/* the end of the path is the anchor only when it is a root: a path that stopped at
		 * a certificate whose issuer is missing (an incomplete chain) ends in that
		 * certificate, and it still needs its status asked */
		X509 *last = npath > 0 ? sk_X509_value(path, npath - 1) : NULL;
		bool anchor = last && !X509_cmp(last, x) && rv_self_signed(last);

		rv_clear(r);
		if (!cx.cache) {
			r->status = DBTLS_REV_UNAVAILABLE;
			r->detail = strdup("out of memory");
			continue;
		}
		if (anchor || rv_self_signed(x)) {
			r->detail = strdup("trust anchor or self-signed: nothing to ask");
			continue;
		}
		if (i > 0 && o->leaf_only) {
			r->detail = strdup("leaf only (--revocation-leaf-only)");
			continue;
		}
		if (private_none) {
			r->status = DBTLS_REV_NOT_APPLICABLE;
			r->detail =
			    strdup("no revocation pointers in a private PKI (the chain ends "
				   "in a CA from --ca-file; no certificate names an OCSP "
				   "responder or CRL)");
			continue;
		}
		cx.x = x;
		cx.issuer = rv_find_issuer(served, path, x);
		if (!cx.issuer) {
			r->status = DBTLS_REV_UNAVAILABLE;
			r->detail = strdup("issuer certificate not available (not served, not on a "
					   "verified path)");
			continue;
		}
		rv_check_cert(&cx, i == 0 ? stapled : NULL, nstapled, &certs[i], r);
	}

	ERR_clear_error(); /* leave no error of ours behind */
	dbtls_rev_cache_free(own_cache);
}
