/* SPDX-License-Identifier: MIT */
/*
 * merge.h — `dbtls merge A.json B.json … -o ALL.json`: the endpoints of several reports in one,
 * read without holding any report (reports/json/report_stream.h).
 *
 * Two passes over the inputs. The first reads every file once, checks it as `check --facts`
 * would, and keeps an index: each canonical endpoint id (dbtls_endpoint_id; the target itself
 * for an endpoint without a host) with where it first appears and which copy wins — an id twice
 * is an error unless `latest`, when the copy from the report that started last wins (a tie: the
 * later file). Nothing reaches the sink before every input has been read, so a duplicate or a
 * bad file costs no output. The second pass hands the merged header, then each endpoint in the
 * order of the files and, within a file, its order, at the place of its id's first appearance;
 * a winning copy from a later file is read back by its offset.
 *
 * The merged header: the first report's tool_version, the earliest started_at, the latest
 * finished_at, interrupted when any was, the first --new-ca-file; the inputs' audited files are
 * not carried over. Memory: the index (ids, offsets) and one endpoint.
 *
 * Ownership: everything handed to the sink may be taken by it (copy and zero); the rest is
 * freed after the call. paths are borrowed.
 */
#ifndef DBTLS_APP_MERGE_H
#define DBTLS_APP_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "src/core/err.h"
#include "src/facts/facts.h"

struct dbtls_merge_sink {
	/* once, before any endpoint */
	enum dbtls_err (*header)(void *arg, struct dbtls_scan_facts *hdr, struct dbtls_diag *d);
	/* once per endpoint kept, in output order */
	enum dbtls_err (*endpoint)(void *arg, struct dbtls_endpoint_facts *e, struct dbtls_diag *d);
	void *arg;
};

/* Merges paths[0 … n) into sink. INPUT/FILE with d saying what (without a "merge:" prefix):
 * "b.json: endpoints[2].port: …", or "mysql://db1:3306 is in both a.json and b.json (give
 * --latest to keep the newer)"; a sink's error is returned as it is. */
enum dbtls_err dbtls_merge_stream(const char *const *paths, size_t n, bool latest,
				  const struct dbtls_merge_sink *sink, struct dbtls_diag *d);

#endif
