/* SPDX-License-Identifier: MIT */
/*
 * trust.h — does a served chain anchor in the system trust store? A second, offline
 * verification next to the one against --ca-file, because the CA/Browser Forum's rules
 * (validity limits) bind publicly trusted CAs only and must never be applied to a private
 * database CA.
 *
 * The rule for this module: X509 objects and stores are borrowed; everything written into
 * struct dbtls_public_trust is new (freed by dbtls_verification_free()). No network: the
 * store is OpenSSL's default verify paths (the file and directories SSL_CERT_FILE and
 * SSL_CERT_DIR name, else the library's built-in ones), read from disk.
 */
#ifndef DBTLS_PKI_TRUST_H
#define DBTLS_PKI_TRUST_H

#include <time.h>

#include <openssl/x509.h>

#include "src/core/err.h"
#include "src/facts/facts.h"

/* Builds the system trust store into a new store (*out, caller frees with X509_STORE_free):
 * the default directories when one holds hashed entries (read lazily), else the default file.
 * *usable is false when neither has a certificate (then anchoring cannot be told); *where
 * (new) names what was used. Only NOMEM fails (d filled, *out and *where NULL). */
enum dbtls_err dbtls_trust_system_store(X509_STORE **out, bool *usable, char **where,
					struct dbtls_diag *d);

/* Fills *out (new strings; zeroed first) for the served chain (borrowed, leaf first): whether
 * its path ends in a root of system (borrowed, a usable store from dbtls_trust_system_store;
 * NULL: this process's system store, built once at the first call and kept), ignoring dates.
 * now is the scan time. NOMEM only; on failure *out is left zeroed. */
enum dbtls_err dbtls_trust_public(STACK_OF(X509) * chain, X509_STORE *system, time_t now,
				  struct dbtls_public_trust *out, struct dbtls_diag *d);

#endif
