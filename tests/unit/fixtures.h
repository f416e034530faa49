/* SPDX-License-Identifier: MIT */
/*
 * fixtures.h — what the unit tests share instead of copying it: rendering a report into memory,
 * temporary files, judging a check's finding against a table row, and building certificates with
 * the OpenSSL API at test time (nothing is checked in). Linked into every unit test
 * (tests/unit/libfixtures.a, Makefile.am's UNIT_LDADD).
 *
 * Every helper fails the running cmocka test (assert_*) instead of returning an error.
 * Ownership: every function returning a pointer returns new (caller frees: free(), X509_free());
 * arguments are borrowed.
 */
#ifndef DBTLS_TEST_FIXTURES_H
#define DBTLS_TEST_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "checks/check.h"
#include "checks/policy/policy.h"
#include "reports/report.h"

/* ---- reports ---- */

/* The report writer w makes of s (judged as ev; NULL: not judged), as a new NUL-terminated
 * string. */
char *fx_render(const struct dbtls_report_writer *w, const struct dbtls_scan_facts *s,
		const struct dbtls_evaluation *ev, bool color);

/* ---- files ---- */

/* Writes text to a new temporary file named after `tag`; returns its path (new). */
char *fx_tmpfile(const char *tag, const char *text);
/* Unlinks path and frees it; path may be NULL. */
void fx_tmpfile_remove(char *path);

/* ---- check rows ---- */

/* What a row of a check table expects of check c's first finding. */
struct fx_expect {
	size_t n;		/* findings of the check expected */
	int severity;		/* of the first one; -1: the check's default */
	const char *substr;	/* in its title or evidence; NULL: not checked */
	const char *fix;	/* in its remediation; NULL: not checked */
	bool evidence_required; /* the finding must have evidence */
};
/* Judges fd (the first of n findings of check c; NULL when n is 0) against x; prints why and
 * returns false when it does not hold. `name` names the row in messages. */
bool fx_judge(const char *name, const struct dbtls_check *c, const struct dbtls_finding *fd,
	      size_t n, const struct fx_expect *x);
/* The first finding of check id in fs (NULL when none); *n is set to how many there are. */
const struct dbtls_finding *fx_first(const struct dbtls_findings *fs, const char *id, size_t *n);

/* ---- certificates ---- */

struct fx_ext {
	int nid;	   /* NID_basic_constraints … */
	const char *value; /* OpenSSL config syntax ("critical,CA:TRUE"); NULL ends a list */
};

struct fx_cert_spec {
	EVP_PKEY *key;		 /* the certificate's public key */
	EVP_PKEY *sign_key;	 /* signs it */
	X509 *issuer;		 /* its issuer; NULL: self-issued (issuer name = subject) */
	const char *const *name; /* subject RDNs as pairs: "C", "DE", "CN", "db1", …, NULL */
	const char *serial_hex;	 /* "0123456789ABCDEF" */
	bool relative;		 /* not_before/not_after are seconds from now, else absolute */
	time_t not_before, not_after;
	const EVP_MD *md;	   /* digest to sign with; NULL: SHA-256 unless no_md */
	bool no_md;		   /* sign without a separate digest (Ed25519) */
	const struct fx_ext *exts; /* added in order; NULL or a {0, NULL}-ended list */
};
/* A v3 certificate made as spec says (new). */
X509 *fx_cert(const struct fx_cert_spec *spec);
/* Adds extension nid = value to x, with issuer for the key identifiers. */
void fx_ext_add(X509 *x, X509 *issuer, int nid, const char *value);

#endif
