/* SPDX-License-Identifier: MIT */
/*
 * report_json_read.c — a saved JSON report (schema_version 1) read back into facts, so that
 * `dbtls check --facts report.json` can judge an old scan under another policy without scanning.
 *
 * This is the inverse of report_json.c and follows it field by field; where the writer turns a
 * fact into something else (duration_s into whole milliseconds, a suite code into "0xC02F", a
 * group into its name) the reader turns it back. It is strict about types wherever the writer is
 * definite, naming the file and the JSON path of the offending value, and tolerant of keys it does
 * not know: the report is only ever added to (README "Report format"), and the derived parts
 * (findings, policy, summary) are not facts. Everything is read into a private tree that is handed
 * over only when the whole file has been read.
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/hello.h"

/* member flags for the typed getters */
#define RD_REQ 1u  /* the key must be present */
#define RD_NULL 2u /* null is allowed (and leaves the default) */


#if JSON_INTEGER_IS_LONG_LONG
#define RD_INT_MIN LLONG_MIN
#define RD_INT_MAX LLONG_MAX
#else
#define RD_INT_MIN LONG_MIN
#define RD_INT_MAX LONG_MAX
#endif

/* The file being read and the JSON path of the value being read (for messages). */
struct rd {
	const char *file;
	struct dbtls_diag *d;
	char path[384];
	size_t plen;
};

static enum dbtls_err rd_fail(struct rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum dbtls_err rd_fail(struct rd *r, const char *fmt, ...)
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

static enum dbtls_err rd_nomem(struct rd *r)
{
	return dbtls_diag_set(r->d, DBTLS_ERR_NOMEM, "%s: out of memory", r->file);
}

/* Appends to the path; returns the mark to hand to rd_pop. */
static size_t rd_append(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t rd_append(struct rd *r, const char *fmt, ...)
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

static size_t rd_key(struct rd *r, const char *key)
{
	return rd_append(r, r->plen ? ".%s" : "%s", key);
}

static size_t rd_idx(struct rd *r, size_t i)
{
	return rd_append(r, "[%zu]", i);
}

static void rd_pop(struct rd *r, size_t mark)
{
	r->plen = mark;
	r->path[mark] = 0;
}

static const char *rd_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

/*
 * The typed getters below read obj[key] into *out. A missing key is an error with RD_REQ and
 * leaves *out alone otherwise; null leaves *out alone when RD_NULL allows it. Type errors name
 * the path of the member.
 */

/* Fetches obj[key] for a getter: *v NULL when absent (or null and allowed) and nothing to do. */
static enum dbtls_err rd_get(struct rd *r, json_t *obj, const char *key, unsigned flags,
			     const char *want, json_t **v)
{
	enum dbtls_err err = DBTLS_OK;
	size_t m;

	*v = json_object_get(obj, key);
	if (*v && !(json_is_null(*v) && (flags & RD_NULL)))
		return DBTLS_OK;
	if (!*v && (flags & RD_REQ)) {
		m = rd_key(r, key);
		err = rd_fail(r, "missing (expected %s)", want);
		rd_pop(r, m);
	}
	*v = NULL;
	return err;
}

static enum dbtls_err rd_str(struct rd *r, json_t *obj, const char *key, unsigned flags, char **out)
{
	const char *want = flags & RD_NULL ? "a string or null" : "a string";
	enum dbtls_err err;
	json_t *v;
	size_t m;

	err = rd_get(r, obj, key, flags, want, &v);
	if (err || !v)
		return err;
	m = rd_key(r, key);
	if (!json_is_string(v)) {
		err = rd_fail(r, "expected %s, got %s", want, rd_type(v));
	} else {
		free(*out);
		*out = strdup(json_string_value(v));
		if (!*out)
			err = rd_nomem(r);
	}
	rd_pop(r, m);
	return err;
}

static enum dbtls_err rd_int(struct rd *r, json_t *obj, const char *key, unsigned flags,
			     json_int_t min, json_int_t max, json_int_t *out)
{
	const char *want = flags & RD_NULL ? "an integer or null" : "an integer";
	enum dbtls_err err;
	json_int_t i;
	json_t *v;
	size_t m;

	err = rd_get(r, obj, key, flags, want, &v);
	if (err || !v)
		return err;
	m = rd_key(r, key);
	if (!json_is_integer(v)) {
		err = rd_fail(r, "expected %s, got %s", want, rd_type(v));
		goto out;
	}
	i = json_integer_value(v);
	if (i < min || i > max) {
		err = rd_fail(r, "%" JSON_INTEGER_FORMAT " is out of range (%" JSON_INTEGER_FORMAT
				 " to %" JSON_INTEGER_FORMAT ")",
			      i, min, max);
		goto out;
	}
	*out = i;
out:
	rd_pop(r, m);
	return err;
}

static enum dbtls_err rd_bool(struct rd *r, json_t *obj, const char *key, unsigned flags, bool *out)
{
	enum dbtls_err err;
	json_t *v;
	size_t m;

	err = rd_get(r, obj, key, flags, "a boolean", &v);
	if (err || !v)
		return err;
	m = rd_key(r, key);
	if (!json_is_boolean(v))
		err = rd_fail(r, "expected a boolean, got %s", rd_type(v));
	else
		*out = json_is_true(v);
	rd_pop(r, m);
	return err;
}

/* true 1, false 0, null -1: the writer's tri-states (tls.offered, server_order). */
static enum dbtls_err rd_tri(struct rd *r, json_t *obj, const char *key, unsigned flags, int *out)
{
	enum dbtls_err err;
	json_t *v;
	size_t m;

	err = rd_get(r, obj, key, flags, "true, false or null", &v);
	if (err || !v)
		return err;
	m = rd_key(r, key);
	if (json_is_null(v))
		*out = -1;
	else if (json_is_boolean(v))
		*out = json_is_true(v);
	else
		err = rd_fail(r, "expected true, false or null, got %s", rd_type(v));
	rd_pop(r, m);
	return err;
}

/* Containers: *out is NULL when the member is absent (or null where allowed). */
static enum dbtls_err rd_container(struct rd *r, json_t *obj, const char *key, unsigned flags,
				   bool array, json_t **out)
{
	const char *want = array ? "an array" : "an object";
	enum dbtls_err err;
	json_t *v;
	size_t m;

	*out = NULL;
	err = rd_get(r, obj, key, flags, want, &v);
	if (err || !v)
		return err;
	if (array ? json_is_array(v) : json_is_object(v)) {
		*out = v;
		return DBTLS_OK;
	}
	m = rd_key(r, key);
	err = rd_fail(r, "expected %s%s, got %s", want, flags & RD_NULL ? " or null" : "",
		      rd_type(v));
	rd_pop(r, m);
	return err;
}

/*
 * RFC 3339 UTC as the writer prints it (dbtls_rfc3339). The parsed time is printed back and must
 * give the same text, which refuses what strptime would take but normalise (2023-02-30, a missing
 * "Z", trailing bytes): a report read and written again must not change.
 */
static enum dbtls_err rd_time(struct rd *r, json_t *obj, const char *key, unsigned flags,
			      time_t *t, char **s)
{
	char *text = NULL, again[32];
	enum dbtls_err err;
	const char *end;
	struct tm tm;
	size_t m;

	err = rd_str(r, obj, key, flags, &text);
	if (err || !text)
		return err;
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end && !*end) {
		*t = timegm(&tm);
		dbtls_rfc3339(*t, again, sizeof(again));
	}
	if (!end || *end || strcmp(again, text) != 0) {
		m = rd_key(r, key);
		err = rd_fail(r, "expected an RFC 3339 UTC time like %s, got '%s'",
			      "2026-11-23T19:30:00Z", text);
		rd_pop(r, m);
		*t = 0;
		free(text);
		return err;
	}
	if (s) {
		free(*s);
		*s = text;
	} else {
		free(text);
	}
	return DBTLS_OK;
}

/* "0x" and exactly ndigits (<= 8) hex digits, either case, into *out. */
static bool rd_hex(const char *s, size_t ndigits, uint32_t *out)
{
	if (strncmp(s, "0x", 2) != 0 || strlen(s + 2) != ndigits)
		return false;
	for (size_t i = 2; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	*out = (uint32_t)strtoul(s + 2, NULL, 16);
	return true;
}

/* A suite object's "code": "0xC02F" (TLS) or "0x010080" (SSLv2 kind, above 0xFFFF), as
 * js_suite prints them; tls_only refuses SSLv2 kinds (version facts' probe cipher is 16-bit). */
static enum dbtls_err rd_suite(struct rd *r, json_t *v, bool tls_only, uint32_t *out)
{
	const char *want = "expected a string like 0xC02F";
	enum dbtls_err err = DBTLS_OK;
	json_t *code;
	size_t m;
	uint32_t c;

	if (!json_is_object(v))
		return rd_fail(r, "expected a suite object, got %s", rd_type(v));
	code = json_object_get(v, "code");
	m = rd_key(r, "code");
	if (!code)
		err = rd_fail(r, "missing (%s)", want);
	else if (!json_is_string(code))
		err = rd_fail(r, "%s, got %s", want, rd_type(code));
	else if (rd_hex(json_string_value(code), 4, &c) ||
		 (!tls_only && rd_hex(json_string_value(code), 6, &c) && c > 0xffff))
		*out = c;
	else
		err = rd_fail(r, "%s%s, got '%s'", want, tls_only ? "" : " (or 0x010080 for SSLv2)",
			      json_string_value(code));
	rd_pop(r, m);
	return err;
}

static bool rd_group(struct rd *r, const char *name, uint16_t *out)
{
	(void)r;
	/* names, or "0x001F" for codes without one (as the writer prints them) */
	return dbtls_group_by_name(name, out);
}

static int rd_version_by_name(const char *s)
{
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		if (strcmp(s, dbtls_version_name((enum dbtls_version)v)) == 0)
			return v;
	return -1;
}

static enum dbtls_err rd_errcode(const char *name)
{
#define XX(id, num, msg)                                                                           \
	if (strcmp(name, #id) == 0)                                                                \
		return DBTLS_ERR_##id;
	DBTLS_ERR_MAP(XX)
#undef XX
	/* a code from a newer dbtls: the message still says what happened */
	return DBTLS_ERR_INTERNAL;
}

static enum dbtls_err rd_errors(struct rd *r, json_t *arr, struct dbtls_endpoint_facts *e)
{
	enum dbtls_err err = DBTLS_OK;
	char *code = NULL;
	size_t i, m;
	json_t *v;

	if (!json_array_size(arr))
		return DBTLS_OK;
	e->errors = calloc(json_array_size(arr), sizeof(*e->errors));
	if (!e->errors)
		return rd_nomem(r);
	e->nerrors = json_array_size(arr);
	json_array_foreach(arr, i, v) {
		struct dbtls_error_fact *ef = &e->errors[i];

		m = rd_idx(r, i);
		if (!json_is_object(v))
			err = rd_fail(r, "expected an object, got %s", rd_type(v));
		if (!err)
			err = rd_str(r, v, "code", RD_REQ, &code);
		if (!err)
			ef->code = rd_errcode(code);
		if (!err)
			err = rd_str(r, v, "message", RD_REQ | RD_NULL, &ef->message);
		if (!err)
			err = rd_str(r, v, "stage", RD_NULL, &ef->stage);
		free(code);
		code = NULL;
		rd_pop(r, m);
		if (err)
			break;
	}
	return err;
}

static enum dbtls_err rd_server(struct rd *r, json_t *o, struct dbtls_server_info *s)
{
	enum dbtls_err err = DBTLS_OK;
	char *caps = NULL;
	json_int_t i = 0;
	json_t *eo;
	int tri = -1;
	size_t m;

	/* the writer prints product and version (perhaps null) exactly when it saw a greeting */
	s->greeting_seen = json_object_get(o, "product") || json_object_get(o, "version");
	err = rd_str(r, o, "product", RD_NULL, &s->product);
	if (!err)
		err = rd_str(r, o, "version", RD_NULL, &s->version);
	if (!err)
		err = rd_int(r, o, "protocol_version", 0, INT_MIN, INT_MAX, &i);
	s->protocol_version = (int)i;
	if (!err)
		err = rd_str(r, o, "capabilities", 0, &caps);
	if (!err && caps) {
		m = rd_key(r, "capabilities");
		if (!rd_hex(caps, 8, &s->capabilities))
			err = rd_fail(r, "expected a string like 0x000083FF, got '%s'", caps);
		rd_pop(r, m);
	}
	free(caps);
	i = 0;
	if (!err)
		err = rd_int(r, o, "connection_id", 0, 0, UINT32_MAX, &i);
	s->connection_id = (uint32_t)i;
	if (!err)
		err = rd_tri(r, o, "tls_offered", RD_REQ, &tri);
	s->tls_offered = tri == 1;
	if (!err)
		err = rd_container(r, o, "error", 0, false, &eo);
	if (err || !eo)
		return err;
	m = rd_key(r, "error");
	i = 0;
	err = rd_int(r, eo, "code", RD_REQ, INT_MIN, INT_MAX, &i);
	s->err_code = (int)i;
	if (!err)
		err = rd_str(r, eo, "sqlstate", RD_NULL, &s->err_sqlstate);
	if (!err)
		err = rd_str(r, eo, "message", RD_REQ | RD_NULL, &s->err_message);
	rd_pop(r, m);
	return err;
}

/* An array of suite objects into a code list. */
static enum dbtls_err rd_suites(struct rd *r, json_t *arr, struct dbtls_version_facts *vf)
{
	enum dbtls_err err = DBTLS_OK;
	size_t i, m;
	json_t *v;

	if (!json_array_size(arr))
		return DBTLS_OK;
	vf->suites = calloc(json_array_size(arr), sizeof(*vf->suites));
	if (!vf->suites)
		return rd_nomem(r);
	json_array_foreach(arr, i, v) {
		m = rd_idx(r, i);
		err = rd_suite(r, v, false, &vf->suites[i]);
		rd_pop(r, m);
		if (err)
			return err;
		vf->nsuites++;
	}
	return DBTLS_OK;
}

static enum dbtls_err rd_version(struct rd *r, json_t *o, struct dbtls_version_facts *vf)
{
	enum dbtls_err err;
	char *status = NULL;
	uint32_t cipher = 0;
	json_t *pc, *suites;
	size_t m;
	int s;

	vf->server_order = -1;
	err = rd_str(r, o, "status", RD_REQ, &status);
	if (err)
		goto out;
	/* "not_probed" is never written (the writer maps it) but is a name facts.c knows */
	for (s = DBTLS_VS_NOT_PROBED; s <= DBTLS_VS_ERROR; s++)
		if (strcmp(status, dbtls_vstatus_name((enum dbtls_vstatus)s)) == 0)
			break;
	if (s > DBTLS_VS_ERROR) {
		m = rd_key(r, "status");
		err = rd_fail(r, "expected accepted, rejected or error, got '%s'", status);
		rd_pop(r, m);
		goto out;
	}
	vf->status = (enum dbtls_vstatus)s;
	err = rd_str(r, o, "reason", RD_NULL, &vf->reason);
	if (!err)
		err = rd_container(r, o, "probe_cipher", 0, false, &pc);
	if (!err && pc) {
		m = rd_key(r, "probe_cipher");
		err = rd_suite(r, pc, true, &cipher);
		vf->cipher = (uint16_t)cipher;
		rd_pop(r, m);
	}
	if (!err)
		err = rd_container(r, o, "suites", 0, true, &suites);
	if (!err && suites) {
		m = rd_key(r, "suites");
		err = rd_suites(r, suites, vf);
		rd_pop(r, m);
	}
	if (!err)
		err = rd_tri(r, o, "server_order", 0, &vf->server_order);
out:
	free(status);
	return err;
}

static enum dbtls_err rd_groups(struct rd *r, json_t *arr, struct dbtls_endpoint_facts *e)
{
	enum dbtls_err err = DBTLS_OK;
	size_t i, m;
	json_t *v;

	if (!json_array_size(arr))
		return DBTLS_OK;
	e->groups = calloc(json_array_size(arr), sizeof(*e->groups));
	if (!e->groups)
		return rd_nomem(r);
	json_array_foreach(arr, i, v) {
		m = rd_idx(r, i);
		if (!json_is_string(v))
			err = rd_fail(r, "expected a group name like x25519, got %s", rd_type(v));
		else if (!rd_group(r, json_string_value(v), &e->groups[i]))
			err = rd_fail(r, "unknown group '%s' (expected a name like %s)",
				      json_string_value(v), "x25519 or 0x001D");
		rd_pop(r, m);
		if (err)
			return err;
		e->ngroups++;
	}
	return DBTLS_OK;
}

static enum dbtls_err rd_tls(struct rd *r, json_t *o, struct dbtls_endpoint_facts *e)
{
	enum dbtls_err err;
	json_t *vs, *vo, *groups;
	char *with = NULL;
	json_int_t i = 0;
	size_t m, m2;

	err = rd_tri(r, o, "offered", RD_REQ, &e->tls_offered);
	if (!err)
		err = rd_container(r, o, "versions", RD_REQ, false, &vs);
	if (err)
		return err;
	m = rd_key(r, "versions");
	for (int v = 0; !err && v < DBTLS_NVERSIONS; v++) {
		const char *name = dbtls_version_name((enum dbtls_version)v);

		err = rd_container(r, vs, name, RD_REQ, false, &vo);
		if (err)
			break;
		m2 = rd_key(r, name);
		err = rd_version(r, vo, &e->versions[v]);
		rd_pop(r, m2);
	}
	rd_pop(r, m);
	if (!err)
		err = rd_container(r, o, "groups", 0, true, &groups);
	if (!err && groups) {
		m = rd_key(r, "groups");
		err = rd_groups(r, groups, e);
		rd_pop(r, m);
	}
	if (!err)
		err = rd_str(r, o, "groups_probed_with", 0, &with);
	if (!err && with) {
		e->groups_version = rd_version_by_name(with);
		if (e->groups_version < 0) {
			m = rd_key(r, "groups_probed_with");
			err = rd_fail(r, "expected a version name like TLSv1.3, got '%s'", with);
			rd_pop(r, m);
		}
	}
	free(with);
	if (!err)
		err = rd_int(r, o, "dh_bits", RD_NULL, 0, INT_MAX, &i);
	e->dh_bits = (int)i;
	return err;
}

static enum dbtls_err rd_cert(struct rd *r, json_t *o, struct dbtls_cert *c)
{
	enum dbtls_err err = DBTLS_OK;
	json_int_t i = 0;
	char *fp = NULL;
	json_t *sans, *v;
	size_t k, m;

	if (!json_is_object(o))
		return rd_fail(r, "expected an object, got %s", rd_type(o));
	err = rd_str(r, o, "subject", RD_REQ | RD_NULL, &c->subject);
	if (!err)
		err = rd_str(r, o, "issuer", RD_REQ | RD_NULL, &c->issuer);
	if (!err)
		err = rd_container(r, o, "sans", RD_REQ, true, &sans);
	if (!err && json_array_size(sans)) {
		c->sans = calloc(json_array_size(sans), sizeof(*c->sans));
		if (!c->sans)
			return rd_nomem(r);
		c->nsans = json_array_size(sans);
		m = rd_key(r, "sans");
		json_array_foreach(sans, k, v) {
			size_t m2 = rd_idx(r, k);

			if (!json_is_string(v))
				err = rd_fail(r, "expected a string, got %s", rd_type(v));
			else if (!(c->sans[k] = strdup(json_string_value(v))))
				err = rd_nomem(r);
			rd_pop(r, m2);
			if (err)
				break;
		}
		rd_pop(r, m);
	}
	if (!err)
		err = rd_str(r, o, "serial", RD_REQ | RD_NULL, &c->serial);
	if (!err)
		err = rd_time(r, o, "not_before", RD_REQ | RD_NULL, &c->not_before_t,
			      &c->not_before);
	if (!err)
		err = rd_time(r, o, "not_after", RD_REQ | RD_NULL, &c->not_after_t, &c->not_after);
	if (!err)
		err = rd_int(r, o, "days_left", RD_REQ, LONG_MIN, LONG_MAX, &i);
	c->days_left = (long)i;
	i = 0;
	if (!err)
		err = rd_str(r, o, "key_type", RD_REQ | RD_NULL, &c->key_type);
	if (!err)
		err = rd_int(r, o, "key_bits", RD_REQ, INT_MIN, INT_MAX, &i);
	c->key_bits = (int)i;
	if (!err)
		err = rd_str(r, o, "curve", RD_NULL, &c->curve);
	if (!err)
		err = rd_str(r, o, "signature_algorithm", RD_REQ | RD_NULL, &c->sig_alg);
	if (!err)
		err = rd_str(r, o, "sha256_fingerprint", RD_REQ, &fp);
	if (!err) {
		size_t n = strlen(fp);

		/* lower case only: the fingerprint is compared as text (pinning, drift) */
		k = strspn(fp, "0123456789abcdef");
		if ((n != 0 && n != 64) || k != n) {
			m = rd_key(r, "sha256_fingerprint");
			err = rd_fail(r, "expected 64 lower-case hex digits or \"\", got '%s'", fp);
			rd_pop(r, m);
		} else {
			memcpy(c->sha256, fp, n + 1);
		}
	}
	free(fp);
	if (!err)
		err = rd_bool(r, o, "self_signed", RD_REQ, &c->self_signed);
	if (!err)
		err = rd_bool(r, o, "is_ca", 0, &c->is_ca);
	if (!err)
		err = rd_str(r, o, "pem", RD_NULL, &c->pem);
	return err;
}

static enum dbtls_err rd_verification(struct rd *r, json_t *o, struct dbtls_verification *v)
{
	enum dbtls_err err;
	json_int_t i = 0;

	v->done = true;
	err = rd_bool(r, o, "ca_ok", RD_REQ, &v->ca_ok);
	if (!err)
		err = rd_bool(r, o, "hostname_ok", RD_REQ, &v->hostname_ok);
	if (!err)
		err = rd_str(r, o, "error", RD_REQ | RD_NULL, &v->error);
	if (!err)
		err = rd_int(r, o, "verify_code", 0, INT_MIN, INT_MAX, &i);
	v->verify_code = (int)i;
	if (!err)
		err = rd_str(r, o, "hostname", RD_NULL, &v->hostname_checked);
	if (!err)
		err = rd_str(r, o, "ca_source", RD_NULL, &v->ca_source);
	if (!err)
		err = rd_str(r, o, "protocol", RD_NULL, &v->protocol);
	if (!err)
		err = rd_str(r, o, "cipher", RD_NULL, &v->cipher);
	return err;
}

static enum dbtls_err rd_endpoint(struct rd *r, json_t *o, struct dbtls_endpoint_facts *e)
{
	json_t *errors, *server, *tls, *certs, *verif, *v;
	enum dbtls_err err;
	json_int_t i = 0;
	size_t k, m;

	e->tls_offered = -1;
	e->groups_version = -1;
	if (!json_is_object(o))
		return rd_fail(r, "expected an object, got %s", rd_type(o));
	err = rd_str(r, o, "target", RD_REQ, &e->target);
	if (!err)
		err = rd_str(r, o, "protocol", RD_REQ, &e->protocol);
	if (!err)
		err = rd_str(r, o, "host", RD_REQ, &e->host);
	if (!err)
		err = rd_int(r, o, "port", RD_REQ, 0, UINT16_MAX, &i);
	e->port = (uint16_t)i;
	i = 0;
	if (!err)
		err = rd_str(r, o, "address", RD_REQ | RD_NULL, &e->address);
	if (!err)
		err = rd_str(r, o, "sni", RD_NULL, &e->sni);
	if (!err)
		err = rd_int(r, o, "connections_used", RD_REQ, 0, UINT_MAX, &i);
	e->connections_used = (unsigned)i;
	i = 0;
	if (!err)
		err = rd_int(r, o, "duration_ms", 0, 0, RD_INT_MAX, &i);
	e->duration_s = (double)i / 1000.0;
	if (!err)
		err = rd_container(r, o, "errors", RD_REQ, true, &errors);
	if (!err) {
		m = rd_key(r, "errors");
		err = rd_errors(r, errors, e);
		rd_pop(r, m);
	}
	if (!err)
		err = rd_container(r, o, "server", RD_REQ, false, &server);
	if (!err) {
		m = rd_key(r, "server");
		err = rd_server(r, server, &e->server);
		rd_pop(r, m);
	}
	if (!err)
		err = rd_container(r, o, "tls", RD_REQ, false, &tls);
	if (!err) {
		m = rd_key(r, "tls");
		err = rd_tls(r, tls, e);
		rd_pop(r, m);
	}
	if (!err)
		err = rd_container(r, o, "certificates", RD_REQ, true, &certs);
	if (!err && json_array_size(certs)) {
		e->certs = calloc(json_array_size(certs), sizeof(*e->certs));
		if (!e->certs)
			return rd_nomem(r);
		e->ncerts = json_array_size(certs);
		m = rd_key(r, "certificates");
		json_array_foreach(certs, k, v) {
			size_t m2 = rd_idx(r, k);

			err = rd_cert(r, v, &e->certs[k]);
			rd_pop(r, m2);
			if (err)
				break;
		}
		rd_pop(r, m);
	}
	if (!err)
		err = rd_container(r, o, "verification", RD_REQ | RD_NULL, false, &verif);
	if (!err && verif) {
		m = rd_key(r, "verification");
		err = rd_verification(r, verif, &e->verification);
		rd_pop(r, m);
	}
	return err;
}

static enum dbtls_err rd_doc(struct rd *r, json_t *root, struct dbtls_scan_facts *s)
{
	json_t *tool, *eps, *v;
	enum dbtls_err err;
	json_int_t sv = 0;
	size_t k, m;

	if (!json_is_object(root))
		return rd_fail(r, "expected a dbtls report (a JSON object), got %s", rd_type(root));
	err = rd_int(r, root, "schema_version", RD_REQ, RD_INT_MIN, RD_INT_MAX, &sv);
	if (err)
		return err;
	if (sv != DBTLS_SCHEMA_VERSION) {
		m = rd_key(r, "schema_version");
		err = rd_fail(r, "unsupported schema_version %" JSON_INTEGER_FORMAT
				 " (this dbtls reads %d)",
			      sv, DBTLS_SCHEMA_VERSION);
		rd_pop(r, m);
		return err;
	}
	err = rd_container(r, root, "tool", RD_REQ, false, &tool);
	if (!err) {
		m = rd_key(r, "tool");
		err = rd_str(r, tool, "version", RD_REQ, &s->tool_version);
		rd_pop(r, m);
	}
	if (!err)
		err = rd_time(r, root, "started_at", RD_REQ, &s->started_at, NULL);
	if (!err)
		err = rd_time(r, root, "finished_at", RD_REQ, &s->finished_at, NULL);
	if (!err)
		err = rd_container(r, root, "endpoints", RD_REQ, true, &eps);
	if (err || !json_array_size(eps))
		return err;
	s->endpoints = calloc(json_array_size(eps), sizeof(*s->endpoints));
	if (!s->endpoints)
		return rd_nomem(r);
	s->nendpoints = json_array_size(eps);
	m = rd_key(r, "endpoints");
	json_array_foreach(eps, k, v) {
		size_t m2 = rd_idx(r, k);

		err = rd_endpoint(r, v, &s->endpoints[k]);
		rd_pop(r, m2);
		if (err)
			break;
	}
	rd_pop(r, m);
	return err;
}

enum dbtls_err dbtls_report_json_read(const char *path, struct dbtls_scan_facts *out,
				      struct dbtls_diag *d)
{
	struct rd r = { .file = path, .d = d };
	struct dbtls_scan_facts s;
	enum dbtls_err err;
	json_error_t jerr;
	json_t *root;
	int saved;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	errno = 0;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	saved = errno;
	if (!root) {
#if JANSSON_VERSION_HEX >= 0x020b00
		bool open_failed = json_error_code(&jerr) == json_error_cannot_open_file;
#else
		bool open_failed = jerr.line < 0 && saved != 0;
#endif
		if (open_failed) {
			err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path,
					     saved ? strerror(saved) : jerr.text);
			if (d)
				d->sys_errno = saved;
		} else {
			err = dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s:%d:%d: %s", path, jerr.line,
					     jerr.column, jerr.text);
		}
		goto out;
	}
	err = rd_doc(&r, root, &s);
	if (err)
		goto out;
	*out = s;
	memset(&s, 0, sizeof(s));
out:
	dbtls_scan_facts_free(&s);
	json_decref(root);
	return err;
}
