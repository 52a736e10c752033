"""The steps of `up` and `down`, each of which first looks at what exists, so a rerun continues.

A step returns one line saying what it found or did; the Progress prints it with the step's number
and time, and the table of all steps at the end.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tools.platform.aws import Aws, BuildSpec, StepFailed
from tools.platform.prerequisites import committed_value
from tools.platform.terraform import Terraform, plan_summary

# The first API key: the one the deploy workflow's smoke test uses (docs/deploy.md, step 6).
FIRST_KEY_CUSTOMER = "smoke-test"
SERVICE_ADDRESS = "aws_ecs_service.service"
GITHUB_PROVIDER_ADDRESS = "aws_iam_openid_connect_provider.github[0]"
DATABASE_KEY_ADDRESS = "aws_kms_key.database"
# The tag the first apply's task definitions name before any image exists (terraform/ecs/locals.tf).
BOOTSTRAP_IMAGE_TAG = "no-image-pushed-yet"


@dataclass
class Progress:
    """Prints each step as it ends: number, name, what happened, seconds."""

    total: int
    print_line: Callable[[str], None] = print
    done: list[tuple[str, str, float]] = field(default_factory=list)

    def step(self, name: str, action: Callable[[], str]) -> str:
        """Run one step, printing its start, then what it did and how long it took."""
        number = len(self.done) + 1
        self.print_line(f"[{number}/{self.total}] {name} ...")
        started = time.monotonic()
        result = action()
        seconds = time.monotonic() - started
        self.done.append((name, result, seconds))
        self.print_line(f"[{number}/{self.total}] {name}: {result} ({seconds:.0f} s)")
        return result

    def table(self) -> str:
        """Every step done so far, with its seconds and what it did, and the total."""
        rows = [f"  {index:>2}. {name:<34} {seconds:>6.0f} s  {result}"
                for index, (name, result, seconds) in enumerate(self.done, start=1)]
        return "\n".join(rows + [f"      {'total':<34} {sum(s for _, _, s in self.done):>6.0f} s"])


@dataclass
class Parts:
    """What the steps use: the real AWS parts, or stand-ins where an emulator cannot do a step."""

    terraform: Terraform
    aws: Aws
    images: object  # EcrImages or a stand-in registry: digest(), push(), name
    admin: object  # EcsAdminTask or a stand-in: run(), name
    service: object  # EcsService or a stand-in: wait_stable(), name


@dataclass
class UpOptions:
    """What `up` was asked to do."""

    environment: str
    revision: str
    build: BuildSpec | None
    local_image: str | None = None
    promote_from: str | None = None


class Up:
    """docs/deploy.md's first-time setup for one environment, each step skipped when already done."""

    STEPS = ("account's state bucket", "network", "database", "ecs, first apply (no tasks yet)", "the first image",
             "deploy the image", "database roles (admin task)", "first API key")

    def __init__(self, parts: Parts, options: UpOptions, progress: Progress):
        self.parts = parts
        self.options = options
        self.progress = progress
        self.digest: str | None = None

    @property
    def terraform(self) -> Terraform:
        """The Terraform runner of the environment."""
        return self.parts.terraform

    def run(self) -> dict[str, object]:
        """Take every step of `up` in order; the ecs stack's outputs at the end."""
        steps = [self.backend, self.network, self.database, self.ecs_first_apply, self.image, self.deploy,
                 self.database_roles, self.first_key]
        for name, step in zip(self.STEPS, steps):
            self.progress.step(name, step)
        return self.terraform.outputs("ecs")

    # --- Terraform stacks ----------------------------------------------------------------------------

    def backend(self) -> str:
        """The account's state bucket: applied the first time, and backend.hcl and state.tfvars written."""
        root = self.terraform.root
        outputs = self.terraform.outputs("backend") if (root / "backend" / "terraform.tfstate").exists() else {}
        if outputs.get("backend_hcl"):
            found = f"present (bucket {outputs['state_bucket']})"
        else:
            summary = self.terraform.apply("backend")
            outputs = self.terraform.outputs("backend")
            found = f"{summary} (bucket {outputs['state_bucket']})"
        (root / "backend.hcl").write_text(str(outputs["backend_hcl"]))
        (root / "state.tfvars").write_text(str(outputs["state_tfvars"]))
        return found

    def network(self) -> str:
        """Apply the network stack in the environment."""
        return self.terraform.apply("network")

    def database(self) -> str:
        """Apply the database stack in the environment."""
        return self.terraform.apply("database")

    def ecs_variables(self, **extra: object) -> dict[str, object]:
        """Values ecs takes on the command line because they name the account."""
        return {**ecs_account_variables(self.terraform, self.parts.aws, self.options.promote_from), **extra}

    def ecs_first_apply(self) -> str:
        """Create the service with no tasks (service_bootstrap), unless it exists."""
        if SERVICE_ADDRESS in self.terraform.state_list("ecs"):
            return "already applied: the service exists"
        return self.terraform.apply("ecs", self.ecs_variables(service_bootstrap=True))

    # --- The first image and its deploy --------------------------------------------------------------

    def live_image(self) -> str | None:
        """The image the service runs, unless it is still the first apply's placeholder."""
        image = self.parts.aws.service_image(self.terraform.outputs("ecs"))
        return None if image is None or image.endswith(f":{BOOTSTRAP_IMAGE_TAG}") else image

    def image(self) -> str:
        """The first image in the environment's repository: reused when the commit's tag is there, pushed otherwise."""
        live = self.live_image()
        if live:
            return f"the service runs {live} already: nothing to push (later releases come from the pipeline)"
        outputs = self.terraform.outputs("ecs")
        repository = str(outputs["ecr_repository_url"])
        images = self.parts.images
        self.digest = images.digest(repository, self.options.revision)
        if self.digest:
            return f"{images.name} already has {self.options.revision[:12]} as {self.digest[:19]}"
        self.digest = images.push(repository, self.options.revision, self.options.local_image, self.options.build)
        source = self.options.local_image or f"built for {self.options.build.platform}"
        return f"pushed to {images.name} ({source}) as {self.digest[:19]}"

    def deploy(self) -> str:
        # Only the first deploy names the image; afterwards Terraform follows the image the service runs,
        # so a rerun never rolls back what the pipeline deployed since.
        """Apply ecs with the first image's digest and wait for the service."""
        summary = self.terraform.apply("ecs", self.ecs_variables(**({"image": self.digest} if self.digest else {})))
        waited = self.parts.service.wait_stable(self.terraform.outputs("ecs"))
        return f"{summary}; {waited}"

    # --- Inside the database and the service -----------------------------------------------------------

    def database_roles(self) -> str:
        """Run the admin task's default command, admin bootstrap-database."""
        return f"admin bootstrap-database on {self.parts.admin.name}: {self.parts.admin.run(self.terraform.outputs('ecs'))}"

    def key_secret(self) -> str:
        """Where the first key is stored: under <project>/api-keys/, where the admin task may write."""
        return f"{_project(self.terraform)}/api-keys/{FIRST_KEY_CUSTOMER}"

    def first_key(self) -> str:
        """Create the smoke test's API key into Secrets Manager, unless its secret exists."""
        secret = self.key_secret()
        if self.parts.aws.secret_exists(secret):
            return f"already stored in Secrets Manager as {secret}"
        command = (f"exec /usr/local/bin/orders-service keys create --customer {FIRST_KEY_CUSTOMER} "
                   f"--to-secretsmanager {secret}")
        ran = self.parts.admin.run(self.terraform.outputs("ecs"), command)
        if not self.parts.aws.secret_exists(secret):
            raise StepFailed(f"keys create ran ({ran}) but Secrets Manager has no {secret}")
        return f"keys create on {self.parts.admin.name}: {ran}; stored as {secret}"


def ecs_account_variables(terraform: Terraform, aws: Aws, promote_from: str | None = None) -> dict[str, object]:
    """What the ecs stack takes on the command line because it names the account: the account's GitHub
    OIDC provider when another environment created it (an account has one per URL), and the
    repository of the environment this one promotes from."""
    variables: dict[str, object] = {}
    provider = aws.github_oidc_provider()
    if provider and GITHUB_PROVIDER_ADDRESS not in terraform.state_list("ecs"):
        variables["github_oidc_provider_arn"] = provider
    if promote_from:
        source = terraform.outputs("ecs", workspace=promote_from)
        if "ecr_repository_arn" not in source:
            raise StepFailed(f"--promote-from {promote_from}: that environment has no ecs stack yet")
        variables["promote_from_ecr_repository_arn"] = source["ecr_repository_arn"]
    return variables


def _project(terraform: Terraform) -> str:
    """The environment's project, as its committed ecs file sets it."""
    project = committed_value(terraform.variables_file("ecs"), "project")
    if project is None:
        raise StepFailed(f"{terraform.variables_file('ecs')} sets no project")
    return project


class PlanOnly:
    """Each stack's plan for the environment; nothing is applied. A stack whose earlier stacks do not
    exist yet cannot be planned (it reads their state), and says so."""

    def __init__(self, terraform: Terraform, progress: Progress):
        self.terraform = terraform
        self.progress = progress
        self.plans: dict[str, str] = {}

    def run(self) -> dict[str, str]:
        """Plan each stack that can be planned; the plans by stack."""
        root = self.terraform.root
        applied = {"backend": (root / "backend.hcl").exists() and (root / "state.tfvars").exists()}
        if not applied["backend"]:
            self.progress.step("plan backend", lambda: self._plan("backend"))
        for stack, needs in (("network", ["backend"]), ("database", ["backend", "network"]),
                             ("ecs", ["backend", "network", "database"])):
            missing = [need for need in needs if not applied[need]]
            if missing:
                applied[stack] = False
                self.progress.step(f"plan {stack}", lambda m=missing: "not planned: "
                                   f"{' and '.join(m)} must be applied first")
                continue
            existing = self.terraform.state_list(stack)
            applied[stack] = bool(existing)
            variables = {"service_bootstrap": True} if stack == "ecs" and SERVICE_ADDRESS not in existing else None
            self.progress.step(f"plan {stack}", lambda s=stack, v=variables: self._plan(s, v))
        return self.plans

    def _plan(self, stack: str, variables: dict[str, object] | None = None) -> str:
        text = self.terraform.plan(stack, variables)
        self.plans[stack] = text
        log = self.terraform.runner.log_dir / f"plan-{stack}.txt"
        log.write_text(text)
        return f"{plan_summary(text)} (the whole plan: {log})"


class Down:
    """docs/infrastructure.md's teardown for one environment, ecs to network; the backend stays."""

    STEPS = ("ecs", "database", "network", "workspaces")

    def __init__(self, terraform: Terraform, aws: Aws, progress: Progress, delete_data: bool):
        self.terraform = terraform
        self.aws = aws
        self.progress = progress
        self.delete_data = delete_data
        self.kept: dict[str, object] = {}

    def run(self) -> dict[str, object]:
        """Take every step of `down` in order; what was kept on purpose."""
        for name, step in zip(self.STEPS, (self.ecs, self.database, self.network, self.workspaces)):
            self.progress.step(name, step)
        return self.kept

    def ecs(self) -> str:
        """Tear the ecs stack down: deletion protection off, then destroy."""
        if not self.terraform.state_list("ecs"):
            return "nothing in state"
        # The same account values as the apply that made it, so the teardown's apply changes only
        # what allow_destroy changes (and never tries to create a second GitHub OIDC provider).
        variables = {**ecs_account_variables(self.terraform, self.aws), "allow_destroy": True}
        self.terraform.apply("ecs", variables)
        return self.terraform.destroy("ecs", variables)

    def database(self) -> str:
        """Tear the database stack down, keeping its final snapshot and key unless the data may go."""
        resources = self.terraform.state_list("database")
        if not resources:
            return "nothing in state"
        if self.delete_data:
            self.terraform.apply("database", {"allow_destroy": True})
            return self.terraform.destroy("database", {"allow_destroy": True}) + "; no final snapshot (--delete-data)"
        outputs = self.terraform.outputs("database")
        self.terraform.apply("database", {"deletion_protection": False})
        if DATABASE_KEY_ADDRESS in resources:
            self.terraform.state_rm("database", DATABASE_KEY_ADDRESS)
        summary = self.terraform.destroy("database", {"deletion_protection": False})
        self.kept = {"final snapshot": outputs.get("final_snapshot_identifier"), "its KMS key": outputs.get("kms_key_arn")}
        return f"{summary}; kept: final snapshot {self.kept['final snapshot']} and its key"

    def network(self) -> str:
        """Destroy the network stack."""
        if not self.terraform.state_list("network"):
            return "nothing in state"
        return self.terraform.destroy("network")

    def workspaces(self) -> str:
        """Delete the environment's now empty workspace in each stack."""
        for stack in ("ecs", "database", "network"):
            self.terraform.delete_workspace(stack)
        return f"workspace {self.terraform.environment} deleted in ecs, database, network"


def git_revision(root: Path) -> str:
    """The checkout's commit: the image's tag, as the deploy workflow tags it."""
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
