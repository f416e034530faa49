/* SPDX-License-Identifier: MIT */
/*
 * hello.c — ClientHello construction and server-answer parsing for every version from SSLv2 to
 * TLS 1.3 (see hello.h).
 *
 * Wire references: SSLv2 (draft-hickman-netscape-ssl-00) CLIENT-HELLO/SERVER-HELLO; RFC 6101
 * (SSLv3); RFC 5246 (TLS 1.2) §7.4; RFC 8446 (TLS 1.3) §4.1 with supported_versions, key_share and
 * the HelloRetryRequest random; RFC 7685 padding (some middleboxes hang on hellos of 256–511
 * bytes).
 */
#include "src/wire/hello.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"

#define REC_CHANGE_CIPHER_SPEC 20
#define REC_ALERT	       21
#define REC_HANDSHAKE	       22
#define REC_APPLICATION_DATA   23

#define HS_SERVER_HELLO	       2
#define HS_CERTIFICATE	       11
#define HS_SERVER_KEY_EXCHANGE 12
#define HS_CERTIFICATE_REQUEST 13
#define HS_SERVER_HELLO_DONE   14
#define HS_CERTIFICATE_STATUS  22

#define EXT_SERVER_NAME		   0x0000
#define EXT_STATUS_REQUEST	   0x0005
#define EXT_SUPPORTED_GROUPS	   0x000a
#define EXT_EC_POINT_FORMATS	   0x000b
#define EXT_SIGNATURE_ALGORITHMS   0x000d
#define EXT_HEARTBEAT		   0x000f
#define EXT_ENCRYPT_THEN_MAC	   0x0016
#define EXT_ALPN		   0x0010
#define EXT_PADDING		   0x0015
#define EXT_EXTENDED_MASTER_SECRET 0x0017
#define EXT_SESSION_TICKET	   0x0023
#define EXT_SUPPORTED_VERSIONS	   0x002b
#define EXT_PSK_KEY_EXCHANGE_MODES 0x002d
#define EXT_KEY_SHARE		   0x0033
#define EXT_RENEGOTIATION_INFO	   0xff01

/* Most we read of one answer: a ServerHello flight with a long chain fits comfortably. */
#define HELLO_MAX_ANSWER (256 * 1024)

static const uint8_t hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static bool hello_is_ip_literal(const char *s)
{
	/* SNI must not carry IP addresses (RFC 6066 §3) */
	return strchr(s, ':') || strspn(s, "0123456789.") == strlen(s);
}

/* Appends one key_share entry for group g with a fresh key. x25519 is 32 random bytes (every
 * value is a valid public key after clamping); other groups need a real key from OpenSSL. */
static enum dbtls_err hello_key_share(struct dbtls_buf *b, uint16_t g)
{
	const char *ossl = NULL, *type = NULL;
	unsigned char *pub = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	enum dbtls_err err = DBTLS_ERR_UNSUPPORTED;
	uint8_t x[32];
	size_t n;

	size_t ngroups;
	const struct dbtls_group_info *groups = dbtls_groups_all(&ngroups);

	if (g == DBTLS_GROUP_X25519) {
		if (RAND_bytes(x, sizeof(x)) != 1)
			return DBTLS_ERR_INTERNAL;
		dbtls_buf_u16(b, g);
		dbtls_buf_u16(b, sizeof(x));
		dbtls_buf_bytes(b, x, sizeof(x));
		return DBTLS_OK;
	}
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i].id == g) {
			ossl = groups[i].ossl;
			type = groups[i].ossl_type;
		}
	if (!type)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0)
		goto out;
	if (ossl && EVP_PKEY_CTX_set_group_name(ctx, ossl) <= 0)
		goto out;
	if (EVP_PKEY_keygen(ctx, &pkey) <= 0)
		goto out;
	n = EVP_PKEY_get1_encoded_public_key(pkey, &pub);
	if (!n || n > 0xffff)
		goto out;
	dbtls_buf_u16(b, g);
	dbtls_buf_u16(b, (uint16_t)n);
	dbtls_buf_bytes(b, pub, n);
	err = DBTLS_OK;
out:
	OPENSSL_free(pub);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

static void hello_build_ssl2(const struct dbtls_hello_params *p, struct dbtls_buf *out)
{
	uint8_t challenge[16];
	size_t hdr, n = 0;

	RAND_bytes(challenge, sizeof(challenge));
	hdr = out->len;
	dbtls_buf_u16(out, 0); /* patched below: 0x8000 | length */
	dbtls_buf_u8(out, 1);  /* CLIENT-HELLO */
	dbtls_buf_u16(out, 0x0002);
	for (size_t i = 0; i < p->nsuites; i++)
		if (p->suites[i] > 0xffff)
			n++;
	dbtls_buf_u16(out, (uint16_t)(n * 3));
	dbtls_buf_u16(out, 0); /* session id */
	dbtls_buf_u16(out, sizeof(challenge));
	for (size_t i = 0; i < p->nsuites; i++)
		if (p->suites[i] > 0xffff)
			dbtls_buf_u24(out, p->suites[i]);
	dbtls_buf_bytes(out, challenge, sizeof(challenge));
	if (!out->oom) {
		size_t len = out->len - hdr - 2;
		out->data[hdr] = (uint8_t)(0x80 | (len >> 8));
		out->data[hdr + 1] = (uint8_t)len;
	}
}

static bool hello_offers_ecc(const struct dbtls_hello_params *p)
{
	for (size_t i = 0; i < p->nsuites; i++) {
		const struct dbtls_suite *s = dbtls_suite_by_code((uint16_t)p->suites[i]);
		if (p->suites[i] <= 0xffff && s &&
		    (strstr(s->kx, "ECDH") || strstr(s->auth, "ECDSA")))
			return true;
	}
	return false;
}

/* signature_algorithms with the caller's list (sigalgs enumeration). */
static void hello_ext_sigalgs(struct dbtls_buf *b, const uint16_t *algs, size_t n)
{
	size_t ext = 0, l = 0;

	dbtls_buf_u16(b, EXT_SIGNATURE_ALGORITHMS);
	ext = dbtls_buf_len_begin(b, 2);
	l = dbtls_buf_len_begin(b, 2);
	for (size_t i = 0; i < n; i++)
		dbtls_buf_u16(b, algs[i]);
	dbtls_buf_len_end(b, l, 2);
	dbtls_buf_len_end(b, ext, 2);
}

/* The extensions only the handshake-facts probes offer. */
static void hello_ext_facts(const struct dbtls_hello_params *p, struct dbtls_buf *b)
{
	if (p->encrypt_then_mac && p->version != DBTLS_TLS13) {
		dbtls_buf_u16(b, EXT_ENCRYPT_THEN_MAC);
		dbtls_buf_u16(b, 0);
	}
	if (p->heartbeat) {
		dbtls_buf_u16(b, EXT_HEARTBEAT);
		dbtls_buf_u16(b, 1);
		dbtls_buf_u8(b, 1); /* peer_allowed_to_send */
	}
}

static enum dbtls_err hello_extensions(const struct dbtls_hello_params *p, struct dbtls_buf *b)
{
	bool tls13 = p->version == DBTLS_TLS13;
	enum dbtls_err err;
	size_t ext, l;

	if (p->sni && *p->sni && !hello_is_ip_literal(p->sni)) {
		size_t n = strlen(p->sni);
		dbtls_buf_u16(b, EXT_SERVER_NAME);
		dbtls_buf_u16(b, (uint16_t)(n + 5));
		dbtls_buf_u16(b, (uint16_t)(n + 3));
		dbtls_buf_u8(b, 0); /* host_name */
		dbtls_buf_u16(b, (uint16_t)n);
		dbtls_buf_bytes(b, p->sni, n);
	}
	if (p->status_request) {
		dbtls_buf_u16(b, EXT_STATUS_REQUEST);
		dbtls_buf_u16(b, 5);
		dbtls_buf_u8(b, 1); /* ocsp */
		dbtls_buf_u16(b, 0);
		dbtls_buf_u16(b, 0);
	}
	if (tls13 || hello_offers_ecc(p) || p->groups) {
		dbtls_buf_u16(b, EXT_SUPPORTED_GROUPS);
		ext = dbtls_buf_len_begin(b, 2);
		l = dbtls_buf_len_begin(b, 2);
		if (p->groups) {
			for (size_t i = 0; i < p->ngroups; i++)
				dbtls_buf_u16(b, p->groups[i]);
		} else {
			/* preferred groups first: a server that follows client order picks x25519
			 */
			static const uint16_t first[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x001e};
			size_t ngroups;
			const struct dbtls_group_info *groups = dbtls_groups_all(&ngroups);

			for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
				dbtls_buf_u16(b, first[i]);
			for (size_t i = 0; i < ngroups; i++) {
				bool dup = false;
				for (size_t j = 0; j < sizeof(first) / sizeof(first[0]); j++)
					dup |= first[j] == groups[i].id;
				/* the post-quantum groups exist only for TLS 1.3 */
				if (!dup &&
				    (tls13 ? groups[i].tls13 : !dbtls_group_is_pq(groups[i].id)))
					dbtls_buf_u16(b, groups[i].id);
			}
		}
		dbtls_buf_len_end(b, l, 2);
		dbtls_buf_len_end(b, ext, 2);
		if (!tls13) {
			dbtls_buf_u16(b, EXT_EC_POINT_FORMATS);
			dbtls_buf_u16(b, 2);
			dbtls_buf_u8(b, 1);
			dbtls_buf_u8(b, 0); /* uncompressed */
		}
	}
	if (p->alpn && p->alpn[0]) {
		uint8_t list[DBTLS_ALPN_MAX * (DBTLS_ALPN_NAME_MAX + 1)];
		size_t n = dbtls_alpn_wire(p->alpn, list, sizeof(list));

		if (!n)
			return DBTLS_ERR_INPUT;
		dbtls_buf_u16(b, EXT_ALPN);
		dbtls_buf_u16(b, (uint16_t)(n + 2));
		dbtls_buf_u16(b, (uint16_t)n);
		dbtls_buf_bytes(b, list, n);
	}
	if (p->version >= DBTLS_TLS12 && p->sigalgs) {
		hello_ext_sigalgs(b, p->sigalgs, p->nsigalgs);
	} else if (p->version >= DBTLS_TLS12) {
		/* the schemes we claim, widest first so that weak servers still answer (RFC 8446
		 * §4.2.3): src/registry/names.c holds the list */
		uint16_t sigalgs[64];
		size_t nsig = dbtls_sigalgs_offered(sigalgs, 64);

		nsig = nsig < 64 ? nsig : 64;
		dbtls_buf_u16(b, EXT_SIGNATURE_ALGORITHMS);
		dbtls_buf_u16(b, (uint16_t)(2 + 2 * nsig));
		dbtls_buf_u16(b, (uint16_t)(2 * nsig));
		for (size_t i = 0; i < nsig; i++)
			dbtls_buf_u16(b, sigalgs[i]);
	}
	dbtls_buf_u16(b, EXT_SESSION_TICKET);
	dbtls_buf_u16(b, 0);
	dbtls_buf_u16(b, EXT_EXTENDED_MASTER_SECRET);
	dbtls_buf_u16(b, 0);
	hello_ext_facts(p, b);
	if (tls13) {
		dbtls_buf_u16(b, EXT_SUPPORTED_VERSIONS);
		dbtls_buf_u16(b, 3);
		dbtls_buf_u8(b, 2);
		dbtls_buf_u16(b, 0x0304);
		dbtls_buf_u16(b, EXT_PSK_KEY_EXCHANGE_MODES);
		dbtls_buf_u16(b, 2);
		dbtls_buf_u8(b, 1);
		dbtls_buf_u8(b, 1); /* psk_dhe_ke */
		dbtls_buf_u16(b, EXT_KEY_SHARE);
		ext = dbtls_buf_len_begin(b, 2);
		l = dbtls_buf_len_begin(b, 2);
		if (!p->no_key_shares) {
			if (p->nkey_shares) {
				for (size_t i = 0; i < p->nkey_shares; i++) {
					err = hello_key_share(b, p->key_shares[i]);
					if (err)
						return err;
				}
			} else {
				bool x25519 = !p->groups;
				for (size_t i = 0; p->groups && i < p->ngroups; i++)
					x25519 |= p->groups[i] == DBTLS_GROUP_X25519;
				if (x25519 && (err = hello_key_share(b, DBTLS_GROUP_X25519)))
					return err;
			}
		}
		dbtls_buf_len_end(b, l, 2);
		dbtls_buf_len_end(b, ext, 2);
	} else {
		dbtls_buf_u16(b, EXT_RENEGOTIATION_INFO);
		dbtls_buf_u16(b, 1);
		dbtls_buf_u8(b, 0);
	}
	return DBTLS_OK;
}

enum dbtls_err dbtls_hello_build(const struct dbtls_hello_params *p, struct dbtls_buf *out)
{
	uint8_t random[32];
	size_t rec, hs, exts, start;
	enum dbtls_err err;

	if ((unsigned)p->version >= DBTLS_NVERSIONS)
		return DBTLS_ERR_INPUT;
	if (p->version == DBTLS_SSL2) {
		hello_build_ssl2(p, out);
		return out->oom ? DBTLS_ERR_NOMEM : DBTLS_OK;
	}
	if (RAND_bytes(random, sizeof(random)) != 1)
		return DBTLS_ERR_INTERNAL;
	start = out->len;
	dbtls_buf_u8(out, REC_HANDSHAKE);
	/* record version: SSLv3 for SSLv3, else TLS 1.0 as every modern client does */
	dbtls_buf_u16(out, p->version == DBTLS_SSL3 ? 0x0300 : 0x0301);
	rec = dbtls_buf_len_begin(out, 2);
	dbtls_buf_u8(out, 1); /* ClientHello */
	hs = dbtls_buf_len_begin(out, 3);
	dbtls_buf_u16(out, p->version == DBTLS_TLS13 ? 0x0303 : dbtls_version_code(p->version));
	dbtls_buf_bytes(out, random, sizeof(random));
	if (p->version == DBTLS_TLS13) {
		/* a legacy session id makes middlebox-compatible servers behave as they do for
		 * browsers */
		uint8_t sid[32];
		RAND_bytes(sid, sizeof(sid));
		dbtls_buf_u8(out, sizeof(sid));
		dbtls_buf_bytes(out, sid, sizeof(sid));
	} else {
		dbtls_buf_u8(out, 0);
	}
	{
		size_t l = dbtls_buf_len_begin(out, 2);
		for (size_t i = 0; i < p->nsuites; i++)
			if (p->suites[i] <= 0xffff)
				dbtls_buf_u16(out, (uint16_t)p->suites[i]);
		dbtls_buf_len_end(out, l, 2);
	}
	if (p->offer_deflate && p->version != DBTLS_TLS13) {
		dbtls_buf_u8(out, 2);
		dbtls_buf_u8(out, 1); /* DEFLATE (RFC 3749), to learn whether the server takes it */
		dbtls_buf_u8(out, 0);
	} else {
		dbtls_buf_u8(out, 1);
		dbtls_buf_u8(out, 0); /* null compression only */
	}
	if (p->version != DBTLS_SSL3) {
		exts = dbtls_buf_len_begin(out, 2);
		err = hello_extensions(p, out);
		if (err)
			return err;
		/* RFC 7685: keep the hello out of the 256..511-byte range some stacks choke on */
		if (!out->oom) {
			size_t hello_len = out->len - start - 5;
			if (hello_len >= 256 && hello_len < 512) {
				size_t pad = 512 - hello_len;
				pad = pad >= 4 ? pad - 4 : 1;
				dbtls_buf_u16(out, EXT_PADDING);
				dbtls_buf_u16(out, (uint16_t)pad);
				dbtls_buf_zeros(out, pad);
			}
		}
		dbtls_buf_len_end(out, exts, 2);
	}
	dbtls_buf_len_end(out, hs, 3);
	dbtls_buf_len_end(out, rec, 2);
	if (!out->oom && out->len - start - 5 > 16384)
		return DBTLS_ERR_INPUT; /* would need several records; no sane offer is this large
					 */
	return out->oom ? DBTLS_ERR_NOMEM : DBTLS_OK;
}

/* Parses ServerHello extensions into r. */
static bool hello_parse_sh_exts(struct dbtls_rd *ex, bool hrr, struct dbtls_hello_result *r)
{
	while (dbtls_rd_left(ex) > 0) {
		uint16_t type = dbtls_rd_u16(ex), len = dbtls_rd_u16(ex);
		struct dbtls_rd e;

		if (!dbtls_rd_sub(ex, len, &e))
			return false;
		switch (type) {
		case EXT_SUPPORTED_VERSIONS:
			r->version = dbtls_rd_u16(&e);
			break;
		case EXT_KEY_SHARE:
			r->group =
			    dbtls_rd_u16(&e); /* HRR: selected_group; SH: KeyShareEntry.group */
			(void)hrr;
			break;
		case EXT_RENEGOTIATION_INFO:
			r->secure_renegotiation = true;
			break;
		case EXT_EXTENDED_MASTER_SECRET:
			r->extended_master_secret = true;
			break;
		case EXT_STATUS_REQUEST:
			r->status_request = true;
			break;
		case EXT_ALPN: {
			/* RFC 7301 §3.1: exactly one name in the server's ProtocolNameList */
			uint16_t l = dbtls_rd_u16(&e);
			uint8_t nl = dbtls_rd_u8(&e);
			const uint8_t *name = dbtls_rd_bytes(&e, nl);

			if (e.err || !name || nl == 0 || l != nl + 1 || dbtls_rd_left(&e))
				return false;
			for (size_t i = 0; i < nl; i++)
				r->alpn[i] = name[i] ? (char)name[i] : '?';
			r->alpn[nl] = 0;
			r->alpn_seen = true;
			break;
		}
		case EXT_ENCRYPT_THEN_MAC:
			r->encrypt_then_mac = true;
			break;
		case EXT_SESSION_TICKET:
			r->session_ticket = true;
			break;
		case EXT_HEARTBEAT:
			r->heartbeat = true;
			break;
		default:
			break;
		}
		if (e.err)
			return false;
	}
	return !ex->err;
}

static bool hello_parse_server_hello(struct dbtls_rd *m, struct dbtls_hello_result *r)
{
	const uint8_t *random;
	struct dbtls_rd ex;
	uint8_t sidlen;
	bool hrr;

	r->legacy_version = dbtls_rd_u16(m);
	r->version = r->legacy_version;
	random = dbtls_rd_bytes(m, 32);
	sidlen = dbtls_rd_u8(m);
	if (sidlen > 32)
		return false;
	dbtls_rd_skip(m, sidlen);
	r->cipher = dbtls_rd_u16(m);
	r->compression = dbtls_rd_u8(m);
	if (m->err || !random)
		return false;
	hrr = memcmp(random, hrr_random, 32) == 0;
	r->kind = hrr ? DBTLS_HELLO_HRR : DBTLS_HELLO_SERVER_HELLO;
	if (dbtls_rd_left(m) >= 2) {
		uint16_t len = dbtls_rd_u16(m);
		if (!dbtls_rd_sub(m, len, &ex) || !hello_parse_sh_exts(&ex, hrr, r))
			return false;
	}
	return true;
}

/* ServerKeyExchange: the DHE prime size, or the ECDHE named curve. */
static void hello_parse_ske(struct dbtls_rd *m, struct dbtls_hello_result *r)
{
	const struct dbtls_suite *s = dbtls_suite_by_code((uint16_t)r->cipher);
	uint16_t plen;
	const uint8_t *pbytes;

	if (!s)
		return;
	if (strcmp(s->kx, "DHE") == 0 || (strcmp(s->kx, "DH") == 0 && s->flags & DBTLS_SF_ANON)) {
		plen = dbtls_rd_u16(m);
		pbytes = dbtls_rd_bytes(m, plen);
		if (pbytes && plen) {
			size_t i = 0;
			while (i < plen && pbytes[i] == 0)
				i++;
			if (i < plen) {
				int bits = (int)(plen - i) * 8, top = pbytes[i];
				while (!(top & 0x80)) {
					bits--;
					top <<= 1;
				}
				r->dh_bits = bits;
				if (plen - i <= sizeof(r->dh_p)) {
					memcpy(r->dh_p, pbytes + i, plen - i);
					r->dh_plen = plen - i;
				}
			}
		}
	} else if (strstr(s->kx, "ECDH")) {
		if (dbtls_rd_u8(m) == 3) /* named_curve */
			r->group = dbtls_rd_u16(m);
	}
}

static enum dbtls_err hello_parse_ssl2(struct dbtls_rd *rd, struct dbtls_hello_result *r)
{
	uint8_t b0 = dbtls_rd_u8(rd), b1 = dbtls_rd_u8(rd);
	size_t len = ((size_t)(b0 & 0x7f) << 8) | b1;
	struct dbtls_rd m;
	uint16_t certlen, cslen, cidlen;

	if (rd->err)
		return DBTLS_ERR_TRUNCATED;
	if (dbtls_rd_left(rd) < len)
		return DBTLS_ERR_TRUNCATED;
	dbtls_rd_sub(rd, len, &m);
	switch (dbtls_rd_u8(&m)) {
	case 0: /* ERROR */
		r->kind = DBTLS_HELLO_ALERT;
		r->legacy_version = 0x0002;
		r->alert_level = 2;
		r->alert_desc = (uint8_t)dbtls_rd_u16(&m);
		return m.err ? DBTLS_ERR_PROTOCOL : DBTLS_OK;
	case 4:			      /* SERVER-HELLO */
		dbtls_rd_skip(&m, 2); /* session-id-hit, certificate type */
		r->legacy_version = r->version = dbtls_rd_u16(&m);
		certlen = dbtls_rd_u16(&m);
		cslen = dbtls_rd_u16(&m);
		cidlen = dbtls_rd_u16(&m);
		dbtls_rd_skip(&m, certlen);
		for (size_t i = 0; i + 3 <= cslen; i += 3) {
			uint32_t k = dbtls_rd_u24(&m);
			if (r->nssl2_ciphers < DBTLS_HELLO_MAX_SSL2_CIPHERS)
				r->ssl2_ciphers[r->nssl2_ciphers++] = k;
		}
		dbtls_rd_skip(&m, cslen % 3);
		dbtls_rd_skip(&m, cidlen);
		if (m.err)
			return DBTLS_ERR_PROTOCOL;
		r->kind = DBTLS_HELLO_SSL2_SERVER_HELLO;
		r->cipher = r->nssl2_ciphers ? r->ssl2_ciphers[0] : 0;
		return DBTLS_OK;
	}
	return DBTLS_ERR_PROTOCOL;
}

static bool hello_looks_tls(const uint8_t *p, size_t n)
{
	return n >= 1 && p[0] >= REC_CHANGE_CIPHER_SPEC && p[0] <= REC_APPLICATION_DATA &&
	       (n < 2 || p[1] == 3);
}

/* A MySQL packet with sequence 0: a protocol-10 greeting or an ERR packet, as a MySQL server
 * sends before the client says anything. */
static bool hello_looks_mysql(const uint8_t *p, size_t n)
{
	size_t len = n >= 4 ? (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 : 0;

	return n >= 5 && p[3] == 0 && (p[4] == 0x0a || p[4] == 0xff) && len >= 3 && len <= 16384;
}

enum dbtls_err dbtls_hello_parse(const uint8_t *p, size_t n,
				 enum dbtls_err (*error_packet)(const uint8_t *, size_t,
								struct dbtls_server_error *),
				 bool want_kex, struct dbtls_hello_result *r)
{
	/* handshake messages may be split over records or share one: gather them first */
	uint8_t hsbuf[HELLO_MAX_ANSWER];
	size_t hslen = 0;
	struct dbtls_rd rd, hs;
	enum dbtls_err err;
	bool sh_seen = false;

	memset(r, 0, sizeof(*r));
	if (n == 0)
		return DBTLS_ERR_TRUNCATED;
	if (!hello_looks_tls(p, n)) {
		if (error_packet) {
			err = error_packet(p, n, &r->server_error);
			if (err == DBTLS_OK) {
				r->kind = DBTLS_HELLO_SERVER_ERROR;
				return DBTLS_OK;
			}
			if (err == DBTLS_ERR_TRUNCATED)
				return err;
		}
		if (p[0] & 0x80) {
			dbtls_rd_init(&rd, p, n);
			err = hello_parse_ssl2(&rd, r);
			if (err != DBTLS_ERR_PROTOCOL)
				return err;
			memset(r, 0, sizeof(*r));
		}
		r->kind = DBTLS_HELLO_GARBAGE;
		r->looks_mysql = hello_looks_mysql(p, n);
		return DBTLS_ERR_PROTOCOL;
	}
	dbtls_rd_init(&rd, p, n);
	while (dbtls_rd_left(&rd) >= 5) {
		uint8_t type = dbtls_rd_u8(&rd);
		uint16_t rver = dbtls_rd_u16(&rd), rlen = dbtls_rd_u16(&rd);
		const uint8_t *body;

		if (type < REC_CHANGE_CIPHER_SPEC || type > REC_APPLICATION_DATA ||
		    (rver >> 8) != 3 || rlen > 16384 + 2048) {
			r->kind = DBTLS_HELLO_GARBAGE;
			return DBTLS_ERR_PROTOCOL;
		}
		if (dbtls_rd_left(&rd) < rlen)
			break;
		body = dbtls_rd_bytes(&rd, rlen);
		if (type == REC_ALERT) {
			/* an alert after a ServerHello is still an answer to the hello we sent */
			if (sh_seen)
				return DBTLS_OK;
			if (rlen < 2) {
				r->kind = DBTLS_HELLO_GARBAGE;
				return DBTLS_ERR_PROTOCOL;
			}
			r->kind = DBTLS_HELLO_ALERT;
			r->legacy_version = r->version = rver;
			r->alert_level = body[0];
			r->alert_desc = body[1];
			return DBTLS_OK;
		}
		if (type != REC_HANDSHAKE) {
			if (sh_seen) /* TLS 1.3 CCS / encrypted records: the flight we can read
					ended */
				return DBTLS_OK;
			r->kind = DBTLS_HELLO_GARBAGE;
			return DBTLS_ERR_PROTOCOL;
		}
		if (hslen + rlen > sizeof(hsbuf)) {
			r->kind = DBTLS_HELLO_GARBAGE;
			return DBTLS_ERR_PROTOCOL;
		}
		memcpy(hsbuf + hslen, body, rlen);
		hslen += rlen;
		/* parse every complete handshake message gathered so far */
		dbtls_rd_init(&hs, hsbuf, hslen);
		sh_seen = false;
		while (dbtls_rd_left(&hs) >= 4) {
			uint8_t mt = dbtls_rd_u8(&hs);
			uint32_t mlen = dbtls_rd_u24(&hs);
			struct dbtls_rd m;

			if (dbtls_rd_left(&hs) < mlen)
				break;
			dbtls_rd_sub(&hs, mlen, &m);
			if (!sh_seen) {
				if (mt != HS_SERVER_HELLO || !hello_parse_server_hello(&m, r)) {
					memset(r, 0, sizeof(*r));
					r->kind = DBTLS_HELLO_GARBAGE;
					return DBTLS_ERR_PROTOCOL;
				}
				sh_seen = true;
				/* TLS 1.3 and HRR: everything after is encrypted or a new flight */
				if (!want_kex || r->kind == DBTLS_HELLO_HRR || r->version == 0x0304)
					return DBTLS_OK;
				continue;
			}
			if (mt == HS_SERVER_KEY_EXCHANGE) {
				hello_parse_ske(&m, r);
				return DBTLS_OK;
			}
			if (mt == HS_SERVER_HELLO_DONE)
				return DBTLS_OK;
		}
	}
	return DBTLS_ERR_TRUNCATED;
}

static long hello_elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

enum dbtls_err dbtls_hello_probe(struct dbtls_conn *c, const struct dbtls_preamble *pre,
				 const struct dbtls_hello_params *p, struct dbtls_hello_result *r,
				 struct dbtls_diag *d)
{
	struct dbtls_buf out, in;
	struct timespec t0;
	enum dbtls_err err;
	int base_timeout = c->timeout_ms;
	size_t got;

	dbtls_buf_init(&out);
	dbtls_buf_init(&in);
	memset(r, 0, sizeof(*r));
	err = dbtls_hello_build(p, &out);
	if (err)
		goto out;
	err = dbtls_conn_send(c, out.data, out.len, d);
	if (err == DBTLS_ERR_CLOSED) {
		r->kind = DBTLS_HELLO_CLOSED;
		err = DBTLS_OK;
		goto out;
	}
	if (err)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* one deadline for the whole answer, so a server trickling bytes cannot hold us */
		long left = base_timeout - hello_elapsed_ms(&t0);
		if (left <= 0) {
			err = dbtls_diag_set(d, DBTLS_ERR_TIMEOUT, "answer incomplete after %d ms",
					     base_timeout);
			goto out;
		}
		c->timeout_ms = (int)left;
		dbtls_buf_zeros(&in, 4096);
		if (in.oom) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		in.len -= 4096;
		err = dbtls_conn_recv(c, in.data + in.len, 4096, &got, d);
		if (err == DBTLS_ERR_CLOSED) {
			/* what we have is all there is */
			err = in.len ? dbtls_hello_parse(in.data, in.len,
							 pre ? pre->error_packet : NULL,
							 p->want_kex, r)
				     : DBTLS_ERR_TRUNCATED;
			if (err == DBTLS_OK)
				goto out;
			if (r->kind == DBTLS_HELLO_SERVER_HELLO || r->kind == DBTLS_HELLO_HRR ||
			    r->kind == DBTLS_HELLO_ALERT) {
				err = DBTLS_OK; /* ServerHello seen, rest of the flight cut short */
				goto out;
			}
			memset(r, 0, sizeof(*r));
			r->kind = in.len ? DBTLS_HELLO_GARBAGE : DBTLS_HELLO_CLOSED;
			err = DBTLS_OK;
			goto out;
		}
		if (err)
			goto out;
		in.len += got;
		err = dbtls_hello_parse(in.data, in.len, pre ? pre->error_packet : NULL,
					p->want_kex, r);
		if (err == DBTLS_ERR_PROTOCOL) {
			err = DBTLS_OK; /* r->kind says GARBAGE */
			goto out;
		}
		if (err != DBTLS_ERR_TRUNCATED)
			goto out;
		if (in.len >= HELLO_MAX_ANSWER) {
			memset(r, 0, sizeof(*r));
			r->kind = DBTLS_HELLO_GARBAGE;
			err = DBTLS_OK;
			goto out;
		}
	}
out:
	if (r->kind == DBTLS_HELLO_GARBAGE && in.data) {
		r->nhead = in.len < sizeof(r->head) ? in.len : sizeof(r->head);
		memcpy(r->head, in.data, r->nhead);
	}
	c->timeout_ms = base_timeout;
	dbtls_buf_free(&out);
	dbtls_buf_free(&in);
	return err;
}

static const char *hello_version_name(uint16_t v)
{
	enum dbtls_version ev;
	return dbtls_version_from_code(v, &ev) ? dbtls_version_name(ev) : "unknown version";
}

/* "answer is not TLS", then the first line of the answer quoted when it is text (an HTTP
 * server's "HTTP/1.1 400 Bad Request"), else its first bytes in hex. */
static void hello_describe_garbage(const struct dbtls_hello_result *r, char *out, size_t outlen)
{
	size_t o, n = 0;
	bool text = r->nhead > 0;

	while (n < r->nhead && r->head[n] != '\r' && r->head[n] != '\n')
		n++;
	for (size_t i = 0; i < r->nhead; i++)
		if ((r->head[i] < 0x20 || r->head[i] > 0x7e) && r->head[i] != '\r' &&
		    r->head[i] != '\n' && r->head[i] != '\t')
			text = false;
	if (text && n == 0)
		text = false;
	o = (size_t)snprintf(out, outlen, "answer is not TLS%s",
			     r->looks_mysql ? " (this looks like MySQL: use mysql://)" : "");
	if (!r->nhead || o >= outlen || r->looks_mysql)
		return;
	if (text) {
		snprintf(out + o, outlen - o, ": text \"%.*s%s\"", (int)n, (const char *)r->head,
			 n == r->nhead && n == sizeof(r->head) ? "…" : "");
		return;
	}
	o += (size_t)snprintf(out + o, outlen - o, ": bytes");
	for (size_t i = 0; i < r->nhead && i < 16 && o < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, " %02x", r->head[i]);
}

void dbtls_hello_describe(const struct dbtls_hello_result *r, char *out, size_t outlen)
{
	const struct dbtls_suite *s;

	switch (r->kind) {
	case DBTLS_HELLO_SERVER_HELLO:
		s = dbtls_suite_by_code((uint16_t)r->cipher);
		snprintf(out, outlen, "ServerHello %s %s", hello_version_name(r->version),
			 s ? s->iana_name : "unknown suite");
		break;
	case DBTLS_HELLO_HRR:
		snprintf(out, outlen, "HelloRetryRequest %s group %s",
			 hello_version_name(r->version),
			 dbtls_group_name(r->group) ? dbtls_group_name(r->group) : "unknown");
		break;
	case DBTLS_HELLO_SSL2_SERVER_HELLO:
		snprintf(out, outlen, "SSLv2 SERVER-HELLO with %zu cipher kinds", r->nssl2_ciphers);
		break;
	case DBTLS_HELLO_ALERT:
		snprintf(out, outlen, "alert %s (%u)", dbtls_alert_name(r->alert_desc),
			 r->alert_desc);
		break;
	case DBTLS_HELLO_SERVER_ERROR:
		snprintf(out, outlen, "server error packet %d%s%s %s", r->server_error.code,
			 r->server_error.sqlstate[0] ? " #" : "", r->server_error.sqlstate,
			 r->server_error.message);
		break;
	case DBTLS_HELLO_CLOSED:
		snprintf(out, outlen, "connection closed without an answer");
		break;
	case DBTLS_HELLO_GARBAGE:
		hello_describe_garbage(r, out, outlen);
		break;
	case DBTLS_HELLO_NONE:
		snprintf(out, outlen, "no answer");
		break;
	}
}
