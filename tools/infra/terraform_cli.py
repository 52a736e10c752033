"""Running the real Terraform CLI for this project's stacks: which CLI configuration, which environment.

Terraform gets its AWS provider from the public registry wherever that is reachable (a laptop, GitHub's
runners). Machines without a registry carry a filesystem mirror of the provider instead; the project
ships the CLI configuration that points Terraform at it (`terraform/provider-mirror.tfrc`), and uses it
only when the mirror is present and the caller has not chosen a CLI configuration of their own.

Every run sets CHECKPOINT_DISABLE, so Terraform never calls HashiCorp's version-check service.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_ROOT = ROOT / "terraform"
MIRROR_CONFIG = TERRAFORM_ROOT / "provider-mirror.tfrc"
# The mirror path written in provider-mirror.tfrc, and the provider it must hold.
MIRROR_PATH = Path("/opt/tf-plugins")
MIRRORED_PROVIDER = MIRROR_PATH / "registry.terraform.io" / "hashicorp" / "aws"
# The stacks, in the order they are applied (each reads the state of those before it).
STACKS = ("backend", "network", "database", "ecs")


class TerraformMissing(RuntimeError):
    """No terraform binary on PATH."""


@dataclass(frozen=True)
class ProviderSource:
    """Where `terraform init` gets the AWS provider from, in words for the run's output."""

    cli_config: Path | None
    description: str


def provider_source(environment: dict[str, str] | None = None) -> ProviderSource:
    """The CLI configuration to run with: the caller's own, the project's mirror one, or none (registry)."""
    environment = os.environ if environment is None else environment
    chosen = environment.get("TF_CLI_CONFIG_FILE")
    if chosen and Path(chosen).is_file():
        return ProviderSource(Path(chosen), f"the CLI configuration in TF_CLI_CONFIG_FILE ({chosen})")
    if MIRRORED_PROVIDER.is_dir():
        return ProviderSource(MIRROR_CONFIG, f"the filesystem mirror {MIRROR_PATH} ({MIRROR_CONFIG.relative_to(ROOT)})")
    return ProviderSource(None, "the public registry (no mirror on this machine)")


def terraform_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every Terraform command of the project runs with."""
    environment = dict(os.environ)
    source = provider_source(environment)
    if source.cli_config is not None:
        environment["TF_CLI_CONFIG_FILE"] = str(source.cli_config)
    else:
        # A TF_CLI_CONFIG_FILE naming a missing file only earns a warning on every command.
        environment.pop("TF_CLI_CONFIG_FILE", None)
    environment.update({"CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
    environment.update(extra or {})
    return environment


def terraform_binary() -> str:
    """The terraform on PATH, or TerraformMissing."""
    found = shutil.which("terraform")
    if found is None:
        raise TerraformMissing("terraform is not on PATH (https://developer.hashicorp.com/terraform/install)")
    return found


def terraform_version() -> str:
    """`terraform version`'s first line, e.g. "Terraform v1.11.4"."""
    output = subprocess.run([terraform_binary(), "version"], capture_output=True, text=True,
                            env=terraform_environment(), check=True).stdout
    return output.splitlines()[0].strip()


def run_terraform(arguments: list[str], directory: Path, *, extra_env: dict[str, str] | None = None,
                  timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `terraform ARGUMENTS` in DIRECTORY; raise CalledProcessError with its output when it fails.

    Terraform runs in a process group of its own with the provider plugins it starts, so that a run that
    outlasts `timeout` (or an interrupted caller) ends all of them, not terraform alone: a provider whose
    terraform was killed keeps running, holding memory and CPU, until something else ends it."""
    command = [terraform_binary(), *arguments]
    with subprocess.Popen(command, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=terraform_environment(extra_env), start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except BaseException as stopped:
            with contextlib.suppress(ProcessLookupError):  # the whole group may have ended already
                os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            if isinstance(stopped, subprocess.TimeoutExpired):
                raise subprocess.TimeoutExpired(command, timeout, output=stdout, stderr=stderr) from None
            raise
    if check and process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, ["terraform", *arguments], output=stdout, stderr=stderr)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
