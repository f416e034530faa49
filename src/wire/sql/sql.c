/* SPDX-License-Identifier: MIT */
/* sql.c — the table of SQL step modules (see sql.h). */
#include "src/wire/sql/sql.h"

#include <string.h>

/* Each module: declared here (sql.h needs no line for a new one), listed below. */
extern const struct dbtls_sql_module dbtls_sql_mysql;

static const struct dbtls_sql_module *const modules[] = {
    &dbtls_sql_mysql,
};

const struct dbtls_sql_module *dbtls_sql_find(const char *scheme)
{
	for (size_t i = 0; scheme && i < sizeof(modules) / sizeof(modules[0]); i++)
		if (strcmp(modules[i]->scheme, scheme) == 0)
			return modules[i];
	return NULL;
}

const struct dbtls_sql_module *const *dbtls_sql_all(size_t *n)
{
	*n = sizeof(modules) / sizeof(modules[0]);
	return modules;
}
