/* SPDX-License-Identifier: MIT */
/*
 * cli.c — parses the command line and target files into struct dbtls_cli, and prints help.
 *
 * Secrets never come from here: there is deliberately no --password option (passwords come from
 * the environment or option files, read where they are used).
 */
#include "app/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <mysql.h>
#include <openssl/crypto.h>

#include "checks/check.h"
#include "reports/report.h"
#include "src/core/version.h"

void dbtls_cli_version(FILE *out)
{
	fprintf(out, "dbtls %s (%s, jansson %s, libmariadb %s)\n", DBTLS_VERSION,
		OpenSSL_version(OPENSSL_VERSION), JANSSON_VERSION, mysql_get_client_info());
}

void dbtls_cli_help(FILE *out)
{
	size_t n;
	const struct dbtls_preamble *const *pre = dbtls_preamble_all(&n);

	fprintf(
	    out,
	    "dbtls — database TLS compliance scanner\n"
	    "\n"
	    "Usage:\n"
	    "  dbtls scan [OPTIONS] TARGET...     scan endpoints, judge them, write reports\n"
	    "  dbtls check --facts REPORT.json [OPTIONS]\n"
	    "                                     judge a saved report again (no network)\n"
	    "  dbtls policies                     list the built-in policy profiles\n"
	    "  dbtls explain CHECK-ID             what a check tests, why, and how to fix it\n"
	    "  dbtls policy derive REPORT.json -o PINNED.json [--name N] [--extends PROFILE]\n"
	    "                                     a profile pinning what the report's endpoints\n"
	    "                                     accept today: later scans flag any drift\n"
	    "  dbtls diff OLD.json NEW.json [--format text|json] [--fail-on SEVERITY]\n"
	    "                                     what changed between two reports: findings\n"
	    "                                     that appeared, disappeared or changed, and\n"
	    "                                     certificates; exit 1 when something new is at\n"
	    "                                     or above --fail-on (default high)\n"
	    "  dbtls help | --help | -h           this text\n"
	    "  dbtls --version                    version and library versions\n"
	    "\n"
	    "Targets:\n"
	    "  mysql://HOST[:PORT]   MySQL/MariaDB (SSLRequest upgrade), default port 3306\n"
	    "  tls://HOST[:PORT]     direct TLS, default port 443\n"
	    "  HOST[:PORT]           same as mysql://HOST[:PORT]\n"
	    "  IPv6 addresses go in brackets: mysql://[::1]:3306\n"
	    "Protocols:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-8s %s\n", pre[i]->scheme, pre[i]->help);
	fprintf(
	    out,
	    "\n"
	    "Scan options:\n"
	    "  --targets FILE        read targets from FILE, one per line ('#' comments, blank\n"
	    "                        lines ignored); may be combined with targets on the command "
	    "line\n"
	    "  --ca-file FILE        PEM CA bundle to verify served chains against\n"
	    "                        (default: the system trust store)\n"
	    "  --sni NAME            server name to send in SNI and to match the certificate\n"
	    "                        against (default: the target's host name; IPs send no SNI)\n"
	    "  --timeout SECONDS     limit for connecting and for each read (default 10; may be\n"
	    "                        fractional, e.g. 0.5)\n"
	    "  --jobs N              endpoints scanned at once (default 16, 1-256)\n"
	    "  --max-connect-errors N\n"
	    "                        MySQL/MariaDB block a client host after N aborted\n"
	    "                        connections (max_connect_errors, default 100), and every\n"
	    "                        probe is one: dbtls stays under N per endpoint, logging in\n"
	    "                        to reset the count when --sql credentials are given, else\n"
	    "                        stopping with a LIMIT error. 0: no limit. Loopback exempt\n"
	    "  --handshake-facts     also probe what else the handshake tells: post-quantum HRR\n"
	    "                        preference, TLS 1.2 hygiene (renegotiation, EMS, ETM,\n"
	    "                        compression, fallback SCSV), client-certificate request,\n"
	    "                        TLS 1.2/1.3 signature schemes, Heartbleed, CCS injection,\n"
	    "                        the DHE prime (about 3 connections + 1 per accepted PQ\n"
	    "                        group + accepted TLS 1.2 and 1.3 schemes + 2)\n"
	    "  --per-host-connections N\n"
	    "                        probes in flight to one endpoint at once (default 4, 1-64);\n"
	    "                        each connection has its own deadline\n"
	    "  -o, --output FILE     write a report to FILE (repeatable); the format follows the\n"
	    "                        extension (.json, .txt, .html, .jsonl, .prom) unless "
	    "--format\n"
	    "                        is given. The file is written to a temporary name and "
	    "renamed,\n"
	    "                        so it is never half written. Use '-' for standard output.\n"
	    "  --format FORMAT       report format for standard output and for -o files without a\n"
	    "                        known extension:");
	dbtls_report_list_formats(out);
	fprintf(
	    out,
	    "\n"
	    "                        (default: a text summary on standard output)\n"
	    "  -q, --quiet           no text summary on standard output when -o is given\n"
	    "\n"
	    "SQL options (scan, MySQL/MariaDB):\n"
	    "  --sql                 after the TLS probes, log in over TLS and record what the\n"
	    "                        server says: session cipher, TLS settings, live connections\n"
	    "                        (performance_schema), accounts and their REQUIRE SSL/X509\n"
	    "  --sql-user USER       account to log in as (default: the option file's user)\n"
	    "  --defaults-file FILE  MySQL option file with [client] user= and password=\n"
	    "                        (default: the usual my.cnf files and ~/.my.cnf)\n"
	    "  --sql-insecure        do not verify the server certificate on the SQL login\n"
	    "                        (reported as a finding about the scan itself)\n"
	    "                        The password comes only from the environment variable\n"
	    "                        DBTLS_MYSQL_PASSWORD or the option file, never from argv.\n"
	    "                        --sql-user, --defaults-file and --sql-insecure imply --sql.\n"
	    "\n"
	    "Policy options (scan and check):\n"
	    "  --policy NAME|FILE    profile to judge the facts by (default baseline; see\n"
	    "                        'dbtls policies'); a FILE.json of the same format; or none\n"
	    "  --waivers FILE        accepted risks: {\"waivers\": [{\"check\", \"endpoint\",\n"
	    "                        \"until\": \"YYYY-MM-DD\", \"reason\", \"owner\"}]}; a "
	    "waived\n"
	    "                        finding stays in the report, marked, until the date passes\n"
	    "  --fail-on SEVERITY    exit 1 when a finding (not waived) is at or above it:\n"
	    "                        info, low, medium, high (default), critical\n"
	    "  --facts REPORT.json   check: the saved report to judge\n"
	    "\n"
	    "Certificate options (scan):\n"
	    "  --revocation MODE     hard-fail (default): a revocation status that cannot be\n"
	    "                        determined is a finding; soft-fail: only a note (info);\n"
	    "                        off: do not ask. Order: stapled OCSP, --crl files, the OCSP\n"
	    "                        responder in the certificate, its CRL distribution point\n"
	    "  --revocation-leaf-only  check the leaf only, not the intermediates\n"
	    "  --crl FILE            a CRL (PEM or DER) to consult; repeatable\n"
	    "  --new-ca-file FILE    CA rotation: would each served chain verify for clients that\n"
	    "                        trust only this bundle? (ca-rotation.* findings, a summary)\n"
	    "  --no-color            no colours in the text summary (also: NO_COLOR set)\n"
	    "\n"
	    "Exit codes:\n"
	    "  0  every endpoint was scanned and nothing (not waived) is at or above --fail-on\n"
	    "  1  findings at or above --fail-on (this wins over 3: a definite failure is never\n"
	    "     hidden behind an unreachable endpoint)\n"
	    "  2  usage or input error (bad option, target, policy or waiver file, unwritable\n"
	    "     report): one line names the input; nothing was scanned, or a report is missing\n"
	    "  3  some endpoints could not be scanned (refused, timed out, garbage, server "
	    "error);\n"
	    "     the report is still written and names each error\n");
}

static enum dbtls_err cli_add_target(struct dbtls_cli *cli, const char *s, char *why, size_t whylen)
{
	struct dbtls_target *t, nt;
	enum dbtls_err err;

	err = dbtls_target_parse(s, &nt, why, whylen);
	if (err)
		return err;
	t = realloc(cli->targets, (cli->ntargets + 1) * sizeof(*t));
	if (!t) {
		dbtls_target_free(&nt);
		return DBTLS_ERR_NOMEM;
	}
	cli->targets = t;
	cli->targets[cli->ntargets++] = nt;
	return DBTLS_OK;
}

enum dbtls_err dbtls_cli_read_targets(struct dbtls_cli *cli, const char *path, FILE *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, why[256];
	size_t cap = 0, lineno = 0;
	enum dbtls_err rc = DBTLS_OK;
	ssize_t len;

	if (!f) {
		fprintf(err, "dbtls: %s: %s\n", path, strerror(errno));
		return DBTLS_ERR_FILE;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s = line, *e;

		lineno++;
		if (memchr(line, 0, (size_t)len)) {
			fprintf(err, "%s:%zu: NUL byte in line\n", path, lineno);
			rc = DBTLS_ERR_INPUT;
			break;
		}
		e = strchr(s, '#');
		if (e)
			*e = 0;
		s += strspn(s, " \t\r\n");
		e = s + strlen(s);
		while (e > s && strchr(" \t\r\n", e[-1]))
			*--e = 0;
		if (!*s)
			continue;
		if (strpbrk(s, " \t")) {
			fprintf(err, "%s:%zu: one target per line, got '%s'\n", path, lineno, s);
			rc = DBTLS_ERR_INPUT;
			break;
		}
		rc = cli_add_target(cli, s, why, sizeof(why));
		if (rc) {
			fprintf(err, "%s:%zu: %s\n", path, lineno,
				rc == DBTLS_ERR_NOMEM ? "out of memory" : why);
			break;
		}
	}
	if (!rc && ferror(f)) {
		fprintf(err, "dbtls: %s: read error\n", path);
		rc = DBTLS_ERR_FILE;
	}
	free(line);
	fclose(f);
	return rc;
}

void dbtls_cli_free(struct dbtls_cli *cli)
{
	for (size_t i = 0; i < cli->ntargets; i++)
		dbtls_target_free(&cli->targets[i]);
	free(cli->targets);
	cli->targets = NULL;
	cli->ntargets = 0;
}

static bool cli_readable(const char *path, FILE *err, const char *opt)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(err, "dbtls: %s %s: %s\n", opt, path, strerror(errno));
		return false;
	}
	fclose(f);
	return true;
}

enum {
	OPT_TARGETS = 256,
	OPT_CA_FILE,
	OPT_SNI,
	OPT_TIMEOUT,
	OPT_FORMAT,
	OPT_JOBS,
	OPT_PER_HOST,
	OPT_NO_COLOR,
	OPT_POLICY,
	OPT_WAIVERS,
	OPT_FAIL_ON,
	OPT_FACTS,
	OPT_NAME,
	OPT_EXTENDS,
	OPT_CRL,
	OPT_REVOCATION,
	OPT_REVOCATION_LEAF_ONLY,
	OPT_NEW_CA_FILE,
	OPT_SQL,
	OPT_SQL_USER,
	OPT_DEFAULTS_FILE,
	OPT_SQL_INSECURE,
	OPT_HANDSHAKE_FACTS,
	OPT_MAX_CONNECT_ERRORS,
};

static const struct option long_opts[] = {
    {"targets", required_argument, NULL, OPT_TARGETS},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"sni", required_argument, NULL, OPT_SNI},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"per-host-connections", required_argument, NULL, OPT_PER_HOST},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"waivers", required_argument, NULL, OPT_WAIVERS},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"facts", required_argument, NULL, OPT_FACTS},
    {"name", required_argument, NULL, OPT_NAME},
    {"extends", required_argument, NULL, OPT_EXTENDS},
    {"crl", required_argument, NULL, OPT_CRL},
    {"revocation", required_argument, NULL, OPT_REVOCATION},
    {"revocation-leaf-only", no_argument, NULL, OPT_REVOCATION_LEAF_ONLY},
    {"new-ca-file", required_argument, NULL, OPT_NEW_CA_FILE},
    {"max-connect-errors", required_argument, NULL, OPT_MAX_CONNECT_ERRORS},
    {"sql", no_argument, NULL, OPT_SQL},
    {"sql-user", required_argument, NULL, OPT_SQL_USER},
    {"defaults-file", required_argument, NULL, OPT_DEFAULTS_FILE},
    {"sql-insecure", no_argument, NULL, OPT_SQL_INSECURE},
    {"handshake-facts", no_argument, NULL, OPT_HANDSHAKE_FACTS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

enum dbtls_err dbtls_cli_parse(int argc, char **argv, struct dbtls_cli *cli, FILE *err)
{
	const char *targets_file[16];
	size_t ntargets_file = 0;
	enum dbtls_err rc;
	char why[256], *end;
	double secs;
	long jobs;
	int c;

	memset(cli, 0, sizeof(*cli));
	cli->scan.timeout_ms = 10000;
	cli->scan.jobs = 16;
	cli->scan.per_host = 4;
	cli->scan.rev.enabled = true;	    /* hard-fail unless told otherwise */
	cli->scan.max_connect_errors = 100; /* the MySQL/MariaDB default */
	cli->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	if (argc < 2) {
		fprintf(err, "dbtls: no command given (try 'dbtls help')\n");
		return DBTLS_ERR_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		cli->cmd = DBTLS_CMD_HELP;
		return DBTLS_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		cli->cmd = DBTLS_CMD_VERSION;
		return DBTLS_OK;
	}
	cli->policy = "baseline";
	cli->fail_on = DBTLS_SEV_HIGH;
	cli->derive_name = "pinned";
	if (strcmp(argv[1], "policies") == 0) {
		cli->cmd = DBTLS_CMD_POLICIES;
		if (argc > 2) {
			fprintf(err, "dbtls: policies takes no arguments\n");
			return DBTLS_ERR_USAGE;
		}
		return DBTLS_OK;
	}
	if (strcmp(argv[1], "explain") == 0) {
		cli->cmd = DBTLS_CMD_EXPLAIN;
		if (argc != 3) {
			fprintf(err,
				"dbtls: usage: dbtls explain CHECK-ID (ids: dbtls explain all)\n");
			return DBTLS_ERR_USAGE;
		}
		if (strcmp(argv[2], "all") != 0 && !dbtls_check_find(argv[2])) {
			fprintf(err,
				"dbtls: explain: unknown check '%s' (list: dbtls explain all)\n",
				argv[2]);
			return DBTLS_ERR_USAGE;
		}
		cli->explain_id = argv[2];
		return DBTLS_OK;
	}
	if (strcmp(argv[1], "scan") == 0) {
		cli->cmd = DBTLS_CMD_SCAN;
		optind = 2;
	} else if (strcmp(argv[1], "check") == 0) {
		cli->cmd = DBTLS_CMD_CHECK;
		optind = 2;
	} else if (strcmp(argv[1], "diff") == 0) {
		cli->cmd = DBTLS_CMD_DIFF;
		optind = 2;
	} else if (strcmp(argv[1], "policy") == 0 && argc > 2 && strcmp(argv[2], "derive") == 0) {
		cli->cmd = DBTLS_CMD_DERIVE;
		optind = 3;
	} else {
		fprintf(err, "dbtls: unknown command '%s' (try 'dbtls help')\n", argv[1]);
		return DBTLS_ERR_USAGE;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_TARGETS:
			if (ntargets_file == sizeof(targets_file) / sizeof(targets_file[0])) {
				fprintf(err, "dbtls: too many --targets files\n");
				return DBTLS_ERR_USAGE;
			}
			targets_file[ntargets_file++] = optarg;
			break;
		case OPT_CA_FILE:
			if (!cli_readable(optarg, err, "--ca-file"))
				return DBTLS_ERR_FILE;
			cli->scan.ca_file = optarg;
			break;
		case OPT_SNI:
			if (!*optarg || strlen(optarg) > 253 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789.-_") != strlen(optarg)) {
				fprintf(err, "dbtls: --sni '%s': not a host name\n", optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->scan.sni = optarg;
			break;
		case OPT_TIMEOUT:
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(secs >= 0.01 && secs <= 3600)) {
				fprintf(
				    err,
				    "dbtls: --timeout '%s': want seconds between 0.01 and 3600\n",
				    optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->scan.timeout_ms = (int)(secs * 1000 + 0.5);
			break;
		case OPT_FORMAT:
			if (!dbtls_report_find(optarg)) {
				fprintf(err, "dbtls: --format '%s': unknown format\n", optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->format = optarg;
			break;
		case OPT_JOBS:
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || jobs < 1 || jobs > 256) {
				fprintf(err, "dbtls: --jobs '%s': want a number from 1 to 256\n",
					optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->scan.jobs = (int)jobs;
			break;
		case OPT_PER_HOST:
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || jobs < 1 || jobs > 64) {
				fprintf(err,
					"dbtls: --per-host-connections '%s': want a number from 1 "
					"to 64\n",
					optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->scan.per_host = (int)jobs;
			break;
		case 'o':
			if (cli->noutputs == DBTLS_MAX_OUTPUTS) {
				fprintf(err, "dbtls: at most %d -o outputs\n", DBTLS_MAX_OUTPUTS);
				return DBTLS_ERR_USAGE;
			}
			cli->outputs[cli->noutputs++].path = optarg;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case OPT_NO_COLOR:
			cli->color = false;
			break;
		case OPT_POLICY:
			cli->policy = optarg;
			break;
		case OPT_WAIVERS:
			if (!cli_readable(optarg, err, "--waivers"))
				return DBTLS_ERR_FILE;
			cli->waivers = optarg;
			break;
		case OPT_FAIL_ON: {
			enum dbtls_severity sev;
			if (!dbtls_severity_parse(optarg, &sev)) {
				fprintf(err,
					"dbtls: --fail-on '%s': want info, low, medium, high or "
					"critical\n",
					optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->fail_on = (int)sev;
			break;
		}
		case OPT_FACTS:
			if (!cli_readable(optarg, err, "--facts"))
				return DBTLS_ERR_FILE;
			cli->facts = optarg;
			break;
		case OPT_NAME:
			if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789.-") !=
					    strlen(optarg)) {
				fprintf(err,
					"dbtls: --name '%s': lower-case letters, digits, . and -\n",
					optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->derive_name = optarg;
			break;
		case OPT_EXTENDS:
			cli->derive_extends = optarg;
			break;
		case OPT_CRL:
			if (!cli_readable(optarg, err, "--crl"))
				return DBTLS_ERR_FILE;
			if (cli->ncrl_files == sizeof(cli->crl_files) / sizeof(cli->crl_files[0])) {
				fprintf(err, "dbtls: at most 16 --crl files\n");
				return DBTLS_ERR_USAGE;
			}
			cli->crl_files[cli->ncrl_files++] = optarg;
			break;
		case OPT_REVOCATION:
			if (!strcmp(optarg, "hard-fail") || !strcmp(optarg, "soft-fail")) {
				cli->scan.rev.enabled = true;
				cli->revocation_soft_fail = !strcmp(optarg, "soft-fail");
			} else if (!strcmp(optarg, "off")) {
				cli->scan.rev.enabled = false;
			} else {
				fprintf(
				    err,
				    "dbtls: --revocation '%s': want hard-fail, soft-fail or off\n",
				    optarg);
				return DBTLS_ERR_USAGE;
			}
			break;
		case OPT_REVOCATION_LEAF_ONLY:
			cli->scan.rev.leaf_only = true;
			break;
		case OPT_MAX_CONNECT_ERRORS:
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || jobs < 0 || jobs > 1000000) {
				fprintf(err,
					"dbtls: --max-connect-errors '%s': want a number (0: no "
					"limit)\n",
					optarg);
				return DBTLS_ERR_USAGE;
			}
			cli->scan.max_connect_errors = (int)jobs;
			break;
		case OPT_NEW_CA_FILE:
			if (!cli_readable(optarg, err, "--new-ca-file"))
				return DBTLS_ERR_FILE;
			cli->scan.new_ca_file = optarg;
			break;
		case OPT_SQL:
			cli->scan.sql = true;
			break;
		case OPT_SQL_USER:
			/* MySQL user names are at most 32 characters, MariaDB's 80 */
			if (!*optarg || strlen(optarg) > 80) {
				fprintf(err, "dbtls: --sql-user: want 1 to 80 characters\n");
				return DBTLS_ERR_USAGE;
			}
			cli->scan.sql_user = optarg;
			cli->scan.sql = true;
			break;
		case OPT_DEFAULTS_FILE:
			if (!cli_readable(optarg, err, "--defaults-file"))
				return DBTLS_ERR_FILE;
			cli->scan.defaults_file = optarg;
			cli->scan.sql = true;
			break;
		case OPT_SQL_INSECURE:
			cli->scan.sql_insecure = true;
			cli->scan.sql = true;
			break;
		case OPT_HANDSHAKE_FACTS:
			cli->scan.handshake_facts = true;
			break;
		case 'h':
			cli->cmd = DBTLS_CMD_HELP;
			return DBTLS_OK;
		case 'V':
			cli->cmd = DBTLS_CMD_VERSION;
			return DBTLS_OK;
		case ':':
			fprintf(err, "dbtls: option '%s' needs a value\n", argv[optind - 1]);
			return DBTLS_ERR_USAGE;
		default:
			fprintf(err, "dbtls: unknown option '%s' (try 'dbtls help')\n",
				argv[optind - 1]);
			return DBTLS_ERR_USAGE;
		}
	}
	cli->scan.rev.crl_files = cli->crl_files;
	cli->scan.rev.ncrl_files = cli->ncrl_files;
	cli->scan.rev.timeout_ms = cli->scan.timeout_ms;
	if (cli->cmd == DBTLS_CMD_DIFF) {
		if (optind != argc - 2 || cli->noutputs) {
			fprintf(err,
				"dbtls: usage: dbtls diff OLD.json NEW.json [--format text|json] "
				"[--fail-on SEVERITY]\n");
			return DBTLS_ERR_USAGE;
		}
		if (cli->format && strcmp(cli->format, "text") && strcmp(cli->format, "json")) {
			fprintf(err, "dbtls: diff --format '%s': want text or json\n", cli->format);
			return DBTLS_ERR_USAGE;
		}
		cli->diff_old = argv[optind];
		cli->diff_new = argv[optind + 1];
		return DBTLS_OK;
	}
	/* an -o file takes the format of its extension unless --format says otherwise */
	for (size_t i = 0; i < cli->noutputs; i++) {
		struct dbtls_output *o = &cli->outputs[i];
		const struct dbtls_report_writer *w = dbtls_report_for_path(o->path);
		if (cli->format)
			w = dbtls_report_find(cli->format);
		else if (!strcmp(o->path, "-") || cli->cmd == DBTLS_CMD_DERIVE)
			w = &dbtls_report_json;
		if (!w) {
			fprintf(err,
				"dbtls: -o %s: cannot tell the format from the extension; add "
				"--format\n",
				o->path);
			return DBTLS_ERR_USAGE;
		}
		o->format = w->name;
	}
	if (cli->cmd == DBTLS_CMD_DERIVE) {
		if (optind != argc - 1 || cli->noutputs != 1 ||
		    !strcmp(cli->outputs[0].path, "-")) {
			fprintf(err,
				"dbtls: usage: dbtls policy derive REPORT.json -o PINNED.json\n");
			return DBTLS_ERR_USAGE;
		}
		if (!cli_readable(argv[optind], err, "policy derive"))
			return DBTLS_ERR_FILE;
		cli->facts = argv[optind];
		return DBTLS_OK;
	}
	if (cli->cmd == DBTLS_CMD_CHECK) {
		if (optind != argc || !cli->facts) {
			fprintf(err, "dbtls: usage: dbtls check --facts REPORT.json [--policy P] "
				     "(no targets: nothing is scanned)\n");
			return DBTLS_ERR_USAGE;
		}
		return DBTLS_OK;
	}
	for (int i = optind; i < argc; i++) {
		rc = cli_add_target(cli, argv[i], why, sizeof(why));
		if (rc) {
			fprintf(err, "dbtls: target '%s': %s\n", argv[i],
				rc == DBTLS_ERR_NOMEM ? "out of memory" : why);
			return rc;
		}
	}
	for (size_t i = 0; i < ntargets_file; i++) {
		rc = dbtls_cli_read_targets(cli, targets_file[i], err);
		if (rc)
			return rc;
	}
	if (!cli->ntargets) {
		fprintf(err, "dbtls: scan: no targets given (try 'dbtls help')\n");
		return DBTLS_ERR_USAGE;
	}
	return DBTLS_OK;
}
