/* SPDX-License-Identifier: MIT */
/*
 * keys.h — keys, certificates and bundles in PEM, DER, PKCS#7 and PKCS#12, read with OpenSSL.
 * Encrypted keys are classified from their armour and algorithm without a password. PKCS#12 is
 * opened in a library context of our own with the default and legacy providers (RC2/3DES stores)
 * made current for this thread only, so the process-wide default context is never changed.
 * Each reader fills the file facts it is given (kind, keys, certs, store, errors naming
 * f->path[:LINE]); the bytes are borrowed. No I/O.
 */
#ifndef DBTLS_AUDIT_KEYS_H
#define DBTLS_AUDIT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "src/core/err.h"
#include "src/facts/audit.h"

/* One password to try on a store, in the order given; never copied, never printed. */
struct dbtls_audit_pw {
	const char *password;		   /* borrowed; "" is the empty password */
	enum dbtls_store_pw_source source; /* what the store's pw_source becomes if it opens */
	const char *ref;		   /* borrowed FILE:LINE for the facts, or NULL */
	bool well_known;		   /* one of the well-known defaults */
};

/* True when p holds a "-----BEGIN " armour line. */
bool dbtls_audit_is_pem(const uint8_t *p, size_t n);
/* Reads every PEM block of p: keys (format, type, bits, encrypted), certificates, PKCS#7
 * bundles; sets f->kind (pem-key, pem-cert, pem-bundle, pkcs7). Returns NOMEM only; a broken
 * block is an error in f and the next block is read. */
enum dbtls_err dbtls_audit_read_pem(const uint8_t *p, size_t n, time_t now,
				    struct dbtls_audit_file *f);
/* Tries p as one DER object: certificate, PKCS#7, private key (PKCS#1, PKCS#8, encrypted
 * PKCS#8). Returns UNSUPPORTED (f untouched) when it is none of them. */
enum dbtls_err dbtls_audit_read_der(const uint8_t *p, size_t n, time_t now,
				    struct dbtls_audit_file *f);
/* True when p parses as a PKCS#12 PFX. */
bool dbtls_audit_is_pkcs12(const uint8_t *p, size_t n);
/* Opens p as PKCS#12 with the first of pw[0..npw) whose MAC verifies, listing its entries
 * (key bags with their chain by localKeyId, lone certificates as trusted entries) into a new
 * f->store. A store no password opens gets pw_source not-opened and no entries. */
enum dbtls_err dbtls_audit_read_pkcs12(const uint8_t *p, size_t n, time_t now,
				       const struct dbtls_audit_pw *pw, size_t npw,
				       struct dbtls_audit_file *f);

#endif
