/* SPDX-License-Identifier: MIT */
/*
 * test_house.c — the house rules: the check-side plug-in tables (the fix-text registry, one
 * product per file with a base chain that ends in generic; the table of subject kinds), the one
 * finding-add helper's ownership rule (copies, frees nothing, NULL = out of memory), and
 * x_free(NULL) doing nothing for every public *_free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/policy/policy.h"
#include "checks/remedy/remedy.h"
#include "src/core/buf.h"
#include "src/wire/revocation.h"
#include "src/scan/scan.h"
#include "src/wire/handshake.h"
#include "tests/unit/fixtures.h"

static void test_products(void **state)
{
	size_t n;
	const struct dbtls_remedy_product *const *all = dbtls_remedy_products(&n);
	const struct dbtls_remedy_product *g = &dbtls_remedy_generic;
	(void)state;

	assert_true(n >= 3);
	assert_ptr_equal(all[n - 1], g); /* generic matches everything: it must come last */
	for (size_t i = 0; i < n; i++) {
		const struct dbtls_remedy_product *p = all[i];
		size_t depth = 0;

		assert_non_null(p->name);
		assert_non_null(p->matches);
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(p->name, all[j]->name);
		/* every base chain ends in generic, without loops */
		while (p->base && depth++ < 8)
			p = p->base;
		assert_ptr_equal(p, g);
	}
	/* generic has every text, so no product can leave a check without a fix */
	assert_non_null(g->versions);
	assert_non_null(g->suites);
	assert_non_null(g->cert);
	assert_non_null(g->not_offered);
	assert_non_null(g->not_offered_evidence);
	assert_non_null(g->tls13);
	assert_non_null(g->dh_prime);
	assert_non_null(g->groups);
	assert_non_null(g->server_order);
	assert_non_null(g->ca_rotation);
	assert_non_null(g->require_tls);
}

static void test_lookup(void **state)
{
	struct dbtls_endpoint_facts f = {0};
	char *t;
	(void)state;

	f.protocol = "mysql";
	f.server.product = "MariaDB";
	assert_ptr_equal(dbtls_remedy_for(&f), &dbtls_remedy_mariadb);
	f.server.product = "MySQL";
	assert_ptr_equal(dbtls_remedy_for(&f), &dbtls_remedy_mysql);
	f.server.product = NULL;
	assert_ptr_equal(dbtls_remedy_for(&f), &dbtls_remedy_mysql);
	f.protocol = "tls";
	f.server.product = "MariaDB"; /* a product name alone does not make the MySQL protocol */
	assert_ptr_equal(dbtls_remedy_for(&f), &dbtls_remedy_generic);
	f.protocol = NULL;
	assert_ptr_equal(dbtls_remedy_for(&f), &dbtls_remedy_generic);

	/* MariaDB's own text where it has one, MySQL's (its base) where it has none */
	f.protocol = "mysql";
	f.server.product = "MariaDB";
	t = dbtls_remedy_versions(&f, DBTLS_TLS12);
	assert_string_equal(t,
			    "In the server's my.cnf, section [mysqld]: tls_version=TLSv1.2,TLSv1.3 "
			    "(MariaDB 10.4.6+; restart mariadbd). Clients on old connectors need "
			    "TLS 1.2 support first.");
	free(t);
	t = dbtls_remedy_suites(&f, "X");
	assert_non_null(strstr(t, "[mysqld]: ssl_cipher=X (TLS 1.2"));
	free(t);
	/* never less than TLS 1.2, on any product */
	f.protocol = "tls";
	t = dbtls_remedy_versions(&f, DBTLS_SSL3);
	assert_string_equal(t, "Accept only TLSv1.2,TLSv1.3 on this endpoint's TLS terminator "
			       "(OpenSSL: MinProtocol = TLSv1.2).");
	free(t);
	t = dbtls_remedy_cert(&f, "Renew it.");
	assert_string_equal(t, "Renew it.");
	free(t);
	t = dbtls_remedy_server_order(&f, "S", "general fix");
	assert_string_equal(t, "general fix");
	free(t);
}

static void test_subject_kinds(void **state)
{
	size_t nk, nc;
	const struct dbtls_subject_kind_info *kinds = dbtls_subject_kinds(&nk);
	const struct dbtls_check *const *checks = dbtls_checks_all(&nc);
	(void)state;

	assert_true(nk >= 1);
	assert_int_equal(kinds[0].kind, DBTLS_SUBJECT_ENDPOINT); /* endpoints first: findings[i] */
	for (size_t i = 0; i < nk; i++) {
		assert_non_null(kinds[i].name);
		assert_non_null(kinds[i].count);
		assert_non_null(kinds[i].at);
		assert_non_null(kinds[i].id);
		assert_non_null(kinds[i].waiver_matches);
		assert_non_null(kinds[i].gathered);
		assert_non_null(kinds[i].call);
		assert_ptr_equal(dbtls_subject_kind_find(kinds[i].kind), &kinds[i]);
		for (size_t j = i + 1; j < nk; j++)
			assert_int_not_equal(kinds[i].kind, kinds[j].kind);
	}
	/* every check judges a kind the table knows, with its callback set */
	for (size_t i = 0; i < nc; i++) {
		assert_non_null(dbtls_subject_kind_find(checks[i]->subject));
		if (checks[i]->subject == DBTLS_SUBJECT_ENDPOINT)
			assert_non_null(checks[i]->eval);
	}
	assert_null(dbtls_subject_kind_find(DBTLS_NSUBJECT_KINDS));
}

static const struct dbtls_check chk_t = {.id = "test.one", .fix = "general"};

static void test_findings_add(void **state)
{
	struct dbtls_findings out = {0};
	struct dbtls_check_ctx ctx = {.severity = DBTLS_SEV_LOW};
	struct dbtls_str ev = {0}, title = {0};
	char buf[16] = "evidence";
	(void)state;

	/* copies: the caller's buffers stay the caller's */
	dbtls_findings_add(&out, &chk_t, &ctx, -1, buf, chk_t.fix, "t%d", 1);
	buf[0] = 'X';
	assert_int_equal(out.n, 1);
	assert_false(out.oom);
	assert_string_equal(out.items[0].evidence, "evidence");
	assert_string_equal(out.items[0].remediation, "general");
	assert_string_equal(out.items[0].title, "t1");
	assert_int_equal(out.items[0].severity, DBTLS_SEV_LOW);
	/* an empty dbtls_str is "", not out of memory */
	assert_string_equal(dbtls_str_get(&ev), "");
	dbtls_findings_add(&out, &chk_t, &ctx, DBTLS_SEV_HIGH, dbtls_str_get(&ev), "r", "t2");
	assert_int_equal(out.n, 2);
	assert_string_equal(out.items[1].evidence, "");
	assert_int_equal(out.items[1].severity, DBTLS_SEV_HIGH);
	/* NULL strings mean the caller ran out of memory: nothing added, the list says so */
	dbtls_findings_add(&out, &chk_t, &ctx, -1, NULL, "r", "t3");
	assert_int_equal(out.n, 2);
	assert_true(out.oom);
	out.oom = false;
	dbtls_findings_add(&out, &chk_t, &ctx, -1, "e", NULL, "t4");
	assert_int_equal(out.n, 2);
	assert_true(out.oom);
	out.oom = false;
	title.oom = true; /* a title built in a dbtls_str that failed */
	assert_null(dbtls_str_get(&title));
	dbtls_findings_add(&out, &chk_t, &ctx, -1, "e", "r", "%s", dbtls_str_get(&title));
	assert_int_equal(out.n, 2);
	assert_true(out.oom);
	dbtls_findings_free(&out);
	dbtls_findings_free(&out); /* freed lists are empty: a second free does nothing */
	dbtls_findings_free(NULL);
}

static void test_evaluation_subjects(void **state)
{
	struct dbtls_scan_facts s = {0};
	struct dbtls_endpoint_facts eps[2] = {{0}};
	struct dbtls_policy p;
	struct dbtls_diag d = {0};
	struct dbtls_evaluation ev;
	(void)state;

	eps[0].protocol = "MYSQL";
	eps[0].host = "DB1.";
	eps[0].port = 3306;
	eps[0].tls_offered = 0; /* tls.not-offered */
	eps[1].protocol = "tls";
	eps[1].host = "::1";
	eps[1].port = 8443;
	eps[1].tls_offered = -1;
	s.endpoints = eps;
	s.nendpoints = 2;
	assert_int_equal(dbtls_policy_load("baseline", &p, &d), DBTLS_OK);
	assert_int_equal(dbtls_evaluate(&p, NULL, &s, DBTLS_SEV_HIGH, 0, &ev), DBTLS_OK);
	assert_int_equal(ev.nsubjects, 2);
	assert_int_equal(ev.nendpoints, 2);
	assert_int_equal(ev.subjects[0].kind, DBTLS_SUBJECT_ENDPOINT);
	assert_ptr_equal(ev.subjects[0].facts, &eps[0]);
	assert_string_equal(ev.subjects[0].id, "mysql://db1:3306");
	assert_string_equal(ev.subjects[1].id, "tls://[::1]:8443");
	assert_int_equal(ev.findings[0].n, 1);
	assert_string_equal(ev.findings[0].items[0].check, "tls.not-offered");
	assert_int_equal(ev.findings[1].n, 0);
	assert_int_equal(ev.failed, 1);
	assert_int_equal(ev.errored, 1);
	dbtls_evaluation_free(&ev);
	dbtls_evaluation_free(&ev);
	dbtls_evaluation_free(NULL);
	dbtls_policy_free(&p);
	dbtls_policy_free(NULL);
}

/* The shared row judge can fail: each expectation it checks is tested once both ways. */
static void test_fixture_judge(void **state)
{
	static const char *const refs[] = {"RFC 0", NULL};
	const struct dbtls_check c = {
	    .id = "t.j", .default_severity = DBTLS_SEV_HIGH, .references = refs};
	struct dbtls_finding fd = {.check = "t.j",
				   .severity = DBTLS_SEV_HIGH,
				   .title = "title x",
				   .evidence = "",
				   .remediation = "fix y",
				   .references = refs};
	(void)state;

	assert_true(
	    fx_judge("ok", &c, &fd, 1,
		     &(struct fx_expect){.n = 1, .severity = -1, .substr = "x", .fix = "y"}));
	assert_true(fx_judge("none", &c, NULL, 0, &(struct fx_expect){.n = 0, .severity = -1}));
	assert_false(fx_judge("count", &c, &fd, 1, &(struct fx_expect){.n = 2, .severity = -1}));
	assert_false(fx_judge("severity", &c, &fd, 1,
			      &(struct fx_expect){.n = 1, .severity = DBTLS_SEV_LOW}));
	assert_false(fx_judge("substr", &c, &fd, 1,
			      &(struct fx_expect){.n = 1, .severity = -1, .substr = "z"}));
	assert_false(
	    fx_judge("fix", &c, &fd, 1, &(struct fx_expect){.n = 1, .severity = -1, .fix = "z"}));
	assert_false(
	    fx_judge("evidence", &c, &fd, 1,
		     &(struct fx_expect){.n = 1, .severity = -1, .evidence_required = true}));
}

static void test_free_null(void **state)
{
	struct dbtls_verification v = {0};
	struct dbtls_cert c = {0};
	(void)state;

	dbtls_verification_free(NULL);
	dbtls_verification_free(&v);
	dbtls_verification_free(&v);
	dbtls_cert_free(NULL);
	dbtls_cert_free(&c);
	dbtls_sql_facts_free(NULL);
	dbtls_endpoint_facts_free(NULL);
	dbtls_scan_facts_free(NULL);
	dbtls_rev_cache_free(NULL);
	dbtls_target_free(NULL);
	dbtls_handshake_keep_free(NULL);
	dbtls_buf_free(NULL);
	dbtls_findings_free(NULL);
	dbtls_policy_free(NULL);
	dbtls_waivers_free(NULL);
	dbtls_evaluation_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_products),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_subject_kinds),
	    cmocka_unit_test(test_findings_add),
	    cmocka_unit_test(test_evaluation_subjects),
	    cmocka_unit_test(test_free_null),
	    cmocka_unit_test(test_fixture_judge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
