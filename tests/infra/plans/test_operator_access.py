"""The operator's way in, on the ecs stack as applied (operator_access.py): each check holds on the
plan, and each catches a fault planted in a copy of it."""

from __future__ import annotations

import copy
import json

import pytest

from operator_access import (check_admin_task_role, check_admin_task_secrets, check_exec_is_the_admin_tasks_alone,
                             check_operator_role)
from plan_model import Plan

# The principal the lifecycle names in operator_principal_arns (tools/infra/lifecycle_run.py).
OPERATOR = "arn:aws:iam::123456789012:role/oncall"


def _report(name: str, problems: list[str]) -> None:
    print(f"{name}: " + ("holds" if not problems else f"{len(problems)} problems"))
    for problem in problems:
        print(f"  - {problem}")


def test_exec_is_the_admin_tasks_alone(plan):
    problems = check_exec_is_the_admin_tasks_alone(plan("ecs-applied"))
    _report("exec", problems)
    assert problems == []


def test_the_admin_task_role_holds_the_exec_agents_needs_only(plan):
    problems = check_admin_task_role(plan("ecs-applied"))
    _report("admin task role", problems)
    assert problems == []


def test_the_operator_role_execs_into_the_admin_container_only(plan):
    planned = plan("ecs-applied")
    problems = check_operator_role(planned, [OPERATOR])
    policy = planned.resource("aws_iam_role_policy.operator[0]").policy("policy")
    execute = next(s for s in policy["Statement"] if "ecs:ExecuteCommand" in json.dumps(s.get("Action")))
    print(f"operator role: ecs:ExecuteCommand on {execute['Resource']} when {execute['Condition']}")
    _report("operator role", problems)
    assert problems == []


def _planted(plan, address: str, attribute: str, change) -> Plan:
    data = copy.deepcopy(plan.data)
    values = next(r for r in data["planned_values"]["root_module"]["resources"] if r["address"] == address)["values"]
    document = json.loads(values[attribute])
    change(document)
    values[attribute] = json.dumps(document)
    return Plan(data, "mutated")


def _statement(document: dict, action: str) -> dict:
    return next(s for s in document["Statement"] if action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))


@pytest.mark.parametrize("name, change, expected", [
    ("no container condition", lambda d: _statement(d, "ecs:ExecuteCommand").pop("Condition"), "not held to the orders-admin container"),
    ("exec in any cluster", lambda d: _statement(d, "ecs:ExecuteCommand").update(Resource="*"), "every resource"),
    ("run any task definition", lambda d: _statement(d, "ecs:RunTask").update(Resource=["arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:*"]), "other task definitions"),
    ("pass the service's role", lambda d: _statement(d, "iam:PassRole").update(Resource=["arn:aws:iam::123456789012:role/orders-service-task"]), "beyond the admin task's roles"),
])
def test_the_operator_check_catches(plan, name, change, expected):
    problems = check_operator_role(_planted(plan("ecs-applied"), "aws_iam_role_policy.operator[0]", "policy", change), [OPERATOR])
    _report(name, problems)
    assert any(expected in problem for problem in problems)


def test_the_trust_check_catches_another_principal(plan):
    planted = _planted(plan("ecs-applied"), "aws_iam_role.operator[0]", "assume_role_policy",
                       lambda d: d["Statement"][0]["Principal"].update(AWS="arn:aws:iam::123456789012:root"))
    assert any("trusts" in problem for problem in check_operator_role(planted, [OPERATOR]))


def test_the_admin_role_check_catches_an_extra_permission(plan):
    planted = _planted(plan("ecs-applied"), "aws_iam_role_policy.admin_task", "policy",
                       lambda d: d["Statement"].append({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
    assert any("does not need" in problem for problem in check_admin_task_role(planted))


def test_the_admin_task_writes_api_keys_and_the_service_secret_only(plan):
    problems = check_admin_task_secrets(plan("ecs-applied"))
    policy = plan("ecs-applied").resource("aws_iam_role_policy.admin_task_secrets").policy("policy")
    for statement in policy["Statement"]:
        print(f"admin task secrets: {statement.get('Sid')}: {statement['Action']} on {statement['Resource']}")
    _report("admin task secrets", problems)
    assert problems == []


@pytest.mark.parametrize("name, change, expected", [
    ("keys anywhere", lambda d: _statement(d, "secretsmanager:CreateSecret").update(Resource="*"), "secretsmanager:CreateSecret on"),
    ("read every secret", lambda d: d["Statement"].append({"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"}), "neither keys create nor the rotation"),
    ("the key used directly", lambda d: _statement(d, "kms:Decrypt").pop("Condition"), "beyond Secrets Manager"),
    ("no rotation", lambda d: d["Statement"].remove(_statement(d, "secretsmanager:GetSecretValue")), "would lack"),
])
def test_the_admin_secrets_check_catches(plan, name, change, expected):
    problems = check_admin_task_secrets(_planted(plan("ecs-applied"), "aws_iam_role_policy.admin_task_secrets", "policy", change))
    _report(name, problems)
    assert any(expected in problem for problem in problems)
