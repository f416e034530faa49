/* SPDX-License-Identifier: MIT */
/*
 * test_sim.c — the client-impact simulation (src/sim): every built-in profile parses, and
 * table-driven rows {endpoint facts, profile, proposal} -> {outcome, version, suite, group,
 * reason}.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/sim/sim.h"

static void load(const char *name, struct dbtls_client_profile *p)
{
	struct dbtls_diag d = {0};

	for (size_t i = 0; i < dbtls_nbuiltin_clients; i++)
		if (strcmp(dbtls_builtin_clients[i].name, name) == 0) {
			const char *j = dbtls_builtin_clients[i].json;

			assert_int_equal(dbtls_client_profile_parse(j, strlen(j), p, &d), DBTLS_OK);
			return;
		}
	fail_msg("no built-in profile %s", name);
}

static void test_builtins_parse(void **state)
{
	(void)state;
	assert_true(dbtls_nbuiltin_clients >= 8);
	for (size_t i = 0; i < dbtls_nbuiltin_clients; i++) {
		struct dbtls_client_profile p;

		load(dbtls_builtin_clients[i].name, &p);
		assert_string_equal(p.name, dbtls_builtin_clients[i].name);
		assert_true(p.nsuites > 0);
		assert_non_null(strstr(p.provenance, "recorded here")
				    ? p.provenance
				    : strstr(p.provenance, "documented"));
		dbtls_client_profile_free(&p);
	}
}

/* A MariaDB-like endpoint: TLS 1.2 and 1.3, RSA 2048 leaf, chain verified against a CA file. */
static uint32_t s13[] = {0x1302, 0x1303, 0x1301};
static uint32_t s12[] = {0xc030, 0xc02f, 0x009f};
static uint32_t s12_dhe[] = {0x009f, 0x009e};
static uint32_t s10[] = {0xc014, 0x0035};
static uint32_t s10_dhe[] = {0x0039, 0x0033};
static uint32_t s12_order[] = {0xc02f, 0xc030};
static uint16_t grp[] = {0x001d, 0x0017, 0x0018};
static struct dbtls_cert rsa_leaf = {.key_type = "RSA", .key_bits = 2048, .subject = "CN=db"};
static struct dbtls_cert ec384_leaf = {.key_type = "EC", .key_bits = 384, .curve = "secp384r1"};

static void endpoint(struct dbtls_endpoint_facts *e)
{
	memset(e, 0, sizeof(*e));
	e->tls_offered = 1;
	e->versions[DBTLS_TLS12] = (struct dbtls_version_facts){
	    .status = DBTLS_VS_ACCEPTED, .suites = s12, .nsuites = 3, .server_order = 0};
	e->versions[DBTLS_TLS13] = (struct dbtls_version_facts){
	    .status = DBTLS_VS_ACCEPTED, .suites = s13, .nsuites = 3, .server_order = 0};
	e->versions[DBTLS_TLS10].status = DBTLS_VS_REJECTED;
	e->versions[DBTLS_TLS11].status = DBTLS_VS_REJECTED;
	e->groups = grp;
	e->ngroups = 3;
	e->dh_bits = 2048;
	e->certs = &rsa_leaf;
	e->ncerts = 1;
	e->verification.done = true;
	e->verification.ca_ok = true;
	e->verification.hostname_ok = true;
	e->verification.ca_source = "/etc/db/ca.pem";
}

enum variant {
	V_PLAIN,
	V_TLS10_ONLY,
	V_DHE_1024,
	V_EC384,
	V_SERVER_ORDER,
	V_SYSTEM_CA,
	V_BAD_CHAIN,
	V_NO_TLS,
	V_TLS10_DHE,
	V_DHE_3072
};

struct row {
	const char *client;
	enum variant v;
	const char *proposed_versions; /* NULL: current */
	const char *outcome, *version, *suite, *group, *reason_has;
};

static const struct row rows[] = {
    {"psql", V_PLAIN, NULL, "connects_unverified", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "x25519",
     "does not verify"},
    {"mariadb-cli", V_TLS10_ONLY, NULL, "connects_unverified", "TLSv1.0",
     "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "x25519", NULL},
    {"psql", V_TLS10_ONLY, NULL, "fails", NULL, NULL, NULL, "no common version"},
    {"psql", V_DHE_1024, NULL, "fails", "TLSv1.2", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DH 1024",
     "DH too small"},
    {"pgjdbc", V_DHE_1024, NULL, "connects_unverified", "TLSv1.2",
     "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DH 1024", NULL},
    {"go-sql-driver-mysql", V_DHE_1024, NULL, "fails", "TLSv1.2", NULL, NULL, "no common suite"},
    {"go-sql-driver-mysql", V_PLAIN, NULL, "fails", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "x25519",
     "default trust store"},
    {"go-sql-driver-mysql", V_SYSTEM_CA, NULL, "connects", "TLSv1.3", "TLS_AES_128_GCM_SHA256",
     "x25519", NULL},
    {"go-sql-driver-mysql", V_BAD_CHAIN, NULL, "fails", "TLSv1.3", "TLS_AES_128_GCM_SHA256",
     "x25519", "does not verify"},
    {"node-pg", V_SERVER_ORDER, "TLSv1.2", "fails", "TLSv1.2",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "x25519", "default trust store"},
    {"mariadb-cli", V_SERVER_ORDER, "TLSv1.2", "connects_unverified", "TLSv1.2",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "x25519", NULL},
    {"psql", V_PLAIN, "TLSv1.1", "fails", NULL, NULL, NULL, "no common version"},
    /* a version turned on that the scan saw refused: no suite list, so no guess */
    {"mariadb-cli", V_PLAIN, "TLSv1.1", "unknown", "TLSv1.1", NULL, NULL, "no suite list"},
    {"mariadb-connector-j", V_EC384, NULL, "fails", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "x25519",
     "default trust store"},
    {"psql", V_NO_TLS, NULL, "fails", NULL, NULL, NULL, "offers no TLS"},
    /* the documented field failures */
    {"mysql-connector-j-5.1", V_PLAIN, NULL, "fails", NULL, NULL, NULL,
     "no common version (server: TLSv1.2 TLSv1.3; client: TLSv1.0 TLSv1.1)"},
    {"libmysqlclient-yassl", V_PLAIN, NULL, "fails", NULL, NULL, NULL, "no common version"},
    {"jdk7-jsse", V_TLS10_DHE, NULL, "fails", "TLSv1.0", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
     "DH 2048", "DH too large for it (2048 bits"},
    {"jdk8-jsse", V_DHE_3072, NULL, "fails", "TLSv1.2", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
     "DH 3072", "DH too large"},
    {"jdk8-jsse", V_DHE_1024, NULL, "connects_unverified", "TLSv1.2",
     "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DH 1024", NULL},
    {"psql", V_TLS10_DHE, NULL, "fails", NULL, NULL, NULL, "no common version"},
};

static void check_str(const char *what, const char *want, const char *got, size_t row)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(want, got) != 0)
		fail_msg("row %zu: %s: want %s, got %s", row, what, want ? want : "(null)",
			 got ? got : "(null)");
}

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct dbtls_endpoint_facts e;
		struct dbtls_client_profile p;
		struct dbtls_sim_proposal pr = {0};
		struct dbtls_client_sim out;

		endpoint(&e);
		switch (r->v) {
		case V_TLS10_ONLY:
			e.versions[DBTLS_TLS12].status = DBTLS_VS_REJECTED;
			e.versions[DBTLS_TLS13].status = DBTLS_VS_REJECTED;
			e.versions[DBTLS_TLS10] =
			    (struct dbtls_version_facts){.status = DBTLS_VS_ACCEPTED,
							 .suites = s10,
							 .nsuites = 2,
							 .server_order = 1};
			break;
		case V_DHE_1024:
			e.versions[DBTLS_TLS13].status = DBTLS_VS_REJECTED;
			e.versions[DBTLS_TLS12].suites = s12_dhe;
			e.versions[DBTLS_TLS12].nsuites = 2;
			e.dh_bits = 1024;
			break;
		case V_EC384:
			e.certs = &ec384_leaf;
			break;
		case V_SERVER_ORDER:
			e.versions[DBTLS_TLS12].suites = s12_order;
			e.versions[DBTLS_TLS12].nsuites = 2;
			e.versions[DBTLS_TLS12].server_order = 1;
			break;
		case V_SYSTEM_CA:
			e.verification.ca_source = "system";
			break;
		case V_BAD_CHAIN:
			e.verification.ca_source = "system";
			e.verification.ca_ok = false;
			e.verification.error = "unable to get local issuer certificate";
			break;
		case V_NO_TLS:
			e.tls_offered = 0;
			break;
		case V_TLS10_DHE:
			e.versions[DBTLS_TLS12].status = DBTLS_VS_REJECTED;
			e.versions[DBTLS_TLS13].status = DBTLS_VS_REJECTED;
			e.versions[DBTLS_TLS10] =
			    (struct dbtls_version_facts){.status = DBTLS_VS_ACCEPTED,
							 .suites = s10_dhe,
							 .nsuites = 2,
							 .server_order = 0};
			break;
		case V_DHE_3072:
			e.versions[DBTLS_TLS13].status = DBTLS_VS_REJECTED;
			e.versions[DBTLS_TLS12].suites = s12_dhe;
			e.versions[DBTLS_TLS12].nsuites = 2;
			e.dh_bits = 3072;
			break;
		case V_PLAIN:
			break;
		}
		load(r->client, &p);
		if (r->proposed_versions) {
			pr.has_versions = true;
			assert_true(dbtls_sim_versions_parse(r->proposed_versions, pr.versions));
		}
		assert_int_equal(dbtls_sim_run(&e, &p, r->proposed_versions ? &pr : NULL, &out),
				 DBTLS_OK);
		check_str("outcome", r->outcome, out.outcome, i);
		check_str("version", r->version, out.version, i);
		check_str("suite", r->suite, out.suite, i);
		check_str("group", r->group, out.group, i);
		if (r->reason_has && (!out.reason || !strstr(out.reason, r->reason_has)))
			fail_msg("row %zu: reason %s lacks '%s'", i,
				 out.reason ? out.reason : "(null)", r->reason_has);
		check_str("config", r->proposed_versions ? "proposed" : "current", out.config, i);
		dbtls_client_sim_free(&out);
		dbtls_client_profile_free(&p);
	}
}

/* A proposed chain: an RSA leaf under an ECC P-384 intermediate, judged by a client that knows
 * only P-256 (the 2024 RDS rotation to ECC-384 roots), and by the proposal's bundle. */
static void test_proposed_chain(void **state)
{
	static const char old_client[] =
	    "{\"name\": \"old\", \"protocol\": \"mysql\", \"provenance\": \"documented: test\","
	    " \"versions\": [\"TLSv1.2\"], \"suites\": [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"],"
	    " \"groups\": [\"secp256r1\"], \"signature_algorithms\": [\"rsa_pkcs1_sha256\","
	    " \"ecdsa_secp256r1_sha256\"], \"verify\": \"verify-ca\", \"trust_store\": "
	    "\"configured\"}";
	struct dbtls_cert chain[2] = {
	    {.key_type = "RSA", .key_bits = 2048, .subject = "CN=db"},
	    {.key_type = "EC", .key_bits = 384, .curve = "secp384r1", .subject = "CN=ECC-384 CA"},
	};
	struct dbtls_sim_proposal pr = {
	    .certs = chain, .ncerts = 2, .chain_verifies = 1, .ca_private = true};
	struct dbtls_client_profile p, go;
	struct dbtls_endpoint_facts e;
	struct dbtls_client_sim out;
	struct dbtls_diag d = {0};

	(void)state;
	endpoint(&e);
	assert_int_equal(dbtls_client_profile_parse(old_client, strlen(old_client), &p, &d),
			 DBTLS_OK);
	assert_int_equal(dbtls_sim_run(&e, &p, &pr, &out), DBTLS_OK);
	assert_string_equal(out.outcome, "fails");
	assert_non_null(strstr(out.reason, "certificate signature unsupported (EC secp384r1"));
	dbtls_client_sim_free(&out);
	/* a P-256 issuer is fine, and the client is given its CA: connects */
	chain[1].curve = "prime256v1";
	assert_int_equal(dbtls_sim_run(&e, &p, &pr, &out), DBTLS_OK);
	assert_string_equal(out.outcome, "connects");
	assert_string_equal(out.suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	dbtls_client_sim_free(&out);
	/* a system-trust client does not have a private CA */
	load("go-sql-driver-mysql", &go);
	assert_int_equal(dbtls_sim_run(&e, &go, &pr, &out), DBTLS_OK);
	assert_string_equal(out.outcome, "fails");
	assert_non_null(strstr(out.reason, "default trust store (system)"));
	dbtls_client_sim_free(&out);
	/* the chain does not verify against the proposed bundle */
	pr.chain_verifies = 0;
	pr.chain_error = "unable to get local issuer certificate";
	assert_int_equal(dbtls_sim_run(&e, &go, &pr, &out), DBTLS_OK);
	assert_string_equal(out.outcome, "fails");
	assert_non_null(strstr(out.reason, "unable to get local issuer certificate"));
	dbtls_client_sim_free(&out);
	/* no bundle in the proposal: not known, never "connects" */
	pr.chain_verifies = -1;
	assert_int_equal(dbtls_sim_run(&e, &go, &pr, &out), DBTLS_OK);
	assert_string_equal(out.outcome, "unknown");
	dbtls_client_sim_free(&out);
	dbtls_client_profile_free(&p);
	dbtls_client_profile_free(&go);
}

static void test_versions_parse(void **state)
{
	bool v[DBTLS_NVERSIONS];

	(void)state;
	assert_true(dbtls_sim_versions_parse("TLSv1.2,TLSv1.3", v));
	assert_true(v[DBTLS_TLS12] && v[DBTLS_TLS13] && !v[DBTLS_TLS11]);
	assert_true(dbtls_sim_versions_parse("tlsv1.3", v));
	assert_true(v[DBTLS_TLS13] && !v[DBTLS_TLS12]);
	assert_false(dbtls_sim_versions_parse("TLSv1.4", v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtins_parse),
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_proposed_chain),
	    cmocka_unit_test(test_versions_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
