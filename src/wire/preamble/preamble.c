/* SPDX-License-Identifier: MIT */
/* preamble.c — the registry of protocol preambles (see preamble.h) and the ALPN list helpers
 * both the raw hello engine and the OpenSSL handshake use. */
#include "src/wire/preamble/preamble.h"

#include <string.h>

/* Each descriptor: declared here (preamble.h needs no line), listed below. The order is the
 * order of `dbtls help` and of "known:" in target errors. */
extern const struct dbtls_preamble dbtls_preamble_mysql;
extern const struct dbtls_preamble dbtls_preamble_tls;
extern const struct dbtls_preamble dbtls_preamble_postgres, dbtls_preamble_postgres_direct;

static const struct dbtls_preamble *const preambles[] = {
    &dbtls_preamble_mysql,
    &dbtls_preamble_tls,
    &dbtls_preamble_postgres,
    &dbtls_preamble_postgres_direct,
};

const struct dbtls_preamble *dbtls_preamble_find(const char *scheme)
{
	for (size_t i = 0; i < sizeof(preambles) / sizeof(preambles[0]); i++)
		if (strcmp(preambles[i]->scheme, scheme) == 0)
			return preambles[i];
	return NULL;
}

const struct dbtls_preamble *const *dbtls_preamble_all(size_t *n)
{
	*n = sizeof(preambles) / sizeof(preambles[0]);
	return preambles;
}

bool dbtls_alpn_valid(const char *const *list)
{
	size_t n = 0;

	for (; list && list[n]; n++) {
		size_t len = strlen(list[n]);

		if (n >= DBTLS_ALPN_MAX || len == 0 || len > DBTLS_ALPN_NAME_MAX)
			return false;
		for (size_t j = 0; j < n; j++)
			if (strcmp(list[j], list[n]) == 0)
				return false;
	}
	return true;
}

size_t dbtls_alpn_wire(const char *const *list, uint8_t *out, size_t cap)
{
	size_t o = 0;

	if (!dbtls_alpn_valid(list))
		return 0;
	for (size_t i = 0; list && list[i]; i++) {
		size_t len = strlen(list[i]);

		if (o + 1 + len > cap)
			return 0;
		out[o++] = (uint8_t)len;
		memcpy(out + o, list[i], len);
		o += len;
	}
	return o;
}
