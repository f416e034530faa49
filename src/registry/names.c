/* SPDX-License-Identifier: MIT */
/*
 * names.c — the static name tables of the TLS registries (named groups, alert descriptions,
 * signature schemes) and
 * their one label rule each: the IANA name, or "0x%04X" for a code we have no name for. Every layer
 * that prints or parses such a code (hello engine, checks, policies, report writers and readers)
 * uses these, so a name is written once.
 */
#include "src/registry/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct dbtls_group_info group_tab[] = {
    {0x0001, "sect163k1", NULL, NULL, false},
    {0x0002, "sect163r1", NULL, NULL, false},
    {0x0003, "sect163r2", NULL, NULL, false},
    {0x0004, "sect193r1", NULL, NULL, false},
    {0x0005, "sect193r2", NULL, NULL, false},
    {0x0006, "sect233k1", NULL, NULL, false},
    {0x0007, "sect233r1", NULL, NULL, false},
    {0x0008, "sect239k1", NULL, NULL, false},
    {0x0009, "sect283k1", NULL, NULL, false},
    {0x000a, "sect283r1", NULL, NULL, false},
    {0x000b, "sect409k1", NULL, NULL, false},
    {0x000c, "sect409r1", NULL, NULL, false},
    {0x000d, "sect571k1", NULL, NULL, false},
    {0x000e, "sect571r1", NULL, NULL, false},
    {0x000f, "secp160k1", NULL, NULL, false},
    {0x0010, "secp160r1", NULL, NULL, false},
    {0x0011, "secp160r2", NULL, NULL, false},
    {0x0012, "secp192k1", NULL, NULL, false},
    {0x0013, "secp192r1", NULL, NULL, false},
    {0x0014, "secp224k1", NULL, NULL, false},
    {0x0015, "secp224r1", NULL, NULL, false},
    {0x0016, "secp256k1", NULL, NULL, false},
    {0x0017, "secp256r1", "P-256", "EC", true},
    {0x0018, "secp384r1", "P-384", "EC", true},
    {0x0019, "secp521r1", "P-521", "EC", true},
    {0x001a, "brainpoolP256r1", NULL, NULL, false},
    {0x001b, "brainpoolP384r1", NULL, NULL, false},
    {0x001c, "brainpoolP512r1", NULL, NULL, false},
    {0x001d, "x25519", NULL, "X25519", true},
    {0x001e, "x448", NULL, "X448", true},
    {0x001f, "brainpoolP256r1tls13", "brainpoolP256r1", "EC", true},
    {0x0020, "brainpoolP384r1tls13", "brainpoolP384r1", "EC", true},
    {0x0021, "brainpoolP512r1tls13", "brainpoolP512r1", "EC", true},
    {0x0100, "ffdhe2048", "ffdhe2048", "DH", true},
    {0x0101, "ffdhe3072", "ffdhe3072", "DH", true},
    {0x0102, "ffdhe4096", "ffdhe4096", "DH", true},
    {0x0103, "ffdhe6144", "ffdhe6144", "DH", true},
    {0x0104, "ffdhe8192", "ffdhe8192", "DH", true},
    /* post-quantum: pure ML-KEM (draft-connolly-tls-mlkem-key-agreement) and the hybrids of
     * draft-ietf-tls-ecdhe-mlkem. No key share from us (Debian's OpenSSL 3.0 has no ML-KEM):
     * support is learnt from the HelloRetryRequest. */
    {0x0200, "MLKEM512", NULL, NULL, true},
    {0x0201, "MLKEM768", NULL, NULL, true},
    {0x0202, "MLKEM1024", NULL, NULL, true},
    {0x11eb, "SecP256r1MLKEM768", NULL, NULL, true},
    {0x11ec, "X25519MLKEM768", NULL, NULL, true},
    {0x11ed, "SecP384r1MLKEM1024", NULL, NULL, true},
};
#define NGROUPS (sizeof(group_tab) / sizeof(group_tab[0]))

const struct dbtls_group_info *dbtls_groups_all(size_t *n)
{
	*n = NGROUPS;
	return group_tab;
}

const struct dbtls_group_info *dbtls_group_info(uint16_t group)
{
	for (size_t i = 0; i < NGROUPS; i++)
		if (group_tab[i].id == group)
			return &group_tab[i];
	return NULL;
}

const char *dbtls_group_label(uint16_t group, char *buf, size_t len)
{
	const char *n = dbtls_group_name(group);

	if (n)
		return n;
	snprintf(buf, len, "0x%04X", (unsigned)group);
	return buf;
}

const char *dbtls_group_name(uint16_t group)
{
	for (size_t i = 0; i < NGROUPS; i++)
		if (group_tab[i].id == group)
			return group_tab[i].name;
	return NULL;
}

bool dbtls_group_by_name(const char *name, uint16_t *out)
{
	static const struct {
		const char *alias;
		uint16_t id;
	} aliases[] = {
	    {"prime256v1", 0x0017}, {"P-256", 0x0017},	{"P-384", 0x0018},
	    {"P-521", 0x0019},	    {"X25519", 0x001d}, {"X448", 0x001e},
	};
	unsigned long v;
	char *end;

	for (size_t i = 0; i < NGROUPS; i++)
		if (strcmp(group_tab[i].name, name) == 0)
			return *out = group_tab[i].id, true;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].alias, name) == 0)
			return *out = aliases[i].id, true;
	if ((name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) && name[2]) {
		v = strtoul(name + 2, &end, 16);
		if (!*end && v <= 0xffff &&
		    strspn(name + 2, "0123456789abcdefABCDEF") == strlen(name + 2))
			return *out = (uint16_t)v, true;
	}
	return false;
}

bool dbtls_group_is_pq(uint16_t group)
{
	return (group >= 0x0200 && group <= 0x0202) || (group >= 0x11eb && group <= 0x11ed);
}

const char *dbtls_alert_name(uint8_t desc)
{
	switch (desc) {
	case 0:
		return "close_notify";
	case 10:
		return "unexpected_message";
	case 20:
		return "bad_record_mac";
	case 21:
		return "decryption_failed";
	case 22:
		return "record_overflow";
	case 30:
		return "decompression_failure";
	case 40:
		return "handshake_failure";
	case 41:
		return "no_certificate";
	case 42:
		return "bad_certificate";
	case 43:
		return "unsupported_certificate";
	case 44:
		return "certificate_revoked";
	case 45:
		return "certificate_expired";
	case 46:
		return "certificate_unknown";
	case 47:
		return "illegal_parameter";
	case 48:
		return "unknown_ca";
	case 49:
		return "access_denied";
	case 50:
		return "decode_error";
	case 51:
		return "decrypt_error";
	case 60:
		return "export_restriction";
	case 70:
		return "protocol_version";
	case 71:
		return "insufficient_security";
	case 80:
		return "internal_error";
	case 86:
		return "inappropriate_fallback";
	case 90:
		return "user_canceled";
	case 100:
		return "no_renegotiation";
	case 109:
		return "missing_extension";
	case 110:
		return "unsupported_extension";
	case 111:
		return "certificate_unobtainable";
	case 112:
		return "unrecognized_name";
	case 113:
		return "bad_certificate_status_response";
	case 114:
		return "bad_certificate_hash_value";
	case 115:
		return "unknown_psk_identity";
	case 116:
		return "certificate_required";
	case 120:
		return "no_application_protocol";
	}
	return "unknown_alert";
}

/* In the ClientHello's order: what the hello engine has always offered first, then the names we
 * only print. */
static const struct dbtls_sigalg_info sigalg_tab[] = {
    {0x0403, "ecdsa_secp256r1_sha256", true},
    {0x0503, "ecdsa_secp384r1_sha384", true},
    {0x0603, "ecdsa_secp521r1_sha512", true},
    {0x0807, "ed25519", true},
    {0x0808, "ed448", true},
    {0x0804, "rsa_pss_rsae_sha256", true},
    {0x0805, "rsa_pss_rsae_sha384", true},
    {0x0806, "rsa_pss_rsae_sha512", true},
    {0x0809, "rsa_pss_pss_sha256", true},
    {0x080a, "rsa_pss_pss_sha384", true},
    {0x080b, "rsa_pss_pss_sha512", true},
    {0x0401, "rsa_pkcs1_sha256", true},
    {0x0501, "rsa_pkcs1_sha384", true},
    {0x0601, "rsa_pkcs1_sha512", true},
    {0x0303, "ecdsa_sha224", true},
    {0x0301, "rsa_pkcs1_sha224", true},
    {0x0302, "dsa_sha224", true},
    {0x0402, "dsa_sha256", true},
    {0x0502, "dsa_sha384", true},
    {0x0602, "dsa_sha512", true},
    {0x0203, "ecdsa_sha1", true},
    {0x0201, "rsa_pkcs1_sha1", true},
    {0x0202, "dsa_sha1", true},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256", true},
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384", true},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512", true},
    {0x0420, "rsa_pkcs1_sha256_legacy", false},
    {0x0520, "rsa_pkcs1_sha384_legacy", false},
    {0x0620, "rsa_pkcs1_sha512_legacy", false},
    {0x0704, "eccsi_sha256", false},
    {0x0705, "iso_ibs1", false},
    {0x0706, "iso_ibs2", false},
    {0x0707, "iso_chinese_ibs", false},
    {0x0708, "sm2sig_sm3", false},
    {0x0709, "gostr34102012_256a", false},
    {0x070a, "gostr34102012_256b", false},
    {0x070b, "gostr34102012_256c", false},
    {0x070c, "gostr34102012_256d", false},
    {0x070d, "gostr34102012_512a", false},
    {0x070e, "gostr34102012_512b", false},
    {0x070f, "gostr34102012_512c", false},
    {0x0904, "mldsa44", false},
    {0x0905, "mldsa65", false},
    {0x0906, "mldsa87", false},
};
#define NSIGALGS (sizeof(sigalg_tab) / sizeof(sigalg_tab[0]))

const struct dbtls_sigalg_info *dbtls_sigalgs_all(size_t *n)
{
	*n = NSIGALGS;
	return sigalg_tab;
}

size_t dbtls_sigalgs_offered(uint16_t *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < NSIGALGS; i++) {
		if (!sigalg_tab[i].offered)
			continue;
		if (n < cap)
			out[n] = sigalg_tab[i].code;
		n++;
	}
	return n;
}

const char *dbtls_sigalg_name(uint16_t code)
{
	for (size_t i = 0; i < NSIGALGS; i++)
		if (sigalg_tab[i].code == code)
			return sigalg_tab[i].name;
	return NULL;
}

const char *dbtls_sigalg_label(uint16_t code, char *buf, size_t len)
{
	const char *n = dbtls_sigalg_name(code);

	if (n)
		return n;
	snprintf(buf, len, "0x%04X", (unsigned)code);
	return buf;
}
