/* SPDX-License-Identifier: MIT */
/*
 * test_xmpp.c — the XMPP preambles (src/wire/preamble/xmpp.c) replayed through the preamble's
 * I/O from what Prosody 0.12 and ejabberd 23.01 sent (tests/fixtures/xmpp/: STARTTLS required
 * and optional, s2s, an unknown domain) and from small synthetic streams (no <starttls/>,
 * <failure/>, a caps node naming the software); plus the SRV-ID / xmppAddr certificate matcher
 * of src/wire/handshake.c on certificates built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "src/wire/handshake.h"
#include "src/wire/preamble/preamble.h"
#include "tests/unit/fixture.h"

/* The fixture's server bytes, the "\n--\n" between before and after <starttls/> taken out. */
static uint8_t *load_stream(const char *file, size_t *n)
{
	uint8_t *p = fx_load(file, n);
	char *sep = strstr((char *)p, "\n--\n");

	if (sep) {
		memmove(sep, sep + 4, *n - (size_t)((uint8_t *)sep - p) - 4 + 1);
		*n -= 4;
	}
	return p;
}

struct run {
	enum dbtls_err err;
	struct dbtls_server_info info;
	char sent[4096];
	struct dbtls_diag d;
};

static void run_bytes(const char *scheme, const char *domain, const uint8_t *p, size_t n,
		      struct run *r)
{
	const struct dbtls_preamble *pre = dbtls_preamble_find(scheme);
	const struct dbtls_preamble_target t = {.host = "127.0.0.1", .port = 5222, .name = domain};
	struct dbtls_conn c;

	assert_non_null(pre);
	memset(r, 0, sizeof(*r));
	dbtls_conn_init_replay(&c, p, n);
	r->err = pre->start(&c, &t, &r->info, &r->d);
	assert_true(c.sent.len < sizeof(r->sent));
	memcpy(r->sent, c.sent.data, c.sent.len);
	dbtls_conn_close(&c);
}

static void run_file(const char *scheme, const char *file, struct run *r)
{
	size_t n;
	uint8_t *p = load_stream(file, &n);

	run_bytes(scheme, "localhost", p, n, r);
	free(p);
}

static void run_str(const char *scheme, const char *s, struct run *r)
{
	run_bytes(scheme, "example.org", (const uint8_t *)s, strlen(s), r);
}

static void test_prosody_required(void **state)
{
	struct run r;
	(void)state;

	run_file("xmpp", "xmpp/prosody-required.xml", &r);
	assert_int_equal(r.err, DBTLS_OK);
	assert_true(r.info.greeting_seen);
	assert_true(r.info.tls_offered);
	assert_true(r.info.xmpp.features_seen);
	assert_true(r.info.xmpp.starttls_required);
	assert_int_equal(r.info.xmpp.nmechanisms, 0);
	assert_null(r.info.product); /* Debian's Prosody sends no caps node: no guess */
	/* the client's stream header names the domain, then <starttls/> */
	assert_non_null(strstr(r.sent, "xmlns='jabber:client'"));
	assert_non_null(strstr(r.sent, "to='localhost'"));
	assert_non_null(strstr(r.sent, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
	dbtls_server_info_free(&r.info);
}

static void test_ejabberd_optional(void **state)
{
	struct run r;
	(void)state;

	run_file("xmpp", "xmpp/ejabberd-optional.xml", &r);
	assert_int_equal(r.err, DBTLS_OK);
	assert_true(r.info.tls_offered);
	assert_false(r.info.xmpp.starttls_required);
	assert_int_equal(r.info.xmpp.nmechanisms, 6);
	assert_string_equal(r.info.xmpp.mechanisms[0], "DIGEST-MD5");
	assert_string_equal(r.info.xmpp.mechanisms[1], "PLAIN");
	assert_null(r.info.product);
	dbtls_server_info_free(&r.info);
}

static void test_required_optional_all(void **state)
{
	static const struct {
		const char *scheme, *file;
		bool required;
	} rows[] = {
	    {"xmpp", "xmpp/prosody-optional.xml", false},
	    {"xmpp", "xmpp/ejabberd-required.xml", true},
	    {"xmpp-server", "xmpp/prosody-s2s.xml", true},
	    {"xmpp-server", "xmpp/ejabberd-s2s.xml", false},
	};
	struct run r;
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run_file(rows[i].scheme, rows[i].file, &r);
		if (r.err)
			fail_msg("%s: %s", rows[i].file, r.d.msg);
		assert_true(r.info.tls_offered);
		if (r.info.xmpp.starttls_required != rows[i].required)
			fail_msg("%s: starttls_required %d", rows[i].file,
				 r.info.xmpp.starttls_required);
		if (!strcmp(rows[i].scheme, "xmpp-server"))
			assert_non_null(strstr(r.sent, "xmlns='jabber:server'"));
		dbtls_server_info_free(&r.info);
	}
}

static void test_host_unknown(void **state)
{
	static const char *const files[] = {"xmpp/prosody-host-unknown.xml",
					    "xmpp/ejabberd-host-unknown.xml"};
	struct run r;
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		run_file("xmpp", files[i], &r);
		assert_int_equal(r.err, DBTLS_ERR_SERVER_ERROR);
		assert_non_null(r.info.err_message);
		assert_non_null(strstr(r.info.err_message, "host-unknown"));
		assert_non_null(strstr(r.d.msg, "host-unknown"));
		assert_null(strstr(r.sent, "<starttls")); /* never asked */
		dbtls_server_info_free(&r.info);
	}
}

#define HDR                                                                                        \
	"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "                               \
	"xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='1' "               \
	"version='1.0'>"

static void test_no_starttls(void **state)
{
	struct run r;
	(void)state;

	/* features without <starttls/>: no TLS, a fact; nothing but the header was sent */
	run_str("xmpp",
		HDR "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
		    "<mechanism>PLAIN</mechanism></mechanisms></stream:features>",
		&r);
	assert_int_equal(r.err, DBTLS_ERR_NO_TLS);
	assert_false(r.info.tls_offered);
	assert_true(r.info.xmpp.features_seen);
	assert_int_equal(r.info.xmpp.nmechanisms, 1);
	assert_null(strstr(r.sent, "<starttls"));
	assert_non_null(strstr(r.d.msg, "no <starttls/>"));
	dbtls_server_info_free(&r.info);
}

static void test_failure(void **state)
{
	struct run r;
	(void)state;

	run_str("xmpp",
		HDR "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
		    "</stream:features><failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
		    "</stream:stream>",
		&r);
	assert_int_equal(r.err, DBTLS_ERR_NO_TLS);
	assert_false(r.info.tls_offered);
	assert_non_null(strstr(r.d.msg, "<failure/>"));
	assert_non_null(strstr(r.sent, "<starttls"));
	dbtls_server_info_free(&r.info);
}

static void test_software_and_garbage(void **state)
{
	struct run r;
	(void)state;

	run_str("xmpp",
		HDR "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
		    "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
		    "node='http://prosody.im' ver='x'/></stream:features>"
		    "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
		&r);
	assert_int_equal(r.err, DBTLS_OK);
	assert_string_equal(r.info.product, "Prosody");
	dbtls_server_info_free(&r.info);

	/* <proceed/> before anything was asked, an HTTP answer, silence: never OK */
	run_str("xmpp", HDR "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", &r);
	assert_int_equal(r.err, DBTLS_ERR_PROTOCOL);
	dbtls_server_info_free(&r.info);
	run_str("xmpp", "HTTP/1.1 400 Bad Request\r\n\r\n", &r);
	assert_int_equal(r.err, DBTLS_ERR_PROTOCOL);
	dbtls_server_info_free(&r.info);
	run_str("xmpp", HDR "<stream:features>", &r);
	assert_int_not_equal(r.err, DBTLS_OK);
	dbtls_server_info_free(&r.info);
}

static void test_domain_rejected(void **state)
{
	const struct dbtls_preamble_target t = {.host = "h", .port = 5222, .name = "a'b\x01"};
	struct dbtls_server_info info = {0};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	(void)state;

	dbtls_conn_init_replay(&c, (const uint8_t *)"", 0);
	assert_int_equal(dbtls_preamble_find("xmpp")->start(&c, &t, &info, &d), DBTLS_ERR_INPUT);
	assert_int_equal(c.sent.len, 0);
	dbtls_conn_close(&c);
}

static void test_xmpps(void **state)
{
	const struct dbtls_preamble *p = dbtls_preamble_find("xmpps");
	(void)state;

	assert_non_null(p);
	assert_int_equal(p->default_port, 5223);
	assert_non_null(p->alpn);
	assert_string_equal(p->alpn[0], "xmpp-client");
	assert_null(p->alpn[1]);
}

/* A self-signed certificate whose subjectAltName is san (OpenSSL's config syntax). */
static X509 *make_cert(const char *san)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_EXTENSION *ext;
	X509V3_CTX ctx;

	assert_non_null(k);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"not the domain", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	EVP_PKEY_free(k);
	return x;
}

static void test_xmpp_ids(void **state)
{
	X509 *srv = make_cert("otherName:1.3.6.1.5.5.7.8.7;IA5STRING:_xmpp-client.chat.example");
	X509 *s2s = make_cert("otherName:1.3.6.1.5.5.7.8.7;IA5STRING:_xmpp-server.chat.example");
	X509 *addr = make_cert("otherName:1.3.6.1.5.5.7.8.5;UTF8:Chat.Example.");
	X509 *dns = make_cert("DNS:chat.example");
	(void)state;

	assert_true(dbtls_handshake_xmpp_id_match(srv, "chat.example", "_xmpp-client"));
	assert_true(dbtls_handshake_xmpp_id_match(srv, "CHAT.example", "_xmpp-client"));
	/* an SRV-ID is for one service: a c2s client does not take an s2s one */
	assert_false(dbtls_handshake_xmpp_id_match(srv, "chat.example", "_xmpp-server"));
	assert_true(dbtls_handshake_xmpp_id_match(s2s, "chat.example", "_xmpp-server"));
	assert_false(dbtls_handshake_xmpp_id_match(s2s, "chat.example", "_xmpp-client"));
	assert_false(dbtls_handshake_xmpp_id_match(srv, "other.example", "_xmpp-client"));
	/* xmppAddr: case and a trailing dot of the certificate's name ignored */
	assert_true(dbtls_handshake_xmpp_id_match(addr, "chat.example", "_xmpp-client"));
	assert_true(dbtls_handshake_xmpp_id_match(addr, "chat.example", NULL));
	assert_false(dbtls_handshake_xmpp_id_match(addr, "example", "_xmpp-client"));
	/* a DNS name is X509_check_host's business, not this matcher's */
	assert_false(dbtls_handshake_xmpp_id_match(dns, "chat.example", "_xmpp-client"));
	X509_free(srv);
	X509_free(s2s);
	X509_free(addr);
	X509_free(dns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prosody_required),
	    cmocka_unit_test(test_ejabberd_optional),
	    cmocka_unit_test(test_required_optional_all),
	    cmocka_unit_test(test_host_unknown),
	    cmocka_unit_test(test_no_starttls),
	    cmocka_unit_test(test_failure),
	    cmocka_unit_test(test_software_and_garbage),
	    cmocka_unit_test(test_domain_rejected),
	    cmocka_unit_test(test_xmpps),
	    cmocka_unit_test(test_xmpp_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
