/* SPDX-License-Identifier: MIT */
/*
 * check_hygiene.c — what else the handshake tells (src/scan/hsfacts.c): TLS 1.2 hygiene RFC 9325
 * asks for (secure renegotiation, extended master secret, no compression, TLS_FALLBACK_SCSV,
 * encrypt-then-MAC for CBC), the known handshake vulnerabilities (Heartbleed, CCS injection), the
 * DHE prime (composite, unsafe, or a well-known 1024-bit prime), and post-quantum key exchange for
 * TLS 1.3.
 *
 * Each check finds nothing when its facts were not probed (a report without the objects, an
 * endpoint without TLS <= 1.2) and nothing when the fact is unknown (-1): dbtls never calls a
 * server vulnerable or clean on an answer that proves neither.
 */
#include "checks/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/names.h"

static const char *const hy_reneg_refs[] = {"RFC 5746", "RFC 9325 §3.5", NULL};
static const char *const hy_ems_refs[] = {"RFC 7627", "RFC 9325", NULL};
static const char *const hy_comp_refs[] = {"RFC 9325 §3.3", "CRIME (CVE-2012-4929)", NULL};
static const char *const hy_scsv_refs[] = {"RFC 7507", NULL};
static const char *const hy_etm_refs[] = {"RFC 7366", "RFC 9325 §4.2", NULL};
static const char *const hy_hb_refs[] = {"CVE-2014-0160", "RFC 6520", NULL};
static const char *const hy_ccs_refs[] = {"CVE-2014-0224", NULL};
static const char *const hy_dh_refs[] = {"RFC 7919", "Logjam (weakdh.org)", NULL};
static const char *const hy_pq_refs[] = {"draft-ietf-tls-ecdhe-mlkem",
					 "Mozilla Server Side TLS 6.0", NULL};
static const char *const hy_ticket_refs[] = {"RFC 8446 §4.6.1", "RFC 9325 §3.4", "RFC 5077", NULL};

static const char *hy_server_fix(const struct dbtls_endpoint_facts *f)
{
	return f->protocol && !strcmp(f->protocol, "mysql")
		   ? "The TLS library the server is linked against decides this: upgrade the "
		     "server (or its OpenSSL / wolfSSL) to a supported release."
		   : "Upgrade the TLS library the server uses to a supported release.";
}

static void hy_reneg(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_hygiene_facts *h = &f->hygiene;

	if (!h->probed || h->secure_renegotiation != 0)
		return;
	dbtls_findings_add(out, self, ctx, -1, "ServerHello without renegotiation_info",
			   hy_server_fix(f), "No secure renegotiation (RFC 5746) in %s",
			   dbtls_version_name((enum dbtls_version)h->version));
}

static const struct dbtls_check chk_reneg = {
    .id = "hygiene.insecure-renegotiation",
    .title = "No secure renegotiation (renegotiation_info)",
    .description = "The server does not answer the renegotiation_info extension, so a "
		   "renegotiation cannot be tied to the connection it renegotiates "
		   "(CVE-2009-3555 prefix injection). RFC 9325 requires it for TLS 1.2.",
    .fix = "Upgrade the TLS library; every maintained one supports RFC 5746.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = hy_reneg_refs,
    .eval = hy_reneg,
};

static void hy_ems(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_hygiene_facts *h = &f->hygiene;

	if (!h->probed || h->extended_master_secret != 0)
		return;
	dbtls_findings_add(out, self, ctx, -1, "ServerHello without extended_master_secret",
			   hy_server_fix(f), "No extended master secret (RFC 7627) in %s",
			   dbtls_version_name((enum dbtls_version)h->version));
}

static const struct dbtls_check chk_ems = {
    .id = "hygiene.no-extended-master-secret",
    .title = "No extended master secret",
    .description = "Without RFC 7627 the TLS 1.2 master secret is not bound to the handshake "
		   "transcript (triple handshake attack); RFC 9325 asks TLS 1.2 servers to "
		   "negotiate it.",
    .fix = "Upgrade the TLS library or enable the extension.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = hy_ems_refs,
    .eval = hy_ems,
};

static void hy_comp(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_hygiene_facts *h = &f->hygiene;

	if (!h->probed || h->compression != 1)
		return;
	dbtls_findings_add(out, self, ctx, -1, "the ServerHello chose DEFLATE compression",
			   "Disable TLS-level compression (OpenSSL: SSL_OP_NO_COMPRESSION, the "
			   "default since 1.1.0).",
			   "TLS compression accepted (CRIME)");
}

static const struct dbtls_check chk_comp = {
    .id = "hygiene.compression",
    .title = "TLS compression accepted",
    .description = "A server that compresses before encrypting leaks secrets through the "
		   "length of its records (CRIME).",
    .fix = "Disable TLS-level compression.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = hy_comp_refs,
    .eval = hy_comp,
};

static void hy_scsv(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_hygiene_facts *h = &f->hygiene;
	char ev[256];

	if (!h->probed || h->fallback_scsv != 0)
		return;
	snprintf(ev, sizeof(ev), "a hello marked TLS_FALLBACK_SCSV was answered: %s",
		 h->fallback_detail ? h->fallback_detail : "ServerHello");
	dbtls_findings_add(out, self, ctx, -1, ev, hy_server_fix(f),
			   "TLS_FALLBACK_SCSV not honoured: a downgrade is not detected");
}

static const struct dbtls_check chk_scsv = {
    .id = "hygiene.no-fallback-scsv",
    .title = "TLS_FALLBACK_SCSV not honoured",
    .description = "The server answers a fallback hello below its best version instead of "
		   "refusing it with inappropriate_fallback, so clients that retry with a lower "
		   "version can be downgraded.",
    .fix = "Upgrade the TLS library, or accept only one version below TLS 1.3.",
    .default_severity = DBTLS_SEV_LOW,
    .references = hy_scsv_refs,
    .eval = hy_scsv,
};

static void hy_etm(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_hygiene_facts *h = &f->hygiene;

	if (!h->probed || h->encrypt_then_mac != 0)
		return;
	dbtls_findings_add(out, self, ctx, -1, "a CBC suite was chosen without encrypt_then_mac",
			   hy_server_fix(f), "CBC suites without encrypt-then-MAC (RFC 7366)");
}

static const struct dbtls_check chk_etm = {
    .id = "hygiene.cbc-without-etm",
    .title = "CBC without encrypt-then-MAC",
    .description = "The server accepts CBC suites but does not negotiate encrypt_then_mac, "
		   "so records are MAC-then-encrypt (padding oracles such as Lucky 13).",
    .fix = "Prefer AEAD suites and drop CBC, or use a TLS library with RFC 7366.",
    .default_severity = DBTLS_SEV_LOW,
    .references = hy_etm_refs,
    .eval = hy_etm,
};

static void hy_heartbleed(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_vuln_facts *v = &f->vulns;

	if (!v->probed || v->heartbleed != 1)
		return;
	dbtls_findings_add(out, self, ctx, -1, v->heartbleed_detail,
			   "Upgrade OpenSSL to 1.0.1g or later (every supported release), "
			   "restart the server, then replace its key and certificate: the key may "
			   "have leaked.",
			   "Heartbleed (CVE-2014-0160): the server echoes memory");
}

static const struct dbtls_check chk_heartbleed = {
    .id = "vuln.heartbleed",
    .title = "Heartbleed (CVE-2014-0160)",
    .description = "A heartbeat whose length field exceeds its payload is answered with the "
		   "server's memory: keys, passwords and queries can leak. dbtls claims only "
		   "64 bytes more than it sends and reads only the length of the answer.",
    .fix = "Upgrade OpenSSL, restart, and replace the key and certificate.",
    .default_severity = DBTLS_SEV_CRITICAL,
    .references = hy_hb_refs,
    .eval = hy_heartbleed,
};

static void hy_ccs(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_vuln_facts *v = &f->vulns;

	if (!v->probed || v->ccs_injection != 1)
		return;
	dbtls_findings_add(out, self, ctx, -1, v->ccs_detail,
			   "Upgrade OpenSSL to 1.0.1h / 1.0.0m / 0.9.8za or later.",
			   "CCS injection (CVE-2014-0224): an early ChangeCipherSpec is accepted");
}

static const struct dbtls_check chk_ccs = {
    .id = "vuln.ccs-injection",
    .title = "CCS injection (CVE-2014-0224)",
    .description = "The server accepts a ChangeCipherSpec before the key exchange, so a "
		   "man in the middle can make both sides use keys derived from an empty master "
		   "secret.",
    .fix = "Upgrade OpenSSL.",
    .default_severity = DBTLS_SEV_CRITICAL,
    .references = hy_ccs_refs,
    .eval = hy_ccs,
};

static void hy_dh(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_vuln_facts *v = &f->vulns;
	char ev[256];

	if (!v->probed || !v->dh_bits)
		return;
	snprintf(ev, sizeof(ev), "DHE prime of %d bits%s%s", v->dh_bits,
		 v->dh_prime_name ? ": " : "", v->dh_prime_name ? v->dh_prime_name : "");
	if (v->dh_prime_prime == 0)
		dbtls_findings_add(out, self, ctx, DBTLS_SEV_CRITICAL, ev,
				   "Use a published group (RFC 7919 ffdhe2048 or larger).",
				   "The DHE modulus is not a prime");
	else if (v->dh_prime_name && v->dh_bits <= 1024)
		dbtls_findings_add(
		    out, self, ctx, -1, ev, "Use RFC 7919 ffdhe2048 or larger, or drop DHE suites.",
		    "A widely shared %d-bit DHE prime (%s): precomputation breaks it", v->dh_bits,
		    v->dh_prime_name);
	else if (v->dh_prime_safe == 0)
		dbtls_findings_add(out, self, ctx, DBTLS_SEV_MEDIUM, ev,
				   "Use a published safe-prime group (RFC 7919).",
				   "The DHE prime is not a safe prime ((p-1)/2 is composite)");
}

static const struct dbtls_check chk_dh = {
    .id = "vuln.weak-dh-prime",
    .title = "Weak DHE parameters",
    .description = "The DHE prime the server sends is composite (critical), a widely shared "
		   "prime of 1024 bits or less that nation-state precomputation breaks (Logjam; "
		   "the check's severity), or not a safe prime (medium). Small primes as such "
		   "are kex.dh-weak.",
    .fix = "Serve an RFC 7919 group of at least 2048 bits, or drop DHE suites.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = hy_dh_refs,
    .eval = hy_dh,
};

static void hy_pq(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char ev[512];
	size_t o = 0;

	if (!f->groups13.probed || f->groups_version != DBTLS_TLS13 || !f->ngroups)
		return;
	for (size_t i = 0; i < f->ngroups; i++)
		if (dbtls_group_is_pq(f->groups[i]))
			return;
	o = (size_t)snprintf(ev, sizeof(ev), "TLS 1.3 groups:");
	for (size_t i = 0; i < f->ngroups && o < sizeof(ev); i++) {
		char hex[8];
		o += (size_t)snprintf(ev + o, sizeof(ev) - o, " %s",
				      dbtls_group_label(f->groups[i], hex, sizeof(hex)));
	}
	dbtls_findings_add(out, self, ctx, -1, ev,
			   "Link the server against OpenSSL 3.5 or later (X25519MLKEM768 is then "
			   "the default first group) or set its TLS groups to "
			   "X25519MLKEM768:X25519:…",
			   "No post-quantum key exchange for TLS 1.3 (X25519MLKEM768)");
}

static const struct dbtls_check chk_pq = {
    .id = "kex.no-post-quantum",
    .title = "No post-quantum key exchange",
    .description = "The server accepts no hybrid ML-KEM group for TLS 1.3, so recorded "
		   "traffic can be decrypted once a quantum computer breaks the elliptic curve "
		   "(harvest now, decrypt later).",
    .fix = "Offer X25519MLKEM768 first (OpenSSL 3.5+ does by default).",
    .default_severity = DBTLS_SEV_LOW,
    .references = hy_pq_refs,
    .eval = hy_pq,
};

/* RFC 8446 §4.6.1: servers MUST NOT use a TLS 1.3 ticket_lifetime above 604800 s (7 days) */
#define HY_TICKET_MAX_TLS13 604800L

static void hy_ticket(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_ticket_facts *t = &f->verification.ticket;
	long param = ctx->policy ? ctx->policy->params.max_ticket_lifetime_s : 0;
	long limit = param > 0 ? param : HY_TICKET_MAX_TLS13;
	bool tls13 = f->verification.protocol && !strcmp(f->verification.protocol, "TLSv1.3");
	char ev[256];

	if (!f->verification.done || !t->probed || t->issued != 1 || t->lifetime_s <= 0)
		return; /* no ticket, or a TLS 1.2 hint of 0 ("unspecified"): nothing to judge */
	if (tls13 && limit > HY_TICKET_MAX_TLS13)
		limit = HY_TICKET_MAX_TLS13;
	if (t->lifetime_s <= limit)
		return;
	snprintf(ev, sizeof(ev), "%s NewSessionTicket lifetime hint %ld s (%.1f days); %s %ld s",
		 f->verification.protocol ? f->verification.protocol : "TLS", t->lifetime_s,
		 (double)t->lifetime_s / 86400.0,
		 tls13 && limit == HY_TICKET_MAX_TLS13 && param <= 0 ? "RFC 8446 allows at most"
		 : param > 0					     ? "the profile allows at most"
								     : "dbtls's default limit is",
		 limit);
	dbtls_findings_add(
	    out, self, ctx, -1, ev,
	    f->protocol && !strcmp(f->protocol, "mysql")
		? "Lower the session timeout of the server's TLS library (MariaDB/MySQL use "
		  "OpenSSL's default of 7200 s) or turn tickets off, and rotate the ticket keys."
		: "Lower the TLS session/ticket timeout (e.g. nginx ssl_session_timeout, OpenSSL "
		  "SSL_CTX_set_timeout) to hours, not days, and rotate the ticket keys.",
	    tls13 && t->lifetime_s > HY_TICKET_MAX_TLS13
		? "Session tickets valid for %ld days (beyond RFC 8446's 7-day maximum)"
		: "Session tickets valid for %ld days",
	    t->lifetime_s / 86400);
}

static const struct dbtls_check chk_ticket = {
    .id = "hygiene.ticket-lifetime",
    .title = "Session tickets with an absurd lifetime",
    .description = "The server's session ticket lifetime hint is longer than the profile allows "
		   "(max_ticket_lifetime_s; default 7 days, RFC 8446's ceiling for TLS 1.3, "
		   "applied to TLS 1.2 hints too). A ticket is a key to the session: as long as it "
		   "and its ticket-encryption key live, a stolen key decrypts recorded traffic, "
		   "which undoes forward secrecy (RFC 9325 §3.4). A TLS 1.3 hint above 604800 s "
		   "also breaks RFC 8446 §4.6.1 (clients then cap it).",
    .fix = "Limit the session/ticket timeout to hours and rotate the ticket keys.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = hy_ticket_refs,
    .eval = hy_ticket,
};

const struct dbtls_check *const dbtls_checks_hygiene[] = {
    &chk_reneg, &chk_ems, &chk_comp, &chk_scsv,	  &chk_etm, &chk_heartbleed,
    &chk_ccs,	&chk_dh,  &chk_pq,   &chk_ticket, NULL,
};
