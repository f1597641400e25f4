#!/usr/bin/env bash
# The fault harness's long profile (issue 10, docs/TESTING.md): real node processes on 127.0.0.1, real kills,
# pauses, partitions (nftables + cgroups; needs root and nft), byte flips and full disks (tmpfs), the register
# linearizability checker and the insert-only set, scenario after scenario with the next seed, until the minutes
# are up. One summary line per run:
#   scenario=NAME nodes=N seed=S ops=... ok=... fail=... unknown=... faults=... longest_unavailable_ms=... verdict=PASS|FAIL
# and a final "suite ..." line; exits 1 if any run failed. A failed run's histories, fault events, minimal failing
# sub-history and node logs are kept under var/fault-suite/<scenario>-nodes<N>-seed<S>/.
#
# usage: scripts/fault-suite.sh --minutes N --seed S [--nodes 3|5] [--scenario NAME|PREFIX*]
#                              [--disk lazy|strict|lying|slow|slow_log] [--run-seconds T] [--keep DIR]
# (--disk: the power-failure disk of the power-cut-* scenarios; power cuts also report dropped_bytes=...)
#        scripts/fault-suite.sh --help     (lists the scenarios)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "$(id -u)" != 0 ]]; then
  echo "the fault suite cuts links with nftables and mounts tmpfs: run it as root" >&2
  exit 2
fi
command -v nft >/dev/null 2>&1 || { echo "nft is missing: apt-get install nftables" >&2; exit 2; }
/usr/bin/python3 -c 'import fusepy' 2>/dev/null || echo "python3-fusepy is missing: the power-cut scenarios will fail" >&2
mkdir -p var/fault-suite
cp_file=aerodb-node/target/test-classpath.txt
if [[ "${AERODB_SKIP_BUILD:-}" != "1" || ! -f "$cp_file" ]]; then
  echo "building the node and its tests (mvn test-compile, tests not run)..." >&2
  mvn -B -q -Dstyle.color=never -Dspotless.check.skip=true -pl aerodb-node -am test-compile \
    dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
fi
exec java -Xmx1g -cp "aerodb-node/target/test-classes:aerodb-node/target/classes:$(cat "$cp_file")" \
  io.aerodb.node.fault.FaultSuite --keep var/fault-suite "$@"
