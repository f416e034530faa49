/* SPDX-License-Identifier: MIT */
/*
 * jks.c — JKS / JCEKS reader (format in jks.h). Every read goes through the bounds-checked reader
 * of src/core/buf.h; counts and lengths are checked against the bytes that are left before any
 * allocation, so a hostile file costs at most its own size.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "src/audit/jks.h"
#include "src/audit/util.h"
#include "src/core/buf.h"

#define DIGEST_LEN   20
#define JKS_WHITENER "Mighty Aphrodite"

static uint32_t rd_u32(struct dbtls_rd *r)
{
	uint32_t hi = dbtls_rd_u16(r);
	return (hi << 16) | dbtls_rd_u16(r);
}

bool dbtls_jks_sniff(const uint8_t *p, size_t n, bool *jceks)
{
	uint32_t magic, version;

	if (n < 8)
		return false;
	magic = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	version = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	if (magic != DBTLS_JKS_MAGIC && magic != DBTLS_JCEKS_MAGIC)
		return false;
	if (version != 1 && version != 2)
		return false;
	if (jceks)
		*jceks = magic == DBTLS_JCEKS_MAGIC;
	return true;
}

/* A Java UTF string: u16 length and modified UTF-8; copied as a C string (NUL bytes, which
 * modified UTF-8 never has, become '?'). */
static char *rd_utf(struct dbtls_rd *r)
{
	uint16_t len = dbtls_rd_u16(r);
	const uint8_t *b = dbtls_rd_bytes(r, len);
	char *s;

	if (!b || r->err)
		return NULL;
	s = malloc((size_t)len + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++)
		s[i] = b[i] ? (char)b[i] : '?';
	s[len] = '\0';
	return s;
}

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		err = dbtls_diag_set(d, code, __VA_ARGS__);                                        \
		goto out;                                                                          \
	} while (0)

static enum dbtls_err rd_cert(struct dbtls_rd *r, unsigned version, time_t now,
			      struct dbtls_audit_store_entry *e, size_t base, struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	const uint8_t *der;
	uint32_t len;
	size_t at;

	if (version == 2) {
		char *type = rd_utf(r);
		if (!type)
			FAIL(DBTLS_ERR_TRUNCATED, "offset %zu: certificate type cut short",
			     base - dbtls_rd_left(r));
		if (strcmp(type, "X.509") != 0) {
			free(type);
			FAIL(DBTLS_ERR_UNSUPPORTED, "offset %zu: certificate type is not X.509",
			     base - dbtls_rd_left(r));
		}
		free(type);
	}
	at = base - dbtls_rd_left(r);
	len = rd_u32(r);
	if (r->err || len > dbtls_rd_left(r))
		FAIL(DBTLS_ERR_TRUNCATED, "offset %zu: certificate of %u bytes cut short", at, len);
	der = dbtls_rd_bytes(r, len);
	err = dbtls_audit_cert_der_append(der, len, now, &e->certs, &e->ncerts, d);
	if (err && err != DBTLS_ERR_NOMEM)
		FAIL(DBTLS_ERR_INPUT, "offset %zu: certificate is not valid DER X.509", at);
out:
	return err;
}

static char *der_alg_oid(const uint8_t *p, uint32_t len)
{
	const unsigned char *q = p;
	X509_SIG *sig = d2i_X509_SIG(NULL, &q, len);
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	char buf[128];

	if (!sig)
		return NULL;
	X509_SIG_get0(sig, &alg, NULL);
	if (alg)
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
	buf[0] = '\0';
	if (obj)
		OBJ_obj2txt(buf, sizeof(buf), obj, 1);
	X509_SIG_free(sig);
	return buf[0] ? dbtls_strdup(buf) : NULL;
}

enum dbtls_err dbtls_jks_parse(const uint8_t *p, size_t n, time_t now,
			       struct dbtls_audit_store *out, struct dbtls_diag *d)
{
	enum dbtls_err err = DBTLS_OK;
	struct dbtls_rd r;
	uint32_t count;
	bool jceks = false;
	size_t body;

	memset(out, 0, sizeof(*out));
	if (!dbtls_jks_sniff(p, n, &jceks))
		return dbtls_diag_set(d, DBTLS_ERR_INPUT,
				      "not a JKS/JCEKS store (bad magic or version)");
	out->type = dbtls_strdup(jceks ? "JCEKS" : "JKS");
	if (!out->type)
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	if (n < 12 + DIGEST_LEN)
		return dbtls_diag_set(d, DBTLS_ERR_TRUNCATED, "store of %zu bytes is cut short", n);
	body = n - DIGEST_LEN;
	dbtls_rd_init(&r, p + 4, body - 4);
	out->version = rd_u32(&r);
	count = rd_u32(&r);
	/* an entry takes at least 14 bytes (tag, empty alias, date): no count beyond that is real
	 */
	if (count > dbtls_rd_left(&r) / 14)
		FAIL(DBTLS_ERR_INPUT, "offset 8: entry count %u is larger than the file", count);
	out->entries = calloc(count ? count : 1, sizeof(*out->entries));
	if (!out->entries)
		FAIL(DBTLS_ERR_NOMEM, "out of memory");
	for (uint32_t i = 0; i < count; i++) {
		struct dbtls_audit_store_entry *e = &out->entries[i];
		size_t at = body - dbtls_rd_left(&r);
		uint32_t tag = rd_u32(&r), klen, nchain;
		uint64_t ms;

		if (r.err)
			FAIL(DBTLS_ERR_TRUNCATED, "offset %zu: entry %u of %u cut short", at, i + 1,
			     count);
		if (tag < 1 || tag > 3 || (tag == 3 && !jceks))
			FAIL(DBTLS_ERR_INPUT, "offset %zu: entry %u has unknown tag %u", at, i + 1,
			     tag);
		out->nentries++;
		e->type = tag == 1   ? DBTLS_STORE_PRIVATE_KEY
			  : tag == 2 ? DBTLS_STORE_TRUSTED_CERT
				     : DBTLS_STORE_SECRET_KEY;
		e->alias = rd_utf(&r);
		if (!e->alias)
			FAIL(r.err ? DBTLS_ERR_TRUNCATED : DBTLS_ERR_NOMEM,
			     "offset %zu: alias of entry %u cut short", at, i + 1);
		ms = (uint64_t)rd_u32(&r) << 32;
		ms |= rd_u32(&r);
		if (r.err)
			FAIL(DBTLS_ERR_TRUNCATED, "offset %zu: entry %u cut short", at, i + 1);
		e->created = (time_t)(ms / 1000);
		if (tag == 3) {
			/* a serialised Java object with no length: nothing after it can be found */
			FAIL(DBTLS_ERR_UNSUPPORTED,
			     "offset %zu: secret key entry '%s' (Java serialised object) not read; "
			     "entries after it are not listed",
			     at, e->alias);
		}
		if (tag == 1) {
			at = body - dbtls_rd_left(&r);
			klen = rd_u32(&r);
			if (r.err || klen > dbtls_rd_left(&r))
				FAIL(DBTLS_ERR_TRUNCATED, "offset %zu: protected key cut short",
				     at);
			e->key_algorithm = der_alg_oid(dbtls_rd_bytes(&r, klen), klen);
			at = body - dbtls_rd_left(&r);
			nchain = rd_u32(&r);
			if (r.err)
				FAIL(DBTLS_ERR_TRUNCATED, "offset %zu: chain length cut short", at);
			if (nchain > dbtls_rd_left(&r) / 4)
				FAIL(DBTLS_ERR_INPUT,
				     "offset %zu: chain of %u certificates is larger "
				     "than the file",
				     at, nchain);
			for (uint32_t j = 0; j < nchain; j++) {
				err = rd_cert(&r, out->version, now, e, body, d);
				if (err)
					goto out;
			}
		} else {
			err = rd_cert(&r, out->version, now, e, body, d);
			if (err)
				goto out;
		}
	}
	if (dbtls_rd_left(&r) != 0)
		FAIL(DBTLS_ERR_INPUT, "offset %zu: %zu bytes after the last entry",
		     body - dbtls_rd_left(&r), dbtls_rd_left(&r));
	out->entries_complete = true;
out:
	return err;
}

/* UTF-8 -> UTF-16BE as Java's char[] holds the password; invalid bytes map to U+FFFD. */
static size_t utf16be(const char *s, uint8_t *o)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0;

	while (*u) {
		uint32_t cp;
		int extra;
		if (*u < 0x80) {
			cp = *u++;
			extra = 0;
		} else if ((*u & 0xe0) == 0xc0) {
			cp = *u++ & 0x1f;
			extra = 1;
		} else if ((*u & 0xf0) == 0xe0) {
			cp = *u++ & 0x0f;
			extra = 2;
		} else if ((*u & 0xf8) == 0xf0) {
			cp = *u++ & 0x07;
			extra = 3;
		} else {
			u++;
			cp = 0xfffd;
			extra = 0;
		}
		while (extra-- > 0) {
			if ((*u & 0xc0) != 0x80) {
				cp = 0xfffd;
				break;
			}
			cp = (cp << 6) | (*u++ & 0x3f);
		}
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000, hi = 0xd800 | (v >> 10),
				 lo = 0xdc00 | (v & 0x3ff);
			o[n++] = (uint8_t)(hi >> 8);
			o[n++] = (uint8_t)hi;
			o[n++] = (uint8_t)(lo >> 8);
			o[n++] = (uint8_t)lo;
		} else {
			o[n++] = (uint8_t)(cp >> 8);
			o[n++] = (uint8_t)cp;
		}
	}
	return n;
}

bool dbtls_jks_digest(const uint8_t *p, size_t n, const char *password, uint8_t md[20])
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t *pw = NULL;
	size_t pwlen;
	unsigned int mdlen = 0;
	bool ok = false;

	/* each UTF-8 byte yields at most 2 bytes of UTF-16 (4-byte sequences yield 4) */
	pw = malloc(2 * strlen(password) + 2);
	if (!pw)
		goto out;
	pwlen = utf16be(password, pw);
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) ||
	    !EVP_DigestUpdate(ctx, pw, pwlen) ||
	    !EVP_DigestUpdate(ctx, JKS_WHITENER, strlen(JKS_WHITENER)) ||
	    !EVP_DigestUpdate(ctx, p, n) || !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 20)
		goto out;
	ok = true;
out:
	if (pw) {
		OPENSSL_cleanse(pw, 2 * strlen(password) + 2);
		free(pw);
	}
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool dbtls_jks_verify(const uint8_t *p, size_t n, const char *password)
{
	uint8_t md[20];

	if (n < 12 + DIGEST_LEN || !dbtls_jks_sniff(p, n, NULL))
		return false;
	if (!dbtls_jks_digest(p, n - DIGEST_LEN, password, md))
		return false;
	return CRYPTO_memcmp(md, p + n - DIGEST_LEN, DIGEST_LEN) == 0;
}
