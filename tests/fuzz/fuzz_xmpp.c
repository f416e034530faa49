/* SPDX-License-Identifier: MIT */
/* fuzz_xmpp.c — libFuzzer target for the XMPP stream reader (xmpp_proto.c): the input is fed
 * whole, then again in chunks whose sizes come from the first byte, and the two runs must agree
 * on the events and on what they found (the reader must not depend on where reads split). Also
 * builds a stream header with the input as the domain. Seeds: tests/fuzz/seeds/fuzz_xmpp
 * (Prosody's and ejabberd's greetings). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/wire/preamble/xmpp_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	enum dbtls_xmpp_event evs[64];
	size_t nev;
	enum dbtls_err err;
};

static void feed(struct dbtls_xmpp_parser *x, const uint8_t *p, size_t n, size_t step,
		 struct run *r)
{
	size_t pos = 0;

	r->nev = 0;
	r->err = DBTLS_OK;
	while (pos < n) {
		size_t chunk = n - pos < step ? n - pos : step, used = 0;
		enum dbtls_xmpp_event ev;

		r->err = dbtls_xmpp_feed(x, p + pos, chunk, &used, &ev, NULL);
		if (r->err)
			return;
		if (used == 0 || used > chunk || (ev == DBTLS_XMPP_EV_NONE && used != chunk))
			__builtin_trap();
		pos += used;
		if (ev != DBTLS_XMPP_EV_NONE && r->nev < 64)
			r->evs[r->nev++] = ev;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dbtls_xmpp_parser a, b;
	struct run ra, rb;
	struct dbtls_buf hb;
	size_t step = size ? (size_t)(data[0] % 13) + 1 : 1;
	char *dom;

	dbtls_xmpp_parser_init(&a);
	dbtls_xmpp_parser_init(&b);
	feed(&a, data, size, size ? size : 1, &ra);
	feed(&b, data, size, step, &rb);
	if (ra.err != rb.err || ra.nev != rb.nev ||
	    memcmp(ra.evs, rb.evs, ra.nev * sizeof(ra.evs[0])))
		__builtin_trap();
	if (!ra.err &&
	    (a.starttls != b.starttls || a.starttls_required != b.starttls_required ||
	     a.nmechanisms != b.nmechanisms || strcmp(a.from, b.from) ||
	     strcmp(a.error_condition, b.error_condition) || strcmp(a.error_text, b.error_text)))
		__builtin_trap();
	(void)dbtls_xmpp_software(&a);

	dom = malloc(size + 1);
	if (!dom)
		return 0;
	memcpy(dom, data, size);
	dom[size] = 0;
	dbtls_buf_init(&hb);
	(void)dbtls_xmpp_stream_header(&hb, DBTLS_XMPP_S2S, dom, size > 3 ? dom + 3 : NULL);
	dbtls_buf_free(&hb);
	free(dom);
	return 0;
}
