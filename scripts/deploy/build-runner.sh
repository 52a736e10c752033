#!/usr/bin/env bash
# Choose the runner that builds the image, from the CPU architecture of the tasks. The build job's
# runs-on reads this job's output: runs-on is decided before a job's environment applies, so it can
# never read an environment's variables, and a CPU_ARCHITECTURE kept only on an environment would
# silently read as empty there (and an ARM64 image would be built on an x86 runner).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<EOF
Usage: scripts/deploy/build-runner.sh --cpu-architecture ARCH [--runner LABEL]

  --cpu-architecture ARCH  X86_64 or ARM64: the repository variable CPU_ARCHITECTURE (a repository
                           variable, not an environment's: runs-on cannot read those)
  --runner LABEL           a runner label to build on instead of GitHub's (the repository variable
                           BUILD_RUNNER), e.g. a self-hosted ARM64 runner; optional

Prints, and appends to \$GITHUB_OUTPUT when that is set:
  runner=ubuntu-24.04 | ubuntu-24.04-arm | LABEL
  platform=linux/amd64 | linux/arm64
  cpu-architecture=X86_64 | ARM64
The build job then checks that the runner it landed on has that architecture, and that the task
definition of the environment declares it (scripts/deploy/check-architecture.sh).
Exits 1 when the architecture is missing or unknown, or the label is not a plain runner label.
EOF
}

main() {
    local architecture="" runner=""
    while (($# > 0)); do
        case "$1" in
            --cpu-architecture) architecture="${2:-}"; shift 2 ;;
            --runner) runner="${2:-}"; shift 2 ;;
            -h | --help) usage; return 0 ;;
            *) usage >&2; fail "unknown argument: $1" ;;
        esac
    done
    local platform default_runner
    case "$architecture" in
        X86_64) platform="linux/amd64"; default_runner="ubuntu-24.04" ;;
        ARM64) platform="linux/arm64"; default_runner="ubuntu-24.04-arm" ;;
        "") fail "CPU_ARCHITECTURE is not set as a repository variable (Settings, Secrets and variables, Actions, Variables, Repository variables). runs-on cannot read an environment's variables, so it must be a repository variable: X86_64 or ARM64, the cpu_architecture of terraform/ecs" ;;
        *) fail "CPU_ARCHITECTURE must be X86_64 or ARM64, not '${architecture}'" ;;
    esac
    if [[ -n "$runner" && ! "$runner" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$ ]]; then
        fail "BUILD_RUNNER must be one runner label (letters, digits, '.', '_', '-'), not '${runner}'"
    fi
    emit "runner=${runner:-$default_runner}"
    emit "platform=${platform}"
    emit "cpu-architecture=${architecture}"
}

main "$@"
