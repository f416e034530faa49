/* SPDX-License-Identifier: MIT */
/*
 * check_kex.c — the key-exchange checks: a DHE prime smaller than the profile allows, accepted
 * named groups that are too small (ffdhe against min_dh_bits, elliptic curves against
 * min_ecc_bits), and groups outside the profile's allow-list.
 *
 * Group sizes come from the IANA group id alone (a table below), so a report read back from JSON
 * is judged exactly like a live scan. Groups of unknown size (hybrid post-quantum groups, ids we
 * do not know) are never called weak: we cannot tell.
 *
 * Remediation for MySQL/MariaDB (checks/remedy/mysql.c) is deliberately modest: neither server
 * has a setting for the DH prime (there is no ssl_dhparam), MariaDB has none for the groups, and
 * only recent MySQL releases have one (tls_kex), so the texts say what decides the size and what
 * can be changed.
 */
#include "checks/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/names.h"

/* Size class of group id in bits (0 when unknown); *ffdhe tells finite-field from elliptic. */
static int kx_group_bits(uint16_t id, bool *ffdhe)
{
	static const struct {
		uint16_t id;
		uint16_t bits;
	} ec[] = {
	    {0x0001, 163},
	    {0x0002, 163},
	    {0x0003, 163},
	    {0x0004, 193},
	    {0x0005, 193},
	    {0x0006, 233},
	    {0x0007, 233},
	    {0x0008, 239},
	    {0x0009, 283},
	    {0x000a, 283},
	    {0x000b, 409},
	    {0x000c, 409},
	    {0x000d, 571},
	    {0x000e, 571},
	    {0x000f, 160},
	    {0x0010, 160},
	    {0x0011, 160},
	    {0x0012, 192},
	    {0x0013, 192},
	    {0x0014, 224},
	    {0x0015, 224},
	    {0x0016, 256},
	    {0x0017, 256},
	    {0x0018, 384},
	    {0x0019, 521},
	    {0x001a, 256},
	    {0x001b, 384},
	    {0x001c, 512},
	    /* x25519 is a 255-bit curve in the 128-bit strength class of P-256: count it as 256
	     * so that min_ecc_bits 256 does not reject the best-reviewed curve there is */
	    {0x001d, 256},
	    {0x001e, 448},
	    {0x001f, 256},
	    {0x0020, 384},
	    {0x0021, 512},
	};
	static const struct {
		uint16_t id;
		uint16_t bits;
	} ff[] = {
	    {0x0100, 2048}, {0x0101, 3072}, {0x0102, 4096}, {0x0103, 6144}, {0x0104, 8192},
	};

	for (size_t i = 0; i < sizeof(ec) / sizeof(ec[0]); i++)
		if (ec[i].id == id) {
			*ffdhe = false;
			return ec[i].bits;
		}
	for (size_t i = 0; i < sizeof(ff) / sizeof(ff[0]); i++)
		if (ff[i].id == id) {
			*ffdhe = true;
			return ff[i].bits;
		}
	return 0;
}

/* ---- kex.dh-weak ---- */

/* The smallest RFC 7919 group of at least `bits`. */
static int kx_ffdhe_for(int bits)
{
	static const int sizes[] = {2048, 3072, 4096, 6144};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (bits <= sizes[i])
			return sizes[i];
	return 8192;
}

static void kx_dh_weak(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	int min = ctx->policy ? ctx->policy->params.min_dh_bits : 0;
	char *fix, ev[128];

	if (f->dh_bits <= 0 || min <= 0 || f->dh_bits >= min)
		return;
	snprintf(ev, sizeof(ev), "smallest DHE prime: %d bits (profile minimum %d)", f->dh_bits,
		 min);
	fix = dbtls_remedy_dh_prime(f, min, kx_ffdhe_for(min), "ECDHE+AESGCM:ECDHE+CHACHA20");
	if (!fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev, fix, "DHE with a %d-bit prime accepted",
				   f->dh_bits);
	free(fix);
}

static const char *const kx_refs_dh[] = {"RFC 7919", "RFC 9325", "NIST SP 800-57 Part 1 Rev. 5",
					 "weakdh.org (Logjam)", NULL};

static const struct dbtls_check chk_dh_weak = {
    .id = "kex.dh-weak",
    .title = "Weak DHE prime",
    .description = "The server's ephemeral Diffie-Hellman uses a prime smaller than the "
		   "profile allows. Primes of 1024 bits and less are within reach of "
		   "precomputation (Logjam), and the exchange is only as strong as its prime.",
    .fix = "Use DH parameters of at least the profile's size (RFC 7919 groups), or prefer "
	   "ECDHE and drop DHE suites.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = kx_refs_dh,
    .eval = kx_dh_weak,
};

/* ---- kex.group-weak and kex.group-not-allowed ---- */

static void kx_group_weak(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	int min_dh = ctx->policy ? ctx->policy->params.min_dh_bits : 0;
	int min_ec = ctx->policy ? ctx->policy->params.min_ecc_bits : 0;
	struct dbtls_str ev = {0};
	size_t n = 0;
	char hex[8], *fix;

	for (size_t i = 0; f->groups && i < f->ngroups; i++) {
		bool ffdhe = false;
		int bits = kx_group_bits(f->groups[i], &ffdhe);
		int min = ffdhe ? min_dh : min_ec;

		if (bits <= 0 || min <= 0 || bits >= min)
			continue;
		dbtls_str_cat(&ev, "%s%s (%d bits < %d)", n ? ", " : "",
			      dbtls_group_label(f->groups[i], hex, sizeof(hex)), bits, min);
		n++;
	}
	if (!n)
		return;
	fix = dbtls_remedy_groups(f, "x25519:secp256r1:secp384r1");
	if (ev.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix,
				   "%zu weak key-exchange group%s accepted", n, n == 1 ? "" : "s");
	free(ev.s);
	free(fix);
}

static const char *const kx_refs_groups[] = {"RFC 8422", "RFC 7919", "NIST SP 800-57 Part 1 Rev. 5",
					     NULL};

static const struct dbtls_check chk_group_weak = {
    .id = "kex.group-weak",
    .title = "Weak key-exchange groups accepted",
    .description = "The server accepts named groups smaller than the profile allows: elliptic "
		   "curves below min_ecc_bits (e.g. secp192r1, sect163k1) or finite-field "
		   "groups below min_dh_bits. The key exchange is only as strong as its group.",
    .fix = "Offer only x25519, secp256r1, secp384r1 (and ffdhe groups of the profile's size).",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = kx_refs_groups,
    .eval = kx_group_weak,
};

static void kx_group_not_allowed(const struct dbtls_check *self,
				 const struct dbtls_endpoint_facts *f,
				 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_policy_params *pp = ctx->policy ? &ctx->policy->params : NULL;
	struct dbtls_str ev = {0}, list = {0};
	size_t n = 0;
	char hex[8], *fix;

	if (!pp || !pp->allowed_groups)
		return;
	for (size_t i = 0; f->groups && i < f->ngroups; i++) {
		bool ok = false;

		for (size_t j = 0; j < pp->nallowed_groups; j++)
			ok |= pp->allowed_groups[j] == f->groups[i];
		if (ok)
			continue;
		dbtls_str_cat(&ev, "%s%s", n ? ", " : "",
			      dbtls_group_label(f->groups[i], hex, sizeof(hex)));
		n++;
	}
	if (!n)
		goto out;
	/* the allow-list itself is the right group list (names OpenSSL knows) */
	for (size_t j = 0; j < pp->nallowed_groups; j++) {
		const char *name = dbtls_group_name(pp->allowed_groups[j]);
		if (name)
			dbtls_str_cat(&list, "%s%s", list.n ? ":" : "", name);
	}
	dbtls_str_cat(&ev, " (allowed: %s)", list.n ? list.s : "none");
	fix = dbtls_remedy_groups(f, list.n ? list.s : "x25519:secp256r1");
	if (ev.oom || list.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix,
				   "%zu key-exchange group%s outside the profile's allow-list "
				   "accepted",
				   n, n == 1 ? "" : "s");
	free(fix);
out:
	free(ev.s);
	free(list.s);
}

static const char *const kx_refs_allowed[] = {"RFC 8446 §4.2.7", "Mozilla Server Side TLS", NULL};

static const struct dbtls_check chk_group_not_allowed = {
    .id = "kex.group-not-allowed",
    .title = "Key-exchange groups outside the profile's allow-list accepted",
    .description = "The profile lists the only key-exchange groups a server may accept, and "
		   "this server accepts others.",
    .fix = "Restrict the server's groups to the profile's list.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = kx_refs_allowed,
    .eval = kx_group_not_allowed,
};

const struct dbtls_check *const dbtls_checks_kex[] = {
    &chk_dh_weak,
    &chk_group_weak,
    &chk_group_not_allowed,
    NULL,
};
