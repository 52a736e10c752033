"""The build runner's architecture: chosen from a repository variable, then checked twice.

runs-on cannot read an environment's variables; build-runner.sh turns the repository variable
CPU_ARCHITECTURE into a runner label for the build job's runs-on, and check-architecture.sh makes the
build job fail when the runner it landed on, or the environment's live task definition, has another
architecture. check-variables.sh names every variable a job lacks before anything happens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow_support import ROOT, FakeCli, option, run_script

BUILD_RUNNER = ROOT / "scripts" / "deploy" / "build-runner.sh"
CHECK_ARCHITECTURE = ROOT / "scripts" / "deploy" / "check-architecture.sh"
CHECK_VARIABLES = ROOT / "scripts" / "deploy" / "check-variables.sh"


def outputs(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def choose(tmp_path: Path, *arguments: str):
    output = tmp_path / "github-output"
    result = run_script(["bash", str(BUILD_RUNNER), *arguments], {"GITHUB_OUTPUT": str(output)})
    return result, outputs(output)


@pytest.mark.parametrize(
    ("architecture", "runner", "platform"),
    [("X86_64", "ubuntu-24.04", "linux/amd64"), ("ARM64", "ubuntu-24.04-arm", "linux/arm64")],
)
def test_runner_follows_the_architecture(architecture, runner, platform, tmp_path: Path):
    result, written = choose(tmp_path, "--cpu-architecture", architecture, "--runner", "")
    assert result.returncode == 0, result.stderr
    assert written == [f"runner={runner}", f"platform={platform}", f"cpu-architecture={architecture}"]


def test_a_runner_of_ones_own_replaces_githubs(tmp_path: Path):
    result, written = choose(tmp_path, "--cpu-architecture", "ARM64", "--runner", "graviton-builder")
    assert result.returncode == 0, result.stderr
    assert written[0] == "runner=graviton-builder"


@pytest.mark.parametrize(
    ("case", "arguments", "message"),
    [
        # The failure this script exists for: the variable lives on an environment, so this job
        # (like runs-on) reads it as empty. It must fail loudly, never fall back to x86.
        ("variable only on an environment", ["--cpu-architecture", ""], "is not set as a repository variable"),
        ("unknown architecture", ["--cpu-architecture", "amd64"], "must be X86_64 or ARM64"),
        ("a label that is an expression", ["--cpu-architecture", "ARM64", "--runner", "${{ vars.X }}"],
         "one runner label"),
    ],
)
def test_runner_choice_refuses(case, arguments, message, tmp_path: Path):
    result, written = choose(tmp_path, *arguments)
    assert result.returncode == 1, f"{case}: {result.stdout}"
    assert message in result.stderr
    assert written == [], "no runner may be chosen on a refusal"


def check(fake_aws: FakeCli, tmp_path: Path, architecture: str, runner_arch: str | None):
    output = tmp_path / "github-output"
    arguments = ["--cpu-architecture", architecture, "--task-family", "orders-service"]
    if runner_arch is not None:
        arguments += ["--runner-arch", runner_arch]
    result = run_script(["bash", str(CHECK_ARCHITECTURE), *arguments],
                        {**fake_aws.env(), "GITHUB_OUTPUT": str(output)})
    return result, outputs(output)


@pytest.mark.parametrize(
    ("live", "architecture", "runner_arch", "platform"),
    [
        ("X86_64", "X86_64", "X64", "linux/amd64"),
        ("ARM64", "ARM64", "ARM64", "linux/arm64"),
        ("None", "X86_64", None, "linux/amd64"),  # no runtimePlatform: ECS runs X86_64
    ],
)
def test_architecture_agrees(live, architecture, runner_arch, platform, fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecs describe-task-definition": [{"stdout": live}]})
    result, written = check(fake_aws, tmp_path, architecture, runner_arch)
    assert result.returncode == 0, result.stderr
    assert written == [f"platform={platform}"]
    call = fake_aws.calls_to("ecs describe-task-definition")[0]
    assert option(call, "--task-definition") == "orders-service"


@pytest.mark.parametrize(
    ("case", "live", "architecture", "runner_arch", "message"),
    [
        # The documented setup's failure: ARM64 tasks, the build on an x86 runner.
        ("ARM64 image on an x86 runner", "ARM64", "ARM64", "X64", "built under emulation"),
        ("x86 image on an ARM64 runner", "X86_64", "X86_64", "ARM64", "built under emulation"),
        ("task definition drifted", "X86_64", "ARM64", "ARM64", "runs X86_64, but the pipeline builds for ARM64"),
        ("32-bit runner", "X86_64", "X86_64", "X86", "cannot build for ECS"),
        ("unknown architecture", "X86_64", "amd64", None, "must be X86_64 or ARM64"),
    ],
)
def test_architecture_disagrees(case, live, architecture, runner_arch, message, fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecs describe-task-definition": [{"stdout": live}]})
    result, written = check(fake_aws, tmp_path, architecture, runner_arch)
    assert result.returncode == 1, f"{case}: {result.stderr}"
    assert message in result.stderr
    assert written == []


def test_architecture_check_fails_when_the_family_cannot_be_read(fake_aws: FakeCli, tmp_path: Path):
    fake_aws.plan({"ecs describe-task-definition": [{"exit": 254, "stderr": "An error occurred (ClientException)"}]})
    result, _ = check(fake_aws, tmp_path, "X86_64", None)
    assert result.returncode == 1 and "could not describe task definition family" in result.stderr


def test_check_variables_names_every_missing_one():
    result = run_script(["bash", str(CHECK_VARIABLES), "AWS_REGION", "ECS_CLUSTER", "SERVICE_URL"],
                        {"AWS_REGION": "eu-west-1", "SERVICE_URL": ""})
    assert result.returncode == 1
    assert "::error::" in result.stdout and "ECS_CLUSTER SERVICE_URL" in result.stdout
    assert "AWS_REGION" not in result.stdout.split("environment or the repository):")[1]


def test_check_variables_passes_when_all_are_set():
    result = run_script(["bash", str(CHECK_VARIABLES), "AWS_REGION"], {"AWS_REGION": "eu-west-1"})
    assert result.returncode == 0 and "all set" in result.stdout
