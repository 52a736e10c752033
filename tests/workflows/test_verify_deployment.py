"""The rollback verification against recorded `describe-services` answers.

Each fixture under fixtures/describe-services/ is a recorded sequence of describe-services outputs;
the fake AWS CLI answers one per poll and repeats the last. The script must pass exactly on the
completed ones and fail, naming the cause, on every other one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from workflow_support import FIXTURES, ROOT, FakeCli, run_script

SCRIPT = ROOT / "scripts" / "deploy" / "verify-deployment.py"
DESCRIBE_SERVICES = FIXTURES / "describe-services"
OURS = "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:42"
# Polls 0.05 s apart so a test takes seconds. The deadline case gets 1 s; every other recording ends
# in a verdict, so its generous deadline is never reached (each fake call costs a Python start-up).
POLL_SECONDS = "0.05"
SHORT_DEADLINE = "1"
LONG_DEADLINE = "30"

# fixture -> (exit code, verdict, words the final line must contain)
EXPECTED = {
    "completed": (0, "COMPLETED", ["PASS", "ecs-svc/6917529027641081855", "2/2 tasks running"]),
    "in-progress-then-completed": (0, "COMPLETED", ["PASS", "ecs-svc/6917529027641081855"]),
    "failed-circuit-breaker": (1, "FAILED", ["FAIL", "circuit breaker", "rolling back to", "orders-service:41"]),
    "rolled-back-alarm": (3, "ROLLED BACK", ["FAIL", "runs arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:41", "gone from the service"]),
    "replaced-by-newer-deployment": (3, "ROLLED BACK", ["FAIL", "orders-service:43", "ACTIVE IN_PROGRESS"]),
    "in-progress-past-deadline": (4, "DEADLINE", ["FAIL", "still not COMPLETED after 1 s", "--deadline-seconds"]),
    "service-missing": (5, "ERROR", ["FAIL", "MISSING"]),
}


def recorded(name: str) -> list[dict]:
    return json.loads((DESCRIBE_SERVICES / f"{name}.json").read_text())


def verify(fake_aws: FakeCli, fixture: str, tmp_path: Path, *extra: str):
    deadline = SHORT_DEADLINE if fixture == "in-progress-past-deadline" else LONG_DEADLINE
    fake_aws.plan({"ecs describe-services": [{"stdout_json": answer} for answer in recorded(fixture)]})
    github_output = tmp_path / "github-output"
    command = [
        sys.executable, str(SCRIPT),
        "--cluster", "orders-service", "--service", "orders-service",
        "--task-definition-arn", OURS,
        "--poll-seconds", POLL_SECONDS, "--deadline-seconds", deadline,
        *extra,
    ]
    result = run_script(command, {**fake_aws.env(), "GITHUB_OUTPUT": str(github_output)}, timeout=30)
    outputs = dict(
        line.split("=", 1) for line in (github_output.read_text().splitlines() if github_output.exists() else [])
    )
    return result, outputs


def test_every_fixture_has_an_expectation():
    on_disk = {path.stem for path in DESCRIBE_SERVICES.glob("*.json")}
    assert on_disk == set(EXPECTED), "a fixture without an expected verdict is not tested"


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_verdict(fixture: str, fake_aws: FakeCli, tmp_path: Path, capsys):
    exit_code, verdict, words = EXPECTED[fixture]
    result, outputs = verify(fake_aws, fixture, tmp_path)
    final = result.stdout.strip().splitlines()[-1]
    with capsys.disabled():
        print(f"\n  [{fixture}] exit {result.returncode}: {final}")
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert outputs.get("verdict") == verdict
    for word in words:
        assert word in final, f"{word!r} missing from {final!r}"
    # Every poll asked about this one service, and nothing else was called.
    calls = fake_aws.calls()
    assert calls, "the script never called the AWS CLI"
    for call in calls:
        assert call[:2] == ["ecs", "describe-services"]
        assert call[call.index("--cluster") + 1] == "orders-service"
        assert call[call.index("--services") + 1] == "orders-service"


def test_in_progress_polls_until_completed(fake_aws: FakeCli, tmp_path: Path):
    result, outputs = verify(fake_aws, "in-progress-then-completed", tmp_path)
    assert result.returncode == 0
    # Five recorded answers: four IN_PROGRESS progress lines, then the verdict on the fifth.
    assert len(fake_aws.calls()) == len(recorded("in-progress-then-completed"))
    assert result.stdout.count("IN_PROGRESS: running") == 4
    assert outputs["deployment-id"] == "ecs-svc/6917529027641081855"


def test_deadline_case_keeps_polling_until_the_deadline(fake_aws: FakeCli, tmp_path: Path):
    result, _ = verify(fake_aws, "in-progress-past-deadline", tmp_path)
    assert result.returncode == 4
    # It looked again and again (each look costs a process start) until the deadline, not just once.
    assert len(fake_aws.calls()) >= 2


def test_failure_shows_the_service_events(fake_aws: FakeCli, tmp_path: Path):
    result, _ = verify(fake_aws, "failed-circuit-breaker", tmp_path)
    assert "deployment failed: tasks failed to start" in result.stdout


def test_deployment_id_selects_the_deployment(fake_aws: FakeCli, tmp_path: Path):
    # Named, the PRIMARY deployment that completed is judged: a pass, reported under its id.
    result, outputs = verify(fake_aws, "completed", tmp_path, "--deployment-id", "ecs-svc/6917529027641081855")
    assert result.returncode == 0, result.stdout
    assert outputs["deployment-id"] == "ecs-svc/6917529027641081855"


def test_deployment_id_is_judged_even_when_another_would_pass(fake_aws: FakeCli, tmp_path: Path):
    # The id names the ACTIVE deployment of the previous revision (:41), next to this run's failing
    # PRIMARY one: the script judges the one named, and it runs another revision, so that is an error.
    # Without the id it would have judged the PRIMARY deployment and said FAILED (exit 1).
    named, _ = verify(fake_aws, "failed-circuit-breaker", tmp_path, "--deployment-id", "ecs-svc/4611686018427387903")
    assert named.returncode == 5, named.stdout
    assert "runs arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:41" in named.stdout
    (tmp_path / "unnamed").mkdir()
    unnamed, _ = verify(fake_aws, "failed-circuit-breaker", tmp_path / "unnamed")
    assert unnamed.returncode == 1, unnamed.stdout


def test_an_unknown_deployment_id_falls_back_to_the_revision(fake_aws: FakeCli, tmp_path: Path):
    # The named deployment is not there, and the PRIMARY one is ours by task definition: COMPLETED
    # still holds only because PRIMARY runs this run's revision.
    result, outputs = verify(fake_aws, "completed", tmp_path, "--deployment-id", "ecs-svc/1")
    assert result.returncode == 0
    assert outputs["deployment-id"] == "ecs-svc/1"


def test_completed_for_another_revision_is_not_a_pass(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecs describe-services": [{"stdout_json": recorded("completed")[0]}]})
    result = run_script(
        [sys.executable, str(SCRIPT), "--cluster", "orders-service", "--service", "orders-service",
         "--task-definition-arn", OURS.replace(":42", ":99"), "--poll-seconds", "0.05", "--deadline-seconds", "1"],
        fake_aws.env(),
    )
    assert result.returncode == 3, result.stdout


def test_aws_errors_are_retried_then_reported(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecs describe-services": [
        {"exit": 254, "stderr": "An error occurred (ThrottlingException) when calling the DescribeServices operation: Rate exceeded"},
    ]})
    result = run_script(
        [sys.executable, str(SCRIPT), "--cluster", "orders-service", "--service", "orders-service",
         "--task-definition-arn", OURS, "--poll-seconds", "0.05", "--deadline-seconds", "5"],
        fake_aws.env(),
    )
    assert result.returncode == 5
    assert len(fake_aws.calls()) == 3
    assert "ThrottlingException" in result.stdout


def test_help_explains_the_deadline():
    result = run_script([sys.executable, str(SCRIPT), "--help"], {})
    assert result.returncode == 0
    assert "bake time" in result.stdout and "AWS_CLI" in result.stdout
