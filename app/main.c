/* SPDX-License-Identifier: MIT */
/*
 * main.c — the only place that exits: parses the command line, runs the command (scan, check,
 * policies, explain, policy derive), writes the reports, and maps the outcome to the documented
 * exit codes (cli.h, README). Profiles and waivers are loaded before anything is scanned, so a
 * bad policy file costs no traffic.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "checks/policy/policy.h"
#include "app/cli.h"
#include "app/merge.h"
#include "app/clients.h"
#include "src/audit/audit.h"
#include "app/progress.h"
#include "reports/diff.h"
#include "reports/report.h"
#include "reports/json/report_stream.h"
#include "src/core/version.h"
#include "src/scan/target.h"
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

/* True when standard output lost bytes: the last flush failed, or an earlier write did (stdio
 * keeps only the error flag, and whether the final flush has anything left to fail on depends
 * on the output's length) — unless the reader went away: EPIPE, or, with errno gone, a pipe. */
static bool stdout_failed(void)
{
	struct stat st;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return false;
	if (stdout_gone(errno))
		return false;
	return errno || fstat(STDOUT_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode);
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
	for (size_t i = 0; i < facts->nfiles; i++)
		errored |= facts->files[i].nerrors > 0;
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

/* scan --sql --audit-server-files: audits the files endpoint e's server says it uses (absolute
 * paths only: a relative one is relative to a data directory the scan did not ask for) and ties
 * them to the endpoint: referenced_by "ENDPOINT VARIABLE (version_ssl_library LIBRARY)"; they are
 * appended to facts->files (small, and judged once the scan is over). NOMEM. */
static enum dbtls_err audit_server_files(struct dbtls_scan_facts *facts,
					 const struct dbtls_endpoint_facts *e)
{
	static const char *const vars[] = {"ssl_cert",	   "ssl_key",	  "ssl_ca", "ssl_cert_file",
					   "ssl_key_file", "ssl_ca_file", NULL};
	struct dbtls_audit_opts o = {.now = time(NULL), .no_defaults = false};
	const struct dbtls_sql_facts *q = &e->sql;
	const char *lib =
	    dbtls_sql_value_get(q->variables, q->nvariables, "version_ssl_library", NULL);
	char *id = dbtls_endpoint_facts_id(e);

	if (!lib)
		lib = dbtls_sql_value_get(q->variables, q->nvariables, "ssl_library", NULL);
	if (!id)
		return DBTLS_ERR_NOMEM;
	for (size_t k = 0; vars[k]; k++) {
		const char *path = dbtls_sql_value_get(q->variables, q->nvariables, vars[k], NULL);
		struct dbtls_audit_facts af = {0};
		struct dbtls_audit_file *nf;

		if (!path || path[0] != '/')
			continue;
		if (dbtls_audit_paths(&path, 1, &o, &af) ||
		    !(nf = realloc(facts->files, (facts->nfiles + af.nfiles) * sizeof(*nf)))) {
			dbtls_audit_facts_free(&af);
			free(id);
			return DBTLS_ERR_NOMEM;
		}
		facts->files = nf;
		for (size_t j = 0; j < af.nfiles; j++) {
			struct dbtls_audit_file *f = &af.files[j];

			if (!f->referenced_by && f->path && !strcmp(f->path, path) &&
			    asprintf(&f->referenced_by, "%s %s%s%s%s", id, vars[k],
				     lib ? " (version_ssl_library " : "", lib ? lib : "",
				     lib ? ")" : "") < 0)
				f->referenced_by = NULL;
			facts->files[facts->nfiles++] = *f;
		}
		free(af.files);
	}
	free(id);
	return DBTLS_OK;
}

/* How many descriptors the process has open (0 when /proc cannot tell). */
static int fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

/* Before a scan: --jobs fitted to the descriptor limit (one warning), and the progress line on
 * standard error when it is a terminal (or --progress), unless -q. */
static void scan_prepare(struct dbtls_cli *cli, struct dbtls_progress *progress)
{
	char msg[320];

	if (dbtls_scan_fit_fds(&cli->scan, msg, sizeof(msg)))
		dbtls_cli_say(stderr, "%s", msg);
	if (cli->progress || (!cli->quiet && isatty(STDERR_FILENO))) {
		/* a shard's share of the list is not known before it is read: no total then */
		dbtls_progress_init(progress, stderr, cli->shard_n > 1 ? 0 : cli->ntargets_total);
		cli->scan.on_endpoint_done = dbtls_progress_endpoint_done;
		cli->scan.on_endpoint_done_arg = progress;
		cli->scan.on_endpoints_added = dbtls_progress_endpoints_added;
	}
}

/*
 * The streaming sink of scan and check: every report is opened before the first endpoint, and
 * each endpoint, as it finishes (in scan order), gets its client-impact rows (--clients), its
 * server's files audited (--audit-server-files), is judged on its own (dbtls_evaluate_one: the
 * same findings and waivers as the batch evaluation) and handed to every writer; then the
 * scheduler frees it. What stays is counts, the files, and what each writer gathers for its
 * summary. At the end the files are judged, the reports closed (files renamed into place) and
 * the exit code decided.
 */
struct sink {
	const struct dbtls_cli *cli;
	const struct dbtls_policy *pol; /* NULL: not judged */
	const struct dbtls_waivers *wv; /* may be NULL */
	struct dbtls_scan_facts *run;	/* the run's facts: no endpoints; files */
	struct dbtls_evaluation ev;	/* the run's tally; the files' findings at the end */
	struct dbtls_report_out *outs[DBTLS_MAX_OUTPUTS + 1];
	const char *paths[DBTLS_MAX_OUTPUTS + 1]; /* NULL: the terminal summary */
	struct dbtls_diag open_d[DBTLS_MAX_OUTPUTS + 1];
	enum dbtls_err open_err[DBTLS_MAX_OUTPUTS + 1];
	size_t nouts;
	bool errored;	    /* an endpoint was not scanned completely */
	enum dbtls_err err; /* NOMEM, or a bad --clients (said once) */
};

/* Opens every output (-o files, then standard output's summary); a file that cannot be opened
 * is said after the scan, as one that fails to write is, and the others go on. */
static void sink_open(struct sink *k)
{
	const struct dbtls_cli *cli = k->cli;
	const struct dbtls_evaluation *ev = k->pol ? &k->ev : NULL;
	bool stdout_used = false;

	for (size_t i = 0; i < cli->noutputs; i++) {
		const struct dbtls_report_writer *w = dbtls_report_find(cli->outputs[i].format);

		stdout_used |= strcmp(cli->outputs[i].path, "-") == 0;
		k->paths[k->nouts] = cli->outputs[i].path;
		k->open_err[k->nouts] =
		    dbtls_report_out_open(w, cli->outputs[i].path, NULL, false, 0, k->run, ev,
					  &k->outs[k->nouts], &k->open_d[k->nouts]);
		k->nouts++;
	}
	if (!stdout_used && !(cli->quiet && cli->noutputs)) {
		const struct dbtls_report_writer *w =
		    dbtls_report_find(cli->format ? cli->format : "text");

		k->paths[k->nouts] = NULL;
		k->open_err[k->nouts] = dbtls_report_out_open(
		    w, NULL, stdout, cli->color && !strcmp(w->name, "text"), cli->width, k->run, ev,
		    &k->outs[k->nouts], &k->open_d[k->nouts]);
		k->nouts++;
	}
}

static enum dbtls_err sink_endpoint(void *arg, size_t index, struct dbtls_endpoint_facts *f)
{
	struct sink *k = arg;
	struct dbtls_findings fs = {0};
	struct dbtls_diag d = {0};
	enum dbtls_err err;

	if (k->cli->clients) {
		struct dbtls_scan_facts one = {.endpoints = f, .nendpoints = 1};

		err = dbtls_app_clients(k->cli, &one, &d);
		if (err) {
			if (!k->err)
				dbtls_cli_say(stderr, "dbtls: %s",
					      err == DBTLS_ERR_NOMEM ? dbtls_strerror(err) : d.msg);
			k->err = err;
			return err;
		}
	}
	if (k->cli->audit_server_files && (err = audit_server_files(k->run, f)))
		return k->err = err;
	if (k->pol && (err = dbtls_evaluate_one(k->pol, k->wv, DBTLS_SUBJECT_ENDPOINT, f,
						time(NULL), &fs, &k->ev)))
		return k->err = err;
	for (size_t i = 0; i < k->nouts; i++)
		dbtls_report_out_endpoint(k->outs[i], f, k->pol ? &fs : NULL, index);
	k->errored |= !dbtls_endpoint_scanned(f);
	dbtls_findings_free(&fs);
	return DBTLS_OK;
}

/* The files (--audit-server-files) judged as subjects of the run's evaluation (after its zero
 * endpoint subjects, where the writers look for them). NOMEM. */
static enum dbtls_err sink_judge_files(struct sink *k)
{
	struct dbtls_evaluation *ev = &k->ev;
	size_t n = k->run->nfiles;

	if (!k->pol || !n)
		return DBTLS_OK;
	ev->findings = calloc(n, sizeof(*ev->findings));
	ev->subjects = calloc(n, sizeof(*ev->subjects));
	if (!ev->findings || !ev->subjects)
		return DBTLS_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct dbtls_subject_kind_info *kind =
		    dbtls_subject_kind_find(DBTLS_SUBJECT_FILE);
		struct dbtls_subject *sj = &ev->subjects[i];

		sj->kind = DBTLS_SUBJECT_FILE;
		sj->facts = &k->run->files[i];
		sj->id = kind->id(sj->facts);
		if (!sj->id)
			return DBTLS_ERR_NOMEM;
		ev->nsubjects++;
		if (dbtls_evaluate_one(k->pol, k->wv, DBTLS_SUBJECT_FILE, sj->facts, time(NULL),
				       &ev->findings[i], ev))
			return DBTLS_ERR_NOMEM;
	}
	return DBTLS_OK;
}

/* Closes every output in order (a failing one does not stop the others: a report already
 * written is never lost) and returns USAGE when one could not be written, else OK. */
static int sink_close(struct sink *k)
{
	const struct dbtls_evaluation *ev = k->pol ? &k->ev : NULL;
	int rc = DBTLS_EXIT_OK;

	for (size_t i = 0; i < k->nouts; i++) {
		struct dbtls_diag d = {0};
		bool is_stdout = !k->paths[i] || !strcmp(k->paths[i], "-");
		enum dbtls_err err = k->open_err[i];

		errno = 0;
		if (!err)
			err = dbtls_report_out_close(k->outs[i], k->run, ev, &d);
		else
			d = k->open_d[i];
		k->outs[i] = NULL;
		if (err && !(is_stdout && stdout_gone(errno))) {
			if (k->paths[i])
				dbtls_cli_say(stderr, "dbtls: cannot write report %s", d.msg);
			else
				dbtls_cli_say(stderr, "dbtls: standard output: %s", d.msg);
			rc = DBTLS_EXIT_USAGE;
		}
	}
	return rc;
}

/* After the last endpoint: the files judged, every output closed, and the exit code. */
static int sink_finish(struct sink *k, enum dbtls_err err)
{
	int rc;

	if (!err && !k->err)
		err = sink_judge_files(k);
	if (err == DBTLS_ERR_NOMEM || k->err == DBTLS_ERR_NOMEM)
		dbtls_cli_say(stderr, "dbtls: %s", dbtls_strerror(DBTLS_ERR_NOMEM));
	/* what was finished is written even when the intake failed (a bad line on standard
	 * input, said already) or the run was interrupted */
	rc = sink_close(k);
	if (err || k->err) {
		rc = DBTLS_EXIT_USAGE;
	} else if (rc == DBTLS_EXIT_OK) {
		bool errored = k->errored;

		for (size_t i = 0; i < k->run->nfiles; i++)
			errored |= k->run->files[i].nerrors > 0;
		if (k->pol && k->ev.failed)
			rc = DBTLS_EXIT_FINDINGS;
		else if (errored)
			rc = DBTLS_EXIT_UNSCANNED;
	}
	if (k->run->interrupted) {
		fprintf(stderr, "dbtls: interrupted: the report holds what was finished\n");
		if (rc != DBTLS_EXIT_USAGE)
			rc = DBTLS_EXIT_INTERRUPTED;
	}
	return rc;
}

/* check --facts: the saved report's header opens the sink, its endpoints go through it one at
 * a time (the reader frees each after the call), its files are kept for the end. */
static enum dbtls_err check_header(void *arg, struct dbtls_scan_facts *hdr, const json_t *top,
				   struct dbtls_diag *d)
{
	struct sink *k = arg;

	(void)top;
	(void)d;
	*k->run = *hdr;
	memset(hdr, 0, sizeof(*hdr));
	sink_open(k);
	return DBTLS_OK;
}

static enum dbtls_err check_endpoint(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct sink *k = arg;
	enum dbtls_err err = sink_endpoint(k, el->index, el->ep);

	return err ? dbtls_diag_set(d, err, "%s", dbtls_strerror(err)) : DBTLS_OK;
}

static enum dbtls_err check_file(void *arg, struct dbtls_report_elem *el, struct dbtls_diag *d)
{
	struct sink *k = arg;
	struct dbtls_scan_facts *run = k->run;
	struct dbtls_audit_file *g = realloc(run->files, (run->nfiles + 1) * sizeof(*g));

	if (!g) {
		k->err = DBTLS_ERR_NOMEM;
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s", dbtls_strerror(DBTLS_ERR_NOMEM));
	}
	run->files = g;
	run->files[run->nfiles++] = *el->file;
	memset(el->file, 0, sizeof(*el->file));
	return DBTLS_OK;
}

/* scan or check --facts through the sink; returns the exit code. */
static int run_scan_or_check(struct dbtls_cli *cli)
{
	struct dbtls_progress progress;
	struct dbtls_scan_facts facts = {0}, read = {0};
	struct dbtls_policy pol = {0};
	struct dbtls_waivers wv = {0};
	struct dbtls_diag d = {0};
	struct sink k = {.cli = cli};
	enum dbtls_err err = DBTLS_OK;
	bool have_pol;
	int rc;

	if (cli->audit_server_files && !cli->scan.sql) {
		dbtls_cli_say(stderr, "dbtls: --audit-server-files needs --sql (the server names "
				      "its files in SQL variables)");
		return DBTLS_EXIT_USAGE;
	}
	rc = load_policy(cli, &pol, &have_pol, &wv);
	if (rc)
		return rc;
	if (cli->cmd == DBTLS_CMD_CHECK) {
		/* the whole file is checked first (one parse, nothing kept): a report broken
		 * half-way is refused before any output is replaced */
		err = dbtls_report_json_check(cli->facts, &d);
		if (err) {
			dbtls_cli_say(stderr, "dbtls: --facts: %s", d.msg);
			rc = DBTLS_EXIT_USAGE;
			goto out;
		}
	} else {
		/* --clients, --clients-in-use and --proposed are read before any probe goes out: a
		 * bad one is a usage error that costs no traffic */
		struct dbtls_scan_facts none = {0};
		err = dbtls_app_clients(cli, &none, &d);
		if (err) {
			dbtls_cli_say(stderr, "dbtls: %s",
				      err == DBTLS_ERR_NOMEM ? dbtls_strerror(err) : d.msg);
			rc = DBTLS_EXIT_USAGE;
			goto out;
		}
		facts.tool_version = strdup(DBTLS_VERSION);
		facts.new_ca_file = dbtls_strdup(cli->scan.new_ca_file);
		facts.started_at = time(NULL);
		if (!facts.tool_version || (cli->scan.new_ca_file && !facts.new_ca_file)) {
			dbtls_cli_say(stderr, "dbtls: %s", dbtls_strerror(DBTLS_ERR_NOMEM));
			rc = DBTLS_EXIT_USAGE;
			goto out;
		}
	}
	k.pol = have_pol ? &pol : NULL;
	k.wv = cli->waivers ? &wv : NULL;
	/* the writers see no endpoints at begin: a scan's come from the scheduler, a saved
	 * report's from the stream reader, one at a time, each through the sink */
	k.run = cli->cmd == DBTLS_CMD_CHECK ? &read : &facts;
	k.ev.policy = k.pol;
	k.ev.fail_on = (enum dbtls_severity)cli->fail_on;
	if (cli->cmd == DBTLS_CMD_CHECK) {
		const struct dbtls_report_stream_cb cb = {
		    .header = check_header, .endpoint = check_endpoint, .file = check_file};

		if (dbtls_report_json_stream(cli->facts, &cb, &k, &d)) {
			if (!k.err)
				dbtls_cli_say(stderr, "dbtls: --facts: %s", d.msg);
			if (!k.err)
				k.err = DBTLS_ERR_INPUT;
		}
	} else {
		struct dbtls_scan_source src = {
		    .next = dbtls_targets_src_next, .arg = cli->src, .total = cli->ntargets_total};

		sink_open(&k);

		/* one revocation cache for the run: endpoints behind one CA ask its responder once
		 */
		cli->scan.rev.cache = dbtls_rev_cache_new();
		if (stop_signals_install())
			cli->scan.cancel_fd = &cancel_pipe[0];
		if (cli->scan.sql)
			sql_secret_prepare(cli);
		cli->scan.fds_held = fds_open() - 3; /* the reports and their spools, open now */
		scan_prepare(cli, &progress);
		err = cli->scan.rev.cache
			  ? dbtls_scan_stream(&src, &cli->scan, sink_endpoint, &k, &facts)
			  : DBTLS_ERR_NOMEM;
		if (cli->scan.on_endpoint_done)
			dbtls_progress_end(&progress);
		dbtls_sql_secret_wipe();
		dbtls_rev_cache_free(cli->scan.rev.cache);
		cli->scan.rev.cache = NULL;
	}
	rc = sink_finish(&k, err);
out:
	for (size_t i = 0; i < k.nouts; i++)
		dbtls_report_out_abort(k.outs[i]);
	dbtls_evaluation_free(&k.ev);
	dbtls_scan_facts_free(&read);
	dbtls_scan_facts_free(&facts);
	if (have_pol)
		dbtls_policy_free(&pol);
	dbtls_waivers_free(&wv);
	return rc;
}

/* dbtls merge through the sink: the merged header opens it, each endpoint is judged and
 * written as it comes (app/merge.h: order, duplicates, --latest, the merged header), judged
 * again under --policy (findings in the files are derived, not facts). */
struct merge_arg {
	struct sink *k;
	size_t n;
};

static enum dbtls_err merge_take_header(void *arg, struct dbtls_scan_facts *hdr,
					struct dbtls_diag *d)
{
	struct merge_arg *m = arg;

	(void)d;
	*m->k->run = *hdr;
	memset(hdr, 0, sizeof(*hdr));
	sink_open(m->k);
	return DBTLS_OK;
}

static enum dbtls_err merge_take_endpoint(void *arg, struct dbtls_endpoint_facts *e,
					  struct dbtls_diag *d)
{
	struct merge_arg *m = arg;
	enum dbtls_err err = sink_endpoint(m->k, m->n++, e);

	return err ? dbtls_diag_set(d, err, "%s", dbtls_strerror(err)) : DBTLS_OK;
}

static int run_merge(struct dbtls_cli *cli)
{
	struct dbtls_scan_facts all = {0};
	struct dbtls_policy pol = {0};
	struct dbtls_waivers wv = {0};
	struct dbtls_diag d = {0};
	struct sink k = {.cli = cli, .run = &all};
	struct merge_arg m = {.k = &k};
	struct dbtls_merge_sink sink = {
	    .header = merge_take_header, .endpoint = merge_take_endpoint, .arg = &m};
	enum dbtls_err err = DBTLS_OK;
	bool have_pol;
	int rc;

	rc = load_policy(cli, &pol, &have_pol, &wv);
	if (rc)
		return rc;
	k.pol = have_pol ? &pol : NULL;
	k.wv = cli->waivers ? &wv : NULL;
	k.ev.policy = k.pol;
	k.ev.fail_on = (enum dbtls_severity)cli->fail_on;
	err = dbtls_merge_stream((const char *const *)cli->merge_inputs, cli->nmerge_inputs,
				 cli->merge_latest, &sink, &d);
	if (err && !k.err)
		dbtls_cli_say(stderr, "dbtls: merge: %s", d.msg);
	/* every input is checked before the first endpoint goes out: an error found then leaves
	 * the outputs unopened, and the old reports in place */
	rc = k.nouts || !err ? sink_finish(&k, err) : DBTLS_EXIT_USAGE;
	for (size_t i = 0; i < k.nouts; i++)
		dbtls_report_out_abort(k.outs[i]);
	dbtls_evaluation_free(&k.ev);
	dbtls_scan_facts_free(&all);
	if (have_pol)
		dbtls_policy_free(&pol);
	dbtls_waivers_free(&wv);
	return rc;
}

/* The lower-case hex SHA-256 fingerprints of the certificates of PEM bundle path (new array of
 * new strings, *n of them); false with a message when none can be read. */
static bool new_ca_fingerprints(const char *path, char ***out, size_t *n)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	*out = NULL;
	*n = 0;
	if (!fp) {
		dbtls_cli_say(stderr, "dbtls: --new-ca-file %s: %s", path, strerror(errno));
		return false;
	}
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL))) {
		unsigned char md[32];
		unsigned mdlen = 0;
		char **p = realloc(*out, (*n + 1) * sizeof(*p));

		if (p)
			*out = p;
		if (p && X509_digest(x, EVP_sha256(), md, &mdlen) && (p[*n] = malloc(65))) {
			for (unsigned i = 0; i < mdlen && i < 32; i++)
				snprintf(p[*n] + 2 * i, 3, "%02x", md[i]);
			(*n)++;
		}
		X509_free(x);
	}
	fclose(fp);
	if (!*n)
		dbtls_cli_say(stderr, "dbtls: --new-ca-file %s: no PEM certificate in it", path);
	return *n > 0;
}

/* dbtls audit PATH...: the files are the subjects; the store password leaves the environment
 * before anything is read and is never printed. Exit codes as scans (3: a file could not be
 * read completely). */
static int run_audit(const struct dbtls_cli *cli)
{
	struct dbtls_scan_facts facts = {0};
	struct dbtls_audit_facts af = {0};
	struct dbtls_audit_pwfile pwf = {0};
	struct dbtls_policy pol = {0};
	struct dbtls_waivers wv = {0};
	struct dbtls_diag d = {0};
	char *pw = NULL, **fps = NULL;
	size_t nfps = 0;
	const char *env = getenv("DBTLS_STORE_PASSWORD");
	bool have_pol = false;
	int rc;

	if (env && !(pw = strdup(env))) {
		dbtls_cli_say(stderr, "dbtls: %s", dbtls_strerror(DBTLS_ERR_NOMEM));
		return DBTLS_EXIT_USAGE;
	}
	unsetenv("DBTLS_STORE_PASSWORD");
	rc = load_policy(cli, &pol, &have_pol, &wv);
	if (rc)
		goto out;
	rc = DBTLS_EXIT_USAGE;
	if (cli->store_passwords && dbtls_audit_pwfile_load(cli->store_passwords, &pwf, &d)) {
		dbtls_cli_say(stderr, "dbtls: --store-passwords: %s", d.msg);
		goto out;
	}
	if (cli->scan.new_ca_file && !new_ca_fingerprints(cli->scan.new_ca_file, &fps, &nfps))
		goto out;
	if (have_pol) {
		pol.params.new_ca_sha256 = (const char *const *)fps;
		pol.params.nnew_ca_sha256 = nfps;
	}
	struct dbtls_audit_opts o = {
	    .now = time(NULL),
	    .store_password = pw,
	    .pwfile = cli->store_passwords ? &pwf : NULL,
	    .no_defaults = cli->no_default_passwords,
	};
	facts.tool_version = strdup(DBTLS_VERSION);
	facts.new_ca_file = dbtls_strdup(cli->scan.new_ca_file);
	facts.started_at = o.now;
	if (!facts.tool_version ||
	    dbtls_audit_paths(cli->audit_paths, cli->naudit_paths, &o, &af) != DBTLS_OK) {
		dbtls_cli_say(stderr, "dbtls: %s", dbtls_strerror(DBTLS_ERR_NOMEM));
		goto out;
	}
	facts.files = af.files;
	facts.nfiles = af.nfiles;
	facts.finished_at = time(NULL);
	/* one line per file that could not be read, naming it; the others are judged */
	for (size_t i = 0; i < facts.nfiles; i++)
		for (size_t k = 0; k < facts.files[i].nerrors; k++)
			dbtls_cli_say(stderr, "dbtls: %s", facts.files[i].errors[k].msg);
	rc = judge_and_report(cli, &facts, have_pol ? &pol : NULL, cli->waivers ? &wv : NULL);
out:
	if (pw) {
		OPENSSL_cleanse(pw, strlen(pw));
		free(pw);
	}
	dbtls_audit_pwfile_free(&pwf);
	for (size_t i = 0; i < nfps; i++)
		free(fps[i]);
	free(fps);
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
	json_t *diff = NULL;
	bool json = cli->format && !strcmp(cli->format, "json");
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	int rc = DBTLS_EXIT_USAGE;

	/* streamed: OLD indexed by endpoint id, NEW read one endpoint at a time (diff.h) */
	err = dbtls_diff_files(cli->diff_old, cli->diff_new, (enum dbtls_severity)cli->fail_on,
			       &diff, &d);
	if (err) {
		dbtls_cli_say(stderr, "dbtls: diff: %s",
			      err == DBTLS_ERR_NOMEM && !d.msg[0] ? dbtls_strerror(err) : d.msg);
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
	static char help_buf[1 << 16]; /* stdout's buffer for help (glibc ignores a size alone) */
	struct dbtls_cli cli;
	enum dbtls_err err;
	int rc;

	/* a peer closing mid-write must be an error return, not a signal */
	signal(SIGPIPE, SIG_IGN);
	/* help texts and summaries stay in one buffer until the final fflush, which then sees a
	 * failed write (a full disk): a write error inside an earlier, implicit flush leaves only
	 * ferror(), whose errno is gone by then (the help text grew past stdio's 4 KiB buffer) */
	static char stdout_buf[1 << 16];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	OPENSSL_init_ssl(0, NULL);
	err = dbtls_cli_parse(argc, argv, &cli, stderr);
	if (err) {
		dbtls_cli_free(&cli);
		return DBTLS_EXIT_USAGE;
	}
	switch (cli.cmd) {
	case DBTLS_CMD_HELP:
		/* the whole help in one buffer, so that a write error (a full disk) surfaces in
		 * the final fflush with its errno instead of being lost in a mid-text flush (the
		 * help outgrew stdio's default buffer) */
		setvbuf(stdout, help_buf, _IOFBF, sizeof(help_buf));
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
	case DBTLS_CMD_MERGE:
		rc = run_merge(&cli);
		break;
	case DBTLS_CMD_AUDIT:
		rc = run_audit(&cli);
		break;
	default:
		rc = DBTLS_EXIT_USAGE;
		break;
	}
	dbtls_cli_free(&cli);
	/* a write error earlier (the buffer was flushed as it filled) leaves ferror set even when
	 * this last flush has nothing left to write; a pipe whose reader went away is quiet */
	errno = 0;
	if (stdout_failed()) {
		dbtls_cli_say(stderr, "dbtls: standard output: %s",
			      errno ? strerror(errno) : "write error");
		if (rc == DBTLS_EXIT_OK)
			rc = DBTLS_EXIT_USAGE;
	}
	return rc;
}
