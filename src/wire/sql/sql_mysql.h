/* SPDX-License-Identifier: MIT */
/*
 * sql_mysql.h — the SQL step of a MySQL/MariaDB scan (dbtls scan --sql): log in through the
 * client library (libmariadb, the libmysqlclient API) over a TLS connection that verifies the
 * server certificate, and record what the server itself says about TLS as facts (struct
 * dbtls_sql_facts in facts.h): the session's cipher and version, the TLS settings, every live
 * connection and how it is transported (performance_schema), and every account with its TLS
 * requirement. Like every probe it never prints; what it cannot read is a fact, not an error.
 *
 * Credentials: the user comes from the options or the option file; the password only from the
 * environment variable DBTLS_MYSQL_PASSWORD or the option file the client library reads itself
 * (never argv, and never MYSQL_PWD). The password is never copied into facts, and every message
 * that reaches facts is scrubbed of it.
 *
 * The statements run through a small seam (struct dbtls_sql_seam) so that unit tests can replay
 * answers and refusals without a server. The login itself is reached through the SQL step table
 * (sql.h: dbtls_sql_mysql, found as dbtls_sql_find("mysql")); this header adds only what is
 * MySQL's own.
 */
#ifndef DBTLS_SQL_MYSQL_H
#define DBTLS_SQL_MYSQL_H

#include <stdbool.h>
#include <stddef.h>

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "src/wire/sql/sql.h"

/* The environment variable the password is read from. */
#define DBTLS_SQL_PASSWORD_ENV "DBTLS_MYSQL_PASSWORD"

/* The statement seam (struct dbtls_sql_seam) and dbtls_sql_scrub() are in sql.h, shared with
 * the PostgreSQL step. */

/* Runs the fact-gathering statements through q on a logged-in session into s (status, user,
 * account, session values, variables, connections, accounts, unreadable parts); server_version
 * (borrowed) decides between MariaDB's and MySQL's grant tables. Statements the session may not
 * run become s->unreadable entries. Returns NOMEM or OK. */
enum dbtls_err dbtls_sql_collect(const struct dbtls_sql_seam *q, const char *server_version,
				 struct dbtls_sql_facts *s);

/* Takes the password out of the environment (later calls find it gone and keep it): copies
 * $DBTLS_MYSQL_PASSWORD into a locked page kept out of core dumps, wipes it in the environment
 * block and unsets it, and makes the process non-dumpable (PR_SET_DUMPABLE 0) while it is held.
 * Call before any thread starts (unsetenv is not thread-safe); the SQL step takes it itself
 * otherwise. An empty value counts as none. */
void dbtls_sql_secret_take(void);
/* Wipes and frees the password and makes the process dumpable again if it was; after the last
 * login. Safe to call when nothing was taken. */
void dbtls_sql_secret_wipe(void);

/* Fills *out (new strings; path NULL when none) with the first option file the SQL login reads
 * (defaults_file, else ~/.my.cnf, /etc/mysql/my.cnf, /etc/my.cnf) that sets a password in a
 * client group and is group- or world-readable. Returns NOMEM or OK. */
enum dbtls_err dbtls_sql_option_file_check(const char *defaults_file,
					   struct dbtls_sql_option_file *out);

/* True when a MySQL account host pattern ('%', '10.0.%', 'db.example', '192.0.2.0/255.255.255.0')
 * admits clients other than the local machine; false for localhost, 127.0.0.1, ::1 (and NULL). */
bool dbtls_sql_host_is_network(const char *pattern);

/* The account's TLS requirement as the grant says it, from mysql.user's ssl_type ("", "ANY",
 * "X509", "SPECIFIED") or MariaDB's global_priv number (NULL, "0" … "3"), and the REQUIRE
 * ISSUER/SUBJECT/CIPHER values: "none", "SSL", "X509", or the specified parts joined by spaces
 * ("ISSUER SUBJECT"). Returns new (NULL only when out of memory). */
char *dbtls_sql_require_name(const char *ssl_type, const char *issuer, const char *subject,
			     const char *cipher);

#endif
