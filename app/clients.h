/* SPDX-License-Identifier: MIT */
/*
 * clients.h — scan --clients / --proposed / --clients-in-use: the client-impact rows of each
 * endpoint (struct dbtls_client_sim in facts.h), from the profiles of src/sim.
 */
#ifndef DBTLS_APP_CLIENTS_H
#define DBTLS_APP_CLIENTS_H

#include "app/cli.h"
#include "src/facts/facts.h"

/* Fills facts->endpoints[].clients (new, owned by the facts) for cli->clients; nothing when
 * --clients was not given. Returns OK; USAGE/INPUT/FILE with d->msg for a bad option; NOMEM. */
enum dbtls_err dbtls_app_clients(const struct dbtls_cli *cli, struct dbtls_scan_facts *facts,
				 struct dbtls_diag *d);

#endif
