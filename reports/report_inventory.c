/* SPDX-License-Identifier: MIT */
/*
 * report_inventory.c — the PCI DSS 4.0.1 inventory block of the text report: Requirement 12.3.3
 * asks for a yearly inventory of the protocols and cipher suites in use, 4.2.1.1 for one of the
 * trusted keys and certificates. Both are facts already in the scan; this only groups them across
 * endpoints: each (version, suite) pair with the endpoints that accept it, each served certificate
 * (by fingerprint) with the endpoints that serve it. Strings from the network go through
 * dbtls_esc_write(), as in the rest of the text writer.
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

/* The endpoints of s for which has(e, arg) holds: "a, b, c, d +2 more". */
static void inv_targets(FILE *out, const struct dbtls_scan_facts *s,
			bool (*has)(const struct dbtls_endpoint_facts *, const void *),
			const void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nendpoints; i++) {
		if (!has(&s->endpoints[i], arg))
			continue;
		if (n < INV_NAMES) {
			fputs(n ? ", " : "", out);
			inv_safe(out, s->endpoints[i].target);
		}
		n++;
	}
	if (n > INV_NAMES)
		fprintf(out, " +%zu more", n - INV_NAMES);
}

struct inv_pair {
	int version;
	uint32_t suite;
};

static bool inv_has_pair(const struct dbtls_endpoint_facts *e, const void *arg)
{
	const struct inv_pair *p = arg;
	const struct dbtls_version_facts *vf = &e->versions[p->version];

	if (vf->status != DBTLS_VS_ACCEPTED)
		return false;
	for (size_t k = 0; k < vf->nsuites; k++)
		if (vf->suites[k] == p->suite)
			return true;
	return false;
}

static bool inv_has_cert(const struct dbtls_endpoint_facts *e, const void *arg)
{
	for (size_t k = 0; k < e->ncerts; k++)
		if (!strcmp(e->certs[k].sha256, arg))
			return true;
	return false;
}

void dbtls_report_inventory_text(FILE *out, const struct dbtls_scan_facts *s)
{
	struct inv_pair *pairs = NULL;
	size_t npairs = 0, cap = 0, nc = 0;

	fputs("\nPCI DSS 4.0.1 inventory\n", out);
	fputs("  Req. 12.3.3, protocols and cipher suites in use:\n", out);
	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--)
		for (size_t i = 0; i < s->nendpoints; i++) {
			const struct dbtls_version_facts *vf = &s->endpoints[i].versions[v];
			for (size_t k = 0; vf->status == DBTLS_VS_ACCEPTED && k < vf->nsuites;
			     k++) {
				bool seen = false;
				for (size_t j = 0; j < npairs; j++)
					seen |= pairs[j].version == v &&
						pairs[j].suite == vf->suites[k];
				if (seen)
					continue;
				if (npairs == cap) {
					struct inv_pair *np =
					    realloc(pairs, (cap ? cap * 2 : 32) * sizeof(*np));
					if (!np) {
						fputs("  (out of memory: inventory incomplete)\n",
						      out);
						goto certs;
					}
					pairs = np;
					cap = cap ? cap * 2 : 32;
				}
				pairs[npairs++] = (struct inv_pair){v, vf->suites[k]};
			}
		}
certs:
	if (!npairs)
		fputs("    none (no endpoint accepted a suite)\n", out);
	for (size_t j = 0; j < npairs; j++) {
		const struct dbtls_suite *su = dbtls_suite_lookup(pairs[j].suite);
		fprintf(out, "    %-8s %-44s ",
			dbtls_version_name((enum dbtls_version)pairs[j].version),
			su ? su->iana_name : "unknown suite");
		inv_targets(out, s, inv_has_pair, &pairs[j]);
		fputc('\n', out);
	}
	free(pairs);
	fputs("  Req. 4.2.1.1, certificates served (leaf first per chain):\n", out);
	for (size_t i = 0; i < s->nendpoints; i++)
		for (size_t k = 0; k < s->endpoints[i].ncerts; k++) {
			const struct dbtls_cert *c = &s->endpoints[i].certs[k];
			bool dup = false;

			for (size_t i2 = 0; i2 <= i && !dup; i2++)
				for (size_t k2 = 0; k2 < s->endpoints[i2].ncerts; k2++) {
					if (i2 == i && k2 >= k)
						break;
					dup |=
					    !strcmp(s->endpoints[i2].certs[k2].sha256, c->sha256);
				}
			if (dup)
				continue;
			nc++;
			fputs("    ", out);
			inv_safe(out, c->subject);
			fputs("; issuer ", out);
			inv_safe(out, c->issuer);
			fputs("; ", out);
			inv_safe(out, c->key_type);
			fprintf(out, " %d; not after ", c->key_bits);
			inv_safe(out, c->not_after);
			fprintf(out, "; sha256 %s; served by ", c->sha256);
			inv_targets(out, s, inv_has_cert, c->sha256);
			fputc('\n', out);
		}
	if (!nc)
		fputs("    none (no certificate was collected)\n", out);
}
