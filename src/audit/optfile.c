/* SPDX-License-Identifier: MIT */
/*
 * optfile.c — MySQL / MariaDB option-file reader (optfile.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/audit/optfile.h"
#include "src/audit/util.h"

#define MAX_INCLUDE_SIZE (1u << 20)

static const char *const groups[] = {
    "client",	     "mysql",	       "mysqld",	 "mariadb",    "server",      "mysqldump",
    "client-server", "client-mariadb", "mariadb-client", "mysqladmin", "mysqld_safe", "galera",
    "embedded",	     "mysql_upgrade",  "mariadbd",	 "mysqlbinlog"};

static const char *trim(char *s, char **end_out)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	if (end_out)
		*end_out = e;
	return s;
}

bool dbtls_optfile_sniff(const char *buf, size_t n)
{
	size_t pos = 0;

	while (pos < n) {
		const char *nl = memchr(buf + pos, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - buf - pos) : n - pos;
		char line[256];
		size_t c = ll < sizeof(line) - 1 ? ll : sizeof(line) - 1;
		memcpy(line, buf + pos, c);
		line[c] = '\0';
		pos += ll + 1;
		if (memchr(line, '\0', c))
			return false;
		const char *s = trim(line, NULL);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (strncmp(s, "!include", 8) == 0)
			return true;
		if (*s != '[')
			return false;
		const char *e = strchr(s, ']');
		if (!e)
			return false;
		char g[64];
		size_t gl = (size_t)(e - s - 1);
		if (gl == 0 || gl >= sizeof(g))
			return false;
		memcpy(g, s + 1, gl);
		g[gl] = '\0';
		for (size_t i = 0; i < gl; i++)
			g[i] = (char)tolower((unsigned char)g[i]);
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			if (strcmp(g, groups[i]) == 0 ||
			    (strncmp(g, groups[i], strlen(groups[i])) == 0 &&
			     g[strlen(groups[i])] == '-'))
				return true; /* [mysqld-8.0], [mariadb-10.11] */
		return false;
	}
	return false;
}

void dbtls_optfile_norm(const char *name, char *out, size_t outlen)
{
	size_t o = 0;

	if (strncasecmp(name, "loose-", 6) == 0 || strncasecmp(name, "loose_", 6) == 0)
		name += 6;
	for (; *name && o + 1 < outlen; name++)
		out[o++] = *name == '-' ? '_' : (char)tolower((unsigned char)*name);
	out[o] = '\0';
}

/* Removes quotes and a trailing comment from a value, in place (MySQL: '#' starts a comment
 * outside quotes; backslash escapes inside quotes). */
static char *unquote(char *v)
{
	char *s = (char *)trim(v, NULL), *o, *r;
	char q = 0;

	if (*s == '\'' || *s == '"')
		q = *s++;
	for (o = r = s; *r; r++) {
		if (q && *r == '\\' && r[1]) {
			r++;
			*o++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
			continue;
		}
		if (q && *r == q)
			break;
		if (!q && *r == '#')
			break;
		*o++ = *r;
	}
	*o = '\0';
	if (!q)
		trim(s, NULL);
	return s;
}

struct seen {
	dev_t dev;
	ino_t ino;
};

static enum dbtls_err read_path(const char *path, int depth, struct dbtls_audit_file *f,
				const char *from, unsigned fromline);

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum dbtls_err include_dir(const char *dir, int depth, struct dbtls_audit_file *f,
				  const char *from, unsigned line)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	enum dbtls_err err = DBTLS_OK;

	if (!dh)
		return dbtls_audit_add_error(f, DBTLS_ERR_FILE, "%s:%u: !includedir %s: %m", from,
					     line, dir);
	while ((de = readdir(dh)) != NULL && n < 1000) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".cnf") != 0)
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		names = nn;
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), cmpstr);
	for (size_t i = 0; i < n && !err; i++)
		err = read_path(names[i], depth, f, from, line);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dh);
	return err;
}

/* The chain of files being read, for the cycle check (per thread of reading: a stack). */
struct chain {
	struct seen s[DBTLS_OPTFILE_MAX_DEPTH + 2];
	int n;
};
static _Thread_local struct chain *cur_chain;

static enum dbtls_err read_path(const char *path, int depth, struct dbtls_audit_file *f,
				const char *from, unsigned fromline)
{
	struct stat st;
	char *buf = NULL;
	enum dbtls_err err = DBTLS_OK;
	ssize_t got;
	size_t len = 0;
	int fd;

	if (depth > DBTLS_OPTFILE_MAX_DEPTH)
		return dbtls_audit_add_error(f, DBTLS_ERR_LIMIT,
					     "%s:%u: !include %s: nested deeper than %d files",
					     from, fromline, path, DBTLS_OPTFILE_MAX_DEPTH);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return dbtls_audit_add_error(f, DBTLS_ERR_FILE, "%s:%u: !include %s: %m", from,
					     fromline, path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_INCLUDE_SIZE) {
		err = dbtls_audit_add_error(f, DBTLS_ERR_FILE,
					    "%s:%u: !include %s: not a regular file under 1 MiB",
					    from, fromline, path);
		goto out;
	}
	for (int i = 0; cur_chain && i < cur_chain->n; i++)
		if (cur_chain->s[i].dev == st.st_dev && cur_chain->s[i].ino == st.st_ino) {
			err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
						    "%s:%u: !include %s: include cycle", from,
						    fromline, path);
			goto out;
		}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size &&
	       (got = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)got;
	cur_chain->s[cur_chain->n].dev = st.st_dev;
	cur_chain->s[cur_chain->n].ino = st.st_ino;
	cur_chain->n++;
	err = dbtls_optfile_read(buf, len, path, true, depth, f);
	cur_chain->n--;
out:
	free(buf);
	close(fd);
	return err;
}

enum dbtls_err dbtls_optfile_read(const char *buf, size_t n, const char *name, bool follow_includes,
				  int depth, struct dbtls_audit_file *f)
{
	struct chain top = {0}, *saved = cur_chain;
	char group[128] = "";
	const char *file = strcmp(name, f->path) == 0 ? NULL : name;
	enum dbtls_err err = DBTLS_OK;
	size_t pos = 0;
	unsigned line = 0;
	char *l = NULL;

	if (!cur_chain) {
		/* the outermost file: record it so an include of itself is a cycle */
		struct stat st;
		cur_chain = &top;
		if (follow_includes && stat(name, &st) == 0) {
			top.s[0].dev = st.st_dev;
			top.s[0].ino = st.st_ino;
			top.n = 1;
		}
	}
	while (pos < n && !err) {
		const char *nl = memchr(buf + pos, '\n', n - pos);
		size_t ll = nl ? (size_t)(nl - buf - pos) : n - pos;
		char *s, *eq, key[128];

		line++;
		free(l);
		l = malloc(ll + 1);
		if (!l) {
			err = DBTLS_ERR_NOMEM;
			break;
		}
		memcpy(l, buf + pos, ll);
		l[ll] = '\0';
		pos += ll + 1;
		if (strlen(l) != ll) {
			err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT, "%s:%u: NUL byte in line",
						    name, line);
			continue;
		}
		s = (char *)trim(l, NULL);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '!') {
			bool dir =
			    strncmp(s, "!includedir", 11) == 0 && (s[11] == ' ' || s[11] == '\t');
			bool inc =
			    !dir && strncmp(s, "!include", 8) == 0 && (s[8] == ' ' || s[8] == '\t');
			if (!dir && !inc) {
				err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
							    "%s:%u: unknown directive", name, line);
				continue;
			}
			const char *arg = trim(s + (dir ? 11 : 8), NULL);
			if (!follow_includes) {
				err = dbtls_audit_setting_add(f, dir ? "!includedir" : "!include",
							      dir ? "!includedir" : "!include", arg,
							      NULL, file, line, false);
			} else {
				char *path = NULL;
				const char *slash = strrchr(name, '/');
				if (arg[0] != '/' && slash) {
					if (asprintf(&path, "%.*s/%s", (int)(slash - name), name,
						     arg) < 0)
						path = NULL;
				} else {
					path = strdup(arg);
				}
				if (!path) {
					err = DBTLS_ERR_NOMEM;
					continue;
				}
				err = dir ? include_dir(path, depth + 1, f, name, line)
					  : read_path(path, depth + 1, f, name, line);
				free(path);
			}
			continue;
		}
		if (*s == '[') {
			char *e = strchr(s, ']');
			size_t gl = e ? (size_t)(e - s - 1) : 0;
			if (!e || gl == 0 || gl >= sizeof(group)) {
				err = dbtls_audit_add_error(
				    f, DBTLS_ERR_INPUT, "%s:%u: malformed group line", name, line);
				continue;
			}
			memcpy(group, s + 1, gl);
			group[gl] = '\0';
			for (size_t i = 0; i < gl; i++)
				group[i] = (char)tolower((unsigned char)group[i]);
			continue;
		}
		if (!group[0]) {
			err = dbtls_audit_add_error(
			    f, DBTLS_ERR_INPUT, "%s:%u: option outside any [group]", name, line);
			continue;
		}
		eq = strchr(s, '=');
		const char *value = "1";
		if (eq) {
			*eq = '\0';
			value = unquote(eq + 1);
		}
		char *nm = (char *)trim(s, NULL);
		if (!*nm) {
			err = dbtls_audit_add_error(f, DBTLS_ERR_INPUT,
						    "%s:%u: option without name", name, line);
			continue;
		}
		dbtls_optfile_norm(nm, key, sizeof(key));
		const char *k = key;
		if (strncmp(key, "skip_", 5) == 0 || strncmp(key, "disable_", 8) == 0) {
			k = key + (key[0] == 's' ? 5 : 8);
			value = "0";
		} else if (strncmp(key, "enable_", 7) == 0) {
			k = key + 7;
			value = "1";
		}
		bool secret = strcmp(k, "password") == 0 || strstr(k, "password") != NULL;
		err = dbtls_audit_setting_add(f, nm, k, value, group, file, line, secret);
	}
	free(l);
	cur_chain = saved;
	return err;
}
