/* SPDX-License-Identifier: MIT */
/*
 * util.h — small OpenSSL helpers the file-audit parsers share: certificate facts with keytool-style
 * fingerprints, public-key facts and the SHA-256 of a SubjectPublicKeyInfo (how a key is matched
 * with its certificate). Objects passed in are borrowed; everything written out is new.
 */
#ifndef DBTLS_AUDIT_UTIL_H
#define DBTLS_AUDIT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "src/core/err.h"
#include "src/facts/audit.h"

/* Fills *out (new) from x (borrowed): dbtls_x509_cert_facts plus the colon fingerprints and the
 * SPKI hash. On failure leaves *out zeroed and fills d. */
enum dbtls_err dbtls_audit_cert_facts(X509 *x, time_t now, struct dbtls_audit_cert *out,
				      struct dbtls_diag *d);
/* Parses one DER certificate and appends its facts to *arr / *n (realloc). */
enum dbtls_err dbtls_audit_cert_der_append(const uint8_t *der, size_t len, time_t now,
					   struct dbtls_audit_cert **arr, size_t *n,
					   struct dbtls_diag *d);
/* Appends x's facts to *arr / *n. x borrowed. */
enum dbtls_err dbtls_audit_cert_append(X509 *x, time_t now, struct dbtls_audit_cert **arr,
				       size_t *n, struct dbtls_diag *d);
/* Writes "AA:BB:…" (upper case) of p[0..n) into out (3n bytes). */
void dbtls_audit_colon_hex(const unsigned char *p, size_t n, char *out);
/* Writes the lower-case hex SHA-256 of k's SubjectPublicKeyInfo DER into out[65]; false on error.
 */
bool dbtls_audit_spki_sha256(EVP_PKEY *k, char out[65]);
/* Fills type (new string), bits and spki_sha256 (new) of key facts k from pk (borrowed). */
enum dbtls_err dbtls_audit_key_from_pkey(EVP_PKEY *pk, struct dbtls_audit_key *k);

/* Secrets a config reader meets (store passwords next to a store's URL) go to a sink the driver
 * sets for the one file it is reading on this thread, so the driver can open the store a setting
 * names without the password ever entering the facts. Values are cleansed when freed. */
struct dbtls_audit_secret {
	char *group; /* the setting's group, NULL for none */
	char *key;   /* normalised key */
	char *value;
};
struct dbtls_audit_secrets {
	struct dbtls_audit_secret *v;
	size_t n;
};
/* Makes s the sink of this thread (NULL: none); returns the previous one. */
struct dbtls_audit_secrets *dbtls_audit_secrets_sink(struct dbtls_audit_secrets *s);
/* Copies one secret into the current sink (does nothing without one). */
void dbtls_audit_secret_note(const char *group, const char *key, const char *value);
void dbtls_audit_secrets_free(struct dbtls_audit_secrets *s);
/* dbtls_audit_add_setting() that also notes a secret's value in the sink; the readers use it. */
enum dbtls_err dbtls_audit_setting_add(struct dbtls_audit_file *f, const char *name,
				       const char *key, const char *value, const char *group,
				       const char *file, unsigned line, bool secret);

#endif
