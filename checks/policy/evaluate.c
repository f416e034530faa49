/* SPDX-License-Identifier: MIT */
/*
 * evaluate.c — a scan judged under a profile: run the enabled checks per subject, apply waivers
 * (a waived finding stays in the report, marked; an expired waiver hides nothing), count by
 * severity and endpoint outcome; plus the waivers file and `dbtls policy derive`.
 */
#include "checks/policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "src/registry/names.h"
#include "src/core/jsonload.h"
#include "src/core/jsonpos.h"
#include "src/registry/suites.h"

static enum dbtls_err wv_err(const char *path, const char *text, const struct dbtls_jpath *jp,
			     size_t n, struct dbtls_diag *d, const char *msg, const char *arg)
{
	int line = 0, col = 0;

	dbtls_json_locate(text, jp, n, &line, &col);
	return dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s:%d:%d: %s%s%s%s", path, line, col, msg,
			      arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

/* "YYYY-MM-DD" → the first second after that day (UTC). */
static bool wv_date(const char *s, time_t *end)
{
	struct tm tm = {0};
	char *rest;

	if (strlen(s) != 10)
		return false;
	rest = strptime(s, "%Y-%m-%d", &tm);
	if (!rest || *rest)
		return false;
	*end = timegm(&tm) + 86400;
	return true;
}

void dbtls_waivers_free(struct dbtls_waivers *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->items[i].check);
		free(w->items[i].endpoint);
		free(w->items[i].id);
		free(w->items[i].until);
		free(w->items[i].reason);
		free(w->items[i].owner);
	}
	free(w->items);
	memset(w, 0, sizeof(*w));
}

enum dbtls_err dbtls_waivers_load(const char *path, struct dbtls_waivers *out, struct dbtls_diag *d)
{
	static const char *const fields[] = {"check", "endpoint", "until", "reason", "owner"};
	struct dbtls_jpath jp[3] = {{.key = "waivers"}};
	enum dbtls_err err = DBTLS_OK;
	json_t *root = NULL, *arr, *w, *v;
	const char *key;
	char *text = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	err = dbtls_json_load_file(path, DBTLS_JSON_MAX_WAIVERS, &root, &text, d);
	if (err)
		goto out;
	if (!json_is_object(root)) {
		err = wv_err(path, text, jp, 0, d, "expected {\"waivers\": [...]}", NULL);
		goto out;
	}
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "waivers") != 0) {
			jp[0].key = key;
			err = wv_err(path, text, jp, 1, d, "unknown key", key);
			goto out;
		}
	}
	arr = json_object_get(root, "waivers");
	if (!json_is_array(arr)) {
		err = wv_err(path, text, jp, arr ? 1 : 0, d, "\"waivers\" must be an array", NULL);
		goto out;
	}
	out->items = calloc(json_array_size(arr) + 1, sizeof(*out->items));
	if (!out->items) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(arr, i, w)
	{
		struct dbtls_waiver *wv = &out->items[out->n++];
		char **dst[] = {&wv->check, &wv->endpoint, &wv->until, &wv->reason, &wv->owner};

		jp[1] = (struct dbtls_jpath){.index = i};
		if (!json_is_object(w)) {
			err = wv_err(path, text, jp, 2, d, "a waiver is an object", NULL);
			goto out;
		}
		json_object_foreach(w, key, v)
		{
			size_t k;
			for (k = 0; k < 5 && strcmp(key, fields[k]); k++)
				;
			jp[2] = (struct dbtls_jpath){.key = key};
			if (k == 5) {
				err = wv_err(path, text, jp, 3, d, "unknown waiver field", key);
				goto out;
			}
			if (!json_is_string(v) || !*json_string_value(v)) {
				err = wv_err(path, text, jp, 3, d,
					     "expected a non-empty string for", key);
				goto out;
			}
			if (!(*dst[k] = strdup(json_string_value(v)))) {
				err = DBTLS_ERR_NOMEM;
				goto out;
			}
		}
		for (size_t k = 0; k < 5; k++)
			if (!*dst[k]) {
				err = wv_err(path, text, jp, 2, d, "waiver lacks the field",
					     fields[k]);
				goto out;
			}
		jp[2] = (struct dbtls_jpath){.key = "check"};
		if (!dbtls_check_find(wv->check)) {
			err = wv_err(path, text, jp, 3, d, "unknown check", wv->check);
			goto out;
		}
		jp[2] = (struct dbtls_jpath){.key = "endpoint"};
		/* a file (dbtls audit) is named by its path: no canonical endpoint id */
		err = wv->endpoint[0] == '/' ? DBTLS_OK
					     : dbtls_endpoint_id_parse(wv->endpoint, &wv->id);
		if (err == DBTLS_ERR_INPUT) {
			err = wv_err(path, text, jp, 3, d,
				     "expected an endpoint ([mysql://|tls://]HOST[:PORT]), got",
				     wv->endpoint);
			goto out;
		}
		if (err)
			goto out;
		jp[2] = (struct dbtls_jpath){.key = "until"};
		if (!wv_date(wv->until, &wv->until_end)) {
			err = wv_err(path, text, jp, 3, d, "expected a date YYYY-MM-DD, got",
				     wv->until);
			goto out;
		}
	}
out:
	json_decref(root);
	free(text);
	if (err)
		dbtls_waivers_free(out);
	return err;
}

/* Marks the findings of subject sj that a waiver in w covers as of now; a waiver that has run
 * out hides nothing. */
static void ev_waive(struct dbtls_findings *fs, const struct dbtls_waivers *w,
		     const struct dbtls_subject_kind_info *kind, const struct dbtls_subject *sj,
		     time_t now)
{
	for (size_t i = 0; w && i < fs->n; i++) {
		struct dbtls_finding *fd = &fs->items[i];

		for (size_t k = 0; k < w->n && !fd->waived; k++) {
			const struct dbtls_waiver *wv = &w->items[k];

			if (strcmp(wv->check, fd->check) || now >= wv->until_end ||
			    !kind->waiver_matches(wv->endpoint, wv->id, sj->facts, sj->id))
				continue;
			fd->waived = true;
			fd->waiver_reason = dbtls_strdup(wv->reason);
			fd->waiver_owner = dbtls_strdup(wv->owner);
			fd->waiver_until = dbtls_strdup(wv->until);
		}
	}
}

/* Counts subject sj's findings fs into out: by severity, waived, and the subject's outcome. */
static void ev_count(struct dbtls_evaluation *out, const struct dbtls_findings *fs,
		     const struct dbtls_subject_kind_info *kind, const struct dbtls_subject *sj)
{
	bool failed = false;

	for (size_t i = 0; i < fs->n; i++) {
		if (fs->items[i].waived) {
			out->waived++;
			continue;
		}
		out->by_severity[fs->items[i].severity]++;
		failed |= fs->items[i].severity >= out->fail_on;
	}
	if (failed)
		out->failed++;
	else if (!kind->gathered(sj->facts))
		out->errored++;
	else
		out->passed++;
}

enum dbtls_err dbtls_evaluate_one(const struct dbtls_policy *p, const struct dbtls_waivers *w,
				  enum dbtls_subject_kind kind, const void *facts, time_t now,
				  struct dbtls_findings *fs, struct dbtls_evaluation *tally)
{
	const struct dbtls_subject_kind_info *k = dbtls_subject_kind_find(kind);
	struct dbtls_subject sj = {.kind = kind, .facts = facts};

	memset(fs, 0, sizeof(*fs));
	if (!k)
		return DBTLS_ERR_INTERNAL;
	sj.id = k->id(facts);
	if (!sj.id)
		return DBTLS_ERR_NOMEM;
	dbtls_checks_run_subject(p, &sj, now, fs);
	if (fs->oom) {
		free((char *)sj.id);
		dbtls_findings_free(fs);
		return DBTLS_ERR_NOMEM;
	}
	ev_waive(fs, w, k, &sj, now);
	if (tally)
		ev_count(tally, fs, k, &sj);
	free((char *)sj.id);
	return DBTLS_OK;
}

enum dbtls_err dbtls_evaluate(const struct dbtls_policy *p, const struct dbtls_waivers *w,
			      const struct dbtls_scan_facts *s, enum dbtls_severity fail_on,
			      time_t now, struct dbtls_evaluation *out)
{
	size_t nkinds, total = 0;
	const struct dbtls_subject_kind_info *kinds = dbtls_subject_kinds(&nkinds);

	memset(out, 0, sizeof(*out));
	out->policy = p;
	out->fail_on = fail_on;
	out->nendpoints = s->nendpoints;
	for (size_t k = 0; k < nkinds; k++)
		total += kinds[k].count(s);
	out->findings = calloc(total ? total : 1, sizeof(*out->findings));
	out->subjects = calloc(total ? total : 1, sizeof(*out->subjects));
	if (!out->findings || !out->subjects)
		goto oom;
	/* the batch is the per-subject evaluation in a loop: a streamed run judges alike */
	for (size_t k = 0; k < nkinds; k++)
		for (size_t i = 0, n = kinds[k].count(s); i < n; i++) {
			struct dbtls_subject *sj = &out->subjects[out->nsubjects];
			struct dbtls_findings *fs = &out->findings[out->nsubjects];

			sj->kind = kinds[k].kind;
			sj->facts = kinds[k].at(s, i);
			sj->id = kinds[k].id(sj->facts);
			if (!sj->id)
				goto oom;
			out->nsubjects++;
			if (dbtls_evaluate_one(p, w, sj->kind, sj->facts, now, fs, out))
				goto oom;
		}
	return DBTLS_OK;
oom:
	dbtls_evaluation_free(out);
	return DBTLS_ERR_NOMEM;
}

void dbtls_evaluation_free(struct dbtls_evaluation *e)
{
	if (!e)
		return;
	/* a hand-built evaluation may set only nendpoints */
	for (size_t i = 0;
	     e->findings && i < (e->nsubjects > e->nendpoints ? e->nsubjects : e->nendpoints); i++)
		dbtls_findings_free(&e->findings[i]);
	for (size_t i = 0; e->subjects && i < e->nsubjects; i++)
		free((char *)e->subjects[i].id); /* the evaluation made it (kind->id) */
	free(e->findings);
	free(e->subjects);
	memset(e, 0, sizeof(*e));
}

static json_t *dv_suite_names(const struct dbtls_endpoint_facts *f)
{
	uint32_t codes[2048];
	size_t n = 0;
	json_t *a = json_array();

	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		for (size_t i = 0; i < f->versions[v].nsuites && n < 2048; i++) {
			bool dup = false;
			for (size_t k = 0; k < n; k++)
				dup |= codes[k] == f->versions[v].suites[i];
			if (!dup)
				codes[n++] = f->versions[v].suites[i];
		}
	for (size_t i = 0; i < n; i++) {
		const struct dbtls_suite *s = dbtls_suite_lookup(codes[i]);
		if (s)
			json_array_append_new(a, json_string(s->iana_name));
	}
	return a;
}

/* The pin of one endpoint. One that was not scanned completely keeps its place, marked
 * "unpinned" with why, so that later scans of it report their drift checks as not evaluable
 * instead of dropping out of the policy (a half-seen endpoint pinned as if complete would report
 * drift that is none). */
static json_t *dv_pin(const struct dbtls_endpoint_facts *f)
{
	json_t *pin = json_object(), *vs, *gs;
	char *id = dbtls_endpoint_facts_id(f);

	if (!pin || !id)
		goto fail;
	if (json_object_set_new(pin, "target", json_string(id)))
		goto fail;
	if (!dbtls_endpoint_scanned(f)) {
		char why[600];
		snprintf(why, sizeof(why), "the derived-from scan did not complete: %s%s%s",
			 f->nerrors ? dbtls_errname(f->errors[0].code) : "TLS status unknown",
			 f->nerrors && f->errors[0].message ? " " : "",
			 f->nerrors && f->errors[0].message ? f->errors[0].message : "");
		if (json_object_set_new(pin, "unpinned", json_string(why)))
			goto fail;
		free(id);
		return pin;
	}
	vs = json_array();
	gs = json_array();
	json_object_set_new(pin, "versions", vs);
	json_object_set_new(pin, "suites", dv_suite_names(f));
	json_object_set_new(pin, "groups", gs);
	if (!vs || !gs)
		goto fail;
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		if (f->versions[v].status == DBTLS_VS_ACCEPTED)
			json_array_append_new(
			    vs, json_string(dbtls_version_name((enum dbtls_version)v)));
	for (size_t i = 0; i < f->ngroups; i++) {
		char hex[8];
		json_array_append_new(
		    gs, json_string(dbtls_group_label(f->groups[i], hex, sizeof(hex))));
	}
	if (f->ncerts) {
		char kt[64];
		snprintf(kt, sizeof(kt), "%s %d", f->certs[0].key_type ? f->certs[0].key_type : "?",
			 f->certs[0].key_bits);
		if (f->certs[0].issuer)
			json_object_set_new(pin, "issuer", json_string(f->certs[0].issuer));
		json_object_set_new(pin, "key_type", json_string(kt));
		json_object_set_new(pin, "leaf_sha256", json_string(f->certs[0].sha256));
	}
	free(id);
	return pin;
fail:
	free(id);
	json_decref(pin);
	return NULL;
}

enum dbtls_err dbtls_policy_derive(const struct dbtls_scan_facts *s, const char *name,
				   const char *extends, char **out, struct dbtls_diag *d)
{
	static const char *const drift[] = {"drift.versions", "drift.suites", "drift.groups",
					    "drift.issuer", "drift.key-type"};
	enum dbtls_err err = DBTLS_ERR_NOMEM;
	json_t *root = NULL, *checks = json_object();
	struct dbtls_str b = {0};
	char stamp[32], *head = NULL;
	size_t hl;

	*out = NULL;
	if (!s->nendpoints) {
		err = dbtls_diag_set(d, DBTLS_ERR_INPUT,
				     "the report has no endpoints: there is nothing to pin");
		goto out;
	}
	dbtls_rfc3339(s->started_at, stamp, sizeof(stamp));
	if (!checks)
		goto out;
	for (size_t i = 0; i < sizeof(drift) / sizeof(drift[0]); i++)
		json_object_set_new(checks, drift[i], json_string("high"));
	json_object_set_new(checks, "drift.leaf", json_string("info"));
	/* a pin is a layer on a real profile: drift alone would switch every security check off */
	root = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "version", stamp, "title",
			 "Pinned from a reviewed scan: any change is a finding", "guideline",
			 "dbtls policy derive", "extends", extends ? extends : "baseline");
	if (!root || json_object_set(root, "checks", checks))
		goto out;
	/* the head indented for people, then one compact line per pin: a 1,500-endpoint derive
	 * stays well inside what the policy loader reads (DBTLS_POLICY_MAX_BYTES) */
	head = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!head || (hl = strlen(head)) < 2 || head[hl - 1] != '}')
		goto out;
	head[hl - 1] = 0;
	while (hl > 1 && (head[hl - 2] == '\n' || head[hl - 2] == ' '))
		head[--hl - 1] = 0;
	dbtls_str_cat(&b, "%s,\n  \"pins\": [", head);
	for (size_t e = 0; e < s->nendpoints; e++) {
		json_t *pin = dv_pin(&s->endpoints[e]);
		char *line = pin ? json_dumps(pin, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(pin);
		if (!line) {
			b.oom = true;
			break;
		}
		dbtls_str_cat(&b, "%s\n    %s", e ? "," : "", line);
		free(line);
	}
	dbtls_str_cat(&b, "\n  ]\n}");
	if (b.oom)
		goto out;
	if (b.n > DBTLS_POLICY_MAX_BYTES) {
		err =
		    dbtls_diag_set(d, DBTLS_ERR_INPUT,
				   "the pinned profile would be %zu bytes, more than a policy may "
				   "be (%d): derive it from fewer endpoints per report",
				   b.n, DBTLS_POLICY_MAX_BYTES);
		goto out;
	}
	*out = b.s;
	b.s = NULL;
	err = DBTLS_OK;
out:
	if (err == DBTLS_ERR_NOMEM)
		dbtls_diag_set(d, err, "out of memory");
	free(head);
	free(b.s);
	json_decref(checks);
	json_decref(root);
	return err;
}
