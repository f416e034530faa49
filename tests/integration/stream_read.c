/* SPDX-License-Identifier: MIT */
/* stream_read.c — reads a saved report through the streaming reader and counts what it
 * delivered: "endpoints N files M", exit 0; one line on stderr and exit 2 when the reader
 * refuses it. Used by test_report_stream.sh to measure one pass over a big report, and by
 * bench/report_memory.sh. */
#include <stdio.h>

#include "reports/json/report_stream.h"

struct counts {
	size_t endpoints, files;
};

static enum dbtls_err count_endpoint(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	(void)el;
	(void)d;
	((struct counts *)arg)->endpoints++;
	return DBTLS_OK;
}

static enum dbtls_err count_file(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	(void)el;
	(void)d;
	((struct counts *)arg)->files++;
	return DBTLS_OK;
}

int main(int argc, char **argv)
{
	const struct dbtls_report_stream_cb cb = {.endpoint = count_endpoint, .file = count_file};
	struct counts n = {0};
	struct dbtls_diag d = {0};

	if (argc != 2) {
		fprintf(stderr, "usage: stream_read REPORT.json\n");
		return 2;
	}
	if (dbtls_report_json_stream(argv[1], &cb, &n, &d)) {
		fprintf(stderr, "stream_read: %s\n", d.msg);
		return 2;
	}
	printf("endpoints %zu files %zu\n", n.endpoints, n.files);
	return 0;
}
