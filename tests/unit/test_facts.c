/* SPDX-License-Identifier: MIT */
/*
 * test_facts.c — the facts model's own helpers: the canonical endpoint id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "src/facts/facts.h"
#include "src/wire/preamble/preamble.h"

static void check_id(const char *scheme, const char *host, uint16_t port, const char *want)
{
	char *id = dbtls_endpoint_id(scheme, host, port);

	assert_non_null(id);
	assert_string_equal(id, want);
	free(id);
}

static void test_endpoint_id(void **state)
{
	(void)state;
	/* three spellings of one endpoint are one id */
	check_id("mysql", "db1", 3306, "mysql://db1:3306");
	check_id("MYSQL", "DB1.", 3306, "mysql://db1:3306");
	check_id("mysql", "Db1.Example.COM", 3307, "mysql://db1.example.com:3307");
	check_id("tls", "::1", 443, "tls://[::1]:443");
	check_id("mysql", "FE80::1", 3306, "mysql://[fe80::1]:3306");
	check_id("tls", "127.0.0.1", 8443, "tls://127.0.0.1:8443");
}

static void check_parse(const char *s, const char *want)
{
	char *id = NULL;
	enum dbtls_err err = dbtls_endpoint_id_parse(s, &id);

	if (!want) {
		if (err != DBTLS_ERR_INPUT)
			fail_msg("'%s': expected INPUT, got %d (%s)", s, err, id ? id : "");
		assert_null(id);
		return;
	}
	if (err)
		fail_msg("'%s': error %d", s, err);
	assert_string_equal(id, want);
	free(id);
}

static void test_endpoint_id_parse(void **state)
{
	size_t n;
	const struct dbtls_preamble *const *pre = dbtls_preamble_all(&n);
	(void)state;

	/* how people write one endpoint in waivers and pins */
	check_parse("db1", "mysql://db1:3306");
	check_parse("db1:3306", "mysql://db1:3306");
	check_parse("mysql://db1", "mysql://db1:3306");
	check_parse("MYSQL://DB1.:3306/", "mysql://db1:3306");
	check_parse("tls://h", "tls://h:443");
	check_parse("[::1]:3307", "mysql://[::1]:3307");
	check_parse("tls://[FE80::1]", "tls://[fe80::1]:443");
	check_parse("::1", "mysql://[::1]:3306");
	check_parse("pg://db1", NULL);
	check_parse("db1:0", NULL);
	check_parse("db1:99999", NULL);
	check_parse("db1:x", NULL);
	check_parse("", NULL);
	check_parse("://db1", NULL);
	check_parse("[::1", NULL);
	/* one address of a name: canonical address, and only with a name */
	check_parse("db1:3306?address=10.0.0.5", "mysql://db1:3306?address=10.0.0.5");
	check_parse("DB1?address=FD00:0::1", "mysql://db1:3306?address=fd00::1");
	check_parse("mysql://db1:3306/?address=10.0.0.5", "mysql://db1:3306?address=10.0.0.5");
	check_parse("db1?address=db2", NULL);
	check_parse("db1?address=", NULL);
	check_parse("db1?address=[::1]", NULL);
	check_parse("10.0.0.1?address=10.0.0.5", NULL);
	check_parse("[::1]:3306?address=::1", NULL);
	/* the default ports are the preambles' */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dbtls_scheme_default_port(pre[i]->scheme), pre[i]->default_port);
}

/* a waiver or pin on a name covers its addresses; one on an address only that one */
static void test_endpoint_id_matches(void **state)
{
	struct dbtls_endpoint_facts f = {.protocol = "mysql", .host = "DB1", .port = 3306};
	char *id;
	(void)state;

	assert_true(dbtls_endpoint_id_matches("mysql://db1:3306", "mysql://db1:3306"));
	assert_true(
	    dbtls_endpoint_id_matches("mysql://db1:3306", "mysql://db1:3306?address=10.0.0.5"));
	assert_true(dbtls_endpoint_id_matches("mysql://db1:3306?address=10.0.0.5",
					      "mysql://db1:3306?address=10.0.0.5"));
	assert_false(dbtls_endpoint_id_matches("mysql://db1:3306?address=10.0.0.5",
					       "mysql://db1:3306?address=10.0.0.6"));
	assert_false(
	    dbtls_endpoint_id_matches("mysql://db1:3306?address=10.0.0.5", "mysql://db1:3306"));
	assert_false(
	    dbtls_endpoint_id_matches("mysql://db1:330", "mysql://db1:3306?address=1.2.3.4"));
	assert_false(dbtls_endpoint_id_matches("mysql://db1:3306", "mysql://db10:3306"));
	assert_false(dbtls_endpoint_id_matches(NULL, "mysql://db1:3306"));
	/* the id a report carries wins; an older report's is computed */
	id = dbtls_endpoint_facts_id(&f);
	assert_string_equal(id, "mysql://db1:3306");
	free(id);
	f.id = "mysql://db1:3306?address=10.0.0.5";
	id = dbtls_endpoint_facts_id(&f);
	assert_string_equal(id, "mysql://db1:3306?address=10.0.0.5");
	free(id);
	id = dbtls_endpoint_id_addr("MySQL", "db1.", 3306, "FD00::1");
	assert_string_equal(id, "mysql://db1:3306?address=fd00::1");
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoint_id),
	    cmocka_unit_test(test_endpoint_id_parse),
	    cmocka_unit_test(test_endpoint_id_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
