/* SPDX-License-Identifier: MIT */
/*
 * sim.h — client impact: which database clients would still connect to an endpoint, as it is or
 * after a proposed change, simulated from the scan's facts and client profiles (data/clients/).
 *
 * The layer reads only facts, profiles and the registry: no I/O, no globals but static tables.
 * A profile is what a client offers in its ClientHello (recorded here from the real client by
 * tests/clients/capture.py, or written from documentation) plus the limits and verification
 * defaults that are not on the wire. A client that does not verify the certificate by default
 * (MySQL PREFERRED, sslmode=prefer) is never "connects": it is "connects_unverified".
 * Ownership: profiles own their strings and arrays; dbtls_client_profile_free() releases one.
 */
#ifndef DBTLS_SIM_H
#define DBTLS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/err.h"
#include "src/facts/facts.h"

enum dbtls_client_verify {
	DBTLS_CV_NONE = 0, /* TLS without verification (PREFERRED, prefer, trust) */
	DBTLS_CV_CA,	   /* the chain must verify against the trust store */
	DBTLS_CV_IDENTITY, /* and the host name must match */
};

struct dbtls_client_profile {
	char *name;	/* "mariadb-cli" */
	char *title;	/* "mariadb CLI 10.11 (Connector/C 3.3, OpenSSL 3.0)" */
	char *protocol; /* "mysql", "postgres" */
	char *provenance; /* "recorded here from … by tests/clients/capture.py on …" / "documented:
			     …" */
	bool recorded;
	bool versions[DBTLS_NVERSIONS]; /* offered */
	uint32_t *suites;		/* in the client's order (no SCSV, no GREASE) */
	size_t nsuites;
	uint16_t *groups; /* supported_groups in order */
	size_t ngroups;
	uint16_t *key_shares;
	size_t nkey_shares;
	uint16_t *sigalgs; /* signature_algorithms; none: any (TLS <= 1.1) */
	size_t nsigalgs;
	char **alpn; /* offered ALPN names */
	size_t nalpn;
	bool sni;	    /* sends server_name for host names */
	int dh_min_bits;    /* 0: no limit */
	int dh_max_bits;    /* 0: no limit */
	int rsa_min_bits;   /* certificate RSA keys, 0: no limit */
	int rsa_max_bits;   /* 0: no limit */
	bool limits_always; /* the RSA limits hold without verification too (JDK, Go) */
	enum dbtls_client_verify verify; /* default verification once TLS is on */
	char *trust_store;		 /* "system", "jdk-cacerts", "node-bundled", "configured" */
	char *note;			 /* how TLS is turned on, what the default is */
};

/* Frees everything inside p and zeroes it; p may be NULL. */
void dbtls_client_profile_free(struct dbtls_client_profile *p);
/* Parses one profile from JSON text (data/clients/NAME.json). Fills *p (caller frees with
 * dbtls_client_profile_free) and returns OK; INPUT with d->message saying what is wrong. */
enum dbtls_err dbtls_client_profile_parse(const char *json, size_t len,
					  struct dbtls_client_profile *p, struct dbtls_diag *d);

/* The built-in profiles (data/clients, embedded by data/gen-clients.awk into clients_gen.c). */
struct dbtls_builtin_client {
	const char *name;
	const char *json;
};
extern const struct dbtls_builtin_client dbtls_builtin_clients[];
extern const size_t dbtls_nbuiltin_clients;

/* A change not made yet (--proposed): what replaces the scanned facts. Borrowed members. */
struct dbtls_sim_proposal {
	bool has_versions;
	bool versions[DBTLS_NVERSIONS]; /* tls_version: what the server would accept */
	const uint32_t *suites; /* ssl_cipher expanded (TLS <= 1.2), in order; NULL: as is */
	size_t nsuites;
	const struct dbtls_cert *certs; /* proposed chain, leaf first (then the anchor the CA
					 * bundle gave it, when found); NULL: as served */
	size_t ncerts;
	/* the proposed chain against the proposed CA bundle: 1 verifies, 0 does not (error says
	 * why), -1 not known (no bundle given) */
	int chain_verifies;
	const char *chain_error;
	bool ca_private; /* the bundle is the user's own, in no client's default trust store */
};

/*
 * Simulates profile p against endpoint e (and proposal pr, or NULL for the current facts) into
 * *out (new strings; free with dbtls_client_sim_free). config is "current" or "proposed". Returns
 * OK or NOMEM; the outcome itself (fails, unknown) is a result, not an error.
 */
enum dbtls_err dbtls_sim_run(const struct dbtls_endpoint_facts *e,
			     const struct dbtls_client_profile *p,
			     const struct dbtls_sim_proposal *pr, struct dbtls_client_sim *out);

/* Parses a version list "TLSv1.2,TLSv1.3" (also space/colon separated, as MariaDB's tls_version
 * and PostgreSQL's ssl_min_protocol_version take them) into v[]; false on an unknown name. */
bool dbtls_sim_versions_parse(const char *s, bool v[DBTLS_NVERSIONS]);

#endif
