"""What `up` and `down` check before they change anything, each failure with what to do about it."""

from __future__ import annotations

import json
import platform
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tools.platform.aws import Aws
from tools.platform.process import CommandFailed, Runner

MINIMUM_TERRAFORM = (1, 11)
# The ecs stack's cpu_architecture, as Docker names the platform.
DOCKER_PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}
HOST_PLATFORMS = {"x86_64": "linux/amd64", "amd64": "linux/amd64", "aarch64": "linux/arm64", "arm64": "linux/arm64"}


@dataclass
class Checks:
    """The outcome: lines to print, failures that stop the run, warnings that do not."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def ok(self, line: str) -> None:
        """A prerequisite that is met."""
        self.lines.append(f"  ok    {line}")

    def fail(self, line: str) -> None:
        """A prerequisite that is not met: the run stops before changing anything."""
        self.failures.append(line)
        self.lines.append(f"  FAIL  {line}")

    def warn(self, line: str) -> None:
        """Something worth knowing that does not stop the run."""
        self.warnings.append(line)
        self.lines.append(f"  warn  {line}")


def committed_value(path: Path, name: str) -> str | None:
    """A simple `name = "value"` (or bare value) of a committed variables file."""
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == name:
            return value.split("#")[0].strip().strip('"')
    return None


def check_environment_files(checks: Checks, root: Path, environment: str) -> None:
    """The environment's three committed files exist, and name a repository other than the example's."""
    directory = root / "environments" / environment
    missing = [stack for stack in ("network", "database", "ecs") if not (directory / f"{stack}.tfvars").exists()]
    if missing:
        known = sorted(path.name for path in (root / "environments").iterdir() if path.is_dir())
        checks.fail(f"terraform/environments/{environment}/ lacks {', '.join(f'{m}.tfvars' for m in missing)} "
                    f"(environments here: {', '.join(known)}; docs/environments.md, 'A new environment')")
        return
    checks.ok(f"environment files terraform/environments/{environment}/")
    if committed_value(directory / "ecs.tfvars", "github_owner") == "example-org":
        checks.warn(f"terraform/environments/{environment}/ecs.tfvars still names github_owner example-org: "
                    "the deploy role would trust that repository's jobs, not your fork's")


def check_terraform(checks: Checks, runner: Runner, binary: str) -> None:
    """Terraform is on PATH, at 1.11 or newer."""
    if not shutil.which(binary):
        checks.fail("terraform is not on PATH: install Terraform >= 1.11 (developer.hashicorp.com/terraform/install)")
        return
    version = json.loads(runner.run([binary, "version", "-json"], label="terraform-version").stdout)["terraform_version"]
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if found < MINIMUM_TERRAFORM:
        checks.fail(f"terraform {version}: the stacks need >= 1.11 (S3 state locking without DynamoDB)")
    else:
        checks.ok(f"terraform {version}")


def check_aws(checks: Checks, aws: Aws) -> None:
    """The AWS CLI has credentials; the account and identity they belong to are printed."""
    try:
        caller = aws.caller()
    except (CommandFailed, FileNotFoundError) as failed:
        first = str(failed).splitlines()[0]
        checks.fail(f"no usable AWS credentials ({first}): configure the AWS CLI v2 "
                    "(aws configure sso, or AWS_PROFILE) for the account this environment goes to")
        return
    checks.ok(f"AWS account {caller.account} as {caller.arn}")


def check_docker(checks: Checks, runner: Runner, docker: list[str], target: str, local_image: str | None) -> None:
    """Docker answers; for a build, Buildx with a builder for TARGET, and a word on emulated builds."""
    try:
        runner.run([*docker, "version", "--format", "{{.Server.Version}}"], label="docker-version")
    except (CommandFailed, FileNotFoundError):
        checks.fail("Docker does not answer: start Docker (the first image is built and pushed with it)")
        return
    if local_image:
        try:
            runner.run([*docker, "image", "inspect", local_image], label="docker-image-inspect")
            checks.ok(f"Docker, with the local image {local_image}")
        except CommandFailed:
            checks.fail(f"--image {local_image}: Docker has no such image")
        return
    try:
        builders = runner.run([*docker, "buildx", "inspect", "--bootstrap"], label="docker-buildx").stdout
    except CommandFailed:
        checks.fail("docker buildx is missing: install the Buildx plugin (docs.docker.com/build/)")
        return
    if target not in builders:
        checks.fail(f"the Buildx builder cannot build {target}: install QEMU's binfmt handlers "
                    "(docker run --privileged --rm tonistiigi/binfmt --install all) or use a builder on that architecture")
        return
    host = HOST_PLATFORMS.get(platform.machine().lower(), platform.machine())
    checks.ok(f"Docker Buildx builds {target}")
    if host != target:
        checks.warn(f"this machine is {host}: the {target} image is built under emulation, which takes long "
                    "(half an hour or more for this service). Faster: set cpu_architecture to match this "
                    "machine for the first image, or build on a native machine and pass --image")


def check_github(checks: Checks, runner: Runner, gh: list[str]) -> None:
    """The GitHub CLI answers and is logged in (it names the repository from the checkout's remote)."""
    try:
        runner.run([*gh, "auth", "status"], label="gh-auth-status")
        checks.ok("GitHub CLI logged in")
    except (CommandFailed, FileNotFoundError):
        checks.fail("the GitHub CLI is missing or not logged in: install gh and run `gh auth login`")
