#!/usr/bin/env bash
# Decide what the deploy builds: the platform the task definition runs on, and whether an image for
# this commit is already in ECR. Tags there are immutable, so a re-run of a deploy must reuse the
# image it pushed before (by digest) instead of failing to push the same tag again.
set -euo pipefail

usage() {
    cat <<EOF
Usage: scripts/deploy/resolve-image.sh --repository NAME --tag TAG --cpu-architecture ARCH --task-family FAMILY

  --repository NAME        ECR repository name (not the URL)
  --tag TAG                the image tag of this commit (the full commit SHA)
  --cpu-architecture ARCH  X86_64 or ARM64, as the repository variable declares it
  --task-family FAMILY     the service's task definition family; its live revision must declare the
                           same architecture (an image for the wrong one fails at exec on every task)

Prints, and appends to \$GITHUB_OUTPUT when that is set:
  platform=linux/amd64 | linux/arm64
  existing-digest=sha256:...   (empty when the tag is not in the repository yet)
Exits 1 on an unknown architecture, a mismatch with the task definition, or an AWS error other than
"image not found".

Environment:
  AWS_CLI   the AWS CLI command (default: aws); tests point it at a fake
EOF
}

fail() { printf 'resolve-image: FAIL %s\n' "$*" >&2; exit 1; }
log() { printf 'resolve-image: %s\n' "$*" >&2; }

aws_cli() {
    local -a command
    read -r -a command <<<"${AWS_CLI:-aws}"
    "${command[@]}" "$@"
}

platform_for() {
    case "$1" in
        X86_64) echo "linux/amd64" ;;
        ARM64) echo "linux/arm64" ;;
        *) fail "CPU architecture must be X86_64 or ARM64, not '${1}'" ;;
    esac
}

# The live task definition's runtimePlatform.cpuArchitecture; ECS runs X86_64 when none is declared.
live_architecture() {
    local family="$1" answer
    answer="$(aws_cli ecs describe-task-definition --task-definition "$family" \
        --query 'taskDefinition.runtimePlatform.cpuArchitecture' --output text)" \
        || fail "could not describe task definition family ${family}"
    if [[ -z "$answer" || "$answer" == "None" ]]; then answer="X86_64"; fi
    echo "$answer"
}

# The digest the tag points to, or nothing when the tag is not there yet.
existing_digest() {
    local repository="$1" tag="$2" errors digest
    errors="$(mktemp)"
    if digest="$(aws_cli ecr describe-images --repository-name "$repository" --image-ids "imageTag=${tag}" \
        --query 'imageDetails[0].imageDigest' --output text 2>"$errors")"; then
        rm -f "$errors"
        [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "ECR answered an unexpected digest '${digest}'"
        echo "$digest"
        return 0
    fi
    if grep -q 'ImageNotFoundException' "$errors"; then
        rm -f "$errors"
        return 0
    fi
    local message
    message="$(cat "$errors")"
    rm -f "$errors"
    fail "describe-images failed: ${message}"
}

emit() {
    printf '%s\n' "$1"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then printf '%s\n' "$1" >>"$GITHUB_OUTPUT"; fi
}

main() {
    local repository="" tag="" architecture="" family=""
    while (($# > 0)); do
        case "$1" in
            --repository) repository="${2:-}"; shift 2 ;;
            --tag) tag="${2:-}"; shift 2 ;;
            --cpu-architecture) architecture="${2:-}"; shift 2 ;;
            --task-family) family="${2:-}"; shift 2 ;;
            -h | --help) usage; return 0 ;;
            *) usage >&2; fail "unknown argument: $1" ;;
        esac
    done
    [[ -n "$repository" && -n "$tag" && -n "$architecture" && -n "$family" ]] \
        || { usage >&2; fail "--repository, --tag, --cpu-architecture and --task-family are required"; }
    [[ "$tag" =~ ^[0-9a-f]{40}$ ]] || fail "the tag must be a full commit SHA, not '${tag}'"

    local platform live digest
    platform="$(platform_for "$architecture")"
    live="$(live_architecture "$family")"
    [[ "$live" == "$architecture" ]] \
        || fail "task definition family ${family} runs ${live}, but CPU_ARCHITECTURE says ${architecture}"
    digest="$(existing_digest "$repository" "$tag")"
    if [[ -n "$digest" ]]; then
        log "${repository}:${tag} is already in ECR as ${digest}: reusing it, no build"
    else
        log "${repository}:${tag} is not in ECR yet: building for ${platform}"
    fi
    emit "platform=${platform}"
    emit "existing-digest=${digest}"
}

main "$@"
