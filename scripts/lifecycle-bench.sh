#!/usr/bin/env bash
# Storage life-cycle figures (issue 11) on a local 3-node cluster (base port 7400, var/lifecycle-bench/):
#   1. the Raft log and the store of every node, sampled every 2 s, while --docs 1 KiB documents are inserted
#      (snapshots every --snapshot-every entries, the log keeping --retain entries, --segment-mib segments): the curve;
#   2. the time of `cluster snapshot` and the size of each store (what an install sends);
#   3. install: the insert throughput of --window-s seconds without an install, then of --window-s seconds while
#      a wiped follower (n3) installs the leader's store and catches up; the install (catch-up) time.
# Prints a summary and writes var/lifecycle-bench/<time>/{curve.csv,summary.txt}. Every process it starts it stops
# by PID (the cluster by scripts/local-cluster.sh down); loopback only.
#
#   scripts/lifecycle-bench.sh [--docs N] [--clients C] [--snapshot-every N] [--retain N] [--segment-mib M] [--window-s S]
#   scripts/lifecycle-bench.sh --phase gc [--docs N] [--gc-retain R] [--clients C]
#       instead: N documents, then 5 updates of each (round robin) with the GC floor R entries behind (R huge: no GC);
#       the log and store before and after, the update throughput, the GC passes; run it with and without GC.
#   scripts/lifecycle-bench.sh --phase gc-rounds [--docs N] [--clients C] [--reuse]
#       instead, one run that is its own baseline: N documents, then 5 rounds (each updates every document
#       once); no GC policy; round 1 runs without a floor, and before each later round and after the last the
#       operator sets the floor at the applied index (`cluster gc --floor`), so rounds 2-5 run while the
#       collector reclaims the round before: throughput per round and in each round's first --window-s
#       (where the pass runs; the pass times are printed), the ratios to round 1, the log and store before
#       and after.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCS=200000; CLIENTS=16; SNAP=20000; RETAIN=10000; SEG_MIB=8; WINDOW_S=20; PHASE=install; GC_RETAIN=20000; REUSE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --docs) DOCS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --snapshot-every) SNAP="$2"; shift 2 ;;
    --retain) RETAIN="$2"; shift 2 ;;
    --segment-mib) SEG_MIB="$2"; shift 2 ;;
    --window-s) WINDOW_S="$2"; shift 2 ;;
    --phase) PHASE="$2"; shift 2 ;;
    --gc-retain) GC_RETAIN="$2"; shift 2 ;;
    --reuse) REUSE=yes; shift ;; # gc-rounds: the cluster directory as an earlier run left it (its documents)
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
BASE=7400
export AERODB_BASE_PORT=$BASE
export AERODB_CLUSTER_DIR="$ROOT/var/lifecycle-bench/cluster"
export AERODB_RAFT_EXTRA=", \"snapshotEveryEntries\": $SNAP, \"logRetainEntries\": $RETAIN, \"logSegmentBytes\": $((SEG_MIB * 1024 * 1024))"
[[ "$PHASE" == gc-rounds ]] && GC_RETAIN=1000000000000 # no policy floor: the operator sets each one
export AERODB_CONFIG_EXTRA=", \"gc\": {\"retainEntries\": $GC_RETAIN, \"intervalMs\": 1000}"
OUT="$ROOT/var/lifecycle-bench/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
EP="127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 11)),127.0.0.1:$((BASE + 21))"
LC=("$ROOT/scripts/local-cluster.sh" --base-port "$BASE")
CLI=("$ROOT/scripts/aerodb" --cluster "$EP")
BENCH_CP="$ROOT/aerodb-bench/target/classes:$ROOT/aerodb-bench/target/lib/*"
LG=(java -Xms256m -Xmx1g -XX:+UseG1GC -cp "$BENCH_CP" io.aerodb.bench.LoadGen --system aerodb --endpoints "$EP"
    --collection bench --gate-pct 100 --gate-max-s 1)
log() { echo "[lifecycle $(date +%H:%M:%S)] $*" | tee -a "$OUT/summary.txt" >&2; }
SAMPLER=""
cleanup() {
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
  "${LC[@]}" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

(cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
if [[ -n "$REUSE" ]]; then
  "${LC[@]}" up >/dev/null
else
  "${LC[@]}" wipe >/dev/null 2>&1 || true
  "${LC[@]}" up >/dev/null
  "${CLI[@]}" --json collection create bench --schema "$(java -cp "$BENCH_CP" io.aerodb.bench.BenchDocs schema)" >/dev/null
fi
data() { echo "$AERODB_CLUSTER_DIR/$1/data"; }
sizes() { # t n1raft n1store n2raft n2store n3raft n3store
  local line n; line="$1"
  for n in n1 n2 n3; do
    line="$line,$(du -sb "$(data $n)/raft" 2>/dev/null | cut -f1),$(du -sb "$(data $n)/store" 2>/dev/null | cut -f1)"
  done
  echo "$line"
}
echo "seconds,n1_raft_bytes,n1_store_bytes,n2_raft_bytes,n2_store_bytes,n3_raft_bytes,n3_store_bytes" > "$OUT/curve.csv"
start=$SECONDS
( while true; do sizes "$((SECONDS - start))" >> "$OUT/curve.csv"; sleep 2; done ) &
SAMPLER=$!

gc_status() {
  "${CLI[@]}" --json cluster status | python3 -c 'import json,sys; d=json.load(sys.stdin); print("gc: " + ", ".join("%s floor %d collected %d applied %d" % (n["id"], n.get("gcFloor",0), n.get("gcCollected",0), n.get("appliedIndex",0)) for n in d["nodes"]))'
}
PRELOAD_MAX_S=$(( DOCS / 300 + 120 > 3600 ? 3600 : DOCS / 300 + 120 )) # at 300 documents/s at least
if [[ "$PHASE" == gc-rounds ]]; then
  log "gc-rounds: $DOCS documents of 1 KiB, then 5 rounds of updates (each document once per round), $CLIENTS clients"
  if [[ -n "$REUSE" ]]; then
    log "   reusing the cluster in $AERODB_CLUSTER_DIR and its $DOCS documents (gcdocs-p*)"
  else
    "${LG[@]}" --workloads get --clients 1 --ops-max 1 --warmup-s 0 --measure-s 5 --preload "$DOCS" \
      --preload-max-s "$PRELOAD_MAX_S" --prefix gcdocs > "$OUT/preload.json"
  fi
  sleep 3
  log "   before the updates: $(sizes "$((SECONDS - start))")"
  for round in 1 2 3 4 5; do
    if [[ $round -gt 1 ]]; then
      applied=$("${CLI[@]}" --json cluster status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(min(n.get("appliedIndex",0) for n in d["nodes"]))')
      log "   floor at $applied: $("${CLI[@]}" cluster gc --floor "$applied" 2>&1 | head -1)"
    fi
    # the first $WINDOW_S s of a round (the window a pass starts in), then the rest of the round
    "${LG[@]}" --workloads update --clients "$CLIENTS" --preload "$DOCS" --preloaded true --ops-max "$DOCS" \
      --update-from $(( (round - 1) * DOCS )) --warmup-s 0 --measure-s "$WINDOW_S" --prefix gcdocs > "$OUT/round$round-window.json"
    done_ops=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["ops"])' "$OUT/round$round-window.json")
    "${LG[@]}" --workloads update --clients "$CLIENTS" --preload "$DOCS" --preloaded true --update-from $(( (round - 1) * DOCS + done_ops )) \
      --ops-max $((DOCS - done_ops)) --warmup-s 0 --measure-s 1800 --prefix gcdocs > "$OUT/round$round-rest.json"
    log "   round $round: $(python3 -c '
import json,sys
w = json.loads(open(sys.argv[1]).readline()); r = json.loads(open(sys.argv[2]).readline())
print("updates/s %.0f over the round, %.0f in its first %.0f s; p50 %.2f ms p99 %.2f ms (rest); errors %d"
      % ((w["ops"] + r["ops"]) / (w["secs"] + r["secs"]), w["ops_per_s"], w["secs"], r["p50_ms"], r["p99_ms"], w["errors"] + r["errors"]))' \
      "$OUT/round$round-window.json" "$OUT/round$round-rest.json"); $(sizes "$((SECONDS - start))")"
  done
  applied=$("${CLI[@]}" --json cluster status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(min(n.get("appliedIndex",0) for n in d["nodes"]))')
  log "   final floor at $applied: $("${CLI[@]}" cluster gc --floor "$applied" 2>&1 | head -1)"
  for _ in $(seq 1 600); do # until every node collected up to the floor (at most 10 min)
    "${CLI[@]}" --json cluster status | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if all(n.get("gcCollected",0) >= int(sys.argv[1]) for n in d["nodes"]) else 1)' "$applied" && break
    sleep 1
  done
  sleep 5
  kill "$SAMPLER"; SAMPLER=""
  log "   after the updates and the last pass: $(sizes "$((SECONDS - start))")"
  log "   $(gc_status)"
  python3 - "$OUT" <<'PY' | tee -a "$OUT/summary.txt" >&2
import json, sys
def row(i, part):
    return json.loads(open("%s/round%d-%s.json" % (sys.argv[1], i, part)).readline())
r = [(row(i, "window")["ops"] + row(i, "rest")["ops"]) / (row(i, "window")["secs"] + row(i, "rest")["secs"]) for i in range(1, 6)]
w = [row(i, "window")["ops_per_s"] for i in range(1, 6)]
print("   updates/s per round: " + " ".join("%.0f" % x for x in r)
      + "; rounds 2-5 (a pass each) / round 1 (none): %.2f" % (sum(r[1:]) / 4 / r[0]))
print("   updates/s in each round's first window: " + " ".join("%.0f" % x for x in w)
      + "; rounds 2-5 (the pass running) / round 1: %.2f" % (sum(w[1:]) / 4 / w[0]))
PY
  python3 - "$AERODB_CLUSTER_DIR/n1/node.log" <<'PY' | tee -a "$OUT/summary.txt" >&2
import json, sys  # every pass on n1: when it started and ended, what it collected
started = None
for line in open(sys.argv[1]):
    if '"GC_PASS_' not in line:
        continue
    e = json.loads(line)
    if e["event"] == "GC_PASS_STARTED":
        started = e["time"]
    elif e["event"] == "GC_PASS_COMPLETED":
        print("   n1 pass %s .. %s: %s" % (started, e["time"][11:], e["message"]))
PY
  log "done: $OUT"
  exit 0
fi

if [[ "$PHASE" == gc ]]; then
  log "gc: $DOCS documents of 1 KiB, then 5 updates of each with $CLIENTS clients (GC floor $GC_RETAIN entries behind)"
  "${LG[@]}" --workloads get --clients 1 --ops-max 1 --warmup-s 0 --measure-s 5 --preload "$DOCS" \
    --preload-max-s "$PRELOAD_MAX_S" --prefix gcdocs > "$OUT/preload.json"
  sleep 3
  log "   before the updates: $(sizes "$((SECONDS - start))")"
  "${LG[@]}" --workloads update --clients "$CLIENTS" --preload "$DOCS" --preloaded true --ops-max $((5 * DOCS)) \
    --warmup-s 0 --measure-s 1800 --prefix gcdocs > "$OUT/updates.json"
  log "   $(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print("updates/s %.0f p50 %.2f ms p99 %.2f ms" % (d["ops_per_s"], d["p50_ms"], d["p99_ms"]))' "$OUT/updates.json")"
  sleep 15 # the last floor and its pass
  kill "$SAMPLER"; SAMPLER=""
  log "   after the updates (+15 s): $(sizes "$((SECONDS - start))")"
  "${CLI[@]}" --json cluster status | python3 -c 'import json,sys; d=json.load(sys.stdin); print("   gc: " + ", ".join("%s floor %d collected %d applied %d" % (n["id"], n.get("gcFloor",0), n.get("gcCollected",0), n.get("appliedIndex",0)) for n in d["nodes"]))' | tee -a "$OUT/summary.txt" >&2
  grep -h '"event":"GC_PASS_COMPLETED"' "$AERODB_CLUSTER_DIR/n1/node.log" | tail -3 | cut -c1-200 | tee -a "$OUT/summary.txt" >&2 || true
  log "   GC passes on n1: $(grep -c '"event":"GC_PASS_COMPLETED"' "$AERODB_CLUSTER_DIR/n1/node.log" || true)"
  log "done: $OUT"
  exit 0
fi

log "1. inserting $DOCS documents of 1 KiB with $CLIENTS clients (snapshot every $SNAP, log keeps $RETAIN, ${SEG_MIB} MiB segments)"
"${LG[@]}" --workloads insert --clients "$CLIENTS" --ops-max "$DOCS" --warmup-s 0 --measure-s 1800 --prefix fill > "$OUT/fill.json"
log "   $(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print("ops/s %.0f" % d.get("ops_per_s", 0))' "$OUT/fill.json" 2>/dev/null || cat "$OUT/fill.json")"
sleep 4
kill "$SAMPLER"; SAMPLER=""
log "   log and store bytes per node, every 2 s: $OUT/curve.csv ($(wc -l < "$OUT/curve.csv") samples); last: $(tail -1 "$OUT/curve.csv")"
python3 - "$OUT/curve.csv" <<'PY' | tee -a "$OUT/summary.txt" >&2
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for n in ("n1", "n2", "n3"):
    r = [int(x[n + "_raft_bytes"] or 0) for x in rows]
    print("   %s raft log: max %.1f MiB, last %.1f MiB" % (n, max(r) / 2**20, r[-1] / 2**20))
PY

log "2. cluster snapshot"
t0=$(date +%s%N)
"${CLI[@]}" cluster snapshot | tee -a "$OUT/summary.txt" >&2
log "   took $(( ($(date +%s%N) - t0) / 1000000 )) ms; stores: $(for n in n1 n2 n3; do printf '%s %s MiB  ' $n $(( $(du -sb "$(data $n)/store" | cut -f1) / 1048576 )); done)"

log "3. install: $WINDOW_S s of inserts without, then with a wiped follower (n3) installing"
"${LG[@]}" --workloads insert --clients "$CLIENTS" --ops-max 10000000 --warmup-s 2 --measure-s "$WINDOW_S" --prefix base > "$OUT/base.json"
"${LC[@]}" stop n3 >/dev/null
rm -rf "$(data n3)"
"${LG[@]}" --workloads insert --clients "$CLIENTS" --ops-max 10000000 --warmup-s 2 --measure-s "$WINDOW_S" --prefix during > "$OUT/during.json" &
LGPID=$!
sleep 2
t0=$(date +%s%N)
"${LC[@]}" start n3 >/dev/null
installed=""
for _ in $(seq 1 600); do
  s=$("${CLI[@]}" --json --timeout 3s cluster status 2>/dev/null || true)
  if python3 -c '
import json, sys
d = json.loads(sys.argv[1]); nodes = {n["id"]: n for n in d["nodes"]}
n3 = nodes.get("n3", {}); lead = nodes.get(d["leaderId"], {})
ok = n3.get("install", {}).get("installs", 0) >= 1 and n3.get("appliedIndex", 0) >= lead.get("commitIndex", 1) - 100
sys.exit(0 if ok else 1)' "$s" 2>/dev/null; then installed=yes; break; fi
  sleep 0.2
done
took=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$LGPID"
if [[ -n "$installed" ]]; then log "   n3 installed and caught up (within 100 entries) in $took ms after its start"; else log "   n3 did not install within 120 s"; fi
python3 - "$OUT/base.json" "$OUT/during.json" <<'PY' | tee -a "$OUT/summary.txt" >&2
import json, sys
b = json.loads(open(sys.argv[1]).readline()); d = json.loads(open(sys.argv[2]).readline())
print("   inserts/s without an install %.0f, while n3 installs %.0f: ratio %.2f" % (b["ops_per_s"], d["ops_per_s"], d["ops_per_s"] / b["ops_per_s"]))
PY
grep -h '"event":"INSTALL_STAGED"' "$AERODB_CLUSTER_DIR/n3/node.log" | tail -1 | cut -c1-300 | tee -a "$OUT/summary.txt" >&2 || true
log "done: $OUT"
