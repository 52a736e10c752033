# Shared by the AWS drills (kill-task.sh, bad-deploy.sh); sourced, never run.
# Every AWS call goes through aws_cli, so tests can point AWS_CLI or AWS_ENDPOINT_URL elsewhere.
# shellcheck shell=bash

DRILL_NAME="${DRILL_NAME:-drill}"

log() { printf '%s: %s\n' "$DRILL_NAME" "$*" >&2; }

fail() {
    printf '%s: FAIL %s\n' "$DRILL_NAME" "$*" >&2
    exit 1
}

usage_error() {
    printf '%s: %s (see --help)\n' "$DRILL_NAME" "$*" >&2
    exit 2
}

# A message nobody can miss: the drill found something an operator must act on.
shout() {
    local line
    line="$(printf '%*s' 78 '' | tr ' ' '!')"
    printf '\n%s\n' "$line" >&2
    printf '!! %s\n' "$@" >&2
    printf '%s\n\n' "$line" >&2
}

aws_cli() {
    local -a command
    read -r -a command <<<"${AWS_CLI:-aws}"
    "${command[@]}" "$@" --output json
}

require_tools() {
    local tool
    for tool in jq "${AWS_CLI:-aws}"; do
        command -v "${tool%% *}" >/dev/null 2>&1 || fail "${tool%% *} is not installed"
    done
}

# Asks before acting. --yes answers for automation; without a terminal or an answer it refuses.
confirm() {
    local question="$1" answer=""
    if [[ "${ASSUME_YES:-0}" == "1" ]]; then
        log "--yes given: going ahead"
        return 0
    fi
    printf '%s [y/N] ' "$question" >&2
    if ! read -r answer; then
        answer=""
    fi
    case "$answer" in
        y | Y | yes | YES) return 0 ;;
        *) log "not confirmed: nothing was changed"; exit 3 ;;
    esac
}

# describe-services for exactly one ACTIVE service, or fail with what AWS said.
describe_service() {
    local cluster="$1" service="$2" answer
    answer="$(aws_cli ecs describe-services --cluster "$cluster" --services "$service")" \
        || fail "describe-services failed for service ${service} in cluster ${cluster}"
    if [[ "$(jq '.services | length' <<<"$answer")" != "1" ]]; then
        fail "no service ${service} in cluster ${cluster}: $(jq -c '.failures' <<<"$answer")"
    fi
    [[ "$(jq -r '.services[0].status' <<<"$answer")" == "ACTIVE" ]] \
        || fail "service ${service} is $(jq -r '.services[0].status' <<<"$answer"), not ACTIVE"
    jq '.services[0]' <<<"$answer"
}

elapsed_since() {
    local started="$1"
    echo $(($(date +%s) - started))
}
