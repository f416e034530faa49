/* SPDX-License-Identifier: MIT */
/*
 * test_preamble.c — the MySQL preamble replayed from byte vectors: a MariaDB greeting with and
 * without CLIENT_SSL, ERR packets in place of the greeting (1129 without SQLSTATE, 1040 with),
 * truncated and non-MySQL answers; plus the direct-TLS preamble.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "src/wire/preamble/preamble.h"
#include "src/wire/preamble/pg_proto.h"
#include "tests/unit/fixture.h"

extern const struct dbtls_preamble dbtls_preamble_postgres, dbtls_preamble_postgres_direct;

/* The endpoint every preamble here is started for. */
static const struct dbtls_preamble_target pt = {
    .host = "db.example", .port = 3306, .name = "db.example"};

/* The greeting MariaDB 10.11 sends (captured on loopback; auth data and connection id as seen). */
static const uint8_t mariadb_greeting[] = {
    0x64, 0x00, 0x00, 0x00, 0x0a, 0x35, 0x2e, 0x35, 0x2e, 0x35, 0x2d, 0x31, 0x30, 0x2e, 0x31,
    0x31, 0x2e, 0x31, 0x39, 0x2d, 0x4d, 0x61, 0x72, 0x69, 0x61, 0x44, 0x42, 0x2d, 0x30, 0x2b,
    0x64, 0x65, 0x62, 0x31, 0x32, 0x75, 0x31, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2e, 0x68, 0x42,
    0x51, 0x4e, 0x74, 0x7d, 0x39, 0x00, 0xfe, 0xff, 0x08, 0x02, 0x00, 0xff, 0x81, 0x15, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00, 0x40, 0x77, 0x56, 0x2a, 0x6b, 0x5f,
    0x78, 0x60, 0x58, 0x76, 0x6c, 0x3b, 0x00, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61,
    0x74, 0x69, 0x76, 0x65, 0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00,
};

static void test_mysql_greeting_ssl(void **state)
{
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	(void)state;

	dbtls_conn_init_replay(&c, mariadb_greeting, sizeof(mariadb_greeting));
	assert_int_equal(dbtls_preamble_mysql.start(&c, &pt, &info, &d), DBTLS_OK);
	assert_true(info.greeting_seen);
	assert_true(info.tls_offered);
	assert_int_equal(info.mysql.protocol_version, 10);
	assert_string_equal(info.version, "5.5.5-10.11.19-MariaDB-0+deb12u1");
	assert_string_equal(info.product, "MariaDB");
	assert_int_equal(info.mysql.connection_id, 4);
	assert_true(info.mysql.capabilities & 0x0800);
	/* the SSLRequest: 4-byte header (length 32, sequence 1) + 32 bytes */
	assert_int_equal(c.sent.len, 36);
	assert_int_equal(c.sent.data[0], 32);
	assert_int_equal(c.sent.data[3], 1);
	uint32_t caps = c.sent.data[4] | (c.sent.data[5] << 8) | (c.sent.data[6] << 16) |
			((uint32_t)c.sent.data[7] << 24);
	assert_true(caps & 0x0800); /* CLIENT_SSL */
	assert_true(caps & 0x0200); /* CLIENT_PROTOCOL_41 */
	for (size_t i = 13; i < 36; i++)
		assert_int_equal(c.sent.data[i], 0);
	dbtls_conn_close(&c);
	free(info.product);
	free(info.version);
}

/* A protocol-10 greeting as a server sends it (header, version, connection id 7, auth data,
 * capabilities caps, utf8mb4, status, upper capabilities, auth data 2, plugin name). */
static size_t greeting_bytes(const char *version, uint32_t caps, uint8_t *out, size_t cap)
{
	static const uint8_t tail[] = {0x15, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k',
				       'l',  0,	  'm', 'y', 's', 'q', 'l', '_', 'n', 'a', 't', 'i',
				       'v',  'e', '_', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd', 0};
	size_t n = 4, vl = strlen(version);

	assert_true(4 + 1 + vl + 1 + 4 + 9 + 2 + 3 + 2 + 10 + sizeof(tail) <= cap);
	out[n++] = 10;
	memcpy(out + n, version, vl + 1);
	n += vl + 1;
	memcpy(out + n,
	       "\x07\x00\x00\x00"
	       "12345678"
	       "\x00",
	       13);
	n += 13;
	out[n++] = (uint8_t)caps;
	out[n++] = (uint8_t)(caps >> 8);
	out[n++] = 45;	 /* utf8mb4_general_ci */
	out[n++] = 0x02; /* SERVER_STATUS_AUTOCOMMIT */
	out[n++] = 0x00;
	out[n++] = (uint8_t)(caps >> 16);
	out[n++] = (uint8_t)(caps >> 24);
	memset(out + n, 0, 10); /* auth data length (as 0x15 below), 6 reserved, 4 MariaDB caps */
	out[n] = 0x15;
	n += 10;
	memcpy(out + n, tail + 1, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	out[0] = (uint8_t)(n - 4);
	out[1] = (uint8_t)((n - 4) >> 8);
	out[2] = 0;
	out[3] = 0;
	return n;
}

/* Who the server is, from the greeting alone, as servers of 2026 write their version: MariaDB
 * with and without the 5.5.5- prefix, MySQL's calendar versions (which a "major >= 10 means
 * MariaDB" rule would get wrong), Percona only when the string says so. */
static void test_mysql_products(void **state)
{
	static const struct {
		const char *version;
		const char *product;
	} rows[] = {
	    {"5.5.5-10.11.19-MariaDB-0+deb12u1", "MariaDB"},
	    {"11.4.2-MariaDB-ubu2404", "MariaDB"},
	    {"11.8.1-MariaDB", "MariaDB"},
	    {"12.0.2-MariaDB-log", "MariaDB"},
	    {"5.5.5-10.6.18", "MariaDB"}, /* the replication prefix, name stripped */
	    {"5.5.5-m3-log", "MySQL"},	  /* MySQL 5.5.5 itself */
	    {"8.0.36", "MySQL"},
	    {"8.4.3", "MySQL"},
	    {"9.7.0", "MySQL"},
	    {"26.1.0", "MySQL"},
	    {"10.0.0-commercial", "MySQL"}, /* a version number alone never says MariaDB */
	    {"8.0.36-0ubuntu0.22.04.1", "MySQL"},
	    {"8.0.36-28-Percona", "Percona Server"},
	    {"5.7.44-48-percona-log", "Percona Server"},
	    {"8.0.36-28", "MySQL"}, /* Percona's plain form: cannot be told, MySQL texts fit */
	    {"8.0.11-TiDB-v8.5.0", "TiDB"},
	};
	uint8_t g[256];
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dbtls_server_info info = {0};
		struct dbtls_diag d = {0};
		struct dbtls_conn c;
		size_t n = greeting_bytes(rows[i].version, 0x81ffffff, g, sizeof(g));

		dbtls_conn_init_replay(&c, g, n);
		assert_int_equal(dbtls_preamble_mysql.start(&c, &pt, &info, &d), DBTLS_OK);
		if (strcmp(info.product, rows[i].product) != 0)
			fail_msg("%s: got %s, want %s", rows[i].version, info.product,
				 rows[i].product);
		assert_string_equal(info.version, rows[i].version);
		assert_int_equal(info.mysql.connection_id, 7);
		assert_int_equal(info.mysql.capabilities, 0x81ffffff);
		assert_int_equal(c.sent.len, 36); /* CLIENT_SSL: the SSLRequest went out */
		dbtls_conn_close(&c);
		free(info.product);
		free(info.version);
	}
}

static void test_mysql_greeting_no_ssl(void **state)
{
	uint8_t g[sizeof(mariadb_greeting)];
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	(void)state;

	memcpy(g, mariadb_greeting, sizeof(g));
	/* capability flags (lower) sit after version, id, 8 auth bytes and a filler */
	size_t caps_off = 4 + 1 + strlen("5.5.5-10.11.19-MariaDB-0+deb12u1") + 1 + 4 + 8 + 1;
	g[caps_off + 1] &= (uint8_t)~0x08;
	dbtls_conn_init_replay(&c, g, sizeof(g));
	assert_int_equal(dbtls_preamble_mysql.start(&c, &pt, &info, &d), DBTLS_ERR_NO_TLS);
	assert_true(info.greeting_seen);
	assert_false(info.tls_offered);
	assert_int_equal(c.sent.len, 0); /* nothing sent to a server without TLS */
	assert_non_null(strstr(d.msg, "no TLS"));
	dbtls_conn_close(&c);
	free(info.product);
	free(info.version);
}

static void test_mysql_err_1129(void **state)
{
	/* MariaDB's blocked-host packet: no '#' SQLSTATE marker */
	const char msg[] = "Host '10.0.0.2' is blocked because of many connection errors";
	uint8_t p[128];
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	size_t len = 3 + strlen(msg);
	(void)state;

	p[0] = (uint8_t)len;
	p[1] = p[2] = p[3] = 0;
	p[4] = 0xff;
	p[5] = 1129 & 0xff;
	p[6] = 1129 >> 8;
	memcpy(p + 7, msg, strlen(msg));
	dbtls_conn_init_replay(&c, p, 4 + len);
	assert_int_equal(dbtls_preamble_mysql.start(&c, &pt, &info, &d), DBTLS_ERR_SERVER_ERROR);
	assert_int_equal(info.err_code, 1129);
	assert_string_equal(info.err_sqlstate, "");
	assert_string_equal(info.err_message, msg);
	assert_false(info.tls_offered);
	assert_non_null(strstr(d.msg, "1129"));
	dbtls_conn_close(&c);
	free(info.err_sqlstate);
	free(info.err_message);
}

static void test_mysql_err_1040(void **state)
{
	const uint8_t p[] = {0x1d, 0,	0,   0,	  0xff, 0x10, 0x04, '#', '0', '8', '0',
			     '0',  '4', 'T', 'o', 'o',	' ',  'm',  'a', 'n', 'y', ' ',
			     'c',  'o', 'n', 'n', 'e',	'c',  't',  'i', 'o', 'n', 's'};
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	(void)state;

	dbtls_conn_init_replay(&c, p, sizeof(p));
	assert_int_equal(dbtls_preamble_mysql.start(&c, &pt, &info, &d), DBTLS_ERR_SERVER_ERROR);
	assert_int_equal(info.err_code, 1040);
	assert_string_equal(info.err_sqlstate, "08004");
	assert_string_equal(info.err_message, "Too many connections");
	dbtls_conn_close(&c);
	free(info.err_sqlstate);
	free(info.err_message);
}

static void test_mysql_bad_answers(void **state)
{
	struct dbtls_server_info info;
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	(void)state;

	/* every truncation of a real greeting is an error, never a crash or "no TLS" */
	for (size_t i = 0; i < sizeof(mariadb_greeting); i++) {
		memset(&info, 0, sizeof(info));
		dbtls_conn_init_replay(&c, mariadb_greeting, i);
		enum dbtls_err err = dbtls_preamble_mysql.start(&c, &pt, &info, &d);
		assert_true(err == DBTLS_ERR_CLOSED || err == DBTLS_ERR_PROTOCOL);
		assert_int_equal(c.sent.len, 0);
		dbtls_conn_close(&c);
		free(info.product);
		free(info.version);
	}
	/* a TLS server (direct TLS on the port) and an HTTP server */
	const uint8_t tls_alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
	memset(&info, 0, sizeof(info));
	dbtls_conn_init_replay(&c, tls_alert, sizeof(tls_alert));
	assert_int_equal(dbtls_preamble_mysql.start(&c, &pt, &info, &d), DBTLS_ERR_PROTOCOL);
	dbtls_conn_close(&c);
	const char http[] = "HTTP/1.0 200 OK\r\n\r\n";
	dbtls_conn_init_replay(&c, (const uint8_t *)http, sizeof(http) - 1);
	assert_int_equal(dbtls_preamble_mysql.start(&c, &pt, &info, &d), DBTLS_ERR_PROTOCOL);
	assert_non_null(strstr(d.msg, "not a MySQL server"));
	dbtls_conn_close(&c);
}

static void test_error_packet_decoder(void **state)
{
	const uint8_t bad_hs[] = {0x16, 0x00, 0x00, 0x02, 0xff, 0x13, 0x04, '#', '0',
				  '8',	'S',  '0',  '1',  'B',	'a',  'd',  ' ', 'h',
				  'a',	'n',  'd',  's',  'h',	'a',  'k',  'e'};
	struct dbtls_server_error e;
	(void)state;

	assert_int_equal(dbtls_preamble_mysql.error_packet(bad_hs, sizeof(bad_hs), &e), DBTLS_OK);
	assert_int_equal(e.code, 1043);
	assert_int_equal(dbtls_preamble_mysql.error_packet(bad_hs, 10, &e), DBTLS_ERR_TRUNCATED);
	assert_int_equal(dbtls_preamble_mysql.error_packet((const uint8_t *)"abcdefgh", 8, &e),
			 DBTLS_ERR_PROTOCOL);
	/* the facts keep the server's bytes (every writer escapes them: test_hostile_text.sh);
	 * only NUL, which a C string cannot hold, becomes '?' */
	uint8_t ctl[] = {0x07, 0, 0, 2, 0xff, 0x01, 0x00, 0x1b, '[', 0x00, '2'};
	assert_int_equal(dbtls_preamble_mysql.error_packet(ctl, sizeof(ctl), &e), DBTLS_OK);
	assert_string_equal(e.message, "\x1b[?2");
}

static void test_tls_preamble(void **state)
{
	struct dbtls_server_info info = {0};
	struct dbtls_conn c;
	(void)state;

	dbtls_conn_init_replay(&c, NULL, 0);
	assert_int_equal(dbtls_preamble_tls.start(&c, &pt, &info, NULL), DBTLS_OK);
	assert_true(info.tls_offered);
	assert_int_equal(c.sent.len, 0);
	dbtls_conn_close(&c);
}

/* ---- PostgreSQL (tests/fixtures/pg/: answers captured from PostgreSQL 15) ---- */

static void info_free(struct dbtls_server_info *info)
{
	free(info->product);
	free(info->version);
	free(info->err_sqlstate);
	free(info->err_message);
	memset(info, 0, sizeof(*info));
}

/* Starts the postgres:// preamble on p[0..n); returns its result, *info filled. */
static enum dbtls_err pg_run(const uint8_t *p, size_t n, struct dbtls_server_info *info,
			     struct dbtls_diag *d)
{
	static const uint8_t sslrequest[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	struct dbtls_conn c;
	enum dbtls_err err;

	dbtls_conn_init_replay(&c, p, n);
	err = dbtls_preamble_postgres.start(&c, &pt, info, d);
	/* whatever the answer, the SSLRequest went out, and nothing else */
	assert_int_equal(c.sent.len, 8);
	assert_memory_equal(c.sent.data, sslrequest, 8);
	dbtls_conn_close(&c);
	return err;
}

static void test_pg_answers(void **state)
{
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	uint8_t *p;
	size_t n;
	(void)state;

	p = fx_load("pg/sslrequest-S.bin", &n);
	assert_int_equal(pg_run(p, n, &info, &d), DBTLS_OK);
	assert_true(info.tls_offered);
	assert_true(info.greeting_seen);
	assert_string_equal(info.product, "PostgreSQL");
	info_free(&info);
	free(p);

	p = fx_load("pg/sslrequest-N.bin", &n);
	assert_int_equal(pg_run(p, n, &info, &d), DBTLS_ERR_NO_TLS);
	assert_false(info.tls_offered);
	assert_true(info.greeting_seen);
	assert_non_null(strstr(d.msg, "'N'"));
	info_free(&info);
	free(p);

	/* an ErrorResponse in place of the answer (the fixture's 'R' message skipped) */
	p = fx_load("pg/error-no-role.bin", &n);
	assert_true(n > 9 && p[9] == 'E');
	assert_int_equal(pg_run(p + 9, n - 9, &info, &d), DBTLS_ERR_SERVER_ERROR);
	assert_string_equal(info.err_sqlstate, "28000");
	assert_non_null(strstr(info.err_message, "nosuch"));
	assert_non_null(strstr(d.msg, "FATAL 28000"));
	info_free(&info);
	free(p);
}

static void test_pg_bad_answers(void **state)
{
	/* 'S' with bytes after it: an injection before the handshake (CVE-2021-23222) */
	static const uint8_t s_extra[] = {'S', 0x16, 0x03, 0x03, 0x00, 0x01};
	static const uint8_t garbage[] = {'H', 'T', 'T', 'P'};
	static const uint8_t trunc_e[] = {'E', 0, 0, 0, 0x40, 'S', 'F'};
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	(void)state;

	assert_int_equal(pg_run(s_extra, sizeof(s_extra), &info, &d), DBTLS_ERR_PROTOCOL);
	assert_non_null(strstr(d.msg, "CVE-2021-23222"));
	info_free(&info);
	assert_int_equal(pg_run(garbage, sizeof(garbage), &info, &d), DBTLS_ERR_PROTOCOL);
	assert_non_null(strstr(d.msg, "0x48"));
	assert_false(info.tls_offered);
	info_free(&info);
	assert_int_equal(pg_run(trunc_e, sizeof(trunc_e), &info, &d), DBTLS_ERR_PROTOCOL);
	assert_non_null(strstr(d.msg, "truncated"));
	info_free(&info);
	assert_int_equal(pg_run(NULL, 0, &info, &d), DBTLS_ERR_CLOSED);
	info_free(&info);
}

static void test_pg_direct(void **state)
{
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	struct dbtls_server_error e;
	struct dbtls_conn c;
	uint8_t *p;
	size_t n;
	(void)state;

	dbtls_conn_init_replay(&c, NULL, 0);
	assert_int_equal(dbtls_preamble_postgres_direct.start(&c, &pt, &info, &d), DBTLS_OK);
	assert_int_equal(c.sent.len, 0); /* TLS from the first byte */
	assert_true(info.tls_offered);
	dbtls_conn_close(&c);
	info_free(&info);
	assert_string_equal(dbtls_preamble_postgres_direct.alpn[0], "postgresql");
	assert_null(dbtls_preamble_postgres_direct.alpn[1]);
	assert_null(dbtls_preamble_postgres.alpn);
	assert_string_equal(dbtls_preamble_postgres.alpn_probe, "postgresql");
	assert_ptr_equal(dbtls_preamble_find("postgres+direct"), &dbtls_preamble_postgres_direct);
	assert_int_equal(dbtls_preamble_postgres.default_port, 5432);
	assert_true(dbtls_preamble_postgres.supports & DBTLS_PRE_SQL);
	assert_false(dbtls_preamble_postgres.supports & DBTLS_PRE_CONNECT_BUDGET);

	/* an ErrorResponse where a ServerHello was expected */
	p = fx_load("pg/error-no-role.bin", &n);
	assert_int_equal(dbtls_preamble_postgres.error_packet(p + 9, n - 9, &e), DBTLS_OK);
	assert_string_equal(e.sqlstate, "28000");
	assert_non_null(strstr(e.message, "FATAL"));
	assert_int_equal(dbtls_preamble_postgres.error_packet(p, 9, &e), DBTLS_ERR_PROTOCOL);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mysql_greeting_ssl),
	    cmocka_unit_test(test_mysql_products),
	    cmocka_unit_test(test_mysql_greeting_no_ssl),
	    cmocka_unit_test(test_mysql_err_1129),
	    cmocka_unit_test(test_mysql_err_1040),
	    cmocka_unit_test(test_mysql_bad_answers),
	    cmocka_unit_test(test_error_packet_decoder),
	    cmocka_unit_test(test_tls_preamble),
	    cmocka_unit_test(test_pg_answers),
	    cmocka_unit_test(test_pg_bad_answers),
	    cmocka_unit_test(test_pg_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
