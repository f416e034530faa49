/* SPDX-License-Identifier: MIT */
/*
 * check_stores.c — checks over key stores and trust stores (JKS, JCEKS, PKCS#12) found by the
 * file audit: a store that opens with a well-known default password (never printed: only where
 * it came from), a PKCS#12 that needs OpenSSL's legacy provider, and the CA-rotation question per
 * trust store (is the new CA of --new-ca-file in it, by SHA-256 fingerprint?).
 */
#include "checks/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const st_refs[] = {"OWASP ASVS 4.0 §6.4 (secret management)",
				      "NIST SP 800-57 Part 1 §6.2", NULL};

static void st_default_password(const struct dbtls_check *self, const struct dbtls_audit_file *f,
				const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_audit_store *s = f->store;
	char ev[1024], fix[1024];

	if (!s || !s->pw_well_known)
		return;
	snprintf(ev, sizeof(ev),
		 "%s: %s store opens with a well-known default password (source: %s%s%s)", f->path,
		 s->type ? s->type : "?", dbtls_store_pw_source_name(s->pw_source),
		 s->pw_ref ? ", " : "", s->pw_ref ? s->pw_ref : "");
	snprintf(fix, sizeof(fix),
		 "keytool -storepasswd -keystore %s (and -keypasswd for each key entry); put the "
		 "new password where the application reads it, readable only by its account",
		 f->path);
	dbtls_findings_add(out, self, ctx, -1, ev, fix,
			   "Store %s opens with a well-known default password", f->path);
}

static const struct dbtls_check chk_default_password = {
    .id = "store.default-password",
    .title = "Key or trust store under a well-known default password",
    .description = "The store opens with a password everybody knows (changeit, changeme, "
		   "password, apsaradb, empty …): anyone who can read the file can add a CA to "
		   "a trust store, or take the private key out of a key store. The password is "
		   "never printed, only where it came from.",
    .fix = "Change the store password (keytool -storepasswd) and the key passwords.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = st_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = st_default_password,
};

static void st_legacy(const struct dbtls_check *self, const struct dbtls_audit_file *f,
		      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char ev[1024], fix[1400];

	if (!f->store || !f->store->legacy_crypto)
		return;
	snprintf(ev, sizeof(ev),
		 "%s: PKCS#12 encrypted with legacy algorithms (RC2/3DES, SHA-1 MAC)", f->path);
	snprintf(fix, sizeof(fix),
		 "openssl pkcs12 -legacy -in %s -nodes | openssl pkcs12 -export -out NEW.p12 "
		 "(AES-256-CBC, PBKDF2); or keytool -importkeystore with a current JDK",
		 f->path);
	dbtls_findings_add(out, self, ctx, -1, ev, fix, "Store %s uses legacy PKCS#12 encryption",
			   f->path);
}

static const struct dbtls_check chk_legacy = {
    .id = "store.legacy-crypto",
    .title = "PKCS#12 store with legacy encryption",
    .description = "The PKCS#12 needed OpenSSL's legacy provider (RC2-40, 3DES, SHA-1 MAC): "
		   "OpenSSL 3 and recent JDKs refuse it by default, and its protection is weak.",
    .fix = "Export it again with current algorithms (openssl pkcs12 -export, AES-256).",
    .default_severity = DBTLS_SEV_MEDIUM,
    .references = st_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = st_legacy,
};

/* "AA:BB:…" (upper case) equals lower-case hex "aabb…". */
static bool st_fp_eq(const char *colon, const char *hex)
{
	for (; *colon && *hex; colon++) {
		if (*colon == ':')
			continue;
		if ((*colon | 0x20) != (*hex | 0x20))
			return false;
		hex++;
	}
	return !*colon && !*hex;
}

static void st_new_ca(const struct dbtls_check *self, const struct dbtls_audit_file *f,
		      const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	const struct dbtls_policy_params *p = &ctx->policy->params;
	const struct dbtls_audit_store *s = f->store;
	bool trust = false;
	char ev[1400];

	if (!s || !p->nnew_ca_sha256)
		return;
	for (size_t e = 0; e < s->nentries; e++)
		trust |= s->entries[e].type == DBTLS_STORE_TRUSTED_CERT;
	if (!trust && s->pw_source != DBTLS_STOREPW_NOT_OPENED)
		return; /* a key store without trusted entries is not a trust store */
	for (size_t e = 0; e < s->nentries; e++)
		for (size_t c = 0; c < s->entries[e].ncerts; c++)
			for (size_t k = 0; k < p->nnew_ca_sha256; k++)
				if (st_fp_eq(s->entries[e].certs[c].sha256_colon,
					     p->new_ca_sha256[k]))
					return;
	if (s->pw_source == DBTLS_STOREPW_NOT_OPENED && !s->nentries) {
		snprintf(ev, sizeof(ev),
			 "%s: the store did not open with any password tried, so whether it holds "
			 "the new CA is not known (give it with DBTLS_STORE_PASSWORD or "
			 "--store-passwords)",
			 f->path);
		dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
				   "%s: could not tell whether the new CA is in this store",
				   f->path);
		return;
	}
	snprintf(ev, sizeof(ev), "%s: %zu entries, none with the new CA's SHA-256 fingerprint %s%s",
		 f->path, s->nentries, p->new_ca_sha256[0],
		 p->nnew_ca_sha256 > 1 ? " (or the bundle's others)" : "");
	dbtls_findings_add(out, self, ctx, -1, ev, self->fix,
			   "Trust store %s lacks the new CA: clients using it will fail after the "
			   "CA rotation",
			   f->path);
}

static const struct dbtls_check chk_new_ca = {
    .id = "store.new-ca-missing",
    .title = "Trust store without the new CA (CA rotation)",
    .description = "With --new-ca-file: a trust store none of whose entries is a certificate "
		   "of the new CA bundle (compared by SHA-256 fingerprint). An application using "
		   "it will refuse the server once its certificate is re-issued under the new "
		   "CA (an RDS or ApsaraDB CA rotation).",
    .fix = "keytool -importcert -alias new-ca -file NEW-CA.pem -keystore STORE; keep the old "
	   "CA until every server has moved.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = st_refs,
    .subject = DBTLS_SUBJECT_FILE,
    .eval_file = st_new_ca,
};

const struct dbtls_check *const dbtls_checks_stores[] = {
    &chk_default_password,
    &chk_legacy,
    &chk_new_ca,
    NULL,
};
