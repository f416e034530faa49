/* SPDX-License-Identifier: MIT */
/*
 * audit_facts.h — the hidden `dbtls audit-facts [--store-passwords FILE] [--no-default-passwords]
 * PATH...` command: audits files (src/audit/) and prints their facts as JSON on stdout.
 * PRE-TABLE FORM: a minimal writer of its own until the report's field-descriptor table lands;
 * the lead moves it into reports/. Returns an exit code (0; 2 for usage or a bad password file;
 * 3 when some file had an error).
 *
 * Ownership: reads its argv-borrowed paths; writes to the caller's FILE; keeps nothing.
 */
#ifndef DBTLS_APP_AUDIT_FACTS_H
#define DBTLS_APP_AUDIT_FACTS_H

#include <stdio.h>

#include "src/facts/audit.h"

int dbtls_app_audit_facts(int argc, char **argv);
/* Writes a as JSON to fp (the pre-table form). 0 on success. */
int dbtls_app_audit_facts_json(const struct dbtls_audit_facts *a, FILE *fp);

#endif
