/* SPDX-License-Identifier: MIT */
/*
 * fields.c — the report's shape, one row per JSON key (see fields.h); the converters the rows
 * use are in fields_conv.c. The table order is the key order of the report (JSON_PRESERVE_ORDER)
 * and must not change: golden files and consumers that diff reports depend on it.
 *
 * To add a field: add the struct member and its producer, then one row below, in the place where
 * the key should appear; `make schema` regenerates data/report.schema.json. A row for a member of
 * a nested struct names it with a member path (M(server.product)); a sub-struct whose members stay
 * in the parent's JSON object is one INLINE row; a new object is an OBJECT row and a table.
 */
#include "reports/json/fields.h"
#include "reports/report_util.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "reports/report.h"
#include "src/core/version.h"

/* ---- conditions the writer applies ---------------------------------------------------------- */

static const void *member(const void *base, const struct dbtls_field *f)
{
	return (const char *)base + f->off;
}

/* null when the member is all zero bytes (0, NULL) */
static bool n_zero(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	const unsigned char *p = member(base, f);

	for (size_t i = 0; i < f->size; i++)
		if (p[i])
			return false;
	return true;
}

/* null when the string is NULL or "" */
static bool n_empty(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	const char *s = *(char *const *)member(base, f);

	return !s || !*s;
}

/* left out while the int member is negative (groups_probed_with) */
static bool o_negative(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return *(const int *)member(base, f) < 0;
}

/* ---- enums ---------------------------------------------------------------------------------- */

static const char *en_version(int v)
{
	return dbtls_version_name((enum dbtls_version)v);
}

static const char *en_vstatus(int v)
{
	return dbtls_vstatus_name((enum dbtls_vstatus)v);
}

static const char *en_rev(int v)
{
	return dbtls_rev_status_name((enum dbtls_rev_status)v);
}

static const char *en_sql_status(int v)
{
	return dbtls_sql_status_name((enum dbtls_sql_status)v);
}

static const char *en_sql_avail(int v)
{
	return dbtls_sql_avail_name((enum dbtls_sql_avail)v);
}

static const char *en_severity(int v)
{
	return dbtls_severity_name((enum dbtls_severity)v);
}

static const struct dbtls_fenum e_version = {en_version, DBTLS_SSL2, DBTLS_TLS13, DBTLS_SSL3};
static const struct dbtls_fenum e_vstatus = {en_vstatus, DBTLS_VS_NOT_PROBED, DBTLS_VS_ERROR,
					     DBTLS_VS_ACCEPTED};
static const struct dbtls_fenum e_rev = {en_rev, DBTLS_REV_NOT_CHECKED, DBTLS_REV_NOT_APPLICABLE,
					 DBTLS_REV_NOT_CHECKED};
static const struct dbtls_fenum e_sql_status = {en_sql_status, DBTLS_SQL_OK, DBTLS_SQL_SKIPPED,
						DBTLS_SQL_OK};
static const struct dbtls_fenum e_sql_avail = {en_sql_avail, DBTLS_SQL_AV_NOT_COLLECTED,
					       DBTLS_SQL_AV_UNREADABLE, DBTLS_SQL_AV_NOT_COLLECTED};
static const struct dbtls_fenum e_severity = {en_severity, DBTLS_SEV_INFO, DBTLS_SEV_CRITICAL,
					      DBTLS_SEV_INFO};

/* ---- row shorthands --------------------------------------------------------------------------
 * Each table sets T to the struct it describes. M(member) is its place; member paths
 * (server.product) reach into nested structs of the same base. */
#define M(m)	       .off = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define G(m)	       .guard = offsetof(T, m) + 1
#define STR(n, m, fl)  .name = n, .conv = &dbtls_fc_str, .flags = (fl), M(m)
#define BOOL(n, m, fl) .name = n, .conv = &dbtls_fc_bool, .flags = (fl), M(m)
#define TRI(n, m, fl)  .name = n, .conv = &dbtls_fc_tri, .flags = (fl) | DBTLS_F_NULL, M(m)
#define INT(n, m, fl, lo, hi)                                                                      \
	.name = n, .conv = &dbtls_fc_int, .flags = (fl), M(m), .min = (lo), .max = (hi)
#define ENUM(n, m, fl, e) .name = n, .conv = &dbtls_fc_enum, .flags = (fl), M(m), .en = &(e)
#define OBJ(n, m, fl, t)  .name = n, .kind = DBTLS_FK_OBJECT, .flags = (fl), M(m), .sub = &(t)
/* an object whose members sit in the same struct as the row's (server, tls) */
#define HERE(n, fl, t) .name = n, .kind = DBTLS_FK_OBJECT, .flags = (fl), .sub = &(t)
#define ARR(n, m, cnt, fl)                                                                         \
	.name = n, .kind = DBTLS_FK_ARRAY, .flags = (fl), .off = offsetof(T, m),                   \
	.size = sizeof(*((T *)0)->m), .count = offsetof(T, cnt)
#define REQ	DBTLS_F_REQ
#define NUL	DBTLS_F_NULL
#define DER	DBTLS_F_DERIVED
#define ROWS(r) .rows = r, .nrows = sizeof(r) / sizeof(r[0])

/* ---- a version probe: endpoints[].tls.versions.NAME ----------------------------------------- */

/* the contract's statuses are accepted/rejected/error: a version never probed is rejected when
 * the server offers no TLS, and an error when we never got that far */
static void version_fixup(void *copy, const struct dbtls_fw *cx)
{
	struct dbtls_version_facts *vf = copy;
	const struct dbtls_endpoint_facts *e = cx->ep;

	if (vf->status != DBTLS_VS_NOT_PROBED || !e)
		return;
	vf->status = e->tls_offered == 0 ? DBTLS_VS_REJECTED : DBTLS_VS_ERROR;
	vf->reason = (char *)(e->tls_offered == 0 ? "server offers no TLS"
			      : e->nerrors	  ? e->errors[0].message
						  : "not probed");
}

static void version_init(void *base)
{
	((struct dbtls_version_facts *)base)->server_order = -1;
}

static bool o_not_accepted(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return ((const struct dbtls_version_facts *)base)->status != DBTLS_VS_ACCEPTED;
}

static bool o_no_probe_cipher(const void *base, const struct dbtls_field *f,
			      const struct dbtls_fw *cx)
{
	const struct dbtls_version_facts *vf = base;

	return vf->status != DBTLS_VS_ACCEPTED || !vf->cipher;
}

#define T struct dbtls_version_facts
static const struct dbtls_field version_rows[] = {
    {ENUM("status", status, REQ, e_vstatus)},
    {STR("reason", reason, NUL), .desc = "how the server answered the probe"},
    {.name = "probe_cipher", .conv = &dbtls_fc_suite, M(cipher), .omit = o_no_probe_cipher},
    {ARR("suites", suites, nsuites, 0), .conv = &dbtls_fc_suite, .omit = o_not_accepted,
     .desc = "accepted suites, in the server's preference order when server_order is true (else "
	     "in the order dbtls offered them)"},
    {TRI("server_order", server_order, 0), .omit = o_not_accepted,
     .desc = "true: the server enforces its own order; false: it follows the client's; null: "
	     "unknown (fewer than two suites)"},
};
#undef T
static const struct dbtls_ftable version_table = {.def = "version",
						  ROWS(version_rows),
						  .size = sizeof(struct dbtls_version_facts),
						  .init = version_init,
						  .fixup = version_fixup};

/* ---- endpoints[].server -----------------------------------------------------------------------
 */

/* the greeting's MySQL details, only for mysql endpoints that sent one */
static bool o_not_mysql(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	const struct dbtls_endpoint_facts *e = base;

	return !e->server.greeting_seen || !e->protocol || strcmp(e->protocol, "mysql") != 0;
}

static bool o_no_server_error(const void *base, const struct dbtls_field *f,
			      const struct dbtls_fw *cx)
{
	return !((const struct dbtls_endpoint_facts *)base)->server.err_code;
}

#define T struct dbtls_endpoint_facts
static const struct dbtls_field server_error_rows[] = {
    {INT("code", server.err_code, REQ, INT_MIN, INT_MAX)},
    {STR("sqlstate", server.err_sqlstate, NUL), .null = n_empty},
    {STR("message", server.err_message, REQ | NUL)},
};
static const struct dbtls_ftable server_error_table = {ROWS(server_error_rows), .size = sizeof(T)};

static const struct dbtls_field server_rows[] = {
    {STR("product", server.product, NUL | DBTLS_F_OMIT), G(server.greeting_seen)},
    {STR("version", server.version, NUL | DBTLS_F_OMIT), G(server.greeting_seen)},
    {INT("protocol_version", server.mysql.protocol_version, 0, INT_MIN, INT_MAX),
     .omit = o_not_mysql},
    {.name = "capabilities",
     .conv = &dbtls_fc_hex,
     M(server.mysql.capabilities),
     .aux = 8,
     .omit = o_not_mysql},
    {INT("connection_id", server.mysql.connection_id, 0, 0, UINT32_MAX), .omit = o_not_mysql},
    {TRI("tls_offered", tls_offered, REQ), .aux = offsetof(T, server.tls_offered) + 1},
    {HERE("error", 0, server_error_table), .omit = o_no_server_error},
};
static const struct dbtls_ftable server_table = {ROWS(server_rows), .size = sizeof(T)};

/* ---- endpoints[].tls ------------------------------------------------------------------------- */

static const char *version_key(int i)
{
	return dbtls_version_name((enum dbtls_version)i);
}

static const struct dbtls_field tls_rows[] = {
    {TRI("offered", tls_offered, REQ),
     .desc = "false: the server offers no TLS; null: never got that far"},
    {.name = "versions",
     .kind = DBTLS_FK_KEYED,
     .flags = REQ,
     .off = offsetof(T, versions),
     .size = sizeof(struct dbtls_version_facts),
     .count = DBTLS_NVERSIONS,
     .key = version_key,
     .sub = &version_table},
    {ARR("groups", groups, ngroups, 0), .conv = &dbtls_fc_group,
     .desc = "accepted key-exchange groups (x25519, secp256r1, ffdhe2048, ...), in the order the "
	     "server picked them"},
    {ENUM("groups_probed_with", groups_version, 0, e_version), .omit = o_negative},
    {INT("dh_bits", dh_bits, NUL, 0, INT_MAX), .null = n_zero,
     .desc = "size of the smallest DHE prime the server sent; null when no DHE suite was "
	     "accepted"},
};
static const struct dbtls_ftable tls_table = {ROWS(tls_rows), .size = sizeof(T)};
#undef T

/* ---- endpoints[].errors[] -------------------------------------------------------------------- */

#define T struct dbtls_error_fact
static const struct dbtls_field error_rows[] = {
    {.name = "code", .conv = &dbtls_fc_errcode, .flags = REQ, M(code)},
    {STR("message", message, REQ | NUL)},
    {STR("stage", stage, NUL)},
};
#undef T
static const struct dbtls_ftable error_table = {ROWS(error_rows),
						.size = sizeof(struct dbtls_error_fact)};

/* ---- endpoints[].certificates[] -------------------------------------------------------------- */

#define T struct dbtls_revocation
static const struct dbtls_field revocation_rows[] = {
    {ENUM("status", status, REQ, e_rev)},
    {STR("source", source, NUL)},
    {.name = "revoked_at", .conv = &dbtls_fc_timestr, .flags = NUL, M(revoked_at)},
    {STR("reason", reason, NUL)},
    {.name = "this_update", .conv = &dbtls_fc_timestr, .flags = NUL, M(this_update)},
    {.name = "next_update", .conv = &dbtls_fc_timestr, .flags = NUL, M(next_update)},
    {STR("detail", detail, NUL)},
};
#undef T
static const struct dbtls_ftable revocation_table = {ROWS(revocation_rows),
						     .size = sizeof(struct dbtls_revocation)};

#define T struct dbtls_cert
static const struct dbtls_field cert_rows[] = {
    {STR("subject", subject, REQ | NUL)},
    {STR("issuer", issuer, REQ | NUL)},
    {ARR("sans", sans, nsans, REQ), .conv = &dbtls_fc_str},
    {STR("serial", serial, REQ | NUL)},
    {.name = "not_before",
     .conv = &dbtls_fc_timestr,
     .flags = REQ | NUL,
     M(not_before),
     .aux = offsetof(T, not_before_t) + 1},
    {.name = "not_after",
     .conv = &dbtls_fc_timestr,
     .flags = REQ | NUL,
     M(not_after),
     .aux = offsetof(T, not_after_t) + 1},
    {INT("days_left", days_left, REQ, LONG_MIN, LONG_MAX)},
    {STR("key_type", key_type, REQ | NUL)},
    {INT("key_bits", key_bits, REQ, 0, INT_MAX)},
    {STR("curve", curve, NUL)},
    {STR("signature_algorithm", sig_alg, REQ | NUL)},
    {.name = "sha256_fingerprint", .conv = &dbtls_fc_fpr, .flags = REQ, M(sha256)},
    {BOOL("self_signed", self_signed, REQ)},
    {BOOL("is_ca", is_ca, 0)},
    {STR("pem", pem, NUL)},
    /* absent extensions are null, not empty: "no EKU" allows any usage */
    {ARR("eku", eku, neku, NUL), .conv = &dbtls_fc_str, G(has_eku),
     .desc = "extended key usage; null when the extension is absent (any usage)"},
    {.name = "key_usage", .conv = &dbtls_fc_ku, .flags = NUL, M(key_usage), G(has_key_usage)},
    {STR("ocsp_url", ocsp_url, NUL)},
    {ARR("crl_urls", crl_urls, ncrl_urls, 0), .conv = &dbtls_fc_str},
    {OBJ("revocation", revocation, 0, revocation_table)},
};
#undef T
static const struct dbtls_ftable cert_table = {
    .def = "certificate", ROWS(cert_rows), .size = sizeof(struct dbtls_cert)};

/* ---- endpoints[].verification ---------------------------------------------------------------- */

static bool n_no_anchor(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	/* both chain and rotation facts keep anchor_subject first */
	return !*(char *const *)((const char *)base + f->aux - 1);
}

#define T struct dbtls_chain_facts
static const struct dbtls_field chain_rows[] = {
    {BOOL("incomplete", incomplete, REQ)},
    {STR("missing_issuer", missing_issuer, NUL)},
    {BOOL("misordered", misordered, REQ)},
    {INT("extra", extra, 0, 0, INT_MAX)},
    {BOOL("anchor_served", anchor_served, 0)},
    {STR("anchor_subject", anchor_subject, NUL)},
    {STR("anchor_sha256", anchor_sha256, NUL)},
    {.name = "anchor_not_after",
     .conv = &dbtls_fc_time,
     .flags = NUL,
     M(anchor_not_after),
     .null = n_zero},
    {INT("anchor_days_left", anchor_days_left, NUL, LONG_MIN, LONG_MAX), .null = n_no_anchor,
     .aux = offsetof(T, anchor_subject) + 1},
};
#undef T
static const struct dbtls_ftable chain_table = {ROWS(chain_rows),
						.size = sizeof(struct dbtls_chain_facts)};

#define T struct dbtls_rotation_facts
static const struct dbtls_field rotation_rows[] = {
    {BOOL("checked", checked, REQ)},
    {BOOL("ready", ready, REQ)},
    {STR("error", error, NUL)},
    {STR("anchor_subject", anchor_subject, NUL)},
    {STR("anchor_sha256", anchor_sha256, NUL)},
    {INT("anchor_days_left", anchor_days_left, NUL, LONG_MIN, LONG_MAX), .null = n_no_anchor,
     .aux = offsetof(T, anchor_subject) + 1},
};
#undef T
static const struct dbtls_ftable rotation_table = {ROWS(rotation_rows),
						   .size = sizeof(struct dbtls_rotation_facts)};

#define T struct dbtls_verification
static const struct dbtls_field verification_rows[] = {
    {BOOL("ca_ok", ca_ok, REQ), .desc = "chain verifies against the CA bundle (VERIFY_CA)"},
    {BOOL("hostname_ok", hostname_ok, REQ),
     .desc = "leaf matches the host name or IP (VERIFY_IDENTITY)"},
    {STR("error", error, REQ | NUL)},
    {INT("verify_code", verify_code, 0, INT_MIN, INT_MAX)},
    {STR("hostname", hostname_checked, NUL)},
    {STR("ca_source", ca_source, NUL)},
    {STR("protocol", protocol, NUL)},
    {STR("cipher", cipher, NUL)},
    {BOOL("stapled", stapled, 0)},
    {STR("alpn", alpn, NUL | DBTLS_F_OMIT), G(alpn_offered),
     .desc = "the ALPN protocol the server selected in the full handshake; null when it "
	     "selected none; absent when none was offered"},
    {OBJ("chain", chain, NUL, chain_table), G(chain.analysed)},
    {OBJ("rotation", rotation, NUL, rotation_table), G(rotation.checked)},
};
#undef T
static const struct dbtls_ftable verification_table = {ROWS(verification_rows),
						       .size = sizeof(struct dbtls_verification)};

/* ---- endpoints[].sql (scan --sql) ------------------------------------------------------------ */

#define T struct dbtls_sql_conn
static const struct dbtls_field sql_conn_rows[] = {
    {INT("id", id, REQ, 0, LLONG_MAX)},
    {STR("user", user, REQ | NUL)},
    {STR("host", host, REQ | NUL)},
    {STR("program", program, NUL), .desc = "program_name connection attribute"},
    {STR("type", type, REQ | NUL),
     .desc = "performance_schema.threads.CONNECTION_TYPE: SSL/TLS, TCP/IP, Socket, ..."},
    {STR("tls_version", tls_version, NUL),
     .desc = "that session's Ssl_version; empty without TLS, null when not readable"},
    {STR("cipher", cipher, NUL)},
    {BOOL("self", self, 0), .desc = "dbtls's own connection"},
};
#undef T
static const struct dbtls_ftable sql_conn_table = {ROWS(sql_conn_rows),
						   .size = sizeof(struct dbtls_sql_conn)};

#define T struct dbtls_sql_account
static const struct dbtls_field sql_account_rows[] = {
    {STR("user", user, REQ | NUL)},
    {STR("host", host, REQ | NUL), .desc = "host pattern"},
    {STR("require", require, REQ | NUL),
     .desc = "none, SSL, X509, or the REQUIRE parts given: ISSUER, SUBJECT, CIPHER "
	     "(space-separated)"},
    {STR("issuer", issuer, NUL)},
    {STR("subject", subject, NUL)},
    {STR("cipher", cipher, NUL)},
    {BOOL("network", network, REQ),
     .desc = "the host pattern admits clients other than localhost/127.0.0.1/::1"},
    {BOOL("locked", locked, 0)},
};
#undef T
static const struct dbtls_ftable sql_account_table = {ROWS(sql_account_rows),
						      .size = sizeof(struct dbtls_sql_account)};

#define T struct dbtls_sql_unreadable
static const struct dbtls_field sql_unreadable_rows[] = {
    {STR("what", what, REQ | NUL)},
    {STR("statement", statement, REQ | NUL)},
    {INT("code", code, 0, 0, UINT_MAX)},
    {STR("message", message, NUL)},
};
#undef T
static const struct dbtls_ftable sql_unreadable_table = {
    ROWS(sql_unreadable_rows), .size = sizeof(struct dbtls_sql_unreadable)};

static bool n_not_failed(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return ((const struct dbtls_sql_facts *)base)->status != DBTLS_SQL_FAILED;
}

static bool n_not_tried(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	enum dbtls_sql_status st = ((const struct dbtls_sql_facts *)base)->status;

	return st != DBTLS_SQL_OK && st != DBTLS_SQL_FAILED;
}

#define T struct dbtls_sql_facts
static const struct dbtls_field sql_conns_rows[] = {
    {ENUM("status", connections_status, REQ, e_sql_avail)},
    {ARR("list", connections, nconnections, REQ), .sub = &sql_conn_table},
};
static const struct dbtls_ftable sql_conns_table = {ROWS(sql_conns_rows), .size = sizeof(T)};

static const struct dbtls_field sql_accounts_rows[] = {
    {ENUM("status", accounts_status, REQ, e_sql_avail)},
    {STR("source", accounts_source, NUL), .desc = "mysql.global_priv or mysql.user"},
    {ARR("list", accounts, naccounts, REQ), .sub = &sql_account_table},
};
static const struct dbtls_ftable sql_accounts_table = {ROWS(sql_accounts_rows), .size = sizeof(T)};

#undef T
#define T struct dbtls_sql_option_file
static const struct dbtls_field sql_option_file_rows[] = {
    {STR("path", path, REQ)},
    {.name = "mode", .conv = &dbtls_fc_mode, .flags = REQ, M(mode)},
    {BOOL("world_readable", world_readable, REQ)},
};
#undef T
static const struct dbtls_ftable sql_option_file_table = {
    ROWS(sql_option_file_rows), .size = sizeof(struct dbtls_sql_option_file)};

static bool o_no_option_file(const void *base, const struct dbtls_field *f,
			     const struct dbtls_fw *cx)
{
	return !((const struct dbtls_sql_facts *)base)->option_file.path;
}

#define T struct dbtls_sql_facts
static const struct dbtls_field sql_rows[] = {
    {ENUM("status", status, REQ, e_sql_status),
     .desc = "failed: the login failed (also an entry in errors); skipped: not attempted "
	     "(reason), e.g. the server offers no TLS"},
    {STR("reason", reason, REQ | NUL)},
    {INT("error_code", error_code, NUL, 0, UINT_MAX), .null = n_not_failed,
     .desc = "failed: the server's or client library's error number (1045 access denied, 2026 "
	     "TLS error, ...)"},
    {BOOL("verify_server_cert", verify_cert, REQ | NUL), .null = n_not_tried,
     .desc = "false: --sql-insecure, the server certificate was not verified; null when "
	     "skipped"},
    {STR("ca_source", ca_source, NUL)},
    {STR("user", user, NUL), .desc = "USER(): the login as the server saw it"},
    {STR("account", account, NUL), .desc = "CURRENT_USER(): the account it matched"},
    {STR("server_version", server_version, NUL)},
    {.name = "session",
     .kind = DBTLS_FK_MAP,
     .flags = REQ,
     M(session),
     .count = offsetof(T, nsession),
     .desc = "SHOW SESSION STATUS: Ssl_cipher, Ssl_version, ...; name -> value as the server "
	     "printed it, null: the server has no such name"},
    {.name = "variables",
     .kind = DBTLS_FK_MAP,
     .flags = REQ,
     M(variables),
     .count = offsetof(T, nvariables),
     .desc = "SHOW GLOBAL VARIABLES: have_ssl, tls_version, ssl_cipher, "
	     "require_secure_transport, ...; empty when not readable (see unreadable)"},
    {HERE("connections", REQ, sql_conns_table)},
    {HERE("accounts", REQ, sql_accounts_table)},
    {ARR("unreadable", unreadable, nunreadable, REQ), .sub = &sql_unreadable_table,
     .desc = "statements the login could not run (missing privileges, ...): facts, not "
	     "errors"},
    {OBJ("option_file", option_file, DBTLS_F_OMIT, sql_option_file_table), .omit = o_no_option_file,
     .desc = "the option file the login read that holds a password others may read; absent "
	     "when none"},
};
#undef T
static const struct dbtls_ftable sql_table = {
    .def = "sql",
    ROWS(sql_rows),
    .size = sizeof(struct dbtls_sql_facts),
    .desc = "what the server itself says about TLS over an SQL login (scan --sql); absent "
	    "without --sql"};

/* ---- findings (derived: written from the evaluation, never read back as facts) -------------- */

static json_t *w_references(const void *base, const struct dbtls_fw *cx)
{
	const struct dbtls_finding *fd = base;
	json_t *refs = json_array();

	for (const char *const *r = fd->references; refs && r && *r; r++)
		json_array_append_new(refs, json_string(*r));
	return refs;
}

#define T struct dbtls_finding
static const struct dbtls_field waiver_rows[] = {
    {STR("reason", waiver_reason, REQ | NUL)},
    {STR("owner", waiver_owner, REQ | NUL)},
    {STR("until", waiver_until, REQ | NUL), .pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
};
static const struct dbtls_ftable waiver_table = {ROWS(waiver_rows), .size = sizeof(T)};

static const struct dbtls_field finding_rows[] = {
    {STR("check", check, REQ), .pattern = "^[a-z0-9][a-z0-9-]*(\\.[a-z0-9-]+)+$",
     .desc = "stable check id (dbtls explain ID)"},
    {ENUM("severity", severity, REQ, e_severity)},
    {STR("title", title, REQ | NUL)},
    {STR("evidence", evidence, REQ | NUL), .desc = "the exact facts: suite names, versions, dates"},
    {STR("remediation", remediation, REQ | NUL)},
    {.name = "references",
     .kind = DBTLS_FK_ARRAY,
     .flags = REQ | DER,
     .conv = &dbtls_fc_str,
     .write = w_references},
    {BOOL("waived", waived, REQ)},
    {HERE("waiver", DBTLS_F_OMIT, waiver_table), G(waived)},
};
#undef T
const struct dbtls_ftable dbtls_finding_table = {
    .def = "finding", ROWS(finding_rows), .size = sizeof(struct dbtls_finding)};

static json_t *w_findings(const void *base, const struct dbtls_fw *cx)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < cx->findings->n; i++)
		json_array_append_new(
		    arr, dbtls_fields_write(&dbtls_finding_table, &cx->findings->items[i], cx));
	return arr;
}

static bool o_no_findings(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !cx->findings;
}

/* ---- endpoints[] --------------------------------------------------------------------------- */

static void endpoint_init(void *base)
{
	struct dbtls_endpoint_facts *e = base;

	e->tls_offered = -1;
	e->groups_version = -1;
}

/* only when they happened: reports of scans without them stay as they were */
static bool o_no_retries(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !((const struct dbtls_endpoint_facts *)base)->retries;
}

static bool o_no_fallback(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !((const struct dbtls_endpoint_facts *)base)->pipeline_fallback;
}

/* only with --sql: reports of scans without it stay as they were */
static bool o_no_sql(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return ((const struct dbtls_endpoint_facts *)base)->sql.status == DBTLS_SQL_NOT_RUN;
}

#define T struct dbtls_endpoint_facts
static const struct dbtls_field endpoint_rows[] = {
    {STR("target", target, REQ), .desc = "as given"},
    {STR("protocol", protocol, REQ)},
    {STR("host", host, REQ)},
    {INT("port", port, REQ, 0, UINT16_MAX)},
    {STR("address", address, REQ | NUL),
     .desc = "numeric address connected to; null when never resolved"},
    {STR("sni", sni, NUL)},
    {INT("connections_used", connections_used, REQ, 0, UINT_MAX)},
    /* bounded so that milliseconds survive the trip through double seconds exactly */
    {.name = "duration_ms", .conv = &dbtls_fc_ms, M(duration_s), .min = 0, .max = 1LL << 50},
    {INT("retries", retries, 0, 0, UINT_MAX), .omit = o_no_retries,
     .desc = "probes tried again after the server said too many connections (1040, 53300)"},
    {STR("pipeline_fallback", pipeline_fallback, 0), .omit = o_no_fallback,
     .desc = "why later connections went back to waiting for the greeting; absent: they did "
	     "not"},
    {ARR("errors", errors, nerrors, REQ), .sub = &error_table},
    {HERE("server", REQ, server_table)},
    {HERE("tls", REQ, tls_table)},
    {ARR("certificates", certs, ncerts, REQ), .sub = &cert_table,
     .desc = "served chain, leaf first"},
    {OBJ("verification", verification, REQ | NUL, verification_table), G(verification.done)},
    {OBJ("sql", sql, 0, sql_table), .omit = o_no_sql},
    {.name = "findings",
     .kind = DBTLS_FK_ARRAY,
     .flags = DER,
     .sub = &dbtls_finding_table,
     .omit = o_no_findings,
     .write = w_findings,
     .desc = "present when the scan was judged under a policy"},
};
#undef T
const struct dbtls_ftable dbtls_endpoint_table = {.def = "endpoint",
						  ROWS(endpoint_rows),
						  .size = sizeof(struct dbtls_endpoint_facts),
						  .init = endpoint_init};

/* ---- the document ---------------------------------------------------------------------------- */

/* policy, summary and the rotation counts are derived from the evaluation (or the facts) */
static json_t *w_policy(const void *base, const struct dbtls_fw *cx)
{
	const struct dbtls_policy *p = cx->eval ? cx->eval->policy : NULL;

	if (!p)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "name", dbtls_fc_json_str(p->name),
			 "version", dbtls_fc_json_str(p->version), "title",
			 dbtls_fc_json_str(p->title), "guideline", dbtls_fc_json_str(p->guideline),
			 "source", dbtls_fc_json_str(p->source), "fail_on",
			 dbtls_severity_name(cx->eval->fail_on));
}

/* Counts by severity (not waived) and endpoint outcomes, from the one set of counts every writer
 * uses (dbtls_report_counts). Not judged: "passed" are the endpoints scanned completely. */
static json_t *w_summary(const void *base, const struct dbtls_fw *cx)
{
	const struct dbtls_scan_facts *s = base;
	const struct dbtls_evaluation *ev = cx->eval;
	struct dbtls_report_counts c;
	json_t *by = json_object();

	dbtls_report_counts(s, ev, &c);
	for (int i = DBTLS_NSEVERITIES - 1; i >= 0; i--)
		json_object_set_new(by, dbtls_severity_name((enum dbtls_severity)i),
				    json_integer((json_int_t)c.by_severity[i]));
	return json_pack(
	    "{s:o, s:I, s:{s:I, s:I, s:I, s:I}}", "findings", by, "waived", (json_int_t)c.waived,
	    "endpoints", "total", (json_int_t)c.total, "passed",
	    (json_int_t)(ev ? c.outcome[DBTLS_OUTCOME_PASSED] : c.outcome[DBTLS_OUTCOME_SCANNED]),
	    "failed", (json_int_t)c.outcome[DBTLS_OUTCOME_FAILED], "errored",
	    (json_int_t)c.outcome[DBTLS_OUTCOME_ERRORED]);
}

/* CA rotation at a glance: how many endpoints are ready for the new bundle, and which are not
 * (not_ready counts those not checked as well: not_checked says how many). */
static bool rot_ready(const struct dbtls_endpoint_facts *e)
{
	return e->verification.rotation.checked && e->verification.rotation.ready;
}

static json_t *w_rot_ready(const void *base, const struct dbtls_fw *cx)
{
	struct dbtls_report_counts c;

	dbtls_report_counts(base, NULL, &c);
	return json_integer((json_int_t)c.rotation_ready);
}

static json_t *w_rot_not_ready(const void *base, const struct dbtls_fw *cx)
{
	struct dbtls_report_counts c;

	dbtls_report_counts(base, NULL, &c);
	return json_integer((json_int_t)c.rotation_not_ready);
}

static json_t *w_rot_not_checked(const void *base, const struct dbtls_fw *cx)
{
	struct dbtls_report_counts c;

	dbtls_report_counts(base, NULL, &c);
	return json_integer((json_int_t)c.rotation_not_checked);
}

static json_t *w_rot_targets(const void *base, const struct dbtls_fw *cx)
{
	const struct dbtls_scan_facts *s = base;
	json_t *targets = json_array();

	for (size_t i = 0; targets && i < s->nendpoints; i++)
		if (!rot_ready(&s->endpoints[i]))
			json_array_append_new(targets, dbtls_fc_json_str(s->endpoints[i].target));
	return targets;
}

static json_t *w_endpoints(const void *base, const struct dbtls_fw *cx)
{
	return json_incref(cx->endpoints);
}

static bool n_no_new_ca(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !((const struct dbtls_scan_facts *)base)->new_ca_file;
}

/* schema-only rows of the derived objects (offsets unused: write() makes the values) */
#define T	 struct dbtls_scan_facts
#define COUNT(n) .name = n, .conv = &dbtls_fc_int, .flags = REQ | DER, .min = 0, .max = LLONG_MAX
static const struct dbtls_field policy_rows[] = {
    {STR("name", tool_version, REQ | DER)},   {STR("version", tool_version, REQ | DER)},
    {STR("title", tool_version, NUL | DER)},  {STR("guideline", tool_version, NUL | DER)},
    {STR("source", tool_version, NUL | DER)}, {ENUM("fail_on", tool_version, DER, e_severity)},
};
static const struct dbtls_ftable policy_table = {ROWS(policy_rows), .size = sizeof(T)};

static const struct dbtls_field by_severity_rows[] = {
    {COUNT("critical")}, {COUNT("high")}, {COUNT("medium")}, {COUNT("low")}, {COUNT("info")},
};
static const struct dbtls_ftable by_severity_table = {ROWS(by_severity_rows), .size = sizeof(T),
						      .desc = "findings not waived, by severity"};
static const struct dbtls_field outcome_rows[] = {
    {COUNT("total")},
    {COUNT("passed")},
    {COUNT("failed")},
    {COUNT("errored")},
};
static const struct dbtls_ftable outcome_table = {ROWS(outcome_rows), .size = sizeof(T)};
static const struct dbtls_field summary_rows[] = {
    {HERE("findings", REQ | DER, by_severity_table)},
    {COUNT("waived")},
    {HERE("endpoints", REQ | DER, outcome_table)},
};
static const struct dbtls_ftable summary_table = {ROWS(summary_rows), .size = sizeof(T)};

static const struct dbtls_field rotation_summary_rows[] = {
    {STR("new_ca_file", new_ca_file, REQ | NUL)},
    {COUNT("ready"), .write = w_rot_ready},
    {COUNT("not_ready"), .write = w_rot_not_ready},
    {COUNT("not_checked"), .write = w_rot_not_checked},
    {.name = "not_ready_targets",
     .kind = DBTLS_FK_ARRAY,
     .flags = REQ | DER,
     .conv = &dbtls_fc_str,
     .write = w_rot_targets},
};
static const struct dbtls_ftable rotation_summary_table = {ROWS(rotation_summary_rows),
							   .size = sizeof(T)};

static const struct dbtls_field tool_rows[] = {
    {.name = "name", .conv = &dbtls_fc_const, .flags = REQ, .dflt = "dbtls"},
    {STR("version", tool_version, REQ), .dflt = DBTLS_VERSION},
};
static const struct dbtls_ftable tool_table = {ROWS(tool_rows), .size = sizeof(T)};

static const struct dbtls_field report_rows[] = {
    {.name = "schema_version", .conv = &dbtls_fc_const, .flags = REQ},
    {HERE("tool", REQ, tool_table)},
    {.name = "started_at", .conv = &dbtls_fc_time, .flags = REQ, M(started_at)},
    {.name = "finished_at", .conv = &dbtls_fc_time, .flags = REQ, M(finished_at)},
    {BOOL("interrupted", interrupted, DBTLS_F_OMIT), G(interrupted),
     .desc = "true when the run was stopped (SIGINT/SIGTERM): the endpoints not finished carry "
	     "an INTERRUPTED error; absent otherwise"},
    {HERE("policy", REQ | NUL | DER, policy_table), .write = w_policy,
     .desc = "the profile the findings come from; null with --policy none"},
    {HERE("summary", REQ | DER, summary_table), .write = w_summary},
    {HERE("rotation", NUL, rotation_summary_table), .null = n_no_new_ca,
     .desc = "CA rotation readiness (--new-ca-file); null when not asked"},
    {ARR("endpoints", endpoints, nendpoints, REQ), .sub = &dbtls_endpoint_table,
     .write = w_endpoints},
};
#undef T
const struct dbtls_ftable dbtls_report_table = {
    ROWS(report_rows), .size = sizeof(struct dbtls_scan_facts),
    .desc = "schema_version 1. The paths named in 'required' are a public contract that "
	    "monitoring keys on: they are only ever added to, never renamed or removed."};
