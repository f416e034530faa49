/* SPDX-License-Identifier: MIT */
/* sql.c — the table of SQL step modules (see sql.h). */
#include "config.h"

#include "src/wire/sql/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each module: declared here (sql.h needs no line for a new one), listed below. */
extern const struct dbtls_sql_module dbtls_sql_mysql;

#ifdef HAVE_LIBPQ
extern const struct dbtls_sql_module dbtls_sql_postgres, dbtls_sql_postgres_direct;
#else
/* Built without libpq: src/wire/sql/sql_pg.c is left out, and --sql on PostgreSQL says why. */
static enum dbtls_err sql_no_libpq(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
				   struct dbtls_sql_facts *s, unsigned *connections_used,
				   struct dbtls_diag *d)
{
	(void)t;
	(void)o;
	(void)connections_used;
	(void)d;
	dbtls_sql_facts_free(s);
	return dbtls_sql_skip(s, "dbtls was built without libpq (install libpq-dev and run "
				 "configure again): no SQL login to PostgreSQL");
}

static const struct dbtls_sql_module dbtls_sql_postgres = {
    .scheme = "postgres", .scan = sql_no_libpq, .help = "PostgreSQL: built without libpq"};
static const struct dbtls_sql_module dbtls_sql_postgres_direct = {
    .scheme = "postgres+direct", .scan = sql_no_libpq, .help = "built without libpq"};
#endif

enum dbtls_err dbtls_sql_skip(struct dbtls_sql_facts *s, const char *why)
{
	s->status = DBTLS_SQL_SKIPPED;
	s->reason = strdup(why);
	return s->reason ? DBTLS_OK : DBTLS_ERR_NOMEM;
}

enum dbtls_err dbtls_sql_scrub_facts(struct dbtls_sql_facts *s, const char *const *secrets,
				     size_t nsecrets)
{
	char buf[1024];

	for (size_t i = 0; i < s->nunreadable; i++) {
		char *m = s->unreadable[i].message, *copy;

		snprintf(buf, sizeof(buf), "%s", m ? m : "");
		for (size_t k = 0; k < nsecrets; k++)
			dbtls_sql_scrub(buf, sizeof(buf), secrets[k]);
		if (m && strcmp(buf, m) == 0)
			continue;
		copy = strdup(buf);
		if (!copy)
			return DBTLS_ERR_NOMEM;
		free(m);
		s->unreadable[i].message = copy;
	}
	return DBTLS_OK;
}

static const struct dbtls_sql_module *const modules[] = {
    &dbtls_sql_mysql,
    &dbtls_sql_postgres,
    &dbtls_sql_postgres_direct,
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

void dbtls_sql_scrub(char *s, size_t cap, const char *secret)
{
	static const char marker[] = "[redacted]";
	size_t sl, ml = sizeof(marker) - 1, o = 0;
	char *out;

	if (!s || !cap || !secret || !*secret || !strstr(s, secret))
		return;
	sl = strlen(secret);
	out = malloc(cap);
	if (!out) {
		*s = 0; /* no room to scrub: say nothing rather than the secret */
		return;
	}
	for (const char *p = s; *p && o + 1 < cap;) {
		if (strncmp(p, secret, sl) == 0) {
			if (o + ml >= cap)
				break;
			memcpy(out + o, marker, ml);
			o += ml;
			p += sl;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = 0;
	memcpy(s, out, o + 1);
	free(out);
}

char *dbtls_sql_dup(const char *v, bool *oom)
{
	char *p;

	if (!v)
		return NULL;
	p = strdup(v);
	if (!p)
		*oom = true;
	return p;
}

bool dbtls_sql_add_unreadable(struct dbtls_sql_facts *s, const char *what, const char *stmt,
			      unsigned code, const char *msg)
{
	struct dbtls_sql_unreadable *u = realloc(s->unreadable, (s->nunreadable + 1) * sizeof(*u));

	if (!u)
		return false;
	s->unreadable = u;
	u = &u[s->nunreadable];
	u->what = strdup(what);
	u->statement = strdup(stmt);
	u->code = code;
	u->message = strdup(msg && *msg ? msg : "no message");
	if (!u->what || !u->statement || !u->message) {
		free(u->what);
		free(u->statement);
		free(u->message);
		return false;
	}
	s->nunreadable++;
	return true;
}
