/* SPDX-License-Identifier: MIT */
/*
 * audit.h — the file audit's driver: walks the files and directories it is given (recursively;
 * symbolic links are followed only when they stay inside the given roots; loops are caught by
 * device and inode), reads each regular file (at most max_file_size bytes), sniffs what it is by
 * its content and hands it to the reader of that kind (keys.h, jks.h, optfile.h, conf.h). One
 * struct dbtls_audit_file per file; a corrupt file gets its error and the walk goes on. Files that
 * a setting names (ssl-key, ssl-cert, ssl-ca, sslrootcert, trustCertificateKeyStoreUrl, …) are
 * audited too, stores with the password found next to them (never printed, never kept).
 *
 * Store passwords are tried in this order: opts->store_password (DBTLS_STORE_PASSWORD, read by
 * the caller), the entries of the --store-passwords file that match the store, a password set
 * next to the setting that named the store, then the well-known defaults.
 */
#ifndef DBTLS_AUDIT_AUDIT_H
#define DBTLS_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "src/core/err.h"
#include "src/facts/audit.h"

#define DBTLS_AUDIT_MAX_FILE_SIZE (16u << 20)

/* A --store-passwords file: one `STORE = PASSWORD` a line (STORE: the store's path as audited,
 * its file name, or `*` for every store; `#` comments; the password is everything after the
 * first '=' and one optional space, to the end of the line). */
struct dbtls_audit_pwentry {
	char *store;
	char *password; /* cleansed on free */
	char *ref;	/* FILE:LINE */
};
struct dbtls_audit_pwfile {
	struct dbtls_audit_pwentry *entries;
	size_t n;
};
/* Reads path into *out (new). FILE / INPUT with "FILE:LINE: reason" in d. */
enum dbtls_err dbtls_audit_pwfile_load(const char *path, struct dbtls_audit_pwfile *out,
				       struct dbtls_diag *d);
void dbtls_audit_pwfile_free(struct dbtls_audit_pwfile *p);

/* The well-known default store passwords tried last (static, NULL-terminated). */
extern const char *const dbtls_audit_default_passwords[];

struct dbtls_audit_opts {
	time_t now;				 /* certificate ages are counted from here */
	const char *store_password;		 /* borrowed, or NULL */
	const struct dbtls_audit_pwfile *pwfile; /* borrowed, or NULL */
	bool no_defaults;			 /* do not try the well-known defaults */
	uint64_t max_file_size;			 /* 0: DBTLS_AUDIT_MAX_FILE_SIZE */
};

/* Audits paths[0..n) into *out (new; dbtls_audit_facts_free). Per-file problems are errors in
 * that file's facts; the function fails only with NOMEM (or USAGE for n == 0), leaving *out
 * empty. */
enum dbtls_err dbtls_audit_paths(const char *const *paths, size_t n,
				 const struct dbtls_audit_opts *o, struct dbtls_audit_facts *out);

/* Audits one buffer as if it were the file `path` (no stat, no references followed): the seam the
 * unit tests and fuzz targets use. Fills *f (new). NOMEM only. */
enum dbtls_err dbtls_audit_buffer(const uint8_t *p, size_t n, const char *path,
				  const struct dbtls_audit_opts *o, struct dbtls_audit_file *f);

/* Sniffs p (borrowed) by content: the kind a reader would take it as. */
enum dbtls_audit_kind dbtls_audit_sniff(const uint8_t *p, size_t n);

#endif
