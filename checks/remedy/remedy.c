/* SPDX-License-Identifier: MIT */
/*
 * remedy.c — the fix-text registry: which product an endpoint runs, and for each text the first
 * of that product, its bases and generic that has one.
 */
#include "checks/remedy/remedy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lookup order as DBTLS_REMEDY_PRODUCTS lists them (remedy.h). */
#define RM_ENTRY(name) &dbtls_remedy_##name,
static const struct dbtls_remedy_product *const products[] = {DBTLS_REMEDY_PRODUCTS(RM_ENTRY)};
#undef RM_ENTRY

const struct dbtls_remedy_product *const *dbtls_remedy_products(size_t *n)
{
	*n = sizeof(products) / sizeof(products[0]);
	return products;
}

const struct dbtls_remedy_product *dbtls_remedy_for(const struct dbtls_endpoint_facts *f)
{
	for (size_t i = 0; i < sizeof(products) / sizeof(products[0]); i++)
		if (products[i]->matches(f))
			return products[i];
	return &dbtls_remedy_generic;
}

/* Sets p to the first of f's product, its bases and generic whose callback `cb` is set. */
#define RM_PICK(p, f, cb)                                                                          \
	do {                                                                                       \
		for ((p) = dbtls_remedy_for(f); (p)->base && !(p)->cb; (p) = (p)->base)            \
			;                                                                          \
		if (!(p)->cb)                                                                      \
			(p) = &dbtls_remedy_generic;                                               \
	} while (0)

char *dbtls_remedy_printf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&out, fmt, ap);
	va_end(ap);
	return rc < 0 ? NULL : out;
}

bool dbtls_remedy_is_mysql_protocol(const struct dbtls_endpoint_facts *f)
{
	return f->protocol && strcmp(f->protocol, "mysql") == 0;
}

char *dbtls_remedy_versions(const struct dbtls_endpoint_facts *f, int min_version)
{
	const struct dbtls_remedy_product *p;
	char list[64] = "";

	if (min_version < DBTLS_TLS12)
		min_version = DBTLS_TLS12; /* never suggest less than RFC 8996 allows */
	for (int v = min_version; v < DBTLS_NVERSIONS; v++) {
		strcat(list, list[0] ? "," : "");
		strcat(list, dbtls_version_name((enum dbtls_version)v));
	}
	RM_PICK(p, f, versions);
	return p->versions(f, list, dbtls_version_name((enum dbtls_version)min_version));
}

char *dbtls_remedy_suites(const struct dbtls_endpoint_facts *f, const char *cipher_string)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, suites);
	return p->suites(f, cipher_string);
}

char *dbtls_remedy_cert(const struct dbtls_endpoint_facts *f, const char *what)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, cert);
	return p->cert(f, what);
}

char *dbtls_remedy_not_offered(const struct dbtls_endpoint_facts *f, const char *general)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, not_offered);
	return p->not_offered(f, general);
}

char *dbtls_remedy_not_offered_evidence(const struct dbtls_endpoint_facts *f)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, not_offered_evidence);
	return p->not_offered_evidence(f);
}

char *dbtls_remedy_tls13(const struct dbtls_endpoint_facts *f, int min_version)
{
	const struct dbtls_remedy_product *p;
	char *ver = dbtls_remedy_versions(f, min_version), *out;

	if (!ver)
		return NULL;
	RM_PICK(p, f, tls13);
	out = p->tls13(f, ver);
	free(ver);
	return out;
}

char *dbtls_remedy_dh_prime(const struct dbtls_endpoint_facts *f, int min_bits, int ffdhe_bits,
			    const char *cipher_string)
{
	const struct dbtls_remedy_product *p;
	char *suites = dbtls_remedy_suites(f, cipher_string), *out;

	if (!suites)
		return NULL;
	RM_PICK(p, f, dh_prime);
	out = p->dh_prime(f, min_bits, ffdhe_bits, suites);
	free(suites);
	return out;
}

char *dbtls_remedy_groups(const struct dbtls_endpoint_facts *f, const char *groups)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, groups);
	return p->groups(f, groups);
}

char *dbtls_remedy_server_order(const struct dbtls_endpoint_facts *f, const char *strict,
				const char *general)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, server_order);
	return p->server_order(f, strict, general);
}

char *dbtls_remedy_ca_rotation(const struct dbtls_endpoint_facts *f)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, ca_rotation);
	return p->ca_rotation(f);
}

char *dbtls_remedy_require_tls(const struct dbtls_endpoint_facts *f)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, require_tls);
	return p->require_tls(f);
}

char *dbtls_remedy_alpn(const struct dbtls_endpoint_facts *f, const char *protocol,
			const char *general)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, alpn);
	return p->alpn(f, protocol, general);
}

char *dbtls_remedy_accounts_no_tls(const struct dbtls_endpoint_facts *f, const char *general)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, accounts_no_tls);
	return p->accounts_no_tls(f, general);
}

char *dbtls_remedy_plain_connections(const struct dbtls_endpoint_facts *f, const char *general)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, plain_connections);
	return p->plain_connections(f, general);
}

char *dbtls_remedy_auto_cert(const struct dbtls_endpoint_facts *f, const char *general)
{
	const struct dbtls_remedy_product *p;
	RM_PICK(p, f, auto_cert);
	return p->auto_cert(f, general);
}
