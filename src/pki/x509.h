/* SPDX-License-Identifier: MIT */
/*
 * x509.h — turn one OpenSSL certificate into the plain facts a report shows (struct dbtls_cert).
 *
 * The handshake probe (handshake.c) calls this for every certificate the server served; checks and
 * reports then only read struct dbtls_cert and never see an X509. The rule for this module: the
 * X509 is borrowed, everything written into struct dbtls_cert is new (heap strings the caller
 * releases with dbtls_cert_free() from facts.c). Nothing here does I/O.
 */
#ifndef DBTLS_X509_H
#define DBTLS_X509_H

#include <time.h>

#include <openssl/x509.h>

#include "src/core/err.h"
#include "src/facts/facts.h"

/* Fills *out (new strings) from x (borrowed); days_left is counted from now (the scan time).
 * A date that cannot be parsed leaves its string NULL and its time_t 0, and days_left 0.
 * On failure (NOMEM, INTERNAL, USAGE) frees what it allocated, leaves *out zeroed and fills d. */
enum dbtls_err dbtls_x509_cert_facts(X509 *x, time_t now, struct dbtls_cert *out,
				     struct dbtls_diag *d);

#endif
