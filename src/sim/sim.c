/* SPDX-License-Identifier: MIT */
/*
 * sim.c — the handshake a client profile would have with an endpoint (see sim.h), step by step
 * as a server (OpenSSL's, which MariaDB, MySQL and PostgreSQL use) decides it: the highest common
 * version; then the suite (the server's first the client offers when it enforces its order, else
 * the client's first it accepts), where an ECDHE suite needs a common group; then the key share
 * group; then what the client checks: DH size, the certificate's key and signature, and, when it
 * verifies, the chain and host name. A fact the scan did not collect makes the outcome "unknown",
 * never "connects".
 */
#include "src/sim/sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"

static bool sim_has16(const uint16_t *a, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

static bool sim_has32(const uint32_t *a, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

bool dbtls_sim_versions_parse(const char *s, bool v[DBTLS_NVERSIONS])
{
	char tok[32];
	size_t n;

	memset(v, 0, sizeof(bool) * DBTLS_NVERSIONS);
	while (*s) {
		bool ok = false;

		s += strspn(s, ", :");
		n = strcspn(s, ", :");
		if (n == 0)
			break;
		if (n >= sizeof(tok))
			return false;
		memcpy(tok, s, n);
		tok[n] = '\0';
		s += n;
		for (int k = 0; k < DBTLS_NVERSIONS; k++)
			if (strcasecmp(tok, dbtls_version_name((enum dbtls_version)k)) == 0)
				v[k] = ok = true;
		if (!ok)
			return false;
	}
	return true;
}

/* The outcome being built; the strings are copied into *out at the end. */
struct sim_res {
	const char *outcome;
	char version[16];
	char suite[96];
	char group[32];
	char reason[400];
};

static void sim_fail(struct sim_res *r, const char *outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sim_fail(struct sim_res *r, const char *outcome, const char *fmt, ...)
{
	va_list ap;

	r->outcome = outcome;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* Does the client accept a certificate key of this kind for this version? */
static bool sim_key_ok(const struct dbtls_client_profile *p, const struct dbtls_cert *leaf,
		       enum dbtls_version v)
{
	static const struct {
		const char *curve;
		uint16_t group, sig13;
	} ec[] = {{"prime256v1", 0x0017, 0x0403},
		  {"secp384r1", 0x0018, 0x0503},
		  {"secp521r1", 0x0019, 0x0603}};
	bool pre12 = v < DBTLS_TLS12 || p->nsigalgs == 0;

	if (!leaf->key_type)
		return true;
	if (strcmp(leaf->key_type, "RSA") == 0) {
		if (pre12)
			return true;
		for (size_t i = 0; i < p->nsigalgs; i++) {
			uint16_t s = p->sigalgs[i];

			if (v == DBTLS_TLS13 ? (s >= 0x0804 && s <= 0x0806)
					     : ((s & 0xff) == 0x01 || (s >= 0x0804 && s <= 0x0806)))
				return true;
		}
		return false;
	}
	if (strcmp(leaf->key_type, "EC") == 0) {
		for (size_t k = 0; k < sizeof(ec) / sizeof(ec[0]); k++) {
			if (!leaf->curve || strcmp(leaf->curve, ec[k].curve) != 0)
				continue;
			if (v == DBTLS_TLS13)
				return sim_has16(p->sigalgs, p->nsigalgs, ec[k].sig13);
			/* RFC 8422 §5.1: a TLS <= 1.2 client's ECDSA curves are its groups */
			if (p->ngroups && !sim_has16(p->groups, p->ngroups, ec[k].group))
				return false;
			if (pre12)
				return true;
			for (size_t i = 0; i < p->nsigalgs; i++)
				if ((p->sigalgs[i] & 0xff) == 0x03)
					return true;
			return false;
		}
		return false; /* a curve no client here knows (brainpool …) */
	}
	if (strcmp(leaf->key_type, "ED25519") == 0)
		return v >= DBTLS_TLS12 && sim_has16(p->sigalgs, p->nsigalgs, 0x0807);
	if (strcmp(leaf->key_type, "ED448") == 0)
		return v >= DBTLS_TLS12 && sim_has16(p->sigalgs, p->nsigalgs, 0x0808);
	return false;
}

/* The suite's authentication fits the leaf key (TLS <= 1.2; TLS 1.3 suites fit any key). */
static bool sim_auth_fits(const struct dbtls_suite *s, const struct dbtls_cert *leaf)
{
	if (!leaf || !leaf->key_type || (s->flags & DBTLS_SF_TLS13))
		return true;
	if (strcmp(leaf->key_type, "RSA") == 0)
		return strcmp(s->auth, "RSA") == 0;
	if (strcmp(leaf->key_type, "EC") == 0)
		return strcmp(s->auth, "ECDSA") == 0;
	return false;
}

enum dbtls_err dbtls_sim_run(const struct dbtls_endpoint_facts *e,
			     const struct dbtls_client_profile *p,
			     const struct dbtls_sim_proposal *pr, struct dbtls_client_sim *out)
{
	struct sim_res r = {.outcome = "unknown"};
	const struct dbtls_cert *certs = pr && pr->certs ? pr->certs : e->certs;
	size_t ncerts = pr && pr->certs ? pr->ncerts : e->ncerts;
	const struct dbtls_cert *leaf = ncerts ? &certs[0] : NULL;
	const struct dbtls_version_facts *vf;
	const uint32_t *ss;
	size_t nss;
	uint32_t pick = 0;
	uint16_t group = 0;
	int v = -1;
	char hex[16], buf[128];
	const char *note = NULL;
	bool server_versions[DBTLS_NVERSIONS];
	const struct dbtls_suite *su;

	memset(out, 0, sizeof(*out));
	if (!dbtls_endpoint_scanned(e) || e->tls_offered != 1) {
		if (e->tls_offered == 0)
			sim_fail(&r, "fails", "the server offers no TLS");
		else
			sim_fail(&r, "unknown", "the endpoint was not scanned completely");
		goto done;
	}
	/* 1. the version: the highest both have */
	for (int k = 0; k < DBTLS_NVERSIONS; k++)
		server_versions[k] =
		    pr && pr->has_versions
			? pr->versions[k] && e->versions[k].status != DBTLS_VS_NOT_PROBED
			: e->versions[k].status == DBTLS_VS_ACCEPTED;
	for (int k = DBTLS_NVERSIONS - 1; k >= 0 && v < 0; k--)
		if (server_versions[k] && p->versions[k])
			v = k;
	if (v < 0) {
		char sv[64] = "", cv[64] = "";

		for (int k = 0; k < DBTLS_NVERSIONS; k++) {
			if (server_versions[k])
				snprintf(sv + strlen(sv), sizeof(sv) - strlen(sv), "%s%s",
					 sv[0] ? " " : "",
					 dbtls_version_name((enum dbtls_version)k));
			if (p->versions[k])
				snprintf(cv + strlen(cv), sizeof(cv) - strlen(cv), "%s%s",
					 cv[0] ? " " : "",
					 dbtls_version_name((enum dbtls_version)k));
		}
		sim_fail(&r, "fails", "no common version (server: %s; client: %s)",
			 sv[0] ? sv : "none", cv);
		goto done;
	}
	snprintf(r.version, sizeof(r.version), "%s", dbtls_version_name((enum dbtls_version)v));
	/* 2. the suite */
	vf = &e->versions[v];
	ss = vf->suites;
	nss = vf->nsuites;
	if (pr && pr->suites && v < DBTLS_TLS13) {
		ss = pr->suites;
		nss = pr->nsuites;
	}
	if (!ss || nss == 0) {
		sim_fail(&r, "unknown",
			 "the scan has no suite list for %s (not enumerated, or not accepted now)",
			 r.version);
		goto done;
	}
	{
		/* whether the server enforces its order is a setting of its own that a new cipher
		 * string does not change: take it from the version, else from any probed one */
		int order = vf->server_order;

		for (int k = DBTLS_NVERSIONS - 1;
		     k >= 0 && order < 0 && vf->status != DBTLS_VS_ACCEPTED; k--)
			if (e->versions[k].status == DBTLS_VS_ACCEPTED)
				order = e->versions[k].server_order;
		bool server_first = order == 1;
		const uint32_t *a = server_first ? ss : p->suites;
		size_t na = server_first ? nss : p->nsuites;
		const uint32_t *b = server_first ? p->suites : ss;
		size_t nb = server_first ? p->nsuites : nss;

		for (size_t i = 0; i < na && !pick; i++) {
			su = dbtls_suite_lookup(a[i]);
			if (!sim_has32(b, nb, a[i]) || !su)
				continue;
			if (((su->flags & DBTLS_SF_TLS13) != 0) != (v == DBTLS_TLS13))
				continue;
			if (v < DBTLS_TLS12 && (su->flags & DBTLS_SF_TLS12))
				continue;
			/* an expanded cipher string lists every authentication; the key decides */
			if (((pr && pr->certs) || ss != vf->suites) && !sim_auth_fits(su, leaf))
				continue;
			/* an anonymous suite is never what a verifying driver gets; none offers one
			 */
			/* an ECDHE suite needs a group both have (RFC 8422 §5.1) */
			if (strcmp(su->kx, "ECDHE") == 0 && e->ngroups && p->ngroups) {
				bool common = false;

				for (size_t g = 0; g < p->ngroups; g++)
					common |= sim_has16(e->groups, e->ngroups, p->groups[g]);
				if (!common)
					continue;
			}
			pick = a[i];
		}
		if (order < 0)
			note = "server order unknown: the client's order assumed";
	}
	if (!pick) {
		sim_fail(&r, "fails", "no common suite in %s", r.version);
		goto done;
	}
	su = dbtls_suite_lookup(pick);
	snprintf(r.suite, sizeof(r.suite), "%s", dbtls_suite_label(pick, hex, sizeof(hex)));
	/* 3. the group */
	if (v == DBTLS_TLS13 || strcmp(su->kx, "ECDHE") == 0) {
		if (!e->ngroups) {
			sim_fail(&r, "unknown", "the scan has no group list");
			goto done;
		}
		/* a key share the server takes first (no HelloRetryRequest), then the client's
		 * order
		 */
		for (size_t i = 0; v == DBTLS_TLS13 && i < p->nkey_shares && !group; i++)
			if (sim_has16(e->groups, e->ngroups, p->key_shares[i]))
				group = p->key_shares[i];
		for (size_t i = 0; i < p->ngroups && !group; i++)
			if (sim_has16(e->groups, e->ngroups, p->groups[i]))
				group = p->groups[i];
		if (!group) {
			sim_fail(&r, "fails", "group unsupported: no key-exchange group in common");
			goto done;
		}
		snprintf(r.group, sizeof(r.group), "%s",
			 dbtls_group_label(group, buf, sizeof(buf)));
	} else if (strcmp(su->kx, "DHE") == 0) {
		if (e->dh_bits <= 0) {
			sim_fail(&r, "unknown", "DHE suite %s, DH size not known", r.suite);
			goto done;
		}
		snprintf(r.group, sizeof(r.group), "DH %d", e->dh_bits);
		snprintf(buf, sizeof(buf), "%d bits", e->dh_bits);
		if (p->dh_min_bits && e->dh_bits < p->dh_min_bits) {
			sim_fail(&r, "fails", "DH too small for it (%s with %s)", buf, r.suite);
			goto done;
		}
		if (p->dh_max_bits && e->dh_bits > p->dh_max_bits) {
			sim_fail(&r, "fails", "DH too large for it (%s with %s)", buf, r.suite);
			goto done;
		}
	}
	/* 4. the certificate */
	if (!leaf) {
		sim_fail(&r, "unknown", "the scan has no certificate");
		goto done;
	}
	if (!sim_key_ok(p, leaf, (enum dbtls_version)v)) {
		snprintf(buf, sizeof(buf), "%s %d%s%s", leaf->key_type ? leaf->key_type : "?",
			 leaf->key_bits, leaf->curve ? " " : "", leaf->curve ? leaf->curve : "");
		sim_fail(&r, "fails", "certificate key unsupported (%s in %s)", buf, r.version);
		goto done;
	}
	if (p->verify != DBTLS_CV_NONE || p->limits_always) {
		for (size_t i = 0; i < ncerts; i++) {
			const struct dbtls_cert *c = &certs[i];

			if (!c->key_type || strcmp(c->key_type, "RSA") != 0)
				continue;
			snprintf(buf, sizeof(buf), "RSA %d of %s", c->key_bits,
				 c->subject ? c->subject : "?");
			if ((p->rsa_min_bits && c->key_bits < p->rsa_min_bits) ||
			    (p->rsa_max_bits && c->key_bits > p->rsa_max_bits)) {
				sim_fail(&r, "fails",
					 "certificate key size outside its limits (%s)", buf);
				goto done;
			}
		}
	}
	if (p->verify == DBTLS_CV_NONE) {
		r.outcome = "connects_unverified";
		snprintf(r.reason, sizeof(r.reason), "%s",
			 "does not verify the certificate by default: any server, or a man in the "
			 "middle, gets the connection");
		goto done;
	}
	/* 5. the issuers' keys sign the chain: a verifying client must know their signatures */
	for (size_t i = 1; i < ncerts; i++) {
		const struct dbtls_cert *c = &certs[i];

		if (!c->key_type || strcmp(c->key_type, "EC") != 0)
			continue;
		if (!sim_key_ok(p, c, (enum dbtls_version)v)) {
			snprintf(buf, sizeof(buf), "EC %s of %s", c->curve ? c->curve : "?",
				 c->subject ? c->subject : "?");
			sim_fail(&r, "fails", "certificate signature unsupported (%s)", buf);
			goto done;
		}
	}
	/* 6. verification: of a proposed chain against its bundle, or as the scan found it */
	if (pr && pr->certs) {
		if (pr->chain_verifies < 0) {
			sim_fail(
			    &r, "unknown",
			    "handshake fits; whether %s trusts the proposed chain is not known "
			    "(no ca_bundle in the proposal)",
			    p->name);
		} else if (pr->chain_verifies == 0) {
			sim_fail(
			    &r, "fails",
			    "the proposed chain does not verify against the proposed CA bundle: "
			    "%s",
			    pr->chain_error ? pr->chain_error : "?");
		} else if (pr->ca_private && p->trust_store &&
			   strcmp(p->trust_store, "configured") != 0) {
			sim_fail(
			    &r, "fails",
			    "CA not in that client's default trust store (%s): it connects only "
			    "once given the proposed CA bundle",
			    p->trust_store);
		} else {
			r.outcome = "connects";
		}
		goto done;
	}
	if (!e->verification.done) {
		sim_fail(&r, "unknown", "handshake fits; the chain was not verified by the scan");
		goto done;
	}
	if (!e->verification.ca_ok) {
		sim_fail(&r, "fails", "certificate does not verify: %s",
			 e->verification.error ? e->verification.error : "?");
		goto done;
	}
	if (p->verify == DBTLS_CV_IDENTITY && !e->verification.hostname_ok) {
		sim_fail(&r, "fails", "host name does not match the certificate (%s)",
			 e->verification.hostname_checked ? e->verification.hostname_checked : "?");
		goto done;
	}
	if (e->verification.ca_source && strcmp(e->verification.ca_source, "system") != 0 &&
	    p->trust_store && strcmp(p->trust_store, "configured") != 0) {
		sim_fail(&r, "fails",
			 "CA not in that client's default trust store (%s): it connects only once "
			 "given the CA (%s)",
			 p->trust_store, e->verification.ca_source);
		goto done;
	}
	r.outcome = "connects";
	if (note)
		snprintf(r.reason, sizeof(r.reason), "%s", note);
done:
	out->client = strdup(p->name);
	out->config = strdup(pr ? "proposed" : "current");
	out->outcome = strdup(r.outcome);
	/* what the server would pick is kept when the client then refuses it (DH, certificate) */
	out->version = r.version[0] ? strdup(r.version) : NULL;
	out->suite = r.suite[0] ? strdup(r.suite) : NULL;
	out->group = r.group[0] ? strdup(r.group) : NULL;
	out->reason = r.reason[0] ? strdup(r.reason) : NULL;
	if (!out->client || !out->config || !out->outcome) {
		dbtls_client_sim_free(out);
		return DBTLS_ERR_NOMEM;
	}
	return DBTLS_OK;
}
