/* SPDX-License-Identifier: MIT */
/* preamble.c — the registry of protocol preambles (see preamble.h) and the ALPN list helpers
 * both the raw hello engine and the OpenSSL handshake use. */
#include "src/wire/preamble/preamble.h"

#include <string.h>

/* The registry: one X(NAME) line per protocol file (src/wire/preamble/NAME.c ends in
 * `const struct dbtls_preamble dbtls_preamble_NAME`), which both declares and lists it. The order
 * is the order of `dbtls help` and of "known:" in target errors. */
#define DBTLS_PREAMBLES(X)                                                                         \
	X(mysql)                                                                                   \
	X(tls)                                                                                     \
	X(xmpp)                                                                                    \
	X(xmpp_server)                                                                             \
	X(xmpps)                                                                                   \
	X(postgres)                                                                                \
	X(postgres_direct)

#define PRE_DECLARE(name) extern const struct dbtls_preamble dbtls_preamble_##name;
DBTLS_PREAMBLES(PRE_DECLARE)
#undef PRE_DECLARE
#define PRE_ENTRY(name) &dbtls_preamble_##name,
static const struct dbtls_preamble *const preambles[] = {DBTLS_PREAMBLES(PRE_ENTRY)};
#undef PRE_ENTRY

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
