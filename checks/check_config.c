/* SPDX-License-Identifier: MIT */
/*
 * check_config.c — checks over client and server TLS settings read by the file audit (MySQL and
 * MariaDB option files, JDBC URLs and Connector/J properties in .properties and YAML, PostgreSQL
 * postgresql.conf / pg_hba.conf / pg_service.conf, Openfire properties): clients that do not
 * verify the server or may fall back to plaintext, TLS versions below the profile's minimum,
 * servers that do not require or do not offer TLS, pg_hba lines that accept plaintext, Openfire's
 * revocation soft-fail, and passwords written in plain text (reported without the value).
 * Each finding names FILE:LINE and the setting as written.
 */
#include "checks/check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const cf_refs[] = {"NIST SP 800-52r2 §3.1",
				      "MySQL 8.0 Reference §8.3.1 "
				      "(ssl-mode)",
				      "PostgreSQL 16 §34.19 (sslmode)", NULL};

/* Where a setting is: "FILE:LINE [group] name" (the file an !include pulled it from). */
static void cf_where(const struct dbtls_audit_file *f, const struct dbtls_audit_setting *s,
		     char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u%s%s%s %s", s->file ? s->file : f->path, s->line,
		 s->group ? " [" : "", s->group ? s->group : "", s->group ? "]" : "", s->name);
}

static bool cf_key(const struct dbtls_audit_setting *s, const char *k)
{
	return s->key && !strcasecmp(s->key, k);
}

/* True for a false-ish value: 0, off, false, no, disabled. */
static bool cf_false(const char *v)
{
	return v && (!strcasecmp(v, "0") || !strcasecmp(v, "off") || !strcasecmp(v, "false") ||
		     !strcasecmp(v, "no") || !strcasecmp(v, "disabled"));
}

static bool cf_true(const char *v)
{
	return v && (!strcasecmp(v, "1") || !strcasecmp(v, "on") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "yes") || !*v);
}

/* A MySQL option-file group a server reads ([mysqld], [mariadb], [server], [mysqld-8.0] …). */
static bool cf_server_group(const struct dbtls_audit_file *f, const struct dbtls_audit_setting *s)
{
	const char *g = s->group;

	if (f->kind != DBTLS_AUDIT_MYSQL_OPTFILE || !g)
		return false;
	return !strncasecmp(g, "mysqld", 6) || !strcasecmp(g, "server") ||
	       !strncasecmp(g, "mariadbd", 8) || !strcasecmp(g, "mariadb") ||
	       !strncasecmp(g, "mariadb-1", 9) || !strcasecmp(g, "galera");
}

/* A client mode normalised: lower case, '_' -> '-'. */
static void cf_mode(const char *v, char *buf, size_t len)
{
	size_t i;

	for (i = 0; v && v[i] && i + 1 < len; i++)
		buf[i] = v[i] == '_' ? '-' : (char)tolower((unsigned char)v[i]);
	buf[i] = 0;
}

static bool cf_client_mode_key(const struct dbtls_audit_file *f,
			       const struct dbtls_audit_setting *s)
{
	return (cf_key(s, "ssl_mode") || cf_key(s, "sslmode")) && !cf_server_group(f, s);
}

static void cf_no_verify(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char where[800], ev[1200], m[64];

	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];
		bool hit = false;

		if (cf_client_mode_key(f, s)) {
			cf_mode(s->value, m, sizeof(m));
			hit = strcmp(m, "verify-ca") && strcmp(m, "verify-identity") &&
			      strcmp(m, "verify-full") && strcmp(m, "disabled") &&
			      strcmp(m, "disable");
		} else if ((cf_key(s, "ssl_verify_server_cert") && !cf_server_group(f, s)) ||
			   cf_key(s, "verifyservercertificate")) {
			hit = cf_false(s->value);
		} else if (cf_key(s, "skip_ssl_verify_server_cert") ||
			   cf_key(s, "disable_ssl_verify_server_cert")) {
			hit = !cf_server_group(f, s);
		} else if (cf_key(s, "trustservercertificate")) {
			hit = cf_true(s->value);
		}
		if (!hit)
			continue;
		cf_where(f, s, where, sizeof(where));
		snprintf(ev, sizeof(ev), "%s = %s", where, s->value ? s->value : "");
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "Client does not verify the server certificate (%s)", where);
	}
}

static const struct dbtls_check chk_no_verify = {
    .id = "client.no-verify",
    .title = "Client does not verify the server's certificate",
    .description = "A client setting short of VERIFY_CA / VERIFY_IDENTITY / verify-full "
		   "(ssl-mode=REQUIRED or PREFERRED, sslmode=require, "
		   "verifyServerCertificate=false, ssl-verify-server-cert=0): the connection is "
		   "encrypted but anyone on the path can impersonate the server.",
    .fix =
	"Set ssl-mode=VERIFY_IDENTITY (MySQL), sslMode=VERIFY_IDENTITY or "
	"verifyServerCertificate=true with a trust store (Connector/J), sslmode=verify-full with "
	"sslrootcert (libpq), and give the CA (ssl-ca / trustCertificateKeyStoreUrl).",
    .default_severity = DBTLS_SEV_HIGH,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_no_verify,
};

static void cf_fallback(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char where[800], ev[1200], m[64];

	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];
		const char *why = NULL;

		if (cf_client_mode_key(f, s)) {
			cf_mode(s->value, m, sizeof(m));
			if (!strcmp(m, "preferred") || !strcmp(m, "prefer") || !strcmp(m, "allow"))
				why = "uses TLS only when the server offers it";
			else if (!strcmp(m, "disabled") || !strcmp(m, "disable"))
				why = "never uses TLS";
		} else if (cf_key(s, "usessl") && cf_false(s->value)) {
			why = "never uses TLS";
		} else if (cf_key(s, "usessl") && cf_true(s->value)) {
			bool required = false, mode = false;

			for (size_t k = 0; k < f->nsettings; k++) {
				const struct dbtls_audit_setting *o = &f->settings[k];
				bool same = (!o->group && !s->group) ||
					    (o->group && s->group && !strcmp(o->group, s->group));

				if (!same)
					continue;
				required |= cf_key(o, "requiressl") && cf_true(o->value);
				mode |= cf_key(o, "sslmode");
			}
			if (!required && !mode)
				why = "useSSL without requireSSL=true falls back to plaintext";
		} else if ((cf_key(s, "skip_ssl") || (cf_key(s, "ssl") && cf_false(s->value))) &&
			   f->kind == DBTLS_AUDIT_MYSQL_OPTFILE && !cf_server_group(f, s)) {
			why = "never uses TLS";
		}
		if (!why)
			continue;
		cf_where(f, s, where, sizeof(where));
		snprintf(ev, sizeof(ev), "%s = %s: %s", where, s->value ? s->value : "", why);
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "Client may connect in plaintext (%s)", where);
	}
}

static const struct dbtls_check chk_fallback = {
    .id = "client.plaintext-fallback",
    .title = "Client may fall back to plaintext",
    .description = "ssl-mode=PREFERRED, sslmode=prefer/allow, useSSL=true without "
		   "requireSSL=true, or TLS switched off: the client connects without TLS "
		   "whenever the server (or anyone on the path) does not offer it, without a word.",
    .fix = "Require TLS and verify: ssl-mode=VERIFY_IDENTITY, sslMode=VERIFY_IDENTITY (or "
	   "useSSL=true&requireSSL=true&verifyServerCertificate=true), sslmode=verify-full.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_fallback,
};

/* The version a name means ("TLSv1" and "TLSv1.0" are TLS 1.0), or -1. */
static int cf_version(const char *t, size_t n)
{
	static const struct {
		const char *name;
		int v;
	} names[] = {{"SSLv2", DBTLS_SSL2},    {"SSLv3", DBTLS_SSL3},	 {"TLSv1", DBTLS_TLS10},
		     {"TLSv1.0", DBTLS_TLS10}, {"TLSv1.1", DBTLS_TLS11}, {"TLSv1.2", DBTLS_TLS12},
		     {"TLSv1.3", DBTLS_TLS13}, {"TLS1", DBTLS_TLS10},	 {"TLS1.0", DBTLS_TLS10},
		     {"TLS1.1", DBTLS_TLS11},  {"TLS1_1", DBTLS_TLS11},	 {"TLS1_2", DBTLS_TLS12}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && !strncasecmp(t, names[i].name, n))
			return names[i].v;
	return -1;
}

static void cf_versions(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	int min = ctx->policy->params.min_version;
	char where[800], ev[1400], low[200];

	if (min < 0)
		return;
	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];
		const char *v = s->value;
		size_t nl = 0;

		if (!v || s->secret ||
		    !(cf_key(s, "tls_version") || cf_key(s, "ssl_min_protocol_version") ||
		      cf_key(s, "enabledtlsprotocols") || cf_key(s, "tlsversions") ||
		      cf_key(s, "tls_versions") || cf_key(s, "enabledsslprotocols") ||
		      cf_key(s, "xmpp.socket.ssl.protocols") ||
		      cf_key(s, "xmpp.socket.ssl.client.protocols") || cf_key(s, "ssl_protocols")))
			continue;
		low[0] = 0;
		while (*v) {
			size_t n = strcspn(v, ", :;'\"");
			int ver = n ? cf_version(v, n) : -1;

			if (ver >= 0 && ver < min && nl + n + 3 < sizeof(low))
				nl += (size_t)snprintf(low + nl, sizeof(low) - nl, "%s%.*s",
						       nl ? ", " : "", (int)n, v);
			v += n;
			v += *v ? 1 : 0;
		}
		if (!nl)
			continue;
		cf_where(f, s, where, sizeof(where));
		snprintf(ev, sizeof(ev), "%s = %s: %s below the profile's minimum %s", where,
			 s->value, low, dbtls_version_name((enum dbtls_version)min));
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "TLS versions below %s allowed by %s",
				   dbtls_version_name((enum dbtls_version)min), where);
	}
}

static const struct dbtls_check chk_versions = {
    .id = "tls.config-version-below-min",
    .title = "A configuration allows TLS versions below the profile's minimum",
    .description = "tls_version, ssl_min_protocol_version, enabledTLSProtocols / tlsVersions or "
		   "xmpp.socket.ssl.protocols name a version below the profile's min_version "
		   "(TLS 1.0 and 1.1 are deprecated by RFC 8996).",
    .fix = "List only TLSv1.2 and TLSv1.3 (tls_version=TLSv1.2,TLSv1.3; "
	   "ssl_min_protocol_version='TLSv1.2'; enabledTLSProtocols=TLSv1.2,TLSv1.3).",
    .default_severity = DBTLS_SEV_HIGH,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_versions,
};

static void cf_secure_transport(const struct dbtls_check *self, const struct dbtls_audit_file *f,
				const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char where[800], ev[1200];

	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];

		if (!cf_key(s, "require_secure_transport") || !cf_server_group(f, s) ||
		    !cf_false(s->value))
			continue;
		cf_where(f, s, where, sizeof(where));
		snprintf(ev, sizeof(ev), "%s = %s", where, s->value);
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "The server accepts plaintext connections (%s)", where);
	}
}

static const struct dbtls_check chk_secure_transport = {
    .id = "server.secure-transport-off",
    .title = "Server option file sets require_secure_transport OFF",
    .description = "A MySQL/MariaDB server group sets require_secure_transport to OFF: the "
		   "server accepts TCP logins without TLS.",
    .fix = "Set require_secure_transport = ON in [mysqld] (and SET PERSIST it on a running "
	   "server).",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_secure_transport,
};

static void cf_ssl_disabled(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char where[800], ev[1200];

	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];
		bool hit = false;

		if (cf_server_group(f, s))
			hit = cf_key(s, "skip_ssl") || cf_key(s, "disable_ssl") ||
			      ((cf_key(s, "ssl") || cf_key(s, "have_ssl")) && cf_false(s->value));
		else if (f->kind == DBTLS_AUDIT_PG_CONF)
			hit = cf_key(s, "ssl") && cf_false(s->value);
		else if (f->kind == DBTLS_AUDIT_OPENFIRE_XML ||
			 f->kind == DBTLS_AUDIT_OPENFIRE_PROPERTIES)
			hit = cf_key(s, "xmpp.socket.ssl.active") && cf_false(s->value);
		if (!hit)
			continue;
		cf_where(f, s, where, sizeof(where));
		snprintf(ev, sizeof(ev), "%s = %s", where, s->value ? s->value : "");
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "The server's TLS is switched off (%s)", where);
	}
}

static const struct dbtls_check chk_ssl_disabled = {
    .id = "server.ssl-disabled",
    .title = "Server configuration switches TLS off",
    .description = "skip-ssl / ssl=0 in a MySQL/MariaDB server group, ssl = off in "
		   "postgresql.conf, or xmpp.socket.ssl.active=false: the server offers no TLS "
		   "at all.",
    .fix = "Remove skip-ssl (MySQL/MariaDB), set ssl = on with ssl_cert_file/ssl_key_file "
	   "(PostgreSQL), and restart.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_ssl_disabled,
};

static void cf_hba(const struct dbtls_check *self, const struct dbtls_audit_file *f,
		   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char where[800], ev[1200];

	if (f->kind != DBTLS_AUDIT_PG_HBA)
		return;
	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];
		const char *v = s->value ? s->value : "", *last = strrchr(v, ' ');

		if (!s->name || (strcmp(s->name, "host") && strcmp(s->name, "hostnossl")))
			continue;
		if (last && !strcmp(last + 1, "reject"))
			continue;
		cf_where(f, s, where, sizeof(where));
		snprintf(ev, sizeof(ev), "%s:%u: %s", f->path, s->line, v);
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "pg_hba.conf line %u accepts connections without TLS", s->line);
	}
}

static const struct dbtls_check chk_hba = {
    .id = "pg.hba-no-ssl",
    .title = "pg_hba.conf accepts TCP connections without TLS",
    .description = "A `host` (or `hostnossl`) line that does not reject: clients matching it "
		   "may log in over plaintext TCP, passwords included.",
    .fix = "Use hostssl instead of host (and hostnossl ... reject before it), then SELECT "
	   "pg_reload_conf().",
    .default_severity = DBTLS_SEV_HIGH,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_hba,
};

static void cf_revocation(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char where[800], ev[1200];

	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];
		static const char suffix[] = "revocation.soft-fail";
		size_t n = s->key ? strlen(s->key) : 0, ns = sizeof(suffix) - 1;

		if (n < ns || strcasecmp(s->key + n - ns, suffix) || !cf_true(s->value) ||
		    strncasecmp(s->key, "xmpp.", 5))
			continue;
		cf_where(f, s, where, sizeof(where));
		snprintf(ev, sizeof(ev), "%s = %s", where, s->value);
		dbtls_findings_add(out, self, ctx,
				   ctx->policy->params.revocation_soft_fail ? DBTLS_SEV_INFO : -1,
				   ev, self->fix,
				   "Openfire accepts certificates whose revocation status is "
				   "unknown (%s)",
				   where);
	}
}

static const struct dbtls_check chk_revocation = {
    .id = "openfire.revocation-soft-fail",
    .title = "Openfire revocation checking soft-fails",
    .description = "xmpp.socket.ssl.certificate.revocation.soft-fail=true: a certificate whose "
		   "OCSP/CRL status cannot be had is accepted, where the profile wants hard-fail "
		   "(a note only under --revocation soft-fail).",
    .fix = "Set xmpp.socket.ssl.certificate.revocation.soft-fail=false (Admin console, System "
	   "Properties) and make sure the responders are reachable.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_revocation,
};

static void cf_password(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char where[800];

	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];

		if (!s->secret)
			continue;
		cf_where(f, s, where, sizeof(where));
		dbtls_findings_add(out, self, ctx, -1, where, self->fix,
				   "A password is written in plain text in %s", where);
	}
}

static const struct dbtls_check chk_password = {
    .id = "config.password-plaintext",
    .title = "Password in plain text in a configuration file",
    .description = "A password (a login's, or a key or trust store's) is written in a "
		   "configuration file; the evidence names FILE:LINE and the setting, never "
		   "the value.",
    .fix = "Move the password to a secret store or a file only the service account can read "
	   "(chmod 600; mysql_config_editor for MySQL clients), and change it if others could "
	   "read this one.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = cf_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = cf_password,
};

const struct dbtls_check *const dbtls_checks_config[] = {
    &chk_password,     &chk_no_verify, &chk_fallback,	&chk_versions, &chk_secure_transport,
    &chk_ssl_disabled, &chk_hba,       &chk_revocation, NULL,
};
