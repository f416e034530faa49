/* SPDX-License-Identifier: MIT */
/*
 * check_clients.c — client impact (scan --clients with --clients-in-use): a client profile the
 * user marked as in use that would fail to connect to the endpoint, as it is or with the change
 * of --proposed. Reads only the rows the simulation of src/sim put into the facts.
 */
#include "checks/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cl_refs[] = {"RFC 8446 §4.1.1", "RFC 5246 §7.4.1", NULL};

static void cl_would_break(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			   const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	for (size_t i = 0; i < f->nclients; i++) {
		const struct dbtls_client_sim *c = &f->clients[i];
		bool proposed = c->config && strcmp(c->config, "proposed") == 0;
		char ev[768];

		if (!c->in_use || !c->outcome || strcmp(c->outcome, "fails") != 0)
			continue;
		snprintf(ev, sizeof(ev), "%s (%s configuration): %s", c->client,
			 proposed ? "proposed" : "current", c->reason ? c->reason : "fails");
		dbtls_findings_add(
		    out, self, ctx, -1, ev,
		    proposed
			? "Keep what the client needs in the change (a version or suite it "
			  "offers, a key it accepts), or upgrade that client first."
			: "Give the client what it needs (its CA, a version or suite it offers) or "
			  "upgrade it; the table under the endpoint says what it would get.",
		    "Client in use %s would not connect%s", c->client,
		    proposed ? " after the proposed change" : "");
	}
}

static const struct dbtls_check chk_would_break = {
    .id = "clients.would-break",
    .title = "A client in use would not connect",
    .description = "With --clients and --clients-in-use: the handshake simulation of a client "
		   "profile marked as in use fails against the endpoint as scanned or with the "
		   "--proposed change (no common version or suite, DH size, certificate key, the "
		   "CA not in the client's default trust store). The evidence names the client and "
		   "why.",
    .fix = "Keep what the client needs in the configuration, or upgrade the client first.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = cl_refs,
    .eval = cl_would_break,
};

const struct dbtls_check *const dbtls_checks_clients[] = {
    &chk_would_break,
    NULL,
};
