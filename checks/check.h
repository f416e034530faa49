/* SPDX-License-Identifier: MIT */
/*
 * check.h — policy checks: pure functions of a subject's facts and a profile's parameters that
 * append findings. No I/O, no globals; everything they need comes in through the arguments.
 *
 * Adding a check is one `const struct dbtls_check` in the file of its family (check_protocols.c,
 * check_suites.c, check_kex.c, check_certs.c, check_drift.c …) and its line in that family's
 * table; a new family is one file plus one line in DBTLS_CHECK_FAMILIES below (and its source
 * line in Makefile.am). A profile (a JSON file in data/policies, loaded by policy.c) says which
 * checks run, at which severity, with which parameters.
 *
 * Checks judge a subject: an endpoint today (DBTLS_SUBJECT_ENDPOINT, the default), a local file
 * tomorrow. A descriptor names the kind it judges in `.subject` and sets the typed callback of that
 * kind in the union (`.eval` for endpoints); the table of kinds in checks.c says where a scan's
 * subjects of each kind are and how a check of that kind is called.
 *
 * Fix texts (what to change on MySQL, MariaDB, a TLS terminator …) come from
 * checks/remedy/remedy.h, keyed by the server product; checks hold no product switches.
 *
 * Ownership: all dbtls_findings_* functions copy what they are given and free nothing the caller
 * passed; findings own their strings (heap) and dbtls_findings_free() releases them. Checks borrow
 * facts, policy and check descriptor; descriptors are static.
 */
#ifndef DBTLS_CHECK_H
#define DBTLS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "src/core/err.h"
#include "checks/remedy/remedy.h"
#include "src/facts/audit.h"
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

/* What a check judges. Numbers are never reused. */
enum dbtls_subject_kind {
	DBTLS_SUBJECT_ENDPOINT = 0, /* struct dbtls_endpoint_facts: a scanned host:port */
	DBTLS_SUBJECT_FILE = 1,	    /* struct dbtls_audit_file: an audited file (dbtls audit) */
	DBTLS_NSUBJECT_KINDS
};

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
	char *id;	  /* target's canonical id (dbtls_endpoint_id_parse); NULL = any */
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
	char *unpinned;	   /* why nothing is pinned (the derived-from scan of the endpoint did
			      not complete); its drift checks are then not evaluable; NULL */
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
	int cert_crit_days; /* … within this many: the check's severity raised to critical */
	/* cert.expiring's windows in proportion to the leaf's lifetime (notBefore..notAfter):
	 * lifetime × fraction, at least *_min_days and at most cert_warn_days / cert_crit_days
	 * (the ceilings); fraction 0 (or an unknown notBefore): the fixed ceiling alone */
	double cert_warn_fraction;
	double cert_crit_fraction;
	int cert_warn_min_days;
	int cert_crit_min_days;
	int max_validity_days; /* leaf validity (not_after - not_before) longer: finding; 0 off */
	/* session-ticket lifetime hints longer: hygiene.ticket-lifetime; 0: RFC 8446's 604800 s */
	int max_ticket_lifetime_s;
	bool require_server_order; /* the server must enforce its own cipher order */
	/* not from the profile but from --revocation soft-fail: an undeterminable revocation status
	 * is then a note (info) instead of a finding at the profile's severity */
	bool revocation_soft_fail;
	/* not from the profile but from --new-ca-file of `dbtls audit`: the lower-case hex SHA-256
	 * fingerprints of the new CA bundle's certificates (borrowed from the caller), which every
	 * trust store must hold (store.new-ca-missing); NULL/0: not asked */
	const char *const *new_ca_sha256;
	size_t nnew_ca_sha256;
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
	const char *const *references;	 /* NULL-terminated: "RFC 8996", "NIST SP 800-52r2 §3.1" */
	enum dbtls_subject_kind subject; /* what it judges; 0 (unset) = an endpoint */
	/* Contract: reads its subject's facts and ctx only; appends zero or more findings with
	 * dbtls_findings_add(out, self, ctx, …). Must not fail on partial facts (an endpoint that
	 * errored or offers no TLS has most fields empty): then it simply finds nothing. A check
	 * whose family needs facts an error-free subject lacks (no version negotiated, no chain,
	 * no pin: the `needs` of its family in DBTLS_CHECK_FAMILIES) is not called: the run reports
	 * it as an indeterminate finding instead (see DBTLS_INDETERMINATE_PREFIX). The member set
	 * is the one of `subject`'s kind. */
	union {
		/* DBTLS_SUBJECT_ENDPOINT */
		void (*eval)(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out);
		/* DBTLS_SUBJECT_FILE */
		void (*eval_file)(const struct dbtls_check *self, const struct dbtls_audit_file *f,
				  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out);
	};
};

/* One thing judged: its kind, its facts (borrowed) and its canonical id (borrowed; for endpoints
 * dbtls_endpoint_id(), which waivers and pins name). */
struct dbtls_subject {
	enum dbtls_subject_kind kind;
	const void *facts; /* struct dbtls_endpoint_facts for DBTLS_SUBJECT_ENDPOINT */
	const char *id;
};

/* A kind of subject: one row of the table in checks.c. Adding a kind is its facts struct, its
 * enum value and callback member above, and one row; the evaluation walks the table. */
struct dbtls_subject_kind_info {
	enum dbtls_subject_kind kind;
	const char *name; /* "endpoint" */
	/* how many subjects of this kind s holds, and the i-th one's facts (borrowed) */
	size_t (*count)(const struct dbtls_scan_facts *s);
	const void *(*at)(const struct dbtls_scan_facts *s, size_t i);
	/* the subject's canonical id (new; NULL when out of memory) */
	char *(*id)(const void *facts);
	/* does a waiver name this subject? as_given: its `endpoint` string as written in the
	 * waiver file; canonical: the same as a canonical id (NULL when it is none) */
	bool (*waiver_matches)(const char *as_given, const char *canonical, const void *facts,
			       const char *id);
	/* were the facts gathered (false: the subject counts as errored, not passed) */
	bool (*gathered)(const void *facts);
	/* calls check c's callback of this kind on facts */
	void (*call)(const struct dbtls_check *c, const void *facts,
		     const struct dbtls_check_ctx *ctx, struct dbtls_findings *out);
	/* why facts lack what a check with `needs` (enum dbtls_check_needs) reads, or NULL when
	 * they have it (buf: room for a reason made up there); NULL: never missing */
	const char *(*missing)(unsigned needs, const struct dbtls_policy *p, const void *facts,
			       char *buf, size_t buflen);
};
/* The table of kinds, in evaluation order (endpoints first). Borrowed, static. */
const struct dbtls_subject_kind_info *dbtls_subject_kinds(size_t *n);
const struct dbtls_subject_kind_info *dbtls_subject_kind_find(enum dbtls_subject_kind kind);

/* The one way a check adds a finding: for check self at ctx->severity (or at `severity` when
 * >= 0), with a printf-style title. Copies title, evidence and remediation; frees nothing (the
 * caller frees its own buffers, dbtls_str or asprintf). Pass "" for no evidence and self->fix for
 * the check's general fix. A NULL evidence or remediation, or a title "%s" whose argument is NULL,
 * means the caller could not build it (out of memory, e.g. dbtls_str_get() of a string that
 * failed): nothing is added and out->oom is set, so the list never holds a half-built finding. */
void dbtls_findings_add(struct dbtls_findings *out, const struct dbtls_check *self,
			const struct dbtls_check_ctx *ctx, int severity, const char *evidence,
			const char *remediation, const char *title_fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Frees what fs holds and zeroes it (not fs itself); fs may be NULL. */
void dbtls_findings_free(struct dbtls_findings *fs);

/* The title of every indeterminate finding starts with this: a check that could not be evaluated
 * for lack of facts says so, at its own severity, in the ordinary finding shape (check, severity,
 * title, evidence, …), so that no endpoint passes a check nobody could run. */
#define DBTLS_INDETERMINATE_PREFIX "could not be evaluated: "
/* True when fd is such a finding. */
bool dbtls_finding_indeterminate(const struct dbtls_finding *fd);

/* The pin of policy p for endpoint f (borrowed): the pin whose target is f's endpoint by the
 * canonical id (dbtls_endpoint_id: "mysql://db1", "db1:3306" and "db1" are one endpoint), else
 * a pin without target; NULL when none applies. */
const struct dbtls_pin *dbtls_pin_for(const struct dbtls_policy *p,
				      const struct dbtls_endpoint_facts *f);

/* A growing string for titles and evidence. Appending never fails loudly: oom records that an
 * append did not fit, and the check then reports out-of-memory through its findings. Owns s. */
struct dbtls_str {
	char *s;
	size_t n;
	bool oom;
};
void dbtls_str_cat(struct dbtls_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Borrow: b's text; "" when nothing was appended; NULL when an append ran out of memory (which
 * dbtls_findings_add() turns into out->oom). */
const char *dbtls_str_get(const struct dbtls_str *b);

/* The registry: every check, in a stable order. */
const struct dbtls_check *const *dbtls_checks_all(size_t *n);
const struct dbtls_check *dbtls_check_find(const char *id);

/* Runs every check of subject's kind that the policy enables over it, appending to out. */
void dbtls_checks_run_subject(const struct dbtls_policy *p, const struct dbtls_subject *subject,
			      time_t now, struct dbtls_findings *out);
/* The same for an endpoint (DBTLS_SUBJECT_ENDPOINT). */
void dbtls_checks_run(const struct dbtls_policy *p, const struct dbtls_endpoint_facts *f,
		      time_t now, struct dbtls_findings *out);

/* What a family's checks read, beyond what every check may assume: when a subject that was
 * gathered without errors lacks it, the check is not run but reported as not evaluable — it must
 * never silently find nothing. */
enum dbtls_check_needs {
	DBTLS_NEEDS_NEGOTIATED = 1u << 0, /* some version was negotiated (suites, groups, DH) */
	DBTLS_NEEDS_CHAIN = 1u << 1,	  /* a certificate chain was collected and examined */
	DBTLS_NEEDS_PIN = 1u << 2,	  /* the policy pins this endpoint (drift) */
};

/* The registry of families: one line per family file (checks/check_NAME.c ends in a
 * NULL-terminated `const struct dbtls_check *const dbtls_checks_NAME[]`) with what its checks
 * need (enum dbtls_check_needs), in registry order. A check joins its family's table; a new
 * family is its file plus one X(NAME, NEEDS) line here. */
#define DBTLS_CHECK_FAMILIES(X)                                                                    \
	X(protocols, 0)                                                                            \
	X(suites, DBTLS_NEEDS_NEGOTIATED)                                                          \
	X(kex, DBTLS_NEEDS_NEGOTIATED)                                                             \
	X(certs, DBTLS_NEEDS_CHAIN)                                                                \
	X(drift, DBTLS_NEEDS_PIN)                                                                  \
	X(rotation, 0)                                                                             \
	X(sql, 0)                                                                                  \
	X(xmpp, 0)                                                                                 \
	X(hygiene, 0)                                                                              \
	X(clients, 0)                                                                              \
	X(files, 0)                                                                                \
	X(stores, 0)                                                                               \
	X(config, 0)

#define DBTLS_CHECK_FAMILY_DECLARE(name, needs)                                                    \
	extern const struct dbtls_check *const dbtls_checks_##name[];
DBTLS_CHECK_FAMILIES(DBTLS_CHECK_FAMILY_DECLARE)
#undef DBTLS_CHECK_FAMILY_DECLARE

#endif
