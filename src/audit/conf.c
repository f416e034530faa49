/* SPDX-License-Identifier: MIT */
/*
 * conf.c — JDBC, properties, YAML, PostgreSQL and Openfire readers of the file audit (conf.h).
 * Lines are copied into bounded buffers before they are looked at; YAML goes through libyaml's
 * event parser (no document tree is built), with the nesting depth capped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "src/audit/conf.h"
#include "src/audit/util.h"

#define MAX_LINE  8192
#define MAX_DEPTH 32

static char *lower_dup(const char *s)
{
	char *d = dbtls_strdup(s);
	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

bool dbtls_conf_is_secret(const char *name)
{
	return strcasestr(name, "password") || strcasestr(name, "passwd") ||
	       strcasestr(name, "secret");
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Iterates lines: copies the next line of buf into l (at most MAX_LINE-1 bytes; longer lines are
 * cut, NUL bytes make the line "\1" so no reader accepts it). Returns false at the end. */
struct lines {
	const char *buf;
	size_t n, pos;
	unsigned line;
	char l[MAX_LINE];
};

static bool next_line(struct lines *it)
{
	const char *nl;
	size_t ll, c;

	if (it->pos >= it->n)
		return false;
	nl = memchr(it->buf + it->pos, '\n', it->n - it->pos);
	ll = nl ? (size_t)(nl - it->buf - it->pos) : it->n - it->pos;
	c = ll < MAX_LINE - 1 ? ll : MAX_LINE - 1;
	memcpy(it->l, it->buf + it->pos, c);
	it->l[c] = '\0';
	if (strlen(it->l) != c)
		strcpy(it->l, "\1");
	it->pos += ll + 1;
	it->line++;
	return true;
}

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *pct_decode(const char *s, size_t len)
{
	char *o = malloc(len + 1), *p = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexv((unsigned char)s[i + 1]) >= 0 &&
		    hexv((unsigned char)s[i + 2]) >= 0) {
			*p++ = (char)(hexv((unsigned char)s[i + 1]) * 16 +
				      hexv((unsigned char)s[i + 2]));
			i += 2;
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return o;
}

void dbtls_jdbc_url_free(struct dbtls_jdbc_url *u)
{
	if (!u)
		return;
	free(u->scheme);
	free(u->base);
	for (size_t i = 0; i < u->nparams; i++) {
		free(u->params[i].key);
		free(u->params[i].value);
	}
	free(u->params);
	memset(u, 0, sizeof(*u));
}

enum dbtls_err dbtls_jdbc_url_parse(const char *url, struct dbtls_jdbc_url *out)
{
	struct dbtls_jdbc_url u = {0};
	const char *p, *q, *sep;
	enum dbtls_err err = DBTLS_ERR_INPUT;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(url, "jdbc:", 5) != 0)
		return DBTLS_ERR_INPUT;
	p = url + 5;
	sep = strstr(p, "://");
	if (!sep || sep == p || sep - p > 40)
		return DBTLS_ERR_INPUT;
	u.scheme = strndup(p, (size_t)(sep - p));
	if (!u.scheme)
		return DBTLS_ERR_NOMEM;
	for (char *c = u.scheme; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (strncmp(u.scheme, "mysql", 5) != 0 && strncmp(u.scheme, "mariadb", 7) != 0 &&
	    strcmp(u.scheme, "postgresql") != 0)
		goto out;
	q = strpbrk(sep + 3, "?;");
	u.base = q ? strndup(url, (size_t)(q - url)) : strdup(url);
	if (!u.base) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	while (q && *q) {
		const char *start = q + 1, *end = start + strcspn(start, "&;"), *eq;
		if (end > start) {
			struct dbtls_jdbc_param *np =
			    realloc(u.params, (u.nparams + 1) * sizeof(*np));
			if (!np) {
				err = DBTLS_ERR_NOMEM;
				goto out;
			}
			u.params = np;
			eq = memchr(start, '=', (size_t)(end - start));
			np[u.nparams].key = pct_decode(start, (size_t)((eq ? eq : end) - start));
			np[u.nparams].value =
			    eq ? pct_decode(eq + 1, (size_t)(end - eq - 1)) : dbtls_strdup("");
			u.nparams++;
			if (!np[u.nparams - 1].key || !np[u.nparams - 1].value) {
				err = DBTLS_ERR_NOMEM;
				goto out;
			}
		}
		q = *end ? end : NULL;
	}
	*out = u;
	return DBTLS_OK;
out:
	dbtls_jdbc_url_free(&u);
	return err;
}

/* libpq: "postgresql://…?sslmode=…" and "host=… sslmode=verify-full" keyword strings. */
static enum dbtls_err add_libpq(struct dbtls_audit_file *f, const char *value, unsigned line)
{
	enum dbtls_err err = DBTLS_OK;
	char *copy, *tok, *save = NULL;

	if (strncmp(value, "postgresql://", 13) == 0 || strncmp(value, "postgres://", 11) == 0) {
		const char *q = strchr(value, '?');
		char *base = q ? strndup(value, (size_t)(q - value)) : strdup(value);
		if (!base)
			return DBTLS_ERR_NOMEM;
		while (q && *q && !err) {
			const char *s = q + 1, *e = s + strcspn(s, "&"),
				   *eq = memchr(s, '=', (size_t)(e - s));
			if (eq) {
				char *k = pct_decode(s, (size_t)(eq - s));
				char *v = pct_decode(eq + 1, (size_t)(e - eq - 1));
				char *lk = k ? lower_dup(k) : NULL;
				err = k && v && lk
					  ? dbtls_audit_setting_add(f, k, lk, v, base, NULL, line,
								    dbtls_conf_is_secret(k))
					  : DBTLS_ERR_NOMEM;
				free(k);
				free(v);
				free(lk);
			}
			q = *e ? e : NULL;
		}
		free(base);
		return err;
	}
	if (!strstr(value, "sslmode=") && !strstr(value, "sslrootcert="))
		return DBTLS_OK;
	copy = strdup(value);
	if (!copy)
		return DBTLS_ERR_NOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok && !err; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *lk = lower_dup(tok);
		err = lk ? dbtls_audit_setting_add(f, tok, lk, eq + 1, "libpq", NULL, line,
						   dbtls_conf_is_secret(tok))
			 : DBTLS_ERR_NOMEM;
		free(lk);
	}
	free(copy);
	return err;
}

enum dbtls_err dbtls_conf_add_value(struct dbtls_audit_file *f, const char *name, const char *value,
				    const char *group, unsigned line)
{
	struct dbtls_jdbc_url u;
	enum dbtls_err err;
	char *key = lower_dup(name);
	bool secret = dbtls_conf_is_secret(name);

	if (!key)
		return DBTLS_ERR_NOMEM;
	if (!secret && dbtls_jdbc_url_parse(value, &u) == DBTLS_OK) {
		err =
		    dbtls_audit_setting_add(f, name, "jdbc_url", u.base, group, NULL, line, false);
		for (size_t i = 0; i < u.nparams && !err; i++) {
			char *pk = lower_dup(u.params[i].key);
			err = pk ? dbtls_audit_setting_add(f, u.params[i].key, pk,
							   u.params[i].value, u.base, NULL, line,
							   dbtls_conf_is_secret(u.params[i].key))
				 : DBTLS_ERR_NOMEM;
			free(pk);
		}
		dbtls_jdbc_url_free(&u);
		if (!err && strcmp(key, "jdbc_url") != 0)
			err = DBTLS_OK;
		free(key);
		return err;
	}
	err = dbtls_audit_setting_add(f, name, key, value, group, NULL, line, secret);
	if (!err && !secret)
		err = add_libpq(f, value, line);
	free(key);
	return err;
}

/* --- .properties ------------------------------------------------------------------------------ */

static const char *const tls_props[] = {"sslmode",
					"usessl",
					"requiressl",
					"verifyservercertificate",
					"enabledtlsprotocols",
					"tlsversions",
					"trustcertificatekeystoreurl",
					"clientcertificatekeystoreurl",
					"trustcertificatekeystoretype",
					"sslrootcert",
					"javax.net.ssl.truststore",
					"javax.net.ssl.keystore"};

static bool split_prop(char *s, char **k, char **v)
{
	size_t i = strcspn(s, "=:");
	if (!s[i] || i == 0)
		return false;
	s[i] = '\0';
	*k = trim(s);
	*v = trim(s + i + 1);
	return **k != '\0' && !strchr(*k, ' ');
}

bool dbtls_conf_sniff_properties(const char *buf, size_t n, bool *openfire)
{
	struct lines *it = calloc(1, sizeof(*it));
	bool tls = false, of = false, ok = true;
	size_t props = 0;

	if (!it)
		return false;
	it->buf = buf;
	it->n = n;
	while (ok && next_line(it)) {
		char *s = trim(it->l), *k, *v;
		if (!*s || *s == '#' || *s == '!')
			continue;
		if (!split_prop(s, &k, &v)) {
			ok = false;
			break;
		}
		props++;
		if (strncmp(k, "xmpp.", 5) == 0 || strncmp(k, "jdk.tls.", 8) == 0)
			of = true;
		if (strncasecmp(v, "jdbc:", 5) == 0)
			tls = true;
		for (size_t i = 0; i < sizeof(tls_props) / sizeof(tls_props[0]); i++) {
			const char *dot = strrchr(k, '.');
			if (strcasecmp(k, tls_props[i]) == 0 ||
			    (dot && strcasecmp(dot + 1, tls_props[i]) == 0))
				tls = true;
		}
	}
	free(it);
	if (openfire)
		*openfire = of;
	return ok && props > 0 && (tls || of);
}

enum dbtls_err dbtls_conf_read_properties(const char *buf, size_t n, struct dbtls_audit_file *f)
{
	struct lines *it = calloc(1, sizeof(*it));
	enum dbtls_err err = DBTLS_OK;

	if (!it)
		return DBTLS_ERR_NOMEM;
	it->buf = buf;
	it->n = n;
	while (!err && next_line(it)) {
		char *s = trim(it->l), *k, *v;
		if (!*s || *s == '#' || *s == '!')
			continue;
		if (!split_prop(s, &k, &v)) {
			err = dbtls_audit_add_error(
			    f, DBTLS_ERR_INPUT, "%s:%u: not a key=value line", f->path, it->line);
			continue;
		}
		err = dbtls_conf_add_value(f, k, v, NULL, it->line);
	}
	free(it);
	return err;
}

/* --- YAML (libyaml events) -------------------------------------------------------------------- */

bool dbtls_conf_sniff_yaml(const char *buf, size_t n)
{
	yaml_parser_t p;
	yaml_event_t ev;
	bool ok = false, done = false;

	if (!yaml_parser_initialize(&p))
		return false;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, n);
	for (int i = 0; i < 8 && !done; i++) {
		if (!yaml_parser_parse(&p, &ev))
			break;
		if (ev.type == YAML_MAPPING_START_EVENT) {
			ok = true;
			done = true;
		} else if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
			   ev.type == YAML_STREAM_END_EVENT) {
			done = true;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (!ok)
		return false;
	/* a mapping line "key: value" or "key:" at the end of a line */
	for (size_t i = 0; i + 1 < n; i++)
		if (buf[i] == ':' &&
		    (buf[i + 1] == ' ' || buf[i + 1] == '\n' || buf[i + 1] == '\r'))
			return true;
	return n > 0 && buf[n - 1] == ':';
}

enum dbtls_err dbtls_conf_read_yaml(const char *buf, size_t n, struct dbtls_audit_file *f)
{
	/* the path of mapping keys, and whether the next scalar at each level is a key */
	char *path[MAX_DEPTH + 1] = {0};
	bool expect_key[MAX_DEPTH + 1] = {0}, is_map[MAX_DEPTH + 1] = {0};
	int depth = -1;
	yaml_parser_t p;
	yaml_event_t ev;
	enum dbtls_err err = DBTLS_OK;
	bool end = false;

	if (!yaml_parser_initialize(&p))
		return DBTLS_ERR_NOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, n);
	while (!end && !err) {
		if (!yaml_parser_parse(&p, &ev)) {
			err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT, "%s:%zu: YAML: %s", f->path,
						    p.problem_mark.line + 1,
						    p.problem ? p.problem : "parse error");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth >= 0 && is_map[depth])
				expect_key[depth] = true;
			if (depth + 1 >= MAX_DEPTH) {
				err = dbtls_audit_add_error(
				    f, DBTLS_ERR_LIMIT, "%s:%zu: YAML nested deeper than %d",
				    f->path, ev.start_mark.line + 1, MAX_DEPTH);
				end = true;
				break;
			}
			depth++;
			is_map[depth] = ev.type == YAML_MAPPING_START_EVENT;
			expect_key[depth] = true;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (depth >= 0) {
				free(path[depth]);
				path[depth] = NULL;
				depth--;
			}
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			if (depth < 0)
				break;
			if (is_map[depth] && expect_key[depth]) {
				free(path[depth]);
				path[depth] = dbtls_strdup(v);
				if (!path[depth])
					err = DBTLS_ERR_NOMEM;
				expect_key[depth] = false;
				break;
			}
			if (is_map[depth])
				expect_key[depth] = true;
			/* group: the keys above this one, joined by '.' */
			char group[1024] = "";
			size_t gl = 0;
			for (int i = 0; i < depth; i++) {
				if (!path[i])
					continue;
				int w = snprintf(group + gl, sizeof(group) - gl, "%s%s",
						 gl ? "." : "", path[i]);
				if (w < 0 || (size_t)w >= sizeof(group) - gl)
					break;
				gl += (size_t)w;
			}
			const char *name = is_map[depth] && path[depth] ? path[depth] : "-";
			err = dbtls_conf_add_value(f, name, v, gl ? group : NULL,
						   (unsigned)ev.start_mark.line + 1);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	for (int i = 0; i <= MAX_DEPTH; i++)
		free(path[i]);
	yaml_parser_delete(&p);
	return err;
}

/* --- PostgreSQL ---------------------------------------------------------------------------------
 */

static const char *const hba_types[] = {"local",     "host",	   "hostssl",
					"hostnossl", "hostgssenc", "hostnogssenc"};

static bool hba_type(const char *t)
{
	for (size_t i = 0; i < sizeof(hba_types) / sizeof(hba_types[0]); i++)
		if (strcmp(t, hba_types[i]) == 0)
			return true;
	return false;
}

bool dbtls_conf_sniff_pg_hba(const char *buf, size_t n)
{
	struct lines *it = calloc(1, sizeof(*it));
	size_t good = 0;
	bool ok = true;

	if (!it)
		return false;
	it->buf = buf;
	it->n = n;
	while (ok && next_line(it)) {
		char *s = trim(it->l), *save = NULL, *t;
		int ntok = 0;
		if (!*s || *s == '#')
			continue;
		t = strtok_r(s, " \t", &save);
		if (!t || !hba_type(t)) {
			if (strncmp(s, "include", 7) != 0)
				ok = false;
			continue;
		}
		while (t && *t != '#') {
			ntok++;
			t = strtok_r(NULL, " \t", &save);
		}
		if (ntok < 4)
			ok = false;
		good++;
	}
	free(it);
	return ok && good > 0;
}

enum dbtls_err dbtls_conf_read_pg_hba(const char *buf, size_t n, struct dbtls_audit_file *f)
{
	struct lines *it = calloc(1, sizeof(*it));
	enum dbtls_err err = DBTLS_OK;

	if (!it)
		return DBTLS_ERR_NOMEM;
	it->buf = buf;
	it->n = n;
	while (!err && next_line(it)) {
		char *s = trim(it->l), *save = NULL, *t, joined[MAX_LINE], type[32] = "";
		size_t jl = 0;
		int ntok = 0;
		char *hash = strchr(s, '#');
		if (hash)
			*hash = '\0';
		if (!*trim(s))
			continue;
		joined[0] = '\0';
		for (t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
			if (ntok++ == 0)
				snprintf(type, sizeof(type), "%s", t);
			int w =
			    snprintf(joined + jl, sizeof(joined) - jl, "%s%s", jl ? " " : "", t);
			if (w > 0 && (size_t)w < sizeof(joined) - jl)
				jl += (size_t)w;
		}
		if (!hba_type(type) && strncmp(type, "include", 7) != 0) {
			err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
						    "%s:%u: unknown connection type '%s'", f->path,
						    it->line, type);
			continue;
		}
		err = dbtls_audit_setting_add(f, type, "hba", joined, type, NULL, it->line, false);
	}
	free(it);
	return err;
}

static const char *const pg_conf_keys[] = {
    "listen_addresses", "ssl_cert_file",   "ssl_key_file",	 "ssl_min_protocol_version",
    "shared_buffers",	"max_connections", "hba_file",		 "ssl_ca_file",
    "ssl_ciphers",	"data_directory",  "password_encryption"};

bool dbtls_conf_sniff_pg_conf(const char *buf, size_t n)
{
	struct lines *it = calloc(1, sizeof(*it));
	bool known = false, ok = true;

	if (!it)
		return false;
	it->buf = buf;
	it->n = n;
	while (ok && next_line(it)) {
		char *s = trim(it->l), *k, *v;
		if (!*s || *s == '#')
			continue;
		if (strncmp(s, "include", 7) == 0)
			continue;
		k = v = NULL;
		if (!split_prop(s, &k, &v)) {
			ok = false;
			continue;
		}
		for (size_t i = 0; i < sizeof(pg_conf_keys) / sizeof(pg_conf_keys[0]); i++)
			if (strcmp(k, pg_conf_keys[i]) == 0)
				known = true;
	}
	free(it);
	return ok && known;
}

static char *pg_value(char *v)
{
	if (*v == '\'') {
		char *o = v, *r = v + 1;
		for (; *r; r++) {
			if (*r == '\'' && r[1] == '\'') {
				*o++ = '\'';
				r++;
			} else if (*r == '\'') {
				break;
			} else {
				*o++ = *r;
			}
		}
		*o = '\0';
		return v;
	}
	char *hash = strchr(v, '#');
	if (hash)
		*hash = '\0';
	return trim(v);
}

enum dbtls_err dbtls_conf_read_pg_conf(const char *buf, size_t n, struct dbtls_audit_file *f)
{
	struct lines *it = calloc(1, sizeof(*it));
	enum dbtls_err err = DBTLS_OK;

	if (!it)
		return DBTLS_ERR_NOMEM;
	it->buf = buf;
	it->n = n;
	while (!err && next_line(it)) {
		char *s = trim(it->l), *k, *v;
		if (!*s || *s == '#')
			continue;
		if (strncmp(s, "include", 7) == 0 && (s[7] == ' ' || s[7] == '_')) {
			char *sp = s + strcspn(s, " \t");
			*sp++ = '\0';
			err = dbtls_audit_setting_add(f, s, s, pg_value(trim(sp)), NULL, NULL,
						      it->line, false);
			continue;
		}
		if (!split_prop(s, &k, &v)) {
			/* postgresql.conf allows "name value" without '=' */
			char *sp = s + strcspn(s, " \t");
			if (!*sp) {
				err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
							    "%s:%u: not a parameter line", f->path,
							    it->line);
				continue;
			}
			*sp++ = '\0';
			k = s;
			v = trim(sp);
		}
		char *lk = lower_dup(k);
		err = lk ? dbtls_audit_setting_add(f, k, lk, pg_value(v), NULL, NULL, it->line,
						   dbtls_conf_is_secret(k))
			 : DBTLS_ERR_NOMEM;
		free(lk);
	}
	free(it);
	return err;
}

bool dbtls_conf_sniff_pg_service(const char *buf, size_t n)
{
	struct lines *it = calloc(1, sizeof(*it));
	bool group = false, known = false, ok = true;

	if (!it)
		return false;
	it->buf = buf;
	it->n = n;
	while (ok && next_line(it)) {
		char *s = trim(it->l), *k, *v;
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			group = strchr(s, ']') != NULL;
			ok = group;
			continue;
		}
		if (!group || !split_prop(s, &k, &v)) {
			ok = false;
			continue;
		}
		if (strcmp(k, "dbname") == 0 || strcmp(k, "sslmode") == 0 ||
		    strcmp(k, "sslrootcert") == 0 || strcmp(k, "hostaddr") == 0)
			known = true;
	}
	free(it);
	return ok && known;
}

enum dbtls_err dbtls_conf_read_pg_service(const char *buf, size_t n, struct dbtls_audit_file *f)
{
	struct lines *it = calloc(1, sizeof(*it));
	enum dbtls_err err = DBTLS_OK;
	char group[256] = "";

	if (!it)
		return DBTLS_ERR_NOMEM;
	it->buf = buf;
	it->n = n;
	while (!err && next_line(it)) {
		char *s = trim(it->l), *k, *v;
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (e)
				*e = '\0';
			snprintf(group, sizeof(group), "%s", s + 1);
			continue;
		}
		if (!split_prop(s, &k, &v)) {
			err = dbtls_audit_add_error(
			    f, DBTLS_ERR_INPUT, "%s:%u: not a key=value line", f->path, it->line);
			continue;
		}
		char *lk = lower_dup(k);
		err = lk ? dbtls_audit_setting_add(f, k, lk, v, group[0] ? group : NULL, NULL,
						   it->line, dbtls_conf_is_secret(k))
			 : DBTLS_ERR_NOMEM;
		free(lk);
	}
	free(it);
	return err;
}

/* --- Openfire XML ------------------------------------------------------------------------------
 */

bool dbtls_conf_sniff_openfire_xml(const char *buf, size_t n)
{
	size_t i = 0;
	/* skip the XML declaration, comments and blanks, then expect <jive> */
	while (i < n) {
		while (i < n && isspace((unsigned char)buf[i]))
			i++;
		if (i + 4 <= n && memcmp(buf + i, "<!--", 4) == 0) {
			const char *e = memmem(buf + i, n - i, "-->", 3);
			if (!e)
				return false;
			i = (size_t)(e - buf) + 3;
		} else if (i + 2 <= n && memcmp(buf + i, "<?", 2) == 0) {
			const char *e = memmem(buf + i, n - i, "?>", 2);
			if (!e)
				return false;
			i = (size_t)(e - buf) + 2;
		} else {
			break;
		}
	}
	return i + 6 <= n && memcmp(buf + i, "<jive>", 6) == 0;
}

/* A small element scanner: enough for openfire.xml (elements, text, comments, CDATA-free), not a
 * general XML parser. Attributes are ignored; each element that holds only text becomes a
 * property named by the element path below <jive>. */
enum dbtls_err dbtls_conf_read_openfire_xml(const char *buf, size_t n, struct dbtls_audit_file *f)
{
	char *stack[MAX_DEPTH] = {0};
	int depth = 0;
	size_t i = 0, text_start = 0;
	unsigned line = 1, text_line = 1;
	enum dbtls_err err = DBTLS_OK;

	while (i < n && !err) {
		if (buf[i] == '\n')
			line++;
		if (buf[i] != '<') {
			i++;
			continue;
		}
		if (i + 4 <= n && memcmp(buf + i, "<!--", 4) == 0) {
			const char *e = memmem(buf + i, n - i, "-->", 3);
			if (!e) {
				err = dbtls_audit_add_error(f, DBTLS_ERR_TRUNCATED,
							    "%s:%u: unterminated comment", f->path,
							    line);
				break;
			}
			for (const char *c = buf + i; c < e; c++)
				line += *c == '\n';
			i = (size_t)(e - buf) + 3;
			continue;
		}
		const char *gt = memchr(buf + i, '>', n - i);
		if (!gt) {
			err = dbtls_audit_add_error(f, DBTLS_ERR_TRUNCATED,
						    "%s:%u: unterminated tag", f->path, line);
			break;
		}
		size_t tl = (size_t)(gt - buf - i) - 1;
		const char *tag = buf + i + 1;
		if (tag[0] == '?' || tag[0] == '!' || (tl > 0 && tag[tl - 1] == '/')) {
			/* declaration or empty element */
		} else if (tag[0] == '/') {
			size_t nl = strcspn(tag + 1, " \t\r\n>");
			if (depth == 0 || strlen(stack[depth - 1]) != nl ||
			    strncmp(stack[depth - 1], tag + 1, nl) != 0) {
				err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
							    "%s:%u: closing tag does not match",
							    f->path, line);
				break;
			}
			if (text_start && depth > 1) {
				char name[1024] = "";
				size_t nlen = 0;
				for (int d = 1; d < depth; d++) {
					int w = snprintf(name + nlen, sizeof(name) - nlen, "%s%s",
							 nlen ? "." : "", stack[d]);
					if (w > 0 && (size_t)w < sizeof(name) - nlen)
						nlen += (size_t)w;
				}
				char *v = strndup(buf + text_start, i - text_start);
				if (!v) {
					err = DBTLS_ERR_NOMEM;
					break;
				}
				err = dbtls_conf_add_value(f, name, trim(v), NULL, text_line);
				free(v);
			}
			free(stack[--depth]);
			stack[depth] = NULL;
			text_start = 0;
		} else {
			size_t nl = strcspn(tag, " \t\r\n/>");
			if (depth >= MAX_DEPTH) {
				err = dbtls_audit_add_error(f, DBTLS_ERR_LIMIT,
							    "%s:%u: XML nested too deep", f->path,
							    line);
				break;
			}
			stack[depth] = strndup(tag, nl);
			if (!stack[depth++]) {
				err = DBTLS_ERR_NOMEM;
				break;
			}
			text_start = (size_t)(gt - buf) + 1;
			text_line = line;
		}
		for (const char *c = buf + i + 1; c < gt; c++)
			line += *c == '\n';
		i = (size_t)(gt - buf) + 1;
	}
	if (!err && depth > 0)
		err = dbtls_audit_add_error(f, DBTLS_ERR_TRUNCATED, "%s:%u: <%s> is not closed",
					    f->path, line, stack[depth - 1]);
	for (int d = 0; d < MAX_DEPTH; d++)
		free(stack[d]);
	return err;
}
