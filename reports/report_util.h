/* SPDX-License-Identifier: MIT */
/*
 * report_util.h — what the report writers share: the outcome of an endpoint under a policy, and
 * the scan id that ties the lines of one run together. Strings from a scan are written through
 * src/core/escape.h, the one escaping policy.
 *
 * Ownership: nothing here keeps a pointer.
 */
#ifndef DBTLS_REPORT_UTIL_H
#define DBTLS_REPORT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checks/policy/policy.h"
#include "src/core/escape.h"
#include "src/facts/audit.h"
#include "src/facts/facts.h"

/* An endpoint's outcome, counted the way dbtls_evaluate() counts (policy.h). */
enum dbtls_outcome {
	DBTLS_OUTCOME_PASSED,  /* judged: nothing (not waived) at or above fail_on */
	DBTLS_OUTCOME_FAILED,  /* judged: findings at or above fail_on */
	DBTLS_OUTCOME_ERRORED, /* could not be scanned completely, and nothing failed */
	DBTLS_OUTCOME_SCANNED, /* scanned, not judged (no policy) */
};
/* The outcome of endpoint e with its findings fs (NULL when not judged) under fail_on. */
enum dbtls_outcome dbtls_report_outcome(const struct dbtls_endpoint_facts *e,
					const struct dbtls_findings *fs,
					enum dbtls_severity fail_on);
/* "passed", "failed", "errored", "scanned" (borrowed, static). */
const char *dbtls_outcome_name(enum dbtls_outcome o);
/* The highest severity among fs's findings that are not waived, or -1 when none (fs may be
 * NULL). */
int dbtls_report_worst(const struct dbtls_findings *fs);

/* True when a certificate with this days_left (dbtls_days_between: whole days, truncated) and
 * not_after (0: unknown) has expired: days_left < 0, or 0 with not_after already past (expired
 * less than a whole day ago), so that a writer never says "0 days left" of an expired one. */
bool dbtls_report_expired(long days_left, time_t not_after);

/* One set of counts for a scan (and its evaluation), computed by one function and used by every
 * writer, so that no two formats can disagree about the same run. */
struct dbtls_report_counts {
	size_t total;	    /* endpoints in the scan */
	size_t reached;	    /* the scan got far enough to learn whether TLS is offered */
	size_t not_reached; /* it did not (refused, timed out, blocked …): total - reached */
	size_t complete;    /* scanned completely: no errors, TLS status known */
	size_t with_errors; /* total - complete: some fact is missing, for a reason in `errors` */
	size_t outcome[4];  /* by enum dbtls_outcome (dbtls_report_outcome) */
	size_t failed_with_errors;	       /* failed, and with errors as well */
	bool judged;			       /* under a policy: by_severity and waived count */
	size_t by_severity[DBTLS_NSEVERITIES]; /* findings not waived */
	size_t waived;
	bool rotation;		     /* --new-ca-file was given */
	size_t rotation_ready;	     /* the new bundle alone verifies the chain */
	size_t rotation_not_ready;   /* it does not, or it was not checked (below) */
	size_t rotation_not_checked; /* no chain to check (the endpoint errored or served none) */
	double duration_s;	     /* wall time of the scan */
	/* the files of a file audit (subjects of kind DBTLS_SUBJECT_FILE); their findings are in
	 * by_severity and waived above */
	size_t files;		  /* files audited */
	size_t files_with_errors; /* some could not be read or parsed completely */
	size_t files_outcome[4];  /* by enum dbtls_outcome (dbtls_report_file_outcome) */
};
/* The counts and the few cross-endpoint facts a writer's summary needs, gathered endpoint by
 * endpoint as they are written, so that no writer needs the scan's endpoints array (a streamed
 * run has none): init with the run's facts, add each endpoint with its findings, finish once the
 * files and the wall time are known. Owns its strings (dbtls_report_acc_free, NULL-safe). */
struct dbtls_report_acc_rot {
	char *target; /* new */
	bool checked;
};
struct dbtls_report_acc {
	struct dbtls_report_counts c;
	enum dbtls_severity fail_on;
	double longest_s; /* the longest endpoint */
	/* --new-ca-file only: the endpoints not ready for the new bundle, in scan order */
	struct dbtls_report_acc_rot *not_ready;
	size_t nnot_ready;
	/* the first certificate (scan order) of those that expire soonest: copies */
	bool nearest_set;
	char *nearest_target, *nearest_subject, *nearest_not_after;
	size_t nearest_pos;
	long nearest_days_left;
	time_t nearest_not_after_t;
	size_t unfinished; /* endpoints with an INTERRUPTED error (the run was stopped) */
	bool oom;	   /* a copy failed: lists incomplete */
};
void dbtls_report_acc_init(struct dbtls_report_acc *a, const struct dbtls_scan_facts *s,
			   const struct dbtls_evaluation *ev);
void dbtls_report_acc_add(struct dbtls_report_acc *a, const struct dbtls_endpoint_facts *e,
			  const struct dbtls_findings *fs);
/* Adds s's files (judged by ev) and the wall time; after it a->c is what dbtls_report_counts()
 * gives for the same endpoints. */
void dbtls_report_acc_finish(struct dbtls_report_acc *a, const struct dbtls_scan_facts *s,
			     const struct dbtls_evaluation *ev);
void dbtls_report_acc_free(struct dbtls_report_acc *a);

/* Copies what is left of spool (rewound first) to out; false on a read or write error. The
 * writers that put a summary before the endpoints spool the endpoints to an unnamed temporary
 * file (dbtls_report_spool_new) and copy it in at the end. */
bool dbtls_report_spool_copy(FILE *spool, FILE *out);
/* An unnamed temporary file (tmpfile), NULL when none can be had. */
FILE *dbtls_report_spool_new(void);

/* The findings of file i of the scan under ev (borrowed), NULL when not judged. */
const struct dbtls_findings *dbtls_report_file_findings(const struct dbtls_evaluation *ev,
							size_t i);
/* A file's outcome as evaluate.c decides a subject's: failed, else errored (errors), else passed
 * (judged) or scanned (not judged). */
enum dbtls_outcome dbtls_report_file_outcome(const struct dbtls_audit_file *f,
					     const struct dbtls_findings *fs,
					     enum dbtls_severity fail_on);
/* Fills *out for s judged by ev (NULL: not judged). */
void dbtls_report_counts(const struct dbtls_scan_facts *s, const struct dbtls_evaluation *ev,
			 struct dbtls_report_counts *out);
/* An id that names one run and is the same in every format written from it: the start time and
 * 12 hex digits of SHA-256 over the tool version, the start time and the targets, e.g.
 * "20231114T221320Z-3f9a1c0b7d2e". Writes it into out (>= 32 bytes). */
void dbtls_report_scan_id(const struct dbtls_scan_facts *s, char *out, size_t outlen);

/* The HTML report's stylesheet, generated from data/report.css at build time (report_css_gen.c),
 * so the binary needs no data file at run time. */
extern const char dbtls_report_css[];

/* The PCI DSS 4.0.1 inventory (report_inventory.c), gathered endpoint by endpoint so that a
 * streamed run (which keeps no endpoints array) lists the same rows as a batch one: 12.3.3, each
 * accepted (version, suite) pair, newest version first, then in the order the endpoints first
 * show them; 4.2.1.1, each served certificate once (by SHA-256) with what the inventory shows of
 * it, leaf when any endpoint serves it as its leaf. Each row keeps the first DBTLS_INV_KEEP
 * endpoints that have it (copies) and counts all of them, so memory grows with the distinct
 * suites and certificates, not with the endpoints per row. One model feeds text, HTML and the
 * JSON `inventory` object. New from _new (NULL when out of memory), _free NULL-safe. */
#define DBTLS_INV_KEEP 16
struct dbtls_inv_ep {
	char *target; /* new */
	size_t index; /* the endpoint's position in the scan (HTML links #ep-N) */
};
struct dbtls_inv_eps {
	struct dbtls_inv_ep *kept; /* the first min(n, DBTLS_INV_KEEP), in scan order */
	size_t n;		   /* endpoints with the row in all */
};
struct dbtls_inv_suite {
	uint32_t suite;
	struct dbtls_inv_eps eps;
};
struct dbtls_inv_cert {
	/* copies of the certificate's facts (new) */
	char *subject, *issuer, *key_type, *curve, *sig_alg, *serial, *not_before, *not_after;
	char sha256[65]; /* lower-case hex */
	int key_bits;
	bool leaf;   /* some endpoint serves it as its leaf */
	size_t last; /* 1 + the index of the endpoint counted last (one count per endpoint) */
	struct dbtls_inv_eps eps;
};
struct dbtls_inventory {
	/* per version, the accepted suites in the order the endpoints first show them */
	struct dbtls_inv_suite *suites[DBTLS_NVERSIONS];
	size_t nsuites[DBTLS_NVERSIONS], cap[DBTLS_NVERSIONS];
	struct dbtls_inv_cert *certs;
	size_t ncerts, ccap;
	size_t nendpoints;
	bool oom; /* ran out of memory: what is there is true, but incomplete */
};
struct dbtls_inventory *dbtls_inventory_new(void);
/* Adds endpoint e, at position index in the scan. */
void dbtls_inventory_add(struct dbtls_inventory *inv, const struct dbtls_endpoint_facts *e,
			 size_t index);
/* Writes the inventory block: text (dbtls_inventory_write), or an HTML <section id="inventory">
 * linking the endpoints' sections. */
void dbtls_inventory_write(FILE *out, const struct dbtls_inventory *inv);
void dbtls_inventory_write_html(FILE *out, const struct dbtls_inventory *inv);
void dbtls_inventory_free(struct dbtls_inventory *inv);
/* Whether the reports carry the inventory: the scan is judged under a PCI DSS profile (a name
 * starting with "pci-dss"). ev may be NULL (not judged: no). */
bool dbtls_report_inventory_wanted(const struct dbtls_evaluation *ev);

/* The handshake facts of one endpoint worded for people (report_hsfacts.c): the ALPN probe, the
 * session ticket, TLS 1.3 groups, TLS 1.2 hygiene, the client-certificate request, signature
 * schemes and the handshake vulnerabilities, each only when it was looked at. value is plain text
 * (escape it); bad marks a line with something wrong in it. */
struct dbtls_report_line {
	const char *label; /* borrowed, static */
	char *value;	   /* new, freed by dbtls_report_lines_free */
	bool bad;
};
struct dbtls_report_lines {
	struct dbtls_report_line line[8];
	size_t n;
};
/* Fills *out (new; dbtls_report_lines_free); a line that runs out of memory is left out. */
void dbtls_report_hsfacts(const struct dbtls_endpoint_facts *e, struct dbtls_report_lines *out);
/* Frees the values in l and zeroes it; l may be NULL. */
void dbtls_report_lines_free(struct dbtls_report_lines *l);

#endif
