/* SPDX-License-Identifier: MIT */
/*
 * audit.c — the file audit's driver (audit.h): the walk, the sniffer, store passwords, and the
 * files that settings name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "src/audit/audit.h"
#include "src/audit/conf.h"
#include "src/audit/jks.h"
#include "src/audit/keys.h"
#include "src/audit/optfile.h"
#include "src/audit/util.h"

#define MAX_DIR_DEPTH 64
#define MAX_PW	      64

const char *const dbtls_audit_default_passwords[] = {
    "changeit", "changeme",   "",	"password",  "apsaradb", "secret",
    "keystore", "truststore", "123456", "storepass", NULL};

/* --- password file --------------------------------------------------------------------------- */

void dbtls_audit_pwfile_free(struct dbtls_audit_pwfile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->entries[i].store);
		free(p->entries[i].ref);
		if (p->entries[i].password) {
			OPENSSL_cleanse(p->entries[i].password, strlen(p->entries[i].password));
			free(p->entries[i].password);
		}
	}
	free(p->entries);
	memset(p, 0, sizeof(*p));
}

enum dbtls_err dbtls_audit_pwfile_load(const char *path, struct dbtls_audit_pwfile *out,
				       struct dbtls_diag *d)
{
	struct dbtls_audit_pwfile pf = {0};
	enum dbtls_err err = DBTLS_OK;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;
	FILE *fp = fopen(path, "re");

	memset(out, 0, sizeof(*out));
	if (!fp)
		return dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			err = dbtls_diag_set(d, DBTLS_ERR_INPUT, "%s:%u: expected STORE = PASSWORD",
					     path, lineno);
			goto out;
		}
		char *e = eq;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		char *pw = eq + 1;
		if (*pw == ' ')
			pw++;
		struct dbtls_audit_pwentry *n = realloc(pf.entries, (pf.n + 1) * sizeof(*n));
		if (!n) {
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
			goto out;
		}
		pf.entries = n;
		n[pf.n].store = dbtls_strdup(s);
		n[pf.n].password = dbtls_strdup(pw);
		n[pf.n].ref = NULL;
		if (asprintf(&n[pf.n].ref, "%s:%u", path, lineno) < 0)
			n[pf.n].ref = NULL;
		pf.n++;
		if (!n[pf.n - 1].store || !n[pf.n - 1].password || !n[pf.n - 1].ref) {
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	*out = pf;
	pf = (struct dbtls_audit_pwfile){0};
out:
	if (line) {
		OPENSSL_cleanse(line, cap);
		free(line);
	}
	fclose(fp);
	dbtls_audit_pwfile_free(&pf);
	return err;
}

/* --- sniffing ------------------------------------------------------------------------------------
 */

static bool is_text(const uint8_t *p, size_t n)
{
	return memchr(p, '\0', n < 4096 ? n : 4096) == NULL;
}

enum dbtls_audit_kind dbtls_audit_sniff(const uint8_t *p, size_t n)
{
	const char *s = (const char *)p;
	bool jceks, openfire;

	if (dbtls_jks_sniff(p, n, &jceks))
		return jceks ? DBTLS_AUDIT_JCEKS : DBTLS_AUDIT_JKS;
	if (n >= 2 && p[0] == 0x30) {
		if (dbtls_audit_is_pkcs12(p, n))
			return DBTLS_AUDIT_PKCS12;
		struct dbtls_audit_file f = {.path = (char *)"-"};
		enum dbtls_audit_kind k = DBTLS_AUDIT_UNKNOWN;
		if (dbtls_audit_read_der(p, n, 0, &f) == DBTLS_OK)
			k = f.kind;
		f.path = NULL;
		dbtls_audit_file_free(&f);
		if (k != DBTLS_AUDIT_UNKNOWN)
			return k;
	}
	if (!is_text(p, n))
		return DBTLS_AUDIT_UNKNOWN;
	if (dbtls_audit_is_pem(p, n)) {
		if (memmem(p, n, "PRIVATE KEY-----", 16))
			return DBTLS_AUDIT_PEM_KEY;
		if (memmem(p, n, "-----BEGIN PKCS7-----", 21))
			return DBTLS_AUDIT_PKCS7;
		const uint8_t *c = memmem(p, n, "-----BEGIN CERTIFICATE-----", 27);
		if (c &&
		    memmem(c + 27, n - (size_t)(c + 27 - p), "-----BEGIN CERTIFICATE-----", 27))
			return DBTLS_AUDIT_PEM_BUNDLE;
		if (c)
			return DBTLS_AUDIT_PEM_CERT;
	}
	if (dbtls_conf_sniff_openfire_xml(s, n))
		return DBTLS_AUDIT_OPENFIRE_XML;
	if (dbtls_optfile_sniff(s, n))
		return DBTLS_AUDIT_MYSQL_OPTFILE;
	if (dbtls_conf_sniff_pg_hba(s, n))
		return DBTLS_AUDIT_PG_HBA;
	if (dbtls_conf_sniff_pg_service(s, n))
		return DBTLS_AUDIT_PG_SERVICE;
	if (dbtls_conf_sniff_pg_conf(s, n))
		return DBTLS_AUDIT_PG_CONF;
	/* before properties: "key: value" lines are both, and YAML is the richer reading */
	if (dbtls_conf_sniff_yaml(s, n))
		return DBTLS_AUDIT_YAML;
	if (dbtls_conf_sniff_properties(s, n, &openfire))
		return openfire ? DBTLS_AUDIT_OPENFIRE_PROPERTIES : DBTLS_AUDIT_JDBC_PROPERTIES;
	return DBTLS_AUDIT_UNKNOWN;
}

/* --- one file ------------------------------------------------------------------------------------
 */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The passwords to try on the store at path, in order; extra (from a setting) may be NULL. */
static size_t candidates(const char *path, const struct dbtls_audit_opts *o, const char *extra,
			 const char *extra_ref, struct dbtls_audit_pw *pw)
{
	size_t n = 0;

	if (o->store_password)
		pw[n++] =
		    (struct dbtls_audit_pw){o->store_password, DBTLS_STOREPW_ENV, NULL, false};
	for (size_t i = 0; o->pwfile && i < o->pwfile->n && n < MAX_PW - 16; i++) {
		const struct dbtls_audit_pwentry *e = &o->pwfile->entries[i];
		if (strcmp(e->store, "*") == 0 || strcmp(e->store, path) == 0 ||
		    strcmp(e->store, base_name(path)) == 0)
			pw[n++] =
			    (struct dbtls_audit_pw){e->password, DBTLS_STOREPW_FILE, e->ref, false};
	}
	if (extra)
		pw[n++] = (struct dbtls_audit_pw){extra, DBTLS_STOREPW_SETTING, extra_ref, false};
	for (size_t i = 0; !o->no_defaults && dbtls_audit_default_passwords[i] && n < MAX_PW; i++)
		pw[n++] = (struct dbtls_audit_pw){dbtls_audit_default_passwords[i],
						  DBTLS_STOREPW_DEFAULT, NULL, true};
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; dbtls_audit_default_passwords[j]; j++)
			if (strcmp(pw[i].password, dbtls_audit_default_passwords[j]) == 0)
				pw[i].well_known = true;
	return n;
}

static enum dbtls_err read_jks(const uint8_t *p, size_t n, const struct dbtls_audit_pw *pw,
			       size_t npw, const struct dbtls_audit_opts *o,
			       struct dbtls_audit_file *f)
{
	struct dbtls_diag d = {0};
	enum dbtls_err err;

	f->store = calloc(1, sizeof(*f->store));
	if (!f->store)
		return DBTLS_ERR_NOMEM;
	err = dbtls_jks_parse(p, n, o->now, f->store, &d);
	if (err == DBTLS_ERR_NOMEM)
		return err;
	if (err && dbtls_audit_add_error(f, err, "%s: %s", f->path, d.msg))
		return DBTLS_ERR_NOMEM;
	for (size_t i = 0; i < npw; i++) {
		if (!dbtls_jks_verify(p, n, pw[i].password))
			continue;
		f->store->integrity_ok = true;
		f->store->pw_source = pw[i].source;
		f->store->pw_well_known = pw[i].well_known;
		if (pw[i].ref && !(f->store->pw_ref = dbtls_strdup(pw[i].ref)))
			return DBTLS_ERR_NOMEM;
		break;
	}
	return DBTLS_OK;
}

static enum dbtls_err audit_content(const uint8_t *p, size_t n, const struct dbtls_audit_opts *o,
				    const char *extra_pw, const char *extra_ref, bool follow,
				    struct dbtls_audit_file *f)
{
	struct dbtls_audit_pw pw[MAX_PW];
	const char *s = (const char *)p;
	enum dbtls_audit_kind k = dbtls_audit_sniff(p, n);
	enum dbtls_err err = DBTLS_OK;
	size_t npw;

	f->kind = k;
	switch (k) {
	case DBTLS_AUDIT_JKS:
	case DBTLS_AUDIT_JCEKS:
		npw = candidates(f->path, o, extra_pw, extra_ref, pw);
		err = read_jks(p, n, pw, npw, o, f);
		break;
	case DBTLS_AUDIT_PKCS12:
		npw = candidates(f->path, o, extra_pw, extra_ref, pw);
		err = dbtls_audit_read_pkcs12(p, n, o->now, pw, npw, f);
		break;
	case DBTLS_AUDIT_DER_CERT:
	case DBTLS_AUDIT_DER_KEY:
	case DBTLS_AUDIT_PKCS7:
		if (n && p[0] == 0x30) {
			err = dbtls_audit_read_der(p, n, o->now, f);
			break;
		}
		/* a PEM PKCS#7: read as PEM */
		__attribute__((fallthrough));
	case DBTLS_AUDIT_PEM_KEY:
	case DBTLS_AUDIT_PEM_CERT:
	case DBTLS_AUDIT_PEM_BUNDLE:
		f->kind = DBTLS_AUDIT_UNKNOWN;
		err = dbtls_audit_read_pem(p, n, o->now, f);
		if (!err && f->kind == DBTLS_AUDIT_UNKNOWN)
			f->kind = k;
		break;
	case DBTLS_AUDIT_MYSQL_OPTFILE:
		err = dbtls_optfile_read(s, n, f->path, follow, 0, f);
		break;
	case DBTLS_AUDIT_JDBC_PROPERTIES:
	case DBTLS_AUDIT_OPENFIRE_PROPERTIES:
		err = dbtls_conf_read_properties(s, n, f);
		break;
	case DBTLS_AUDIT_YAML:
		err = dbtls_conf_read_yaml(s, n, f);
		break;
	case DBTLS_AUDIT_PG_CONF:
		err = dbtls_conf_read_pg_conf(s, n, f);
		break;
	case DBTLS_AUDIT_PG_HBA:
		err = dbtls_conf_read_pg_hba(s, n, f);
		break;
	case DBTLS_AUDIT_PG_SERVICE:
		err = dbtls_conf_read_pg_service(s, n, f);
		break;
	case DBTLS_AUDIT_OPENFIRE_XML:
		err = dbtls_conf_read_openfire_xml(s, n, f);
		break;
	case DBTLS_AUDIT_UNKNOWN:
		/* a DER SEQUENCE whose length runs past the end: a truncated key, certificate or
		 * PKCS#12 store, worth an error rather than silence */
		if (n >= 4 && p[0] == 0x30 && (p[1] & 0x80) && (p[1] & 0x7f) >= 1 &&
		    (p[1] & 0x7f) <= 4 && n > 2 + (size_t)(p[1] & 0x7f)) {
			size_t len = 0, hl = 2 + (size_t)(p[1] & 0x7f);
			for (size_t i = 2; i < hl; i++)
				len = (len << 8) | p[i];
			if (len > n - hl)
				err = dbtls_audit_add_error(f, DBTLS_ERR_TRUNCATED,
							    "%s: DER object of %zu bytes cut short "
							    "at %zu (truncated key, certificate or "
							    "PKCS#12 store?)",
							    f->path, len + hl, n);
		}
		break;
	}
	return err;
}

enum dbtls_err dbtls_audit_buffer(const uint8_t *p, size_t n, const char *path,
				  const struct dbtls_audit_opts *o, struct dbtls_audit_file *f)
{
	enum dbtls_err err;

	memset(f, 0, sizeof(*f));
	f->path = dbtls_strdup(path);
	if (!f->path)
		return DBTLS_ERR_NOMEM;
	f->size = n;
	err = audit_content(p, n, o, NULL, NULL, false, f);
	if (err)
		dbtls_audit_file_free(f);
	return err;
}

/* --- the walk -----------------------------------------------------------------------------------
 */

struct seen {
	dev_t dev;
	ino_t ino;
	size_t file; /* index into out->files, SIZE_MAX for directories */
};

struct walk {
	const struct dbtls_audit_opts *o;
	struct dbtls_audit_facts *out;
	char **roots; /* realpath of each root */
	size_t nroots;
	struct seen *seen;
	size_t nseen;
	struct dbtls_audit_secrets secrets; /* of the config file being read */
};

static struct seen *seen_find(struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return &w->seen[i];
	return NULL;
}

static enum dbtls_err seen_add(struct walk *w, const struct stat *st, size_t file)
{
	struct seen *n = realloc(w->seen, (w->nseen + 1) * sizeof(*n));
	if (!n)
		return DBTLS_ERR_NOMEM;
	w->seen = n;
	n[w->nseen++] = (struct seen){st->st_dev, st->st_ino, file};
	return DBTLS_OK;
}

static struct dbtls_audit_file *new_file(struct walk *w, const char *path)
{
	struct dbtls_audit_file *n = realloc(w->out->files, (w->out->nfiles + 1) * sizeof(*n));
	if (!n)
		return NULL;
	w->out->files = n;
	n = &w->out->files[w->out->nfiles];
	memset(n, 0, sizeof(*n));
	n->path = dbtls_strdup(path);
	if (!n->path)
		return NULL;
	w->out->nfiles++;
	return n;
}

static void owner_names(struct dbtls_audit_file *f)
{
	struct passwd pwd, *pr = NULL;
	struct group grp, *gr = NULL;
	char buf[4096];

	if (getpwuid_r(f->uid, &pwd, buf, sizeof(buf), &pr) == 0 && pr)
		f->owner = dbtls_strdup(pr->pw_name);
	if (getgrgid_r(f->gid, &grp, buf, sizeof(buf), &gr) == 0 && gr)
		f->group = dbtls_strdup(gr->gr_name);
}

static enum dbtls_err refs_follow(struct walk *w, size_t fileidx);

/* Reads and audits the regular file at path (display name shown) whose lstat/stat is st. */
static enum dbtls_err audit_file(struct walk *w, const char *shown, const char *open_path,
				 const struct stat *st, const char *referenced_by,
				 const char *extra_pw, const char *extra_ref, size_t *idx_out)
{
	uint64_t cap = w->o->max_file_size ? w->o->max_file_size : DBTLS_AUDIT_MAX_FILE_SIZE;
	struct dbtls_audit_file *f = new_file(w, shown);
	struct stat fst;
	enum dbtls_err err = DBTLS_OK;
	uint8_t *buf = NULL;
	size_t len = 0, idx;
	ssize_t got;
	int fd = -1;

	if (!f)
		return DBTLS_ERR_NOMEM;
	idx = w->out->nfiles - 1;
	if (idx_out)
		*idx_out = idx;
	if (referenced_by && !(f->referenced_by = dbtls_strdup(referenced_by)))
		return DBTLS_ERR_NOMEM;
	f->size = (uint64_t)st->st_size;
	f->mode = (uint32_t)(st->st_mode & 07777);
	f->uid = st->st_uid;
	f->gid = st->st_gid;
	owner_names(f);
	if ((err = seen_add(w, st, idx)))
		return err;
	if ((uint64_t)st->st_size > cap)
		return dbtls_audit_add_error(
		    f, DBTLS_ERR_LIMIT, "%s: %llu bytes, larger than %llu: not read", shown,
		    (unsigned long long)st->st_size, (unsigned long long)cap);
	fd = open(open_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return dbtls_audit_add_error(f, DBTLS_ERR_FILE, "%s: %s", shown, strerror(errno));
	if (fstat(fd, &fst) != 0 || fst.st_dev != st->st_dev || fst.st_ino != st->st_ino ||
	    !S_ISREG(fst.st_mode)) {
		err = dbtls_audit_add_error(f, DBTLS_ERR_FILE, "%s: changed while being audited",
					    shown);
		goto out;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (!buf) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	while (len < (size_t)st->st_size &&
	       (got = read(fd, buf + len, (size_t)st->st_size - len)) > 0)
		len += (size_t)got;
	buf[len] = '\0';
	dbtls_audit_secrets_free(&w->secrets);
	struct dbtls_audit_secrets *prev = dbtls_audit_secrets_sink(&w->secrets);
	/* f may move when referenced files are appended: work through the index */
	err = audit_content(buf, len, w->o, extra_pw, extra_ref, true, f);
	dbtls_audit_secrets_sink(prev);
	if (!err && !referenced_by)
		err = refs_follow(w, idx);
	dbtls_audit_secrets_free(&w->secrets);
out:
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/* Settings that name a file to audit, and the setting that holds its password. */
static const struct {
	const char *key, *pwkey;
} ref_keys[] = {
    {"ssl_key", NULL},
    {"ssl_cert", NULL},
    {"ssl_ca", NULL},
    {"ssl_cert_file", NULL},
    {"ssl_key_file", NULL},
    {"ssl_ca_file", NULL},
    {"sslrootcert", NULL},
    {"sslcert", NULL},
    {"sslkey", NULL},
    {"trustcertificatekeystoreurl", "trustcertificatekeystorepassword"},
    {"clientcertificatekeystoreurl", "clientcertificatekeystorepassword"},
    {"javax.net.ssl.truststore", "javax.net.ssl.truststorepassword"},
    {"javax.net.ssl.keystore", "javax.net.ssl.keystorepassword"},
    {"truststore", "truststorepassword"},
    {"keystore", "keystorepassword"},
};

static const char *secret_for(struct walk *w, const char *group, const char *key)
{
	for (size_t i = 0; i < w->secrets.n; i++) {
		const struct dbtls_audit_secret *s = &w->secrets.v[i];
		if (strcmp(s->key, key) == 0 &&
		    ((!group && !s->group) || (group && s->group && strcmp(group, s->group) == 0)))
			return s->value;
	}
	return NULL;
}

static enum dbtls_err refs_follow(struct walk *w, size_t fileidx)
{
	enum dbtls_err err = DBTLS_OK;

	for (size_t i = 0; !err && i < w->out->files[fileidx].nsettings; i++) {
		const struct dbtls_audit_file *f = &w->out->files[fileidx];
		const struct dbtls_audit_setting *s = &f->settings[i];
		const char *pwkey = NULL;
		bool hit = false;
		for (size_t k = 0; k < sizeof(ref_keys) / sizeof(ref_keys[0]); k++)
			if (strcmp(s->key, ref_keys[k].key) == 0) {
				hit = true;
				pwkey = ref_keys[k].pwkey;
			}
		if (!hit || !s->value[0])
			continue;
		const char *v = s->value;
		if (strncmp(v, "classpath:", 10) == 0 || strstr(v, "://") > v + 5)
			continue; /* not a file: http://, classpath: … */
		if (strncmp(v, "file:", 5) == 0) {
			v += 5;
			while (v[0] == '/' && v[1] == '/')
				v++;
		}
		char *path = NULL, *ref = NULL, real[PATH_MAX];
		const char *from = s->file ? s->file : f->path, *slash = strrchr(from, '/');
		int r = v[0] == '/' || !slash
			    ? asprintf(&path, "%s", v)
			    : asprintf(&path, "%.*s/%s", (int)(slash - from), from, v);
		if (r < 0)
			return DBTLS_ERR_NOMEM;
		if (asprintf(&ref, "%s:%u %s", from, s->line, s->name) < 0) {
			free(path);
			return DBTLS_ERR_NOMEM;
		}
		const char *pw = pwkey ? secret_for(w, s->group, pwkey) : NULL;
		char *pwcopy = pw ? dbtls_strdup(pw) : NULL;
		struct stat st;
		bool known = false;
		for (size_t j = 0; j < w->out->nfiles; j++)
			known |= strcmp(w->out->files[j].path, path) == 0;
		if (known) {
			/* a missing file named twice is reported once */
		} else if (!realpath(path, real) || stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
			struct dbtls_audit_file *nf = new_file(w, path);
			if (!nf)
				err = DBTLS_ERR_NOMEM;
			else if (!(nf->referenced_by = dbtls_strdup(ref)))
				err = DBTLS_ERR_NOMEM;
			else
				err = dbtls_audit_add_error(
				    nf, DBTLS_ERR_FILE, "%s: named by %s: %s", path, ref,
				    errno ? strerror(errno) : "not a regular file");
		} else {
			struct seen *sn = seen_find(w, &st);
			struct dbtls_audit_file *old =
			    sn && sn->file != SIZE_MAX ? &w->out->files[sn->file] : NULL;
			if (!old) {
				/* shown by its real path, as a later walk of its directory would */
				err = audit_file(w, real, real, &st, ref, pwcopy, ref, NULL);
			} else if (old->store &&
				   old->store->pw_source == DBTLS_STOREPW_NOT_OPENED && pwcopy) {
				/* walked already but no password opened it: again, with the one
				 * found next to the setting, into the same slot */
				size_t at = sn->file, nidx;
				char *shown = dbtls_strdup(old->path);
				if (!shown) {
					err = DBTLS_ERR_NOMEM;
				} else {
					err = audit_file(w, shown, real, &st, ref, pwcopy, ref,
							 &nidx);
					free(shown);
				}
				if (!err) {
					dbtls_audit_file_free(&w->out->files[at]);
					w->out->files[at] = w->out->files[nidx];
					w->out->nfiles--;
					for (size_t j = 0; j < w->nseen; j++)
						if (w->seen[j].file == nidx)
							w->seen[j].file = at;
				}
			}
		}
		if (pwcopy) {
			OPENSSL_cleanse(pwcopy, strlen(pwcopy));
			free(pwcopy);
		}
		free(path);
		free(ref);
	}
	return err;
}

static bool within_roots(struct walk *w, const char *real)
{
	for (size_t i = 0; i < w->nroots; i++) {
		size_t l = strlen(w->roots[i]);
		if (strncmp(real, w->roots[i], l) == 0 &&
		    (real[l] == '\0' || real[l] == '/' || (l == 1 && w->roots[i][0] == '/')))
			return true;
	}
	return false;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum dbtls_err walk_path(struct walk *w, const char *path, int depth, bool root);

static enum dbtls_err walk_dir(struct walk *w, const char *path, int depth)
{
	DIR *dh = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	enum dbtls_err err = DBTLS_OK;

	if (!dh) {
		struct dbtls_audit_file *f = new_file(w, path);
		return f ? dbtls_audit_add_error(f, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno))
			 : DBTLS_ERR_NOMEM;
	}
	while ((de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		names = nn;
		if (asprintf(&names[n], "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
			     de->d_name) < 0) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), cmpstr);
	for (size_t i = 0; i < n && !err; i++)
		err = walk_path(w, names[i], depth + 1, false);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dh);
	return err;
}

static enum dbtls_err walk_path(struct walk *w, const char *path, int depth, bool root)
{
	struct stat st;
	char real[PATH_MAX];
	const char *open_path = path;
	struct dbtls_audit_file *f;

	if (lstat(path, &st) != 0) {
		f = new_file(w, path);
		return f ? dbtls_audit_add_error(f, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno))
			 : DBTLS_ERR_NOMEM;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!realpath(path, real) || stat(real, &st) != 0) {
			f = new_file(w, path);
			return f ? dbtls_audit_add_error(f, DBTLS_ERR_FILE,
							 "%s: dangling symbolic link", path)
				 : DBTLS_ERR_NOMEM;
		}
		if (!root && !within_roots(w, real)) {
			f = new_file(w, path);
			return f ? dbtls_audit_add_error(f, DBTLS_ERR_UNSUPPORTED,
							 "%s: symbolic link to %s, outside the "
							 "audited tree: not followed",
							 path, real)
				 : DBTLS_ERR_NOMEM;
		}
		open_path = real;
	}
	if (seen_find(w, &st))
		return DBTLS_OK; /* a loop or a second name of something audited already */
	if (S_ISDIR(st.st_mode)) {
		if (depth >= MAX_DIR_DEPTH) {
			f = new_file(w, path);
			return f ? dbtls_audit_add_error(f, DBTLS_ERR_LIMIT,
							 "%s: directories nested deeper than %d",
							 path, MAX_DIR_DEPTH)
				 : DBTLS_ERR_NOMEM;
		}
		enum dbtls_err err = seen_add(w, &st, SIZE_MAX);
		return err ? err : walk_dir(w, open_path, depth);
	}
	if (!S_ISREG(st.st_mode)) {
		if (!root)
			return DBTLS_OK; /* sockets, FIFOs, devices inside a tree: not files to
					    audit */
		f = new_file(w, path);
		return f ? dbtls_audit_add_error(f, DBTLS_ERR_FILE, "%s: not a regular file", path)
			 : DBTLS_ERR_NOMEM;
	}
	return audit_file(w, path, open_path, &st, NULL, NULL, NULL, NULL);
}

/* Keys and certificates side by side: a key matches a certificate in the same directory (or the
 * same file) with the same SubjectPublicKeyInfo. */
static enum dbtls_err match_keys(struct dbtls_audit_facts *a)
{
	for (size_t i = 0; i < a->nfiles; i++) {
		struct dbtls_audit_file *kf = &a->files[i];
		const char *ks = strrchr(kf->path, '/');
		size_t kdir = ks ? (size_t)(ks - kf->path) : 0;
		for (size_t k = 0; k < kf->nkeys; k++) {
			struct dbtls_audit_key *key = &kf->keys[k];
			if (!key->spki_sha256)
				continue;
			for (size_t j = 0; j < a->nfiles && !key->matching_cert; j++) {
				const struct dbtls_audit_file *cf = &a->files[j];
				const char *cs = strrchr(cf->path, '/');
				size_t cdir = cs ? (size_t)(cs - cf->path) : 0;
				if (cdir != kdir || strncmp(cf->path, kf->path, kdir) != 0)
					continue;
				for (size_t c = 0; c < cf->ncerts; c++) {
					if (strcmp(cf->certs[c].spki_sha256, key->spki_sha256) != 0)
						continue;
					int r = cf->certs[c].line
						    ? asprintf(&key->matching_cert, "%s:%u",
							       cf->path, cf->certs[c].line)
						    : asprintf(&key->matching_cert, "%s", cf->path);
					if (r < 0) {
						key->matching_cert = NULL;
						return DBTLS_ERR_NOMEM;
					}
					break;
				}
			}
		}
	}
	return DBTLS_OK;
}

enum dbtls_err dbtls_audit_paths(const char *const *paths, size_t n,
				 const struct dbtls_audit_opts *o, struct dbtls_audit_facts *out)
{
	struct walk w = {.o = o, .out = out};
	enum dbtls_err err = DBTLS_OK;
	char real[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return DBTLS_ERR_USAGE;
	w.roots = calloc(n, sizeof(*w.roots));
	if (!w.roots)
		return DBTLS_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (realpath(paths[i], real) && !(w.roots[w.nroots++] = dbtls_strdup(real))) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
	for (size_t i = 0; i < n && !err; i++)
		err = walk_path(&w, paths[i], 0, true);
	if (!err)
		err = match_keys(out);
out:
	for (size_t i = 0; i < w.nroots; i++)
		free(w.roots[i]);
	free(w.roots);
	free(w.seen);
	dbtls_audit_secrets_free(&w.secrets);
	if (err)
		dbtls_audit_facts_free(out);
	return err;
}
