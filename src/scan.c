/* SPDX-License-Identifier: MIT */
/*
 * scan.c — the per-endpoint scan and the worker pool that runs many endpoints at once.
 *
 * One endpoint: one probe connection per TLS version (SSLv2 … TLS 1.3), each offering only that
 * version and every suite of the registry that version can carry, then one full OpenSSL handshake
 * for the certificate chain. The first connection's preamble tells us whether the server offers
 * TLS at all and what it is; a server error packet there (host blocked, too many connections)
 * stops the scan of that endpoint with the server's own code and words.
 */
#include "scan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake.h"
#include "hello.h"
#include "net.h"
#include "suites.h"

void dbtls_target_free(struct dbtls_target *t)
{
	if (!t)
		return;
	free(t->given);
	free(t->host);
	memset(t, 0, sizeof(*t));
}

enum dbtls_err dbtls_target_parse(const char *s, struct dbtls_target *t, char *why, size_t whylen)
{
	const struct dbtls_preamble *pre = &dbtls_preamble_mysql;
	const char *rest = s, *sep, *hostend, *portstr = NULL;
	char scheme[32];
	unsigned long port;
	char *end;

	memset(t, 0, sizeof(*t));
	sep = strstr(s, "://");
	if (sep) {
		if ((size_t)(sep - s) >= sizeof(scheme) || sep == s) {
			snprintf(why, whylen, "bad scheme in '%s'", s);
			return DBTLS_ERR_INPUT;
		}
		memcpy(scheme, s, (size_t)(sep - s));
		scheme[sep - s] = 0;
		pre = dbtls_preamble_find(scheme);
		if (!pre) {
			snprintf(why, whylen, "unknown protocol '%s' (known: mysql, tls)", scheme);
			return DBTLS_ERR_INPUT;
		}
		rest = sep + 3;
	}
	if (*rest == '[') {
		hostend = strchr(rest, ']');
		if (!hostend || hostend == rest + 1) {
			snprintf(why, whylen, "unterminated IPv6 address in '%s'", s);
			return DBTLS_ERR_INPUT;
		}
		if (hostend[1] == ':')
			portstr = hostend + 2;
		else if (hostend[1] && strcmp(hostend + 1, "/") != 0) {
			snprintf(why, whylen, "unexpected text after ']' in '%s'", s);
			return DBTLS_ERR_INPUT;
		}
		t->host = strndup(rest + 1, (size_t)(hostend - rest - 1));
	} else {
		hostend = strchr(rest, ':');
		if (hostend && strchr(hostend + 1, ':')) {
			snprintf(why, whylen, "IPv6 addresses need brackets: '[%s]:port'", rest);
			return DBTLS_ERR_INPUT;
		}
		if (hostend)
			portstr = hostend + 1;
		else
			hostend = rest + strcspn(rest, "/");
		t->host = strndup(rest, (size_t)(hostend - rest));
	}
	if (!t->host)
		return DBTLS_ERR_NOMEM;
	if (!*t->host || strspn(t->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789.-_:%") != strlen(t->host)) {
		snprintf(why, whylen, "bad host name in '%s'", s);
		goto fail;
	}
	t->port = pre->default_port;
	if (portstr) {
		port = strtoul(portstr, &end, 10);
		if (end == portstr || (*end && strcmp(end, "/") != 0) || port == 0 || port > 65535 ||
		    *portstr == '-' || *portstr == '+') {
			snprintf(why, whylen, "bad port in '%s' (want 1-65535)", s);
			goto fail;
		}
		t->port = (uint16_t)port;
	}
	t->preamble = pre;
	t->given = strdup(s);
	if (!t->given) {
		dbtls_target_free(t);
		return DBTLS_ERR_NOMEM;
	}
	return DBTLS_OK;
fail:
	dbtls_target_free(t);
	return DBTLS_ERR_INPUT;
}

/* Connects and runs the preamble; counts the connection. On a preamble outcome that ends the scan
 * (no TLS, error packet) the server info is recorded in f the first time. */
static enum dbtls_err scan_open(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				struct dbtls_endpoint_facts *f, struct dbtls_conn *c,
				struct dbtls_diag *d)
{
	struct dbtls_server_info info;
	char addr[64] = "";
	enum dbtls_err err;

	memset(&info, 0, sizeof(info));
	err = dbtls_conn_open(c, t->host, t->port, o->timeout_ms, addr, sizeof(addr), d);
	if (err)
		return err;
	f->connections_used++;
	if (!f->address && !(f->address = strdup(addr))) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	err = t->preamble->start(c, &info, d);
	if (!f->server.greeting_seen && (info.greeting_seen || info.err_code || !err)) {
		f->server = info; /* steals the strings */
		memset(&info, 0, sizeof(info));
	}
out:
	free(info.product);
	free(info.version);
	free(info.err_sqlstate);
	free(info.err_message);
	if (err)
		dbtls_conn_close(c);
	return err;
}

static const char *scan_stage(enum dbtls_err err)
{
	return err == DBTLS_ERR_RESOLVE || err == DBTLS_ERR_REFUSED || err == DBTLS_ERR_CONNECT
		       ? "connect"
		       : "preamble";
}

/* Probes version v on a connection of its own. Returns the error of connect/preamble (the probe's
 * own outcome is in f->versions[v]) so the caller can stop when the endpoint is unreachable. */
static enum dbtls_err scan_version(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				   struct dbtls_endpoint_facts *f, enum dbtls_version v)
{
	struct dbtls_version_facts *vf = &f->versions[v];
	struct dbtls_hello_params hp = { .version = v, .sni = o->sni ? o->sni : t->host };
	struct dbtls_hello_result r;
	struct dbtls_diag d = { 0 };
	struct dbtls_conn c;
	char desc[512], stage[64];
	enum dbtls_err err;
	uint32_t suites[1024];
	size_t n;

	n = dbtls_suites_for_version(v, suites, sizeof(suites) / sizeof(suites[0]));
	if (n > sizeof(suites) / sizeof(suites[0]))
		n = sizeof(suites) / sizeof(suites[0]);
	hp.suites = suites;
	hp.nsuites = n;
	snprintf(stage, sizeof(stage), "probe %s", dbtls_version_name(v));
	err = scan_open(t, o, f, &c, &d);
	if (err) {
		if (err != DBTLS_ERR_NO_TLS) {
			vf->status = DBTLS_VS_ERROR;
			vf->reason = dbtls_strdup(d.msg[0] ? d.msg : dbtls_strerror(err));
			dbtls_facts_add_error(f, err, scan_stage(err), d.msg);
		}
		return err;
	}
	err = dbtls_hello_probe(&c, t->preamble, &hp, &r, &d);
	dbtls_conn_close(&c);
	if (err) {
		vf->status = DBTLS_VS_ERROR;
		vf->reason = dbtls_strdup(d.msg[0] ? d.msg : dbtls_strerror(err));
		dbtls_facts_add_error(f, err, stage, d.msg);
		return DBTLS_OK;
	}
	dbtls_hello_describe(&r, desc, sizeof(desc));
	vf->reason = dbtls_strdup(desc);
	switch (r.kind) {
	case DBTLS_HELLO_SERVER_HELLO:
	case DBTLS_HELLO_HRR:
		/* accepted only when the server answers with this very version */
		if (r.version == dbtls_version_code(v)) {
			vf->status = DBTLS_VS_ACCEPTED;
			vf->cipher = (uint16_t)r.cipher;
		} else {
			vf->status = DBTLS_VS_REJECTED;
		}
		break;
	case DBTLS_HELLO_SSL2_SERVER_HELLO:
		vf->status = v == DBTLS_SSL2 && r.nssl2_ciphers ? DBTLS_VS_ACCEPTED : DBTLS_VS_REJECTED;
		vf->cipher = 0;
		break;
	case DBTLS_HELLO_ALERT:
	case DBTLS_HELLO_CLOSED:
	case DBTLS_HELLO_SERVER_ERROR: /* yaSSL's "#08S01 Bad handshake" is its way to refuse */
		vf->status = DBTLS_VS_REJECTED;
		break;
	case DBTLS_HELLO_GARBAGE:
	case DBTLS_HELLO_NONE:
		vf->status = DBTLS_VS_ERROR;
		dbtls_facts_add_error(f, DBTLS_ERR_PROTOCOL, stage, desc);
		break;
	}
	return DBTLS_OK;
}

static void scan_certs(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
		       struct dbtls_endpoint_facts *f)
{
	struct dbtls_handshake_opts ho = {
		.ca_file = o->ca_file,
		.sni = o->sni ? o->sni : t->host,
		.verify_host = o->sni ? o->sni : t->host,
		.timeout_ms = o->timeout_ms,
	};
	struct dbtls_diag d = { 0 };
	struct dbtls_conn c;
	enum dbtls_err err;

	err = scan_open(t, o, f, &c, &d);
	if (!err)
		err = dbtls_handshake_certs(&c, &ho, f, &d);
	dbtls_conn_close(&c);
	if (err)
		dbtls_facts_add_error(f, err, "handshake", d.msg);
}

static double scan_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum dbtls_err dbtls_scan_endpoint(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				   struct dbtls_endpoint_facts *f)
{
	enum dbtls_err err;
	bool any_tls = false;
	double t0 = scan_now();
	int v;

	f->target = dbtls_strdup(t->given);
	f->protocol = dbtls_strdup(t->preamble->scheme);
	f->host = dbtls_strdup(t->host);
	f->port = t->port;
	f->sni = dbtls_strdup(o->sni ? o->sni : t->host);
	f->tls_offered = -1;
	if (!f->target || !f->protocol || !f->host || !f->sni)
		return DBTLS_ERR_NOMEM;

	/* TLS 1.2 goes first: the most likely to be accepted, and its connection's preamble tells
	 * whether there is TLS to probe at all. A refusal there (ERR packet, nothing listening, no
	 * TLS) ends the endpoint's scan without spending more connections. */
	err = scan_version(t, o, f, DBTLS_TLS12);
	if (err == DBTLS_ERR_NO_TLS) {
		f->tls_offered = 0;
		memset(&f->versions[DBTLS_TLS12], 0, sizeof(f->versions[DBTLS_TLS12]));
		goto out;
	}
	if (err)
		goto out;
	f->tls_offered = 1;
	for (v = DBTLS_SSL2; v < DBTLS_NVERSIONS; v++) {
		if (v != DBTLS_TLS12)
			scan_version(t, o, f, (enum dbtls_version)v);
		any_tls |= f->versions[v].status == DBTLS_VS_ACCEPTED && v >= DBTLS_TLS10;
	}
	if (any_tls)
		scan_certs(t, o, f);
out:
	f->duration_s = scan_now() - t0;
	return DBTLS_OK;
}

struct scan_pool {
	const struct dbtls_target *targets;
	size_t n;
	const struct dbtls_scan_opts *o;
	struct dbtls_endpoint_facts *out;
	pthread_mutex_t lock;
	size_t next;
	enum dbtls_err err;
};

static void *scan_worker(void *arg)
{
	struct scan_pool *p = arg;
	enum dbtls_err err;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		err = dbtls_scan_endpoint(&p->targets[i], p->o, &p->out[i]);
		if (err) {
			pthread_mutex_lock(&p->lock);
			p->err = err;
			pthread_mutex_unlock(&p->lock);
		}
	}
	return NULL;
}

enum dbtls_err dbtls_scan_run(const struct dbtls_target *targets, size_t n,
			      const struct dbtls_scan_opts *o, struct dbtls_scan_facts *out)
{
	struct scan_pool pool = { .targets = targets, .n = n, .o = o };
	pthread_t *th = NULL;
	size_t nth, started = 0;

	out->started_at = time(NULL);
	out->endpoints = calloc(n ? n : 1, sizeof(*out->endpoints));
	if (!out->endpoints)
		return DBTLS_ERR_NOMEM;
	out->nendpoints = n;
	pool.out = out->endpoints;
	pthread_mutex_init(&pool.lock, NULL);
	nth = o->jobs > 0 ? (size_t)o->jobs : 1;
	if (nth > n)
		nth = n;
	th = calloc(nth ? nth : 1, sizeof(*th));
	if (!th) {
		pool.err = DBTLS_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nth; i++)
		if (pthread_create(&th[started], NULL, scan_worker, &pool) == 0)
			started++;
	if (!started && n) /* no threads to be had: scan in this one */
		scan_worker(&pool);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
out:
	free(th);
	pthread_mutex_destroy(&pool.lock);
	out->finished_at = time(NULL);
	return pool.err;
}
