#!/usr/bin/env bash
# A local 3-node AeroDB cluster on 127.0.0.1 (nodes n1, n2, n3 as separate processes).
#
#   scripts/local-cluster.sh up              start the nodes that are not running; print AERODB_CLUSTER=...
#   scripts/local-cluster.sh status          processes (running / paused / stopped) and the cluster's view
#   scripts/local-cluster.sh down            stop every node by its PID (SIGTERM, then SIGKILL after 10 s)
#   scripts/local-cluster.sh kill n2         SIGKILL one node;   start n2 brings it back
#   scripts/local-cluster.sh pause n2        SIGSTOP one node;   resume n2 sends SIGCONT
#   scripts/local-cluster.sh stop n2         SIGTERM one node (e.g. after cluster remove n2)
#   scripts/local-cluster.sh start n4        start an extra node (n4 or n5) in join mode; then add it with
#                                            scripts/aerodb cluster add-learner n4 127.0.0.1:<its API port>
#   scripts/local-cluster.sh env             print AERODB_CLUSTER=... (for eval)
#   scripts/local-cluster.sh wipe            down, then delete the cluster's data directory
#
# Ports: node i listens for Raft on BASE+10*(i-1), for the API on BASE+10*(i-1)+1, and serves /metrics and the
# read-only status API (/v1/...) on http://127.0.0.1:BASE+10*(i-1)+2.
# BASE is --base-port P or $AERODB_BASE_PORT (default 7100). Data and logs live in var/local-cluster/
# (var/local-cluster-P/ for another base port, so two clusters can run side by side).
# AERODB_NODES=5 makes all five nodes initial voters (a 5-node cluster: the benchmark's --nodes 5); the default is 3.
# Experiments: $AERODB_RAFT_EXTRA is appended inside each new config's "raft" object (e.g.
# ', "snapshotEveryEntries": 20000') and $AERODB_CONFIG_EXTRA after it (e.g. ', "gc": {"retainEntries": 1000}').
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

BASE="${AERODB_BASE_PORT:-7100}"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-port) BASE="$2"; shift 2 ;;
    --base-port=*) BASE="${1#*=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
[[ "$BASE" =~ ^[0-9]+$ ]] && (( BASE >= 1024 && BASE <= 65000 )) || { echo "base port '$BASE' must be 1024..65000" >&2; exit 2; }

if [[ "$BASE" == "7100" ]]; then DIR="${AERODB_CLUSTER_DIR:-$AERODB_ROOT/var/local-cluster}"
else DIR="${AERODB_CLUSTER_DIR:-$AERODB_ROOT/var/local-cluster-$BASE}"; fi
case "${AERODB_NODES:-3}" in
  3) NODES=(n1 n2 n3) ;;        # the initial voters, started by up
  5) NODES=(n1 n2 n3 n4 n5) ;;
  *) echo "AERODB_NODES must be 3 or 5" >&2; exit 2 ;;
esac
ALL_NODES=(n1 n2 n3 n4 n5) # with 3 voters, n4 and n5 join later (cluster add-learner)

raft_port() { echo $(( BASE + 10 * ($1 - 1) )); }
api_port() { echo $(( BASE + 10 * ($1 - 1) + 1 )); }
metrics_port() { echo $(( BASE + 10 * ($1 - 1) + 2 )); }
num() { echo "${1#n}"; }
cluster_env() { local e="" n; for n in "${NODES[@]}"; do e="$e,127.0.0.1:$(api_port "$(num "$n")")"; done; echo "${e#,}"; }
peer_json() { local i; i=$(num "$1"); echo "{\"id\": \"$1\", \"host\": \"127.0.0.1\", \"raftPort\": $(raft_port "$i"), \"apiPort\": $(api_port "$i")}"; }

write_config() {
  local n="$1" i join="false" peers="" p; i=$(num "$n")
  for p in "${NODES[@]}"; do peers="$peers,
    $(peer_json "$p")"; done
  if [[ " ${NODES[*]} " != *" $n "* ]]; then # a node that joins later lists itself after the voters
    join="true"
    peers="$peers,
    $(peer_json "$n")"
  fi
  mkdir -p "$DIR/$n"
  cat > "$DIR/$n/node.json" <<JSON
{
  "nodeId": "$n",
  "clusterName": "local-$BASE",
  "dataDir": "data",
  "join": $join,
  "metrics": {"port": $(metrics_port "$i")},
  "peers": [${peers#,}
  ],
  "raft": {"electionTimeoutMinMs": 500, "electionTimeoutMaxMs": 1000, "requestTimeoutMs": 3000, "logSync": true${AERODB_RAFT_EXTRA:-}}${AERODB_CONFIG_EXTRA:-}
}
JSON
}

pid_of() { [[ -f "$DIR/$1/node.pid" ]] && cat "$DIR/$1/node.pid" || true; }

# Alive and really our node (a PID can be reused by another program after a crash).
is_ours() {
  local pid="$1" n="$2"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -- "--config $DIR/$n/node.json" >/dev/null
}

state_of() {
  local n="$1" pid; pid=$(pid_of "$n")
  if is_ours "$pid" "$n"; then
    if grep -q '^State:.*(stopped)' "/proc/$pid/status" 2>/dev/null; then echo "paused"; else echo "running"; fi
  else echo "stopped"; fi
}

start_node() {
  local n="$1" pid; pid=$(pid_of "$n")
  if is_ours "$pid" "$n"; then echo "$n already running (pid $pid)" >&2; return 0; fi
  [[ -f "$DIR/$n/node.json" ]] || write_config "$n"
  nohup "$AERODB_ROOT/scripts/aerodb" node --config "$DIR/$n/node.json" >> "$DIR/$n/node.log" 2>&1 < /dev/null &
  echo $! > "$DIR/$n/node.pid"
  echo "started $n (pid $!), API 127.0.0.1:$(api_port "$(num "$n")"), log $DIR/$n/node.log" >&2
}

wait_for_leader() {
  local deadline=$(( SECONDS + ${1:-90} )) out
  while (( SECONDS < deadline )); do
    out=$("$AERODB_ROOT/scripts/aerodb" --cluster "$(cluster_env)" --timeout 3s --json cluster status 2>/dev/null || true)
    if [[ "$out" == *'"leaderId":"n'* ]]; then return 0; fi
    sleep 0.5
  done
  echo "no leader elected within ${1:-90} s; see $DIR/*/node.log" >&2
  return 1
}

check_node_arg() {
  [[ " ${ALL_NODES[*]} " == *" ${1:-} "* ]] || { echo "expected a node name: ${ALL_NODES[*]}" >&2; exit 2; }
}

cmd="${1:-}"
case "$cmd" in
  up)
    ensure_built
    mkdir -p "$DIR"
    if [[ -f "$DIR/n1/node.json" ]]; then # a cluster's size is fixed when its configs are written
      made=$(grep -c '"raftPort"' "$DIR/n1/node.json")
      (( made == ${#NODES[@]} )) || { echo "$DIR holds a $made-node cluster, not ${#NODES[@]} (AERODB_NODES); use that size, or wipe it first" >&2; exit 2; }
    fi
    for n in "${NODES[@]}"; do start_node "$n"; done
    wait_for_leader 90
    echo "AERODB_CLUSTER=$(cluster_env)"
    echo "# talk to it:  export AERODB_CLUSTER=$(cluster_env);  scripts/aerodb cluster status" >&2
    others=""; for n in "${NODES[@]:1}"; do others="$others, $n: $(metrics_port "$(num "$n")")"; done
    echo "# metrics and status: http://127.0.0.1:$(metrics_port 1)/metrics  http://127.0.0.1:$(metrics_port 1)/v1/status  (${others#, })" >&2
    ;;
  env) echo "AERODB_CLUSTER=$(cluster_env)" ;;
  status)
    for n in "${ALL_NODES[@]}"; do
      [[ -d "$DIR/$n" || " ${NODES[*]} " == *" $n "* ]] || continue
      printf '%-3s %-8s pid %-8s api 127.0.0.1:%s  http://127.0.0.1:%s/metrics\n' "$n" "$(state_of "$n")" "$(pid_of "$n")" "$(api_port "$(num "$n")")" "$(metrics_port "$(num "$n")")"
    done
    states=""; for n in "${NODES[@]}"; do states="$states$(state_of "$n")"; done
    if [[ "$states" == *running* ]]; then
      "$AERODB_ROOT/scripts/aerodb" --cluster "$(cluster_env)" --timeout 5s cluster status || true
    fi
    ;;
  down)
    for n in "${ALL_NODES[@]}"; do
      pid=$(pid_of "$n")
      if is_ours "$pid" "$n"; then
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid"
      fi
    done
    for n in "${ALL_NODES[@]}"; do
      pid=$(pid_of "$n")
      for _ in $(seq 1 100); do is_ours "$pid" "$n" || break; sleep 0.1; done
      if is_ours "$pid" "$n"; then echo "$n did not stop in 10 s; SIGKILL" >&2; kill -KILL "$pid"; fi
      rm -f "$DIR/$n/node.pid"
    done
    echo "stopped" >&2
    ;;
  kill|start|pause|resume|stop)
    n="${2:-}"; check_node_arg "$n"; pid=$(pid_of "$n")
    case "$cmd" in
      kill) is_ours "$pid" "$n" && kill -KILL "$pid" && echo "SIGKILL $n (pid $pid)" >&2 || echo "$n is not running" >&2 ;;
      start) ensure_built; start_node "$n" ;;
      pause) is_ours "$pid" "$n" && kill -STOP "$pid" && echo "SIGSTOP $n (pid $pid)" >&2 ;;
      resume) is_ours "$pid" "$n" && kill -CONT "$pid" && echo "SIGCONT $n (pid $pid)" >&2 ;;
      stop)
        if is_ours "$pid" "$n"; then
          kill -CONT "$pid" 2>/dev/null || true
          kill -TERM "$pid"
          for _ in $(seq 1 100); do is_ours "$pid" "$n" || break; sleep 0.1; done
          if is_ours "$pid" "$n"; then kill -KILL "$pid"; fi
          rm -f "$DIR/$n/node.pid"
          echo "stopped $n (pid $pid)" >&2
        else
          echo "$n is not running" >&2
        fi
        ;;
    esac
    ;;
  wipe)
    "$0" --base-port "$BASE" down || true
    rm -rf "$DIR"
    echo "removed $DIR" >&2
    ;;
  *)
    sed -n "2,/^set -euo/p" "$0" | grep "^#" | sed "s/^# \{0,1\}//"
    exit 2
    ;;
esac
