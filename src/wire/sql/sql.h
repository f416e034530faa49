/* SPDX-License-Identifier: MIT */
/*
 * sql.h — the SQL step table (dbtls scan --sql): per-protocol modules that log in over verified
 * TLS after the probes and record what the server itself says about TLS.
 *
 * A module sees only what it needs — the endpoint (struct dbtls_sql_target) and the SQL options
 * (struct dbtls_sql_opts) — never the scheduler's target or options, so the wire layer does not
 * depend on the scheduler. Its facts go into struct dbtls_sql_facts (facts.h): the session's TLS,
 * the live connections and how they are transported, the accounts that may log in without TLS and
 * the TLS settings are shared meanings every module fills the same way.
 *
 * The scheduler (src/scan/scan.c) decides whether the step runs at all: only when the preamble
 * says DBTLS_PRE_SQL, a module of the same scheme is here, and the probes saw the server offer
 * TLS (credentials never travel in clear text). It calls the module through dbtls_sql_find(),
 * never a module's functions by name.
 *
 * Adding an SQL step is one new file ending in a `const struct dbtls_sql_module` descriptor, its
 * declaration and one line in the table in sql.c, its name in Makefile.am, and DBTLS_PRE_SQL in
 * its preamble's supports.
 *
 * Ownership: descriptors are static and borrowed; targets and options are borrowed for the call;
 * what a module writes into the facts is new and owned by the facts.
 */
#ifndef DBTLS_SQL_H
#define DBTLS_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"
#include "src/facts/facts.h"

/* The endpoint an SQL step logs in to. */
struct dbtls_sql_target {
	const char *scheme; /* "mysql", … (the preamble's) */
	const char *host;   /* name or address as given, IPv6 without brackets */
	uint16_t port;
	/* the numeric address to log in at, one of host's (the probes' own: a name's addresses
	 * are endpoints of their own); NULL: host, resolved by the library */
	const char *addr;
	/* with addr: the leaf certificate (PEM) the scan verified at addr for host against the
	 * same CA, or NULL when it did not verify. A library that checks the name against the
	 * address it connects to is pinned to this certificate instead; without one, and without
	 * --sql-insecure, no password goes out. */
	const char *verified_pem;
};

/* What the SQL step may use of the scan options. No password: each module reads its own from
 * the environment or the option file, where it is used. */
struct dbtls_sql_opts {
	int timeout_ms;		   /* connect and each read; <= 0: the module's default */
	const char *ca_file;	   /* PEM bundle the login verifies against; NULL: system store */
	const char *user;	   /* --sql-user; NULL: the option file's (or the library's) */
	const char *defaults_file; /* --defaults-file; NULL: the default files */
	bool insecure;		   /* --sql-insecure: do not verify the server certificate */
	/* the whole login and its statements end within this (--endpoint-timeout); 0: none */
	int endpoint_timeout_ms;
	const int *cancel_fd; /* borrowed; readable when the run must stop (Ctrl-C); NULL: none */
};

struct dbtls_sql_module {
	const char *scheme; /* the preamble scheme it serves */
	/*
	 * Contract: the probes saw the server offer TLS. Replaces *s (freeing what it held) with
	 * the step's facts and adds every connection it opened to *connections_used. Returns OK
	 * when the facts say it all (status OK, or SKIPPED with a reason); NOMEM; or, when the
	 * login failed, the endpoint error (SERVER_ERROR, TLS, CONNECT, TIMEOUT, …) with d saying
	 * what happened (secrets scrubbed) and s->status FAILED. Never prints.
	 */
	enum dbtls_err (*scan)(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
			       struct dbtls_sql_facts *s, unsigned *connections_used,
			       struct dbtls_diag *d);
	/*
	 * Optional (needed by protocols with DBTLS_PRE_CONNECT_BUDGET). Contract: logs in and
	 * straight out again, so that the server forgets the aborted connections it counted
	 * against this client host. One connection; returns OK, or the error with d saying why
	 * (secrets scrubbed). Records no facts.
	 */
	enum dbtls_err (*reset)(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
				struct dbtls_diag *d);
	/*
	 * Optional. Contract: records into *s what can be said of the step's own configuration
	 * without logging in (an option file holding a password that others can read), also when
	 * the login is skipped; scan() records it again itself. Touches nothing else of *s and no
	 * network. Returns NOMEM or OK.
	 */
	enum dbtls_err (*inspect)(const struct dbtls_sql_opts *o, struct dbtls_sql_facts *s);
	const char *help; /* one line for `dbtls help`: what it logs in with and reads */
};

/* Called once per result row: ncols values, each NUL-terminated or NULL for SQL NULL (borrowed
 * for the duration of the call). Returns false to report out-of-memory (the query then fails with
 * NOMEM). */
typedef bool (*dbtls_sql_row_fn)(void *arg, unsigned ncols, const char *const *vals);

struct dbtls_sql_seam {
	/* Contract: runs one statement on conn and calls row() for each row of its result.
	 * Returns 0 on success; else the server's (or the client library's) error number, with its
	 * message in err (NUL-terminated, may be truncated). A row() that returns false makes it
	 * return DBTLS_SQL_ERR_NOMEM. */
	unsigned (*query)(void *conn, const char *stmt, dbtls_sql_row_fn row, void *arg, char *err,
			  size_t errlen);
	void *conn;
};

/* The most rows one statement's result is read to: a server that sends more gets the statement
 * recorded as unreadable ("more than N rows"), never an unbounded read. */
#define DBTLS_SQL_MAX_ROWS 100000u

/* What the seam's query returns when a row callback ran out of memory. */
#define DBTLS_SQL_ERR_NOMEM 0xffffffffu

/* Replaces every occurrence of secret (when non-empty) in the NUL-terminated s, of capacity cap,
 * with "[redacted]"; the result is truncated to fit. */
void dbtls_sql_scrub(char *s, size_t cap, const char *secret);
/* Marks s skipped with the reason why (copied). OK, or NOMEM. */
enum dbtls_err dbtls_sql_skip(struct dbtls_sql_facts *s, const char *why);
/* Scrubs each of secrets[0 … n) (NULL or empty: skipped) out of every message in
 * s->unreadable, replacing a message only when it changed. OK, or NOMEM. */
enum dbtls_err dbtls_sql_scrub_facts(struct dbtls_sql_facts *s, const char *const *secrets,
				     size_t nsecrets);

/* Helpers every SQL module's fact collection shares. dbtls_sql_dup: strdup that tolerates NULL
 * and sets *oom when out of memory (returns new). dbtls_sql_add_unreadable: records in s a
 * statement that could not be run (copies its arguments; msg NULL or "" is "no message");
 * false when out of memory, with s unchanged. */
char *dbtls_sql_dup(const char *v, bool *oom);
bool dbtls_sql_add_unreadable(struct dbtls_sql_facts *s, const char *what, const char *stmt,
			      unsigned code, const char *msg);

/* The built-in module, for unit tests; a new one is declared next to its line in sql.c. */
extern const struct dbtls_sql_module dbtls_sql_mysql;

/* Returns the borrowed module for scheme, or NULL when the protocol has no SQL step. */
const struct dbtls_sql_module *dbtls_sql_find(const char *scheme);
/* Returns the borrowed table and its length via *n. */
const struct dbtls_sql_module *const *dbtls_sql_all(size_t *n);

#endif
