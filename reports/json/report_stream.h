/* SPDX-License-Identifier: MIT */
/*
 * report_stream.h — a saved JSON report (schema_version 1) read one element at a time, so that
 * `check --facts`, `diff` and `merge` hold one endpoint in memory, not the whole file: a report of
 * 100,000 endpoints is 147 MB of JSON and several times that as a jansson tree.
 *
 * The reader finds the top-level members itself (a small tokenizer that knows only the shape
 * `{ "key": value, … }`) and hands the bytes of every value to jansson one at a time: each
 * member of the header (tool, started_at, policy, …) and each element of the `endpoints` and
 * `files` arrays. Each value is bounded (DBTLS_REPORT_ELEM_MAX) instead of the file. Errors read
 * as the whole-file loader's did: "FILE:LINE:COL: what jansson says" for text that is not JSON
 * (duplicate keys refused at every level), "FILE: endpoints[3].port: expected …" for a value of
 * the wrong shape, one line in d.
 *
 * Order: the header callback always runs before the first element. Keys may come in any order
 * (JSON object order is not guaranteed: `jq -S` puts endpoints first), so a first pass reads
 * the header members and skips over the two arrays without parsing them; a second pass parses
 * the elements. Elements are checked as they come: a file whose 50,000th endpoint is broken has
 * delivered 49,999 before the error (dbtls_report_json_check reads without delivering).
 *
 * Input that cannot seek (a pipe, /dev/stdin) is copied to an unnamed temporary file first, so
 * both passes and reads by offset work on it.
 *
 * Ownership: a dbtls_report_file is new (dbtls_report_file_close, NULL-safe). Callbacks borrow
 * what they are given for the length of the call, except where a field says it may be taken.
 */
#ifndef DBTLS_REPORT_STREAM_H
#define DBTLS_REPORT_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "src/core/err.h"
#include "src/facts/audit.h"
#include "src/facts/facts.h"

/* The largest single value (one endpoint, one header member) a report may hold. An endpoint
 * with every suite of every version, a full chain as PEM and SQL settings is about 40 KB. */
#define DBTLS_REPORT_ELEM_MAX (16u * 1024 * 1024)

/* One element of `endpoints` or `files` as the reader hands it over. */
struct dbtls_report_elem {
	size_t index;	  /* position in its array */
	long long offset; /* of its first byte in the file (for dbtls_report_file_read_endpoint) */
	size_t len;	  /* its length in bytes */
	const json_t *json; /* as parsed (borrowed; the derived parts, findings, are only here) */
	/* read by the field table, unless the callbacks are raw: the callback may take it (copy
	 * the struct and zero it); what is left is freed after the call */
	struct dbtls_endpoint_facts *ep; /* endpoints[] */
	struct dbtls_audit_file *file;	 /* files[] */
};

/* What the reader calls. A callback's error stops the stream and is returned as it is (the
 * callback sets d). Any callback may be NULL. */
struct dbtls_report_stream_cb {
	/* Once, before any element: the header read into hdr (no endpoints, no files; the callback
	 * may take its strings and NULL them) and top, the top-level object without the two arrays
	 * (each is [] there; borrowed), for derived members such as policy.name. */
	enum dbtls_err (*header)(void *arg, struct dbtls_scan_facts *hdr, const json_t *top,
				 struct dbtls_diag *d);
	/* Once per element of endpoints, then of files, in file order. */
	enum dbtls_err (*endpoint)(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d);
	enum dbtls_err (*file)(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d);
	/* true: elements are parsed (and so checked as JSON) but not read into facts: el->ep and
	 * el->file are NULL (an index pass that needs offsets and a few keys) */
	bool raw;
	/* the bound of one value; 0: DBTLS_REPORT_ELEM_MAX */
	size_t max_elem;
};

struct dbtls_report_file;

/* Opens path for reading (copying it to a temporary file when it cannot seek). Returns new, or
 * NULL with FILE (unreadable, a directory) or NOMEM in d. */
struct dbtls_report_file *dbtls_report_file_open(const char *path, struct dbtls_diag *d);
/* The same over f (steals it: closed by dbtls_report_file_close); label names it in messages
 * (borrowed, must outlive the handle). For fuzzing and tests (fmemopen). */
struct dbtls_report_file *dbtls_report_file_from(FILE *f, const char *label, struct dbtls_diag *d);
/* Streams the whole report through cb (may be called again for another pass). */
enum dbtls_err dbtls_report_file_stream(struct dbtls_report_file *rf,
					const struct dbtls_report_stream_cb *cb, void *arg,
					struct dbtls_diag *d);
/* Reads the endpoint at offset (an el->offset of an earlier pass; index names it in messages)
 * into *out (new; dbtls_endpoint_facts_free) and, when json is not NULL, its JSON into *json
 * (new). On failure both are left empty. */
enum dbtls_err dbtls_report_file_read_endpoint(struct dbtls_report_file *rf, long long offset,
					       size_t index, struct dbtls_endpoint_facts *out,
					       json_t **json, struct dbtls_diag *d);
/* Lets go of the descriptor between passes (a regular file is opened again when needed; a
 * temporary copy stays). */
void dbtls_report_file_release(struct dbtls_report_file *rf);
/* Closes and frees rf; NULL does nothing. */
void dbtls_report_file_close(struct dbtls_report_file *rf);

/* Opens path, streams it through cb once, closes it. */
enum dbtls_err dbtls_report_json_stream(const char *path, const struct dbtls_report_stream_cb *cb,
					void *arg, struct dbtls_diag *d);
/* Reads the whole report as the stream would, delivering nothing: OK when every callback-free
 * pass would succeed (costs one parse of the file). */
enum dbtls_err dbtls_report_json_check(const char *path, struct dbtls_diag *d);

#endif
