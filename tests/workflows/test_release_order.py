"""What an environment runs now (current-release.py), and the re-run guard (check-release-order.py).

Recorded ECS and ECR answers (fixtures/describe-services, describe-task-definition, describe-images)
stand for the environment; recorded GitHub REST answers (fixtures/github) for main and the comparison
of two commits. The scene of the guard: staging or production runs the release of :42 (commit
2222...), built after :41 (commit 1111...); main's newest commit is 3333....
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workflow_support import ROOT, FakeCli, option, read_github_output, recorded, run_script

CURRENT_RELEASE = ROOT / "scripts" / "deploy" / "current-release.py"
CHECK_ORDER = ROOT / "scripts" / "deploy" / "check-release-order.py"
TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders-service:"
SHA40, SHA41, SHA42, NEWEST = "0000000000000000000000000000000000000040", "1" * 40, "2" * 40, "3" * 40
D40, D41, D42 = ("sha256:" + n * 32 for n in ("40", "41", "42"))
REPOSITORY = "octo-org/orders"
NOT_FOUND = "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: not found"


def current_release(fake_aws: FakeCli, tmp_path: Path, *extra: str):
    output = tmp_path / "current-release-output"
    result = run_script(
        [sys.executable, str(CURRENT_RELEASE), "--cluster", "orders-service", "--service", "orders-service",
         "--container-name", "orders-service", *extra],
        {**fake_aws.env(), "GITHUB_OUTPUT": str(output)},
    )
    return result, read_github_output(output)


def environment_runs(fake_aws: FakeCli, revision: str, images: list[dict] | None = None) -> None:
    """Plan the AWS answers of a service whose PRIMARY deployment completed on `revision`."""
    service = recorded("describe-services", "completed.json")[0]
    deployment = service["services"][0]["deployments"][0]
    deployment["taskDefinition"] = service["services"][0]["taskDefinition"] = TD + revision.split("-")[0]
    fake_aws.plan({
        "ecs describe-services": [{"stdout_json": service}],
        "ecs describe-task-definition": [{"stdout_json": recorded("describe-task-definition", f"orders-service-{revision}.json")}],
        "ecr describe-images": images if images is not None else [{"stdout_json": recorded("describe-images", f"release-{revision.split('-')[0]}.json")}],
    })


def test_release_by_digest_is_traced_to_its_commit(fake_aws: FakeCli, tmp_path: Path):
    environment_runs(fake_aws, "42")
    result, outputs = current_release(fake_aws, tmp_path)
    assert result.returncode == 0, result.stdout
    assert outputs == {"task-definition-arn": TD + "42", "image": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-service@{D42}",
                       "digest": D42, "commit": SHA42, "rollout-state": "COMPLETED"}
    lookup = fake_aws.calls_to("ecr describe-images")[0]
    assert option(lookup, "--image-ids") == f"imageDigest={D42}"
    # Asked in the image's own registry and region, wherever this job's credentials point.
    assert option(lookup, "--registry-id") == "123456789012" and option(lookup, "--region") == "eu-west-1"
    assert option(fake_aws.calls_to("ecs describe-task-definition")[0], "--task-definition") == TD + "42"


def test_release_by_tag_gives_its_commit_and_digest(fake_aws: FakeCli, tmp_path: Path):
    environment_runs(fake_aws, "40-by-tag")
    result, outputs = current_release(fake_aws, tmp_path)
    assert result.returncode == 0, result.stdout
    assert outputs["commit"] == SHA40 and outputs["digest"] == D40


@pytest.mark.parametrize(
    ("case", "images"),
    [("image expired from ECR", [{"exit": 254, "stderr": NOT_FOUND}]),
     ("image without a commit tag", [{"stdout_json": recorded("describe-images", "untagged-41.json")}])],
)
def test_unknown_commit_is_empty_not_an_error(case, images, fake_aws: FakeCli, tmp_path: Path):
    environment_runs(fake_aws, "42", images)
    result, outputs = current_release(fake_aws, tmp_path)
    assert result.returncode == 0, f"{case}: {result.stdout}"
    assert outputs["commit"] == "" and outputs["task-definition-arn"] == TD + "42"
    assert "commit is unknown" in result.stdout or "commit unknown" in result.stdout


def test_expected_digest_passes_only_when_it_runs(fake_aws: FakeCli, tmp_path: Path):
    environment_runs(fake_aws, "42")
    result, outputs = current_release(fake_aws, tmp_path, "--expect-digest", D42)
    assert result.returncode == 0 and outputs["digest"] == D42
    (tmp_path / "other").mkdir()
    result, outputs = current_release(fake_aws, tmp_path / "other", "--expect-digest", D41)
    assert result.returncode == 1
    assert f"runs digest {D42}, not {D41}" in result.stdout
    assert outputs == {}, "a digest the environment does not run must never become a job output"


@pytest.mark.parametrize(
    ("case", "missing_service", "container"),
    [("missing service", True, "orders-service"), ("no such container", False, "orders-admin")],
)
def test_an_environment_that_cannot_be_read_is_an_error(case, missing_service, container, fake_aws: FakeCli,
                                                        tmp_path: Path):
    environment_runs(fake_aws, "42")
    if missing_service:
        fake_aws.plan({"ecs describe-services": [{"stdout_json": recorded("describe-services", "service-missing.json")[0]}]})
    output = tmp_path / "out"
    result = run_script(
        [sys.executable, str(CURRENT_RELEASE), "--cluster", "orders-service", "--service", "orders-service",
         "--container-name", container],
        {**fake_aws.env(), "GITHUB_OUTPUT": str(output)},
    )
    assert result.returncode == 5, f"{case}: {result.stdout}"
    assert "could not tell what orders-service runs" in result.stdout
    assert not output.exists()


# ---------------------------------------------------------------------------------------------
# check-release-order.py


def check_order(fake_gh: FakeCli, tmp_path: Path, commit: str, deployed: str):
    output = tmp_path / "order-output"
    result = run_script(
        [sys.executable, str(CHECK_ORDER), "--commit", commit, "--deployed-commit", deployed,
         "--environment", "production", "--repository", REPOSITORY, "--branch", "main"],
        {**fake_gh.env("GH_CLI"), "GITHUB_OUTPUT": str(output)},
    )
    return result, read_github_output(output)


def github_answers(comparison: str | None = None, base: str = "", head: str = "") -> dict:
    plan = {f"api repos/{REPOSITORY}/commits/main": [{"stdout_json": recorded("github", "commit-main.json")}]}
    if comparison:
        plan[f"api repos/{REPOSITORY}/compare/{base}...{head}"] = [{"stdout_json": recorded("github", f"compare-{comparison}.json")}]
    return plan


def test_rerun_of_an_old_run_is_refused(fake_gh: FakeCli, tmp_path: Path):
    """"Re-run all jobs" on the run of 1111... while production runs the newer 2222...: refused."""
    fake_gh.plan(github_answers("behind", SHA42, SHA41))
    result, outputs = check_order(fake_gh, tmp_path, commit=SHA41, deployed=SHA42)
    assert result.returncode == 1, result.stdout
    assert outputs["verdict"] == "REFUSED"
    assert "1 commit(s) newer than 111111111111" in outputs["reason"] and "rollback workflow" in outputs["reason"]
    print(f"\n  {result.stdout.strip()}")


@pytest.mark.parametrize(
    ("case", "commit", "deployed", "comparison", "compared", "words"),
    [
        ("the newest commit of main", NEWEST, SHA42, None, False, "is the newest commit of main"),
        ("newest of main, running commit unknown", NEWEST, "", None, False, "is the newest commit of main"),
        ("a commit ahead of the running one", SHA42, SHA41, "ahead", True, "1 commit(s) ahead of 111111111111"),
        ("the commit that already runs", SHA42, SHA42, None, False, "already runs 222222222222"),
    ],
)
def test_forward_deploys_are_allowed(case, commit, deployed, comparison, compared, words, fake_gh: FakeCli, tmp_path: Path):
    fake_gh.plan(github_answers(comparison, deployed, commit))
    result, outputs = check_order(fake_gh, tmp_path, commit=commit, deployed=deployed)
    assert result.returncode == 0, f"{case}: {result.stdout}"
    assert outputs["verdict"] == "ALLOWED" and words in outputs["reason"]
    assert bool([c for c in fake_gh.calls() if "/compare/" in c[1]]) == compared


@pytest.mark.parametrize(
    ("case", "commit", "deployed", "plan", "words"),
    [
        ("running commit unknown, not the newest", SHA41, "", github_answers(), "cannot be told"),
        ("histories diverged", "4" * 40, SHA42, github_answers("diverged", SHA42, "4" * 40), "not in the history"),
        ("GitHub cannot be asked", SHA41, SHA42,
         {f"api repos/{REPOSITORY}/commits/main": [{"exit": 1, "stderr": "HTTP 401: Bad credentials"}]},
         "refusing to guess"),
        ("the comparison fails", SHA41, SHA42,
         {**github_answers(), f"api repos/{REPOSITORY}/compare/{SHA42}...{SHA41}": [{"exit": 1, "stderr": "HTTP 404"}]},
         "refusing to guess"),
    ],
)
def test_everything_else_is_refused(case, commit, deployed, plan, words, fake_gh: FakeCli, tmp_path: Path):
    fake_gh.plan(plan)
    result, outputs = check_order(fake_gh, tmp_path, commit=commit, deployed=deployed)
    assert result.returncode == 1, f"{case}: {result.stdout}"
    assert outputs["verdict"] == "REFUSED" and words in outputs["reason"]


def test_commits_must_be_full_shas(fake_gh: FakeCli, tmp_path: Path):
    result, _ = check_order(fake_gh, tmp_path, commit="main", deployed="")
    assert result.returncode == 2 and "full commit SHA" in result.stderr
    assert fake_gh.calls() == []


def test_rerun_guard_end_to_end(fake_aws: FakeCli, fake_gh: FakeCli, tmp_path: Path):
    """The two steps as the workflow chains them: what production runs, then the guard's verdict."""
    environment_runs(fake_aws, "42")
    described, before = current_release(fake_aws, tmp_path)
    assert described.returncode == 0
    fake_gh.plan(github_answers("behind", before["commit"], SHA41))
    result, outputs = check_order(fake_gh, tmp_path, commit=SHA41, deployed=before["commit"])
    assert (result.returncode, outputs["verdict"]) == (1, "REFUSED")
    fake_gh.plan(github_answers())
    result, outputs = check_order(fake_gh, tmp_path, commit=NEWEST, deployed=before["commit"])
    assert (result.returncode, outputs["verdict"]) == (0, "ALLOWED")
