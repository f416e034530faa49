/* SPDX-License-Identifier: MIT */
/* test_registry.c — every plug-in table: names unique, help present, lookups find each entry; the
 * preambles' ALPN lists well-formed and their supports bits consistent with the other tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "src/wire/preamble/preamble.h"
#include "src/wire/sql/sql.h"
#include "reports/report.h"

static void test_preambles(void **state)
{
	size_t n;
	const struct dbtls_preamble *const *all = dbtls_preamble_all(&n);
	(void)state;

	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i]->scheme);
		assert_non_null(all[i]->start);
		assert_true(all[i]->default_port > 0);
		assert_true(all[i]->help && strlen(all[i]->help) > 10);
		assert_ptr_equal(dbtls_preamble_find(all[i]->scheme), all[i]);
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(all[i]->scheme, all[j]->scheme);
	}
	assert_null(dbtls_preamble_find("gopher"));
	assert_int_equal(dbtls_preamble_find("mysql")->default_port, 3306);
}

/* What a descriptor says it has must be there: an SQL step in the SQL table, an error-packet
 * decoder, a way to reset a connect-error budget; ALPN lists well-formed; a product name when
 * given is a name. */
static void test_preamble_supports(void **state)
{
	static const unsigned known = DBTLS_PRE_CONNECT_BUDGET | DBTLS_PRE_SQL |
				      DBTLS_PRE_ERROR_PACKETS | DBTLS_PRE_XMPP_C2S |
				      DBTLS_PRE_XMPP_S2S;
	size_t n;
	const struct dbtls_preamble *const *all = dbtls_preamble_all(&n);
	(void)state;

	for (size_t i = 0; i < n; i++) {
		const struct dbtls_preamble *p = all[i];
		const struct dbtls_sql_module *m = dbtls_sql_find(p->scheme);

		assert_int_equal(p->supports & ~known, 0);
		assert_true(dbtls_alpn_valid(p->alpn));
		if (p->alpn)
			assert_non_null(p->alpn[0]); /* an empty list is written NULL */
		assert_int_equal(!!(p->supports & DBTLS_PRE_SQL), m != NULL);
		assert_int_equal(!!(p->supports & DBTLS_PRE_ERROR_PACKETS),
				 p->error_packet != NULL);
		/* the budget is only kept without stopping the scan when a login can reset it */
		if (p->supports & DBTLS_PRE_CONNECT_BUDGET)
			assert_true(m && m->reset);
		if (p->product)
			assert_true(strlen(p->product) > 1);
	}
	assert_true(dbtls_preamble_find("mysql")->supports & DBTLS_PRE_CONNECT_BUDGET);
	assert_int_equal(dbtls_preamble_find("tls")->supports, 0);
}

/* The SQL step table: schemes unique and each one a preamble that says DBTLS_PRE_SQL. */
static void test_sql_modules(void **state)
{
	size_t n;
	const struct dbtls_sql_module *const *all = dbtls_sql_all(&n);
	(void)state;

	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		const struct dbtls_preamble *p = dbtls_preamble_find(all[i]->scheme);

		assert_non_null(all[i]->scan);
		assert_true(all[i]->help && strlen(all[i]->help) > 10);
		assert_non_null(p);
		assert_true(p->supports & DBTLS_PRE_SQL);
		assert_ptr_equal(dbtls_sql_find(all[i]->scheme), all[i]);
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(all[i]->scheme, all[j]->scheme);
	}
	assert_null(dbtls_sql_find("tls"));
	assert_null(dbtls_sql_find(NULL));
}

static void test_writers(void **state)
{
	size_t n;
	const struct dbtls_report_writer *const *all = dbtls_report_all(&n);
	(void)state;

	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i]->begin);
		assert_non_null(all[i]->endpoint);
		assert_non_null(all[i]->end);
		assert_true(all[i]->help && strlen(all[i]->help) > 10);
		assert_ptr_equal(dbtls_report_find(all[i]->name), all[i]);
		for (size_t j = i + 1; j < n; j++) {
			assert_string_not_equal(all[i]->name, all[j]->name);
			if (all[i]->extension && all[j]->extension)
				assert_string_not_equal(all[i]->extension, all[j]->extension);
		}
	}
	assert_ptr_equal(dbtls_report_for_path("/x/report.json"), &dbtls_report_json);
	assert_ptr_equal(dbtls_report_for_path("r.txt"), &dbtls_report_text);
	assert_null(dbtls_report_for_path("dir.json/report"));
	assert_null(dbtls_report_for_path("report"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_preambles),
	    cmocka_unit_test(test_preamble_supports),
	    cmocka_unit_test(test_sql_modules),
	    cmocka_unit_test(test_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
