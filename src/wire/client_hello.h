/* SPDX-License-Identifier: MIT */
/*
 * client_hello.h — a ClientHello as a client sent it, parsed: the offer of a real database client
 * recorded by tests/clients/capture.py, from which `dbtls clients import` writes a client profile.
 *
 * The parser is the mirror of dbtls_hello_parse() (hello.h) and reads only through the
 * bounds-checked reader of src/core/buf.h; it is fuzzed by tests/fuzz/fuzz_client_hello.c. Lists
 * are kept in the client's order, GREASE values (RFC 8701) and SCSVs included as sent; the
 * result holds no pointers (fixed arrays, with a flag when a list was longer than they hold).
 *
 * Ownership: the result is a plain struct the caller owns (fixed arrays, nothing to free); the
 * input bytes are borrowed for the call only.
 */
#ifndef DBTLS_CLIENT_HELLO_H
#define DBTLS_CLIENT_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"

#define DBTLS_CH_MAX_SUITES    256
#define DBTLS_CH_MAX_LIST      64
#define DBTLS_CH_MAX_ALPN      8
#define DBTLS_CH_MAX_ALPN_NAME 255

struct dbtls_client_hello {
	uint16_t record_version; /* version of the first record header */
	uint16_t legacy_version; /* ClientHello.client_version */
	/* supported_versions in the client's order; without the extension, the one legacy_version
	 * (a TLS <= 1.2 client offers every version up to it: see dbtls_client_hello_offers) */
	uint16_t versions[DBTLS_CH_MAX_LIST];
	size_t nversions;
	bool has_supported_versions;
	uint16_t suites[DBTLS_CH_MAX_SUITES];
	size_t nsuites;
	uint8_t ncompression;		    /* compression methods offered */
	uint16_t groups[DBTLS_CH_MAX_LIST]; /* supported_groups */
	size_t ngroups;
	bool has_groups;
	uint16_t key_shares[DBTLS_CH_MAX_LIST]; /* the groups of the key_share entries */
	size_t nkey_shares;
	uint16_t sigalgs[DBTLS_CH_MAX_LIST]; /* signature_algorithms */
	size_t nsigalgs;
	bool has_sigalgs;
	uint16_t sigalgs_cert[DBTLS_CH_MAX_LIST]; /* signature_algorithms_cert, when sent */
	size_t nsigalgs_cert;
	uint16_t extensions[DBTLS_CH_MAX_LIST]; /* extension types in the order sent */
	size_t nextensions;
	bool sni_sent;
	char sni[256]; /* the host_name, bytes as sent with NUL shown as '?' */
	char alpn[DBTLS_CH_MAX_ALPN][DBTLS_CH_MAX_ALPN_NAME + 1];
	size_t nalpn;
	bool status_request;
	bool extended_master_secret;
	bool renegotiation_info; /* the extension or the SCSV 0x00FF */
	bool session_ticket;
	bool truncated_lists; /* some list was longer than its array: the rest was dropped */
};

/*
 * Parses the records in p (the first TLS handshake message, which may span records) into *ch.
 * Returns OK; TRUNCATED when the bytes end before the message does; PROTOCOL when they are not a
 * TLS ClientHello (not a handshake record, another message type, a malformed list). *ch is fully
 * written (zeroed first) in every case.
 */
enum dbtls_err dbtls_client_hello_parse(const uint8_t *p, size_t n, struct dbtls_client_hello *ch);

/* True when the TLS version wire code v (0x0300 … 0x0304) is offered: listed in
 * supported_versions, or, without it, not above legacy_version and at least TLS 1.0 (SSLv3 only
 * when legacy_version is SSLv3 itself; no client here offers it otherwise). */
bool dbtls_client_hello_offers(const struct dbtls_client_hello *ch, uint16_t v);

/* True for the GREASE code points of RFC 8701 (0x0A0A, 0x1A1A, … 0xFAFA). */
bool dbtls_grease(uint16_t v);

#endif
