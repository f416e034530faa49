/* SPDX-License-Identifier: MIT */
/*
 * jsonpos.h — where in a JSON text a value sits, for error messages as FILE:LINE:COLUMN.
 *
 * jansson (our one JSON parser) decodes values but keeps no source positions, and strict policy
 * validation must point at the offending key. This is not a second parser: it only skips over
 * tokens of a text jansson has already accepted, following a path of object keys and array
 * indices, and reports the line and column where that member starts.
 */
#ifndef DBTLS_JSONPOS_H
#define DBTLS_JSONPOS_H

#include <stddef.h>

#include <jansson.h>

#include "src/core/err.h"

/* One path step: an object key (key != NULL) or an array index. */
struct dbtls_jpath {
	const char *key;
	size_t index;
};

/* Finds the member at path[0..n) in text (NUL-terminated, already valid JSON). On success sets
 * *line and *col (1-based) to the start of the member's key (for object members) or value (for
 * array elements) and returns 0; returns -1 if the path is not there (then the position points at
 * the deepest container found). */
int dbtls_json_locate(const char *text, const struct dbtls_jpath *path, size_t n, int *line,
		      int *col);

/* "an object", "a string", "null" … for messages like "expected X, got Y" (borrowed, static). */
const char *dbtls_json_type_name(const json_t *v);

/* Reads the whole text file path (at most 4 MiB) for json_loads and dbtls_json_locate. Returns new
 * NUL-terminated text, or NULL with FILE in d naming the path. */
char *dbtls_json_read_file(const char *path, struct dbtls_diag *d);

#endif
