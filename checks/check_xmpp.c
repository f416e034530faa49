/* SPDX-License-Identifier: MIT */
/*
 * check_xmpp.c — what an XMPP server's stream features say before TLS (xmpp://, xmpp-server://):
 * STARTTLS offered but not required (a network attacker strips <starttls/> and the client goes
 * on in clear text, RFC 6120 §5.3.1 and RFC 7590), and SASL mechanisms that give away the
 * password, or a hash that can be cracked off line, offered before TLS. Both read only
 * f->server.xmpp, which the preamble fills from the features it saw before TLS; an endpoint whose
 * features were not seen (direct TLS, a scan that never got there) gets no finding.
 */
#include "checks/check.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const xc_refs[] = {"RFC 6120 §5.3.1", "RFC 7590", "CWE-319", NULL};

/* ---- xmpp.starttls-optional ---- */

static void xc_optional(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char *fix;

	if (!f->server.xmpp.features_seen || !f->server.tls_offered ||
	    f->server.xmpp.starttls_required)
		return;
	fix = dbtls_remedy_require_tls(f);
	if (!fix) {
		out->oom = true;
		return;
	}
	dbtls_findings_add(out, self, ctx, -1,
			   "the stream features offer <starttls/> without <required/>", fix,
			   "STARTTLS is optional: clients may be downgraded to clear text");
	free(fix);
}

static const struct dbtls_check chk_optional = {
    .id = "xmpp.starttls-optional",
    .title = "XMPP STARTTLS is optional",
    .description = "The server offers STARTTLS but does not require it: an attacker on the "
		   "path can remove <starttls/> from the features, and clients that do not "
		   "insist on TLS then log in and chat in clear text.",
    .fix = "Require TLS on every client and server stream.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = xc_refs,
    .eval = xc_optional,
};

/* ---- xmpp.auth-before-tls ---- */

/* SASL mechanisms that send the secret (PLAIN, LOGIN, X-OAUTH2) or a crackable hash of it
 * (DIGEST-MD5, CRAM-MD5) where anyone on the path reads them. */
static bool xc_weak(const char *m)
{
	static const char *const weak[] = {"PLAIN", "LOGIN", "X-OAUTH2", "DIGEST-MD5", "CRAM-MD5"};

	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		if (strcasecmp(m, weak[i]) == 0)
			return true;
	return false;
}

static void xc_auth(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_server_xmpp *x = &f->server.xmpp;
	struct dbtls_str ev = {0}, weak = {0};
	char *fix;

	if (!x->features_seen)
		return;
	for (size_t i = 0; i < x->nmechanisms; i++)
		if (xc_weak(x->mechanisms[i]))
			dbtls_str_cat(&weak, "%s%s", weak.n ? ", " : "", x->mechanisms[i]);
	if (!weak.n && !weak.oom)
		return;
	dbtls_str_cat(&ev, "SASL mechanisms offered before TLS:");
	for (size_t i = 0; i < x->nmechanisms; i++)
		dbtls_str_cat(&ev, "%s%s", i ? ", " : " ", x->mechanisms[i]);
	fix = dbtls_remedy_require_tls(f);
	if (ev.oom || weak.oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, -1, ev.s, fix,
				   "Password mechanisms offered before TLS: %s", weak.s);
	free(ev.s);
	free(weak.s);
	free(fix);
}

static const struct dbtls_check chk_auth = {
    .id = "xmpp.auth-before-tls",
    .title = "XMPP password mechanisms offered before TLS",
    .description = "The stream features before STARTTLS offer SASL mechanisms that send the "
		   "password in clear text (PLAIN, LOGIN, X-OAUTH2) or a hash of it that can be "
		   "cracked off line (DIGEST-MD5, CRAM-MD5): a client that logs in before TLS, "
		   "or is downgraded, gives its password to anyone on the path.",
    .fix = "Require TLS before authentication, so that SASL is offered only inside TLS.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = xc_refs,
    .eval = xc_auth,
};

const struct dbtls_check *const dbtls_checks_xmpp[] = {
    &chk_optional,
    &chk_auth,
    NULL,
};
