/* SPDX-License-Identifier: MIT */
/*
 * fuzz_hello.c — libFuzzer target for the server-answer parser (ServerHello, HelloRetryRequest,
 * ServerKeyExchange, alerts, SSLv2 SERVER-HELLO, MySQL ERR packets) and for a whole probe over the
 * replay seam, which adds the split-read and end-of-stream paths; and the whole-flight reader of
 * probes.c (CertificateRequest, ServerKeyExchange scheme and DH prime) with the CCS probe after it.
 */
#include <stdint.h>
#include <stddef.h>

#include <stdlib.h>

#include "src/wire/hello.h"
#include "src/wire/probes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t suites[] = {0xc02f, 0x0033, 0x1301};
	struct dbtls_hello_params p = {
	    .version = DBTLS_TLS12, .suites = suites, .nsuites = 3, .want_kex = true};
	struct dbtls_hello_result r;
	struct dbtls_diag d;
	struct dbtls_conn c;
	char desc[512];

	dbtls_hello_parse(data, size, NULL, false, &r);
	dbtls_hello_describe(&r, desc, sizeof(desc));
	dbtls_hello_parse(data, size, dbtls_preamble_mysql.error_packet, true, &r);
	dbtls_hello_describe(&r, desc, sizeof(desc));

	dbtls_conn_init_replay(&c, data, size);
	if (dbtls_hello_probe(&c, &dbtls_preamble_mysql, &p, &r, &d) == DBTLS_OK)
		dbtls_hello_describe(&r, desc, sizeof(desc));
	dbtls_conn_close(&c);

	struct dbtls_flight *fl = malloc(sizeof(*fl));
	enum dbtls_vuln_verdict v;
	if (fl) {
		dbtls_conn_init_replay(&c, data, size);
		if (dbtls_probe_flight(&c, &dbtls_preamble_tls, &p, fl, &d) == DBTLS_OK &&
		    fl->complete)
			dbtls_probe_ccs(&c, 0x0303, 1, &v, desc, sizeof(desc), &d);
		dbtls_conn_close(&c);
		free(fl);
	}
	return 0;
}
