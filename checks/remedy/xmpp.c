/* SPDX-License-Identifier: MIT */
/*
 * xmpp.c — fix texts for XMPP servers (xmpp://, xmpp-server://, xmpps://): Prosody
 * (prosody.cfg.lua), ejabberd (ejabberd.yml) and Openfire (system properties). The stream
 * features rarely name the software (Debian's Prosody and ejabberd send no XEP-0115 caps), so
 * a text names the product the greeting gave, else all three.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/remedy/remedy.h"

static bool xm_matches(const struct dbtls_endpoint_facts *f)
{
	return f->protocol && strncmp(f->protocol, "xmpp", 4) == 0;
}

/* The product the greeting named: 'p' Prosody, 'e' ejabberd, 'o' Openfire, 0 unknown. */
static char xm_which(const struct dbtls_endpoint_facts *f)
{
	const char *p = f->server.product;

	if (!p)
		return 0;
	if (!strcmp(p, "Prosody"))
		return 'p';
	if (!strcmp(p, "ejabberd"))
		return 'e';
	if (!strcmp(p, "Openfire"))
		return 'o';
	return 0;
}

/* Joins the texts for the known product, or all three labelled. */
static char *xm_pick(const struct dbtls_endpoint_facts *f, const char *prosody,
		     const char *ejabberd, const char *openfire)
{
	switch (xm_which(f)) {
	case 'p':
		return dbtls_remedy_printf("Prosody: %s", prosody);
	case 'e':
		return dbtls_remedy_printf("ejabberd: %s", ejabberd);
	case 'o':
		return dbtls_remedy_printf("Openfire: %s", openfire);
	}
	return dbtls_remedy_printf("Prosody: %s\nejabberd: %s\nOpenfire: %s", prosody, ejabberd,
				   openfire);
}

static char *xm_versions(const struct dbtls_endpoint_facts *f, const char *list,
			 const char *min_name)
{
	char pr[256], ej[256], of[256];
	bool t13 = !strcmp(min_name, "TLSv1.3");

	snprintf(pr, sizeof(pr),
		 "in prosody.cfg.lua, ssl = { protocol = \"%s\" } (accepts %s); restart prosody.",
		 t13 ? "tlsv1_3+" : "tlsv1_2+", list);
	snprintf(ej, sizeof(ej),
		 "in ejabberd.yml, on each listener and for s2s: protocol_options: [no_sslv3, "
		 "no_tlsv1, no_tlsv1_1%s] (accepts %s); ejabberdctl reload_config.",
		 t13 ? ", no_tlsv1_2" : "", list);
	snprintf(of, sizeof(of),
		 "set the system properties xmpp.socket.ssl.protocols (and "
		 "xmpp.socket.ssl.client.protocols) to %s; restart Openfire.",
		 list);
	return xm_pick(f, pr, ej, of);
}

static char *xm_suites(const struct dbtls_endpoint_facts *f, const char *ciphers)
{
	char pr[384], ej[384], of[384];

	snprintf(pr, sizeof(pr), "in prosody.cfg.lua, ssl = { ciphers = \"%s\" }; restart prosody.",
		 ciphers);
	snprintf(ej, sizeof(ej),
		 "in ejabberd.yml, c2s_ciphers: \"%s\" and s2s_ciphers: \"%s\"; ejabberdctl "
		 "reload_config.",
		 ciphers, ciphers);
	snprintf(of, sizeof(of),
		 "set xmpp.socket.ssl.ciphersuites to the Java names of %s; restart Openfire.",
		 ciphers);
	return xm_pick(f, pr, ej, of);
}

static char *xm_cert(const struct dbtls_endpoint_facts *f, const char *what)
{
	char *body = xm_pick(f,
			     "certificate and key per host (ssl = { certificate = …; key = … } "
			     "in the VirtualHost, or `prosodyctl cert import`); the name must be "
			     "the XMPP domain (or an SRV-ID/xmppAddr for it); restart prosody.",
			     "certfiles: in ejabberd.yml (certificate, chain and key in one PEM); "
			     "ejabberdctl reload_config.",
			     "import the certificate and chain for the XMPP domain in the admin "
			     "console (Server > TLS/SSL Certificates); restart Openfire.");
	char *out = body ? dbtls_remedy_printf("%s\n%s", what, body) : NULL;

	free(body);
	return out;
}

static char *xm_not_offered(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)general;
	return xm_pick(
	    f,
	    "load mod_tls (modules_enabled = { \"tls\", … }) with ssl = { certificate = …; "
	    "key = … }, then c2s_require_encryption = true and s2s_require_encryption = true.",
	    "on the ejabberd_c2s listener starttls_required: true (and s2s_use_starttls: "
	    "required) with certfiles: set.",
	    "set xmpp.client.tls.policy = required (and xmpp.server.tls.policy = required).");
}

static char *xm_not_offered_evidence(const struct dbtls_endpoint_facts *f)
{
	if (!strcmp(f->protocol, "xmpps"))
		return dbtls_strdup("the direct-TLS port does not answer a ClientHello with TLS");
	return dbtls_strdup("the XMPP stream features offer no <starttls/> (or the server "
			    "answered it with <failure/>)");
}

static char *xm_require_tls(const struct dbtls_endpoint_facts *f)
{
	return xm_pick(f,
		       "in prosody.cfg.lua, c2s_require_encryption = true (and "
		       "s2s_require_encryption = true); SASL is then offered only after TLS. "
		       "Restart prosody.",
		       "on each ejabberd_c2s listener in ejabberd.yml, starttls_required: true "
		       "(s2s: s2s_use_starttls: required); ejabberdctl reload_config.",
		       "set xmpp.client.tls.policy = required (and xmpp.server.tls.policy = "
		       "required); restart Openfire.");
}

const struct dbtls_remedy_product dbtls_remedy_xmpp = {
    .name = "xmpp",
    .matches = xm_matches,
    .base = &dbtls_remedy_generic,
    .versions = xm_versions,
    .suites = xm_suites,
    .cert = xm_cert,
    .not_offered = xm_not_offered,
    .not_offered_evidence = xm_not_offered_evidence,
    .require_tls = xm_require_tls,
};
