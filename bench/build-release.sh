#!/usr/bin/env bash
# Release build of orders-service for the benchmark (app/.build/release/orders-service), at a low CPU
# priority. SwiftPM starts its compilers at niceness 0 whatever niceness it runs at itself, so this
# script lowers each compiler process as it appears, until the build ends.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NICENESS=${BUILD_NICENESS:-10}

usage() {
  cat <<USAGE
Usage: bench/build-release.sh

Builds app/ in release mode (swift build -c release --product orders-service) at niceness
\$BUILD_NICENESS (default 10), compilers included.
USAGE
}

descendants() {
  local child
  for child in $(pgrep -P "$1" || true); do
    echo "$child"
    descendants "$child"
  done
}

# Renices the build's process tree once a second while it runs (bounded: at most one hour).
keep_build_polite() {
  local build_pid=$1 ticks=0 pid
  while kill -0 "$build_pid" 2>/dev/null && (( ticks < 3600 )); do
    for pid in $(descendants "$build_pid"); do
      renice -n "$NICENESS" -p "$pid" >/dev/null 2>&1 || true
    done
    sleep 1
    ticks=$((ticks + 1))
  done
}

main() {
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    usage
    return 0
  fi
  echo "==> swift build -c release --product orders-service (niceness $NICENESS)"
  cd "$ROOT/app"
  nice -n "$NICENESS" swift build -c release --product orders-service &
  local build_pid=$!
  keep_build_polite "$build_pid" &
  local watcher_pid=$!
  local status=0
  wait "$build_pid" || status=$?
  kill "$watcher_pid" 2>/dev/null || true
  wait "$watcher_pid" 2>/dev/null || true
  return "$status"
}

main "$@"
