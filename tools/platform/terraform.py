"""Terraform in one environment: each stack in the environment's workspace, with its committed file.

Each environment keeps its own working directory per stack (TF_DATA_DIR=.terraform-<environment>)
and names its workspace in TF_WORKSPACE, so two environments can be brought up side by side from one
checkout without touching each other's working directory. The backend stack is the account's, in
the default workspace, with local state.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tools.platform.process import Runner

# What `terraform apply` prints last, and the line that says a plan has nothing to do.
_SUMMARY = re.compile(r"(Apply complete! Resources: \d+ added, \d+ changed, \d+ destroyed|"
                      r"Destroy complete! Resources: \d+ destroyed|Plan: \d+ to add, \d+ to change, \d+ to destroy|No changes)")
# Stacks that read earlier stacks' state take state.tfvars (the backend stack's state_tfvars output).
READS_STATE = ("database", "ecs")
# Terraform commands that change infrastructure or state: the first Ctrl-C lets them finish.
CHANGING_COMMANDS = ("apply", "destroy", "import", "state")


class Terraform:
    """`terraform` in the stacks of ROOT (terraform/), for ENVIRONMENT."""

    def __init__(self, root: Path, environment: str, runner: Runner, binary: str = "terraform"):
        self.root = root
        self.environment = environment
        self.runner = runner
        self.binary = binary
        self._initialised: set[str] = set()

    # --- What a stack's commands need ------------------------------------------------------------------

    def _env(self, stack: str, workspace: str | None = None) -> dict[str, str]:
        if stack == "backend":
            return {"TF_DATA_DIR": ".terraform", "TF_IN_AUTOMATION": "1", "TF_WORKSPACE": "default"}
        # This environment's working directory; WORKSPACE reads another environment's state through it.
        return {"TF_DATA_DIR": f".terraform-{self.environment}", "TF_IN_AUTOMATION": "1",
                "TF_WORKSPACE": workspace or self.environment}

    def variables_file(self, stack: str) -> Path:
        """terraform/environments/<environment>/<stack>.tfvars."""
        return self.root / "environments" / self.environment / f"{stack}.tfvars"

    def _var_arguments(self, stack: str, variables: dict[str, object] | None) -> list[str]:
        if stack == "backend":
            arguments = []
        else:
            arguments = ["-var-file=../state.tfvars"] if stack in READS_STATE else []
            arguments.append(f"-var-file=../environments/{self.environment}/{stack}.tfvars")
        for name, value in (variables or {}).items():
            text = value if isinstance(value, str) else json.dumps(value)
            arguments.append(f"-var={name}={text}")
        return arguments

    def extra_arguments(self, stack: str) -> list[str]:
        """Arguments added to every plan and apply of STACK: none here (a stand-in may add some)."""
        return []

    def run(self, stack: str, arguments: list[str], *, accept: tuple[int, ...] = (0,), timeout: float = 3600,
            workspace: str | None = None) -> str:
        """terraform ARGUMENTS in the stack's directory; its standard output. A command that changes
        infrastructure or state is left to finish on the first Ctrl-C (tools/platform/process.py)."""
        return self.runner.run([self.binary, *arguments], cwd=self.root / stack, env=self._env(stack, workspace),
                               accept=accept, timeout=timeout, label=f"{stack}-{arguments[0]}",
                               finish_on_interrupt=arguments[0] in CHANGING_COMMANDS).stdout

    # --- Commands -------------------------------------------------------------------------------------

    def init(self, stack: str) -> None:
        """init (the backend stack with local state, the others with ../backend.hcl) and the workspace."""
        if stack in self._initialised:
            return
        environment = self._env(stack)
        arguments = ["init", "-input=false", "-no-color"]
        if stack != "backend":
            arguments.append("-backend-config=../backend.hcl")
            # TF_WORKSPACE must name a workspace that exists for init to finish; create it first.
            self.runner.run([self.binary, *arguments], cwd=self.root / stack,
                            env={**environment, "TF_WORKSPACE": "default"}, label=f"{stack}-init")
            workspaces = self.runner.run([self.binary, "workspace", "list"], cwd=self.root / stack,
                                         env={**environment, "TF_WORKSPACE": "default"}, label=f"{stack}-workspaces").stdout
            if environment["TF_WORKSPACE"] not in re.findall(r"[\w.-]+", workspaces):
                # Terraform lets TF_WORKSPACE name only the workspace being created.
                self.runner.run([self.binary, "workspace", "new", environment["TF_WORKSPACE"]], cwd=self.root / stack,
                                env=environment, label=f"{stack}-workspace-new")
        else:
            self.runner.run([self.binary, *arguments], cwd=self.root / stack, env=environment, label=f"{stack}-init")
        self._initialised.add(stack)

    def apply(self, stack: str, variables: dict[str, object] | None = None) -> str:
        """apply -auto-approve; Terraform's summary line."""
        self.init(stack)
        output = self.run(stack, ["apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=120s",
                                  *self._var_arguments(stack, variables), *self.extra_arguments(stack)])
        return _summary(output)

    def plan(self, stack: str, variables: dict[str, object] | None = None) -> str:
        """plan; the whole plan text (its summary is the last line that matters)."""
        self.init(stack)
        return self.run(stack, ["plan", "-input=false", "-no-color", "-lock-timeout=120s",
                                *self._var_arguments(stack, variables), *self.extra_arguments(stack)])

    def destroy(self, stack: str, variables: dict[str, object] | None = None) -> str:
        """destroy -auto-approve; Terraform's summary line."""
        self.init(stack)
        output = self.run(stack, ["destroy", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=120s",
                                  *self._var_arguments(stack, variables)])
        return _summary(output)

    def state_list(self, stack: str) -> list[str]:
        """The resources in the stack's state (none before the first apply)."""
        self.init(stack)
        return self.run(stack, ["state", "list"], accept=(0, 1)).split()

    def state_rm(self, stack: str, address: str) -> None:
        """Forget ADDRESS without destroying it."""
        self.run(stack, ["state", "rm", "-lock-timeout=120s", address])

    def outputs(self, stack: str, workspace: str | None = None) -> dict[str, object]:
        """The stack's outputs ({} before the first apply); WORKSPACE reads another environment's."""
        self.init(stack)
        text = self.run(stack, ["output", "-json"], workspace=workspace)
        return {name: entry.get("value") for name, entry in json.loads(text or "{}").items()}

    def delete_workspace(self, stack: str) -> None:
        """Remove the environment's (empty) workspace from the stack."""
        self.init(stack)
        self.runner.run([self.binary, "workspace", "delete", self.environment], cwd=self.root / stack,
                        env={**self._env(stack), "TF_WORKSPACE": "default"}, label=f"{stack}-workspace-delete")


def _summary(output: str) -> str:
    found = _SUMMARY.findall(output)
    return found[-1] if found else "no summary printed"


def plan_summary(plan_text: str) -> str:
    """The line of a plan that says what it would do."""
    return _summary(plan_text)
