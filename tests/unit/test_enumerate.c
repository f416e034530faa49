/* SPDX-License-Identifier: MIT */
/*
 * test_enumerate.c — the enumeration loops against a scripted server: a model of what a server
 * accepts (suites per version, its own order or the client's, key-exchange groups) turns each
 * hello into the bytes such a server would send, and those bytes go through the real probe path
 * (dbtls_hello_probe over the replay seam). Checks the suites found, their order, the preference
 * verdict, and the number of handshakes spent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "src/scan/enumerate.h"
#include "src/registry/suites.h"

struct model {
	enum dbtls_version max; /* highest version the server speaks */
	const uint32_t *suites; /* accepted suites, in the server's preference order */
	size_t nsuites;
	bool server_order;
	const uint16_t *groups; /* accepted groups, server preference */
	size_t ngroups;
	uint32_t liar;	     /* when set, always pick this suite, offered or not */
	unsigned fail_after; /* when set, probes after this many fail with TIMEOUT */
	unsigned probes;
	struct dbtls_buf answer;
};

static bool offered(const uint32_t *a, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == x)
			return true;
	return false;
}

static void sh(struct dbtls_buf *b, uint16_t version, uint16_t cipher, bool hrr, uint16_t group,
	       bool tls13)
{
	static const uint8_t hrr_random[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
					       0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
					       0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
					       0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
	uint8_t rnd[32];
	memset(rnd, 7, sizeof(rnd));
	dbtls_buf_u8(b, 22);
	dbtls_buf_u16(b, 0x0303);
	size_t rl = dbtls_buf_len_begin(b, 2);
	dbtls_buf_u8(b, 2);
	size_t hl = dbtls_buf_len_begin(b, 3);
	dbtls_buf_u16(b, tls13 ? 0x0303 : version);
	dbtls_buf_bytes(b, hrr ? hrr_random : rnd, 32);
	dbtls_buf_u8(b, 0);
	dbtls_buf_u16(b, cipher);
	dbtls_buf_u8(b, 0);
	if (tls13) {
		size_t el = dbtls_buf_len_begin(b, 2);
		dbtls_buf_u16(b, 0x002b);
		dbtls_buf_u16(b, 2);
		dbtls_buf_u16(b, 0x0304);
		dbtls_buf_u16(b, 0x0033);
		if (hrr) {
			dbtls_buf_u16(b, 2);
			dbtls_buf_u16(b, group);
		} else {
			dbtls_buf_u16(b, 4 + 32);
			dbtls_buf_u16(b, group);
			dbtls_buf_u16(b, 32);
			dbtls_buf_zeros(b, 32);
		}
		dbtls_buf_len_end(b, el, 2);
	}
	dbtls_buf_len_end(b, hl, 3);
	dbtls_buf_len_end(b, rl, 2);
	if (!tls13 && group) { /* an ECDHE ServerKeyExchange naming the curve, then done */
		dbtls_buf_bytes(b, "\x16\x03\x03\x00\x08\x0c\x00\x00\x04\x03", 10);
		dbtls_buf_u16(b, group);
		dbtls_buf_u8(b, 0);
	}
}

static void alert(struct dbtls_buf *b, uint8_t desc)
{
	dbtls_buf_bytes(b, "\x15\x03\x03\x00\x02\x02", 6);
	dbtls_buf_u8(b, desc);
}

/* What the modelled server answers to hello p. */
static void model_answer(struct model *m, const struct dbtls_hello_params *p, struct dbtls_buf *b)
{
	uint32_t pick = 0;
	uint16_t group = 0;
	bool tls13 = p->version == DBTLS_TLS13;

	if (p->version > m->max) {
		alert(b, 70);
		return;
	}
	if (m->liar) {
		sh(b, dbtls_version_code(p->version), (uint16_t)m->liar, false, 0, tls13);
		return;
	}
	if (m->server_order) {
		for (size_t i = 0; i < m->nsuites && !pick; i++)
			if (offered(p->suites, p->nsuites, m->suites[i]))
				pick = m->suites[i];
	} else {
		for (size_t i = 0; i < p->nsuites && !pick; i++)
			if (offered(m->suites, m->nsuites, p->suites[i]))
				pick = p->suites[i];
	}
	const struct dbtls_suite *s = pick ? dbtls_suite_by_code((uint16_t)pick) : NULL;
	if (tls13 || (s && strstr(s->kx, "ECDH"))) {
		for (size_t i = 0; i < m->ngroups && !group; i++)
			for (size_t j = 0; p->groups && j < p->ngroups; j++)
				if (p->groups[j] == m->groups[i])
					group = m->groups[i];
		if (!p->groups && m->ngroups)
			group = m->groups[0];
		if (!group) {
			alert(b, 40);
			return;
		}
	}
	if (!pick) {
		alert(b, 40);
		return;
	}
	sh(b, dbtls_version_code(p->version), (uint16_t)pick, tls13 && p->no_key_shares, group,
	   tls13);
}

static enum dbtls_err model_probe(void *ctx, const struct dbtls_hello_params *p,
				  struct dbtls_hello_result *r, struct dbtls_diag *d)
{
	struct model *m = ctx;
	struct dbtls_conn c;
	enum dbtls_err err;

	m->probes++;
	if (m->fail_after && m->probes > m->fail_after)
		return dbtls_diag_set(d, DBTLS_ERR_TIMEOUT, "scripted timeout");
	dbtls_buf_reset(&m->answer);
	model_answer(m, p, &m->answer);
	dbtls_conn_init_replay(&c, m->answer.data, m->answer.len);
	err = dbtls_hello_probe(&c, &dbtls_preamble_tls, p, r, d);
	dbtls_conn_close(&c);
	return err;
}

static void seq_runner(void *ctx, size_t n, dbtls_par_fn fn, void *arg)
{
	(void)ctx;
	for (size_t i = n; i-- > 0;) /* backwards: the merge must not depend on finishing order */
		fn(arg, i);
}

static size_t cands_for(enum dbtls_version v, uint32_t *out)
{
	return dbtls_suites_for_version(v, out, 1024);
}

static const uint32_t pref[] = {0xc030, 0xc02f, 0x009f, 0xcca8, 0x0035, 0x002f, 0xc013};
static const uint16_t grp[] = {0x0017, 0x001d, 0x0018};

static void test_server_order(void **state)
{
	struct model m = {.max = DBTLS_TLS12,
			  .suites = pref,
			  .nsuites = 7,
			  .server_order = true,
			  .groups = grp,
			  .ngroups = 3};
	struct dbtls_enum_opts eo = {.run_parallel = seq_runner, .chunks = 4};
	struct dbtls_version_facts vf = {0};
	struct dbtls_enum_stats st = {0};
	struct dbtls_diag d = {0};
	uint32_t cands[1024];
	size_t n = cands_for(DBTLS_TLS12, cands);
	(void)state;

	dbtls_buf_init(&m.answer);
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS12, &eo, cands, n, NULL, &vf, &st, &d),
	    DBTLS_OK);
	assert_int_equal(vf.status, DBTLS_VS_ACCEPTED);
	assert_int_equal(vf.nsuites, 7);
	for (size_t i = 0; i < 7; i++) /* the server's own order, exactly */
		assert_int_equal(vf.suites[i], pref[i]);
	assert_int_equal(vf.server_order, 1);
	/* N picks + 1 refusal + 1 preference check; a server with its own order is never split */
	assert_int_equal(m.probes, 7 + 1 + 1);
	assert_int_equal(st.probes, m.probes);
	free(vf.suites);
	free(vf.reason);
	dbtls_buf_free(&m.answer);
}

static void test_client_order_split(void **state)
{
	struct model m = {.max = DBTLS_TLS13,
			  .suites = pref,
			  .nsuites = 7,
			  .server_order = false,
			  .groups = grp,
			  .ngroups = 3};
	struct dbtls_enum_opts eo = {.run_parallel = seq_runner, .chunks = 3};
	struct dbtls_version_facts vf = {0}, vf_seq = {0};
	struct dbtls_enum_stats st = {0};
	struct dbtls_diag d = {0};
	uint32_t cands[1024];
	size_t n = cands_for(DBTLS_TLS12, cands);
	(void)state;

	dbtls_buf_init(&m.answer);
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS12, &eo, cands, n, NULL, &vf, &st, &d),
	    DBTLS_OK);
	assert_int_equal(vf.server_order, 0);
	assert_int_equal(vf.nsuites, 7);
	/* split into 3 parts: N picks + 3 refusals; the preference check (every candidate in
	 * reverse order) costs nothing here: a client-order server answers it with one more pick */
	assert_int_equal(m.probes, 7 + 3);
	/* the same list, in the same (registry) order, as without the split */
	m.probes = 0;
	eo.chunks = 1;
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS12, &eo, cands, n, NULL, &vf_seq, &st, &d),
	    DBTLS_OK);
	assert_int_equal(m.probes, 7 + 1);
	assert_int_equal(vf_seq.nsuites, 7);
	assert_memory_equal(vf.suites, vf_seq.suites, 7 * sizeof(uint32_t));
	for (size_t i = 1; i < 7; i++) { /* registry order = code order here */
		size_t a = 0, b = 0;
		while (cands[a] != vf.suites[i - 1])
			a++;
		while (cands[b] != vf.suites[i])
			b++;
		assert_true(a < b);
	}
	free(vf.suites);
	free(vf.reason);
	free(vf_seq.suites);
	free(vf_seq.reason);
	dbtls_buf_free(&m.answer);
}

static void test_rejected_and_reused_first(void **state)
{
	struct model m = {.max = DBTLS_TLS11, .suites = pref, .nsuites = 7, .server_order = true};
	struct dbtls_enum_opts eo = {0};
	struct dbtls_version_facts vf = {0};
	struct dbtls_enum_stats st = {0};
	struct dbtls_hello_result first;
	struct dbtls_diag d = {0};
	uint32_t cands[1024];
	size_t n = cands_for(DBTLS_TLS12, cands);
	(void)state;

	dbtls_buf_init(&m.answer);
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS12, &eo, cands, n, NULL, &vf, &st, &d),
	    DBTLS_OK);
	assert_int_equal(vf.status, DBTLS_VS_REJECTED);
	assert_string_equal(vf.reason, "alert protocol_version (70)");
	assert_int_equal(m.probes, 1);
	free(vf.reason);
	memset(&vf, 0, sizeof(vf));

	/* an answer already in hand is not asked for again; a single suite needs no order check */
	static const uint32_t one[] = {0x002f};
	m = (struct model){.max = DBTLS_TLS12,
			   .suites = one,
			   .nsuites = 1,
			   .server_order = true,
			   .answer = m.answer};
	struct dbtls_hello_params p = {.version = DBTLS_TLS12, .suites = cands, .nsuites = n};
	assert_int_equal(model_probe(&m, &p, &first, &d), DBTLS_OK);
	m.probes = 0;
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS12, &eo, cands, n, &first, &vf, &st, &d),
	    DBTLS_OK);
	assert_int_equal(vf.nsuites, 1);
	assert_int_equal(vf.server_order, -1);
	assert_int_equal(m.probes, 1); /* the refusal only */
	free(vf.suites);
	free(vf.reason);
	dbtls_buf_free(&m.answer);
}

static void test_liar_and_timeout(void **state)
{
	struct model m = {.max = DBTLS_TLS12, .liar = 0xffee};
	struct dbtls_enum_opts eo = {0};
	struct dbtls_version_facts vf = {0};
	struct dbtls_enum_stats st = {0};
	struct dbtls_diag d = {0};
	uint32_t cands[1024];
	size_t n = cands_for(DBTLS_TLS12, cands);
	(void)state;

	/* picks a suite nobody offered: counted as accepted (it is a TLS 1.2 ServerHello), but the
	 * loop stops at once instead of spinning */
	dbtls_buf_init(&m.answer);
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS12, &eo, cands, n, NULL, &vf, &st, &d),
	    DBTLS_OK);
	assert_int_equal(vf.nsuites, 0);
	assert_int_equal(m.probes, 1);
	free(vf.suites);
	free(vf.reason);
	memset(&vf, 0, sizeof(vf));

	/* the server goes silent half-way: the error comes back, the suites found so far stay */
	m = (struct model){.max = DBTLS_TLS12,
			   .suites = pref,
			   .nsuites = 7,
			   .server_order = true,
			   .groups = grp,
			   .ngroups = 3,
			   .fail_after = 4,
			   .answer = m.answer};
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS12, &eo, cands, n, NULL, &vf, &st, &d),
	    DBTLS_ERR_TIMEOUT);
	assert_int_equal(vf.status, DBTLS_VS_ACCEPTED);
	assert_int_equal(vf.nsuites, 3);
	assert_string_equal(d.msg, "scripted timeout");
	free(vf.suites);
	free(vf.reason);
	dbtls_buf_free(&m.answer);
}

static void test_tls13_suites_and_groups(void **state)
{
	static const uint32_t s13[] = {0x1302, 0x1301};
	struct model m = {.max = DBTLS_TLS13,
			  .suites = s13,
			  .nsuites = 2,
			  .server_order = true,
			  .groups = grp,
			  .ngroups = 3};
	struct dbtls_enum_opts eo = {0};
	struct dbtls_version_facts vf = {0};
	struct dbtls_enum_stats st = {0};
	struct dbtls_diag d = {0};
	uint32_t cands[1024];
	uint16_t g[16];
	size_t n = cands_for(DBTLS_TLS13, cands), ng;
	(void)state;

	dbtls_buf_init(&m.answer);
	assert_int_equal(
	    dbtls_enum_suites(model_probe, &m, DBTLS_TLS13, &eo, cands, n, NULL, &vf, &st, &d),
	    DBTLS_OK);
	assert_int_equal(vf.nsuites, 2);
	assert_int_equal(vf.suites[0], 0x1302);
	assert_int_equal(vf.server_order, 1);
	free(vf.suites);
	free(vf.reason);

	/* groups via HelloRetryRequest: 3 groups cost 3 + 1 handshakes */
	m.probes = 0;
	assert_int_equal(dbtls_enum_groups(model_probe, &m, true, DBTLS_TLS13, NULL, cands, n, g,
					   16, &ng, &st, &d),
			 DBTLS_OK);
	assert_int_equal(ng, 3);
	assert_memory_equal(g, grp, sizeof(grp));
	assert_int_equal(m.probes, 4);

	/* a TLS 1.2 server: groups from the ECDHE ServerKeyExchange */
	uint32_t c12[1024];
	size_t n12 = cands_for(DBTLS_TLS12, c12);
	m = (struct model){.max = DBTLS_TLS12,
			   .suites = pref,
			   .nsuites = 7,
			   .server_order = true,
			   .groups = grp,
			   .ngroups = 3,
			   .answer = m.answer};
	assert_int_equal(dbtls_enum_groups(model_probe, &m, true, DBTLS_TLS13, NULL, cands, n, g,
					   16, &ng, &st, &d),
			 DBTLS_OK);
	assert_int_equal(ng, 0);
	assert_int_equal(dbtls_enum_groups(model_probe, &m, false, DBTLS_TLS12, NULL, c12, n12, g,
					   16, &ng, &st, &d),
			 DBTLS_OK);
	assert_int_equal(ng, 3);
	assert_int_equal(g[0], 0x0017);
	dbtls_buf_free(&m.answer);
}

/* dbtls_enum_tls13 finds what dbtls_enum_suites and dbtls_enum_groups find separately, in
 * fewer handshakes: for more suites than groups, more groups than suites, either order. */
static void test_tls13_merged(void **state)
{
	static const uint32_t s3[] = {0x1302, 0x1303, 0x1301}, s1[] = {0x1301};
	static const uint16_t g5[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100}, g1[] = {0x0017};
	static const struct {
		const uint32_t *s;
		size_t ns;
		const uint16_t *g;
		size_t ng;
		bool server_order;
	} rows[] = {
	    {s3, 3, g5, 5, false}, {s3, 3, g5, 5, true}, {s3, 3, g1, 1, false},
	    {s1, 1, g5, 5, false}, {s1, 1, g1, 1, true}, {s3, 2, g5, 2, false},
	};
	uint32_t cands[1024];
	size_t n = cands_for(DBTLS_TLS13, cands);
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct model m = {.max = DBTLS_TLS13,
				  .suites = rows[i].s,
				  .nsuites = rows[i].ns,
				  .server_order = rows[i].server_order,
				  .groups = rows[i].g,
				  .ngroups = rows[i].ng};
		struct dbtls_enum_opts eo = {0};
		struct dbtls_version_facts sep = {0}, mer = {0};
		struct dbtls_enum_stats st = {0};
		struct dbtls_diag d = {0};
		uint16_t gs[64], gm[64];
		size_t ngs, ngm;
		unsigned separate;

		dbtls_buf_init(&m.answer);
		assert_int_equal(dbtls_enum_suites(model_probe, &m, DBTLS_TLS13, &eo, cands, n,
						   NULL, &sep, &st, &d),
				 DBTLS_OK);
		assert_int_equal(dbtls_enum_groups(model_probe, &m, true, DBTLS_TLS13, NULL, cands,
						   n, gs, 64, &ngs, &st, &d),
				 DBTLS_OK);
		separate = m.probes;
		m.probes = 0;
		assert_int_equal(
		    dbtls_enum_tls13(model_probe, &m, &eo, cands, n, &mer, gm, 64, &ngm, &st, &d),
		    DBTLS_OK);
		assert_int_equal(mer.status, DBTLS_VS_ACCEPTED);
		assert_int_equal(mer.nsuites, sep.nsuites);
		assert_memory_equal(mer.suites, sep.suites, sep.nsuites * sizeof(uint32_t));
		assert_int_equal(mer.server_order, sep.server_order);
		assert_int_equal(mer.cipher, sep.cipher);
		assert_int_equal(ngm, ngs);
		assert_memory_equal(gm, gs, ngs * sizeof(uint16_t));
		/* never more handshakes than apart; fewer once both lists have 2 or more */
		assert_true(m.probes <= separate);
		if (rows[i].ns >= 2 && rows[i].ng >= 2)
			assert_true(m.probes < separate);
		/* 3 of the 5 suites and 5 groups, client's order: 3 rounds find 3 suites and 3
		 * groups, the 4th (the last 2 suites, the other groups) is refused, the 5th (every
		 * suite, the other groups) finds group 4 and so says it was the suites, the 6th
		 * finds group 5 and the 7th is refused: 7, where asking the suites again with every
		 * group made 8 */
		if (i == 0)
			assert_int_equal(m.probes, 7);
		free(sep.suites);
		free(sep.reason);
		free(mer.suites);
		free(mer.reason);
		dbtls_buf_free(&m.answer);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_server_order),
	    cmocka_unit_test(test_client_order_split),
	    cmocka_unit_test(test_rejected_and_reused_first),
	    cmocka_unit_test(test_liar_and_timeout),
	    cmocka_unit_test(test_tls13_suites_and_groups),
	    cmocka_unit_test(test_tls13_merged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
