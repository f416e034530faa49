/* SPDX-License-Identifier: MIT */
/*
 * report_html.c — the HTML report: one self-contained file (inline stylesheet from data/report.css,
 * no scripts, no external fetches, so it works offline and as an e-mail attachment) that a person
 * reads top to bottom: the summary first (endpoints and their outcome, findings by severity, the
 * nearest certificate expiries), then one section per endpoint with its findings (evidence and
 * remediation), TLS versions, cipher suites with the weak ones marked, key exchange and chain.
 *
 * Every string that comes from a scan (subjects, banners, error messages, evidence — all of it
 * attacker-controlled) goes through h(), which is dbtls_esc_write() in HTML mode; numbers are
 * printed by us and ids are built from indexes, never from scan data. A Content-Security-Policy
 * that forbids scripts and fetches is the second line of defence.
 */
#include "reports/report.h"
#include "reports/report_util.h"

#include <stdlib.h>
#include <string.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"
#include "src/core/version.h"

#define HTML_NEXPIRIES 10

/* What no current guideline allows, whatever the profile: marked weak even without a policy. */
#define HTML_ALWAYS_WEAK                                                                           \
	(DBTLS_PROP_EXPORT | DBTLS_PROP_ANON | DBTLS_PROP_NULL | DBTLS_PROP_RC4 | DBTLS_PROP_DES | \
	 DBTLS_PROP_3DES | DBTLS_PROP_NON_PFS)

/* The one way scan data reaches the page. */
static void h(FILE *o, const char *s)
{
	dbtls_esc_write(o, s, DBTLS_ESC_HTML | DBTLS_ESC_KEEP_NL);
}

/* s escaped, or a muted dash when it is unknown. */
static void h_or_dash(FILE *o, const char *s)
{
	if (s && *s)
		h(o, s);
	else
		fputs("<span class=\"none\">—</span>", o);
}

static enum dbtls_severity html_fail_on(const struct dbtls_report_ctx *ctx)
{
	return ctx->eval ? ctx->eval->fail_on : DBTLS_SEV_HIGH;
}

static const struct dbtls_findings *html_findings(const struct dbtls_report_ctx *ctx)
{
	return ctx->findings;
}

static int html_warn_days(const struct dbtls_report_ctx *ctx)
{
	const struct dbtls_policy *p = ctx->eval ? ctx->eval->policy : NULL;

	return p && p->params.cert_warn_days > 0 ? p->params.cert_warn_days : 30;
}

/* days: days_left (whole days, dbtls_days_between); not_after: when (0 unknown) */
static void html_days(FILE *o, long days, time_t not_after, int warn_days)
{
	if (dbtls_report_expired(days, not_after))
		fprintf(o, "<span class=\"expired\">expired %ld day%s ago</span>", -days,
			days == -1 ? "" : "s");
	else if (days < warn_days)
		fprintf(o, "<span class=\"expiring\">%ld day%s left</span>", days,
			days == 1 ? "" : "s");
	else
		fprintf(o, "%ld days left", days);
}

/* "1 high, 2 medium (+1 waived)" for an endpoint's findings. */
static void html_counts(FILE *o, const struct dbtls_findings *fs)
{
	size_t by[DBTLS_NSEVERITIES] = {0}, waived = 0;
	bool any = false;

	if (!fs) {
		fputs("<span class=\"none\">not judged</span>", o);
		return;
	}
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->items[i].waived)
			waived++;
		else
			by[fs->items[i].severity]++;
	}
	for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--) {
		if (!by[sev])
			continue;
		fprintf(o, "%s%zu %s", any ? ", " : "", by[sev],
			dbtls_severity_name((enum dbtls_severity)sev));
		any = true;
	}
	if (!any)
		fputs("none", o);
	if (waived)
		fprintf(o, " (+%zu waived)", waived);
}

static void html_accepted_versions(FILE *o, const struct dbtls_endpoint_facts *e)
{
	bool any = false;

	if (e->tls_offered == 0) {
		fputs("<span class=\"bad\">no TLS</span>", o);
		return;
	}
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		if (e->versions[v].status != DBTLS_VS_ACCEPTED)
			continue;
		fprintf(o, "%s<span class=\"%s\">%s</span>", any ? " " : "",
			v <= DBTLS_TLS11 ? "bad" : "accepted",
			dbtls_version_name((enum dbtls_version)v));
		any = true;
	}
	if (!any)
		fputs("<span class=\"none\">unknown</span>", o);
}

/* --- the summary ------------------------------------------------------------------------------ */

/* What the expiry table shows of one served certificate: copies, as the endpoint is freed once
 * it is written (a streamed run). */
struct html_cert {
	char sha256[65];
	char *not_after, *subject, *target; /* target: the endpoint's */
	time_t not_after_t;
	long days_left;
	bool is_ca;
};

struct html_exp {
	size_t ep, pos;
	struct html_cert *c; /* owned by the writer's state */
	size_t also;	     /* other endpoints serving the same certificate */
};

/* ctx->priv: the summary comes first in the page but needs every endpoint, so the endpoint
 * list rows, the rotation rows and the endpoint sections are spooled to temporary files as the
 * endpoints pass and put together at the end; the counts and the certificates' expiries are
 * gathered alongside. */
struct html_priv {
	struct dbtls_report_acc acc;
	FILE *out;	/* the caller's stream */
	FILE *list;	/* <tr> rows of the endpoint list */
	FILE *rot;	/* <tr> rows of the rotation table (--new-ca-file) */
	FILE *sections; /* the endpoint sections: ctx->out between begin and end */
	struct html_exp *exps;
	size_t nexps, cap;
	struct dbtls_inventory *inv; /* under a PCI DSS profile, else NULL */
};

/* Scan order: endpoint, then position in its chain. */
static int html_exp_order(const struct html_exp *x, const struct html_exp *y)
{
	if (x->ep != y->ep)
		return x->ep < y->ep ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* By fingerprint (unknown ones never equal), then scan order: duplicates end up side by side. */
static int html_exp_by_cert(const void *a, const void *b)
{
	const struct html_exp *x = a, *y = b;
	int c = strcmp(x->c->sha256, y->c->sha256);

	return c ? c : html_exp_order(x, y);
}

/* Soonest expiry first, then scan order. */
static int html_exp_by_time(const void *a, const void *b)
{
	const struct html_exp *x = a, *y = b;

	if (x->c->not_after_t != y->c->not_after_t)
		return x->c->not_after_t < y->c->not_after_t ? -1 : 1;
	return html_exp_order(x, y);
}

/* Copies the certificates of endpoint e (index i) that have an expiry into the table's rows. */
static enum dbtls_err html_exp_add(struct html_priv *hp, const struct dbtls_endpoint_facts *e,
				   size_t i)
{
	for (size_t k = 0; k < e->ncerts; k++) {
		const struct dbtls_cert *c = &e->certs[k];
		struct html_cert *hc;

		if (!c->not_after)
			continue;
		if (hp->nexps == hp->cap) {
			size_t nc = hp->cap ? 2 * hp->cap : 16;
			struct html_exp *ne = realloc(hp->exps, nc * sizeof(*ne));

			if (!ne)
				return DBTLS_ERR_NOMEM;
			hp->exps = ne;
			hp->cap = nc;
		}
		hc = calloc(1, sizeof(*hc));
		if (!hc)
			return DBTLS_ERR_NOMEM;
		memcpy(hc->sha256, c->sha256, sizeof(hc->sha256));
		hc->not_after = strdup(c->not_after);
		hc->subject = c->subject ? strdup(c->subject) : NULL;
		hc->target = e->target ? strdup(e->target) : NULL;
		hc->not_after_t = c->not_after_t;
		hc->days_left = c->days_left;
		hc->is_ca = c->is_ca;
		hp->exps[hp->nexps++] = (struct html_exp){.ep = i, .pos = k, .c = hc};
		if (!hc->not_after || (c->subject && !hc->subject) || (e->target && !hc->target))
			return DBTLS_ERR_NOMEM;
	}
	return DBTLS_OK;
}

static enum dbtls_err html_expiries(struct dbtls_report_ctx *ctx, struct html_priv *hp)
{
	FILE *o = ctx->out;
	struct html_exp *all;
	size_t n = hp->nexps, m = 0;

	fputs("<h3>Nearest certificate expiries</h3>\n", o);
	if (!n) {
		fputs("<p class=\"none\">No certificates were collected.</p>\n", o);
		return DBTLS_OK;
	}
	/* sorted and thinned in a copy: hp->exps keeps every row's copies to free */
	all = malloc(n * sizeof(*all));
	if (!all)
		return DBTLS_ERR_NOMEM;
	memcpy(all, hp->exps, n * sizeof(*all));
	/* one row per certificate: an intermediate served by ten endpoints is one expiry, shown
	 * at the first endpoint that serves it (sorting keeps this O(n log n) for big fleets) */
	qsort(all, n, sizeof(*all), html_exp_by_cert);
	for (size_t j = 0; j < n; j++) {
		if (m && all[j].c->sha256[0] && !strcmp(all[m - 1].c->sha256, all[j].c->sha256)) {
			all[m - 1].also += all[j].ep != all[j - 1].ep;
			continue;
		}
		all[m++] = all[j];
	}
	n = m;
	qsort(all, n, sizeof(*all), html_exp_by_time);
	fputs("<table id=\"expiries\">\n<thead><tr><th>expires</th><th>time left</th>"
	      "<th>certificate</th><th>position</th><th>endpoint</th></tr></thead>\n<tbody>\n",
	      o);
	for (size_t j = 0; j < n && j < HTML_NEXPIRIES; j++) {
		const struct html_exp *x = &all[j];
		fputs("<tr><td class=\"mono\">", o);
		h(o, x->c->not_after);
		fputs("</td><td>", o);
		html_days(o, x->c->days_left, x->c->not_after_t, html_warn_days(ctx));
		fputs("</td><td>", o);
		h_or_dash(o, x->c->subject);
		fprintf(o, "</td><td>%s</td><td><a href=\"#ep-%zu\">",
			x->pos == 0   ? "leaf"
			: x->c->is_ca ? "CA"
				      : "chain",
			x->ep + 1);
		h(o, x->c->target);
		fputs("</a>", o);
		if (x->also)
			fprintf(o, " and %zu more", x->also);
		fputs("</td></tr>\n", o);
	}
	fputs("</tbody>\n</table>\n", o);
	if (n > HTML_NEXPIRIES)
		fprintf(o, "<p class=\"none\">%zu more certificates expire later.</p>\n",
			n - HTML_NEXPIRIES);
	free(all);
	return DBTLS_OK;
}

/* CA rotation, when the scan was asked (--new-ca-file): which endpoints' chains the new bundle
 * alone would accept. */
static bool html_rotation(FILE *o, const struct dbtls_scan_facts *s,
			  const struct dbtls_report_counts *c, FILE *rows)
{
	size_t ready = c->rotation_ready;

	if (!s->new_ca_file)
		return true;
	fputs("<h3>CA rotation</h3>\n<p>", o);
	fprintf(o,
		"<strong>%zu of %zu</strong> endpoint%s would be accepted by clients that trust "
		"only <span class=\"mono\">",
		ready, c->total, c->total == 1 ? "" : "s");
	h(o, s->new_ca_file);
	fputs("</span>.</p>\n<table id=\"rotation\">\n<thead><tr><th>endpoint</th><th>ready</th>"
	      "<th>trust anchor in the new bundle, or why not</th></tr></thead>\n<tbody>\n",
	      o);
	if (rows && !dbtls_report_spool_copy(rows, o))
		return false;
	fputs("</tbody>\n</table>\n", o);
	return true;
}

/* Endpoint i's row of the rotation table. */
static void html_rotation_row(FILE *o, const struct dbtls_endpoint_facts *e, size_t i)
{
	{
		const struct dbtls_rotation_facts *r = &e->verification.rotation;

		fprintf(o, "<tr><td><a href=\"#ep-%zu\">", i + 1);
		h(o, e->target);
		fprintf(o, "</a></td><td class=\"%s\">%s</td><td>",
			!r->checked ? "error"
			: r->ready  ? "accepted"
				    : "bad",
			!r->checked ? "no (not checked)"
			: r->ready  ? "yes"
				    : "no");
		h_or_dash(o, r->ready ? r->anchor_subject : r->error);
		fputs("</td></tr>\n", o);
	}
}

static void html_head(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s, size_t total,
		      size_t failed)
{
	FILE *o = ctx->out;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"dbtls ",
	      o);
	h(o, s->tool_version ? s->tool_version : DBTLS_VERSION);
	fprintf(o, "\">\n<title>dbtls report: %zu endpoint%s", total, total == 1 ? "" : "s");
	if (ctx->eval)
		fprintf(o, ", %zu failed", failed);
	fprintf(o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", dbtls_report_css);
}

static void html_header(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s,
			const struct html_priv *hp)
{
	const struct dbtls_policy *p = ctx->eval ? ctx->eval->policy : NULL;
	char started[32], finished[32], id[48];
	FILE *o = ctx->out;

	dbtls_rfc3339(s->started_at, started, sizeof(started));
	dbtls_rfc3339(s->finished_at, finished, sizeof(finished));
	dbtls_report_scan_id(s, id, sizeof(id));
	fputs("<header>\n<h1>Database TLS report</h1>\n<p class=\"meta\">scan <code>", o);
	h(o, id);
	fprintf(o, "</code> · %s to %s · dbtls ", started, finished);
	h(o, s->tool_version ? s->tool_version : DBTLS_VERSION);
	fputs("</p>\n<p class=\"meta\">", o);
	if (p) {
		fputs("policy <strong>", o);
		h(o, p->name);
		fputs("</strong> ", o);
		h(o, p->version);
		if (p->guideline) {
			fputs(" (", o);
			h(o, p->guideline);
			fputs(")", o);
		}
		fprintf(o, " · endpoints fail on findings at or above <strong>%s</strong>",
			dbtls_severity_name(ctx->eval->fail_on));
	} else {
		fputs("not judged: no policy (facts only)", o);
	}
	fputs("</p>\n", o);
	if (s->interrupted) {
		size_t n = hp->acc.unfinished;

		fprintf(
		    o,
		    "<p class=\"meta\" id=\"interrupted\"><span class=\"warn\">interrupted</span>: "
		    "the run was stopped (SIGINT/SIGTERM); %zu endpoint%s not finished "
		    "(INTERRUPTED errors)</p>\n",
		    n, n == 1 ? "" : "s");
	}
	fputs("</header>\n<main>\n", o);
}

/* One row of the endpoint list: endpoint e (index i) with its findings fs. */
static void html_list_row(struct dbtls_report_ctx *ctx, FILE *o,
			  const struct dbtls_endpoint_facts *e, const struct dbtls_findings *fs,
			  size_t i)
{
	const char *oc = dbtls_outcome_name(dbtls_report_outcome(e, fs, html_fail_on(ctx)));

	fprintf(o, "<tr><td><a href=\"#ep-%zu\">", i + 1);
	h(o, e->target);
	fprintf(o, "</a></td><td><span class=\"badge %s\">%s</span></td><td>", oc, oc);
	html_counts(o, fs);
	fputs("</td><td>", o);
	html_accepted_versions(o, e);
	fputs("</td><td>", o);
	if (e->ncerts) {
		html_days(o, e->certs[0].days_left, e->certs[0].not_after_t, html_warn_days(ctx));
		fputs(" <span class=\"mono\">", o);
		h(o, e->certs[0].not_after);
		fputs("</span>", o);
	} else {
		fputs("<span class=\"none\">none</span>", o);
	}
	fputs("</td></tr>\n", o);
}

static void html_priv_free(struct html_priv *hp)
{
	if (!hp)
		return;
	dbtls_report_acc_free(&hp->acc);
	dbtls_inventory_free(hp->inv);
	if (hp->list)
		fclose(hp->list);
	if (hp->rot)
		fclose(hp->rot);
	if (hp->sections)
		fclose(hp->sections);
	for (size_t i = 0; i < hp->nexps; i++) {
		free(hp->exps[i].c->not_after);
		free(hp->exps[i].c->subject);
		free(hp->exps[i].c->target);
		free(hp->exps[i].c);
	}
	free(hp->exps);
	free(hp);
}

static enum dbtls_err html_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct html_priv *hp = calloc(1, sizeof(*hp));

	if (!hp)
		return DBTLS_ERR_NOMEM;
	ctx->priv = hp;
	dbtls_report_acc_init(&hp->acc, s, ctx->eval);
	hp->out = ctx->out;
	hp->list = dbtls_report_spool_new();
	hp->sections = dbtls_report_spool_new();
	if (s->new_ca_file)
		hp->rot = dbtls_report_spool_new();
	if (!hp->list || !hp->sections || (s->new_ca_file && !hp->rot))
		return DBTLS_ERR_FILE;
	if (dbtls_report_inventory_wanted(ctx->eval) && !(hp->inv = dbtls_inventory_new()))
		return DBTLS_ERR_NOMEM;
	ctx->out = hp->sections;
	return DBTLS_OK;
}

/* The page up to the endpoint sections: head, header, summary (counts, the endpoint list, the
 * rotation table, the expiries), from what the endpoints left in hp. */
static enum dbtls_err html_summary(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s,
				   struct html_priv *hp)
{
	const struct dbtls_evaluation *ev = ctx->eval;
	const struct dbtls_report_counts c = hp->acc.c;
	const size_t *outcome = c.outcome;
	FILE *o = ctx->out;

	html_head(ctx, s, c.total, outcome[DBTLS_OUTCOME_FAILED]);
	html_header(ctx, s, hp);

	fputs("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n", o);
	if (c.not_reached)
		fprintf(o,
			"<div class=\"card\"><span class=\"n\">%zu</span>of %zu endpoints scanned "
			"(%zu not reached)</div>\n",
			c.reached, c.total, c.not_reached);
	else
		fprintf(
		    o, "<div class=\"card\"><span class=\"n\">%zu</span>endpoint%s scanned</div>\n",
		    c.total, c.total == 1 ? "" : "s");
	if (ev)
		fprintf(o,
			"<div class=\"card passed\"><span class=\"n\">%zu</span>passed</div>\n"
			"<div class=\"card failed\"><span class=\"n\">%zu</span>failed</div>\n",
			outcome[DBTLS_OUTCOME_PASSED], outcome[DBTLS_OUTCOME_FAILED]);
	else
		fprintf(
		    o, "<div class=\"card\"><span class=\"n\">%zu</span>scanned completely</div>\n",
		    outcome[DBTLS_OUTCOME_SCANNED]);
	fprintf(o,
		"<div class=\"card errored\"><span class=\"n\">%zu</span>with scan errors</div>\n",
		c.with_errors);
	fputs("</div>\n", o);

	fputs("<h3>Findings by severity</h3>\n", o);
	if (ev) {
		fputs("<table class=\"severities\" id=\"severities\">\n<thead><tr>", o);
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
			fprintf(o, "<th>%s</th>", dbtls_severity_name((enum dbtls_severity)sev));
		fputs("<th>waived</th></tr></thead>\n<tbody><tr>", o);
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
			fprintf(
			    o, "<td class=\"%s%s\">%zu</td>", c.by_severity[sev] ? "sev-" : "zero",
			    c.by_severity[sev] ? dbtls_severity_name((enum dbtls_severity)sev) : "",
			    c.by_severity[sev]);
		fprintf(o, "<td class=\"zero\">%zu</td></tr></tbody>\n</table>\n", c.waived);
	} else {
		fputs("<p class=\"none\">Not judged: the scan was written without a policy.</p>\n",
		      o);
	}

	fputs("<h3>Endpoints</h3>\n<table id=\"endpoint-list\">\n<thead><tr><th>endpoint</th>"
	      "<th>result</th><th>findings</th><th>TLS versions</th><th>leaf certificate</th>"
	      "</tr></thead>\n<tbody>\n",
	      o);
	if (!dbtls_report_spool_copy(hp->list, o))
		return DBTLS_ERR_FILE;
	fputs("</tbody>\n</table>\n", o);
	if (!html_rotation(o, s, &c, hp->rot))
		return DBTLS_ERR_FILE;
	if (html_expiries(ctx, hp))
		return DBTLS_ERR_NOMEM;
	fputs("</section>\n", o);
	return DBTLS_OK;
}

/* --- one endpoint ----------------------------------------------------------------------------- */

static void html_finding(FILE *o, const struct dbtls_finding *fd)
{
	const char *sev = dbtls_severity_name(fd->severity);

	fprintf(o,
		"<article class=\"finding sev-%s%s\">\n<h4><span class=\"badge sev-%s\">%s</span> ",
		sev, fd->waived ? " waived" : "", sev, sev);
	if (fd->waived)
		fputs("<span class=\"badge waived\">waived</span> ", o);
	h(o, fd->title);
	fputs(" <code>", o);
	h(o, fd->check);
	fputs("</code></h4>\n", o);
	if (fd->evidence && *fd->evidence) {
		fputs("<p class=\"label\">Evidence</p>\n<pre>", o);
		h(o, fd->evidence);
		fputs("</pre>\n", o);
	}
	if (fd->remediation && *fd->remediation) {
		fputs("<p class=\"label\">Remediation</p>\n<pre>", o);
		h(o, fd->remediation);
		fputs("</pre>\n", o);
	}
	if (fd->references && *fd->references) {
		fputs("<p class=\"refs\">References: ", o);
		for (const char *const *r = fd->references; *r; r++) {
			if (r != fd->references)
				fputs("; ", o);
			h(o, *r);
		}
		fputs("</p>\n", o);
	}
	if (fd->waived) {
		fputs("<p class=\"refs\">Waived until ", o);
		h_or_dash(o, fd->waiver_until);
		fputs(" by ", o);
		h_or_dash(o, fd->waiver_owner);
		fputs(": ", o);
		h_or_dash(o, fd->waiver_reason);
		fputs("</p>\n", o);
	}
	fputs("</article>\n", o);
}

/* Most severe first, waived ones after those that count; stable within a severity. */
static void html_findings_list(FILE *o, const struct dbtls_findings *fs)
{
	fputs("<h3>Findings</h3>\n", o);
	if (!fs) {
		fputs("<p class=\"none\">Not judged: no policy.</p>\n", o);
		return;
	}
	if (!fs->n) {
		fputs("<p class=\"none\">No findings.</p>\n", o);
		return;
	}
	for (int waived = 0; waived <= 1; waived++)
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
			for (size_t i = 0; i < fs->n; i++)
				if ((int)fs->items[i].severity == sev &&
				    (int)fs->items[i].waived == waived)
					html_finding(o, &fs->items[i]);
}

static void html_versions(FILE *o, const struct dbtls_endpoint_facts *e)
{
	const char *first_err = e->nerrors ? e->errors[0].message : "not probed";

	fputs("<h3>TLS versions</h3>\n", o);
	if (e->tls_offered == 0) {
		fputs("<p class=\"bad\">The server offers no TLS: every connection is in clear "
		      "text.</p>\n",
		      o);
		return;
	}
	fputs(
	    "<table class=\"versions\">\n<thead><tr><th>version</th><th>status</th>"
	    "<th>how the server answered</th><th>suites</th><th>order</th></tr></thead>\n<tbody>\n",
	    o);
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &e->versions[v];
		enum dbtls_vstatus st = vf->status;
		const char *reason = vf->reason;

		/* as in the JSON report: never probed is rejected without TLS, else an error */
		if (st == DBTLS_VS_NOT_PROBED) {
			st = DBTLS_VS_ERROR;
			reason = first_err;
		}
		fprintf(o, "<tr><td>%s</td><td class=\"%s%s\">%s</td><td>",
			dbtls_version_name((enum dbtls_version)v), dbtls_vstatus_name(st),
			st == DBTLS_VS_ACCEPTED && v <= DBTLS_TLS11 ? " deprecated" : "",
			dbtls_vstatus_name(st));
		h_or_dash(o, reason);
		fputs("</td><td>", o);
		if (st == DBTLS_VS_ACCEPTED)
			fprintf(o, "%zu", vf->nsuites);
		fputs("</td><td>", o);
		if (st == DBTLS_VS_ACCEPTED)
			fputs(vf->server_order > 0    ? "server's"
			      : vf->server_order == 0 ? "client's"
						      : "unknown",
			      o);
		fputs("</td></tr>\n", o);
	}
	fputs("</tbody>\n</table>\n", o);
}

static const struct dbtls_suite *html_suite(uint32_t code)
{
	return dbtls_suite_lookup(code);
}

static void html_suites(FILE *o, const struct dbtls_report_ctx *ctx,
			const struct dbtls_endpoint_facts *e)
{
	uint32_t weak_mask = HTML_ALWAYS_WEAK;
	bool any = false;

	if (ctx->eval && ctx->eval->policy)
		weak_mask |= ctx->eval->policy->params.forbidden_props;
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &e->versions[v];
		size_t nweak = 0;

		if (vf->status != DBTLS_VS_ACCEPTED || !vf->nsuites)
			continue;
		if (!any)
			fputs("<h3>Cipher suites</h3>\n", o);
		any = true;
		for (size_t i = 0; i < vf->nsuites; i++)
			nweak += (dbtls_suite_props(vf->suites[i]) & weak_mask) != 0 ||
				 !html_suite(vf->suites[i]);
		/* long lists start folded; the summary line still says how many are weak */
		fprintf(o,
			"<details class=\"suites\"%s>\n<summary>%s: %zu suite%s, %zu weak, "
			"%s</summary>\n"
			"<table>\n<thead><tr><th>#</th><th>suite (IANA)</th><th>code</th>"
			"<th>OpenSSL name</th><th>properties</th></tr></thead>\n<tbody>\n",
			vf->nsuites <= 12 || nweak ? " open" : "",
			dbtls_version_name((enum dbtls_version)v), vf->nsuites,
			vf->nsuites == 1 ? "" : "s", nweak,
			vf->server_order > 0	? "in the server's order of preference"
			: vf->server_order == 0 ? "the server follows the client's order"
						: "order unknown");
		for (size_t i = 0; i < vf->nsuites; i++) {
			const struct dbtls_suite *su = html_suite(vf->suites[i]);
			uint32_t props = dbtls_suite_props(vf->suites[i]);
			bool weak = (props & weak_mask) || !su;
			char hex[16];

			fprintf(o, "<tr%s><td>%zu</td><td class=\"mono\">",
				weak ? " class=\"weak\"" : "", i + 1);
			h_or_dash(o, su ? su->iana_name : "unknown suite");
			fprintf(o, "</td><td class=\"mono\">%s</td>",
				dbtls_suite_hex(vf->suites[i], hex, sizeof(hex)));
			fputs("<td class=\"mono\">", o);
			h_or_dash(o, su ? su->openssl_name : NULL);
			fputs("</td><td>", o);
			if (weak)
				fputs("<span class=\"tag weak\">weak</span>", o);
			for (uint32_t bit = 1; bit && bit <= DBTLS_PROP_SEED_IDEA; bit <<= 1)
				if (props & bit)
					fprintf(o, "<span class=\"tag%s\">%s</span>",
						(bit & weak_mask) ? " weak" : "",
						dbtls_suite_prop_name(bit));
			fputs("</td></tr>\n", o);
		}
		fputs("</tbody>\n</table>\n</details>\n", o);
	}
}

static void html_kex(FILE *o, const struct dbtls_endpoint_facts *e)
{
	if (!e->ngroups && !e->dh_bits)
		return;
	fputs("<h3>Key exchange</h3>\n<dl class=\"facts\">\n", o);
	if (e->ngroups) {
		fputs("<dt>groups</dt><dd class=\"mono\">", o);
		for (size_t i = 0; i < e->ngroups; i++) {
			char hex[8];
			if (i)
				fputs(", ", o);
			h(o, dbtls_group_label(e->groups[i], hex, sizeof(hex)));
		}
		if (e->groups_version >= 0)
			fprintf(o, " (probed with %s)",
				dbtls_version_name((enum dbtls_version)e->groups_version));
		fputs("</dd>\n", o);
	}
	if (e->dh_bits)
		fprintf(o, "<dt>DHE prime</dt><dd%s>%d bits%s</dd>\n",
			e->dh_bits < 2048 ? " class=\"bad\"" : "", e->dh_bits,
			e->dh_bits < 2048 ? " (weak)" : "");
	fputs("</dl>\n", o);
}

/* scan --handshake-facts (and the ALPN probe, the session ticket), worded as in the text report */
static void html_hsfacts(FILE *o, const struct dbtls_endpoint_facts *e)
{
	struct dbtls_report_lines l;

	dbtls_report_hsfacts(e, &l);
	if (l.n)
		fputs("<h3>Handshake facts</h3>\n<dl class=\"facts hsfacts\">\n", o);
	for (size_t i = 0; i < l.n; i++) {
		fputs("<dt>", o);
		h(o, l.line[i].label);
		fprintf(o, "</dt><dd%s>", l.line[i].bad ? " class=\"bad\"" : "");
		h(o, l.line[i].value);
		fputs("</dd>\n", o);
	}
	if (l.n)
		fputs("</dl>\n", o);
	dbtls_report_lines_free(&l);
}

static void html_chain(FILE *o, const struct dbtls_report_ctx *ctx,
		       const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_verification *vr = &e->verification;

	if (!vr->done && !e->ncerts)
		return;
	fputs("<h3>Certificate chain</h3>\n", o);
	if (vr->done) {
		fputs("<dl class=\"facts\">\n<dt>handshake</dt><dd class=\"mono\">", o);
		h_or_dash(o, vr->protocol);
		fputc(' ', o);
		h_or_dash(o, vr->cipher);
		if (vr->alpn_offered) {
			fputs("</dd>\n<dt>ALPN selected</dt><dd class=\"mono\">", o);
			h(o, vr->alpn ? vr->alpn : "none");
		}
		if (e->alpn_hello_offered) {
			fputs(" (raw TLS 1.2 hello: ", o);
			h(o, e->alpn_hello ? e->alpn_hello : "none");
			fputc(')', o);
		}
		fprintf(o,
			"</dd>\n<dt>chain verifies</dt><dd><span class=\"%s\">%s</span> against ",
			vr->ca_ok ? "accepted" : "bad", vr->ca_ok ? "yes" : "no");
		h_or_dash(o, vr->ca_source);
		if (!vr->ca_ok && vr->error) {
			fputs(": ", o);
			h(o, vr->error);
		}
		fprintf(o, "</dd>\n<dt>host name matches</dt><dd><span class=\"%s\">%s</span> (",
			vr->hostname_ok ? "accepted" : "bad", vr->hostname_ok ? "yes" : "no");
		h_or_dash(o, vr->hostname_checked);
		fputs(")</dd>\n", o);
		if (vr->chain.analysed) {
			fprintf(o, "<dt>path</dt><dd>%s",
				vr->chain.incomplete ? "<span class=\"bad\">incomplete</span>"
						     : "complete");
			if (vr->chain.incomplete && vr->chain.missing_issuer) {
				fputs(": the server does not send ", o);
				h(o, vr->chain.missing_issuer);
			}
			if (vr->chain.misordered)
				fputs("; <span class=\"warn\">out of order</span>", o);
			if (vr->chain.extra)
				fprintf(o, "; %zu certificate%s not on the path", vr->chain.extra,
					vr->chain.extra == 1 ? "" : "s");
			if (vr->chain.anchor_served)
				fputs("; the trust anchor itself is sent", o);
			fputs("</dd>\n", o);
			if (vr->chain.anchor_subject) {
				fputs("<dt>trust anchor</dt><dd>", o);
				h(o, vr->chain.anchor_subject);
				fputs(" (", o);
				html_days(o, vr->chain.anchor_days_left, vr->chain.anchor_not_after,
					  html_warn_days(ctx));
				fputs(")</dd>\n", o);
			}
		}
		if (vr->rotation.checked) {
			fprintf(o, "<dt>new CA bundle</dt><dd><span class=\"%s\">%s</span> ",
				vr->rotation.ready ? "accepted" : "bad",
				vr->rotation.ready ? "accepted" : "not accepted");
			h_or_dash(o, vr->rotation.ready ? vr->rotation.anchor_subject
							: vr->rotation.error);
			fputs("</dd>\n", o);
		}
		fprintf(o, "<dt>OCSP stapling</dt><dd>%s</dd>\n", vr->stapled ? "yes" : "no");
		fputs("</dl>\n", o);
	}
	for (size_t i = 0; i < e->ncerts; i++) {
		const struct dbtls_cert *c = &e->certs[i];

		fprintf(o, "<h4>[%zu] %s: ", i, i == 0 ? "leaf" : c->is_ca ? "CA" : "chain");
		h_or_dash(o, c->subject);
		fputs("</h4>\n<dl class=\"facts cert\">\n<dt>issuer</dt><dd>", o);
		h_or_dash(o, c->issuer);
		fputs("</dd>\n<dt>valid</dt><dd><span class=\"mono\">", o);
		h_or_dash(o, c->not_before);
		fputs("</span> to <span class=\"mono\">", o);
		h_or_dash(o, c->not_after);
		fputs("</span> (", o);
		html_days(o, c->days_left, c->not_after_t, html_warn_days(ctx));
		fputs(")</dd>\n<dt>key</dt><dd>", o);
		h_or_dash(o, c->key_type);
		if (c->key_bits)
			fprintf(o, " %d bits", c->key_bits);
		if (c->curve) {
			fputs(", ", o);
			h(o, c->curve);
		}
		fputs("</dd>\n<dt>signature</dt><dd>", o);
		h_or_dash(o, c->sig_alg);
		fputs("</dd>\n", o);
		if (c->nsans) {
			fputs("<dt>names</dt><dd class=\"mono\">", o);
			for (size_t k = 0; k < c->nsans; k++) {
				if (k)
					fputs(", ", o);
				h(o, c->sans[k]);
			}
			fputs("</dd>\n", o);
		}
		if (c->revocation.status != DBTLS_REV_NOT_CHECKED) {
			const struct dbtls_revocation *rv = &c->revocation;
			fprintf(o, "<dt>revocation</dt><dd><span class=\"%s\">%s</span>",
				rv->status == DBTLS_REV_GOOD	  ? "accepted"
				: rv->status == DBTLS_REV_REVOKED ? "bad"
								  : "warn",
				dbtls_rev_status_name(rv->status));
			if (rv->revoked_at) {
				fputs(" at ", o);
				h(o, rv->revoked_at);
			}
			if (rv->reason) {
				fputs(" (", o);
				h(o, rv->reason);
				fputc(')', o);
			}
			if (rv->source) {
				fputs(" · ", o);
				h(o, rv->source);
			}
			if (rv->detail) {
				fputs(" · ", o);
				h(o, rv->detail);
			}
			fputs("</dd>\n", o);
		}
		fputs("<dt>serial</dt><dd class=\"mono\">", o);
		h_or_dash(o, c->serial);
		fputs("</dd>\n<dt>SHA-256</dt><dd class=\"mono\">", o);
		h_or_dash(o, c->sha256);
		fputs("</dd>\n", o);
		if (c->self_signed || c->is_ca)
			fprintf(o, "<dt>flags</dt><dd>%s%s%s</dd>\n",
				c->self_signed ? "self-signed" : "",
				c->self_signed && c->is_ca ? ", " : "", c->is_ca ? "CA" : "");
		fputs("</dl>\n", o);
	}
}

/* scan --clients: the client-impact table, one row per profile (and configuration) */
static void html_clients(FILE *o, const struct dbtls_endpoint_facts *e)
{
	if (!e->nclients)
		return;
	fputs("<h3>Client impact</h3>\n<table class=\"clients\">\n<thead><tr><th>client</th>"
	      "<th>configuration</th><th>outcome</th><th>version</th><th>suite</th><th>group</th>"
	      "<th>why / note</th></tr></thead>\n<tbody>\n",
	      o);
	for (size_t i = 0; i < e->nclients; i++) {
		const struct dbtls_client_sim *c = &e->clients[i];
		/* the report's own badges: passed = connects, failed = fails, errored = connects
		 * without verifying or not known */
		const char *cls = strcmp(c->outcome, "connects") == 0 ? "passed"
				  : strcmp(c->outcome, "fails") == 0  ? "failed"
								      : "errored";

		fputs("<tr><td class=\"mono\">", o);
		h(o, c->client);
		fprintf(o, "%s</td><td>", c->in_use ? " <strong>(in use)</strong>" : "");
		h(o, c->config);
		fprintf(o, "</td><td><span class=\"badge %s\">", cls);
		h(o, c->outcome);
		fputs("</span></td><td>", o);
		h_or_dash(o, c->version);
		fputs("</td><td class=\"mono\">", o);
		h_or_dash(o, c->suite);
		fputs("</td><td>", o);
		h_or_dash(o, c->group);
		fputs("</td><td>", o);
		h_or_dash(o, c->reason);
		fputs("</td></tr>\n", o);
	}
	fputs("</tbody>\n</table>\n", o);
}

static enum dbtls_err html_endpoint(struct dbtls_report_ctx *ctx,
				    const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_findings *fs = html_findings(ctx);
	const char *oc = dbtls_outcome_name(dbtls_report_outcome(e, fs, html_fail_on(ctx)));
	struct html_priv *hp = ctx->priv;
	FILE *o = ctx->out;

	dbtls_report_acc_add(&hp->acc, e, fs);
	if (hp->inv)
		dbtls_inventory_add(hp->inv, e, ctx->index);
	html_list_row(ctx, hp->list, e, fs, ctx->index);
	if (hp->rot)
		html_rotation_row(hp->rot, e, ctx->index);
	if (html_exp_add(hp, e, ctx->index))
		return DBTLS_ERR_NOMEM;

	fprintf(
	    o,
	    "<section class=\"endpoint\" id=\"ep-%zu\">\n<h2><span class=\"badge %s\">%s</span> "
	    "<span class=\"mono\">",
	    ctx->index + 1, oc, oc);
	h(o, e->target);
	fputs("</span></h2>\n<dl class=\"facts\">\n<dt>protocol</dt><dd>", o);
	h_or_dash(o, e->protocol);
	fputs("</dd>\n<dt>host</dt><dd class=\"mono\">", o);
	h_or_dash(o, e->host);
	fprintf(o, " port %u</dd>\n<dt>address</dt><dd class=\"mono\">", e->port);
	h_or_dash(o, e->address);
	fputs("</dd>\n", o);
	if (e->sni) {
		fputs("<dt>SNI</dt><dd class=\"mono\">", o);
		h(o, e->sni);
		fputs("</dd>\n", o);
	}
	if (e->server.greeting_seen) {
		fputs("<dt>server</dt><dd>", o);
		h_or_dash(o, e->server.product);
		fputc(' ', o);
		h(o, e->server.version);
		fputs("</dd>\n", o);
	}
	if (e->server.xmpp.features_seen) {
		fprintf(o,
			"<dt>XMPP STARTTLS</dt><dd>%s</dd>\n<dt>SASL before TLS</dt><dd "
			"class=\"mono\">",
			!e->server.tls_offered		   ? "not offered"
			: e->server.xmpp.starttls_required ? "required"
							   : "optional");
		for (size_t i = 0; i < e->server.xmpp.nmechanisms; i++) {
			if (i)
				fputs(", ", o);
			h(o, e->server.xmpp.mechanisms[i]);
		}
		fprintf(o, "%s</dd>\n", e->server.xmpp.nmechanisms ? "" : "none");
	}
	if (e->server.err_code) {
		fprintf(o, "<dt>server error</dt><dd class=\"bad\">%d ", e->server.err_code);
		if (e->server.err_sqlstate && *e->server.err_sqlstate) {
			fputc('#', o);
			h(o, e->server.err_sqlstate);
			fputc(' ', o);
		}
		h(o, e->server.err_message);
		fputs("</dd>\n", o);
	}
	fprintf(o,
		"<dt>TLS</dt><dd>%s</dd>\n<dt>scan</dt><dd>%u connection%s, %.2f s</dd>\n</dl>\n",
		e->tls_offered > 0    ? "offered"
		: e->tls_offered == 0 ? "<span class=\"bad\">not offered</span>"
				      : "<span class=\"error\">unknown (the scan did not get that "
					"far)</span>",
		e->connections_used, e->connections_used == 1 ? "" : "s", e->duration_s);
	if (e->nerrors) {
		fputs("<h3>Scan errors</h3>\n<table class=\"errors\">\n<thead><tr><th>stage</th>"
		      "<th>code</th><th>message</th></tr></thead>\n<tbody>\n",
		      o);
		for (size_t i = 0; i < e->nerrors; i++) {
			fputs("<tr><td>", o);
			h_or_dash(o, e->errors[i].stage);
			fprintf(o, "</td><td class=\"error mono\">%s</td><td>",
				dbtls_errname(e->errors[i].code));
			h_or_dash(o, e->errors[i].message);
			fputs("</td></tr>\n", o);
		}
		fputs("</tbody>\n</table>\n", o);
	}
	/* what to fix comes before what the server is */
	html_findings_list(o, fs);
	if (e->tls_offered >= 0 || e->nerrors == 0)
		html_versions(o, e);
	html_suites(o, ctx, e);
	html_kex(o, e);
	html_chain(o, ctx, e);
	html_hsfacts(o, e);
	html_clients(o, e);
	fputs("</section>\n", o);
	return DBTLS_OK;
}

/* One audited file (dbtls audit): its outcome, kind, mode, keys, certificates, store, errors and
 * findings. Settings are left to the JSON report (values of secrets are masked there too). */
static void html_file(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s, size_t i)
{
	const struct dbtls_audit_file *f = &s->files[i];
	const struct dbtls_findings *fs = dbtls_report_file_findings(ctx->eval, i);
	const char *oc = dbtls_outcome_name(dbtls_report_file_outcome(f, fs, html_fail_on(ctx)));
	FILE *o = ctx->out;

	fprintf(o,
		"<section class=\"endpoint file\" id=\"file-%zu\">\n<h2><span class=\"badge "
		"%s\">%s</span> <span class=\"mono\">",
		i + 1, oc, oc);
	h(o, f->path);
	fprintf(o,
		"</span></h2>\n<dl class=\"facts\">\n<dt>kind</dt><dd>%s</dd>\n"
		"<dt>mode</dt><dd class=\"mono\">%04o ",
		dbtls_audit_kind_name(f->kind), f->mode & 07777);
	h_or_dash(o, f->owner);
	fputc(':', o);
	h_or_dash(o, f->group);
	fputs("</dd>\n", o);
	if (f->referenced_by) {
		fputs("<dt>named by</dt><dd class=\"mono\">", o);
		h(o, f->referenced_by);
		fputs("</dd>\n", o);
	}
	for (size_t k = 0; k < f->nkeys; k++) {
		fprintf(o, "<dt>key</dt><dd>%s ", dbtls_key_format_name(f->keys[k].format));
		h_or_dash(o, f->keys[k].type);
		fprintf(o, " %d%s</dd>\n", f->keys[k].bits,
			f->keys[k].encrypted ? ", encrypted" : "");
	}
	for (size_t k = 0; k < f->ncerts; k++) {
		fputs("<dt>certificate</dt><dd class=\"mono\">", o);
		h_or_dash(o, f->certs[k].cert.subject);
		fputs(" — ", o);
		h_or_dash(o, f->certs[k].cert.not_after);
		fputs("<br>SHA-256 ", o);
		h(o, f->certs[k].sha256_colon);
		fputs("</dd>\n", o);
	}
	if (f->store) {
		fputs("<dt>store</dt><dd>", o);
		h_or_dash(o, f->store->type);
		fprintf(o, ", %zu entries, password %s%s</dd>\n", f->store->nentries,
			dbtls_store_pw_source_name(f->store->pw_source),
			f->store->pw_well_known ? " (a well-known default)" : "");
		for (size_t e = 0; e < f->store->nentries; e++) {
			const struct dbtls_audit_store_entry *en = &f->store->entries[e];

			fputs("<dt>entry</dt><dd class=\"mono\">", o);
			h_or_dash(o, en->alias);
			fprintf(o, " %s", dbtls_store_entry_type_name(en->type));
			if (en->ncerts) {
				fputc(' ', o);
				h_or_dash(o, en->certs[0].cert.subject);
				fputs("<br>SHA-256 ", o);
				h(o, en->certs[0].sha256_colon);
			}
			fputs("</dd>\n", o);
		}
	}
	for (size_t k = 0; k < f->nerrors; k++) {
		fputs("<dt>error</dt><dd class=\"bad\">", o);
		h(o, f->errors[k].msg);
		fputs("</dd>\n", o);
	}
	fputs("</dl>\n", o);
	if (fs)
		html_findings_list(o, fs);
	fputs("</section>\n", o);
}

static enum dbtls_err html_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct html_priv *hp = ctx->priv;
	enum dbtls_err err = DBTLS_ERR_NOMEM;

	if (!hp)
		return err;
	ctx->out = hp->out;
	dbtls_report_acc_finish(&hp->acc, s, ctx->eval);
	if (hp->list && hp->sections && (!s->new_ca_file || hp->rot))
		err = html_summary(ctx, s, hp);
	if (!err && !dbtls_report_spool_copy(hp->sections, ctx->out))
		err = DBTLS_ERR_FILE;
	if (!err && hp->inv)
		dbtls_inventory_write_html(ctx->out, hp->inv);
	html_priv_free(hp);
	ctx->priv = NULL;
	if (err)
		return err;
	if (s->nfiles)
		fputs("<h2 id=\"files\">Files</h2>\n", ctx->out);
	for (size_t i = 0; i < s->nfiles; i++)
		html_file(ctx, s, i);
	fputs("</main>\n<footer>Written by dbtls ", ctx->out);
	h(ctx->out, s->tool_version ? s->tool_version : DBTLS_VERSION);
	fputs(". The same scan as JSON (<code>-o report.json</code>) has every fact; "
	      "<code>dbtls explain CHECK-ID</code> says what a check tests and why.</footer>\n"
	      "</body>\n</html>\n",
	      ctx->out);
	return DBTLS_OK;
}

const struct dbtls_report_writer dbtls_report_html = {
    .name = "html",
    .extension = ".html",
    .begin = html_begin,
    .endpoint = html_endpoint,
    .end = html_end,
    .help = "one self-contained HTML page for people: summary, then each endpoint",
};
