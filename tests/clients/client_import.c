/* SPDX-License-Identifier: MIT */
/*
 * client_import.c — turns a capture of tests/clients/capture.py into a client profile
 * (data/clients/NAME.json) through dbtls's own ClientHello parser: the wire offer from the .bin,
 * the client and version from the capture's .json, and what is not on the wire (verification
 * default, trust store, DH and RSA limits, with their sources) from tests/clients/notwire.json.
 *
 *   client_import CAPTURE.bin CAPTURE.json NOTWIRE.json   (profile JSON on standard output)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "src/registry/names.h"
#include "src/registry/suites.h"
#include "src/wire/client_hello.h"

static json_t *codes16(const uint16_t *a, size_t n, const char *(*name)(uint16_t))
{
	json_t *arr = json_array();
	char hex[8];

	for (size_t i = 0; i < n; i++) {
		const char *s = name ? name(a[i]) : NULL;

		if (dbtls_grease(a[i]))
			continue;
		if (!s) {
			snprintf(hex, sizeof(hex), "0x%04X", a[i]);
			s = hex;
		}
		json_array_append_new(arr, json_string(s));
	}
	return arr;
}

int main(int argc, char **argv)
{
	static uint8_t raw[65536];
	struct dbtls_client_hello ch;
	json_t *meta, *nw, *extra, *out, *a;
	json_error_t je;
	const char *name, *k;
	char prov[512], hex[16];
	size_t n;
	FILE *f;
	json_t *v;

	if (argc != 4)
		return fprintf(stderr,
			       "usage: client_import CAPTURE.bin CAPTURE.json NOTWIRE.json\n"),
		       2;
	f = fopen(argv[1], "rb");
	if (!f)
		return perror(argv[1]), 1;
	n = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	if (dbtls_client_hello_parse(raw, n, &ch))
		return fprintf(stderr, "%s: not a ClientHello\n", argv[1]), 1;
	meta = json_load_file(argv[2], 0, &je);
	nw = json_load_file(argv[3], 0, &je);
	if (!meta || !nw)
		return fprintf(stderr, "bad JSON: %s\n", je.text), 1;
	name = json_string_value(json_object_get(meta, "client"));
	extra = json_object_get(nw, name);
	if (!name || !extra)
		return fprintf(stderr, "%s: no entry in %s\n", name ? name : "?", argv[3]), 1;
	out = json_object();
	json_object_set_new(out, "name", json_string(name));
	json_object_set(out, "title", json_object_get(extra, "title"));
	json_object_set(out, "protocol", json_object_get(meta, "protocol"));
	snprintf(prov, sizeof(prov),
		 "recorded here from %s by tests/clients/capture.py on %s (server greeting %s)",
		 json_string_value(json_object_get(meta, "version")),
		 json_string_value(json_object_get(meta, "recorded")),
		 json_string_value(json_object_get(meta, "server_greeting")));
	json_object_set_new(out, "provenance", json_string(prov));
	json_object_set_new(out, "recorded", json_true());
	a = json_array();
	for (int i = DBTLS_NVERSIONS - 1; i >= 0; i--)
		if (dbtls_client_hello_offers(&ch, dbtls_version_code((enum dbtls_version)i)))
			json_array_append_new(
			    a, json_string(dbtls_version_name((enum dbtls_version)i)));
	json_object_set_new(out, "versions", a);
	a = json_array();
	for (size_t i = 0; i < ch.nsuites; i++) {
		const struct dbtls_suite *s = dbtls_suite_by_code(ch.suites[i]);

		if (dbtls_grease(ch.suites[i]) || (s && (s->flags & DBTLS_SF_SCSV)))
			continue;
		json_array_append_new(
		    a, json_string(dbtls_suite_label(ch.suites[i], hex, sizeof(hex))));
	}
	json_object_set_new(out, "suites", a);
	json_object_set_new(out, "groups", codes16(ch.groups, ch.ngroups, dbtls_group_name));
	json_object_set_new(out, "key_shares",
			    codes16(ch.key_shares, ch.nkey_shares, dbtls_group_name));
	json_object_set_new(out, "signature_algorithms",
			    codes16(ch.sigalgs, ch.nsigalgs, dbtls_sigalg_name));
	a = json_array();
	for (size_t i = 0; i < ch.nalpn; i++)
		json_array_append_new(a, json_string(ch.alpn[i]));
	json_object_set_new(out, "alpn", a);
	json_object_set_new(out, "sni", json_boolean(ch.sni_sent));
	json_object_set_new(out, "extensions", codes16(ch.extensions, ch.nextensions, NULL));
	json_object_foreach(extra, k, v) if (strcmp(k, "title") != 0) json_object_set(out, k, v);
	json_dumpf(out, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(out);
	json_decref(meta);
	json_decref(nw);
	return 0;
}
