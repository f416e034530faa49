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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoint_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
