#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_fleet.sh: scaling past one machine. --shard K/N slices are disjoint, cover the list and do
# not move when the list is reordered; N processes run the way a Kubernetes Indexed Job runs them
# (the index from JOB_COMPLETION_INDEX, --shard auto/N) and `dbtls merge` of their reports equals
# the unsharded scan (times and durations aside); the same endpoint twice is an error naming it
# unless --latest, which keeps the report that started later. Debian's prometheus-node-exporter
# serves the textfile dbtls writes, and its /metrics has the dbtls series (earliest expiry,
# version info, build info, last success). The contrib/ units pass systemd-analyze verify and the
# YAML parses. One MariaDB listening on several loopback addresses plus refused loopback targets:
# no fleet of servers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DBTLS=${DBTLS:-$DBTLS_SRCDIR/dbtls}
T=$DBTLS_TEST_TMP
require_mariadb
pki_ensure >/dev/null
CA=$DBTLS_PKI/ca-bundle.pem

# --- the fleet: one server on 127.0.0.1-4, and 36 refused endpoints ------------------------------
PORT=$(free_port)
start_compat FLEET --port="$PORT" --bind-address=127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4
: >"$T/targets.txt"
for i in 1 2 3 4; do echo "mysql://127.0.0.$i:$PORT" >>"$T/targets.txt"; done
for i in $(seq 10 45); do echo "mysql://127.0.0.$i:1" >>"$T/targets.txt"; done
N=3
SCAN=(--ca-file "$CA" --timeout 2 --jobs 8 -q)

rc=0
"$DBTLS" scan --targets "$T/targets.txt" "${SCAN[@]}" -o "$T/all.json" -o "$T/all.prom" || rc=$?
assert_eq "unsharded scan: findings/unscanned, not a usage error" 1 "$((rc == 1 || rc == 3))"

# N processes as an Indexed Job runs its pods: the same list, JOB_COMPLETION_INDEX=0..N-1
for k in $(seq 0 $((N - 1))); do
	JOB_COMPLETION_INDEX=$k "$DBTLS" scan --targets "$T/targets.txt" --shard "auto/$N" "${SCAN[@]}" \
		-o "$T/shard-$k.json" &
done
wait || true
for k in $(seq 0 $((N - 1))); do
	assert_eq "shard $k written" 1 "$([ -s "$T/shard-$k.json" ] && echo 1 || echo 0)"
done

ids() { # REPORT...: the canonical ids of the endpoints, sorted
	"$DBTLS_PYTHON" - "$@" <<'EOF'
import json, sys
for f in sys.argv[1:]:
    for e in json.load(open(f))["endpoints"]:
        print("%s://%s:%d" % (e["protocol"], e["host"].lower(), e["port"]))
EOF
}
all_ids=$(ids "$T/all.json" | sort)
union=$(ids "$T"/shard-*.json | sort)
assert_eq "the shards together cover the list" "$all_ids" "$union"
assert_eq "the shards are disjoint" "$(echo "$union" | wc -l)" "$(echo "$union" | sort -u | wc -l)"
assert_eq "40 endpoints" 40 "$(echo "$all_ids" | wc -l)"
empty=0
for k in $(seq 0 $((N - 1))); do
	[ "$(ids "$T/shard-$k.json" | wc -l)" -gt 0 ] || empty=$((empty + 1))
done
assert_eq "no shard of 40 endpoints is empty" 0 "$empty"

# a slice does not change when the list is reordered (nor with --shard K/N spelled out)
tac "$T/targets.txt" >"$T/reversed.txt"
"$DBTLS" scan --targets "$T/reversed.txt" --shard 1/$N "${SCAN[@]}" --policy none \
	-o "$T/rev-1.json" || true
assert_eq "shard 1 of the reversed list: the same endpoints" "$(ids "$T/shard-1.json" | sort)" \
	"$(ids "$T/rev-1.json" | sort)"

# the merge equals the unsharded scan, times and durations aside
rc=0
"$DBTLS" merge "$T"/shard-*.json -q -o "$T/merged.json" -o "$T/merged.prom" || rc=$?
assert_eq "merge: the same exit status class as the scan" 1 "$((rc == 1 || rc == 3))"
normal() { # REPORT: the document without times, endpoints in id order
	"$DBTLS_PYTHON" - "$1" <<'EOF'
import json, re, sys
# connection_id: the server numbers its connections, a rescan gets others
# connections_used: the warm connections opened beside each opening probe are counted too, and
# how many of them a busy run ends up closing unused (and opening again) moves with its timing
TIME = re.compile(r"^(started_at|finished_at|duration_s|duration_ms|scan_id|connection_id|connections_used)$")
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if not TIME.search(k)}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
d = json.load(open(sys.argv[1]))
d["endpoints"].sort(key=lambda e: (e["protocol"], e["host"], e["port"]))
print(json.dumps(strip(d), sort_keys=True, indent=1))
EOF
}
normal "$T/all.json" >"$T/all.norm"
normal "$T/merged.json" >"$T/merged.norm"
if diff -u "$T/all.norm" "$T/merged.norm" >"$T/merge.diff"; then d=same; else d=differs; fi
assert_eq "merge of the shards = the unsharded scan (times aside)" same "$d"
[ "$d" = same ] || head -40 "$T/merge.diff"
validate_report "$T/merged.json"

# the same endpoint twice: an error that names it, unless --latest
rc=0
"$DBTLS" merge "$T/shard-0.json" "$T/shard-0.json" -q -o "$T/dup.json" 2>"$T/dup.err" || rc=$?
assert_eq "merge of an endpoint twice: exit 2" 2 "$rc"
first=$(ids "$T/shard-0.json" | sed -n 1p) # (sed reads it all: head could close the pipe on python)
assert_match "the error names the endpoint" "$first is in both" "$(cat "$T/dup.err")"
assert_eq "no report written" 0 "$([ -e "$T/dup.json" ] && echo 1 || echo 0)"
# a later report of shard 0 whose first endpoint says something else: --latest keeps it, in
# either order of the files
"$DBTLS_PYTHON" - "$T/shard-0.json" "$T/later.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["started_at"] = "2099-01-01T00:00:00Z"
d["finished_at"] = "2099-01-01T00:00:01Z"
d["endpoints"][0]["sni"] = "later.example"
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
sni_of_first() {
	"$DBTLS_PYTHON" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([e.get("sni") for e in d["endpoints"] if "%s://%s:%d" % (e["protocol"], e["host"], e["port"]) == sys.argv[2]][0])' "$1" "$2"
}
for order in "later.json shard-0.json" "shard-0.json later.json"; do
	rc=0
	(cd "$T" && "$DBTLS" merge --latest $order --policy none -q -o latest.json) || rc=$?
	assert_eq "merge --latest ($order): not a usage error" 1 "$((rc != 2))"
	assert_eq "merge --latest ($order): the later report wins" later.example \
		"$(sni_of_first "$T/latest.json" "$first")"
	assert_eq "merge --latest ($order): each endpoint once" "$(ids "$T/shard-0.json" | wc -l)" \
		"$(ids "$T/latest.json" | wc -l)"
done

# --shard's own errors: one line, exit 2, nothing scanned
for bad in "3/3" "x/3" "1/0" "-1/3" "1"; do
	rc=0
	"$DBTLS" scan --shard "$bad" mysql://127.0.0.1:1 2>"$T/err" >/dev/null || rc=$?
	assert_eq "--shard $bad: exit 2" 2 "$rc"
done
rc=0
env -u JOB_COMPLETION_INDEX "$DBTLS" scan --shard auto/3 mysql://127.0.0.1:1 2>"$T/err" || rc=$?
assert_eq "--shard auto/N without JOB_COMPLETION_INDEX: exit 2" 2 "$rc"
assert_match "... and says so" "JOB_COMPLETION_INDEX is not set" "$(cat "$T/err")"

# --- monitoring: node_exporter's textfile collector serves what dbtls wrote ----------------------
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -z "$NE" ]; then
	if [ "${DBTLS_REQUIRE_INTEGRATION:-0}" = 1 ]; then
		assert_eq "prometheus-node-exporter installed (scripts/deps.sh)" yes no
	else
		echo "SKIP: prometheus-node-exporter not installed: the scrape is not tested"
	fi
else
	mkdir -p "$T/textfile"
	cp "$T/merged.prom" "$T/textfile/dbtls.prom"
	NEPORT=$(free_port)
	"$NE" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$T/textfile" \
		--web.listen-address="127.0.0.1:$NEPORT" >"$T/ne.log" 2>&1 &
	NEPID=$!
	dbtls_at_exit "kill $NEPID 2>/dev/null; _dbtls_reap $NEPID 5"
	metrics=
	for _ in $(seq 1 100); do
		metrics=$(curl -fsS "http://127.0.0.1:$NEPORT/metrics" 2>/dev/null) && break
		sleep 0.1
	done
	assert_match "node_exporter serves dbtls_build_info" \
		'dbtls_build_info\{openssl="[^"]+",version="[^"]+"\} 1' "$metrics"
	assert_match "... dbtls_last_success_timestamp_seconds" \
		'dbtls_last_success_timestamp_seconds [0-9.e+]+' "$metrics"
	assert_match "... the earliest expiry of a served chain" \
		"dbtls_certificate_earliest_expiry_timestamp_seconds\\{target=\"mysql://127.0.0.2:$PORT\"\\} [0-9.e+]+" \
		"$metrics"
	assert_match "... TLS 1.2 accepted as version info" \
		"dbtls_tls_version_info\\{target=\"mysql://127.0.0.3:$PORT\",version=\"TLSv1.2\"\\} 1" "$metrics"
	assert_eq "... no version info for a refused endpoint" 0 \
		"$(grep -c 'dbtls_tls_version_info{target="mysql://127.0.0.10:1"' <<<"$metrics" || true)"
	assert_eq "... and no textfile error" 0 \
		"$(grep -E '^node_textfile_scrape_error ' <<<"$metrics" | awk '{print $2}')"
	kill "$NEPID" 2>/dev/null || true
fi
if command -v promtool >/dev/null; then
	assert_ok "promtool check metrics (merged)" promtool check metrics <"$T/merged.prom"
fi

# --- contrib: the units verify, the YAML parses -------------------------------------------------
C=$DBTLS_SRCDIR/contrib
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/units"
	# the unit names /usr/bin/dbtls; verify it against the binary under test
	sed "s#/usr/bin/dbtls#$DBTLS#" "$C/systemd/dbtls-scan.service" >"$T/units/dbtls-scan.service"
	cp "$C/systemd/dbtls-scan.timer" "$T/units/"
	rc=0
	out=$(systemd-analyze verify "$T/units/dbtls-scan.service" "$T/units/dbtls-scan.timer" 2>&1) ||
		rc=$?
	assert_eq "systemd-analyze verify contrib/systemd (exit)" 0 "$rc"
	assert_eq "systemd-analyze verify contrib/systemd (silent)" "" "$out"
	assert_match "the service writes the textfile and the JSON" \
		'-o /var/lib/prometheus/node-exporter/dbtls.prom -o /var/lib/dbtls/last.json' \
		"$(tr -d '\\\n\t' <"$C/systemd/dbtls-scan.service")"
fi
rc=0
/usr/bin/python3 - "$C/kubernetes/dbtls-scan-job.yaml" "$C/kubernetes/dbtls-merge-job.yaml" \
	"$C/ci/github-actions-fleet.yml" <<'EOF' || rc=$?
import sys, yaml
docs = {f: list(yaml.safe_load_all(open(f))) for f in sys.argv[1:]}
job = [d for d in docs[sys.argv[1]] if d["kind"] == "Job"][0]
assert job["spec"]["completionMode"] == "Indexed", "not an Indexed Job"
n = job["spec"]["completions"]
args = " ".join(job["spec"]["template"]["spec"]["containers"][0]["args"])
assert "--shard auto/%d" % n in args, "the shard count is not the completion count"
merge = " ".join(docs[sys.argv[2]][0]["spec"]["template"]["spec"]["containers"][0]["args"])
for k in range(n):
    assert "shard-%d.json" % k in merge, "merge misses shard %d" % k
ci = docs[sys.argv[3]][0]
shards = ci["jobs"]["scan"]["strategy"]["matrix"]["shard"]
assert "/%d" % len(shards) in " ".join(s.get("run", "") for s in ci["jobs"]["scan"]["steps"])
assert ci["jobs"]["merge"]["needs"] == "scan"
EOF
assert_eq "contrib YAML parses and agrees with itself (shards, merge)" 0 "$rc"

finish
