/* SPDX-License-Identifier: MIT */
/* test_buf.c — the packet builder and the sticky bounds-checked reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "src/core/buf.h"

static void test_build_and_patch(void **state)
{
	struct dbtls_buf b;
	size_t l2, l3;
	(void)state;

	dbtls_buf_init(&b);
	dbtls_buf_u8(&b, 0x16);
	l2 = dbtls_buf_len_begin(&b, 2);
	l3 = dbtls_buf_len_begin(&b, 3);
	dbtls_buf_u16(&b, 0x0303);
	dbtls_buf_u24(&b, 0x010203);
	dbtls_buf_u32le(&b, 0x11223344);
	dbtls_buf_len_end(&b, l3, 3);
	dbtls_buf_len_end(&b, l2, 2);
	assert_false(b.oom);
	const uint8_t want[] = {0x16, 0x00, 0x0c, 0x00, 0x00, 0x09, 0x03, 0x03,
				0x01, 0x02, 0x03, 0x44, 0x33, 0x22, 0x11};
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	dbtls_buf_reset(&b);
	assert_int_equal(b.len, 0);
	for (int i = 0; i < 10000; i++)
		dbtls_buf_u8(&b, (uint8_t)i);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[9999], (uint8_t)9999);
	dbtls_buf_free(&b);
	dbtls_buf_free(&b); /* twice is harmless */
}

static void test_reader_bounds(void **state)
{
	const uint8_t p[] = {0x01, 0x02, 0x03, 0x04, 0x05};
	struct dbtls_rd r, sub;
	(void)state;

	dbtls_rd_init(&r, p, sizeof(p));
	assert_int_equal(dbtls_rd_u16(&r), 0x0102);
	assert_int_equal(dbtls_rd_u16le(&r), 0x0403);
	assert_int_equal(dbtls_rd_left(&r), 1);
	assert_int_equal(dbtls_rd_u16(&r), 0); /* overrun */
	assert_true(r.err);
	/* sticky: even a 1-byte read now fails */
	assert_int_equal(dbtls_rd_u8(&r), 0);
	assert_int_equal(dbtls_rd_left(&r), 0);

	dbtls_rd_init(&r, p, sizeof(p));
	assert_true(dbtls_rd_sub(&r, 3, &sub));
	assert_int_equal(dbtls_rd_u24(&sub), 0x010203);
	assert_int_equal(dbtls_rd_left(&sub), 0);
	assert_false(dbtls_rd_sub(&r, 3, &sub));
	assert_true(sub.err);
	assert_null(dbtls_rd_bytes(&r, 1));

	dbtls_rd_init(&r, p, sizeof(p));
	assert_int_equal(dbtls_rd_u32le(&r), 0x04030201);
	assert_false(dbtls_rd_skip(&r, 2));
}

static void test_reader_cstr(void **state)
{
	const uint8_t p[] = {'a', 'b', 0, 'c'};
	struct dbtls_rd r;
	const char *s;
	size_t n;
	(void)state;

	dbtls_rd_init(&r, p, sizeof(p));
	assert_true(dbtls_rd_cstr(&r, &s, &n));
	assert_int_equal(n, 2);
	assert_memory_equal(s, "ab", 2);
	assert_false(dbtls_rd_cstr(&r, &s, &n)); /* "c" has no NUL */
	assert_true(r.err);
	dbtls_rd_init(&r, NULL, 10);
	assert_int_equal(dbtls_rd_left(&r), 0);
	assert_int_equal(dbtls_rd_u8(&r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_and_patch),
	    cmocka_unit_test(test_reader_bounds),
	    cmocka_unit_test(test_reader_cstr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
