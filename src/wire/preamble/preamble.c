/* SPDX-License-Identifier: MIT */
/* preamble.c — the registry of protocol preambles (see preamble.h). */
#include "src/wire/preamble/preamble.h"

#include <string.h>

static const struct dbtls_preamble *const preambles[] = {
    &dbtls_preamble_mysql,
    &dbtls_preamble_tls,
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
