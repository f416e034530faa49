/* SPDX-License-Identifier: MIT */
/*
 * progress.h — the one-line progress display of `dbtls scan` on standard error: endpoints done of
 * the total, those with errors, endpoints a second and the time left, redrawn in place (\r) at
 * most ten times a second and cleared at the end. main() decides whether to show it (a terminal,
 * not -q, or --progress); the scheduler only calls dbtls_progress_endpoint_done() through
 * struct dbtls_scan_opts.on_endpoint_done.
 *
 * Ownership: struct dbtls_progress is the caller's (on the stack is fine); out is borrowed.
 */
#ifndef DBTLS_PROGRESS_H
#define DBTLS_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "src/facts/facts.h"

struct dbtls_progress {
	FILE *out;
	size_t total, done, errors;
	double t0, last_draw; /* monotonic seconds */
	size_t width;	      /* of the last line drawn, to blank it */
	pthread_mutex_t lock;
};

/* Starts the display of total endpoints on out. */
void dbtls_progress_init(struct dbtls_progress *p, FILE *out, size_t total);
/* struct dbtls_scan_opts.on_endpoint_done: arg is the struct dbtls_progress. Thread-safe. */
void dbtls_progress_endpoint_done(void *arg, const struct dbtls_endpoint_facts *f);
/* struct dbtls_scan_opts.on_endpoints_added: a host name turned out to be n more endpoints. */
void dbtls_progress_endpoints_added(void *arg, size_t n);
/* Clears the line (nothing else is left on the terminal) and releases p. */
void dbtls_progress_end(struct dbtls_progress *p);

#endif
