/* SPDX-License-Identifier: MIT */
/*
 * probes.h — raw probes that read past the ServerHello: the whole TLS <= 1.2 server flight
 * (CertificateRequest, the ServerKeyExchange signature scheme and DH prime, ServerHelloDone), and
 * the two known-vulnerability probes that follow such a flight on the same connection: an early
 * ChangeCipherSpec (CVE-2014-0224) and a heartbeat with a payload_length larger than its payload
 * (CVE-2014-0160).
 *
 * Safety for the server: each probe is one connection; the heartbeat claims 64 bytes more than it
 * carries and only the length of the answer's record header is looked at (its bytes are never
 * kept); the early CCS is what every 2014 scanner sent and patched servers answer it with an alert.
 * Rule for this module: conn, preamble and params are borrowed; results are plain values.
 */
#ifndef DBTLS_PROBES_H
#define DBTLS_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"
#include "src/wire/hello.h"
#include "src/wire/net.h"
#include "src/wire/preamble/preamble.h"

#define DBTLS_FLIGHT_MAX_CA	 16
#define DBTLS_FLIGHT_MAX_SIGALGS 64

struct dbtls_flight {
	struct dbtls_hello_result hello; /* the ServerHello (or the alert / close / garbage) */
	bool complete;			 /* ServerHelloDone seen */
	bool cert_request;		 /* a CertificateRequest in the flight */
	uint8_t cert_types[16];		 /* its certificate_types */
	size_t ncert_types;
	uint16_t req_sigalgs[DBTLS_FLIGHT_MAX_SIGALGS]; /* its supported_signature_algorithms */
	size_t nreq_sigalgs;
	char ca_names[DBTLS_FLIGHT_MAX_CA][256]; /* its certificate_authorities, RFC 2253 */
	size_t nca_names;
	size_t nca_total;    /* names listed, may exceed DBTLS_FLIGHT_MAX_CA */
	uint16_t ske_sigalg; /* TLS 1.2 ServerKeyExchange signature scheme, 0 when none */
	uint8_t dh_p[1024];  /* DHE prime from the ServerKeyExchange (up to 8192 bits) */
	size_t dh_plen;	     /* 0 when none (or larger than dh_p) */
};

/* Sends the TLS <= 1.2 hello p over c (preamble done) and reads the server's flight up to the
 * ServerHelloDone into *out. A refusal (alert, close) is a result (OK, complete false); errors
 * are TIMEOUT/IO/NOMEM. */
enum dbtls_err dbtls_probe_flight(struct dbtls_conn *c, const struct dbtls_preamble *pre,
				  const struct dbtls_hello_params *p, struct dbtls_flight *out,
				  struct dbtls_diag *d);

/* Verdicts of the vulnerability probes. */
enum dbtls_vuln_verdict {
	DBTLS_VULN_UNKNOWN = -1, /* the server's answer proves neither */
	DBTLS_VULN_NO = 0,
	DBTLS_VULN_YES = 1,
};

/* After a complete flight on c: sends a ChangeCipherSpec before any key exchange and reads the
 * answer (wait_ms at most per read). Patched servers answer unexpected_message; a vulnerable
 * one takes it silently and then fails to decrypt a second CCS (bad_record_mac). Writes a one-line
 * description of what was seen into detail. */
enum dbtls_err dbtls_probe_ccs(struct dbtls_conn *c, uint16_t version, int wait_ms,
			       enum dbtls_vuln_verdict *verdict, char *detail, size_t detaillen,
			       struct dbtls_diag *d);

/* After a complete flight that negotiated the heartbeat extension: sends one heartbeat request
 * with no payload and payload_length 64, then a well-formed one; a response record longer than a
 * response to what was sent can be is the over-read. */
enum dbtls_err dbtls_probe_heartbleed(struct dbtls_conn *c, uint16_t version, int wait_ms,
				      enum dbtls_vuln_verdict *verdict, char *detail,
				      size_t detaillen, struct dbtls_diag *d);

#endif
