/* SPDX-License-Identifier: MIT */
/*
 * remedy.h — fix texts, keyed by server product: what to change in *this* server's configuration
 * (MySQL's my.cnf and ALTER INSTANCE, MariaDB's FLUSH SSL, a TLS terminator's OpenSSL settings).
 * Checks decide *that* something is wrong; the product files here say *how to fix it* on that
 * software, so checks stay pure and carry no product switches.
 *
 * Adding a product (PostgreSQL next) is one file, checks/remedy/NAME.c, ending in a
 * `const struct dbtls_remedy_product dbtls_remedy_NAME = { … }`, plus one line `X(NAME)` in
 * DBTLS_REMEDY_PRODUCTS below (and its source line in Makefile.am). A product fills in only the
 * texts that differ from its `base` (MariaDB says how MariaDB differs from MySQL); every text a
 * product and its bases leave NULL comes from `dbtls_remedy_generic`, which has them all.
 *
 * Ownership: every dbtls_remedy_* function and every callback returns new (caller frees), NULL
 * only when out of memory; arguments are borrowed. Descriptors are static.
 */
#ifndef DBTLS_REMEDY_H
#define DBTLS_REMEDY_H

#include <stdbool.h>

#include "src/facts/facts.h"

struct dbtls_remedy_product {
	const char *name; /* "mysql", "mariadb", "generic": unique, lower case */
	/* Is f's server this product? The registry asks in order; generic matches everything. */
	bool (*matches)(const struct dbtls_endpoint_facts *f);
	/* Texts this product and its bases do not set come from the next base, then generic. */
	const struct dbtls_remedy_product *base;

	/* Accept only the versions in `list` ("TLSv1.2,TLSv1.3"), the lowest being `min_name`. */
	char *(*versions)(const struct dbtls_endpoint_facts *f, const char *list,
			  const char *min_name);
	/* Accept only the suites of OpenSSL cipher string `ciphers`. */
	char *(*suites)(const struct dbtls_endpoint_facts *f, const char *ciphers);
	/* Install a new certificate: `what` (the sentence saying which) comes first. */
	char *(*cert)(const struct dbtls_endpoint_facts *f, const char *what);
	/* Turn TLS on at all; `general` is the check's product-neutral fix. */
	char *(*not_offered)(const struct dbtls_endpoint_facts *f, const char *general);
	/* What a server that offers no TLS looks like on this protocol (evidence, not a fix). */
	char *(*not_offered_evidence)(const struct dbtls_endpoint_facts *f);
	/* Enable TLS 1.3; `versions_fix` is versions()'s text for the profile's versions. */
	char *(*tls13)(const struct dbtls_endpoint_facts *f, const char *versions_fix);
	/* A DHE prime below `min_bits` (`ffdhe_bits`: the RFC 7919 group that would do);
	 * `suites_fix` is suites()'s text for leaving DHE out. */
	char *(*dh_prime)(const struct dbtls_endpoint_facts *f, int min_bits, int ffdhe_bits,
			  const char *suites_fix);
	/* Accept only the key-exchange groups of OpenSSL group list `groups`. */
	char *(*groups)(const struct dbtls_endpoint_facts *f, const char *groups);
	/* Make the server choose the suite; `strict` is an OpenSSL cipher string of only good
	 * suites; `general` is the check's product-neutral fix. */
	char *(*server_order)(const struct dbtls_endpoint_facts *f, const char *strict,
			      const char *general);
	/* Move to a certificate under the new CA (--new-ca-file) before clients switch. */
	char *(*ca_rotation)(const struct dbtls_endpoint_facts *f);
	/* The server offers TLS but lets a client go on without it (XMPP STARTTLS not required,
	 * SASL offered before TLS): make TLS mandatory before authentication. */
	char *(*require_tls)(const struct dbtls_endpoint_facts *f);
	/* Make a proxy in front of the server accept ALPN `protocol` (f->alpn_probe); `general`
	 * is the check's product-neutral fix. */
	char *(*alpn)(const struct dbtls_endpoint_facts *f, const char *protocol,
		      const char *general);
	/* Require TLS of the network accounts (f->sql.accounts with require "none"); `general`
	 * is the check's fix written for the MySQL grant tables. */
	char *(*accounts_no_tls)(const struct dbtls_endpoint_facts *f, const char *general);
	/* Make the clients connected without TLS (f->sql.connections) use it and require it;
	 * `general` is the check's fix written for MySQL. */
	char *(*plain_connections)(const struct dbtls_endpoint_facts *f, const char *general);
	/* Replace a certificate the server generated for itself (MySQL's auto_generate_certs
	 * chain, MariaDB 11.4+ zero-configuration TLS); `general` is the product-neutral fix. */
	char *(*auto_cert)(const struct dbtls_endpoint_facts *f, const char *general);
};

/* The registry: one line per product file (checks/remedy/NAME.c defines dbtls_remedy_NAME), in
 * lookup order — the most specific first; generic, which matches everything, last. */
#define DBTLS_REMEDY_PRODUCTS(X)                                                                   \
	X(mariadb)                                                                                 \
	X(mysql)                                                                                   \
	X(xmpp)                                                                                    \
	X(postgresql)                                                                              \
	X(generic)

#define DBTLS_REMEDY_DECLARE(name) extern const struct dbtls_remedy_product dbtls_remedy_##name;
DBTLS_REMEDY_PRODUCTS(DBTLS_REMEDY_DECLARE)
#undef DBTLS_REMEDY_DECLARE

/* The registry, in lookup order (generic last); *n is set to its length. Borrowed, static. */
const struct dbtls_remedy_product *const *dbtls_remedy_products(size_t *n);
/* The first product whose matches(f) is true (generic when none is more specific). Borrowed. */
const struct dbtls_remedy_product *dbtls_remedy_for(const struct dbtls_endpoint_facts *f);

/* The texts for f's product (new; NULL only when out of memory). `min_version` is an enum
 * dbtls_version; never less than TLS 1.2 is suggested. */
char *dbtls_remedy_versions(const struct dbtls_endpoint_facts *f, int min_version);
char *dbtls_remedy_suites(const struct dbtls_endpoint_facts *f, const char *openssl_cipher_string);
char *dbtls_remedy_cert(const struct dbtls_endpoint_facts *f, const char *what);
char *dbtls_remedy_not_offered(const struct dbtls_endpoint_facts *f, const char *general);
char *dbtls_remedy_not_offered_evidence(const struct dbtls_endpoint_facts *f);
char *dbtls_remedy_tls13(const struct dbtls_endpoint_facts *f, int min_version);
char *dbtls_remedy_dh_prime(const struct dbtls_endpoint_facts *f, int min_bits, int ffdhe_bits,
			    const char *openssl_cipher_string);
char *dbtls_remedy_groups(const struct dbtls_endpoint_facts *f, const char *openssl_groups);
char *dbtls_remedy_server_order(const struct dbtls_endpoint_facts *f, const char *strict,
				const char *general);
char *dbtls_remedy_ca_rotation(const struct dbtls_endpoint_facts *f);
char *dbtls_remedy_require_tls(const struct dbtls_endpoint_facts *f);
char *dbtls_remedy_alpn(const struct dbtls_endpoint_facts *f, const char *protocol,
			const char *general);
char *dbtls_remedy_accounts_no_tls(const struct dbtls_endpoint_facts *f, const char *general);
char *dbtls_remedy_plain_connections(const struct dbtls_endpoint_facts *f, const char *general);
char *dbtls_remedy_auto_cert(const struct dbtls_endpoint_facts *f, const char *general);

/* printf into a new string (NULL when out of memory): the product files' one formatter. */
char *dbtls_remedy_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Shared by the MySQL family (mysql.c, mariadb.c): `what`, then the my.cnf certificate lines,
 * then "then RELOAD." (new). */
char *dbtls_remedy_mycnf_cert(const char *what, const char *reload);
/* f speaks the MySQL protocol (greeting, SSLRequest): MySQL, MariaDB, Percona … */
bool dbtls_remedy_is_mysql_protocol(const struct dbtls_endpoint_facts *f);

#endif
