/* SPDX-License-Identifier: MIT */
/*
 * merge.c — `dbtls merge`, streamed (see merge.h): an index pass over every input, then an
 * output pass that hands one endpoint at a time to the sink.
 */
#include "app/merge.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/json/report_stream.h"
#include "src/scan/target.h"

/* One id: where it first appears (file, index) and the copy that wins (file, offset). */
struct mg_entry {
	char *id;
	size_t first_file, first_index;
	size_t win_file;
	long long win_offset;
	time_t win_started;
};

struct mg {
	const char *const *paths;
	struct dbtls_report_file **rf;
	bool latest;
	const struct dbtls_merge_sink *sink;
	/* open addressing over ids */
	struct mg_entry *slots;
	size_t cap, n;
	/* the file being read and its header */
	size_t file;
	time_t started;
	/* the merged header */
	struct dbtls_scan_facts hdr;
	bool have_hdr;
	/* the first id seen twice (without latest): reported once its file has been read */
	char dup[512];
};

static char *mg_id(const struct dbtls_endpoint_facts *e)
{
	return e->host ? dbtls_endpoint_facts_id(e) : dbtls_strdup(e->target ? e->target : "");
}

/* The slot of id: where it is or the empty one where it would go. */
static size_t mg_slot(const struct mg *m, const char *id)
{
	size_t k;

	for (k = dbtls_target_id_hash(id) & (m->cap - 1);
	     m->slots[k].id && strcmp(m->slots[k].id, id); k = (k + 1) & (m->cap - 1))
		;
	return k;
}

static bool mg_grow(struct mg *m)
{
	size_t cap = m->cap ? 2 * m->cap : 1024;
	struct mg_entry *s = calloc(cap, sizeof(*s));

	if (!s)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		size_t k;
		if (!m->slots[i].id)
			continue;
		for (k = dbtls_target_id_hash(m->slots[i].id) & (cap - 1); s[k].id;
		     k = (k + 1) & (cap - 1))
			;
		s[k] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return true;
}

static enum dbtls_err mg_nomem(struct dbtls_diag *d)
{
	return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "%s", dbtls_strerror(DBTLS_ERR_NOMEM));
}

/* Pass 1: a file's header joins the merged one. */
static enum dbtls_err mg_index_header(void *arg, struct dbtls_scan_facts *in, const json_t *top,
				      struct dbtls_diag *d)
{
	struct mg *m = arg;
	struct dbtls_scan_facts *all = &m->hdr;

	(void)top;
	(void)d;
	m->started = in->started_at;
	if (!all->tool_version && in->tool_version) {
		all->tool_version = in->tool_version;
		in->tool_version = NULL;
		all->started_at = in->started_at;
	}
	if (!all->new_ca_file) {
		all->new_ca_file = in->new_ca_file;
		in->new_ca_file = NULL;
	}
	if (!m->have_hdr || in->started_at < all->started_at)
		all->started_at = in->started_at;
	if (in->finished_at > all->finished_at)
		all->finished_at = in->finished_at;
	all->interrupted |= in->interrupted;
	m->have_hdr = true;
	return DBTLS_OK;
}

/* Pass 1: an endpoint's id into the index. */
static enum dbtls_err mg_index_endpoint(void *arg, struct dbtls_report_elem *el,
					struct dbtls_diag *d)
{
	struct mg *m = arg;
	char *id = mg_id(el->ep);
	struct mg_entry *e;

	if (!id || (2 * (m->n + 1) > m->cap && !mg_grow(m))) {
		free(id);
		return mg_nomem(d);
	}
	e = &m->slots[mg_slot(m, id)];
	if (!e->id) {
		*e = (struct mg_entry){.id = id,
				       .first_file = m->file,
				       .first_index = el->index,
				       .win_file = m->file,
				       .win_offset = el->offset,
				       .win_started = m->started};
		m->n++;
		return DBTLS_OK;
	}
	if (!m->latest) {
		if (!m->dup[0])
			snprintf(m->dup, sizeof(m->dup),
				 "%s is in both %s and %s (give --latest to keep the newer)", id,
				 m->paths[e->win_file], m->paths[m->file]);
	} else if (m->started >= e->win_started) {
		/* the newer scan wins; of two equally new ones, the later file */
		e->win_file = m->file;
		e->win_offset = el->offset;
		e->win_started = m->started;
	}
	free(id);
	return DBTLS_OK;
}

/* Pass 2: an endpoint at its id's first place goes out as the winning copy. */
static enum dbtls_err mg_output_endpoint(void *arg, struct dbtls_report_elem *el,
					 struct dbtls_diag *d)
{
	struct mg *m = arg;
	struct dbtls_endpoint_facts won;
	const struct mg_entry *e;
	enum dbtls_err err;
	char *id = mg_id(el->ep);

	if (!id)
		return mg_nomem(d);
	e = &m->slots[mg_slot(m, id)];
	free(id);
	if (!e->id || e->first_file != m->file || e->first_index != el->index)
		return DBTLS_OK; /* a copy that lost: its id went out at its first place */
	if (e->win_file == m->file && e->win_offset == el->offset)
		return m->sink->endpoint ? m->sink->endpoint(m->sink->arg, el->ep, d) : DBTLS_OK;
	err = dbtls_report_file_read_endpoint(m->rf[e->win_file], e->win_offset, 0, &won, NULL, d);
	dbtls_report_file_release(m->rf[e->win_file]);
	if (!err && m->sink->endpoint)
		err = m->sink->endpoint(m->sink->arg, &won, d);
	dbtls_endpoint_facts_free(&won);
	return err;
}

enum dbtls_err dbtls_merge_stream(const char *const *paths, size_t n, bool latest,
				  const struct dbtls_merge_sink *sink, struct dbtls_diag *d)
{
	static const struct dbtls_report_stream_cb index_cb = {.header = mg_index_header,
							       .endpoint = mg_index_endpoint};
	static const struct dbtls_report_stream_cb output_cb = {.endpoint = mg_output_endpoint};
	struct mg m = {.paths = paths, .latest = latest, .sink = sink};
	enum dbtls_err err = DBTLS_OK;

	m.rf = calloc(n + 1, sizeof(*m.rf));
	if (!m.rf)
		return mg_nomem(d);
	for (m.file = 0; !err && m.file < n; m.file++) {
		m.rf[m.file] = dbtls_report_file_open(paths[m.file], d);
		if (!m.rf[m.file]) {
			err = DBTLS_ERR_FILE;
			break;
		}
		err = dbtls_report_file_stream(m.rf[m.file], &index_cb, &m, d);
		dbtls_report_file_release(m.rf[m.file]);
		/* what is wrong with the file itself comes first, as when it was read whole */
		if (!err && m.dup[0])
			err = dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s", m.dup);
	}
	if (!err && sink->header)
		err = sink->header(sink->arg, &m.hdr, d);
	for (m.file = 0; !err && m.file < n; m.file++) {
		err = dbtls_report_file_stream(m.rf[m.file], &output_cb, &m, d);
		dbtls_report_file_release(m.rf[m.file]);
	}
	for (size_t i = 0; i < n; i++)
		dbtls_report_file_close(m.rf[i]);
	free(m.rf);
	for (size_t i = 0; i < m.cap; i++)
		free(m.slots[i].id);
	free(m.slots);
	dbtls_scan_facts_free(&m.hdr);
	return err;
}
