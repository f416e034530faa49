/* SPDX-License-Identifier: MIT */
/*
 * test_client_hello.c — the ClientHello parser on the hellos real clients sent
 * (tests/fixtures/clients, recorded by tests/clients/capture.py), their truncations, and garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "src/wire/client_hello.h"

static void parse_fixture(const char *rel, struct dbtls_client_hello *ch)
{
	size_t n;
	uint8_t *p = fx_load(rel, &n);

	assert_int_equal(dbtls_client_hello_parse(p, n, ch), DBTLS_OK);
	/* every cut short of the end is TRUNCATED, never OK or a crash */
	for (size_t k = 0; k < n; k++) {
		struct dbtls_client_hello t;

		assert_int_equal(dbtls_client_hello_parse(p, k, &t), DBTLS_ERR_TRUNCATED);
	}
	free(p);
}

static void test_psql(void **state)
{
	struct dbtls_client_hello ch;

	(void)state;
	parse_fixture("clients/psql.bin", &ch);
	assert_int_equal(ch.legacy_version, 0x0303);
	assert_true(ch.has_supported_versions);
	assert_int_equal(ch.nversions, 2);
	assert_int_equal(ch.versions[0], 0x0304);
	assert_true(dbtls_client_hello_offers(&ch, 0x0303));
	assert_false(dbtls_client_hello_offers(&ch, 0x0302));
	assert_int_equal(ch.nsuites, 31); /* 30 suites and the renegotiation SCSV */
	assert_int_equal(ch.suites[0], 0x1302);
	assert_int_equal(ch.suites[30], 0x00ff);
	assert_true(ch.renegotiation_info);
	assert_int_equal(ch.nkey_shares, 1);
	assert_int_equal(ch.key_shares[0], 0x001d);
	assert_int_equal(ch.groups[0], 0x001d);
	assert_int_equal(ch.nsigalgs, 20);
	assert_false(ch.sni_sent);     /* 127.0.0.1: libpq sends no SNI for an address */
	assert_int_equal(ch.nalpn, 0); /* libpq 15: no ALPN (17 sends "postgresql") */
	assert_false(ch.truncated_lists);
}

static void test_every_recording(void **state)
{
	static const char *const names[] = {"mariadb-cli",
					    "mariadb-cli-mysql8",
					    "pymysql",
					    "pymysql-mysql8",
					    "mariadb-connector-j",
					    "pgjdbc",
					    "go-sql-driver-mysql",
					    "node-mysql2",
					    "node-pg",
					    "psql"};
	char rel[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct dbtls_client_hello ch;

		snprintf(rel, sizeof(rel), "clients/%s.bin", names[i]);
		parse_fixture(rel, &ch);
		assert_true(ch.nsuites > 0);
		assert_true(dbtls_client_hello_offers(&ch, 0x0303)); /* all offer TLS 1.2 */
		assert_true(ch.has_sigalgs);
	}
}

static void test_go_offer(void **state)
{
	struct dbtls_client_hello ch;

	(void)state;
	parse_fixture("clients/go-sql-driver-mysql.bin", &ch);
	/* Go lists the TLS 1.3 suites after the TLS 1.2 ones, and has no DHE */
	for (size_t i = 0; i < ch.nsuites; i++)
		assert_false(ch.suites[i] == 0x009e || ch.suites[i] == 0x009f);
	assert_true(ch.sni_sent == false);
}

static void test_garbage(void **state)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	static const uint8_t server_hello[] = {0x16, 0x03, 0x03, 0x00, 0x04,
					       0x02, 0x00, 0x00, 0x00};
	static const uint8_t empty_ch[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
	static const uint8_t mysql[] = {0x4a, 0x00, 0x00, 0x00, 0x0a, 0x35};
	struct dbtls_client_hello ch;

	(void)state;
	assert_int_equal(dbtls_client_hello_parse(alert, sizeof(alert), &ch), DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_client_hello_parse(server_hello, sizeof(server_hello), &ch),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_client_hello_parse(empty_ch, sizeof(empty_ch), &ch),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_client_hello_parse(mysql, sizeof(mysql), &ch), DBTLS_ERR_PROTOCOL);
	assert_true(dbtls_grease(0x0a0a));
	assert_true(dbtls_grease(0xfafa));
	assert_false(dbtls_grease(0x0a1a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_psql),
	    cmocka_unit_test(test_every_recording),
	    cmocka_unit_test(test_go_offer),
	    cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
