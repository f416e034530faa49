/* SPDX-License-Identifier: MIT */
/*
 * check_sql.c — the checks over what a MySQL/MariaDB server says about its own TLS when dbtls logs
 * in (scan --sql; facts in f->sql, gathered by src/sql_mysql.c): plain-text logins still allowed,
 * plain-text clients connected right now, network accounts without a TLS requirement, weak
 * ssl_cipher and tls_version settings, a yaSSL/wolfSSL build, a loaded certificate that is not the
 * one the probes were served, a session weaker than the server allows, clients still on TLS
 * 1.0/1.1, SQL facts gathered without verifying the server (--sql-insecure), and an option file
 * holding the scan's password that others can read.
 *
 * Every check is silent unless the login worked (f->sql.status OK) and the part it reads was
 * actually read: a setting the server lacks, or a table the login may not read, proves nothing.
 * Remediation is the exact SQL or my.cnf line for the server at hand.
 */
#include "checks/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "src/registry/suites.h"

/* A growable string; oom makes the finding fail rather than lie. */
/* Appends s as an SQL string literal: 'it''s'. */
static void sq_quote(struct dbtls_str *b, const char *s)
{
	dbtls_str_cat(b, "'");
	for (; s && *s; s++)
		dbtls_str_cat(b, *s == '\'' ? "''" : "%c", *s);
	dbtls_str_cat(b, "'");
}

static bool sq_ok(const struct dbtls_endpoint_facts *f)
{
	return f->sql.status == DBTLS_SQL_OK;
}

static const char *sq_var(const struct dbtls_endpoint_facts *f, const char *name)
{
	return dbtls_sql_value_get(f->sql.variables, f->sql.nvariables, name, NULL);
}

static const char *sq_status(const struct dbtls_endpoint_facts *f, const char *name)
{
	return dbtls_sql_value_get(f->sql.session, f->sql.nsession, name, NULL);
}

static bool sq_mariadb(const struct dbtls_endpoint_facts *f)
{
	const char *v = sq_var(f, "version");

	if (v && strcasestr(v, "MariaDB"))
		return true;
	if (f->sql.server_version && strcasestr(f->sql.server_version, "MariaDB"))
		return true;
	return f->server.product && strcmp(f->server.product, "MariaDB") == 0;
}

static bool sq_off(const char *v)
{
	return v && (strcasecmp(v, "OFF") == 0 || strcmp(v, "0") == 0);
}

static bool sq_on(const char *v)
{
	return v && (strcasecmp(v, "ON") == 0 || strcmp(v, "1") == 0);
}

/* A client host that is this machine: the bytes never leave it. */
static bool sq_loopback(const char *host)
{
	return host && (strcasecmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
			strcmp(host, "::1") == 0 || strncasecmp(host, "::ffff:127.", 11) == 0);
}

static int sq_min_sev(int a, int b)
{
	return a < b ? a : b;
}

/* "TLSv1.2" → DBTLS_TLS12 ("TLSv1" is OpenSSL's name for 1.0); -1 when unknown or empty. */
static int sq_version(const char *name)
{
	if (!name || !*name)
		return -1;
	if (strcmp(name, "TLSv1") == 0)
		return DBTLS_TLS10;
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		if (strcmp(name, dbtls_version_name((enum dbtls_version)v)) == 0)
			return v;
	return -1;
}

/* "app@localhost (program mysql, connection 12)" */
static void sq_conn(struct dbtls_str *b, const struct dbtls_sql_conn *c)
{
	dbtls_str_cat(b, "%s@%s (program %s, connection %llu", c->user ? c->user : "?",
		      c->host ? c->host : "?", c->program ? c->program : "unknown", c->id);
	if (c->tls_version && *c->tls_version)
		dbtls_str_cat(b, ", %s %s", c->tls_version, c->cipher ? c->cipher : "");
	dbtls_str_cat(b, ")");
}

/* ---- sql.require-secure-transport-off ---- */

static void sq_rst_fix(struct dbtls_str *fix, const struct dbtls_endpoint_facts *f)
{
	if (sq_mariadb(f))
		dbtls_str_cat(fix,
			      "Once every TCP client uses TLS: SET GLOBAL "
			      "require_secure_transport=ON; and, so that it survives a restart, in "
			      "the server's my.cnf, section [mysqld]: require_secure_transport=ON "
			      "(MariaDB 10.5.2+). Clients on the Unix socket are not affected.");
	else
		dbtls_str_cat(fix,
			      "Once every TCP client uses TLS: SET PERSIST "
			      "require_secure_transport=ON; (MySQL 8.0; on 5.7: SET GLOBAL "
			      "require_secure_transport=ON; and in the server's my.cnf, section "
			      "[mysqld]: require_secure_transport=ON). Clients on the Unix socket "
			      "are not affected.");
}

static void sq_rst_off(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0};
	const char *v = sq_var(f, "require_secure_transport");
	size_t plain = 0;

	if (!sq_ok(f) || !sq_off(v))
		return;
	dbtls_str_cat(&ev, "require_secure_transport=%s", v);
	if (f->sql.connections_status == DBTLS_SQL_AV_READ) {
		for (size_t i = 0; i < f->sql.nconnections; i++)
			plain += f->sql.connections[i].type &&
				 strcasecmp(f->sql.connections[i].type, "TCP/IP") == 0;
		dbtls_str_cat(&ev, "; plain-text TCP connections now: %zu", plain);
	}
	sq_rst_fix(&fix, f);
	dbtls_str_cat(&title,
		      "require_secure_transport is OFF: the server accepts logins without TLS");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_rst[] = {"CWE-319", "RFC 9325",
					  "MySQL Reference Manual: require_secure_transport", NULL};

static const struct dbtls_check chk_rst_off = {
    .id = "sql.require-secure-transport-off",
    .title = "require_secure_transport is OFF",
    .description = "The server lets clients log in over TCP without TLS, so a password or a "
		   "result set may cross the network in clear text whenever a client forgets "
		   "to ask for TLS. Read from the server's variables over an SQL login "
		   "(--sql).",
    .fix = "Set require_secure_transport=ON (at run time and in my.cnf) once every TCP client "
	   "connects with TLS.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_rst,
    .eval = sq_rst_off,
};

/* ---- sql.plaintext-connections ---- */

/* The ALTER USER lines for the accounts the plain-text clients may have used: network accounts
 * of the same user names without a TLS requirement (or the generic line when none is known). */
static void sq_plain_accounts(struct dbtls_str *fix, const struct dbtls_endpoint_facts *f)
{
	size_t n = 0;

	for (size_t i = 0; f->sql.accounts_status == DBTLS_SQL_AV_READ && i < f->sql.naccounts;
	     i++) {
		const struct dbtls_sql_account *a = &f->sql.accounts[i];
		bool used = false;

		if (!a->network || a->locked || !a->require || strcmp(a->require, "none") != 0)
			continue;
		for (size_t k = 0; !used && k < f->sql.nconnections; k++) {
			const struct dbtls_sql_conn *c = &f->sql.connections[k];

			used = c->type && strcasecmp(c->type, "TCP/IP") == 0 && c->user &&
			       a->user && strcmp(c->user, a->user) == 0;
		}
		if (!used)
			continue;
		n++;
		dbtls_str_cat(fix, "\nALTER USER ");
		sq_quote(fix, a->user);
		dbtls_str_cat(fix, "@");
		sq_quote(fix, a->host);
		dbtls_str_cat(fix, " REQUIRE SSL;");
	}
	if (!n)
		dbtls_str_cat(fix, "\nALTER USER 'user'@'host' REQUIRE SSL;");
}

static void sq_plaintext(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0}, names = {0};
	size_t n = 0, loop = 0;
	char *product_fix;

	if (!sq_ok(f) || f->sql.connections_status != DBTLS_SQL_AV_READ)
		return;
	for (size_t i = 0; i < f->sql.nconnections; i++) {
		const struct dbtls_sql_conn *c = &f->sql.connections[i];

		/* a connection still logging in has sent nothing yet; ours is TLS anyway */
		if (c->self || !c->type || strcasecmp(c->type, "TCP/IP") != 0 || !c->user ||
		    !*c->user || strcmp(c->user, "unauthenticated user") == 0)
			continue;
		dbtls_str_cat(&ev, "%s", n ? "; " : "");
		sq_conn(&ev, c);
		if (n < 3) {
			dbtls_str_cat(&names, "%s%s@%s", n ? ", " : "", c->user,
				      c->host ? c->host : "?");
			if (c->program)
				dbtls_str_cat(&names, " (%s)", c->program);
		}
		loop += sq_loopback(c->host);
		n++;
	}
	if (!n)
		return;
	/* PostgreSQL's connections carry their database (pg_stat_activity) */
	dbtls_str_cat(&ev, "; connection type TCP/IP (%s)",
		      f->sql.connections[0].database ? "pg_stat_activity, no pg_stat_ssl row"
						     : "performance_schema.threads");
	dbtls_str_cat(&fix,
		      "Make these clients connect with TLS and verify the server (mariadb/mysql "
		      "client: --ssl --ssl-verify-server-cert, or --ssl-mode=VERIFY_IDENTITY; "
		      "Connector/J: sslMode=VERIFY_IDENTITY; other connectors: their TLS options "
		      "with the CA file). Then require TLS for their accounts:");
	sq_plain_accounts(&fix, f);
	dbtls_str_cat(&fix, "\nor for every TCP client:\n%s",
		      sq_mariadb(f)
			  ? "SET GLOBAL require_secure_transport=ON;\nand in the server's "
			    "my.cnf, section [mysqld]: require_secure_transport=ON"
			  : "SET PERSIST require_secure_transport=ON;");
	dbtls_str_cat(&title, "%zu plain-text TCP connection%s: %s%s%s", n, n == 1 ? "" : "s",
		      names.s ? names.s : "", n > 3 ? ", …" : "",
		      loop == n ? " (loopback only)" : "");
	if (names.oom)
		title.oom = true;
	/* the fix above is MySQL's; a product with other client and server settings writes its
	 * own */
	product_fix =
	    dbtls_str_get(&fix) ? dbtls_remedy_plain_connections(f, dbtls_str_get(&fix)) : NULL;
	if (!product_fix)
		out->oom = true;
	/* bytes that never leave the machine are not on the wire: still named, at most low */
	dbtls_findings_add(out, self, ctx,
			   loop == n ? sq_min_sev((int)ctx->severity, DBTLS_SEV_LOW) : -1,
			   dbtls_str_get(&ev), product_fix, "%s", dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(product_fix);
	free(title.s);
	free(names.s);
}

static const char *const sq_refs_plain[] = {"CWE-319", "RFC 9325", NULL};

static const struct dbtls_check chk_plaintext = {
    .id = "sql.plaintext-connections",
    .title = "Clients connected over TCP without TLS",
    .description = "performance_schema lists live connections whose transport is TCP/IP "
		   "rather than SSL/TLS: their passwords and data cross the network in clear "
		   "text now. Each is named (user, host, program_name). When every such "
		   "client is on the loopback interface the finding is at most low: those "
		   "bytes never leave the machine (unless a local proxy forwards them).",
    .fix = "Configure the named clients to use TLS with server verification, then require "
	   "TLS for their accounts or for the whole server.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = sq_refs_plain,
    .eval = sq_plaintext,
};

/* ---- sql.account-no-tls ---- */

static void sq_accounts(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0};
	bool rst = sq_on(sq_var(f, "require_secure_transport"));
	char *product_fix;
	size_t n = 0;

	if (!sq_ok(f) || f->sql.accounts_status != DBTLS_SQL_AV_READ)
		return;
	for (size_t i = 0; i < f->sql.naccounts; i++) {
		const struct dbtls_sql_account *a = &f->sql.accounts[i];

		if (!a->network || a->locked || !a->require || strcmp(a->require, "none") != 0)
			continue;
		dbtls_str_cat(&ev, "%s", n ? ", " : "");
		sq_quote(&ev, a->user);
		dbtls_str_cat(&ev, "@");
		sq_quote(&ev, a->host);
		if (n < 3) {
			dbtls_str_cat(&title, "%s", n ? ", " : "");
			sq_quote(&title, a->user);
			dbtls_str_cat(&title, "@");
			sq_quote(&title, a->host);
		}
		if (n < 50) {
			dbtls_str_cat(&fix, "ALTER USER ");
			sq_quote(&fix, a->user);
			dbtls_str_cat(&fix, "@");
			sq_quote(&fix, a->host);
			dbtls_str_cat(&fix, " REQUIRE SSL;\n");
		}
		n++;
	}
	if (!n) {
		free(title.s);
		return;
	}
	dbtls_str_cat(&ev, " (REQUIRE none; host pattern admits the network; from %s)",
		      f->sql.accounts_source ? f->sql.accounts_source : "the grant tables");
	if (rst)
		dbtls_str_cat(
		    &ev, "; require_secure_transport=ON refuses their plain-text logins today");
	if (n > 50)
		dbtls_str_cat(&fix, "… and %zu more accounts the same way.\n", n - 50);
	dbtls_str_cat(&fix,
		      "(or REQUIRE X509 where clients present certificates; accounts used only on "
		      "the server itself can be limited to 'localhost' instead)");
	{
		struct dbtls_str t = {0};

		dbtls_str_cat(&t, "%zu account%s may log in from the network without TLS: %s%s", n,
			      n == 1 ? "" : "s", title.s ? title.s : "", n > 3 ? ", …" : "");
		free(title.s);
		title = t;
	}
	/* the fix above is written for the MySQL grant tables; a product with other accounts
	 * (PostgreSQL's pg_hba.conf rules) writes its own */
	product_fix =
	    dbtls_str_get(&fix) ? dbtls_remedy_accounts_no_tls(f, dbtls_str_get(&fix)) : NULL;
	if (!product_fix)
		out->oom = true;
	/* with require_secure_transport=ON the server refuses them anyway: defence in depth only */
	dbtls_findings_add(out, self, ctx, rst ? sq_min_sev((int)ctx->severity, DBTLS_SEV_LOW) : -1,
			   dbtls_str_get(&ev), product_fix, "%s", dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(product_fix);
	free(title.s);
}

static const char *const sq_refs_accounts[] = {
    "CWE-319", "MySQL Reference Manual: CREATE USER SSL/TLS Options", NULL};

static const struct dbtls_check chk_accounts = {
    .id = "sql.account-no-tls",
    .title = "Network accounts without a TLS requirement",
    .description = "Accounts whose host pattern admits clients from the network (anything "
		   "but localhost, 127.0.0.1 and ::1) and that have no REQUIRE SSL/X509/"
		   "ISSUER/SUBJECT may log in in clear text. Locked accounts and roles are "
		   "left out. With require_secure_transport=ON the server refuses those "
		   "logins anyway, and the finding is at most low.",
    .fix = "ALTER USER 'user'@'host' REQUIRE SSL; for each listed account (or REQUIRE X509).",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_accounts,
    .eval = sq_accounts,
};

/* ---- sql.ssl-cipher-weak ---- */

/* Suites no ssl_cipher should select: anonymous, unencrypted, export-grade, RC4, DES, 3DES. */
#define SQ_WEAK_PROPS                                                                              \
	(DBTLS_PROP_ANON | DBTLS_PROP_NULL | DBTLS_PROP_EXPORT | DBTLS_PROP_RC4 | DBTLS_PROP_DES | \
	 DBTLS_PROP_3DES)

/* The server's ssl_cipher is judged by the suites it selects, as the local OpenSSL expands it
 * (dbtls_cipher_string_expand): "ALL:!aNULL" selects nothing weak and is fine, "ALL" selects
 * the anonymous suites and is not. Its tokens are evidence only, except for those the local
 * OpenSSL cannot expand but that only ever name weak classes (EXPORT, LOW, RC4, DES: absent
 * from OpenSSL 3, present in the older builds servers link) and @SECLEVEL=0 (keys and digests,
 * not suites). When the local OpenSSL selects nothing from the string, the tokens decide. */
static void sq_cipher(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	static const char *const bad[] = {
	    "ALL", "COMPLEMENTOFALL", "eNULL", "NULL", "aNULL", "EXPORT", "EXP", "LOW", NULL};
	static const char *const bad_always[] = {"EXPORT", "EXP", "LOW", "RC4", "DES", NULL};
	struct dbtls_str ev = {0}, fix = {0}, title = {0}, hits = {0}, weak = {0};
	/* MySQL/MariaDB: ssl_cipher; PostgreSQL: ssl_ciphers (the same OpenSSL cipher string) */
	const char *var = sq_var(f, "ssl_cipher") ? "ssl_cipher" : "ssl_ciphers";
	const char *v = sq_var(f, var);
	char *copy, *tok, *save = NULL;
	char *fix_suites;
	uint32_t *codes = NULL;
	size_t ncodes = 0, nweak = 0, nalways = 0;
	enum dbtls_err xerr;

	if (!sq_ok(f) || !v || !*v)
		return;
	copy = strdup(v);
	if (!copy) {
		out->oom = true;
		return;
	}
	for (tok = strtok_r(copy, ":, ", &save); tok; tok = strtok_r(NULL, ":, ", &save)) {
		bool hit = strncmp(tok, "@SECLEVEL=0", 11) == 0, always = hit;

		for (size_t i = 0; !always && bad_always[i]; i++)
			always = strcmp(tok, bad_always[i]) == 0;
		for (size_t i = 0; !hit && bad[i]; i++)
			hit = strcmp(tok, bad[i]) == 0; /* "!aNULL", "-ALL": exclusions, fine */
		if (hit || always)
			dbtls_str_cat(&hits, "%s%s", hits.n ? ", " : "", tok);
		nalways += always;
	}
	free(copy);
	xerr = dbtls_cipher_string_expand(v, &codes, &ncodes);
	if (xerr == DBTLS_ERR_NOMEM) {
		out->oom = true;
		goto out;
	}
	for (size_t i = 0; i < ncodes; i++) {
		char hex[16];
		if (!(dbtls_suite_props(codes[i]) & SQ_WEAK_PROPS))
			continue;
		if (nweak < 6)
			dbtls_str_cat(&weak, "%s%s", nweak ? ", " : "",
				      dbtls_suite_label(codes[i], hex, sizeof(hex)));
		nweak++;
	}
	if (nweak > 6)
		dbtls_str_cat(&weak, " and %zu more", nweak - 6);
	/* expanded: the set decides; not expandable: the tokens do */
	if (xerr ? !hits.n : !nweak && !nalways)
		goto out;
	if (xerr)
		dbtls_str_cat(&ev,
			      "%s=%s (weak parts: %s; the local OpenSSL selects no suite "
			      "from it, so it is judged by its tokens)",
			      var, v, hits.s);
	else
		dbtls_str_cat(&ev,
			      "%s=%s selects %zu TLS 1.2-and-below suites with the local "
			      "OpenSSL, %zu of them weak%s%s%s%s",
			      var, v, ncodes, nweak, nweak ? ": " : "", nweak ? weak.s : "",
			      hits.n ? "; tokens: " : "", hits.n ? hits.s : "");
	fix_suites = dbtls_remedy_suites(f, "ECDHE+AESGCM:ECDHE+CHACHA20");
	if (!fix_suites)
		fix.oom = true;
	else
		dbtls_str_cat(&fix,
			      "%s Never put ALL, NULL suites or @SECLEVEL=0 in it: they enable "
			      "anonymous, unencrypted or broken suites and keys below 112 bits.",
			      fix_suites);
	free(fix_suites);
	if (nweak)
		dbtls_str_cat(&title, "%s enables %zu weak suite%s: %s", var, nweak,
			      nweak == 1 ? "" : "s", weak.s);
	else
		dbtls_str_cat(&title, "%s enables weak suites: %s", var, hits.s);
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
out:
	free(codes);
	free(hits.s);
	free(weak.s);
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_cipher[] = {"RFC 9325", "RFC 7465",
					     "OpenSSL SSL_CTX_set_security_level(3)", NULL};

static const struct dbtls_check chk_cipher = {
    .id = "sql.ssl-cipher-weak",
    .title = "ssl_cipher setting enables weak suites",
    .description = "The server's ssl_cipher setting, expanded by the local OpenSSL, selects "
		   "anonymous, NULL, export, RC4, DES or 3DES suites, or it names EXPORT/LOW/"
		   "RC4/DES or @SECLEVEL=0 (which lets OpenSSL use keys, digests and protocol "
		   "versions it would otherwise refuse). Even where the probes found nothing "
		   "broken today, the setting is one upgrade away from it. \"ALL:!aNULL\" "
		   "selects nothing weak and is not flagged; \"ALL\" is.",
    .fix = "Set ssl_cipher to an explicit list of forward-secret AEAD suites.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_cipher,
    .eval = sq_cipher,
};

/* ---- sql.tls-version-legacy ---- */

static void sq_tls_version(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0}, hits = {0};
	const char *v = sq_var(f, "tls_version"), *var = "tls_version";
	char *copy, *tok, *save = NULL, *remedy, pgvers[64] = "";

	/* PostgreSQL has a floor instead of a list: ssl_min_protocol_version = 'TLSv1' lets TLS
	 * 1.0 and 1.1 in (below ssl_max_protocol_version, when that is set) */
	if (!v && sq_var(f, "ssl_min_protocol_version")) {
		int lo = sq_version(sq_var(f, "ssl_min_protocol_version"));
		int hi = sq_version(sq_var(f, "ssl_max_protocol_version"));

		var = "ssl_min_protocol_version";
		for (int x = lo; x >= 0 && x <= DBTLS_TLS11 && (hi < 0 || x <= hi); x++)
			snprintf(pgvers + strlen(pgvers), sizeof(pgvers) - strlen(pgvers), "%s%s",
				 pgvers[0] ? "," : "", dbtls_version_name((enum dbtls_version)x));
		v = pgvers;
	}
	if (!sq_ok(f) || !v || !*v)
		return;
	copy = strdup(v);
	if (!copy) {
		out->oom = true;
		return;
	}
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int ver = sq_version(tok);

		if (ver >= 0 && ver <= DBTLS_TLS11) {
			dbtls_str_cat(&hits, "%s%s", hits.n ? ", " : "", tok);
			if (f->versions[ver].status == DBTLS_VS_ACCEPTED)
				dbtls_str_cat(&hits, " (accepted by the probes)");
			else if (f->versions[ver].status == DBTLS_VS_REJECTED)
				dbtls_str_cat(&hits,
					      " (refused by the probes: the library's floor)");
		}
	}
	free(copy);
	if (!hits.n) {
		free(hits.s);
		return;
	}
	if (v == pgvers)
		dbtls_str_cat(&ev, "ssl_min_protocol_version=%s lets in %s; deprecated: %s",
			      sq_var(f, "ssl_min_protocol_version"), v, hits.s);
	else
		dbtls_str_cat(&ev, "tls_version=%s; deprecated: %s", v, hits.s);
	remedy = dbtls_remedy_versions(f, DBTLS_TLS12);
	if (!remedy)
		fix.oom = true;
	else
		dbtls_str_cat(&fix, "%s", remedy);
	free(remedy);
	dbtls_str_cat(&title, "%s %s deprecated versions: %s", var,
		      v == pgvers ? "allows" : "lists", hits.s);
	free(hits.s);
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_tls_version[] = {"RFC 8996", "RFC 9325", NULL};

static const struct dbtls_check chk_tls_version = {
    .id = "sql.tls-version-legacy",
    .title = "tls_version setting lists TLS 1.0 or 1.1",
    .description = "The server's tls_version setting lists TLSv1, TLSv1.0 or TLSv1.1 (or "
		   "SSLv3), deprecated by RFC 8996. The evidence says whether the probes saw "
		   "them accepted; a version the TLS library refuses today comes back with a "
		   "library upgrade or a lower security level.",
    .fix = "tls_version=TLSv1.2,TLSv1.3 in the server's my.cnf.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_tls_version,
    .eval = sq_tls_version,
};

/* ---- sql.tls-library-legacy ---- */

static void sq_library(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0};
	const char *lib = sq_var(f, "version_ssl_library");
	const char *comment = sq_var(f, "version_comment");
	const char *have_ssl = sq_var(f, "have_ssl"), *have_openssl = sq_var(f, "have_openssl");
	const char *version = sq_var(f, "version");
	bool listed = false;
	const char *what = NULL;

	if (!sq_ok(f))
		return;
	if (lib && (strcasestr(lib, "yassl") || strcasestr(lib, "wolfssl"))) {
		dbtls_str_cat(&ev, "version_ssl_library=%s", lib);
		what = strcasestr(lib, "yassl") ? "yaSSL" : "wolfSSL";
	}
	if (comment && (strcasestr(comment, "yassl") || strcasestr(comment, "wolfssl"))) {
		dbtls_str_cat(&ev, "%sversion_comment=%s", ev.n ? "; " : "", comment);
		what = what ? what : strcasestr(comment, "yassl") ? "yaSSL" : "wolfSSL";
	}
	if (have_ssl && strcasecmp(have_ssl, "YES") == 0 && have_openssl &&
	    strcasecmp(have_openssl, "NO") == 0) {
		dbtls_str_cat(&ev, "%shave_ssl=YES but have_openssl=NO", ev.n ? "; " : "");
		what = what ? what : "a TLS library other than OpenSSL";
	}
	/* MySQL 5.7 has auto_generate_certs only when built with OpenSSL: its absence (with the
	 * variables read) marks a yaSSL build */
	dbtls_sql_value_get(f->sql.variables, f->sql.nvariables, "auto_generate_certs", &listed);
	if (listed && !sq_var(f, "auto_generate_certs") && version &&
	    strncmp(version, "5.7.", 4) == 0 && !sq_mariadb(f)) {
		dbtls_str_cat(
		    &ev,
		    "%sMySQL %s without auto_generate_certs (a variable of OpenSSL builds "
		    "only)",
		    ev.n ? "; " : "", version);
		what = what ? what : "yaSSL";
	}
	if (!what) {
		free(ev.s);
		return;
	}
	dbtls_str_cat(
	    &fix, "Move to a server built against OpenSSL: MySQL 5.7.28+ or 8.0, Percona "
		  "Server, or your distribution's MariaDB packages; then enable TLS 1.2/1.3 "
		  "(tls_version=TLSv1.2,TLSv1.3). Until then: yaSSL speaks at most TLS 1.1, "
		  "offers no ECDHE suites and reads the private key only in PKCS#1 form "
		  "(-----BEGIN RSA PRIVATE KEY-----; convert with: openssl rsa -traditional -in "
		  "server-key.pem -out server-key-pkcs1.pem).");
	dbtls_str_cat(&title, "The server's TLS library is %s", what);
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_library[] = {
    "RFC 8996", "MySQL 5.7.28 release notes (yaSSL removed)",
    "MySQL Reference Manual: SSL Library-Dependent Capabilities", NULL};

static const struct dbtls_check chk_library = {
    .id = "sql.tls-library-legacy",
    .title = "Server built with yaSSL or wolfSSL",
    .description = "The server links yaSSL or the bundled wolfSSL instead of OpenSSL (from "
		   "version_ssl_library, version_comment, have_openssl, or MySQL 5.7 lacking "
		   "the OpenSSL-only auto_generate_certs). yaSSL caps the protocol at TLS 1.1 "
		   "(1.0 before MySQL 5.7.10), has no ECDHE, and needs a PKCS#1 private key; "
		   "bundled wolfSSL builds lag behind OpenSSL's fixes and features.",
    .fix = "Upgrade to a server built against OpenSSL.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_library,
    .eval = sq_library,
};

/* ---- sql.cert-dates-mismatch ---- */

/* OpenSSL's ASN1_TIME_print form, as MySQL/MariaDB report it: "Nov 23 20:15:48 2027 GMT". Parsed
 * by hand: strptime's %b depends on the locale. */
static bool sq_parse_asn1_time(const char *s, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4], zone[8];
	struct tm tm = {0};
	int day, h, mi, sec, year, n = 0;
	const char *m;

	if (!s)
		return false;
	if (sscanf(s, "%3s %d %d:%d:%d %d %7s%n", mon, &day, &h, &mi, &sec, &year, zone, &n) != 7 ||
	    s[n] || strcmp(zone, "GMT") != 0 || strlen(mon) != 3)
		return false;
	m = strstr(months, mon);
	if (!m || (m - months) % 3 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60 ||
	    h < 0 || mi < 0 || sec < 0 || year < 1950 || year > 9999)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = (int)((m - months) / 3);
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return true;
}

static void sq_cert_dates(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	static const char *const names[2] = {"Ssl_server_not_before", "Ssl_server_not_after"};
	struct dbtls_str ev = {0}, fix = {0}, title = {0};
	const struct dbtls_cert *leaf = f->ncerts ? &f->certs[0] : NULL;
	size_t differ = 0;

	if (!sq_ok(f) || !leaf)
		return;
	for (int i = 0; i < 2; i++) {
		const char *v = sq_status(f, names[i]);
		time_t probed = i ? leaf->not_after_t : leaf->not_before_t, said;
		char a[32], b[32];

		if (!probed || !sq_parse_asn1_time(v, &said))
			continue;
		if (said - probed <= 1 && probed - said <= 1)
			continue;
		dbtls_rfc3339(said, a, sizeof(a));
		dbtls_rfc3339(probed, b, sizeof(b));
		dbtls_str_cat(&ev, "%s%s=%s (%s) but the probed leaf's %s is %s", ev.n ? "; " : "",
			      names[i], v, a, i ? "not_after" : "not_before", b);
		differ++;
	}
	if (!differ)
		return;
	dbtls_str_cat(&ev, "; probed leaf: %s", leaf->subject ? leaf->subject : "?");
	dbtls_str_cat(&fix,
		      "Find out which certificate clients really get: a TLS-terminating proxy or "
		      "load balancer in front of the server, several servers behind one address, "
		      "or a certificate replaced on disk but not loaded. Make every path serve the "
		      "same, current certificate, and reload it in the server (%s).",
		      sq_mariadb(f) ? "FLUSH SSL; MariaDB 10.4+, or a restart"
				    : "ALTER INSTANCE RELOAD TLS; MySQL 8.0.16+, or a restart");
	dbtls_str_cat(&title,
		      "The server's own certificate dates differ from the certificate the probes "
		      "were served");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_dates[] = {"RFC 5280 §4.1.2.5", NULL};

static const struct dbtls_check chk_cert_dates = {
    .id = "sql.cert-dates-mismatch",
    .title = "Server-reported certificate dates differ from the probed certificate",
    .description = "Ssl_server_not_before/Ssl_server_not_after (the certificate the server has "
		   "loaded, as it reports it over SQL) differ from the validity of the leaf "
		   "the TLS probes were served: the endpoint and the server are not the same "
		   "TLS identity (a proxy, another server behind the address, or a certificate "
		   "changed on disk and not reloaded).",
    .fix = "Make every path to the server serve the same, current certificate and reload it.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_dates,
    .eval = sq_cert_dates,
};

/* ---- sql.session-weaker ---- */

static void sq_session_weaker(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0};
	const char *ver = sq_status(f, "Ssl_version"), *cipher = sq_status(f, "Ssl_cipher");
	int sv = sq_version(ver), best = -1;
	const struct dbtls_suite *s;
	char *remedy;

	if (!sq_ok(f) || f->tls_offered != 1 || sv < 0)
		return;
	for (int v = DBTLS_SSL3; v < DBTLS_NVERSIONS; v++)
		if (f->versions[v].status == DBTLS_VS_ACCEPTED)
			best = v;
	if (best > sv)
		dbtls_str_cat(&ev, "the session negotiated %s while the server accepts %s", ver,
			      dbtls_version_name((enum dbtls_version)best));
	s = cipher && *cipher ? dbtls_suite_by_name(cipher) : NULL;
	if (s && (dbtls_suite_props(s->code) & DBTLS_PROP_NON_PFS)) {
		const struct dbtls_version_facts *vf = &f->versions[sv];
		const char *pfs = NULL;

		for (size_t i = 0; !pfs && i < vf->nsuites; i++) {
			const struct dbtls_suite *o = dbtls_suite_by_code((uint16_t)vf->suites[i]);

			if (vf->suites[i] <= 0xffff && o &&
			    !(dbtls_suite_props(o->code) & DBTLS_PROP_NON_PFS))
				pfs = o->iana_name;
		}
		if (pfs)
			dbtls_str_cat(&ev,
				      "%sthe session's suite %s has no forward secrecy while the "
				      "server accepts %s with %s",
				      ev.n ? "; " : "", cipher, pfs, ver);
	}
	if (!ev.n) {
		free(ev.s);
		return;
	}
	dbtls_str_cat(&ev, " (session: %s %s, dbtls's own login through libmariadb)", ver,
		      cipher ? cipher : "?");
	remedy = dbtls_remedy_suites(f, "ECDHE+AESGCM:ECDHE+CHACHA20");
	dbtls_str_cat(&fix,
		      "A real client got less than the server offers: look for a proxy in the path "
		      "and for tls_version / ssl-cipher in the [client] section of the option "
		      "files; on the server, leave out what should not be negotiated at all. %s",
		      remedy ? remedy : "");
	if (!remedy)
		fix.oom = true;
	free(remedy);
	dbtls_str_cat(&title, "The SQL session negotiated less than the server can do: %s %s", ver,
		      cipher ? cipher : "");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_session[] = {"RFC 9325", NULL};

static const struct dbtls_check chk_session_weaker = {
    .id = "sql.session-weaker",
    .title = "The SQL session is weaker than what the server accepts",
    .description = "The TLS session of dbtls's own SQL login (Ssl_version, Ssl_cipher) used an "
		   "older version than the newest the probes saw accepted, or a suite without "
		   "forward secrecy while forward-secret suites of that version are accepted: "
		   "something between client and server, or their configuration, picks less "
		   "than both can do.",
    .fix = "Check proxies and the clients' TLS settings; remove from the server what should "
	   "not be negotiated.",
    .default_severity = DBTLS_SEV_LOW,
    .references = sq_refs_session,
    .eval = sq_session_weaker,
};

/* ---- sql.connections-legacy-tls ---- */

static void sq_conn_legacy(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0};
	size_t n = 0;

	if (!sq_ok(f) || f->sql.connections_status != DBTLS_SQL_AV_READ)
		return;
	for (size_t i = 0; i < f->sql.nconnections; i++) {
		const struct dbtls_sql_conn *c = &f->sql.connections[i];
		int v = sq_version(c->tls_version);

		if (v < 0 || v > DBTLS_TLS11)
			continue;
		dbtls_str_cat(&ev, "%s", n ? "; " : "");
		sq_conn(&ev, c);
		n++;
	}
	if (!n)
		return;
	dbtls_str_cat(&fix,
		      "Upgrade these clients (their TLS library or connector) to TLS 1.2 or later "
		      "first: they stop working when the server drops TLS 1.0/1.1. Then: ");
	{
		char *remedy = dbtls_remedy_versions(f, DBTLS_TLS12);

		if (!remedy)
			fix.oom = true;
		dbtls_str_cat(&fix, "%s", remedy ? remedy : "");
		free(remedy);
	}
	dbtls_str_cat(&title, "%zu connected client%s use%s TLS 1.0/1.1", n, n == 1 ? "" : "s",
		      n == 1 ? "s" : "");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const struct dbtls_check chk_conn_legacy = {
    .id = "sql.connections-legacy-tls",
    .title = "Connected clients use TLS 1.0 or 1.1",
    .description = "performance_schema.status_by_thread shows live sessions whose Ssl_version "
		   "is TLSv1/TLSv1.1 (or SSLv3): these clients are the ones that break when "
		   "the server drops the deprecated versions, and their traffic is protected "
		   "only by them today.",
    .fix = "Upgrade the named clients to TLS 1.2+, then disable TLS 1.0/1.1 on the server.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_tls_version,
    .eval = sq_conn_legacy,
};

/* ---- sql.insecure-scan ---- */

static void sq_insecure(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	struct dbtls_str ev = {0}, fix = {0}, title = {0};

	if ((f->sql.status != DBTLS_SQL_OK && f->sql.status != DBTLS_SQL_FAILED) ||
	    f->sql.verify_cert)
		return;
	dbtls_str_cat(&ev, "SQL login %s without certificate verification (--sql-insecure)",
		      f->sql.status == DBTLS_SQL_OK ? "made" : "attempted");
	if (f->sql.user)
		dbtls_str_cat(&ev, " as %s", f->sql.user);
	dbtls_str_cat(
	    &fix, "Scan with verification: give --ca-file with the CA that issued the server's "
		  "certificate and drop --sql-insecure. The SQL facts of this scan may come "
		  "from an impostor, and the login was offered to a server nobody "
		  "authenticated: if the network path is not trusted, rotate the scan account's "
		  "password.");
	dbtls_str_cat(&title, "SQL facts gathered without verifying the server's certificate");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_insecure[] = {"CWE-295", "RFC 9325", NULL};

static const struct dbtls_check chk_insecure = {
    .id = "sql.insecure-scan",
    .title = "SQL login without certificate verification (--sql-insecure)",
    .description = "A finding about the scan itself: the SQL login did not verify the server "
		   "certificate, so the SQL facts could come from a man in the middle, and the "
		   "scan account's login was offered to an unauthenticated peer (dbtls then "
		   "allows only challenge-response authentication, never the password itself).",
    .fix = "Scan with --ca-file and without --sql-insecure.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_insecure,
    .eval = sq_insecure,
};

/* ---- sql.option-file-permissions ---- */

static void sq_option_file(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_sql_option_file *of = &f->sql.option_file;
	struct dbtls_str ev = {0}, fix = {0}, title = {0};

	if (!of->path)
		return;
	dbtls_str_cat(&ev, "%s holds a password and has mode %04o (%s-readable)", of->path,
		      of->mode, of->world_readable ? "world" : "group");
	dbtls_str_cat(&fix,
		      "chmod 600 %s (readable by its owner only), or give the password in "
		      "$DBTLS_MYSQL_PASSWORD from a secret store instead.",
		      of->path);
	dbtls_str_cat(&title, "The scan account's password is in an option file others can read");
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), dbtls_str_get(&fix), "%s",
			   dbtls_str_get(&title));
	free(ev.s);
	free(fix.s);
	free(title.s);
}

static const char *const sq_refs_option_file[] = {"CWE-732", "CWE-256", NULL};

static const struct dbtls_check chk_option_file = {
    .id = "sql.option-file-permissions",
    .title = "Option file with a password readable by group or others",
    .description = "A finding about the scan itself: the MySQL option file the SQL login reads "
		   "sets a password and is group- or world-readable, so other local users can "
		   "read the scan account's password (dbtls also warns on standard error).",
    .fix = "chmod 600 the option file.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_option_file,
    .eval = sq_option_file,
};

/* ---- sql.password-md5 ---- */

static void sq_password_md5(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const char *v = sq_var(f, "password_encryption");
	struct dbtls_str ev = {0};

	/* PostgreSQL before 14 also says "on" for md5 */
	if (!sq_ok(f) || !v || (strcasecmp(v, "md5") != 0 && strcasecmp(v, "on") != 0))
		return;
	dbtls_str_cat(&ev,
		      "password_encryption=%s: new and changed passwords are stored as MD5 "
		      "hashes (and md5 rules in pg_hba.conf accept them)",
		      v);
	dbtls_findings_add(out, self, ctx, -1, dbtls_str_get(&ev), self->fix,
			   "Passwords are hashed with MD5 (password_encryption=%s)", v);
	free(ev.s);
}

static const char *const sq_refs_md5[] = {"RFC 5802", "RFC 7677",
					  "PostgreSQL 18 release notes "
					  "(MD5 passwords deprecated)",
					  NULL};

static const struct dbtls_check chk_password_md5 = {
    .id = "sql.password-md5",
    .title = "Passwords stored as MD5 hashes (PostgreSQL password_encryption=md5)",
    .description = "The server hashes new passwords with MD5 (password_encryption = md5). An "
		   "MD5 hash is the password's equivalent for the md5 authentication method: "
		   "whoever reads it (a backup, pg_authid) can log in with it, and a "
		   "challenge seen on a connection without TLS can be brute-forced. SCRAM-SHA-256 "
		   "(PostgreSQL 10+, the default since 14) does not have these weaknesses; "
		   "PostgreSQL 18 deprecates MD5 passwords.",
    .fix = "In postgresql.conf: password_encryption = 'scram-sha-256', then SELECT "
	   "pg_reload_conf(); set every password again (ALTER ROLE name PASSWORD '...', or "
	   "\\password in psql) so it is stored as SCRAM, and change md5 to scram-sha-256 in "
	   "pg_hba.conf once no role has an MD5 hash left (SELECT rolname FROM pg_authid WHERE "
	   "rolpassword LIKE 'md5%').",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = sq_refs_md5,
    .eval = sq_password_md5,
};

const struct dbtls_check *const dbtls_checks_sql[] = {
    &chk_rst_off,
    &chk_plaintext,
    &chk_accounts,
    &chk_cipher,
    &chk_tls_version,
    &chk_library,
    &chk_cert_dates,
    &chk_session_weaker,
    &chk_conn_legacy,
    &chk_insecure,
    &chk_option_file,
    &chk_password_md5,
    NULL,
};
