#!/usr/bin/env python3
"""Wait until the ECS deployment a deploy run started has finished, and fail unless it took.

`amazon-ecs-deploy-task-definition` waits for *service stability*, and a service is stable again once
ECS has rolled a bad deployment back, or while the deployment alarms are still being watched (a
deployment stays IN_PROGRESS for the alarms' bake time after the service is stable). So "stable" is
not "deployed". This script looks at the deployment itself: it polls `aws ecs describe-services` until
the deployment that runs the task definition this run registered reaches a final rollout state.

Verdicts and exit codes:
  0  COMPLETED    the deployment completed and is the service's PRIMARY deployment
  1  FAILED       its rolloutState is FAILED (circuit breaker or deployment alarm); ECS rolls back
  3  ROLLED BACK  the PRIMARY deployment runs another task definition (rolled back, or replaced)
  4  DEADLINE     still IN_PROGRESS when the deadline ran out
  5  ERROR        the service could not be described (missing service, AWS errors)
  2  usage error

Only the standard library is used, so it runs on any runner with python3.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from aws_queries import describe_service
from clients import CliError, write_github_output

EXIT_COMPLETED = 0
EXIT_FAILED = 1
EXIT_ROLLED_BACK = 3
EXIT_DEADLINE = 4
EXIT_ERROR = 5

# The default deadline must stay above the deployment alarms' bake time (see --help and
# docs/deploy.md). ECS computes the bake time from the alarms' period and evaluation periods; the
# alarms of terraform/ecs keep it to minutes, so 30 minutes leaves a wide margin.
DEFAULT_DEADLINE_SECONDS = 1800
DEFAULT_POLL_SECONDS = 15
# describe-services is cheap and throttling is transient: give up only after this many errors in a row.
MAX_CONSECUTIVE_AWS_ERRORS = 3
EVENTS_SHOWN_ON_FAILURE = 5

EPILOG = f"""
exit codes: 0 COMPLETED, 1 FAILED, 3 ROLLED BACK, 4 DEADLINE, 5 ERROR, 2 usage

The deadline counts from the start of this script, which runs after the deploy step has waited for
service stability. What is left then is the deployment alarms' bake time, during which the
deployment stays IN_PROGRESS; the deadline must be longer than that bake time, or a good deployment
is reported as DEADLINE (and a rollback late in the bake time is missed). Default
{DEFAULT_DEADLINE_SECONDS} s.

environment:
  AWS_CLI        the AWS CLI command to run (default: aws). Tests point it at a fake that replays
                 recorded describe-services outputs.
  GITHUB_OUTPUT  when set, deployment-id=, verdict= and reason= are appended to it.
"""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one look at the service, or None while the deployment is still rolling out."""

    name: str
    exit_code: int
    message: str


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="verify-deployment.py",
        description="Poll an ECS service until the deployment of a given task definition revision "
        "reaches COMPLETED (pass) or FAILED, is rolled back, or a deadline passes (fail).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cluster", required=True, help="ECS cluster name")
    parser.add_argument("--service", required=True, help="ECS service name")
    parser.add_argument(
        "--task-definition-arn",
        required=True,
        help="the task definition revision this run registered and deployed",
    )
    parser.add_argument(
        "--deployment-id",
        help="the ECS deployment id (ecs-svc/...), when known; otherwise the deployment is found "
        "by its task definition",
    )
    parser.add_argument(
        "--deadline-seconds",
        type=float,
        default=DEFAULT_DEADLINE_SECONDS,
        help=f"give up after this long (default {DEFAULT_DEADLINE_SECONDS}); keep it above the "
        "deployment alarms' bake time",
    )
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=DEFAULT_POLL_SECONDS,
        help=f"time between two describe-services calls (default {DEFAULT_POLL_SECONDS})",
    )
    args = parser.parse_args(argv)
    if args.deadline_seconds <= 0 or args.poll_seconds <= 0:
        parser.error("--deadline-seconds and --poll-seconds must be positive")
    return args


def log(message: str) -> None:
    print(f"verify-deployment: {message}", flush=True)


def find_ours(deployments: list[dict], task_definition_arn: str, deployment_id: str | None) -> dict | None:
    """The deployment this run created: by id when known, else the newest one running our revision."""
    if deployment_id:
        return next((d for d in deployments if d.get("id") == deployment_id), None)
    candidates = [d for d in deployments if d.get("taskDefinition") == task_definition_arn]
    # createdAt is ISO 8601 from the CLI; the newest wins if a revision was ever deployed twice.
    return max(candidates, key=lambda d: str(d.get("createdAt", "")), default=None)


def describe_cause(reason: str) -> str:
    lowered = reason.lower()
    if "circuit breaker" in lowered:
        return "the deployment circuit breaker stopped it (tasks failed to start or failed health checks)"
    if "alarm" in lowered:
        return "a deployment alarm went into ALARM"
    return "ECS marked it FAILED"


def judge(service: dict, task_definition_arn: str, ours: dict | None, seen_id: str | None) -> Verdict | None:
    """Decide from one service description; None means still rolling out."""
    deployments = service.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    ours_name = (ours or {}).get("id") or seen_id or "(not found)"

    if ours is not None and ours.get("rolloutState") == "FAILED":
        reason = ours.get("rolloutStateReason", "")
        message = f"deployment {ours_name} FAILED: {describe_cause(reason)}; reason: {reason!r}"
        if primary is not None and primary.get("taskDefinition") != task_definition_arn:
            message += f"; ECS is rolling back to {primary.get('taskDefinition')} ({primary.get('id')})"
        return Verdict("FAILED", EXIT_FAILED, message)

    if ours is not None and ours.get("taskDefinition") != task_definition_arn:
        return Verdict(
            "ERROR",
            EXIT_ERROR,
            f"deployment {ours_name} runs {ours.get('taskDefinition')}, not {task_definition_arn}",
        )

    if primary is None:
        return None  # between two deployments for a moment; look again

    if primary.get("taskDefinition") != task_definition_arn or (ours is not None and ours is not primary):
        state = "gone from the service" if ours is None else f"{ours.get('status')} {ours.get('rolloutState')}"
        return Verdict(
            "ROLLED BACK",
            EXIT_ROLLED_BACK,
            f"the PRIMARY deployment {primary.get('id')} runs {primary.get('taskDefinition')}, not "
            f"{task_definition_arn}; this run's deployment {ours_name} is {state}. ECS rolled it back "
            "(circuit breaker or deployment alarm), or another deployment replaced it",
        )

    if primary.get("rolloutState") == "COMPLETED":
        return Verdict(
            "COMPLETED",
            EXIT_COMPLETED,
            f"deployment {primary.get('id')} COMPLETED and PRIMARY with {task_definition_arn}: "
            f"{primary.get('runningCount')}/{primary.get('desiredCount')} tasks running",
        )
    return None


def progress_line(ours: dict | None, elapsed: float) -> str:
    if ours is None:
        return f"waiting for the deployment to appear ({elapsed:.0f} s)"
    return (
        f"{ours.get('id')} {ours.get('status')} {ours.get('rolloutState')}: running "
        f"{ours.get('runningCount')}/{ours.get('desiredCount')}, pending {ours.get('pendingCount')}, "
        f"failed tasks {ours.get('failedTasks')} ({elapsed:.0f} s)"
    )


def show_recent_events(service: dict | None) -> None:
    for event in ((service or {}).get("events") or [])[:EVENTS_SHOWN_ON_FAILURE]:
        log(f"  event {event.get('createdAt')}: {event.get('message')}")


def verify(args: argparse.Namespace) -> tuple[Verdict, str | None]:
    """Poll until a verdict or the deadline; returns the verdict and the deployment id seen."""
    started = time.monotonic()
    deadline = started + args.deadline_seconds
    seen_id: str | None = args.deployment_id
    service: dict | None = None
    errors_in_a_row = 0
    while True:
        try:
            service = describe_service(args.cluster, args.service)
            errors_in_a_row = 0
        except CliError as error:
            errors_in_a_row += 1
            log(f"AWS error {errors_in_a_row}/{MAX_CONSECUTIVE_AWS_ERRORS}: {error}")
            if errors_in_a_row >= MAX_CONSECUTIVE_AWS_ERRORS:
                return Verdict("ERROR", EXIT_ERROR, str(error)), seen_id
        else:
            ours = find_ours(service.get("deployments") or [], args.task_definition_arn, args.deployment_id)
            if ours is not None:
                seen_id = ours.get("id")
            verdict = judge(service, args.task_definition_arn, ours, seen_id)
            if verdict is not None:
                if verdict.exit_code != EXIT_COMPLETED:
                    show_recent_events(service)
                return verdict, seen_id
            log(progress_line(ours, time.monotonic() - started))

        if time.monotonic() + args.poll_seconds > deadline:
            show_recent_events(service)
            return Verdict(
                "DEADLINE",
                EXIT_DEADLINE,
                f"deployment {seen_id or '(not found)'} still not COMPLETED after "
                f"{args.deadline_seconds:g} s; if the deployment alarms' bake time is longer than the "
                "deadline, raise --deadline-seconds",
            ), seen_id
        time.sleep(args.poll_seconds)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    log(
        f"watching service {args.service} in cluster {args.cluster} for {args.task_definition_arn} "
        f"(deadline {args.deadline_seconds:g} s, poll every {args.poll_seconds:g} s)"
    )
    verdict, deployment_id = verify(args)
    status = "PASS" if verdict.exit_code == EXIT_COMPLETED else "FAIL"
    log(f"{status} {verdict.name}: {verdict.message}")
    write_github_output({"deployment-id": deployment_id or "", "verdict": verdict.name, "reason": verdict.message})
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
