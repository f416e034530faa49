/* SPDX-License-Identifier: MIT */
/*
 * report_text.c — the short summary a person reads on a terminal: one block per endpoint with
 * what the server is, which versions it accepts, and whether its certificate verifies.
 * Colour only when asked (a TTY without NO_COLOR / --no-color).
 */
#include "report.h"

#include <string.h>

#include "../src/hello.h"
#include "../src/suites.h"

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

/* Strings from the network reach a terminal here: never let them carry control sequences. */
static void text_safe(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static const char *text_c(const struct dbtls_report_ctx *ctx, const char *code)
{
	return ctx->color ? code : "";
}

static enum dbtls_err text_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	(void)ctx;
	(void)s;
	return DBTLS_OK;
}

static void text_versions(struct dbtls_report_ctx *ctx, const struct dbtls_endpoint_facts *e)
{
	FILE *o = ctx->out;

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
		fprintf(o, " %s%s=%s%s", text_c(ctx, col), dbtls_version_name((enum dbtls_version)v),
			mark, *col ? text_c(ctx, C_OFF) : "");
	}
	fputc('\n', o);
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		const struct dbtls_version_facts *vf = &e->versions[v];
		if (vf->status != DBTLS_VS_ACCEPTED || !vf->nsuites)
			continue;
		fprintf(o, "  %s: %zu suite%s, %s\n", dbtls_version_name((enum dbtls_version)v),
			vf->nsuites, vf->nsuites == 1 ? "" : "s",
			vf->server_order > 0    ? "server's order"
			: vf->server_order == 0 ? "client's order (the server has none)"
						: "order unknown");
		for (size_t i = 0; i < vf->nsuites; i++) {
			const struct dbtls_suite *s = vf->suites[i] > 0xffff
							      ? dbtls_suite_by_sslv2(vf->suites[i])
							      : dbtls_suite_by_code((uint16_t)vf->suites[i]);
			/* what no current guideline allows: export, anonymous, NULL, RC4, (3)DES, no PFS */
			bool weak = s && ((s->flags & (DBTLS_SF_EXPORT | DBTLS_SF_ANON | DBTLS_SF_NULL |
						       DBTLS_SF_RC4 | DBTLS_SF_DES | DBTLS_SF_3DES |
						       DBTLS_SF_SSLV2)) ||
					  !(s->flags & DBTLS_SF_PFS));
			fprintf(o, "    %s%s%s\n", text_c(ctx, weak ? C_YELLOW : ""),
				s ? s->iana_name : "unknown suite", text_c(ctx, weak ? C_OFF : ""));
		}
	}
	if (e->ngroups) {
		fprintf(o, "  groups:");
		for (size_t i = 0; i < e->ngroups; i++) {
			const char *g = dbtls_group_name(e->groups[i]);
			fprintf(o, " %s", g ? g : "?");
		}
		fputc('\n', o);
	}
	if (e->dh_bits)
		fprintf(o, "  DHE prime: %d bits%s\n", e->dh_bits, e->dh_bits < 2048 ? " (weak)" : "");
}

/* Findings, most severe first: severity, check id, title, and the evidence under it. */
static void text_findings(struct dbtls_report_ctx *ctx, const struct dbtls_findings *fs)
{
	FILE *o = ctx->out;

	for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--) {
		for (size_t i = 0; i < fs->n; i++) {
			const struct dbtls_finding *fd = &fs->items[i];
			const char *col = sev >= DBTLS_SEV_HIGH ? C_RED
					  : sev >= DBTLS_SEV_MEDIUM ? C_YELLOW
								    : "";
			char up[16];
			size_t k;

			if ((int)fd->severity != sev)
				continue;
			for (k = 0; k + 1 < sizeof(up) && dbtls_severity_name(fd->severity)[k]; k++)
				up[k] = (char)(dbtls_severity_name(fd->severity)[k] - 'a' + 'A');
			up[k] = 0;
			if (fd->waived)
				col = "";
			fprintf(o, "  %s%-8s%s %s: ", text_c(ctx, col), fd->waived ? "WAIVED" : up,
				*col ? text_c(ctx, C_OFF) : "", fd->check);
			text_safe(o, fd->title);
			fputc('\n', o);
			if (fd->evidence && *fd->evidence) {
				fprintf(o, "           ");
				text_safe(o, fd->evidence);
				fputc('\n', o);
			}
			if (fd->waived) {
				fprintf(o, "           waived until %s by ", fd->waiver_until);
				text_safe(o, fd->waiver_owner);
				fprintf(o, ": ");
				text_safe(o, fd->waiver_reason);
				fputc('\n', o);
			}
		}
	}
}

static enum dbtls_err text_endpoint(struct dbtls_report_ctx *ctx,
				    const struct dbtls_endpoint_facts *e)
{
	const struct dbtls_verification *vr = &e->verification;
	FILE *o = ctx->out;

	fprintf(o, "%s", text_c(ctx, C_BOLD));
	text_safe(o, e->target);
	fprintf(o, "%s (%s", text_c(ctx, C_OFF), e->protocol);
	if (e->address)
		fprintf(o, " %s port %u", e->address, e->port);
	fprintf(o, ", %u connections, %.2f s)\n", e->connections_used, e->duration_s);
	if (e->server.greeting_seen) {
		fprintf(o, "  server: ");
		text_safe(o, e->server.product);
		fputc(' ', o);
		text_safe(o, e->server.version);
		fputc('\n', o);
	}
	if (e->server.err_code) {
		fprintf(o, "  %sserver error %d%s%s: ", text_c(ctx, C_RED), e->server.err_code,
			e->server.err_sqlstate && *e->server.err_sqlstate ? " #" : "",
			e->server.err_sqlstate ? e->server.err_sqlstate : "");
		text_safe(o, e->server.err_message);
		fprintf(o, "%s\n", text_c(ctx, C_OFF));
	}
	if (e->tls_offered == 0)
		fprintf(o, "  %sserver offers no TLS%s\n", text_c(ctx, C_RED), text_c(ctx, C_OFF));
	else if (e->tls_offered == 1)
		text_versions(ctx, e);
	if (vr->done) {
		fprintf(o, "  handshake: %s %s\n", vr->protocol ? vr->protocol : "?",
			vr->cipher ? vr->cipher : "?");
		fprintf(o, "  chain verifies (%s): %s%s%s", vr->ca_source ? vr->ca_source : "?",
			text_c(ctx, vr->ca_ok ? C_GREEN : C_RED), vr->ca_ok ? "yes" : "no",
			text_c(ctx, C_OFF));
		if (!vr->ca_ok && vr->error)
			fprintf(o, " (%s)", vr->error);
		fprintf(o, "; host name %s matches: %s%s%s\n",
			vr->hostname_checked ? vr->hostname_checked : "?",
			text_c(ctx, vr->hostname_ok ? C_GREEN : C_RED), vr->hostname_ok ? "yes" : "no",
			text_c(ctx, C_OFF));
	}
	for (size_t i = 0; i < e->ncerts; i++) {
		const struct dbtls_cert *c = &e->certs[i];
		fprintf(o, "  cert[%zu]: ", i);
		text_safe(o, c->subject);
		fprintf(o, "\n           %s %d bits, %s, expires %s (%s%ld days%s)%s\n",
			c->key_type ? c->key_type : "?", c->key_bits, c->sig_alg ? c->sig_alg : "?",
			c->not_after ? c->not_after : "?",
			text_c(ctx, c->days_left < 0 ? C_RED : c->days_left < 30 ? C_YELLOW : ""),
			c->days_left, text_c(ctx, c->days_left < 30 ? C_OFF : ""),
			c->self_signed ? ", self-signed" : "");
	}
	if (ctx->eval)
		text_findings(ctx, &ctx->eval->findings[ctx->index]);
	for (size_t i = 0; i < e->nerrors; i++) {
		fprintf(o, "  %serror%s [%s] %s: ", text_c(ctx, C_RED), text_c(ctx, C_OFF),
			e->errors[i].stage ? e->errors[i].stage : "scan",
			dbtls_errname(e->errors[i].code));
		text_safe(o, e->errors[i].message);
		fputc('\n', o);
	}
	return DBTLS_OK;
}

static enum dbtls_err text_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	size_t failed = 0;

	for (size_t i = 0; i < s->nendpoints; i++)
		failed += s->endpoints[i].nerrors > 0;
	fprintf(ctx->out, "%zu endpoint%s scanned, %zu with errors\n", s->nendpoints,
		s->nendpoints == 1 ? "" : "s", failed);
	if (ctx->eval && ctx->eval->policy) {
		const struct dbtls_evaluation *ev = ctx->eval;
		fprintf(ctx->out, "policy %s %s:", ev->policy->name, ev->policy->version);
		for (int sev = DBTLS_NSEVERITIES - 1; sev >= 0; sev--)
			fprintf(ctx->out, " %zu %s%s", ev->by_severity[sev],
				dbtls_severity_name((enum dbtls_severity)sev), sev ? "," : "");
		if (ev->waived)
			fprintf(ctx->out, " (%zu waived)", ev->waived);
		fprintf(ctx->out, "; endpoints: %zu passed, %zu failed (findings at or above %s), %zu errored\n",
			ev->passed, ev->failed, dbtls_severity_name(ev->fail_on), ev->errored);
	}
	return DBTLS_OK;
}

const struct dbtls_report_writer dbtls_report_text = {
	.name = "text",
	.extension = ".txt",
	.begin = text_begin,
	.endpoint = text_endpoint,
	.end = text_end,
	.help = "a short summary for people",
};
