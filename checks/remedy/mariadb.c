/* SPDX-License-Identifier: MIT */
/*
 * mariadb.c — fix texts for MariaDB where they differ from MySQL's (mysql.c is its base): the
 * versions MariaDB can set and how it reloads certificates (FLUSH SSL).
 */
#include <stdio.h>
#include <string.h>

#include "checks/remedy/remedy.h"

static bool ma_matches(const struct dbtls_endpoint_facts *f)
{
	return dbtls_remedy_is_mysql_protocol(f) && f->server.product &&
	       strcmp(f->server.product, "MariaDB") == 0;
}

static char *ma_versions(const struct dbtls_endpoint_facts *f, const char *list,
			 const char *min_name)
{
	(void)f;
	(void)min_name;
	return dbtls_remedy_printf("In the server's my.cnf, section [mysqld]: tls_version=%s "
				   "(MariaDB 10.4.6+; restart mariadbd). Clients on old connectors "
				   "need TLS 1.2 support first.",
				   list);
}

static char *ma_cert(const struct dbtls_endpoint_facts *f, const char *what)
{
	(void)f;
	return dbtls_remedy_mycnf_cert(what, "load them without a restart with FLUSH SSL (MariaDB "
					     "10.4+; older: restart)");
}

static char *ma_auto_cert(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)f;
	(void)general;
	return dbtls_remedy_mycnf_cert(
	    "Zero-configuration TLS protects only MariaDB Connector/C 3.4+ (mariadb client "
	    "11.4+) and Connector/J 3.4+ (sslMode=verify-full) clients, and only for accounts "
	    "with a password on mysql_native_password, ed25519 or parsec (ALTER USER ... "
	    "IDENTIFIED VIA ed25519 USING PASSWORD('...')). Where other clients connect "
	    "(MySQL connectors, PyMySQL, PHP mysqlnd, Go, older MariaDB connectors) or an "
	    "account has no password or another plugin, issue the server a certificate from "
	    "your CA instead.",
	    "load them with FLUSH SSL (the generated certificate is no longer used) and give the "
	    "clients your CA with ssl-verify-server-cert (ssl-mode=VERIFY_IDENTITY)");
}

const struct dbtls_remedy_product dbtls_remedy_mariadb = {
    .name = "mariadb",
    .matches = ma_matches,
    .base = &dbtls_remedy_mysql,
    .versions = ma_versions,
    .cert = ma_cert,
    .auto_cert = ma_auto_cert,
};
