/* SPDX-License-Identifier: MIT */
/*
 * test_audit_checks.c — unit rows for the checks of files (dbtls audit: checks/check_files.c,
 * check_stores.c, check_config.c), in the style of test_checks.c: every row starts from one
 * hand-built, compliant file (a PKCS#1 RSA-3072 key, mode 0600, with a valid certificate), applies
 * a change, runs every file check with a baseline policy and counts the findings of one id. Every
 * check of kind DBTLS_SUBJECT_FILE has a passing and a failing row (test_rows_cover_files). A
 * further test makes sure no finding carries a password.
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

#define NOW	 ((time_t)1790000000) /* 2026-09-21T14:13:20Z */
#define DAY	 86400
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char *t_strdup(const char *s)
{
	char *p = s ? strdup(s) : NULL;

	assert_true(!s || p);
	return p;
}

static void t_cert(struct dbtls_audit_cert *c, const char *subject, const char *key_type, int bits,
		   const char *sig, time_t na)
{
	memset(c, 0, sizeof(*c));
	c->cert.subject = t_strdup(subject);
	c->cert.issuer = t_strdup("CN=Test CA");
	c->cert.key_type = t_strdup(key_type);
	c->cert.key_bits = bits;
	c->cert.sig_alg = t_strdup(sig);
	c->cert.not_before_t = NOW - 10 * DAY;
	c->cert.not_after_t = na;
	c->cert.not_after = t_strdup("2027-09-21T14:13:20Z");
	snprintf(c->sha256_colon, sizeof(c->sha256_colon), "AB:CD");
	c->line = 30;
}

/* A compliant key file: PKCS#1 RSA-3072, 0600 mysql:mysql, and its certificate for a year. */
static void t_good(struct dbtls_audit_file *f)
{
	memset(f, 0, sizeof(*f));
	f->path = t_strdup("/etc/mysql/server.pem");
	f->kind = DBTLS_AUDIT_PEM_BUNDLE;
	f->mode = 0600;
	f->owner = t_strdup("mysql");
	f->group = t_strdup("mysql");
	f->keys = calloc(1, sizeof(*f->keys));
	assert_non_null(f->keys);
	f->nkeys = 1;
	f->keys[0] =
	    (struct dbtls_audit_key){.format = DBTLS_KEYFMT_PKCS1, .bits = 3072, .line = 1};
	f->keys[0].type = t_strdup("RSA");
	f->keys[0].pem_label = t_strdup("RSA PRIVATE KEY");
	f->certs = calloc(1, sizeof(*f->certs));
	assert_non_null(f->certs);
	f->ncerts = 1;
	t_cert(&f->certs[0], "CN=db1", "RSA", 3072, "sha256WithRSAEncryption", NOW + 365 * DAY);
}

static void t_set(struct dbtls_audit_file *f, enum dbtls_audit_kind kind, const char *name,
		  const char *key, const char *value, const char *group, bool secret)
{
	f->kind = kind;
	assert_int_equal(dbtls_audit_add_setting(f, name, key, value, group, NULL,
						 (unsigned)f->nsettings + 1, secret),
			 DBTLS_OK);
}

static struct dbtls_audit_store *t_store(struct dbtls_audit_file *f, const char *type)
{
	f->store = calloc(1, sizeof(*f->store));
	assert_non_null(f->store);
	f->store->type = t_strdup(type);
	f->store->pw_source = DBTLS_STOREPW_ENV;
	f->store->integrity_ok = true;
	f->store->entries = calloc(1, sizeof(*f->store->entries));
	assert_non_null(f->store->entries);
	f->store->nentries = 1;
	f->store->entries[0].alias = t_strdup("rds-ca");
	f->store->entries[0].type = DBTLS_STORE_TRUSTED_CERT;
	f->store->entries[0].certs = calloc(1, sizeof(struct dbtls_audit_cert));
	assert_non_null(f->store->entries[0].certs);
	f->store->entries[0].ncerts = 1;
	t_cert(&f->store->entries[0].certs[0], "CN=RDS Root", "RSA", 2048,
	       "sha256WithRSAEncryption", NOW + 900 * DAY);
	snprintf(f->store->entries[0].certs[0].sha256_colon,
		 sizeof(f->store->entries[0].certs[0].sha256_colon), "AA:BB:CC");
	return f->store;
}

/* ---- changes ---- */
static void fx_world(struct dbtls_audit_file *f)
{
	f->mode = 0644;
}
static void fx_group_svc(struct dbtls_audit_file *f)
{
	f->mode = 0640;
}
static void fx_group_other(struct dbtls_audit_file *f)
{
	f->mode = 0640;
	free(f->group);
	f->group = t_strdup("staff");
}
static void fx_world_encrypted(struct dbtls_audit_file *f)
{
	f->mode = 0644;
	f->keys[0].encrypted = true;
	f->keys[0].format = DBTLS_KEYFMT_PKCS8_ENCRYPTED;
}
static void fx_pkcs8_server(struct dbtls_audit_file *f)
{
	f->keys[0].format = DBTLS_KEYFMT_PKCS8;
	f->referenced_by = t_strdup("/etc/mysql/my.cnf:4 ssl-key");
}
static void fx_pkcs8_yassl(struct dbtls_audit_file *f)
{
	fx_pkcs8_server(f);
	free(f->referenced_by);
	f->referenced_by = t_strdup("mysql://db1:3306 ssl_key (version_ssl_library YaSSL 2.4.4)");
}
static void fx_pkcs8_openssl(struct dbtls_audit_file *f)
{
	fx_pkcs8_server(f);
	free(f->referenced_by);
	f->referenced_by =
	    t_strdup("mysql://db1:3306 ssl_key (version_ssl_library OpenSSL 3.0.15 3 Sep 2024)");
}
static void fx_pkcs8_unreferenced(struct dbtls_audit_file *f)
{
	f->keys[0].format = DBTLS_KEYFMT_PKCS8;
}
static void fx_pkcs1_server(struct dbtls_audit_file *f)
{
	f->referenced_by = t_strdup("/etc/mysql/my.cnf:4 ssl-key");
}
static void fx_encrypted_server(struct dbtls_audit_file *f)
{
	fx_pkcs8_server(f);
	f->keys[0].format = DBTLS_KEYFMT_PKCS8_ENCRYPTED;
	f->keys[0].encrypted = true;
}
static void fx_rsa1024(struct dbtls_audit_file *f)
{
	f->keys[0].bits = 1024;
}
static void fx_expired(struct dbtls_audit_file *f)
{
	f->certs[0].cert.not_after_t = NOW - DAY;
}
static void fx_expiring(struct dbtls_audit_file *f)
{
	f->certs[0].cert.not_after_t = NOW + 20 * DAY;
}
static void fx_store_dsa(struct dbtls_audit_file *f)
{
	struct dbtls_audit_cert *c = &t_store(f, "JKS")->entries[0].certs[0];
	free(c->cert.key_type);
	c->cert.key_type = t_strdup("DSA");
}
static void fx_sha1(struct dbtls_audit_file *f)
{
	free(f->certs[0].cert.sig_alg);
	f->certs[0].cert.sig_alg = t_strdup("sha1WithRSAEncryption");
}
static void fx_error(struct dbtls_audit_file *f)
{
	assert_int_equal(dbtls_audit_add_error(f, DBTLS_ERR_INPUT, "%s:3: YAML: bad", f->path),
			 DBTLS_OK);
}
static void fx_store_env(struct dbtls_audit_file *f)
{
	t_store(f, "JKS");
}
static void fx_store_changeit(struct dbtls_audit_file *f)
{
	struct dbtls_audit_store *s = t_store(f, "JKS");
	s->pw_source = DBTLS_STOREPW_DEFAULT;
	s->pw_well_known = true;
}
static void fx_store_legacy(struct dbtls_audit_file *f)
{
	t_store(f, "PKCS12")->legacy_crypto = true;
}
static void fx_store_unopened(struct dbtls_audit_file *f)
{
	struct dbtls_audit_store *s = t_store(f, "JKS");
	s->pw_source = DBTLS_STOREPW_NOT_OPENED;
	dbtls_audit_store_free(s);
	s->type = t_strdup("JKS");
}
static void fx_pw(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "password", "password", "hunter2-secret", "client",
	      true);
}
static void fx_user(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "user", "user", "app", "client", false);
}
static void fx_preferred(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "ssl-mode", "ssl_mode", "PREFERRED", "client", false);
}
static void fx_required(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "ssl-mode", "ssl_mode", "REQUIRED", "client", false);
}
static void fx_verify_identity(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "ssl-mode", "ssl_mode", "VERIFY_IDENTITY", "client",
	      false);
}
static void fx_ox_bad(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_YAML, "useSSL", "usessl", "true", "db.readProperties", false);
	t_set(f, DBTLS_AUDIT_YAML, "requireSSL", "requiressl", "false", "db.readProperties", false);
	t_set(f, DBTLS_AUDIT_YAML, "verifyServerCertificate", "verifyservercertificate", "false",
	      "db.readProperties", false);
}
static void fx_ox_good(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_YAML, "useSSL", "usessl", "true", "db.readProperties", false);
	t_set(f, DBTLS_AUDIT_YAML, "requireSSL", "requiressl", "true", "db.readProperties", false);
	t_set(f, DBTLS_AUDIT_YAML, "verifyServerCertificate", "verifyservercertificate", "true",
	      "db.readProperties", false);
}
static void fx_tls11(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "tls_version", "tls_version", "TLSv1.1,TLSv1.2",
	      "mysqld", false);
}
static void fx_tls12(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "tls_version", "tls_version", "TLSv1.2,TLSv1.3",
	      "mysqld", false);
}
static void fx_rst_off(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "require-secure-transport", "require_secure_transport",
	      "OFF", "mysqld", false);
}
static void fx_rst_on(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "require-secure-transport", "require_secure_transport",
	      "ON", "mysqld", false);
}
static void fx_skip_ssl(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_MYSQL_OPTFILE, "skip-ssl", "skip_ssl", "", "mysqld", false);
}
static void fx_pg_ssl_off(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_PG_CONF, "ssl", "ssl", "off", NULL, false);
}
static void fx_pg_ssl_on(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_PG_CONF, "ssl", "ssl", "on", NULL, false);
}
static void fx_hba_host(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_PG_HBA, "host", "hba", "host all all 0.0.0.0/0 scram-sha-256", "host",
	      false);
}
static void fx_hba_hostssl(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_PG_HBA, "hostssl", "hba", "hostssl all all 0.0.0.0/0 scram-sha-256",
	      "hostssl", false);
	t_set(f, DBTLS_AUDIT_PG_HBA, "host", "hba", "host all all 0.0.0.0/0 reject", "host", false);
}
static void fx_of_soft(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_OPENFIRE_PROPERTIES,
	      "xmpp.socket.ssl.certificate.revocation.soft-fail",
	      "xmpp.socket.ssl.certificate.revocation.soft-fail", "true", NULL, false);
}
static void fx_of_hard(struct dbtls_audit_file *f)
{
	t_set(f, DBTLS_AUDIT_OPENFIRE_PROPERTIES,
	      "xmpp.socket.ssl.certificate.revocation.soft-fail",
	      "xmpp.socket.ssl.certificate.revocation.soft-fail", "false", NULL, false);
}

static const char *const new_ca[] = {"aabbcc"};
static const char *const other_ca[] = {"ddeeff"};
static void px_new_ca_present(struct dbtls_policy *p)
{
	p->params.new_ca_sha256 = new_ca;
	p->params.nnew_ca_sha256 = 1;
}
static void px_new_ca_absent(struct dbtls_policy *p)
{
	p->params.new_ca_sha256 = other_ca;
	p->params.nnew_ca_sha256 = 1;
}

struct row {
	const char *name;
	void (*facts)(struct dbtls_audit_file *f);
	void (*params)(struct dbtls_policy *p);
	const char *id;
	size_t n;
	int severity; /* of the first; -1: the check's default */
	const char *substr;
};

static const struct row rows[] = {
    {"0600 key", NULL, NULL, "file.key-permissions", 0, -1, NULL},
    {"0640 mysql group", fx_group_svc, NULL, "file.key-permissions", 0, -1, NULL},
    {"world-readable encrypted key", fx_world_encrypted, NULL, "file.key-permissions", 0, -1, NULL},
    {"world-readable key", fx_world, NULL, "file.key-permissions", 1, -1, "mode 0644"},
    {"0640 staff group", fx_group_other, NULL, "file.key-permissions", 1, -1, "group staff"},
    {"PKCS#1 server key", fx_pkcs1_server, NULL, "file.key-not-pkcs1", 0, -1, NULL},
    {"PKCS#8 not named by a server", fx_pkcs8_unreferenced, NULL, "file.key-not-pkcs1", 0, -1,
     NULL},
    {"PKCS#8 server key, library unknown", fx_pkcs8_server, NULL, "file.key-not-pkcs1", 1,
     DBTLS_SEV_INFO, "version_ssl_library"},
    {"PKCS#8 key of an OpenSSL server", fx_pkcs8_openssl, NULL, "file.key-not-pkcs1", 1,
     DBTLS_SEV_INFO, "which reads PKCS#8"},
    {"PKCS#8 key of a yaSSL server", fx_pkcs8_yassl, NULL, "file.key-not-pkcs1", 1, -1,
     "yaSSL/wolfSSL"},
    {"plain server key", fx_pkcs1_server, NULL, "file.key-encrypted-server", 0, -1, NULL},
    {"encrypted server key", fx_encrypted_server, NULL, "file.key-encrypted-server", 1, -1,
     "named by /etc/mysql/my.cnf:4 ssl-key"},
    {"RSA 3072 key", NULL, NULL, "file.key-weak", 0, -1, NULL},
    {"RSA 1024 key", fx_rsa1024, NULL, "file.key-weak", 1, -1, "RSA 1024 bits"},
    {"certificate for a year", NULL, NULL, "file.cert-expiring", 0, -1, NULL},
    {"certificate for 20 days", fx_expiring, NULL, "file.cert-expiring", 1, -1,
     "expires in 20 days"},
    {"expired certificate", fx_expired, NULL, "file.cert-expiring", 1, DBTLS_SEV_CRITICAL,
     "has expired"},
    {"RSA certificate", NULL, NULL, "file.cert-key-weak", 0, -1, NULL},
    {"DSA entry in a store", fx_store_dsa, NULL, "file.cert-key-weak", 1, -1, "alias rds-ca"},
    {"SHA-256 signature", NULL, NULL, "file.cert-signature-hash", 0, -1, NULL},
    {"SHA-1 signature", fx_sha1, NULL, "file.cert-signature-hash", 1, -1, "sha1WithRSA"},
    {"readable file", NULL, NULL, "audit.file-error", 0, -1, NULL},
    {"broken YAML", fx_error, NULL, "audit.file-error", 1, -1, ":3: YAML: bad"},
    {"store under a strong password", fx_store_env, NULL, "store.default-password", 0, -1, NULL},
    {"store under changeit", fx_store_changeit, NULL, "store.default-password", 1, -1,
     "opens with a well-known default password (source: default)"},
    {"modern PKCS#12", fx_store_env, NULL, "store.legacy-crypto", 0, -1, NULL},
    {"legacy PKCS#12", fx_store_legacy, NULL, "store.legacy-crypto", 1, -1, "RC2/3DES"},
    {"no --new-ca-file", fx_store_env, NULL, "store.new-ca-missing", 0, -1, NULL},
    {"new CA in the store", fx_store_env, px_new_ca_present, "store.new-ca-missing", 0, -1, NULL},
    {"new CA not in the store", fx_store_env, px_new_ca_absent, "store.new-ca-missing", 1, -1,
     "none with the new CA's SHA-256 fingerprint ddeeff"},
    {"store not opened", fx_store_unopened, px_new_ca_absent, "store.new-ca-missing", 1, -1,
     "is not known"},
    {"no password", fx_user, NULL, "config.password-plaintext", 0, -1, NULL},
    {"password in my.cnf", fx_pw, NULL, "config.password-plaintext", 1, -1,
     "/etc/mysql/server.pem:1 [client] password"},
    {"VERIFY_IDENTITY", fx_verify_identity, NULL, "client.no-verify", 0, -1, NULL},
    {"OX verifying", fx_ox_good, NULL, "client.no-verify", 0, -1, NULL},
    {"REQUIRED", fx_required, NULL, "client.no-verify", 1, -1, "ssl-mode = REQUIRED"},
    {"OX verifyServerCertificate=false", fx_ox_bad, NULL, "client.no-verify", 1, -1,
     "verifyServerCertificate = false"},
    {"VERIFY_IDENTITY no fallback", fx_verify_identity, NULL, "client.plaintext-fallback", 0, -1,
     NULL},
    {"OX requireSSL=true", fx_ox_good, NULL, "client.plaintext-fallback", 0, -1, NULL},
    {"PREFERRED", fx_preferred, NULL, "client.plaintext-fallback", 1, -1,
     "uses TLS only when the server offers it"},
    {"OX requireSSL=false", fx_ox_bad, NULL, "client.plaintext-fallback", 1, -1,
     "useSSL without requireSSL=true"},
    {"TLSv1.2,TLSv1.3", fx_tls12, NULL, "tls.config-version-below-min", 0, -1, NULL},
    {"TLSv1.1 listed", fx_tls11, NULL, "tls.config-version-below-min", 1, -1,
     "TLSv1.1 below the profile's minimum TLSv1.2"},
    {"require_secure_transport ON", fx_rst_on, NULL, "server.secure-transport-off", 0, -1, NULL},
    {"require_secure_transport OFF", fx_rst_off, NULL, "server.secure-transport-off", 1, -1,
     "[mysqld] require-secure-transport = OFF"},
    {"ssl = on", fx_pg_ssl_on, NULL, "server.ssl-disabled", 0, -1, NULL},
    {"ssl = off", fx_pg_ssl_off, NULL, "server.ssl-disabled", 1, -1, "ssl = off"},
    {"skip-ssl", fx_skip_ssl, NULL, "server.ssl-disabled", 1, -1, "skip-ssl"},
    {"hostssl and host reject", fx_hba_hostssl, NULL, "pg.hba-no-ssl", 0, -1, NULL},
    {"host line", fx_hba_host, NULL, "pg.hba-no-ssl", 1, -1, "host all all 0.0.0.0/0"},
    {"revocation hard-fail", fx_of_hard, NULL, "openfire.revocation-soft-fail", 0, -1, NULL},
    {"revocation soft-fail", fx_of_soft, NULL, "openfire.revocation-soft-fail", 1, -1,
     "soft-fail = true"},
};

struct t_policy {
	struct dbtls_policy p;
};

static void t_policy_init(struct t_policy *tp)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	memset(tp, 0, sizeof(*tp));
	tp->p.name = "test";
	tp->p.settings = calloc(n, sizeof(*tp->p.settings));
	assert_non_null(tp->p.settings);
	tp->p.nsettings = n;
	for (size_t i = 0; i < n; i++)
		tp->p.settings[i] = (struct dbtls_check_setting){
		    .id = all[i]->id, .enabled = true, .severity = all[i]->default_severity};
	tp->p.params = (struct dbtls_policy_params){
	    .min_version = DBTLS_TLS12,
	    .min_rsa_bits = 2048,
	    .min_ecc_bits = 256,
	    .forbidden_sig_hashes = DBTLS_HASH_MD5 | DBTLS_HASH_SHA1,
	    .cert_warn_days = 30,
	    .cert_crit_days = 7,
	};
}

static bool t_run_row(const struct row *r, struct dbtls_findings *keep)
{
	const struct dbtls_check *c = dbtls_check_find(r->id);
	struct dbtls_audit_file f;
	struct dbtls_findings fs = {0};
	struct dbtls_subject sj = {.kind = DBTLS_SUBJECT_FILE};
	const struct dbtls_finding *fd = NULL;
	struct t_policy tp;
	size_t n = 0;
	bool ok = true;

	if (!c || c->subject != DBTLS_SUBJECT_FILE) {
		print_error("%s: no file check %s\n", r->name, r->id);
		return false;
	}
	t_good(&f);
	if (r->facts)
		r->facts(&f);
	t_policy_init(&tp);
	if (r->params)
		r->params(&tp.p);
	sj.facts = &f;
	sj.id = f.path;
	dbtls_checks_run_subject(&tp.p, &sj, NOW, &fs);
	for (size_t i = 0; i < fs.n; i++)
		if (!strcmp(fs.items[i].check, r->id) && !n++)
			fd = &fs.items[i];
	if (fs.oom || n != r->n) {
		print_error("%s: %s: %zu findings, want %zu\n", r->name, r->id, n, r->n);
		ok = false;
	} else if (fd && (int)fd->severity !=
			     (r->severity >= 0 ? r->severity : (int)c->default_severity)) {
		print_error("%s: severity %s\n", r->name, dbtls_severity_name(fd->severity));
		ok = false;
	} else if (fd && r->substr && !strstr(fd->title, r->substr) &&
		   !strstr(fd->evidence, r->substr)) {
		print_error("%s: '%s' not in '%s' / '%s'\n", r->name, r->substr, fd->title,
			    fd->evidence);
		ok = false;
	}
	/* no finding of any check ever carries the password */
	for (size_t i = 0; i < fs.n; i++)
		if (strstr(fs.items[i].title, "hunter2") ||
		    strstr(fs.items[i].evidence, "hunter2") ||
		    strstr(fs.items[i].remediation, "hunter2")) {
			print_error("%s: a password in a finding\n", r->name);
			ok = false;
		}
	if (keep)
		*keep = fs;
	else
		dbtls_findings_free(&fs);
	dbtls_audit_file_free(&f);
	free(tp.p.settings);
	return ok;
}

static void test_rows(void **state)
{
	size_t bad = 0;

	(void)state;
	for (size_t i = 0; i < NELEM(rows); i++)
		bad += !t_run_row(&rows[i], NULL);
	assert_int_equal(bad, 0);
}

static void test_rows_cover_files(void **state)
{
	size_t n, bad = 0, nfile = 0;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		bool pass = false, fail = false;

		if (all[i]->subject != DBTLS_SUBJECT_FILE)
			continue;
		nfile++;
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
	assert_true(nfile >= 19);
	assert_int_equal(bad, 0);
}

/* The compliant file passes every check. */
static void test_clean_file(void **state)
{
	static const struct row clean = {"clean", NULL, NULL, "file.key-permissions", 0, -1, NULL};
	struct dbtls_findings fs = {0};

	(void)state;
	assert_true(t_run_row(&clean, &fs));
	for (size_t i = 0; i < fs.n; i++)
		print_error("unexpected %s: %s\n", fs.items[i].check, fs.items[i].title);
	assert_int_equal(fs.n, 0);
	dbtls_findings_free(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_cover_files),
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_clean_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
