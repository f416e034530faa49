/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ske.c — libFuzzer target aimed at the ServerKeyExchange parser: a well-formed TLS 1.2
 * ServerHello choosing a DHE, ECDHE or anonymous-DH suite (picked by the first input byte) is
 * followed by the fuzz input as the next handshake message(s), so every run reaches the
 * key-exchange parsing instead of dying in the record layer.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "src/wire/hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t suites[] = {0x0033, 0xc02f, 0x0034, 0xc018, 0x009e, 0x002f};
	struct dbtls_hello_result r;
	struct dbtls_buf b;
	size_t rl, hl;

	if (size < 1 || size > 16000)
		return 0;
	dbtls_buf_init(&b);
	dbtls_buf_u8(&b, 22);
	dbtls_buf_u16(&b, 0x0303);
	rl = dbtls_buf_len_begin(&b, 2);
	dbtls_buf_u8(&b, 2);
	hl = dbtls_buf_len_begin(&b, 3);
	dbtls_buf_u16(&b, 0x0303);
	dbtls_buf_zeros(&b, 32 + 1);
	dbtls_buf_u16(&b, suites[data[0] % (sizeof(suites) / sizeof(suites[0]))]);
	dbtls_buf_u8(&b, 0);
	dbtls_buf_len_end(&b, hl, 3);
	/* the fuzz input continues the same record: messages after the ServerHello */
	dbtls_buf_bytes(&b, data + 1, size - 1);
	dbtls_buf_len_end(&b, rl, 2);
	if (!b.oom)
		dbtls_hello_parse(b.data, b.len, NULL, true, &r);
	dbtls_buf_free(&b);
	return 0;
}
