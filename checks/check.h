/* SPDX-License-Identifier: MIT */
/*
 * check.h — policy checks: pure functions of an endpoint's facts and a profile's parameters that
 * append findings. No I/O, no globals; everything they need comes in through the arguments.
 *
 * Adding a check is one `const struct dbtls_check` in the file of its family (check_protocols.c,
 * check_suites.c, check_kex.c, check_certs.c, check_drift.c …) and one line in the registry in
 * checks.c. A profile (a JSON file in data/policies, loaded by policy.c) says which checks run, at
 * which severity, with which parameters.
 *
 * Ownership: findings own their strings (heap); dbtls_findings_free() releases them. Checks borrow
 * facts, policy and check descriptor.
 */
#ifndef DBTLS_CHECK_H
#define DBTLS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "src/core/err.h"
#include "src/facts/facts.h"

enum dbtls_severity {
	DBTLS_SEV_INFO = 0,
	DBTLS_SEV_LOW,
	DBTLS_SEV_MEDIUM,
	DBTLS_SEV_HIGH,
	DBTLS_SEV_CRITICAL,
	DBTLS_NSEVERITIES
};
/* "info", "low", "medium", "high", "critical" (borrowed, static). */
const char *dbtls_severity_name(enum dbtls_severity s);
/* Parses a severity name; false if unknown. */
bool dbtls_severity_parse(const char *s, enum dbtls_severity *out);

/* Suite properties a profile can forbid (each maps onto registry flags, see check_suites.c). */
enum dbtls_suite_prop {
	DBTLS_PROP_EXPORT = 1u << 0,
	DBTLS_PROP_ANON = 1u << 1,
	DBTLS_PROP_NULL = 1u << 2,
	DBTLS_PROP_RC4 = 1u << 3,
	DBTLS_PROP_DES = 1u << 4,
	DBTLS_PROP_3DES = 1u << 5,
	DBTLS_PROP_CBC = 1u << 6,
	DBTLS_PROP_NON_PFS = 1u << 7,	/* no ephemeral key exchange (RSA, static DH/ECDH, PSK) */
	DBTLS_PROP_SHA1_MAC = 1u << 8,	/* HMAC-SHA1 / MD5 record MAC */
	DBTLS_PROP_STATIC_KX = 1u << 9, /* static (non-ephemeral) DH/ECDH key exchange */
	DBTLS_PROP_PSK = 1u << 10,
	DBTLS_PROP_SRP = 1u << 11,
	DBTLS_PROP_CAMELLIA = 1u << 12,
	DBTLS_PROP_ARIA = 1u << 13,
	DBTLS_PROP_SEED_IDEA = 1u << 14,
};
/* Property names as written in profiles: "export", "anon", "null", "rc4", "des", "3des", "cbc",
 * "non_pfs", "sha1_mac", "static_kx", "psk", "srp", "camellia", "aria", "seed_idea". */
bool dbtls_suite_prop_parse(const char *name, uint32_t *bit);
const char *dbtls_suite_prop_name(uint32_t bit);
/* The properties (enum dbtls_suite_prop bits) of registry suite `code`; 0 for unknown codes. */
uint32_t dbtls_suite_props(uint32_t code);

/* Signature hashes a profile can forbid. */
enum dbtls_sig_hash {
	DBTLS_HASH_MD5 = 1u << 0,
	DBTLS_HASH_SHA1 = 1u << 1,
	DBTLS_HASH_SHA224 = 1u << 2,
};

/* What a pinned (drift) profile says an endpoint must look like; NULL/0 fields are not pinned. */
struct dbtls_pin {
	char *target;	  /* the endpoint this pin is for ("mysql://db1:3306"); NULL = any */
	int versions_set; /* 1 when `versions` below is pinned */
	bool versions[DBTLS_NVERSIONS]; /* accepted versions, exactly */
	uint32_t *suites; /* accepted suites over all versions, exactly (sorted codes) */
	size_t nsuites;
	int suites_set;
	uint16_t *groups; /* accepted groups, exactly (sorted) */
	size_t ngroups;
	int groups_set;
	char *issuer;	   /* leaf issuer, RFC 2253 */
	char *key_type;	   /* leaf key type and size, e.g. "RSA 2048" */
	char *leaf_sha256; /* leaf fingerprint: informational, a change is reported as info */
};

struct dbtls_policy_params {
	/* forbidden_props is also the list of suite checks (suites.export …) the profile enables */
	int min_version;	  /* enum dbtls_version; versions below it are findings; -1 unset */
	bool require_tls13;	  /* TLS 1.3 must be accepted */
	uint32_t forbidden_props; /* enum dbtls_suite_prop */
	uint32_t *allowed_suites; /* allow-list (codes) for TLS <= 1.2 and 1.3; NULL = no list */
	size_t nallowed_suites;
	uint16_t *allowed_groups; /* allow-list of key-exchange groups; NULL = no list */
	size_t nallowed_groups;
	int min_rsa_bits; /* certificate keys and (for RSA kx) key transport */
	int min_ecc_bits;
	int min_dh_bits; /* DHE primes and ffdhe groups */
	bool dsa_allowed;
	uint32_t forbidden_sig_hashes; /* enum dbtls_sig_hash */
	int cert_warn_days;	       /* leaf expiring within this many days: warning finding */
	int cert_crit_days;    /* … within this many: the check's severity raised to critical */
	int max_validity_days; /* leaf validity (not_after - not_before) longer: finding; 0 off */
	bool require_server_order; /* the server must enforce its own cipher order */
	/* not from the profile but from --revocation soft-fail: an undeterminable revocation status
	 * is then a note (info) instead of a finding at the profile's severity */
	bool revocation_soft_fail;
};

/* One check's settings in a profile. */
struct dbtls_check_setting {
	const char *id; /* borrowed from the registry */
	bool enabled;
	enum dbtls_severity severity;
};

struct dbtls_policy {
	char *name;    /* "baseline" */
	char *version; /* the profile's own version, e.g. "2026.11" */
	char *title;
	char *guideline; /* what it encodes, e.g. "Mozilla Server Side TLS 5.7, intermediate" */
	char *source;	 /* file it came from, or "builtin:NAME" */
	struct dbtls_policy_params params;
	struct dbtls_check_setting *settings; /* one per registered check, registry order */
	size_t nsettings;
	struct dbtls_pin *pins; /* drift pins (policy derive) */
	size_t npins;
};

struct dbtls_finding {
	const char *check; /* check id (borrowed, static) */
	enum dbtls_severity severity;
	char *title;		       /* one line, specific to the endpoint */
	char *evidence;		       /* the exact facts: suite names, versions, dates */
	char *remediation;	       /* for this server's protocol, e.g. the my.cnf lines */
	const char *const *references; /* NULL-terminated, borrowed from the check */
	bool waived;
	char *waiver_reason; /* when waived */
	char *waiver_owner;
	char *waiver_until; /* YYYY-MM-DD */
};

struct dbtls_findings {
	struct dbtls_finding *items;
	size_t n;
	bool oom; /* an append failed: the list is incomplete */
};

/* What a check gets besides facts: the policy, its own setting, and the scan time. */
struct dbtls_check_ctx {
	const struct dbtls_policy *policy;
	enum dbtls_severity severity; /* the profile's severity for this check */
	time_t now;
};

struct dbtls_check {
	const char *id;		 /* stable, e.g. "protocol.tls10-enabled"; never renamed */
	const char *title;	 /* one line */
	const char *description; /* what it tests and why (dbtls explain) */
	const char *fix;	 /* how to fix it, in general terms (dbtls explain) */
	enum dbtls_severity default_severity;
	const char *const *references; /* NULL-terminated: "RFC 8996", "NIST SP 800-52r2 §3.1" */
	/* Contract: reads f and ctx only; appends zero or more findings with
	 * dbtls_findings_add(out, self, ctx, …). Must not fail on partial facts (an endpoint that
	 * errored or offers no TLS has most fields empty): then it simply finds nothing. */
	void (*eval)(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
		     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out);
};

/* Appends a finding for check self at ctx->severity (or at `severity` when >= 0) with printf-style
 * title; evidence and remediation are copied (may be NULL). */
void dbtls_findings_add(struct dbtls_findings *out, const struct dbtls_check *self,
			const struct dbtls_check_ctx *ctx, int severity, const char *evidence,
			const char *remediation, const char *title_fmt, ...)
    __attribute__((format(printf, 7, 8)));
void dbtls_findings_free(struct dbtls_findings *fs);

/* A growing string for titles and evidence. Appending never fails loudly: oom records that an
 * append did not fit, and the check then reports out-of-memory through its findings. Owns s. */
struct dbtls_str {
	char *s;
	size_t n;
	bool oom;
};
void dbtls_str_cat(struct dbtls_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The registry: every check, in a stable order. */
const struct dbtls_check *const *dbtls_checks_all(size_t *n);
const struct dbtls_check *dbtls_check_find(const char *id);

/* Runs every check the policy enables over f, appending to out. */
void dbtls_checks_run(const struct dbtls_policy *p, const struct dbtls_endpoint_facts *f,
		      time_t now, struct dbtls_findings *out);

/* Helpers for remediation text: the configuration lines for the endpoint's server software, e.g.
 * for MySQL/MariaDB "[mysqld]\ntls_version=TLSv1.2,TLSv1.3". Returns new. */
char *dbtls_remedy_versions(const struct dbtls_endpoint_facts *f, int min_version);
char *dbtls_remedy_suites(const struct dbtls_endpoint_facts *f, const char *openssl_cipher_string);

/* The families' tables (one per file), so the registry can list them. */
extern const struct dbtls_check *const dbtls_checks_protocols[];
extern const struct dbtls_check *const dbtls_checks_suites[];
extern const struct dbtls_check *const dbtls_checks_kex[];
extern const struct dbtls_check *const dbtls_checks_certs[];
extern const struct dbtls_check *const dbtls_checks_drift[];
extern const struct dbtls_check *const dbtls_checks_rotation[];
extern const struct dbtls_check *const dbtls_checks_sql[];
extern const struct dbtls_check *const dbtls_checks_hygiene[];

#endif
