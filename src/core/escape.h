/* SPDX-License-Identifier: MIT */
/*
 * escape.h — the one escaping policy for bytes that came from outside (the network, user files,
 * the command line): certificate subjects, server banners, error messages, policy keys, target
 * lines. They are attacker-controlled and may hold markup, quotes, terminal escapes and invalid
 * UTF-8. Every writer — report formats, stderr messages, the JSON report — goes through here;
 * nothing fputs() such a string directly.
 *
 * Ownership: nothing here keeps a pointer; dbtls_esc_strdup returns new.
 */
#ifndef DBTLS_ESCAPE_H
#define DBTLS_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum dbtls_esc_flags {
	DBTLS_ESC_TEXT = 0,	     /* terminal / plain text: only the sanitising below */
	DBTLS_ESC_HTML = 1u << 0,    /* & < > " ' as character references (text and attributes) */
	DBTLS_ESC_PROM = 1u << 1,    /* Prometheus label value: \ " and line feed as \\ \" \n */
	DBTLS_ESC_KEEP_NL = 1u << 2, /* line feeds pass through (multi-line evidence in HTML) */
	/* a JSON string value: only a byte that starts no well-formed UTF-8 sequence becomes \xNN;
	 * everything else, control characters and bidi overrides included, is kept as it is (the
	 * JSON encoder escapes controls as \u00NN), so valid UTF-8 round-trips exactly */
	DBTLS_ESC_JSON = 1u << 3,
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

#endif
