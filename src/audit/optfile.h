/* SPDX-License-Identifier: MIT */
/*
 * optfile.h — MySQL / MariaDB option files (my.cnf): `[group]` lines, `name = value` (dashes and
 * underscores equivalent, as the server and client read them; `loose-` dropped; `skip-X` /
 * `disable-X` read as X = 0 and `enable-X` as X = 1; quotes and trailing `#` comments removed),
 * and `!include FILE` / `!includedir DIR` (only *.cnf, in name order; as MySQL), followed to a
 * depth limit with a cycle check by device and inode. Every option of every group becomes a
 * setting of the file (group set, key normalised, `password` masked); the TLS ones the checks
 * read are ssl_mode, ssl_ca, ssl_verify_server_cert, tls_version, ssl_cipher,
 * require_secure_transport, ssl_key, ssl_cert.
 */
#ifndef DBTLS_AUDIT_OPTFILE_H
#define DBTLS_AUDIT_OPTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "src/core/err.h"
#include "src/facts/audit.h"

#define DBTLS_OPTFILE_MAX_DEPTH 10

/* True when buf looks like an option file: a `[group]` line naming a MySQL/MariaDB group (client,
 * mysql, mysqld, mariadb, server, …) or an `!include` line before any other content. */
bool dbtls_optfile_sniff(const char *buf, size_t n);

/* Reads buf (the content of file `name`, borrowed) into f's settings; `name` is written into each
 * setting's file when it differs from f->path. With follow_includes, !include / !includedir are
 * read from disk (depth counts the nesting; stop at DBTLS_OPTFILE_MAX_DEPTH); without, they
 * become settings named "!include"/"!includedir". Malformed lines are errors "FILE:LINE: …" in f
 * and reading goes on. Returns NOMEM only. */
enum dbtls_err dbtls_optfile_read(const char *buf, size_t n, const char *name, bool follow_includes,
				  int depth, struct dbtls_audit_file *f);

/* Normalises an option name the way MySQL compares them into out (lower case, '-' -> '_',
 * "loose_" dropped). */
void dbtls_optfile_norm(const char *name, char *out, size_t outlen);

#endif
