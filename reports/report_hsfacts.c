/* SPDX-License-Identifier: MIT */
/*
 * report_hsfacts.c — what else the handshake tells, as "label: value" lines for the writers that
 * are read by people (text and HTML): the ALPN probe, the session ticket, the TLS 1.3 group
 * preference and post-quantum groups, TLS 1.2 hygiene, the client-certificate request, the
 * signature schemes and the Heartbleed / CCS / DHE-prime results (scan --handshake-facts). JSON
 * has the same facts from the field table; this only words them once, so that text and HTML say
 * the same thing. Values are plain text, unescaped: each writer escapes them its own way (strings
 * such as CA names come from the network). A fact that could not be told is said to be unknown,
 * never "no".
 */
#include "reports/report_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/names.h"

static const char *hf_tri(int v, const char *yes, const char *no)
{
	return v > 0 ? yes : v == 0 ? no : "unknown";
}

static void hf_groups(FILE *m, const uint16_t *g, size_t n)
{
	char hex[8];

	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s%s", i ? ", " : "", dbtls_group_label(g[i], hex, sizeof(hex)));
	if (!n)
		fputs("none", m);
}

static void hf_strs(FILE *m, char *const *v, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s%s", i ? sep : "", v[i] ? v[i] : "?");
	if (!n)
		fputs("none", m);
}

/* Appends one line (label borrowed, static; the text of m, new) to out; false when full / OOM. */
static bool hf_add(struct dbtls_report_lines *out, const char *label, bool bad, FILE *m, char **buf)
{
	struct dbtls_report_line *l;

	if (fclose(m) || !*buf)
		return false;
	if (out->n == sizeof(out->line) / sizeof(out->line[0])) {
		free(*buf);
		return false;
	}
	l = &out->line[out->n++];
	l->label = label;
	l->bad = bad;
	l->value = *buf;
	*buf = NULL;
	return true;
}

static void hf_alpn(struct dbtls_report_lines *out, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_alpn_probe *a = &e->alpn_probe;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!a->probed || !(m = open_memstream(&buf, &len)))
		return;
	fprintf(m, "\"%s\" %s", a->protocol ? a->protocol : "?",
		dbtls_alpn_outcome_name(a->outcome));
	if (a->outcome == DBTLS_ALPN_OTHER && a->selected)
		fprintf(m, " (the server selected \"%s\")", a->selected);
	if (a->required)
		fputs("; its clients need it selected", m);
	if (a->detail)
		fprintf(m, " (%s)", a->detail);
	hf_add(out, "ALPN probe",
	       a->outcome == DBTLS_ALPN_REFUSED || a->outcome == DBTLS_ALPN_OTHER ||
		   (a->required && a->outcome == DBTLS_ALPN_IGNORED),
	       m, &buf);
}

static void hf_ticket(struct dbtls_report_lines *out, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_ticket_facts *t = &e->verification.ticket;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!e->verification.done || !t->probed || !(m = open_memstream(&buf, &len)))
		return;
	if (t->issued > 0 && t->lifetime_s == 0)
		fputs("issued, lifetime hint 0 (unspecified)", m);
	else if (t->issued > 0)
		fprintf(m, "issued, lifetime hint %ld s (%.1f h)", t->lifetime_s,
			(double)t->lifetime_s / 3600.0);
	else if (t->issued == 0)
		fputs("not issued", m);
	else
		fputs("unknown: none arrived in the short read after the TLS 1.3 handshake", m);
	hf_add(out, "session ticket", t->issued > 0 && t->lifetime_s > 604800, m, &buf);
}

static void hf_groups13(struct dbtls_report_lines *out, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_groups13_facts *g = &e->groups13;
	char *buf = NULL;
	size_t len = 0, npq = 0;
	FILE *m;

	if (!g->probed || !(m = open_memstream(&buf, &len)))
		return;
	if (e->groups_version == DBTLS_TLS13) {
		fputs("preference ", m);
		hf_groups(m, e->groups, e->ngroups);
		fputs("; post-quantum ", m);
		for (size_t i = 0; i < e->ngroups; i++)
			if (dbtls_group_is_pq(e->groups[i])) {
				char hex[8];
				fprintf(m, "%s%s", npq++ ? ", " : "",
					dbtls_group_label(e->groups[i], hex, sizeof(hex)));
			}
		if (!npq)
			fputs("none", m);
	} else {
		fputs("preference not probed with TLS 1.3", m);
	}
	if (g->nhrr_tested) {
		fputs("; HelloRetryRequest asked for ", m);
		hf_groups(m, g->hrr, g->nhrr);
		fputs(" (tested ", m);
		hf_groups(m, g->hrr_tested, g->nhrr_tested);
		fputc(')', m);
	}
	if (g->note)
		fprintf(m, "; %s", g->note);
	hf_add(out, "TLS 1.3 groups", false, m, &buf);
}

static void hf_hygiene(struct dbtls_report_lines *out, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_hygiene_facts *h = &e->hygiene;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!h->probed || !(m = open_memstream(&buf, &len)))
		return;
	fprintf(m, "%s: secure renegotiation %s; extended master secret %s; encrypt-then-MAC %s",
		dbtls_version_name((enum dbtls_version)h->version),
		hf_tri(h->secure_renegotiation, "yes", "no"),
		hf_tri(h->extended_master_secret, "yes", "no"),
		h->encrypt_then_mac < 0 ? "n/a (no CBC suite) or unknown"
					: hf_tri(h->encrypt_then_mac, "yes", "no"));
	fprintf(m, "; session ticket %s; OCSP stapling %s; compression %s; heartbeat %s",
		hf_tri(h->session_ticket, "yes", "no"), hf_tri(h->status_request, "yes", "no"),
		hf_tri(h->compression, "DEFLATE accepted", "none"),
		hf_tri(h->heartbeat, "negotiated", "no"));
	fprintf(m, "; TLS_FALLBACK_SCSV %s",
		h->fallback_scsv < 0 ? "untestable (no lower version) or unknown"
				     : hf_tri(h->fallback_scsv, "honoured", "ignored"));
	if (h->fallback_detail)
		fprintf(m, " (%s)", h->fallback_detail);
	hf_add(out, "TLS 1.2 hygiene",
	       h->secure_renegotiation == 0 || h->compression > 0 || h->extended_master_secret == 0,
	       m, &buf);
}

static void hf_client_auth(struct dbtls_report_lines *out, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_client_auth_facts *c = &e->client_auth;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!c->probed || !(m = open_memstream(&buf, &len)))
		return;
	fputs(c->requested > 0	  ? "requested"
	      : c->requested == 0 ? "not requested"
				  : "unknown (no TLS 1.2 flight to read it from)",
	      m);
	if (c->requested > 0) {
		fputs("; CA names: ", m);
		hf_strs(m, c->ca_names, c->nca_names, " | ");
		fputs("; signature algorithms: ", m);
		hf_strs(m, c->sigalgs, c->nsigalgs, ", ");
	}
	hf_add(out, "client certificate", false, m, &buf);
}

static void hf_sigalgs(struct dbtls_report_lines *out, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_sigalg_facts *s = &e->sigalgs;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!s->probed || !(m = open_memstream(&buf, &len)))
		return;
	fputs("TLS 1.2 ", m);
	hf_strs(m, s->tls12, s->ntls12, ", ");
	fputs("; TLS 1.3 ", m);
	if (s->tls13_probed)
		hf_strs(m, s->tls13, s->ntls13, ", ");
	else
		fputs("not probed", m);
	hf_add(out, "signature algorithms", false, m, &buf);
}

static void hf_vulns(struct dbtls_report_lines *out, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_vuln_facts *v = &e->vulns;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!v->probed || !(m = open_memstream(&buf, &len)))
		return;
	fprintf(m, "Heartbleed %s", hf_tri(v->heartbleed, "VULNERABLE", "no"));
	if (v->heartbleed_detail)
		fprintf(m, " (%s)", v->heartbleed_detail);
	fprintf(m, "; CCS injection %s", hf_tri(v->ccs_injection, "VULNERABLE", "no"));
	if (v->ccs_detail)
		fprintf(m, " (%s)", v->ccs_detail);
	if (!v->dh_bits) {
		fputs("; DHE prime: no DHE suite accepted", m);
	} else {
		fprintf(m, "; DHE prime %d bits", v->dh_bits);
		if (v->dh_prime_name)
			fprintf(m, ", %s", v->dh_prime_name);
		fprintf(m, ", %s, %s", hf_tri(v->dh_prime_prime, "prime", "COMPOSITE"),
			hf_tri(v->dh_prime_safe, "safe prime", "not a safe prime"));
	}
	hf_add(out, "handshake vulnerabilities",
	       v->heartbleed > 0 || v->ccs_injection > 0 || (v->dh_bits && v->dh_prime_prime == 0),
	       m, &buf);
}

void dbtls_report_hsfacts(const struct dbtls_endpoint_facts *e, struct dbtls_report_lines *out)
{
	memset(out, 0, sizeof(*out));
	hf_alpn(out, e);
	hf_ticket(out, e);
	hf_groups13(out, e);
	hf_hygiene(out, e);
	hf_client_auth(out, e);
	hf_sigalgs(out, e);
	hf_vulns(out, e);
}

void dbtls_report_lines_free(struct dbtls_report_lines *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i].value);
	memset(l, 0, sizeof(*l));
}
