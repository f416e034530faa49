/* SPDX-License-Identifier: MIT */
/*
 * test_audit.c — unit tests of the file audit (src/audit/): the JKS/JCEKS reader and its keyed
 * SHA-1 (stores built here byte by byte, the certificate made with the OpenSSL API), the
 * option-file reader (groups, dash/underscore, loose-/skip-, quotes, errors with FILE:LINE), the
 * JDBC URL parser, and the sniffer on byte vectors. Truncated and corrupt inputs give one error
 * line naming the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "src/audit/audit.h"
#include "src/audit/conf.h"
#include "src/audit/jks.h"
#include "src/audit/optfile.h"
#include "src/core/buf.h"

static uint8_t *cert_der;
static int cert_len;

static int make_cert(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();

	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"jks-test", -1,
				   -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, nm);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	cert_der = NULL;
	cert_len = i2d_X509(x, &cert_der);
	X509_NAME_free(nm);
	X509_free(x);
	EVP_PKEY_free(k);
	return cert_len > 0 ? 0 : -1;
}

static int free_cert(void **state)
{
	OPENSSL_free(cert_der);
	return 0;
}

static void u32(struct dbtls_buf *b, uint32_t v)
{
	dbtls_buf_u16(b, (uint16_t)(v >> 16));
	dbtls_buf_u16(b, (uint16_t)v);
}

static void utf(struct dbtls_buf *b, const char *s)
{
	dbtls_buf_u16(b, (uint16_t)strlen(s));
	dbtls_buf_bytes(b, s, strlen(s));
}

/* A JKS v2 store: one trusted certificate "ca" and one private key entry "srv" whose
 * "protected key" is a dummy EncryptedPrivateKeyInfo-like blob, sealed with password. */
static void build_jks(struct dbtls_buf *b, uint32_t magic, const char *password)
{
	uint8_t md[20];

	dbtls_buf_init(b);
	u32(b, magic);
	u32(b, 2);
	u32(b, 2);
	u32(b, 2); /* trusted certificate */
	utf(b, "ca");
	u32(b, 0x00000190);
	u32(b, 0x00000000); /* 0x190 << 32 ms */
	utf(b, "X.509");
	u32(b, (uint32_t)cert_len);
	dbtls_buf_bytes(b, cert_der, (size_t)cert_len);
	u32(b, 1); /* private key */
	utf(b, "srv");
	u32(b, 0);
	u32(b, 1000);
	u32(b, 3);
	dbtls_buf_bytes(b, "\x30\x01\x00", 3);
	u32(b, 1);
	utf(b, "X.509");
	u32(b, (uint32_t)cert_len);
	dbtls_buf_bytes(b, cert_der, (size_t)cert_len);
	assert_true(dbtls_jks_digest(b->data, b->len, password, md));
	dbtls_buf_bytes(b, md, 20);
}

static void test_jks_entries_and_digest(void **state)
{
	struct dbtls_audit_store st;
	struct dbtls_diag d = {0};
	struct dbtls_buf b;
	bool jceks = true;

	build_jks(&b, DBTLS_JKS_MAGIC, "changeit");
	assert_true(dbtls_jks_sniff(b.data, b.len, &jceks));
	assert_false(jceks);
	assert_int_equal(dbtls_jks_parse(b.data, b.len, time(NULL), &st, &d), DBTLS_OK);
	assert_string_equal(st.type, "JKS");
	assert_int_equal(st.version, 2);
	assert_true(st.entries_complete);
	assert_int_equal(st.nentries, 2);
	assert_string_equal(st.entries[0].alias, "ca");
	assert_int_equal(st.entries[0].type, DBTLS_STORE_TRUSTED_CERT);
	assert_int_equal(st.entries[0].created, (time_t)(0x190ull << 32) / 1000);
	assert_int_equal(st.entries[0].ncerts, 1);
	assert_string_equal(st.entries[0].certs[0].cert.subject, "CN=jks-test");
	assert_int_equal(strlen(st.entries[0].certs[0].sha1_colon), 59);
	assert_int_equal(st.entries[0].certs[0].sha1_colon[2], ':');
	assert_int_equal(strlen(st.entries[0].certs[0].sha256_colon), 95);
	assert_string_equal(st.entries[1].alias, "srv");
	assert_int_equal(st.entries[1].type, DBTLS_STORE_PRIVATE_KEY);
	assert_int_equal(st.entries[1].ncerts, 1);
	assert_true(dbtls_jks_verify(b.data, b.len, "changeit"));
	assert_false(dbtls_jks_verify(b.data, b.len, "changeme"));
	assert_false(dbtls_jks_verify(b.data, b.len, ""));
	/* one flipped byte of the body breaks the keyed digest */
	b.data[20] ^= 1;
	assert_false(dbtls_jks_verify(b.data, b.len, "changeit"));
	dbtls_audit_store_free(&st);
	dbtls_buf_free(&b);
}

/* The digest of the JDK's own algorithm on a known vector: SHA-1 over "\0a\0b" "Mighty
 * Aphrodite" "xyz", computed independently with EVP. */
static void test_jks_digest_vector(void **state)
{
	const char in[] = "\0a\0bMighty Aphroditexyz";
	uint8_t want[20], got[20];
	unsigned int l = 0;

	EVP_Digest(in, sizeof(in) - 1, want, &l, EVP_sha1(), NULL);
	assert_true(dbtls_jks_digest((const uint8_t *)"xyz", 3, "ab", got));
	assert_memory_equal(want, got, 20);
	/* non-ASCII: U+00E9 is 0x00 0xE9 in UTF-16BE, U+1F600 a surrogate pair */
	const char in2[] = "\0\xe9\xd8\x3d\xde\x00Mighty Aphrodite";
	EVP_Digest(in2, sizeof(in2) - 1, want, &l, EVP_sha1(), NULL);
	assert_true(dbtls_jks_digest((const uint8_t *)"", 0, "\xc3\xa9\xf0\x9f\x98\x80", got));
	assert_memory_equal(want, got, 20);
}

static void test_jks_truncated_everywhere(void **state)
{
	struct dbtls_buf b;
	struct dbtls_diag d;

	build_jks(&b, DBTLS_JCEKS_MAGIC, "x");
	/* every prefix is either rejected cleanly or (the full length) read */
	for (size_t n = 0; n < b.len; n++) {
		struct dbtls_audit_store st;
		memset(&d, 0, sizeof(d));
		enum dbtls_err err = dbtls_jks_parse(b.data, n, 0, &st, &d);
		assert_int_not_equal(err, DBTLS_OK);
		assert_false(st.entries_complete);
		assert_true(d.msg[0] != '\0');
		assert_null(strchr(d.msg, '\n'));
		dbtls_audit_store_free(&st);
	}
	dbtls_buf_free(&b);
}

static void test_jks_bad_counts(void **state)
{
	static const uint8_t huge[] = {0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff,
				       0,    0,	   0,	 0,    0, 0, 0, 0, 0,	 0,    0,    0,
				       0,    0,	   0,	 0,    0, 0, 0, 0, 0,	 0,    0,    0};
	static const uint8_t v3[] = {0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 3};
	struct dbtls_audit_store st;
	struct dbtls_diag d = {0};

	assert_int_equal(dbtls_jks_parse(huge, sizeof(huge), 0, &st, &d), DBTLS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "entry count"));
	dbtls_audit_store_free(&st);
	assert_false(dbtls_jks_sniff(v3, sizeof(v3), NULL));
}

static void test_jceks_secret_entry_stops(void **state)
{
	struct dbtls_audit_store st;
	struct dbtls_diag d = {0};
	struct dbtls_buf b;
	uint8_t md[20];

	dbtls_buf_init(&b);
	u32(&b, DBTLS_JCEKS_MAGIC);
	u32(&b, 2);
	u32(&b, 1);
	u32(&b, 3);
	utf(&b, "aes");
	u32(&b, 0);
	u32(&b, 0);
	dbtls_buf_bytes(&b, "\xac\xed\x00\x05", 4); /* a Java serialisation stream */
	dbtls_jks_digest(b.data, b.len, "pw", md);
	dbtls_buf_bytes(&b, md, 20);
	assert_int_equal(dbtls_jks_parse(b.data, b.len, 0, &st, &d), DBTLS_ERR_UNSUPPORTED);
	assert_int_equal(st.nentries, 1);
	assert_int_equal(st.entries[0].type, DBTLS_STORE_SECRET_KEY);
	assert_false(st.entries_complete);
	assert_true(dbtls_jks_verify(b.data, b.len, "pw"));
	dbtls_audit_store_free(&st);
	dbtls_buf_free(&b);
}

static const struct dbtls_audit_setting *get(const struct dbtls_audit_file *f, const char *key,
					     const char *group)
{
	for (size_t i = 0; i < f->nsettings; i++)
		if (strcmp(f->settings[i].key, key) == 0 &&
		    (!group || (f->settings[i].group && strcmp(f->settings[i].group, group) == 0)))
			return &f->settings[i];
	return NULL;
}

static void test_optfile(void **state)
{
	const char *cnf = "# comment\n"
			  "[client]\n"
			  "ssl-mode = VERIFY_IDENTITY\n"
			  "ssl_ca=\"/etc/my ca.pem\" # trailing\n"
			  "password='s3cr#t'\n"
			  "[MySQLd]\n"
			  "loose-require-secure-transport=ON\n"
			  "skip-ssl\n"
			  "tls_version=TLSv1.2,TLSv1.3\n"
			  "!include other.cnf\n";
	struct dbtls_audit_file f = {.path = (char *)"my.cnf"};

	assert_true(dbtls_optfile_sniff(cnf, strlen(cnf)));
	assert_int_equal(dbtls_optfile_read(cnf, strlen(cnf), "my.cnf", false, 0, &f), DBTLS_OK);
	assert_int_equal(f.nerrors, 0);
	assert_string_equal(get(&f, "ssl_mode", "client")->value, "VERIFY_IDENTITY");
	assert_int_equal(get(&f, "ssl_mode", "client")->line, 3);
	assert_string_equal(get(&f, "ssl_ca", "client")->value, "/etc/my ca.pem");
	assert_string_equal(get(&f, "password", "client")->value, "****");
	assert_true(get(&f, "password", "client")->secret);
	assert_string_equal(get(&f, "require_secure_transport", "mysqld")->value, "ON");
	assert_string_equal(get(&f, "ssl", "mysqld")->value, "0");
	assert_string_equal(get(&f, "tls_version", "mysqld")->value, "TLSv1.2,TLSv1.3");
	assert_string_equal(get(&f, "!include", NULL)->value, "other.cnf");
	f.path = NULL;
	dbtls_audit_file_free(&f);
}

static void test_optfile_errors(void **state)
{
	const char *cnf = "ssl-mode=DISABLED\n[client\n[client]\n=x\n!bogus\n";
	struct dbtls_audit_file f = {.path = (char *)"bad.cnf"};

	assert_false(dbtls_optfile_sniff(cnf, strlen(cnf)));
	assert_int_equal(dbtls_optfile_read(cnf, strlen(cnf), "bad.cnf", false, 0, &f), DBTLS_OK);
	assert_int_equal(f.nerrors, 4);
	assert_string_equal(f.errors[0].msg, "bad.cnf:1: option outside any [group]");
	assert_string_equal(f.errors[1].msg, "bad.cnf:2: malformed group line");
	assert_string_equal(f.errors[2].msg, "bad.cnf:4: option without name");
	assert_string_equal(f.errors[3].msg, "bad.cnf:5: unknown directive");
	f.path = NULL;
	dbtls_audit_file_free(&f);
}

static void test_jdbc_url(void **state)
{
	struct dbtls_jdbc_url u;

	assert_int_equal(dbtls_jdbc_url_parse("jdbc:mysql://h1:3306,h2/db?sslMode=VERIFY_CA&"
					      "useSSL=true&enabledTLSProtocols=TLSv1.2%2CTLSv1.3",
					      &u),
			 DBTLS_OK);
	assert_string_equal(u.scheme, "mysql");
	assert_string_equal(u.base, "jdbc:mysql://h1:3306,h2/db");
	assert_int_equal(u.nparams, 3);
	assert_string_equal(u.params[0].key, "sslMode");
	assert_string_equal(u.params[0].value, "VERIFY_CA");
	assert_string_equal(u.params[2].value, "TLSv1.2,TLSv1.3");
	dbtls_jdbc_url_free(&u);
	assert_int_equal(
	    dbtls_jdbc_url_parse("jdbc:mariadb://db/x;useSsl=1;trustServerCertificate", &u),
	    DBTLS_OK);
	assert_int_equal(u.nparams, 2);
	assert_string_equal(u.params[1].key, "trustServerCertificate");
	assert_string_equal(u.params[1].value, "");
	dbtls_jdbc_url_free(&u);
	assert_int_equal(dbtls_jdbc_url_parse("jdbc:postgresql://pg/db?sslmode=verify-full", &u),
			 DBTLS_OK);
	assert_string_equal(u.params[0].value, "verify-full");
	dbtls_jdbc_url_free(&u);
	assert_int_equal(dbtls_jdbc_url_parse("jdbc:oracle:thin:@h:1521", &u), DBTLS_ERR_INPUT);
	assert_int_equal(dbtls_jdbc_url_parse("http://x/?a=b", &u), DBTLS_ERR_INPUT);
	assert_int_equal(dbtls_jdbc_url_parse("jdbc:mysql://h/%", &u), DBTLS_OK);
	dbtls_jdbc_url_free(&u);
}

static enum dbtls_audit_kind sniff(const char *s)
{
	return dbtls_audit_sniff((const uint8_t *)s, strlen(s));
}

static void test_sniffer(void **state)
{
	static const uint8_t jks[] = {0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 0};
	static const uint8_t jceks[] = {0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2, 0, 0, 0, 0};
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00, 0x00};

	assert_int_equal(dbtls_audit_sniff(jks, sizeof(jks)), DBTLS_AUDIT_JKS);
	assert_int_equal(dbtls_audit_sniff(jceks, sizeof(jceks)), DBTLS_AUDIT_JCEKS);
	assert_int_equal(dbtls_audit_sniff(junk, sizeof(junk)), DBTLS_AUDIT_UNKNOWN);
	assert_int_equal(dbtls_audit_sniff(cert_der, (size_t)cert_len), DBTLS_AUDIT_DER_CERT);
	assert_int_equal(
	    sniff("-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n"),
	    DBTLS_AUDIT_PEM_KEY);
	assert_int_equal(sniff("-----BEGIN OPENSSH PRIVATE KEY-----\n"), DBTLS_AUDIT_PEM_KEY);
	assert_int_equal(sniff("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"),
			 DBTLS_AUDIT_PEM_CERT);
	assert_int_equal(sniff("-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n"),
			 DBTLS_AUDIT_PEM_BUNDLE);
	assert_int_equal(sniff("-----BEGIN PKCS7-----\n"), DBTLS_AUDIT_PKCS7);
	assert_int_equal(sniff("[client]\nssl-mode=REQUIRED\n"), DBTLS_AUDIT_MYSQL_OPTFILE);
	assert_int_equal(sniff("[mysqld-8.0]\n"), DBTLS_AUDIT_MYSQL_OPTFILE);
	assert_int_equal(sniff("[prod]\ndbname=x\nsslmode=require\n"), DBTLS_AUDIT_PG_SERVICE);
	assert_int_equal(sniff("hostssl all all 0.0.0.0/0 md5\n"), DBTLS_AUDIT_PG_HBA);
	assert_int_equal(sniff("ssl = on\nssl_cert_file = 'server.crt'\n"), DBTLS_AUDIT_PG_CONF);
	assert_int_equal(sniff("url=jdbc:mysql://h/db\n"), DBTLS_AUDIT_JDBC_PROPERTIES);
	assert_int_equal(sniff("xmpp.socket.ssl.active=true\n"), DBTLS_AUDIT_OPENFIRE_PROPERTIES);
	assert_int_equal(sniff("<?xml version=\"1.0\"?>\n<!-- x -->\n<jive>\n</jive>\n"),
			 DBTLS_AUDIT_OPENFIRE_XML);
	assert_int_equal(sniff("db:\n  url: jdbc:mysql://h/db\n"), DBTLS_AUDIT_YAML);
	assert_int_equal(sniff("hello world\n"), DBTLS_AUDIT_UNKNOWN);
	assert_int_equal(sniff("a=b\nc=d\n"), DBTLS_AUDIT_UNKNOWN);
}

static void test_buffer_errors_name_the_file(void **state)
{
	const struct dbtls_audit_opts o = {.now = 0, .no_defaults = true};
	struct dbtls_audit_file f;
	const char *pem = "-----BEGIN CERTIFICATE-----\nMIIB\n";
	const char *yaml = "db:\n  url: [a\n";

	assert_int_equal(dbtls_audit_buffer((const uint8_t *)pem, strlen(pem), "t.pem", &o, &f),
			 DBTLS_OK);
	assert_int_equal(f.nerrors, 1);
	assert_string_equal(f.errors[0].msg, "t.pem:1: PEM block 'CERTIFICATE' has no END line");
	dbtls_audit_file_free(&f);
	assert_int_equal(dbtls_audit_buffer((const uint8_t *)yaml, strlen(yaml), "c.yaml", &o, &f),
			 DBTLS_OK);
	assert_int_equal(f.kind, DBTLS_AUDIT_YAML);
	assert_int_equal(f.nerrors, 1);
	assert_non_null(strstr(f.errors[0].msg, "c.yaml:3: YAML: "));
	dbtls_audit_file_free(&f);
}

static void test_properties_secrets_masked(void **state)
{
	const struct dbtls_audit_opts o = {0};
	struct dbtls_audit_file f;
	const char *p = "url=jdbc:mysql://h/db?user=a&password=pw1&sslMode=PREFERRED\n"
			"trustCertificateKeyStorePassword = pw2\n";

	assert_int_equal(dbtls_audit_buffer((const uint8_t *)p, strlen(p), "a.properties", &o, &f),
			 DBTLS_OK);
	assert_int_equal(f.kind, DBTLS_AUDIT_JDBC_PROPERTIES);
	assert_string_equal(get(&f, "sslmode", NULL)->value, "PREFERRED");
	assert_string_equal(get(&f, "password", NULL)->value, "****");
	assert_string_equal(get(&f, "trustcertificatekeystorepassword", NULL)->value, "****");
	for (size_t i = 0; i < f.nsettings; i++) {
		assert_null(strstr(f.settings[i].value, "pw1"));
		assert_null(strstr(f.settings[i].value, "pw2"));
	}
	dbtls_audit_file_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jks_entries_and_digest),
	    cmocka_unit_test(test_jks_digest_vector),
	    cmocka_unit_test(test_jks_truncated_everywhere),
	    cmocka_unit_test(test_jks_bad_counts),
	    cmocka_unit_test(test_jceks_secret_entry_stops),
	    cmocka_unit_test(test_optfile),
	    cmocka_unit_test(test_optfile_errors),
	    cmocka_unit_test(test_jdbc_url),
	    cmocka_unit_test(test_sniffer),
	    cmocka_unit_test(test_buffer_errors_name_the_file),
	    cmocka_unit_test(test_properties_secrets_masked),
	};
	return cmocka_run_group_tests(tests, make_cert, free_cert);
}
