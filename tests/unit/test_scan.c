/* SPDX-License-Identifier: MIT */
/*
 * test_scan.c — target parsing (URLs, defaults, IPv6, bad input), the targets file reader with
 * its FILE:LINE errors, and a scan of an endpoint that refuses (a closed loopback port).
 *
 * ALPN (struct dbtls_scan_opts.alpn, the future --alpn): an ill-formed list stops the scan before
 * a connection is opened. Against a real server — `openssl s_server -alpn foo,bar`, started by
 * tests/integration/test_alpn.sh, which runs this program with DBTLS_TEST_ALPN_PORT and
 * DBTLS_TEST_CA set (the test skips without them) — the server's pick is recorded, a protocol
 * without ALPN offers none, and a list the server shares nothing with is refused by every probe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/cli.h"
#include "src/scan/scan.h"
#include "src/scan/targets_src.h"
#include "tests/unit/fixtures.h"
#include "src/wire/net.h"

/* CIDR ranges: the network address, the count, the scheme and port kept, IPv6 both spellings;
 * bad prefixes and ranges over the cap refused with a reason; what is no range is left alone. */
static void test_cidr(void **state)
{
	static const struct {
		const char *in;
		uint64_t count;
		const char *first, *last;
	} good[] = {
	    {"10.0.0.0/28:3306", 16, "10.0.0.0:3306", "10.0.0.15:3306"},
	    {"mysql://10.0.0.9/30:3306", 4, "mysql://10.0.0.8:3306", "mysql://10.0.0.11:3306"},
	    {"10.1.2.3/32", 1, "10.1.2.3", "10.1.2.3"},
	    {"192.168.0.0/16:1", 65536, "192.168.0.0:1", "192.168.255.255:1"},
	    {"tls://[fd00::]/120:443", 256, "tls://[fd00::]:443", "tls://[fd00::ff]:443"},
	    {"[fd00::1/127]:5432", 2, "[fd00::]:5432", "[fd00::1]:5432"},
	};
	static const char *const bad[] = {"10.0.0.0/33:3306", "10.0.0.0/8:3306", "[::]/64:1",
					  "10.0.0.0/28:0", "10.0.0.0/28:3306/x"};
	static const char *const none[] = {"db1:3306", "mysql://db1/prod", "db1", "[::1]:3306"};
	struct dbtls_cidr c;
	char why[256], buf[128];
	bool range;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(dbtls_cidr_parse(good[i].in, DBTLS_CIDR_MAX_DEFAULT, &range, &c,
						  why, sizeof(why)),
				 DBTLS_OK);
		assert_true(range);
		assert_int_equal(c.count, good[i].count);
		dbtls_cidr_target(&c, 0, buf, sizeof(buf));
		assert_string_equal(buf, good[i].first);
		dbtls_cidr_target(&c, c.count - 1, buf, sizeof(buf));
		assert_string_equal(buf, good[i].last);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		assert_int_equal(
		    dbtls_cidr_parse(bad[i], DBTLS_CIDR_MAX_DEFAULT, &range, &c, why, sizeof(why)),
		    DBTLS_ERR_INPUT);
		assert_true(range);
		assert_true(why[0]);
	}
	/* the cap is the caller's: 0 lifts it (below 2^62) */
	assert_int_equal(dbtls_cidr_parse("10.0.0.0/8:1", 0, &range, &c, why, sizeof(why)),
			 DBTLS_OK);
	assert_int_equal(c.count, 16777216);
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_int_equal(
		    dbtls_cidr_parse(none[i], DBTLS_CIDR_MAX_DEFAULT, &range, &c, why, sizeof(why)),
		    DBTLS_OK);
		assert_false(range);
	}
}

/* The source: argv targets, a range and a file in that order; a duplicate in any of them is
 * yielded once; a shard keeps its slice of the same stream. */
static void test_targets_src(void **state)
{
	char path[] = "/tmp/dbtls-src-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	size_t total = 0, in_shards = 0;
	(void)state;

	assert_non_null(f);
	fputs("# a list\n10.0.0.1:1\n10.0.0.8/31:1\n\nmysql://10.0.0.9:1\n", f);
	fclose(f);
	for (unsigned k = 0; k <= 3; k++) {
		struct dbtls_targets_opts o = {.shard_k = k ? k - 1 : 0, .shard_n = k ? 3 : 0};
		struct dbtls_targets_src *src = dbtls_targets_src_new(&o);
		struct dbtls_target t;
		const char *want[] = {"10.0.0.1:1", "10.0.0.0:1", "10.0.0.2:1",
				      "10.0.0.3:1", "10.0.0.8:1", "10.0.0.9:1"};
		size_t n = 0;
		bool done = false, exact;

		assert_non_null(src);
		assert_int_equal(dbtls_targets_src_add_arg(src, "10.0.0.1:1"), DBTLS_OK);
		assert_int_equal(dbtls_targets_src_add_arg(src, "10.0.0.0/30:1"), DBTLS_OK);
		assert_int_equal(dbtls_targets_src_add_file(src, path), DBTLS_OK);
		assert_int_equal(dbtls_targets_src_count(src, &exact), 1 + 4 + 1 + 2 + 1);
		assert_true(exact);
		while (dbtls_targets_src_next(src, &t, &done) == DBTLS_OK && !done) {
			if (!k) /* every target, in order, duplicates once */
				assert_string_equal(t.given, want[n]);
			n++;
			dbtls_target_free(&t);
		}
		assert_true(done);
		if (!k)
			total = n;
		else
			in_shards += n;
		dbtls_targets_src_free(src);
	}
	assert_int_equal(total, 6);
	assert_int_equal(in_shards, 6); /* the three shards share the stream out */
	unlink(path);
}

static void test_targets_good(void **state)
{
	static const struct {
		const char *in, *scheme, *host;
		uint16_t port;
	} rows[] = {
	    {"mysql://db1.example:3307", "mysql", "db1.example", 3307},
	    {"mysql://db1.example", "mysql", "db1.example", 3306},
	    {"db1.example:3310", "mysql", "db1.example", 3310},
	    {"db1.example", "mysql", "db1.example", 3306},
	    {"tls://127.0.0.1:8443", "tls", "127.0.0.1", 8443},
	    {"tls://example.org", "tls", "example.org", 443},
	    {"[::1]:3306", "mysql", "::1", 3306},
	    {"mysql://[::1]", "mysql", "::1", 3306},
	    {"mysql://[fe80::1%lo]:33060", "mysql", "fe80::1%lo", 33060},
	    {"mysql://db:3306/", "mysql", "db", 3306},
	};
	struct dbtls_target t;
	char why[256];
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(dbtls_target_parse(rows[i].in, &t, why, sizeof(why)), DBTLS_OK);
		assert_string_equal(t.preamble->scheme, rows[i].scheme);
		assert_string_equal(t.host, rows[i].host);
		assert_int_equal(t.port, rows[i].port);
		assert_string_equal(t.given, rows[i].in);
		dbtls_target_free(&t);
	}
}

/* "?address=ADDR", the form of the scan's ids: the name stays, the address is canonical */
static void test_targets_address(void **state)
{
	struct dbtls_target t;
	char why[256], *id;
	(void)state;

	assert_int_equal(
	    dbtls_target_parse("mysql://db1:3307?address=FD00:0::5", &t, why, sizeof(why)),
	    DBTLS_OK);
	assert_string_equal(t.host, "db1");
	assert_int_equal(t.port, 3307);
	assert_string_equal(t.addr, "fd00::5");
	id = dbtls_target_id(&t);
	assert_string_equal(id, "mysql://db1:3307?address=fd00::5");
	free(id);
	dbtls_target_free(&t);
	assert_int_equal(dbtls_target_parse("db1/?address=10.0.0.5", &t, why, sizeof(why)),
			 DBTLS_OK);
	assert_string_equal(t.addr, "10.0.0.5");
	dbtls_target_free(&t);
	assert_int_equal(dbtls_target_parse("db1", &t, why, sizeof(why)), DBTLS_OK);
	assert_null(t.addr);
	id = dbtls_target_id(&t);
	assert_string_equal(id, "mysql://db1:3306");
	free(id);
	dbtls_target_free(&t);
}

static void test_targets_bad(void **state)
{
	static const struct {
		const char *in, *why;
	} rows[] = {
	    {"postgresx://db", "unknown protocol 'postgresx'"},
	    {"gopher://db", "(known: mysql, tls"}, /* from the registry, in its order */
	    {"://db", "bad scheme"},
	    {"db:0", "bad port"},
	    {"db:65536", "bad port"},
	    {"db:33x", "bad port"},
	    {"db:", "bad port"},
	    {"db:-1", "bad port"},
	    {"::1:3306", "IPv6 addresses need brackets"},
	    {"[::1", "unterminated IPv6"},
	    {"[]:3306", "unterminated IPv6"},
	    {"[::1]x", "unexpected text"},
	    {"", "bad host"},
	    {"mysql://", "bad host"},
	    {"db name", "bad host"},
	    {"db;rm -rf", "bad host"},
	    {"..:3306", "bad host"},
	    {"db..example", "bad host"},
	    {".db", "bad host"},
	    {"tls://127..0.0.7..", "bad host"},
	    {"[::1.....]:3306", "not an IPv6 address in brackets"},
	    {"[db1]:3306", "not an IPv6 address in brackets"},
	    {"db?address=db2", "bad address 'db2'"},
	    {"db?address=[::1]", "no brackets"},
	    {"10.0.0.1?address=10.0.0.2", "an address already"},
	    {"db?address=10.0.0.2&x=1", "unexpected text '&x=1'"},
	    {"db?other=1", "a query ('?other=1')"},
	};
	struct dbtls_target t;
	char why[256];
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(dbtls_target_parse(rows[i].in, &t, why, sizeof(why)),
				 DBTLS_ERR_INPUT);
		if (!strstr(why, rows[i].why))
			fail_msg("'%s': got '%s', want '%s'", rows[i].in, why, rows[i].why);
		assert_null(t.host);
	}
}

static void test_targets_file(void **state)
{
	struct dbtls_cli cli = {0};
	char *errbuf = NULL, *path;
	size_t errlen = 0;
	FILE *err;
	(void)state;

	path = fx_tmpfile("targets",
			  "# fleet\n\nmysql://a:3306\n  b:3307   # replica\r\n[::1]:3308\n");
	err = open_memstream(&errbuf, &errlen);
	assert_int_equal(dbtls_cli_read_targets(&cli, path, err), DBTLS_OK);
	fclose(err);
	assert_int_equal(cli.ntargets, 3);
	assert_string_equal(cli.targets[1].host, "b");
	assert_int_equal(cli.targets[1].port, 3307);
	assert_string_equal(cli.targets[2].host, "::1");
	dbtls_cli_free(&cli);
	unlink(path);
	free(path);
	free(errbuf);

	/* the error names the file and the line */
	path = fx_tmpfile("targets", "a:1\n\n# x\nb:99999\n");
	err = open_memstream(&errbuf, &errlen);
	assert_int_equal(dbtls_cli_read_targets(&cli, path, err), DBTLS_ERR_INPUT);
	fclose(err);
	char want[128];
	snprintf(want, sizeof(want), "%s:4: bad port", path);
	if (!strstr(errbuf, want))
		fail_msg("got '%s', want '%s'", errbuf, want);
	dbtls_cli_free(&cli);
	unlink(path);
	free(path);
	free(errbuf);

	path = fx_tmpfile("targets", "a:1 b:2\n");
	err = open_memstream(&errbuf, &errlen);
	assert_int_equal(dbtls_cli_read_targets(&cli, path, err), DBTLS_ERR_INPUT);
	fclose(err);
	assert_non_null(strstr(errbuf, ":1: one target per line"));
	dbtls_cli_free(&cli);
	unlink(path);
	free(path);
	free(errbuf);

	err = open_memstream(&errbuf, &errlen);
	assert_int_equal(dbtls_cli_read_targets(&cli, "/nonexistent/targets", err), DBTLS_ERR_FILE);
	fclose(err);
	assert_non_null(strstr(errbuf, "/nonexistent/targets: No such file"));
	free(errbuf);
}

static void test_cli_usage_errors(void **state)
{
	static const struct {
		const char *argv[6];
		const char *why;
	} rows[] = {
	    {{"dbtls", "frobnicate"}, "unknown command 'frobnicate'"},
	    {{"dbtls", "scan"}, "no targets given"},
	    {{"dbtls", "scan", "--timeout", "0", "db"}, "--timeout '0'"},
	    {{"dbtls", "scan", "--timeout", "abc", "db"}, "--timeout 'abc'"},
	    {{"dbtls", "scan", "--format", "xml", "db"}, "--format 'xml'"},
	    {{"dbtls", "scan", "--jobs", "0", "db"}, "--jobs '0'"},
	    {{"dbtls", "scan", "--bogus", "db"}, "unknown option '--bogus'"},
	    {{"dbtls", "scan", "--ca-file", "/nonexistent.pem", "db"}, "/nonexistent.pem"},
	    {{"dbtls", "scan", "-o", "report.xyz", "db"}, "cannot tell the format"},
	    {{"dbtls", "scan", "db:99999"}, "target 'db:99999': bad port"},
	    {{"dbtls", "scan", "--password", "x", "db"}, "unknown option '--password'"},
	    {{"dbtls", "scan", "--timeout"}, "needs a value"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dbtls_cli cli;
		char *errbuf = NULL;
		size_t errlen = 0;
		int argc = 0;
		char *argv[8];
		while (rows[i].argv[argc]) {
			argv[argc] = (char *)rows[i].argv[argc];
			argc++;
		}
		argv[argc] = NULL;
		FILE *err = open_memstream(&errbuf, &errlen);
		assert_int_not_equal(dbtls_cli_parse(argc, argv, &cli, err), DBTLS_OK);
		fclose(err);
		if (!strstr(errbuf, rows[i].why))
			fail_msg("row %zu: got '%s', want '%s'", i, errbuf, rows[i].why);
		/* one line */
		assert_ptr_equal(strchr(errbuf, '\n'), errbuf + strlen(errbuf) - 1);
		dbtls_cli_free(&cli);
		free(errbuf);
	}
}

static void test_cli_ok(void **state)
{
	char *argv[] = {"dbtls", "scan",  "--timeout", "0.5", "--sni", "db.example", "-o", "r.json",
			"-o",	 "r.txt", "--jobs",    "3",   "a",     "tls://b:1",  NULL};
	struct dbtls_cli cli;
	(void)state;

	assert_int_equal(dbtls_cli_parse(14, argv, &cli, stderr), DBTLS_OK);
	assert_int_equal(cli.cmd, DBTLS_CMD_SCAN);
	assert_int_equal(cli.scan.timeout_ms, 500);
	assert_string_equal(cli.scan.sni, "db.example");
	assert_int_equal(cli.scan.jobs, 3);
	assert_int_equal(cli.noutputs, 2);
	assert_string_equal(cli.outputs[0].format, "json");
	assert_string_equal(cli.outputs[1].format, "text");
	assert_int_equal(cli.ntargets, 2);
	dbtls_cli_free(&cli);
}

static void test_scan_refused(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	struct dbtls_scan_opts o = {.timeout_ms = 2000, .jobs = 2};
	struct dbtls_scan_facts facts = {0};
	struct dbtls_target t[2];
	char target[64], why[128];
	int fd;
	(void)state;

	/* a port that was free a moment ago: bound, never listened on, then closed */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(target, sizeof(target), "mysql://127.0.0.1:%u", ntohs(sa.sin_port));
	assert_int_equal(dbtls_target_parse(target, &t[0], why, sizeof(why)), DBTLS_OK);
	assert_int_equal(dbtls_target_parse("tls://[::1]:1", &t[1], why, sizeof(why)), DBTLS_OK);
	assert_int_equal(dbtls_scan_run(t, 2, &o, &facts), DBTLS_OK);
	assert_int_equal(facts.nendpoints, 2);
	for (int i = 0; i < 2; i++) {
		struct dbtls_endpoint_facts *e = &facts.endpoints[i];
		assert_int_equal(e->nerrors, 1);
		/* ::1 may be absent on a host without IPv6: then it is CONNECT or RESOLVE */
		assert_true(e->errors[0].code == DBTLS_ERR_REFUSED ||
			    e->errors[0].code == DBTLS_ERR_CONNECT ||
			    e->errors[0].code == DBTLS_ERR_RESOLVE);
		assert_string_equal(e->errors[0].stage, "connect");
		assert_int_equal(e->tls_offered, -1);
		assert_int_equal(e->connections_used, 0);
	}
	assert_true(facts.finished_at >= facts.started_at);
	dbtls_scan_facts_free(&facts);
	dbtls_target_free(&t[0]);
	dbtls_target_free(&t[1]);
}

/* A bad ALPN list is a USAGE error of the endpoint, found before anything is sent. */
static void test_scan_alpn_invalid(void **state)
{
	static const char *const bad[] = {"x", "x", NULL};
	struct dbtls_scan_opts o = {.timeout_ms = 2000, .jobs = 1, .per_host = 1, .alpn = bad};
	struct dbtls_endpoint_facts f = {0};
	struct dbtls_target t;
	char why[128];
	(void)state;

	assert_int_equal(dbtls_target_parse("tls://127.0.0.1:1", &t, why, sizeof(why)), DBTLS_OK);
	assert_int_equal(dbtls_scan_endpoint(&t, &o, &f), DBTLS_OK);
	assert_int_equal(f.nerrors, 1);
	assert_int_equal(f.errors[0].code, DBTLS_ERR_USAGE);
	assert_non_null(strstr(f.errors[0].message, "ALPN"));
	assert_int_equal(f.connections_used, 0);
	assert_int_equal(f.tls_offered, -1);
	dbtls_endpoint_facts_free(&f);
	dbtls_target_free(&t);
}

/* One scan of tls://127.0.0.1:$DBTLS_TEST_ALPN_PORT offering alpn (NULL: the protocol's). */
static void alpn_scan(const char *const *alpn, struct dbtls_endpoint_facts *f)
{
	struct dbtls_scan_opts o = {.timeout_ms = 5000,
				    .jobs = 1,
				    .per_host = 2,
				    .ca_file = getenv("DBTLS_TEST_CA"),
				    .sni = "localhost",
				    .alpn = alpn};
	struct dbtls_target t;
	char target[64], why[128];

	snprintf(target, sizeof(target), "tls://127.0.0.1:%s", getenv("DBTLS_TEST_ALPN_PORT"));
	assert_int_equal(dbtls_target_parse(target, &t, why, sizeof(why)), DBTLS_OK);
	memset(f, 0, sizeof(*f));
	assert_int_equal(dbtls_scan_endpoint(&t, &o, f), DBTLS_OK);
	dbtls_target_free(&t);
}

static void test_scan_alpn_server(void **state)
{
	static const char *const bar_baz[] = {"bar", "baz", NULL};
	static const char *const baz[] = {"baz", NULL};
	struct dbtls_endpoint_facts f;
	(void)state;

	if (!getenv("DBTLS_TEST_ALPN_PORT") || !getenv("DBTLS_TEST_CA"))
		skip(); /* run by tests/integration/test_alpn.sh */

	alpn_scan(bar_baz, &f); /* the server prefers foo, has bar: bar */
	assert_int_equal(f.nerrors, 0);
	assert_int_equal(f.tls_offered, 1);
	assert_int_equal(f.versions[DBTLS_TLS12].status, DBTLS_VS_ACCEPTED);
	assert_true(f.verification.done);
	assert_true(f.verification.ca_ok);
	assert_true(f.verification.alpn_offered);
	assert_string_equal(f.verification.alpn, "bar");
	dbtls_endpoint_facts_free(&f);

	alpn_scan(NULL, &f); /* tls:// offers none of its own */
	assert_int_equal(f.nerrors, 0);
	assert_true(f.verification.done);
	assert_false(f.verification.alpn_offered);
	assert_null(f.verification.alpn);
	dbtls_endpoint_facts_free(&f);

	/* nothing in common: s_server answers every hello with no_application_protocol, as a
	 * PostgreSQL 17 direct-TLS server answers one without "postgresql" */
	alpn_scan(baz, &f);
	assert_int_equal(f.versions[DBTLS_TLS12].status, DBTLS_VS_REJECTED);
	assert_non_null(strstr(f.versions[DBTLS_TLS12].reason, "no_application_protocol"));
	assert_false(f.verification.done);
	dbtls_endpoint_facts_free(&f);
}

/* Cancelled before it starts (Ctrl-C during start-up): no connection is made, every
 * endpoint says it was not scanned, and the run is marked interrupted. */
static void test_scan_cancelled(void **state)
{
	struct dbtls_scan_facts facts = {0};
	struct dbtls_target t[2];
	char why[128];
	int pfd[2];
	struct dbtls_scan_opts o = {.timeout_ms = 2000, .jobs = 1, .cancel_fd = &pfd[0]};
	(void)state;

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(dbtls_target_parse("mysql://127.0.0.1:1", &t[0], why, sizeof(why)), 0);
	assert_int_equal(dbtls_target_parse("tls://127.0.0.1:2", &t[1], why, sizeof(why)), 0);
	assert_int_equal(dbtls_scan_run(t, 2, &o, &facts), DBTLS_OK);
	assert_true(facts.interrupted);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(facts.endpoints[i].nerrors, 1);
		assert_int_equal(facts.endpoints[i].errors[0].code, DBTLS_ERR_INTERRUPTED);
		assert_string_equal(facts.endpoints[i].errors[0].stage, "not scanned");
		assert_int_equal(facts.endpoints[i].connections_used, 0);
		assert_non_null(facts.endpoints[i].target);
	}
	dbtls_scan_facts_free(&facts);
	dbtls_target_free(&t[0]);
	dbtls_target_free(&t[1]);
	close(pfd[0]);
	close(pfd[1]);
}

/* A peer that drips one byte every 50 ms: each wait is short, but the connection's one
 * deadline (300 ms) ends the read of 100 bytes all the same. */
static void *drip_thread(void *arg)
{
	int fd = *(int *)arg;

	for (int i = 0; i < 40; i++) {
		if (send(fd, "x", 1, MSG_NOSIGNAL) != 1)
			break;
		poll(NULL, 0, 50);
	}
	return NULL;
}

static void test_conn_deadline_drip(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	struct dbtls_addrs a = {.n = 1};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	uint8_t buf[100];
	pthread_t th;
	int lfd, afd;
	int64_t t0;
	(void)state;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	memcpy(&a.a[0], &sa, sizeof(sa));
	a.len[0] = sizeof(sa);
	t0 = dbtls_net_now_ms();
	assert_int_equal(dbtls_conn_open_addrs(&c, &a, t0 + 300, NULL, NULL, 0, &d), DBTLS_OK);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	close(lfd);
	assert_int_equal(pthread_create(&th, NULL, drip_thread, &afd), 0);
	assert_int_equal(dbtls_conn_recv_exact(&c, buf, sizeof(buf), &d), DBTLS_ERR_TIMEOUT);
	/* generous for a loaded machine, but far below the 40 x 50 ms the drip would last
	 */
	assert_true(dbtls_net_now_ms() - t0 < 1500);
	dbtls_conn_close(&c);
	pthread_join(th, NULL);
	close(afd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_targets_good),
	    cmocka_unit_test(test_targets_address),
	    cmocka_unit_test(test_targets_bad),
	    cmocka_unit_test(test_targets_file),
	    cmocka_unit_test(test_cli_usage_errors),
	    cmocka_unit_test(test_cli_ok),
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_targets_src),
	    cmocka_unit_test(test_scan_refused),
	    cmocka_unit_test(test_scan_alpn_invalid),
	    cmocka_unit_test(test_scan_alpn_server),
	    cmocka_unit_test(test_scan_cancelled),
	    cmocka_unit_test(test_conn_deadline_drip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
