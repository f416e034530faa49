/* SPDX-License-Identifier: MIT */
/*
 * policy.c — loading and strictly validating profiles (see policy.h).
 *
 * A profile is applied as a layer on top of its parent (`extends`, resolved first, at most 8 deep,
 * cycles refused): parameters it names replace the parent's, checks it names get the severity it
 * gives ("off" disables them). Every error names the profile's file and the line and column of
 * the offending key, found with jsonpos.c because jansson keeps no positions.
 */
#include "checks/policy/policy.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "src/registry/names.h"
#include "src/core/jsonload.h"
#include "src/core/jsonpos.h"
#include "src/registry/suites.h"

#define POL_MAX_DEPTH 8
#define POL_MAX_PATH  8

/* Where a layer came from, and the path of the member being validated. */
struct pol_src {
	const char *label; /* file name, or "builtin:NAME" */
	const char *text;  /* the raw JSON, for positions */
	const char *dir;   /* directory for relative `extends` files; NULL for builtins */
	struct dbtls_jpath path[POL_MAX_PATH];
	size_t depth;
};

static enum dbtls_err pol_err(const struct pol_src *src, struct dbtls_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum dbtls_err pol_err(const struct pol_src *src, struct dbtls_diag *d, const char *fmt, ...)
{
	char msg[384];
	int line = 0, col = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dbtls_json_locate(src->text, src->path, src->depth, &line, &col);
	return dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s:%d:%d: %s", src->label, line, col, msg);
}

static void pol_push_key(struct pol_src *src, const char *key)
{
	if (src->depth < POL_MAX_PATH)
		src->path[src->depth] = (struct dbtls_jpath){.key = key};
	src->depth++;
}

static void pol_push_index(struct pol_src *src, size_t i)
{
	if (src->depth < POL_MAX_PATH)
		src->path[src->depth] = (struct dbtls_jpath){.index = i};
	src->depth++;
}

static void pol_pop(struct pol_src *src)
{
	src->depth--;
}

static int pol_version(const char *s)
{
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		if (strcmp(s, dbtls_version_name((enum dbtls_version)v)) == 0)
			return v;
	return -1;
}

/* Strings in an array, each checked by `one` (which stores it); errors point at the element. */
typedef enum dbtls_err (*pol_item_fn)(struct pol_src *src, const char *s, void *ctx,
				      struct dbtls_diag *d);

static enum dbtls_err pol_strings(struct pol_src *src, json_t *arr, pol_item_fn one, void *ctx,
				  struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return pol_err(src, d, "expected an array of strings, got %s",
			       dbtls_json_type_name(arr));
	json_array_foreach(arr, i, v)
	{
		pol_push_index(src, i);
		if (!json_is_string(v))
			err = pol_err(src, d, "expected a string, got %s", dbtls_json_type_name(v));
		else
			err = one(src, json_string_value(v), ctx, d);
		pol_pop(src);
		if (err)
			return err;
	}
	return DBTLS_OK;
}

struct pol_codes {
	uint32_t *codes;
	size_t n;
};

static enum dbtls_err pol_suite(struct pol_src *src, const char *s, void *ctx, struct dbtls_diag *d)
{
	struct pol_codes *c = ctx;
	const struct dbtls_suite *su = dbtls_suite_by_name(s);
	uint32_t *nc;

	if (!su)
		return pol_err(src, d, "unknown cipher suite '%s' (use IANA or OpenSSL names)", s);
	nc = realloc(c->codes, (c->n + 1) * sizeof(*nc));
	if (!nc)
		return DBTLS_ERR_NOMEM;
	c->codes = nc;
	c->codes[c->n++] = su->code;
	return DBTLS_OK;
}

struct pol_groups {
	uint16_t *g;
	size_t n;
};

static enum dbtls_err pol_group(struct pol_src *src, const char *s, void *ctx, struct dbtls_diag *d)
{
	struct pol_groups *c = ctx;
	uint16_t g, *ng;

	if (!dbtls_group_by_name(s, &g))
		return pol_err(src, d, "unknown group '%s'", s);
	ng = realloc(c->g, (c->n + 1) * sizeof(*ng));
	if (!ng)
		return DBTLS_ERR_NOMEM;
	c->g = ng;
	c->g[c->n++] = g;
	return DBTLS_OK;
}

static enum dbtls_err pol_prop(struct pol_src *src, const char *s, void *ctx, struct dbtls_diag *d)
{
	uint32_t bit;

	if (!dbtls_suite_prop_parse(s, &bit))
		return pol_err(src, d, "unknown suite property '%s'", s);
	*(uint32_t *)ctx |= bit;
	return DBTLS_OK;
}

static enum dbtls_err pol_hash(struct pol_src *src, const char *s, void *ctx, struct dbtls_diag *d)
{
	uint32_t *m = ctx;

	if (strcmp(s, "md5") == 0)
		*m |= DBTLS_HASH_MD5;
	else if (strcmp(s, "sha1") == 0)
		*m |= DBTLS_HASH_SHA1;
	else if (strcmp(s, "sha224") == 0)
		*m |= DBTLS_HASH_SHA224;
	else
		return pol_err(src, d, "unknown signature hash '%s' (md5, sha1, sha224)", s);
	return DBTLS_OK;
}

static enum dbtls_err pol_vname(struct pol_src *src, const char *s, void *ctx, struct dbtls_diag *d)
{
	int v = pol_version(s);

	if (v < 0)
		return pol_err(src, d, "unknown TLS version '%s' (SSLv2 … TLSv1.3)", s);
	((bool *)ctx)[v] = true;
	return DBTLS_OK;
}

static enum dbtls_err pol_int(struct pol_src *src, json_t *v, int lo, int hi, int *out,
			      struct dbtls_diag *d)
{
	if (!json_is_integer(v))
		return pol_err(src, d, "expected an integer, got %s", dbtls_json_type_name(v));
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return pol_err(src, d, "%lld is out of range (%d to %d)",
			       (long long)json_integer_value(v), lo, hi);
	*out = (int)json_integer_value(v);
	return DBTLS_OK;
}

/* A share of a whole: a JSON number from 0 to 1 (0.25, or 0 / 1 written as integers). */
static enum dbtls_err pol_fraction(struct pol_src *src, json_t *v, double *out,
				   struct dbtls_diag *d)
{
	double x;

	if (!json_is_number(v))
		return pol_err(src, d, "expected a number from 0 to 1, got %s",
			       dbtls_json_type_name(v));
	x = json_number_value(v);
	if (!(x >= 0 && x <= 1)) /* also NaN */
		return pol_err(src, d, "%g is out of range (0 to 1)", x);
	*out = x;
	return DBTLS_OK;
}

static enum dbtls_err pol_bool(struct pol_src *src, json_t *v, bool *out, struct dbtls_diag *d)
{
	if (!json_is_boolean(v))
		return pol_err(src, d, "expected true or false, got %s", dbtls_json_type_name(v));
	*out = json_is_true(v);
	return DBTLS_OK;
}

static enum dbtls_err pol_string(struct pol_src *src, json_t *v, char **out, struct dbtls_diag *d)
{
	char *s;

	if (!json_is_string(v))
		return pol_err(src, d, "expected a string, got %s", dbtls_json_type_name(v));
	s = strdup(json_string_value(v));
	if (!s)
		return DBTLS_ERR_NOMEM;
	free(*out);
	*out = s;
	return DBTLS_OK;
}

/* Enables the suites.<prop> checks of the forbidden properties that are still off. */
static void pol_enable_props(struct dbtls_policy *p)
{
	for (uint32_t bit = 1; bit && bit <= DBTLS_PROP_SEED_IDEA; bit <<= 1) {
		char id[64];
		if (!(p->params.forbidden_props & bit))
			continue;
		snprintf(id, sizeof(id), "suites.%s", dbtls_suite_prop_name(bit));
		for (char *c = id; *c; c++)
			if (*c == '_')
				*c = '-';
		for (size_t i = 0; i < p->nsettings; i++)
			if (strcmp(p->settings[i].id, id) == 0 && !p->settings[i].enabled)
				p->settings[i].enabled = true;
	}
}

static enum dbtls_err pol_params(struct pol_src *src, json_t *obj, struct dbtls_policy *p,
				 struct dbtls_diag *d)
{
	struct dbtls_policy_params *pp = &p->params;
	enum dbtls_err err = DBTLS_OK;
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return pol_err(src, d, "expected an object, got %s", dbtls_json_type_name(obj));
	json_object_foreach(obj, key, v)
	{
		pol_push_key(src, key);
		if (!strcmp(key, "min_version")) {
			if (!json_is_string(v) || pol_version(json_string_value(v)) < 0)
				err = pol_err(src, d,
					      "expected a TLS version name (SSLv2 … TLSv1.3)");
			else
				pp->min_version = pol_version(json_string_value(v));
		} else if (!strcmp(key, "require_tls13")) {
			err = pol_bool(src, v, &pp->require_tls13, d);
		} else if (!strcmp(key, "require_server_order")) {
			err = pol_bool(src, v, &pp->require_server_order, d);
		} else if (!strcmp(key, "dsa_allowed")) {
			err = pol_bool(src, v, &pp->dsa_allowed, d);
		} else if (!strcmp(key, "forbidden_suite_properties")) {
			uint32_t m = 0;
			err = pol_strings(src, v, pol_prop, &m, d);
			if (!err)
				pp->forbidden_props = m;
		} else if (!strcmp(key, "forbidden_signature_hashes")) {
			uint32_t m = 0;
			err = pol_strings(src, v, pol_hash, &m, d);
			if (!err)
				pp->forbidden_sig_hashes = m;
		} else if (!strcmp(key, "allowed_suites")) {
			struct pol_codes c = {0};
			err = pol_strings(src, v, pol_suite, &c, d);
			/* [] is an allow-list that allows nothing, unlike no list: keep it non-NULL
			 */
			if (!err && !c.codes && !(c.codes = calloc(1, sizeof(*c.codes))))
				err = DBTLS_ERR_NOMEM;
			if (err) {
				free(c.codes);
			} else {
				free(pp->allowed_suites);
				pp->allowed_suites = c.codes;
				pp->nallowed_suites = c.n;
			}
		} else if (!strcmp(key, "allowed_groups")) {
			struct pol_groups c = {0};
			err = pol_strings(src, v, pol_group, &c, d);
			if (!err && !c.g && !(c.g = calloc(1, sizeof(*c.g))))
				err = DBTLS_ERR_NOMEM;
			if (err) {
				free(c.g);
			} else {
				free(pp->allowed_groups);
				pp->allowed_groups = c.g;
				pp->nallowed_groups = c.n;
			}
		} else if (!strcmp(key, "min_rsa_bits")) {
			err = pol_int(src, v, 0, 16384, &pp->min_rsa_bits, d);
		} else if (!strcmp(key, "min_ecc_bits")) {
			err = pol_int(src, v, 0, 1024, &pp->min_ecc_bits, d);
		} else if (!strcmp(key, "min_dh_bits")) {
			err = pol_int(src, v, 0, 16384, &pp->min_dh_bits, d);
		} else if (!strcmp(key, "cert_expiry_warning_days")) {
			err = pol_int(src, v, 0, 3650, &pp->cert_warn_days, d);
		} else if (!strcmp(key, "cert_expiry_critical_days")) {
			err = pol_int(src, v, 0, 3650, &pp->cert_crit_days, d);
		} else if (!strcmp(key, "cert_expiry_warning_fraction")) {
			err = pol_fraction(src, v, &pp->cert_warn_fraction, d);
		} else if (!strcmp(key, "cert_expiry_critical_fraction")) {
			err = pol_fraction(src, v, &pp->cert_crit_fraction, d);
		} else if (!strcmp(key, "cert_expiry_warning_min_days")) {
			err = pol_int(src, v, 0, 3650, &pp->cert_warn_min_days, d);
		} else if (!strcmp(key, "cert_expiry_critical_min_days")) {
			err = pol_int(src, v, 0, 3650, &pp->cert_crit_min_days, d);
		} else if (!strcmp(key, "max_validity_days")) {
			err = pol_int(src, v, 0, 36500, &pp->max_validity_days, d);
		} else if (!strcmp(key, "max_ticket_lifetime_s")) {
			err = pol_int(src, v, 0, INT_MAX, &pp->max_ticket_lifetime_s, d);
		} else {
			err = pol_err(src, d, "unknown parameter '%s'", key);
		}
		pol_pop(src);
		if (err)
			return err;
	}
	return DBTLS_OK;
}

static enum dbtls_err pol_checks(struct pol_src *src, json_t *obj, struct dbtls_policy *p,
				 struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	enum dbtls_severity sev;
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return pol_err(src, d, "expected an object, got %s", dbtls_json_type_name(obj));
	json_object_foreach(obj, key, v)
	{
		size_t i;
		pol_push_key(src, key);
		for (i = 0; i < p->nsettings; i++)
			if (strcmp(p->settings[i].id, key) == 0)
				break;
		if (i == p->nsettings)
			err = pol_err(src, d, "unknown check '%s' (dbtls explain lists none such)",
				      key);
		else if (!json_is_string(v))
			err = pol_err(src, d,
				      "expected a severity (info, low, medium, high, critical) or "
				      "\"off\", got %s",
				      dbtls_json_type_name(v));
		else if (!strcmp(json_string_value(v), "off"))
			p->settings[i].enabled = false;
		else if (!dbtls_severity_parse(json_string_value(v), &sev))
			err = pol_err(
			    src, d,
			    "unknown severity '%s' (info, low, medium, high, critical, off)",
			    json_string_value(v));
		else {
			p->settings[i].enabled = true;
			p->settings[i].severity = sev;
		}
		pol_pop(src);
		if (err)
			return err;
	}
	return DBTLS_OK;
}

static void pol_pin_free(struct dbtls_pin *pin)
{
	if (!pin)
		return;
	free(pin->target);
	free(pin->id);
	free(pin->suites);
	free(pin->groups);
	free(pin->issuer);
	free(pin->key_type);
	free(pin->leaf_sha256);
	free(pin->unpinned);
}

static int pol_cmp32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int pol_cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

static enum dbtls_err pol_pin(struct pol_src *src, json_t *obj, struct dbtls_pin *pin,
			      struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return pol_err(src, d, "expected an object, got %s", dbtls_json_type_name(obj));
	json_object_foreach(obj, key, v)
	{
		pol_push_key(src, key);
		if (!strcmp(key, "target")) {
			err = pol_string(src, v, &pin->target, d);
			free(pin->id);
			pin->id = NULL;
			if (!err && (err = dbtls_endpoint_id_parse(pin->target, &pin->id)) ==
					DBTLS_ERR_INPUT)
				err = pol_err(src, d,
					      "'%s' is no endpoint ([mysql://|tls://]HOST[:PORT])",
					      pin->target);
		} else if (!strcmp(key, "issuer")) {
			err = pol_string(src, v, &pin->issuer, d);
		} else if (!strcmp(key, "key_type")) {
			err = pol_string(src, v, &pin->key_type, d);
		} else if (!strcmp(key, "unpinned")) {
			err = pol_string(src, v, &pin->unpinned, d);
		} else if (!strcmp(key, "leaf_sha256")) {
			err = pol_string(src, v, &pin->leaf_sha256, d);
		} else if (!strcmp(key, "versions")) {
			memset(pin->versions, 0, sizeof(pin->versions));
			err = pol_strings(src, v, pol_vname, pin->versions, d);
			pin->versions_set = 1;
		} else if (!strcmp(key, "suites")) {
			struct pol_codes c = {0};
			err = pol_strings(src, v, pol_suite, &c, d);
			free(pin->suites);
			pin->suites = c.codes;
			pin->nsuites = c.n;
			pin->suites_set = 1;
			if (c.n)
				qsort(pin->suites, c.n, sizeof(*pin->suites), pol_cmp32);
		} else if (!strcmp(key, "groups")) {
			struct pol_groups c = {0};
			err = pol_strings(src, v, pol_group, &c, d);
			free(pin->groups);
			pin->groups = c.g;
			pin->ngroups = c.n;
			pin->groups_set = 1;
			if (c.n)
				qsort(pin->groups, c.n, sizeof(*pin->groups), pol_cmp16);
		} else {
			err = pol_err(src, d, "unknown pin field '%s'", key);
		}
		pol_pop(src);
		if (err)
			return err;
	}
	return DBTLS_OK;
}

static enum dbtls_err pol_pins(struct pol_src *src, json_t *arr, struct dbtls_policy *p,
			       struct dbtls_diag *d)
{
	enum dbtls_err err;
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return pol_err(src, d, "expected an array of pins, got %s",
			       dbtls_json_type_name(arr));
	/* no pin would leave every drift check without anything to compare */
	if (!json_array_size(arr))
		return pol_err(src, d,
			       "an empty pin list pins nothing (derive it from a report with "
			       "endpoints, or leave \"pins\" out)");
	json_array_foreach(arr, i, v)
	{
		struct dbtls_pin *np = realloc(p->pins, (p->npins + 1) * sizeof(*np));
		if (!np)
			return DBTLS_ERR_NOMEM;
		p->pins = np;
		memset(&p->pins[p->npins], 0, sizeof(*np));
		p->npins++;
		pol_push_index(src, i);
		err = pol_pin(src, v, &p->pins[p->npins - 1], d);
		pol_pop(src);
		if (err)
			return err;
	}
	return DBTLS_OK;
}

static enum dbtls_err pol_load_layer(const char *name, const char *from_dir, struct dbtls_policy *p,
				     int depth, const char **chain, struct dbtls_diag *d);

/* Applies one parsed profile (root) on top of p. */
static enum dbtls_err pol_apply(struct pol_src *src, json_t *root, struct dbtls_policy *p,
				int depth, const char **chain, struct dbtls_diag *d)
{
	static const char *const known[] = {"name",    "version", "title",	"guideline",
					    "extends", "notes",	  "parameters", "checks",
					    "pins",    "$schema"};
	enum dbtls_err err = DBTLS_OK;
	const char *key;
	json_t *v;

	if (!json_is_object(root))
		return pol_err(src, d, "a profile is a JSON object, got %s",
			       dbtls_json_type_name(root));
	json_object_foreach(root, key, v)
	{
		size_t k;
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (!strcmp(key, known[k]))
				break;
		if (k == sizeof(known) / sizeof(known[0])) {
			pol_push_key(src, key);
			err = pol_err(src, d, "unknown key '%s'", key);
			pol_pop(src);
			return err;
		}
	}
	{
		static const char *const req[] = {"name", "version"};
		for (size_t i = 0; i < 2; i++) {
			if (json_is_string(json_object_get(root, req[i])))
				continue;
			if (json_object_get(root, req[i]))
				pol_push_key(src, req[i]);
			return pol_err(src, d, "\"%s\" must be a string%s", req[i],
				       json_object_get(root, req[i]) ? "" : " and is missing");
		}
	}
	v = json_object_get(root, "extends");
	if (v) {
		pol_push_key(src, "extends");
		if (!json_is_string(v))
			err = pol_err(src, d, "expected a profile name or file, got %s",
				      dbtls_json_type_name(v));
		else if (depth >= POL_MAX_DEPTH)
			err = pol_err(src, d, "profiles extend each other more than %d deep",
				      POL_MAX_DEPTH);
		else {
			for (int i = 0; i < depth; i++)
				if (!strcmp(chain[i], json_string_value(v)))
					err = pol_err(src, d, "'%s' extends itself (a cycle)",
						      json_string_value(v));
			if (!err)
				err = pol_load_layer(json_string_value(v), src->dir, p, depth + 1,
						     chain, d);
			if (err && err != DBTLS_ERR_NOMEM && !strstr(d->msg, src->label)) {
				char inner[sizeof(d->msg)];
				snprintf(inner, sizeof(inner), "%s", d->msg);
				pol_err(src, d, "in the profile it extends: %s", inner);
			}
		}
		pol_pop(src);
		if (err)
			return err;
	}
	/* this layer's own values replace the parent's */
	if ((err = pol_string(src, json_object_get(root, "name"), &p->name, d)) ||
	    (err = pol_string(src, json_object_get(root, "version"), &p->version, d)))
		return err;
	{
		static const char *const text_keys[] = {"title", "guideline", "notes"};
		for (size_t i = 0; i < 3; i++) {
			v = json_object_get(root, text_keys[i]);
			if (!v)
				continue;
			pol_push_key(src, text_keys[i]);
			if (!json_is_string(v))
				err = pol_err(src, d, "expected a string, got %s",
					      dbtls_json_type_name(v));
			else if (i == 0)
				err = pol_string(src, v, &p->title, d);
			else if (i == 1)
				err = pol_string(src, v, &p->guideline, d);
			pol_pop(src);
			if (err)
				return err;
		}
	}
	if ((v = json_object_get(root, "parameters"))) {
		pol_push_key(src, "parameters");
		err = pol_params(src, v, p, d);
		pol_pop(src);
		if (err)
			return err;
		pol_enable_props(p);
	}
	if ((v = json_object_get(root, "checks"))) {
		pol_push_key(src, "checks");
		err = pol_checks(src, v, p, d);
		pol_pop(src);
		if (err)
			return err;
	}
	if ((v = json_object_get(root, "pins"))) {
		pol_push_key(src, "pins");
		err = pol_pins(src, v, p, d);
		pol_pop(src);
	}
	return err;
}

static bool pol_is_file(const char *name)
{
	size_t n = strlen(name);
	return strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static enum dbtls_err pol_load_layer(const char *name, const char *from_dir, struct dbtls_policy *p,
				     int depth, const char **chain, struct dbtls_diag *d)
{
	struct pol_src src = {0};
	enum dbtls_err err = DBTLS_OK;
	char *text = NULL, *path = NULL, *dircopy = NULL, label[300];
	json_t *root = NULL;

	chain[depth] = name;
	if (pol_is_file(name)) {
		if (name[0] != '/' && from_dir) {
			if (asprintf(&path, "%s/%s", from_dir, name) < 0)
				return DBTLS_ERR_NOMEM;
		} else if (!(path = strdup(name))) {
			return DBTLS_ERR_NOMEM;
		}
		err = dbtls_json_load_file(path, DBTLS_JSON_MAX_POLICY, &root, &text, d);
		if (err)
			goto out;
		snprintf(label, sizeof(label), "%s", path);
		dircopy = strdup(path);
		if (!dircopy) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		src.dir = dirname(dircopy);
	} else {
		for (size_t i = 0; i < dbtls_nbuiltin_policies; i++)
			if (!strcmp(dbtls_builtin_policies[i].name, name))
				text = strdup(dbtls_builtin_policies[i].json);
		if (!text) {
			char known[512] = "";
			for (size_t i = 0; i < dbtls_nbuiltin_policies; i++) {
				strncat(known, i ? ", " : "", sizeof(known) - strlen(known) - 1);
				strncat(known, dbtls_builtin_policies[i].name,
					sizeof(known) - strlen(known) - 1);
			}
			err = dbtls_diag_set(d, DBTLS_ERR_INPUT,
					     "unknown policy '%s' (built in: %s; or a FILE.json)",
					     name, known);
			goto out;
		}
		snprintf(label, sizeof(label), "builtin:%s", name);
	}
	src.label = label;
	src.text = text;
	if (!root)
		err = dbtls_json_load_buf(label, text, strlen(text), &root, d);
	if (err)
		goto out;
	err = pol_apply(&src, root, p, depth, chain, d);
	if (!err && depth == 0) {
		free(p->source);
		p->source = strdup(label);
	}
out:
	json_decref(root);
	free(text);
	free(path);
	free(dircopy);
	return err;
}

enum dbtls_err dbtls_policy_load(const char *name_or_path, struct dbtls_policy *out,
				 struct dbtls_diag *d)
{
	const char *chain[POL_MAX_DEPTH + 2];
	const struct dbtls_check *const *all;
	enum dbtls_err err;
	size_t n;

	memset(out, 0, sizeof(*out));
	all = dbtls_checks_all(&n);
	out->settings = calloc(n ? n : 1, sizeof(*out->settings));
	if (!out->settings)
		return DBTLS_ERR_NOMEM;
	out->nsettings = n;
	for (size_t i = 0; i < n; i++)
		out->settings[i] = (struct dbtls_check_setting){
		    .id = all[i]->id, .severity = all[i]->default_severity};
	/* parameters a profile leaves unset get values no check fires on */
	out->params.min_version = -1;
	out->params.dsa_allowed = true;
	err = pol_load_layer(name_or_path, NULL, out, 0, chain, d);
	if (err)
		dbtls_policy_free(out);
	return err;
}

void dbtls_policy_free(struct dbtls_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->version);
	free(p->title);
	free(p->guideline);
	free(p->source);
	free(p->params.allowed_suites);
	free(p->params.allowed_groups);
	free(p->settings);
	for (size_t i = 0; i < p->npins; i++)
		pol_pin_free(&p->pins[i]);
	free(p->pins);
	memset(p, 0, sizeof(*p));
}
