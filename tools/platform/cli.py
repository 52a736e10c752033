"""`python3 -m tools.platform up|down ENVIRONMENT`: see tools/platform/__init__.py."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Callable

from tools.platform.aws import Aws, BuildSpec, EcrImages, EcsAdminTask, EcsService, StepFailed
from tools.platform.github import GitHubSettings
from tools.platform.prerequisites import (
    DOCKER_PLATFORMS, Checks, check_aws, check_docker, check_environment_files, check_github, check_terraform,
    committed_value,
)  # fmt: skip
from tools.platform.process import CommandFailed, Runner
from tools.platform.steps import Down, Parts, PlanOnly, Progress, Up, UpOptions, git_revision
from tools.platform.terraform import Terraform

REPOSITORY = Path(__file__).resolve().parents[2]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The command line: up, github or down, an environment, and their options."""
    parser = argparse.ArgumentParser(prog="python3 -m tools.platform",
                                     description="Bring an environment up from nothing, or take it down.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="apply every stack, deploy the first image, create the first API key")
    up.add_argument("environment", help="a directory of terraform/environments/ (staging, production, ...)")
    up.add_argument("--plan", action="store_true", help="print each stack's plan and apply nothing")
    up.add_argument("--image", metavar="LOCAL_IMAGE",
                    help="push this local image as the first image instead of building one")
    up.add_argument("--promote-from", metavar="ENVIRONMENT",
                    help="the environment whose tested images this one deploys (production: staging)")
    github = commands.add_parser("github", help="set the GitHub environment's variables and smoke-test secret "
                                 "from the environment's outputs (GitHub CLI)")
    github.add_argument("environment")
    github.add_argument("--promote-from", metavar="ENVIRONMENT",
                        help="the environment whose repository this one copies images from")
    down = commands.add_parser("down", help="destroy the environment's stacks (the account's state bucket stays)")
    down.add_argument("environment")
    down.add_argument("--delete-data", action="store_true",
                      help="no final snapshot: the database, its backups and its key go too")
    parser.add_argument("--terraform-root", type=Path, default=REPOSITORY / "terraform", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def github_cli() -> list[str]:
    """The GitHub CLI (`gh`, or the command in GH_CLI)."""
    return shlex.split(os.environ.get("GH_CLI", "gh"))


def real_parts(terraform: Terraform, runner: Runner) -> Parts:
    """The parts that talk to AWS itself."""
    aws = Aws(runner, shlex.split(os.environ.get("AWS_CLI", "aws")))
    docker = shlex.split(os.environ.get("DOCKER", "docker"))
    return Parts(terraform, aws, EcrImages(aws, runner, docker), EcsAdminTask(aws), EcsService(aws))


def prerequisites(arguments: argparse.Namespace, parts: Parts, runner: Runner) -> Checks:
    """Every prerequisite of the command, checked before anything changes."""
    checks = Checks()
    root = parts.terraform.root
    check_environment_files(checks, root, arguments.environment)
    check_terraform(checks, runner, parts.terraform.binary)
    check_aws(checks, parts.aws)
    if arguments.command == "github":
        check_github(checks, runner, github_cli())
    if arguments.command == "up" and not arguments.plan and not checks.failures:
        architecture = committed_value(root / "environments" / arguments.environment / "ecs.tfvars",
                                       "cpu_architecture") or "X86_64"
        docker = getattr(parts.images, "docker", ["docker"])
        check_docker(checks, runner, docker, DOCKER_PLATFORMS.get(architecture, "linux/amd64"), arguments.image)
    return checks


def main(argv: list[str] | None = None,
         make_parts: Callable[[Terraform, Runner], Parts] = real_parts,
         print_line: Callable[[str], None] = print) -> int:
    """Run the platform command; 0 when done, 1 when a step failed, 2 when a prerequisite is missing, 130 when interrupted."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    root: Path = arguments.terraform_root
    runner = Runner(REPOSITORY / "out" / "platform" / arguments.environment, say=print_line)
    terraform = Terraform(root, arguments.environment, runner)
    parts = make_parts(terraform, runner)
    terraform = parts.terraform
    verb = "plan" if getattr(arguments, "plan", False) else arguments.command
    print_line(f"==> {verb} {arguments.environment} (logs: {runner.log_dir})")
    checks = prerequisites(arguments, parts, runner)
    print_line("prerequisites:\n" + "\n".join(checks.lines))
    if checks.failures:
        print_line(f"stopped before changing anything: {len(checks.failures)} prerequisite(s) not met")
        return 2
    progress = Progress(0, print_line)
    try:
        if verb == "plan":
            progress.total = 4
            PlanOnly(terraform, progress).run()
            print_line("nothing was applied.\n" + progress.table())
            return 0
        if verb == "up":
            revision = git_revision(REPOSITORY)
            architecture = committed_value(terraform.variables_file("ecs"), "cpu_architecture") or "X86_64"
            build = BuildSpec(str(REPOSITORY / "app"), DOCKER_PLATFORMS.get(architecture, "linux/amd64"), revision)
            up = Up(parts, UpOptions(arguments.environment, revision, build, arguments.image, arguments.promote_from),
                    progress)
            progress.total = len(Up.STEPS)
            outputs = up.run()
            print_line(f"{arguments.environment} is up:\n{progress.table()}\n"
                       f"  service URL:   {outputs.get('service_url')}\n"
                       f"  first API key: Secrets Manager secret {up.key_secret()}; read it with\n"
                       f"    aws secretsmanager get-secret-value --secret-id {up.key_secret()} "
                       "--query SecretString --output text")
            return 0
        if verb == "github":
            progress.total = 1
            key_secret = Up(parts, UpOptions(arguments.environment, "", None), progress).key_secret()
            settings = GitHubSettings(terraform, parts.aws, runner, github_cli(), key_secret)
            progress.step("GitHub variables and secret", lambda: settings.apply(arguments.promote_from))
            print_line(f"{arguments.environment}: GitHub is set. Still a person's settings (docs/deploy.md, step 7): "
                       "the environment's branch rule (main only), production's required reviewers, and branch "
                       "protection of main")
            return 0
        down = Down(terraform, parts.aws, progress, arguments.delete_data)
        progress.total = len(Down.STEPS)
        kept = down.run()
        print_line(f"{arguments.environment} is down:\n{progress.table()}")
        for what, value in kept.items():
            print_line(f"  kept on purpose: {what} {value}")
        print_line("  the account's state bucket (terraform/backend) stays for the other environments; "
                   "docs/infrastructure.md, 'Teardown', removes it")
        return 0
    except KeyboardInterrupt:
        step = len(progress.done) + 1
        print_line(f"interrupted at step {step} of {progress.total}: run the same command again to continue")
        return 130
    except (CommandFailed, StepFailed) as failed:
        print_line(f"step {len(progress.done) + 1} of {progress.total} failed: {failed}\n"
                   "fix the cause and run the same command again: the steps already done are skipped")
        return 1
