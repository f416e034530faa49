/* SPDX-License-Identifier: MIT */
/*
 * test_hello.c — the raw hello engine: ClientHellos are taken apart again and checked field by
 * field; server answers are fed as byte vectors (whole, split over records, truncated at every
 * length); a probe runs over the replay seam.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "src/wire/hello.h"
#include "src/wire/probes.h"
#include "src/registry/suites.h"

/* --- a minimal ClientHello walker, independent of the code under test ------------------------ */
struct ch_view {
	uint16_t record_version, client_version;
	size_t nsuites;
	uint16_t suites[600];
	uint16_t ext_types[64];
	size_t next;
	char sni[256];
	uint16_t supported_versions[8];
	size_t nsv;
	uint16_t ks_groups[8];
	uint16_t ks_len[8];
	size_t nks;
	uint8_t alpn[512]; /* the ALPN extension's body, as sent */
	size_t nalpn;
	size_t total;
};

static bool ch_has(const struct ch_view *v, uint16_t t)
{
	for (size_t i = 0; i < v->next; i++)
		if (v->ext_types[i] == t)
			return true;
	return false;
}

static void ch_parse(const uint8_t *p, size_t n, struct ch_view *v)
{
	struct dbtls_rd r, hs, ex;
	memset(v, 0, sizeof(*v));
	dbtls_rd_init(&r, p, n);
	assert_int_equal(dbtls_rd_u8(&r), 22);
	v->record_version = dbtls_rd_u16(&r);
	uint16_t rlen = dbtls_rd_u16(&r);
	assert_int_equal(rlen, n - 5);
	assert_int_equal(dbtls_rd_u8(&r), 1);
	uint32_t hlen = dbtls_rd_u24(&r);
	assert_int_equal(hlen, n - 9);
	dbtls_rd_sub(&r, hlen, &hs);
	v->client_version = dbtls_rd_u16(&hs);
	dbtls_rd_skip(&hs, 32);
	dbtls_rd_skip(&hs, dbtls_rd_u8(&hs));
	uint16_t sl = dbtls_rd_u16(&hs);
	for (size_t i = 0; i < sl / 2u; i++)
		v->suites[v->nsuites++] = dbtls_rd_u16(&hs);
	assert_int_equal(dbtls_rd_u8(&hs), 1);
	assert_int_equal(dbtls_rd_u8(&hs), 0);
	if (dbtls_rd_left(&hs) == 0)
		return;
	dbtls_rd_sub(&hs, dbtls_rd_u16(&hs), &ex);
	assert_int_equal(dbtls_rd_left(&hs), 0);
	while (dbtls_rd_left(&ex)) {
		uint16_t t = dbtls_rd_u16(&ex), l = dbtls_rd_u16(&ex);
		struct dbtls_rd e;
		assert_true(dbtls_rd_sub(&ex, l, &e));
		v->ext_types[v->next++] = t;
		if (t == 0) {
			dbtls_rd_skip(&e, 3);
			uint16_t nl = dbtls_rd_u16(&e);
			memcpy(v->sni, dbtls_rd_bytes(&e, nl), nl);
		} else if (t == 0x002b) {
			uint8_t l8 = dbtls_rd_u8(&e);
			for (size_t i = 0; i < l8 / 2u; i++)
				v->supported_versions[v->nsv++] = dbtls_rd_u16(&e);
		} else if (t == 0x0033) {
			struct dbtls_rd ks;
			dbtls_rd_sub(&e, dbtls_rd_u16(&e), &ks);
			while (dbtls_rd_left(&ks)) {
				v->ks_groups[v->nks] = dbtls_rd_u16(&ks);
				v->ks_len[v->nks] = dbtls_rd_u16(&ks);
				dbtls_rd_skip(&ks, v->ks_len[v->nks++]);
			}
			assert_false(ks.err);
		} else if (t == 0x0010) {
			assert_true(l <= sizeof(v->alpn));
			memcpy(v->alpn, dbtls_rd_bytes(&e, l), l);
			v->nalpn = l;
		}
		assert_false(e.err);
	}
	assert_false(r.err);
	v->total = n;
}

static void test_build_tls12(void **state)
{
	uint32_t suites[1024];
	size_t n = dbtls_suites_for_version(DBTLS_TLS12, suites, 1024);
	struct dbtls_hello_params p = {
	    .version = DBTLS_TLS12, .suites = suites, .nsuites = n, .sni = "db.example"};
	struct dbtls_buf b;
	struct ch_view v;
	(void)state;

	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_int_equal(v.record_version, 0x0301);
	assert_int_equal(v.client_version, 0x0303);
	assert_int_equal(v.nsuites, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v.suites[i], suites[i]);
	assert_string_equal(v.sni, "db.example");
	assert_true(ch_has(&v, 0x000d));  /* signature_algorithms */
	assert_true(ch_has(&v, 0x000a));  /* supported_groups */
	assert_true(ch_has(&v, 0xff01));  /* renegotiation_info */
	assert_false(ch_has(&v, 0x002b)); /* no supported_versions below 1.3 */
	dbtls_buf_free(&b);

	/* an IP literal never goes into SNI (RFC 6066) */
	p.sni = "127.0.0.1";
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_false(ch_has(&v, 0x0000));
	dbtls_buf_free(&b);
}

static void test_build_tls13(void **state)
{
	uint32_t suites[8];
	size_t n = dbtls_suites_for_version(DBTLS_TLS13, suites, 8);
	struct dbtls_hello_params p = {.version = DBTLS_TLS13, .suites = suites, .nsuites = n};
	const uint16_t shares[] = {DBTLS_GROUP_SECP256R1, DBTLS_GROUP_X448};
	struct dbtls_buf b;
	struct ch_view v;
	(void)state;

	assert_int_equal(n, 5);
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_int_equal(v.client_version, 0x0303);
	assert_int_equal(v.nsv, 1);
	assert_int_equal(v.supported_versions[0], 0x0304);
	assert_int_equal(v.nks, 1);
	assert_int_equal(v.ks_groups[0], DBTLS_GROUP_X25519);
	assert_int_equal(v.ks_len[0], 32);
	assert_true(ch_has(&v, 0x000d));
	dbtls_buf_free(&b);

	p.key_shares = shares;
	p.nkey_shares = 2;
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_int_equal(v.nks, 2);
	assert_int_equal(v.ks_len[0], 65); /* uncompressed P-256 point */
	assert_int_equal(v.ks_len[1], 56);
	dbtls_buf_free(&b);

	p.key_shares = NULL;
	p.nkey_shares = 0;
	p.no_key_shares = true;
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_int_equal(v.nks, 0);
	assert_true(ch_has(&v, 0x0033));
	dbtls_buf_free(&b);
}

static void test_build_ssl3_and_padding(void **state)
{
	const uint32_t suites[] = {0x000a, 0x0005};
	struct dbtls_hello_params p = {.version = DBTLS_SSL3, .suites = suites, .nsuites = 2};
	struct dbtls_buf b;
	struct ch_view v;
	(void)state;

	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_int_equal(v.record_version, 0x0300);
	assert_int_equal(v.client_version, 0x0300);
	assert_int_equal(v.next, 0); /* SSLv3 hellos carry no extensions */
	dbtls_buf_free(&b);

	/* hellos that would land in 256..511 bytes are padded to 512 (RFC 7685) */
	uint32_t many[100];
	for (size_t i = 0; i < 100; i++)
		many[i] = 0xc000 + (uint32_t)i;
	for (size_t k = 30; k < 100; k += 7) {
		p.version = DBTLS_TLS12;
		p.suites = many;
		p.nsuites = k;
		dbtls_buf_init(&b);
		assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
		ch_parse(b.data, b.len, &v);
		assert_false(b.len - 5 >= 256 && b.len - 5 < 512);
		dbtls_buf_free(&b);
	}
}

static void test_build_ssl2(void **state)
{
	uint32_t suites[16];
	size_t n = dbtls_suites_for_version(DBTLS_SSL2, suites, 16);
	struct dbtls_hello_params p = {.version = DBTLS_SSL2, .suites = suites, .nsuites = n};
	struct dbtls_buf b;
	(void)state;

	assert_int_equal(n, 7);
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	assert_int_equal(b.len, 2 + 9 + 3 * 7 + 16);
	assert_int_equal(b.data[0], 0x80);
	assert_int_equal(b.data[1], b.len - 2);
	assert_int_equal(b.data[2], 1);	   /* CLIENT-HELLO */
	assert_int_equal(b.data[3], 0x00); /* version 0x0002 */
	assert_int_equal(b.data[4], 0x02);
	assert_int_equal(b.data[6], 21);  /* cipher-spec length */
	assert_int_equal(b.data[10], 16); /* challenge length */
	assert_int_equal((b.data[11] << 16) | (b.data[12] << 8) | b.data[13], suites[0]);
	dbtls_buf_free(&b);
}

/* ALPN (RFC 7301) goes out as u16 list length, then u8 length + name each, in the caller's
 * order, in TLS 1.0-1.3 hellos; never in SSLv3 (no extensions) and never when not asked for; an
 * ill-formed list is refused before anything is built. */
static void test_build_alpn(void **state)
{
	static const char *const alpn[] = {"postgresql", "h2", NULL};
	static const uint8_t want[] = {0x00, 0x0e, 10,	'p', 'o', 's', 't', 'g',
				       'r',  'e',  's', 'q', 'l', 2,   'h', '2'};
	static const char *const empty_name[] = {"ok", "", NULL};
	static const char *const twice[] = {"a", "a", NULL};
	static const char *const none[] = {NULL};
	uint32_t suites[1024];
	struct dbtls_hello_params p = {.sni = "db.example", .alpn = alpn};
	struct dbtls_buf b;
	struct ch_view v;
	(void)state;

	for (int ver = DBTLS_TLS10; ver <= DBTLS_TLS13; ver++) {
		p.version = (enum dbtls_version)ver;
		p.suites = suites;
		p.nsuites = dbtls_suites_for_version(p.version, suites, 1024);
		dbtls_buf_init(&b);
		assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
		ch_parse(b.data, b.len, &v);
		assert_true(ch_has(&v, 0x0010));
		assert_int_equal(v.nalpn, sizeof(want));
		assert_memory_equal(v.alpn, want, sizeof(want));
		dbtls_buf_free(&b);
	}
	p.version = DBTLS_SSL3;
	p.nsuites = dbtls_suites_for_version(DBTLS_SSL3, suites, 1024);
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_int_equal(v.next, 0); /* no extensions at all */
	dbtls_buf_free(&b);

	p.version = DBTLS_TLS12;
	p.nsuites = dbtls_suites_for_version(DBTLS_TLS12, suites, 1024);
	p.alpn = none;
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_OK);
	ch_parse(b.data, b.len, &v);
	assert_false(ch_has(&v, 0x0010));
	dbtls_buf_free(&b);
	p.alpn = empty_name;
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_ERR_INPUT);
	dbtls_buf_free(&b);
	p.alpn = twice;
	dbtls_buf_init(&b);
	assert_int_equal(dbtls_hello_build(&p, &b), DBTLS_ERR_INPUT);
	dbtls_buf_free(&b);
	assert_true(dbtls_alpn_valid(NULL));
	assert_true(dbtls_alpn_valid(alpn));
	assert_false(dbtls_alpn_valid(twice));
}

/* --- server answers ------------------------------------------------------------------------- */

static void sh_record(struct dbtls_buf *b, uint16_t version, uint16_t cipher, const uint8_t *random,
		      const uint8_t *exts, size_t extlen)
{
	uint8_t rnd[32];
	memset(rnd, 0x42, sizeof(rnd));
	dbtls_buf_u8(b, 22);
	dbtls_buf_u16(b, 0x0303);
	size_t rl = dbtls_buf_len_begin(b, 2);
	dbtls_buf_u8(b, 2);
	size_t hl = dbtls_buf_len_begin(b, 3);
	dbtls_buf_u16(b, version);
	dbtls_buf_bytes(b, random ? random : rnd, 32);
	dbtls_buf_u8(b, 0);
	dbtls_buf_u16(b, cipher);
	dbtls_buf_u8(b, 0);
	if (exts) {
		dbtls_buf_u16(b, (uint16_t)extlen);
		dbtls_buf_bytes(b, exts, extlen);
	}
	dbtls_buf_len_end(b, hl, 3);
	dbtls_buf_len_end(b, rl, 2);
}

static void test_parse_tls12_every_prefix(void **state)
{
	const uint8_t exts[] = {0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00};
	struct dbtls_hello_result r;
	struct dbtls_buf b;
	(void)state;

	dbtls_buf_init(&b);
	sh_record(&b, 0x0303, 0xc02f, NULL, exts, sizeof(exts));
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(dbtls_hello_parse(b.data, i, NULL, false, &r),
				 DBTLS_ERR_TRUNCATED);
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_SERVER_HELLO);
	assert_int_equal(r.version, 0x0303);
	assert_int_equal(r.cipher, 0xc02f);
	assert_true(r.secure_renegotiation);
	assert_true(r.extended_master_secret);
	dbtls_buf_free(&b);
}

/* A TLS 1.2 ServerHello that selects an ALPN protocol; one whose ALPN extension is malformed
 * (two names, a length that disagrees, an empty name) is no acceptance. */
static void test_parse_alpn(void **state)
{
	const uint8_t exts[] = {0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x0d, 0x00, 0x0b,
				0x0a, 'p',  'o',  's',	't',  'g',  'r',  'e',	's',  'q',  'l'};
	const uint8_t two[] = {0x00, 0x10, 0x00, 0x08, 0x00, 0x06, 0x02, 'h', '2', 0x02, 'h', '3'};
	const uint8_t badlen[] = {0x00, 0x10, 0x00, 0x05, 0x00, 0x04, 0x02, 'h', '2'};
	const uint8_t empty[] = {0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00};
	const uint8_t nul[] = {0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'a', 0x00};
	const struct {
		const uint8_t *p;
		size_t n;
	} bad[] = {{two, sizeof(two)}, {badlen, sizeof(badlen)}, {empty, sizeof(empty)}};
	struct dbtls_hello_result r;
	struct dbtls_buf b;
	(void)state;

	dbtls_buf_init(&b);
	sh_record(&b, 0x0303, 0xc02f, NULL, exts, sizeof(exts));
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_SERVER_HELLO);
	assert_true(r.secure_renegotiation);
	assert_true(r.alpn_seen);
	assert_string_equal(r.alpn, "postgresql");
	dbtls_buf_free(&b);

	dbtls_buf_init(&b); /* without the extension: nothing selected */
	sh_record(&b, 0x0303, 0xc02f, NULL, exts, 5);
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r), DBTLS_OK);
	assert_false(r.alpn_seen);
	assert_string_equal(r.alpn, "");
	dbtls_buf_free(&b);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dbtls_buf_init(&b);
		sh_record(&b, 0x0303, 0xc02f, NULL, bad[i].p, bad[i].n);
		assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r),
				 DBTLS_ERR_PROTOCOL);
		assert_int_not_equal(r.kind, DBTLS_HELLO_SERVER_HELLO);
		dbtls_buf_free(&b);
	}
	dbtls_buf_init(&b); /* a NUL byte cannot cut the name short unseen */
	sh_record(&b, 0x0303, 0xc02f, NULL, nul, sizeof(nul));
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r), DBTLS_OK);
	assert_string_equal(r.alpn, "a?");
	dbtls_buf_free(&b);
}

static void test_parse_split_records(void **state)
{
	struct dbtls_hello_result r;
	struct dbtls_buf whole, split;
	(void)state;

	/* the same ServerHello, its handshake bytes spread over records of 5 bytes each */
	dbtls_buf_init(&whole);
	dbtls_buf_init(&split);
	sh_record(&whole, 0x0302, 0x0035, NULL, NULL, 0);
	for (size_t off = 5; off < whole.len; off += 5) {
		size_t n = whole.len - off < 5 ? whole.len - off : 5;
		dbtls_buf_u8(&split, 22);
		dbtls_buf_u16(&split, 0x0302);
		dbtls_buf_u16(&split, (uint16_t)n);
		dbtls_buf_bytes(&split, whole.data + off, n);
	}
	assert_int_equal(dbtls_hello_parse(split.data, split.len, NULL, false, &r), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_SERVER_HELLO);
	assert_int_equal(r.version, 0x0302);
	assert_int_equal(r.cipher, 0x0035);
	dbtls_buf_free(&whole);
	dbtls_buf_free(&split);
}

static void test_parse_tls13_and_hrr(void **state)
{
	const uint8_t hrr[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
				 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
				 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
	uint8_t sh_exts[6 + 8 + 32] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00,
				       0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
	const uint8_t hrr_exts[] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
				    0x00, 0x33, 0x00, 0x02, 0x00, 0x17};
	struct dbtls_hello_result r;
	struct dbtls_buf b;
	(void)state;

	dbtls_buf_init(&b);
	sh_record(&b, 0x0303, 0x1302, NULL, sh_exts, sizeof(sh_exts));
	/* TLS 1.3 servers follow with a CCS and encrypted records: the parser stops at SH */
	dbtls_buf_bytes(&b, "\x14\x03\x03\x00\x01\x01", 6);
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, true, &r), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_SERVER_HELLO);
	assert_int_equal(r.version, 0x0304);
	assert_int_equal(r.legacy_version, 0x0303);
	assert_int_equal(r.cipher, 0x1302);
	assert_int_equal(r.group, DBTLS_GROUP_X25519);
	dbtls_buf_free(&b);

	dbtls_buf_init(&b);
	sh_record(&b, 0x0303, 0x1301, hrr, hrr_exts, sizeof(hrr_exts));
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_HRR);
	assert_int_equal(r.version, 0x0304);
	assert_int_equal(r.group, DBTLS_GROUP_SECP256R1);
	char desc[128];
	dbtls_hello_describe(&r, desc, sizeof(desc));
	assert_string_equal(desc, "HelloRetryRequest TLSv1.3 group secp256r1");
	dbtls_buf_free(&b);
}

static void test_parse_alert_and_garbage(void **state)
{
	const uint8_t alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
	const uint8_t http[] = "HTTP/1.1 400 Bad Request\r\n";
	const uint8_t bad_rec[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
	struct dbtls_hello_result r;
	char desc[128];
	(void)state;

	assert_int_equal(dbtls_hello_parse(alert, sizeof(alert), NULL, false, &r), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_ALERT);
	assert_int_equal(r.alert_level, 2);
	assert_int_equal(r.alert_desc, 70);
	dbtls_hello_describe(&r, desc, sizeof(desc));
	assert_string_equal(desc, "alert protocol_version (70)");
	assert_int_equal(dbtls_hello_parse(http, sizeof(http) - 1, NULL, false, &r),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(r.kind, DBTLS_HELLO_GARBAGE);
	/* a handshake message that is not a ServerHello */
	assert_int_equal(dbtls_hello_parse(bad_rec, sizeof(bad_rec), NULL, false, &r),
			 DBTLS_ERR_PROTOCOL);
	assert_int_equal(r.kind, DBTLS_HELLO_GARBAGE);
}

static void test_parse_mysql_err(void **state)
{
	/* what a yaSSL MySQL 5.6 sends after a ClientHello it dislikes (sequence 2) */
	const uint8_t err[] = {0x16, 0x00, 0x00, 0x02, 0xff, 0x13, 0x04, '#', '0',
			       '8',  'S',  '0',	 '1',  'B',  'a',  'd',	 ' ', 'h',
			       'a',  'n',  'd',	 's',  'h',  'a',  'k',	 'e'};
	struct dbtls_hello_result r;
	(void)state;

	for (size_t i = 1; i < sizeof(err); i++)
		assert_int_equal(
		    dbtls_hello_parse(err, i, dbtls_preamble_mysql.error_packet, false, &r),
		    DBTLS_ERR_TRUNCATED);
	assert_int_equal(
	    dbtls_hello_parse(err, sizeof(err), dbtls_preamble_mysql.error_packet, false, &r),
	    DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_SERVER_ERROR);
	assert_int_equal(r.server_error.code, 1043);
	assert_string_equal(r.server_error.sqlstate, "08S01");
	assert_string_equal(r.server_error.message, "Bad handshake");
	/* without the MySQL decoder the same bytes are not TLS */
	assert_int_equal(dbtls_hello_parse(err, sizeof(err), NULL, false, &r), DBTLS_ERR_PROTOCOL);
}

static void test_parse_ssl2(void **state)
{
	struct dbtls_hello_result r;
	struct dbtls_buf b;
	(void)state;

	dbtls_buf_init(&b);
	dbtls_buf_u16(&b, 0); /* header, patched */
	dbtls_buf_u8(&b, 4);  /* SERVER-HELLO */
	dbtls_buf_u8(&b, 0);
	dbtls_buf_u8(&b, 1);
	dbtls_buf_u16(&b, 0x0002);
	dbtls_buf_u16(&b, 3);  /* certificate length */
	dbtls_buf_u16(&b, 6);  /* cipher specs */
	dbtls_buf_u16(&b, 16); /* connection id */
	dbtls_buf_bytes(&b, "abc", 3);
	dbtls_buf_u24(&b, 0x010080);
	dbtls_buf_u24(&b, 0x0700c0);
	dbtls_buf_zeros(&b, 16);
	b.data[0] = (uint8_t)(0x80 | ((b.len - 2) >> 8));
	b.data[1] = (uint8_t)(b.len - 2);
	for (size_t i = 1; i < b.len; i++)
		assert_int_equal(dbtls_hello_parse(b.data, i, NULL, false, &r),
				 DBTLS_ERR_TRUNCATED);
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_SSL2_SERVER_HELLO);
	assert_int_equal(r.nssl2_ciphers, 2);
	assert_int_equal(r.ssl2_ciphers[1], 0x0700c0);
	dbtls_buf_free(&b);
}

static void test_parse_ske(void **state)
{
	struct dbtls_hello_result r;
	struct dbtls_buf b;
	(void)state;

	/* DHE-RSA-AES128-SHA: ServerHello, then a ServerKeyExchange with a 2048-bit prime */
	dbtls_buf_init(&b);
	sh_record(&b, 0x0303, 0x0033, NULL, NULL, 0);
	dbtls_buf_u8(&b, 22);
	dbtls_buf_u16(&b, 0x0303);
	size_t rl = dbtls_buf_len_begin(&b, 2);
	dbtls_buf_u8(&b, 12);
	size_t hl = dbtls_buf_len_begin(&b, 3);
	dbtls_buf_u16(&b, 256);
	dbtls_buf_u8(&b, 0x80);
	dbtls_buf_zeros(&b, 255);
	dbtls_buf_u16(&b, 1);
	dbtls_buf_u8(&b, 2);
	dbtls_buf_len_end(&b, hl, 3);
	dbtls_buf_len_end(&b, rl, 2);
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, true, &r), DBTLS_OK);
	assert_int_equal(r.dh_bits, 2048);
	/* without want_kex the parse ends at the ServerHello */
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, false, &r), DBTLS_OK);
	assert_int_equal(r.dh_bits, 0);
	dbtls_buf_free(&b);

	/* ECDHE-RSA-AES128-GCM-SHA256 with secp384r1 */
	dbtls_buf_init(&b);
	sh_record(&b, 0x0303, 0xc02f, NULL, NULL, 0);
	dbtls_buf_bytes(&b, "\x16\x03\x03\x00\x08\x0c\x00\x00\x04\x03\x00\x18\x00", 13);
	assert_int_equal(dbtls_hello_parse(b.data, b.len, NULL, true, &r), DBTLS_OK);
	assert_int_equal(r.group, DBTLS_GROUP_SECP384R1);
	dbtls_buf_free(&b);
}

static void test_probe_replay(void **state)
{
	const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	uint32_t suites[] = {0xc02f};
	struct dbtls_hello_params p = {.version = DBTLS_TLS12, .suites = suites, .nsuites = 1};
	struct dbtls_hello_result r;
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	struct ch_view v;
	(void)state;

	dbtls_conn_init_replay(&c, alert, sizeof(alert));
	assert_int_equal(dbtls_hello_probe(&c, &dbtls_preamble_tls, &p, &r, &d), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_ALERT);
	assert_int_equal(r.alert_desc, 40);
	ch_parse(c.sent.data, c.sent.len, &v); /* what went out is a well-formed hello */
	assert_int_equal(v.nsuites, 1);
	dbtls_conn_close(&c);

	dbtls_conn_init_replay(&c, NULL, 0);
	assert_int_equal(dbtls_hello_probe(&c, &dbtls_preamble_tls, &p, &r, &d), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_CLOSED);
	dbtls_conn_close(&c);

	/* a few bytes and then silence-with-close: garbage, not a crash */
	dbtls_conn_init_replay(&c, (const uint8_t *)"\x16\x03", 2);
	assert_int_equal(dbtls_hello_probe(&c, &dbtls_preamble_tls, &p, &r, &d), DBTLS_OK);
	assert_int_equal(r.kind, DBTLS_HELLO_GARBAGE);
	dbtls_conn_close(&c);
}

/* The server flight read to its end (probes.c): CertificateRequest, ServerKeyExchange scheme,
 * then a heartbeat response longer than anything honest: the over-read. */
static void test_probe_flight(void **state)
{
	const uint8_t exts[] = {0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x00, 0x01, 0x01};
	/* ServerKeyExchange: secp256r1, a 1-byte point, rsa_pss_rsae_sha256, empty signature */
	const uint8_t ske[] = {0x0c, 0x00, 0x00, 0x09, 0x03, 0x00, 0x17,
			       0x01, 0x04, 0x08, 0x04, 0x00, 0x00};
	/* CertificateRequest: rsa_sign + ecdsa_sign, two schemes, one CA "CN=Test CA" */
	const uint8_t cr[] = {0x0d, 0x00, 0x00, 0x21, 0x02, 0x01, 0x40, 0x00, 0x04, 0x08,
			      0x04, 0x04, 0x01, 0x00, 0x16, 0x00, 0x14, 0x30, 0x12, 0x31,
			      0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x07,
			      'T',  'e',  's',	't',  ' ',  'C',  'A'};
	const uint8_t done[] = {0x0e, 0x00, 0x00, 0x00};
	uint32_t suites[] = {0xc02f};
	struct dbtls_hello_params p = {
	    .version = DBTLS_TLS12, .suites = suites, .nsuites = 1, .heartbeat = true};
	struct dbtls_flight *fl = calloc(1, sizeof(*fl));
	enum dbtls_vuln_verdict v;
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	struct dbtls_buf b;
	char detail[200];
	(void)state;

	assert_non_null(fl);
	dbtls_buf_init(&b);
	sh_record(&b, 0x0303, 0xc02f, NULL, exts, sizeof(exts));
	dbtls_buf_u8(&b, 22);
	dbtls_buf_u16(&b, 0x0303);
	dbtls_buf_u16(&b, (uint16_t)(sizeof(ske) + sizeof(cr) + sizeof(done)));
	dbtls_buf_bytes(&b, ske, sizeof(ske));
	dbtls_buf_bytes(&b, cr, sizeof(cr));
	dbtls_buf_bytes(&b, done, sizeof(done));
	dbtls_buf_bytes(&b, "\x18\x03\x03\x00\x53", 5); /* heartbeat response, 83 bytes */
	dbtls_buf_zeros(&b, 83);

	dbtls_conn_init_replay(&c, b.data, b.len);
	assert_int_equal(dbtls_probe_flight(&c, &dbtls_preamble_tls, &p, fl, &d), DBTLS_OK);
	assert_int_equal(fl->hello.kind, DBTLS_HELLO_SERVER_HELLO);
	assert_true(fl->hello.heartbeat);
	assert_true(fl->hello.secure_renegotiation);
	assert_true(fl->complete);
	assert_true(fl->cert_request);
	assert_int_equal(fl->ncert_types, 2);
	assert_int_equal(fl->nreq_sigalgs, 2);
	assert_int_equal(fl->req_sigalgs[0], 0x0804);
	assert_int_equal(fl->nca_names, 1);
	assert_string_equal(fl->ca_names[0], "CN=Test CA");
	assert_int_equal(fl->ske_sigalg, 0x0804);
	/* the heartbeat answer comes after the request: replay it on its own */
	dbtls_conn_close(&c);
	dbtls_conn_init_replay(&c, b.data + b.len - 88, 88);
	assert_int_equal(dbtls_probe_heartbleed(&c, 0x0303, 100, &v, detail, sizeof(detail), &d),
			 DBTLS_OK);
	assert_int_equal(v, DBTLS_VULN_YES);
	dbtls_conn_close(&c);

	/* the same flight, and then the connection closes on the early CCS: refused */
	dbtls_conn_init_replay(&c, b.data, b.len - 88);
	assert_int_equal(dbtls_probe_flight(&c, &dbtls_preamble_tls, &p, fl, &d), DBTLS_OK);
	assert_true(fl->complete);
	assert_int_equal(dbtls_probe_ccs(&c, 0x0303, 100, &v, detail, sizeof(detail), &d),
			 DBTLS_OK);
	assert_int_equal(v, DBTLS_VULN_NO);
	dbtls_conn_close(&c);

	/* every prefix of the flight: never a crash, complete only with the ServerHelloDone */
	for (size_t n = 0; n < b.len - 88; n++) {
		dbtls_conn_init_replay(&c, b.data, n);
		assert_int_equal(dbtls_probe_flight(&c, &dbtls_preamble_tls, &p, fl, &d), DBTLS_OK);
		assert_false(fl->complete);
		dbtls_conn_close(&c);
	}
	dbtls_buf_free(&b);
	free(fl);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dbtls_alert_name(40), "handshake_failure");
	assert_string_equal(dbtls_alert_name(200), "unknown_alert");
	assert_string_equal(dbtls_group_name(0x001d), "x25519");
	assert_string_equal(dbtls_group_name(0x0100), "ffdhe2048");
	assert_null(dbtls_group_name(0x7777));
	assert_string_equal(dbtls_group_name(0x11ec), "X25519MLKEM768");
	assert_true(dbtls_group_is_pq(0x11ec) && dbtls_group_is_pq(0x0201));
	assert_false(dbtls_group_is_pq(0x001d));
	assert_string_equal(dbtls_sigalg_name(0x0804), "rsa_pss_rsae_sha256");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_tls12),
	    cmocka_unit_test(test_build_tls13),
	    cmocka_unit_test(test_build_ssl3_and_padding),
	    cmocka_unit_test(test_build_ssl2),
	    cmocka_unit_test(test_build_alpn),
	    cmocka_unit_test(test_parse_tls12_every_prefix),
	    cmocka_unit_test(test_parse_alpn),
	    cmocka_unit_test(test_parse_split_records),
	    cmocka_unit_test(test_parse_tls13_and_hrr),
	    cmocka_unit_test(test_parse_alert_and_garbage),
	    cmocka_unit_test(test_parse_mysql_err),
	    cmocka_unit_test(test_parse_ssl2),
	    cmocka_unit_test(test_parse_ske),
	    cmocka_unit_test(test_probe_replay),
	    cmocka_unit_test(test_probe_flight),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
