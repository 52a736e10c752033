#!/usr/bin/env bash
# Put an ECS service back on a task definition revision it ran before, and verify that deployment
# exactly as a release is verified (scripts/deploy/verify-deployment.py): the rollback counts only
# when its own deployment is COMPLETED and PRIMARY. The deploy workflow runs this when the smoke test
# fails after a rollout; the rollback workflow runs it for a revision a person names.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<EOF
Usage: scripts/deploy/roll-back-service.sh --cluster NAME --service NAME --task-definition-arn ARN
                                           [--deadline-seconds N] [--poll-seconds N]

  --task-definition-arn ARN  the revision to go back to (a full task definition ARN)
  --deadline-seconds N       how long the verification waits for COMPLETED (default 1800); the
                             rollback has no stability wait before it, so this covers the whole
                             rollout and the deployment alarms' bake time
  --poll-seconds N           time between two looks at the service (default 15)

Calls update-service with that revision, reads the id of the deployment it started (or of the
PRIMARY deployment when the service already runs that revision), then hands over to
verify-deployment.py, whose verdict and exit code it returns: 0 COMPLETED, 1 FAILED, 3 ROLLED BACK,
4 DEADLINE, 5 ERROR (update-service itself failed, or the verification could not describe the service).

Environment:
  AWS_CLI        the AWS CLI command (default: aws); tests point it at a fake
  GITHUB_OUTPUT  when set, verify-deployment.py appends deployment-id=, verdict= and reason=
EOF
}

readonly EXIT_ERROR=5

# The id of the PRIMARY deployment in update-service's answer, checked to run the requested revision.
primary_deployment_id() {
    local answer="$1" wanted="$2"
    python3 -c '
import json, sys
service = json.load(open(sys.argv[1]))["service"]
primary = [d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"]
if len(primary) != 1 or primary[0].get("taskDefinition") != sys.argv[2]:
    sys.exit("the PRIMARY deployment after update-service does not run " + sys.argv[2])
print(primary[0]["id"])
' "$answer" "$wanted"
}

main() {
    local cluster="" service="" arn="" deadline="1800" poll="15"
    while (($# > 0)); do
        case "$1" in
            --cluster) cluster="${2:-}"; shift 2 ;;
            --service) service="${2:-}"; shift 2 ;;
            --task-definition-arn) arn="${2:-}"; shift 2 ;;
            --deadline-seconds) deadline="${2:-}"; shift 2 ;;
            --poll-seconds) poll="${2:-}"; shift 2 ;;
            -h | --help) usage; return 0 ;;
            *) usage >&2; fail "unknown argument: $1" ;;
        esac
    done
    [[ -n "$cluster" && -n "$service" && -n "$arn" ]] \
        || { usage >&2; fail "--cluster, --service and --task-definition-arn are required"; }
    [[ "$arn" =~ ^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task-definition/[A-Za-z0-9_-]+:[0-9]+$ ]] \
        || fail "not a task definition revision ARN: '${arn}'"

    local work answer deployment_id
    work="$(mktemp -d)"
    # shellcheck disable=SC2064 # expand now: the directory is fixed for this run
    trap "rm -rf '${work}'" EXIT
    answer="${work}/update-service.json"
    log "rolling ${service} back to ${arn}"
    if ! aws_cli ecs update-service --cluster "$cluster" --service "$service" --task-definition "$arn" \
        --output json >"$answer" 2>"${work}/errors"; then
        log "FAIL update-service: $(cat "${work}/errors")"
        return "$EXIT_ERROR"
    fi
    if ! deployment_id="$(primary_deployment_id "$answer" "$arn" 2>"${work}/errors")"; then
        log "FAIL $(cat "${work}/errors")"
        return "$EXIT_ERROR"
    fi
    log "deployment ${deployment_id} runs ${arn}; verifying it"
    python3 "$(dirname "${BASH_SOURCE[0]}")/verify-deployment.py" --cluster "$cluster" --service "$service" \
        --task-definition-arn "$arn" --deployment-id "$deployment_id" \
        --deadline-seconds "$deadline" --poll-seconds "$poll"
}

main "$@"
