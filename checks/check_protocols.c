/* SPDX-License-Identifier: MIT */
/*
 * check_protocols.c — the protocol-version checks: no TLS at all, SSLv2, SSLv3, TLS 1.0 and 1.1,
 * versions below the profile's minimum, and TLS 1.3 missing where the profile requires it.
 *
 * Each check reads versions[v].status from the facts and nothing else that could be stale: a
 * version that was not probed or whose probe errored is unknown, never "rejected", so a partial
 * scan cannot produce a finding that claims an absence.
 */
#include "checks/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/suites.h"

/* A growable string for evidence; oom makes the whole finding fail rather than lie. */
/* Version names as people write them in titles; the evidence uses the report names. */
static const char *const pr_human[DBTLS_NVERSIONS] = {
    [DBTLS_SSL2] = "SSLv2",    [DBTLS_SSL3] = "SSLv3",	  [DBTLS_TLS10] = "TLS 1.0",
    [DBTLS_TLS11] = "TLS 1.1", [DBTLS_TLS12] = "TLS 1.2", [DBTLS_TLS13] = "TLS 1.3",
};

static bool pr_accepted(const struct dbtls_endpoint_facts *f, int v)
{
	return f->versions[v].status == DBTLS_VS_ACCEPTED;
}

/* "TLSv1.0: accepted (ServerHello TLSv1.0); suites: A, B" */
static void pr_version_evidence(struct dbtls_str *b, const struct dbtls_endpoint_facts *f, int v)
{
	const struct dbtls_version_facts *vf = &f->versions[v];
	char hex[16];

	dbtls_str_cat(b, "%s%s: accepted", b->n ? "; " : "",
		      dbtls_version_name((enum dbtls_version)v));
	if (vf->reason)
		dbtls_str_cat(b, " (%s)", vf->reason);
	if (vf->nsuites) {
		for (size_t i = 0; i < vf->nsuites; i++)
			dbtls_str_cat(b, "%s%s", i ? ", " : "; suites: ",
				      dbtls_suite_label(vf->suites[i], hex, sizeof(hex)));
	} else if (vf->cipher) {
		dbtls_str_cat(b, "; suite: %s", dbtls_suite_label(vf->cipher, hex, sizeof(hex)));
	}
}

/* The minimum version to suggest: the profile's, but never below TLS 1.2. */
static int pr_target_min(const struct dbtls_check_ctx *ctx)
{
	int m = ctx->policy ? ctx->policy->params.min_version : -1;

	return m > DBTLS_TLS12 && m < DBTLS_NVERSIONS ? m : DBTLS_TLS12;
}

static void pr_add_version(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out, int v)
{
	struct dbtls_str ev = {0};
	char *fix;

	if (!pr_accepted(f, v))
		return;
	pr_version_evidence(&ev, f, v);
	fix = dbtls_remedy_versions(f, pr_target_min(ctx));
	if (ev.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix, "%s accepted", pr_human[v]);
	free(ev.s);
	free(fix);
}

/* ---- tls.not-offered ---- */

static void pr_not_offered(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0};
	char *what, *fix;

	if (f->tls_offered != 0)
		return; /* 1: offered; -1: the scan never learned it */
	what = dbtls_remedy_not_offered_evidence(f);
	fix = dbtls_remedy_not_offered(f, self->fix);
	dbtls_str_cat(&ev, "%s", what ? what : "");
	/* what it answered instead (direct TLS: the opening TLS 1.2 probe's reason) */
	if (f->versions[DBTLS_TLS12].reason &&
	    !strncmp(f->versions[DBTLS_TLS12].reason, "answer is not TLS", 17))
		dbtls_str_cat(&ev, ": %s", f->versions[DBTLS_TLS12].reason);
	if (f->server.product || f->server.version)
		dbtls_str_cat(&ev, " (%s%s%s)", f->server.product ? f->server.product : "",
			      f->server.product && f->server.version ? " " : "",
			      f->server.version ? f->server.version : "");
	dbtls_findings_add(out, self, ctx, -1, what ? dbtls_str_get(&ev) : NULL, fix,
			   "The server offers no TLS");
	free(ev.s);
	free(what);
	free(fix);
}

static const char *const pr_refs_not_offered[] = {"RFC 9325", "NIST SP 800-52r2", "CWE-319", NULL};

static const struct dbtls_check chk_not_offered = {
    .id = "tls.not-offered",
    .title = "The server offers no TLS",
    .description = "The server does not offer TLS at all (for MySQL/MariaDB: the greeting "
		   "lacks CLIENT_SSL), so passwords, queries and results cross the network in "
		   "clear text and clients cannot authenticate the server.",
    .fix = "Give the server a certificate and private key and enable TLS; then require TLS "
	   "from every client.",
    .default_severity = DBTLS_SEV_CRITICAL,
    .references = pr_refs_not_offered,
    .eval = pr_not_offered,
};

/* ---- protocol.sslv2-enabled, sslv3-enabled, tls10-enabled, tls11-enabled ---- */

static void pr_sslv2(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	pr_add_version(self, f, ctx, out, DBTLS_SSL2);
}

static void pr_sslv3(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	pr_add_version(self, f, ctx, out, DBTLS_SSL3);
}

static void pr_tls10(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	pr_add_version(self, f, ctx, out, DBTLS_TLS10);
}

static void pr_tls11(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	pr_add_version(self, f, ctx, out, DBTLS_TLS11);
}

static const char *const pr_refs_sslv2[] = {"RFC 6176", "RFC 9325", NULL};
static const char *const pr_refs_sslv3[] = {"RFC 7568", "RFC 9325", NULL};
static const char *const pr_refs_tls1x[] = {"RFC 8996", "RFC 9325", "NIST SP 800-52r2 §3.1", NULL};

static const struct dbtls_check chk_sslv2 = {
    .id = "protocol.sslv2-enabled",
    .title = "SSLv2 accepted",
    .description = "The server completes an SSLv2 handshake. SSLv2 is broken beyond repair "
		   "(no handshake integrity, export ciphers, weak MAC) and enables "
		   "cross-protocol attacks such as DROWN on the same key.",
    .fix = "Disable SSLv2; accept only TLS 1.2 and TLS 1.3.",
    .default_severity = DBTLS_SEV_CRITICAL,
    .references = pr_refs_sslv2,
    .eval = pr_sslv2,
};

static const struct dbtls_check chk_sslv3 = {
    .id = "protocol.sslv3-enabled",
    .title = "SSLv3 accepted",
    .description = "The server accepts SSLv3, whose CBC padding is not covered by the MAC "
		   "(POODLE) and whose only other cipher is RC4; RFC 7568 forbids it.",
    .fix = "Disable SSLv3; accept only TLS 1.2 and TLS 1.3.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = pr_refs_sslv3,
    .eval = pr_sslv3,
};

static const struct dbtls_check chk_tls10 = {
    .id = "protocol.tls10-enabled",
    .title = "TLS 1.0 accepted",
    .description = "The server accepts TLS 1.0, deprecated by RFC 8996: it depends on MD5 and "
		   "SHA-1, has no AEAD ciphers and uses predictable CBC IVs (BEAST).",
    .fix = "Disable TLS 1.0; accept only TLS 1.2 and TLS 1.3.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = pr_refs_tls1x,
    .eval = pr_tls10,
};

static const struct dbtls_check chk_tls11 = {
    .id = "protocol.tls11-enabled",
    .title = "TLS 1.1 accepted",
    .description = "The server accepts TLS 1.1, deprecated by RFC 8996: it depends on MD5 and "
		   "SHA-1 in its handshake and has no AEAD ciphers.",
    .fix = "Disable TLS 1.1; accept only TLS 1.2 and TLS 1.3.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = pr_refs_tls1x,
    .eval = pr_tls11,
};

/* ---- protocol.below-minimum ---- */

/* Only TLS 1.2 and up here: SSLv2 … TLS 1.1 have their own checks, and one accepted version
 * should make one finding, not two. */
static void pr_below_min(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	int min = ctx->policy ? ctx->policy->params.min_version : -1;
	struct dbtls_str ev = {0}, names = {0};
	char *fix;

	if (min <= DBTLS_TLS12 || min >= DBTLS_NVERSIONS)
		return;
	for (int v = DBTLS_TLS12; v < min; v++) {
		if (!pr_accepted(f, v))
			continue;
		pr_version_evidence(&ev, f, v);
		dbtls_str_cat(&names, "%s%s", names.n ? ", " : "", pr_human[v]);
	}
	if (!names.n && !names.oom)
		return;
	dbtls_str_cat(&ev, "; profile minimum: %s", dbtls_version_name((enum dbtls_version)min));
	fix = dbtls_remedy_versions(f, min);
	if (ev.oom || names.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix,
				   "%s accepted below the minimum %s", names.s, pr_human[min]);
	free(ev.s);
	free(names.s);
	free(fix);
}

static const char *const pr_refs_below[] = {"RFC 9325", "NIST SP 800-52r2 §3.1",
					    "Mozilla Server Side TLS", NULL};

static const struct dbtls_check chk_below_min = {
    .id = "protocol.below-minimum",
    .title = "Version below the profile's minimum accepted",
    .description = "The server accepts a protocol version (TLS 1.2 or later) that the profile "
		   "does not allow, e.g. TLS 1.2 under a TLS-1.3-only profile. Older versions "
		   "have their own checks.",
    .fix = "Raise the server's minimum protocol version to the profile's minimum.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = pr_refs_below,
    .eval = pr_below_min,
};

/* ---- protocol.tls13-missing ---- */

static void pr_tls13_missing(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0};
	char *fix;

	if (!ctx->policy || !ctx->policy->params.require_tls13 || f->tls_offered != 1)
		return;
	/* only a definite "no": not probed or an errored probe proves nothing */
	if (f->versions[DBTLS_TLS13].status != DBTLS_VS_REJECTED)
		return;
	dbtls_str_cat(&ev, "TLSv1.3: rejected");
	if (f->versions[DBTLS_TLS13].reason)
		dbtls_str_cat(&ev, " (%s)", f->versions[DBTLS_TLS13].reason);
	for (int v = DBTLS_NVERSIONS - 1, first = 1; v >= 0; v--)
		if (pr_accepted(f, v)) {
			dbtls_str_cat(&ev, "%s%s", first ? "; accepted: " : ", ",
				      dbtls_version_name((enum dbtls_version)v));
			first = 0;
		}
	fix = dbtls_remedy_tls13(f, pr_target_min(ctx));
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "TLS 1.3 not accepted");
	free(ev.s);
	free(fix);
}

static const char *const pr_refs_tls13[] = {"RFC 8446", "RFC 9325", "NIST SP 800-52r2 §3.1", NULL};

static const struct dbtls_check chk_tls13_missing = {
    .id = "protocol.tls13-missing",
    .title = "TLS 1.3 not accepted",
    .description = "The profile requires TLS 1.3 and the server offers TLS but rejects it. TLS "
		   "1.3 encrypts the certificate, allows only forward-secret AEAD suites and "
		   "removes the legacy features older versions are attacked through.",
    .fix = "Upgrade the server or its TLS library to one that supports TLS 1.3 and enable it.",
    .default_severity = DBTLS_SEV_LOW,
    .references = pr_refs_tls13,
    .eval = pr_tls13_missing,
};

/* ---- protocol.alpn-refused ---- */

static void pr_alpn(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_alpn_probe *ap = &f->alpn_probe;
	struct dbtls_str ev = {0};
	const char *name = ap->protocol ? ap->protocol : "?", *title;
	char *fix;

	if (!ap->probed)
		return;
	if (ap->outcome == DBTLS_ALPN_REFUSED)
		title = "refused";
	else if (ap->outcome == DBTLS_ALPN_OTHER)
		title = "answered with another protocol";
	else if (ap->outcome == DBTLS_ALPN_IGNORED && ap->required)
		title = "ignored on direct TLS";
	else
		return; /* selected; ignored where clients accept it; unknown: nothing to claim */
	dbtls_str_cat(&ev, "ALPN \"%s\": %s", name, dbtls_alpn_outcome_name(ap->outcome));
	if (ap->selected)
		dbtls_str_cat(&ev, " (selected \"%s\")", ap->selected);
	if (ap->detail)
		dbtls_str_cat(&ev, "; %s", ap->detail);
	fix = dbtls_remedy_alpn(f, name, self->fix);
	if (ev.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix,
				   "ALPN \"%s\" %s: clients that offer it cannot connect", name,
				   title);
	free(ev.s);
	free(fix);
}

static const char *const pr_refs_alpn[] = {"RFC 7301", "PostgreSQL 17 sslnegotiation", NULL};

static const struct dbtls_check chk_alpn = {
    .id = "protocol.alpn-refused",
    .title = "The ALPN protocol the database's clients offer is refused",
    .description = "The protocol's clients offer one ALPN protocol (PostgreSQL's libpq 17: "
		   "\"postgresql\", even after an SSLRequest), and a handshake offering it "
		   "fails while one without it succeeds, the server selects another protocol, or "
		   "— on direct TLS, where clients require it — selects none. That is almost "
		   "always a TLS proxy or load balancer in front of the database that does not "
		   "know the protocol: those clients cannot connect through it.",
    .fix = "Configure the TLS proxy in front of the server to accept and select the "
	   "protocol's ALPN name, or pass TLS through to the server unterminated.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = pr_refs_alpn,
    .eval = pr_alpn,
};

const struct dbtls_check *const dbtls_checks_protocols[] = {
    &chk_not_offered, &chk_sslv2,	  &chk_sslv3, &chk_tls10, &chk_tls11,
    &chk_below_min,   &chk_tls13_missing, &chk_alpn,  NULL,
};
