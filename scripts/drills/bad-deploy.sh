#!/usr/bin/env bash
# Failure drill on AWS: deploy a task definition that can never pass the load balancer's health check
# and check that ECS rolls it back by itself. docs/drills.md explains what good looks like.
set -euo pipefail

DRILL_NAME="bad-deploy"
# shellcheck source=scripts/drills/ecs-drill-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ecs-drill-common.sh"

# The fields register-task-definition accepts, out of what describe-task-definition returns.
readonly REGISTERABLE='["family","taskRoleArn","executionRoleArn","networkMode","containerDefinitions",
  "volumes","placementConstraints","requiresCompatibilities","cpu","memory","pidMode","ipcMode",
  "proxyConfiguration","inferenceAccelerators","ephemeralStorage","runtimePlatform"]'

usage() {
    cat <<EOF
Usage: scripts/drills/bad-deploy.sh --cluster NAME --service NAME [options]

Registers a copy of the service's live task definition in which the service container listens on
another port than the one the target group checks (HTTP_PORT changed, nothing else), deploys it
with update-service, and follows the deployment. Every new task fails the load balancer's health
check, so it never receives a request, and the deployment circuit breaker must mark the deployment
FAILED and roll back: the PRIMARY deployment returns to the live task definition. Nothing is
restored by hand unless that rollback does not happen within the timeout; then the script says so
loudly, points the service back at the live task definition itself, and exits 1. The drill's
revision is deregistered at the end either way, so no later deploy renders from it.

  --cluster NAME     the ECS cluster (required; never guessed)
  --service NAME     the ECS service (required; never guessed)
  --timeout SECONDS  how long ECS gets to roll back (default 1800)
  --poll SECONDS     time between polls (default 15)
  --dry-run          show the plan and the copy's change; register and deploy nothing
  --yes              do not ask before deploying (for automation)
  -h, --help         this text

Refuses to start when a deployment is already in progress or when the service's circuit breaker
does not have rollback on (the drill would then leave a broken deployment behind).

Exits 0 when ECS rolled back, 1 when it did not (after restoring by hand) or on an AWS error, 2 on a
usage error, 3 when the plan was not confirmed.

Needs: the AWS CLI (v1 or v2) with credentials, and jq. Permissions: ecs:DescribeServices,
ecs:DescribeTaskDefinition, ecs:RegisterTaskDefinition, ecs:DeregisterTaskDefinition,
ecs:UpdateService, iam:PassRole on the task's two roles.
Environment: AWS_REGION, AWS_PROFILE as the AWS CLI reads them; AWS_CLI to run another command than
"aws"; AWS_ENDPOINT_URL to talk to an emulator (the tests use moto).
EOF
}

# The copy: registerable fields only, the service container's HTTP_PORT moved off the checked port.
render_broken_copy() {
    local task_definition="$1" tags="$2" container="$3" broken_port="$4"
    jq --argjson keep "$REGISTERABLE" --arg container "$container" --arg port "$broken_port" --argjson tags "$tags" '
        .taskDefinition
        | with_entries(select(.key as $k | $keep | index($k)))
        | with_entries(select(.value != null))
        | .containerDefinitions |= map(
            if .name == $container then
                .environment = ([(.environment // [])[] | select(.name != "HTTP_PORT")]
                                + [{name: "HTTP_PORT", value: $port}])
                | .dockerLabels = ((.dockerLabels // {}) + {"cloud-app-platform.drill": "bad-deploy"})
            else . end)
        | if ($tags | length) > 0 then .tags = $tags else . end
    ' <<<"$task_definition"
}

show_plan() {
    local cluster="$1" service="$2" live="$3" container="$4" port="$5" broken_port="$6" desired="$7"
    cat >&2 <<EOF

Plan (bad-deploy drill)
  cluster / service   ${cluster} / ${service} (${desired} tasks)
  live revision       ${live}
  the copy            the same task definition, except container "${container}" gets HTTP_PORT=${broken_port};
                      the target group checks port ${port}, so no new task ever passes its check
  actions             register the copy; aws ecs update-service --task-definition <the copy>
  expected            new tasks never receive a request (unhealthy targets get none), ECS stops them,
                      the circuit breaker marks the deployment FAILED and rolls back: PRIMARY is
                      ${live##*/} again
  waits               at most ${TIMEOUT}s, polling every ${POLL}s
  if ECS does not     the script says so loudly, runs update-service --task-definition ${live##*/}
  roll back           itself, and exits 1
  finally             deregisters the drill's revision

EOF
}

print_deployments() {
    local started="$1" service_json="$2"
    jq -r --arg t "t+$(elapsed_since "$started")s" '.deployments[]
        | "\($t) \(.status) \(.taskDefinition | split("/") | last) rollout=\(.rolloutState // "-") running=\(.runningCount)/\(.desiredCount) failed=\(.failedTasks // 0)"' \
        <<<"$service_json" | while read -r line; do log "$line"; done
}

# 0 when ECS has rolled back: the drill's deployment was seen, and now the service and its PRIMARY
# deployment run the live revision again, completed.
rolled_back() {
    local service_json="$1" live="$2"
    jq -e --arg live "$live" '
        .taskDefinition == $live
        and ([.deployments[] | select(.status == "PRIMARY" and .taskDefinition == $live
              and (.rolloutState // "COMPLETED") == "COMPLETED")] | length) == 1
    ' <<<"$service_json" >/dev/null
}

follow_rollback() {
    local cluster="$1" service="$2" live="$3" bad="$4" started="$5"
    local deadline=$((started + TIMEOUT)) service_json seen_bad=0 last_event="" events
    while (($(date +%s) < deadline)); do
        sleep "$POLL"
        service_json="$(describe_service "$cluster" "$service")"
        print_deployments "$started" "$service_json"
        events="$(jq -r --arg last "$last_event" '[.events[]? | select(.id != $last)] | .[0:3] | reverse | .[] | .message' <<<"$service_json")"
        [[ -n "$events" ]] && while read -r line; do log "  event: ${line}"; done <<<"$events"
        last_event="$(jq -r '.events[0].id // ""' <<<"$service_json")"
        if jq -e --arg bad "$bad" '[.deployments[] | select(.taskDefinition == $bad)] | length > 0' <<<"$service_json" >/dev/null; then
            seen_bad=1
        fi
        if ((seen_bad)) && rolled_back "$service_json" "$live"; then
            log "ROLLED BACK by ECS after $(elapsed_since "$started")s: PRIMARY runs ${live##*/} again"
            return 0
        fi
    done
    if ((seen_bad == 0)); then
        log "the drill's deployment never appeared in describe-services"
    fi
    return 1
}

restore_by_hand() {
    local cluster="$1" service="$2" live="$3"
    shout "ECS DID NOT ROLL BACK within ${TIMEOUT}s: the circuit breaker or the deployment alarms failed." \
        "Restoring BY HAND now: update-service --task-definition ${live##*/}." \
        "Find out why before trusting automatic rollback (docs/operations.md, 'Rolling back by hand')."
    aws_cli ecs update-service --cluster "$cluster" --service "$service" --task-definition "$live" >/dev/null \
        || fail "restoring by hand failed too: run aws ecs update-service --cluster ${cluster} --service ${service} --task-definition ${live}"
    log "the service points at ${live##*/} again; watch it reach steady state"
}

deregister_copy() {
    local bad="$1"
    if aws_cli ecs deregister-task-definition --task-definition "$bad" >/dev/null; then
        log "deregistered the drill's revision ${bad##*/}"
    else
        log "WARNING: could not deregister ${bad}; deregister it by hand so no deploy renders from it"
    fi
}

main() {
    local cluster="" service=""
    TIMEOUT=1800
    POLL=15
    ASSUME_YES=0
    local dry_run=0
    while (($# > 0)); do
        case "$1" in
            --cluster) cluster="${2:-}"; shift 2 ;;
            --service) service="${2:-}"; shift 2 ;;
            --timeout) TIMEOUT="${2:-}"; shift 2 ;;
            --poll) POLL="${2:-}"; shift 2 ;;
            --dry-run) dry_run=1; shift ;;
            --yes) ASSUME_YES=1; shift ;;
            -h | --help) usage; return 0 ;;
            *) usage_error "unknown argument: $1" ;;
        esac
    done
    [[ -n "$cluster" && -n "$service" ]] || usage_error "--cluster and --service are both required; this drill never guesses which service to break"
    [[ "$TIMEOUT" =~ ^[0-9]+$ && "$POLL" =~ ^[0-9]+$ && "$POLL" -ge 1 ]] || usage_error "--timeout and --poll take whole seconds"
    require_tools

    local service_json live container port desired answer task_definition tags copy broken_port
    service_json="$(describe_service "$cluster" "$service")"
    live="$(jq -r '.taskDefinition' <<<"$service_json")"
    desired="$(jq -r '.desiredCount' <<<"$service_json")"
    jq -e '(.deployments | length) == 1 and .deployments[0].status == "PRIMARY"
           and (.deployments[0].rolloutState // "COMPLETED") == "COMPLETED"' <<<"$service_json" >/dev/null \
        || fail "a deployment is in progress on ${service}; run the drill on a steady service"
    jq -e '.deploymentConfiguration.deploymentCircuitBreaker | .enable == true and .rollback == true' \
        <<<"$service_json" >/dev/null \
        || fail "${service} has no deployment circuit breaker with rollback; the drill would leave a broken deployment"
    container="$(jq -r '.loadBalancers[0].containerName // ""' <<<"$service_json")"
    port="$(jq -r '.loadBalancers[0].containerPort // ""' <<<"$service_json")"
    [[ -n "$container" && -n "$port" ]] || fail "${service} has no load balancer; there is no health check to fail"

    answer="$(aws_cli ecs describe-task-definition --task-definition "$live" --include TAGS)" \
        || fail "describe-task-definition ${live} failed"
    task_definition="$answer"
    tags="$(jq -c '.tags // []' <<<"$answer")"
    jq -e --arg c "$container" '[.taskDefinition.containerDefinitions[] | select(.name == $c)] | length == 1' \
        <<<"$task_definition" >/dev/null || fail "the live task definition has no container named ${container}"
    # One above the checked port, skipping any port the container already uses (the metrics port).
    broken_port=$((port + 1))
    while jq -e --arg c "$container" --arg p "$broken_port" '.taskDefinition.containerDefinitions[]
            | select(.name == $c) | [(.environment // [])[].value] | index($p)' <<<"$task_definition" >/dev/null; do
        broken_port=$((broken_port + 1))
    done
    copy="$(render_broken_copy "$task_definition" "$tags" "$container" "$broken_port")"
    show_plan "$cluster" "$service" "$live" "$container" "$port" "$broken_port" "$desired"

    if ((dry_run)); then
        log "dry run: the copy's service container environment would be:"
        jq -c --arg c "$container" '.containerDefinitions[] | select(.name == $c) | .environment' <<<"$copy" >&2
        log "dry run: nothing was registered or deployed"
        return 0
    fi
    confirm "Deploy a broken revision to ${service} now?"

    local copy_file bad started
    copy_file="$(mktemp)"
    printf '%s\n' "$copy" >"$copy_file"
    bad="$(aws_cli ecs register-task-definition --cli-input-json "file://${copy_file}" | jq -r '.taskDefinition.taskDefinitionArn')" \
        || { rm -f "$copy_file"; fail "register-task-definition failed"; }
    rm -f "$copy_file"
    log "registered the broken copy ${bad##*/}"
    started="$(date +%s)"
    if ! aws_cli ecs update-service --cluster "$cluster" --service "$service" --task-definition "$bad" >/dev/null; then
        deregister_copy "$bad"
        fail "update-service failed; the service was not changed"
    fi
    log "t+0s deployed ${bad##*/}; following the deployment (every ${POLL}s, at most ${TIMEOUT}s)"
    trap 'shout "Interrupted while ${bad##*/} may still be deploying." "Restore by hand: aws ecs update-service --cluster ${cluster} --service ${service} --task-definition ${live}"; exit 130' INT TERM

    if follow_rollback "$cluster" "$service" "$live" "$bad" "$started"; then
        trap - INT TERM
        deregister_copy "$bad"
        return 0
    fi
    trap - INT TERM
    restore_by_hand "$cluster" "$service" "$live"
    deregister_copy "$bad"
    return 1
}

main "$@"
