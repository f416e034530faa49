#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# screenshot.sh: the HTML report as a person sees it. Builds dbtls (no sanitizers) in build-bench/
# unless DBTLS names a binary, starts three throw-away MariaDB servers of the integration tests on
# 127.0.0.1 (the "compatibility" one with TLS 1.0-1.3 and every suite, the strict one, one without
# TLS), scans them into one report in every format, and has headless Chromium take screenshots of
# the HTML: the top of the page (summary) and the whole page. Also renders the golden HTML of the
# unit tests (tests/golden/report.html: hostile strings in every field) for a look at the escaping.
#
#   bench/screenshot.sh [OUTDIR]        # default build-bench/screenshot/
#
# Output: OUTDIR/report.{html,json,jsonl,prom,txt}, OUTDIR/report-top.png (1280x1400),
# OUTDIR/report-full.png (1280 wide, the whole page), OUTDIR/hostile.png. Open the PNGs, or the HTML
# in a browser. Nothing is sent anywhere but 127.0.0.1; Chromium runs with networking features off.
# The servers are gone when the script ends (lib.sh's trap).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${1:-$top/build-bench/screenshot}
say() { echo "screenshot: $*" >&2; }
die() { echo "screenshot: FAIL: $*" >&2; exit 1; }

. "$top/scripts/deps.sh"
dbtls_install_deps "${DBTLS_BUILD_DEPS[@]}" mariadb-server mariadb-client python3 chromium

if [ -z "${DBTLS:-}" ]; then
	[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || die "autoreconf failed"
	mkdir -p build-bench
	say "building dbtls in build-bench/"
	if ! (cd build-bench && { [ -f config.status ] || ../configure -q CFLAGS=-O2; } &&
		make -s -j2 dbtls) >build-bench/build.log 2>&1; then
		tail -n 30 build-bench/build.log >&2
		die "building dbtls failed (build-bench/build.log)"
	fi
	DBTLS=$top/build-bench/dbtls
fi

. "$top/tests/integration/lib.sh"
require_mariadb
mkdir -p "$out"
say "starting three MariaDB servers on 127.0.0.1"
start_compat SHOT_COMPAT
start_strict SHOT_STRICT
start_notls SHOT_NOTLS

rc=0
"$DBTLS" scan --ca-file "$DBTLS_PKI/ca-bundle.pem" -q \
	-o "$out/report.json" -o "$out/report.html" -o "$out/report.jsonl" -o "$out/report.prom" \
	-o "$out/report.txt" "mysql://localhost:$SHOT_COMPAT_PORT" "mysql://localhost:$SHOT_STRICT_PORT" \
	"mysql://127.0.0.1:$SHOT_NOTLS_PORT" || rc=$?
# 1: findings at or above high, which the compatibility server has; anything else is a failure
[ "$rc" -le 1 ] || die "dbtls scan exited $rc"

shoot() { # HTML PNG WIDTH,HEIGHT
	local prof
	prof=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-quic \
		--user-data-dir="$prof" --hide-scrollbars --window-size="$3" --screenshot="$2" \
		"file://$1" >/dev/null 2>&1 || die "chromium could not render $1"
	rm -rf "$prof"
	[ -s "$2" ] || die "no screenshot $2"
}

# the whole page: as tall as the document (Chromium's screenshot is the window)
height=$(($(wc -l <"$out/report.html") * 18 + 1400))
[ "$height" -le 16000 ] || height=16000
shoot "$out/report.html" "$out/report-top.png" 1280,1400
shoot "$out/report.html" "$out/report-full.png" "1280,$height"
shoot "$top/tests/golden/report.html" "$out/hostile.png" 1280,2400
say "wrote $out/report-top.png, report-full.png, hostile.png and the reports:"
ls -l "$out" >&2
