#!/usr/bin/env bash
# make drills: the local failure drills behind HAProxy (docs/drills.md).
#
# With a container engine, instances run from the image `make image` builds, which is built first.
# Without one, CI (CI=true) fails: drills that quietly ran something else would prove nothing about
# the image. Elsewhere they fall back to the debug binary, after a notice nobody can miss.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly ROOT
PY="${PY:-$ROOT/.venv/bin/python}"
MAKE="${MAKE:-make}"
IMAGE="${IMAGE:-orders-service:local}"
BINARY="$ROOT/app/.build/debug/orders-service"

usage() {
    cat <<USAGE
Usage: tests/drills/run.sh [--help]   (normally: make drills)

1. checks the scaled timings (pytest tests/drills/test_timing_scale.py);
2. starts a Docker engine if none answers and builds the image (make image), or, outside CI only,
   falls back to the debug binary ($BINARY) with a loud notice;
3. runs tests/drills/run_local_drills.py: four drills under load behind HAProxy, one table each,
   charts and results.json under out/drills/. Exits 1 when a bound is broken.

Environment: DRILL_TIME_SCALE (default 0.25), DRILL_POSTGRES_PORT (default 55433), IMAGE, PY, MAKE,
CI (true: the container engine must start).
USAGE
}

fallback_notice() {
    cat <<'NOTICE'

  ******************************************************************************************
  *  NO DOCKER ENGINE: THE DRILLS RUN THE DEBUG BINARY, NOT THE IMAGE. A KILLED INSTANCE IS  *
  *  RESTARTED BY THE DRILL ITSELF, NOT BY A RESTART POLICY. IN CI (CI=true) THIS FAILS.     *
  ******************************************************************************************

NOTICE
}

main() {
    if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
        usage
        return 0
    fi
    echo "==> drills: timing scale and relations"
    (cd "$ROOT/tests/drills" && "$PY" -m pytest -q -p no:cacheprovider test_timing_scale.py)

    local mode=container
    echo "==> drills: container engine"
    if "$ROOT/scripts/docker-engine.sh"; then
        echo "==> drills: building $IMAGE"
        "$MAKE" -C "$ROOT" image IMAGE="$IMAGE"
    elif [[ "${CI:-}" == "true" ]]; then
        echo "drills: FAILED: no Docker engine could be started, and CI=true forbids the binary fallback" >&2
        return 1
    else
        fallback_notice
        [[ -x "$BINARY" ]] || { echo "drills: $BINARY is missing; run make build first" >&2; return 1; }
        mode=binary
    fi
    "$PY" "$ROOT/tests/drills/run_local_drills.py" --mode "$mode" --image "$IMAGE"
}

main "$@"
