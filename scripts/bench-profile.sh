#!/usr/bin/env bash
# Where does the time go? Runs ONE AeroDB workload on a fresh 3-node bench cluster and, during the measured window,
# records per node: CPU per thread (ThreadCpu: /proc + jcmd thread names), a JFR recording summarized by JfrTop
# (CPU samples by thread and frame, fsync durations, lock contention, GC, JIT), and Ratis' own metrics (a diagnostic
# agent dumps the Dropwizard registries: log sync time, follower append latency, ...). docs/PERFORMANCE.md uses it.
#
#   scripts/bench-profile.sh [--workload insert|get] [--clients N] [--prime-s S] [--warmup-s S] [--seconds S]
#                            [--node-opts "JVM options for the nodes"] [--perf] [--keep] [--out DIR]
#
# --prime-s (default 60) runs 8 clients of inserts then reads first, unmeasured, so the node JVMs are compiled.
# --node-opts replaces the nodes' JVM options (default: -Xms128m -Xmx1g -XX:+UseG1GC), e.g. to try JVM flags or
# -Daerodb.ratis.<key>=<value> overrides where the build supports them. --keep leaves the cluster running.
# --perf also samples the leader and one follower with Linux perf (cpu-clock, call chains, JIT symbols from
# jcmd Compiler.perfmap; nodes get -XX:+PreserveFramePointer): native code (RocksDB), the kernel (futex, context
# switches) and JIT-compiled Java in one profile, summarized by scripts/lib/perf-summary.py into n*.perf.txt.
# perf's own CPU counts in the row's scope: with --perf read the profile's shares, not the row's ops/s.
# Output: var/bench/profile/<time>/ (summary.txt, loadgen.json, threads.jsonl, n*.jfr, n*.jfr.txt, ratis-*.json).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$AERODB_ROOT"
WORKLOAD=insert; CLIENTS=1; PRIME_S=60; WARMUP_S=5; SECONDS_MEASURED=30; NODE_OPTS="-Xms128m -Xmx1g -XX:+UseG1GC"; KEEP=0; OUT=""
PERF=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workload) WORKLOAD="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --warmup-s) WARMUP_S="$2"; shift 2 ;;
    --prime-s) PRIME_S="$2"; shift 2 ;;
    --seconds) SECONDS_MEASURED="$2"; shift 2 ;;
    --node-opts) NODE_OPTS="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --perf) PERF=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$SECONDS_MEASURED" =~ ^[0-9]+$ && "$WARMUP_S" =~ ^[0-9]+$ ]] && (( SECONDS_MEASURED >= 4 && SECONDS_MEASURED <= 600 && WARMUP_S <= 600 )) ||
  { echo "--seconds must be 4..600 and --warmup-s <= 600" >&2; exit 2; }
OUT="${OUT:-$ROOT/var/bench/profile/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
if (( PERF )); then
  command -v perf >/dev/null || { echo "--perf needs Linux perf (package linux-perf / linux-tools)" >&2; exit 2; }
  NODE_OPTS="$NODE_OPTS -XX:+PreserveFramePointer"
fi
export AERODB_BASE_PORT=7700 AERODB_CLUSTER_DIR="$ROOT/var/bench/aerodb"
LC="$ROOT/scripts/local-cluster.sh"
ENDPOINTS="127.0.0.1:7701,127.0.0.1:7711,127.0.0.1:7721"
BENCH_CP="$ROOT/aerodb-bench/target/classes:$ROOT/aerodb-bench/target/lib/*"
AGENT="$ROOT/aerodb-bench/target/aerodb-bench-agent.jar"
log() { echo "[profile $(date +%H:%M:%S)] $*" >&2; }

ensure_built
if [[ "${AERODB_SKIP_BUILD:-}" != "1" || ! -f "$AGENT" ]]; then
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
fi
LG_PID=""
cleanup() {
  set +e
  [[ -n "$LG_PID" && -e "/proc/$LG_PID" ]] && kill "$LG_PID" 2>/dev/null
  (( KEEP )) || "$LC" down >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "fresh cluster with the Ratis-metrics agent; node JVM options: $NODE_OPTS"
"$LC" wipe >/dev/null 2>&1 || true
# JFR runs from the node's start: starting a recording later retransforms JDK classes (the file/socket events) and
# deoptimizes their callers, so the nodes would spend the measured window recompiling (observed: 50% of a core of
# C2 on the recorded nodes, 0.5% on the other). The window is cut out of the recording with JFR.dump begin=.
AERODB_NODE_JAVA_OPTS="$NODE_OPTS -XX:StartFlightRecording=name=bench,settings=profile,disk=true,maxage=15m,dumponexit=false -javaagent:$AGENT=file=$OUT/ratis-metrics-%p.json,interval=5" \
  "$LC" up >/dev/null
"$ROOT/scripts/aerodb" --cluster "$ENDPOINTS" --json collection create bench \
  --schema "$(java -cp "$BENCH_CP" io.aerodb.bench.BenchDocs schema)" >/dev/null
status=$("$ROOT/scripts/aerodb" --cluster "$ENDPOINTS" --json cluster status)
read -r LEADER LEP < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); l=d["leaderId"]; print(l, [n["address"] for n in d["nodes"] if n["id"]==l][0])' "$status")
declare -A PID
for n in n1 n2 n3; do PID[$n]=$(cat "$AERODB_CLUSTER_DIR/$n/node.pid"); done
FOLLOWER=n1; [[ "$LEADER" == n1 ]] && FOLLOWER=n2
log "leader $LEADER (pid ${PID[$LEADER]}), profiled follower $FOLLOWER (pid ${PID[$FOLLOWER]}); load before: $(cat /proc/loadavg)"

java -Xms512m -Xmx1g -XX:+UseG1GC -cp "$BENCH_CP" io.aerodb.bench.LoadGen --system aerodb --endpoints "$LEP,$ENDPOINTS" \
  --workloads "$WORKLOAD" --clients "$CLIENTS" --prime-s "$PRIME_S" --warmup-s "$WARMUP_S" --measure-s "$SECONDS_MEASURED" --gate-max-s 20 \
  --server-pids "${PID[n1]},${PID[n2]},${PID[n3]}" --server-names n1,n2,n3 --markers "$ROOT/var/bench" --scope-pids "$$" \
  --label profile > "$OUT/loadgen.json" 2> "$OUT/loadgen.err" &
LG_PID=$!
# The load generator primes, gates (>= 2 s) and preloads before its warm-up; record inside the measured window.
# Wait for the prime to finish (it logs "prime done" on stderr), then for the warm-up.
for _ in $(seq 1 $(( 2 * PRIME_S + 120 ))); do grep -q "prime done" "$OUT/loadgen.err" 2>/dev/null && break; (( PRIME_S == 0 )) && break; sleep 0.5; done
sleep $(( WARMUP_S + 4 ))
WINDOW=$(( SECONDS_MEASURED - 4 ))
PERF_PIDS=()
if (( PERF )); then
  for n in "$LEADER" "$FOLLOWER"; do
    perf record -e cpu-clock -F 499 -g -p "${PID[$n]}" -o "$OUT/$n.perf.data" -- sleep "$WINDOW" \
      > "$OUT/$n.perf.err" 2>&1 &
    PERF_PIDS+=($!)
  done
fi
java -cp "$BENCH_CP" io.aerodb.bench.ThreadCpu "$WINDOW" n1="${PID[n1]}" n2="${PID[n2]}" n3="${PID[n3]}" \
  loadgen="$LG_PID" > "$OUT/threads.jsonl" 2> "$OUT/threads.err" || true
for p in "${PERF_PIDS[@]}"; do wait "$p" || true; done
if (( PERF )); then
  for n in "$LEADER" "$FOLLOWER"; do
    jcmd "${PID[$n]}" Compiler.perfmap >/dev/null 2>&1 || true # /tmp/perf-<pid>.map: names for JIT code
    perf script -i "$OUT/$n.perf.data" 2>/dev/null | python3 "$ROOT/scripts/lib/perf-summary.py" 30 > "$OUT/$n.perf.txt" || true
  done
fi
for n in "$LEADER" "$FOLLOWER"; do
  jcmd "${PID[$n]}" JFR.dump name=bench begin="-$(( WINDOW + 1 ))s" filename="$OUT/$n.jfr" >/dev/null
done
cp "$OUT"/ratis-metrics-"${PID[$LEADER]}".json "$OUT/ratis-$LEADER.json" 2>/dev/null || true
cp "$OUT"/ratis-metrics-"${PID[$FOLLOWER]}".json "$OUT/ratis-$FOLLOWER.json" 2>/dev/null || true
for _ in $(seq 1 120); do [[ -e "/proc/$LG_PID" ]] || break; sleep 0.5; done
sleep 2
for n in "$LEADER" "$FOLLOWER"; do
  [[ -f "$OUT/$n.jfr" ]] && java -cp "$BENCH_CP" io.aerodb.bench.JfrTop "$OUT/$n.jfr" 20 "$WINDOW" > "$OUT/$n.jfr.txt" 2>&1 || true
done

{
  echo "workload=$WORKLOAD clients=$CLIENTS prime=${PRIME_S}s warmup=${WARMUP_S}s measured=${SECONDS_MEASURED}s leader=$LEADER follower=$FOLLOWER"
  echo "node JVM options: $NODE_OPTS"
  echo "load after: $(cat /proc/loadavg)"
  echo; echo "== load generator"; cat "$OUT/loadgen.json"
  echo; echo "== CPU per thread group (% of one core, over ${WINDOW}s)"
  python3 - "$OUT/threads.jsonl" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    top = sorted(d["threads_pct"].items(), key=lambda x: -x[1])[:12]
    print(f'{d["process"]:8s} total {d["cpu_pct"]:6.1f}% (user {d["user_pct"]:.1f}, sys {d["sys_pct"]:.1f}; '
          f'{d["context_switches_per_s"]:.0f} context switches/s)  ' + ", ".join(f"{k} {v:.1f}" for k, v in top))
EOF
  echo; echo "== Ratis metrics (ms; Dropwizard reservoirs, recent-biased)"
  python3 - "$OUT/ratis-$LEADER.json" "$OUT/ratis-$FOLLOWER.json" <<'EOF'
import json, sys, re
keys = re.compile(r"(syncTime|flushTime|appendEntryLatency|follower_append_entry_latency|rpc_response_time|"
                  r"syncBatchSize|clientWriteRequest|clientReadRequest|appendEntryCommit|queueingDelay|"
                  r"applyTransaction|enqueuedTime|writelogExecutionTime|appendEntries|stateMachineLogEntryCount|"
                  r"metadataLogEntryCount|numPendingRequest|_request_time|readIndex)", re.I)
for f in sys.argv[1:]:
    try:
        d = json.load(open(f))["metrics"]
    except Exception as e:
        print(f, "unreadable:", e); continue
    print("--", f.rsplit("/", 1)[-1])
    for k, v in sorted(d.items()):
        if not keys.search(k):
            continue
        short = re.sub(r"@group-[0-9A-F]+", "", k)
        if isinstance(v, dict) and "p50" in v:
            if v["count"] == 0: continue
            print(f"  {short:85s} n={v['count']:<8d} mean={v['mean']:.3f} p50={v['p50']:.3f} p99={v['p99']:.3f}")
        elif isinstance(v, dict):
            print(f"  {short:85s} {v}")
        else:
            print(f"  {short:85s} {v}")
EOF
  for n in "$LEADER" "$FOLLOWER"; do echo; echo "== JFR $n"; sed -n '1,200p' "$OUT/$n.jfr.txt" 2>/dev/null; done
  if (( PERF )); then
    for n in "$LEADER" "$FOLLOWER"; do echo; echo "== perf $n ($([[ $n == "$LEADER" ]] && echo leader || echo follower))"; cat "$OUT/$n.perf.txt" 2>/dev/null; done
  fi
} > "$OUT/summary.txt"
cat "$OUT/summary.txt"
log "everything in $OUT"
