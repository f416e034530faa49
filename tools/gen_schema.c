/* SPDX-License-Identifier: MIT */
/*
 * gen_schema.c — prints the report's JSON Schema, generated from the field table
 * (reports/json/fields.c), to standard output: `make schema` stores it as data/report.schema.json.
 */
#include <stdio.h>

#include "reports/report.h"

int main(void)
{
	return dbtls_report_schema_write(stdout) == DBTLS_OK && fflush(stdout) == 0 ? 0 : 1;
}
