/* SPDX-License-Identifier: MIT */
/* preamble_tls.c — direct TLS (HTTPS-style ports, MySQL X with TLS in front, stunnel): the
 * ClientHello is the first thing on the wire, so there is nothing to do but note that TLS is on. */
#include "src/wire/preamble/preamble.h"

static enum dbtls_err tls_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				struct dbtls_server_info *out, struct dbtls_diag *d)
{
	(void)c;
	(void)t;
	(void)d;
	out->tls_offered = true;
	return DBTLS_OK;
}

const struct dbtls_preamble dbtls_preamble_tls = {
    .scheme = "tls",
    .default_port = 443,
    .supports = 0,
    .alpn = NULL, /* none unless --alpn asks for some */
    .product = NULL,
    .start = tls_start,
    .error_packet = NULL,
    .help = "direct TLS: the ClientHello is sent as soon as the TCP connection is up",
};
