/* SPDX-License-Identifier: MIT */
/* fuzz_report_stream.c — libFuzzer target for the streaming report reader (check --facts, diff,
 * merge), checked against the whole-file reader it replaces: for any bytes both accept or both
 * refuse; what both accept reads to the same facts (written out, the same document); what both
 * refuse as JSON text is refused with the same FILE:LINE:COL message, and when the text is JSON
 * the same field error too (the field table is read in one order by both). The exceptions:
 * jansson's nesting bound, which counts from the document's root in one and from the element in
 * the other, and the column of a syntax error in text with NUL bytes (jansson's lexer drops a NUL
 * it reads past a number or a literal, and counts one column less from there). */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/json/report_stream.h"
#include "reports/report.h"
#include "src/core/jsonload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct dbtls_scan_facts s;
	size_t cap;
};

static enum dbtls_err fz_header(void *arg, struct dbtls_scan_facts *hdr, const json_t *top,
				struct dbtls_diag *d)
{
	struct fz *z = arg;

	(void)top;
	(void)d;
	if (z->s.nendpoints) /* the header comes before every element */
		abort();
	z->s.tool_version = hdr->tool_version;
	hdr->tool_version = NULL;
	z->s.new_ca_file = hdr->new_ca_file;
	hdr->new_ca_file = NULL;
	z->s.started_at = hdr->started_at;
	z->s.finished_at = hdr->finished_at;
	z->s.interrupted = hdr->interrupted;
	return DBTLS_OK;
}

static enum dbtls_err fz_endpoint(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct fz *z = arg;
	struct dbtls_endpoint_facts *g;

	(void)d;
	if (el->index != z->s.nendpoints || !el->len)
		abort();
	g = realloc(z->s.endpoints, (z->s.nendpoints + 1) * sizeof(*g));
	if (!g)
		return DBTLS_ERR_NOMEM;
	z->s.endpoints = g;
	g[z->s.nendpoints++] = *el->ep;
	memset(el->ep, 0, sizeof(*el->ep));
	return DBTLS_OK;
}

static enum dbtls_err fz_file(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct fz *z = arg;
	struct dbtls_audit_file *g;

	(void)d;
	g = realloc(z->s.files, (z->s.nfiles + 1) * sizeof(*g));
	if (!g)
		return DBTLS_ERR_NOMEM;
	z->s.files = g;
	g[z->s.nfiles++] = *el->file;
	memset(el->file, 0, sizeof(*el->file));
	return DBTLS_OK;
}

static char *fz_dump(const struct dbtls_scan_facts *s)
{
	json_t *doc = dbtls_report_json_doc(s, NULL);
	char *text = doc ? json_dumps(doc, JSON_PRESERVE_ORDER) : NULL;

	json_decref(doc);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dbtls_report_stream_cb cb = {
	    .header = fz_header, .endpoint = fz_endpoint, .file = fz_file};
	struct dbtls_diag dw = {0}, ds = {0};
	struct dbtls_scan_facts whole = {0};
	struct dbtls_report_file *rf;
	struct fz z = {0};
	json_t *root = NULL;
	enum dbtls_err ew, es;
	bool syntax_w, nul = memchr(data, 0, size) != NULL;
	FILE *f;

	if (!size)
		return 0;
	ew = dbtls_json_load_buf("fuzz.json", (const char *)data, size, &root, &dw);
	syntax_w = ew != DBTLS_OK;
	if (!ew)
		ew = dbtls_report_json_read_doc("fuzz.json", root, &whole, &dw);
	json_decref(root);

	f = fmemopen((void *)data, size, "rb");
	if (!f)
		goto out;
	rf = dbtls_report_file_from(f, "fuzz.json", &ds);
	es = rf ? dbtls_report_file_stream(rf, &cb, &z, &ds) : DBTLS_ERR_NOMEM;
	dbtls_report_file_close(rf);
	if (es == DBTLS_ERR_NOMEM || ew == DBTLS_ERR_NOMEM)
		goto out;
	if (strstr(dw.msg, "maximum parsing depth") || strstr(ds.msg, "maximum parsing depth"))
		goto out;
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "whole: %d %s\nstream: %d %s\n", ew, dw.msg, es, ds.msg);
	if ((ew == DBTLS_OK) != (es == DBTLS_OK))
		abort();
	if (!ew) {
		char *a = fz_dump(&whole), *b = fz_dump(&z.s);
		if (a && b && strcmp(a, b) != 0)
			abort();
		free(a);
		free(b);
	} else if (!syntax_w && strcmp(dw.msg, ds.msg) != 0) {
		abort(); /* valid JSON: the same field error */
	} else if (syntax_w && !nul && !strncmp(ds.msg, "fuzz.json:", 10) && ds.msg[10] >= '0' &&
		   ds.msg[10] <= '9' && strcmp(dw.msg, ds.msg) != 0) {
		abort(); /* not JSON: the same place and words */
	}
out:
	dbtls_scan_facts_free(&whole);
	dbtls_scan_facts_free(&z.s);
	return 0;
}
