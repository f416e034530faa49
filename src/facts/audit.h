/* SPDX-License-Identifier: MIT */
/*
 * audit.h — the facts of a file audit (issue 13): what dbtls learnt about each file it was given
 * or found under a directory it was given: keys, certificates, key stores and trust stores, client
 * and server TLS settings, and the errors met on the way.
 *
 * Like facts.h this is the model only: the parsers in src/audit/ fill it, checks and reports
 * borrow it const. The rule for this module: every pointer in these structs is owned by the
 * struct that holds it (heap strings and arrays), released by the *_free() functions, and every
 * *_free(NULL) does nothing. A store password is never held here: only where it came from.
 */
#ifndef DBTLS_AUDIT_FACTS_H
#define DBTLS_AUDIT_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "src/core/err.h"
#include "src/facts/facts.h"

/* What a file is, sniffed from its content (never from its name). */
#define DBTLS_AUDIT_KIND_MAP(XX)                                                                   \
	XX(UNKNOWN, "unknown")                                                                     \
	XX(PEM_KEY, "pem-key")                                                                     \
	XX(PEM_CERT, "pem-cert")                                                                   \
	XX(PEM_BUNDLE, "pem-bundle")                                                               \
	XX(DER_CERT, "der-cert")                                                                   \
	XX(DER_KEY, "der-key")                                                                     \
	XX(PKCS7, "pkcs7")                                                                         \
	XX(PKCS12, "pkcs12")                                                                       \
	XX(JKS, "jks")                                                                             \
	XX(JCEKS, "jceks")                                                                         \
	XX(MYSQL_OPTFILE, "mysql-option-file")                                                     \
	XX(JDBC_PROPERTIES, "jdbc-properties")                                                     \
	XX(YAML, "yaml")                                                                           \
	XX(PG_CONF, "postgresql-conf")                                                             \
	XX(PG_HBA, "pg-hba")                                                                       \
	XX(PG_SERVICE, "pg-service")                                                               \
	XX(OPENFIRE_XML, "openfire-xml")                                                           \
	XX(OPENFIRE_PROPERTIES, "openfire-properties")

enum dbtls_audit_kind {
#define XX(n, s) DBTLS_AUDIT_##n,
	DBTLS_AUDIT_KIND_MAP(XX)
#undef XX
};
/* Returns the borrowed, static report name of k ("pem-key"). */
const char *dbtls_audit_kind_name(enum dbtls_audit_kind k);

/* How a private key is encoded. yaSSL/wolfSSL builds of MySQL/MariaDB accept only PKCS1. */
enum dbtls_key_format {
	DBTLS_KEYFMT_OTHER = 0, /* anything else (a raw EC PRIVATE KEY, a DER blob …) */
	DBTLS_KEYFMT_PKCS1, /* BEGIN RSA PRIVATE KEY, not encrypted (also DSA/EC "traditional") */
	DBTLS_KEYFMT_PKCS8, /* BEGIN PRIVATE KEY / PrivateKeyInfo DER */
	DBTLS_KEYFMT_PKCS8_ENCRYPTED, /* BEGIN ENCRYPTED PRIVATE KEY / EncryptedPrivateKeyInfo */
	DBTLS_KEYFMT_PEM_ENCRYPTED,   /* traditional PEM with Proc-Type: 4,ENCRYPTED + DEK-Info */
	DBTLS_KEYFMT_OPENSSH,	      /* BEGIN OPENSSH PRIVATE KEY */
};
/* "pkcs1", "pkcs8", "pkcs8-encrypted", "pem-encrypted", "openssh", "other" (borrowed, static). */
const char *dbtls_key_format_name(enum dbtls_key_format f);

struct dbtls_audit_key {
	enum dbtls_key_format format;
	char *pem_label; /* the armour label ("RSA PRIVATE KEY"), NULL for DER */
	char *type;	 /* "RSA", "EC", "DSA", "ED25519", …; NULL when encrypted and not known */
	int bits;	 /* 0 when not known (encrypted) */
	bool encrypted;
	unsigned line;	     /* line of the BEGIN armour (1-based), 0 for DER */
	char *spki_sha256;   /* lower-case hex SHA-256 of the public key's SubjectPublicKeyInfo
			      * DER, NULL when the key could not be read (encrypted) */
	char *matching_cert; /* path[:line] of a certificate in the same directory (or this file)
			      * with the same public key, NULL if none was found */
};

/* A certificate with the fingerprints printed the way keytool -list -v and openssl x509
 * -fingerprint print them ("AA:BB:…", upper case), to compare with a provider's published value. */
struct dbtls_audit_cert {
	struct dbtls_cert cert; /* as in scans (src/pki/x509.c) */
	char sha1_colon[60];
	char sha256_colon[96];
	char spki_sha256[65]; /* lower-case hex SHA-256 of the SubjectPublicKeyInfo DER */
	unsigned line;	      /* line of the BEGIN armour in a PEM file, 0 otherwise */
};

enum dbtls_store_entry_type {
	DBTLS_STORE_PRIVATE_KEY = 1, /* PrivateKeyEntry (JKS tag 1; a PKCS#12 key bag) */
	DBTLS_STORE_TRUSTED_CERT,    /* trustedCertEntry (JKS tag 2; a PKCS#12 lone cert bag) */
	DBTLS_STORE_SECRET_KEY,	     /* SecretKeyEntry (JCEKS tag 3) */
};
/* "PrivateKeyEntry", "trustedCertEntry", "SecretKeyEntry" as keytool prints them (static). */
const char *dbtls_store_entry_type_name(enum dbtls_store_entry_type t);

struct dbtls_audit_store_entry {
	char *alias;
	enum dbtls_store_entry_type type;
	time_t created;	     /* JKS/JCEKS creation date, 0 when unknown (PKCS#12) */
	char *key_algorithm; /* private key entries: the protection algorithm OID or name */
	struct dbtls_audit_cert *certs; /* the chain (private key entry) or the one certificate */
	size_t ncerts;
};

/* Where the password that opened a store came from (never the password itself). */
enum dbtls_store_pw_source {
	DBTLS_STOREPW_NOT_OPENED =
	    0,		       /* no password tried opened it (entries may still be listed) */
	DBTLS_STOREPW_ENV,     /* DBTLS_STORE_PASSWORD */
	DBTLS_STOREPW_FILE,    /* a --store-passwords FILE entry (pw_ref: FILE:LINE) */
	DBTLS_STOREPW_SETTING, /* a setting in a config file (pw_ref: FILE:LINE name) */
	DBTLS_STOREPW_DEFAULT, /* a well-known default (changeit, empty, …): a finding */
};
/* "not-opened", "env", "file", "setting", "default" (static). */
const char *dbtls_store_pw_source_name(enum dbtls_store_pw_source s);

struct dbtls_audit_store {
	char *type; /* "JKS", "JCEKS", "PKCS12" */
	unsigned version;
	enum dbtls_store_pw_source pw_source;
	char *pw_ref;	    /* FILE:LINE of the password file entry or setting, NULL otherwise */
	bool integrity_ok;  /* the keyed digest / MAC verified with that password */
	bool pw_well_known; /* that password is a well-known default (changeit, …), whatever its
			     * source: a finding */
	bool legacy_crypto; /* PKCS#12 that needed OpenSSL's legacy provider (RC2, 3DES) */
	struct dbtls_audit_store_entry *entries;
	size_t nentries;
	bool entries_complete; /* false when a parse error stopped the entry list early */
};

/* One setting of a configuration file. Secrets (passwords) are masked in value. */
struct dbtls_audit_setting {
	char *name;  /* as written, e.g. "ssl-mode", "sslMode", "xmpp.socket.ssl.protocols" */
	char *key;   /* normalised: lower case, '-' -> '_' for MySQL; "" never */
	char *value; /* "****" when secret */
	char *group; /* option-file group, YAML path ("dbconnector.readUrl"), JDBC URL host */
	char *file;  /* the file it was read from (an !include'd one), NULL for this file */
	unsigned line;
	bool secret;
};

struct dbtls_audit_error {
	enum dbtls_err code;
	char *msg; /* one line: "FILE[:LINE]: reason" */
};

struct dbtls_audit_file {
	char *path;
	enum dbtls_audit_kind kind;
	char *referenced_by; /* "FILE:LINE name" when audited because a setting named it */
	uint64_t size;
	uint32_t mode; /* st_mode & 07777 */
	uint32_t uid, gid;
	char *owner, *group; /* names, NULL when not resolvable */
	struct dbtls_audit_key *keys;
	size_t nkeys;
	struct dbtls_audit_cert *certs; /* certificates of PEM/DER/PKCS#7 files */
	size_t ncerts;
	struct dbtls_audit_store *store; /* JKS, JCEKS, PKCS#12; NULL otherwise */
	struct dbtls_audit_setting *settings;
	size_t nsettings;
	struct dbtls_audit_error *errors;
	size_t nerrors;
};

struct dbtls_audit_facts {
	struct dbtls_audit_file *files;
	size_t nfiles;
};

void dbtls_audit_key_free(struct dbtls_audit_key *k);
void dbtls_audit_cert_free(struct dbtls_audit_cert *c);
void dbtls_audit_store_free(struct dbtls_audit_store *s); /* the contents; not s itself */
void dbtls_audit_setting_free(struct dbtls_audit_setting *s);
void dbtls_audit_file_free(struct dbtls_audit_file *f); /* the contents; not f itself */
void dbtls_audit_facts_free(struct dbtls_audit_facts *a);

/* Appends an error "msg" (formatted) to f; returns NOMEM or OK. */
enum dbtls_err dbtls_audit_add_error(struct dbtls_audit_file *f, enum dbtls_err code,
				     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends a setting (all strings copied; value masked when secret; group/file may be NULL).
 * Returns NOMEM or OK. */
enum dbtls_err dbtls_audit_add_setting(struct dbtls_audit_file *f, const char *name,
				       const char *key, const char *value, const char *group,
				       const char *file, unsigned line, bool secret);
/* Returns the borrowed first setting of f whose key equals key (normalised), or NULL. */
const struct dbtls_audit_setting *dbtls_audit_setting_get(const struct dbtls_audit_file *f,
							  const char *key);

#endif
