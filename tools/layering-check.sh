#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# layering-check.sh [TOP]: fails when an #include crosses a forbidden arrow between the layers of
# docs/ARCHITECTURE.md. Every include is written from the top of the tree ("src/wire/hello.h"),
# so a file's layer and the layer of each header it includes are read off their paths:
#
#   core      src/core/      -> (libc, OpenSSL, jansson only)
#   facts     src/facts/     -> core
#   registry  src/registry/  -> core facts
#   pki       src/pki/       -> core facts registry
#   wire      src/wire/      -> core facts registry pki
#   scan      src/scan/      -> core facts registry pki wire
#   audit     src/audit/     -> core facts registry pki
#   sim       src/sim/       -> core facts registry (client-impact simulation: pure code)
#   checks    checks/        -> core facts registry sim
#   reports   reports/       -> core facts registry checks sim
#   app       app/           -> everything
#
# A layer may always include its own headers. Generated sources (suites_gen.c, …) and config.h
# are the build's own. Prints one line per offending include (FILE:LINE: include "X": LAYER ->
# LAYER is not allowed) and exits 1; exits 0 when the tree is clean.
set -u
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 2

layer_of() { # PATH -> layer name, or "" for files outside the layers
	case $1 in
	src/core/*) echo core ;;
	src/facts/*) echo facts ;;
	src/registry/*) echo registry ;;
	src/pki/*) echo pki ;;
	src/wire/*) echo wire ;;
	src/scan/*) echo scan ;;
	src/audit/*) echo audit ;;
	src/sim/*) echo sim ;;
	checks/*) echo checks ;;
	reports/*) echo reports ;;
	app/*) echo app ;;
	config.h) echo build ;;
	*) echo "" ;;
	esac
}

allowed() { # FROM TO -> 0 when FROM may include TO
	[ "$1" = "$2" ] && return 0
	[ "$2" = build ] && return 0
	case "$1:$2" in
	facts:core) return 0 ;;
	registry:core | registry:facts) return 0 ;;
	pki:core | pki:facts | pki:registry) return 0 ;;
	wire:core | wire:facts | wire:registry | wire:pki) return 0 ;;
	scan:core | scan:facts | scan:registry | scan:pki | scan:wire) return 0 ;;
	audit:core | audit:facts | audit:registry | audit:pki) return 0 ;;
	sim:core | sim:facts | sim:registry) return 0 ;;
	checks:core | checks:facts | checks:registry | checks:sim) return 0 ;;
	reports:core | reports:facts | reports:registry | reports:checks | reports:sim) return 0 ;;
	app:*) return 0 ;;
	esac
	return 1
}

bad=0
while IFS= read -r file; do
	from=$(layer_of "$file")
	[ -n "$from" ] || continue
	while IFS=: read -r line inc; do
		inc=${inc#*\"}
		inc=${inc%%\"*}
		to=$(layer_of "$inc")
		case $inc in ./* | ../* | */../* | */./*) to="" ;; esac
		if [ -z "$to" ]; then
			echo "$file:$line: include \"$inc\": not a path from the top of the tree"
			bad=1
		elif ! allowed "$from" "$to"; then
			echo "$file:$line: include \"$inc\": $from -> $to is not allowed"
			bad=1
		fi
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file")
done < <(find app src checks reports -name '*.[ch]' | sort)
[ $bad -eq 0 ] && echo "layering-check: clean"
exit $bad
