/* SPDX-License-Identifier: MIT */
/* err.c — strings for the error list in err.h and the diag helpers. */
#include "src/core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dbtls_strerror(enum dbtls_err err)
{
	switch (err) {
#define XX(name, num, msg)                                                                         \
	case DBTLS_ERR_##name:                                                                     \
		return msg;
		DBTLS_ERR_MAP(XX)
#undef XX
	}
	return "unknown error";
}

const char *dbtls_errname(enum dbtls_err err)
{
	switch (err) {
#define XX(name, num, msg)                                                                         \
	case DBTLS_ERR_##name:                                                                     \
		return #name;
		DBTLS_ERR_MAP(XX)
#undef XX
	}
	return "UNKNOWN";
}

enum dbtls_err dbtls_diag_set(struct dbtls_diag *d, enum dbtls_err err, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}

void dbtls_diag_clear(struct dbtls_diag *d)
{
	if (d)
		memset(d, 0, sizeof(*d));
}
