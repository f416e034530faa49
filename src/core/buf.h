/* SPDX-License-Identifier: MIT */
/*
 * buf.h — a growable byte buffer for building packets, and a bounds-checked reader for parsing
 * them.
 *
 * Every read of bytes that came from the network goes through struct dbtls_rd: each getter checks
 * the remaining length first and, once a read has failed, every later read fails too (the reader is
 * "sticky"), so a parser can read a whole structure and test rd.err once at the end.
 * Ownership: a dbtls_buf owns its data; dbtls_buf_free() releases it. A dbtls_rd borrows its bytes.
 */
#ifndef DBTLS_BUF_H
#define DBTLS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dbtls_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool oom; /* an append failed; the buffer content is incomplete */
};

void dbtls_buf_init(struct dbtls_buf *b);
void dbtls_buf_free(struct dbtls_buf *b); /* b may be NULL */
void dbtls_buf_reset(struct dbtls_buf *b);
void dbtls_buf_u8(struct dbtls_buf *b, uint8_t v);
void dbtls_buf_u16(struct dbtls_buf *b, uint16_t v); /* big-endian, as TLS */
void dbtls_buf_u24(struct dbtls_buf *b, uint32_t v);
void dbtls_buf_u32le(struct dbtls_buf *b, uint32_t v); /* little-endian, as MySQL */
void dbtls_buf_bytes(struct dbtls_buf *b, const void *p, size_t n);
void dbtls_buf_zeros(struct dbtls_buf *b, size_t n);
/* Reserves a length field of width 1, 2 or 3 bytes; returns its offset for dbtls_buf_patch_len. */
size_t dbtls_buf_len_begin(struct dbtls_buf *b, int width);
/* Writes (current length - offset - width) big-endian into the field reserved at offset. */
void dbtls_buf_len_end(struct dbtls_buf *b, size_t offset, int width);

struct dbtls_rd {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool err; /* a read ran past the end: everything read since is zero */
};

void dbtls_rd_init(struct dbtls_rd *r, const uint8_t *p, size_t len);
size_t dbtls_rd_left(const struct dbtls_rd *r);
uint8_t dbtls_rd_u8(struct dbtls_rd *r);
uint16_t dbtls_rd_u16(struct dbtls_rd *r);
uint32_t dbtls_rd_u24(struct dbtls_rd *r);
uint16_t dbtls_rd_u16le(struct dbtls_rd *r);
uint32_t dbtls_rd_u32le(struct dbtls_rd *r);
/* Returns a borrowed pointer to the next n bytes and advances, or NULL (and sets err). */
const uint8_t *dbtls_rd_bytes(struct dbtls_rd *r, size_t n);
bool dbtls_rd_skip(struct dbtls_rd *r, size_t n);
/* Carves the next n bytes out as a sub-reader (borrowing); on overrun sub is empty and r->err set.
 */
bool dbtls_rd_sub(struct dbtls_rd *r, size_t n, struct dbtls_rd *sub);
/* Reads a NUL-terminated string of at most max bytes into a borrowed pointer/length; false if no
 * NUL. */
bool dbtls_rd_cstr(struct dbtls_rd *r, const char **s, size_t *n);

#endif
