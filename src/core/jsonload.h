/* SPDX-License-Identifier: MIT */
/*
 * jsonload.h — the one way a JSON file the user gives us is loaded: policies, waivers, saved
 * reports (check --facts, diff). Every load is bounded in size (the caller says how much is
 * sensible for that kind of file), rejects duplicate keys (JSON_REJECT_DUPLICATES: `{"a":1,"a":2}`
 * is ambiguous and refused rather than read as the last one), and reports syntax errors as
 * FILE:LINE:COLUMN: message.
 *
 * Ownership: *out is new (json_decref) and *text, when asked for, new (free); on failure both are
 * left NULL. Nothing here keeps a pointer.
 */
#ifndef DBTLS_JSONLOAD_H
#define DBTLS_JSONLOAD_H

#include <stddef.h>

#include <jansson.h>

#include "src/core/err.h"

/* Size bounds. A policy derived from 1,500 endpoints is 4.9 MB, so policies get 16 MiB; a saved
 * report holds every certificate as PEM and every accepted suite per version (about 40 KB per
 * endpoint), so reports get 64 MiB — room for ~1,500 endpoints — and still cannot exhaust memory.
 */
#define DBTLS_JSON_MAX_POLICY  (16u * 1024 * 1024)
#define DBTLS_JSON_MAX_WAIVERS (4u * 1024 * 1024)
#define DBTLS_JSON_MAX_REPORT  (64u * 1024 * 1024)

/* Reads path (at most max bytes) and parses it. FILE when it cannot be read or is larger than
 * max (d names the path), INPUT with "PATH:LINE:COL: what" when it is not JSON or has a duplicate
 * key. text (may be NULL) receives the file's text for dbtls_json_locate. */
enum dbtls_err dbtls_json_load_file(const char *path, size_t max, json_t **out, char **text,
				    struct dbtls_diag *d);

/* Parses len bytes of buf (need not be NUL-terminated; NUL bytes inside are refused) under the
 * same rules; label names the source in messages ("builtin:baseline", a path). */
enum dbtls_err dbtls_json_load_buf(const char *label, const char *buf, size_t len, json_t **out,
				   struct dbtls_diag *d);

#endif
