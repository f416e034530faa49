/* SPDX-License-Identifier: MIT */
/*
 * xmpp.c — XMPP up to the TLS upgrade (RFC 6120 §5): xmpp:// (client-to-server, jabber:client,
 * port 5222), xmpp-server:// (server-to-server, jabber:server, port 5269), and xmpps:// (direct
 * TLS as XEP-0368 clients do it on 5223: the ClientHello first, with ALPN xmpp-client).
 *
 * The client speaks first: a stream header whose to= is the XMPP domain (the preamble target's
 * name: --xmpp-domain, else the SNI name, else the host). The server answers with its own header
 * and its <stream:features>. Without <starttls/> there the server offers no TLS (a fact, NO_TLS);
 * with it the client sends <starttls/> and the server answers <proceed/> (the ClientHello may go
 * out) or <failure/> (no TLS, a fact). A <stream:error> (host-unknown for a domain it does not
 * serve) is the server's error, SERVER_ERROR with the condition in err_message. What the features
 * said before TLS — STARTTLS required, the SASL mechanisms offered in clear text, the software
 * (XEP-0115 caps node) — goes into out->xmpp and out->product. The bytes are read by the pure
 * parser in xmpp_proto.c.
 */
#include "src/wire/preamble/preamble.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/wire/preamble/xmpp_proto.h"

/* Copies the features' facts into out (new strings). */
static enum dbtls_err xmpp_keep_features(const struct dbtls_xmpp_parser *x,
					 struct dbtls_server_info *out)
{
	const char *sw = dbtls_xmpp_software(x);

	dbtls_server_info_free(out);
	out->greeting_seen = true;
	out->xmpp.features_seen = true;
	out->xmpp.starttls_required = x->starttls && x->starttls_required;
	out->tls_offered = x->starttls;
	if (sw && !(out->product = dbtls_strdup(sw)))
		return DBTLS_ERR_NOMEM;
	if (!x->nmechanisms)
		return DBTLS_OK;
	out->xmpp.mechanisms = calloc(x->nmechanisms, sizeof(char *));
	if (!out->xmpp.mechanisms)
		return DBTLS_ERR_NOMEM;
	for (size_t i = 0; i < x->nmechanisms; i++) {
		out->xmpp.mechanisms[i] = dbtls_strdup(x->mechanisms[i]);
		if (!out->xmpp.mechanisms[i])
			return DBTLS_ERR_NOMEM;
		out->xmpp.nmechanisms++;
	}
	return DBTLS_OK;
}

/* Handles one parser event. Returns OK with *done set when the preamble is over (TLS may
 * start), OK with *done clear to read on, or the preamble's outcome. */
static enum dbtls_err xmpp_event(struct dbtls_conn *c, const struct dbtls_xmpp_parser *x,
				 enum dbtls_xmpp_event ev, bool *asked, bool *done,
				 struct dbtls_server_info *out, struct dbtls_diag *d)
{
	static const char starttls[] = DBTLS_XMPP_STARTTLS;
	enum dbtls_err err;
	char msg[384];

	switch (ev) {
	case DBTLS_XMPP_EV_NONE:
		return DBTLS_OK;
	case DBTLS_XMPP_EV_FEATURES:
		if (*asked) /* features again after <starttls/>: not what RFC 6120 allows */
			return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
					      "XMPP: stream features again after <starttls/>");
		err = xmpp_keep_features(x, out);
		if (err)
			return err;
		if (!x->starttls)
			return dbtls_diag_set(d, DBTLS_ERR_NO_TLS,
					      "server offers no TLS (no <starttls/> in the XMPP "
					      "stream features)");
		*asked = true;
		return dbtls_conn_send(c, (const uint8_t *)starttls, sizeof(starttls) - 1, d);
	case DBTLS_XMPP_EV_PROCEED:
		if (!*asked)
			return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL,
					      "XMPP: <proceed/> before the client asked");
		*done = true;
		return DBTLS_OK;
	case DBTLS_XMPP_EV_FAILURE:
		out->tls_offered = false;
		return dbtls_diag_set(d, DBTLS_ERR_NO_TLS,
				      "server offers no TLS (it answered <starttls/> with "
				      "<failure/>)");
	case DBTLS_XMPP_EV_STREAM_ERROR:
		out->greeting_seen = x->header_seen;
		snprintf(msg, sizeof(msg), "stream error %s%s%s",
			 x->error_condition[0] ? x->error_condition : "(no condition)",
			 x->error_text[0] ? ": " : "", x->error_text);
		free(out->err_message);
		out->err_message = dbtls_strdup(msg);
		return dbtls_diag_set(d, DBTLS_ERR_SERVER_ERROR, "server refused the stream: %s",
				      msg);
	case DBTLS_XMPP_EV_CLOSED:
		return dbtls_diag_set(d, DBTLS_ERR_CLOSED,
				      "server closed the XMPP stream before %s",
				      *asked ? "<proceed/>" : "its features");
	}
	return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL, "XMPP: unexpected parser event");
}

static enum dbtls_err xmpp_run(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
			       enum dbtls_xmpp_kind kind, struct dbtls_server_info *out,
			       struct dbtls_diag *d)
{
	struct dbtls_xmpp_parser *x = calloc(1, sizeof(*x));
	struct dbtls_buf hdr;
	uint8_t buf[2048];
	enum dbtls_xmpp_event ev;
	enum dbtls_err err;
	bool asked = false, done = false;
	size_t got, used;

	dbtls_buf_init(&hdr);
	if (!x) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	dbtls_xmpp_parser_init(x);
	err = dbtls_xmpp_stream_header(&hdr, kind, t->name, NULL);
	if (err) {
		if (err == DBTLS_ERR_INPUT)
			dbtls_diag_set(d, err, "XMPP domain '%s' cannot be sent in a stream header",
				       t->name);
		goto out;
	}
	err = dbtls_conn_send(c, hdr.data, hdr.len, d);
	while (!err && !done) {
		err = dbtls_conn_recv(c, buf, sizeof(buf), &got, d);
		if (err) {
			if (err == DBTLS_ERR_CLOSED)
				dbtls_diag_set(d, err, "connection closed before %s",
					       asked ? "<proceed/>" : "the XMPP stream features");
			break;
		}
		for (size_t pos = 0; !err && !done && pos < got; pos += used) {
			used = 0;
			err = dbtls_xmpp_feed(x, buf + pos, got - pos, &used, &ev, d);
			if (!err)
				err = xmpp_event(c, x, ev, &asked, &done, out, d);
			if (!err && used == 0 && ev == DBTLS_XMPP_EV_NONE)
				break;
		}
	}
out:
	free(x);
	dbtls_buf_free(&hdr);
	return err;
}

static enum dbtls_err xmpp_c2s_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				     struct dbtls_server_info *out, struct dbtls_diag *d)
{
	return xmpp_run(c, t, DBTLS_XMPP_C2S, out, d);
}

static enum dbtls_err xmpp_s2s_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				     struct dbtls_server_info *out, struct dbtls_diag *d)
{
	return xmpp_run(c, t, DBTLS_XMPP_S2S, out, d);
}

/* XEP-0368 direct TLS: nothing before the ClientHello, which carries ALPN xmpp-client. */
static enum dbtls_err xmpps_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				  struct dbtls_server_info *out, struct dbtls_diag *d)
{
	(void)c;
	(void)t;
	(void)d;
	out->tls_offered = true;
	return DBTLS_OK;
}

static const char *const xmpp_alpn_client[] = {DBTLS_XMPP_ALPN_CLIENT, NULL};

const struct dbtls_preamble dbtls_preamble_xmpp = {
    .scheme = "xmpp",
    .default_port = 5222,
    .supports = DBTLS_PRE_XMPP_C2S,
    .alpn = NULL, /* STARTTLS clients send none */
    .product = "XMPP",
    .start = xmpp_c2s_start,
    .error_packet = NULL,
    .help = "XMPP client-to-server: stream header (to= --xmpp-domain), <starttls/>, <proceed/>",
};

const struct dbtls_preamble dbtls_preamble_xmpp_server = {
    .scheme = "xmpp-server",
    .default_port = 5269,
    .supports = DBTLS_PRE_XMPP_S2S,
    .alpn = NULL,
    .product = "XMPP",
    .start = xmpp_s2s_start,
    .error_packet = NULL,
    .help = "XMPP server-to-server: jabber:server stream header, <starttls/>, <proceed/>",
};

const struct dbtls_preamble dbtls_preamble_xmpps = {
    .scheme = "xmpps",
    .default_port = 5223,
    .supports = DBTLS_PRE_XMPP_C2S,
    .alpn = xmpp_alpn_client,
    .product = "XMPP",
    .start = xmpps_start,
    .error_packet = NULL,
    .help = "XMPP direct TLS (XEP-0368, port 5223): ClientHello first, ALPN xmpp-client",
};
