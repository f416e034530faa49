/* SPDX-License-Identifier: MIT */
/*
 * targets_src.h — the lazy target source of a scan: yields one target at a time from the
 * command line's targets, --targets FILE (read line by line), --targets - (standard input) and
 * CIDR ranges with a port (`10.0.0.0/28:3306`, `mysql://[fd00::]/120:3306`, expanded one address
 * at a time), dropping an endpoint named twice (by canonical id) and keeping only this --shard's
 * slice. Nothing but the current line, the current range and the set of ids seen is held, so a
 * list of any length costs the same.
 *
 * Bad input never costs traffic where it can be seen before the scan: a FILE is validated whole
 * in a first streaming pass (dbtls_targets_src_add_file keeps nothing but a count), a CIDR range
 * too large for --cidr-max is refused then. Standard input can only be read once, so it is
 * validated line by line as the scan reads it: a bad line ends the intake there, with
 * "-:LINE: reason" said, the targets read before it are scanned and reported, and the run fails.
 *
 * Ownership: the source copies what it is given (argv targets are borrowed until the source is
 * freed); each target it yields is new (dbtls_target_free). Messages (errors, notes about
 * duplicates) go through o->say, one line each, never with credentials typed into a target.
 */
#ifndef DBTLS_TARGETS_SRC_H
#define DBTLS_TARGETS_SRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"
#include "src/scan/target.h"

/* A CIDR range larger than this many addresses is refused unless --cidr-max says more: a /16
 * (IPv4) or a /112 (IPv6). A typo of /8 for /28 would otherwise scan 16 million addresses. */
#define DBTLS_CIDR_MAX_DEFAULT 65536

struct dbtls_targets_opts {
	unsigned shard_k, shard_n; /* --shard K/N; shard_n 0: every target */
	uint64_t cidr_max;	   /* the largest range expanded; 0: no limit (still < 2^62) */
	/* one line for the user (already formatted; the callee escapes it) */
	void (*say)(void *arg, const char *line);
	void *say_arg;
};

struct dbtls_targets_src;

/* A new, empty source (NULL when out of memory); o is copied. */
struct dbtls_targets_src *dbtls_targets_src_new(const struct dbtls_targets_opts *o);
void dbtls_targets_src_free(struct dbtls_targets_src *src);
/* Adds targets already parsed (borrowed until the source is freed), e.g. the command line's,
 * yielded first and in order; they are taken as already deduplicated and sharded. */
void dbtls_targets_src_add_parsed(struct dbtls_targets_src *src, const struct dbtls_target *t,
				  size_t n);
/* Adds a target string (a target or a CIDR range), checked now: INPUT with the reason said as
 * "target 'S': reason". */
enum dbtls_err dbtls_targets_src_add_arg(struct dbtls_targets_src *src, const char *s);
/* Adds --targets path: a file is read through once now to check every line (FILE:LINE: reason;
 * INPUT) and count its targets; "-" is standard input, checked as it is read. FILE when it
 * cannot be read. At most one "-". */
enum dbtls_err dbtls_targets_src_add_file(struct dbtls_targets_src *src, const char *path);
/* How many targets the source holds before duplicates and shards are dropped (a range counts
 * its addresses), and whether that is all (false with standard input: unknown). */
size_t dbtls_targets_src_count(const struct dbtls_targets_src *src, bool *exact);
/* The next target (struct dbtls_scan_source.next): *t new, or *done at the end. INPUT after a
 * bad line of standard input (said), FILE on a read error, NOMEM. */
enum dbtls_err dbtls_targets_src_next(void *src, struct dbtls_target *t, bool *done);

/* Parses a CIDR range "[SCHEME://]A.B.C.D/N[:PORT]" or "[SCHEME://][ADDR]/N[:PORT]" (also
 * "[ADDR/N]:PORT"): OK with the first address, the count and the parts to rebuild each target;
 * INPUT with why when it is a range but a bad one (prefix, size over cidr_max); NOT_FOUND-like
 * false in *is_range when s is no range at all (then nothing is set). */
struct dbtls_cidr {
	char scheme[32]; /* "mysql://" as given, or "" */
	char port[8];	 /* ":3306" as given, or "" */
	bool v6;
	unsigned char base[16]; /* the first address (network order; IPv4 in base[0..3]) */
	uint64_t count;
};
enum dbtls_err dbtls_cidr_parse(const char *s, uint64_t cidr_max, bool *is_range,
				struct dbtls_cidr *out, char *why, size_t whylen);
/* The i-th target string of range c (i < c->count) into buf, e.g. "mysql://10.0.0.3:3306". */
void dbtls_cidr_target(const struct dbtls_cidr *c, uint64_t i, char *buf, size_t len);

#endif
