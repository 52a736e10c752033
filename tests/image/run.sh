#!/usr/bin/env bash
# make image-test: check app/Dockerfile, build the image, run it as production does and report its
# figures. Without a container engine the build and run are skipped, loudly, except in CI
# (CI=true), where that is a failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly ROOT
PY="${PY:-$ROOT/.venv/bin/python}"
MAKE="${MAKE:-make}"
IMAGE="${IMAGE:-orders-service:local}"

usage() {
    cat <<EOF
Usage: tests/image/run.sh [--help]   (normally: make image-test)

1. hadolint, shellcheck and the Dockerfile's ties to config/timings.json (no engine needed);
2. starts a Docker engine if none answers (scripts/docker-engine.sh);
3. builds the image with \`make image\` (IMAGE=$IMAGE);
4. runs tests/image against it and prints its size, binary size and start-up time.

Environment: PY (the venv's python), MAKE, IMAGE, CI (true: a missing engine fails the run),
IMAGE_TEST_NO_CACHE (1: build every layer anew; .ci/run sets it, since the engine outlives the clone
and its layer cache may hold another run's layers).
EOF
}

pytest_image() {
    (cd "$ROOT/tests/image" && "$PY" -m pytest -p no:cacheprovider -rs "$@")
}

skip_loudly() {
    cat <<'EOF'

  ******************************************************************************************
  *  IMAGE-TEST SKIPPED: NO DOCKER ENGINE COULD BE STARTED. THE IMAGE WAS NOT BUILT OR RUN. *
  *  ONLY THE STATIC DOCKERFILE CHECKS RAN. IN CI (CI=true) THIS IS A FAILURE.             *
  ******************************************************************************************

EOF
}

main() {
    if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
        usage
        return 0
    fi
    echo "==> image-test: static checks of app/Dockerfile and the image scripts"
    pytest_image -q test_dockerfile.py

    echo "==> image-test: container engine"
    if ! "$ROOT/scripts/docker-engine.sh"; then
        if [[ "${CI:-}" == "true" ]]; then
            echo "image-test: FAILED: no Docker engine could be started, and CI=true forbids skipping" >&2
            return 1
        fi
        skip_loudly
        return 0
    fi

    echo "==> image-test: building $IMAGE"
    "$MAKE" -C "$ROOT" image IMAGE="$IMAGE" IMAGE_NO_CACHE="${IMAGE_TEST_NO_CACHE:-0}"

    echo "==> image-test: running $IMAGE"
    IMAGE_UNDER_TEST="$IMAGE" pytest_image -v test_image.py test_container.py
}

main "$@"
