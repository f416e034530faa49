/* SPDX-License-Identifier: MIT */
/* test_err.c — the error list: names and texts exist, numbers are unique, diag formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "src/core/err.h"

static void test_names_unique(void **state)
{
	static const struct {
		int num;
		const char *name;
	} all[] = {
#define XX(name, num, msg) {num, #name},
	    DBTLS_ERR_MAP(XX)
#undef XX
	};
	size_t n = sizeof(all) / sizeof(all[0]);
	(void)state;

	for (size_t i = 0; i < n; i++) {
		assert_string_equal(dbtls_errname((enum dbtls_err)all[i].num), all[i].name);
		assert_true(strlen(dbtls_strerror((enum dbtls_err)all[i].num)) > 3);
		for (size_t j = i + 1; j < n; j++) {
			assert_int_not_equal(all[i].num, all[j].num);
			assert_string_not_equal(all[i].name, all[j].name);
		}
	}
	assert_int_equal(DBTLS_OK, 0);
	assert_string_equal(dbtls_errname((enum dbtls_err)9999), "UNKNOWN");
}

static void test_diag(void **state)
{
	struct dbtls_diag d;
	(void)state;

	dbtls_diag_clear(&d);
	assert_int_equal(dbtls_diag_set(&d, DBTLS_ERR_TIMEOUT, "after %d ms", 250),
			 DBTLS_ERR_TIMEOUT);
	assert_string_equal(d.msg, "after 250 ms");
	assert_int_equal(dbtls_diag_set(NULL, DBTLS_ERR_IO, "x"), DBTLS_ERR_IO);
	dbtls_diag_clear(&d);
	assert_string_equal(d.msg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_unique),
	    cmocka_unit_test(test_diag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
