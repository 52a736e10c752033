#!/usr/bin/env bash
# Decide whether the build job builds at all: is an image for this commit already in ECR? Tags there
# are immutable, so a re-run must reuse the image pushed before (by digest) instead of failing to
# push the same tag again. The architecture is checked before this, by check-architecture.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<EOF
Usage: scripts/deploy/resolve-image.sh --repository NAME --tag TAG

  --repository NAME        ECR repository name (not the URL)
  --tag TAG                the image tag of this commit (the full commit SHA)

Prints, and appends to \$GITHUB_OUTPUT when that is set:
  existing-digest=sha256:...   (empty when the tag is not in the repository yet)
Exits 1 on an AWS error other than "image not found".

Environment:
  AWS_CLI   the AWS CLI command (default: aws); tests point it at a fake
EOF
}

main() {
    local repository="" tag=""
    while (($# > 0)); do
        case "$1" in
            --repository) repository="${2:-}"; shift 2 ;;
            --tag) tag="${2:-}"; shift 2 ;;
            -h | --help) usage; return 0 ;;
            *) usage >&2; fail "unknown argument: $1" ;;
        esac
    done
    [[ -n "$repository" && -n "$tag" ]] || { usage >&2; fail "--repository and --tag are required"; }
    [[ "$tag" =~ ^[0-9a-f]{40}$ ]] || fail "the tag must be a full commit SHA, not '${tag}'"

    local digest
    digest="$(digest_of_tag "$repository" "$tag")"
    if [[ -n "$digest" ]]; then
        log "${repository}:${tag} is already in ECR as ${digest}: reusing it, no build"
    else
        log "${repository}:${tag} is not in ECR yet: building it"
    fi
    emit "existing-digest=${digest}"
}

main "$@"
