/* SPDX-License-Identifier: MIT */
/*
 * conf.h — the other configuration formats of the file audit: JDBC URLs and Connector/J
 * properties (.properties files and YAML such as OX's dbconnector.yaml, read with libyaml),
 * PostgreSQL's postgresql.conf, pg_hba.conf and pg_service.conf, libpq connection strings, and
 * Openfire's openfire.xml. Each reader turns the file into settings of the file facts (secrets
 * masked) and errors naming FILE:LINE; buffers are borrowed. No I/O.
 *
 * Setting keys: properties and YAML keep the property name in lower case ("sslmode", "usessl",
 * "truststorepassword" …) with the YAML path or the JDBC URL (without its query) as the group;
 * every ?key=value of a JDBC URL becomes a setting of its own under the URL as group, plus
 * "jdbc_url" itself. postgresql.conf keys are the lower-case parameter names; each pg_hba.conf
 * line is one setting key "hba" whose group is the connection type and whose value is the line's
 * fields joined by single spaces; pg_service.conf keys are grouped by [service]; Openfire XML
 * elements become their property names ("xmpp.socket.ssl.protocols") below <jive>.
 */
#ifndef DBTLS_AUDIT_CONF_H
#define DBTLS_AUDIT_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "src/core/err.h"
#include "src/facts/audit.h"

struct dbtls_jdbc_param {
	char *key; /* as written */
	char *value;
};

struct dbtls_jdbc_url {
	char *scheme; /* "mysql", "mariadb", "postgresql", "mysql:loadbalance" … */
	char *base;   /* the URL up to (without) '?' */
	struct dbtls_jdbc_param *params;
	size_t nparams;
};

/* Parses "jdbc:mysql://h1:3306,h2/db?sslMode=VERIFY_IDENTITY&useSSL=true" (also ';' separated
 * MariaDB parameters and %XX escapes) into *out (new). INPUT when it is not a JDBC URL of
 * MySQL, MariaDB or PostgreSQL. */
enum dbtls_err dbtls_jdbc_url_parse(const char *url, struct dbtls_jdbc_url *out);
void dbtls_jdbc_url_free(struct dbtls_jdbc_url *u);

/* True when a property or setting name holds a secret (any "password" / "passwd" in it). */
bool dbtls_conf_is_secret(const char *name);

/* Adds one setting, and when value is a JDBC URL or a libpq URI/connection string, its
 * parameters too. name: as written; group may be NULL. */
enum dbtls_err dbtls_conf_add_value(struct dbtls_audit_file *f, const char *name, const char *value,
				    const char *group, unsigned line);

bool dbtls_conf_sniff_properties(const char *buf, size_t n, bool *openfire);
bool dbtls_conf_sniff_pg_hba(const char *buf, size_t n);
bool dbtls_conf_sniff_pg_conf(const char *buf, size_t n);
bool dbtls_conf_sniff_pg_service(const char *buf, size_t n);
bool dbtls_conf_sniff_openfire_xml(const char *buf, size_t n);
/* True when libyaml reads buf as a document whose root is a mapping. */
bool dbtls_conf_sniff_yaml(const char *buf, size_t n);

enum dbtls_err dbtls_conf_read_properties(const char *buf, size_t n, struct dbtls_audit_file *f);
enum dbtls_err dbtls_conf_read_yaml(const char *buf, size_t n, struct dbtls_audit_file *f);
enum dbtls_err dbtls_conf_read_pg_conf(const char *buf, size_t n, struct dbtls_audit_file *f);
enum dbtls_err dbtls_conf_read_pg_hba(const char *buf, size_t n, struct dbtls_audit_file *f);
enum dbtls_err dbtls_conf_read_pg_service(const char *buf, size_t n, struct dbtls_audit_file *f);
enum dbtls_err dbtls_conf_read_openfire_xml(const char *buf, size_t n, struct dbtls_audit_file *f);

#endif
