/* SPDX-License-Identifier: MIT */
/*
 * test_schema.c — data/report.schema.json is generated from the field table (reports/json/
 * fields.c): this fails when the file in the tree is not what the table generates, so a writer
 * that moved ahead of the schema (or a hand edit of the schema) is caught. `make schema`
 * regenerates the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void test_schema_is_generated(void **state)
{
	const char *src = getenv("DBTLS_SRCDIR") ? getenv("DBTLS_SRCDIR") : "..";
	char path[1024], *want, *have = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&have, &len);
	size_t line = 1;
	(void)state;

	assert_non_null(m);
	assert_int_equal(dbtls_report_schema_write(m), DBTLS_OK);
	fclose(m);
	snprintf(path, sizeof(path), "%s/data/report.schema.json", src);
	want = slurp(path);
	if (!want)
		fail_msg("%s is missing (make schema writes it)", path);
	for (size_t i = 0; want[i] && want[i] == have[i]; i++)
		line += want[i] == '\n';
	if (strcmp(want, have) != 0) {
		free(want);
		free(have);
		fail_msg("%s differs from the schema the field table generates, from line %zu: run "
			 "`make schema` and review the diff",
			 path, line);
	}
	free(want);
	free(have);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_is_generated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
