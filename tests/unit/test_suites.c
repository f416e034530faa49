/* SPDX-License-Identifier: MIT */
/*
 * test_suites.c — unit tests for the cipher-suite registry (src/suites.h, data/cipher-suites.csv).
 *
 * The registry is hand-maintained data, so most of this file checks the data rather than the
 * code: every suite the linked OpenSSL knows must be in it with the same IANA name, OpenSSL
 * name, strength and version/key-exchange properties; codes must be unique and sorted (the
 * lookups binary-search on that); the flags must agree with each other and with the other
 * columns. Then the lookups and dbtls_suites_for_version() are exercised. Nothing is printed
 * unless a test fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "src/registry/suites.h"

#define NSCSV  2
#define NTLS13 5
#define NSSLV2 7

/* TLS 1.3 suites as OpenSSL names them; the CCM ones are not in its default list. */
/* Every TLS 1.0-1.2 suite OpenSSL will still configure, whatever its default security level. */
#define ALL_TLS12 "ALL:COMPLEMENTOFALL:PSK:SRP:@SECLEVEL=0"

#define TLS13_ALL                                                                                  \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"              \
	"TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"

/* Fails naming the suite, since a bare "0 != 0x1" says nothing about which row is wrong. */
#define TS_REQUIRE(s, cond)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("%s (0x%04X): %s", (s)->iana_name, (unsigned)(s)->code, #cond);   \
	} while (0)

#define TS_AGREE(s, what, ours, theirs)                                                            \
	do {                                                                                       \
		long o_ = (long)(ours), t_ = (long)(theirs);                                       \
		if (o_ != t_)                                                                      \
			fail_msg("%s (0x%04X): %s is %ld in the registry, %ld in OpenSSL",         \
				 (s)->iana_name, (unsigned)(s)->code, what, o_, t_);               \
	} while (0)

static const uint32_t ts_sslv2_codes[NSSLV2] = {
    0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700C0,
};

static bool ts_has(const struct dbtls_suite *s, uint32_t flag)
{
	return (s->flags & flag) != 0;
}

static size_t ts_count(uint32_t flag)
{
	size_t i, n = 0;

	for (i = 0; i < dbtls_nsuites; i++)
		n += ts_has(&dbtls_suites[i], flag);
	return n;
}

static bool ts_gost(int kx_nid)
{
#ifdef NID_kx_gost18
	if (kx_nid == NID_kx_gost18)
		return true;
#endif
	return kx_nid == NID_kx_gost;
}

/* (a) Whatever the linked OpenSSL can negotiate, the registry describes the same way. */
static void test_openssl_agrees(void **state)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());
	STACK_OF(SSL_CIPHER) * sk;
	int i, checked = 0;

	(void)state;
	assert_non_null(ctx);
	SSL_CTX_set_security_level(ctx, 0);
	assert_int_equal(SSL_CTX_set_cipher_list(ctx, ALL_TLS12), 1);
	assert_int_equal(SSL_CTX_set_ciphersuites(ctx, TLS13_ALL), 1);
	sk = SSL_CTX_get_ciphers(ctx);
	assert_non_null(sk);

	for (i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
		uint16_t id = SSL_CIPHER_get_protocol_id(c);
		int kx = SSL_CIPHER_get_kx_nid(c);
		const char *ver = SSL_CIPHER_get_version(c);
		const struct dbtls_suite *s;
		bool pfs;

		/* GOST suites (only there with a GOST engine) are left out of the registry. */
		if (ts_gost(kx))
			continue;
		s = dbtls_suite_by_code(id);
		if (!s)
			fail_msg("OpenSSL has 0x%04X %s (%s), the registry does not", id,
				 SSL_CIPHER_standard_name(c), SSL_CIPHER_get_name(c));
		assert_string_equal(s->iana_name, SSL_CIPHER_standard_name(c));
		if (!s->openssl_name || strcmp(s->openssl_name, SSL_CIPHER_get_name(c)) != 0)
			fail_msg("%s: OpenSSL name is %s in the registry, %s in OpenSSL",
				 s->iana_name, s->openssl_name ? s->openssl_name : "(none)",
				 SSL_CIPHER_get_name(c));
		TS_AGREE(s, "key_bits", s->key_bits, SSL_CIPHER_get_bits(c, NULL));
		TS_AGREE(s, "aead", ts_has(s, DBTLS_SF_AEAD), SSL_CIPHER_is_aead(c) != 0);
		TS_AGREE(s, "null", ts_has(s, DBTLS_SF_NULL),
			 SSL_CIPHER_get_cipher_nid(c) == NID_undef);
		TS_AGREE(s, "anon", ts_has(s, DBTLS_SF_ANON),
			 SSL_CIPHER_get_auth_nid(c) == NID_auth_null);
		pfs = kx == NID_kx_dhe || kx == NID_kx_ecdhe || kx == NID_kx_dhe_psk ||
		      kx == NID_kx_ecdhe_psk || kx == NID_kx_srp || kx == NID_kx_any;
		TS_AGREE(s, "pfs", ts_has(s, DBTLS_SF_PFS), pfs);
		/* OpenSSL's version column is the lowest version the suite can be used with. */
		TS_AGREE(s, "tls13", ts_has(s, DBTLS_SF_TLS13), strcmp(ver, "TLSv1.3") == 0);
		TS_AGREE(s, "tls12", ts_has(s, DBTLS_SF_TLS12), strcmp(ver, "TLSv1.2") == 0);
		checked++;
	}
	assert_true(checked >= NTLS13);
	SSL_CTX_free(ctx);
}

/* (b) Codes are unique and ordered as the lookups expect; names are unique too. */
static void test_codes_sorted_unique(void **state)
{
	size_t i, j;

	(void)state;
	assert_true(dbtls_nsuites > 300);
	for (i = 1; i < dbtls_nsuites; i++) {
		const struct dbtls_suite *a = &dbtls_suites[i - 1], *b = &dbtls_suites[i];

		if (ts_has(a, DBTLS_SF_SSLV2) == ts_has(b, DBTLS_SF_SSLV2)) {
			if (a->code >= b->code)
				fail_msg("0x%04X comes before 0x%04X", a->code, b->code);
		} else if (ts_has(a, DBTLS_SF_SSLV2)) {
			fail_msg("TLS suite 0x%04X after the SSLv2 kinds", b->code);
		}
	}
	for (i = 0; i < dbtls_nsuites; i++) {
		const struct dbtls_suite *a = &dbtls_suites[i];

		for (j = i + 1; j < dbtls_nsuites; j++) {
			const struct dbtls_suite *b = &dbtls_suites[j];

			if (strcmp(a->iana_name, b->iana_name) == 0)
				fail_msg("IANA name %s twice", a->iana_name);
			/* SSLv2 kinds reuse RC4-MD5 and EXP-RC4-MD5, as OpenSSL did */
			if (a->openssl_name && b->openssl_name && !ts_has(b, DBTLS_SF_SSLV2) &&
			    strcmp(a->openssl_name, b->openssl_name) == 0)
				fail_msg("OpenSSL name %s twice", a->openssl_name);
		}
	}
}

static void test_lookup_by_code(void **state)
{
	const struct dbtls_suite *s;
	size_t i;

	(void)state;
	for (i = 0; i < dbtls_nsuites; i++) {
		s = &dbtls_suites[i];
		if (ts_has(s, DBTLS_SF_SSLV2)) {
			assert_ptr_equal(dbtls_suite_by_sslv2(s->code), s);
		} else {
			assert_ptr_equal(dbtls_suite_by_code((uint16_t)s->code), s);
			assert_null(dbtls_suite_by_sslv2(s->code));
		}
	}

	s = dbtls_suite_by_code(0xC02F);
	assert_non_null(s);
	assert_string_equal(s->iana_name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(s->openssl_name, "ECDHE-RSA-AES128-GCM-SHA256");
	assert_string_equal(s->kx, "ECDHE");
	assert_string_equal(s->auth, "RSA");
	assert_string_equal(s->cipher, "AES_128_GCM");
	assert_string_equal(s->mac, "AEAD");
	assert_int_equal(s->key_bits, 128);
	assert_int_equal(s->flags, DBTLS_SF_AEAD | DBTLS_SF_PFS | DBTLS_SF_TLS12);

	s = dbtls_suite_by_code(0x000A);
	assert_non_null(s);
	assert_string_equal(s->openssl_name, "DES-CBC3-SHA");
	assert_int_equal(s->key_bits, 112);
	assert_int_equal(s->flags, DBTLS_SF_3DES | DBTLS_SF_CBC);

	s = dbtls_suite_by_code(0x0003);
	assert_non_null(s);
	assert_int_equal(s->flags, DBTLS_SF_EXPORT | DBTLS_SF_RC4);

	assert_non_null(dbtls_suite_by_code(0x00FF));
	assert_non_null(dbtls_suite_by_code(0x5600));
	assert_non_null(dbtls_suite_by_code(0x1305));

	/* unassigned, reserved, GREASE, private use, left-out GOST */
	assert_null(dbtls_suite_by_code(0x001C));
	assert_null(dbtls_suite_by_code(0x0080));
	assert_null(dbtls_suite_by_code(0x0A0A));
	assert_null(dbtls_suite_by_code(0x1300));
	assert_null(dbtls_suite_by_code(0xC100));
	assert_null(dbtls_suite_by_code(0xFFFF));

	s = dbtls_suite_by_sslv2(0x0700C0);
	assert_non_null(s);
	assert_string_equal(s->iana_name, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5");
	assert_null(dbtls_suite_by_sslv2(0x000000));
	assert_null(dbtls_suite_by_sslv2(0x080080));
	assert_null(dbtls_suite_by_sslv2(0x00C02F));
	/* the low 16 bits of an SSLv2 kind are no TLS suite */
	assert_null(dbtls_suite_by_code(0x0080));
}

static void test_lookup_by_name(void **state)
{
	const struct dbtls_suite *s;
	size_t i;

	(void)state;
	for (i = 0; i < dbtls_nsuites; i++) {
		s = &dbtls_suites[i];
		assert_ptr_equal(dbtls_suite_by_name(s->iana_name), s);
		if (s->openssl_name && !ts_has(s, DBTLS_SF_SSLV2))
			assert_ptr_equal(dbtls_suite_by_name(s->openssl_name), s);
	}
	s = dbtls_suite_by_name("ECDHE-ECDSA-CHACHA20-POLY1305");
	assert_non_null(s);
	assert_int_equal(s->code, 0xCCA9);
	s = dbtls_suite_by_name("RC4-MD5");
	assert_non_null(s);
	assert_int_equal(s->code, 0x0004);
	s = dbtls_suite_by_name("SSL_CK_RC4_128_WITH_MD5");
	assert_non_null(s);
	assert_int_equal(s->code, 0x010080);

	assert_null(dbtls_suite_by_name(NULL));
	assert_null(dbtls_suite_by_name(""));
	assert_null(dbtls_suite_by_name("tls_ecdhe_rsa_with_aes_128_gcm_sha256"));
	assert_null(dbtls_suite_by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM"));
	assert_null(dbtls_suite_by_name("GOST2012-KUZNYECHIK-KUZNYECHIKOMAC"));
}

/* Key exchanges with fresh keys per connection, as data/cipher-suites.csv names them. */
static bool ts_ephemeral(const char *kx)
{
	static const char *const eph[] = {"DHE", "ECDHE",  "DHE_PSK", "ECDHE_PSK",
					  "SRP", "ECCPWD", "any"};
	size_t i;

	for (i = 0; i < sizeof(eph) / sizeof(eph[0]); i++)
		if (strcmp(kx, eph[i]) == 0)
			return true;
	return false;
}

/* (d) The flags agree with each other and with the other columns. */
static void test_flags_consistent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < dbtls_nsuites; i++) {
		const struct dbtls_suite *s = &dbtls_suites[i];
		int modes = ts_has(s, DBTLS_SF_CBC) + ts_has(s, DBTLS_SF_AEAD) +
			    ts_has(s, DBTLS_SF_RC4) + ts_has(s, DBTLS_SF_NULL);
		bool aead_mac;

		assert_non_null(s->iana_name);
		assert_non_null(s->kx);
		assert_non_null(s->auth);
		assert_non_null(s->cipher);
		assert_non_null(s->mac);
		TS_REQUIRE(s, !s->openssl_name || s->openssl_name[0] != '\0');
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_SSLV2) == (s->code > 0xFFFF));
		if (ts_has(s, DBTLS_SF_SCSV)) {
			TS_REQUIRE(s, strcmp(s->cipher, "NULL") == 0);
			TS_REQUIRE(s, s->key_bits == 0);
			TS_REQUIRE(s, !s->openssl_name);
			TS_REQUIRE(s, s->flags == DBTLS_SF_SCSV);
			continue;
		}
		/* every real suite encrypts in exactly one way, or not at all */
		TS_REQUIRE(s, modes == 1);
		aead_mac = strcmp(s->mac, "AEAD") == 0;
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_AEAD) == aead_mac);
		if (ts_has(s, DBTLS_SF_AEAD))
			TS_REQUIRE(s, !ts_has(s, DBTLS_SF_CBC));
		if (ts_has(s, DBTLS_SF_TLS13)) {
			TS_REQUIRE(s, ts_has(s, DBTLS_SF_AEAD));
			TS_REQUIRE(s, ts_has(s, DBTLS_SF_PFS));
			TS_REQUIRE(s, !ts_has(s, DBTLS_SF_TLS12));
			TS_REQUIRE(s, s->code >> 8 == 0x13);
		}
		if (ts_has(s, DBTLS_SF_EXPORT))
			TS_REQUIRE(s, s->key_bits <= 56);
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_NULL) == (s->key_bits == 0));
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_NULL) == (strcmp(s->cipher, "NULL") == 0));
		if (ts_has(s, DBTLS_SF_DES))
			TS_REQUIRE(s, s->key_bits == 40 || s->key_bits == 56);
		if (ts_has(s, DBTLS_SF_3DES))
			TS_REQUIRE(s, s->key_bits == 112);
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_ANON) == (strcmp(s->auth, "anon") == 0));
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_PFS) == ts_ephemeral(s->kx));
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_PSK) == (strstr(s->kx, "PSK") != NULL));
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_SRP) == (strcmp(s->kx, "SRP") == 0));
		TS_REQUIRE(s, ts_has(s, DBTLS_SF_KRB5) == (strcmp(s->kx, "KRB5") == 0));
		if (ts_has(s, DBTLS_SF_SSLV2))
			TS_REQUIRE(s, !ts_has(s, DBTLS_SF_PFS | DBTLS_SF_AEAD | DBTLS_SF_TLS12));
	}
	assert_int_equal(ts_count(DBTLS_SF_SCSV), NSCSV);
	assert_int_equal(ts_count(DBTLS_SF_TLS13), NTLS13);
	assert_int_equal(ts_count(DBTLS_SF_SSLV2), NSSLV2);
}

/* (e) What a ClientHello of each version offers. */
static void test_for_version(void **state)
{
	uint32_t out[512];
	size_t n, i, tls = dbtls_nsuites - NTLS13 - NSSLV2 - NSCSV;
	enum dbtls_version v;

	(void)state;
	assert_true(dbtls_nsuites <= sizeof(out) / sizeof(out[0]));

	n = dbtls_suites_for_version(DBTLS_TLS13, out, 512);
	assert_int_equal(n, NTLS13);
	for (i = 0; i < n; i++)
		assert_int_equal(out[i], 0x1301 + i);

	n = dbtls_suites_for_version(DBTLS_SSL2, out, 512);
	assert_int_equal(n, NSSLV2);
	assert_memory_equal(out, ts_sslv2_codes, sizeof(ts_sslv2_codes));

	for (v = DBTLS_SSL3; v <= DBTLS_TLS12; v++) {
		n = dbtls_suites_for_version(v, out, 512);
		assert_int_equal(n, tls);
		for (i = 0; i < n; i++) {
			const struct dbtls_suite *s = dbtls_suite_by_code((uint16_t)out[i]);

			assert_true(out[i] <= 0xFFFF);
			assert_non_null(s);
			assert_false(ts_has(s, DBTLS_SF_SCSV | DBTLS_SF_TLS13 | DBTLS_SF_SSLV2));
			if (i > 0)
				assert_true(out[i - 1] < out[i]);
		}
	}

	/* the count is the full one even when cap cuts the list, and nothing past cap is written */
	memset(out, 0xAA, sizeof(out));
	n = dbtls_suites_for_version(DBTLS_TLS12, out, 3);
	assert_int_equal(n, tls);
	assert_int_equal(out[0], 0x0000);
	assert_int_equal(out[1], 0x0001);
	assert_int_equal(out[2], 0x0002);
	assert_int_equal(out[3], 0xAAAAAAAA);
	assert_int_equal(dbtls_suites_for_version(DBTLS_TLS13, NULL, 0), NTLS13);
	assert_int_equal(dbtls_suites_for_version(DBTLS_NVERSIONS, out, 512), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_openssl_agrees),   cmocka_unit_test(test_codes_sorted_unique),
	    cmocka_unit_test(test_lookup_by_code),   cmocka_unit_test(test_lookup_by_name),
	    cmocka_unit_test(test_flags_consistent), cmocka_unit_test(test_for_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
