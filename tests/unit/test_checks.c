/* SPDX-License-Identifier: MIT */
/*
 * test_checks.c — unit tests for the check families (checks/check_*.c) and the registry.
 *
 * Table-driven: every row starts from one hand-built, compliant MariaDB endpoint and a baseline
 * policy with every registered check enabled, applies a facts change and a parameter change, runs
 * the whole registry through dbtls_checks_run() and counts the findings of one check id. Each
 * check has at least one passing and one failing row (test_rows_cover_registry makes sure).
 * Further tests: checks are silent on an endpoint that errored and do not crash on partial facts,
 * cert.expiring turns critical inside cert_crit_days, and the registry is well-formed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "tests/unit/fixtures.h"

#define NOW	 ((time_t)1790000000) /* 2026-09-21T14:13:20Z */
#define DAY	 86400
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- facts builders ---- */

static char *t_strdup(const char *s)
{
	char *p = s ? strdup(s) : NULL;

	assert_true(!s || p);
	return p;
}

static void t_version(struct dbtls_endpoint_facts *f, int v, enum dbtls_vstatus st,
		      const uint32_t *suites, size_t n, int server_order)
{
	struct dbtls_version_facts *vf = &f->versions[v];

	free(vf->suites);
	vf->suites = NULL;
	vf->nsuites = 0;
	vf->status = st;
	vf->server_order = server_order;
	vf->cipher = 0;
	if (n) {
		vf->suites = calloc(n, sizeof(*vf->suites));
		assert_non_null(vf->suites);
		memcpy(vf->suites, suites, n * sizeof(*suites));
		vf->nsuites = n;
		vf->cipher = (uint16_t)suites[0];
	}
	free(vf->reason);
	vf->reason =
	    t_strdup(st == DBTLS_VS_ACCEPTED ? "ServerHello" : "alert handshake_failure (40)");
}

/* Appends one suite to an accepted version's list. */
static void t_add_suite(struct dbtls_endpoint_facts *f, int v, uint32_t code)
{
	struct dbtls_version_facts *vf = &f->versions[v];
	uint32_t *p = realloc(vf->suites, (vf->nsuites + 1) * sizeof(*p));

	assert_non_null(p);
	vf->suites = p;
	vf->suites[vf->nsuites++] = code;
}

static void t_groups(struct dbtls_endpoint_facts *f, const uint16_t *g, size_t n)
{
	free(f->groups);
	f->groups = NULL;
	f->ngroups = 0;
	if (n) {
		f->groups = calloc(n, sizeof(*g));
		assert_non_null(f->groups);
		memcpy(f->groups, g, n * sizeof(*g));
		f->ngroups = n;
	}
}

static struct dbtls_cert *t_cert(struct dbtls_endpoint_facts *f, const char *subject,
				 const char *issuer, const char *key_type, int bits,
				 const char *sig_alg, bool self_signed, time_t nb, time_t na)
{
	struct dbtls_cert *certs = realloc(f->certs, (f->ncerts + 1) * sizeof(*certs));
	struct dbtls_cert *c;

	assert_non_null(certs);
	f->certs = certs;
	c = &certs[f->ncerts++];
	memset(c, 0, sizeof(*c));
	c->subject = t_strdup(subject);
	c->issuer = t_strdup(issuer);
	c->key_type = t_strdup(key_type);
	c->key_bits = bits;
	c->sig_alg = t_strdup(sig_alg);
	c->self_signed = self_signed;
	c->is_ca = f->ncerts > 1;
	c->not_before_t = nb;
	c->not_after_t = na;
	c->days_left = (long)((na - NOW) / DAY);
	snprintf(c->sha256, sizeof(c->sha256), "%064x", (unsigned)f->ncerts);
	return c;
}

static const uint32_t good_tls12[] = {0xC02F, 0xC030};
static const uint32_t good_tls13[] = {0x1301, 0x1302};
static const uint16_t good_groups[] = {0x001d, 0x0017};

/* A compliant MariaDB endpoint: TLS 1.2 and 1.3 with AEAD ECDHE suites in server order,
 * x25519 and secp256r1, a verified RSA-3072 leaf under an intermediate and a root whose own
 * SHA-1 self-signature does not matter. */
static void t_good(struct dbtls_endpoint_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->target = t_strdup("mysql://db1:3306");
	f->protocol = t_strdup("mysql");
	f->host = t_strdup("db1");
	f->port = 3306;
	f->address = t_strdup("192.0.2.10");
	f->server.greeting_seen = true;
	f->server.product = t_strdup("MariaDB");
	f->server.version = t_strdup("5.5.5-10.11.6-MariaDB");
	f->server.tls_offered = true;
	f->tls_offered = 1;
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		t_version(f, v, DBTLS_VS_REJECTED, NULL, 0, -1);
	t_version(f, DBTLS_TLS12, DBTLS_VS_ACCEPTED, good_tls12, NELEM(good_tls12), 1);
	t_version(f, DBTLS_TLS13, DBTLS_VS_ACCEPTED, good_tls13, NELEM(good_tls13), 1);
	t_groups(f, good_groups, NELEM(good_groups));
	f->groups_version = DBTLS_TLS13;
	t_cert(f, "CN=db1", "CN=Int CA", "RSA", 3072, "sha256WithRSAEncryption", false,
	       NOW - 30 * DAY, NOW + 300 * DAY);
	t_cert(f, "CN=Int CA", "CN=Root CA", "RSA", 4096, "sha256WithRSAEncryption", false,
	       NOW - 900 * DAY, NOW + 2000 * DAY);
	t_cert(f, "CN=Root CA", "CN=Root CA", "RSA", 4096, "sha1WithRSAEncryption", true,
	       NOW - 3000 * DAY, NOW + 4000 * DAY);
	f->verification.done = true;
	f->verification.ca_ok = true;
	f->verification.hostname_ok = true;
	f->verification.hostname_checked = t_strdup("db1");
	f->verification.ca_source = t_strdup("system");
	/* a private CA (that happens to be in this machine's store in no way): no CA/B rules */
	f->verification.public_trust.checked = true;
	f->verification.public_trust.anchored = 0;
	f->connections_used = 7;
}

/* ---- policy ---- */

static const uint32_t pin_suites[] = {0x1301, 0x1302, 0xC02F, 0xC030};
static const uint16_t pin_groups[] = {0x0017, 0x001d};
static const uint32_t allowed_suites[] = {0xC02B, 0xC02F, 0xC030, 0x1301, 0x1302, 0x1303};
static const uint16_t allowed_groups[] = {0x001d, 0x0017, 0x0018};
/* t_cert() numbers fingerprints by chain position: the leaf's is 63 zeros and a 1 */
static char leaf_sha256[] = "0000000000000000000000000000000000000000000000000000000000000001";

struct t_policy {
	struct dbtls_policy p;
	struct dbtls_pin pins[2];
};

/* The baseline: every check enabled at its default severity, strict parameters, one pin that
 * matches t_good() exactly. Everything is borrowed from static data but the settings. */
static void t_policy_init(struct t_policy *tp)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);
	struct dbtls_pin *pin = &tp->pins[0];

	memset(tp, 0, sizeof(*tp));
	tp->p.name = "test";
	tp->p.settings = calloc(n, sizeof(*tp->p.settings));
	assert_non_null(tp->p.settings);
	tp->p.nsettings = n;
	for (size_t i = 0; i < n; i++)
		tp->p.settings[i] = (struct dbtls_check_setting){
		    .id = all[i]->id, .enabled = true, .severity = all[i]->default_severity};
	tp->p.params = (struct dbtls_policy_params){
	    .min_version = DBTLS_TLS12,
	    .require_tls13 = true,
	    .forbidden_props = (DBTLS_PROP_SEED_IDEA << 1) - 1, /* all of them */
	    .allowed_suites = (uint32_t *)allowed_suites,
	    .nallowed_suites = NELEM(allowed_suites),
	    .allowed_groups = (uint16_t *)allowed_groups,
	    .nallowed_groups = NELEM(allowed_groups),
	    .min_rsa_bits = 2048,
	    .min_ecc_bits = 256,
	    .min_dh_bits = 2048,
	    .dsa_allowed = false,
	    .forbidden_sig_hashes = DBTLS_HASH_MD5 | DBTLS_HASH_SHA1,
	    .cert_warn_days = 30,
	    .cert_crit_days = 7,
	    .cert_warn_fraction = 0.2,
	    .cert_crit_fraction = 0.05,
	    .cert_warn_min_days = 1,
	    .cert_crit_min_days = 1,
	    .max_validity_days = 398,
	    .require_server_order = true,
	};
	pin->target = "mysql://db1:3306";
	pin->versions_set = 1;
	pin->versions[DBTLS_TLS12] = pin->versions[DBTLS_TLS13] = true;
	pin->suites = (uint32_t *)pin_suites;
	pin->nsuites = NELEM(pin_suites);
	pin->suites_set = 1;
	pin->groups = (uint16_t *)pin_groups;
	pin->ngroups = NELEM(pin_groups);
	pin->groups_set = 1;
	pin->issuer = "CN=Int CA";
	pin->key_type = "RSA 3072";
	pin->leaf_sha256 = leaf_sha256;
	tp->p.pins = tp->pins;
	tp->p.npins = 1;
}

static void t_policy_fini(struct t_policy *tp)
{
	free(tp->p.settings);
}

/* ---- facts changes (one per failing or interesting row) ---- */

static void fx_no_tls(struct dbtls_endpoint_facts *f)
{
	f->tls_offered = 0;
	f->server.tls_offered = false;
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		t_version(f, v, DBTLS_VS_NOT_PROBED, NULL, 0, -1);
	t_groups(f, NULL, 0);
	for (size_t i = 0; i < f->ncerts; i++)
		dbtls_cert_free(&f->certs[i]);
	f->ncerts = 0;
	dbtls_verification_free(&f->verification);
}

static void fx_tls_unknown(struct dbtls_endpoint_facts *f)
{
	fx_no_tls(f);
	f->tls_offered = -1;
}

static void fx_sslv2(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0x010080, 0x0700C0};
	t_version(f, DBTLS_SSL2, DBTLS_VS_ACCEPTED, s, NELEM(s), -1);
}

static void fx_sslv3(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0x002F};
	t_version(f, DBTLS_SSL3, DBTLS_VS_ACCEPTED, s, NELEM(s), -1);
}

static void fx_tls10(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0xC013};
	t_version(f, DBTLS_TLS10, DBTLS_VS_ACCEPTED, s, NELEM(s), -1);
}

static void fx_tls11(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0xC013};
	t_version(f, DBTLS_TLS11, DBTLS_VS_ACCEPTED, s, NELEM(s), -1);
}

static void fx_tls13_rejected(struct dbtls_endpoint_facts *f)
{
	t_version(f, DBTLS_TLS13, DBTLS_VS_REJECTED, NULL, 0, -1);
}

/* PostgreSQL behind a proxy: the ALPN probe's outcomes */
static void fx_alpn(struct dbtls_endpoint_facts *f, enum dbtls_alpn_outcome o, bool required)
{
	f->alpn_probe.probed = true;
	f->alpn_probe.protocol = strdup("postgresql");
	f->alpn_probe.outcome = o;
	f->alpn_probe.required = required;
	f->alpn_probe.detail = strdup("one more handshake offered only \"postgresql\"");
	free(f->protocol);
	f->protocol = strdup(required ? "postgres+direct" : "postgres");
}

static void fx_alpn_selected(struct dbtls_endpoint_facts *f)
{
	fx_alpn(f, DBTLS_ALPN_SELECTED, true);
}

static void fx_alpn_ignored(struct dbtls_endpoint_facts *f)
{
	fx_alpn(f, DBTLS_ALPN_IGNORED, false);
}

static void fx_alpn_ignored_direct(struct dbtls_endpoint_facts *f)
{
	fx_alpn(f, DBTLS_ALPN_IGNORED, true);
}

static void fx_alpn_refused(struct dbtls_endpoint_facts *f)
{
	fx_alpn(f, DBTLS_ALPN_REFUSED, false);
}

static void fx_alpn_unknown(struct dbtls_endpoint_facts *f)
{
	fx_alpn(f, DBTLS_ALPN_UNKNOWN, false);
}

static void fx_tls13_not_probed(struct dbtls_endpoint_facts *f)
{
	t_version(f, DBTLS_TLS13, DBTLS_VS_NOT_PROBED, NULL, 0, -1);
}

static void fx_export(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0x0003, 0x0008, 0x0014, 0x002F};
	t_version(f, DBTLS_TLS10, DBTLS_VS_ACCEPTED, s, NELEM(s), 1);
}

static void fx_anon(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x0018);
}

static void fx_null(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x0001);
}

static void fx_rc4(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x0005);
}

static void fx_des(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x0009);
}

/* 3DES under two versions: evidence newest first, the shared suite counted once */
static void fx_3des(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0x000A, 0x0016};
	t_add_suite(f, DBTLS_TLS12, 0x000A);
	t_version(f, DBTLS_TLS10, DBTLS_VS_ACCEPTED, s, NELEM(s), 1);
}

static void fx_cbc(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0xC013);
}

static void fx_rsa_kx(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x009C);
}

static void fx_static_dh(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x00A0);
}

static void fx_psk(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x008C);
}

static void fx_srp(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0xC01D);
}

static void fx_camellia(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x0041);
}

static void fx_aria(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0xC03C);
}

static void fx_seed_idea(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x0096);
	t_add_suite(f, DBTLS_TLS12, 0x0007);
}

static void fx_dhe_gcm(struct dbtls_endpoint_facts *f)
{
	t_add_suite(f, DBTLS_TLS12, 0x009E);
}

/* An old report: TLS 1.2 accepted, not enumerated, only the probe's pick is known. */
static void fx_probe_cipher_only(struct dbtls_endpoint_facts *f)
{
	struct dbtls_version_facts *vf = &f->versions[DBTLS_TLS12];

	free(vf->suites);
	vf->suites = NULL;
	vf->nsuites = 0;
	vf->cipher = 0x0005;
}

static void fx_client_order(struct dbtls_endpoint_facts *f)
{
	f->versions[DBTLS_TLS12].server_order = 0;
}

static void fx_client_order_one_suite(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0xC02F};
	t_version(f, DBTLS_TLS12, DBTLS_VS_ACCEPTED, s, NELEM(s), 0);
}

static void fx_dh1024(struct dbtls_endpoint_facts *f)
{
	f->dh_bits = 1024;
}

static void fx_dh2048(struct dbtls_endpoint_facts *f)
{
	f->dh_bits = 2048;
}

static void fx_weak_curves(struct dbtls_endpoint_facts *f)
{
	static const uint16_t g[] = {0x001d, 0x0013, 0x0001, 0xFE00 /* unknown: not judged */};
	t_groups(f, g, NELEM(g));
}

static void fx_ffdhe2048(struct dbtls_endpoint_facts *f)
{
	static const uint16_t g[] = {0x001d, 0x0100};
	t_groups(f, g, NELEM(g));
}

static void fx_p521(struct dbtls_endpoint_facts *f)
{
	static const uint16_t g[] = {0x001d, 0x0017, 0x0019};
	t_groups(f, g, NELEM(g));
}

static void fx_untrusted(struct dbtls_endpoint_facts *f)
{
	f->verification.ca_ok = false;
	f->verification.verify_code = 20;
	f->verification.error = t_strdup("unable to get local issuer certificate");
}

static void fx_no_handshake(struct dbtls_endpoint_facts *f)
{
	fx_untrusted(f);
	f->verification.done = false;
	f->verification.hostname_ok = false;
}

static void fx_leaf_expired(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_after_t = NOW - 12 * DAY;
	f->verification.ca_ok = false;
	f->verification.verify_code = 10;
	f->verification.error = t_strdup("certificate has expired");
}

static void fx_int_expired(struct dbtls_endpoint_facts *f)
{
	f->certs[1].not_after_t = NOW - DAY;
}

/* the verifier says "expired" but nothing served is: say so (an expired store root) */
static void fx_expired_unexplained(struct dbtls_endpoint_facts *f)
{
	f->verification.ca_ok = false;
	f->verification.verify_code = 10;
	f->verification.error = t_strdup("certificate has expired");
}

static void fx_hostname(struct dbtls_endpoint_facts *f)
{
	char **sans = calloc(2, sizeof(*sans));

	assert_non_null(sans);
	sans[0] = t_strdup("DNS:db2");
	sans[1] = t_strdup("IP:192.0.2.11");
	f->certs[0].sans = sans;
	f->certs[0].nsans = 2;
	f->verification.hostname_ok = false;
}

static void fx_not_yet(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_before_t = NOW + 2 * DAY;
}

/* CA/Browser Forum limits (cert.cabf-validity): leaf issued at nb, valid for secs */
static void fx_leaf_span(struct dbtls_endpoint_facts *f, time_t nb, time_t secs)
{
	f->certs[0].not_before_t = nb;
	f->certs[0].not_after_t = nb + secs;
}

static void fx_public(struct dbtls_endpoint_facts *f)
{
	f->verification.public_trust.anchored = 1;
	f->verification.public_trust.anchor = t_strdup("CN=Public Root R1");
}

#define T_2026_08_22 ((time_t)1787356800)
#define T_2026_03_01 ((time_t)1772323200)

static void fx_public_330(struct dbtls_endpoint_facts *f)
{
	fx_public(f); /* t_good's leaf: issued 2026-08-22, 330 days */
}

static void fx_public_199(struct dbtls_endpoint_facts *f)
{
	fx_public(f);
	fx_leaf_span(f, T_2026_08_22, 199 * DAY);
}

static void fx_public_200_exact(struct dbtls_endpoint_facts *f)
{
	/* notAfter - notBefore = 200 days is 200 days and one second, inclusive */
	fx_public(f);
	fx_leaf_span(f, T_2026_08_22, 200 * DAY);
}

static void fx_public_200_inclusive(struct dbtls_endpoint_facts *f)
{
	fx_public(f);
	fx_leaf_span(f, T_2026_08_22, 200 * DAY - 1);
}

static void fx_public_398_before(struct dbtls_endpoint_facts *f)
{
	fx_public(f); /* issued before 2026-03-15: the 398 days still apply */
	fx_leaf_span(f, T_2026_03_01, 398 * DAY - 1);
}

static void fx_public_399_before(struct dbtls_endpoint_facts *f)
{
	fx_public(f);
	fx_leaf_span(f, T_2026_03_01, 399 * DAY);
}

static void fx_public_2029_48(struct dbtls_endpoint_facts *f)
{
	fx_public(f);
	fx_leaf_span(f, (time_t)1868227200 + 10 * DAY, 48 * DAY); /* 2029-03-25 */
}

static void fx_trust_unknown(struct dbtls_endpoint_facts *f)
{
	f->verification.public_trust.anchored = -1;
	f->verification.public_trust.detail =
	    t_strdup("the system trust store is empty or unreadable");
}

static void fx_trust_unknown_short(struct dbtls_endpoint_facts *f)
{
	fx_trust_unknown(f);
	fx_leaf_span(f, T_2026_08_22, 100 * DAY);
}

static void fx_trust_not_checked_system_ok(struct dbtls_endpoint_facts *f)
{
	/* a report from before public_trust: the one verification was the system store's */
	f->verification.public_trust.checked = false;
}

static void fx_trust_not_checked_ca_file(struct dbtls_endpoint_facts *f)
{
	f->verification.public_trust.checked = false;
	free(f->verification.ca_source);
	f->verification.ca_source = t_strdup("/etc/mysql/ca.pem");
}

static void px_fixed_expiry(struct dbtls_policy *p)
{
	p->params.cert_warn_fraction = 0;
	p->params.cert_crit_fraction = 0;
}

static void fx_expiring20(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_after_t = NOW + 20 * DAY + 3600;
}

static void fx_expiring3(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_after_t = NOW + 3 * DAY;
}

static void fx_expiring31(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_after_t = NOW + 31 * DAY;
}

/* proportional expiry windows (issue 16): the same days left on certificates of different
 * lifetimes */
static void fx_life(struct dbtls_endpoint_facts *f, long life_days, long left_days)
{
	f->certs[0].not_after_t = NOW + left_days * DAY;
	f->certs[0].not_before_t = f->certs[0].not_after_t - life_days * DAY;
}

static void fx_47d_10left(struct dbtls_endpoint_facts *f)
{
	fx_life(f, 47, 10);
}

static void fx_47d_8left(struct dbtls_endpoint_facts *f)
{
	fx_life(f, 47, 8);
}

static void fx_47d_2left(struct dbtls_endpoint_facts *f)
{
	fx_life(f, 47, 2);
}

static void fx_3y_10left(struct dbtls_endpoint_facts *f)
{
	fx_life(f, 3 * 365, 10);
}

static void fx_3y_31left(struct dbtls_endpoint_facts *f)
{
	fx_life(f, 3 * 365, 31);
}

static void fx_3y_6left(struct dbtls_endpoint_facts *f)
{
	fx_life(f, 3 * 365, 6);
}

static void fx_6d_20hleft(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_after_t = NOW + 20 * 3600;
	f->certs[0].not_before_t = f->certs[0].not_after_t - 6 * DAY;
}

static void fx_unknown_nb_10left(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_after_t = NOW + 10 * DAY;
	f->certs[0].not_before_t = 0;
}

static void fx_rsa1024(struct dbtls_endpoint_facts *f)
{
	f->certs[0].key_bits = 1024;
}

static void fx_rsa2048(struct dbtls_endpoint_facts *f)
{
	f->certs[0].key_bits = 2048;
}

static void fx_dsa_int(struct dbtls_endpoint_facts *f)
{
	free(f->certs[1].key_type);
	f->certs[1].key_type = t_strdup("DSA");
	f->certs[1].key_bits = 2048;
}

static void fx_ec_p256(struct dbtls_endpoint_facts *f)
{
	free(f->certs[0].key_type);
	f->certs[0].key_type = t_strdup("EC");
	f->certs[0].key_bits = 256;
	f->certs[0].curve = t_strdup("prime256v1");
}

static void fx_ec_p192(struct dbtls_endpoint_facts *f)
{
	fx_ec_p256(f);
	f->certs[0].key_bits = 192;
}

static void fx_int_sha1(struct dbtls_endpoint_facts *f)
{
	free(f->certs[1].sig_alg);
	f->certs[1].sig_alg = t_strdup("sha1WithRSAEncryption");
}

static void fx_leaf_ecdsa_sha1(struct dbtls_endpoint_facts *f)
{
	free(f->certs[0].sig_alg);
	f->certs[0].sig_alg = t_strdup("ecdsa-with-SHA1");
}

static void fx_leaf_sha224(struct dbtls_endpoint_facts *f)
{
	free(f->certs[0].sig_alg);
	f->certs[0].sig_alg = t_strdup("sha224WithRSAEncryption");
}

static void fx_leaf_md5(struct dbtls_endpoint_facts *f)
{
	free(f->certs[0].sig_alg);
	f->certs[0].sig_alg = t_strdup("md5WithRSAEncryption");
}

static void fx_long_validity(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_before_t = NOW - 30 * DAY;
	f->certs[0].not_after_t = NOW + 400 * DAY;
}

static void fx_self_signed(struct dbtls_endpoint_facts *f)
{
	free(f->certs[0].issuer);
	f->certs[0].issuer = t_strdup("CN=db1");
	f->certs[0].self_signed = true;
}

static void fx_self_signed_public(struct dbtls_endpoint_facts *f)
{
	fx_self_signed(f);
	fx_public(f);
}

/* chain shape, usage, auto-generated, revocation, rotation (issue 5) */
static void fx_chain_incomplete(struct dbtls_endpoint_facts *f)
{
	f->verification.chain.analysed = true;
	f->verification.chain.incomplete = true;
	f->verification.chain.missing_issuer = t_strdup("CN=Int CA");
}

static void fx_chain_misordered(struct dbtls_endpoint_facts *f)
{
	f->verification.chain.analysed = true;
	f->verification.chain.misordered = true;
}

static void fx_chain_extra(struct dbtls_endpoint_facts *f)
{
	f->verification.chain.analysed = true;
	f->verification.chain.extra = 2;
}

static void fx_anchor_served(struct dbtls_endpoint_facts *f)
{
	f->verification.chain.analysed = true;
	f->verification.chain.anchor_served = true;
	f->verification.chain.anchor_subject = t_strdup("CN=Root CA");
}

static void fx_client_auth_only(struct dbtls_endpoint_facts *f)
{
	f->certs[0].has_eku = true;
	f->certs[0].eku = calloc(1, sizeof(char *));
	f->certs[0].eku[0] = t_strdup("clientAuth");
	f->certs[0].neku = 1;
}

static void fx_server_auth(struct dbtls_endpoint_facts *f)
{
	f->certs[0].has_eku = true;
	f->certs[0].eku = calloc(2, sizeof(char *));
	f->certs[0].eku[0] = t_strdup("clientAuth");
	f->certs[0].eku[1] = t_strdup("serverAuth");
	f->certs[0].neku = 2;
}

static void fx_ku_encipher_only(struct dbtls_endpoint_facts *f)
{
	f->certs[0].has_key_usage = true;
	f->certs[0].key_usage = 0x20;
}

static void fx_ku_sign(struct dbtls_endpoint_facts *f)
{
	f->certs[0].has_key_usage = true;
	f->certs[0].key_usage = 0x80 | 0x20;
}

static void fx_leaf_is_ca(struct dbtls_endpoint_facts *f)
{
	f->certs[0].is_ca = true;
}

static void fx_auto_generated(struct dbtls_endpoint_facts *f)
{
	free(f->certs[0].subject);
	free(f->certs[0].issuer);
	f->certs[0].subject = t_strdup("CN=MySQL_Server_8.0.36_Auto_Generated_Server_Certificate");
	f->certs[0].issuer = t_strdup("CN=MySQL_Server_8.0.36_Auto_Generated_CA_Certificate");
}

/* MySQL's generated chain as served: the leaf alone, its CA nowhere */
static void fx_auto_generated_served(struct dbtls_endpoint_facts *f)
{
	fx_auto_generated(f);
	free(f->server.product);
	free(f->server.version);
	f->server.product = t_strdup("MySQL");
	f->server.version = t_strdup("8.0.36");
	f->verification.ca_ok = false;
	f->verification.verify_code = 20;
	f->verification.error = t_strdup("unable to get local issuer certificate");
	f->verification.chain.analysed = true;
	f->verification.chain.incomplete = true;
	f->verification.chain.missing_issuer =
	    t_strdup("CN=MySQL_Server_8.0.36_Auto_Generated_CA_Certificate");
}

/* MariaDB 11.4+ zero-configuration TLS: a self-signed "MariaDB" leaf the verifier refuses */
static void fx_zero_shape(struct dbtls_endpoint_facts *f)
{
	free(f->server.version);
	f->server.version = t_strdup("5.5.5-11.4.5-MariaDB-log");
	free(f->certs[0].subject);
	free(f->certs[0].issuer);
	f->certs[0].subject = t_strdup("CN=MariaDB Server");
	f->certs[0].issuer = t_strdup("CN=MariaDB Server");
	f->certs[0].self_signed = true;
	f->verification.ca_ok = false;
	f->verification.verify_code = 18;
	f->verification.error = t_strdup("self-signed certificate");
}

static void fx_zero_shape_1011(struct dbtls_endpoint_facts *f)
{
	fx_zero_shape(f);
	free(f->server.version);
	f->server.version = t_strdup("5.5.5-10.11.19-MariaDB-0+deb12u1");
}

static void t_sql_account(struct dbtls_sql_facts *q, const char *user, const char *host,
			  const char *plugin, bool pw)
{
	struct dbtls_sql_account *a = realloc(q->accounts, (q->naccounts + 1) * sizeof(*a));

	assert_non_null(a);
	q->accounts = a;
	a = &a[q->naccounts++];
	memset(a, 0, sizeof(*a));
	a->user = t_strdup(user);
	a->host = t_strdup(host);
	a->require = t_strdup("none");
	a->network = strcmp(host, "localhost") != 0;
	a->plugin = t_strdup(plugin);
	a->has_password = pw;
}

/* --sql read ssl_cert (value) and the accounts */
static void t_sql_zero(struct dbtls_endpoint_facts *f, const char *ssl_cert)
{
	struct dbtls_sql_facts *q = &f->sql;

	q->status = DBTLS_SQL_OK;
	q->variables = calloc(1, sizeof(*q->variables));
	assert_non_null(q->variables);
	q->variables[0].name = t_strdup("ssl_cert");
	q->variables[0].value = t_strdup(ssl_cert);
	q->nvariables = 1;
	q->accounts_status = DBTLS_SQL_AV_READ;
	q->accounts_source = t_strdup("mysql.global_priv");
	t_sql_account(q, "app", "%", "ed25519", true);
	t_sql_account(q, "root", "localhost", "unix_socket", false);
}

static void fx_zero_sql_mixed(struct dbtls_endpoint_facts *f)
{
	fx_zero_shape(f);
	t_sql_zero(f, "");
	t_sql_account(&f->sql, "web", "10.%", "mysql_native_password", false);
	t_sql_account(&f->sql, "sso", "%", "pam", true);
}

static void fx_zero_sql_all(struct dbtls_endpoint_facts *f)
{
	fx_zero_shape(f);
	t_sql_zero(f, "");
	t_sql_account(&f->sql, "web", "10.%", "mysql_native_password", true);
}

static void fx_zero_sql_configured(struct dbtls_endpoint_facts *f)
{
	/* the same shape, but ssl_cert names a file: somebody's own self-signed certificate */
	fx_zero_shape(f);
	t_sql_zero(f, "/etc/mysql/ssl/server-cert.pem");
}

static void fx_revoked(struct dbtls_endpoint_facts *f)
{
	f->certs[0].revocation.status = DBTLS_REV_REVOKED;
	f->certs[0].revocation.revoked_at = t_strdup("2026-09-01T00:00:00Z");
	f->certs[0].revocation.reason = t_strdup("keyCompromise");
	f->certs[0].revocation.source = t_strdup("OCSP http://127.0.0.1:8888");
}

static void fx_rev_good(struct dbtls_endpoint_facts *f)
{
	f->certs[0].revocation.status = DBTLS_REV_GOOD;
	f->certs[1].revocation.status = DBTLS_REV_GOOD;
}

static void fx_rev_unavailable(struct dbtls_endpoint_facts *f)
{
	f->certs[1].revocation.status = DBTLS_REV_UNAVAILABLE;
	f->certs[1].revocation.detail = t_strdup("no OCSP URL, no CRL distribution point");
}

static void fx_rotation_not_ready(struct dbtls_endpoint_facts *f)
{
	f->verification.rotation.checked = true;
	f->verification.rotation.error = t_strdup("unable to get local issuer certificate");
	f->verification.chain.anchor_subject = t_strdup("CN=Root CA");
}

/* one client-impact row (scan --clients) */
static void fx_client(struct dbtls_endpoint_facts *f, const char *outcome, bool in_use,
		      const char *config)
{
	f->clients = calloc(1, sizeof(*f->clients));
	assert_non_null(f->clients);
	f->nclients = 1;
	f->clients[0].client = t_strdup("go-sql-driver-mysql");
	f->clients[0].config = t_strdup(config);
	f->clients[0].outcome = t_strdup(outcome);
	f->clients[0].reason = t_strdup("no common suite in TLSv1.2");
	f->clients[0].in_use = in_use;
}

static void fx_client_breaks(struct dbtls_endpoint_facts *f)
{
	fx_client(f, "fails", true, "proposed");
}

static void fx_client_breaks_unused(struct dbtls_endpoint_facts *f)
{
	fx_client(f, "fails", false, "proposed");
}

static void fx_client_unverified(struct dbtls_endpoint_facts *f)
{
	fx_client(f, "connects_unverified", true, "current");
}

static void fx_rotation_ready(struct dbtls_endpoint_facts *f)
{
	f->verification.rotation.checked = true;
	f->verification.rotation.ready = true;
}

/* an XMPP endpoint whose features before TLS offered STARTTLS (required or not) and these
 * SASL mechanisms (NULL-terminated) */
static void fx_xmpp(struct dbtls_endpoint_facts *f, bool required, const char *const *mechs)
{
	size_t n = 0;

	while (mechs[n])
		n++;
	free(f->protocol);
	f->protocol = t_strdup("xmpp");
	f->server.tls_offered = true;
	f->server.xmpp.features_seen = true;
	f->server.xmpp.starttls_required = required;
	f->server.xmpp.mechanisms = calloc(n + 1, sizeof(char *));
	assert_non_null(f->server.xmpp.mechanisms);
	for (size_t i = 0; i < n; i++)
		f->server.xmpp.mechanisms[i] = t_strdup(mechs[i]);
	f->server.xmpp.nmechanisms = n;
}

static void fx_xmpp_required(struct dbtls_endpoint_facts *f)
{
	static const char *const none[] = {NULL};
	fx_xmpp(f, true, none);
}

static void fx_xmpp_optional_scram(struct dbtls_endpoint_facts *f)
{
	static const char *const m[] = {"SCRAM-SHA-1", "SCRAM-SHA-256", NULL};
	fx_xmpp(f, false, m);
}

static void fx_xmpp_optional_plain(struct dbtls_endpoint_facts *f)
{
	static const char *const m[] = {"DIGEST-MD5", "PLAIN", "SCRAM-SHA-1", NULL};
	fx_xmpp(f, false, m);
}

static void fx_anchor_expiring(struct dbtls_endpoint_facts *f)
{
	f->verification.chain.analysed = true;
	f->verification.chain.anchor_subject = t_strdup("CN=Root CA");
	f->verification.chain.anchor_not_after = NOW + 10 * DAY;
}

static void fx_anchor_far(struct dbtls_endpoint_facts *f)
{
	f->verification.chain.analysed = true;
	f->verification.chain.anchor_subject = t_strdup("CN=Root CA");
	f->verification.chain.anchor_not_after = NOW + 1000 * DAY;
}

static void fx_new_issuer(struct dbtls_endpoint_facts *f)
{
	free(f->certs[0].issuer);
	f->certs[0].issuer = t_strdup("CN=Other CA");
}

static void fx_new_leaf(struct dbtls_endpoint_facts *f)
{
	memset(f->certs[0].sha256, 'f', 64);
}

static void fx_suites_changed(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s13[] = {0x1301};
	t_add_suite(f, DBTLS_TLS12, 0xC013);
	t_version(f, DBTLS_TLS13, DBTLS_VS_ACCEPTED, s13, NELEM(s13), 1);
}

/* suites not enumerated: drift.suites cannot compare */
static void fx_suites_unknown(struct dbtls_endpoint_facts *f)
{
	fx_probe_cipher_only(f);
	f->versions[DBTLS_TLS12].cipher = 0xC013;
}

static void fx_one_group(struct dbtls_endpoint_facts *f)
{
	static const uint16_t g[] = {0x001d};
	t_groups(f, g, NELEM(g));
}

static void fx_no_chain(struct dbtls_endpoint_facts *f)
{
	for (size_t i = 0; i < f->ncerts; i++)
		dbtls_cert_free(&f->certs[i]);
	f->ncerts = 0;
	dbtls_verification_free(&f->verification);
}

static void fx_tls12_error(struct dbtls_endpoint_facts *f)
{
	t_version(f, DBTLS_TLS12, DBTLS_VS_ERROR, NULL, 0, -1);
}

/* ---- parameter changes ---- */

static void px_tls13_only(struct dbtls_policy *p)
{
	p->params.min_version = DBTLS_TLS13;
}

static void px_no_require_tls13(struct dbtls_policy *p)
{
	p->params.require_tls13 = false;
}

static void px_no_export_bit(struct dbtls_policy *p)
{
	p->params.forbidden_props &= ~(uint32_t)DBTLS_PROP_EXPORT;
}

static void px_no_rc4_bit(struct dbtls_policy *p)
{
	p->params.forbidden_props &= ~(uint32_t)DBTLS_PROP_RC4;
}

static void px_no_allow_list(struct dbtls_policy *p)
{
	p->params.allowed_suites = NULL;
	p->params.nallowed_suites = 0;
	p->params.allowed_groups = NULL;
	p->params.nallowed_groups = 0;
}

static void px_no_server_order(struct dbtls_policy *p)
{
	p->params.require_server_order = false;
}

static void px_dh3072(struct dbtls_policy *p)
{
	p->params.min_dh_bits = 3072;
}

static void px_sha224_forbidden(struct dbtls_policy *p)
{
	p->params.forbidden_sig_hashes |= DBTLS_HASH_SHA224;
}

static void px_soft_fail(struct dbtls_policy *p)
{
	p->params.revocation_soft_fail = true;
}

static void px_dsa_allowed(struct dbtls_policy *p)
{
	p->params.dsa_allowed = true;
}

static void px_no_max_validity(struct dbtls_policy *p)
{
	p->params.max_validity_days = 0;
}

static void px_pin_other_target(struct dbtls_policy *p)
{
	p->pins[0].target = "mysql://db2:3306";
}

/* the exact pin wins over a catch-all (listed first) that would differ */
static void px_catch_all_first(struct dbtls_policy *p)
{
	p->pins[1] = p->pins[0];
	p->pins[0].target = NULL;
	p->pins[0].versions[DBTLS_TLS12] = false;
	p->npins = 2;
}

/* no exact pin: the catch-all (pinning TLS 1.3 only) applies */
static void px_catch_all_only(struct dbtls_policy *p)
{
	p->pins[0].target = NULL;
	p->pins[0].versions[DBTLS_TLS12] = false;
}

static void px_pin_rsa2048(struct dbtls_policy *p)
{
	p->pins[0].key_type = "RSA 2048";
}

/* ---- the table ---- */

/* ---- handshake facts (check_hygiene.c) ---- */
static void fx_hy_good(struct dbtls_endpoint_facts *f)
{
	f->hygiene = (struct dbtls_hygiene_facts){.probed = true,
						  .version = DBTLS_TLS12,
						  .secure_renegotiation = 1,
						  .extended_master_secret = 1,
						  .encrypt_then_mac = -1,
						  .session_ticket = 1,
						  .status_request = 0,
						  .compression = 0,
						  .heartbeat = 0,
						  .fallback_scsv = 1};
	f->vulns = (struct dbtls_vuln_facts){.probed = true,
					     .heartbleed = 0,
					     .ccs_injection = 0,
					     .dh_prime_prime = -1,
					     .dh_prime_safe = -1};
	f->groups13.probed = true;
}
static void fx_hy_bad(struct dbtls_endpoint_facts *f)
{
	fx_hy_good(f);
	f->hygiene.secure_renegotiation = 0;
	f->hygiene.extended_master_secret = 0;
	f->hygiene.compression = 1;
	f->hygiene.fallback_scsv = 0;
	f->hygiene.encrypt_then_mac = 0;
	f->vulns.heartbleed = 1;
	f->vulns.heartbleed_detail = t_strdup("heartbeat response of 83 bytes");
	f->vulns.ccs_injection = 1;
	f->vulns.ccs_detail = t_strdup("early ChangeCipherSpec accepted in silence");
	f->vulns.dh_bits = 1024;
	f->vulns.dh_prime_name = t_strdup("RFC 2409 Oakley group 2 (1024-bit MODP)");
	f->vulns.dh_prime_prime = f->vulns.dh_prime_safe = 1;
}
static void fx_hy_unknown(struct dbtls_endpoint_facts *f)
{
	fx_hy_good(f);
	f->hygiene.secure_renegotiation = f->hygiene.extended_master_secret = -1;
	f->hygiene.compression = f->hygiene.fallback_scsv = f->hygiene.encrypt_then_mac = -1;
	f->vulns.heartbleed = f->vulns.ccs_injection = -1;
}
static void fx_dh_composite(struct dbtls_endpoint_facts *f)
{
	fx_hy_good(f);
	f->vulns.dh_bits = 2048;
	f->vulns.dh_prime_prime = 0;
	f->vulns.dh_prime_safe = 0;
}
static void fx_pq(struct dbtls_endpoint_facts *f)
{
	static const uint16_t g[] = {0x11ec, 0x001d};
	fx_hy_good(f);
	free(f->groups);
	f->groups = NULL;
	f->ngroups = 0;
	t_groups(f, g, NELEM(g));
}

/* session tickets (verification.ticket) */
static void fx_ticket(struct dbtls_endpoint_facts *f, const char *proto, int issued, long life)
{
	free(f->verification.protocol);
	f->verification.protocol = t_strdup(proto);
	f->verification.ticket =
	    (struct dbtls_ticket_facts){.probed = true, .issued = issued, .lifetime_s = life};
}
static void fx_ticket_2h(struct dbtls_endpoint_facts *f)
{
	fx_ticket(f, "TLSv1.3", 1, 7200);
}
static void fx_ticket13_7d(struct dbtls_endpoint_facts *f)
{
	fx_ticket(f, "TLSv1.3", 1, 604800);
}
static void fx_ticket13_8d(struct dbtls_endpoint_facts *f)
{
	fx_ticket(f, "TLSv1.3", 1, 8 * 86400);
}
static void fx_ticket12_30d(struct dbtls_endpoint_facts *f)
{
	fx_ticket(f, "TLSv1.2", 1, 30 * 86400);
}
static void fx_ticket12_unspecified(struct dbtls_endpoint_facts *f)
{
	fx_ticket(f, "TLSv1.2", 1, 0);
}
static void fx_ticket13_unknown(struct dbtls_endpoint_facts *f)
{
	fx_ticket(f, "TLSv1.3", -1, -1);
}
static void px_ticket_1h(struct dbtls_policy *p)
{
	p->params.max_ticket_lifetime_s = 3600;
}
static void px_ticket_30d(struct dbtls_policy *p)
{
	p->params.max_ticket_lifetime_s = 30 * 86400;
}

struct row {
	const char *name;
	void (*facts)(struct dbtls_endpoint_facts *f); /* change to t_good(); NULL: none */
	void (*params)(struct dbtls_policy *p);	       /* change to the baseline; NULL: none */
	const char *id;
	size_t n;	    /* findings of `id` expected */
	int severity;	    /* of the first one; -1: the check's default */
	const char *substr; /* in the first one's title or evidence; NULL: not checked */
};

static const struct row rows[] = {
    /* protocols */
    {"clean endpoint offers TLS", NULL, NULL, "tls.not-offered", 0, -1, NULL},
    {"TLS status unknown", fx_tls_unknown, NULL, "tls.not-offered", 0, -1, NULL},
    {"no CLIENT_SSL", fx_no_tls, NULL, "tls.not-offered", 1, DBTLS_SEV_CRITICAL, "CLIENT_SSL"},
    {"no SSLv2", NULL, NULL, "protocol.sslv2-enabled", 0, -1, NULL},
    {"SSLv2", fx_sslv2, NULL, "protocol.sslv2-enabled", 1, DBTLS_SEV_CRITICAL,
     "SSL_CK_RC4_128_WITH_MD5"},
    {"no SSLv3", NULL, NULL, "protocol.sslv3-enabled", 0, -1, NULL},
    {"SSLv3", fx_sslv3, NULL, "protocol.sslv3-enabled", 1, DBTLS_SEV_HIGH, "SSLv3 accepted"},
    {"no TLS 1.0", NULL, NULL, "protocol.tls10-enabled", 0, -1, NULL},
    {"TLS 1.0", fx_tls10, NULL, "protocol.tls10-enabled", 1, DBTLS_SEV_HIGH, "TLS 1.0 accepted"},
    {"no TLS 1.1", NULL, NULL, "protocol.tls11-enabled", 0, -1, NULL},
    {"TLS 1.1", fx_tls11, NULL, "protocol.tls11-enabled", 1, DBTLS_SEV_MEDIUM, "TLS 1.1 accepted"},
    {"TLS 1.2 under a TLS 1.2 minimum", NULL, NULL, "protocol.below-minimum", 0, -1, NULL},
    {"TLS 1.0 is not counted twice", fx_tls10, NULL, "protocol.below-minimum", 0, -1, NULL},
    {"TLS 1.2 under a TLS 1.3 minimum", NULL, px_tls13_only, "protocol.below-minimum", 1, -1,
     "TLS 1.2 accepted below the minimum TLS 1.3"},
    {"TLS 1.3 accepted", NULL, NULL, "protocol.tls13-missing", 0, -1, NULL},
    {"TLS 1.3 not probed", fx_tls13_not_probed, NULL, "protocol.tls13-missing", 0, -1, NULL},
    {"TLS 1.3 not required", fx_tls13_rejected, px_no_require_tls13, "protocol.tls13-missing", 0,
     -1, NULL},
    {"TLS 1.3 rejected", fx_tls13_rejected, NULL, "protocol.tls13-missing", 1, DBTLS_SEV_LOW,
     "TLS 1.3 not accepted"},
    {"no ALPN probe (MySQL)", NULL, NULL, "protocol.alpn-refused", 0, -1, NULL},
    {"ALPN postgresql selected", fx_alpn_selected, NULL, "protocol.alpn-refused", 0, -1, NULL},
    {"ALPN ignored after SSLRequest", fx_alpn_ignored, NULL, "protocol.alpn-refused", 0, -1, NULL},
    {"ALPN probe could not tell", fx_alpn_unknown, NULL, "protocol.alpn-refused", 0, -1, NULL},
    {"ALPN postgresql refused", fx_alpn_refused, NULL, "protocol.alpn-refused", 1, DBTLS_SEV_MEDIUM,
     "ALPN \"postgresql\" refused"},
    {"ALPN ignored on direct TLS", fx_alpn_ignored_direct, NULL, "protocol.alpn-refused", 1, -1,
     "ignored on direct TLS"},

    /* suites */
    {"no export", NULL, NULL, "suites.export", 0, -1, NULL},
    {"export allowed by the profile", fx_export, px_no_export_bit, "suites.export", 0, -1, NULL},
    {"export", fx_export, NULL, "suites.export", 1, DBTLS_SEV_CRITICAL, "3 export suites accepted"},
    {"export evidence", fx_export, NULL, "suites.export", 1, -1,
     "TLSv1.0: TLS_RSA_EXPORT_WITH_RC4_40_MD5, TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {"no anon", NULL, NULL, "suites.anon", 0, -1, NULL},
    {"anon", fx_anon, NULL, "suites.anon", 1, DBTLS_SEV_CRITICAL, "1 anonymous suite accepted"},
    {"no NULL", NULL, NULL, "suites.null", 0, -1, NULL},
    {"NULL", fx_null, NULL, "suites.null", 1, -1, "TLS_RSA_WITH_NULL_MD5"},
    {"no RC4", NULL, NULL, "suites.rc4", 0, -1, NULL},
    {"RC4", fx_rc4, NULL, "suites.rc4", 1, DBTLS_SEV_HIGH, "1 RC4 suite accepted"},
    {"RC4 allowed by the profile", fx_rc4, px_no_rc4_bit, "suites.rc4", 0, -1, NULL},
    {"RC4 from the probe's pick", fx_probe_cipher_only, NULL, "suites.rc4", 1, -1,
     "TLSv1.2: TLS_RSA_WITH_RC4_128_SHA"},
    {"no DES", NULL, NULL, "suites.des", 0, -1, NULL},
    {"DES", fx_des, NULL, "suites.des", 1, -1, "TLS_RSA_WITH_DES_CBC_SHA"},
    {"no 3DES", NULL, NULL, "suites.3des", 0, -1, NULL},
    {"3DES", fx_3des, NULL, "suites.3des", 1, DBTLS_SEV_MEDIUM, "2 3DES suites accepted"},
    {"3DES evidence", fx_3des, NULL, "suites.3des", 1, -1,
     "TLSv1.2: TLS_RSA_WITH_3DES_EDE_CBC_SHA; TLSv1.0: TLS_RSA_WITH_3DES_EDE_CBC_SHA, "
     "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {"no CBC", NULL, NULL, "suites.cbc", 0, -1, NULL},
    {"CBC", fx_cbc, NULL, "suites.cbc", 1, DBTLS_SEV_LOW, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {"all forward-secret", NULL, NULL, "suites.non-pfs", 0, -1, NULL},
    {"DHE is forward-secret", fx_dhe_gcm, NULL, "suites.non-pfs", 0, -1, NULL},
    {"RSA key transport", fx_rsa_kx, NULL, "suites.non-pfs", 1, -1,
     "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {"no SHA-1 MACs", NULL, NULL, "suites.sha1-mac", 0, -1, NULL},
    {"SHA-1 MAC", fx_cbc, NULL, "suites.sha1-mac", 1, -1, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {"no static DH", NULL, NULL, "suites.static-kx", 0, -1, NULL},
    {"static DH", fx_static_dh, NULL, "suites.static-kx", 1, -1,
     "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"},
    {"no PSK", NULL, NULL, "suites.psk", 0, -1, NULL},
    {"PSK", fx_psk, NULL, "suites.psk", 1, -1, "TLS_PSK_WITH_AES_128_CBC_SHA"},
    {"no SRP", NULL, NULL, "suites.srp", 0, -1, NULL},
    {"SRP", fx_srp, NULL, "suites.srp", 1, -1, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"},
    {"no Camellia", NULL, NULL, "suites.camellia", 0, -1, NULL},
    {"Camellia", fx_camellia, NULL, "suites.camellia", 1, -1, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {"no ARIA", NULL, NULL, "suites.aria", 0, -1, NULL},
    {"ARIA", fx_aria, NULL, "suites.aria", 1, -1, "TLS_RSA_WITH_ARIA_128_CBC_SHA256"},
    {"no SEED/IDEA", NULL, NULL, "suites.seed-idea", 0, -1, NULL},
    {"SEED and IDEA", fx_seed_idea, NULL, "suites.seed-idea", 1, -1, "2 SEED/IDEA suites accepted"},
    {"only allowed suites", NULL, NULL, "suites.not-allowed", 0, -1, NULL},
    {"no allow-list", fx_dhe_gcm, px_no_allow_list, "suites.not-allowed", 0, -1, NULL},
    {"suite outside the allow-list", fx_dhe_gcm, NULL, "suites.not-allowed", 1, DBTLS_SEV_MEDIUM,
     "1 suite outside the profile's allow-list accepted"},
    {"server order", NULL, NULL, "suites.client-order", 0, -1, NULL},
    {"client order, one suite", fx_client_order_one_suite, NULL, "suites.client-order", 0, -1,
     NULL},
    {"client order not required", fx_client_order, px_no_server_order, "suites.client-order", 0, -1,
     NULL},
    {"client order", fx_client_order, NULL, "suites.client-order", 1, DBTLS_SEV_LOW,
     "client's cipher order (TLSv1.2)"},

    /* key exchange */
    {"no DHE", NULL, NULL, "kex.dh-weak", 0, -1, NULL},
    {"DHE 2048 at minimum 2048", fx_dh2048, NULL, "kex.dh-weak", 0, -1, NULL},
    {"DHE 1024", fx_dh1024, NULL, "kex.dh-weak", 1, DBTLS_SEV_HIGH,
     "DHE with a 1024-bit prime accepted"},
    {"DHE 2048 at minimum 3072", fx_dh2048, px_dh3072, "kex.dh-weak", 1, -1,
     "2048 bits (profile minimum 3072)"},
    {"x25519 counts as 256", NULL, NULL, "kex.group-weak", 0, -1, NULL},
    {"weak curves", fx_weak_curves, NULL, "kex.group-weak", 1, DBTLS_SEV_MEDIUM,
     "2 weak key-exchange groups accepted"},
    {"weak curve evidence", fx_weak_curves, NULL, "kex.group-weak", 1, -1,
     "secp192r1 (192 bits < 256), sect163k1 (163 bits < 256)"},
    {"ffdhe2048 at minimum 3072", fx_ffdhe2048, px_dh3072, "kex.group-weak", 1, -1,
     "ffdhe2048 (2048 bits < 3072)"},
    {"only allowed groups", NULL, NULL, "kex.group-not-allowed", 0, -1, NULL},
    {"no group allow-list", fx_p521, px_no_allow_list, "kex.group-not-allowed", 0, -1, NULL},
    {"group outside the allow-list", fx_p521, NULL, "kex.group-not-allowed", 1, -1, "secp521r1"},

    /* certificates */
    {"chain verifies", NULL, NULL, "cert.untrusted", 0, -1, NULL},
    /* no chain, no error: the check cannot judge and says so, never silently passes */
    {"no handshake", fx_no_handshake, NULL, "cert.untrusted", 1, -1,
     "could not be evaluated: no certificate chain was collected"},
    {"expiry is cert.expired's", fx_leaf_expired, NULL, "cert.untrusted", 0, -1, NULL},
    {"expired, but not in the served chain", fx_expired_unexplained, NULL, "cert.untrusted", 1, -1,
     "certificate has expired"},
    {"unknown issuer", fx_untrusted, NULL, "cert.untrusted", 1, DBTLS_SEV_HIGH,
     "unable to get local issuer certificate"},
    {"host name matches", NULL, NULL, "cert.hostname-mismatch", 0, -1, NULL},
    {"host name mismatch", fx_hostname, NULL, "cert.hostname-mismatch", 1, DBTLS_SEV_MEDIUM,
     "SANs: DNS:db2, IP:192.0.2.11"},
    {"not expired", NULL, NULL, "cert.expired", 0, -1, NULL},
    {"leaf expired", fx_leaf_expired, NULL, "cert.expired", 1, DBTLS_SEV_CRITICAL, "(12 days ago)"},
    {"intermediate expired", fx_int_expired, NULL, "cert.expired", 1, -1,
     "intermediate CN=Int CA expired"},
    {"valid already", NULL, NULL, "cert.not-yet-valid", 0, -1, NULL},
    {"not valid yet", fx_not_yet, NULL, "cert.not-yet-valid", 1, DBTLS_SEV_HIGH,
     "1 certificate not valid yet"},
    {"300 days left", NULL, NULL, "cert.expiring", 0, -1, NULL},
    {"31 days left at 30", fx_expiring31, NULL, "cert.expiring", 0, -1, NULL},
    {"expired is not expiring", fx_leaf_expired, NULL, "cert.expiring", 0, -1, NULL},
    /* the two rows proportional windows flipped: both leaves are short-lived (notBefore 30
     * days ago), so 20 of 50 days left is routine and 3 of 33 a warning, not critical */
    {"20 days left of 50: routine", fx_expiring20, NULL, "cert.expiring", 0, -1, NULL},
    {"3 days left of 33", fx_expiring3, NULL, "cert.expiring", 1, DBTLS_SEV_MEDIUM,
     "expires in 3 days"},
    {"20 days left of 50, fixed windows", fx_expiring20, px_fixed_expiry, "cert.expiring", 1,
     DBTLS_SEV_MEDIUM, "Certificate expires in 20 days"},
    {"3 days left of 33, fixed windows", fx_expiring3, px_fixed_expiry, "cert.expiring", 1,
     DBTLS_SEV_CRITICAL, "expires in 3 days"},
    {"47-day certificate, 10 days left: routine", fx_47d_10left, NULL, "cert.expiring", 0, -1,
     NULL},
    {"47-day certificate, 8 days left", fx_47d_8left, NULL, "cert.expiring", 1, DBTLS_SEV_MEDIUM,
     "(8 days left of a 47-day lifetime; warning at 9.4 days, critical at 2.4 days)"},
    {"47-day certificate, 2 days left", fx_47d_2left, NULL, "cert.expiring", 1, DBTLS_SEV_CRITICAL,
     "expires in 2 days"},
    {"3-year certificate, 10 days left", fx_3y_10left, NULL, "cert.expiring", 1, DBTLS_SEV_MEDIUM,
     "warning at 30 days, critical at 7 days"},
    {"3-year certificate, 31 days left", fx_3y_31left, NULL, "cert.expiring", 0, -1, NULL},
    {"3-year certificate, 6 days left", fx_3y_6left, NULL, "cert.expiring", 1, DBTLS_SEV_CRITICAL,
     "expires in 6 days"},
    {"6-day certificate, 20 hours left: the floor", fx_6d_20hleft, NULL, "cert.expiring", 1,
     DBTLS_SEV_CRITICAL, "critical at 1 day)"},
    {"notBefore unknown: the fixed windows", fx_unknown_nb_10left, NULL, "cert.expiring", 1,
     DBTLS_SEV_MEDIUM, "(10 days left; warning at 30 days"},
    {"RSA 3072", NULL, NULL, "cert.key-weak", 0, -1, NULL},
    {"RSA 2048 at minimum 2048", fx_rsa2048, NULL, "cert.key-weak", 0, -1, NULL},
    {"EC P-256", fx_ec_p256, NULL, "cert.key-weak", 0, -1, NULL},
    {"DSA allowed", fx_dsa_int, px_dsa_allowed, "cert.key-weak", 0, -1, NULL},
    {"RSA 1024", fx_rsa1024, NULL, "cert.key-weak", 1, DBTLS_SEV_HIGH, "Weak leaf key: RSA 1024"},
    {"EC P-192", fx_ec_p192, NULL, "cert.key-weak", 1, -1, "EC 192 bits (minimum 256)"},
    {"DSA intermediate", fx_dsa_int, NULL, "cert.key-weak", 1, -1, "DSA not allowed"},
    {"SHA-1 only on the self-signed root", NULL, NULL, "cert.signature-hash", 0, -1, NULL},
    {"SHA-224 not forbidden", fx_leaf_sha224, NULL, "cert.signature-hash", 0, -1, NULL},
    {"SHA-224 forbidden", fx_leaf_sha224, px_sha224_forbidden, "cert.signature-hash", 1, -1,
     "sha224WithRSAEncryption"},
    {"SHA-1 intermediate", fx_int_sha1, NULL, "cert.signature-hash", 1, DBTLS_SEV_HIGH,
     "Intermediate certificate signed with sha1WithRSAEncryption"},
    {"ECDSA-SHA1 leaf", fx_leaf_ecdsa_sha1, NULL, "cert.signature-hash", 1, -1, "ecdsa-with-SHA1"},
    {"MD5 leaf", fx_leaf_md5, NULL, "cert.signature-hash", 1, -1, "md5WithRSAEncryption"},
    {"330 days", NULL, NULL, "cert.validity-too-long", 0, -1, NULL},
    {"no maximum", fx_long_validity, px_no_max_validity, "cert.validity-too-long", 0, -1, NULL},
    {"430 days", fx_long_validity, NULL, "cert.validity-too-long", 1, DBTLS_SEV_LOW,
     "Certificate valid for 430 days (maximum 398)"},
    /* CA/Browser Forum limits, only for chains anchored in the system store */
    {"private CA, 330 days", NULL, NULL, "cert.cabf-validity", 0, -1, NULL},
    {"public, 330 days issued 2026-08", fx_public_330, NULL, "cert.cabf-validity", 1,
     DBTLS_SEV_MEDIUM, "Publicly trusted certificate valid for 330 days (CA/B Forum maximum 200)"},
    {"public, anchor named", fx_public_330, NULL, "cert.cabf-validity", 1, -1,
     "anchors in the system trust store at CN=Public Root R1"},
    {"public, 199 days", fx_public_199, NULL, "cert.cabf-validity", 0, -1, NULL},
    {"public, 200 days inclusive", fx_public_200_inclusive, NULL, "cert.cabf-validity", 0, -1,
     NULL},
    {"public, notAfter - notBefore = 200 days: a second too long", fx_public_200_exact, NULL,
     "cert.cabf-validity", 1, -1, "CA/B Forum maximum 200 days, SC-081v3, issued from 2026-03-15"},
    {"public, 398 days issued 2026-03-01", fx_public_398_before, NULL, "cert.cabf-validity", 0, -1,
     NULL},
    {"public, 399 days issued 2026-03-01", fx_public_399_before, NULL, "cert.cabf-validity", 1, -1,
     "maximum 398 days"},
    {"public, 48 days issued 2029", fx_public_2029_48, NULL, "cert.cabf-validity", 1, -1,
     "maximum 47 days"},
    {"store unreadable, 330 days: cannot tell", fx_trust_unknown, NULL, "cert.cabf-validity", 1,
     DBTLS_SEV_MEDIUM, "Cannot tell whether the CA/B Forum limit applies"},
    {"store unreadable, 100 days: within every limit", fx_trust_unknown_short, NULL,
     "cert.cabf-validity", 0, -1, NULL},
    {"old report, system store verified", fx_trust_not_checked_system_ok, NULL,
     "cert.cabf-validity", 1, -1, "Publicly trusted"},
    {"old report, --ca-file: cannot tell", fx_trust_not_checked_ca_file, NULL, "cert.cabf-validity",
     1, -1, "cannot be told: not examined"},
    {"self-signed leaf: no CA's", fx_self_signed_public, NULL, "cert.cabf-validity", 0, -1, NULL},
    {"CA-issued leaf", NULL, NULL, "cert.self-signed", 0, -1, NULL},
    {"self-signed leaf", fx_self_signed, NULL, "cert.self-signed", 1, DBTLS_SEV_MEDIUM,
     "Self-signed certificate"},
    {"complete chain", NULL, NULL, "cert.chain-incomplete", 0, -1, NULL},
    {"intermediate not served", fx_chain_incomplete, NULL, "cert.chain-incomplete", 1,
     DBTLS_SEV_HIGH, "needs CN=Int CA, which it did not send"},
    {"chain in order", NULL, NULL, "cert.chain-order", 0, -1, NULL},
    {"chain out of order", fx_chain_misordered, NULL, "cert.chain-order", 1, DBTLS_SEV_MEDIUM,
     "out of order"},
    {"no extra certificates", NULL, NULL, "cert.chain-extra", 0, -1, NULL},
    {"two stale certificates", fx_chain_extra, NULL, "cert.chain-extra", 1, DBTLS_SEV_LOW,
     "2 served certificates are not on the path"},
    {"root served: a note", fx_anchor_served, NULL, "cert.chain-extra", 1, DBTLS_SEV_INFO,
     "trust anchor CN=Root CA is served too"},
    {"no EKU extension", NULL, NULL, "cert.eku", 0, -1, NULL},
    {"EKU with serverAuth", fx_server_auth, NULL, "cert.eku", 0, -1, NULL},
    {"EKU clientAuth only", fx_client_auth_only, NULL, "cert.eku", 1, DBTLS_SEV_HIGH,
     "extendedKeyUsage clientAuth"},
    {"keyUsage with digitalSignature", fx_ku_sign, NULL, "cert.key-usage", 0, -1, NULL},
    {"keyUsage keyEncipherment only", fx_ku_encipher_only, NULL, "cert.key-usage", 1,
     DBTLS_SEV_MEDIUM, "without digitalSignature"},
    {"leaf CA:FALSE", NULL, NULL, "cert.leaf-is-ca", 0, -1, NULL},
    {"leaf CA:TRUE", fx_leaf_is_ca, NULL, "cert.leaf-is-ca", 1, DBTLS_SEV_HIGH,
     "basicConstraints CA:TRUE"},
    {"CA-issued certificate", NULL, NULL, "cert.auto-generated", 0, -1, NULL},
    {"MySQL auto-generated", fx_auto_generated, NULL, "cert.auto-generated", 1, DBTLS_SEV_MEDIUM,
     "Auto_Generated_CA_Certificate"},
    {"MySQL auto-generated: who is exposed", fx_auto_generated, NULL, "cert.auto-generated", 1, -1,
     "clients that do not verify are exposed, clients that verify fail"},
    {"MySQL auto-generated as served: untrusted", fx_auto_generated_served, NULL, "cert.untrusted",
     1, -1, "unable to get local issuer certificate"},
    {"MySQL auto-generated as served: no missing intermediate", fx_auto_generated_served, NULL,
     "cert.chain-incomplete", 0, -1, NULL},
    {"MariaDB 11.4 zero-configuration (shape)", fx_zero_shape, NULL, "cert.auto-generated", 1,
     DBTLS_SEV_MEDIUM, "cannot be told (no --sql)"},
    {"zero-configuration: the clients named", fx_zero_shape, NULL, "cert.auto-generated", 1, -1,
     "MariaDB 11.4 zero-configuration TLS (from the certificate's shape"},
    {"zero-configuration replaces cert.self-signed", fx_zero_shape, NULL, "cert.self-signed", 0, -1,
     NULL},
    {"zero-configuration replaces cert.untrusted", fx_zero_shape, NULL, "cert.untrusted", 0, -1,
     NULL},
    {"MariaDB 10.11 self-signed 'MariaDB' leaf: no zero-configuration", fx_zero_shape_1011, NULL,
     "cert.auto-generated", 0, -1, NULL},
    {"MariaDB 10.11 self-signed 'MariaDB' leaf: self-signed", fx_zero_shape_1011, NULL,
     "cert.self-signed", 1, -1, NULL},
    {"MariaDB 10.11 self-signed 'MariaDB' leaf: untrusted", fx_zero_shape_1011, NULL,
     "cert.untrusted", 1, -1, NULL},
    {"zero-configuration, --sql: accounts that cannot verify", fx_zero_sql_mixed, NULL,
     "cert.auto-generated", 1, DBTLS_SEV_MEDIUM,
     "the password-derived check cannot work for web@10.% (no password), sso@% (pam); 1 of 3 "
     "network accounts qualify"},
    {"zero-configuration, --sql: ssl_cert empty is certain", fx_zero_sql_mixed, NULL,
     "cert.auto-generated", 1, -1, "the server's ssl_cert is empty"},
    {"zero-configuration, --sql: every account qualifies", fx_zero_sql_all, NULL,
     "cert.auto-generated", 1, DBTLS_SEV_LOW, "2 of 2 network accounts qualify"},
    {"ssl_cert configured: not zero-configuration", fx_zero_sql_configured, NULL,
     "cert.auto-generated", 0, -1, NULL},
    {"ssl_cert configured: self-signed", fx_zero_sql_configured, NULL, "cert.self-signed", 1, -1,
     NULL},
    {"not checked is not revoked", NULL, NULL, "cert.revoked", 0, -1, NULL},
    {"good", fx_rev_good, NULL, "cert.revoked", 0, -1, NULL},
    {"revoked leaf", fx_revoked, NULL, "cert.revoked", 1, DBTLS_SEV_CRITICAL,
     "revoked on 2026-09-01T00:00:00Z, reason keyCompromise"},
    {"status known", fx_rev_good, NULL, "cert.revocation-unavailable", 0, -1, NULL},
    {"hard-fail: unavailable", fx_rev_unavailable, NULL, "cert.revocation-unavailable", 1,
     DBTLS_SEV_MEDIUM, "no OCSP URL, no CRL distribution point"},
    {"soft-fail: a note", fx_rev_unavailable, px_soft_fail, "cert.revocation-unavailable", 1,
     DBTLS_SEV_INFO, "cannot be determined"},
    {"rotation not asked", NULL, NULL, "ca-rotation.not-ready", 0, -1, NULL},
    {"ready for the new CA", fx_rotation_ready, NULL, "ca-rotation.not-ready", 0, -1, NULL},
    {"not ready for the new CA", fx_rotation_not_ready, NULL, "ca-rotation.not-ready", 1,
     DBTLS_SEV_HIGH, "today's anchor: CN=Root CA"},
    {"anchor far from expiry", fx_anchor_far, NULL, "ca-rotation.anchor-expiring", 0, -1, NULL},
    {"anchor expires in 10 days", fx_anchor_expiring, NULL, "ca-rotation.anchor-expiring", 1,
     DBTLS_SEV_MEDIUM, "expires in 10 days"},

    /* xmpp */
    {"STARTTLS required", fx_xmpp_required, NULL, "xmpp.starttls-optional", 0, -1, NULL},
    {"not XMPP", NULL, NULL, "xmpp.starttls-optional", 0, -1, NULL},
    {"STARTTLS optional", fx_xmpp_optional_scram, NULL, "xmpp.starttls-optional", 1,
     DBTLS_SEV_MEDIUM, "without <required/>"},
    {"no mechanisms before TLS", fx_xmpp_required, NULL, "xmpp.auth-before-tls", 0, -1, NULL},
    {"only SCRAM before TLS", fx_xmpp_optional_scram, NULL, "xmpp.auth-before-tls", 0, -1, NULL},
    {"PLAIN before TLS", fx_xmpp_optional_plain, NULL, "xmpp.auth-before-tls", 1, DBTLS_SEV_HIGH,
     "DIGEST-MD5, PLAIN"},
    /* clients */
    {"no --clients", NULL, NULL, "clients.would-break", 0, -1, NULL},
    {"a client not in use fails", fx_client_breaks_unused, NULL, "clients.would-break", 0, -1,
     NULL},
    {"a client in use connects unverified", fx_client_unverified, NULL, "clients.would-break", 0,
     -1, NULL},
    {"a client in use fails after the change", fx_client_breaks, NULL, "clients.would-break", 1,
     DBTLS_SEV_HIGH, "go-sql-driver-mysql (proposed configuration): no common suite"},

    /* drift */
    {"versions as pinned", NULL, NULL, "drift.versions", 0, -1, NULL},
    {"pin for another target", fx_tls10, px_pin_other_target, "drift.versions", 1, -1,
     "could not be evaluated: the policy has no pin for this endpoint"},
    {"exact pin before catch-all", NULL, px_catch_all_first, "drift.versions", 0, -1, NULL},
    {"errored version is unknown", fx_tls12_error, NULL, "drift.versions", 0, -1, NULL},
    {"TLS 1.0 added", fx_tls10, NULL, "drift.versions", 1, DBTLS_SEV_HIGH,
     "added: TLSv1.0; removed: —"},
    {"catch-all pin", NULL, px_catch_all_only, "drift.versions", 1, -1,
     "added: TLSv1.2; removed: —"},
    {"no TLS any more", fx_no_tls, NULL, "drift.versions", 1, -1,
     "added: —; removed: TLSv1.2, TLSv1.3"},
    {"suites as pinned", NULL, NULL, "drift.suites", 0, -1, NULL},
    {"suites not enumerated", fx_suites_unknown, NULL, "drift.suites", 0, -1, NULL},
    {"suites changed", fx_suites_changed, NULL, "drift.suites", 1, -1,
     "added: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA; removed: TLS_AES_256_GCM_SHA384"},
    {"groups as pinned", NULL, NULL, "drift.groups", 0, -1, NULL},
    {"group removed", fx_one_group, NULL, "drift.groups", 1, -1, "added: —; removed: secp256r1"},
    {"issuer as pinned", NULL, NULL, "drift.issuer", 0, -1, NULL},
    {"no chain to compare", fx_no_chain, NULL, "drift.issuer", 0, -1, NULL},
    {"issuer changed", fx_new_issuer, NULL, "drift.issuer", 1, -1,
     "pinned: CN=Int CA; now: CN=Other CA"},
    {"key type as pinned", NULL, NULL, "drift.key-type", 0, -1, NULL},
    {"key type changed", NULL, px_pin_rsa2048, "drift.key-type", 1, -1,
     "from RSA 2048 to RSA 3072"},
    {"leaf as pinned", NULL, NULL, "drift.leaf", 0, -1, NULL},
    {"leaf replaced", fx_new_leaf, NULL, "drift.leaf", 1, DBTLS_SEV_INFO,
     "The leaf certificate was replaced"},
    /* handshake facts */
    {"hygiene not probed", NULL, NULL, "hygiene.insecure-renegotiation", 0, -1, NULL},
    {"renegotiation_info", fx_hy_good, NULL, "hygiene.insecure-renegotiation", 0, -1, NULL},
    {"renegotiation unknown", fx_hy_unknown, NULL, "hygiene.insecure-renegotiation", 0, -1, NULL},
    {"no renegotiation_info", fx_hy_bad, NULL, "hygiene.insecure-renegotiation", 1, -1,
     "renegotiation_info"},
    {"EMS", fx_hy_good, NULL, "hygiene.no-extended-master-secret", 0, -1, NULL},
    {"no EMS", fx_hy_bad, NULL, "hygiene.no-extended-master-secret", 1, -1, "RFC 7627"},
    {"no compression", fx_hy_good, NULL, "hygiene.compression", 0, -1, NULL},
    {"compression", fx_hy_bad, NULL, "hygiene.compression", 1, DBTLS_SEV_HIGH, "DEFLATE"},
    {"SCSV honoured", fx_hy_good, NULL, "hygiene.no-fallback-scsv", 0, -1, NULL},
    {"SCSV untestable", fx_hy_unknown, NULL, "hygiene.no-fallback-scsv", 0, -1, NULL},
    {"SCSV ignored", fx_hy_bad, NULL, "hygiene.no-fallback-scsv", 1, -1, "TLS_FALLBACK_SCSV"},
    {"no CBC: ETM moot", fx_hy_good, NULL, "hygiene.cbc-without-etm", 0, -1, NULL},
    {"CBC without ETM", fx_hy_bad, NULL, "hygiene.cbc-without-etm", 1, -1, "encrypt_then_mac"},
    {"no Heartbleed", fx_hy_good, NULL, "vuln.heartbleed", 0, -1, NULL},
    {"Heartbleed unknown", fx_hy_unknown, NULL, "vuln.heartbleed", 0, -1, NULL},
    {"Heartbleed", fx_hy_bad, NULL, "vuln.heartbleed", 1, DBTLS_SEV_CRITICAL, "83 bytes"},
    {"no CCS injection", fx_hy_good, NULL, "vuln.ccs-injection", 0, -1, NULL},
    {"CCS injection unknown", fx_hy_unknown, NULL, "vuln.ccs-injection", 0, -1, NULL},
    {"CCS injection", fx_hy_bad, NULL, "vuln.ccs-injection", 1, DBTLS_SEV_CRITICAL, "silence"},
    {"no DHE prime", fx_hy_good, NULL, "vuln.weak-dh-prime", 0, -1, NULL},
    {"Oakley group 2", fx_hy_bad, NULL, "vuln.weak-dh-prime", 1, DBTLS_SEV_HIGH, "Oakley"},
    {"composite DH modulus", fx_dh_composite, NULL, "vuln.weak-dh-prime", 1, DBTLS_SEV_CRITICAL,
     "not a prime"},
    {"PQ groups not probed", NULL, NULL, "kex.no-post-quantum", 0, -1, NULL},
    {"X25519MLKEM768 accepted", fx_pq, NULL, "kex.no-post-quantum", 0, -1, NULL},
    {"no PQ group", fx_hy_good, NULL, "kex.no-post-quantum", 1, DBTLS_SEV_LOW, "x25519"},
    {"ticket not read (older report)", NULL, NULL, "hygiene.ticket-lifetime", 0, -1, NULL},
    {"ticket 2 h", fx_ticket_2h, NULL, "hygiene.ticket-lifetime", 0, -1, NULL},
    {"TLS 1.3 ticket of exactly 7 days", fx_ticket13_7d, NULL, "hygiene.ticket-lifetime", 0, -1,
     NULL},
    {"TLS 1.3 ticket could not be read", fx_ticket13_unknown, NULL, "hygiene.ticket-lifetime", 0,
     -1, NULL},
    {"TLS 1.2 hint 0 (unspecified)", fx_ticket12_unspecified, NULL, "hygiene.ticket-lifetime", 0,
     -1, NULL},
    {"TLS 1.3 ticket of 8 days", fx_ticket13_8d, NULL, "hygiene.ticket-lifetime", 1,
     DBTLS_SEV_MEDIUM, "RFC 8446 allows at most 604800 s"},
    {"TLS 1.3 8 days: the title names RFC 8446", fx_ticket13_8d, NULL, "hygiene.ticket-lifetime", 1,
     -1, "beyond RFC 8446's 7-day maximum"},
    {"TLS 1.3 8 days under a 30-day profile limit", fx_ticket13_8d, px_ticket_30d,
     "hygiene.ticket-lifetime", 1, -1, "604800"},
    {"TLS 1.2 ticket of 30 days", fx_ticket12_30d, NULL, "hygiene.ticket-lifetime", 1, -1,
     "2592000 s (30.0 days)"},
    {"TLS 1.2 30 days allowed by the profile", fx_ticket12_30d, px_ticket_30d,
     "hygiene.ticket-lifetime", 0, -1, NULL},
    {"2 h above a 1 h profile limit", fx_ticket_2h, px_ticket_1h, "hygiene.ticket-lifetime", 1, -1,
     "the profile allows at most 3600 s"},
};

/* Runs row r; returns false (after printing why) when it does not hold. */
static bool t_run_row(const struct row *r)
{
	const struct dbtls_check *c = dbtls_check_find(r->id);
	struct dbtls_endpoint_facts f;
	struct dbtls_findings fs = {0};
	const struct dbtls_finding *fd;
	struct t_policy tp;
	bool ok = true;
	size_t n;

	if (!c) {
		print_error("%s: no check %s\n", r->name, r->id);
		return false;
	}
	t_good(&f);
	if (r->facts)
		r->facts(&f);
	t_policy_init(&tp);
	if (r->params)
		r->params(&tp.p);
	dbtls_checks_run(&tp.p, &f, NOW, &fs);
	fd = fx_first(&fs, r->id, &n);
	if (fs.oom) {
		print_error("%s: out of memory\n", r->name);
		ok = false;
	} else {
		ok = fx_judge(
		    r->name, c, fd, n,
		    &(struct fx_expect){.n = r->n, .severity = r->severity, .substr = r->substr});
	}
	dbtls_findings_free(&fs);
	dbtls_endpoint_facts_free(&f);
	t_policy_fini(&tp);
	return ok;
}

static void test_rows(void **state)
{
	size_t bad = 0;

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++)
		bad += !t_run_row(&rows[i]);
	assert_int_equal(bad, 0);
}

/* Every registered check has a passing and a failing row. */
static void test_rows_cover_registry(void **state)
{
	size_t n, bad = 0;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		bool pass = false, fail = false;

		/* the sql.* family judges SQL-login facts; its rows, under the same rule, are in
		 * tests/unit/test_sql.c */
		if (strncmp(all[i]->id, "sql.", 4) == 0)
			continue;
		/* checks of files (dbtls audit) have their rows in tests/unit/test_audit_checks.c
		 */
		if (all[i]->subject != DBTLS_SUBJECT_ENDPOINT)
			continue;
		for (size_t j = 0; j < NELEM(rows); j++) {
			if (strcmp(rows[j].id, all[i]->id) != 0)
				continue;
			pass |= rows[j].n == 0;
			fail |= rows[j].n > 0;
		}
		if (!pass || !fail) {
			print_error("%s: no %s row\n", all[i]->id, pass ? "failing" : "passing");
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The compliant endpoint passes everything. */
static void test_clean_endpoint(void **state)
{
	struct dbtls_endpoint_facts f;
	struct dbtls_findings fs = {0};
	struct t_policy tp;

	(void)state;
	t_good(&f);
	t_policy_init(&tp);
	dbtls_checks_run(&tp.p, &f, NOW, &fs);
	for (size_t i = 0; i < fs.n; i++)
		print_error("unexpected: %s: %s\n", fs.items[i].check, fs.items[i].title);
	assert_int_equal(fs.n, 0);
	dbtls_findings_free(&fs);
	dbtls_endpoint_facts_free(&f);
	t_policy_fini(&tp);
}

/* An endpoint whose scan failed at connect has no facts, and no check claims anything. */
static void test_errored_endpoint_is_silent(void **state)
{
	struct dbtls_endpoint_facts f;
	struct dbtls_findings fs = {0};
	struct t_policy tp;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.target = t_strdup("mysql://db1:3306");
	f.protocol = t_strdup("mysql");
	f.host = t_strdup("db1");
	f.tls_offered = -1;
	f.groups_version = -1;
	assert_int_equal(
	    dbtls_facts_add_error(&f, DBTLS_ERR_REFUSED, "connect", "connection refused"),
	    DBTLS_OK);
	t_policy_init(&tp);
	tp.pins[1] = tp.pins[0];
	tp.pins[1].target = NULL;
	tp.p.npins = 2;
	tp.p.params.min_version = DBTLS_TLS13;
	dbtls_checks_run(&tp.p, &f, NOW, &fs);
	for (size_t i = 0; i < fs.n; i++)
		print_error("unexpected: %s: %s\n", fs.items[i].check, fs.items[i].title);
	assert_int_equal(fs.n, 0);
	assert_false(fs.oom);
	dbtls_findings_free(&fs);

	/* an error after TLS was seen: what was learned still counts, drift is not judged */
	t_policy_fini(&tp);
	dbtls_endpoint_facts_free(&f);
	t_good(&f);
	fx_tls10(&f);
	assert_int_equal(dbtls_facts_add_error(&f, DBTLS_ERR_TIMEOUT, "probe groups", "timed out"),
			 DBTLS_OK);
	t_policy_init(&tp);
	dbtls_checks_run(&tp.p, &f, NOW, &fs);
	for (size_t i = 0; i < fs.n; i++)
		assert_true(strncmp(fs.items[i].check, "drift.", 6) != 0);
	assert_true(fs.n > 0); /* TLS 1.0 */
	dbtls_findings_free(&fs);
	dbtls_endpoint_facts_free(&f);
	t_policy_fini(&tp);
}

/* Facts with holes everywhere: nothing crashes, every finding is complete. */
static void test_partial_facts(void **state)
{
	struct dbtls_endpoint_facts f;
	struct dbtls_findings fs = {0};
	struct t_policy tp;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.tls_offered = 1;
	f.groups_version = -1;
	f.versions[DBTLS_TLS12].status = DBTLS_VS_ACCEPTED; /* no suites, no cipher, no reason */
	f.versions[DBTLS_TLS13].status = DBTLS_VS_REJECTED;
	f.certs = calloc(2, sizeof(*f.certs)); /* every string NULL, every time 0 */
	assert_non_null(f.certs);
	f.ncerts = 2;
	f.certs[0].self_signed = true;
	f.certs[1].key_bits = 512;
	f.verification.done = true; /* and ca_ok, hostname_ok false, error NULL */
	f.dh_bits = 512;
	t_policy_init(&tp);
	tp.pins[0].target = NULL;
	tp.p.params.forbidden_sig_hashes = ~0u;
	dbtls_checks_run(&tp.p, &f, NOW, &fs);
	assert_false(fs.oom);
	for (size_t i = 0; i < fs.n; i++) {
		assert_non_null(fs.items[i].title);
		assert_non_null(fs.items[i].evidence);
		assert_non_null(fs.items[i].remediation);
		/* nothing about dates that are unknown */
		assert_true(strcmp(fs.items[i].check, "cert.expired") != 0);
		assert_true(strcmp(fs.items[i].check, "cert.not-yet-valid") != 0);
		assert_true(strcmp(fs.items[i].check, "cert.expiring") != 0);
		/* nor drift over facts that were never collected */
		assert_true(strcmp(fs.items[i].check, "drift.suites") != 0);
		assert_true(strcmp(fs.items[i].check, "drift.groups") != 0);
	}
	dbtls_findings_free(&fs);
	dbtls_endpoint_facts_free(&f);

	/* the empty struct: TLS status 0 is "offers no TLS", which is one finding */
	memset(&f, 0, sizeof(f));
	dbtls_checks_run(&tp.p, &f, NOW, &fs);
	assert_false(fs.oom);
	dbtls_findings_free(&fs);
	t_policy_fini(&tp);
}

/* cert.expiring: the profile's severity outside cert_crit_days, critical inside, and computed
 * from ctx->now rather than the scan-time days_left. */
static void test_expiring_raises_to_critical(void **state)
{
	const struct dbtls_check *c = dbtls_check_find("cert.expiring");
	struct dbtls_endpoint_facts f;
	struct dbtls_findings fs = {0};
	struct t_policy tp;
	struct dbtls_check_ctx ctx;

	(void)state;
	assert_non_null(c);
	t_good(&f);
	t_policy_init(&tp);
	ctx = (struct dbtls_check_ctx){.policy = &tp.p, .severity = DBTLS_SEV_LOW, .now = NOW};
	f.certs[0].not_before_t = NOW - 1000 * DAY; /* long-lived: the fixed ceilings apply */
	f.certs[0].not_after_t = NOW + 10 * DAY;
	f.certs[0].days_left = 300; /* stale: must be ignored */
	c->eval(c, &f, &ctx, &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].severity, DBTLS_SEV_LOW); /* the profile's */
	dbtls_findings_free(&fs);

	f.certs[0].not_after_t = NOW + 6 * DAY;
	c->eval(c, &f, &ctx, &fs);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.items[0].severity, DBTLS_SEV_CRITICAL);
	assert_non_null(strstr(fs.items[0].title, "6 days"));
	dbtls_findings_free(&fs);

	/* the same facts judged a week later: expired, so cert.expiring is silent */
	ctx.now = NOW + 7 * DAY;
	c->eval(c, &f, &ctx, &fs);
	assert_int_equal(fs.n, 0);
	dbtls_findings_free(&fs);

	dbtls_endpoint_facts_free(&f);
	t_policy_fini(&tp);
}

/* Remediation speaks the server's language: my.cnf lines for MySQL/MariaDB. */
static void test_remediation_mysql(void **state)
{
	struct dbtls_endpoint_facts f;
	struct dbtls_findings fs = {0};
	struct t_policy tp;
	size_t n;
	const struct dbtls_finding *fd;

	(void)state;
	t_good(&f);
	fx_tls10(&f);
	fx_rc4(&f);
	fx_leaf_expired(&f);
	t_policy_init(&tp);
	dbtls_checks_run(&tp.p, &f, NOW, &fs);
	fd = fx_first(&fs, "protocol.tls10-enabled", &n);
	assert_non_null(fd);
	assert_non_null(strstr(fd->remediation, "tls_version=TLSv1.2,TLSv1.3"));
	fd = fx_first(&fs, "suites.rc4", &n);
	assert_non_null(fd);
	assert_non_null(strstr(fd->remediation, "ssl_cipher="));
	assert_non_null(strstr(fd->remediation, "!RC4"));
	fd = fx_first(&fs, "cert.expired", &n);
	assert_non_null(fd);
	assert_non_null(strstr(fd->remediation, "ssl_cert="));
	assert_non_null(strstr(fd->remediation, "FLUSH SSL"));
	dbtls_findings_free(&fs);
	dbtls_endpoint_facts_free(&f);
	t_policy_fini(&tp);
}

/* The registry: unique, well-formed ids; every text present; references; the suites.<prop>
 * checks named exactly as the policy loader derives them from the property names. */
static void test_registry(void **state)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);
	regex_t re;

	(void)state;
	assert_true(n >= 42);
	assert_int_equal(
	    regcomp(&re, "^[a-z0-9][a-z0-9-]*(\\.[a-z0-9-]+)+$", REG_EXTENDED | REG_NOSUB), 0);
	for (size_t i = 0; i < n; i++) {
		const struct dbtls_check *c = all[i];

		assert_non_null(c->id);
		if (regexec(&re, c->id, 0, NULL, 0) != 0)
			fail_msg("bad id '%s'", c->id);
		for (size_t j = 0; j < i; j++)
			if (strcmp(all[j]->id, c->id) == 0)
				fail_msg("duplicate id '%s'", c->id);
		if (!c->title || !c->title[0] || !c->description || !c->description[0] || !c->fix ||
		    !c->fix[0])
			fail_msg("%s: empty title, description or fix", c->id);
		if (!c->references || !c->references[0])
			fail_msg("%s: no reference", c->id);
		if (!c->eval || (unsigned)c->default_severity >= DBTLS_NSEVERITIES)
			fail_msg("%s: no eval or bad severity", c->id);
		assert_ptr_equal(dbtls_check_find(c->id), c);
	}
	regfree(&re);
	for (uint32_t bit = DBTLS_PROP_EXPORT; bit <= DBTLS_PROP_SEED_IDEA; bit <<= 1) {
		char id[64];

		snprintf(id, sizeof(id), "suites.%s", dbtls_suite_prop_name(bit));
		for (char *p = id; *p; p++)
			if (*p == '_')
				*p = '-';
		if (!dbtls_check_find(id))
			fail_msg("no check %s for property bit 0x%x", id, bit);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_rows_cover_registry),
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_clean_endpoint),
	    cmocka_unit_test(test_errored_endpoint_is_silent),
	    cmocka_unit_test(test_partial_facts),
	    cmocka_unit_test(test_expiring_raises_to_critical),
	    cmocka_unit_test(test_remediation_mysql),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
