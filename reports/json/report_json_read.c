/* SPDX-License-Identifier: MIT */
/*
 * report_json_read.c — a saved JSON report (schema_version 1) read back into facts, so that
 * `dbtls check --facts report.json` can judge an old scan under another policy without scanning.
 *
 * The inverse of the writer, driven by the same field table (fields.c): where a row converts a
 * fact into something else (duration_s into whole milliseconds, a suite code into "0xC02F", a
 * group into its name) its converter turns it back. Strict about types wherever the writer is
 * definite, naming the file and the JSON path of the offending value; tolerant of keys it does
 * not know (the report is only ever added to, README "Report format"); the derived parts
 * (findings, policy, summary) are not facts and are skipped. Everything is read into a private
 * tree that is handed over only when the whole file has been read. A file is read one element
 * at a time (report_json_stream.c); a document already in memory through _read_doc.
 */
#include "reports/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "reports/json/fields.h"
#include "reports/json/report_stream.h"
#include "src/core/jsonpos.h"

enum dbtls_err dbtls_rd_fail(struct dbtls_rd *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->plen)
		return dbtls_diag_set(r->d, DBTLS_ERR_INPUT, "%s: %s: %s", r->file, r->path, msg);
	return dbtls_diag_set(r->d, DBTLS_ERR_INPUT, "%s: %s", r->file, msg);
}

enum dbtls_err dbtls_rd_nomem(struct dbtls_rd *r)
{
	return dbtls_diag_set(r->d, DBTLS_ERR_NOMEM, "%s: out of memory", r->file);
}

/* Appends to the path; returns the mark to hand to dbtls_rd_pop. */
static size_t rd_append(struct dbtls_rd *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t rd_append(struct dbtls_rd *r, const char *fmt, ...)
{
	size_t mark = r->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->path + r->plen, sizeof(r->path) - r->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->plen += (size_t)n < sizeof(r->path) - r->plen ? (size_t)n
								 : sizeof(r->path) - r->plen - 1;
	return mark;
}

size_t dbtls_rd_key(struct dbtls_rd *r, const char *key)
{
	return rd_append(r, r->plen ? ".%s" : "%s", key);
}

size_t dbtls_rd_idx(struct dbtls_rd *r, size_t i)
{
	return rd_append(r, "[%zu]", i);
}

void dbtls_rd_pop(struct dbtls_rd *r, size_t mark)
{
	r->plen = mark;
	r->path[mark] = 0;
}

/* What row f holds, for "missing (expected …)" and "expected …, got …". */
static const char *rd_want(const struct dbtls_field *f)
{
	bool nul = f->flags & DBTLS_F_NULL;

	switch (f->kind) {
	case DBTLS_FK_SCALAR:
		if (f->conv == &dbtls_fc_str)
			return nul ? "a string or null" : "a string";
		if (f->conv == &dbtls_fc_int)
			return nul ? "an integer or null" : "an integer";
		return f->conv->want;
	case DBTLS_FK_ARRAY:
		return nul ? "an array or null" : "an array";
	default:
		return nul ? "an object or null" : "an object";
	}
}

static enum dbtls_err rd_array(struct dbtls_rd *r, const json_t *v, const struct dbtls_field *f,
			       void *base)
{
	char **items = (char **)((char *)base + f->off);
	size_t *n = (size_t *)((char *)base + f->count);
	enum dbtls_err err = DBTLS_OK;
	const json_t *x;
	size_t i;

	if (!json_array_size(v))
		return DBTLS_OK;
	*items = calloc(json_array_size(v), f->size);
	if (!*items)
		return dbtls_rd_nomem(r);
	/* zeroed items free cleanly, so the whole array counts from the start */
	*n = json_array_size(v);
	json_array_foreach(v, i, x)
	{
		size_t m = dbtls_rd_idx(r, i);
		char *item = *items + i * f->size;

		if (!f->sub)
			err = f->conv->read(r, x, item, NULL, f);
		else if (!json_is_object(x))
			err =
			    dbtls_rd_fail(r, "expected an object, got %s", dbtls_json_type_name(x));
		else
			err = dbtls_fields_read(r, x, f->sub, item);
		dbtls_rd_pop(r, m);
		if (err)
			break;
	}
	return err;
}

/* { "name": "value" | null, … } in file order. */
static enum dbtls_err rd_map(struct dbtls_rd *r, const json_t *v, const struct dbtls_field *f,
			     void *base)
{
	struct dbtls_sql_value **out = (struct dbtls_sql_value **)((char *)base + f->off);
	size_t *n = (size_t *)((char *)base + f->count);
	const char *name;
	json_t *x;

	if (!json_object_size(v))
		return DBTLS_OK;
	*out = calloc(json_object_size(v), sizeof(**out));
	if (!*out)
		return dbtls_rd_nomem(r);
	json_object_foreach((json_t *)v, name, x)
	{
		struct dbtls_sql_value *sv = &(*out)[*n];

		if (!json_is_string(x) && !json_is_null(x)) {
			size_t m = dbtls_rd_key(r, name);
			enum dbtls_err err = dbtls_rd_fail(r, "expected a string or null, got %s",
							   dbtls_json_type_name(x));
			dbtls_rd_pop(r, m);
			return err;
		}
		(*n)++;
		sv->name = strdup(name);
		sv->value = json_is_string(x) ? strdup(json_string_value(x)) : NULL;
		if (!sv->name || (json_is_string(x) && !sv->value))
			return dbtls_rd_nomem(r);
	}
	return DBTLS_OK;
}

static enum dbtls_err rd_keyed(struct dbtls_rd *r, const json_t *v, const struct dbtls_field *f,
			       void *base)
{
	enum dbtls_err err = DBTLS_OK;

	for (size_t i = 0; !err && i < f->count; i++) {
		const char *key = f->key((int)i);
		const json_t *x = json_object_get(v, key);
		size_t m = dbtls_rd_key(r, key);

		if (!x)
			err = dbtls_rd_fail(r, "missing (expected an object)");
		else if (!json_is_object(x))
			err =
			    dbtls_rd_fail(r, "expected an object, got %s", dbtls_json_type_name(x));
		else
			err = dbtls_fields_read(r, x, f->sub, (char *)base + f->off + i * f->size);
		dbtls_rd_pop(r, m);
	}
	return err;
}

/* Row f of base from v (present, not null, or null where the row is no container). */
static enum dbtls_err rd_row(struct dbtls_rd *r, const json_t *v, const struct dbtls_field *f,
			     void *base)
{
	switch (f->kind) {
	case DBTLS_FK_SCALAR:
		return f->conv->read(r, v, (char *)base + f->off, base, f);
	case DBTLS_FK_ARRAY:
		if (!json_is_array(v))
			break;
		return rd_array(r, v, f, base);
	case DBTLS_FK_MAP:
		if (!json_is_object(v))
			break;
		return rd_map(r, v, f, base);
	case DBTLS_FK_KEYED:
		if (!json_is_object(v))
			break;
		return rd_keyed(r, v, f, base);
	case DBTLS_FK_OBJECT:
	case DBTLS_FK_INLINE:
		if (!json_is_object(v))
			break;
		if (f->flags & DBTLS_F_PTR) {
			void **pp = (void **)((char *)base + f->off);

			if (!*pp && !(*pp = calloc(1, f->sub->size)))
				return dbtls_rd_nomem(r);
			return dbtls_fields_read(r, v, f->sub, *pp);
		}
		return dbtls_fields_read(r, v, f->sub, (char *)base + f->off);
	}
	return dbtls_rd_fail(r, "expected %s, got %s", rd_want(f), dbtls_json_type_name(v));
}

enum dbtls_err dbtls_fields_read(struct dbtls_rd *r, const json_t *obj,
				 const struct dbtls_ftable *t, void *base)
{
	enum dbtls_err err = DBTLS_OK;

	if (t->init)
		t->init(base);
	for (size_t i = 0; !err && i < t->nrows; i++) {
		const struct dbtls_field *f = &t->rows[i];
		const json_t *v;
		size_t m;

		if (f->flags & DBTLS_F_DERIVED)
			continue;
		if (f->kind == DBTLS_FK_INLINE) {
			err = dbtls_fields_read(r, obj, f->sub, (char *)base + f->off);
			continue;
		}
		v = json_object_get(obj, f->name);
		m = dbtls_rd_key(r, f->name);
		if (!v) {
			if (f->flags & DBTLS_F_REQ)
				err = dbtls_rd_fail(r, "missing (expected %s)", rd_want(f));
		} else if (json_is_null(v) && (f->flags & DBTLS_F_NULL)) {
			/* null: the member keeps its default; a guard that needs only the key
			 * (product and version mean "a greeting was seen") is set */
			if (f->guard && (f->flags & DBTLS_F_OMIT))
				*(bool *)((char *)base + f->guard - 1) = true;
		} else {
			err = rd_row(r, v, f, base);
			if (!err && f->guard)
				*(bool *)((char *)base + f->guard - 1) = true;
		}
		dbtls_rd_pop(r, m);
	}
	return err;
}

/* Reads root (label names it in messages) into *out (new) or leaves *out empty. */
static enum dbtls_err rd_report(const char *label, const json_t *root, struct dbtls_scan_facts *out,
				struct dbtls_diag *d)
{
	struct dbtls_rd r = {.file = label, .d = d};
	struct dbtls_scan_facts s;
	enum dbtls_err err;

	memset(&s, 0, sizeof(s));
	if (!json_is_object(root))
		return dbtls_rd_fail(&r, "expected a dbtls report (a JSON object), got %s",
				     dbtls_json_type_name(root));
	err = dbtls_fields_read(&r, root, &dbtls_report_table, &s);
	if (err) {
		dbtls_scan_facts_free(&s);
		return err;
	}
	*out = s;
	return DBTLS_OK;
}

/* dbtls_report_json_read over the stream (report_json_stream.c): the facts of every element are
 * collected as they come, so the file is never held, as text or as a jansson tree; the only
 * bound is DBTLS_REPORT_ELEM_MAX per value. */
static enum dbtls_err rd_take_header(void *arg, struct dbtls_scan_facts *hdr, const json_t *top,
				     struct dbtls_diag *d)
{
	struct dbtls_scan_facts *s = arg;

	(void)top;
	(void)d;
	*s = *hdr;
	memset(hdr, 0, sizeof(*hdr));
	return DBTLS_OK;
}

/* Appends *item (size bytes, taken: zeroed) to the array *arr of *n, growing it by doubling. */
static bool rd_append_item(void *arr, size_t *n, void *item, size_t size)
{
	char **a = arr;

	if (!(*n & (*n - 1))) { /* 0, 1, 2, 4 …: full */
		char *g = realloc(*a, (*n ? 2 * *n : 1) * size);
		if (!g)
			return false;
		*a = g;
	}
	memcpy(*a + *n * size, item, size);
	memset(item, 0, size);
	(*n)++;
	return true;
}

static enum dbtls_err rd_take_endpoint(void *arg, struct dbtls_report_elem *el,
				       struct dbtls_diag *d)
{
	struct dbtls_scan_facts *s = arg;

	if (!rd_append_item(&s->endpoints, &s->nendpoints, el->ep, sizeof(*el->ep)))
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	return DBTLS_OK;
}

static enum dbtls_err rd_take_file(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct dbtls_scan_facts *s = arg;

	if (!rd_append_item(&s->files, &s->nfiles, el->file, sizeof(*el->file)))
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	return DBTLS_OK;
}

enum dbtls_err dbtls_report_json_read(const char *path, struct dbtls_scan_facts *out,
				      struct dbtls_diag *d)
{
	static const struct dbtls_report_stream_cb collect = {
	    .header = rd_take_header, .endpoint = rd_take_endpoint, .file = rd_take_file};
	struct dbtls_scan_facts s;
	enum dbtls_err err;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	err = dbtls_report_json_stream(path, &collect, &s, d);
	if (err) {
		dbtls_scan_facts_free(&s);
		return err;
	}
	*out = s;
	return DBTLS_OK;
}

enum dbtls_err dbtls_report_json_read_doc(const char *label, const json_t *root,
					  struct dbtls_scan_facts *out, struct dbtls_diag *d)
{
	memset(out, 0, sizeof(*out));
	return rd_report(label, root, out, d);
}
