"""scripts/drills/bad-deploy.sh against moto: arguments, refusals, the broken copy, the calls in order.

moto does not run the deployment, so its circuit breaker never fires and the drill's own
deployment never shows up in describe-services. Against moto the drill must therefore end the way
it ends on AWS when rollback fails: say so loudly, point the service back at the live revision by
hand, deregister its revision and exit 1. That is the path these tests can prove; the path where
ECS rolls back is the one only a real AWS run shows (docs/drills.md).
"""

from __future__ import annotations

import pytest

from conftest import APP_PORT, CLUSTER, CONTAINER, SERVICE, build_service, calls, operations, run_script

SCRIPT = "bad-deploy.sh"
PLAN_READS = ["ecs describe-services", "ecs describe-task-definition"]


def service_task_definition(clients: dict) -> str:
    return clients["ecs"].describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["taskDefinition"]


def revisions(clients: dict) -> list[str]:
    return clients["ecs"].list_task_definitions(familyPrefix="orders-service", status="ACTIVE")["taskDefinitionArns"]


def test_help_names_every_option(environment):
    result = run_script(SCRIPT, ["--help"], environment)
    assert result.returncode == 0
    for option in ("--cluster", "--service", "--timeout", "--poll", "--dry-run", "--yes"):
        assert option in result.stdout
    assert calls(environment) == []


@pytest.mark.parametrize(
    "arguments",
    [[], ["--cluster", CLUSTER], ["--service", SERVICE], ["--service", SERVICE, "--cluster", ""]],
    ids=["no names", "cluster only", "service only", "empty cluster"],
)
def test_refuses_without_both_names_and_calls_nothing(environment, arguments):
    result = run_script(SCRIPT, arguments, environment)
    assert result.returncode == 2
    assert "--cluster and --service are both required" in result.stderr
    assert calls(environment) == []


def test_refuses_a_bad_timeout(environment):
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--timeout", "soon"], environment)
    assert result.returncode == 2
    assert calls(environment) == []


def test_dry_run_shows_the_change_and_registers_nothing(environment, clients):
    stage = build_service(clients)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--dry-run"], environment)
    assert result.returncode == 0, result.stderr
    assert "Plan (bad-deploy drill)" in result.stderr
    assert f'container "{CONTAINER}" gets HTTP_PORT={APP_PORT + 1}' in result.stderr
    assert "nothing was registered or deployed" in result.stderr
    assert operations(environment) == PLAN_READS
    assert revisions(clients) == [stage["live"]]
    assert service_task_definition(clients) == stage["live"]


def test_refuses_a_service_whose_circuit_breaker_does_not_roll_back(environment, clients):
    build_service(clients, rollback=False)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--yes"], environment)
    assert result.returncode == 1
    assert "no deployment circuit breaker with rollback" in result.stderr
    assert operations(environment) == ["ecs describe-services"]


def test_refuses_while_a_deployment_is_in_progress(environment, clients):
    # moto reports two running tasks; a service that wants three is still deploying.
    build_service(clients, desired=3)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--yes"], environment)
    assert result.returncode == 1
    assert "a deployment is in progress" in result.stderr
    assert operations(environment) == ["ecs describe-services"]


@pytest.mark.parametrize("answer", ["n\n", ""], ids=["no", "no terminal input"])
def test_without_a_yes_nothing_is_registered(environment, clients, answer):
    stage = build_service(clients)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE], environment, stdin=answer)
    assert result.returncode == 3
    assert operations(environment) == PLAN_READS
    assert revisions(clients) == [stage["live"]]


def test_without_rollback_from_ecs_it_restores_by_hand_loudly_and_fails(environment, clients):
    """moto never rolls back: the drill must take the failure path and leave the service as it was."""
    stage = build_service(clients)
    live = stage["live"]
    result = run_script(
        SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--yes", "--timeout", "3", "--poll", "1"], environment
    )
    assert result.returncode == 1
    assert "ECS DID NOT ROLL BACK within 3s" in result.stderr
    assert "Restoring BY HAND" in result.stderr

    made = operations(environment)
    assert made[:4] == PLAN_READS + ["ecs register-task-definition", "ecs update-service"]
    assert made[-2:] == ["ecs update-service", "ecs deregister-task-definition"]
    assert set(made[4:-2]) == {"ecs describe-services"}, "only polling between the deploy and the restore"
    updates = [call for call in calls(environment) if call[:2] == ["ecs", "update-service"]]
    bad = updates[0][updates[0].index("--task-definition") + 1]
    assert bad != live and bad.rsplit(":", 1)[0] == live.rsplit(":", 1)[0], "a new revision of the same family"
    assert updates[1][updates[1].index("--task-definition") + 1] == live
    deregister = calls(environment)[-1]
    assert deregister[deregister.index("--task-definition") + 1] == bad

    # The service is back on the live revision, the drill's revision is inactive.
    assert service_task_definition(clients) == live
    assert revisions(clients) == [live]

    # The copy differs from the live revision in the service container's HTTP_PORT (and the drill's
    # label) only: same image, same roles, same everything else.
    ecs = clients["ecs"]
    original = ecs.describe_task_definition(taskDefinition=live)["taskDefinition"]
    copy = ecs.describe_task_definition(taskDefinition=bad)["taskDefinition"]
    for key in ("family", "networkMode", "cpu", "memory", "executionRoleArn", "taskRoleArn", "requiresCompatibilities"):
        assert copy[key] == original[key], key
    by_name = {c["name"]: c for c in copy["containerDefinitions"]}
    originals = {c["name"]: c for c in original["containerDefinitions"]}
    assert by_name["collector"] == originals["collector"]
    service_copy, service_original = by_name[CONTAINER], originals[CONTAINER]
    environment_copy = {e["name"]: e["value"] for e in service_copy["environment"]}
    environment_original = {e["name"]: e["value"] for e in service_original["environment"]}
    assert environment_copy.pop("HTTP_PORT") == str(APP_PORT + 1)
    assert environment_original.pop("HTTP_PORT") == str(APP_PORT)
    assert environment_copy == environment_original
    assert service_copy["dockerLabels"] == {"cloud-app-platform.drill": "bad-deploy"}
    for key in ("image", "portMappings", "healthCheck", "stopTimeout", "essential"):
        assert service_copy[key] == service_original[key], key


def test_the_copy_skips_a_port_the_container_already_uses(environment, clients):
    """When the port above the checked one is the metrics port, the copy moves one further."""
    ecs = clients["ecs"]
    stage = build_service(clients)
    definition = ecs.describe_task_definition(taskDefinition=stage["live"])["taskDefinition"]
    for container in definition["containerDefinitions"]:
        if container["name"] == CONTAINER:
            container["environment"] = [
                {"name": "HTTP_PORT", "value": str(APP_PORT)},
                {"name": "METRICS_PORT", "value": str(APP_PORT + 1)},
            ]
    keep = ("family", "networkMode", "requiresCompatibilities", "cpu", "memory", "executionRoleArn", "taskRoleArn", "containerDefinitions")
    revised = ecs.register_task_definition(**{k: definition[k] for k in keep})["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=revised)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--dry-run"], environment)
    assert result.returncode == 0, result.stderr
    assert f"HTTP_PORT={APP_PORT + 2}" in result.stderr
