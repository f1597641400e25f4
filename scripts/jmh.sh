#!/usr/bin/env bash
# JMH micro-benchmarks (aerodb-bench, package io.aerodb.bench.jmh): the apply path (log-entry decode + Engine.apply
# on RocksDB: validate + one store batch; and the leader's prepare + encode) and document encoding (strict parse,
# canonical bytes, schema admission, log-entry codec). No cluster needed; never run by the test suite.
#
#   scripts/jmh.sh                       every benchmark, the annotated defaults (1 fork, 3x2 s warm-up, 5x2 s)
#   scripts/jmh.sh ApplyPath             benchmarks whose name matches a regex
#   scripts/jmh.sh --quick [REGEX]       1 fork, 2x1 s warm-up, 3x1 s measured
#   scripts/jmh.sh -- -prof gc ApplyPath any JMH options after "--" (java -jar jmh -h lists them)
#
# Results: printed, and as JSON in var/bench/jmh/jmh-<time>.json. Uses a running machine: check /proc/loadavg first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
args=()
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --) shift; args+=("$@"); break ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ "${AERODB_SKIP_BUILD:-}" != "1" || ! -d "$AERODB_ROOT/aerodb-bench/target/lib" ]]; then
  (cd "$AERODB_ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package -pl aerodb-bench -am >&2)
fi
out="$AERODB_ROOT/var/bench/jmh"
mkdir -p "$out"
result="$out/jmh-$(date +%Y%m%d-%H%M%S).json"
quickargs=()
(( quick )) && quickargs=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
echo "load before: $(cat /proc/loadavg)" >&2
java -Xms1g -Xmx1g -cp "$AERODB_ROOT/aerodb-bench/target/classes:$AERODB_ROOT/aerodb-bench/target/lib/*" \
  org.openjdk.jmh.Main "${quickargs[@]}" -rf json -rff "$result" "${args[@]}"
echo "load after: $(cat /proc/loadavg); results in $result" >&2
