/* SPDX-License-Identifier: MIT */
/*
 * diff.h — `dbtls diff OLD.json NEW.json`: what changed between two saved JSON reports, which is
 * what a scheduled scan alerts on. A report is read one endpoint at a time, as `check --facts`
 * reads it (reports/json/report_stream.h: no bound on the file, duplicate keys refused)
 * (the field table's reader: strict about types, tolerant of keys it does not know, errors as
 * FILE: JSON.path: what); the findings, which are derived and not facts, by one small reader of
 * the table's finding rows.
 *
 * Matching: endpoints by their canonical id (dbtls_endpoint_id: scheme, lower-cased host, port —
 * so mysql://db1, db1:3306 and db1 are one endpoint; the n-th occurrence of an id in OLD with the
 * n-th in NEW); findings of a pair of endpoints by check id (when an endpoint has several findings
 * of one check, the one with the same title first, then in order). A matched finding whose
 * severity, title, evidence or waived flag differs is "changed"; the rest "appeared" or
 * "disappeared". An endpoint that NEW could not scan (it has errors or no TLS status) proves
 * nothing about its old findings: they are "unverified", not disappeared. Certificates are
 * compared by SHA-256 fingerprint per position of the chain (position 0 is the leaf), only where
 * both scans got one.
 *
 * Alerts (exit 1): a finding that appeared, not waived, at or above fail_on; or a changed finding
 * that now counts (not waived, at or above fail_on) and did not before (below it, or waived).
 * Without alerts, an endpoint NEW could not scan means exit 3 (as for scan): "nothing new" is
 * never claimed for an endpoint that was not looked at.
 *
 * Ownership: dbtls_diff_load fills *out (new; dbtls_diff_report_free); dbtls_diff_compute borrows
 * its inputs and returns new.
 */
#ifndef DBTLS_DIFF_H
#define DBTLS_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "checks/check.h"
#include "src/facts/facts.h"
#include "src/core/err.h"

/* A report as diff reads it: the facts, each endpoint's findings (findings[i] for
 * facts.endpoints[i]; their strings, check included, are owned) and the policy's name. */
struct dbtls_diff_report {
	struct dbtls_scan_facts facts;
	struct dbtls_findings *findings;
	char *policy; /* NULL with --policy none */
};

/* Reads the dbtls JSON report at path into *out (new; for tests and small reports: `dbtls diff`
 * itself uses dbtls_diff_files, which holds no report). Fails with FILE (unreadable) or
 * INPUT (not JSON, a duplicate key, or not a report: a member of the wrong type, a finding without
 * a severity …) and d saying which file and where, e.g. "old.json:3:5: …" or "old.json:
 * endpoints[2].findings[0].severity: expected a string, got null"; *out is left empty then. */
enum dbtls_err dbtls_diff_load(const char *path, struct dbtls_diff_report *out,
			       struct dbtls_diag *d);
/* The same for a document already parsed (borrowed); label names it in messages. */
enum dbtls_err dbtls_diff_load_doc(const char *label, const json_t *root,
				   struct dbtls_diff_report *out, struct dbtls_diag *d);
/* Frees what *r holds and empties it; r may be NULL. */
void dbtls_diff_report_free(struct dbtls_diff_report *r);

/* The difference between two loaded reports as a JSON document (new; NULL on out of memory):
 * { "old": {file, started_at, tool_version, policy}, "new": {…}, "fail_on",
 *   "appeared": [finding…], "disappeared": [finding…], "changed": [{target, check, changes: [],
 *   old: {…}, new: {…}, alert}], "unverified": [finding…], "certificates": [{target, position,
 *   old: {sha256_fingerprint, subject, not_after} | null, new: … | null}],
 *   "endpoints": {"added": [target…], "removed": [target…], "not_scanned": [target…]},
 *   "summary": {appeared, disappeared, changed, unverified, certificates, alerts} }
 * where each finding is {target, check, severity, title, evidence, waived, alert}. Labels name the
 * files in the output (borrowed). */
json_t *dbtls_diff_compute(const struct dbtls_diff_report *old, const char *old_label,
			   const struct dbtls_diff_report *new_, const char *new_label,
			   enum dbtls_severity fail_on);

/* The same difference computed from two report files without loading either: OLD is indexed
 * (canonical ids and file offsets), NEW streamed, each partner read back by its offset; memory
 * is the index and the diff, not the reports. *out is new (NULL on failure, with d as
 * dbtls_diff_load words it: OLD's errors first). */
enum dbtls_err dbtls_diff_files(const char *old_path, const char *new_path,
				enum dbtls_severity fail_on, json_t **out, struct dbtls_diag *d);

/* Number of alerts in a computed diff (summary.alerts). */
size_t dbtls_diff_alerts(const json_t *diff);
/* Number of endpoints NEW could not scan (endpoints.not_scanned). */
size_t dbtls_diff_not_scanned(const json_t *diff);

/* Writes the diff for people (colour when asked) or as JSON; FILE on a write error. */
enum dbtls_err dbtls_diff_write_text(const json_t *diff, FILE *out, bool color);
enum dbtls_err dbtls_diff_write_json(const json_t *diff, FILE *out);

#endif
