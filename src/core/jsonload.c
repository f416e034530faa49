/* SPDX-License-Identifier: MIT */
/*
 * jsonload.c — bounded, duplicate-free JSON loading with FILE:LINE:COL errors (see jsonload.h).
 */
#include "src/core/jsonload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum dbtls_err dbtls_json_load_buf(const char *label, const char *buf, size_t len, json_t **out,
				   struct dbtls_diag *d)
{
	json_error_t jerr;

	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (*out)
		return DBTLS_OK;
	return dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s:%d:%d: %s", label, jerr.line, jerr.column,
			      jerr.text);
}

enum dbtls_err dbtls_json_load_file(const char *path, size_t max, json_t **out, char **text,
				    struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	char *buf = NULL;
	struct stat st;
	size_t n = 0;
	FILE *f;

	*out = NULL;
	if (text)
		*text = NULL;
	f = fopen(path, "rb");
	if (!f) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		if (d)
			d->sys_errno = errno;
		return err;
	}
	if (fstat(fileno(f), &st) != 0)
		memset(&st, 0, sizeof(st));
	if (S_ISDIR(st.st_mode)) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: is a directory", path);
		goto out;
	}
	/* read up to max + 1 bytes, growing the buffer: a pipe or a growing file has no size to
	 * trust, and a small file should not cost max bytes */
	for (size_t cap = S_ISREG(st.st_mode) && (size_t)st.st_size < max ? (size_t)st.st_size + 1
									  : 65536;
	     ; cap *= 2) {
		char *nb;

		if (cap > max + 1)
			cap = max + 1;
		nb = realloc(buf, cap + 1);
		if (!nb) {
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", path);
			goto out;
		}
		buf = nb;
		n += fread(buf + n, 1, cap - n, f);
		if (ferror(f)) {
			err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: read error", path);
			goto out;
		}
		if (n < cap || cap == max + 1)
			break;
	}
	if (n > max) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: larger than %zu MiB", path,
				     max / (1024 * 1024));
		goto out;
	}
	buf[n] = 0;
	err = dbtls_json_load_buf(path, buf, n, out, d);
	if (!err && text) {
		*text = buf;
		buf = NULL;
	}
out:
	free(buf);
	fclose(f);
	return err;
}
