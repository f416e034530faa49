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

const struct dbtls_remedy_product dbtls_remedy_mariadb = {
    .name = "mariadb",
    .matches = ma_matches,
    .base = &dbtls_remedy_mysql,
    .versions = ma_versions,
    .cert = ma_cert,
};
