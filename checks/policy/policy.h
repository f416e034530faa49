/* SPDX-License-Identifier: MIT */
/*
 * policy.h — profiles (which checks, which severities, which parameters), waivers (accepted risks
 * with an owner and an end date), and the evaluation of a scan's facts under both.
 *
 * Profiles are data: data/policies/NAME.json, embedded into the binary at build time so that
 * `--policy baseline` needs no installed files; `--policy FILE.json` loads a file of the same
 * format (which may `extends` a built-in or another file). Validation is strict: an unknown key,
 * an unknown check id or a wrong type is an error naming FILE:LINE:COLUMN.
 */
#ifndef DBTLS_POLICY_H
#define DBTLS_POLICY_H

#include <stdio.h>
#include <time.h>

#include "checks/check.h"

struct dbtls_builtin_policy {
	const char *name;
	const char *json;
};
/* Generated from the files in data/policies (policies_gen.c). */
extern const struct dbtls_builtin_policy dbtls_builtin_policies[];
extern const size_t dbtls_nbuiltin_policies;

/* Loads a built-in profile by name, or a profile file (a name ending in .json or containing '/').
 * Fills *out (new; dbtls_policy_free). Errors: INPUT (validation, with FILE:LINE:COLUMN in d),
 * FILE (unreadable), NOMEM. */
enum dbtls_err dbtls_policy_load(const char *name_or_path, struct dbtls_policy *out,
				 struct dbtls_diag *d);
/* Frees what *p holds (not p); p may be NULL. */
void dbtls_policy_free(struct dbtls_policy *p);

struct dbtls_waiver {
	char *check;	  /* check id */
	char *endpoint;	  /* the endpoint as written: "mysql://db1", "db1:3306", "db1" … */
	char *id;	  /* its canonical id (dbtls_endpoint_id_parse), what is matched */
	char *until;	  /* YYYY-MM-DD, inclusive (UTC) */
	time_t until_end; /* the first second after that day */
	char *reason;
	char *owner;
};

struct dbtls_waivers {
	struct dbtls_waiver *items;
	size_t n;
};

/* Loads a waivers file: {"waivers": [{"check", "endpoint", "until", "reason", "owner"}, …]}, every
 * field required, strictly validated (FILE:LINE:COLUMN). */
enum dbtls_err dbtls_waivers_load(const char *path, struct dbtls_waivers *out,
				  struct dbtls_diag *d);
/* Frees what *w holds (not w); w may be NULL. */
void dbtls_waivers_free(struct dbtls_waivers *w);

/* A scan judged under a policy. Findings belong to their subject: findings[i] are subjects[i]'s.
 * Subjects come kind by kind in the order of the table of kinds (checks/check.h), endpoints
 * first and in the facts' order, so findings[i] for i < nendpoints is endpoint i's — which is all
 * the report writers read today. */
struct dbtls_evaluation {
	const struct dbtls_policy *policy; /* borrowed */
	enum dbtls_severity fail_on;
	struct dbtls_findings *findings; /* one list per subject, nsubjects of them */
	struct dbtls_subject *subjects;	 /* facts borrowed from the scan facts; ids owned */
	size_t nsubjects;
	size_t nendpoints; /* the subjects of kind DBTLS_SUBJECT_ENDPOINT: the first nendpoints */
	size_t by_severity[DBTLS_NSEVERITIES]; /* findings not waived */
	size_t waived;
	size_t passed, failed, errored; /* subjects (today: endpoints) */
};

/* Runs p's checks over every subject of s (every kind in the table of kinds), applies waivers w
 * (may be NULL) as of `now`, and counts. Fills *out (new; dbtls_evaluation_free, which is safe
 * on a zeroed or already freed evaluation); on failure *out is left empty. */
enum dbtls_err dbtls_evaluate(const struct dbtls_policy *p, const struct dbtls_waivers *w,
			      const struct dbtls_scan_facts *s, enum dbtls_severity fail_on,
			      time_t now, struct dbtls_evaluation *out);
/* Judges one subject of kind `kind` (facts borrowed) on its own: the same checks and waivers as
 * dbtls_evaluate() gives it, into *fs (new; dbtls_findings_free), and counts it into tally's
 * by_severity, waived, passed/failed/errored under tally->fail_on when tally is not NULL (its
 * findings and subjects are not touched). A streamed scan judges each endpoint so as it finishes.
 * NOMEM (then *fs is empty). */
enum dbtls_err dbtls_evaluate_one(const struct dbtls_policy *p, const struct dbtls_waivers *w,
				  enum dbtls_subject_kind kind, const void *facts, time_t now,
				  struct dbtls_findings *fs, struct dbtls_evaluation *tally);
/* Frees what *e holds (not e); e may be NULL. */
void dbtls_evaluation_free(struct dbtls_evaluation *e);

/* The largest policy file the loader reads (dbtls_json_read_file's cap today); derive never
 * writes a bigger one. */
#define DBTLS_POLICY_MAX_BYTES (4 * 1024 * 1024)

/* Writes a profile that pins what the endpoints of s accept today (versions, suites, groups, leaf
 * issuer and key type) by their canonical ids, with the drift checks enabled, as a layer on
 * `extends` (NULL: "baseline"), so that the security checks stay on. An endpoint that was not
 * scanned completely gets a pin marked "unpinned" (its drift checks are then not evaluable, never
 * silently passed). Sets *out (new JSON text, at most DBTLS_POLICY_MAX_BYTES). Errors: INPUT (no
 * endpoints: nothing to pin; too large), NOMEM; d says which. */
enum dbtls_err dbtls_policy_derive(const struct dbtls_scan_facts *s, const char *name,
				   const char *extends, char **out, struct dbtls_diag *d);

#endif
