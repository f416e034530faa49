/* SPDX-License-Identifier: MIT */
/*
 * report_prom.c — a Prometheus textfile for node_exporter's textfile collector (text exposition
 * format 0.0.4): write it with `-o /var/lib/node_exporter/textfile/dbtls.prom`; the file is
 * replaced atomically (reports.c), as the collector requires.
 *
 * Each metric family is written whole (HELP, TYPE, then its samples): the samples of the
 * per-endpoint families are spooled per family as the endpoints pass, and the end callback writes
 * the families in order. Every series carries the endpoint
 * as `target` (as given); label values go through dbtls_esc_write() in Prometheus mode (\\ \" \n,
 * and invalid UTF-8 or control bytes as visible \\xNN text). No timestamps: the collector stamps
 * samples itself. An endpoint given twice in one scan is written once (its first scan), because
 * two series with the same labels make the whole file invalid.
 *
 * Metrics (all gauges):
 *   dbtls_scan_timestamp_seconds, dbtls_scan_duration_seconds       the run
 *   dbtls_build_info{version,openssl} 1                              the dbtls writing the file
 *   dbtls_last_success_timestamp_seconds                             when the run completed
 *                                                                    (absent when interrupted)
 *   dbtls_endpoints{outcome}                                         endpoints by outcome
 *   dbtls_endpoint_scanned{target}, dbtls_scan_errors{target},
 *   dbtls_endpoint_scan_duration_seconds{target}, dbtls_tls_offered{target}
 *   dbtls_tls_version_accepted{target,version}                       0/1 per probed version
 *   dbtls_tls_version_info{target,version} 1                         per accepted version
 *   dbtls_cipher_suites_accepted{target,version}
 *   dbtls_certificate_not_after_timestamp_seconds{target,position,subject}
 *   dbtls_certificate_earliest_expiry_timestamp_seconds{target}      soonest not_after of the
 *                                                                    chain (blackbox_exporter's
 *                                                                    probe_ssl_earliest_cert_expiry)
 *   dbtls_certificate_chain_verified{target}, dbtls_certificate_hostname_matches{target}
 *   dbtls_ca_rotation_ready{target}                                  only with --new-ca-file
 *   dbtls_findings{target,severity}, dbtls_findings_waived{target},
 *   dbtls_endpoint_failed{target}                                    only when judged by a policy
 *   dbtls_file_errors{path}, dbtls_store_default_password{path},
 *   dbtls_file_findings{path,severity}                               only with audited files
 */
#include "reports/report.h"
#include "reports/report_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/core/version.h"

static void prom_family(FILE *o, const char *name, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* ctx->priv. Each metric family must be written whole (HELP, TYPE, then its samples), and the
 * run's families come first: so the samples of each per-endpoint family are spooled to a
 * temporary file of their own as the endpoints pass, and the end writes the run's families, then
 * each spooled family after its HELP and TYPE. The same family code runs once at begin without
 * an endpoint (prom_rows(ctx, NULL)), which lays down the families and their order. */
#define PROM_NFAMILIES 24

struct prom_fam {
	const char *name, *help; /* static */
	FILE *spool;
};

struct prom_priv {
	struct dbtls_report_acc acc;
	struct prom_fam fam[PROM_NFAMILIES];
	size_t nfam, fi; /* families laid down; the next one in this pass */
	bool laying;	 /* the pass at begin: no endpoint, families recorded */
	bool failed;	 /* a spool could not be had */
	FILE *out;	 /* the caller's stream */
	const struct dbtls_endpoint_facts *cur; /* the endpoint of this pass, NULL: none */
	const char *cur_id;			/* its canonical id (the target label) */
	/* the ids written so far (an endpoint given twice is written once: two series with the
	 * same labels make the whole file invalid): open addressing, ids owned */
	char **seen;
	size_t nseen, cap;
};

static const char *prom_id(const struct dbtls_report_ctx *ctx)
{
	const struct prom_priv *pp = ctx->priv;

	return pp->cur_id ? pp->cur_id : "";
}

/* `name{target="…"` — the caller adds further labels, then prom_value() closes it. */
static void prom_series(const struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s,
			const char *name, const struct dbtls_endpoint_facts *e)
{
	(void)s;
	(void)e;
	fprintf(ctx->out, "%s{target=\"", name);
	dbtls_esc_write(ctx->out, prom_id(ctx), DBTLS_ESC_PROM);
	fputc('"', ctx->out);
}

static void prom_value(FILE *o, long long v)
{
	fprintf(o, "} %lld\n", v);
}

static void prom_priv_free(struct prom_priv *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->nfam; i++)
		if (pp->fam[i].spool)
			fclose(pp->fam[i].spool);
	for (size_t i = 0; pp->seen && i < pp->cap; i++)
		free(pp->seen[i]);
	free(pp->seen);
	dbtls_report_acc_free(&pp->acc);
	free(pp);
}

static size_t prom_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 */

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 32));
}

/* Adds id (steals it) to the ids seen; returns 1 when it was new, 0 when seen before (id freed),
 * -1 out of memory (id freed). */
static int prom_seen_add(struct prom_priv *pp, char *id)
{
	size_t k;

	if (2 * (pp->nseen + 1) > pp->cap) {
		size_t nc = pp->cap ? 2 * pp->cap : 64;
		char **ns = calloc(nc, sizeof(*ns));

		if (!ns) {
			free(id);
			return -1;
		}
		for (size_t i = 0; i < pp->cap; i++) {
			if (!pp->seen[i])
				continue;
			for (k = prom_hash(pp->seen[i]) & (nc - 1); ns[k]; k = (k + 1) & (nc - 1))
				;
			ns[k] = pp->seen[i];
		}
		free(pp->seen);
		pp->seen = ns;
		pp->cap = nc;
	}
	for (k = prom_hash(id) & (pp->cap - 1); pp->seen[k] && strcmp(pp->seen[k], id);
	     k = (k + 1) & (pp->cap - 1))
		;
	if (pp->seen[k]) {
		free(id);
		return 0;
	}
	pp->seen[k] = id;
	pp->nseen++;
	return 1;
}

/* Family `name` of this pass: at begin records it and opens its spool; then points ctx->out
 * (and so every sample written) at its spool. Returns the stream to write its samples to. */
static FILE *prom_fam(struct dbtls_report_ctx *ctx, const char *name, const char *help)
{
	struct prom_priv *pp = ctx->priv;
	size_t i = pp->fi++;

	if (pp->laying) {
		if (i >= PROM_NFAMILIES) {
			pp->failed = true;
			return pp->out;
		}
		pp->fam[i] = (struct prom_fam){.name = name, .help = help};
		pp->fam[i].spool = dbtls_report_spool_new();
		pp->failed |= !pp->fam[i].spool;
		pp->nfam = i + 1;
	}
	ctx->out = i < pp->nfam && pp->fam[i].spool ? pp->fam[i].spool : pp->out;
	return ctx->out;
}

/* The endpoint of this pass, once (nothing at begin, or for an id written before). */
#define PROM_EACH(ctx, s, i, e)                                                                    \
	for (const struct dbtls_endpoint_facts *e = ((const struct prom_priv *)(ctx)->priv)->cur;  \
	     e; e = NULL)

static const struct dbtls_findings *prom_findings(const struct dbtls_report_ctx *ctx)
{
	return ctx->findings;
}

/* The same counts as every other format (dbtls_report_counts), not a recount of the series. */
static void prom_endpoints(struct dbtls_report_ctx *ctx, const struct dbtls_report_counts *c)
{
	FILE *o = ctx->out;

	prom_family(
	    o, "dbtls_endpoints",
	    "Endpoints of the last scan by outcome (passed/failed under the policy, errored, "
	    "or scanned when not judged).");
	for (int k = DBTLS_OUTCOME_PASSED; k <= DBTLS_OUTCOME_SCANNED; k++)
		if (ctx->eval ? k != DBTLS_OUTCOME_SCANNED
			      : (k == DBTLS_OUTCOME_SCANNED || k == DBTLS_OUTCOME_ERRORED))
			fprintf(o, "dbtls_endpoints{outcome=\"%s\"} %zu\n",
				dbtls_outcome_name((enum dbtls_outcome)k), c->outcome[k]);
}

static void prom_tls(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	FILE *o = ctx->out;

	o = prom_fam(ctx, "dbtls_tls_offered",
		     "1 when the server offers TLS, 0 when it does not (absent when unknown).");
	PROM_EACH(ctx, s, i, e)
	{
		if (e->tls_offered < 0)
			continue;
		prom_series(ctx, s, "dbtls_tls_offered", e);
		prom_value(o, e->tls_offered);
	}
	o = prom_fam(
	    ctx, "dbtls_tls_version_accepted",
	    "1 when the endpoint accepts the protocol version, 0 when it refuses it (absent "
	    "when the probe failed).");
	PROM_EACH(ctx, s, i, e)
	{
		for (int v = 0; v < DBTLS_NVERSIONS; v++) {
			enum dbtls_vstatus st = e->versions[v].status;
			/* no TLS at all: every version is refused */
			if (st == DBTLS_VS_NOT_PROBED && e->tls_offered == 0)
				st = DBTLS_VS_REJECTED;
			if (st != DBTLS_VS_ACCEPTED && st != DBTLS_VS_REJECTED)
				continue;
			prom_series(ctx, s, "dbtls_tls_version_accepted", e);
			fprintf(o, ",version=\"%s\"", dbtls_version_name((enum dbtls_version)v));
			prom_value(o, st == DBTLS_VS_ACCEPTED);
		}
	}
	o = prom_fam(ctx, "dbtls_tls_version_info",
		     "1 for each protocol version the endpoint accepts (an info metric: join on "
		     "version).");
	PROM_EACH(ctx, s, i, e)
	{
		for (int v = 0; v < DBTLS_NVERSIONS; v++) {
			if (e->versions[v].status != DBTLS_VS_ACCEPTED)
				continue;
			prom_series(ctx, s, "dbtls_tls_version_info", e);
			fprintf(o, ",version=\"%s\"", dbtls_version_name((enum dbtls_version)v));
			prom_value(o, 1);
		}
	}
	o = prom_fam(ctx, "dbtls_cipher_suites_accepted",
		     "Cipher suites the endpoint accepts with the protocol version.");
	PROM_EACH(ctx, s, i, e)
	{
		for (int v = 0; v < DBTLS_NVERSIONS; v++) {
			if (e->versions[v].status != DBTLS_VS_ACCEPTED)
				continue;
			prom_series(ctx, s, "dbtls_cipher_suites_accepted", e);
			fprintf(o, ",version=\"%s\"", dbtls_version_name((enum dbtls_version)v));
			prom_value(o, (long long)e->versions[v].nsuites);
		}
	}
}

static void prom_certs(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	FILE *o = ctx->out;

	o = prom_fam(ctx, "dbtls_certificate_not_after_timestamp_seconds",
		     "When the served certificate expires (Unix time); position 0 is the leaf.");
	PROM_EACH(ctx, s, i, e)
	{
		for (size_t k = 0; k < e->ncerts; k++) {
			if (!e->certs[k].not_after)
				continue;
			prom_series(ctx, s, "dbtls_certificate_not_after_timestamp_seconds", e);
			fprintf(o, ",position=\"%zu\",subject=\"", k);
			dbtls_esc_write(o, e->certs[k].subject, DBTLS_ESC_PROM);
			fputc('"', o);
			prom_value(o, (long long)e->certs[k].not_after_t);
		}
	}
	o = prom_fam(ctx, "dbtls_certificate_earliest_expiry_timestamp_seconds",
		     "When the first certificate of the served chain expires (Unix time).");
	PROM_EACH(ctx, s, i, e)
	{
		time_t first = 0;

		for (size_t k = 0; k < e->ncerts; k++)
			if (e->certs[k].not_after && (!first || e->certs[k].not_after_t < first))
				first = e->certs[k].not_after_t;
		if (!first)
			continue;
		prom_series(ctx, s, "dbtls_certificate_earliest_expiry_timestamp_seconds", e);
		prom_value(o, (long long)first);
	}
	if (((const struct prom_priv *)ctx->priv)->acc.c.rotation) {
		o = prom_fam(
		    ctx, "dbtls_ca_rotation_ready",
		    "1 when clients trusting only the new CA bundle would accept the served "
		    "chain (scan --new-ca-file).");
		PROM_EACH(ctx, s, i, e)
		{
			if (!e->verification.rotation.checked)
				continue;
			prom_series(ctx, s, "dbtls_ca_rotation_ready", e);
			prom_value(o, e->verification.rotation.ready);
		}
	}
	o = prom_fam(ctx, "dbtls_certificate_chain_verified",
		     "1 when the served chain verifies against the CA bundle (absent without a "
		     "completed handshake).");
	PROM_EACH(ctx, s, i, e)
	{
		if (!e->verification.done)
			continue;
		prom_series(ctx, s, "dbtls_certificate_chain_verified", e);
		prom_value(o, e->verification.ca_ok);
	}
	o = prom_fam(ctx, "dbtls_certificate_hostname_matches",
		     "1 when the leaf certificate matches the host name checked.");
	PROM_EACH(ctx, s, i, e)
	{
		if (!e->verification.done)
			continue;
		prom_series(ctx, s, "dbtls_certificate_hostname_matches", e);
		prom_value(o, e->verification.hostname_ok);
	}
}

static void prom_policy(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	enum dbtls_severity fail_on;
	FILE *o = ctx->out;

	if (!ctx->eval)
		return;
	fail_on = ctx->eval->fail_on;
	o = prom_fam(ctx, "dbtls_findings",
		     "Findings under the policy that are not waived, by severity.");
	PROM_EACH(ctx, s, i, e)
	{
		const struct dbtls_findings *fs = prom_findings(ctx);
		size_t by[DBTLS_NSEVERITIES] = {0};

		for (size_t k = 0; fs && k < fs->n; k++)
			if (!fs->items[k].waived)
				by[fs->items[k].severity]++;
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--) {
			prom_series(ctx, s, "dbtls_findings", e);
			fprintf(o, ",severity=\"%s\"",
				dbtls_severity_name((enum dbtls_severity)sev));
			prom_value(o, (long long)by[sev]);
		}
	}
	o = prom_fam(ctx, "dbtls_findings_waived",
		     "Findings under the policy that a waiver accepts.");
	PROM_EACH(ctx, s, i, e)
	{
		const struct dbtls_findings *fs = prom_findings(ctx);
		long long n = 0;

		for (size_t k = 0; fs && k < fs->n; k++)
			n += fs->items[k].waived;
		prom_series(ctx, s, "dbtls_findings_waived", e);
		prom_value(o, n);
	}
	o = prom_fam(
	    ctx, "dbtls_endpoint_failed",
	    "1 when the endpoint has findings (not waived) at or above the fail-on severity.");
	PROM_EACH(ctx, s, i, e)
	{
		prom_series(ctx, s, "dbtls_endpoint_failed", e);
		prom_value(o, dbtls_report_outcome(e, prom_findings(ctx), fail_on) ==
				  DBTLS_OUTCOME_FAILED);
	}
}

/* `name{path="…"` of an audited file; prom_value() closes it. */
static void prom_file_series(FILE *o, const char *name, const struct dbtls_audit_file *f)
{
	fprintf(o, "%s{path=\"", name);
	dbtls_esc_write(o, f->path ? f->path : "", DBTLS_ESC_PROM);
	fputc('"', o);
}

/* The files of a file audit (dbtls audit): only when there are any, so scans are unchanged. */
static void prom_files(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	FILE *o = ctx->out;

	if (!s->nfiles)
		return;
	prom_family(o, "dbtls_file_errors",
		    "Errors while reading the audited file (0: read and parsed completely).");
	for (size_t i = 0; i < s->nfiles; i++) {
		prom_file_series(o, "dbtls_file_errors", &s->files[i]);
		prom_value(o, (long long)s->files[i].nerrors);
	}
	prom_family(o, "dbtls_store_default_password",
		    "1 when the key or trust store opens with a well-known default password.");
	for (size_t i = 0; i < s->nfiles; i++) {
		if (!s->files[i].store)
			continue;
		prom_file_series(o, "dbtls_store_default_password", &s->files[i]);
		prom_value(o, s->files[i].store->pw_well_known);
	}
	if (!ctx->eval)
		return;
	prom_family(o, "dbtls_file_findings",
		    "Findings (not waived) of the audited file by severity under the policy.");
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct dbtls_findings *fs = dbtls_report_file_findings(ctx->eval, i);
		size_t by[DBTLS_NSEVERITIES] = {0};

		for (size_t k = 0; fs && k < fs->n; k++)
			by[fs->items[k].severity] += !fs->items[k].waived;
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--) {
			prom_file_series(o, "dbtls_file_findings", &s->files[i]);
			fprintf(o, ",severity=\"%s\"",
				dbtls_severity_name((enum dbtls_severity)sev));
			prom_value(o, (long long)by[sev]);
		}
	}
}

/* The per-endpoint families for the endpoint of this pass (pp->cur; NULL: lay them down). */
static void prom_rows(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct prom_priv *pp = ctx->priv;
	FILE *o;

	pp->fi = 0;
	o = prom_fam(ctx, "dbtls_endpoint_scanned",
		     "1 when the endpoint was scanned completely (no errors, TLS status known).");
	PROM_EACH(ctx, s, i, e)
	{
		prom_series(ctx, s, "dbtls_endpoint_scanned", e);
		prom_value(o, dbtls_endpoint_scanned(e));
	}
	o = prom_fam(ctx, "dbtls_scan_errors",
		     "Errors while scanning the endpoint (refused, timeout, server error ...).");
	PROM_EACH(ctx, s, i, e)
	{
		prom_series(ctx, s, "dbtls_scan_errors", e);
		prom_value(o, (long long)e->nerrors);
	}
	o = prom_fam(ctx, "dbtls_endpoint_scan_duration_seconds",
		     "Wall time spent on the endpoint.");
	PROM_EACH(ctx, s, i, e)
	{
		prom_series(ctx, s, "dbtls_endpoint_scan_duration_seconds", e);
		fprintf(o, "} %.3f\n", e->duration_s);
	}
	prom_tls(ctx, s);
	prom_certs(ctx, s);
	prom_policy(ctx, s);
	ctx->out = pp->out;
}

static enum dbtls_err prom_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct prom_priv *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return DBTLS_ERR_NOMEM;
	dbtls_report_acc_init(&pp->acc, s, ctx->eval);
	pp->out = ctx->out;
	ctx->priv = pp;
	pp->laying = true;
	prom_rows(ctx, s);
	pp->laying = false;
	return pp->failed ? DBTLS_ERR_FILE : DBTLS_OK;
}

static enum dbtls_err prom_endpoint(struct dbtls_report_ctx *ctx,
				    const struct dbtls_endpoint_facts *e)
{
	struct prom_priv *pp = ctx->priv;
	char *id = e->host ? dbtls_endpoint_facts_id(e) : dbtls_strdup(e->target ? e->target : "");
	int fresh;

	dbtls_report_acc_add(&pp->acc, e, ctx->findings);
	if (!id)
		return DBTLS_ERR_NOMEM;
	fresh = prom_seen_add(pp, id); /* steals id; kept in the set while fresh */
	if (fresh < 0)
		return DBTLS_ERR_NOMEM;
	if (!fresh)
		return DBTLS_OK;
	pp->cur = e;
	pp->cur_id = id;
	prom_rows(ctx, NULL);
	pp->cur = NULL;
	pp->cur_id = NULL;
	return DBTLS_OK;
}

static enum dbtls_err prom_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct prom_priv *pp = ctx->priv;
	struct dbtls_report_counts c;
	enum dbtls_err err = DBTLS_OK;
	FILE *o;

	if (!pp) /* begin failed: nothing to write */
		return DBTLS_ERR_NOMEM;
	ctx->out = o = pp->out;
	prom_family(o, "dbtls_scan_timestamp_seconds", "When the last scan finished (Unix time).");
	fprintf(o, "dbtls_scan_timestamp_seconds %lld\n", (long long)s->finished_at);
	dbtls_report_acc_finish(&pp->acc, s, ctx->eval);
	c = pp->acc.c;
	prom_family(o, "dbtls_scan_duration_seconds", "Wall time of the last scan.");
	fprintf(o, "dbtls_scan_duration_seconds %.3f\n", c.duration_s);
	prom_family(o, "dbtls_build_info",
		    "1, labelled with the version of dbtls and of the OpenSSL it runs on.");
	fprintf(o, "dbtls_build_info{version=\"");
	dbtls_esc_write(o, DBTLS_VERSION, DBTLS_ESC_PROM);
	fprintf(o, "\",openssl=\"");
	dbtls_esc_write(o, OpenSSL_version(OPENSSL_VERSION_STRING), DBTLS_ESC_PROM);
	fprintf(o, "\"} 1\n");
	/* a run stopped by a signal is no success: the series is left out, so an alert on
	 * time() - dbtls_last_success_timestamp_seconds (or absent()) notices */
	if (!s->interrupted) {
		prom_family(o, "dbtls_last_success_timestamp_seconds",
			    "When the last scan that ran to completion finished (Unix time).");
		fprintf(o, "dbtls_last_success_timestamp_seconds %lld\n",
			(long long)s->finished_at);
	}
	prom_endpoints(ctx, &c);
	for (size_t i = 0; !err && i < pp->nfam; i++) {
		prom_family(o, pp->fam[i].name, pp->fam[i].help);
		if (pp->fam[i].spool && !dbtls_report_spool_copy(pp->fam[i].spool, o))
			err = DBTLS_ERR_FILE;
	}
	if (!err)
		prom_files(ctx, s);
	prom_priv_free(pp);
	ctx->priv = NULL;
	return err;
}

const struct dbtls_report_writer dbtls_report_prom = {
    .name = "prometheus",
    .extension = ".prom",
    .begin = prom_begin,
    .endpoint = prom_endpoint,
    .end = prom_end,
    .help = "node_exporter textfile: expiries, findings, versions as gauges",
};
