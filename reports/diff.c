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

#include "reports/json/fields.h"
#include "reports/json/report_stream.h"
#include "reports/report.h"
#include "reports/report_util.h"
#include "src/core/jsonpos.h"

#define DIFF_EVIDENCE_MAX 200

/* --- reading the documents ---------------------------------------------------------------------
 */

static bool df_streq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *df_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void df_finding_free(struct dbtls_finding *fd)
{
	free((char *)fd->check); /* read from the file, so ours (checks' ids are static) */
	free(fd->title);
	free(fd->evidence);
	free(fd->remediation);
	free(fd->waiver_reason);
	free(fd->waiver_owner);
	free(fd->waiver_until);
}

void dbtls_diff_report_free(struct dbtls_diff_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->findings && i < r->facts.nendpoints; i++) {
		for (size_t k = 0; k < r->findings[i].n; k++)
			df_finding_free(&r->findings[i].items[k]);
		free(r->findings[i].items);
	}
	free(r->findings);
	free(r->policy);
	dbtls_scan_facts_free(&r->facts);
	memset(r, 0, sizeof(*r));
}

/* endpoints[i].findings of a report: the one small reader of the derived part, through the
 * finding rows of the field table (absent or null: none, as in --policy none reports) */
static enum dbtls_err df_read_findings(struct dbtls_rd *r, const json_t *ep,
				       struct dbtls_findings *out)
{
	const json_t *arr = json_object_get(ep, "findings"), *v;
	enum dbtls_err err = DBTLS_OK;
	size_t k, m;

	if (!arr || json_is_null(arr))
		return DBTLS_OK;
	m = dbtls_rd_key(r, "findings");
	if (!json_is_array(arr)) {
		err = dbtls_rd_fail(r, "expected an array or null, got %s",
				    dbtls_json_type_name(arr));
		goto out;
	}
	if (json_array_size(arr) &&
	    !(out->items = calloc(json_array_size(arr), sizeof(*out->items)))) {
		err = dbtls_rd_nomem(r);
		goto out;
	}
	json_array_foreach(arr, k, v)
	{
		size_t m2 = dbtls_rd_idx(r, k);

		out->n++; /* a half-read finding is freed with the rest */
		if (!json_is_object(v))
			err =
			    dbtls_rd_fail(r, "expected an object, got %s", dbtls_json_type_name(v));
		else
			err = dbtls_fields_read(r, v, &dbtls_finding_table, &out->items[k]);
		dbtls_rd_pop(r, m2);
		if (err)
			break;
	}
out:
	dbtls_rd_pop(r, m);
	return err;
}

enum dbtls_err dbtls_diff_load_doc(const char *label, const json_t *root,
				   struct dbtls_diff_report *out, struct dbtls_diag *d)
{
	struct dbtls_rd r = {.file = label, .d = d};
	struct dbtls_diff_report rep;
	const json_t *eps, *pol;
	enum dbtls_err err;

	memset(out, 0, sizeof(*out));
	memset(&rep, 0, sizeof(rep));
	/* the facts (targets, errors, TLS status, certificates) as check --facts reads them */
	err = dbtls_report_json_read_doc(label, root, &rep.facts, d);
	if (err)
		return err;
	eps = json_object_get(root, "endpoints");
	if (rep.facts.nendpoints &&
	    !(rep.findings = calloc(rep.facts.nendpoints, sizeof(*rep.findings)))) {
		err = dbtls_rd_nomem(&r);
		goto out;
	}
	for (size_t i = 0; !err && i < rep.facts.nendpoints; i++) {
		size_t m = dbtls_rd_key(&r, "endpoints"), m2 = dbtls_rd_idx(&r, i);

		err = df_read_findings(&r, json_array_get(eps, i), &rep.findings[i]);
		dbtls_rd_pop(&r, m2);
		dbtls_rd_pop(&r, m);
	}
	pol = json_object_get(root, "policy");
	if (!err && json_is_string(json_object_get(pol, "name")) &&
	    !(rep.policy = strdup(df_str(pol, "name"))))
		err = dbtls_rd_nomem(&r);
out:
	if (err) {
		dbtls_diff_report_free(&rep);
		return err;
	}
	*out = rep;
	return DBTLS_OK;
}

/* dbtls_diff_load over the stream: each endpoint's facts and findings as they come. */
struct dl {
	struct dbtls_diff_report rep;
	const char *label;
	size_t cap;
};

static enum dbtls_err dl_header(void *arg, struct dbtls_scan_facts *hdr, const json_t *top,
				struct dbtls_diag *d)
{
	struct dl *l = arg;
	const char *pol = df_str(json_object_get(top, "policy"), "name");

	l->rep.facts = *hdr;
	memset(hdr, 0, sizeof(*hdr));
	if (pol && !(l->rep.policy = strdup(pol)))
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", l->label);
	return DBTLS_OK;
}

static enum dbtls_err dl_findings(const char *label, const struct dbtls_report_elem *el,
				  struct dbtls_findings *out, struct dbtls_diag *d);

static enum dbtls_err dl_endpoint(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct dl *l = arg;
	struct dbtls_scan_facts *f = &l->rep.facts;

	if (f->nendpoints == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct dbtls_endpoint_facts *e = realloc(f->endpoints, cap * sizeof(*e));
		struct dbtls_findings *fs;

		if (e)
			f->endpoints = e;
		fs = e ? realloc(l->rep.findings, cap * sizeof(*fs)) : NULL;
		if (!fs)
			return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", l->label);
		l->rep.findings = fs;
		l->cap = cap;
	}
	/* counted first, so that a half-read finding list is freed with the rest */
	memset(&l->rep.findings[f->nendpoints], 0, sizeof(*l->rep.findings));
	f->endpoints[f->nendpoints] = *el->ep;
	memset(el->ep, 0, sizeof(*el->ep));
	f->nendpoints++;
	return dl_findings(l->label, el, &l->rep.findings[f->nendpoints - 1], d);
}

enum dbtls_err dbtls_diff_load(const char *path, struct dbtls_diff_report *out,
			       struct dbtls_diag *d)
{
	static const struct dbtls_report_stream_cb cb = {.header = dl_header,
							 .endpoint = dl_endpoint};
	struct dl l = {.label = path};
	enum dbtls_err err;

	memset(out, 0, sizeof(*out));
	err = dbtls_report_json_stream(path, &cb, &l, d);
	if (err) {
		dbtls_diff_report_free(&l.rep);
		return err;
	}
	*out = l.rep;
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

static json_t *df_s(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void df_append(struct df *df, json_t *arr, json_t *item)
{
	if (!item || json_array_append_new(arr, item))
		df->oom = true;
}

/* A finding as the diff shows it (new). */
static json_t *df_finding(const char *target, const struct dbtls_finding *f, bool alert)
{
	return json_pack("{s:o, s:o, s:s, s:o, s:o, s:b, s:b}", "target", df_s(target), "check",
			 df_s(f->check), "severity", dbtls_severity_name(f->severity), "title",
			 df_s(f->title), "evidence", df_s(f->evidence), "waived", f->waived,
			 "alert", alert);
}

/* A finding counts towards the exit code when it is not waived and at or above fail_on. */
static bool df_counts(const struct df *df, const struct dbtls_finding *f)
{
	return !f->waived && f->severity >= df->fail_on;
}

static void df_appeared(struct df *df, const char *target, const struct dbtls_finding *f)
{
	bool alert = df_counts(df, f);

	df->alerts += alert;
	df_append(df, df->appeared, df_finding(target, f, alert));
}

static void df_changed(struct df *df, const char *target, const struct dbtls_finding *of,
		       const struct dbtls_finding *nf)
{
	json_t *changes = json_array(), *o;
	bool alert;

	if (!changes) {
		df->oom = true;
		return;
	}
	if (of->severity != nf->severity)
		json_array_append_new(changes, json_string("severity"));
	if (!df_streq(of->title, nf->title))
		json_array_append_new(changes, json_string("title"));
	if (!df_streq(of->evidence, nf->evidence))
		json_array_append_new(changes, json_string("evidence"));
	if (of->waived != nf->waived)
		json_array_append_new(changes, json_string("waived"));
	if (!json_array_size(changes)) {
		json_decref(changes);
		return;
	}
	/* new to the exit code: counts now and did not before */
	alert = df_counts(df, nf) && !df_counts(df, of);
	df->alerts += alert;
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "target", df_s(target), "check",
		      df_s(nf->check), "changes", changes, "old", df_finding(target, of, false),
		      "new", df_finding(target, nf, alert), "alert", alert);
	df_append(df, df->changed, o);
}

static void df_findings(struct df *df, const char *target, const struct dbtls_findings *ofs,
			const struct dbtls_findings *nfs, bool unscanned)
{
	size_t no = ofs->n, nn = nfs->n, k;
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
		for (k = 0; k < nn; k++) {
			const struct dbtls_finding *f = &nfs->items[k];

			for (size_t j = 0; j < no && match[k] == no; j++) {
				const struct dbtls_finding *of = &ofs->items[j];
				if (!used[j] && df_streq(f->check, of->check) &&
				    (pass == 1 || df_streq(f->title, of->title))) {
					match[k] = j;
					used[j] = true;
				}
			}
		}
	}
	for (k = 0; k < nn; k++) {
		if (match[k] == no)
			df_appeared(df, target, &nfs->items[k]);
		else
			df_changed(df, target, &ofs->items[match[k]], &nfs->items[k]);
	}
	for (size_t j = 0; j < no; j++)
		if (!used[j])
			df_append(df, unscanned ? df->unverified : df->disappeared,
				  df_finding(target, &ofs->items[j], false));
out:
	free(used);
	free(match);
}

static json_t *df_cert(const struct dbtls_cert *c)
{
	if (!c)
		return json_null();
	return json_pack("{s:s, s:o, s:o}", "sha256_fingerprint", c->sha256, "subject",
			 df_s(c->subject), "not_after", df_s(c->not_after));
}

static void df_certs(struct df *df, const char *target, const struct dbtls_endpoint_facts *oe,
		     const struct dbtls_endpoint_facts *ne)
{
	size_t no = oe->ncerts, nn = ne->ncerts;

	/* a scan that got no chain says nothing about the certificate */
	if (!no || !nn)
		return;
	for (size_t p = 0; p < (no > nn ? no : nn); p++) {
		const struct dbtls_cert *oc = p < no ? &oe->certs[p] : NULL;
		const struct dbtls_cert *nc = p < nn ? &ne->certs[p] : NULL;

		if (oc && nc && strcmp(oc->sha256, nc->sha256) == 0)
			continue;
		df_append(df, df->certs,
			  json_pack("{s:o, s:I, s:o, s:o}", "target", df_s(target), "position",
				    (json_int_t)p, "old", df_cert(oc), "new", df_cert(nc)));
	}
}

static json_t *df_side(time_t started_at, const char *tool_version, const char *policy,
		       const char *label)
{
	char started[32];

	dbtls_rfc3339(started_at, started, sizeof(started));
	return json_pack("{s:s, s:s, s:o, s:o}", "file", label ? label : "", "started_at", started,
			 "tool_version", df_s(tool_version), "policy", df_s(policy));
}

static bool df_init(struct df *df, enum dbtls_severity fail_on)
{
	memset(df, 0, sizeof(*df));
	df->fail_on = fail_on;
	df->appeared = json_array();
	df->disappeared = json_array();
	df->changed = json_array();
	df->unverified = json_array();
	df->certs = json_array();
	df->added = json_array();
	df->removed = json_array();
	df->not_scanned = json_array();
	return df->appeared && df->disappeared && df->changed && df->unverified && df->certs &&
	       df->added && df->removed && df->not_scanned;
}

static void df_fini(struct df *df)
{
	json_decref(df->appeared);
	json_decref(df->disappeared);
	json_decref(df->changed);
	json_decref(df->unverified);
	json_decref(df->certs);
	json_decref(df->added);
	json_decref(df->removed);
	json_decref(df->not_scanned);
}

/* One endpoint of NEW (ne, its findings nfs) and its partner in OLD (oe, ofs; NULL: none). */
static void df_pair(struct df *df, const struct dbtls_endpoint_facts *ne,
		    const struct dbtls_findings *nfs, const struct dbtls_endpoint_facts *oe,
		    const struct dbtls_findings *ofs)
{
	const char *target = ne->target;
	bool unscanned = !dbtls_endpoint_scanned(ne);

	if (unscanned)
		df_append(df, df->not_scanned, df_s(target));
	if (!oe) {
		df_append(df, df->added, df_s(target));
		for (size_t k = 0; k < nfs->n; k++)
			df_appeared(df, target, &nfs->items[k]);
		return;
	}
	df_findings(df, target, ofs, nfs, unscanned);
	df_certs(df, target, oe, ne);
}

/* The document (new; NULL on out of memory) from what df gathered and the two sides (stolen). */
static json_t *df_doc(struct df *df, json_t *old_side, json_t *new_side)
{
	if (df->oom || !old_side || !new_side) {
		json_decref(old_side);
		json_decref(new_side);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:s, s:O, s:O, s:O, s:O, s:O, s:{s:O, s:O, s:O}, "
			 "s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
			 "old", old_side, "new", new_side, "fail_on",
			 dbtls_severity_name(df->fail_on), "appeared", df->appeared, "disappeared",
			 df->disappeared, "changed", df->changed, "unverified", df->unverified,
			 "certificates", df->certs, "endpoints", "added", df->added, "removed",
			 df->removed, "not_scanned", df->not_scanned, "summary", "appeared",
			 (json_int_t)json_array_size(df->appeared), "disappeared",
			 (json_int_t)json_array_size(df->disappeared), "changed",
			 (json_int_t)json_array_size(df->changed), "unverified",
			 (json_int_t)json_array_size(df->unverified), "certificates",
			 (json_int_t)json_array_size(df->certs), "alerts", (json_int_t)df->alerts);
}

/* The canonical ids of r's endpoints (new; NULL on out of memory). */
static char **df_ids(const struct dbtls_diff_report *r)
{
	char **ids = calloc(r->facts.nendpoints + 1, sizeof(*ids));

	for (size_t i = 0; ids && i < r->facts.nendpoints; i++) {
		const struct dbtls_endpoint_facts *e = &r->facts.endpoints[i];

		ids[i] = dbtls_endpoint_facts_id(e);
		if (!ids[i]) {
			for (size_t k = 0; k < i; k++)
				free(ids[k]);
			free(ids);
			return NULL;
		}
	}
	return ids;
}

static void df_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

json_t *dbtls_diff_compute(const struct dbtls_diff_report *old, const char *old_label,
			   const struct dbtls_diff_report *new_, const char *new_label,
			   enum dbtls_severity fail_on)
{
	size_t no = old->facts.nendpoints, nn = new_->facts.nendpoints;
	struct df df;
	bool ok = df_init(&df, fail_on);
	bool *used = calloc(no + 1, sizeof(*used));
	char **oids = df_ids(old), **nids = df_ids(new_);
	json_t *doc = NULL;

	if (!ok || !used || !oids || !nids)
		goto out;
	for (size_t i = 0; i < nn; i++) {
		const struct dbtls_endpoint_facts *oe = NULL;
		size_t j;

		/* one endpoint however it was spelt (mysql://db1, db1:3306, db1): the n-th
		 * endpoint with an id in NEW is the n-th with that id in OLD */
		for (j = 0; j < no && !oe; j++) {
			if (!used[j] && strcmp(nids[i], oids[j]) == 0) {
				used[j] = true;
				oe = &old->facts.endpoints[j];
			}
		}
		df_pair(&df, &new_->facts.endpoints[i], &new_->findings[i], oe,
			oe ? &old->findings[j - 1] : NULL);
	}
	for (size_t j = 0; j < no; j++)
		if (!used[j])
			df_append(&df, df.removed, df_s(old->facts.endpoints[j].target));
	doc = df_doc(
	    &df, df_side(old->facts.started_at, old->facts.tool_version, old->policy, old_label),
	    df_side(new_->facts.started_at, new_->facts.tool_version, new_->policy, new_label));
out:
	free(used);
	df_ids_free(oids, no);
	df_ids_free(nids, nn);
	df_fini(&df);
	return doc;
}

/* --- streaming two files ------------------------------------------------------------------
 *
 * OLD is read once into an index of its endpoints — canonical id and file offset, in file
 * order, with a hash from id to the first not yet matched one — then NEW is streamed and each
 * endpoint's partner read back from OLD by its offset. Memory: the index (ids and offsets) and
 * what the diff itself reports, never a whole report.
 */
struct dx_entry {
	char *id;
	long long offset;
	size_t next; /* the next entry with the same id, or SIZE_MAX */
	bool used;
};

struct dx {
	struct dbtls_report_file *rf; /* OLD */
	const char *label;
	struct dx_entry *e;
	size_t n, cap;
	size_t *slot; /* hash: entry index of the first unmatched entry of an id, SIZE_MAX empty */
	size_t *tail; /* per slot: the last entry of the id, to append to its chain */
	size_t nslots;
	/* each side's header */
	time_t started_at;
	char *tool_version, *policy;
	struct df *df;	/* NEW's pass: what it gathers */
	struct dx *old; /* NEW's pass: OLD's index */
};

static size_t dx_hash(const char *id)
{
	size_t h = 14695981039346656037u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211u;
	return h;
}

/* The slot of id: where it is or the empty one where it would go. */
static size_t dx_find(const struct dx *x, const char *id)
{
	size_t k = dx_hash(id) & (x->nslots - 1);

	while (x->slot[k] != SIZE_MAX && strcmp(x->e[x->tail[k]].id, id) != 0)
		k = (k + 1) & (x->nslots - 1);
	return k;
}

static bool dx_rehash(struct dx *x)
{
	size_t n = x->nslots ? 2 * x->nslots : 1024;
	size_t *slot = malloc(n * sizeof(*slot)), *tail = malloc(n * sizeof(*tail));

	if (!slot || !tail) {
		free(slot);
		free(tail);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		slot[i] = SIZE_MAX;
	for (size_t i = 0; i < x->nslots; i++) {
		size_t k;
		if (x->slot[i] == SIZE_MAX)
			continue;
		for (k = dx_hash(x->e[x->tail[i]].id) & (n - 1); slot[k] != SIZE_MAX;
		     k = (k + 1) & (n - 1))
			;
		slot[k] = x->slot[i];
		tail[k] = x->tail[i];
	}
	free(x->slot);
	free(x->tail);
	x->slot = slot;
	x->tail = tail;
	x->nslots = n;
	return true;
}

static void dx_free(struct dx *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->e[i].id);
	free(x->e);
	free(x->slot);
	free(x->tail);
	free(x->tool_version);
	free(x->policy);
}

static enum dbtls_err dx_header(void *arg, struct dbtls_scan_facts *hdr, const json_t *top,
				struct dbtls_diag *d)
{
	struct dx *x = arg;
	const char *pol = df_str(json_object_get(top, "policy"), "name");

	x->started_at = hdr->started_at;
	x->tool_version = hdr->tool_version;
	hdr->tool_version = NULL;
	if (pol && !(x->policy = strdup(pol)))
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", x->label);
	return DBTLS_OK;
}

/* endpoints[i].findings of el into *out (new), errors named as the whole-file reader names
 * them. */
static enum dbtls_err dx_findings(const char *label, const struct dbtls_report_elem *el,
				  struct dbtls_findings *out, struct dbtls_diag *d)
{
	struct dbtls_rd r = {.file = label, .d = d};

	memset(out, 0, sizeof(*out));
	dbtls_rd_key(&r, "endpoints");
	dbtls_rd_idx(&r, el->index);
	return df_read_findings(&r, el->json, out);
}

static enum dbtls_err dl_findings(const char *label, const struct dbtls_report_elem *el,
				  struct dbtls_findings *out, struct dbtls_diag *d)
{
	return dx_findings(label, el, out, d);
}

static void dx_findings_free(struct dbtls_findings *fs)
{
	for (size_t k = 0; k < fs->n; k++)
		df_finding_free(&fs->items[k]);
	free(fs->items);
	memset(fs, 0, sizeof(*fs));
}

static char *dx_id(const struct dbtls_endpoint_facts *e)
{
	return dbtls_endpoint_facts_id(e);
}

/* OLD's pass: each endpoint is checked as the whole-file reader checked it, then only its id
 * and offset are kept. */
static enum dbtls_err dx_index(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct dx *x = arg;
	struct dbtls_findings fs;
	enum dbtls_err err = dx_findings(x->label, el, &fs, d);
	struct dx_entry *ent;
	size_t k;

	dx_findings_free(&fs);
	if (err)
		return err;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		struct dx_entry *g = realloc(x->e, cap * sizeof(*g));
		if (!g)
			goto nomem;
		x->e = g;
		x->cap = cap;
	}
	if (2 * (x->n + 1) > x->nslots && !dx_rehash(x))
		goto nomem;
	ent = &x->e[x->n];
	memset(ent, 0, sizeof(*ent));
	ent->id = dx_id(el->ep);
	if (!ent->id)
		goto nomem;
	ent->offset = el->offset;
	ent->next = SIZE_MAX;
	k = dx_find(x, ent->id);
	if (x->slot[k] == SIZE_MAX)
		x->slot[k] = x->n;
	else
		x->e[x->tail[k]].next = x->n;
	x->tail[k] = x->n;
	x->n++;
	return DBTLS_OK;
nomem:
	return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", x->label);
}

#define DX_EMPTY SIZE_MAX	/* a slot no id has */
#define DX_DONE	 (SIZE_MAX - 1) /* an id whose every OLD endpoint is matched */

/* NEW's pass: the partner (the first unmatched OLD endpoint with the same id) read back. */
static enum dbtls_err dx_new(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct dx *nx = arg, *x = nx->old;
	struct dbtls_findings nfs, ofs = {0};
	struct dbtls_endpoint_facts oe;
	enum dbtls_err err;
	size_t j = SIZE_MAX;
	json_t *oj = NULL;
	char *id = NULL;

	memset(&oe, 0, sizeof(oe));
	err = dx_findings(nx->label, el, &nfs, d);
	if (err)
		goto out;
	id = dx_id(el->ep);
	if (!id) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", nx->label);
		goto out;
	}
	if (x->nslots) {
		size_t k = dx_find(x, id);

		if (x->slot[k] != DX_EMPTY && x->slot[k] != DX_DONE) {
			j = x->slot[k];
			x->e[j].used = true;
			x->slot[k] = x->e[j].next == SIZE_MAX ? DX_DONE : x->e[j].next;
		}
	}
	if (j != SIZE_MAX) {
		struct dbtls_report_elem oel = {.index = j};

		err = dbtls_report_file_read_endpoint(x->rf, x->e[j].offset, j, &oe, &oj, d);
		if (err)
			goto out;
		oel.json = oj;
		err = dx_findings(x->label, &oel, &ofs, d);
		if (err)
			goto out;
	}
	df_pair(nx->df, el->ep, &nfs, j != SIZE_MAX ? &oe : NULL, &ofs);
	if (nx->df->oom)
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", nx->label);
out:
	free(id);
	json_decref(oj);
	dbtls_endpoint_facts_free(&oe);
	dx_findings_free(&nfs);
	dx_findings_free(&ofs);
	return err;
}

enum dbtls_err dbtls_diff_files(const char *old_path, const char *new_path,
				enum dbtls_severity fail_on, json_t **out, struct dbtls_diag *d)
{
	static const struct dbtls_report_stream_cb index_cb = {.header = dx_header,
							       .endpoint = dx_index};
	static const struct dbtls_report_stream_cb new_cb = {.header = dx_header,
							     .endpoint = dx_new};
	struct dx x = {.label = old_path}, nx = {.label = new_path, .old = &x};
	enum dbtls_err err;
	struct df df;
	bool ok = df_init(&df, fail_on);

	*out = NULL;
	if (!ok) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	x.rf = dbtls_report_file_open(old_path, d);
	if (!x.rf) {
		err = DBTLS_ERR_FILE;
		goto out;
	}
	err = dbtls_report_file_stream(x.rf, &index_cb, &x, d);
	if (err)
		goto out;
	nx.df = &df;
	err = dbtls_report_json_stream(new_path, &new_cb, &nx, d);
	/* what NEW did not match, in OLD's order */
	for (size_t j = 0; !err && j < x.n; j++) {
		struct dbtls_endpoint_facts oe;

		if (x.e[j].used)
			continue;
		err = dbtls_report_file_read_endpoint(x.rf, x.e[j].offset, j, &oe, NULL, d);
		if (!err)
			df_append(&df, df.removed, df_s(oe.target));
		dbtls_endpoint_facts_free(&oe);
	}
	if (err)
		goto out;
	*out = df_doc(&df, df_side(x.started_at, x.tool_version, x.policy, old_path),
		      df_side(nx.started_at, nx.tool_version, nx.policy, new_path));
	if (!*out)
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
out:
	df_fini(&df);
	dbtls_report_file_close(x.rf);
	dx_free(&x);
	dx_free(&nx);
	return err;
}

size_t dbtls_diff_alerts(const json_t *diff)
{
	json_int_t n =
	    json_integer_value(json_object_get(json_object_get(diff, "summary"), "alerts"));

	return n > 0 ? (size_t)n : 0;
}

size_t dbtls_diff_not_scanned(const json_t *diff)
{
	return json_array_size(json_object_get(json_object_get(diff, "endpoints"), "not_scanned"));
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
	if (json_dumpf(diff, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) != 0 ||
	    fputc('\n', out) == EOF)
		return DBTLS_ERR_FILE;
	return DBTLS_OK;
}
