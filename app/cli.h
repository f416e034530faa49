/* SPDX-License-Identifier: MIT */
/*
 * cli.h — the command line: sub-commands, options, the target list, and the help text.
 * Exit codes (documented in --help and the README) are defined here so main() and tests agree.
 *
 * Every option is one row of dbtls_cli_opts (cli.c): getopt's table, which command takes it and
 * the help text all come from that row. Ownership: struct dbtls_cli borrows its strings from argv
 * except targets and alpn, which it owns (dbtls_cli_free, NULL-safe).
 */
#ifndef DBTLS_CLI_H
#define DBTLS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "src/scan/scan.h"
#include "src/scan/targets_src.h"

struct cli_state; /* cli.c's parse state */

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
	DBTLS_CMD_MERGE,    /* dbtls merge A.json B.json ... -o ALL.json */
	DBTLS_CMD_HELP,
	DBTLS_CMD_VERSION,
	DBTLS_CMD_AUDIT, /* dbtls audit PATH...: judge files (keys, stores, TLS settings) */
};

#define DBTLS_MAX_OUTPUTS 8

struct dbtls_output {
	const char *path;   /* borrowed from argv; "-" = stdout */
	const char *format; /* "json", "text" */
};

enum dbtls_color {
	DBTLS_COLOR_AUTO,   /* a terminal, NO_COLOR unset or empty, TERM not dumb */
	DBTLS_COLOR_ALWAYS, /* --color=always (wins over NO_COLOR, as no-color.org asks) */
	DBTLS_COLOR_NEVER,  /* --color=never, --no-color */
};

struct dbtls_cli {
	enum dbtls_cmd cmd;
	const char *help_cmd; /* help: the command asked about (static or argv); NULL: all */
	struct dbtls_scan_opts scan;
	struct dbtls_target *targets; /* new; dbtls_cli_free: the command line's plain targets */
	size_t ntargets;
	/* scan: every target (the command line's, its ranges, --targets files and standard
	 * input), yielded lazily (new; dbtls_cli_free) */
	struct dbtls_targets_src *src;
	size_t ntargets_total; /* what src holds before duplicates and shards; 0: unknown (stdin) */
	uint64_t cidr_max;     /* --cidr-max (default DBTLS_CIDR_MAX_DEFAULT); 0: no limit */
	struct dbtls_output outputs[DBTLS_MAX_OUTPUTS];
	size_t noutputs;
	const char *format;	     /* --format for stdout (NULL = text) */
	bool quiet;		     /* no summary on stdout */
	bool progress;		     /* --progress: progress on stderr even off a terminal */
	bool color;		     /* colour the text summary (decided from color_mode) */
	enum dbtls_color color_mode; /* --color, --no-color */
	int width;		     /* wrap the summary on stdout to this width; 0: do not wrap */
	const char *policy;	     /* --policy NAME|FILE|none (default baseline) */
	const char *waivers;	     /* --waivers FILE */
	const char *clients;	    /* --clients all|NAME,...|FILE (client impact; app/clients.c) */
	const char *clients_in_use; /* --clients-in-use NAME,... */
	const char *proposed;	    /* --proposed FILE: a change not made yet */
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
	/* --shard K/N: scan only the endpoints whose canonical id hashes to slice K of N
	 * (dbtls_target_in_shard); shard_n 0: no sharding */
	unsigned shard_k, shard_n;
	char *const *merge_inputs; /* merge: the reports (borrowed from argv) */
	size_t nmerge_inputs;
	bool merge_latest; /* merge --latest: an endpoint twice keeps the newer report's */
	char **alpn;	   /* --alpn, NULL-terminated, into alpn_buf; scan.alpn points here */
	char *alpn_buf;	   /* the --alpn strings */
	const char **audit_paths; /* audit: the PATH operands (borrowed from argv) */
	size_t naudit_paths;
	const char *store_passwords; /* audit: --store-passwords FILE */
	bool no_default_passwords;   /* audit: --no-default-passwords */
	bool audit_server_files;     /* scan: --audit-server-files (with --sql) */
};

/* One option: the one place it is described (cli.c's dbtls_cli_opts). */
struct dbtls_cli_opt {
	const char *name; /* long name without "--" */
	char short_name;  /* 'o' for -o; 0: none */
	const char *arg;  /* metavariable ("FILE"); "=WHEN": optional; NULL: takes no argument */
	unsigned cmds;	  /* bit (1u << enum dbtls_cmd) for each command that takes it */
	int section;	  /* help section */
	const char *help; /* one paragraph, wrapped by the help writer; {formats}: the formats */
	/* checks arg and stores it in st->cli; prints one line and fails on a bad one */
	enum dbtls_err (*set)(struct cli_state *st, const char *arg);
	size_t field; /* for the generic handlers: offsetof(struct dbtls_cli, the field) */
};
extern const struct dbtls_cli_opt dbtls_cli_opts[];
extern const size_t dbtls_cli_nopts;

/* Parses argv into *cli. On a usage error prints one line naming the bad input to err and
 * returns USAGE/INPUT/FILE (main exits 2). */
enum dbtls_err dbtls_cli_parse(int argc, char **argv, struct dbtls_cli *cli, FILE *err);
/* Reads targets from path (one per line, '#' comments, blank lines) and appends them; a bad
 * line is reported on err as "FILE:LINE: reason" and makes the call fail with INPUT. */
enum dbtls_err dbtls_cli_read_targets(struct dbtls_cli *cli, const char *path, FILE *err);
void dbtls_cli_free(struct dbtls_cli *cli);
/* The whole help, generated from the command and option tables and the registries. */
void dbtls_cli_help(FILE *out);
/* One command's usage and options ("dbtls help scan"); false when there is no such command. */
bool dbtls_cli_help_command(FILE *out, const char *name);
/* Prints one line to err, formatted as printf does, through the escaping policy (escape.h):
 * every message that may echo user input or file contents goes through here. */
void dbtls_cli_say(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dbtls_cli_version(FILE *out);

#endif
