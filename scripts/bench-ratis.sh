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
#
# Members listen on 127.0.0.1:7901/7911/7921 (data in var/bench/ratis/<time>/rK); every process is started and
# stopped by its PID, also on Ctrl-C. stdout: the load generator's JSON rows; stderr: progress and a table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$AERODB_ROOT"
RUNS=1; CLIENTS="1 8 64"; WORKLOADS="insert get"; PRIME_S=240; WITH_AERODB=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --prime-s) PRIME_S="$2"; shift 2 ;;
    --with-aerodb) WITH_AERODB=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

log() { echo "[bench-ratis $(date +%H:%M:%S)] $*" >&2; }
bg_wait() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }
stop_members() {
  local p i
  for p in "${MEMBER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${MEMBER_PIDS[@]}"; do
    for i in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  MEMBER_PIDS=()
}
cleanup() {
  set +e
  [[ -n "$CHILD" ]] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  stop_members
  "$ETCD" stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

loadgen() { # system endpoints pids names label prime-seconds  (no pipeline: the trap must reach the child)
  local rows="$OUT/rows-$5.jsonl"
  bg_wait "${JAVA_LG[@]}" io.aerodb.bench.LoadGen --system "$1" --endpoints "$2" --server-pids "$3" --server-names "$4" \
    --workloads "${WORKLOADS// /,}" --clients "${CLIENTS// /,}" --warmup-s 2 --measure-s 10 --prime-s "$6" \
    --ops-max 300000 --gate-pct 10 --gate-max-s 60 --watchers 0 --markers "$BENCH" --scope-pids "$$" \
    --label "$5" --extra "run=$5" > "$rows" || log "load generator failed ($5)"
  cat "$rows" | tee -a "$RESULTS"
}

ratis_rows() { # run
  local dir="$OUT/run$1" i
  log "run $1: Ratis alone — fresh 3-member cluster ($PEERS)"
  for i in 1 2 3; do
    mkdir -p "$dir/r$i"
    java "${NODE_OPTS[@]}" -cp "$BENCH_CP" io.aerodb.bench.ratis.EchoServer "r$i" "$dir/r$i" "$PEERS" \
      > "$dir/r$i.log" 2>&1 &
    MEMBER_PIDS+=($!)
  done
  local pids
  pids=$(IFS=,; echo "${MEMBER_PIDS[*]}")
  loadgen ratis "$PEERS" "$pids" "r1,r2,r3" "ratis-run$1" "$PRIME_S"
  for i in 0 1 2; do
    echo "{\"type\":\"rss\",\"system\":\"ratis\",\"node\":\"r$((i + 1))\",\"rss_mib\":$(awk '/^VmRSS:/{print $2/1024}' "/proc/${MEMBER_PIDS[$i]}/status" 2>/dev/null || echo -1)}" >> "$RESULTS"
  done
  stop_members
}

etcd_rows() { # run
  log "run $1: etcd — fresh 3-member cluster"
  "$ETCD" install
  "$ETCD" start
  local ep pids
  ep=$("$ETCD" leader)
  pids=$("$ETCD" pids)
  loadgen etcd "$ep" "$(echo "$pids" | sed 's/m[0-9]=//g; s/ /,/g')" "$(echo "$pids" | sed 's/=[0-9]*//g; s/ /,/g')" \
    "etcd-run$1" 10
  "$ETCD" stop
}

aerodb_rows() { # run: scripts/bench.sh's AeroDB rows (its own fresh cluster, prime and results directory)
  log "run $1: AeroDB — scripts/bench.sh --only aerodb"
  local out="$OUT/aerodb-run$1"
  AERODB_SKIP_BUILD=1 bg_wait "$ROOT/scripts/bench.sh" --only aerodb --no-ops --runs 1 --out "$out" \
    --workloads "$WORKLOADS" --clients "$CLIENTS" --prime-s "$PRIME_S" > /dev/null || log "AeroDB rows failed (run $1)"
  grep '"type":"row"' "$out/results.jsonl" | tee -a "$RESULTS" || true
}

log "building the bench module (no tests)..."
if [[ "${AERODB_SKIP_BUILD:-}" != "1" || ! -d "$ROOT/aerodb-bench/target/lib" ]]; then
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
PY
