#!/usr/bin/env bash
# The emulator lifecycle of the Terraform stacks (tools/infra/lifecycle_run.py), started in the
# background by `make test` and collected later, or run in the foreground.
#
#   infra-lifecycle.sh start  DIR PYTHON MAKE_PID   start it in the background; DIR/console.log gets
#                                                    its output
#   infra-lifecycle.sh finish DIR PYTHON MAKE_PID   wait for the run this make started (at most an
#                                                    hour), print its output, fail if it failed; with
#                                                    none, run it here
#
# A background run belongs to the make process that started it (DIR/started-by holds its pid, which
# make's recipes pass as $$PPID), so a later `make infra-apply-test` never reports an earlier run.
set -euo pipefail

cd "$(dirname "$0")/.."
WAIT_LIMIT_SECONDS=3600

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

start() {
  local dir=$1 python=$2 make_pid=$3
  rm -rf "$dir/console.log" "$dir/status" "$dir/started-by"
  mkdir -p "$dir"
  echo "$make_pid" >"$dir/started-by"
  echo "==> infra lifecycle started in the background (output: $dir/console.log; make infra-apply-test collects it)"
  (
    status=0
    "$python" -m tools.infra.lifecycle_run --work-dir "$dir/work" >"$dir/console.log" 2>&1 || status=$?
    echo "$status" >"$dir/status"
  ) </dev/null >/dev/null 2>&1 &
}

finish() {
  local dir=$1 python=$2 make_pid=$3
  if [[ ! -f "$dir/started-by" || "$(cat "$dir/started-by")" != "$make_pid" ]]; then
    echo "==> tools/infra/lifecycle_run.py: the stacks' lifecycle against moto on 127.0.0.1"
    "$python" -m tools.infra.lifecycle_run --work-dir "$dir/work"
    return
  fi
  echo "==> infra lifecycle (started in the background by this make test): waiting for it"
  local waited=0
  while [[ ! -f "$dir/status" ]]; do
    if ((waited >= WAIT_LIMIT_SECONDS)); then
      echo "infra lifecycle: no result after ${WAIT_LIMIT_SECONDS} s" >&2
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
  start) start "$2" "$3" "$4" ;;
  finish) finish "$2" "$3" "$4" ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
