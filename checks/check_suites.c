/* SPDX-License-Identifier: MIT */
/*
 * check_suites.c — the cipher-suite checks: one per suite property a profile can forbid
 * (suites.export … suites.seed-idea, each silent unless its bit is in params.forbidden_props),
 * suites outside the profile's allow-list, and a server that follows the client's order.
 *
 * Every property check shares one eval: a table below maps the descriptor to its property bit,
 * its wording and the OpenSSL cipher string the remediation suggests. Suites come from the
 * per-version enumeration (versions[v].suites); an old report without enumeration still has the
 * suite the version probe picked (versions[v].cipher), which is used alone then.
 */
#include "checks/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/suites.h"

/* The suites version v is known to accept; *one holds the probe's pick when nothing was
 * enumerated. NULL/0 when the version was not accepted. */
static const uint32_t *su_version_suites(const struct dbtls_endpoint_facts *f, int v, size_t *n,
					 uint32_t *one)
{
	const struct dbtls_version_facts *vf = &f->versions[v];

	*n = 0;
	if (vf->status != DBTLS_VS_ACCEPTED)
		return NULL;
	if (vf->nsuites && vf->suites) {
		*n = vf->nsuites;
		return vf->suites;
	}
	if (vf->cipher) {
		*one = vf->cipher;
		*n = 1;
		return one;
	}
	return NULL;
}

/* Appends "TLSv1.2: A, B; TLSv1.0: C" (newest version first) for the accepted suites that
 * match; returns how many distinct suites matched. */
static size_t su_collect(const struct dbtls_endpoint_facts *f,
			 bool (*match)(uint32_t code, const void *arg), const void *arg,
			 struct dbtls_str *ev)
{
	uint32_t seen[512];
	size_t nseen = 0, distinct = 0;
	char hex[16];

	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--) {
		uint32_t one;
		size_t n;
		const uint32_t *codes = su_version_suites(f, v, &n, &one);
		bool first = true;

		for (size_t i = 0; i < n; i++) {
			const char *name = dbtls_suite_label(codes[i], hex, sizeof(hex));
			bool dup = false;

			if (!match(codes[i], arg))
				continue;
			if (first)
				dbtls_str_cat(ev, "%s%s: %s", ev->n ? "; " : "",
					      dbtls_version_name((enum dbtls_version)v), name);
			else
				dbtls_str_cat(ev, ", %s", name);
			first = false;
			/* the same suite under two versions counts once in the title */
			for (size_t j = 0; j < nseen; j++)
				dup |= seen[j] == codes[i];
			if (!dup) {
				distinct++;
				if (nseen < sizeof(seen) / sizeof(seen[0]))
					seen[nseen++] = codes[i];
			}
		}
	}
	return distinct;
}

/* ---- suites.<property> ---- */

/* Every suite of a strong profile, for the cases where only a positive list removes the
 * problem (CBC, static DH/ECDH). */
#define SU_STRICT "ECDHE+AESGCM:ECDHE+CHACHA20"
/* OpenSSL's HIGH minus everything a baseline profile forbids; each exclusion is harmless on
 * libraries that no longer know the suites at all. */
#define SU_BASE                                                                                    \
	"HIGH:!aNULL:!eNULL:!EXPORT:!RC4:!DES:!3DES:!MD5:!PSK:!SRP:!CAMELLIA:!ARIA:!SEED:!IDEA"

struct su_rule {
	const struct dbtls_check *check;
	uint32_t prop;
	const char *noun;    /* "export" in "3 export suites accepted" */
	const char *ciphers; /* OpenSSL cipher string for the remediation */
};

static const struct su_rule *su_rule_of(const struct dbtls_check *self);

static bool su_has_prop(uint32_t code, const void *arg)
{
	return (dbtls_suite_props(code) & *(const uint32_t *)arg) != 0;
}

static void su_prop_eval(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct su_rule *r = su_rule_of(self);
	struct dbtls_str ev = {0};
	size_t n;
	char *fix;

	if (!r || !ctx->policy || !(ctx->policy->params.forbidden_props & r->prop))
		return;
	n = su_collect(f, su_has_prop, &r->prop, &ev);
	if (!n && !ev.oom)
		return;
	fix = dbtls_remedy_suites(f, r->ciphers);
	if (ev.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix, "%zu %s suite%s accepted", n,
				   r->noun, n == 1 ? "" : "s");
	free(ev.s);
	free(fix);
}

#define SU_CHECK(var, id_, title_, desc_, fix_, sev_, refs_)                                       \
	static const struct dbtls_check var = {                                                    \
	    .id = id_,                                                                             \
	    .title = title_,                                                                       \
	    .description = desc_,                                                                  \
	    .fix = fix_,                                                                           \
	    .default_severity = sev_,                                                              \
	    .references = refs_,                                                                   \
	    .eval = su_prop_eval,                                                                  \
	}

static const char *const su_refs_general[] = {"RFC 9325", "NIST SP 800-52r2",
					      "Mozilla Server Side TLS", NULL};
static const char *const su_refs_rc4[] = {"RFC 7465", "RFC 9325", NULL};
static const char *const su_refs_des[] = {"RFC 5469", "RFC 9325", NULL};
static const char *const su_refs_3des[] = {"RFC 9325", "CVE-2016-2183 (Sweet32)",
					   "NIST SP 800-131A Rev. 2", NULL};
static const char *const su_refs_mozilla[] = {"Mozilla Server Side TLS", "RFC 9325", NULL};
static const char *const su_refs_idea[] = {"RFC 5469", "Mozilla Server Side TLS", NULL};

SU_CHECK(chk_export, "suites.export", "Export-grade suites accepted",
	 "The server accepts export suites (40- or 56-bit keys, 512-bit key exchange), which are "
	 "broken in real time and enable downgrade attacks such as FREAK and Logjam.",
	 "Remove every EXPORT suite from the server's cipher list.", DBTLS_SEV_CRITICAL,
	 su_refs_general);
SU_CHECK(chk_anon, "suites.anon", "Anonymous suites accepted",
	 "The server accepts anonymous (DH_anon/ECDH_anon) suites, which do not authenticate the "
	 "server at all, so any man in the middle can read and change the traffic.",
	 "Remove the anonymous suites (aNULL) from the server's cipher list.", DBTLS_SEV_CRITICAL,
	 su_refs_general);
SU_CHECK(chk_null, "suites.null", "NULL-encryption suites accepted",
	 "The server accepts suites with NULL encryption: the data is authenticated but travels "
	 "in clear text.",
	 "Remove the NULL-encryption suites (eNULL) from the server's cipher list.",
	 DBTLS_SEV_CRITICAL, su_refs_general);
SU_CHECK(chk_rc4, "suites.rc4", "RC4 suites accepted",
	 "The server accepts RC4 suites; RC4's keystream biases make plaintext recovery "
	 "practical and RFC 7465 prohibits them.",
	 "Remove the RC4 suites from the server's cipher list.", DBTLS_SEV_HIGH, su_refs_rc4);
SU_CHECK(chk_des, "suites.des", "Single-DES suites accepted",
	 "The server accepts single-DES suites (56-bit keys), which can be brute-forced; RFC 5469 "
	 "removed them from TLS 1.2.",
	 "Remove the DES suites from the server's cipher list.", DBTLS_SEV_HIGH, su_refs_des);
SU_CHECK(chk_3des, "suites.3des", "3DES suites accepted",
	 "The server accepts 3DES suites; their 64-bit block makes long connections vulnerable to "
	 "birthday attacks (Sweet32) and they give at most 112-bit security.",
	 "Remove the 3DES suites from the server's cipher list.", DBTLS_SEV_MEDIUM, su_refs_3des);
SU_CHECK(chk_cbc, "suites.cbc", "CBC-mode suites accepted",
	 "The server accepts CBC-mode suites, whose MAC-then-encrypt construction has produced a "
	 "long series of padding-oracle and timing attacks (Lucky Thirteen); AEAD suites avoid "
	 "them.",
	 "Offer only AEAD suites (AES-GCM, ChaCha20-Poly1305).", DBTLS_SEV_LOW, su_refs_mozilla);
SU_CHECK(chk_non_pfs, "suites.non-pfs", "Suites without forward secrecy accepted",
	 "The server accepts suites without an ephemeral key exchange (RSA key transport, static "
	 "DH/ECDH, plain PSK), so anyone who later obtains the server's private key can decrypt "
	 "recorded sessions.",
	 "Offer only ECDHE (or DHE) suites, and TLS 1.3.", DBTLS_SEV_MEDIUM, su_refs_general);
SU_CHECK(chk_sha1_mac, "suites.sha1-mac", "Suites with SHA-1 or MD5 record MACs accepted",
	 "The server accepts suites whose record MAC is HMAC-SHA1 or HMAC-MD5. HMAC-SHA1 is not "
	 "broken, but these suites are all legacy CBC, RC4 or NULL constructions that current "
	 "profiles exclude.",
	 "Offer only AEAD suites or suites with SHA-256/384 MACs.", DBTLS_SEV_LOW, su_refs_mozilla);
SU_CHECK(chk_static_kx, "suites.static-kx", "Static DH/ECDH suites accepted",
	 "The server accepts suites with static (certificate-based) DH or ECDH key exchange, "
	 "which give no forward secrecy and are deprecated.",
	 "Remove the static DH/ECDH suites; use ECDHE.", DBTLS_SEV_MEDIUM, su_refs_general);
SU_CHECK(chk_psk, "suites.psk", "PSK suites accepted",
	 "The server accepts pre-shared-key suites, which a database server's clients do not use; "
	 "an unused authentication path is attack surface, and plain PSK has no forward secrecy.",
	 "Remove the PSK suites from the server's cipher list.", DBTLS_SEV_LOW, su_refs_mozilla);
SU_CHECK(chk_srp, "suites.srp", "SRP suites accepted",
	 "The server accepts SRP suites, which a database server's clients do not use and which "
	 "only offer CBC with SHA-1.",
	 "Remove the SRP suites from the server's cipher list.", DBTLS_SEV_LOW, su_refs_mozilla);
SU_CHECK(chk_camellia, "suites.camellia", "Camellia suites accepted",
	 "The server accepts Camellia suites. Camellia is not broken, but the profile limits "
	 "suites to widely reviewed and hardware-accelerated ciphers (AES, ChaCha20).",
	 "Remove the Camellia suites from the server's cipher list.", DBTLS_SEV_INFO,
	 su_refs_mozilla);
SU_CHECK(chk_aria, "suites.aria", "ARIA suites accepted",
	 "The server accepts ARIA suites. ARIA is not broken, but the profile limits suites to "
	 "widely reviewed and hardware-accelerated ciphers (AES, ChaCha20).",
	 "Remove the ARIA suites from the server's cipher list.", DBTLS_SEV_INFO, su_refs_mozilla);
SU_CHECK(chk_seed_idea, "suites.seed-idea", "SEED or IDEA suites accepted",
	 "The server accepts SEED or IDEA suites: legacy CBC-mode ciphers with SHA-1 MACs (IDEA "
	 "with a 64-bit block); RFC 5469 removed IDEA from TLS 1.2.",
	 "Remove the SEED and IDEA suites from the server's cipher list.", DBTLS_SEV_LOW,
	 su_refs_idea);

static const struct su_rule su_rules[] = {
    {&chk_export, DBTLS_PROP_EXPORT, "export", SU_BASE},
    {&chk_anon, DBTLS_PROP_ANON, "anonymous", SU_BASE},
    {&chk_null, DBTLS_PROP_NULL, "NULL-encryption", SU_BASE},
    {&chk_rc4, DBTLS_PROP_RC4, "RC4", SU_BASE},
    {&chk_des, DBTLS_PROP_DES, "single-DES", SU_BASE},
    {&chk_3des, DBTLS_PROP_3DES, "3DES", SU_BASE},
    {&chk_cbc, DBTLS_PROP_CBC, "CBC-mode", SU_STRICT},
    {&chk_non_pfs, DBTLS_PROP_NON_PFS, "non-forward-secret", SU_BASE ":!kRSA"},
    {&chk_sha1_mac, DBTLS_PROP_SHA1_MAC, "SHA-1/MD5-MAC", SU_BASE ":!SHA1"},
    {&chk_static_kx, DBTLS_PROP_STATIC_KX, "static DH/ECDH", SU_STRICT},
    {&chk_psk, DBTLS_PROP_PSK, "PSK", SU_BASE},
    {&chk_srp, DBTLS_PROP_SRP, "SRP", SU_BASE},
    {&chk_camellia, DBTLS_PROP_CAMELLIA, "Camellia", SU_BASE},
    {&chk_aria, DBTLS_PROP_ARIA, "ARIA", SU_BASE},
    {&chk_seed_idea, DBTLS_PROP_SEED_IDEA, "SEED/IDEA", SU_BASE},
};

static const struct su_rule *su_rule_of(const struct dbtls_check *self)
{
	for (size_t i = 0; i < sizeof(su_rules) / sizeof(su_rules[0]); i++)
		if (su_rules[i].check == self)
			return &su_rules[i];
	return NULL;
}

/* ---- suites.not-allowed ---- */

static bool su_not_allowed(uint32_t code, const void *arg)
{
	const struct dbtls_policy_params *pp = arg;

	for (size_t i = 0; i < pp->nallowed_suites; i++)
		if (pp->allowed_suites[i] == code)
			return false;
	return true;
}

/* The allow-list as an OpenSSL cipher string (TLS <= 1.2 names; TLS 1.3 suites are configured
 * apart), so the remediation is exactly the profile. */
static void su_allowed_string(const struct dbtls_policy_params *pp, struct dbtls_str *b)
{
	for (size_t i = 0; i < pp->nallowed_suites; i++) {
		uint32_t code = pp->allowed_suites[i];
		const struct dbtls_suite *s =
		    code > 0xffff ? NULL : dbtls_suite_by_code((uint16_t)code);

		if (s && s->openssl_name && !(s->flags & DBTLS_SF_TLS13))
			dbtls_str_cat(b, "%s%s", b->n ? ":" : "", s->openssl_name);
	}
}

static void su_not_allowed_eval(const struct dbtls_check *self,
				const struct dbtls_endpoint_facts *f,
				const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_policy_params *pp = ctx->policy ? &ctx->policy->params : NULL;
	struct dbtls_str ev = {0}, cs = {0};
	size_t n;
	char *fix;

	if (!pp || !pp->allowed_suites)
		return;
	n = su_collect(f, su_not_allowed, pp, &ev);
	if (!n && !ev.oom)
		return;
	su_allowed_string(pp, &cs);
	fix = dbtls_remedy_suites(f, cs.n ? cs.s : SU_STRICT);
	if (ev.oom || cs.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix,
				   "%zu suite%s outside the profile's allow-list accepted", n,
				   n == 1 ? "" : "s");
	free(ev.s);
	free(cs.s);
	free(fix);
}

static const struct dbtls_check chk_not_allowed = {
    .id = "suites.not-allowed",
    .title = "Suites outside the profile's allow-list accepted",
    .description = "The profile lists the only cipher suites a server may accept, and this "
		   "server accepts others. Allow-lists catch what per-property checks cannot "
		   "foresee.",
    .fix = "Set the server's cipher list to the suites the profile allows.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = su_refs_mozilla,
    .eval = su_not_allowed_eval,
};

/* ---- suites.client-order ---- */

static void su_client_order(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, names = {0};
	char *fix = NULL;

	if (!ctx->policy || !ctx->policy->params.require_server_order)
		return;
	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--) {
		const struct dbtls_version_facts *vf = &f->versions[v];

		/* with one suite there is no order to enforce */
		if (vf->status != DBTLS_VS_ACCEPTED || vf->nsuites < 2 || vf->server_order != 0)
			continue;
		dbtls_str_cat(&ev,
			      "%s%s: the server picks by the client's preference (%zu suites "
			      "accepted)",
			      ev.n ? "; " : "", dbtls_version_name((enum dbtls_version)v),
			      vf->nsuites);
		dbtls_str_cat(&names, "%s%s", names.n ? ", " : "",
			      dbtls_version_name((enum dbtls_version)v));
	}
	if (!ev.n && !ev.oom)
		goto out;
	if (ev.oom || names.oom) {
		out->oom = true;
		goto out;
	}
	fix = dbtls_remedy_server_order(f, SU_STRICT, self->fix);
	dbtls_findings_add(out, self, ctx, -1, ev.s, fix,
			   "The server follows the client's cipher order (%s)", names.s);
out:
	free(ev.s);
	free(names.s);
	free(fix);
}

static const struct dbtls_check chk_client_order = {
    .id = "suites.client-order",
    .title = "The server follows the client's cipher order",
    .description = "The server picks the client's preferred suite instead of its own, so a "
		   "client (or an attacker steering an old one) can choose the weakest suite "
		   "the server still accepts.",
    .fix = "Make the server enforce its own suite order (OpenSSL: ServerPreference), or accept "
	   "only suites that are all acceptable.",
    .default_severity = DBTLS_SEV_LOW,
    .references = su_refs_mozilla,
    .eval = su_client_order,
};

const struct dbtls_check *const dbtls_checks_suites[] = {
    &chk_export,   &chk_anon,	 &chk_null,	 &chk_rc4,	   &chk_des,	      &chk_3des,
    &chk_cbc,	   &chk_non_pfs, &chk_sha1_mac,	 &chk_static_kx,   &chk_psk,	      &chk_srp,
    &chk_camellia, &chk_aria,	 &chk_seed_idea, &chk_not_allowed, &chk_client_order, NULL,
};
