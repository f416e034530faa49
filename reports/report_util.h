/* SPDX-License-Identifier: MIT */
/*
 * report_util.h — what the report writers share: the one function that turns strings taken from
 * a scan into safe text for each output (HTML, Prometheus labels, terminal), the outcome of an
 * endpoint under a policy, and the scan id that ties the lines of one run together.
 *
 * Strings in facts come from the network (certificate subjects, server banners, error messages)
 * and are attacker-controlled: they may hold markup, quotes, control bytes and invalid UTF-8.
 * dbtls_esc_write() is the only place that decides how such a string is written; writers never
 * fputs() a fact directly.
 *
 * Ownership: nothing here keeps a pointer; dbtls_esc_strdup returns new.
 */
#ifndef DBTLS_REPORT_UTIL_H
#define DBTLS_REPORT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checks/policy/policy.h"
#include "src/facts/facts.h"

enum dbtls_esc_flags {
	DBTLS_ESC_TEXT = 0,	     /* terminal / plain text: only the sanitising below */
	DBTLS_ESC_HTML = 1u << 0,    /* & < > " ' as character references (text and attributes) */
	DBTLS_ESC_PROM = 1u << 1,    /* Prometheus label value: \ " and line feed as \\ \" \n */
	DBTLS_ESC_KEEP_NL = 1u << 2, /* line feeds pass through (multi-line evidence in HTML) */
};

/* Writes s (NULL writes nothing) to out as well-formed UTF-8 without control characters: a byte
 * that starts no well-formed UTF-8 sequence is written as the four characters \xNN, a C0/C1
 * control character or DEL as \xNN (\u00NN for C1), and a bidirectional override or isolate
 * (U+061C, U+200E/F, U+202A-E, U+2066-9, which can make text read differently from what it is) as
 * \uNNNN; tab is kept; line feed is kept only with DBTLS_ESC_KEEP_NL (or escaped as \n with
 * DBTLS_ESC_PROM). Then the format's own characters are escaped as flags say. */
void dbtls_esc_write(FILE *out, const char *s, unsigned flags);
/* The same for at most max bytes of s, cut at a character boundary, followed by " …" when
 * something was left out (long evidence in one-line summaries). */
void dbtls_esc_write_clipped(FILE *out, const char *s, size_t max, unsigned flags);
/* The same into a new string (caller frees); NULL on out of memory. s NULL gives "". */
char *dbtls_esc_strdup(const char *s, unsigned flags);
/* Length (1-4) of the well-formed UTF-8 sequence at s, with its code point in *cp; 0 when the
 * byte at s starts none (NUL counts as a one-byte sequence). */
size_t dbtls_utf8_seq(const char *s, uint32_t *cp);

/* An endpoint's outcome, counted the way dbtls_evaluate() counts (policy.h). */
enum dbtls_outcome {
	DBTLS_OUTCOME_PASSED,  /* judged: nothing (not waived) at or above fail_on */
	DBTLS_OUTCOME_FAILED,  /* judged: findings at or above fail_on */
	DBTLS_OUTCOME_ERRORED, /* could not be scanned completely, and nothing failed */
	DBTLS_OUTCOME_SCANNED, /* scanned, not judged (no policy) */
};
/* The outcome of endpoint e with its findings fs (NULL when not judged) under fail_on. */
enum dbtls_outcome dbtls_report_outcome(const struct dbtls_endpoint_facts *e,
					const struct dbtls_findings *fs,
					enum dbtls_severity fail_on);
/* "passed", "failed", "errored", "scanned" (borrowed, static). */
const char *dbtls_outcome_name(enum dbtls_outcome o);
/* The highest severity among fs's findings that are not waived, or -1 when none (fs may be
 * NULL). */
int dbtls_report_worst(const struct dbtls_findings *fs);

/* True when a certificate with this days_left (dbtls_days_between: whole days, truncated) and
 * not_after (0: unknown) has expired: days_left < 0, or 0 with not_after already past (expired
 * less than a whole day ago), so that a writer never says "0 days left" of an expired one. */
bool dbtls_report_expired(long days_left, time_t not_after);

/* An id that names one run and is the same in every format written from it: the start time and
 * 12 hex digits of SHA-256 over the tool version, the start time and the targets, e.g.
 * "20231114T221320Z-3f9a1c0b7d2e". Writes it into out (>= 32 bytes). */
void dbtls_report_scan_id(const struct dbtls_scan_facts *s, char *out, size_t outlen);

/* The HTML report's stylesheet, generated from data/report.css at build time (report_css_gen.c),
 * so the binary needs no data file at run time. */
extern const char dbtls_report_css[];

#endif
