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

#include "src/core/err.h"

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
const char *
dbtls_vstatus_name(enum dbtls_vstatus s); /* "accepted", "rejected", "error", "not_probed" */

struct dbtls_version_facts {
	enum dbtls_vstatus status;
	char *reason;	  /* how the server answered: "alert handshake_failure (40)", … */
	uint16_t cipher;  /* suite picked by the version probe, 0 if none */
	uint32_t *suites; /* accepted suites in server (or client) preference order (cipher
			     enumeration) */
	size_t nsuites;
	int server_order; /* 1 server enforces its order, 0 follows the client, -1 unknown */
};

/* What only a MySQL/MariaDB greeting carries (protocol "mysql"; zero for every other). */
struct dbtls_server_mysql {
	int protocol_version;  /* MySQL protocol version (10) */
	uint32_t capabilities; /* MySQL capability flags */
	uint32_t connection_id;
};

/* What only an XMPP stream carries (protocols "xmpp", "xmpp-server"; zero for every other). */
struct dbtls_server_xmpp {
	bool features_seen;	/* the server sent its <stream:features> before TLS */
	bool starttls_required; /* … with <starttls><required/></starttls> (RFC 6120 §5.3.1) */
	char **mechanisms;	/* SASL mechanisms offered before TLS, in the server's order */
	size_t nmechanisms;
};

/* What the preamble learnt of the server: protocol-neutral fields, then one sub-struct per
 * protocol for what only that protocol's greeting has. */
struct dbtls_server_info {
	bool greeting_seen; /* the preamble read a greeting (protocol-dependent) */
	char *product;	    /* "MariaDB", "MySQL", … */
	char *version;	    /* version string as sent, e.g. "5.5.5-10.11.19-MariaDB-0+deb12u1" */
	struct dbtls_server_mysql mysql;
	struct dbtls_server_xmpp xmpp;
	bool tls_offered; /* the server advertised TLS (CLIENT_SSL); true for direct TLS */
	/* a server error packet in place of a greeting or a hello answer */
	int err_code; /* 0 when none */
	char *err_sqlstate;
	char *err_message;
};

enum dbtls_rev_status {
	DBTLS_REV_NOT_CHECKED = 0, /* not asked for (e.g. --revocation-leaf-only, a root) */
	DBTLS_REV_GOOD,
	DBTLS_REV_REVOKED,
	DBTLS_REV_UNKNOWN,     /* the responder does not know the certificate */
	DBTLS_REV_UNAVAILABLE, /* no answer to be had: no URL, timeout, bad response */
	/* a private PKI without revocation: the chain ends in a CA of the user's --ca-file and no
	 * certificate names an OCSP responder or CRL, so there is nothing to ask (and nothing
	 * down); not the same fact as a public chain whose responder does not answer */
	DBTLS_REV_NOT_APPLICABLE,
};
/* "not_checked", "good", "revoked", "unknown", "unavailable", "not_applicable" (borrowed,
 * static). */
const char *dbtls_rev_status_name(enum dbtls_rev_status s);

struct dbtls_revocation {
	enum dbtls_rev_status status;
	char *source;	   /* "stapled OCSP", "OCSP http://…", "CRL http://…", "CRL file …" */
	char *revoked_at;  /* RFC 3339, when revoked */
	char *reason;	   /* CRL reason name ("keyCompromise"), when revoked and given */
	char *this_update; /* RFC 3339, of the OCSP response / CRL used */
	char *next_update;
	char *detail; /* why unknown/unavailable, or what was tried */
};

struct dbtls_cert {
	char *subject; /* RFC 2253 */
	char *issuer;
	char **sans; /* "DNS:name", "IP:1.2.3.4", … */
	size_t nsans;
	char *serial;	  /* hex, upper case */
	char *not_before; /* RFC 3339 UTC */
	char *not_after;
	time_t not_before_t;
	time_t not_after_t;
	long days_left; /* whole days from the scan time to not_after (negative when expired) */
	char *key_type; /* "RSA", "EC", "DSA", "ED25519", "ED448", … */
	int key_bits;
	char *curve;	 /* EC curve name, NULL otherwise */
	char *sig_alg;	 /* "sha256WithRSAEncryption", … */
	char sha256[65]; /* lower-case hex fingerprint of the DER */
	bool self_signed;
	bool is_ca; /* basicConstraints CA:TRUE */
	char *pem;  /* the certificate, PEM */
	/* extended key usage: "serverAuth", "clientAuth", … or dotted OIDs; has_eku false when the
	 * extension is absent (then any usage is allowed) */
	char **eku;
	size_t neku;
	bool has_eku;
	uint32_t key_usage; /* X509v3 keyUsage bits as OpenSSL's KU_* (0x80 digitalSignature,
			     * 0x20 keyEncipherment, 0x04 keyCertSign …) */
	bool has_key_usage;
	char *ocsp_url;	 /* authorityInfoAccess OCSP responder, NULL if none */
	char **crl_urls; /* CRL distribution points (URIs) */
	size_t ncrl_urls;
	struct dbtls_revocation revocation;
};

/* keyUsage bits (as OpenSSL's KU_* and struct dbtls_cert.key_usage) and their RFC 5280 names,
 * for the report writer and reader alike. */
struct dbtls_key_usage_name {
	uint32_t bit;
	const char *name;
};
extern const struct dbtls_key_usage_name dbtls_key_usage_names[];
extern const size_t dbtls_nkey_usage_names;

/* The served chain as a path: what a client that trusts the CA bundle would build from it. */
struct dbtls_chain_facts {
	bool analysed;
	bool incomplete;      /* the path needs an intermediate the server did not send */
	char *missing_issuer; /* subject of the first certificate the server should have sent */
	bool misordered;      /* a served certificate is not followed by its issuer */
	size_t extra;	      /* served certificates that are not on the path */
	bool anchor_served;   /* the server sent the trust anchor itself (harmless, wasted bytes) */
	char *anchor_subject; /* trust anchor the path ends in (from the bundle), NULL if none */
	char *anchor_sha256;
	time_t anchor_not_after;
	long anchor_days_left;
};

/* CA rotation readiness: would clients that trust only the new bundle accept this chain? */
struct dbtls_rotation_facts {
	bool checked;	      /* --new-ca-file was given and a chain was collected */
	bool ready;	      /* the served chain verifies against the new bundle alone */
	char *error;	      /* why not, when not ready */
	char *anchor_subject; /* the new bundle's anchor the path ends in, when ready */
	char *anchor_sha256;
	long anchor_days_left;
};

/* Whether the served chain anchors in the system trust store (OpenSSL's default verify paths,
 * SSL_CERT_FILE / SSL_CERT_DIR), whatever --ca-file says: the CA/Browser Forum's rules bind
 * publicly trusted CAs only (src/pki/trust.c). Dates are not judged here (an expired public
 * chain is still a public one); a private root an administrator installed into the system
 * store counts as anchored too. */
struct dbtls_public_trust {
	bool checked; /* a chain was served and the system store consulted */
	int anchored; /* 1: the path ends in a system root; 0: it does not; -1: cannot tell */
	char *anchor; /* 1: that root's subject (RFC 2253); NULL otherwise */
	char *store;  /* what was consulted: the hashed directory, else the file ("FILE, DIR":
			 neither) */
	char *detail; /* 0: the verify error; -1: why not (store empty or unreadable); NULL */
};

/* The session ticket of the full handshake (RFC 5077 for TLS 1.2; RFC 8446 §4.6.1 for TLS 1.3,
 * where the NewSessionTicket comes after the handshake and dbtls reads for it a short while). */
struct dbtls_ticket_facts {
	bool probed; /* the handshake looked (false in reports from before: no object) */
	/* 1 a NewSessionTicket arrived; 0 none (TLS 1.2: the handshake ended without one although
	 * the client offered the extension); -1 could not tell (TLS 1.3: none arrived in the short
	 * read after the handshake) */
	int issued;
	long lifetime_s; /* its lifetime hint in seconds (TLS 1.2: 0 is "unspecified"); -1 none */
};

struct dbtls_verification {
	bool done;		/* a full handshake completed and the chain was examined */
	bool ca_ok;		/* chain verifies against the CA bundle (VERIFY_CA) */
	bool hostname_ok;	/* leaf matches the host name / IP (VERIFY_IDENTITY) */
	char *error;		/* OpenSSL verify error text when !ca_ok, NULL otherwise */
	int verify_code;	/* X509_V_* code */
	char *hostname_checked; /* name or IP that was checked */
	char *ca_source;	/* CA file used, or "system" */
	char *protocol;		/* version negotiated by the full handshake */
	char *cipher;		/* suite negotiated by the full handshake (IANA name) */
	bool stapled;		/* the server stapled an OCSP response (status_request) */
	bool alpn_offered;	/* the handshake offered ALPN (the protocol's list or --alpn) */
	char *alpn;		/* the ALPN protocol the server selected; NULL: none */
	struct dbtls_chain_facts chain;
	struct dbtls_rotation_facts rotation;
	struct dbtls_public_trust public_trust;
	struct dbtls_ticket_facts ticket;
};

/* What the server does when a client offers one particular ALPN protocol (the preamble's
 * alpn_probe: PostgreSQL's "postgresql", which libpq 17 offers even after an SSLRequest). */
enum dbtls_alpn_outcome {
	DBTLS_ALPN_NOT_PROBED = 0,
	DBTLS_ALPN_SELECTED, /* the handshake completed and the server selected it */
	DBTLS_ALPN_IGNORED,  /* the handshake completed without any ALPN selected */
	DBTLS_ALPN_REFUSED,  /* the handshake offering it failed (a proxy that refuses it) */
	DBTLS_ALPN_OTHER,    /* the server selected another protocol (a protocol violation) */
	DBTLS_ALPN_UNKNOWN,  /* the probe could not tell (no handshake succeeded at all) */
};
/* "not_probed", "selected", "ignored", "refused", "other", "unknown" (borrowed, static). */
const char *dbtls_alpn_outcome_name(enum dbtls_alpn_outcome o);

struct dbtls_alpn_probe {
	bool probed;
	char *protocol; /* the ALPN name offered: "postgresql" */
	enum dbtls_alpn_outcome outcome;
	char *selected; /* OTHER: what the server selected instead */
	char *detail;	/* how it was learnt; REFUSED / UNKNOWN: how the handshake ended */
	/* the protocol's clients offer it in every handshake and need it selected (it is in the
	 * preamble's own ALPN list: postgres+direct); false: clients may offer it after their own
	 * TLS negotiation (SSLRequest) and accept a server that ignores it */
	bool required;
};

struct dbtls_error_fact {
	enum dbtls_err code;
	char *message;
	char *stage; /* "connect", "preamble", "probe TLSv1.2", "handshake", … */
};

/* What the server itself says about TLS over an SQL login (scan --sql, MySQL/MariaDB;
 * src/sql_mysql.c). A part the login may not read is a fact (unreadable), never an error. */
enum dbtls_sql_status {
	DBTLS_SQL_NOT_RUN = 0, /* no --sql: the report has no "sql" object */
	DBTLS_SQL_OK,	       /* logged in; what could be read is below */
	DBTLS_SQL_FAILED,      /* the login failed: reason, error_code (and an endpoint error) */
	DBTLS_SQL_SKIPPED,     /* not attempted: reason (no TLS, not MySQL) */
};
/* "not_run", "ok", "failed", "skipped" (borrowed, static). */
const char *dbtls_sql_status_name(enum dbtls_sql_status s);

enum dbtls_sql_avail {
	DBTLS_SQL_AV_NOT_COLLECTED = 0,
	DBTLS_SQL_AV_READ,
	DBTLS_SQL_AV_DISABLED,	 /* performance_schema is OFF (or not compiled in) */
	DBTLS_SQL_AV_UNREADABLE, /* the statement failed (privileges): see unreadable */
};
/* "not_collected", "read", "disabled", "not_readable" (borrowed, static). */
const char *dbtls_sql_avail_name(enum dbtls_sql_avail a);

struct dbtls_sql_value {
	char *name;  /* "Ssl_cipher", "require_secure_transport", … */
	char *value; /* as the server printed it; NULL: the server has no such name */
};

struct dbtls_sql_conn {	       /* a live connection (performance_schema.threads) */
	unsigned long long id; /* PROCESSLIST_ID */
	char *user;	       /* NULL while not logged in */
	char *host;	       /* the client's host as the server names it */
	char *program;	       /* its program_name connect attribute; NULL: not sent or read */
	char *type;	       /* CONNECTION_TYPE: "SSL/TLS", "TCP/IP", "Socket", …; NULL */
	char *tls_version;     /* its Ssl_version ("" without TLS); NULL when not read */
	char *cipher;	       /* its Ssl_cipher, likewise */
	char *database;	       /* PostgreSQL: the database it is connected to; NULL for MySQL */
	bool self;	       /* dbtls's own connection */
};

struct dbtls_sql_account {
	char *user;
	char *host;    /* the host pattern: "%", "10.0.%", "localhost", … */
	char *require; /* "none", "SSL", "X509", or the given "ISSUER SUBJECT CIPHER" */
	char *issuer;  /* REQUIRE ISSUER value, NULL when none */
	char *subject;
	char *cipher;
	bool network; /* the pattern admits more than localhost, 127.0.0.1 and ::1 */
	bool locked;
	/* MySQL/MariaDB: the authentication plugin ("mysql_native_password", "ed25519",
	 * "caching_sha2_password", "unix_socket", …), NULL when not read; has_password (whether
	 * a password is set; never the hash) means something only when plugin is set */
	char *plugin;
	bool has_password;
	/* PostgreSQL, where an "account" is a pg_hba.conf rule; NULL / 0 for MySQL */
	char *database; /* the rule's databases, comma-separated ("all") */
	char *method;	/* its auth_method: "scram-sha-256", "cert", "trust", "reject", … */
	unsigned line;	/* its line in pg_hba.conf */
};

struct dbtls_sql_unreadable {
	char *what;	 /* "connections", "accounts", "variables", "session", … */
	char *statement; /* the statement that failed */
	unsigned code;	 /* the server's error number (1142 …) */
	char *message;
};

/* An option file the login reads that holds a password others may read (path NULL: none). */
struct dbtls_sql_option_file {
	char *path;
	unsigned mode; /* permission bits, e.g. 0644 */
	bool world_readable;
};

struct dbtls_sql_facts {
	enum dbtls_sql_status status;
	char *reason;	      /* FAILED / SKIPPED: why */
	unsigned error_code;  /* FAILED: the server's or client library's error number */
	char *user;	      /* USER(): "app@10.0.0.5" */
	char *account;	      /* CURRENT_USER(): the account it matched, "app@%" */
	bool verify_cert;     /* the login verified the certificate (no --sql-insecure) */
	char *ca_source;      /* CA file it was verified against, or "system" */
	char *server_version; /* as the client library reports it */
	struct dbtls_sql_value *session; /* SHOW SESSION STATUS: Ssl_cipher, Ssl_version, … */
	size_t nsession;
	struct dbtls_sql_value *variables; /* SHOW GLOBAL VARIABLES: have_ssl, tls_version, … */
	size_t nvariables;
	enum dbtls_sql_avail connections_status;
	struct dbtls_sql_conn *connections;
	size_t nconnections;
	enum dbtls_sql_avail accounts_status;
	char *accounts_source; /* "mysql.global_priv" or "mysql.user" */
	struct dbtls_sql_account *accounts;
	size_t naccounts;
	struct dbtls_sql_unreadable *unreadable;
	size_t nunreadable;
	struct dbtls_sql_option_file option_file;
};

/* Frees everything inside s and zeroes it; s may be NULL. */
void dbtls_sql_facts_free(struct dbtls_sql_facts *s);
/* The value of name (case-insensitive) in vals (borrowed): NULL when the server has no such name
 * or it was not asked for; *listed (may be NULL) says whether it was asked for. */
const char *dbtls_sql_value_get(const struct dbtls_sql_value *vals, size_t n, const char *name,
				bool *listed);

/* ---- what else the handshake tells (src/scan/hsfacts.c). Each group has `probed`: false
 * means it was not looked at and the report has no object for it. Tri-states: 1 yes, 0 no,
 * -1 could not tell. Strings and arrays are owned, freed by dbtls_endpoint_facts_free(). ---- */

/* TLS 1.3 group preference beyond the list in tls.groups (the server's pick order): which
 * groups it asks for by HelloRetryRequest although the hello carried an x25519 share. */
struct dbtls_groups13_facts {
	bool probed;
	uint16_t *hrr_tested; /* groups tested that way: the post-quantum ones it accepts */
	size_t nhrr_tested;
	uint16_t *hrr; /* of those, the ones it asked for by HRR (it pays a round trip for PQ) */
	size_t nhrr;
	char *note; /* e.g. why the certificate could not be read from a PQ-only server */
};

/* TLS <= 1.2 hygiene RFC 9325 asks for, from one hello offering every extension in question. */
struct dbtls_hygiene_facts {
	bool probed;
	int version;		    /* enum dbtls_version of that hello */
	int secure_renegotiation;   /* renegotiation_info (RFC 5746) */
	int extended_master_secret; /* RFC 7627 */
	int encrypt_then_mac;	    /* RFC 7366; -1 when no CBC suite is accepted (moot) */
	int session_ticket;	    /* RFC 5077: the server will issue a ticket */
	int status_request;	    /* the server will staple OCSP (RFC 6066 §8) */
	int compression;	    /* it accepted DEFLATE (CRIME) */
	int heartbeat;		    /* it negotiated the heartbeat extension (RFC 6520) */
	int fallback_scsv;	    /* RFC 7507 honoured; -1 when only one version to fall from */
	char *fallback_detail;	    /* what the fallback hello was answered with */
};

/* Whether the server asks for a client certificate (TLS <= 1.2 CertificateRequest). */
struct dbtls_client_auth_facts {
	bool probed;
	int requested;	 /* -1: no TLS <= 1.2 flight to read it from (TLS 1.3 encrypts it) */
	char **ca_names; /* certificate_authorities, RFC 2253 (what REQUIRE X509 needs) */
	size_t nca_names;
	char **sigalgs; /* signature schemes it accepts for the client's CertificateVerify */
	size_t nsigalgs;
};

/* Signature schemes the server signs with, in pick order: the TLS 1.2 ServerKeyExchange (raw
 * hellos) and the TLS 1.3 CertificateVerify (full handshakes; only schemes the local OpenSSL
 * knows can be offered). */
struct dbtls_sigalg_facts {
	bool probed;
	char **tls12;
	size_t ntls12;
	bool tls13_probed; /* TLS 1.3 CertificateVerify schemes, by full handshakes */
	char **tls13;
	size_t ntls13;
};

/* Known handshake vulnerabilities and the DHE prime. */
struct dbtls_vuln_facts {
	bool probed;
	int heartbleed; /* CVE-2014-0160; 0 also when the heartbeat is not negotiated */
	char *heartbleed_detail;
	int ccs_injection; /* CVE-2014-0224 */
	char *ccs_detail;
	int dh_bits;	     /* the DHE prime examined, 0 when no DHE suite is accepted */
	char *dh_prime_name; /* a well-known prime ("RFC 2409 group 2"), NULL otherwise */
	int dh_prime_prime;  /* 0: the "prime" is composite */
	int dh_prime_safe;   /* (p-1)/2 is prime too */
};
/* One row of the client-impact table (scan --clients; src/sim/sim.h): what one client profile
 * would get from this endpoint as it is ("current") or with the change of --proposed. */
struct dbtls_client_sim {
	char *client;  /* profile name ("mariadb-cli") */
	char *config;  /* "current" or "proposed" */
	char *outcome; /* "connects", "connects_unverified", "fails", "unknown" */
	char *version; /* what it would get, when it connects: "TLSv1.3" */
	char *suite;   /* IANA name */
	char *group;   /* key-exchange group name, NULL when none or not known */
	char *reason;  /* fails / unknown: why; connects: a note or NULL */
	bool in_use;   /* named in --clients-in-use */
};
/* Frees the strings inside c and zeroes it; c may be NULL. */
void dbtls_client_sim_free(struct dbtls_client_sim *c);

struct dbtls_endpoint_facts {
	/* the target, as the scan was asked for it */
	char *target;	/* as given */
	char *protocol; /* preamble scheme: "mysql", "tls" */
	char *host;
	uint16_t port;
	char *sni;     /* SNI sent, NULL when none */
	char *address; /* numeric address connected to, NULL if never resolved */
	/* the canonical id (dbtls_endpoint_facts_id) as the scan made it: with "?address=ADDR"
	 * when this is one of several addresses of its name, each scanned as its own endpoint;
	 * NULL in reports written before it was (then computed from protocol, host and port) */
	char *id;
	/* every address the host name resolved to, in the resolver's order (at most
	 * DBTLS_NAME_ADDRS_MAX); none for an address literal or a name that did not resolve */
	char **name_addresses;
	size_t nname_addresses;

	struct dbtls_server_info server;
	int tls_offered; /* 1 yes, 0 no, -1 unknown (never got that far) */
	struct dbtls_version_facts versions[DBTLS_NVERSIONS];
	uint16_t *groups; /* accepted key-exchange groups, in the order the server picked them */
	size_t ngroups;
	int groups_version; /* version the groups were probed with (enum dbtls_version), -1 none */
	int dh_bits;	    /* smallest DHE prime size seen, 0 when no DHE suite was accepted */
	/* ALPN in the raw probes: alpn_hello_offered when the opening TLS 1.2 ClientHello offered
	 * a list and was answered with a ServerHello; alpn_hello the protocol that ServerHello
	 * selected, NULL when it selected none (TLS 1.3 sends it encrypted: verification.alpn) */
	bool alpn_hello_offered;
	char *alpn_hello;
	struct dbtls_cert *certs; /* served chain, leaf first */
	size_t ncerts;
	struct dbtls_verification verification;
	struct dbtls_alpn_probe alpn_probe;
	struct dbtls_sql_facts sql;
	struct dbtls_client_sim *clients; /* scan --clients: one row per profile (and config) */
	size_t nclients;

	struct dbtls_groups13_facts groups13;
	struct dbtls_hygiene_facts hygiene;
	struct dbtls_client_auth_facts client_auth;
	struct dbtls_sigalg_facts sigalgs;
	struct dbtls_vuln_facts vulns;

	struct dbtls_error_fact *errors;
	size_t nerrors;
	unsigned connections_used;
	double duration_s;
	/* probes tried again after the server said "too many connections" (MySQL ERR 1040,
	 * PostgreSQL 53300), each after a bounded, jittered back-off */
	unsigned retries;
	/* why later connections went back to the careful preamble (the pipelined one was given up:
	 * the greeting changed, the server did not take it); NULL when it was not */
	char *pipeline_fallback;
};

struct dbtls_audit_file; /* src/facts/audit.h */

struct dbtls_scan_facts {
	char *tool_version;
	char *new_ca_file; /* --new-ca-file of the scan (CA rotation), NULL when none */
	time_t started_at;
	time_t finished_at;
	double duration_s; /* wall time (monotonic) of a live scan; 0 when read from a report */
	bool interrupted;  /* the run was stopped (SIGINT/SIGTERM): endpoints not done say so */
	struct dbtls_endpoint_facts *endpoints;
	size_t nendpoints;
	/* the files of a file audit (dbtls audit, scan --audit-server-files): subjects of kind
	 * DBTLS_SUBJECT_FILE; owned (dbtls_audit_file_free each, then the array) */
	struct dbtls_audit_file *files;
	size_t nfiles;
};

/* Frees everything inside f (not f itself); f may be NULL. */
void dbtls_endpoint_facts_free(struct dbtls_endpoint_facts *f);
/* Frees the strings inside s and zeroes it; s may be NULL. */
void dbtls_server_info_free(struct dbtls_server_info *s);
/* Frees everything inside c and zeroes it (not c itself); c may be NULL. */
void dbtls_cert_free(struct dbtls_cert *c);
/* Frees the strings inside v and zeroes it; v may be NULL. */
void dbtls_verification_free(struct dbtls_verification *v);
/* Frees everything inside s (not s itself); s may be NULL. */
void dbtls_scan_facts_free(struct dbtls_scan_facts *s);
/* Appends an error to f (copies message/stage); returns NOMEM or OK. */
enum dbtls_err dbtls_facts_add_error(struct dbtls_endpoint_facts *f, enum dbtls_err code,
				     const char *stage, const char *message);
/* True when f counts as scanned: no errors and the TLS status is known. */
bool dbtls_endpoint_scanned(const struct dbtls_endpoint_facts *f);
/* The canonical id of an endpoint: "SCHEME://HOST:PORT" with scheme and host in lower case, a
 * trailing dot of the host dropped, IPv6 literals in brackets, and the port always written — so
 * "MYSQL://DB1.", "db1:3306" and "db1" are one endpoint ("mysql://db1:3306") to deduplication,
 * waivers, pins, diff and the Prometheus label. Returns new (NULL when out of memory). */
char *dbtls_endpoint_id(const char *scheme, const char *host, uint16_t port);
/* The id of one address of a name: dbtls_endpoint_id's, then "?address=ADDR" with addr in its
 * numeric form (IPv6 without brackets, lower case): "mysql://db1:3306?address=10.0.0.5". A name
 * with several addresses is several endpoints (each its own server), and this keeps them apart
 * to deduplication, waivers, pins, diff, merge and the Prometheus label. addr NULL: the plain
 * id. Returns new (NULL when out of memory). */
char *dbtls_endpoint_id_addr(const char *scheme, const char *host, uint16_t port, const char *addr);
/* The canonical id of endpoint f: f->id when the scan wrote one, else dbtls_endpoint_id of its
 * protocol, host and port (reports from before ids carried addresses). Returns new. */
char *dbtls_endpoint_facts_id(const struct dbtls_endpoint_facts *f);
/* True when want (a waiver's or pin's canonical id, from dbtls_endpoint_id_parse) names the
 * endpoint with canonical id id: the same id, or want names the host and id one of its
 * addresses ("mysql://db1:3306" names "mysql://db1:3306?address=10.0.0.5"). */
bool dbtls_endpoint_id_matches(const char *want, const char *id);
/* The numeric IPv4 or IPv6 address a (no brackets) in canonical form ("fd00::1") into out
 * (outlen >= 64); false when a is no numeric address. */
bool dbtls_addr_canon(const char *a, char *out, size_t outlen);
/* The most addresses of one name a scan keeps (and scans, one endpoint each). */
#define DBTLS_NAME_ADDRS_MAX 8
/* The canonical id of an endpoint as a person writes it — "[SCHEME://]HOST[:PORT][/]" and
 * optionally "?address=ADDR" (one numeric address of the name, as dbtls_endpoint_id_addr), the
 * scheme "mysql" and the scheme's default port when left out (mysql 3306, tls 443: the same as
 * the preambles', which test_facts checks), IPv6 literals in brackets when a port follows — for
 * matching waivers and pins. Sets *out (new) and returns OK; INPUT when s is no endpoint (an
 * unknown scheme, a bad port, an empty host), NOMEM. */
enum dbtls_err dbtls_endpoint_id_parse(const char *s, char **out);
/* Default port of a target scheme (case-insensitive), 0 when the scheme is unknown. */
uint16_t dbtls_scheme_default_port(const char *scheme);
/* strdup that tolerates NULL; returns new or NULL. */
char *dbtls_strdup(const char *s);
/* Formats t as RFC 3339 UTC ("2026-11-23T19:30:00Z") into out (>= 21 bytes). */
void dbtls_rfc3339(time_t t, char *out, size_t outlen);
/* The one day count of dbtls: whole days elapsed from `from` to `to`, negative when `to` is
 * earlier (truncated toward zero, so 2162.7 days ago is -2162, 29.9 days ahead is 29). Every
 * days_left, "expired N days ago", "N days left" and validity length is counted with it. */
long dbtls_days_between(time_t from, time_t to);

#endif
