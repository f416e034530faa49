/* SPDX-License-Identifier: MIT */
/*
 * test_names.c — the static name tables in src/registry: codes unique, names unique, and one
 * label rule each ("name, or 0x%04X"; suites "0x%04X" / "0x%06X").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"

static void test_sigalgs(void **state)
{
	size_t n;
	const struct dbtls_sigalg_info *all = dbtls_sigalgs_all(&n);
	uint16_t offered[64];
	size_t noff = dbtls_sigalgs_offered(offered, 64);
	char buf[8];
	(void)state;

	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i].name);
		assert_string_equal(dbtls_sigalg_name(all[i].code), all[i].name);
		for (size_t j = i + 1; j < n; j++) {
			assert_int_not_equal(all[i].code, all[j].code);
			assert_string_not_equal(all[i].name, all[j].name);
		}
	}
	/* the ClientHello list: 26 schemes, widest first, as the hello engine has always sent */
	static const uint16_t hello_list[] = {
	    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809,
	    0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402,
	    0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x081a, 0x081b, 0x081c,
	};
	assert_int_equal(noff, sizeof(hello_list) / sizeof(hello_list[0]));
	assert_memory_equal(offered, hello_list, sizeof(hello_list));
	assert_int_equal(dbtls_sigalgs_offered(offered, 2), 26); /* count even when cut short */
	assert_string_equal(dbtls_sigalg_label(0x0807, buf, sizeof(buf)), "ed25519");
	assert_string_equal(dbtls_sigalg_label(0xfefe, buf, sizeof(buf)), "0xFEFE");
	assert_ptr_equal(dbtls_sigalg_label(0xfefe, buf, sizeof(buf)), buf);
}

static void test_labels(void **state)
{
	char hex[16];
	(void)state;

	assert_string_equal(dbtls_group_label(0x001d, hex, sizeof(hex)), "x25519");
	assert_string_equal(dbtls_group_label(0x11ec, hex, sizeof(hex)), "X25519MLKEM768");
	assert_string_equal(dbtls_group_label(0x7777, hex, sizeof(hex)), "0x7777");
	assert_string_equal(dbtls_suite_label(0x1301, hex, sizeof(hex)), "TLS_AES_128_GCM_SHA256");
	assert_string_equal(dbtls_suite_label(0xfefe, hex, sizeof(hex)), "0xFEFE");
	assert_string_equal(dbtls_suite_hex(0x1301, hex, sizeof(hex)), "0x1301");
	assert_string_equal(dbtls_suite_hex(0x010080, hex, sizeof(hex)), "0x010080");
	assert_string_equal(dbtls_alert_name(40), "handshake_failure");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sigalgs),
	    cmocka_unit_test(test_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
