"""The operator's way in, checked on the ecs stack as applied: ECS Exec only into the admin task's
container, every session encrypted and logged, and the permission held by the operator role alone.

Each check takes a Plan and returns the problems it finds (empty: it holds). The IAM documents are the
JSON Terraform rendered, as AWS receives it.
"""

from __future__ import annotations

import json

from plan_model import Plan

ADMIN_CONTAINER = "orders-admin"
EXEC_AGENT_ACTIONS = {"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                      "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}
# Actions that accept no narrower resource than "*" (AWS's service authorization reference); every
# other action of these policies must name its resources.
UNSCOPED = EXEC_AGENT_ACTIONS | {"logs:DescribeLogGroups", "ecs:ListTasks"}


def _statements(document: dict) -> list[dict]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _list(value) -> list:
    """A policy field as a list: IAM allows one value or a list; an absent field is an empty list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_exec_is_the_admin_tasks_alone(plan: Plan) -> list[str]:
    """Exec off in the service; the cluster encrypts and logs sessions; the admin task runs the exec role."""
    problems: list[str] = []
    if plan.resource("aws_ecs_service.service").values.get("enable_execute_command"):
        problems.append("the service's tasks start with ECS Exec on")
    key = plan.resource("aws_kms_key.exec").values.get("arn")
    group = plan.resource("aws_cloudwatch_log_group.exec").values
    settings = ((plan.resource("aws_ecs_cluster.service").values.get("configuration") or [{}])[0]
                .get("execute_command_configuration") or [{}])[0]
    logging = (settings.get("log_configuration") or [{}])[0]
    if settings.get("kms_key_id") != key or settings.get("logging") != "OVERRIDE":
        problems.append(f"the cluster's exec channel is not encrypted with the exec key and logged: {settings}")
    if not logging.get("cloud_watch_encryption_enabled") or logging.get("cloud_watch_log_group_name") != group.get("name"):
        problems.append(f"sessions are not logged to the encrypted exec log group: {logging}")
    if group.get("kms_key_id") != key:
        problems.append("the exec log group is not encrypted with the exec key")
    admin_role = plan.resource("aws_iam_role.admin_task").values.get("arn")
    if plan.resource("aws_ecs_task_definition.admin").values.get("task_role_arn") != admin_role:
        problems.append("the admin task does not run with the exec role")
    if plan.resource("aws_ecs_task_definition.service").values.get("task_role_arn") == admin_role:
        problems.append("the service's tasks run with the exec role")
    return problems


def check_admin_task_role(plan: Plan) -> list[str]:
    """The admin task's role holds the exec agent's channel, the session log and the key: nothing else."""
    problems: list[str] = []
    group = plan.resource("aws_cloudwatch_log_group.exec").values.get("arn")
    key = plan.resource("aws_kms_key.exec").values.get("arn")
    allowed = {action: ["*"] for action in EXEC_AGENT_ACTIONS | {"logs:DescribeLogGroups"}}
    allowed |= {action: [f"{group}:*"] for action in ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")}
    allowed["kms:Decrypt"] = [key]
    granted: set[str] = set()
    for statement in _statements(plan.resource("aws_iam_role_policy.admin_task").policy("policy")):
        for action in _list(statement.get("Action")):
            granted.add(action)
            if action not in allowed:
                problems.append(f"the admin task's role grants {action}, which the exec agent does not need")
            elif sorted(_list(statement.get("Resource"))) != allowed[action]:
                problems.append(f"the admin task's role grants {action} on {statement.get('Resource')}, not {allowed[action]}")
    if missing := sorted(set(allowed) - granted):
        problems.append(f"the exec agent would lack {missing}")
    return problems


def check_operator_role(plan: Plan, principals: list[str]) -> list[str]:
    """Only the named principals assume it; ExecuteCommand only into the admin container of this
    cluster; RunTask only of the admin family in this cluster; PassRole only of the admin task's roles."""
    problems: list[str] = []
    cluster = plan.resource("aws_ecs_cluster.service").values.get("arn")
    cluster_tasks = cluster.replace(":cluster/", ":task/") + "/*"
    admin_family = plan.resource("aws_ecs_task_definition.admin").values.get("family")
    admin_roles = {plan.resource(f"aws_iam_role.{name}").values.get("arn") for name in ("admin_execution", "admin_task")}
    role = plan.resource("aws_iam_role.operator[0]")
    for statement in _statements(role.policy("assume_role_policy")):
        if sorted(_list((statement.get("Principal") or {}).get("AWS"))) != sorted(principals) or _list(statement.get("Action")) != ["sts:AssumeRole"]:
            problems.append(f"the operator role trusts {statement.get('Principal')} for {statement.get('Action')}, not {principals}")
    executes = 0
    for statement in _statements(plan.resource("aws_iam_role_policy.operator[0]").policy("policy")):
        actions, resources = _list(statement.get("Action")), _list(statement.get("Resource"))
        conditions = statement.get("Condition") or {}
        if any("*" in action for action in actions):
            problems.append(f"statement {statement.get('Sid')} grants a wildcard action {actions}")
        if "*" in resources and set(actions) - UNSCOPED:
            problems.append(f"statement {statement.get('Sid')} grants {actions} on every resource")
        if "ecs:ExecuteCommand" in actions:
            executes += 1
            if _list((conditions.get("StringEquals") or {}).get("ecs:container-name")) != [ADMIN_CONTAINER]:
                problems.append(f"ecs:ExecuteCommand is not held to the {ADMIN_CONTAINER} container: {conditions}")
            if not set(resources) <= {cluster, cluster_tasks}:
                problems.append(f"ecs:ExecuteCommand reaches beyond this cluster: {resources}")
        if "ecs:RunTask" in actions:
            if resources != [cluster.split(":cluster/")[0] + f":task-definition/{admin_family}:*"]:
                problems.append(f"ecs:RunTask reaches other task definitions than the admin family: {resources}")
            if _list((conditions.get("ArnEquals") or {}).get("ecs:cluster")) != [cluster]:
                problems.append(f"ecs:RunTask is not held to this cluster: {conditions}")
        if "iam:PassRole" in actions and (not set(resources) <= admin_roles
                                          or _list((conditions.get("StringEquals") or {}).get("iam:PassedToService")) != ["ecs-tasks.amazonaws.com"]):
            problems.append(f"iam:PassRole goes beyond the admin task's roles to ECS: {resources} {conditions}")
    if executes != 1:
        problems.append(f"expected one statement allowing ecs:ExecuteCommand, found {executes}")
    return problems


def check_admin_task_secrets(plan: Plan) -> list[str]:
    """The admin task's AWS calls: API keys written under <project>/api-keys/ only, the service's own
    secret read and rewritten, its key used through Secrets Manager only; nothing else."""
    problems: list[str] = []
    project = plan.variable("project")
    service_secret = plan.resource("aws_ecs_task_definition.admin").values.get("container_definitions")
    secret_arn = next((variable["value"] for variable in json.loads(service_secret)[0]["environment"]
                       if variable["name"] == "SERVICE_DATABASE_SECRET_ID"), None)
    if not secret_arn:
        return ["the admin container has no SERVICE_DATABASE_SECRET_ID, so rotate-service-password cannot run"]
    prefix = secret_arn.split(":secret:")[0]
    allowed = {
        "secretsmanager:CreateSecret": [f"{prefix}:secret:{project}/api-keys/*"],
        "ssm:PutParameter": [prefix.replace(":secretsmanager:", ":ssm:") + f":parameter/{project}/api-keys/*"],
        "secretsmanager:GetSecretValue": [secret_arn],
    }
    granted: dict[str, list[list[str]]] = {}
    for statement in _statements(plan.resource("aws_iam_role_policy.admin_task_secrets").policy("policy")):
        resources = sorted(_list(statement.get("Resource")))
        for action in _list(statement.get("Action")):
            granted.setdefault(action, []).append(resources)
            if action.startswith("kms:"):
                via = _list((statement.get("Condition") or {}).get("StringEquals", {}).get("kms:ViaService"))
                if action not in ("kms:Decrypt", "kms:GenerateDataKey") or len(via) != 1 or not via[0].startswith("secretsmanager."):
                    problems.append(f"the admin task's role grants {action} beyond Secrets Manager's use of the key: {statement.get('Condition')}")
            elif action == "secretsmanager:PutSecretValue":
                if not set(resources) <= {allowed["secretsmanager:CreateSecret"][0], secret_arn}:
                    problems.append(f"the admin task may write secret values in {resources}")
            elif action not in allowed:
                problems.append(f"the admin task's role grants {action}, which neither keys create nor the rotation needs")
            elif resources != allowed[action]:
                problems.append(f"the admin task's role grants {action} on {resources}, not {allowed[action]}")
    if missing := sorted((set(allowed) | {"secretsmanager:PutSecretValue", "kms:GenerateDataKey"}) - set(granted)):
        problems.append(f"the admin task's commands would lack {missing}")
    return problems
