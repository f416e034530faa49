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
#include "src/wire/revocation.h"

struct dbtls_target {
	char *given;			       /* as the user wrote it */
	const struct dbtls_preamble *preamble; /* borrowed from the registry */
	char *host;			       /* name or address, IPv6 without brackets */
	uint16_t port;
};

/* Parses "mysql://host:port", "tls://host:port", "host:port", "host", "[::1]:3306" into *t (new
 * strings; free with dbtls_target_free). On failure returns INPUT with the reason in why. */
enum dbtls_err dbtls_target_parse(const char *s, struct dbtls_target *t, char *why, size_t whylen);
void dbtls_target_free(struct dbtls_target *t);

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
	/* --handshake-facts: run the handshake-facts step (src/scan/hsfacts.h lists its cost) */
	bool handshake_facts;
};

/* Scans one endpoint into *f (zeroed by the caller; filled with new data). Endpoint failures are
 * recorded in f->errors; the return value is NOMEM or OK. */
enum dbtls_err dbtls_scan_endpoint(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				   struct dbtls_endpoint_facts *f);
/* Scans every target, o->jobs at a time, into out->endpoints (same order as targets). */
enum dbtls_err dbtls_scan_run(const struct dbtls_target *targets, size_t n,
			      const struct dbtls_scan_opts *o, struct dbtls_scan_facts *out);

#endif
