/* SPDX-License-Identifier: MIT */
/*
 * checks.c — the check registry, running a profile's checks over facts, findings bookkeeping,
 * and the server-specific remediation snippets the checks share.
 */
#include "checks/check.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/suites.h"

static const struct dbtls_check *const *const families[] = {
    dbtls_checks_protocols, dbtls_checks_suites,   dbtls_checks_kex, dbtls_checks_certs,
    dbtls_checks_drift,	    dbtls_checks_rotation, dbtls_checks_sql, dbtls_checks_hygiene,
};

#define MAX_CHECKS 128

/* The flat registry, built once from the families' NULL-terminated tables. Built under
 * pthread_once so that concurrent first calls from scan workers agree. */
static const struct dbtls_check *registry[MAX_CHECKS];
static size_t nregistry;

static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void registry_build(void)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		for (const struct dbtls_check *const *c = families[i]; *c; c++)
			if (nregistry < MAX_CHECKS)
				registry[nregistry++] = *c;
}

const struct dbtls_check *const *dbtls_checks_all(size_t *n)
{
	pthread_once(&registry_once, registry_build);
	*n = nregistry;
	return registry;
}

const struct dbtls_check *dbtls_check_find(const char *id)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->id, id) == 0)
			return all[i];
	return NULL;
}

static const char *const severity_names[DBTLS_NSEVERITIES] = {"info", "low", "medium", "high",
							      "critical"};

const char *dbtls_severity_name(enum dbtls_severity s)
{
	return (unsigned)s < DBTLS_NSEVERITIES ? severity_names[s] : "unknown";
}

bool dbtls_severity_parse(const char *s, enum dbtls_severity *out)
{
	for (int i = 0; i < DBTLS_NSEVERITIES; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum dbtls_severity)i;
			return true;
		}
	return false;
}

static const struct {
	uint32_t bit;
	const char *name;
} prop_names[] = {
    {DBTLS_PROP_EXPORT, "export"},
    {DBTLS_PROP_ANON, "anon"},
    {DBTLS_PROP_NULL, "null"},
    {DBTLS_PROP_RC4, "rc4"},
    {DBTLS_PROP_DES, "des"},
    {DBTLS_PROP_3DES, "3des"},
    {DBTLS_PROP_CBC, "cbc"},
    {DBTLS_PROP_NON_PFS, "non_pfs"},
    {DBTLS_PROP_SHA1_MAC, "sha1_mac"},
    {DBTLS_PROP_STATIC_KX, "static_kx"},
    {DBTLS_PROP_PSK, "psk"},
    {DBTLS_PROP_SRP, "srp"},
    {DBTLS_PROP_CAMELLIA, "camellia"},
    {DBTLS_PROP_ARIA, "aria"},
    {DBTLS_PROP_SEED_IDEA, "seed_idea"},
};

bool dbtls_suite_prop_parse(const char *name, uint32_t *bit)
{
	for (size_t i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++)
		if (strcmp(prop_names[i].name, name) == 0) {
			*bit = prop_names[i].bit;
			return true;
		}
	return false;
}

const char *dbtls_suite_prop_name(uint32_t bit)
{
	for (size_t i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++)
		if (prop_names[i].bit == bit)
			return prop_names[i].name;
	return "unknown";
}

uint32_t dbtls_suite_props(uint32_t code)
{
	const struct dbtls_suite *s = dbtls_suite_lookup(code);
	uint32_t p = 0;

	if (!s)
		return 0;
	if (s->flags & DBTLS_SF_EXPORT)
		p |= DBTLS_PROP_EXPORT;
	if (s->flags & DBTLS_SF_ANON)
		p |= DBTLS_PROP_ANON;
	if (s->flags & DBTLS_SF_NULL)
		p |= DBTLS_PROP_NULL;
	if (s->flags & DBTLS_SF_RC4)
		p |= DBTLS_PROP_RC4;
	if (s->flags & DBTLS_SF_DES)
		p |= DBTLS_PROP_DES;
	if (s->flags & DBTLS_SF_3DES)
		p |= DBTLS_PROP_3DES;
	if (s->flags & DBTLS_SF_CBC)
		p |= DBTLS_PROP_CBC;
	/* anonymous DH is ephemeral but proves nothing: it is no forward secrecy worth the name */
	if (!(s->flags & DBTLS_SF_PFS) || (s->flags & DBTLS_SF_ANON))
		p |= DBTLS_PROP_NON_PFS;
	if (s->mac && (strcmp(s->mac, "SHA") == 0 || strcmp(s->mac, "SHA1") == 0 ||
		       strcmp(s->mac, "MD5") == 0))
		p |= DBTLS_PROP_SHA1_MAC;
	if (s->kx && (strcmp(s->kx, "DH") == 0 || strcmp(s->kx, "ECDH") == 0))
		p |= DBTLS_PROP_STATIC_KX;
	if (s->flags & DBTLS_SF_PSK)
		p |= DBTLS_PROP_PSK;
	if (s->flags & DBTLS_SF_SRP)
		p |= DBTLS_PROP_SRP;
	if (s->cipher && strstr(s->cipher, "CAMELLIA"))
		p |= DBTLS_PROP_CAMELLIA;
	if (s->cipher && strstr(s->cipher, "ARIA"))
		p |= DBTLS_PROP_ARIA;
	if (s->cipher && (strstr(s->cipher, "SEED") || strstr(s->cipher, "IDEA")))
		p |= DBTLS_PROP_SEED_IDEA;
	return p;
}

void dbtls_findings_add(struct dbtls_findings *out, const struct dbtls_check *self,
			const struct dbtls_check_ctx *ctx, int severity, const char *evidence,
			const char *remediation, const char *title_fmt, ...)
{
	struct dbtls_finding *items, *fd;
	va_list ap;
	char *title = NULL;
	int rc;

	va_start(ap, title_fmt);
	rc = vasprintf(&title, title_fmt, ap);
	va_end(ap);
	items = rc < 0 ? NULL : realloc(out->items, (out->n + 1) * sizeof(*items));
	if (!items) {
		if (rc >= 0)
			free(title);
		out->oom = true;
		return;
	}
	out->items = items;
	fd = &items[out->n];
	memset(fd, 0, sizeof(*fd));
	fd->check = self->id;
	fd->severity = severity >= 0 ? (enum dbtls_severity)severity : ctx->severity;
	fd->title = title;
	fd->evidence = dbtls_strdup(evidence ? evidence : "");
	fd->remediation = dbtls_strdup(remediation ? remediation : self->fix);
	fd->references = self->references;
	if (!fd->evidence || !fd->remediation) {
		free(fd->title);
		free(fd->evidence);
		free(fd->remediation);
		out->oom = true;
		return;
	}
	out->n++;
}

void dbtls_str_cat(struct dbtls_str *b, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *p;

	if (b->oom)
		return;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !(p = realloc(b->s, b->n + (size_t)len + 1))) {
		b->oom = true;
		return;
	}
	b->s = p;
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

void dbtls_findings_free(struct dbtls_findings *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->items[i].title);
		free(fs->items[i].evidence);
		free(fs->items[i].remediation);
		free(fs->items[i].waiver_reason);
		free(fs->items[i].waiver_owner);
		free(fs->items[i].waiver_until);
	}
	free(fs->items);
	memset(fs, 0, sizeof(*fs));
}

void dbtls_checks_run(const struct dbtls_policy *p, const struct dbtls_endpoint_facts *f,
		      time_t now, struct dbtls_findings *out)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	for (size_t i = 0; i < n; i++) {
		const struct dbtls_check_setting *st = NULL;
		/* settings are in registry order when the loader made them; match ids anyway so a
		 * hand-built policy cannot apply one check's setting to another */
		if (i < p->nsettings && !strcmp(p->settings[i].id, all[i]->id))
			st = &p->settings[i];
		for (size_t k = 0; !st && k < p->nsettings; k++)
			if (!strcmp(p->settings[k].id, all[i]->id))
				st = &p->settings[k];
		if (!st || !st->enabled)
			continue;
		struct dbtls_check_ctx ctx = {.policy = p, .severity = st->severity, .now = now};
		all[i]->eval(all[i], f, &ctx, out);
	}
}

static bool remedy_is_mysql(const struct dbtls_endpoint_facts *f)
{
	return f->protocol && strcmp(f->protocol, "mysql") == 0;
}

char *dbtls_remedy_versions(const struct dbtls_endpoint_facts *f, int min_version)
{
	char list[64] = "", *out = NULL;

	if (min_version < DBTLS_TLS12)
		min_version = DBTLS_TLS12; /* never suggest less than RFC 8996 allows */
	for (int v = min_version; v < DBTLS_NVERSIONS; v++) {
		strcat(list, list[0] ? "," : "");
		strcat(list, dbtls_version_name((enum dbtls_version)v));
	}
	if (remedy_is_mysql(f)) {
		bool maria = f->server.product && strcmp(f->server.product, "MariaDB") == 0;
		if (asprintf(&out, "In the server's my.cnf, section [mysqld]: tls_version=%s%s",
			     list,
			     maria ? " (MariaDB 10.4.6+; restart mariadbd). Clients on old "
				     "connectors need TLS 1.2 support first."
				   : " (MySQL 8.0.16+ can change it at run time: SET PERSIST "
				     "tls_version='...'; ALTER INSTANCE RELOAD TLS).") < 0)
			out = NULL;
	} else if (asprintf(&out,
			    "Accept only %s on this endpoint's TLS terminator (OpenSSL: "
			    "MinProtocol = %s).",
			    list, dbtls_version_name((enum dbtls_version)min_version)) < 0) {
		out = NULL;
	}
	return out;
}

char *dbtls_remedy_suites(const struct dbtls_endpoint_facts *f, const char *cipher_string)
{
	char *out = NULL;

	if (remedy_is_mysql(f)) {
		if (asprintf(
			&out,
			"In the server's my.cnf, section [mysqld]: ssl_cipher=%s (TLS 1.2 and "
			"below; TLS 1.3 suites are set with tls_ciphersuites on MySQL 8, and on "
			"MariaDB by an ssl_cipher made only of TLS 1.3 suite names).",
			cipher_string) < 0)
			out = NULL;
	} else if (asprintf(&out, "Restrict the TLS terminator's cipher list to %s.",
			    cipher_string) < 0) {
		out = NULL;
	}
	return out;
}
