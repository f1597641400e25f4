# Shared helpers for the scripts (sourced, not run).
# AERODB_ROOT is the repository root; ensure_built builds the node module when it is missing or stale.

AERODB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
AERODB_NODE_TARGET="$AERODB_ROOT/aerodb-node/target"
AERODB_CLASSPATH="$AERODB_NODE_TARGET/classes:$AERODB_NODE_TARGET/lib/*"

# Builds (without tests) when no build exists or a source file is newer than the last build.
# AERODB_SKIP_BUILD=1 uses the existing build as it is (the test suite sets it: Maven already built it).
ensure_built() {
  local stamp="$AERODB_NODE_TARGET/.aerodb-built"
  if [[ "${AERODB_SKIP_BUILD:-}" == "1" ]]; then
    [[ -d "$AERODB_NODE_TARGET/lib" ]] || { echo "AERODB_SKIP_BUILD=1 but there is no build in $AERODB_NODE_TARGET" >&2; exit 1; }
    return 0
  fi
  if [[ -f "$stamp" && -d "$AERODB_NODE_TARGET/lib" ]]; then
    local newer
    newer=$(find "$AERODB_ROOT" -path "$AERODB_ROOT/var" -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -name '*.xml' \) -newer "$stamp" -print -quit)
    [[ -z "$newer" ]] && return 0
  fi
  mkdir -p "$AERODB_ROOT/var"
  (
    flock 9
    if [[ -f "$stamp" ]] && [[ -z "$(find "$AERODB_ROOT" -path "$AERODB_ROOT/var" -prune -o -path '*/target' -prune -o \
        \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -name '*.xml' \) -newer "$stamp" -print -quit)" ]]; then
      exit 0
    fi
    echo "building AeroDB (mvn package, tests skipped; first build downloads dependencies)..." >&2
    (cd "$AERODB_ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true package >&2) || {
      echo "build failed" >&2; exit 1; }
    touch "$stamp"
  ) 9>"$AERODB_ROOT/var/.build.lock"
}

aerodb_java() {
  command -v java >/dev/null || { echo "java (17+) is not on PATH" >&2; exit 1; }
  java "$@"
}
