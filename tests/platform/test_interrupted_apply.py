"""Ctrl-C while Terraform creates a resource, with real Terraform and its AWS provider.

Emulated: IAM (moto, through the project's emulator server). Real: Terraform and the AWS provider
from the mirror, the process groups and the signal. The server holds its answer to `CreateRole` for
HOLD_SECONDS after moto has made the role, and Ctrl-C comes in that window, as it did in a clean-clone
run of the platform rehearsal (docs/environments.md):

- left to Terraform's own stop (what the platform command did before), the call is cancelled, the
  role exists but no state holds it, and the next apply fails on it as already existing. This case
  shows the failure the platform command is built to avoid; if Terraform ever stops cancelling, it
  fails, and the design's reason is gone;
- the platform command's way (`finish_on_interrupt`), the apply finishes, the state holds the role,
  and the next apply has nothing to do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.platform.interrupt_driver import Driver
from tools.infra.emulator import MotoServer, client_environment
from tools.infra.terraform_cli import run_terraform, terraform_binary, terraform_environment

HOLD_SECONDS = 5
TERRAFORM_SECONDS = 300

# The project's emulator server, with each CreateRole's answer held once moto has made the role.
HOLDING_SERVER = f"""
import os, sys, time
from pathlib import Path
from tools.infra import emulator_server

made_by_moto = emulator_server._answer_request

def held(application, environ, start_response):
    body = environ["wsgi.input"].getvalue()
    answer = made_by_moto(application, environ, start_response)
    if b"Action=CreateRole" in body:
        Path(os.environ["ROLE_MADE_MARKER"]).write_text("made")
        time.sleep({HOLD_SECONDS})
    return answer

emulator_server._answer_request = held
emulator_server.main(sys.argv[1:])
"""

CONFIGURATION = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

resource "aws_iam_role" "probe" {
  name = "%s"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}
"""


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """One holding emulator server for the module's tests."""
    work = tmp_path_factory.mktemp("emulator")
    script = work / "holding_server.py"
    script.write_text(HOLDING_SERVER)
    marker = work / "role-made"
    with MotoServer(work, {"ROLE_MADE_MARKER": str(marker)}, [sys.executable, str(script)]) as server:
        yield server, marker


class Stack:
    """A directory with one IAM role's configuration, initialised against the emulator."""

    def __init__(self, work: Path, server: MotoServer, role: str):
        self.work = work
        self.role = role
        self.emulator_environment = client_environment(server)
        (work / "main.tf").write_text(CONFIGURATION % role)
        self.terraform("init", "-input=false", "-no-color", accept_failure=False)
        self.iam = boto3.client("iam", region_name="eu-west-1", endpoint_url=server.url,
                                verify=str(server.certificate), aws_access_key_id="test", aws_secret_access_key="test")

    def terraform(self, *arguments: str, accept_failure: bool = True) -> subprocess.CompletedProcess:
        """terraform ARGUMENTS in the stack's directory."""
        done = run_terraform(list(arguments), self.work, extra_env=self.emulator_environment,
                             timeout=TERRAFORM_SECONDS, check=False)
        assert accept_failure or done.returncode == 0, done.stdout + done.stderr
        return done

    def apply_interrupted(self, marker: Path, finish: bool) -> Driver:
        """`terraform apply` through Runner, Ctrl-C sent while the emulator holds CreateRole's answer."""
        marker.unlink(missing_ok=True)
        driver = Driver(self.work, [terraform_binary(), "apply", "-auto-approve", "-input=false", "-no-color"],
                        finish, terraform_environment(self.emulator_environment))
        try:
            driver.wait_for(marker.exists, "CreateRole reached the emulator", TERRAFORM_SECONDS)
            driver.ctrl_c()
            code, _ = driver.finish(TERRAFORM_SECONDS)
        finally:
            driver.stop()
        assert code == 130 and "driver: KeyboardInterrupt" in driver.said(), driver.said()
        return driver

    def role_exists(self) -> bool:
        """Whether the emulator holds the role."""
        return any(role["RoleName"] == self.role for role in self.iam.list_roles()["Roles"])

    def state(self) -> list[str]:
        """The addresses in the stack's state."""
        return self.terraform("state", "list").stdout.split()


def test_terraform_stopped_mid_create_leaves_the_role_outside_its_state(emulator, tmp_path: Path) -> None:
    server, marker = emulator
    stack = Stack(tmp_path, server, "interrupt-probe-stopped")
    driver = stack.apply_interrupted(marker, finish=False)
    assert "say:" not in driver.said(), driver.said()
    assert "Interrupt received" in driver.child_log(), driver.child_log()
    assert stack.role_exists(), "the emulator did not make the role"
    assert stack.state() == [], f"the state holds {stack.state()}"
    again = stack.terraform("apply", "-auto-approve", "-input=false", "-no-color")
    assert again.returncode != 0 and "EntityAlreadyExists" in again.stdout + again.stderr, again.stdout + again.stderr


def test_an_apply_left_to_finish_keeps_the_role_in_its_state(emulator, tmp_path: Path) -> None:
    server, marker = emulator
    stack = Stack(tmp_path, server, "interrupt-probe-finished")
    driver = stack.apply_interrupted(marker, finish=True)
    log = driver.child_log()
    assert "say: Ctrl-C: child is left to finish" in driver.said(), driver.said()
    assert "Interrupt received" not in log and "Apply complete! Resources: 1 added" in log, log
    assert stack.role_exists(), "the emulator did not make the role"
    assert stack.state() == ["aws_iam_role.probe"], f"the state holds {stack.state()}"
    again = stack.terraform("apply", "-auto-approve", "-input=false", "-no-color")
    assert again.returncode == 0 and "No changes" in again.stdout, again.stdout + again.stderr
