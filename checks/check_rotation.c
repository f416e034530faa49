/* SPDX-License-Identifier: MIT */
/*
 * check_rotation.c — CA-rotation readiness (--new-ca-file): would clients that trust only the new
 * bundle (a cloud provider's new root, an internal CA change) still accept each endpoint, and is
 * the CA an endpoint relies on today about to run out?
 */
#include "checks/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rot_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static const char *const rot_refs[] = {"RFC 5280 §6", "NIST SP 800-52r2 §3.5.1", NULL};

static void rot_not_ready(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_verification *v = &f->verification;
	char ev[1024], *fix;

	if (!v->done || !v->rotation.checked || v->rotation.ready)
		return;
	snprintf(ev, sizeof(ev),
		 "against the new bundle: %s; today's anchor: %s (sha256 %s, %ld days left); leaf "
		 "issuer %s, leaf %ld days left",
		 rot_or(v->rotation.error, "does not verify"),
		 rot_or(v->chain.anchor_subject, "none (the chain does not verify today either)"),
		 rot_or(v->chain.anchor_sha256, "-"), v->chain.anchor_days_left,
		 f->ncerts ? rot_or(f->certs[0].issuer, "?") : "?",
		 f->ncerts ? f->certs[0].days_left : 0);
	fix = dbtls_remedy_ca_rotation(f);
	if (!fix) {
		out->oom = true;
		return;
	}
	dbtls_findings_add(out, self, ctx, -1, ev, fix,
			   "Not ready for the CA rotation: clients that trust only the new CA "
			   "bundle will refuse this server");
	free(fix);
}

static const struct dbtls_check chk_not_ready = {
    .id = "ca-rotation.not-ready",
    .title = "Server not ready for the CA rotation",
    .description = "The served chain does not verify against the new CA bundle alone, so "
		   "clients that have switched to it (a cloud provider's new root, say) will "
		   "refuse the connection. The evidence names the CA the server relies on "
		   "today, with its fingerprint, to compare with what clients trust.",
    .fix = "Re-issue the server certificate under the new CA before clients switch bundles; "
	   "let clients trust both roots during the change.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = rot_refs,
    .eval = rot_not_ready,
};

static void rot_anchor_expiring(const struct dbtls_check *self,
				const struct dbtls_endpoint_facts *f,
				const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_chain_facts *ch = &f->verification.chain;
	int warn = ctx->policy->params.cert_warn_days;
	char ev[768];
	long days;

	if (!f->verification.done || !ch->anchor_subject || !ch->anchor_not_after || warn <= 0)
		return;
	days = dbtls_days_between(ctx->now, ch->anchor_not_after);
	if (ch->anchor_not_after - ctx->now >= (time_t)warn * 86400)
		return;
	snprintf(ev, sizeof(ev), "trust anchor %s (sha256 %s) expires in %ld days",
		 ch->anchor_subject, rot_or(ch->anchor_sha256, "-"), days);
	dbtls_findings_add(out, self, ctx,
			   ch->anchor_not_after < ctx->now ? DBTLS_SEV_CRITICAL : -1, ev, self->fix,
			   "The CA this server's chain ends in expires in %ld days", days);
}

static const struct dbtls_check chk_anchor_expiring = {
    .id = "ca-rotation.anchor-expiring",
    .title = "The trust anchor expires soon",
    .description = "The root CA the served chain verifies against expires within the "
		   "profile's warning period: every client and server relying on it must "
		   "move to a new CA before then.",
    .fix = "Plan the move to a new CA: re-issue server certificates under it and give "
	   "clients both roots during the change (dbtls --new-ca-file shows who is ready).",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = rot_refs,
    .eval = rot_anchor_expiring,
};

const struct dbtls_check *const dbtls_checks_rotation[] = {
    &chk_not_ready,
    &chk_anchor_expiring,
    NULL,
};
