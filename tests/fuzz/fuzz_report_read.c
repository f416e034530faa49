/* SPDX-License-Identifier: MIT */
/* fuzz_report_read.c — libFuzzer target for the saved-report reader (check --facts): any bytes
 * through the one JSON loader and the field table's reader, then, when they read, written and
 * read again — the round trip must hold for whatever the reader accepts. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/report.h"
#include "src/core/jsonload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbtls_scan_facts s, again;
	struct dbtls_diag d = {0};
	json_t *root = NULL, *doc = NULL;
	char *first = NULL, *second = NULL;

	if (dbtls_json_load_buf("fuzz.json", (const char *)data, size, &root, &d))
		return 0;
	if (dbtls_report_json_read_doc("fuzz.json", root, &s, &d) == DBTLS_OK) {
		doc = dbtls_report_json_doc(&s, NULL);
		first = doc ? json_dumps(doc, JSON_PRESERVE_ORDER) : NULL;
		if (doc && dbtls_report_json_read_doc("again", doc, &again, &d) == DBTLS_OK) {
			json_t *doc2 = dbtls_report_json_doc(&again, NULL);
			second = doc2 ? json_dumps(doc2, JSON_PRESERVE_ORDER) : NULL;
			/* what the writer writes, the reader reads back to the same document */
			if (first && second && strcmp(first, second) != 0)
				abort();
			json_decref(doc2);
			dbtls_scan_facts_free(&again);
		} else if (doc) {
			abort(); /* the reader refused what the writer wrote */
		}
		dbtls_scan_facts_free(&s);
	}
	free(first);
	free(second);
	json_decref(doc);
	json_decref(root);
	return 0;
}
