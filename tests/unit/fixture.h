/* SPDX-License-Identifier: MIT */
/*
 * fixture.h — reading the byte fixtures of tests/fixtures/ (captured from real servers by
 * tests/fixtures/capture.sh) in cmocka tests. The source tree is $DBTLS_SRCDIR (make check sets
 * it), else the current directory. Header-only: include it after <cmocka.h>.
 */
#ifndef DBTLS_TEST_FIXTURE_H
#define DBTLS_TEST_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Returns the contents of tests/fixtures/REL, NUL-terminated (new: the caller frees), its length
 * in *n; fails the test when it cannot be read. */
static inline uint8_t *fx_load(const char *rel, size_t *n)
{
	const char *src = getenv("DBTLS_SRCDIR") ? getenv("DBTLS_SRCDIR") : ".";
	char path[1024];
	uint8_t *p = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", src, rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s is missing (DBTLS_SRCDIR=%s)", path, src);
	for (;;) {
		size_t got;

		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			p = realloc(p, cap);
			if (!p)
				fail_msg("out of memory reading %s", path);
		}
		got = fread(p + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	p[len] = 0;
	*n = len;
	return p;
}

#endif
