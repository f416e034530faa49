/* SPDX-License-Identifier: MIT */
/*
 * trust.c — the system-store verification behind verification.public_trust.
 *
 * OpenSSL's X509_STORE_set_default_paths() succeeds even when the file and directory it names
 * do not exist, and a hashed directory is only read when a lookup needs it, so "the store
 * loaded" says nothing. This file therefore looks into each default directory for a readable
 * hashed entry (8 hex digits, a dot, a digit) and uses the directories when one has it, else
 * loads the default file and counts what it holds: with neither, the answer is "cannot tell"
 * (-1), never "not public" — a missing store must not make a publicly trusted chain look
 * private, which would silence the CA/B checks (a wrong pass).
 *
 * The path is built with the served intermediates as untrusted and dates ignored
 * (X509_V_FLAG_NO_CHECK_TIME): an expired public chain is still public. A verification that
 * fails after the path reached a system root (a wrong purpose, a bad signature further down)
 * still counts as anchored; X509_STORE_CTX_get_num_untrusted() tells where the path left the
 * served certificates.
 */
#include "src/pki/trust.h"

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

static const char *tr_default(const char *env_name, const char *builtin)
{
	const char *v = getenv(env_name);

	return v && *v ? v : builtin;
}

/* True when name looks like a c_rehash / openssl rehash entry ("9d66eef0.0"). */
static bool tr_hashed_name(const char *name)
{
	size_t n = strlen(name);

	if (n < 10 || name[8] != '.')
		return false;
	for (size_t i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)name[i]))
			return false;
	for (size_t i = 9; i < n; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return true;
}

/* True when one of the ':'-separated directories in list holds a hashed entry. */
static bool tr_dirs_usable(const char *list)
{
	char buf[4096];
	char *save = NULL, *dir;
	bool found = false;

	if (!list || strlen(list) >= sizeof(buf))
		return false;
	memcpy(buf, list, strlen(list) + 1);
	for (dir = strtok_r(buf, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		DIR *dh = opendir(dir);
		struct dirent *e;

		if (!dh)
			continue;
		while (!found && (e = readdir(dh))) {
			char path[4096 + 256];

			/* a dangling link to a removed root does not make a store */
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			found = tr_hashed_name(e->d_name) && access(path, R_OK) == 0;
		}
		closedir(dh);
	}
	return found;
}

enum dbtls_err dbtls_trust_system_store(X509_STORE **out, bool *usable, char **where,
					struct dbtls_diag *d)
{
	const char *file =
	    tr_default(X509_get_default_cert_file_env(), X509_get_default_cert_file());
	const char *dirs = tr_default(X509_get_default_cert_dir_env(), X509_get_default_cert_dir());
	X509_STORE *st = X509_STORE_new();
	enum dbtls_err err = DBTLS_OK;
	bool ok = false;
	size_t n = strlen(file) + strlen(dirs) + 32;

	*out = NULL;
	*usable = false;
	*where = malloc(n);
	if (!st || !*where) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory (system store)");
		goto out;
	}
	ERR_set_mark();
	/* a hashed directory is read lazily, one lookup at a time; parsing the whole bundle
	 * file costs OpenSSL 3.0 about 1 ms a certificate (150 ms for Debian's 144), so the file
	 * is read only when no directory is usable (Debian's file and directory hold the same
	 * roots: update-ca-certificates writes both) */
	if (tr_dirs_usable(dirs) && X509_STORE_load_path(st, dirs) == 1) {
		ok = true;
		snprintf(*where, n, "%s", dirs);
	} else if (X509_STORE_load_file(st, file) == 1 &&
		   sk_X509_OBJECT_num(X509_STORE_get0_objects(st)) > 0) {
		ok = true;
		snprintf(*where, n, "%s", file);
	} else {
		snprintf(*where, n, "%s, %s", file, dirs);
	}
	ERR_pop_to_mark();
	*usable = ok;
out:
	if (err) {
		X509_STORE_free(st);
		st = NULL;
		free(*where);
		*where = NULL;
	}
	*out = st;
	return err;
}

/*
 * The system store of this process, loaded once. This is the one piece of process-wide state
 * in the scanner, against the house rule on purpose: the store is immutable once built (an
 * X509_STORE is safe to verify against from many threads; OpenSSL locks its lookup cache),
 * and building it per endpoint would read the bundle file again for each one. The
 * environment (SSL_CERT_FILE, SSL_CERT_DIR) is read at the first use.
 */
static pthread_once_t tr_once = PTHREAD_ONCE_INIT;
static X509_STORE *tr_store;
static bool tr_usable;
static char *tr_where;

static void tr_load_once(void)
{
	if (dbtls_trust_system_store(&tr_store, &tr_usable, &tr_where, NULL))
		tr_store = NULL; /* out of memory: every caller sees NOMEM */
}

static char *tr_name(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *s = NULL;
	long n;

	if (!bio || X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0)
		goto out;
	n = BIO_get_mem_data(bio, &data);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		goto out;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
out:
	BIO_free(bio);
	return s;
}

enum dbtls_err dbtls_trust_public(STACK_OF(X509) * chain, X509_STORE *system, time_t now,
				  struct dbtls_public_trust *out, struct dbtls_diag *d)
{
	struct dbtls_public_trust t = {.checked = true, .anchored = -1};
	STACK_OF(X509) *untrusted = NULL, *path = NULL;
	X509_STORE_CTX *sctx = NULL;
	X509_VERIFY_PARAM *param;
	enum dbtls_err err = DBTLS_OK;
	bool usable = true;
	int rc, code;

	memset(out, 0, sizeof(*out));
	if (!chain || sk_X509_num(chain) < 1)
		return DBTLS_OK; /* nothing served: not checked */
	if (!system) {
		pthread_once(&tr_once, tr_load_once);
		if (!tr_store || !(t.store = strdup(tr_where))) {
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory (system store)");
			goto out;
		}
		system = tr_store;
		usable = tr_usable;
	}
	if (!usable) {
		t.detail = strdup("the system trust store is empty or unreadable");
		if (!t.detail)
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	untrusted = sk_X509_new_null();
	sctx = X509_STORE_CTX_new();
	if (!untrusted || !sctx) {
		err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(chain, i))) {
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
			goto out;
		}
	ERR_set_mark();
	if (!X509_STORE_CTX_init(sctx, system, sk_X509_value(chain, 0), untrusted) ||
	    !X509_STORE_CTX_set_purpose(sctx, X509_PURPOSE_SSL_SERVER)) {
		ERR_pop_to_mark();
		t.detail = strdup("the verification could not be set up");
		if (!t.detail)
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
		goto out;
	}
	param = X509_STORE_CTX_get0_param(sctx);
	X509_VERIFY_PARAM_set_auth_level(param, 0);
	X509_VERIFY_PARAM_set_time(param, now);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
	rc = X509_verify_cert(sctx);
	code = X509_STORE_CTX_get_error(sctx);
	path = X509_STORE_CTX_get1_chain(sctx);
	ERR_pop_to_mark();
	if (rc == 1 || (path && sk_X509_num(path) > X509_STORE_CTX_get_num_untrusted(sctx))) {
		/* the path took a certificate from the system store: its top is the anchor */
		t.anchored = 1;
		t.anchor =
		    tr_name(X509_get_subject_name(sk_X509_value(path, sk_X509_num(path) - 1)));
		if (!t.anchor)
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	} else if (rc < 0) {
		t.detail = strdup("the verification failed internally");
		if (!t.detail)
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	} else {
		t.anchored = 0;
		t.detail = strdup(X509_verify_cert_error_string(
		    code != X509_V_OK ? code : X509_V_ERR_UNSPECIFIED));
		if (!t.detail)
			err = dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	}
out:
	sk_X509_pop_free(path, X509_free);
	X509_STORE_CTX_free(sctx);
	sk_X509_free(untrusted);
	if (err) {
		free(t.anchor);
		free(t.store);
		free(t.detail);
		return err;
	}
	*out = t;
	return DBTLS_OK;
}
