#!/usr/bin/env bash
# Ratis alone, next to etcd, on this machine (issue 16, lever 4; docs/PERFORMANCE.md "Ratis alone"): a 3-member
# Ratis 3.2 cluster with AeroDB's Ratis settings (fsync on, ReadIndex reads, the same log, cache and appender
# settings) and a state machine that does nothing (aerodb-bench io.aerodb.bench.ratis.EchoServer), driven by the
# load generator of scripts/bench.sh: a write is one Ratis client request carrying the 1 KiB document (one log
# entry, fsynced on a majority), batch10 one request and one entry carrying 10 documents, a get is Ratis' ReadIndex
# read (which Ratis 3.2 answers without a confirmation round while the commit index stands still: docs/PERFORMANCE.md
# [R-LIN]). etcd's rows, and with --with-aerodb AeroDB's (scripts/bench.sh --only aerodb), follow in the same run,
# the order rotating run by run. What Ratis alone costs per write is a floor for any change above Ratis.
#
#   scripts/bench-ratis.sh [--runs N] [--clients "1 8 64"] [--workloads "insert get"] [--prime-s S] [--with-aerodb]
#                          [--threads]
#
# --threads: every row also records each server's CPU per operation by thread group (as scripts/bench.sh --threads),
# and the summary lists, per row, the groups summed over the servers — Ratis alone's threads next to AeroDB's.
#
# Members listen on 127.0.0.1:7901/7911/7921 (data in var/bench/ratis/<time>/runN/rK, deleted after the run); every process is started and
# stopped by its PID, also on Ctrl-C. stdout: the load generator's JSON rows; stderr: progress and a table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$AERODB_ROOT"
RUNS=1; CLIENTS="1 8 64"; WORKLOADS="insert get"; PRIME_S=240; WITH_AERODB=0; THREAD_CPU=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --prime-s) PRIME_S="$2"; shift 2 ;;
    --with-aerodb) WITH_AERODB=1; shift ;;
    --threads) THREAD_CPU=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$RUNS" =~ ^[1-9]$ ]] || { echo "--runs must be 1..9" >&2; exit 2; }
BENCH="$ROOT/var/bench"
OUT="$BENCH/ratis/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
export AERODB_ETCD_DIR="$BENCH/etcd"
ETCD="$ROOT/scripts/lib/etcd-cluster.sh"
BENCH_CP="$ROOT/aerodb-bench/target/classes:$ROOT/aerodb-bench/target/lib/*"
JAVA_LG=(java -Xms512m -Xmx1g -XX:+UseG1GC -cp "$BENCH_CP")
NODE_OPTS=(${AERODB_NODE_JAVA_OPTS:--Xms128m -Xmx1g -XX:+UseG1GC})
PEERS="127.0.0.1:7901,127.0.0.1:7911,127.0.0.1:7921"
MEMBER_PIDS=()
CHILD=""
ETCD_STARTED=0
FAILURES=0

log() { echo "[bench-ratis $(date +%H:%M:%S)] $*" >&2; }
bg_wait() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }
stop_members() { # TERM to every member, KILL to those alive 15 s later
  local p i alive
  for p in "${MEMBER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for i in $(seq 1 150); do
    alive=0
    for p in "${MEMBER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for p in "${MEMBER_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  MEMBER_PIDS=()
}
cleanup() {
  set +e
  [[ -n "$CHILD" ]] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  stop_members
  (( ETCD_STARTED )) && "$ETCD" stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

loadgen() { # system endpoints pids names label prime-seconds  (no pipeline: the trap must reach the child)
  local rows="$OUT/rows-$5.jsonl"
  bg_wait "${JAVA_LG[@]}" io.aerodb.bench.LoadGen --system "$1" --endpoints "$2" --server-pids "$3" --server-names "$4" \
    --workloads "${WORKLOADS// /,}" --clients "${CLIENTS// /,}" --warmup-s 2 --measure-s 10 --prime-s "$6" \
    --thread-cpu "$THREAD_CPU" \
    --ops-max 300000 --gate-pct 10 --gate-max-s 60 --watchers 0 --markers "$BENCH" --scope-pids "$$" \
    --label "$5" --extra "run=$5" > "$rows" || { log "load generator failed ($5)"; FAILURES=$((FAILURES + 1)); }
  cat "$rows" | tee -a "$RESULTS"
}

ratis_rows() { # run
  local dir="$OUT/run$1" i
  log "run $1: Ratis alone — fresh 3-member cluster ($PEERS)"
  # A member left over from elsewhere would join with its old log (same group and ids): refuse.
  for i in 7901 7911 7921; do
    port_free "$i" || { log "127.0.0.1:$i is in use: stop what listens there first"; exit 1; }
  done
  for i in 1 2 3; do
    mkdir -p "$dir/r$i"
    java "${NODE_OPTS[@]}" -cp "$BENCH_CP" io.aerodb.bench.ratis.EchoServer "r$i" "$dir/r$i" "$PEERS" \
      > "$OUT/ratis-run$1-r$i.log" 2>&1 &
    MEMBER_PIDS+=($!)
  done
  local pids
  pids=$(IFS=,; echo "${MEMBER_PIDS[*]}")
  loadgen ratis "$PEERS" "$pids" "r1,r2,r3" "ratis-run$1" "$PRIME_S"
  for i in 0 1 2; do
    echo "{\"type\":\"rss\",\"system\":\"ratis\",\"node\":\"r$((i + 1))\",\"rss_mib\":$(awk '/^VmRSS:/{r=$2/1024} END{print (r == "" ? -1 : r)}' "/proc/${MEMBER_PIDS[$i]}/status" 2>/dev/null || echo -1)}" >> "$RESULTS"
  done
  stop_members
  rm -rf "$dir" # the members' Raft logs are large and never read again; their output stays in $OUT
}

etcd_rows() { # run
  log "run $1: etcd — fresh 3-member cluster"
  "$ETCD" install
  ETCD_STARTED=1
  "$ETCD" start
  local ep pids
  ep=$("$ETCD" leader)
  pids=$("$ETCD" pids)
  loadgen etcd "$ep" "$(echo "$pids" | sed 's/m[0-9]=//g; s/ /,/g')" "$(echo "$pids" | sed 's/=[0-9]*//g; s/ /,/g')" \
    "etcd-run$1" 10
  "$ETCD" stop
  ETCD_STARTED=0
}

aerodb_rows() { # run: scripts/bench.sh's AeroDB rows (its own fresh cluster, prime and results directory)
  log "run $1: AeroDB — scripts/bench.sh --only aerodb"
  local out="$OUT/aerodb-run$1"
  local threads=(); [[ "$THREAD_CPU" == true ]] && threads=(--threads)
  AERODB_SKIP_BUILD=1 bg_wait "$ROOT/scripts/bench.sh" --only aerodb --no-ops --runs 1 --out "$out" "${threads[@]}" \
    --workloads "$WORKLOADS" --clients "$CLIENTS" --prime-s "$PRIME_S" > /dev/null ||
    { log "AeroDB rows failed (run $1)"; FAILURES=$((FAILURES + 1)); }
  grep '"type":"row"' "$out/results.jsonl" | tee -a "$RESULTS" || true
}

if [[ "${AERODB_SKIP_BUILD:-}" != "1" || ! -d "$ROOT/aerodb-bench/target/lib" ]]; then
  log "building the bench module (no tests)..."
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
fi
log "settings: runs=$RUNS clients=[$CLIENTS] workloads=[$WORKLOADS] prime_s=$PRIME_S git=$(git -C "$ROOT" rev-parse --short HEAD); results in $OUT"
SYSTEMS=(ratis etcd)
(( WITH_AERODB )) && SYSTEMS+=(aerodb)
for run in $(seq 1 "$RUNS"); do
  n=${#SYSTEMS[@]}
  for i in $(seq 0 $((n - 1))); do
    "${SYSTEMS[$(( (i + run - 1) % n ))]}_rows" "$run"
  done
done
python3 - "$RESULTS" >&2 <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") == "row":
        rows.setdefault((r["workload"], r["clients"], r["system"]), []).append(r)
# medians over runs; docs/s for batch10 (docs_per_s); ratios to etcd's rows of the same run set
print("| workload | clients | system | docs/s | ratio to etcd | p50 ms | ratio | CPU µs per op |")
print("|---|---|---|---|---|---|---|---|")
med = lambda rs, k: statistics.median(x[k] for x in rs)
for (w, c) in sorted({(k[0], k[1]) for k in rows}):
    et = rows.get((w, c, "etcd"), [])
    for system in ("ratis", "aerodb", "etcd"):
        rs = rows.get((w, c, system), [])
        if not rs:
            continue
        ratio = f"**{med(rs,'docs_per_s')/med(et,'docs_per_s'):.2f}×**" if et else "–"
        p50 = f"{med(rs,'p50_ms')/med(et,'p50_ms'):.2f}×" if et else "–"
        print(f"| {w} | {c} | {system} | {med(rs,'docs_per_s'):,.0f} | {ratio} | {med(rs,'p50_ms'):.2f} | {p50} "
              f"| {med(rs,'server_cpu_us_per_op'):,.0f} |")
# --threads: per row, µs of CPU per operation by thread group summed over the servers (median over runs)
groups = {}
for key, rs in rows.items():
    per_run = []
    for r in rs:
        g = {}
        for s in r.get("servers", {}).values():
            t = s.get("threads_us_per_op")
            if isinstance(t, dict):
                for name, us in t.items():
                    g[name] = g.get(name, 0) + us
        if g:
            per_run.append(g)
    if per_run:
        names = sorted({n for g in per_run for n in g})
        groups[key] = sorted(((statistics.median(g.get(n, 0) for g in per_run), n) for n in names), reverse=True)
for (w, c, system), gs in sorted(groups.items()):
    print(f"\n{w}, {c} clients, {system}: " + ", ".join(f"{n} {us:,.0f}" for us, n in gs[:14] if us >= 5))
PY
if (( FAILURES > 0 )); then
  log "$FAILURES part(s) of the run failed: the table above lacks them"
  exit 1
fi
