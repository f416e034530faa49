#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_servers.sh: the test servers of lib_servers.sh start, answer as their configuration says,
# and stop cleanly — PostgreSQL 15 (permissive, strict with a server cipher order, ssl=off, a
# plaintext client held open, host/hostssl rules in pg_hba.conf), Prosody and ejabberd (STARTTLS
# required and optional, direct TLS, s2s), redis-server with TLS only, and the Node.js ALPN
# servers (pg17, ignore, select). Every answer is checked with a real client (psql, redis-cli)
# or `openssl s_client`, the ground truth later tests compare dbtls against; nothing of dbtls is
# exercised yet. Servers are stopped as soon as they are checked, to keep the machine light.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"
require_postgres
require_prosody
require_ejabberd
require_redis
require_node

t0=$SECONDS
lap() { echo "  [$((SECONDS - t0)) s] $*"; }
# stopped NAME PID: srv_stop NAME ends the process
stopped() {
	local rc=0
	srv_stop "$1" || rc=$?
	assert_eq "$1: srv_stop succeeds" 0 "$rc"
	assert_fails "$1: process $2 is gone after srv_stop" _dbtls_alive "$2"
}
lines() { paste -sd ' ' -; }

# --- PostgreSQL -----------------------------------------------------------------------------------
pg_start_permissive PGPERM
pg_start_strict PGSTRICT
pg_start_notls PGNOTLS
lap "3 PostgreSQL servers up"

assert_eq "permissive: SSLRequest answered 'S'" 53 "$(pg_ssl_answer "$PGPERM_PORT")"
assert_eq "ssl=off: SSLRequest answered 'N'" 4e "$(pg_ssl_answer "$PGNOTLS_PORT")"
assert_match "permissive: psql verify-full gets TLS" $'^t\tTLSv1\\.3\t' "$(pg_psql_tls PGPERM)"
assert_match "strict: psql verify-full gets TLS" $'^t\tTLSv1\\.3\t' "$(pg_psql_tls PGSTRICT)"
assert_fails "ssl=off: psql verify-full fails" pg_psql_tls PGNOTLS
assert_eq "permissive: s_client -starttls postgres versions" "TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3" \
	"$(truth_versions "$PGPERM_PORT" postgres | lines)"
assert_eq "strict: s_client -starttls postgres versions" "TLSv1.2 TLSv1.3" \
	"$(truth_versions "$PGSTRICT_PORT" postgres | lines)"
assert_eq "ssl=off: no version" "" "$(truth_versions "$PGNOTLS_PORT" postgres | lines)"
assert_eq "permissive: ssl_min_protocol_version" TLSv1 \
	"$(pg_sql PGPERM 'SHOW ssl_min_protocol_version')"

# one s_client per suite, the way later tests get the truth (TLS 1.2 and 1.3 of the strict one)
want=$(tr ':' '\n' <<<"$DBTLS_PG_STRICT_CIPHERS" | sed 's/^/TLSv1.2 /'
	printf 'TLSv1.3 %s\n' TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256)
assert_eq "strict: accepted suites, one s_client each" "$(LC_ALL=C sort <<<"$want" | lines)" \
	"$(truth_suites "$PGSTRICT_PORT" postgres tls1_2 tls1_3 | lines)"
lap "suite truth of the strict server"
# ssl_prefer_server_ciphers=on: offered last, the server's first suite still wins
assert_eq "strict: the server's order wins" "TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305" \
	"$(truth_handshake "$PGSTRICT_PORT" postgres -tls1_2 \
		-cipher ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305)"

pg_hold_plain PGPERM
assert_eq "permissive: the held client is on TCP without TLS" $'f\t127.0.0.1' \
	"$(pg_sql PGPERM "SELECT s.ssl, host(a.client_addr) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'dbtls-plain-client'")"
assert_eq "pg_hba.conf: host and hostssl rules, no errors" "host hostnossl hostssl 0" \
	"$(pg_sql PGPERM "SELECT string_agg(DISTINCT type, ' ' ORDER BY type) FILTER (WHERE type <> 'local'), count(error) FROM pg_hba_file_rules" | tr '\t' ' ')"
stopped PGPERM "$PGPERM_PID"
assert_fails "permissive: the held client is gone with the server" _dbtls_alive "$PGPERM_PLAIN_PID"
stopped PGSTRICT "$PGSTRICT_PID"
stopped PGNOTLS "$PGNOTLS_PID"
lap "PostgreSQL done"

# --- XMPP -----------------------------------------------------------------------------------------
NS_TLS="<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'"
# xmpp_check NAME PORT required|optional
xmpp_check() {
	local out
	out=$(XMPP_STARTTLS=1 xmpp_greeting "$2") || true
	assert_match "$1: the features offer STARTTLS" "$NS_TLS" "$out"
	if [ "$3" = required ]; then
		assert_match "$1: STARTTLS is required" "$NS_TLS><required/>" "$out"
	else
		assert_fails "$1: STARTTLS is not required" grep -q "<required/>" <<<"$out"
	fi
	assert_match "$1: <starttls/> is answered <proceed/>" "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" \
		"$out"
	assert_eq "$1: s_client -starttls xmpp versions" "TLSv1.2 TLSv1.3" \
		"$(truth_versions "$2" xmpp | lines)"
}
prosody_start PROSREQ required
prosody_start PROSOPT optional
lap "2 Prosody servers up"
xmpp_check "prosody required" "$PROSREQ_PORT" required
xmpp_check "prosody optional" "$PROSOPT_PORT" optional
assert_eq "prosody: direct TLS versions" "TLSv1.2 TLSv1.3" \
	"$(truth_versions "$PROSREQ_TLS_PORT" tls | lines)"
assert_eq "prosody: s2s STARTTLS versions" "TLSv1.2 TLSv1.3" \
	"$(truth_versions "$PROSREQ_S2S_PORT" xmpp-server | lines)"
assert_match "prosody: an unknown domain is a stream error" "<host-unknown" \
	"$(xmpp_greeting "$PROSREQ_PORT" nosuch.example || true)"
stopped PROSREQ "$PROSREQ_PID"
stopped PROSOPT "$PROSOPT_PID"

ejabberd_start EJ
lap "ejabberd up"
xmpp_check "ejabberd required" "$EJ_PORT" required
xmpp_check "ejabberd optional" "$EJ_OPT_PORT" optional
assert_eq "ejabberd: direct TLS versions" "TLSv1.2 TLSv1.3" \
	"$(truth_versions "$EJ_TLS_PORT" tls | lines)"
assert_match "ejabberd: s2s offers STARTTLS" "$NS_TLS" \
	"$(xmpp_greeting "$EJ_S2S_PORT" localhost jabber:server || true)"
stopped EJ "$EJ_PID"
lap "XMPP done"

# --- Redis with TLS -------------------------------------------------------------------------------
redis_tls_start REDIS
assert_eq "redis: redis-cli --tls PING" PONG "$(redis_cli_tls REDIS PING)"
assert_eq "redis: direct TLS versions" "TLSv1.2 TLSv1.3" "$(truth_versions "$REDIS_PORT" tls | lines)"
stopped REDIS "$REDIS_PID"

# --- Node.js ALPN servers -------------------------------------------------------------------------
alpn_start ALPNPG pg17
alpn_start ALPNIGN ignore
alpn_start ALPNSEL select
lap "ALPN servers up"
assert_eq "pg17: ALPN postgresql selected" "selected postgresql" "$(truth_alpn "$ALPNPG_PORT" postgresql)"
assert_eq "pg17: postgresql among others selected" "selected postgresql" \
	"$(truth_alpn "$ALPNPG_PORT" http/1.1,postgresql)"
assert_eq "pg17: a list without postgresql is refused" refused "$(truth_alpn "$ALPNPG_PORT" h2)"
assert_eq "ignore: postgresql ignored" ignored "$(truth_alpn "$ALPNIGN_PORT" postgresql)"
assert_eq "select: the first offered is selected" "selected h2" \
	"$(truth_alpn "$ALPNSEL_PORT" h2,postgresql)"
# no ALPN at all: PostgreSQL 17 completes the handshake and hangs up (the log says so)
truth_handshake "$ALPNPG_PORT" tls >/dev/null
assert_ok "pg17: a handshake without ALPN is closed" _srv_poll 5 "$ALPNPG_PID" \
	grep -q 'closed (no ALPN)' "$ALPNPG_LOG"
assert_match "pg17: the refusal is no_application_protocol" "NO_APPLICATION_PROTOCOL" \
	"$(cat "$ALPNPG_LOG")"
stopped ALPNPG "$ALPNPG_PID"
stopped ALPNIGN "$ALPNIGN_PID"
stopped ALPNSEL "$ALPNSEL_PID"

lap "all done"
finish
