/* SPDX-License-Identifier: MIT */
/*
 * fields.h — the one description of the JSON report's shape: a table of field descriptors (zmap's
 * fielddef_t is the idea) that drives the writer (report_json.c), the reader (report_json_read.c)
 * and the JSON Schema (report_schema.c, data/report.schema.json; `make schema`).
 *
 * A row names a JSON key, says where the value lives in the facts (offset and size from the base
 * of the struct the table describes), how it is converted (a converter: string, integer, boolean,
 * tri-state, hex code, RFC 3339 time, enum name, group name, suite object, …) and a few flags.
 * Rows are written in table order, so the table order is the key order of the report. The tables
 * live here, in reports/json/, and not in src/facts/: their converters need the registry (suite
 * and group names) and facts may include only core/libc/jansson; facts stay a plain struct tree.
 *
 * Adding a report field is: the struct member, its producer, one row in fields.c (then `make
 * schema`; `make check` fails until data/report.schema.json is regenerated).
 *
 * Ownership: tables are static const; nothing here keeps a pointer.
 */
#ifndef DBTLS_REPORT_FIELDS_H
#define DBTLS_REPORT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "checks/policy/policy.h"

/* What the writer knows besides the struct it is writing: the whole scan, its evaluation, the
 * endpoint being written and its findings (any of them may be NULL). */
struct dbtls_report_counts;

struct dbtls_fw {
	const struct dbtls_scan_facts *scan;
	const struct dbtls_evaluation *eval;
	const struct dbtls_endpoint_facts *ep;
	const struct dbtls_findings *findings;
	json_t *endpoints; /* the endpoint objects written so far (borrowed) */
	/* the findings of the file being written (files[]), NULL when not judged */
	const struct dbtls_findings *file_findings;
	/* the document's counts (dbtls_report_counts), computed once by the document writer for
	 * summary and rotation; NULL outside the document */
	const struct dbtls_report_counts *counts;
	/* a streamed document's gathered summary (the rotation targets come from here, as the
	 * scan holds no endpoints); NULL: walk scan->endpoints */
	const struct dbtls_report_acc *acc;
	/* a streamed document's PCI DSS inventory, gathered as the endpoints passed (NULL when not
	 * wanted); a batch document (acc NULL) builds it from scan->endpoints */
	const struct dbtls_inventory *inv;
};

/* The reader's state: the file, the JSON path of the value being read, the diagnostics. */
struct dbtls_rd {
	const char *file;
	struct dbtls_diag *d;
	char path[384];
	size_t plen;
};

struct dbtls_field;

/* How one JSON value is made from a C member and back. */
struct dbtls_fconv {
	const char *want; /* "a string", "an integer", … for messages */
	/* member p (base: the struct holding it, NULL inside arrays) to a new JSON value */
	json_t *(*write)(const void *p, const void *base, const struct dbtls_field *f);
	/* v (never NULL or, unless the row allows it, null) into member p; errors via dbtls_rd_fail
	 */
	enum dbtls_err (*read)(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			       const struct dbtls_field *f);
	/* the JSON Schema of one value (new) */
	json_t *(*schema)(const struct dbtls_field *f);
};

enum dbtls_fkind {
	DBTLS_FK_SCALAR = 0, /* one value through conv */
	DBTLS_FK_OBJECT,     /* a nested object: sub describes the struct at off */
	DBTLS_FK_INLINE,     /* sub's rows at off are written into this same object */
	DBTLS_FK_ARRAY, /* pointer at off, size_t count at count: structs (sub) or values (conv) */
	DBTLS_FK_MAP,	/* name -> value object from struct dbtls_sql_value[], count at count */
	DBTLS_FK_KEYED, /* an object with keys key(0 … count-1), each sub at off + i * size */
};

/* row flags */
#define DBTLS_F_REQ	0x01u /* always written; the reader and the schema require it */
#define DBTLS_F_NULL	0x02u /* may be null (null reads as the member's default) */
#define DBTLS_F_DERIVED 0x04u /* not a fact (findings, summary): written by write(), never read */
#define DBTLS_F_OMIT                                                                               \
	0x08u /* with guard: the key is left out (not null) when the guard is false                \
	       */

#define DBTLS_F_PTR                                                                                \
	0x10u /* OBJECT: the member is a pointer to the struct (NULL: null; the reader allocates)  \
	       */

struct dbtls_fenum {
	const char *(*name)(int v);
	int first, last;  /* the reader accepts name(first) … name(last) */
	int schema_first; /* the writer only ever writes from here on (the schema's list) */
};

struct dbtls_ftable {
	const char *def; /* name under $defs in the schema; NULL: written in place */
	const struct dbtls_field *rows;
	size_t nrows;
	size_t size; /* sizeof the struct described */
	bool open; /* keys are not ours (never set for our shapes): additionalProperties allowed */
	/* the reader's defaults before any row is read (-1 for tri-states …), may be NULL */
	void (*init)(void *base);
	/* the writer's view: adjusts a shallow copy of the struct before it is written, may be NULL
	 */
	void (*fixup)(void *copy, const struct dbtls_fw *cx);
	const char *desc;
};

struct dbtls_field {
	const char *name;
	enum dbtls_fkind kind;
	unsigned flags;
	size_t off, size; /* the member (arrays: the element size) */
	const struct dbtls_fconv *conv;
	const struct dbtls_ftable *sub;
	size_t count; /* ARRAY/MAP: offset of the size_t count; KEYED: number of keys */
	size_t guard; /* offset + 1 of a bool: written only when true, set when read; 0 none */
	size_t aux;   /* converter-specific: companion time_t offset + 1, hex digits … */
	long long min, max; /* integers: accepted range */
	const struct dbtls_fenum *en;
	const char *pattern; /* strings: the schema's pattern */
	const char *dflt;    /* strings: written when the member is NULL */
	const char *(*key)(int i);
	/* true: leave the key out / write null (the writer's conditions), may be NULL */
	bool (*omit)(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx);
	bool (*null)(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx);
	/* the value of a derived (or specially written) row (new), may be NULL */
	json_t *(*write)(const void *base, const struct dbtls_fw *cx);
	const char *desc;
};

/* The whole report (struct dbtls_scan_facts), one endpoint, one finding (struct dbtls_finding). */
extern const struct dbtls_ftable dbtls_report_table;
extern const struct dbtls_ftable dbtls_endpoint_table;
extern const struct dbtls_ftable dbtls_finding_table;
/* One audited file (struct dbtls_audit_file, `files[]` of the report). */
extern const struct dbtls_ftable dbtls_audit_file_table;

/* The object for base under t (new; NULL on out of memory). */
json_t *dbtls_fields_write(const struct dbtls_ftable *t, const void *base,
			   const struct dbtls_fw *cx);
/* Reads object v (checked to be one) into base under t; on failure d names r->file and the path. */
enum dbtls_err dbtls_fields_read(struct dbtls_rd *r, const json_t *v, const struct dbtls_ftable *t,
				 void *base);
/* The report's JSON Schema (new). */
json_t *dbtls_report_schema(void);

/* Reader helpers for converters and small readers (diff's findings). */
enum dbtls_err dbtls_rd_fail(struct dbtls_rd *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum dbtls_err dbtls_rd_nomem(struct dbtls_rd *r);
size_t dbtls_rd_key(struct dbtls_rd *r, const char *key);
size_t dbtls_rd_idx(struct dbtls_rd *r, size_t i);
void dbtls_rd_pop(struct dbtls_rd *r, size_t mark);

/* The converters (fields_conv.c): a string (null when NULL, f->dflt when set; bytes that are not
 * UTF-8 as \xNN), an integer of the member's width in [min, max], bool, tri-state (int -1/0/1 as
 * null/false/true; aux: a bool mirroring "== 1"), an enum name (f->en), double seconds as whole
 * milliseconds, "0x" + aux upper-case hex digits, a time_t as RFC 3339, a char * holding RFC 3339
 * text (aux: its time_t companion), a group name (names.h), a suite object {name, code,
 * openssl_name} (16-bit members refuse SSLv2 kinds), an error code name, keyUsage bits as names,
 * a char[65] SHA-256 fingerprint, a constant (f->dflt, or schema_version), and file permission
 * bits as "0644". */
extern const struct dbtls_fconv dbtls_fc_str, dbtls_fc_int, dbtls_fc_bool, dbtls_fc_tri,
    dbtls_fc_enum, dbtls_fc_ms, dbtls_fc_hex, dbtls_fc_time, dbtls_fc_timestr, dbtls_fc_group,
    dbtls_fc_suite, dbtls_fc_errcode, dbtls_fc_ku, dbtls_fc_fpr, dbtls_fc_const, dbtls_fc_mode,
    dbtls_fc_chars;
/* dbtls_fc_chars: a char[N] member (f->size) holding a string, written as it is ("AA:BB:…"). */

/* A network string as a JSON string (new): null for NULL, bytes that start no UTF-8 sequence as
 * \xNN (DBTLS_ESC_JSON), everything else as it is. */
json_t *dbtls_fc_json_str(const char *s);

#endif
