#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# function-sizes.sh: the largest C functions, in lines (from the line that starts the definition
# to its closing brace, comments and blank lines included), in the tree or at a git revision.
#
#   tools/function-sizes.sh [-n N] [-r REV] [DIR...]
#
# DIR... defaults to app src checks reports (those of them that exist). -r REV measures the
# files as they are at git revision REV instead of the work tree. Prints "LINES FILE:LINE NAME",
# largest first, N of them (default 5).
#
# The house style makes definitions easy to find without a parser: a definition starts at column 0
# (its name before the first '('), its body opens with a '{' alone on a line and closes with a '}'
# alone on a line (clang-format, BreakBeforeBraces: Linux).
set -euo pipefail

n=5
rev=
while getopts 'n:r:' opt; do
	case $opt in
	n) n=$OPTARG ;;
	r) rev=$OPTARG ;;
	*)
		echo "usage: $0 [-n N] [-r REV] [DIR...]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- app src checks reports

top=$(cd "$(dirname "$0")/.." && pwd)
list_files() { # the .c files under the given dirs, at $rev or in the work tree
	if [ -n "$rev" ]; then
		git -C "$top" ls-tree -r --name-only "$rev" -- "$@" | grep '\.c$' || true
	else
		(cd "$top" && find "$@" -name '*.c' 2>/dev/null | sort) || true
	fi
}
show() { # the text of file $1
	if [ -n "$rev" ]; then
		git -C "$top" show "$rev:$1" </dev/null
	else
		cat "$top/$1"
	fi
}

list_files "$@" | while IFS= read -r f; do
	show "$f" | awk -v file="$f" '
		# a definition starts at column 0 with an identifier and has "(" on that line
		/^[A-Za-z_][A-Za-z0-9_ \t\*]*\(/ && !/;[ \t]*$/ && !/^(if|for|while|switch|return)\b/ {
			if (!inbody) {
				start = NR
				name = $0
				sub(/\(.*/, "", name)
				sub(/.*[ \t\*]/, "", name)
			}
		}
		/^\{[ \t]*$/ && start && !inbody { inbody = 1; next }
		/^\}/ && inbody {
			printf "%d %s:%d %s\n", NR - start + 1, file, start, name
			inbody = 0
			start = 0
		}'
done | sort -k1,1nr -k2,2 | head -n "$n"
