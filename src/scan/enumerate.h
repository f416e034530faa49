/* SPDX-License-Identifier: MIT */
/*
 * enumerate.h — cipher-suite and key-exchange-group enumeration with the fewest handshakes.
 *
 * Suites: offer every candidate, record the one the server picks, remove it, offer the rest, until
 * the server refuses: N accepted suites cost N+1 handshakes, not one per registry entry. The order
 * of the picks is the server's preference order when it enforces one; one extra handshake offering
 * the first two picks swapped tells whether it does. Groups: TLS 1.3 hellos with an empty key_share
 * make the server name its group in a HelloRetryRequest; below TLS 1.3 the ServerKeyExchange of an
 * ECDHE suite names the curve. Same removal loop.
 *
 * The logic only sees a probe callback (one connection, one hello, one answer), so unit tests drive
 * it with a scripted server and the scanner with real connections.
 *
 * Ownership: callers own every buffer passed in (candidates, results, version facts); the
 * functions fill them and keep no pointer. New strings put into version facts (reason) are owned
 * by those facts (dbtls_endpoint_facts_free).
 */
#ifndef DBTLS_ENUMERATE_H
#define DBTLS_ENUMERATE_H

#include <stddef.h>
#include <stdint.h>

#include "src/facts/facts.h"
#include "src/wire/hello.h"

/* Contract: sends the hello p on a fresh connection (preamble done) and fills *r. Returns OK when
 * the server answered (any kind, including alerts and closes), or the error that kept the probe
 * from happening (connect, preamble, timeout), with d saying why. */
typedef enum dbtls_err (*dbtls_probe_fn)(void *ctx, const struct dbtls_hello_params *p,
					 struct dbtls_hello_result *r, struct dbtls_diag *d);

/* Runs fn(arg, 0) … fn(arg, n-1), possibly side by side, and returns when all are done. */
typedef void (*dbtls_par_fn)(void *arg, size_t i);
typedef void (*dbtls_run_parallel_fn)(void *ctx, size_t n, dbtls_par_fn fn, void *arg);

struct dbtls_enum_stats {
	int dh_bits_min; /* smallest DHE prime seen, 0 if no DHE suite picked */
	unsigned probes; /* hellos sent */
};

struct dbtls_enum_opts {
	const char *sni;
	/* When the server turns out to follow the client's order, the rest of the candidates may be
	 * split into `chunks` parts enumerated side by side through run_parallel (each part costs
	 * one refusal more, so this is worth it only for the longest enumeration). NULL/0/1:
	 * sequential. */
	dbtls_run_parallel_fn run_parallel;
	size_t chunks;
	/* called (with the probe's ctx) once the version's outcome is known from its first answer,
	 * before the rest of the enumeration; NULL: not told */
	void (*decided)(void *ctx, enum dbtls_version v, enum dbtls_vstatus st);
};

/*
 * Enumerates the suites of version v among cands (registry codes, offered in this order) into
 * *out: status/reason from the first answer, suites in pick order, server_order. first, when not
 * NULL, is the answer to a hello that already offered every candidate (it is not sent again).
 * Returns OK, or the probe error that ended the enumeration (what was found so far is kept).
 */
enum dbtls_err dbtls_enum_suites(dbtls_probe_fn probe, void *ctx, enum dbtls_version v,
				 const struct dbtls_enum_opts *eo, const uint32_t *cands,
				 size_t ncands, const struct dbtls_hello_result *first,
				 struct dbtls_version_facts *out, struct dbtls_enum_stats *st,
				 struct dbtls_diag *d);

/*
 * Enumerates the key-exchange groups the server accepts into out[0..*n) (cap entries), in the
 * order the server picked them. tls13: use TLS 1.3 HelloRetryRequests; else hellos of version v
 * offering the ECDHE suites among cands and reading the curve from the ServerKeyExchange.
 */
enum dbtls_err dbtls_enum_groups(dbtls_probe_fn probe, void *ctx, bool tls13, enum dbtls_version v,
				 const char *sni, const uint32_t *cands, size_t ncands,
				 uint16_t *out, size_t cap, size_t *n, struct dbtls_enum_stats *st,
				 struct dbtls_diag *d);

/*
 * TLS 1.3 suites and groups in one go: hellos without a key share make the server answer with a
 * HelloRetryRequest that names its suite and its group, so each offers the suites and the groups
 * not found yet and moves both removal loops at once (what dbtls_enum_suites and
 * dbtls_enum_groups would find, in fewer connections). *out as dbtls_enum_suites (reason from
 * the first answer), groups as dbtls_enum_groups with tls13 (*ngroups 0 when the server does
 * not answer a hello without a key share with a HelloRetryRequest: then the suites are
 * enumerated the usual way and the groups are left to the caller).
 */
enum dbtls_err dbtls_enum_tls13(dbtls_probe_fn probe, void *ctx, const struct dbtls_enum_opts *eo,
				const uint32_t *cands, size_t ncands,
				struct dbtls_version_facts *out, uint16_t *groups, size_t cap,
				size_t *ngroups, struct dbtls_enum_stats *st, struct dbtls_diag *d);

/* Classifies a probe answer for version v: ACCEPTED only for a ServerHello / HRR of exactly v (or
 * an SSLv2 SERVER-HELLO with ciphers for SSLv2); GARBAGE answers are ERROR. */
enum dbtls_vstatus dbtls_enum_classify(enum dbtls_version v, const struct dbtls_hello_result *r);

#endif
