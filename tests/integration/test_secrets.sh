#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_secrets.sh: the SQL password is not in the process environment while a scan runs (so not in
# a core dump or /proc/PID/environ either), and the process is non-dumpable while it holds it: a
# scan kept alive by a server that drips its greeting is looked at from outside. dbtls runs as an
# unprivileged user for that, because /proc/PID/* belong to root exactly when a process is
# non-dumpable. An option file that holds a password and is group- or world-readable is a warning
# on stderr and the finding sql.option-file-permissions; at mode 0600 it is neither.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
PW='Sc4n-s3cret-in-env-4711'

fake_start drip mysql-drip
fake_start nossl mysql-nossl

# --- the environment and dumpability while a scan runs --------------------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T"
	DBTLS_MYSQL_PASSWORD=$PW setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$DBTLS" scan --policy none -q --sql --sql-user scan --timeout 4 \
		--defaults-file /dev/null -o "$T/drip.json" "mysql://127.0.0.1:$DRIP_PORT" \
		2>"$T/drip.err" &
	pid=$!
	for ((i = 0; i < 40; i++)); do # the greeting's first bytes: the scan is under way
		[ "$(stat -c %U "/proc/$pid/status" 2>/dev/null)" = root ] && break
		sleep 0.05
	done
	sleep 0.5
	assert_eq "the scan is still running" 1 "$(_dbtls_alive "$pid" && echo 1 || echo 0)"
	assert_eq "the password is gone from /proc/PID/environ" 0 \
		"$(tr '\0' '\n' <"/proc/$pid/environ" | grep -c -F -- "$PW" || true)"
	assert_eq "... and from the process's environment variables" 0 \
		"$(tr '\0' '\n' <"/proc/$pid/environ" | grep -c '^DBTLS_MYSQL_PASSWORD=.' || true)"
	assert_eq "non-dumpable while the password is held (/proc/PID owned by root)" root \
		"$(stat -c %U "/proc/$pid/status")"
	wait "$pid" || true
else
	echo "SKIP environment/dumpability: needs root and setpriv"
fi

# --- option files holding a password ----------------------------------------------------------------
printf '[client]\nuser = scan\npassword = opt-file-pw\n' >"$T/my.cnf"
optscan() { # NAME: scan the no-TLS fake with the option file (the login itself is skipped)
	rc=0
	"$DBTLS" scan --sql --defaults-file "$T/my.cnf" -q -o "$T/$1.json" \
		"mysql://127.0.0.1:$NOSSL_PORT" 2>"$T/$1.err" || rc=$?
}
chmod 644 "$T/my.cnf"
optscan world
assert_match "world-readable option file: a warning on stderr" \
	"warning: $T/my.cnf holds a password and is world-readable \(mode 0644\)" "$(cat "$T/world.err")"
assert_eq "world-readable option file: the finding" 1 \
	"$(py_json "$T/world.json" "len([f for f in d['endpoints'][0]['findings'] if f['check'] == 'sql.option-file-permissions'])")"
assert_eq "world-readable option file: the fact" '{"mode": "0644", "path": "'"$T"'/my.cnf", "world_readable": true}' \
	"$(py_json "$T/world.json" "d['endpoints'][0]['sql']['option_file']")"
assert_ok "world-readable option file: report valid" validate_report "$T/world.json"
chmod 640 "$T/my.cnf"
optscan group
assert_match "group-readable option file: a warning" "group-readable \(mode 0640\)" "$(cat "$T/group.err")"
chmod 600 "$T/my.cnf"
optscan private
assert_eq "0600 option file: no warning" "" "$(cat "$T/private.err")"
assert_eq "0600 option file: no finding, no fact" "0 False" \
	"$(py_json "$T/private.json" "'%d %s' % (len([f for f in d['endpoints'][0]['findings'] if f['check'] == 'sql.option-file-permissions']), 'option_file' in d['endpoints'][0]['sql'])")"
assert_match "the check is explained" 'sql.option-file-permissions' "$("$DBTLS" explain all)"

finish
