/* SPDX-License-Identifier: MIT */
/*
 * report.h — the report-writer table. Writers only read facts (const) and write to a FILE; they
 * never touch a socket. Adding a format is one new file, reports/report_NAME.c, ending in a
 * `const struct dbtls_report_writer dbtls_report_NAME`, one X(NAME) line in DBTLS_REPORT_WRITERS
 * in reports.c (which declares it too) and its source line in Makefile.am.
 */
#ifndef DBTLS_REPORT_H
#define DBTLS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "checks/policy/policy.h"

struct dbtls_report_ctx {
	FILE *out;  /* borrowed */
	bool color; /* ANSI colours allowed (text writer) */
	int width;  /* terminal columns to wrap long lines to (text writer); 0: no wrapping */
	const struct dbtls_evaluation *eval; /* findings under a policy; NULL when not judged */
	size_t index; /* index of the endpoint being written (endpoint callback) */
	/* the findings of the endpoint being written (endpoint callback; borrowed), NULL when not
	 * judged. Writers read an endpoint's findings here, never eval->findings[index]: a streamed
	 * run judges each endpoint on its own (dbtls_evaluate_one) and keeps no array of them. */
	const struct dbtls_findings *findings;
	void *priv; /* the writer's own state between begin and end */
};

struct dbtls_report_writer {
	const char *name;      /* --format value */
	const char *extension; /* ".json"; NULL when no file extension maps to it */
	/* Contract: called once before any endpoint; may set ctx->priv. */
	enum dbtls_err (*begin)(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s);
	/* Contract: called once per endpoint, in scan order. Writers never read s->endpoints:
	 * what a summary needs is gathered here (dbtls_report_acc), and a writer whose format puts
	 * the summary first spools its endpoints to a temporary file until the end. ctx->eval
	 * gives the policy and fail_on and, at the end, the findings of the files (subjects after
	 * the endpoints; a streamed run's evaluation holds no endpoint subjects). */
	enum dbtls_err (*endpoint)(struct dbtls_report_ctx *ctx,
				   const struct dbtls_endpoint_facts *e);
	/* Contract: called once at the end, also after a failure (must free ctx->priv); writes what
	 * is left. */
	enum dbtls_err (*end)(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s);
	const char *help;
};

extern const struct dbtls_report_writer dbtls_report_json;
extern const struct dbtls_report_writer dbtls_report_text;
extern const struct dbtls_report_writer dbtls_report_html;
extern const struct dbtls_report_writer dbtls_report_jsonl;
extern const struct dbtls_report_writer dbtls_report_prom;

/* Borrowed registry entry by --format name, or NULL. */
const struct dbtls_report_writer *dbtls_report_find(const char *name);
/* Borrowed registry entry by a path's extension, or NULL. */
const struct dbtls_report_writer *dbtls_report_for_path(const char *path);
/* Returns the borrowed registry and its length via *n. */
const struct dbtls_report_writer *const *dbtls_report_all(size_t *n);
/* Prints " json, text" — the format names — to out. */
void dbtls_report_list_formats(FILE *out);

/* Runs writer w over s (and its evaluation ev, may be NULL) into out. */
enum dbtls_err dbtls_report_write_eval(const struct dbtls_report_writer *w,
				       const struct dbtls_scan_facts *s,
				       const struct dbtls_evaluation *ev, FILE *out, bool color,
				       struct dbtls_diag *d);
/* The same, wrapping to width columns (0: none) where the format wraps (text on a terminal). */
enum dbtls_err dbtls_report_write_tty(const struct dbtls_report_writer *w,
				      const struct dbtls_scan_facts *s,
				      const struct dbtls_evaluation *ev, FILE *out, bool color,
				      int width, struct dbtls_diag *d);
/* The same without findings. */
enum dbtls_err dbtls_report_write(const struct dbtls_report_writer *w,
				  const struct dbtls_scan_facts *s, FILE *out, bool color,
				  struct dbtls_diag *d);
/* Writes the report to path atomically (temporary file in the same directory, fsync, rename):
 * an interrupted scan never leaves a half-written report, and an existing one is replaced only
 * by a complete one. */
enum dbtls_err dbtls_report_write_file(const struct dbtls_report_writer *w,
				       const struct dbtls_scan_facts *s, const char *path,
				       struct dbtls_diag *d);
enum dbtls_err dbtls_report_write_file_eval(const struct dbtls_report_writer *w,
					    const struct dbtls_scan_facts *s,
					    const struct dbtls_evaluation *ev, const char *path,
					    struct dbtls_diag *d);

/* A report written while the scan runs: opened before the first endpoint (begin), fed each
 * endpoint with its findings as it finishes, in scan order, and closed at the end (end, then
 * for a file: sync and rename over path). path "-" is standard output; path NULL writes to
 * stream (color and width as dbtls_report_write_tty). A file is a temporary in path's directory
 * until the close commits it (unnamed where the file system has O_TMPFILE, so a killed process
 * leaves nothing; else path.tmp.XXXXXX), so an existing report is replaced only by a complete one.
 * ev (borrowed until the close; may be NULL) gives the policy and fail_on; at the close it also
 * gives the files' findings. open returns FILE (path cannot be written) or NOMEM with d set, and
 * *out NULL; endpoint returns the first error of the writer (sticky: later endpoints are not
 * written; the close then reports it and keeps path as it was); close frees o (NULL-safe).
 * abort frees o and drops the temporary (path untouched). */
struct dbtls_report_out;
enum dbtls_err dbtls_report_out_open(const struct dbtls_report_writer *w, const char *path,
				     FILE *stream, bool color, int width,
				     const struct dbtls_scan_facts *s,
				     const struct dbtls_evaluation *ev,
				     struct dbtls_report_out **out, struct dbtls_diag *d);
enum dbtls_err dbtls_report_out_endpoint(struct dbtls_report_out *o,
					 const struct dbtls_endpoint_facts *e,
					 const struct dbtls_findings *fs, size_t index);
enum dbtls_err dbtls_report_out_close(struct dbtls_report_out *o, const struct dbtls_scan_facts *s,
				      const struct dbtls_evaluation *ev, struct dbtls_diag *d);
void dbtls_report_out_abort(struct dbtls_report_out *o);

/* Writes text and a newline to path with the same guarantees (temporary file, sync, rename). */
enum dbtls_err dbtls_write_text_file(const char *path, const char *text, struct dbtls_diag *d);

/* The JSON document for a scan and its evaluation (ev may be NULL) (new reference). */
json_t *dbtls_report_json_doc(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev);
/* The JSON object for one endpoint, with its findings when fs is not NULL (new reference). */
json_t *dbtls_report_json_endpoint(const struct dbtls_endpoint_facts *e,
				   const struct dbtls_findings *fs);
/* One finding as JSON (new reference). */
json_t *dbtls_report_json_finding(const struct dbtls_finding *fd);

/* Reads a JSON report written by dbtls (schema_version 1) back into facts, so a saved scan can be
 * judged again under another policy. Fills *out (new; dbtls_scan_facts_free). Findings, policy and
 * summary in the file are ignored: they are derived, not facts. On failure returns INPUT/FILE with
 * d naming the file and the JSON path (or line:column) that is wrong, and leaves out empty. */
enum dbtls_err dbtls_report_json_read(const char *path, struct dbtls_scan_facts *out,
				      struct dbtls_diag *d);

/* The same for a document already loaded (borrowed); label names it in messages. */
enum dbtls_err dbtls_report_json_read_doc(const char *label, const json_t *root,
					  struct dbtls_scan_facts *out, struct dbtls_diag *d);

/* Writes the report's JSON Schema, generated from the field table (data/report.schema.json is
 * this output; `make schema`). FILE on a write error. */
enum dbtls_err dbtls_report_schema_write(FILE *out);

#define DBTLS_SCHEMA_VERSION 1

#endif
