/* SPDX-License-Identifier: MIT */
/*
 * target.c — parses a target string into protocol, host and port (see target.h). Every reason
 * points at what to change: credentials, paths and queries are not part of a target and are
 * named as such, not reported as a bad port or a missing bracket. The one query a target takes
 * is "?address=ADDR", the form of the scan's own ids for one address of a name.
 */
#include "src/scan/target.h"

#include "src/facts/facts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%"

void dbtls_target_free(struct dbtls_target *t)
{
	if (!t)
		return;
	free(t->given);
	free(t->host);
	free(t->addr);
	memset(t, 0, sizeof(*t));
}

/* The authority part after "scheme://" (or the whole string), up to a path or query. */
static const char *target_rest(const char *s)
{
	const char *sep = strstr(s, "://");

	return sep ? sep + 3 : s;
}

void dbtls_target_display(const char *s, char *out, size_t outlen)
{
	const char *rest = target_rest(s), *at = strchr(rest, '@');

	if (!outlen)
		return;
	if (at && (size_t)(at - rest) < strcspn(rest, "/?#"))
		snprintf(out, outlen, "%.*s…%s", (int)(rest - s), s, at);
	else
		snprintf(out, outlen, "%s", s);
}

/* Checks the text after host[:port]: nothing, or a lone "/". */
static enum dbtls_err target_tail(const char *p, char *why, size_t whylen)
{
	if (!*p || !strcmp(p, "/"))
		return DBTLS_OK;
	if (*p == '?' || (*p == '/' && p[1] == '?'))
		snprintf(why, whylen,
			 "a query ('%s') is not part of a target: give HOST[:PORT] and options "
			 "on the command line",
			 *p == '/' ? p + 1 : p);
	else if (*p == '/')
		snprintf(why, whylen,
			 "a path ('%s') is not part of a target: dbtls scans the endpoint, not "
			 "a database",
			 p);
	else
		snprintf(why, whylen, "unexpected text '%s' after the host", p);
	return DBTLS_ERR_INPUT;
}

/* True when host is an IPv6 address, a %zone after it allowed: what brackets may hold. */
static bool target_is_v6(const char *host)
{
	char v6[64], canon[64];
	size_t n = strcspn(host, "%");

	if (n >= sizeof(v6))
		return false;
	memcpy(v6, host, n);
	v6[n] = 0;
	return strchr(v6, ':') && dbtls_addr_canon(v6, canon, sizeof(canon));
}

/* The "?address=ADDR" of a target, a (after the '='): one address of the host name, as the
 * scan's ids write it. Probes go there; the certificate and SNI stay the name's. Sets t->addr
 * (canonical) and *tail past it; INPUT with why. */
static enum dbtls_err target_address(struct dbtls_target *t, const char *a, const char **tail,
				     char *why, size_t whylen)
{
	size_t al = strcspn(a, "/?#&");
	char num[64], canon[64];

	if (al >= sizeof(num)) {
		snprintf(why, whylen, "bad address in '?address=' (want a numeric address)");
		return DBTLS_ERR_INPUT;
	}
	memcpy(num, a, al);
	num[al] = 0;
	if (dbtls_addr_canon(t->host, canon, sizeof(canon))) {
		snprintf(why, whylen,
			 "'?address=' names one address of a host name, and '%s' is an address "
			 "already",
			 t->host);
		return DBTLS_ERR_INPUT;
	}
	if (!dbtls_addr_canon(num, canon, sizeof(canon))) {
		snprintf(why, whylen,
			 "bad address '%s' in '?address=' (want a numeric IPv4 or IPv6 address, no "
			 "brackets)",
			 num);
		return DBTLS_ERR_INPUT;
	}
	t->addr = strdup(canon);
	*tail = a + al;
	return t->addr ? DBTLS_OK : DBTLS_ERR_NOMEM;
}

static enum dbtls_err target_scheme(const char *s, const struct dbtls_preamble **pre, char *why,
				    size_t whylen)
{
	const char *sep = strstr(s, "://");
	char scheme[32];
	size_t n, npre;
	const struct dbtls_preamble *const *all;
	int off;

	*pre = &dbtls_preamble_mysql;
	if (!sep)
		return DBTLS_OK;
	n = (size_t)(sep - s);
	if (n >= sizeof(scheme) || n == 0) {
		snprintf(why, whylen, "bad scheme (known:");
		goto known;
	}
	for (size_t i = 0; i < n; i++)
		scheme[i] = (char)tolower((unsigned char)s[i]);
	scheme[n] = 0;
	*pre = dbtls_preamble_find(scheme);
	if (*pre)
		return DBTLS_OK;
	snprintf(why, whylen, "unknown protocol '%s' (known:", scheme);
known:
	all = dbtls_preamble_all(&npre);
	for (size_t i = 0; i < npre; i++) {
		off = (int)strlen(why);
		snprintf(why + off, whylen - (size_t)off, "%s %s", i ? "," : "", all[i]->scheme);
	}
	off = (int)strlen(why);
	snprintf(why + off, whylen - (size_t)off, ")");
	return DBTLS_ERR_INPUT;
}

enum dbtls_err dbtls_target_parse(const char *s, struct dbtls_target *t, char *why, size_t whylen)
{
	const struct dbtls_preamble *pre;
	const char *rest, *hostend, *portstr = NULL, *tail;
	unsigned long port;
	enum dbtls_err err;
	char *end;

	memset(t, 0, sizeof(*t));
	err = target_scheme(s, &pre, why, whylen);
	if (err)
		return err;
	rest = target_rest(s);
	hostend = strchr(rest, '@');
	if (hostend && (size_t)(hostend - rest) < strcspn(rest, "/?#")) {
		snprintf(why, whylen,
			 "credentials do not belong in targets: the user goes in --sql-user, the "
			 "password in DBTLS_MYSQL_PASSWORD or an option file");
		return DBTLS_ERR_INPUT;
	}
	if (*rest == '[') {
		hostend = strchr(rest, ']');
		if (!hostend || hostend == rest + 1) {
			snprintf(why, whylen, "unterminated IPv6 address (want [ADDRESS]:PORT)");
			return DBTLS_ERR_INPUT;
		}
		tail = hostend + 1;
		if (*tail == ':')
			portstr = tail + 1;
		else if (*tail && *tail != '/' && *tail != '?') {
			snprintf(why, whylen, "unexpected text after ']' (want [ADDRESS]:PORT)");
			return DBTLS_ERR_INPUT;
		}
		t->host = strndup(rest + 1, (size_t)(hostend - rest - 1));
	} else {
		size_t hl = strcspn(rest, "/?");

		hostend = memchr(rest, ':', hl);
		if (hostend && memchr(hostend + 1, ':', hl - (size_t)(hostend + 1 - rest))) {
			snprintf(why, whylen, "IPv6 addresses need brackets, e.g. [::1]:3306");
			return DBTLS_ERR_INPUT;
		}
		if (hostend)
			portstr = hostend + 1;
		else
			hostend = rest + hl;
		tail = rest + hl;
		t->host = strndup(rest, (size_t)(hostend - rest));
	}
	if (!t->host)
		return DBTLS_ERR_NOMEM;
	if (*rest == '[' && !target_is_v6(t->host)) {
		snprintf(why, whylen, "not an IPv6 address in brackets");
		goto fail;
	}
	/* a name has no empty label (one trailing dot, the root's, is allowed): "db..x", ".db"
	 * or "." would make ids that name nothing */
	if (!*t->host || strspn(t->host, TARGET_HOST_CHARS) != strlen(t->host) ||
	    (!strchr(t->host, ':') && (*t->host == '.' || strstr(t->host, "..")))) {
		snprintf(why, whylen, "bad host name");
		goto fail;
	}
	t->port = pre->default_port;
	if (portstr) {
		port = strtoul(portstr, &end, 10);
		tail = end;
		if (end == portstr || port == 0 || port > 65535 || *portstr == '-' ||
		    *portstr == '+' || (*end && *end != '/' && *end != '?')) {
			snprintf(why, whylen, "bad port '%.*s' (want 1-65535)",
				 (int)strcspn(portstr, "/?"), portstr);
			goto fail;
		}
		t->port = (uint16_t)port;
	}
	if (!strncmp(tail, "/?", 2))
		tail++;
	if (!strncmp(tail, "?address=", 9)) {
		err = target_address(t, tail + 9, &tail, why, whylen);
		if (err == DBTLS_ERR_NOMEM) {
			dbtls_target_free(t);
			return err;
		}
		if (err)
			goto fail;
	}
	if (target_tail(tail, why, whylen))
		goto fail;
	t->preamble = pre;
	t->given = strdup(s);
	if (!t->given) {
		dbtls_target_free(t);
		return DBTLS_ERR_NOMEM;
	}
	return DBTLS_OK;
fail:
	dbtls_target_free(t);
	return DBTLS_ERR_INPUT;
}

uint64_t dbtls_target_id_hash(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */

	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL; /* FNV-1a 64 prime */
	}
	/* splitmix64's finaliser: FNV's low bits alone split small n unevenly */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

bool dbtls_target_in_shard(const char *id, unsigned k, unsigned n)
{
	return n <= 1 || dbtls_target_id_hash(id) % n == k;
}

char *dbtls_target_id(const struct dbtls_target *t)
{
	return dbtls_endpoint_id_addr(t->preamble->scheme, t->host, t->port, t->addr);
}

enum dbtls_err dbtls_target_copy(const struct dbtls_target *s, const char *addr,
				 struct dbtls_target *t)
{
	if (!addr)
		addr = s->addr;
	*t = (struct dbtls_target){.preamble = s->preamble,
				   .port = s->port,
				   .given = dbtls_strdup(s->given),
				   .host = dbtls_strdup(s->host),
				   .addr = dbtls_strdup(addr)};
	if ((s->given && !t->given) || (s->host && !t->host) || (addr && !t->addr)) {
		dbtls_target_free(t);
		return DBTLS_ERR_NOMEM;
	}
	return DBTLS_OK;
}
