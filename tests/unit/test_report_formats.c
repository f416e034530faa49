/* SPDX-License-Identifier: MIT */
/*
 * test_report_formats.c — every report writer over one fixed scan built by hand (fixed times, a
 * fixed order, no clock): the output must equal the golden file in tests/golden/, and hostile
 * strings (markup, quotes, control bytes, invalid UTF-8, bidi overrides, exposition-format
 * breakers) in every field must come out as inert text. The HTML is checked by a strict tag and
 * attribute allow-list, the Prometheus file by a strict parser of the text exposition format, the
 * JSON Lines by jansson.
 *
 * After an intended change of a writer's output: DBTLS_UPDATE_GOLDEN=1 make check
 * TESTS=tests/unit/test_report_formats rewrites the golden files; review them with git diff.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/report_util.h"
#include "src/core/version.h"
#include "tests/unit/fixtures.h"

/* Everything that can go wrong in one string. */
#define HOSTILE                                                                                    \
	"<script>alert(\"x\")</script>'\"><img src=x "                                             \
	"onerror=alert(1)>&amp;\x1b[31m\r\n\x7f\xff\xfe"                                           \
	"\xc0\xaf\xed\xa0\x80\xc2\x9b\xe2\x80\xae\\\"} 1\nevil_metric 1 caf\xc3\xa9"

static const char *const refs_tls10[] = {"RFC 8996",
					 "NIST SP 800-52r2 \xc2\xa7"
					 "3.1",
					 NULL};
static const char *const refs_hostile[] = {HOSTILE, NULL};

static struct dbtls_policy policy = {
    .name = (char *)"baseline",
    .version = (char *)"2026.11",
    .title = (char *)"Baseline",
    .guideline = (char *)"RFC 8996 (2021) & friends",
    .source = (char *)"builtin:baseline",
    .params = {.min_version = DBTLS_TLS12,
	       .forbidden_props = DBTLS_PROP_3DES | DBTLS_PROP_RC4 | DBTLS_PROP_ANON,
	       .cert_warn_days = 30},
};

static void set_suites(struct dbtls_version_facts *vf, const uint32_t *codes, size_t n, int order)
{
	vf->status = DBTLS_VS_ACCEPTED;
	vf->reason = strdup("ServerHello");
	vf->cipher = (uint16_t)codes[0];
	vf->suites = calloc(n, sizeof(uint32_t));
	memcpy(vf->suites, codes, n * sizeof(uint32_t));
	vf->nsuites = n;
	vf->server_order = order;
}

static void reject(struct dbtls_version_facts *vf, const char *why)
{
	vf->status = DBTLS_VS_REJECTED;
	vf->reason = strdup(why);
}

static void cert(struct dbtls_cert *c, const char *subject, const char *issuer, const char *nb,
		 time_t nbt, const char *na, time_t nat, long days, char fp, bool ca)
{
	c->subject = strdup(subject);
	c->issuer = strdup(issuer);
	c->serial = strdup("0A1B2C");
	c->not_before = strdup(nb);
	c->not_before_t = nbt;
	c->not_after = strdup(na);
	c->not_after_t = nat;
	c->days_left = days;
	c->key_type = strdup("RSA");
	c->key_bits = 2048;
	c->sig_alg = strdup("sha256WithRSAEncryption");
	memset(c->sha256, fp, 64);
	c->is_ca = ca;
}

static void add(struct dbtls_findings *fs, const char *check, enum dbtls_severity sev,
		const char *title, const char *evidence, const char *remediation,
		const char *const *refs)
{
	struct dbtls_finding *fd;

	fs->items = realloc(fs->items, (fs->n + 1) * sizeof(*fs->items));
	fd = &fs->items[fs->n++];
	memset(fd, 0, sizeof(*fd));
	fd->check = check;
	fd->severity = sev;
	fd->title = strdup(title);
	fd->evidence = evidence ? strdup(evidence) : NULL;
	fd->remediation = remediation ? strdup(remediation) : NULL;
	fd->references = refs;
}

static void waive(struct dbtls_findings *fs, const char *until, const char *owner,
		  const char *reason)
{
	struct dbtls_finding *fd = &fs->items[fs->n - 1];

	fd->waived = true;
	fd->waiver_until = strdup(until);
	fd->waiver_owner = strdup(owner);
	fd->waiver_reason = strdup(reason);
}

/* Four endpoints: a legacy MariaDB, a hostile direct-TLS server, one without TLS, one that timed
 * out. */
static void fixture(struct dbtls_scan_facts *s)
{
	static const uint32_t s10[] = {0xc013, 0x002f};
	static const uint32_t s12[] = {0xc02f, 0xc030, 0x009c, 0x000a};
	static const uint32_t s13[] = {0x1302, 0x1301};
	static const uint32_t h12[] = {0xcca8, 0x0018};
	struct dbtls_endpoint_facts *e;

	memset(s, 0, sizeof(*s));
	s->tool_version = strdup("9.9.9");
	s->new_ca_file = strdup("/etc/dbtls/new-ca.pem");
	s->started_at = 1700000000;
	s->finished_at = 1700000012;
	s->nendpoints = 4;
	s->endpoints = calloc(4, sizeof(*s->endpoints));

	e = &s->endpoints[0];
	e->target = strdup("mysql://db1.example:3306");
	e->protocol = strdup("mysql");
	e->host = strdup("db1.example");
	e->port = 3306;
	e->sni = strdup("db1.example");
	e->address = strdup("192.0.2.10");
	e->tls_offered = 1;
	e->connections_used = 31;
	e->duration_s = 1.25;
	e->server.greeting_seen = true;
	e->server.product = strdup("MariaDB");
	e->server.version = strdup("5.5.5-10.11.6-MariaDB-0+deb12u1");
	e->server.mysql.protocol_version = 10;
	e->server.mysql.capabilities = 0xf7fe;
	e->server.tls_offered = true;
	reject(&e->versions[DBTLS_SSL2], "connection closed");
	reject(&e->versions[DBTLS_SSL3], "alert protocol_version (70)");
	set_suites(&e->versions[DBTLS_TLS10], s10, 2, 1);
	set_suites(&e->versions[DBTLS_TLS11], s10, 2, 1);
	set_suites(&e->versions[DBTLS_TLS12], s12, 4, 1);
	set_suites(&e->versions[DBTLS_TLS13], s13, 2, -1);
	e->groups = calloc(2, sizeof(uint16_t));
	e->groups[0] = 0x001d;
	e->groups[1] = 0x0017;
	e->ngroups = 2;
	e->groups_version = DBTLS_TLS13;
	e->ncerts = 2;
	e->certs = calloc(2, sizeof(*e->certs));
	cert(&e->certs[0], "CN=db1.example,O=Example", "CN=Example Issuing CA,O=Example",
	     "2023-09-01T00:00:00Z", 1693526400, "2023-12-04T00:00:00Z", 1701648000, 19, 'a',
	     false);
	e->certs[0].nsans = 2;
	e->certs[0].sans = calloc(2, sizeof(char *));
	e->certs[0].sans[0] = strdup("DNS:db1.example");
	e->certs[0].sans[1] = strdup("IP:192.0.2.10");
	cert(&e->certs[1], "CN=Example Issuing CA,O=Example", "CN=Example Root CA,O=Example",
	     "2020-01-01T00:00:00Z", 1577836800, "2030-01-01T00:00:00Z", 1893456000, 2239, 'b',
	     true);
	e->verification.done = true;
	e->verification.ca_ok = true;
	e->verification.hostname_ok = true;
	e->verification.hostname_checked = strdup("db1.example");
	e->verification.ca_source = strdup("/etc/dbtls/ca.pem");
	e->verification.protocol = strdup("TLSv1.3");
	e->verification.cipher = strdup("TLS_AES_256_GCM_SHA384");
	e->verification.stapled = true;
	e->verification.chain.analysed = true;
	e->verification.chain.anchor_subject = strdup("CN=Example Root CA,O=Example");
	e->verification.chain.anchor_days_left = 2239;
	e->verification.rotation.checked = true;
	e->verification.rotation.ready = true;
	e->verification.rotation.anchor_subject = strdup("CN=Example Root CA 2,O=Example");
	e->certs[0].revocation.status = DBTLS_REV_GOOD;
	e->certs[0].revocation.source = strdup("stapled OCSP");

	e = &s->endpoints[1];
	e->target = strdup("tls://[::1]:8443/" HOSTILE);
	e->protocol = strdup("tls");
	e->host = strdup("::1");
	e->port = 8443;
	e->address = strdup("::1");
	e->tls_offered = 1;
	e->connections_used = 9;
	e->duration_s = 0.5;
	e->server.greeting_seen = true;
	e->server.product = strdup(HOSTILE);
	e->server.version = strdup(HOSTILE);
	e->server.err_code = 1045;
	e->server.err_sqlstate = strdup("28000");
	e->server.err_message = strdup(HOSTILE);
	set_suites(&e->versions[DBTLS_TLS12], h12, 2, 0);
	reject(&e->versions[DBTLS_TLS13], HOSTILE);
	e->versions[DBTLS_TLS11].status = DBTLS_VS_ERROR;
	e->versions[DBTLS_TLS11].reason = strdup(HOSTILE);
	e->dh_bits = 1024;
	e->ncerts = 1;
	e->certs = calloc(1, sizeof(*e->certs));
	cert(&e->certs[0], HOSTILE, HOSTILE, HOSTILE, 1690000000, HOSTILE, 1699000000, -12, 'c',
	     false);
	free(e->certs[0].serial);
	e->certs[0].serial = strdup(HOSTILE);
	free(e->certs[0].key_type);
	e->certs[0].key_type = strdup(HOSTILE);
	e->certs[0].curve = strdup(HOSTILE);
	e->certs[0].nsans = 1;
	e->certs[0].sans = calloc(1, sizeof(char *));
	e->certs[0].sans[0] = strdup(HOSTILE);
	e->certs[0].self_signed = true;
	e->verification.done = true;
	e->verification.ca_ok = false;
	e->verification.hostname_ok = false;
	e->verification.error = strdup(HOSTILE);
	e->verification.hostname_checked = strdup(HOSTILE);
	e->verification.ca_source = strdup(HOSTILE);
	e->verification.protocol = strdup(HOSTILE);
	e->verification.cipher = strdup(HOSTILE);
	e->verification.chain.analysed = true;
	e->verification.chain.incomplete = true;
	e->verification.chain.missing_issuer = strdup(HOSTILE);
	e->verification.chain.misordered = true;
	e->verification.rotation.checked = true;
	e->verification.rotation.error = strdup(HOSTILE);
	e->certs[0].revocation.status = DBTLS_REV_REVOKED;
	e->certs[0].revocation.source = strdup(HOSTILE);
	e->certs[0].revocation.revoked_at = strdup(HOSTILE);
	e->certs[0].revocation.reason = strdup(HOSTILE);
	e->certs[0].revocation.detail = strdup(HOSTILE);
	dbtls_facts_add_error(e, DBTLS_ERR_PROTOCOL, HOSTILE, HOSTILE);

	e = &s->endpoints[2];
	e->target = strdup("db3:3306");
	e->protocol = strdup("mysql");
	e->host = strdup("db3");
	e->port = 3306;
	e->address = strdup("192.0.2.30");
	e->tls_offered = 0;
	e->connections_used = 1;
	e->duration_s = 0.01;
	e->server.greeting_seen = true;
	e->server.product = strdup("MySQL");
	e->server.version = strdup("8.0.36");

	e = &s->endpoints[3];
	e->target = strdup("mysql://db4:3306");
	e->protocol = strdup("mysql");
	e->host = strdup("db4");
	e->port = 3306;
	e->tls_offered = -1;
	e->groups_version = -1;
	e->duration_s = 10;
	dbtls_facts_add_error(e, DBTLS_ERR_TIMEOUT, "connect", "no answer within 10 s");
}

static void evaluation(const struct dbtls_scan_facts *s, struct dbtls_evaluation *ev)
{
	struct dbtls_findings *fs;

	memset(ev, 0, sizeof(*ev));
	ev->policy = &policy;
	ev->fail_on = DBTLS_SEV_HIGH;
	ev->nendpoints = s->nendpoints;
	ev->findings = calloc(s->nendpoints, sizeof(*ev->findings));

	fs = &ev->findings[0];
	add(fs, "protocol.tls10-enabled", DBTLS_SEV_HIGH, "TLS 1.0 accepted",
	    "TLSv1.0: accepted (ServerHello TLSv1.0 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA); suites: "
	    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA",
	    "In the server's my.cnf, section [mysqld]:\ntls_version=TLSv1.2,TLSv1.3", refs_tls10);
	add(fs, "suites.3des", DBTLS_SEV_MEDIUM, "1 3DES suite accepted",
	    "TLSv1.2: TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	    "In the server's my.cnf, section [mysqld]:\nssl_cipher=HIGH:!3DES", NULL);
	waive(fs, "2027-03-31", "dba-team", "legacy ERP client until its upgrade");
	add(fs, "certs.expiring", DBTLS_SEV_MEDIUM, "Leaf certificate expires in 19 days",
	    "CN=db1.example,O=Example: not after 2023-12-04T00:00:00Z", "Renew the certificate.",
	    NULL);
	add(fs, "protocol.tls11-enabled", DBTLS_SEV_HIGH, "TLS 1.1 accepted", "TLSv1.1: accepted",
	    "tls_version=TLSv1.2,TLSv1.3", refs_tls10);

	fs = &ev->findings[1];
	add(fs, "certs.untrusted", DBTLS_SEV_CRITICAL, HOSTILE, HOSTILE, HOSTILE, refs_hostile);
	add(fs, "suites.anon", DBTLS_SEV_HIGH, "1 anonymous suite accepted", HOSTILE, NULL, NULL);
	waive(fs, HOSTILE, HOSTILE, HOSTILE);

	fs = &ev->findings[2];
	add(fs, "tls.not-offered", DBTLS_SEV_CRITICAL, "The server offers no TLS",
	    "greeting without CLIENT_SSL", "[mysqld]\nssl_cert=...\nssl_key=...", NULL);

	ev->by_severity[DBTLS_SEV_CRITICAL] = 2;
	ev->by_severity[DBTLS_SEV_HIGH] = 2;
	ev->by_severity[DBTLS_SEV_MEDIUM] = 1;
	ev->waived = 2;
	ev->failed = 3;
	ev->errored = 1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Compares out with tests/golden/NAME, or rewrites it when DBTLS_UPDATE_GOLDEN=1. */
static void golden(const char *name, const char *out)
{
	const char *src = getenv("DBTLS_SRCDIR");
	char path[1024];
	char *want;

	if (!src)
		src = ".";
	snprintf(path, sizeof(path), "%s/tests/golden/%s", src, name);
	if (getenv("DBTLS_UPDATE_GOLDEN") && !strcmp(getenv("DBTLS_UPDATE_GOLDEN"), "1")) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fputs(out, f);
		fclose(f);
		return;
	}
	want = slurp(path);
	if (!want)
		fail_msg("%s is missing (DBTLS_SRCDIR=%s; DBTLS_UPDATE_GOLDEN=1 writes it)", path,
			 src);
	if (strcmp(want, out) != 0) {
		size_t i = 0, line = 1;
		while (want[i] && want[i] == out[i]) {
			line += want[i] == '\n';
			i++;
		}
		fail_msg(
		    "%s differs from the output at line %zu (DBTLS_UPDATE_GOLDEN=1 rewrites it)",
		    path, line);
	}
	free(want);
}

/* The whole text is well-formed UTF-8 and, unless it is JSON (whose strings may carry DEL and C1
 * characters raw, and escape the rest), has no control character but line feed and tab. */
static void assert_utf8(const char *what, const char *s, bool json)
{
	uint32_t cp;
	size_t n;

	for (size_t i = 0; s[i]; i += n) {
		n = dbtls_utf8_seq(s + i, &cp);
		if (!n)
			fail_msg("%s: invalid UTF-8 at byte %zu", what, i);
		if (json ? (cp < 0x20 && cp != '\n')
			 : ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f ||
			    (cp >= 0x80 && cp < 0xa0)))
			fail_msg("%s: control character U+%04X at byte %zu", what, (unsigned)cp, i);
		if (!json && (cp == 0x202e || cp == 0x2066))
			fail_msg("%s: bidi override at byte %zu", what, i);
	}
}

static void assert_clean_utf8(const char *what, const char *s)
{
	assert_utf8(what, s, false);
}

/* --- the escaping function itself ----------------------------------------------------------- */

static void test_escape(void **state)
{
	static const struct {
		const char *in;
		unsigned flags;
		const char *want;
	} rows[] = {
	    {"plain caf\xc3\xa9 \xe2\x82\xac", DBTLS_ESC_TEXT, "plain caf\xc3\xa9 \xe2\x82\xac"},
	    {"<a href=\"x\">'&'</a>", DBTLS_ESC_HTML,
	     "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"},
	    {"<b>", DBTLS_ESC_TEXT, "<b>"},
	    /* U+0126 and U+013C: their low bytes are '&' and '<', and must not be taken for them */
	    {"\xc4\xa6\xc4\xbc", DBTLS_ESC_HTML, "\xc4\xa6\xc4\xbc"},
	    {"a\\b\"c\nd", DBTLS_ESC_PROM, "a\\\\b\\\"c\\nd"},
	    {"a\nb", DBTLS_ESC_TEXT, "a\\nb"},
	    {"a\nb", DBTLS_ESC_HTML | DBTLS_ESC_KEEP_NL, "a\nb"},
	    {"a\nb", DBTLS_ESC_PROM | DBTLS_ESC_KEEP_NL, "a\\nb"},
	    {"t\tab", DBTLS_ESC_TEXT, "t\tab"},
	    {"\x1b[31m\r\x7f", DBTLS_ESC_TEXT, "\\x1b[31m\\x0d\\x7f"},
	    {"\x1b", DBTLS_ESC_PROM, "\\\\x1b"},
	    {"\xff\xfe", DBTLS_ESC_TEXT, "\\xff\\xfe"},
	    {"\xff", DBTLS_ESC_PROM, "\\\\xff"},
	    /* overlong '/', overlong in 3 bytes, a UTF-16 surrogate, above U+10FFFF */
	    {"\xc0\xaf", DBTLS_ESC_TEXT, "\\xc0\\xaf"},
	    {"\xe0\x80\xaf", DBTLS_ESC_TEXT, "\\xe0\\x80\\xaf"},
	    {"\xed\xa0\x80", DBTLS_ESC_TEXT, "\\xed\\xa0\\x80"},
	    {"\xf4\x90\x80\x80", DBTLS_ESC_TEXT, "\\xf4\\x90\\x80\\x80"},
	    {"\xf0\x9f\x94\x92 ok", DBTLS_ESC_TEXT, "\xf0\x9f\x94\x92 ok"}, /* U+1F512 */
	    {"\xe2\x82", DBTLS_ESC_TEXT, "\\xe2\\x82"},	 /* truncated at the end */
	    {"\xc2\x9b", DBTLS_ESC_TEXT, "\\u009b"},	 /* C1 CSI */
	    {"\xe2\x80\xae", DBTLS_ESC_HTML, "\\u202e"}, /* RIGHT-TO-LEFT OVERRIDE */
	    /* JSON: only bytes that start no UTF-8 sequence change; controls are jansson's job */
	    {"caf\xc3\xa9 \xc2\x9b\xe2\x80\xae\x1b\n\x7f", DBTLS_ESC_JSON,
	     "caf\xc3\xa9 \xc2\x9b\xe2\x80\xae\x1b\n\x7f"},
	    {"a\xff\xc0\xaf"
	     "b",
	     DBTLS_ESC_JSON, "a\\xff\\xc0\\xafb"},
	    {"\xe2\x81\xa6", DBTLS_ESC_PROM, "\\\\u2066"}, /* LEFT-TO-RIGHT ISOLATE */
	    {"", DBTLS_ESC_HTML, ""},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = dbtls_esc_strdup(rows[i].in, rows[i].flags);
		assert_non_null(got);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: want '%s' got '%s'", i, rows[i].want, got);
		free(got);
	}
	{
		char *got = dbtls_esc_strdup(NULL, DBTLS_ESC_HTML);
		assert_string_equal(got, "");
		free(got);
	}
	/* clipping never cuts a character in two */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		dbtls_esc_write_clipped(f, "ab\xc3\xa9\xc3\xa9", 3, DBTLS_ESC_TEXT);
		dbtls_esc_write_clipped(f, "|abc", 10, DBTLS_ESC_TEXT);
		fclose(f);
		assert_string_equal(buf, "ab …|abc");
		free(buf);
	}
}

static void test_utf8_seq(void **state)
{
	uint32_t cp = 0;
	(void)state;

	assert_int_equal(dbtls_utf8_seq("A", &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(dbtls_utf8_seq("\xc3\xa9", &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(dbtls_utf8_seq("\xe2\x82\xac", &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(dbtls_utf8_seq("\xf4\x8f\xbf\xbf", &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(dbtls_utf8_seq("\xc1\xbf", &cp), 0);
	assert_int_equal(dbtls_utf8_seq("\x80", &cp), 0);
	assert_int_equal(dbtls_utf8_seq("\xc3", &cp), 0);
	assert_int_equal(dbtls_utf8_seq("\xf5\x80\x80\x80", &cp), 0);
	assert_int_equal(dbtls_utf8_seq("\xe0\x9f\xbf", &cp), 0);
}

static void test_scan_id(void **state)
{
	struct dbtls_scan_facts s;
	char a[48], b[48];
	(void)state;

	fixture(&s);
	dbtls_report_scan_id(&s, a, sizeof(a));
	dbtls_report_scan_id(&s, b, sizeof(b));
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 29);
	assert_memory_equal(a, "20231114T221320Z-", 17);
	for (size_t i = 17; i < 29; i++)
		assert_true(isxdigit((unsigned char)a[i]));
	free(s.endpoints[2].target);
	s.endpoints[2].target = strdup("db3:3307");
	dbtls_report_scan_id(&s, b, sizeof(b));
	assert_string_not_equal(a, b);
	dbtls_scan_facts_free(&s);
}

static void test_registry(void **state)
{
	(void)state;
	assert_ptr_equal(dbtls_report_for_path("/r/report.html"), &dbtls_report_html);
	assert_ptr_equal(dbtls_report_for_path("findings.jsonl"), &dbtls_report_jsonl);
	assert_ptr_equal(dbtls_report_for_path("/var/lib/node_exporter/dbtls.prom"),
			 &dbtls_report_prom);
	assert_ptr_equal(dbtls_report_find("prometheus"), &dbtls_report_prom);
	assert_ptr_equal(dbtls_report_find("html"), &dbtls_report_html);
	assert_ptr_equal(dbtls_report_find("jsonl"), &dbtls_report_jsonl);
}

/* --- HTML: a strict allow-list of what we emit ------------------------------------------------ */

static const char *const html_tags[] = {
    "html",  "head",	"meta",	 "title",   "style",   "body",	 "header",  "h1",  "h2",
    "h3",    "h4",	"p",	 "code",    "strong",  "main",	 "section", "div", "span",
    "table", "thead",	"tbody", "tr",	    "th",      "td",	 "a",	    "dl",  "dt",
    "dd",    "article", "pre",	 "details", "summary", "footer", NULL,
};
static const char *const html_attrs[] = {
    "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "open", NULL,
};

static bool in_list(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncmp(*list, s, n) == 0)
			return true;
	return false;
}

/* Every tag and attribute is one we write, every attribute value is quoted and free of markup,
 * links stay in the page, text holds no raw markup characters and only the five entities we
 * write, and the stylesheet is the one built in. */
static void check_html(const char *h)
{
	const char *p = h, *q;
	bool closing;

	assert_clean_utf8("html", h);
	assert_memory_equal(p, "<!DOCTYPE html>\n", 16);
	p += 16;
	while (*p) {
		if (*p == '&') {
			if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) &&
			    strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) &&
			    strncmp(p, "&#39;", 5))
				fail_msg("html: unknown entity at '%.20s'", p);
			p++;
			continue;
		}
		if (*p == '>' || *p == '"')
			fail_msg("html: raw '%c' in text at '%.40s'", *p, p);
		if (*p != '<') {
			p++;
			continue;
		}
		p++;
		closing = *p == '/';
		if (closing)
			p++;
		q = p;
		while (isalnum((unsigned char)*q))
			q++;
		if (!in_list(html_tags, p, (size_t)(q - p)))
			fail_msg("html: tag not allowed at '%.30s'", p - 1);
		if (!closing && !strncmp(p, "style>", 6)) {
			const char *end = strstr(q, "</style>");
			assert_non_null(end);
			assert_int_equal((size_t)(end - (q + 2)), strlen(dbtls_report_css));
			assert_memory_equal(q + 2, dbtls_report_css, strlen(dbtls_report_css));
			p = end;
			continue;
		}
		p = q;
		for (;;) {
			while (*p == ' ')
				p++;
			if (*p == '>') {
				p++;
				break;
			}
			q = p;
			while (isalpha((unsigned char)*q) || *q == '-')
				q++;
			if (q == p || !in_list(html_attrs, p, (size_t)(q - p)))
				fail_msg("html: attribute not allowed at '%.30s'", p);
			if (!strncmp(p, "open", 4) && (q[0] == ' ' || q[0] == '>')) {
				p = q;
				continue;
			}
			if (q[0] != '=' || q[1] != '"')
				fail_msg("html: unquoted attribute at '%.30s'", p);
			if (!strncmp(p, "href", 4) && q[2] != '#')
				fail_msg("html: link out of the page at '%.30s'", p);
			p = q + 2;
			while (*p && *p != '"') {
				if (*p == '<' || *p == '>')
					fail_msg("html: markup in an attribute at '%.30s'", p);
				p++;
			}
			assert_int_equal(*p, '"');
			p++;
		}
	}
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "<img"));
	assert_null(strstr(h, "javascript:"));
}

static void test_html(void **state)
{
	struct dbtls_scan_facts s;
	struct dbtls_evaluation ev;
	char *out;
	(void)state;

	fixture(&s);
	evaluation(&s, &ev);
	out = fx_render(&dbtls_report_html, &s, &ev, false);
	check_html(out);
	/* the summary comes first, then each endpoint */
	assert_non_null(strstr(out, "<section id=\"summary\">"));
	assert_true(strstr(out, "id=\"summary\"") < strstr(out, "id=\"ep-1\""));
	for (int i = 1; i <= 4; i++) {
		char id[64];
		snprintf(id, sizeof(id), "<section class=\"endpoint\" id=\"ep-%d\">", i);
		assert_non_null(strstr(out, id));
	}
	assert_non_null(strstr(out, "<table class=\"severities\" id=\"severities\">"));
	assert_non_null(strstr(out, "<td class=\"sev-critical\">2</td>"));
	assert_non_null(strstr(out, "<table id=\"expiries\">"));
	assert_non_null(strstr(out, "<span class=\"badge failed\">failed</span>"));
	assert_non_null(strstr(out, "<span class=\"badge errored\">errored</span>"));
	/* the nearest expiry is the hostile server's expired leaf, then db1's leaf */
	{
		const char *t = strstr(out, "<table id=\"expiries\">");
		assert_non_null(t);
		assert_true(strstr(t, "expired 12 days ago") < strstr(t, "19 days left"));
	}
	/* weak suites: 3DES forbidden by the policy, plain RSA without forward secrecy, anon RC4 */
	assert_non_null(strstr(out, "<tr class=\"weak\"><td>4</td><td class=\"mono\">"
				    "TLS_RSA_WITH_3DES_EDE_CBC_SHA</td>"));
	assert_non_null(strstr(out, "<tr class=\"weak\"><td>3</td><td class=\"mono\">"
				    "TLS_RSA_WITH_AES_128_GCM_SHA256</td>"));
	assert_non_null(strstr(out, "<tr><td>1</td><td class=\"mono\">"
				    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</td>"));
	/* evidence and remediation, multi-line, and the waiver */
	assert_non_null(strstr(out, "<pre>In the server&#39;s my.cnf, section [mysqld]:\n"
				    "tls_version=TLSv1.2,TLSv1.3</pre>"));
	assert_non_null(strstr(out, "Waived until 2027-03-31 by dba-team"));
	/* CA rotation, asked for: one of four ready */
	assert_non_null(strstr(out, "<h3>CA rotation</h3>\n<p><strong>1 of 4</strong> endpoints"));
	assert_non_null(strstr(out, "<dt>revocation</dt><dd><span class=\"accepted\">good</span> · "
				    "stapled OCSP</dd>"));
	/* the hostile string, as text */
	assert_non_null(strstr(out,
			       "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;"
			       "&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;\\x1b[31m\\x0d"));
	assert_non_null(strstr(out, "\\x7f\\xff\\xfe\\xc0\\xaf\\xed\\xa0\\x80\\u009b\\u202e"));
	golden("report.html", out);
	free(out);
	dbtls_evaluation_free(&ev);
	dbtls_scan_facts_free(&s);
}

/* --- Prometheus: a strict parser of the text exposition format 0.0.4 ----------------------------
 */

struct prom_sample {
	char name[128];
	char labels[8][2][512]; /* name, unescaped value */
	int nlabels;
	double value;
};

static bool prom_name_ok(const char *s, size_t n, bool metric)
{
	if (!n || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || (metric && s[i] == ':')))
			return false;
	return !(n >= 2 && s[0] == '_' && s[1] == '_'); /* reserved */
}

/* Parses one sample line into *sm; fails the test on anything the format does not allow. */
static void prom_parse_sample(const char *line, struct prom_sample *sm)
{
	const char *p = line, *q;
	char *end;

	memset(sm, 0, sizeof(*sm));
	q = p;
	while (*q && *q != '{' && *q != ' ')
		q++;
	if (!prom_name_ok(p, (size_t)(q - p), true) || (size_t)(q - p) >= sizeof(sm->name))
		fail_msg("prom: bad metric name in '%s'", line);
	memcpy(sm->name, p, (size_t)(q - p));
	p = q;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t k = 0;
			q = p;
			while (*q && *q != '=')
				q++;
			if (!prom_name_ok(p, (size_t)(q - p), false) || sm->nlabels == 8)
				fail_msg("prom: bad label name in '%s'", line);
			memcpy(sm->labels[sm->nlabels][0], p, (size_t)(q - p));
			if (q[1] != '"')
				fail_msg("prom: unquoted label value in '%s'", line);
			p = q + 2;
			while (*p != '"') {
				char c = *p;
				if (!c)
					fail_msg("prom: unterminated label value in '%s'", line);
				if (c == '\\') {
					p++;
					if (*p == 'n')
						c = '\n';
					else if (*p == '\\' || *p == '"')
						c = *p;
					else
						fail_msg("prom: bad escape \\%c in '%s'", *p, line);
				}
				if (k + 1 >= sizeof(sm->labels[0][1]))
					fail_msg("prom: label value too long in '%s'", line);
				sm->labels[sm->nlabels][1][k++] = c;
				p++;
			}
			p++;
			sm->nlabels++;
			for (int i = 0; i + 1 < sm->nlabels; i++)
				if (!strcmp(sm->labels[i][0], sm->labels[sm->nlabels - 1][0]))
					fail_msg("prom: label twice in '%s'", line);
			if (*p == ',')
				p++;
			else if (*p != '}')
				fail_msg("prom: expected , or } in '%s'", line);
		}
		p++;
	}
	if (*p != ' ')
		fail_msg("prom: no space before the value in '%s'", line);
	p++;
	sm->value = strtod(p, &end);
	if (end == p || *end != 0)
		fail_msg("prom: bad value (or a timestamp) in '%s'", line);
	if (!isfinite(sm->value))
		fail_msg("prom: non-finite value in '%s'", line);
}

static const char *prom_label(const struct prom_sample *sm, const char *name)
{
	for (int i = 0; i < sm->nlabels; i++)
		if (!strcmp(sm->labels[i][0], name))
			return sm->labels[i][1];
	return NULL;
}

/* Checks the whole file; returns the samples (new) and their count. */
static struct prom_sample *check_prom(const char *text, size_t *nout)
{
	char *copy = strdup(text), *line, *save = NULL;
	char families[64][128], help_for[128] = "", type_for[128] = "";
	struct prom_sample *all = NULL;
	size_t n = 0, nfam = 0;

	assert_clean_utf8("prom", text);
	assert_true(*text && text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7)) {
			const char *sp = strchr(line + 7, ' ');
			assert_non_null(sp);
			assert_true(prom_name_ok(line + 7, (size_t)(sp - line - 7), true));
			snprintf(help_for, sizeof(help_for), "%.*s", (int)(sp - line - 7),
				 line + 7);
			for (size_t i = 0; i < nfam; i++)
				if (!strcmp(families[i], help_for))
					fail_msg("prom: family %s written twice (not contiguous)",
						 help_for);
			assert_true(nfam < 64);
			strcpy(families[nfam++], help_for);
			assert_null(strchr(sp, '\\')); /* our help texts need no escapes */
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			snprintf(type_for, sizeof(type_for), "%s", line + 7);
			if (strcmp(type_for, "") == 0)
				fail_msg("prom: empty TYPE");
			char want[160];
			snprintf(want, sizeof(want), "%s gauge", help_for);
			assert_string_equal(type_for, want);
			continue;
		}
		if (line[0] == '#')
			fail_msg("prom: unexpected comment '%s'", line);
		all = realloc(all, (n + 1) * sizeof(*all));
		prom_parse_sample(line, &all[n]);
		/* a sample belongs to the family announced last */
		if (strcmp(all[n].name, help_for) != 0)
			fail_msg("prom: sample %s outside its family (%s)", all[n].name, help_for);
		/* no two samples with the same name and labels */
		for (size_t i = 0; i < n; i++) {
			bool same =
			    !strcmp(all[i].name, all[n].name) && all[i].nlabels == all[n].nlabels;
			for (int k = 0; same && k < all[n].nlabels; k++) {
				const char *v = prom_label(&all[i], all[n].labels[k][0]);
				same = v && !strcmp(v, all[n].labels[k][1]);
			}
			if (same)
				fail_msg("prom: duplicate series '%s'", line);
		}
		n++;
	}
	free(copy);
	*nout = n;
	return all;
}

/* The first sample named name (borrowed), or NULL. */
static const struct prom_sample *prom_find(const struct prom_sample *all, size_t n,
					   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].name, name))
			return &all[i];
	return NULL;
}

/* Rewrites the dbtls_build_info sample in out (in place) with fixed label values: the golden
 * file must not depend on the version of dbtls or OpenSSL it was built with. */
static void golden_prom_normalise(char *out)
{
	static const char fixed[] = "dbtls_build_info{version=\"V\",openssl=\"O\"} 1";
	char *p = strstr(out, "\ndbtls_build_info{"), *eol;

	assert_non_null(p);
	p++;
	eol = strchr(p, '\n');
	assert_non_null(eol);
	assert_true((size_t)(eol - p) >= sizeof(fixed) - 1);
	memcpy(p, fixed, sizeof(fixed) - 1);
	memmove(p + sizeof(fixed) - 1, eol, strlen(eol) + 1);
}

static double prom_get(const struct prom_sample *all, size_t n, const char *name, const char *l1,
		       const char *v1, const char *l2, const char *v2)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(all[i].name, name))
			continue;
		if (l1 && (!prom_label(&all[i], l1) || strcmp(prom_label(&all[i], l1), v1)))
			continue;
		if (l2 && (!prom_label(&all[i], l2) || strcmp(prom_label(&all[i], l2), v2)))
			continue;
		return all[i].value;
	}
	fail_msg("prom: no sample %s{%s=%s,%s=%s}", name, l1 ? l1 : "", l1 ? v1 : "", l2 ? l2 : "",
		 l2 ? v2 : "");
	return -1;
}

static bool prom_has(const struct prom_sample *all, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].name, name))
			return true;
	return false;
}

static void test_prom(void **state)
{
	struct dbtls_scan_facts s;
	struct dbtls_evaluation ev;
	struct prom_sample *all;
	char *out, *hostile_target;
	size_t n;
	(void)state;

	fixture(&s);
	evaluation(&s, &ev);
	out = fx_render(&dbtls_report_prom, &s, &ev, false);
	all = check_prom(out, &n);
	assert_int_equal(prom_get(all, n, "dbtls_scan_timestamp_seconds", NULL, NULL, NULL, NULL),
			 1700000012);
	assert_int_equal(prom_get(all, n, "dbtls_scan_duration_seconds", NULL, NULL, NULL, NULL),
			 12);
	assert_int_equal(prom_get(all, n, "dbtls_endpoints", "outcome", "failed", NULL, NULL), 3);
	assert_int_equal(prom_get(all, n, "dbtls_endpoints", "outcome", "errored", NULL, NULL), 1);
	assert_int_equal(prom_get(all, n, "dbtls_tls_version_accepted", "target",
				  "mysql://db1.example:3306", "version", "TLSv1.0"),
			 1);
	assert_int_equal(prom_get(all, n, "dbtls_tls_version_accepted", "target",
				  "mysql://db1.example:3306", "version", "SSLv3"),
			 0);
	/* no TLS: every version refused; never reached: no sample at all */
	assert_int_equal(prom_get(all, n, "dbtls_tls_version_accepted", "target",
				  "mysql://db3:3306", "version", "TLSv1.3"),
			 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].name, "dbtls_tls_version_accepted"))
			assert_string_not_equal(prom_label(&all[i], "target"), "mysql://db4:3306");
	assert_int_equal(prom_get(all, n, "dbtls_certificate_not_after_timestamp_seconds", "target",
				  "mysql://db1.example:3306", "position", "0"),
			 1701648000);
	assert_int_equal(prom_get(all, n, "dbtls_certificate_not_after_timestamp_seconds",
				  "subject", "CN=Example Issuing CA,O=Example", "position", "1"),
			 1893456000);
	assert_int_equal(prom_get(all, n, "dbtls_findings", "target", "mysql://db1.example:3306",
				  "severity", "high"),
			 2);
	assert_int_equal(prom_get(all, n, "dbtls_findings", "target", "mysql://db1.example:3306",
				  "severity", "medium"),
			 1); /* the waived 3DES finding does not count */
	assert_int_equal(prom_get(all, n, "dbtls_findings_waived", "target",
				  "mysql://db1.example:3306", NULL, NULL),
			 1);
	assert_int_equal(prom_get(all, n, "dbtls_ca_rotation_ready", "target",
				  "mysql://db1.example:3306", NULL, NULL),
			 1);
	assert_int_equal(
	    prom_get(all, n, "dbtls_scan_errors", "target", "mysql://db4:3306", NULL, NULL), 1);
	assert_int_equal(
	    prom_get(all, n, "dbtls_endpoint_scanned", "target", "mysql://db3:3306", NULL, NULL),
	    1);
	/* the label is the canonical endpoint id, whatever the target's spelling ("db3:3306",
	 * "tls://[::1]:8443/…" as given): one endpoint, one series */
	assert_int_equal(
	    prom_get(all, n, "dbtls_endpoint_failed", "target", "tls://[::1]:8443", NULL, NULL), 1);
	/* hostile text still reaches labels (the subject): unescaped it is the sanitised text */
	hostile_target = dbtls_esc_strdup(HOSTILE, DBTLS_ESC_KEEP_NL);
	assert_non_null(strchr(hostile_target, '\n'));
	assert_non_null(strstr(hostile_target, "\\xff"));
	assert_int_equal(prom_get(all, n, "dbtls_certificate_not_after_timestamp_seconds",
				  "subject", hostile_target, "position", "0"),
			 1699000000);
	free(hostile_target);
	/* what a blackbox/ssl_exporter user expects */
	assert_int_equal(prom_get(all, n, "dbtls_certificate_earliest_expiry_timestamp_seconds",
				  "target", "mysql://db1.example:3306", NULL, NULL),
			 1701648000);
	assert_int_equal(prom_get(all, n, "dbtls_tls_version_info", "target",
				  "mysql://db1.example:3306", "version", "TLSv1.2"),
			 1);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].name, "dbtls_tls_version_info"))
			assert_true(all[i].value == 1 &&
				    strcmp(prom_label(&all[i], "version"), "SSLv3") != 0);
	assert_int_equal(
	    prom_get(all, n, "dbtls_last_success_timestamp_seconds", NULL, NULL, NULL, NULL),
	    1700000012);
	assert_int_equal(prom_get(all, n, "dbtls_build_info", "version", DBTLS_VERSION, NULL, NULL),
			 1);
	assert_non_null(prom_label(prom_find(all, n, "dbtls_build_info"), "openssl"));
	/* the golden file does not pin the versions of this build */
	golden_prom_normalise(out);
	golden("report.prom", out);
	free(all);
	free(out);
	/* a live scan's wall time, to the millisecond, not whole seconds of the clock */
	s.duration_s = 0.37;
	out = fx_render(&dbtls_report_prom, &s, &ev, false);
	assert_non_null(strstr(out, "\ndbtls_scan_duration_seconds 0.370\n"));
	free(out);
	s.duration_s = 0;
	s.finished_at = s.started_at; /* a report read back: never less than an endpoint took */
	out = fx_render(&dbtls_report_prom, &s, &ev, false);
	assert_non_null(strstr(out, "\ndbtls_scan_duration_seconds 10.000\n"));
	free(out);
	s.finished_at = s.started_at + 12;

	/* without a policy: no finding metrics, outcomes are scanned/errored */
	out = fx_render(&dbtls_report_prom, &s, NULL, false);
	all = check_prom(out, &n);
	assert_false(prom_has(all, n, "dbtls_findings"));
	assert_int_equal(prom_get(all, n, "dbtls_endpoints", "outcome", "scanned", NULL, NULL), 2);
	free(all);
	free(out);

	/* the same target twice: written once, the file stays valid */
	free(s.endpoints[3].target);
	s.endpoints[3].target = strdup("db3:3306");
	out = fx_render(&dbtls_report_prom, &s, &ev, false);
	all = check_prom(out, &n);
	free(all);
	free(out);
	dbtls_evaluation_free(&ev);
	dbtls_scan_facts_free(&s);
}

/* --- JSON Lines --------------------------------------------------------------------------------
 */

static void test_jsonl(void **state)
{
	struct dbtls_scan_facts s;
	struct dbtls_evaluation ev;
	char *out, *line, *save = NULL, id[48];
	size_t nfind = 0, nep = 0;
	(void)state;

	fixture(&s);
	evaluation(&s, &ev);
	dbtls_report_scan_id(&s, id, sizeof(id));
	out = fx_render(&dbtls_report_jsonl, &s, &ev, false);
	assert_utf8("jsonl", out, true);
	golden("report.jsonl", out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);
		const char *type;

		if (!o)
			fail_msg("jsonl: not JSON: %s: %s", jerr.text, line);
		type = json_string_value(json_object_get(o, "type"));
		assert_non_null(type);
		assert_string_equal(json_string_value(json_object_get(o, "scan_id")), id);
		assert_string_equal(json_string_value(json_object_get(o, "started_at")),
				    "2023-11-14T22:13:20Z");
		assert_non_null(json_string_value(json_object_get(o, "target")));
		if (!strcmp(type, "finding")) {
			nfind++;
			assert_non_null(json_string_value(json_object_get(o, "check")));
			assert_non_null(json_string_value(json_object_get(o, "severity")));
			assert_true(json_is_boolean(json_object_get(o, "waived")));
		} else {
			assert_string_equal(type, "endpoint");
			assert_non_null(json_string_value(json_object_get(o, "outcome")));
			nep++;
		}
		json_decref(o);
	}
	assert_int_equal(nfind, 7);
	assert_int_equal(nep, 4); /* also the endpoints without findings */
	free(out);

	/* not judged: one endpoint line each, findings null */
	out = fx_render(&dbtls_report_jsonl, &s, NULL, false);
	assert_non_null(strstr(out, "\"outcome\":\"scanned\",\"findings\":null"));
	assert_null(strstr(out, "\"type\":\"finding\""));
	free(out);
	dbtls_evaluation_free(&ev);
	dbtls_scan_facts_free(&s);
}

/* --- text and JSON ------------------------------------------------------------------------------
 */

static void test_text(void **state)
{
	struct dbtls_scan_facts s;
	struct dbtls_evaluation ev;
	char *out;
	(void)state;

	fixture(&s);
	evaluation(&s, &ev);
	out = fx_render(&dbtls_report_text, &s, &ev, false);
	assert_clean_utf8("text", out);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "FAIL  mysql://db1.example:3306 (mysql 192.0.2.10 port 3306"));
	assert_non_null(strstr(out, "ERROR mysql://db4:3306"));
	assert_non_null(strstr(out,
			       "TLSv1.2: 4 suites, server's order; 2 weak: "
			       "TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_3DES_EDE_CBC_SHA\n"));
	assert_non_null(strstr(out, "  HIGH     protocol.tls10-enabled: TLS 1.0 accepted\n"));
	assert_non_null(strstr(out, "  WAIVED   suites.3des: 1 3DES suite accepted\n"));
	assert_non_null(strstr(out, "nearest expiry: tls://[::1]:8443/"));
	assert_non_null(strstr(out, "CA rotation to /etc/dbtls/new-ca.pem: 1 of 4 endpoints ready; "
				    "not ready: tls://"));
	assert_non_null(strstr(out, "FAIL  3 of 4 endpoints failed, 2 with errors\n"));
	/* one set of counts: the endpoint that failed with errors is not lost between the lines */
	assert_non_null(strstr(out, "3 of 4 endpoints scanned (1 not reached), 2 with errors\n"));
	assert_non_null(strstr(
	    out, "3 failed (findings at or above high; 1 of them with errors too), 1 errored\n"));
	golden("report.txt", out);
	free(out);
	out = fx_render(&dbtls_report_text, &s, &ev, true);
	assert_non_null(strstr(out, "\033[1m\033[31mFAIL \033[0m \033[1mmysql://db1.example:3306"));
	/* our colours, never the server's */
	assert_null(strstr(out, "\x1b[31m\r"));
	free(out);
	dbtls_evaluation_free(&ev);
	dbtls_scan_facts_free(&s);
}

/* --- handshake facts, ALPN probe, session ticket, interrupted (text and HTML) ----------------- */

static char **strv(const char *a, const char *b)
{
	char **v = calloc(2, sizeof(*v));

	v[0] = strdup(a);
	v[1] = b ? strdup(b) : NULL;
	return v;
}

static void hs_fixture(struct dbtls_scan_facts *s)
{
	static const uint16_t g13[] = {0x11ec, 0x001d, 0x0017};
	struct dbtls_endpoint_facts *e;

	fixture(s);
	e = &s->endpoints[0];
	free(e->groups);
	e->groups = malloc(sizeof(g13));
	memcpy(e->groups, g13, sizeof(g13));
	e->ngroups = 3;
	e->groups_version = DBTLS_TLS13;
	e->groups13.probed = true;
	e->groups13.hrr_tested = malloc(sizeof(uint16_t));
	e->groups13.hrr_tested[0] = 0x11ec;
	e->groups13.nhrr_tested = 1;
	e->groups13.hrr = malloc(sizeof(uint16_t));
	e->groups13.hrr[0] = 0x11ec;
	e->groups13.nhrr = 1;
	e->hygiene = (struct dbtls_hygiene_facts){.probed = true,
						  .version = DBTLS_TLS12,
						  .secure_renegotiation = 0,
						  .extended_master_secret = 1,
						  .encrypt_then_mac = -1,
						  .session_ticket = 1,
						  .status_request = 0,
						  .compression = 0,
						  .heartbeat = 0,
						  .fallback_scsv = 1};
	e->client_auth.probed = true;
	e->client_auth.requested = 1;
	e->client_auth.ca_names = strv("CN=<script>alert(1)</script>", NULL);
	e->client_auth.nca_names = 1;
	e->client_auth.sigalgs = strv("rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256");
	e->client_auth.nsigalgs = 2;
	e->sigalgs.probed = true;
	e->sigalgs.tls12 = strv("rsa_pss_rsae_sha256", NULL);
	e->sigalgs.ntls12 = 1;
	e->vulns = (struct dbtls_vuln_facts){.probed = true,
					     .heartbleed = 1,
					     .ccs_injection = 0,
					     .dh_bits = 1024,
					     .dh_prime_prime = 1,
					     .dh_prime_safe = 1};
	e->vulns.heartbleed_detail = strdup("heartbeat response of 83 bytes");
	e->vulns.dh_prime_name = strdup("RFC 2409 Oakley group 2");
	e->verification.ticket =
	    (struct dbtls_ticket_facts){.probed = true, .issued = 1, .lifetime_s = 7200};
	e = &s->endpoints[1];
	e->alpn_probe.probed = true;
	e->alpn_probe.protocol = strdup("postgresql");
	e->alpn_probe.outcome = DBTLS_ALPN_REFUSED;
	e->alpn_probe.detail = strdup("one more handshake offered only \"postgresql\"");
	s->interrupted = true;
	dbtls_facts_add_error(&s->endpoints[3], DBTLS_ERR_INTERRUPTED, "scan", "interrupted");
}

static void test_hsfacts(void **state)
{
	struct dbtls_scan_facts s;
	struct dbtls_evaluation ev;
	char *out;
	(void)state;

	hs_fixture(&s);
	evaluation(&s, &ev);
	out = fx_render(&dbtls_report_text, &s, &ev, false);
	assert_clean_utf8("text", out);
	assert_non_null(strstr(out, "  session ticket: issued, lifetime hint 7200 s (2.0 h)\n"));
	assert_non_null(strstr(out, "  TLS 1.3 groups: preference X25519MLKEM768, x25519, "
				    "secp256r1; post-quantum X25519MLKEM768; HelloRetryRequest "
				    "asked for X25519MLKEM768 (tested X25519MLKEM768)\n"));
	assert_non_null(strstr(out, "  TLS 1.2 hygiene: TLSv1.2: secure renegotiation no; extended "
				    "master secret yes;"));
	assert_non_null(strstr(out, "TLS_FALLBACK_SCSV honoured"));
	assert_non_null(strstr(out, "  client certificate: requested; CA names: "
				    "CN=<script>alert(1)</script>; signature algorithms: "
				    "rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256\n"));
	assert_non_null(strstr(out, "  signature algorithms: TLS 1.2 rsa_pss_rsae_sha256; TLS 1.3 "
				    "not probed\n"));
	assert_non_null(strstr(out, "  handshake vulnerabilities: Heartbleed VULNERABLE (heartbeat "
				    "response of 83 bytes); CCS injection no; DHE prime 1024 bits, "
				    "RFC 2409 Oakley group 2, prime, safe prime\n"));
	assert_non_null(strstr(out, "  ALPN probe: \"postgresql\" refused (one more handshake"));
	assert_non_null(strstr(out, "interrupted: the run was stopped (SIGINT/SIGTERM); 1 endpoint "
				    "not finished (INTERRUPTED errors)\n"));
	free(out);
	out = fx_render(&dbtls_report_html, &s, &ev, false);
	assert_non_null(strstr(out, "<h3>Handshake facts</h3>"));
	assert_non_null(strstr(out, "<dt>session ticket</dt><dd>issued, lifetime hint 7200 s"));
	assert_non_null(strstr(out,
			       "<dt>handshake vulnerabilities</dt><dd class=\"bad\">Heartbleed "
			       "VULNERABLE"));
	assert_non_null(strstr(out, "<dt>TLS 1.2 hygiene</dt><dd class=\"bad\">"));
	/* CA names come from the network: escaped, never markup */
	assert_null(strstr(out, "<script>"));
	assert_non_null(strstr(out, "CN=&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(out, "<dt>ALPN probe</dt><dd class=\"bad\">&quot;postgresql&quot; "
				    "refused"));
	assert_non_null(strstr(out, "<p class=\"meta\" id=\"interrupted\"><span "
				    "class=\"warn\">interrupted</span>: the run was stopped"));
	free(out);
	dbtls_evaluation_free(&ev);
	dbtls_scan_facts_free(&s);
}

/* --- the PCI DSS inventory: gathered as the endpoints pass, bounded per row ------------------- */

static char *inv_render(const struct dbtls_inventory *inv, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	if (html)
		dbtls_inventory_write_html(m, inv);
	else
		dbtls_inventory_write(m, inv);
	fclose(m);
	return buf;
}

static void test_inventory(void **state)
{
	struct dbtls_scan_facts s;
	struct dbtls_evaluation ev;
	struct dbtls_policy pci = policy;
	struct dbtls_endpoint_facts *e;
	struct dbtls_inventory *inv = dbtls_inventory_new();
	char *orig, *out, t[32];
	(void)state;

	fixture(&s);
	e = &s.endpoints[0];
	orig = e->target;
	/* 20 endpoints with the same suites and chain: each row counts 20 and keeps the first 16 */
	assert_non_null(inv);
	for (size_t i = 0; i < 20; i++) {
		snprintf(t, sizeof(t), "db%zu:3306", i);
		e->target = t;
		dbtls_inventory_add(inv, e, i);
	}
	e->target = orig;
	assert_false(inv->oom);
	assert_int_equal(inv->ncerts, 2);
	assert_true(inv->certs[0].leaf);
	assert_false(inv->certs[1].leaf);
	assert_int_equal(inv->certs[0].eps.n, 20);
	assert_string_equal(inv->certs[0].eps.kept[15].target, "db15:3306");
	assert_int_equal(inv->certs[0].eps.kept[15].index, 15);
	assert_int_equal(inv->nsuites[DBTLS_TLS12], 4);
	assert_int_equal(inv->suites[DBTLS_TLS13][0].eps.n, 20);
	out = inv_render(inv, false);
	assert_non_null(
	    strstr(out, "    TLSv1.3  TLS_AES_256_GCM_SHA384                       db0:3306, "
			"db1:3306, db2:3306, db3:3306 +16 more\n"));
	assert_non_null(strstr(out, "    leaf  CN=db1.example,O=Example; issuer CN=Example Issuing "
				    "CA,O=Example; "));
	assert_non_null(
	    strstr(out, "; served by db0:3306, db1:3306, db2:3306, db3:3306 +16 more\n"));
	free(out);
	out = inv_render(inv, true);
	assert_non_null(strstr(out, "<a href=\"#ep-16\">db15:3306</a> and 4 more</td></tr>"));
	assert_null(strstr(out, "db16:3306"));
	free(out);
	dbtls_inventory_free(inv);
	dbtls_inventory_free(NULL);

	/* through the writers, under a pci-dss profile: every format has it, the hostile target
	 * escaped; under another profile none has it */
	evaluation(&s, &ev);
	pci.name = (char *)"pci-dss";
	ev.policy = &pci;
	out = fx_render(&dbtls_report_json, &s, &ev, false);
	assert_non_null(strstr(out, "\"guideline\": \"PCI DSS v4.0.1\""));
	assert_non_null(strstr(out, "\"endpoint_count\": "));
	free(out);
	out = fx_render(&dbtls_report_html, &s, &ev, false);
	assert_non_null(strstr(out, "<section id=\"inventory\">"));
	assert_null(strstr(out, "<script"));
	free(out);
	out = fx_render(&dbtls_report_text, &s, &ev, false);
	assert_clean_utf8("text", out);
	assert_non_null(strstr(out, "\nPCI DSS 4.0.1 inventory\n"));
	free(out);
	ev.policy = &policy;
	out = fx_render(&dbtls_report_json, &s, &ev, false);
	assert_null(strstr(out, "\"inventory\""));
	free(out);
	dbtls_evaluation_free(&ev);
	dbtls_scan_facts_free(&s);
}

static void test_json(void **state)
{
	struct dbtls_scan_facts s;
	struct dbtls_evaluation ev;
	char *out;
	(void)state;

	fixture(&s);
	evaluation(&s, &ev);
	out = fx_render(&dbtls_report_json, &s, &ev, false);
	golden("report.json", out);
	free(out);
	dbtls_evaluation_free(&ev);
	dbtls_scan_facts_free(&s);
}

/* Every writer copes with no endpoints and with no policy. */
static void test_edge_cases(void **state)
{
	struct dbtls_scan_facts s = {
	    .tool_version = (char *)"9.9.9", .started_at = 1700000000, .finished_at = 1700000000};
	struct dbtls_scan_facts full;
	size_t nw, n;
	const struct dbtls_report_writer *const *all = dbtls_report_all(&nw);
	(void)state;

	fixture(&full);
	for (size_t i = 0; i < nw; i++) {
		char *out = fx_render(all[i], &s, NULL, false);
		if (all[i] == &dbtls_report_html)
			check_html(out);
		if (all[i] == &dbtls_report_prom)
			free(check_prom(out, &n));
		free(out);
		out = fx_render(all[i], &full, NULL, false);
		if (all[i] == &dbtls_report_html) {
			check_html(out);
			assert_non_null(strstr(out, "Not judged"));
		}
		assert_utf8(all[i]->name, out,
			    all[i] == &dbtls_report_json || all[i] == &dbtls_report_jsonl);
		free(out);
	}
	dbtls_scan_facts_free(&full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),  cmocka_unit_test(test_utf8_seq),
	    cmocka_unit_test(test_scan_id), cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_html),    cmocka_unit_test(test_prom),
	    cmocka_unit_test(test_jsonl),   cmocka_unit_test(test_text),
	    cmocka_unit_test(test_json),    cmocka_unit_test(test_edge_cases),
	    cmocka_unit_test(test_hsfacts), cmocka_unit_test(test_inventory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
