#!/usr/bin/env bash
# Compare AeroDB configurations on this machine: each configuration gets a fresh 3-node cluster and the same rows as
# scripts/bench.sh (AeroDB only, no operational figures); configurations are interleaved run by run so that drift in
# the machine's load hits all of them alike. Prints one table (median over runs per configuration and row)
# and each run's RSS at the end of its rows (smallest–largest node).
#
#   scripts/bench-experiments.sh [--runs N] [--clients "1 8 64"] [--workloads "insert"] [--prime-s S] [--measure-s S]
#                                [--threads] NAME=JVM-OPTIONS ...
#
# JVM-OPTIONS are added to the nodes' default options (-Xms128m -Xmx1g -XX:+UseG1GC); Ratis keys can be set with
# -Daerodb.ratis.<key>=<value>. Example:
#   scripts/bench-experiments.sh baseline= \
#     no-metadata="-Daerodb.ratis.raft.server.log.log-metadata.enabled=false" \
#     c1-only="-XX:TieredStopAtLevel=1"
# Output: var/bench/experiments/<time>/ (each run's bench.sh output) and table.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$AERODB_ROOT"
RUNS=1; CLIENTS="1 8 64"; WORKLOADS="insert"; PRIME_S=240; MEASURE_S=10; CONFIGS=(); THREADS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --prime-s) PRIME_S="$2"; shift 2 ;;
    --measure-s) MEASURE_S="$2"; shift 2 ;;
    --threads) THREADS=(--threads); shift ;; # each row: the servers' CPU per operation by thread group
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *=*) CONFIGS+=("$1"); shift ;;
    *) echo "unknown argument $1 (configurations are NAME=OPTIONS)" >&2; exit 2 ;;
  esac
done
(( ${#CONFIGS[@]} > 0 && ${#CONFIGS[@]} <= 12 )) || { echo "give 1..12 NAME=OPTIONS configurations" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ ]] && (( RUNS >= 1 && RUNS <= 9 )) || { echo "--runs must be 1..9" >&2; exit 2; }
OUT="$ROOT/var/bench/experiments/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
DEFAULT_OPTS="-Xms128m -Xmx1g -XX:+UseG1GC"

first=1
for run in $(seq 1 "$RUNS"); do
  for cfg in "${CONFIGS[@]}"; do
    name="${cfg%%=*}"; opts="${cfg#*=}"
    base="$DEFAULT_OPTS"
    [[ "$opts" =~ -XX:\+Use[A-Za-z]+GC ]] && base="${DEFAULT_OPTS/ -XX:+UseG1GC/}"   # a configuration may pick its GC
    echo "[experiments $(date +%H:%M:%S)] run $run: $name ($base $opts)" >&2
    skip=1; (( first )) && skip=0; first=0
    AERODB_SKIP_BUILD=$skip AERODB_NODE_JAVA_OPTS="$base $opts" "$ROOT/scripts/bench.sh" --only aerodb --no-ops \
      --runs 1 --clients "$CLIENTS" --workloads "$WORKLOADS" --prime-s "$PRIME_S" --measure-s "$MEASURE_S" \
      --out "$OUT/$name-run$run" "${THREADS[@]}" > "$OUT/$name-run$run.jsonl" 2> "$OUT/$name-run$run.err" ||
      echo "  $name run $run failed; see $OUT/$name-run$run.err" >&2
    grep -h '^  aerodb' "$OUT/$name-run$run.err" >&2 || true
  done
done

python3 - "$OUT" "${CONFIGS[@]}" <<'EOF' | tee "$OUT/table.md"
import json, sys, glob, statistics
out, configs = sys.argv[1], sys.argv[2:]
print("| configuration | workload | clients | ops/s | p50 ms | p99 ms | server CPU µs/op | server context switches/op (voluntary) | server JIT CPU % | foreign CPU % (max) | runs |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for cfg in configs:
    name, opts = cfg.split("=", 1)
    rows = {}
    for f in sorted(glob.glob(f"{out}/{name}-run*/results.jsonl")):
        for l in open(f):
            d = json.loads(l)
            if d.get("type") == "row":
                rows.setdefault((d["workload"], d["clients"]), []).append(d)
    for (w, c), rs in rows.items():
        med = lambda k: statistics.median([r[k] for r in rs if r.get(k) is not None] or [float("nan")])
        print(f"| {name} | {w} | {c} | {med('ops_per_s'):.0f} | {med('p50_ms'):.2f} | {med('p99_ms'):.2f} | "
              f"{med('server_cpu_us_per_op'):.0f} | {med('server_context_switches_per_op'):.1f} ({med('server_voluntary_switches_per_op'):.1f}) | {med('server_jit_cpu_pct'):.0f} | {max(r['foreign_cpu_pct'] for r in rs):.0f} | {len(rs)} |")
print()
print("| configuration | RSS at the end of the rows, smallest–largest node, MiB (each run) |")
print("|---|---|")
for cfg in configs:
    name, opts = cfg.split("=", 1)
    runs = []
    for f in sorted(glob.glob(f"{out}/{name}-run*/results.jsonl")):
        rss = [json.loads(l) for l in open(f)]
        rss = sorted(round(d["rss_mib"]) for d in rss if d.get("type") == "rss")
        runs.append("–".join(str(x) for x in (rss[:1] + rss[-1:])) if rss else "?")
    print(f"| {name} | {', '.join(runs)} |")
print()
for cfg in configs:
    name, opts = cfg.split("=", 1)
    print(f"- `{name}`: `{opts.strip() or '(defaults)'}`")
EOF
echo "[experiments] everything in $OUT" >&2
