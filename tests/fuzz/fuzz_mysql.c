/* SPDX-License-Identifier: MIT */
/* fuzz_mysql.c — libFuzzer target for the MySQL preamble: greeting / ERR packet parsing over the
 * replay seam, and the ERR-packet decoder used on answers to a ClientHello. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>

#include "src/wire/preamble/preamble.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct dbtls_preamble_target pt = {
	    .host = "db.example", .port = 3306, .name = "db.example"};
	struct dbtls_server_info info = {0};
	struct dbtls_server_error e;
	struct dbtls_diag d;
	struct dbtls_conn c;

	dbtls_conn_init_replay(&c, data, size);
	dbtls_preamble_mysql.start(&c, &pt, &info, &d);
	dbtls_conn_close(&c);
	free(info.product);
	free(info.version);
	free(info.err_sqlstate);
	free(info.err_message);
	dbtls_preamble_mysql.error_packet(data, size, &e);
	return 0;
}
