/* SPDX-License-Identifier: MIT */
/*
 * test_sql.c — the SQL step (src/sql_mysql.c) and its checks (checks/check_sql.c).
 *
 * The collector runs against a fake seam that replays what MariaDB and MySQL answer (captured
 * from MariaDB 10.11 with performance_schema=ON), including the refusals of a login without
 * privileges: every refusal must become an "unreadable" fact naming the statement, never an error.
 * The pure helpers (host patterns, REQUIRE names, password scrubbing) are table-driven. The login
 * itself is exercised where no server is needed: the skip paths, and a refused connection whose
 * message must come out with the password scrubbed.
 *
 * The checks are table-driven like test_checks.c: each row starts from one hand-built, compliant
 * MariaDB endpoint with SQL facts, applies one change, runs one check and counts its findings;
 * every sql.* check has a passing and a failing row (test_rows_cover_sql). Finally: every shipped
 * profile enables the family, and failed/skipped SQL facts survive the JSON round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks/check.h"
#include "checks/policy/policy.h"
#include "reports/report.h"
#include "src/scan/scan.h"
#include "src/wire/net.h"
#include "src/wire/sql/sql_mysql.h"
#include "tests/unit/fixtures.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NOW	 ((time_t)1790000000)

static char *xstrdup(const char *s)
{
	char *p = s ? strdup(s) : NULL;

	assert_true(!s || p);
	return p;
}

/* ==== pure helpers ==== */

static void test_host_is_network(void **state)
{
	static const struct {
		const char *pattern;
		bool network;
	} rows[] = {
	    {"localhost", false}, {"LOCALHOST", false},
	    {"127.0.0.1", false}, {"::1", false},
	    {"%", true},	  {"", true},
	    {"10.0.%", true},	  {"192.0.2.0/255.255.255.0", true},
	    {"db.example", true}, {"127.%", true}, /* matches names too: network */
	    {"vm", true},	  {NULL, false},
	};
	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++)
		if (dbtls_sql_host_is_network(rows[i].pattern) != rows[i].network)
			fail_msg("'%s': expected %s", rows[i].pattern ? rows[i].pattern : "(null)",
				 rows[i].network ? "network" : "local");
}

static void test_require_name(void **state)
{
	static const struct {
		const char *type, *issuer, *subject, *cipher, *want;
	} rows[] = {
	    {"", NULL, NULL, NULL, "none"},
	    {NULL, NULL, NULL, NULL, "none"},
	    {"0", NULL, NULL, NULL, "none"},
	    {"ANY", "", "", "", "SSL"},
	    {"1", NULL, NULL, NULL, "SSL"},
	    {"X509", NULL, NULL, NULL, "X509"},
	    {"2", NULL, NULL, NULL, "X509"},
	    {"SPECIFIED", "/CN=ca", "/CN=app", "", "ISSUER SUBJECT"},
	    {"3", "/CN=a", "/CN=b", "AES256-SHA", "ISSUER SUBJECT CIPHER"},
	    {"3", NULL, NULL, "AES256-SHA", "CIPHER"},
	    {"3", NULL, NULL, NULL, "SPECIFIED"},
	    {"FUTURE", NULL, NULL, NULL, "FUTURE"},
	};
	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++) {
		char *got = dbtls_sql_require_name(rows[i].type, rows[i].issuer, rows[i].subject,
						   rows[i].cipher);
		assert_non_null(got);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, got, rows[i].want);
		free(got);
	}
}

static void test_scrub(void **state)
{
	char buf[128];
	(void)state;

	snprintf(buf, sizeof(buf), "denied for 'app' using s3cret-pw and s3cret-pw again");
	dbtls_sql_scrub(buf, sizeof(buf), "s3cret-pw");
	assert_string_equal(buf, "denied for 'app' using [redacted] and [redacted] again");

	snprintf(buf, sizeof(buf), "nothing secret here");
	dbtls_sql_scrub(buf, sizeof(buf), "s3cret-pw");
	assert_string_equal(buf, "nothing secret here");
	dbtls_sql_scrub(buf, sizeof(buf), "");
	dbtls_sql_scrub(buf, sizeof(buf), NULL);
	assert_string_equal(buf, "nothing secret here");

	/* a short secret grows the text: it is cut, and the secret is never what is left */
	snprintf(buf, 12, "ab pw cd pw");
	dbtls_sql_scrub(buf, 12, "pw");
	assert_null(strstr(buf, "pw"));
	assert_string_equal(buf, "ab ");

	snprintf(buf, 16, "xy pw");
	dbtls_sql_scrub(buf, 16, "pw");
	assert_string_equal(buf, "xy [redacted]");
}

/* ==== the collector, over a fake seam ==== */

/* One canned answer: the first whose `match` occurs in the statement is used. */
struct answer {
	const char *match;
	unsigned code; /* 0: success */
	const char *message;
	unsigned ncols;
	size_t nrows;
	const char *const *cells; /* nrows * ncols, NULL = SQL NULL */
};

struct fake {
	const struct answer *answers;
	size_t nanswers;
	char ran[16][512]; /* statements in the order they ran */
	size_t nran;
};

static unsigned fake_query(void *conn, const char *stmt, dbtls_sql_row_fn row, void *arg, char *err,
			   size_t errlen)
{
	struct fake *fk = conn;

	if (fk->nran < NELEM(fk->ran))
		snprintf(fk->ran[fk->nran++], sizeof(fk->ran[0]), "%s", stmt);
	for (size_t i = 0; i < fk->nanswers; i++) {
		const struct answer *a = &fk->answers[i];

		if (!strstr(stmt, a->match))
			continue;
		if (a->code) {
			snprintf(err, errlen, "%s", a->message);
			return a->code;
		}
		for (size_t r = 0; r < a->nrows; r++)
			if (!row(arg, a->ncols, a->cells + r * a->ncols))
				return DBTLS_SQL_ERR_NOMEM;
		return 0;
	}
	snprintf(err, errlen, "Table doesn't exist (fake: no answer for this statement)");
	return 1146;
}

static bool fake_ran(const struct fake *fk, const char *match)
{
	for (size_t i = 0; i < fk->nran; i++)
		if (strstr(fk->ran[i], match))
			return true;
	return false;
}

static const char *const identity[] = {"42", "scan@localhost", "scan@%"};
static const char *const session[] = {
    "Ssl_cipher",
    "TLS_AES_256_GCM_SHA384",
    "Ssl_version",
    "TLSv1.3",
    "Ssl_server_not_before",
    "Nov 23 20:15:48 2026 GMT",
    "Ssl_server_not_after",
    "Nov 23 20:15:48 2027 GMT",
};
static const char *const variables_maria[] = {
    "have_openssl",
    "YES",
    "have_ssl",
    "YES",
    "performance_schema",
    "ON",
    "require_secure_transport",
    "OFF",
    "ssl_cipher",
    "ALL:@SECLEVEL=0",
    "tls_version",
    "TLSv1.0,TLSv1.1,TLSv1.2,TLSv1.3",
    "version",
    "10.11.19-MariaDB-0+deb12u1",
    "version_ssl_library",
    "OpenSSL 3.0.19 27 Jan 2026",
};
static const char *const variables_pfs_off[] = {
    "have_ssl", "YES", "performance_schema", "OFF", "version", "10.11.19-MariaDB-0+deb12u1",
};
static const char *const variables_mysql[] = {
    "have_ssl",
    "YES",
    "performance_schema",
    "ON",
    "tls_version",
    "TLSv1.2,TLSv1.3",
    "tls_ciphersuites",
    "",
    "version",
    "8.0.36",
    "auto_generate_certs",
    "ON",
};
static const char *const threads[] = {
    "60",     "9",	   "app",     "localhost", "TCP/IP",   "61",	 "42",
    "scan",   "localhost", "SSL/TLS", "62",	   "10",       "root",	 "localhost",
    "Socket", "63",	   "11",      NULL,	   "10.0.0.9", "TCP/IP", /* still logging in */
};
static const char *const attrs[] = {"9", "mysql", "42", "dbtls", "77", "gone"};
static const char *const thread_tls[] = {
    "60", "Ssl_version", "",	    "60", "Ssl_cipher", "",
    "61", "Ssl_version", "TLSv1.3", "61", "Ssl_cipher", "TLS_AES_256_GCM_SHA384",
    "62", "Ssl_version", "",
};
static const char *const global_priv[] = {
    "app",	   "%",		NULL, NULL,	    NULL,    NULL,    NULL, NULL,
    "iss",	   "%",		"3",  "AES256-SHA", "/CN=a", "/CN=b", NULL, NULL,
    "mariadb.sys", "localhost", NULL, NULL,	    NULL,    NULL,    "1",  NULL,
    "r1",	   "",		NULL, NULL,	    NULL,    NULL,    NULL, "1", /* role */
    "sec",	   "%",		"1",  "",	    "",	     "",      NULL, NULL,
    "x5",	   "10.%",	"2",  "",	    "",	     "",      NULL, NULL,
};
static const char *const mysql_user[] = {
    "app", "%", "",  "",  "",	 "",	   "N",	  "N", "mysql.sys", "localhost", "",  "",
    "",	   "",	"Y", "N", "web", "10.0.%", "ANY", "",  "",	    "",		 "N", "N",
};

#define ANSWER(m, c, n)                                                                            \
	{                                                                                          \
		.match = m, .ncols = n, .nrows = NELEM(c) / (n), .cells = c                        \
	}
#define REFUSE(m, c, msg)                                                                          \
	{                                                                                          \
		.match = m, .code = c, .message = msg                                              \
	}

static const struct answer maria_full[] = {
    ANSWER("CONNECTION_ID()", identity, 3),
    ANSWER("SHOW SESSION STATUS", session, 2),
    ANSWER("SHOW GLOBAL VARIABLES", variables_maria, 2),
    ANSWER("performance_schema.threads", threads, 5),
    ANSWER("session_connect_attrs", attrs, 2),
    ANSWER("status_by_thread", thread_tls, 3),
    ANSWER("mysql.global_priv", global_priv, 8),
};

static void test_collect_mariadb(void **state)
{
	struct fake fk = {.answers = maria_full, .nanswers = NELEM(maria_full)};
	struct dbtls_sql_seam seam = {.query = fake_query, .conn = &fk};
	struct dbtls_sql_facts s = {0};
	const struct dbtls_sql_conn *c;
	bool listed;
	(void)state;

	assert_int_equal(dbtls_sql_collect(&seam, "10.11.19-MariaDB-0+deb12u1", &s), DBTLS_OK);
	assert_string_equal(s.user, "scan@localhost");
	assert_string_equal(s.account, "scan@%");
	assert_int_equal(s.nsession, 4);
	assert_string_equal(dbtls_sql_value_get(s.session, s.nsession, "ssl_version", NULL),
			    "TLSv1.3");
	assert_string_equal(
	    dbtls_sql_value_get(s.session, s.nsession, "ssl_server_not_after", NULL),
	    "Nov 23 20:15:48 2027 GMT");
	/* asked for, not there: recorded as absent, which is not the same as "not asked" */
	assert_null(dbtls_sql_value_get(s.variables, s.nvariables, "tls_ciphersuites", &listed));
	assert_true(listed);
	assert_null(dbtls_sql_value_get(s.variables, s.nvariables, "no_such_thing", &listed));
	assert_false(listed);
	assert_string_equal(
	    dbtls_sql_value_get(s.variables, s.nvariables, "require_secure_transport", NULL),
	    "OFF");

	assert_int_equal(s.connections_status, DBTLS_SQL_AV_READ);
	assert_int_equal(s.nconnections, 4);
	c = &s.connections[0];
	assert_int_equal(c->id, 9);
	assert_string_equal(c->user, "app");
	assert_string_equal(c->type, "TCP/IP");
	assert_string_equal(c->program, "mysql");
	assert_string_equal(c->tls_version, "");
	assert_false(c->self);
	c = &s.connections[1];
	assert_true(c->self);
	assert_string_equal(c->program, "dbtls");
	assert_string_equal(c->tls_version, "TLSv1.3");
	assert_string_equal(c->cipher, "TLS_AES_256_GCM_SHA384");
	c = &s.connections[2];
	assert_string_equal(c->type, "Socket");
	assert_null(c->program);
	assert_null(c->cipher); /* no row for it: unknown, not "none" */
	c = &s.connections[3];
	assert_null(c->user);
	assert_null(c->tls_version);

	assert_int_equal(s.accounts_status, DBTLS_SQL_AV_READ);
	assert_string_equal(s.accounts_source, "mysql.global_priv");
	assert_int_equal(s.naccounts, 5); /* the role is left out */
	assert_string_equal(s.accounts[0].user, "app");
	assert_string_equal(s.accounts[0].require, "none");
	assert_true(s.accounts[0].network);
	assert_false(s.accounts[0].locked);
	assert_string_equal(s.accounts[1].require, "ISSUER SUBJECT CIPHER");
	assert_string_equal(s.accounts[1].issuer, "/CN=a");
	assert_string_equal(s.accounts[1].subject, "/CN=b");
	assert_string_equal(s.accounts[1].cipher, "AES256-SHA");
	assert_string_equal(s.accounts[2].user, "mariadb.sys");
	assert_true(s.accounts[2].locked);
	assert_false(s.accounts[2].network);
	assert_string_equal(s.accounts[3].require, "SSL");
	assert_null(s.accounts[3].issuer);
	assert_string_equal(s.accounts[4].require, "X509");
	assert_string_equal(s.accounts[4].host, "10.%");
	assert_int_equal(s.nunreadable, 0);
	assert_false(fake_ran(&fk, "mysql.user"));
	dbtls_sql_facts_free(&s);
}

static const struct answer maria_lowpriv[] = {
    ANSWER("CONNECTION_ID()", identity, 3),
    ANSWER("SHOW SESSION STATUS", session, 2),
    ANSWER("SHOW GLOBAL VARIABLES", variables_maria, 2),
    REFUSE("performance_schema.threads", 1142,
	   "SELECT command denied to user 'low'@'localhost' for table "
	   "`performance_schema`.`threads`"),
    REFUSE("mysql.global_priv", 1142,
	   "SELECT command denied to user 'low'@'localhost' for table `mysql`.`global_priv`"),
    REFUSE("mysql.user", 1142,
	   "SELECT command denied to user 'low'@'localhost' for table `mysql`.`user`"),
};

/* Too few privileges: the facts say what could not be read and why; nothing fails. */
static void test_collect_low_privileges(void **state)
{
	struct fake fk = {.answers = maria_lowpriv, .nanswers = NELEM(maria_lowpriv)};
	struct dbtls_sql_seam seam = {.query = fake_query, .conn = &fk};
	struct dbtls_sql_facts s = {0};
	(void)state;

	assert_int_equal(dbtls_sql_collect(&seam, "10.11.19-MariaDB", &s), DBTLS_OK);
	assert_int_equal(s.nvariables, 17);
	assert_int_equal(s.connections_status, DBTLS_SQL_AV_UNREADABLE);
	assert_int_equal(s.nconnections, 0);
	assert_int_equal(s.accounts_status, DBTLS_SQL_AV_UNREADABLE);
	assert_int_equal(s.naccounts, 0);
	assert_null(s.accounts_source);
	assert_int_equal(s.nunreadable, 3);
	assert_string_equal(s.unreadable[0].what, "connections");
	assert_int_equal(s.unreadable[0].code, 1142);
	assert_non_null(strstr(s.unreadable[0].statement, "performance_schema.threads"));
	assert_non_null(strstr(s.unreadable[0].message, "SELECT command denied"));
	assert_string_equal(s.unreadable[1].what, "accounts");
	assert_non_null(strstr(s.unreadable[1].statement, "mysql.global_priv"));
	assert_string_equal(s.unreadable[2].what, "accounts");
	assert_non_null(strstr(s.unreadable[2].statement, "FROM mysql.user"));
	/* the extras are not attempted without the thread list */
	assert_false(fake_ran(&fk, "session_connect_attrs"));
	dbtls_sql_facts_free(&s);
}

static const struct answer maria_pfs_off[] = {
    ANSWER("CONNECTION_ID()", identity, 3),
    ANSWER("SHOW SESSION STATUS", session, 2),
    ANSWER("SHOW GLOBAL VARIABLES", variables_pfs_off, 2),
    ANSWER("performance_schema.threads", threads, 5),
    ANSWER("mysql.global_priv", global_priv, 8),
};

static void test_collect_pfs_off(void **state)
{
	struct fake fk = {.answers = maria_pfs_off, .nanswers = NELEM(maria_pfs_off)};
	struct dbtls_sql_seam seam = {.query = fake_query, .conn = &fk};
	struct dbtls_sql_facts s = {0};
	(void)state;

	assert_int_equal(dbtls_sql_collect(&seam, "10.11.19-MariaDB", &s), DBTLS_OK);
	assert_int_equal(s.connections_status, DBTLS_SQL_AV_DISABLED);
	assert_int_equal(s.nconnections, 0);
	assert_false(fake_ran(&fk, "performance_schema.threads"));
	assert_int_equal(s.accounts_status, DBTLS_SQL_AV_READ);
	assert_int_equal(s.nunreadable, 0);
	dbtls_sql_facts_free(&s);
}

static const struct answer mysql_answers[] = {
    ANSWER("CONNECTION_ID()", identity, 3),
    ANSWER("SHOW SESSION STATUS", session, 2),
    ANSWER("SHOW GLOBAL VARIABLES", variables_mysql, 2),
    REFUSE("SHOW GLOBAL VARIABLES", 1227, "never used: the answer above matches first"),
    ANSWER("performance_schema.threads", threads, 5),
    REFUSE("session_connect_attrs", 1142, "SELECT command denied (attrs)"),
    ANSWER("status_by_thread", thread_tls, 3),
    REFUSE("account_locked, 'N'", 1054, "Unknown column 'account_locked' in 'field list'"),
    ANSWER("x509_subject, 'N', 'N'", mysql_user, 8),
};

/* MySQL: no global_priv; mysql.user with and without account_locked; an extra that fails. */
static void test_collect_mysql(void **state)
{
	struct fake fk = {.answers = mysql_answers, .nanswers = NELEM(mysql_answers)};
	struct dbtls_sql_seam seam = {.query = fake_query, .conn = &fk};
	struct dbtls_sql_facts s = {0};
	(void)state;

	assert_int_equal(dbtls_sql_collect(&seam, "8.0.36", &s), DBTLS_OK);
	assert_false(fake_ran(&fk, "global_priv"));
	assert_int_equal(s.accounts_status, DBTLS_SQL_AV_READ);
	assert_string_equal(s.accounts_source, "mysql.user");
	assert_int_equal(s.naccounts, 3);
	assert_string_equal(s.accounts[2].require, "SSL");
	assert_true(s.accounts[2].network);
	assert_true(s.accounts[1].locked);
	assert_string_equal(
	    dbtls_sql_value_get(s.variables, s.nvariables, "tls_ciphersuites", NULL), "");
	/* the connection list stands without the program names */
	assert_int_equal(s.connections_status, DBTLS_SQL_AV_READ);
	assert_int_equal(s.nconnections, 4);
	assert_null(s.connections[0].program);
	assert_string_equal(s.connections[1].tls_version, "TLSv1.3");
	assert_int_equal(s.nunreadable, 1);
	assert_string_equal(s.unreadable[0].what, "connect_attrs");
	dbtls_sql_facts_free(&s);
}

static const struct answer vars_denied[] = {
    ANSWER("CONNECTION_ID()", identity, 3),
    REFUSE("SHOW SESSION STATUS", 1227, "Access denied; you need the PROCESS privilege"),
    REFUSE("SHOW GLOBAL VARIABLES", 1227, "Access denied; you need (at least one of) …"),
    ANSWER("performance_schema.threads", threads, 5),
    ANSWER("session_connect_attrs", attrs, 2),
    ANSWER("status_by_thread", thread_tls, 3),
    ANSWER("mysql.global_priv", global_priv, 8),
};

/* Variables that cannot be read are unknown (empty list), not absent; the rest is still tried,
 * and the server version from the client library picks MariaDB's grant table. */
static void test_collect_variables_denied(void **state)
{
	struct fake fk = {.answers = vars_denied, .nanswers = NELEM(vars_denied)};
	struct dbtls_sql_seam seam = {.query = fake_query, .conn = &fk};
	struct dbtls_sql_facts s = {0};
	(void)state;

	assert_int_equal(dbtls_sql_collect(&seam, "10.11.19-MariaDB", &s), DBTLS_OK);
	assert_int_equal(s.nsession, 0);
	assert_int_equal(s.nvariables, 0);
	assert_int_equal(s.connections_status, DBTLS_SQL_AV_READ);
	assert_int_equal(s.accounts_status, DBTLS_SQL_AV_READ);
	assert_int_equal(s.nunreadable, 2);
	assert_string_equal(s.unreadable[0].what, "session");
	assert_string_equal(s.unreadable[1].what, "variables");
	assert_non_null(strstr(s.unreadable[1].statement, "'require_secure_transport'"));
	dbtls_sql_facts_free(&s);
}

static unsigned nomem_query(void *conn, const char *stmt, dbtls_sql_row_fn row, void *arg,
			    char *err, size_t errlen)
{
	(void)conn, (void)stmt, (void)row, (void)arg, (void)err, (void)errlen;
	return DBTLS_SQL_ERR_NOMEM;
}

static void test_collect_nomem(void **state)
{
	struct dbtls_sql_seam seam = {.query = nomem_query};
	struct dbtls_sql_facts s = {0};
	(void)state;

	assert_int_equal(dbtls_sql_collect(&seam, "10.11.19-MariaDB", &s), DBTLS_ERR_NOMEM);
	assert_int_equal(s.nunreadable, 0); /* out of memory is not a privilege fact */
	dbtls_sql_facts_free(&s);
}

/* ==== the login step without a server ==== */

static void scan_target(struct dbtls_target *t, const char *s)
{
	char why[128];

	assert_int_equal(dbtls_target_parse(s, t, why, sizeof(why)), DBTLS_OK);
}

static void test_scan_skips(void **state)
{
	struct dbtls_scan_opts o = {.timeout_ms = 1000, .sql = true};
	struct dbtls_endpoint_facts f;
	struct dbtls_target t;
	(void)state;

	scan_target(&t, "tls://127.0.0.1:1");
	memset(&f, 0, sizeof(f));
	f.tls_offered = 1;
	assert_int_equal(dbtls_scan_sql(&t, &o, &f), DBTLS_OK);
	assert_int_equal(f.sql.status, DBTLS_SQL_SKIPPED);
	assert_non_null(strstr(f.sql.reason, "tls protocol has no SQL login step"));
	assert_int_equal(f.nerrors, 0);
	assert_int_equal(f.connections_used, 0);
	dbtls_endpoint_facts_free(&f);
	dbtls_target_free(&t);

	scan_target(&t, "mysql://127.0.0.1:1");
	memset(&f, 0, sizeof(f));
	f.tls_offered = 0; /* credentials never go out in clear text */
	assert_int_equal(dbtls_scan_sql(&t, &o, &f), DBTLS_OK);
	assert_int_equal(f.sql.status, DBTLS_SQL_SKIPPED);
	assert_non_null(strstr(f.sql.reason, "offers no TLS"));
	assert_int_equal(f.connections_used, 0);
	dbtls_endpoint_facts_free(&f);

	memset(&f, 0, sizeof(f));
	f.tls_offered = -1;
	assert_int_equal(dbtls_scan_sql(&t, &o, &f), DBTLS_OK);
	assert_int_equal(f.sql.status, DBTLS_SQL_SKIPPED);
	assert_int_equal(f.nerrors, 0);
	dbtls_endpoint_facts_free(&f);
	dbtls_target_free(&t);
}

/* A port that refuses connections: bound, never listening. */
static int refusing_port(int *fd)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

/* A login that fails is an endpoint error plus facts, and the password is in neither, even when
 * the library's message happens to contain it (here: the password equals the host name). */
static void test_scan_refused_scrubbed(void **state)
{
	char target[64], cnf[] = "/tmp/dbtls-test-sql-XXXXXX";
	struct dbtls_scan_opts o = {.timeout_ms = 2000, .sql = true, .sql_user = "app"};
	struct dbtls_endpoint_facts f;
	struct dbtls_target t;
	int fd, cfd, port;
	(void)state;

	cfd = mkstemp(cnf); /* an empty option file: nothing from ~/.my.cnf */
	assert_true(cfd >= 0);
	close(cfd);
	o.defaults_file = cnf;
	port = refusing_port(&fd);
	snprintf(target, sizeof(target), "mysql://127.0.0.1:%d", port);
	scan_target(&t, target);
	memset(&f, 0, sizeof(f));
	f.tls_offered = 1;
	assert_int_equal(setenv(DBTLS_SQL_PASSWORD_ENV, "127.0.0.1", 1), 0);
	assert_int_equal(dbtls_scan_sql(&t, &o, &f), DBTLS_OK);
	unsetenv(DBTLS_SQL_PASSWORD_ENV);
	assert_int_equal(f.sql.status, DBTLS_SQL_FAILED);
	assert_int_equal(f.sql.error_code, 2002);
	assert_int_equal(f.connections_used, 1);
	assert_int_equal(f.nerrors, 1);
	assert_int_equal(f.errors[0].code, DBTLS_ERR_CONNECT);
	assert_string_equal(f.errors[0].stage, "sql login");
	assert_non_null(strstr(f.errors[0].message, "SQL login to"));
	assert_non_null(strstr(f.errors[0].message, "[redacted]"));
	assert_null(strstr(f.errors[0].message, "127.0.0.1"));
	assert_null(strstr(f.sql.reason, "127.0.0.1"));
	assert_true(f.sql.verify_cert);
	close(fd);
	unlink(cnf);
	dbtls_endpoint_facts_free(&f);
	dbtls_target_free(&t);
}

/* A server that accepts one connection and drips a greeting one byte every 300 ms: under the
 * library's own per-read timeout (1 s) each byte restarts the wait, so the login would take half a
 * minute; --endpoint-timeout (1.5 s) ends it. */
static void *drip_greeting(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	/* a HandshakeV10 header announcing 78 bytes, then protocol 10 and a version string */
	static const char greeting[] = "\x4e\x00\x00\x00\x0a"
				       "5.7.44-dbtls-drip-and-drip-and-drip-and-drip";

	for (size_t i = 0; fd >= 0 && i < sizeof(greeting) - 1; i++) {
		if (send(fd, greeting + i, 1, MSG_NOSIGNAL) != 1)
			break;
		poll(NULL, 0, 300);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void test_scan_login_deadline(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char target[64], cnf[] = "/tmp/dbtls-test-sql-XXXXXX";
	struct dbtls_scan_opts o = {
	    .timeout_ms = 1000, .endpoint_timeout_ms = 1500, .sql = true, .sql_user = "app"};
	socklen_t len = sizeof(a);
	struct dbtls_endpoint_facts f;
	struct dbtls_target t;
	pthread_t th;
	int lfd, cfd;
	int64_t t0;
	(void)state;

	cfd = mkstemp(cnf);
	assert_true(cfd >= 0);
	close(cfd);
	o.defaults_file = cnf;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(pthread_create(&th, NULL, drip_greeting, &lfd), 0);
	snprintf(target, sizeof(target), "mysql://127.0.0.1:%d", ntohs(a.sin_port));
	scan_target(&t, target);
	memset(&f, 0, sizeof(f));
	f.tls_offered = 1;
	t0 = dbtls_net_now_ms();
	assert_int_equal(dbtls_scan_sql(&t, &o, &f), DBTLS_OK);
	/* generous for a loaded machine, far below the 15 s the drip lasts */
	assert_true(dbtls_net_now_ms() - t0 < 6000);
	assert_int_equal(f.sql.status, DBTLS_SQL_FAILED);
	assert_int_equal(f.nerrors, 1);
	pthread_join(th, NULL);
	close(lfd);
	unlink(cnf);
	dbtls_endpoint_facts_free(&f);
	dbtls_target_free(&t);
}

/* ==== the checks ==== */

static void t_value(struct dbtls_sql_value **vals, size_t *n, const char *name, const char *value)
{
	struct dbtls_sql_value *v;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*vals)[i].name, name) == 0) {
			free((*vals)[i].value);
			(*vals)[i].value = xstrdup(value);
			return;
		}
	v = realloc(*vals, (*n + 1) * sizeof(*v));
	assert_non_null(v);
	*vals = v;
	v[*n].name = xstrdup(name);
	v[*n].value = xstrdup(value);
	(*n)++;
}

static void t_var(struct dbtls_endpoint_facts *f, const char *name, const char *value)
{
	t_value(&f->sql.variables, &f->sql.nvariables, name, value);
}

static void t_status(struct dbtls_endpoint_facts *f, const char *name, const char *value)
{
	t_value(&f->sql.session, &f->sql.nsession, name, value);
}

static void t_conn(struct dbtls_endpoint_facts *f, const char *user, const char *host,
		   const char *type, const char *ver, const char *cipher, const char *program)
{
	struct dbtls_sql_conn *c =
	    realloc(f->sql.connections, (f->sql.nconnections + 1) * sizeof(*c));

	assert_non_null(c);
	f->sql.connections = c;
	c = &c[f->sql.nconnections];
	memset(c, 0, sizeof(*c));
	c->id = 100 + f->sql.nconnections++;
	c->user = xstrdup(user);
	c->host = xstrdup(host);
	c->type = xstrdup(type);
	c->tls_version = xstrdup(ver);
	c->cipher = xstrdup(cipher);
	c->program = xstrdup(program);
}

static void t_account(struct dbtls_endpoint_facts *f, const char *user, const char *host,
		      const char *require, bool locked)
{
	struct dbtls_sql_account *a = realloc(f->sql.accounts, (f->sql.naccounts + 1) * sizeof(*a));

	assert_non_null(a);
	f->sql.accounts = a;
	a = &a[f->sql.naccounts++];
	memset(a, 0, sizeof(*a));
	a->user = xstrdup(user);
	a->host = xstrdup(host);
	a->require = xstrdup(require);
	a->network = dbtls_sql_host_is_network(host);
	a->locked = locked;
}

static void t_version(struct dbtls_endpoint_facts *f, int v, enum dbtls_vstatus st,
		      const uint32_t *suites, size_t n)
{
	struct dbtls_version_facts *vf = &f->versions[v];

	free(vf->suites);
	vf->suites = NULL;
	vf->nsuites = 0;
	vf->status = st;
	if (n) {
		vf->suites = calloc(n, sizeof(*suites));
		assert_non_null(vf->suites);
		memcpy(vf->suites, suites, n * sizeof(*suites));
		vf->nsuites = n;
	}
}

static time_t t_utc(int y, int mon, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mon - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = s};
	return timegm(&tm);
}

/* TLS 1.2: ECDHE-RSA-AES128-GCM-SHA256 and (no forward secrecy) AES128-GCM-SHA256 */
static const uint32_t tls12_suites[] = {0xC02F, 0x009C};
static const uint32_t tls13_suites[] = {0x1301, 0x1302};

/* A compliant MariaDB endpoint whose SQL login read everything: require_secure_transport ON,
 * TLS 1.2/1.3, explicit AEAD suites, OpenSSL, every client on TLS or the socket, every network
 * account with REQUIRE SSL or X509, and the leaf the probes saw is the one the server reports. */
static void t_good(struct dbtls_endpoint_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->target = xstrdup("mysql://db1:3306");
	f->protocol = xstrdup("mysql");
	f->host = xstrdup("db1");
	f->port = 3306;
	f->server.greeting_seen = true;
	f->server.product = xstrdup("MariaDB");
	f->server.version = xstrdup("5.5.5-10.11.19-MariaDB-0+deb12u1");
	f->tls_offered = 1;
	f->groups_version = -1;
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		t_version(f, v, DBTLS_VS_REJECTED, NULL, 0);
	t_version(f, DBTLS_TLS12, DBTLS_VS_ACCEPTED, tls12_suites, NELEM(tls12_suites));
	t_version(f, DBTLS_TLS13, DBTLS_VS_ACCEPTED, tls13_suites, NELEM(tls13_suites));
	f->certs = calloc(1, sizeof(*f->certs));
	assert_non_null(f->certs);
	f->ncerts = 1;
	f->certs[0].subject = xstrdup("CN=db1");
	f->certs[0].not_before_t = t_utc(2026, 11, 23, 20, 15, 48);
	f->certs[0].not_after_t = t_utc(2027, 11, 23, 20, 15, 48);

	f->sql.status = DBTLS_SQL_OK;
	f->sql.user = xstrdup("scan@10.0.0.2");
	f->sql.account = xstrdup("scan@%");
	f->sql.verify_cert = true;
	f->sql.ca_source = xstrdup("/etc/ssl/db-ca.pem");
	f->sql.server_version = xstrdup("10.11.19-MariaDB-0+deb12u1");
	t_status(f, "Ssl_cipher", "TLS_AES_256_GCM_SHA384");
	t_status(f, "Ssl_version", "TLSv1.3");
	t_status(f, "Ssl_server_not_before", "Nov 23 20:15:48 2026 GMT");
	t_status(f, "Ssl_server_not_after", "Nov 23 20:15:48 2027 GMT");
	t_var(f, "have_ssl", "YES");
	t_var(f, "have_openssl", "YES");
	t_var(f, "tls_version", "TLSv1.2,TLSv1.3");
	t_var(f, "ssl_cipher", "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL");
	t_var(f, "tls_ciphersuites", NULL);
	t_var(f, "require_secure_transport", "ON");
	t_var(f, "version", "10.11.19-MariaDB-0+deb12u1");
	t_var(f, "version_comment", "Debian 12");
	t_var(f, "version_ssl_library", "OpenSSL 3.0.19 27 Jan 2026");
	t_var(f, "auto_generate_certs", NULL);
	t_var(f, "performance_schema", "ON");
	f->sql.connections_status = DBTLS_SQL_AV_READ;
	t_conn(f, "scan", "10.0.0.2", "SSL/TLS", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "dbtls");
	f->sql.connections[0].self = true;
	t_conn(f, "app", "10.0.0.5", "SSL/TLS", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "java");
	t_conn(f, "root", "localhost", "Socket", "", "", "mysql");
	f->sql.accounts_status = DBTLS_SQL_AV_READ;
	f->sql.accounts_source = xstrdup("mysql.global_priv");
	t_account(f, "app", "%", "SSL", false);
	t_account(f, "repl", "10.%", "X509", false);
	t_account(f, "root", "localhost", "none", false);
	t_account(f, "mariadb.sys", "localhost", "none", true);
}

/* -- facts changes -- */

static void fx_rst_off(struct dbtls_endpoint_facts *f)
{
	t_var(f, "require_secure_transport", "OFF");
}
static void fx_pg_md5(struct dbtls_endpoint_facts *f)
{
	t_var(f, "password_encryption", "md5");
}
static void fx_pg_scram(struct dbtls_endpoint_facts *f)
{
	t_var(f, "password_encryption", "scram-sha-256");
}
/* PostgreSQL's names for the same settings, judged by the same checks */
static void fx_pg(struct dbtls_endpoint_facts *f)
{
	free(f->protocol);
	f->protocol = strdup("postgres");
	t_var(f, "tls_version", NULL);
	t_var(f, "ssl_cipher", NULL);
}
static void fx_pg_min_tls1(struct dbtls_endpoint_facts *f)
{
	fx_pg(f);
	t_var(f, "ssl_min_protocol_version", "TLSv1");
}
static void fx_pg_min_tls12(struct dbtls_endpoint_facts *f)
{
	fx_pg(f);
	t_var(f, "ssl_min_protocol_version", "TLSv1.2");
}
static void fx_pg_ciphers_all(struct dbtls_endpoint_facts *f)
{
	fx_pg(f);
	t_var(f, "ssl_ciphers", "ALL:@SECLEVEL=0");
}
static void fx_rst_absent(struct dbtls_endpoint_facts *f)
{
	t_var(f, "require_secure_transport", NULL);
}
static void fx_failed(struct dbtls_endpoint_facts *f)
{
	f->sql.status = DBTLS_SQL_FAILED;
	fx_rst_off(f);
}
static void fx_not_run(struct dbtls_endpoint_facts *f)
{
	fx_failed(f);
	f->sql.status = DBTLS_SQL_NOT_RUN;
}
static void fx_plain_remote(struct dbtls_endpoint_facts *f)
{
	t_conn(f, "app", "10.0.0.7", "TCP/IP", "", "", "php");
}
static void fx_plain_remote_open(struct dbtls_endpoint_facts *f)
{
	fx_plain_remote(f);
	free(f->sql.accounts[0].require); /* 'app'@'%' */
	f->sql.accounts[0].require = xstrdup("none");
}
static void fx_plain_loopback(struct dbtls_endpoint_facts *f)
{
	t_conn(f, "app", "localhost", "TCP/IP", "", "", "mysql");
}
static void fx_plain_mixed(struct dbtls_endpoint_facts *f)
{
	fx_plain_loopback(f);
	fx_plain_remote(f);
}
static void fx_plain_prelogin(struct dbtls_endpoint_facts *f)
{
	t_conn(f, NULL, "10.0.0.9", "TCP/IP", NULL, NULL, NULL);
	t_conn(f, "unauthenticated user", "10.0.0.9", "TCP/IP", NULL, NULL, NULL);
}
static void fx_conns_unreadable(struct dbtls_endpoint_facts *f)
{
	fx_plain_remote(f);
	fx_rst_off(f);
	f->sql.connections_status = DBTLS_SQL_AV_UNREADABLE;
}
static void fx_account_open(struct dbtls_endpoint_facts *f)
{
	fx_rst_off(f);
	t_account(f, "web", "%", "none", false);
}
static void fx_account_open_rst(struct dbtls_endpoint_facts *f)
{
	t_account(f, "web", "%", "none", false);
}
static void fx_account_quote(struct dbtls_endpoint_facts *f)
{
	fx_rst_off(f);
	t_account(f, "o'brien", "192.0.2.%", "none", false);
}
static void fx_account_locked(struct dbtls_endpoint_facts *f)
{
	fx_rst_off(f);
	t_account(f, "old", "%", "none", true);
}
static void fx_accounts_unreadable(struct dbtls_endpoint_facts *f)
{
	fx_account_open(f);
	f->sql.accounts_status = DBTLS_SQL_AV_UNREADABLE;
}
static void fx_cipher_all(struct dbtls_endpoint_facts *f)
{
	t_var(f, "ssl_cipher", "ALL:@SECLEVEL=0");
}
static void fx_cipher_anull(struct dbtls_endpoint_facts *f)
{
	t_var(f, "ssl_cipher", "HIGH:aNULL");
}
static void fx_cipher_all_but_anon(struct dbtls_endpoint_facts *f)
{
	t_var(f, "ssl_cipher", "ALL:!aNULL");
}
static void fx_cipher_all_only(struct dbtls_endpoint_facts *f)
{
	t_var(f, "ssl_cipher", "ALL");
}
static void fx_cipher_export(struct dbtls_endpoint_facts *f)
{
	t_var(f, "ssl_cipher", "HIGH:EXPORT");
}
static void fx_cipher_unknown(struct dbtls_endpoint_facts *f)
{
	t_var(f, "ssl_cipher", "NO-SUCH-SUITE:ANOTHER");
}
static void fx_cipher_absent(struct dbtls_endpoint_facts *f)
{
	t_var(f, "ssl_cipher", NULL);
}
static void fx_tlsv_mysql(struct dbtls_endpoint_facts *f)
{
	t_var(f, "tls_version", "TLSv1,TLSv1.1,TLSv1.2");
}
static void fx_tlsv_probed(struct dbtls_endpoint_facts *f)
{
	static const uint32_t s[] = {0xC013};
	t_var(f, "tls_version", "TLSv1.0,TLSv1.1,TLSv1.2,TLSv1.3");
	t_version(f, DBTLS_TLS10, DBTLS_VS_ACCEPTED, s, NELEM(s));
}
static void fx_wolfssl(struct dbtls_endpoint_facts *f)
{
	t_var(f, "version_ssl_library", "WolfSSL 5.6.0");
}
static void fx_mysql57_yassl(struct dbtls_endpoint_facts *f)
{
	t_var(f, "version", "5.7.22-log");
	t_var(f, "version_comment", "MySQL Community Server (GPL)");
	t_var(f, "version_ssl_library", NULL);
	free(f->sql.server_version);
	f->sql.server_version = xstrdup("5.7.22-log");
	free(f->server.product);
	f->server.product = xstrdup("MySQL");
}
static void fx_mysql57_openssl(struct dbtls_endpoint_facts *f)
{
	fx_mysql57_yassl(f);
	t_var(f, "auto_generate_certs", "ON");
}
static void fx_have_openssl_no(struct dbtls_endpoint_facts *f)
{
	t_var(f, "have_openssl", "NO");
}
static void fx_dates_differ(struct dbtls_endpoint_facts *f)
{
	t_status(f, "Ssl_server_not_after", "Nov 23 20:15:48 2028 GMT");
}
static void fx_dates_garbage(struct dbtls_endpoint_facts *f)
{
	t_status(f, "Ssl_server_not_after", "23.11.2028");
	t_status(f, "Ssl_server_not_before", "");
}
static void fx_dates_padded(struct dbtls_endpoint_facts *f)
{
	f->certs[0].not_after_t = t_utc(2027, 1, 5, 0, 0, 0);
	t_status(f, "Ssl_server_not_after", "Jan  5 00:00:00 2027 GMT");
}
static void fx_dates_padded_off(struct dbtls_endpoint_facts *f)
{
	fx_dates_padded(f);
	f->certs[0].not_after_t += 86400;
}
static void fx_no_certs(struct dbtls_endpoint_facts *f)
{
	fx_dates_differ(f);
	dbtls_cert_free(&f->certs[0]);
	f->ncerts = 0;
}
static void fx_session_12(struct dbtls_endpoint_facts *f)
{
	t_status(f, "Ssl_version", "TLSv1.2");
	t_status(f, "Ssl_cipher", "ECDHE-RSA-AES128-GCM-SHA256");
}
static void fx_session_nonpfs(struct dbtls_endpoint_facts *f)
{
	fx_session_12(f);
	t_version(f, DBTLS_TLS13, DBTLS_VS_REJECTED, NULL, 0);
	t_status(f, "Ssl_cipher", "AES128-GCM-SHA256");
}
static void fx_session_12_only(struct dbtls_endpoint_facts *f)
{
	fx_session_12(f);
	t_version(f, DBTLS_TLS13, DBTLS_VS_REJECTED, NULL, 0);
}
static void fx_conn_tls11(struct dbtls_endpoint_facts *f)
{
	t_conn(f, "erp", "10.0.0.8", "SSL/TLS", "TLSv1.1", "ECDHE-RSA-AES256-SHA", "erp-client");
}
static void fx_insecure(struct dbtls_endpoint_facts *f)
{
	f->sql.verify_cert = false;
}
static void fx_insecure_failed(struct dbtls_endpoint_facts *f)
{
	fx_insecure(f);
	f->sql.status = DBTLS_SQL_FAILED;
}
static void fx_insecure_skipped(struct dbtls_endpoint_facts *f)
{
	fx_insecure(f);
	f->sql.status = DBTLS_SQL_SKIPPED;
}

static void fx_option_file(struct dbtls_endpoint_facts *f)
{
	f->sql.option_file.path = xstrdup("/home/scan/.my.cnf");
	f->sql.option_file.mode = 0644;
	f->sql.option_file.world_readable = true;
}
static void fx_option_file_group(struct dbtls_endpoint_facts *f)
{
	fx_option_file(f);
	f->sql.option_file.mode = 0640;
	f->sql.option_file.world_readable = false;
}

struct row {
	const char *name;
	void (*facts)(struct dbtls_endpoint_facts *f); /* change to t_good(); NULL: none */
	const char *id;
	size_t n;	    /* findings expected */
	int severity;	    /* of the first; -1: the check's default */
	const char *substr; /* in its title or evidence; NULL: not checked */
	const char *fix;    /* in its remediation; NULL: not checked */
};

#define RST "require_secure_transport"
static const struct row rows[] = {
    {"rst on", NULL, "sql.require-secure-transport-off", 0, -1, NULL, NULL},
    {"rst off", fx_rst_off, "sql.require-secure-transport-off", 1, -1, RST "=OFF",
     "SET GLOBAL " RST "=ON"},
    {"rst absent (old server)", fx_rst_absent, "sql.require-secure-transport-off", 0, -1, NULL,
     NULL},
    {"rst off, login failed", fx_failed, "sql.require-secure-transport-off", 0, -1, NULL, NULL},
    {"rst off, no --sql", fx_not_run, "sql.require-secure-transport-off", 0, -1, NULL, NULL},

    {"no password_encryption (MySQL)", NULL, "sql.password-md5", 0, -1, NULL, NULL},
    {"password_encryption scram", fx_pg_scram, "sql.password-md5", 0, -1, NULL, NULL},
    {"password_encryption md5", fx_pg_md5, "sql.password-md5", 1, -1, "password_encryption=md5",
     "scram-sha-256"},

    {"PG ssl_min_protocol_version TLSv1.2", fx_pg_min_tls12, "sql.tls-version-legacy", 0, -1, NULL,
     NULL},
    {"PG ssl_min_protocol_version TLSv1", fx_pg_min_tls1, "sql.tls-version-legacy", 1, -1,
     "ssl_min_protocol_version=TLSv1 lets in TLSv1.0,TLSv1.1",
     "ssl_min_protocol_version = 'TLSv1.2'"},
    {"PG ssl_ciphers ALL", fx_pg_ciphers_all, "sql.ssl-cipher-weak", 1, -1, "ssl_ciphers=ALL",
     "In postgresql.conf: ssl_ciphers = "},

    {"clients on TLS/socket", NULL, "sql.plaintext-connections", 0, -1, NULL, NULL},
    {"plain remote client", fx_plain_remote, "sql.plaintext-connections", 1, -1,
     "app@10.0.0.7 (program php", "REQUIRE SSL"},
    {"plain client, its account open", fx_plain_remote_open, "sql.plaintext-connections", 1, -1,
     "app@10.0.0.7", "their accounts:\nALTER USER 'app'@'%' REQUIRE SSL;\nor for every"},
    {"plain loopback client", fx_plain_loopback, "sql.plaintext-connections", 1, DBTLS_SEV_LOW,
     "loopback only", NULL},
    {"plain loopback and remote", fx_plain_mixed, "sql.plaintext-connections", 1, -1,
     "2 plain-text TCP connections", NULL},
    {"plain before login", fx_plain_prelogin, "sql.plaintext-connections", 0, -1, NULL, NULL},
    {"connections unreadable", fx_conns_unreadable, "sql.plaintext-connections", 0, -1, NULL, NULL},

    {"accounts require TLS", NULL, "sql.account-no-tls", 0, -1, NULL, NULL},
    {"network account without TLS", fx_account_open, "sql.account-no-tls", 1, -1, "'web'@'%'",
     "ALTER USER 'web'@'%' REQUIRE SSL;"},
    {"… under require_secure_transport", fx_account_open_rst, "sql.account-no-tls", 1,
     DBTLS_SEV_LOW, RST "=ON", NULL},
    {"quotes in names", fx_account_quote, "sql.account-no-tls", 1, -1, "'o''brien'@'192.0.2.%'",
     "ALTER USER 'o''brien'@'192.0.2.%' REQUIRE SSL;"},
    {"locked account", fx_account_locked, "sql.account-no-tls", 0, -1, NULL, NULL},
    {"accounts unreadable", fx_accounts_unreadable, "sql.account-no-tls", 0, -1, NULL, NULL},

    {"explicit suites", NULL, "sql.ssl-cipher-weak", 0, -1, NULL, NULL},
    {"ALL:@SECLEVEL=0", fx_cipher_all, "sql.ssl-cipher-weak", 1, -1, "ALL, @SECLEVEL=0",
     "ssl_cipher=ECDHE+AESGCM:ECDHE+CHACHA20"},
    {"aNULL added", fx_cipher_anull, "sql.ssl-cipher-weak", 1, -1, "TLS_DH_anon_", NULL},
    /* judged by the set the string selects, not by its tokens (before: flagged as "ALL") */
    {"ALL:!aNULL selects nothing weak", fx_cipher_all_but_anon, "sql.ssl-cipher-weak", 0, -1, NULL,
     NULL},
    {"ALL selects the anonymous suites", fx_cipher_all_only, "sql.ssl-cipher-weak", 1, -1,
     "weak suites: TLS_", NULL},
    {"EXPORT: weak on the server's older OpenSSL", fx_cipher_export, "sql.ssl-cipher-weak", 1, -1,
     "tokens: EXPORT", NULL},
    {"not expandable here: judged by tokens", fx_cipher_unknown, "sql.ssl-cipher-weak", 0, -1, NULL,
     NULL},
    {"ssl_cipher absent", fx_cipher_absent, "sql.ssl-cipher-weak", 0, -1, NULL, NULL},

    {"TLS 1.2/1.3", NULL, "sql.tls-version-legacy", 0, -1, NULL, NULL},
    {"MySQL's TLSv1 name", fx_tlsv_mysql, "sql.tls-version-legacy", 1, -1, "deprecated: TLSv1 (",
     "tls_version=TLSv1.2,TLSv1.3"},
    {"TLSv1.0 probed", fx_tlsv_probed, "sql.tls-version-legacy", 1, -1,
     "TLSv1.0 (accepted by the probes)", NULL},

    {"OpenSSL", NULL, "sql.tls-library-legacy", 0, -1, NULL, NULL},
    {"wolfSSL", fx_wolfssl, "sql.tls-library-legacy", 1, -1, "version_ssl_library=WolfSSL",
     "openssl rsa -traditional"},
    {"MySQL 5.7 yaSSL build", fx_mysql57_yassl, "sql.tls-library-legacy", 1, -1,
     "without auto_generate_certs", NULL},
    {"MySQL 5.7 OpenSSL build", fx_mysql57_openssl, "sql.tls-library-legacy", 0, -1, NULL, NULL},
    {"have_openssl=NO", fx_have_openssl_no, "sql.tls-library-legacy", 1, -1, "have_openssl=NO",
     NULL},

    {"dates agree", NULL, "sql.cert-dates-mismatch", 0, -1, NULL, NULL},
    {"not_after differs", fx_dates_differ, "sql.cert-dates-mismatch", 1, -1, "2028-11-23T20:15:48Z",
     "FLUSH SSL"},
    {"unparsable dates", fx_dates_garbage, "sql.cert-dates-mismatch", 0, -1, NULL, NULL},
    {"space-padded day agrees", fx_dates_padded, "sql.cert-dates-mismatch", 0, -1, NULL, NULL},
    {"space-padded day differs", fx_dates_padded_off, "sql.cert-dates-mismatch", 1, -1,
     "2027-01-05T00:00:00Z", NULL},
    {"no probed certificate", fx_no_certs, "sql.cert-dates-mismatch", 0, -1, NULL, NULL},

    {"session TLS 1.3", NULL, "sql.session-weaker", 0, -1, NULL, NULL},
    {"session 1.2, 1.3 accepted", fx_session_12, "sql.session-weaker", 1, -1,
     "server accepts TLSv1.3", NULL},
    {"session without PFS", fx_session_nonpfs, "sql.session-weaker", 1, -1, "forward secrecy",
     NULL},
    {"session 1.2, the best there is", fx_session_12_only, "sql.session-weaker", 0, -1, NULL, NULL},

    {"clients on TLS 1.2+", NULL, "sql.connections-legacy-tls", 0, -1, NULL, NULL},
    {"client on TLS 1.1", fx_conn_tls11, "sql.connections-legacy-tls", 1, -1,
     "erp@10.0.0.8 (program erp-client", NULL},

    {"verified login", NULL, "sql.insecure-scan", 0, -1, NULL, NULL},
    {"--sql-insecure", fx_insecure, "sql.insecure-scan", 1, -1, "--sql-insecure", "--ca-file"},
    {"--sql-insecure, login failed", fx_insecure_failed, "sql.insecure-scan", 1, -1, "attempted",
     NULL},
    {"--sql-insecure, skipped", fx_insecure_skipped, "sql.insecure-scan", 0, -1, NULL, NULL},

    {"no readable option file", NULL, "sql.option-file-permissions", 0, -1, NULL, NULL},
    {"option file world-readable", fx_option_file, "sql.option-file-permissions", 1, -1,
     "0644 (world-readable)", "chmod 600 /home/scan/.my.cnf"},
    {"option file group-readable", fx_option_file_group, "sql.option-file-permissions", 1, -1,
     "0640 (group-readable)", NULL},
};

static bool t_run_row(const struct row *r)
{
	const struct dbtls_check *c = dbtls_check_find(r->id);
	struct dbtls_policy pol = {.name = "test"};
	struct dbtls_check_ctx ctx;
	struct dbtls_endpoint_facts f;
	struct dbtls_findings fs = {0};
	bool ok = true;

	if (!c) {
		print_error("%s: no check %s\n", r->name, r->id);
		return false;
	}
	pol.params.min_version = DBTLS_TLS12;
	ctx = (struct dbtls_check_ctx){.policy = &pol, .severity = c->default_severity, .now = NOW};
	t_good(&f);
	if (r->facts)
		r->facts(&f);
	c->eval(c, &f, &ctx, &fs);
	if (fs.oom) {
		print_error("%s: out of memory\n", r->name);
		ok = false;
	} else {
		ok = fx_judge(r->name, c, fs.n ? &fs.items[0] : NULL, fs.n,
			      &(struct fx_expect){.n = r->n,
						  .severity = r->severity,
						  .substr = r->substr,
						  .fix = r->fix,
						  .evidence_required = true});
	}
	dbtls_findings_free(&fs);
	dbtls_endpoint_facts_free(&f);
	return ok;
}

static void test_rows(void **state)
{
	size_t bad = 0;

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++)
		bad += !t_run_row(&rows[i]);
	assert_int_equal(bad, 0);
}

/* Every sql.* check has a passing and a failing row (test_checks.c leaves the family to us). */
static void test_rows_cover_sql(void **state)
{
	size_t n, bad = 0, family = 0;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		bool pass = false, fail = false;

		if (strncmp(all[i]->id, "sql.", 4) != 0)
			continue;
		family++;
		for (size_t j = 0; j < NELEM(rows); j++) {
			if (strcmp(rows[j].id, all[i]->id) != 0)
				continue;
			pass |= rows[j].n == 0;
			fail |= rows[j].n > 0;
		}
		if (!pass || !fail) {
			print_error("%s: no %s row\n", all[i]->id, pass ? "failing" : "passing");
			bad++;
		}
	}
	assert_int_equal(family, 12);
	assert_int_equal(bad, 0);
}

/* The whole registry over the compliant endpoint finds nothing in the family; over SQL facts
 * that are all bad but not collected (no --sql, or the login failed) it stays silent too. */
static void test_silent_without_login(void **state)
{
	static void (*const bad[])(struct dbtls_endpoint_facts *) = {
	    fx_rst_off, fx_plain_remote, fx_account_open,   fx_cipher_all, fx_tlsv_mysql,
	    fx_wolfssl, fx_dates_differ, fx_session_nonpfs, fx_conn_tls11,
	};
	const enum dbtls_sql_status statuses[] = {DBTLS_SQL_OK, DBTLS_SQL_NOT_RUN, DBTLS_SQL_FAILED,
						  DBTLS_SQL_SKIPPED};
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);
	struct dbtls_policy pol = {.name = "test"};
	(void)state;

	pol.settings = calloc(n, sizeof(*pol.settings));
	assert_non_null(pol.settings);
	pol.nsettings = n;
	for (size_t i = 0; i < n; i++)
		pol.settings[i] =
		    (struct dbtls_check_setting){.id = all[i]->id,
						 .enabled = !strncmp(all[i]->id, "sql.", 4),
						 .severity = all[i]->default_severity};
	for (size_t k = 0; k < NELEM(statuses); k++) {
		struct dbtls_endpoint_facts f;
		struct dbtls_findings fs = {0};

		t_good(&f);
		if (k) {
			for (size_t i = 0; i < NELEM(bad); i++)
				bad[i](&f);
			f.sql.status = statuses[k];
		}
		dbtls_checks_run(&pol, &f, NOW, &fs);
		for (size_t i = 0; i < fs.n; i++)
			print_error("%s: unexpected %s: %s\n", dbtls_sql_status_name(statuses[k]),
				    fs.items[i].check, fs.items[i].title);
		assert_int_equal(fs.n, 0);
		assert_false(fs.oom);
		dbtls_findings_free(&fs);
		dbtls_endpoint_facts_free(&f);
	}
	free(pol.settings);
}

/* Every shipped profile enables the whole family (mozilla-modern through its parent). */
static void test_profiles_enable_sql(void **state)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);
	(void)state;

	for (size_t k = 0; k < dbtls_nbuiltin_policies; k++) {
		struct dbtls_policy p;
		struct dbtls_diag d = {0};

		if (dbtls_policy_load(dbtls_builtin_policies[k].name, &p, &d))
			fail_msg("%s: %s", dbtls_builtin_policies[k].name, d.msg);
		for (size_t i = 0; i < n; i++) {
			if (strncmp(all[i]->id, "sql.", 4) != 0)
				continue;
			for (size_t s = 0; s < p.nsettings; s++)
				if (!strcmp(p.settings[s].id, all[i]->id) && !p.settings[s].enabled)
					fail_msg("%s: %s is off", p.name, all[i]->id);
		}
		dbtls_policy_free(&p);
	}
}

/* ==== the report: failed and skipped SQL facts survive the JSON round trip ==== */

static void test_json_round_trip(void **state)
{
	char path[] = "/tmp/dbtls-test-sql-json-XXXXXX";
	struct dbtls_scan_facts s = {0}, back;
	struct dbtls_diag d = {0};
	char *first, *second;
	FILE *fp;
	int fd;
	(void)state;

	s.tool_version = xstrdup("0.0.7");
	s.started_at = s.finished_at = 1700000000;
	s.nendpoints = 4;
	s.endpoints = calloc(4, sizeof(*s.endpoints));
	assert_non_null(s.endpoints);
	t_good(&s.endpoints[0]);
	t_good(&s.endpoints[1]);
	dbtls_sql_facts_free(&s.endpoints[1].sql);
	s.endpoints[1].sql.status = DBTLS_SQL_FAILED;
	s.endpoints[1].sql.error_code = 1045;
	s.endpoints[1].sql.verify_cert = true;
	s.endpoints[1].sql.reason = xstrdup("ERROR 1045: Access denied for user 'app'@'localhost' "
					    "(using password: YES)");
	t_good(&s.endpoints[2]);
	dbtls_sql_facts_free(&s.endpoints[2].sql);
	s.endpoints[2].sql.status = DBTLS_SQL_SKIPPED;
	s.endpoints[2].sql.reason = xstrdup("the server offers no TLS");
	t_good(&s.endpoints[3]);
	dbtls_sql_facts_free(&s.endpoints[3].sql); /* no --sql: no "sql" object at all */

	first = fx_render(&dbtls_report_json, &s, NULL, false);
	assert_non_null(strstr(first, "\"error_code\": 1045"));
	assert_non_null(strstr(first, "\"status\": \"skipped\""));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(first, fp);
	fclose(fp);
	assert_int_equal(dbtls_report_json_read(path, &back, &d), DBTLS_OK);
	assert_int_equal(back.endpoints[0].sql.status, DBTLS_SQL_OK);
	assert_int_equal(back.endpoints[0].sql.naccounts, 4);
	assert_true(back.endpoints[0].sql.accounts[1].network);
	assert_int_equal(back.endpoints[1].sql.status, DBTLS_SQL_FAILED);
	assert_int_equal(back.endpoints[1].sql.error_code, 1045);
	assert_int_equal(back.endpoints[2].sql.status, DBTLS_SQL_SKIPPED);
	assert_false(back.endpoints[2].sql.verify_cert);
	assert_int_equal(back.endpoints[3].sql.status, DBTLS_SQL_NOT_RUN);
	second = fx_render(&dbtls_report_json, &back, NULL, false);
	assert_string_equal(second, first);
	unlink(path);
	free(first);
	free(second);
	dbtls_scan_facts_free(&back);
	dbtls_scan_facts_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_is_network),
	    cmocka_unit_test(test_require_name),
	    cmocka_unit_test(test_scrub),
	    cmocka_unit_test(test_collect_mariadb),
	    cmocka_unit_test(test_collect_low_privileges),
	    cmocka_unit_test(test_collect_pfs_off),
	    cmocka_unit_test(test_collect_mysql),
	    cmocka_unit_test(test_collect_variables_denied),
	    cmocka_unit_test(test_collect_nomem),
	    cmocka_unit_test(test_scan_skips),
	    cmocka_unit_test(test_scan_refused_scrubbed),
	    cmocka_unit_test(test_scan_login_deadline),
	    cmocka_unit_test(test_rows_cover_sql),
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_silent_without_login),
	    cmocka_unit_test(test_profiles_enable_sql),
	    cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
