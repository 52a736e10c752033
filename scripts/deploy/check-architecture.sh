#!/usr/bin/env bash
# Check that an image for one CPU architecture can run where it goes: the environment's live task
# definition must declare that architecture, and a job that builds must be running on a runner of
# that architecture (Buildx would otherwise build under emulation, which for a Swift release build
# takes hours, or fail without QEMU).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<EOF
Usage: scripts/deploy/check-architecture.sh --cpu-architecture ARCH --task-family FAMILY [--runner-arch RUNNER_ARCH]

  --cpu-architecture ARCH    X86_64 or ARM64: the architecture the pipeline builds for
  --task-family FAMILY       the environment's task definition family; its live revision must declare
                             ARCH (an image for the wrong one fails at exec on every task)
  --runner-arch RUNNER_ARCH  the runner's \$RUNNER_ARCH (X64 or ARM64), for the job that builds

Prints, and appends to \$GITHUB_OUTPUT when that is set: platform=linux/amd64 | linux/arm64.
Exits 1 on an unknown architecture, a task definition of another architecture, a runner of another
architecture, or an AWS error.

Environment:
  AWS_CLI   the AWS CLI command (default: aws); tests point it at a fake
EOF
}

platform_for() {
    case "$1" in
        X86_64) echo "linux/amd64" ;;
        ARM64) echo "linux/arm64" ;;
        *) fail "CPU architecture must be X86_64 or ARM64, not '${1}'" ;;
    esac
}

# GitHub names runner architectures X86, X64, ARM and ARM64; ECS names them X86_64 and ARM64.
architecture_of_runner() {
    case "$1" in
        X64) echo "X86_64" ;;
        ARM64) echo "ARM64" ;;
        *) fail "a ${1} runner cannot build for ECS (X64 or ARM64 runners only)" ;;
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

main() {
    local architecture="" family="" runner_arch=""
    while (($# > 0)); do
        case "$1" in
            --cpu-architecture) architecture="${2:-}"; shift 2 ;;
            --task-family) family="${2:-}"; shift 2 ;;
            --runner-arch) runner_arch="${2:-}"; shift 2 ;;
            -h | --help) usage; return 0 ;;
            *) usage >&2; fail "unknown argument: $1" ;;
        esac
    done
    [[ -n "$architecture" && -n "$family" ]] \
        || { usage >&2; fail "--cpu-architecture and --task-family are required"; }

    local platform live runner
    platform="$(platform_for "$architecture")"
    if [[ -n "$runner_arch" ]]; then
        runner="$(architecture_of_runner "$runner_arch")"
        [[ "$runner" == "$architecture" ]] \
            || fail "this job runs on a ${runner_arch} runner, but the image is for ${architecture}: it would be built under emulation (check the repository variables CPU_ARCHITECTURE and BUILD_RUNNER)"
    fi
    live="$(live_architecture "$family")"
    [[ "$live" == "$architecture" ]] \
        || fail "task definition family ${family} runs ${live}, but the pipeline builds for ${architecture} (repository variable CPU_ARCHITECTURE)"
    log "${family} runs ${live}${runner_arch:+, on a ${runner_arch} runner}: ${platform}"
    emit "platform=${platform}"
}

main "$@"
