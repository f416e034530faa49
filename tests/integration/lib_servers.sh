#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# lib_servers.sh: throw-away PostgreSQL, XMPP (Prosody, ejabberd), Redis-with-TLS and Node.js
# direct-TLS/ALPN servers on 127.0.0.1 for integration tests, plus `openssl s_client` ground truth
# for their STARTTLS dialects. Source it after lib.sh:
#
#     . "$(dirname "$0")/lib.sh"
#     . "$(dirname "$0")/lib_servers.sh"
#
# Every server gets its own directory under $DBTLS_SRV_ROOT (a short mktemp directory in /tmp,
# not under $DBTLS_TEST_TMP: that one is 0700 and the servers run as an unprivileged user, since
# postgres refuses to run as root) on free loopback ports, with the test PKI of tests/pki/gen.sh.
# An exit hook (lib.sh's dbtls_at_exit) stops every server started here — politely first, then
# SIGKILL — and removes $DBTLS_SRV_ROOT (DBTLS_KEEP_TMP=1 keeps it), whether the test passes,
# fails or is interrupted. Stop one early with srv_stop NAME.
#
# As with lib.sh, call the *_start helpers directly (not in $(...)): they export variables
# (NAME_PORT, NAME_PID, NAME_DIR, NAME_LOG, …; NAME upper-cased) and remember the process.
#
# Overridable: PG_BINDIR (initdb, postgres, pg_isready), PROSODY, ERL, EJABBERD_LIBS (the
# ejabberd Erlang library directory), REDIS_SERVER, REDIS_CLI, NODE, DBTLS_SRV_USER (the
# unprivileged user servers run as when the test runs as root; default dbtls-test, created with
# useradd -r when missing).

DBTLS_SRV_USER=${DBTLS_SRV_USER:-dbtls-test}
DBTLS_XMPP_DOMAIN=${DBTLS_XMPP_DOMAIN:-localhost}
export DBTLS_XMPP_DOMAIN

declare -A _SRV_PID=()  # name -> pid
declare -A _SRV_SIG=()  # name -> the signal that asks it to stop cleanly
declare -A _SRV_DEPS=() # name -> pids that go with it (a held client), stopped first
_SRV_AS=()              # prefix that runs a command as the unprivileged user (empty: as we are)

DBTLS_SRV_ROOT=$(mktemp -d /tmp/dbtls-srv.XXXXXX)
chmod 711 "$DBTLS_SRV_ROOT"
export DBTLS_SRV_ROOT

_srv_exit() {
	local name
	for name in "${!_SRV_PID[@]}"; do
		srv_stop "$name" 2>/dev/null
	done
	if [ "${DBTLS_KEEP_TMP:-0}" = 1 ]; then
		echo "kept $DBTLS_SRV_ROOT" >&2
	else
		rm -rf "$DBTLS_SRV_ROOT"
	fi
}
dbtls_at_exit _srv_exit

# --- housekeeping ---------------------------------------------------------------------------------

# srv_user_ensure: set up _SRV_AS: as root, run servers as $DBTLS_SRV_USER (created if missing,
# a system user without login shell or home); as anyone else, as ourselves.
srv_user_ensure() {
	[ "$(id -u)" -eq 0 ] || {
		_SRV_AS=()
		return 0
	}
	[ ${#_SRV_AS[@]} -gt 0 ] && return 0
	if ! getent passwd "$DBTLS_SRV_USER" >/dev/null; then
		# another test may be creating it at the same moment
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$DBTLS_SRV_USER" 2>/dev/null ||
			getent passwd "$DBTLS_SRV_USER" >/dev/null || {
			echo "dbtls: cannot create user $DBTLS_SRV_USER" >&2
			return 1
		}
	fi
	# setpriv execs (su/runuser fork and wait), so the pid we keep is the server's own
	_SRV_AS=(setpriv "--reuid=$DBTLS_SRV_USER" "--regid=$DBTLS_SRV_USER" --init-groups)
}

# _srv_mkdir NAME: a fresh directory for server NAME, owned by the user it runs as; prints it.
_srv_mkdir() {
	local dir="$DBTLS_SRV_ROOT/$1"
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 755 "$dir"
	[ ${#_SRV_AS[@]} -eq 0 ] || chown "$DBTLS_SRV_USER:" "$dir"
	printf '%s\n' "$dir"
}

# _srv_own DIR FILE...: hand the files to the server's user (keys must be theirs and 0600).
_srv_own() {
	[ ${#_SRV_AS[@]} -eq 0 ] || chown -R "$DBTLS_SRV_USER:" "$@"
}

# _srv_pki DIR: copy the test certificate chain, key and CA bundle into DIR as cert.pem (leaf +
# intermediate), key.pem (0600), ca.pem, and certkey.pem (chain + key, for ejabberd).
_srv_pki() {
	local dir=$1
	pki_ensure || return 1
	cp "$DBTLS_PKI/server-chain.pem" "$dir/cert.pem"
	cp "$DBTLS_PKI/server.key" "$dir/key.pem"
	cp "$DBTLS_PKI/ca-bundle.pem" "$dir/ca.pem"
	cat "$DBTLS_PKI/server-chain.pem" "$DBTLS_PKI/server.key" >"$dir/certkey.pem"
	chmod 600 "$dir/key.pem" "$dir/certkey.pem"
	_srv_own "$dir/cert.pem" "$dir/key.pem" "$dir/ca.pem" "$dir/certkey.pem"
}

_srv_register() { # NAME PID SIGNAL
	_SRV_PID[$1]=$2
	_SRV_SIG[$1]=$3
}

# srv_stop NAME: stop server NAME (its clean-stop signal, SIGKILL after 10 s) and whatever was
# started with it (held clients).
srv_stop() {
	local name=$1 pid p
	pid=${_SRV_PID[$name]:-}
	if [ -z "$pid" ]; then
		echo "dbtls: srv_stop: no server '$name'" >&2
		return 1
	fi
	for p in ${_SRV_DEPS[$name]:-}; do
		kill -TERM "$p" 2>/dev/null
		_dbtls_reap "$p" 5
	done
	kill "-${_SRV_SIG[$name]}" "$pid" 2>/dev/null || true
	_dbtls_reap "$pid" 10
	unset "_SRV_PID[$name]" "_SRV_SIG[$name]" "_SRV_DEPS[$name]"
	return 0
}

# _srv_port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
_srv_port_open() {
	(: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _srv_poll SECONDS PID CMD...: run CMD every 50 ms until it succeeds (0), PID dies (1) or
# SECONDS pass (2). Polling, not sleeping: a loaded machine only makes it slower, not wrong.
_srv_poll() {
	local secs=$1 pid=$2 end
	shift 2
	end=$((SECONDS + secs))
	while [ "$SECONDS" -le "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		_dbtls_alive "$pid" || return 1
		sleep 0.05
	done
	return 2
}

# _srv_fail NAME LOG WHY: report a server that did not come up, stop it, return 1.
_srv_fail() {
	echo "dbtls: $1 $3; log:" >&2
	tail -n 25 "$2" >&2 2>/dev/null
	[ -n "${_SRV_PID[$1]:-}" ] && srv_stop "$1"
	return 1
}

# _srv_require WHAT CHECK: exit 77 (automake SKIP) when CHECK fails, or 1 with
# DBTLS_REQUIRE_INTEGRATION=1.
_srv_require() {
	"$2" && return 0
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		echo "FAIL: $1 not found and DBTLS_REQUIRE_INTEGRATION=1 (scripts/deps.sh installs it)" >&2
		exit 1
	fi
	echo "SKIP: $1 not found"
	exit 77
}

# --- PostgreSQL -----------------------------------------------------------------------------------

# have_postgres: initdb, postgres and pg_isready in $PG_BINDIR (default: Debian's newest
# /usr/lib/postgresql/N/bin).
have_postgres() {
	if [ -z "${PG_BINDIR:-}" ]; then
		PG_BINDIR=$(find /usr/lib/postgresql -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
	fi
	[ -n "$PG_BINDIR" ] && [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/postgres" ] &&
		[ -x "$PG_BINDIR/pg_isready" ] && command -v psql >/dev/null
}
require_postgres() { _srv_require "PostgreSQL (initdb, postgres, psql)" have_postgres; }

# The pg_hba.conf every server gets unless pg_start is given --hba=FILE: superuser over the socket;
# loopback with and without TLS (so a plaintext client can be held open); and network rules the
# introspection must classify: host (TLS optional) from 10/8, hostssl, hostssl with a client
# certificate (cert; clientcert=verify-ca), and a hostnossl reject.
DBTLS_PG_HBA='# TYPE    DATABASE USER     ADDRESS         METHOD
local     all      all                      trust
hostssl   all      all      127.0.0.1/32    trust
host      all      all      127.0.0.1/32    trust
host      all      all      ::1/128         trust
host      all      app      10.0.0.0/8      scram-sha-256
hostssl   all      all      0.0.0.0/0       scram-sha-256
hostssl   all      certuser 192.168.0.0/16  cert
hostssl   all      all      172.16.0.0/12   scram-sha-256 clientcert=verify-ca
hostnossl all      all      192.0.2.0/24    reject'

# One initdb per test run ($DBTLS_SRV_ROOT), copied for each server (~0.1 s instead of ~0.8 s).
_pg_template() {
	local t="$DBTLS_SRV_ROOT/pg-template"
	[ -e "$t/.complete" ] && return 0
	rm -rf "$t"
	mkdir -p "$t"
	chmod 755 "$t"
	_srv_own "$t"
	if ! "${_SRV_AS[@]}" "$PG_BINDIR/initdb" -D "$t/data" -U postgres --auth=trust -E UTF8 \
		--locale=C --no-sync --no-instructions >"$t/initdb.log" 2>&1; then
		echo "dbtls: initdb failed:" >&2
		tail -n 20 "$t/initdb.log" >&2
		return 1
	fi
	: >"$t/.complete"
}

# pg_start NAME [--hba=FILE] [name=value...]: start a throw-away PostgreSQL on a free 127.0.0.1
# port (superuser postgres, trust over the socket and loopback), with the given settings as -c
# options (--hba=FILE, anywhere among them: the pg_hba.conf to use instead of $DBTLS_PG_HBA).
# Waits (<= 30 s) until pg_isready says it accepts connections. Exports NAME_PORT,
# NAME_PID, NAME_DIR, NAME_SOCKDIR (its Unix socket directory), NAME_LOG. Settings ssl_cert_file,
# ssl_key_file and ssl_ca_file may name cert.pem, key.pem, ca.pem: the test PKI copied into the
# data directory (see pg_start_permissive).
pg_start() {
	local name=$1 var dir port pid hba='' rc opt
	shift
	var=$(_dbtls_varname "$name") || return 1
	[ -z "${_SRV_PID[$name]:-}" ] || {
		echo "dbtls: server '$name' is already running" >&2
		return 1
	}
	have_postgres || {
		echo "dbtls: PostgreSQL not found" >&2
		return 1
	}
	srv_user_ensure || return 1
	local settings=()
	for opt in "$@"; do
		case $opt in
		--hba=*) hba=${opt#--hba=} ;;
		*) settings+=(-c "$opt") ;;
		esac
	done
	_pg_template || return 1
	dir=$(_srv_mkdir "pg-$name")
	cp -a "$DBTLS_SRV_ROOT/pg-template/data" "$dir/data"
	if [ -n "$hba" ]; then cp "$hba" "$dir/data/pg_hba.conf"; else
		printf '%s\n' "$DBTLS_PG_HBA" >"$dir/data/pg_hba.conf"
	fi
	_srv_pki "$dir/data" || return 1 # relative file names in settings are the data dir's
	_srv_own "$dir/data/pg_hba.conf"
	for _ in 1 2 3; do # another process may take the port between free_port and the bind
		port=$(free_port)
		: >"$dir/postgres.log"
		_srv_own "$dir/postgres.log"
		(cd "$dir" && exec "${_SRV_AS[@]}" "$PG_BINDIR/postgres" -D "$dir/data" \
			-c listen_addresses=127.0.0.1 -c port="$port" -c unix_socket_directories="$dir" \
			-c logging_collector=off -c fsync=off -c shared_buffers=8MB -c max_connections=20 \
			-c log_connections=on "${settings[@]}") </dev/null >>"$dir/postgres.log" 2>&1 &
		pid=$!
		disown "$pid"
		_srv_register "$name" "$pid" INT
		rc=0
		_srv_poll 30 "$pid" "$PG_BINDIR/pg_isready" -q -h "$dir" -p "$port" -U postgres || rc=$?
		if [ "$rc" -eq 0 ]; then
			export "${var}_PORT=$port" "${var}_PID=$pid" "${var}_DIR=$dir" \
				"${var}_SOCKDIR=$dir" "${var}_LOG=$dir/postgres.log"
			return 0
		fi
		if [ "$rc" -eq 2 ]; then
			_srv_fail "$name" "$dir/postgres.log" "did not accept connections within 30 s"
			return 1
		fi
		unset "_SRV_PID[$name]" "_SRV_SIG[$name]"
		grep -q 'Address already in use' "$dir/postgres.log" || break
	done
	_srv_fail "$name" "$dir/postgres.log" "failed to start"
}

# pg_start_permissive NAME [name=value...]: ssl=on with the test PKI (leaf + intermediate, the CA
# for client certificates), TLS 1.0-1.3 and every suite OpenSSL has (ALL:@SECLEVEL=0).
pg_start_permissive() {
	local name=$1
	shift
	pg_start "$name" ssl=on ssl_cert_file=cert.pem ssl_key_file=key.pem ssl_ca_file=ca.pem \
		ssl_min_protocol_version=TLSv1 "ssl_ciphers=ALL:@SECLEVEL=0" "$@"
}

# The strict server's suites, in the order it enforces (ssl_prefer_server_ciphers=on): not the
# order a client offers by default, so "server order" is observable.
DBTLS_PG_STRICT_CIPHERS='ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256'

# pg_start_strict NAME [name=value...]: ssl=on, TLS 1.2+, three ECDHE-RSA AEAD suites in the
# server's own order ($DBTLS_PG_STRICT_CIPHERS) with ssl_prefer_server_ciphers=on.
pg_start_strict() {
	local name=$1
	shift
	pg_start "$name" ssl=on ssl_cert_file=cert.pem ssl_key_file=key.pem ssl_ca_file=ca.pem \
		ssl_min_protocol_version=TLSv1.2 "ssl_ciphers=$DBTLS_PG_STRICT_CIPHERS" \
		ssl_prefer_server_ciphers=on "$@"
}

# pg_start_notls NAME [name=value...]: ssl=off (the SSLRequest is answered 'N').
pg_start_notls() {
	local name=$1
	shift
	pg_start "$name" ssl=off "$@"
}

# pg_sql NAME SQL: run SQL as the superuser over NAME's Unix socket; unaligned, tab-separated,
# no header (psql -XAtq).
pg_sql() {
	local var sock port
	var=$(_dbtls_varname "$1") || return 1
	sock=${var}_SOCKDIR port=${var}_PORT
	psql -X -A -t -q -F $'\t' -v ON_ERROR_STOP=1 -h "${!sock}" -p "${!port}" -U postgres \
		-d postgres -c "$2"
}

# pg_psql_tls NAME [SQL]: run SQL (default: the session's own pg_stat_ssl row: ssl, version,
# cipher) over TCP with sslmode=verify-full against the test CA. Fails when TLS cannot be had.
pg_psql_tls() {
	local var port
	var=$(_dbtls_varname "$1") || return 1
	port=${var}_PORT
	PGCONNECT_TIMEOUT=10 psql -X -A -t -q -F $'\t' -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=${!port} user=postgres dbname=postgres sslmode=verify-full sslrootcert=$DBTLS_PKI/ca-bundle.pem" \
		-c "${2:-SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()}"
}

# pg_hold_plain NAME [APPNAME]: open a plaintext (sslmode=disable) TCP connection to NAME as
# postgres with application_name APPNAME (default dbtls-plain-client) and keep it open, idle in
# pg_sleep, until NAME stops. Waits until the server lists it in pg_stat_activity. Exports
# NAME_PLAIN_PID.
pg_hold_plain() {
	local name=$1 app=${2:-dbtls-plain-client} var port pid
	var=$(_dbtls_varname "$name") || return 1
	port=${var}_PORT
	psql -X -q "host=127.0.0.1 port=${!port} user=postgres dbname=postgres sslmode=disable application_name=$app" \
		-c 'SELECT pg_sleep(3600)' </dev/null >"$DBTLS_SRV_ROOT/pg-$name/plain-$app.log" 2>&1 &
	pid=$!
	disown "$pid"
	_SRV_DEPS[$name]="${_SRV_DEPS[$name]:-} $pid"
	_srv_poll 15 "$pid" _pg_has_client "$name" "$app" || {
		echo "dbtls: pg_hold_plain $name: the client did not show up" >&2
		cat "$DBTLS_SRV_ROOT/pg-$name/plain-$app.log" >&2
		return 1
	}
	export "${var}_PLAIN_PID=$pid"
}
_pg_has_client() { # NAME APP: a client with that application_name is connected and active
	[ "$(pg_sql "$1" "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$2' AND state = 'active'")" -ge 1 ]
}

# pg_ssl_answer PORT: send PostgreSQL's 8-byte SSLRequest to 127.0.0.1:PORT and print the hex
# of what comes back within 2 s (53 = 'S', 4e = 'N'; empty when the server closed). For tests and
# fixture capture.
pg_ssl_answer() {
	"$DBTLS_PYTHON" - "$1" <<'EOF'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(struct.pack("!II", 8, 80877103))
s.settimeout(2)
try:
    data = s.recv(4096)
except socket.timeout:
    data = b""
print(data.hex())
EOF
}

# --- XMPP -----------------------------------------------------------------------------------------

# xmpp_greeting PORT [DOMAIN] [NS]: open a stream to 127.0.0.1:PORT (to=DOMAIN, default
# $DBTLS_XMPP_DOMAIN; NS jabber:client or jabber:server) and print what the server sends until its
# </stream:features> (or 3 s of silence); with XMPP_STARTTLS=1, then send <starttls/> and print
# the answer too (<proceed/> or <failure/>) after a line "--". Exits 1 when nothing came.
xmpp_greeting() {
	"$DBTLS_PYTHON" - "$1" "${2:-$DBTLS_XMPP_DOMAIN}" "${3:-jabber:client}" "${XMPP_STARTTLS:-0}" <<'EOF'
import socket, sys, time
port, domain, ns, starttls = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1"
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(("<?xml version='1.0'?><stream:stream xmlns='%s' "
           "xmlns:stream='http://etherx.jabber.org/streams' to='%s' version='1.0'>"
           % (ns, domain)).encode())
def until(marks):
    got = b""
    s.settimeout(3)
    while not any(m in got for m in marks):
        try:
            b = s.recv(4096)
        except OSError: # a timeout, or a reset after a stream error
            break
        if not b:
            break
        got += b
    return got
got = until([b"</stream:features>", b"</stream:error>", b"<stream:features/>"])
sys.stdout.write(got.decode("utf-8", "replace"))
if starttls and got:
    s.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    ans = until([b"proceed", b"failure"])
    sys.stdout.write("\n--\n" + ans.decode("utf-8", "replace"))
sys.stdout.write("\n")
sys.exit(0 if got else 1)
EOF
}

_xmpp_ready() { # PORT: the server answers a stream header with its features
	local out
	out=$(xmpp_greeting "$1" 2>/dev/null) || return 1
	[[ $out == *"stream:features"* ]]
}

have_prosody() {
	PROSODY=${PROSODY:-$(command -v prosody 2>/dev/null || true)}
	[ -n "$PROSODY" ] && [ -x "$PROSODY" ]
}
require_prosody() { _srv_require "prosody" have_prosody; }

# prosody_start NAME required|optional: Prosody for the XMPP domain $DBTLS_XMPP_DOMAIN
# (localhost) with the test certificate: c2s STARTTLS (required: c2s_require_encryption = true and
# <required/> in the features; optional: offered, not required), c2s direct TLS (XEP-0368,
# 5223-style) and s2s with STARTTLS, all on free 127.0.0.1 ports. Waits until the c2s port
# answers a stream header with its features. Exports NAME_PORT (c2s STARTTLS), NAME_TLS_PORT (c2s
# direct TLS), NAME_S2S_PORT, NAME_PID, NAME_DIR, NAME_LOG, NAME_DOMAIN.
prosody_start() {
	local name=$1 mode=$2 var dir pid c2s tls s2s req rc
	var=$(_dbtls_varname "$name") || return 1
	case $mode in
	required) req=true ;;
	optional) req=false ;;
	*)
		echo "dbtls: prosody_start $name: mode must be required or optional" >&2
		return 1
		;;
	esac
	[ -z "${_SRV_PID[$name]:-}" ] || {
		echo "dbtls: server '$name' is already running" >&2
		return 1
	}
	have_prosody || {
		echo "dbtls: prosody not found" >&2
		return 1
	}
	srv_user_ensure || return 1
	dir=$(_srv_mkdir "prosody-$name")
	_srv_pki "$dir" || return 1
	mkdir -p "$dir/data"
	for _ in 1 2 3; do
		c2s=$(free_port) tls=$(free_port) s2s=$(free_port)
		cat >"$dir/prosody.cfg.lua" <<EOF
-- throw-away test server ($mode STARTTLS)
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
daemonize = false
log = { { levels = { min = "info" }, to = "file", filename = "$dir/prosody.log" } }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $c2s }
c2s_direct_tls_ports = { $tls }
s2s_ports = { $s2s }
c2s_require_encryption = $req
s2s_require_encryption = $req
s2s_secure_auth = false
authentication = "internal_hashed"
modules_enabled = { "tls", "saslauth", "disco", "ping", "dialback" }
modules_disabled = { "s2s_bidi" }
ssl = { certificate = "$dir/cert.pem"; key = "$dir/key.pem"; }
VirtualHost "$DBTLS_XMPP_DOMAIN"
EOF
		: >"$dir/prosody.log"
		_srv_own "$dir"
		(cd "$dir" && exec "${_SRV_AS[@]}" "$PROSODY" -F --config "$dir/prosody.cfg.lua") \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		disown "$pid"
		_srv_register "$name" "$pid" TERM
		rc=0
		_srv_poll 30 "$pid" _xmpp_ready "$c2s" || rc=$?
		if [ "$rc" -eq 0 ]; then
			export "${var}_PORT=$c2s" "${var}_TLS_PORT=$tls" "${var}_S2S_PORT=$s2s" \
				"${var}_PID=$pid" "${var}_DIR=$dir" "${var}_LOG=$dir/prosody.log" \
				"${var}_DOMAIN=$DBTLS_XMPP_DOMAIN"
			return 0
		fi
		if [ "$rc" -eq 2 ]; then
			_srv_fail "$name" "$dir/prosody.log" "did not answer a stream header within 30 s"
			return 1
		fi
		unset "_SRV_PID[$name]" "_SRV_SIG[$name]"
		grep -qi 'in use' "$dir/prosody.log" "$dir/stdout.log" || break
	done
	cat "$dir/stdout.log" >>"$dir/prosody.log" 2>/dev/null
	_srv_fail "$name" "$dir/prosody.log" "failed to start"
}

have_ejabberd() {
	ERL=${ERL:-$(command -v erl 2>/dev/null || true)}
	if [ -z "${EJABBERD_LIBS:-}" ]; then
		EJABBERD_LIBS=$(find /usr/lib/x86_64-linux-gnu /usr/lib -maxdepth 1 -name 'ejabberd-*' \
			-type d 2>/dev/null | head -n 1)
		[ -n "$EJABBERD_LIBS" ] && EJABBERD_LIBS=${EJABBERD_LIBS%/*}
	fi
	[ -n "$ERL" ] && [ -x "$ERL" ] && [ -n "$EJABBERD_LIBS" ]
}
require_ejabberd() { _srv_require "ejabberd (erl and the ejabberd libraries)" have_ejabberd; }

# ejabberd_start NAME: ejabberd for $DBTLS_XMPP_DOMAIN with the test certificate, one Erlang VM
# (no distribution, no epmd) with four listeners on free 127.0.0.1 ports: c2s with STARTTLS
# required, c2s with STARTTLS optional, c2s direct TLS, and s2s (STARTTLS optional). Waits until
# both STARTTLS listeners answer a stream header with their features (<= 60 s: the VM is slow to
# start on a loaded machine). Exports NAME_PORT (c2s, STARTTLS required), NAME_OPT_PORT (c2s,
# optional), NAME_TLS_PORT (direct TLS), NAME_S2S_PORT, NAME_PID, NAME_DIR, NAME_LOG,
# NAME_DOMAIN.
ejabberd_start() {
	local name=$1 var dir pid req opt tls s2s rc
	var=$(_dbtls_varname "$name") || return 1
	[ -z "${_SRV_PID[$name]:-}" ] || {
		echo "dbtls: server '$name' is already running" >&2
		return 1
	}
	have_ejabberd || {
		echo "dbtls: ejabberd not found" >&2
		return 1
	}
	srv_user_ensure || return 1
	dir=$(_srv_mkdir "ejabberd-$name")
	_srv_pki "$dir" || return 1
	mkdir -p "$dir/spool"
	for _ in 1 2 3; do
		req=$(free_port) opt=$(free_port) tls=$(free_port) s2s=$(free_port)
		cat >"$dir/ejabberd.yml" <<EOF
# throw-away test server
hosts: ["$DBTLS_XMPP_DOMAIN"]
loglevel: info
log_rotate_count: 0
certfiles:
  - "$dir/certkey.pem"
ca_file: "$dir/ca.pem"
listen:
  - port: $req
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
  - port: $opt
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls: true
  - port: $tls
    ip: "127.0.0.1"
    module: ejabberd_c2s
    tls: true
  - port: $s2s
    ip: "127.0.0.1"
    module: ejabberd_s2s_in
s2s_use_starttls: optional
auth_method: internal
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
modules: {}
EOF
		: >"$dir/ejabberd.log"
		_srv_own "$dir"
		(cd "$dir" && HOME=$dir ERL_LIBS=$EJABBERD_LIBS EJABBERD_CONFIG_PATH=$dir/ejabberd.yml \
			EJABBERD_LOG_PATH=$dir/ejabberd.log ERL_CRASH_DUMP_BYTES=0 \
			exec "${_SRV_AS[@]}" "$ERL" -noinput -noshell -mnesia dir "\"$dir/spool\"" \
			-s ejabberd) </dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		disown "$pid"
		_srv_register "$name" "$pid" TERM
		rc=0
		_srv_poll 60 "$pid" _xmpp_ready "$req" || rc=$?
		[ "$rc" -ne 0 ] || _srv_poll 10 "$pid" _xmpp_ready "$opt" || rc=$?
		if [ "$rc" -eq 0 ]; then
			export "${var}_PORT=$req" "${var}_OPT_PORT=$opt" "${var}_TLS_PORT=$tls" \
				"${var}_S2S_PORT=$s2s" "${var}_PID=$pid" "${var}_DIR=$dir" \
				"${var}_LOG=$dir/ejabberd.log" "${var}_DOMAIN=$DBTLS_XMPP_DOMAIN"
			return 0
		fi
		if [ "$rc" -eq 2 ]; then
			_srv_fail "$name" "$dir/ejabberd.log" "did not answer a stream header within 60 s"
			return 1
		fi
		unset "_SRV_PID[$name]" "_SRV_SIG[$name]"
		grep -qi 'eaddrinuse' "$dir/ejabberd.log" "$dir/stdout.log" || break
	done
	cat "$dir/stdout.log" >>"$dir/ejabberd.log" 2>/dev/null
	_srv_fail "$name" "$dir/ejabberd.log" "failed to start"
}

# --- Redis with TLS -------------------------------------------------------------------------------

have_redis() {
	REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server 2>/dev/null || true)}
	REDIS_CLI=${REDIS_CLI:-$(command -v redis-cli 2>/dev/null || true)}
	[ -n "$REDIS_SERVER" ] && [ -x "$REDIS_SERVER" ] && [ -n "$REDIS_CLI" ] && [ -x "$REDIS_CLI" ]
}
require_redis() { _srv_require "redis-server and redis-cli" have_redis; }

# redis_cli_tls NAME ARGS...: redis-cli over TLS to NAME, verifying the test CA.
redis_cli_tls() {
	local var port
	var=$(_dbtls_varname "$1") || return 1
	port=${var}_PORT
	shift
	"$REDIS_CLI" --tls --cacert "$DBTLS_PKI/ca-bundle.pem" -h 127.0.0.1 -p "${!port}" "$@"
}
_redis_ready() { [ "$(redis_cli_tls "$1" PING 2>/dev/null)" = PONG ]; }

# redis_tls_start NAME [redis-server options...]: redis-server with TLS only (--port 0
# --tls-port on a free 127.0.0.1 port) and the test certificate, no persistence, client
# certificates not required: a direct-TLS target (tls://127.0.0.1:PORT). Waits until `redis-cli
# --tls PING` answers PONG. Exports NAME_PORT, NAME_PID, NAME_DIR, NAME_LOG.
redis_tls_start() {
	local name=$1 var dir pid port rc
	shift
	var=$(_dbtls_varname "$name") || return 1
	[ -z "${_SRV_PID[$name]:-}" ] || {
		echo "dbtls: server '$name' is already running" >&2
		return 1
	}
	have_redis || {
		echo "dbtls: redis-server not found" >&2
		return 1
	}
	srv_user_ensure || return 1
	dir=$(_srv_mkdir "redis-$name")
	_srv_pki "$dir" || return 1
	for _ in 1 2 3; do
		port=$(free_port)
		: >"$dir/redis.log"
		_srv_own "$dir/redis.log"
		(cd "$dir" && exec "${_SRV_AS[@]}" "$REDIS_SERVER" --port 0 --tls-port "$port" \
			--bind 127.0.0.1 --tls-cert-file "$dir/cert.pem" --tls-key-file "$dir/key.pem" \
			--tls-ca-cert-file "$dir/ca.pem" --tls-auth-clients no --save '' \
			--appendonly no --dir "$dir" --daemonize no --logfile "$dir/redis.log" "$@") \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		disown "$pid"
		_srv_register "$name" "$pid" TERM
		export "${var}_PORT=$port" # redis_cli_tls reads it
		rc=0
		_srv_poll 20 "$pid" _redis_ready "$name" || rc=$?
		if [ "$rc" -eq 0 ]; then
			export "${var}_PID=$pid" "${var}_DIR=$dir" "${var}_LOG=$dir/redis.log"
			return 0
		fi
		unset "${var}_PORT"
		if [ "$rc" -eq 2 ]; then
			_srv_fail "$name" "$dir/redis.log" "did not answer PING within 20 s"
			return 1
		fi
		unset "_SRV_PID[$name]" "_SRV_SIG[$name]"
		grep -qi 'in use' "$dir/redis.log" || break
	done
	_srv_fail "$name" "$dir/redis.log" "failed to start"
}

# --- Node.js direct TLS with ALPN -----------------------------------------------------------------

have_node() {
	NODE=${NODE:-$(command -v node 2>/dev/null || command -v nodejs 2>/dev/null || true)}
	[ -n "$NODE" ] && [ -x "$NODE" ]
}
require_node() { _srv_require "node (Node.js)" have_node; }

# alpn_start NAME MODE: tests/integration/alpn_server.js on a free 127.0.0.1 port with the test
# certificate. MODE pg17: behaves as PostgreSQL 17 documents for sslnegotiation=direct (a
# ClientHello whose ALPN list lacks "postgresql" is refused with the no_application_protocol
# alert; one without ALPN completes the handshake and is closed at once); ignore: a TLS proxy
# that knows no ALPN (never selects one); select: selects the client's first protocol;
# sslrequest-refuse: a proxy in front of PostgreSQL that answers the SSLRequest ('S') and refuses
# any ALPN (a handshake offering "postgresql", as libpq 17 does, fails; one without completes). Waits
# until it listens. Exports NAME_PORT, NAME_PID, NAME_LOG (one line per connection: the ALPN list
# offered and the outcome).
alpn_start() {
	local name=$1 mode=$2 var dir pid portfile rc
	var=$(_dbtls_varname "$name") || return 1
	[ -z "${_SRV_PID[$name]:-}" ] || {
		echo "dbtls: server '$name' is already running" >&2
		return 1
	}
	have_node || {
		echo "dbtls: node not found" >&2
		return 1
	}
	srv_user_ensure || return 1
	dir=$(_srv_mkdir "alpn-$name")
	_srv_pki "$dir" || return 1
	portfile="$dir/port"
	_srv_own "$dir"
	(cd "$dir" && exec "${_SRV_AS[@]}" "$NODE" "$DBTLS_LIBDIR/alpn_server.js" "$mode" "$portfile" \
		"$dir/cert.pem" "$dir/key.pem") </dev/null >"$dir/alpn.log" 2>&1 &
	pid=$!
	disown "$pid"
	_srv_register "$name" "$pid" TERM
	rc=0
	_srv_poll 20 "$pid" test -s "$portfile" || rc=$?
	if [ "$rc" -eq 0 ]; then
		export "${var}_PORT=$(cat "$portfile")" "${var}_PID=$pid" "${var}_LOG=$dir/alpn.log" \
			"${var}_DIR=$dir"
		return 0
	fi
	_srv_fail "$name" "$dir/alpn.log" "(alpn_server.js $mode) did not start"
}

# --- ground truth: openssl s_client ---------------------------------------------------------------

# truth_starttls PROTO [DOMAIN]: set the array TRUTH_ARGS to the s_client options for PROTO:
# postgres, mysql, xmpp (c2s; -xmpphost DOMAIN, default $DBTLS_XMPP_DOMAIN), xmpp-server, or tls
# (none: TLS from the first byte).
truth_starttls() {
	local domain=${2:-$DBTLS_XMPP_DOMAIN}
	case $1 in
	postgres | mysql) TRUTH_ARGS=(-starttls "$1") ;;
	xmpp | xmpp-server) TRUTH_ARGS=(-starttls "$1" -xmpphost "$domain") ;;
	tls) TRUTH_ARGS=() ;;
	*)
		echo "dbtls: truth_starttls: unknown protocol '$1'" >&2
		return 1
		;;
	esac
}

# truth_handshake PORT PROTO [s_client options...]: one `openssl s_client -brief` handshake to
# 127.0.0.1:PORT through PROTO's STARTTLS (see truth_starttls; DOMAIN from $DBTLS_XMPP_DOMAIN);
# prints "VERSION SUITE" (OpenSSL's names; TLSv1 printed as TLSv1.0) when it succeeded, nothing
# when it did not. A hang is retried once.
truth_handshake() {
	local port=$1 proto=$2 out rc v c
	shift 2
	truth_starttls "$proto" || return 1
	for _ in 1 2; do
		rc=0
		out=$(timeout 10 openssl s_client -brief "${TRUTH_ARGS[@]}" -connect "127.0.0.1:$port" \
			"$@" </dev/null 2>&1) || rc=$?
		[ "$rc" -eq 124 ] || break
	done
	v=$(sed -n 's/^Protocol version: *//p' <<<"$out" | head -n 1)
	c=$(sed -n 's/^Ciphersuite: *//p' <<<"$out" | head -n 1)
	[ -n "$v" ] && [ -n "$c" ] || return 0
	[ "$v" = TLSv1 ] && v=TLSv1.0
	echo "$v $c"
}

# truth_versions PORT PROTO: the TLS versions 127.0.0.1:PORT accepts through PROTO, one per line
# (TLSv1.0 … TLSv1.3), each forced with -tls1 … -tls1_3 at @SECLEVEL=0.
truth_versions() {
	local port=$1 proto=$2 flag got
	for flag in tls1:TLSv1.0 tls1_1:TLSv1.1 tls1_2:TLSv1.2 tls1_3:TLSv1.3; do
		got=$(truth_handshake "$port" "$proto" "-${flag%%:*}" -cipher 'ALL:@SECLEVEL=0')
		[ "${got%% *}" = "${flag#*:}" ] && echo "${flag#*:}"
	done
	return 0
}

# TLS 1.3 suites s_client can be told to offer (-ciphersuites), CCM included.
DBTLS_TRUTH_TLS13=(TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256
	TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256)

# _truth_suite_probe PORT PROTO FLAG SUITE: prints "VERSION SUITE" when the server accepts SUITE
# alone in version FLAG (tls1 … tls1_3). DBTLS_XMPP_DOMAIN passes through the environment.
# shellcheck disable=SC2317 # called by xargs through `bash -c`
_truth_suite_probe() {
	local port=$1 proto=$2 flag=$3 suite=$4 want got
	case $flag in
	tls1) want=TLSv1.0 ;; tls1_1) want=TLSv1.1 ;; tls1_2) want=TLSv1.2 ;; tls1_3) want=TLSv1.3 ;;
	esac
	if [ "$flag" = tls1_3 ]; then
		got=$(truth_handshake "$port" "$proto" -tls1_3 -ciphersuites "$suite")
	else
		got=$(truth_handshake "$port" "$proto" "-$flag" -cipher "$suite:@SECLEVEL=0")
	fi
	[ "$got" = "$want $suite" ] && echo "$got"
	return 0
}

# truth_suites PORT PROTO [VERSION...]: every (version, suite) 127.0.0.1:PORT accepts through
# PROTO, one s_client handshake per suite the local OpenSSL can offer in that version (4 at a
# time), as sorted "VERSION OPENSSL-NAME" lines. VERSIONs are tls1 tls1_1 tls1_2 tls1_3 (default
# all four); limit them to keep a test fast (TLS 1.2 alone is ~90 handshakes).
truth_suites() {
	local port=$1 proto=$2 flag n
	shift 2
	local flags=("$@")
	[ ${#flags[@]} -gt 0 ] || flags=(tls1 tls1_1 tls1_2 tls1_3)
	truth_starttls "$proto" || return 1
	export -f truth_starttls truth_handshake _truth_suite_probe
	for flag in "${flags[@]}"; do
		if [ "$flag" = tls1_3 ]; then
			printf '%s\n' "${DBTLS_TRUTH_TLS13[@]}"
		else
			openssl ciphers -s "-$flag" 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | tr ':' '\n'
		fi | while read -r n; do
			echo "$port $proto $flag $n"
		done
	done | xargs -P 4 -L 1 bash -c '_truth_suite_probe "$@"' _ | LC_ALL=C sort
}

# truth_alpn PORT LIST [PROTO]: what the server at 127.0.0.1:PORT does with the ALPN list LIST
# (comma-separated, e.g. postgresql or xmpp-client): prints "selected NAME", "ignored" (the
# handshake completed without a selection) or "refused" (no handshake; e.g. the
# no_application_protocol alert).
truth_alpn() {
	local port=$1 list=$2 proto=${3:-tls} out sel
	truth_starttls "$proto" || return 1
	out=$(timeout 10 openssl s_client "${TRUTH_ARGS[@]}" -connect "127.0.0.1:$port" \
		-alpn "$list" </dev/null 2>&1) || true
	sel=$(sed -n 's/^ALPN protocol: *//p' <<<"$out" | head -n 1)
	if [ -n "$sel" ]; then
		echo "selected $sel"
	elif grep -q '^No ALPN negotiated' <<<"$out" && grep -q '^New, TLS' <<<"$out"; then
		echo ignored
	else
		echo refused
	fi
}
