"""`python -m tests.platform.launch ARGS...`: the platform command, with the stand-ins of
tools/platform/stand_ins.py where the AWS emulator cannot do a step, and every Terraform apply left
to what the emulator can apply (tests/infra/emulator-gaps.json, as the emulator lifecycle does).

The rehearsal (tests/platform/rehearsal.py) starts this as a process, as a user starts the command,
and gives it the emulator's environment plus:
  PLATFORM_REGISTRY   host:port of the local registry that takes ECR's pushes
  PLATFORM_POSTGRES   postgres://USER:PASSWORD@HOST:PORT/ of the PostgreSQL in RDS's place
"""

from __future__ import annotations

import os
import sys

from tools.infra.lifecycle import EmulatorGaps, dependents, managed_resources, target_addresses
from tools.platform.aws import Aws
from tools.platform.cli import main
from tools.platform.process import Runner
from tools.platform.stand_ins import LocalAdminTask, LocalRegistry, ServiceCheck, database_from_url
from tools.platform.steps import Parts
from tools.platform.terraform import Terraform


class EmulatedTerraform(Terraform):
    """Terraform that applies what the emulator can: every resource but the not-emulated ones and
    what needs them (-target), then a refresh-only apply so every output is written."""

    gaps = EmulatorGaps.load()

    def __init__(self, *arguments, **keywords):
        super().__init__(*arguments, **keywords)
        self._targets: dict[str, list[str]] = {}

    def extra_arguments(self, stack: str) -> list[str]:
        """-target for every resource the emulator can apply (cached per stack)."""
        if stack not in self._targets:
            gaps = set(self.gaps.not_emulated.get(stack, {}))
            if not gaps:
                self._targets[stack] = []
            else:
                graph = self.run(stack, ["graph"])
                excluded = gaps | set(dependents(graph, gaps))
                self._targets[stack] = [f"-target={address}"
                                        for address in target_addresses(managed_resources(graph), excluded)]
        return self._targets[stack]

    def apply(self, stack: str, variables: dict[str, object] | None = None) -> str:
        """Apply what the emulator can, then write every output with a refresh-only apply."""
        summary = super().apply(stack, variables)
        if self.extra_arguments(stack):
            self.run(stack, ["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color",
                             *self._var_arguments(stack, variables)])
        return summary


def emulated_parts(terraform: Terraform, runner: Runner) -> Parts:
    """The platform command's parts for the rehearsal: Terraform within the emulator's reach, the stand-ins."""
    emulated = EmulatedTerraform(terraform.root, terraform.environment, runner, terraform.binary)
    aws = Aws(runner, [os.path.join(os.path.dirname(sys.executable), "aws")])
    registry = LocalRegistry(os.environ["PLATFORM_REGISTRY"], runner)
    database = database_from_url(os.environ["PLATFORM_POSTGRES"])
    admin = LocalAdminTask(aws, runner, registry, database, terraform.environment, dict(os.environ))
    return Parts(emulated, aws, registry, admin, ServiceCheck(aws))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], make_parts=emulated_parts, print_line=lambda line: print(line, flush=True)))
