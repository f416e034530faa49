/* SPDX-License-Identifier: MIT */
/*
 * test_diff.c — `dbtls diff` on two hand-written reports: findings that appeared, disappeared and
 * changed (severity, evidence, waiver), two findings of one check, an endpoint NEW could not scan
 * (its old findings are unverified, not gone), endpoints added and removed, a changed leaf
 * certificate, the alert count under different --fail-on, reports without findings (older
 * versions, --policy none), input errors naming the file, and the text and JSON output against
 * golden files (tests/golden/diff.txt, diff.json; DBTLS_UPDATE_GOLDEN=1 rewrites them).
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

#include "reports/diff.h"
#include "reports/report.h"

static char tmpdir[] = "/tmp/dbtls-diff-XXXXXX";

static json_t *finding(const char *check, const char *sev, const char *title, const char *ev,
		       bool waived)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:b}", "check", check, "severity", sev,
			 "title", title, "evidence", ev, "remediation", "fix it", "references",
			 "waived", waived);
}

static json_t *cert(const char *subject, char fp, const char *not_after)
{
	char hex[65];

	memset(hex, fp, 64);
	hex[64] = 0;
	return json_pack("{s:s, s:n, s:[], s:n, s:n, s:s, s:i, s:n, s:i, s:n, s:s, s:b}", "subject",
			 subject, "issuer", "sans", "serial", "not_before", "not_after", not_after,
			 "days_left", 0, "key_type", "key_bits", 0, "signature_algorithm",
			 "sha256_fingerprint", hex, "self_signed", 0);
}

/* An endpoint as the writer writes it, from facts parsed out of target ("[SCHEME://]HOST:PORT";
 * mysql when no scheme), with findings and certificates (stolen; NULL: none). */
static json_t *endpoint(const char *target, json_t *findings, json_t *certs)
{
	struct dbtls_endpoint_facts e = {0};
	const char *sep = strstr(target, "://"), *host = sep ? sep + 3 : target;
	const char *colon = strrchr(host, ':');
	json_t *o;

	e.target = strdup(target);
	e.protocol = sep ? strndup(target, (size_t)(sep - target)) : strdup("mysql");
	e.host = colon ? strndup(host, (size_t)(colon - host)) : strdup(host);
	e.port = colon ? (uint16_t)atoi(colon + 1) : 3306;
	e.tls_offered = 1;
	e.groups_version = -1;
	o = dbtls_report_json_endpoint(&e, NULL);
	assert_non_null(o);
	dbtls_endpoint_facts_free(&e);
	if (findings)
		json_object_set_new(o, "findings", findings);
	json_object_set_new(o, "certificates", certs ? certs : json_array());
	return o;
}

static json_t *report(const char *started, json_t *endpoints)
{
	return json_pack("{s:i, s:{s:s, s:s}, s:s, s:s, s:{s:s}, s:o}", "schema_version", 1, "tool",
			 "name", "dbtls", "version", "9.9.9", "started_at", started, "finished_at",
			 started, "policy", "name", "baseline", "endpoints", endpoints);
}

/* dbtls_diff_compute over two documents, read as dbtls_diff_load reads files. */
static json_t *compute(const json_t *old, const char *ol, const json_t *new_, const char *nl,
		       enum dbtls_severity fail_on)
{
	struct dbtls_diff_report o, n;
	struct dbtls_diag d = {0};
	json_t *diff;

	if (dbtls_diff_load_doc(ol, old, &o, &d) != DBTLS_OK)
		fail_msg("%s", d.msg);
	if (dbtls_diff_load_doc(nl, new_, &n, &d) != DBTLS_OK)
		fail_msg("%s", d.msg);
	diff = dbtls_diff_compute(&o, ol, &n, nl, fail_on);
	assert_non_null(diff);
	dbtls_diff_report_free(&o);
	dbtls_diff_report_free(&n);
	return diff;
}

static json_t *old_doc(void)
{
	json_t *eps = json_array();

	json_array_append_new(
	    eps,
	    endpoint("mysql://db1:3306",
		     json_pack("[o, o, o, o]",
			       finding("protocol.tls10-enabled", "high", "TLS 1.0 accepted",
				       "TLSv1.0: accepted", false),
			       finding("suites.cbc", "medium", "3 CBC suites accepted",
				       "TLSv1.2: TLS_RSA_WITH_AES_128_CBC_SHA", false),
			       finding("certs.expiring", "low", "Leaf certificate expires soon",
				       "not after 2027-01-01 (40 days)", false),
			       finding("suites.3des", "high", "1 3DES suite accepted",
				       "TLSv1.2: TLS_RSA_WITH_3DES_EDE_CBC_SHA", false)),
		     json_pack("[o, o]", cert("CN=db1", 'a', "2027-01-01T00:00:00Z"),
			       cert("CN=CA", 'b', "2030-01-01T00:00:00Z"))));
	json_array_append_new(
	    eps, endpoint("mysql://db2:3306",
			  json_pack("[o]", finding("certs.weak-key", "medium",
						   "leaf key: RSA 1024 bits", "CN=db2", false)),
			  json_pack("[o]", cert("CN=db2", 'c', "2027-06-01T00:00:00Z"))));
	json_array_append_new(
	    eps, endpoint("mysql://gone:3306",
			  json_pack("[o]", finding("protocol.tls11-enabled", "high",
						   "TLS 1.1 accepted", "TLSv1.1", false)),
			  NULL));
	json_array_append_new(
	    eps, endpoint("mysql://db5:3306",
			  json_pack("[o]", finding("protocol.tls10-enabled", "high",
						   "TLS 1.0 accepted", "TLSv1.0", false)),
			  json_pack("[o]", cert("CN=db5", 'e', "2027-06-01T00:00:00Z"))));
	return report("2026-11-01T10:00:00Z", eps);
}

static json_t *new_doc(void)
{
	json_t *eps = json_array(), *db5;

	json_array_append_new(
	    eps,
	    endpoint("mysql://db1:3306",
		     json_pack("[o, o, o, o]",
			       finding("suites.rc4", "critical", "1 RC4 suite accepted",
				       "TLSv1.2: TLS_RSA_WITH_RC4_128_SHA", false),
			       finding("protocol.tls10-enabled", "high", "TLS 1.0 accepted",
				       "TLSv1.0: accepted", false),
			       finding("certs.expiring", "high", "Leaf certificate expires soon",
				       "not after 2026-11-07 (5 days)", false),
			       finding("suites.3des", "high", "1 3DES suite accepted",
				       "TLSv1.2: TLS_RSA_WITH_3DES_EDE_CBC_SHA", true)),
		     json_pack("[o, o]", cert("CN=db1 renewed", 'd', "2027-11-01T00:00:00Z"),
			       cert("CN=CA", 'b', "2030-01-01T00:00:00Z"))));
	json_array_append_new(
	    eps, endpoint("mysql://db2:3306",
			  json_pack("[o, o]",
				    finding("certs.weak-key", "medium",
					    "intermediate key: RSA 1024 bits", "CN=db2 CA", false),
				    finding("certs.weak-key", "medium", "leaf key: RSA 1024 bits",
					    "CN=db2", false)),
			  json_pack("[o]", cert("CN=db2", 'c', "2027-06-01T00:00:00Z"))));
	/* NEW timed out on db5: no findings, no chain */
	db5 = endpoint("mysql://db5:3306", json_array(), NULL);
	json_object_set_new(db5, "errors",
			    json_pack("[{s:s, s:s, s:s}]", "code", "TIMEOUT", "message",
				      "no answer \x1b[31m within 10 s", "stage", "connect"));
	json_object_set_new(json_object_get(db5, "tls"), "offered", json_null());
	json_array_append_new(eps, db5);
	json_array_append_new(
	    eps, endpoint("mysql://new:3306",
			  json_pack("[o]", finding("suites.cbc", "medium",
						   "2 CBC suites \x1b[2J accepted\nreally",
						   "TLSv1.2", false)),
			  NULL));
	return report("2026-11-02T10:00:00Z", eps);
}

static size_t count(const json_t *diff, const char *key)
{
	return json_array_size(json_object_get(diff, key));
}

static const json_t *find(const json_t *arr, const char *target, const char *check,
			  const char *title)
{
	const json_t *v;
	size_t i;

	json_array_foreach(
	    arr, i,
	    v) if (!strcmp(json_string_value(json_object_get(v, "target")), target) &&
		   !strcmp(json_string_value(json_object_get(v, "check")), check) &&
		   (!title || !strcmp(json_string_value(json_object_get(
					  json_object_get(v, "new") ? json_object_get(v, "new") : v,
					  "title")),
				      title))) return v;
	fail_msg("no %s %s in the diff", target, check);
	return NULL;
}

static void test_compute(void **state)
{
	json_t *old = old_doc(), *new_ = new_doc(), *diff;
	const json_t *v, *eps;
	(void)state;

	diff = compute(old, "old.json", new_, "new.json", DBTLS_SEV_HIGH);
	assert_non_null(diff);
	assert_int_equal(count(diff, "appeared"), 3);
	v = find(json_object_get(diff, "appeared"), "mysql://db1:3306", "suites.rc4", NULL);
	assert_true(json_is_true(json_object_get(v, "alert")));
	/* two findings of one check: the one with the same title is matched, the other is new */
	v = find(json_object_get(diff, "appeared"), "mysql://db2:3306", "certs.weak-key",
		 "intermediate key: RSA 1024 bits");
	assert_true(json_is_false(json_object_get(v, "alert")));
	/* an added endpoint's findings appear */
	find(json_object_get(diff, "appeared"), "mysql://new:3306", "suites.cbc", NULL);

	assert_int_equal(count(diff, "disappeared"), 1);
	find(json_object_get(diff, "disappeared"), "mysql://db1:3306", "suites.cbc", NULL);

	assert_int_equal(count(diff, "changed"), 2);
	v = find(json_object_get(diff, "changed"), "mysql://db1:3306", "certs.expiring", NULL);
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "changes"), 0)),
			    "severity");
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "changes"), 1)),
			    "evidence");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v, "old"), "severity")), "low");
	assert_true(json_is_true(json_object_get(v, "alert")));
	v = find(json_object_get(diff, "changed"), "mysql://db1:3306", "suites.3des", NULL);
	assert_int_equal(json_array_size(json_object_get(v, "changes")), 1);
	assert_true(json_is_false(json_object_get(v, "alert"))); /* waived now: counts less */

	/* db5 timed out in NEW: its finding is unverified, not gone; its chain is not compared */
	assert_int_equal(count(diff, "unverified"), 1);
	find(json_object_get(diff, "unverified"), "mysql://db5:3306", "protocol.tls10-enabled",
	     NULL);
	assert_int_equal(count(diff, "certificates"), 1);
	v = json_array_get(json_object_get(diff, "certificates"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "target")), "mysql://db1:3306");
	assert_int_equal(json_integer_value(json_object_get(v, "position")), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v, "new"), "subject")),
	    "CN=db1 renewed");

	eps = json_object_get(diff, "endpoints");
	assert_string_equal(json_string_value(json_array_get(json_object_get(eps, "added"), 0)),
			    "mysql://new:3306");
	assert_string_equal(json_string_value(json_array_get(json_object_get(eps, "removed"), 0)),
			    "mysql://gone:3306");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(eps, "not_scanned"), 0)),
	    "mysql://db5:3306");
	assert_int_equal(dbtls_diff_alerts(diff), 2);
	json_decref(diff);

	/* the alert count follows --fail-on */
	diff = compute(old, "old.json", new_, "new.json", DBTLS_SEV_CRITICAL);
	assert_int_equal(dbtls_diff_alerts(diff), 1);
	json_decref(diff);
	diff = compute(old, "old.json", new_, "new.json", DBTLS_SEV_MEDIUM);
	assert_int_equal(dbtls_diff_alerts(diff), 4);
	json_decref(diff);

	/* a report compared with itself: nothing */
	diff = compute(new_, "a", new_, "b", DBTLS_SEV_INFO);
	assert_int_equal(count(diff, "appeared") + count(diff, "disappeared") +
			     count(diff, "changed") + count(diff, "certificates"),
			 0);
	assert_int_equal(dbtls_diff_alerts(diff), 0);
	json_decref(diff);
	json_decref(old);
	json_decref(new_);
}

/* A report without findings (--policy none, or an older dbtls) against one with them. */
static void test_no_findings(void **state)
{
	json_t *old =
	    report("2026-01-01T00:00:00Z", json_pack("[o]", endpoint("db1:3306", NULL, NULL)));
	json_t *new_ =
	    report("2026-01-02T00:00:00Z",
		   json_pack("[o]", endpoint("db1:3306",
					     json_pack("[o]", finding("tls.not-offered", "critical",
								      "no TLS", "", false)),
					     NULL)));
	json_t *diff = compute(old, "o", new_, "n", DBTLS_SEV_HIGH);
	(void)state;

	assert_int_equal(count(diff, "appeared"), 1);
	assert_int_equal(dbtls_diff_alerts(diff), 1);
	json_decref(diff);
	diff = compute(new_, "n", old, "o", DBTLS_SEV_HIGH);
	assert_int_equal(count(diff, "disappeared"), 1);
	assert_int_equal(dbtls_diff_alerts(diff), 0);
	json_decref(diff);
	json_decref(old);
	json_decref(new_);
}

static char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void bad(const char *text, enum dbtls_err want, const char *msg)
{
	struct dbtls_diag d = {0};
	char *path = write_tmp("bad.json", text);
	struct dbtls_diff_report out;

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(dbtls_diff_load(path, &out, &d), want);
	assert_null(out.findings);
	assert_int_equal(out.facts.nendpoints, 0);
	assert_non_null(strstr(d.msg, "bad.json"));
	assert_null(strchr(d.msg, '\n'));
	if (!strstr(d.msg, msg))
		fail_msg("want '%s' in '%s'", msg, d.msg);
	unlink(path);
}

/* old_doc() with edit() applied, as text (new) */
static char *edited(void (*edit)(json_t *doc))
{
	json_t *doc = old_doc();
	char *text;

	edit(doc);
	text = json_dumps(doc, 0);
	assert_non_null(text);
	json_decref(doc);
	return text;
}

static json_t *ep_of(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "endpoints"), i);
}

static json_t *finding_of(json_t *doc, size_t i, size_t k)
{
	return json_array_get(json_object_get(ep_of(doc, i), "findings"), k);
}

static void e_target(json_t *doc)
{
	json_object_set_new(ep_of(doc, 0), "target", json_integer(3));
}

static void e_findings(json_t *doc)
{
	json_object_set_new(ep_of(doc, 0), "findings", json_object());
}

static void e_severity(json_t *doc)
{
	json_object_set_new(finding_of(doc, 1, 0), "severity", json_string("severe"));
}

/* issue 11 item 12: a finding without a string severity crashed diff (NULL to strcmp) */
static void e_no_severity(json_t *doc)
{
	json_object_del(finding_of(doc, 0, 2), "severity");
}

static void e_null_severity(json_t *doc)
{
	json_object_set_new(finding_of(doc, 0, 0), "severity", json_null());
}

static void e_cert(json_t *doc)
{
	json_array_set_new(json_object_get(ep_of(doc, 0), "certificates"), 0, json_integer(1));
}

static void test_load(void **state)
{
	static const struct {
		void (*edit)(json_t *doc);
		const char *msg;
	} rows[] = {
	    {e_target, ": endpoints[0].target: expected a string, got an integer"},
	    {e_findings, ": endpoints[0].findings: expected an array or null, got an object"},
	    {e_severity, ": endpoints[1].findings[0].severity: unknown value 'severe'"},
	    {e_no_severity, ": endpoints[0].findings[2].severity: missing (expected a string)"},
	    {e_null_severity, ": endpoints[0].findings[0].severity: expected a string, got null"},
	    {e_cert, ": endpoints[0].certificates[0]: expected an object, got an integer"},
	};
	struct dbtls_diag d = {0};
	struct dbtls_diff_report out;
	json_t *doc = old_doc();
	char *text = json_dumps(doc, 0), *path;
	(void)state;

	path = write_tmp("ok.json", text);
	assert_int_equal(dbtls_diff_load(path, &out, &d), DBTLS_OK);
	assert_int_equal(out.facts.nendpoints, 4);
	assert_int_equal(out.findings[0].n, 4);
	assert_string_equal(out.findings[0].items[1].check, "suites.cbc");
	assert_string_equal(out.policy, "baseline");
	dbtls_diff_report_free(&out);
	unlink(path);
	free(text);
	json_decref(doc);

	assert_int_equal(dbtls_diff_load("/nonexistent/dir/r.json", &out, &d), DBTLS_ERR_FILE);
	assert_non_null(strstr(d.msg, "/nonexistent/dir/r.json: No such file"));
	bad("{\"endpoints\": [", DBTLS_ERR_INPUT, "bad.json:1:");
	bad("{\"endpoints\": [], \"endpoints\": []}", DBTLS_ERR_INPUT, "duplicate object key");
	bad("[1, 2]", DBTLS_ERR_INPUT, ": expected a dbtls report (a JSON object), got an array");
	bad("{\"schema_version\": 1}", DBTLS_ERR_INPUT, ": tool: missing (expected an object)");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		text = edited(rows[i].edit);
		bad(text, DBTLS_ERR_INPUT, rows[i].msg);
		free(text);
	}
}

/* One endpoint however it is spelt: mysql://db1, db1:3306 and DB1 are matched, not added and
 * removed (issue 11 item 3). */
static void test_endpoint_id(void **state)
{
	json_t *old =
	    report("2026-01-01T00:00:00Z",
		   json_pack("[o, o]",
			     endpoint("mysql://db1",
				      json_pack("[o]", finding("protocol.tls10-enabled", "high",
							       "TLS 1.0", "", false)),
				      NULL),
			     endpoint("tls://db2:443", json_array(), NULL)));
	json_t *new_ =
	    report("2026-01-02T00:00:00Z",
		   json_pack("[o, o]",
			     endpoint("DB1:3306",
				      json_pack("[o]", finding("protocol.tls10-enabled", "high",
							       "TLS 1.0", "", false)),
				      NULL),
			     endpoint("TLS://db2.:443", json_array(), NULL)));
	json_t *diff = compute(old, "o", new_, "n", DBTLS_SEV_HIGH);
	(void)state;

	assert_int_equal(count(diff, "appeared"), 0);
	assert_int_equal(count(diff, "disappeared"), 0);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(diff, "endpoints"), "added")), 0);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(diff, "endpoints"), "removed")), 0);
	assert_int_equal(dbtls_diff_alerts(diff), 0);
	assert_int_equal(dbtls_diff_not_scanned(diff), 0);
	json_decref(diff);
	json_decref(old);
	json_decref(new_);
}

/* A NEW report whose endpoints all errored is not "nothing new" (issue 11 item 16). */
static void test_all_errored(void **state)
{
	json_t *old = old_doc(), *new_ = old_doc(), *e, *diff;
	size_t i;
	(void)state;

	json_array_foreach(json_object_get(new_, "endpoints"), i, e)
	{
		json_object_set_new(e, "errors",
				    json_pack("[{s:s, s:s, s:s}]", "code", "TIMEOUT", "message",
					      "timed out", "stage", "connect"));
		json_object_set_new(json_object_get(e, "tls"), "offered", json_null());
		json_object_set_new(e, "findings", json_array());
		json_object_set_new(e, "certificates", json_array());
	}
	diff = compute(old, "o", new_, "n", DBTLS_SEV_HIGH);
	assert_int_equal(dbtls_diff_alerts(diff), 0);
	assert_int_equal(count(diff, "appeared"), 0);
	assert_int_equal(count(diff, "unverified"), 7);
	assert_int_equal(dbtls_diff_not_scanned(diff), 4);
	json_decref(diff);
	json_decref(old);
	json_decref(new_);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb"), *m;
	char *buf = NULL;
	size_t len = 0;
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

static void golden(const char *name, const char *out)
{
	const char *src = getenv("DBTLS_SRCDIR") ? getenv("DBTLS_SRCDIR") : ".";
	char path[1024];
	char *want;

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
		fail_msg("%s is missing (DBTLS_UPDATE_GOLDEN=1 writes it)", path);
	if (strcmp(want, out) != 0)
		fail_msg("%s differs from the output (DBTLS_UPDATE_GOLDEN=1 rewrites it)", path);
	free(want);
}

static void test_output(void **state)
{
	json_t *old = old_doc(), *new_ = new_doc(), *diff, *back;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	diff = compute(old, "old.json", new_, "new.json", DBTLS_SEV_HIGH);
	f = open_memstream(&buf, &len);
	assert_int_equal(dbtls_diff_write_text(diff, f, false), DBTLS_OK);
	fclose(f);
	assert_null(strchr(buf, '\x1b')); /* the reports' escape codes stay text */
	assert_non_null(strstr(buf,
			       "  + CRITICAL  mysql://db1:3306 suites.rc4: 1 RC4 suite accepted "
			       "[alert]\n"));
	assert_non_null(strstr(buf,
			       "  ~ LOW>HIGH  mysql://db1:3306 certs.expiring: Leaf certificate "
			       "expires soon (changed: severity, evidence) [alert]\n"));
	assert_non_null(strstr(buf, "2 CBC suites \\x1b[2J accepted\\nreally"));
	assert_non_null(strstr(buf, "summary: 3 appeared, 1 disappeared, 2 changed, 1 unverified, "
				    "1 certificate changed; 2 alerts (new at or above high)\n"));
	golden("diff.txt", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(dbtls_diff_write_text(diff, f, true), DBTLS_OK);
	fclose(f);
	assert_non_null(strstr(buf, "\033[31m+ CRITICAL  \033[0m"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(dbtls_diff_write_json(diff, f), DBTLS_OK);
	fclose(f);
	back = json_loads(buf, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, diff));
	golden("diff.json", buf);
	json_decref(back);
	free(buf);
	json_decref(diff);
	json_decref(old);
	json_decref(new_);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compute),	cmocka_unit_test(test_no_findings),
	    cmocka_unit_test(test_load),	cmocka_unit_test(test_endpoint_id),
	    cmocka_unit_test(test_all_errored), cmocka_unit_test(test_output),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
