/* SPDX-License-Identifier: MIT */
/*
 * suites.c — lookups over the cipher-suite registry declared in suites.h.
 *
 * The table itself (dbtls_suites[]) is generated from data/cipher-suites.csv into suites_gen.c.
 * The generator refuses input that is not sorted, TLS suites by code and then SSLv2 kinds by
 * code, so the table is ordered by the pair (is SSLv2 kind, code) and both code lookups are a
 * binary search on that pair. Everything here only reads the const table: no state, no locks.
 */
#include "src/registry/suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* Orders an entry against the key (sslv2, code) the way the generator orders the table. */
static int suites_cmp(const struct dbtls_suite *s, bool sslv2, uint32_t code)
{
	bool s_sslv2 = (s->flags & DBTLS_SF_SSLV2) != 0;

	if (s_sslv2 != sslv2)
		return s_sslv2 ? 1 : -1;
	if (s->code != code)
		return s->code > code ? 1 : -1;
	return 0;
}

static const struct dbtls_suite *suites_find(bool sslv2, uint32_t code)
{
	size_t lo = 0, hi = dbtls_nsuites;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = suites_cmp(&dbtls_suites[mid], sslv2, code);

		if (c == 0)
			return &dbtls_suites[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct dbtls_suite *dbtls_suite_by_code(uint16_t code)
{
	return suites_find(false, code);
}

const struct dbtls_suite *dbtls_suite_by_sslv2(uint32_t code)
{
	return suites_find(true, code);
}

const struct dbtls_suite *dbtls_suite_by_name(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	/*
	 * IANA names first, in a pass of their own, so an IANA name always wins over an OpenSSL
	 * name that happens to be spelled the same. Within the OpenSSL pass registry order decides,
	 * which is why "RC4-MD5" names the TLS suite rather than the SSLv2 kind OpenSSL also called
	 * that.
	 */
	for (i = 0; i < dbtls_nsuites; i++)
		if (strcmp(dbtls_suites[i].iana_name, name) == 0)
			return &dbtls_suites[i];
	for (i = 0; i < dbtls_nsuites; i++)
		if (dbtls_suites[i].openssl_name && strcmp(dbtls_suites[i].openssl_name, name) == 0)
			return &dbtls_suites[i];
	return NULL;
}

static bool suites_offerable(const struct dbtls_suite *s, enum dbtls_version v)
{
	switch (v) {
	case DBTLS_SSL2:
		return (s->flags & DBTLS_SF_SSLV2) != 0;
	case DBTLS_TLS13:
		return (s->flags & DBTLS_SF_TLS13) != 0;
	case DBTLS_SSL3:
	case DBTLS_TLS10:
	case DBTLS_TLS11:
	case DBTLS_TLS12:
		/*
		 * TLS 1.2-only suites stay in older hellos too: a server must ignore suites it
		 * cannot use at the version it picks, and a complete offer is what lets a probe
		 * see every suite the server would accept.
		 */
		return !(s->flags & (DBTLS_SF_SSLV2 | DBTLS_SF_TLS13 | DBTLS_SF_SCSV));
	case DBTLS_NVERSIONS:
		break;
	}
	return false;
}

size_t dbtls_suites_for_version(enum dbtls_version v, uint32_t *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < dbtls_nsuites; i++) {
		if (!suites_offerable(&dbtls_suites[i], v))
			continue;
		if (n < cap)
			out[n] = dbtls_suites[i].code;
		n++;
	}
	return n;
}

const struct dbtls_suite *dbtls_suite_lookup(uint32_t code)
{
	return code > 0xffff ? dbtls_suite_by_sslv2(code) : dbtls_suite_by_code((uint16_t)code);
}

const char *dbtls_suite_label(uint32_t code, char *hex, size_t hexlen)
{
	const struct dbtls_suite *s = dbtls_suite_lookup(code);

	if (s && s->iana_name)
		return s->iana_name;
	return dbtls_suite_hex(code, hex, hexlen);
}

const char *dbtls_suite_hex(uint32_t code, char *hex, size_t hexlen)
{
	snprintf(hex, hexlen, code > 0xffff ? "0x%06X" : "0x%04X", (unsigned)code);
	return hex;
}

enum dbtls_err dbtls_cipher_string_expand(const char *cipher_string, uint32_t **codes, size_t *n)
{
	enum dbtls_err err = DBTLS_ERR_UNSUPPORTED;
	SSL_CTX *ctx = NULL;
	STACK_OF(SSL_CIPHER) * sk;
	char *full = NULL;
	uint32_t *out = NULL;
	size_t k = 0;

	*codes = NULL;
	*n = 0;
	if (!cipher_string || asprintf(&full, "@SECLEVEL=0:%s", cipher_string) < 0) {
		full = NULL;
		err = cipher_string ? DBTLS_ERR_NOMEM : DBTLS_ERR_UNSUPPORTED;
		goto out;
	}
	ctx = SSL_CTX_new(TLS_method());
	if (!ctx) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	/* fails when nothing in the string selects a TLS <= 1.2 suite */
	if (SSL_CTX_set_cipher_list(ctx, full) != 1 || !(sk = SSL_CTX_get_ciphers(ctx)))
		goto out;
	out = calloc((size_t)sk_SSL_CIPHER_num(sk) + 1, sizeof(*out));
	if (!out) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		uint16_t id = SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, i));
		/* the TLS 1.3 suites (0x13xx) come from the ciphersuites setting, not this string
		 */
		if ((id & 0xFF00) == 0x1300)
			continue;
		out[k++] = id;
	}
	if (!k)
		goto out;
	*codes = out;
	*n = k;
	out = NULL;
	err = DBTLS_OK;
out:
	ERR_clear_error();
	free(out);
	free(full);
	SSL_CTX_free(ctx);
	return err;
}
