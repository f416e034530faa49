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
#include "src/scan/target.h"
#include "src/wire/revocation.h"

struct dbtls_scan_opts {
	int timeout_ms; /* one connection, all of it: resolve + connect + preamble + hello/handshake
			 */
	/* one endpoint, all of it (--endpoint-timeout); 0: none. What was learned by then is kept,
	 * and the probes cut off are endpoint errors (TIMEOUT) */
	int endpoint_timeout_ms;
	/* borrowed; NULL: none. A fd that becomes readable (and stays so) when the scan must stop
	 * (Ctrl-C): in-flight waits end, endpoints not yet started are marked INTERRUPTED */
	const int *cancel_fd;
	const char *ca_file; /* NULL: system store */
	const char *sni;     /* NULL: the target's host name (never an IP literal) */
	int jobs;	     /* endpoints scanned at once */
	int per_host;	     /* probes in flight to one server (resolved address:port) at once */
	/* MySQL/MariaDB block a client host after this many aborted connections (every probe is
	 * one); stay under it, logging in to reset the count when --sql credentials allow.
	 * 0: no limit. Loopback clients are exempt on the server side and here. */
	int max_connect_errors;
	const char *new_ca_file;   /* CA rotation readiness: verify against this bundle too */
	struct dbtls_rev_opts rev; /* revocation checking of the served chain */
	/* SQL login after the TLS probes (protocols with an SQL step, src/wire/sql/sql.h). No
	 * password here: it comes from $DBTLS_MYSQL_PASSWORD or the option file, read where it is
	 * used. */
	bool sql;		   /* --sql */
	const char *sql_user;	   /* --sql-user; NULL: the option file's (or the library's) */
	const char *defaults_file; /* --defaults-file: MySQL option file; NULL: the default files */
	bool sql_insecure;	   /* --sql-insecure: do not verify the server certificate */
	/* --alpn: the ALPN names every hello and the handshake offer (NULL-terminated, borrowed),
	 * overriding the protocol's own list (struct dbtls_preamble.alpn); an empty list offers
	 * none; NULL: the protocol's. Check it with dbtls_alpn_valid(): a scan given an ill-formed
	 * list records a USAGE error per endpoint and sends nothing. */
	const char *const *alpn;
	/* --xmpp-domain: for protocols with DBTLS_PRE_XMPP_IDS, the XMPP domain sent as the
	 * stream's to=, as SNI (unless sni is set) and matched against the certificate (with its
	 * SRV-IDs and xmppAddrs); NULL: the host. Ignored by other protocols. */
	const char *xmpp_domain;
	/* --handshake-facts: also the signature-scheme enumerations (src/scan/hsfacts.h lists
	 * their cost); the other handshake facts are part of every scan */
	bool handshake_facts;
	/* --rate: at most this many new connections a second over the whole run; 0: no limit */
	double rate;
	/* --no-pipeline: always the careful preamble order (read the greeting, then ask for TLS),
	 * never the pipelined one (struct dbtls_preamble.fast_start) */
	bool no_pipeline;
	/* descriptors the caller keeps open through the run besides those DBTLS_SCAN_FDS_RESERVE
	 * counts (reports written as the scan goes, and their spools): dbtls_scan_fit_fds leaves
	 * room for them; 0: none */
	int fds_held;
	/* Optional: called once per endpoint when its scan is over (from the worker thread that
	 * scanned it, so it must be thread-safe), f borrowed for the call. The progress line
	 * (app/progress.c) counts with it. */
	void (*on_endpoint_done)(void *arg, const struct dbtls_endpoint_facts *f);
	void *on_endpoint_done_arg;
	/* Optional: called (thread-safe, with on_endpoint_done_arg) when a target turned out to be
	 * n more endpoints than one (a host name with n + 1 addresses), so a count can grow. */
	void (*on_endpoints_added)(void *arg, size_t n);
	/* --first-address: a host name is one endpoint, at the first of its addresses that
	 * answers (as a database client connects); by default every address (at most
	 * DBTLS_NAME_ADDRS_MAX) is an endpoint of its own, with "?address=ADDR" in its id */
	bool first_address;
};

/* Descriptors one endpoint's scan may hold at once besides its probe connections (the SQL
 * login or an OCSP/CRL fetch), and those the run keeps for itself (stdio, reports, the cancel
 * pipe, the resolver). */
#define DBTLS_SCAN_FDS_EXTRA   1
#define DBTLS_SCAN_FDS_RESERVE 16
/* Fits o->jobs x o->per_host to the process's descriptor limit (RLIMIT_NOFILE), raising the soft
 * limit to the hard one when more are wanted. Returns true when it had to lower o->jobs (or
 * o->per_host), with a one-line message for the user in msg[0..n); false when they fit. */
bool dbtls_scan_fit_fds(struct dbtls_scan_opts *o, char *msg, size_t n);

/* Scans one endpoint into *f (zeroed by the caller; filled with new data). Endpoint failures are
 * recorded in f->errors; the return value is NOMEM or OK. Its connection cap and connect-error
 * budget are its own (dbtls_scan_run shares them between targets that resolve alike). */
enum dbtls_err dbtls_scan_endpoint(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				   struct dbtls_endpoint_facts *f);
/* The SQL step of one endpoint, after its probes (o->sql): runs the SQL module of t's protocol
 * (src/wire/sql/sql.h) into f->sql and counts its connections. A protocol without one, an
 * endpoint without TLS, or one the probes never reached is f->sql SKIPPED with the reason
 * (credentials never travel in clear text); a failed login is f->sql FAILED plus an entry in
 * f->errors (stage "sql login"). Returns NOMEM or OK. */
enum dbtls_err dbtls_scan_sql(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
			      struct dbtls_endpoint_facts *f);
/* Where a streamed run takes its targets from (src/scan/targets_src.h is the command line's). */
struct dbtls_scan_source {
	/* the next target into *t (new; the scheduler frees it): OK with *done false, or *done
	 * true at the end. An error ends the intake: the targets taken are still scanned and
	 * delivered, and dbtls_scan_stream returns it. Called under the run's lock, one call at a
	 * time, in order. */
	enum dbtls_err (*next)(void *arg, struct dbtls_target *t, bool *done);
	void *arg;
	size_t total; /* how many it will yield when known (sizes the pool); 0: unknown */
};
/* Takes endpoint `index` (0, 1, … in source order; a host name with several addresses is
 * several endpoints, one after another) as it is finished: called once per endpoint, in order, one
 * call at a time (from the worker that finished the oldest), f borrowed for the call (the sink may
 * move its contents out, leaving it zeroed). A non-OK return ends the intake and is returned by
 * dbtls_scan_stream. */
typedef enum dbtls_err (*dbtls_scan_sink_fn)(void *arg, size_t index,
					     struct dbtls_endpoint_facts *f);
/* The reorder window of a run with `jobs` workers: at most this many endpoints are held (being
 * scanned, or finished and waiting for an older one) at once. */
#define DBTLS_SCAN_WINDOW(jobs) ((jobs)*4 < 8 ? 8 : (jobs)*4)
/* Scans the targets of src, o->jobs at a time, and hands each endpoint to sink in source order
 * as soon as it and every one before it are finished; then frees it. Sets out's run fields
 * (started_at, finished_at, duration_s, interrupted), never out->endpoints. Targets that resolve
 * to the same address and port share one connection cap and connect-error budget. When
 * o->cancel_fd fires, targets taken after carry an INTERRUPTED error. Returns NOMEM, the sink's
 * or the source's error, or OK. */
enum dbtls_err dbtls_scan_stream(const struct dbtls_scan_source *src,
				 const struct dbtls_scan_opts *o, dbtls_scan_sink_fn sink,
				 void *sink_arg, struct dbtls_scan_facts *out);
/* Scans every target, o->jobs at a time, into out->endpoints (same order as targets; a host name
 * with several addresses is several, out->nendpoints says how many in all). Targets
 * that resolve to the same address and port (two spellings of one server) share one connection
 * cap (per_host) and one max_connect_errors budget. When o->cancel_fd fires, endpoints not
 * finished carry an INTERRUPTED error and out->interrupted is set. */
enum dbtls_err dbtls_scan_run(const struct dbtls_target *targets, size_t n,
			      const struct dbtls_scan_opts *o, struct dbtls_scan_facts *out);

#endif
