#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_extension_points.sh: the headers' promise "adding a protocol / check / writer / fix-text
# product / report field / kind of subject is its own file plus one registry line", checked by
# doing it. The tracked source tree is copied into the test's temp dir, committed there as the
# pristine state, and each throwaway extension is added in turn; after each one the number of
# files it touched (git status in the copy) must be the documented count, and the lines it added
# to existing files are checked too. Then the copy is built once (no sanitizers, only dbtls and
# tests/unit/test_schema) and each extension is shown to work:
#   protocol echo://       `dbtls help` lists it, the target parses, a scan of a scripted server
#                          records protocol "echo" in a report that validates against the schema
#   check demo.always      `dbtls explain` knows it; a policy file enabling it finds it
#   writer --format demo   `dbtls help` lists it; -o x.demo writes it
#   fix texts "demo"       picked for an endpoint whose server.product is DemoDB (only then)
#   report field           test_schema fails until `make schema`; write -> read -> write keeps it
#   kind of subject "demo" a small C program linked against the copy's libdbtls.a evaluates a
#                          scan holding file subjects: findings belong to the file subject
# Automake here is non-recursive and lists sources, so a new .c file is also one line in
# Makefile.am: that line is counted (and asserted to be the only change there).
#
# Needs git, a C compiler, autoreconf, make and python3 with jsonschema; exit 77 (skip) when one is
# missing, a failure instead under DBTLS_REQUIRE_INTEGRATION=1.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

missing=
for tool in git autoreconf make cc openssl; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
"$DBTLS_PYTHON" -c 'import jsonschema' 2>/dev/null || missing="$missing python3-jsonschema"
if [ -n "$missing" ]; then
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		echo "FAIL: missing:$missing and DBTLS_REQUIRE_INTEGRATION=1" >&2
		exit 1
	fi
	echo "SKIP: missing:$missing"
	exit 77
fi

T="$DBTLS_TEST_TMP/extpoints"
C="$T/tree"  # the copy
B="$T/build" # its build directory (outside the copy, so git status in it stays clean)
rm -rf "$T"
mkdir -p "$C" "$B"

# --- the pristine copy ------------------------------------------------------------------------------
if git -C "$DBTLS_SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	# the tracked files as they are in the work tree (a file deleted there is left out)
	(cd "$DBTLS_SRCDIR" && git ls-files -z | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar -cf - --null -T -) | tar -C "$C" -xf -
else
	for f in app src checks reports data tests tools configure.ac Makefile.am m4 VERSION \
		README.md .gitignore; do
		[ -e "$DBTLS_SRCDIR/$f" ] && cp -R "$DBTLS_SRCDIR/$f" "$C/"
	done
	rm -rf "$C/tests/integration/__pycache__"
fi
g() { git -C "$C" -c user.name=t -c user.email=t@localhost "$@"; }
g -c init.defaultBranch=pristine init -q
g add -A
g commit -qm pristine

# changed N WHAT: the copy has N files changed since the last step (new ones included)
changed() {
	local n
	n=$(g status --porcelain --untracked-files=all | wc -l)
	assert_eq "$2: files touched" "$1" "$n"
	if [ "$n" != "$1" ]; then
		g status --porcelain --untracked-files=all | sed 's/^/  /'
	fi
}
# added FILE ADDED DELETED WHAT: FILE (tracked) gained ADDED lines and lost DELETED since the last step
added() {
	local got
	got=$(g diff --numstat -- "$1" | awk '{ print $1 "+" $2 "-" }')
	assert_eq "$4: lines added/removed in $1" "$2+$3-" "${got:-0+0-}"
}
step() { # commit the step, so the next one is counted on its own
	g add -A
	g commit -qm "$1"
}

# py_edit FILE MODE ANCHOR TEXT: insert TEXT (lines) before or after (MODE) the first line equal to
# ANCHOR once leading/trailing blanks are stripped, or matching it as a regular expression (MODE
# before-re / after-re); fails when the anchor is not found, so a moved anchor cannot go unnoticed.
py_edit() {
	"$DBTLS_PYTHON" - "$@" <<'EOF'
import re, sys
path, mode, anchor, text = sys.argv[1:5]
with open(path) as f:
    lines = f.read().split("\n")
for i, line in enumerate(lines):
    hit = re.search(anchor, line) if mode.endswith("-re") else line.strip() == anchor
    if hit:
        at = i if mode.startswith("before") else i + 1
        lines[at:at] = text.split("\n")
        break
else:
    sys.exit("py_edit: %s: anchor %r not found" % (path, anchor))
with open(path, "w") as f:
    f.write("\n".join(lines))
EOF
}
mk_line() { # the Makefile.am source line for FILE, after the line holding ANCHOR
	py_edit "$C/Makefile.am" after-re "$2" "	$1 \\"
}

# --- 1. a protocol: echo:// ---------------------------------------------------------------------
cat >"$C/src/wire/preamble/echo.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
/* echo.c — a throwaway protocol (tests/integration/test_extension_points.sh): the client sends a
 * banner request line, the server answers with one line, "+OK …" when TLS may follow. */
#include "src/wire/preamble/preamble.h"

#include <string.h>

static enum dbtls_err echo_start(struct dbtls_conn *c, const struct dbtls_preamble_target *t,
				 struct dbtls_server_info *out, struct dbtls_diag *d)
{
	static const char req[] = "ECHO STARTTLS\n";
	char line[256];
	size_t n = 0;
	enum dbtls_err err;

	(void)t;
	err = dbtls_conn_send(c, (const uint8_t *)req, sizeof(req) - 1, d);
	if (err)
		return err;
	for (;;) {
		uint8_t ch;

		err = dbtls_conn_recv_exact(c, &ch, 1, d);
		if (err)
			return err;
		if (ch == '\n')
			break;
		if (n + 1 >= sizeof(line))
			return dbtls_diag_set(d, DBTLS_ERR_PROTOCOL, "echo: banner line too long");
		line[n++] = (char)ch;
	}
	line[n] = 0;
	out->greeting_seen = true;
	if (strncmp(line, "+OK", 3) != 0)
		return dbtls_diag_set(d, DBTLS_ERR_NO_TLS, "echo: the server refuses TLS");
	out->tls_offered = true;
	return DBTLS_OK;
}

const struct dbtls_preamble dbtls_preamble_echo = {
    .scheme = "echo",
    .default_port = 7,
    .supports = 0,
    .alpn = NULL,
    .product = NULL,
    .start = echo_start,
    .error_packet = NULL,
    .help = "throwaway test protocol: a banner line each way, then the ClientHello",
};
EOF
py_edit "$C/src/wire/preamble/preamble.c" before-re '^\s*X\(tls\)' \
	"	X(echo)                                                                                    \\"
mk_line src/wire/preamble/echo.c 'src/wire/preamble/tls\.c'
changed 3 "protocol (echo.c, preamble.c, Makefile.am)"
added src/wire/preamble/preamble.c 1 0 "protocol (one X() registry line)"
added Makefile.am 1 0 "protocol"
step protocol

# --- 2. a check family with one check: demo.always ----------------------------------------------
cat >"$C/checks/check_demo.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
/* check_demo.c — a throwaway check family (tests/integration/test_extension_points.sh). */
#include "checks/check.h"

static const char *const demo_refs[] = {"test_extension_points.sh", NULL};

static void demo_always(const struct dbtls_check *self, const struct dbtls_endpoint_facts *f,
			const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	dbtls_findings_add(out, self, ctx, -1, "demo evidence", self->fix, "Demo finding (%s)",
			   f->protocol ? f->protocol : "?");
}

static const struct dbtls_check chk_demo_always = {
    .id = "demo.always",
    .title = "Demo check that always finds something",
    .description = "A throwaway check that proves a new family is one file and one line.",
    .fix = "Nothing to fix: this check exists only in a test build.",
    .default_severity = DBTLS_SEV_INFO,
    .references = demo_refs,
    .eval = demo_always,
};

const struct dbtls_check *const dbtls_checks_demo[] = {&chk_demo_always, NULL};
EOF
py_edit "$C/checks/check.h" before-re '^\s*X\(sql, 0\)' \
	"	X(demo, 0)                                                                                 \\"
mk_line checks/check_demo.c 'checks/check_sql\.c'
changed 3 "check family (check_demo.c, check.h, Makefile.am)"
added checks/check.h 1 0 "check family (one X line)"
added Makefile.am 1 0 "check family"
step check

# --- 3. a report writer: --format demo ----------------------------------------------------------
cat >"$C/reports/report_demo.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
/* report_demo.c — a throwaway report format (tests/integration/test_extension_points.sh). */
#include "reports/report.h"

static enum dbtls_err demo_begin(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	(void)s; /* a streamed run has no endpoints at begin */
	fprintf(ctx->out, "DEMO REPORT\n");
	return ferror(ctx->out) ? DBTLS_ERR_FILE : DBTLS_OK;
}

static enum dbtls_err demo_endpoint(struct dbtls_report_ctx *ctx,
				    const struct dbtls_endpoint_facts *e)
{
	fprintf(ctx->out, "demo endpoint %s:%u protocol %s\n", e->host ? e->host : "?",
		(unsigned)e->port, e->protocol ? e->protocol : "?");
	return ferror(ctx->out) ? DBTLS_ERR_FILE : DBTLS_OK;
}

static enum dbtls_err demo_end(struct dbtls_report_ctx *ctx, const struct dbtls_scan_facts *s)
{
	(void)s;
	fprintf(ctx->out, "DEMO END\n");
	return ferror(ctx->out) ? DBTLS_ERR_FILE : DBTLS_OK;
}

const struct dbtls_report_writer dbtls_report_demo = {
    .name = "demo",
    .extension = ".demo",
    .begin = demo_begin,
    .endpoint = demo_endpoint,
    .end = demo_end,
    .help = "throwaway test format: one line per endpoint",
};
EOF
py_edit "$C/reports/reports.c" before-re '^\s*X\(prom\)' \
	"	X(demo)                                                                                    \\"
mk_line reports/report_demo.c 'reports/report_prom\.c'
changed 3 "report writer (report_demo.c, reports.c, Makefile.am)"
added reports/reports.c 1 0 "report writer (one X line, which declares it too)"
added Makefile.am 1 0 "report writer"
step writer

# --- 4. a fix-text product: demo (server.product "DemoDB") ---------------------------------------
cat >"$C/checks/remedy/demo.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
/* demo.c — throwaway fix texts for "DemoDB" (tests/integration/test_extension_points.sh): only
 * the versions text is its own; every other text falls back to generic. */
#include <string.h>

#include "checks/remedy/remedy.h"

static bool de_matches(const struct dbtls_endpoint_facts *f)
{
	return f->server.product && strcmp(f->server.product, "DemoDB") == 0;
}

static char *de_versions(const struct dbtls_endpoint_facts *f, const char *list,
			 const char *min_name)
{
	(void)f;
	return dbtls_remedy_printf("In demo.conf: demo_tls_versions = %s (lowest %s).", list,
				   min_name);
}

const struct dbtls_remedy_product dbtls_remedy_demo = {
    .name = "demo",
    .matches = de_matches,
    .versions = de_versions,
};
EOF
py_edit "$C/checks/remedy/remedy.h" before-re '^\s*X\(mariadb\)' \
	"	X(demo)                                                                                    \\"
mk_line checks/remedy/demo.c 'checks/remedy/generic\.c'
changed 3 "fix-text product (demo.c, remedy.h, Makefile.am)"
added checks/remedy/remedy.h 1 0 "fix-text product (one X line)"
added Makefile.am 1 0 "fix-text product"
step remedy

# --- 5. a kind of subject: demo (the real file kind exists: DBTLS_SUBJECT_FILE) ------------
# The documented touches (check.h): its facts struct, an enum value and a callback member, one
# row of the table in checks.c; plus its checks (a family: file + X line + Makefile.am). A facts
# struct that owns memory is also freed in facts.c.
py_edit "$C/src/facts/facts.h" before "struct dbtls_scan_facts {" \
	"/* A local file audited (throwaway kind of subject). */
struct dbtls_demo_facts {
	char *path;
	unsigned mode;
};
"
py_edit "$C/src/facts/facts.h" after-re '^\s*size_t nendpoints;' \
	"	struct dbtls_demo_facts *demos;
	size_t ndemos;"
py_edit "$C/src/facts/facts.c" after "free(s->endpoints);" \
	"	for (size_t i = 0; i < s->ndemos; i++)
		free(s->demos[i].path);
	free(s->demos);"
py_edit "$C/checks/check.h" after-re '^\s*DBTLS_SUBJECT_ENDPOINT = 0,' \
	"	DBTLS_SUBJECT_DEMO = 2, /* struct dbtls_demo_facts: a throwaway subject */"
py_edit "$C/checks/check.h" after-re 'const struct dbtls_check_ctx \*ctx, struct dbtls_findings \*out\);$' \
	"		/* DBTLS_SUBJECT_DEMO */
		void (*eval_demo)(const struct dbtls_check *self, const struct dbtls_demo_facts *f,
				  const struct dbtls_check_ctx *ctx, struct dbtls_findings *out);"
py_edit "$C/checks/check.h" before-re '^\s*X\(sql, 0\)' \
	"	X(demos, 0)                                                                                \\"
py_edit "$C/checks/checks.c" before "static const struct dbtls_subject_kind_info subject_kinds[] = {" \
	"static size_t sk_demo_count(const struct dbtls_scan_facts *s)
{
	return s->ndemos;
}

static const void *sk_demo_at(const struct dbtls_scan_facts *s, size_t i)
{
	return &s->demos[i];
}

static char *sk_demo_id(const void *facts)
{
	const struct dbtls_demo_facts *f = facts;
	char *id = NULL;

	return asprintf(&id, \"file://%s\", f->path ? f->path : \"\") < 0 ? NULL : id;
}

static bool sk_demo_waived(const char *as_given, const char *canonical, const void *facts,
			   const char *id)
{
	(void)facts;
	return id && ((as_given && !strcmp(as_given, id)) || (canonical && !strcmp(canonical, id)));
}

static bool sk_demo_gathered(const void *facts)
{
	return ((const struct dbtls_demo_facts *)facts)->path != NULL;
}

static void sk_demo_call(const struct dbtls_check *c, const void *facts,
			 const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	c->eval_demo(c, facts, ctx, out);
}
"
py_edit "$C/checks/checks.c" after-re '^\s*\.missing = sk_endpoint_missing,' \
	"    },
    {
	.kind = DBTLS_SUBJECT_DEMO,
	.name = \"demo\",
	.count = sk_demo_count,
	.at = sk_demo_at,
	.id = sk_demo_id,
	.waiver_matches = sk_demo_waived,
	.gathered = sk_demo_gathered,
	.call = sk_demo_call,"
cat >"$C/checks/check_demos.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
/* check_demos.c — throwaway checks of local files (tests/integration/test_extension_points.sh). */
#include "checks/check.h"

#include <stdio.h>

static const char *const file_refs[] = {"test_extension_points.sh", NULL};

static void file_world_readable(const struct dbtls_check *self, const struct dbtls_demo_facts *f,
				const struct dbtls_check_ctx *ctx, struct dbtls_findings *out)
{
	char ev[300];

	if (!(f->mode & 04))
		return;
	snprintf(ev, sizeof(ev), "%s has mode %04o", f->path ? f->path : "?", f->mode);
	dbtls_findings_add(out, self, ctx, -1, ev, self->fix, "World-readable file %s",
			   f->path ? f->path : "?");
}

static const struct dbtls_check chk_world_readable = {
    .id = "demo.world-readable",
    .title = "A key or configuration file is world-readable",
    .description = "A throwaway check of a local file subject.",
    .fix = "chmod o-r the file.",
    .default_severity = DBTLS_SEV_HIGH,
    .references = file_refs,
    .subject = DBTLS_SUBJECT_DEMO,
    .eval_demo = file_world_readable,
};

const struct dbtls_check *const dbtls_checks_demos[] = {&chk_world_readable, NULL};
EOF
mk_line checks/check_demos.c 'checks/check_sql\.c'
changed 6 "kind of subject (facts.h, facts.c, check.h, checks.c, check_demos.c, Makefile.am)"
added Makefile.am 1 0 "kind of subject"
step subject

# --- 6. a report field: endpoints[].demo_field --------------------------------------------------
py_edit "$C/src/facts/facts.h" after-re '^\s*double duration_s;$' "	int demo_field; /* throwaway report field */"
py_edit "$C/reports/json/fields.c" after-re '\{\.name = "duration_ms",' \
	"    {INT(\"demo_field\", demo_field, 0, 0, 1000000), .desc = \"throwaway test field\"},"
changed 2 "report field, by hand (facts.h member, fields.c row)"
added src/facts/facts.h 1 0 "report field (one struct member)"
added reports/json/fields.c 1 0 "report field (one table row)"
# (committed after `make schema` below, which regenerates the third file)

# --- build the copy once ------------------------------------------------------------------------
# make in the copy, free of the make check that may be running this test (its jobserver, -k …)
cmake_() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$B" "$@"; }
echo "building the copy in $B"
if ! (cd "$C" && autoreconf -fi) >"$T/autoreconf.log" 2>&1; then
	tail -n 30 "$T/autoreconf.log"
	assert_eq "autoreconf of the copy" 0 1
	finish
fi
if ! (cd "$B" && "$C/configure" -q CFLAGS='-O0 -g0') >"$T/configure.log" 2>&1; then
	tail -n 30 "$T/configure.log"
	assert_eq "configure of the copy" 0 1
	finish
fi
if ! cmake_ -s -j2 dbtls tests/unit/test_schema tests/unit/test_report_formats \
	tests/unit/test_report_read >"$T/make.log" 2>&1; then
	grep -E 'error|Error' "$T/make.log" | head -n 30
	assert_eq "build of the copy" 0 1
	finish
fi
D="$B/dbtls"

# --- the report field: the schema is stale until `make schema` ------------------------------------
rc=0
DBTLS_SRCDIR="$C" "$B/tests/unit/test_schema" >"$T/schema-stale.log" 2>&1 || rc=$?
assert_eq "report field: test_schema fails while data/report.schema.json is stale" 1 $((rc != 0))
cmake_ -s schema >"$T/make-schema.log" 2>&1 || cat "$T/make-schema.log"
assert_ok "report field: test_schema passes after make schema" \
	env DBTLS_SRCDIR="$C" "$B/tests/unit/test_schema"
# A field every report has changes the golden reports: test_report_formats says so until they are
# rewritten (DBTLS_UPDATE_GOLDEN=1); the round-trip fixture's coverage test is content with the
# default 0 the fixture now writes.
rc=0
DBTLS_SRCDIR="$C" "$B/tests/unit/test_report_formats" >"$T/golden-stale.log" 2>&1 || rc=$?
assert_eq "report field: test_report_formats fails while the golden reports lack it" 1 $((rc != 0))
DBTLS_UPDATE_GOLDEN=1 DBTLS_SRCDIR="$C" "$B/tests/unit/test_report_formats" >/dev/null 2>&1 || true
assert_ok "report field: test_report_formats passes with the golden files rewritten" \
	env DBTLS_SRCDIR="$C" "$B/tests/unit/test_report_formats"
assert_ok "report field: test_report_read (round trip, every row covered) passes" \
	env DBTLS_SRCDIR="$C" "$B/tests/unit/test_report_read"
assert_eq "report field: the files it changed" \
	"data/report.schema.json reports/json/fields.c src/facts/facts.h tests/golden/report.json" \
	"$(g status --porcelain --untracked-files=all | awk '{ print $2 }' | sort | tr '\n' ' ' | sed 's/ $//')"
step field

# --- protocol: help, target parsing, a scan --------------------------------------------------------
help=$("$D" help 2>&1)
assert_match "protocol: dbtls help lists echo" $'\n  echo +throwaway test protocol' "$help"
assert_match "writer: dbtls help lists demo" $'\n  demo +\\.demo +throwaway test format' "$help"
assert_match "protocol: a bad target still names echo among the known schemes" \
	'known:.*echo' "$("$D" scan nosuch://127.0.0.1 2>&1 || true)"

# The scripted echo:// server answers the banner line, then relays the TLS bytes to openssl s_server
# (the test PKI's server chain), so the scan behind the new preamble is a real one.
start_tls_server tlsback server-chain.pem server.key >/dev/null
cat >"$T/echo_server.py" <<'EOF'
# A scripted echo:// server: reads "ECHO STARTTLS", answers "+OK ready for TLS", then relays the
# connection to 127.0.0.1:argv[2] (a TLS server). Writes its port to argv[1].
import os, socket, socketserver, sys, threading

BACKEND = int(sys.argv[2])

def pipe(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

class H(socketserver.StreamRequestHandler):
    def handle(self):
        self.connection.settimeout(15)
        if self.rfile.readline(256) != b"ECHO STARTTLS\n":
            return
        self.wfile.write(b"+OK ready for TLS\n")
        self.wfile.flush()
        with open(sys.argv[1] + ".log", "a") as log:
            log.write("banner answered\n")
        back = socket.create_connection(("127.0.0.1", BACKEND), timeout=15)
        t = threading.Thread(target=pipe, args=(back, self.connection), daemon=True)
        t.start()
        pipe(self.connection, back)
        t.join(15)
        back.close()

class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

srv = S(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
EOF
"$DBTLS_PYTHON" "$T/echo_server.py" "$T/echo.port" "$TLSBACK_PORT" </dev/null >"$T/echo_server.log" 2>&1 &
echo_pid=$!
dbtls_at_exit "kill $echo_pid 2>/dev/null"
for ((i = 0; i < 100; i++)); do
	[ -s "$T/echo.port" ] && break
	sleep 0.05
done
port=$(cat "$T/echo.port" 2>/dev/null || echo 0)
assert_match "protocol: the scripted server listens" '^[0-9]+$' "$port"
rc=0
"$D" scan "echo://127.0.0.1:$port" --ca-file "$DBTLS_PKI/ca-bundle.pem" --timeout 10 \
	--policy none -q -o "$T/echo.json" >"$T/echo-scan.log" 2>&1 || rc=$?
assert_eq "protocol: the scan of echo:// succeeded" 0 "$rc"
assert_match "protocol: the server saw the banner request" 'banner answered' \
	"$(cat "$T/echo.port.log" 2>/dev/null)"
if [ -f "$T/echo.json" ]; then
	assert_eq "protocol: the report records protocol echo" echo \
		"$(py_json "$T/echo.json" 'd["endpoints"][0]["protocol"]')"
	assert_eq "protocol: no endpoint errors" "[]" \
		"$(py_json "$T/echo.json" 'd["endpoints"][0]["errors"]')"
	assert_eq "protocol: TLS 1.3 accepted behind the banner" accepted \
		"$(py_json "$T/echo.json" 'd["endpoints"][0]["tls"]["versions"]["TLSv1.3"]["status"]')"
	assert_eq "protocol: the chain was collected" true \
		"$(py_json "$T/echo.json" 'len(d["endpoints"][0]["certificates"]) > 0')"
	assert_ok "protocol: the echo report validates against the copy's schema" \
		validate_report "$T/echo.json" "$C/data/report.schema.json"
else
	cat "$T/echo-scan.log"
	assert_eq "protocol: the scan wrote a report" yes no
fi

# --- a saved report to judge: the golden report's first endpoint (facts only) ---------------------
"$DBTLS_PYTHON" - "$C/tests/golden/report.json" "$T/facts.json" "$T/facts-demodb.json" \
	"$T/facts-field.json" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
d["endpoints"] = d["endpoints"][:1]
for k in ("policy", "summary"):
    d.pop(k, None)
e = d["endpoints"][0]
e.pop("findings", None)
e.pop("demo_field", None)
for path, edit in ((sys.argv[2], None), (sys.argv[3], "product"), (sys.argv[4], "field")):
    if edit == "product":
        e["server"]["product"] = "DemoDB"
    if edit == "field":
        e["demo_field"] = 42
    with open(path, "w") as f:
        json.dump(d, f, indent=2)
EOF

# findings FILE: "check<TAB>remediation" per finding of the first endpoint
findings() {
	py_json "$1" '"\n".join(f["check"] + "\t" + f["remediation"].replace("\n", " ") for f in d["endpoints"][0].get("findings", []))'
}

# --- check: explain and a policy that enables it -----------------------------------------------
assert_match "check: dbtls explain demo.always" 'Demo check that always finds' \
	"$("$D" explain demo.always 2>&1 || true)"
cat >"$T/demo-policy.json" <<'EOF'
{"name": "demo", "version": "1", "title": "baseline plus demo.always", "extends": "baseline",
 "checks": {"demo.always": "low"}}
EOF
"$D" check --facts "$T/facts.json" --policy baseline -q -o "$T/baseline.json" >/dev/null 2>&1 || true
"$D" check --facts "$T/facts.json" --policy "$T/demo-policy.json" -q -o "$T/demo.json" \
	>"$T/demo-check.log" 2>&1 || true
assert_eq "check: not found under baseline alone" 0 \
	"$(findings "$T/baseline.json" | grep -c '^demo\.always' || true)"
assert_eq "check: found under the policy enabling it" 1 \
	"$(findings "$T/demo.json" | grep -c '^demo\.always' || true)"
assert_eq "check: at the policy's severity" low \
	"$(py_json "$T/demo.json" '[f["severity"] for f in d["endpoints"][0]["findings"] if f["check"] == "demo.always"][0]')"

# --- writer: -o x.demo ----------------------------------------------------------------------
"$D" check --facts "$T/facts.json" --policy none -q -o "$T/x.demo" >/dev/null 2>&1 || true
assert_eq "writer: -o x.demo writes the demo format" \
	"DEMO REPORT|demo endpoint db1.example:3306 protocol mysql|DEMO END" \
	"$(tr '\n' '|' <"$T/x.demo" 2>/dev/null | sed 's/|$//')"

# --- fix-text product: picked for DemoDB only -------------------------------------------------
"$D" check --facts "$T/facts-demodb.json" --policy baseline -q -o "$T/demodb.json" \
	>/dev/null 2>&1 || true
assert_match "fix texts: DemoDB's versions text for protocol.tls10-enabled" \
	$'(^|\n)protocol\\.tls10-enabled\tIn demo\\.conf: demo_tls_versions = TLSv1\\.2,TLSv1\\.3' \
	"$(findings "$T/demodb.json")"
assert_match "fix texts: DemoDB's other texts fall back to generic (no my.cnf)" \
	$'(^|\n)suites\\.3des\tRestrict the TLS terminator' "$(findings "$T/demodb.json")"
assert_eq "fix texts: a MariaDB endpoint does not get them" 0 \
	"$(findings "$T/baseline.json" | grep -c demo_tls_versions || true)"

# --- report field: write -> read -> write --------------------------------------------------------
"$D" check --facts "$T/facts-field.json" --policy none -q -o "$T/rt1.json" >/dev/null 2>&1 || true
"$D" check --facts "$T/rt1.json" --policy none -q -o "$T/rt2.json" >/dev/null 2>&1 || true
assert_eq "report field: read and written again" 42 \
	"$(py_json "$T/rt1.json" 'd["endpoints"][0].get("demo_field")' 2>/dev/null || echo missing)"
assert_eq "report field: a second round trip keeps it" 42 \
	"$(py_json "$T/rt2.json" 'd["endpoints"][0].get("demo_field")' 2>/dev/null || echo missing)"
assert_ok "report field: the round-tripped report validates against the new schema" \
	validate_report "$T/rt2.json" "$C/data/report.schema.json"
"$DBTLS_PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["endpoints"][0]["demo_field"] = "x"
json.dump(d, open(sys.argv[2], "w"))' "$T/rt2.json" "$T/bad-field.json"
rc=0
"$D" check --facts "$T/bad-field.json" --policy none -q -o "$T/bad.json" >"$T/bad.log" 2>&1 || rc=$?
assert_eq "report field: the reader checks its type (exit 2)" 2 "$rc"
assert_match "report field: ... and names the key" 'endpoints\[0\]\.demo_field: expected an integer' \
	"$(cat "$T/bad.log")"

# --- kind of subject: a scan holding file subjects, evaluated ------------------------------------
cat >"$T/subject.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/check.h"
#include "checks/policy/policy.h"

int main(int argc, char **argv)
{
	struct dbtls_demo_facts *files = calloc(2, sizeof(*files));
	struct dbtls_scan_facts s = {.demos = files, .ndemos = 2};
	struct dbtls_policy p;
	struct dbtls_diag d = {{0}};
	struct dbtls_evaluation ev;

	if (argc < 2 || !files)
		return 2;
	files[0].mode = 0644;
	files[1].mode = 0600;
	files[0].path = strdup("/etc/demo/key.pem");
	files[1].path = strdup("/etc/demo/ok.pem");
	if (dbtls_policy_load(argv[1], &p, &d)) {
		fprintf(stderr, "policy: %s\n", d.msg);
		return 2;
	}
	if (dbtls_evaluate(&p, NULL, &s, DBTLS_SEV_HIGH, time(NULL), &ev))
		return 2;
	printf("subjects %zu failed %zu passed %zu\n", ev.nsubjects, ev.failed, ev.passed);
	for (size_t i = 0; i < ev.nsubjects; i++) {
		const struct dbtls_subject_kind_info *k = dbtls_subject_kind_find(ev.subjects[i].kind);
		printf("%s %s:", k ? k->name : "?", ev.subjects[i].id);
		for (size_t j = 0; j < ev.findings[i].n; j++)
			printf(" %s/%s", ev.findings[i].items[j].check,
			       dbtls_severity_name(ev.findings[i].items[j].severity));
		printf("\n");
	}
	dbtls_evaluation_free(&ev);
	dbtls_policy_free(&p);
	dbtls_scan_facts_free(&s);
	return 0;
}
EOF
cat >"$T/file-policy.json" <<'EOF'
{"name": "files", "version": "1", "title": "baseline plus demo.world-readable",
 "extends": "baseline", "checks": {"demo.world-readable": "high"}}
EOF
mkvar() { sed -n "s/^$1 = //p" "$B/Makefile"; }
# shellcheck disable=SC2046 # the flags are word lists
if cc -std=c11 -D_GNU_SOURCE -I"$C" -I"$B" $(mkvar OPENSSL_CFLAGS) $(mkvar JANSSON_CFLAGS) \
	-o "$T/subject" "$T/subject.c" "$B/libdbtls.a" $(mkvar OPENSSL_LIBS) $(mkvar JANSSON_LIBS) \
	$(mkvar MARIADB_LIBS) $(mkvar LIBS) -pthread >"$T/subject-cc.log" 2>&1; then
	out=$("$T/subject" "$T/file-policy.json" 2>&1) || true
	assert_eq "kind of subject: file subjects judged, findings on their subject" \
		"subjects 2 failed 1 passed 1|demo file:///etc/demo/key.pem: demo.world-readable/high|demo file:///etc/demo/ok.pem:" \
		"$(tr '\n' '|' <<<"$out" | sed 's/|$//')"
	out=$("$T/subject" baseline 2>&1) || true
	assert_match "kind of subject: not enabled under baseline alone" \
		'^subjects 2 failed 0 passed 2' "$out"
else
	cat "$T/subject-cc.log"
	assert_eq "kind of subject: the test program builds against the copy" 0 1
fi
"$D" explain demo.world-readable >"$T/explain-file.txt" 2>&1 || true
assert_match "kind of subject: dbtls explain knows its check" 'world-readable' \
	"$(cat "$T/explain-file.txt")"

finish
