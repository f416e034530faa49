/* SPDX-License-Identifier: MIT */
/*
 * clients.c — scan --clients: loads the client profiles asked for (built-in names, "all", or a
 * profile file), the --proposed change, and fills each endpoint's client-impact rows through the
 * simulation of src/sim. The app layer does the file reading; src/sim stays pure.
 */
#include "app/clients.h"

#include "src/core/jsonload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "src/pki/x509.h"

#include "src/registry/suites.h"
#include "src/sim/sim.h"

static bool cl_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; s && *s;) {
		size_t k = strcspn(s, ",");

		if (k == n && strncmp(s, name, n) == 0)
			return true;
		s += k + (s[k] == ',');
	}
	return false;
}

static enum dbtls_err cl_read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;

	if (!f)
		return DBTLS_ERR_FILE;
	buf = malloc(1 << 20);
	if (buf)
		n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	if (!buf)
		return DBTLS_ERR_NOMEM;
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return DBTLS_OK;
}

/* The proposed chain (PEM file, leaf first) as facts, verified against the proposed bundle
 * ("system": the default trust store) when one is given; the anchor that verification ends in
 * is appended when the chain does not carry it, so its key and size are judged too. */
static enum dbtls_err cl_proposed_chain(const char *chain, const char *bundle,
					struct dbtls_sim_proposal *pr, struct dbtls_cert **certs,
					size_t *ncerts, char *err_buf, size_t err_len,
					struct dbtls_diag *d)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	enum dbtls_err err = DBTLS_ERR_FILE;
	FILE *f = fopen(chain, "r");
	X509 *x, *anchor = NULL;
	size_t n = 0;
	time_t now = time(NULL);

	*certs = NULL;
	*ncerts = 0;
	if (!f || !sk) {
		snprintf(d->msg, sizeof(d->msg), "--proposed: certificate %s: cannot read", chain);
		goto out;
	}
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
	if (sk_X509_num(sk) == 0) {
		snprintf(d->msg, sizeof(d->msg), "--proposed: certificate %s: no PEM certificate",
			 chain);
		err = DBTLS_ERR_INPUT;
		goto out;
	}
	pr->chain_verifies = -1;
	if (bundle) {
		store = X509_STORE_new();
		ctx = X509_STORE_CTX_new();
		if (!store || !ctx) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		if (strcmp(bundle, "system") == 0 ? X509_STORE_set_default_paths(store) != 1
						  : X509_STORE_load_file(store, bundle) != 1) {
			snprintf(d->msg, sizeof(d->msg), "--proposed: ca_bundle %s: cannot load",
				 bundle);
			goto out;
		}
		pr->ca_private = strcmp(bundle, "system") != 0;
		if (X509_STORE_CTX_init(ctx, store, sk_X509_value(sk, 0), sk) != 1) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		pr->chain_verifies = X509_verify_cert(ctx) == 1;
		if (pr->chain_verifies) {
			STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
			X509 *top = sk_X509_value(path, sk_X509_num(path) - 1);
			bool served = false;

			for (int i = 0; i < sk_X509_num(sk); i++)
				served |= X509_cmp(sk_X509_value(sk, i), top) == 0;
			if (!served)
				anchor = top;
		} else {
			snprintf(err_buf, err_len, "%s",
				 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
			pr->chain_error = err_buf;
		}
	}
	*certs = calloc((size_t)sk_X509_num(sk) + 1, sizeof(**certs));
	if (!*certs) {
		err = DBTLS_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i <= sk_X509_num(sk); i++) {
		X509 *c = i < sk_X509_num(sk) ? sk_X509_value(sk, i) : anchor;

		if (!c)
			break;
		if ((err = dbtls_x509_cert_facts(c, now, &(*certs)[n], d)))
			goto out;
		n++;
	}
	*ncerts = n;
	err = DBTLS_OK;
out:
	if (err && *certs) {
		for (size_t i = 0; i < n; i++)
			dbtls_cert_free(&(*certs)[i]);
		free(*certs);
		*certs = NULL;
	}
	if (f)
		fclose(f);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(sk, X509_free);
	return err;
}

enum dbtls_err dbtls_app_clients(const struct dbtls_cli *cli, struct dbtls_scan_facts *facts,
				 struct dbtls_diag *d)
{
	struct dbtls_client_profile *ps = NULL;
	struct dbtls_sim_proposal pr = {0};
	uint32_t *codes = NULL;
	size_t nps = 0, ncodes = 0;
	enum dbtls_err err = DBTLS_OK;
	char *text = NULL;
	size_t len;
	json_t *prop = NULL;
	struct dbtls_cert *pcerts = NULL;
	size_t npcerts = 0;
	char chain_err[256] = "";

	if (!cli->clients)
		return DBTLS_OK;
	ps = calloc(dbtls_nbuiltin_clients + 1, sizeof(*ps));
	if (!ps)
		return DBTLS_ERR_NOMEM;
	if (strchr(cli->clients, '/') || strstr(cli->clients, ".json")) {
		if ((err = cl_read_file(cli->clients, &text, &len))) {
			snprintf(d->msg, sizeof(d->msg), "--clients %s: cannot read", cli->clients);
			goto out;
		}
		if ((err = dbtls_client_profile_parse(text, len, &ps[0], d)))
			goto out;
		nps = 1;
	} else {
		for (size_t i = 0; i < dbtls_nbuiltin_clients; i++) {
			const char *j = dbtls_builtin_clients[i].json;

			if (strcmp(cli->clients, "all") != 0 &&
			    !cl_listed(cli->clients, dbtls_builtin_clients[i].name))
				continue;
			if ((err = dbtls_client_profile_parse(j, strlen(j), &ps[nps], d)))
				goto out;
			nps++;
		}
		if (nps == 0) {
			snprintf(d->msg, sizeof(d->msg), "--clients %s: no such profile",
				 cli->clients);
			err = DBTLS_ERR_USAGE;
			goto out;
		}
	}
	if (cli->proposed) {
		const char *s;

		/* the one JSON load path: bounded, duplicate keys refused, FILE:LINE:COL errors */
		err = dbtls_json_load_file(cli->proposed, DBTLS_JSON_MAX_WAIVERS, &prop, NULL, d);
		if (err)
			goto out;
		if (!json_is_object(prop)) {
			snprintf(d->msg, sizeof(d->msg), "--proposed %s: expected a JSON object",
				 cli->proposed);
			err = DBTLS_ERR_INPUT;
			goto out;
		}
		s = json_string_value(json_object_get(prop, "tls_version"));
		if (!s)
			s = json_string_value(json_object_get(prop, "ssl_min_protocol_version"));
		if (s) {
			pr.has_versions = true;
			if (!dbtls_sim_versions_parse(s, pr.versions)) {
				snprintf(d->msg, sizeof(d->msg), "--proposed: tls_version '%s'", s);
				err = DBTLS_ERR_INPUT;
				goto out;
			}
		}
		s = json_string_value(json_object_get(prop, "ssl_cipher"));
		if (!s)
			s = json_string_value(json_object_get(prop, "ssl_ciphers"));
		if (s) {
			if ((err = dbtls_cipher_string_expand(s, &codes, &ncodes))) {
				snprintf(d->msg, sizeof(d->msg),
					 "--proposed: ssl_cipher '%s' selects no suite here", s);
				goto out;
			}
			pr.suites = codes;
			pr.nsuites = ncodes;
		}
		s = json_string_value(json_object_get(prop, "certificate"));
		if (s) {
			err = cl_proposed_chain(
			    s, json_string_value(json_object_get(prop, "ca_bundle")), &pr, &pcerts,
			    &npcerts, chain_err, sizeof(chain_err), d);
			if (err)
				goto out;
			pr.certs = pcerts;
			pr.ncerts = npcerts;
		}
	}
	for (size_t i = 0; i < facts->nendpoints; i++) {
		struct dbtls_endpoint_facts *e = &facts->endpoints[i];
		size_t rows = nps * (cli->proposed ? 2 : 1), k = 0;

		e->clients = calloc(rows, sizeof(*e->clients));
		if (!e->clients) {
			err = DBTLS_ERR_NOMEM;
			goto out;
		}
		for (size_t j = 0; j < nps; j++) {
			/* a profile of another protocol's driver does not apply here */
			if (e->protocol && strcmp(e->protocol, ps[j].protocol) != 0 &&
			    strcmp(e->protocol, "tls") != 0)
				continue;
			for (int c = 0; c < (cli->proposed ? 2 : 1); c++) {
				if ((err =
					 dbtls_sim_run(e, &ps[j], c ? &pr : NULL, &e->clients[k])))
					goto out;
				e->clients[k].in_use = cl_listed(cli->clients_in_use, ps[j].name);
				k++;
				e->nclients = k;
			}
		}
	}
out:
	for (size_t i = 0; i < nps; i++)
		dbtls_client_profile_free(&ps[i]);
	free(ps);
	free(text);
	free(codes);
	for (size_t i = 0; i < npcerts; i++)
		dbtls_cert_free(&pcerts[i]);
	free(pcerts);
	json_decref(prop);
	return err;
}
