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
#include "reports/report.h"

#include "src/core/jsonpos.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/registry/names.h"

/* member flags for the typed getters */
#define RD_REQ	1u /* the key must be present */
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
		err = rd_fail(r, "expected %s, got %s", want, dbtls_json_type_name(v));
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
		err = rd_fail(r, "expected %s, got %s", want, dbtls_json_type_name(v));
		goto out;
	}
	i = json_integer_value(v);
	if (i < min || i > max) {
		err = rd_fail(r,
			      "%" JSON_INTEGER_FORMAT " is out of range (%" JSON_INTEGER_FORMAT
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
		err = rd_fail(r, "expected a boolean, got %s", dbtls_json_type_name(v));
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
		err = rd_fail(r, "expected true, false or null, got %s", dbtls_json_type_name(v));
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
		      dbtls_json_type_name(v));
	rd_pop(r, m);
	return err;
}

/*
 * RFC 3339 UTC as the writer prints it (dbtls_rfc3339). The parsed time is printed back and must
 * give the same text, which refuses what strptime would take but normalise (2023-02-30, a missing
 * "Z", trailing bytes): a report read and written again must not change.
 */
static enum dbtls_err rd_time(struct rd *r, json_t *obj, const char *key, unsigned flags, time_t *t,
			      char **s)
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
		return rd_fail(r, "expected a suite object, got %s", dbtls_json_type_name(v));
	code = json_object_get(v, "code");
	m = rd_key(r, "code");
	if (!code)
		err = rd_fail(r, "missing (%s)", want);
	else if (!json_is_string(code))
		err = rd_fail(r, "%s, got %s", want, dbtls_json_type_name(code));
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
	json_array_foreach(arr, i, v)
	{
		struct dbtls_error_fact *ef = &e->errors[i];

		m = rd_idx(r, i);
		if (!json_is_object(v))
			err = rd_fail(r, "expected an object, got %s", dbtls_json_type_name(v));
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
	json_array_foreach(arr, i, v)
	{
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
	json_array_foreach(arr, i, v)
	{
		m = rd_idx(r, i);
		if (!json_is_string(v))
			err = rd_fail(r, "expected a group name like x25519, got %s",
				      dbtls_json_type_name(v));
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

/* An optional array of strings (or null); *present tells whether it was an array. */
static enum dbtls_err rd_strings(struct rd *r, json_t *o, const char *key, char ***arr, size_t *n,
				 bool *present)
{
	enum dbtls_err err = DBTLS_OK;
	json_t *a, *v;
	size_t k, m;

	err = rd_container(r, o, key, RD_NULL, true, &a);
	if (present)
		*present = a != NULL;
	if (err || !a || !json_array_size(a))
		return err;
	*arr = calloc(json_array_size(a), sizeof(**arr));
	if (!*arr)
		return rd_nomem(r);
	m = rd_key(r, key);
	json_array_foreach(a, k, v)
	{
		size_t m2 = rd_idx(r, k);
		if (!json_is_string(v))
			err = rd_fail(r, "expected a string, got %s", dbtls_json_type_name(v));
		else if (!((*arr)[k] = strdup(json_string_value(v))))
			err = rd_nomem(r);
		else
			(*n)++;
		rd_pop(r, m2);
		if (err)
			break;
	}
	rd_pop(r, m);
	return err;
}

static enum dbtls_err rd_key_usage(struct rd *r, json_t *o, struct dbtls_cert *c)
{
	char **ku = NULL;
	size_t n = 0, i, k;
	enum dbtls_err err = rd_strings(r, o, "key_usage", &ku, &n, &c->has_key_usage);

	for (i = 0; !err && i < n; i++) {
		for (k = 0; k < dbtls_nkey_usage_names; k++)
			if (!strcmp(ku[i], dbtls_key_usage_names[k].name))
				break;
		if (k < dbtls_nkey_usage_names) {
			c->key_usage |= dbtls_key_usage_names[k].bit;
		} else {
			size_t m = rd_key(r, "key_usage");
			err = rd_fail(r, "unknown key usage '%s'", ku[i]);
			rd_pop(r, m);
		}
	}
	for (i = 0; i < n; i++)
		free(ku[i]);
	free(ku);
	return err;
}

static enum dbtls_err rd_revocation(struct rd *r, json_t *o, struct dbtls_revocation *rv)
{
	static const enum dbtls_rev_status all[] = {DBTLS_REV_NOT_CHECKED, DBTLS_REV_GOOD,
						    DBTLS_REV_REVOKED, DBTLS_REV_UNKNOWN,
						    DBTLS_REV_UNAVAILABLE};
	enum dbtls_err err;
	char *st = NULL;
	json_t *x;
	size_t m, i;

	err = rd_container(r, o, "revocation", RD_NULL, false, &x);
	if (err || !x)
		return err;
	m = rd_key(r, "revocation");
	err = rd_str(r, x, "status", RD_REQ, &st);
	for (i = 0; !err && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(st, dbtls_rev_status_name(all[i]))) {
			rv->status = all[i];
			break;
		}
	if (!err && i == sizeof(all) / sizeof(all[0])) {
		size_t m2 = rd_key(r, "status");
		err = rd_fail(r, "unknown revocation status '%s'", st);
		rd_pop(r, m2);
	}
	free(st);
	if (!err)
		err = rd_str(r, x, "source", RD_NULL, &rv->source);
	if (!err)
		err = rd_str(r, x, "revoked_at", RD_NULL, &rv->revoked_at);
	if (!err)
		err = rd_str(r, x, "reason", RD_NULL, &rv->reason);
	if (!err)
		err = rd_str(r, x, "this_update", RD_NULL, &rv->this_update);
	if (!err)
		err = rd_str(r, x, "next_update", RD_NULL, &rv->next_update);
	if (!err)
		err = rd_str(r, x, "detail", RD_NULL, &rv->detail);
	rd_pop(r, m);
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
		return rd_fail(r, "expected an object, got %s", dbtls_json_type_name(o));
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
		json_array_foreach(sans, k, v)
		{
			size_t m2 = rd_idx(r, k);

			if (!json_is_string(v))
				err = rd_fail(r, "expected a string, got %s",
					      dbtls_json_type_name(v));
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
		err =
		    rd_time(r, o, "not_before", RD_REQ | RD_NULL, &c->not_before_t, &c->not_before);
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
	if (!err)
		err = rd_strings(r, o, "eku", &c->eku, &c->neku, &c->has_eku);
	if (!err)
		err = rd_key_usage(r, o, c);
	if (!err)
		err = rd_str(r, o, "ocsp_url", RD_NULL, &c->ocsp_url);
	if (!err)
		err = rd_strings(r, o, "crl_urls", &c->crl_urls, &c->ncrl_urls, NULL);
	if (!err)
		err = rd_revocation(r, o, &c->revocation);
	return err;
}

static enum dbtls_err rd_chain(struct rd *r, json_t *o, struct dbtls_chain_facts *ch)
{
	enum dbtls_err err;
	json_int_t i = 0;
	json_t *x;
	size_t m;

	err = rd_container(r, o, "chain", RD_NULL, false, &x);
	if (err || !x)
		return err;
	m = rd_key(r, "chain");
	ch->analysed = true;
	err = rd_bool(r, x, "incomplete", RD_REQ, &ch->incomplete);
	if (!err)
		err = rd_str(r, x, "missing_issuer", RD_NULL, &ch->missing_issuer);
	if (!err)
		err = rd_bool(r, x, "misordered", RD_REQ, &ch->misordered);
	if (!err)
		err = rd_int(r, x, "extra", 0, 0, INT_MAX, &i);
	ch->extra = (size_t)i;
	if (!err)
		err = rd_bool(r, x, "anchor_served", 0, &ch->anchor_served);
	if (!err)
		err = rd_str(r, x, "anchor_subject", RD_NULL, &ch->anchor_subject);
	if (!err)
		err = rd_str(r, x, "anchor_sha256", RD_NULL, &ch->anchor_sha256);
	i = 0;
	if (!err)
		err = rd_int(r, x, "anchor_days_left", RD_NULL, LONG_MIN, LONG_MAX, &i);
	ch->anchor_days_left = (long)i;
	if (!err)
		err = rd_time(r, x, "anchor_not_after", RD_NULL, &ch->anchor_not_after, NULL);
	rd_pop(r, m);
	return err;
}

static enum dbtls_err rd_rotation(struct rd *r, json_t *o, struct dbtls_rotation_facts *ro)
{
	enum dbtls_err err;
	json_int_t i = 0;
	json_t *x;
	size_t m;

	err = rd_container(r, o, "rotation", RD_NULL, false, &x);
	if (err || !x)
		return err;
	m = rd_key(r, "rotation");
	err = rd_bool(r, x, "checked", RD_REQ, &ro->checked);
	if (!err)
		err = rd_bool(r, x, "ready", RD_REQ, &ro->ready);
	if (!err)
		err = rd_str(r, x, "error", RD_NULL, &ro->error);
	if (!err)
		err = rd_str(r, x, "anchor_subject", RD_NULL, &ro->anchor_subject);
	if (!err)
		err = rd_str(r, x, "anchor_sha256", RD_NULL, &ro->anchor_sha256);
	if (!err)
		err = rd_int(r, x, "anchor_days_left", RD_NULL, LONG_MIN, LONG_MAX, &i);
	ro->anchor_days_left = (long)i;
	rd_pop(r, m);
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
	if (!err)
		err = rd_bool(r, o, "stapled", 0, &v->stapled);
	if (!err)
		err = rd_chain(r, o, &v->chain);
	if (!err)
		err = rd_rotation(r, o, &v->rotation);
	return err;
}

/* ---- sql (scan --sql): the inverse of report_json.c's js_sql ---- */

/* A status string that must be one of name(first) … name(last); its value in *out. */
static enum dbtls_err rd_sql_name(struct rd *r, json_t *o, const char *key, unsigned flags,
				  const char *(*name)(int), int first, int last, int *out)
{
	enum dbtls_err err;
	char *s = NULL;
	size_t m;
	int v;

	err = rd_str(r, o, key, flags, &s);
	if (err || !s)
		return err;
	for (v = first; v <= last; v++)
		if (strcmp(s, name(v)) == 0)
			break;
	if (v > last) {
		m = rd_key(r, key);
		err =
		    rd_fail(r, "unknown value '%s' (expected %s … %s)", s, name(first), name(last));
		rd_pop(r, m);
	} else {
		*out = v;
	}
	free(s);
	return err;
}

static const char *rd_sql_status_name(int v)
{
	return dbtls_sql_status_name((enum dbtls_sql_status)v);
}

static const char *rd_sql_avail_name(int v)
{
	return dbtls_sql_avail_name((enum dbtls_sql_avail)v);
}

/* { "name": "value" | null, … } in file order. */
static enum dbtls_err rd_sql_values(struct rd *r, json_t *o, const char *key,
				    struct dbtls_sql_value **out, size_t *nout)
{
	enum dbtls_err err;
	const char *name;
	json_t *obj, *v;
	size_t m, n = 0;

	err = rd_container(r, o, key, 0, false, &obj);
	if (err || !obj || !json_object_size(obj))
		return err;
	*out = calloc(json_object_size(obj), sizeof(**out));
	if (!*out)
		return rd_nomem(r);
	m = rd_key(r, key);
	json_object_foreach(obj, name, v)
	{
		struct dbtls_sql_value *sv = &(*out)[n];

		if (!json_is_string(v) && !json_is_null(v)) {
			size_t m2 = rd_key(r, name);
			err = rd_fail(r, "expected a string or null, got %s",
				      dbtls_json_type_name(v));
			rd_pop(r, m2);
			break;
		}
		sv->name = strdup(name);
		sv->value = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
		n++;
		if (!sv->name || (json_is_string(v) && !sv->value)) {
			err = rd_nomem(r);
			break;
		}
	}
	*nout = n;
	rd_pop(r, m);
	return err;
}

static enum dbtls_err rd_sql_conn(struct rd *r, json_t *o, struct dbtls_sql_conn *c)
{
	enum dbtls_err err;
	json_int_t id = 0;

	if (!json_is_object(o))
		return rd_fail(r, "expected an object, got %s", dbtls_json_type_name(o));
	err = rd_int(r, o, "id", RD_REQ, 0, RD_INT_MAX, &id);
	c->id = (unsigned long long)id;
	if (!err)
		err = rd_str(r, o, "user", RD_NULL, &c->user);
	if (!err)
		err = rd_str(r, o, "host", RD_NULL, &c->host);
	if (!err)
		err = rd_str(r, o, "program", RD_NULL, &c->program);
	if (!err)
		err = rd_str(r, o, "type", RD_NULL, &c->type);
	if (!err)
		err = rd_str(r, o, "tls_version", RD_NULL, &c->tls_version);
	if (!err)
		err = rd_str(r, o, "cipher", RD_NULL, &c->cipher);
	if (!err)
		err = rd_bool(r, o, "self", 0, &c->self);
	return err;
}

static enum dbtls_err rd_sql_account(struct rd *r, json_t *o, struct dbtls_sql_account *a)
{
	enum dbtls_err err;

	if (!json_is_object(o))
		return rd_fail(r, "expected an object, got %s", dbtls_json_type_name(o));
	err = rd_str(r, o, "user", RD_REQ | RD_NULL, &a->user);
	if (!err)
		err = rd_str(r, o, "host", RD_REQ | RD_NULL, &a->host);
	if (!err)
		err = rd_str(r, o, "require", RD_REQ | RD_NULL, &a->require);
	if (!err)
		err = rd_str(r, o, "issuer", RD_NULL, &a->issuer);
	if (!err)
		err = rd_str(r, o, "subject", RD_NULL, &a->subject);
	if (!err)
		err = rd_str(r, o, "cipher", RD_NULL, &a->cipher);
	if (!err)
		err = rd_bool(r, o, "network", RD_REQ, &a->network);
	if (!err)
		err = rd_bool(r, o, "locked", 0, &a->locked);
	return err;
}

static enum dbtls_err rd_sql_unreadable(struct rd *r, json_t *o, struct dbtls_sql_unreadable *u)
{
	enum dbtls_err err;
	json_int_t code = 0;

	if (!json_is_object(o))
		return rd_fail(r, "expected an object, got %s", dbtls_json_type_name(o));
	err = rd_str(r, o, "what", RD_REQ | RD_NULL, &u->what);
	if (!err)
		err = rd_str(r, o, "statement", RD_REQ | RD_NULL, &u->statement);
	if (!err)
		err = rd_int(r, o, "code", 0, 0, UINT_MAX, &code);
	u->code = (unsigned)code;
	if (!err)
		err = rd_str(r, o, "message", RD_NULL, &u->message);
	return err;
}

/* An array member of o read element by element with one() into a new array of n items of size
 * bytes each; *n counts the elements read, and a half-read one too, so that it is freed. */
static enum dbtls_err rd_sql_list(struct rd *r, json_t *o, const char *key, size_t size,
				  enum dbtls_err (*one)(struct rd *r, json_t *v, void *item),
				  void **items, size_t *n)
{
	enum dbtls_err err;
	json_t *a, *v;
	size_t k, m;

	err = rd_container(r, o, key, 0, true, &a);
	if (err || !a || !json_array_size(a))
		return err;
	*items = calloc(json_array_size(a), size);
	if (!*items)
		return rd_nomem(r);
	m = rd_key(r, key);
	json_array_foreach(a, k, v)
	{
		size_t m2 = rd_idx(r, k);

		err = one(r, v, (char *)*items + k * size);
		rd_pop(r, m2);
		(*n)++;
		if (err)
			break;
	}
	rd_pop(r, m);
	return err;
}

static enum dbtls_err rd_sql_conn_item(struct rd *r, json_t *v, void *item)
{
	return rd_sql_conn(r, v, item);
}

static enum dbtls_err rd_sql_account_item(struct rd *r, json_t *v, void *item)
{
	return rd_sql_account(r, v, item);
}

static enum dbtls_err rd_sql_unreadable_item(struct rd *r, json_t *v, void *item)
{
	return rd_sql_unreadable(r, v, item);
}

static enum dbtls_err rd_sql(struct rd *r, json_t *o, struct dbtls_sql_facts *s)
{
	json_t *conns = NULL, *accts = NULL;
	void *items = NULL; /* each list as rd_sql_list hands it over */
	enum dbtls_err err;
	json_int_t code = 0;
	int v = 0, tri = -1;
	size_t m;

	err = rd_sql_name(r, o, "status", RD_REQ, rd_sql_status_name, DBTLS_SQL_OK,
			  DBTLS_SQL_SKIPPED, &v);
	s->status = (enum dbtls_sql_status)v;
	if (!err)
		err = rd_str(r, o, "reason", RD_NULL, &s->reason);
	if (!err)
		err = rd_int(r, o, "error_code", RD_NULL, 0, UINT_MAX, &code);
	s->error_code = (unsigned)code;
	if (!err)
		err = rd_tri(r, o, "verify_server_cert", 0, &tri);
	s->verify_cert = tri == 1;
	if (!err)
		err = rd_str(r, o, "ca_source", RD_NULL, &s->ca_source);
	if (!err)
		err = rd_str(r, o, "user", RD_NULL, &s->user);
	if (!err)
		err = rd_str(r, o, "account", RD_NULL, &s->account);
	if (!err)
		err = rd_str(r, o, "server_version", RD_NULL, &s->server_version);
	if (!err)
		err = rd_sql_values(r, o, "session", &s->session, &s->nsession);
	if (!err)
		err = rd_sql_values(r, o, "variables", &s->variables, &s->nvariables);
	if (!err)
		err = rd_container(r, o, "connections", 0, false, &conns);
	if (!err && conns) {
		m = rd_key(r, "connections");
		v = 0;
		err = rd_sql_name(r, conns, "status", 0, rd_sql_avail_name,
				  DBTLS_SQL_AV_NOT_COLLECTED, DBTLS_SQL_AV_UNREADABLE, &v);
		s->connections_status = (enum dbtls_sql_avail)v;
		if (!err)
			err = rd_sql_list(r, conns, "list", sizeof(*s->connections),
					  rd_sql_conn_item, &items, &s->nconnections);
		s->connections = items;
		items = NULL;
		rd_pop(r, m);
	}
	if (!err)
		err = rd_container(r, o, "accounts", 0, false, &accts);
	if (!err && accts) {
		m = rd_key(r, "accounts");
		v = 0;
		err = rd_sql_name(r, accts, "status", 0, rd_sql_avail_name,
				  DBTLS_SQL_AV_NOT_COLLECTED, DBTLS_SQL_AV_UNREADABLE, &v);
		s->accounts_status = (enum dbtls_sql_avail)v;
		if (!err)
			err = rd_str(r, accts, "source", RD_NULL, &s->accounts_source);
		if (!err)
			err = rd_sql_list(r, accts, "list", sizeof(*s->accounts),
					  rd_sql_account_item, &items, &s->naccounts);
		s->accounts = items;
		items = NULL;
		rd_pop(r, m);
	}
	if (!err)
		err = rd_sql_list(r, o, "unreadable", sizeof(*s->unreadable),
				  rd_sql_unreadable_item, &items, &s->nunreadable);
	s->unreadable = items;
	return err;
}

/* ---- handshake facts: the writer's js_groups13 … js_vulns, each object optional ---- */

/* An optional array of group names into a new array. */
static enum dbtls_err rd_group_list(struct rd *r, json_t *o, const char *key, uint16_t **out,
				    size_t *n)
{
	enum dbtls_err err = DBTLS_OK;
	json_t *a, *v;
	size_t k, m;

	err = rd_container(r, o, key, 0, true, &a);
	if (err || !a || !json_array_size(a))
		return err;
	*out = calloc(json_array_size(a), sizeof(**out));
	if (!*out)
		return rd_nomem(r);
	m = rd_key(r, key);
	json_array_foreach(a, k, v)
	{
		size_t m2 = rd_idx(r, k);
		if (!json_is_string(v) || !rd_group(r, json_string_value(v), &(*out)[k]))
			err = rd_fail(r, "expected a group name like %s", "X25519MLKEM768");
		else
			(*n)++;
		rd_pop(r, m2);
		if (err)
			break;
	}
	rd_pop(r, m);
	return err;
}

static enum dbtls_err rd_groups13(struct rd *r, json_t *o, struct dbtls_groups13_facts *g)
{
	enum dbtls_err err;

	g->probed = true;
	err = rd_group_list(r, o, "hrr_tested", &g->hrr_tested, &g->nhrr_tested);
	if (!err)
		err = rd_group_list(r, o, "hrr", &g->hrr, &g->nhrr);
	if (!err)
		err = rd_str(r, o, "note", RD_NULL, &g->note);
	return err;
}

static enum dbtls_err rd_hygiene(struct rd *r, json_t *o, struct dbtls_hygiene_facts *h)
{
	static const char *const keys[] = {"secure_renegotiation",
					   "extended_master_secret",
					   "encrypt_then_mac",
					   "session_ticket",
					   "status_request",
					   "compression",
					   "heartbeat",
					   "fallback_scsv"};
	int *const vals[] = {&h->secure_renegotiation,
			     &h->extended_master_secret,
			     &h->encrypt_then_mac,
			     &h->session_ticket,
			     &h->status_request,
			     &h->compression,
			     &h->heartbeat,
			     &h->fallback_scsv};
	enum dbtls_err err;
	char *with = NULL;
	size_t m;

	h->probed = true;
	err = rd_str(r, o, "probed_with", RD_REQ, &with);
	if (!err && (h->version = rd_version_by_name(with)) < 0) {
		m = rd_key(r, "probed_with");
		err = rd_fail(r, "expected a version name like TLSv1.2, got '%s'", with);
		rd_pop(r, m);
	}
	free(with);
	for (size_t i = 0; !err && i < sizeof(keys) / sizeof(keys[0]); i++) {
		*vals[i] = -1;
		err = rd_tri(r, o, keys[i], RD_REQ, vals[i]);
	}
	if (!err)
		err = rd_str(r, o, "fallback_detail", RD_NULL, &h->fallback_detail);
	return err;
}

static enum dbtls_err rd_client_auth(struct rd *r, json_t *o, struct dbtls_client_auth_facts *c)
{
	enum dbtls_err err;

	c->probed = true;
	c->requested = -1;
	err = rd_tri(r, o, "requested", RD_REQ, &c->requested);
	if (!err)
		err = rd_strings(r, o, "ca_names", &c->ca_names, &c->nca_names, NULL);
	if (!err)
		err = rd_strings(r, o, "sigalgs", &c->sigalgs, &c->nsigalgs, NULL);
	return err;
}

static enum dbtls_err rd_vulns(struct rd *r, json_t *o, struct dbtls_vuln_facts *v)
{
	enum dbtls_err err;
	json_int_t i = 0;

	v->probed = true;
	v->heartbleed = v->ccs_injection = v->dh_prime_prime = v->dh_prime_safe = -1;
	err = rd_tri(r, o, "heartbleed", RD_REQ, &v->heartbleed);
	if (!err)
		err = rd_str(r, o, "heartbleed_detail", RD_NULL, &v->heartbleed_detail);
	if (!err)
		err = rd_tri(r, o, "ccs_injection", RD_REQ, &v->ccs_injection);
	if (!err)
		err = rd_str(r, o, "ccs_detail", RD_NULL, &v->ccs_detail);
	if (!err)
		err = rd_int(r, o, "dh_bits", RD_NULL, 0, INT_MAX, &i);
	v->dh_bits = (int)i;
	if (!err)
		err = rd_str(r, o, "dh_prime_name", RD_NULL, &v->dh_prime_name);
	if (!err)
		err = rd_tri(r, o, "dh_prime_is_prime", 0, &v->dh_prime_prime);
	if (!err)
		err = rd_tri(r, o, "dh_prime_is_safe", 0, &v->dh_prime_safe);
	return err;
}

static enum dbtls_err rd_sigalgs(struct rd *r, json_t *o, struct dbtls_sigalg_facts *s)
{
	enum dbtls_err err;

	s->probed = true;
	err = rd_strings(r, o, "tls12", &s->tls12, &s->ntls12, NULL);
	if (!err)
		err = rd_strings(r, o, "tls13", &s->tls13, &s->ntls13, &s->tls13_probed);
	return err;
}

static enum dbtls_err rd_handshake_facts(struct rd *r, json_t *o, struct dbtls_endpoint_facts *e)
{
	enum dbtls_err err = DBTLS_OK;
	json_t *v;
	size_t m;

#define RD_HS_OBJ(key, call)                                                                       \
	do {                                                                                       \
		if (!err)                                                                          \
			err = rd_container(r, o, key, 0, false, &v);                               \
		if (!err && v) {                                                                   \
			m = rd_key(r, key);                                                        \
			err = call;                                                                \
			rd_pop(r, m);                                                              \
		}                                                                                  \
	} while (0)
	RD_HS_OBJ("groups_tls13", rd_groups13(r, v, &e->groups13));
	RD_HS_OBJ("hygiene", rd_hygiene(r, v, &e->hygiene));
	RD_HS_OBJ("client_auth", rd_client_auth(r, v, &e->client_auth));
	RD_HS_OBJ("sigalgs", rd_sigalgs(r, v, &e->sigalgs));
	RD_HS_OBJ("vulnerabilities", rd_vulns(r, v, &e->vulns));
#undef RD_HS_OBJ
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
		return rd_fail(r, "expected an object, got %s", dbtls_json_type_name(o));
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
		json_array_foreach(certs, k, v)
		{
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
	if (!err) /* only in scans with --sql */
		err = rd_container(r, o, "sql", 0, false, &v);
	if (!err && v) {
		m = rd_key(r, "sql");
		err = rd_sql(r, v, &e->sql);
		rd_pop(r, m);
	}
	if (!err) /* only in scans that reached the handshake-facts step */
		err = rd_handshake_facts(r, o, e);
	return err;
}

static enum dbtls_err rd_doc(struct rd *r, json_t *root, struct dbtls_scan_facts *s)
{
	json_t *tool, *eps, *v;
	enum dbtls_err err;
	json_int_t sv = 0;
	size_t k, m;

	if (!json_is_object(root))
		return rd_fail(r, "expected a dbtls report (a JSON object), got %s",
			       dbtls_json_type_name(root));
	err = rd_int(r, root, "schema_version", RD_REQ, RD_INT_MIN, RD_INT_MAX, &sv);
	if (err)
		return err;
	if (sv != DBTLS_SCHEMA_VERSION) {
		m = rd_key(r, "schema_version");
		err = rd_fail(
		    r, "unsupported schema_version %" JSON_INTEGER_FORMAT " (this dbtls reads %d)",
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
	if (!err) {
		json_t *rot;
		err = rd_container(r, root, "rotation", RD_NULL, false, &rot);
		if (!err && rot) {
			m = rd_key(r, "rotation");
			err = rd_str(r, rot, "new_ca_file", RD_NULL, &s->new_ca_file);
			rd_pop(r, m);
		}
	}
	if (!err)
		err = rd_container(r, root, "endpoints", RD_REQ, true, &eps);
	if (err || !json_array_size(eps))
		return err;
	s->endpoints = calloc(json_array_size(eps), sizeof(*s->endpoints));
	if (!s->endpoints)
		return rd_nomem(r);
	s->nendpoints = json_array_size(eps);
	m = rd_key(r, "endpoints");
	json_array_foreach(eps, k, v)
	{
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
	struct rd r = {.file = path, .d = d};
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
