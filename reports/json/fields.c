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
#include "src/registry/names.h"
#include "src/facts/audit.h"

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

static const char *en_alpn(int v)
{
	return dbtls_alpn_outcome_name((enum dbtls_alpn_outcome)v);
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
static const struct dbtls_fenum e_alpn = {en_alpn, DBTLS_ALPN_SELECTED, DBTLS_ALPN_UNKNOWN,
					  DBTLS_ALPN_SELECTED};
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
    {BOOL("starttls_required", server.xmpp.starttls_required, DBTLS_F_OMIT),
     G(server.xmpp.features_seen),
     .desc = "XMPP: the stream features mark <starttls/> <required/>"},
    {ARR("sasl_mechanisms", server.xmpp.mechanisms, server.xmpp.nmechanisms, DBTLS_F_OMIT),
     .conv = &dbtls_fc_str, G(server.xmpp.features_seen),
     .desc = "XMPP: SASL mechanisms offered before TLS, in the server's order"},
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
    {STR("alpn_hello", alpn_hello, NUL | DBTLS_F_OMIT), G(alpn_hello_offered),
     .desc = "the ALPN protocol the raw TLS 1.2 ServerHello selected (null: none); absent when "
	     "no ALPN was offered"},
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

#define T struct dbtls_public_trust
static const struct dbtls_field public_trust_rows[] = {
    {TRI("anchored", anchored, REQ),
     .desc = "the path ends in a root of the system trust store (dates ignored); false: it "
	     "does not (a private CA: no CA/Browser Forum rules); null: cannot tell (the store "
	     "is empty or unreadable)"},
    {STR("anchor", anchor, NUL), .desc = "the system root the path ends in"},
    {STR("store", store, NUL),
     .desc = "the default verify path consulted: the hashed directory, else the file; FILE, DIR "
	     "when neither holds a certificate"},
    {STR("detail", detail, NUL), .desc = "not anchored: the verify error; cannot tell: why"},
};
#undef T
static void public_trust_init(void *base)
{
	((struct dbtls_public_trust *)base)->anchored = -1; /* null: cannot tell */
}

static const struct dbtls_ftable public_trust_table = {
    ROWS(public_trust_rows), .size = sizeof(struct dbtls_public_trust), .init = public_trust_init};
static void ticket_init(void *base)
{
	struct dbtls_ticket_facts *t = base;

	t->issued = -1;
	t->lifetime_s = -1;
}

static bool n_no_lifetime(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return ((const struct dbtls_ticket_facts *)base)->lifetime_s < 0;
}

#define T struct dbtls_ticket_facts
static const struct dbtls_field ticket_rows[] = {
    {TRI("issued", issued, REQ),
     .desc = "a NewSessionTicket arrived; false: none in the TLS 1.2 handshake; null: none "
	     "arrived in the short read after a TLS 1.3 handshake (could not tell)"},
    {INT("lifetime_hint_s", lifetime_s, REQ | NUL, 0, UINT32_MAX), .null = n_no_lifetime,
     .desc = "the ticket's lifetime hint in seconds (TLS 1.2: 0 is unspecified); null when no "
	     "ticket"},
};
#undef T
static const struct dbtls_ftable ticket_table = {
    ROWS(ticket_rows), .size = sizeof(struct dbtls_ticket_facts), .init = ticket_init,
    .desc = "the session ticket of the full handshake (RFC 5077, RFC 8446 4.6.1); absent in "
	    "reports from before it was read"};

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
    {OBJ("public_trust", public_trust, DBTLS_F_OMIT, public_trust_table), G(public_trust.checked),
     .desc = "whether the chain anchors in the system trust store, whatever the CA bundle: "
	     "the CA/Browser Forum limits apply only then; absent when not looked at"},
    {OBJ("session_ticket", ticket, DBTLS_F_OMIT, ticket_table), G(ticket.probed)},
};
#undef T
static const struct dbtls_ftable verification_table = {ROWS(verification_rows),
						       .size = sizeof(struct dbtls_verification)};

/* ---- endpoints[].alpn_probe ------------------------------------------------------------------ */

#define T struct dbtls_alpn_probe
static const struct dbtls_field alpn_probe_rows[] = {
    {STR("protocol", protocol, REQ | NUL), .desc = "the ALPN protocol offered (\"postgresql\")"},
    {ENUM("outcome", outcome, REQ, e_alpn),
     .desc = "selected; ignored (no ALPN selected); refused (the handshake offering it failed "
	     "while one without it succeeded); other (another protocol selected); unknown"},
    {STR("selected", selected, NUL), .desc = "outcome other: what the server selected"},
    {BOOL("required", required, 0),
     .desc = "the protocol's clients need it selected (PostgreSQL direct TLS); false: they "
	     "offer it after their own TLS request and accept a server that ignores it"},
    {STR("detail", detail, NUL), .desc = "which handshake told, and how it ended"},
};
#undef T
static const struct dbtls_ftable alpn_probe_table = {
    ROWS(alpn_probe_rows), .size = sizeof(struct dbtls_alpn_probe),
    .desc = "what the server does with the ALPN protocol its clients offer (libpq 17: "
	    "\"postgresql\"); absent for protocols without one"};

/* PostgreSQL-only members: the key is left out when the member is NULL / 0 (MySQL's rows) */
static bool o_null_ptr(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	(void)cx;
	return !*(char *const *)((const char *)base + f->off);
}

static bool o_zero_uint(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	(void)cx;
	return !*(const unsigned *)((const char *)base + f->off);
}

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
    {STR("database", database, NUL), .omit = o_null_ptr,
     .desc = "PostgreSQL: the database it is connected to"},
    {BOOL("self", self, 0), .desc = "dbtls's own connection"},
};
#undef T
static const struct dbtls_ftable sql_conn_table = {ROWS(sql_conn_rows),
						   .size = sizeof(struct dbtls_sql_conn)};

static bool o_no_plugin(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	(void)f;
	(void)cx;
	return !((const struct dbtls_sql_account *)base)->plugin;
}

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
    {STR("plugin", plugin, NUL), .omit = o_null_ptr,
     .desc = "MySQL/MariaDB: the authentication plugin; absent when not read"},
    {BOOL("password", has_password, 0), .omit = o_no_plugin,
     .desc = "MySQL/MariaDB: the account has a password (never the hash); absent with plugin"},
    {STR("database", database, NUL), .omit = o_null_ptr,
     .desc = "PostgreSQL: the pg_hba.conf rule's databases (comma-separated)"},
    {STR("method", method, NUL), .omit = o_null_ptr,
     .desc = "PostgreSQL: the rule's auth_method (scram-sha-256, cert, trust, reject, ...)"},
    {INT("line", line, 0, 0, UINT_MAX), .omit = o_zero_uint,
     .desc = "PostgreSQL: the rule's line in pg_hba.conf"},
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

#define T struct dbtls_client_sim
static const struct dbtls_field client_sim_rows[] = {
    {STR("client", client, REQ), .desc = "client profile (data/clients)"},
    {STR("config", config, REQ), .desc = "current, or proposed (--proposed)"},
    {STR("outcome", outcome, REQ),
     .desc = "connects, connects_unverified (never verifies by default), fails, unknown"},
    {STR("version", version, NUL)},
    {STR("suite", suite, NUL)},
    {STR("group", group, NUL)},
    {STR("reason", reason, NUL)},
    {BOOL("in_use", in_use, 0), .desc = "named in --clients-in-use"},
};
#undef T
static const struct dbtls_ftable client_sim_table = {ROWS(client_sim_rows),
						     .size = sizeof(struct dbtls_client_sim)};

/* only with --clients: reports of scans without it stay as they were */
static bool o_no_clients(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return ((const struct dbtls_endpoint_facts *)base)->nclients == 0;
}

/* only when they happened: reports of scans without them stay as they were */
static bool o_no_retries(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !((const struct dbtls_endpoint_facts *)base)->retries;
}

static bool o_no_name_addresses(const void *base, const struct dbtls_field *f,
				const struct dbtls_fw *cx)
{
	return ((const struct dbtls_endpoint_facts *)base)->nname_addresses == 0;
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

/* ---- what else the handshake tells (scan --handshake-facts): each object only when probed -- */

/* the TLS 1.3 pick order and the post-quantum groups in it are tls.groups seen again: derived */
static json_t *w_g13_groups(const struct dbtls_endpoint_facts *e, bool pq_only)
{
	json_t *a = json_array();
	char hex[16];

	for (size_t i = 0; a && e && e->groups_version == DBTLS_TLS13 && i < e->ngroups; i++)
		if (!pq_only || dbtls_group_is_pq(e->groups[i]))
			json_array_append_new(
			    a, json_string(dbtls_group_label(e->groups[i], hex, sizeof(hex))));
	return a;
}

static json_t *w_g13_preference(const void *base, const struct dbtls_fw *cx)
{
	return w_g13_groups(cx->ep, false);
}

static json_t *w_g13_pq(const void *base, const struct dbtls_fw *cx)
{
	return w_g13_groups(cx->ep, true);
}

#define T struct dbtls_groups13_facts
static const struct dbtls_field groups13_rows[] = {
    {.name = "preference",
     .kind = DBTLS_FK_ARRAY,
     .flags = REQ | DER,
     .conv = &dbtls_fc_str,
     .write = w_g13_preference,
     .desc = "the server's TLS 1.3 group pick order (tls.groups when probed with TLS 1.3)"},
    {.name = "post_quantum",
     .kind = DBTLS_FK_ARRAY,
     .flags = REQ | DER,
     .conv = &dbtls_fc_str,
     .write = w_g13_pq,
     .desc = "the post-quantum (ML-KEM hybrid or pure) groups among them"},
    {ARR("hrr_tested", hrr_tested, nhrr_tested, REQ), .conv = &dbtls_fc_group,
     .desc = "groups offered without a key share next to an x25519 one"},
    {ARR("hrr", hrr, nhrr, REQ), .conv = &dbtls_fc_group,
     .desc = "of those, the ones the server asked for by HelloRetryRequest"},
    {STR("note", note, REQ | NUL)},
};
#undef T
static const struct dbtls_ftable groups13_table = {ROWS(groups13_rows),
						   .size = sizeof(struct dbtls_groups13_facts)};

static void hygiene_init(void *base)
{
	struct dbtls_hygiene_facts *h = base;

	h->secure_renegotiation = h->extended_master_secret = h->encrypt_then_mac = -1;
	h->session_ticket = h->status_request = h->compression = h->heartbeat = -1;
	h->fallback_scsv = -1;
}

#define T struct dbtls_hygiene_facts
static const struct dbtls_field hygiene_rows[] = {
    {ENUM("probed_with", version, REQ, e_version)},
    {TRI("secure_renegotiation", secure_renegotiation, REQ)},
    {TRI("extended_master_secret", extended_master_secret, REQ)},
    {TRI("encrypt_then_mac", encrypt_then_mac, REQ),
     .desc = "null when no CBC suite is accepted (moot)"},
    {TRI("session_ticket", session_ticket, REQ)},
    {TRI("status_request", status_request, REQ)},
    {TRI("compression", compression, REQ), .desc = "DEFLATE accepted (CRIME)"},
    {TRI("heartbeat", heartbeat, REQ)},
    {TRI("fallback_scsv", fallback_scsv, REQ),
     .desc = "TLS_FALLBACK_SCSV honoured; null when there is no lower version to fall to"},
    {STR("fallback_detail", fallback_detail, REQ | NUL)},
};
#undef T
static const struct dbtls_ftable hygiene_table = {
    ROWS(hygiene_rows), .size = sizeof(struct dbtls_hygiene_facts), .init = hygiene_init};

static void client_auth_init(void *base)
{
	((struct dbtls_client_auth_facts *)base)->requested = -1;
}

#define T struct dbtls_client_auth_facts
static const struct dbtls_field client_auth_rows[] = {
    {TRI("requested", requested, REQ),
     .desc = "a CertificateRequest was sent; null when there was no flight to read it from"},
    {ARR("ca_names", ca_names, nca_names, REQ), .conv = &dbtls_fc_str,
     .desc = "certificate_authorities, RFC 2253: what a REQUIRE X509 account's certificate "
	     "must chain to"},
    {ARR("sigalgs", sigalgs, nsigalgs, REQ), .conv = &dbtls_fc_str},
};
#undef T
static const struct dbtls_ftable client_auth_table = {
    ROWS(client_auth_rows), .size = sizeof(struct dbtls_client_auth_facts),
    .init = client_auth_init};

#define T struct dbtls_sigalg_facts
static const struct dbtls_field sigalg_rows[] = {
    {ARR("tls12", tls12, ntls12, REQ), .conv = &dbtls_fc_str,
     .desc = "ServerKeyExchange signature schemes, in the server's pick order"},
    {ARR("tls13", tls13, ntls13, REQ | NUL), .conv = &dbtls_fc_str, G(tls13_probed),
     .desc = "CertificateVerify signature schemes (full handshakes); null when not probed"},
};
#undef T
static const struct dbtls_ftable sigalg_table = {ROWS(sigalg_rows),
						 .size = sizeof(struct dbtls_sigalg_facts)};

static bool n_no_dh(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !((const struct dbtls_vuln_facts *)base)->dh_bits;
}

static void vulns_init(void *base)
{
	struct dbtls_vuln_facts *v = base;

	v->heartbleed = v->ccs_injection = v->dh_prime_prime = v->dh_prime_safe = -1;
}

#define T struct dbtls_vuln_facts
static const struct dbtls_field vuln_rows[] = {
    {TRI("heartbleed", heartbleed, REQ), .desc = "CVE-2014-0160; null: the answer proved neither"},
    {STR("heartbleed_detail", heartbleed_detail, REQ | NUL)},
    {TRI("ccs_injection", ccs_injection, REQ), .desc = "CVE-2014-0224"},
    {STR("ccs_detail", ccs_detail, REQ | NUL)},
    {INT("dh_bits", dh_bits, REQ | NUL, 0, INT_MAX), .null = n_zero,
     .desc = "the DHE prime examined; null when no DHE suite is accepted"},
    {STR("dh_prime_name", dh_prime_name, REQ | NUL),
     .desc = "a published prime (RFC 2409/3526/7919), null otherwise"},
    {TRI("dh_prime_is_prime", dh_prime_prime, REQ), .null = n_no_dh},
    {TRI("dh_prime_is_safe", dh_prime_safe, REQ), .null = n_no_dh},
};
#undef T
static const struct dbtls_ftable vuln_table = {
    ROWS(vuln_rows), .size = sizeof(struct dbtls_vuln_facts), .init = vulns_init};

#define T struct dbtls_endpoint_facts
static const struct dbtls_field endpoint_rows[] = {
    {STR("target", target, REQ), .desc = "as given"},
    {STR("protocol", protocol, REQ)},
    {STR("host", host, REQ)},
    {INT("port", port, REQ, 0, UINT16_MAX)},
    {STR("address", address, REQ | NUL),
     .desc = "numeric address connected to; null when never resolved"},
    {STR("id", id, 0), .omit = o_null_ptr,
     .desc = "canonical endpoint id: SCHEME://HOST:PORT, and ?address=ADDR when this is one "
	     "of several addresses of the host name, each scanned as its own endpoint; what "
	     "deduplication, waivers, pins, diff, merge and the Prometheus target label key on"},
    {ARR("name_addresses", name_addresses, nname_addresses, 0), .conv = &dbtls_fc_str,
     .omit = o_no_name_addresses,
     .desc = "every address the host name resolved to, in the resolver's order (at most 8); "
	     "absent for an address literal"},
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
    {OBJ("alpn_probe", alpn_probe, DBTLS_F_OMIT, alpn_probe_table), G(alpn_probe.probed)},
    {OBJ("sql", sql, 0, sql_table), .omit = o_no_sql},
    {OBJ("groups_tls13", groups13, DBTLS_F_OMIT, groups13_table), G(groups13.probed)},
    {OBJ("hygiene", hygiene, DBTLS_F_OMIT, hygiene_table), G(hygiene.probed),
     .desc = "TLS <= 1.2 hygiene RFC 9325 asks for, from the enumeration's hellos offering every "
	     "extension in question (every scan)"},
    {OBJ("client_auth", client_auth, DBTLS_F_OMIT, client_auth_table), G(client_auth.probed)},
    {OBJ("sigalgs", sigalgs, DBTLS_F_OMIT, sigalg_table), G(sigalgs.probed)},
    {OBJ("vulnerabilities", vulns, DBTLS_F_OMIT, vuln_table), G(vulns.probed)},
    {ARR("clients", clients, nclients, 0), .sub = &client_sim_table, .omit = o_no_clients,
     .desc = "scan --clients: which client profiles would connect, with what, or why not"},
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

/* ---- files[] (dbtls audit) --------------------------------------------------------------------
 */

static const char *en_audit_kind(int v)
{
	return dbtls_audit_kind_name((enum dbtls_audit_kind)v);
}

static const char *en_key_format(int v)
{
	return dbtls_key_format_name((enum dbtls_key_format)v);
}

static const char *en_entry_type(int v)
{
	return dbtls_store_entry_type_name((enum dbtls_store_entry_type)v);
}

static const char *en_pw_source(int v)
{
	return dbtls_store_pw_source_name((enum dbtls_store_pw_source)v);
}

static const struct dbtls_fenum e_audit_kind = {
    en_audit_kind, DBTLS_AUDIT_UNKNOWN, DBTLS_AUDIT_OPENFIRE_PROPERTIES, DBTLS_AUDIT_UNKNOWN};
static const struct dbtls_fenum e_key_format = {en_key_format, DBTLS_KEYFMT_OTHER,
						DBTLS_KEYFMT_OPENSSH, DBTLS_KEYFMT_OTHER};
static const struct dbtls_fenum e_entry_type = {en_entry_type, DBTLS_STORE_PRIVATE_KEY,
						DBTLS_STORE_SECRET_KEY, DBTLS_STORE_PRIVATE_KEY};
static const struct dbtls_fenum e_pw_source = {en_pw_source, DBTLS_STOREPW_NOT_OPENED,
					       DBTLS_STOREPW_DEFAULT, DBTLS_STOREPW_NOT_OPENED};

#define T struct dbtls_audit_cert
static const struct dbtls_field audit_cert_rows[] = {
    {.name = "certificate", .kind = DBTLS_FK_INLINE, M(cert), .sub = &cert_table},
    {.name = "sha1_colon",
     .conv = &dbtls_fc_chars,
     .flags = REQ,
     M(sha1_colon),
     .desc = "SHA-1 fingerprint as keytool -list -v and openssl x509 -fingerprint print it"},
    {.name = "sha256_colon",
     .conv = &dbtls_fc_chars,
     .flags = REQ,
     M(sha256_colon),
     .desc = "SHA-256 fingerprint, upper-case hex with colons, to compare with a provider's "
	     "published value"},
    {.name = "spki_sha256", .conv = &dbtls_fc_fpr, .flags = REQ, M(spki_sha256)},
    {INT("line", line, REQ, 0, UINT_MAX), .desc = "line of the BEGIN armour; 0 when not PEM"},
};
#undef T
static const struct dbtls_ftable audit_cert_table = {
    .def = "audit_certificate", ROWS(audit_cert_rows), .size = sizeof(struct dbtls_audit_cert)};

#define T struct dbtls_audit_key
static const struct dbtls_field audit_key_rows[] = {
    {ENUM("format", format, REQ, e_key_format)},
    {STR("pem_label", pem_label, NUL)},
    {STR("type", type, NUL)},
    {INT("bits", bits, REQ, 0, INT_MAX)},
    {BOOL("encrypted", encrypted, REQ)},
    {INT("line", line, REQ, 0, UINT_MAX)},
    {STR("spki_sha256", spki_sha256, NUL)},
    {STR("matching_cert", matching_cert, NUL),
     .desc = "PATH:LINE of a certificate with the same public key, null if none"},
};
#undef T
static const struct dbtls_ftable audit_key_table = {ROWS(audit_key_rows),
						    .size = sizeof(struct dbtls_audit_key)};

#define T struct dbtls_audit_store_entry
static const struct dbtls_field audit_entry_rows[] = {
    {STR("alias", alias, REQ | NUL)},
    {ENUM("type", type, REQ, e_entry_type)},
    {.name = "created", .conv = &dbtls_fc_time, .flags = NUL, M(created), .null = n_zero},
    {STR("key_algorithm", key_algorithm, NUL)},
    {ARR("certs", certs, ncerts, REQ), .sub = &audit_cert_table},
};
#undef T
static const struct dbtls_ftable audit_entry_table = {
    ROWS(audit_entry_rows), .size = sizeof(struct dbtls_audit_store_entry)};

#define T struct dbtls_audit_store
static const struct dbtls_field audit_store_rows[] = {
    {STR("type", type, REQ | NUL)},
    {INT("version", version, 0, 0, UINT_MAX)},
    {ENUM("password_source", pw_source, REQ, e_pw_source),
     .desc = "where the password that opened the store came from; never the password"},
    {STR("password_ref", pw_ref, NUL)},
    {BOOL("integrity_ok", integrity_ok, REQ)},
    {BOOL("password_well_known", pw_well_known, REQ)},
    {BOOL("legacy_crypto", legacy_crypto, REQ)},
    {ARR("entries", entries, nentries, REQ), .sub = &audit_entry_table},
    {BOOL("entries_complete", entries_complete, 0)},
};
#undef T
static const struct dbtls_ftable audit_store_table = {ROWS(audit_store_rows),
						      .size = sizeof(struct dbtls_audit_store)};

#define T struct dbtls_audit_setting
static const struct dbtls_field audit_setting_rows[] = {
    {STR("name", name, REQ | NUL)},
    {STR("key", key, REQ | NUL)},
    {STR("value", value, REQ | NUL), .desc = "\"****\" when secret: a password is never written"},
    {STR("group", group, NUL)},
    {STR("file", file, NUL), .desc = "the included file it was read from; null: this file"},
    {INT("line", line, REQ, 0, UINT_MAX)},
    {BOOL("secret", secret, REQ)},
};
#undef T
static const struct dbtls_ftable audit_setting_table = {ROWS(audit_setting_rows),
							.size = sizeof(struct dbtls_audit_setting)};

#define T struct dbtls_audit_error
static const struct dbtls_field audit_error_rows[] = {
    {.name = "code", .conv = &dbtls_fc_errcode, .flags = REQ, M(code)},
    {STR("message", msg, REQ | NUL), .desc = "one line: FILE[:LINE]: reason"},
};
#undef T
static const struct dbtls_ftable audit_error_table = {ROWS(audit_error_rows),
						      .size = sizeof(struct dbtls_audit_error)};

static json_t *w_file_findings(const void *base, const struct dbtls_fw *cx)
{
	const struct dbtls_findings *fs =
	    cx->scan
		? dbtls_report_file_findings(
		      cx->eval, (size_t)((const struct dbtls_audit_file *)base - cx->scan->files))
		: cx->file_findings;
	json_t *arr = json_array();

	for (size_t i = 0; arr && fs && i < fs->n; i++)
		json_array_append_new(arr,
				      dbtls_fields_write(&dbtls_finding_table, &fs->items[i], cx));
	return arr;
}

static bool o_file_not_judged(const void *base, const struct dbtls_field *f,
			      const struct dbtls_fw *cx)
{
	return !cx->eval;
}

#define T struct dbtls_audit_file
static const struct dbtls_field audit_file_rows[] = {
    {STR("path", path, REQ)},
    {ENUM("kind", kind, REQ, e_audit_kind), .desc = "what the content is (never the name)"},
    {STR("referenced_by", referenced_by, NUL),
     .desc = "FILE:LINE NAME of the setting that named it (or ENDPOINT VARIABLE of a scan)"},
    {INT("size", size, REQ, 0, LLONG_MAX)},
    {.name = "mode", .conv = &dbtls_fc_mode, .flags = REQ, M(mode)},
    {INT("uid", uid, REQ, 0, UINT32_MAX)},
    {INT("gid", gid, REQ, 0, UINT32_MAX)},
    {STR("owner", owner, NUL)},
    {STR("group", group, NUL)},
    {ARR("keys", keys, nkeys, REQ), .sub = &audit_key_table},
    {ARR("certs", certs, ncerts, REQ), .sub = &audit_cert_table},
    {OBJ("store", store, NUL | DBTLS_F_PTR, audit_store_table), .null = n_zero,
     .desc = "JKS, JCEKS, PKCS#12; null for other files"},
    {ARR("settings", settings, nsettings, REQ), .sub = &audit_setting_table},
    {ARR("errors", errors, nerrors, REQ), .sub = &audit_error_table},
    {.name = "findings",
     .kind = DBTLS_FK_ARRAY,
     .flags = DER,
     .sub = &dbtls_finding_table,
     .omit = o_file_not_judged,
     .write = w_file_findings,
     .desc = "present when the audit was judged under a policy"},
};
#undef T
const struct dbtls_ftable dbtls_audit_file_table = {
    .def = "file", ROWS(audit_file_rows), .size = sizeof(struct dbtls_audit_file)};

/* only a file audit (dbtls audit, scan --audit-server-files) has files: scans stay as they were */
static bool o_no_files(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !((const struct dbtls_scan_facts *)base)->nfiles;
}

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
	const struct dbtls_report_counts *c = cx->counts;
	json_t *by = json_object();

	for (int i = DBTLS_NSEVERITIES - 1; i >= 0; i--)
		json_object_set_new(by, dbtls_severity_name((enum dbtls_severity)i),
				    json_integer((json_int_t)c->by_severity[i]));
	return json_pack("{s:o, s:I, s:{s:I, s:I, s:I, s:I}}", "findings", by, "waived",
			 (json_int_t)c->waived, "endpoints", "total", (json_int_t)c->total,
			 "passed",
			 (json_int_t)(cx->eval ? c->outcome[DBTLS_OUTCOME_PASSED]
					       : c->outcome[DBTLS_OUTCOME_SCANNED]),
			 "failed", (json_int_t)c->outcome[DBTLS_OUTCOME_FAILED], "errored",
			 (json_int_t)c->outcome[DBTLS_OUTCOME_ERRORED]);
}

/* CA rotation at a glance: how many endpoints are ready for the new bundle, and which are not
 * (not_ready counts those not checked as well: not_checked says how many). */
static bool rot_ready(const struct dbtls_endpoint_facts *e)
{
	return e->verification.rotation.checked && e->verification.rotation.ready;
}

static json_t *w_rot_ready(const void *base, const struct dbtls_fw *cx)
{
	return json_integer((json_int_t)cx->counts->rotation_ready);
}

static json_t *w_rot_not_ready(const void *base, const struct dbtls_fw *cx)
{
	return json_integer((json_int_t)cx->counts->rotation_not_ready);
}

static json_t *w_rot_not_checked(const void *base, const struct dbtls_fw *cx)
{
	return json_integer((json_int_t)cx->counts->rotation_not_checked);
}

static json_t *w_rot_targets(const void *base, const struct dbtls_fw *cx)
{
	const struct dbtls_scan_facts *s = base;
	json_t *targets = json_array();

	for (size_t i = 0; targets && cx->acc && i < cx->acc->nnot_ready; i++)
		json_array_append_new(targets, dbtls_fc_json_str(cx->acc->not_ready[i].target));
	for (size_t i = 0; targets && !cx->acc && i < s->nendpoints; i++)
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

/* The PCI DSS 4.0.1 inventory (reports/report_inventory.c builds it for text and HTML too):
 * written only when the scan is judged under a PCI DSS profile */
static bool o_no_inventory(const void *base, const struct dbtls_field *f, const struct dbtls_fw *cx)
{
	return !dbtls_report_inventory_wanted(cx->eval);
}

/* The kept endpoints of a row (the first DBTLS_INV_KEEP; endpoint_count has them all). */
static json_t *w_inv_targets(const struct dbtls_inv_eps *eps)
{
	json_t *a = json_array();

	for (size_t j = 0; a && j < eps->n && j < DBTLS_INV_KEEP; j++)
		json_array_append_new(a, dbtls_fc_json_str(eps->kept[j].target));
	return a;
}

static json_t *w_inventory_of(const struct dbtls_inventory *inv)
{
	json_t *suites = json_array(), *certs = json_array(), *o = NULL;
	const struct dbtls_field suite_f = {.size = sizeof(uint32_t)};

	for (int v = DBTLS_NVERSIONS - 1; v >= 0; v--)
		for (size_t j = 0; suites && j < inv->nsuites[v]; j++) {
			const struct dbtls_inv_suite *r = &inv->suites[v][j];

			json_array_append_new(
			    suites, json_pack("{s:s, s:o, s:o, s:I}", "version",
					      dbtls_version_name((enum dbtls_version)v), "suite",
					      dbtls_fc_suite.write(&r->suite, NULL, &suite_f),
					      "endpoints", w_inv_targets(&r->eps), "endpoint_count",
					      (json_int_t)r->eps.n));
		}
	for (size_t j = 0; certs && j < inv->ncerts; j++) {
		const struct dbtls_inv_cert *c = &inv->certs[j];

		json_array_append_new(
		    certs,
		    json_pack("{s:s, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:I}",
			      "position", c->leaf ? "leaf" : "chain", "subject",
			      dbtls_fc_json_str(c->subject), "issuer", dbtls_fc_json_str(c->issuer),
			      "key_type", dbtls_fc_json_str(c->key_type), "key_bits", c->key_bits,
			      "curve", dbtls_fc_json_str(c->curve), "signature_algorithm",
			      dbtls_fc_json_str(c->sig_alg), "serial", dbtls_fc_json_str(c->serial),
			      "not_before", dbtls_fc_json_str(c->not_before), "not_after",
			      dbtls_fc_json_str(c->not_after), "sha256_fingerprint", c->sha256,
			      "endpoints", w_inv_targets(&c->eps), "endpoint_count",
			      (json_int_t)c->eps.n));
	}
	if (suites && certs && !inv->oom)
		o = json_pack("{s:s, s:O, s:O}", "guideline", "PCI DSS v4.0.1",
			      "requirement_12_3_3", suites, "requirement_4_2_1_1", certs);
	json_decref(suites);
	json_decref(certs);
	return o;
}

/* A streamed document's inventory was gathered as its endpoints passed (cx->inv); a batch one
 * (dbtls_report_json_doc: the whole scan in hand, no acc) is gathered here, the same way. */
static json_t *w_inventory(const void *base, const struct dbtls_fw *cx)
{
	const struct dbtls_scan_facts *s = base;
	struct dbtls_inventory *own = NULL;
	json_t *o;

	if (cx->acc)
		return cx->inv ? w_inventory_of(cx->inv) : NULL;
	own = dbtls_inventory_new();
	for (size_t i = 0; own && i < s->nendpoints; i++)
		dbtls_inventory_add(own, &s->endpoints[i], i);
	o = own ? w_inventory_of(own) : NULL;
	dbtls_inventory_free(own);
	return o;
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

#define TARGETS                                                                                    \
	.name = "endpoints", .kind = DBTLS_FK_ARRAY, .flags = REQ | DER, .conv = &dbtls_fc_str
static const struct dbtls_field inv_suite_rows[] = {
    {.name = "version", .conv = &dbtls_fc_str, .flags = REQ | DER},
    {.name = "suite", .conv = &dbtls_fc_suite, .flags = REQ | DER},
    {TARGETS, .desc = "the first endpoints that accept it (at most 16, in scan order)"},
    {COUNT("endpoint_count"), .desc = "how many endpoints accept it"},
};
static const struct dbtls_ftable inv_suite_table = {ROWS(inv_suite_rows), .size = sizeof(T)};
static const struct dbtls_field inv_cert_rows[] = {
    {.name = "position",
     .conv = &dbtls_fc_str,
     .flags = REQ | DER,
     .desc = "leaf when some endpoint serves it as its leaf, else chain"},
    {STR("subject", tool_version, REQ | NUL | DER)},
    {STR("issuer", tool_version, REQ | NUL | DER)},
    {STR("key_type", tool_version, REQ | NUL | DER)},
    {COUNT("key_bits")},
    {STR("curve", tool_version, REQ | NUL | DER)},
    {STR("signature_algorithm", tool_version, REQ | NUL | DER)},
    {STR("serial", tool_version, REQ | NUL | DER)},
    {STR("not_before", tool_version, REQ | NUL | DER)},
    {STR("not_after", tool_version, REQ | NUL | DER)},
    {.name = "sha256_fingerprint", .conv = &dbtls_fc_fpr, .flags = REQ | DER},
    {TARGETS, .desc = "the first endpoints that serve it (at most 16, in scan order)"},
    {COUNT("endpoint_count"), .desc = "how many endpoints serve it"},
};
static const struct dbtls_ftable inv_cert_table = {ROWS(inv_cert_rows), .size = sizeof(T)};
static const struct dbtls_field inventory_rows[] = {
    {.name = "guideline", .conv = &dbtls_fc_str, .flags = REQ | DER},
    {.name = "requirement_12_3_3",
     .kind = DBTLS_FK_ARRAY,
     .flags = REQ | DER,
     .sub = &inv_suite_table,
     .desc = "protocols and cipher suites in use: each (version, suite) accepted, newest "
	     "version first"},
    {.name = "requirement_4_2_1_1",
     .kind = DBTLS_FK_ARRAY,
     .flags = REQ | DER,
     .sub = &inv_cert_table,
     .desc = "trusted keys and certificates served: each certificate once, by fingerprint"},
};
static const struct dbtls_ftable inventory_table = {ROWS(inventory_rows), .size = sizeof(T)};
#undef TARGETS

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
    {HERE("inventory", DER, inventory_table), .write = w_inventory, .omit = o_no_inventory,
     .desc = "the PCI DSS 4.0.1 inventory (Req. 12.3.3 protocols and suites in use, Req. "
	     "4.2.1.1 keys and certificates); present when judged under a pci-dss profile"},
    {ARR("files", files, nfiles, 0), .sub = &dbtls_audit_file_table, .omit = o_no_files,
     .desc = "the audited files (dbtls audit): keys, certificates, stores, settings, errors and "
	     "findings; absent when no file was audited"},
};
#undef T
const struct dbtls_ftable dbtls_report_table = {
    ROWS(report_rows), .size = sizeof(struct dbtls_scan_facts),
    .desc = "schema_version 1. The paths named in 'required' are a public contract that "
	    "monitoring keys on: they are only ever added to, never renamed or removed."};
