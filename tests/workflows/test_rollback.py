"""Rolling back: roll-back-service.sh's verdicts on recorded ECS answers, and the rollback workflow's
check of what a person asked for (resolve-rollback-target.py).

The scene: the release of :42 completed but failed its smoke test; the deploy job (or a person) puts
the service back on :41. fixtures/update-service holds update-service's answer, fixtures/rollback the
describe-services answers that follow, one per poll, in the API's exact shape (test_fixture_shapes.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workflow_support import FIXTURES, ROOT, FakeCli, option, read_github_output, recorded, run_script

ROLL_BACK = ROOT / "scripts" / "deploy" / "roll-back-service.sh"
RESOLVE_TARGET = ROOT / "scripts" / "deploy" / "resolve-rollback-target.py"
TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:"
PREVIOUS = TD + "41"
ROLLBACK_DEPLOYMENT = "ecs-svc/2305843009213693951"
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
D41 = "sha256:" + "41" * 32
SHA41 = "1" * 40
NOT_FOUND = "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: not found"

# recording -> (update-service answer, exit code, verdict, words the verdict's line must contain)
EXPECTED = {
    "completed": ("rollback-to-41", 0, "COMPLETED", ["PASS", ROLLBACK_DEPLOYMENT, "orders-service:41", "2/2 tasks running"]),
    "already-running": ("already-on-41", 0, "COMPLETED", ["PASS", ROLLBACK_DEPLOYMENT]),
    # The old image is gone: the rollback's tasks cannot start, and ECS returns to the bad :42.
    "failed-circuit-breaker": ("rollback-to-41", 1, "FAILED", ["FAIL", "circuit breaker", "rolling back to", "orders-service:42"]),
    "still-in-progress": ("rollback-to-41", 4, "DEADLINE", ["FAIL", "still not COMPLETED after 1 s"]),
}


def roll_back(fake_aws: FakeCli, tmp_path: Path, arn: str = PREVIOUS, deadline: str = "30"):
    output = tmp_path / "rollback-output"
    result = run_script(
        ["bash", str(ROLL_BACK), "--cluster", "orders-service", "--service", "orders-service",
         "--task-definition-arn", arn, "--deadline-seconds", deadline, "--poll-seconds", "0.05"],
        {**fake_aws.env(), "GITHUB_OUTPUT": str(output)}, timeout=30,
    )
    return result, read_github_output(output)


def test_every_rollback_recording_has_an_expectation():
    assert {p.stem for p in (FIXTURES / "rollback").glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("recording", sorted(EXPECTED))
def test_rollback_verdict(recording: str, fake_aws: FakeCli, tmp_path: Path, capsys):
    update_answer, exit_code, verdict, words = EXPECTED[recording]
    fake_aws.plan({
        "ecs update-service": [{"stdout_json": recorded("update-service", f"{update_answer}.json")}],
        "ecs describe-services": [{"stdout_json": answer} for answer in recorded("rollback", f"{recording}.json")],
    })
    result, outputs = roll_back(fake_aws, tmp_path, deadline="1" if recording == "still-in-progress" else "30")
    final = result.stdout.strip().splitlines()[-1]
    with capsys.disabled():
        print(f"\n  [rollback {recording}] exit {result.returncode}: {final}")
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert outputs.get("verdict") == verdict
    assert outputs.get("deployment-id") == ROLLBACK_DEPLOYMENT
    for word in words:
        assert word in final, f"{word!r} missing from {final!r}"
    # One update-service, to exactly the revision it was given; then only looks at the service.
    updates = fake_aws.calls_to("ecs update-service")
    assert len(updates) == 1 and option(updates[0], "--task-definition") == PREVIOUS
    assert option(updates[0], "--service") == "orders-service" and option(updates[0], "--cluster") == "orders-service"
    assert {" ".join(call[:2]) for call in fake_aws.calls()} == {"ecs update-service", "ecs describe-services"}


def test_rollback_that_update_service_refuses_is_an_error(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecs update-service": [{"exit": 254, "stderr": "An error occurred (AccessDeniedException) when calling the UpdateService operation"}]})
    result, outputs = roll_back(fake_aws, tmp_path)
    assert result.returncode == 5
    assert "AccessDeniedException" in result.stderr
    assert fake_aws.calls_to("ecs describe-services") == [], "nothing to verify when nothing was started"
    assert outputs == {}


def test_rollback_whose_primary_runs_something_else_is_an_error(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecs update-service": [{"stdout_json": recorded("update-service", "rollback-to-41.json")}]})
    result, _ = roll_back(fake_aws, tmp_path, arn=TD + "40")
    assert result.returncode == 5 and "does not run" in result.stderr


def test_rollback_needs_a_revision_arn(fake_aws: FakeCli, tmp_path: Path):
    result, _ = roll_back(fake_aws, tmp_path, arn="orders-service:41")
    assert result.returncode == 1 and "not a task definition revision ARN" in result.stderr
    assert fake_aws.calls() == []


# ---------------------------------------------------------------------------------------------
# resolve-rollback-target.py


def resolve(fake_aws: FakeCli, tmp_path: Path, target: str):
    output = tmp_path / "target-output"
    result = run_script(
        [sys.executable, str(RESOLVE_TARGET), "--target", target, "--task-family", "orders-service",
         "--container-name", "orders-service", "--repository", "orders-service", "--registry", REGISTRY],
        {**fake_aws.env(), "GITHUB_OUTPUT": str(output)},
    )
    return result, read_github_output(output)


def revision_answers(revision: str, image: str = "release-41") -> dict:
    images = ([{"exit": 254, "stderr": NOT_FOUND}] if image == "gone"
              else [{"stdout_json": recorded("describe-images", f"{image}.json")}])
    return {"ecs describe-task-definition": [{"stdout_json": recorded("describe-task-definition", f"orders-service-{revision}.json")}],
            "ecr describe-images": images}


@pytest.mark.parametrize("target", ["41", "orders-service:41", PREVIOUS])
def test_a_revision_is_deployed_as_it_was(target, fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan(revision_answers("41"))
    result, outputs = resolve(fake_aws, tmp_path, target)
    assert result.returncode == 0, result.stdout
    assert outputs == {"mode": "revision", "task-definition-arn": PREVIOUS,
                       "image": f"{REGISTRY}/orders-service@{D41}", "digest": D41, "commit": SHA41}
    assert option(fake_aws.calls_to("ecs describe-task-definition")[0], "--task-definition") == "orders-service:41"
    assert option(fake_aws.calls_to("ecr describe-images")[0], "--image-ids") == f"imageDigest={D41}"


def test_a_digest_is_rendered_into_the_live_task_definition(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecr describe-images": [{"stdout_json": recorded("describe-images", "release-41.json")}]})
    result, outputs = resolve(fake_aws, tmp_path, D41)
    assert result.returncode == 0, result.stdout
    assert outputs == {"mode": "digest", "task-definition-arn": "", "image": f"{REGISTRY}/orders-service@{D41}",
                       "digest": D41, "commit": SHA41}
    assert option(fake_aws.calls_to("ecr describe-images")[0], "--repository-name") == "orders-service"


@pytest.mark.parametrize(
    ("case", "target", "plan", "exit_code", "words"),
    [
        ("another family", "orders-service-admin:3", {}, 1, "not a revision of the service's family"),
        ("a deregistered revision", "39", revision_answers("39-inactive", "release-40"), 1, "INACTIVE"),
        ("an image ECR no longer holds", "41", revision_answers("41", "gone"), 1, "ECR no longer holds"),
        ("a digest this repository lacks", D41, {"ecr describe-images": [{"exit": 254, "stderr": NOT_FOUND}]}, 1,
         "does not hold"),
        ("neither digest nor revision", "v1.2.3", {}, 1, "neither a digest"),
        ("a shell word", "41; rm -rf /", {}, 1, "neither a digest"),
        ("no such revision", "77",
         {"ecs describe-task-definition": [{"exit": 254, "stderr": "An error occurred (ClientException): Unable to describe task definition."}]},
         5, "could not check the target"),
    ],
)
def test_targets_that_cannot_be_deployed_are_refused(case, target, plan, exit_code, words, fake_aws: FakeCli,
                                                     tmp_path: Path):
    fake_aws.plan(plan)
    result, outputs = resolve(fake_aws, tmp_path, target)
    assert result.returncode == exit_code, f"{case}: {result.stdout}"
    assert words in result.stdout
    assert outputs == {}, "a refused target must not reach the deploy steps"
    if not plan:
        assert fake_aws.calls() == [], f"{case}: refused before asking AWS"
