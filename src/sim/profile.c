/* SPDX-License-Identifier: MIT */
/*
 * profile.c — client profiles read from their JSON (data/clients/NAME.json; see sim.h). Names are
 * the registry's (IANA suite names, group and signature-scheme names) or "0xNNNN" for codes the
 * registry does not name, so a recorded offer survives the trip whole.
 */
#include "src/sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"

void dbtls_client_profile_free(struct dbtls_client_profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->title);
	free(p->protocol);
	free(p->provenance);
	free(p->suites);
	free(p->groups);
	free(p->key_shares);
	free(p->sigalgs);
	for (size_t i = 0; i < p->nalpn; i++)
		free(p->alpn[i]);
	free(p->alpn);
	free(p->trust_store);
	free(p->note);
	memset(p, 0, sizeof(*p));
}

static bool pr_hex(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (strncmp(s, "0x", 2) != 0 || !s[2])
		return false;
	v = strtoul(s + 2, &end, 16);
	if (*end || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool pr_suite(const char *s, uint32_t *out)
{
	const struct dbtls_suite *su = dbtls_suite_by_name(s);

	if (su) {
		*out = su->code;
		return true;
	}
	return pr_hex(s, 0xffff, out);
}

static bool pr_group(const char *s, uint32_t *out)
{
	uint16_t g;

	if (!dbtls_group_by_name(s, &g))
		return false;
	*out = g;
	return true;
}

static bool pr_sigalg(const char *s, uint32_t *out)
{
	size_t n;
	const struct dbtls_sigalg_info *t = dbtls_sigalgs_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, s) == 0) {
			*out = t[i].code;
			return true;
		}
	return pr_hex(s, 0xffff, out);
}

/* Reads the array key of o through conv into a new array of 16- or 32-bit codes. */
static enum dbtls_err pr_codes(json_t *o, const char *key, bool (*conv)(const char *, uint32_t *),
			       bool wide, void **out, size_t *n, struct dbtls_diag *d)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;
	void *arr;

	*out = NULL;
	*n = 0;
	if (!a)
		return DBTLS_OK;
	if (!json_is_array(a))
		goto bad;
	arr = calloc(json_array_size(a) + 1, wide ? sizeof(uint32_t) : sizeof(uint16_t));
	if (!arr)
		return DBTLS_ERR_NOMEM;
	json_array_foreach(a, i, v)
	{
		uint32_t c;

		if (!json_is_string(v) || !conv(json_string_value(v), &c)) {
			free(arr);
			snprintf(d->msg, sizeof(d->msg), "%s: unknown name %s", key,
				 json_is_string(v) ? json_string_value(v) : "(not a string)");
			return DBTLS_ERR_INPUT;
		}
		if (wide)
			((uint32_t *)arr)[i] = c;
		else
			((uint16_t *)arr)[i] = (uint16_t)c;
	}
	*out = arr;
	*n = json_array_size(a);
	return DBTLS_OK;
bad:
	snprintf(d->msg, sizeof(d->msg), "%s: not an array", key);
	return DBTLS_ERR_INPUT;
}

static char *pr_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int pr_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

enum dbtls_err dbtls_client_profile_parse(const char *json, size_t len,
					  struct dbtls_client_profile *p, struct dbtls_diag *d)
{
	struct dbtls_client_profile q = {0};
	enum dbtls_err err = DBTLS_ERR_INPUT;
	json_error_t je;
	json_t *o = json_loadb(json, len, 0, &je), *a, *v;
	const char *s;
	size_t i;

	if (!o || !json_is_object(o)) {
		snprintf(d->msg, sizeof(d->msg), "not a JSON object: %s (line %d)", je.text,
			 je.line);
		goto out;
	}
	q.name = pr_str(o, "name");
	q.title = pr_str(o, "title");
	q.protocol = pr_str(o, "protocol");
	q.provenance = pr_str(o, "provenance");
	q.trust_store = pr_str(o, "trust_store");
	q.note = pr_str(o, "note");
	if (!q.name || !q.protocol || !q.provenance) {
		snprintf(d->msg, sizeof(d->msg), "a profile needs name, protocol and provenance");
		goto out;
	}
	q.recorded = json_is_true(json_object_get(o, "recorded"));
	q.sni = json_is_true(json_object_get(o, "sni"));
	q.limits_always = json_is_true(json_object_get(o, "limits_always"));
	q.dh_min_bits = pr_int(o, "dh_min_bits");
	q.dh_max_bits = pr_int(o, "dh_max_bits");
	q.rsa_min_bits = pr_int(o, "rsa_min_bits");
	q.rsa_max_bits = pr_int(o, "rsa_max_bits");
	s = json_string_value(json_object_get(o, "verify"));
	if (!s || strcmp(s, "none") == 0)
		q.verify = DBTLS_CV_NONE;
	else if (strcmp(s, "verify-ca") == 0)
		q.verify = DBTLS_CV_CA;
	else if (strcmp(s, "verify-full") == 0)
		q.verify = DBTLS_CV_IDENTITY;
	else {
		snprintf(d->msg, sizeof(d->msg), "%s: verify is none, verify-ca or verify-full",
			 q.name);
		goto out;
	}
	a = json_object_get(o, "versions");
	json_array_foreach(a, i, v)
	{
		bool ok = false;

		for (int k = 0; k < DBTLS_NVERSIONS; k++)
			if (json_is_string(v) &&
			    strcmp(json_string_value(v),
				   dbtls_version_name((enum dbtls_version)k)) == 0) {
				q.versions[k] = ok = true;
			}
		if (!ok) {
			snprintf(d->msg, sizeof(d->msg), "%s: unknown version in versions", q.name);
			goto out;
		}
	}
	if ((err = pr_codes(o, "suites", pr_suite, true, (void **)&q.suites, &q.nsuites, d)) ||
	    (err = pr_codes(o, "groups", pr_group, false, (void **)&q.groups, &q.ngroups, d)) ||
	    (err = pr_codes(o, "key_shares", pr_group, false, (void **)&q.key_shares,
			    &q.nkey_shares, d)) ||
	    (err = pr_codes(o, "signature_algorithms", pr_sigalg, false, (void **)&q.sigalgs,
			    &q.nsigalgs, d)))
		goto out;
	err = DBTLS_ERR_INPUT;
	a = json_object_get(o, "alpn");
	if (json_is_array(a) && json_array_size(a)) {
		q.alpn = calloc(json_array_size(a), sizeof(*q.alpn));
		if (!q.alpn) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		json_array_foreach(a, i, v)
		{
			if (!json_is_string(v) || !(q.alpn[q.nalpn] = strdup(json_string_value(v))))
				goto out;
			q.nalpn++;
		}
	}
	*p = q;
	memset(&q, 0, sizeof(q));
	err = DBTLS_OK;
out:
	dbtls_client_profile_free(&q);
	json_decref(o);
	return err;
}
