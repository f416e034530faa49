#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_suites_truth.sh: dbtls's per-version cipher-suite and group enumeration against the ground
# truth of `openssl s_client`, on two real MariaDB servers (the compatibility config: TLS 1.0-1.3,
# ALL:@SECLEVEL=0; the strict one: TLS 1.2/1.3, ECDHE+AEAD).
#
# The truth is one s_client handshake per (server, version, suite the local OpenSSL can offer in
# that version) and per (server, TLS 1.3 group): about 320 handshakes, run 4 at a time. A suite
# counts as accepted only when s_client's -brief output names exactly that suite and version.
# dbtls must report the same set for every version (compared as sorted IANA names so a failure
# shows the difference), nothing outside it, the same codes and OpenSSL names as `openssl ciphers
# -V -stdname`, no server order (MariaDB has none), the same TLS 1.3 groups, and stay within the
# connection budget of the issue.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_mariadb

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
t0=$(date +%s.%N)
elapsed() { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }

start_compat COMPAT
start_strict STRICT
CA=$DBTLS_PKI/ca-bundle.pem

# OpenSSL's own TLS 1.3 suites: -ciphersuites takes these names; CCM is not in OpenSSL's default
# list, so `openssl ciphers -s -tls1_3` would not show it.
TLS13_SUITES=(TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256
	TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256)
# Every group the local OpenSSL can offer in TLS 1.3 (secp224r1 and brainpool it cannot).
TRY_GROUPS=(x25519 secp256r1 secp384r1 secp521r1 x448 ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144
	ffdhe8192)
# Everything, including the anonymous suites, at a level that still allows TLS 1.0/1.1.
ALL='ALL:COMPLEMENTOFALL:@SECLEVEL=0'
VERSIONS=(tls1:TLSv1.0 tls1_1:TLSv1.1 tls1_2:TLSv1.2 tls1_3:TLSv1.3)
SERVERS=(compat:"$COMPAT_PORT" strict:"$STRICT_PORT") # endpoint 0 and 1 of the report

# --- dbtls ----------------------------------------------------------------------------------------
ts=$(date +%s.%N)
rc=0
"$DBTLS" scan --policy none --ca-file "$CA" -q -o "$T/r.json" "127.0.0.1:$COMPAT_PORT" "127.0.0.1:$STRICT_PORT" ||
	rc=$?
echo "dbtls scan: $(elapsed "$ts") s"
assert_eq "exit status when every endpoint was scanned" 0 "$rc"
assert_ok "report validates against the schema" validate_report "$T/r.json"
# j EXPR: py_json on the report; a failure (no report, a missing key) becomes a value that fails
# the assertion with the reason instead of ending the test before the truth is printed.
j() { py_json "$T/r.json" "$1" 2>"$T/j.err" || echo "ERROR: $(tail -n 1 "$T/j.err")"; }

# --- ground truth ---------------------------------------------------------------------------------
# OpenSSL name -> IANA name and code ("0xC02F"), from the local OpenSSL's own table.
declare -A IANA=() CODE=()
while read -r code _ iana _ ossl _; do
	IANA[$ossl]=$iana
	CODE[$ossl]=${code//,0x/}
done < <(openssl ciphers -V -stdname -ciphersuites "$(IFS=:; echo "${TLS13_SUITES[*]}")" "$ALL")

# truth_probe KIND TAG PORT NAME: one s_client handshake; prints "TAG KIND NAME" when the server
# accepts it. KIND tls1/tls1_1/tls1_2: only suite NAME (OpenSSL name) in that version; tls1_3: only
# suite NAME; group: TLS 1.3 with only group NAME. @SECLEVEL=0 stays in -cipher: without it
# Debian's OpenSSL refuses TLS 1.0/1.1 and the anonymous suites on the client side.
# shellcheck disable=SC2317 # called by xargs through `bash -c`
truth_probe() {
	local kind=$1 tag=$2 port=$3 name=$4 out proto rc _
	local args=()
	case $kind in
	tls1) args=(-tls1 -cipher "$name:@SECLEVEL=0") proto=TLSv1 ;;
	tls1_1) args=(-tls1_1 -cipher "$name:@SECLEVEL=0") proto=TLSv1.1 ;;
	tls1_2) args=(-tls1_2 -cipher "$name:@SECLEVEL=0") proto=TLSv1.2 ;;
	tls1_3) args=(-tls1_3 -ciphersuites "$name") proto=TLSv1.3 ;;
	group) args=(-tls1_3 -groups "$name") proto=TLSv1.3 ;;
	esac
	# A hang (timeout's 124) is retried once; an alert is an answer. The limit is generous: on a
	# loaded machine an ffdhe8192 handshake (key generation on both sides) takes seconds.
	for _ in 1 2; do
		rc=0
		out=$(timeout 30 openssl s_client -brief -starttls mysql -connect "127.0.0.1:$port" \
			"${args[@]}" </dev/null 2>&1) || rc=$?
		[ "$rc" -eq 124 ] || break
	done
	grep -qFx "Protocol version: $proto" <<<"$out" || return 0
	if [ "$kind" = group ] || grep -qFx "Ciphersuite: $name" <<<"$out"; then
		echo "$tag $kind $name"
	fi
	return 0
}
export -f truth_probe

declare -A OFFERABLE=() # version -> the IANA names the local OpenSSL can offer in it
: >"$T/jobs"
for v in "${VERSIONS[@]}"; do
	flag=${v%%:*}
	if [ "$flag" = tls1_3 ]; then
		names=("${TLS13_SUITES[@]}")
	else
		IFS=: read -r -a names < <(openssl ciphers -s "-$flag" "$ALL")
	fi
	list=
	for n in "${names[@]}"; do
		[ -n "${IANA[$n]:-}" ] || {
			echo "no IANA name for OpenSSL's $n"
			exit 1
		}
		list+="${IANA[$n]} "
		for s in "${SERVERS[@]}"; do
			echo "$flag ${s%%:*} ${s#*:} $n" >>"$T/jobs"
		done
	done
	OFFERABLE[${v#*:}]=$list
	echo "local OpenSSL offers ${#names[@]} suites in ${v#*:}"
done
for g in "${TRY_GROUPS[@]}"; do
	for s in "${SERVERS[@]}"; do
		echo "group ${s%%:*} ${s#*:} $g" >>"$T/jobs"
	done
done
ts=$(date +%s.%N)
xargs -P 4 -L 1 bash -c 'truth_probe "$@"' _ <"$T/jobs" >"$T/accepted"
echo "ground truth: $(wc -l <"$T/jobs") s_client handshakes in $(elapsed "$ts") s"

# truth TAG KIND: the accepted names, as sorted IANA names (groups as they are), space-joined.
truth() {
	local n out=()
	while read -r n; do
		if [ "$2" = group ]; then out+=("$n"); else out+=("${IANA[$n]}"); fi
	done < <(awk -v t="$1" -v k="$2" '$1 == t && $2 == k { print $3 }' "$T/accepted")
	[ ${#out[@]} -gt 0 ] || return 0
	csort "${out[@]}"
}
# csort WORD...: the words sorted the way Python's sorted() sorts them (code points), space-joined.
csort() {
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | LC_ALL=C sort | paste -sd ' '
}
# assert_set_eq WHAT WANT GOT: assert_eq on two sorted, space-joined lists; on a mismatch also
# prints what each side lacks, since a 56-name line hides a single difference.
assert_set_eq() {
	assert_eq "$@"
	[ "$2" != "$3" ] || return 0
	echo "  only in s_client's truth: $(comm -23 <(tr ' ' '\n' <<<"$2" | LC_ALL=C sort) \
		<(tr ' ' '\n' <<<"$3" | LC_ALL=C sort) | paste -sd ' ')"
	echo "  only in dbtls's report:   $(comm -13 <(tr ' ' '\n' <<<"$2" | LC_ALL=C sort) \
		<(tr ' ' '\n' <<<"$3" | LC_ALL=C sort) | paste -sd ' ')"
}
count() { if [ -z "$1" ]; then echo 0; else wc -w <<<"$1" | tr -d ' '; fi; }

# --- suites: dbtls equals the truth, version by version -------------------------------------------
declare -A WANT_COUNT=([compat:TLSv1.0]=16 [compat:TLSv1.1]=16 [compat:TLSv1.2]=56
	[compat:TLSv1.3]=3 [strict:TLSv1.0]=0 [strict:TLSv1.1]=0 [strict:TLSv1.2]=3 [strict:TLSv1.3]=3)
declare -A TRUTH_TOTAL=()
for i in 0 1; do
	tag=${SERVERS[$i]%%:*}
	for v in "${VERSIONS[@]}"; do
		flag=${v%%:*} ver=${v#*:}
		want=$(truth "$tag" "$flag")
		n=$(count "$want")
		TRUTH_TOTAL[$tag]=$((${TRUTH_TOTAL[$tag]:-0} + n))
		echo "truth $tag $ver: $n suites"
		assert_eq "$tag $ver: s_client accepts the field notes' number of suites" \
			"${WANT_COUNT[$tag:$ver]}" "$n"
		S="(d['endpoints'][$i]['tls']['versions']['$ver'].get('suites') or [])"
		offerable=" ${OFFERABLE[$ver]}"
		ours=$(j "' '.join(sorted(s['name'] for s in $S if s['name'] in '''$offerable'''.split()))")
		assert_set_eq "$tag $ver: dbtls's suites (those OpenSSL knows) equal s_client's" "$want" "$ours"
		extra=$(j "' '.join(sorted(s['name'] for s in $S if s['name'] not in '''$want'''.split()))")
		assert_eq "$tag $ver: dbtls reports no suite s_client does not see accepted" "" "$extra"
		assert_eq "$tag $ver: no suite listed twice" \
			"$(j "len($S)")" "$(j "len(set(s['name'] for s in $S))")"
		# codes and OpenSSL names as the local OpenSSL's table has them
		exp=()
		while read -r o; do
			exp+=("${IANA[$o]}=${CODE[$o]}=$o")
		done < <(awk -v t="$tag" -v k="$flag" '$1 == t && $2 == k { print $3 }' "$T/accepted")
		got=$(j "' '.join(sorted('%s=%s=%s' % (s['name'], s.get('code'), s.get('openssl_name'))
			for s in $S if s['name'] in '''$want'''.split()))")
		assert_set_eq "$tag $ver: codes and OpenSSL names equal openssl ciphers -V -stdname" \
			"$(csort "${exp[@]}")" "$got"
		# MariaDB has no server cipher order: the client's first choice always wins
		if [ "$n" -ge 2 ]; then
			assert_eq "$tag $ver: server_order false (MariaDB follows the client)" false \
				"$(j "d['endpoints'][$i]['tls']['versions']['$ver'].get('server_order')")"
		fi
	done
done
assert_eq "compat: 91 suites in all (field notes)" 91 "${TRUTH_TOTAL[compat]}"

# --- groups ---------------------------------------------------------------------------------------
declare -A NGROUPS=()
for i in 0 1; do
	tag=${SERVERS[$i]%%:*}
	want=$(truth "$tag" group)
	NGROUPS[$tag]=$(count "$want")
	echo "truth $tag groups (TLS 1.3): $want"
	for g in x25519 secp256r1; do
		assert_match "$tag: s_client gets $g accepted" "(^| )$g( |\$)" "$want"
	done
	# all of dbtls's groups: one outside TRY_GROUPS shows up as a difference to look into
	ours=$(j "' '.join(sorted(d['endpoints'][$i]['tls'].get('groups') or []))")
	assert_set_eq "$tag: dbtls's groups equal s_client's" "$want" "$ours"
done

# --- what it cost the server ----------------------------------------------------------------------
# The bound is unchanged although the default scan now spends 2 connections on handshake facts
# (flight+CCS, fallback SCSV): the reverse-order preference check saves 1 per version with 3 or
# more suites (4 on compat), so the total went down (116 -> 114 on compat)
used=$(j "d['endpoints'][0]['connections_used']")
bound=$((TRUTH_TOTAL[compat] + NGROUPS[compat] + 2 * 6 + 5))
echo "compat: dbtls used $used connections (bound $bound);" \
	"strict: $(j "d['endpoints'][1]['connections_used']")"
assert_match "compat: connections_used is a number" '^[0-9]+$' "$used"
if [[ $used =~ ^[0-9]+$ ]]; then
	assert_eq "compat: connections_used <= accepted suites + groups + 2*6 + 5 ($bound)" yes \
		"$([ "$used" -le "$bound" ] && echo yes || echo "no: $used")"
fi

echo "test_suites_truth: $(elapsed "$t0") s"
finish
