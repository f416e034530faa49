/* SPDX-License-Identifier: MIT */
/*
 * cli.c — parses the command line and target files into struct dbtls_cli, and prints help.
 *
 * Two tables say everything: cli_cmds (the sub-commands, their usage line and what they do with
 * their operands) and cli_opts (every option: its name, argument, the commands that take it, its
 * help text and the handler that checks and stores it). getopt's long options, the per-command
 * acceptance and `dbtls help [COMMAND]` are generated from them; the protocol and format lists in
 * the help come from the preamble and report registries. Adding an option is one row in cli_opts
 * (plus its handler and the field it writes).
 *
 * Inputs are checked here, before anything is scanned: files are opened and CA bundles and CRLs
 * parsed, so a wrong path costs no traffic. Every line this file prints goes through the one
 * escaping policy (src/core/escape.h), since it may echo what the user typed or a file held.
 *
 * Secrets never come from here: there is deliberately no --password option (passwords come from
 * the environment or option files, read where they are used).
 */
#include "app/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <mysql.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "checks/check.h"
#include "reports/report.h"
#include "src/core/escape.h"
#include "src/core/version.h"

#define CLI_HELP_COL   24 /* where option descriptions start */
#define CLI_HELP_WIDTH 80 /* help lines are at most this wide */

void dbtls_cli_say(FILE *err, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dbtls_esc_write(err, buf, DBTLS_ESC_TEXT);
	fputc('\n', err);
}

void dbtls_cli_version(FILE *out)
{
	fprintf(out, "dbtls %s (%s, jansson %s, libmariadb %s)\n", DBTLS_VERSION,
		OpenSSL_version(OPENSSL_VERSION), JANSSON_VERSION, mysql_get_client_info());
}

/* ---- parse state and the option handlers ----------------------------------------------- */

struct cli_state {
	struct dbtls_cli *cli;
	FILE *err;
	const char *cmdname;		 /* "scan", "policy derive", … */
	const struct dbtls_cli_opt *opt; /* the option being handled */
	const char *targets_file[16];
	size_t ntargets_file;
};

#define CLI_FAIL(st, rc, ...)                                                                      \
	do {                                                                                       \
		dbtls_cli_say((st)->err, __VA_ARGS__);                                             \
		return rc;                                                                         \
	} while (0)

/* The generic handlers store into the field the row names (dbtls_cli_opt.field). */
#define CLI_FIELD(st, type) ((type *)(void *)((char *)(st)->cli + (st)->opt->field))

/* A switch: sets the bool field. */
static enum dbtls_err cli_flag(struct cli_state *st, const char *arg)
{
	(void)arg;
	*CLI_FIELD(st, bool) = true;
	return DBTLS_OK;
}

/* A string kept as given (borrowed from argv): sets the const char * field. */
static enum dbtls_err cli_string(struct cli_state *st, const char *arg)
{
	*CLI_FIELD(st, const char *) = arg;
	return DBTLS_OK;
}

/* A duration in seconds, 0.01 to 3600, fractions allowed: sets the int field in milliseconds. */
/* Seconds from 0.01 to max, fractions allowed, into *ms. */
static enum dbtls_err cli_seconds(struct cli_state *st, const char *arg, double max, int *ms)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	if (errno || end == arg || *end || !(secs >= 0.01 && secs <= max))
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: --%s '%s': want seconds between 0.01 and %g",
			 st->opt->name, arg, max);
	*ms = (int)(secs * 1000 + 0.5);
	return DBTLS_OK;
}

static enum dbtls_err cli_seconds_ms(struct cli_state *st, const char *arg)
{
	return cli_seconds(st, arg, 3600, CLI_FIELD(st, int));
}

/* A file given as input exists, can be opened and is not a directory. */
static bool cli_readable(const char *path, FILE *err, const char *opt)
{
	struct stat sb;
	FILE *f = fopen(path, "r");

	if (!f) {
		dbtls_cli_say(err, "dbtls: %s %s: %s", opt, path, strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		dbtls_cli_say(err, "dbtls: %s %s: is a directory, want a file", opt, path);
		return false;
	}
	fclose(f);
	return true;
}

/* A CA bundle: a readable file holding at least one PEM certificate, every block well-formed. */
static enum dbtls_err cli_ca_bundle(struct cli_state *st, const char *path, const char *opt)
{
	STACK_OF(X509_INFO) *infos = NULL;
	BIO *bio;
	int ncerts = 0;

	if (!cli_readable(path, st->err, opt))
		return DBTLS_ERR_FILE;
	bio = BIO_new_file(path, "r");
	if (bio)
		infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	for (int i = 0; infos && i < sk_X509_INFO_num(infos); i++)
		ncerts += sk_X509_INFO_value(infos, i)->x509 != NULL;
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	if (!ncerts)
		CLI_FAIL(st, DBTLS_ERR_INPUT,
			 "dbtls: %s %s: not a PEM CA bundle (no certificate in it)", opt, path);
	return DBTLS_OK;
}

static enum dbtls_err cli_long(struct cli_state *st, const char *opt, const char *arg, long lo,
			       long hi, long *out, const char *want)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	if (errno || end == arg || *end || *out < lo || *out > hi)
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: %s '%s': %s", opt, arg, want);
	return DBTLS_OK;
}

static enum dbtls_err opt_targets(struct cli_state *st, const char *arg)
{
	if (st->ntargets_file == sizeof(st->targets_file) / sizeof(st->targets_file[0]))
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: too many --targets files");
	st->targets_file[st->ntargets_file++] = arg;
	return DBTLS_OK;
}

/* --shard K/N, or auto/N: K from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's index).
 * K counts from 0, as that index does. */
static enum dbtls_err opt_shard(struct cli_state *st, const char *arg)
{
	const char *slash = strchr(arg, '/'), *ks = arg, *env = NULL;
	char kbuf[32], *end;
	unsigned long k, n;

	if (!slash || (size_t)(slash - arg) >= sizeof(kbuf))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: --shard '%s': want K/N or auto/N (0 <= K < N)", arg);
	memcpy(kbuf, arg, (size_t)(slash - arg));
	kbuf[slash - arg] = 0;
	if (!strcmp(kbuf, "auto")) {
		env = getenv("JOB_COMPLETION_INDEX");
		if (!env || !*env)
			CLI_FAIL(st, DBTLS_ERR_USAGE,
				 "dbtls: --shard auto/N: JOB_COMPLETION_INDEX is not set (a "
				 "Kubernetes Indexed Job sets it; else give K/N)");
		ks = env;
	} else {
		ks = kbuf;
	}
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || n < 1 || n > 65536)
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: --shard '%s': N must be 1-65536", arg);
	errno = 0;
	k = strtoul(ks, &end, 10);
	if (errno || end == ks || *end || *ks == '-' || k >= n)
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: --shard '%s'%s%s: K must be 0-%lu", arg,
			 env ? ": JOB_COMPLETION_INDEX=" : "", env ? env : "", n - 1);
	st->cli->shard_k = (unsigned)k;
	st->cli->shard_n = (unsigned)n;
	return DBTLS_OK;
}

static enum dbtls_err opt_ca_file(struct cli_state *st, const char *arg)
{
	st->cli->scan.ca_file = arg;
	return cli_ca_bundle(st, arg, "--ca-file");
}

static enum dbtls_err opt_new_ca_file(struct cli_state *st, const char *arg)
{
	st->cli->scan.new_ca_file = arg;
	return cli_ca_bundle(st, arg, "--new-ca-file");
}

static enum dbtls_err opt_sni(struct cli_state *st, const char *arg)
{
	if (!*arg || strlen(arg) > 253 ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") !=
		strlen(arg))
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: --sni '%s': not a host name", arg);
	st->cli->scan.sni = arg;
	return DBTLS_OK;
}

static enum dbtls_err opt_endpoint_timeout(struct cli_state *st, const char *arg)
{
	return cli_seconds(st, arg, 86400, &st->cli->scan.endpoint_timeout_ms);
}

static enum dbtls_err opt_jobs(struct cli_state *st, const char *arg)
{
	long v;
	enum dbtls_err rc = cli_long(st, "--jobs", arg, 1, 256, &v, "want a number from 1 to 256");

	if (!rc)
		st->cli->scan.jobs = (int)v;
	return rc;
}

static enum dbtls_err opt_cidr_max(struct cli_state *st, const char *arg)
{
	long v;
	enum dbtls_err rc = cli_long(st, "--cidr-max", arg, 0, 1L << 30, &v,
				     "want a number of addresses from 0 (no limit) to 2^30");

	if (!rc)
		st->cli->cidr_max = (uint64_t)v;
	return rc;
}

static enum dbtls_err opt_per_host(struct cli_state *st, const char *arg)
{
	long v;
	enum dbtls_err rc =
	    cli_long(st, "--per-host-connections", arg, 1, 64, &v, "want a number from 1 to 64");

	if (!rc)
		st->cli->scan.per_host = (int)v;
	return rc;
}

static enum dbtls_err opt_max_connect_errors(struct cli_state *st, const char *arg)
{
	long v;
	enum dbtls_err rc = cli_long(st, "--max-connect-errors", arg, 0, 1000000, &v,
				     "want a number (0: no limit)");

	if (!rc)
		st->cli->scan.max_connect_errors = (int)v;
	return rc;
}

static enum dbtls_err opt_rate(struct cli_state *st, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0.1 && v <= 100000))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: --rate '%s': want new connections a second, 0.1 to 100000", arg);
	st->cli->scan.rate = v;
	return DBTLS_OK;
}

/* --alpn h2,http/1.1: a NULL-terminated list in cli->alpn, the strings in cli->alpn_buf. */
static enum dbtls_err opt_alpn(struct cli_state *st, const char *arg)
{
	struct dbtls_cli *cli = st->cli;
	size_t n = 1, i = 0;
	char *p;

	for (const char *q = arg; *q; q++)
		n += *q == ',';
	free(cli->alpn_buf);
	free(cli->alpn);
	cli->alpn_buf = strdup(arg);
	cli->alpn = calloc(n + 1, sizeof(*cli->alpn));
	cli->scan.alpn = NULL;
	if (!cli->alpn_buf || !cli->alpn)
		CLI_FAIL(st, DBTLS_ERR_NOMEM, "dbtls: out of memory");
	for (p = cli->alpn_buf;; p++) {
		char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len < 1 || len > 255)
			CLI_FAIL(st, DBTLS_ERR_USAGE,
				 "dbtls: --alpn '%s': each protocol id is 1 to 255 bytes, "
				 "comma-separated",
				 arg);
		for (size_t k = 0; k < len; k++)
			if (p[k] < 0x21 || p[k] > 0x7e)
				CLI_FAIL(st, DBTLS_ERR_USAGE,
					 "dbtls: --alpn '%s': protocol ids are printable ASCII "
					 "without spaces",
					 arg);
		cli->alpn[i++] = p;
		if (!c)
			break;
		*c = 0;
		p = c;
	}
	cli->alpn[i] = NULL;
	cli->scan.alpn = (const char *const *)cli->alpn;
	return DBTLS_OK;
}

static enum dbtls_err opt_format(struct cli_state *st, const char *arg)
{
	if (!dbtls_report_find(arg))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: --format '%s': unknown format (see 'dbtls help')", arg);
	st->cli->format = arg;
	return DBTLS_OK;
}

static enum dbtls_err opt_output(struct cli_state *st, const char *arg)
{
	struct dbtls_cli *cli = st->cli;
	const char *slash = strrchr(arg, '/');
	char dir[4096];
	struct stat sb;

	if (cli->noutputs == DBTLS_MAX_OUTPUTS)
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: at most %d -o outputs", DBTLS_MAX_OUTPUTS);
	if (strcmp(arg, "-") != 0) {
		if (!*arg)
			CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: -o '': want a file name or -");
		if ((slash && !slash[1]) || (stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode)))
			CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: -o %s: is a directory, want a file",
				 arg);
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == arg)
			snprintf(dir, sizeof(dir), "/");
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - arg), arg);
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			CLI_FAIL(st, DBTLS_ERR_FILE, "dbtls: -o %s: directory %s: %s", arg, dir,
				 stat(dir, &sb) != 0 ? strerror(errno) : "not a directory");
	}
	cli->outputs[cli->noutputs++].path = arg;
	return DBTLS_OK;
}

static enum dbtls_err opt_no_color(struct cli_state *st, const char *arg)
{
	(void)arg;
	st->cli->color_mode = DBTLS_COLOR_NEVER;
	return DBTLS_OK;
}

static enum dbtls_err opt_color(struct cli_state *st, const char *arg)
{
	static const char *const modes[] = {"auto", "always", "never"};

	for (int i = 0; i < 3; i++)
		if (!arg || !strcmp(arg, modes[i])) {
			st->cli->color_mode = arg ? (enum dbtls_color)i : DBTLS_COLOR_ALWAYS;
			return DBTLS_OK;
		}
	CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: --color '%s': want auto, always or never", arg);
}

static enum dbtls_err opt_waivers(struct cli_state *st, const char *arg)
{
	if (!cli_readable(arg, st->err, "--waivers"))
		return DBTLS_ERR_FILE;
	st->cli->waivers = arg;
	return DBTLS_OK;
}

static enum dbtls_err opt_fail_on(struct cli_state *st, const char *arg)
{
	enum dbtls_severity sev;

	if (!dbtls_severity_parse(arg, &sev))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: --fail-on '%s': want info, low, medium, high or critical", arg);
	st->cli->fail_on = (int)sev;
	return DBTLS_OK;
}

static enum dbtls_err opt_store_passwords(struct cli_state *st, const char *arg)
{
	if (!cli_readable(arg, st->err, "--store-passwords"))
		return DBTLS_ERR_FILE;
	st->cli->store_passwords = arg;
	return DBTLS_OK;
}

static enum dbtls_err opt_facts(struct cli_state *st, const char *arg)
{
	if (!cli_readable(arg, st->err, "--facts"))
		return DBTLS_ERR_FILE;
	st->cli->facts = arg;
	return DBTLS_OK;
}

static enum dbtls_err opt_name(struct cli_state *st, const char *arg)
{
	if (!*arg || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(arg))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: --name '%s': lower-case letters, digits, . and -", arg);
	st->cli->derive_name = arg;
	return DBTLS_OK;
}

/* A CRL file: PEM or DER, parsed now so a wrong file is refused before the scan. */
static enum dbtls_err opt_crl(struct cli_state *st, const char *arg)
{
	struct dbtls_cli *cli = st->cli;
	X509_CRL *crl = NULL;
	BIO *bio;

	if (!cli_readable(arg, st->err, "--crl"))
		return DBTLS_ERR_FILE;
	if (cli->ncrl_files == sizeof(cli->crl_files) / sizeof(cli->crl_files[0]))
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: at most 16 --crl files");
	bio = BIO_new_file(arg, "rb");
	if (bio)
		crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	if (bio && !crl && BIO_reset(bio) == 0)
		crl = d2i_X509_CRL_bio(bio, NULL);
	X509_CRL_free(crl);
	BIO_free(bio);
	if (!crl)
		CLI_FAIL(st, DBTLS_ERR_INPUT, "dbtls: --crl %s: not a CRL (PEM or DER)", arg);
	cli->crl_files[cli->ncrl_files++] = arg;
	return DBTLS_OK;
}

static enum dbtls_err opt_revocation(struct cli_state *st, const char *arg)
{
	struct dbtls_cli *cli = st->cli;

	if (!strcmp(arg, "hard-fail") || !strcmp(arg, "soft-fail")) {
		cli->scan.rev.enabled = true;
		cli->revocation_soft_fail = !strcmp(arg, "soft-fail");
	} else if (!strcmp(arg, "off")) {
		cli->scan.rev.enabled = false;
	} else {
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: --revocation '%s': want hard-fail, soft-fail or off", arg);
	}
	return DBTLS_OK;
}

static enum dbtls_err opt_sql_user(struct cli_state *st, const char *arg)
{
	/* MySQL user names are at most 32 characters, MariaDB's 80 */
	if (!*arg || strlen(arg) > 80)
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: --sql-user: want 1 to 80 characters");
	st->cli->scan.sql_user = arg;
	st->cli->scan.sql = true;
	return DBTLS_OK;
}

static enum dbtls_err opt_defaults_file(struct cli_state *st, const char *arg)
{
	if (!cli_readable(arg, st->err, "--defaults-file"))
		return DBTLS_ERR_FILE;
	st->cli->scan.defaults_file = arg;
	st->cli->scan.sql = true;
	return DBTLS_OK;
}

static enum dbtls_err opt_sql_insecure(struct cli_state *st, const char *arg)
{
	(void)arg;
	st->cli->scan.sql_insecure = true;
	st->cli->scan.sql = true;
	return DBTLS_OK;
}

static enum dbtls_err opt_help(struct cli_state *st, const char *arg)
{
	(void)arg;
	st->cli->help_cmd = st->cmdname;
	st->cli->cmd = DBTLS_CMD_HELP;
	return DBTLS_OK;
}

static enum dbtls_err opt_version(struct cli_state *st, const char *arg)
{
	(void)arg;
	st->cli->cmd = DBTLS_CMD_VERSION;
	return DBTLS_OK;
}

/* ---- the option table ------------------------------------------------------------------- */

#define B(c)	 (1u << (c))
#define ON_SCAN	 B(DBTLS_CMD_SCAN)
#define ON_AUDIT B(DBTLS_CMD_AUDIT)
#define ON_JUDGE (B(DBTLS_CMD_SCAN) | B(DBTLS_CMD_CHECK) | B(DBTLS_CMD_MERGE) | ON_AUDIT)
#define ON_SHOW	 (ON_JUDGE | B(DBTLS_CMD_DIFF))
#define ON_ALL	 (ON_SHOW | B(DBTLS_CMD_DERIVE))

/* Help sections, in the order `dbtls help` prints them. */
static const char *const cli_sections[] = {
    "Scan options",	   "SQL options (scan, MySQL/MariaDB, PostgreSQL)",
    "Output options",	   "Policy options",
    "Certificate options", "Other options",
};
enum { SEC_SCAN, SEC_SQL, SEC_OUT, SEC_POLICY, SEC_CERT, SEC_OTHER };

#define CLI_AT(member) offsetof(struct dbtls_cli, member)

/* In help texts, {formats} expands to the report registry's names. A row with a generic handler
 * (cli_flag: bool, cli_string: const char *, cli_seconds_ms: int) names its field with CLI_AT. */
const struct dbtls_cli_opt dbtls_cli_opts[] = {
    {"targets", 0, "FILE", ON_SCAN, SEC_SCAN,
     "read targets from FILE, one per line ('#' comments, blank lines ignored); may be combined "
     "with targets on the command line. FILE is read as the scan goes (any length costs the "
     "same memory) after a first pass that checks every line, so a bad line costs no traffic. "
     "'-' reads standard input, which can be read only once: each line is checked as it comes, "
     "and a bad one (said as -:LINE) ends the intake there, the targets before it are scanned "
     "and reported, and dbtls exits 2",
     opt_targets, 0},
    {"cidr-max", 0, "N", ON_SCAN, SEC_SCAN,
     "a target may be a range, ADDRESS/PREFIX[:PORT] ('10.0.0.0/28:3306', "
     "'mysql://[fd00::]/120:3306'), each address its own endpoint, expanded as the scan goes; "
     "a range of more than N addresses (default 65536, a /16) is refused unless N says so; "
     "0: no limit",
     opt_cidr_max, 0},
    {"shard", 0, "K/N", ON_SCAN, SEC_SCAN,
     "scan only slice K of N (K from 0): the endpoints whose canonical id hashes to K modulo N, "
     "so N processes given the same list scan disjoint slices that together cover it, whatever "
     "the list order; auto/N takes K from $JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs). "
     "Join the reports with 'dbtls merge'",
     opt_shard, 0},
    {"latest", 0, NULL, B(DBTLS_CMD_MERGE), SEC_OUT,
     "merge: an endpoint found in two reports keeps the one from the report that started "
     "later (default: it is an error)",
     cli_flag, CLI_AT(merge_latest)},
    {"ca-file", 0, "FILE", ON_SCAN, SEC_SCAN,
     "PEM CA bundle to verify served chains against (default: the system trust store)", opt_ca_file,
     0},
    {"sni", 0, "NAME", ON_SCAN, SEC_SCAN,
     "server name to send in SNI and to match the certificate against (default: the target's "
     "host name; IPs send no SNI)",
     opt_sni, 0},
    {"alpn", 0, "LIST", ON_SCAN, SEC_SCAN,
     "ALPN protocol ids to offer, comma-separated (e.g. h2,http/1.1; 1-255 printable bytes "
     "each); default: none",
     opt_alpn, 0},
    {"xmpp-domain", 0, "NAME", ON_SCAN, SEC_SCAN,
     "XMPP targets: the domain for the stream's to=, SNI and the certificate match (SRV-ID and "
     "xmppAddr aware; default: the host)",
     cli_string, CLI_AT(scan.xmpp_domain)},
    {"timeout", 0, "SECONDS", ON_SCAN, SEC_SCAN,
     "deadline for one connection, all of it: name lookup, connect, preamble, hello or "
     "handshake (default 10; may be fractional, e.g. 0.5)",
     cli_seconds_ms, CLI_AT(scan.timeout_ms)},
    {"handshake-facts", 0, NULL, ON_SCAN, SEC_SCAN,
     "also enumerate the TLS 1.2 and 1.3 signature schemes the server accepts (accepted + 1 "
     "connections each); the other handshake facts (post-quantum HRR preference, TLS 1.2 "
     "hygiene, client-certificate request, Heartbleed, CCS injection, the DHE prime) are part "
     "of every scan",
     cli_flag, CLI_AT(scan.handshake_facts)},
    {"endpoint-timeout", 0, "SECONDS", ON_SCAN, SEC_SCAN,
     "deadline for one endpoint, all its probes (default 120, or 10 x --timeout when that is "
     "more); what was learned by then is reported, and each probe cut off is a TIMEOUT error",
     opt_endpoint_timeout, 0},
    {"jobs", 0, "N", ON_SCAN, SEC_SCAN, "endpoints scanned at once (default 16, 1-256)", opt_jobs,
     0},
    {"max-connect-errors", 0, "N", ON_SCAN, SEC_SCAN,
     "MySQL/MariaDB block a client host after N aborted connections (max_connect_errors, "
     "default 100), and every probe is one: dbtls stays under N per server (address and port, "
     "however the targets spell it), logging in to reset the count when --sql credentials are "
     "given, else stopping with a LIMIT error. 0: no "
     "limit. Loopback exempt",
     opt_max_connect_errors, 0},
    {"per-host-connections", 0, "N", ON_SCAN, SEC_SCAN,
     "probes in flight to one server (address and port, however the targets spell it) at once "
     "(default 4, 1-64); each connection has its own deadline",
     opt_per_host, 0},
    {"rate", 0, "N", ON_SCAN, SEC_SCAN,
     "at most N new connections a second over the whole run, all servers together (may be "
     "fractional; default: no limit)",
     opt_rate, 0},
    {"no-pipeline", 0, NULL, ON_SCAN, SEC_SCAN,
     "wait for the server's greeting before asking for TLS on every connection (by default, "
     "once the first connection has shown it, MySQL probes send the request and the ClientHello "
     "at once: one round trip less each)",
     cli_flag, CLI_AT(scan.no_pipeline)},
    {"first-address", 0, NULL, ON_SCAN, SEC_SCAN,
     "scan a host name as one endpoint, at the first of its addresses that answers, as a "
     "database client connects (by default every address, up to 8, is an endpoint of its own, "
     "its id ending in ?address=ADDR)",
     cli_flag, CLI_AT(scan.first_address)},
    {"progress", 0, NULL, ON_SCAN, SEC_OUT,
     "show progress on standard error even when it is not a terminal (default: on a terminal, "
     "unless -q)",
     cli_flag, CLI_AT(progress)},
    {"sql", 0, NULL, ON_SCAN, SEC_SQL,
     "after the TLS probes, log in over TLS and record what the server says: session cipher, "
     "TLS settings, live connections (performance_schema; pg_stat_activity), accounts and "
     "their REQUIRE SSL/X509 (pg_hba.conf rules)",
     cli_flag, CLI_AT(scan.sql)},
    {"sql-user", 0, "USER", ON_SCAN, SEC_SQL,
     "account to log in as (default: the option file's user; PostgreSQL: the service file's); "
     "implies --sql. The password comes only from the environment variable "
     "DBTLS_MYSQL_PASSWORD or the option file (PostgreSQL: DBTLS_PG_PASSWORD or ~/.pgpass), "
     "never from argv",
     opt_sql_user, 0},
    {"defaults-file", 0, "FILE", ON_SCAN, SEC_SQL,
     "MySQL option file with [client] user= and password= (default: the usual my.cnf files and "
     "~/.my.cnf); implies --sql",
     opt_defaults_file, 0},
    {"sql-insecure", 0, NULL, ON_SCAN, SEC_SQL,
     "do not verify the server certificate on the SQL login (reported as a finding about the "
     "scan itself); implies --sql",
     opt_sql_insecure, 0},
    {"output", 'o', "FILE", ON_JUDGE | B(DBTLS_CMD_DERIVE), SEC_OUT,
     "write a report to FILE (repeatable); a known extension decides the format (see Report "
     "formats), otherwise --format does. The file is written to a temporary name and renamed, "
     "so it is never half written. '-' is standard output, in --format (default text)",
     opt_output, 0},
    {"format", 0, "FORMAT", ON_SHOW, SEC_OUT,
     "report format for standard output and for -o files without a known extension:{formats} "
     "(default: a text summary; diff: text or json)",
     opt_format, 0},
    {"quiet", 'q', NULL, ON_JUDGE, SEC_OUT, "no text summary on standard output when -o is given",
     cli_flag, CLI_AT(quiet)},
    {"color", 0, "=WHEN", ON_SHOW, SEC_OUT,
     "colour the text summary: auto (default: on a terminal, unless NO_COLOR is set and not "
     "empty or TERM is dumb), always, never",
     opt_color, 0},
    {"no-color", 0, NULL, ON_SHOW, SEC_OUT, "the same as --color=never", opt_no_color, 0},
    {"policy", 0, "NAME|FILE", ON_JUDGE, SEC_POLICY,
     "profile to judge the facts by (default baseline; see 'dbtls policies'); a FILE.json of "
     "the same format; or none",
     cli_string, CLI_AT(policy)},
    {"waivers", 0, "FILE", ON_JUDGE, SEC_POLICY,
     "accepted risks: {\"waivers\": [{\"check\", \"endpoint\", \"until\": \"YYYY-MM-DD\", "
     "\"reason\", \"owner\"}]}; a waived finding stays in the report, marked, until the date "
     "passes",
     opt_waivers, 0},
    {"fail-on", 0, "SEVERITY", ON_SHOW, SEC_POLICY,
     "exit 1 when a finding (not waived) is at or above it: info, low, medium, high (default), "
     "critical",
     opt_fail_on, 0},
    {"facts", 0, "REPORT.json", B(DBTLS_CMD_CHECK), SEC_POLICY, "check: the saved report to judge",
     opt_facts, 0},
    {"name", 0, "N", B(DBTLS_CMD_DERIVE), SEC_POLICY,
     "policy derive: the derived profile's name (default pinned)", opt_name, 0},
    {"extends", 0, "PROFILE", B(DBTLS_CMD_DERIVE), SEC_POLICY,
     "policy derive: the profile the derived one extends", cli_string, CLI_AT(derive_extends)},
    {"revocation", 0, "MODE", ON_JUDGE, SEC_CERT,
     "hard-fail (default): a revocation status that cannot be determined is a finding; "
     "soft-fail: only a note (info); off: do not ask. Order: stapled OCSP, --crl files, the OCSP "
     "responder in the certificate, its CRL distribution point",
     opt_revocation, 0},
    {"revocation-leaf-only", 0, NULL, ON_SCAN, SEC_CERT,
     "check the leaf only, not the intermediates", cli_flag, CLI_AT(scan.rev.leaf_only)},
    {"crl", 0, "FILE", ON_SCAN, SEC_CERT, "a CRL (PEM or DER) to consult; repeatable", opt_crl, 0},
    {"new-ca-file", 0, "FILE", ON_SCAN | ON_AUDIT, SEC_CERT,
     "CA rotation: would each served chain verify for clients that trust only this bundle? "
     "(ca-rotation.* findings, a summary); audit: is this CA (by SHA-256 fingerprint) in each "
     "trust store? (store.new-ca-missing)",
     opt_new_ca_file, 0},
    {"clients", 0, "all|NAME,...|FILE", ON_SCAN, SEC_POLICY,
     "client impact: which database clients (profiles of data/clients, or a profile FILE) "
     "would connect to each endpoint, with what, or why not (a table per endpoint)",
     cli_string, CLI_AT(clients)},
    {"clients-in-use", 0, "NAME,...", ON_SCAN, SEC_POLICY,
     "with --clients: the profiles marked in use in the table", cli_string, CLI_AT(clients_in_use)},
    {"proposed", 0, "FILE", ON_SCAN, SEC_POLICY,
     "with --clients: a JSON change not made yet, judged from the scan's facts alone (rows "
     "'proposed'): tls_version (\"TLSv1.2,TLSv1.3\"), ssl_cipher or ssl_ciphers (expanded with "
     "the local OpenSSL), certificate (a chain PEM file, leaf first) and ca_bundle (a PEM "
     "file, or \"system\")",
     cli_string, CLI_AT(proposed)},
    {"audit-server-files", 0, NULL, ON_SCAN, SEC_SQL,
     "with --sql, on the database host: audit the key, certificate and CA files the server "
     "says it uses (ssl_cert, ssl_key, ssl_ca; PostgreSQL ssl_cert_file, ssl_key_file, "
     "ssl_ca_file), tied to the endpoint (files[].referenced_by)",
     cli_flag, CLI_AT(audit_server_files)},
    {"store-passwords", 0, "FILE", ON_AUDIT, SEC_CERT,
     "audit: store passwords, one `STORE = PASSWORD` a line (STORE: a path, a file name or *); "
     "never on the command line. DBTLS_STORE_PASSWORD is tried first (read once, then unset)",
     opt_store_passwords, 0},
    {"no-default-passwords", 0, NULL, ON_AUDIT, SEC_CERT,
     "audit: do not try the well-known default store passwords (changeit, changeme, …)", cli_flag,
     CLI_AT(no_default_passwords)},
    {"help", 'h', NULL, ON_ALL, SEC_OTHER, "this command's help", opt_help, 0},
    {"version", 'V', NULL, ON_ALL, SEC_OTHER, "version and library versions", opt_version, 0},
};
const size_t dbtls_cli_nopts = sizeof(dbtls_cli_opts) / sizeof(dbtls_cli_opts[0]);

/* ---- the command table ------------------------------------------------------------------ */

static enum dbtls_err cmd_no_operands(struct cli_state *st, int argc, char **argv);
static enum dbtls_err cmd_explain(struct cli_state *st, int argc, char **argv);
static enum dbtls_err cmd_scan(struct cli_state *st, int argc, char **argv);
static enum dbtls_err cmd_check(struct cli_state *st, int argc, char **argv);
static enum dbtls_err cmd_derive(struct cli_state *st, int argc, char **argv);
static enum dbtls_err cmd_diff(struct cli_state *st, int argc, char **argv);
static enum dbtls_err cmd_merge(struct cli_state *st, int argc, char **argv);
static enum dbtls_err cmd_audit(struct cli_state *st, int argc, char **argv);

struct cli_cmd {
	const char *name; /* argv[1] */
	const char *sub;  /* argv[2] for a sub-command ("policy derive"), else NULL */
	enum dbtls_cmd cmd;
	bool options; /* takes the options of cli_opts whose mask names cmd */
	const char *usage;
	const char *summary;
	/* checks the operands argv[0..argc) left after the options */
	enum dbtls_err (*operands)(struct cli_state *st, int argc, char **argv);
};

static const struct cli_cmd cli_cmds[] = {
    {"scan", NULL, DBTLS_CMD_SCAN, true, "scan [OPTIONS] TARGET...",
     "scan endpoints, judge them, write reports", cmd_scan},
    {"check", NULL, DBTLS_CMD_CHECK, true, "check --facts REPORT.json [OPTIONS]",
     "judge a saved report again (no network)", cmd_check},
    {"policies", NULL, DBTLS_CMD_POLICIES, false, "policies", "list the built-in policy profiles",
     cmd_no_operands},
    {"explain", NULL, DBTLS_CMD_EXPLAIN, false, "explain CHECK-ID|all",
     "what a check tests, why, and how to fix it", cmd_explain},
    {"policy", "derive", DBTLS_CMD_DERIVE, true,
     "policy derive REPORT.json -o PINNED.json [--name N] [--extends PROFILE]",
     "a profile pinning what the report's endpoints accept today: later scans flag any drift",
     cmd_derive},
    {"diff", NULL, DBTLS_CMD_DIFF, true, "diff OLD.json NEW.json [--format text|json] [OPTIONS]",
     "what changed between two reports: findings that appeared, disappeared or changed, and "
     "certificates; exit 1 when something new is at or above --fail-on (default high)",
     cmd_diff},
    {"merge", NULL, DBTLS_CMD_MERGE, true,
     "merge A.json B.json... -o ALL.json [--latest] [OPTIONS]",
     "join JSON reports (the shards of one scan) into one report, judged again under --policy; "
     "the same endpoint in two reports is an error unless --latest",
     cmd_merge},
    {"audit", NULL, DBTLS_CMD_AUDIT, true, "audit [OPTIONS] PATH...",
     "audit files and directories (keys, certificates, key and trust stores, client and "
     "server TLS settings) under the same profiles, waivers, exit codes and reports as scans",
     cmd_audit},
    {"help", NULL, DBTLS_CMD_HELP, false, "help [COMMAND] | --help | -h",
     "this text, or one command's", NULL},
    {"version", NULL, DBTLS_CMD_VERSION, false, "--version", "version and library versions",
     cmd_no_operands},
};
#define CLI_NCMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

static enum dbtls_err cmd_no_operands(struct cli_state *st, int argc, char **argv)
{
	(void)argv;
	if (argc)
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: %s takes no arguments", st->cmdname);
	return DBTLS_OK;
}

static enum dbtls_err cmd_explain(struct cli_state *st, int argc, char **argv)
{
	if (argc != 1)
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: usage: dbtls explain CHECK-ID (ids: dbtls explain all)");
	if (strcmp(argv[0], "all") != 0 && !dbtls_check_find(argv[0]))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: explain: unknown check '%s' (list: dbtls explain all)", argv[0]);
	st->cli->explain_id = argv[0];
	return DBTLS_OK;
}

static enum dbtls_err cmd_diff(struct cli_state *st, int argc, char **argv)
{
	struct dbtls_cli *cli = st->cli;

	if (argc != 2 || cli->noutputs)
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: usage: dbtls diff OLD.json NEW.json [--format text|json] "
			 "[--fail-on SEVERITY]");
	if (cli->format && strcmp(cli->format, "text") && strcmp(cli->format, "json"))
		CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: diff --format '%s': want text or json",
			 cli->format);
	cli->diff_old = argv[0];
	cli->diff_new = argv[1];
	return DBTLS_OK;
}

static enum dbtls_err cmd_derive(struct cli_state *st, int argc, char **argv)
{
	struct dbtls_cli *cli = st->cli;

	if (argc != 1 || cli->noutputs != 1 || !strcmp(cli->outputs[0].path, "-"))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: usage: dbtls policy derive REPORT.json -o PINNED.json");
	if (!cli_readable(argv[0], st->err, "policy derive"))
		return DBTLS_ERR_FILE;
	cli->outputs[0].format = dbtls_report_json.name; /* a profile is JSON */
	cli->facts = argv[0];
	return DBTLS_OK;
}

/* Each -o gets its format: a known extension decides; else --format; "-" follows --format,
 * default text. */
static enum dbtls_err cli_output_formats(struct cli_state *st)
{
	struct dbtls_cli *cli = st->cli;

	for (size_t i = 0; i < cli->noutputs; i++) {
		struct dbtls_output *o = &cli->outputs[i];
		const struct dbtls_report_writer *w = NULL;

		if (!strcmp(o->path, "-"))
			w = cli->format ? dbtls_report_find(cli->format) : &dbtls_report_text;
		else if (!(w = dbtls_report_for_path(o->path)) && cli->format)
			w = dbtls_report_find(cli->format);
		if (!w)
			CLI_FAIL(st, DBTLS_ERR_USAGE,
				 "dbtls: -o %s: cannot tell the format from the extension; add "
				 "--format",
				 o->path);
		o->format = w->name;
	}
	return DBTLS_OK;
}

static enum dbtls_err cmd_audit(struct cli_state *st, int argc, char **argv)
{
	if (!argc)
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: usage: dbtls audit [OPTIONS] PATH... (files or directories)");
	st->cli->audit_paths = (const char **)argv;
	st->cli->naudit_paths = (size_t)argc;
	return cli_output_formats(st);
}

static enum dbtls_err cmd_check(struct cli_state *st, int argc, char **argv)
{
	(void)argv;
	if (argc || !st->cli->facts)
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: usage: dbtls check --facts REPORT.json [--policy P] (no targets: "
			 "nothing is scanned)");
	return cli_output_formats(st);
}

static enum dbtls_err cmd_merge(struct cli_state *st, int argc, char **argv)
{
	struct dbtls_cli *cli = st->cli;

	if (argc < 1)
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: usage: dbtls merge A.json B.json... -o ALL.json [--latest]");
	for (int i = 0; i < argc; i++)
		if (!cli_readable(argv[i], st->err, "merge"))
			return DBTLS_ERR_FILE;
	cli->merge_inputs = argv;
	cli->nmerge_inputs = (size_t)argc;
	return cli_output_formats(st);
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

/* The same endpoint (by dbtls_endpoint_id) named twice, in any spelling, is scanned once: the
 * first mention stays, later ones are dropped with a note. Then --shard keeps its slice. The
 * ids seen are an open-addressing set of (64-bit hash, index of the kept target): 16 bytes a
 * target and one id computed per target, so 100,000 targets cost neither quadratic time nor
 * the ids themselves; a hash match is confirmed by comparing the two ids. */
struct cli_seen {
	uint64_t h; /* dbtls_target_id_hash; slot empty when idx == 0 */
	size_t idx; /* 1 + index of the kept target in cli->targets */
};

static enum dbtls_err cli_dedup_targets(struct cli_state *st)
{
	struct dbtls_cli *cli = st->cli;
	size_t cap = 16, n = 0, kept = 0;
	struct cli_seen *set;
	enum dbtls_err rc = DBTLS_OK;
	char a[512], b[512];

	while (cap < 2 * cli->ntargets)
		cap *= 2;
	set = calloc(cap, sizeof(*set));
	if (!set)
		return DBTLS_ERR_NOMEM;
	for (size_t i = 0; i < cli->ntargets; i++) {
		struct dbtls_target *t = &cli->targets[i];
		char *id = dbtls_target_id(t), *other;
		uint64_t h;
		size_t slot;
		bool dup = false;

		if (!id) {
			rc = DBTLS_ERR_NOMEM;
			dbtls_cli_say(st->err, "dbtls: out of memory");
			/* the targets not looked at yet are still owned: keep them */
			for (size_t j = i; j < cli->ntargets; j++)
				cli->targets[n++] = cli->targets[j];
			break;
		}
		h = dbtls_target_id_hash(id);
		for (slot = h & (cap - 1); set[slot].idx; slot = (slot + 1) & (cap - 1)) {
			const struct dbtls_target *u = &cli->targets[set[slot].idx - 1];

			if (set[slot].h != h)
				continue;
			other = dbtls_target_id(u);
			dup = other && strcmp(other, id) == 0;
			free(other);
			if (dup)
				break;
		}
		if (dup) {
			dbtls_target_display(t->given, a, sizeof(a));
			dbtls_target_display(cli->targets[set[slot].idx - 1].given, b, sizeof(b));
			dbtls_cli_say(st->err,
				      "dbtls: note: target '%s' is '%s' again (%s): scanned once",
				      a, b, id);
			free(id);
			dbtls_target_free(t);
			continue;
		}
		set[slot] = (struct cli_seen){.h = h, .idx = n + 1};
		free(id);
		cli->targets[n++] = *t;
	}
	cli->ntargets = n;
	free(set);
	if (rc || !cli->shard_n)
		return rc;
	/* --shard: keep this slice (the first mention of each endpoint decides nothing: every
	 * spelling of it has the same id, so the same slice) */
	for (size_t i = 0; i < n; i++) {
		struct dbtls_target *t = &cli->targets[i];
		char *id = dbtls_target_id(t);

		if (!id) {
			dbtls_cli_say(st->err, "dbtls: out of memory");
			for (size_t j = i; j < n; j++)
				cli->targets[kept++] = cli->targets[j];
			rc = DBTLS_ERR_NOMEM;
			break;
		}
		if (dbtls_target_in_shard(id, cli->shard_k, cli->shard_n))
			cli->targets[kept++] = *t;
		else
			dbtls_target_free(t);
		free(id);
	}
	cli->ntargets = kept;
	return rc;
}

static void cli_src_say(void *arg, const char *line)
{
	dbtls_cli_say(arg, "%s", line);
}

static enum dbtls_err cmd_scan(struct cli_state *st, int argc, char **argv)
{
	struct dbtls_cli *cli = st->cli;
	struct dbtls_targets_opts to = {.shard_k = cli->shard_k,
					.shard_n = cli->shard_n,
					.cidr_max = cli->cidr_max,
					.say = cli_src_say,
					.say_arg = st->err};
	char why[256], shown[512];
	const char **ranges = NULL;
	size_t nranges = 0;
	enum dbtls_err rc;
	bool exact;

	rc = cli_output_formats(st);
	if (!rc && !(cli->src = dbtls_targets_src_new(&to)))
		rc = DBTLS_ERR_NOMEM;
	if (!rc && argc && !(ranges = calloc((size_t)argc, sizeof(*ranges))))
		rc = DBTLS_ERR_NOMEM;
	for (int i = 0; !rc && i < argc; i++) {
		struct dbtls_cidr c;
		bool range;

		/* a range is expanded as the scan goes; a plain target is parsed now */
		rc = dbtls_cidr_parse(argv[i], cli->cidr_max, &range, &c, why, sizeof(why));
		if (!rc && range) {
			ranges[nranges++] = argv[i];
			continue;
		}
		if (!rc)
			rc = cli_add_target(cli, argv[i], why, sizeof(why));
		if (rc) {
			dbtls_target_display(argv[i], shown, sizeof(shown));
			dbtls_cli_say(st->err, "dbtls: target '%s': %s", shown,
				      rc == DBTLS_ERR_NOMEM ? "out of memory" : why);
		}
	}
	if (!rc)
		rc = cli_dedup_targets(st);
	/* the order of the scan: the command line's targets, its ranges, then the files */
	if (!rc)
		dbtls_targets_src_add_parsed(cli->src, cli->targets, cli->ntargets);
	for (size_t i = 0; !rc && i < nranges; i++)
		rc = dbtls_targets_src_add_arg(cli->src, ranges[i]);
	free(ranges);
	for (size_t i = 0; !rc && i < st->ntargets_file; i++)
		rc = dbtls_targets_src_add_file(cli->src, st->targets_file[i]);
	if (rc)
		return rc;
	cli->ntargets_total = dbtls_targets_src_count(cli->src, &exact);
	if (!exact)
		cli->ntargets_total = 0;
	/* a shard may hold none of the targets given: an empty report, as for a --targets file */
	else if (!cli->ntargets_total && !(cli->shard_n > 1 && (argc || st->ntargets_file)))
		CLI_FAIL(st, DBTLS_ERR_USAGE,
			 "dbtls: scan: no targets given (try 'dbtls help scan')");
	return DBTLS_OK;
}

enum dbtls_err dbtls_cli_read_targets(struct dbtls_cli *cli, const char *path, FILE *err)
{
	FILE *f;
	char *line = NULL, why[256], shown[512];
	size_t cap = 0, lineno = 0;
	enum dbtls_err rc = DBTLS_OK;
	ssize_t len;

	if (!cli_readable(path, err, "--targets"))
		return DBTLS_ERR_FILE;
	f = fopen(path, "r");
	if (!f) {
		dbtls_cli_say(err, "dbtls: %s: %s", path, strerror(errno));
		return DBTLS_ERR_FILE;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s = line, *e;

		lineno++;
		if (memchr(line, 0, (size_t)len)) {
			dbtls_cli_say(err, "%s:%zu: NUL byte in line", path, lineno);
			rc = DBTLS_ERR_INPUT;
			break;
		}
		if (lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
			s += 3; /* a UTF-8 byte order mark */
		e = strchr(s, '#');
		if (e)
			*e = 0;
		s += strspn(s, " \t\r\n");
		e = s + strlen(s);
		while (e > s && strchr(" \t\r\n", e[-1]))
			*--e = 0;
		if (!*s)
			continue;
		dbtls_target_display(s, shown, sizeof(shown));
		if (strpbrk(s, " \t")) {
			dbtls_cli_say(err, "%s:%zu: one target per line, got '%s'", path, lineno,
				      shown);
			rc = DBTLS_ERR_INPUT;
			break;
		}
		rc = cli_add_target(cli, s, why, sizeof(why));
		if (rc) {
			dbtls_cli_say(err, "%s:%zu: %s (in '%s')", path, lineno,
				      rc == DBTLS_ERR_NOMEM ? "out of memory" : why, shown);
			break;
		}
	}
	if (!rc && ferror(f)) {
		dbtls_cli_say(err, "dbtls: %s: read error", path);
		rc = DBTLS_ERR_FILE;
	}
	free(line);
	fclose(f);
	return rc;
}

void dbtls_cli_free(struct dbtls_cli *cli)
{
	if (!cli)
		return;
	for (size_t i = 0; i < cli->ntargets; i++)
		dbtls_target_free(&cli->targets[i]);
	free(cli->targets);
	dbtls_targets_src_free(cli->src);
	cli->src = NULL;
	free(cli->alpn);
	free(cli->alpn_buf);
	cli->targets = NULL;
	cli->ntargets = 0;
	cli->alpn = NULL;
	cli->alpn_buf = NULL;
	cli->scan.alpn = NULL;
}

/* ---- parsing ---------------------------------------------------------------------------- */

static const struct cli_cmd *cli_find_cmd(const char *name, const char *sub)
{
	for (size_t i = 0; i < CLI_NCMDS; i++)
		if (!strcmp(cli_cmds[i].name, name) &&
		    (!cli_cmds[i].sub || (sub && !strcmp(cli_cmds[i].sub, sub))))
			return &cli_cmds[i];
	return NULL;
}

static bool cli_known_name(const char *name)
{
	for (size_t i = 0; i < CLI_NCMDS; i++)
		if (!strcmp(cli_cmds[i].name, name))
			return true;
	return false;
}

static bool cli_has_subs(const char *name)
{
	for (size_t i = 0; i < CLI_NCMDS; i++)
		if (!strcmp(cli_cmds[i].name, name) && cli_cmds[i].sub)
			return true;
	return false;
}

/* Runs getopt over argv[optind..] with the options that cmd takes. */
static enum dbtls_err cli_options(struct cli_state *st, const struct cli_cmd *cmd, int argc,
				  char **argv)
{
	struct option lo[sizeof(dbtls_cli_opts) / sizeof(dbtls_cli_opts[0]) + 1];
	char shorts[2 * sizeof(dbtls_cli_opts) / sizeof(dbtls_cli_opts[0]) + 2] = ":";
	size_t ns = 1;
	enum dbtls_err rc;
	int c;

	for (size_t i = 0; i < dbtls_cli_nopts; i++) {
		const struct dbtls_cli_opt *o = &dbtls_cli_opts[i];

		lo[i] = (struct option){o->name,
					!o->arg		   ? no_argument
					: o->arg[0] == '=' ? optional_argument
							   : required_argument,
					NULL, 256 + (int)i};
		if (o->short_name) {
			shorts[ns++] = o->short_name;
			if (o->arg)
				shorts[ns++] = ':';
		}
	}
	lo[dbtls_cli_nopts] = (struct option){0};
	shorts[ns] = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct dbtls_cli_opt *o = NULL;

		if (c >= 256)
			o = &dbtls_cli_opts[c - 256];
		for (size_t i = 0; !o && c != '?' && c != ':' && i < dbtls_cli_nopts; i++)
			if (dbtls_cli_opts[i].short_name == c)
				o = &dbtls_cli_opts[i];
		if (c == ':')
			CLI_FAIL(st, DBTLS_ERR_USAGE, "dbtls: option '%s' needs a value",
				 argv[optind - 1]);
		if (!o)
			CLI_FAIL(st, DBTLS_ERR_USAGE,
				 "dbtls: unknown option '%s' (try 'dbtls help')", argv[optind - 1]);
		if (!(o->cmds & B(cmd->cmd)))
			CLI_FAIL(st, DBTLS_ERR_USAGE,
				 "dbtls: %s does not take --%s (see 'dbtls help %s')", st->cmdname,
				 o->name, cmd->name);
		st->opt = o;
		rc = o->set(st, optarg);
		if (rc || st->cli->cmd == DBTLS_CMD_HELP || st->cli->cmd == DBTLS_CMD_VERSION)
			return rc;
	}
	return DBTLS_OK;
}

/* After parsing: colours per no-color.org and the terminal width for the text summary. */
static void cli_terminal(struct dbtls_cli *cli)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM"),
		   *cols = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long n;

	cli->color = cli->color_mode == DBTLS_COLOR_ALWAYS ||
		     (cli->color_mode == DBTLS_COLOR_AUTO && isatty(STDOUT_FILENO) &&
		      !(no_color && *no_color) && !(term && !strcmp(term, "dumb")));
	cli->width = 0;
	if (cols && *cols) {
		n = strtol(cols, &end, 10);
		if (!*end && n >= 20 && n <= 10000)
			cli->width = (int)n;
	} else if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
		   ws.ws_col >= 20) {
		cli->width = ws.ws_col;
	}
}

enum dbtls_err dbtls_cli_parse(int argc, char **argv, struct dbtls_cli *cli, FILE *err)
{
	struct cli_state st = {.cli = cli, .err = err};
	const struct cli_cmd *cmd;
	char name[64];
	enum dbtls_err rc;

	memset(cli, 0, sizeof(*cli));
	cli->scan.timeout_ms = 10000;
	cli->scan.jobs = 16;
	cli->cidr_max = DBTLS_CIDR_MAX_DEFAULT;
	cli->scan.per_host = 4;
	cli->scan.rev.enabled = true;	    /* hard-fail unless told otherwise */
	cli->scan.max_connect_errors = 100; /* the MySQL/MariaDB default */
	cli->policy = "baseline";
	cli->fail_on = DBTLS_SEV_HIGH;
	cli->derive_name = "pinned";
	if (argc < 2)
		CLI_FAIL(&st, DBTLS_ERR_USAGE, "dbtls: no command given (try 'dbtls help')");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		argv[1] = "help";
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	cmd = cli_find_cmd(argv[1], argc > 2 ? argv[2] : NULL);
	if (!cmd && cli_has_subs(argv[1])) {
		if (argc == 2) { /* "dbtls policy": list its sub-commands */
			cli->cmd = DBTLS_CMD_HELP;
			cli->help_cmd = argv[1];
			return DBTLS_OK;
		}
		CLI_FAIL(&st, DBTLS_ERR_USAGE,
			 "dbtls: %s: unknown sub-command '%s' (see 'dbtls help %s')", argv[1],
			 argv[2], argv[1]);
	}
	if (!cmd)
		CLI_FAIL(&st, DBTLS_ERR_USAGE, "dbtls: unknown command '%s' (try 'dbtls help')",
			 argv[1]);
	cli->cmd = cmd->cmd;
	snprintf(name, sizeof(name), "%s%s%s", cmd->name, cmd->sub ? " " : "",
		 cmd->sub ? cmd->sub : "");
	st.cmdname = name;
	optind = cmd->sub ? 3 : 2;
	if (cmd->cmd == DBTLS_CMD_HELP) {
		if (argc > 3)
			CLI_FAIL(&st, DBTLS_ERR_USAGE, "dbtls: usage: dbtls help [COMMAND]");
		if (argc == 3 && !cli_known_name(argv[2]))
			CLI_FAIL(&st, DBTLS_ERR_USAGE,
				 "dbtls: help: unknown command '%s' (try 'dbtls help')", argv[2]);
		cli->help_cmd = argc == 3 ? argv[2] : NULL;
		return DBTLS_OK;
	}
	if (cmd->options) {
		rc = cli_options(&st, cmd, argc, argv);
		if (rc || cli->cmd == DBTLS_CMD_HELP || cli->cmd == DBTLS_CMD_VERSION) {
			if (cli->help_cmd)
				cli->help_cmd = cmd->name; /* argv outlives cli; name does not */
			return rc;
		}
	}
	cli_terminal(cli);
	cli->scan.rev.crl_files = cli->crl_files;
	cli->scan.rev.ncrl_files = cli->ncrl_files;
	cli->scan.rev.timeout_ms = cli->scan.timeout_ms;
	/* a healthy server's full scan (about 100 connections, well under a second on a LAN and
	 * ~8 s at 100 ms RTT) fits many times over */
	if (!cli->scan.endpoint_timeout_ms)
		cli->scan.endpoint_timeout_ms =
		    cli->scan.timeout_ms > 12000 ? 10 * cli->scan.timeout_ms : 120000;
	return cmd->operands(&st, argc - optind, argv + optind);
}

/* ---- help, generated from the tables and the registries --------------------------------- */

/* Writes text word-wrapped to CLI_HELP_WIDTH, the first line continuing at column col0 and the
 * others indented to indent. {formats} expands to the report registry's names. */
static void help_wrap(FILE *out, const char *text, int col0, int indent)
{
	char buf[2048], fmts[256] = "";
	size_t nw, off = 0;
	const struct dbtls_report_writer *const *ws = dbtls_report_all(&nw);
	const char *p, *mark = strstr(text, "{formats}");
	int col = col0;
	bool first = true;

	for (size_t i = 0; i < nw; i++)
		off += (size_t)snprintf(fmts + off, sizeof(fmts) - off, "%s %s", i ? "," : "",
					ws[i]->name);
	if (mark)
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(mark - text), text, fmts,
			 mark + strlen("{formats}"));
	else
		snprintf(buf, sizeof(buf), "%s", text);
	for (p = buf + strspn(buf, " "); *p; first = false) {
		size_t wl = strcspn(p, " ");

		if (!first && col + 1 + (int)wl > CLI_HELP_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)wl, p);
		col += (int)wl;
		p += wl;
		p += strspn(p, " ");
	}
	fputc('\n', out);
}

static void help_option(FILE *out, const struct dbtls_cli_opt *o)
{
	char left[80], arg[40] = "";
	int n;

	if (o->arg)
		snprintf(arg, sizeof(arg), o->arg[0] == '=' ? "[%s]" : " %s", o->arg);
	if (o->short_name)
		n = snprintf(left, sizeof(left), "  -%c, --%s%s", o->short_name, o->name, arg);
	else
		n = snprintf(left, sizeof(left), "  --%s%s", o->name, arg);
	if (n + 2 > CLI_HELP_COL)
		fprintf(out, "%s\n%*s", left, CLI_HELP_COL, "");
	else
		fprintf(out, "%-*s", CLI_HELP_COL, left);
	help_wrap(out, o->help, CLI_HELP_COL, CLI_HELP_COL);
}

static void help_options(FILE *out, unsigned mask)
{
	for (size_t s = 0; s < sizeof(cli_sections) / sizeof(cli_sections[0]); s++) {
		bool any = false;

		for (size_t i = 0; i < dbtls_cli_nopts; i++) {
			const struct dbtls_cli_opt *o = &dbtls_cli_opts[i];

			if (o->section != (int)s || !(o->cmds & mask))
				continue;
			if (!any)
				fprintf(out, "\n%s:\n", cli_sections[s]);
			any = true;
			help_option(out, o);
		}
	}
}

static void help_usage(FILE *out, const struct cli_cmd *c)
{
	char left[128];

	snprintf(left, sizeof(left), "  dbtls %s", c->usage);
	if (strlen(left) + 2 > 37) {
		fprintf(out, "%s\n%*s", left, 37, "");
		help_wrap(out, c->summary, 37, 37);
	} else {
		fprintf(out, "%-37s", left);
		help_wrap(out, c->summary, 37, 37);
	}
}

static void help_registries(FILE *out)
{
	size_t n;
	const struct dbtls_preamble *const *pre = dbtls_preamble_all(&n);
	const struct dbtls_report_writer *const *ws;

	fprintf(out,
		"\nTargets:\n"
		"  SCHEME://HOST[:PORT]  SCHEME is one of the protocols below (any case)\n"
		"  HOST[:PORT]           same as %s://HOST[:PORT]\n"
		"  IPv6 addresses go in brackets: %s://[::1]:%u\n"
		"  A target has no user, password, path or query.\n"
		"Protocols:\n",
		dbtls_preamble_mysql.scheme, dbtls_preamble_mysql.scheme,
		(unsigned)dbtls_preamble_mysql.default_port);
	for (size_t i = 0; i < n; i++) {
		char left[64];

		snprintf(left, sizeof(left), "  %-8s", pre[i]->scheme);
		fprintf(out, "%s ", left);
		char text[512];
		snprintf(text, sizeof(text), "%s (default port %u)", pre[i]->help,
			 (unsigned)pre[i]->default_port);
		help_wrap(out, text, (int)strlen(left) + 1, 13);
	}
	ws = dbtls_report_all(&n);
	fprintf(out, "Report formats (--format NAME; -o FILE.EXT):\n");
	for (size_t i = 0; i < n; i++) {
		char left[64];

		snprintf(left, sizeof(left), "  %-11s %-7s", ws[i]->name,
			 ws[i]->extension ? ws[i]->extension : "");
		fprintf(out, "%s ", left);
		help_wrap(out, ws[i]->help, (int)strlen(left) + 1, 24);
	}
}

static const char cli_exit_codes[] =
    "\n"
    "Exit codes:\n"
    "  0  every endpoint was scanned and nothing (not waived) is at or above\n"
    "     --fail-on\n"
    "  1  findings at or above --fail-on (this wins over 3: a definite failure is\n"
    "     never hidden behind an unreachable endpoint)\n"
    "  2  usage or input error (bad option, target, policy or waiver file,\n"
    "     unwritable report): one line names the input; nothing was scanned, or a\n"
    "     report is missing\n"
    "  3  some endpoints could not be scanned (refused, timed out, garbage, server\n"
    "     error); the report is still written and names each error\n"
    "  130 interrupted (Ctrl-C, SIGTERM): the report holds what was finished and\n"
    "     says \"interrupted\": true; a second Ctrl-C ends dbtls at once\n";

bool dbtls_cli_help_command(FILE *out, const char *name)
{
	unsigned mask = 0;
	bool any = false;

	for (size_t i = 0; i < CLI_NCMDS; i++) {
		const struct cli_cmd *c = &cli_cmds[i];

		if (strcmp(c->name, name))
			continue;
		if (!any)
			fprintf(out, "Usage:\n");
		any = true;
		help_usage(out, c);
		if (c->options)
			mask |= B(c->cmd);
	}
	if (!any)
		return false;
	if (mask & B(DBTLS_CMD_SCAN))
		help_registries(out);
	if (mask)
		help_options(out, mask);
	if (mask & ON_SHOW)
		fputs(cli_exit_codes, out);
	return true;
}

void dbtls_cli_help(FILE *out)
{
	unsigned mask = 0;

	fprintf(out, "dbtls — database TLS compliance scanner\n\nUsage:\n");
	for (size_t i = 0; i < CLI_NCMDS; i++) {
		help_usage(out, &cli_cmds[i]);
		if (cli_cmds[i].options)
			mask |= B(cli_cmds[i].cmd);
	}
	fprintf(out, "  'dbtls help COMMAND' shows one command's options.\n");
	help_registries(out);
	help_options(out, mask);
	fputs(cli_exit_codes, out);
}
