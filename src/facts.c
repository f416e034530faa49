/* SPDX-License-Identifier: MIT */
/*
 * facts.c — names for the enums in facts.h, and the destructors of the fact tree.
 * The fact tree is plain data: each string is heap-owned by the struct that holds it.
 */
#include "facts.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	uint16_t code;
} version_tab[DBTLS_NVERSIONS] = {
	[DBTLS_SSL2] = { "SSLv2", 0x0002 },   [DBTLS_SSL3] = { "SSLv3", 0x0300 },
	[DBTLS_TLS10] = { "TLSv1.0", 0x0301 }, [DBTLS_TLS11] = { "TLSv1.1", 0x0302 },
	[DBTLS_TLS12] = { "TLSv1.2", 0x0303 }, [DBTLS_TLS13] = { "TLSv1.3", 0x0304 },
};

const char *dbtls_version_name(enum dbtls_version v)
{
	return (unsigned)v < DBTLS_NVERSIONS ? version_tab[v].name : "unknown";
}

uint16_t dbtls_version_code(enum dbtls_version v)
{
	return (unsigned)v < DBTLS_NVERSIONS ? version_tab[v].code : 0;
}

bool dbtls_version_from_code(uint16_t code, enum dbtls_version *v)
{
	for (int i = 0; i < DBTLS_NVERSIONS; i++) {
		if (version_tab[i].code == code) {
			*v = (enum dbtls_version)i;
			return true;
		}
	}
	return false;
}

const char *dbtls_vstatus_name(enum dbtls_vstatus s)
{
	switch (s) {
	case DBTLS_VS_ACCEPTED:
		return "accepted";
	case DBTLS_VS_REJECTED:
		return "rejected";
	case DBTLS_VS_ERROR:
		return "error";
	case DBTLS_VS_NOT_PROBED:
		break;
	}
	return "not_probed";
}

bool dbtls_endpoint_scanned(const struct dbtls_endpoint_facts *f)
{
	return f->nerrors == 0 && f->tls_offered >= 0;
}

char *dbtls_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void dbtls_rfc3339(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, outlen, "1970-01-01T00:00:00Z");
}

void dbtls_cert_free(struct dbtls_cert *c)
{
	if (!c)
		return;
	free(c->subject);
	free(c->issuer);
	for (size_t i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	free(c->sans);
	free(c->serial);
	free(c->not_before);
	free(c->not_after);
	free(c->key_type);
	free(c->curve);
	free(c->sig_alg);
	free(c->pem);
	memset(c, 0, sizeof(*c));
}

static void server_info_free(struct dbtls_server_info *s)
{
	free(s->product);
	free(s->version);
	free(s->err_sqlstate);
	free(s->err_message);
	memset(s, 0, sizeof(*s));
}

void dbtls_verification_free(struct dbtls_verification *v)
{
	free(v->error);
	free(v->hostname_checked);
	free(v->ca_source);
	free(v->protocol);
	free(v->cipher);
	memset(v, 0, sizeof(*v));
}

void dbtls_endpoint_facts_free(struct dbtls_endpoint_facts *f)
{
	if (!f)
		return;
	free(f->target);
	free(f->protocol);
	free(f->host);
	free(f->sni);
	free(f->address);
	server_info_free(&f->server);
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		free(f->versions[v].reason);
		free(f->versions[v].suites);
	}
	free(f->groups);
	for (size_t i = 0; i < f->ncerts; i++)
		dbtls_cert_free(&f->certs[i]);
	free(f->certs);
	dbtls_verification_free(&f->verification);
	for (size_t i = 0; i < f->nerrors; i++) {
		free(f->errors[i].message);
		free(f->errors[i].stage);
	}
	free(f->errors);
	memset(f, 0, sizeof(*f));
}

void dbtls_scan_facts_free(struct dbtls_scan_facts *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nendpoints; i++)
		dbtls_endpoint_facts_free(&s->endpoints[i]);
	free(s->endpoints);
	free(s->tool_version);
	memset(s, 0, sizeof(*s));
}

enum dbtls_err dbtls_facts_add_error(struct dbtls_endpoint_facts *f, enum dbtls_err code,
				     const char *stage, const char *message)
{
	struct dbtls_error_fact *e;

	e = realloc(f->errors, (f->nerrors + 1) * sizeof(*e));
	if (!e)
		return DBTLS_ERR_NOMEM;
	f->errors = e;
	e = &f->errors[f->nerrors];
	e->code = code;
	e->stage = dbtls_strdup(stage);
	e->message = dbtls_strdup(message && *message ? message : dbtls_strerror(code));
	if ((stage && !e->stage) || !e->message) {
		free(e->stage);
		free(e->message);
		return DBTLS_ERR_NOMEM;
	}
	f->nerrors++;
	return DBTLS_OK;
}
