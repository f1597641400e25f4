#!/usr/bin/env bash
# AeroDB vs etcd on this machine, in ONE run (docs/PERFORMANCE.md explains every figure).
#
#   scripts/bench.sh                      the full table: 3 runs x (AeroDB, etcd) x (insert, get, update) x (1, 8, 64
#                                         clients), then failover, leadership transfer, restart of a node holding 1M
#                                         documents, RSS (about 30 min)
#   scripts/bench.sh --quick              1 run, short rows, 100k documents for the restart (about 4-5 min)
#   scripts/bench.sh --only aerodb        one system only (no ratios), e.g. for quick iterations on AeroDB
#
# Options: --runs N  --warmup-s S  --measure-s S  --prime-s S (AeroDB)  --etcd-prime-s S  --ops-max N  --clients "1 8 64"
#          --workloads "insert get update"  --systems "aerodb etcd"  --only SYSTEM  --no-ops  --ops-only
#          --workloads batch10 (one AeroDB batch / one etcd Txn of 10 puts per op; rows report docs_per_s)
#          --workloads ping (a gRPC health check of the leader, answered from memory: each stack's cost of one unary call)
#          --watchers "0 10" (each row once per count of watchers of the collection/prefix; "insert+w10")
#          --failover-rounds N  --transfer-rounds N  --restart-docs N  --restart-load-max-s S  (0 rounds/docs: skip it)
#          --gate-pct P  --gate-max-s S  --out DIR
#          --threads          every row also records each server's CPU per operation by thread group ("servers" ->
#                             "threads_us_per_op"; read from /proc at the measured window's ends, named by jcmd after it)
#          --nodes 5          5-node AeroDB and 5-member etcd clusters for the rows (and the curve); no operational
#                             figures (they are measured on 3 nodes)
#          --warmup-curve S   only the warm-up curve: per system a fresh cluster, inserts with the first --clients
#                             count (8 by default here) from the first second for S seconds in 5 s slices, no
#                             prime; reports time_to_90_s (end of the first slice at 90 % of the median of the last
#                             30 s) and every node's RSS at the end (issue 16)
#
# Each system gets a fresh 3-node (--nodes 5: 5-node) cluster on 127.0.0.1 per run (AeroDB: scripts/local-cluster.sh with base port 7700
# and data in var/bench/aerodb; etcd 3.4 from Debian, installed if missing, ports 2479-2680, to 2880 with 5 members, data in var/bench/etcd),
# and the two systems never run at the same time (the order alternates between runs). One Java load generator
# (aerodb-bench LoadGen) drives both: closed loop, N client threads sharing one client, warm-up excluded, bounded by
# count and time. Before its rows each fresh cluster is primed, unmeasured (8 clients, inserts and reads): AeroDB, whose
# new JVMs spend minutes compiling, until its servers' JIT threads are nearly idle (at most --prime-s, 240 s; the
# rows record the servers' JIT CPU), etcd (compiled ahead of time) for 10 s. AeroDB writes 1 KiB documents into a schema-validated collection with an index on "tag" when the
# cluster supports indexes ("index" in each row says whether it did); etcd puts the same bytes. "update" replaces
# the preloaded documents (the ones "get" reads) in turn with new 1 KiB bodies whose "tag" changes, so every update
# writes a new version and a new index entry (AeroDB's index maintenance path); etcd puts over the existing keys.
#
# stdout: JSON lines — one "result" per (system, workload, clients) (median over runs), one "ratio" per
# (workload, clients) (AeroDB/etcd), one "target" per goal of issue 16, and the operational figures.
# stderr: progress and the markdown summary. Everything (raw rows, env, logs) is kept in var/bench/results/<time>/.
# Every row records the CPU used by other processes while it ran (foreign_cpu_pct): publish numbers only from a
# quiet machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$AERODB_ROOT"

# ------------------------------------------------------------------------------------------------ options
WATCHERS=0; RUNS=3; WARMUP_S=2; MEASURE_S=10; PRIME_S=240; ETCD_PRIME_S=10; OPS_MAX=300000; CLIENTS="1 8 64"; WORKLOADS="insert get update"
SYSTEMS="aerodb etcd"; DO_ROWS=1; DO_OPS=1; FAILOVER_ROUNDS=5; TRANSFER_ROUNDS=3; RESTART_DOCS=1000000
RESTART_LOAD_MAX_S=300; GATE_PCT=10; GATE_MAX_S=60; OUT=""; QUICK=0; CURVE_S=0; CLIENTS_SET=0; NODES=3; THREAD_CPU=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; RUNS=1; WARMUP_S=1; MEASURE_S=3; PRIME_S=45; ETCD_PRIME_S=5; FAILOVER_ROUNDS=3; TRANSFER_ROUNDS=2
             RESTART_DOCS=100000; RESTART_LOAD_MAX_S=60; GATE_MAX_S=10; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --warmup-s) WARMUP_S="$2"; shift 2 ;;
    --measure-s) MEASURE_S="$2"; shift 2 ;;
    --prime-s) PRIME_S="$2"; shift 2 ;;
    --etcd-prime-s) ETCD_PRIME_S="$2"; shift 2 ;;
    --ops-max) OPS_MAX="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; CLIENTS_SET=1; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --watchers) WATCHERS="$2"; shift 2 ;;
    --systems) SYSTEMS="$2"; shift 2 ;;
    --only) SYSTEMS="$2"; shift 2 ;;
    --no-ops) DO_OPS=0; shift ;;
    --ops-only) DO_ROWS=0; shift ;;
    --failover-rounds) FAILOVER_ROUNDS="$2"; shift 2 ;;
    --transfer-rounds) TRANSFER_ROUNDS="$2"; shift 2 ;;
    --restart-docs) RESTART_DOCS="$2"; shift 2 ;;
    --restart-load-max-s) RESTART_LOAD_MAX_S="$2"; shift 2 ;;
    --gate-pct) GATE_PCT="$2"; shift 2 ;;
    --warmup-curve) CURVE_S="$2"; shift 2 ;;
    --nodes) NODES="$2"; shift 2 ;;
    --gate-max-s) GATE_MAX_S="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --threads) THREAD_CPU=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in RUNS FAILOVER_ROUNDS TRANSFER_ROUNDS RESTART_DOCS RESTART_LOAD_MAX_S OPS_MAX; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "$v must be a whole number" >&2; exit 2; }
done
(( RUNS >= 1 && RUNS <= 9 && FAILOVER_ROUNDS <= 50 && TRANSFER_ROUNDS <= 50 && RESTART_DOCS <= 5000000 )) ||
  { echo "bounds: runs 1..9, rounds <= 50, restart docs <= 5M" >&2; exit 2; }
[[ "$NODES" == 3 || "$NODES" == 5 ]] || { echo "--nodes must be 3 or 5" >&2; exit 2; }
if (( NODES != 3 )) && (( ! DO_ROWS )); then
  echo "--nodes $NODES has no operational figures to measure (they run on 3 nodes); drop --ops-only" >&2; exit 2
fi
if (( NODES != 3 )) && (( DO_OPS )); then
  echo "--nodes $NODES: the operational figures (failover, transfer, restart) are measured on 3 nodes only; skipping them" >&2
  DO_OPS=0
fi
export AERODB_NODES="$NODES" AERODB_ETCD_MEMBERS="$NODES"
for s in $SYSTEMS; do [[ "$s" == aerodb || "$s" == etcd ]] || { echo "unknown system $s" >&2; exit 2; }; done

# ------------------------------------------------------------------------------------------------ layout
BENCH="$ROOT/var/bench"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="${OUT:-$BENCH/results/$STAMP}"
mkdir -p "$OUT/logs"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
export AERODB_BASE_PORT="${AERODB_BENCH_BASE_PORT:-7700}"
AERO_DIR="$BENCH/aerodb"
FAILOVER_DIR="$BENCH/failover"
export AERODB_ETCD_DIR="$BENCH/etcd"
LC="$ROOT/scripts/local-cluster.sh"
ETCD="$ROOT/scripts/lib/etcd-cluster.sh"
CLI="$ROOT/scripts/aerodb"
BENCH_CP="$ROOT/aerodb-bench/target/classes:$ROOT/aerodb-bench/target/lib/*"
JAVA_LG=(java -Xms512m -Xmx1g -XX:+UseG1GC -cp "$BENCH_CP")
B="$AERODB_BASE_PORT"
NODE_NAMES=(); API_PORTS=()
for i in $(seq 1 "$NODES"); do NODE_NAMES+=("n$i"); API_PORTS+=($((B + 10 * (i - 1) + 1))); done
ENDPOINTS=$(printf '127.0.0.1:%s,' "${API_PORTS[@]}"); ENDPOINTS="${ENDPOINTS%,}"
NAMES_CSV=$(IFS=,; echo "${NODE_NAMES[*]}")
node_pids_csv() { local n out=""; for n in "${NODE_NAMES[@]}"; do out="$out,$(node_pid "$n")"; done; echo "${out#,}"; }

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
lc() { AERODB_CLUSTER_DIR="$AERO_DIR" "$LC" "$@"; }
cli() { AERODB_CLI_JAVA_OPTS="${AERODB_CLI_JAVA_OPTS:-}" "$CLI" --cluster "$ENDPOINTS" "$@"; }
record() { echo "$1" >> "$RESULTS"; }
node_pid() { cat "$AERO_DIR/$1/node.pid" 2>/dev/null || true; }
# JSON helpers (python3 is on every Debian; the parsing stays out of the measured path).
json_get() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=eval("d"+sys.argv[2]); print(v)' "$1" "$2"; }

CHILD="" # the long-running child in the background, so that INT/TERM are handled at once (bash runs traps
           # only between foreground commands, but interrupts "wait")
bg_wait() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }
cleanup() {
  set +e
  [[ -n "$CHILD" ]] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  AERODB_CLUSTER_DIR="$AERO_DIR" "$LC" down >/dev/null 2>&1
  AERODB_CLUSTER_DIR="$FAILOVER_DIR" "$LC" down >/dev/null 2>&1
  if [[ " $SYSTEMS " == *" etcd "* ]]; then "$ETCD" stop >/dev/null 2>&1; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------ preflight
log "building AeroDB and the bench module (no tests)..."
ensure_built
if [[ "${AERODB_SKIP_BUILD:-}" != "1" || ! -d "$ROOT/aerodb-bench/target/lib" ]]; then
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
fi
if [[ " $SYSTEMS " == *" etcd "* ]]; then "$ETCD" install; fi
# Nothing of ours may be running from an earlier, interrupted run.
cleanup
trap cleanup EXIT

machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, var/bench on $(findmnt -n -o SOURCE,FSTYPE -T "$BENCH" | tr -s ' ' ' '), $(uname -r)"
settings="nodes=$NODES runs=$RUNS warmup_s=$WARMUP_S measure_s=$MEASURE_S prime_s=$PRIME_S/$ETCD_PRIME_S ops_max=$OPS_MAX clients=[$CLIENTS] workloads=[$WORKLOADS] systems=[$SYSTEMS] git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
{
  echo "date: $(date -Is)"; echo "machine: $machine"; echo "settings: $settings"
  echo "loadavg: $(cat /proc/loadavg)"; java -version 2>&1 | sed -n 1p
  command -v etcd >/dev/null && etcd --version 2>&1 | sed -n 1p
  echo "AERODB_NODE_JAVA_OPTS=${AERODB_NODE_JAVA_OPTS:-(default: -Xms128m -Xmx1g -XX:+UseG1GC)}"
} > "$OUT/env.txt"
record "$(python3 -c 'import json,sys; print(json.dumps({"type":"env","machine":sys.argv[1],"settings":sys.argv[2],"loadavg":sys.argv[3]}))' \
  "$machine" "$settings" "$(cat /proc/loadavg)")"
log "machine: $machine"
log "settings: $settings; results in $OUT"

# ------------------------------------------------------------------------------------------------ AeroDB cluster
INDEX_PRESENT=false
aerodb_up() { # fresh cluster + the benchmark collection (+ index when supported)
  lc wipe >/dev/null 2>&1 || true
  lc up >/dev/null
  cli --json collection create bench --schema "$BENCH_SCHEMA" >/dev/null
  if cli --json index create bench tag > "$OUT/logs/index-create.out" 2>&1; then
    INDEX_PRESENT=true
  else
    INDEX_PRESENT=false
  fi
}
aerodb_leader() { # prints "ID ENDPOINT"
  local s; s=$(cli --json --timeout 5s cluster status)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); l=d["leaderId"]; print(l, [n["address"] for n in d["nodes"] if n["id"]==l][0])' "$s"
}
aerodb_down() {
  local n; for n in "${NODE_NAMES[@]}"; do cp "$AERO_DIR/$n/node.log" "$OUT/logs/aerodb-$1-$n.log" 2>/dev/null || true; done
  lc down >/dev/null 2>&1 || true
}
# The schemas live in one place (aerodb-bench BenchDocs), next to the documents they describe.
BENCH_SCHEMA=$("${JAVA_LG[@]}" io.aerodb.bench.BenchDocs schema)
SMALL_SCHEMA=$("${JAVA_LG[@]}" io.aerodb.bench.BenchDocs small-schema)

rss_line() { # system node pid phase  (RSS = anonymous memory + mapped files; etcd maps its database file)
  local rss hwm anon file
  rss=$(awk '/^VmRSS:/{print $2/1024}' "/proc/$3/status" 2>/dev/null || echo -1)
  hwm=$(awk '/^VmHWM:/{print $2/1024}' "/proc/$3/status" 2>/dev/null || echo -1)
  anon=$(awk '/^RssAnon:/{print $2/1024}' "/proc/$3/status" 2>/dev/null || echo -1)
  file=$(awk '/^RssFile:/{print $2/1024}' "/proc/$3/status" 2>/dev/null || echo -1)
  record "{\"type\":\"rss\",\"system\":\"$1\",\"node\":\"$2\",\"pid\":$3,\"rss_mib\":${rss:--1},\"hwm_mib\":${hwm:--1},\"anon_mib\":${anon:--1},\"file_mib\":${file:--1},\"phase\":\"$4\"}"
}

loadgen() { # system endpoints pids names label extra prime-seconds  (progress on stderr, rows into results.jsonl)
  local rows="$OUT/logs/rows-$5.jsonl"
  bg_wait "${JAVA_LG[@]}" io.aerodb.bench.LoadGen --system "$1" --endpoints "$2" --server-pids "$3" --server-names "$4" \
    --workloads "${WORKLOADS// /,}" --clients "${CLIENTS// /,}" --warmup-s "$WARMUP_S" --measure-s "$MEASURE_S" \
    --prime-s "$7" --ops-max "$OPS_MAX" --gate-pct "$GATE_PCT" --gate-max-s "$GATE_MAX_S" \
    --watchers "${WATCHERS// /,}" --thread-cpu "$THREAD_CPU" \
    --markers "$BENCH" --scope-pids "$$" --label "$5" --extra "$6" > "$rows" || log "load generator failed ($5)"
  cat "$rows" >> "$RESULTS"
}

run_aerodb_rows() { # run
  log "run $1: AeroDB — fresh $NODES-node cluster (base port 7700)"
  aerodb_up
  local lead ep pids
  read -r lead ep < <(aerodb_leader)
  pids=$(node_pids_csv)
  log "run $1: AeroDB leader $lead ($ep), index on tag: $INDEX_PRESENT"
  # Leader first: the client starts there (the same as etcd's client -> leader).
  loadgen aerodb "$ep,$ENDPOINTS" "$pids" "$NAMES_CSV" "aerodb-run$1" "run=$1,nodes=$NODES,index=$INDEX_PRESENT,leader=$lead" "$PRIME_S"
  if (( $1 == RUNS )); then
    for n in "${NODE_NAMES[@]}"; do rss_line aerodb "$n" "$(node_pid "$n")" "end of the benchmark rows"; done
  fi
  aerodb_down "run$1"
}

run_etcd_rows() { # run
  log "run $1: etcd — fresh $NODES-member cluster (ports 2479/2579/2679...)"
  "$ETCD" start
  local ep pids names
  ep=$("$ETCD" leader)
  pids=$("$ETCD" pids)
  names=$(echo "$pids" | sed 's/=[0-9]*//g; s/ /,/g')
  log "run $1: etcd leader $ep"
  loadgen etcd "$ep" "$(echo "$pids" | sed 's/m[0-9]=//g; s/ /,/g')" "$names" "etcd-run$1" "run=$1,nodes=$NODES" "$ETCD_PRIME_S"
  if (( $1 == RUNS )); then
    for kv in $pids; do rss_line etcd "${kv%%=*}" "${kv#*=}" "end of the benchmark rows"; done
  fi
  for n in $(seq -f 'm%g' 1 "$NODES"); do cp "$AERODB_ETCD_DIR/$n.log" "$OUT/logs/etcd-run$1-$n.log" 2>/dev/null || true; done
  "$ETCD" stop
}

# ------------------------------------------------------------------------------------------------ warm-up curve
if [[ "$CURVE_S" != 0 ]]; then
  (( CLIENTS_SET )) || CLIENTS=8
  curve_clients="${CLIENTS%% *}"
  for system in $SYSTEMS; do
    if [[ "$system" == aerodb ]]; then
      log "warm-up curve: AeroDB — fresh $NODES-node cluster, $curve_clients clients, ${CURVE_S} s"
      aerodb_up
      read -r lead ep < <(aerodb_leader)
      pids=$(node_pids_csv)
      bg_wait "${JAVA_LG[@]}" io.aerodb.bench.LoadGen --system aerodb --endpoints "$ep,$ENDPOINTS" --server-pids "$pids" \
        --server-names "$NAMES_CSV" --clients "$curve_clients" --curve-s "$CURVE_S" --markers "$BENCH" --scope-pids "$$" \
        >> "$RESULTS" || { log "load generator failed (curve)"; exit 1; }
      for n in "${NODE_NAMES[@]}"; do rss_line aerodb "$n" "$(node_pid "$n")" "end of the warm-up curve"; done
      aerodb_down curve
    else
      log "warm-up curve: etcd — fresh $NODES-member cluster, $curve_clients clients, ${CURVE_S} s"
      "$ETCD" start
      ep=$("$ETCD" leader)
      pids=$("$ETCD" pids)
      bg_wait "${JAVA_LG[@]}" io.aerodb.bench.LoadGen --system etcd --endpoints "$ep" \
        --server-pids "$(echo "$pids" | sed 's/m[0-9]=//g; s/ /,/g')" --server-names "$(echo "$pids" | sed 's/=[0-9]*//g; s/ /,/g')" \
        --clients "$curve_clients" --curve-s "$CURVE_S" --markers "$BENCH" --scope-pids "$$" \
        >> "$RESULTS" || { log "load generator failed (curve)"; exit 1; }
      for kv in $pids; do rss_line etcd "${kv%%=*}" "${kv#*=}" "end of the warm-up curve"; done
      "$ETCD" stop
    fi
  done
  grep -E '"warmup_curve"|"rss"' "$RESULTS"
  exit 0
fi

# ------------------------------------------------------------------------------------------------ rows
if (( DO_ROWS )); then
  for run in $(seq 1 "$RUNS"); do
    order="$SYSTEMS"
    (( run % 2 == 0 )) && order="$(echo "$SYSTEMS" | awk '{for (i=NF; i>0; i--) printf "%s ", $i}')"
    for sys in $order; do
      if [[ "$sys" == aerodb ]]; then run_aerodb_rows "$run"; else run_etcd_rows "$run"; fi
    done
  done
fi

# ------------------------------------------------------------------------------------------------ operational figures
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "null"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

measure_failover() {
  (( FAILOVER_ROUNDS > 0 )) || return 0
  log "failover: $FAILOVER_ROUNDS rounds of SIGKILL of the leader (scripts/measure-failover.sh, base port 7700)"
  local out
  AERODB_SKIP_BUILD=1 AERODB_CLUSTER_DIR="$FAILOVER_DIR" bg_wait "$ROOT/scripts/measure-failover.sh" \
    --rounds "$FAILOVER_ROUNDS" > "$OUT/logs/failover.out" 2> "$OUT/logs/failover.err" ||
    { log "failover measurement failed; see $OUT/logs/failover.err"; return 0; }
  local out; out=$(cat "$OUT/logs/failover.out")
  echo "$out" | sed -n 's/^round [0-9]*: //p' | while IFS= read -r l; do record "{\"type\":\"failover_round\",${l#\{}"; done
  local last; last=$(echo "$out" | tail -1)
  record "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps({"type":"failover","rounds":d["rounds"],"failover_ms_median":d["failoverMsMedian"],"failover_ms_min":d["failoverMsMin"],"failover_ms_max":d["failoverMsMax"],"election_timeout_ms":d["electionTimeoutMs"]}))' "$last")"
  log "failover: $last"
}

measure_transfer() {
  # The operator's transfer (scripts/aerodb cluster transfer-leader --to nX, through the promotion workflow) while a
  # writer writes back to back: command → first write acknowledged by the new leader, and the longest write pause.
  (( TRANSFER_ROUNDS > 0 )) || return 0
  local help
  help=$("$CLI" cluster --help 2>&1 || true) # the group's usage (exit 2) lists its commands
  if [[ "$help" != *transfer-leader* ]]; then
    record '{"type":"transfer","available":false,"reason":"scripts/aerodb has no cluster transfer-leader command"}'
    log "leadership transfer: not available (no 'cluster transfer-leader' command)"
    return 0
  fi
  log "leadership transfer: $TRANSFER_ROUNDS rounds"
  aerodb_up
  cli --json collection create probe --schema "$SMALL_SCHEMA" >/dev/null
  local r lead ep target line vals=() pauses=()
  for r in $(seq 1 "$TRANSFER_ROUNDS"); do
    read -r lead ep < <(aerodb_leader)
    target=n1; [[ "$lead" == n1 ]] && target=n2
    line=$("${JAVA_LG[@]}" io.aerodb.bench.TransferProbe --endpoints "$ENDPOINTS" --collection probe --old-leader "$lead" \
      --timeout-s 30 -- "$CLI" --cluster "$ENDPOINTS" cluster transfer-leader --to "$target" 2>> "$OUT/logs/transfer.err") || true
    log "transfer round $r: $line"
    [[ "$line" == *first_new_ack_ms* ]] || continue
    record "{\"type\":\"transfer_round\",${line#\{\"type\":\"transfer_probe\",}"
    vals+=("$(json_get "$line" '["first_new_ack_ms"]')"); pauses+=("$(json_get "$line" '["write_pause_ms"]')")
    sleep 2
  done
  if (( ${#vals[@]} > 0 )); then
    record "{\"type\":\"transfer\",\"available\":true,\"rounds\":${#vals[@]},\"first_new_ack_ms_median\":$(printf '%s\n' "${vals[@]}" | median),\"write_pause_ms_median\":$(printf '%s\n' "${pauses[@]}" | median)}"
  else
    record '{"type":"transfer","available":false,"reason":"the transfer command exists but no round succeeded (see logs/transfer.err)"}'
  fi
  aerodb_down transfer
}

wait_converged() { # every node reachable with the same applied index (bounded: 180 s)
  local s
  for _ in $(seq 1 360); do
    s=$(cli --json --timeout 3s cluster status 2>/dev/null || true)
    if [[ -n "$s" ]] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); n=d["nodes"]; sys.exit(0 if all(x.get("reachable") for x in n) and len({x["appliedIndex"] for x in n})==1 else 1)' "$s" 2>/dev/null; then
      echo "$s"; return 0
    fi
    sleep 0.5
  done
  return 1
}

measure_restart() {
  (( RESTART_DOCS > 0 )) || return 0
  log "restart: fresh cluster, filling it with up to $RESTART_DOCS small documents (at most $RESTART_LOAD_MAX_S s)"
  aerodb_up
  cli --json collection create restart --schema "$SMALL_SCHEMA" >/dev/null
  local prefix="fill" pids line docs status lead follower fpid cidx t0 probe mode
  pids=$(node_pids_csv)
  read -r lead _ < <(aerodb_leader)
  bg_wait "${JAVA_LG[@]}" io.aerodb.bench.LoadGen --system aerodb --endpoints "$ENDPOINTS" --collection restart \
    --workloads load --clients 64 --ops-max "$RESTART_DOCS" --measure-s "$RESTART_LOAD_MAX_S" --prefix "$prefix" \
    --server-pids "$pids" --server-names "$NAMES_CSV" --gate-pct 100 --gate-max-s 0 --markers "$BENCH" --scope-pids "$$" \
    --label restart-fill > "$OUT/logs/restart-fill.json" 2>> "$OUT/logs/loadgen.err" || true
  line=$(cat "$OUT/logs/restart-fill.json")
  [[ "$line" == *ops_per_s* ]] || { log "restart: the fill failed; see $OUT/logs/loadgen.err"; aerodb_down restart; return 0; }
  record "$line"
  docs=$(( $(json_get "$line" '["ops"]') + 1 ))
  log "restart: wrote $docs documents ($(json_get "$line" '["ops_per_s"]') docs/s, errors $(json_get "$line" '["errors"]'))"
  status=$(wait_converged) || { log "restart: the cluster did not converge"; aerodb_down restart; return 0; }
  for mode in term kill; do
    status=$(wait_converged) || { log "restart: the cluster did not converge"; break; }
    read -r lead cidx follower < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); l=d["leaderId"]; n=d["nodes"]; print(l, [x["commitIndex"] for x in n if x["id"]==l][0], [x["id"] for x in n if x["id"]!=l][-1])' "$status")
    fpid=$(node_pid "$follower")
    local raft_b store_b stop_ms t_stop
    raft_b=$(du -sb "$AERO_DIR/$follower/data/raft" | cut -f1); store_b=$(du -sb "$AERO_DIR/$follower/data/store" | cut -f1)
    for n in "${NODE_NAMES[@]}"; do rss_line aerodb "$n" "$(node_pid "$n")" "holding $docs documents"; done
    t_stop=$(date +%s%3N)
    if [[ "$mode" == term ]]; then kill -TERM "$fpid"; else kill -KILL "$fpid"; fi
    for _ in $(seq 1 300); do [[ -e "/proc/$fpid" ]] || break; sleep 0.1; done
    stop_ms=$(( $(date +%s%3N) - t_stop ))
    [[ -e "/proc/$fpid" ]] && { log "restart: $follower did not stop in 30 s"; kill -KILL "$fpid"; sleep 1; }
    t0=$(date +%s%3N)
    lc start "$follower" >/dev/null 2>&1
    bg_wait "${JAVA_LG[@]}" io.aerodb.bench.RestartProbe --endpoint "127.0.0.1:${API_PORTS[$(( ${follower#n} - 1 ))]}" \
      --collection restart --id "$prefix-first" --min-index "$cidx" --start-epoch-ms "$t0" --timeout-s 600 \
      > "$OUT/logs/restart-probe-$mode.json" 2>> "$OUT/logs/restart.err" || true
    probe=$(cat "$OUT/logs/restart-probe-$mode.json")
    log "restart ($mode) of $follower holding $docs documents (commit index $cidx): $probe"
    if [[ "$probe" == *serving_ms* ]]; then
      record "$(python3 -c 'import json,sys; p=json.loads(sys.argv[1]); print(json.dumps({"type":"restart","mode":"SIGTERM (clean)" if sys.argv[2]=="term" else "SIGKILL (crash)","node":sys.argv[3],"documents":int(sys.argv[4]),"commit_index":int(sys.argv[5]),"api_up_ms":p["api_up_ms"],"serving_ms":p["serving_ms"],"stop_ms":int(sys.argv[6]),"raft_dir_bytes":int(sys.argv[7]),"store_dir_bytes":int(sys.argv[8])}))' \
        "$probe" "$mode" "$follower" "$docs" "$cidx" "$stop_ms" "$raft_b" "$store_b")"
    fi
  done
  aerodb_down restart
}

if (( DO_OPS )) && [[ " $SYSTEMS " == *" aerodb "* ]]; then
  [[ " $SYSTEMS " == *" etcd "* ]] && "$ETCD" stop >/dev/null 2>&1
  measure_failover
  measure_transfer
  measure_restart
fi

# ------------------------------------------------------------------------------------------------ report
log "report (raw lines: $RESULTS)"
"${JAVA_LG[@]}" io.aerodb.bench.BenchReport "$RESULTS" "$OUT/summary.md" | tee "$OUT/report.jsonl"
log "summary: $OUT/summary.md"
