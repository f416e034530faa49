/* SPDX-License-Identifier: MIT */
/*
 * report_json.c — the JSON report: a versioned document whose paths are a public contract
 * (data/report.schema.json; README "Report format"). Paths are only ever added, never renamed.
 *
 * The shape is not written here: it is the field table in fields.c, which this file walks. Built
 * with jansson's reference-stealing setters (json_object_set_new) and released once at the top,
 * as STYLE.md asks.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

#include "reports/json/fields.h"
#include "reports/report_util.h"

static const void *fw_member(const void *base, const struct dbtls_field *f)
{
	return (const char *)base + f->off;
}

static json_t *fw_object(const struct dbtls_ftable *t, const void *base, const struct dbtls_fw *cx);

/* The value of row f of the struct at base (new), NULL on out of memory. */
static json_t *fw_value(const struct dbtls_field *f, const void *base, const struct dbtls_fw *cx)
{
	const char *p = fw_member(base, f);
	json_t *v = NULL;

	if (f->write)
		return f->write(base, cx);
	switch (f->kind) {
	case DBTLS_FK_SCALAR:
		return f->conv->write(p, base, f);
	case DBTLS_FK_OBJECT:
	case DBTLS_FK_INLINE:
		if (f->flags & DBTLS_F_PTR)
			return *(const char *const *)p
				   ? fw_object(f->sub, *(const char *const *)p, cx)
				   : json_null();
		return fw_object(f->sub, p, cx);
	case DBTLS_FK_ARRAY: {
		const char *items = *(const char *const *)p;
		size_t n = *(const size_t *)((const char *)base + f->count);

		v = json_array();
		for (size_t i = 0; v && i < n; i++) {
			const char *item = items + i * f->size;
			json_t *x =
			    f->sub ? fw_object(f->sub, item, cx) : f->conv->write(item, NULL, f);
			if (!x || json_array_append_new(v, x)) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	}
	case DBTLS_FK_MAP: {
		const struct dbtls_sql_value *vals = *(const struct dbtls_sql_value *const *)p;
		size_t n = *(const size_t *)((const char *)base + f->count);

		v = json_object();
		for (size_t i = 0; v && i < n; i++)
			if (vals[i].name)
				json_object_set_new(v, vals[i].name,
						    dbtls_fc_str.write(&vals[i].value, NULL, NULL));
		return v;
	}
	case DBTLS_FK_KEYED:
		v = json_object();
		for (size_t i = 0; v && i < f->count; i++) {
			json_t *x = fw_object(f->sub, p + i * f->size, cx);
			if (!x || json_object_set_new(v, f->key((int)i), x)) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	}
	return NULL;
}

/* Writes t's rows of base into o; false on out of memory. */
static bool fw_rows(json_t *o, const struct dbtls_ftable *t, const void *base,
		    const struct dbtls_fw *cx)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const struct dbtls_field *f = &t->rows[i];
		json_t *v;

		if (f->omit && f->omit(base, f, cx))
			continue;
		if (f->guard && !*(const bool *)((const char *)base + f->guard - 1)) {
			if (f->flags & DBTLS_F_OMIT)
				continue;
			v = json_null();
		} else if (f->null && f->null(base, f, cx)) {
			v = json_null();
		} else if (f->kind == DBTLS_FK_INLINE && !f->write) {
			if (!fw_rows(o, f->sub, fw_member(base, f), cx))
				return false;
			continue;
		} else {
			v = fw_value(f, base, cx);
		}
		if (!v || json_object_set_new(o, f->name, v))
			return false;
	}
	return true;
}

static json_t *fw_object(const struct dbtls_ftable *t, const void *base, const struct dbtls_fw *cx)
{
	json_t *o = json_object();
	void *copy = NULL;

	if (o && t->fixup) {
		copy = malloc(t->size);
		if (!copy)
			goto fail;
		memcpy(copy, base, t->size);
		t->fixup(copy, cx);
		base = copy;
	}
	if (!o || !fw_rows(o, t, base, cx))
		goto fail;
	free(copy);
	return o;
fail:
	free(copy);
	json_decref(o);
	return NULL;
}

json_t *dbtls_fields_write(const struct dbtls_ftable *t, const void *base,
			   const struct dbtls_fw *cx)
{
	return fw_object(t, base, cx);
}

json_t *dbtls_report_json_finding(const struct dbtls_finding *fd)
{
	const struct dbtls_fw cx = {0};

	return fw_object(&dbtls_finding_table, fd, &cx);
}

json_t *dbtls_report_json_endpoint(const struct dbtls_endpoint_facts *e,
				   const struct dbtls_findings *fs)
{
	const struct dbtls_fw cx = {.ep = e, .findings = fs};

	return fw_object(&dbtls_endpoint_table, e, &cx);
}

/* The top-level document around eps (borrowed). */
static json_t *js_doc(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev,
		      json_t *eps)
{
	struct dbtls_report_counts c;
	const struct dbtls_fw cx = {.scan = s, .eval = ev, .endpoints = eps, .counts = &c};

	dbtls_report_counts(s, ev, &c); /* once: summary and rotation read it */
	return fw_object(&dbtls_report_table, s, &cx);
}

/* The document around eps for a streamed run: summary, rotation and inventory from what acc and
 * inv gathered. */
static json_t *js_doc_acc(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev,
			  json_t *eps, const struct dbtls_report_acc *acc,
			  const struct dbtls_inventory *inv)
{
	const struct dbtls_fw cx = {
	    .scan = s, .eval = ev, .endpoints = eps, .counts = &acc->c, .acc = acc, .inv = inv};

	return fw_object(&dbtls_report_table, s, &cx);
}

json_t *dbtls_report_json_doc(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev)
{
	json_t *eps = json_array(), *doc;

	for (size_t i = 0; eps && i < s->nendpoints; i++)
		json_array_append_new(eps, dbtls_report_json_endpoint(
					       &s->endpoints[i], ev ? &ev->findings[i] : NULL));
	doc = eps ? js_doc(s, ev, eps) : NULL;
	json_decref(eps);
	return doc;
}

/*
 * The writer streams: each endpoint object is formatted as it comes and spooled to an unnamed
 * temporary file, so no document of the whole scan is ever built. The end callback formats the
 * document around an empty `endpoints` array (the summary needs every endpoint, and it comes
 * before `endpoints` in the document) and writes it with the spool copied in where the array
 * is — byte for byte what jansson writes for the whole document: an element of the top-level
 * array is its own dump indented by four more spaces (JSON_ENSURE_ASCII leaves no raw newline
 * inside a string, so every newline is a line break of the layout).
 */
#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)

struct json_priv {
	struct dbtls_report_acc acc; /* the summary, gathered as the endpoints pass */
	struct dbtls_inventory *inv; /* the PCI DSS inventory, likewise (NULL: not wanted) */
	FILE *spool;		     /* the endpoint objects, formatted, joined by ",\n    " */
	size_t n;
	/* no temporary file to be had (a read-only /tmp in a container): the spool is memory */
	char *mem;
	size_t memlen;
};

static enum dbtls_err json_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct json_priv *jp = calloc(1, sizeof(*jp));

	if (!jp)
		return DBTLS_ERR_NOMEM;
	dbtls_report_acc_init(&jp->acc, s, ctx->eval);
	if (dbtls_report_inventory_wanted(ctx->eval) && !(jp->inv = dbtls_inventory_new())) {
		free(jp);
		return DBTLS_ERR_NOMEM;
	}
	jp->spool = tmpfile();
	if (!jp->spool)
		jp->spool = open_memstream(&jp->mem, &jp->memlen);
	if (!jp->spool) {
		dbtls_inventory_free(jp->inv);
		free(jp);
		return DBTLS_ERR_NOMEM;
	}
	ctx->priv = jp;
	return DBTLS_OK;
}

static enum dbtls_err json_endpoint(struct dbtls_report_ctx *ctx,
				    const struct dbtls_endpoint_facts *e)
{
	struct json_priv *jp = ctx->priv;
	json_t *o = dbtls_report_json_endpoint(e, ctx->findings);
	char *text = o ? json_dumps(o, JSON_FLAGS) : NULL;
	enum dbtls_err err = DBTLS_OK;

	json_decref(o);
	dbtls_report_acc_add(&jp->acc, e, ctx->findings);
	dbtls_inventory_add(jp->inv, e, ctx->index);
	if (!text)
		return DBTLS_ERR_NOMEM;
	if (jp->n++ && fputs(",\n    ", jp->spool) == EOF)
		err = DBTLS_ERR_FILE;
	for (const char *p = text; !err && *p; p++)
		if ((*p == '\n' ? fputs("\n    ", jp->spool) : fputc(*p, jp->spool)) == EOF)
			err = DBTLS_ERR_FILE;
	free(text);
	return err;
}

/* Copies the spool to out; false on a read or write error. */
static bool json_copy_spool(struct json_priv *jp, FILE *out)
{
	FILE *spool = jp->spool;
	char buf[65536];
	size_t got;

	if (fflush(spool))
		return false;
	if (jp->mem)
		return fwrite(jp->mem, 1, jp->memlen, out) == jp->memlen;
	if (fseek(spool, 0, SEEK_SET))
		return false;
	while ((got = fread(buf, 1, sizeof(buf), spool)) > 0)
		if (fwrite(buf, 1, got, out) != got)
			return false;
	return !ferror(spool);
}

static enum dbtls_err json_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	static const char hole[] = "\n  \"endpoints\": []";
	struct json_priv *jp = ctx->priv;
	enum dbtls_err err = DBTLS_OK;
	json_t *eps = NULL, *doc = NULL;
	char *text = NULL, *at;

	if (!jp)
		return DBTLS_ERR_NOMEM;
	eps = json_array();
	dbtls_report_acc_finish(&jp->acc, s, ctx->eval);
	doc = eps ? js_doc_acc(s, ctx->eval, eps, &jp->acc, jp->inv) : NULL;
	text = doc ? json_dumps(doc, JSON_FLAGS) : NULL;
	if (!text) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	at = strstr(text, hole);
	if (!at) { /* the field table lost `endpoints`: nothing sensible to write */
		err = DBTLS_ERR_INTERNAL;
		goto out;
	}
	at += sizeof(hole) - 2; /* at the ']' */
	if (fwrite(text, 1, (size_t)(at - text), ctx->out) != (size_t)(at - text) ||
	    (jp->n && (fputs("\n    ", ctx->out) == EOF || !json_copy_spool(jp, ctx->out) ||
		       fputs("\n  ", ctx->out) == EOF)) ||
	    fputs(at, ctx->out) == EOF || fputc('\n', ctx->out) == EOF)
		err = DBTLS_ERR_FILE;
out:
	free(text);
	json_decref(doc);
	json_decref(eps);
	fclose(jp->spool);
	dbtls_report_acc_free(&jp->acc);
	dbtls_inventory_free(jp->inv);
	free(jp->mem);
	free(jp);
	ctx->priv = NULL;
	return err;
}

const struct dbtls_report_writer dbtls_report_json = {
    .name = "json",
    .extension = ".json",
    .begin = json_begin,
    .endpoint = json_endpoint,
    .end = json_end,
    .help = "the full report, for machines (schema: data/report.schema.json)",
};
