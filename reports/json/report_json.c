/* SPDX-License-Identifier: MIT */
/*
 * report_json.c — the JSON report: a versioned document whose paths are a public contract
 * (data/report.schema.json; README "Report format"). Paths are only ever added, never renamed.
 *
 * Built with jansson's reference-stealing setters (json_object_set_new) and released once at the
 * top, as STYLE.md asks.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"
#include "src/core/version.h"

static json_t *js_str(const char *s)
{
	/* facts hold bytes from the network; jansson refuses invalid UTF-8, so fall back to an
	 * escaped copy rather than dropping the field */
	json_t *j;
	char *esc, *o;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	esc = malloc(strlen(s) * 4 + 1);
	if (!esc)
		return json_null();
	o = esc;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80)
			*o++ = (char)*p;
		else
			o += sprintf(o, "\\x%02x", *p);
	}
	*o = 0;
	j = json_string(esc);
	free(esc);
	return j ? j : json_null();
}

static json_t *js_suite(uint32_t code)
{
	const struct dbtls_suite *s = dbtls_suite_lookup(code);
	char hex[16];

	snprintf(hex, sizeof(hex), code > 0xffff ? "0x%06X" : "0x%04X", code);
	return json_pack("{s:o, s:s, s:o}", "name", js_str(s ? s->iana_name : NULL), "code", hex,
			 "openssl_name", js_str(s ? s->openssl_name : NULL));
}

static json_t *js_versions(const struct dbtls_endpoint_facts *e)
{
	json_t *vs = json_object();
	const char *first_err = e->nerrors ? e->errors[0].message : "not probed";

	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &e->versions[v];
		enum dbtls_vstatus st = vf->status;
		const char *reason = vf->reason;
		json_t *o;

		/* the contract's statuses are accepted/rejected/error: a version never probed is
		 * rejected when the server offers no TLS, and an error when we never got that far
		 */
		if (st == DBTLS_VS_NOT_PROBED) {
			st = e->tls_offered == 0 ? DBTLS_VS_REJECTED : DBTLS_VS_ERROR;
			reason = e->tls_offered == 0 ? "server offers no TLS" : first_err;
		}
		o = json_pack("{s:s, s:o}", "status", dbtls_vstatus_name(st), "reason",
			      js_str(reason));
		if (st == DBTLS_VS_ACCEPTED && vf->cipher)
			json_object_set_new(o, "probe_cipher", js_suite(vf->cipher));
		if (st == DBTLS_VS_ACCEPTED) {
			json_t *suites = json_array();
			for (size_t i = 0; i < vf->nsuites; i++)
				json_array_append_new(suites, js_suite(vf->suites[i]));
			json_object_set_new(o, "suites", suites);
			json_object_set_new(o, "server_order",
					    vf->server_order < 0 ? json_null()
								 : json_boolean(vf->server_order));
		}
		json_object_set_new(vs, dbtls_version_name((enum dbtls_version)v), o);
	}
	return vs;
}

static json_t *js_tls(const struct dbtls_endpoint_facts *e)
{
	json_t *tls, *groups = json_array();

	for (size_t i = 0; i < e->ngroups; i++) {
		const char *name = dbtls_group_name(e->groups[i]);
		char hex[16];
		snprintf(hex, sizeof(hex), "0x%04X", e->groups[i]);
		json_array_append_new(groups, json_string(name ? name : hex));
	}
	tls = json_pack("{s:o, s:o, s:o}", "offered",
			e->tls_offered < 0 ? json_null() : json_boolean(e->tls_offered), "versions",
			js_versions(e), "groups", groups);
	if (tls && e->groups_version >= 0)
		json_object_set_new(
		    tls, "groups_probed_with",
		    json_string(dbtls_version_name((enum dbtls_version)e->groups_version)));
	if (tls)
		json_object_set_new(tls, "dh_bits",
				    e->dh_bits ? json_integer(e->dh_bits) : json_null());
	return tls;
}

static json_t *js_strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, js_str(v[i]));
	return a;
}

static json_t *js_key_usage(uint32_t ku)
{
	json_t *a = json_array();

	for (size_t i = 0; i < dbtls_nkey_usage_names; i++)
		if (ku & dbtls_key_usage_names[i].bit)
			json_array_append_new(a, json_string(dbtls_key_usage_names[i].name));
	return a;
}

static json_t *js_revocation(const struct dbtls_revocation *r)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "status",
			 dbtls_rev_status_name(r->status), "source", js_str(r->source),
			 "revoked_at", js_str(r->revoked_at), "reason", js_str(r->reason),
			 "this_update", js_str(r->this_update), "next_update",
			 js_str(r->next_update), "detail", js_str(r->detail));
}

static json_t *js_cert(const struct dbtls_cert *c)
{
	json_t *sans = json_array(), *o;

	for (size_t i = 0; i < c->nsans; i++)
		json_array_append_new(sans, js_str(c->sans[i]));
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:i, s:o, s:o, s:s, s:b, s:b, s:o}",
		      "subject", js_str(c->subject), "issuer", js_str(c->issuer), "sans", sans,
		      "serial", js_str(c->serial), "not_before", js_str(c->not_before), "not_after",
		      js_str(c->not_after), "days_left", (json_int_t)c->days_left, "key_type",
		      js_str(c->key_type), "key_bits", c->key_bits, "curve", js_str(c->curve),
		      "signature_algorithm", js_str(c->sig_alg), "sha256_fingerprint", c->sha256,
		      "self_signed", c->self_signed, "is_ca", c->is_ca, "pem", js_str(c->pem));
	if (!o)
		return NULL;
	/* absent extensions are null, not empty: "no EKU" allows any usage */
	json_object_set_new(o, "eku", c->has_eku ? js_strings(c->eku, c->neku) : json_null());
	json_object_set_new(o, "key_usage",
			    c->has_key_usage ? js_key_usage(c->key_usage) : json_null());
	json_object_set_new(o, "ocsp_url", js_str(c->ocsp_url));
	json_object_set_new(o, "crl_urls", js_strings(c->crl_urls, c->ncrl_urls));
	json_object_set_new(o, "revocation", js_revocation(&c->revocation));
	return o;
}

static json_t *js_server(const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_server_info *s = &e->server;
	json_t *o = json_object();
	char caps[16];

	if (s->greeting_seen) {
		json_object_set_new(o, "product", js_str(s->product));
		json_object_set_new(o, "version", js_str(s->version));
		if (e->protocol && !strcmp(e->protocol, "mysql")) {
			snprintf(caps, sizeof(caps), "0x%08X", s->capabilities);
			json_object_set_new(o, "protocol_version",
					    json_integer(s->protocol_version));
			json_object_set_new(o, "capabilities", json_string(caps));
			json_object_set_new(o, "connection_id", json_integer(s->connection_id));
		}
	}
	json_object_set_new(o, "tls_offered",
			    e->tls_offered < 0 ? json_null() : json_boolean(e->tls_offered));
	if (s->err_code)
		json_object_set_new(
		    o, "error",
		    json_pack("{s:i, s:o, s:o}", "code", s->err_code, "sqlstate",
			      js_str(s->err_sqlstate && *s->err_sqlstate ? s->err_sqlstate : NULL),
			      "message", js_str(s->err_message)));
	return o;
}

static json_t *js_chain(const struct dbtls_chain_facts *c)
{
	char na[32];

	if (!c->analysed)
		return json_null();
	dbtls_rfc3339(c->anchor_not_after, na, sizeof(na));
	return json_pack("{s:b, s:o, s:b, s:I, s:b, s:o, s:o, s:o, s:o}", "incomplete",
			 c->incomplete, "missing_issuer", js_str(c->missing_issuer), "misordered",
			 c->misordered, "extra", (json_int_t)c->extra, "anchor_served",
			 c->anchor_served, "anchor_subject", js_str(c->anchor_subject),
			 "anchor_sha256", js_str(c->anchor_sha256), "anchor_not_after",
			 c->anchor_not_after ? json_string(na) : json_null(), "anchor_days_left",
			 c->anchor_subject ? json_integer(c->anchor_days_left) : json_null());
}

static json_t *js_rotation(const struct dbtls_rotation_facts *r)
{
	if (!r->checked)
		return json_null();
	return json_pack("{s:b, s:b, s:o, s:o, s:o, s:o}", "checked", r->checked, "ready", r->ready,
			 "error", js_str(r->error), "anchor_subject", js_str(r->anchor_subject),
			 "anchor_sha256", js_str(r->anchor_sha256), "anchor_days_left",
			 r->anchor_subject ? json_integer(r->anchor_days_left) : json_null());
}

static json_t *js_verification(const struct dbtls_verification *v)
{
	json_t *o;

	if (!v->done)
		return json_null();
	o = json_pack("{s:b, s:b, s:o, s:i, s:o, s:o, s:o, s:o}", "ca_ok", v->ca_ok, "hostname_ok",
		      v->hostname_ok, "error", js_str(v->error), "verify_code", v->verify_code,
		      "hostname", js_str(v->hostname_checked), "ca_source", js_str(v->ca_source),
		      "protocol", js_str(v->protocol), "cipher", js_str(v->cipher));
	if (!o)
		return NULL;
	json_object_set_new(o, "stapled", json_boolean(v->stapled));
	json_object_set_new(o, "chain", js_chain(&v->chain));
	json_object_set_new(o, "rotation", js_rotation(&v->rotation));
	return o;
}

/* SQL facts (scan --sql): name → value objects keep the server's names; absent ones are null. */
static json_t *js_sql_values(const struct dbtls_sql_value *v, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++)
		if (v[i].name)
			json_object_set_new(o, v[i].name, js_str(v[i].value));
	return o;
}

static json_t *js_sql_conn(const struct dbtls_sql_conn *c)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id", (json_int_t)c->id,
			 "user", js_str(c->user), "host", js_str(c->host), "program",
			 js_str(c->program), "type", js_str(c->type), "tls_version",
			 js_str(c->tls_version), "cipher", js_str(c->cipher), "self", c->self);
}

static json_t *js_sql_account(const struct dbtls_sql_account *a)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b}", "user", js_str(a->user),
			 "host", js_str(a->host), "require", js_str(a->require), "issuer",
			 js_str(a->issuer), "subject", js_str(a->subject), "cipher",
			 js_str(a->cipher), "network", a->network, "locked", a->locked);
}

static json_t *js_sql(const struct dbtls_sql_facts *s)
{
	json_t *conns = json_array(), *accts = json_array(), *unread = json_array();
	bool tried = s->status == DBTLS_SQL_OK || s->status == DBTLS_SQL_FAILED;

	for (size_t i = 0; i < s->nconnections; i++)
		json_array_append_new(conns, js_sql_conn(&s->connections[i]));
	for (size_t i = 0; i < s->naccounts; i++)
		json_array_append_new(accts, js_sql_account(&s->accounts[i]));
	for (size_t i = 0; i < s->nunreadable; i++)
		json_array_append_new(
		    unread, json_pack("{s:o, s:o, s:I, s:o}", "what", js_str(s->unreadable[i].what),
				      "statement", js_str(s->unreadable[i].statement), "code",
				      (json_int_t)s->unreadable[i].code, "message",
				      js_str(s->unreadable[i].message)));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:o}, "
			 "s:{s:s, s:o, s:o}, s:o}",
			 "status", dbtls_sql_status_name(s->status), "reason", js_str(s->reason),
			 "error_code",
			 s->status == DBTLS_SQL_FAILED ? json_integer(s->error_code) : json_null(),
			 "verify_server_cert", tried ? json_boolean(s->verify_cert) : json_null(),
			 "ca_source", js_str(s->ca_source), "user", js_str(s->user), "account",
			 js_str(s->account), "server_version", js_str(s->server_version), "session",
			 js_sql_values(s->session, s->nsession), "variables",
			 js_sql_values(s->variables, s->nvariables), "connections", "status",
			 dbtls_sql_avail_name(s->connections_status), "list", conns, "accounts",
			 "status", dbtls_sql_avail_name(s->accounts_status), "source",
			 js_str(s->accounts_source), "list", accts, "unreadable", unread);
}

/* ---- handshake facts (src/scan/hsfacts.c): each object only when probed ---- */
static json_t *js_tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *js_group_names(const uint16_t *g, size_t n)
{
	json_t *a = json_array();
	char hex[16];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(dbtls_group_label(g[i], hex, sizeof(hex))));
	return a;
}

static json_t *js_groups13(const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_groups13_facts *g = &e->groups13;
	json_t *pq = json_array();
	char hex[16];

	for (size_t i = 0; e->groups_version == DBTLS_TLS13 && i < e->ngroups; i++)
		if (dbtls_group_is_pq(e->groups[i]))
			json_array_append_new(
			    pq, json_string(dbtls_group_label(e->groups[i], hex, sizeof(hex))));
	return json_pack(
	    "{s:o, s:o, s:o, s:o, s:o}", "preference",
	    e->groups_version == DBTLS_TLS13 ? js_group_names(e->groups, e->ngroups) : json_array(),
	    "post_quantum", pq, "hrr_tested", js_group_names(g->hrr_tested, g->nhrr_tested), "hrr",
	    js_group_names(g->hrr, g->nhrr), "note", js_str(g->note));
}

static json_t *js_hygiene(const struct dbtls_hygiene_facts *h)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "probed_with",
			 dbtls_version_name((enum dbtls_version)h->version), "secure_renegotiation",
			 js_tri(h->secure_renegotiation), "extended_master_secret",
			 js_tri(h->extended_master_secret), "encrypt_then_mac",
			 js_tri(h->encrypt_then_mac), "session_ticket", js_tri(h->session_ticket),
			 "status_request", js_tri(h->status_request), "compression",
			 js_tri(h->compression), "heartbeat", js_tri(h->heartbeat), "fallback_scsv",
			 js_tri(h->fallback_scsv), "fallback_detail", js_str(h->fallback_detail));
}

static json_t *js_client_auth(const struct dbtls_client_auth_facts *c)
{
	return json_pack("{s:o, s:o, s:o}", "requested", js_tri(c->requested), "ca_names",
			 js_strings(c->ca_names, c->nca_names), "sigalgs",
			 js_strings(c->sigalgs, c->nsigalgs));
}

static json_t *js_sigalgs(const struct dbtls_sigalg_facts *s)
{
	return json_pack("{s:o, s:o}", "tls12", js_strings(s->tls12, s->ntls12), "tls13",
			 s->tls13_probed ? js_strings(s->tls13, s->ntls13) : json_null());
}

static json_t *js_vulns(const struct dbtls_vuln_facts *v)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "heartbleed",
			 js_tri(v->heartbleed), "heartbleed_detail", js_str(v->heartbleed_detail),
			 "ccs_injection", js_tri(v->ccs_injection), "ccs_detail",
			 js_str(v->ccs_detail), "dh_bits",
			 v->dh_bits ? json_integer(v->dh_bits) : json_null(), "dh_prime_name",
			 js_str(v->dh_prime_name), "dh_prime_is_prime",
			 v->dh_bits ? js_tri(v->dh_prime_prime) : json_null(), "dh_prime_is_safe",
			 v->dh_bits ? js_tri(v->dh_prime_safe) : json_null());
}

/* Adds the handshake-facts objects that were probed to endpoint object o. */
static void js_handshake_facts(json_t *o, const struct dbtls_endpoint_facts *e)
{
	if (e->groups13.probed)
		json_object_set_new(o, "groups_tls13", js_groups13(e));
	if (e->hygiene.probed)
		json_object_set_new(o, "hygiene", js_hygiene(&e->hygiene));
	if (e->client_auth.probed)
		json_object_set_new(o, "client_auth", js_client_auth(&e->client_auth));
	if (e->sigalgs.probed)
		json_object_set_new(o, "sigalgs", js_sigalgs(&e->sigalgs));
	if (e->vulns.probed)
		json_object_set_new(o, "vulnerabilities", js_vulns(&e->vulns));
}

json_t *dbtls_report_json_finding(const struct dbtls_finding *fd)
{
	json_t *refs = json_array(), *o;

	for (const char *const *r = fd->references; r && *r; r++)
		json_array_append_new(refs, json_string(*r));
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "check", fd->check, "severity",
		      dbtls_severity_name(fd->severity), "title", js_str(fd->title), "evidence",
		      js_str(fd->evidence), "remediation", js_str(fd->remediation), "references",
		      refs, "waived", fd->waived);
	if (o && fd->waived)
		json_object_set_new(
		    o, "waiver",
		    json_pack("{s:o, s:o, s:o}", "reason", js_str(fd->waiver_reason), "owner",
			      js_str(fd->waiver_owner), "until", js_str(fd->waiver_until)));
	return o;
}

json_t *dbtls_report_json_endpoint(const struct dbtls_endpoint_facts *e,
				   const struct dbtls_findings *fs)
{
	json_t *errors = json_array(), *certs = json_array(), *o;

	for (size_t i = 0; i < e->nerrors; i++)
		json_array_append_new(errors, json_pack("{s:s, s:o, s:o}", "code",
							dbtls_errname(e->errors[i].code), "message",
							js_str(e->errors[i].message), "stage",
							js_str(e->errors[i].stage)));
	for (size_t i = 0; i < e->ncerts; i++)
		json_array_append_new(certs, js_cert(&e->certs[i]));
	o = json_pack("{s:o, s:o, s:o, s:i, s:o, s:o, s:i, s:I, s:o, s:o}", "target",
		      js_str(e->target), "protocol", js_str(e->protocol), "host", js_str(e->host),
		      "port", e->port, "address", js_str(e->address), "sni", js_str(e->sni),
		      "connections_used", e->connections_used, "duration_ms",
		      (json_int_t)(e->duration_s * 1000 + 0.5), "errors", errors, "server",
		      js_server(e));
	if (!o)
		return NULL;
	json_object_set_new(o, "tls", js_tls(e));
	json_object_set_new(o, "certificates", certs);
	json_object_set_new(o, "verification", js_verification(&e->verification));
	/* only with --sql: reports of scans without it stay as they were */
	if (e->sql.status != DBTLS_SQL_NOT_RUN)
		json_object_set_new(o, "sql", js_sql(&e->sql));
	js_handshake_facts(o, e);
	if (fs) {
		json_t *arr = json_array();
		for (size_t i = 0; i < fs->n; i++)
			json_array_append_new(arr, dbtls_report_json_finding(&fs->items[i]));
		json_object_set_new(o, "findings", arr);
	}
	return o;
}

static json_t *js_policy(const struct dbtls_evaluation *ev)
{
	const struct dbtls_policy *p = ev ? ev->policy : NULL;

	if (!p)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "name", js_str(p->name), "version",
			 js_str(p->version), "title", js_str(p->title), "guideline",
			 js_str(p->guideline), "source", js_str(p->source), "fail_on",
			 dbtls_severity_name(ev->fail_on));
}

/* Counts by severity (not waived) and endpoint outcomes. Without a policy every endpoint that was
 * scanned counts as passed. */
static json_t *js_summary(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev)
{
	json_t *by = json_object();
	size_t passed = 0, errored = 0;

	for (int i = DBTLS_NSEVERITIES - 1; i >= 0; i--)
		json_object_set_new(by, dbtls_severity_name((enum dbtls_severity)i),
				    json_integer(ev ? (json_int_t)ev->by_severity[i] : 0));
	for (size_t i = 0; !ev && i < s->nendpoints; i++) {
		if (dbtls_endpoint_scanned(&s->endpoints[i]))
			passed++;
		else
			errored++;
	}
	return json_pack(
	    "{s:o, s:I, s:{s:I, s:I, s:I, s:I}}", "findings", by, "waived",
	    (json_int_t)(ev ? ev->waived : 0), "endpoints", "total", (json_int_t)s->nendpoints,
	    "passed", (json_int_t)(ev ? ev->passed : passed), "failed",
	    (json_int_t)(ev ? ev->failed : 0), "errored", (json_int_t)(ev ? ev->errored : errored));
}

/* CA rotation at a glance: how many endpoints are ready for the new bundle, and which are not. */
static json_t *js_rotation_summary(const struct dbtls_scan_facts *s)
{
	json_t *targets;
	size_t ready = 0, not_ready = 0;

	if (!s->new_ca_file)
		return json_null();
	targets = json_array();
	for (size_t i = 0; i < s->nendpoints; i++) {
		const struct dbtls_rotation_facts *r = &s->endpoints[i].verification.rotation;
		if (r->checked && r->ready) {
			ready++;
		} else {
			not_ready++;
			json_array_append_new(targets, js_str(s->endpoints[i].target));
		}
	}
	return json_pack("{s:o, s:I, s:I, s:o}", "new_ca_file", js_str(s->new_ca_file), "ready",
			 (json_int_t)ready, "not_ready", (json_int_t)not_ready, "not_ready_targets",
			 targets);
}

/* The top-level document around eps (steals eps). */
static json_t *js_doc(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev,
		      json_t *eps)
{
	char started[32], finished[32];

	dbtls_rfc3339(s->started_at, started, sizeof(started));
	dbtls_rfc3339(s->finished_at, finished, sizeof(finished));
	return json_pack("{s:i, s:{s:s, s:s}, s:s, s:s, s:o, s:o, s:o, s:o}", "schema_version",
			 DBTLS_SCHEMA_VERSION, "tool", "name", "dbtls", "version",
			 s->tool_version ? s->tool_version : DBTLS_VERSION, "started_at", started,
			 "finished_at", finished, "policy", js_policy(ev), "summary",
			 js_summary(s, ev), "rotation", js_rotation_summary(s), "endpoints", eps);
}

json_t *dbtls_report_json_doc(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev)
{
	json_t *eps = json_array();

	for (size_t i = 0; i < s->nendpoints; i++)
		json_array_append_new(eps, dbtls_report_json_endpoint(
					       &s->endpoints[i], ev ? &ev->findings[i] : NULL));
	return js_doc(s, ev, eps);
}

static enum dbtls_err json_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	(void)s;
	ctx->priv = json_array();
	return ctx->priv ? DBTLS_OK : DBTLS_ERR_NOMEM;
}

static enum dbtls_err json_endpoint(struct dbtls_report_ctx *ctx,
				    const struct dbtls_endpoint_facts *e)
{
	json_t *o =
	    dbtls_report_json_endpoint(e, ctx->eval ? &ctx->eval->findings[ctx->index] : NULL);

	if (!o || json_array_append_new(ctx->priv, o))
		return DBTLS_ERR_NOMEM;
	return DBTLS_OK;
}

static enum dbtls_err json_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	enum dbtls_err err = DBTLS_OK;
	json_t *doc;

	if (!ctx->priv)
		return DBTLS_ERR_NOMEM;
	doc = js_doc(s, ctx->eval, ctx->priv);
	ctx->priv = NULL;
	if (!doc)
		return DBTLS_ERR_NOMEM;
	if (json_dumpf(doc, ctx->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', ctx->out) == EOF)
		err = DBTLS_ERR_FILE;
	json_decref(doc);
	return err;
}

const struct dbtls_report_writer dbtls_report_json = {
    .name = "json",
    .extension = ".json",
    .begin = json_begin,
    .endpoint = json_endpoint,
    .end = json_end,
    .help = "the full report, for machines (schema: data/report.schema.json)",
};
