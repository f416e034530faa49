/* SPDX-License-Identifier: MIT */
/*
 * suites.h — the cipher-suite registry: every IANA TLS cipher suite and the SSLv2 cipher kinds.
 *
 * The table is generated at build time from data/cipher-suites.csv (by data/gen-suites.awk into
 * suites_gen.c), so the binary needs no data file at run time. All pointers are borrowed, static.
 */
#ifndef DBTLS_SUITES_H
#define DBTLS_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/facts/facts.h"

enum dbtls_suite_flag {
	DBTLS_SF_EXPORT = 1u << 0,
	DBTLS_SF_ANON = 1u << 1, /* no server authentication (anon DH/ECDH) */
	DBTLS_SF_NULL = 1u << 2, /* no encryption */
	DBTLS_SF_RC4 = 1u << 3,
	DBTLS_SF_DES = 1u << 4, /* single DES (incl. DES40) */
	DBTLS_SF_3DES = 1u << 5,
	DBTLS_SF_CBC = 1u << 6,
	DBTLS_SF_AEAD = 1u << 7,
	DBTLS_SF_PFS = 1u << 8,	   /* ephemeral key exchange (DHE, ECDHE, TLS 1.3) */
	DBTLS_SF_SCSV = 1u << 9,   /* signalling value, not a suite */
	DBTLS_SF_TLS13 = 1u << 10, /* TLS 1.3 suite (negotiable only in TLS 1.3) */
	DBTLS_SF_SSLV2 = 1u << 11, /* SSLv2 cipher kind (3-byte code) */
	DBTLS_SF_TLS12 = 1u << 12, /* needs TLS 1.2 (SHA-256/384 PRF, GCM, CCM, ChaCha20 …) */
	DBTLS_SF_PSK = 1u << 13,
	DBTLS_SF_SRP = 1u << 14,
	DBTLS_SF_KRB5 = 1u << 15,
};

struct dbtls_suite {
	uint32_t code; /* 16-bit TLS code, or 24-bit SSLv2 kind when DBTLS_SF_SSLV2 */
	const char
	    *iana_name; /* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "SSL_CK_RC4_128_WITH_MD5" */
	const char *openssl_name; /* "ECDHE-RSA-AES128-GCM-SHA256", NULL where OpenSSL has none */
	const char
	    *kx; /* "ECDHE", "DHE", "RSA", "DH", "ECDH", "PSK", "SRP", "KRB5", "any" (TLS 1.3) */
	const char *auth;   /* "RSA", "ECDSA", "DSS", "anon", "PSK", "any" … */
	const char *cipher; /* "AES_128_GCM", "CHACHA20_POLY1305", "3DES_EDE_CBC", "NULL" … */
	uint16_t key_bits;  /* effective key bits (40 for export) */
	const char *mac;    /* "SHA256", "SHA", "MD5", "AEAD" */
	uint32_t flags;	    /* enum dbtls_suite_flag */
};

/* The whole registry, in code order (TLS suites first, then SSLv2 kinds). */
extern const struct dbtls_suite dbtls_suites[];
extern const size_t dbtls_nsuites;

/* Looks up a TLS suite (not an SSLv2 kind) by its 16-bit code; NULL when not in the registry. */
const struct dbtls_suite *dbtls_suite_by_code(uint16_t code);
/* Looks up an SSLv2 cipher kind by its 24-bit code; NULL when unknown. */
const struct dbtls_suite *dbtls_suite_by_sslv2(uint32_t code);
/* Looks up a code as facts store it: a 24-bit SSLv2 kind above 0xFFFF, else a TLS suite. */
const struct dbtls_suite *dbtls_suite_lookup(uint32_t code);
/* The one suite label: the IANA name of code for titles and evidence, or "0xC0FF" / "0x010080"
 * (dbtls_suite_hex) written into hex (hexlen >= 9) when the registry does not know it. Returns
 * borrowed static text or hex. */
const char *dbtls_suite_label(uint32_t code, char *hex, size_t hexlen);
/* code as hex, always: "0x%04X" for a TLS suite, "0x%06X" for an SSLv2 kind (above 0xFFFF),
 * written into hex (hexlen >= 9). Returns hex. */
const char *dbtls_suite_hex(uint32_t code, char *hex, size_t hexlen);
/* Looks up by IANA or OpenSSL name (exact, case-sensitive); NULL when unknown. */
const struct dbtls_suite *dbtls_suite_by_name(const char *name);
/* Fills out with the codes a ClientHello of version v can usefully offer (no SCSVs; TLS 1.3 suites
 * only for TLS 1.3; SSLv2 kinds only for SSLv2), in registry order; returns how many there are
 * (which may exceed cap: only cap are written). */
size_t dbtls_suites_for_version(enum dbtls_version v, uint32_t *out, size_t cap);

/* The TLS <= 1.2 suites an OpenSSL cipher string (a server's ssl_cipher) selects, as the local
 * OpenSSL expands it with "@SECLEVEL=0:" in front so that the local security level drops
 * nothing: a pure function of the string and the linked OpenSSL (no I/O, no global state).
 * Sets *codes (new, in the string's order) and *n. Errors: UNSUPPORTED when the local OpenSSL
 * selects no suite from it (unknown names, or only TLS 1.3 names: judge the tokens then), NOMEM.
 * A suite the local build lacks (RC4, single DES in OpenSSL 3) cannot show up: the expansion
 * is a lower bound of what the server enables. */
enum dbtls_err dbtls_cipher_string_expand(const char *cipher_string, uint32_t **codes, size_t *n);

#endif
