/* SPDX-License-Identifier: MIT */
/*
 * progress.c — the progress line of `dbtls scan` (see progress.h). One line, drawn with a
 * carriage return and padded with blanks over the previous one, so that it works on any
 * terminal without cursor escapes; at the end it is blanked the same way.
 */
#include "app/progress.h"

#include <time.h>

static double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Draws the line; p->lock held. */
static void progress_draw(struct dbtls_progress *p, double now)
{
	double el = now - p->t0, rate = el > 0 ? (double)p->done / el : 0;
	char line[160], eta[32] = "--";
	int n;

	if (rate > 0 && p->total >= p->done) {
		double left = (double)(p->total - p->done) / rate;
		if (left < 3600 * 99)
			snprintf(eta, sizeof(eta), "%d:%02d:%02d", (int)left / 3600,
				 (int)left / 60 % 60, (int)left % 60);
	}
	/* total 0: not known (standard input, a shard of the list): no ETA */
	if (p->total)
		n = snprintf(line, sizeof(line),
			     "dbtls: %zu/%zu endpoints, %zu with errors, %.1f/s, ETA %s", p->done,
			     p->total, p->errors, rate, eta);
	else
		n = snprintf(line, sizeof(line), "dbtls: %zu endpoints, %zu with errors, %.1f/s",
			     p->done, p->errors, rate);
	if (n < 0)
		return;
	fprintf(p->out, "\r%s%*s", line, p->width > (size_t)n ? (int)(p->width - (size_t)n) : 0,
		"");
	fflush(p->out);
	p->width = (size_t)n;
	p->last_draw = now;
}

void dbtls_progress_init(struct dbtls_progress *p, FILE *out, size_t total)
{
	*p = (struct dbtls_progress){.out = out, .total = total, .t0 = progress_now()};
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_lock(&p->lock);
	progress_draw(p, p->t0);
	pthread_mutex_unlock(&p->lock);
}

void dbtls_progress_endpoint_done(void *arg, const struct dbtls_endpoint_facts *f)
{
	struct dbtls_progress *p = arg;
	double now = progress_now();

	pthread_mutex_lock(&p->lock);
	p->done++;
	if (f && f->nerrors)
		p->errors++;
	if (now - p->last_draw >= 0.1 || p->done == p->total)
		progress_draw(p, now);
	pthread_mutex_unlock(&p->lock);
}

void dbtls_progress_endpoints_added(void *arg, size_t n)
{
	struct dbtls_progress *p = arg;

	pthread_mutex_lock(&p->lock);
	if (p->total) /* unknown stays unknown */
		p->total += n;
	pthread_mutex_unlock(&p->lock);
}

void dbtls_progress_end(struct dbtls_progress *p)
{
	pthread_mutex_lock(&p->lock);
	fprintf(p->out, "\r%*s\r", (int)p->width, "");
	fflush(p->out);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
}
