/* SPDX-License-Identifier: MIT */
/*
 * report_json_stream.c — the streaming reader of saved reports (see report_stream.h).
 *
 * jansson stays the one JSON parser: this file only walks the top-level object — `{`, keys,
 * `:`, `,`, `}` — and lets json_load_callback parse each value from where the walk stands
 * (JSON_DISABLE_EOF_CHECK: it stops at the value's end and says how many bytes it took). So
 * every error inside a value is jansson's own, at the place the whole-file loader named. Where
 * the walk itself finds the wrong token, it words the error as jansson's parser does ("':'
 * expected near 'x'"), letting jansson lex the offending token so that the "near" text and any
 * lexical error (a bad escape, a too big integer) are the same too. Positions are byte offsets
 * while reading; an error's LINE:COL is counted from the start of the file only when one is
 * reported (columns in characters, as jansson counts them).
 */
#include "reports/json/report_stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/json/fields.h"
#include "src/core/jsonpos.h"

#define RS_BUF 65536

struct dbtls_report_file {
	char *path;	   /* NULL for a handle made from a FILE */
	const char *label; /* borrowed: path or the caller's label */
	FILE *f;	   /* NULL between passes (a regular file, released) */
	bool keep;	   /* f cannot be opened again (a temporary copy, a caller's FILE) */
};

/* One pass over the file: a window of it, the offsets of the arrays, the budget of a value. */
struct rs {
	struct dbtls_report_file *rf;
	struct dbtls_diag *d;
	char *buf;
	size_t len, pos;
	long long base; /* file offset of buf[0] */
	bool eof, ioerr;
	/* feeding jansson: bytes given to the current value and its bound */
	size_t fed, feed_max;
	bool capped, fed_nul;
	size_t max;
	long long fail_at; /* offset of the last error reported */
};

/* --- the window --------------------------------------------------------------------------- */

static bool rs_fill(struct rs *s)
{
	if (s->eof)
		return false;
	s->base += (long long)s->len;
	s->pos = 0;
	s->len = fread(s->buf, 1, RS_BUF, s->rf->f);
	if (!s->len) {
		s->eof = true;
		s->ioerr = ferror(s->rf->f) != 0;
		return false;
	}
	return true;
}

static int rs_getc(struct rs *s)
{
	if (s->pos == s->len && !rs_fill(s))
		return -1;
	return (unsigned char)s->buf[s->pos++];
}

static long long rs_tell(const struct rs *s)
{
	return s->base + (long long)s->pos;
}

static bool rs_seek(struct rs *s, long long off)
{
	if (off >= s->base && off <= s->base + (long long)s->len) {
		s->pos = (size_t)(off - s->base);
		return true;
	}
	clearerr(s->rf->f);
	if (fseeko(s->rf->f, (off_t)off, SEEK_SET) != 0) {
		s->ioerr = true;
		return false;
	}
	s->base = off;
	s->len = s->pos = 0;
	s->eof = false;
	return true;
}

/* The next byte that is not JSON whitespace, left unread; -1 at the end. */
static int rs_peek(struct rs *s)
{
	int c;

	do
		c = rs_getc(s);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	if (c >= 0)
		s->pos--;
	return c;
}

/* json_load_callback's source: the window from where the walk stands, at most feed_max bytes. */
static size_t rs_feed(void *buffer, size_t buflen, void *arg)
{
	struct rs *s = arg;
	size_t n;

	if (s->pos == s->len && !rs_fill(s))
		return 0;
	n = s->len - s->pos;
	if (n > buflen)
		n = buflen;
	if (n > s->feed_max - s->fed) {
		n = s->feed_max - s->fed;
		if (!n) { /* there is more, and the value may not have it */
			s->capped = true;
			return 0;
		}
	}
	memcpy(buffer, s->buf + s->pos, n);
	if (memchr(buffer, 0, n))
		s->fed_nul = true;
	s->pos += n;
	s->fed += n;
	return n;
}

/* Where a value that jansson took `position` bytes for really ends: a NUL byte that its lexer
 * reads past a number or a literal and puts back is dropped, uncounted (its one-character
 * buffer then reads as empty), and a value that parsed can hold no other NUL, so every NUL in it
 * was one of those. */
static long long rs_past_nuls(struct rs *s, long long start, size_t position)
{
	size_t counted = 0;
	int c;

	if (!rs_seek(s, start))
		return start + (long long)position;
	while (counted < position && (c = rs_getc(s)) >= 0)
		counted += c != 0;
	return rs_tell(s);
}

/* Parses the value that starts at the walk's position (leading whitespace allowed). On success
 * returns it (new) with the walk just after it; on failure NULL with *at the error's offset and
 * je its text. */
static json_t *rs_parse(struct rs *s, size_t flags, json_error_t *je, long long *at)
{
	long long start = rs_tell(s);
	json_t *v;

	s->fed = 0;
	s->feed_max = s->max;
	s->capped = s->fed_nul = false;
	v = json_load_callback(rs_feed, s, flags | JSON_DISABLE_EOF_CHECK, je);
	*at = start + (je->position > 0 ? je->position : 0);
	if (v && s->fed_nul && !je->text[0])
		*at = rs_past_nuls(s, start, je->position > 0 ? (size_t)je->position : 0);
	if (v && je->text[0]) {
		/* the value ended on bytes that are not UTF-8 (a number's lookahead): jansson
		 * returns the value with the error set, the whole-file parser fails there */
		json_decref(v);
		return NULL;
	}
	if (v && !rs_seek(s, *at)) {
		json_decref(v);
		v = NULL;
	}
	if (v && (json_is_number(v) || json_is_boolean(v) || json_is_null(v))) {
		/* jansson's lexer reads one byte past a number or a literal and puts it back; a NUL
		 * put back is lost (its one-character buffer reads as empty), so the whole-file
		 * parser goes on after it: so does the walk */
		int c = rs_getc(s);
		if (c > 0)
			s->pos--;
	}
	return v;
}

/* --- errors ------------------------------------------------------------------------------- */

/* LINE:COL of offset at as jansson counts them: lines from 1, columns in characters (bytes that
 * start a UTF-8 sequence) read on the line so far. Reads the file again from its start. */
static void rs_linecol(struct rs *s, long long at, int *line, int *col)
{
	unsigned char b[8192];
	long long off = 0;
	size_t n;

	*line = 1;
	*col = 0;
	clearerr(s->rf->f);
	if (fseeko(s->rf->f, 0, SEEK_SET) != 0)
		return;
	while (off < at && (n = fread(b, 1, sizeof(b), s->rf->f)) > 0) {
		for (size_t i = 0; i < n && off < at; i++, off++) {
			unsigned c = b[i];
			if (c == '\n') {
				(*line)++;
				*col = 0;
			} else if (c < 0x80 || (c >= 0xC2 && c <= 0xF4)) {
				(*col)++;
			}
		}
	}
	/* the window no longer matches the stream's position */
	s->len = s->pos = 0;
	s->eof = false;
	s->base = -1;
	rs_seek(s, off);
}

static enum dbtls_err rs_fail_at(struct rs *s, long long at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum dbtls_err rs_fail_at(struct rs *s, long long at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int line, col;

	if (s->ioerr)
		return dbtls_diag_set(s->d, DBTLS_ERR_FILE, "%s: read error", s->rf->label);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->fail_at = at;
	rs_linecol(s, at, &line, &col);
	return dbtls_diag_set(s->d, DBTLS_ERR_INPUT, "%s:%d:%d: %s", s->rf->label, line, col, msg);
}

/* jansson could not parse the value that started at start (what names it in the message about
 * a value over the bound). */
static enum dbtls_err rs_parse_failed(struct rs *s, const json_error_t *je, long long at,
				      long long start, const char *what)
{
	if (s->capped && s->max % (1024 * 1024) == 0)
		return rs_fail_at(s, start, "%s is larger than %zu MiB (the bound of one value)",
				  what, s->max / (1024 * 1024));
	if (s->capped)
		return rs_fail_at(s, start, "%s is larger than %zu bytes (the bound of one value)",
				  what, s->max);
	return rs_fail_at(s, at, "%s", je->text);
}

/* The grammar wants `want` ("':'", "'}'", "string or '}'", "end of file") where the walk
 * stands, and the next token is something else: the error jansson's parser gives there. */
static enum dbtls_err rs_expected(struct rs *s, const char *want)
{
	static const char *const prefixes[] = {"invalid token", "unexpected token"};
	int c = rs_peek(s);
	long long start = rs_tell(s), at;
	json_error_t je;
	json_t *v;

	if (c < 0)
		return rs_fail_at(s, start, "%s expected near end of file", want);
	if (c && strchr("{}[]:,", c))
		return rs_fail_at(s, start + 1, "%s expected near '%c'", want, c);
	/* a string, a number, a literal or no token at all: jansson lexes it */
	v = rs_parse(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je, &at);
	if (v) {
		char near[24];
		size_t n = (size_t)(at - start), got = 0;

		json_decref(v);
		if (n > 20 || !rs_seek(s, start))
			return rs_fail_at(s, at, "%s expected", want);
		while (got < n) {
			int b = rs_getc(s);
			if (b < 0)
				break;
			near[got++] = (char)b;
		}
		near[got] = 0;
		return rs_fail_at(s, at, "%s expected near '%s'", want, near);
	}
	if (s->capped)
		return rs_fail_at(s, start, "%s expected", want);
	for (size_t i = 0; i < 2; i++) {
		size_t pl = strlen(prefixes[i]);
		/* the lexer said nothing itself: the parser's message, with its "near" part */
		if (!strncmp(je.text, prefixes[i], pl))
			return rs_fail_at(s, at, "%s expected%s", want, je.text + pl);
	}
	return rs_fail_at(s, at, "%s", je.text); /* the lexer's own error comes first */
}

/* --- pass 1: the top level ---------------------------------------------------------------- */

/* Skips over the array at the walk's position without parsing it: strings and nesting only.
 * Returns false at the end of the file (the second pass finds the real error). */
static bool rs_skip_array(struct rs *s)
{
	size_t depth = 0;
	int c;

	while ((c = rs_getc(s)) >= 0) {
		if (c == '"') {
			while ((c = rs_getc(s)) >= 0 && c != '"')
				if (c == '\\' && rs_getc(s) < 0)
					return false;
			if (c < 0)
				return false;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}') {
			if (!depth || !--depth)
				return true;
		}
	}
	return false;
}

enum { RS_ENDPOINTS, RS_FILES, RS_NARRAYS };
static const char *const rs_array_names[RS_NARRAYS] = {"endpoints", "files"};

struct rs_top {
	json_t *top;			/* the members read, [] for each array */
	long long array_at[RS_NARRAYS]; /* offset of '[' of each array, -1: none */
	long long first_array;		/* the first of them, -1: none */
	bool broken;			/* the walk failed inside or after an array */
	enum dbtls_err err;		/* that failure, reported if pass 2 finds nothing earlier */
	char msg[sizeof(((struct dbtls_diag *)0)->msg)];
};

/* The key at the walk's position (a '"' is next): a new string in *key, or an error. */
static enum dbtls_err rs_key(struct rs *s, const json_t *top, json_t **key)
{
	long long start = rs_tell(s), at;
	json_error_t je;
	json_t *k;
	char near[32] = "";

	k = rs_parse(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je, &at);
	if (!k)
		return rs_parse_failed(s, &je, at, start, "a key");
	if (at - start <= 20 && rs_seek(s, start)) {
		size_t n = 0;
		snprintf(near, sizeof(near), " near '");
		n = strlen(near);
		while (rs_tell(s) < at)
			near[n++] = (char)rs_getc(s);
		near[n++] = '\'';
		near[n] = 0;
		rs_seek(s, at);
	}
	if (memchr(json_string_value(k), 0, json_string_length(k))) {
		json_decref(k);
		return rs_fail_at(s, at, "NUL byte in object key not supported%s", near);
	}
	if (json_object_get(top, json_string_value(k))) {
		json_decref(k);
		return rs_fail_at(s, at, "duplicate object key%s", near);
	}
	*key = k;
	return DBTLS_OK;
}

/* A top level that is not an object: jansson's error, or "not a report". */
static enum dbtls_err rs_not_object(struct rs *s, int c)
{
	long long start = rs_tell(s), at;
	struct dbtls_rd r = {.file = s->rf->label, .d = s->d};
	json_error_t je;
	json_t *v = rs_parse(s, JSON_REJECT_DUPLICATES, &je, &at);
	enum dbtls_err err;

	if (!v && s->capped && c == '[')
		return dbtls_rd_fail(&r, "expected a dbtls report (a JSON object), got an array");
	if (!v)
		return rs_parse_failed(s, &je, at, start, "the document");
	if (rs_peek(s) >= 0) {
		json_decref(v);
		return rs_expected(s, "end of file");
	}
	err = dbtls_rd_fail(&r, "expected a dbtls report (a JSON object), got %s",
			    dbtls_json_type_name(v));
	json_decref(v);
	return err;
}

/* Walks the top level into t. Returns an error at once when it is found before any array (no
 * element can come before it); one after an array starts is kept in t for pass 2 to confirm. */
static enum dbtls_err rs_walk(struct rs *s, struct rs_top *t)
{
	enum dbtls_err err = DBTLS_OK;
	int c = rs_peek(s);

	if (c != '{')
		return rs_not_object(s, c);
	rs_getc(s);
	c = rs_peek(s);
	if (c == '}') {
		rs_getc(s);
		goto end;
	}
	for (;;) {
		json_t *key = NULL, *val;
		const char *k;
		long long start, at;
		json_error_t je;
		int a;

		if (c != '"')
			return rs_expected(s, "string or '}'");
		err = rs_key(s, t->top, &key);
		if (err)
			return err;
		k = json_string_value(key);
		if (rs_peek(s) != ':') {
			json_decref(key);
			return rs_expected(s, "':'");
		}
		rs_getc(s);
		c = rs_peek(s);
		for (a = 0; a < RS_NARRAYS && strcmp(k, rs_array_names[a]); a++)
			;
		start = rs_tell(s);
		if (c == '[' && a < RS_NARRAYS) {
			t->array_at[a] = start;
			if (t->first_array < 0)
				t->first_array = start;
			val = json_array();
			if (!rs_skip_array(s)) {
				json_decref(val);
				json_decref(key);
				return rs_fail_at(s, rs_tell(s), "']' expected near end of file");
			}
		} else {
			val = rs_parse(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je, &at);
			if (!val) {
				char what[80];
				snprintf(what, sizeof(what), "member %.40s", k);
				json_decref(key);
				return rs_parse_failed(s, &je, at, start, what);
			}
		}
		if (!val || json_object_set_new(t->top, k, val)) {
			json_decref(key);
			return dbtls_diag_set(s->d, DBTLS_ERR_NOMEM, "%s: out of memory",
					      s->rf->label);
		}
		json_decref(key);
		c = rs_peek(s);
		if (c == ',') {
			rs_getc(s);
			c = rs_peek(s);
			continue;
		}
		if (c == '}') {
			rs_getc(s);
			break;
		}
		return rs_expected(s, "'}'");
	}
end:
	if (rs_peek(s) >= 0)
		return rs_expected(s, "end of file");
	return DBTLS_OK;
}

/* --- pass 2: the elements ----------------------------------------------------------------- */

/* One element (v, parsed) through the field table and the callback. */
static enum dbtls_err rs_deliver(struct rs *s, int a, struct dbtls_report_elem *el, json_t *v,
				 const struct dbtls_report_stream_cb *cb, void *arg)
{
	struct dbtls_rd r = {.file = s->rf->label, .d = s->d};
	struct dbtls_endpoint_facts ep;
	struct dbtls_audit_file file;
	enum dbtls_err err = DBTLS_OK;

	memset(&ep, 0, sizeof(ep));
	memset(&file, 0, sizeof(file));
	el->json = v;
	if (!cb->raw) {
		dbtls_rd_key(&r, rs_array_names[a]);
		dbtls_rd_idx(&r, el->index);
		if (!json_is_object(v))
			err = dbtls_rd_fail(&r, "expected an object, got %s",
					    dbtls_json_type_name(v));
		else if (a == RS_ENDPOINTS)
			err = dbtls_fields_read(&r, v, &dbtls_endpoint_table, el->ep = &ep);
		else
			err = dbtls_fields_read(&r, v, &dbtls_audit_file_table, el->file = &file);
	}
	if (!err && a == RS_ENDPOINTS && cb->endpoint)
		err = cb->endpoint(arg, el, s->d);
	else if (!err && a == RS_FILES && cb->file)
		err = cb->file(arg, el, s->d);
	dbtls_endpoint_facts_free(&ep);
	dbtls_audit_file_free(&file);
	return err;
}

/* The elements of array a (its '[' at offset at). cb NULL: parse only, up to offset stop (the
 * place pass 1 failed); returns OK when nothing before it is wrong. */
static enum dbtls_err rs_array(struct rs *s, int a, long long at,
			       const struct dbtls_report_stream_cb *cb, void *arg, long long stop)
{
	enum dbtls_err err;
	int c;

	if (!rs_seek(s, at) || rs_getc(s) != '[')
		return dbtls_diag_set(s->d, DBTLS_ERR_FILE, "%s: changed while being read",
				      s->rf->label);
	c = rs_peek(s);
	if (c == ']')
		return DBTLS_OK;
	for (size_t i = 0;; i++) {
		struct dbtls_report_elem el = {.index = i};
		long long start = rs_tell(s), end;
		json_error_t je;
		json_t *v;

		if (!cb && start >= stop)
			return DBTLS_OK;
		if (c < 0)
			return rs_fail_at(s, start, "']' expected near end of file");
		v = rs_parse(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je, &end);
		if (!v) {
			char what[48];
			snprintf(what, sizeof(what), "%s[%zu]", rs_array_names[a], i);
			if (!cb && end > stop && !s->capped)
				return DBTLS_OK;
			return rs_parse_failed(s, &je, end, start, what);
		}
		el.offset = start;
		el.len = (size_t)(end - start);
		err = cb ? rs_deliver(s, a, &el, v, cb, arg) : DBTLS_OK;
		json_decref(v);
		if (err)
			return err;
		c = rs_peek(s);
		if (c == ',') {
			rs_getc(s);
			c = rs_peek(s);
			continue;
		}
		if (c == ']')
			return DBTLS_OK;
		if (!cb && rs_tell(s) >= stop)
			return DBTLS_OK;
		return rs_expected(s, "']'");
	}
}

static enum dbtls_err rs_header(struct rs *s, const struct rs_top *t,
				const struct dbtls_report_stream_cb *cb, void *arg)
{
	struct dbtls_rd r = {.file = s->rf->label, .d = s->d};
	struct dbtls_scan_facts hdr;
	enum dbtls_err err;

	memset(&hdr, 0, sizeof(hdr));
	err = dbtls_fields_read(&r, t->top, &dbtls_report_table, &hdr);
	if (!err && cb->header)
		err = cb->header(arg, &hdr, t->top, s->d);
	dbtls_scan_facts_free(&hdr);
	return err;
}

static bool rf_ready(struct dbtls_report_file *rf, struct dbtls_diag *d)
{
	if (rf->f)
		return true;
	rf->f = fopen(rf->path, "rb");
	if (!rf->f) {
		dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", rf->label, strerror(errno));
		return false;
	}
	return true;
}

enum dbtls_err dbtls_report_file_stream(struct dbtls_report_file *rf,
					const struct dbtls_report_stream_cb *cb, void *arg,
					struct dbtls_diag *d)
{
	/* base -1: no window yet, so the first seek is a real one */
	struct rs s = {.rf = rf,
		       .d = d,
		       .max = cb->max_elem ? cb->max_elem : DBTLS_REPORT_ELEM_MAX,
		       .base = -1};
	struct rs_top t = {.array_at = {-1, -1}, .first_array = -1};
	enum dbtls_err err;

	if (!rf_ready(rf, d))
		return DBTLS_ERR_FILE;
	s.buf = malloc(RS_BUF);
	t.top = json_object();
	if (!s.buf || !t.top) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", rf->label);
		goto out;
	}
	if (!rs_seek(&s, 0)) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: cannot seek", rf->label);
		goto out;
	}
	err = rs_walk(&s, &t);
	if (err == DBTLS_ERR_INPUT && t.first_array >= 0 && t.first_array < s.fail_at) {
		/* the walk failed after an array began: an element before that place may be the
		 * first thing wrong in the file, which is what the whole-file parser named */
		struct dbtls_diag walk = {0};
		long long stop = s.fail_at;
		int order[RS_NARRAYS] = {RS_ENDPOINTS, RS_FILES};

		if (d)
			walk = *d;
		if (t.array_at[RS_FILES] >= 0 &&
		    (t.array_at[RS_ENDPOINTS] < 0 ||
		     t.array_at[RS_FILES] < t.array_at[RS_ENDPOINTS])) {
			order[0] = RS_FILES;
			order[1] = RS_ENDPOINTS;
		}
		for (int i = 0; i < RS_NARRAYS; i++) {
			int a = order[i];
			enum dbtls_err e2;

			if (t.array_at[a] < 0 || t.array_at[a] >= stop)
				continue;
			e2 = rs_array(&s, a, t.array_at[a], NULL, NULL, stop);
			if (e2) {
				err = e2;
				goto out;
			}
		}
		if (d)
			*d = walk;
		goto out;
	}
	if (err)
		goto out;
	err = rs_header(&s, &t, cb, arg);
	for (int a = 0; !err && a < RS_NARRAYS; a++)
		if (t.array_at[a] >= 0)
			err = rs_array(&s, a, t.array_at[a], cb, arg, 0);
out:
	if (!err && s.ioerr)
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: read error", rf->label);
	json_decref(t.top);
	free(s.buf);
	return err;
}

enum dbtls_err dbtls_report_file_read_endpoint(struct dbtls_report_file *rf, long long offset,
					       size_t index, struct dbtls_endpoint_facts *out,
					       json_t **json, struct dbtls_diag *d)
{
	struct rs s = {.rf = rf, .d = d, .max = DBTLS_REPORT_ELEM_MAX, .base = -1};
	enum dbtls_err err;
	long long at;
	json_error_t je;
	json_t *v = NULL;
	char what[48];

	memset(out, 0, sizeof(*out));
	if (json)
		*json = NULL;
	if (!rf_ready(rf, d))
		return DBTLS_ERR_FILE;
	s.buf = malloc(RS_BUF);
	if (!s.buf)
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", rf->label);
	if (!rs_seek(&s, offset)) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: cannot seek", rf->label);
		goto out;
	}
	snprintf(what, sizeof(what), "endpoints[%zu]", index);
	v = rs_parse(&s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je, &at);
	if (!v) {
		err = rs_parse_failed(&s, &je, at, offset, what);
		goto out;
	}
	{
		struct dbtls_rd r = {.file = rf->label, .d = d};

		dbtls_rd_key(&r, "endpoints");
		dbtls_rd_idx(&r, index);
		if (!json_is_object(v))
			err = dbtls_rd_fail(&r, "expected an object, got %s",
					    dbtls_json_type_name(v));
		else
			err = dbtls_fields_read(&r, v, &dbtls_endpoint_table, out);
		if (err)
			dbtls_endpoint_facts_free(out);
	}
	if (!err && json) {
		*json = v;
		v = NULL;
	}
out:
	json_decref(v);
	free(s.buf);
	return err;
}

/* --- handles ------------------------------------------------------------------------------ */

struct dbtls_report_file *dbtls_report_file_from(FILE *f, const char *label, struct dbtls_diag *d)
{
	struct dbtls_report_file *rf = calloc(1, sizeof(*rf));

	if (!rf) {
		fclose(f);
		dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", label);
		return NULL;
	}
	rf->f = f;
	rf->label = label;
	rf->keep = true;
	return rf;
}

/* A copy of f in an unnamed temporary file (f is closed), or NULL. */
static FILE *rf_spool(FILE *f, const char *path, struct dbtls_diag *d)
{
	FILE *t = tmpfile();
	char b[65536];
	size_t n;

	if (!t) {
		dbtls_diag_set(d, DBTLS_ERR_FILE,
			       "%s: cannot seek, and no temporary file to copy it to: %s", path,
			       strerror(errno));
		fclose(f);
		return NULL;
	}
	while ((n = fread(b, 1, sizeof(b), f)) > 0)
		if (fwrite(b, 1, n, t) != n)
			break;
	if (ferror(f) || ferror(t) || fflush(t) != 0) {
		dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: read error", path);
		fclose(f);
		fclose(t);
		return NULL;
	}
	fclose(f);
	return t;
}

static enum dbtls_err rf_open(const char *path, struct dbtls_report_file **out,
			      struct dbtls_diag *d)
{
	struct dbtls_report_file *rf;
	struct stat st;
	FILE *f = fopen(path, "rb");

	*out = NULL;
	if (!f)
		return dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0)
		memset(&st, 0, sizeof(st));
	if (S_ISDIR(st.st_mode)) {
		fclose(f);
		return dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: is a directory", path);
	}
	rf = calloc(1, sizeof(*rf));
	if (rf)
		rf->path = strdup(path);
	if (!rf || !rf->path) {
		free(rf);
		fclose(f);
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s: out of memory", path);
	}
	rf->label = rf->path;
	if (!S_ISREG(st.st_mode)) {
		rf->keep = true;
		f = rf_spool(f, path, d);
		if (!f) {
			free(rf->path);
			free(rf);
			return DBTLS_ERR_FILE;
		}
	}
	rf->f = f;
	*out = rf;
	return DBTLS_OK;
}

struct dbtls_report_file *dbtls_report_file_open(const char *path, struct dbtls_diag *d)
{
	struct dbtls_report_file *rf;

	rf_open(path, &rf, d);
	return rf;
}

void dbtls_report_file_release(struct dbtls_report_file *rf)
{
	if (rf && rf->f && !rf->keep) {
		fclose(rf->f);
		rf->f = NULL;
	}
}

void dbtls_report_file_close(struct dbtls_report_file *rf)
{
	if (!rf)
		return;
	if (rf->f)
		fclose(rf->f);
	free(rf->path);
	free(rf);
}

enum dbtls_err dbtls_report_json_stream(const char *path, const struct dbtls_report_stream_cb *cb,
					void *arg, struct dbtls_diag *d)
{
	struct dbtls_report_file *rf;
	enum dbtls_err err = rf_open(path, &rf, d);

	if (err)
		return err;
	err = dbtls_report_file_stream(rf, cb, arg, d);
	dbtls_report_file_close(rf);
	return err;
}

enum dbtls_err dbtls_report_json_check(const char *path, struct dbtls_diag *d)
{
	const struct dbtls_report_stream_cb none = {0};

	return dbtls_report_json_stream(path, &none, NULL, d);
}
