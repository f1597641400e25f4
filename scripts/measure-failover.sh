#!/usr/bin/env bash
# Measures the time from SIGKILL of the leader to the first write acknowledged by the new leader, on a fresh
# local 3-node cluster (base port 7300, data in var/failover-probe/). Repeats N rounds (default 10), restarting
# the killed node and waiting for the cluster to converge between rounds, then prints each round and the median.
#
#   scripts/measure-failover.sh [--rounds N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROUNDS=10
[[ "${1:-}" == "--rounds" ]] && ROUNDS="$2"
export AERODB_BASE_PORT="${AERODB_BASE_PORT:-7300}"
export AERODB_CLUSTER_DIR="${AERODB_CLUSTER_DIR:-$AERODB_ROOT/var/failover-probe}"
LC="$AERODB_ROOT/scripts/local-cluster.sh"
ensure_built
# AERODB_SKIP_BUILD=1 (scripts/bench.sh, which built everything already) uses the existing bench build.
if [[ "${AERODB_SKIP_BUILD:-}" != "1" || ! -d "$AERODB_ROOT/aerodb-bench/target/lib" ]]; then
  (cd "$AERODB_ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
fi
BENCH_CP="$AERODB_ROOT/aerodb-bench/target/classes:$AERODB_ROOT/aerodb-bench/target/lib/*"

"$LC" wipe >/dev/null 2>&1 || true
trap '"$LC" down >/dev/null 2>&1 || true' EXIT
CLUSTER=$("$LC" up | sed -n 's/^AERODB_CLUSTER=//p')
"$AERODB_ROOT/scripts/aerodb" --cluster "$CLUSTER" collection create probe --schema \
  '{"fields":{"_id":{"type":"string","required":true},"n":{"type":"int","required":true}}}' >&2

results=()
for round in $(seq 1 "$ROUNDS"); do
  status=$("$AERODB_ROOT/scripts/aerodb" --cluster "$CLUSTER" --json cluster status)
  leader=$(sed -n 's/.*"leaderId":"\(n[0-9]\)".*/\1/p' <<< "$status")
  [[ -n "$leader" ]] || { echo "no leader: $status" >&2; exit 1; }
  pid=$(cat "$AERODB_CLUSTER_DIR/$leader/node.pid")
  line=$(java -cp "$BENCH_CP" io.aerodb.bench.FailoverProbe "$CLUSTER" "$leader" "$pid" probe)
  echo "round $round: $line"
  results+=("$(sed -n 's/.*"failoverMs":\([0-9.]*\).*/\1/p' <<< "$line")")
  "$LC" start "$leader" >/dev/null 2>&1
  # Wait until all three nodes report the same applied index again.
  for _ in $(seq 1 120); do
    s=$("$AERODB_ROOT/scripts/aerodb" --cluster "$CLUSTER" --json --timeout 3s cluster status 2>/dev/null || true)
    n=$(grep -o '"appliedIndex":[0-9]*' <<< "$s" | sort -u | wc -l)
    r=$(grep -o '"reachable":true' <<< "$s" | wc -l)
    [[ "$n" == 1 && "$r" == 3 ]] && break
    sleep 0.5
  done
done
sorted=$(printf '%s\n' "${results[@]}" | sort -g)
median=$(awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}' <<< "$sorted")
echo "{\"rounds\":$ROUNDS,\"failoverMsMedian\":$median,\"failoverMsMin\":$(head -1 <<< "$sorted"),\"failoverMsMax\":$(tail -1 <<< "$sorted"),\"electionTimeoutMs\":\"500-1000\"}"
