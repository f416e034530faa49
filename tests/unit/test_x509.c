/* SPDX-License-Identifier: MIT */
/*
 * test_x509.c — unit tests for dbtls_x509_cert_facts() (src/x509.c).
 *
 * Keys and certificates are made here with the OpenSSL API at test time (nothing is checked in):
 * an RSA root CA, an RSA-2048 leaf it signs, a self-signed EC P-256 certificate, an expired
 * self-signed Ed25519 one and a certificate that names itself as issuer but is signed by another
 * key. The clock is a fixed `now`, so dates and days_left are exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "src/facts/facts.h"
#include "src/pki/x509.h"
#include "tests/unit/fixtures.h"

#define T_2024_01_01 ((time_t)1704067200)
#define T_2024_06_01 ((time_t)1717200000)
#define T_2025_01_01 ((time_t)1735689600)
#define T_2026_01_01 ((time_t)1767225600)
#define T_2054_01_01 ((time_t)2650838400)
#define NOW	     (T_2025_01_01 + 12 * 3600) /* 2025-01-01T12:00:00Z */

struct pki {
	EVP_PKEY *root_key, *leaf_key, *ec_key, *ed_key;
	X509 *root, *leaf, *ec, *expired, *forged;
};

/* A v3 certificate for key, signed by sign_key (issuer: issuer's subject, or its own when NULL). */
static X509 *tx_cert(EVP_PKEY *key, const char *cn, const char *o, const char *serial_hex,
		     time_t nb, time_t na, X509 *issuer, EVP_PKEY *sign_key, const char *bc,
		     const char *san, const EVP_MD *md)
{
	const char *const name[] = {"C", "DE", "O", o, "CN", cn, NULL};
	struct fx_ext exts[4] = {{0}};
	size_t n = 0;

	if (bc)
		exts[n++] = (struct fx_ext){NID_basic_constraints, bc};
	exts[n++] = (struct fx_ext){NID_subject_key_identifier, "hash"};
	if (san)
		exts[n++] = (struct fx_ext){NID_subject_alt_name, san};
	return fx_cert(&(struct fx_cert_spec){.key = key,
					      .sign_key = sign_key,
					      .issuer = issuer,
					      .name = name,
					      .serial_hex = serial_hex,
					      .not_before = nb,
					      .not_after = na,
					      .md = md,
					      .no_md = !md,
					      .exts = exts});
}

static int setup(void **state)
{
	struct pki *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->root_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	p->leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	p->ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	p->ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_true(p->root_key && p->leaf_key && p->ec_key && p->ed_key);

	p->root = tx_cert(p->root_key, "dbtls Test Root", "dbtls, test", "01", T_2024_01_01,
			  T_2054_01_01, NULL, p->root_key, "critical,CA:TRUE", NULL, EVP_sha256());
	p->leaf = tx_cert(p->leaf_key, "localhost", "dbtls, test", "0123456789ABCDEF", T_2024_01_01,
			  T_2026_01_01, p->root, p->root_key, "CA:FALSE",
			  "DNS:localhost,IP:127.0.0.1,IP:::1,IP:2001:db8::1,"
			  "email:ops@example.com,URI:https://db.example/",
			  EVP_sha256());
	p->ec = tx_cert(p->ec_key, "ec.example", "EC Org", "7F", T_2024_01_01, T_2026_01_01, NULL,
			p->ec_key, NULL, "DNS:ec.example", EVP_sha256());
	/* Ed25519 signs with no separate digest */
	p->expired = tx_cert(p->ed_key, "old.example", "Old Org", "02", T_2024_01_01, T_2024_06_01,
			     NULL, p->ed_key, NULL, NULL, NULL);
	/* subject == issuer but signed by the root: looks self-issued, is not self-signed */
	p->forged = tx_cert(p->ec_key, "forged.example", "Forged", "03", T_2024_01_01, T_2026_01_01,
			    NULL, p->root_key, NULL, NULL, EVP_sha256());
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pki *p = *state;

	X509_free(p->root);
	X509_free(p->leaf);
	X509_free(p->ec);
	X509_free(p->expired);
	X509_free(p->forged);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->leaf_key);
	EVP_PKEY_free(p->ec_key);
	EVP_PKEY_free(p->ed_key);
	free(p);
	return 0;
}

/* The SHA-256 fingerprint computed independently of x509.c. */
static void tx_fingerprint(X509 *x, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	static const char hex[] = "0123456789abcdef";

	assert_true(X509_digest(x, EVP_sha256(), md, &len));
	assert_int_equal(len, 32);
	for (unsigned int i = 0; i < len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* The PEM text must read back as the same certificate. */
static void tx_assert_pem(const char *pem, X509 *x)
{
	BIO *bio;
	X509 *back;

	assert_non_null(pem);
	assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE-----\n"));
	bio = BIO_new_mem_buf(pem, -1);
	assert_non_null(bio);
	back = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	assert_non_null(back);
	assert_int_equal(X509_cmp(back, x), 0);
	X509_free(back);
	BIO_free(bio);
}

static void test_leaf(void **state)
{
	struct pki *p = *state;
	struct dbtls_diag d = {0};
	struct dbtls_cert c;
	char fp[65];
	static const char *const sans[] = {
	    "DNS:localhost",  "IP:127.0.0.1",	       "IP:::1",
	    "IP:2001:db8::1", "email:ops@example.com", "URI:https://db.example/"};

	assert_int_equal(dbtls_x509_cert_facts(p->leaf, NOW, &c, &d), DBTLS_OK);
	assert_string_equal(c.subject, "CN=localhost,O=dbtls\\, test,C=DE");
	assert_string_equal(c.issuer, "CN=dbtls Test Root,O=dbtls\\, test,C=DE");
	assert_int_equal(c.nsans, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(c.sans[i], sans[i]);
	assert_string_equal(c.serial, "0123456789ABCDEF");
	assert_string_equal(c.not_before, "2024-01-01T00:00:00Z");
	assert_string_equal(c.not_after, "2026-01-01T00:00:00Z");
	assert_int_equal(c.not_before_t, T_2024_01_01);
	assert_int_equal(c.not_after_t, T_2026_01_01);
	assert_int_equal(c.days_left, 364); /* 364.5 days, rounded down */
	assert_string_equal(c.key_type, "RSA");
	assert_int_equal(c.key_bits, 2048);
	assert_null(c.curve);
	assert_string_equal(c.sig_alg, "sha256WithRSAEncryption");
	tx_fingerprint(p->leaf, fp);
	assert_string_equal(c.sha256, fp);
	assert_false(c.self_signed);
	assert_false(c.is_ca);
	tx_assert_pem(c.pem, p->leaf);
	dbtls_cert_free(&c);
	assert_int_equal(ERR_peek_error(), 0);
}

static void test_root(void **state)
{
	struct pki *p = *state;
	struct dbtls_cert c;
	char fp[65];

	assert_int_equal(dbtls_x509_cert_facts(p->root, NOW, &c, NULL), DBTLS_OK);
	assert_string_equal(c.subject, "CN=dbtls Test Root,O=dbtls\\, test,C=DE");
	assert_string_equal(c.subject, c.issuer);
	assert_int_equal(c.nsans, 0);
	assert_null(c.sans);
	assert_string_equal(c.serial, "01");
	/* past 2049: GeneralizedTime */
	assert_string_equal(c.not_after, "2054-01-01T00:00:00Z");
	assert_int_equal(c.not_after_t, T_2054_01_01);
	assert_int_equal(c.days_left, 10591); /* 2025-01-01T12:00 → 2054-01-01 */
	tx_fingerprint(p->root, fp);
	assert_string_equal(c.sha256, fp);
	assert_true(c.self_signed);
	assert_true(c.is_ca);
	tx_assert_pem(c.pem, p->root);
	dbtls_cert_free(&c);
}

static void test_ec_self_signed(void **state)
{
	struct pki *p = *state;
	struct dbtls_cert c;
	char fp[65];

	assert_int_equal(dbtls_x509_cert_facts(p->ec, NOW, &c, NULL), DBTLS_OK);
	assert_string_equal(c.subject, "CN=ec.example,O=EC Org,C=DE");
	assert_string_equal(c.issuer, "CN=ec.example,O=EC Org,C=DE");
	assert_int_equal(c.nsans, 1);
	assert_string_equal(c.sans[0], "DNS:ec.example");
	assert_string_equal(c.serial, "7F");
	assert_string_equal(c.key_type, "EC");
	assert_int_equal(c.key_bits, 256);
	assert_string_equal(c.curve, "prime256v1");
	assert_string_equal(c.sig_alg, "ecdsa-with-SHA256");
	tx_fingerprint(p->ec, fp);
	assert_string_equal(c.sha256, fp);
	assert_true(c.self_signed);
	assert_false(c.is_ca); /* no basicConstraints */
	tx_assert_pem(c.pem, p->ec);
	dbtls_cert_free(&c);
}

static void test_expired(void **state)
{
	struct pki *p = *state;
	struct dbtls_cert c;

	assert_int_equal(dbtls_x509_cert_facts(p->expired, NOW, &c, NULL), DBTLS_OK);
	assert_string_equal(c.not_after, "2024-06-01T00:00:00Z");
	assert_int_equal(c.days_left, -214); /* 214.5 days ago: 214 whole days elapsed */
	assert_string_equal(c.key_type, "ED25519");
	assert_int_equal(c.key_bits, 256); /* OpenSSL reports the key size, not 253 */
	assert_null(c.curve);
	assert_string_equal(c.sig_alg, "ED25519");
	assert_true(c.self_signed);
	assert_false(c.is_ca);
	dbtls_cert_free(&c);

	/* the day boundary: whole days (dbtls_days_between), so 0 from a day before not_after
	 * to a day after it (writers tell "expired" from not_after there), -1 a whole day after */
	assert_int_equal(dbtls_x509_cert_facts(p->expired, T_2024_06_01, &c, NULL), DBTLS_OK);
	assert_int_equal(c.days_left, 0);
	dbtls_cert_free(&c);
	assert_int_equal(dbtls_x509_cert_facts(p->expired, T_2024_06_01 + 1, &c, NULL), DBTLS_OK);
	assert_int_equal(c.days_left, 0);
	dbtls_cert_free(&c);
	assert_int_equal(dbtls_x509_cert_facts(p->expired, T_2024_06_01 + 86400, &c, NULL),
			 DBTLS_OK);
	assert_int_equal(c.days_left, -1);
	dbtls_cert_free(&c);
	assert_int_equal(dbtls_x509_cert_facts(p->expired, T_2024_06_01 - 86400, &c, NULL),
			 DBTLS_OK);
	assert_int_equal(c.days_left, 1);
	dbtls_cert_free(&c);
	/* the helper itself: whole days, truncated toward zero, both ways */
	assert_int_equal(dbtls_days_between(0, 2162 * 86400 + 60000), 2162);
	assert_int_equal(dbtls_days_between(2162 * 86400 + 60000, 0), -2162);
	assert_int_equal(dbtls_days_between(100, 100 + 86399), 0);
	assert_int_equal(dbtls_days_between(100, 100 - 86400), -1);
}

static void test_forged_self_issued(void **state)
{
	struct pki *p = *state;
	struct dbtls_cert c;

	assert_int_equal(dbtls_x509_cert_facts(p->forged, NOW, &c, NULL), DBTLS_OK);
	assert_string_equal(c.subject, c.issuer);
	assert_false(c.self_signed);
	assert_string_equal(c.sig_alg, "sha256WithRSAEncryption");
	assert_string_equal(c.key_type, "EC");
	dbtls_cert_free(&c);
	/* the failed signature check must not leave entries in the caller's error queue */
	assert_int_equal(ERR_peek_error(), 0);
}

static void test_null_args(void **state)
{
	struct dbtls_diag d = {0};
	struct dbtls_cert c;

	(void)state;
	memset(&c, 0x55, sizeof(c));
	assert_int_equal(dbtls_x509_cert_facts(NULL, NOW, &c, &d), DBTLS_ERR_USAGE);
	assert_null(c.subject);
	assert_int_equal(c.nsans, 0);
	assert_true(d.msg[0] != '\0');
	assert_int_equal(dbtls_x509_cert_facts(NULL, NOW, NULL, NULL), DBTLS_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_leaf),
	    cmocka_unit_test(test_root),
	    cmocka_unit_test(test_ec_self_signed),
	    cmocka_unit_test(test_expired),
	    cmocka_unit_test(test_forged_self_issued),
	    cmocka_unit_test(test_null_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
