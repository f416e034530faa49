/* SPDX-License-Identifier: MIT */
/*
 * jks.h — Java KeyStore (JKS) and JCEKS files, read from the documented format; no C library reads
 * them. Layout (big-endian): magic 0xFEEDFEED (JKS) or 0xCECECECE (JCEKS), version (1 or 2),
 * entry count, then per entry a tag (1 private key, 2 trusted certificate, 3 secret key — JCEKS),
 * the alias (Java modified UTF-8 with a u16 length), the creation time (ms since 1970, u64), and
 * for a private key: the protected key (u32 length + EncryptedPrivateKeyInfo DER) and its chain
 * (u32 count; per certificate, in version 2, the type "X.509" as u16-length UTF, then u32 length +
 * DER); for a trusted certificate: one such certificate. The file ends with a 20-byte keyed
 * digest: SHA-1(password as UTF-16BE || "Mighty Aphrodite" || every byte before the digest).
 *
 * A JCEKS secret key entry is a Java-serialised SealedObject with no length in front of it, so the
 * entry list stops there (entries_complete false); the integrity check still covers the file.
 * Input is borrowed; everything written into the store is new (dbtls_audit_store_free). No I/O.
 */
#ifndef DBTLS_AUDIT_JKS_H
#define DBTLS_AUDIT_JKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "src/core/err.h"
#include "src/facts/audit.h"

#define DBTLS_JKS_MAGIC	  0xFEEDFEEDu
#define DBTLS_JCEKS_MAGIC 0xCECECECEu

/* True when p starts like a JKS or JCEKS store (magic and version 1 or 2); *jceks tells which. */
bool dbtls_jks_sniff(const uint8_t *p, size_t n, bool *jceks);

/* Reads the entries of p[0..n) into *out (type, version, entries; certificates' facts relative to
 * now). On a truncated or corrupt store returns INPUT or TRUNCATED with the byte offset in d,
 * and *out keeps what was read before (entries_complete false) so the caller may still report
 * it; the caller frees *out in every case. */
enum dbtls_err dbtls_jks_parse(const uint8_t *p, size_t n, time_t now,
			       struct dbtls_audit_store *out, struct dbtls_diag *d);

/* True when the trailing keyed SHA-1 of p[0..n) verifies under password (UTF-8, borrowed;
 * "" is the empty password). */
bool dbtls_jks_verify(const uint8_t *p, size_t n, const char *password);

/* Writes the trailing digest for password over p[0..n) into md[20] (tests build stores with it). */
bool dbtls_jks_digest(const uint8_t *p, size_t n, const char *password, uint8_t md[20]);

#endif
