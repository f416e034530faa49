/* SPDX-License-Identifier: MIT */
/*
 * keys.c — PEM / DER / PKCS#7 / PKCS#12 readers of the file audit (keys.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "src/audit/keys.h"
#include "src/audit/util.h"
#include "src/core/buf.h"

bool dbtls_audit_is_pem(const uint8_t *p, size_t n)
{
	return memmem(p, n, "-----BEGIN ", 11) != NULL;
}

/* never asked: a key that needs a password stays unread, it is classified from its armour */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	return 0;
}

static enum dbtls_err add_key(struct dbtls_audit_file *f, const struct dbtls_audit_key *k)
{
	struct dbtls_audit_key *n = realloc(f->keys, (f->nkeys + 1) * sizeof(*n));
	if (!n)
		return DBTLS_ERR_NOMEM;
	f->keys = n;
	f->keys[f->nkeys++] = *k;
	return DBTLS_OK;
}

static const char *label_type(const char *label)
{
	if (strncmp(label, "RSA ", 4) == 0)
		return "RSA";
	if (strncmp(label, "DSA ", 4) == 0)
		return "DSA";
	if (strncmp(label, "EC ", 3) == 0)
		return "EC";
	return NULL;
}

static unsigned ssh_u32(struct dbtls_rd *r)
{
	uint32_t hi = dbtls_rd_u16(r);
	return (hi << 16) | dbtls_rd_u16(r);
}

/* openssh-key-v1: magic, cipher, kdf, kdf options, key count, then the first public key blob,
 * whose first string is the key type and, for ssh-rsa, e and n follow. */
static void read_openssh(const uint8_t *b64, size_t len, struct dbtls_audit_key *k)
{
	uint8_t *raw = malloc(len);
	struct dbtls_rd r, pub;
	const uint8_t *s;
	uint32_t l;
	int n;

	if (!raw)
		return;
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int out1 = 0, out2 = 0;
	if (!ctx)
		goto out;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, raw, &out1, b64, (int)len) < 0 ||
	    EVP_DecodeFinal(ctx, raw + out1, &out2) < 0)
		goto out;
	n = out1 + out2;
	dbtls_rd_init(&r, raw, (size_t)n);
	if (!(s = dbtls_rd_bytes(&r, 15)) || memcmp(s, "openssh-key-v1", 15) != 0)
		goto out;
	l = ssh_u32(&r);
	s = dbtls_rd_bytes(&r, l);
	if (!s)
		goto out;
	k->encrypted = !(l == 4 && memcmp(s, "none", 4) == 0);
	l = ssh_u32(&r);
	dbtls_rd_skip(&r, l);
	l = ssh_u32(&r);
	dbtls_rd_skip(&r, l);
	ssh_u32(&r);
	l = ssh_u32(&r);
	if (!dbtls_rd_sub(&r, l, &pub))
		goto out;
	l = ssh_u32(&pub);
	s = dbtls_rd_bytes(&pub, l);
	if (!s || l > 64)
		goto out;
	char type[65];
	memcpy(type, s, l);
	type[l] = '\0';
	if (strcmp(type, "ssh-rsa") == 0) {
		k->type = dbtls_strdup("RSA");
		l = ssh_u32(&pub);
		dbtls_rd_skip(&pub, l);
		l = ssh_u32(&pub);
		s = dbtls_rd_bytes(&pub, l);
		while (s && l > 0 && *s == 0) {
			s++;
			l--;
		}
		if (s && l > 0) {
			int bits = (int)l * 8;
			for (uint8_t top = s[0]; !(top & 0x80); top <<= 1)
				bits--;
			k->bits = bits;
		}
	} else if (strcmp(type, "ssh-ed25519") == 0) {
		k->type = dbtls_strdup("ED25519");
		k->bits = 253;
	} else if (strncmp(type, "ecdsa-sha2-nistp", 16) == 0) {
		k->type = dbtls_strdup("EC");
		k->bits = atoi(type + 16);
	} else if (strcmp(type, "ssh-dss") == 0) {
		k->type = dbtls_strdup("DSA");
	} else {
		k->type = dbtls_strdup(type);
	}
out:
	EVP_ENCODE_CTX_free(ctx);
	free(raw);
}

static enum dbtls_err pkcs7_certs(PKCS7 *p7, time_t now, struct dbtls_audit_file *f, unsigned line)
{
	STACK_OF(X509) *certs = NULL;
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	int nid = OBJ_obj2nid(p7->type);

	if (nid == NID_pkcs7_signed && p7->d.sign)
		certs = p7->d.sign->cert;
	else if (nid == NID_pkcs7_signedAndEnveloped && p7->d.signed_and_enveloped)
		certs = p7->d.signed_and_enveloped->cert;
	for (int i = 0; i < sk_X509_num(certs); i++) {
		err = dbtls_audit_cert_append(sk_X509_value(certs, i), now, &f->certs, &f->ncerts,
					      &d);
		if (err == DBTLS_ERR_NOMEM)
			return err;
		if (err && dbtls_audit_add_error(f, err, "%s:%u: %s", f->path, line, d.msg))
			return DBTLS_ERR_NOMEM;
		if (!err)
			f->certs[f->ncerts - 1].line = line;
	}
	return DBTLS_OK;
}

static enum dbtls_err pem_block(const char *label, const uint8_t *blk, size_t len, unsigned line,
				time_t now, struct dbtls_audit_file *f, size_t *nkeyblocks)
{
	struct dbtls_audit_key k = {0};
	struct dbtls_diag d = {0};
	enum dbtls_err err = DBTLS_OK;
	BIO *bio = BIO_new_mem_buf(blk, (int)len);
	bool is_key = strstr(label, "PRIVATE KEY") != NULL;

	if (!bio)
		return DBTLS_ERR_NOMEM;
	if (strcmp(label, "CERTIFICATE") == 0 || strcmp(label, "X509 CERTIFICATE") == 0 ||
	    strcmp(label, "TRUSTED CERTIFICATE") == 0) {
		X509 *x = label[0] == 'T' ? PEM_read_bio_X509_AUX(bio, NULL, no_password, NULL)
					  : PEM_read_bio_X509(bio, NULL, no_password, NULL);
		if (!x) {
			err = dbtls_audit_add_error(
			    f, DBTLS_ERR_INPUT, "%s:%u: certificate does not parse", f->path, line);
			goto out;
		}
		err = dbtls_audit_cert_append(x, now, &f->certs, &f->ncerts, &d);
		X509_free(x);
		if (err && err != DBTLS_ERR_NOMEM)
			err = dbtls_audit_add_error(f, err, "%s:%u: %s", f->path, line, d.msg);
		else if (!err)
			f->certs[f->ncerts - 1].line = line;
		goto out;
	}
	if (strcmp(label, "PKCS7") == 0) {
		PKCS7 *p7 = PEM_read_bio_PKCS7(bio, NULL, no_password, NULL);
		if (!p7) {
			err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
						    "%s:%u: PKCS#7 bundle does not parse", f->path,
						    line);
			goto out;
		}
		err = pkcs7_certs(p7, now, f, line);
		PKCS7_free(p7);
		if (f->kind == DBTLS_AUDIT_UNKNOWN)
			f->kind = DBTLS_AUDIT_PKCS7;
		goto out;
	}
	if (!is_key)
		goto out; /* public keys, parameters, CSRs, CRLs: not audited */
	(*nkeyblocks)++;
	k.line = line;
	k.pem_label = dbtls_strdup(label);
	if (!k.pem_label) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	if (strcmp(label, "OPENSSH PRIVATE KEY") == 0) {
		k.format = DBTLS_KEYFMT_OPENSSH;
		const uint8_t *b = memchr(blk, '\n', len);
		const uint8_t *e = memmem(blk, len, "-----END", 8);
		if (b && e && e > b)
			read_openssh(b + 1, (size_t)(e - b - 1), &k);
		err = add_key(f, &k);
		goto out;
	}
	if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
		k.format = DBTLS_KEYFMT_PKCS8_ENCRYPTED;
		k.encrypted = true;
		err = add_key(f, &k);
		goto out;
	}
	if (memmem(blk, len, "Proc-Type: 4,ENCRYPTED", 22)) {
		k.format = DBTLS_KEYFMT_PEM_ENCRYPTED;
		k.encrypted = true;
		if (label_type(label))
			k.type = dbtls_strdup(label_type(label));
		err = add_key(f, &k);
		goto out;
	}
	k.format = strcmp(label, "PRIVATE KEY") == 0 ? DBTLS_KEYFMT_PKCS8
		   : label_type(label)		     ? DBTLS_KEYFMT_PKCS1
						     : DBTLS_KEYFMT_OTHER;
	EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	if (!pk) {
		ERR_clear_error();
		dbtls_audit_key_free(&k);
		err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
					    "%s:%u: private key (%s) does not parse", f->path, line,
					    label);
		goto out;
	}
	err = dbtls_audit_key_from_pkey(pk, &k);
	EVP_PKEY_free(pk);
	if (!err)
		err = add_key(f, &k);
out:
	if (err)
		dbtls_audit_key_free(&k);
	ERR_clear_error();
	BIO_free(bio);
	return err;
}

enum dbtls_err dbtls_audit_read_pem(const uint8_t *p, size_t n, time_t now,
				    struct dbtls_audit_file *f)
{
	size_t pos = 0, nkeyblocks = 0;
	unsigned line = 1;
	enum dbtls_err err;

	while (pos < n) {
		const uint8_t *nl = memchr(p + pos, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - (p + pos)) + 1 : n - pos;
		const char *s = (const char *)p + pos;

		if (ll > 16 && memcmp(s, "-----BEGIN ", 11) == 0) {
			char label[80], endline[100];
			const char *le = memmem(s + 11, ll - 11, "-----", 5);
			size_t lablen = le ? (size_t)(le - s - 11) : 0;
			unsigned start = line;
			if (!le || lablen == 0 || lablen >= sizeof(label)) {
				pos += ll;
				line++;
				continue;
			}
			memcpy(label, s + 11, lablen);
			label[lablen] = '\0';
			snprintf(endline, sizeof(endline), "-----END %s-----", label);
			const uint8_t *end = memmem(p + pos, n - pos, endline, strlen(endline));
			if (!end) {
				return dbtls_audit_add_error(
				    f, DBTLS_ERR_TRUNCATED, "%s:%u: PEM block '%s' has no END line",
				    f->path, start, label);
			}
			size_t blen = (size_t)(end - (p + pos)) + strlen(endline);
			for (size_t i = 0; i < blen; i++)
				if (p[pos + i] == '\n')
					line++;
			err = pem_block(label, p + pos, blen, start, now, f, &nkeyblocks);
			if (err)
				return err;
			pos += blen;
			continue;
		}
		pos += ll;
		line++;
	}
	if (f->kind == DBTLS_AUDIT_UNKNOWN || f->kind == DBTLS_AUDIT_PKCS7) {
		if (f->kind == DBTLS_AUDIT_PKCS7)
			;
		else if (nkeyblocks > 0)
			f->kind = DBTLS_AUDIT_PEM_KEY;
		else if (f->ncerts > 1)
			f->kind = DBTLS_AUDIT_PEM_BUNDLE;
		else if (f->ncerts == 1)
			f->kind = DBTLS_AUDIT_PEM_CERT;
	}
	return DBTLS_OK;
}

enum dbtls_err dbtls_audit_read_der(const uint8_t *p, size_t n, time_t now,
				    struct dbtls_audit_file *f)
{
	struct dbtls_audit_key k = {0};
	struct dbtls_diag d = {0};
	const unsigned char *q;
	enum dbtls_err err = DBTLS_ERR_UNSUPPORTED;

	if (n < 2 || p[0] != 0x30 || n > 0x7fffffff)
		return DBTLS_ERR_UNSUPPORTED;
	q = p;
	X509 *x = d2i_X509(NULL, &q, (long)n);
	if (x && q == p + n) {
		err = dbtls_audit_cert_append(x, now, &f->certs, &f->ncerts, &d);
		X509_free(x);
		if (!err)
			f->kind = DBTLS_AUDIT_DER_CERT;
		goto out;
	}
	X509_free(x);
	q = p;
	PKCS7 *p7 = d2i_PKCS7(NULL, &q, (long)n);
	if (p7 && q == p + n) {
		f->kind = DBTLS_AUDIT_PKCS7;
		err = pkcs7_certs(p7, now, f, 0);
		PKCS7_free(p7);
		goto out;
	}
	PKCS7_free(p7);
	q = p;
	X509_SIG *sig = d2i_X509_SIG(NULL, &q, (long)n);
	if (sig && q == p + n) {
		X509_SIG_free(sig);
		k.format = DBTLS_KEYFMT_PKCS8_ENCRYPTED;
		k.encrypted = true;
		f->kind = DBTLS_AUDIT_DER_KEY;
		err = add_key(f, &k);
		goto out;
	}
	X509_SIG_free(sig);
	q = p;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)n);
	if (p8 && q == p + n) {
		EVP_PKEY *pk = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
		k.format = DBTLS_KEYFMT_PKCS8;
		if (pk) {
			err = dbtls_audit_key_from_pkey(pk, &k);
			EVP_PKEY_free(pk);
			if (err)
				goto out;
		}
		f->kind = DBTLS_AUDIT_DER_KEY;
		err = add_key(f, &k);
		goto out;
	}
	PKCS8_PRIV_KEY_INFO_free(p8);
	static const int types[] = {EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_DSA};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		q = p;
		EVP_PKEY *pk = d2i_PrivateKey(types[i], NULL, &q, (long)n);
		if (pk && q == p + n) {
			k.format = DBTLS_KEYFMT_PKCS1;
			err = dbtls_audit_key_from_pkey(pk, &k);
			EVP_PKEY_free(pk);
			if (err)
				goto out;
			f->kind = DBTLS_AUDIT_DER_KEY;
			err = add_key(f, &k);
			goto out;
		}
		EVP_PKEY_free(pk);
	}
out:
	if (err && err != DBTLS_ERR_UNSUPPORTED)
		dbtls_audit_key_free(&k);
	ERR_clear_error();
	return err == DBTLS_ERR_INPUT ? DBTLS_OK : err;
}

bool dbtls_audit_is_pkcs12(const uint8_t *p, size_t n)
{
	const unsigned char *q = p;
	PKCS12 *p12;
	bool ok;

	if (n < 2 || p[0] != 0x30 || n > 0x7fffffff)
		return false;
	p12 = d2i_PKCS12(NULL, &q, (long)n);
	ok = p12 != NULL;
	PKCS12_free(p12);
	ERR_clear_error();
	return ok;
}

static bool legacy_alg(const X509_ALGOR *a)
{
	const ASN1_OBJECT *obj = NULL;
	int nid;

	if (!a)
		return false;
	X509_ALGOR_get0(&obj, NULL, NULL, a);
	nid = OBJ_obj2nid(obj);
	return nid == NID_pbe_WithSHA1And40BitRC2_CBC || nid == NID_pbe_WithSHA1And128BitRC2_CBC ||
	       nid == NID_pbe_WithSHA1And3_Key_TripleDES_CBC ||
	       nid == NID_pbe_WithSHA1And2_Key_TripleDES_CBC ||
	       nid == NID_pbe_WithSHA1And40BitRC4 || nid == NID_pbe_WithSHA1And128BitRC4 ||
	       nid == NID_pbeWithMD5AndDES_CBC || nid == NID_pbeWithSHA1AndDES_CBC;
}

struct p12bag {
	char *alias;
	ASN1_OCTET_STRING *keyid; /* borrowed from the bag */
	X509 *cert;		  /* new, cert bags only */
	bool is_key;
};

static enum dbtls_err p12_entries(PKCS12 *p12, const char *pw, time_t now,
				  struct dbtls_audit_store *st, struct dbtls_diag *d)
{
	STACK_OF(PKCS7) *asafes = PKCS12_unpack_authsafes(p12);
	STACK_OF(PKCS12_SAFEBAG) *all = sk_PKCS12_SAFEBAG_new_null();
	struct p12bag *bags = NULL;
	size_t nbags = 0, nkeys = 0;
	enum dbtls_err err = DBTLS_OK;

	if (!asafes || !all) {
		err =
		    dbtls_diag_set(d, DBTLS_ERR_INPUT, "PKCS#12 authenticated safes do not parse");
		goto out;
	}
	for (int i = 0; i < sk_PKCS7_num(asafes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(asafes, i);
		STACK_OF(PKCS12_SAFEBAG) *sb = NULL;
		int nid = OBJ_obj2nid(p7->type);
		if (nid == NID_pkcs7_data) {
			sb = PKCS12_unpack_p7data(p7);
		} else if (nid == NID_pkcs7_encrypted) {
			if (p7->d.encrypted && p7->d.encrypted->enc_data &&
			    legacy_alg(p7->d.encrypted->enc_data->algorithm))
				st->legacy_crypto = true;
			sb = PKCS12_unpack_p7encdata(p7, pw, -1);
		}
		if (!sb) {
			err = dbtls_diag_set(d, DBTLS_ERR_INPUT,
					     "PKCS#12 safe %d does not decrypt or parse", i + 1);
			goto out;
		}
		while (sk_PKCS12_SAFEBAG_num(sb) > 0)
			sk_PKCS12_SAFEBAG_push(all, sk_PKCS12_SAFEBAG_shift(sb));
		sk_PKCS12_SAFEBAG_free(sb);
	}
	bags = calloc((size_t)sk_PKCS12_SAFEBAG_num(all) + 1, sizeof(*bags));
	if (!bags) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < sk_PKCS12_SAFEBAG_num(all); i++) {
		PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(all, i);
		int nid = PKCS12_SAFEBAG_get_nid(bag);
		struct p12bag *b = &bags[nbags];
		if (nid == NID_keyBag || nid == NID_pkcs8ShroudedKeyBag) {
			b->is_key = true;
			nkeys++;
			if (nid == NID_pkcs8ShroudedKeyBag) {
				const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
				const X509_ALGOR *alg = NULL;
				if (sig)
					X509_SIG_get0(sig, &alg, NULL);
				if (legacy_alg(alg))
					st->legacy_crypto = true;
			}
		} else if (nid == NID_certBag &&
			   PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
			b->cert = PKCS12_SAFEBAG_get1_cert(bag);
			if (!b->cert)
				continue;
		} else {
			continue;
		}
		b->alias = PKCS12_get_friendlyname(bag);
		const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
		if (id && id->type == V_ASN1_OCTET_STRING)
			b->keyid = id->value.octet_string;
		nbags++;
	}
	st->entries = calloc(nbags + 1, sizeof(*st->entries));
	if (!st->entries) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	/* key entries first, each with the certificates sharing its localKeyId (the leaf), then
	 * every other certificate: with a key, a chain member; otherwise a trusted entry (keytool's
	 * trustedCertEntry). */
	for (size_t i = 0; i < nbags; i++) {
		if (!bags[i].is_key)
			continue;
		struct dbtls_audit_store_entry *e = &st->entries[st->nentries++];
		e->type = DBTLS_STORE_PRIVATE_KEY;
		e->alias = dbtls_strdup(bags[i].alias ? bags[i].alias : "");
		for (size_t j = 0; j < nbags; j++) {
			if (!bags[j].cert || !bags[i].keyid || !bags[j].keyid ||
			    ASN1_OCTET_STRING_cmp(bags[i].keyid, bags[j].keyid) != 0)
				continue;
			err = dbtls_audit_cert_append(bags[j].cert, now, &e->certs, &e->ncerts, d);
			if (err)
				goto out;
			X509_free(bags[j].cert);
			bags[j].cert = NULL;
		}
	}
	for (size_t j = 0; j < nbags; j++) {
		if (!bags[j].cert)
			continue;
		if (nkeys == 1 && !bags[j].alias && st->nentries > 0) {
			/* openssl pkcs12 -export puts the CA certificates next to the key, unnamed
			 */
			err = dbtls_audit_cert_append(bags[j].cert, now, &st->entries[0].certs,
						      &st->entries[0].ncerts, d);
		} else {
			struct dbtls_audit_store_entry *e = &st->entries[st->nentries++];
			e->type = DBTLS_STORE_TRUSTED_CERT;
			e->alias = dbtls_strdup(bags[j].alias ? bags[j].alias : "");
			err = dbtls_audit_cert_append(bags[j].cert, now, &e->certs, &e->ncerts, d);
		}
		if (err)
			goto out;
	}
	st->entries_complete = true;
out:
	for (size_t i = 0; bags && i < nbags; i++) {
		OPENSSL_free(bags[i].alias);
		X509_free(bags[i].cert);
	}
	free(bags);
	sk_PKCS12_SAFEBAG_pop_free(all, PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(asafes, PKCS7_free);
	return err;
}

enum dbtls_err dbtls_audit_read_pkcs12(const uint8_t *p, size_t n, time_t now,
				       const struct dbtls_audit_pw *pw, size_t npw,
				       struct dbtls_audit_file *f)
{
	OSSL_LIB_CTX *ctx = NULL, *prev = NULL;
	OSSL_PROVIDER *deflt = NULL, *legacy = NULL;
	struct dbtls_diag d = {0};
	const unsigned char *q = p;
	enum dbtls_err err = DBTLS_OK;
	PKCS12 *p12 = NULL;
	struct dbtls_audit_store *st;

	st = calloc(1, sizeof(*st));
	if (!st || !(st->type = dbtls_strdup("PKCS12"))) {
		free(st);
		return DBTLS_ERR_NOMEM;
	}
	f->store = st;
	f->kind = DBTLS_AUDIT_PKCS12;
	st->version = 3;
	/* our own context with default + legacy, current for this thread only while we read */
	ctx = OSSL_LIB_CTX_new();
	if (!ctx || !(deflt = OSSL_PROVIDER_load(ctx, "default"))) {
		err = DBTLS_ERR_INTERNAL;
		goto out;
	}
	legacy = OSSL_PROVIDER_load(ctx, "legacy"); /* absent: legacy stores do not open */
	prev = OSSL_LIB_CTX_set0_default(ctx);
	p12 = d2i_PKCS12(NULL, &q, (long)n);
	if (!p12) {
		err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT, "%s: PKCS#12 does not parse",
					    f->path);
		goto out;
	}
	for (size_t i = 0; i < npw; i++) {
		const char *pass = pw[i].password;
		bool ok = PKCS12_verify_mac(p12, pass, -1) == 1;
		if (!ok && pass[0] == '\0')
			ok = PKCS12_verify_mac(p12, NULL, 0) == 1;
		ERR_clear_error();
		if (!ok)
			continue;
		st->integrity_ok = true;
		st->pw_source = pw[i].source;
		st->pw_well_known = pw[i].well_known;
		if (pw[i].ref && !(st->pw_ref = dbtls_strdup(pw[i].ref))) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		err = p12_entries(p12, pass, now, st, &d);
		if (err == DBTLS_ERR_NOMEM)
			goto out;
		if (err) {
			err = dbtls_audit_add_error(f, err, "%s: %s%s", f->path, d.msg,
						    st->legacy_crypto && !legacy
							? " (needs OpenSSL's legacy provider)"
							: "");
		}
		goto out;
	}
out:
	if (prev)
		OSSL_LIB_CTX_set0_default(prev);
	PKCS12_free(p12);
	ERR_clear_error();
	OSSL_PROVIDER_unload(legacy);
	OSSL_PROVIDER_unload(deflt);
	OSSL_LIB_CTX_free(ctx);
	return err;
}
