/* SPDX-License-Identifier: MIT */
/*
 * report_text.c — the summary a person reads on a terminal in ten seconds: CA-rotation readiness
 * first when the scan was asked about it (--new-ca-file); per endpoint its verdict
 * (PASS/FAIL/ERROR under the policy), what the server is, which versions it accepts, the weak
 * suites by name (all suites are in the JSON and HTML reports), whether its certificate verifies
 * and when it expires, then the findings, most severe first; at the end the counts, the nearest
 * certificate expiry and one verdict line.
 *
 * Colour only when asked (a TTY without NO_COLOR / --no-color). Every string from the scan goes
 * through dbtls_esc_write(), so a server cannot put escape sequences, line breaks or invalid UTF-8
 * on the terminal.
 */
#include "reports/report.h"
#include "reports/report_util.h"

#include <stdlib.h>
#include <string.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"

#define C_RED	 "\033[31m"
#define C_GREEN	 "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD	 "\033[1m"
#define C_OFF	 "\033[0m"

#define TEXT_WEAK_NAMES	  4   /* weak suites named per version; the rest are counted */
#define TEXT_EVIDENCE_MAX 200 /* bytes of evidence shown per finding */

/* What no current guideline allows: export, anonymous, NULL, RC4, (3)DES, no forward secrecy. */
#define TEXT_WEAK                                                                                  \
	(DBTLS_PROP_EXPORT | DBTLS_PROP_ANON | DBTLS_PROP_NULL | DBTLS_PROP_RC4 | DBTLS_PROP_DES | \
	 DBTLS_PROP_3DES | DBTLS_PROP_NON_PFS)

/* Strings from the network reach a terminal here and only here. */
static void text_safe(FILE *out, const char *s)
{
	dbtls_esc_write(out, s, DBTLS_ESC_TEXT);
}

static const char *text_c(const struct dbtls_report_ctx *ctx, const char *code)
{
	return ctx->color ? code : "";
}

static const struct dbtls_findings *text_findings_of(const struct dbtls_report_ctx *ctx)
{
	return ctx->findings;
}

/* On a terminal (ctx->width) the report is gathered here and wrapped as it is written out. */
struct text_wrap {
	FILE *real; /* the caller's stream */
	FILE *mem;
	char *buf;
	size_t len;
};

/* ctx->priv: what the summary needs, gathered as the endpoints pass (the writer never reads
 * s->endpoints, so a streamed run works alike), and the spool of the endpoints when the
 * rotation summary must come before them. */
struct text_priv {
	struct text_wrap *tw; /* NULL: not wrapping */
	struct dbtls_report_acc acc;
	struct dbtls_inventory *inv; /* pci-dss profiles only */
	FILE *spool;		     /* --new-ca-file: the endpoints, written before the rotation */
	FILE *out;		     /* where the spool goes at the end */
};

/* CA rotation (scan --new-ca-file) is the question the person asked: it comes first. */
static void text_rotation(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s,
			  const struct dbtls_report_acc *a)
{
	if (!s->new_ca_file)
		return;
	fputs("CA rotation to ", ctx->out);
	text_safe(ctx->out, s->new_ca_file);
	fprintf(ctx->out, ": %zu of %zu endpoint%s ready", a->c.rotation_ready, a->c.total,
		a->c.total == 1 ? "" : "s");
	for (size_t i = 0; i < a->nnot_ready; i++) {
		fputs(i ? ", " : "; not ready: ", ctx->out);
		text_safe(ctx->out, a->not_ready[i].target);
		if (!a->not_ready[i].checked)
			fputs(" (not checked)", ctx->out);
	}
	fputs("\n\n", ctx->out);
}

static enum dbtls_err text_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct text_priv *tp = calloc(1, sizeof(*tp));
	struct text_wrap *tw = ctx->width > 0 ? calloc(1, sizeof(*tw)) : NULL;

	if (!tp) {
		free(tw);
		return DBTLS_ERR_NOMEM;
	}
	ctx->priv = tp;
	dbtls_report_acc_init(&tp->acc, s, ctx->eval);
	if (tw && (tw->mem = open_memstream(&tw->buf, &tw->len)) != NULL) {
		tw->real = ctx->out;
		ctx->out = tw->mem;
		tp->tw = tw;
	} else {
		free(tw); /* no memory to wrap: written as is */
	}
	if (dbtls_report_inventory_wanted(ctx->eval) && !(tp->inv = dbtls_inventory_new()))
		return DBTLS_ERR_NOMEM;
	if (s->new_ca_file) {
		tp->spool = dbtls_report_spool_new();
		if (!tp->spool)
			return DBTLS_ERR_FILE;
		tp->out = ctx->out;
		ctx->out = tp->spool;
	}
	return DBTLS_OK;
}

/* Columns one word takes: UTF-8 characters, ANSI colour sequences none. */
static size_t text_word_cols(const char *p, size_t n)
{
	size_t cols = 0, k;
	uint32_t cp;

	for (size_t i = 0; i < n; i += k) {
		if (p[i] == '\033') {
			for (k = 1; i + k < n && p[i + k - 1] != 'm'; k++)
				;
			continue;
		}
		k = dbtls_utf8_seq(p + i, &cp);
		k = k ? k : 1;
		cols++;
	}
	return cols;
}

/* Writes one line (without its newline) wrapped at spaces to width columns; a continuation is
 * indented two more than the line itself, and the alignment inside a line is kept. */
static void text_wrap_line(FILE *out, const char *p, size_t n, size_t width)
{
	size_t indent = strspn(p, " "), col = indent, i = indent;

	fwrite(p, 1, indent, out);
	while (i < n) {
		size_t sp = 0, wl, wc;

		while (i + sp < n && p[i + sp] == ' ')
			sp++;
		for (wl = 0; i + sp + wl < n && p[i + sp + wl] != ' '; wl++)
			;
		wc = text_word_cols(p + i + sp, wl);
		if (col > indent && col + sp + wc > width) {
			fprintf(out, "\n%*s", (int)(indent + 2), "");
			col = indent + 2;
		} else {
			fwrite(p + i, 1, sp, out);
			col += sp;
		}
		fwrite(p + i + sp, 1, wl, out);
		col += wc;
		i += sp + wl;
	}
	fputc('\n', out);
}

/* The end: the summary, then (on a terminal) the gathered report wrapped to ctx->width. */
static enum dbtls_err text_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s);
static enum dbtls_err text_finish(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	struct text_priv *tp = ctx->priv;
	struct text_wrap *tw = tp ? tp->tw : NULL;
	enum dbtls_err err = DBTLS_ERR_NOMEM;

	if (tp && tp->spool) {
		/* the rotation block first, then the endpoints written so far */
		ctx->out = tp->out;
		text_rotation(ctx, s, &tp->acc);
		err = dbtls_report_spool_copy(tp->spool, ctx->out) ? DBTLS_OK : DBTLS_ERR_FILE;
		fclose(tp->spool);
		tp->spool = NULL;
		if (!err)
			err = text_end(ctx, s);
	} else if (tp) {
		err = text_end(ctx, s);
	}
	if (tp) {
		dbtls_report_acc_free(&tp->acc);
		dbtls_inventory_free(tp->inv);
		free(tp);
	}
	ctx->priv = NULL;
	if (!tw)
		return err;
	ctx->out = tw->real;
	if (fclose(tw->mem) != 0 || !tw->buf) {
		err = err ? err : DBTLS_ERR_NOMEM;
	} else {
		for (const char *p = tw->buf, *e; *p; p = *e ? e + 1 : e) {
			e = strchr(p, '\n');
			if (!e)
				e = p + strlen(p);
			text_wrap_line(ctx->out, p, (size_t)(e - p), (size_t)ctx->width);
		}
	}
	free(tw->buf);
	free(tw);
	return err;
}

static const struct dbtls_suite *text_suite(uint32_t code)
{
	return dbtls_suite_lookup(code);
}

static void text_versions(struct dbtls_report_ctx *ctx, const struct dbtls_endpoint_facts *e)
{
	uint32_t weak_mask = TEXT_WEAK;
	FILE *o = ctx->out;

	if (ctx->eval && ctx->eval->policy)
		weak_mask |= ctx->eval->policy->params.forbidden_props;
	fprintf(o, "  versions:");
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &e->versions[v];
		/* SSLv2, SSLv3, TLS 1.0 and 1.1 are deprecated (RFC 6176, 7568, 8996) */
		bool weak = v <= DBTLS_TLS11;
		const char *mark = "?", *col = C_YELLOW;

		if (vf->status == DBTLS_VS_ACCEPTED) {
			mark = "yes";
			col = weak ? C_RED : C_GREEN;
		} else if (vf->status == DBTLS_VS_REJECTED) {
			mark = "no";
			col = "";
		} else if (vf->status == DBTLS_VS_ERROR) {
			mark = "error";
		}
		fprintf(o, " %s%s=%s%s", text_c(ctx, col),
			dbtls_version_name((enum dbtls_version)v), mark,
			*col ? text_c(ctx, C_OFF) : "");
	}
	fputc('\n', o);
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &e->versions[v];
		size_t nweak = 0, shown = 0;

		if (vf->status != DBTLS_VS_ACCEPTED || !vf->nsuites)
			continue;
		for (size_t i = 0; i < vf->nsuites; i++)
			nweak += (dbtls_suite_props(vf->suites[i]) & weak_mask) ||
				 !text_suite(vf->suites[i]);
		fprintf(o, "  %s: %zu suite%s, %s", dbtls_version_name((enum dbtls_version)v),
			vf->nsuites, vf->nsuites == 1 ? "" : "s",
			vf->server_order > 0	? "server's order"
			: vf->server_order == 0 ? "client's order (the server has none)"
						: "order unknown");
		if (nweak)
			fprintf(o, "; %s%zu weak%s:", text_c(ctx, C_YELLOW), nweak,
				text_c(ctx, C_OFF));
		for (size_t i = 0; i < vf->nsuites && shown < TEXT_WEAK_NAMES; i++) {
			const struct dbtls_suite *su = text_suite(vf->suites[i]);
			if (su && !(dbtls_suite_props(vf->suites[i]) & weak_mask))
				continue;
			fprintf(o, "%s %s", shown ? "," : "", su ? su->iana_name : "unknown suite");
			shown++;
		}
		if (nweak > shown)
			fprintf(o, " and %zu more", nweak - shown);
		fputc('\n', o);
	}
	if (e->ngroups) {
		fprintf(o, "  groups:");
		for (size_t i = 0; i < e->ngroups; i++) {
			char hex[8];
			fprintf(o, " %s", dbtls_group_label(e->groups[i], hex, sizeof(hex)));
		}
		fputc('\n', o);
	}
	if (e->dh_bits)
		fprintf(o, "  DHE prime: %d bits%s\n", e->dh_bits,
			e->dh_bits < 2048 ? " (weak)" : "");
}

#define TEXT_EVIDENCE_INDENT 11

/* Evidence under a finding: escaped, clipped, and on a terminal wrapped at spaces to ctx->width
 * (a word longer than a line is cut), every line indented alike. */
static void text_evidence(struct dbtls_report_ctx *ctx, const char *evidence)
{
	char *buf = NULL;
	size_t len = 0, room;
	FILE *m = ctx->width > TEXT_EVIDENCE_INDENT + 10 ? open_memstream(&buf, &len) : NULL;
	const char *p;

	fprintf(ctx->out, "%*s", TEXT_EVIDENCE_INDENT, "");
	if (!m) {
		dbtls_esc_write_clipped(ctx->out, evidence, TEXT_EVIDENCE_MAX, DBTLS_ESC_TEXT);
		fputc('\n', ctx->out);
		return;
	}
	dbtls_esc_write_clipped(m, evidence, TEXT_EVIDENCE_MAX, DBTLS_ESC_TEXT);
	if (fclose(m) != 0 || !buf) {
		free(buf);
		fputc('\n', ctx->out);
		return;
	}
	room = (size_t)(ctx->width - TEXT_EVIDENCE_INDENT);
	for (p = buf; *p;) {
		size_t cols = 0, n = 0, fit = 0, brk = 0;
		uint32_t cp;

		/* take characters while they fit; remember the last space */
		while (p[n] && cols < room) {
			size_t k = dbtls_utf8_seq(p + n, &cp);

			if (!k)
				k = 1;
			if (p[n] == ' ')
				brk = n;
			n += k;
			cols++;
		}
		fit = !p[n] || p[n] == ' ' || !brk ? n : brk;
		fwrite(p, 1, fit, ctx->out);
		fputc('\n', ctx->out);
		p += fit;
		p += strspn(p, " ");
		if (*p)
			fprintf(ctx->out, "%*s", TEXT_EVIDENCE_INDENT, "");
	}
	free(buf);
}

/* One finding: severity (or WAIVED), check id, title, and the evidence (clipped) under it. */
static void text_finding(struct dbtls_report_ctx *ctx, const struct dbtls_finding *fd)
{
	const char *sev = dbtls_severity_name(fd->severity);
	const char *col = fd->waived			     ? ""
			  : fd->severity >= DBTLS_SEV_HIGH   ? C_RED
			  : fd->severity >= DBTLS_SEV_MEDIUM ? C_YELLOW
							     : "";
	FILE *o = ctx->out;
	char up[16];
	size_t k;

	for (k = 0; k + 1 < sizeof(up) && sev[k]; k++)
		up[k] = (char)(sev[k] >= 'a' && sev[k] <= 'z' ? sev[k] - 'a' + 'A' : sev[k]);
	up[k] = 0;
	fprintf(o, "  %s%-8s%s ", text_c(ctx, col), fd->waived ? "WAIVED" : up,
		*col ? text_c(ctx, C_OFF) : "");
	text_safe(o, fd->check);
	fputs(": ", o);
	text_safe(o, fd->title);
	fputc('\n', o);
	if (fd->evidence && *fd->evidence)
		text_evidence(ctx, fd->evidence);
	if (fd->waived) {
		fprintf(o, "           waived until ");
		text_safe(o, fd->waiver_until);
		fputs(" by ", o);
		text_safe(o, fd->waiver_owner);
		fputs(": ", o);
		text_safe(o, fd->waiver_reason);
		fputc('\n', o);
	}
}

/* Findings, most severe first, waived ones last. */
static void text_findings(struct dbtls_report_ctx *ctx, const struct dbtls_findings *fs)
{
	for (int waived = 0; waived <= 1; waived++)
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
			for (size_t i = 0; i < fs->n; i++)
				if ((int)fs->items[i].severity == sev &&
				    (int)fs->items[i].waived == waived)
					text_finding(ctx, &fs->items[i]);
}

/* days: days_left (whole days, dbtls_days_between); not_after: when (0 unknown) */
static void text_days(struct dbtls_report_ctx *ctx, long days, time_t not_after)
{
	FILE *o = ctx->out;

	if (dbtls_report_expired(days, not_after))
		fprintf(o, "%sexpired %ld day%s ago%s", text_c(ctx, C_RED), -days,
			days == -1 ? "" : "s", text_c(ctx, C_OFF));
	else
		fprintf(o, "%s%ld day%s left%s", text_c(ctx, days < 30 ? C_YELLOW : ""), days,
			days == 1 ? "" : "s", text_c(ctx, days < 30 ? C_OFF : ""));
}

static void text_verdict(struct dbtls_report_ctx *ctx, enum dbtls_outcome oc)
{
	static const char *const word[] = {"PASS ", "FAIL ", "ERROR", "     "};
	static const char *const col[] = {C_GREEN, C_RED, C_YELLOW, ""};

	if (oc == DBTLS_OUTCOME_SCANNED)
		return;
	fprintf(ctx->out, "%s%s%s%s ", text_c(ctx, C_BOLD), text_c(ctx, col[oc]), word[oc],
		text_c(ctx, C_OFF));
}

static void text_chain(struct dbtls_report_ctx *ctx, const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_verification *vr = &e->verification;
	FILE *o = ctx->out;

	if (vr->done) {
		fprintf(o, "  handshake: ");
		text_safe(o, vr->protocol ? vr->protocol : "?");
		fputc(' ', o);
		text_safe(o, vr->cipher ? vr->cipher : "?");
		if (vr->alpn_offered) {
			fputs("; ALPN selected: ", o);
			text_safe(o, vr->alpn ? vr->alpn : "none");
		}
		if (e->alpn_hello_offered) {
			fputs(" (raw TLS 1.2 hello: ", o);
			text_safe(o, e->alpn_hello ? e->alpn_hello : "none");
			fputc(')', o);
		}
		fprintf(o, "\n  chain verifies (");
		text_safe(o, vr->ca_source ? vr->ca_source : "?");
		fprintf(o, "): %s%s%s", text_c(ctx, vr->ca_ok ? C_GREEN : C_RED),
			vr->ca_ok ? "yes" : "no", text_c(ctx, C_OFF));
		if (!vr->ca_ok && vr->error) {
			fputs(" (", o);
			text_safe(o, vr->error);
			fputc(')', o);
		}
		fprintf(o, "; host name ");
		text_safe(o, vr->hostname_checked ? vr->hostname_checked : "?");
		fprintf(o, " matches: %s%s%s\n", text_c(ctx, vr->hostname_ok ? C_GREEN : C_RED),
			vr->hostname_ok ? "yes" : "no", text_c(ctx, C_OFF));
	}
	for (size_t i = 0; i < e->ncerts; i++) {
		const struct dbtls_cert *c = &e->certs[i];

		fprintf(o, "  cert[%zu]: ", i);
		text_safe(o, c->subject);
		fputs(" — ", o);
		text_safe(o, c->key_type ? c->key_type : "?");
		fprintf(o, " %d bits, ", c->key_bits);
		text_safe(o, c->sig_alg ? c->sig_alg : "?");
		fputs(", expires ", o);
		text_safe(o, c->not_after ? c->not_after : "?");
		fputs(" (", o);
		text_days(ctx, c->days_left, c->not_after_t);
		fprintf(o, ")%s\n", c->self_signed ? ", self-signed" : "");
	}
}

/* scan --handshake-facts (and the ALPN probe, the session ticket): one line per group of facts */
static void text_hsfacts(struct dbtls_report_ctx *ctx, const struct dbtls_endpoint_facts *e)
{
	struct dbtls_report_lines l;

	dbtls_report_hsfacts(e, &l);
	for (size_t i = 0; i < l.n; i++) {
		fprintf(ctx->out, "  %s: %s", l.line[i].label,
			text_c(ctx, l.line[i].bad ? C_RED : ""));
		text_safe(ctx->out, l.line[i].value);
		fprintf(ctx->out, "%s\n", text_c(ctx, l.line[i].bad ? C_OFF : ""));
	}
	dbtls_report_lines_free(&l);
}

/* SQL facts (scan --sql) in three lines: the login and its session, the TLS settings, and what
 * was counted (connections by transport, accounts without TLS) or could not be read. */
/* scan --clients: one line per client profile (and config) */
static void text_clients(struct dbtls_report_ctx *ctx, const struct dbtls_endpoint_facts *e)
{
	FILE *o = ctx->out;

	if (!e->nclients)
		return;
	fputs("  clients:\n", o);
	for (size_t i = 0; i < e->nclients; i++) {
		const struct dbtls_client_sim *c = &e->clients[i];
		bool bad = strcmp(c->outcome, "fails") == 0;
		bool warn = strcmp(c->outcome, "connects") != 0 && !bad;

		fputs("    ", o);
		text_safe(o, c->client);
		fprintf(o, "%s%s: %s%s%s", c->in_use ? " (in use)" : "",
			strcmp(c->config, "current") ? " [proposed]" : "",
			text_c(ctx, bad	   ? C_RED
				    : warn ? C_YELLOW
					   : ""),
			c->outcome, text_c(ctx, bad || warn ? C_OFF : ""));
		if (c->version) {
			fputc(' ', o);
			text_safe(o, c->version);
		}
		if (c->suite) {
			fputc(' ', o);
			text_safe(o, c->suite);
		}
		if (c->group) {
			fputs(" (", o);
			text_safe(o, c->group);
			fputc(')', o);
		}
		if (c->reason) {
			fputs(": ", o);
			text_safe(o, c->reason);
		}
		fputc('\n', o);
	}
}

static void text_sql(struct dbtls_report_ctx *ctx, const struct dbtls_endpoint_facts *e)
{
	static const char *const shown[] = {"require_secure_transport", "tls_version", "ssl_cipher",
					    "version_ssl_library", NULL};
	const struct dbtls_sql_facts *s = &e->sql;
	size_t plain = 0, tls = 0, other = 0, open_accounts = 0;
	FILE *o = ctx->out;
	const char *v;

	if (s->status == DBTLS_SQL_NOT_RUN)
		return;
	if (s->status != DBTLS_SQL_OK) {
		fprintf(o,
			"  sql: %s%s%s: ", text_c(ctx, s->status == DBTLS_SQL_FAILED ? C_RED : ""),
			s->status == DBTLS_SQL_FAILED ? "login failed" : "not attempted",
			text_c(ctx, s->status == DBTLS_SQL_FAILED ? C_OFF : ""));
		text_safe(o, s->reason);
		fputc('\n', o);
		return;
	}
	fputs("  sql: logged in as ", o);
	text_safe(o, s->user ? s->user : "?");
	fputs(" (account ", o);
	text_safe(o, s->account ? s->account : "?");
	fprintf(o, "), certificate %s%s%s; session ", text_c(ctx, s->verify_cert ? "" : C_YELLOW),
		s->verify_cert ? "verified" : "NOT verified (--sql-insecure)",
		text_c(ctx, s->verify_cert ? "" : C_OFF));
	v = dbtls_sql_value_get(s->session, s->nsession, "Ssl_version", NULL);
	text_safe(o, v && *v ? v : "?");
	fputc(' ', o);
	v = dbtls_sql_value_get(s->session, s->nsession, "Ssl_cipher", NULL);
	text_safe(o, v && *v ? v : "?");
	fputs("\n      ", o);
	for (size_t i = 0; shown[i]; i++) {
		bool listed;

		v = dbtls_sql_value_get(s->variables, s->nvariables, shown[i], &listed);
		fprintf(o, "%s%s=", i ? ", " : "", shown[i]);
		text_safe(o, listed ? (v ? v : "(absent)") : "?");
	}
	fputs("\n      connections: ", o);
	if (s->connections_status == DBTLS_SQL_AV_READ) {
		for (size_t i = 0; i < s->nconnections; i++) {
			const char *t = s->connections[i].type;
			if (t && !strcmp(t, "TCP/IP"))
				plain++;
			else if (t && !strcmp(t, "SSL/TLS"))
				tls++;
			else
				other++;
		}
		fprintf(o, "%zu (%s%zu plain-text TCP%s, %zu TLS, %zu other)", s->nconnections,
			text_c(ctx, plain ? C_RED : ""), plain, text_c(ctx, plain ? C_OFF : ""),
			tls, other);
	} else {
		fputs(dbtls_sql_avail_name(s->connections_status), o);
	}
	fputs("; accounts: ", o);
	if (s->accounts_status == DBTLS_SQL_AV_READ) {
		for (size_t i = 0; i < s->naccounts; i++)
			open_accounts += s->accounts[i].network && !s->accounts[i].locked &&
					 s->accounts[i].require &&
					 !strcmp(s->accounts[i].require, "none");
		fprintf(o, "%zu, %zu from the network without TLS", s->naccounts, open_accounts);
	} else {
		fputs(dbtls_sql_avail_name(s->accounts_status), o);
	}
	for (size_t i = 0; i < s->nunreadable; i++) {
		fputs(i ? ", " : "; not readable: ", o);
		text_safe(o, s->unreadable[i].what);
		fprintf(o, " (error %u)", s->unreadable[i].code);
	}
	fputc('\n', o);
}

static enum dbtls_err text_endpoint(struct dbtls_report_ctx *ctx,
				    const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_findings *fs = text_findings_of(ctx);
	struct text_priv *tp = ctx->priv;
	FILE *o = ctx->out;

	dbtls_report_acc_add(&tp->acc, e, fs);
	if (tp->inv)
		dbtls_inventory_add(tp->inv, e, ctx->index);
	text_verdict(ctx,
		     dbtls_report_outcome(e, fs, ctx->eval ? ctx->eval->fail_on : DBTLS_SEV_HIGH));
	fprintf(o, "%s", text_c(ctx, C_BOLD));
	text_safe(o, e->target);
	fprintf(o, "%s (", text_c(ctx, C_OFF));
	text_safe(o, e->protocol);
	if (e->address) {
		fputc(' ', o);
		text_safe(o, e->address);
		fprintf(o, " port %u", e->port);
	}
	fprintf(o, ", %u connection%s, %.2f s)\n", e->connections_used,
		e->connections_used == 1 ? "" : "s", e->duration_s);
	if (e->server.greeting_seen && (e->server.product || e->server.version)) {
		fprintf(o, "  server: ");
		text_safe(o, e->server.product);
		fputc(' ', o);
		text_safe(o, e->server.version);
		fputc('\n', o);
	}
	if (e->server.xmpp.features_seen) {
		fprintf(o, "  xmpp: STARTTLS %s; SASL before TLS: ",
			!e->server.tls_offered		   ? "not offered"
			: e->server.xmpp.starttls_required ? "required"
							   : "optional");
		for (size_t i = 0; i < e->server.xmpp.nmechanisms; i++) {
			if (i)
				fputs(", ", o);
			text_safe(o, e->server.xmpp.mechanisms[i]);
		}
		fprintf(o, "%s\n", e->server.xmpp.nmechanisms ? "" : "none");
	}
	if (e->server.err_code) {
		fprintf(o, "  %sserver error %d%s", text_c(ctx, C_RED), e->server.err_code,
			e->server.err_sqlstate && *e->server.err_sqlstate ? " #" : "");
		text_safe(o, e->server.err_sqlstate);
		fputs(": ", o);
		text_safe(o, e->server.err_message);
		fprintf(o, "%s\n", text_c(ctx, C_OFF));
	}
	if (e->tls_offered == 0)
		fprintf(o, "  %sserver offers no TLS%s\n", text_c(ctx, C_RED), text_c(ctx, C_OFF));
	else if (e->tls_offered == 1)
		text_versions(ctx, e);
	text_chain(ctx, e);
	text_hsfacts(ctx, e);
	text_sql(ctx, e);
	text_clients(ctx, e);
	if (fs)
		text_findings(ctx, fs);
	for (size_t i = 0; i < e->nerrors; i++) {
		fprintf(o, "  %serror%s [", text_c(ctx, C_RED), text_c(ctx, C_OFF));
		text_safe(o, e->errors[i].stage ? e->errors[i].stage : "scan");
		fprintf(o, "] %s: ", dbtls_errname(e->errors[i].code));
		text_safe(o, e->errors[i].message);
		fputc('\n', o);
	}
	return DBTLS_OK;
}

/* "nearest expiry: TARGET cert[N] SUBJECT, 12 days left (2026-…)" over every served certificate. */
static void text_nearest_expiry(struct dbtls_report_ctx *ctx, const struct dbtls_report_acc *a)
{
	if (!a->nearest_set)
		return;
	fputs("nearest expiry: ", ctx->out);
	text_safe(ctx->out, a->nearest_target);
	fprintf(ctx->out, " cert[%zu] ", a->nearest_pos);
	text_safe(ctx->out, a->nearest_subject);
	fputs(", ", ctx->out);
	text_days(ctx, a->nearest_days_left, a->nearest_not_after_t);
	fputs(" (", ctx->out);
	text_safe(ctx->out, a->nearest_not_after);
	fputs(")\n", ctx->out);
}

/* One audited file: verdict, path, kind, mode and owner, what it holds, its findings. */
static void text_file(struct dbtls_report_ctx *ctx, const struct dbtls_audit_file *f,
		      const struct dbtls_findings *fs)
{
	FILE *o = ctx->out;

	text_verdict(
	    ctx, dbtls_report_file_outcome(f, fs, ctx->eval ? ctx->eval->fail_on : DBTLS_SEV_HIGH));
	text_safe(o, f->path);
	fprintf(o, "  %s, mode %04o, ", dbtls_audit_kind_name(f->kind), f->mode);
	text_safe(o, f->owner ? f->owner : "?");
	fputc(':', o);
	text_safe(o, f->group ? f->group : "?");
	fputc('\n', o);
	if (f->referenced_by) {
		fputs("  named by ", o);
		text_safe(o, f->referenced_by);
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->nkeys; i++) {
		fprintf(o, "  key: %s %s", dbtls_key_format_name(f->keys[i].format),
			f->keys[i].type ? f->keys[i].type : "?");
		if (f->keys[i].bits)
			fprintf(o, " %d", f->keys[i].bits);
		fputs(f->keys[i].encrypted ? ", encrypted" : "", o);
		if (f->keys[i].matching_cert) {
			fputs(", matches ", o);
			text_safe(o, f->keys[i].matching_cert);
		}
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->ncerts; i++) {
		fputs("  cert: ", o);
		text_safe(o, f->certs[i].cert.subject ? f->certs[i].cert.subject : "?");
		fputs(", ", o);
		text_days(ctx, f->certs[i].cert.days_left, f->certs[i].cert.not_after_t);
		fputs(", SHA-256 ", o);
		text_safe(o, f->certs[i].sha256_colon);
		fputc('\n', o);
	}
	if (f->store) {
		fprintf(o, "  store: %s, %zu entr%s, password %s%s\n",
			f->store->type ? f->store->type : "?", f->store->nentries,
			f->store->nentries == 1 ? "y" : "ies",
			dbtls_store_pw_source_name(f->store->pw_source),
			f->store->pw_well_known ? " (a well-known default)" : "");
		for (size_t e = 0; e < f->store->nentries; e++) {
			const struct dbtls_audit_store_entry *en = &f->store->entries[e];

			fputs("    ", o);
			text_safe(o, en->alias ? en->alias : "?");
			fprintf(o, " %s", dbtls_store_entry_type_name(en->type));
			if (en->ncerts) {
				fputs(" ", o);
				text_safe(o, en->certs[0].cert.subject ? en->certs[0].cert.subject
								       : "?");
				fputs(" SHA-256 ", o);
				text_safe(o, en->certs[0].sha256_colon);
			}
			fputc('\n', o);
		}
	}
	if (f->nsettings)
		fprintf(o, "  %zu setting%s\n", f->nsettings, f->nsettings == 1 ? "" : "s");
	for (size_t i = 0; i < f->nerrors; i++) {
		fprintf(o, "  %serror%s ", text_c(ctx, C_YELLOW), text_c(ctx, C_OFF));
		text_safe(o, f->errors[i].msg);
		fputc('\n', o);
	}
	if (fs)
		text_findings(ctx, fs);
}

static void text_files(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	if (!s->nfiles)
		return;
	fprintf(ctx->out, "\n%sFILES%s\n", text_c(ctx, C_BOLD), text_c(ctx, C_OFF));
	for (size_t i = 0; i < s->nfiles; i++) {
		fputc('\n', ctx->out);
		text_file(ctx, &s->files[i], dbtls_report_file_findings(ctx->eval, i));
	}
}

static enum dbtls_err text_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	const struct dbtls_evaluation *ev = ctx->eval;
	struct text_priv *tp = ctx->priv;
	struct dbtls_report_counts c;

	dbtls_report_acc_finish(&tp->acc, s, ev);
	c = tp->acc.c;
	text_files(ctx, s);
	fputc('\n', ctx->out);
	/* "scanned" are the endpoints the scan got through to; "with errors" every one that
	 * lacks some fact for a reason its errors give (dbtls_report_counts) */
	if (c.not_reached)
		fprintf(ctx->out,
			"%zu of %zu endpoints scanned (%zu not reached), %zu with errors\n",
			c.reached, c.total, c.not_reached, c.with_errors);
	else if (c.total || !c.files)
		fprintf(ctx->out, "%zu endpoint%s scanned, %zu with errors\n", c.total,
			c.total == 1 ? "" : "s", c.with_errors);
	if (c.files)
		fprintf(ctx->out, "%zu file%s audited, %zu with errors\n", c.files,
			c.files == 1 ? "" : "s", c.files_with_errors);
	if (s->interrupted)
		fprintf(ctx->out,
			"%sinterrupted%s: the run was stopped (SIGINT/SIGTERM); %zu endpoint%s not "
			"finished (INTERRUPTED errors)\n",
			text_c(ctx, C_YELLOW), text_c(ctx, C_OFF), tp->acc.unfinished,
			tp->acc.unfinished == 1 ? "" : "s");
	text_nearest_expiry(ctx, &tp->acc);
	if (ev && ev->policy) {
		fputs("policy ", ctx->out);
		text_safe(ctx->out, ev->policy->name);
		fputc(' ', ctx->out);
		text_safe(ctx->out, ev->policy->version);
		fputc(':', ctx->out);
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
			fprintf(ctx->out, " %zu %s%s", c.by_severity[sev],
				dbtls_severity_name((enum dbtls_severity)sev), sev ? "," : "");
		if (c.waived)
			fprintf(ctx->out, " (%zu waived)", c.waived);
		fprintf(ctx->out, "; endpoints: %zu passed, %zu failed (findings at or above %s",
			c.outcome[DBTLS_OUTCOME_PASSED], c.outcome[DBTLS_OUTCOME_FAILED],
			dbtls_severity_name(ev->fail_on));
		if (c.failed_with_errors)
			fprintf(ctx->out, "; %zu of them with errors too", c.failed_with_errors);
		fprintf(ctx->out, "), %zu errored", c.outcome[DBTLS_OUTCOME_ERRORED]);
		if (c.files)
			fprintf(ctx->out, "; files: %zu passed, %zu failed, %zu errored",
				c.files_outcome[DBTLS_OUTCOME_PASSED],
				c.files_outcome[DBTLS_OUTCOME_FAILED],
				c.files_outcome[DBTLS_OUTCOME_ERRORED]);
		fputc('\n', ctx->out);
		text_verdict(ctx, c.outcome[DBTLS_OUTCOME_FAILED] ||
					  c.files_outcome[DBTLS_OUTCOME_FAILED]
				      ? DBTLS_OUTCOME_FAILED
				  : c.outcome[DBTLS_OUTCOME_ERRORED] ||
					  c.files_outcome[DBTLS_OUTCOME_ERRORED]
				      ? DBTLS_OUTCOME_ERRORED
				      : DBTLS_OUTCOME_PASSED);
		if (c.total || !c.files)
			fprintf(ctx->out, "%zu of %zu endpoint%s failed, %zu with errors%s",
				c.outcome[DBTLS_OUTCOME_FAILED], c.total, c.total == 1 ? "" : "s",
				c.with_errors, c.files ? "; " : "\n");
		if (c.files)
			fprintf(ctx->out, "%zu of %zu file%s failed, %zu with errors\n",
				c.files_outcome[DBTLS_OUTCOME_FAILED], c.files,
				c.files == 1 ? "" : "s", c.files_with_errors);
		if (tp->inv)
			dbtls_inventory_write(ctx->out, tp->inv);
	}
	return DBTLS_OK;
}

const struct dbtls_report_writer dbtls_report_text = {
    .name = "text",
    .extension = ".txt",
    .begin = text_begin,
    .endpoint = text_endpoint,
    .end = text_finish,
    .help = "a short summary for people",
};
