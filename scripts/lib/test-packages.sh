#!/usr/bin/env bash
# The system packages the test suite needs (docs/TESTING.md), installed when missing: Java 17 and Maven, flock and
# kill, nftables (the fault harness cuts links between node processes), mount and /usr/bin/python3 with Debian's
# python3-fusepy (tmpfs disks, and power cuts through a FUSE file system: testing/PowerDisk, docs/adr/0006; it
# brings libfuse2, and as root it mounts /dev/fuse itself), and promtool from Debian's prometheus package (the
# alert rules' unit tests, AlertRulesIT), installed without its recommends and without starting its service
# (policy-rc.d answers "no" while it installs, so nothing listens on 9090).
# Run by scripts/check (the README's test command) and by .ci/run. Installs with apt-get as root; otherwise it only
# names what is missing (the tests that need it will fail) and returns 0. Nothing is installed when nothing is missing.
set -euo pipefail

need=()
need_quiet=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v flock >/dev/null 2>&1 || need+=(util-linux)
command -v kill >/dev/null 2>&1 || need+=(procps)
command -v nft >/dev/null 2>&1 || need+=(nftables)
/usr/bin/python3 -c 'import fusepy' >/dev/null 2>&1 || need+=(python3 python3-fusepy)
command -v mount >/dev/null 2>&1 || need+=(mount)
command -v promtool >/dev/null 2>&1 || need_quiet=(prometheus)
if ((${#need[@]} == 0 && ${#need_quiet[@]} == 0)); then
  exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: the tests need these packages, missing here: ${need[*]} ${need_quiet[*]} (install them as root, or" \
    "run .ci/run as root); the tests that use them will fail" >&2
  exit 0
fi
echo "installing what the tests need: ${need[*]} ${need_quiet[*]}" >&2
apt-get update -q
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
if ((${#need_quiet[@]})); then
  placed_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    placed_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT # also when the install fails
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_quiet[@]}"
  if ((placed_policy == 1)); then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
fi
