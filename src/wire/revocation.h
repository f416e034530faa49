/* SPDX-License-Identifier: MIT */
/*
 * revocation.h — is a served certificate revoked? Stapled OCSP first (the server sent it), then a
 * CRL the user gave (--crl), then the OCSP responder named in the certificate's AIA, then the CRL
 * from its distribution point. OpenSSL's own OCSP and HTTP client do the work (no other HTTP
 * library); every fetch has a deadline; answers are cached per (issuer, serial) for one run.
 *
 * The result is a fact per certificate (good / revoked with date and reason / unknown /
 * unavailable, and the source); whether "unavailable" is a failure (hard-fail) or a note
 * (soft-fail) is the policy's business, not this module's.
 *
 * Ownership: certificates, chains and staples are borrowed for the call; the strings it writes
 * into struct dbtls_revocation are new, owned by the certificate facts (dbtls_cert_free); the cache
 * is new from dbtls_rev_cache_new (dbtls_rev_cache_free, NULL-safe).
 */
#ifndef DBTLS_REVOCATION_H
#define DBTLS_REVOCATION_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

#include "src/facts/facts.h"

/* A run-wide cache of answers, shared by scan workers (internally locked). */
struct dbtls_rev_cache;
/* Returns a new empty cache, or NULL on OOM. */
struct dbtls_rev_cache *dbtls_rev_cache_new(void);
/* Frees c and everything in it; c may be NULL. */
void dbtls_rev_cache_free(struct dbtls_rev_cache *c);

struct dbtls_rev_opts {
	bool enabled;	/* false: nothing is checked (statuses stay NOT_CHECKED) */
	bool leaf_only; /* --revocation-leaf-only */
	const char *const
	    *crl_files; /* --crl FILE… (PEM or DER), consulted for every certificate */
	size_t ncrl_files;
	int timeout_ms; /* per OCSP request / CRL download */
	/* the trust anchors are the user's --ca-file, not the system store: a verified chain
	 * with no revocation pointers and no --crl is then a private PKI without revocation
	 * (DBTLS_REV_NOT_APPLICABLE), not an unavailable status */
	bool private_anchors;
	struct dbtls_rev_cache *cache; /* may be NULL */
};

/*
 * Fills certs[i].revocation for the served certificates (certs[i] describes served[i], leaf
 * first; ncerts == sk_X509_num(served)). Issuers are looked up among the served certificates and
 * in `path` (the verified path, leaf .. anchor, may be NULL when verification failed). The trust
 * anchor itself is not checked. stapled/nstapled: the DER OCSP response the server stapled for the
 * leaf, or NULL. Borrows everything; never fails as a whole: each certificate's outcome, including
 * "unavailable" with a reason, is in its facts.
 */
void dbtls_revocation_check(STACK_OF(X509) * served, STACK_OF(X509) * path,
			    const unsigned char *stapled, size_t nstapled,
			    const struct dbtls_rev_opts *o, struct dbtls_cert *certs,
			    size_t ncerts);

#endif
