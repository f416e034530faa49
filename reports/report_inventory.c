/* SPDX-License-Identifier: MIT */
/*
 * report_inventory.c — the PCI DSS 4.0.1 inventory of a scan: Requirement 12.3.3 asks for a
 * yearly inventory of the protocols and cipher suites in use, 4.2.1.1 for one of the trusted keys
 * and certificates. Both are facts already in the scan; this only groups them across endpoints:
 * each (version, suite) pair with the endpoints that accept it, each served certificate (by
 * SHA-256 fingerprint) with its position (leaf or chain), subject, issuer, key, signature, serial,
 * validity and the endpoints that serve it. One model (dbtls_inventory_build) feeds the three
 * writers that carry it — text, HTML and JSON (the top-level "inventory" object) — so they list
 * the same rows. It is written when the scan is judged under a PCI DSS profile (a profile name
 * starting with "pci-dss"). Strings from the network go through each writer's escaping.
 */
#include "reports/report_util.h"

#include <stdlib.h>
#include <string.h>

#include "src/core/escape.h"
#include "src/registry/suites.h"

#define INV_NAMES 4 /* endpoints named per text line; the rest are counted */

bool dbtls_report_inventory_wanted(const struct dbtls_evaluation *ev)
{
	return ev && ev->policy && ev->policy->name && !strncmp(ev->policy->name, "pci-dss", 7);
}

/* Appends endpoint index i to *eps (grown by doubling); false on out of memory. */
static bool inv_push(size_t **eps, size_t *n, size_t i)
{
	if (!(*n & (*n - 1)) || !*n) {
		size_t cap = *n ? *n * 2 : 1;
		size_t *np = realloc(*eps, cap * sizeof(*np));

		if (!np)
			return false;
		*eps = np;
	}
	(*eps)[(*n)++] = i;
	return true;
}

static bool inv_add_suite(struct dbtls_inventory *inv, int version, uint32_t suite, size_t ep)
{
	struct dbtls_inv_suite *p = NULL;

	for (size_t j = 0; j < inv->nsuites && !p; j++)
		if (inv->suites[j].version == version && inv->suites[j].suite == suite)
			p = &inv->suites[j];
	if (!p) {
		struct dbtls_inv_suite *np =
		    realloc(inv->suites, (inv->nsuites + 1) * sizeof(*inv->suites));

		if (!np)
			return false;
		inv->suites = np;
		p = &inv->suites[inv->nsuites++];
		*p = (struct dbtls_inv_suite){.version = version, .suite = suite};
	}
	if (p->neps && p->eps[p->neps - 1] == ep)
		return true;
	return inv_push(&p->eps, &p->neps, ep);
}

static bool inv_add_cert(struct dbtls_inventory *inv, const struct dbtls_cert *c, size_t pos,
			 size_t ep)
{
	struct dbtls_inv_cert *p = NULL;

	for (size_t j = 0; j < inv->ncerts && !p; j++)
		if (!strcmp(inv->certs[j].cert->sha256, c->sha256))
			p = &inv->certs[j];
	if (!p) {
		struct dbtls_inv_cert *np =
		    realloc(inv->certs, (inv->ncerts + 1) * sizeof(*inv->certs));

		if (!np)
			return false;
		inv->certs = np;
		p = &inv->certs[inv->ncerts++];
		*p = (struct dbtls_inv_cert){.cert = c, .leaf = pos == 0};
	}
	p->leaf |= pos == 0;
	if (p->neps && p->eps[p->neps - 1] == ep)
		return true;
	return inv_push(&p->eps, &p->neps, ep);
}

void dbtls_inventory_build(const struct dbtls_scan_facts *s, struct dbtls_inventory *inv)
{
	memset(inv, 0, sizeof(*inv));
	/* newest version first, then in the order the endpoints accepted the suites */
	for (int v = DBTLS_NVERSIONS - 1; v >= 0 && !inv->oom; v--)
		for (size_t i = 0; i < s->nendpoints && !inv->oom; i++) {
			const struct dbtls_version_facts *vf = &s->endpoints[i].versions[v];

			for (size_t k = 0; vf->status == DBTLS_VS_ACCEPTED && k < vf->nsuites; k++)
				if (!inv_add_suite(inv, v, vf->suites[k], i)) {
					inv->oom = true;
					break;
				}
		}
	for (size_t i = 0; i < s->nendpoints && !inv->oom; i++)
		for (size_t k = 0; k < s->endpoints[i].ncerts; k++)
			if (!inv_add_cert(inv, &s->endpoints[i].certs[k], k, i)) {
				inv->oom = true;
				break;
			}
}

void dbtls_inventory_free(struct dbtls_inventory *inv)
{
	if (!inv)
		return;
	for (size_t j = 0; j < inv->nsuites; j++)
		free(inv->suites[j].eps);
	for (size_t j = 0; j < inv->ncerts; j++)
		free(inv->certs[j].eps);
	free(inv->suites);
	free(inv->certs);
	memset(inv, 0, sizeof(*inv));
}

/* ---- text ---- */

static void inv_safe(FILE *out, const char *s)
{
	dbtls_esc_write(out, s ? s : "-", DBTLS_ESC_TEXT);
}

static void inv_targets(FILE *out, const struct dbtls_scan_facts *s, const size_t *eps, size_t n)
{
	for (size_t j = 0; j < n && j < INV_NAMES; j++) {
		fputs(j ? ", " : "", out);
		inv_safe(out, s->endpoints[eps[j]].target);
	}
	if (n > INV_NAMES)
		fprintf(out, " +%zu more", n - INV_NAMES);
}

void dbtls_report_inventory_text(FILE *out, const struct dbtls_scan_facts *s)
{
	struct dbtls_inventory inv;

	dbtls_inventory_build(s, &inv);
	fputs("\nPCI DSS 4.0.1 inventory\n", out);
	if (inv.oom)
		fputs("  (out of memory: inventory incomplete)\n", out);
	fputs("  Req. 12.3.3, protocols and cipher suites in use:\n", out);
	if (!inv.nsuites)
		fputs("    none (no endpoint accepted a suite)\n", out);
	for (size_t j = 0; j < inv.nsuites; j++) {
		const struct dbtls_suite *su = dbtls_suite_lookup(inv.suites[j].suite);

		fprintf(out, "    %-8s %-44s ",
			dbtls_version_name((enum dbtls_version)inv.suites[j].version),
			su ? su->iana_name : "unknown suite");
		inv_targets(out, s, inv.suites[j].eps, inv.suites[j].neps);
		fputc('\n', out);
	}
	fputs("  Req. 4.2.1.1, certificates and keys served (leaf first per chain):\n", out);
	if (!inv.ncerts)
		fputs("    none (no certificate was collected)\n", out);
	for (size_t j = 0; j < inv.ncerts; j++) {
		const struct dbtls_cert *c = inv.certs[j].cert;

		fprintf(out, "    %s ", inv.certs[j].leaf ? "leaf " : "chain");
		inv_safe(out, c->subject);
		fputs("; issuer ", out);
		inv_safe(out, c->issuer);
		fputs("; ", out);
		inv_safe(out, c->key_type);
		fprintf(out, " %d", c->key_bits);
		if (c->curve) {
			fputc(' ', out);
			inv_safe(out, c->curve);
		}
		fputs("; signature ", out);
		inv_safe(out, c->sig_alg);
		fputs("; serial ", out);
		inv_safe(out, c->serial);
		fputs("; not after ", out);
		inv_safe(out, c->not_after);
		fprintf(out, "; sha256 %s; served by ", c->sha256);
		inv_targets(out, s, inv.certs[j].eps, inv.certs[j].neps);
		fputc('\n', out);
	}
	dbtls_inventory_free(&inv);
}

/* ---- HTML ---- */

static void inv_h(FILE *o, const char *s)
{
	dbtls_esc_write(o, s ? s : "-", DBTLS_ESC_HTML);
}

static void inv_h_targets(FILE *o, const struct dbtls_scan_facts *s, const size_t *eps, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		fprintf(o, "%s<a href=\"#ep-%zu\">", j ? ", " : "", eps[j] + 1);
		inv_h(o, s->endpoints[eps[j]].target);
		fputs("</a>", o);
	}
}

void dbtls_report_inventory_html(FILE *o, const struct dbtls_scan_facts *s)
{
	struct dbtls_inventory inv;

	dbtls_inventory_build(s, &inv);
	fputs("<section id=\"inventory\">\n<h2>PCI DSS 4.0.1 inventory</h2>\n", o);
	if (inv.oom)
		fputs("<p class=\"error\">out of memory: inventory incomplete</p>\n", o);
	fputs("<h3>Req. 12.3.3: protocols and cipher suites in use</h3>\n", o);
	if (!inv.nsuites)
		fputs("<p>none (no endpoint accepted a suite)</p>\n", o);
	else
		fputs("<table id=\"inventory-suites\">\n<thead><tr><th>version</th><th>suite "
		      "(IANA)</th><th>code</th><th>endpoints</th></tr></thead>\n<tbody>\n",
		      o);
	for (size_t j = 0; j < inv.nsuites; j++) {
		const struct dbtls_suite *su = dbtls_suite_lookup(inv.suites[j].suite);
		char hex[16];

		fprintf(o, "<tr><td>%s</td><td class=\"mono\">",
			dbtls_version_name((enum dbtls_version)inv.suites[j].version));
		inv_h(o, su ? su->iana_name : "unknown suite");
		dbtls_suite_hex(inv.suites[j].suite, hex, sizeof(hex));
		fprintf(o, "</td><td class=\"mono\">%s</td><td>", hex);
		inv_h_targets(o, s, inv.suites[j].eps, inv.suites[j].neps);
		fputs("</td></tr>\n", o);
	}
	if (inv.nsuites)
		fputs("</tbody>\n</table>\n", o);
	fputs("<h3>Req. 4.2.1.1: certificates and keys served</h3>\n", o);
	if (!inv.ncerts)
		fputs("<p>none (no certificate was collected)</p>\n", o);
	else
		fputs("<table id=\"inventory-certs\">\n<thead><tr><th>position</th><th>subject</th>"
		      "<th>issuer</th><th>key</th><th>signature</th><th>serial</th><th>not "
		      "after</th><th>SHA-256</th><th>endpoints</th></tr></thead>\n<tbody>\n",
		      o);
	for (size_t j = 0; j < inv.ncerts; j++) {
		const struct dbtls_cert *c = inv.certs[j].cert;

		fprintf(o, "<tr><td>%s</td><td>", inv.certs[j].leaf ? "leaf" : "chain");
		inv_h(o, c->subject);
		fputs("</td><td>", o);
		inv_h(o, c->issuer);
		fputs("</td><td>", o);
		inv_h(o, c->key_type);
		fprintf(o, " %d", c->key_bits);
		if (c->curve) {
			fputc(' ', o);
			inv_h(o, c->curve);
		}
		fputs("</td><td class=\"mono\">", o);
		inv_h(o, c->sig_alg);
		fputs("</td><td class=\"mono\">", o);
		inv_h(o, c->serial);
		fputs("</td><td class=\"mono\">", o);
		inv_h(o, c->not_after);
		fprintf(o, "</td><td class=\"mono\">%s</td><td>", c->sha256);
		inv_h_targets(o, s, inv.certs[j].eps, inv.certs[j].neps);
		fputs("</td></tr>\n", o);
	}
	if (inv.ncerts)
		fputs("</tbody>\n</table>\n", o);
	fputs("</section>\n", o);
	dbtls_inventory_free(&inv);
}
