/* SPDX-License-Identifier: MIT */
/* fuzz_targets.c — libFuzzer target for targets as users write them: every line of the input
 * through the target parser (and the canonical id of what parses, which must parse back to
 * itself, "?address=" included), and the whole input as a
 * --targets file (comments, BOM, NUL bytes, FILE:LINE errors) through an in-memory file; every
 * line as a CIDR range too, whose first and last targets must parse. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "app/cli.h"
#include "src/facts/facts.h"
#include "src/scan/target.h"
#include "src/scan/targets_src.h"

/* A line that is a good range: its first and last targets are targets (no cap: 0). */
static void fuzz_cidr(const char *line)
{
	struct dbtls_cidr c;
	struct dbtls_target t;
	char why[256], buf[128];
	bool is_range = false;

	if (dbtls_cidr_parse(line, 0, &is_range, &c, why, sizeof(why)) != DBTLS_OK || !is_range ||
	    !c.count)
		return;
	for (int k = 0; k < 2; k++) {
		dbtls_cidr_target(&c, k ? c.count - 1 : 0, buf, sizeof(buf));
		if (dbtls_target_parse(buf, &t, why, sizeof(why)) != DBTLS_OK)
			__builtin_trap(); /* a range that hands out a target nobody can scan */
		dbtls_target_free(&t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct dbtls_cli cli;
	char *text = malloc(size + 1), *line, *save = NULL, why[256], path[64];
	int fd;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!text || !sink) {
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct dbtls_target t;

		fuzz_cidr(line);
		if (dbtls_target_parse(line, &t, why, sizeof(why)) == DBTLS_OK) {
			/* the id of what parses is an id: waivers and pins written from a
			 * report's ids name the same endpoints */
			char *id = dbtls_target_id(&t), *back = NULL;

			if (id && dbtls_endpoint_id_parse(id, &back) == DBTLS_OK &&
			    strcmp(back, id))
				__builtin_trap();
			if (id && !back)
				__builtin_trap();
			free(back);
			free(id);
			dbtls_target_free(&t);
		}
	}
	free(text);
	fd = memfd_create("fuzz-targets.txt", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		memset(&cli, 0, sizeof(cli));
		dbtls_cli_read_targets(&cli, path, sink);
		dbtls_cli_free(&cli);
	}
	close(fd);
	return 0;
}
