/* SPDX-License-Identifier: MIT */
/* fuzz_diff.c — libFuzzer target for `dbtls diff`: the input is read as a report (loader, facts
 * reader, findings reader) and, when it reads, diffed against itself and written both ways; the
 * streaming diff (dbtls_diff_files: an index of OLD, NEW streamed) of the same bytes as a file
 * must say exactly what the in-memory one says. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
		char path[64];
		int fd = memfd_create("fuzz-diff", 0);

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		diff = dbtls_diff_compute(&r, path, &r, path, DBTLS_SEV_LOW);
		if (diff && fd >= 0 && write(fd, data, size) == (ssize_t)size) {
			json_t *streamed = NULL;
			char *a, *b;

			if (dbtls_diff_files(path, path, DBTLS_SEV_LOW, &streamed, &d) != DBTLS_OK)
				abort(); /* the stream refused what the whole-file reader read */
			a = json_dumps(diff, JSON_PRESERVE_ORDER);
			b = json_dumps(streamed, JSON_PRESERVE_ORDER);
			if (a && b && strcmp(a, b) != 0)
				abort();
			free(a);
			free(b);
			json_decref(streamed);
		}
		if (fd >= 0)
			close(fd);
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
