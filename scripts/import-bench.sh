#!/usr/bin/env bash
# Bulk import figure (issue 13): `scripts/aerodb import` of --docs documents of 1 KiB (the benchmark documents,
# schema-validated, an index on "tag") into a fresh local 3-node cluster (base port 7500 unless --base-port), in
# batches of --batch documents per log entry. Prints documents/s and MiB/s and writes
# var/import-bench/<time>/summary.txt; the generated file is deleted at the end unless --keep. Every process it
# starts it stops (the cluster by scripts/local-cluster.sh down, by PID).
#
#   scripts/import-bench.sh [--docs 1000000] [--batch 500] [--base-port 7500] [--keep]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCS=1000000; BATCH=500; BASE=7500; KEEP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --docs) DOCS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --base-port) BASE="$2"; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$DOCS" =~ ^[0-9]+$ ]] && (( DOCS >= 1 && DOCS <= 5000000 )) || { echo "--docs: 1..5000000" >&2; exit 2; }
export AERODB_BASE_PORT=$BASE
export AERODB_CLUSTER_DIR="$ROOT/var/import-bench/cluster"
OUT="$ROOT/var/import-bench/$(date +%Y%m%d%H%M%S)"
mkdir -p "$OUT"
EP="127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 11)),127.0.0.1:$((BASE + 21))"
LC=("$ROOT/scripts/local-cluster.sh" --base-port "$BASE")
CLI=("$ROOT/scripts/aerodb" --cluster "$EP")
BENCH_CP="$ROOT/aerodb-bench/target/classes:$ROOT/aerodb-bench/target/lib/*"
log() { echo "[import-bench $(date +%H:%M:%S)] $*" | tee -a "$OUT/summary.txt" >&2; }
cleanup() {
  "${LC[@]}" down >/dev/null 2>&1 || true
  [[ -n "$KEEP" ]] || rm -f "$OUT/docs.jsonl" "$OUT/docs.jsonl.aerodb-import"
}
trap cleanup EXIT

(cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
"${LC[@]}" wipe >/dev/null 2>&1 || true
"${LC[@]}" up >/dev/null
"${CLI[@]}" --json collection create bench --schema "$(java -cp "$BENCH_CP" io.aerodb.bench.BenchDocs schema)" >/dev/null
"${CLI[@]}" --json index create bench tag >/dev/null
log "generating $DOCS documents of 1 KiB"
java -cp "$BENCH_CP" io.aerodb.bench.BenchDocs jsonl "$DOCS" imp > "$OUT/docs.jsonl"
bytes=$(stat -c %s "$OUT/docs.jsonl")
log "file: $bytes bytes; importing with --batch $BATCH"
t0=$(date +%s%N)
"${CLI[@]}" --json --timeout 60s import bench "$OUT/docs.jsonl" --batch "$BATCH" > "$OUT/import.json" 2> "$OUT/import.err" ||
  { log "import failed: $(tail -3 "$OUT/import.err")"; exit 1; }
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
inserted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["inserted"])' "$OUT/import.json")
log "$(python3 -c 'import sys; d,b,ms=map(int,sys.argv[1:]); s=ms/1000; print(f"imported {d} documents ({b/2**20:.0f} MiB) in {s:.1f} s: {d/s:.0f} documents/s, {b/2**20/s:.1f} MiB/s")' "$inserted" "$bytes" "$ms")"
log "git $(git -C "$ROOT" rev-parse --short HEAD); cores $(nproc); summary in $OUT/summary.txt"
