#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench.sh: the side-by-side benchmark for "enumerate every cipher suite and key exchange per TLS
# version, faster than any peer". Installs what is missing, builds an optimised dbtls (no
# sanitizers) in build-bench/, starts the throw-away "compatibility" MariaDB of the integration
# tests on 127.0.0.1 (TLS 1.0-1.3, ALL:@SECLEVEL=0: 91 accepted suites), and scans it with dbtls,
# nmap's ssl-enum-ciphers, sslscan (default and lean) and testssl. For every run it measures wall
# time (monotonic), peak RSS (/usr/bin/time -f %M), the TCP connections the server counted and the
# CPU time the server spent; then it checks that every tool found the same (version, suite) pairs as
# dbtls and prints a table of medians, also written to $BENCH_OUT. It prints figures; it passes or
# fails only on whether the tools ran and produced output, never on the figures.
#
# Environment: BENCH_RUNS (runs per tool, 5), BENCH_TESTSSL_RUNS (2: one testssl run takes ~90 s),
# BENCH_SKIP (space/comma list of tools to leave out: nmap sslscan sslscan-lean testssl),
# BENCH_OUT (the table; build-bench/results.txt). The last runs' raw outputs stay in
# build-bench/bench-out/. The server and its files are gone when the script ends (lib.sh's trap).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${BENCH_RUNS:-5}
testssl_runs=${BENCH_TESTSSL_RUNS:-2}
skip=" ${BENCH_SKIP:-} "
skip=${skip//,/ }
out_file=${BENCH_OUT:-$top/build-bench/results.txt}
case "$runs$testssl_runs" in
*[!0-9]*) echo "bench: BENCH_RUNS and BENCH_TESTSSL_RUNS must be numbers" >&2; exit 2 ;;
esac

say() { echo "bench: $*" >&2; }
die() { echo "bench: FAIL: $*" >&2; exit 1; }

# --- 1. dependencies and an optimised build ---------------------------------------------------------
. "$top/scripts/deps.sh"
dbtls_install_deps "${DBTLS_BUILD_DEPS[@]}" mariadb-server mariadb-client python3 \
	nmap sslscan testssl.sh time

[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || die "autoreconf failed"
mkdir -p build-bench
say "building dbtls (CFLAGS=-O2, no sanitizers) in build-bench/"
if ! (cd build-bench && { [ -f config.status ] || ../configure -q CFLAGS=-O2; } &&
	make -s -j2 dbtls) >build-bench/build.log 2>&1; then
	tail -n 30 build-bench/build.log >&2
	die "building dbtls failed (build-bench/build.log)"
fi
dbtls=$top/build-bench/dbtls

# --- 2. the server --------------------------------------------------------------------------------
. "$top/tests/integration/lib.sh"
require_mariadb
say "starting the compatibility MariaDB (TLS 1.0-1.3, ALL:@SECLEVEL=0) on 127.0.0.1"
start_compat BENCH
port=$BENCH_PORT

work=$top/build-bench/bench-out
rm -rf "$work"
mkdir -p "$work"
measure_tsv=$work/measure.tsv
: >"$measure_tsv"

# nmap runs its STARTTLS scripts only on ports it believes are mysql (3306, or -sV at ~6 s); on any
# other port it does nothing and exits 0. A private services file fixes that; nmap still reads its
# scripts and other data files from /usr/share/nmap, as the datadir has none of them.
mkdir -p "$work/nmap-data"
printf 'mysql\t%s/tcp\t0.5\n' "$port" >"$work/nmap-data/nmap-services"

clk_tck=$(getconf CLK_TCK)

server_connections() { # the server's Connections counter (this query's own connection included)
	mariadb --no-defaults -uroot --socket="$BENCH_SOCK" -N -B \
		-e "SHOW GLOBAL STATUS LIKE 'Connections'" | awk '{print $2}'
}

server_ticks() { # utime + stime of mariadbd, in clock ticks (fields 14 and 15 of /proc/PID/stat)
	local st
	st=$(cat "/proc/$BENCH_PID/stat")
	st=${st##*) } # drop "pid (comm) ": the comm could hold spaces; fields now start at 3
	awk '{print $12 + $13}' <<<"$st"
}

# measure TOOL RUN OUTPUT CMD...: run CMD once (stdout/stderr to $work/TOOL-RUN.log), set rc to
# its exit status and append "TOOL RUN wall_s rss_kib connections server_ms exit" to measure.tsv.
# Each status query counts its own connection: the one before the run is already in c0, the one
# after is in c1, hence the -1. Not for $(...): errexit does not reach into a command substitution.
measure() {
	local tool=$1 run=$2 output=$3 c0 c1 t0 t1
	shift 3
	rc=0
	rm -f "$output" # testssl refuses to overwrite its JSON file
	c0=$(server_connections)
	t0=$(server_ticks)
	"$DBTLS_PYTHON" -c 'import subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%.6f\n" % (time.monotonic() - t))
sys.exit(rc)' "$work/$tool-$run.wall" /usr/bin/time -f %M -o "$work/$tool-$run.rss" "$@" \
		</dev/null >"$work/$tool-$run.log" 2>&1 || rc=$?
	t1=$(server_ticks)
	c1=$(server_connections)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$(cat "$work/$tool-$run.wall")" \
		"$(tail -n 1 "$work/$tool-$run.rss")" "$((c1 - c0 - 1))" \
		"$(((t1 - t0) * 1000 / clk_tck))" "$rc" >>"$measure_tsv"
}

# check_run TOOL RUN OUTPUT RC OKCODES GREP: the run exited with one of OKCODES and OUTPUT has
# GREP in it; otherwise show the log and stop, so a tool that silently scanned nothing is loud.
check_run() {
	local tool=$1 run=$2 output=$3 rc=$4 ok=$5 pattern=$6
	if [[ " $ok " != *" $rc "* ]]; then
		tail -n 20 "$work/$tool-$run.log" >&2
		die "$tool run $run exited with $rc"
	fi
	if [ ! -s "$output" ] || ! grep -q -- "$pattern" "$output"; then
		tail -n 20 "$work/$tool-$run.log" >&2
		die "$tool run $run produced no cipher suites in $output (looked for '$pattern')"
	fi
}

tools=() # name:format:run-count, in table order
add_tool() { [[ "$skip" == *" $1 "* ]] || tools+=("$1:$2:$3"); }
add_tool dbtls dbtls "$runs"
add_tool nmap nmap "$runs"
add_tool sslscan sslscan "$runs"
add_tool sslscan-lean sslscan "$runs"
add_tool testssl testssl "$testssl_runs"

# --- 3. the runs ----------------------------------------------------------------------------------
for spec in "${tools[@]}"; do
	IFS=: read -r tool fmt n <<<"$spec"
	[ "$n" -gt 0 ] || continue
	say "$tool: $n run(s)"
	for ((run = 1; run <= n; run++)); do
		case $tool in
		dbtls)
			o=$work/dbtls-$run.json
			# 1 = findings at or above --fail-on: expected against this deliberately weak server
			measure "$tool" "$run" "$o" "$dbtls" scan "mysql://127.0.0.1:$port" \
				--ca-file "$DBTLS_PKI/ca-bundle.pem" -q -o "$o"
			check_run "$tool" "$run" "$o" "$rc" "0 1" '"versions"'
			;;
		nmap)
			o=$work/nmap-$run.xml
			measure "$tool" "$run" "$o" nmap -Pn -n -p "$port" --script ssl-enum-ciphers \
				--datadir "$work/nmap-data" 127.0.0.1 -oX "$o"
			check_run "$tool" "$run" "$o" "$rc" 0 '<elem key="name">TLS_'
			;;
		sslscan)
			o=$work/sslscan-$run.xml
			measure "$tool" "$run" "$o" sslscan --starttls-mysql --no-colour \
				--xml="$o" "127.0.0.1:$port"
			check_run "$tool" "$run" "$o" "$rc" 0 '<cipher '
			;;
		sslscan-lean) # only what dbtls also does: versions, suites, groups, certificate
			o=$work/sslscan-lean-$run.xml
			measure "$tool" "$run" "$o" sslscan --starttls-mysql --no-colour \
				--no-heartbleed --no-fallback --no-renegotiation --no-compression \
				--xml="$o" "127.0.0.1:$port"
			check_run "$tool" "$run" "$o" "$rc" 0 '<cipher '
			;;
		testssl)
			# -E (per protocol), not -e: -e tests each suite once at the best version and so
			# gives no (version, suite) pairs. --nodns none: no lookups leave the machine.
			o=$work/testssl-$run.json
			measure "$tool" "$run" "$o" testssl --starttls mysql -p -E --quiet \
				--warnings off --color 0 --nodns none --jsonfile "$o" "127.0.0.1:$port"
			check_run "$tool" "$run" "$o" "$rc" 0 '"cipher-tls'
			;;
		esac
	done
done

# --- 4 and 5. correctness and the table -------------------------------------------------------------
dbtls_rev() { # the commit, "+changes" for a work tree with local edits; read-only git commands only
	local rev
	rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null) || { cat "$top/VERSION"; return; }
	git -C "$top" diff --quiet HEAD 2>/dev/null || rev+="+changes"
	echo "$rev"
}
{
	echo "dbtls benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, Linux $(uname -r);" \
		"MariaDB $(mariadb --no-defaults -uroot --socket="$BENCH_SOCK" -N -B -e 'SELECT VERSION()')" \
		"on 127.0.0.1, TLS 1.0-1.3, ALL:@SECLEVEL=0"
	echo "dbtls $(dbtls_rev) (-O2)," \
		"nmap $(nmap --version | awk '/^Nmap version/ {print $3}')," \
		"sslscan $(sslscan --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | awk 'NF {print $1; exit}')," \
		"testssl $(dpkg-query -W -f='${Version}' testssl.sh 2>/dev/null)"
	"$DBTLS_PYTHON" - "$top/data/cipher-suites.csv" "$work" "$measure_tsv" "${tools[@]}" <<'EOF'
import csv, glob, json, os, re, statistics, sys
import xml.etree.ElementTree as ET

csv_path, work, measure_tsv, specs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
VERSIONS = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

with open(csv_path) as f:
    rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
by_code = {int(r["code"], 16): r["iana_name"] for r in rows}
iana = set(by_code.values())


def name_of_code(code):
    return by_code.get(code, "unknown-0x%04X" % code)


def parse_dbtls(path):
    with open(path) as f:
        d = json.load(f)
    vs = d["endpoints"][0].get("tls", {}).get("versions", {})
    return {(v, s["name"]) for v, info in vs.items() for s in info.get("suites", [])}


def parse_nmap(path):
    pairs = set()
    for script in ET.parse(path).getroot().iter("script"):
        if script.get("id") != "ssl-enum-ciphers":
            continue
        for vt in script.findall("table"):
            for ct in vt.findall("table[@key='ciphers']/table"):
                name = ct.findtext("elem[@key='name']")
                # nmap spells the TLS 1.3 suites TLS_AKE_WITH_<cipher>_<hash>
                if name.startswith("TLS_AKE_WITH_"):
                    name = "TLS_" + name[len("TLS_AKE_WITH_"):]
                pairs.add((vt.get("key"), name))
    return pairs


def parse_sslscan(path):
    # every <cipher> carries the code (id="0xC02F"): map it, rather than OpenSSL's names
    return {(c.get("sslversion"), name_of_code(int(c.get("id"), 16)))
            for c in ET.parse(path).getroot().iter("cipher")}


TESTSSL_VER = {"ssl2": "SSLv2", "ssl3": "SSLv3", "tls1": "TLSv1.0", "tls1_1": "TLSv1.1",
               "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}


def parse_testssl(path):
    with open(path) as f:
        d = json.load(f)
    pairs = set()
    for finding in d:
        m = re.fullmatch(r"cipher-(ssl2|ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-fA-F]+)",
                         finding.get("id", ""))
        if m:
            pairs.add((TESTSSL_VER[m.group(1)], name_of_code(int(m.group(2), 16))))
    return pairs


PARSERS = {"dbtls": (parse_dbtls, "json"), "nmap": (parse_nmap, "xml"),
           "sslscan": (parse_sslscan, "xml"), "testssl": (parse_testssl, "json")}

meas = {}
with open(measure_tsv) as f:
    for line in f:
        tool, run, wall, rss, conns, cpu, rc = line.rstrip("\n").split("\t")
        meas.setdefault(tool, []).append((float(wall), int(rss), int(conns), int(cpu)))

tools, sets, notes = [], {}, []
for spec in specs:
    tool, fmt, n = spec.split(":")
    if tool not in meas:
        continue
    parse, ext = PARSERS[fmt]
    found = [parse(p) for p in sorted(glob.glob(os.path.join(work, "%s-[0-9]*.%s" % (tool, ext))))]
    if any(s != found[-1] for s in found):
        notes.append("%s: the runs disagree: %s suites" % (tool, "/".join(str(len(s)) for s in found)))
    tools.append(tool)
    sets[tool] = found[-1]
    bad = sorted(n for v, n in found[-1] if n not in iana)
    if bad:
        notes.append("%s: names not in the IANA registry: %s" % (tool, ", ".join(bad[:5])))

# dbtls is the reference; before its enumeration lands (no suites in its JSON) the first peer is.
ref = "dbtls" if sets.get("dbtls") else next((t for t in tools if sets[t]), None)
if ref != "dbtls":
    notes.append("dbtls reported no suites: peers are compared with %s instead" % ref)


def med(tool, i):
    return statistics.median(m[i] for m in meas[tool])


def same(tool):
    if ref is None:
        return "-"
    if tool == ref:
        return "(ref)"
    a, b = sets[tool], sets[ref]
    if a == b:
        return "same set"
    return "-%d +%d" % (len(b - a), len(a - b))


def ratio(tool, i):
    if "dbtls" not in meas or tool == "dbtls":
        return "-"
    base = med("dbtls", i)
    return "%.2fx" % (med(tool, i) / base) if base else "inf"


hdr = ("tool", "runs", "wall s", "RSS MiB", "conns", "srv CPU ms", "suites", "vs " + (ref or "-"),
       "wall x", "conns x", "CPU x")
table = [hdr]
for t in tools:
    table.append((t, str(len(meas[t])), "%.3f" % med(t, 0), "%.1f" % (med(t, 1) / 1024),
                  "%g" % med(t, 2), "%g" % med(t, 3), str(len(sets[t])), same(t),
                  ratio(t, 0), ratio(t, 2), ratio(t, 3)))
w = [max(len(r[i]) for r in table) for i in range(len(hdr))]
print()
for k, r in enumerate(table):
    print("  ".join(c.ljust(w[i]) if i in (0, 7) else c.rjust(w[i]) for i, c in enumerate(r)).rstrip())
    if k == 0:
        print("  ".join("-" * x for x in w))
print()
print("medians; RSS = the largest single process (testssl: one of its bash/openssl children);")
print("conns = TCP connections the server counted; srv CPU = mariadbd utime+stime (10 ms ticks).")
print()
for t in tools:
    per = {}
    for v, _ in sets[t]:
        per[v] = per.get(v, 0) + 1
    line = "%-13s %s" % (t + ":", " ".join("%s %d" % (v, per[v]) for v in VERSIONS if v in per) or "none")
    if ref and t != ref and sets[t] != sets[ref]:
        missing, extra = sorted(sets[ref] - sets[t]), sorted(sets[t] - sets[ref])
        line += "\n    missing %d: %s\n    extra %d: %s" % (
            len(missing), ", ".join("%s %s" % p for p in missing[:4]) + (" ..." if len(missing) > 4 else ""),
            len(extra), ", ".join("%s %s" % p for p in extra[:4]) + (" ..." if len(extra) > 4 else ""))
    print(line)
if "dbtls" in meas:
    with open(sorted(glob.glob(os.path.join(work, "dbtls-[0-9]*.json")))[-1]) as f:
        cu = json.load(f)["endpoints"][0].get("connections_used")
    notes.append("dbtls says connections_used=%s; the server counted %g" % (cu, med("dbtls", 2)))
for n in notes:
    print("note: " + n)
EOF
} >"$work/results.txt"

mkdir -p "$(dirname "$out_file")"
cp "$work/results.txt" "$out_file"
cat "$out_file"
say "table written to $out_file; raw outputs in $work"
