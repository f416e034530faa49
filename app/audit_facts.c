/* SPDX-License-Identifier: MIT */
/*
 * audit_facts.c — `dbtls audit-facts`: the file audit's facts as JSON (see audit_facts.h).
 * PRE-TABLE FORM of the writer: plain jansson calls, one object per file, field names as in
 * src/facts/audit.h. No password ever reaches this writer (the facts do not hold them).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "app/audit_facts.h"
#include "app/cli.h"
#include "src/audit/audit.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *cert_json(const struct dbtls_audit_cert *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "subject", str_or_null(c->cert.subject));
	json_object_set_new(o, "issuer", str_or_null(c->cert.issuer));
	json_object_set_new(o, "serial", str_or_null(c->cert.serial));
	json_object_set_new(o, "not_after", str_or_null(c->cert.not_after));
	json_object_set_new(o, "days_left", json_integer(c->cert.days_left));
	json_object_set_new(o, "key_type", str_or_null(c->cert.key_type));
	json_object_set_new(o, "key_bits", json_integer(c->cert.key_bits));
	json_object_set_new(o, "sig_alg", str_or_null(c->cert.sig_alg));
	json_object_set_new(o, "self_signed", json_boolean(c->cert.self_signed));
	json_object_set_new(o, "is_ca", json_boolean(c->cert.is_ca));
	json_object_set_new(o, "sha1_fingerprint", json_string(c->sha1_colon));
	json_object_set_new(o, "sha256_fingerprint", json_string(c->sha256_colon));
	json_object_set_new(o, "spki_sha256", json_string(c->spki_sha256));
	if (c->line)
		json_object_set_new(o, "line", json_integer(c->line));
	return o;
}

static json_t *file_json(const struct dbtls_audit_file *f)
{
	json_t *o = json_object(), *a;
	char mode[8];

	json_object_set_new(o, "path", json_string(f->path));
	json_object_set_new(o, "kind", json_string(dbtls_audit_kind_name(f->kind)));
	if (f->referenced_by)
		json_object_set_new(o, "referenced_by", json_string(f->referenced_by));
	json_object_set_new(o, "size", json_integer((json_int_t)f->size));
	snprintf(mode, sizeof(mode), "%04o", f->mode);
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "uid", json_integer(f->uid));
	json_object_set_new(o, "gid", json_integer(f->gid));
	json_object_set_new(o, "owner", str_or_null(f->owner));
	json_object_set_new(o, "group", str_or_null(f->group));
	a = json_array();
	for (size_t i = 0; i < f->nkeys; i++) {
		const struct dbtls_audit_key *k = &f->keys[i];
		json_t *ko = json_object();
		json_object_set_new(ko, "format", json_string(dbtls_key_format_name(k->format)));
		json_object_set_new(ko, "pem_label", str_or_null(k->pem_label));
		json_object_set_new(ko, "type", str_or_null(k->type));
		json_object_set_new(ko, "bits", json_integer(k->bits));
		json_object_set_new(ko, "encrypted", json_boolean(k->encrypted));
		json_object_set_new(ko, "line", json_integer(k->line));
		json_object_set_new(ko, "spki_sha256", str_or_null(k->spki_sha256));
		json_object_set_new(ko, "matching_cert", str_or_null(k->matching_cert));
		json_array_append_new(a, ko);
	}
	json_object_set_new(o, "keys", a);
	a = json_array();
	for (size_t i = 0; i < f->ncerts; i++)
		json_array_append_new(a, cert_json(&f->certs[i]));
	json_object_set_new(o, "certs", a);
	if (f->store) {
		const struct dbtls_audit_store *s = f->store;
		json_t *so = json_object(), *ea = json_array();
		json_object_set_new(so, "type", str_or_null(s->type));
		json_object_set_new(so, "version", json_integer(s->version));
		json_object_set_new(so, "password_source",
				    json_string(dbtls_store_pw_source_name(s->pw_source)));
		json_object_set_new(so, "password_ref", str_or_null(s->pw_ref));
		json_object_set_new(so, "integrity_ok", json_boolean(s->integrity_ok));
		json_object_set_new(so, "password_well_known", json_boolean(s->pw_well_known));
		json_object_set_new(so, "legacy_crypto", json_boolean(s->legacy_crypto));
		json_object_set_new(so, "entries_complete", json_boolean(s->entries_complete));
		for (size_t i = 0; i < s->nentries; i++) {
			const struct dbtls_audit_store_entry *e = &s->entries[i];
			json_t *eo = json_object(), *ca = json_array();
			json_object_set_new(eo, "alias", str_or_null(e->alias));
			json_object_set_new(eo, "type",
					    json_string(dbtls_store_entry_type_name(e->type)));
			if (e->created) {
				char t[32];
				dbtls_rfc3339(e->created, t, sizeof(t));
				json_object_set_new(eo, "created", json_string(t));
			}
			if (e->key_algorithm)
				json_object_set_new(eo, "key_algorithm",
						    json_string(e->key_algorithm));
			for (size_t j = 0; j < e->ncerts; j++)
				json_array_append_new(ca, cert_json(&e->certs[j]));
			json_object_set_new(eo, "certs", ca);
			json_array_append_new(ea, eo);
		}
		json_object_set_new(so, "entries", ea);
		json_object_set_new(o, "store", so);
	}
	a = json_array();
	for (size_t i = 0; i < f->nsettings; i++) {
		const struct dbtls_audit_setting *s = &f->settings[i];
		json_t *so = json_object();
		json_object_set_new(so, "name", json_string(s->name));
		json_object_set_new(so, "key", json_string(s->key));
		json_object_set_new(so, "value", json_string(s->value));
		json_object_set_new(so, "group", str_or_null(s->group));
		if (s->file)
			json_object_set_new(so, "file", json_string(s->file));
		json_object_set_new(so, "line", json_integer(s->line));
		if (s->secret)
			json_object_set_new(so, "secret", json_true());
		json_array_append_new(a, so);
	}
	json_object_set_new(o, "settings", a);
	a = json_array();
	for (size_t i = 0; i < f->nerrors; i++) {
		json_t *eo = json_object();
		json_object_set_new(eo, "code", json_string(dbtls_errname(f->errors[i].code)));
		json_object_set_new(eo, "message", json_string(f->errors[i].msg));
		json_array_append_new(a, eo);
	}
	json_object_set_new(o, "errors", a);
	return o;
}

int dbtls_app_audit_facts_json(const struct dbtls_audit_facts *a, FILE *fp)
{
	json_t *root = json_object(), *files = json_array();
	int rc;

	for (size_t i = 0; i < a->nfiles; i++)
		json_array_append_new(files, file_json(&a->files[i]));
	json_object_set_new(root, "files", files);
	rc = json_dumpf(root, fp, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', fp);
	json_decref(root);
	return rc;
}

int dbtls_app_audit_facts(int argc, char **argv)
{
	struct dbtls_audit_opts o = {.now = time(NULL)};
	struct dbtls_audit_pwfile pf = {0};
	struct dbtls_audit_facts a = {0};
	struct dbtls_diag d = {0};
	const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	size_t n = 0;
	int rc = DBTLS_EXIT_USAGE;
	enum dbtls_err err;

	if (!paths)
		return DBTLS_EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--store-passwords") == 0 && i + 1 < argc) {
			dbtls_audit_pwfile_free(&pf);
			if (dbtls_audit_pwfile_load(argv[++i], &pf, &d)) {
				fprintf(stderr, "dbtls: %s\n", d.msg);
				goto out;
			}
			o.pwfile = &pf;
		} else if (strcmp(argv[i], "--no-default-passwords") == 0) {
			o.no_defaults = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "dbtls: audit-facts: unknown option %s\n", argv[i]);
			goto out;
		} else {
			paths[n++] = argv[i];
		}
	}
	if (n == 0) {
		fprintf(stderr, "dbtls: audit-facts: no PATH given\n");
		goto out;
	}
	o.store_password = getenv("DBTLS_STORE_PASSWORD");
	err = dbtls_audit_paths(paths, n, &o, &a);
	if (err) {
		fprintf(stderr, "dbtls: audit-facts: %s\n", dbtls_strerror(err));
		goto out;
	}
	dbtls_app_audit_facts_json(&a, stdout);
	rc = DBTLS_EXIT_OK;
	for (size_t i = 0; i < a.nfiles; i++)
		if (a.files[i].nerrors)
			rc = DBTLS_EXIT_UNSCANNED;
out:
	dbtls_audit_facts_free(&a);
	dbtls_audit_pwfile_free(&pf);
	free(paths);
	return rc;
}
