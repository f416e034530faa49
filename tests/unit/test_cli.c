/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c — the option table and what is generated from it: every option has help text and a
 * handler, names are unique, the help lists every option, every preamble scheme and every report
 * format; per-command acceptance and help; --alpn; the -o format rules; target errors and the
 * collapsing of one endpoint named twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/cli.h"
#include "reports/report.h"
#include "src/core/escape.h"

static char *capture_help(const char *cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (cmd)
		assert_true(dbtls_cli_help_command(f, cmd));
	else
		dbtls_cli_help(f);
	fclose(f);
	return buf;
}

static void test_table_complete(void **state)
{
	(void)state;
	assert_true(dbtls_cli_nopts > 20);
	for (size_t i = 0; i < dbtls_cli_nopts; i++) {
		const struct dbtls_cli_opt *o = &dbtls_cli_opts[i];

		assert_non_null(o->name);
		assert_true(strlen(o->name) > 1);
		if (!o->help || strlen(o->help) < 10)
			fail_msg("--%s has no help text", o->name);
		assert_non_null(o->set);
		assert_int_not_equal(o->cmds, 0);
		for (size_t k = 0; k < i; k++) {
			if (!strcmp(o->name, dbtls_cli_opts[k].name))
				fail_msg("--%s is in the table twice", o->name);
			if (o->short_name && o->short_name == dbtls_cli_opts[k].short_name)
				fail_msg("-%c is in the table twice", o->short_name);
		}
	}
}

static void test_help_generated(void **state)
{
	char *help = capture_help(NULL), want[128];
	size_t n;
	const struct dbtls_preamble *const *pre = dbtls_preamble_all(&n);
	const struct dbtls_report_writer *const *ws;
	(void)state;

	for (size_t i = 0; i < dbtls_cli_nopts; i++) {
		snprintf(want, sizeof(want), "--%s", dbtls_cli_opts[i].name);
		if (!strstr(help, want))
			fail_msg("help does not describe %s", want);
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "\n  %-8s %.20s", pre[i]->scheme, pre[i]->help);
		if (!strstr(help, want))
			fail_msg("help does not list the protocol '%s'", pre[i]->scheme);
	}
	ws = dbtls_report_all(&n);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "\n  %-11s %-7s", ws[i]->name,
			 ws[i]->extension ? ws[i]->extension : "");
		if (!strstr(help, want))
			fail_msg("help does not list the format '%s'", ws[i]->name);
		snprintf(want, sizeof(want), " %s,", ws[i]->name);
		if (i + 1 < n && !strstr(help, want)) /* the --format row's list */
			fail_msg("--format does not name '%s'", ws[i]->name);
	}
	/* every line fits 80 columns */
	for (char *p = help, *e; *p; p = e + 1) {
		size_t cols = 0, k;
		uint32_t cp;

		e = strchr(p, '\n');
		assert_non_null(e);
		for (char *q = p; q < e; q += k ? k : 1, cols++)
			k = dbtls_utf8_seq(q, &cp);
		if (cols > 80)
			fail_msg("help line wider than 80: '%.*s'", (int)(e - p), p);
	}
	free(help);
}

static void test_help_per_command(void **state)
{
	char *h = capture_help("scan");
	FILE *f;
	(void)state;

	assert_non_null(strstr(h, "--alpn LIST"));
	assert_non_null(strstr(h, "--ca-file FILE"));
	assert_null(strstr(h, "--extends"));
	free(h);
	h = capture_help("diff");
	assert_non_null(strstr(h, "--fail-on"));
	assert_null(strstr(h, "--ca-file"));
	free(h);
	h = capture_help("policy"); /* the sub-commands */
	assert_non_null(strstr(h, "dbtls policy derive"));
	assert_non_null(strstr(h, "--extends PROFILE"));
	free(h);
	f = fopen("/dev/null", "w");
	assert_false(dbtls_cli_help_command(f, "frobnicate"));
	fclose(f);
}

static enum dbtls_err parse(struct dbtls_cli *cli, char **errbuf, ...)
{
	char *argv[32];
	int argc = 0;
	size_t len = 0;
	va_list ap;
	FILE *err = open_memstream(errbuf, &len);
	enum dbtls_err rc;

	va_start(ap, errbuf);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	rc = dbtls_cli_parse(argc, argv, cli, err);
	fclose(err);
	return rc;
}

static void test_free_null(void **state)
{
	struct dbtls_cli cli;
	char *e = NULL;
	(void)state;

	dbtls_cli_free(NULL);
	/* freeing twice after a parse is safe too */
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "--alpn", "h2", "db", NULL), DBTLS_OK);
	dbtls_cli_free(&cli);
	dbtls_cli_free(&cli);
	free(e);
}

static void test_alpn(void **state)
{
	struct dbtls_cli cli;
	char *e = NULL, big[300];
	(void)state;

	assert_int_equal(
	    parse(&cli, &e, "dbtls", "scan", "--alpn", "x", "--alpn", "h2,http/1.1", "db", NULL),
	    DBTLS_OK);
	assert_non_null(cli.scan.alpn);
	assert_string_equal(cli.scan.alpn[0], "h2");
	assert_string_equal(cli.scan.alpn[1], "http/1.1");
	assert_null(cli.scan.alpn[2]);
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "db", NULL), DBTLS_OK);
	assert_null(cli.scan.alpn);
	dbtls_cli_free(&cli);
	free(e);

	memset(big, 'a', 255);
	big[255] = 0;
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "--alpn", big, "db", NULL), DBTLS_OK);
	assert_int_equal(strlen(cli.scan.alpn[0]), 255);
	dbtls_cli_free(&cli);
	free(e);
	big[255] = 'a';
	big[256] = 0;
	static const char *const bad[] = {"", "h2,", ",h2", "h2,,x", "h 2", "h2\x1b"};
	for (size_t i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		const char *v = i < sizeof(bad) / sizeof(bad[0]) ? bad[i] : big;
		assert_int_equal(parse(&cli, &e, "dbtls", "scan", "--alpn", v, "db", NULL),
				 DBTLS_ERR_USAGE);
		assert_non_null(strstr(e, "--alpn"));
		assert_null(strchr(e, '\x1b')); /* echoed escaped */
		dbtls_cli_free(&cli);
		free(e);
	}
}

static void test_acceptance(void **state)
{
	struct dbtls_cli cli;
	char *e = NULL;
	(void)state;

	assert_int_equal(parse(&cli, &e, "dbtls", "check", "--facts", "/dev/null", "--sql", NULL),
			 DBTLS_ERR_USAGE);
	assert_non_null(strstr(e, "check does not take --sql"));
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "diff", "--extends", "x", "a", "b", NULL),
			 DBTLS_ERR_USAGE);
	assert_non_null(strstr(e, "diff does not take --extends"));
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "policy", NULL), DBTLS_OK);
	assert_int_equal(cli.cmd, DBTLS_CMD_HELP);
	assert_string_equal(cli.help_cmd, "policy");
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "--help", NULL), DBTLS_OK);
	assert_int_equal(cli.cmd, DBTLS_CMD_HELP);
	assert_string_equal(cli.help_cmd, "scan");
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "help", "diff", NULL), DBTLS_OK);
	assert_string_equal(cli.help_cmd, "diff");
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "help", "policy", NULL), DBTLS_OK);
	assert_string_equal(cli.help_cmd, "policy");
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "help", "nope", NULL), DBTLS_ERR_USAGE);
	assert_non_null(strstr(e, "unknown command 'nope'"));
	dbtls_cli_free(&cli);
	free(e);
}

static void test_output_formats(void **state)
{
	struct dbtls_cli cli;
	char *e = NULL;
	(void)state;

	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "--format", "text", "-o", "r.json", "-o",
			       "a.html", "-o", "-", "-o", "r.unknown", "db", NULL),
			 DBTLS_OK);
	assert_string_equal(cli.outputs[0].format, "json"); /* the extension decides */
	assert_string_equal(cli.outputs[1].format, "html");
	assert_string_equal(cli.outputs[2].format, "text"); /* --format */
	assert_string_equal(cli.outputs[3].format, "text"); /* no known extension: --format */
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "-o", "/dbtls-test-r.json", "db", NULL),
			 DBTLS_OK); /* a file in the root directory */
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "-o", "", "db", NULL), DBTLS_ERR_USAGE);
	assert_non_null(strstr(e, "want a file name"));
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(
	    parse(&cli, &e, "dbtls", "scan", "-o", "/nonexistent-dir/r.json", "db", NULL),
	    DBTLS_ERR_FILE);
	assert_non_null(strstr(e, "directory /nonexistent-dir: No such file"));
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "-o", "-", "db", NULL), DBTLS_OK);
	assert_string_equal(cli.outputs[0].format, "text"); /* "-" defaults to text */
	dbtls_cli_free(&cli);
	free(e);
	assert_int_equal(
	    parse(&cli, &e, "dbtls", "scan", "-o", "-", "--format", "jsonl", "db", NULL), DBTLS_OK);
	assert_string_equal(cli.outputs[0].format, "jsonl");
	dbtls_cli_free(&cli);
	free(e);
}

static void test_target_errors(void **state)
{
	static const struct {
		const char *in, *why;
	} rows[] = {
	    {"mysql://root:pw@db1", "credentials do not belong in targets"},
	    {"root@db1:3306", "credentials do not belong in targets"},
	    {"mysql://db1:3306/db", "a path ('/db') is not part of a target"},
	    {"db1/db", "a path ('/db') is not part of a target"},
	    {"db1:3306?ssl=1", "a query ('?ssl=1') is not part of a target"},
	    {"db1/?ssl=1", "a query ('?ssl=1') is not part of a target"},
	    {"db:0", "bad port '0'"},
	    {"db:33x", "bad port '33x'"},
	    {"oracle://db", "unknown protocol 'oracle' (known: mysql, tls"},
	};
	struct dbtls_target t;
	char why[256], shown[256];
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(dbtls_target_parse(rows[i].in, &t, why, sizeof(why)),
				 DBTLS_ERR_INPUT);
		if (!strstr(why, rows[i].why))
			fail_msg("'%s': got '%s', want '%s'", rows[i].in, why, rows[i].why);
		if (strstr(why, rows[i].in))
			fail_msg("'%s': the reason repeats the target: '%s'", rows[i].in, why);
	}
	assert_null(strstr(why, "pw"));
	dbtls_target_display("mysql://root:pw@db1:3306", shown, sizeof(shown));
	assert_string_equal(shown, "mysql://…@db1:3306");
	dbtls_target_display("db1:3306", shown, sizeof(shown));
	assert_string_equal(shown, "db1:3306");
	/* schemes are case-insensitive */
	assert_int_equal(dbtls_target_parse("MySQL://DB1:3307", &t, why, sizeof(why)), DBTLS_OK);
	assert_string_equal(t.preamble->scheme, "mysql");
	assert_int_equal(t.port, 3307);
	dbtls_target_free(&t);
	dbtls_target_free(NULL);
}

/* The shard hash is an interface: a changed hash moves endpoints between shard processes. These
 * values come from an independent implementation (FNV-1a 64, then splitmix64's finaliser). */
static void test_shard(void **state)
{
	struct dbtls_cli cli;
	char *e = NULL;
	size_t seen[3] = {0};
	(void)state;

	assert_true(dbtls_target_id_hash("mysql://db1:3306") == 0x0d567aa984a0e6b6ULL);
	assert_true(dbtls_target_id_hash("tls://[::1]:8443") == 0x2a10caa748216845ULL);
	assert_true(dbtls_target_id_hash("") == 0xf52a15e9a9b5e89bULL);
	assert_true(dbtls_target_in_shard("mysql://db1:3306", 2, 3));
	assert_false(dbtls_target_in_shard("mysql://db1:3306", 0, 3));
	assert_true(dbtls_target_in_shard("mysql://db1:3306", 0, 1));
	/* every spelling lands in the id's shard; each target in exactly one of 3 */
	for (unsigned k = 0; k < 3; k++) {
		char arg[16];

		snprintf(arg, sizeof(arg), "%u/3", k);
		assert_int_equal(parse(&cli, &e, "dbtls", "scan", "--shard", arg, "DB1.", "db2",
				       "tls://[::1]:8443", "db3", "db4", NULL),
				 DBTLS_OK);
		seen[k] = cli.ntargets;
		for (size_t i = 0; i < cli.ntargets; i++)
			if (!strcmp(cli.targets[i].given, "DB1."))
				assert_int_equal(k, 2);
		dbtls_cli_free(&cli);
		free(e);
		e = NULL;
	}
	assert_int_equal(seen[0] + seen[1] + seen[2], 5);
	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "--shard", "3/3", "db1", NULL),
			 DBTLS_ERR_USAGE);
	assert_non_null(strstr(e, "K must be 0-2"));
	dbtls_cli_free(&cli);
	free(e);
}

static void test_dedup(void **state)
{
	struct dbtls_cli cli;
	char *e = NULL;
	(void)state;

	assert_int_equal(parse(&cli, &e, "dbtls", "scan", "db1", "mysql://db1:3306", "DB1.:3306",
			       "MYSQL://db1/", "tls://db1:3306", "db2", NULL),
			 DBTLS_OK);
	assert_int_equal(cli.ntargets, 3);
	assert_string_equal(cli.targets[0].given, "db1"); /* the first spelling stays */
	assert_string_equal(cli.targets[1].given, "tls://db1:3306");
	assert_string_equal(cli.targets[2].given, "db2");
	assert_non_null(strstr(e, "note: target 'mysql://db1:3306' is 'db1' again"));
	assert_non_null(strstr(e, "(mysql://db1:3306): scanned once"));
	dbtls_cli_free(&cli);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_complete),
	    cmocka_unit_test(test_help_generated),
	    cmocka_unit_test(test_help_per_command),
	    cmocka_unit_test(test_free_null),
	    cmocka_unit_test(test_alpn),
	    cmocka_unit_test(test_acceptance),
	    cmocka_unit_test(test_output_formats),
	    cmocka_unit_test(test_target_errors),
	    cmocka_unit_test(test_dedup),
	    cmocka_unit_test(test_shard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
