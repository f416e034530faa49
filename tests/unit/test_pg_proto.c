/* SPDX-License-Identifier: MIT */
/*
 * test_pg_proto.c — PostgreSQL's SSLRequest and the answers to it, from bytes PostgreSQL 15
 * sent (tests/fixtures/pg/, captured by tests/fixtures/capture.sh): 'S', 'N', the ErrorResponse
 * a server sends a plaintext client that pg_hba.conf only lets in with TLS, the 'R' + 'E' streams
 * of an unknown role and an unknown database, every truncation of them; and made-up bytes for what
 * no PostgreSQL 15 sends (a pre-7.4 text error, malformed and oversized messages, bytes injected
 * after 'S').
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "src/wire/preamble/pg_proto.h"
#include "tests/unit/fixture.h"

static void test_sslrequest(void **state)
{
	uint8_t b[DBTLS_PG_SSLREQUEST_LEN];
	uint32_t code;
	(void)state;

	dbtls_pg_sslrequest(b);
	assert_int_equal(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3], 8);
	code = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	assert_int_equal(code, 80877103u);
	assert_int_equal(code, DBTLS_PG_SSLREQUEST_CODE);
	assert_string_equal(DBTLS_PG_ALPN, "postgresql");
}

static void test_answer_s_and_n(void **state)
{
	enum dbtls_pg_answer a;
	size_t n, used = 0;
	uint8_t *s = fx_load("pg/sslrequest-S.bin", &n);
	(void)state;

	assert_int_equal(n, 1);
	assert_int_equal(dbtls_pg_classify_answer(s, n, &a, NULL, &used), DBTLS_OK);
	assert_int_equal(a, DBTLS_PG_ANSWER_TLS);
	assert_int_equal(used, 1);
	assert_string_equal(dbtls_pg_answer_name(a), "tls");
	free(s);
	s = fx_load("pg/sslrequest-N.bin", &n);
	assert_int_equal(dbtls_pg_classify_answer(s, n, &a, NULL, NULL), DBTLS_OK);
	assert_int_equal(a, DBTLS_PG_ANSWER_NO_TLS);
	assert_string_equal(dbtls_pg_answer_name(a), "no_tls");
	free(s);
}

static void test_answer_bad(void **state)
{
	static const uint8_t injected[] = {'S', 0x16, 0x03, 0x03}; /* CVE-2021-23222 */
	static const uint8_t n_more[] = {'N', 'N'};
	static const uint8_t http[] = "HTTP/1.1 400 Bad Request\r\n";
	static const uint8_t tls[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
	static const uint8_t mysql[] = {0x4a, 0x00, 0x00, 0x00, 0x0a, '8', '.', '0'};
	enum dbtls_pg_answer a = DBTLS_PG_ANSWER_TLS;
	(void)state;

	assert_int_equal(dbtls_pg_classify_answer(injected, 0, &a, NULL, NULL),
			 DBTLS_ERR_TRUNCATED);
	assert_int_equal(dbtls_pg_classify_answer(injected, sizeof(injected), &a, NULL, NULL),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_classify_answer(n_more, 2, &a, NULL, NULL), DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_classify_answer(http, sizeof(http) - 1, &a, NULL, NULL),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_classify_answer(tls, sizeof(tls), &a, NULL, NULL),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_classify_answer(mysql, sizeof(mysql), &a, NULL, NULL),
			 DBTLS_ERR_PROTOCOL);
}

/* The FATAL a plaintext client gets from a server whose pg_hba.conf has only hostssl rules. */
static void test_error_hba(void **state)
{
	struct dbtls_pg_error e;
	enum dbtls_pg_answer a;
	size_t n, used = 0;
	uint8_t *p = fx_load("pg/error-hba-no-encryption.bin", &n);
	(void)state;

	assert_int_equal(n, 158);
	assert_int_equal(dbtls_pg_classify_answer(p, n, &a, &e, &used), DBTLS_OK);
	assert_int_equal(a, DBTLS_PG_ANSWER_ERROR);
	assert_int_equal(used, n);
	assert_int_equal(e.protocol, 3);
	assert_string_equal(e.severity, "FATAL");
	assert_string_equal(e.code, "28000");
	assert_string_equal(e.message, "no pg_hba.conf entry for host \"127.0.0.1\", user "
				       "\"postgres\", database \"postgres\", no encryption");
	assert_string_equal(e.routine, "ClientAuthentication");
	assert_string_equal(e.detail, "");
	/* every shorter read is incomplete, never an answer or a protocol error */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(dbtls_pg_classify_answer(p, k, &a, &e, NULL), DBTLS_ERR_TRUNCATED);
	assert_int_equal(dbtls_pg_find_error(p, n, &e), DBTLS_OK);
	assert_string_equal(e.code, "28000");
	free(p);
}

static void test_error_no_database(void **state)
{
	struct dbtls_pg_error e;
	size_t n, used = 0;
	uint8_t *p = fx_load("pg/error-no-database.bin", &n);
	(void)state;

	/* trust lets it past authentication ('R', 9 bytes): the database is the problem */
	assert_int_equal(dbtls_pg_parse_error(p, n, &e, NULL), DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_parse_error(p + 9, n - 9, &e, &used), DBTLS_OK);
	assert_int_equal(used, n - 9);
	assert_string_equal(e.code, "3D000");
	assert_string_equal(e.message, "database \"nosuchdb\" does not exist");
	free(p);
}

/* trust authentication: 'R' AuthenticationOk comes first, then the 'E' for the unknown role */
static void test_find_error_after_auth(void **state)
{
	struct dbtls_pg_error e;
	size_t n;
	uint8_t *p = fx_load("pg/error-no-role.bin", &n);
	(void)state;

	assert_int_equal(p[0], 'R');
	assert_int_equal(dbtls_pg_find_error(p, n, &e), DBTLS_OK);
	assert_string_equal(e.severity, "FATAL");
	assert_string_equal(e.code, "28000");
	assert_string_equal(e.message, "role \"nosuchrole\" does not exist");
	for (size_t k = 0; k < n; k++)
		assert_int_equal(dbtls_pg_find_error(p, k, &e), DBTLS_ERR_TRUNCATED);
	/* it is not an answer to an SSLRequest */
	enum dbtls_pg_answer a;
	assert_int_equal(dbtls_pg_classify_answer(p, n, &a, &e, NULL), DBTLS_ERR_PROTOCOL);
	free(p);
}

/* PostgreSQL 15 answers a ClientHello sent without an SSLRequest with nothing at all. */
static void test_clienthello_direct(void **state)
{
	static const uint8_t tls_alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	struct dbtls_pg_error e;
	size_t n;
	uint8_t *p = fx_load("pg/clienthello-direct.bin", &n);
	(void)state;

	assert_int_equal(n, 0);
	assert_int_equal(dbtls_pg_find_error(p, n, &e), DBTLS_ERR_TRUNCATED);
	assert_int_equal(dbtls_pg_find_error(tls_alert, sizeof(tls_alert), &e), DBTLS_ERR_PROTOCOL);
	free(p);
}

static void test_error_v2(void **state)
{
	static const char v2[] = "EFATAL:  sorry, too many clients already\n";
	struct dbtls_pg_error e;
	enum dbtls_pg_answer a;
	size_t used = 0;
	(void)state;

	assert_int_equal(dbtls_pg_classify_answer((const uint8_t *)v2, sizeof(v2), &a, &e, &used),
			 DBTLS_OK);
	assert_int_equal(a, DBTLS_PG_ANSWER_ERROR);
	assert_int_equal(e.protocol, 2);
	assert_int_equal(used, sizeof(v2));
	assert_string_equal(e.severity, "FATAL");
	assert_string_equal(e.message, "sorry, too many clients already");
	/* without its NUL it is not complete yet */
	assert_int_equal(dbtls_pg_parse_error((const uint8_t *)v2, sizeof(v2) - 1, &e, NULL),
			 DBTLS_ERR_TRUNCATED);
}

/* Builds 'E', length, the given body into out; returns the total length. */
static size_t mk_error(uint8_t *out, const void *body, size_t n)
{
	uint32_t len = (uint32_t)n + 4;

	out[0] = 'E';
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
	memcpy(out + 5, body, n);
	return n + 5;
}

static void test_error_fields(void **state)
{
	static const char body[] = "SFEHLER\0VERROR\0C42501\0Mline\none\0Dthe detail\0Hthe hint\0"
				   "Fauth.c\0L1\0";
	uint8_t m[600], big[400];
	struct dbtls_pg_error e;
	size_t n;
	(void)state;

	n = mk_error(m, body, sizeof(body)); /* sizeof includes the final terminator */
	assert_int_equal(dbtls_pg_parse_error(m, n, &e, NULL), DBTLS_OK);
	assert_string_equal(e.severity, "ERROR"); /* V, not the localized S */
	assert_string_equal(e.code, "42501");
	assert_string_equal(e.message, "line?one"); /* control characters are not copied */
	assert_string_equal(e.detail, "the detail");
	assert_string_equal(e.hint, "the hint");
	/* a message longer than the field is cut, not overrun */
	big[0] = 'M';
	memset(big + 1, 'x', 300);
	big[301] = 0;
	big[302] = 0;
	n = mk_error(m, big, 303);
	assert_int_equal(dbtls_pg_parse_error(m, n, &e, NULL), DBTLS_OK);
	assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
}

static void test_error_malformed(void **state)
{
	static const char no_end[] = "SFATAL\0C28000\0Mx"; /* field without NUL */
	static const char no_msg[] = "SFATAL\0C28000\0";
	static const char extra[] = "Mx\0\0junk";
	static const uint8_t short_len[] = {'E', 0, 0, 0, 3, 0};
	static const uint8_t huge_len[] = {'E', 0, 0x7f, 0, 0, 'M'};
	static const uint8_t not_len[] = {'E', 0x01, 0, 0, 0};
	uint8_t m[64];
	struct dbtls_pg_error e;
	size_t n;
	(void)state;

	n = mk_error(m, no_end, sizeof(no_end) - 1);
	assert_int_equal(dbtls_pg_parse_error(m, n, &e, NULL), DBTLS_ERR_PROTOCOL);
	n = mk_error(m, no_msg, sizeof(no_msg));
	assert_int_equal(dbtls_pg_parse_error(m, n, &e, NULL), DBTLS_ERR_PROTOCOL);
	n = mk_error(m, extra, sizeof(extra) - 1);
	assert_int_equal(dbtls_pg_parse_error(m, n, &e, NULL), DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_parse_error(short_len, sizeof(short_len), &e, NULL),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_parse_error(huge_len, sizeof(huge_len), &e, NULL),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_parse_error(not_len, sizeof(not_len), &e, NULL),
			 DBTLS_ERR_PROTOCOL);
	/* a v2 text that never ends is given up on after DBTLS_PG_MAX_MESSAGE bytes */
	uint8_t *endless = malloc(DBTLS_PG_MAX_MESSAGE + 2);
	assert_non_null(endless);
	endless[0] = 'E';
	memset(endless + 1, 'A', DBTLS_PG_MAX_MESSAGE + 1);
	assert_int_equal(dbtls_pg_parse_error(endless, DBTLS_PG_MAX_MESSAGE + 2, &e, NULL),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_parse_error(endless, 100, &e, NULL), DBTLS_ERR_TRUNCATED);
	free(endless);
	/* find_error: an unknown message type, a bad length */
	static const uint8_t unknown[] = {'D', 0, 0, 0, 4};
	static const uint8_t bad_len[] = {'R', 0, 0, 0, 2};
	assert_int_equal(dbtls_pg_find_error(unknown, sizeof(unknown), &e), DBTLS_ERR_PROTOCOL);
	assert_int_equal(dbtls_pg_find_error(bad_len, sizeof(bad_len), &e), DBTLS_ERR_PROTOCOL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sslrequest),	       cmocka_unit_test(test_answer_s_and_n),
	    cmocka_unit_test(test_answer_bad),	       cmocka_unit_test(test_error_hba),
	    cmocka_unit_test(test_error_no_database),  cmocka_unit_test(test_find_error_after_auth),
	    cmocka_unit_test(test_clienthello_direct), cmocka_unit_test(test_error_v2),
	    cmocka_unit_test(test_error_fields),       cmocka_unit_test(test_error_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
