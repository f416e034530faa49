/* SPDX-License-Identifier: MIT */
/*
 * report_util.c — endpoint outcomes and the scan id the writers share (see report_util.h); the
 * escaping of scan strings is src/core/escape.c.
 */
#include "reports/report_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

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
