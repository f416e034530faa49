/* SPDX-License-Identifier: MIT */
/*
 * diff.c — `dbtls diff`: compares two saved JSON reports (see diff.h for the matching rules and
 * what counts as an alert). Loading validates the little it reads, so everything after it can
 * trust the shape; computing is a pure function of the two documents; the two writers only
 * format the result.
 */
#include "reports/diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_util.h"

#define DIFF_EVIDENCE_MAX 200

/* --- reading the documents ---------------------------------------------------------------------
 */

static const char *df_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool df_streq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* An array member, or an empty array's worth (NULL) when absent or null: older reports and
 * --policy none reports have no findings. */
static const json_t *df_arr(const json_t *o, const char *key)
{
	const json_t *a = json_object_get(o, key);

	return json_is_array(a) ? a : NULL;
}

static enum dbtls_severity df_sev(const json_t *f)
{
	enum dbtls_severity s = DBTLS_SEV_INFO;

	dbtls_severity_parse(df_str(f, "severity"), &s); /* validated by dbtls_diff_load */
	return s;
}

static bool df_waived(const json_t *f)
{
	return json_is_true(json_object_get(f, "waived"));
}

/* NEW could not tell what the endpoint is like: errors, or no TLS status. */
static bool df_unscanned(const json_t *e)
{
	const json_t *errs = df_arr(e, "errors"), *tls = json_object_get(e, "tls");

	return (errs && json_array_size(errs) > 0) ||
	       (json_is_object(tls) && json_is_null(json_object_get(tls, "offered")));
}

#define DF_BAD_EP(what) dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s: endpoints[%zu]: %s", path, i, what)
#define DF_BAD_IN(member, what)                                                                    \
	dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s: endpoints[%zu]." member "[%zu]: %s", path, i, k,   \
		       what)

static enum dbtls_err df_validate(const json_t *root, const char *path, struct dbtls_diag *d)
{
	const json_t *eps, *e, *arr, *v;
	enum dbtls_severity sev;
	size_t i, k;

	if (!json_is_object(root))
		return dbtls_diag_set(d, DBTLS_ERR_INPUT,
				      "%s: not a dbtls report: the top level is not an object",
				      path);
	eps = json_object_get(root, "endpoints");
	if (!json_is_array(eps))
		return dbtls_diag_set(d, DBTLS_ERR_INPUT,
				      "%s: not a dbtls report: no \"endpoints\" array", path);
	json_array_foreach(eps, i, e)
	{
		if (!json_is_object(e))
			return DF_BAD_EP("not an object");
		if (!json_is_string(json_object_get(e, "target")))
			return DF_BAD_EP("\"target\" is not a string");
		v = json_object_get(e, "findings");
		if (v && !json_is_null(v) && !json_is_array(v))
			return DF_BAD_EP("\"findings\" is not an array");
		arr = df_arr(e, "findings");
		json_array_foreach(arr, k, v)
		{
			if (!json_is_object(v) || !json_is_string(json_object_get(v, "check")))
				return DF_BAD_IN("findings", "no \"check\" string");
			if (!dbtls_severity_parse(df_str(v, "severity"), &sev))
				return DF_BAD_IN("findings", "\"severity\" is not one of critical, "
							     "high, medium, low, info");
		}
		v = json_object_get(e, "certificates");
		if (v && !json_is_null(v) && !json_is_array(v))
			return DF_BAD_EP("\"certificates\" is not an array");
		arr = df_arr(e, "certificates");
		json_array_foreach(arr, k, v) if (!json_is_object(v)) return DF_BAD_IN(
		    "certificates", "not an object");
	}
	return DBTLS_OK;
}

enum dbtls_err dbtls_diff_load(const char *path, json_t **out, struct dbtls_diag *d)
{
	json_error_t jerr;
	enum dbtls_err err;
	json_t *root;
	FILE *f;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
	root = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!root)
		return dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s:%d:%d: %s", path, jerr.line,
				      jerr.column, jerr.text);
	err = df_validate(root, path, d);
	if (err) {
		json_decref(root);
		return err;
	}
	*out = root;
	return DBTLS_OK;
}

/* --- computing ---------------------------------------------------------------------------------
 */

struct df {
	enum dbtls_severity fail_on;
	json_t *appeared, *disappeared, *changed, *unverified, *certs;
	json_t *added, *removed, *not_scanned;
	size_t alerts;
	bool oom;
};

static json_t *df_copy(const json_t *v)
{
	return v ? json_deep_copy(v) : json_null();
}

static void df_append(struct df *df, json_t *arr, json_t *item)
{
	if (!item || json_array_append_new(arr, item))
		df->oom = true;
}

/* A finding as the diff shows it (new). */
static json_t *df_finding(const char *target, const json_t *f, bool alert)
{
	return json_pack(
	    "{s:s, s:o, s:s, s:o, s:o, s:b, s:b}", "target", target, "check",
	    df_copy(json_object_get(f, "check")), "severity", dbtls_severity_name(df_sev(f)),
	    "title", df_copy(json_object_get(f, "title")), "evidence",
	    df_copy(json_object_get(f, "evidence")), "waived", df_waived(f), "alert", alert);
}

/* A finding counts towards the exit code when it is not waived and at or above fail_on. */
static bool df_counts(const struct df *df, const json_t *f)
{
	return !df_waived(f) && df_sev(f) >= df->fail_on;
}

static void df_appeared(struct df *df, const char *target, const json_t *f)
{
	bool alert = df_counts(df, f);

	df->alerts += alert;
	df_append(df, df->appeared, df_finding(target, f, alert));
}

static void df_changed(struct df *df, const char *target, const json_t *of, const json_t *nf)
{
	static const char *const fields[] = {"severity", "title", "evidence", "waived"};
	json_t *changes = json_array(), *o;
	bool alert;

	if (!changes) {
		df->oom = true;
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const json_t *a = json_object_get(of, fields[i]),
			     *b = json_object_get(nf, fields[i]);
		bool same = i == 0   ? df_sev(of) == df_sev(nf)
			    : i == 3 ? df_waived(of) == df_waived(nf)
				     : (a == b || (a && b && json_equal(a, b)));
		if (!same)
			json_array_append_new(changes, json_string(fields[i]));
	}
	if (!json_array_size(changes)) {
		json_decref(changes);
		return;
	}
	/* new to the exit code: counts now and did not before */
	alert = df_counts(df, nf) && !df_counts(df, of);
	df->alerts += alert;
	o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}", "target", target, "check",
		      df_copy(json_object_get(nf, "check")), "changes", changes, "old",
		      df_finding(target, of, false), "new", df_finding(target, nf, alert), "alert",
		      alert);
	df_append(df, df->changed, o);
}

static void df_findings(struct df *df, const char *target, const json_t *oe, const json_t *ne,
			bool unscanned)
{
	const json_t *ofs = df_arr(oe, "findings"), *nfs = df_arr(ne, "findings"), *f;
	size_t no = ofs ? json_array_size(ofs) : 0, nn = nfs ? json_array_size(nfs) : 0, k;
	bool *used = calloc(no + 1, sizeof(*used));
	size_t *match = calloc(nn + 1, sizeof(*match));

	if (!used || !match) {
		df->oom = true;
		goto out;
	}
	/* first every pair with the same check and title, then what is left by check, in order:
	 * so of two findings of one check, neither steals the other's partner */
	for (k = 0; k < nn; k++)
		match[k] = no;
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(nfs, k, f)
		{
			const char *check = df_str(f, "check"), *title = df_str(f, "title");

			for (size_t j = 0; j < no && match[k] == no; j++) {
				const json_t *of = json_array_get(ofs, j);
				if (!used[j] && df_streq(check, df_str(of, "check")) &&
				    (pass == 1 || df_streq(title, df_str(of, "title")))) {
					match[k] = j;
					used[j] = true;
				}
			}
		}
	}
	json_array_foreach(nfs, k, f)
	{
		if (match[k] == no)
			df_appeared(df, target, f);
		else
			df_changed(df, target, json_array_get(ofs, match[k]), f);
	}
	for (size_t j = 0; j < no; j++)
		if (!used[j])
			df_append(df, unscanned ? df->unverified : df->disappeared,
				  df_finding(target, json_array_get(ofs, j), false));
out:
	free(used);
	free(match);
}

static json_t *df_cert(const json_t *c)
{
	if (!c)
		return json_null();
	return json_pack("{s:o, s:o, s:o}", "sha256_fingerprint",
			 df_copy(json_object_get(c, "sha256_fingerprint")), "subject",
			 df_copy(json_object_get(c, "subject")), "not_after",
			 df_copy(json_object_get(c, "not_after")));
}

static void df_certs(struct df *df, const char *target, const json_t *oe, const json_t *ne)
{
	const json_t *ocs = df_arr(oe, "certificates"), *ncs = df_arr(ne, "certificates");
	size_t no = ocs ? json_array_size(ocs) : 0, nn = ncs ? json_array_size(ncs) : 0;

	/* a scan that got no chain says nothing about the certificate */
	if (!no || !nn)
		return;
	for (size_t p = 0; p < (no > nn ? no : nn); p++) {
		const json_t *oc = p < no ? json_array_get(ocs, p) : NULL;
		const json_t *nc = p < nn ? json_array_get(ncs, p) : NULL;

		if (oc && nc &&
		    df_streq(df_str(oc, "sha256_fingerprint"), df_str(nc, "sha256_fingerprint")))
			continue;
		df_append(df, df->certs,
			  json_pack("{s:s, s:I, s:o, s:o}", "target", target, "position",
				    (json_int_t)p, "old", df_cert(oc), "new", df_cert(nc)));
	}
}

static json_t *df_side(const json_t *doc, const char *label)
{
	const json_t *pol = json_object_get(doc, "policy");

	return json_pack("{s:s, s:o, s:o, s:o}", "file", label ? label : "", "started_at",
			 df_copy(json_object_get(doc, "started_at")), "tool_version",
			 df_copy(json_object_get(json_object_get(doc, "tool"), "version")),
			 "policy",
			 df_copy(json_is_object(pol) ? json_object_get(pol, "name") : NULL));
}

json_t *dbtls_diff_compute(const json_t *old, const char *old_label, const json_t *new_,
			   const char *new_label, enum dbtls_severity fail_on)
{
	const json_t *oeps = json_object_get(old, "endpoints"),
		     *neps = json_object_get(new_, "endpoints");
	size_t no = json_array_size(oeps), i;
	struct df df = {
	    .fail_on = fail_on,
	    .appeared = json_array(),
	    .disappeared = json_array(),
	    .changed = json_array(),
	    .unverified = json_array(),
	    .certs = json_array(),
	    .added = json_array(),
	    .removed = json_array(),
	    .not_scanned = json_array(),
	};
	bool *used = calloc(no + 1, sizeof(*used));
	const json_t *ne;
	json_t *doc = NULL;

	if (!used || !df.appeared || !df.disappeared || !df.changed || !df.unverified ||
	    !df.certs || !df.added || !df.removed || !df.not_scanned)
		goto out;
	json_array_foreach(neps, i, ne)
	{
		const char *target = df_str(ne, "target");
		const json_t *oe = NULL;
		bool unscanned = df_unscanned(ne);

		/* the n-th endpoint with this target in NEW is the n-th in OLD */
		for (size_t j = 0; j < no && !oe; j++) {
			if (!used[j] &&
			    df_streq(target, df_str(json_array_get(oeps, j), "target"))) {
				used[j] = true;
				oe = json_array_get(oeps, j);
			}
		}
		if (unscanned)
			df_append(&df, df.not_scanned, json_string(target));
		if (!oe) {
			const json_t *f;
			size_t k;

			df_append(&df, df.added, json_string(target));
			json_array_foreach(df_arr(ne, "findings"), k, f)
			    df_appeared(&df, target, f);
			continue;
		}
		df_findings(&df, target, oe, ne, unscanned);
		df_certs(&df, target, oe, ne);
	}
	for (size_t j = 0; j < no; j++)
		if (!used[j])
			df_append(&df, df.removed,
				  json_string(df_str(json_array_get(oeps, j), "target")));
	if (df.oom)
		goto out;
	doc = json_pack("{s:o, s:o, s:s, s:O, s:O, s:O, s:O, s:O, s:{s:O, s:O, s:O}, "
			"s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
			"old", df_side(old, old_label), "new", df_side(new_, new_label), "fail_on",
			dbtls_severity_name(fail_on), "appeared", df.appeared, "disappeared",
			df.disappeared, "changed", df.changed, "unverified", df.unverified,
			"certificates", df.certs, "endpoints", "added", df.added, "removed",
			df.removed, "not_scanned", df.not_scanned, "summary", "appeared",
			(json_int_t)json_array_size(df.appeared), "disappeared",
			(json_int_t)json_array_size(df.disappeared), "changed",
			(json_int_t)json_array_size(df.changed), "unverified",
			(json_int_t)json_array_size(df.unverified), "certificates",
			(json_int_t)json_array_size(df.certs), "alerts", (json_int_t)df.alerts);
out:
	free(used);
	json_decref(df.appeared);
	json_decref(df.disappeared);
	json_decref(df.changed);
	json_decref(df.unverified);
	json_decref(df.certs);
	json_decref(df.added);
	json_decref(df.removed);
	json_decref(df.not_scanned);
	return doc;
}

size_t dbtls_diff_alerts(const json_t *diff)
{
	json_int_t n =
	    json_integer_value(json_object_get(json_object_get(diff, "summary"), "alerts"));

	return n > 0 ? (size_t)n : 0;
}

/* --- writing -----------------------------------------------------------------------------------
 */

#define C_RED	 "\033[31m"
#define C_GREEN	 "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD	 "\033[1m"
#define C_OFF	 "\033[0m"

static void dt_s(FILE *o, const char *s)
{
	dbtls_esc_write(o, s ? s : "?", DBTLS_ESC_TEXT);
}

/* The severity (or "OLD>NEW") in upper case, padded to one column. */
static void dt_sev(FILE *o, const char *old_sev, const char *sev)
{
	char label[24];
	size_t n = 0;

	for (const char *s = old_sev; s && *s && n + 1 < sizeof(label); s++)
		label[n++] = *s;
	if (old_sev && n + 1 < sizeof(label))
		label[n++] = '>';
	for (const char *s = sev; s && *s && n + 1 < sizeof(label); s++)
		label[n++] = *s;
	label[n] = 0;
	for (size_t i = 0; i < n; i++)
		if (label[i] >= 'a' && label[i] <= 'z')
			label[i] = (char)(label[i] - 'a' + 'A');
	fprintf(o, "%-9s ", label);
}

static void dt_side(FILE *o, const char *which, const json_t *side)
{
	fprintf(o, "  %s: ", which);
	dt_s(o, df_str(side, "file"));
	fputs(" (scan ", o);
	dt_s(o, df_str(side, "started_at"));
	fputs(", dbtls ", o);
	dt_s(o, df_str(side, "tool_version"));
	fputs(", policy ", o);
	dt_s(o, df_str(side, "policy") ? df_str(side, "policy") : "none");
	fputs(")\n", o);
}

static void dt_evidence(FILE *o, const char *prefix, const json_t *f)
{
	const char *ev = df_str(f, "evidence");

	if (!ev || !*ev)
		return;
	fprintf(o, "             %s", prefix);
	dbtls_esc_write_clipped(o, ev, DIFF_EVIDENCE_MAX, DBTLS_ESC_TEXT);
	fputc('\n', o);
}

static void dt_finding(FILE *o, bool color, char mark, const char *col, const json_t *f)
{
	bool alert = json_is_true(json_object_get(f, "alert"));

	fprintf(o, "  %s%c ", color ? col : "", mark);
	dt_sev(o, NULL, df_str(f, "severity"));
	fputs(color ? C_OFF : "", o);
	dt_s(o, df_str(f, "target"));
	fputc(' ', o);
	dt_s(o, df_str(f, "check"));
	fputs(": ", o);
	dt_s(o, df_str(f, "title"));
	if (json_is_true(json_object_get(f, "waived")))
		fputs(" (waived)", o);
	if (alert)
		fprintf(o, " %s[alert]%s", color ? C_RED C_BOLD : "", color ? C_OFF : "");
	fputc('\n', o);
	dt_evidence(o, "", f);
}

static void dt_list(FILE *o, bool color, const json_t *diff, const char *key, const char *heading,
		    char mark, const char *col)
{
	const json_t *arr = json_object_get(diff, key), *f;
	size_t i;

	if (!json_array_size(arr))
		return;
	fprintf(o, "%s (%zu):\n", heading, json_array_size(arr));
	json_array_foreach(arr, i, f) dt_finding(o, color, mark, col, f);
}

static void dt_changed(FILE *o, bool color, const json_t *diff)
{
	const json_t *arr = json_object_get(diff, "changed"), *c, *v;
	size_t i, k;

	if (!json_array_size(arr))
		return;
	fprintf(o, "changed (%zu):\n", json_array_size(arr));
	json_array_foreach(arr, i, c)
	{
		const json_t *of = json_object_get(c, "old"), *nf = json_object_get(c, "new");
		bool sev = strcmp(df_str(of, "severity"), df_str(nf, "severity")) != 0;

		fprintf(o, "  %s~ ", color ? C_YELLOW : "");
		dt_sev(o, sev ? df_str(of, "severity") : NULL, df_str(nf, "severity"));
		fputs(color ? C_OFF : "", o);
		dt_s(o, df_str(c, "target"));
		fputc(' ', o);
		dt_s(o, df_str(c, "check"));
		fputs(": ", o);
		dt_s(o, df_str(nf, "title"));
		fputs(" (changed: ", o);
		json_array_foreach(json_object_get(c, "changes"), k, v)
		{
			const char *what = json_string_value(v);
			if (!strcmp(what, "waived"))
				what = json_is_true(json_object_get(nf, "waived"))
					   ? "now waived"
					   : "no longer waived";
			fprintf(o, "%s%s", k ? ", " : "", what);
		}
		fputc(')', o);
		if (json_is_true(json_object_get(c, "alert")))
			fprintf(o, " %s[alert]%s", color ? C_RED C_BOLD : "", color ? C_OFF : "");
		fputc('\n', o);
		if (!df_streq(df_str(of, "evidence"), df_str(nf, "evidence"))) {
			dt_evidence(o, "old: ", of);
			dt_evidence(o, "new: ", nf);
		}
	}
}

static void dt_cert_side(FILE *o, const json_t *c)
{
	const char *fp = df_str(c, "sha256_fingerprint");

	if (!json_is_object(c)) {
		fputs("(none)", o);
		return;
	}
	dt_s(o, df_str(c, "subject"));
	fputs(" (sha256 ", o);
	/* 16 hex digits tell certificates apart; the JSON output has all 64 */
	if (fp && strlen(fp) > 16)
		fprintf(o, "%.16s…", fp);
	else
		dt_s(o, fp);
	fputs(", expires ", o);
	dt_s(o, df_str(c, "not_after"));
	fputc(')', o);
}

static void dt_targets(FILE *o, const char *label, const json_t *arr, bool *any)
{
	const json_t *v;
	size_t i;

	if (!json_array_size(arr))
		return;
	fprintf(o, "%s%s:", *any ? "; " : "endpoints: ", label);
	json_array_foreach(arr, i, v)
	{
		fputc(' ', o);
		dt_s(o, json_string_value(v));
	}
	*any = true;
}

enum dbtls_err dbtls_diff_write_text(const json_t *diff, FILE *out, bool color)
{
	const json_t *sum = json_object_get(diff, "summary"),
		     *eps = json_object_get(diff, "endpoints");
	const json_t *certs = json_object_get(diff, "certificates"), *c;
	json_int_t alerts = json_integer_value(json_object_get(sum, "alerts"));
	bool any = false;
	size_t i;

	fputs("dbtls diff\n", out);
	dt_side(out, "old", json_object_get(diff, "old"));
	dt_side(out, "new", json_object_get(diff, "new"));
	fputc('\n', out);
	dt_list(out, color, diff, "appeared", "appeared", '+', C_RED);
	dt_list(out, color, diff, "disappeared", "disappeared", '-', C_GREEN);
	dt_changed(out, color, diff);
	dt_list(out, color, diff, "unverified", "unverified (NEW could not scan the endpoint)", '?',
		C_YELLOW);
	if (json_array_size(certs)) {
		fprintf(out, "certificates (%zu):\n", json_array_size(certs));
		json_array_foreach(certs, i, c)
		{
			fprintf(out, "  %s~ cert%s ", color ? C_YELLOW : "", color ? C_OFF : "");
			dt_s(out, df_str(c, "target"));
			fprintf(out, " [%lld] ",
				(long long)json_integer_value(json_object_get(c, "position")));
			dt_cert_side(out, json_object_get(c, "old"));
			fputs("\n             -> ", out);
			dt_cert_side(out, json_object_get(c, "new"));
			fputc('\n', out);
		}
	}
	dt_targets(out, "added", json_object_get(eps, "added"), &any);
	dt_targets(out, "removed", json_object_get(eps, "removed"), &any);
	dt_targets(out, "not scanned in new", json_object_get(eps, "not_scanned"), &any);
	if (any)
		fputc('\n', out);
	fprintf(out,
		"summary: %lld appeared, %lld disappeared, %lld changed, %lld unverified, %lld "
		"certificate%s changed; %s%lld alert%s%s (new at or above %s)\n",
		(long long)json_integer_value(json_object_get(sum, "appeared")),
		(long long)json_integer_value(json_object_get(sum, "disappeared")),
		(long long)json_integer_value(json_object_get(sum, "changed")),
		(long long)json_integer_value(json_object_get(sum, "unverified")),
		(long long)json_integer_value(json_object_get(sum, "certificates")),
		json_integer_value(json_object_get(sum, "certificates")) == 1 ? "" : "s",
		color && alerts ? C_RED C_BOLD : "", (long long)alerts, alerts == 1 ? "" : "s",
		color && alerts ? C_OFF : "", df_str(diff, "fail_on"));
	return ferror(out) ? DBTLS_ERR_FILE : DBTLS_OK;
}

enum dbtls_err dbtls_diff_write_json(const json_t *diff, FILE *out)
{
	if (json_dumpf(diff, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', out) == EOF)
		return DBTLS_ERR_FILE;
	return DBTLS_OK;
}
