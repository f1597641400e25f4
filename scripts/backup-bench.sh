#!/usr/bin/env bash
# Backup and restore figures (issue 12) on a local 3-node cluster (base port 7400 unless --base-port):
#   0. the cluster: --reuse DIR starts an existing cluster directory as it is (e.g. var/lifecycle-bench/cluster
#      after scripts/lifecycle-bench.sh --docs 1000000, with the same --base-port); otherwise a fresh one that
#      gets --docs documents of 1 KiB;
#   1. the insert throughput of --window-s seconds without a backup (after 90 s of warm-up), then of --window-s
#      seconds while backups of a follower run back to back (the first one's time and size are the backup
#      figures), then again without (the ratio is to the mean of both windows without);
#   2. the time of `backup verify` and of `restore` (into a new directory), and the restored store's size.
# Prints a summary and writes var/backup-bench/<time>/summary.txt (the backup and restored files are deleted at
# the end unless --keep). Every process it starts it stops by PID (the cluster by scripts/local-cluster.sh down).
#
#   scripts/backup-bench.sh [--docs N | --reuse DIR] [--clients C] [--window-s S] [--base-port P] [--keep]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCS=100000; CLIENTS=16; WINDOW_S=30; REUSE=""; BASE=7400; KEEP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --docs) DOCS="$2"; shift 2 ;;
    --reuse) REUSE="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --window-s) WINDOW_S="$2"; shift 2 ;;
    --base-port) BASE="$2"; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
export AERODB_BASE_PORT=$BASE
if [[ -n "$REUSE" ]]; then
  [[ -d "$REUSE/n1" ]] || { echo "--reuse $REUSE: no cluster directory there (n1/ missing)" >&2; exit 2; }
  export AERODB_CLUSTER_DIR="$(cd "$REUSE" && pwd)"
else
  export AERODB_CLUSTER_DIR="$ROOT/var/backup-bench/cluster"
fi
RUN="$(date +%Y%m%d%H%M%S)" # document ids unique per run (a reused cluster keeps the earlier ones)
OUT="$ROOT/var/backup-bench/$RUN"
mkdir -p "$OUT"
EP="127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 11)),127.0.0.1:$((BASE + 21))"
LC=("$ROOT/scripts/local-cluster.sh" --base-port "$BASE")
CLI=("$ROOT/scripts/aerodb" --cluster "$EP")
BENCH_CP="$ROOT/aerodb-bench/target/classes:$ROOT/aerodb-bench/target/lib/*"
LG=(java -Xms256m -Xmx1g -XX:+UseG1GC -cp "$BENCH_CP" io.aerodb.bench.LoadGen --system aerodb --endpoints "$EP"
    --collection bench --gate-pct 100 --gate-max-s 1)
log() { echo "[backup-bench $(date +%H:%M:%S)] $*" | tee -a "$OUT/summary.txt" >&2; }
LGPID=""
cleanup() {
  [[ -n "$LGPID" ]] && kill "$LGPID" 2>/dev/null || true
  "${LC[@]}" down >/dev/null 2>&1 || true
  if [[ -z "$KEEP" ]]; then rm -rf "$OUT"/*.aerobak "$OUT/restored-n1"; fi
}
trap cleanup EXIT
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
field() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())[sys.argv[2]])' "$1" "$2"; }

(cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
if [[ -z "$REUSE" ]]; then
  "${LC[@]}" wipe >/dev/null 2>&1 || true
  "${LC[@]}" up >/dev/null
  "${CLI[@]}" --json collection create bench --schema "$(java -cp "$BENCH_CP" io.aerodb.bench.BenchDocs schema)" >/dev/null
  log "0. a fresh cluster with $DOCS documents of 1 KiB"
  "${LG[@]}" --workloads get --clients 1 --ops-max 1 --warmup-s 0 --measure-s 5 --preload "$DOCS" \
    --preload-max-s $(( DOCS / 300 + 120 > 3600 ? 3600 : DOCS / 300 + 120 )) --prefix bb > "$OUT/preload.json"
else
  log "0. the cluster in $AERODB_CLUSTER_DIR as it is"
  "${LC[@]}" up >/dev/null
fi
log "   stores: $(for n in n1 n2 n3; do printf '%s %s MiB  ' $n $(( $(du -sb "$AERODB_CLUSTER_DIR/$n/data/store" | cut -f1) / 1048576 )); done)"

log "1. $WINDOW_S s of inserts without a backup, then $WINDOW_S s while backups run back to back"
# the first window warms the nodes up (90 s of unmeasured inserts); a second one after the backups checks for drift
"${LG[@]}" --workloads insert --clients "$CLIENTS" --ops-max 10000000 --prime-s 90 --prime-min-s 90 --warmup-s 2 --measure-s "$WINDOW_S" \
  --prefix "base$RUN" > "$OUT/base.json"
"${LG[@]}" --workloads insert --clients "$CLIENTS" --ops-max 10000000 --warmup-s 2 --measure-s "$WINDOW_S" \
  --prefix "during$RUN" > "$OUT/during.json" &
LGPID=$!
sleep 2
n=0; busy_ms=0
while kill -0 "$LGPID" 2>/dev/null && (( n < 50 )); do
  n=$((n + 1))
  t0=$(date +%s%N)
  "${CLI[@]}" --json backup --out "$OUT/backup-$n.aerobak" > "$OUT/backup-$n.json"
  took=$(ms_since "$t0"); busy_ms=$((busy_ms + took))
  if [[ $n -eq 1 ]]; then
    log "   backup 1: $(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("%d documents at index %d from %s: %.1f MiB in %d ms (the CLI JVM included: %s ms)"
      % (d["documents"], d["index"], d["sourceId"], d["bytes"] / 2**20, d["millis"], sys.argv[2]))' "$OUT/backup-1.json" "$took")"
  else
    rm -f "$OUT/backup-$n.aerobak"
  fi
done
wait "$LGPID"; LGPID=""
"${LG[@]}" --workloads insert --clients "$CLIENTS" --ops-max 10000000 --warmup-s 2 --measure-s "$WINDOW_S" \
  --prefix "after$RUN" > "$OUT/after.json"
python3 - "$OUT/base.json" "$OUT/during.json" "$OUT/after.json" "$n" "$busy_ms" "$WINDOW_S" <<'PY' | tee -a "$OUT/summary.txt" >&2
import json, sys
b, d, a = (json.loads(open(f).readline())["ops_per_s"] for f in sys.argv[1:4])
print("   inserts/s without a backup %.0f (before) and %.0f (after), while %s backups ran back to back"
      " (%.0f s of backups in a %s s window) %.0f: ratio %.2f"
      % (b, a, sys.argv[4], int(sys.argv[5]) / 1000, sys.argv[6], d, d / ((b + a) / 2)))
PY

log "2. verify and restore the first backup"
t0=$(date +%s%N)
"${CLI[@]}" --json backup verify "$OUT/backup-1.aerobak" > "$OUT/verify.json"
log "   verify: ok=$(field "$OUT/verify.json" ok) in $(ms_since "$t0") ms (the command's own: $(field "$OUT/verify.json" millis) ms)"
t0=$(date +%s%N)
"${CLI[@]}" --json restore "$OUT/backup-1.aerobak" --data-dir "$OUT/restored-n1" --node-id n1 > "$OUT/restore.json"
log "   restore: $(ms_since "$t0") ms (the command's own: $(field "$OUT/restore.json" millis) ms); restored store $(( $(du -sb "$OUT/restored-n1/store" | cut -f1) / 1048576 )) MiB"
log "done: $OUT"
