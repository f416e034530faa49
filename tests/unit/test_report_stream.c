/* SPDX-License-Identifier: MIT */
/*
 * test_report_stream.c — the streaming report reader (reports/json/report_stream.h) against the
 * whole-file reader it replaces: the same facts in any key order, the header before the first
 * element, the same errors for truncated and broken files, a bound per element instead of per
 * file, pipes, reads by offset.
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

#include "reports/json/report_stream.h"
#include "reports/report.h"
#include "src/core/jsonload.h"
#include "tests/unit/fixtures.h"

/* A small report of n endpoints (mysql://dbI:3306) as a jansson document (new). */
static json_t *small_doc(size_t n)
{
	struct dbtls_scan_facts s = {0};
	json_t *doc;

	s.tool_version = strdup("9.9.9");
	s.started_at = 1700000000;
	s.finished_at = 1700000012;
	s.endpoints = calloc(n + 1, sizeof(*s.endpoints));
	assert_non_null(s.endpoints);
	s.nendpoints = n;
	for (size_t i = 0; i < n; i++) {
		struct dbtls_endpoint_facts *e = &s.endpoints[i];
		assert_true(asprintf(&e->target, "mysql://db%zu:3306", i) > 0);
		assert_true(asprintf(&e->host, "db%zu", i) > 0);
		e->protocol = strdup("mysql");
		e->port = 3306;
	}
	doc = dbtls_report_json_doc(&s, NULL);
	assert_non_null(doc);
	dbtls_scan_facts_free(&s);
	return doc;
}

static char *dump(const json_t *doc, size_t flags)
{
	char *t = json_dumps(doc, flags);

	assert_non_null(t);
	return t;
}

/* The same for a new document, which is released. */
static char *dump_new(json_t *doc, size_t flags)
{
	char *t = dump(doc, flags);

	json_decref(doc);
	return t;
}

/* What the stream saw. */
struct seen {
	size_t headers, endpoints, files;
	bool header_first, interrupted;
	struct dbtls_scan_facts s; /* collected */
	long long offsets[16];
	size_t lens[16];
};

static enum dbtls_err on_header(void *arg, struct dbtls_scan_facts *hdr, const json_t *top,
				struct dbtls_diag *d)
{
	struct seen *x = arg;

	(void)d;
	assert_true(json_is_array(json_object_get(top, "endpoints")));
	assert_int_equal(json_array_size(json_object_get(top, "endpoints")), 0);
	x->header_first = x->endpoints == 0 && x->files == 0;
	x->headers++;
	x->interrupted = hdr->interrupted;
	x->s.tool_version = hdr->tool_version;
	hdr->tool_version = NULL;
	x->s.started_at = hdr->started_at;
	x->s.finished_at = hdr->finished_at;
	x->s.interrupted = hdr->interrupted;
	return DBTLS_OK;
}

static enum dbtls_err on_endpoint(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct seen *x = arg;
	struct dbtls_endpoint_facts *g;

	(void)d;
	assert_int_equal(el->index, x->endpoints);
	if (x->endpoints < 16) {
		x->offsets[x->endpoints] = el->offset;
		x->lens[x->endpoints] = el->len;
	}
	x->endpoints++;
	g = realloc(x->s.endpoints, x->endpoints * sizeof(*g));
	assert_non_null(g);
	x->s.endpoints = g;
	g[x->s.nendpoints++] = *el->ep;
	memset(el->ep, 0, sizeof(*el->ep));
	return DBTLS_OK;
}

static const struct dbtls_report_stream_cb seen_cb = {.header = on_header, .endpoint = on_endpoint};

/* Streams path through cb into x; on a failure other than want, says why. */
static void expect_stream(const char *path, const struct dbtls_report_stream_cb *cb, struct seen *x,
			  enum dbtls_err want, struct dbtls_diag *d)
{
	enum dbtls_err err = dbtls_report_json_stream(path, cb, x, d);

	if (err != want)
		print_error("stream: %d %s\n", err, d->msg);
	assert_int_equal(err, want);
}

/* The whole-file reader's verdict on text (label path): OK, or its message in msg. */
static enum dbtls_err whole(const char *path, const char *text, size_t len, char *msg, size_t cap)
{
	struct dbtls_scan_facts s;
	struct dbtls_diag d = {0};
	json_t *root = NULL;
	enum dbtls_err err = dbtls_json_load_buf(path, text, len, &root, &d);

	if (!err) {
		err = dbtls_report_json_read_doc(path, root, &s, &d);
		if (!err)
			dbtls_scan_facts_free(&s);
	}
	json_decref(root);
	snprintf(msg, cap, "%s", d.msg);
	return err;
}

/* Streams text from a temporary file; the stream's and the whole-file reader's verdicts must
 * be the same, message and all. Returns the verdict; x (may be NULL) gets what was seen. */
static enum dbtls_err same_as_whole(const char *text, struct seen *x)
{
	struct seen local = {0};
	struct dbtls_diag d = {0};
	char *path = fx_tmpfile("report-stream", text), want[512];
	enum dbtls_err ew = whole(path, text, strlen(text), want, sizeof(want));
	enum dbtls_err es = dbtls_report_json_stream(path, &seen_cb, x ? x : &local, &d);

	if (es != ew || (es && strcmp(d.msg, want) != 0))
		print_error("text: %.200s\nwhole:  %d %s\nstream: %d %s\n", text, ew, want, es,
			    d.msg);
	assert_int_equal(es, ew);
	if (es)
		assert_string_equal(d.msg, want);
	dbtls_scan_facts_free(&local.s);
	fx_tmpfile_remove(path);
	return es;
}

/* The writer's order: the header first, each endpoint once, in order; the facts as the
 * whole-file reader reads them; offsets that point at each element. */
static void test_writer_order(void **state)
{
	json_t *doc = small_doc(3);
	char *text = dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *a, *b;
	struct dbtls_scan_facts w;
	struct seen x = {0};
	struct dbtls_diag d = {0};
	char *path = fx_tmpfile("report-stream", text);
	(void)state;

	assert_int_equal(dbtls_report_json_stream(path, &seen_cb, &x, &d), DBTLS_OK);
	assert_int_equal(x.headers, 1);
	assert_true(x.header_first);
	assert_int_equal(x.endpoints, 3);
	assert_int_equal(dbtls_report_json_read(path, &w, &d), DBTLS_OK);
	a = dump_new(dbtls_report_json_doc(&w, NULL), JSON_PRESERVE_ORDER);
	b = dump_new(dbtls_report_json_doc(&x.s, NULL), JSON_PRESERVE_ORDER);
	assert_string_equal(a, b);
	for (size_t i = 0; i < 3; i++) {
		json_t *el = json_loadb(text + x.offsets[i], x.lens[i], 0, NULL);
		char want[32];

		assert_non_null(el);
		snprintf(want, sizeof(want), "mysql://db%zu:3306", i);
		assert_string_equal(json_string_value(json_object_get(el, "target")), want);
		json_decref(el);
	}
	free(a);
	free(b);
	fx_tmpfile_remove(path);
	free(text);
	json_decref(doc);
	dbtls_scan_facts_free(&w);
	dbtls_scan_facts_free(&x.s);
}

/* Keys in another order (jq -S: endpoints first) and a header key after the arrays: the header
 * still comes first and is complete. */
static void test_key_orders(void **state)
{
	json_t *doc = small_doc(2);
	char *text;
	struct seen x = {0};
	(void)state;

	json_object_set_new(doc, "interrupted", json_true());
	text = dump(doc, JSON_SORT_KEYS);
	assert_true(strstr(text, "\"endpoints\"") < strstr(text, "\"interrupted\""));
	assert_int_equal(same_as_whole(text, &x), DBTLS_OK);
	assert_true(x.header_first);
	assert_true(x.interrupted);
	assert_int_equal(x.endpoints, 2);
	free(text);
	dbtls_scan_facts_free(&x.s);

	/* the arrays in the middle, compact, files before endpoints */
	json_object_del(doc, "interrupted");
	{
		json_t *eps = json_incref(json_object_get(doc, "endpoints"));
		json_t *o = json_object();
		const char *k;
		json_t *v;

		json_object_set_new(o, "files", json_array());
		json_object_set_new(o, "endpoints", eps);
		json_object_foreach(doc, k, v) if (strcmp(k, "endpoints")) json_object_set(o, k, v);
		text = dump(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
	}
	memset(&x, 0, sizeof(x));
	assert_int_equal(same_as_whole(text, &x), DBTLS_OK);
	assert_true(x.header_first);
	assert_int_equal(x.endpoints, 2);
	free(text);
	dbtls_scan_facts_free(&x.s);
	json_decref(doc);
}

/* A file cut anywhere is refused with the whole-file loader's message, place and all. */
static void test_truncated(void **state)
{
	json_t *doc = small_doc(2);
	char *text = dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t n = strlen(text);
	(void)state;

	for (size_t cut = 0; cut < n; cut += 7) {
		char saved = text[cut];
		text[cut] = 0;
		assert_int_not_equal(same_as_whole(text, NULL), DBTLS_OK);
		text[cut] = saved;
	}
	free(text);
	json_decref(doc);
}

/* Broken elements and top levels: the same words at the same place. */
static void test_bad_input(void **state)
{
	static const char *const edits[][2] = {
	    /* an element that is not JSON, one of the wrong shape, one that is not an object */
	    {"\"port\": 3306", "\"port\": 33x06"},
	    {"\"port\": 3306", "\"port\": \"3306\""},
	    {"\"port\": 3306", "\"port\": 3306, \"port\": 1"},
	    {"\"target\": \"mysql://db1:3306\"", "\"target\": \"mysql://db1:3306\\q\""},
	    {"\"schema_version\": 1", "\"schema_version\": 1, \"schema_version\": 1"},
	    {"\"schema_version\": 1", "\"schema_version\": 2"},
	    {"\"schema_version\": 1", "\"schema_version\" 1"},
	    {"\"schema_version\": 1", "schema_version: 1"},
	    {"\"schema_version\": 1", "\"schema_version\": 1 \"x\": 2"},
	    {"\"schema_version\": 1", "\"schema_version\": tru"},
	    {"\"schema_version\": 1", "\"schema_version\": 99999999999999999999999"},
	    {"\"endpoints\": [", "\"endpoints\": [], \"endpoints\": ["},
	    {"\"endpoints\": [", "\"endpoints\": [1, "},
	    {"\"endpoints\": [", "\"endpoints\": [,"},
	    {"\"endpoints\": [", "\"endpoints\": {\"a\": ["},
	    {"\"endpoints\": [", "\"endpoints\": [[]]}, \"x\": [ ["},
	};
	json_t *doc = small_doc(3);
	char *text = dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	(void)state;

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char *at = strstr(text, edits[i][0]), *t;
		if (strstr(edits[i][0], "db1")) /* the second endpoint's */
			at = strstr(text, edits[i][0]);
		else if (!strcmp(edits[i][0], "\"port\": 3306"))
			at = strstr(strstr(strstr(text, "db1") + 1, "db1"), edits[i][0]);
		assert_non_null(at);
		assert_true(asprintf(&t, "%.*s%s%s", (int)(at - text), text, edits[i][1],
				     at + strlen(edits[i][0])) > 0);
		assert_int_not_equal(same_as_whole(t, NULL), DBTLS_OK);
		free(t);
	}
	/* not objects, trailing bytes, nothing */
	assert_int_not_equal(same_as_whole("", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("[1, 2]", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("[1, 2", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("x", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{} x", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{}}", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{\"endpoints\": []} 1", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{\"a\": 1,}", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{\"a\": 1", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{\"a\"", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{\"endpoints\": [{}, {]}", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{\"endpoints\": [{}}, {}]}", NULL), DBTLS_OK);
	assert_int_not_equal(same_as_whole("{\"endpoints\": [\"]\"}", NULL), DBTLS_OK);
	free(text);
	json_decref(doc);
}

/* Elements before a broken one have been delivered; none after it. */
static void test_stops_at_bad_element(void **state)
{
	json_t *doc = small_doc(4);
	struct seen x = {0};
	struct dbtls_diag d = {0};
	char *path;
	(void)state;

	json_object_set_new(json_array_get(json_object_get(doc, "endpoints"), 2), "port",
			    json_string("x"));
	{
		char *text = dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		path = fx_tmpfile("report-stream", text);
		free(text);
	}
	assert_int_equal(dbtls_report_json_stream(path, &seen_cb, &x, &d), DBTLS_ERR_INPUT);
	assert_int_equal(x.endpoints, 2);
	assert_non_null(strstr(d.msg, ": endpoints[2].port: expected an integer, got a string"));
	/* the check reads everything and delivers nothing */
	assert_int_equal(dbtls_report_json_check(path, &d), DBTLS_ERR_INPUT);
	fx_tmpfile_remove(path);
	dbtls_scan_facts_free(&x.s);
	json_decref(doc);
}

/* The bound is per value: a file far larger than it reads, one element over it does not. */
static void test_element_bound(void **state)
{
	struct dbtls_report_stream_cb cb = seen_cb;
	json_t *doc = small_doc(40);
	char *text = dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *path;
	struct seen x = {0};
	struct dbtls_diag d = {0};
	(void)state;

	cb.max_elem = 4096; /* each endpoint is ~1 KB; the file ~45 KB */
	assert_true(strlen(text) > 10 * cb.max_elem);
	path = fx_tmpfile("report-stream", text);
	expect_stream(path, &cb, &x, DBTLS_OK, &d);
	assert_int_equal(x.endpoints, 40);
	fx_tmpfile_remove(path);
	free(text);
	dbtls_scan_facts_free(&x.s);

	/* endpoint 7 gets an 8 KB string */
	{
		char big[8192];
		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		json_object_set_new(json_array_get(json_object_get(doc, "endpoints"), 7), "sni",
				    json_string(big));
	}
	text = dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	path = fx_tmpfile("report-stream", text);
	memset(&x, 0, sizeof(x));
	assert_int_equal(dbtls_report_json_stream(path, &cb, &x, &d), DBTLS_ERR_INPUT);
	assert_int_equal(x.endpoints, 7);
	assert_non_null(
	    strstr(d.msg, ": endpoints[7] is larger than 4096 bytes (the bound of one value)"));
	fx_tmpfile_remove(path);
	free(text);
	dbtls_scan_facts_free(&x.s);
	json_decref(doc);
}

/* The default bound: an element of more than 16 MiB is refused, naming it. */
static void test_huge_element(void **state)
{
	size_t big = DBTLS_REPORT_ELEM_MAX + 1024;
	json_t *doc = small_doc(2);
	char *text, *at, *path;
	struct seen x = {0};
	struct dbtls_diag d = {0};
	FILE *f;
	(void)state;

	json_object_set_new(json_array_get(json_object_get(doc, "endpoints"), 1), "sni",
			    json_string("@@"));
	text = dump_new(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	at = strstr(text, "@@");
	assert_non_null(at);
	path = fx_tmpfile("report-stream", "");
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, (size_t)(at - text), f), (size_t)(at - text));
	for (size_t i = 0; i < big; i++)
		putc('a', f);
	fputs(at + 2, f);
	assert_int_equal(fclose(f), 0);
	free(text);
	expect_stream(path, &seen_cb, &x, DBTLS_ERR_INPUT, &d);
	if (!strstr(d.msg, ": endpoints[1] is larger than 16 MiB"))
		print_error("%s\n", d.msg);
	assert_non_null(strstr(d.msg, ": endpoints[1] is larger than 16 MiB"));
	assert_int_equal(x.endpoints, 1);
	fx_tmpfile_remove(path);
	dbtls_scan_facts_free(&x.s);
}

/* A pipe cannot seek: it is copied aside, and reads like the file. */
static void test_pipe(void **state)
{
	json_t *doc = small_doc(2);
	char *text = dump(doc, JSON_COMPACT | JSON_SORT_KEYS), name[32];
	struct seen x = {0};
	struct dbtls_diag d = {0};
	int fds[2];
	(void)state;

	assert_true(strlen(text) < 65536); /* fits the pipe's buffer: no writer thread */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
	close(fds[1]);
	snprintf(name, sizeof(name), "/dev/fd/%d", fds[0]);
	expect_stream(name, &seen_cb, &x, DBTLS_OK, &d);
	assert_int_equal(x.endpoints, 2);
	assert_true(x.header_first);
	close(fds[0]);
	free(text);
	dbtls_scan_facts_free(&x.s);
	json_decref(doc);
}

/* An element read back by the offset a pass gave. */
static void test_read_by_offset(void **state)
{
	json_t *doc = small_doc(5), *j;
	char *text = dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *path = fx_tmpfile("report-stream", text);
	struct dbtls_report_file *rf;
	struct dbtls_endpoint_facts e;
	struct seen x = {0};
	struct dbtls_diag d = {0};
	(void)state;

	rf = dbtls_report_file_open(path, &d);
	assert_non_null(rf);
	assert_int_equal(dbtls_report_file_stream(rf, &seen_cb, &x, &d), DBTLS_OK);
	dbtls_report_file_release(rf);
	for (size_t i = 5; i-- > 0;) {
		assert_int_equal(dbtls_report_file_read_endpoint(rf, x.offsets[i], i, &e, &j, &d),
				 DBTLS_OK);
		assert_string_equal(e.target, x.s.endpoints[i].target);
		assert_string_equal(json_string_value(json_object_get(j, "target")), e.target);
		json_decref(j);
		dbtls_endpoint_facts_free(&e);
	}
	/* an offset that is no element */
	assert_int_equal(dbtls_report_file_read_endpoint(rf, 0, 3, &e, NULL, &d), DBTLS_ERR_INPUT);
	if (!strstr(d.msg, "endpoints[3]"))
		print_error("%s\n", d.msg);
	assert_non_null(strstr(d.msg, "endpoints[3]"));
	dbtls_report_file_close(rf);
	dbtls_report_file_close(NULL);
	fx_tmpfile_remove(path);
	free(text);
	dbtls_scan_facts_free(&x.s);
	json_decref(doc);
}

static void test_unreadable(void **state)
{
	struct dbtls_diag d = {0};
	(void)state;

	assert_int_equal(dbtls_report_json_check("/nonexistent/r.json", &d), DBTLS_ERR_FILE);
	assert_string_equal(d.msg, "/nonexistent/r.json: No such file or directory");
	assert_int_equal(dbtls_report_json_check("/tmp", &d), DBTLS_ERR_FILE);
	assert_string_equal(d.msg, "/tmp: is a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writer_order),
	    cmocka_unit_test(test_key_orders),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_stops_at_bad_element),
	    cmocka_unit_test(test_element_bound),
	    cmocka_unit_test(test_huge_element),
	    cmocka_unit_test(test_pipe),
	    cmocka_unit_test(test_read_by_offset),
	    cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
