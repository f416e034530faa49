#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# deps.sh: installs the Debian packages dbtls builds and tests with, when any is missing
# (apt-get update first, as a fresh machine has no package lists). Sourced by demo.sh and test.sh.
# Needs root (or sudo) only when something is missing.

DBTLS_BUILD_DEPS=(build-essential autoconf automake pkg-config libssl-dev libjansson-dev
	libcmocka-dev libmariadb-dev libyaml-dev openssl)
# openjdk-17-jre-headless (test deps) brings keytool, which makes the JKS/JCEKS/PKCS#12 stores of test_audit_parse.sh
# chromium renders the HTML report (test_reports.sh); prometheus brings promtool, which checks the
# Prometheus textfile report
DBTLS_TEST_DEPS=(openjdk-17-jre-headless iproute2 valgrind clang-format mariadb-server mariadb-client python3 python3-jsonschema clang chromium prometheus)

dbtls_install_deps() { # PACKAGE...: install the ones that are not installed yet
	local missing=() p sudo=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	echo "deps: installing ${missing[*]}"
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
	# the package's own server must not keep running: tests start throwaway ones
	if [[ " ${missing[*]} " == *" mariadb-server "* ]]; then
		"${sudo[@]}" service mariadb stop >/dev/null 2>&1 || true
	fi
	# only promtool is wanted, not a Prometheus server listening on :9090
	if [[ " ${missing[*]} " == *" prometheus "* ]]; then
		"${sudo[@]}" service prometheus stop >/dev/null 2>&1 || true
	fi
}
