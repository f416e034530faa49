/* SPDX-License-Identifier: MIT */
/*
 * check_certs.c — the certificate checks: trust, host name, validity dates, expiry warning (in
 * proportion to the lifetime), key sizes, signature hashes, validity length, the CA/Browser
 * Forum limits (publicly trusted chains only), self-signed leaves, the shape of the served chain
 * (incomplete, misordered, extra), key usage, CA:TRUE leaves, auto-generated database
 * certificates in context (who can verify them), and revocation.
 *
 * Dates are judged against ctx->now from not_before_t/not_after_t, never from days_left (which
 * is relative to the scan), so re-evaluating an old report tells the truth about that report's
 * certificates today. A time of 0 means "unknown" (partial facts) and is never judged.
 */
#include "checks/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenSSL's X509_V_ERR_CERT_NOT_YET_VALID and X509_V_ERR_CERT_HAS_EXPIRED; the numbers are part
 * of OpenSSL's stable API and the checks must not depend on OpenSSL headers. */
#define CE_VERIFY_NOT_YET_VALID 9
#define CE_VERIFY_EXPIRED	10
/* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT and …_ISSUER_CERT_LOCALLY: the path stops short */
#define CE_VERIFY_NO_ISSUER	    2
#define CE_VERIFY_NO_ISSUER_LOCALLY 20
/* X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT */
#define CE_VERIFY_SELF_SIGNED 18

#define CE_DAY 86400

/* What mysqld or mariadbd generated for itself, if anything (see cert.auto-generated). */
enum ce_auto_kind {
	CE_AUTO_NONE = 0,
	CE_AUTO_MYSQL,
	CE_AUTO_MARIADB_ZERO,  /* the server's ssl_cert is empty (--sql): certain */
	CE_AUTO_MARIADB_SHAPE, /* no --sql: from the certificate's shape and the version */
};
static enum ce_auto_kind ce_auto_kind(const struct dbtls_endpoint_facts *f);
static bool ce_mysql_auto_name(const char *dn);

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
static void ce_who(struct dbtls_str *b, const struct dbtls_endpoint_facts *f, size_t i)
{
	dbtls_str_cat(b, "%s%s %s", b->n ? "; " : "", ce_role(f, i),
		      ce_str_or(f->certs[i].subject, "(no subject)"));
}

static void ce_time(char *out, size_t outlen, const char *s, time_t t)
{
	if (s && *s)
		snprintf(out, outlen, "%s", s);
	else
		dbtls_rfc3339(t, out, outlen);
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
	struct dbtls_str ev = {0};
	char title[256];
	char *fix;

	if (!vf->done || vf->ca_ok || ce_dates_explain(f, ctx->now))
		return;
	if (!f->ncerts) {
		/* an anonymous suite: nothing to verify or match, and that is said here, once */
		dbtls_str_cat(&ev, "the handshake (%s %s) completed without a certificate",
			      ce_str_or(vf->protocol, "?"), ce_str_or(vf->cipher, "?"));
		fix = dbtls_remedy_cert(f, "Configure a certificate and key, and remove the "
					   "anonymous suites (aNULL: ADH, AECDH) from the server's "
					   "cipher list.");
		dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s",
				   "No certificate (anonymous key exchange only)");
		free(ev.s);
		free(fix);
		return;
	}
	/* MariaDB's zero-configuration certificate is verified by other means:
	 * cert.auto-generated's */
	if (ce_auto_kind(f) >= CE_AUTO_MARIADB_ZERO &&
	    (vf->verify_code == CE_VERIFY_SELF_SIGNED ||
	     vf->verify_code == CE_VERIFY_NO_ISSUER_LOCALLY))
		return;
	/* a missing intermediate is cert.chain-incomplete's finding: one problem, one finding
	 * (MySQL's generated CA is a root nobody has, not a missing intermediate) */
	if (vf->chain.incomplete && ce_auto_kind(f) != CE_AUTO_MYSQL &&
	    (vf->verify_code == CE_VERIFY_NO_ISSUER_LOCALLY ||
	     vf->verify_code == CE_VERIFY_NO_ISSUER))
		return;
	dbtls_str_cat(&ev, "verify error %d: %s (CA: %s)", vf->verify_code,
		      ce_str_or(vf->error, "unknown"), ce_str_or(vf->ca_source, "unknown"));
	if (f->ncerts && f->certs)
		dbtls_str_cat(&ev, "; leaf issuer: %s", ce_str_or(f->certs[0].issuer, "(none)"));
	snprintf(title, sizeof(title), "Certificate chain does not verify: %s",
		 ce_str_or(vf->error, "unknown error"));
	fix = dbtls_remedy_cert(
	    f, "Serve a certificate issued by a CA the clients trust, with the complete chain of "
	       "intermediates.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_trust[] = {"RFC 5280 §6", "NIST SP 800-52r2", NULL};

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
	struct dbtls_str ev = {0};
	char title[300];
	char *fix;

	/* without a certificate there is nothing to match (cert.untrusted says so) */
	if (!vf->done || vf->hostname_ok || !f->ncerts)
		return;
	dbtls_str_cat(&ev, "checked: %s", name);
	if (f->ncerts && f->certs) {
		const struct dbtls_cert *c = &f->certs[0];
		dbtls_str_cat(&ev, "; subject: %s; SANs: ", ce_str_or(c->subject, "(none)"));
		if (!c->nsans || !c->sans)
			dbtls_str_cat(&ev, "none");
		for (size_t i = 0; c->sans && i < c->nsans; i++)
			dbtls_str_cat(&ev, "%s%s", i ? ", " : "", ce_str_or(c->sans[i], "?"));
	}
	snprintf(title, sizeof(title), "Certificate does not match %s", name);
	fix = dbtls_remedy_cert(
	    f, "Issue a certificate whose subjectAltName lists every name (DNS:) and address "
	       "(IP:) clients connect to.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_host[] = {"RFC 9525", "RFC 5280 §4.2.1.6", NULL};

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
	struct dbtls_str ev = {0};
	size_t n = 0;
	bool leaf = false;
	char title[128], when[40];
	char *fix;

	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_cert *c = &f->certs[i];

		if (!c->not_after_t || c->not_after_t >= ctx->now)
			continue;
		ce_who(&ev, f, i);
		ce_time(when, sizeof(when), c->not_after, c->not_after_t);
		dbtls_str_cat(&ev, " expired %s", when);
		leaf |= i == 0;
		n++;
	}
	if (!n)
		return;
	if (n == 1 && leaf) {
		ce_time(when, sizeof(when), f->certs[0].not_after, f->certs[0].not_after_t);
		snprintf(title, sizeof(title), "Certificate expired on %.10s (%ld days ago)", when,
			 dbtls_days_between(f->certs[0].not_after_t, ctx->now));
	} else
		snprintf(title, sizeof(title), "%zu certificate%s in the chain expired", n,
			 n == 1 ? "" : "s");
	fix = dbtls_remedy_cert(f, "Renew the expired certificates.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_validity[] = {"RFC 5280 §4.1.2.5", NULL};

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
	struct dbtls_str ev = {0};
	size_t n = 0;
	char title[128], when[40];
	char *fix;

	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_cert *c = &f->certs[i];

		if (!c->not_before_t || c->not_before_t <= ctx->now)
			continue;
		ce_who(&ev, f, i);
		ce_time(when, sizeof(when), c->not_before, c->not_before_t);
		dbtls_str_cat(&ev, " valid from %s", when);
		n++;
	}
	if (!n)
		return;
	snprintf(title, sizeof(title), "%zu certificate%s not valid yet", n, n == 1 ? "" : "s");
	fix = dbtls_remedy_cert(
	    f, "Check the issuing system's clock and serve a certificate that is valid now.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
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

/* One expiry window in seconds: lifetime × fraction, clamped to [min_days, max_days]; the fixed
 * max_days when there is no fraction or no lifetime to take it of; 0 when max_days is off. */
static time_t ce_window(time_t life, double fraction, int min_days, int max_days)
{
	time_t w, lo = (time_t)min_days * CE_DAY, hi = (time_t)max_days * CE_DAY;

	if (max_days <= 0)
		return 0;
	if (fraction <= 0 || life <= 0)
		return hi;
	w = (time_t)((double)life * fraction);
	if (w < lo)
		w = lo;
	return w > hi ? hi : w;
}

/* "7 days", "9.4 days" */
static void ce_days_cat(struct dbtls_str *b, time_t secs)
{
	if (secs % CE_DAY == 0)
		dbtls_str_cat(b, "%ld day%s", (long)(secs / CE_DAY), secs == CE_DAY ? "" : "s");
	else
		dbtls_str_cat(b, "%.1f days", (double)secs / CE_DAY);
}

/*
 * The windows are proportional to the leaf's lifetime: renewal automation (ACME clients, ARI)
 * renews when about a third of the lifetime is left, so a 47-day certificate with 10 days left
 * is routine, while a 3-year certificate with 10 days left means nobody has renewed it. The
 * profile's cert_expiry_*_days are the ceilings (a long-lived certificate gets exactly the old
 * fixed windows), cert_expiry_*_min_days the floors, cert_expiry_*_fraction the share.
 */
static void ce_expiring(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_policy_params *pp = ctx->policy ? &ctx->policy->params : NULL;
	const struct dbtls_cert *c;
	struct dbtls_str ev = {0};
	char title[128], when[40];
	time_t left, life, warn, crit;
	long days;
	int sev = -1;
	char *fix;

	if (!pp || !f->certs || !f->ncerts || (pp->cert_warn_days <= 0 && pp->cert_crit_days <= 0))
		return;
	c = &f->certs[0];
	if (!c->not_after_t || c->not_after_t < ctx->now)
		return; /* unknown, or expired: cert.expired's */
	left = c->not_after_t - ctx->now;
	life = c->not_before_t && c->not_before_t < c->not_after_t
		   ? c->not_after_t - c->not_before_t
		   : 0;
	warn = ce_window(life, pp->cert_warn_fraction, pp->cert_warn_min_days, pp->cert_warn_days);
	crit = ce_window(life, pp->cert_crit_fraction, pp->cert_crit_min_days, pp->cert_crit_days);
	if (crit > 0 && left < crit)
		sev = DBTLS_SEV_CRITICAL;
	else if (warn <= 0 || left >= warn)
		return;
	ce_time(when, sizeof(when), c->not_after, c->not_after_t);
	ce_who(&ev, f, 0);
	days = dbtls_days_between(ctx->now, c->not_after_t);
	dbtls_str_cat(&ev, " not after %s (%ld days left", when, days);
	if (life)
		dbtls_str_cat(&ev, " of a %ld-day lifetime",
			      dbtls_days_between(c->not_before_t, c->not_after_t));
	dbtls_str_cat(&ev, "; warning at ");
	ce_days_cat(&ev, warn);
	dbtls_str_cat(&ev, ", critical at ");
	ce_days_cat(&ev, crit);
	dbtls_str_cat(&ev, ")");
	snprintf(title, sizeof(title), "Certificate expires in %ld day%s (%.10s)", days,
		 days == 1 ? "" : "s", when);
	fix = dbtls_remedy_cert(f, "Renew the certificate before it expires, and find out why "
				   "the renewal (automation) has not done it yet.");
	dbtls_findings_add(out, self, ctx, sev, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_expiring = {
    .id = "cert.expiring",
    .title = "Certificate expires soon",
    .description = "The leaf certificate expires within the profile's warning window; inside "
		   "the critical window the finding is critical. Both windows are a share of "
		   "the certificate's lifetime (notBefore to notAfter: "
		   "cert_expiry_warning_fraction, cert_expiry_critical_fraction), at least "
		   "cert_expiry_*_min_days and at most cert_expiry_warning_days / "
		   "cert_expiry_critical_days: renewal automation renews when about a third of "
		   "the lifetime is left, so a 47-day certificate with 10 days left is routine, "
		   "while a 3-year certificate with 10 days left has been forgotten. Without a "
		   "fraction (or a readable notBefore) the fixed days apply. An expired "
		   "certificate takes every verifying client down at once.",
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
	struct dbtls_str ev = {0};
	size_t n = 0;
	char title[128] = "";
	char *fix;

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
			dbtls_str_cat(&ev, ": DSA %d bits (DSA not allowed)", c->key_bits);
		} else if (min > 0 && c->key_bits > 0 && c->key_bits < min) {
			ce_who(&ev, f, i);
			dbtls_str_cat(&ev, ": %s %d bits (minimum %d)", kt, c->key_bits, min);
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
	fix = dbtls_remedy_cert(
	    f, "Issue new certificates with RSA keys of at least the profile's size (3072 bits "
	       "recommended) or ECDSA P-256/P-384 keys.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_key[] = {"NIST SP 800-57 Part 1 Rev. 5", "NIST SP 800-131A Rev. 2",
					  "CA/Browser Forum Baseline Requirements §6.1.5", NULL};

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
	struct dbtls_str ev = {0};
	size_t n = 0;
	char title[160] = "";
	char *fix;

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
		dbtls_str_cat(&ev, ": %s", c->sig_alg);
		if (n++ == 0)
			snprintf(title, sizeof(title), "%s certificate signed with %s",
				 i == 0 ? "Leaf" : "Intermediate", c->sig_alg);
	}
	if (!n)
		return;
	if (n > 1)
		snprintf(title, sizeof(title), "%zu certificates signed with a forbidden hash", n);
	fix = dbtls_remedy_cert(f, "Reissue the certificates with SHA-256 or stronger signatures.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_sig[] = {"NIST SP 800-131A Rev. 2", "RFC 9155",
					  "CA/Browser Forum Baseline Requirements §7.1.3", NULL};

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
	struct dbtls_str ev = {0};
	char title[128], from[40], to[40];
	long days;
	char *fix;

	if (max <= 0 || !f->certs || !f->ncerts)
		return;
	c = &f->certs[0];
	if (!c->not_before_t || !c->not_after_t ||
	    c->not_after_t - c->not_before_t <= (time_t)max * CE_DAY)
		return;
	days = dbtls_days_between(c->not_before_t, c->not_after_t);
	ce_time(from, sizeof(from), c->not_before, c->not_before_t);
	ce_time(to, sizeof(to), c->not_after, c->not_after_t);
	ce_who(&ev, f, 0);
	dbtls_str_cat(&ev, " valid %s to %s (%ld days; profile maximum %d)", from, to, days, max);
	snprintf(title, sizeof(title), "Certificate valid for %ld days (maximum %d)", days, max);
	fix = dbtls_remedy_cert(f, "Issue shorter-lived certificates and automate their renewal.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_long[] = {"CA/Browser Forum Baseline Requirements §6.3.2",
					   "NIST SP 1800-16", NULL};

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

/* ---- cert.cabf-validity ---- */

/* The CA/Browser Forum Baseline Requirements §6.3.2 maximum validity of a subscriber (server)
 * certificate, by issuance (notBefore), newest first. SC-081v3 (adopted 2025-04-11) sets the
 * 2026–2029 steps; the 398 days come from ballot SC31 (2020-09-01), the 825 days from ballot
 * 193 (2018-03-01). Older certificates are not judged (39 months before that; long expired). */
static const struct {
	time_t from;	 /* issued on or after (UTC midnight) */
	int max_days;	 /* MUST NOT be longer */
	const char *why; /* the rule, for evidence */
} ce_cabf_limits[] = {
    {1868227200, 47, "SC-081v3, issued from 2029-03-15"},
    {1805068800, 100, "SC-081v3, issued from 2027-03-15"},
    {1773532800, 200, "SC-081v3, issued from 2026-03-15"},
    {1598918400, 398, "ballot SC31, issued from 2020-09-01"},
    {1519862400, 825, "ballot 193, issued from 2018-03-01"},
};

/* public_trust as the check reads it: 1, 0 or -1; a report from before the fact existed
 * tells it only when the one verification was against the system store and succeeded. */
static int ce_public(const struct dbtls_endpoint_facts *f)
{
	const struct dbtls_verification *vf = &f->verification;

	if (vf->public_trust.checked)
		return vf->public_trust.anchored;
	if (vf->done && vf->ca_ok && vf->ca_source && !strcmp(vf->ca_source, "system"))
		return 1;
	return -1;
}

static void ce_cabf(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_public_trust *pt = &f->verification.public_trust;
	const struct dbtls_cert *c;
	struct dbtls_str ev = {0};
	char title[160], from[40], to[40];
	size_t i, n = sizeof(ce_cabf_limits) / sizeof(ce_cabf_limits[0]);
	time_t period;
	long days;
	int pub;
	char *fix;

	if (!f->certs || !f->ncerts || !f->verification.done)
		return;
	c = &f->certs[0];
	if (!c->not_before_t || !c->not_after_t || c->not_after_t < c->not_before_t ||
	    c->self_signed)
		return; /* no dates to judge; a self-signed leaf is no CA's certificate */
	for (i = 0; i < n && c->not_before_t < ce_cabf_limits[i].from; i++)
		;
	if (i == n)
		return;
	/* BR §1.6.1: the validity period runs from notBefore to notAfter inclusive */
	period = c->not_after_t - c->not_before_t + 1;
	if (period <= (time_t)ce_cabf_limits[i].max_days * CE_DAY)
		return; /* within the limit: nothing to say, public or not */
	pub = ce_public(f);
	if (pub == 0)
		return; /* a private CA: the CA/B Forum has nothing to say about it */
	days = dbtls_days_between(c->not_before_t, c->not_after_t);
	ce_time(from, sizeof(from), c->not_before, c->not_before_t);
	ce_time(to, sizeof(to), c->not_after, c->not_after_t);
	ce_who(&ev, f, 0);
	dbtls_str_cat(&ev, " valid %s to %s (%ld days; CA/B Forum maximum %d days, %s)", from, to,
		      days, ce_cabf_limits[i].max_days, ce_cabf_limits[i].why);
	if (pub > 0) {
		dbtls_str_cat(&ev, "; the chain anchors in the system trust store at %s",
			      ce_str_or(pt->anchor, "a public root"));
		snprintf(title, sizeof(title),
			 "Publicly trusted certificate valid for %ld days (CA/B Forum maximum %d)",
			 days, ce_cabf_limits[i].max_days);
		fix = dbtls_remedy_cert(
		    f, "Have the public CA issue a certificate within the CA/Browser Forum limit "
		       "(automate renewal: ACME), or issue database certificates from a private "
		       "CA the clients are given.");
	} else {
		dbtls_str_cat(&ev, "; whether the chain is publicly trusted cannot be told: %s%s%s",
			      ce_str_or(pt->detail, "not examined"), pt->store ? " (" : "",
			      pt->store ? pt->store : "");
		if (pt->store)
			dbtls_str_cat(&ev, ")");
		snprintf(title, sizeof(title),
			 "Cannot tell whether the CA/B Forum limit applies: valid for %ld days "
			 "(maximum %d when publicly trusted)",
			 days, ce_cabf_limits[i].max_days);
		fix = dbtls_remedy_cert(
		    f, "Scan from a machine whose system trust store is readable (or point "
		       "SSL_CERT_FILE at the public roots) to tell a public chain from a private "
		       "one.");
	}
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_cabf[] = {
    "CA/Browser Forum TLS Baseline Requirements §6.3.2",
    "CA/Browser Forum ballot SC-081v3 (2025): 200 days from 2026-03-15, 100 from 2027-03-15, "
    "47 from 2029-03-15",
    NULL};

static const struct dbtls_check chk_cabf = {
    .id = "cert.cabf-validity",
    .title = "Publicly trusted certificate longer than the CA/B Forum allows",
    .description = "The leaf's validity period (notBefore to notAfter, inclusive) exceeds the "
		   "CA/Browser Forum limit for its issuance date: 398 days until 2026-03-14, "
		   "200 days from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15 (ballot "
		   "SC-081v3). The limits bind only publicly trusted CAs, so the check applies "
		   "only when the chain anchors in the system trust store "
		   "(verification.public_trust); a private database CA is never judged by "
		   "them (cert.validity-too-long is the profile's own limit). When the system "
		   "store cannot be read the finding says it cannot tell, rather than passing. "
		   "A public CA issuing such a certificate breaks the Baseline Requirements "
		   "(it must revoke it), and clients that enforce the limit refuse it.",
    .fix = "Have the public CA issue certificates within the limit and automate their renewal.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = ce_refs_cabf,
    .eval = ce_cabf,
};

/* ---- cert.self-signed ---- */

static void ce_self_signed(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0};
	char *fix;

	if (!f->certs || !f->ncerts || !f->certs[0].self_signed)
		return;
	if (ce_auto_kind(f) >= CE_AUTO_MARIADB_ZERO)
		return; /* cert.auto-generated says who can and cannot verify it */
	ce_who(&ev, f, 0);
	dbtls_str_cat(&ev, " is its own issuer");
	fix = dbtls_remedy_cert(
	    f, "Issue the server certificate from a CA (an internal one is fine) and distribute "
	       "that CA to the clients.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s",
			   "Self-signed certificate");
	free(ev.s);
	free(fix);
}

static const char *const ce_refs_self[] = {"RFC 5280", "NIST SP 800-52r2", NULL};

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

/* ---- the shape of the served chain ---- */

static const char *const ce_refs_chain[] = {"RFC 8446 §4.4.2", "RFC 5246 §7.4.2", "RFC 5280 §6",
					    NULL};

static void ce_chain_incomplete(const struct dbtls_check *self,
				const struct dbtls_endpoint_facts *f,
				const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_chain_facts *ch = &f->verification.chain;
	struct dbtls_str ev = {0};
	char *fix;

	if (!f->verification.done || !ch->analysed || !ch->incomplete)
		return;
	/* a leaf from MySQL's generated CA lacks a root, not an intermediate: cert.untrusted and
	 * cert.auto-generated say so */
	if (ce_auto_kind(f) == CE_AUTO_MYSQL && !f->certs[0].self_signed &&
	    ce_mysql_auto_name(ch->missing_issuer))
		return;
	dbtls_str_cat(&ev,
		      "the server sent %zu certificate%s; the path to the trust anchor needs %s, "
		      "which it did not send",
		      f->ncerts, f->ncerts == 1 ? "" : "s",
		      ce_str_or(ch->missing_issuer, "an intermediate"));
	fix = dbtls_remedy_cert(
	    f, "Put the intermediate certificates after the leaf in the file the server serves "
	       "(ssl_cert), so that clients which trust only the root can build the path.");
	dbtls_findings_add(
	    out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s",
	    "The served chain is incomplete: an intermediate certificate is missing");
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_chain_incomplete = {
    .id = "cert.chain-incomplete",
    .title = "Incomplete certificate chain",
    .description = "The server does not send an intermediate certificate its chain needs. "
		   "Clients that have only the root (most database drivers: ssl-ca) cannot "
		   "build the path and refuse the connection, or the operator turns "
		   "verification off.",
    .fix = "Serve the leaf followed by every intermediate up to (not including) the root.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = ce_refs_chain,
    .eval = ce_chain_incomplete,
};

static void ce_chain_order(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0};
	char *fix;

	if (!f->verification.done || !f->verification.chain.misordered)
		return;
	for (size_t i = 0; i < f->ncerts; i++)
		dbtls_str_cat(&ev, "%s[%zu] %s", i ? ", then " : "served: ", i,
			      ce_str_or(f->certs[i].subject, "?"));
	fix = dbtls_remedy_cert(
	    f, "Order the served file leaf first, each certificate followed by its issuer.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s",
			   "The served chain is out of order");
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_chain_order = {
    .id = "cert.chain-order",
    .title = "Certificate chain out of order",
    .description = "A served certificate is not followed by its issuer. TLS 1.2 requires the "
		   "order (RFC 5246); TLS 1.3 clients should cope, but strict and older "
		   "client libraries fail.",
    .fix = "Serve the leaf first, then each issuer in turn.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = ce_refs_chain,
    .eval = ce_chain_order,
};

static void ce_chain_extra(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_chain_facts *ch = &f->verification.chain;
	struct dbtls_str ev = {0};
	char title[128];
	char *fix;

	if (!f->verification.done || !ch->analysed || (!ch->extra && !ch->anchor_served))
		return;
	if (ch->extra)
		dbtls_str_cat(&ev, "%zu served certificate%s not on the path to the trust anchor",
			      ch->extra, ch->extra == 1 ? " is" : "s are");
	if (ch->anchor_served)
		dbtls_str_cat(&ev, "%sthe trust anchor %s is served too", ev.n ? "; " : "",
			      ce_str_or(ch->anchor_subject, "(root)"));
	snprintf(title, sizeof(title), "The server sends certificates clients do not need");
	fix = dbtls_remedy_cert(f, "Serve only the leaf and its intermediates.");
	dbtls_findings_add(out, self, ctx, ch->extra ? -1 : DBTLS_SEV_INFO, dbtls_str_get(&ev), fix,
			   "%s", title);
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_chain_extra = {
    .id = "cert.chain-extra",
    .title = "Unneeded certificates in the served chain",
    .description = "The server sends certificates that are not on the path to the trust "
		   "anchor (stale intermediates, the root itself). Harmless for most clients "
		   "but a sign of a confused certificate file, and every handshake carries "
		   "the extra bytes.",
    .fix = "Serve only the leaf and its intermediates.",
    .default_severity = DBTLS_SEV_LOW,
    .references = ce_refs_chain,
    .eval = ce_chain_extra,
};

/* ---- key usage ---- */

static const char *const ce_refs_usage[] = {"RFC 5280 §4.2.1.3", "RFC 5280 §4.2.1.12",
					    "RFC 5280 §4.2.1.9", NULL};

static bool ce_has_eku(const struct dbtls_cert *c, const char *name)
{
	for (size_t i = 0; i < c->neku; i++)
		if (c->eku[i] &&
		    (!strcmp(c->eku[i], name) || !strcmp(c->eku[i], "anyExtendedKeyUsage")))
			return true;
	return false;
}

static void ce_eku(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_cert *c = f->ncerts ? &f->certs[0] : NULL;
	struct dbtls_str ev = {0};
	char *fix;

	if (!c || !c->has_eku || ce_has_eku(c, "serverAuth"))
		return;
	dbtls_str_cat(&ev, "leaf %s: extendedKeyUsage", ce_str_or(c->subject, "?"));
	for (size_t i = 0; i < c->neku; i++)
		dbtls_str_cat(&ev, "%s%s", i ? ", " : " ", c->eku[i]);
	if (!c->neku)
		dbtls_str_cat(&ev, " (empty)");
	fix =
	    dbtls_remedy_cert(f, "Issue the server certificate with extendedKeyUsage serverAuth.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s",
			   "The leaf certificate is not valid for TLS servers (no serverAuth EKU)");
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_eku = {
    .id = "cert.eku",
    .title = "Leaf certificate lacks the serverAuth extended key usage",
    .description = "The leaf has an extendedKeyUsage extension without serverAuth, so it is "
		   "not valid for a TLS server: verifying clients (ssl-mode VERIFY_CA) reject "
		   "it.",
    .fix = "Re-issue the certificate with extendedKeyUsage serverAuth.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = ce_refs_usage,
    .eval = ce_eku,
};

/* keyUsage bits as OpenSSL's KU_* constants */
#define CE_KU_DIGITAL_SIGNATURE 0x0080
#define CE_KU_KEY_ENCIPHERMENT	0x0020
#define CE_KU_KEY_AGREEMENT	0x0008

static void ce_key_usage(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_cert *c = f->ncerts ? &f->certs[0] : NULL;
	struct dbtls_str ev = {0};
	bool ec;
	char *fix;

	if (!c || !c->has_key_usage || !c->key_type)
		return;
	/* every TLS 1.3 and ECDHE/DHE handshake needs a signature; RSA key transport needs
	 * keyEncipherment, static ECDH keyAgreement: digitalSignature is what a modern leaf needs
	 */
	ec = !strcmp(c->key_type, "EC");
	if (c->key_usage & CE_KU_DIGITAL_SIGNATURE)
		return;
	dbtls_str_cat(&ev, "leaf %s (%s): keyUsage 0x%04x without digitalSignature%s",
		      ce_str_or(c->subject, "?"), c->key_type, c->key_usage,
		      ec					? ""
		      : (c->key_usage & CE_KU_KEY_ENCIPHERMENT) ? " (keyEncipherment only: "
								  "RSA key transport)"
								: "");
	fix = dbtls_remedy_cert(
	    f, "Issue the server certificate with keyUsage digitalSignature (and keyEncipherment "
	       "for RSA keys).");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s",
			   "The leaf certificate's key usage does not allow signing handshakes");
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_key_usage = {
    .id = "cert.key-usage",
    .title = "Leaf key usage does not allow handshake signatures",
    .description = "The leaf's keyUsage lacks digitalSignature, which every TLS 1.3 handshake "
		   "and every ECDHE/DHE suite needs; conforming clients refuse such a "
		   "certificate for those handshakes.",
    .fix = "Re-issue the certificate with keyUsage digitalSignature (plus keyEncipherment for "
	   "RSA).",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = ce_refs_usage,
    .eval = ce_key_usage,
};

static void ce_leaf_ca(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_cert *c = f->ncerts ? &f->certs[0] : NULL;
	struct dbtls_str ev = {0};
	char *fix;

	if (!c || !c->is_ca || c->self_signed)
		return;
	dbtls_str_cat(&ev, "leaf %s has basicConstraints CA:TRUE", ce_str_or(c->subject, "?"));
	fix = dbtls_remedy_cert(f, "Issue the server certificate with basicConstraints CA:FALSE.");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), fix, "%s",
			   "The leaf certificate is a CA certificate (CA:TRUE)");
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_leaf_ca = {
    .id = "cert.leaf-is-ca",
    .title = "Leaf certificate has CA:TRUE",
    .description = "The server's own certificate may sign other certificates: whoever holds "
		   "the database server's key (a backup, a copied my.cnf directory) can mint "
		   "certificates the clients trust.",
    .fix = "Re-issue the leaf with basicConstraints CA:FALSE from a separate CA.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = ce_refs_usage,
    .eval = ce_leaf_ca,
};

/* ---- auto-generated database certificates ---- */

static const char *const ce_refs_auto[] = {
    "MySQL 8.0 Reference Manual §6.3.3.1 (auto_generate_certs)",
    "MariaDB 11.4: Zero-Configuration SSL (mariadb.com/docs, "
    "mariadb.org/mission-impossible-zero-configuration-ssl)",
    "MariaDB Connector/C 3.4: TLS/SSL changes (peer verification by default)", NULL};

/* The server version from the greeting ("5.5.5-11.4.5-MariaDB-log": 11.4); false when none. */
static bool ce_server_version(const struct dbtls_endpoint_facts *f, int *maj, int *min)
{
	const char *v = f->server.version;

	if (!v)
		return false;
	if (!strncmp(v, "5.5.5-", 6))
		v += 6; /* MariaDB's prefix for old MySQL clients */
	return sscanf(v, "%d.%d", maj, min) == 2;
}

static bool ce_mysql_auto_name(const char *dn)
{
	return dn && strstr(dn, "MySQL_Server_") && strstr(dn, "_Auto_Generated_");
}

/* What mysqld or mariadbd generated for itself, if anything: MySQL (5.7+, auto_generate_certs
 * / mysql_ssl_rsa_setup) names its CA and server certificates
 * "MySQL_Server_<version>_Auto_Generated_CA_Certificate" / "…_Server_Certificate"; MariaDB
 * 11.4+ makes a temporary self-signed certificate at startup when no ssl_cert is configured. */
static enum ce_auto_kind ce_auto_kind(const struct dbtls_endpoint_facts *f)
{
	const struct dbtls_cert *c;
	const char *s, *cert_var;
	bool listed = false;
	int maj = 0, min = 0;

	if (!f->certs || !f->ncerts)
		return CE_AUTO_NONE;
	c = &f->certs[0];
	s = c->subject ? c->subject : "";
	if (ce_mysql_auto_name(c->subject) || ce_mysql_auto_name(c->issuer))
		return CE_AUTO_MYSQL;
	if (!c->self_signed || !f->server.product || strcmp(f->server.product, "MariaDB") ||
	    !ce_server_version(f, &maj, &min) || maj * 100 + min < 1104)
		return CE_AUTO_NONE; /* zero-configuration TLS is MariaDB 11.4+ */
	cert_var = f->sql.nvariables ? dbtls_sql_value_get(f->sql.variables, f->sql.nvariables,
							   "ssl_cert", &listed)
				     : NULL;
	if (listed && f->sql.status == DBTLS_SQL_OK)
		return !cert_var || !*cert_var ? CE_AUTO_MARIADB_ZERO : CE_AUTO_NONE;
	/* without the server's word: a single-RDN self-signed "MariaDB" name */
	return (strstr(s, "MariaDB") || strstr(s, "mariadb")) && !strchr(s, ',')
		   ? CE_AUTO_MARIADB_SHAPE
		   : CE_AUTO_NONE;
}

/* Plugins MariaDB's password-derived certificate check works with (MITM-safe on their own). */
static bool ce_zero_plugin(const char *plugin)
{
	return plugin && (!strcmp(plugin, "mysql_native_password") || !strcmp(plugin, "ed25519") ||
			  !strcmp(plugin, "parsec"));
}

/* Appends which network accounts MariaDB 11.4+ clients can verify the certificate for;
 * returns -1 cannot tell, 0 some cannot, 1 all can. */
static int ce_zero_accounts(struct dbtls_str *ev, const struct dbtls_endpoint_facts *f)
{
	const struct dbtls_sql_facts *q = &f->sql;
	size_t net = 0, ok = 0, shown = 0, unknown = 0;

	if (q->status != DBTLS_SQL_OK || q->accounts_status != DBTLS_SQL_AV_READ) {
		dbtls_str_cat(ev,
			      "; which accounts qualify cannot be told (%s): the check needs "
			      "each account's plugin and whether it has a password",
			      q->status == DBTLS_SQL_NOT_RUN ? "no --sql"
			      : q->status == DBTLS_SQL_OK    ? "the accounts were not readable"
							     : "the SQL login failed");
		return -1;
	}
	for (size_t i = 0; i < q->naccounts; i++) {
		const struct dbtls_sql_account *a = &q->accounts[i];

		if (!a->network || a->locked)
			continue;
		net++;
		if (!a->plugin) {
			unknown++;
			continue;
		}
		if (a->has_password && ce_zero_plugin(a->plugin)) {
			ok++;
			continue;
		}
		dbtls_str_cat(ev, "%s%s@%s (%s)",
			      shown++ ? ", " : "; the password-derived check cannot work for ",
			      ce_str_or(a->user, "''"), ce_str_or(a->host, "''"),
			      a->has_password ? a->plugin : "no password");
	}
	if (unknown)
		dbtls_str_cat(ev, "; %zu network account%s: plugin not read", unknown,
			      unknown == 1 ? "" : "s");
	dbtls_str_cat(ev, "; %zu of %zu network accounts qualify", ok, net);
	return unknown ? -1 : ok == net;
}

static void ce_auto(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	enum ce_auto_kind kind = ce_auto_kind(f);
	struct dbtls_str ev = {0};
	int sev = -1, maj = 0, min = 0;
	const char *title;
	char *fix;

	if (kind == CE_AUTO_NONE)
		return;
	dbtls_str_cat(&ev, "leaf %s, issuer %s", ce_str_or(f->certs[0].subject, "?"),
		      ce_str_or(f->certs[0].issuer, "?"));
	if (kind == CE_AUTO_MYSQL) {
		dbtls_str_cat(
		    &ev, " (generated by mysqld at first start: auto_generate_certs). Exposed: "
			 "clients in their default mode (ssl-mode=PREFERRED or REQUIRED: "
			 "libmysqlclient and the mysql client, Connector/J, Connector/NET, "
			 "Connector/Python, PHP mysqlnd, PyMySQL, Go with tls=skip-verify) encrypt "
			 "but accept any certificate, so an attacker in the middle reads and "
			 "changes the traffic, and caching_sha2_password/sha256_password logins "
			 "hand it the password in clear text. Failing: VERIFY_CA without this "
			 "server's ca.pem, VERIFY_IDENTITY always (the name is no host name), "
			 "MariaDB Connector/C and Connector/J 3.4+, which verify by default");
		title =
		    "MySQL's auto-generated certificate: clients that do not verify are exposed, "
		    "clients that verify fail";
	} else {
		ce_server_version(f, &maj, &min);
		dbtls_str_cat(
		    &ev,
		    ", self-signed: MariaDB %d.%d zero-configuration TLS (%s). Verified "
		    "through the password-derived fingerprint only by MariaDB "
		    "Connector/C 3.4+ (mariadb client 11.4+) and Connector/J 3.4+ "
		    "(sslMode=verify-full), for accounts with a password on "
		    "mysql_native_password, ed25519 or parsec. Exposed: clients that "
		    "encrypt without verifying (MySQL connectors and libmysqlclient in "
		    "PREFERRED/REQUIRED, PyMySQL, PHP mysqlnd, Go with tls=skip-verify, "
		    "MariaDB connectors before 3.4); failing: every other client that "
		    "verifies",
		    maj, min,
		    kind == CE_AUTO_MARIADB_ZERO
			? "the server's ssl_cert is empty"
			: "from the certificate's shape; --sql reads ssl_cert to be sure");
		if (ce_zero_accounts(&ev, f) == 1)
			sev = DBTLS_SEV_LOW; /* MariaDB's own clients are safe for every account */
		title = "MariaDB zero-configuration TLS certificate: only MariaDB 11.4+ connectors "
			"verify it, and only for password accounts";
	}
	fix = dbtls_remedy_auto_cert(
	    f, "Replace the certificate the server generated for itself with one issued by your "
	       "CA, and give the clients that CA.");
	dbtls_findings_add(out, self, ctx, sev, dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_auto = {
    .id = "cert.auto-generated",
    .title = "Auto-generated database certificate",
    .description = "The server presents a certificate it generated for itself: MySQL's "
		   "MySQL_Server_<version>_Auto_Generated_… chain (auto_generate_certs), which no "
		   "client can verify unless given that installation's ca.pem, so clients "
		   "either skip verification (and are open to an attacker in the middle, who "
		   "also gets caching_sha2_password passwords) or fail; or MariaDB 11.4+ "
		   "zero-configuration TLS, a temporary self-signed certificate that MariaDB "
		   "Connector/C and Connector/J 3.4+ verify through a fingerprint derived from "
		   "the account's password (mysql_native_password, ed25519, parsec with a "
		   "password), while every other client is exposed or fails. The finding says "
		   "which clients and (with --sql) which accounts; for zero-configuration TLS it "
		   "replaces cert.self-signed and cert.untrusted, and is low when every network "
		   "account qualifies.",
    .fix = "Issue the server a certificate from your CA and configure ssl_cert/ssl_key/ssl_ca.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = ce_refs_auto,
    .eval = ce_auto,
};

/* ---- revocation ---- */

static const char *const ce_refs_rev[] = {"RFC 6960 (OCSP)", "RFC 5280 §5 (CRL)",
					  "RFC 6066 §8 (status_request)", "NIST SP 800-52r2 §3.5",
					  NULL};

static void ce_revoked(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0};
	char *fix;

	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_revocation *r = &f->certs[i].revocation;
		if (r->status != DBTLS_REV_REVOKED)
			continue;
		ce_who(&ev, f, i);
		dbtls_str_cat(&ev, " revoked%s%s%s%s (%s)", r->revoked_at ? " on " : "",
			      ce_str_or(r->revoked_at, ""), r->reason ? ", reason " : "",
			      ce_str_or(r->reason, ""), ce_str_or(r->source, "?"));
	}
	if (ev.n) {
		fix = dbtls_remedy_cert(
		    f, "Replace the revoked certificate now, and find out why it was revoked (a "
		       "revoked key may be in someone else's hands).");
		dbtls_findings_add(out, self, ctx, DBTLS_SEV_CRITICAL, dbtls_str_get(&ev), fix,
				   "%s", "A served certificate is revoked");
		free(fix);
	}
	free(ev.s);
}

static const struct dbtls_check chk_revoked = {
    .id = "cert.revoked",
    .title = "Revoked certificate",
    .description = "Its CA has revoked a certificate the server presents (OCSP or CRL). "
		   "Revocation usually means the key is compromised or the certificate was "
		   "mis-issued; clients that check revocation refuse the server.",
    .fix = "Issue and install a new certificate with a new key.",
    .default_severity = DBTLS_SEV_CRITICAL,
    .references = ce_refs_rev,
    .eval = ce_revoked,
};

/* A private PKI that names no responder or CRL (DBTLS_REV_NOT_APPLICABLE) has nothing that is
 * down: a note, whatever the profile and --revocation say, so that a well-run private PKI does
 * not fail by default; the note keeps the choice visible. */
static void ce_rev_not_applicable(const struct dbtls_check *self,
				  const struct dbtls_endpoint_facts *f,
				  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0};
	size_t n = 0;
	char *fix;

	for (size_t i = 0; f->certs && i < f->ncerts; i++)
		if (f->certs[i].revocation.status == DBTLS_REV_NOT_APPLICABLE) {
			n++;
			ce_who(&ev, f, i);
		}
	if (!n)
		return;
	dbtls_str_cat(&ev, ": no revocation pointers in a private PKI (the chain ends in a CA "
			   "from --ca-file; no certificate names an OCSP responder or CRL)");
	fix =
	    dbtls_remedy_cert(f, "Nothing to do if the private CA revokes by other means "
				 "(short-lived certificates, replacing the CA); otherwise publish "
				 "a CRL or OCSP responder and name it in the certificates.");
	dbtls_findings_add(out, self, ctx, DBTLS_SEV_INFO, dbtls_str_get(&ev), fix, "%s",
			   "No revocation pointers in a private PKI");
	free(ev.s);
	free(fix);
}

static void ce_rev_unavailable(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0};
	char title[128];
	size_t n = 0;
	char *fix;

	ce_rev_not_applicable(self, f, ctx, out);
	for (size_t i = 0; f->certs && i < f->ncerts; i++) {
		const struct dbtls_revocation *r = &f->certs[i].revocation;
		if (r->status != DBTLS_REV_UNAVAILABLE && r->status != DBTLS_REV_UNKNOWN)
			continue;
		n++;
		ce_who(&ev, f, i);
		dbtls_str_cat(&ev, ": %s (%s)", dbtls_rev_status_name(r->status),
			      ce_str_or(r->detail, ce_str_or(r->source, "no source")));
	}
	if (!n)
		return;
	snprintf(title, sizeof(title),
		 "Revocation status of %zu certificate%s cannot be determined", n,
		 n == 1 ? "" : "s");
	/* hard-fail (the default): a finding at the profile's severity; soft-fail: a note */
	fix = dbtls_remedy_cert(
	    f, "Give the certificates an OCSP responder (AIA) or CRL distribution point the "
	       "clients can reach, and staple OCSP responses where the server supports it.");
	dbtls_findings_add(out, self, ctx,
			   ctx->policy->params.revocation_soft_fail ? DBTLS_SEV_INFO : -1,
			   dbtls_str_get(&ev), fix, "%s", title);
	free(ev.s);
	free(fix);
}

static const struct dbtls_check chk_rev_unavailable = {
    .id = "cert.revocation-unavailable",
    .title = "Revocation status cannot be determined",
    .description = "Neither a stapled OCSP response, a given CRL, the certificate's OCSP "
		   "responder nor its CRL distribution point answered for a served "
		   "certificate, so a revoked certificate would go unnoticed. Under "
		   "--revocation soft-fail this is only a note.",
    .fix = "Publish an OCSP responder or CRL for the issuing CA and name it in the "
	   "certificates.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = ce_refs_rev,
    .eval = ce_rev_unavailable,
};

const struct dbtls_check *const dbtls_checks_certs[] = {
    &chk_untrusted,
    &chk_hostname,
    &chk_expired,
    &chk_not_yet,
    &chk_expiring,
    &chk_key_weak,
    &chk_sig,
    &chk_too_long,
    &chk_cabf,
    &chk_self_signed,
    &chk_chain_incomplete,
    &chk_chain_order,
    &chk_chain_extra,
    &chk_eku,
    &chk_key_usage,
    &chk_leaf_ca,
    &chk_auto,
    &chk_revoked,
    &chk_rev_unavailable,
    NULL,
};
