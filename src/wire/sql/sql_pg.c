/* SPDX-License-Identifier: MIT */
/*
 * sql_pg.c — the PostgreSQL SQL step through libpq (see sql_pg.h): one verified login, the
 * statements of pg_introspect.c through a libpq seam, the password kept out of every output.
 */
#include "config.h"

#include "src/wire/sql/sql_pg.h"

#include <errno.h>
#include <libpq-fe.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/wire/net.h"
#include "src/wire/sql/pg_introspect.h"

/* Columns a row may have; pg_introspect's statements have at most a dozen. */
#define PG_MAX_COLS 64

static void pg_param(struct dbtls_pg_params *p, const char *k, const char *v)
{
	if (p->n >= DBTLS_PG_MAX_PARAMS || !v)
		return;
	p->keys[p->n] = k;
	p->vals[p->n] = v;
	p->n++;
	p->keys[p->n] = NULL;
	p->vals[p->n] = NULL;
}

void dbtls_pg_login_params(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
			   const char *password, bool block_env, const char *system_bundle,
			   int libpq_version, struct dbtls_pg_params *p)
{
	int secs = o->timeout_ms > 0 ? (o->timeout_ms + 999) / 1000 : 10;

	memset(p, 0, sizeof(*p));
	if (secs < 2)
		secs = 2; /* libpq treats 1 as 2 anyway */
	snprintf(p->port, sizeof(p->port), "%u", (unsigned)t->port);
	snprintf(p->timeout, sizeof(p->timeout), "%d", secs);
	/* no statement may hang the scan: the server cancels any that runs longer */
	snprintf(p->options, sizeof(p->options), "-c statement_timeout=%d", secs * 1000);
	pg_param(p, "host", t->host);
	/* the probes' address: libpq connects there and still checks the certificate for host */
	if (t->addr)
		pg_param(p, "hostaddr", t->addr);
	pg_param(p, "port", p->port);
	pg_param(p, "dbname", "postgres");
	pg_param(p, "user", o->user); /* NULL: the service file's, or libpq's default */
	pg_param(p, "application_name", "dbtls");
	pg_param(p, "connect_timeout", p->timeout);
	pg_param(p, "options", p->options);
	/* GSSAPI encryption would be tried before TLS and is not what is being checked */
	pg_param(p, "gssencmode", "disable");
	/* libpq 17+: TLS from the first byte with ALPN, as the target asked */
	if (t->scheme && strcmp(t->scheme, "postgres+direct") == 0 && libpq_version >= 170000)
		pg_param(p, "sslnegotiation", "direct");
	if (o->insecure) {
		pg_param(p, "sslmode", "require");
		/* libpq 16+: only SCRAM, which never hands the password itself to the server */
		if (libpq_version >= 160000)
			pg_param(p, "require_auth", "scram-sha-256");
	} else {
		pg_param(p, "sslmode", "verify-full");
		if (o->ca_file)
			p->ca_source = o->ca_file;
		else
			p->ca_source = "system";
		pg_param(p, "sslrootcert",
			 o->ca_file				     ? o->ca_file
			 : libpq_version >= 160000 || !system_bundle ? "system"
								     : system_bundle);
	}
	/* the environment's password, or none: then libpq reads ~/.pgpass (PGPASSFILE) and the
	 * service file itself; an empty one keeps PGPASSWORD out and still lets ~/.pgpass in */
	if (password)
		pg_param(p, "password", password);
	else if (block_env)
		pg_param(p, "password", "");
}

enum dbtls_err dbtls_pg_login_error(const char *msg)
{
	if (!msg)
		return DBTLS_ERR_CONNECT;
	if (strcasestr(msg, "certificate") || strcasestr(msg, "SSL") ||
	    strcasestr(msg, "server does not support"))
		return DBTLS_ERR_TLS;
	if (strcasestr(msg, "timeout expired") || strcasestr(msg, "timed out"))
		return DBTLS_ERR_TIMEOUT;
	if (strcasestr(msg, "could not translate host name"))
		return DBTLS_ERR_RESOLVE;
	if (strcasestr(msg, "Connection refused") || strcasestr(msg, "could not connect") ||
	    strcasestr(msg, "connection to server at"))
		return strcasestr(msg, "FATAL") ? DBTLS_ERR_SERVER_ERROR : DBTLS_ERR_CONNECT;
	return DBTLS_ERR_SERVER_ERROR;
}

/* One logged-in connection and the bounds of what runs on it. */
struct pg_conn {
	PGconn *conn;
	int64_t deadline;     /* dbtls_net_now_ms clock: the endpoint's, or each statement's */
	int timeout_ms;	      /* the longest wait for one answer */
	const int *cancel_fd; /* may be NULL */
};

/* Waits until libpq has an answer to hand out; false on the deadline, Ctrl-C or a dead
 * socket (err says which). */
static bool pg_wait(struct pg_conn *pc, char *err, size_t errlen)
{
	int64_t stmt_end = dbtls_net_now_ms() + pc->timeout_ms;

	while (PQisBusy(pc->conn)) {
		int64_t end = pc->deadline && pc->deadline < stmt_end ? pc->deadline : stmt_end;
		int64_t left = end - dbtls_net_now_ms();
		struct pollfd p[2] = {
		    {.fd = PQsocket(pc->conn), .events = POLLIN},
		    {.fd = pc->cancel_fd ? *pc->cancel_fd : -1, .events = POLLIN}};
		int rc;

		if (left <= 0) {
			snprintf(err, errlen, "timeout: no complete answer within the deadline");
			return false;
		}
		rc = poll(p, 2, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc > 0 && p[1].revents) {
			snprintf(err, errlen, "interrupted");
			return false;
		}
		if (rc < 0 || (rc > 0 && !PQconsumeInput(pc->conn))) {
			snprintf(err, errlen, "%s", PQerrorMessage(pc->conn));
			err[strcspn(err, "\n")] = 0;
			return false;
		}
	}
	return true;
}

/* The libpq seam (struct dbtls_sql_seam): one statement, its rows one at a time (single-row
 * mode: a server that sends rows without end costs one row of memory and stops at
 * DBTLS_SQL_MAX_ROWS or the deadline), or its SQLSTATE packed. A statement abandoned part-way
 * leaves the connection busy, so every later one fails at once. */
static unsigned pg_query(void *conn, const char *stmt, dbtls_sql_row_fn row, void *arg, char *err,
			 size_t errlen)
{
	struct pg_conn *pc = conn;
	PGresult *res = NULL;
	const char *vals[PG_MAX_COLS];
	unsigned rc = 0;
	size_t nrows = 0;

	if (!PQsendQuery(pc->conn, stmt) || !PQsetSingleRowMode(pc->conn)) {
		snprintf(err, errlen, "%s", PQerrorMessage(pc->conn));
		err[strcspn(err, "\n")] = 0;
		return dbtls_pg_sqlstate_pack("08006"); /* connection_failure */
	}
	for (;;) {
		ExecStatusType st;
		int cols;

		if (!pg_wait(pc, err, errlen))
			return dbtls_pg_sqlstate_pack("57014"); /* query_canceled */
		res = PQgetResult(pc->conn);
		if (!res)
			break; /* the statement's results are all in */
		st = PQresultStatus(res);
		if (st == PGRES_SINGLE_TUPLE) {
			if (++nrows > DBTLS_SQL_MAX_ROWS) {
				snprintf(err, errlen, "more than %u rows: the rest was not read",
					 DBTLS_SQL_MAX_ROWS);
				PQclear(res);
				return rc ? rc
					  : dbtls_pg_sqlstate_pack(
						"54000"); /* program_limit_exceeded */
			}
			cols = rc ? 0 : PQnfields(res);
			if (cols > PG_MAX_COLS)
				cols = PG_MAX_COLS;
			for (int j = 0; j < cols; j++)
				vals[j] = PQgetisnull(res, 0, j) ? NULL : PQgetvalue(res, 0, j);
			if (!rc && !row(arg, (unsigned)cols, vals))
				rc = DBTLS_SQL_ERR_NOMEM; /* read the rest, keep none */
		} else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
			   st != PGRES_SINGLE_TUPLE && !rc) {
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			snprintf(err, errlen, "%s", m ? m : PQerrorMessage(pc->conn));
			err[strcspn(err, "\n")] = 0;
			rc = dbtls_pg_sqlstate_pack(state);
			if (!rc)
				rc =
				    dbtls_pg_sqlstate_pack("XX000"); /* internal_error: none sent */
		}
		PQclear(res);
	}
	return rc;
}

static enum dbtls_err pg_scan(const struct dbtls_sql_target *t, const struct dbtls_sql_opts *o,
			      struct dbtls_sql_facts *s, unsigned *connections_used,
			      struct dbtls_diag *d)
{
	const char *env = getenv(DBTLS_PG_PASSWORD_ENV), *secrets[2] = {NULL, NULL};
	struct dbtls_pg_params p;
	struct dbtls_sql_seam seam;
	struct pg_conn pc;
	int64_t t0 = dbtls_net_now_ms();
	enum dbtls_err err = DBTLS_OK;
	char pw[1024] = "", msg[1024], text[1200];
	PGconn *conn = NULL;
	const char *bundle = X509_get_default_cert_file();

	dbtls_sql_facts_free(s);
	/* read once, into our own buffer, wiped below; set but empty counts as unset */
	if (env && *env) {
		if (strlen(env) >= sizeof(pw))
			return dbtls_sql_skip(s,
					      DBTLS_PG_PASSWORD_ENV " is longer than 1023 bytes");
		memcpy(pw, env, strlen(env) + 1);
		secrets[0] = pw;
	}
	dbtls_pg_login_params(t, o, secrets[0], getenv("PGPASSWORD") != NULL, bundle,
			      PQlibVersion(), &p);
	s->verify_cert = !o->insecure;
	if (p.ca_source && !(s->ca_source = strdup(p.ca_source))) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	(*connections_used)++;
	conn = PQconnectdbParams(p.keys, p.vals, 0);
	if (!conn) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	/* the password libpq used (ours, or one from ~/.pgpass / the service file) */
	secrets[1] = PQpass(conn) && *PQpass(conn) ? PQpass(conn) : NULL;
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		msg[strcspn(msg, "\n")] = 0; /* libpq's detail lines repeat the host */
		for (size_t k = 0; k < 2; k++)
			dbtls_sql_scrub(msg, sizeof(msg), secrets[k]);
		s->status = DBTLS_SQL_FAILED;
		s->error_code = 0; /* libpq reports no number for a failed connection */
		s->reason = strdup(msg);
		if (!s->reason) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		snprintf(text, sizeof(text), "SQL login to %s port %u failed: %s", t->host,
			 (unsigned)t->port, msg);
		err = dbtls_diag_set(d, dbtls_pg_login_error(msg), "%s", text);
		goto out;
	}
	if (!PQsslInUse(conn)) { /* cannot happen with sslmode require/verify-full */
		s->status = DBTLS_SQL_FAILED;
		s->reason = strdup("libpq connected without TLS");
		err = dbtls_diag_set(d, DBTLS_ERR_TLS, "SQL login to %s port %u: no TLS", t->host,
				     (unsigned)t->port);
		goto out;
	}
	s->status = DBTLS_SQL_OK;
	if (PQparameterStatus(conn, "server_version") &&
	    !(s->server_version = strdup(PQparameterStatus(conn, "server_version")))) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	pc = (struct pg_conn){.conn = conn,
			      .deadline =
				  o->endpoint_timeout_ms > 0 ? t0 + o->endpoint_timeout_ms : 0,
			      .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000,
			      .cancel_fd = o->cancel_fd};
	seam = (struct dbtls_sql_seam){.query = pg_query, .conn = &pc};
	err = dbtls_pg_collect(&seam, s);
	if (!err)
		err = dbtls_sql_scrub_facts(s, secrets, 2);
out:
	if (conn)
		PQfinish(conn);
	explicit_bzero(pw, sizeof(pw));
	return err;
}

const struct dbtls_sql_module dbtls_sql_postgres = {
    .scheme = "postgres",
    .scan = pg_scan,
    .reset = NULL, /* PostgreSQL keeps no connect-error budget */
    .help = "PostgreSQL: log in through libpq (sslmode=verify-full; password from "
	    "DBTLS_PG_PASSWORD or ~/.pgpass) and read pg_stat_ssl, pg_stat_activity, the ssl "
	    "settings and pg_hba_file_rules",
};

/* postgres+direct://: the same login, with sslnegotiation=direct on libpq 17+; older libpq
 * negotiates TLS with the SSLRequest, which a PostgreSQL 17 server answers on the same port. */
const struct dbtls_sql_module dbtls_sql_postgres_direct = {
    .scheme = "postgres+direct",
    .scan = pg_scan,
    .reset = NULL,
    .help = "PostgreSQL direct TLS: the same libpq login (SSLRequest negotiation on the same "
	    "port)",
};
