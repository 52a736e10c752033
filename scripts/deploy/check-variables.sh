#!/usr/bin/env bash
# Fail a deploy job at its first step, naming every GitHub variable it needs that is not set, before
# any credential is requested or anything changes.
set -euo pipefail

usage() {
    cat <<EOF
Usage: scripts/deploy/check-variables.sh NAME...

Each NAME is an environment variable of the step, which the workflow fills from a GitHub variable
(\${{ vars.NAME }}). Exits 1, listing the empty ones in one GitHub error annotation, unless all are set.
EOF
}

main() {
    if (($# == 0)); then
        usage >&2
        return 1
    fi
    if [[ "$1" == "-h" || "$1" == "--help" ]]; then
        usage
        return 0
    fi
    local name missing=()
    for name in "$@"; do
        [[ "$name" =~ ^[A-Z][A-Z0-9_]*$ ]] || { echo "check-variables: not a variable name: ${name}" >&2; return 1; }
        if [[ -z "${!name:-}" ]]; then missing+=("$name"); fi
    done
    if ((${#missing[@]} > 0)); then
        echo "::error::variables not set for this job (its environment or the repository): ${missing[*]} (see docs/deploy.md, First-time setup)"
        return 1
    fi
    echo "check-variables: all set: $*"
}

main "$@"
