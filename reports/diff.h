/* SPDX-License-Identifier: MIT */
/*
 * diff.h — `dbtls diff OLD.json NEW.json`: what changed between two saved JSON reports, which is
 * what a scheduled scan alerts on. Works on the JSON documents themselves (jansson), not on facts,
 * so reports written by older dbtls versions compare too; only `endpoints[].target`,
 * `endpoints[].findings[]` (`check`, `severity`, `title`, `evidence`, `waived`) and
 * `endpoints[].certificates[]` (`sha256_fingerprint`, `subject`, `not_after`) are read.
 *
 * Matching: endpoints by target as given (the n-th occurrence of a target in OLD with the n-th in
 * NEW); findings of a pair of endpoints by check id (when an endpoint has several findings of one
 * check, the one with the same title first, then in order). A matched finding whose severity,
 * title, evidence or waived flag differs is "changed"; the rest "appeared" or "disappeared". An
 * endpoint that NEW could not scan (it has errors and no TLS status) proves nothing about its old
 * findings: they are "unverified", not disappeared. Certificates are compared by SHA-256
 * fingerprint per position of the chain (position 0 is the leaf), only where both scans got one.
 *
 * Alerts (exit 1): a finding that appeared, not waived, at or above fail_on; or a changed finding
 * that now counts (not waived, at or above fail_on) and did not before (below it, or waived).
 *
 * Ownership: dbtls_diff_load returns new (json_decref); dbtls_diff_compute borrows its inputs and
 * returns new.
 */
#ifndef DBTLS_DIFF_H
#define DBTLS_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "checks/check.h"
#include "src/core/err.h"

/* Reads a dbtls JSON report from path into *out (new). Fails with FILE (unreadable) or INPUT (not
 * JSON, or not a report: no endpoints array, a target that is no string, an unknown severity …)
 * and d saying which file and where, e.g. "old.json:3:5: …" or "old.json: endpoints[2].target:
 * not a string". */
enum dbtls_err dbtls_diff_load(const char *path, json_t **out, struct dbtls_diag *d);

/* The difference between two loaded reports as a JSON document (new; NULL on out of memory):
 * { "old": {file, started_at, tool_version, policy}, "new": {…}, "fail_on",
 *   "appeared": [finding…], "disappeared": [finding…], "changed": [{target, check, changes: [],
 *   old: {…}, new: {…}, alert}], "unverified": [finding…], "certificates": [{target, position,
 *   old: {sha256_fingerprint, subject, not_after} | null, new: … | null}],
 *   "endpoints": {"added": [target…], "removed": [target…], "not_scanned": [target…]},
 *   "summary": {appeared, disappeared, changed, unverified, certificates, alerts} }
 * where each finding is {target, check, severity, title, evidence, waived, alert}. Labels name the
 * files in the output (borrowed). */
json_t *dbtls_diff_compute(const json_t *old, const char *old_label, const json_t *new_,
			   const char *new_label, enum dbtls_severity fail_on);

/* Number of alerts in a computed diff (summary.alerts). */
size_t dbtls_diff_alerts(const json_t *diff);

/* Writes the diff for people (colour when asked) or as JSON; FILE on a write error. */
enum dbtls_err dbtls_diff_write_text(const json_t *diff, FILE *out, bool color);
enum dbtls_err dbtls_diff_write_json(const json_t *diff, FILE *out);

#endif
