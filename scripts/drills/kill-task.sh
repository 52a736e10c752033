#!/usr/bin/env bash
# Failure drill on AWS: stop one running task of the ECS service and follow ECS until a replacement
# runs and is healthy behind the load balancer. docs/drills.md explains what good looks like.
set -euo pipefail

DRILL_NAME="kill-task"
# shellcheck source=scripts/drills/ecs-drill-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ecs-drill-common.sh"

usage() {
    cat <<EOF
Usage: scripts/drills/kill-task.sh --cluster NAME --service NAME [options]

Stops one RUNNING task of the service (aws ecs stop-task), then polls until ECS has started a
replacement, the replacement's address is "healthy" in the service's target group, and the running
count equals the desired count again. Prints progress on every poll and the time each step took.

  --cluster NAME     the ECS cluster (required; never guessed)
  --service NAME     the ECS service (required; never guessed)
  --task ARN         the task to stop (default: the first RUNNING task of the service)
  --timeout SECONDS  give up after this long (default 900)
  --poll SECONDS     time between polls (default 10)
  --dry-run          show the plan and stop; nothing is changed
  --yes              do not ask before stopping the task (for automation)
  -h, --help         this text

Exits 0 when a healthy replacement runs within the timeout, 1 when not (or on an AWS error), 2 on a
usage error, 3 when the plan was not confirmed.

Needs: the AWS CLI (v1 or v2) with credentials for the account, and jq. Permissions: ecs:DescribeServices,
ecs:ListTasks, ecs:DescribeTasks, ecs:StopTask, elasticloadbalancing:DescribeTargetHealth.
Environment: AWS_REGION, AWS_PROFILE as the AWS CLI reads them; AWS_CLI to run another command than
"aws"; AWS_ENDPOINT_URL to talk to an emulator (the tests use moto).
EOF
}

running_tasks() {
    local cluster="$1" service="$2"
    aws_cli ecs list-tasks --cluster "$cluster" --service-name "$service" --desired-status RUNNING \
        | jq -r '.taskArns | sort | .[]'
}

describe_tasks() {
    local cluster="$1"
    shift
    aws_cli ecs describe-tasks --cluster "$cluster" --tasks "$@"
}

# The task's private IPv4 address (awsvpc: the target group's target id).
task_address() {
    jq -r --arg arn "$2" '.tasks[] | select(.taskArn == $arn)
        | [.attachments[]?.details[]? | select(.name == "privateIPv4Address") | .value][0] // ""' <<<"$1"
}

target_state() {
    local target_group="$1" address="$2"
    [[ -n "$target_group" && -n "$address" ]] || { echo "-"; return 0; }
    aws_cli elbv2 describe-target-health --target-group-arn "$target_group" \
        | jq -r --arg ip "$address" '[.TargetHealthDescriptions[] | select(.Target.Id == $ip)
            | .TargetHealth.State][0] // "not registered"'
}

show_plan() {
    local cluster="$1" service="$2" victim="$3" address="$4" desired="$5" running="$6" target_group="$7"
    cat >&2 <<EOF

Plan (kill-task drill)
  cluster / service   ${cluster} / ${service}
  tasks               ${running} running of ${desired} desired
  task to stop        ${victim}
  its address         ${address:-unknown}
  target group        ${target_group:-none (the service has no load balancer)}
  action              aws ecs stop-task --reason "failure drill: kill-task.sh"
  then                poll every ${POLL}s, for at most ${TIMEOUT}s, until a replacement is RUNNING,
                      healthy in the target group, and ${desired} of ${desired} tasks run
  while it runs       watch the dashboard: running tasks dip and recover, healthy targets return to
                      ${desired}, and the 5xx count stays flat (docs/operations.md, "Drills")

EOF
}

follow_replacement() {
    local cluster="$1" service="$2" victim="$3" target_group="$4" before="$5" started="$6"
    local deadline=$((started + TIMEOUT)) tasks new status health address details state service_json running desired
    local left_at="" replaced_at=""
    while (($(date +%s) < deadline)); do
        sleep "$POLL"
        service_json="$(describe_service "$cluster" "$service")"
        running="$(jq -r '.runningCount' <<<"$service_json")"
        desired="$(jq -r '.desiredCount' <<<"$service_json")"
        tasks="$(running_tasks "$cluster" "$service")"
        new="$(comm -13 <(printf '%s\n' "$before" | sort) <(printf '%s\n' "$tasks" | grep -v -x -F "$victim" | sort) | sed -n 1p)"
        if [[ -z "$left_at" ]] && ! grep -q -x -F "$victim" <<<"$tasks"; then
            left_at="$(elapsed_since "$started")"
            log "t+${left_at}s the stopped task is no longer RUNNING"
        fi
        if [[ -z "$new" ]]; then
            log "t+$(elapsed_since "$started")s running ${running}/${desired}; no replacement task yet"
            continue
        fi
        details="$(describe_tasks "$cluster" "$new")"
        status="$(jq -r '.tasks[0].lastStatus' <<<"$details")"
        health="$(jq -r '.tasks[0].healthStatus // "UNKNOWN"' <<<"$details")"
        address="$(task_address "$details" "$new")"
        state="$(target_state "$target_group" "$address")"
        log "t+$(elapsed_since "$started")s running ${running}/${desired}; replacement ${new##*/} ${status}, container health ${health}, target ${state}"
        if [[ -z "$replaced_at" && "$status" == "RUNNING" ]]; then
            replaced_at="$(elapsed_since "$started")"
        fi
        if [[ "$status" == "RUNNING" && ("$state" == "healthy" || -z "$target_group") && "$running" == "$desired" ]]; then
            log "done: replacement ${new##*/} RUNNING after ${replaced_at}s, healthy behind the load balancer and ${running}/${desired} tasks after $(elapsed_since "$started")s"
            return 0
        fi
    done
    shout "NO HEALTHY REPLACEMENT within ${TIMEOUT}s of stopping ${victim##*/}." \
        "Look at the service's events: aws ecs describe-services --cluster ${cluster} --services ${service}" \
        "and at the runbook (docs/operations.md, 'Running tasks below desired')."
    return 1
}

main() {
    local cluster="" service="" task=""
    TIMEOUT=900
    POLL=10
    ASSUME_YES=0
    local dry_run=0
    while (($# > 0)); do
        case "$1" in
            --cluster) cluster="${2:-}"; shift 2 ;;
            --service) service="${2:-}"; shift 2 ;;
            --task) task="${2:-}"; shift 2 ;;
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

    local service_json desired running target_group before victim details address
    service_json="$(describe_service "$cluster" "$service")"
    desired="$(jq -r '.desiredCount' <<<"$service_json")"
    running="$(jq -r '.runningCount' <<<"$service_json")"
    target_group="$(jq -r '.loadBalancers[0].targetGroupArn // ""' <<<"$service_json")"
    before="$(running_tasks "$cluster" "$service")"
    [[ -n "$before" ]] || fail "service ${service} has no RUNNING task to stop"
    if [[ -n "$task" ]]; then
        victim="$(grep -E "(^|/)${task##*/}\$" <<<"$before" | head -n 1 || true)"
        [[ -n "$victim" ]] || fail "task ${task} is not a RUNNING task of service ${service}"
    else
        victim="$(head -n 1 <<<"$before")"
    fi
    if (($(wc -l <<<"$before") < 2)); then
        log "WARNING: only one task runs; stopping it takes the service down until the replacement is healthy"
    fi
    details="$(describe_tasks "$cluster" "$victim")"
    address="$(task_address "$details" "$victim")"
    show_plan "$cluster" "$service" "$victim" "$address" "$desired" "$running" "$target_group"

    if ((dry_run)); then
        log "dry run: nothing was stopped"
        return 0
    fi
    confirm "Stop task ${victim##*/} of ${service} now?"

    local started
    started="$(date +%s)"
    aws_cli ecs stop-task --cluster "$cluster" --task "$victim" --reason "failure drill: kill-task.sh" >/dev/null \
        || fail "stop-task failed"
    log "t+0s stopped ${victim##*/}; following ECS (every ${POLL}s, at most ${TIMEOUT}s)"
    follow_replacement "$cluster" "$service" "$victim" "$target_group" "$before" "$started"
}

main "$@"
