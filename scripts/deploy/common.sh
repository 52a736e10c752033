# Shared by the deploy scripts (sourced, never run): messages, the AWS and Docker commands (which
# tests replace with fakes), workflow outputs, and the one ECR question several scripts ask.
# Messages start with the name of the script that sourced this file.
# shellcheck shell=bash

script_name() { local name="${0##*/}"; printf '%s' "${name%.sh}"; }
fail() { printf '%s: FAIL %s\n' "$(script_name)" "$*" >&2; exit 1; }
log() { printf '%s: %s\n' "$(script_name)" "$*" >&2; }

# The AWS CLI, or the command named by $AWS_CLI (tests point it at tests/workflows/fake_cli.py).
aws_cli() {
    local -a command
    read -r -a command <<<"${AWS_CLI:-aws}"
    "${command[@]}" "$@"
}

# The Docker CLI, or the command named by $DOCKER.
docker_cli() {
    local -a command
    read -r -a command <<<"${DOCKER:-docker}"
    "${command[@]}" "$@"
}

# Print name=value, and append it to $GITHUB_OUTPUT when the script runs in a workflow step.
emit() {
    printf '%s\n' "$1"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then printf '%s\n' "$1" >>"$GITHUB_OUTPUT"; fi
}

# The digest an (immutable) tag names in an ECR repository, or nothing when the tag is not there.
# Any other AWS error fails the script.
digest_of_tag() {
    local repository="$1" tag="$2" errors digest message
    errors="$(mktemp)"
    if digest="$(aws_cli ecr describe-images --repository-name "$repository" --image-ids "imageTag=${tag}" \
        --query 'imageDetails[0].imageDigest' --output text 2>"$errors")"; then
        rm -f "$errors"
        [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "ECR answered an unexpected digest '${digest}'"
        echo "$digest"
        return 0
    fi
    message="$(cat "$errors")"
    rm -f "$errors"
    if [[ "$message" == *ImageNotFoundException* ]]; then return 0; fi
    fail "describe-images failed: ${message}"
}
