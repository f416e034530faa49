/* SPDX-License-Identifier: MIT */
/*
 * postgresql.c — fix texts for PostgreSQL (postgres:// and postgres+direct://): postgresql.conf
 * settings (ssl, ssl_min_protocol_version, ssl_ciphers, ssl_prefer_server_ciphers, ssl_ecdh_curve
 * or ssl_groups on 18+, ssl_cert_file/ssl_key_file) reloaded with SELECT pg_reload_conf() — every
 * ssl_* setting is reloadable since PostgreSQL 10 — and pg_hba.conf hostssl lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/remedy/remedy.h"

#define PG_RELOAD "then SELECT pg_reload_conf(); (or pg_ctl reload; no restart needed since 10)"

static bool pg_matches(const struct dbtls_endpoint_facts *f)
{
	return f->protocol && (strcmp(f->protocol, "postgres") == 0 ||
			       strcmp(f->protocol, "postgres+direct") == 0);
}

static char *pg_versions(const struct dbtls_endpoint_facts *f, const char *list,
			 const char *min_name)
{
	(void)f;
	(void)list;
	return dbtls_remedy_printf(
	    "In postgresql.conf: ssl_min_protocol_version = '%s' "
	    "(PostgreSQL 12+; leave ssl_max_protocol_version empty), " PG_RELOAD ".",
	    min_name);
}

static char *pg_suites(const struct dbtls_endpoint_facts *f, const char *ciphers)
{
	(void)f;
	return dbtls_remedy_printf(
	    "In postgresql.conf: ssl_ciphers = '%s' (TLS 1.2 and below; TLS 1.3 suites are set "
	    "with ssl_tls13_ciphers on PostgreSQL 18, OpenSSL's defaults before), " PG_RELOAD ".",
	    ciphers);
}

static char *pg_cert(const struct dbtls_endpoint_facts *f, const char *what)
{
	(void)f;
	return dbtls_remedy_printf(
	    "%s In postgresql.conf:\n"
	    "ssl_cert_file = 'server.crt' (the leaf, then its intermediates)\n"
	    "ssl_key_file = 'server.key' (owned by postgres, mode 0600)\n"
	    "ssl_ca_file = 'root.crt' (only to verify client certificates)\n"
	    "%s.",
	    what, PG_RELOAD);
}

static char *pg_not_offered(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)f;
	(void)general;
	return dbtls_strdup(
	    "In postgresql.conf:\n"
	    "ssl = on\n"
	    "ssl_cert_file = 'server.crt'\n"
	    "ssl_key_file = 'server.key'\n"
	    "ssl_min_protocol_version = 'TLSv1.2'\n"
	    "then SELECT pg_reload_conf(); (PostgreSQL 10+). Once every client "
	    "connects with TLS, make the network lines of pg_hba.conf hostssl instead "
	    "of host (e.g. hostssl all all 0.0.0.0/0 scram-sha-256) and reload again; "
	    "clients should use sslmode=verify-full.");
}

static char *pg_not_offered_evidence(const struct dbtls_endpoint_facts *f)
{
	if (f->protocol && strcmp(f->protocol, "postgres+direct") == 0)
		return dbtls_strdup("the server did not answer a direct TLS ClientHello with TLS");
	return dbtls_strdup("the server answered 'N' to the SSLRequest (ssl = off)");
}

static char *pg_tls13(const struct dbtls_endpoint_facts *f, const char *versions_fix)
{
	(void)f;
	return dbtls_remedy_printf("TLS 1.3 needs PostgreSQL 12+ built against OpenSSL 1.1.1 or "
				   "later; ssl_max_protocol_version must be empty or 'TLSv1.3'. %s",
				   versions_fix);
}

static char *pg_dh_prime(const struct dbtls_endpoint_facts *f, int min_bits, int ffdhe_bits,
			 const char *suites_fix)
{
	(void)f;
	return dbtls_remedy_printf(
	    "PostgreSQL uses a built-in 2048-bit DHE prime unless ssl_dh_params_file names "
	    "another. For a prime of at least %d bits: openssl genpkey -genparam -algorithm DH "
	    "-pkeyopt group:ffdhe%d -out dhparams.pem, then in postgresql.conf ssl_dh_params_file "
	    "= "
	    "'dhparams.pem' and SELECT pg_reload_conf(); or leave DHE out: %s",
	    min_bits, ffdhe_bits, suites_fix);
}

static char *pg_groups(const struct dbtls_endpoint_facts *f, const char *groups)
{
	(void)f;
	return dbtls_remedy_printf(
	    "In postgresql.conf: ssl_groups = '%s' (PostgreSQL 18+; PostgreSQL 17 and older have "
	    "only ssl_ecdh_curve, one curve, e.g. ssl_ecdh_curve = 'prime256v1'), " PG_RELOAD ".",
	    groups);
}

static char *pg_server_order(const struct dbtls_endpoint_facts *f, const char *strict,
			     const char *general)
{
	(void)f;
	(void)general;
	return dbtls_remedy_printf("In postgresql.conf: ssl_prefer_server_ciphers = on (the "
				   "default) and ssl_ciphers = '%s', " PG_RELOAD ".",
				   strict);
}

static char *pg_ca_rotation(const struct dbtls_endpoint_facts *f)
{
	(void)f;
	return dbtls_strdup("Before clients switch to the new bundle: install a certificate issued "
			    "under the new CA with its intermediates (postgresql.conf "
			    "ssl_cert_file, ssl_key_file) and SELECT pg_reload_conf();. Until "
			    "every server is re-issued, clients need both the old and the new root "
			    "in their sslrootcert bundle.");
}

static char *pg_alpn(const struct dbtls_endpoint_facts *f, const char *protocol,
		     const char *general)
{
	(void)f;
	(void)general;
	return dbtls_remedy_printf(
	    "PostgreSQL itself accepts ALPN \"%s\" (17+ selects it; older servers ignore it): the "
	    "TLS proxy or load balancer in front of it refuses it. Configure it to accept and "
	    "select \"%s\" (HAProxy: add `alpn %s` to the bind line that terminates TLS; a TCP "
	    "pass-through proxy must not terminate TLS at all), or upgrade it. libpq 17 clients "
	    "always offer it and cannot connect until then; for direct TLS "
	    "(sslnegotiation=direct) the proxy must select it.",
	    protocol, protocol, protocol);
}

static char *pg_accounts_no_tls(const struct dbtls_endpoint_facts *f, const char *general)
{
	struct dbtls_str s = {0};
	size_t n = 0;

	(void)general;
	dbtls_str_cat(&s, "In pg_hba.conf, make these network lines hostssl (TLS required) "
			  "instead of host:\n");
	for (size_t i = 0; i < f->sql.naccounts && n < 50; i++) {
		const struct dbtls_sql_account *a = &f->sql.accounts[i];

		/* as sql.account-no-tls: a reject rule ("locked") lets nobody in */
		if (!a->network || a->locked || !a->require || strcmp(a->require, "none") != 0)
			continue;
		dbtls_str_cat(&s, "line %u: hostssl %s %s %s %s\n", a->line,
			      a->database ? a->database : "all", a->user ? a->user : "all",
			      a->host ? a->host : "all", a->method ? a->method : "scram-sha-256");
		n++;
	}
	dbtls_str_cat(&s,
		      "(add clientcert=verify-full where clients present certificates; a "
		      "hostnossl ... reject line before them refuses plain logins outright), then "
		      "SELECT pg_reload_conf();");
	return s.oom ? (free(s.s), NULL) : s.s;
}

static char *pg_plain_connections(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)general;
	(void)f;
	return dbtls_strdup(
	    "Make these clients connect with TLS and verify the server: libpq (psql, most "
	    "drivers) sslmode=verify-full sslrootcert=/path/to/ca.pem (or PGSSLMODE=verify-full); "
	    "JDBC: sslmode=verify-full. Then require TLS in pg_hba.conf: make their host lines "
	    "hostssl (e.g. hostssl all all 0.0.0.0/0 scram-sha-256), and put a hostnossl all all "
	    "0.0.0.0/0 reject line first to refuse plain-text logins outright; then SELECT "
	    "pg_reload_conf(); (existing sessions stay until they reconnect).");
}

const struct dbtls_remedy_product dbtls_remedy_postgresql = {
    .name = "postgresql",
    .matches = pg_matches,
    .base = &dbtls_remedy_generic,
    .versions = pg_versions,
    .suites = pg_suites,
    .cert = pg_cert,
    .not_offered = pg_not_offered,
    .not_offered_evidence = pg_not_offered_evidence,
    .tls13 = pg_tls13,
    .dh_prime = pg_dh_prime,
    .groups = pg_groups,
    .server_order = pg_server_order,
    .ca_rotation = pg_ca_rotation,
    .alpn = pg_alpn,
    .accounts_no_tls = pg_accounts_no_tls,
    .plain_connections = pg_plain_connections,
};
