/* SPDX-License-Identifier: MIT */
/*
 * report_inventory.c — the PCI DSS 4.0.1 inventory block of the text report: Requirement 12.3.3
 * asks for a yearly inventory of the protocols and cipher suites in use, 4.2.1.1 for one of the
 * trusted keys and certificates. Both are facts already in the scan; this only groups them across
 * endpoints: each (version, suite) pair with the endpoints that accept it, each served certificate
 * (by fingerprint) with the endpoints that serve it, gathered endpoint by endpoint (a streamed
 * run keeps only the rows, the first few names of each and a count). Strings from the network go
 * through dbtls_esc_write(), as in the rest of the text writer.
 */
#include "reports/report_util.h"

#include <stdlib.h>
#include <string.h>

#include "src/core/escape.h"
#include "src/registry/suites.h"

#define INV_NAMES 4 /* endpoints named per line; the rest are counted */

static void inv_safe(FILE *out, const char *s)
{
	dbtls_esc_write(out, s ? s : "-", DBTLS_ESC_TEXT);
}

/* The first INV_NAMES endpoints (targets, new) of a row and how many there are in all. */
struct inv_names {
	char *names[INV_NAMES];
	size_t n;
};

static void inv_names_add(struct inv_names *nm, const char *target, bool *oom)
{
	if (nm->n < INV_NAMES) {
		nm->names[nm->n] = strdup(target ? target : "-");
		*oom |= !nm->names[nm->n];
	}
	nm->n++;
}

/* "a, b, c, d +2 more". */
static void inv_names_write(FILE *out, const struct inv_names *nm)
{
	for (size_t i = 0; i < nm->n && i < INV_NAMES; i++) {
		fputs(i ? ", " : "", out);
		inv_safe(out, nm->names[i]);
	}
	if (nm->n > INV_NAMES)
		fprintf(out, " +%zu more", nm->n - INV_NAMES);
}

static void inv_names_free(struct inv_names *nm)
{
	for (size_t i = 0; i < INV_NAMES; i++)
		free(nm->names[i]);
}

struct inv_pair {
	uint32_t suite;
	struct inv_names eps;
};

/* A distinct served certificate (copies of what the line shows) and its endpoints. */
struct inv_cert {
	char *subject, *issuer, *key_type, *not_after, *sha256;
	int key_bits;
	size_t last; /* 1 + the endpoint that was counted last (one count per endpoint) */
	struct inv_names eps;
};

struct dbtls_inventory {
	/* per version, the accepted suites in the order the endpoints first show them */
	struct inv_pair *pairs[DBTLS_NVERSIONS];
	size_t npairs[DBTLS_NVERSIONS], cap[DBTLS_NVERSIONS];
	struct inv_cert *certs;
	size_t ncerts, ccap;
	size_t nendpoints;
	bool oom;
};

struct dbtls_inventory *dbtls_inventory_new(void)
{
	return calloc(1, sizeof(struct dbtls_inventory));
}

void dbtls_inventory_free(struct dbtls_inventory *inv)
{
	if (!inv)
		return;
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		for (size_t j = 0; j < inv->npairs[v]; j++)
			inv_names_free(&inv->pairs[v][j].eps);
		free(inv->pairs[v]);
	}
	for (size_t j = 0; j < inv->ncerts; j++) {
		struct inv_cert *c = &inv->certs[j];
		free(c->subject);
		free(c->issuer);
		free(c->key_type);
		free(c->not_after);
		free(c->sha256);
		inv_names_free(&c->eps);
	}
	free(inv->certs);
	free(inv);
}

static char *inv_dup(struct dbtls_inventory *inv, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	inv->oom |= s && !d;
	return d;
}

void dbtls_inventory_add(struct dbtls_inventory *inv, const struct dbtls_endpoint_facts *e)
{
	inv->nendpoints++;
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &e->versions[v];

		for (size_t k = 0; vf->status == DBTLS_VS_ACCEPTED && k < vf->nsuites; k++) {
			size_t j;
			bool twice = false;

			/* a suite listed twice by one endpoint counts it once */
			for (size_t k2 = 0; k2 < k; k2++)
				twice |= vf->suites[k2] == vf->suites[k];
			if (twice)
				continue;
			for (j = 0; j < inv->npairs[v] && inv->pairs[v][j].suite != vf->suites[k];
			     j++)
				;
			if (j == inv->npairs[v]) {
				if (j == inv->cap[v]) {
					size_t nc = inv->cap[v] ? 2 * inv->cap[v] : 32;
					struct inv_pair *np =
					    realloc(inv->pairs[v], nc * sizeof(*np));
					if (!np) {
						inv->oom = true;
						continue;
					}
					inv->pairs[v] = np;
					inv->cap[v] = nc;
				}
				inv->pairs[v][j] = (struct inv_pair){.suite = vf->suites[k]};
				inv->npairs[v]++;
			}
			inv_names_add(&inv->pairs[v][j].eps, e->target, &inv->oom);
		}
	}
	for (size_t k = 0; k < e->ncerts; k++) {
		const struct dbtls_cert *c = &e->certs[k];
		struct inv_cert *ic;
		size_t j;

		for (j = 0; j < inv->ncerts && strcmp(inv->certs[j].sha256, c->sha256); j++)
			;
		if (j == inv->ncerts) {
			if (j == inv->ccap) {
				size_t nc = inv->ccap ? 2 * inv->ccap : 16;
				struct inv_cert *np = realloc(inv->certs, nc * sizeof(*np));
				if (!np) {
					inv->oom = true;
					continue;
				}
				inv->certs = np;
				inv->ccap = nc;
			}
			ic = &inv->certs[j];
			*ic = (struct inv_cert){.key_bits = c->key_bits};
			ic->sha256 = inv_dup(inv, c->sha256);
			if (!ic->sha256) {
				inv->oom = true;
				continue;
			}
			ic->subject = inv_dup(inv, c->subject);
			ic->issuer = inv_dup(inv, c->issuer);
			ic->key_type = inv_dup(inv, c->key_type);
			ic->not_after = inv_dup(inv, c->not_after);
			inv->ncerts++;
		}
		ic = &inv->certs[j];
		if (ic->last == inv->nendpoints)
			continue;
		ic->last = inv->nendpoints;
		inv_names_add(&ic->eps, e->target, &inv->oom);
	}
}

void dbtls_inventory_write(FILE *out, const struct dbtls_inventory *inv)
{
	size_t npairs = 0;

	fputs("\nPCI DSS 4.0.1 inventory\n", out);
	fputs("  Req. 12.3.3, protocols and cipher suites in use:\n", out);
	if (inv->oom)
		fputs("  (out of memory: inventory incomplete)\n", out);
	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--)
		npairs += inv->npairs[v];
	if (!npairs)
		fputs("    none (no endpoint accepted a suite)\n", out);
	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--)
		for (size_t j = 0; j < inv->npairs[v]; j++) {
			const struct dbtls_suite *su = dbtls_suite_lookup(inv->pairs[v][j].suite);
			fprintf(out, "    %-8s %-44s ", dbtls_version_name((enum dbtls_version)v),
				su ? su->iana_name : "unknown suite");
			inv_names_write(out, &inv->pairs[v][j].eps);
			fputc('\n', out);
		}
	fputs("  Req. 4.2.1.1, certificates served (leaf first per chain):\n", out);
	for (size_t j = 0; j < inv->ncerts; j++) {
		const struct inv_cert *c = &inv->certs[j];

		fputs("    ", out);
		inv_safe(out, c->subject);
		fputs("; issuer ", out);
		inv_safe(out, c->issuer);
		fputs("; ", out);
		inv_safe(out, c->key_type);
		fprintf(out, " %d; not after ", c->key_bits);
		inv_safe(out, c->not_after);
		fprintf(out, "; sha256 %s; served by ", c->sha256);
		inv_names_write(out, &c->eps);
		fputc('\n', out);
	}
	if (!inv->ncerts)
		fputs("    none (no certificate was collected)\n", out);
}

void dbtls_report_inventory_text(FILE *out, const struct dbtls_scan_facts *s)
{
	struct dbtls_inventory *inv = dbtls_inventory_new();

	if (!inv) {
		fputs("\nPCI DSS 4.0.1 inventory\n  (out of memory)\n", out);
		return;
	}
	for (size_t i = 0; i < s->nendpoints; i++)
		dbtls_inventory_add(inv, &s->endpoints[i]);
	dbtls_inventory_write(out, inv);
	dbtls_inventory_free(inv);
}
