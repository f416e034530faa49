/* SPDX-License-Identifier: MIT */
/* fuzz_jks.c — libFuzzer target for the JKS/JCEKS reader (src/audit/jks.c): entry parsing and
 * the keyed SHA-1 check, plus the sniffer and the whole per-file audit of the same bytes. */
#include <stdint.h>
#include <stddef.h>

#include "src/audit/audit.h"
#include "src/audit/jks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct dbtls_audit_opts o = {.now = 1735689600, .no_defaults = true};
	struct dbtls_audit_store st;
	struct dbtls_audit_file f;
	struct dbtls_diag d;

	dbtls_jks_parse(data, size, 1735689600, &st, &d);
	dbtls_audit_store_free(&st);
	dbtls_jks_verify(data, size, "changeit");
	dbtls_audit_sniff(data, size);
	if (dbtls_audit_buffer(data, size, "fuzz.jks", &o, &f) == DBTLS_OK)
		dbtls_audit_file_free(&f);
	return 0;
}
