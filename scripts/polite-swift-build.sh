#!/usr/bin/env bash
# `swift build ARGS...` in app/ at a low CPU priority, compilers included. SwiftPM starts its compilers
# at niceness 0 whatever niceness it runs at itself, so this script lowers each compiler process as it
# appears, until the build ends. Used for the benchmark's release build (`make bench`) and for the
# debug build `make test` starts in the background, which then yields the CPU to the image's build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NICENESS=${BUILD_NICENESS:-10}

usage() {
  cat <<USAGE
Usage: scripts/polite-swift-build.sh [SWIFT BUILD ARGUMENTS...]

Runs swift build with those arguments in app/ at niceness \$BUILD_NICENESS (default 10), compilers
included. Example: scripts/polite-swift-build.sh -c release --product orders-service
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
  echo "==> swift build $* (niceness $NICENESS)"
  cd "$ROOT/app"
  nice -n "$NICENESS" swift build "$@" &
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
