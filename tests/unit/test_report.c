/* SPDX-License-Identifier: MIT */
/*
 * test_report.c — the JSON and text writers over a fixed set of facts: the contract's paths are
 * where monitoring expects them, hostile strings (markup, quotes, control bytes, invalid UTF-8)
 * survive as data, and report files are written atomically.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/report.h"
#include "tests/unit/fixtures.h"

static const char hostile[] = "<script>alert(\"x\")</script>\x1b[31m\xff\xfe end";

static void fixture(struct dbtls_scan_facts *s)
{
	struct dbtls_endpoint_facts *e;

	memset(s, 0, sizeof(*s));
	s->tool_version = strdup("9.9.9");
	s->started_at = 1700000000;
	s->finished_at = 1700000005;
	s->nendpoints = 2;
	s->endpoints = calloc(2, sizeof(*s->endpoints));
	e = &s->endpoints[0];
	e->target = strdup("mysql://db1:3306");
	e->protocol = strdup("mysql");
	e->host = strdup("db1");
	e->port = 3306;
	e->address = strdup("127.0.0.1");
	e->tls_offered = 1;
	e->connections_used = 7;
	e->server.greeting_seen = true;
	e->server.product = strdup("MariaDB");
	e->server.version = strdup(hostile);
	e->versions[DBTLS_TLS12].status = DBTLS_VS_ACCEPTED;
	e->versions[DBTLS_TLS12].cipher = 0xc02f;
	e->versions[DBTLS_TLS12].reason = strdup("ServerHello");
	e->versions[DBTLS_TLS12].suites = calloc(2, sizeof(uint32_t));
	e->versions[DBTLS_TLS12].suites[0] = 0xc030;
	e->versions[DBTLS_TLS12].suites[1] = 0x0039;
	e->versions[DBTLS_TLS12].nsuites = 2;
	e->versions[DBTLS_TLS12].server_order = 1;
	e->versions[DBTLS_TLS13].server_order = -1;
	e->groups = calloc(2, sizeof(uint16_t));
	e->groups[0] = 0x001d;
	e->groups[1] = 0x0100;
	e->ngroups = 2;
	e->groups_version = DBTLS_TLS13;
	e->dh_bits = 1024;
	e->versions[DBTLS_TLS13].status = DBTLS_VS_ACCEPTED;
	e->versions[DBTLS_TLS11].status = DBTLS_VS_REJECTED;
	e->versions[DBTLS_SSL2].status = DBTLS_VS_ERROR;
	e->ncerts = 1;
	e->certs = calloc(1, sizeof(*e->certs));
	e->certs[0].subject = strdup(hostile);
	e->certs[0].days_left = -3;
	e->certs[0].key_type = strdup("RSA");
	e->certs[0].key_bits = 2048;
	memset(e->certs[0].sha256, 'a', 64);
	e->verification.done = true;
	e->verification.ca_ok = false;
	e->verification.hostname_ok = true;
	e->verification.error = strdup("certificate has expired");
	dbtls_facts_add_error(e, DBTLS_ERR_TIMEOUT, "probe SSLv2", hostile);

	e = &s->endpoints[1];
	e->target = strdup("db2");
	e->protocol = strdup("mysql");
	e->host = strdup("db2");
	e->port = 3306;
	e->tls_offered = 0;
}

static void test_json_contract(void **state)
{
	struct dbtls_scan_facts s;
	json_error_t jerr;
	json_t *doc, *e0, *e1, *v;
	char *out;
	(void)state;

	fixture(&s);
	out = fx_render(&dbtls_report_json, &s, NULL, false);
	doc = json_loads(out, 0, &jerr);
	if (!doc)
		fail_msg("report is not JSON: %s", jerr.text);
	assert_int_equal(json_integer_value(json_object_get(doc, "schema_version")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "tool"), "name")), "dbtls");
	assert_string_equal(json_string_value(json_object_get(doc, "started_at")),
			    "2023-11-14T22:13:20Z");
	e0 = json_array_get(json_object_get(doc, "endpoints"), 0);
	e1 = json_array_get(json_object_get(doc, "endpoints"), 1);
	assert_string_equal(json_string_value(json_object_get(e0, "target")), "mysql://db1:3306");
	assert_int_equal(json_integer_value(json_object_get(e0, "connections_used")), 7);
	assert_true(json_is_true(json_object_get(json_object_get(e0, "tls"), "offered")));
	v = json_object_get(json_object_get(e0, "tls"), "versions");
	assert_int_equal(json_object_size(v), 6);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v, "TLSv1.2"), "status")),
	    "accepted");
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(v, "TLSv1.2"), "probe_cipher"), "name")),
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v, "TLSv1.1"), "status")),
	    "rejected");
	/* issue 3's contract: suites in order with IANA name, code and OpenSSL name */
	json_t *s12 = json_object_get(json_object_get(v, "TLSv1.2"), "suites");
	assert_int_equal(json_array_size(s12), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(s12, 0), "name")),
			    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
	assert_string_equal(json_string_value(json_object_get(json_array_get(s12, 1), "code")),
			    "0x0039");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(s12, 1), "openssl_name")),
	    "DHE-RSA-AES256-SHA");
	assert_true(json_is_true(json_object_get(json_object_get(v, "TLSv1.2"), "server_order")));
	assert_true(json_is_null(json_object_get(json_object_get(v, "TLSv1.3"), "server_order")));
	assert_null(json_object_get(json_object_get(v, "TLSv1.1"), "suites"));
	json_t *tls = json_object_get(e0, "tls");
	assert_string_equal(json_string_value(json_array_get(json_object_get(tls, "groups"), 0)),
			    "x25519");
	assert_string_equal(json_string_value(json_array_get(json_object_get(tls, "groups"), 1)),
			    "ffdhe2048");
	assert_int_equal(json_integer_value(json_object_get(tls, "dh_bits")), 1024);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v, "SSLv2"), "status")), "error");
	/* the hostile string keeps its markup and quotes as data, invalid UTF-8 escaped */
	const char *ver =
	    json_string_value(json_object_get(json_object_get(e0, "server"), "version"));
	assert_non_null(ver);
	assert_non_null(strstr(ver, "<script>alert(\"x\")</script>"));
	assert_non_null(strstr(ver, "\\xff\\xfe end"));
	assert_false(
	    json_boolean_value(json_object_get(json_object_get(e0, "verification"), "ca_ok")));
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(e0, "errors"), 0), "code")),
			    "TIMEOUT");
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(e0, "certificates"), 0), "days_left")),
			 -3);
	/* no TLS: offered false, every version rejected with the reason */
	assert_true(json_is_false(json_object_get(json_object_get(e1, "tls"), "offered")));
	v = json_object_get(json_object_get(json_object_get(e1, "tls"), "versions"), "TLSv1.3");
	assert_string_equal(json_string_value(json_object_get(v, "status")), "rejected");
	assert_string_equal(json_string_value(json_object_get(v, "reason")),
			    "server offers no TLS");
	assert_true(json_is_null(json_object_get(e1, "verification")));
	json_decref(doc);
	free(out);
	dbtls_scan_facts_free(&s);
}

static void test_text(void **state)
{
	struct dbtls_scan_facts s;
	char *out;
	(void)state;

	fixture(&s);
	out = fx_render(&dbtls_report_text, &s, NULL, false);
	assert_null(strchr(out, '\x1b')); /* neither our colours nor the server's escape codes */
	assert_non_null(strstr(out, "TLSv1.2=yes"));
	assert_non_null(strstr(out, "TLSv1.1=no"));
	assert_non_null(strstr(out, "server offers no TLS"));
	assert_non_null(strstr(out, "certificate has expired"));
	assert_non_null(strstr(out, "2 endpoints scanned, 1 with errors"));
	assert_non_null(strstr(out, "TLSv1.2: 2 suites, server's order"));
	assert_non_null(strstr(out, "groups: x25519 ffdhe2048"));
	assert_non_null(strstr(out, "DHE prime: 1024 bits (weak)"));
	free(out);
	out = fx_render(&dbtls_report_text, &s, NULL, true);
	assert_non_null(strstr(out, "\033[32mTLSv1.2=yes"));
	free(out);
	dbtls_scan_facts_free(&s);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_atomic_file(void **state)
{
	char dir[] = "/tmp/dbtls-report-XXXXXX", path[128];
	struct dbtls_scan_facts s;
	struct dbtls_diag d = {0};
	FILE *f;
	char buf[16] = "";
	(void)state;

	fixture(&s);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.json", dir);
	f = fopen(path, "w");
	fputs("previous", f);
	fclose(f);
	assert_int_equal(dbtls_report_write_file(&dbtls_report_json, &s, path, &d), DBTLS_OK);
	assert_int_equal(count_files(dir), 1); /* no temporary left behind */
	f = fopen(path, "r");
	assert_int_equal(fread(buf, 1, 1, f), 1);
	fclose(f);
	assert_int_equal(buf[0], '{');
	/* a directory that does not exist: an error naming the path, nothing written */
	snprintf(path, sizeof(path), "%s/missing/report.json", dir);
	assert_int_equal(dbtls_report_write_file(&dbtls_report_json, &s, path, &d), DBTLS_ERR_FILE);
	assert_non_null(strstr(d.msg, "missing/report.json"));
	snprintf(path, sizeof(path), "%s/report.json", dir);
	unlink(path);
	rmdir(dir);
	dbtls_scan_facts_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_contract),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_atomic_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
