/* SPDX-License-Identifier: MIT */
/*
 * hsfacts.h — the handshake-facts step of an endpoint's scan: what else the handshake tells once
 * versions, suites and groups are known. TLS 1.3 HelloRetryRequest preference for post-quantum
 * groups, TLS <= 1.2 hygiene (renegotiation_info, EMS, encrypt-then-MAC, tickets, stapling,
 * compression, heartbeat, TLS_FALLBACK_SCSV), the client-certificate request, the ServerKeyExchange
 * signature schemes, Heartbleed, CCS injection and the DHE prime.
 *
 * Connections, each through the caller's seam (so budgets and slots apply):
 *   HRR preference          one per accepted post-quantum group (needs x25519 accepted too)
 *   hygiene + client cert   one, with the early-CCS (CVE-2014-0224) probe on the same connection
 *   fallback SCSV           one, when two versions <= TLS 1.3 with one <= TLS 1.2 are accepted
 *   Heartbleed              one, only when the heartbeat extension was negotiated
 *   DHE prime               one, only when a DHE suite is accepted and the hygiene hello did
 *                           not already pick one
 *   TLS 1.2 sigalgs         accepted schemes + 1 (at most 27)
 *   TLS 1.3 sigalgs         full handshakes: accepted schemes + 1 (at most 12)
 * Rule: io and its callbacks are borrowed; what is written into f is new and owned by f.
 */
#ifndef DBTLS_HSFACTS_H
#define DBTLS_HSFACTS_H

#include "src/core/err.h"
#include "src/facts/facts.h"
#include "src/scan/enumerate.h"
#include "src/wire/net.h"
#include "src/wire/preamble/preamble.h"

struct dbtls_hsfacts_io {
	void *ctx;
	dbtls_probe_fn probe; /* one connection, one hello, one answer */
	/* opens a connection with its preamble done (budget and slot taken); close gives both
	 * back. open returns the error that kept the connection from happening. */
	enum dbtls_err (*open)(void *ctx, struct dbtls_conn *c, struct dbtls_diag *d);
	void (*close)(void *ctx, struct dbtls_conn *c);
	const struct dbtls_preamble *pre;
	const char *sni;
	int wait_ms; /* how long the CCS and heartbeat probes wait for an answer */
};

/* Runs the step over f (versions, suites and groups already filled in); cands[v] are the registry
 * suites of version v. Returns OK, or the connection error that stopped it (d says why); what was
 * learnt before stays in f. */
enum dbtls_err dbtls_hsfacts_run(const struct dbtls_hsfacts_io *io, uint32_t *const cands[],
				 const size_t ncands[], struct dbtls_endpoint_facts *f,
				 struct dbtls_diag *d);

/* After the certificate handshake: when it failed and the server accepts only post-quantum groups
 * for TLS 1.3 and no TLS 1.2, says so in f->groups13.note and in the handshake error (the local
 * TLS library has no ML-KEM before OpenSSL 3.5). */
void dbtls_hsfacts_explain_pq(struct dbtls_endpoint_facts *f);

#endif
