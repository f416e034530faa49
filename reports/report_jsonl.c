/* SPDX-License-Identifier: MIT */
/*
 * report_jsonl.c — JSON Lines for log shippers: one compact JSON object per line, each complete
 * on its own (scan id, scan start, tool version, policy and endpoint target on every line), so a
 * line can be indexed, filtered and alerted on without the rest of the file.
 *
 * Two kinds of line, told apart by "type":
 *   - "finding": one per finding, with the keys of a finding in the JSON report (check, severity,
 *     title, evidence, remediation, references, waived, waiver);
 *   - "endpoint": one per endpoint, always, after that endpoint's findings: its outcome
 *     (passed/failed/errored, or scanned when not judged), findings by severity, scan errors,
 *     accepted TLS versions and the leaf certificate's expiry. An endpoint without findings thus
 *     still leaves a line, so "no line" never has to be read as "clean".
 * Lines follow the scan's endpoint order; within an endpoint, the findings' order. A file audit
 * (dbtls audit) adds, after the endpoints, for each file its findings (with "file", the path,
 * instead of the endpoint's target) and one "file" line with its outcome.
 */
#include "reports/report.h"
#include "reports/report_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/version.h"

struct jsonl_state {
	json_t *common; /* keys every line starts with */
};

/* Facts are bytes from the network; jansson refuses invalid UTF-8, so fall back to the escaped
 * text rather than dropping the field. */
static json_t *jl_str(const char *s)
{
	json_t *j;
	char *esc;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	esc = dbtls_esc_strdup(s, DBTLS_ESC_TEXT);
	j = esc ? json_string(esc) : NULL;
	free(esc);
	return j ? j : json_null();
}

static enum dbtls_err jl_emit(struct dbtls_report_ctx *ctx, json_t *line)
{
	enum dbtls_err err = DBTLS_OK;

	if (!line)
		return DBTLS_ERR_NOMEM;
	/* compact: one object, one line (jansson escapes line feeds inside strings) */
	if (json_dumpf(line, ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) !=
		0 ||
	    fputc('\n', ctx->out) == EOF)
		err = DBTLS_ERR_FILE;
	json_decref(line);
	return err;
}

/* A new line object that starts with the common keys and the endpoint's identity. */
static json_t *jl_line(const struct jsonl_state *st, const char *type,
		       const struct dbtls_endpoint_facts *e)
{
	json_t *o = json_pack("{s:s}", "type", type);

	if (!o || json_object_update(o, st->common) ||
	    json_object_set_new(o, "target", jl_str(e->target)) ||
	    json_object_set_new(o, "protocol", jl_str(e->protocol)) ||
	    json_object_set_new(o, "host", jl_str(e->host)) ||
	    json_object_set_new(o, "port", json_integer(e->port))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static enum dbtls_err jsonl_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	const struct dbtls_policy *p = ctx->eval ? ctx->eval->policy : NULL;
	struct jsonl_state *st = calloc(1, sizeof(*st));
	char id[48], started[32], stamp[32];

	if (!st)
		return DBTLS_ERR_NOMEM;
	ctx->priv = st;
	dbtls_report_scan_id(s, id, sizeof(id));
	dbtls_rfc3339(s->started_at, started, sizeof(started));
	/* every line carries one timestamp, the time the run's facts were complete (a live scan
	 * streams its lines before it is over: its start), so a log
	 * shipper indexes each line at the scan it belongs to */
	dbtls_rfc3339(s->finished_at ? s->finished_at : s->started_at, stamp, sizeof(stamp));
	st->common = json_pack("{s:s, s:s, s:s, s:o, s:o}", "timestamp", stamp, "scan_id", id,
			       "started_at", started, "tool_version",
			       jl_str(s->tool_version ? s->tool_version : DBTLS_VERSION), "policy",
			       p ? jl_str(p->name) : json_null());
	return st->common ? DBTLS_OK : DBTLS_ERR_NOMEM;
}

static json_t *jl_endpoint_line(const struct jsonl_state *st, const struct dbtls_report_ctx *ctx,
				const struct dbtls_endpoint_facts *e,
				const struct dbtls_findings *fs)
{
	size_t by[DBTLS_NSEVERITIES] = {0}, waived = 0;
	json_t *o = jl_line(st, "endpoint", e), *counts = json_object(), *errs = json_array(),
	       *vers = json_array();
	enum dbtls_severity fail_on = ctx->eval ? ctx->eval->fail_on : DBTLS_SEV_HIGH;

	if (!o || !counts || !errs || !vers)
		goto fail;
	for (size_t i = 0; fs && i < fs->n; i++) {
		if (fs->items[i].waived)
			waived++;
		else
			by[fs->items[i].severity]++;
	}
	for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
		json_object_set_new(counts, dbtls_severity_name((enum dbtls_severity)sev),
				    json_integer((json_int_t)by[sev]));
	for (size_t i = 0; i < e->nerrors; i++)
		json_array_append_new(errs, json_pack("{s:s, s:o, s:o}", "code",
						      dbtls_errname(e->errors[i].code), "message",
						      jl_str(e->errors[i].message), "stage",
						      jl_str(e->errors[i].stage)));
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		if (e->versions[v].status == DBTLS_VS_ACCEPTED)
			json_array_append_new(
			    vers, json_string(dbtls_version_name((enum dbtls_version)v)));
	json_object_set_new(o, "outcome",
			    json_string(dbtls_outcome_name(dbtls_report_outcome(e, fs, fail_on))));
	json_object_set_new(o, "findings", fs ? counts : json_null());
	if (!fs)
		json_decref(counts);
	/* (a finding line's "waived" is a boolean: one type per key across all line kinds) */
	json_object_set_new(o, "waived_count", json_integer((json_int_t)waived));
	json_object_set_new(o, "errors", errs);
	json_object_set_new(o, "tls_offered",
			    e->tls_offered < 0 ? json_null() : json_boolean(e->tls_offered));
	json_object_set_new(o, "tls_versions", vers);
	json_object_set_new(o, "leaf_not_after", jl_str(e->ncerts ? e->certs[0].not_after : NULL));
	json_object_set_new(o, "leaf_days_left",
			    e->ncerts ? json_integer(e->certs[0].days_left) : json_null());
	json_object_set_new(o, "leaf_sha256",
			    e->ncerts && e->certs[0].sha256[0] ? json_string(e->certs[0].sha256)
							       : json_null());
	json_object_set_new(o, "duration_ms",
			    json_integer((json_int_t)(e->duration_s * 1000 + 0.5)));
	return o;
fail:
	json_decref(o);
	json_decref(counts);
	json_decref(errs);
	json_decref(vers);
	return NULL;
}

static enum dbtls_err jsonl_endpoint(struct dbtls_report_ctx *ctx,
				     const struct dbtls_endpoint_facts *e)
{
	const struct jsonl_state *st = ctx->priv;
	const struct dbtls_findings *fs = ctx->findings;
	enum dbtls_err err;

	for (size_t i = 0; fs && i < fs->n; i++) {
		json_t *line = jl_line(st, "finding", e), *fd;

		fd = line ? dbtls_report_json_finding(&fs->items[i]) : NULL;
		if (!fd || json_object_update(line, fd)) {
			json_decref(fd);
			json_decref(line);
			return DBTLS_ERR_NOMEM;
		}
		json_decref(fd);
		err = jl_emit(ctx, line);
		if (err)
			return err;
	}
	return jl_emit(ctx, jl_endpoint_line(st, ctx, e, fs));
}

/* The lines of audited file i (dbtls audit): its findings with `file` instead of the endpoint's
 * identity, then one "file" line with its outcome, counts and errors. */
static enum dbtls_err jl_file(struct dbtls_report_ctx *ctx, const struct jsonl_state *st,
			      const struct dbtls_scan_facts *s, size_t i)
{
	const struct dbtls_audit_file *f = &s->files[i];
	const struct dbtls_findings *fs = dbtls_report_file_findings(ctx->eval, i);
	enum dbtls_severity fail_on = ctx->eval ? ctx->eval->fail_on : DBTLS_SEV_HIGH;
	size_t by[DBTLS_NSEVERITIES] = {0}, waived = 0;
	json_t *o, *counts, *errs;
	enum dbtls_err err;
	char mode[8];

	for (size_t k = 0; fs && k < fs->n; k++) {
		json_t *line = json_pack("{s:s}", "type", "finding"), *fd;

		if (line && (json_object_update(line, st->common) ||
			     json_object_set_new(line, "file", jl_str(f->path)))) {
			json_decref(line);
			line = NULL;
		}
		fd = line ? dbtls_report_json_finding(&fs->items[k]) : NULL;
		if (!fd || json_object_update(line, fd)) {
			json_decref(fd);
			json_decref(line);
			return DBTLS_ERR_NOMEM;
		}
		json_decref(fd);
		if ((err = jl_emit(ctx, line)))
			return err;
		if (fs->items[k].waived)
			waived++;
		else
			by[fs->items[k].severity]++;
	}
	o = json_pack("{s:s}", "type", "file");
	counts = json_object();
	errs = json_array();
	if (!o || !counts || !errs || json_object_update(o, st->common)) {
		json_decref(o);
		json_decref(counts);
		json_decref(errs);
		return DBTLS_ERR_NOMEM;
	}
	for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
		json_object_set_new(counts, dbtls_severity_name((enum dbtls_severity)sev),
				    json_integer((json_int_t)by[sev]));
	for (size_t k = 0; k < f->nerrors; k++)
		json_array_append_new(errs, jl_str(f->errors[k].msg));
	snprintf(mode, sizeof(mode), "%04o", f->mode & 07777);
	json_object_set_new(o, "file", jl_str(f->path));
	json_object_set_new(o, "kind", json_string(dbtls_audit_kind_name(f->kind)));
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "owner", jl_str(f->owner));
	json_object_set_new(o, "referenced_by", jl_str(f->referenced_by));
	json_object_set_new(
	    o, "outcome",
	    json_string(dbtls_outcome_name(dbtls_report_file_outcome(f, fs, fail_on))));
	json_object_set_new(o, "findings", fs ? counts : json_null());
	if (!fs)
		json_decref(counts);
	json_object_set_new(o, "waived", json_integer((json_int_t)waived));
	json_object_set_new(o, "errors", errs);
	return jl_emit(ctx, o);
}

static enum dbtls_err jsonl_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct jsonl_state *st = ctx->priv;
	enum dbtls_err err = DBTLS_OK;

	for (size_t i = 0; st && !err && i < s->nfiles; i++)
		err = jl_file(ctx, st, s, i);
	if (st)
		json_decref(st->common);
	free(st);
	ctx->priv = NULL;
	return err;
}

const struct dbtls_report_writer dbtls_report_jsonl = {
    .name = "jsonl",
    .extension = ".jsonl",
    .begin = jsonl_begin,
    .endpoint = jsonl_endpoint,
    .end = jsonl_end,
    .help = "JSON Lines for log shippers: one line per finding and one per endpoint",
};
