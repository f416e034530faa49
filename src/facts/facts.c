/* SPDX-License-Identifier: MIT */
/*
 * facts.c — names for the enums in facts.h, and the destructors of the fact tree.
 * The fact tree is plain data: each string is heap-owned by the struct that holds it.
 */
#include "src/facts/facts.h"
#include "src/facts/audit.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	uint16_t code;
} version_tab[DBTLS_NVERSIONS] = {
    [DBTLS_SSL2] = {"SSLv2", 0x0002},	 [DBTLS_SSL3] = {"SSLv3", 0x0300},
    [DBTLS_TLS10] = {"TLSv1.0", 0x0301}, [DBTLS_TLS11] = {"TLSv1.1", 0x0302},
    [DBTLS_TLS12] = {"TLSv1.2", 0x0303}, [DBTLS_TLS13] = {"TLSv1.3", 0x0304},
};

const char *dbtls_version_name(enum dbtls_version v)
{
	return (unsigned)v < DBTLS_NVERSIONS ? version_tab[v].name : "unknown";
}

uint16_t dbtls_version_code(enum dbtls_version v)
{
	return (unsigned)v < DBTLS_NVERSIONS ? version_tab[v].code : 0;
}

bool dbtls_version_from_code(uint16_t code, enum dbtls_version *v)
{
	for (int i = 0; i < DBTLS_NVERSIONS; i++) {
		if (version_tab[i].code == code) {
			*v = (enum dbtls_version)i;
			return true;
		}
	}
	return false;
}

const char *dbtls_vstatus_name(enum dbtls_vstatus s)
{
	switch (s) {
	case DBTLS_VS_ACCEPTED:
		return "accepted";
	case DBTLS_VS_REJECTED:
		return "rejected";
	case DBTLS_VS_ERROR:
		return "error";
	case DBTLS_VS_NOT_PROBED:
		break;
	}
	return "not_probed";
}

bool dbtls_endpoint_scanned(const struct dbtls_endpoint_facts *f)
{
	return f->nerrors == 0 && f->tls_offered >= 0;
}

char *dbtls_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void dbtls_rfc3339(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, outlen, "1970-01-01T00:00:00Z");
}

long dbtls_days_between(time_t from, time_t to)
{
	/* in long long: time_t differences of far-apart certificate dates must not overflow, and
	 * C division truncates toward zero, which is the rule */
	return (long)(((long long)to - (long long)from) / 86400);
}

const struct dbtls_key_usage_name dbtls_key_usage_names[] = {
    {0x0080, "digitalSignature"}, {0x0040, "nonRepudiation"}, {0x0020, "keyEncipherment"},
    {0x0010, "dataEncipherment"}, {0x0008, "keyAgreement"},   {0x0004, "keyCertSign"},
    {0x0002, "cRLSign"},	  {0x0001, "encipherOnly"},   {0x8000, "decipherOnly"},
};
const size_t dbtls_nkey_usage_names =
    sizeof(dbtls_key_usage_names) / sizeof(dbtls_key_usage_names[0]);

const char *dbtls_rev_status_name(enum dbtls_rev_status st)
{
	switch (st) {
	case DBTLS_REV_GOOD:
		return "good";
	case DBTLS_REV_REVOKED:
		return "revoked";
	case DBTLS_REV_UNKNOWN:
		return "unknown";
	case DBTLS_REV_UNAVAILABLE:
		return "unavailable";
	case DBTLS_REV_NOT_APPLICABLE:
		return "not_applicable";
	case DBTLS_REV_NOT_CHECKED:
		break;
	}
	return "not_checked";
}

static void revocation_free(struct dbtls_revocation *r)
{
	if (!r)
		return;
	free(r->source);
	free(r->revoked_at);
	free(r->reason);
	free(r->this_update);
	free(r->next_update);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

void dbtls_cert_free(struct dbtls_cert *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->neku; i++)
		free(c->eku[i]);
	free(c->eku);
	free(c->ocsp_url);
	for (size_t i = 0; i < c->ncrl_urls; i++)
		free(c->crl_urls[i]);
	free(c->crl_urls);
	revocation_free(&c->revocation);
	free(c->subject);
	free(c->issuer);
	for (size_t i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	free(c->sans);
	free(c->serial);
	free(c->not_before);
	free(c->not_after);
	free(c->key_type);
	free(c->curve);
	free(c->sig_alg);
	free(c->pem);
	memset(c, 0, sizeof(*c));
}

void dbtls_server_info_free(struct dbtls_server_info *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->xmpp.nmechanisms; i++)
		free(s->xmpp.mechanisms[i]);
	free(s->xmpp.mechanisms);
	free(s->product);
	free(s->version);
	free(s->err_sqlstate);
	free(s->err_message);
	memset(s, 0, sizeof(*s));
}

void dbtls_verification_free(struct dbtls_verification *v)
{
	if (!v)
		return;
	free(v->error);
	free(v->hostname_checked);
	free(v->ca_source);
	free(v->protocol);
	free(v->cipher);
	free(v->alpn);
	free(v->chain.missing_issuer);
	free(v->chain.anchor_subject);
	free(v->chain.anchor_sha256);
	free(v->rotation.error);
	free(v->rotation.anchor_subject);
	free(v->rotation.anchor_sha256);
	free(v->public_trust.anchor);
	free(v->public_trust.store);
	free(v->public_trust.detail);
	memset(v, 0, sizeof(*v));
}

const char *dbtls_sql_status_name(enum dbtls_sql_status s)
{
	switch (s) {
	case DBTLS_SQL_OK:
		return "ok";
	case DBTLS_SQL_FAILED:
		return "failed";
	case DBTLS_SQL_SKIPPED:
		return "skipped";
	case DBTLS_SQL_NOT_RUN:
		break;
	}
	return "not_run";
}

const char *dbtls_alpn_outcome_name(enum dbtls_alpn_outcome o)
{
	switch (o) {
	case DBTLS_ALPN_SELECTED:
		return "selected";
	case DBTLS_ALPN_IGNORED:
		return "ignored";
	case DBTLS_ALPN_REFUSED:
		return "refused";
	case DBTLS_ALPN_OTHER:
		return "other";
	case DBTLS_ALPN_UNKNOWN:
		return "unknown";
	case DBTLS_ALPN_NOT_PROBED:
	default:
		return "not_probed";
	}
}

const char *dbtls_sql_avail_name(enum dbtls_sql_avail a)
{
	switch (a) {
	case DBTLS_SQL_AV_READ:
		return "read";
	case DBTLS_SQL_AV_DISABLED:
		return "disabled";
	case DBTLS_SQL_AV_UNREADABLE:
		return "not_readable";
	case DBTLS_SQL_AV_NOT_COLLECTED:
		break;
	}
	return "not_collected";
}

const char *dbtls_sql_value_get(const struct dbtls_sql_value *vals, size_t n, const char *name,
				bool *listed)
{
	for (size_t i = 0; i < n; i++) {
		if (vals[i].name && strcasecmp(vals[i].name, name) == 0) {
			if (listed)
				*listed = true;
			return vals[i].value;
		}
	}
	if (listed)
		*listed = false;
	return NULL;
}

static void sql_values_free(struct dbtls_sql_value *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void dbtls_sql_facts_free(struct dbtls_sql_facts *s)
{
	if (!s)
		return;
	free(s->reason);
	free(s->user);
	free(s->account);
	free(s->ca_source);
	free(s->server_version);
	sql_values_free(s->session, s->nsession);
	sql_values_free(s->variables, s->nvariables);
	for (size_t i = 0; i < s->nconnections; i++) {
		struct dbtls_sql_conn *c = &s->connections[i];
		free(c->user);
		free(c->host);
		free(c->program);
		free(c->type);
		free(c->tls_version);
		free(c->cipher);
		free(c->database);
	}
	free(s->connections);
	free(s->accounts_source);
	for (size_t i = 0; i < s->naccounts; i++) {
		struct dbtls_sql_account *a = &s->accounts[i];
		free(a->user);
		free(a->host);
		free(a->require);
		free(a->issuer);
		free(a->subject);
		free(a->cipher);
		free(a->plugin);
		free(a->database);
		free(a->method);
	}
	free(s->accounts);
	for (size_t i = 0; i < s->nunreadable; i++) {
		free(s->unreadable[i].what);
		free(s->unreadable[i].statement);
		free(s->unreadable[i].message);
	}
	free(s->unreadable);
	free(s->option_file.path);
	memset(s, 0, sizeof(*s));
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The handshake facts (groups13, hygiene, client_auth, sigalgs, vulns). */
static void handshake_facts_free(struct dbtls_endpoint_facts *f)
{
	free(f->groups13.hrr_tested);
	free(f->groups13.hrr);
	free(f->groups13.note);
	free(f->hygiene.fallback_detail);
	strv_free(f->client_auth.ca_names, f->client_auth.nca_names);
	strv_free(f->client_auth.sigalgs, f->client_auth.nsigalgs);
	strv_free(f->sigalgs.tls12, f->sigalgs.ntls12);
	strv_free(f->sigalgs.tls13, f->sigalgs.ntls13);
	free(f->vulns.heartbleed_detail);
	free(f->vulns.ccs_detail);
	free(f->vulns.dh_prime_name);
}

void dbtls_client_sim_free(struct dbtls_client_sim *c)
{
	if (!c)
		return;
	free(c->client);
	free(c->config);
	free(c->outcome);
	free(c->version);
	free(c->suite);
	free(c->group);
	free(c->reason);
	memset(c, 0, sizeof(*c));
}

void dbtls_endpoint_facts_free(struct dbtls_endpoint_facts *f)
{
	if (!f)
		return;
	free(f->target);
	free(f->protocol);
	free(f->host);
	free(f->sni);
	free(f->address);
	free(f->id);
	for (size_t i = 0; i < f->nname_addresses; i++)
		free(f->name_addresses[i]);
	free(f->name_addresses);
	free(f->pipeline_fallback);
	dbtls_server_info_free(&f->server);
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		free(f->versions[v].reason);
		free(f->versions[v].suites);
	}
	free(f->groups);
	free(f->alpn_hello);
	for (size_t i = 0; i < f->ncerts; i++)
		dbtls_cert_free(&f->certs[i]);
	free(f->certs);
	dbtls_verification_free(&f->verification);
	free(f->alpn_probe.protocol);
	free(f->alpn_probe.selected);
	free(f->alpn_probe.detail);
	dbtls_sql_facts_free(&f->sql);
	handshake_facts_free(f);
	for (size_t i = 0; i < f->nclients; i++)
		dbtls_client_sim_free(&f->clients[i]);
	free(f->clients);
	for (size_t i = 0; i < f->nerrors; i++) {
		free(f->errors[i].message);
		free(f->errors[i].stage);
	}
	free(f->errors);
	memset(f, 0, sizeof(*f));
}

void dbtls_scan_facts_free(struct dbtls_scan_facts *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nendpoints; i++)
		dbtls_endpoint_facts_free(&s->endpoints[i]);
	free(s->endpoints);
	for (size_t i = 0; i < s->nfiles; i++)
		dbtls_audit_file_free(&s->files[i]);
	free(s->files);
	free(s->tool_version);
	free(s->new_ca_file);
	memset(s, 0, sizeof(*s));
}

enum dbtls_err dbtls_facts_add_error(struct dbtls_endpoint_facts *f, enum dbtls_err code,
				     const char *stage, const char *message)
{
	struct dbtls_error_fact *e;

	e = realloc(f->errors, (f->nerrors + 1) * sizeof(*e));
	if (!e)
		return DBTLS_ERR_NOMEM;
	f->errors = e;
	e = &f->errors[f->nerrors];
	e->code = code;
	e->stage = dbtls_strdup(stage);
	e->message = dbtls_strdup(message && *message ? message : dbtls_strerror(code));
	if ((stage && !e->stage) || !e->message) {
		free(e->stage);
		free(e->message);
		return DBTLS_ERR_NOMEM;
	}
	f->nerrors++;
	return DBTLS_OK;
}

char *dbtls_endpoint_id(const char *scheme, const char *host, uint16_t port)
{
	size_t hl = host ? strlen(host) : 0, sl = scheme ? strlen(scheme) : 0;
	bool v6 = host && strchr(host, ':');
	char *id, *o;

	if (hl && host[hl - 1] == '.')
		hl--;
	id = malloc(sl + hl + 16);
	if (!id)
		return NULL;
	o = id;
	for (size_t i = 0; i < sl; i++)
		*o++ = (char)tolower((unsigned char)scheme[i]);
	o += sprintf(o, "://%s", v6 ? "[" : "");
	for (size_t i = 0; i < hl; i++)
		*o++ = (char)tolower((unsigned char)host[i]);
	sprintf(o, "%s:%u", v6 ? "]" : "", (unsigned)port);
	return id;
}

#define ID_ADDR_SEP "?address="

char *dbtls_endpoint_id_addr(const char *scheme, const char *host, uint16_t port, const char *addr)
{
	char *base = dbtls_endpoint_id(scheme, host, port), *id;
	size_t bl, al;

	if (!base || !addr)
		return base;
	bl = strlen(base);
	al = strlen(addr);
	id = realloc(base, bl + sizeof(ID_ADDR_SEP) + al);
	if (!id) {
		free(base);
		return NULL;
	}
	memcpy(id + bl, ID_ADDR_SEP, sizeof(ID_ADDR_SEP) - 1);
	for (size_t i = 0; i <= al; i++)
		id[bl + sizeof(ID_ADDR_SEP) - 1 + i] = (char)tolower((unsigned char)addr[i]);
	return id;
}

char *dbtls_endpoint_facts_id(const struct dbtls_endpoint_facts *f)
{
	return f->id ? strdup(f->id) : dbtls_endpoint_id(f->protocol, f->host, f->port);
}

bool dbtls_endpoint_id_matches(const char *want, const char *id)
{
	const char *q;

	if (!want || !id)
		return false;
	if (!strcmp(want, id))
		return true;
	q = strstr(id, ID_ADDR_SEP);
	return q && !strchr(want, '?') && strlen(want) == (size_t)(q - id) &&
	       !strncmp(want, id, (size_t)(q - id));
}

/* The schemes a target may name and their default ports (src/wire/preamble/ owns the protocols;
 * facts may not include it, so test_facts checks that both say the same). */
static const struct {
	const char *scheme;
	uint16_t port;
} facts_schemes[] = {
    {"mysql", 3306},	       {"tls", 443},	{"xmpp", 5222},
    {"xmpp-server", 5269},     {"xmpps", 5223}, {"postgres", 5432},
    {"postgres+direct", 5432},
};

uint16_t dbtls_scheme_default_port(const char *scheme)
{
	for (size_t i = 0; scheme && i < sizeof(facts_schemes) / sizeof(facts_schemes[0]); i++)
		if (strcasecmp(scheme, facts_schemes[i].scheme) == 0)
			return facts_schemes[i].port;
	return 0;
}

bool dbtls_addr_canon(const char *a, char *out, size_t outlen)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET, a, bin) == 1)
		return inet_ntop(AF_INET, bin, out, (socklen_t)outlen) != NULL;
	if (inet_pton(AF_INET6, a, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, (socklen_t)outlen) != NULL;
	return false;
}

static enum dbtls_err id_parse(const char *s, const char *addr, char **out);

enum dbtls_err dbtls_endpoint_id_parse(const char *s, char **out)
{
	const char *q = strstr(s, ID_ADDR_SEP);
	char head[512], addr[64];
	size_t hl;

	*out = NULL;
	if (!q)
		return id_parse(s, NULL, out);
	hl = (size_t)(q - s);
	if (hl >= sizeof(head) ||
	    !dbtls_addr_canon(q + sizeof(ID_ADDR_SEP) - 1, addr, sizeof(addr)))
		return DBTLS_ERR_INPUT;
	memcpy(head, s, hl);
	head[hl] = 0;
	if (hl && head[hl - 1] == '/') /* "db1:3306/?address=…" as a URL may write it */
		head[hl - 1] = 0;
	return id_parse(head, addr, out);
}

static enum dbtls_err id_parse(const char *s, const char *addr, char **out)
{
	const char *rest = s, *sep = strstr(s, "://"), *portstr = NULL, *hend;
	char scheme[16] = "mysql", host[256];
	uint16_t port;
	size_t hl;

	*out = NULL;
	if (sep) {
		if (sep == s || (size_t)(sep - s) >= sizeof(scheme))
			return DBTLS_ERR_INPUT;
		memcpy(scheme, s, (size_t)(sep - s));
		scheme[sep - s] = 0;
		rest = sep + 3;
	}
	port = dbtls_scheme_default_port(scheme);
	if (!port)
		return DBTLS_ERR_INPUT;
	if (*rest == '[') {
		hend = strchr(rest, ']');
		if (!hend)
			return DBTLS_ERR_INPUT;
		rest++;
		if (hend[1] == ':')
			portstr = hend + 2;
		else if (hend[1] && strcmp(hend + 1, "/"))
			return DBTLS_ERR_INPUT;
	} else {
		const char *colon = strchr(rest, ':');
		hend = rest + strcspn(rest, "/");
		/* one colon separates the port; more are a bare IPv6 literal without one */
		if (colon && !strchr(colon + 1, ':')) {
			hend = colon;
			portstr = colon + 1;
		} else if (*hend && strcmp(hend, "/")) {
			return DBTLS_ERR_INPUT;
		}
	}
	hl = (size_t)(hend - rest);
	if (!hl || hl >= sizeof(host))
		return DBTLS_ERR_INPUT;
	memcpy(host, rest, hl);
	host[hl] = 0;
	if (portstr) {
		char *end;
		unsigned long p;
		if (*portstr < '0' || *portstr > '9')
			return DBTLS_ERR_INPUT;
		p = strtoul(portstr, &end, 10);
		if ((*end && strcmp(end, "/")) || p == 0 || p > 65535)
			return DBTLS_ERR_INPUT;
		port = (uint16_t)p;
	}
	if (addr && dbtls_addr_canon(host, (char[64]){0}, 64))
		return DBTLS_ERR_INPUT; /* an address literal has no addresses to choose from */
	*out = dbtls_endpoint_id_addr(scheme, host, port, addr);
	return *out ? DBTLS_OK : DBTLS_ERR_NOMEM;
}
