#!/usr/bin/env bash
# The cluster simulation's wide sweep (issue 15, docs/TESTING.md, Cluster simulation): ClusterSimulationTest over
# seeds S..S+N-1 in one Maven test run (the reactor builds aerodb-core, -proto and -ratis; nothing is installed),
# then its summary: seeds run, passed and failed, seeds/s and steps/s, the apply-time rejections the seeds
# exercised, and each failed seed's first line with the command that replays it.
# Exits 1 if a seed failed.
#
#   scripts/sim-sweep.sh [--seeds N] [--from S] [--steps T]
#
#   --seeds N   how many seeds (default 2000; 1..1000000)
#   --from S    the first seed (default 1)
#   --steps T   steps per seed (default: the test's own, 5000)
#
# Bounded: N seeds of T steps each, in one JVM, one thread (4-24 seeds/s at 5000 steps on 2 cores: 2000 seeds took
# 84 s), and in time: the test's limit (-Daerodb.unitTimeout) and surefire's fork limit (-Dsurefire.timeout) are set
# to 10 minutes or one minute per 200,000 steps, whichever is longer. The whole output is in
# aerodb-ratis/target/surefire-reports/io.aerodb.ratis.sim.ClusterSimulationTest-output.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SEEDS=2000
FROM=1
STEPS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) SEEDS="${2:?--seeds needs a number}"; shift 2 ;;
    --from) FROM="${2:?--from needs a seed}"; shift 2 ;;
    --steps) STEPS="${2:?--steps needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$SEEDS" =~ ^[0-9]+$ ]] && (( SEEDS >= 1 && SEEDS <= 1000000 )) || { echo "--seeds must be 1..1000000" >&2; exit 2; }
[[ "$FROM" =~ ^[0-9]+$ ]] || { echo "--from must be a seed (0 or more)" >&2; exit 2; }
[[ -z "$STEPS" || "$STEPS" =~ ^[1-9][0-9]*$ ]] || { echo "--steps must be at least 1" >&2; exit 2; }

MINUTES=$(( (SEEDS * ${STEPS:-5000} + 199999) / 200000 ))
(( MINUTES < 10 )) && MINUTES=10
args=(-Daerodb.seeds="$SEEDS" -Daerodb.seeds.from="$FROM"
  -Daerodb.unitTimeout="${MINUTES}m" -Dsurefire.timeout=$(( MINUTES * 60 + 300 )))
[[ -n "$STEPS" ]] && args+=(-Daerodb.sim.steps="$STEPS")
out=aerodb-ratis/target/surefire-reports/io.aerodb.ratis.sim.ClusterSimulationTest-output.txt
rm -f "$out"
echo "sweep: seeds $FROM..$((FROM + SEEDS - 1))${STEPS:+, $STEPS steps each}, at most $MINUTES minutes; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rc=0
mvn -B -q -Dstyle.color=never -Dspotless.check.skip=true -pl aerodb-ratis -am test \
  -Dtest=ClusterSimulationTest -Dsurefire.failIfNoSpecifiedTests=false "${args[@]}" >/dev/null 2>&1 || rc=$?
if [[ ! -f "$out" ]]; then
  echo "the simulation did not run (mvn exit $rc); rerun without -q to see why:" >&2
  echo "  mvn -B -pl aerodb-ratis -am test -Dtest=ClusterSimulationTest -Dsurefire.failIfNoSpecifiedTests=false ${args[*]}" >&2
  exit 1
fi
grep -A1 '^FAILED seed' "$out" | grep -v '^--$' | cut -c1-400 || true
grep '^ClusterSimulation:' "$out" | cut -c1-600
echo "wall time with the build: ${SECONDS} s; load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exit $(( rc == 0 ? 0 : 1 ))
