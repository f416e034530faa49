/* SPDX-License-Identifier: MIT */
/*
 * sql_mysql.c — the SQL step of a MySQL/MariaDB scan: one login through libmariadb over TLS that
 * verifies the server certificate, then a handful of read-only statements whose answers become
 * f->sql (facts.h): what the server itself says about TLS, which the probes cannot see — the
 * settings behind what was probed, the live connections and how each is transported, and which
 * accounts may log in from the network without TLS.
 *
 * Two halves: dbtls_sql_collect() turns statement answers into facts and knows nothing of the
 * client library (it runs statements through struct dbtls_sql_seam, which unit tests replace);
 * mysql_scan() (the SQL step module at the bottom, sql.h) owns the MYSQL handle: options,
 * credentials, login, error mapping.
 *
 * The password is read from the environment once (dbtls_sql_secret_take), wiped there and
 * unset, and kept in one locked, never-dumped page while the process is made non-dumpable; it is
 * wiped after the last login (dbtls_sql_secret_wipe), and the client library's copies are wiped
 * before each handle is closed. It is never copied into facts; the option file is read by the
 * client library itself. Error texts that reach facts are scrubbed of the password all the same.
 */
#include "src/wire/sql/sql_mysql.h"
#include "src/wire/net.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poll.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <errmsg.h>
#include <mysql.h>

/* What dbtls asks for, and therefore what it can record as absent when the server lacks it. */
static const char *const sql_session_names[] = {
    "Ssl_cipher", "Ssl_version", "Ssl_server_not_before", "Ssl_server_not_after", NULL,
};

static const char *const sql_variable_names[] = {
    "have_ssl",
    "have_openssl",
    "tls_version",
    "ssl_cipher",
    "tls_ciphersuites",
    "require_secure_transport",
    "ssl_ca",
    "ssl_capath",
    "ssl_cert",
    "ssl_key",
    "ssl_crl",
    "ssl_crlpath",
    "version",
    "version_comment",
    "version_ssl_library",
    "auto_generate_certs",
    "performance_schema",
    NULL,
};

#define SQL_IDENTITY "SELECT CONNECTION_ID(), USER(), CURRENT_USER()"
#define SQL_THREADS                                                                                \
	"SELECT THREAD_ID, PROCESSLIST_ID, PROCESSLIST_USER, PROCESSLIST_HOST, CONNECTION_TYPE "   \
	"FROM performance_schema.threads "                                                         \
	"WHERE TYPE = 'FOREGROUND' AND PROCESSLIST_ID IS NOT NULL ORDER BY PROCESSLIST_ID"
#define SQL_ATTRS                                                                                  \
	"SELECT PROCESSLIST_ID, ATTR_VALUE FROM performance_schema.session_connect_attrs "         \
	"WHERE ATTR_NAME = 'program_name'"
#define SQL_THREAD_TLS                                                                             \
	"SELECT THREAD_ID, VARIABLE_NAME, VARIABLE_VALUE "                                         \
	"FROM performance_schema.status_by_thread "                                                \
	"WHERE VARIABLE_NAME IN ('Ssl_version', 'Ssl_cipher')"

/* Account statements, best first; each gives user, host, ssl_type, ssl_cipher, x509_issuer,
 * x509_subject, locked, is_role, then the authentication plugin and whether a password is set
 * ('Y'/'N': never the hash itself), which MariaDB 11.4's zero-configuration TLS needs to know.
 * MariaDB 10.4+ keeps grants as JSON in mysql.global_priv (and mysql.user is a view over it,
 * without account_locked); MySQL keeps them in mysql.user. plugin, authentication_string
 * (and MariaDB's Password) are in every mysql.user since MySQL 5.5 / MariaDB 5.5; the last
 * statement (MySQL before 5.7, no account_locked) asks only for the grant columns. */
static const struct {
	const char *source;
	const char *stmt;
	bool mariadb;
} sql_account_stmts[] = {
    {"mysql.global_priv",
     "SELECT User, Host, JSON_VALUE(Priv, '$.ssl_type'), JSON_VALUE(Priv, '$.ssl_cipher'), "
     "JSON_VALUE(Priv, '$.x509_issuer'), JSON_VALUE(Priv, '$.x509_subject'), "
     "JSON_VALUE(Priv, '$.account_locked'), JSON_VALUE(Priv, '$.is_role'), "
     "JSON_VALUE(Priv, '$.plugin'), "
     "IF(IFNULL(JSON_VALUE(Priv, '$.authentication_string'), '') = '', 'N', 'Y') "
     "FROM mysql.global_priv ORDER BY User, Host",
     true},
    {"mysql.user",
     "SELECT User, Host, ssl_type, ssl_cipher, x509_issuer, x509_subject, 'N', is_role, "
     "plugin, IF(IFNULL(authentication_string, '') = '' AND IFNULL(Password, '') = '', 'N', "
     "'Y') FROM mysql.user ORDER BY User, Host",
     true},
    {"mysql.user",
     "SELECT User, Host, ssl_type, ssl_cipher, x509_issuer, x509_subject, account_locked, 'N', "
     "plugin, IF(IFNULL(authentication_string, '') = '', 'N', 'Y') "
     "FROM mysql.user ORDER BY User, Host",
     false},
    {"mysql.user",
     "SELECT User, Host, ssl_type, ssl_cipher, x509_issuer, x509_subject, 'N', 'N' "
     "FROM mysql.user ORDER BY User, Host",
     false},
};

#define SQL_NACCOUNT_STMTS (sizeof(sql_account_stmts) / sizeof(sql_account_stmts[0]))

/* ---- pure helpers ---- */

bool dbtls_sql_host_is_network(const char *pattern)
{
	static const char *const local[] = {"localhost",
					    "127.0.0.1",
					    "::1",
					    "0:0:0:0:0:0:0:1",
					    "::ffff:127.0.0.1",
					    "localhost.localdomain",
					    "127.0.0.1/255.255.255.255",
					    NULL};

	if (!pattern)
		return false;
	for (size_t i = 0; local[i]; i++)
		if (strcasecmp(pattern, local[i]) == 0)
			return false;
	/* everything else — '%', '', wildcards, netmasks, names, this machine's own name — admits
	 * clients that reach the server over a network interface */
	return true;
}

static bool sql_truthy(const char *v)
{
	return v && (strcasecmp(v, "Y") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
		     strcasecmp(v, "YES") == 0);
}

char *dbtls_sql_require_name(const char *ssl_type, const char *issuer, const char *subject,
			     const char *cipher)
{
	const char *t = ssl_type ? ssl_type : "";
	char buf[64] = "";

	if (!*t || strcmp(t, "0") == 0 || strcasecmp(t, "NONE") == 0)
		return strdup("none");
	if (strcasecmp(t, "ANY") == 0 || strcmp(t, "1") == 0)
		return strdup("SSL");
	if (strcasecmp(t, "X509") == 0 || strcmp(t, "2") == 0)
		return strdup("X509");
	if (strcasecmp(t, "SPECIFIED") != 0 && strcmp(t, "3") != 0)
		return strdup(t); /* a value from a newer server: keep its word */
	if (issuer && *issuer)
		strcat(buf, "ISSUER");
	if (subject && *subject)
		strcat(buf, *buf ? " SUBJECT" : "SUBJECT");
	if (cipher && *cipher)
		strcat(buf, *buf ? " CIPHER" : "CIPHER");
	return strdup(*buf ? buf : "SPECIFIED");
}

/* ---- collecting facts through the seam ---- */

struct sql_run {
	const struct dbtls_sql_seam *q;
	struct dbtls_sql_facts *s;
	char err[512];
	bool oom;
};

/* Records a statement that could not be run. */
static void sql_unreadable(struct sql_run *r, const char *what, const char *stmt, unsigned code)
{
	if (!dbtls_sql_add_unreadable(r->s, what, stmt, code, r->err))
		r->oom = true;
}

/* Runs stmt; returns the error number (0 = success). */
static unsigned sql_run_stmt(struct sql_run *r, const char *stmt, dbtls_sql_row_fn row, void *arg)
{
	unsigned code;

	r->err[0] = 0;
	code = r->q->query(r->q->conn, stmt, row, arg, r->err, sizeof(r->err));
	if (code == DBTLS_SQL_ERR_NOMEM)
		r->oom = true;
	return code;
}

/* -- identity -- */

struct sql_identity {
	struct dbtls_sql_facts *s;
	unsigned long long self;
	bool seen, oom;
};

static bool sql_row_identity(void *arg, unsigned ncols, const char *const *v)
{
	struct sql_identity *id = arg;

	if (ncols < 3 || id->seen)
		return true;
	id->seen = true;
	id->self = v[0] ? strtoull(v[0], NULL, 10) : 0;
	free(id->s->user);
	free(id->s->account);
	id->s->user = dbtls_sql_dup(v[1], &id->oom);
	id->s->account = dbtls_sql_dup(v[2], &id->oom);
	return !id->oom;
}

/* -- SHOW STATUS / SHOW VARIABLES: name, value -- */

struct sql_values {
	struct dbtls_sql_value *vals;
	size_t n;
	bool oom;
};

static bool sql_row_value(void *arg, unsigned ncols, const char *const *v)
{
	struct sql_values *sv = arg;

	if (ncols < 2 || !v[0])
		return true;
	for (size_t i = 0; i < sv->n; i++) {
		if (strcasecmp(sv->vals[i].name, v[0]) != 0)
			continue;
		free(sv->vals[i].value);
		sv->vals[i].value = dbtls_sql_dup(v[1] ? v[1] : "", &sv->oom);
		break;
	}
	return !sv->oom;
}

/* Reads the listed names with "SHOW <kind> WHERE Variable_name IN (…)" into *out; on failure the
 * list stays empty (unknown, not absent) and the statement is recorded as unreadable. */
static void sql_read_values(struct sql_run *r, const char *what, const char *show,
			    const char *const *names, struct dbtls_sql_value **out, size_t *nout)
{
	struct sql_values sv = {0};
	char stmt[1024];
	size_t n = 0, len;
	unsigned code;

	while (names[n])
		n++;
	sv.vals = calloc(n, sizeof(*sv.vals));
	if (!sv.vals) {
		r->oom = true;
		return;
	}
	sv.n = n;
	len = (size_t)snprintf(stmt, sizeof(stmt), "%s WHERE Variable_name IN (", show);
	for (size_t i = 0; i < n; i++) {
		sv.vals[i].name = dbtls_sql_dup(names[i], &sv.oom);
		len += (size_t)snprintf(stmt + len, sizeof(stmt) - len, "%s'%s'", i ? ", " : "",
					names[i]);
	}
	snprintf(stmt + len, sizeof(stmt) - len, ")");
	if (sv.oom) {
		r->oom = true;
		goto fail;
	}
	code = sql_run_stmt(r, stmt, sql_row_value, &sv);
	if (sv.oom)
		r->oom = true;
	if (code) {
		if (code != DBTLS_SQL_ERR_NOMEM)
			sql_unreadable(r, what, stmt, code);
		goto fail;
	}
	*out = sv.vals;
	*nout = sv.n;
	return;
fail:
	for (size_t i = 0; i < sv.n; i++) {
		free(sv.vals[i].name);
		free(sv.vals[i].value);
	}
	free(sv.vals);
}

/* -- performance_schema: connections -- */

struct sql_conns {
	struct dbtls_sql_facts *s;
	unsigned long long *thread_ids; /* parallel to s->connections */
	unsigned long long self;
	bool oom;
};

static bool sql_row_thread(void *arg, unsigned ncols, const char *const *v)
{
	struct sql_conns *c = arg;
	struct dbtls_sql_facts *s = c->s;
	struct dbtls_sql_conn *cn;
	unsigned long long *tid;

	if (ncols < 5 || !v[1])
		return true;
	cn = realloc(s->connections, (s->nconnections + 1) * sizeof(*cn));
	if (!cn)
		return !(c->oom = true);
	s->connections = cn;
	tid = realloc(c->thread_ids, (s->nconnections + 1) * sizeof(*tid));
	if (!tid)
		return !(c->oom = true);
	c->thread_ids = tid;
	tid[s->nconnections] = v[0] ? strtoull(v[0], NULL, 10) : 0;
	cn = &cn[s->nconnections++];
	memset(cn, 0, sizeof(*cn));
	cn->id = strtoull(v[1], NULL, 10);
	cn->self = c->self && cn->id == c->self;
	cn->user = dbtls_sql_dup(v[2], &c->oom);
	cn->host = dbtls_sql_dup(v[3], &c->oom);
	cn->type = dbtls_sql_dup(v[4], &c->oom);
	return !c->oom;
}

static bool sql_row_attr(void *arg, unsigned ncols, const char *const *v)
{
	struct sql_conns *c = arg;
	unsigned long long id;

	if (ncols < 2 || !v[0] || !v[1])
		return true;
	id = strtoull(v[0], NULL, 10);
	for (size_t i = 0; i < c->s->nconnections; i++) {
		struct dbtls_sql_conn *cn = &c->s->connections[i];

		if (cn->id == id && !cn->program)
			cn->program = dbtls_sql_dup(v[1], &c->oom);
	}
	return !c->oom;
}

static bool sql_row_thread_tls(void *arg, unsigned ncols, const char *const *v)
{
	struct sql_conns *c = arg;
	unsigned long long tid;

	if (ncols < 3 || !v[0] || !v[1])
		return true;
	tid = strtoull(v[0], NULL, 10);
	for (size_t i = 0; i < c->s->nconnections; i++) {
		struct dbtls_sql_conn *cn = &c->s->connections[i];
		char **slot;

		if (c->thread_ids[i] != tid)
			continue;
		slot = strcasecmp(v[1], "Ssl_version") == 0  ? &cn->tls_version
		       : strcasecmp(v[1], "Ssl_cipher") == 0 ? &cn->cipher
							     : NULL;
		if (slot && !*slot)
			*slot = dbtls_sql_dup(v[2] ? v[2] : "", &c->oom);
	}
	return !c->oom;
}

static void sql_read_connections(struct sql_run *r, unsigned long long self, bool variables_read)
{
	struct dbtls_sql_facts *s = r->s;
	struct sql_conns c = {.s = s, .self = self};
	const char *pfs =
	    dbtls_sql_value_get(s->variables, s->nvariables, "performance_schema", NULL);
	unsigned code;

	/* a server without performance_schema (OFF, or not compiled in) has no connection list
	 * to give; when the variables could not be read, just try */
	if (variables_read && (!pfs || strcasecmp(pfs, "ON") != 0)) {
		s->connections_status = DBTLS_SQL_AV_DISABLED;
		return;
	}
	code = sql_run_stmt(r, SQL_THREADS, sql_row_thread, &c);
	if (c.oom)
		r->oom = true;
	if (code) {
		s->connections_status = DBTLS_SQL_AV_UNREADABLE;
		if (code != DBTLS_SQL_ERR_NOMEM)
			sql_unreadable(r, "connections", SQL_THREADS, code);
		goto out;
	}
	s->connections_status = DBTLS_SQL_AV_READ;
	/* program names and each session's TLS are extras: the list stands without them */
	code = sql_run_stmt(r, SQL_ATTRS, sql_row_attr, &c);
	if (c.oom)
		r->oom = true;
	if (code && code != DBTLS_SQL_ERR_NOMEM)
		sql_unreadable(r, "connect_attrs", SQL_ATTRS, code);
	code = sql_run_stmt(r, SQL_THREAD_TLS, sql_row_thread_tls, &c);
	if (c.oom)
		r->oom = true;
	if (code && code != DBTLS_SQL_ERR_NOMEM)
		sql_unreadable(r, "thread_status", SQL_THREAD_TLS, code);
out:
	free(c.thread_ids);
}

/* -- accounts -- */

struct sql_accounts {
	struct dbtls_sql_facts *s;
	bool oom;
};

static bool sql_row_account(void *arg, unsigned ncols, const char *const *v)
{
	struct sql_accounts *a = arg;
	struct dbtls_sql_facts *s = a->s;
	struct dbtls_sql_account *ac;

	if (ncols < 8 || sql_truthy(v[7])) /* roles cannot log in */
		return true;
	ac = realloc(s->accounts, (s->naccounts + 1) * sizeof(*ac));
	if (!ac)
		return !(a->oom = true);
	s->accounts = ac;
	ac = &ac[s->naccounts++];
	memset(ac, 0, sizeof(*ac));
	ac->user = dbtls_sql_dup(v[0] ? v[0] : "", &a->oom);
	ac->host = dbtls_sql_dup(v[1] ? v[1] : "", &a->oom);
	ac->require = dbtls_sql_require_name(v[2], v[4], v[5], v[3]);
	if (!ac->require)
		a->oom = true;
	ac->cipher = v[3] && *v[3] ? dbtls_sql_dup(v[3], &a->oom) : NULL;
	ac->issuer = v[4] && *v[4] ? dbtls_sql_dup(v[4], &a->oom) : NULL;
	ac->subject = v[5] && *v[5] ? dbtls_sql_dup(v[5], &a->oom) : NULL;
	ac->locked = sql_truthy(v[6]);
	ac->network = dbtls_sql_host_is_network(v[1] ? v[1] : "");
	if (ncols >= 10 && v[8] && *v[8]) {
		ac->plugin = dbtls_sql_dup(v[8], &a->oom);
		ac->has_password = sql_truthy(v[9]);
	}
	return !a->oom;
}

static void sql_free_accounts(struct dbtls_sql_facts *s)
{
	for (size_t i = 0; i < s->naccounts; i++) {
		free(s->accounts[i].user);
		free(s->accounts[i].host);
		free(s->accounts[i].require);
		free(s->accounts[i].issuer);
		free(s->accounts[i].subject);
		free(s->accounts[i].cipher);
		free(s->accounts[i].plugin);
	}
	free(s->accounts);
	s->accounts = NULL;
	s->naccounts = 0;
}

static void sql_read_accounts(struct sql_run *r, bool mariadb)
{
	struct dbtls_sql_facts *s = r->s;
	struct {
		size_t i;
		unsigned code;
		char msg[512];
	} failed[SQL_NACCOUNT_STMTS];
	size_t nfailed = 0;

	for (size_t i = 0; i < SQL_NACCOUNT_STMTS; i++) {
		struct sql_accounts a = {.s = s};
		unsigned code;

		if (sql_account_stmts[i].mariadb != mariadb)
			continue;
		code = sql_run_stmt(r, sql_account_stmts[i].stmt, sql_row_account, &a);
		if (a.oom)
			r->oom = true;
		if (!code) {
			s->accounts_status = DBTLS_SQL_AV_READ;
			s->accounts_source = dbtls_sql_dup(sql_account_stmts[i].source, &r->oom);
			return;
		}
		sql_free_accounts(s);
		if (code == DBTLS_SQL_ERR_NOMEM)
			return;
		failed[nfailed].i = i;
		failed[nfailed].code = code;
		snprintf(failed[nfailed].msg, sizeof(failed[nfailed].msg), "%s", r->err);
		nfailed++;
	}
	/* no source could be read: every statement tried, and why it failed, is the fact */
	s->accounts_status = DBTLS_SQL_AV_UNREADABLE;
	for (size_t k = 0; k < nfailed; k++) {
		snprintf(r->err, sizeof(r->err), "%s", failed[k].msg);
		sql_unreadable(r, "accounts", sql_account_stmts[failed[k].i].stmt, failed[k].code);
	}
}

enum dbtls_err dbtls_sql_collect(const struct dbtls_sql_seam *q, const char *server_version,
				 struct dbtls_sql_facts *s)
{
	struct sql_run r = {.q = q, .s = s};
	struct sql_identity id = {.s = s};
	bool mariadb;
	unsigned code;

	code = sql_run_stmt(&r, SQL_IDENTITY, sql_row_identity, &id);
	if (id.oom)
		r.oom = true;
	if (code && code != DBTLS_SQL_ERR_NOMEM)
		sql_unreadable(&r, "identity", SQL_IDENTITY, code);
	sql_read_values(&r, "session", "SHOW SESSION STATUS", sql_session_names, &s->session,
			&s->nsession);
	sql_read_values(&r, "variables", "SHOW GLOBAL VARIABLES", sql_variable_names, &s->variables,
			&s->nvariables);
	sql_read_connections(&r, id.self, s->nvariables > 0);
	mariadb = server_version && strstr(server_version, "MariaDB");
	if (!mariadb) {
		const char *v = dbtls_sql_value_get(s->variables, s->nvariables, "version", NULL);
		mariadb = v && strstr(v, "MariaDB");
	}
	sql_read_accounts(&r, mariadb);
	return r.oom ? DBTLS_ERR_NOMEM : DBTLS_OK;
}

/* ---- the client library ---- */

/* ---- the password: read once, held locked, wiped ---- */

/* The one process-wide secret (the environment it comes from is process-wide too). */
static struct {
	char *p; /* NUL-terminated; NULL: no (or an empty) password in the environment */
	size_t cap;
	bool mapped;
} sql_pw;
static int sql_pw_dumpable = -1; /* PR_GET_DUMPABLE before the secret was taken */
static pthread_mutex_t sql_pw_lock = PTHREAD_MUTEX_INITIALIZER;

static void sql_secret_free_locked(void)
{
	if (!sql_pw.p)
		return;
	OPENSSL_cleanse(sql_pw.p, sql_pw.cap);
	if (sql_pw.mapped) {
		munlock(sql_pw.p, sql_pw.cap);
		munmap(sql_pw.p, sql_pw.cap);
	} else {
		free(sql_pw.p);
	}
	memset(&sql_pw, 0, sizeof(sql_pw));
	if (sql_pw_dumpable == 1)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

void dbtls_sql_secret_take(void)
{
	char *env;
	size_t n;
	long page;

	pthread_mutex_lock(&sql_pw_lock);
	/* once taken, the variable is gone: it is back only if someone set it again (a test) */
	env = getenv(DBTLS_SQL_PASSWORD_ENV);
	if (!env)
		goto out;
	sql_secret_free_locked();
	n = strlen(env);
	if (n) {
		/* no core dump and no ptrace by the same user while a secret is in memory */
		sql_pw_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		page = sysconf(_SC_PAGESIZE);
		sql_pw.cap = page > 0 ? (n / (size_t)page + 1) * (size_t)page : n + 1;
		sql_pw.p = mmap(NULL, sql_pw.cap, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (sql_pw.p == MAP_FAILED) {
			sql_pw.cap = n + 1;
			sql_pw.p = malloc(sql_pw.cap);
		} else {
			sql_pw.mapped = true;
			/* best effort: without the privilege to lock, the page may be swapped */
			(void)mlock(sql_pw.p, sql_pw.cap);
			(void)madvise(sql_pw.p, sql_pw.cap, MADV_DONTDUMP);
		}
		if (sql_pw.p)
			memcpy(sql_pw.p, env, n + 1);
	}
	/* the environment block itself is what /proc/PID/environ and a core dump show */
	OPENSSL_cleanse(env, n);
	unsetenv(DBTLS_SQL_PASSWORD_ENV);
out:
	pthread_mutex_unlock(&sql_pw_lock);
}

void dbtls_sql_secret_wipe(void)
{
	pthread_mutex_lock(&sql_pw_lock);
	sql_secret_free_locked();
	pthread_mutex_unlock(&sql_pw_lock);
}

/* The password (borrowed until dbtls_sql_secret_wipe), taking it first if nobody did. */
static const char *sql_password(void)
{
	dbtls_sql_secret_take();
	return sql_pw.p;
}

/* Wipes the client library's copies of the password (its own and an option file's), then closes
 * the handle; m may be NULL. */
static void sql_close(MYSQL *m)
{
	if (!m)
		return;
	if (m->passwd)
		OPENSSL_cleanse(m->passwd, strlen(m->passwd));
	if (m->options.password)
		OPENSSL_cleanse(m->options.password, strlen(m->options.password));
	mysql_close(m);
}

/* ---- option files holding a password ---- */

/* True when the option file at path sets a password in a group the client reads ([client],
 * [client-server], [client-mariadb], [mysql], [mariadb-client]); a file that cannot be read
 * (not ours to judge) is false. */
static bool sql_file_has_password(const char *path)
{
	static const char *const groups[] = {"client", "client-server", "client-mariadb", "mysql",
					     "mariadb-client"};
	bool in_group = false, found = false;
	char line[1024], *p, *e;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '[') {
			e = strchr(p, ']');
			in_group = false;
			if (!e)
				continue;
			*e = 0;
			for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
				in_group |= strcasecmp(p + 1, groups[i]) == 0;
			continue;
		}
		if (!in_group || strncasecmp(p, "password", 8) != 0)
			continue;
		for (p += 8; *p == ' ' || *p == '\t'; p++)
			;
		found = *p == '=';
	}
	fclose(f);
	return found;
}

enum dbtls_err dbtls_sql_option_file_check(const char *defaults_file,
					   struct dbtls_sql_option_file *out)
{
	const char *home = getenv("HOME");
	char user_cnf[4096];
	const char *cands[4];
	size_t n = 0;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (defaults_file) {
		cands[n++] = defaults_file;
	} else {
		/* the files the client library reads by default, the user's first */
		if (home && snprintf(user_cnf, sizeof(user_cnf), "%s/.my.cnf", home) <
				(int)sizeof(user_cnf))
			cands[n++] = user_cnf;
		cands[n++] = "/etc/mysql/my.cnf";
		cands[n++] = "/etc/my.cnf";
	}
	for (size_t i = 0; i < n; i++) {
		if (stat(cands[i], &st) != 0 || !S_ISREG(st.st_mode) ||
		    !sql_file_has_password(cands[i]))
			continue;
		if (!(st.st_mode & (S_IRGRP | S_IROTH)))
			continue;
		out->path = strdup(cands[i]);
		if (!out->path)
			return DBTLS_ERR_NOMEM;
		out->mode = (unsigned)(st.st_mode & 07777);
		out->world_readable = (st.st_mode & S_IROTH) != 0;
		break;
	}
	return DBTLS_OK;
}

/* ---- the login under a deadline ---- */

/* The client library waits for its socket only through io_wait (MARIADB_OPT_IO_WAIT) when a
 * read or write would block, and its own timeouts restart with every wait, so a server that
 * drips bytes could hold a login for hours. Every wait of a login happens on the thread that
 * called mysql_real_connect, so the deadline and the cancel fd of that login live in thread-local
 * storage, set around each use of the handle. */
static _Thread_local struct {
	int64_t deadline; /* dbtls_net_now_ms clock; 0: none */
	const int *cancel_fd;
} sql_bound;

static int sql_io_wait(my_socket fd, my_bool is_read, int timeout)
{
	struct pollfd p[2] = {
	    {.fd = fd, .events = is_read ? POLLIN : POLLOUT},
	    {.fd = sql_bound.cancel_fd ? *sql_bound.cancel_fd : -1, .events = POLLIN}};
	int64_t left;
	int rc, ms = timeout > 0 ? timeout : -1;

	if (sql_bound.deadline) {
		left = sql_bound.deadline - dbtls_net_now_ms();
		if (left <= 0)
			return 0; /* a timeout to the library */
		if (ms < 0 || left < ms)
			ms = (int)left;
	}
	do
		rc = poll(p, 2, ms);
	while (rc < 0 && errno == EINTR);
	if (rc > 0 && p[1].revents)
		return 0;
	return rc > 0 ? (p[0].revents ? 1 : 0) : rc;
}

/* Bounds what the calling thread does with the client library from now on: the deadline (0:
 * none) and the cancel fd (may be NULL). */
static void sql_bound_set(int64_t deadline, const int *cancel_fd)
{
	sql_bound.deadline = deadline;
	sql_bound.cancel_fd = cancel_fd;
}

static pthread_once_t sql_once = PTHREAD_ONCE_INIT;
static int sql_init_rc;

/* mysql_init() initialises the library on first use, which is not thread-safe; endpoints are
 * scanned by many threads, so it is done once here. The library's one-time allocations live
 * until exit. */
static void sql_library_init(void)
{
	sql_init_rc = mysql_library_init(0, NULL, NULL);
}

/* Ends a result read part-way: the rows left are never read (a server that sends rows without
 * end would hold mysql_free_result for ever), so the connection is shut down first and every
 * later statement on it fails at once. */
static void sql_my_abandon(MYSQL *m, MYSQL_RES *res)
{
	my_socket fd = mysql_get_socket(m);

	if (fd != MARIADB_INVALID_SOCKET)
		shutdown(fd, SHUT_RDWR);
	mysql_free_result(res);
}

static unsigned sql_my_query(void *conn, const char *stmt, dbtls_sql_row_fn row, void *arg,
			     char *err, size_t errlen)
{
	MYSQL *m = conn;
	MYSQL_RES *res = NULL;
	MYSQL_ROW r;
	unsigned rc = 0, n;
	size_t nrows = 0;

	/* rows are read one at a time (mysql_use_result), never the whole result at once: what a
	 * hostile server sends costs one row of memory and ends at the row cap or the deadline */
	if (mysql_query(m, stmt) != 0 ||
	    (!(res = mysql_use_result(m)) && mysql_field_count(m) != 0)) {
		snprintf(err, errlen, "%s", mysql_error(m));
		rc = mysql_errno(m) ? mysql_errno(m) : CR_UNKNOWN_ERROR;
		goto out;
	}
	if (!res)
		goto out; /* a statement without a result set */
	n = mysql_num_fields(res);
	while ((r = mysql_fetch_row(res))) {
		if (++nrows > DBTLS_SQL_MAX_ROWS) {
			snprintf(err, errlen, "more than %u rows: the rest was not read",
				 DBTLS_SQL_MAX_ROWS);
			rc = CR_UNKNOWN_ERROR;
			break;
		}
		if (sql_bound.deadline && dbtls_net_now_ms() >= sql_bound.deadline) {
			snprintf(err, errlen,
				 "timeout: the endpoint's deadline passed after %zu rows",
				 nrows - 1);
			rc = CR_SERVER_LOST;
			break;
		}
		if (!row(arg, n, (const char *const *)r)) {
			rc = DBTLS_SQL_ERR_NOMEM;
			break;
		}
	}
	if (rc) {
		sql_my_abandon(m, res);
		res = NULL;
	} else if (mysql_errno(m)) { /* the rows ended in an error, not at their end */
		snprintf(err, errlen, "%s", mysql_error(m));
		rc = mysql_errno(m);
	}
out:
	if (res)
		mysql_free_result(res);
	return rc;
}

/* The endpoint error for a failed login, from the client library's error number. */
static enum dbtls_err sql_login_err(unsigned code, const char *msg)
{
	if (code >= 1000 && code < 2000)
		return DBTLS_ERR_SERVER_ERROR; /* the server said no: 1045 access denied, … */
	switch (code) {
	case CR_SSL_CONNECTION_ERROR:
		return DBTLS_ERR_TLS;
	case CR_UNKNOWN_HOST:
		return DBTLS_ERR_RESOLVE;
	case CR_SERVER_LOST:
	case CR_SERVER_GONE_ERROR:
		return strstr(msg, "timeout") || strstr(msg, "error: 110") ? DBTLS_ERR_TIMEOUT
									   : DBTLS_ERR_CLOSED;
	default: /* 2002: the library's message carries EINPROGRESS, not why it failed */
		return DBTLS_ERR_CONNECT;
	}
}

/* Sets the connection's options; false when the library refuses one (then msg says which). */
static bool sql_options(MYSQL *m, const struct dbtls_sql_opts *o, bool have_env_password, char *msg,
			size_t msglen)
{
	unsigned timeout = o->timeout_ms > 0 ? (unsigned)((o->timeout_ms + 999) / 1000) : 10;
	unsigned protocol = MYSQL_PROTOCOL_TCP;
	my_bool yes = 1, verify = o->insecure ? 0 : 1, no = 0;
	const char *failed = NULL;

	/* "localhost" would otherwise mean the Unix socket, not the endpoint that was probed */
	if (mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol))
		failed = "MYSQL_OPT_PROTOCOL";
	else if (mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &yes))
		failed = "MYSQL_OPT_SSL_ENFORCE";
	else if (mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify))
		failed = "MYSQL_OPT_SSL_VERIFY_SERVER_CERT";
	/* the library verifies the chain whenever it has a CA, whatever VERIFY_SERVER_CERT says */
	else if (o->ca_file && !o->insecure && mysql_optionsv(m, MYSQL_OPT_SSL_CA, o->ca_file))
		failed = "MYSQL_OPT_SSL_CA";
	else if (mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) ||
		 mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout) ||
		 mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout))
		failed = "timeouts";
	/* a server may ask the client to send it local files (LOAD DATA LOCAL): never */
	else if (mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no))
		failed = "MYSQL_OPT_LOCAL_INFILE";
	else if (o->defaults_file && mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, o->defaults_file))
		failed = "MYSQL_READ_DEFAULT_FILE";
	else if (mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, "client"))
		failed = "MYSQL_READ_DEFAULT_GROUP";
	/* With no password in the environment, an empty one is preset: the option file's password
	 * (read at connect time) replaces it, and the library never falls back to MYSQL_PWD. */
	else if (!have_env_password && mysql_optionsv(m, MARIADB_OPT_PASSWORD, ""))
		failed = "MARIADB_OPT_PASSWORD";
	/* A server nobody authenticated must not be handed the password itself (clear-text, PAM
	 * dialog, or the RSA/clear-text full authentication of the SHA-256 plugins): challenge-
	 * response plugins only. */
	else if (o->insecure && mysql_optionsv(m, MARIADB_OPT_RESTRICTED_AUTH,
					       "mysql_native_password,client_ed25519"))
		failed = "MARIADB_OPT_RESTRICTED_AUTH";
	else if (mysql_optionsv(m, MARIADB_OPT_IO_WAIT, sql_io_wait))
		failed = "MARIADB_OPT_IO_WAIT";
	else if (mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "dbtls"))
		failed = "MYSQL_OPT_CONNECT_ATTR_ADD";
	if (failed)
		snprintf(msg, msglen, "the client library refused option %s", failed);
	return !failed;
}

/* Records a failed login in s (status, error number, scrubbed reason) and returns the endpoint
 * error with d saying it, or NOMEM. */
/* Where the login goes: the probes' address when the endpoint is one address of a name. The
 * library checks the certificate's name against the host it connects to, so there it is pinned
 * instead to the certificate the scan verified at that address for the name (SHA-1 of the DER,
 * the library's fingerprint; the chain is still checked when a CA file is given). Without a
 * verified certificate, and without --sql-insecure, false with why in msg: no password goes to
 * a server nobody authenticated. */
static bool sql_pin(MYSQL *m, const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
		    char *msg, size_t msglen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int mdlen = 0;
	my_bool no = 0;
	X509 *x = NULL;
	BIO *b;
	bool ok;

	if (!t->addr || o->insecure)
		return true;
	if (!t->verified_pem) {
		snprintf(
		    msg, msglen,
		    "not attempted: the certificate at %s did not verify for %s, and the "
		    "password goes only to a verified server (--sql-insecure to log in anyway)",
		    t->addr, t->host);
		return false;
	}
	b = BIO_new_mem_buf(t->verified_pem, -1);
	if (b)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ok = x && X509_digest(x, EVP_sha1(), md, &mdlen) == 1;
	X509_free(x);
	for (unsigned i = 0; ok && i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ok = ok && !mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no) &&
	     !mysql_optionsv(m, MARIADB_OPT_TLS_PEER_FP, hex);
	if (!ok)
		snprintf(msg, msglen, "the certificate verified at %s could not be pinned",
			 t->addr);
	return ok;
}

static enum dbtls_err sql_failed(const struct dbtls_sql_target *t, struct dbtls_sql_facts *s,
				 unsigned code, char *msg, size_t msglen,
				 const char *const *secrets, size_t nsecrets, struct dbtls_diag *d)
{
	char text[1024];

	for (size_t k = 0; k < nsecrets; k++)
		dbtls_sql_scrub(msg, msglen, secrets[k]);
	s->status = DBTLS_SQL_FAILED;
	s->error_code = code;
	snprintf(text, sizeof(text), "ERROR %u: %s", code, msg);
	s->reason = strdup(text);
	if (!s->reason)
		return DBTLS_ERR_NOMEM;
	snprintf(text, sizeof(text), "SQL login to %s port %u failed: ERROR %u: %s", t->host,
		 (unsigned)t->port, code, msg);
	for (size_t k = 0; k < nsecrets; k++)
		dbtls_sql_scrub(text, sizeof(text), secrets[k]);
	return dbtls_diag_set(d, sql_login_err(code, msg), "%s", text);
}

static enum dbtls_err mysql_scan(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
				 struct dbtls_sql_facts *s, unsigned *connections_used,
				 struct dbtls_diag *d)
{
	const char *pw = sql_password();
	const char *secrets[2] = {NULL, NULL};
	struct dbtls_sql_seam seam;
	enum dbtls_err err = DBTLS_OK;
	char msg[768];
	MYSQL *m = NULL;
	my_bool verify = 0;

	dbtls_sql_facts_free(s);
	/* set but empty counts as unset (sql_password gives NULL), so the option file can still
	 * supply one */
	secrets[0] = pw;
	if (dbtls_sql_option_file_check(o->defaults_file, &s->option_file))
		return DBTLS_ERR_NOMEM;
	pthread_once(&sql_once, sql_library_init);
	if (sql_init_rc)
		return dbtls_sql_skip(s, "the MySQL client library failed to initialise");
	m = mysql_init(NULL);
	if (!m)
		return DBTLS_ERR_NOMEM;
	s->verify_cert = !o->insecure;
	if (!o->insecure) {
		s->ca_source = strdup(o->ca_file ? o->ca_file : "system");
		if (!s->ca_source) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
	}
	if (!sql_options(m, o, pw != NULL, msg, sizeof(msg))) {
		err = sql_failed(t, s, CR_UNKNOWN_ERROR, msg, sizeof(msg), secrets, 2, d);
		goto out;
	}
	if (!sql_pin(m, t, o, msg, sizeof(msg))) { /* a TLS verdict, as the library's own */
		err = sql_failed(t, s, CR_SSL_CONNECTION_ERROR, msg, sizeof(msg), secrets, 2, d);
		goto out;
	}
	(*connections_used)++;
	/* the login and every statement after it, all within one --endpoint-timeout */
	sql_bound_set(o->endpoint_timeout_ms > 0 ? dbtls_net_now_ms() + o->endpoint_timeout_ms : 0,
		      o->cancel_fd);
	if (!mysql_real_connect(m, t->addr ? t->addr : t->host, o->user, pw, NULL, t->port, NULL,
				0)) {
		snprintf(msg, sizeof(msg), "%s", mysql_error(m));
		err = sql_failed(t, s, mysql_errno(m) ? mysql_errno(m) : CR_UNKNOWN_ERROR, msg,
				 sizeof(msg), secrets, 2, d);
		goto out;
	}
	/* what was in force, whatever an option file said */
	if (mysql_get_optionv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify) == 0)
		s->verify_cert = verify != 0 || (t->addr && t->verified_pem && !o->insecure);
	/* the option file's password, when it supplied one, is a secret to scrub as well; the
	 * library keeps it in the (public) options struct */
	secrets[1] = m->options.password && *m->options.password ? m->options.password : NULL;
	s->status = DBTLS_SQL_OK;
	s->server_version = dbtls_strdup(mysql_get_server_info(m));
	if (mysql_get_server_info(m) && !s->server_version) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	seam = (struct dbtls_sql_seam){.query = sql_my_query, .conn = m};
	err = dbtls_sql_collect(&seam, s->server_version, s);
	if (!err)
		err = dbtls_sql_scrub_facts(s, secrets, 2);
out:
	sql_close(m);
	sql_bound_set(0, NULL);
	return err;
}

static enum dbtls_err mysql_reset(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
				  struct dbtls_diag *d)
{
	const char *pw = sql_password();
	enum dbtls_err err = DBTLS_OK;
	char msg[768];
	MYSQL *m;

	pthread_once(&sql_once, sql_library_init);
	if (sql_init_rc)
		return dbtls_diag_set(d, DBTLS_ERR_INTERNAL,
				      "the MySQL client library failed to initialise");
	m = mysql_init(NULL);
	if (!m)
		return DBTLS_ERR_NOMEM;
	/* a login and straight out: two connection deadlines' worth */
	sql_bound_set(dbtls_net_now_ms() + 2 * (int64_t)(o->timeout_ms > 0 ? o->timeout_ms : 10000),
		      o->cancel_fd);
	if (!sql_options(m, o, pw != NULL, msg, sizeof(msg))) {
		err = dbtls_diag_set(d, DBTLS_ERR_INTERNAL, "%s", msg);
	} else if (!sql_pin(m, t, o, msg, sizeof(msg))) {
		err = dbtls_diag_set(d, DBTLS_ERR_TLS, "%s", msg);
	} else if (!mysql_real_connect(m, t->addr ? t->addr : t->host, o->user, pw, NULL, t->port,
				       NULL, 0)) {
		snprintf(msg, sizeof(msg), "%s", mysql_error(m));
		if (pw)
			dbtls_sql_scrub(msg, sizeof(msg), pw);
		if (m->options.password && *m->options.password)
			dbtls_sql_scrub(msg, sizeof(msg), m->options.password);
		err = dbtls_diag_set(d, sql_login_err(mysql_errno(m), msg), "ERROR %u: %s",
				     mysql_errno(m), msg);
	}
	sql_close(m);
	sql_bound_set(0, NULL);
	return err;
}

static enum dbtls_err mysql_inspect(const struct dbtls_sql_opts *o, struct dbtls_sql_facts *s)
{
	free(s->option_file.path);
	memset(&s->option_file, 0, sizeof(s->option_file));
	return dbtls_sql_option_file_check(o->defaults_file, &s->option_file);
}

const struct dbtls_sql_module dbtls_sql_mysql = {
    .scheme = "mysql",
    .scan = mysql_scan,
    .reset = mysql_reset,
    .inspect = mysql_inspect,
    .help = "MySQL/MariaDB: log in through libmariadb over verified TLS (password from "
	    "$" DBTLS_SQL_PASSWORD_ENV " or the option file) and read the session's TLS, the TLS "
	    "variables, performance_schema's connections and the accounts' REQUIRE clauses",
};
