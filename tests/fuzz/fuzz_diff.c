/* SPDX-License-Identifier: MIT */
/* fuzz_diff.c — libFuzzer target for `dbtls diff`: the input is read as a report (loader, facts
 * reader, findings reader) and, when it reads, diffed against itself and written both ways. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "reports/diff.h"
#include "src/core/jsonload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbtls_diff_report r = {0};
	struct dbtls_diag d = {0};
	json_t *root = NULL, *diff;
	FILE *null;

	if (dbtls_json_load_buf("fuzz.json", (const char *)data, size, &root, &d))
		return 0;
	if (dbtls_diff_load_doc("fuzz.json", root, &r, &d) == DBTLS_OK) {
		diff = dbtls_diff_compute(&r, "old", &r, "new", DBTLS_SEV_LOW);
		null = fopen("/dev/null", "w");
		if (diff && null) {
			/* the same report on both sides: nothing appeared */
			if (dbtls_diff_alerts(diff))
				abort();
			dbtls_diff_write_text(diff, null, true);
			dbtls_diff_write_json(diff, null);
		}
		if (null)
			fclose(null);
		json_decref(diff);
		dbtls_diff_report_free(&r);
	}
	json_decref(root);
	return 0;
}
