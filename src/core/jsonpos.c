/* SPDX-License-Identifier: MIT */
/* jsonpos.c — locate a member of an already-validated JSON text by path (see jsonpos.h). */
#include "src/core/jsonpos.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	const char *s;
	size_t i;
};

static void jp_ws(struct jp *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')
		p->i++;
}

/* Skips a string starting at its quote; stores its raw (escaped) body span. */
static void jp_string(struct jp *p, size_t *start, size_t *len)
{
	size_t b = ++p->i;

	while (p->s[p->i] && p->s[p->i] != '"') {
		if (p->s[p->i] == '\\' && p->s[p->i + 1])
			p->i++;
		p->i++;
	}
	if (start)
		*start = b;
	if (len)
		*len = p->i - b;
	if (p->s[p->i])
		p->i++;
}

static void jp_value(struct jp *p, int depth);

static void jp_container(struct jp *p, char close, int depth)
{
	p->i++;
	for (;;) {
		jp_ws(p);
		if (!p->s[p->i] || p->s[p->i] == close) {
			if (p->s[p->i])
				p->i++;
			return;
		}
		if (close == '}') {
			jp_string(p, NULL, NULL);
			jp_ws(p);
			if (p->s[p->i] == ':')
				p->i++;
		}
		jp_value(p, depth + 1);
		jp_ws(p);
		if (p->s[p->i] == ',')
			p->i++;
	}
}

static void jp_value(struct jp *p, int depth)
{
	jp_ws(p);
	if (depth > 256)
		return;
	switch (p->s[p->i]) {
	case '{':
		jp_container(p, '}', depth);
		break;
	case '[':
		jp_container(p, ']', depth);
		break;
	case '"':
		jp_string(p, NULL, NULL);
		break;
	default: /* number or literal */
		while (p->s[p->i] && !strchr(",]} \t\r\n", p->s[p->i]))
			p->i++;
	}
}

/* Compares a raw string body with a key; keys with escapes compare only when spelled alike. */
static int jp_key_eq(const char *raw, size_t len, const char *key)
{
	return strlen(key) == len && memcmp(raw, key, len) == 0;
}

static void jp_pos(const char *s, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && s[i]; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int dbtls_json_locate(const char *text, const struct dbtls_jpath *path, size_t n, int *line,
		      int *col)
{
	struct jp p = {.s = text, .i = 0};
	size_t found = 0;

	jp_ws(&p);
	jp_pos(text, p.i, line, col);
	for (size_t step = 0; step < n; step++) {
		int ok = 0;

		jp_ws(&p);
		if (path[step].key && p.s[p.i] == '{') {
			p.i++;
			for (;;) {
				size_t ks, kl, at;
				jp_ws(&p);
				if (p.s[p.i] != '"')
					break;
				at = p.i;
				jp_string(&p, &ks, &kl);
				jp_ws(&p);
				if (p.s[p.i] == ':')
					p.i++;
				if (jp_key_eq(p.s + ks, kl, path[step].key)) {
					found = at;
					ok = 1;
					break;
				}
				jp_value(&p, 0);
				jp_ws(&p);
				if (p.s[p.i] == ',')
					p.i++;
			}
		} else if (!path[step].key && p.s[p.i] == '[') {
			p.i++;
			for (size_t k = 0;; k++) {
				jp_ws(&p);
				if (!p.s[p.i] || p.s[p.i] == ']')
					break;
				if (k == path[step].index) {
					found = p.i;
					ok = 1;
					break;
				}
				jp_value(&p, 0);
				jp_ws(&p);
				if (p.s[p.i] == ',')
					p.i++;
			}
		}
		if (!ok)
			return -1;
		jp_pos(text, found, line, col);
	}
	return 0;
}

const char *dbtls_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

char *dbtls_json_read_file(const char *path, struct dbtls_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < 4 * 1024 * 1024 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = 0;
		}
	}
	if (!buf)
		dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: cannot read (or larger than 4 MiB)", path);
	fclose(f);
	return buf;
}
