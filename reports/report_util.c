/* SPDX-License-Identifier: MIT */
/*
 * report_util.c — safe text for every output format, endpoint outcomes and the scan id (see
 * report_util.h). Escaping is done in two steps on one walk over the string: first anything that
 * is not well-formed, printable UTF-8 becomes visible escape text (so the result is always valid
 * UTF-8 without control bytes), then the format's own special characters are escaped.
 */
#include "reports/report_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

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
		if (cp == '\n' && (flags & DBTLS_ESC_KEEP_NL) && !(flags & DBTLS_ESC_PROM))
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

enum dbtls_outcome dbtls_report_outcome(const struct dbtls_endpoint_facts *e,
					const struct dbtls_findings *fs,
					enum dbtls_severity fail_on)
{
	/* the order matters and is evaluate.c's: a definite failure wins over an error */
	if (dbtls_report_worst(fs) >= (int)fail_on)
		return DBTLS_OUTCOME_FAILED;
	if (!dbtls_endpoint_scanned(e))
		return DBTLS_OUTCOME_ERRORED;
	return fs ? DBTLS_OUTCOME_PASSED : DBTLS_OUTCOME_SCANNED;
}

const char *dbtls_outcome_name(enum dbtls_outcome o)
{
	switch (o) {
	case DBTLS_OUTCOME_PASSED:
		return "passed";
	case DBTLS_OUTCOME_FAILED:
		return "failed";
	case DBTLS_OUTCOME_ERRORED:
		return "errored";
	case DBTLS_OUTCOME_SCANNED:
		break;
	}
	return "scanned";
}

int dbtls_report_worst(const struct dbtls_findings *fs)
{
	int worst = -1;

	for (size_t i = 0; fs && i < fs->n; i++)
		if (!fs->items[i].waived && (int)fs->items[i].severity > worst)
			worst = (int)fs->items[i].severity;
	return worst;
}

void dbtls_report_scan_id(const struct dbtls_scan_facts *s, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char when[24] = "", buf[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	time_t t = s->started_at;
	struct tm tm;
	bool ok;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, sizeof(buf), "%lld", (long long)s->started_at);
	/* every field ends in a NUL, so ("ab","c") and ("a","bc") differ */
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, s->tool_version ? s->tool_version : "",
			      strlen(s->tool_version ? s->tool_version : "") + 1) &&
	     EVP_DigestUpdate(ctx, buf, strlen(buf) + 1);
	for (size_t i = 0; ok && i < s->nendpoints; i++) {
		const char *tg = s->endpoints[i].target ? s->endpoints[i].target : "";
		ok = EVP_DigestUpdate(ctx, tg, strlen(tg) + 1);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen >= 6;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		snprintf(out, outlen, "%s", when);
		return;
	}
	snprintf(out, outlen, "%s-%02x%02x%02x%02x%02x%02x", when, md[0], md[1], md[2], md[3],
		 md[4], md[5]);
}

bool dbtls_report_expired(long days_left, time_t not_after)
{
	return days_left < 0 || (days_left == 0 && not_after && not_after < time(NULL));
}
