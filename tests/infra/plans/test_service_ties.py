"""The service stack, as planned, holds to the service it runs, and each tie can fail.

Every check of service_ties.py runs on the ecs and database plans of the emulator lifecycle and
must find nothing; then a copy of the plan with one planted fault (a wildcard OIDC subject, the
readiness route as health check, the circuit breaker off, the metrics port in the tasks' ingress,
a grace period too short, the WAF blocking large orders, a scratch volume the image does not
declare, credentials shorter than the deploy job) must be caught by the check that guards it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import service_ties
from plan_model import Plan
from service_ties import ALL_TIES, Planned

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def planned(plan) -> Planned:
    return Planned(plan("ecs-applied"), plan("database-applied"))


@pytest.mark.parametrize("tie", ALL_TIES, ids=lambda tie: tie.__name__.removeprefix("check_"))
def test_tie_holds(tie, planned):
    problems = tie(planned, REPO)
    assert problems == [], "\n".join(problems)


def _resource(data: dict, address: str) -> dict:
    return next(r for r in _all_resources(data["planned_values"]["root_module"]) if r["address"] == address)["values"]


def _all_resources(module: dict) -> list[dict]:
    return [*module.get("resources", []), *(r for child in module.get("child_modules", []) for r in _all_resources(child))]


def _containers(data: dict, change: Callable[[dict], None]) -> None:
    values = _resource(data, "aws_ecs_task_definition.service")
    containers = json.loads(values["container_definitions"])
    change(containers)
    values["container_definitions"] = json.dumps(containers)


def _trust(data: dict) -> None:
    values = _resource(data, "aws_iam_role.github_deploy")
    policy = json.loads(values["assume_role_policy"])
    condition = policy["Statement"][0]["Condition"]
    subject = condition["StringEquals"].pop("token.actions.githubusercontent.com:sub")
    condition["StringLike"] = {"token.actions.githubusercontent.com:sub": subject.rsplit(":", 2)[0] + ":*"}
    values["assume_role_policy"] = json.dumps(policy)


def _waf_override(data: dict) -> None:
    for rule in next(r for r in _all_resources(data["planned_values"]["root_module"]) if r["type"] == "aws_wafv2_web_acl")["values"]["rule"]:
        for statement in rule["statement"]:
            for group in statement.get("managed_rule_group_statement") or []:
                for override in group.get("rule_action_override") or []:
                    if override["name"] == "SizeRestrictions_BODY":
                        override["name"] = "NoUserAgent_HEADER"


def _session(data: dict) -> None:
    _resource(data, "aws_iam_role.github_deploy")["max_session_duration"] = 3600


@dataclass(frozen=True)
class Mutation:
    """A planted fault in a copy of the ecs plan and the tie that must catch it."""

    name: str
    plant: Callable[[dict], None]
    check: Callable[[Planned, Path], list[str]]
    expected: str


MUTATIONS = (
    Mutation("wildcard-sub", _trust, service_ties.check_oidc_trust, "wildcards match more than this repository"),
    Mutation("health-path-readiness",
             lambda d: _resource(d, "aws_lb_target_group.service")["health_check"][0].update(path="/health/ready"),
             service_ties.check_health_check_path, "'/health/ready'"),
    Mutation("circuit-breaker-off",
             lambda d: _resource(d, "aws_ecs_service.service")["deployment_circuit_breaker"][0].update(enable=False, rollback=False),
             service_ties.check_deployment_safety, "deployment_circuit_breaker"),
    Mutation("grace-period-too-short",
             lambda d: _resource(d, "aws_ecs_service.service").update(health_check_grace_period_seconds=12),
             service_ties.check_timing_relations, "grace period must cover"),
    Mutation("waf-blocks-large-orders", _waf_override, service_ties.check_waf_admits_the_service_body_limit, "SizeRestrictions_BODY"),
    Mutation("tasks-admit-a-port-range",
             lambda d: _resource(d, "aws_vpc_security_group_ingress_rule.tasks_from_alb").update(to_port=9999),
             service_ties.check_metrics_unreachable, "opens the metrics port"),
    Mutation("scratch-volume-not-declared",
             lambda d: _containers(d, lambda cs: cs[0]["mountPoints"].append(
                 {"sourceVolume": "tmp", "containerPath": "/var/cache/orders", "readOnly": False})),
             service_ties.check_scratch_mounts_are_writable, "not declare as a VOLUME"),
    Mutation("collector-bind-mount",
             lambda d: _containers(d, lambda cs: cs[1].update(mountPoints=[{"sourceVolume": "tmp", "containerPath": "/tmp"}])),
             service_ties.check_scratch_mounts_are_writable, "an image this project does not build"),
    Mutation("one-hour-credentials", _session, service_ties.check_deploy_credentials_outlast_the_jobs, "the role allows 3600 s"),
)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_planted_fault_fails_its_tie(mutation, planned):
    assert mutation.check(planned, REPO) == [], "the unmutated plan must pass, or the mutation proves nothing"
    data = copy.deepcopy(planned.ecs.data)
    mutation.plant(data)
    problems = mutation.check(Planned(Plan(data, "mutated"), planned.database), REPO)
    print(f"{mutation.name}: {mutation.check.__name__} reports:")
    for problem in problems:
        print(f"  - {problem}")
    assert any(mutation.expected in problem for problem in problems), problems


def test_dockerfile_reading_takes_the_final_stage_and_build_args():
    dockerfile = ("FROM swift:6 AS build\nEXPOSE 1234\nVOLUME /build\n"
                  "FROM debian:bookworm-slim\nARG PORT=8080\nEXPOSE ${PORT}/tcp \\\n    9999\nVOLUME [\"/data\", \"/tmp\"]\n")
    assert service_ties.dockerfile_exposed_ports(dockerfile) == {8080, 9999}
    assert service_ties.dockerfile_volumes(dockerfile) == {"/data", "/tmp"}


def test_the_image_declares_the_task_definitions_scratch_path():
    """The scratch-volume tie on the stack as it was before: /tmp mounted, only /data declared."""
    before = 'FROM debian:bookworm-slim\nVOLUME ["/data"]\nUSER 10001:10001\n'
    assert "/tmp" not in service_ties.dockerfile_volumes(before)
    assert "/tmp" in service_ties.dockerfile_volumes((REPO / "app" / "Dockerfile").read_text())
