/* SPDX-License-Identifier: MIT */
/*
 * main.c — the only place that exits: parses the command line, runs the scan, writes the reports,
 * and maps the outcome to the documented exit codes (cli.h, README).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "cli.h"
#include "reports/report.h"
#include "version.h"

static int run_scan(struct dbtls_cli *cli)
{
	struct dbtls_scan_facts facts = { 0 };
	const struct dbtls_report_writer *w;
	struct dbtls_diag d = { 0 };
	enum dbtls_err err;
	bool stdout_used = false;
	int rc = DBTLS_EXIT_OK;

	facts.tool_version = strdup(DBTLS_VERSION);
	err = dbtls_scan_run(cli->targets, cli->ntargets, &cli->scan, &facts);
	if (err || !facts.tool_version) {
		fprintf(stderr, "dbtls: %s\n", dbtls_strerror(err ? err : DBTLS_ERR_NOMEM));
		dbtls_scan_facts_free(&facts);
		return DBTLS_EXIT_USAGE;
	}
	/* every file is written before the terminal summary, and a failing one does not stop the
	 * others: a report already written is never lost */
	for (size_t i = 0; i < cli->noutputs; i++) {
		w = dbtls_report_find(cli->outputs[i].format);
		stdout_used |= strcmp(cli->outputs[i].path, "-") == 0;
		err = dbtls_report_write_file(w, &facts, cli->outputs[i].path, &d);
		if (err) {
			fprintf(stderr, "dbtls: cannot write report %s\n", d.msg);
			rc = DBTLS_EXIT_USAGE;
		}
	}
	if (!stdout_used && !(cli->quiet && cli->noutputs)) {
		w = dbtls_report_find(cli->format ? cli->format : "text");
		err = dbtls_report_write(w, &facts, stdout, cli->color && !strcmp(w->name, "text"), &d);
		if (err) {
			fprintf(stderr, "dbtls: standard output: %s\n", d.msg);
			rc = DBTLS_EXIT_USAGE;
		}
	}
	if (rc == DBTLS_EXIT_OK)
		for (size_t i = 0; i < facts.nendpoints; i++)
			/* a server without TLS was scanned (that is a fact about it); an endpoint we
			 * could not reach or understand was not */
			if (facts.endpoints[i].nerrors || facts.endpoints[i].tls_offered < 0)
				rc = DBTLS_EXIT_UNSCANNED;
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
		dbtls_cli_help(stdout);
		rc = DBTLS_EXIT_OK;
		break;
	case DBTLS_CMD_VERSION:
		dbtls_cli_version(stdout);
		rc = DBTLS_EXIT_OK;
		break;
	case DBTLS_CMD_SCAN:
		rc = run_scan(&cli);
		break;
	default:
		rc = DBTLS_EXIT_USAGE;
		break;
	}
	dbtls_cli_free(&cli);
	return rc;
}
