/* SPDX-License-Identifier: MIT */
/*
 * probes.c — the TLS <= 1.2 server flight read to its end, and the early-CCS and heartbeat probes
 * that follow it (see probes.h).
 *
 * Wire references: RFC 5246 §7.4.3 (ServerKeyExchange), §7.4.4 (CertificateRequest), §7.1 (CCS);
 * RFC 6520 (heartbeat: a HeartbeatMessage whose payload_length is too large MUST be discarded
 * silently); CVE-2014-0224 (OpenSSL before 1.0.1h / 1.0.0m / 0.9.8za took a CCS before the master
 * secret existed); CVE-2014-0160 (OpenSSL 1.0.1 to 1.0.1f echoed payload_length bytes).
 */
#include "src/wire/probes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "src/registry/suites.h"

#define REC_CCS	      20
#define REC_ALERT     21
#define REC_HANDSHAKE 22
#define REC_HEARTBEAT 24

#define HS_SERVER_HELLO	       2
#define HS_SERVER_KEY_EXCHANGE 12
#define HS_CERTIFICATE_REQUEST 13
#define HS_SERVER_HELLO_DONE   14

#define FLIGHT_MAX (256 * 1024)

/* DER distinguished name → RFC 2253 text into out; "(unparsable name)" when it is none. */
static void probes_dn(const uint8_t *der, size_t n, char *out, size_t outlen)
{
	const unsigned char *p = der;
	X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)n);
	BIO *b = name ? BIO_new(BIO_s_mem()) : NULL;
	int len;

	snprintf(out, outlen, "(unparsable name)");
	if (b && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_read(b, out, (int)outlen - 1);
		out[len > 0 ? len : 0] = '\0';
	}
	BIO_free(b);
	X509_NAME_free(name);
}

static void probes_ske(struct dbtls_rd *m, struct dbtls_flight *f)
{
	const struct dbtls_suite *s = dbtls_suite_by_code((uint16_t)f->hello.cipher);
	bool anon, dhe, tls12 = f->hello.version == 0x0303;
	uint16_t len;
	const uint8_t *pb;

	if (!s)
		return;
	anon = (s->flags & DBTLS_SF_ANON) != 0;
	dhe = strcmp(s->kx, "DHE") == 0 || (strcmp(s->kx, "DH") == 0 && anon);
	if (dhe) {
		len = dbtls_rd_u16(m);
		pb = dbtls_rd_bytes(m, len);
		if (pb && len <= sizeof(f->dh_p)) {
			memcpy(f->dh_p, pb, len);
			f->dh_plen = len;
		}
		dbtls_rd_skip(m, dbtls_rd_u16(m)); /* g */
		dbtls_rd_skip(m, dbtls_rd_u16(m)); /* Ys */
	} else if (strstr(s->kx, "ECDH")) {
		if (dbtls_rd_u8(m) != 3) /* named_curve only */
			return;
		dbtls_rd_u16(m);
		dbtls_rd_skip(m, dbtls_rd_u8(m));
	} else {
		return;
	}
	if (tls12 && !anon && !m->err)
		f->ske_sigalg = dbtls_rd_u16(m);
	if (m->err)
		f->ske_sigalg = 0;
}

static void probes_cert_request(struct dbtls_rd *m, struct dbtls_flight *f)
{
	struct dbtls_rd l, dn;
	uint8_t nt;
	uint16_t n;

	f->cert_request = true;
	nt = dbtls_rd_u8(m);
	for (uint8_t i = 0; i < nt; i++) {
		uint8_t t = dbtls_rd_u8(m);
		if (f->ncert_types < sizeof(f->cert_types))
			f->cert_types[f->ncert_types++] = t;
	}
	if (f->hello.version == 0x0303) {
		n = dbtls_rd_u16(m);
		if (!dbtls_rd_sub(m, n, &l))
			return;
		while (dbtls_rd_left(&l) >= 2) {
			uint16_t a = dbtls_rd_u16(&l);
			if (f->nreq_sigalgs < DBTLS_FLIGHT_MAX_SIGALGS)
				f->req_sigalgs[f->nreq_sigalgs++] = a;
		}
	}
	n = dbtls_rd_u16(m);
	if (!dbtls_rd_sub(m, n, &l))
		return;
	while (dbtls_rd_left(&l) >= 2) {
		n = dbtls_rd_u16(&l);
		if (!dbtls_rd_sub(&l, n, &dn))
			return;
		if (f->nca_names < DBTLS_FLIGHT_MAX_CA) {
			probes_dn(dn.p + dn.pos, dn.len, f->ca_names[f->nca_names],
				  sizeof(f->ca_names[0]));
			f->nca_names++;
		}
		f->nca_total++;
	}
}

/* Walks the records gathered so far: OK when the flight ended (ServerHelloDone, an alert, or a
 * record that is no handshake), TRUNCATED when more bytes are needed. */
static enum dbtls_err probes_walk(const uint8_t *p, size_t n, uint8_t *hs, struct dbtls_flight *f)
{
	struct dbtls_rd rd, h, m;
	size_t hslen = 0;

	dbtls_rd_init(&rd, p, n);
	while (dbtls_rd_left(&rd) >= 5) {
		uint8_t type = dbtls_rd_u8(&rd);
		uint16_t rlen;
		const uint8_t *body;

		dbtls_rd_u16(&rd);
		rlen = dbtls_rd_u16(&rd);
		if (dbtls_rd_left(&rd) < rlen)
			return DBTLS_ERR_TRUNCATED;
		body = dbtls_rd_bytes(&rd, rlen);
		if (type != REC_HANDSHAKE)
			return DBTLS_OK; /* an alert after the ServerHello: the flight ends there */
		if (hslen + rlen > FLIGHT_MAX)
			return DBTLS_OK;
		memcpy(hs + hslen, body, rlen);
		hslen += rlen;
	}
	/* every complete handshake message, from the start (the buffers are small) */
	f->cert_request = false;
	f->ncert_types = f->nreq_sigalgs = f->nca_names = f->nca_total = 0;
	f->ske_sigalg = 0;
	f->dh_plen = 0;
	dbtls_rd_init(&h, hs, hslen);
	while (dbtls_rd_left(&h) >= 4) {
		uint8_t mt = dbtls_rd_u8(&h);
		uint32_t mlen = dbtls_rd_u24(&h);

		if (dbtls_rd_left(&h) < mlen)
			break;
		dbtls_rd_sub(&h, mlen, &m);
		if (mt == HS_SERVER_KEY_EXCHANGE)
			probes_ske(&m, f);
		else if (mt == HS_CERTIFICATE_REQUEST)
			probes_cert_request(&m, f);
		else if (mt == HS_SERVER_HELLO_DONE) {
			f->complete = true;
			return DBTLS_OK;
		}
	}
	return DBTLS_ERR_TRUNCATED;
}

enum dbtls_err dbtls_probe_flight(struct dbtls_conn *c, const struct dbtls_preamble *pre,
				  const struct dbtls_hello_params *p, struct dbtls_flight *out,
				  struct dbtls_diag *d)
{
	struct dbtls_buf hello, in;
	uint8_t *hs = NULL;
	enum dbtls_err err;
	size_t got;
	bool sh = false;

	dbtls_buf_init(&hello);
	dbtls_buf_init(&in);
	memset(out, 0, sizeof(*out));
	hs = malloc(FLIGHT_MAX);
	if (!hs) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	err = dbtls_hello_build(p, &hello);
	if (!err)
		err = dbtls_conn_send(c, hello.data, hello.len, d);
	if (err == DBTLS_ERR_CLOSED) {
		out->hello.kind = DBTLS_HELLO_CLOSED;
		err = DBTLS_OK;
		goto out;
	}
	if (err)
		goto out;
	while (in.len < FLIGHT_MAX) {
		dbtls_buf_zeros(&in, 4096);
		if (in.oom) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		in.len -= 4096;
		err = dbtls_conn_recv(c, in.data + in.len, 4096, &got, d);
		if (err == DBTLS_ERR_CLOSED) {
			if (!sh) {
				err = in.len ? dbtls_hello_parse(in.data, in.len,
								 pre ? pre->error_packet : NULL,
								 false, &out->hello)
					     : DBTLS_ERR_TRUNCATED;
				if (err)
					out->hello.kind =
					    in.len ? DBTLS_HELLO_GARBAGE : DBTLS_HELLO_CLOSED;
			}
			err = DBTLS_OK; /* what we have is all there is */
			goto out;
		}
		if (err)
			goto out;
		in.len += got;
		if (!sh) {
			err = dbtls_hello_parse(in.data, in.len, pre ? pre->error_packet : NULL,
						false, &out->hello);
			if (err == DBTLS_ERR_TRUNCATED)
				continue;
			if (err || out->hello.kind != DBTLS_HELLO_SERVER_HELLO) {
				err = DBTLS_OK; /* a refusal: the kind says which */
				goto out;
			}
			sh = true;
		}
		err = probes_walk(in.data, in.len, hs, out);
		if (err != DBTLS_ERR_TRUNCATED)
			goto out;
	}
	err = DBTLS_OK;
out:
	free(hs);
	dbtls_buf_free(&hello);
	dbtls_buf_free(&in);
	return err;
}

/* Reads one record header (and up to cap body bytes when body is not NULL) within wait_ms. */
static enum dbtls_err probes_record(struct dbtls_conn *c, int wait_ms, uint8_t *type, uint16_t *len,
				    uint8_t *body, size_t cap, struct dbtls_diag *d)
{
	int saved = c->timeout_ms;
	int64_t saved_deadline = c->deadline_ms;
	uint8_t h[5];
	enum dbtls_err err;

	/* the wait is short, and within the connection's own (absolute) deadline: silence here is
	 * an answer, and the connection must stay usable for the next record */
	c->timeout_ms = wait_ms;
	if (c->deadline_ms)
		c->deadline_ms =
		    dbtls_net_deadline_min(c->deadline_ms, dbtls_net_now_ms() + wait_ms);
	err = dbtls_conn_recv_exact(c, h, sizeof(h), d);
	if (!err) {
		*type = h[0];
		*len = (uint16_t)(h[3] << 8 | h[4]);
		if (body && cap)
			err = dbtls_conn_recv_exact(c, body, *len < cap ? *len : cap, d);
	}
	c->timeout_ms = saved;
	c->deadline_ms = saved_deadline;
	return err;
}

static enum dbtls_err probes_send_ccs(struct dbtls_conn *c, uint16_t version, struct dbtls_diag *d)
{
	uint8_t ccs[6] = {REC_CCS, (uint8_t)(version >> 8), (uint8_t)version, 0, 1, 1};
	return dbtls_conn_send(c, ccs, sizeof(ccs), d);
}

enum dbtls_err dbtls_probe_ccs(struct dbtls_conn *c, uint16_t version, int wait_ms,
			       enum dbtls_vuln_verdict *verdict, char *detail, size_t detaillen,
			       struct dbtls_diag *d)
{
	uint8_t type = 0, body[2] = {0};
	uint16_t len = 0;
	enum dbtls_err err;

	*verdict = DBTLS_VULN_UNKNOWN;
	err = probes_send_ccs(c, version, d);
	if (err == DBTLS_ERR_CLOSED) {
		*verdict = DBTLS_VULN_NO;
		snprintf(detail, detaillen, "connection closed on the early ChangeCipherSpec");
		return DBTLS_OK;
	}
	if (err)
		return err;
	err = probes_record(c, wait_ms, &type, &len, body, sizeof(body), d);
	if (err == DBTLS_ERR_CLOSED || err == DBTLS_ERR_TRUNCATED) {
		*verdict = DBTLS_VULN_NO;
		snprintf(detail, detaillen, "connection closed on the early ChangeCipherSpec");
		return DBTLS_OK;
	}
	if (!err) {
		*verdict = type == REC_ALERT ? DBTLS_VULN_NO : DBTLS_VULN_UNKNOWN;
		if (type == REC_ALERT)
			snprintf(detail, detaillen, "early ChangeCipherSpec refused: alert %s (%u)",
				 dbtls_alert_name(body[1]), body[1]);
		else
			snprintf(detail, detaillen,
				 "record type %u in answer to the early ChangeCipherSpec", type);
		return DBTLS_OK;
	}
	if (err != DBTLS_ERR_TIMEOUT)
		return err;
	/* silence: the CCS was taken. A second one is then read under keys made from an empty
	 * master secret, and fails to decrypt. */
	err = probes_send_ccs(c, version, d);
	if (!err)
		err = probes_record(c, wait_ms, &type, &len, body, sizeof(body), d);
	if (!err && type == REC_ALERT && (body[1] == 20 || body[1] == 21)) {
		*verdict = DBTLS_VULN_YES;
		snprintf(detail, detaillen,
			 "early ChangeCipherSpec accepted in silence; the next record failed to "
			 "decrypt (alert %s)",
			 dbtls_alert_name(body[1]));
	} else if (!err && type == REC_ALERT) {
		snprintf(detail, detaillen,
			 "no answer to the early ChangeCipherSpec within %d ms, then alert %s (%u)",
			 wait_ms, dbtls_alert_name(body[1]), body[1]);
	} else {
		snprintf(detail, detaillen, "no answer to the early ChangeCipherSpec within %d ms",
			 wait_ms);
	}
	return DBTLS_OK;
}

enum dbtls_err dbtls_probe_heartbleed(struct dbtls_conn *c, uint16_t version, int wait_ms,
				      enum dbtls_vuln_verdict *verdict, char *detail,
				      size_t detaillen, struct dbtls_diag *d)
{
	/* the bad request: type 1, payload_length 64, no payload, no padding */
	uint8_t bad[8] = {REC_HEARTBEAT, (uint8_t)(version >> 8), (uint8_t)version, 0, 3, 1, 0, 64};
	/* then a well-formed one (16 bytes of payload, 16 of padding) a patched server answers */
	uint8_t good[5 + 3 + 32] = {
	    REC_HEARTBEAT, (uint8_t)(version >> 8), (uint8_t)version, 0, 35, 1, 0, 16};
	/* the longest honest answer: to the good request, 1 + 2 + 16 + at most 16 of padding */
	const uint16_t honest = 3 + 16 + 16;
	uint8_t type = 0;
	uint16_t len = 0;
	enum dbtls_err err;

	*verdict = DBTLS_VULN_UNKNOWN;
	memset(good + 8, 'D', 16);
	err = dbtls_conn_send(c, bad, sizeof(bad), d);
	if (!err)
		err = dbtls_conn_send(c, good, sizeof(good), d);
	if (err == DBTLS_ERR_CLOSED) {
		snprintf(detail, detaillen, "connection closed on the heartbeat request");
		return DBTLS_OK;
	}
	if (err)
		return err;
	/* only the header is read: the length proves the over-read, the bytes are not wanted */
	err = probes_record(c, wait_ms, &type, &len, NULL, 0, d);
	if (err == DBTLS_ERR_TIMEOUT) {
		snprintf(detail, detaillen, "no heartbeat response within %d ms", wait_ms);
		return DBTLS_OK;
	}
	if (err == DBTLS_ERR_CLOSED || err == DBTLS_ERR_TRUNCATED) {
		snprintf(detail, detaillen, "connection closed on the heartbeat request");
		return DBTLS_OK;
	}
	if (err)
		return err;
	if (type == REC_HEARTBEAT && len > honest) {
		*verdict = DBTLS_VULN_YES;
		snprintf(detail, detaillen,
			 "heartbeat response of %u bytes to requests of at most %u: the server "
			 "echoed memory past the payload",
			 len, honest);
	} else if (type == REC_HEARTBEAT) {
		*verdict = DBTLS_VULN_NO;
		snprintf(detail, detaillen,
			 "the request with a bad length was discarded; the well-formed one was "
			 "answered (%u bytes)",
			 len);
	} else if (type == REC_ALERT) {
		*verdict = DBTLS_VULN_NO;
		snprintf(detail, detaillen, "the heartbeat request was refused with an alert");
	} else {
		snprintf(detail, detaillen, "record type %u in answer to the heartbeat", type);
	}
	return DBTLS_OK;
}
