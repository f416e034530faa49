/* SPDX-License-Identifier: MIT */
/*
 * enumerate.c — the removal loops behind cipher-suite and group enumeration (see enumerate.h).
 *
 * Every loop is bounded by the number of candidates, and a pick outside what was offered (a broken
 * or lying server) ends the loop instead of looping: the scan of one endpoint can never spin.
 */
#include "src/scan/enumerate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/registry/suites.h"

enum dbtls_vstatus dbtls_enum_classify(enum dbtls_version v, const struct dbtls_hello_result *r)
{
	switch (r->kind) {
	case DBTLS_HELLO_SERVER_HELLO:
	case DBTLS_HELLO_HRR:
		return r->version == dbtls_version_code(v) ? DBTLS_VS_ACCEPTED : DBTLS_VS_REJECTED;
	case DBTLS_HELLO_SSL2_SERVER_HELLO:
		return v == DBTLS_SSL2 && r->nssl2_ciphers ? DBTLS_VS_ACCEPTED : DBTLS_VS_REJECTED;
	case DBTLS_HELLO_ALERT:
	case DBTLS_HELLO_CLOSED:
	case DBTLS_HELLO_SERVER_ERROR: /* yaSSL's "#08S01 Bad handshake" is its way to refuse */
		return DBTLS_VS_REJECTED;
	case DBTLS_HELLO_GARBAGE:
	case DBTLS_HELLO_NONE:
		break;
	}
	return DBTLS_VS_ERROR;
}

static bool enum_contains(const uint32_t *a, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == x)
			return true;
	return false;
}

static size_t enum_remove(uint32_t *a, size_t n, uint32_t x)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		if (a[i] != x)
			a[o++] = a[i];
	return o;
}

static void enum_note_dh(const struct dbtls_hello_result *r, struct dbtls_enum_stats *st)
{
	if (r->dh_bits > 0 && (st->dh_bits_min == 0 || r->dh_bits < st->dh_bits_min))
		st->dh_bits_min = r->dh_bits;
}

static enum dbtls_err enum_probe(dbtls_probe_fn probe, void *ctx, struct dbtls_hello_params *p,
				 struct dbtls_hello_result *r, struct dbtls_enum_stats *st,
				 struct dbtls_diag *d)
{
	st->probes++;
	return probe(ctx, p, r, d);
}

/* The removal loop over rest[0..*nrest): picks go to found[*nfound…] until the server refuses or
 * picks something not offered. r is the answer to a hello that offered rest (already sent). */
static enum dbtls_err enum_loop(dbtls_probe_fn probe, void *ctx, struct dbtls_hello_params *p,
				enum dbtls_version v, struct dbtls_hello_result *r, uint32_t *rest,
				size_t *nrest, uint32_t *found, size_t *nfound, size_t max_picks,
				struct dbtls_enum_stats *st, struct dbtls_diag *d)
{
	enum dbtls_err err;

	while (max_picks-- && dbtls_enum_classify(v, r) == DBTLS_VS_ACCEPTED &&
	       enum_contains(rest, *nrest, r->cipher)) {
		found[(*nfound)++] = r->cipher;
		enum_note_dh(r, st);
		*nrest = enum_remove(rest, *nrest, r->cipher);
		if (!*nrest || !max_picks)
			return DBTLS_OK;
		p->suites = rest;
		p->nsuites = *nrest;
		err = enum_probe(probe, ctx, p, r, st, d);
		if (err)
			return err;
	}
	return DBTLS_OK;
}

/* One part of a parallel enumeration: its own candidates, results, stats and error. */
struct enum_chunk {
	dbtls_probe_fn probe;
	void *ctx;
	enum dbtls_version v;
	const char *sni;
	uint32_t *rest;
	size_t nrest;
	uint32_t *found;
	size_t nfound;
	struct dbtls_enum_stats st;
	enum dbtls_err err;
	struct dbtls_diag d;
};

static void enum_chunk_run(void *arg, size_t i)
{
	struct enum_chunk *c = &((struct enum_chunk *)arg)[i];
	struct dbtls_hello_params p = {.version = c->v,
				       .sni = c->sni,
				       .want_kex = c->v != DBTLS_TLS13,
				       .suites = c->rest,
				       .nsuites = c->nrest};
	struct dbtls_hello_result r;

	if (!c->nrest)
		return;
	c->err = enum_probe(c->probe, c->ctx, &p, &r, &c->st, &c->d);
	if (!c->err)
		c->err = enum_loop(c->probe, c->ctx, &p, c->v, &r, c->rest, &c->nrest, c->found,
				   &c->nfound, SIZE_MAX, &c->st, &c->d);
}

static size_t enum_index(const uint32_t *cands, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (cands[i] == x)
			return i;
	return n;
}

/* Sorts a[0..n) by position among cands: an insertion sort, at most a few hundred entries. */
static void enum_sort(uint32_t *a, size_t n, const uint32_t *cands, size_t ncands)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t x = a[i];
		size_t xi = enum_index(cands, ncands, x), j = i;
		while (j > 0 && enum_index(cands, ncands, a[j - 1]) > xi) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/* The rest of a client-order enumeration in k parts side by side. The server picks the first suite
 * of ours it has, so picks come in our order: merging the parts by candidate position gives the
 * very list a sequential enumeration would. */
static enum dbtls_err enum_parallel(dbtls_probe_fn probe, void *ctx, enum dbtls_version v,
				    const struct dbtls_enum_opts *eo, const uint32_t *cands,
				    size_t ncands, const uint32_t *rest, size_t nrest,
				    struct dbtls_version_facts *out, struct dbtls_enum_stats *st,
				    struct dbtls_diag *d)
{
	size_t k = eo->chunks < nrest ? eo->chunks : nrest, nall = 0, stride = nrest / k + 1;
	struct enum_chunk *c = calloc(k, sizeof(*c));
	/* k candidate areas, then k result areas, each `stride` long */
	uint32_t *buf = malloc(2 * k * stride * sizeof(*buf));
	enum dbtls_err err = DBTLS_OK;
	uint32_t *all;

	if (!c || !buf) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	/* interleaved parts: the accepted suites of a registry cluster (say, all ECDHE-GCM)
	 * spread over every part instead of landing in one */
	for (size_t i = 0; i < k; i++) {
		c[i] = (struct enum_chunk){.probe = probe, .ctx = ctx, .v = v, .sni = eo->sni};
		c[i].rest = buf + i * stride;
		c[i].found = buf + (k + i) * stride;
	}
	for (size_t j = 0; j < nrest; j++)
		c[j % k].rest[c[j % k].nrest++] = rest[j];
	eo->run_parallel(ctx, k, enum_chunk_run, c);
	all = buf; /* the candidate areas are spent and come before every result area */
	for (size_t i = 0; i < k; i++) {
		for (size_t j = 0; j < c[i].nfound; j++)
			all[nall++] = c[i].found[j];
		enum_note_dh(&(struct dbtls_hello_result){.dh_bits = c[i].st.dh_bits_min}, st);
		st->probes += c[i].st.probes;
		if (c[i].err && !err) {
			err = c[i].err;
			*d = c[i].d;
		}
	}
	enum_sort(all, nall, cands, ncands);
	for (size_t i = 0; i < nall; i++)
		out->suites[out->nsuites++] = all[i];
out:
	free(buf);
	free(c);
	return err;
}

enum dbtls_err dbtls_enum_suites(dbtls_probe_fn probe, void *ctx, enum dbtls_version v,
				 const struct dbtls_enum_opts *eo, const uint32_t *cands,
				 size_t ncands, const struct dbtls_hello_result *first,
				 struct dbtls_version_facts *out, struct dbtls_enum_stats *st,
				 struct dbtls_diag *d)
{
	struct dbtls_hello_params p = {.version = v, .sni = eo->sni, .want_kex = v != DBTLS_TLS13};
	struct dbtls_hello_result r;
	enum dbtls_err err = DBTLS_OK;
	uint32_t *rest = NULL, *rev = NULL;
	size_t nrest;
	char desc[512];

	out->server_order = -1;
	if (first) {
		r = *first;
	} else {
		p.suites = cands;
		p.nsuites = ncands;
		err = enum_probe(probe, ctx, &p, &r, st, d);
		if (err) {
			out->status = DBTLS_VS_ERROR;
			out->reason = dbtls_strdup(d->msg[0] ? d->msg : dbtls_strerror(err));
			if (eo->decided)
				eo->decided(ctx, v, out->status);
			return err;
		}
	}
	dbtls_hello_describe(&r, desc, sizeof(desc));
	free(out->reason);
	out->reason = dbtls_strdup(desc);
	out->status = dbtls_enum_classify(v, &r);
	if (eo->decided)
		eo->decided(ctx, v, out->status);
	if (out->status != DBTLS_VS_ACCEPTED)
		return out->status == DBTLS_VS_ERROR ? DBTLS_ERR_PROTOCOL : DBTLS_OK;

	if (v == DBTLS_SSL2) {
		/* an SSLv2 SERVER-HELLO lists every cipher kind the server has at once */
		out->suites = calloc(r.nssl2_ciphers ? r.nssl2_ciphers : 1, sizeof(*out->suites));
		if (!out->suites)
			return DBTLS_ERR_NOMEM;
		for (size_t i = 0; i < r.nssl2_ciphers; i++)
			if (enum_contains(cands, ncands, r.ssl2_ciphers[i]))
				out->suites[out->nsuites++] = r.ssl2_ciphers[i];
		return DBTLS_OK;
	}
	rest = malloc((ncands ? ncands : 1) * sizeof(*rest));
	out->suites = calloc(ncands ? ncands : 1, sizeof(*out->suites));
	if (!rest || !out->suites) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	memcpy(rest, cands, ncands * sizeof(*rest));
	nrest = ncands;
	out->cipher = (uint16_t)r.cipher;
	/* the first two picks, then the preference check, then the rest */
	err = enum_loop(probe, ctx, &p, v, &r, rest, &nrest, out->suites, &out->nsuites, 2, st, d);
	if (err || out->nsuites < 2)
		goto out;
	/* Offer every candidate in reverse order: a server with its own order picks its first
	 * pick again; one that follows the client's picks the last suite of ours it has, which
	 * (with three or more suites) is one more found, so for the common client-order server
	 * the preference check costs nothing. With two suites that last one is the second pick. */
	rev = malloc((ncands ? ncands : 1) * sizeof(*rev));
	if (!rev) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < ncands; i++)
		rev[i] = cands[ncands - 1 - i];
	p.suites = rev;
	p.nsuites = ncands;
	err = enum_probe(probe, ctx, &p, &r, st, d);
	if (err)
		goto out;
	if (dbtls_enum_classify(v, &r) == DBTLS_VS_ACCEPTED &&
	    enum_contains(cands, ncands, r.cipher)) {
		out->server_order = r.cipher == out->suites[0] ? 1 : 0;
		if (enum_contains(rest, nrest, r.cipher)) {
			out->suites[out->nsuites++] = r.cipher;
			enum_note_dh(&r, st);
			nrest = enum_remove(rest, nrest, r.cipher);
		}
	}
	if (!nrest)
		goto out;
	if (out->server_order == 0 && eo->run_parallel && eo->chunks > 1) {
		err = enum_parallel(probe, ctx, v, eo, cands, ncands, rest, nrest, out, st, d);
		goto out;
	}
	p.suites = rest;
	p.nsuites = nrest;
	err = enum_probe(probe, ctx, &p, &r, st, d);
	if (!err)
		err = enum_loop(probe, ctx, &p, v, &r, rest, &nrest, out->suites, &out->nsuites,
				SIZE_MAX, st, d);
out:
	/* the client's order: picks came partly out of it (the reverse probe, the parallel
	 * parts); the list is the candidates' order, as a sequential enumeration finds it */
	if (out->server_order == 0)
		enum_sort(out->suites, out->nsuites, cands, ncands);
	free(rev);
	free(rest);
	return err;
}

/* The group candidates (at most 64) into out: every group of that protocol generation we know,
 * and for TLS 1.3 the post-quantum ones too (no key share needed: the HRR names them). */
static size_t enum_group_cands(bool tls13, uint16_t *out)
{
	static const uint16_t pq[] = {DBTLS_GROUP_X25519MLKEM768,     DBTLS_GROUP_SECP256R1MLKEM768,
				      DBTLS_GROUP_SECP384R1MLKEM1024, DBTLS_GROUP_MLKEM512,
				      DBTLS_GROUP_MLKEM768,	      DBTLS_GROUP_MLKEM1024};
	size_t n = 0;

	for (uint32_t g = 1; g <= 0x0104 && n < 64; g++) {
		bool ffdhe = g >= 0x0100, tls13only = g >= 0x001f && g <= 0x0021;
		if (!dbtls_group_name((uint16_t)g))
			continue;
		if (tls13 ? (g < 0x0017 || (g >= 0x001a && g <= 0x001c)) : (ffdhe || tls13only))
			continue;
		out[n++] = (uint16_t)g;
	}
	for (size_t i = 0; tls13 && i < sizeof(pq) / sizeof(pq[0]); i++)
		if (n < 64)
			out[n++] = pq[i];
	return n;
}

static bool enum_hrr13(const struct dbtls_hello_result *r)
{
	return r->kind == DBTLS_HELLO_HRR && r->version == 0x0304;
}

static bool enum_contains16(const uint16_t *a, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == x)
			return true;
	return false;
}

/* Removes g from a[0..*n); false when it was not there. */
static bool enum_take16(uint16_t *a, size_t *n, uint16_t g)
{
	size_t o = 0;

	for (size_t i = 0; i < *n; i++)
		if (a[i] != g)
			a[o++] = a[i];
	if (o == *n)
		return false;
	*n = o;
	return true;
}

enum dbtls_err dbtls_enum_tls13(dbtls_probe_fn probe, void *ctx, const struct dbtls_enum_opts *eo,
				const uint32_t *cands, size_t ncands,
				struct dbtls_version_facts *out, uint16_t *groups, size_t cap,
				size_t *ngroups, struct dbtls_enum_stats *st, struct dbtls_diag *d)
{
	enum { S_LOOP1, S_REV, S_LOOP2, S_DONE } phase = S_LOOP1;
	struct dbtls_hello_params p = {
	    .version = DBTLS_TLS13, .sni = eo->sni, .no_key_shares = true};
	struct dbtls_hello_result r;
	enum dbtls_err err = DBTLS_OK;
	uint16_t all[64], rest_g[64];
	size_t nall = enum_group_cands(true, all), nrest_g = nall, nrest = ncands;
	uint32_t *rest = NULL, *rev = NULL;
	bool groups_done = false, gnew = true;
	char desc[512];

	*ngroups = 0;
	out->server_order = -1;
	memcpy(rest_g, all, nall * sizeof(*all));
	p.suites = cands;
	p.nsuites = ncands;
	p.groups = all;
	p.ngroups = nall;
	err = enum_probe(probe, ctx, &p, &r, st, d);
	if (err) {
		out->status = DBTLS_VS_ERROR;
		out->reason = dbtls_strdup(d->msg[0] ? d->msg : dbtls_strerror(err));
		if (eo->decided)
			eo->decided(ctx, DBTLS_TLS13, out->status);
		return err;
	}
	if (!enum_hrr13(&r)) /* no HelloRetryRequest: the usual way, with a key share */
		return dbtls_enum_suites(probe, ctx, DBTLS_TLS13, eo, cands, ncands, NULL, out, st,
					 d);
	dbtls_hello_describe(&r, desc, sizeof(desc));
	free(out->reason);
	out->reason = dbtls_strdup(desc);
	out->status = DBTLS_VS_ACCEPTED;
	out->cipher = (uint16_t)r.cipher;
	if (eo->decided)
		eo->decided(ctx, DBTLS_TLS13, out->status);
	rest = malloc((ncands ? ncands : 1) * sizeof(*rest));
	rev = malloc((ncands ? ncands : 1) * sizeof(*rev));
	out->suites = calloc(ncands ? ncands : 1, sizeof(*out->suites));
	if (!rest || !rev || !out->suites) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	memcpy(rest, cands, ncands * sizeof(*rest));
	for (size_t i = 0; i < ncands; i++)
		rev[i] = cands[ncands - 1 - i];
	/*
	 * Each HelloRetryRequest names a suite and a group at once, so one hello offering the
	 * suites not found yet and the groups not found yet moves both removal loops (the same
	 * sequence of picks as dbtls_enum_suites and dbtls_enum_groups, one connection for two).
	 * A refusal then is ambiguous (no suite left, or no group left): every suite with the
	 * groups not found yet tells which (a group pick there: the suites ran out, since a TLS
	 * 1.3 server picks its suite and its group apart), and only when the groups ran out do
	 * the same suites with every group follow. Every round finds something or ends a loop.
	 */
	for (;;) {
		bool hrr = enum_hrr13(&r), every;

		/* the suites' removal loop: two picks, the reverse-order check, the rest */
		if (phase != S_DONE && (!hrr || !enum_contains(cands, ncands, r.cipher))) {
			phase = phase == S_REV ? S_LOOP2 : S_DONE;
		} else if (phase == S_REV) {
			out->server_order = r.cipher == out->suites[0] ? 1 : 0;
			if (enum_contains(rest, nrest, r.cipher)) {
				out->suites[out->nsuites++] = r.cipher;
				nrest = enum_remove(rest, nrest, r.cipher);
			}
			phase = S_LOOP2;
		} else if (phase != S_DONE) {
			if (enum_contains(rest, nrest, r.cipher)) {
				out->suites[out->nsuites++] = r.cipher;
				nrest = enum_remove(rest, nrest, r.cipher);
				if (phase == S_LOOP1 && out->nsuites == 2)
					phase = S_REV;
			} else {
				phase = S_DONE; /* a pick not offered: stop rather than loop */
			}
		}
		if (phase != S_REV && !nrest)
			phase = S_DONE;
		/* the groups' removal loop, when this answer is to the groups not found yet */
		if (!groups_done && gnew) {
			if (!hrr || *ngroups >= cap || !enum_take16(rest_g, &nrest_g, r.group))
				groups_done = true; /* refused, or a group not offered: stop */
			else
				groups[(*ngroups)++] = r.group;
			if (!nrest_g)
				groups_done = true;
		}
		if (phase == S_DONE && groups_done)
			break;
		every = phase == S_REV || phase == S_DONE;
		p.suites = phase == S_REV ? rev : phase == S_DONE ? cands : rest;
		p.nsuites = every ? ncands : nrest;
		p.groups = groups_done ? all : rest_g;
		p.ngroups = groups_done ? nall : nrest_g;
		err = enum_probe(probe, ctx, &p, &r, st, d);
		if (err)
			goto out;
		gnew = !groups_done;
		if (!enum_hrr13(&r) && phase != S_DONE && !groups_done) {
			/* No suite left, or no group left. Every suite with the groups not found
			 * yet tells which, and when it was the suites (the groups' loop goes on, as
			 * it mostly does: there are more groups than suites) that answer is the
			 * groups' next round too. Not after the reverse-order hello, which offered
			 * every suite already. */
			const uint32_t *refused = p.suites;
			size_t nrefused = p.nsuites;

			if (phase != S_REV) {
				p.suites = cands;
				p.nsuites = ncands;
				err = enum_probe(probe, ctx, &p, &r, st, d);
				if (err)
					goto out;
				if (enum_hrr13(&r) && enum_contains16(rest_g, nrest_g, r.group)) {
					phase = S_DONE; /* the suites ran out; r is a group pick */
					continue;
				}
				groups_done = true; /* the groups ran out (or a pick not offered) */
			}
			/* the same suites with every group tell about the suites */
			p.suites = refused;
			p.nsuites = nrefused;
			p.groups = all;
			p.ngroups = nall;
			err = enum_probe(probe, ctx, &p, &r, st, d);
			if (err)
				goto out;
			if (enum_hrr13(&r))
				groups_done = true; /* it was the groups that ran out */
			gnew = false;		    /* this answer's group is no new pick */
		}
	}
out:
	if (out->server_order == 0)
		enum_sort(out->suites, out->nsuites, cands, ncands);
	free(rev);
	free(rest);
	return err;
}

enum dbtls_err dbtls_enum_groups(dbtls_probe_fn probe, void *ctx, bool tls13, enum dbtls_version v,
				 const char *sni, const uint32_t *cands, size_t ncands,
				 uint16_t *out, size_t cap, size_t *n, struct dbtls_enum_stats *st,
				 struct dbtls_diag *d)
{
	struct dbtls_hello_params p = {.version = tls13 ? DBTLS_TLS13 : v, .sni = sni};
	struct dbtls_hello_result r;
	enum dbtls_err err = DBTLS_OK;
	uint16_t groups[64];
	uint32_t *suites = NULL;
	size_t ngroups = enum_group_cands(tls13, groups), nsuites = 0;

	*n = 0;
	suites = malloc((ncands ? ncands : 1) * sizeof(*suites));
	if (!suites)
		return DBTLS_ERR_NOMEM;
	for (size_t i = 0; i < ncands; i++) {
		const struct dbtls_suite *s =
		    cands[i] <= 0xffff ? dbtls_suite_by_code((uint16_t)cands[i]) : NULL;
		if (s && (tls13 ? (s->flags & DBTLS_SF_TLS13) != 0 : strstr(s->kx, "ECDH") != NULL))
			suites[nsuites++] = cands[i];
	}
	if (!nsuites)
		goto out;
	p.suites = suites;
	p.nsuites = nsuites;
	p.no_key_shares = tls13;
	p.want_kex = !tls13;
	while (ngroups && *n < cap) {
		uint16_t g;
		size_t o = 0;

		p.groups = groups;
		p.ngroups = ngroups;
		err = enum_probe(probe, ctx, &p, &r, st, d);
		if (err)
			break;
		if (tls13 ? r.kind != DBTLS_HELLO_HRR || r.version != 0x0304
			  : dbtls_enum_classify(v, &r) != DBTLS_VS_ACCEPTED)
			break;
		g = r.group;
		for (size_t i = 0; i < ngroups; i++)
			if (groups[i] != g)
				groups[o++] = groups[i];
		if (o == ngroups) /* not one we offered: stop rather than loop */
			break;
		ngroups = o;
		out[(*n)++] = g;
	}
out:
	free(suites);
	return err;
}
