/* SPDX-License-Identifier: MIT */
/*
 * report_util.c — endpoint outcomes and the scan id the writers share (see report_util.h); the
 * escaping of scan strings is src/core/escape.c.
 */
#include "reports/report_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

enum dbtls_outcome dbtls_report_outcome(const struct dbtls_endpoint_facts *e,
					const struct dbtls_findings *fs,
					enum dbtls_severity fail_on)
{
	/* the order matters and is evaluate.c's: a definite failure wins over an error */
	if (dbtls_report_worst(fs) >= (int)fail_on)
		return DBTLS_OUTCOME_FAILED;
	if (!dbtls_endpoint_scanned(e))
		return DBTLS_OUTCOME_ERRORED;
	return fs ? DBTLS_OUTCOME_PASSED : DBTLS_OUTCOME_SCANNED;
}

const struct dbtls_findings *dbtls_report_file_findings(const struct dbtls_evaluation *ev, size_t i)
{
	size_t k = 0;

	for (size_t j = ev ? ev->nendpoints : 0; ev && j < ev->nsubjects; j++)
		if (ev->subjects[j].kind == DBTLS_SUBJECT_FILE && k++ == i)
			return &ev->findings[j];
	return NULL;
}

enum dbtls_outcome dbtls_report_file_outcome(const struct dbtls_audit_file *f,
					     const struct dbtls_findings *fs,
					     enum dbtls_severity fail_on)
{
	if (dbtls_report_worst(fs) >= (int)fail_on)
		return DBTLS_OUTCOME_FAILED;
	if (f->nerrors)
		return DBTLS_OUTCOME_ERRORED;
	return fs ? DBTLS_OUTCOME_PASSED : DBTLS_OUTCOME_SCANNED;
}

void dbtls_report_acc_init(struct dbtls_report_acc *a, const struct dbtls_scan_facts *s,
			   const struct dbtls_evaluation *ev)
{
	memset(a, 0, sizeof(*a));
	a->fail_on = ev ? ev->fail_on : DBTLS_SEV_HIGH;
	a->c.judged = ev != NULL;
	a->c.rotation = s->new_ca_file != NULL;
}

static char *acc_dup(struct dbtls_report_acc *a, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	a->oom |= s && !d;
	return d;
}

void dbtls_report_acc_add(struct dbtls_report_acc *a, const struct dbtls_endpoint_facts *e,
			  const struct dbtls_findings *fs)
{
	struct dbtls_report_counts *out = &a->c;
	enum dbtls_outcome o = dbtls_report_outcome(e, fs, a->fail_on);
	bool complete = dbtls_endpoint_scanned(e);

	out->total++;
	out->reached += e->tls_offered >= 0;
	out->complete += complete;
	out->outcome[o]++;
	out->failed_with_errors += o == DBTLS_OUTCOME_FAILED && !complete;
	for (size_t k = 0; fs && k < fs->n; k++) {
		if (fs->items[k].waived)
			out->waived++;
		else if ((unsigned)fs->items[k].severity < DBTLS_NSEVERITIES)
			out->by_severity[fs->items[k].severity]++;
	}
	if (e->verification.rotation.checked && e->verification.rotation.ready) {
		out->rotation_ready++;
	} else {
		out->rotation_not_ready++;
		if (out->rotation) {
			struct dbtls_report_acc_rot *r =
			    realloc(a->not_ready, (a->nnot_ready + 1) * sizeof(*r));

			if (r) {
				a->not_ready = r;
				r[a->nnot_ready].target = acc_dup(a, e->target);
				r[a->nnot_ready++].checked = e->verification.rotation.checked;
			} else {
				a->oom = true;
			}
		}
	}
	out->rotation_not_checked += !e->verification.rotation.checked;
	for (size_t k = 0; k < e->nerrors; k++)
		if (e->errors[k].code == DBTLS_ERR_INTERRUPTED) {
			a->unfinished++;
			break;
		}
	if (e->duration_s > a->longest_s)
		a->longest_s = e->duration_s;
	for (size_t k = 0; k < e->ncerts; k++) {
		const struct dbtls_cert *c = &e->certs[k];

		if (!c->not_after || (a->nearest_set && c->not_after_t >= a->nearest_not_after_t))
			continue;
		free(a->nearest_target);
		free(a->nearest_subject);
		free(a->nearest_not_after);
		a->nearest_set = true;
		a->nearest_target = acc_dup(a, e->target);
		a->nearest_subject = acc_dup(a, c->subject);
		a->nearest_not_after = acc_dup(a, c->not_after);
		a->nearest_pos = k;
		a->nearest_days_left = c->days_left;
		a->nearest_not_after_t = c->not_after_t;
	}
}

void dbtls_report_acc_finish(struct dbtls_report_acc *a, const struct dbtls_scan_facts *s,
			     const struct dbtls_evaluation *ev)
{
	struct dbtls_report_counts *out = &a->c;

	out->files = s->nfiles;
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct dbtls_findings *fs = dbtls_report_file_findings(ev, i);

		out->files_with_errors += s->files[i].nerrors > 0;
		out->files_outcome[dbtls_report_file_outcome(&s->files[i], fs, a->fail_on)]++;
		for (size_t k = 0; fs && k < fs->n; k++) {
			if (fs->items[k].waived)
				out->waived++;
			else if ((unsigned)fs->items[k].severity < DBTLS_NSEVERITIES)
				out->by_severity[fs->items[k].severity]++;
		}
	}
	out->not_reached = out->total - out->reached;
	out->with_errors = out->total - out->complete;
	/* a live scan measures its wall time; a report read back has only whole seconds, which
	 * are never less than the longest endpoint took */
	out->duration_s = s->duration_s;
	if (out->duration_s <= 0) {
		out->duration_s =
		    s->finished_at > s->started_at ? (double)(s->finished_at - s->started_at) : 0;
		if (out->duration_s < a->longest_s)
			out->duration_s = a->longest_s;
	}
}

void dbtls_report_acc_free(struct dbtls_report_acc *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nnot_ready; i++)
		free(a->not_ready[i].target);
	free(a->not_ready);
	free(a->nearest_target);
	free(a->nearest_subject);
	free(a->nearest_not_after);
	memset(a, 0, sizeof(*a));
}

void dbtls_report_counts(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev,
			 struct dbtls_report_counts *out)
{
	struct dbtls_report_acc a;

	dbtls_report_acc_init(&a, s, ev);
	a.c.rotation = false; /* the counts alone: no list of targets */
	for (size_t i = 0; i < s->nendpoints; i++)
		dbtls_report_acc_add(&a, &s->endpoints[i],
				     ev && i < ev->nendpoints ? &ev->findings[i] : NULL);
	dbtls_report_acc_finish(&a, s, ev);
	a.c.rotation = s->new_ca_file != NULL;
	*out = a.c;
	dbtls_report_acc_free(&a);
}

FILE *dbtls_report_spool_new(void)
{
	return tmpfile();
}

bool dbtls_report_spool_copy(FILE *spool, FILE *out)
{
	char buf[65536];
	size_t got;

	if (fflush(spool) || fseek(spool, 0, SEEK_SET))
		return false;
	while ((got = fread(buf, 1, sizeof(buf), spool)) > 0)
		if (fwrite(buf, 1, got, out) != got)
			return false;
	return !ferror(spool);
}

const char *dbtls_outcome_name(enum dbtls_outcome o)
{
	switch (o) {
	case DBTLS_OUTCOME_PASSED:
		return "passed";
	case DBTLS_OUTCOME_FAILED:
		return "failed";
	case DBTLS_OUTCOME_ERRORED:
		return "errored";
	case DBTLS_OUTCOME_SCANNED:
		break;
	}
	return "scanned";
}

int dbtls_report_worst(const struct dbtls_findings *fs)
{
	int worst = -1;

	for (size_t i = 0; fs && i < fs->n; i++)
		if (!fs->items[i].waived && (int)fs->items[i].severity > worst)
			worst = (int)fs->items[i].severity;
	return worst;
}

void dbtls_report_scan_id(const struct dbtls_scan_facts *s, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char when[24] = "", buf[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	time_t t = s->started_at;
	struct tm tm;
	bool ok;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, sizeof(buf), "%lld", (long long)s->started_at);
	/* every field ends in a NUL, so ("ab","c") and ("a","bc") differ */
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, s->tool_version ? s->tool_version : "",
			      strlen(s->tool_version ? s->tool_version : "") + 1) &&
	     EVP_DigestUpdate(ctx, buf, strlen(buf) + 1);
	for (size_t i = 0; ok && i < s->nendpoints; i++) {
		const char *tg = s->endpoints[i].target ? s->endpoints[i].target : "";
		ok = EVP_DigestUpdate(ctx, tg, strlen(tg) + 1);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen >= 6;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		snprintf(out, outlen, "%s", when);
		return;
	}
	snprintf(out, outlen, "%s-%02x%02x%02x%02x%02x%02x", when, md[0], md[1], md[2], md[3],
		 md[4], md[5]);
}

bool dbtls_report_expired(long days_left, time_t not_after)
{
	return days_left < 0 || (days_left == 0 && not_after && not_after < time(NULL));
}
