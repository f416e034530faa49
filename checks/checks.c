/* SPDX-License-Identifier: MIT */
/*
 * checks.c — the check registry, the table of subject kinds, running a profile's checks over a
 * subject, and findings bookkeeping. (Fix texts: checks/remedy/.)
 */
#include "checks/check.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/suites.h"

static const struct {
	const struct dbtls_check *const *checks;
	unsigned needs; /* enum dbtls_check_needs */
} families[] = {
#define CK_FAMILY(name, needs) {dbtls_checks_##name, needs},
    DBTLS_CHECK_FAMILIES(CK_FAMILY)
#undef CK_FAMILY
};

#define MAX_CHECKS 128

/* The flat registry, built once from the families' NULL-terminated tables. Built under
 * pthread_once so that concurrent first calls from scan workers agree. */
static const struct dbtls_check *registry[MAX_CHECKS];
static unsigned registry_needs[MAX_CHECKS];
static size_t nregistry;

static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void registry_build(void)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		for (const struct dbtls_check *const *c = families[i].checks; *c; c++)
			if (nregistry < MAX_CHECKS) {
				registry_needs[nregistry] = families[i].needs;
				registry[nregistry++] = *c;
			}
}

const struct dbtls_check *const *dbtls_checks_all(size_t *n)
{
	pthread_once(&registry_once, registry_build);
	*n = nregistry;
	return registry;
}

const struct dbtls_check *dbtls_check_find(const char *id)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->id, id) == 0)
			return all[i];
	return NULL;
}

static const char *const severity_names[DBTLS_NSEVERITIES] = {"info", "low", "medium", "high",
							      "critical"};

const char *dbtls_severity_name(enum dbtls_severity s)
{
	return (unsigned)s < DBTLS_NSEVERITIES ? severity_names[s] : "unknown";
}

bool dbtls_severity_parse(const char *s, enum dbtls_severity *out)
{
	for (int i = 0; i < DBTLS_NSEVERITIES; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum dbtls_severity)i;
			return true;
		}
	return false;
}

static const struct {
	uint32_t bit;
	const char *name;
} prop_names[] = {
    {DBTLS_PROP_EXPORT, "export"},
    {DBTLS_PROP_ANON, "anon"},
    {DBTLS_PROP_NULL, "null"},
    {DBTLS_PROP_RC4, "rc4"},
    {DBTLS_PROP_DES, "des"},
    {DBTLS_PROP_3DES, "3des"},
    {DBTLS_PROP_CBC, "cbc"},
    {DBTLS_PROP_NON_PFS, "non_pfs"},
    {DBTLS_PROP_SHA1_MAC, "sha1_mac"},
    {DBTLS_PROP_STATIC_KX, "static_kx"},
    {DBTLS_PROP_PSK, "psk"},
    {DBTLS_PROP_SRP, "srp"},
    {DBTLS_PROP_CAMELLIA, "camellia"},
    {DBTLS_PROP_ARIA, "aria"},
    {DBTLS_PROP_SEED_IDEA, "seed_idea"},
};

bool dbtls_suite_prop_parse(const char *name, uint32_t *bit)
{
	for (size_t i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++)
		if (strcmp(prop_names[i].name, name) == 0) {
			*bit = prop_names[i].bit;
			return true;
		}
	return false;
}

const char *dbtls_suite_prop_name(uint32_t bit)
{
	for (size_t i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++)
		if (prop_names[i].bit == bit)
			return prop_names[i].name;
	return "unknown";
}

uint32_t dbtls_suite_props(uint32_t code)
{
	const struct dbtls_suite *s = dbtls_suite_lookup(code);
	uint32_t p = 0;

	if (!s)
		return 0;
	if (s->flags & DBTLS_SF_EXPORT)
		p |= DBTLS_PROP_EXPORT;
	if (s->flags & DBTLS_SF_ANON)
		p |= DBTLS_PROP_ANON;
	if (s->flags & DBTLS_SF_NULL)
		p |= DBTLS_PROP_NULL;
	if (s->flags & DBTLS_SF_RC4)
		p |= DBTLS_PROP_RC4;
	if (s->flags & DBTLS_SF_DES)
		p |= DBTLS_PROP_DES;
	if (s->flags & DBTLS_SF_3DES)
		p |= DBTLS_PROP_3DES;
	if (s->flags & DBTLS_SF_CBC)
		p |= DBTLS_PROP_CBC;
	/* anonymous DH is ephemeral but proves nothing: it is no forward secrecy worth the name */
	if (!(s->flags & DBTLS_SF_PFS) || (s->flags & DBTLS_SF_ANON))
		p |= DBTLS_PROP_NON_PFS;
	if (s->mac && (strcmp(s->mac, "SHA") == 0 || strcmp(s->mac, "SHA1") == 0 ||
		       strcmp(s->mac, "MD5") == 0))
		p |= DBTLS_PROP_SHA1_MAC;
	if (s->kx && (strcmp(s->kx, "DH") == 0 || strcmp(s->kx, "ECDH") == 0))
		p |= DBTLS_PROP_STATIC_KX;
	if (s->flags & DBTLS_SF_PSK)
		p |= DBTLS_PROP_PSK;
	if (s->flags & DBTLS_SF_SRP)
		p |= DBTLS_PROP_SRP;
	if (s->cipher && strstr(s->cipher, "CAMELLIA"))
		p |= DBTLS_PROP_CAMELLIA;
	if (s->cipher && strstr(s->cipher, "ARIA"))
		p |= DBTLS_PROP_ARIA;
	if (s->cipher && (strstr(s->cipher, "SEED") || strstr(s->cipher, "IDEA")))
		p |= DBTLS_PROP_SEED_IDEA;
	return p;
}

/* The title as a new string; NULL when out of memory, or when the title is "%s" of a NULL (a
 * string the caller failed to build). */
static char *fa_title(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *fa_title(const char *fmt, va_list ap)
{
	char *title = NULL;
	va_list cp;

	if (strcmp(fmt, "%s") == 0) {
		va_copy(cp, ap);
		const char *arg = va_arg(cp, const char *);
		va_end(cp);
		return dbtls_strdup(arg);
	}
	return vasprintf(&title, fmt, ap) < 0 ? NULL : title;
}

void dbtls_findings_add(struct dbtls_findings *out, const struct dbtls_check *self,
			const struct dbtls_check_ctx *ctx, int severity, const char *evidence,
			const char *remediation, const char *title_fmt, ...)
{
	struct dbtls_finding fd = {.check = self->id, .references = self->references};
	struct dbtls_finding *items = NULL;
	va_list ap;

	fd.severity = severity >= 0 ? (enum dbtls_severity)severity : ctx->severity;
	if (evidence && remediation && title_fmt) {
		va_start(ap, title_fmt);
		fd.title = fa_title(title_fmt, ap);
		va_end(ap);
		fd.evidence = dbtls_strdup(evidence);
		fd.remediation = dbtls_strdup(remediation);
	}
	if (fd.title && fd.evidence && fd.remediation)
		items = realloc(out->items, (out->n + 1) * sizeof(*items));
	if (!items) {
		free(fd.title);
		free(fd.evidence);
		free(fd.remediation);
		out->oom = true;
		return;
	}
	out->items = items;
	items[out->n++] = fd;
}

void dbtls_str_cat(struct dbtls_str *b, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *p;

	if (b->oom)
		return;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !(p = realloc(b->s, b->n + (size_t)len + 1))) {
		b->oom = true;
		return;
	}
	b->s = p;
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

const char *dbtls_str_get(const struct dbtls_str *b)
{
	if (b->oom)
		return NULL;
	return b->s ? b->s : "";
}

void dbtls_findings_free(struct dbtls_findings *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->items[i].title);
		free(fs->items[i].evidence);
		free(fs->items[i].remediation);
		free(fs->items[i].waiver_reason);
		free(fs->items[i].waiver_owner);
		free(fs->items[i].waiver_until);
	}
	free(fs->items);
	memset(fs, 0, sizeof(*fs));
}

/* ---- kinds of subject ---- */

static size_t sk_endpoint_count(const struct dbtls_scan_facts *s)
{
	return s->nendpoints;
}

static const void *sk_endpoint_at(const struct dbtls_scan_facts *s, size_t i)
{
	return &s->endpoints[i];
}

static char *sk_endpoint_id(const void *facts)
{
	const struct dbtls_endpoint_facts *f = facts;

	return dbtls_endpoint_facts_id(f);
}

/* A waiver names an endpoint by the canonical id ("mysql://db1", "db1:3306" and "db1" are one
 * endpoint; a name's id covers every address of it, "?address=ADDR" only that one), or exactly
 * as the scan was given it. */
static bool sk_endpoint_waived(const char *as_given, const char *canonical, const void *facts,
			       const char *id)
{
	const struct dbtls_endpoint_facts *f = facts;

	if (f->target && as_given && !strcmp(as_given, f->target))
		return true;
	return dbtls_endpoint_id_matches(canonical, id);
}

static bool sk_endpoint_gathered(const void *facts)
{
	return dbtls_endpoint_scanned(facts);
}

/* Why f lacks what a check with `needs` reads, or NULL when it has it (buf: room for a reason
 * made up here). Only an endpoint that was scanned without errors is asked: an endpoint error
 * already says why facts are missing (and keeps the endpoint from passing). */
static const char *sk_endpoint_missing(unsigned needs, const struct dbtls_policy *p,
				       const void *facts, char *buf, size_t buflen)
{
	const struct dbtls_endpoint_facts *f = facts;
	const struct dbtls_pin *pin;
	bool negotiated = false;

	if (!needs || !dbtls_endpoint_scanned(f))
		return NULL;
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		negotiated |= f->versions[v].status == DBTLS_VS_ACCEPTED;
	/* (a server that offers no TLS has no suites or chain to judge: tls.not-offered says so;
	 * its drift is still judged against the pin) */
	if (f->tls_offered == 1 && (needs & (DBTLS_NEEDS_NEGOTIATED | DBTLS_NEEDS_CHAIN)) &&
	    !negotiated)
		return "no TLS version could be negotiated";
	/* (a completed handshake without a certificate is a fact — anonymous suites only —
	 * that cert.untrusted reports, not a lack of facts) */
	if (f->tls_offered == 1 && (needs & DBTLS_NEEDS_CHAIN) && !f->verification.done)
		return "no certificate chain was collected";
	if ((needs & DBTLS_NEEDS_PIN) && !(pin = dbtls_pin_for(p, f)))
		return "the policy has no pin for this endpoint";
	if ((needs & DBTLS_NEEDS_PIN) && pin->unpinned) {
		snprintf(buf, buflen, "its pin holds nothing (%s)", pin->unpinned);
		return buf;
	}
	return NULL;
}

static void sk_endpoint_call(const struct dbtls_check *c, const void *facts,
			     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	c->eval(c, facts, ctx, out);
}

static size_t sk_file_count(const struct dbtls_scan_facts *s)
{
	return s->nfiles;
}

static const void *sk_file_at(const struct dbtls_scan_facts *s, size_t i)
{
	return &s->files[i];
}

/* A file's id is its path as audited. */
static char *sk_file_id(const void *facts)
{
	const struct dbtls_audit_file *f = facts;

	return dbtls_strdup(f->path ? f->path : "");
}

/* A waiver names a file by its path, exactly as the audit printed it. */
static bool sk_file_waived(const char *as_given, const char *canonical, const void *facts,
			   const char *id)
{
	(void)canonical;
	(void)facts;
	return as_given && id && !strcmp(as_given, id);
}

/* A file that could not be read or parsed completely counts as errored, not passed. */
static bool sk_file_gathered(const void *facts)
{
	const struct dbtls_audit_file *f = facts;

	return f->nerrors == 0;
}

static void sk_file_call(const struct dbtls_check *c, const void *facts,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	c->eval_file(c, facts, ctx, out);
}

static const struct dbtls_subject_kind_info subject_kinds[] = {
    {
	.kind = DBTLS_SUBJECT_ENDPOINT,
	.name = "endpoint",
	.count = sk_endpoint_count,
	.at = sk_endpoint_at,
	.id = sk_endpoint_id,
	.waiver_matches = sk_endpoint_waived,
	.gathered = sk_endpoint_gathered,
	.call = sk_endpoint_call,
	.missing = sk_endpoint_missing,
    },
    {
	.kind = DBTLS_SUBJECT_FILE,
	.name = "file",
	.count = sk_file_count,
	.at = sk_file_at,
	.id = sk_file_id,
	.waiver_matches = sk_file_waived,
	.gathered = sk_file_gathered,
	.call = sk_file_call,
	.missing = NULL,
    },
};

const struct dbtls_subject_kind_info *dbtls_subject_kinds(size_t *n)
{
	*n = sizeof(subject_kinds) / sizeof(subject_kinds[0]);
	return subject_kinds;
}

const struct dbtls_subject_kind_info *dbtls_subject_kind_find(enum dbtls_subject_kind kind)
{
	for (size_t i = 0; i < sizeof(subject_kinds) / sizeof(subject_kinds[0]); i++)
		if (subject_kinds[i].kind == kind)
			return &subject_kinds[i];
	return NULL;
}

/* ---- running ---- */

/* The profile's setting for check `c` (registry index i), or NULL. */
static const struct dbtls_check_setting *ck_setting(const struct dbtls_policy *p, size_t i,
						    const struct dbtls_check *c)
{
	/* settings are in registry order when the loader made them; match ids anyway so a
	 * hand-built policy cannot apply one check's setting to another */
	if (i < p->nsettings && !strcmp(p->settings[i].id, c->id))
		return &p->settings[i];
	for (size_t k = 0; k < p->nsettings; k++)
		if (!strcmp(p->settings[k].id, c->id))
			return &p->settings[k];
	return NULL;
}

/* The finding of a check that could not be evaluated: at the check's severity, so that a
 * subject whose facts are missing is never judged better than the check would have judged it. */
static void ck_indeterminate(const struct dbtls_check *c, const struct dbtls_check_ctx *ctx,
			     const struct dbtls_subject *subject, const char *why,
			     struct dbtls_findings *out)
{
	const struct dbtls_subject_kind_info *kind = dbtls_subject_kind_find(subject->kind);
	char ev[600];

	snprintf(ev, sizeof(ev), "%s: %s; the check needs it to judge the %s",
		 subject->id ? subject->id : "subject", why, kind ? kind->name : "subject");
	dbtls_findings_add(
	    out, c, ctx, -1, ev,
	    "Scan the endpoint again (dbtls scan); if it stays, find out why the "
	    "server refuses every hello or serves no certificate, or derive the pins "
	    "again (dbtls policy derive).",
	    "%s%s", DBTLS_INDETERMINATE_PREFIX, why);
}

bool dbtls_finding_indeterminate(const struct dbtls_finding *fd)
{
	return fd && fd->title &&
	       !strncmp(fd->title, DBTLS_INDETERMINATE_PREFIX,
			sizeof(DBTLS_INDETERMINATE_PREFIX) - 1);
}

void dbtls_checks_run_subject(const struct dbtls_policy *p, const struct dbtls_subject *subject,
			      time_t now, struct dbtls_findings *out)
{
	const struct dbtls_subject_kind_info *kind = dbtls_subject_kind_find(subject->kind);
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	if (!kind)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct dbtls_check_setting *st = ck_setting(p, i, all[i]);

		if (all[i]->subject != subject->kind || !st || !st->enabled)
			continue;
		struct dbtls_check_ctx ctx = {.policy = p, .severity = st->severity, .now = now};
		char buf[400];
		const char *why = kind->missing ? kind->missing(registry_needs[i], p,
								subject->facts, buf, sizeof(buf))
						: NULL;
		if (why)
			ck_indeterminate(all[i], &ctx, subject, why, out);
		else
			kind->call(all[i], subject->facts, &ctx, out);
	}
}

void dbtls_checks_run(const struct dbtls_policy *p, const struct dbtls_endpoint_facts *f,
		      time_t now, struct dbtls_findings *out)
{
	char *id = dbtls_endpoint_facts_id(f);
	struct dbtls_subject s = {.kind = DBTLS_SUBJECT_ENDPOINT, .facts = f, .id = id};

	dbtls_checks_run_subject(p, &s, now, out);
	free(id);
}
