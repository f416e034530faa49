/* SPDX-License-Identifier: MIT */
/* fuzz_pg.c — libFuzzer target for PostgreSQL's pre-TLS bytes (pg_proto.c): the answer to an
 * SSLRequest, the ErrorResponse parser (v3 and v2) and the backend-message walk that finds an
 * error in what a server sent instead of TLS; every prefix length is tried on small inputs, as a
 * preamble sees a growing read. Seeds: tests/fuzz/seeds/fuzz_pg (PostgreSQL 15's answers). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "src/wire/preamble/pg_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
	/* every field is NUL-terminated within its array and printable */
	size_t n = strnlen(s, cap);

	if (n == cap)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbtls_pg_error e;
	enum dbtls_pg_answer a;
	size_t used = 0;

	for (size_t n = size > 64 ? size : 0; n <= size; n++) {
		if (dbtls_pg_classify_answer(data, n, &a, &e, &used) == DBTLS_OK) {
			if (used == 0 || used > n)
				__builtin_trap();
			if (a == DBTLS_PG_ANSWER_ERROR) {
				check_text(e.severity, sizeof(e.severity));
				check_text(e.code, sizeof(e.code));
				check_text(e.message, sizeof(e.message));
				check_text(e.detail, sizeof(e.detail));
				check_text(e.hint, sizeof(e.hint));
				check_text(e.routine, sizeof(e.routine));
			}
		}
	}
	if (dbtls_pg_parse_error(data, size, &e, &used) == DBTLS_OK && (used == 0 || used > size))
		__builtin_trap();
	if (dbtls_pg_find_error(data, size, &e) == DBTLS_OK)
		check_text(e.message, sizeof(e.message));
	return 0;
}
