/* SPDX-License-Identifier: MIT */
/* fuzz_policy.c — libFuzzer target for the user files the policy engine reads: any bytes as a
 * policy profile (--policy FILE: strict keys, types, extends, pins) and as a waiver file
 * (--waivers FILE). Both loaders take a path, so the bytes go into an in-memory file reached
 * through /proc/self/fd; a load that fails must leave nothing allocated (LeakSanitizer). */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checks/policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbtls_policy p;
	struct dbtls_waivers w;
	struct dbtls_diag d = {0};
	char path[64];
	int fd = memfd_create("fuzz-policy.json", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (dbtls_policy_load(path, &p, &d) == DBTLS_OK)
		dbtls_policy_free(&p);
	if (dbtls_waivers_load(path, &w, &d) == DBTLS_OK)
		dbtls_waivers_free(&w);
	close(fd);
	return 0;
}
