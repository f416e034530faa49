/* SPDX-License-Identifier: MIT */
/*
 * report_schema.c — data/report.schema.json, generated from the field table (fields.c) so that
 * the schema cannot fall behind the writer. Every object states its keys (additionalProperties:
 * false); only name -> value maps (sql.session, sql.variables) take any key, with a typed value.
 * `make schema` writes it with tools/gen_schema; tests/unit/test_schema fails when the file in the
 * tree differs from what this generates.
 */
#include "reports/report.h"

#include <stdio.h>
#include <string.h>

#include "reports/json/fields.h"

static json_t *sc_table(const struct dbtls_ftable *t, json_t *defs);

static json_t *sc_nullable(json_t *s, bool nul)
{
	if (!nul || !s)
		return s;
	return json_pack("{s:[{s:s},o]}", "anyOf", "type", "null", s);
}

/* A table's schema: a $ref to its $defs entry (made once), or the object in place. */
static json_t *sc_sub(const struct dbtls_ftable *t, json_t *defs)
{
	char ref[64];

	if (!t->def)
		return sc_table(t, defs);
	if (!json_object_get(defs, t->def)) {
		/* reserve the key first so that the order of $defs is the order of first use */
		json_object_set_new(defs, t->def, json_null());
		json_object_set_new(defs, t->def, sc_table(t, defs));
	}
	snprintf(ref, sizeof(ref), "#/$defs/%s", t->def);
	return json_pack("{s:s}", "$ref", ref);
}

static json_t *sc_row(const struct dbtls_field *f, json_t *defs)
{
	bool nul = f->flags & DBTLS_F_NULL;
	struct dbtls_field item = *f;
	json_t *s = NULL, *props, *item_req;

	item.flags = 0;
	switch (f->kind) {
	case DBTLS_FK_SCALAR:
		s = f->conv->schema(f);
		break;
	case DBTLS_FK_OBJECT:
	case DBTLS_FK_INLINE:
		s = sc_nullable(sc_sub(f->sub, defs), nul);
		break;
	case DBTLS_FK_ARRAY:
		s = json_pack("{s:o, s:o}", "type",
			      nul ? json_pack("[s,s]", "array", "null") : json_string("array"),
			      "items", f->sub ? sc_sub(f->sub, defs) : f->conv->schema(&item));
		break;
	case DBTLS_FK_MAP:
		s = json_pack("{s:s, s:{s:[s,s]}}", "type", "object", "additionalProperties",
			      "type", "string", "null");
		break;
	case DBTLS_FK_KEYED:
		props = json_object();
		item_req = json_array();
		for (size_t i = 0; props && item_req && i < f->count; i++) {
			json_object_set_new(props, f->key((int)i), sc_sub(f->sub, defs));
			json_array_append_new(item_req, json_string(f->key((int)i)));
		}
		s = json_pack("{s:s, s:o, s:b, s:o}", "type", "object", "required", item_req,
			      "additionalProperties", 0, "properties", props);
		break;
	}
	if (s && f->desc)
		json_object_set_new(s, "description", json_string(f->desc));
	return s;
}

/* t's rows into props and required (inline rows bring their own rows along). */
static void sc_rows(const struct dbtls_ftable *t, json_t *props, json_t *required, json_t *defs)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const struct dbtls_field *f = &t->rows[i];

		if (f->kind == DBTLS_FK_INLINE && !f->write) {
			sc_rows(f->sub, props, required, defs);
			continue;
		}
		json_object_set_new(props, f->name, sc_row(f, defs));
		if (f->flags & DBTLS_F_REQ)
			json_array_append_new(required, json_string(f->name));
	}
}

static json_t *sc_table(const struct dbtls_ftable *t, json_t *defs)
{
	json_t *props = json_object(), *required = json_array(), *o;

	sc_rows(t, props, required, defs);
	o = json_pack("{s:s}", "type", "object");
	if (o && t->desc)
		json_object_set_new(o, "description", json_string(t->desc));
	if (o && json_array_size(required))
		json_object_set_new(o, "required", required);
	else
		json_decref(required);
	if (o)
		json_object_set_new(o, "additionalProperties", json_boolean(t->open));
	if (o)
		json_object_set_new(o, "properties", props);
	else
		json_decref(props);
	return o;
}

json_t *dbtls_report_schema(void)
{
	json_t *defs, *doc, *body;
	const char *key;
	json_t *v;

	/* the converters' shapes */
	defs = json_pack(
	    "{s:{s:s, s:s, s:s}, s:{s:s, s:[s,s,s], s:b, s:{s:{s:[s,s], s:s}, s:{s:s, s:s}, "
	    "s:{s:[s,s]}}}}",
	    "time", "description", "RFC 3339, UTC", "type", "string", "pattern",
	    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", "suite", "type", "object",
	    "required", "name", "code", "openssl_name", "additionalProperties", 0, "properties",
	    "name", "type", "string", "null", "description", "IANA name", "code", "type", "string",
	    "pattern", "^0x([0-9A-F]{4}|[0-9A-F]{6})$", "openssl_name", "type", "string", "null");
	if (!defs)
		return NULL;
	body = sc_table(&dbtls_report_table, defs);
	doc = json_pack("{s:s, s:s, s:s}", "$schema",
			"https://json-schema.org/draft/2020-12/schema", "$id",
			"https://dbtls.invalid/schema/report-1.json", "title", "dbtls scan report");
	if (!doc || !body) {
		json_decref(doc);
		json_decref(body);
		json_decref(defs);
		return NULL;
	}
	json_object_foreach(body, key, v) json_object_set(doc, key, v);
	json_decref(body);
	json_object_set_new(doc, "$defs", defs);
	return doc;
}

enum dbtls_err dbtls_report_schema_write(FILE *out)
{
	json_t *s = dbtls_report_schema();
	enum dbtls_err err = DBTLS_OK;

	if (!s)
		return DBTLS_ERR_NOMEM;
	if (json_dumpf(s, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', out) == EOF)
		err = DBTLS_ERR_FILE;
	json_decref(s);
	return err;
}
