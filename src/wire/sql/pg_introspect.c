/* SPDX-License-Identifier: MIT */
/*
 * pg_introspect.c — the PostgreSQL half of the SQL step, without the client library: four
 * read-only statements and the mapping of their rows onto struct dbtls_sql_facts.
 *
 *   session      pg_stat_ssl for pg_backend_pid(): the login's own TLS, plus who it is
 *   settings     pg_settings for the TLS settings, password_encryption and the version
 *   connections  pg_stat_activity ⟕ pg_stat_ssl ⟕ pg_stat_gssapi: every client backend and WAL
 *                sender, with or without TLS; rows of other users' sessions are hidden from a
 *                login without pg_read_all_stats (NULL columns), and then their type is unknown
 *   hba          pg_hba_file_rules: the rules as an account list (user, host, require), so the
 *                sql.* checks that look for "network accounts without a TLS requirement" see
 *                `host` rules for non-local addresses
 *
 * Statements run through struct dbtls_sql_seam; the libpq login (later) provides one. A failed
 * statement, a hidden row or a hidden setting is an entry in s->unreadable.
 */
#include "src/wire/sql/pg_introspect.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PG_SQL_SESSION                                                                             \
	"SELECT s.ssl, s.version, s.cipher, s.bits, s.pid, session_user, current_user, "           \
	"host(inet_client_addr()) FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()"

#define PG_SQL_SETTINGS                                                                            \
	"SELECT name, setting FROM pg_settings WHERE name IN ('ssl', 'ssl_min_protocol_version', " \
	"'ssl_max_protocol_version', 'ssl_ciphers', 'ssl_prefer_server_ciphers', "                 \
	"'ssl_ecdh_curve', 'ssl_groups', 'ssl_tls13_ciphers', 'ssl_library', 'ssl_cert_file', "    \
	"'ssl_key_file', 'ssl_ca_file', 'ssl_crl_file', 'ssl_crl_dir', 'ssl_dh_params_file', "     \
	"'ssl_passphrase_command', 'password_encryption', 'server_version', "                      \
	"'server_version_num', 'listen_addresses', 'port')"

#define PG_SQL_CONNECTIONS                                                                         \
	"SELECT a.pid, a.usename, a.datname, host(a.client_addr), a.application_name, s.ssl, "     \
	"s.version, s.cipher, g.encrypted, a.pid = pg_backend_pid() FROM pg_stat_activity a "      \
	"LEFT JOIN pg_stat_ssl s ON s.pid = a.pid LEFT JOIN pg_stat_gssapi g ON g.pid = a.pid "    \
	"WHERE a.backend_type IN ('client backend', 'walsender') "                                 \
	"OR (a.backend_type IS NULL AND a.usesysid IS NOT NULL) ORDER BY a.pid"

#define PG_SQL_HBA                                                                                 \
	"SELECT line_number, type, array_to_string(database, ','), "                               \
	"array_to_string(user_name, ','), address, netmask, auth_method, "                         \
	"array_to_string(options, ' '), error FROM pg_hba_file_rules ORDER BY line_number"

static const struct dbtls_pg_stmt pg_stmts[] = {
    {"session", PG_SQL_SESSION},
    {"settings", PG_SQL_SETTINGS},
    {"connections", PG_SQL_CONNECTIONS},
    {"hba", PG_SQL_HBA},
};

/* The settings asked for, and the server versions (server_version_num) that have them: a
 * setting missing from pg_settings on a version that has it is hidden from this login. */
static const struct {
	const char *name;
	long since, until; /* until: first version without it; 0 = still there */
} pg_settings_known[] = {
    {"ssl", 0, 0},
    {"ssl_min_protocol_version", 120000, 0},
    {"ssl_max_protocol_version", 120000, 0},
    {"ssl_ciphers", 0, 0},
    {"ssl_prefer_server_ciphers", 0, 0},
    {"ssl_ecdh_curve", 0, 180000}, /* PostgreSQL 18: an alias of ssl_groups, not listed */
    {"ssl_groups", 180000, 0},
    {"ssl_tls13_ciphers", 180000, 0},
    {"ssl_library", 120000, 0},
    {"ssl_cert_file", 0, 0},
    {"ssl_key_file", 0, 0},
    {"ssl_ca_file", 0, 0},
    {"ssl_crl_file", 0, 0},
    {"ssl_crl_dir", 140000, 0},
    {"ssl_dh_params_file", 100000, 0},
    {"ssl_passphrase_command", 110000, 0},
    {"password_encryption", 0, 0},
    {"server_version", 0, 0},
    {"server_version_num", 0, 0},
    {"listen_addresses", 0, 0},
    {"port", 0, 0},
};
#define PG_NSETTINGS (sizeof(pg_settings_known) / sizeof(pg_settings_known[0]))

const struct dbtls_pg_stmt *dbtls_pg_statements(size_t *n)
{
	*n = sizeof(pg_stmts) / sizeof(pg_stmts[0]);
	return pg_stmts;
}

/* ---- pure helpers ---- */

unsigned dbtls_pg_sqlstate_pack(const char *st)
{
	unsigned code = 0;

	if (!st || strlen(st) != 5)
		return 0;
	for (int i = 0; i < 5; i++) {
		char c = st[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			return 0;
		code |= ((unsigned)(c - '0') & 0x3f) << (6 * i);
	}
	return code;
}

void dbtls_pg_sqlstate_unpack(unsigned code, char out[6])
{
	for (int i = 0; i < 5; i++)
		out[i] = (char)(((code >> (6 * i)) & 0x3f) + '0');
	out[5] = 0;
}

/* The prefix length of a contiguous netmask, or -1; *v6 says which family it was. */
static int pg_prefix_len(const char *mask, bool *v6)
{
	unsigned char b[16];
	size_t n;
	int len = 0;
	bool zero = false;

	*v6 = false;
	if (!mask)
		return -1;
	if (inet_pton(AF_INET, mask, b) == 1) {
		n = 4;
	} else if (inet_pton(AF_INET6, mask, b) == 1) {
		n = 16;
		*v6 = true;
	} else {
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 7; k >= 0; k--) {
			bool one = (b[i] >> k) & 1;

			if (one && zero)
				return -1;
			if (one)
				len++;
			else
				zero = true;
		}
	return len;
}

char *dbtls_pg_hba_host(const char *type, const char *address, const char *netmask)
{
	char buf[256];
	bool v6;
	int len;

	if ((type && strcmp(type, "local") == 0) || !address)
		return strdup("local");
	if (!netmask)
		return strdup(address);
	len = pg_prefix_len(netmask, &v6);
	if (len >= 0)
		snprintf(buf, sizeof(buf), "%s/%d", address, len);
	else
		snprintf(buf, sizeof(buf), "%s/%s", address, netmask);
	return strdup(buf);
}

bool dbtls_pg_hba_is_network(const char *type, const char *address, const char *netmask)
{
	unsigned char a[16];
	bool v6;
	int len;

	if (!type || strcmp(type, "local") == 0 || !address)
		return false;
	if (strcmp(address, "samehost") == 0 || strcasecmp(address, "localhost") == 0)
		return false;
	len = netmask ? pg_prefix_len(netmask, &v6) : -1;
	if (inet_pton(AF_INET, address, a) == 1)
		return !(a[0] == 127 && len >= 8);
	if (inet_pton(AF_INET6, address, a) == 1) {
		static const unsigned char loop6[16] = {[15] = 1};
		static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};

		if (memcmp(a, loop6, 16) == 0 && len == 128)
			return false;
		if (memcmp(a, mapped, 12) == 0 && a[12] == 127 && len >= 104)
			return false;
		return true;
	}
	return true; /* all, samenet, a host name or a domain suffix: other machines */
}

const char *dbtls_pg_hba_require(const char *type, const char *auth_method, const char *options)
{
	if (!type)
		return "none";
	if (strcmp(type, "local") == 0)
		return "local";
	if (strcmp(type, "hostgssenc") == 0)
		return "GSSENC";
	if (strcmp(type, "hostssl") != 0)
		return "none"; /* host, hostnossl, hostnogssenc: clients without TLS get in */
	if ((auth_method && strcmp(auth_method, "cert") == 0) ||
	    (options &&
	     (strstr(options, "clientcert=verify-ca") ||
	      strstr(options, "clientcert=verify-full") || strstr(options, "clientcert=1"))))
		return "X509";
	return "SSL";
}

/* ---- running statements ---- */

struct pg_run {
	const struct dbtls_sql_seam *q;
	struct dbtls_sql_facts *s;
	char err[512];
	bool oom;
};

static bool pg_true(const char *v)
{
	return v && (strcmp(v, "t") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0);
}

static void pg_unreadable(struct pg_run *r, const char *what, const char *stmt, unsigned code,
			  const char *msg)
{
	if (!dbtls_sql_add_unreadable(r->s, what, stmt, code, msg))
		r->oom = true;
}

/* Runs stmt; a failure (other than out-of-memory) becomes an unreadable entry. Returns the
 * seam's code. */
static unsigned pg_run_stmt(struct pg_run *r, const char *what, const char *stmt,
			    dbtls_sql_row_fn row, void *arg)
{
	unsigned code;

	r->err[0] = 0;
	code = r->q->query(r->q->conn, stmt, row, arg, r->err, sizeof(r->err));
	if (code == DBTLS_SQL_ERR_NOMEM)
		r->oom = true;
	else if (code)
		pg_unreadable(r, what, stmt, code, r->err);
	return code;
}

/* -- session -- */

struct pg_session {
	struct dbtls_sql_facts *s;
	bool seen, oom;
};

static bool pg_add_value(struct dbtls_sql_value **vals, size_t *n, const char *name,
			 const char *value, bool *oom)
{
	struct dbtls_sql_value *v = realloc(*vals, (*n + 1) * sizeof(**vals));

	if (!v)
		return !(*oom = true);
	*vals = v;
	v[*n].name = dbtls_sql_dup(name, oom);
	v[*n].value = dbtls_sql_dup(value, oom);
	(*n)++;
	return !*oom;
}

static bool pg_row_session(void *arg, unsigned ncols, const char *const *v)
{
	struct pg_session *ps = arg;
	struct dbtls_sql_facts *s = ps->s;
	bool tls;
	char who[512];

	if (ncols < 8 || ps->seen)
		return true;
	ps->seen = true;
	tls = pg_true(v[0]);
	pg_add_value(&s->session, &s->nsession, "ssl", v[0] ? v[0] : "", &ps->oom);
	/* the names MySQL's session status uses, so sql.session-weaker reads both */
	pg_add_value(&s->session, &s->nsession, "Ssl_version", tls && v[1] ? v[1] : "", &ps->oom);
	pg_add_value(&s->session, &s->nsession, "Ssl_cipher", tls && v[2] ? v[2] : "", &ps->oom);
	pg_add_value(&s->session, &s->nsession, "bits", tls && v[3] ? v[3] : "", &ps->oom);
	snprintf(who, sizeof(who), "%s@%s", v[5] ? v[5] : "", v[7] ? v[7] : "[local]");
	free(s->user);
	free(s->account);
	s->user = dbtls_sql_dup(who, &ps->oom);
	s->account = dbtls_sql_dup(v[6], &ps->oom);
	return !ps->oom;
}

/* -- settings -- */

struct pg_settings {
	struct dbtls_sql_value *vals; /* parallel to pg_settings_known */
	bool oom;
};

static bool pg_row_setting(void *arg, unsigned ncols, const char *const *v)
{
	struct pg_settings *ps = arg;

	if (ncols < 2 || !v[0])
		return true;
	for (size_t i = 0; i < PG_NSETTINGS; i++) {
		if (strcmp(pg_settings_known[i].name, v[0]) != 0)
			continue;
		free(ps->vals[i].value);
		ps->vals[i].value = dbtls_sql_dup(v[1] ? v[1] : "", &ps->oom);
		break;
	}
	return !ps->oom;
}

static void pg_read_settings(struct pg_run *r)
{
	struct dbtls_sql_facts *s = r->s;
	struct pg_settings ps = {0};
	char hidden[512] = "";
	const char *vn;
	long ver;
	size_t nh = 0;

	ps.vals = calloc(PG_NSETTINGS, sizeof(*ps.vals));
	if (!ps.vals) {
		r->oom = true;
		return;
	}
	for (size_t i = 0; i < PG_NSETTINGS; i++)
		ps.vals[i].name = dbtls_sql_dup(pg_settings_known[i].name, &ps.oom);
	if (ps.oom || pg_run_stmt(r, "settings", PG_SQL_SETTINGS, pg_row_setting, &ps)) {
		if (ps.oom)
			r->oom = true;
		for (size_t i = 0; i < PG_NSETTINGS; i++) {
			free(ps.vals[i].name);
			free(ps.vals[i].value);
		}
		free(ps.vals);
		return; /* unknown, not absent: the list stays empty */
	}
	s->variables = ps.vals;
	s->nvariables = PG_NSETTINGS;
	vn = dbtls_sql_value_get(s->variables, s->nvariables, "server_version_num", NULL);
	ver = vn ? strtol(vn, NULL, 10) : 0;
	/* a setting this version has but pg_settings did not show is hidden from the login */
	for (size_t i = 0; ver > 0 && i < PG_NSETTINGS; i++) {
		size_t len = strlen(hidden);

		if (ps.vals[i].value || ver < pg_settings_known[i].since ||
		    (pg_settings_known[i].until && ver >= pg_settings_known[i].until))
			continue;
		snprintf(hidden + len, sizeof(hidden) - len, "%s%s", nh ? ", " : "",
			 pg_settings_known[i].name);
		nh++;
	}
	if (nh) {
		char msg[640];

		snprintf(msg, sizeof(msg),
			 "%zu settings are not visible to this login (superuser or "
			 "pg_read_all_settings needed): %s",
			 nh, hidden);
		pg_unreadable(r, "settings", PG_SQL_SETTINGS, dbtls_pg_sqlstate_pack("42501"), msg);
	}
	if (!s->server_version) {
		const char *sv =
		    dbtls_sql_value_get(s->variables, s->nvariables, "server_version", NULL);

		s->server_version = dbtls_sql_dup(sv, &r->oom);
	}
}

/* -- connections -- */

struct pg_conns {
	struct dbtls_sql_facts *s;
	size_t hidden;
	bool oom;
};

static bool pg_row_conn(void *arg, unsigned ncols, const char *const *v)
{
	struct pg_conns *c = arg;
	struct dbtls_sql_facts *s = c->s;
	struct dbtls_sql_conn *cn;
	bool hidden, tls;
	const char *type;

	if (ncols < 10 || !v[0])
		return true;
	cn = realloc(s->connections, (s->nconnections + 1) * sizeof(*cn));
	if (!cn)
		return !(c->oom = true);
	s->connections = cn;
	cn = &cn[s->nconnections++];
	memset(cn, 0, sizeof(*cn));
	/* pg_stat_ssl has a row for every backend this login may see; NULL: a hidden session */
	hidden = !v[5];
	tls = pg_true(v[5]);
	cn->id = strtoull(v[0], NULL, 10);
	cn->self = pg_true(v[9]);
	cn->user = dbtls_sql_dup(v[1], &c->oom);
	cn->database = dbtls_sql_dup(v[2], &c->oom);
	cn->host = dbtls_sql_dup(v[3] ? v[3] : hidden ? NULL : "[local]", &c->oom);
	cn->program = v[4] && *v[4] ? dbtls_sql_dup(v[4], &c->oom) : NULL;
	if (hidden) {
		c->hidden++;
		return !c->oom; /* type, version, cipher unknown */
	}
	type = tls ? "SSL/TLS" : pg_true(v[8]) ? "GSSAPI" : v[3] ? "TCP/IP" : "Socket";
	cn->type = dbtls_sql_dup(type, &c->oom);
	cn->tls_version = dbtls_sql_dup(tls && v[6] ? v[6] : "", &c->oom);
	cn->cipher = dbtls_sql_dup(tls && v[7] ? v[7] : "", &c->oom);
	return !c->oom;
}

static void pg_read_connections(struct pg_run *r)
{
	struct pg_conns c = {.s = r->s};
	unsigned code = pg_run_stmt(r, "connections", PG_SQL_CONNECTIONS, pg_row_conn, &c);

	if (c.oom)
		r->oom = true;
	if (code) {
		r->s->connections_status = DBTLS_SQL_AV_UNREADABLE;
		return;
	}
	r->s->connections_status = DBTLS_SQL_AV_READ;
	if (c.hidden) {
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "%zu sessions of other users are hidden from this login (superuser or "
			 "pg_read_all_stats needed): whether they use TLS is unknown",
			 c.hidden);
		pg_unreadable(r, "connections", PG_SQL_CONNECTIONS, dbtls_pg_sqlstate_pack("42501"),
			      msg);
	}
}

/* -- pg_hba.conf rules -- */

struct pg_hba {
	struct dbtls_sql_facts *s;
	size_t nerrors;
	char first_error[256];
	bool oom;
};

static bool pg_row_hba(void *arg, unsigned ncols, const char *const *v)
{
	struct pg_hba *h = arg;
	struct dbtls_sql_facts *s = h->s;
	struct dbtls_sql_account *ac;

	if (ncols < 9)
		return true;
	if (v[8]) { /* a line that does not parse is not in effect (the server keeps the old file)
		     */
		if (!h->nerrors++)
			snprintf(h->first_error, sizeof(h->first_error), "line %s: %s",
				 v[0] ? v[0] : "?", v[8]);
		return true;
	}
	ac = realloc(s->accounts, (s->naccounts + 1) * sizeof(*ac));
	if (!ac)
		return !(h->oom = true);
	s->accounts = ac;
	ac = &ac[s->naccounts++];
	memset(ac, 0, sizeof(*ac));
	ac->line = v[0] ? (unsigned)strtoul(v[0], NULL, 10) : 0;
	ac->user = dbtls_sql_dup(v[3] ? v[3] : "", &h->oom);
	ac->database = dbtls_sql_dup(v[2] ? v[2] : "", &h->oom);
	ac->host = dbtls_pg_hba_host(v[1], v[4], v[5]);
	if (!ac->host)
		h->oom = true;
	ac->require = dbtls_sql_dup(dbtls_pg_hba_require(v[1], v[6], v[7]), &h->oom);
	ac->method = dbtls_sql_dup(v[6], &h->oom);
	ac->network = dbtls_pg_hba_is_network(v[1], v[4], v[5]);
	ac->locked = v[6] && strcmp(v[6], "reject") == 0; /* a rule that refuses lets nobody in */
	return !h->oom;
}

static void pg_read_hba(struct pg_run *r)
{
	struct dbtls_sql_facts *s = r->s;
	struct pg_hba h = {.s = s};
	unsigned code = pg_run_stmt(r, "accounts", PG_SQL_HBA, pg_row_hba, &h);

	if (h.oom)
		r->oom = true;
	if (code) {
		s->accounts_status = DBTLS_SQL_AV_UNREADABLE;
		return;
	}
	s->accounts_status = DBTLS_SQL_AV_READ;
	s->accounts_source = dbtls_sql_dup("pg_hba_file_rules", &r->oom);
	if (h.nerrors) {
		char msg[384];

		snprintf(msg, sizeof(msg), "%zu pg_hba.conf lines do not parse; %s", h.nerrors,
			 h.first_error);
		pg_unreadable(r, "accounts", PG_SQL_HBA, dbtls_pg_sqlstate_pack("F0000"), msg);
	}
}

enum dbtls_err dbtls_pg_collect(const struct dbtls_sql_seam *q, struct dbtls_sql_facts *s)
{
	struct pg_run r = {.q = q, .s = s};
	struct pg_session ps = {.s = s};

	pg_run_stmt(&r, "session", PG_SQL_SESSION, pg_row_session, &ps);
	if (ps.oom)
		r.oom = true;
	pg_read_settings(&r);
	pg_read_connections(&r);
	pg_read_hba(&r);
	return r.oom ? DBTLS_ERR_NOMEM : DBTLS_OK;
}
