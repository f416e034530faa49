/* SPDX-License-Identifier: MIT */
/*
 * generic.c — fix texts for any TLS service (a terminator, a proxy, a server dbtls knows nothing
 * more about): OpenSSL configuration terms. Every text is set here, so a product that leaves one
 * out still gets a fix.
 */
#include <stdio.h>

#include "checks/remedy/remedy.h"

static bool ge_matches(const struct dbtls_endpoint_facts *f)
{
	(void)f;
	return true;
}

static char *ge_versions(const struct dbtls_endpoint_facts *f, const char *list,
			 const char *min_name)
{
	(void)f;
	return dbtls_remedy_printf("Accept only %s on this endpoint's TLS terminator (OpenSSL: "
				   "MinProtocol = %s).",
				   list, min_name);
}

static char *ge_suites(const struct dbtls_endpoint_facts *f, const char *ciphers)
{
	(void)f;
	return dbtls_remedy_printf("Restrict the TLS terminator's cipher list to %s.", ciphers);
}

static char *ge_cert(const struct dbtls_endpoint_facts *f, const char *what)
{
	(void)f;
	return dbtls_strdup(what);
}

static char *ge_auto_cert(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)f;
	return dbtls_strdup(general);
}

static char *ge_general(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)f;
	return dbtls_strdup(general);
}

static char *ge_not_offered_evidence(const struct dbtls_endpoint_facts *f)
{
	(void)f;
	return dbtls_strdup("the endpoint does not answer a ClientHello with TLS");
}

static char *ge_tls13(const struct dbtls_endpoint_facts *f, const char *versions_fix)
{
	(void)f;
	return dbtls_remedy_printf("TLS 1.3 needs OpenSSL 1.1.1 or later on the terminator. %s",
				   versions_fix);
}

static char *ge_dh_prime(const struct dbtls_endpoint_facts *f, int min_bits, int ffdhe_bits,
			 const char *suites_fix)
{
	(void)f;
	return dbtls_remedy_printf(
	    "Give the TLS terminator DH parameters of at least %d bits (e.g. "
	    "the RFC 7919 group ffdhe%d), or leave DHE out: %s",
	    min_bits, ffdhe_bits, suites_fix);
}

static char *ge_groups(const struct dbtls_endpoint_facts *f, const char *groups)
{
	(void)f;
	return dbtls_remedy_printf("Restrict the TLS terminator's key-exchange groups (OpenSSL: "
				   "Groups = %s).",
				   groups);
}

static char *ge_server_order(const struct dbtls_endpoint_facts *f, const char *strict,
			     const char *general)
{
	(void)f;
	(void)strict;
	return dbtls_strdup(general);
}

static char *ge_ca_rotation(const struct dbtls_endpoint_facts *f)
{
	(void)f;
	return dbtls_strdup("Install a certificate issued under the new CA (with its "
			    "intermediates) before clients drop the old root; until then clients "
			    "need both roots.");
}

static char *ge_require_tls(const struct dbtls_endpoint_facts *f)
{
	(void)f;
	return dbtls_strdup("Make TLS mandatory: refuse every session (and every authentication "
			    "step) that has not upgraded to TLS.");
}

static char *ge_alpn(const struct dbtls_endpoint_facts *f, const char *protocol,
		     const char *general)
{
	(void)f;
	return dbtls_remedy_printf("%s (ALPN protocol \"%s\")", general, protocol);
}

static char *ge_accounts_no_tls(const struct dbtls_endpoint_facts *f, const char *general)
{
	(void)f;
	return dbtls_strdup(general);
}

const struct dbtls_remedy_product dbtls_remedy_generic = {
    .name = "generic",
    .matches = ge_matches,
    .versions = ge_versions,
    .suites = ge_suites,
    .cert = ge_cert,
    .auto_cert = ge_auto_cert,
    .not_offered = ge_general,
    .not_offered_evidence = ge_not_offered_evidence,
    .tls13 = ge_tls13,
    .dh_prime = ge_dh_prime,
    .groups = ge_groups,
    .server_order = ge_server_order,
    .ca_rotation = ge_ca_rotation,
    .require_tls = ge_require_tls,
    .alpn = ge_alpn,
    .accounts_no_tls = ge_accounts_no_tls,
    .plain_connections = ge_accounts_no_tls, /* the check's text, unchanged */
};
