"""The service stack (terraform/ecs) holds to the service it runs, and the ties can fail.

Every check in service_ties.py runs against the real stack and must find nothing; then broken
copies of the stack (a wildcard OIDC subject, the readiness route as health check, the circuit
breaker off, the metrics port inside the tasks' ingress) must each be caught by the check that
guards that promise.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import service_ties  # noqa: E402
from service_ties import (  # noqa: E402
    ALL_TIES,
    check_deployment_safety,
    check_health_check_path,
    check_metrics_unreachable,
    check_oidc_trust,
    check_timing_relations,
    check_waf_admits_the_service_body_limit,
)

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "terraform" / "ecs"


@pytest.mark.parametrize("tie", ALL_TIES, ids=lambda tie: tie.__name__.removeprefix("check_"))
def test_tie_holds(tie: Callable[[Path, Path], list[str]]) -> None:
    problems = tie(STACK, REPO)
    assert problems == [], "\n".join(problems)


@dataclass(frozen=True)
class Mutation:
    """A deliberate fault in a copy of the stack and the check that must catch it."""

    name: str
    file: str
    before: str
    after: str
    check: Callable[[Path, Path], list[str]]
    expected: str  # a phrase the check's problem report must contain


MUTATIONS = (
    Mutation(
        name="wildcard-sub",
        file="github-oidc.tf",
        before='      test     = "StringEquals"\n'
        '      variable = "token.actions.githubusercontent.com:sub"\n'
        "      values   = [local.github_deploy_subject]",
        after='      test     = "StringLike"\n'
        '      variable = "token.actions.githubusercontent.com:sub"\n'
        '      values   = ["repo:${var.github_owner}/${var.github_repository}:*"]',
        check=check_oidc_trust,
        expected="wildcard",
    ),
    Mutation(
        name="health-path-readiness",
        file="alb.tf",
        before="    path                = local.timings.health_check_path",
        after='    path                = "/health/ready"',
        check=check_health_check_path,
        expected="'/health/ready'",
    ),
    Mutation(
        name="circuit-breaker-off",
        file="service.tf",
        before="  deployment_circuit_breaker {\n    enable   = true\n    rollback = true\n  }",
        after="  deployment_circuit_breaker {\n    enable   = false\n    rollback = false\n  }",
        check=check_deployment_safety,
        expected="deployment_circuit_breaker",
    ),
    # A grace period that ends before a task can pass healthy_threshold checks after starting.
    Mutation(
        name="grace-period-too-short",
        file="service.tf",
        before="  health_check_grace_period_seconds = local.timings.health_check_grace_period_seconds",
        after="  health_check_grace_period_seconds = 12",
        check=check_timing_relations,
        expected="grace period must cover",
    ),
    # The common rule set blocking bodies over 8 KB again, though the service accepts 64 KiB.
    Mutation(
        name="waf-blocks-large-orders",
        file="waf.tf",
        before='          name = "SizeRestrictions_BODY"',
        after='          name = "NoUserAgent_HEADER"',
        check=check_waf_admits_the_service_body_limit,
        expected="SizeRestrictions_BODY",
    ),
    # The tasks' ingress from the load balancer widened to a range that takes in the metrics port.
    Mutation(
        name="tasks-admit-a-port-range",
        file="security-groups.tf",
        before="(the metrics port stays on the task's loopback)\"\n"
        '  ip_protocol                  = "tcp"\n'
        "  from_port                    = local.app_port\n"
        "  to_port                      = local.app_port",
        after="(the metrics port stays on the task's loopback)\"\n"
        '  ip_protocol                  = "tcp"\n'
        "  from_port                    = local.app_port\n"
        "  to_port                      = 9999",
        check=check_metrics_unreachable,
        expected="opens the metrics port",
    ),
)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutated_copy_fails_its_tie(mutation: Mutation, tmp_path: Path) -> None:
    copy = tmp_path / "terraform" / STACK.name
    shutil.copytree(STACK, copy)
    target = copy / mutation.file
    text = target.read_text(encoding="utf-8")
    assert text.count(mutation.before) == 1, f"{mutation.file} no longer holds the text this mutation replaces"
    assert mutation.check(copy, REPO) == [], "the unmutated copy must pass, or the mutation proves nothing"

    target.write_text(text.replace(mutation.before, mutation.after), encoding="utf-8")
    problems = mutation.check(copy, REPO)
    print(f"{mutation.name}: {mutation.check.__name__} reports:")
    for problem in problems:
        print(f"  - {problem}")
    assert problems, f"{mutation.check.__name__} did not notice {mutation.name}"
    assert any(mutation.expected in problem for problem in problems), problems


def test_dockerfile_expose_reads_the_final_stage_and_build_args() -> None:
    dockerfile = (
        "FROM swift:6 AS build\nEXPOSE 1234\n"
        "FROM debian:bookworm-slim\nARG PORT=8080\nEXPOSE ${PORT}/tcp \\\n    9999\n"
    )
    assert service_ties._dockerfile_exposed_ports(dockerfile) == {8080, 9999}


def test_missing_dockerfile_and_workflow_fail_rather_than_pass(tmp_path: Path) -> None:
    """An absent image or deploy workflow is a failure of the tie, never a silent pass."""
    repo = tmp_path / "repo"
    shutil.copytree(STACK, repo / "terraform" / STACK.name)
    (repo / "config").mkdir()
    shutil.copy(REPO / "config" / "timings.json", repo / "config" / "timings.json")
    stack = repo / "terraform" / STACK.name
    assert any("app/Dockerfile does not exist" in p for p in service_ties.check_container_port_matches_image(stack, repo))
    assert any("deploy.yml does not exist" in p for p in service_ties.check_environment_matches_workflow(stack, repo))
    assert any("no OpenAPI document" in p for p in service_ties.check_health_check_path(stack, repo))
    assert any("max_connections unknown" in p for p in service_ties.check_pool_within_max_connections(stack, repo))
