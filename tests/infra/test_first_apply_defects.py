"""The defects a first apply against AWS met, each replayed: the old code goes back into a copy of
today's stacks, and the check that guards it must fail on it, with its own message.

docs/infrastructure.md ("What a first apply met") lists the ten defects and where each check lives.
Seven are replayed here, by real Terraform:

- a `terraform test` run of the stack's own suite, on a copy with the old text planted back (the
  run's file keeps its other blocks, and only the guarding runs): the state bucket name, deletion
  protection, the final snapshot's name, the service secret's name, the parameter group of a major
  upgrade, the 5xx-ratio alarm, the deploy credentials' lifetime and the image the task definitions
  name;
- the network stack planned against the AWS emulator with the old security group description, its
  plan held to EC2's documented character set (tests/infra/plans/aws_rules.py);
- the AWS provider's own `aws_elb_service_account` data source in a region opened after August 2022.

A replay first checks that today's text is still there to replace, so it cannot pass by planting
nothing. The port-80 listener switch, the scratch volumes and the final snapshot's key are replayed
on plans and on the emulator by tests/infra/plans and `make infra-apply-test` (see the docs).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.infra.emulator import MotoServer, provider_override, client_environment
from tools.infra.terraform_cli import run_terraform

REPO = Path(__file__).resolve().parents[2]
PLANS_TESTS = REPO / "tests" / "infra" / "plans"
if str(PLANS_TESTS) not in sys.path:
    sys.path.insert(0, str(PLANS_TESTS))

from aws_rules import violations  # noqa: E402  (tests/infra/plans is not a package)
from plan_model import Plan  # noqa: E402

# Stacks whose suite runs the real provider against the emulator (terraform_checks.EMULATOR_TESTED).
EMULATOR_SUITES = {"database"}


@dataclass(frozen=True)
class Replay:
    """Old code planted back into one file of a stack, and the suite's run that must then fail."""

    defect: str
    stack: str
    file: str
    now: str
    old: str
    run: str
    message: str


REPLAYS = (
    Replay("state bucket name over 63 characters", "backend", "main.tf",
           "coalesce(var.state_bucket_name, local.derived_bucket_name)",
           'coalesce(var.state_bucket_name, "${var.project}-tfstate-${local.account_id}-${var.aws_region}")',
           "derived_bucket_name_fits_s3_rules_for_the_longest_inputs", "breaks S3's naming rules"),
    Replay("deletion protection that the documented teardown cannot turn off", "database", "rds.tf",
           "deletion_protection       = var.allow_destroy ? false : var.deletion_protection",
           "deletion_protection       = var.allow_destroy ? false : true",
           "deletion_protection_can_be_turned_off_without_losing_the_snapshot", "turns deletion protection off"),
    Replay("a fixed final snapshot name, taken on a second destroy", "database", "rds.tf",
           "final_snapshot_identifier = var.allow_destroy ? null : local.final_snapshot_identifier",
           'final_snapshot_identifier = var.allow_destroy ? null : "${local.identifier}-final"',
           "instance_is_private_encrypted_and_protected", "must carry the instance's creation time"),
    Replay("a fixed secret name, held for 30 days after a destroy", "database", "secrets.tf",
           'name_prefix             = "${var.project}/database/${var.service_username}-"',
           'name                    = "${var.project}/database/${var.service_username}"',
           # A fixed name leaves name_prefix to the provider (unknown at plan): the run cannot evaluate it.
           "service_secret_is_written_once_and_never_stored", "aws_secretsmanager_secret.service_user.name_prefix"),
    Replay("a major upgrade that deletes the parameter group in use", "database", "parameter-group.tf",
           "toset(concat([var.engine_major_version], var.retained_parameter_group_versions))",
           "toset([var.engine_major_version])",
           "major_upgrade_keeps_the_old_parameter_group", "the group of the version being left must stay"),
    Replay("a 5xx ratio with no data when no target is healthy", "ecs", "alarms.tf",
           '"IF((FILL(requests, 0) + FILL(lb503, 0)) >= ${var.alarm_5xx_min_requests}, 100 * (FILL(target5xx, 0) + '
           'FILL(lb5xx, 0)) / (FILL(requests, 0) + FILL(lb503, 0)), 0)"',
           '"IF(requests >= ${var.alarm_5xx_min_requests}, 100 * (FILL(target5xx, 0) + FILL(lb5xx, 0)) / requests, 0)"',
           "five_xx_ratio_alarm_judges_minutes_without_a_healthy_target", "Every series of the 5xx ratio must be filled"),
    Replay("deploy credentials shorter than the deploy job", "ecs", "github-oidc.tf",
           "max_session_duration = 7200", "max_session_duration = 3600",
           "github_deploy_role_trusts_exactly_this_repository_and_environment", "deploy job"),
    Replay("task definitions naming an image nobody pushed", "ecs", "locals.tf",
           "data.aws_ecs_container_definition.live[0].image", '"${local.repository_url}:bootstrap"',
           "task_definitions_run_the_deployed_image", "must run the image the live service runs"),
)  # fmt: skip


def _copy_terraform(destination: Path) -> Path:
    """terraform/ and config/ (which the stacks read) under DESTINATION, without working files."""
    ignore = shutil.ignore_patterns(".terraform", ".terraform-*", "*.tfstate", "*.tfstate.*", "environment")
    shutil.copytree(REPO / "terraform", destination / "terraform", ignore=ignore)
    shutil.copytree(REPO / "config", destination / "config")
    return destination / "terraform"


def _plant(path: Path, now: str, old: str) -> None:
    text = path.read_text()
    assert text.count(now) == 1, f"{path.name} no longer holds {now!r} once: this replay must follow the change"
    path.write_text(text.replace(now, old))


def top_level_blocks(text: str) -> list[str]:
    """The top-level blocks of a formatted HCL file, comments between them left out.

    terraform fmt (checked by make infra-check) starts each top-level block at column 0 and closes it
    with a lone `}` at column 0, which is all this needs.
    """
    blocks, current = [], None
    for line in text.splitlines(keepends=True):
        if current is None:
            if line[:1] not in ("", " ", "\t", "#", "\n") and line.rstrip().endswith("{"):
                current = [line]
            continue
        current.append(line)
        if line.rstrip() == "}":
            blocks.append("".join(current))
            current = None
    assert current is None, "unterminated block"
    return blocks


def keep_only_runs(test_file: Path, runs: set[str]) -> None:
    """Rewrite a .tftest.hcl file with its other blocks and only the named runs."""
    blocks = top_level_blocks(test_file.read_text())
    names = {match[1] for block in blocks if (match := re.match(r'run "([^"]+)"', block))}
    assert runs <= names, f"{test_file.name} has no run {sorted(runs - names)}"
    kept = [block for block in blocks if not block.startswith("run ") or re.match(r'run "([^"]+)"', block)[1] in runs]
    test_file.write_text("\n".join(kept))


def test_block_reader_keeps_every_run_of_a_suite():
    """The reader sees every run the suite declares (terraform_checks counts them the same way)."""
    text = (REPO / "terraform/ecs/tests/ecs.tftest.hcl").read_text()
    blocks = top_level_blocks(text)
    assert sum(block.startswith("run ") for block in blocks) == len(re.findall(r'^run "', text, re.MULTILINE)) > 50
    assert "".join(blocks).count("{") == "".join(blocks).count("}")


@pytest.mark.parametrize("replay", REPLAYS, ids=lambda replay: f"{replay.stack}-{replay.run}")
def test_old_code_fails_the_check_that_guards_it(replay, tmp_path):
    root = _copy_terraform(tmp_path)
    stack = root / replay.stack
    _plant(stack / replay.file, replay.now, replay.old)
    for suite in (stack / "tests").glob("*.tftest.hcl"):
        if replay.run in suite.read_text():
            keep_only_runs(suite, {replay.run})
        else:
            suite.unlink()
    run_terraform(["init", "-backend=false", "-input=false", "-no-color", "-lockfile=readonly"], stack)
    if replay.stack in EMULATOR_SUITES:
        with MotoServer(tmp_path / "emulator") as server:
            result = run_terraform(["test", "-no-color"], stack, extra_env=client_environment(server), check=False)
    else:
        result = run_terraform(["test", "-no-color"], stack, check=False)
    output = result.stdout + result.stderr
    # Terraform wraps its messages to the terminal's width; compare them with spaces made single.
    flat = " ".join(output.split())
    run_failed = re.search(rf'run "{replay.run}"\.\.\. fail', output) is not None
    errors = flat[flat.find("Error:"):] if "Error:" in flat else flat[-600:]
    print(f"\n[{replay.defect}] {replay.stack}/{replay.file} planted back: terraform test exit {result.returncode}, "
          f"run {replay.run} {'failed' if run_failed else 'did NOT fail'}: {errors[:700]}")
    assert result.returncode == 1 and run_failed, output
    assert replay.message in flat, output


def test_old_security_group_description_breaks_ec2s_rule_in_a_real_plan(tmp_path):
    """The network stack, planned by the real provider against the emulator (which accepts the
    apostrophe), with the description it had: the plan-level rule names EC2's character set."""
    root = _copy_terraform(tmp_path)
    stack = root / "network"
    _plant(stack / "security-groups.tf", '"ECS tasks of the service; rules are added by the database and ecs stacks"',
           "\"The service's ECS tasks; rules are added by the database and ecs stacks\"")
    with MotoServer(tmp_path / "emulator") as server:
        (stack / "emulator_override.tf").write_text(
            "\n".join(["terraform {", '  backend "local" {}', "}", *provider_override(server.url, None)]) + "\n")
        environment = client_environment(server)
        run_terraform(["init", "-input=false", "-no-color", "-lockfile=readonly"], stack, extra_env=environment)
        run_terraform(["plan", "-input=false", "-no-color", "-lock=false", "-out=old.tfplan"], stack, extra_env=environment)
        shown = run_terraform(["show", "-json", "old.tfplan"], stack, extra_env=environment).stdout
    problems = violations(Plan(json.loads(shown), "network-old-description"))
    print("\n[security group description] network planned with the old description:\n" + "\n".join(problems))
    assert any("aws_security_group.tasks" in problem and "'" in problem for problem in problems), problems


def test_the_providers_elb_account_data_source_fails_in_a_newer_region(tmp_path):
    """Why the stack carries its own table: the provider's data source, as the old code used it, fails
    the plan in a region opened after August 2022 (read from the provider's built-in list; no call)."""
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "ap-southeast-4"\n  access_key = "test"\n  secret_key = "test"\n'
        "  skip_credentials_validation = true\n  skip_requesting_account_id = true\n  skip_metadata_api_check = true\n}\n"
        'data "aws_elb_service_account" "current" {}\n'
        'output "account" {\n  value = data.aws_elb_service_account.current.id\n}\n')
    shutil.copyfile(REPO / "terraform/network/.terraform.lock.hcl", tmp_path / ".terraform.lock.hcl")
    (tmp_path / "versions.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = ">= 5.100, < 7.0"\n    }\n  }\n}\n')
    offline = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    run_terraform(["init", "-input=false", "-no-color", "-lockfile=readonly"], tmp_path, extra_env=offline)
    result = run_terraform(["plan", "-input=false", "-no-color"], tmp_path, extra_env=offline, check=False)
    print("\n[elb service account] the provider's data source in ap-southeast-4:\n" + result.stderr.strip())
    assert result.returncode == 1, result.stdout
    assert "unsupported AWS Region: ap-southeast-4" in result.stderr, result.stderr
