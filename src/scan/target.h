/* SPDX-License-Identifier: MIT */
/*
 * target.h — what the user names to scan: "mysql://host:port", "tls://host:port", "host:port",
 * "host", "[::1]:3306", parsed into a protocol (from the preamble registry), a host and a port.
 *
 * Ownership: a parsed target owns its strings (dbtls_target_free, NULL-safe); the preamble is
 * borrowed from the registry.
 */
#ifndef DBTLS_TARGET_H
#define DBTLS_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"
#include "src/wire/preamble/preamble.h"

struct dbtls_target {
	char *given;			       /* as the user wrote it */
	const struct dbtls_preamble *preamble; /* borrowed from the registry */
	char *host;			       /* name or address, IPv6 without brackets */
	uint16_t port;
	/* the numeric address to connect to, in canonical form: given as "?address=ADDR" (the
	 * form of the scan's ids), or set by the scheduler for each address of a name; NULL: the
	 * scan resolves host */
	char *addr;
};

/* Parses s into *t (new strings; free with dbtls_target_free). Schemes are case-insensitive. On
 * failure returns INPUT with the reason in why; the reason never repeats s (the caller names the
 * target, through dbtls_target_display), and credentials in s are never copied anywhere. */
enum dbtls_err dbtls_target_parse(const char *s, struct dbtls_target *t, char *why, size_t whylen);
void dbtls_target_free(struct dbtls_target *t);
/* A copy of s into *t (new strings), connecting to addr when addr is non-NULL (else s's own
 * addr). Returns OK or NOMEM (then *t is empty). */
enum dbtls_err dbtls_target_copy(const struct dbtls_target *s, const char *addr,
				 struct dbtls_target *t);
/* The canonical id of t (dbtls_endpoint_id_addr of its scheme, host, port and addr). New. */
char *dbtls_target_id(const struct dbtls_target *t);
/* Writes s as it may be shown back to the user into out: a "user:password@" part is replaced by
 * "…@", so credentials typed into a target are never echoed. Always NUL-terminates. */
void dbtls_target_display(const char *s, char *out, size_t outlen);

/* The stable 64-bit hash of a canonical endpoint id (dbtls_endpoint_id): FNV-1a 64 over its
 * bytes, then the splitmix64 finaliser. It decides --shard slices, so it is part of the
 * interface: it must never change (a slice would move between shard processes). */
uint64_t dbtls_target_id_hash(const char *id);
/* True when the endpoint with canonical id belongs to shard k of n (0 <= k < n): the hash
 * modulo n is k. n shards are disjoint and together hold every id, whatever the list order. */
bool dbtls_target_in_shard(const char *id, unsigned k, unsigned n);

#endif
