/* SPDX-License-Identifier: MIT */
/*
 * check_certs.c — the certificate checks: trust, host name, validity dates, expiry warning, key
 * sizes, signature hashes, validity length and self-signed leaves.
 *
 * Dates are judged against ctx->now from not_before_t/not_after_t, never from days_left (which
 * is relative to the scan), so re-evaluating an old report tells the truth about that report's
 * certificates today. A time of 0 means "unknown" (partial facts) and is never judged.
 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenSSL's X509_V_ERR_CERT_NOT_YET_VALID and X509_V_ERR_CERT_HAS_EXPIRED; the numbers are part
 * of OpenSSL's stable API and the checks must not depend on OpenSSL headers. */
#define CE_VERIFY_NOT_YET_VALID 9
#define CE_VERIFY_EXPIRED 10

#define CE_DAY 86400

struct ce_str {
	char *s;
	size_t n;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void ce_cat(struct ce_str *b, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *p;

	if (b->oom)
		return;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !(p = realloc(b->s, b->n + (size_t)len + 1))) {
		b->oom = true;
		return;
	}
	b->s = p;
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

static const char *ce_str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* "leaf", "intermediate", "root" — what a chain position is called in evidence. */
static const char *ce_role(const struct dbtls_endpoint_facts *f, size_t i)
{
	if (i == 0)
		return "leaf";
	return f->certs[i].self_signed ? "root" : "intermediate";
}

/* Appends "leaf CN=db1" (with a separator when b is not empty). */
static void ce_who(struct ce_str *b, const struct dbtls_endpoint_facts *f, size_t i)
{
	ce_cat(b, "%s%s %s", b->n ? "; " : "", ce_role(f, i),
	       ce_str_or(f->certs[i].subject, "(no subject)"));
}

static void ce_time(char *out, size_t outlen, const char *s, time_t t)
{
	if (s && *s)
		snprintf(out, outlen, "%s", s);
	else
		dbtls_rfc3339(t, out, outlen);
}

/* The certificate lines for the endpoint's server software, after `what` (what to change). */
static char *ce_remedy(const struct dbtls_endpoint_facts *f, const char *what)
{
	const char *product = f->server.product;
	const char *reload;
	char *out = NULL;

	if (!f->protocol || strcmp(f->protocol, "mysql") != 0)
		return dbtls_strdup(what);
	if (product && strcmp(product, "MariaDB") == 0)
		reload = "load them without a restart with FLUSH SSL (MariaDB 10.4+; older: "
			 "restart)";
	else if (product &&
		 (strcmp(product, "MySQL") == 0 || strcmp(product, "Percona Server") == 0))
		reload = "load them without a restart with ALTER INSTANCE RELOAD TLS (MySQL "
			 "8.0.16+; older: restart)";
	else
		reload = "load them without a restart with FLUSH SSL (MariaDB 10.4+) or ALTER "
			 "INSTANCE RELOAD TLS (MySQL 8.0.16+), or restart";
	if (asprintf(&out,
		     "%s In the server's my.cnf, section [mysqld]:\n"
		     "ssl_cert=/etc/mysql/ssl/server-cert.pem (the leaf, then its intermediates)\n"
		     "ssl_key=/etc/mysql/ssl/server-key.pem\n"
		     "ssl_ca=/etc/mysql/ssl/ca.pem\n"
		     "then %s.",
		     what, reload) < 0)
		out = NULL;
	return out;
}

/* Adds a finding whose evidence is ev and whose remediation is ce_remedy(f, what). */
static void ce_add(struct dbtls_findings *out, const struct dbtls_check *self,
		   const struct dbtls_endpoint_facts *f, const struct dbtls_check_ctx *ctx,
		   int severity, struct ce_str *ev, const char *what, const char *title)
{
	char *fix = ce_remedy(f, what);

	if (ev->oom || !fix)
		out->oom = true;
	else
		dbtls_findings_add(out, self, ctx, severity, ev->s, fix, "%s", title);
	free(fix);
}

/* ---- cert.untrusted ---- */

/* True when the verify error is about dates that cert.expired / cert.not-yet-valid report as
 * well; then this check stays silent so that one problem is one finding. */
static bool ce_dates_explain(const struct dbtls_endpoint_facts *f, time_t now)
{
	int code = f->verification.verify_code;

	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_cert *c = &f->certs[i];
		if (code == CE_VERIFY_EXPIRED && c->not_after_t && c->not_after_t < now)
			return true;
		if (code == CE_VERIFY_NOT_YET_VALID && c->not_before_t && c->not_before_t > now)
			return true;
	}
	return false;
}

static void ce_untrusted(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_verification *vf = &f->verification;
	struct ce_str ev = { 0 };
	char title[256];

	if (!vf->done || vf->ca_ok || ce_dates_explain(f, ctx->now))
		return;
	ce_cat(&ev, "verify error %d: %s (CA: %s)", vf->verify_code,
	       ce_str_or(vf->error, "unknown"), ce_str_or(vf->ca_source, "unknown"));
	if (f->ncerts && f->certs)
		ce_cat(&ev, "; leaf issuer: %s", ce_str_or(f->certs[0].issuer, "(none)"));
	snprintf(title, sizeof(title), "Certificate chain does not verify: %s",
		 ce_str_or(vf->error, "unknown error"));
	ce_add(out, self, f, ctx, -1, &ev,
	       "Serve a certificate issued by a CA the clients trust, with the complete chain of "
	       "intermediates.",
	       title);
	free(ev.s);
}

static const char *const ce_refs_trust[] = { "RFC 5280 §6", "NIST SP 800-52r2", NULL };

static const struct dbtls_check chk_untrusted = {
	.id = "cert.untrusted",
	.title = "Certificate chain does not verify",
	.description = "The served chain does not verify against the CA bundle (ssl-mode VERIFY_CA "
		       "fails): unknown issuer, missing intermediate, bad signature or similar. "
		       "Clients that verify refuse the server; clients that do not are open to "
		       "impersonation. Expired or not-yet-valid chains are reported by their own "
		       "checks.",
	.fix = "Serve a certificate from a CA the clients trust, with the complete chain of "
	       "intermediates.",
	.default_severity = DBTLS_SEV_HIGH,
	.references = ce_refs_trust,
	.eval = ce_untrusted,
};

/* ---- cert.hostname-mismatch ---- */

static void ce_hostname(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_verification *vf = &f->verification;
	const char *name = ce_str_or(vf->hostname_checked, ce_str_or(f->host, "the host name"));
	struct ce_str ev = { 0 };
	char title[300];

	if (!vf->done || vf->hostname_ok)
		return;
	ce_cat(&ev, "checked: %s", name);
	if (f->ncerts && f->certs) {
		const struct dbtls_cert *c = &f->certs[0];
		ce_cat(&ev, "; subject: %s; SANs: ", ce_str_or(c->subject, "(none)"));
		if (!c->nsans || !c->sans)
			ce_cat(&ev, "none");
		for (size_t i = 0; c->sans && i < c->nsans; i++)
			ce_cat(&ev, "%s%s", i ? ", " : "", ce_str_or(c->sans[i], "?"));
	}
	snprintf(title, sizeof(title), "Certificate does not match %s", name);
	ce_add(out, self, f, ctx, -1, &ev,
	       "Issue a certificate whose subjectAltName lists every name (DNS:) and address "
	       "(IP:) clients connect to.",
	       title);
	free(ev.s);
}

static const char *const ce_refs_host[] = { "RFC 9525", "RFC 5280 §4.2.1.6", NULL };

static const struct dbtls_check chk_hostname = {
	.id = "cert.hostname-mismatch",
	.title = "Certificate does not match the host name",
	.description = "The leaf certificate's subjectAltName does not cover the name or address "
		       "the client connected to (ssl-mode VERIFY_IDENTITY fails), so clients "
		       "cannot tell this server from any other holding a certificate of the same "
		       "CA.",
	.fix = "Issue a certificate whose subjectAltName lists every name and address clients "
	       "use.",
	.default_severity = DBTLS_SEV_MEDIUM,
	.references = ce_refs_host,
	.eval = ce_hostname,
};

/* ---- cert.expired and cert.not-yet-valid ---- */

static void ce_expired(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct ce_str ev = { 0 };
	size_t n = 0;
	bool leaf = false;
	char title[128], when[40];

	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_cert *c = &f->certs[i];

		if (!c->not_after_t || c->not_after_t >= ctx->now)
			continue;
		ce_who(&ev, f, i);
		ce_time(when, sizeof(when), c->not_after, c->not_after_t);
		ce_cat(&ev, " expired %s", when);
		leaf |= i == 0;
		n++;
	}
	if (!n)
		return;
	if (n == 1 && leaf) {
		ce_time(when, sizeof(when), f->certs[0].not_after, f->certs[0].not_after_t);
		snprintf(title, sizeof(title), "Certificate expired on %.10s (%lld days ago)", when,
			 (long long)((ctx->now - f->certs[0].not_after_t) / CE_DAY));
	}
	else
		snprintf(title, sizeof(title), "%zu certificate%s in the chain expired", n,
			 n == 1 ? "" : "s");
	ce_add(out, self, f, ctx, -1, &ev, "Renew the expired certificates.", title);
	free(ev.s);
}

static const char *const ce_refs_validity[] = { "RFC 5280 §4.1.2.5", NULL };

static const struct dbtls_check chk_expired = {
	.id = "cert.expired",
	.title = "Expired certificate",
	.description = "A certificate in the served chain is past its notAfter date. Verifying "
		       "clients refuse the connection; clients that accept it have no assurance "
		       "the key is still controlled by the server.",
	.fix = "Renew the certificate (and any expired intermediate) and load it into the server.",
	.default_severity = DBTLS_SEV_CRITICAL,
	.references = ce_refs_validity,
	.eval = ce_expired,
};

static void ce_not_yet(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct ce_str ev = { 0 };
	size_t n = 0;
	char title[128], when[40];

	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_cert *c = &f->certs[i];

		if (!c->not_before_t || c->not_before_t <= ctx->now)
			continue;
		ce_who(&ev, f, i);
		ce_time(when, sizeof(when), c->not_before, c->not_before_t);
		ce_cat(&ev, " valid from %s", when);
		n++;
	}
	if (!n)
		return;
	snprintf(title, sizeof(title), "%zu certificate%s not valid yet", n, n == 1 ? "" : "s");
	ce_add(out, self, f, ctx, -1, &ev,
	       "Check the issuing system's clock and serve a certificate that is valid now.",
	       title);
	free(ev.s);
}

static const struct dbtls_check chk_not_yet = {
	.id = "cert.not-yet-valid",
	.title = "Certificate not valid yet",
	.description = "A certificate in the served chain has a notBefore date in the future, "
		       "usually a clock error at issuance or a certificate deployed too early; "
		       "verifying clients refuse it.",
	.fix = "Serve a certificate that is valid now; check the clocks of the CA and the server.",
	.default_severity = DBTLS_SEV_HIGH,
	.references = ce_refs_validity,
	.eval = ce_not_yet,
};

/* ---- cert.expiring ---- */

static void ce_expiring(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	int warn = ctx->policy ? ctx->policy->params.cert_warn_days : 0;
	int crit = ctx->policy ? ctx->policy->params.cert_crit_days : 0;
	const struct dbtls_cert *c;
	struct ce_str ev = { 0 };
	char title[128], when[40];
	time_t left;
	int sev = -1;

	if (!f->certs || !f->ncerts || (warn <= 0 && crit <= 0))
		return;
	c = &f->certs[0];
	if (!c->not_after_t || c->not_after_t < ctx->now)
		return; /* unknown, or expired: cert.expired's */
	left = c->not_after_t - ctx->now;
	if (crit > 0 && left < (time_t)crit * CE_DAY)
		sev = DBTLS_SEV_CRITICAL;
	else if (warn <= 0 || left >= (time_t)warn * CE_DAY)
		return;
	ce_time(when, sizeof(when), c->not_after, c->not_after_t);
	ce_who(&ev, f, 0);
	ce_cat(&ev, " not after %s (%lld days left; warning at %d, critical at %d)", when,
	       (long long)(left / CE_DAY), warn, crit);
	snprintf(title, sizeof(title), "Certificate expires in %lld day%s (%.10s)",
		 (long long)(left / CE_DAY), left / CE_DAY == 1 ? "" : "s", when);
	ce_add(out, self, f, ctx, sev, &ev, "Renew the certificate before it expires.", title);
	free(ev.s);
}

static const struct dbtls_check chk_expiring = {
	.id = "cert.expiring",
	.title = "Certificate expires soon",
	.description = "The leaf certificate expires within the profile's warning window "
		       "(cert_warn_days); inside cert_crit_days the finding is critical. An "
		       "expired certificate takes every verifying client down at once.",
	.fix = "Renew the certificate, and automate renewal.",
	.default_severity = DBTLS_SEV_MEDIUM,
	.references = ce_refs_validity,
	.eval = ce_expiring,
};

/* ---- cert.key-weak ---- */

static void ce_key_weak(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_policy_params *pp = ctx->policy ? &ctx->policy->params : NULL;
	struct ce_str ev = { 0 };
	size_t n = 0;
	char title[128] = "";

	if (!pp)
		return;
	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_cert *c = &f->certs[i];
		const char *kt = c->key_type;
		int min = 0;

		if (!kt)
			continue;
		/* "RSA" and "RSA-PSS" keys share the modulus size rule */
		if (strncmp(kt, "RSA", 3) == 0)
			min = pp->min_rsa_bits;
		else if (strcmp(kt, "EC") == 0)
			min = pp->min_ecc_bits;
		if (strcmp(kt, "DSA") == 0 && !pp->dsa_allowed) {
			ce_who(&ev, f, i);
			ce_cat(&ev, ": DSA %d bits (DSA not allowed)", c->key_bits);
		} else if (min > 0 && c->key_bits > 0 && c->key_bits < min) {
			ce_who(&ev, f, i);
			ce_cat(&ev, ": %s %d bits (minimum %d)", kt, c->key_bits, min);
		} else {
			continue;
		}
		n++;
		if (n == 1)
			snprintf(title, sizeof(title), "Weak %s key: %s %d", ce_role(f, i), kt,
				 c->key_bits);
	}
	if (!n)
		return;
	if (n > 1)
		snprintf(title, sizeof(title), "%zu weak keys in the chain", n);
	ce_add(out, self, f, ctx, -1, &ev,
	       "Issue new certificates with RSA keys of at least the profile's size (3072 bits "
	       "recommended) or ECDSA P-256/P-384 keys.",
	       title);
	free(ev.s);
}

static const char *const ce_refs_key[] = { "NIST SP 800-57 Part 1 Rev. 5",
					   "NIST SP 800-131A Rev. 2",
					   "CA/Browser Forum Baseline Requirements §6.1.5", NULL };

static const struct dbtls_check chk_key_weak = {
	.id = "cert.key-weak",
	.title = "Weak certificate key",
	.description = "A certificate in the served chain has a key below the profile's size "
		       "(min_rsa_bits, min_ecc_bits) or a DSA key the profile does not allow. The "
		       "server's authentication is only as strong as the weakest key in its chain.",
	.fix = "Issue certificates with RSA keys of at least the profile's size or ECDSA "
	       "P-256/P-384 keys.",
	.default_severity = DBTLS_SEV_HIGH,
	.references = ce_refs_key,
	.eval = ce_key_weak,
};

/* ---- cert.signature-hash ---- */

/* The forbidden-hash bit sig_alg (OpenSSL long or short name) is signed with, 0 when none. MD2
 * and MD4 count as MD5: the profile that forbids MD5 certainly forbids them. */
static uint32_t ce_sig_hash(const char *sig_alg)
{
	char lower[128];
	size_t i;

	if (!sig_alg)
		return 0;
	for (i = 0; sig_alg[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)((sig_alg[i] >= 'A' && sig_alg[i] <= 'Z') ? sig_alg[i] - 'A' + 'a'
									   : sig_alg[i]);
	lower[i] = '\0';
	if (strstr(lower, "md5") || strstr(lower, "md4") || strstr(lower, "md2"))
		return DBTLS_HASH_MD5;
	/* "sha1WithRSAEncryption", "ecdsa-with-SHA1", "RSA-SHA1"; SHA3 names ("sha3-224")
	 * contain neither "sha1" nor "sha224" */
	if (strstr(lower, "sha1"))
		return DBTLS_HASH_SHA1;
	if (strstr(lower, "sha224"))
		return DBTLS_HASH_SHA224;
	return 0;
}

static void ce_sig(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	uint32_t forbidden = ctx->policy ? ctx->policy->params.forbidden_sig_hashes : 0;
	struct ce_str ev = { 0 };
	size_t n = 0;
	char title[160] = "";

	if (!forbidden)
		return;
	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_cert *c = &f->certs[i];

		/* a self-signed certificate is trusted as itself, not through its signature, so
		 * its hash does not matter (this also covers a self-signed leaf, which
		 * cert.self-signed reports) */
		if (c->self_signed || !(ce_sig_hash(c->sig_alg) & forbidden))
			continue;
		ce_who(&ev, f, i);
		ce_cat(&ev, ": %s", c->sig_alg);
		if (n++ == 0)
			snprintf(title, sizeof(title), "%s certificate signed with %s",
				 i == 0 ? "Leaf" : "Intermediate", c->sig_alg);
	}
	if (!n)
		return;
	if (n > 1)
		snprintf(title, sizeof(title), "%zu certificates signed with a forbidden hash", n);
	ce_add(out, self, f, ctx, -1, &ev,
	       "Reissue the certificates with SHA-256 or stronger signatures.", title);
	free(ev.s);
}

static const char *const ce_refs_sig[] = { "NIST SP 800-131A Rev. 2", "RFC 9155",
					   "CA/Browser Forum Baseline Requirements §7.1.3", NULL };

static const struct dbtls_check chk_sig = {
	.id = "cert.signature-hash",
	.title = "Certificate signed with a weak hash",
	.description = "A certificate in the served chain (other than a self-signed root) is "
		       "signed with a hash the profile forbids (MD5, SHA-1, SHA-224). Collisions "
		       "in MD5 and SHA-1 have been used to forge certificates.",
	.fix = "Reissue the certificates with SHA-256 or stronger signatures.",
	.default_severity = DBTLS_SEV_HIGH,
	.references = ce_refs_sig,
	.eval = ce_sig,
};

/* ---- cert.validity-too-long ---- */

static void ce_too_long(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	int max = ctx->policy ? ctx->policy->params.max_validity_days : 0;
	const struct dbtls_cert *c;
	struct ce_str ev = { 0 };
	char title[128], from[40], to[40];
	long long days;

	if (max <= 0 || !f->certs || !f->ncerts)
		return;
	c = &f->certs[0];
	if (!c->not_before_t || !c->not_after_t || c->not_after_t - c->not_before_t <=
							   (time_t)max * CE_DAY)
		return;
	days = (long long)((c->not_after_t - c->not_before_t) / CE_DAY);
	ce_time(from, sizeof(from), c->not_before, c->not_before_t);
	ce_time(to, sizeof(to), c->not_after, c->not_after_t);
	ce_who(&ev, f, 0);
	ce_cat(&ev, " valid %s to %s (%lld days; profile maximum %d)", from, to, days, max);
	snprintf(title, sizeof(title), "Certificate valid for %lld days (maximum %d)", days, max);
	ce_add(out, self, f, ctx, -1, &ev,
	       "Issue shorter-lived certificates and automate their renewal.", title);
	free(ev.s);
}

static const char *const ce_refs_long[] = { "CA/Browser Forum Baseline Requirements §6.3.2",
					    "NIST SP 1800-16", NULL };

static const struct dbtls_check chk_too_long = {
	.id = "cert.validity-too-long",
	.title = "Certificate validity too long",
	.description = "The leaf certificate's validity period exceeds the profile's maximum. Long "
		       "lifetimes keep a compromised or mis-issued key usable for years and let "
		       "renewal become a forgotten manual task.",
	.fix = "Issue shorter-lived certificates and automate their renewal.",
	.default_severity = DBTLS_SEV_LOW,
	.references = ce_refs_long,
	.eval = ce_too_long,
};

/* ---- cert.self-signed ---- */

static void ce_self_signed(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct ce_str ev = { 0 };

	if (!f->certs || !f->ncerts || !f->certs[0].self_signed)
		return;
	ce_who(&ev, f, 0);
	ce_cat(&ev, " is its own issuer");
	ce_add(out, self, f, ctx, -1, &ev,
	       "Issue the server certificate from a CA (an internal one is fine) and distribute "
	       "that CA to the clients.",
	       "Self-signed certificate");
	free(ev.s);
}

static const char *const ce_refs_self[] = { "RFC 5280", "NIST SP 800-52r2", NULL };

static const struct dbtls_check chk_self_signed = {
	.id = "cert.self-signed",
	.title = "Self-signed certificate",
	.description = "The server presents a self-signed leaf certificate. Clients can only trust "
		       "it by pinning that very certificate, so in practice they skip verification "
		       "and cannot detect impersonation.",
	.fix = "Issue the server certificate from a CA (an internal one is fine) that the clients "
	       "trust.",
	.default_severity = DBTLS_SEV_MEDIUM,
	.references = ce_refs_self,
	.eval = ce_self_signed,
};

const struct dbtls_check *const dbtls_checks_certs[] = {
	&chk_untrusted, &chk_hostname, &chk_expired,  &chk_not_yet,	&chk_expiring,
	&chk_key_weak,	&chk_sig,      &chk_too_long, &chk_self_signed, NULL,
};
