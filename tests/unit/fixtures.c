/* SPDX-License-Identifier: MIT */
/*
 * fixtures.c — the unit tests' shared helpers (see fixtures.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "tests/unit/fixtures.h"

char *fx_render(const struct dbtls_report_writer *w, const struct dbtls_scan_facts *s,
		const struct dbtls_evaluation *ev, bool color)
{
	struct dbtls_diag d = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(dbtls_report_write_eval(w, s, ev, f, color, &d), DBTLS_OK);
	assert_int_equal(fclose(f), 0);
	return buf;
}

char *fx_tmpfile(const char *tag, const char *text)
{
	char *path = NULL;
	int fd;
	FILE *f;

	assert_true(asprintf(&path, "/tmp/dbtls-test-%s-XXXXXX", tag) > 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	return path;
}

void fx_tmpfile_remove(char *path)
{
	if (!path)
		return;
	unlink(path);
	free(path);
}

const struct dbtls_finding *fx_first(const struct dbtls_findings *fs, const char *id, size_t *n)
{
	const struct dbtls_finding *first = NULL;

	*n = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->items[i].check, id) == 0 && (*n)++ == 0)
			first = &fs->items[i];
	return first;
}

bool fx_judge(const char *name, const struct dbtls_check *c, const struct dbtls_finding *fd,
	      size_t n, const struct fx_expect *x)
{
	int sev = x->severity >= 0 ? x->severity : (int)c->default_severity;
	bool ok = true;

	if (n != x->n) {
		print_error("%s: %s gave %zu findings, expected %zu%s%s\n", name, c->id, n, x->n,
			    fd ? "; first: " : "", fd ? fd->title : "");
		return false;
	}
	if (!fd)
		return true;
	if ((int)fd->severity != sev) {
		print_error("%s: severity %s, expected %s\n", name,
			    dbtls_severity_name(fd->severity),
			    dbtls_severity_name((enum dbtls_severity)sev));
		ok = false;
	}
	if (x->substr && !strstr(fd->title, x->substr) && !strstr(fd->evidence, x->substr)) {
		print_error("%s: '%s' in neither title '%s' nor evidence '%s'\n", name, x->substr,
			    fd->title, fd->evidence);
		ok = false;
	}
	if (x->fix && !strstr(fd->remediation, x->fix)) {
		print_error("%s: '%s' not in remediation '%s'\n", name, x->fix, fd->remediation);
		ok = false;
	}
	if (!fd->title[0] || !fd->remediation[0] || fd->references != c->references ||
	    (x->evidence_required && !fd->evidence[0])) {
		print_error("%s: finding without title, %sremediation or references\n", name,
			    x->evidence_required ? "evidence, " : "");
		ok = false;
	}
	return ok;
}

void fx_ext_add(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_true(X509_add_ext(x, ext, -1));
	X509_EXTENSION_free(ext);
}

static void fx_times(X509 *x, const struct fx_cert_spec *s)
{
	if (s->relative) {
		assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), (long)s->not_before));
		assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), (long)s->not_after));
	} else {
		assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), s->not_before));
		assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), s->not_after));
	}
}

X509 *fx_cert(const struct fx_cert_spec *s)
{
	X509 *x = X509_new(), *iss;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial;

	assert_non_null(x);
	iss = s->issuer ? s->issuer : x;
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(BN_hex2bn(&bn, s->serial_hex));
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	assert_non_null(serial);
	assert_true(X509_set_serialNumber(x, serial));
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	fx_times(x, s);
	for (const char *const *rdn = s->name; rdn && rdn[0]; rdn += 2)
		assert_true(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), rdn[0],
						       MBSTRING_ASC, (const unsigned char *)rdn[1],
						       -1, -1, 0));
	assert_true(X509_set_issuer_name(x, X509_get_subject_name(iss)));
	assert_true(X509_set_pubkey(x, s->key));
	for (const struct fx_ext *e = s->exts; e && e->value; e++)
		fx_ext_add(x, iss, e->nid, e->value);
	assert_true(X509_sign(x, s->sign_key, s->no_md ? NULL : s->md ? s->md : EVP_sha256()) > 0);
	return x;
}
