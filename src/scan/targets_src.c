/* SPDX-License-Identifier: MIT */
/*
 * targets_src.c — the lazy target source (see targets_src.h): a list of items (targets already
 * parsed, target strings, files, standard input) walked in order, one line and one CIDR address
 * at a time, through the set of canonical ids already yielded (an endpoint named twice is
 * scanned once) and the --shard filter.
 */
#include "src/scan/targets_src.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/facts/facts.h"

enum ts_kind { TS_PARSED, TS_ARG, TS_FILE, TS_STDIN };

struct ts_item {
	enum ts_kind kind;
	const struct dbtls_target *parsed; /* TS_PARSED: borrowed */
	size_t nparsed;
	char *str; /* TS_ARG: the string; TS_FILE: the path */
};

/* The ids yielded (or seen) so far: open addressing on dbtls_target_id_hash, with the target as
 * it was first given (for the note about a second spelling). */
struct ts_seen {
	uint64_t h;
	char *id; /* NULL: empty slot */
	char *given;
};

struct dbtls_targets_src {
	struct dbtls_targets_opts o;
	struct ts_item *items;
	size_t nitems, item; /* the item being read */
	size_t count;	     /* targets counted by the checks */
	bool has_stdin;
	/* the item being read: a parsed array's position, an open file and its line */
	size_t pos;
	FILE *f;
	size_t lineno;
	char *line;
	size_t linecap;
	/* a range being expanded */
	bool in_range;
	struct dbtls_cidr range;
	uint64_t range_i;
	struct ts_seen *seen;
	size_t nseen, cap;
};

static void ts_say(const struct dbtls_targets_src *src, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ts_say(const struct dbtls_targets_src *src, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!src->o.say)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	src->o.say(src->o.say_arg, buf);
}

struct dbtls_targets_src *dbtls_targets_src_new(const struct dbtls_targets_opts *o)
{
	struct dbtls_targets_src *src = calloc(1, sizeof(*src));

	if (src)
		src->o = *o;
	return src;
}

void dbtls_targets_src_free(struct dbtls_targets_src *src)
{
	if (!src)
		return;
	for (size_t i = 0; i < src->nitems; i++)
		free(src->items[i].str);
	free(src->items);
	if (src->f && src->f != stdin)
		fclose(src->f);
	free(src->line);
	for (size_t i = 0; i < src->cap; i++) {
		free(src->seen[i].id);
		free(src->seen[i].given);
	}
	free(src->seen);
	free(src);
}

static struct ts_item *ts_item_new(struct dbtls_targets_src *src, enum ts_kind kind)
{
	struct ts_item *it = realloc(src->items, (src->nitems + 1) * sizeof(*it));

	if (!it)
		return NULL;
	src->items = it;
	it = &src->items[src->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	return it;
}

void dbtls_targets_src_add_parsed(struct dbtls_targets_src *src, const struct dbtls_target *t,
				  size_t n)
{
	struct ts_item *it;

	if (!n || !(it = ts_item_new(src, TS_PARSED)))
		return;
	it->parsed = t;
	it->nparsed = n;
	src->count += n;
}

/* ---- CIDR ranges ---------------------------------------------------------------------------- */

enum dbtls_err dbtls_cidr_parse(const char *s, uint64_t cidr_max, bool *is_range,
				struct dbtls_cidr *out, char *why, size_t whylen)
{
	const char *sep = strstr(s, "://"), *rest = sep ? sep + 3 : s, *slash, *p, *end;
	struct dbtls_cidr c = {0};
	char addr[64];
	unsigned long prefix, port = 0;
	unsigned bits, hostbits;
	size_t al;
	char *e;

	*is_range = false;
	slash = strchr(rest, '/');
	if (!slash || slash[1] < '0' || slash[1] > '9')
		return DBTLS_OK;
	if ((sep && (size_t)(rest - s) >= sizeof(c.scheme)))
		return DBTLS_OK;
	if (*rest == '[') {
		/* [ADDR]/N[:PORT] or [ADDR/N]:PORT */
		const char *close = strchr(rest, ']');
		if (!close)
			return DBTLS_OK;
		al = (size_t)(slash < close ? slash - rest - 1 : close - rest - 1);
		c.v6 = true;
	} else {
		al = (size_t)(slash - rest);
	}
	if (al == 0 || al >= sizeof(addr))
		return DBTLS_OK;
	memcpy(addr, rest + (c.v6 ? 1 : 0), al);
	addr[al] = 0;
	if (inet_pton(c.v6 ? AF_INET6 : AF_INET, addr, c.base) != 1)
		return DBTLS_OK; /* not an address: a path, said as such by the target parser */
	*is_range = true;
	errno = 0;
	prefix = strtoul(slash + 1, &e, 10);
	bits = c.v6 ? 128 : 32;
	if (e == slash + 1 || errno || prefix > bits) {
		snprintf(why, whylen, "bad prefix length '/%.*s' (want 0-%u)",
			 (int)strcspn(slash + 1, ":]"), slash + 1, bits);
		return DBTLS_ERR_INPUT;
	}
	p = e;
	if (c.v6 && slash < strchr(rest, ']')) {
		if (*p != ']') {
			snprintf(why, whylen,
				 "unexpected text in the range (want [ADDRESS/N]:PORT)");
			return DBTLS_ERR_INPUT;
		}
		p++;
	}
	if (*p == ':') {
		port = strtoul(p + 1, &e, 10);
		if (e == p + 1 || port == 0 || port > 65535 || p[1] == '-' || p[1] == '+') {
			snprintf(why, whylen, "bad port '%.*s' (want 1-65535)",
				 (int)strcspn(p + 1, "/"), p + 1);
			return DBTLS_ERR_INPUT;
		}
		snprintf(c.port, sizeof(c.port), ":%lu", port);
		p = e;
	}
	end = p;
	if (*end && strcmp(end, "/")) {
		snprintf(why, whylen, "unexpected text '%s' after the range (want ADDRESS/N:PORT)",
			 end);
		return DBTLS_ERR_INPUT;
	}
	hostbits = bits - (unsigned)prefix;
	if (hostbits >= 62) {
		snprintf(why, whylen, "a /%lu range of 2^%u addresses cannot be scanned", prefix,
			 hostbits);
		return DBTLS_ERR_INPUT;
	}
	c.count = (uint64_t)1 << hostbits;
	if (cidr_max && c.count > cidr_max) {
		snprintf(why, whylen,
			 "the range holds %llu addresses, more than --cidr-max %llu: narrow it, "
			 "or give --cidr-max %llu to scan them all",
			 (unsigned long long)c.count, (unsigned long long)cidr_max,
			 (unsigned long long)c.count);
		return DBTLS_ERR_INPUT;
	}
	/* the network address: host bits cleared */
	for (unsigned b = (unsigned)prefix; b < bits; b++)
		c.base[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
	if (sep) {
		if ((size_t)(rest - s) >= sizeof(c.scheme)) {
			snprintf(why, whylen, "unknown scheme in range '%.40s'", s);
			return DBTLS_ERR_INPUT;
		}
		snprintf(c.scheme, sizeof(c.scheme), "%.*s", (int)(rest - s), s);
	}
	/* what the range hands out must be a target: its scheme and port are checked once here,
	 * by the target parser, so a bad one is refused before any probe goes out (an unknown
	 * scheme used to reach the scan unparsed, and crash it) */
	{
		struct dbtls_target t;
		char first[128];

		dbtls_cidr_target(&c, 0, first, sizeof(first));
		if (dbtls_target_parse(first, &t, why, whylen) != DBTLS_OK)
			return DBTLS_ERR_INPUT;
		dbtls_target_free(&t);
	}
	*out = c;
	return DBTLS_OK;
}

void dbtls_cidr_target(const struct dbtls_cidr *c, uint64_t i, char *buf, size_t len)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	size_t n = c->v6 ? 16 : 4;
	unsigned carry = 0;

	memcpy(a, c->base, n);
	/* add i to the address, big-endian */
	for (size_t k = n; k-- > 0;) {
		unsigned v = a[k] + (unsigned)(i & 0xff) + carry;
		a[k] = (unsigned char)v;
		carry = v >> 8;
		i >>= 8;
	}
	inet_ntop(c->v6 ? AF_INET6 : AF_INET, a, text, sizeof(text));
	snprintf(buf, len, "%s%s%s%s%s", c->scheme, c->v6 ? "[" : "", text, c->v6 ? "]" : "",
		 c->port);
}

/* ---- checking ------------------------------------------------------------------------------- */

/* Checks one target string (a target or a range) and counts it: INPUT with why. */
static enum dbtls_err ts_check(struct dbtls_targets_src *src, const char *s, uint64_t *count,
			       char *why, size_t whylen)
{
	struct dbtls_cidr c;
	struct dbtls_target t;
	enum dbtls_err err;
	bool range;

	err = dbtls_cidr_parse(s, src->o.cidr_max, &range, &c, why, whylen);
	if (err)
		return err;
	if (range) {
		*count = c.count;
		return DBTLS_OK;
	}
	err = dbtls_target_parse(s, &t, why, whylen);
	if (err == DBTLS_ERR_NOMEM)
		snprintf(why, whylen, "out of memory");
	dbtls_target_free(&t);
	*count = 1;
	return err;
}

enum dbtls_err dbtls_targets_src_add_arg(struct dbtls_targets_src *src, const char *s)
{
	char why[256], shown[512];
	struct ts_item *it;
	uint64_t n;
	enum dbtls_err err = ts_check(src, s, &n, why, sizeof(why));

	if (err) {
		dbtls_target_display(s, shown, sizeof(shown));
		ts_say(src, "dbtls: target '%s': %s", shown, why);
		return err;
	}
	it = ts_item_new(src, TS_ARG);
	if (!it || !(it->str = strdup(s))) {
		if (it)
			src->nitems--;
		return DBTLS_ERR_NOMEM;
	}
	src->count += (size_t)n;
	return DBTLS_OK;
}

/* One line of a target list cleaned in place: NULL for a blank or comment line, else the target
 * (trimmed); *bad is set (and said as PATH:LINE) when the line is not one target. */
static char *ts_clean(const struct dbtls_targets_src *src, const char *path, size_t lineno,
		      char *line, ssize_t len, bool *bad)
{
	char *s = line, *e, shown[512];

	*bad = false;
	if (memchr(line, 0, (size_t)len)) {
		ts_say(src, "%s:%zu: NUL byte in line", path, lineno);
		*bad = true;
		return NULL;
	}
	if (lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
		s += 3; /* a UTF-8 byte order mark */
	e = strchr(s, '#');
	if (e)
		*e = 0;
	s += strspn(s, " \t\r\n");
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = 0;
	if (!*s)
		return NULL;
	if (strpbrk(s, " \t")) {
		dbtls_target_display(s, shown, sizeof(shown));
		ts_say(src, "%s:%zu: one target per line, got '%s'", path, lineno, shown);
		*bad = true;
		return NULL;
	}
	return s;
}

/* Checks line s (PATH:LINE on a bad one) and counts it. */
static enum dbtls_err ts_check_line(struct dbtls_targets_src *src, const char *path, size_t lineno,
				    const char *s, uint64_t *n)
{
	char why[256], shown[512];
	enum dbtls_err err = ts_check(src, s, n, why, sizeof(why));

	if (err) {
		dbtls_target_display(s, shown, sizeof(shown));
		ts_say(src, "%s:%zu: %s (in '%s')", path, lineno, why, shown);
	}
	return err;
}

enum dbtls_err dbtls_targets_src_add_file(struct dbtls_targets_src *src, const char *path)
{
	enum dbtls_err rc = DBTLS_OK;
	struct ts_item *it;
	char *line = NULL;
	size_t cap = 0, lineno = 0, count = 0;
	struct stat sb;
	ssize_t len;
	FILE *f;

	if (!strcmp(path, "-")) {
		if (src->has_stdin) {
			ts_say(src, "dbtls: --targets -: standard input can be read only once");
			return DBTLS_ERR_USAGE;
		}
		if (!(it = ts_item_new(src, TS_STDIN)))
			return DBTLS_ERR_NOMEM;
		src->has_stdin = true;
		return DBTLS_OK;
	}
	f = fopen(path, "r");
	if (!f) {
		ts_say(src, "dbtls: --targets %s: %s", path, strerror(errno));
		return DBTLS_ERR_FILE;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		ts_say(src, "dbtls: --targets %s: is a directory, want a file", path);
		return DBTLS_ERR_FILE;
	}
	/* the first pass: every line checked, nothing kept but the count */
	while ((len = getline(&line, &cap, f)) >= 0) {
		bool bad;
		uint64_t n = 0;
		char *s = ts_clean(src, path, ++lineno, line, len, &bad);

		if (bad) {
			rc = DBTLS_ERR_INPUT;
			break;
		}
		if (!s)
			continue;
		rc = ts_check_line(src, path, lineno, s, &n);
		if (rc)
			break;
		count += (size_t)n;
	}
	if (!rc && ferror(f)) {
		ts_say(src, "dbtls: %s: read error", path);
		rc = DBTLS_ERR_FILE;
	}
	free(line);
	fclose(f);
	if (rc)
		return rc;
	it = ts_item_new(src, TS_FILE);
	if (!it || !(it->str = strdup(path))) {
		if (it)
			src->nitems--;
		return DBTLS_ERR_NOMEM;
	}
	src->count += count;
	return DBTLS_OK;
}

size_t dbtls_targets_src_count(const struct dbtls_targets_src *src, bool *exact)
{
	if (exact)
		*exact = !src->has_stdin;
	return src->count;
}

/* ---- yielding ------------------------------------------------------------------------------- */

/* Records id (steals it) as yielded; true when it is new, false when an earlier target had the
 * same id (said, naming both spellings). NOMEM in *err. */
static bool ts_fresh(struct dbtls_targets_src *src, char *id, const char *given, bool quiet,
		     enum dbtls_err *err)
{
	uint64_t h = dbtls_target_id_hash(id);
	size_t k;

	if (2 * (src->nseen + 1) > src->cap) {
		size_t nc = src->cap ? 2 * src->cap : 64;
		struct ts_seen *ns = calloc(nc, sizeof(*ns));

		if (!ns) {
			free(id);
			*err = DBTLS_ERR_NOMEM;
			return false;
		}
		for (size_t i = 0; i < src->cap; i++) {
			if (!src->seen[i].id)
				continue;
			for (k = src->seen[i].h & (nc - 1); ns[k].id; k = (k + 1) & (nc - 1))
				;
			ns[k] = src->seen[i];
		}
		free(src->seen);
		src->seen = ns;
		src->cap = nc;
	}
	for (k = h & (src->cap - 1); src->seen[k].id; k = (k + 1) & (src->cap - 1))
		if (src->seen[k].h == h && !strcmp(src->seen[k].id, id))
			break;
	if (src->seen[k].id) {
		char a[512], b[512];

		if (!quiet) {
			dbtls_target_display(given, a, sizeof(a));
			dbtls_target_display(src->seen[k].given, b, sizeof(b));
			ts_say(src, "dbtls: note: target '%s' is '%s' again (%s): scanned once", a,
			       b, id);
		}
		free(id);
		return false;
	}
	src->seen[k] = (struct ts_seen){.h = h, .id = id, .given = strdup(given ? given : "")};
	if (!src->seen[k].given) {
		free(src->seen[k].id);
		src->seen[k].id = NULL;
		*err = DBTLS_ERR_NOMEM;
		return false;
	}
	src->nseen++;
	return true;
}

/* Takes parsed target t (moved into *out) when it is new and in this shard; true when taken,
 * else t is freed. */
static bool ts_take(struct dbtls_targets_src *src, struct dbtls_target *t, bool quiet,
		    struct dbtls_target *out, enum dbtls_err *err)
{
	char *id = dbtls_target_id(t);
	bool in_shard;

	if (!id) {
		*err = DBTLS_ERR_NOMEM;
		dbtls_target_free(t);
		return false;
	}
	in_shard = dbtls_target_in_shard(id, src->o.shard_k, src->o.shard_n);
	if (!ts_fresh(src, id, t->given, quiet, err) || !in_shard) {
		dbtls_target_free(t);
		return false;
	}
	*out = *t;
	return true;
}

/* Starts string s (already checked, or checked now for standard input: then a bad one is said
 * as -:LINE). Sets src->in_range for a range; else parses it into *t. */
static enum dbtls_err ts_start(struct dbtls_targets_src *src, const char *s, const char *path,
			       struct dbtls_target *t, bool *have)
{
	char why[256], shown[512];
	enum dbtls_err err;
	bool range;

	*have = false;
	err = dbtls_cidr_parse(s, src->o.cidr_max, &range, &src->range, why, sizeof(why));
	if (!err && range) {
		src->in_range = true;
		src->range_i = 0;
		return DBTLS_OK;
	}
	if (!err)
		err = dbtls_target_parse(s, t, why, sizeof(why));
	if (err == DBTLS_ERR_NOMEM)
		return err;
	if (err) {
		dbtls_target_display(s, shown, sizeof(shown));
		ts_say(src, "%s:%zu: %s (in '%s')", path, src->lineno, why, shown);
		return err;
	}
	*have = true;
	return DBTLS_OK;
}

enum dbtls_err dbtls_targets_src_next(void *arg, struct dbtls_target *out, bool *done)
{
	struct dbtls_targets_src *src = arg;
	enum dbtls_err err = DBTLS_OK;
	struct dbtls_target t;
	char buf[300];
	bool have;

	*done = false;
	for (;;) {
		struct ts_item *it;

		if (src->in_range) {
			if (src->range_i >= src->range.count) {
				src->in_range = false;
				continue;
			}
			dbtls_cidr_target(&src->range, src->range_i++, buf, sizeof(buf));
			if (dbtls_target_parse(buf, &t, NULL, 0))
				return DBTLS_ERR_NOMEM; /* checked: only memory can fail */
			if (ts_take(src, &t, false, out, &err))
				return DBTLS_OK;
			if (err)
				return err;
			continue;
		}
		if (src->item >= src->nitems) {
			*done = true;
			return DBTLS_OK;
		}
		it = &src->items[src->item];
		switch (it->kind) {
		case TS_PARSED:
			if (src->pos >= it->nparsed) {
				src->pos = 0;
				src->item++;
				continue;
			}
			err = dbtls_target_copy(&it->parsed[src->pos++], NULL, &t);
			if (err)
				return err;
			/* already deduplicated and sharded: recorded, so files cannot repeat them
			 */
			if (ts_take(src, &t, true, out, &err))
				return DBTLS_OK;
			if (err)
				return err;
			continue;
		case TS_ARG:
			src->item++;
			src->lineno = 0;
			err = ts_start(src, it->str, "dbtls: target", &t, &have);
			if (err)
				return err;
			if (have && ts_take(src, &t, false, out, &err))
				return DBTLS_OK;
			if (err)
				return err;
			continue;
		case TS_FILE:
		case TS_STDIN: {
			const char *path = it->kind == TS_STDIN ? "-" : it->str;
			ssize_t len;
			char *s;
			bool bad;

			if (!src->f) {
				src->f = it->kind == TS_STDIN ? stdin : fopen(path, "r");
				src->lineno = 0;
				if (!src->f) {
					ts_say(src, "dbtls: --targets %s: %s", path,
					       strerror(errno));
					return DBTLS_ERR_FILE;
				}
			}
			len = getline(&src->line, &src->linecap, src->f);
			if (len < 0) {
				bool failed = ferror(src->f);

				if (src->f != stdin)
					fclose(src->f);
				src->f = NULL;
				src->item++;
				if (failed) {
					ts_say(src, "dbtls: %s: read error", path);
					return DBTLS_ERR_FILE;
				}
				continue;
			}
			s = ts_clean(src, path, ++src->lineno, src->line, len, &bad);
			if (bad)
				return DBTLS_ERR_INPUT;
			if (!s)
				continue;
			err = ts_start(src, s, path, &t, &have);
			if (err)
				return err;
			if (have && ts_take(src, &t, false, out, &err))
				return DBTLS_OK;
			if (err)
				return err;
			continue;
		}
		}
	}
}
