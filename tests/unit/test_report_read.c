/* SPDX-License-Identifier: MIT */
/*
 * test_report_read.c — reading a JSON report back into facts (reports/report_json_read.c).
 *
 * The round trip is the contract: facts written, read back and written again give the same bytes,
 * so a saved scan judged under another policy sees what the scan saw. Field-level checks pin the
 * conversions the writer makes (suite and group codes, times, tri-states), and every refusal must
 * name the file and the place in it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/json/fields.h"
#include "reports/report.h"
#include "src/facts/audit.h"
#include "tests/unit/fixtures.h"

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static uint32_t *codes(size_t n, const uint32_t *src)
{
	uint32_t *p = calloc(n, sizeof(*p));

	assert_non_null(p);
	memcpy(p, src, n * sizeof(*p));
	return p;
}

static void set_version(struct dbtls_version_facts *vf, enum dbtls_vstatus st, const char *reason,
			uint16_t cipher, const uint32_t *suites, size_t n, int order)
{
	vf->status = st;
	vf->reason = reason ? xstrdup(reason) : NULL;
	vf->cipher = cipher;
	vf->suites = n ? codes(n, suites) : NULL;
	vf->nsuites = n;
	vf->server_order = order;
}

static void set_cert(struct dbtls_cert *c, const char *cn, const char *issuer, time_t nb, time_t na,
		     long days, bool ca)
{
	char buf[32];

	c->subject = xstrdup(cn);
	c->issuer = xstrdup(issuer);
	c->nsans = ca ? 0 : 3;
	if (c->nsans) {
		c->sans = calloc(c->nsans, sizeof(*c->sans));
		assert_non_null(c->sans);
		c->sans[0] = xstrdup("DNS:db1.example");
		c->sans[1] = xstrdup("DNS:*.db.example");
		c->sans[2] = xstrdup("IP:192.0.2.10");
	}
	c->serial = xstrdup(ca ? "01" : "5A3F09C2");
	c->not_before_t = nb;
	c->not_after_t = na;
	dbtls_rfc3339(nb, buf, sizeof(buf));
	c->not_before = xstrdup(buf);
	dbtls_rfc3339(na, buf, sizeof(buf));
	c->not_after = xstrdup(buf);
	c->days_left = days;
	c->key_type = xstrdup(ca ? "RSA" : "EC");
	c->key_bits = ca ? 4096 : 256;
	c->curve = ca ? NULL : xstrdup("prime256v1");
	c->sig_alg = xstrdup(ca ? "sha384WithRSAEncryption" : "ecdsa-with-SHA256");
	memset(c->sha256, ca ? 'c' : '0', 64);
	c->sha256[1] = '9';
	c->self_signed = ca;
	c->is_ca = ca;
	c->pem = xstrdup(ca ? "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
			    : "-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n");
	if (ca)
		return;
	/* the leaf has the extensions and a revocation answer */
	c->has_eku = true;
	c->neku = 2;
	c->eku = calloc(2, sizeof(*c->eku));
	assert_non_null(c->eku);
	c->eku[0] = xstrdup("serverAuth");
	c->eku[1] = xstrdup("1.3.6.1.4.1.99999.1");
	c->has_key_usage = true;
	c->key_usage = 0x80 | 0x08; /* digitalSignature, keyAgreement */
	c->ocsp_url = xstrdup("http://ocsp.example/");
	c->ncrl_urls = 1;
	c->crl_urls = calloc(1, sizeof(*c->crl_urls));
	assert_non_null(c->crl_urls);
	c->crl_urls[0] = xstrdup("http://crl.example/ca.crl");
	c->revocation.status = DBTLS_REV_REVOKED;
	c->revocation.source = xstrdup("CRL http://crl.example/ca.crl");
	c->revocation.revoked_at = xstrdup("2023-10-01T12:00:00Z");
	c->revocation.reason = xstrdup("keyCompromise");
	c->revocation.this_update = xstrdup("2023-11-01T00:00:00Z");
	c->revocation.next_update = xstrdup("2023-11-08T00:00:00Z");
	c->revocation.detail = xstrdup("serial 5A3F09C2 listed");
}

/* What an SQL login (scan --sql) reads from a MariaDB with performance_schema: a variable the
 * server lacks (null), a plain-text client, accounts with every kind of requirement, and a
 * statement the login could not run. */
static void set_sql(struct dbtls_sql_facts *q)
{
	static const char *const session[] = {"Ssl_cipher",	      "TLS_AES_256_GCM_SHA384",
					      "Ssl_version",	      "TLSv1.3",
					      "Ssl_server_not_after", "Nov 13 22:13:20 2024 GMT"};
	static const char *const vars[] = {"have_ssl",
					   "YES",
					   "tls_version",
					   "TLSv1.2,TLSv1.3",
					   "tls_ciphersuites",
					   NULL,
					   "require_secure_transport",
					   "OFF"};

	q->status = DBTLS_SQL_OK;
	q->user = xstrdup("dbtls@192.0.2.1");
	q->account = xstrdup("dbtls@%");
	q->verify_cert = true;
	q->ca_source = xstrdup("/etc/ssl/db-ca.pem");
	q->server_version = xstrdup("10.11.6-MariaDB-0+deb12u1");
	q->nsession = 3;
	q->session = calloc(3, sizeof(*q->session));
	assert_non_null(q->session);
	for (size_t i = 0; i < 3; i++) {
		q->session[i].name = xstrdup(session[2 * i]);
		q->session[i].value = xstrdup(session[2 * i + 1]);
	}
	q->nvariables = 4;
	q->variables = calloc(4, sizeof(*q->variables));
	assert_non_null(q->variables);
	for (size_t i = 0; i < 4; i++) {
		q->variables[i].name = xstrdup(vars[2 * i]);
		q->variables[i].value = vars[2 * i + 1] ? xstrdup(vars[2 * i + 1]) : NULL;
	}
	q->connections_status = DBTLS_SQL_AV_READ;
	q->nconnections = 2;
	q->connections = calloc(2, sizeof(*q->connections));
	assert_non_null(q->connections);
	q->connections[0] = (struct dbtls_sql_conn){.id = 9,
						    .user = xstrdup("app"),
						    .host = xstrdup("192.0.2.7"),
						    .type = xstrdup("TCP/IP"),
						    .tls_version = xstrdup(""),
						    .cipher = xstrdup(""),
						    .database = xstrdup("app")};
	q->connections[1] = (struct dbtls_sql_conn){.id = 12,
						    .user = xstrdup("dbtls"),
						    .host = xstrdup("192.0.2.1"),
						    .program = xstrdup("dbtls"),
						    .type = xstrdup("SSL/TLS"),
						    .tls_version = xstrdup("TLSv1.3"),
						    .cipher = xstrdup("TLS_AES_256_GCM_SHA384"),
						    .self = true};
	q->accounts_status = DBTLS_SQL_AV_READ;
	q->accounts_source = xstrdup("mysql.global_priv");
	q->option_file.path = xstrdup("/home/dbtls/.my.cnf");
	q->option_file.mode = 0644;
	q->option_file.world_readable = true;
	q->naccounts = 2;
	q->accounts = calloc(2, sizeof(*q->accounts));
	assert_non_null(q->accounts);
	q->accounts[0] = (struct dbtls_sql_account){.user = xstrdup("app"),
						    .host = xstrdup("%"),
						    .require = xstrdup("none"),
						    .network = true,
						    .database = xstrdup("all"),
						    .method = xstrdup("scram-sha-256"),
						    .line = 5};
	q->accounts[1] =
	    (struct dbtls_sql_account){.user = xstrdup("repl"),
				       .host = xstrdup("10.%"),
				       .require = xstrdup("ISSUER SUBJECT"),
				       .issuer = xstrdup("/CN=Test CA"),
				       .subject = xstrdup("/CN=repl"),
				       .cipher = xstrdup("ECDHE-RSA-AES256-GCM-SHA384"),
				       .network = true,
				       .locked = true,
				       .plugin = xstrdup("ed25519"),
				       .has_password = true};
	q->nunreadable = 1;
	q->unreadable = calloc(1, sizeof(*q->unreadable));
	assert_non_null(q->unreadable);
	q->unreadable[0] = (struct dbtls_sql_unreadable){
	    .what = xstrdup("thread_status"),
	    .statement = xstrdup("SELECT THREAD_ID FROM performance_schema.status_by_thread"),
	    .code = 1142,
	    .message = xstrdup("SELECT command denied to user 'dbtls'@'192.0.2.1'")};
}

/* One audited file with every row set: a JKS key store with a key, a certificate, a setting and an
 * error (dbtls audit). */
static void fixture_file(struct dbtls_scan_facts *s)
{
	struct dbtls_audit_file *f;
	struct dbtls_audit_store_entry *en;

	s->nfiles = 1;
	s->files = calloc(1, sizeof(*s->files));
	assert_non_null(s->files);
	f = &s->files[0];
	f->path = xstrdup("/etc/mysql/ssl/server.jks");
	f->kind = DBTLS_AUDIT_JKS;
	f->referenced_by = xstrdup("/etc/mysql/my.cnf:4 ssl-key");
	f->size = 2214;
	f->mode = 0640;
	f->uid = 27;
	f->gid = 27;
	f->owner = xstrdup("mysql");
	f->group = xstrdup("mysql");
	f->nkeys = 1;
	f->keys = calloc(1, sizeof(*f->keys));
	assert_non_null(f->keys);
	f->keys[0] = (struct dbtls_audit_key){
	    .format = DBTLS_KEYFMT_PKCS8, .bits = 2048, .line = 1, .encrypted = true};
	f->keys[0].pem_label = xstrdup("PRIVATE KEY");
	f->keys[0].type = xstrdup("RSA");
	f->keys[0].spki_sha256 = xstrdup("ab01");
	f->keys[0].matching_cert = xstrdup("/etc/mysql/ssl/server.pem:1");
	f->ncerts = 1;
	f->certs = calloc(1, sizeof(*f->certs));
	assert_non_null(f->certs);
	set_cert(&f->certs[0].cert, "CN=db1.example", "CN=Test CA", 1690000000, 1731536000, 365,
		 false);
	snprintf(f->certs[0].sha1_colon, sizeof(f->certs[0].sha1_colon), "AB:CD");
	snprintf(f->certs[0].sha256_colon, sizeof(f->certs[0].sha256_colon), "01:02");
	memset(f->certs[0].spki_sha256, 'c', 64);
	f->certs[0].line = 3;
	f->store = calloc(1, sizeof(*f->store));
	assert_non_null(f->store);
	f->store->type = xstrdup("JKS");
	f->store->version = 2;
	f->store->pw_source = DBTLS_STOREPW_DEFAULT;
	f->store->pw_ref = xstrdup("/etc/dbtls/pw:2");
	f->store->integrity_ok = f->store->pw_well_known = f->store->legacy_crypto = true;
	f->store->entries_complete = true;
	f->store->nentries = 1;
	f->store->entries = en = calloc(1, sizeof(*en));
	assert_non_null(en);
	en->alias = xstrdup("server");
	en->type = DBTLS_STORE_PRIVATE_KEY;
	en->created = 1700000000;
	en->key_algorithm = xstrdup("1.3.6.1.4.1.42.2.17.1.1");
	en->ncerts = 1;
	en->certs = calloc(1, sizeof(*en->certs));
	assert_non_null(en->certs);
	set_cert(&en->certs[0].cert, "CN=jks.example", "CN=Test CA", 1690000000, 1731536000, 365,
		 false);
	snprintf(en->certs[0].sha1_colon, sizeof(en->certs[0].sha1_colon), "EF:01");
	assert_int_equal(dbtls_audit_add_setting(f, "ssl-mode", "ssl_mode", "VERIFY_IDENTITY",
						 "client", "/etc/mysql/conf.d/c.cnf", 7, false),
			 DBTLS_OK);
	assert_int_equal(
	    dbtls_audit_add_error(f, DBTLS_ERR_INPUT, "%s: offset 32: cut short", f->path),
	    DBTLS_OK);
}

static void fixture(struct dbtls_scan_facts *s)
{
	static const uint32_t ssl2[] = {0x010080, 0x0700c0};
	static const uint32_t tls10[] = {0xc014, 0x0035};
	static const uint32_t tls12[] = {0xc02f, 0xc030, 0x009e, 0xfefe};
	static const uint32_t tls13[] = {0x1301};
	struct dbtls_endpoint_facts *e;

	memset(s, 0, sizeof(*s));
	s->tool_version = xstrdup("0.0.7");
	s->started_at = 1700000000;
	s->finished_at = 1700000042;
	s->new_ca_file = xstrdup("/etc/dbtls/new-ca.pem");
	s->interrupted = true;
	s->nendpoints = 3;
	s->endpoints = calloc(3, sizeof(*s->endpoints));
	assert_non_null(s->endpoints);

	/* everything a full scan of a TLS-capable MariaDB learns */
	e = &s->endpoints[0];
	e->target = xstrdup("mysql://db1.example:3306");
	e->protocol = xstrdup("mysql");
	e->host = xstrdup("db1.example");
	e->port = 3306;
	e->sni = xstrdup("db1.example");
	e->address = xstrdup("192.0.2.10");
	e->id = xstrdup("mysql://db1.example:3306?address=192.0.2.10");
	e->name_addresses = calloc(2, sizeof(char *));
	assert_non_null(e->name_addresses);
	e->name_addresses[0] = xstrdup("192.0.2.10");
	e->name_addresses[1] = xstrdup("2001:db8::10");
	e->nname_addresses = 2;
	e->server.greeting_seen = true;
	e->server.product = xstrdup("MariaDB");
	e->server.version = xstrdup("5.5.5-10.11.6-MariaDB-0+deb12u1");
	e->server.mysql.protocol_version = 10;
	e->server.mysql.capabilities = 0xF7FEFFFF;
	e->server.mysql.connection_id = 4242;
	e->server.tls_offered = true;
	/* what an XMPP stream's features carry (the round trip does not look at the protocol) */
	e->server.xmpp.features_seen = true;
	e->server.xmpp.starttls_required = true;
	e->server.xmpp.mechanisms = calloc(2, sizeof(char *));
	assert_non_null(e->server.xmpp.mechanisms);
	e->server.xmpp.mechanisms[0] = xstrdup("SCRAM-SHA-1");
	e->server.xmpp.mechanisms[1] = xstrdup("PLAIN");
	e->server.xmpp.nmechanisms = 2;
	e->alpn_hello_offered = true;
	e->alpn_hello = xstrdup("h2");
	e->tls_offered = 1;
	set_version(&e->versions[DBTLS_SSL2], DBTLS_VS_ACCEPTED, "SSLv2 SERVER-HELLO", 0, ssl2, 2,
		    -1);
	set_version(&e->versions[DBTLS_SSL3], DBTLS_VS_REJECTED, "alert handshake_failure (40)", 0,
		    NULL, 0, -1);
	set_version(&e->versions[DBTLS_TLS10], DBTLS_VS_ACCEPTED, "ServerHello TLSv1.0", 0xc014,
		    tls10, 2, 0);
	set_version(&e->versions[DBTLS_TLS11], DBTLS_VS_ERROR, "timed out", 0, NULL, 0, -1);
	set_version(&e->versions[DBTLS_TLS12], DBTLS_VS_ACCEPTED, "ServerHello TLSv1.2", 0xc02f,
		    tls12, 4, 1);
	set_version(&e->versions[DBTLS_TLS13], DBTLS_VS_ACCEPTED, "ServerHello TLSv1.3", 0x1301,
		    tls13, 1, -1);
	e->ngroups = 4;
	e->groups = calloc(4, sizeof(*e->groups));
	assert_non_null(e->groups);
	e->groups[0] = 0x001d;
	e->groups[1] = 0x0017;
	e->groups[2] = 0x0100;
	e->groups[3] = 0x6399; /* no name in hello.c: written as "0x6399" */
	e->groups_version = DBTLS_TLS13;
	e->dh_bits = 2048;
	e->ncerts = 2;
	e->certs = calloc(2, sizeof(*e->certs));
	assert_non_null(e->certs);
	set_cert(&e->certs[0], "CN=db1.example", "CN=Test CA", 1690000000, 1731536000, 365, false);
	set_cert(&e->certs[1], "CN=Test CA", "CN=Test CA", 1600000000, 2000000000, -12, true);
	e->verification.done = true;
	e->verification.ca_ok = false;
	e->verification.hostname_ok = true;
	e->verification.error = xstrdup("self-signed certificate in certificate chain");
	e->verification.verify_code = 19;
	e->verification.hostname_checked = xstrdup("db1.example");
	e->verification.ca_source = xstrdup("system");
	e->verification.protocol = xstrdup("TLSv1.3");
	e->verification.cipher = xstrdup("TLS_AES_128_GCM_SHA256");
	e->verification.stapled = true;
	e->verification.alpn_offered = true;
	e->verification.alpn = xstrdup("mysql");
	e->verification.ticket =
	    (struct dbtls_ticket_facts){.probed = true, .issued = 1, .lifetime_s = 7200};
	/* scan --handshake-facts */
	e->groups13.probed = true;
	e->groups13.hrr_tested = calloc(1, sizeof(uint16_t));
	assert_non_null(e->groups13.hrr_tested);
	e->groups13.hrr_tested[0] = 0x11EC;
	e->groups13.nhrr_tested = 1;
	e->groups13.hrr = calloc(1, sizeof(uint16_t));
	assert_non_null(e->groups13.hrr);
	e->groups13.hrr[0] = 0x11EC;
	e->groups13.nhrr = 1;
	e->groups13.note = xstrdup("the server asks for an X25519MLKEM768 share by HRR");
	e->hygiene = (struct dbtls_hygiene_facts){.probed = true,
						  .version = DBTLS_TLS12,
						  .secure_renegotiation = 1,
						  .extended_master_secret = 1,
						  .encrypt_then_mac = 0,
						  .session_ticket = 1,
						  .status_request = 0,
						  .compression = 0,
						  .heartbeat = 0,
						  .fallback_scsv = 1,
						  .fallback_detail =
						      xstrdup("alert inappropriate_fallback (86)")};
	e->client_auth.probed = true;
	e->client_auth.requested = 1;
	e->client_auth.ca_names = calloc(1, sizeof(char *));
	assert_non_null(e->client_auth.ca_names);
	e->client_auth.ca_names[0] = xstrdup("CN=Test CA");
	e->client_auth.nca_names = 1;
	e->client_auth.sigalgs = calloc(1, sizeof(char *));
	assert_non_null(e->client_auth.sigalgs);
	e->client_auth.sigalgs[0] = xstrdup("rsa_pss_rsae_sha256");
	e->client_auth.nsigalgs = 1;
	e->sigalgs.probed = true;
	e->sigalgs.tls12 = calloc(1, sizeof(char *));
	assert_non_null(e->sigalgs.tls12);
	e->sigalgs.tls12[0] = xstrdup("rsa_pss_rsae_sha256");
	e->sigalgs.ntls12 = 1;
	e->sigalgs.tls13_probed = true;
	e->sigalgs.tls13 = calloc(1, sizeof(char *));
	assert_non_null(e->sigalgs.tls13);
	e->sigalgs.tls13[0] = xstrdup("ecdsa_secp256r1_sha256");
	e->sigalgs.ntls13 = 1;
	e->vulns =
	    (struct dbtls_vuln_facts){.probed = true,
				      .heartbleed = 0,
				      .heartbleed_detail = xstrdup("heartbeat not negotiated"),
				      .ccs_injection = 0,
				      .ccs_detail = xstrdup("alert unexpected_message (10)"),
				      .dh_bits = 2048,
				      .dh_prime_name = xstrdup("RFC 7919 ffdhe2048"),
				      .dh_prime_prime = 1,
				      .dh_prime_safe = 1};
	e->alpn_probe = (struct dbtls_alpn_probe){.probed = true,
						  .protocol = xstrdup("postgresql"),
						  .outcome = DBTLS_ALPN_OTHER,
						  .selected = xstrdup("h2"),
						  .detail = xstrdup("one more handshake"),
						  .required = true};
	e->verification.chain = (struct dbtls_chain_facts){
	    .analysed = true,
	    .incomplete = true,
	    .missing_issuer = xstrdup("CN=Test Intermediate"),
	    .misordered = true,
	    .extra = 1,
	    .anchor_served = true,
	    .anchor_subject = xstrdup("CN=Test CA"),
	    .anchor_sha256 =
		xstrdup("c9cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"),
	    .anchor_not_after = 2000000000,
	    .anchor_days_left = 3500};
	e->verification.rotation = (struct dbtls_rotation_facts){
	    .checked = true,
	    .ready = false,
	    .error = xstrdup("unable to get local issuer certificate"),
	    .anchor_subject = xstrdup("CN=New CA"),
	    .anchor_sha256 =
		xstrdup("d9dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"),
	    .anchor_days_left = 7000};
	e->verification.public_trust = (struct dbtls_public_trust){
	    .checked = true,
	    .anchored = 1,
	    .anchor = xstrdup("CN=Public Root"),
	    .store = xstrdup("/etc/ssl/certs/ca-certificates.crt, /etc/ssl/certs"),
	    .detail = xstrdup("(none)")};
	assert_int_equal(dbtls_facts_add_error(e, DBTLS_ERR_TIMEOUT, "probe TLSv1.1", "timed out"),
			 DBTLS_OK);
	set_sql(&e->sql);
	/* scan --clients: one row with every member set */
	e->nclients = 1;
	e->clients = calloc(1, sizeof(*e->clients));
	assert_non_null(e->clients);
	e->clients[0] = (struct dbtls_client_sim){
	    .client = xstrdup("psql"),
	    .config = xstrdup("proposed"),
	    .outcome = xstrdup("connects_unverified"),
	    .version = xstrdup("TLSv1.3"),
	    .suite = xstrdup("TLS_AES_256_GCM_SHA384"),
	    .group = xstrdup("x25519"),
	    .reason = xstrdup("does not verify the certificate by default"),
	    .in_use = true};
	e->connections_used = 31;
	e->duration_s = 3.25;
	e->retries = 2;
	e->pipeline_fallback = xstrdup("the server version changed after the first connection");

	/* a server that answered with an ERR packet and no TLS; invalid UTF-8 in its message */
	e = &s->endpoints[1];
	e->target = xstrdup("db2");
	e->protocol = xstrdup("mysql");
	e->host = xstrdup("db2");
	e->port = 3307;
	e->address = xstrdup("192.0.2.11");
	e->server.err_code = 1129;
	e->server.err_sqlstate = xstrdup("HY000");
	e->server.err_message = xstrdup("Host '192.0.2.1' is blocked \xff");
	e->tls_offered = 0;
	e->groups_version = -1;
	assert_int_equal(dbtls_facts_add_error(e, DBTLS_ERR_SERVER_ERROR, "preamble",
					       "1129 (HY000) Host blocked"),
			 DBTLS_OK);
	assert_int_equal(dbtls_facts_add_error(e, DBTLS_ERR_NO_TLS, NULL, NULL), DBTLS_OK);
	/* scan --sql: not attempted, because credentials never travel in clear text */
	e->sql.status = DBTLS_SQL_SKIPPED;
	e->sql.reason = xstrdup("the server offers no TLS");
	e->connections_used = 1;
	e->duration_s = 0.0004;

	/* scan --sql where the login failed: the error number is kept */
	e = &s->endpoints[2];
	e->target = xstrdup("mysql://db3");
	e->protocol = xstrdup("mysql");
	e->host = xstrdup("db3");
	e->port = 3306;
	e->tls_offered = -1;
	e->groups_version = -1;
	e->sql.status = DBTLS_SQL_FAILED;
	e->sql.reason = xstrdup("Access denied for user 'dbtls'@'192.0.2.1'");
	e->sql.error_code = 1045;
	e->sql.verify_cert = true;
	assert_int_equal(
	    dbtls_facts_add_error(e, DBTLS_ERR_SERVER_ERROR, "sql login", "1045 Access denied"),
	    DBTLS_OK);
	fixture_file(s);
}

static bool is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Reads text from a temporary file; expects failure err with exactly the message "FILE" rest. */
static void expect_failure(const char *text, enum dbtls_err want, const char *rest)
{
	struct dbtls_scan_facts out;
	struct dbtls_diag d = {0};
	char *path = fx_tmpfile("report-read", text), want_msg[512];

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(dbtls_report_json_read(path, &out, &d), want);
	snprintf(want_msg, sizeof(want_msg), "%s%s", path, rest);
	assert_string_equal(d.msg, want_msg);
	assert_true(is_zero(&out, sizeof(out)));
	fx_tmpfile_remove(path);
}

/* A text jansson refuses: "FILE:LINE:COLUMN: what" (the column is jansson's business). */
static void expect_parse_error(const char *text, int line, const char *what)
{
	struct dbtls_scan_facts out;
	struct dbtls_diag d = {0};
	char *path = fx_tmpfile("report-read", text), prefix[512];
	const char *p;
	char *end;
	long col;

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(dbtls_report_json_read(path, &out, &d), DBTLS_ERR_INPUT);
	snprintf(prefix, sizeof(prefix), "%s:%d:", path, line);
	assert_int_equal(strncmp(d.msg, prefix, strlen(prefix)), 0);
	p = d.msg + strlen(prefix);
	col = strtol(p, &end, 10);
	assert_true(end > p && col >= 0);
	assert_string_equal(end, what);
	assert_true(is_zero(&out, sizeof(out)));
	fx_tmpfile_remove(path);
}

/* The report of the fixture, as a jansson document to edit (new). */
static json_t *fixture_doc(void)
{
	struct dbtls_scan_facts s;
	json_error_t jerr;
	json_t *doc;
	char *text;

	fixture(&s);
	text = fx_render(&dbtls_report_json, &s, NULL, false);
	doc = json_loads(text, 0, &jerr);
	assert_non_null(doc);
	free(text);
	dbtls_scan_facts_free(&s);
	return doc;
}

static char *dump(json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	assert_non_null(text);
	json_decref(doc);
	return text;
}

static json_t *ep(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "endpoints"), i);
}

static void test_round_trip(void **state)
{
	struct dbtls_scan_facts s, back;
	struct dbtls_diag d = {0};
	char *first, *second, *path;
	(void)state;

	fixture(&s);
	first = fx_render(&dbtls_report_json, &s, NULL, false);
	path = fx_tmpfile("report-read", first);
	assert_int_equal(dbtls_report_json_read(path, &back, &d), DBTLS_OK);
	second = fx_render(&dbtls_report_json, &back, NULL, false);
	assert_string_equal(second, first);
	free(second);
	free(first);
	fx_tmpfile_remove(path);
	dbtls_scan_facts_free(&back);
	dbtls_scan_facts_free(&s);
}

/* verification.alpn: absent when no ALPN was offered (so reports of scans without ALPN are as
 * before), null when offered and none selected, the name when selected; each reads back. */
static void test_alpn(void **state)
{
	static const struct {
		bool offered;
		const char *alpn, *want;
	} rows[] = {
	    {false, NULL, NULL},
	    {true, NULL, "\"alpn\": null"},
	    {true, "postgresql", "\"alpn\": \"postgresql\""},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dbtls_scan_facts s, back;
		struct dbtls_diag d = {0};
		char *text, *path;

		fixture(&s);
		assert_true(s.endpoints[0].verification.done);
		s.endpoints[0].verification.alpn_offered = rows[i].offered;
		free(s.endpoints[0].verification.alpn);
		s.endpoints[0].verification.alpn = rows[i].alpn ? xstrdup(rows[i].alpn) : NULL;
		text = fx_render(&dbtls_report_json, &s, NULL, false);
		if (rows[i].want)
			assert_non_null(strstr(text, rows[i].want));
		else
			assert_null(strstr(text, "\"alpn\""));
		path = fx_tmpfile("report-read", text);
		assert_int_equal(dbtls_report_json_read(path, &back, &d), DBTLS_OK);
		assert_int_equal(back.endpoints[0].verification.alpn_offered, rows[i].offered);
		if (rows[i].alpn)
			assert_string_equal(back.endpoints[0].verification.alpn, rows[i].alpn);
		else
			assert_null(back.endpoints[0].verification.alpn);
		free(text);
		fx_tmpfile_remove(path);
		dbtls_scan_facts_free(&back);
		dbtls_scan_facts_free(&s);
	}
}

/* Appends the non-null values of key in every object of objs to a new array. */
static json_t *values_of(const json_t *objs, const char *key)
{
	json_t *vals = json_array(), *o, *v;
	size_t i;

	assert_non_null(vals);
	json_array_foreach(objs, i, o)
	{
		v = json_object_get(o, key);
		if (v && !json_is_null(v))
			json_array_append(vals, v);
	}
	return vals;
}

static size_t uncovered;

/* Every fact row of table t must be written, not null (and not empty for containers), in at
 * least one of the objects objs: so the round trip below covers every row of the table. */
static void cover(const struct dbtls_ftable *t, const json_t *objs, const char *path)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const struct dbtls_field *f = &t->rows[i];
		json_t *vals, *inner, *v, *x;
		char sub[512];
		size_t k, j;

		if (f->flags & DBTLS_F_DERIVED)
			continue;
		if (f->kind == DBTLS_FK_INLINE) {
			cover(f->sub, objs, path);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s.%s", path, f->name);
		vals = values_of(objs, f->name);
		if (!json_array_size(vals)) {
			print_error(
			    "%s: no value (not null) in the fixture: the round trip does not "
			    "cover this row\n",
			    sub);
			uncovered++;
		}
		switch (f->kind) {
		case DBTLS_FK_OBJECT:
			cover(f->sub, vals, sub);
			break;
		case DBTLS_FK_ARRAY:
		case DBTLS_FK_MAP:
			inner = json_array();
			json_array_foreach(vals, k, v)
			{
				if (json_is_array(v))
					json_array_foreach(v, j, x) json_array_append(inner, x);
				else
					json_array_append(inner, v);
			}
			if (!json_array_size(inner) ||
			    (f->kind == DBTLS_FK_MAP &&
			     !json_object_size(json_array_get(inner, 0)))) {
				print_error("%s: always empty in the fixture\n", sub);
				uncovered++;
			}
			if (f->sub)
				cover(f->sub, inner, sub);
			json_decref(inner);
			break;
		case DBTLS_FK_KEYED: /* a row is covered when one of the keys has it */
			inner = json_array();
			for (k = 0; k < f->count; k++) {
				x = values_of(vals, f->key((int)k));
				json_array_extend(inner, x);
				json_decref(x);
			}
			cover(f->sub, inner, sub);
			json_decref(inner);
			break;
		default:
			break;
		}
		json_decref(vals);
	}
}

static void test_round_trip_covers_every_row(void **state)
{
	json_t *doc = fixture_doc(), *top = json_array();
	(void)state;

	json_array_append(top, doc);
	uncovered = 0;
	cover(&dbtls_report_table, top, "$");
	assert_int_equal(uncovered, 0);
	json_decref(top);
	json_decref(doc);
}

static void test_fields(void **state)
{
	struct dbtls_scan_facts s, b;
	struct dbtls_diag d = {0};
	const struct dbtls_endpoint_facts *e;
	char *text, *path;
	(void)state;

	fixture(&s);
	text = fx_render(&dbtls_report_json, &s, NULL, false);
	path = fx_tmpfile("report-read", text);
	assert_int_equal(dbtls_report_json_read(path, &b, &d), DBTLS_OK);

	assert_string_equal(b.tool_version, "0.0.7");
	assert_int_equal(b.started_at, 1700000000);
	assert_int_equal(b.finished_at, 1700000042);
	assert_int_equal(b.nendpoints, 3);
	assert_int_equal(b.endpoints[2].sql.status, DBTLS_SQL_FAILED);
	assert_int_equal(b.endpoints[2].sql.error_code, 1045);

	e = &b.endpoints[0];
	assert_string_equal(e->target, "mysql://db1.example:3306");
	assert_string_equal(e->protocol, "mysql");
	assert_string_equal(e->host, "db1.example");
	assert_int_equal(e->port, 3306);
	assert_string_equal(e->sni, "db1.example");
	assert_string_equal(e->address, "192.0.2.10");
	assert_int_equal(e->connections_used, 31);
	assert_int_equal(e->retries, 2);
	assert_string_equal(e->pipeline_fallback,
			    "the server version changed after the first connection");
	assert_true(e->duration_s > 3.2499 && e->duration_s < 3.2501);
	assert_true(e->server.greeting_seen);
	assert_string_equal(e->server.product, "MariaDB");
	assert_string_equal(e->server.version, "5.5.5-10.11.6-MariaDB-0+deb12u1");
	assert_int_equal(e->server.mysql.protocol_version, 10);
	assert_int_equal(e->server.mysql.capabilities, 0xF7FEFFFF);
	assert_int_equal(e->server.mysql.connection_id, 4242);
	assert_true(e->server.tls_offered);
	assert_true(e->server.xmpp.features_seen);
	assert_true(e->server.xmpp.starttls_required);
	assert_int_equal(e->server.xmpp.nmechanisms, 2);
	assert_string_equal(e->server.xmpp.mechanisms[1], "PLAIN");
	assert_true(e->alpn_hello_offered);
	assert_string_equal(e->alpn_hello, "h2");
	assert_int_equal(e->server.err_code, 0);
	assert_null(e->server.err_message);
	assert_int_equal(e->tls_offered, 1);

	assert_int_equal(e->versions[DBTLS_SSL2].status, DBTLS_VS_ACCEPTED);
	assert_int_equal(e->versions[DBTLS_SSL2].cipher, 0);
	assert_int_equal(e->versions[DBTLS_SSL2].nsuites, 2);
	assert_int_equal(e->versions[DBTLS_SSL2].suites[0], 0x010080);
	assert_int_equal(e->versions[DBTLS_SSL2].suites[1], 0x0700c0);
	assert_int_equal(e->versions[DBTLS_SSL2].server_order, -1);
	assert_int_equal(e->versions[DBTLS_SSL3].status, DBTLS_VS_REJECTED);
	assert_string_equal(e->versions[DBTLS_SSL3].reason, "alert handshake_failure (40)");
	assert_int_equal(e->versions[DBTLS_SSL3].nsuites, 0);
	assert_int_equal(e->versions[DBTLS_SSL3].server_order, -1);
	assert_int_equal(e->versions[DBTLS_TLS10].cipher, 0xc014);
	assert_int_equal(e->versions[DBTLS_TLS10].server_order, 0);
	assert_int_equal(e->versions[DBTLS_TLS11].status, DBTLS_VS_ERROR);
	assert_string_equal(e->versions[DBTLS_TLS11].reason, "timed out");
	assert_int_equal(e->versions[DBTLS_TLS12].status, DBTLS_VS_ACCEPTED);
	assert_int_equal(e->versions[DBTLS_TLS12].cipher, 0xc02f);
	assert_int_equal(e->versions[DBTLS_TLS12].nsuites, 4);
	assert_int_equal(e->versions[DBTLS_TLS12].suites[1], 0xc030);
	assert_int_equal(e->versions[DBTLS_TLS12].suites[3], 0xfefe); /* not in the registry */
	assert_int_equal(e->versions[DBTLS_TLS12].server_order, 1);
	assert_int_equal(e->versions[DBTLS_TLS13].cipher, 0x1301);
	assert_int_equal(e->versions[DBTLS_TLS13].server_order, -1);

	assert_int_equal(e->ngroups, 4);
	assert_int_equal(e->groups[0], 0x001d);
	assert_int_equal(e->groups[1], 0x0017);
	assert_int_equal(e->groups[2], 0x0100);
	assert_int_equal(e->groups[3], 0x6399);
	assert_int_equal(e->groups_version, DBTLS_TLS13);
	assert_int_equal(e->dh_bits, 2048);

	assert_int_equal(e->ncerts, 2);
	assert_string_equal(e->certs[0].subject, "CN=db1.example");
	assert_string_equal(e->certs[0].issuer, "CN=Test CA");
	assert_int_equal(e->certs[0].nsans, 3);
	assert_string_equal(e->certs[0].sans[1], "DNS:*.db.example");
	assert_string_equal(e->certs[0].sans[2], "IP:192.0.2.10");
	assert_string_equal(e->certs[0].serial, "5A3F09C2");
	assert_string_equal(e->certs[0].not_before, s.endpoints[0].certs[0].not_before);
	assert_int_equal(e->certs[0].not_before_t, 1690000000);
	assert_int_equal(e->certs[0].not_after_t, 1731536000);
	assert_int_equal(e->certs[0].days_left, 365);
	assert_string_equal(e->certs[0].key_type, "EC");
	assert_int_equal(e->certs[0].key_bits, 256);
	assert_string_equal(e->certs[0].curve, "prime256v1");
	assert_string_equal(e->certs[0].sig_alg, "ecdsa-with-SHA256");
	assert_string_equal(e->certs[0].sha256, s.endpoints[0].certs[0].sha256);
	assert_false(e->certs[0].self_signed);
	assert_false(e->certs[0].is_ca);
	assert_string_equal(e->certs[0].pem, s.endpoints[0].certs[0].pem);
	assert_int_equal(e->certs[1].nsans, 0);
	assert_null(e->certs[1].curve);
	assert_int_equal(e->certs[1].days_left, -12);
	assert_int_equal(e->certs[1].not_after_t, 2000000000);
	assert_true(e->certs[1].self_signed);
	assert_true(e->certs[1].is_ca);

	assert_true(e->verification.done);
	assert_false(e->verification.ca_ok);
	assert_true(e->verification.hostname_ok);
	assert_string_equal(e->verification.error, "self-signed certificate in certificate chain");
	assert_int_equal(e->verification.verify_code, 19);
	assert_string_equal(e->verification.hostname_checked, "db1.example");
	assert_string_equal(e->verification.ca_source, "system");
	assert_string_equal(e->verification.protocol, "TLSv1.3");
	assert_string_equal(e->verification.cipher, "TLS_AES_128_GCM_SHA256");
	assert_int_equal(e->nerrors, 1);
	assert_int_equal(e->errors[0].code, DBTLS_ERR_TIMEOUT);
	assert_string_equal(e->errors[0].stage, "probe TLSv1.1");

	/* the SQL facts: a variable the server lacks stays distinct from one never asked for */
	assert_int_equal(e->sql.status, DBTLS_SQL_OK);
	assert_true(e->sql.verify_cert);
	assert_string_equal(e->sql.account, "dbtls@%");
	assert_int_equal(e->sql.nsession, 3);
	assert_string_equal(e->sql.session[2].name, "Ssl_server_not_after");
	assert_int_equal(e->sql.nvariables, 4);
	assert_string_equal(e->sql.variables[2].name, "tls_ciphersuites");
	assert_null(e->sql.variables[2].value);
	assert_int_equal(e->sql.connections_status, DBTLS_SQL_AV_READ);
	assert_int_equal(e->sql.nconnections, 2);
	assert_int_equal(e->sql.connections[0].id, 9);
	assert_null(e->sql.connections[0].program);
	assert_string_equal(e->sql.connections[0].tls_version, "");
	assert_true(e->sql.connections[1].self);
	assert_string_equal(e->sql.accounts_source, "mysql.global_priv");
	assert_int_equal(e->sql.naccounts, 2);
	assert_true(e->sql.accounts[1].locked);
	assert_string_equal(e->sql.accounts[1].require, "ISSUER SUBJECT");
	assert_null(e->sql.accounts[0].issuer);
	assert_int_equal(e->sql.nunreadable, 1);
	assert_int_equal(e->sql.unreadable[0].code, 1142);

	e = &b.endpoints[1];
	assert_null(e->sni);
	assert_int_equal(e->port, 3307);
	assert_false(e->server.greeting_seen);
	assert_null(e->server.product);
	assert_false(e->server.tls_offered);
	assert_int_equal(e->server.err_code, 1129);
	assert_string_equal(e->server.err_sqlstate, "HY000");
	/* the writer escapes invalid UTF-8: the text survives, the raw byte does not */
	assert_string_equal(e->server.err_message, "Host '192.0.2.1' is blocked \\xff");
	assert_int_equal(e->tls_offered, 0);
	/* never probed: the writer reports "rejected, server offers no TLS" */
	for (int v = 0; v < DBTLS_NVERSIONS; v++) {
		assert_int_equal(e->versions[v].status, DBTLS_VS_REJECTED);
		assert_string_equal(e->versions[v].reason, "server offers no TLS");
		assert_int_equal(e->versions[v].server_order, -1);
	}
	assert_int_equal(e->ngroups, 0);
	assert_null(e->groups);
	assert_int_equal(e->groups_version, -1);
	assert_int_equal(e->dh_bits, 0);
	assert_int_equal(e->ncerts, 0);
	assert_false(e->verification.done);
	assert_null(e->verification.error);
	assert_int_equal(e->nerrors, 2);
	assert_int_equal(e->errors[0].code, DBTLS_ERR_SERVER_ERROR);
	assert_string_equal(e->errors[0].stage, "preamble");
	assert_int_equal(e->errors[1].code, DBTLS_ERR_NO_TLS);
	assert_null(e->errors[1].stage);
	assert_string_equal(e->errors[1].message, "server offers no TLS");
	assert_true(e->duration_s < 0.001);
	assert_int_equal(e->sql.status, DBTLS_SQL_SKIPPED);
	assert_false(e->sql.verify_cert);
	assert_int_equal(e->sql.nvariables, 0);

	fx_tmpfile_remove(path);
	free(text);
	dbtls_scan_facts_free(&b);
	dbtls_scan_facts_free(&s);
}

/* Keys a later dbtls may add, and the derived parts, are ignored; codes it may add are kept. */
static void test_tolerant(void **state)
{
	struct dbtls_scan_facts b;
	struct dbtls_diag d = {0};
	json_t *doc = fixture_doc(), *e0, *err;
	char *text, *path;
	(void)state;

	json_object_set_new(doc, "findings", json_pack("[{s:s}]", "id", "tls.min_version"));
	json_object_set_new(doc, "policy", json_pack("{s:s}", "name", "strict"));
	json_object_set_new(doc, "summary", json_pack("{s:i}", "fail", 3));
	e0 = ep(doc, 0);
	json_object_set_new(json_object_get(e0, "sql"), "tls_ciphersuites_default", json_true());
	err = json_object_get(json_object_get(e0, "sql"), "connections");
	json_object_set_new(json_array_get(json_object_get(err, "list"), 0), "ssl_cipher_list",
			    json_string("A:B"));
	json_object_set_new(
	    json_object_get(json_object_get(json_object_get(e0, "tls"), "versions"), "TLSv1.2"),
	    "fallback_scsv", json_true());
	err = json_array_get(json_object_get(e0, "errors"), 0);
	json_object_set_new(err, "code", json_string("SOME_FUTURE_CODE"));
	json_array_set_new(json_object_get(json_object_get(e0, "tls"), "groups"), 1,
			   json_string("0x0017"));
	text = dump(doc);
	path = fx_tmpfile("report-read", text);
	assert_int_equal(dbtls_report_json_read(path, &b, &d), DBTLS_OK);
	assert_int_equal(b.endpoints[0].errors[0].code, DBTLS_ERR_INTERNAL);
	assert_string_equal(b.endpoints[0].errors[0].message, "timed out");
	assert_int_equal(b.endpoints[0].groups[1], 0x0017);
	fx_tmpfile_remove(path);
	free(text);
	dbtls_scan_facts_free(&b);
}

static void test_not_json(void **state)
{
	(void)state;
	expect_parse_error("{\n  \"schema_version\": 1,\n  oops\n}\n", 3,
			   ": string or '}' expected near 'oops'");
	expect_parse_error("{\n\"schema_version\": 1,\n\"schema_version\": 1}", 3,
			   ": duplicate object key near '\"schema_version\"'");
	expect_parse_error("", 1, ": '[' or '{' expected near end of file");
	expect_failure("[1, 2]", DBTLS_ERR_INPUT,
		       ": expected a dbtls report (a JSON object), got an array");
}

static void test_schema_version(void **state)
{
	json_t *doc = fixture_doc();
	char *text;
	(void)state;

	json_object_set_new(doc, "schema_version", json_integer(2));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": schema_version: unsupported schema_version 2 (this dbtls reads 1)");
	free(text);
	doc = fixture_doc();
	json_object_set_new(doc, "schema_version", json_string("1"));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": schema_version: expected an integer, got a string");
	free(text);
}

static void test_wrong_types(void **state)
{
	json_t *doc, *v;
	char *text;
	(void)state;

	doc = fixture_doc();
	v = json_object_get(json_object_get(json_object_get(ep(doc, 0), "tls"), "versions"),
			    "TLSv1.2");
	json_object_set_new(json_array_get(json_object_get(v, "suites"), 3), "code",
			    json_integer(0xc02f));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[0].tls.versions.TLSv1.2.suites[3].code: expected a string like "
		       "0xC02F, got an integer");
	free(text);

	doc = fixture_doc();
	v = json_array_get(json_object_get(ep(doc, 0), "certificates"), 1);
	json_object_set_new(v, "not_after", json_string("2033-02-30T00:00:00Z"));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[0].certificates[1].not_after: expected an RFC 3339 UTC time "
		       "like 2026-11-23T19:30:00Z, got '2033-02-30T00:00:00Z'");
	free(text);

	doc = fixture_doc();
	json_object_set_new(json_object_get(ep(doc, 1), "tls"), "offered", json_string("no"));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[1].tls.offered: expected true, false or null, got a string");
	free(text);

	doc = fixture_doc();
	json_object_del(json_object_get(ep(doc, 1), "server"), "tls_offered");
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[1].server.tls_offered: missing (expected true, false or null)");
	free(text);

	doc = fixture_doc();
	json_array_set_new(json_object_get(json_object_get(ep(doc, 0), "tls"), "groups"), 2,
			   json_string("ffdhe1024"));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[0].tls.groups[2]: unknown group 'ffdhe1024' (expected a name "
		       "like x25519 or 0x001D)");
	free(text);

	doc = fixture_doc();
	json_object_set_new(ep(doc, 0), "port", json_integer(70000));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[0].port: 70000 is out of range (0 to 65535)");
	free(text);

	doc = fixture_doc();
	json_object_set_new(json_object_get(ep(doc, 0), "sql"), "status", json_string("fine"));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[0].sql.status: unknown value 'fine' (expected ok … skipped)");
	free(text);

	doc = fixture_doc();
	v = json_object_get(json_object_get(ep(doc, 0), "sql"), "connections");
	json_object_set_new(json_array_get(json_object_get(v, "list"), 1), "id", json_string("12"));
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[0].sql.connections.list[1].id: expected an integer, got a "
		       "string");
	free(text);

	doc = fixture_doc();
	v = json_object_get(json_object_get(ep(doc, 0), "sql"), "variables");
	json_object_set_new(v, "have_ssl", json_true());
	text = dump(doc);
	expect_failure(text, DBTLS_ERR_INPUT,
		       ": endpoints[0].sql.variables.have_ssl: expected a string or null, got a "
		       "boolean");
	free(text);
}

static void test_missing_file(void **state)
{
	struct dbtls_scan_facts out;
	struct dbtls_diag d = {0};
	(void)state;

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(dbtls_report_json_read("/nonexistent/dbtls/r.json", &out, &d),
			 DBTLS_ERR_FILE);
	assert_string_equal(d.msg, "/nonexistent/dbtls/r.json: No such file or directory");
	assert_true(is_zero(&out, sizeof(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_round_trip_covers_every_row),
	    cmocka_unit_test(test_alpn),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_tolerant),
	    cmocka_unit_test(test_not_json),
	    cmocka_unit_test(test_schema_version),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
