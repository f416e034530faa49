/* SPDX-License-Identifier: MIT */
/*
 * escape.c — the one escaping policy (see escape.h). Escaping is done in two steps on one walk
 * over the string: first anything that is not well-formed, printable UTF-8 becomes visible escape
 * text (so the result is always valid UTF-8 without control bytes), then the format's own special
 * characters are escaped.
 */
#include "src/core/escape.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

size_t dbtls_utf8_seq(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	/* the second byte has the tighter range; a NUL ends the string and fails the test */
	for (i = 1; i < n; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

static bool esc_bidi(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

void dbtls_esc_write(FILE *out, const char *s, unsigned flags)
{
	/* in a Prometheus label the backslash of our own escape text must itself be escaped */
	const char *bs = (flags & DBTLS_ESC_PROM) ? "\\\\" : "\\";
	uint32_t cp;
	size_t n;

	if (!s)
		return;
	while (*s) {
		n = dbtls_utf8_seq(s, &cp);
		if (n == 0) {
			fprintf(out, "%sx%02x", bs, (unsigned char)*s);
			s++;
			continue;
		}
		if (flags & DBTLS_ESC_JSON)
			fwrite(s, 1, n, out);
		else if (cp == '\n' && (flags & DBTLS_ESC_KEEP_NL) && !(flags & DBTLS_ESC_PROM))
			fputc('\n', out);
		else if (cp == '\n')
			fputs("\\n",
			      out); /* the exposition format's own escape, and readable text */
		else if (cp == '\t')
			fputc('\t', out);
		else if (cp < 0x20 || cp == 0x7f)
			fprintf(out, "%sx%02x", bs, (unsigned)cp);
		else if ((cp >= 0x80 && cp <= 0x9f) || esc_bidi(cp))
			fprintf(out, "%su%04x", bs, (unsigned)cp);
		else if ((flags & DBTLS_ESC_HTML) && cp < 0x80 && strchr("&<>\"'", (int)cp))
			fputs(cp == '&'	  ? "&amp;"
			      : cp == '<' ? "&lt;"
			      : cp == '>' ? "&gt;"
			      : cp == '"' ? "&quot;"
					  : "&#39;",
			      out);
		else if ((flags & DBTLS_ESC_PROM) && (cp == '\\' || cp == '"'))
			fprintf(out, "\\%c", (char)cp);
		else
			fwrite(s, 1, n, out);
		s += n;
	}
}

void dbtls_esc_write_clipped(FILE *out, const char *s, size_t max, unsigned flags)
{
	size_t n = 0, k;
	uint32_t cp;
	char *cut;

	if (!s)
		return;
	while (s[n]) {
		k = dbtls_utf8_seq(s + n, &cp);
		if (!k)
			k = 1; /* a stray byte is one (escaped) character */
		if (n + k > max)
			break;
		n += k;
	}
	if (!s[n]) {
		dbtls_esc_write(out, s, flags);
		return;
	}
	cut = strndup(s, n);
	if (cut)
		dbtls_esc_write(out, cut, flags);
	free(cut);
	fputs(" …", out);
}

char *dbtls_esc_strdup(const char *s, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	dbtls_esc_write(f, s, flags);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
