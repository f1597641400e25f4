#!/usr/bin/env bash
# A 3-member (or, with AERODB_ETCD_MEMBERS=5, 5-member) etcd cluster on 127.0.0.1 for the benchmark (adapted from the team's shared bench scripts).
#
#   scripts/lib/etcd-cluster.sh start      fresh cluster (data wiped), waits until healthy (30 s max)
#   scripts/lib/etcd-cluster.sh stop       stops the members by their PIDs (TERM, KILL after 10 s), wipes data
#   scripts/lib/etcd-cluster.sh endpoints  127.0.0.1:2479,127.0.0.1:2579,127.0.0.1:2679
#   scripts/lib/etcd-cluster.sh leader     the client endpoint of the current leader
#   scripts/lib/etcd-cluster.sh pids       "m1=PID m2=PID m3=PID" of the running members
#   scripts/lib/etcd-cluster.sh install    installs etcd 3.4 from Debian (etcd-server, etcd-client) if missing
#
# Member i (1..5): client port 2379+100*i, peer port 2380+100*i (2479/2480, 2579/2580, 2679/2680, 2779/2780,
# 2879/2880: no collision with AeroDB's local clusters). Data under $AERODB_ETCD_DIR (default var/bench/etcd), on the same disk as AeroDB's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${AERODB_ETCD_DIR:-$ROOT/var/bench/etcd}"
case "${AERODB_ETCD_MEMBERS:-3}" in
  3) NAMES=(m1 m2 m3) ;;
  5) NAMES=(m1 m2 m3 m4 m5) ;;
  *) echo "AERODB_ETCD_MEMBERS must be 3 or 5" >&2; exit 2 ;;
esac
QUOTA=$((8 * 1024 * 1024 * 1024)) # 8 GiB backend quota, so long runs never hit NOSPACE

num() { echo "${1#m}"; }
cport() { echo $((2379 + 100 * $(num "$1"))); }
pport() { echo $((2380 + 100 * $(num "$1"))); }
cluster() { local c="" n; for n in "${NAMES[@]}"; do c="$c,$n=http://127.0.0.1:$(pport "$n")"; done; echo "${c#,}"; }
endpoints() { local e="" n; for n in "${NAMES[@]}"; do e="$e,127.0.0.1:$(cport "$n")"; done; echo "${e#,}"; }
# The PID is ours: alive and its command line names our data directory (PIDs can be reused).
owned() { [[ -n "$1" && -r "/proc/$1/cmdline" ]] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -F -- "--data-dir $2" >/dev/null; }

install() {
  if command -v etcd >/dev/null && command -v etcdctl >/dev/null; then return 0; fi
  echo "etcd is not installed; installing etcd-server and etcd-client (3.4) from Debian..." >&2
  local SUDO=""
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || { echo "need root or sudo to apt-get install etcd-server etcd-client" >&2; exit 1; }
    SUDO="sudo -n"
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server etcd-client >&2 ||
    { $SUDO apt-get update >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server etcd-client >&2; }
  command -v etcd >/dev/null || { echo "etcd still missing after apt-get" >&2; exit 1; }
}

stop() { # every member a 3- or 5-member run may have left, whatever this run's size
  local n f p
  local NAMES=(m1 m2 m3 m4 m5)
  for n in "${NAMES[@]}"; do
    f="$BASE/$n.pid"; [[ -f "$f" ]] || continue
    p=$(cat "$f")
    if owned "$p" "$BASE/$n"; then kill -TERM "$p" 2>/dev/null || true; fi
  done
  for n in "${NAMES[@]}"; do
    f="$BASE/$n.pid"; [[ -f "$f" ]] || continue
    p=$(cat "$f")
    for _ in $(seq 1 100); do owned "$p" "$BASE/$n" || break; sleep 0.1; done
    if owned "$p" "$BASE/$n"; then echo "etcd $n (pid $p) did not stop in 10 s; SIGKILL" >&2; kill -KILL "$p"; fi
    rm -f "$f"
  done
  for n in "${NAMES[@]}"; do rm -rf "${BASE:?}/$n"; done
}

start() {
  install
  mkdir -p "$BASE"
  stop
  local n
  for n in "${NAMES[@]}"; do
    local cmd=(etcd --name "$n" --data-dir "$BASE/$n"
      --listen-client-urls "http://127.0.0.1:$(cport "$n")" --advertise-client-urls "http://127.0.0.1:$(cport "$n")"
      --listen-peer-urls "http://127.0.0.1:$(pport "$n")" --initial-advertise-peer-urls "http://127.0.0.1:$(pport "$n")"
      --initial-cluster "$(cluster)" --initial-cluster-token aerodb-bench-etcd --initial-cluster-state new
      --quota-backend-bytes "$QUOTA" --logger zap --log-outputs stderr)
    setsid nohup "${cmd[@]}" > "$BASE/$n.log" 2>&1 < /dev/null &
    echo $! > "$BASE/$n.pid"
  done
  for _ in $(seq 1 60); do # at most 30 s
    if ETCDCTL_API=3 etcdctl --endpoints="$(endpoints)" --command-timeout=2s endpoint health >/dev/null 2>&1; then
      echo "etcd healthy: $(endpoints) ($(etcd --version 2>/dev/null | sed -n 1p))" >&2; return 0
    fi
    sleep 0.5
  done
  echo "etcd NOT healthy after 30 s; see $BASE/*.log" >&2
  return 1
}

leader() {
  ETCDCTL_API=3 etcdctl --endpoints="$(endpoints)" --command-timeout=3s endpoint status -w json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print([x["Endpoint"] for x in d if x["Status"]["leader"]==x["Status"]["header"]["member_id"]][0])'
}

pids() {
  local out="" n p
  for n in "${NAMES[@]}"; do
    p=$(cat "$BASE/$n.pid" 2>/dev/null || true)
    owned "$p" "$BASE/$n" && out="$out $n=$p"
  done
  echo "${out# }"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  endpoints) endpoints ;;
  leader) leader ;;
  pids) pids ;;
  install) install ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
