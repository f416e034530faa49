/* SPDX-License-Identifier: MIT */
/*
 * hsfacts.h — the handshake-facts step of an endpoint's scan: what else the handshake tells once
 * versions, suites and groups are known. TLS 1.3 HelloRetryRequest preference for post-quantum
 * groups, TLS <= 1.2 hygiene (renegotiation_info, EMS, encrypt-then-MAC, tickets, stapling,
 * compression, heartbeat, TLS_FALLBACK_SCSV), the client-certificate request, the ServerKeyExchange
 * signature schemes, Heartbleed, CCS injection and the DHE prime.
 *
 * Most of it costs no connection of its own: the scanner offers status_request, encrypt_then_mac,
 * heartbeat and DEFLATE next to renegotiation_info, EMS and session_ticket in every TLS <= 1.2
 * hello of the enumeration and folds each ServerHello into a struct dbtls_hsfacts_seen
 * (dbtls_hsfacts_note); the enumeration's DHE picks carry the prime (dbtls_hsfacts_dh_prime);
 * the certificate handshake sees a TLS 1.3 CertificateRequest. Connections of their own, each
 * through the caller's seam (so budgets and slots apply):
 *   flight + CCS injection  one (reads the TLS <= 1.2 CertificateRequest on the way)
 *   Heartbleed              one, only when the heartbeat extension was negotiated
 *   fallback SCSV           one, when two versions <= TLS 1.3 with one <= TLS 1.2 are accepted
 *   HRR preference          one per accepted post-quantum group (needs x25519 accepted too)
 *   signature schemes       only with scan --handshake-facts: TLS 1.2 accepted + 1 (at most 27),
 *                           TLS 1.3 by full handshakes accepted + 1 (at most 12)
 * Rule: io and its callbacks are borrowed; what is written into f (or the out structs) is new
 * and owned by it.
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

/* What the enumeration's ServerHellos of one version told (plain values). */
struct dbtls_hsfacts_seen {
	bool seen; /* a ServerHello of this version answered a hello offering the extras */
	bool bare; /* the server refused the extras: this version's hellos went without them */
	bool renegotiation_info, extended_master_secret, session_ticket, status_request;
	bool heartbeat, compression;
	int encrypt_then_mac; /* -1 until a hello picked a CBC suite */
};

/* Folds the answer r to a hello that offered the extras into s (a ServerHello; else nothing). */
void dbtls_hsfacts_note(struct dbtls_hsfacts_seen *s, const struct dbtls_hello_result *r);

/* Fills f->hygiene (all but fallback_scsv/fallback_detail) from seen[v] of the highest accepted
 * version <= TLS 1.2; nothing when there is none or it saw no ServerHello. Extras the server
 * refused stay null (unknown). */
void dbtls_hsfacts_hygiene(const struct dbtls_hsfacts_seen seen[DBTLS_NVERSIONS],
			   struct dbtls_endpoint_facts *f);

/* Judges the DHE prime p (n bytes, big-endian) into v: size, well-known name, prime, safe. */
void dbtls_hsfacts_dh_prime(const uint8_t *p, size_t n, struct dbtls_vuln_facts *v);

/* One connection offering suites of version v (<= TLS 1.2) that reads the server's flight and
 * sends an early CCS (CVE-2014-0224) into vout->ccs_*, offering status_request and
 * encrypt_then_mac too unless extras is false (the server refused them); when the flight was
 * complete, its CertificateRequest goes to *ca (probed set). With heartbeat (negotiated before),
 * one more connection for Heartbleed into vout->heartbleed*; without, heartbleed = 0 "not
 * negotiated". Returns OK or the connection error (d says why). */
enum dbtls_err dbtls_hsfacts_flight(const struct dbtls_hsfacts_io *io, enum dbtls_version v,
				    const uint32_t *suites, size_t nsuites, bool extras,
				    bool heartbeat, struct dbtls_vuln_facts *vout,
				    struct dbtls_client_auth_facts *ca, struct dbtls_diag *d);

/* TLS_FALLBACK_SCSV: one hello of version lo offering suites and the SCSV, into
 * h->fallback_scsv / fallback_detail. */
enum dbtls_err dbtls_hsfacts_fallback(const struct dbtls_hsfacts_io *io, enum dbtls_version lo,
				      const uint32_t *suites, size_t nsuites,
				      struct dbtls_hygiene_facts *h, struct dbtls_diag *d);

/* The version a fallback hello goes out with: TLS 1.2 (or the highest below it) when TLS 1.3 is
 * accepted, else the highest accepted below the highest <= TLS 1.2; -1 when there is none.
 * status[v] are the versions' outcomes. */
int dbtls_hsfacts_fallback_version(const enum dbtls_vstatus status[DBTLS_NVERSIONS]);

/* TLS 1.3 HRR preference for each accepted post-quantum group into f->groups13 (groups already
 * enumerated with TLS 1.3). */
enum dbtls_err dbtls_hsfacts_groups13(const struct dbtls_hsfacts_io *io, uint32_t *const cands[],
				      const size_t ncands[], struct dbtls_endpoint_facts *f,
				      struct dbtls_diag *d);

/* The signature-scheme enumerations (TLS 1.2 ServerKeyExchange, TLS 1.3 CertificateVerify) into
 * f->sigalgs; versions and suites already in f. */
enum dbtls_err dbtls_hsfacts_sigalgs(const struct dbtls_hsfacts_io *io,
				     struct dbtls_endpoint_facts *f, struct dbtls_diag *d);

/* After the certificate handshake: when it failed and the server accepts only post-quantum groups
 * for TLS 1.3 and no TLS 1.2, says so in f->groups13.note and in the handshake error (the local
 * TLS library has no ML-KEM before OpenSSL 3.5). */
void dbtls_hsfacts_explain_pq(struct dbtls_endpoint_facts *f);

#endif
