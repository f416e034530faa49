/* SPDX-License-Identifier: MIT */
/*
 * check_drift.c — drift against a pinned profile (`dbtls policy derive`): the accepted versions,
 * suites and groups, the leaf's issuer, key type and fingerprint, each compared with the pin for
 * this endpoint (the pin whose target is the endpoint by its canonical id, else a pin without
 * target). An error-free endpoint without a pin is reported by dbtls_checks_run() as not
 * evaluable, never passed in silence.
 *
 * Drift claims "something changed", so an incomplete scan must not look like a change: an
 * endpoint with errors, or whose TLS status is unknown, is never compared, and a part of the
 * facts that was not probed (a version not probed, suites not enumerated, groups not probed, no
 * chain) is left out rather than read as empty. A server that offers no TLS is a real change:
 * it accepts no version, suite or group.
 */
#include "checks/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"

const struct dbtls_pin *dbtls_pin_for(const struct dbtls_policy *p,
				      const struct dbtls_endpoint_facts *f)
{
	const struct dbtls_pin *any = NULL, *found = NULL, *named = NULL;
	char *id;

	if (!p || !p->pins)
		return NULL;
	id = dbtls_endpoint_facts_id(f);
	/* this address's own pin first, then its name's (or the target as given), then any */
	for (size_t i = 0; i < p->npins && !found; i++) {
		const struct dbtls_pin *pin = &p->pins[i];
		if (!pin->target) {
			if (!any)
				any = pin;
		} else if (pin->id && id && !strcmp(pin->id, id)) {
			found = pin;
		} else if (!named && (dbtls_endpoint_id_matches(pin->id, id) ||
				      (f->target && strcmp(pin->target, f->target) == 0))) {
			named = pin;
		}
	}
	free(id);
	return found ? found : named ? named : any;
}

/* The pin for f (dbtls_pin_for); NULL when none applies or when the endpoint's facts are not
 * complete enough to compare. */
static const struct dbtls_pin *dr_pin(const struct dbtls_endpoint_facts *f,
				      const struct dbtls_check_ctx *ctx)
{
	if (!dbtls_endpoint_scanned(f))
		return NULL;
	return dbtls_pin_for(ctx->policy, f);
}

/* dbtls_group_label in dr_diff's shape (codes as uint32_t) */
static const char *dr_group_name(uint32_t id, char *hex, size_t hexlen)
{
	return dbtls_group_label((uint16_t)id, hex, hexlen);
}

static bool dr_has(const uint32_t *set, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == x)
			return true;
	return false;
}

/* Writes "added: A, B; removed: —" for now vs pinned (both sets, any order); returns the number
 * of differences. */
static size_t dr_diff(const uint32_t *now, size_t nnow, const uint32_t *pinned, size_t npinned,
		      const char *(*name)(uint32_t, char *, size_t), struct dbtls_str *ev)
{
	size_t added = 0, removed = 0;
	char hex[16];

	dbtls_str_cat(ev, "added: ");
	for (size_t i = 0; i < nnow; i++)
		if (!dr_has(pinned, npinned, now[i]) && !dr_has(now, i, now[i]))
			dbtls_str_cat(ev, "%s%s", added++ ? ", " : "",
				      name(now[i], hex, sizeof(hex)));
	if (!added)
		dbtls_str_cat(ev, "—");
	dbtls_str_cat(ev, "; removed: ");
	for (size_t i = 0; i < npinned; i++)
		if (!dr_has(now, nnow, pinned[i]) && !dr_has(pinned, i, pinned[i]))
			dbtls_str_cat(ev, "%s%s", removed++ ? ", " : "",
				      name(pinned[i], hex, sizeof(hex)));
	if (!removed)
		dbtls_str_cat(ev, "—");
	return added + removed;
}

static const char dr_fix[] = "If the change was intended, review it and derive the pin again "
			     "(dbtls policy derive); otherwise restore the previous configuration.";

/* ---- drift.versions ---- */

static const char *dr_version_name(uint32_t v, char *hex, size_t hexlen)
{
	(void)hex;
	(void)hexlen;
	return dbtls_version_name((enum dbtls_version)v);
}

static void dr_versions(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_pin *pin = dr_pin(f, ctx);
	uint32_t now[DBTLS_NVERSIONS], pinned[DBTLS_NVERSIONS];
	size_t nnow = 0, npinned = 0, n;
	struct dbtls_str ev = {0};
	char title[128];

	if (!pin || !pin->versions_set)
		return;
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		enum dbtls_vstatus st =
		    f->tls_offered == 0 ? DBTLS_VS_REJECTED : f->versions[v].status;

		/* an unprobed or errored version is unknown: compare only what is known */
		if (st != DBTLS_VS_ACCEPTED && st != DBTLS_VS_REJECTED)
			continue;
		if (st == DBTLS_VS_ACCEPTED)
			now[nnow++] = (uint32_t)v;
		if (pin->versions[v])
			pinned[npinned++] = (uint32_t)v;
	}
	n = dr_diff(now, nnow, pinned, npinned, dr_version_name, &ev);
	if (n) {
		snprintf(title, sizeof(title),
			 "Accepted versions differ from the pin (%zu change%s)", n,
			 n == 1 ? "" : "s");
		dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dr_fix, "%s", title);
	}
	free(ev.s);
}

static const char *const dr_refs[] = {"NIST SP 800-53r5 CM-2", "NIST SP 800-53r5 CM-3", NULL};

static const struct dbtls_check chk_versions = {
    .id = "drift.versions",
    .title = "Accepted versions differ from the pin",
    .description = "The set of protocol versions the server accepts is not the set pinned from "
		   "a reviewed scan: a configuration change, an upgrade or a replaced server "
		   "changed what clients can negotiate.",
    .fix = "Review the change; restore the configuration or derive the pin again.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = dr_refs,
    .eval = dr_versions,
};

/* ---- drift.suites ---- */

static int dr_cmp32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void dr_suites(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_pin *pin = dr_pin(f, ctx);
	struct dbtls_str ev = {0};
	uint32_t *now = NULL;
	size_t nnow = 0, cap = 0, n;
	char title[128];

	if (!pin || !pin->suites_set)
		return;
	for (int v = 0; f->tls_offered == 1 && v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &f->versions[v];

		/* a version not probed, or accepted but not enumerated: the set is unknown */
		if (vf->status == DBTLS_VS_NOT_PROBED || vf->status == DBTLS_VS_ERROR ||
		    (vf->status == DBTLS_VS_ACCEPTED && (!vf->nsuites || !vf->suites)))
			goto out;
		if (vf->status != DBTLS_VS_ACCEPTED)
			continue;
		if (nnow + vf->nsuites > cap) {
			uint32_t *p = realloc(now, (nnow + vf->nsuites) * sizeof(*now));
			if (!p) {
				out->oom = true;
				goto out;
			}
			now = p;
			cap = nnow + vf->nsuites;
		}
		memcpy(now + nnow, vf->suites, vf->nsuites * sizeof(*now));
		nnow += vf->nsuites;
	}
	if (nnow)
		qsort(now, nnow, sizeof(*now), dr_cmp32); /* evidence in code order, like the pin */
	n = dr_diff(now, nnow, pin->suites, pin->nsuites, dbtls_suite_label, &ev);
	if (n) {
		snprintf(title, sizeof(title), "Accepted suites differ from the pin (%zu change%s)",
			 n, n == 1 ? "" : "s");
		dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dr_fix, "%s", title);
	}
out:
	free(now);
	free(ev.s);
}

static const struct dbtls_check chk_suites = {
    .id = "drift.suites",
    .title = "Accepted suites differ from the pin",
    .description = "The set of cipher suites the server accepts (over all versions) is not the "
		   "set pinned from a reviewed scan.",
    .fix = "Review the change; restore the configuration or derive the pin again.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = dr_refs,
    .eval = dr_suites,
};

/* ---- drift.groups ---- */

static void dr_groups(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_pin *pin = dr_pin(f, ctx);
	uint32_t *now = NULL, *pinned = NULL;
	size_t nnow = 0, n;
	struct dbtls_str ev = {0};
	char title[128];

	if (!pin || !pin->groups_set)
		return;
	/* groups_version -1 with TLS offered: not probed (an older report) or no group found; the
	 * two cannot be told apart, so do not compare. A server that dropped every ECDHE/DHE suite
	 * and TLS 1.3 still shows up in drift.suites and drift.versions. */
	if (f->tls_offered == 1 && f->groups_version < 0)
		return;
	if (f->tls_offered == 1)
		nnow = f->groups ? f->ngroups : 0;
	now = calloc(nnow ? nnow : 1, sizeof(*now));
	pinned = calloc(pin->ngroups ? pin->ngroups : 1, sizeof(*pinned));
	if (!now || !pinned) {
		out->oom = true;
		goto out;
	}
	for (size_t i = 0; i < nnow; i++)
		now[i] = f->groups[i];
	for (size_t i = 0; pin->groups && i < pin->ngroups; i++)
		pinned[i] = pin->groups[i];
	qsort(now, nnow, sizeof(*now), dr_cmp32);
	n = dr_diff(now, nnow, pinned, pin->groups ? pin->ngroups : 0, dr_group_name, &ev);
	if (n) {
		snprintf(title, sizeof(title), "Accepted groups differ from the pin (%zu change%s)",
			 n, n == 1 ? "" : "s");
		dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dr_fix, "%s", title);
	}
out:
	free(now);
	free(pinned);
	free(ev.s);
}

static const struct dbtls_check chk_groups = {
    .id = "drift.groups",
    .title = "Accepted groups differ from the pin",
    .description = "The set of key-exchange groups the server accepts is not the set pinned "
		   "from a reviewed scan.",
    .fix = "Review the change; restore the configuration or derive the pin again.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = dr_refs,
    .eval = dr_groups,
};

/* ---- drift.issuer, drift.key-type, drift.leaf ---- */

/* The leaf, when the chain was collected; drift on certificates needs one to compare. */
static const struct dbtls_cert *dr_leaf(const struct dbtls_endpoint_facts *f)
{
	return f->certs && f->ncerts ? &f->certs[0] : NULL;
}

static void dr_issuer(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_pin *pin = dr_pin(f, ctx);
	const struct dbtls_cert *leaf = dr_leaf(f);
	const char *now;
	struct dbtls_str ev = {0};

	if (!pin || !pin->issuer || !leaf)
		return;
	now = leaf->issuer ? leaf->issuer : "";
	if (strcmp(now, pin->issuer) == 0)
		return;
	dbtls_str_cat(&ev, "pinned: %s; now: %s", pin->issuer, *now ? now : "(none)");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dr_fix, "%s",
			   "The leaf certificate's issuer changed");
	free(ev.s);
}

static const struct dbtls_check chk_issuer = {
    .id = "drift.issuer",
    .title = "Leaf issuer differs from the pin",
    .description = "The leaf certificate was issued by a different CA than the pinned one: a "
		   "move to another CA, or a certificate that should not be there.",
    .fix = "Confirm the new issuer is intended; then derive the pin again.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = dr_refs,
    .eval = dr_issuer,
};

static void dr_key_type(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_pin *pin = dr_pin(f, ctx);
	const struct dbtls_cert *leaf = dr_leaf(f);
	struct dbtls_str ev = {0};
	char now[64], title[160];

	if (!pin || !pin->key_type || !leaf)
		return;
	/* the same "TYPE BITS" form that dbtls policy derive writes */
	snprintf(now, sizeof(now), "%s %d", leaf->key_type ? leaf->key_type : "?", leaf->key_bits);
	if (strcmp(now, pin->key_type) == 0)
		return;
	dbtls_str_cat(&ev, "pinned: %s; now: %s", pin->key_type, now);
	snprintf(title, sizeof(title), "The leaf key changed from %s to %s", pin->key_type, now);
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dr_fix, "%s", title);
	free(ev.s);
}

static const struct dbtls_check chk_key_type = {
    .id = "drift.key-type",
    .title = "Leaf key type differs from the pin",
    .description = "The leaf certificate's key type or size is not the pinned one (e.g. RSA "
		   "3072 became RSA 2048): a renewal that did not follow the reviewed "
		   "parameters.",
    .fix = "Reissue with the pinned key type and size, or derive the pin again.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = dr_refs,
    .eval = dr_key_type,
};

static void dr_leaf_fp(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_pin *pin = dr_pin(f, ctx);
	const struct dbtls_cert *leaf = dr_leaf(f);
	struct dbtls_str ev = {0};

	if (!pin || !pin->leaf_sha256 || !leaf || !leaf->sha256[0])
		return;
	if (strcasecmp(leaf->sha256, pin->leaf_sha256) == 0)
		return;
	dbtls_str_cat(&ev, "pinned SHA-256: %s; now: %s", pin->leaf_sha256, leaf->sha256);
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dr_fix, "%s",
			   "The leaf certificate was replaced");
	free(ev.s);
}

static const char *const dr_refs_leaf[] = {"NIST SP 800-53r5 CM-3", "RFC 5280", NULL};

static const struct dbtls_check chk_leaf = {
    .id = "drift.leaf",
    .title = "Leaf certificate differs from the pin",
    .description = "The server presents a different leaf certificate than the pinned one. "
		   "Usually a normal renewal (hence informational); the issuer and key-type "
		   "checks tell a renewal from a real change.",
    .fix = "Nothing if it is a planned renewal; derive the pin again to record it.",
    .default_severity = DBTLS_SEV_INFO,
    .references = dr_refs_leaf,
    .eval = dr_leaf_fp,
};

const struct dbtls_check *const dbtls_checks_drift[] = {
    &chk_versions, &chk_suites, &chk_groups, &chk_issuer, &chk_key_type, &chk_leaf, NULL,
};
