/* SPDX-License-Identifier: MIT */
/*
 * fuzz_client_hello.c — libFuzzer target for the ClientHello parser (src/wire/client_hello.c)
 * and the version test over what it parsed. Seeds: the recorded clients (tests/fixtures/clients).
 */
#include <stddef.h>
#include <stdint.h>

#include "src/wire/client_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbtls_client_hello ch;

	if (dbtls_client_hello_parse(data, size, &ch) == DBTLS_OK)
		for (uint16_t v = 0x0300; v <= 0x0304; v++)
			(void)dbtls_client_hello_offers(&ch, v);
	return 0;
}
