/* SPDX-License-Identifier: MIT */
/* fuzz_optfile.c — libFuzzer target for the MySQL option-file reader (src/audit/optfile.c),
 * without following includes (no disk), and for the other text readers of src/audit/conf.c. */
#include <stdint.h>
#include <stddef.h>

#include "src/audit/conf.h"
#include "src/audit/optfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dbtls_audit_file f = {.path = (char *)"fuzz.cnf"};

	dbtls_optfile_sniff(s, size);
	dbtls_optfile_read(s, size, "fuzz.cnf", false, 0, &f);
	dbtls_conf_read_properties(s, size, &f);
	dbtls_conf_read_pg_hba(s, size, &f);
	dbtls_conf_read_pg_conf(s, size, &f);
	dbtls_conf_read_openfire_xml(s, size, &f);
	dbtls_conf_read_yaml(s, size, &f);
	f.path = NULL;
	dbtls_audit_file_free(&f);
	return 0;
}
