/* SPDX-License-Identifier: MIT */
/*
 * cli.h — the command line: sub-commands, options, the target list, and the help text.
 * Exit codes (documented in --help and the README) are defined here so main() and tests agree.
 */
#ifndef DBTLS_CLI_H
#define DBTLS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "src/scan/scan.h"

enum dbtls_exit {
	DBTLS_EXIT_OK = 0,	  /* scanned; nothing at or above --fail-on */
	DBTLS_EXIT_FINDINGS = 1,  /* findings at or above --fail-on (policy engine) */
	DBTLS_EXIT_USAGE = 2,	  /* usage or input error: nothing was scanned */
	DBTLS_EXIT_UNSCANNED = 3, /* some endpoints could not be scanned (errors in the report) */
	DBTLS_EXIT_INTERRUPTED = 130, /* SIGINT/SIGTERM: what was finished is reported */
};

enum dbtls_cmd {
	DBTLS_CMD_NONE,
	DBTLS_CMD_SCAN,	    /* dbtls scan TARGET... */
	DBTLS_CMD_CHECK,    /* dbtls check --facts REPORT.json: judge a saved scan again */
	DBTLS_CMD_POLICIES, /* dbtls policies */
	DBTLS_CMD_EXPLAIN,  /* dbtls explain CHECK-ID */
	DBTLS_CMD_DERIVE,   /* dbtls policy derive REPORT.json -o PINNED.json */
	DBTLS_CMD_DIFF,	    /* dbtls diff OLD.json NEW.json */
	DBTLS_CMD_HELP,
	DBTLS_CMD_VERSION,
};

#define DBTLS_MAX_OUTPUTS 8

struct dbtls_output {
	const char *path;   /* borrowed from argv; "-" = stdout */
	const char *format; /* "json", "text" */
};

struct dbtls_cli {
	enum dbtls_cmd cmd;
	struct dbtls_scan_opts scan;
	struct dbtls_target *targets; /* new; dbtls_cli_free */
	size_t ntargets;
	struct dbtls_output outputs[DBTLS_MAX_OUTPUTS];
	size_t noutputs;
	const char *format;	    /* --format for stdout (NULL = text) */
	bool quiet;		    /* no summary on stdout */
	bool color;		    /* colour the text summary */
	const char *policy;	    /* --policy NAME|FILE|none (default baseline) */
	const char *waivers;	    /* --waivers FILE */
	int fail_on;		    /* enum dbtls_severity; --fail-on (default high) */
	const char *facts;	    /* check: --facts REPORT.json; derive: the report */
	const char *explain_id;	    /* explain: the check id */
	const char *derive_name;    /* derive: --name (default "pinned") */
	const char *derive_extends; /* derive: --extends PROFILE */
	const char *diff_old;	    /* diff: the earlier report (borrowed from argv) */
	const char *diff_new;	    /* diff: the later report */
	bool revocation_soft_fail;  /* --revocation soft-fail: an undeterminable status is a note */
	const char *crl_files[16];  /* --crl FILE… */
	size_t ncrl_files;
};

/* Parses argv into *cli. On a usage error prints one line naming the bad input to err and
 * returns USAGE/INPUT/FILE (main exits 2). */
enum dbtls_err dbtls_cli_parse(int argc, char **argv, struct dbtls_cli *cli, FILE *err);
/* Reads targets from path (one per line, '#' comments, blank lines) and appends them; a bad
 * line is reported on err as "FILE:LINE: reason" and makes the call fail with INPUT. */
enum dbtls_err dbtls_cli_read_targets(struct dbtls_cli *cli, const char *path, FILE *err);
void dbtls_cli_free(struct dbtls_cli *cli);
void dbtls_cli_help(FILE *out);
void dbtls_cli_version(FILE *out);

#endif
