/* SPDX-License-Identifier: MIT */
/* buf.c — the packet builder and the bounds-checked reader declared in buf.h. */
#include "src/core/buf.h"

#include <stdlib.h>
#include <string.h>

void dbtls_buf_init(struct dbtls_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void dbtls_buf_free(struct dbtls_buf *b)
{
	if (!b)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void dbtls_buf_reset(struct dbtls_buf *b)
{
	b->len = 0;
	b->oom = false;
}

static bool buf_grow(struct dbtls_buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->oom)
		return false;
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void dbtls_buf_bytes(struct dbtls_buf *b, const void *p, size_t n)
{
	if (!n || !buf_grow(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void dbtls_buf_zeros(struct dbtls_buf *b, size_t n)
{
	if (!n || !buf_grow(b, n))
		return;
	memset(b->data + b->len, 0, n);
	b->len += n;
}

void dbtls_buf_u8(struct dbtls_buf *b, uint8_t v)
{
	dbtls_buf_bytes(b, &v, 1);
}

void dbtls_buf_u16(struct dbtls_buf *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	dbtls_buf_bytes(b, x, 2);
}

void dbtls_buf_u24(struct dbtls_buf *b, uint32_t v)
{
	uint8_t x[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	dbtls_buf_bytes(b, x, 3);
}

void dbtls_buf_u32le(struct dbtls_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	dbtls_buf_bytes(b, x, 4);
}

size_t dbtls_buf_len_begin(struct dbtls_buf *b, int width)
{
	size_t off = b->len;
	dbtls_buf_zeros(b, (size_t)width);
	return off;
}

void dbtls_buf_len_end(struct dbtls_buf *b, size_t offset, int width)
{
	size_t n;
	int i;

	if (b->oom || offset + (size_t)width > b->len)
		return;
	n = b->len - offset - (size_t)width;
	for (i = width - 1; i >= 0; i--) {
		b->data[offset + (size_t)i] = (uint8_t)n;
		n >>= 8;
	}
}

void dbtls_rd_init(struct dbtls_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->pos = 0;
	r->err = false;
}

size_t dbtls_rd_left(const struct dbtls_rd *r)
{
	return r->err ? 0 : r->len - r->pos;
}

const uint8_t *dbtls_rd_bytes(struct dbtls_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->pos) {
		r->err = true;
		return NULL;
	}
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

bool dbtls_rd_skip(struct dbtls_rd *r, size_t n)
{
	return dbtls_rd_bytes(r, n) != NULL;
}

uint8_t dbtls_rd_u8(struct dbtls_rd *r)
{
	const uint8_t *p = dbtls_rd_bytes(r, 1);
	return p ? p[0] : 0;
}

uint16_t dbtls_rd_u16(struct dbtls_rd *r)
{
	const uint8_t *p = dbtls_rd_bytes(r, 2);
	return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

uint32_t dbtls_rd_u24(struct dbtls_rd *r)
{
	const uint8_t *p = dbtls_rd_bytes(r, 3);
	return p ? ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2] : 0;
}

uint16_t dbtls_rd_u16le(struct dbtls_rd *r)
{
	const uint8_t *p = dbtls_rd_bytes(r, 2);
	return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

uint32_t dbtls_rd_u32le(struct dbtls_rd *r)
{
	const uint8_t *p = dbtls_rd_bytes(r, 4);
	return p ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
		       ((uint32_t)p[3] << 24)
		 : 0;
}

bool dbtls_rd_sub(struct dbtls_rd *r, size_t n, struct dbtls_rd *sub)
{
	const uint8_t *p = dbtls_rd_bytes(r, n);

	dbtls_rd_init(sub, p, p ? n : 0);
	if (!p && n)
		sub->err = true;
	return p != NULL || n == 0;
}

bool dbtls_rd_cstr(struct dbtls_rd *r, const char **s, size_t *n)
{
	const uint8_t *start, *nul;

	if (r->err)
		return false;
	start = r->p + r->pos;
	nul = memchr(start, 0, r->len - r->pos);
	if (!nul) {
		r->err = true;
		return false;
	}
	*s = (const char *)start;
	*n = (size_t)(nul - start);
	r->pos += *n + 1;
	return true;
}
