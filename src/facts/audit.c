/* SPDX-License-Identifier: MIT */
/*
 * audit.c — names and release functions of the file-audit facts (audit.h), plus the two
 * appenders the parsers share. No I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/facts/audit.h"

const char *dbtls_audit_kind_name(enum dbtls_audit_kind k)
{
	static const char *const names[] = {
#define XX(n, s) s,
	    DBTLS_AUDIT_KIND_MAP(XX)
#undef XX
	};
	if ((size_t)k >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[k];
}

const char *dbtls_key_format_name(enum dbtls_key_format f)
{
	switch (f) {
	case DBTLS_KEYFMT_PKCS1:
		return "pkcs1";
	case DBTLS_KEYFMT_PKCS8:
		return "pkcs8";
	case DBTLS_KEYFMT_PKCS8_ENCRYPTED:
		return "pkcs8-encrypted";
	case DBTLS_KEYFMT_PEM_ENCRYPTED:
		return "pem-encrypted";
	case DBTLS_KEYFMT_OPENSSH:
		return "openssh";
	case DBTLS_KEYFMT_OTHER:
		break;
	}
	return "other";
}

const char *dbtls_store_entry_type_name(enum dbtls_store_entry_type t)
{
	switch (t) {
	case DBTLS_STORE_PRIVATE_KEY:
		return "PrivateKeyEntry";
	case DBTLS_STORE_TRUSTED_CERT:
		return "trustedCertEntry";
	case DBTLS_STORE_SECRET_KEY:
		return "SecretKeyEntry";
	}
	return "unknown";
}

const char *dbtls_store_pw_source_name(enum dbtls_store_pw_source s)
{
	switch (s) {
	case DBTLS_STOREPW_NOT_OPENED:
		return "not-opened";
	case DBTLS_STOREPW_ENV:
		return "env";
	case DBTLS_STOREPW_FILE:
		return "file";
	case DBTLS_STOREPW_SETTING:
		return "setting";
	case DBTLS_STOREPW_DEFAULT:
		return "default";
	}
	return "not-opened";
}

void dbtls_audit_key_free(struct dbtls_audit_key *k)
{
	if (!k)
		return;
	free(k->pem_label);
	free(k->type);
	free(k->spki_sha256);
	free(k->matching_cert);
	memset(k, 0, sizeof(*k));
}

void dbtls_audit_cert_free(struct dbtls_audit_cert *c)
{
	if (!c)
		return;
	dbtls_cert_free(&c->cert);
	memset(c, 0, sizeof(*c));
}

void dbtls_audit_store_free(struct dbtls_audit_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nentries; i++) {
		struct dbtls_audit_store_entry *e = &s->entries[i];
		free(e->alias);
		free(e->key_algorithm);
		for (size_t j = 0; j < e->ncerts; j++)
			dbtls_audit_cert_free(&e->certs[j]);
		free(e->certs);
	}
	free(s->entries);
	free(s->type);
	free(s->pw_ref);
	memset(s, 0, sizeof(*s));
}

void dbtls_audit_setting_free(struct dbtls_audit_setting *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->key);
	free(s->value);
	free(s->group);
	free(s->file);
	memset(s, 0, sizeof(*s));
}

void dbtls_audit_file_free(struct dbtls_audit_file *f)
{
	if (!f)
		return;
	free(f->path);
	free(f->referenced_by);
	free(f->owner);
	free(f->group);
	for (size_t i = 0; i < f->nkeys; i++)
		dbtls_audit_key_free(&f->keys[i]);
	free(f->keys);
	for (size_t i = 0; i < f->ncerts; i++)
		dbtls_audit_cert_free(&f->certs[i]);
	free(f->certs);
	dbtls_audit_store_free(f->store);
	free(f->store);
	for (size_t i = 0; i < f->nsettings; i++)
		dbtls_audit_setting_free(&f->settings[i]);
	free(f->settings);
	for (size_t i = 0; i < f->nerrors; i++)
		free(f->errors[i].msg);
	free(f->errors);
	memset(f, 0, sizeof(*f));
}

void dbtls_audit_facts_free(struct dbtls_audit_facts *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nfiles; i++)
		dbtls_audit_file_free(&a->files[i]);
	free(a->files);
	memset(a, 0, sizeof(*a));
}

enum dbtls_err dbtls_audit_add_error(struct dbtls_audit_file *f, enum dbtls_err code,
				     const char *fmt, ...)
{
	struct dbtls_audit_error *n;
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return DBTLS_ERR_NOMEM;
	/* one line: a newline from a parser's message would break the report's contract */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n = realloc(f->errors, (f->nerrors + 1) * sizeof(*n));
	if (!n) {
		free(msg);
		return DBTLS_ERR_NOMEM;
	}
	f->errors = n;
	f->errors[f->nerrors].code = code;
	f->errors[f->nerrors].msg = msg;
	f->nerrors++;
	return DBTLS_OK;
}

enum dbtls_err dbtls_audit_add_setting(struct dbtls_audit_file *f, const char *name,
				       const char *key, const char *value, const char *group,
				       const char *file, unsigned line, bool secret)
{
	struct dbtls_audit_setting s = {0}, *n;

	s.name = dbtls_strdup(name);
	s.key = dbtls_strdup(key);
	s.value = dbtls_strdup(secret ? "****" : (value ? value : ""));
	s.group = group ? dbtls_strdup(group) : NULL;
	s.file = file ? dbtls_strdup(file) : NULL;
	s.line = line;
	s.secret = secret;
	if (!s.name || !s.key || !s.value || (group && !s.group) || (file && !s.file))
		goto nomem;
	n = realloc(f->settings, (f->nsettings + 1) * sizeof(*n));
	if (!n)
		goto nomem;
	f->settings = n;
	f->settings[f->nsettings++] = s;
	return DBTLS_OK;
nomem:
	dbtls_audit_setting_free(&s);
	return DBTLS_ERR_NOMEM;
}

const struct dbtls_audit_setting *dbtls_audit_setting_get(const struct dbtls_audit_file *f,
							  const char *key)
{
	for (size_t i = 0; i < f->nsettings; i++)
		if (strcmp(f->settings[i].key, key) == 0)
			return &f->settings[i];
	return NULL;
}
