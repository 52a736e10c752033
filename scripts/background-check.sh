#!/usr/bin/env bash
# A long part of `make test`, started in the background and collected later, or run in the foreground:
# the infrastructure lifecycle (tools/infra/lifecycle_run.py) and the platform command's rehearsal
# (tests/platform/rehearsal.py), which mostly wait on the AWS emulator, and the debug build, which runs
# at a low CPU priority beside the image's build (scripts/polite-swift-build.sh).
#
#   background-check.sh start  DIR MAKE_PID COMMAND...   start COMMAND in the background;
#                                                          DIR/console.log gets its output
#   background-check.sh finish DIR MAKE_PID COMMAND...   wait for the run this make started (at most
#                                                          an hour), print its output, fail if it
#                                                          failed; with none, run COMMAND here
#
# A background run belongs to the make process that started it (DIR/started-by holds its pid, which
# make's recipes pass as $$PPID), so a later `make` never reports an earlier run.
set -euo pipefail

cd "$(dirname "$0")/.."
WAIT_LIMIT_SECONDS=3600

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

start() {
  local dir=$1 make_pid=$2
  shift 2
  rm -rf "$dir/console.log" "$dir/status" "$dir/started-by"
  mkdir -p "$dir"
  echo "$make_pid" >"$dir/started-by"
  echo "==> started in the background: $* (output: $dir/console.log; collected later by make)"
  (
    status=0
    "$@" >"$dir/console.log" 2>&1 || status=$?
    echo "$status" >"$dir/status"
  ) </dev/null >/dev/null 2>&1 &
}

finish() {
  local dir=$1 make_pid=$2
  shift 2
  if [[ ! -f "$dir/started-by" || "$(cat "$dir/started-by")" != "$make_pid" ]]; then
    echo "==> $*"
    "$@"
    return
  fi
  echo "==> $* (started in the background by this make): waiting for it"
  local waited=0
  while [[ ! -f "$dir/status" ]]; do
    if ((waited >= WAIT_LIMIT_SECONDS)); then
      echo "no result after ${WAIT_LIMIT_SECONDS} s: $*" >&2
      exit 1
    fi
    if ((waited % 60 == 0)); then
      echo "  ... ${waited} s; last line: $(tail -n 1 "$dir/console.log" 2>/dev/null | cut -c1-160)"
    fi
    sleep 5
    waited=$((waited + 5))
  done
  cat "$dir/console.log"
  rm -f "$dir/started-by"
  exit "$(cat "$dir/status")"
}

case "${1:-}" in
  start) start "${@:2}" ;;
  finish) finish "${@:2}" ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
