/* SPDX-License-Identifier: MIT */
/*
 * check_files.c — checks over an audited file's keys and certificates (dbtls audit): who may read
 * a private key, whether a yaSSL/wolfSSL server can load it, whether a server can start with it,
 * its size; and the certificates in PEM/DER/PKCS#7 files and in key and trust stores (expiry, key
 * size, signature hash, with the thresholds of the profile); plus audit.file-error, which says a
 * file could not be read so that it never passes unseen.
 */
#include "checks/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const fl_key_refs[] = {"CIS Oracle MySQL 8.0 Benchmark §4 (file permissions)",
					  "NIST SP 800-57 Part 1 §6.1", NULL};
static const char *const fl_cert_refs[] = {"RFC 5280 §4.1.2.5", "NIST SP 800-52r2 §3.5", NULL};

/* Service groups that a database server reads its key as (group-read is what it needs). */
static bool fl_service_group(const char *g)
{
	static const char *const groups[] = {"mysql", "postgres", "ssl-cert", "mariadb", NULL};

	for (size_t i = 0; g && groups[i]; i++)
		if (!strcmp(g, groups[i]))
			return true;
	return false;
}

static bool fl_has_private_key(const struct dbtls_audit_file *f, bool unencrypted_only)
{
	for (size_t i = 0; i < f->nkeys; i++)
		if (!unencrypted_only || !f->keys[i].encrypted)
			return true;
	return false;
}

/* The setting that named f is a server's key setting: one word of referenced_by ("FILE:LINE
 * ssl-key" from an option file, "ENDPOINT ssl_key (version_ssl_library …)" from a scan) is
 * ssl_key, ssl-key or ssl_key_file. */
static bool fl_server_key_ref(const struct dbtls_audit_file *f)
{
	static const char *const names[] = {"ssl_key",	     "ssl-key",	      "ssl_key_file",
					    "loose-ssl-key", "loose_ssl_key", NULL};
	const char *r = f->referenced_by;

	while (r && *r) {
		size_t n = strcspn(r, " ");

		for (size_t i = 0; names[i]; i++)
			if (strlen(names[i]) == n && !strncasecmp(r, names[i], n))
				return true;
		r += n;
		r += strspn(r, " ");
	}
	return false;
}

static void fl_key_permissions(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			       const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	uint32_t m = f->mode & 0777;
	bool other = m & 0007, group = m & 0070, svc = fl_service_group(f->group);
	char ev[1024], fix[1024];

	if (!fl_has_private_key(f, true) || (!other && (!group || (svc && !(m & 0020)))))
		return;
	snprintf(ev, sizeof(ev), "%s: unencrypted private key, mode %04o, owner %s, group %s%s",
		 f->path, f->mode, f->owner ? f->owner : "?", f->group ? f->group : "?",
		 other ? "; readable by every local user" : "; readable by its group");
	snprintf(fix, sizeof(fix),
		 "chmod 600 %s (or 640 with the database's service group, e.g. chgrp mysql / "
		 "postgres / ssl-cert); then rotate the key if others could read it",
		 f->path);
	dbtls_findings_add(out, self, ctx, -1, ev, fix, "Private key %s is readable by %s", f->path,
			   other ? "other users" : "its group");
}

static const struct dbtls_check chk_key_permissions = {
    .id = "file.key-permissions",
    .title = "Private key readable by group or other users",
    .description = "An unencrypted private key whose file mode lets its group (unless that "
		   "is the database's service group: mysql, postgres, ssl-cert) or any local "
		   "user read it: whoever reads it can impersonate the server.",
    .fix = "chmod 600 the key (640 with the service group as group); rotate it if it leaked.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = fl_key_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_key_permissions,
};

static void fl_key_not_pkcs1(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char ev[1024], fix[1024];

	for (size_t i = 0; i < f->nkeys; i++) {
		const struct dbtls_audit_key *k = &f->keys[i];
		bool yassl = f->referenced_by && strcasestr(f->referenced_by, "yassl");

		yassl |= f->referenced_by && strcasestr(f->referenced_by, "wolfssl");
		if (k->format != DBTLS_KEYFMT_PKCS8 && k->format != DBTLS_KEYFMT_PKCS8_ENCRYPTED)
			continue;
		if (k->type && strcmp(k->type, "RSA"))
			continue;
		if (!fl_server_key_ref(f))
			continue;
		snprintf(fix, sizeof(fix),
			 "openssl rsa -in %s -traditional -out %s.pkcs1 (a PKCS#1 'BEGIN RSA "
			 "PRIVATE KEY' file), then point ssl_key at it",
			 f->path, f->path);
		if (yassl) {
			snprintf(ev, sizeof(ev),
				 "%s:%u: %s key (%s), named by %s; the server's TLS library is "
				 "yaSSL/wolfSSL, which loads only PKCS#1",
				 f->path, k->line, dbtls_key_format_name(k->format),
				 k->pem_label ? k->pem_label : "DER", f->referenced_by);
			dbtls_findings_add(out, self, ctx, -1, ev, fix,
					   "Server key %s is PKCS#8; a yaSSL/wolfSSL server "
					   "cannot load it",
					   f->path);
		} else if (strstr(f->referenced_by, "(version_ssl_library ")) {
			/* a scan said which library the server uses, and it reads PKCS#8 */
			snprintf(
			    ev, sizeof(ev),
			    "%s:%u: %s key (%s), named by %s, which reads PKCS#8; a yaSSL/wolfSSL "
			    "build of the server would refuse it",
			    f->path, k->line, dbtls_key_format_name(k->format),
			    k->pem_label ? k->pem_label : "DER", f->referenced_by);
			dbtls_findings_add(out, self, ctx, DBTLS_SEV_INFO, ev, fix,
					   "Server key %s is PKCS#8: fine for this server's TLS "
					   "library, not for a yaSSL/wolfSSL build",
					   f->path);
		} else {
			snprintf(ev, sizeof(ev),
				 "%s:%u: %s key (%s), named by %s; whether the server's TLS "
				 "library is yaSSL/wolfSSL is not known from the files: check "
				 "SHOW GLOBAL VARIABLES LIKE 'version_ssl_library' (or scan with "
				 "--sql --audit-server-files)",
				 f->path, k->line, dbtls_key_format_name(k->format),
				 k->pem_label ? k->pem_label : "DER",
				 f->referenced_by ? f->referenced_by : "a server setting");
			dbtls_findings_add(out, self, ctx, DBTLS_SEV_INFO, ev, fix,
					   "Server key %s is PKCS#8: a yaSSL/wolfSSL build would "
					   "refuse it",
					   f->path);
		}
	}
}

static const struct dbtls_check chk_key_not_pkcs1 = {
    .id = "file.key-not-pkcs1",
    .title = "Server key is not PKCS#1 (yaSSL/wolfSSL refuse it)",
    .description = "yaSSL and wolfSSL builds of MySQL and MariaDB load only PKCS#1 RSA keys "
		   "('BEGIN RSA PRIVATE KEY'); a PKCS#8 key ('BEGIN PRIVATE KEY', what OpenSSL "
		   "3 writes by default) leaves TLS off after a restart. A finding when the "
		   "server's version_ssl_library says yaSSL/wolfSSL; a note otherwise.",
    .fix = "Convert the key: openssl rsa -in KEY -traditional -out KEY.pkcs1.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = fl_key_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_key_not_pkcs1,
};

static void fl_key_encrypted_server(const struct dbtls_check *self,
				    const struct dbtls_audit_file *f,
				    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char ev[1024];

	if (!fl_server_key_ref(f))
		return;
	for (size_t i = 0; i < f->nkeys; i++) {
		if (!f->keys[i].encrypted)
			continue;
		snprintf(ev, sizeof(ev), "%s:%u: %s key, named by %s", f->path, f->keys[i].line,
			 dbtls_key_format_name(f->keys[i].format), f->referenced_by);
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "Server key %s is encrypted: the server cannot start TLS "
				   "without a passphrase prompt",
				   f->path);
	}
}

static const struct dbtls_check chk_key_encrypted_server = {
    .id = "file.key-encrypted-server",
    .title = "A server's key file is encrypted",
    .description = "MySQL and MariaDB cannot ask for a key passphrase (PostgreSQL only with "
		   "ssl_passphrase_command): a server whose ssl_key names an encrypted key runs "
		   "without TLS or does not start.",
    .fix = "Decrypt the key into a file only the service account can read (chmod 600), or "
	   "configure ssl_passphrase_command on PostgreSQL.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = fl_key_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_key_encrypted_server,
};

/* Why a key of type/bits is weak under the profile, or NULL. */
static const char *fl_weak(const struct dbtls_policy_params *p, const char *type, int bits,
			   char *buf, size_t len)
{
	if (!type || bits <= 0)
		return NULL;
	if (!strcmp(type, "RSA") && p->min_rsa_bits > 0 && bits < p->min_rsa_bits)
		snprintf(buf, len, "RSA %d bits, below the profile's %d", bits, p->min_rsa_bits);
	else if (!strcmp(type, "EC") && p->min_ecc_bits > 0 && bits < p->min_ecc_bits)
		snprintf(buf, len, "EC %d bits, below the profile's %d", bits, p->min_ecc_bits);
	else if (!strcmp(type, "DSA") && !p->dsa_allowed)
		snprintf(buf, len, "DSA %d bits: the profile allows no DSA keys", bits);
	else if (!strcmp(type, "DSA") && p->min_rsa_bits > 0 && bits < p->min_rsa_bits)
		snprintf(buf, len, "DSA %d bits, below the profile's %d", bits, p->min_rsa_bits);
	else
		return NULL;
	return buf;
}

static void fl_key_weak(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char why[200], ev[1024];

	for (size_t i = 0; i < f->nkeys; i++) {
		const struct dbtls_audit_key *k = &f->keys[i];

		if (!fl_weak(&ctx->policy->params, k->type, k->bits, why, sizeof(why)))
			continue;
		snprintf(ev, sizeof(ev), "%s:%u: %s", f->path, k->line, why);
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix, "Weak private key in %s: %s",
				   f->path, why);
	}
}

static const struct dbtls_check chk_key_weak = {
    .id = "file.key-weak",
    .title = "Private key below the profile's minimum size",
    .description = "A private key in a file is smaller than the profile allows (RSA/DSA "
		   "min_rsa_bits, EC min_ecc_bits; DSA when the profile forbids it).",
    .fix = "Generate a new key (RSA 3072 or EC P-256) and re-issue its certificate.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = fl_key_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_key_weak,
};

/* Calls fn on every certificate of f (its own, then its store's entries), with a label. */
static void fl_each_cert(const struct dbtls_audit_file *f,
			 void (*fn)(const struct dbtls_check *, const struct dbtls_audit_file *,
				    const struct dbtls_audit_cert *, const char *,
				    const struct dbtls_check_ctx *, struct dbtls_findings *),
			 const struct dbtls_check *self, const struct dbtls_check_ctx *ctx,
			 struct dbtls_findings *out)
{
	char where[700];

	for (size_t i = 0; i < f->ncerts; i++) {
		snprintf(where, sizeof(where), "%s:%u", f->path, f->certs[i].line);
		fn(self, f, &f->certs[i], where, ctx, out);
	}
	for (size_t e = 0; f->store && e < f->store->nentries; e++) {
		const struct dbtls_audit_store_entry *en = &f->store->entries[e];

		for (size_t i = 0; i < en->ncerts; i++) {
			snprintf(where, sizeof(where), "%s alias %s%s", f->path,
				 en->alias ? en->alias : "?", i ? " (chain)" : "");
			fn(self, f, &en->certs[i], where, ctx, out);
		}
	}
}

static const char *fl_or(const char *s)
{
	return s ? s : "?";
}

static void fl_cert_expiry1(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			    const struct dbtls_audit_cert *c, const char *where,
			    const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_policy_params *p = &ctx->policy->params;
	long days = dbtls_days_between(ctx->now, c->cert.not_after_t);
	char ev[1400];
	int sev;

	(void)f;
	if (!c->cert.not_after_t || p->cert_warn_days <= 0 ||
	    c->cert.not_after_t - ctx->now >= (time_t)p->cert_warn_days * 86400)
		return;
	sev = c->cert.not_after_t < ctx->now ? DBTLS_SEV_CRITICAL
	      : (p->cert_crit_days > 0 &&
		 c->cert.not_after_t - ctx->now < (time_t)p->cert_crit_days * 86400)
		  ? DBTLS_SEV_CRITICAL
		  : -1;
	snprintf(ev, sizeof(ev), "%s: %s, not after %s (%ld days), SHA-256 %s", where,
		 fl_or(c->cert.subject), fl_or(c->cert.not_after), days, c->sha256_colon);
	if (c->cert.not_after_t < ctx->now)
		dbtls_findings_add(out, self, ctx, sev, ev, self->fix,
				   "Certificate %s in %s has expired", fl_or(c->cert.subject),
				   where);
	else
		dbtls_findings_add(out, self, ctx, sev, ev, self->fix,
				   "Certificate %s in %s expires in %ld days",
				   fl_or(c->cert.subject), where, days);
}

static void fl_cert_expiry(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	fl_each_cert(f, fl_cert_expiry1, self, ctx, out);
}

static const struct dbtls_check chk_cert_expiry = {
    .id = "file.cert-expiring",
    .title = "A certificate in a file or store has expired or expires soon",
    .description = "A certificate in a PEM/DER/PKCS#7 file or in a key or trust store expires "
		   "within the profile's warning period (critical within the critical period "
		   "and once expired). An expired CA in a trust store breaks every client that "
		   "relies on it.",
    .fix = "Renew the certificate (or import the CA's successor) and remove the old one.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = fl_cert_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_cert_expiry,
};

static void fl_cert_key1(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			 const struct dbtls_audit_cert *c, const char *where,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char why[200], ev[1400];

	(void)f;
	if (!fl_weak(&ctx->policy->params, c->cert.key_type, c->cert.key_bits, why, sizeof(why)))
		return;
	snprintf(ev, sizeof(ev), "%s: %s: %s", where, fl_or(c->cert.subject), why);
	dbtls_findings_add(out, self, ctx, -1, ev, self->fix, "Weak key in certificate %s (%s)",
			   fl_or(c->cert.subject), where);
}

static void fl_cert_key(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	fl_each_cert(f, fl_cert_key1, self, ctx, out);
}

static const struct dbtls_check chk_cert_key = {
    .id = "file.cert-key-weak",
    .title = "A certificate in a file or store has a weak key",
    .description = "A certificate's public key is below the profile's minimum (or DSA where "
		   "the profile forbids it), as cert.key-weak judges served certificates; an "
		   "Openfire keystore's default DSA entry is one.",
    .fix = "Re-issue the certificate with an RSA 3072 or EC P-256 key; delete the old entry "
	   "(keytool -delete -alias ALIAS).",
    .default_severity = DBTLS_SEV_HIGH,
    .references = fl_cert_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_cert_key,
};

static void fl_cert_sig1(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			 const struct dbtls_audit_cert *c, const char *where,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	uint32_t bad = ctx->policy->params.forbidden_sig_hashes;
	const char *sa = c->cert.sig_alg;
	char ev[1400];
	bool hit;

	(void)f;
	if (!sa || c->cert.self_signed) /* a root's own signature is not checked by anyone */
		return;
	hit =
	    ((bad & DBTLS_HASH_MD5) && strcasestr(sa, "md5")) ||
	    ((bad & DBTLS_HASH_SHA1) && (strcasestr(sa, "sha1") || !strcasecmp(sa, "dsaWithSHA1") ||
					 strcasestr(sa, "shaWith"))) ||
	    ((bad & DBTLS_HASH_SHA224) && strcasestr(sa, "sha224"));
	if (!hit)
		return;
	snprintf(ev, sizeof(ev), "%s: %s: signed with %s", where, fl_or(c->cert.subject), sa);
	dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
			   "Certificate %s (%s) is signed with %s", fl_or(c->cert.subject), where,
			   sa);
}

static void fl_cert_sig(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	fl_each_cert(f, fl_cert_sig1, self, ctx, out);
}

static const struct dbtls_check chk_cert_sig = {
    .id = "file.cert-signature-hash",
    .title = "A certificate in a file or store is signed with a forbidden hash",
    .description = "A certificate that is not self-signed carries a signature with a hash the "
		   "profile forbids (MD5, SHA-1, SHA-224).",
    .fix = "Re-issue the certificate signed with SHA-256 or better.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = fl_cert_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_cert_sig,
};

static void fl_file_error(const struct dbtls_check *self, const struct dbtls_audit_file *f,
			  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	for (size_t i = 0; i < f->nerrors; i++)
		dbtls_findings_add(out, self, ctx, -1, f->errors[i].msg ? f->errors[i].msg : "?",
				   self->fix, "%s could not be audited completely", f->path);
}

static const struct dbtls_check chk_file_error = {
    .id = "audit.file-error",
    .title = "A file could not be read or parsed",
    .description = "The file could not be read, or its content does not parse (a truncated "
		   "store, a corrupt PEM block, broken YAML): what it holds was not judged.",
    .fix = "Fix or replace the file (the evidence names it and the line), or give the audit "
	   "read access; then audit it again.",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = fl_key_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = fl_file_error,
};

const struct dbtls_check *const dbtls_checks_files[] = {
    &chk_key_permissions, &chk_key_not_pkcs1, &chk_key_encrypted_server,
    &chk_key_weak,	  &chk_cert_expiry,   &chk_cert_key,
    &chk_cert_sig,	  &chk_file_error,    NULL,
};
