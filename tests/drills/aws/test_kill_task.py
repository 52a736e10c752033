"""scripts/drills/kill-task.sh against moto: arguments, refusals, the calls it makes and in what order.

moto never replaces a stopped task, so on its own the drill must end in failure ("no healthy
replacement"). One test plays ECS itself, starting a replacement task and registering it as a
target, to check that the script recognises one; that tests the script, not ECS.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from conftest import CLUSTER, SCRIPTS, SERVICE, build_service, calls, operations, run_script, start_task

SCRIPT = "kill-task.sh"
READS = ["ecs describe-services", "ecs list-tasks", "ecs describe-tasks"]


def task_status(clients: dict, arn: str) -> str:
    return clients["ecs"].describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["lastStatus"]


def test_help_names_every_option(environment):
    result = run_script(SCRIPT, ["--help"], environment)
    assert result.returncode == 0
    for option in ("--cluster", "--service", "--task", "--timeout", "--poll", "--dry-run", "--yes"):
        assert option in result.stdout
    assert calls(environment) == []


@pytest.mark.parametrize(
    "arguments",
    [[], ["--cluster", CLUSTER], ["--service", SERVICE], ["--cluster", "", "--service", SERVICE]],
    ids=["no names", "cluster only", "service only", "empty cluster"],
)
def test_refuses_without_both_names_and_calls_nothing(environment, arguments):
    result = run_script(SCRIPT, arguments, environment)
    assert result.returncode == 2
    assert "--cluster and --service are both required" in result.stderr
    assert calls(environment) == []


def test_refuses_unknown_arguments(environment):
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--force"], environment)
    assert result.returncode == 2
    assert "unknown argument: --force" in result.stderr
    assert calls(environment) == []


def test_unknown_service_fails_before_acting(environment, clients):
    build_service(clients)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", "no-such-service", "--yes"], environment)
    assert result.returncode == 1
    assert "no service no-such-service" in result.stderr
    assert "ecs stop-task" not in operations(environment)


def test_dry_run_shows_the_plan_and_stops_nothing(environment, clients):
    stage = build_service(clients)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--dry-run"], environment)
    assert result.returncode == 0, result.stderr
    assert "Plan (kill-task drill)" in result.stderr
    victim = sorted(stage["tasks"])[0]
    assert victim in result.stderr
    assert "dry run: nothing was stopped" in result.stderr
    assert operations(environment) == READS
    assert all(task_status(clients, arn) == "RUNNING" for arn in stage["tasks"])


@pytest.mark.parametrize("answer", ["n\n", "", "maybe\n"], ids=["no", "no terminal input", "unclear"])
def test_without_a_yes_nothing_is_stopped(environment, clients, answer):
    stage = build_service(clients)
    result = run_script(SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE], environment, stdin=answer)
    assert result.returncode == 3
    assert "not confirmed: nothing was changed" in result.stderr
    assert operations(environment) == READS
    assert all(task_status(clients, arn) == "RUNNING" for arn in stage["tasks"])


def test_a_task_outside_the_service_is_refused(environment, clients):
    build_service(clients)
    result = run_script(
        SCRIPT, ["--cluster", CLUSTER, "--service", SERVICE, "--task", "0123456789abcdef", "--yes"], environment
    )
    assert result.returncode == 1
    assert "is not a RUNNING task of service" in result.stderr
    assert "ecs stop-task" not in operations(environment)


def test_stops_the_chosen_task_then_fails_when_no_replacement_appears(environment, clients):
    """moto replaces nothing: the drill must stop exactly one task and then report the missing replacement."""
    stage = build_service(clients)
    victim = sorted(stage["tasks"])[1]
    result = run_script(
        SCRIPT,
        ["--cluster", CLUSTER, "--service", SERVICE, "--task", victim.rsplit("/", 1)[1], "--yes", "--timeout", "3", "--poll", "1"],
        environment,
    )
    assert result.returncode == 1
    assert "NO HEALTHY REPLACEMENT within 3s" in result.stderr
    made = operations(environment)
    assert made[:4] == READS + ["ecs stop-task"]
    stop = calls(environment)[3]
    assert stop[stop.index("--cluster") + 1] == CLUSTER
    assert stop[stop.index("--task") + 1] == victim
    assert "failure drill" in stop[stop.index("--reason") + 1]
    assert made.count("ecs stop-task") == 1
    assert set(made[4:]) <= {"ecs describe-services", "ecs list-tasks"}
    assert task_status(clients, victim) == "STOPPED"
    others = [arn for arn in stage["tasks"] if arn != victim]
    assert all(task_status(clients, arn) == "RUNNING" for arn in others)


def test_recognises_a_healthy_replacement_that_the_test_starts(environment, clients):
    """The test plays ECS (moto will not): once the task is stopped it starts another and registers
    its address. The script must see it RUNNING and healthy and finish with success."""
    stage = build_service(clients)
    process = subprocess.Popen(
        [str(SCRIPTS / SCRIPT), "--cluster", CLUSTER, "--service", SERVICE, "--yes", "--timeout", "60", "--poll", "1"],
        env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "ecs stop-task" not in operations(environment):
            assert time.monotonic() < deadline, "the script never stopped a task"
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        replacement = start_task(clients, stage["live"], stage["network"], stage["target_group"])
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert f"replacement {replacement.rsplit('/', 1)[1]} RUNNING" in stderr
    assert "healthy behind the load balancer" in stderr
    assert "elbv2 describe-target-health" in operations(environment)
