/* SPDX-License-Identifier: MIT */
/*
 * main.c — the only place that exits: parses the command line, runs the command (scan, check,
 * policies, explain, policy derive), writes the reports, and maps the outcome to the documented
 * exit codes (cli.h, README). Profiles and waivers are loaded before anything is scanned, so a
 * bad policy file costs no traffic.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "checks/policy/policy.h"
#include "app/cli.h"
#include "app/progress.h"
#include "reports/diff.h"
#include "reports/report.h"
#include "src/core/version.h"
#include "src/wire/sql/sql_mysql.h"

/*
 * Ctrl-C and SIGTERM: the handler only writes one byte into a pipe that nobody reads (write() is
 * async-signal-safe). Its read end is the scan's cancel fd: every poll of every connection also
 * watches it, so in-flight probes end at once, and the scheduler starts nothing new; main then
 * writes the reports of what was finished and exits 130. The handler also puts the default
 * action back, so a second Ctrl-C ends the process at once.
 */
static int cancel_pipe[2] = {-1, -1};

static void on_stop_signal(int sig)
{
	int saved = errno;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	ssize_t w = write(cancel_pipe[1], "x", 1);

	(void)w;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	errno = saved;
}

/* Sets up the cancel pipe and the handlers; false when the pipe cannot be had (then signals
 * keep their default action and scan without a cancel fd). */
static bool stop_signals_install(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal}, old;

	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return false;
	sigemptyset(&sa.sa_mask);
	/* a SIGINT ignored on entry (a shell's background job, nohup) stays ignored */
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return true;
}

/* --sql: the password leaves the environment before any thread starts, and an option file
 * that holds a password others can read is said once here (each endpoint also gets the finding
 * sql.option-file-permissions). */
static void sql_secret_prepare(const struct dbtls_cli *cli)
{
	struct dbtls_sql_option_file of;

	dbtls_sql_secret_take();
	if (dbtls_sql_option_file_check(cli->scan.defaults_file, &of) == DBTLS_OK && of.path)
		dbtls_cli_say(stderr,
			      "dbtls: warning: %s holds a password and is %s-readable (mode %04o); "
			      "chmod 600 it",
			      of.path, of.world_readable ? "world" : "group", of.mode & 0777);
	free(of.path);
}

/* A write to standard output failed because its reader went away (`dbtls … | head`): not an
 * error of ours, so nothing is said and the command's own status stands. */
static bool stdout_gone(int err)
{
	return err == EPIPE;
}

/* Standard output is a pipe or socket: a failed write there means the reader went away. */
static bool stdout_is_pipe(void)
{
	struct stat sb;

	return fstat(STDOUT_FILENO, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode));
}

/* Judges facts under the policy, writes every output, and returns the exit code. */
static int judge_and_report(const struct dbtls_cli *cli, const struct dbtls_scan_facts *facts,
			    const struct dbtls_policy *pol, const struct dbtls_waivers *wv)
{
	const struct dbtls_report_writer *w;
	struct dbtls_evaluation ev = {0}, *evp = NULL;
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	bool stdout_used = false, errored = false;
	int rc = DBTLS_EXIT_OK;

	if (pol) {
		err = dbtls_evaluate(pol, wv, facts, (enum dbtls_severity)cli->fail_on, time(NULL),
				     &ev);
		if (err) {
			dbtls_cli_say(stderr, "dbtls: %s", dbtls_strerror(err));
			dbtls_evaluation_free(&ev);
			return DBTLS_EXIT_USAGE;
		}
		evp = &ev;
	}
	/* every file is written before the terminal summary, and a failing one does not stop the
	 * others: a report already written is never lost */
	for (size_t i = 0; i < cli->noutputs; i++) {
		w = dbtls_report_find(cli->outputs[i].format);
		stdout_used |= strcmp(cli->outputs[i].path, "-") == 0;
		errno = 0;
		err = dbtls_report_write_file_eval(w, facts, evp, cli->outputs[i].path, &d);
		if (err && !(strcmp(cli->outputs[i].path, "-") == 0 && stdout_gone(errno))) {
			dbtls_cli_say(stderr, "dbtls: cannot write report %s", d.msg);
			rc = DBTLS_EXIT_USAGE;
		}
	}
	if (!stdout_used && !(cli->quiet && cli->noutputs)) {
		w = dbtls_report_find(cli->format ? cli->format : "text");
		errno = 0;
		err = dbtls_report_write_tty(
		    w, facts, evp, stdout, cli->color && !strcmp(w->name, "text"), cli->width, &d);
		if (err && !stdout_gone(errno)) {
			dbtls_cli_say(stderr, "dbtls: standard output: %s", d.msg);
			rc = DBTLS_EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < facts->nendpoints; i++)
		errored |= !dbtls_endpoint_scanned(&facts->endpoints[i]);
	if (rc == DBTLS_EXIT_OK) {
		if (evp && ev.failed)
			rc = DBTLS_EXIT_FINDINGS;
		else if (errored)
			rc = DBTLS_EXIT_UNSCANNED;
	}
	dbtls_evaluation_free(&ev);
	return rc;
}

/* Loads --policy (unless "none") and --waivers; prints the one-line error itself. */
static int load_policy(const struct dbtls_cli *cli, struct dbtls_policy *pol, bool *have_pol,
		       struct dbtls_waivers *wv)
{
	struct dbtls_diag d = {0};

	*have_pol = strcmp(cli->policy, "none") != 0;
	if (*have_pol && dbtls_policy_load(cli->policy, pol, &d)) {
		dbtls_cli_say(stderr, "dbtls: --policy: %s", d.msg);
		return DBTLS_EXIT_USAGE;
	}
	if (*have_pol)
		pol->params.revocation_soft_fail = cli->revocation_soft_fail;
	if (cli->waivers && dbtls_waivers_load(cli->waivers, wv, &d)) {
		dbtls_cli_say(stderr, "dbtls: --waivers: %s", d.msg);
		if (*have_pol)
			dbtls_policy_free(pol);
		return DBTLS_EXIT_USAGE;
	}
	return DBTLS_EXIT_OK;
}

/* Before a scan: --jobs fitted to the descriptor limit (one warning), and the progress line on
 * standard error when it is a terminal (or --progress), unless -q. */
static void scan_prepare(struct dbtls_cli *cli, struct dbtls_progress *progress)
{
	char msg[320];

	if (dbtls_scan_fit_fds(&cli->scan, msg, sizeof(msg)))
		dbtls_cli_say(stderr, "%s", msg);
	if (cli->progress || (!cli->quiet && isatty(STDERR_FILENO))) {
		dbtls_progress_init(progress, stderr, cli->ntargets);
		cli->scan.on_endpoint_done = dbtls_progress_endpoint_done;
		cli->scan.on_endpoint_done_arg = progress;
	}
}

static int run_scan_or_check(struct dbtls_cli *cli)
{
	struct dbtls_progress progress;
	struct dbtls_scan_facts facts = {0};
	struct dbtls_policy pol = {0};
	struct dbtls_waivers wv = {0};
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	bool have_pol;
	int rc;

	rc = load_policy(cli, &pol, &have_pol, &wv);
	if (rc)
		return rc;
	if (cli->cmd == DBTLS_CMD_CHECK) {
		err = dbtls_report_json_read(cli->facts, &facts, &d);
		if (err) {
			dbtls_cli_say(stderr, "dbtls: --facts: %s", d.msg);
			rc = DBTLS_EXIT_USAGE;
			goto out;
		}
	} else {
		facts.tool_version = strdup(DBTLS_VERSION);
		facts.new_ca_file = dbtls_strdup(cli->scan.new_ca_file);
		/* one revocation cache for the run: endpoints behind one CA ask its responder once
		 */
		cli->scan.rev.cache = dbtls_rev_cache_new();
		if (stop_signals_install())
			cli->scan.cancel_fd = &cancel_pipe[0];
		if (cli->scan.sql)
			sql_secret_prepare(cli);
		scan_prepare(cli, &progress);
		err = cli->scan.rev.cache
			  ? dbtls_scan_run(cli->targets, cli->ntargets, &cli->scan, &facts)
			  : DBTLS_ERR_NOMEM;
		if (cli->scan.on_endpoint_done)
			dbtls_progress_end(&progress);
		dbtls_sql_secret_wipe();
		dbtls_rev_cache_free(cli->scan.rev.cache);
		cli->scan.rev.cache = NULL;
		if (err || !facts.tool_version) {
			dbtls_cli_say(stderr, "dbtls: %s",
				      dbtls_strerror(err ? err : DBTLS_ERR_NOMEM));
			rc = DBTLS_EXIT_USAGE;
			goto out;
		}
	}
	rc = judge_and_report(cli, &facts, have_pol ? &pol : NULL, cli->waivers ? &wv : NULL);
	if (facts.interrupted) {
		fprintf(stderr, "dbtls: interrupted: the report holds what was finished\n");
		if (rc != DBTLS_EXIT_USAGE)
			rc = DBTLS_EXIT_INTERRUPTED;
	}
out:
	dbtls_scan_facts_free(&facts);
	if (have_pol)
		dbtls_policy_free(&pol);
	dbtls_waivers_free(&wv);
	return rc;
}

static int run_policies(void)
{
	for (size_t i = 0; i < dbtls_nbuiltin_policies; i++) {
		struct dbtls_policy p;
		struct dbtls_diag d = {0};
		size_t on = 0;

		if (dbtls_policy_load(dbtls_builtin_policies[i].name, &p, &d)) {
			dbtls_cli_say(stderr, "dbtls: %s", d.msg);
			return DBTLS_EXIT_USAGE;
		}
		for (size_t k = 0; k < p.nsettings; k++)
			on += p.settings[k].enabled;
		printf("%-22s %-9s %2zu checks  %s\n", p.name, p.version, on,
		       p.guideline ? p.guideline : (p.title ? p.title : ""));
		dbtls_policy_free(&p);
	}
	return DBTLS_EXIT_OK;
}

static void explain_one(const struct dbtls_check *c)
{
	printf("%s — %s\n\n%s\n\nFix: %s\n\nDefault severity: %s\n", c->id, c->title,
	       c->description, c->fix, dbtls_severity_name(c->default_severity));
	printf("References:");
	for (const char *const *r = c->references; r && *r; r++)
		printf("%s %s", r == c->references ? "" : ";", *r);
	printf("\nProfiles:");
	for (size_t i = 0; i < dbtls_nbuiltin_policies; i++) {
		struct dbtls_policy p;
		struct dbtls_diag d = {0};
		if (dbtls_policy_load(dbtls_builtin_policies[i].name, &p, &d))
			continue;
		for (size_t k = 0; k < p.nsettings; k++)
			if (p.settings[k].enabled && !strcmp(p.settings[k].id, c->id))
				printf(" %s (%s)", p.name,
				       dbtls_severity_name(p.settings[k].severity));
		dbtls_policy_free(&p);
	}
	printf("\n");
}

static int run_explain(const struct dbtls_cli *cli)
{
	size_t n;
	const struct dbtls_check *const *all = dbtls_checks_all(&n);

	if (strcmp(cli->explain_id, "all") != 0) {
		explain_one(dbtls_check_find(cli->explain_id));
		return DBTLS_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-28s %-8s %s\n", all[i]->id, dbtls_severity_name(all[i]->default_severity),
		       all[i]->title);
	return DBTLS_EXIT_OK;
}

/* dbtls diff: exit 1 when something new is at or above --fail-on; else 3 when NEW could not scan
 * an endpoint (nothing can be said about it), else 0; 2 on unreadable input. */
static int run_diff(const struct dbtls_cli *cli)
{
	struct dbtls_diff_report old = {0}, new_ = {0};
	json_t *diff = NULL;
	bool json = cli->format && !strcmp(cli->format, "json");
	struct dbtls_diag d = {0};
	int rc = DBTLS_EXIT_USAGE;

	if (dbtls_diff_load(cli->diff_old, &old, &d) || dbtls_diff_load(cli->diff_new, &new_, &d)) {
		dbtls_cli_say(stderr, "dbtls: diff: %s", d.msg);
		goto out;
	}
	diff = dbtls_diff_compute(&old, cli->diff_old, &new_, cli->diff_new,
				  (enum dbtls_severity)cli->fail_on);
	if (!diff) {
		dbtls_cli_say(stderr, "dbtls: diff: %s", dbtls_strerror(DBTLS_ERR_NOMEM));
		goto out;
	}
	rc = dbtls_diff_alerts(diff)	    ? DBTLS_EXIT_FINDINGS
	     : dbtls_diff_not_scanned(diff) ? DBTLS_EXIT_UNSCANNED
					    : DBTLS_EXIT_OK;
	errno = 0;
	if (((json ? dbtls_diff_write_json(diff, stdout)
		   : dbtls_diff_write_text(diff, stdout, cli->color)) ||
	     fflush(stdout) != 0) &&
	    !stdout_gone(errno)) {
		dbtls_cli_say(stderr, "dbtls: diff: cannot write to standard output");
		rc = DBTLS_EXIT_USAGE;
	}
out:
	json_decref(diff);
	dbtls_diff_report_free(&old);
	dbtls_diff_report_free(&new_);
	return rc;
}

static int run_derive(const struct dbtls_cli *cli)
{
	struct dbtls_scan_facts facts = {0};
	struct dbtls_diag d = {0};
	char *text = NULL;
	int rc = DBTLS_EXIT_USAGE;

	if (dbtls_report_json_read(cli->facts, &facts, &d)) {
		dbtls_cli_say(stderr, "dbtls: policy derive: %s", d.msg);
		return DBTLS_EXIT_USAGE;
	}
	if (dbtls_policy_derive(&facts, cli->derive_name, cli->derive_extends, &text, &d))
		dbtls_cli_say(stderr, "dbtls: policy derive: %s", d.msg);
	else if (dbtls_write_text_file(cli->outputs[0].path, text, &d))
		dbtls_cli_say(stderr, "dbtls: policy derive: cannot write %s", d.msg);
	else
		rc = DBTLS_EXIT_OK;
	free(text);
	dbtls_scan_facts_free(&facts);
	return rc;
}

int main(int argc, char **argv)
{
	struct dbtls_cli cli;
	enum dbtls_err err;
	int rc;

	/* a peer closing mid-write must be an error return, not a signal */
	signal(SIGPIPE, SIG_IGN);
	OPENSSL_init_ssl(0, NULL);
	err = dbtls_cli_parse(argc, argv, &cli, stderr);
	if (err) {
		dbtls_cli_free(&cli);
		return DBTLS_EXIT_USAGE;
	}
	switch (cli.cmd) {
	case DBTLS_CMD_HELP:
		if (cli.help_cmd)
			dbtls_cli_help_command(stdout, cli.help_cmd);
		else
			dbtls_cli_help(stdout);
		rc = DBTLS_EXIT_OK;
		break;
	case DBTLS_CMD_VERSION:
		dbtls_cli_version(stdout);
		rc = DBTLS_EXIT_OK;
		break;
	case DBTLS_CMD_SCAN:
	case DBTLS_CMD_CHECK:
		rc = run_scan_or_check(&cli);
		break;
	case DBTLS_CMD_POLICIES:
		rc = run_policies();
		break;
	case DBTLS_CMD_EXPLAIN:
		rc = run_explain(&cli);
		break;
	case DBTLS_CMD_DERIVE:
		rc = run_derive(&cli);
		break;
	case DBTLS_CMD_DIFF:
		rc = run_diff(&cli);
		break;
	default:
		rc = DBTLS_EXIT_USAGE;
		break;
	}
	dbtls_cli_free(&cli);
	/* a write error earlier (the buffer was flushed as it filled) leaves ferror set even when
	 * this last flush has nothing left to write; a pipe whose reader went away is quiet */
	errno = 0;
	if ((fflush(stdout) != 0 || ferror(stdout)) && !stdout_gone(errno) && !stdout_is_pipe()) {
		dbtls_cli_say(stderr, "dbtls: standard output: %s",
			      strerror(errno ? errno : ENOSPC));
		if (rc == DBTLS_EXIT_OK)
			rc = DBTLS_EXIT_USAGE;
	}
	return rc;
}
