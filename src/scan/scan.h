/* SPDX-License-Identifier: MIT */
/*
 * scan.h — targets, scan options, and the scheduler that turns a target list into facts.
 *
 * The scan of one endpoint is straight-line code (connect, preamble, probe, next probe); the
 * scheduler runs endpoints side by side on a bounded pool of worker threads. All mutable state
 * lives in the per-endpoint facts, so workers share nothing but the read-only options.
 */
#ifndef DBTLS_SCAN_H
#define DBTLS_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "src/wire/preamble/preamble.h"
#include "src/pki/revocation.h"
#include "src/scan/target.h"

struct dbtls_scan_opts {
	int timeout_ms;	     /* connect and each read */
	const char *ca_file; /* NULL: system store */
	const char *sni;     /* NULL: the target's host name (never an IP literal) */
	int jobs;	     /* endpoints scanned at once */
	int per_host;	     /* probes in flight to one endpoint at once */
	/* MySQL/MariaDB block a client host after this many aborted connections (every probe is
	 * one); stay under it, logging in to reset the count when --sql credentials allow.
	 * 0: no limit. Loopback clients are exempt on the server side and here. */
	int max_connect_errors;
	const char *new_ca_file;   /* CA rotation readiness: verify against this bundle too */
	struct dbtls_rev_opts rev; /* revocation checking of the served chain */
	/* SQL login after the TLS probes (MySQL/MariaDB; src/sql_mysql.c). No password here: it
	 * comes from $DBTLS_MYSQL_PASSWORD or the option file, read where it is used. */
	bool sql;		   /* --sql */
	const char *sql_user;	   /* --sql-user; NULL: the option file's (or the library's) */
	const char *defaults_file; /* --defaults-file: MySQL option file; NULL: the default files */
	bool sql_insecure;	   /* --sql-insecure: do not verify the server certificate */
	/* --alpn: ALPN protocol ids to offer, NULL-terminated (owned by the caller); NULL: none */
	const char *const *alpn;
};

/* Scans one endpoint into *f (zeroed by the caller; filled with new data). Endpoint failures are
 * recorded in f->errors; the return value is NOMEM or OK. */
enum dbtls_err dbtls_scan_endpoint(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				   struct dbtls_endpoint_facts *f);
/* Scans every target, o->jobs at a time, into out->endpoints (same order as targets). */
enum dbtls_err dbtls_scan_run(const struct dbtls_target *targets, size_t n,
			      const struct dbtls_scan_opts *o, struct dbtls_scan_facts *out);

#endif
