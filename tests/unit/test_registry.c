/* SPDX-License-Identifier: MIT */
/* test_registry.c — every plug-in table: names unique, help present, lookups find each entry. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "src/wire/preamble/preamble.h"
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
	    cmocka_unit_test(test_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
