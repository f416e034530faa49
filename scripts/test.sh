#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test.sh: the README's second quick-start command, and all CI runs (.ci/run calls it).
#  1. installs missing Debian packages;
#  2. builds with AddressSanitizer + UBSan and -Werror, and runs `make check`: every cmocka unit
#     test and every integration test (each starts its own throwaway MariaDB / fake servers on
#     loopback, in temp dirs, and stops them); integration tests may not skip here;
#  3. builds without sanitizers, installs to a temp prefix, and runs the installed binary under
#     valgrind memcheck (tests/integration/valgrind_installed.sh);
#  4. builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 15);
#  5. prints "tests: N passed, M failed".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/deps.sh"
dbtls_install_deps "${DBTLS_BUILD_DEPS[@]}" "${DBTLS_TEST_DEPS[@]}"
jobs=$(nproc)

cd "$top"
autoreconf -fi >/dev/null 2>&1
rm -rf build-check build-fuzz build-install
mkdir -p build-check build-fuzz

echo "== house style: make format-check (.clang-format)"
(mkdir -p build-check && cd build-check && ../configure -q && make -s format-check) || {
	echo "format-check failed: run clang-format -i on the files it names"; exit 1; }

echo "== build (ASan+UBSan, -Werror) and make check"
rc=0
(cd build-check && ../configure -q --enable-sanitizers --enable-werror &&
	make -s -j"$jobs" && DBTLS_REQUIRE_INTEGRATION=1 make -s -j"$jobs" check) || rc=$?
log=build-check/test-suite.log
if [ -f "$log" ]; then
	grep -E '^(# )?(TOTAL|PASS|SKIP|FAIL|ERROR):' "$log" || true
	[ $rc -ne 0 ] && sed -n '/^FAIL:\|^ERROR:/,$p' "$log" | head -200
	pass=$(sed -n 's/^# PASS: *//p' "$log")
	fail=$(($(sed -n 's/^# FAIL: *//p' "$log") + $(sed -n 's/^# ERROR: *//p' "$log") + $(sed -n 's/^# SKIP: *//p' "$log")))
else
	pass=0
	fail=1
fi

echo "== the installed binary (no sanitizers) under valgrind"
vrc=0
(mkdir -p build-install && cd build-install && ../configure -q --prefix="$top/build-install/prefix" &&
	make -s -j"$jobs" && make -s install) >build-install.log 2>&1 || { vrc=$?; tail -30 build-install.log; }
[ $vrc -eq 0 ] && { DBTLS="$top/build-install/prefix/bin/dbtls" DBTLS_REQUIRE_INTEGRATION=1 \
	bash tests/integration/valgrind_installed.sh || vrc=$?; }
if [ $vrc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

echo "== fuzz targets (clang, libFuzzer), ${FUZZ_SECONDS:-15} s each"
frc=0
(cd build-fuzz && ../configure -q CC=clang --enable-fuzzing --enable-werror &&
	make -s -j"$jobs" fuzz-build &&
	make -s fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-15}") || frc=$?
if [ $frc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

echo "tests: $pass passed, $fail failed"
[ $rc -eq 0 ] && [ $frc -eq 0 ] && [ $vrc -eq 0 ]
