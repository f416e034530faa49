#!/usr/bin/env bash
set -euo pipefail
# SPDX-License-Identifier: MIT
#
# lib.sh: helpers that integration tests and the demo source (`. tests/integration/lib.sh`).
# They start throw-away MariaDB servers and misbehaving fake servers on 127.0.0.1, generate the
# test PKI, ask `openssl s_client` for the ground truth, read and validate JSON reports, and count
# assertions. Nothing here talks to any address but loopback.
#
# Everything a test creates lives under $DBTLS_TEST_TMP (made with mktemp -d when unset). An EXIT
# trap installed here stops every server started through these helpers and removes that directory
# if lib.sh created it (else just the servers' datadirs; DBTLS_KEEP_TMP=1 keeps everything for a
# post-mortem), whether the test passes, fails or is interrupted. A test that needs its own exit
# work registers it with `dbtls_at_exit` instead of replacing the trap.
#
# Call mariadb_start/fake_start directly, not in a subshell or $(...): they export variables and
# remember the process for the cleanup.
#
# Overridable: MARIADBD, MARIADB_INSTALL_DB, MARIADB_ADMIN, DBTLS_PYTHON (program paths),
# DBTLS_PKI (PKI directory).

DBTLS_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DBTLS_LIBDIR="$DBTLS_SRCDIR/tests/integration"

# Tests and the demo name "localhost" (the test certificate's name) and expect one endpoint at
# 127.0.0.1. dbtls scans every address of a name, so on a machine whose /etc/hosts also maps
# localhost to ::1 each such target would be two endpoints (the ::1 one refused: the servers
# listen on 127.0.0.1). There the script runs again in a private mount namespace whose hosts
# file says only "127.0.0.1 localhost" (root and unshare -m; the machine's file is untouched).
if [ -z "${DBTLS_HOSTS_PINNED:-}" ] && [ "${BASH_SOURCE[1]:-}" = "$0" ] &&
	[ "$(getent ahosts localhost 2>/dev/null | awk '{ print $1 }' | sort -u | tr '\n' ' ')" != "127.0.0.1 " ]; then
	export DBTLS_HOSTS_PINNED=1
	if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
		_dbtls_hosts=$(mktemp "${TMPDIR:-/tmp}/dbtls-hosts.XXXXXX")
		printf '127.0.0.1 localhost\n' >"$_dbtls_hosts"
		exec unshare -m sh -c 'mount --bind "$0" /etc/hosts && rm -f "$0" && exec "$@"' \
			"$_dbtls_hosts" bash "$0" "$@"
	fi
	echo "dbtls: note: localhost resolves to more than 127.0.0.1 here, and without root and" \
		"unshare -m the tests cannot pin it: targets named localhost are two endpoints" >&2
fi

# The interpreter behind `python3`, resolved once: a pyenv shim costs ~0.1 s per call.
DBTLS_PYTHON=${DBTLS_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
export DBTLS_PYTHON

_DBTLS_PASSED=0
_DBTLS_FAILED=0
_DBTLS_OWN_TMP=0
_DBTLS_AT_EXIT=()
declare -A _DBTLS_SRV_PID=() # name -> mariadbd pid
declare -A _DBTLS_FAKE_PID=() # name -> fake_server.py pid

if [ -z "${DBTLS_TEST_TMP:-}" ]; then
	DBTLS_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dbtls-test.XXXXXX")
	_DBTLS_OWN_TMP=1
fi
mkdir -p "$DBTLS_TEST_TMP"
export DBTLS_TEST_TMP

# Options every throw-away mariadbd gets, at install-db time and at start (they must agree, or
# InnoDB would rebuild its log on each start). Small buffers keep dozens of servers affordable;
# no native AIO, because every InnoDB instance reserves AIO contexts from the system-wide
# fs.aio-max-nr and containers often forbid io_setup.
_DBTLS_MARIADB_COMMON=(
	--innodb-buffer-pool-size=16M
	--innodb-log-file-size=4M
	--innodb-log-buffer-size=2M
	--innodb-use-native-aio=0
	--innodb-temp-data-file-path=ibtmp1:1M:autoextend
)

# --- housekeeping ---------------------------------------------------------------------------------

# dbtls_at_exit CMD...: run CMD (eval'd) at exit, before servers are stopped; last added runs first.
dbtls_at_exit() {
	_DBTLS_AT_EXIT=("$*" "${_DBTLS_AT_EXIT[@]}")
}

_dbtls_exit() {
	local rc=$? last=${!:-} cmd name
	# A second signal must not cut the cleanup short (it would run `exit` inside this trap).
	trap '' HUP INT TERM
	set +e
	for cmd in "${_DBTLS_AT_EXIT[@]}"; do
		eval "$cmd"
	done
	# The servers' data dies with the temp dir, so SIGKILL: immediate, and it also works on a
	# mariadbd still starting up (one that gets SIGTERM during InnoDB start-up can take > 15 s).
	for name in "${!_DBTLS_SRV_PID[@]}"; do
		kill -KILL "${_DBTLS_SRV_PID[$name]}" 2>/dev/null
	done
	for name in "${!_DBTLS_FAKE_PID[@]}"; do
		kill -KILL "${_DBTLS_FAKE_PID[$name]}" 2>/dev/null
	done
	# A signal between a server's fork and its registration leaves it unregistered; it is $!.
	if [ -n "$last" ] && _dbtls_alive "$last" &&
		grep -qF -- "$DBTLS_TEST_TMP/" "/proc/$last/cmdline" 2>/dev/null; then
		kill -KILL "$last" 2>/dev/null
		_dbtls_reap "$last" 2
	fi
	for name in "${!_DBTLS_SRV_PID[@]}"; do
		_dbtls_reap "${_DBTLS_SRV_PID[$name]}" 2
	done
	for name in "${!_DBTLS_FAKE_PID[@]}"; do
		_dbtls_reap "${_DBTLS_FAKE_PID[$name]}" 2
	done
	if [ "${DBTLS_KEEP_TMP:-0}" = 1 ]; then
		echo "kept $DBTLS_TEST_TMP" >&2
	elif [ "$_DBTLS_OWN_TMP" = 1 ]; then
		rm -rf "$DBTLS_TEST_TMP"
	else # the caller's directory: drop our servers' datadirs (~20 MB each), keep the logs
		for name in "${!_DBTLS_SRV_PID[@]}"; do
			rm -rf "$DBTLS_TEST_TMP/mariadb-$name/data"
		done
	fi
	exit "$rc"
}
trap _dbtls_exit EXIT
# Turn signals into an ordinary exit so the EXIT trap runs.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# _dbtls_alive PID: the process exists and is not a zombie.
_dbtls_alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# _dbtls_reap PID SECONDS: wait up to SECONDS for PID to end (already signalled), then SIGKILL it.
_dbtls_reap() {
	local pid=$1 i=0 n=$(($2 * 20))
	while _dbtls_alive "$pid" && [ "$i" -lt "$n" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if _dbtls_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		i=0
		while _dbtls_alive "$pid" && [ "$i" -lt 40 ]; do
			sleep 0.05
			i=$((i + 1))
		done
	fi
	return 0
}

# _dbtls_varname NAME: the variable prefix for NAME: upper case, [^A-Z0-9] -> _ ("compat-1" -> COMPAT_1).
_dbtls_varname() {
	local v=${1^^}
	v=${v//[^A-Z0-9_]/_}
	case $v in
	'' | [0-9]*)
		echo "dbtls: bad server name '$1'" >&2
		return 1
		;;
	esac
	printf '%s\n' "$v"
}

_dbtls_find_prog() { # VAR PROG: the path of PROG from $VAR, PATH, or the sbin directories
	local var=$1 prog=$2 p
	if [ -n "${!var:-}" ]; then
		[ -x "${!var}" ] || return 1
		printf '%s\n' "${!var}"
		return 0
	fi
	for p in "$(command -v "$prog" 2>/dev/null)" "/usr/sbin/$prog" "/usr/local/sbin/$prog" \
		"/usr/libexec/$prog"; do
		if [ -n "$p" ] && [ -x "$p" ]; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

# have_mariadb: true when the server, install-db and admin programs are all there.
have_mariadb() {
	MARIADBD=$(_dbtls_find_prog MARIADBD mariadbd) &&
		MARIADB_INSTALL_DB=$(_dbtls_find_prog MARIADB_INSTALL_DB mariadb-install-db) &&
		MARIADB_ADMIN=$(_dbtls_find_prog MARIADB_ADMIN mariadb-admin)
}

# require_mariadb: exit 77 (automake SKIP) without MariaDB, or 1 when DBTLS_REQUIRE_INTEGRATION=1.
require_mariadb() {
	if have_mariadb; then
		return 0
	fi
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		echo "FAIL: mariadbd/mariadb-install-db/mariadb-admin not found and DBTLS_REQUIRE_INTEGRATION=1" >&2
		exit 1
	fi
	echo "SKIP: mariadbd not found"
	exit 77
}

# free_port: print a TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
free_port() {
	"$DBTLS_PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# pki_ensure: generate the test PKI (tests/pki/gen.sh; idempotent) and export DBTLS_PKI.
pki_ensure() {
	DBTLS_PKI=${DBTLS_PKI:-$DBTLS_TEST_TMP/pki}
	export DBTLS_PKI
	"$DBTLS_SRCDIR/tests/pki/gen.sh" "$DBTLS_PKI"
}

# --- MariaDB --------------------------------------------------------------------------------------

# One install-db'd datadir per $DBTLS_TEST_TMP, cloned for each server: a clone takes ~40 ms,
# install-db ~0.7 s. The lock makes concurrent test scripts sharing the directory safe.
_dbtls_template() {
	local t="$DBTLS_TEST_TMP/mariadb-template"
	(
		flock 8
		[ -e "$t/.complete" ] && exit 0
		rm -rf "$t"
		mkdir -p "$t"
		# install-db's bootstrap server has been seen to fail at random on a loaded machine
		# (several test scripts starting servers at once): try again before giving up
		local try ok=0
		for try in 1 2 3; do
			rm -rf "$t/data"
			if "$MARIADB_INSTALL_DB" --no-defaults --auth-root-authentication-method=normal \
				--skip-test-db --user=root --datadir="$t/data" "${_DBTLS_MARIADB_COMMON[@]}" \
				>"$t/install.log" 2>&1; then
				ok=1
				break
			fi
			cp "$t/install.log" "$t/install-$try.log"
			sleep "$try"
		done
		if [ "$ok" != 1 ]; then
			echo "dbtls: mariadb-install-db failed 3 times; the errors:" >&2
			grep -iE 'error|fatal|abort|denied|space' "$t"/install-*.log | head -n 20 >&2
			tail -n 5 "$t/install.log" >&2
			exit 1
		fi
		: >"$t/.complete"
	) 8>"$DBTLS_TEST_TMP/.mariadb-template.lock"
}

# _dbtls_clone_datadir SRC DST: copy a datadir in ~40 ms instead of ~200 ms. The ~130 .frm files
# (most of them the sys schema's views) are hard-linked: the server replaces a .frm by writing a new
# file and renaming it, never in place (except to bump the version stamp of a .frm written by an older
# server, and the template is written by this very mariadbd). Everything else is copied.
_dbtls_clone_datadir() {
	local src=$1 dst=$2
	cp -al "$src" "$dst"
	find "$dst" -type f ! -name '*.frm' -delete
	(cd "$src" && find . -type f ! -name '*.frm' -print0 | xargs -0 cp -p --parents -t "$dst")
}

# mariadb_start NAME [--option=value...]: start a throw-away mariadbd on 127.0.0.1 (a free port),
# with grants (root@localhost/127.0.0.1/::1, no password), plus the given my.cnf options. Waits
# (<= 30 s) until it answers a ping. Exports NAME_PORT, NAME_SOCK, NAME_PID, NAME_DATADIR, NAME_LOG
# (NAME upper-cased). On failure prints the tail of the error log and returns 1.
# A --port=N or --bind-address=... among the options replaces the default one.
mariadb_start() {
	local name=$1 var dir sock port pid i opt fixed_port=
	shift
	var=$(_dbtls_varname "$name") || return 1
	for opt in "$@"; do
		case $opt in
		--port=*) fixed_port=${opt#--port=} ;;
		--*) ;;
		*)
			echo "dbtls: mariadb_start $name: option '$opt' is not --name=value" >&2
			return 1
			;;
		esac
	done
	if [ -n "${_DBTLS_SRV_PID[$name]:-}" ]; then
		echo "dbtls: server '$name' is already running" >&2
		return 1
	fi
	have_mariadb || {
		echo "dbtls: mariadbd not found" >&2
		return 1
	}
	_dbtls_template || return 1

	dir="$DBTLS_TEST_TMP/mariadb-$name"
	rm -rf "$dir"
	mkdir -p "$dir"
	_dbtls_clone_datadir "$DBTLS_TEST_TMP/mariadb-template/data" "$dir/data"
	# sun_path holds 108 bytes; deep build directories overflow it, so fall back to a short dir.
	sock="$dir/mysqld.sock"
	if [ "${#sock}" -gt 100 ]; then
		sock=$(mktemp -d "/tmp/dbtls-sock.XXXXXX")/mysqld.sock
		dbtls_at_exit "rm -rf '${sock%/*}'"
	fi

	# Another process can grab the port between free_port and mariadbd's bind: retry with a new one.
	for _ in 1 2 3; do
		port=${fixed_port:-$(free_port)}
		: >"$dir/error.log"
		"$MARIADBD" --no-defaults --datadir="$dir/data" --socket="$sock" --port="$port" \
			--bind-address=127.0.0.1 --user=root --pid-file="$dir/mysqld.pid" \
			--log-error="$dir/error.log" "${_DBTLS_MARIADB_COMMON[@]}" "$@" \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		disown "$pid" # no "Killed" notices from bash; it still reaps the process
		_DBTLS_SRV_PID[$name]=$pid

		for ((i = 0; i < 1500; i++)); do # 1500 x 20 ms = 30 s
			if ! _dbtls_alive "$pid"; then
				break
			fi
			if "$MARIADB_ADMIN" --no-defaults --socket="$sock" --user=root --connect-timeout=2 \
				ping >/dev/null 2>&1; then
				export "${var}_PORT=$port" "${var}_SOCK=$sock" "${var}_PID=$pid" \
					"${var}_DATADIR=$dir/data" "${var}_LOG=$dir/error.log"
				return 0
			fi
			sleep 0.02
		done

		if _dbtls_alive "$pid"; then # no answer in 30 s
			kill -KILL "$pid" 2>/dev/null || true
			_dbtls_reap "$pid" 1
			unset "_DBTLS_SRV_PID[$name]"
			echo "dbtls: mariadbd '$name' did not answer within 30 s; error log:" >&2
			tail -n 20 "$dir/error.log" >&2
			return 1
		fi
		unset "_DBTLS_SRV_PID[$name]"
		if [ -z "$fixed_port" ] && grep -q 'Address already in use' "$dir/error.log"; then
			continue
		fi
		break
	done
	echo "dbtls: mariadbd '$name' failed to start; error log:" >&2
	tail -n 20 "$dir/error.log" >&2
	cat "$dir/stdout.log" >&2
	return 1
}

# mariadb_stop NAME: stop the server (SIGTERM: a clean shutdown; SIGKILL after 15 s) and delete its
# datadir (the logs stay until the temp dir goes).
mariadb_stop() {
	local name=$1 pid
	pid=${_DBTLS_SRV_PID[$name]:-}
	if [ -z "$pid" ]; then
		echo "dbtls: mariadb_stop: no server '$name'" >&2
		return 1
	fi
	kill -TERM "$pid" 2>/dev/null || true
	_dbtls_reap "$pid" 15
	unset "_DBTLS_SRV_PID[$name]"
	rm -rf "$DBTLS_TEST_TMP/mariadb-$name/data"
}

# mariadb_sql NAME SQL: run SQL as root over the server's socket, tab-separated output, no header.
mariadb_sql() {
	local var sock
	var=$(_dbtls_varname "$1") || return 1
	sock=${var}_SOCK
	mariadb --no-defaults --socket="${!sock}" --user=root --batch --skip-column-names -e "$2"
}

_dbtls_pki_path() { # FILE: FILE as given if it exists or is absolute, else from $DBTLS_PKI
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) if [ -e "$1" ]; then printf '%s\n' "$(pwd)/$1"; else printf '%s\n' "$DBTLS_PKI/$1"; fi ;;
	esac
}

# start_compat NAME [--opt=value...]: TLS 1.0-1.3 and every suite OpenSSL has (SECLEVEL=0), the
# good chain: the "legacy compatibility" server that scans should flag.
start_compat() {
	local name=$1
	shift
	pki_ensure || return 1
	mariadb_start "$name" --ssl-cert="$DBTLS_PKI/server-chain.pem" --ssl-key="$DBTLS_PKI/server.key" \
		--ssl-ca="$DBTLS_PKI/ca-bundle.pem" --tls-version=TLSv1.0,TLSv1.1,TLSv1.2,TLSv1.3 \
		--ssl-cipher='ALL:@SECLEVEL=0' "$@"
}

# start_strict NAME [--opt=value...]: TLS 1.2/1.3, ECDHE with AES-GCM or ChaCha20 only, good chain.
start_strict() {
	local name=$1
	shift
	pki_ensure || return 1
	mariadb_start "$name" --ssl-cert="$DBTLS_PKI/server-chain.pem" --ssl-key="$DBTLS_PKI/server.key" \
		--ssl-ca="$DBTLS_PKI/ca-bundle.pem" --tls-version=TLSv1.2,TLSv1.3 \
		--ssl-cipher='ECDHE+AESGCM:ECDHE+CHACHA20' "$@"
}

# start_notls NAME [--opt=value...]: no TLS at all (greeting without CLIENT_SSL).
start_notls() {
	local name=$1
	shift
	mariadb_start "$name" --skip-ssl "$@"
}

# start_with_cert NAME CERTCHAIN KEY [--opt=value...]: MariaDB's default versions and suites with the
# given certificate chain and key (names relative to $DBTLS_PKI, e.g. expired-chain.pem expired.key,
# or paths).
start_with_cert() {
	local name=$1 cert key
	pki_ensure || return 1
	cert=$(_dbtls_pki_path "$2")
	key=$(_dbtls_pki_path "$3")
	shift 3
	mariadb_start "$name" --ssl-cert="$cert" --ssl-key="$key" --ssl-ca="$DBTLS_PKI/ca-bundle.pem" "$@"
}

# --- fake servers ---------------------------------------------------------------------------------

# fake_start NAME MODE: start tests/integration/fake_server.py MODE on 127.0.0.1 and export
# NAME_PORT and NAME_PID. Modes: silent garbage close mysql-err-1129 mysql-err-1040 mysql-nossl
# yassl-bad-handshake mysql-err-hostile mysql-hostile-greeting mysql-err-1043 tls-rst tls-close
# tls-wrong-version (see fake_server.py).
fake_start() {
	local name=$1 mode=$2 var portfile pid i
	var=$(_dbtls_varname "$name") || return 1
	if [ -n "${_DBTLS_FAKE_PID[$name]:-}" ]; then
		echo "dbtls: fake server '$name' is already running" >&2
		return 1
	fi
	portfile="$DBTLS_TEST_TMP/fake-$name.port"
	rm -f "$portfile"
	"$DBTLS_PYTHON" "$DBTLS_LIBDIR/fake_server.py" "$mode" "$portfile" </dev/null \
		>"$DBTLS_TEST_TMP/fake-$name.log" 2>&1 &
	pid=$!
	disown "$pid"
	_DBTLS_FAKE_PID[$name]=$pid
	for ((i = 0; i < 100; i++)); do # 5 s
		if [ -s "$portfile" ]; then
			export "${var}_PORT=$(cat "$portfile")" "${var}_PID=$pid"
			return 0
		fi
		_dbtls_alive "$pid" || break
		sleep 0.05
	done
	echo "dbtls: fake server '$name' ($mode) did not start:" >&2
	cat "$DBTLS_TEST_TMP/fake-$name.log" >&2
	fake_stop "$name"
	return 1
}

# fake_stop NAME: stop a fake server.
fake_stop() {
	local pid=${_DBTLS_FAKE_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	_dbtls_reap "$pid" 5
	unset "_DBTLS_FAKE_PID[$1]"
}

# --- ground truth ---------------------------------------------------------------------------------

# openssl_versions HOST PORT [PROTO]: the TLS versions the endpoint accepts according to
# `openssl s_client`, as report names (TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3), one per line in that order.
# PROTO is mysql (STARTTLS after the greeting; default) or tls (TLS from the first byte).
# Each version is forced with -tls1 … -tls1_3; 'ALL:@SECLEVEL=0' lets Debian's OpenSSL offer 1.0/1.1
# at all. SSLv3/SSLv2 cannot be checked this way: Debian's OpenSSL 3 is built without them (s_client
# has no -ssl3/-ssl2), so the scanner's raw-ClientHello answers are the only evidence for those.
openssl_versions() {
	local host=$1 port=$2 proto=${3:-mysql} target flag want out got
	local starttls=()
	case $host in
	*:*) target="[$host]:$port" ;;
	*) target="$host:$port" ;;
	esac
	case $proto in
	mysql) starttls=(-starttls mysql) ;;
	tls) ;;
	*)
		echo "dbtls: openssl_versions: PROTO must be mysql or tls, not '$proto'" >&2
		return 1
		;;
	esac
	for flag in tls1:TLSv1.0 tls1_1:TLSv1.1 tls1_2:TLSv1.2 tls1_3:TLSv1.3; do
		want=${flag#*:}
		out=$(timeout 10 openssl s_client -brief "${starttls[@]}" -connect "$target" \
			"-${flag%%:*}" -cipher 'ALL:@SECLEVEL=0' </dev/null 2>&1) || true
		got=$(sed -n 's/^Protocol version: *//p' <<<"$out" | head -n 1)
		[ "$got" = TLSv1 ] && got=TLSv1.0 # OpenSSL's name for 1.0
		if [ "$got" = "$want" ]; then
			echo "$want"
		fi
	done
}

# --- JSON -----------------------------------------------------------------------------------------

# py_json FILE EXPR: print the Python expression EXPR evaluated with d = the JSON in FILE. Strings
# print bare, everything else as JSON (true, null, [..]). Fails (1) if the expression raises.
py_json() {
	"$DBTLS_PYTHON" -c 'import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
try:
    v = eval(sys.argv[2], {"d": d, "json": json})
except Exception as e:
    sys.stderr.write("py_json: %s: %s: %r\n" % (sys.argv[2], type(e).__name__, e))
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))' "$1" "$2"
}

# validate_report FILE [SCHEMA]: validate FILE against data/report.schema.json (or SCHEMA) with the
# draft the schema's $schema declares (2020-12, 7, …). Prints the most relevant error and returns 1
# when invalid.
validate_report() {
	local schema=${2:-$DBTLS_SRCDIR/data/report.schema.json}
	if [ ! -f "$schema" ]; then
		echo "validate_report: $schema is missing"
		return 1
	fi
	"$DBTLS_PYTHON" - "$schema" "$1" <<'EOF'
import json, sys
import jsonschema
from jsonschema.exceptions import best_match

with open(sys.argv[1]) as f:
    schema = json.load(f)
try:
    with open(sys.argv[2]) as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    print("%s: not JSON: %s" % (sys.argv[2], e))
    sys.exit(1)
cls = jsonschema.validators.validator_for(schema)
try:
    cls.check_schema(schema)
except jsonschema.exceptions.SchemaError as e:
    print("%s: not a valid schema: %s" % (sys.argv[1], e.message))
    sys.exit(1)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
err = best_match(validator.iter_errors(doc))
if err is not None:
    where = "/".join(str(p) for p in err.absolute_path) or "(root)"
    print("%s: schema violation at %s: %s" % (sys.argv[2], where, err.message))
    sys.exit(1)
EOF
}

# --- assertions -----------------------------------------------------------------------------------

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then
		_DBTLS_PASSED=$((_DBTLS_PASSED + 1))
	else
		_DBTLS_FAILED=$((_DBTLS_FAILED + 1))
		echo "FAIL: $1: expected '$2' got '$3'"
	fi
}

# assert_match WHAT ERE ACTUAL: ACTUAL matches the extended regular expression ERE.
assert_match() {
	if [[ $3 =~ $2 ]]; then
		_DBTLS_PASSED=$((_DBTLS_PASSED + 1))
	else
		_DBTLS_FAILED=$((_DBTLS_FAILED + 1))
		echo "FAIL: $1: expected a match for /$2/ got '$3'"
	fi
}

# assert_ok WHAT CMD...: CMD succeeds. assert_fails WHAT CMD...: CMD fails.
assert_ok() {
	local what=$1 rc=0
	shift
	"$@" || rc=$?
	assert_eq "$what (exit status of $1)" 0 "$rc"
}
assert_fails() {
	local what=$1 rc=0
	shift
	"$@" || rc=$?
	if [ "$rc" -ne 0 ]; then
		_DBTLS_PASSED=$((_DBTLS_PASSED + 1))
	else
		_DBTLS_FAILED=$((_DBTLS_FAILED + 1))
		echo "FAIL: $what: expected $1 to fail, it succeeded"
	fi
}

# finish: print "N passed, M failed" and exit 0, or 1 when anything failed.
finish() {
	echo "$_DBTLS_PASSED passed, $_DBTLS_FAILED failed"
	[ "$_DBTLS_FAILED" -eq 0 ] && exit 0
	exit 1
}

# --- revocation and direct-TLS servers ------------------------------------------------------------
# These register their process like fake_start does, so the EXIT trap stops them; stop one early
# with fake_stop NAME. Names share one namespace with the fake servers.

# pki_aia DIR OCSP_URL CRL_URL: issue, from the test PKI's intermediate, the certificates whose AIA
# (OCSP) and CRL distribution point name these URLs, into DIR (tests/pki/gen.sh --aia: ocsp-aia,
# revoked-ocsp, revoked-crl, each .key/.pem/-chain.pem, DIR/index.txt for the responder, DIR/crl.der
# for the CRL URL).
pki_aia() {
	pki_ensure || return 1
	"$DBTLS_SRCDIR/tests/pki/gen.sh" --aia "$DBTLS_PKI" "$1" "$2" "$3"
}

# _dbtls_http_start NAME ARGS...: start http_server.py PORTFILE LOGFILE ARGS...; export NAME_PORT,
# NAME_PID, NAME_LOG (one line per request: METHOD PATH STATUS BYTES) and NAME_URL.
_dbtls_http_start() {
	local name=$1 var portfile log pid i port
	shift
	var=$(_dbtls_varname "$name") || return 1
	if [ -n "${_DBTLS_FAKE_PID[$name]:-}" ]; then
		echo "dbtls: server '$name' is already running" >&2
		return 1
	fi
	portfile="$DBTLS_TEST_TMP/http-$name.port"
	log="$DBTLS_TEST_TMP/http-$name.requests"
	rm -f "$portfile" "$log"
	"$DBTLS_PYTHON" "$DBTLS_LIBDIR/http_server.py" "$portfile" "$log" "$@" </dev/null \
		>"$DBTLS_TEST_TMP/http-$name.log" 2>&1 &
	pid=$!
	disown "$pid"
	_DBTLS_FAKE_PID[$name]=$pid
	for ((i = 0; i < 100; i++)); do # 5 s; the port file is written once the socket listens
		if [ -s "$portfile" ]; then
			port=$(cat "$portfile")
			export "${var}_PORT=$port" "${var}_PID=$pid" "${var}_LOG=$log" \
				"${var}_URL=http://127.0.0.1:$port"
			return 0
		fi
		_dbtls_alive "$pid" || break
		sleep 0.05
	done
	echo "dbtls: http server '$name' did not start:" >&2
	cat "$DBTLS_TEST_TMP/http-$name.log" >&2
	fake_stop "$name"
	return 1
}

# start_http_files NAME DIR: serve the files in DIR (GET /FILE) over HTTP on a free 127.0.0.1 port,
# e.g. a CRL for a crlDistributionPoints URL. Exports NAME_PORT, NAME_PID, NAME_URL
# (http://127.0.0.1:PORT) and NAME_LOG (the request log).
start_http_files() {
	mkdir -p "$2"
	_dbtls_http_start "$1" --files "$2"
}

# start_ocsp_responder NAME PORT [INDEX]: an OCSP responder for the test PKI's intermediate on
# 127.0.0.1:PORT (0: a free port), answering from the `openssl ca` database INDEX (default
# $DBTLS_PKI/intermediate-index.txt), signed by the delegated responder ocsp-signer.pem. Every
# request is answered by `openssl ocsp -index INDEX -CA intermediate.pem -rsigner ocsp-signer.pem
# -rkey ocsp-signer.key -reqin/-respout` behind http_server.py (`openssl ocsp -port` itself listens
# on every interface, not only loopback). The index is read per request, so it may be written after
# the start (e.g. by pki_aia with this responder's URL). When INDEX exists, waits until a query for
# server.pem is answered. Exports NAME_PORT, NAME_PID, NAME_URL, NAME_LOG.
start_ocsp_responder() {
	local name=$1 port=$2 index var url out
	pki_ensure || return 1
	index=$(_dbtls_pki_path "${3:-$DBTLS_PKI/intermediate-index.txt}")
	_dbtls_http_start "$name" --port "$port" --ocsp "$index" "$DBTLS_PKI/intermediate.pem" \
		"$DBTLS_PKI/ocsp-signer.pem" "$DBTLS_PKI/ocsp-signer.key" || return 1
	[ -e "$index" ] || return 0
	var=$(_dbtls_varname "$name")
	url=${var}_URL
	out=$(openssl ocsp -issuer "$DBTLS_PKI/intermediate.pem" -cert "$DBTLS_PKI/server.pem" \
		-url "${!url}" -CAfile "$DBTLS_PKI/ca-bundle.pem" -timeout 5 2>&1) || true
	case $out in
	*"server.pem: good"* | *"server.pem: unknown"*) return 0 ;;
	esac
	echo "dbtls: OCSP responder '$name' does not answer: $out" >&2
	cat "$DBTLS_TEST_TMP/http-$name.log" >&2
	fake_stop "$name"
	return 1
}

# ocsp_make_response CERT OUT [INDEX]: write to OUT the DER OCSP response the test PKI's responder
# (ocsp-signer.pem, for the intermediate) gives for CERT (a certificate issued by the intermediate;
# names relative to $DBTLS_PKI) from INDEX (default $DBTLS_PKI/intermediate-index.txt), valid for a
# day, no nonce: what a server staples. Offline: openssl ocsp -reqout, then -index -reqin -respout.
ocsp_make_response() {
	local cert out=$2 index
	pki_ensure || return 1
	cert=$(_dbtls_pki_path "$1")
	index=$(_dbtls_pki_path "${3:-$DBTLS_PKI/intermediate-index.txt}")
	rm -f "$out"
	if ! openssl ocsp -issuer "$DBTLS_PKI/intermediate.pem" -cert "$cert" -no_nonce \
		-reqout "$out.req" >/dev/null 2>&1 ||
		! openssl ocsp -index "$index" -CA "$DBTLS_PKI/intermediate.pem" \
			-rsigner "$DBTLS_PKI/ocsp-signer.pem" -rkey "$DBTLS_PKI/ocsp-signer.key" \
			-reqin "$out.req" -respout "$out" -ndays 1 >/dev/null 2>&1 || [ ! -s "$out" ]; then
		echo "dbtls: ocsp_make_response $1: openssl ocsp failed" >&2
		return 1
	fi
	rm -f "$out.req"
}

# start_tls_server NAME CERTCHAIN KEY [s_server options...]: `openssl s_server -www` on a free
# 127.0.0.1 port, a direct-TLS target (tls://127.0.0.1:PORT) serving CERTCHAIN (leaf first, the rest
# sent as the chain, in file order) with KEY (names relative to $DBTLS_PKI, or paths). It handles
# one connection at a time, any number of them. Waits until the port accepts connections. Exports
# NAME_PORT, NAME_PID, NAME_LOG.
start_tls_server() {
	local name=$1 cert key var dir pid port i
	pki_ensure || return 1
	cert=$(_dbtls_pki_path "$2")
	key=$(_dbtls_pki_path "$3")
	shift 3
	var=$(_dbtls_varname "$name") || return 1
	if [ -n "${_DBTLS_FAKE_PID[$name]:-}" ]; then
		echo "dbtls: server '$name' is already running" >&2
		return 1
	fi
	dir="$DBTLS_TEST_TMP/tls-$name"
	mkdir -p "$dir"
	# leaf.pem: the first certificate; rest.pem: the others, in order (s_server -cert_chain).
	awk -v d="$dir" '/-----BEGIN CERTIFICATE-----/ { n++ }
		n == 1 { print > (d "/leaf.pem") } n > 1 { print > (d "/rest.pem") }' "$cert"
	local chain=()
	[ -s "$dir/rest.pem" ] && chain=(-cert_chain "$dir/rest.pem")
	for _ in 1 2 3; do # another process may take the port between free_port and the bind
		port=$(free_port)
		openssl s_server -accept "127.0.0.1:$port" -cert "$dir/leaf.pem" -key "$key" \
			"${chain[@]}" -www "$@" </dev/null >"$dir/server.log" 2>&1 &
		pid=$!
		disown "$pid"
		_DBTLS_FAKE_PID[$name]=$pid
		for ((i = 0; i < 100; i++)); do # 5 s
			_dbtls_alive "$pid" || break
			if (: <>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				export "${var}_PORT=$port" "${var}_PID=$pid" "${var}_LOG=$dir/server.log"
				return 0
			fi
			sleep 0.05
		done
		fake_stop "$name"
		grep -qiE 'in use|bind' "$dir/server.log" || break
	done
	echo "dbtls: openssl s_server '$name' did not start:" >&2
	cat "$dir/server.log" >&2
	return 1
}

# start_stapling_server NAME CERTCHAIN KEY STATUSFILE [s_server options...]: start_tls_server that
# staples the DER OCSP response in STATUSFILE (see ocsp_make_response) to every handshake whose
# ClientHello asks for it (status_request), TLS 1.3 included.
start_stapling_server() {
	local name=$1 cert=$2 key=$3 status
	status=$(_dbtls_pki_path "$4")
	shift 4
	start_tls_server "$name" "$cert" "$key" -status_file "$status" "$@"
}
