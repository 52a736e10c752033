"""What the platform command asks AWS and Docker directly: the caller, the image in ECR, the admin
task on ECS, a secret's existence. Each is a small class with the same methods as its stand-in
(tools/platform/stand_ins.py), so a run against the AWS emulator swaps only what the emulator lacks.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from tools.platform.process import CommandFailed, Runner

GITHUB_OIDC_URL = "token.actions.githubusercontent.com"
# The admin task: one container, started by hand, which exits when its command is done.
ADMIN_TASK_TIMEOUT_SECONDS = 900


class StepFailed(Exception):
    """A step could not finish; the message says what to look at."""


@dataclass
class Caller:
    """Whose credentials the run uses."""

    account: str
    arn: str


class Aws:
    """The AWS CLI (`aws`, or the command in AWS_CLI) with the caller's credentials."""

    def __init__(self, runner: Runner, command: list[str] | None = None):
        self.runner = runner
        self.command = command or ["aws"]

    def call(self, *arguments: str, accept: tuple[int, ...] = (0,), input_text: str | None = None) -> str:
        """aws ARGUMENTS --output json; its standard output."""
        return self.runner.run([*self.command, *arguments, "--output", "json"], accept=accept,
                               input_text=input_text, label=f"aws-{arguments[0]}-{arguments[1]}").stdout

    def caller(self) -> Caller:
        """The account and identity of the credentials in use (sts get-caller-identity)."""
        answer = json.loads(self.call("sts", "get-caller-identity"))
        return Caller(answer["Account"], answer["Arn"])

    def github_oidc_provider(self) -> str | None:
        """The account's OIDC provider for GitHub's tokens, if one exists (an account has one per URL)."""
        answer = json.loads(self.call("iam", "list-open-id-connect-providers"))
        for provider in answer.get("OpenIDConnectProviderList", []):
            if provider["Arn"].endswith(f"oidc-provider/{GITHUB_OIDC_URL}"):
                return provider["Arn"]
        return None

    def service_image(self, outputs: dict[str, object]) -> str | None:
        """The image of the service's current task definition (None when there is no service)."""
        answer = json.loads(self.call("ecs", "describe-services", "--cluster", str(outputs["cluster_name"]),
                                      "--services", str(outputs["service_name"])))
        services = [service for service in answer.get("services", []) if service.get("status") == "ACTIVE"]
        if not services:
            return None
        definition = json.loads(self.call("ecs", "describe-task-definition", "--task-definition",
                                          services[0]["taskDefinition"]))["taskDefinition"]
        return definition["containerDefinitions"][0]["image"]

    def secret_exists(self, name: str) -> bool:
        """Whether Secrets Manager has a secret of that name."""
        try:
            self.call("secretsmanager", "describe-secret", "--secret-id", name)
            return True
        except CommandFailed as failed:
            if "ResourceNotFoundException" in str(failed):
                return False
            raise


class EcrImages:
    """The environment's images in ECR: reuse the commit's image, or push it (built here, or local)."""

    name = "ECR"

    def __init__(self, aws: Aws, runner: Runner, docker: list[str] | None = None):
        self.aws = aws
        self.runner = runner
        self.docker = docker or ["docker"]

    def digest(self, repository_url: str, tag: str) -> str | None:
        """The digest the tag names in the repository, or None."""
        name = repository_url.split("/", 1)[1]
        try:
            answer = json.loads(self.aws.call("ecr", "describe-images", "--repository-name", name,
                                              "--image-ids", f"imageTag={tag}"))
        except CommandFailed as failed:
            if "ImageNotFoundException" in str(failed):
                return None
            raise
        return answer["imageDetails"][0]["imageDigest"]

    def login(self, repository_url: str) -> None:
        """docker login to the repository's registry with an ECR token."""
        password = self.aws.runner.run([*self.aws.command, "ecr", "get-login-password"], label="aws-ecr-login").stdout
        self.runner.run([*self.docker, "login", "--username", "AWS", "--password-stdin", repository_url.split("/")[0]],
                        input_text=password, label="docker-login")

    def push(self, repository_url: str, tag: str, local_image: str | None, build: BuildSpec | None) -> str:
        """Push the commit's image under TAG (LOCAL_IMAGE as it is, or built from BUILD); its digest."""
        self.login(repository_url)
        reference = f"{repository_url}:{tag}"
        if local_image:
            push_local_image(self.runner, self.docker, local_image, reference)
        else:
            assert build is not None
            self.runner.run(build.command(self.docker, reference), label="docker-build", timeout=7200)
        return pushed_digest(self.digest(repository_url, tag), reference, "ECR")


def push_local_image(runner: Runner, docker: list[str], local_image: str, reference: str) -> None:
    """Tag a local image as REFERENCE and push it."""
    runner.run([*docker, "tag", local_image, reference], label="docker-tag")
    runner.run([*docker, "push", reference], label="docker-push", timeout=1800)


def pushed_digest(digest: str | None, reference: str, registry: str) -> str:
    """The digest the registry lists for a push, which must exist."""
    if digest is None:
        raise StepFailed(f"{reference} was pushed, but {registry} does not list it")
    return digest


@dataclass
class BuildSpec:
    """How the service's image is built for the environment: docs/deploy.md's command."""

    context: str
    platform: str
    revision: str

    def command(self, docker: list[str], reference: str) -> list[str]:
        """The docker buildx command that builds the image for the platform and pushes it as REFERENCE."""
        return [*docker, "buildx", "build", "--platform", self.platform, "--provenance=false", "--sbom=false",
                "--build-arg", f"VERSION={self.revision}", "--build-arg", f"REVISION={self.revision}",
                "--tag", reference, "--push", self.context]


class EcsAdminTask:
    """The admin task on ECS: run-task with the stack's network configuration, wait, read its exit code."""

    name = "ECS"

    def __init__(self, aws: Aws):
        self.aws = aws

    def run(self, outputs: dict[str, object], command: str | None = None) -> str:
        """Run the admin task (its default command, or COMMAND as its shell line); what it ended with."""
        cluster = str(outputs["cluster_name"])
        arguments = ["ecs", "run-task", "--cluster", cluster, "--task-definition", str(outputs["admin_task_family"]),
                     "--launch-type", "FARGATE", "--network-configuration",
                     str(outputs["admin_run_task_network_configuration"])]
        if command:
            overrides = {"containerOverrides": [{"name": str(outputs["admin_container_name"]), "command": [command]}]}
            arguments += ["--overrides", json.dumps(overrides)]
        answer = json.loads(self.aws.call(*arguments))
        if not answer.get("tasks"):
            raise StepFailed(f"ECS started no admin task: {answer.get('failures')}")
        task = answer["tasks"][0]["taskArn"]
        deadline = time.monotonic() + ADMIN_TASK_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            described = json.loads(self.aws.call("ecs", "describe-tasks", "--cluster", cluster, "--tasks", task))
            current = described["tasks"][0]
            if current.get("lastStatus") == "STOPPED":
                code = current["containers"][0].get("exitCode")
                if code != 0:
                    raise StepFailed(f"the admin task {task} stopped with exit code {code} "
                                     f"({current.get('stoppedReason', 'no reason given')}); its log is in "
                                     f"{outputs.get('log_group_name')}, stream prefix admin")
                return f"task {task.rsplit('/', 1)[-1]} exited 0"
            time.sleep(10)
        raise StepFailed(f"the admin task {task} did not stop within {ADMIN_TASK_TIMEOUT_SECONDS} s")


class EcsService:
    """Waiting for the service's tasks: ECS's services-stable waiter."""

    name = "ECS"

    def __init__(self, aws: Aws):
        self.aws = aws

    def wait_stable(self, outputs: dict[str, object]) -> str:
        """Wait until ECS reports the service stable (its tasks running the deployed revision)."""
        self.aws.runner.run([*self.aws.command, "ecs", "wait", "services-stable", "--cluster", str(outputs["cluster_name"]),
                             "--services", str(outputs["service_name"])], label="aws-ecs-wait", timeout=1800)
        return "ECS reports the service stable"
