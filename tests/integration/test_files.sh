#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_files.sh: report files never destroy and never lie. `-o` onto a device node, a FIFO, a
# symlink or a directory is refused (exit 2, one line naming it) and the thing is left as it was;
# a rescan keeps the old report's mode; a full disk says "No space left on device" for the file
# (the message used to come out garbled: "ile error"); a SIGTERM at any moment of the write leaves
# no "*.tmp.XXXXXX" behind. The reports come from `dbtls check` on a facts file made by one quick
# scan of a fake server, so nothing else goes over the network.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP

fake_start nossl mysql-nossl
"$DBTLS" scan --policy none -q -o "$T/facts.json" "127.0.0.1:$NOSSL_PORT" "mysql://127.0.0.1:$NOSSL_PORT/"
check() { "$DBTLS" check --facts "$T/facts.json" --policy none -q "$@"; }

# --- non-regular targets ---------------------------------------------------------------------------
refused() { # WHAT PATH KIND: -o PATH is refused and PATH is still KIND (stat %F)
	local rc=0
	check --format json -o "$2" 2>"$T/err" || rc=$?
	assert_eq "$1: exit 2" 2 "$rc"
	# (a directory is refused while the options are read, before anything is scanned)
	assert_match "$1: one line naming it" \
		"^dbtls: (cannot write report $2: not a regular file|-o $2: is a directory)" "$(cat "$T/err")"
	assert_eq "$1: left as it was" "$3" "$(stat -c %F "$2")"
}
if [ "$(id -u)" = 0 ]; then
	mknod "$T/null" c 1 3
	refused "device node" "$T/null" "character special file"
fi
mkfifo "$T/fifo"
refused "FIFO" "$T/fifo" "fifo"
echo precious >"$T/target"
ln -s "$T/target" "$T/link.json"
refused "symlink" "$T/link.json" "symbolic link"
assert_eq "symlink: its target untouched" precious "$(cat "$T/target")"
mkdir "$T/dir.json"
refused "directory" "$T/dir.json" "directory"
rc=0
check -o - >"$T/stdout.txt" || rc=$?
assert_eq "'-' is still standard output" 0 "$rc"
assert_match "'-' wrote the report" 'endpoint' "$(tr -d '\n' <"$T/stdout.txt" | head -c 4000)"

# --- the old mode is kept ----------------------------------------------------------------------------
check -o "$T/r.json"
chmod 600 "$T/r.json"
check -o "$T/r.json"
assert_eq "rescan keeps a 0600 report 0600" 600 "$(stat -c %a "$T/r.json")"
rm -f "$T/new.json"
(umask 022 && check -o "$T/new.json")
assert_eq "a new report gets 0666 & ~umask" 644 "$(stat -c %a "$T/new.json")"

# --- a full disk -------------------------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$T/small"
	rc=0
	unshare -m sh -c 'mount -t tmpfs -o size=4k tmpfs "$1/small" &&
		"$2" check --facts "$1/facts.json" --policy none -q -o "$1/small/r.html" 2>"$1/full.err"
		rc=$?; ls -a "$1/small" >"$1/small.ls"; exit $rc' sh "$T" "$DBTLS" || rc=$?
	assert_eq "full disk: exit 2" 2 "$rc"
	assert_match "full disk: the message names the file and the cause" \
		'small/r\.html: write error: No space left on device$' "$(cat "$T/full.err")"
	assert_eq "full disk: no temporary left" "" "$(grep -F .tmp. "$T/small.ls" || true)"
else
	echo "SKIP full disk: needs root and unshare -m"
fi

# --- a signal during the write ------------------------------------------------------------------------
# SIGTERM at 81 moments from 0 to 40 ms: some land in the window between mkstemp and rename.
mkdir "$T/sig"
for i in $(seq 0 80); do
	"$DBTLS" check --facts "$T/facts.json" --policy none -q -o "$T/sig/r.json" -o "$T/sig/r.html" \
		-o "$T/sig/r.txt" -o "$T/sig/r.jsonl" 2>/dev/null &
	pid=$!
	sleep "0.0$(printf %02d $((i / 2)))"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
done
assert_eq "SIGTERM during writes: no temporary file left" "" "$(ls "$T/sig" | grep -F .tmp. || true)"

finish
