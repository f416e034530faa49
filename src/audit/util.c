/* SPDX-License-Identifier: MIT */
/*
 * util.c — shared OpenSSL helpers of the file audit (util.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>

#include "src/audit/util.h"
#include "src/pki/x509.h"

void dbtls_audit_colon_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (i)
			out[o++] = ':';
		out[o++] = hex[p[i] >> 4];
		out[o++] = hex[p[i] & 15];
	}
	out[o] = '\0';
}

static void lower_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

bool dbtls_audit_spki_sha256(EVP_PKEY *k, char out[65])
{
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
	int len;

	out[0] = '\0';
	if (!k)
		return false;
	len = i2d_PUBKEY(k, &der);
	if (len <= 0)
		return false;
	SHA256(der, (size_t)len, md);
	OPENSSL_free(der);
	lower_hex(md, sizeof(md), out);
	return true;
}

enum dbtls_err dbtls_audit_cert_facts(X509 *x, time_t now, struct dbtls_audit_cert *out,
				      struct dbtls_diag *d)
{
	struct dbtls_audit_cert c = {0};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	enum dbtls_err err;

	err = dbtls_x509_cert_facts(x, now, &c.cert, d);
	if (err)
		return err;
	if (X509_digest(x, EVP_sha1(), md, &mdlen) && mdlen == 20)
		dbtls_audit_colon_hex(md, mdlen, c.sha1_colon);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) && mdlen == 32)
		dbtls_audit_colon_hex(md, mdlen, c.sha256_colon);
	dbtls_audit_spki_sha256(X509_get0_pubkey(x), c.spki_sha256);
	*out = c;
	return DBTLS_OK;
}

enum dbtls_err dbtls_audit_cert_append(X509 *x, time_t now, struct dbtls_audit_cert **arr,
				       size_t *n, struct dbtls_diag *d)
{
	struct dbtls_audit_cert c, *na;
	enum dbtls_err err;

	err = dbtls_audit_cert_facts(x, now, &c, d);
	if (err)
		return err;
	na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (!na) {
		dbtls_audit_cert_free(&c);
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	}
	*arr = na;
	na[(*n)++] = c;
	return DBTLS_OK;
}

enum dbtls_err dbtls_audit_cert_der_append(const uint8_t *der, size_t len, time_t now,
					   struct dbtls_audit_cert **arr, size_t *n,
					   struct dbtls_diag *d)
{
	const unsigned char *p = der;
	X509 *x;
	enum dbtls_err err;

	if (len > 0x7fffffff)
		return dbtls_diag_set(d, DBTLS_ERR_INPUT, "certificate too long");
	x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		return dbtls_diag_set(d, DBTLS_ERR_INPUT, "certificate is not valid DER X.509");
	}
	err = dbtls_audit_cert_append(x, now, arr, n, d);
	X509_free(x);
	return err;
}

enum dbtls_err dbtls_audit_key_from_pkey(EVP_PKEY *pk, struct dbtls_audit_key *k)
{
	const char *t = "OTHER";
	char spki[65];

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		t = "RSA";
		break;
	case EVP_PKEY_EC:
		t = "EC";
		break;
	case EVP_PKEY_DSA:
		t = "DSA";
		break;
	case EVP_PKEY_DH:
		t = "DH";
		break;
	case EVP_PKEY_ED25519:
		t = "ED25519";
		break;
	case EVP_PKEY_ED448:
		t = "ED448";
		break;
	default:
		break;
	}
	free(k->type);
	k->type = dbtls_strdup(t);
	k->bits = EVP_PKEY_get_bits(pk);
	free(k->spki_sha256);
	k->spki_sha256 = NULL;
	if (dbtls_audit_spki_sha256(pk, spki))
		k->spki_sha256 = dbtls_strdup(spki);
	if (!k->type)
		return DBTLS_ERR_NOMEM;
	return DBTLS_OK;
}

static _Thread_local struct dbtls_audit_secrets *sink;

struct dbtls_audit_secrets *dbtls_audit_secrets_sink(struct dbtls_audit_secrets *s)
{
	struct dbtls_audit_secrets *prev = sink;
	sink = s;
	return prev;
}

void dbtls_audit_secret_note(const char *group, const char *key, const char *value)
{
	struct dbtls_audit_secret *n;

	if (!sink)
		return;
	n = realloc(sink->v, (sink->n + 1) * sizeof(*n));
	if (!n)
		return; /* the store is then tried without it */
	sink->v = n;
	n[sink->n].group = group ? dbtls_strdup(group) : NULL;
	n[sink->n].key = dbtls_strdup(key);
	n[sink->n].value = dbtls_strdup(value);
	sink->n++;
}

void dbtls_audit_secrets_free(struct dbtls_audit_secrets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].group);
		free(s->v[i].key);
		if (s->v[i].value) {
			OPENSSL_cleanse(s->v[i].value, strlen(s->v[i].value));
			free(s->v[i].value);
		}
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

enum dbtls_err dbtls_audit_setting_add(struct dbtls_audit_file *f, const char *name,
				       const char *key, const char *value, const char *group,
				       const char *file, unsigned line, bool secret)
{
	if (secret)
		dbtls_audit_secret_note(group, key, value);
	return dbtls_audit_add_setting(f, name, key, value, group, file, line, secret);
}
