/* SPDX-License-Identifier: MIT */
/*
 * scan.c — the per-endpoint scan and the worker pool that runs many endpoints at once.
 *
 * One endpoint: one probe connection per TLS version (SSLv2 … TLS 1.3), each offering only that
 * version and every suite of the registry that version can carry, the enumerations that follow
 * (enumerate.c), one full OpenSSL handshake for the certificate chain and the handshake facts'
 * own probes (hsfacts.h), all as tasks side by side (scan_endpoint_in has the plan). The first
 * connection's preamble tells us whether the server offers TLS at all and what it is; a server
 * error packet there (host blocked, too many connections) stops the scan of that endpoint with
 * the server's own code and words.
 *
 * Time: the name is resolved once per endpoint, under the deadline; every connection gets one
 * absolute deadline (--timeout from its start, and never past the endpoint's), and the endpoint
 * one (--endpoint-timeout). Past the endpoint's deadline, or once the cancel fd fires (Ctrl-C),
 * no new probe starts, those in flight end at once, what was learned stays, and every probe cut
 * short is an endpoint error naming it. Servers: the connection cap and the connect-error budget
 * belong to the resolved address and port, shared by every target that spells it differently.
 */
#include "src/scan/scan.h"

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "src/scan/enumerate.h"
#include "src/scan/hsfacts.h"
#include "src/wire/handshake.h"
#include "src/wire/hello.h"
#include "src/wire/net.h"
#include "src/wire/sql/sql.h"
#include "src/registry/suites.h"

/* One server as the network sees it: the first address its name resolves to, and the port. The
 * connection cap and the max_connect_errors budget are its, whichever target spelling (mysql://db1,
 * db1:3306, 10.0.0.5) reaches it: the server counts aborted connections per client host, not per
 * name the client used. Lives as long as the run (struct scan_hosts). */
struct scan_host {
	struct scan_host *next;
	char addr[64];
	uint16_t port;
	pthread_mutex_t lock;
	pthread_cond_t slot_free; /* signalled when a connection slot frees up */
	int in_flight;		  /* connections open now (<= o->per_host) */
	int warm_idle;		  /* of those, warm ones waiting in a pool (scan_warm_start) */
	/* slots go out in the order they were asked for (a ticket each), so every probe chain
	 * of an endpoint moves at the same pace and none is left alone at the end */
	uint64_t ticket_next, ticket_serving;
	unsigned aborted; /* probes since the last reset login (max_connect_errors) */
	bool resetting;	  /* a worker is logging in to reset the server's count */
	bool blocked;	  /* the server said 1129: this host is blocked */
	bool exhausted;	  /* the budget ran out and could not be reset */
};

/* The run's servers, hashed by address and port: a fleet scan meets one per target, and a list
 * walked under one lock made 100,000 targets quadratic. */
#define SCAN_HOST_BUCKETS 16384

struct scan_hosts {
	pthread_mutex_t lock;
	struct scan_host *bucket[SCAN_HOST_BUCKETS]; /* chained through next */
	/* --rate: the next moment (dbtls_net_now_us clock) a new connection may start, shared by
	 * every worker of the run; guarded by lock */
	int64_t rate_next_us;
	/* DHE primes judged in this run (dbtls_hsfacts_dh_prime tests primality: for a 2048-bit
	 * prime more CPU than the rest of a scan), so that a fleet of servers serving the same
	 * prime pays for it once; guarded by lock, dh_done signalled when an entry is done */
	struct scan_dh_entry {
		uint8_t p[1024];
		size_t n;
		bool done;
		struct dbtls_vuln_facts v; /* the dh_* fields; dh_prime_name owned here */
	} dh[8];
	size_t ndh;
	pthread_cond_t dh_done;
	/* The certificate handshakes' stores (--ca-file or the system's, --new-ca-file), loaded
	 * once per run on first use (loading the system store takes about 100 ms of CPU: per
	 * endpoint, with the connection open, it was the longest step of a certificate handshake
	 * on loopback); guarded by store_lock. NULL after a failed load: each handshake then
	 * loads, and reports, its own. */
	pthread_mutex_t store_lock;
	bool stores_loaded;
	X509_STORE *store, *new_store;
};

static void scan_hosts_init(struct scan_hosts *hs)
{
	pthread_mutex_init(&hs->lock, NULL);
	pthread_cond_init(&hs->dh_done, NULL);
	pthread_mutex_init(&hs->store_lock, NULL);
	memset(hs->bucket, 0, sizeof(hs->bucket));
	hs->rate_next_us = 0;
	hs->ndh = 0;
	hs->stores_loaded = false;
	hs->store = hs->new_store = NULL;
}

static void scan_hosts_free(struct scan_hosts *hs)
{
	struct scan_host *h, *next;

	for (size_t b = 0; b < SCAN_HOST_BUCKETS; b++) {
		for (h = hs->bucket[b]; h; h = next) {
			next = h->next;
			pthread_cond_destroy(&h->slot_free);
			pthread_mutex_destroy(&h->lock);
			free(h);
		}
		hs->bucket[b] = NULL;
	}
	for (size_t i = 0; i < hs->ndh; i++)
		free(hs->dh[i].v.dh_prime_name);
	hs->ndh = 0;
	pthread_cond_destroy(&hs->dh_done);
	pthread_mutex_destroy(&hs->lock);
	X509_STORE_free(hs->store);
	X509_STORE_free(hs->new_store);
	pthread_mutex_destroy(&hs->store_lock);
}

/* Copies the dh_* judgement of from into to (a new name string). */
static void scan_dh_copy(struct dbtls_vuln_facts *to, const struct dbtls_vuln_facts *from)
{
	to->dh_bits = from->dh_bits;
	free(to->dh_prime_name);
	to->dh_prime_name = from->dh_prime_name ? strdup(from->dh_prime_name) : NULL;
	to->dh_prime_prime = from->dh_prime_prime;
	to->dh_prime_safe = from->dh_prime_safe;
}

/* Judges the DHE prime p[0..n) into v's dh_* fields, once per run and prime (hs may be NULL). */
static void scan_dh_judge(struct scan_hosts *hs, const uint8_t *p, size_t n,
			  struct dbtls_vuln_facts *v)
{
	struct scan_dh_entry *e = NULL;

	if (!hs || n > sizeof(hs->dh[0].p)) {
		dbtls_hsfacts_dh_prime(p, n, v);
		return;
	}
	pthread_mutex_lock(&hs->lock);
	for (size_t i = 0; !e && i < hs->ndh; i++)
		if (hs->dh[i].n == n && !memcmp(hs->dh[i].p, p, n))
			e = &hs->dh[i];
	if (e) {
		while (!e->done)
			pthread_cond_wait(&hs->dh_done, &hs->lock);
		scan_dh_copy(v, &e->v);
		pthread_mutex_unlock(&hs->lock);
		return;
	}
	if (hs->ndh < sizeof(hs->dh) / sizeof(hs->dh[0])) {
		e = &hs->dh[hs->ndh++];
		memset(e, 0, sizeof(*e));
		memcpy(e->p, p, n);
		e->n = n;
	}
	pthread_mutex_unlock(&hs->lock);
	dbtls_hsfacts_dh_prime(p, n, v); /* outside the lock: it takes a while */
	if (!e)
		return;
	pthread_mutex_lock(&hs->lock);
	scan_dh_copy(&e->v, v);
	e->done = true;
	pthread_cond_broadcast(&hs->dh_done);
	pthread_mutex_unlock(&hs->lock);
}

static size_t scan_host_bucket(const char *addr, uint16_t port)
{
	uint32_t x = 2166136261u ^ port; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		x = (x ^ *p) * 16777619u;
	return x % SCAN_HOST_BUCKETS;
}

/* The run's record for addr:port (borrowed; lives until scan_hosts_free), NULL out of memory. */
static struct scan_host *scan_host_get(struct scan_hosts *hs, const char *addr, uint16_t port)
{
	size_t b = scan_host_bucket(addr, port);
	struct scan_host *h;

	pthread_mutex_lock(&hs->lock);
	for (h = hs->bucket[b]; h; h = h->next)
		if (h->port == port && !strcmp(h->addr, addr))
			break;
	if (!h && (h = calloc(1, sizeof(*h)))) {
		snprintf(h->addr, sizeof(h->addr), "%s", addr);
		h->port = port;
		pthread_mutex_init(&h->lock, NULL);
		pthread_cond_init(&h->slot_free, NULL);
		h->next = hs->bucket[b];
		hs->bucket[b] = h;
	}
	pthread_mutex_unlock(&hs->lock);
	return h;
}

#define TASK_GROUPS   (DBTLS_NVERSIONS)
#define TASK_CERTS    (DBTLS_NVERSIONS + 1)
#define TASK_FLIGHT   (DBTLS_NVERSIONS + 2)
#define TASK_FALLBACK (DBTLS_NVERSIONS + 3)
#define TASK_MAX      (DBTLS_NVERSIONS + 4)

/* At most this many warm connections per endpoint: the tasks the greeting starts early
 * (scan_keep_info) are four. */
#define SCAN_WARM_MAX 4
/* A warm connection older than this is not used but closed: its server has sat on an unanswered
 * greeting that long (MySQL's connect_timeout is 10 s), and the opening probe, which the warm
 * ones wait for, took unusually long anyway. */
#define SCAN_WARM_MAX_AGE_MS 3000

/* One warm connection: the open connection and its slot's trace facts (when it got the slot,
 * the server's connections open then). */
struct scan_warm {
	struct dbtls_conn c;
	int64_t t0;
	int n;
};

/* One endpoint's scan: the target, the options, its facts, and the lock that guards the facts'
 * shared fields while several probe tasks of the endpoint run side by side. */
struct scan_ep {
	const struct dbtls_target *t;
	const struct dbtls_scan_opts *o;
	struct dbtls_endpoint_facts *f;
	const char *sni;
	const char *name; /* the preamble target's name: --xmpp-domain, else sni, else the host */
	const char *xmpp_domain; /* --xmpp-domain when the protocol has XMPP identities */
	const char *const *alpn; /* offered in every hello: --alpn, else the protocol's */
	pthread_mutex_t lock;
	struct scan_host *h;		  /* the server's cap and budget (borrowed from the run) */
	struct dbtls_addrs addrs;	  /* what t->host resolved to, once */
	int64_t deadline;		  /* the endpoint's (dbtls_net_now_ms clock); 0: none */
	uint32_t *cands[DBTLS_NVERSIONS]; /* registry suites each version can carry */
	size_t ncands[DBTLS_NVERSIONS];
	struct dbtls_hello_result first; /* the answer to the opening TLS 1.2 hello */
	int tasks[TASK_MAX];
	size_t ntasks, next;
	struct scan_hosts *hs; /* the run's (the --rate bucket); borrowed */
	/* the pipelined preamble (fast_start/fast_check), guarded by lock: given up for the rest
	 * of the endpoint once it misled; trusted once a careful probe has confirmed a refusal
	 * (a close, garbage) the pipelined one saw */
	bool fast_off, fast_confirmed;
	/* the server has let one connection in (a greeting, or an answer to a hello or handshake,
	 * that is no error packet), guarded by lock: from then on a "too many connections" is
	 * waited out until the endpoint's deadline (scan_busy_wait) */
	bool admitted;
	/* when the endpoint's scan started (dbtls_net_now_ms clock), for the trace */
	int64_t t0_ms;
	/* Handshake facts from the enumeration's own answers (src/scan/hsfacts.h), guarded by
	 * lock: what each version's ServerHellos said, whether a refused hello was asked again
	 * without the extras, the smallest DHE prime a pick served. */
	struct dbtls_hsfacts_seen seen[DBTLS_NVERSIONS];
	bool extras_tried[DBTLS_NVERSIONS];
	uint8_t dh_p[1024];
	size_t dh_plen;
	/* the prime is judged on a thread of its own from the first DHE pick on (CPU while the
	 * scan waits on the network); dh_judged says which prime dh_res is about */
	pthread_t dh_thread;
	bool dh_started;
	uint8_t dh_judged[1024];
	size_t dh_njudged;
	struct dbtls_vuln_facts dh_res;
	/* each version's outcome as soon as its first answer is in (decided bit v), for the
	 * fallback probe, which waits on decided_cv; guarded by lock */
	enum dbtls_vstatus vstatus[DBTLS_NVERSIONS];
	unsigned decided;
	pthread_cond_t decided_cv;
	/* TLS 1.3's suites and groups are enumerated together (dbtls_enum_tls13): the groups it
	 * found, for the groups task, which waits for tls13_done; guarded by lock */
	uint16_t g13[64];
	size_t ng13;
	bool tls13_done, tls13_err;
	/* the flight + CCS task's findings, moved into f once every task has ended */
	struct dbtls_vuln_facts vulns;
	struct dbtls_client_auth_facts ca;
	bool flight_ran;
	/* The task queue: workers wait on decided_cv for tasks until tasks_final. While the
	 * opening probe is out (opening), a greeting that offers TLS starts the tasks that do not
	 * need its answer (early); guarded by lock. */
	pthread_t workers[TASK_MAX];
	size_t nworkers;
	bool tasks_final, opening, early;
	/* Warm connections (scan_warm_start): TCP connections opened beside the opening probe,
	 * each holding its budget unit and connection slot, for the next connections to take
	 * (scan_acquire); guarded by lock. warm_closed: no more go into the pool. */
	struct scan_warm warm[SCAN_WARM_MAX];
	size_t nwarm;
	pthread_t warm_th[SCAN_WARM_MAX];
	size_t nwarm_th;
	bool warm_started, warm_closed;
};

static const char *scan_stage(enum dbtls_err err)
{
	return err == DBTLS_ERR_RESOLVE || err == DBTLS_ERR_REFUSED || err == DBTLS_ERR_CONNECT
		   ? "connect"
		   : "preamble";
}

static void scan_error(struct scan_ep *ep, enum dbtls_err err, const char *stage,
		       const struct dbtls_diag *d)
{
	bool once = err == DBTLS_ERR_LIMIT || err == DBTLS_ERR_INTERRUPTED, seen = false;

	pthread_mutex_lock(&ep->lock);
	/* a blocked host, a spent budget or Ctrl-C stops every task the same way: say it once */
	for (size_t i = 0; once && i < ep->f->nerrors; i++)
		seen |= ep->f->errors[i].code == err;
	if (!seen)
		dbtls_facts_add_error(ep->f, err, stage, d->msg);
	pthread_mutex_unlock(&ep->lock);
}

/* True when host is an IPv4 or IPv6 literal (brackets already stripped, a %zone allowed). */
static bool scan_is_ip(const char *host)
{
	unsigned char bin[16];
	char buf[64];
	size_t n = host ? strcspn(host, "%") : 0;

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, host, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1;
}

static bool scan_is_loopback(const char *addr)
{
	return addr && (!strncmp(addr, "127.", 4) || !strcmp(addr, "::1") ||
			!strncmp(addr, "::ffff:127.", 11));
}

/* The scheduler's target and options as the SQL step sees them (src/wire/sql/sql.h). */
/* Where the SQL step of endpoint f logs in (st->addr) and the certificate it may pin to: a name
 * with one address is the client library's to resolve (to the same) and to verify, as for any
 * client; an address of a name with several, or one named with ?address=, is pinned to the
 * leaf the scan verified there for the name, if it did. Call with f stable (or under its lock). */
static void scan_sql_pin(const struct dbtls_endpoint_facts *f, struct dbtls_sql_target *st)
{
	if (f->nname_addresses == 1)
		st->addr = NULL;
	if (st->addr && f->verification.done && f->verification.ca_ok &&
	    f->verification.hostname_ok && f->ncerts && f->certs[0].pem)
		st->verified_pem = f->certs[0].pem;
}

static void scan_sql_args(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
			  struct dbtls_sql_target *st, struct dbtls_sql_opts *so)
{
	*st = (struct dbtls_sql_target){
	    .scheme = t->preamble->scheme, .host = t->host, .port = t->port, .addr = t->addr};
	*so = (struct dbtls_sql_opts){.timeout_ms = o->timeout_ms,
				      .ca_file = o->ca_file,
				      .user = o->sql_user,
				      .defaults_file = o->defaults_file,
				      .insecure = o->sql_insecure,
				      .endpoint_timeout_ms = o->endpoint_timeout_ms,
				      .cancel_fd = o->cancel_fd};
}

/* The SQL module of t's protocol, or NULL when it has none. */
static const struct dbtls_sql_module *scan_sql_module(const struct dbtls_target *t)
{
	if (!t->preamble || !(t->preamble->supports & DBTLS_PRE_SQL))
		return NULL;
	return dbtls_sql_find(t->preamble->scheme);
}

static bool scan_past_deadline(const struct scan_ep *ep)
{
	return ep->deadline && dbtls_net_now_ms() >= ep->deadline;
}

/* INTERRUPTED once the cancel fd fired, TIMEOUT once the endpoint's deadline passed, else OK:
 * asked before every probe, so a stopped endpoint opens no new connection. */
static enum dbtls_err scan_stopped(const struct scan_ep *ep, struct dbtls_diag *d)
{
	if (dbtls_net_cancelled(ep->o->cancel_fd))
		return dbtls_diag_set(d, DBTLS_ERR_INTERRUPTED, "interrupted");
	if (scan_past_deadline(ep))
		return dbtls_diag_set(d, DBTLS_ERR_TIMEOUT, "cut off by --endpoint-timeout (%g s)",
				      ep->o->endpoint_timeout_ms / 1000.0);
	return DBTLS_OK;
}

/* After a failed probe: when the endpoint was stopped meanwhile, say so rather than the
 * connection's own words (the connection hit the endpoint's deadline, or was cancelled). */
static enum dbtls_err scan_why(const struct scan_ep *ep, enum dbtls_err err, struct dbtls_diag *d)
{
	if (err == DBTLS_ERR_TIMEOUT || err == DBTLS_ERR_INTERRUPTED) {
		enum dbtls_err stop = scan_stopped(ep, d);
		if (stop)
			return stop;
	}
	return err;
}

/* --per-host-connections, at least 1. */
static int scan_per_host(const struct dbtls_scan_opts *o)
{
	return o->per_host > 0 ? o->per_host : 1;
}

/* Whether one more connection fits the connect-error budget now (h->lock held): the server does
 * not count loopback clients; probes that passed here but open their connection only after a
 * reset login are not in the new count, so room is kept for one of those per connection slot. */
static bool scan_budget_room(const struct scan_ep *ep, const struct scan_host *h)
{
	unsigned room = (unsigned)scan_per_host(ep->o) + 1;

	return scan_is_loopback(h->addr) || h->aborted + room < (unsigned)ep->o->max_connect_errors;
}

/*
 * MySQL and MariaDB count every connection that ends before a login as an error of the client's
 * host and refuse the host (ERR 1129) after max_connect_errors of them: a full enumeration (about
 * one probe per accepted suite) can block the scanner's own host. So every probe to an endpoint
 * whose protocol says DBTLS_PRE_CONNECT_BUDGET asks here first. Under the limit it goes ahead; at
 * the limit, with --sql credentials, one worker waits for the probes in flight to end and logs in
 * (a successful login resets the count), without them the probe is refused with LIMIT and the
 * report says why. Loopback clients are never counted by the server, so they are not limited here
 * either.
 */
static enum dbtls_err scan_budget_get(struct scan_ep *ep, struct dbtls_diag *d)
{
	struct scan_host *h = ep->h;
	int limit = ep->o->max_connect_errors;
	const struct dbtls_sql_module *sql = scan_sql_module(ep->t);
	struct dbtls_sql_target st;
	struct dbtls_sql_opts so;
	enum dbtls_err err = DBTLS_OK;

	if (limit <= 0 || !h || !(ep->t->preamble->supports & DBTLS_PRE_CONNECT_BUDGET))
		return DBTLS_OK;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		if (h->blocked) {
			err = dbtls_diag_set(
			    d, DBTLS_ERR_LIMIT,
			    "the server blocks this host (ERR 1129, max_connect_errors)"
			    ": no more probes; unblock with FLUSH HOSTS");
			break;
		}
		if (scan_budget_room(ep, h)) {
			h->aborted++;
			break;
		}
		if (h->exhausted || !ep->o->sql || !sql || !sql->reset) {
			h->exhausted = true;
			err = dbtls_diag_set(
			    d, DBTLS_ERR_LIMIT,
			    "stopped after %u probes to stay under max_connect_errors=%d "
			    "(the server blocks a host after that many aborted "
			    "connections); give --sql credentials so dbtls logs in to reset "
			    "the count, or --max-connect-errors N with the server's value",
			    h->aborted, limit);
			break;
		}
		if (h->resetting || h->in_flight > h->warm_idle) {
			/* the probes in flight count as soon as they end: let them, then reset (a
			 * warm connection waiting in a pool is like a probe that passed here and
			 * opens after the reset: `room` keeps a place for it) */
			pthread_cond_wait(&h->slot_free, &h->lock);
			continue;
		}
		err = scan_stopped(ep, d);
		if (err)
			break;
		h->resetting = true;
		pthread_mutex_unlock(&h->lock);
		scan_sql_args(ep->t, ep->o, &st, &so);
		pthread_mutex_lock(&ep->lock);
		scan_sql_pin(ep->f, &st);
		pthread_mutex_unlock(&ep->lock);
		err = sql->reset(&st, &so, d);
		pthread_mutex_lock(&ep->lock);
		ep->f->connections_used++;
		if (err)
			dbtls_facts_add_error(ep->f, err, "sql login (reset of max_connect_errors)",
					      d->msg);
		pthread_mutex_unlock(&ep->lock);
		pthread_mutex_lock(&h->lock);
		h->resetting = false;
		if (err)
			h->exhausted = true;
		else
			h->aborted = 0;
		pthread_cond_broadcast(&h->slot_free);
	}
	pthread_mutex_unlock(&h->lock);
	return err;
}

/*
 * DBTLS_PROBE_TRACE=FILE: a debugging aid for the probe plan, never part of a report. Every
 * connection slot an endpoint holds appends one line to FILE when it is given back:
 *   <target> <family> <start ms> <end ms> <wait ms> <in flight>
 * times from the endpoint's start, wait = how long the slot was waited for, in flight = the
 * server's open connections once this one got its slot. The family is the probe phase that
 * asked (a version's suites, groups, certs, ...), kept per thread since every phase runs on its
 * own thread (enumeration parts inherit it from the phase that starts them).
 */
static __thread const char *scan_family = "open";
static __thread int64_t scan_slot_t0, scan_slot_wait;
static __thread int scan_slot_n;
static pthread_once_t scan_trace_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t scan_trace_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *scan_trace_fp;

static void scan_trace_open(void)
{
	const char *path = getenv("DBTLS_PROBE_TRACE");

	if (path && *path)
		scan_trace_fp = fopen(path, "a");
}

static void scan_trace_slot(const struct scan_ep *ep)
{
	int64_t now;

	pthread_once(&scan_trace_once, scan_trace_open);
	if (!scan_trace_fp)
		return;
	now = dbtls_net_now_ms();
	pthread_mutex_lock(&scan_trace_lock);
	fprintf(scan_trace_fp, "%s %s %lld %lld %lld %d\n", ep->t->given, scan_family,
		(long long)(scan_slot_t0 - ep->t0_ms), (long long)(now - ep->t0_ms),
		(long long)scan_slot_wait, scan_slot_n);
	fflush(scan_trace_fp);
	pthread_mutex_unlock(&scan_trace_lock);
}

/* At most o->per_host connections to one server are open at once, whichever task (or target
 * spelling) opens them. */
static void scan_slot_get(struct scan_ep *ep)
{
	int max = scan_per_host(ep->o);
	struct scan_host *h = ep->h;
	int64_t t0 = dbtls_net_now_ms();

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	uint64_t ticket = h->ticket_next++;
	while (h->in_flight >= max || ticket != h->ticket_serving)
		pthread_cond_wait(&h->slot_free, &h->lock);
	h->ticket_serving++;
	h->in_flight++;
	scan_slot_n = h->in_flight;
	pthread_cond_broadcast(&h->slot_free); /* the next ticket may be served too */
	pthread_mutex_unlock(&h->lock);
	scan_slot_t0 = dbtls_net_now_ms();
	scan_slot_wait = scan_slot_t0 - t0;
}

static void scan_slot_put(struct scan_ep *ep)
{
	struct scan_host *h = ep->h;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->in_flight--;
	pthread_cond_broadcast(&h->slot_free);
	pthread_mutex_unlock(&h->lock);
	scan_trace_slot(ep);
}

/* A connection slot only when one is free now and nobody waits for one (a warm connection uses
 * spare capacity only). */
static bool scan_slot_try(struct scan_ep *ep)
{
	int max = scan_per_host(ep->o);
	struct scan_host *h = ep->h;
	bool ok;

	pthread_mutex_lock(&h->lock);
	ok = h->in_flight < max && h->ticket_next == h->ticket_serving;
	if (ok) {
		h->ticket_next++;
		h->ticket_serving++;
		h->in_flight++;
		scan_slot_n = h->in_flight;
	}
	pthread_mutex_unlock(&h->lock);
	scan_slot_t0 = dbtls_net_now_ms();
	scan_slot_wait = 0;
	return ok;
}

/* scan_budget_get() for a warm connection: a unit only while the budget has room, never a wait
 * or a reset login. */
static bool scan_budget_try(struct scan_ep *ep)
{
	struct scan_host *h = ep->h;
	bool ok;

	if (ep->o->max_connect_errors <= 0 ||
	    !(ep->t->preamble->supports & DBTLS_PRE_CONNECT_BUDGET))
		return true;
	pthread_mutex_lock(&h->lock);
	ok = !h->blocked && !h->exhausted && !h->resetting && scan_budget_room(ep, h);
	if (ok)
		h->aborted++;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

/* One more (d 1) or one fewer (d -1) warm connection waits in a pool on ep's server. */
static void scan_warm_idle(struct scan_ep *ep, int d)
{
	pthread_mutex_lock(&ep->h->lock);
	ep->h->warm_idle += d;
	pthread_cond_broadcast(&ep->h->slot_free); /* a reset may wait on in_flight - warm_idle */
	pthread_mutex_unlock(&ep->h->lock);
}

/* Closes warm connection w, unused, and gives its slot back (traced as the warm slot it was). */
static void scan_warm_drop(struct scan_ep *ep, struct scan_warm *w)
{
	const char *family = scan_family;

	dbtls_conn_close(&w->c);
	scan_family = "warm";
	scan_slot_t0 = w->t0;
	scan_slot_wait = 0;
	scan_slot_n = w->n;
	scan_slot_put(ep);
	scan_family = family;
}

/* Opens one warm connection: a slot, a budget unit, the TCP connection, into ep's pool (or
 * closed at once when the pool is closed meanwhile). Nothing is sent on it. */
static void *scan_warm_thread(void *arg)
{
	struct scan_ep *ep = arg;
	struct scan_warm w = {0};
	struct dbtls_diag d = {0};
	char addr[64] = "";
	bool keep;

	scan_family = "warm";
	if (!scan_slot_try(ep))
		return NULL;
	if (!scan_budget_try(ep) ||
	    dbtls_conn_open_addrs(
		&w.c, &ep->addrs,
		dbtls_net_deadline_min(dbtls_net_now_ms() + ep->o->timeout_ms, ep->deadline),
		ep->o->cancel_fd, addr, sizeof(addr), &d)) {
		scan_slot_put(ep);
		return NULL;
	}
	w.t0 = scan_slot_t0;
	w.n = scan_slot_n;
	pthread_mutex_lock(&ep->lock);
	ep->f->connections_used++;
	if (!ep->f->address)
		ep->f->address = strdup(addr);
	keep = !ep->warm_closed && ep->nwarm < SCAN_WARM_MAX;
	if (keep)
		ep->warm[ep->nwarm++] = w;
	pthread_mutex_unlock(&ep->lock);
	if (keep)
		scan_warm_idle(ep,
			       1); /* one taken meanwhile only makes a reset wait a little longer */
	else
		scan_warm_drop(ep, &w);
	return NULL;
}

/*
 * Warm connections for the opening probe's round trips. The opening probe must wait for the
 * server's greeting before anything else is sent (the careful order), and the tasks the greeting
 * starts early (scan_keep_info) then each open a connection of their own: one more TCP handshake
 * each while they could have been under way. So beside the opening probe, up to per-host - 1
 * TCP connections are opened at once (on free slots, within the budget; nothing is sent on them)
 * and kept for the connections that come next (scan_acquire), which then start with a greeting
 * already there. They are opened once the opening connection is up (a refused or silent
 * endpoint costs no more than before), on the address it reached. When the opening shows no TLS,
 * they are closed unused, nothing sent (each costs the server one aborted connection, like any
 * probe). Only for a protocol whose later connections may be pipelined (MySQL: its greeting
 * tells early); not with --no-pipeline (one connection first, nothing else before its answer) or
 * --rate (every connection on its token).
 */
static void scan_warm_start(struct scan_ep *ep)
{
	const struct dbtls_preamble *pre = ep->t->preamble;
	int n = scan_per_host(ep->o) - 1;

	/* only where the greeting tells, before the opening's answer, that TLS is there and
	 * later connections may be pipelined (MySQL): elsewhere (PostgreSQL, direct TLS) a port
	 * without TLS would see connections that send nothing */
	if (!pre->fast_start || !pre->fast_check || ep->o->no_pipeline || ep->o->rate > 0 || !ep->h)
		return;
	if (n > SCAN_WARM_MAX)
		n = SCAN_WARM_MAX;
	for (int i = 0; i < n; i++)
		if (pthread_create(&ep->warm_th[ep->nwarm_th], NULL, scan_warm_thread, ep) == 0)
			ep->nwarm_th++;
}

/* Takes a warm connection into c (its slot and budget unit come with it): false when there is
 * none young enough. */
static bool scan_warm_take(struct scan_ep *ep, struct dbtls_conn *c)
{
	for (;;) {
		struct scan_warm w;
		int64_t now = dbtls_net_now_ms();

		pthread_mutex_lock(&ep->lock);
		if (!ep->nwarm) {
			pthread_mutex_unlock(&ep->lock);
			return false;
		}
		w = ep->warm[--ep->nwarm];
		pthread_mutex_unlock(&ep->lock);
		scan_warm_idle(ep, -1);
		if (now - w.t0 <= SCAN_WARM_MAX_AGE_MS) {
			*c = w.c;
			/* the connection's own time starts now, as for one opened now */
			c->deadline_ms =
			    dbtls_net_deadline_min(now + ep->o->timeout_ms, ep->deadline);
			scan_slot_t0 = w.t0;
			scan_slot_wait = 0;
			scan_slot_n = w.n;
			return true;
		}
		scan_warm_drop(ep, &w);
	}
}

/* Closes the pool: the warm connections nobody took are closed, and no more come in; waits for
 * the warm threads. */
static void scan_warm_end(struct scan_ep *ep)
{
	struct scan_warm w[SCAN_WARM_MAX];
	size_t n;

	pthread_mutex_lock(&ep->lock);
	ep->warm_closed = true;
	n = ep->nwarm;
	memcpy(w, ep->warm, n * sizeof(*w));
	ep->nwarm = 0;
	pthread_mutex_unlock(&ep->lock);
	for (size_t i = 0; i < n; i++) {
		scan_warm_idle(ep, -1);
		scan_warm_drop(ep, &w[i]);
	}
	for (size_t i = 0; i < ep->nwarm_th; i++)
		pthread_join(ep->warm_th[i], NULL);
	ep->nwarm_th = 0;
}

/* The budget unit and connection slot for one connection: a warm connection's (c is then open,
 * c->fd >= 0) when there is one, else after waiting for a slot (c->fd is -1: scan_open connects).
 */
static enum dbtls_err scan_acquire(struct scan_ep *ep, struct dbtls_conn *c, struct dbtls_diag *d)
{
	enum dbtls_err err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (ep->h && scan_warm_take(ep, c))
		return DBTLS_OK;
	err = scan_budget_get(ep, d);
	if (!err)
		scan_slot_get(ep);
	return err;
}

/* The pipelined preamble of one connection: what fast_check() read, and whether it ran. */
struct scan_fast {
	struct scan_ep *ep;
	struct dbtls_server_info info;
	bool ran;
	enum dbtls_err err; /* fast_check()'s */
};

/* struct dbtls_conn.before_recv: the greeting, read after the ClientHello went out. */
static enum dbtls_err scan_fast_hook(struct dbtls_conn *c, void *arg, struct dbtls_diag *d)
{
	struct scan_fast *fx = arg;
	const struct dbtls_preamble *pre = fx->ep->t->preamble;

	fx->ran = true;
	/* f->server is written once, by the first (careful) connection, before any fast one */
	fx->err = pre->fast_check(c, &fx->ep->f->server, &fx->info, d);
	return fx->err;
}

static int64_t scan_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Waits ms (or until the endpoint's deadline, or the cancel fd): false when stopped early. */
static bool scan_sleep(const struct scan_ep *ep, int64_t ms)
{
	int64_t end = dbtls_net_now_ms() + ms;

	if (ep->deadline && end > ep->deadline)
		return false; /* the wait alone would outlast the endpoint */
	for (;;) {
		int64_t left = end - dbtls_net_now_ms();
		struct pollfd pfd = {.fd = ep->o->cancel_fd ? *ep->o->cancel_fd : -1,
				     .events = POLLIN};

		if (left <= 0)
			return true;
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) > 0)
			return false;
		if (dbtls_net_cancelled(ep->o->cancel_fd))
			return false;
	}
}

/* --rate N: at most N new connections a second over the whole run, one token every 1/N s and no
 * burst, whichever worker asks. */
static void scan_rate_wait(struct scan_ep *ep)
{
	int64_t gap, at, now;

	if (!(ep->o->rate > 0) || !ep->hs)
		return;
	gap = (int64_t)(1e6 / ep->o->rate);
	pthread_mutex_lock(&ep->hs->lock);
	now = scan_now_us();
	at = ep->hs->rate_next_us > now ? ep->hs->rate_next_us : now;
	ep->hs->rate_next_us = at + gap;
	pthread_mutex_unlock(&ep->hs->lock);
	if (at > now)
		scan_sleep(ep, (at - now + 999) / 1000);
}

/* Whether the next connection may be pipelined: the protocol can, the careful first one has
 * shown a greeting offering TLS, and nothing since has said otherwise. */
static bool scan_fast_ok(struct scan_ep *ep)
{
	const struct dbtls_preamble *pre = ep->t->preamble;
	bool ok;

	if (!pre->fast_start || !pre->fast_check || ep->o->no_pipeline)
		return false;
	pthread_mutex_lock(&ep->lock);
	ok = !ep->fast_off && ep->f->server.greeting_seen && ep->f->server.tls_offered &&
	     !ep->f->server.err_code;
	pthread_mutex_unlock(&ep->lock);
	return ok;
}

/* Gives up the pipelined preamble for the rest of the endpoint, saying why once. */
static void scan_fast_give_up(struct scan_ep *ep, const char *why)
{
	pthread_mutex_lock(&ep->lock);
	ep->fast_off = true;
	if (!ep->f->pipeline_fallback)
		ep->f->pipeline_fallback = strdup(why);
	pthread_mutex_unlock(&ep->lock);
}

/* A server's "too many connections" in place of the greeting (MySQL ERR 1040, PostgreSQL
 * SQLSTATE 53300): busy now, not refusing us. */
static bool scan_busy(int code, const char *sqlstate)
{
	return code == 1040 || (sqlstate && !strcmp(sqlstate, "53300"));
}

static void *scan_ep_worker(void *arg);

/* Queues task (once) for the endpoint's workers, with a worker of its own (ep->lock held): every
 * task is under way at once, and the connection slots, handed out in the order they were asked
 * for, decide what runs; so the one-probe tasks are done early instead of waiting for a long
 * enumeration to end, and the long ones end together. When no thread can be had, the
 * endpoint's own thread works the queue after its TLS 1.2 enumeration. */
static void scan_push_locked(struct scan_ep *ep, int task)
{
	for (size_t i = 0; i < ep->ntasks; i++)
		if (ep->tasks[i] == task)
			return;
	if (ep->ntasks >= TASK_MAX)
		return;
	ep->tasks[ep->ntasks++] = task;
	if (ep->nworkers < TASK_MAX &&
	    pthread_create(&ep->workers[ep->nworkers], NULL, scan_ep_worker, ep) == 0)
		ep->nworkers++;
	pthread_cond_broadcast(&ep->decided_cv);
}

/* Keeps what a preamble read: the 1129 block, the first greeting as the server's facts. Takes
 * info's strings. */
static void scan_keep_info(struct scan_ep *ep, struct dbtls_server_info *info, enum dbtls_err err)
{
	struct dbtls_endpoint_facts *f = ep->f;

	/* 1129: the host is blocked now; every further probe would only be refused again */
	if (err == DBTLS_ERR_SERVER_ERROR && info->err_code == 1129 && ep->h) {
		pthread_mutex_lock(&ep->h->lock);
		ep->h->blocked = true;
		pthread_mutex_unlock(&ep->h->lock);
	}
	pthread_mutex_lock(&ep->lock);
	if (info->greeting_seen && !info->err_code)
		ep->admitted = true;
	if (!f->server.greeting_seen && (info->greeting_seen || info->err_code || !err)) {
		/* an error packet kept before (a busy server's) gives way to the greeting; without
		 * a greeting (direct TLS) every probe's info replaces the last one's */
		dbtls_server_info_free(&f->server);
		f->server = *info; /* steals the strings */
		memset(info, 0, sizeof(*info));
	}
	if (ep->opening && !ep->early && f->server.greeting_seen && f->server.tls_offered &&
	    !f->server.err_code) {
		/* the greeting offers TLS: the versions whose enumeration does not need the opening
		 * hello's answer start now (pipelined), while that hello is still on its way, so
		 * the other slots do not sit idle for its round trip */
		ep->early = true;
		scan_push_locked(ep, DBTLS_TLS10);
		scan_push_locked(ep, DBTLS_TLS11);
		scan_push_locked(ep, DBTLS_TLS13);
		scan_push_locked(ep, DBTLS_SSL3);
	}
	pthread_mutex_unlock(&ep->lock);
	dbtls_server_info_free(info);
}

/* Connects and runs the preamble; counts the connection. The first greeting (or error packet)
 * is kept as the server's facts. With fx, the preamble is pipelined: its request is sent now
 * and the greeting is read by scan_fast_hook() before the first byte of the answer; fx keeps
 * what was read there (scan_keep_info() after). *busy: the server said "too many connections". */
static enum dbtls_err scan_open(struct scan_ep *ep, struct dbtls_conn *c, struct scan_fast *fx,
				bool *busy, struct dbtls_diag *d)
{
	struct dbtls_endpoint_facts *f = ep->f;
	const struct dbtls_preamble_target pt = {
	    .host = ep->t->host, .port = ep->t->port, .name = ep->name};
	struct dbtls_server_info info;
	char addr[64] = "";
	enum dbtls_err err;
	bool warm = c->fd >= 0, start; /* warm: scan_acquire() handed over a warm connection */

	memset(&info, 0, sizeof(info));
	if (busy)
		*busy = false;
	err = scan_stopped(ep, d);
	if (err) {
		dbtls_conn_close(c);
		return err;
	}
	if (!warm) {
		scan_rate_wait(ep);
		/* the whole connection, preamble and probe included, ends by this one deadline */
		err = dbtls_conn_open_addrs(
		    c, &ep->addrs,
		    dbtls_net_deadline_min(dbtls_net_now_ms() + ep->o->timeout_ms, ep->deadline),
		    ep->o->cancel_fd, addr, sizeof(addr), d);
		if (err)
			return err;
	}
	if (ep->addrs.n > 1) {
		/* one endpoint is one server: the first address that answered is the one every
		 * later connection goes to. Only the opening connection gets here with several
		 * (nothing else starts before its greeting or answer), so no other reads them. */
		for (size_t i = 0; i < ep->addrs.n; i++) {
			char a[64];

			dbtls_net_addr_string(&ep->addrs, i, a, sizeof(a));
			if (!strcmp(a, addr)) {
				ep->addrs.a[0] = ep->addrs.a[i];
				ep->addrs.len[0] = ep->addrs.len[i];
				break;
			}
		}
		ep->addrs.n = 1;
	}
	/* the opening connection is there: the server answers at this address (scan_warm_start) */
	pthread_mutex_lock(&ep->lock);
	start = ep->opening && !ep->warm_started;
	ep->warm_started |= start;
	pthread_mutex_unlock(&ep->lock);
	if (start)
		scan_warm_start(ep);
	if (fx) {
		err = ep->t->preamble->fast_start(c, &pt, &f->server, d);
		c->before_recv = scan_fast_hook;
		c->before_recv_arg = fx;
	} else {
		err = ep->t->preamble->start(c, &pt, &info, d);
	}
	if (busy)
		*busy =
		    err == DBTLS_ERR_SERVER_ERROR && scan_busy(info.err_code, info.err_sqlstate);
	if (!warm) { /* a warm one was counted when it was opened */
		pthread_mutex_lock(&ep->lock);
		f->connections_used++;
		if (!f->address)
			f->address = strdup(addr);
		pthread_mutex_unlock(&ep->lock);
	}
	scan_keep_info(ep, &info, err);
	if (err)
		dbtls_conn_close(c);
	return err;
}

/*
 * "Too many connections" (MySQL ERR 1040, PostgreSQL 53300): the server is full now, not refusing
 * us. Every connection kind that can meet it (hello probes, the certificate handshake, the
 * handshake facts' and ALPN connections, the SQL login) asks scan_busy_wait() whether to try
 * again, so one rule holds for all of them:
 *  - once the server has let one connection of this endpoint in (ep->admitted: a greeting or an
 *    answer that is no error packet), the probe is asked again after each back-off until the
 *    endpoint's deadline (--endpoint-timeout) or Ctrl-C: a saturated server frees a slot for the
 *    one who stays in line, and 4 tries (0.75 s) lost 2-3 probes of 250 endpoints of one MariaDB
 *    at --jobs 64;
 *  - while it never has, at most SCAN_BUSY_RETRIES tries: an endpoint that only ever answers 1040
 *    is reported as busy (its code and words) in about a second, not waited on for two minutes.
 * Back-off before retry number n (1, 2, …): 50 ms doubling, at most 800 ms, each with +-50 %
 * jitter so that the workers a full server turned away do not all come back at the same moment.
 */
#define SCAN_BUSY_RETRIES 4
/* the bound when there is no endpoint deadline (a library caller without --endpoint-timeout;
 * the command line always sets one): about 50 s of back-off */
#define SCAN_BUSY_RETRIES_NO_DEADLINE 64
static int64_t scan_backoff_ms(unsigned n)
{
	int64_t base = 50LL << (n > 5 ? 4 : n - 1);
	/* jitter only, no secret depends on it: a few bits of the clock, mixed */
	uint64_t x = (uint64_t)scan_now_us() * 0x9E3779B97F4A7C15ull;
	unsigned r = (unsigned)(x >> 33);

	if (base > 800)
		base = 800;
	return base / 2 + (int64_t)(r % (unsigned)(base + 1));
}

/* Appends " (why)" to d's message, as far as it fits. */
static void scan_diag_note(struct dbtls_diag *d, const char *why)
{
	size_t n;

	if (!d)
		return;
	n = strlen(d->msg);
	if (n + 4 < sizeof(d->msg))
		snprintf(d->msg + n, sizeof(d->msg) - n, " (%s)", why);
}

/*
 * After a "too many connections" (err, with the server's words in d) on one connection kind:
 * waits the back-off and returns OK to try again, counting the retry in the endpoint's
 * `retries` (the rule is above SCAN_BUSY_RETRIES; *tries counts this probe's retries). Else the
 * error the probe is lost with: err with d saying how long it was asked, or INTERRUPTED /
 * TIMEOUT when the endpoint was stopped meanwhile.
 */
static enum dbtls_err scan_busy_wait(struct scan_ep *ep, unsigned *tries, enum dbtls_err err,
				     struct dbtls_diag *d)
{
	enum dbtls_err stop;
	char why[160];
	bool admitted;

	pthread_mutex_lock(&ep->lock);
	admitted = ep->admitted;
	pthread_mutex_unlock(&ep->lock);
	if (admitted ? !ep->deadline && *tries >= SCAN_BUSY_RETRIES_NO_DEADLINE
		     : *tries >= SCAN_BUSY_RETRIES) {
		snprintf(why, sizeof(why), "given up after %u tries: %s", *tries + 1,
			 admitted ? "no endpoint deadline to wait until"
				  : "the server has not let this scan in at all, so it is not "
				    "waited on");
		scan_diag_note(d, why);
		return err;
	}
	if (!scan_sleep(ep, scan_backoff_ms(*tries + 1))) {
		/* Ctrl-C says so; a deadline keeps the server's words and says how long */
		stop = scan_stopped(ep, NULL);
		if (stop == DBTLS_ERR_INTERRUPTED)
			return scan_stopped(ep, d);
		snprintf(why, sizeof(why),
			 "still so after %u tries, asked until --endpoint-timeout %g s", *tries + 1,
			 ep->o->endpoint_timeout_ms / 1000.0);
		scan_diag_note(d, why);
		return err;
	}
	++*tries;
	pthread_mutex_lock(&ep->lock);
	ep->f->retries++;
	pthread_mutex_unlock(&ep->lock);
	return DBTLS_OK;
}

/* After a pipelined connection whose greeting was read (fx->ran): keeps what it read (takes
 * fx->info's strings), gives the pipelining up when that greeting was another server's (fx->err
 * UNSUPPORTED, d says why); true when it was a "too many connections" packet. */
static bool scan_fast_end(struct scan_ep *ep, struct scan_fast *fx, const struct dbtls_diag *d)
{
	bool busy = fx->err == DBTLS_ERR_SERVER_ERROR &&
		    scan_busy(fx->info.err_code, fx->info.err_sqlstate);

	if (fx->err == DBTLS_ERR_UNSUPPORTED)
		scan_fast_give_up(ep, d->msg);
	scan_keep_info(ep, &fx->info, fx->err);
	return busy;
}

/*
 * One connection, one hello, one answer; pipelined when fast. *busy: the server said "too many
 * connections" (err is then SERVER_ERROR with its words in d), in place of the greeting or of the
 * answer. *changed: the pipelined greeting was another server's (fast is given up). *unread: the
 * pipelined connection ended before its greeting could be read, so r is no answer to the hello.
 */
static enum dbtls_err scan_probe_once(struct scan_ep *ep, bool *fastp,
				      const struct dbtls_hello_params *q,
				      struct dbtls_hello_result *r, bool *busy, bool *changed,
				      bool *unread, struct dbtls_diag *d)
{
	struct scan_fast fx = {.ep = ep};
	struct dbtls_conn c;
	enum dbtls_err err;
	size_t got;
	bool fast;

	*changed = *unread = false;
	*busy = false;
	err = scan_acquire(ep, &c, d);
	if (err)
		return err;
	/* asked once the slot is ours: a probe that waited for it must not go out pipelined
	 * after another one, meanwhile, found the greeting changed */
	fast = *fastp = *fastp && scan_fast_ok(ep);
	err = scan_open(ep, &c, fast ? &fx : NULL, busy, d);
	if (!err) {
		err = dbtls_hello_probe(&c, ep->t->preamble, q, r, d);
		/* A full server sends its 1040 and closes at once, with our SSLRequest unread: the
		 * RST that answers it can fail the ClientHello's send, and the probe ends as
		 * "closed" before the greeting was read. The ERR packet is still in our receive
		 * queue: read what came in the greeting's place now (the hook runs once). */
		if (fast && !fx.ran && !err && r->kind == DBTLS_HELLO_CLOSED && c.before_recv)
			err = dbtls_conn_recv(&c, NULL, 0, &got, d);
		dbtls_conn_close(&c);
	}
	if (fast && fx.ran) {
		*busy = scan_fast_end(ep, &fx, d);
		*changed = fx.err == DBTLS_ERR_UNSUPPORTED;
		/* the connection ended where the greeting should be: no answer to the hello at all
		 * (hello_probe reads that close as the server hanging up on the ClientHello) */
		*unread = fx.err == DBTLS_ERR_CLOSED || fx.err == DBTLS_ERR_TRUNCATED;
		if (*unread && !err)
			err = dbtls_diag_set(d, DBTLS_ERR_CLOSED,
					     "connection closed before the server's greeting");
	}
	/* given back only now: a probe waiting for this slot must see a changed greeting's
	 * fast_off, or it goes out pipelined to a server that no longer takes it */
	scan_slot_put(ep);
	if (!err && r->kind == DBTLS_HELLO_SERVER_ERROR &&
	    scan_busy(r->server_error.code, r->server_error.sqlstate)) {
		/* a full server's error packet in place of the answer is no refusal of the hello */
		*busy = true;
		err = dbtls_diag_set(d, DBTLS_ERR_SERVER_ERROR,
				     "server answered the ClientHello with %d%s%s %s",
				     r->server_error.code, r->server_error.sqlstate[0] ? " #" : "",
				     r->server_error.sqlstate, r->server_error.message);
	} else if (!err && r->kind != DBTLS_HELLO_CLOSED && r->kind != DBTLS_HELLO_GARBAGE &&
		   r->kind != DBTLS_HELLO_SERVER_ERROR && r->kind != DBTLS_HELLO_NONE) {
		pthread_mutex_lock(&ep->lock);
		ep->admitted = true; /* a TLS answer: the server let this connection in */
		pthread_mutex_unlock(&ep->lock);
	}
	return err;
}

/* scan_probe_once(), asked again while the server is too busy (scan_busy_wait's rule; *tries
 * counts this probe's retries); *fastp is the wish for every attempt and says what the last
 * one was. */
static enum dbtls_err scan_probe_busy(struct scan_ep *ep, bool *fastp,
				      const struct dbtls_hello_params *q,
				      struct dbtls_hello_result *r, bool *changed, bool *unread,
				      unsigned *tries, struct dbtls_diag *d)
{
	bool want = *fastp, busy;
	enum dbtls_err err;

	for (;;) {
		*fastp = want;
		err = scan_probe_once(ep, fastp, q, r, &busy, changed, unread, d);
		if (!busy)
			return err;
		err = scan_busy_wait(ep, tries, err, d);
		if (err)
			return err;
	}
}

/* The probe seam for enumerate.c: one connection, one hello, one answer. Pipelined when the
 * endpoint allows it; a pipelined probe that met another server, or a refusal the careful order
 * has not yet confirmed, is asked again the careful way. A busy server is asked again after a
 * back-off. */
static enum dbtls_err scan_probe_conn(struct scan_ep *ep, const struct dbtls_hello_params *p,
				      struct dbtls_hello_result *r, struct dbtls_diag *d)
{
	struct dbtls_hello_params q = *p;
	struct dbtls_hello_result careful;
	enum dbtls_err err;
	unsigned tries = 0;
	bool changed, unread, fast, confirm, careful_only = false;

	q.alpn = ep->alpn; /* a server that insists on ALPN refuses every hello without it */
	for (;;) {
		err = scan_stopped(ep, d);
		if (err)
			return err;
		fast = !careful_only; /* when the endpoint allows it (scan_probe_once decides) */
		err = scan_probe_busy(ep, &fast, &q, r, &changed, &unread, &tries, d);
		if (changed || unread) {
			/* the same probe, the careful way (after a change fast_off is set too) */
			careful_only = true;
			continue;
		}
		pthread_mutex_lock(&ep->lock);
		confirm = fast && !ep->fast_confirmed && !err &&
			  (r->kind == DBTLS_HELLO_CLOSED || r->kind == DBTLS_HELLO_GARBAGE);
		pthread_mutex_unlock(&ep->lock);
		if (!confirm)
			break;
		/* a server that read our early bytes as garbage and hung up looks like one that
		 * refuses the hello: ask once the careful way to tell them apart */
		fast = false;
		err = scan_probe_busy(ep, &fast, &q, &careful, &changed, &unread, &tries, d);
		if (err)
			break;
		if (careful.kind != r->kind) {
			scan_fast_give_up(ep, "the server answered a pipelined ClientHello "
					      "differently from one sent after its greeting");
			*r = careful;
		} else {
			pthread_mutex_lock(&ep->lock);
			ep->fast_confirmed = true;
			pthread_mutex_unlock(&ep->lock);
		}
		break;
	}
	return err ? scan_why(ep, err, d) : DBTLS_OK;
}

/* A refusal that may be the server choking on an extension rather than refusing what the hello
 * offers: a close, an error packet (yaSSL's "Bad handshake"), or an alert other than the ones a
 * server sends when it read the hello and has no version or suite in common. Not an answer that
 * is no TLS at all (an HTTP server's 400): that port does not speak TLS either way. */
static bool scan_refusal_suspect(const struct dbtls_hello_result *r)
{
	switch (r->kind) {
	case DBTLS_HELLO_ALERT:
		return r->alert_desc != 40 && r->alert_desc != 70 && r->alert_desc != 71 &&
		       r->alert_desc != 86;
	case DBTLS_HELLO_CLOSED:
	case DBTLS_HELLO_SERVER_ERROR:
		return true;
	default:
		return false;
	}
}

static void *scan_dh_thread(void *arg)
{
	struct scan_ep *ep = arg;

	/* dh_judged is written before the thread starts and never again while it runs */
	scan_dh_judge(ep->hs, ep->dh_judged, ep->dh_njudged, &ep->dh_res);
	return NULL;
}

/* Waits for the prime's judgement; judges again when a smaller prime came in since. */
static void scan_dh_finish(struct scan_ep *ep)
{
	if (ep->dh_started)
		pthread_join(ep->dh_thread, NULL);
	ep->dh_started = false;
	if (ep->dh_plen &&
	    (ep->dh_plen != ep->dh_njudged || memcmp(ep->dh_p, ep->dh_judged, ep->dh_plen))) {
		memcpy(ep->dh_judged, ep->dh_p, ep->dh_plen);
		ep->dh_njudged = ep->dh_plen;
		scan_dh_judge(ep->hs, ep->dh_judged, ep->dh_njudged, &ep->dh_res);
	}
}

/* Keeps what an accepted TLS <= 1.2 ServerHello of version v tells (hygiene, the DHE prime). */
static void scan_note(struct scan_ep *ep, enum dbtls_version v, const struct dbtls_hello_result *r)
{
	if (r->kind != DBTLS_HELLO_SERVER_HELLO || dbtls_enum_classify(v, r) != DBTLS_VS_ACCEPTED)
		return;
	pthread_mutex_lock(&ep->lock);
	dbtls_hsfacts_note(&ep->seen[v], r);
	if (r->dh_plen && (!ep->dh_plen || r->dh_plen < ep->dh_plen)) {
		memcpy(ep->dh_p, r->dh_p, r->dh_plen);
		ep->dh_plen = r->dh_plen;
		if (!ep->dh_started && !ep->dh_njudged) {
			memcpy(ep->dh_judged, r->dh_p, r->dh_plen);
			ep->dh_njudged = r->dh_plen;
			ep->dh_started =
			    pthread_create(&ep->dh_thread, NULL, scan_dh_thread, ep) == 0;
			if (!ep->dh_started)
				ep->dh_njudged = 0; /* judged at the end instead */
		}
	}
	pthread_mutex_unlock(&ep->lock);
}

/*
 * The probe seam for enumerate.c and hsfacts.c. Every TLS <= 1.2 hello also offers what the
 * handshake facts read from the answer (status_request, encrypt_then_mac, heartbeat, DEFLATE),
 * so that the enumeration's own ServerHellos tell them. A server that might have choked on
 * those (an old stack that refuses unknown extensions) is asked once more without them, on the
 * first refusal of a version before any ServerHello of it: if that bare hello is accepted, the
 * version's hellos go without the extras from then on (what they would have told stays unknown),
 * so the enumeration learns what it would have learned without them.
 */
static enum dbtls_err scan_probe(void *ctx, const struct dbtls_hello_params *p,
				 struct dbtls_hello_result *r, struct dbtls_diag *d)
{
	struct scan_ep *ep = ctx;
	struct dbtls_hello_params q = *p;
	struct dbtls_hello_result bare;
	enum dbtls_version v = p->version;
	enum dbtls_err err;
	bool extras = v >= DBTLS_SSL3 && v <= DBTLS_TLS12, retry = false;

	pthread_mutex_lock(&ep->lock);
	extras = extras && !ep->seen[v].bare;
	pthread_mutex_unlock(&ep->lock);
	if (extras)
		q.status_request = q.encrypt_then_mac = q.heartbeat = q.offer_deflate = true;
	err = scan_probe_conn(ep, &q, r, d);
	if (err || !extras)
		return err;
	if (dbtls_enum_classify(v, r) != DBTLS_VS_ACCEPTED && scan_refusal_suspect(r)) {
		pthread_mutex_lock(&ep->lock);
		retry = !ep->seen[v].seen && !ep->extras_tried[v];
		ep->extras_tried[v] = true;
		pthread_mutex_unlock(&ep->lock);
	}
	if (retry) {
		err = scan_probe_conn(ep, p, &bare, d);
		if (err)
			return err;
		if (dbtls_enum_classify(v, &bare) == DBTLS_VS_ACCEPTED) {
			pthread_mutex_lock(&ep->lock);
			ep->seen[v].bare = true;
			pthread_mutex_unlock(&ep->lock);
			*r = bare;
		}
	}
	scan_note(ep, v, r);
	return DBTLS_OK;
}

/* TLS 1.3's task is over (failed: with an error); wakes the groups task. */
static void scan_tls13_done(struct scan_ep *ep, bool failed)
{
	pthread_mutex_lock(&ep->lock);
	ep->tls13_done = true;
	ep->tls13_err |= failed;
	pthread_cond_broadcast(&ep->decided_cv);
	pthread_mutex_unlock(&ep->lock);
}

/* enumerate.c's decided callback: version v's outcome is known (first answer in). */
static void scan_decided(void *ctx, enum dbtls_version v, enum dbtls_vstatus st)
{
	struct scan_ep *ep = ctx;

	pthread_mutex_lock(&ep->lock);
	if (!(ep->decided & (1u << v))) {
		ep->decided |= 1u << v;
		ep->vstatus[v] = st;
		pthread_cond_broadcast(&ep->decided_cv);
	}
	pthread_mutex_unlock(&ep->lock);
}

struct scan_par {
	dbtls_par_fn fn;
	void *arg;
	size_t i;
	const char *family; /* the starting thread's scan_family */
};

static void *scan_par_thread(void *arg)
{
	struct scan_par *p = arg;
	scan_family = p->family;
	p->fn(p->arg, p->i);
	return NULL;
}

/* The parallel runner for enumerate.c: one thread per part; the connection slots, not the thread
 * count, bound what the endpoint sees. */
static void scan_run_parallel(void *ctx, size_t n, dbtls_par_fn fn, void *arg)
{
	struct scan_par par[16];
	pthread_t th[16];
	bool started[16] = {false};
	(void)ctx;

	if (n > 16)
		n = 16;
	for (size_t i = 1; i < n; i++) {
		par[i] = (struct scan_par){.fn = fn, .arg = arg, .i = i, .family = scan_family};
		started[i] = pthread_create(&th[i], NULL, scan_par_thread, &par[i]) == 0;
		if (!started[i])
			fn(arg, i);
	}
	fn(arg, 0);
	for (size_t i = 1; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}

static void scan_merge_dh(struct scan_ep *ep, const struct dbtls_enum_stats *st)
{
	pthread_mutex_lock(&ep->lock);
	if (st->dh_bits_min && (!ep->f->dh_bits || st->dh_bits_min < ep->f->dh_bits))
		ep->f->dh_bits = st->dh_bits_min;
	pthread_mutex_unlock(&ep->lock);
}

/* A version whose probes were stopped (deadline, Ctrl-C) is unfinished: an error, unless it is
 * already known to be accepted (then its suite list is what was found before the cut). */
static void scan_cut(struct scan_ep *ep, enum dbtls_version v, enum dbtls_err err,
		     const struct dbtls_diag *d)
{
	struct dbtls_version_facts *vf = &ep->f->versions[v];
	char *why;

	if ((err != DBTLS_ERR_TIMEOUT || !scan_past_deadline(ep)) && err != DBTLS_ERR_INTERRUPTED)
		return;
	if (vf->status == DBTLS_VS_ACCEPTED)
		return;
	why = dbtls_strdup(err == DBTLS_ERR_INTERRUPTED ? "interrupted"
							: "cut off by --endpoint-timeout");
	(void)d;
	if (!why)
		return;
	free(vf->reason);
	vf->reason = why;
	vf->status = DBTLS_VS_ERROR;
}

static void scan_suites(struct scan_ep *ep, enum dbtls_version v)
{
	struct dbtls_enum_stats st = {0};
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	char stage[64];

	/* only TLS 1.2, the longest enumeration by far (GCM, ChaCha20 and SHA-2 suites exist only
	 * there), is split: each part costs one refusal, and the connection budget is tight */
	struct dbtls_enum_opts eo = {.sni = ep->sni,
				     .run_parallel = scan_run_parallel,
				     .chunks = v == DBTLS_TLS12 ? (size_t)ep->o->per_host : 1,
				     .decided = scan_decided};

	if (v == DBTLS_TLS13)
		err = dbtls_enum_tls13(scan_probe, ep, &eo, ep->cands[v], ep->ncands[v],
				       &ep->f->versions[v], ep->g13, 64, &ep->ng13, &st, &d);
	else
		err = dbtls_enum_suites(scan_probe, ep, v, &eo, ep->cands[v], ep->ncands[v],
					v == DBTLS_TLS12 ? &ep->first : NULL, &ep->f->versions[v],
					&st, &d);
	scan_decided(ep, v, err ? DBTLS_VS_ERROR : ep->f->versions[v].status);
	if (v == DBTLS_TLS13)
		scan_tls13_done(ep, err != DBTLS_OK);
	scan_merge_dh(ep, &st);
	if (err == DBTLS_ERR_PROTOCOL && !d.msg[0])
		snprintf(d.msg, sizeof(d.msg), "%s", ep->f->versions[v].reason);
	if (err) {
		snprintf(stage, sizeof(stage), "probe %s", dbtls_version_name(v));
		scan_cut(ep, v, err, &d);
		scan_error(ep, err, stage, &d);
	}
}

/* Waits (holding no slot) until pred(ep) holds or the endpoint is stopped; false when stopped.
 * ep->lock held on entry and on return. */
static bool scan_wait_locked(struct scan_ep *ep, bool (*pred)(const struct scan_ep *))
{
	while (!pred(ep)) {
		struct timespec ts;

		if (scan_stopped(ep, NULL))
			return false;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ep->decided_cv, &ep->lock, &ts);
	}
	return true;
}

static bool scan_tls13_is_done(const struct scan_ep *ep)
{
	return ep->tls13_done;
}

static void scan_groups(struct scan_ep *ep)
{
	struct dbtls_endpoint_facts *f = ep->f;
	struct dbtls_enum_stats st = {0};
	struct dbtls_diag d = {0};
	enum dbtls_version v = DBTLS_TLS13;
	enum dbtls_err err = DBTLS_OK;
	uint16_t g[64];
	size_t n = 0;
	bool waited, failed;

	/* the TLS 1.3 groups come with TLS 1.3's suites (scan_suites): wait for them */
	pthread_mutex_lock(&ep->lock);
	waited = scan_wait_locked(ep, scan_tls13_is_done);
	failed = ep->tls13_err;
	n = ep->ng13;
	memcpy(g, ep->g13, n * sizeof(*g));
	pthread_mutex_unlock(&ep->lock);
	if (!waited) {
		err = scan_stopped(ep, &d);
		scan_error(ep, err ? err : DBTLS_ERR_TIMEOUT, "probe groups", &d);
		return;
	}
	if (failed)
		return; /* the TLS 1.3 probe's error says why (a stop, a timeout) */
	if (!n) {
		/* no TLS 1.3 (or no group there): the curves of ECDHE suites below it */
		v = dbtls_enum_classify(DBTLS_TLS12, &ep->first) == DBTLS_VS_ACCEPTED ? DBTLS_TLS12
										      : DBTLS_TLS10;
		err = dbtls_enum_groups(scan_probe, ep, false, v, ep->sni, ep->cands[v],
					ep->ncands[v], g, 64, &n, &st, &d);
	}
	if (err) {
		scan_error(ep, err, "probe groups", &d);
		return;
	}
	/* probed: an empty list now means "none accepted", not "not looked at" */
	f->groups_version = v;
	if (n && (f->groups = malloc(n * sizeof(*f->groups)))) {
		memcpy(f->groups, g, n * sizeof(*g));
		f->ngroups = n;
	}
}

/* Lends ho the run's stores (loaded on first use, before any connection of the handshake is
 * open). */
static void scan_stores(struct scan_ep *ep, struct dbtls_handshake_opts *ho)
{
	struct scan_hosts *hs = ep->hs;

	if (!hs)
		return;
	pthread_mutex_lock(&hs->store_lock);
	if (!hs->stores_loaded) {
		struct dbtls_diag d = {0};

		hs->stores_loaded = true;
		if (dbtls_handshake_store(ep->o->ca_file, &hs->store, &d))
			hs->store = NULL;
		if (ep->o->new_ca_file &&
		    dbtls_handshake_store(ep->o->new_ca_file, &hs->new_store, &d))
			hs->new_store = NULL;
	}
	ho->store = hs->store;
	ho->new_store = hs->new_store;
	pthread_mutex_unlock(&hs->store_lock);
}

static void scan_certs(struct scan_ep *ep)
{
	struct dbtls_handshake_opts ho = {
	    .ca_file = ep->o->ca_file,
	    .sni = ep->sni,
	    .verify_host = ep->xmpp_domain ? ep->xmpp_domain
			   : ep->o->sni	   ? ep->o->sni
					   : ep->t->host,
	    .timeout_ms = ep->o->timeout_ms,
	    .new_ca_file = ep->o->new_ca_file,
	    .alpn = ep->alpn,
	    .xmpp_srv_service = ep->t->preamble->supports & DBTLS_PRE_XMPP_C2S	 ? "_xmpp-client"
				: ep->t->preamble->supports & DBTLS_PRE_XMPP_S2S ? "_xmpp-server"
										 : NULL,
	    .client_auth = true, /* TLS 1.3 encrypts the request: only this handshake sees it */
	};
	struct dbtls_handshake_keep keep = {0};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	enum dbtls_err err;
	unsigned tries = 0;
	bool busy, careful_only = false;

	scan_stores(ep, &ho);
	/* Pipelined when the endpoint allows it (the ClientHello right behind the preamble's
	 * request, the greeting read before the answer), as a probe is; a pipelined handshake
	 * that failed for any other reason than a stop or a full server is asked once more the
	 * careful way, so that pipelining never costs a certificate. A server that said "too many
	 * connections" is asked again after a back-off (scan_busy_wait). */
	for (;;) {
		struct scan_fast fx = {.ep = ep};
		bool fast;

		err = scan_stopped(ep, &d);
		if (!err)
			err = scan_acquire(ep, &c, &d);
		if (err) {
			scan_error(ep, err, "handshake", &d);
			return;
		}
		fast = !careful_only && scan_fast_ok(ep);
		err = scan_open(ep, &c, fast ? &fx : NULL, &busy, &d);
		if (!err)
			err = dbtls_handshake_certs_keep(&c, &ho, ep->f, &keep, &d);
		dbtls_conn_close(&c);
		if (fast && fx.ran)
			busy = scan_fast_end(ep, &fx, &d);
		scan_slot_put(ep);
		if (!err) {
			pthread_mutex_lock(&ep->lock);
			ep->admitted = true; /* a whole handshake (direct TLS shows no greeting) */
			pthread_mutex_unlock(&ep->lock);
		}
		if (err && fast && !busy && err != DBTLS_ERR_TIMEOUT &&
		    err != DBTLS_ERR_INTERRUPTED && err != DBTLS_ERR_NOMEM) {
			careful_only = true;
			continue;
		}
		if (!err || !busy || (err = scan_busy_wait(ep, &tries, err, &d)))
			break;
	}
	if (err) {
		err = scan_why(ep, err, &d);
		scan_error(ep, err, "handshake", &d);
		return;
	}
	/* OCSP responders and CRL servers can be slow: ask them with the database connection
	 * already closed, so the server never sees a client idle past its connect_timeout */
	if (ep->o->rev.enabled && ep->f->ncerts && !scan_stopped(ep, NULL)) {
		struct dbtls_rev_opts ro = ep->o->rev;
		ro.private_anchors = ep->o->ca_file != NULL; /* only that bundle was trusted */
		dbtls_revocation_check(keep.served, keep.path, keep.stapled, keep.nstapled, &ro,
				       ep->f->certs, ep->f->ncerts);
	}
	dbtls_handshake_keep_free(&keep);
}

/* A task that has not started when the endpoint is stopped is recorded as cut off, unrun. */
static bool scan_skip_stopped(struct scan_ep *ep, int task)
{
	struct dbtls_diag d = {0};
	enum dbtls_err err = scan_stopped(ep, &d);
	char stage[64];

	if (!err)
		return false;
	if (task == TASK_GROUPS) {
		scan_error(ep, err, "probe groups", &d);
	} else if (task == TASK_CERTS) {
		scan_error(ep, err, "handshake", &d);
	} else if (task == TASK_FLIGHT || task == TASK_FALLBACK) {
		scan_error(ep, err, "probe handshake facts", &d);
	} else {
		scan_decided(ep, (enum dbtls_version)task, DBTLS_VS_ERROR);
		if (task == DBTLS_TLS13)
			scan_tls13_done(ep, true);
		snprintf(stage, sizeof(stage), "probe %s",
			 dbtls_version_name((enum dbtls_version)task));
		scan_cut(ep, (enum dbtls_version)task, err, &d);
		scan_error(ep, err, stage, &d);
	}
	return true;
}

/* One connection of a step that is not a hello probe (handshake facts, the ALPN probe): budget,
 * slot and preamble, as for every probe; scan_hs_close() gives the slot back. */
static enum dbtls_err scan_hs_open(void *ctx, struct dbtls_conn *c, struct dbtls_diag *d)
{
	struct scan_ep *ep = ctx;
	enum dbtls_err err;
	unsigned tries = 0;
	bool busy;

	for (;;) {
		err = scan_acquire(ep, c, d);
		if (err)
			return err;
		err = scan_open(ep, c, NULL, &busy, d);
		if (!err)
			return DBTLS_OK;
		scan_slot_put(ep);
		/* "too many connections": after a back-off, as for a probe (scan_busy_wait) */
		if (!busy || (err = scan_busy_wait(ep, &tries, err, d)))
			return err;
	}
}

static void scan_hs_close(void *ctx, struct dbtls_conn *c)
{
	dbtls_conn_close(c);
	scan_slot_put(ctx);
}

/* The seam hsfacts.c probes through: the scan's own probe, connection and slot rules. */
static struct dbtls_hsfacts_io scan_hsfacts_io(struct scan_ep *ep)
{
	/* the early-CCS and heartbeat probes wait for an answer at most this long */
	int wait = ep->o->timeout_ms > 0 && ep->o->timeout_ms < 1500 ? ep->o->timeout_ms : 1500;

	return (struct dbtls_hsfacts_io){.ctx = ep,
					 .probe = scan_probe,
					 .open = scan_hs_open,
					 .close = scan_hs_close,
					 .pre = ep->t->preamble,
					 .sni = ep->sni,
					 .wait_ms = wait};
}

/* The flight + early CCS (+ Heartbleed) connection of version v, offering every candidate of v:
 * into ep->vulns and ep->ca, moved into f once every task has ended (the certificate handshake
 * writes f->client_auth meanwhile). */
static void scan_flight(struct scan_ep *ep, enum dbtls_version v)
{
	struct dbtls_hsfacts_io io = scan_hsfacts_io(ep);
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	bool hb, extras;

	pthread_mutex_lock(&ep->lock);
	hb = ep->seen[v].heartbeat;
	extras = !ep->seen[v].bare;
	ep->flight_ran = true;
	pthread_mutex_unlock(&ep->lock);
	err = dbtls_hsfacts_flight(&io, v, ep->cands[v], ep->ncands[v], extras, hb, &ep->vulns,
				   &ep->ca, &d);
	if (err)
		scan_error(ep, scan_why(ep, err, &d), "probe handshake facts", &d);
}

/* TLS_FALLBACK_SCSV, once every version's first answer is in: the version to fall to depends on
 * them. Waits for the other tasks (never holding a slot), bounded by the endpoint's stop. */
static bool scan_all_decided(const struct scan_ep *ep)
{
	const unsigned want = ((1u << DBTLS_NVERSIONS) - 1) & ~(1u << DBTLS_SSL2);

	return (ep->decided & want) == want;
}

static void scan_fallback(struct scan_ep *ep)
{
	struct dbtls_hsfacts_io io = scan_hsfacts_io(ep);
	enum dbtls_vstatus st[DBTLS_NVERSIONS];
	struct dbtls_diag d = {0};
	enum dbtls_err err;
	int lo;

	pthread_mutex_lock(&ep->lock);
	if (!scan_wait_locked(ep, scan_all_decided)) {
		pthread_mutex_unlock(&ep->lock);
		return;
	}
	memcpy(st, ep->vstatus, sizeof(st));
	pthread_mutex_unlock(&ep->lock);
	lo = dbtls_hsfacts_fallback_version(st);
	if (lo < 0)
		return;
	err = dbtls_hsfacts_fallback(&io, (enum dbtls_version)lo, ep->cands[lo], ep->ncands[lo],
				     &ep->f->hygiene, &d);
	if (err)
		scan_error(ep, scan_why(ep, err, &d), "probe handshake facts", &d);
}

/* After every task: what else the handshake tells, from what the tasks left in ep, and the
 * probes that need the enumeration's results (src/scan/hsfacts.h lists what each costs). */
static void scan_hsfacts(struct scan_ep *ep)
{
	struct dbtls_endpoint_facts *f = ep->f;
	struct dbtls_hsfacts_io io = scan_hsfacts_io(ep);
	struct dbtls_diag d = {0};
	enum dbtls_err err = DBTLS_OK;
	int v, hi = -1;

	for (v = DBTLS_SSL3; v <= DBTLS_TLS12; v++)
		if (f->versions[v].status == DBTLS_VS_ACCEPTED)
			hi = v;
	/* no TLS 1.2 at the start: the flight goes out now, with the highest version there is */
	if (hi >= 0 && !ep->flight_ran && !scan_stopped(ep, NULL))
		scan_flight(ep, (enum dbtls_version)hi);
	dbtls_hsfacts_hygiene(ep->seen, f);
	if (hi >= 0) {
		struct dbtls_vuln_facts *vf = &f->vulns;
		struct dbtls_client_auth_facts *ca = &f->client_auth;

		vf->probed = true;
		vf->heartbleed = ep->vulns.heartbleed;
		vf->heartbleed_detail = ep->vulns.heartbleed_detail;
		vf->ccs_injection = ep->vulns.ccs_injection;
		vf->ccs_detail = ep->vulns.ccs_detail;
		ep->vulns.heartbleed_detail = ep->vulns.ccs_detail = NULL;
		if (!ep->flight_ran)
			vf->heartbleed = vf->ccs_injection = -1;
		vf->dh_prime_prime = vf->dh_prime_safe = -1;
		scan_dh_finish(ep);
		if (ep->dh_plen)
			scan_dh_copy(vf, &ep->dh_res);
		if (ep->ca.probed) {
			/* the TLS <= 1.2 request replaces what the certificate handshake saw */
			for (size_t i = 0; i < ca->nca_names; i++)
				free(ca->ca_names[i]);
			for (size_t i = 0; i < ca->nsigalgs; i++)
				free(ca->sigalgs[i]);
			free(ca->ca_names);
			free(ca->sigalgs);
			*ca = ep->ca;
			memset(&ep->ca, 0, sizeof(ep->ca));
		}
	}
	if (!scan_stopped(ep, NULL))
		err = dbtls_hsfacts_groups13(&io, ep->cands, ep->ncands, f, &d);
	if (!err && ep->o->handshake_facts && !scan_stopped(ep, NULL))
		err = dbtls_hsfacts_sigalgs(&io, f, &d);
	if (err)
		scan_error(ep, scan_why(ep, err, &d), "probe handshake facts", &d);
}

/* Fills the probe's outcome from a completed handshake that offered it. */
static void scan_alpn_outcome(struct dbtls_alpn_probe *ap, const struct dbtls_verification *v)
{
	if (!v->alpn)
		ap->outcome = DBTLS_ALPN_IGNORED;
	else if (strcmp(v->alpn, ap->protocol) == 0)
		ap->outcome = DBTLS_ALPN_SELECTED;
	else {
		ap->outcome = DBTLS_ALPN_OTHER;
		ap->selected = strdup(v->alpn);
	}
}

/*
 * The preamble's alpn_probe: what the server (or a proxy in front of it) does when a client
 * offers that ALPN protocol. When the scan's own handshake offered it, that handshake tells;
 * otherwise one more connection offers it, after the protocol's own negotiation, as libpq 17
 * does after PostgreSQL's SSLRequest. A failure there counts as "refused" only when the
 * handshake without it succeeded; else nobody can tell.
 */
static void scan_alpn_probe(struct scan_ep *ep)
{
	struct dbtls_endpoint_facts *f = ep->f, hs;
	struct dbtls_alpn_probe *ap = &f->alpn_probe;
	const char *name = ep->t->preamble->alpn_probe;
	const char *const list[] = {name, NULL};
	struct dbtls_handshake_opts ho = {
	    .ca_file = ep->o->ca_file,
	    .sni = ep->sni,
	    .verify_host = ep->o->sni ? ep->o->sni : ep->t->host,
	    .timeout_ms = ep->o->timeout_ms,
	    .alpn = list,
	};
	struct dbtls_diag d = {0};
	struct dbtls_conn c;
	enum dbtls_err err;
	bool offered = false;
	char msg[sizeof(d.msg) + 128];

	for (size_t i = 0; ep->alpn && ep->alpn[i]; i++)
		offered |= strcmp(ep->alpn[i], name) == 0;
	for (size_t i = 0; ep->t->preamble->alpn && ep->t->preamble->alpn[i]; i++)
		ap->required |= strcmp(ep->t->preamble->alpn[i], name) == 0;
	ap->probed = true;
	ap->protocol = strdup(name);
	scan_stores(ep, &ho);
	if (offered && f->verification.done) {
		scan_alpn_outcome(ap, &f->verification);
		ap->detail = strdup("the certificate handshake offered it");
		return;
	}
	memset(&hs, 0, sizeof(hs));
	err = scan_hs_open(ep, &c, &d);
	if (!err) {
		err = dbtls_handshake_certs(&c, &ho, &hs, &d);
		scan_hs_close(ep, &c);
	}
	if (!err && hs.verification.done) {
		scan_alpn_outcome(ap, &hs.verification);
		snprintf(msg, sizeof(msg), "one more handshake offered only \"%s\"%s", name,
			 ep->t->preamble->alpn ? "" : " after the protocol's own TLS request");
		ap->detail = strdup(msg);
	} else {
		bool refused = err == DBTLS_ERR_TLS && f->verification.done;

		ap->outcome = refused ? DBTLS_ALPN_REFUSED : DBTLS_ALPN_UNKNOWN;
		snprintf(msg, sizeof(msg), "%s%s",
			 refused ? "the handshake offering it failed "
				   "while one without it succeeded: "
				 : "",
			 d.msg[0] ? d.msg : dbtls_errname(err ? err : DBTLS_ERR_TLS));
		ap->detail = strdup(msg);
	}
	dbtls_endpoint_facts_free(&hs);
}

static void scan_run_task(struct scan_ep *ep, int task)
{
	if (scan_skip_stopped(ep, task))
		return;
	if (task == TASK_GROUPS) {
		scan_family = "groups";
		scan_groups(ep);
	} else if (task == TASK_CERTS) {
		scan_family = "certs";
		scan_certs(ep);
	} else if (task == TASK_FLIGHT) {
		scan_family = "flight";
		scan_flight(ep, DBTLS_TLS12);
	} else if (task == TASK_FALLBACK) {
		scan_family = "fallback";
		scan_fallback(ep);
	} else {
		scan_family = dbtls_version_name((enum dbtls_version)task);
		scan_suites(ep, (enum dbtls_version)task);
	}
}

/* Takes tasks off ep's queue until it is final and empty. */
static void *scan_ep_worker(void *arg)
{
	struct scan_ep *ep = arg;
	int task;

	for (;;) {
		pthread_mutex_lock(&ep->lock);
		while (ep->next >= ep->ntasks && !ep->tasks_final)
			pthread_cond_wait(&ep->decided_cv, &ep->lock);
		if (ep->next >= ep->ntasks) {
			pthread_mutex_unlock(&ep->lock);
			break;
		}
		task = ep->tasks[ep->next++];
		pthread_mutex_unlock(&ep->lock);
		scan_run_task(ep, task);
	}
	return NULL;
}

/* No more tasks: lets the workers run out the queue and end, and waits for them. */
static void scan_ep_finish(struct scan_ep *ep)
{
	pthread_mutex_lock(&ep->lock);
	ep->tasks_final = true;
	pthread_cond_broadcast(&ep->decided_cv);
	pthread_mutex_unlock(&ep->lock);
	/* nworkers only grows under the lock, and nothing pushes once tasks_final is set */
	for (size_t i = 0; i < ep->nworkers; i++)
		pthread_join(ep->workers[i], NULL);
	ep->nworkers = 0;
}

static enum dbtls_err scan_sql_skip(struct dbtls_sql_facts *s, const char *why)
{
	s->status = DBTLS_SQL_SKIPPED;
	s->reason = strdup(why);
	return s->reason ? DBTLS_OK : DBTLS_ERR_NOMEM;
}

/* A failed SQL login that met a full server: MySQL/MariaDB's ERR 1040 (libpq gives no error
 * number for a failed connection, so a PostgreSQL login is not told apart here). */
static bool scan_sql_busy(const struct dbtls_target *t, const struct dbtls_sql_facts *s)
{
	return s->status == DBTLS_SQL_FAILED && !strcmp(t->preamble->scheme, "mysql") &&
	       s->error_code == 1040;
}

/* dbtls_scan_sql(); with ep (NULL: none), a login that met "too many connections" is asked again
 * under the rule of every other connection (scan_busy_wait). */
static enum dbtls_err scan_sql_in(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				  struct dbtls_endpoint_facts *f, struct scan_ep *ep)
{
	const struct dbtls_sql_module *mod = scan_sql_module(t);
	struct dbtls_sql_target st;
	struct dbtls_sql_opts so;
	struct dbtls_diag d = {0};
	unsigned used, tries = 0;
	enum dbtls_err err;
	char why[128];

	dbtls_sql_facts_free(&f->sql);
	if (!mod) {
		snprintf(why, sizeof(why), "the %s protocol has no SQL login step",
			 t->preamble ? t->preamble->scheme : "target's");
		return scan_sql_skip(&f->sql, why);
	}
	scan_sql_args(t, o, &st, &so);
	if (f->tls_offered != 1) {
		err =
		    scan_sql_skip(&f->sql, f->tls_offered == 0
					       ? "the server offers no TLS, and credentials never "
						 "travel in clear text"
					       : "the TLS probes did not reach the server");
		if (!err && mod->inspect)
			err = mod->inspect(&so, &f->sql);
		return err;
	}
	scan_sql_pin(f, &st);
	for (;;) {
		used = 0;
		dbtls_diag_clear(&d);
		err = mod->scan(&st, &so, &f->sql, &used, &d);
		f->connections_used += used;
		if (!ep || err != DBTLS_ERR_SERVER_ERROR || !scan_sql_busy(t, &f->sql))
			break;
		err = scan_busy_wait(ep, &tries, err, &d);
		if (err)
			break;
	}
	if (err && err != DBTLS_ERR_NOMEM)
		err = dbtls_facts_add_error(f, err, "sql login", d.msg);
	return err;
}

enum dbtls_err dbtls_scan_sql(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
			      struct dbtls_endpoint_facts *f)
{
	return scan_sql_in(t, o, f, NULL);
}

/* TLS offered, yet every hello was refused (an RST, a close, an ERR packet, a ServerHello of a
 * version not offered): nothing was negotiated, so nothing about the endpoint's TLS can be
 * judged. That is an endpoint error, never a clean bill of health. */
static void scan_no_version(struct dbtls_endpoint_facts *f)
{
	const char *why = f->versions[DBTLS_TLS12].reason;
	char msg[400];

	for (int v = 0; v < DBTLS_NVERSIONS; v++)
		if (f->versions[v].status == DBTLS_VS_ACCEPTED)
			return;
	snprintf(msg, sizeof(msg), "every ClientHello (SSLv2 to TLS 1.3) was refused%s%s%s",
		 why ? " (TLS 1.2: " : "", why ? why : "", why ? ")" : "");
	dbtls_facts_add_error(f, DBTLS_ERR_NO_VERSION, "probe", msg);
}

static double scan_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The target's own fields of f, before anything is probed; false when out of memory. */
static bool scan_facts_init(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
			    struct dbtls_endpoint_facts *f, const char **xmpp_domain)
{
	*xmpp_domain = NULL;
	f->target = dbtls_strdup(t->given);
	f->protocol = dbtls_strdup(t->preamble->scheme);
	f->host = dbtls_strdup(t->host);
	f->port = t->port;
	/* RFC 6066 §3: no SNI for an IP literal; the facts say null, as nothing was sent */
	if (t->preamble->supports & (DBTLS_PRE_XMPP_C2S | DBTLS_PRE_XMPP_S2S))
		*xmpp_domain = o->xmpp_domain; /* XMPP clients send their domain as SNI */
	f->sni = o->sni		       ? dbtls_strdup(o->sni)
		 : *xmpp_domain	       ? dbtls_strdup(*xmpp_domain)
		 : scan_is_ip(t->host) ? NULL
				       : dbtls_strdup(t->host);
	f->tls_offered = -1;
	f->groups_version = -1;
	if (!f->id) /* the scheduler set it already for an address of a name */
		f->id = dbtls_target_id(t);
	return f->target && f->protocol && f->host && f->id &&
	       (f->sni || (!o->sni && !*xmpp_domain && scan_is_ip(t->host)));
}

/* A name the scheduler looked up before the endpoint's scan (scan_target), when it failed: the
 * scan records that instead of asking the resolver a second time. */
struct scan_pre {
	enum dbtls_err err;
	struct dbtls_diag d;
};

/* The addresses of a (into new strings, at most DBTLS_NAME_ADDRS_MAX, none twice) as
 * f->name_addresses. False when out of memory. */
static bool scan_name_addresses(const struct dbtls_addrs *a, struct dbtls_endpoint_facts *f)
{
	char buf[64];

	f->name_addresses = calloc(a->n ? a->n : 1, sizeof(char *));
	if (!f->name_addresses)
		return false;
	for (size_t i = 0; i < a->n && f->nname_addresses < DBTLS_NAME_ADDRS_MAX; i++) {
		bool dup = false;

		dbtls_net_addr_string(a, i, buf, sizeof(buf));
		for (size_t k = 0; k < f->nname_addresses && !dup; k++)
			dup = !strcmp(f->name_addresses[k], buf);
		if (dup)
			continue;
		f->name_addresses[f->nname_addresses] = strdup(buf);
		if (!f->name_addresses[f->nname_addresses])
			return false;
		f->nname_addresses++;
	}
	return true;
}

static enum dbtls_err scan_endpoint_in(const struct dbtls_target *t,
				       const struct dbtls_scan_opts *o, struct scan_hosts *hosts,
				       struct dbtls_endpoint_facts *f, const struct scan_pre *pre)
{
	struct scan_ep ep = {.t = t, .o = o, .f = f, .hs = hosts, .t0_ms = dbtls_net_now_ms()};
	struct dbtls_hello_params hp;
	struct dbtls_diag d = {0};
	enum dbtls_err err = DBTLS_OK, stop;
	double t0 = scan_now();
	bool certs_done = false, any_tls = false, init_ok;
	char addr[64];
	int v;

	if (o->endpoint_timeout_ms > 0)
		ep.deadline = dbtls_net_now_ms() + o->endpoint_timeout_ms;
	scan_family = "open";
	pthread_mutex_init(&ep.lock, NULL);
	pthread_cond_init(&ep.decided_cv, NULL);
	f->hygiene.fallback_scsv = -1; /* until a fallback hello says otherwise */
	init_ok = scan_facts_init(t, o, f, &ep.xmpp_domain);
	ep.sni = f->sni;
	ep.name = ep.xmpp_domain ? ep.xmpp_domain : f->sni ? f->sni : t->host;
	ep.alpn = o->alpn ? o->alpn : t->preamble->alpn;
	for (v = 0; v < DBTLS_NVERSIONS; v++) {
		size_t n = dbtls_suites_for_version((enum dbtls_version)v, NULL, 0);
		ep.cands[v] = calloc(n ? n : 1, sizeof(uint32_t));
		if (!ep.cands[v]) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		ep.ncands[v] = dbtls_suites_for_version((enum dbtls_version)v, ep.cands[v], n);
	}
	if (!init_ok) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	/* one lookup per endpoint, under the first connection's deadline; the server it names is
	 * the one whose cap and budget every probe here counts against */
	if (pre && pre->err) {
		d = pre->d;
		err = pre->err;
	} else {
		err = dbtls_net_resolve(
		    t->addr ? t->addr : t->host, t->port,
		    dbtls_net_deadline_min(dbtls_net_now_ms() + o->timeout_ms, ep.deadline),
		    o->cancel_fd, &ep.addrs, &d);
	}
	if (err == DBTLS_ERR_NOMEM)
		goto out;
	if (err) {
		scan_error(&ep, scan_why(&ep, err, &d), "connect", &d);
		err = DBTLS_OK;
		goto out;
	}
	/* a name scanned here, not by scan_target (--first-address, dbtls_scan_endpoint): its
	 * first address that answers, as a database client connects (scan_open pins it) */
	if (!t->addr && !scan_is_ip(t->host) && !f->name_addresses &&
	    !scan_name_addresses(&ep.addrs, f)) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	dbtls_net_addr_string(&ep.addrs, 0, addr, sizeof(addr));
	ep.h = scan_host_get(hosts, addr, t->port);
	if (!ep.h) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	if (!dbtls_alpn_valid(ep.alpn)) {
		dbtls_diag_set(&d, DBTLS_ERR_USAGE,
			       "ALPN list not sent: at most %d names of 1-%d bytes, none twice",
			       DBTLS_ALPN_MAX, DBTLS_ALPN_NAME_MAX);
		scan_error(&ep, DBTLS_ERR_USAGE, "preamble", &d);
		goto out;
	}

	/* The opening hello is TLS 1.2 with every suite: the most likely to be accepted, the first
	 * step of TLS 1.2's enumeration, and its preamble tells whether there is TLS to probe at
	 * all. A refusal there (ERR packet, nothing listening, no TLS) ends the endpoint's scan
	 * without spending more connections. */
	hp = (struct dbtls_hello_params){.version = DBTLS_TLS12,
					 .suites = ep.cands[DBTLS_TLS12],
					 .nsuites = ep.ncands[DBTLS_TLS12],
					 .sni = ep.sni,
					 .want_kex = true};
	pthread_mutex_lock(&ep.lock);
	ep.opening = true;
	pthread_mutex_unlock(&ep.lock);
	err = scan_probe(&ep, &hp, &ep.first, &d);
	pthread_mutex_lock(&ep.lock);
	ep.opening = false;
	ep.warm_closed = true; /* what is in the pool now is for the tasks that start next */
	pthread_mutex_unlock(&ep.lock);
	if (err == DBTLS_ERR_NO_TLS) {
		f->tls_offered = 0;
		err = DBTLS_OK;
		goto out;
	}
	if (!err && ep.first.kind == DBTLS_HELLO_GARBAGE && !strcmp(t->preamble->scheme, "tls")) {
		/* direct TLS answered with something else (an HTTP 400, a banner): this port does
		 * not speak TLS, and the other versions would only hear the same */
		char why[160];

		dbtls_hello_describe(&ep.first, why, sizeof(why));
		f->tls_offered = 0;
		f->versions[DBTLS_TLS12].status = DBTLS_VS_REJECTED;
		f->versions[DBTLS_TLS12].reason = strdup(why);
		goto out;
	}
	if (err) {
		scan_error(&ep, err, scan_stage(err), &d);
		err = DBTLS_OK;
		goto out;
	}
	f->tls_offered = 1;
	/* what the server did with the ALPN list in a hello it answered (TLS 1.2 shows it) */
	if (ep.alpn && ep.alpn[0] && ep.first.kind == DBTLS_HELLO_SERVER_HELLO) {
		f->alpn_hello_offered = true;
		if (ep.first.alpn_seen && !(f->alpn_hello = strdup(ep.first.alpn))) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
	}

	/* Longest first: TLS 1.2's enumeration has the most suites to find. The certificate
	 * handshake and the flight + CCS probe run alongside when TLS 1.2 is known to work, else
	 * after, if anything does. The fallback probe comes last: it waits for every version's
	 * first answer (it never holds a connection slot while it waits). */
	pthread_mutex_lock(&ep.lock);
	scan_push_locked(&ep, DBTLS_TLS10); /* no-ops for what the greeting started early */
	scan_push_locked(&ep, DBTLS_TLS11);
	scan_push_locked(&ep, DBTLS_TLS13);
	scan_push_locked(&ep, TASK_GROUPS);
	if (dbtls_enum_classify(DBTLS_TLS12, &ep.first) == DBTLS_VS_ACCEPTED) {
		scan_push_locked(&ep, TASK_CERTS);
		scan_push_locked(&ep, TASK_FLIGHT);
		certs_done = true;
	}
	scan_push_locked(&ep, DBTLS_SSL3);
	scan_push_locked(&ep, DBTLS_SSL2);
	scan_push_locked(&ep, TASK_FALLBACK);
	ep.tasks_final = true;
	pthread_cond_broadcast(&ep.decided_cv);
	pthread_mutex_unlock(&ep.lock);
	/* this thread takes TLS 1.2, the longest, at once, then helps with the queue */
	scan_run_task(&ep, DBTLS_TLS12);
	scan_ep_worker(&ep);
	scan_ep_finish(&ep);
	for (v = DBTLS_TLS10; v < DBTLS_NVERSIONS; v++)
		any_tls |= f->versions[v].status == DBTLS_VS_ACCEPTED;
	scan_no_version(f);
	scan_family = "certs";
	if (!certs_done && any_tls)
		scan_certs(&ep);
	scan_family = "hsfacts";
	if (any_tls)
		scan_hsfacts(&ep);
	if (any_tls)
		dbtls_hsfacts_explain_pq(f);
	scan_family = "alpn";
	if (t->preamble->alpn_probe && any_tls)
		scan_alpn_probe(&ep);
out:
	scan_ep_finish(&ep); /* what the greeting started early ends before f is read */
	scan_warm_end(&ep);
	if (ep.dh_started)
		pthread_join(ep.dh_thread, NULL);
	free(ep.dh_res.dh_prime_name);
	for (v = 0; v < DBTLS_NVERSIONS && f->tls_offered == -1 && ep.early; v++)
		if (f->versions[v].status == DBTLS_VS_ACCEPTED)
			f->tls_offered = 1;
	stop = err ? DBTLS_OK : scan_stopped(&ep, &d);
	if (stop) {
		/* what was not probed before the stop is unfinished, not "not offered" */
		for (v = 0; v < DBTLS_NVERSIONS && f->tls_offered == 1; v++)
			if (f->versions[v].status == DBTLS_VS_NOT_PROBED)
				scan_cut(&ep, (enum dbtls_version)v, stop, &d);
		if (o->sql && !f->sql.status) {
			f->sql.status = DBTLS_SQL_SKIPPED;
			f->sql.reason = dbtls_strdup(d.msg);
			scan_error(&ep, stop, "sql login", &d);
		}
	}
	/* the SQL login comes after every probe, and also records why it was skipped (no TLS) */
	if (!err && o->sql && !stop)
		err = scan_sql_in(t, o, f, &ep);
	for (v = 0; v < DBTLS_NVERSIONS; v++)
		free(ep.cands[v]);
	/* what the flight task found and scan_hsfacts() did not move into f */
	free(ep.vulns.heartbleed_detail);
	free(ep.vulns.ccs_detail);
	for (size_t i = 0; i < ep.ca.nca_names; i++)
		free(ep.ca.ca_names[i]);
	for (size_t i = 0; i < ep.ca.nsigalgs; i++)
		free(ep.ca.sigalgs[i]);
	free(ep.ca.ca_names);
	free(ep.ca.sigalgs);
	pthread_cond_destroy(&ep.decided_cv);
	pthread_mutex_destroy(&ep.lock);
	f->duration_s = scan_now() - t0;
	if (o->on_endpoint_done)
		o->on_endpoint_done(o->on_endpoint_done_arg, f);
	return err;
}

enum dbtls_err dbtls_scan_endpoint(const struct dbtls_target *t, const struct dbtls_scan_opts *o,
				   struct dbtls_endpoint_facts *f)
{
	struct scan_hosts hosts;
	enum dbtls_err err;

	scan_hosts_init(&hosts);
	err = scan_endpoint_in(t, o, &hosts, f, NULL);
	scan_hosts_free(&hosts);
	return err;
}

bool dbtls_scan_fit_fds(struct dbtls_scan_opts *o, char *msg, size_t n)
{
	long per = scan_per_host(o) + DBTLS_SCAN_FDS_EXTRA;
	long reserve = DBTLS_SCAN_FDS_RESERVE + (o->fds_held > 0 ? o->fds_held : 0);
	long jobs = o->jobs > 0 ? o->jobs : 1, want = jobs * per + reserve, have;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return false;
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)want > rl.rlim_cur) {
		struct rlimit up = rl;
		up.rlim_cur = rl.rlim_max == RLIM_INFINITY || (rlim_t)want < rl.rlim_max
				  ? (rlim_t)want
				  : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur == RLIM_INFINITY || (rlim_t)want <= rl.rlim_cur)
		return false;
	have = (long)rl.rlim_cur - reserve;
	if (have < 2) /* hardly anything to be had: one endpoint, one connection */
		have = 2;
	if (have / per >= 1) {
		o->jobs = (int)(have / per);
	} else {
		o->jobs = 1;
		o->per_host =
		    (int)(have - DBTLS_SCAN_FDS_EXTRA > 0 ? have - DBTLS_SCAN_FDS_EXTRA : 1);
	}
	snprintf(msg, n,
		 "dbtls: warning: --jobs %ld x --per-host-connections %ld needs about %ld file "
		 "descriptors and the limit (ulimit -n) is %ld: scanning %d endpoint%s at once, "
		 "%d connection%s each",
		 jobs, per - DBTLS_SCAN_FDS_EXTRA, want, (long)rl.rlim_cur, o->jobs,
		 o->jobs == 1 ? "" : "s", o->per_host, o->per_host == 1 ? "" : "s");
	return true;
}

/* The run: workers take targets from the source in order (index i), scan them into a slot of a
 * ring of `window` slots, and the worker that finishes the oldest endpoint not yet delivered
 * hands every finished one from there on, in order, to the sink, which judges and writes it;
 * then it is freed. A worker does not take target i while i >= oldest + window, so at most
 * `window` endpoints' facts are held whatever the number of targets: memory is O(jobs). */
struct scan_slot {
	struct dbtls_target t;
	struct dbtls_endpoint_facts f;
	/* the other addresses of a name scanned at every address (scan_target), in order */
	struct dbtls_endpoint_facts *more;
	size_t nmore;
	bool done;
};

struct scan_pool {
	const struct dbtls_scan_source *src;
	const struct dbtls_scan_opts *o;
	dbtls_scan_sink_fn sink;
	void *sink_arg;
	struct scan_hosts hosts; /* every server the run talks to */
	pthread_mutex_t lock;
	pthread_cond_t room; /* signalled when the oldest slot is delivered */
	struct scan_slot *ring;
	size_t window;
	size_t next;		/* the index the next target taken gets */
	size_t oldest;		/* the oldest index not delivered yet */
	size_t delivered;	/* endpoints handed to the sink (a target may be several) */
	bool delivering;	/* a worker is handing endpoints to the sink */
	bool src_done;		/* the source is exhausted (or failed): take nothing more */
	enum dbtls_err err;	/* NOMEM of a scan, or the sink's error */
	enum dbtls_err src_err; /* the source's error */
};

/* An endpoint the run never started because it was interrupted: its target and why. */
static enum dbtls_err scan_not_started(const struct dbtls_target *t,
				       const struct dbtls_scan_opts *o,
				       struct dbtls_endpoint_facts *f)
{
	const char *xmpp_domain;

	if (!scan_facts_init(t, o, f, &xmpp_domain) ||
	    dbtls_facts_add_error(f, DBTLS_ERR_INTERRUPTED, "not scanned",
				  "interrupted before this endpoint was scanned"))
		return DBTLS_ERR_NOMEM;
	return DBTLS_OK;
}

/* Under p->lock: hands the finished endpoints from the oldest on to the sink, in order, with the
 * lock released around each call, and frees them. One worker at a time does it. */
static void scan_deliver(struct scan_pool *p)
{
	if (p->delivering)
		return;
	p->delivering = true;
	while (p->ring[p->oldest % p->window].done) {
		struct scan_slot *sl = &p->ring[p->oldest % p->window];
		enum dbtls_err err = DBTLS_OK;

		pthread_mutex_unlock(&p->lock);
		if (p->sink)
			err = p->sink(p->sink_arg, p->delivered++, &sl->f);
		for (size_t k = 0; k < sl->nmore; k++) {
			if (p->sink && !err)
				err = p->sink(p->sink_arg, p->delivered++, &sl->more[k]);
			dbtls_endpoint_facts_free(&sl->more[k]);
		}
		free(sl->more);
		dbtls_endpoint_facts_free(&sl->f);
		dbtls_target_free(&sl->t);
		pthread_mutex_lock(&p->lock);
		memset(sl, 0, sizeof(*sl));
		if (err && !p->err) {
			p->err = err;
			p->src_done = true; /* nothing more is taken; those in flight finish */
		}
		p->oldest++;
		pthread_cond_broadcast(&p->room);
	}
	p->delivering = false;
}

/* Address i of t's name (addrs, as scan_name_addresses lists them into f) scanned as an endpoint
 * of its own into *f, every connection pinned to it: its id names the address when the name's
 * other addresses are scanned too (qualify). */
static enum dbtls_err scan_one_address(struct scan_pool *p, const struct dbtls_target *t,
				       const struct dbtls_addrs *addrs, size_t i, bool qualify,
				       struct dbtls_endpoint_facts *f)
{
	struct dbtls_target u;
	enum dbtls_err err;

	if ((!f->name_addresses && !scan_name_addresses(addrs, f)) ||
	    dbtls_target_copy(t, f->name_addresses[i], &u))
		return DBTLS_ERR_NOMEM;
	f->id = qualify ? dbtls_target_id(&u) : dbtls_target_id(t);
	if (!f->id)
		err = DBTLS_ERR_NOMEM;
	else if (dbtls_net_cancelled(p->o->cancel_fd))
		err = scan_not_started(&u, p->o, f);
	else
		err = scan_endpoint_in(&u, p->o, &p->hosts, f, NULL);
	dbtls_target_free(&u);
	return err;
}

/* The endpoints of target sl->t: one, or, for a host name with several addresses, one per
 * address (sl->f the first, sl->more the rest), each connecting only to its own: two addresses
 * of one name are two servers, and probes spread over both would mix their facts. The name is
 * looked up here, once. With --first-address it is scan_endpoint_in's, as one endpoint at the
 * first address that answers. */
static enum dbtls_err scan_target(struct scan_pool *p, struct scan_slot *sl)
{
	const struct dbtls_target *t = &sl->t;
	struct scan_pre pre = {0};
	struct dbtls_addrs addrs;
	enum dbtls_err err;
	size_t n;

	if (t->addr || scan_is_ip(t->host) || p->o->first_address)
		return scan_endpoint_in(t, p->o, &p->hosts, &sl->f, NULL);
	pre.err = dbtls_net_resolve(t->host, t->port, dbtls_net_now_ms() + p->o->timeout_ms,
				    p->o->cancel_fd, &addrs, &pre.d);
	if (pre.err == DBTLS_ERR_NOMEM)
		return pre.err;
	if (pre.err)
		return scan_endpoint_in(t, p->o, &p->hosts, &sl->f, &pre);
	/* the first endpoint's list says how many distinct addresses there are */
	if (!scan_name_addresses(&addrs, &sl->f))
		return DBTLS_ERR_NOMEM;
	n = sl->f.nname_addresses;
	if (!n) /* nothing to pin: scanned (and its error said) as the resolver sees it */
		return scan_endpoint_in(t, p->o, &p->hosts, &sl->f, NULL);
	err = scan_one_address(p, t, &addrs, 0, n > 1, &sl->f);
	if (!err && n > 1) {
		sl->more = calloc(n - 1, sizeof(*sl->more));
		if (!sl->more)
			err = DBTLS_ERR_NOMEM;
		if (!err && p->o->on_endpoints_added)
			p->o->on_endpoints_added(p->o->on_endpoint_done_arg, n - 1);
	}
	for (size_t i = 1; !err && i < n; i++) {
		sl->nmore = i; /* freed with the slot, done or not */
		err = scan_one_address(p, t, &addrs, i, true, &sl->more[i - 1]);
	}
	return err;
}

static void *scan_worker(void *arg)
{
	struct scan_pool *p = arg;
	struct scan_slot *sl;
	enum dbtls_err err;
	bool done;
	size_t i;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->src_done && p->next >= p->oldest + p->window)
			pthread_cond_wait(&p->room, &p->lock);
		if (p->src_done)
			break;
		sl = &p->ring[p->next % p->window];
		done = false;
		/* the source is read under the lock: one reader, in order */
		err = p->src->next(p->src->arg, &sl->t, &done);
		if (err || done) {
			if (err && !p->src_err)
				p->src_err = err;
			p->src_done = true;
			pthread_cond_broadcast(&p->room);
			break;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (dbtls_net_cancelled(p->o->cancel_fd))
			err = scan_not_started(&sl->t, p->o, &sl->f);
		else
			err = scan_target(p, sl);
		pthread_mutex_lock(&p->lock);
		(void)i;
		if (err && !p->err)
			p->err = err;
		sl->done = true;
		scan_deliver(p);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

enum dbtls_err dbtls_scan_stream(const struct dbtls_scan_source *src,
				 const struct dbtls_scan_opts *o, dbtls_scan_sink_fn sink,
				 void *sink_arg, struct dbtls_scan_facts *out)
{
	struct scan_pool pool = {.src = src, .o = o, .sink = sink, .sink_arg = sink_arg};
	pthread_t *th = NULL;
	size_t nth, started = 0;
	double t0 = scan_now();

	if (!out->started_at) /* the caller may have stamped it before opening its reports */
		out->started_at = time(NULL);
	nth = o->jobs > 0 ? (size_t)o->jobs : 1;
	if (src->total && nth > src->total)
		nth = src->total;
	pool.window = DBTLS_SCAN_WINDOW(nth);
	pool.ring = calloc(pool.window, sizeof(*pool.ring));
	th = calloc(nth, sizeof(*th));
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.room, NULL);
	scan_hosts_init(&pool.hosts);
	if (!th || !pool.ring) {
		pool.err = DBTLS_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nth; i++)
		if (pthread_create(&th[started], NULL, scan_worker, &pool) == 0)
			started++;
	if (!started) /* no threads to be had: scan in this one */
		scan_worker(&pool);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
out:
	free(th);
	free(pool.ring);
	scan_hosts_free(&pool.hosts);
	pthread_cond_destroy(&pool.room);
	pthread_mutex_destroy(&pool.lock);
	out->interrupted = dbtls_net_cancelled(o->cancel_fd);
	out->finished_at = time(NULL);
	out->duration_s = scan_now() - t0;
	return pool.err ? pool.err : pool.src_err;
}

/* dbtls_scan_run: a source over the array, a sink that moves each endpoint into out. */
struct scan_array {
	const struct dbtls_target *targets;
	size_t n, next;
	struct dbtls_scan_facts *out;
	size_t cap;
};

static enum dbtls_err scan_array_next(void *arg, struct dbtls_target *t, bool *done)
{
	struct scan_array *a = arg;

	if (a->next >= a->n) {
		*done = true;
		return DBTLS_OK;
	}
	return dbtls_target_copy(&a->targets[a->next++], NULL, t);
}

static enum dbtls_err scan_array_sink(void *arg, size_t index, struct dbtls_endpoint_facts *f)
{
	struct scan_array *a = arg;

	if (index >= a->cap) { /* a name with several addresses is several endpoints */
		size_t cap = a->cap * 2 > index + 1 ? a->cap * 2 : index + 1;
		struct dbtls_endpoint_facts *e = realloc(a->out->endpoints, cap * sizeof(*e));

		if (!e)
			return DBTLS_ERR_NOMEM;
		memset(e + a->cap, 0, (cap - a->cap) * sizeof(*e));
		a->out->endpoints = e;
		a->cap = cap;
	}
	a->out->endpoints[index] = *f;
	a->out->nendpoints = index + 1;
	memset(f, 0, sizeof(*f));
	return DBTLS_OK;
}

enum dbtls_err dbtls_scan_run(const struct dbtls_target *targets, size_t n,
			      const struct dbtls_scan_opts *o, struct dbtls_scan_facts *out)
{
	struct scan_array a = {.targets = targets, .n = n};
	struct dbtls_scan_source src = {.next = scan_array_next, .arg = &a, .total = n};
	enum dbtls_err err;

	out->endpoints = calloc(n ? n : 1, sizeof(*out->endpoints));
	if (!out->endpoints)
		return DBTLS_ERR_NOMEM;
	out->nendpoints = 0;
	a.out = out;
	a.cap = n ? n : 1;
	err = dbtls_scan_stream(&src, o, scan_array_sink, &a, out);
	return err;
}
