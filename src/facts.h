/* SPDX-License-Identifier: MIT */
/*
 * facts.h — everything a scan learns about an endpoint, as one plain struct tree.
 *
 * Probes write facts; checks and reports only read them (const). Strings inside facts are owned
 * by the struct that holds them (heap, NUL-terminated, NULL when unknown) and released by
 * dbtls_endpoint_facts_free() / dbtls_scan_facts_free(). Nothing here does I/O.
 */
#ifndef DBTLS_FACTS_H
#define DBTLS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

enum dbtls_version {
	DBTLS_SSL2 = 0,
	DBTLS_SSL3,
	DBTLS_TLS10,
	DBTLS_TLS11,
	DBTLS_TLS12,
	DBTLS_TLS13,
	DBTLS_NVERSIONS
};

/* Returns the report name of v ("SSLv2" … "TLSv1.3"), borrowed and static. */
const char *dbtls_version_name(enum dbtls_version v);
/* Returns the wire code of v (0x0002 for SSLv2, 0x0300 … 0x0304). */
uint16_t dbtls_version_code(enum dbtls_version v);
/* Maps a wire code back; returns false for codes that are no known version. */
bool dbtls_version_from_code(uint16_t code, enum dbtls_version *v);

enum dbtls_vstatus {
	DBTLS_VS_NOT_PROBED = 0,
	DBTLS_VS_ACCEPTED,
	DBTLS_VS_REJECTED,
	DBTLS_VS_ERROR,
};
const char *dbtls_vstatus_name(enum dbtls_vstatus s); /* "accepted", "rejected", "error", "not_probed" */

struct dbtls_version_facts {
	enum dbtls_vstatus status;
	char *reason;        /* how the server answered: "alert handshake_failure (40)", … */
	uint16_t cipher;     /* suite picked by the version probe, 0 if none */
	uint32_t *suites;    /* accepted suites in server (or client) preference order (cipher enumeration) */
	size_t nsuites;
	int server_order;    /* 1 server enforces its order, 0 follows the client, -1 unknown */
};

struct dbtls_server_info {
	bool greeting_seen;       /* the preamble read a greeting (protocol-dependent) */
	char *product;            /* "MariaDB", "MySQL", … */
	char *version;            /* version string as sent, e.g. "5.5.5-10.11.19-MariaDB-0+deb12u1" */
	int protocol_version;     /* MySQL protocol version (10) */
	uint32_t capabilities;    /* MySQL capability flags */
	uint32_t connection_id;
	bool tls_offered;         /* the server advertised TLS (CLIENT_SSL); true for direct TLS */
	/* a server error packet in place of a greeting or a hello answer */
	int err_code;             /* 0 when none */
	char *err_sqlstate;
	char *err_message;
};

struct dbtls_cert {
	char *subject;            /* RFC 2253 */
	char *issuer;
	char **sans;              /* "DNS:name", "IP:1.2.3.4", … */
	size_t nsans;
	char *serial;             /* hex, upper case */
	char *not_before;         /* RFC 3339 UTC */
	char *not_after;
	time_t not_before_t;
	time_t not_after_t;
	long days_left;           /* whole days from the scan time to not_after (negative when expired) */
	char *key_type;           /* "RSA", "EC", "DSA", "ED25519", "ED448", … */
	int key_bits;
	char *curve;              /* EC curve name, NULL otherwise */
	char *sig_alg;            /* "sha256WithRSAEncryption", … */
	char sha256[65];          /* lower-case hex fingerprint of the DER */
	bool self_signed;
	bool is_ca;               /* basicConstraints CA:TRUE */
	char *pem;                /* the certificate, PEM */
};

struct dbtls_verification {
	bool done;                /* a full handshake completed and the chain was examined */
	bool ca_ok;               /* chain verifies against the CA bundle (VERIFY_CA) */
	bool hostname_ok;         /* leaf matches the host name / IP (VERIFY_IDENTITY) */
	char *error;              /* OpenSSL verify error text when !ca_ok, NULL otherwise */
	int verify_code;          /* X509_V_* code */
	char *hostname_checked;   /* name or IP that was checked */
	char *ca_source;          /* CA file used, or "system" */
	char *protocol;           /* version negotiated by the full handshake */
	char *cipher;             /* suite negotiated by the full handshake (IANA name) */
};

struct dbtls_error_fact {
	enum dbtls_err code;
	char *message;
	char *stage;              /* "connect", "preamble", "probe TLSv1.2", "handshake", … */
};

struct dbtls_endpoint_facts {
	/* the target, as the scan was asked for it */
	char *target;             /* as given */
	char *protocol;           /* preamble scheme: "mysql", "tls" */
	char *host;
	uint16_t port;
	char *sni;                /* SNI sent, NULL when none */
	char *address;            /* numeric address connected to, NULL if never resolved */

	struct dbtls_server_info server;
	int tls_offered;          /* 1 yes, 0 no, -1 unknown (never got that far) */
	struct dbtls_version_facts versions[DBTLS_NVERSIONS];
	uint16_t *groups;         /* accepted key-exchange groups, in the order the server picked them */
	size_t ngroups;
	int groups_version;       /* version the groups were probed with (enum dbtls_version), -1 none */
	int dh_bits;              /* smallest DHE prime size seen, 0 when no DHE suite was accepted */
	struct dbtls_cert *certs; /* served chain, leaf first */
	size_t ncerts;
	struct dbtls_verification verification;

	struct dbtls_error_fact *errors;
	size_t nerrors;
	unsigned connections_used;
	double duration_s;
};

struct dbtls_scan_facts {
	char *tool_version;
	time_t started_at;
	time_t finished_at;
	struct dbtls_endpoint_facts *endpoints;
	size_t nendpoints;
};

/* Frees everything inside f (not f itself); f may be NULL. */
void dbtls_endpoint_facts_free(struct dbtls_endpoint_facts *f);
void dbtls_cert_free(struct dbtls_cert *c);
/* Frees the strings inside v and zeroes it. */
void dbtls_verification_free(struct dbtls_verification *v);
/* Frees everything inside s (not s itself). */
void dbtls_scan_facts_free(struct dbtls_scan_facts *s);
/* Appends an error to f (copies message/stage); returns NOMEM or OK. */
enum dbtls_err dbtls_facts_add_error(struct dbtls_endpoint_facts *f, enum dbtls_err code,
				     const char *stage, const char *message);
/* True when f counts as scanned: no errors and the TLS status is known. */
bool dbtls_endpoint_scanned(const struct dbtls_endpoint_facts *f);
/* strdup that tolerates NULL; returns new or NULL. */
char *dbtls_strdup(const char *s);
/* Formats t as RFC 3339 UTC ("2026-11-23T19:30:00Z") into out (>= 21 bytes). */
void dbtls_rfc3339(time_t t, char *out, size_t outlen);

#endif
