/* SPDX-License-Identifier: MIT */
/*
 * fields_conv.c — the converters the field table's rows use (see fields.h): how one JSON value
 * is made from a C member, read back into it, and described in the schema. A new kind of value
 * (another registry name, another encoding) is one converter here; a new field is not.
 */
#include "reports/json/fields.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/report.h"
#include "src/core/escape.h"
#include "src/core/jsonpos.h"
#include "src/registry/names.h"
#include "src/registry/suites.h"

/* ---- converters --------------------------------------------------------------------------- */

/* facts hold bytes from the network; jansson refuses invalid UTF-8, so the bytes that are not
 * UTF-8 become \xNN (the one escaping policy, DBTLS_ESC_JSON) rather than the field being dropped;
 * valid UTF-8, control characters included, is kept (jansson escapes those as \u00NN) */
json_t *dbtls_fc_json_str(const char *s)
{
	json_t *j;
	char *esc;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	esc = dbtls_esc_strdup(s, DBTLS_ESC_JSON);
	j = esc ? json_string(esc) : NULL;
	free(esc);
	return j ? j : json_null();
}

static json_t *sc_type(const char *type, const struct dbtls_field *f)
{
	if (f && (f->flags & DBTLS_F_NULL))
		return json_pack("{s:[s,s]}", "type", type, "null");
	return json_pack("{s:s}", "type", type);
}

/* a $ref, or anyOf [$ref, null] for nullable rows */
static json_t *sc_ref(const char *def, const struct dbtls_field *f)
{
	char ref[64];

	snprintf(ref, sizeof(ref), "#/$defs/%s", def);
	if (f && (f->flags & DBTLS_F_NULL))
		return json_pack("{s:[{s:s},{s:s}]}", "anyOf", "$ref", ref, "type", "null");
	return json_pack("{s:s}", "$ref", ref);
}

static enum dbtls_err rd_want(struct dbtls_rd *r, const char *want, const json_t *v)
{
	return dbtls_rd_fail(r, "expected %s, got %s", want, dbtls_json_type_name(v));
}

/* strings */
static json_t *w_str(const void *p, const void *base, const struct dbtls_field *f)
{
	const char *s = *(char *const *)p;

	return dbtls_fc_json_str(s ? s : f ? f->dflt : NULL);
}

static enum dbtls_err r_str(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			    const struct dbtls_field *f)
{
	char **out = p;

	if (!json_is_string(v))
		return rd_want(r, f && (f->flags & DBTLS_F_NULL) ? "a string or null" : "a string",
			       v);
	free(*out);
	*out = strdup(json_string_value(v));
	return *out ? DBTLS_OK : dbtls_rd_nomem(r);
}

static json_t *s_str(const struct dbtls_field *f)
{
	json_t *o = sc_type("string", f);

	if (o && f && f->pattern)
		json_object_set_new(o, "pattern", json_string(f->pattern));
	return o;
}

const struct dbtls_fconv dbtls_fc_str = {"a string", w_str, r_str, s_str};

/* integers of any width: signed when the row's range goes below zero */
static long long ld_int(const void *p, const struct dbtls_field *f)
{
	bool sig = f->min < 0;

	switch (f->size) {
	case 1:
		return sig ? *(const int8_t *)p : *(const uint8_t *)p;
	case 2:
		return sig ? *(const int16_t *)p : *(const uint16_t *)p;
	case 4:
		return sig ? *(const int32_t *)p : (long long)*(const uint32_t *)p;
	default:
		return sig ? *(const int64_t *)p : (long long)*(const uint64_t *)p;
	}
}

static void st_int(void *p, const struct dbtls_field *f, long long v)
{
	switch (f->size) {
	case 1:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(uint64_t *)p = (uint64_t)v;
	}
}

static json_t *w_int(const void *p, const void *base, const struct dbtls_field *f)
{
	return json_integer((json_int_t)ld_int(p, f));
}

static enum dbtls_err rd_range(struct dbtls_rd *r, const json_t *v, const struct dbtls_field *f,
			       long long *out)
{
	long long i;

	if (!json_is_integer(v))
		return rd_want(r, f->flags & DBTLS_F_NULL ? "an integer or null" : "an integer", v);
	i = (long long)json_integer_value(v);
	if (i < f->min || i > f->max)
		return dbtls_rd_fail(r, "%lld is out of range (%lld to %lld)", i, f->min, f->max);
	*out = i;
	return DBTLS_OK;
}

static enum dbtls_err r_int(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			    const struct dbtls_field *f)
{
	long long i = 0;
	enum dbtls_err err = rd_range(r, v, f, &i);

	if (!err)
		st_int(p, f, i);
	return err;
}

static json_t *s_int(const struct dbtls_field *f)
{
	json_t *o = sc_type("integer", f);

	/* ranges worth stating: non-negative counts, and small codes like ports */
	if (o && f->min >= 0)
		json_object_set_new(o, "minimum", json_integer(f->min));
	if (o && f->max <= 65535)
		json_object_set_new(o, "maximum", json_integer(f->max));
	return o;
}

const struct dbtls_fconv dbtls_fc_int = {"an integer", w_int, r_int, s_int};

/* duration_s (double seconds) as whole milliseconds */
static json_t *w_ms(const void *p, const void *base, const struct dbtls_field *f)
{
	return json_integer((json_int_t)(*(const double *)p * 1000 + 0.5));
}

static enum dbtls_err r_ms(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			   const struct dbtls_field *f)
{
	long long i = 0;
	enum dbtls_err err = rd_range(r, v, f, &i);

	if (!err)
		*(double *)p = (double)i / 1000.0;
	return err;
}

const struct dbtls_fconv dbtls_fc_ms = {"an integer", w_ms, r_ms, s_int};

/* booleans */
static json_t *w_bool(const void *p, const void *base, const struct dbtls_field *f)
{
	return json_boolean(*(const bool *)p);
}

static enum dbtls_err r_bool(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			     const struct dbtls_field *f)
{
	if (!json_is_boolean(v))
		return rd_want(
		    r, f && (f->flags & DBTLS_F_NULL) ? "a boolean or null" : "a boolean", v);
	*(bool *)p = json_is_true(v);
	return DBTLS_OK;
}

static json_t *s_bool(const struct dbtls_field *f)
{
	return sc_type("boolean", f);
}

const struct dbtls_fconv dbtls_fc_bool = {"a boolean", w_bool, r_bool, s_bool};

/* tri-states: int 1 / 0 / -1 as true / false / null; aux names a bool that mirrors "== 1" */
static json_t *w_tri(const void *p, const void *base, const struct dbtls_field *f)
{
	int v = *(const int *)p;

	return v < 0 ? json_null() : json_boolean(v);
}

static enum dbtls_err r_tri(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			    const struct dbtls_field *f)
{
	if (!json_is_boolean(v))
		return rd_want(r, "true, false or null", v);
	*(int *)p = json_is_true(v);
	if (f->aux && base)
		*(bool *)((char *)base + f->aux - 1) = json_is_true(v);
	return DBTLS_OK;
}

static json_t *s_tri(const struct dbtls_field *f)
{
	return json_pack("{s:[s,s]}", "type", "boolean", "null");
}

const struct dbtls_fconv dbtls_fc_tri = {"true, false or null", w_tri, r_tri, s_tri};

/* hex codes: "0x" and aux upper-case digits ("0x0000F7FE") */
static json_t *w_hex(const void *p, const void *base, const struct dbtls_field *f)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "0x%0*llX", (int)f->aux, (unsigned long long)ld_int(p, f));
	return json_string(hex);
}

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

static enum dbtls_err r_hex(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			    const struct dbtls_field *f)
{
	char want[48];
	uint32_t c;

	snprintf(want, sizeof(want), "a string like 0x%0*X", (int)f->aux, 0x83FFu);
	if (!json_is_string(v))
		return rd_want(r, want, v);
	if (!rd_hex(json_string_value(v), f->aux, &c))
		return dbtls_rd_fail(r, "expected %s, got '%s'", want, json_string_value(v));
	st_int(p, f, c);
	return DBTLS_OK;
}

static json_t *s_hex(const struct dbtls_field *f)
{
	char pat[48];

	snprintf(pat, sizeof(pat), "^0x[0-9A-F]{%zu}$", f->aux);
	return json_pack("{s:s, s:s}", "type", "string", "pattern", pat);
}

const struct dbtls_fconv dbtls_fc_hex = {"a hex string", w_hex, r_hex, s_hex};

/* file permission bits as chmod writes them: "0644" */
static json_t *w_mode(const void *p, const void *base, const struct dbtls_field *f)
{
	char mode[8];

	snprintf(mode, sizeof(mode), "%04llo", (unsigned long long)ld_int(p, f) & 07777);
	return json_string(mode);
}

static enum dbtls_err r_mode(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			     const struct dbtls_field *f)
{
	const char *s;

	if (!json_is_string(v))
		return rd_want(r, "a string like 0644", v);
	s = json_string_value(v);
	if (strlen(s) != 4 || strspn(s, "01234567") != 4)
		return dbtls_rd_fail(r, "expected a string like 0644, got '%s'", s);
	st_int(p, f, strtoul(s, NULL, 8));
	return DBTLS_OK;
}

static json_t *s_mode(const struct dbtls_field *f)
{
	return json_pack("{s:s, s:s}", "type", "string", "pattern", "^[0-7]{4}$");
}

const struct dbtls_fconv dbtls_fc_mode = {"permission bits", w_mode, r_mode, s_mode};

/*
 * RFC 3339 UTC as dbtls_rfc3339 prints it. The parsed time is printed back and must give the same
 * text, which refuses what strptime would take but normalise (2023-02-30, a missing "Z", trailing
 * bytes): a report read and written again must not change.
 */
static enum dbtls_err rd_time_text(struct dbtls_rd *r, const json_t *v, const struct dbtls_field *f,
				   time_t *t)
{
	const char *text, *end;
	char again[32];
	struct tm tm;

	if (!json_is_string(v))
		return rd_want(r, f->flags & DBTLS_F_NULL ? "a string or null" : "a string", v);
	text = json_string_value(v);
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end && !*end) {
		*t = timegm(&tm);
		dbtls_rfc3339(*t, again, sizeof(again));
	}
	if (!end || *end || strcmp(again, text) != 0)
		return dbtls_rd_fail(r, "expected an RFC 3339 UTC time like %s, got '%s'",
				     "2026-11-23T19:30:00Z", text);
	return DBTLS_OK;
}

/* a time_t member */
static json_t *w_time(const void *p, const void *base, const struct dbtls_field *f)
{
	char buf[32];

	dbtls_rfc3339(*(const time_t *)p, buf, sizeof(buf));
	return json_string(buf);
}

static enum dbtls_err r_time(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			     const struct dbtls_field *f)
{
	time_t t = 0;
	enum dbtls_err err = rd_time_text(r, v, f, &t);

	if (!err)
		*(time_t *)p = t;
	return err;
}

static json_t *s_time(const struct dbtls_field *f)
{
	return sc_ref("time", f);
}

const struct dbtls_fconv dbtls_fc_time = {"a time", w_time, r_time, s_time};

/* a char * holding the time as text; aux names a time_t companion set when read */
static enum dbtls_err r_timestr(struct dbtls_rd *r, const json_t *v, void *p, void *base,
				const struct dbtls_field *f)
{
	time_t t = 0;
	enum dbtls_err err = rd_time_text(r, v, f, &t);

	if (err)
		return err;
	if (f->aux && base)
		*(time_t *)((char *)base + f->aux - 1) = t;
	return r_str(r, v, p, base, f);
}

const struct dbtls_fconv dbtls_fc_timestr = {"a time", w_str, r_timestr, s_time};

/* enum names */
static json_t *w_enum(const void *p, const void *base, const struct dbtls_field *f)
{
	return json_string(f->en->name(*(const int *)p));
}

static enum dbtls_err r_enum(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			     const struct dbtls_field *f)
{
	const char *s;

	if (!json_is_string(v))
		return rd_want(r, "a string", v);
	s = json_string_value(v);
	for (int i = f->en->first; i <= f->en->last; i++)
		if (strcmp(s, f->en->name(i)) == 0) {
			*(int *)p = i;
			return DBTLS_OK;
		}
	return dbtls_rd_fail(r, "unknown value '%s' (expected %s … %s)", s,
			     f->en->name(f->en->schema_first), f->en->name(f->en->last));
}

static json_t *s_enum(const struct dbtls_field *f)
{
	json_t *names = json_array();

	for (int i = f->en->schema_first; i <= f->en->last; i++)
		json_array_append_new(names, json_string(f->en->name(i)));
	return json_pack("{s:o}", "enum", names);
}

const struct dbtls_fconv dbtls_fc_enum = {"a string", w_enum, r_enum, s_enum};

/* key-exchange groups by name ("x25519"), or "0x001F" for codes without one */
static json_t *w_group(const void *p, const void *base, const struct dbtls_field *f)
{
	char hex[16];

	return json_string(dbtls_group_label(*(const uint16_t *)p, hex, sizeof(hex)));
}

static enum dbtls_err r_group(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			      const struct dbtls_field *f)
{
	if (!json_is_string(v))
		return rd_want(r, "a group name like x25519", v);
	if (!dbtls_group_by_name(json_string_value(v), p))
		return dbtls_rd_fail(r, "unknown group '%s' (expected a name like %s)",
				     json_string_value(v), "x25519 or 0x001D");
	return DBTLS_OK;
}

static json_t *s_group(const struct dbtls_field *f)
{
	return json_pack("{s:s}", "type", "string");
}

const struct dbtls_fconv dbtls_fc_group = {"a group name", w_group, r_group, s_group};

/* cipher suites: {name, code "0xC02F" (or "0x010080" for SSLv2 kinds), openssl_name}; the reader
 * takes the code; 16-bit members refuse SSLv2 kinds */
static json_t *w_suite(const void *p, const void *base, const struct dbtls_field *f)
{
	uint32_t code = f->size == 2 ? *(const uint16_t *)p : *(const uint32_t *)p;
	const struct dbtls_suite *s = dbtls_suite_lookup(code);
	char hex[16];

	dbtls_suite_hex(code, hex, sizeof(hex));
	return json_pack("{s:o, s:s, s:o}", "name", dbtls_fc_json_str(s ? s->iana_name : NULL),
			 "code", hex, "openssl_name",
			 dbtls_fc_json_str(s ? s->openssl_name : NULL));
}

static enum dbtls_err r_suite(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			      const struct dbtls_field *f)
{
	const char *want = "expected a string like 0xC02F";
	bool tls_only = f->size == 2;
	enum dbtls_err err = DBTLS_OK;
	const json_t *code;
	uint32_t c = 0;
	size_t m;

	if (!json_is_object(v))
		return dbtls_rd_fail(r, "expected a suite object, got %s", dbtls_json_type_name(v));
	code = json_object_get(v, "code");
	m = dbtls_rd_key(r, "code");
	if (!code)
		err = dbtls_rd_fail(r, "missing (%s)", want);
	else if (!json_is_string(code))
		err = dbtls_rd_fail(r, "%s, got %s", want, dbtls_json_type_name(code));
	else if (rd_hex(json_string_value(code), 4, &c) ||
		 (!tls_only && rd_hex(json_string_value(code), 6, &c) && c > 0xffff))
		st_int(p, f, c);
	else
		err = dbtls_rd_fail(r, "%s%s, got '%s'", want,
				    tls_only ? "" : " (or 0x010080 for SSLv2)",
				    json_string_value(code));
	dbtls_rd_pop(r, m);
	return err;
}

static json_t *s_suite(const struct dbtls_field *f)
{
	return sc_ref("suite", f);
}

const struct dbtls_fconv dbtls_fc_suite = {"a suite object", w_suite, r_suite, s_suite};

/* error codes by name ("TIMEOUT"); a name from a newer dbtls reads as INTERNAL (the message still
 * says what happened) */
static json_t *w_errcode(const void *p, const void *base, const struct dbtls_field *f)
{
	return json_string(dbtls_errname(*(const enum dbtls_err *)p));
}

static enum dbtls_err r_errcode(struct dbtls_rd *r, const json_t *v, void *p, void *base,
				const struct dbtls_field *f)
{
	enum dbtls_err *out = p;
	const char *name;

	if (!json_is_string(v))
		return rd_want(r, "a string", v);
	name = json_string_value(v);
	*out = DBTLS_ERR_INTERNAL;
#define XX(id, num, msg)                                                                           \
	if (strcmp(name, #id) == 0)                                                                \
		*out = DBTLS_ERR_##id;
	DBTLS_ERR_MAP(XX)
#undef XX
	return DBTLS_OK;
}

static json_t *s_errcode(const struct dbtls_field *f)
{
	return json_pack("{s:s, s:s}", "type", "string", "pattern", "^[A-Z_]+$");
}

const struct dbtls_fconv dbtls_fc_errcode = {"an error code", w_errcode, r_errcode, s_errcode};

/* keyUsage bits as their RFC 5280 names */
static json_t *w_ku(const void *p, const void *base, const struct dbtls_field *f)
{
	uint32_t ku = *(const uint32_t *)p;
	json_t *a = json_array();

	for (size_t i = 0; i < dbtls_nkey_usage_names; i++)
		if (ku & dbtls_key_usage_names[i].bit)
			json_array_append_new(a, json_string(dbtls_key_usage_names[i].name));
	return a;
}

static enum dbtls_err r_ku(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			   const struct dbtls_field *f)
{
	enum dbtls_err err = DBTLS_OK;
	const json_t *x;
	size_t i, k, m;

	if (!json_is_array(v))
		return rd_want(r, "an array or null", v);
	json_array_foreach(v, i, x)
	{
		m = dbtls_rd_idx(r, i);
		for (k = 0; json_is_string(x) && k < dbtls_nkey_usage_names; k++)
			if (!strcmp(json_string_value(x), dbtls_key_usage_names[k].name))
				break;
		if (!json_is_string(x))
			err = rd_want(r, "a string", x);
		else if (k < dbtls_nkey_usage_names)
			*(uint32_t *)p |= dbtls_key_usage_names[k].bit;
		else
			err = dbtls_rd_fail(r, "unknown key usage '%s'", json_string_value(x));
		dbtls_rd_pop(r, m);
		if (err)
			break;
	}
	return err;
}

static json_t *s_ku(const struct dbtls_field *f)
{
	json_t *names = json_array();

	for (size_t i = 0; i < dbtls_nkey_usage_names; i++)
		json_array_append_new(names, json_string(dbtls_key_usage_names[i].name));
	return json_pack("{s:[s,s], s:{s:o}}", "type", "array", "null", "items", "enum", names);
}

const struct dbtls_fconv dbtls_fc_ku = {"an array of key usages", w_ku, r_ku, s_ku};

/* a char[65] fingerprint: 64 lower-case hex digits (compared as text by pins and drift) or "" */
static json_t *w_fpr(const void *p, const void *base, const struct dbtls_field *f)
{
	return json_string((const char *)p);
}

static enum dbtls_err r_fpr(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			    const struct dbtls_field *f)
{
	const char *fp;
	size_t n;

	if (!json_is_string(v))
		return rd_want(r, "a string", v);
	fp = json_string_value(v);
	n = strlen(fp);
	if ((n != 0 && n != 64) || strspn(fp, "0123456789abcdef") != n)
		return dbtls_rd_fail(r, "expected 64 lower-case hex digits or \"\", got '%s'", fp);
	memcpy(p, fp, n + 1);
	return DBTLS_OK;
}

static json_t *s_fpr(const struct dbtls_field *f)
{
	return json_pack("{s:s, s:s}", "type", "string", "pattern", "^([0-9a-f]{64}|)$");
}

const struct dbtls_fconv dbtls_fc_fpr = {"a fingerprint", w_fpr, r_fpr, s_fpr};

/* constants: tool.name "dbtls" (dflt), schema_version */
static json_t *w_const(const void *p, const void *base, const struct dbtls_field *f)
{
	return f->dflt ? json_string(f->dflt) : json_integer(DBTLS_SCHEMA_VERSION);
}

static enum dbtls_err r_const(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			      const struct dbtls_field *f)
{
	json_int_t sv;

	if (f->dflt) /* a name: nothing to keep */
		return DBTLS_OK;
	if (!json_is_integer(v))
		return rd_want(r, "an integer", v);
	sv = json_integer_value(v);
	if (sv != DBTLS_SCHEMA_VERSION)
		return dbtls_rd_fail(
		    r, "unsupported schema_version %" JSON_INTEGER_FORMAT " (this dbtls reads %d)",
		    sv, DBTLS_SCHEMA_VERSION);
	return DBTLS_OK;
}

static json_t *s_const(const struct dbtls_field *f)
{
	return f->dflt ? json_pack("{s:s}", "const", f->dflt)
		       : json_pack("{s:i}", "const", DBTLS_SCHEMA_VERSION);
}

const struct dbtls_fconv dbtls_fc_const = {"a constant", w_const, r_const, s_const};

/* a char[N] string member (the colon fingerprints of audited certificates) */
static json_t *w_chars(const void *p, const void *base, const struct dbtls_field *f)
{
	return json_stringn((const char *)p, strnlen((const char *)p, f->size));
}

static enum dbtls_err r_chars(struct dbtls_rd *r, const json_t *v, void *p, void *base,
			      const struct dbtls_field *f)
{
	const char *s;

	if (!json_is_string(v))
		return rd_want(r, "a string", v);
	s = json_string_value(v);
	if (strlen(s) >= f->size)
		return dbtls_rd_fail(r, "expected at most %zu characters", f->size - 1);
	memcpy(p, s, strlen(s) + 1);
	return DBTLS_OK;
}

static json_t *s_chars(const struct dbtls_field *f)
{
	return json_pack("{s:s, s:I}", "type", "string", "maxLength", (json_int_t)(f->size - 1));
}

const struct dbtls_fconv dbtls_fc_chars = {"a string", w_chars, r_chars, s_chars};
