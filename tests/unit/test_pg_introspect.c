/* SPDX-License-Identifier: MIT */
/*
 * test_pg_introspect.c — PostgreSQL introspection over a replay seam: the rows PostgreSQL 15 gave
 * a superuser and an unprivileged login (tests/fixtures/pg/introspect/, captured by
 * tests/fixtures/capture.sh from a permissive server with a plaintext client held open and the
 * host/hostssl rules of lib_servers.sh) become facts the sql.* checks read: the plaintext client
 * is a finding, the `host` rule for 10.0.0.0/8 is a network account without TLS, and what the
 * unprivileged login cannot see is unreadable rather than absent. Plus the pure helpers.
 *
 * Each fixture starts with "-- STATEMENT"; the seam fails the test when it differs from the
 * statement pg_introspect.c runs (then capture.sh must be run again).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "src/wire/sql/pg_introspect.h"
#include "tests/unit/fixture.h"

/* ---- the replay seam ---- */

struct replay {
	const char *suffix; /* "" (superuser) or ".app" */
	unsigned fail_code; /* nonzero: every statement fails with it */
	size_t calls;
};

static bool exists(const char *rel)
{
	const char *src = getenv("DBTLS_SRCDIR") ? getenv("DBTLS_SRCDIR") : ".";
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", src, rel);
	f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

/* Decodes one COPY text field in place; returns NULL for \N. */
static char *copy_field(char *s)
{
	char *o = s;

	if (strcmp(s, "\\N") == 0)
		return NULL;
	for (char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		p++;
		*o++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
	}
	*o = 0;
	return s;
}

/* Checks the fixture's "-- STATEMENT" line against stmt; returns the rest. */
static char *check_header(char *text, const char *stmt, const char *file)
{
	char *nl = strchr(text, '\n');

	assert_non_null(nl);
	*nl = 0;
	if (strncmp(text, "-- ", 3) != 0 || strcmp(text + 3, stmt) != 0)
		fail_msg("%s is from another statement; run tests/fixtures/capture.sh again", file);
	return nl + 1;
}

static unsigned replay_query(void *conn, const char *stmt, dbtls_sql_row_fn row, void *arg,
			     char *err, size_t errlen)
{
	struct replay *r = conn;
	const struct dbtls_pg_stmt *st;
	size_t nst, n;
	const char *name = NULL;
	char rel[256];
	char *text, *body, *line, *save = NULL;
	unsigned rc = 0;

	r->calls++;
	if (r->fail_code) {
		snprintf(err, errlen, "replayed failure");
		return r->fail_code;
	}
	st = dbtls_pg_statements(&nst);
	for (size_t i = 0; i < nst; i++)
		if (strcmp(st[i].sql, stmt) == 0)
			name = st[i].name;
	assert_non_null(name);
	snprintf(rel, sizeof(rel), "pg/introspect/%s%s.copy", name, r->suffix);
	if (!exists(rel)) {
		/* "-- STATEMENT\nSQLSTATE message" */
		snprintf(rel, sizeof(rel), "pg/introspect/%s%s.error", name, r->suffix);
		text = (char *)fx_load(rel, &n);
		body = check_header(text, stmt, rel);
		body[strcspn(body, "\n")] = 0;
		assert_true(strlen(body) > 6 && body[5] == ' ');
		snprintf(err, errlen, "%s", body + 6);
		body[5] = 0;
		rc = dbtls_pg_sqlstate_pack(body);
		assert_int_not_equal(rc, 0);
		free(text);
		return rc;
	}
	text = (char *)fx_load(rel, &n);
	body = check_header(text, stmt, rel);
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *vals[32];
		unsigned nc = 0;
		char *f = line, *tab;

		for (;;) {
			tab = strchr(f, '\t');
			if (tab)
				*tab = 0;
			assert_true(nc < 32);
			vals[nc++] = copy_field(f);
			if (!tab)
				break;
			f = tab + 1;
		}
		if (!row(arg, nc, vals)) {
			rc = DBTLS_SQL_ERR_NOMEM;
			break;
		}
	}
	free(text);
	return rc;
}

static const struct dbtls_sql_account *account_at(const struct dbtls_sql_facts *s, unsigned line)
{
	for (size_t i = 0; i < s->naccounts; i++)
		if (s->accounts[i].line == line)
			return &s->accounts[i];
	fail_msg("no account for pg_hba.conf line %u", line);
	return NULL;
}

/* Runs one check's eval over an endpoint holding s; returns its number of findings. */
static size_t run_check(const char *id, struct dbtls_endpoint_facts *f, char *first, size_t cap)
{
	const struct dbtls_check *c = dbtls_check_find(id);
	struct dbtls_check_ctx ctx = {.severity = DBTLS_SEV_HIGH};
	struct dbtls_findings out = {0};
	size_t n;

	assert_non_null(c);
	c->eval(c, f, &ctx, &out);
	assert_false(out.oom);
	n = out.n;
	if (first && n)
		snprintf(first, cap, "%s | %s", out.items[0].title, out.items[0].evidence);
	dbtls_findings_free(&out);
	return n;
}

/* ---- tests ---- */

static void test_superuser(void **state)
{
	struct replay r = {.suffix = ""};
	struct dbtls_sql_seam q = {.query = replay_query, .conn = &r};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_sql_facts *s = &f.sql;
	const struct dbtls_sql_account *a;
	bool listed = false;
	char msg[1024] = "";
	size_t plain = 0, tls = 0;
	(void)state;

	assert_int_equal(dbtls_pg_collect(&q, s), DBTLS_OK);
	assert_int_equal(r.calls, 4);
	assert_int_equal(s->nunreadable, 0);
	/* the login's own session */
	assert_string_equal(s->user, "postgres@127.0.0.1");
	assert_string_equal(s->account, "postgres");
	assert_string_equal(dbtls_sql_value_get(s->session, s->nsession, "ssl", NULL), "t");
	assert_string_equal(dbtls_sql_value_get(s->session, s->nsession, "Ssl_version", NULL),
			    "TLSv1.3");
	assert_string_equal(dbtls_sql_value_get(s->session, s->nsession, "Ssl_cipher", NULL),
			    "TLS_AES_256_GCM_SHA384");
	assert_string_equal(dbtls_sql_value_get(s->session, s->nsession, "bits", NULL), "256");
	/* settings, and the ones this version does not have */
	assert_string_equal(dbtls_sql_value_get(s->variables, s->nvariables, "ssl", NULL), "on");
	assert_string_equal(
	    dbtls_sql_value_get(s->variables, s->nvariables, "ssl_min_protocol_version", NULL),
	    "TLSv1");
	assert_string_equal(
	    dbtls_sql_value_get(s->variables, s->nvariables, "ssl_max_protocol_version", NULL), "");
	assert_string_equal(dbtls_sql_value_get(s->variables, s->nvariables, "ssl_ciphers", NULL),
			    "ALL:@SECLEVEL=0");
	assert_string_equal(
	    dbtls_sql_value_get(s->variables, s->nvariables, "ssl_prefer_server_ciphers", NULL),
	    "on");
	assert_string_equal(
	    dbtls_sql_value_get(s->variables, s->nvariables, "ssl_ecdh_curve", NULL), "prime256v1");
	assert_string_equal(
	    dbtls_sql_value_get(s->variables, s->nvariables, "password_encryption", NULL),
	    "scram-sha-256");
	assert_null(dbtls_sql_value_get(s->variables, s->nvariables, "ssl_groups", &listed));
	assert_true(listed); /* asked for; PostgreSQL 15 has none */
	assert_null(dbtls_sql_value_get(s->variables, s->nvariables, "ssl_tls13_ciphers", NULL));
	assert_string_equal(s->server_version, "15.18 (Debian 15.18-0+deb12u1)");
	/* connections: the held plaintext client and our own TLS session */
	assert_int_equal(s->connections_status, DBTLS_SQL_AV_READ);
	assert_int_equal(s->nconnections, 2);
	for (size_t i = 0; i < s->nconnections; i++) {
		const struct dbtls_sql_conn *c = &s->connections[i];

		assert_string_equal(c->user, "postgres");
		assert_string_equal(c->database, "postgres");
		assert_string_equal(c->host, "127.0.0.1");
		if (c->self) {
			tls++;
			assert_string_equal(c->type, "SSL/TLS");
			assert_string_equal(c->tls_version, "TLSv1.3");
			assert_string_equal(c->program, "dbtls-capture");
		} else {
			plain++;
			assert_string_equal(c->type, "TCP/IP");
			assert_string_equal(c->tls_version, "");
			assert_string_equal(c->cipher, "");
			assert_string_equal(c->program, "dbtls-plain-client");
		}
	}
	assert_int_equal(plain, 1);
	assert_int_equal(tls, 1);
	/* pg_hba.conf rules as accounts */
	assert_int_equal(s->accounts_status, DBTLS_SQL_AV_READ);
	assert_string_equal(s->accounts_source, "pg_hba_file_rules");
	assert_int_equal(s->naccounts, 9);
	a = account_at(s, 2);
	assert_string_equal(a->host, "local");
	assert_string_equal(a->require, "local");
	assert_false(a->network);
	a = account_at(s, 4);
	assert_string_equal(a->host, "127.0.0.1/32");
	assert_string_equal(a->require, "none");
	assert_false(a->network);
	a = account_at(s, 5);
	assert_string_equal(a->host, "::1/128");
	assert_false(a->network);
	a = account_at(s, 6);
	assert_string_equal(a->user, "app");
	assert_string_equal(a->database, "all");
	assert_string_equal(a->host, "10.0.0.0/8");
	assert_string_equal(a->require, "none");
	assert_string_equal(a->method, "scram-sha-256");
	assert_true(a->network);
	assert_false(a->locked);
	a = account_at(s, 7);
	assert_string_equal(a->host, "0.0.0.0/0");
	assert_string_equal(a->require, "SSL");
	assert_true(a->network);
	assert_string_equal(account_at(s, 8)->require, "X509"); /* cert */
	assert_string_equal(account_at(s, 9)->require, "X509"); /* clientcert=verify-ca */
	a = account_at(s, 10);
	assert_string_equal(a->require, "none"); /* hostnossl … */
	assert_true(a->locked);			 /* … reject: nobody gets in */

	/* the existing checks read these facts */
	s->status = DBTLS_SQL_OK;
	assert_int_equal(run_check("sql.plaintext-connections", &f, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "dbtls-plain-client"));
	assert_int_equal(run_check("sql.account-no-tls", &f, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "app"));
	assert_non_null(strstr(msg, "10.0.0.0/8"));
	assert_null(strstr(msg, "127.0.0.1/32")); /* loopback rules are not the network */
	dbtls_sql_facts_free(s);
}

static void test_unprivileged(void **state)
{
	struct replay r = {.suffix = ".app"};
	struct dbtls_sql_seam q = {.query = replay_query, .conn = &r};
	struct dbtls_sql_facts s = {0};
	const struct dbtls_sql_unreadable *settings = NULL, *conns = NULL, *hba = NULL;
	size_t hidden = 0;
	char st[6];
	(void)state;

	assert_int_equal(dbtls_pg_collect(&q, &s), DBTLS_OK);
	assert_string_equal(s.user, "app@127.0.0.1");
	for (size_t i = 0; i < s.nunreadable; i++) {
		const struct dbtls_sql_unreadable *u = &s.unreadable[i];

		if (strcmp(u->what, "settings") == 0)
			settings = u;
		else if (strcmp(u->what, "connections") == 0)
			conns = u;
		else if (strcmp(u->what, "accounts") == 0)
			hba = u;
	}
	/* superuser-only settings are missing from pg_settings: hidden, not absent */
	assert_non_null(settings);
	assert_non_null(strstr(settings->message, "ssl_ciphers"));
	assert_non_null(strstr(settings->message, "ssl_min_protocol_version"));
	assert_null(strstr(settings->message, "ssl_groups")); /* PostgreSQL 18's */
	assert_null(dbtls_sql_value_get(s.variables, s.nvariables, "ssl_ciphers", NULL));
	assert_string_equal(dbtls_sql_value_get(s.variables, s.nvariables, "ssl", NULL), "on");
	/* other users' sessions are listed without their transport */
	assert_int_equal(s.connections_status, DBTLS_SQL_AV_READ);
	assert_non_null(conns);
	for (size_t i = 0; i < s.nconnections; i++) {
		if (s.connections[i].self) {
			assert_string_equal(s.connections[i].type, "SSL/TLS");
			continue;
		}
		hidden++;
		assert_null(s.connections[i].type);
		assert_null(s.connections[i].tls_version);
		assert_null(s.connections[i].host);
	}
	assert_true(hidden >= 1);
	/* pg_hba_file_rules is the superuser's */
	assert_int_equal(s.accounts_status, DBTLS_SQL_AV_UNREADABLE);
	assert_non_null(hba);
	dbtls_pg_sqlstate_unpack(hba->code, st);
	assert_string_equal(st, "42501");
	assert_string_equal(hba->message, "permission denied for view pg_hba_file_rules");
	dbtls_sql_facts_free(&s);
}

static void test_all_refused(void **state)
{
	struct replay r = {.fail_code = 0};
	struct dbtls_sql_seam q = {.query = replay_query, .conn = &r};
	struct dbtls_sql_facts s = {0};
	(void)state;

	r.fail_code = dbtls_pg_sqlstate_pack("42501");
	assert_int_equal(dbtls_pg_collect(&q, &s), DBTLS_OK);
	assert_int_equal(s.nunreadable, 4);
	assert_int_equal(s.nvariables, 0); /* unknown, not absent */
	assert_int_equal(s.connections_status, DBTLS_SQL_AV_UNREADABLE);
	assert_int_equal(s.accounts_status, DBTLS_SQL_AV_UNREADABLE);
	assert_null(s.user);
	dbtls_sql_facts_free(&s);
	r.fail_code = DBTLS_SQL_ERR_NOMEM;
	assert_int_equal(dbtls_pg_collect(&q, &s), DBTLS_ERR_NOMEM);
	assert_int_equal(s.nunreadable, 0);
	dbtls_sql_facts_free(&s);
}

static void test_helpers(void **state)
{
	char st[6], *h;
	(void)state;

	/* MAKE_SQLSTATE('4','2','5','0','1') */
	assert_int_equal(dbtls_pg_sqlstate_pack("42501"),
			 4u | 2u << 6 | 5u << 12 | 0u << 18 | 1u << 24);
	dbtls_pg_sqlstate_unpack(dbtls_pg_sqlstate_pack("3D000"), st);
	assert_string_equal(st, "3D000");
	assert_int_equal(dbtls_pg_sqlstate_pack("4250"), 0);
	assert_int_equal(dbtls_pg_sqlstate_pack("42a01"), 0);
	assert_int_equal(dbtls_pg_sqlstate_pack(NULL), 0);

	h = dbtls_pg_hba_host("host", "192.168.1.0", "255.255.255.0");
	assert_string_equal(h, "192.168.1.0/24");
	free(h);
	h = dbtls_pg_hba_host("host", "10.1.2.3", "255.0.255.0"); /* not contiguous */
	assert_string_equal(h, "10.1.2.3/255.0.255.0");
	free(h);
	h = dbtls_pg_hba_host("host", "fe80::", "ffff:ffff:ffff:ffff::");
	assert_string_equal(h, "fe80::/64");
	free(h);
	h = dbtls_pg_hba_host("hostssl", "all", NULL);
	assert_string_equal(h, "all");
	free(h);
	h = dbtls_pg_hba_host("local", NULL, NULL);
	assert_string_equal(h, "local");
	free(h);

	assert_false(dbtls_pg_hba_is_network("local", NULL, NULL));
	assert_false(dbtls_pg_hba_is_network("host", "127.0.0.1", "255.255.255.255"));
	assert_false(dbtls_pg_hba_is_network("host", "127.0.0.0", "255.0.0.0"));
	assert_true(dbtls_pg_hba_is_network("host", "127.0.0.0", "0.0.0.0")); /* 0/0 really */
	assert_false(
	    dbtls_pg_hba_is_network("host", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_true(dbtls_pg_hba_is_network("host", "::1", "ffff:ffff:ffff:ffff::"));
	assert_false(dbtls_pg_hba_is_network("host", "samehost", NULL));
	assert_false(dbtls_pg_hba_is_network("host", "localhost", NULL));
	assert_true(dbtls_pg_hba_is_network("host", "samenet", NULL));
	assert_true(dbtls_pg_hba_is_network("host", "all", NULL));
	assert_true(dbtls_pg_hba_is_network("host", ".example.com", NULL));
	assert_true(dbtls_pg_hba_is_network("hostnossl", "0.0.0.0", "0.0.0.0"));

	assert_string_equal(dbtls_pg_hba_require("host", "md5", NULL), "none");
	assert_string_equal(dbtls_pg_hba_require("hostnossl", "md5", NULL), "none");
	assert_string_equal(dbtls_pg_hba_require("hostnogssenc", "md5", NULL), "none");
	assert_string_equal(dbtls_pg_hba_require("hostgssenc", "gss", NULL), "GSSENC");
	assert_string_equal(dbtls_pg_hba_require("hostssl", "scram-sha-256", NULL), "SSL");
	assert_string_equal(
	    dbtls_pg_hba_require("hostssl", "scram-sha-256", "clientcert=verify-full"), "X509");
	assert_string_equal(dbtls_pg_hba_require("hostssl", "cert", NULL), "X509");
	assert_string_equal(dbtls_pg_hba_require("local", "peer", NULL), "local");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_superuser),
	    cmocka_unit_test(test_unprivileged),
	    cmocka_unit_test(test_all_refused),
	    cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
