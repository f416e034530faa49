/* SPDX-License-Identifier: MIT */
/*
 * names.h — names of TLS registry codes (IANA "TLS Supported Groups", "TLS Alerts", "TLS
 * SignatureScheme"), in one place, with one label rule each: the name, or "0x%04X". (Cipher suites
 * have theirs next to the suite table: dbtls_suite_label() in src/registry/suites.h.)
 *
 * Ownership: every string returned here is borrowed and static, or the caller's own buffer.
 */
#ifndef DBTLS_NAMES_H
#define DBTLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TLS named groups (IANA "TLS Supported Groups"). */
#define DBTLS_GROUP_SECP256R1 0x0017
#define DBTLS_GROUP_SECP384R1 0x0018
#define DBTLS_GROUP_SECP521R1 0x0019
#define DBTLS_GROUP_X25519    0x001d
#define DBTLS_GROUP_X448      0x001e
#define DBTLS_GROUP_FFDHE2048 0x0100
/* post-quantum: pure ML-KEM and the hybrid groups */
#define DBTLS_GROUP_MLKEM512	       0x0200
#define DBTLS_GROUP_MLKEM768	       0x0201
#define DBTLS_GROUP_MLKEM1024	       0x0202
#define DBTLS_GROUP_SECP256R1MLKEM768  0x11eb
#define DBTLS_GROUP_X25519MLKEM768     0x11ec
#define DBTLS_GROUP_SECP384R1MLKEM1024 0x11ed

struct dbtls_group_info {
	uint16_t id;
	const char *name;      /* IANA name as users know it */
	const char *ossl;      /* OpenSSL group name used to make a key share, NULL: by type */
	const char *ossl_type; /* OpenSSL key type ("EC", "X25519", "DH"), NULL: no key share */
	bool tls13;	       /* allowed in TLS 1.3 */
};

/* Returns the borrowed table of every group we know and its length via *n. */
const struct dbtls_group_info *dbtls_groups_all(size_t *n);
/* Returns the borrowed entry for group, or NULL when unknown. */
const struct dbtls_group_info *dbtls_group_info(uint16_t group);
/* Returns the borrowed, static name of a named group ("x25519"), or NULL when unknown. */
const char *dbtls_group_name(uint16_t group);
/* The group's name, or "0x%04X" written into buf (len >= 7) for an unknown code; returns the
 * static name or buf. */
const char *dbtls_group_label(uint16_t group, char *buf, size_t len);
/* Looks a group up by its IANA name ("x25519", "secp256r1", "ffdhe2048"), the names OpenSSL and
 * Mozilla use ("prime256v1", "P-384", "X25519"), or "0xNNNN"; false when it is none of these. */
bool dbtls_group_by_name(const char *name, uint16_t *out);
/* True for the post-quantum groups (pure ML-KEM and the ML-KEM hybrids). */
bool dbtls_group_is_pq(uint16_t group);
/* Returns the borrowed, static name of a TLS alert description ("handshake_failure"), or
 * "unknown_alert". */
const char *dbtls_alert_name(uint8_t desc);

/* TLS signature schemes (IANA "TLS SignatureScheme", RFC 8446 §4.2.3), and the TLS 1.2
 * hash/signature pairs RFC 8446 left unnamed, under OpenSSL's names ("dsa_sha256"). */
struct dbtls_sigalg_info {
	uint16_t code;
	const char *name; /* "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256" … */
	bool offered;	  /* in the ClientHello's signature_algorithms list (table order) */
};
/* Returns the borrowed table, in the order a ClientHello offers them (widest first, so that
 * weak servers still answer), and its length via *n. */
const struct dbtls_sigalg_info *dbtls_sigalgs_all(size_t *n);
/* Fills out with the codes a ClientHello offers, in that order; returns how many there are
 * (which may exceed cap: only cap are written). */
size_t dbtls_sigalgs_offered(uint16_t *out, size_t cap);
/* Returns the borrowed, static name of a signature scheme, or NULL when unknown. */
const char *dbtls_sigalg_name(uint16_t code);
/* The scheme's name, or "0x%04X" written into buf (len >= 7) for an unknown code; returns the
 * static name or buf. */
const char *dbtls_sigalg_label(uint16_t code, char *buf, size_t len);

#endif
