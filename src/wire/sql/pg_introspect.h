/* SPDX-License-Identifier: MIT */
/*
 * pg_introspect.h — what a PostgreSQL server says about its own TLS, read over an SQL login
 * (scan --sql) and recorded as struct dbtls_sql_facts (facts.h) the way sql_mysql.c records
 * MySQL's, so the sql.* checks read both: the session's own TLS (pg_stat_ssl), every live client
 * connection with and without TLS (pg_stat_activity joined with pg_stat_ssl and
 * pg_stat_gssapi), the TLS settings (pg_settings), and the pg_hba.conf rules
 * (pg_hba_file_rules) as "accounts": user/host/require, where host rules take clients without TLS
 * ("none"), hostssl rules only with TLS ("SSL"), and client-certificate rules ("X509").
 *
 * Pure: the statements run through struct dbtls_sql_seam (sql.h; sql_pg.c's libpq seam in a
 * scan), so unit tests replay rows captured from PostgreSQL 15
 * (tests/fixtures/pg/introspect/). What the login may not read (pg_hba_file_rules needs a
 * superuser, other sessions need pg_read_all_stats, some settings pg_read_all_settings) is
 * recorded in s->unreadable, never guessed.
 *
 * Error numbers: the seam reports a statement's failure as dbtls_pg_sqlstate_pack() of its
 * SQLSTATE ("42501" → a nonzero number), so an unreadable entry's code unpacks to the SQLSTATE.
 */
#ifndef DBTLS_PG_INTROSPECT_H
#define DBTLS_PG_INTROSPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "src/wire/sql/sql.h"

/* The environment variable the PostgreSQL password is read from (by the login, later). */
#define DBTLS_PG_PASSWORD_ENV "DBTLS_PG_PASSWORD"

struct dbtls_pg_stmt {
	const char *name; /* "session", "settings", "connections", "hba" */
	const char *sql;
};

/* The statements dbtls_pg_collect() runs, in order (borrowed, static); *n gets their number. */
const struct dbtls_pg_stmt *dbtls_pg_statements(size_t *n);

/*
 * Runs the statements through q on a logged-in session and fills s: user ("session_user@client
 * address", "[local]" over a Unix socket), account (current_user), session (ssl, Ssl_version,
 * Ssl_cipher, bits: pg_stat_ssl's columns, the version and cipher under the names the sql.*
 * checks read), variables (the settings; a value NULL when this server version has no such
 * setting), connections (type "SSL/TLS", "GSSAPI", "TCP/IP" or "Socket"; NULL when the row is
 * hidden from this login), accounts (accounts_source "pg_hba_file_rules") and unreadable. Sets
 * s->server_version from the server_version setting when it is NULL. Leaves s->status, reason,
 * verify_cert and ca_source to the login. Returns NOMEM or OK.
 */
enum dbtls_err dbtls_pg_collect(const struct dbtls_sql_seam *q, struct dbtls_sql_facts *s);

/* A pg_hba_file_rules row as an account's host: "10.0.0.0/8" (netmask as a prefix length when
 * it is one), "all", "samehost", "samenet", a host name, "local" for a local rule (address NULL).
 * Returns new (NULL only when out of memory). */
char *dbtls_pg_hba_host(const char *type, const char *address, const char *netmask);

/* True when the rule admits clients from other machines: not local, not samehost, and not an
 * address range inside 127.0.0.0/8 or ::1. */
bool dbtls_pg_hba_is_network(const char *type, const char *address, const char *netmask);

/* The TLS a rule demands, as an account's require: "none" (host, hostnossl, hostgssenc-less
 * host rules take clients without TLS), "SSL" (hostssl), "X509" (hostssl with auth_method cert or
 * clientcert=verify-ca/verify-full among the options), "GSSENC" (hostgssenc: encrypted by
 * GSSAPI, not TLS), "local" (a Unix-socket rule). Returns borrowed, static. */
const char *dbtls_pg_hba_require(const char *type, const char *auth_method, const char *options);

/* Packs a 5-character SQLSTATE as PostgreSQL's MAKE_SQLSTATE does (6 bits a character); 0 for
 * NULL or a malformed one. dbtls_pg_sqlstate_unpack writes it back as 5 characters + NUL. */
unsigned dbtls_pg_sqlstate_pack(const char *sqlstate);
void dbtls_pg_sqlstate_unpack(unsigned code, char out[6]);

#endif
