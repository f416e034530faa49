/* SPDX-License-Identifier: MIT */
/*
 * test_sql_pg.c — the PostgreSQL login's parameters (sql_pg.h) without a server: verify-full
 * against --ca-file or the system store (sslrootcert=system only from libpq 16, the OpenSSL
 * bundle before), require with --sql-insecure (SCRAM only where libpq can say so), the timeout,
 * application_name, the user, and where the password may come from (never PGPASSWORD); and how
 * libpq's messages map to endpoint errors. Built only with libpq.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "src/wire/sql/sql_pg.h"

static const struct dbtls_sql_target tgt = {
    .scheme = "postgres", .host = "db.example", .port = 5433};

/* The value of key in p, or NULL when absent. */
static const char *pv(const struct dbtls_pg_params *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->keys[i], key) == 0)
			return p->vals[i];
	return NULL;
}

static void test_verified(void **state)
{
	struct dbtls_sql_opts o = {.timeout_ms = 2500, .ca_file = "/ca.pem", .user = "scan"};
	struct dbtls_pg_params p;
	(void)state;

	dbtls_pg_login_params(&tgt, &o, NULL, false, "/usr/lib/ssl/cert.pem", 150000, &p);
	assert_string_equal(pv(&p, "sslmode"), "verify-full");
	assert_string_equal(pv(&p, "sslrootcert"), "/ca.pem");
	assert_string_equal(p.ca_source, "/ca.pem");
	assert_string_equal(pv(&p, "host"), "db.example");
	assert_string_equal(pv(&p, "port"), "5433");
	assert_string_equal(pv(&p, "connect_timeout"), "3");
	assert_string_equal(pv(&p, "application_name"), "dbtls");
	assert_string_equal(pv(&p, "user"), "scan");
	assert_null(pv(&p, "password")); /* libpq reads ~/.pgpass itself */
	assert_null(pv(&p, "require_auth"));
	assert_null(pv(&p, "sslnegotiation"));
	assert_null(p.keys[p.n]);
	assert_null(p.vals[p.n]);
}

static void test_system_store(void **state)
{
	struct dbtls_sql_opts o = {0};
	struct dbtls_pg_params p;
	(void)state;

	/* libpq 15: "system" is not a file it knows; the OpenSSL default bundle is */
	dbtls_pg_login_params(&tgt, &o, NULL, false, "/usr/lib/ssl/cert.pem", 150007, &p);
	assert_string_equal(pv(&p, "sslrootcert"), "/usr/lib/ssl/cert.pem");
	assert_string_equal(p.ca_source, "system");
	assert_string_equal(pv(&p, "connect_timeout"), "10");
	assert_null(pv(&p, "user")); /* the service file's, or libpq's default */
	dbtls_pg_login_params(&tgt, &o, NULL, false, "/usr/lib/ssl/cert.pem", 160002, &p);
	assert_string_equal(pv(&p, "sslrootcert"), "system");
}

static void test_insecure(void **state)
{
	struct dbtls_sql_opts o = {.insecure = true, .ca_file = "/ca.pem"};
	struct dbtls_pg_params p;
	(void)state;

	dbtls_pg_login_params(&tgt, &o, NULL, false, NULL, 150000, &p);
	assert_string_equal(pv(&p, "sslmode"), "require");
	assert_null(pv(&p, "sslrootcert"));
	assert_null(p.ca_source);
	assert_null(pv(&p, "require_auth")); /* libpq 15 does not know it */
	dbtls_pg_login_params(&tgt, &o, NULL, false, NULL, 160000, &p);
	assert_string_equal(pv(&p, "require_auth"), "scram-sha-256");
}

static void test_password_sources(void **state)
{
	struct dbtls_sql_opts o = {0};
	struct dbtls_pg_params p;
	(void)state;

	dbtls_pg_login_params(&tgt, &o, "s3cret", true, NULL, 150000, &p);
	assert_string_equal(pv(&p, "password"), "s3cret");
	/* PGPASSWORD set and nothing of ours: an empty one keeps it out (~/.pgpass still read) */
	dbtls_pg_login_params(&tgt, &o, NULL, true, NULL, 150000, &p);
	assert_string_equal(pv(&p, "password"), "");
}

static void test_direct(void **state)
{
	const struct dbtls_sql_target d = {.scheme = "postgres+direct", .host = "h", .port = 5432};
	struct dbtls_sql_opts o = {0};
	struct dbtls_pg_params p;
	(void)state;

	dbtls_pg_login_params(&d, &o, NULL, false, NULL, 170000, &p);
	assert_string_equal(pv(&p, "sslnegotiation"), "direct");
	dbtls_pg_login_params(&d, &o, NULL, false, NULL, 150000, &p);
	assert_null(pv(&p, "sslnegotiation"));
}

static void test_login_errors(void **state)
{
	(void)state;
	assert_int_equal(dbtls_pg_login_error("connection to server at \"127.0.0.1\", port 5432 "
					      "failed: FATAL:  password authentication failed for "
					      "user \"app\""),
			 DBTLS_ERR_SERVER_ERROR);
	assert_int_equal(dbtls_pg_login_error("connection to server at \"127.0.0.1\", port 5432 "
					      "failed: server certificate for \"x\" does not match "
					      "host name \"y\""),
			 DBTLS_ERR_TLS);
	assert_int_equal(dbtls_pg_login_error("connection to server at \"127.0.0.1\", port 1 "
					      "failed: Connection refused"),
			 DBTLS_ERR_CONNECT);
	assert_int_equal(dbtls_pg_login_error("timeout expired"), DBTLS_ERR_TIMEOUT);
	assert_int_equal(dbtls_pg_login_error("could not translate host name \"nx\" to address"),
			 DBTLS_ERR_RESOLVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verified), cmocka_unit_test(test_system_store),
	    cmocka_unit_test(test_insecure), cmocka_unit_test(test_password_sources),
	    cmocka_unit_test(test_direct),   cmocka_unit_test(test_login_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
