/* SPDX-License-Identifier: MIT */
/*
 * x509.c — certificate facts: names, SANs, dates, key, signature algorithm, fingerprint, PEM.
 *
 * Each field is read through the public OpenSSL 3 API and copied into malloc'd strings, so the
 * fact tree never holds OpenSSL memory and dbtls_cert_free() can release it with free(). The
 * certificate came from a server we do not trust: strings taken from it (SAN entries) are copied
 * with their length and control bytes escaped, so an embedded NUL cannot cut a name short.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* timegm() */
#endif

#include "src/pki/x509.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* Records the newest OpenSSL error (ours, pushed after the caller's mark) in d and returns err. */
static enum dbtls_err x5_fail(struct dbtls_diag *d, enum dbtls_err err, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	if (d)
		d->ssl_err = e;
	return dbtls_diag_set(d, err, "certificate %s: %s", what, e ? buf : dbtls_strerror(err));
}

/* Copies the contents of a memory BIO into a new NUL-terminated string; NULL when out of memory. */
static char *x5_bio_str(BIO *bio)
{
	char *data = NULL, *s;
	long n = BIO_get_mem_data(bio, &data);

	if (n < 0)
		n = 0;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

/* New string "prefix" + p[0..n), with control and non-ASCII bytes written as \xNN. */
static char *x5_escaped(const char *prefix, const unsigned char *p, size_t n)
{
	size_t plen = strlen(prefix), o;
	char *s = malloc(plen + 4 * n + 1);

	if (!s)
		return NULL;
	memcpy(s, prefix, plen);
	o = plen;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f)
			o += (size_t)sprintf(s + o, "\\x%02x", p[i]);
		else
			s[o++] = (char)p[i];
	}
	s[o] = '\0';
	return s;
}

static char *x5_name(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (!bio)
		goto out;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0)
		goto out;
	s = x5_bio_str(bio);
out:
	BIO_free(bio);
	return s;
}

/* One SAN entry as "DNS:…", "IP:…", "email:…", "URI:…" (and the rarer kinds OpenSSL names the
 * same way); *skip is set for kinds with nothing useful to show. */
static char *x5_san(const GENERAL_NAME *gn, bool *skip)
{
	const ASN1_STRING *str;
	char ip[INET6_ADDRSTRLEN], oid[128], *dn, *s;
	int type;

	*skip = false;
	switch (gn->type) {
	case GEN_DNS:
		str = gn->d.dNSName;
		return x5_escaped("DNS:", ASN1_STRING_get0_data(str),
				  (size_t)ASN1_STRING_length(str));
	case GEN_EMAIL:
		str = gn->d.rfc822Name;
		return x5_escaped("email:", ASN1_STRING_get0_data(str),
				  (size_t)ASN1_STRING_length(str));
	case GEN_URI:
		str = gn->d.uniformResourceIdentifier;
		return x5_escaped("URI:", ASN1_STRING_get0_data(str),
				  (size_t)ASN1_STRING_length(str));
	case GEN_IPADD:
		str = gn->d.iPAddress;
		type = ASN1_STRING_length(str) == 4    ? AF_INET
		       : ASN1_STRING_length(str) == 16 ? AF_INET6
						       : 0;
		if (!type)
			return x5_escaped("IP:<invalid length>", NULL, 0);
		if (!inet_ntop(type, ASN1_STRING_get0_data(str), ip, sizeof(ip)))
			return x5_escaped("IP:<invalid>", NULL, 0);
		return x5_escaped("IP:", (const unsigned char *)ip, strlen(ip));
	case GEN_DIRNAME:
		dn = x5_name(gn->d.directoryName);
		if (!dn)
			return NULL;
		s = x5_escaped("DirName:", (const unsigned char *)dn, strlen(dn));
		free(dn);
		return s;
	case GEN_RID:
		if (OBJ_obj2txt(oid, sizeof(oid), gn->d.registeredID, 1) < 0)
			oid[0] = '\0';
		return x5_escaped("Registered ID:", (const unsigned char *)oid, strlen(oid));
	default:
		*skip = true; /* otherName, x400Address, ediPartyName */
		return NULL;
	}
}

static enum dbtls_err x5_sans(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	enum dbtls_err err = DBTLS_OK;
	int n = gens ? sk_GENERAL_NAME_num(gens) : 0;
	bool skip;

	if (n <= 0)
		goto out;
	c->sans = calloc((size_t)n, sizeof(*c->sans));
	if (!c->sans) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory reading SANs");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		char *s = x5_san(sk_GENERAL_NAME_value(gens, i), &skip);

		if (skip)
			continue;
		if (!s) {
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory reading SANs");
			goto out;
		}
		c->sans[c->nsans++] = s;
	}
out:
	GENERAL_NAMES_free(gens);
	return err;
}

/* Converts an ASN1_TIME; false when it does not parse (the certificate came from the network). */
static bool x5_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = timegm(&tm);
	return true;
}

static enum dbtls_err x5_dates(X509 *x, time_t now, struct dbtls_cert *c, struct dbtls_diag *d)
{
	char buf[32];

	if (x5_time(X509_get0_notBefore(x), &c->not_before_t)) {
		dbtls_rfc3339(c->not_before_t, buf, sizeof(buf));
		c->not_before = strdup(buf);
		if (!c->not_before)
			return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	}
	if (x5_time(X509_get0_notAfter(x), &c->not_after_t)) {
		dbtls_rfc3339(c->not_after_t, buf, sizeof(buf));
		c->not_after = strdup(buf);
		if (!c->not_after)
			return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		/* whole days, as every writer and check counts them (2162.7 days ago: -2162) */
		c->days_left = dbtls_days_between(now, c->not_after_t);
	}
	return DBTLS_OK;
}

static const char *x5_key_type_name(int id)
{
	switch (id) {
	case EVP_PKEY_RSA:
		return "RSA";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_DSA:
		return "DSA";
	case EVP_PKEY_ED25519:
		return "ED25519";
	case EVP_PKEY_ED448:
		return "ED448";
	case EVP_PKEY_DH:
	case EVP_PKEY_DHX:
		return "DH";
	default:
		return id != NID_undef ? OBJ_nid2sn(id) : NULL;
	}
}

static enum dbtls_err x5_key(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	EVP_PKEY *pkey = X509_get0_pubkey(x); /* borrowed; NULL when the key does not decode */
	ASN1_OBJECT *alg = NULL;
	const char *name = NULL;
	char buf[128];

	if (pkey) {
		name = x5_key_type_name(EVP_PKEY_get_base_id(pkey));
		if (!name)
			name = EVP_PKEY_get0_type_name(pkey); /* provider-only key types */
		c->key_bits = EVP_PKEY_get_bits(pkey);
		if (c->key_bits < 0)
			c->key_bits = 0;
		if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
		    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, buf,
						   sizeof(buf), NULL)) {
			c->curve = strdup(buf);
			if (!c->curve)
				return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		}
	}
	if (!name) {
		/* an unknown or broken key: still report the algorithm the certificate names */
		X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x));
		name = alg ? x5_key_type_name(OBJ_obj2nid(alg)) : NULL;
		if (!name && alg && OBJ_obj2txt(buf, sizeof(buf), alg, 1) > 0)
			name = buf;
	}
	if (name) {
		c->key_type = strdup(name);
		if (!c->key_type)
			return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	}
	return DBTLS_OK;
}

/*
 * The signature algorithm as OpenSSL names it ("sha256WithRSAEncryption"). RSASSA-PSS names its
 * hash in the parameters, not in the algorithm: X509_get_signature_info() decodes them, and the
 * name becomes "rsassaPss(sha1)", so that the hash is judged like any other (cert.signature-hash).
 */
static enum dbtls_err x5_sig_alg(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	int nid = X509_get_signature_nid(x), mdnid = NID_undef;
	const X509_ALGOR *algor = NULL;
	const ASN1_OBJECT *obj = NULL;
	const char *name = nid != NID_undef ? OBJ_nid2ln(nid) : NULL;
	char buf[128];

	if (nid == NID_rsassaPss) {
		/* 0 when the parameters do not decode: then the bare name, hash unknown */
		if (X509_get_signature_info(x, &mdnid, NULL, NULL, NULL) && mdnid != NID_undef &&
		    OBJ_nid2ln(mdnid)) {
			snprintf(buf, sizeof(buf), "%s(%s)", name, OBJ_nid2ln(mdnid));
			name = buf;
		}
	}
	if (!name) {
		X509_get0_signature(NULL, &algor, x);
		if (algor)
			X509_ALGOR_get0(&obj, NULL, NULL, algor);
		if (obj && OBJ_obj2txt(buf, sizeof(buf), obj, 1) > 0)
			name = buf;
	}
	if (name) {
		c->sig_alg = strdup(name);
		if (!c->sig_alg)
			return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	}
	return DBTLS_OK;
}

static enum dbtls_err x5_serial(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	enum dbtls_err err = DBTLS_OK;
	char *hex = NULL;

	if (!bn || !(hex = BN_bn2hex(bn))) { /* BN_bn2hex writes upper case */
		err = x5_fail(d, DBTLS_ERR_INTERNAL, "serial");
		goto out;
	}
	c->serial = strdup(hex);
	if (!c->serial)
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
out:
	OPENSSL_free(hex);
	BN_free(bn);
	return err;
}

static enum dbtls_err x5_fingerprint(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!X509_digest(x, EVP_sha256(), md, &len) || len != 32)
		return x5_fail(d, DBTLS_ERR_INTERNAL, "fingerprint");
	for (unsigned int i = 0; i < len; i++)
		snprintf(c->sha256 + 2 * i, 3, "%02x", md[i]);
	return DBTLS_OK;
}

static enum dbtls_err x5_pem(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	BIO *bio = BIO_new(BIO_s_mem());
	enum dbtls_err err = DBTLS_OK;

	if (!bio || !PEM_write_bio_X509(bio, x)) {
		err = x5_fail(d, DBTLS_ERR_INTERNAL, "PEM");
		goto out;
	}
	c->pem = x5_bio_str(bio);
	if (!c->pem)
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
out:
	BIO_free(bio);
	return err;
}

static enum dbtls_err x5_push(char ***arr, size_t *n, const char *s, struct dbtls_diag *d)
{
	char **na, *dup = strdup(s);

	na = dup ? realloc(*arr, (*n + 1) * sizeof(*na)) : NULL;
	if (!na) {
		free(dup);
		return x5_fail(d, DBTLS_ERR_NOMEM, "extensions");
	}
	*arr = na;
	(*arr)[(*n)++] = dup;
	return DBTLS_OK;
}

/* Extended key usage (short names or dotted OIDs) and key usage bits. */
static enum dbtls_err x5_usage(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	enum dbtls_err err = DBTLS_OK;
	char oid[80];

	uint32_t flags = X509_get_extension_flags(x);
	c->has_key_usage = (flags & EXFLAG_KUSAGE) != 0;
	c->key_usage = c->has_key_usage ? X509_get_key_usage(x) : 0;
	if (!eku)
		return DBTLS_OK;
	c->has_eku = true;
	for (int i = 0; !err && i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(o);
		if (nid != NID_undef && OBJ_nid2sn(nid))
			err = x5_push(&c->eku, &c->neku, OBJ_nid2sn(nid), d);
		else if (OBJ_obj2txt(oid, sizeof(oid), o, 1) > 0)
			err = x5_push(&c->eku, &c->neku, oid, d);
	}
	EXTENDED_KEY_USAGE_free(eku);
	return err;
}

/* Where revocation status can be asked: the AIA OCSP responder and the CRL distribution points. */
static enum dbtls_err x5_revocation_urls(X509 *x, struct dbtls_cert *c, struct dbtls_diag *d)
{
	STACK_OF(OPENSSL_STRING) *ocsp = X509_get1_ocsp(x);
	STACK_OF(DIST_POINT) *cdp = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	enum dbtls_err err = DBTLS_OK;

	if (ocsp && sk_OPENSSL_STRING_num(ocsp) > 0) {
		c->ocsp_url =
		    x5_escaped("", (const unsigned char *)sk_OPENSSL_STRING_value(ocsp, 0),
			       strlen(sk_OPENSSL_STRING_value(ocsp, 0)));
		if (!c->ocsp_url)
			err = x5_fail(d, DBTLS_ERR_NOMEM, "OCSP URL");
	}
	for (int i = 0; !err && cdp && i < sk_DIST_POINT_num(cdp); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(cdp, i);
		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;
		for (int k = 0; !err && k < sk_GENERAL_NAME_num(dp->distpoint->name.fullname);
		     k++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, k);
			if (gn->type != GEN_URI)
				continue;
			char *u =
			    x5_escaped("", ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
				       (size_t)ASN1_STRING_length(gn->d.uniformResourceIdentifier));
			if (!u) {
				err = x5_fail(d, DBTLS_ERR_NOMEM, "CRL URL");
				break;
			}
			err = x5_push(&c->crl_urls, &c->ncrl_urls, u, d);
			free(u);
		}
	}
	X509_email_free(ocsp);
	CRL_DIST_POINTS_free(cdp);
	return err;
}

enum dbtls_err dbtls_x509_cert_facts(X509 *x, time_t now, struct dbtls_cert *out,
				     struct dbtls_diag *d)
{
	struct dbtls_cert c;
	enum dbtls_err err = DBTLS_OK;

	if (!x || !out) {
		if (out)
			memset(out, 0, sizeof(*out));
		return dbtls_diag_set(d, DBTLS_ERR_USAGE, "dbtls_x509_cert_facts: NULL argument");
	}
	memset(&c, 0, sizeof(c));
	/* anything OpenSSL queues from here on is ours: dropped on success, reported on failure */
	ERR_set_mark();
	c.subject = x5_name(X509_get_subject_name(x));
	c.issuer = x5_name(X509_get_issuer_name(x));
	if (!c.subject || !c.issuer)
		err = x5_fail(d, DBTLS_ERR_NOMEM, "name");
	if (!err)
		err = x5_sans(x, &c, d);
	if (!err)
		err = x5_serial(x, &c, d);
	if (!err)
		err = x5_dates(x, now, &c, d);
	if (!err)
		err = x5_key(x, &c, d);
	if (!err)
		err = x5_sig_alg(x, &c, d);
	if (!err)
		err = x5_fingerprint(x, &c, d);
	if (!err)
		err = x5_pem(x, &c, d);
	if (!err)
		err = x5_usage(x, &c, d);
	if (!err)
		err = x5_revocation_urls(x, &c, d);
	if (err)
		goto out;
	/* issuer == subject (AKID, key usage agree) and the signature verifies with its own key */
	c.self_signed = X509_self_signed(x, 1) == 1;
	/* the field means basicConstraints CA:TRUE, not X509_check_ca()'s looser "could be a CA" */
	c.is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
out:
	ERR_pop_to_mark();
	if (err) {
		dbtls_cert_free(&c);
		memset(out, 0, sizeof(*out));
	} else {
		*out = c;
	}
	return err;
}
