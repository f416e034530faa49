/* SPDX-License-Identifier: MIT */
/*
 * mysql.c — fix texts for MySQL (and Percona Server, and any server that speaks the MySQL
 * protocol without saying it is MariaDB): my.cnf [mysqld] settings, SET PERSIST, ALTER INSTANCE
 * RELOAD TLS. MariaDB's differences live in mariadb.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/remedy/remedy.h"

char *dbtls_remedy_mycnf_cert(const char *what, const char *reload)
{
	return dbtls_remedy_printf(
	    "%s In the server's my.cnf, section [mysqld]:\n"
	    "ssl_cert=/etc/mysql/ssl/server-cert.pem (the leaf, then its intermediates)\n"
	    "ssl_key=/etc/mysql/ssl/server-key.pem\n"
	    "ssl_ca=/etc/mysql/ssl/ca.pem\n"
	    "then %s.",
	    what, reload);
}

static char *my_auto_cert(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)f;
	(void)general;
	return dbtls_remedy_mycnf_cert(
	    "Issue the server a certificate from your CA (its subjectAltName listing the names "
	    "clients use) instead of the one mysqld generated at first start "
	    "(auto_generate_certs; the generated CA's private key ca-key.pem lies in the data "
	    "directory, so whoever can read a backup can mint certificates this CA signs).",
	    "load them with ALTER INSTANCE RELOAD TLS (MySQL 8.0.16+; older: restart); remove "
	    "ca.pem, ca-key.pem, server-cert.pem, server-key.pem, client-cert.pem and "
	    "client-key.pem from the data directory (or set auto_generate_certs=OFF) so they are "
	    "not generated again, give the clients your CA and connect with "
	    "ssl-mode=VERIFY_IDENTITY (Connector/J sslMode=VERIFY_IDENTITY); accounts on "
	    "caching_sha2_password send their password in clear text inside TLS on a full "
	    "authentication, so change the passwords that travelled to an unverified server");
}

static bool my_matches(const struct dbtls_endpoint_facts *f)
{
	return dbtls_remedy_is_mysql_protocol(f);
}

static char *my_versions(const struct dbtls_endpoint_facts *f, const char *list,
			 const char *min_name)
{
	(void)f;
	(void)min_name;
	return dbtls_remedy_printf(
	    "In the server's my.cnf, section [mysqld]: tls_version=%s (MySQL "
	    "8.0.16+ can change it at run time: SET PERSIST "
	    "tls_version='...'; ALTER INSTANCE RELOAD TLS).",
	    list);
}

static char *my_suites(const struct dbtls_endpoint_facts *f, const char *ciphers)
{
	(void)f;
	return dbtls_remedy_printf(
	    "In the server's my.cnf, section [mysqld]: ssl_cipher=%s (TLS 1.2 and below; TLS 1.3 "
	    "suites are set with tls_ciphersuites on MySQL 8, and on MariaDB by an ssl_cipher made "
	    "only of TLS 1.3 suite names).",
	    ciphers);
}

static char *my_cert(const struct dbtls_endpoint_facts *f, const char *what)
{
	const char *product = f->server.product;

	/* a MySQL-protocol server that did not say what it is: name both reload statements */
	if (product && (strcmp(product, "MySQL") == 0 || strcmp(product, "Percona Server") == 0))
		return dbtls_remedy_mycnf_cert(what, "load them without a restart with ALTER "
						     "INSTANCE RELOAD TLS (MySQL 8.0.16+; older: "
						     "restart)");
	return dbtls_remedy_mycnf_cert(what, "load them without a restart with FLUSH SSL "
					     "(MariaDB 10.4+) or ALTER INSTANCE RELOAD TLS (MySQL "
					     "8.0.16+), or restart");
}

static char *my_not_offered(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)f;
	(void)general;
	return dbtls_strdup("In the server's my.cnf, section [mysqld]:\n"
			    "ssl_cert=/etc/mysql/ssl/server-cert.pem\n"
			    "ssl_key=/etc/mysql/ssl/server-key.pem\n"
			    "ssl_ca=/etc/mysql/ssl/ca.pem\n"
			    "then restart the server. Once every client connects with TLS, "
			    "refuse plain connections with require_secure_transport=ON "
			    "(MySQL 5.7.8+, MariaDB 10.5.2+).");
}

static char *my_not_offered_evidence(const struct dbtls_endpoint_facts *f)
{
	(void)f;
	return dbtls_strdup("the server's greeting does not advertise CLIENT_SSL");
}

static char *my_tls13(const struct dbtls_endpoint_facts *f, const char *versions_fix)
{
	(void)f;
	return dbtls_remedy_printf("TLS 1.3 needs a server built against OpenSSL 1.1.1 or later "
				   "(MySQL 8.0.16+). %s",
				   versions_fix);
}

static char *my_dh_prime(const struct dbtls_endpoint_facts *f, int min_bits, int ffdhe_bits,
			 const char *suites_fix)
{
	(void)f;
	(void)min_bits;
	(void)ffdhe_bits;
	return dbtls_remedy_printf(
	    "MySQL and MariaDB have no setting for the DHE prime (there is no ssl_dhparam). "
	    "MariaDB built with OpenSSL 1.1 or later lets OpenSSL size it from the certificate key "
	    "(a 1024-bit RSA key gives a 1024-bit prime), older MariaDB releases use a fixed "
	    "2048-bit prime; current MySQL uses the RFC 7919 group that matches the OpenSSL "
	    "security level (ffdhe2048 at level 2, ffdhe3072 at level 3). Raise the certificate "
	    "key size, upgrade old servers, or leave DHE out: %s",
	    suites_fix);
}

static char *my_groups(const struct dbtls_endpoint_facts *f, const char *groups)
{
	(void)f;
	return dbtls_remedy_printf(
	    "MariaDB has no setting for key-exchange groups: they are OpenSSL's defaults, which "
	    "the system OpenSSL configuration can narrow (openssl.cnf, the system_default "
	    "section: Groups = %s; OpenSSL 1.1.1+), followed by a server restart. Recent MySQL "
	    "releases have a tls_kex system variable for the same (check SHOW GLOBAL VARIABLES "
	    "LIKE 'tls_kex').",
	    groups);
}

static char *my_server_order(const struct dbtls_endpoint_facts *f, const char *strict,
			     const char *general)
{
	(void)f;
	(void)general;
	return dbtls_remedy_printf("MariaDB has no setting for this: it lets the client choose. "
				   "Make the choice harmless by leaving only acceptable suites in "
				   "my.cnf, section [mysqld]: ssl_cipher=%s. Recent MySQL releases "
				   "enforce their own order; upgrade older ones.",
				   strict);
}

static char *my_ca_rotation(const struct dbtls_endpoint_facts *f)
{
	(void)f;
	return dbtls_strdup(
	    "Before clients switch to the new bundle: install a certificate issued "
	    "under the new CA with its intermediates (my.cnf [mysqld] ssl_cert=…, "
	    "ssl_key=…) and reload it (FLUSH SSL on MariaDB 10.4+, ALTER INSTANCE "
	    "RELOAD TLS on MySQL 8.0.16+). Until every server is re-issued, clients "
	    "need both the old and the new root in their ssl-ca bundle.");
}

const struct dbtls_remedy_product dbtls_remedy_mysql = {
    .name = "mysql",
    .matches = my_matches,
    .base = &dbtls_remedy_generic,
    .versions = my_versions,
    .suites = my_suites,
    .cert = my_cert,
    .auto_cert = my_auto_cert,
    .not_offered = my_not_offered,
    .not_offered_evidence = my_not_offered_evidence,
    .tls13 = my_tls13,
    .dh_prime = my_dh_prime,
    .groups = my_groups,
    .server_order = my_server_order,
    .ca_rotation = my_ca_rotation,
};
