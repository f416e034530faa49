/* SPDX-License-Identifier: MIT */
/*
 * test_policy.c — profiles (every shipped one loads; bad files give FILE:LINE:COLUMN errors;
 * `extends` layers and refuses cycles), waivers (strict loading; a waiver hides a finding until its
 * date, then no more), the evaluation counts behind the exit codes, and `policy derive` round
 * trips: a pinned profile passes the scan it came from and flags a change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/policy/policy.h"

static char tmpdir[] = "/tmp/dbtls-policy-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static bool enabled(const struct dbtls_policy *p, const char *id, enum dbtls_severity *sev)
{
	for (size_t i = 0; i < p->nsettings; i++)
		if (!strcmp(p->settings[i].id, id)) {
			if (sev)
				*sev = p->settings[i].severity;
			return p->settings[i].enabled;
		}
	fail_msg("no check %s", id);
	return false;
}

static void test_builtins_load(void **state)
{
	static const char *const want[] = {"baseline",
					   "rfc9325",
					   "nist-800-52r2",
					   "bsi-tr-02102-2",
					   "mozilla-modern",
					   "mozilla-intermediate",
					   "pci-dss",
					   "mozilla-intermediate-6",
					   "bsi-tr-02102-2-2026",
					   "mozilla-modern-6"};
	(void)state;

	assert_int_equal(dbtls_nbuiltin_policies, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct dbtls_policy p;
		struct dbtls_diag d = {0};
		size_t on = 0;

		if (dbtls_policy_load(want[i], &p, &d))
			fail_msg("%s: %s", want[i], d.msg);
		assert_string_equal(p.name, want[i]);
		assert_true(p.version && *p.version);
		assert_true(p.guideline && *p.guideline);
		for (size_t k = 0; k < p.nsettings; k++)
			on += p.settings[k].enabled;
		assert_true(on >= 8);
		/* no shipped profile accepts TLS 1.0 */
		assert_true(enabled(&p, "protocol.tls10-enabled", NULL) ||
			    p.params.min_version >= DBTLS_TLS12);
		dbtls_policy_free(&p);
	}
	struct dbtls_policy p;
	struct dbtls_diag d = {0};
	enum dbtls_severity sev;
	assert_int_equal(dbtls_policy_load("baseline", &p, &d), DBTLS_OK);
	assert_true(enabled(&p, "protocol.tls10-enabled", &sev));
	assert_int_equal(sev, DBTLS_SEV_HIGH);
	assert_true(enabled(&p, "protocol.sslv3-enabled", &sev));
	assert_int_equal(sev, DBTLS_SEV_CRITICAL);
	assert_true(p.params.forbidden_props & DBTLS_PROP_RC4);
	assert_false(p.params.forbidden_props & DBTLS_PROP_CBC);
	assert_false(enabled(&p, "drift.versions", NULL));
	assert_string_equal(p.source, "builtin:baseline");
	dbtls_policy_free(&p);
	assert_int_equal(dbtls_policy_load("nonesuch", &p, &d), DBTLS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "unknown policy 'nonesuch' (built in: baseline,"));
}

/* Loads text as a profile file and asserts the error is exactly FILE:want. */
static void bad(const char *text, const char *want)
{
	const char *path = write_file("bad.json", text);
	struct dbtls_policy p;
	struct dbtls_diag d = {0};
	char full[512];

	assert_int_equal(dbtls_policy_load(path, &p, &d), DBTLS_ERR_INPUT);
	snprintf(full, sizeof(full), "%s:%s", path, want);
	if (strcmp(d.msg, full) != 0)
		fail_msg("got  '%s'\nwant '%s'", d.msg, full);
}

static void test_bad_files(void **state)
{
	(void)state;
	bad("{\n  \"name\": \"x\",\n  \"version\": \"1\",\n  \"colour\": true\n}\n",
	    "4:3: unknown key 'colour'");
	bad("{\n  \"name\": \"x\",\n  \"version\": \"1\",\n  \"checks\": {\n"
	    "    \"protocol.tls10-enabled\": \"high\",\n    \"protocol.tls9-enabled\": \"high\"\n  "
	    "}\n}\n",
	    "6:5: unknown check 'protocol.tls9-enabled' (dbtls explain lists none such)");
	bad("{\"name\": \"x\", \"version\": \"1\",\n \"parameters\": {\"min_rsa_bits\": \"2048\"}}",
	    "2:17: expected an integer, got a string");
	bad("{\"name\": \"x\", \"version\": \"1\", \"parameters\": {\n  \"allowed_suites\": [\n"
	    "    \"TLS_AES_128_GCM_SHA256\",\n    \"TLS_FOO\"\n  ]}}",
	    "4:5: unknown cipher suite 'TLS_FOO' (use IANA or OpenSSL names)");
	bad("{\"name\": \"x\", \"version\": \"1\", \"checks\": {\"cert.expired\": \"severe\"}}",
	    "1:42: unknown severity 'severe' (info, low, medium, high, critical, off)");
	bad("{\"name\": \"x\", \"version\": \"1\", \"parameters\": {\"min_version\": \"TLSv1.4\"}}",
	    "1:46: expected a TLS version name (SSLv2 … TLSv1.3)");
	bad("{\"name\": \"x\", \"version\": \"1\", \"parameters\": {\"min_rsa_bits\": 99999}}",
	    "1:46: 99999 is out of range (0 to 16384)");
	bad("{\"name\": \"x\"}", "1:1: \"version\" must be a string and is missing");
	bad("{\"name\": \"x\", \"version\": \"1\",}", "1:30: string or '}' expected near '}'");
	bad("{\"name\": \"x\", \"name\": \"y\", \"version\": \"1\"}",
	    "1:20: duplicate object key near '\"name\"'");
	bad("[1, 2]", "1:1: a profile is a JSON object, got an array");
}

static void test_extends(void **state)
{
	struct dbtls_policy p;
	struct dbtls_diag d = {0};
	enum dbtls_severity sev;
	const char *path;
	(void)state;

	path = write_file("mine.json",
			  "{\"name\": \"mine\", \"version\": \"3\", \"extends\": \"baseline\",\n"
			  " \"parameters\": {\"min_rsa_bits\": 3072},\n"
			  " \"checks\": {\"cert.self-signed\": \"off\", "
			  "\"protocol.tls11-enabled\": \"critical\"}}");
	assert_int_equal(dbtls_policy_load(path, &p, &d), DBTLS_OK);
	assert_string_equal(p.name, "mine");
	assert_int_equal(p.params.min_rsa_bits, 3072);
	assert_false(enabled(&p, "cert.self-signed", NULL));
	assert_true(enabled(&p, "protocol.tls11-enabled", &sev));
	assert_int_equal(sev, DBTLS_SEV_CRITICAL);
	assert_true(enabled(&p, "protocol.tls10-enabled", &sev)); /* from baseline */
	assert_int_equal(sev, DBTLS_SEV_HIGH);
	assert_true(p.params.forbidden_props & DBTLS_PROP_RC4); /* from baseline */
	dbtls_policy_free(&p);

	/* a file extending a file, relative to its own directory; a cycle is refused */
	write_file("a.json", "{\"name\": \"a\", \"version\": \"1\", \"extends\": \"b.json\"}");
	path = write_file("b.json",
			  "{\"name\": \"b\", \"version\": \"1\",\n \"extends\": \"a.json\"}");
	assert_int_equal(dbtls_policy_load(path, &p, &d), DBTLS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "extends itself (a cycle)"));
	path =
	    write_file("c.json", "{\"name\": \"c\", \"version\": \"1\",\n \"extends\": \"nope\"}");
	assert_int_equal(dbtls_policy_load(path, &p, &d), DBTLS_ERR_INPUT);
	assert_non_null(
	    strstr(d.msg, "c.json:2:2: in the profile it extends: unknown policy 'nope'"));
	/* enabling a property's check through the parameter list */
	path = write_file(
	    "p.json",
	    "{\"name\": \"p\", \"version\": \"1\",\n"
	    " \"parameters\": {\"forbidden_suite_properties\": [\"cbc\", \"sha1_mac\"]}}");
	assert_int_equal(dbtls_policy_load(path, &p, &d), DBTLS_OK);
	assert_true(enabled(&p, "suites.cbc", NULL));
	assert_true(enabled(&p, "suites.sha1-mac", NULL));
	assert_false(enabled(&p, "suites.rc4", NULL));
	dbtls_policy_free(&p);
}

/* An endpoint that accepts TLS 1.0 and 1.2. */
static void tls10_endpoint(struct dbtls_endpoint_facts *e, const char *target)
{
	const char *h = strstr(target, "://") ? strstr(target, "://") + 3 : target;

	memset(e, 0, sizeof(*e));
	e->target = strdup(target);
	e->protocol = strdup("mysql");
	e->host = strndup(h, strcspn(h, ":"));
	e->port = 3306;
	/* a chain that verifies, so that the certificate checks have something to judge */
	e->ncerts = 1;
	e->certs = calloc(1, sizeof(*e->certs));
	e->certs[0].subject = strdup("CN=db1");
	e->certs[0].issuer = strdup("CN=Test CA");
	e->certs[0].key_type = strdup("RSA");
	e->certs[0].key_bits = 2048;
	e->certs[0].sig_alg = strdup("sha256WithRSAEncryption");
	e->certs[0].not_before_t = 1800000000 - 100 * 86400;
	e->certs[0].not_after_t = 1800000000 + 265 * 86400;
	e->certs[0].days_left = 265;
	e->verification.done = true;
	e->verification.ca_ok = true;
	e->verification.hostname_ok = true;
	e->tls_offered = 1;
	e->groups_version = -1;
	e->versions[DBTLS_TLS10].status = DBTLS_VS_ACCEPTED;
	e->versions[DBTLS_TLS10].suites = calloc(1, sizeof(uint32_t));
	e->versions[DBTLS_TLS10].suites[0] = 0xc013;
	e->versions[DBTLS_TLS10].nsuites = 1;
	e->versions[DBTLS_TLS12].status = DBTLS_VS_ACCEPTED;
	e->versions[DBTLS_TLS12].suites = calloc(1, sizeof(uint32_t));
	e->versions[DBTLS_TLS12].suites[0] = 0xc02f;
	e->versions[DBTLS_TLS12].nsuites = 1;
	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		if (!e->versions[v].status)
			e->versions[v].status = DBTLS_VS_REJECTED;
}

static size_t count_check(const struct dbtls_findings *fs, const char *id, bool *waived)
{
	size_t n = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->items[i].check, id)) {
			n++;
			if (waived)
				*waived = fs->items[i].waived;
		}
	return n;
}

static void test_waivers(void **state)
{
	struct dbtls_scan_facts s = {0};
	struct dbtls_policy p;
	struct dbtls_waivers w;
	struct dbtls_evaluation ev;
	struct dbtls_diag d = {0};
	const char *path;
	bool waived;
	time_t now = 1800000000; /* 2027-01-15 */
	(void)state;

	s.nendpoints = 2;
	s.endpoints = calloc(2, sizeof(*s.endpoints));
	tls10_endpoint(&s.endpoints[0], "mysql://db1:3306");
	tls10_endpoint(&s.endpoints[1], "mysql://db2:3306");
	assert_int_equal(dbtls_policy_load("baseline", &p, &d), DBTLS_OK);

	path = write_file(
	    "w.json",
	    "{\"waivers\": [\n"
	    " {\"check\": \"protocol.tls10-enabled\", \"endpoint\": \"mysql://db1:3306\",\n"
	    "  \"until\": \"2027-01-15\", \"reason\": \"legacy ERP client\", \"owner\": "
	    "\"dba-team\"}]}");
	assert_int_equal(dbtls_waivers_load(path, &w, &d), DBTLS_OK);
	assert_int_equal(w.n, 1);
	/* on the last day the waiver still holds */
	assert_int_equal(dbtls_evaluate(&p, &w, &s, DBTLS_SEV_HIGH, now, &ev), DBTLS_OK);
	assert_int_equal(count_check(&ev.findings[0], "protocol.tls10-enabled", &waived), 1);
	assert_true(waived);
	assert_string_equal(ev.findings[0].items[0].waiver_owner, "dba-team");
	assert_int_equal(count_check(&ev.findings[1], "protocol.tls10-enabled", &waived), 1);
	assert_false(waived); /* another endpoint: not covered */
	assert_int_equal(ev.waived, 1);
	assert_int_equal(ev.passed, 1);
	assert_int_equal(ev.failed, 1);
	dbtls_evaluation_free(&ev);
	/* a day later it has run out: the finding counts again */
	assert_int_equal(dbtls_evaluate(&p, &w, &s, DBTLS_SEV_HIGH, now + 86400, &ev), DBTLS_OK);
	count_check(&ev.findings[0], "protocol.tls10-enabled", &waived);
	assert_false(waived);
	assert_int_equal(ev.failed, 2);
	assert_int_equal(ev.waived, 0);
	dbtls_evaluation_free(&ev);
	/* --fail-on critical: TLS 1.0 (high) no longer fails anybody */
	assert_int_equal(dbtls_evaluate(&p, NULL, &s, DBTLS_SEV_CRITICAL, now, &ev), DBTLS_OK);
	assert_int_equal(ev.failed, 0);
	assert_int_equal(ev.passed, 2);
	assert_true(ev.by_severity[DBTLS_SEV_HIGH] >= 2);
	dbtls_evaluation_free(&ev);
	dbtls_waivers_free(&w);

	/* strict loading */
	static const struct {
		const char *text, *want;
	} rows[] = {
	    {"{\"waivers\": [{\"check\": \"protocol.tls10-enabled\", \"endpoint\": \"x\", "
	     "\"until\": \"2027-13-01\", \"reason\": \"r\", \"owner\": \"o\"}]}",
	     ":1:67: expected a date YYYY-MM-DD, got '2027-13-01'"},
	    {"{\"waivers\": [{\"check\": \"protocol.nope\", \"endpoint\": \"x\", \"until\": "
	     "\"2027-01-01\", \"reason\": \"r\", \"owner\": \"o\"}]}",
	     ":1:15: unknown check 'protocol.nope'"},
	    {"{\"waivers\": [{\"check\": \"cert.expired\", \"endpoint\": \"x\", \"until\": "
	     "\"2027-01-01\", \"reason\": \"r\"}]}",
	     ":1:14: waiver lacks the field 'owner'"},
	    {"{\"waivers\": [\n {\"check\": \"cert.expired\", \"endpoint\": \"x\", \"until\": "
	     "\"2027-01-01\", \"reason\": \"r\", \"owner\": \"o\", \"ticket\": 5}]}",
	     ":2:97: unknown waiver field 'ticket'"},
	    {"{\"waiver\": []}", ":1:2: unknown key 'waiver'"},
	    {"{\"waivers\": [}", ":1:14: unexpected token near '}'"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char want[512];
		path = write_file("wbad.json", rows[i].text);
		assert_int_equal(dbtls_waivers_load(path, &w, &d), DBTLS_ERR_INPUT);
		snprintf(want, sizeof(want), "%s%s", path, rows[i].want);
		if (strcmp(d.msg, want))
			fail_msg("row %zu: got '%s', want '%s'", i, d.msg, want);
	}
	dbtls_policy_free(&p);
	dbtls_scan_facts_free(&s);
}

static void test_derive_round_trip(void **state)
{
	struct dbtls_scan_facts s = {0};
	struct dbtls_policy p;
	struct dbtls_evaluation ev;
	struct dbtls_diag d = {0};
	const char *path;
	char *text;
	(void)state;

	s.nendpoints = 1;
	s.endpoints = calloc(1, sizeof(*s.endpoints));
	tls10_endpoint(&s.endpoints[0], "mysql://db1:3306");
	assert_int_equal(dbtls_policy_derive(&s, "db1-pinned", NULL, &text, &d), DBTLS_OK);
	path = write_file("pinned.json", text);
	free(text);
	if (dbtls_policy_load(path, &p, &d))
		fail_msg("%s", d.msg);
	assert_int_equal(p.npins, 1);
	assert_true(enabled(&p, "drift.versions", NULL));
	/* a pin is a layer on baseline, not a profile that switches the security checks off */
	assert_true(enabled(&p, "protocol.tls10-enabled", NULL));
	/* the very scan it was derived from: nothing has drifted, baseline still flags TLS 1.0 */
	assert_int_equal(dbtls_evaluate(&p, NULL, &s, DBTLS_SEV_HIGH, 1800000000, &ev), DBTLS_OK);
	assert_int_equal(count_check(&ev.findings[0], "drift.versions", NULL), 0);
	assert_int_equal(count_check(&ev.findings[0], "drift.suites", NULL), 0);
	assert_int_equal(count_check(&ev.findings[0], "protocol.tls10-enabled", NULL), 1);
	dbtls_evaluation_free(&ev);
	/* TLS 1.1 appears: drift */
	s.endpoints[0].versions[DBTLS_TLS11].status = DBTLS_VS_ACCEPTED;
	assert_int_equal(dbtls_evaluate(&p, NULL, &s, DBTLS_SEV_HIGH, 1800000000, &ev), DBTLS_OK);
	assert_int_equal(count_check(&ev.findings[0], "drift.versions", NULL), 1);
	assert_int_equal(ev.failed, 1);
	dbtls_evaluation_free(&ev);
	dbtls_policy_free(&p);
	dbtls_scan_facts_free(&s);
}

/* The target of a pin, a waiver and an endpoint are compared by the canonical id; an endpoint
 * without a pin, or whose pin holds nothing, is not evaluable rather than passed; an errored
 * endpoint keeps its place in the derived pins; an empty pin list and an empty report are errors;
 * no leak on an unscanned endpoint (LeakSanitizer). */
static void test_derive_identity(void **state)
{
	struct dbtls_scan_facts s = {0};
	struct dbtls_policy p;
	struct dbtls_waivers w;
	struct dbtls_evaluation ev;
	struct dbtls_diag d = {0};
	const char *path;
	char *text = NULL;
	bool waived = false;
	(void)state;

	assert_int_equal(dbtls_policy_derive(&s, "x", NULL, &text, &d), DBTLS_ERR_INPUT);
	assert_null(text);
	s.nendpoints = 3;
	s.endpoints = calloc(3, sizeof(*s.endpoints));
	tls10_endpoint(&s.endpoints[0], "DB1");
	tls10_endpoint(&s.endpoints[1], "mysql://db2:3306");
	tls10_endpoint(&s.endpoints[2], "db3:3306");
	dbtls_facts_add_error(&s.endpoints[2], DBTLS_ERR_TIMEOUT, "connect", "timed out");
	assert_int_equal(dbtls_policy_derive(&s, "x", "rfc9325", &text, &d), DBTLS_OK);
	assert_non_null(strstr(text, "\"extends\": \"rfc9325\""));
	assert_non_null(strstr(text, "\"target\":\"mysql://db1:3306\""));
	assert_non_null(strstr(text, "\"target\":\"mysql://db3:3306\",\"unpinned\":"));
	free(text);
	/* a policy that pins db1 (spelled another way) and db3 (nothing known), not db2 */
	path = write_file("pins.json",
			  "{\"name\": \"p\", \"version\": \"1\", \"extends\": \"baseline\",\n"
			  " \"checks\": {\"drift.versions\": \"high\"},\n"
			  " \"pins\": [{\"target\": \"db1:3306\", \"versions\": [\"TLSv1.0\", "
			  "\"TLSv1.2\"]},\n"
			  "  {\"target\": \"MYSQL://DB3\", \"unpinned\": \"scan error\"}]}");
	if (dbtls_policy_load(path, &p, &d))
		fail_msg("%s", d.msg);
	dbtls_endpoint_facts_free(&s.endpoints[2]);
	tls10_endpoint(&s.endpoints[2], "db3:3306"); /* scanned fine this time */
	assert_int_equal(dbtls_evaluate(&p, NULL, &s, DBTLS_SEV_HIGH, 1800000000, &ev), DBTLS_OK);
	assert_int_equal(count_check(&ev.findings[0], "drift.versions", NULL), 0);
	assert_int_equal(count_check(&ev.findings[1], "drift.versions", NULL), 1);
	assert_true(dbtls_finding_indeterminate(&ev.findings[1].items[ev.findings[1].n - 1]));
	assert_non_null(strstr(ev.findings[1].items[ev.findings[1].n - 1].title, "no pin"));
	assert_int_equal(count_check(&ev.findings[2], "drift.versions", NULL), 1);
	assert_non_null(strstr(ev.findings[2].items[ev.findings[2].n - 1].title, "holds nothing"));
	dbtls_evaluation_free(&ev);
	/* a waiver written "db2" covers "mysql://db2:3306" */
	path = write_file("w2.json",
			  "{\"waivers\": [{\"check\": \"drift.versions\", \"endpoint\": \"db2\", "
			  "\"until\": \"2027-12-31\", \"reason\": \"r\", \"owner\": \"o\"}]}");
	assert_int_equal(dbtls_waivers_load(path, &w, &d), DBTLS_OK);
	assert_int_equal(dbtls_evaluate(&p, &w, &s, DBTLS_SEV_HIGH, 1800000000, &ev), DBTLS_OK);
	assert_int_equal(count_check(&ev.findings[1], "drift.versions", &waived), 1);
	assert_true(waived);
	dbtls_evaluation_free(&ev);
	dbtls_waivers_free(&w);
	dbtls_policy_free(&p);
	/* an empty pin list and a pin target that is no endpoint are refused */
	path = write_file("nopins.json", "{\"name\": \"p\", \"version\": \"1\", \"pins\": []}");
	assert_int_equal(dbtls_policy_load(path, &p, &d), DBTLS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "empty pin list"));
	path = write_file("badpin.json", "{\"name\": \"p\", \"version\": \"1\", \"pins\": "
					 "[{\"target\": \"pg://db1\"}]}");
	assert_int_equal(dbtls_policy_load(path, &p, &d), DBTLS_ERR_INPUT);
	dbtls_scan_facts_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtins_load),     cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_extends),	      cmocka_unit_test(test_waivers),
	    cmocka_unit_test(test_derive_round_trip), cmocka_unit_test(test_derive_identity),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
