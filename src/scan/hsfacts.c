/* SPDX-License-Identifier: MIT */
/*
 * hsfacts.c — the handshake facts (see hsfacts.h): what the enumeration's own ServerHellos
 * told, folded and judged, and the few probes that need a connection of their own (the early
 * CCS, Heartbleed, the fallback SCSV, the post-quantum HRR preference, and on request the
 * signature schemes), each chosen from what the enumeration found so that nothing is probed that
 * cannot answer.
 */
#include "src/scan/hsfacts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"
#include "src/wire/handshake.h"
#include "src/wire/probes.h"

#define SCSV_FALLBACK 0x5600

static bool hs_accepted(const struct dbtls_endpoint_facts *f, enum dbtls_version v)
{
	return f->versions[v].status == DBTLS_VS_ACCEPTED;
}

static bool hs_has_group(const struct dbtls_endpoint_facts *f, uint16_t g)
{
	for (size_t i = 0; i < f->ngroups; i++)
		if (f->groups[i] == g)
			return true;
	return false;
}

static bool hs_push16(uint16_t **v, size_t *n, uint16_t x)
{
	uint16_t *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return false;
	nv[(*n)++] = x;
	*v = nv;
	return true;
}

static bool hs_push_str(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return false;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return false;
	(*n)++;
	return true;
}

/* One connection through the seam: the flight of hello p, then (when more is not NULL) a probe
 * on the same connection. */
typedef enum dbtls_err (*hs_more_fn)(struct dbtls_conn *c, const struct dbtls_flight *fl, void *arg,
				     struct dbtls_diag *d);

static enum dbtls_err hs_flight(const struct dbtls_hsfacts_io *io,
				const struct dbtls_hello_params *p, struct dbtls_flight *fl,
				hs_more_fn more, void *arg, struct dbtls_diag *d)
{
	struct dbtls_conn c;
	enum dbtls_err err;

	err = io->open(io->ctx, &c, d);
	if (err)
		return err;
	err = dbtls_probe_flight(&c, io->pre, p, fl, d);
	if (!err && more && fl->complete)
		err = more(&c, fl, arg, d);
	io->close(io->ctx, &c);
	return err;
}

/* TLS 1.3: for each accepted PQ group, a hello listing it and x25519 with an x25519 share only.
 * A HelloRetryRequest for the PQ group means the server pays a round trip to get it. */
enum dbtls_err dbtls_hsfacts_groups13(const struct dbtls_hsfacts_io *io, uint32_t *const cands[],
				      const size_t ncands[], struct dbtls_endpoint_facts *f,
				      struct dbtls_diag *d)
{
	struct dbtls_groups13_facts *g = &f->groups13;
	uint16_t x25519 = DBTLS_GROUP_X25519;
	struct dbtls_hello_result r;
	enum dbtls_err err;

	if (f->groups_version != DBTLS_TLS13)
		return DBTLS_OK;
	g->probed = true;
	if (!hs_has_group(f, DBTLS_GROUP_X25519))
		return DBTLS_OK;
	for (size_t i = 0; i < f->ngroups; i++) {
		uint16_t offer[2] = {f->groups[i], DBTLS_GROUP_X25519};
		struct dbtls_hello_params p = {.version = DBTLS_TLS13,
					       .suites = cands[DBTLS_TLS13],
					       .nsuites = ncands[DBTLS_TLS13],
					       .groups = offer,
					       .ngroups = 2,
					       .key_shares = &x25519,
					       .nkey_shares = 1,
					       .sni = io->sni};

		if (!dbtls_group_is_pq(f->groups[i]))
			continue;
		err = io->probe(io->ctx, &p, &r, d);
		if (err)
			return err;
		if (!hs_push16(&g->hrr_tested, &g->nhrr_tested, f->groups[i]))
			return DBTLS_ERR_NOMEM;
		if (r.kind == DBTLS_HELLO_HRR && r.group == f->groups[i] &&
		    !hs_push16(&g->hrr, &g->nhrr, f->groups[i]))
			return DBTLS_ERR_NOMEM;
	}
	return DBTLS_OK;
}

static bool hs_cbc(uint32_t code)
{
	const struct dbtls_suite *s = code <= 0xffff ? dbtls_suite_by_code((uint16_t)code) : NULL;
	return s && strstr(s->iana_name, "_CBC_") != NULL;
}

/* An ephemeral key exchange whose ServerKeyExchange the server signs. */
static bool hs_signed_kx(uint32_t code)
{
	const struct dbtls_suite *s = code <= 0xffff ? dbtls_suite_by_code((uint16_t)code) : NULL;
	return s && !(s->flags & DBTLS_SF_ANON) &&
	       (strcmp(s->kx, "DHE") == 0 || strcmp(s->kx, "ECDHE") == 0);
}

/* Accepted suites of v that pass keep (all of them when keep is NULL), into a new array. */
static uint32_t *hs_suites(const struct dbtls_endpoint_facts *f, enum dbtls_version v,
			   bool (*keep)(uint32_t), size_t extra, size_t *n)
{
	const struct dbtls_version_facts *vf = &f->versions[v];
	uint32_t *out = malloc((vf->nsuites + extra + 1) * sizeof(*out));

	*n = 0;
	for (size_t i = 0; out && i < vf->nsuites; i++)
		if (!keep || keep(vf->suites[i]))
			out[(*n)++] = vf->suites[i];
	return out;
}

struct hs_ccs_arg {
	const struct dbtls_hsfacts_io *io;
	struct dbtls_vuln_facts *vulns;
};

void dbtls_hsfacts_note(struct dbtls_hsfacts_seen *s, const struct dbtls_hello_result *r)
{
	if (r->kind != DBTLS_HELLO_SERVER_HELLO)
		return;
	if (!s->seen)
		s->encrypt_then_mac = -1;
	s->seen = true;
	s->renegotiation_info |= r->secure_renegotiation;
	s->extended_master_secret |= r->extended_master_secret;
	s->session_ticket |= r->session_ticket;
	s->status_request |= r->status_request;
	s->heartbeat |= r->heartbeat;
	s->compression |= r->compression != 0;
	/* encrypt_then_mac is only ever negotiated with a CBC suite */
	if (hs_cbc(r->cipher))
		s->encrypt_then_mac = s->encrypt_then_mac == 1 || r->encrypt_then_mac;
}

void dbtls_hsfacts_hygiene(const struct dbtls_hsfacts_seen seen[DBTLS_NVERSIONS],
			   struct dbtls_endpoint_facts *f)
{
	struct dbtls_hygiene_facts *h = &f->hygiene;
	const struct dbtls_hsfacts_seen *s;
	int v, hi = -1;

	for (v = DBTLS_SSL3; v <= DBTLS_TLS12; v++)
		if (hs_accepted(f, (enum dbtls_version)v))
			hi = v;
	if (hi < 0 || !seen[hi].seen)
		return;
	s = &seen[hi];
	h->probed = true;
	h->version = hi;
	h->secure_renegotiation = s->renegotiation_info;
	h->extended_master_secret = s->extended_master_secret;
	h->session_ticket = s->session_ticket;
	/* what the server was not offered (it refused the extras) stays unknown */
	h->encrypt_then_mac = s->bare ? -1 : s->encrypt_then_mac;
	h->status_request = s->bare ? -1 : s->status_request;
	h->compression = s->bare ? -1 : s->compression;
	h->heartbeat = s->bare ? -1 : s->heartbeat;
}

static enum dbtls_err hs_ccs_more(struct dbtls_conn *c, const struct dbtls_flight *fl, void *arg,
				  struct dbtls_diag *d)
{
	struct hs_ccs_arg *a = arg;
	enum dbtls_vuln_verdict v;
	char detail[200];
	enum dbtls_err err;

	err = dbtls_probe_ccs(c, fl->hello.version, a->io->wait_ms, &v, detail, sizeof(detail), d);
	if (err)
		return err;
	a->vulns->ccs_injection = (int)v;
	free(a->vulns->ccs_detail);
	a->vulns->ccs_detail = strdup(detail);
	return DBTLS_OK;
}

static enum dbtls_err hs_hb_more(struct dbtls_conn *c, const struct dbtls_flight *fl, void *arg,
				 struct dbtls_diag *d)
{
	struct hs_ccs_arg *a = arg;
	enum dbtls_vuln_verdict v;
	char detail[200];
	enum dbtls_err err;

	if (!fl->hello.heartbeat) {
		snprintf(detail, sizeof(detail),
			 "heartbeat not negotiated on the second connection");
		v = DBTLS_VULN_NO;
	} else {
		err = dbtls_probe_heartbleed(c, fl->hello.version, a->io->wait_ms, &v, detail,
					     sizeof(detail), d);
		if (err)
			return err;
	}
	a->vulns->heartbleed = (int)v;
	free(a->vulns->heartbleed_detail);
	a->vulns->heartbleed_detail = strdup(detail);
	return DBTLS_OK;
}

/* The well-known primes a DHE server may serve, by name. */
void dbtls_hsfacts_dh_prime(const uint8_t *pb, size_t n, struct dbtls_vuln_facts *v)
{
	static const struct {
		const char *name;
		BIGNUM *(*get)(BIGNUM *);
	} modp[] = {
	    {"RFC 2409 Oakley group 1 (768-bit MODP)", BN_get_rfc2409_prime_768},
	    {"RFC 2409 Oakley group 2 (1024-bit MODP)", BN_get_rfc2409_prime_1024},
	    {"RFC 3526 group 5 (1536-bit MODP)", BN_get_rfc3526_prime_1536},
	    {"RFC 3526 group 14 (2048-bit MODP)", BN_get_rfc3526_prime_2048},
	    {"RFC 3526 group 15 (3072-bit MODP)", BN_get_rfc3526_prime_3072},
	    {"RFC 3526 group 16 (4096-bit MODP)", BN_get_rfc3526_prime_4096},
	};
	static const char *const ffdhe[] = {"ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144",
					    "ffdhe8192"};
	BIGNUM *p = BN_bin2bn(pb, (int)n, NULL), *q = NULL, *k = NULL, *pm1 = NULL;
	BN_CTX *ctx = BN_CTX_new();
	char name[64];

	if (!p || !ctx)
		goto out;
	v->dh_bits = BN_num_bits(p);
	for (size_t i = 0; !v->dh_prime_name && i < sizeof(modp) / sizeof(modp[0]); i++) {
		k = modp[i].get(NULL);
		if (k && BN_cmp(k, p) == 0)
			v->dh_prime_name = strdup(modp[i].name);
		BN_free(k);
		k = NULL;
	}
	for (size_t i = 0; !v->dh_prime_name && i < sizeof(ffdhe) / sizeof(ffdhe[0]); i++) {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
		EVP_PKEY *pk = NULL;

		if (pc && EVP_PKEY_paramgen_init(pc) > 0 &&
		    EVP_PKEY_CTX_set_group_name(pc, ffdhe[i]) > 0 &&
		    EVP_PKEY_paramgen(pc, &pk) > 0 &&
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_P, &k) && BN_cmp(k, p) == 0) {
			snprintf(name, sizeof(name), "RFC 7919 %s", ffdhe[i]);
			v->dh_prime_name = strdup(name);
		}
		BN_free(k);
		k = NULL;
		EVP_PKEY_free(pk);
		EVP_PKEY_CTX_free(pc);
	}
	if (v->dh_prime_name) { /* the published groups are safe primes */
		v->dh_prime_prime = 1;
		v->dh_prime_safe = 1;
		goto out;
	}
	/* q = (p-1)/2 first: when q is prime, p = 2q+1 is prime exactly when 2^(p-1) = 1 mod p
	 * (Pocklington: q | p-1, q > sqrt(p), and gcd(2^2-1, p) = 1 for p > 3), one modular
	 * exponentiation instead of a second full test; a default scan judges every DHE prime */
	v->dh_prime_prime = 0;
	v->dh_prime_safe = 0;
	if (BN_is_odd(p) && BN_num_bits(p) > 2 && (q = BN_dup(p)) && BN_sub_word(q, 1) &&
	    BN_rshift1(q, q) && BN_check_prime(q, ctx, NULL) == 1 && (k = BN_new()) &&
	    (pm1 = BN_dup(p)) && BN_sub_word(pm1, 1) && BN_set_word(k, 2) &&
	    BN_mod_exp(k, k, pm1, p, ctx) && BN_is_one(k) && BN_mod_word(p, 3) != 0) {
		v->dh_prime_prime = 1;
		v->dh_prime_safe = 1;
		goto out;
	}
	v->dh_prime_prime = BN_check_prime(p, ctx, NULL) == 1;
out:
	BN_free(pm1);
	BN_free(k);
	BN_free(q);
	BN_free(p);
	BN_CTX_free(ctx);
}

/* TLS 1.2 ServerKeyExchange schemes: offer all, note the pick, remove it, until refused. */
static enum dbtls_err hs_sigalgs12(const struct dbtls_hsfacts_io *io,
				   struct dbtls_endpoint_facts *f, struct dbtls_diag *d)
{
	static const uint16_t all[] = {
	    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809,
	    0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402,
	    0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x081a, 0x081b, 0x081c,
	};
	uint16_t left[sizeof(all) / sizeof(all[0])];
	size_t nleft = sizeof(all) / sizeof(all[0]), ns = 0;
	struct dbtls_flight *fl = NULL;
	uint32_t *suites = NULL;
	enum dbtls_err err = DBTLS_OK;
	char hex[8];

	if (!hs_accepted(f, DBTLS_TLS12))
		return DBTLS_OK;
	suites = hs_suites(f, DBTLS_TLS12, hs_signed_kx, 0, &ns);
	fl = malloc(sizeof(*fl));
	if (!suites || !fl) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	if (!ns)
		goto out; /* no signed key exchange to read a scheme from */
	memcpy(left, all, sizeof(all));
	f->sigalgs.probed = true;
	while (nleft) {
		struct dbtls_hello_params p = {.version = DBTLS_TLS12,
					       .suites = suites,
					       .nsuites = ns,
					       .sni = io->sni,
					       .sigalgs = left,
					       .nsigalgs = nleft};
		size_t o = 0;

		err = hs_flight(io, &p, fl, NULL, NULL, d);
		if (err || fl->hello.kind != DBTLS_HELLO_SERVER_HELLO || !fl->ske_sigalg)
			break;
		for (size_t i = 0; i < nleft; i++)
			if (left[i] != fl->ske_sigalg)
				left[o++] = left[i];
		if (o == nleft) /* a scheme we did not offer: stop rather than loop */
			break;
		nleft = o;
		if (!hs_push_str(&f->sigalgs.tls12, &f->sigalgs.ntls12,
				 dbtls_sigalg_label(fl->ske_sigalg, hex, sizeof(hex)))) {
			err = DBTLS_ERR_NOMEM;
			break;
		}
	}
out:
	free(fl);
	free(suites);
	return err;
}

/* TLS 1.3 CertificateVerify schemes: full handshakes offering the rest, as for TLS 1.2. */
static enum dbtls_err hs_sigalgs13(const struct dbtls_hsfacts_io *io,
				   struct dbtls_endpoint_facts *f, struct dbtls_diag *d)
{
	static const uint16_t all[] = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804,
				       0x0805, 0x0806, 0x0809, 0x080a, 0x080b};
	uint16_t left[sizeof(all) / sizeof(all[0])], picked;
	size_t nleft = sizeof(all) / sizeof(all[0]);
	enum dbtls_err err = DBTLS_OK;
	struct dbtls_conn c;
	char hex[8];

	if (!hs_accepted(f, DBTLS_TLS13) || !io->open)
		return DBTLS_OK;
	memcpy(left, all, sizeof(all));
	while (nleft) {
		size_t o = 0;

		err = io->open(io->ctx, &c, d);
		if (err)
			return err;
		err = dbtls_handshake_sigalg13(&c, io->sni, 0, left, nleft, &picked, d);
		io->close(io->ctx, &c);
		if (err || !picked)
			break;
		for (size_t i = 0; i < nleft; i++)
			if (left[i] != picked)
				left[o++] = left[i];
		if (o == nleft)
			break;
		nleft = o;
		f->sigalgs.tls13_probed = true;
		if (!hs_push_str(&f->sigalgs.tls13, &f->sigalgs.ntls13,
				 dbtls_sigalg_label(picked, hex, sizeof(hex))))
			return DBTLS_ERR_NOMEM;
	}
	/* the first handshake offered everything: a refusal there says nothing about schemes
	 * (a PQ-only server, say), so the list stays unknown rather than empty */
	f->sigalgs.probed |= f->sigalgs.tls13_probed;
	return err == DBTLS_ERR_INPUT ? DBTLS_OK : err;
}

enum dbtls_err dbtls_hsfacts_flight(const struct dbtls_hsfacts_io *io, enum dbtls_version v,
				    const uint32_t *suites, size_t nsuites, bool extras,
				    bool heartbeat, struct dbtls_vuln_facts *vout,
				    struct dbtls_client_auth_facts *ca, struct dbtls_diag *d)
{
	struct hs_ccs_arg arg = {.io = io, .vulns = vout};
	struct dbtls_flight *fl = malloc(sizeof(*fl));
	struct dbtls_hello_params p = {.version = v,
				       .suites = suites,
				       .nsuites = nsuites,
				       .sni = io->sni,
				       .status_request = extras,
				       .encrypt_then_mac = extras,
				       .heartbeat = heartbeat};
	enum dbtls_err err;
	char hex[8];

	if (!fl)
		return DBTLS_ERR_NOMEM;
	vout->ccs_injection = vout->heartbleed = -1;
	/* the client certificate request, the early CCS (CVE-2014-0224): one connection */
	err = hs_flight(io, &p, fl, hs_ccs_more, &arg, d);
	if (err)
		goto out;
	if (fl->complete) {
		memset(ca, 0, sizeof(*ca));
		ca->probed = true;
		ca->requested = fl->cert_request;
		for (size_t i = 0; i < fl->nca_names; i++)
			if (!hs_push_str(&ca->ca_names, &ca->nca_names, fl->ca_names[i]))
				err = DBTLS_ERR_NOMEM;
		for (size_t i = 0; i < fl->nreq_sigalgs; i++)
			if (!hs_push_str(&ca->sigalgs, &ca->nsigalgs,
					 dbtls_sigalg_label(fl->req_sigalgs[i], hex, sizeof(hex))))
				err = DBTLS_ERR_NOMEM;
		if (err)
			goto out;
	}
	/* Heartbleed: only where the heartbeat extension is negotiated */
	if (!heartbeat) {
		vout->heartbleed = 0;
		vout->heartbleed_detail = strdup("heartbeat extension not negotiated");
		goto out;
	}
	p.status_request = p.encrypt_then_mac = false;
	err = hs_flight(io, &p, fl, hs_hb_more, &arg, d);
out:
	free(fl);
	return err;
}

int dbtls_hsfacts_fallback_version(const enum dbtls_vstatus status[DBTLS_NVERSIONS])
{
	int v, hi = -1;

	for (v = DBTLS_SSL3; v <= DBTLS_TLS12; v++)
		if (status[v] == DBTLS_VS_ACCEPTED)
			hi = v;
	if (hi < 0)
		return -1;
	if (status[DBTLS_TLS13] == DBTLS_VS_ACCEPTED)
		return hi;
	for (v = hi - 1; v >= DBTLS_SSL3; v--)
		if (status[v] == DBTLS_VS_ACCEPTED)
			return v;
	return -1;
}

enum dbtls_err dbtls_hsfacts_fallback(const struct dbtls_hsfacts_io *io, enum dbtls_version lo,
				      const uint32_t *suites, size_t nsuites,
				      struct dbtls_hygiene_facts *h, struct dbtls_diag *d)
{
	uint32_t *all = malloc((nsuites + 1) * sizeof(*all));
	struct dbtls_hello_params p = {
	    .version = lo, .suites = all, .nsuites = nsuites + 1, .sni = io->sni};
	struct dbtls_hello_result r;
	enum dbtls_err err;
	char what[160];

	if (!all)
		return DBTLS_ERR_NOMEM;
	memcpy(all, suites, nsuites * sizeof(*all));
	all[nsuites] = SCSV_FALLBACK;
	err = io->probe(io->ctx, &p, &r, d);
	free(all);
	if (err)
		return err;
	dbtls_hello_describe(&r, what, sizeof(what));
	free(h->fallback_detail);
	h->fallback_detail = strdup(what);
	if (r.kind == DBTLS_HELLO_ALERT && r.alert_desc == 86)
		h->fallback_scsv = 1;
	else if (r.kind == DBTLS_HELLO_SERVER_HELLO)
		h->fallback_scsv = 0;
	return DBTLS_OK;
}

enum dbtls_err dbtls_hsfacts_sigalgs(const struct dbtls_hsfacts_io *io,
				     struct dbtls_endpoint_facts *f, struct dbtls_diag *d)
{
	enum dbtls_err err = hs_sigalgs12(io, f, d);

	return err ? err : hs_sigalgs13(io, f, d);
}

void dbtls_hsfacts_explain_pq(struct dbtls_endpoint_facts *f)
{
	char msg[512];
	bool any = false, only_pq = true;

	if (f->ncerts || f->groups_version != DBTLS_TLS13 || hs_accepted(f, DBTLS_TLS12))
		return;
	for (size_t i = 0; i < f->ngroups; i++) {
		any = true;
		only_pq &= dbtls_group_is_pq(f->groups[i]);
	}
	if (!any || !only_pq)
		return;
	snprintf(msg, sizeof(msg),
		 "the server accepts only post-quantum groups for TLS 1.3 and no TLS 1.2; the "
		 "local TLS library (%s) %s, so the certificate could not be read",
		 OpenSSL_version(OPENSSL_VERSION),
		 OPENSSL_VERSION_NUMBER >= 0x30500000L ? "refused the handshake"
						       : "has no ML-KEM (OpenSSL >= 3.5 has)");
	free(f->groups13.note);
	f->groups13.note = strdup(msg);
	f->groups13.probed = true;
	for (size_t i = 0; i < f->nerrors; i++) {
		char *m;
		if (!f->errors[i].stage || strcmp(f->errors[i].stage, "handshake") != 0)
			continue;
		m = malloc(strlen(f->errors[i].message ? f->errors[i].message : "") + strlen(msg) +
			   3);
		if (!m)
			return;
		sprintf(m, "%s: %s", f->errors[i].message ? f->errors[i].message : "", msg);
		free(f->errors[i].message);
		f->errors[i].message = m;
	}
}
