/* SPDX-License-Identifier: MIT */
/*
 * clients.c — scan --clients: loads the client profiles asked for (built-in names, "all", or a
 * profile file), the --proposed change, and fills each endpoint's client-impact rows through the
 * simulation of src/sim. The app layer does the file reading; src/sim stays pure.
 */
#include "app/clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
		json_error_t je;
		const char *s;

		prop = json_load_file(cli->proposed, 0, &je);
		if (!json_is_object(prop)) {
			snprintf(d->msg, sizeof(d->msg), "--proposed %s: %s", cli->proposed,
				 je.text);
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
	json_decref(prop);
	return err;
}
