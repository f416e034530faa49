/* SPDX-License-Identifier: MIT */
/*
 * sql_pg.h — the SQL step of a PostgreSQL scan (dbtls scan --sql on postgres:// and
 * postgres+direct://): log in through libpq over TLS that verifies the server
 * (sslmode=verify-full against --ca-file, or the system store; sslmode=require with
 * --sql-insecure, recorded as verify_cert false) and record what the server says about its TLS
 * through dbtls_pg_collect() (pg_introspect.h). Found as dbtls_sql_find("postgres"); compiled
 * only with libpq (HAVE_LIBPQ) — without it sql.c answers "built without libpq".
 *
 * Credentials: the user from --sql-user, else the service file's (PGSERVICE) or libpq's default;
 * the password only from DBTLS_PG_PASSWORD (read once, copied, wiped after the login) or the files
 * libpq reads itself (~/.pgpass or PGPASSFILE, the service file) — never argv, never PGPASSWORD,
 * never in output: every message that reaches facts or diagnostics is scrubbed of both the
 * environment's password and the one libpq ended up using.
 *
 * The login's parameters are built by a pure function (dbtls_pg_login_params) so unit tests can
 * check them without a server. Ownership: the parameter arrays point into the caller's buffers
 * and the options (borrowed).
 */
#ifndef DBTLS_SQL_PG_H
#define DBTLS_SQL_PG_H

#include <stdbool.h>
#include <stddef.h>

#include "src/wire/sql/sql.h"

#define DBTLS_PG_MAX_PARAMS 24

/* The keyword/value arrays given to PQconnectdbParams (NULL-terminated). */
struct dbtls_pg_params {
	const char *keys[DBTLS_PG_MAX_PARAMS + 1];
	const char *vals[DBTLS_PG_MAX_PARAMS + 1];
	size_t n;
	char port[8], timeout[16], options[64];
	const char *ca_source; /* what the server is verified against: the file, or "system";
				  NULL with --sql-insecure */
};

/*
 * Fills *p for a login to t with o. password: DBTLS_PG_PASSWORD's value or NULL; block_env: true
 * when PGPASSWORD is set and must not be used (then, with no password, an empty one is passed:
 * libpq still reads ~/.pgpass). system_bundle: the CA file for "the system store" when libpq is
 * older than 16 (sslrootcert=system is 16+); libpq_version as PQlibVersion() (150000 …);
 * require_auth: libpq 16+ only, with --sql-insecure (challenge-response only: no clear-text
 * password to a server nobody authenticated).
 */
void dbtls_pg_login_params(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
			   const char *password, bool block_env, const char *system_bundle,
			   int libpq_version, struct dbtls_pg_params *p);

/* The endpoint error of a failed libpq login, from its message (libpq has no error numbers):
 * TLS for certificate / SSL failures, TIMEOUT, RESOLVE, CONNECT, else SERVER_ERROR (the server
 * refused: authentication, pg_hba.conf, no such database). */
enum dbtls_err dbtls_pg_login_error(const char *msg);

#endif
