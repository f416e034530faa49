/* SPDX-License-Identifier: MIT */
/*
 * test_xmpp_proto.c — the XMPP stream header we send, and the reader of what servers answer:
 * the greetings Prosody 0.12 and ejabberd 23.01 sent (tests/fixtures/xmpp/, captured by
 * tests/fixtures/capture.sh; STARTTLS required and optional, s2s, an unknown domain), each fed
 * whole and one byte at a time; then made-up streams for what those two never send: namespace
 * prefixes, double quotes and odd whitespace, entities, <failure/>, a caps node, and everything
 * that must be a protocol error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "src/wire/preamble/xmpp_proto.h"
#include "tests/unit/fixture.h"

static void test_header(void **state)
{
	struct dbtls_buf b;
	(void)state;

	dbtls_buf_init(&b);
	assert_int_equal(dbtls_xmpp_stream_header(&b, DBTLS_XMPP_C2S, "localhost", NULL), DBTLS_OK);
	dbtls_buf_u8(&b, 0);
	assert_string_equal((char *)b.data,
			    "<stream:stream xmlns='jabber:client' "
			    "xmlns:stream='http://etherx.jabber.org/streams' to='localhost' "
			    "version='1.0'>");
	dbtls_buf_reset(&b);
	assert_int_equal(dbtls_xmpp_stream_header(&b, DBTLS_XMPP_S2S, "x'y&z<\">", "scanner.test"),
			 DBTLS_OK);
	dbtls_buf_u8(&b, 0);
	assert_string_equal((char *)b.data,
			    "<stream:stream xmlns='jabber:server' "
			    "xmlns:stream='http://etherx.jabber.org/streams' "
			    "to='x&apos;y&amp;z&lt;&quot;&gt;' from='scanner.test' version='1.0'>");
	dbtls_buf_reset(&b);
	assert_int_equal(dbtls_xmpp_stream_header(&b, DBTLS_XMPP_C2S, "", NULL), DBTLS_ERR_INPUT);
	assert_int_equal(dbtls_xmpp_stream_header(&b, DBTLS_XMPP_C2S, NULL, NULL), DBTLS_ERR_INPUT);
	assert_int_equal(dbtls_xmpp_stream_header(&b, DBTLS_XMPP_C2S, "a\nb", NULL),
			 DBTLS_ERR_INPUT);
	assert_int_equal(dbtls_xmpp_stream_header(&b, DBTLS_XMPP_C2S, "ok", "\x01"),
			 DBTLS_ERR_INPUT);
	char *longname = malloc(1025);
	assert_non_null(longname);
	memset(longname, 'a', 1024);
	longname[1024] = 0;
	assert_int_equal(dbtls_xmpp_stream_header(&b, DBTLS_XMPP_C2S, longname, NULL),
			 DBTLS_ERR_INPUT);
	free(longname);
	assert_int_equal(b.len, 0); /* nothing appended on INPUT */
	dbtls_buf_free(&b);
}

/* Feeds s[0..n) in chunks of step bytes; returns the events in order (up to max) and sets *err
 * to the first error. */
static size_t feed_all(struct dbtls_xmpp_parser *x, const char *s, size_t n, size_t step,
		       enum dbtls_xmpp_event *evs, size_t max, enum dbtls_err *err)
{
	size_t pos = 0, nev = 0;

	*err = DBTLS_OK;
	while (pos < n) {
		size_t chunk = n - pos < step ? n - pos : step, used = 0;
		enum dbtls_xmpp_event ev;
		enum dbtls_err e =
		    dbtls_xmpp_feed(x, (const uint8_t *)s + pos, chunk, &used, &ev, NULL);

		if (e) {
			*err = e;
			return nev;
		}
		assert_true(used > 0 && used <= chunk);
		pos += used;
		if (ev != DBTLS_XMPP_EV_NONE && nev < max)
			evs[nev++] = ev;
		if (ev == DBTLS_XMPP_EV_NONE)
			assert_int_equal(used, chunk);
	}
	return nev;
}

struct want {
	const char *file;
	const char *ns;
	bool starttls, required;
	const char *mech; /* one mechanism that must be listed, or NULL for none at all */
};

static void check_fixture(const struct want *w, size_t step)
{
	struct dbtls_xmpp_parser x;
	enum dbtls_xmpp_event evs[4];
	enum dbtls_err err;
	size_t n, nev;
	char *s = (char *)fx_load(w->file, &n), *sep = strstr(s, "\n--\n");

	assert_non_null(sep); /* features, then the answer to <starttls/> */
	dbtls_xmpp_parser_init(&x);
	nev = feed_all(&x, s, (size_t)(sep - s), step, evs, 4, &err);
	assert_int_equal(err, DBTLS_OK);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0], DBTLS_XMPP_EV_FEATURES);
	assert_true(x.header_seen);
	assert_true(x.features_seen);
	assert_string_equal(x.ns, w->ns);
	assert_string_equal(x.from, "localhost");
	assert_string_equal(x.version, "1.0");
	assert_string_equal(x.lang, "en");
	assert_true(strlen(x.id) > 8);
	assert_int_equal(x.starttls, w->starttls);
	assert_int_equal(x.starttls_required, w->required);
	if (w->mech) {
		bool found = false;

		for (size_t i = 0; i < x.nmechanisms; i++)
			found |= strcmp(x.mechanisms[i], w->mech) == 0;
		assert_true(found);
	} else {
		assert_int_equal(x.nmechanisms, 0);
	}
	assert_null(dbtls_xmpp_software(&x)); /* neither server says (no caps in the features) */
	/* then <proceed/> */
	nev = feed_all(&x, sep + 4, strlen(sep + 4), step, evs, 4, &err);
	assert_int_equal(err, DBTLS_OK);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0], DBTLS_XMPP_EV_PROCEED);
	free(s);
}

static const struct want fixtures[] = {
    {"xmpp/prosody-required.xml", "jabber:client", true, true, NULL},
    {"xmpp/prosody-optional.xml", "jabber:client", true, false, "SCRAM-SHA-1"},
    {"xmpp/prosody-s2s.xml", "jabber:server", true, true, NULL},
    {"xmpp/ejabberd-required.xml", "jabber:client", true, true, NULL},
    {"xmpp/ejabberd-optional.xml", "jabber:client", true, false, "PLAIN"},
    {"xmpp/ejabberd-s2s.xml", "jabber:server", true, false, NULL},
};

static void test_fixtures_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		check_fixture(&fixtures[i], 1 << 20);
}

static void test_fixtures_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		check_fixture(&fixtures[i], 1);
		check_fixture(&fixtures[i], 7);
	}
}

static void test_host_unknown(void **state)
{
	static const char *const files[] = {"xmpp/prosody-host-unknown.xml",
					    "xmpp/ejabberd-host-unknown.xml"};
	(void)state;

	for (size_t step = 1; step <= 4096; step *= 4096) {
		for (size_t i = 0; i < 2; i++) {
			struct dbtls_xmpp_parser x;
			enum dbtls_xmpp_event evs[4];
			enum dbtls_err err;
			size_t n, nev;
			char *s = (char *)fx_load(files[i], &n), *sep = strstr(s, "\n--\n");

			assert_non_null(sep);
			dbtls_xmpp_parser_init(&x);
			/* ejabberd's </stream:stream> came in a later read, after the "--" */
			nev = feed_all(&x, s, (size_t)(sep - s), step, evs, 4, &err);
			assert_int_equal(err, DBTLS_OK);
			nev +=
			    feed_all(&x, sep + 4, strlen(sep + 4), step, evs + nev, 4 - nev, &err);
			assert_int_equal(err, DBTLS_OK);
			assert_int_equal(nev, 2);
			assert_int_equal(evs[0], DBTLS_XMPP_EV_STREAM_ERROR);
			assert_int_equal(evs[1], DBTLS_XMPP_EV_CLOSED);
			assert_string_equal(x.error_condition, "host-unknown");
			assert_string_equal(x.from, "nosuch.example");
			assert_false(x.features_seen);
			if (i == 0)
				assert_string_equal(x.error_text,
						    "This server does not serve nosuch.example");
			else
				assert_string_equal(x.error_text, "");
			free(s);
		}
	}
}

/* Feeds the whole string at once; returns the events, fails on an error. */
static size_t feed_str(struct dbtls_xmpp_parser *x, const char *s, enum dbtls_xmpp_event *evs)
{
	enum dbtls_err err;
	size_t nev = feed_all(x, s, strlen(s), 1 << 20, evs, 8, &err);

	assert_int_equal(err, DBTLS_OK);
	return nev;
}

static void test_prefixes_quotes_whitespace(void **state)
{
	static const char s[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<s:stream\n\txmlns:s = \"http://etherx.jabber.org/streams\" "
	    "xmlns=\"jabber:client\"\r\n"
	    "  from=\"a&amp;b&#x41;&#66;&bogus;\" version='1.0' >\n"
	    "  <s:features >\n"
	    "    <tls:starttls xmlns:tls='urn:ietf:params:xml:ns:xmpp-tls'>"
	    "<tls:required\n/></tls:starttls >\n"
	    "    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
	    "<mechanism> SCRAM-SHA-256 </mechanism><mechanism>A&amp;B</mechanism></mechanisms>"
	    "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://prosody.im' "
	    "ver='x'/>\n"
	    "  </s:features>";
	struct dbtls_xmpp_parser x;
	enum dbtls_xmpp_event evs[8];
	(void)state;

	dbtls_xmpp_parser_init(&x);
	assert_int_equal(feed_str(&x, s, evs), 1);
	assert_int_equal(evs[0], DBTLS_XMPP_EV_FEATURES);
	assert_string_equal(x.from, "a&bAB&bogus;");
	assert_true(x.starttls);
	assert_true(x.starttls_required);
	assert_int_equal(x.nmechanisms, 2);
	assert_string_equal(x.mechanisms[0], "SCRAM-SHA-256");
	assert_string_equal(x.mechanisms[1], "A&B");
	assert_string_equal(dbtls_xmpp_software(&x), "Prosody");
	/* the stream goes on: whitespace keepalives, then <failure/> in the TLS namespace */
	assert_int_equal(
	    feed_str(&x, " \n<failure xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"/>", evs), 1);
	assert_int_equal(evs[0], DBTLS_XMPP_EV_FAILURE);
	assert_int_equal(feed_str(&x, "</s:stream>", evs), 1);
	assert_int_equal(evs[0], DBTLS_XMPP_EV_CLOSED);
	assert_string_equal(dbtls_xmpp_event_name(DBTLS_XMPP_EV_CLOSED), "closed");
}

/* Look-alikes that are not STARTTLS: the wrong namespace, <required/> elsewhere. */
static void test_not_starttls(void **state)
{
	static const char s[] =
	    "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' "
	    "version='1.0'><stream:features><starttls xmlns='urn:example:other'><required/>"
	    "</starttls><required xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	    "<x><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></x></stream:features>"
	    "<proceed/>";
	struct dbtls_xmpp_parser x;
	enum dbtls_xmpp_event evs[8];
	(void)state;

	dbtls_xmpp_parser_init(&x);
	/* <proceed/> in jabber:client is not the TLS namespace's: no event */
	assert_int_equal(feed_str(&x, s, evs), 1);
	assert_int_equal(evs[0], DBTLS_XMPP_EV_FEATURES);
	assert_false(x.starttls);
	assert_false(x.starttls_required);
	assert_null(dbtls_xmpp_software(&x));
}

static void test_empty_features_and_old_server(void **state)
{
	struct dbtls_xmpp_parser x;
	enum dbtls_xmpp_event evs[8];
	(void)state;

	dbtls_xmpp_parser_init(&x);
	assert_int_equal(feed_str(&x,
				  "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
				  "xmlns='jabber:client' version='1.0'><stream:features/>",
				  evs),
			 1);
	assert_int_equal(evs[0], DBTLS_XMPP_EV_FEATURES);
	assert_false(x.starttls);
	/* a pre-RFC 3920 server: a header without version and then nothing */
	dbtls_xmpp_parser_init(&x);
	assert_int_equal(feed_str(&x,
				  "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
				  "xmlns='jabber:client' from='old' id='1'>",
				  evs),
			 0);
	assert_true(x.header_seen);
	assert_string_equal(x.version, "");
}

static enum dbtls_err feed_err(const char *s, size_t n)
{
	struct dbtls_xmpp_parser x;
	struct dbtls_diag d = {0};
	enum dbtls_xmpp_event ev;
	size_t used;
	enum dbtls_err err = DBTLS_OK;

	dbtls_xmpp_parser_init(&x);
	for (size_t pos = 0; pos < n && !err; pos += used) {
		err = dbtls_xmpp_feed(&x, (const uint8_t *)s + pos, n - pos, &used, &ev, &d);
		if (!err && ev == DBTLS_XMPP_EV_NONE)
			break;
	}
	if (err) {
		assert_true(strlen(d.msg) > 0);
		/* sticky */
		assert_int_equal(dbtls_xmpp_feed(&x, (const uint8_t *)"<", 1, &used, &ev, NULL),
				 DBTLS_ERR_PROTOCOL);
	}
	return err;
}
#define STREAM                                                                                     \
	"<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' "    \
	"version='1.0'>"

static void test_protocol_errors(void **state)
{
	static const char tls_alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
	static const char *const bad[] = {
	    "HTTP/1.1 400 Bad Request\r\n\r\n",
	    "<html><body>",
	    "<stream:stream xmlns:stream='urn:wrong' version='1.0'>",
	    "<stream xmlns='http://etherx.jabber.org/streams'/>",
	    "<!-- hello --><stream:stream>",
	    "<!DOCTYPE x>",
	    STREAM "<?php ?>",
	    STREAM "<stream:features></stream:feature>",
	    STREAM "</stream:features>",
	    STREAM "<a b='1'c='2'>",
	    STREAM "<a b=1>",
	    STREAM "<a b>",
	    STREAM "<a <b>",
	    STREAM "<>",
	    STREAM "<![CDATA[x]]>",
	    STREAM "</stream:stream> <x/>",
	    STREAM "</stream:stream>junk",
	};
	char *big;
	(void)state;

	assert_int_equal(feed_err(tls_alert, sizeof(tls_alert)), DBTLS_ERR_PROTOCOL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (feed_err(bad[i], strlen(bad[i])) != DBTLS_ERR_PROTOCOL)
			fail_msg("accepted: %s", bad[i]);
	}
	/* a tag longer than the limit */
	big = malloc(DBTLS_XMPP_MAX_INPUT + 200);
	assert_non_null(big);
	strcpy(big, STREAM "<a x='");
	memset(big + strlen(big), 'y', DBTLS_XMPP_MAX_TAG);
	assert_int_equal(feed_err(big, strlen(STREAM) + 6 + DBTLS_XMPP_MAX_TAG),
			 DBTLS_ERR_PROTOCOL);
	/* nesting deeper than the limit */
	strcpy(big, STREAM);
	for (int i = 0; i < DBTLS_XMPP_MAX_DEPTH; i++)
		strcat(big, "<a>");
	assert_int_equal(feed_err(big, strlen(big)), DBTLS_ERR_PROTOCOL);
	/* endless whitespace without an event */
	strcpy(big, STREAM);
	memset(big + strlen(STREAM), ' ', DBTLS_XMPP_MAX_INPUT);
	assert_int_equal(feed_err(big, strlen(STREAM) + DBTLS_XMPP_MAX_INPUT), DBTLS_ERR_PROTOCOL);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_fixtures_whole),
	    cmocka_unit_test(test_fixtures_split),
	    cmocka_unit_test(test_host_unknown),
	    cmocka_unit_test(test_prefixes_quotes_whitespace),
	    cmocka_unit_test(test_not_starttls),
	    cmocka_unit_test(test_empty_features_and_old_server),
	    cmocka_unit_test(test_protocol_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
