/* SPDX-License-Identifier: MIT */
/*
 * report_inventory.c — the PCI DSS 4.0.1 inventory of a scan: Requirement 12.3.3 asks for a
 * yearly inventory of the protocols and cipher suites in use, 4.2.1.1 for one of the trusted keys
 * and certificates. Both are facts already in the scan; this only groups them across endpoints:
 * each (version, suite) pair with the endpoints that accept it, each served certificate (by
 * SHA-256 fingerprint) with its position (leaf or chain), subject, issuer, key, signature, serial,
 * validity and the endpoints that serve it. It is gathered endpoint by endpoint, in each writer's
 * endpoint callback (a streamed run has no endpoints array to walk at the end): a row keeps the
 * first DBTLS_INV_KEEP endpoints and a count. One model feeds the three writers that carry it —
 * text, HTML and JSON (the top-level "inventory" object, reports/json/fields.c) — so they list
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

struct dbtls_inventory *dbtls_inventory_new(void)
{
	return calloc(1, sizeof(struct dbtls_inventory));
}

static void inv_eps_free(struct dbtls_inv_eps *eps)
{
	for (size_t i = 0; i < eps->n && i < DBTLS_INV_KEEP; i++)
		free(eps->kept[i].target);
	free(eps->kept);
}

void dbtls_inventory_free(struct dbtls_inventory *inv)
{
	if (!inv)
		return;
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		for (size_t j = 0; j < inv->nsuites[v]; j++)
			inv_eps_free(&inv->suites[v][j].eps);
		free(inv->suites[v]);
	}
	for (size_t j = 0; j < inv->ncerts; j++) {
		struct dbtls_inv_cert *c = &inv->certs[j];

		free(c->subject);
		free(c->issuer);
		free(c->key_type);
		free(c->curve);
		free(c->sig_alg);
		free(c->serial);
		free(c->not_before);
		free(c->not_after);
		inv_eps_free(&c->eps);
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

/* How the inventory names endpoint e: the target as given, or its id when it is one of several
 * addresses of a name (the target alone would name them all). */
static const char *inv_name(const struct dbtls_endpoint_facts *e)
{
	return e->id && strstr(e->id, "?address=") ? e->id : e->target;
}

/* Counts endpoint (target, index) in eps, keeping a copy while fewer than DBTLS_INV_KEEP are. */
static void inv_eps_add(struct dbtls_inventory *inv, struct dbtls_inv_eps *eps, const char *target,
			size_t index)
{
	if (eps->n < DBTLS_INV_KEEP) {
		/* grown by doubling up to DBTLS_INV_KEEP: most certificates have one endpoint */
		if (!(eps->n & (eps->n - 1))) {
			size_t cap = eps->n ? 2 * eps->n : 1;
			struct dbtls_inv_ep *np = realloc(eps->kept, cap * sizeof(*np));

			if (!np) {
				inv->oom = true;
				return;
			}
			eps->kept = np;
		}
		eps->kept[eps->n].index = index;
		eps->kept[eps->n].target = strdup(target ? target : "-");
		if (!eps->kept[eps->n].target) {
			inv->oom = true;
			return;
		}
	}
	eps->n++;
}

static void inv_add_suites(struct dbtls_inventory *inv, const struct dbtls_endpoint_facts *e,
			   size_t index)
{
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
			for (j = 0; j < inv->nsuites[v] && inv->suites[v][j].suite != vf->suites[k];
			     j++)
				;
			if (j == inv->nsuites[v]) {
				if (j == inv->cap[v]) {
					size_t nc = inv->cap[v] ? 2 * inv->cap[v] : 32;
					struct dbtls_inv_suite *np =
					    realloc(inv->suites[v], nc * sizeof(*np));
					if (!np) {
						inv->oom = true;
						continue;
					}
					inv->suites[v] = np;
					inv->cap[v] = nc;
				}
				inv->suites[v][j] =
				    (struct dbtls_inv_suite){.suite = vf->suites[k]};
				inv->nsuites[v]++;
			}
			inv_eps_add(inv, &inv->suites[v][j].eps, inv_name(e), index);
		}
	}
}

void dbtls_inventory_add(struct dbtls_inventory *inv, const struct dbtls_endpoint_facts *e,
			 size_t index)
{
	if (!inv)
		return;
	inv->nendpoints++;
	inv_add_suites(inv, e, index);
	for (size_t k = 0; k < e->ncerts; k++) {
		const struct dbtls_cert *c = &e->certs[k];
		struct dbtls_inv_cert *ic;
		size_t j;

		for (j = 0; j < inv->ncerts && strcmp(inv->certs[j].sha256, c->sha256); j++)
			;
		if (j == inv->ncerts) {
			if (j == inv->ccap) {
				size_t nc = inv->ccap ? 2 * inv->ccap : 16;
				struct dbtls_inv_cert *np = realloc(inv->certs, nc * sizeof(*np));
				if (!np) {
					inv->oom = true;
					continue;
				}
				inv->certs = np;
				inv->ccap = nc;
			}
			ic = &inv->certs[j];
			*ic = (struct dbtls_inv_cert){.key_bits = c->key_bits};
			memcpy(ic->sha256, c->sha256, sizeof(ic->sha256));
			ic->subject = inv_dup(inv, c->subject);
			ic->issuer = inv_dup(inv, c->issuer);
			ic->key_type = inv_dup(inv, c->key_type);
			ic->curve = inv_dup(inv, c->curve);
			ic->sig_alg = inv_dup(inv, c->sig_alg);
			ic->serial = inv_dup(inv, c->serial);
			ic->not_before = inv_dup(inv, c->not_before);
			ic->not_after = inv_dup(inv, c->not_after);
			inv->ncerts++;
		}
		ic = &inv->certs[j];
		ic->leaf |= k == 0;
		if (ic->last == inv->nendpoints)
			continue;
		ic->last = inv->nendpoints;
		inv_eps_add(inv, &ic->eps, inv_name(e), index);
	}
}

/* ---- text ---- */

static void inv_safe(FILE *out, const char *s)
{
	dbtls_esc_write(out, s ? s : "-", DBTLS_ESC_TEXT);
}

/* "a, b, c, d +2 more". */
static void inv_targets(FILE *out, const struct dbtls_inv_eps *eps)
{
	for (size_t i = 0; i < eps->n && i < INV_NAMES; i++) {
		fputs(i ? ", " : "", out);
		inv_safe(out, eps->kept[i].target);
	}
	if (eps->n > INV_NAMES)
		fprintf(out, " +%zu more", eps->n - INV_NAMES);
}

static size_t inv_nsuites(const struct dbtls_inventory *inv)
{
	size_t n = 0;

	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		n += inv->nsuites[v];
	return n;
}

void dbtls_inventory_write(FILE *out, const struct dbtls_inventory *inv)
{
	fputs("\nPCI DSS 4.0.1 inventory\n", out);
	if (inv->oom)
		fputs("  (out of memory: inventory incomplete)\n", out);
	fputs("  Req. 12.3.3, protocols and cipher suites in use:\n", out);
	if (!inv_nsuites(inv))
		fputs("    none (no endpoint accepted a suite)\n", out);
	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--)
		for (size_t j = 0; j < inv->nsuites[v]; j++) {
			const struct dbtls_suite *su = dbtls_suite_lookup(inv->suites[v][j].suite);

			fprintf(out, "    %-8s %-44s ", dbtls_version_name((enum dbtls_version)v),
				su ? su->iana_name : "unknown suite");
			inv_targets(out, &inv->suites[v][j].eps);
			fputc('\n', out);
		}
	fputs("  Req. 4.2.1.1, certificates and keys served (leaf first per chain):\n", out);
	if (!inv->ncerts)
		fputs("    none (no certificate was collected)\n", out);
	for (size_t j = 0; j < inv->ncerts; j++) {
		const struct dbtls_inv_cert *c = &inv->certs[j];

		fprintf(out, "    %s ", c->leaf ? "leaf " : "chain");
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
		fputs("; sha256 ", out);
		inv_safe(out, c->sha256);
		fputs("; served by ", out);
		inv_targets(out, &c->eps);
		fputc('\n', out);
	}
}

/* ---- HTML ---- */

static void inv_h(FILE *o, const char *s)
{
	dbtls_esc_write(o, s ? s : "-", DBTLS_ESC_HTML);
}

/* Links to the kept endpoints' sections, then "and N more". */
static void inv_h_targets(FILE *o, const struct dbtls_inv_eps *eps)
{
	for (size_t j = 0; j < eps->n && j < DBTLS_INV_KEEP; j++) {
		fprintf(o, "%s<a href=\"#ep-%zu\">", j ? ", " : "", eps->kept[j].index + 1);
		inv_h(o, eps->kept[j].target);
		fputs("</a>", o);
	}
	if (eps->n > DBTLS_INV_KEEP)
		fprintf(o, " and %zu more", eps->n - DBTLS_INV_KEEP);
}

void dbtls_inventory_write_html(FILE *o, const struct dbtls_inventory *inv)
{
	size_t nsuites = inv_nsuites(inv);

	fputs("<section id=\"inventory\">\n<h2>PCI DSS 4.0.1 inventory</h2>\n", o);
	if (inv->oom)
		fputs("<p class=\"error\">out of memory: inventory incomplete</p>\n", o);
	fputs("<h3>Req. 12.3.3: protocols and cipher suites in use</h3>\n", o);
	if (!nsuites)
		fputs("<p>none (no endpoint accepted a suite)</p>\n", o);
	else
		fputs("<table id=\"inventory-suites\">\n<thead><tr><th>version</th><th>suite "
		      "(IANA)</th><th>code</th><th>endpoints</th></tr></thead>\n<tbody>\n",
		      o);
	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--)
		for (size_t j = 0; j < inv->nsuites[v]; j++) {
			const struct dbtls_suite *su = dbtls_suite_lookup(inv->suites[v][j].suite);
			char hex[16];

			fprintf(o, "<tr><td>%s</td><td class=\"mono\">",
				dbtls_version_name((enum dbtls_version)v));
			inv_h(o, su ? su->iana_name : "unknown suite");
			dbtls_suite_hex(inv->suites[v][j].suite, hex, sizeof(hex));
			fprintf(o, "</td><td class=\"mono\">%s</td><td>", hex);
			inv_h_targets(o, &inv->suites[v][j].eps);
			fputs("</td></tr>\n", o);
		}
	if (nsuites)
		fputs("</tbody>\n</table>\n", o);
	fputs("<h3>Req. 4.2.1.1: certificates and keys served</h3>\n", o);
	if (!inv->ncerts)
		fputs("<p>none (no certificate was collected)</p>\n", o);
	else
		fputs("<table id=\"inventory-certs\">\n<thead><tr><th>position</th><th>subject</th>"
		      "<th>issuer</th><th>key</th><th>signature</th><th>serial</th><th>not "
		      "after</th><th>SHA-256</th><th>endpoints</th></tr></thead>\n<tbody>\n",
		      o);
	for (size_t j = 0; j < inv->ncerts; j++) {
		const struct dbtls_inv_cert *c = &inv->certs[j];

		fprintf(o, "<tr><td>%s</td><td>", c->leaf ? "leaf" : "chain");
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
		fputs("</td><td class=\"mono\">", o);
		inv_h(o, c->sha256);
		fputs("</td><td>", o);
		inv_h_targets(o, &c->eps);
		fputs("</td></tr>\n", o);
	}
	if (inv->ncerts)
		fputs("</tbody>\n</table>\n", o);
	fputs("</section>\n", o);
}
