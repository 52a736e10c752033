"""The rules every workflow of this repository keeps, as functions that list what breaks them.

Each rule takes a parsed workflow (and its text where comments matter) and returns a list of
problems; an empty list means the rule holds. test_workflow_structure.py applies them to the real
workflows, test_workflow_mutations.py to copies with one fault planted, so a rule that cannot fail
is noticed.

PyYAML (YAML 1.1) reads the key `on` as the boolean True; `triggers()` handles that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

PINNED_USES = re.compile(r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?P<path>/[^@]*)?@(?P<ref>[^@\s]+)$")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<uses>\S+)\s*(?:#\s*(?P<comment>\S+))?")
SECRET_SHAPES = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "12-digit AWS account id": re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])"),
    "ARN": re.compile(r"arn:aws[a-z-]*:"),
}
DEPLOY_JOB_PERMISSIONS = {"id-token": "write", "contents": "read"}
READ_ONLY_PERMISSIONS = ({}, {"contents": "read"})


@dataclass(frozen=True)
class Workflow:
    """One workflow file: its path, text and parsed form."""

    path: Path
    text: str
    data: dict

    @classmethod
    def load(cls, path: Path) -> "Workflow":
        text = path.read_text()
        return cls.parse(path, text)

    @classmethod
    def parse(cls, path: Path, text: str) -> "Workflow":
        return cls(path=path, text=text, data=yaml.safe_load(text))

    @property
    def name(self) -> str:
        return self.path.name


def triggers(workflow: Workflow) -> dict:
    on = workflow.data.get(True, workflow.data.get("on"))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {event: None for event in on}
    return on or {}


def jobs(workflow: Workflow) -> dict[str, dict]:
    return workflow.data.get("jobs") or {}


def steps(workflow: Workflow):
    """(job id, step index, step) for every step of every job."""
    for job_id, job in jobs(workflow).items():
        for index, step in enumerate(job.get("steps") or []):
            yield job_id, index, step


def read_verified_pins(path: Path) -> dict[tuple[str, str], str]:
    """(action, commit) -> tag, from the verified pins file."""
    pins = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            action, commit, tag = line.split()
            pins[(action, commit)] = tag
    return pins


# --- rules for every workflow -------------------------------------------------------------------


def top_level_permissions_empty(workflow: Workflow) -> list[str]:
    if "permissions" not in workflow.data:
        return [f"{workflow.name}: no top-level permissions (the default token gets broad rights)"]
    if workflow.data["permissions"] != {}:
        return [f"{workflow.name}: top-level permissions are {workflow.data['permissions']!r}, not {{}}"]
    return []


def uses_pinned_and_verified(workflow: Workflow, verified: dict[tuple[str, str], str]) -> list[str]:
    problems = []
    for job_id, index, step in steps(workflow):
        uses = step.get("uses")
        if uses is None:
            continue
        where = f"{workflow.name}: {job_id} step {index + 1} ({uses})"
        if uses.startswith("docker://") or uses.startswith("./"):
            continue
        match = PINNED_USES.match(uses)
        if not match or not FULL_SHA.match(match["ref"]):
            problems.append(f"{where}: not pinned to a full 40-hex commit")
        elif (match["action"], match["ref"]) not in verified:
            problems.append(f"{where}: commit is not in the verified pins")
    # The tag comment is not part of the parsed YAML: read it from each `uses:` line of the text.
    for number, line in enumerate(workflow.text.splitlines(), start=1):
        found = USES_LINE.match(line)
        pinned = PINNED_USES.match(found["uses"]) if found else None
        tag = verified.get((pinned["action"], pinned["ref"])) if pinned else None
        if tag is not None and found["comment"] != tag:
            problems.append(f"{workflow.name}:{number}: comment says {found['comment']!r}, the verified tag is {tag!r}")
    for job_id, job in jobs(workflow).items():
        if "uses" in job:
            problems.append(f"{workflow.name}: job {job_id} calls a reusable workflow; pin and review it")
    return problems


def checkout_without_credentials(workflow: Workflow) -> list[str]:
    problems = []
    for job_id, index, step in steps(workflow):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            value = (step.get("with") or {}).get("persist-credentials")
            if value is not False and str(value).lower() != "false":
                problems.append(f"{workflow.name}: {job_id} step {index + 1}: checkout without persist-credentials: false")
    return problems


def no_expressions_in_run(workflow: Workflow) -> list[str]:
    return [
        f"{workflow.name}: {job_id} step {index + 1} ({step.get('name', 'unnamed')}): ${{{{ }}}} inside run:"
        for job_id, index, step in steps(workflow)
        if "${{" in str(step.get("run", ""))
    ]


def no_secret_shaped_literals(workflow: Workflow) -> list[str]:
    problems = []
    for number, line in enumerate(workflow.text.splitlines(), start=1):
        # Commit pins are 40 hex characters and may contain 12 digits in a row; they are checked above.
        scanned = re.sub(r"@[0-9a-f]{40}", "@<pin>", line)
        for shape, pattern in SECRET_SHAPES.items():
            if pattern.search(scanned):
                problems.append(f"{workflow.name}:{number}: {shape} literal")
    return problems


def jobs_are_bounded(workflow: Workflow) -> list[str]:
    return [f"{workflow.name}: job {job_id} has no timeout-minutes"
            for job_id, job in jobs(workflow).items() if "timeout-minutes" not in job]


def secrets_only_in_step_env(workflow: Workflow) -> list[str]:
    """A secret may reach a step only through its env:, never through with:, run: or job env."""
    problems = []
    for job_id, job in jobs(workflow).items():
        if "secrets." in yaml.safe_dump(job.get("env") or {}):
            problems.append(f"{workflow.name}: job {job_id} puts a secret in the job's env (every step sees it)")
    for job_id, index, step in steps(workflow):
        outside_env = {key: value for key, value in step.items() if key != "env"}
        if "secrets." in yaml.safe_dump(outside_env):
            problems.append(f"{workflow.name}: {job_id} step {index + 1} uses a secret outside its env:")
    return problems


# --- rules for the deploy workflow ---------------------------------------------------------------


def deploy_triggers(workflow: Workflow) -> list[str]:
    on = triggers(workflow)
    problems = []
    if set(on) != {"push", "workflow_dispatch"}:
        problems.append(f"deploy triggers are {sorted(map(str, on))}, expected push and workflow_dispatch")
    push = on.get("push") or {}
    if push.get("branches") != ["main"]:
        problems.append(f"deploy runs on pushes to {push.get('branches')!r}, expected ['main'] only")
    return problems


def deploy_job_shape(workflow: Workflow) -> list[str]:
    all_jobs = jobs(workflow)
    if list(all_jobs) != ["deploy"]:
        return [f"deploy workflow jobs are {list(all_jobs)}, expected exactly one job 'deploy'"]
    job = all_jobs["deploy"]
    problems = []
    if job.get("permissions") != DEPLOY_JOB_PERMISSIONS:
        problems.append(f"deploy job permissions are {job.get('permissions')!r}, expected {DEPLOY_JOB_PERMISSIONS}")
    environment = job.get("environment")
    name = environment.get("name") if isinstance(environment, dict) else environment
    if name != "production":
        problems.append(f"deploy job environment is {name!r}; the role's trust policy expects 'production'")
    concurrency = job.get("concurrency") or workflow.data.get("concurrency") or {}
    if concurrency.get("group") != "deploy-production" or concurrency.get("cancel-in-progress") is not False:
        problems.append(f"deploy concurrency is {concurrency!r}; expected group deploy-production, no cancelling")
    return problems


def _step_index(job_steps: list[dict], predicate) -> int | None:
    return next((i for i, step in enumerate(job_steps) if predicate(step)), None)


def deploy_steps(workflow: Workflow) -> list[str]:
    """OIDC credentials, render from the live family, deploy with a wait, verify, smoke test: in order."""
    job_steps = (jobs(workflow).get("deploy") or {}).get("steps") or []
    problems = []

    def uses(action: str):
        return lambda step: str(step.get("uses", "")).startswith(action + "@")

    oidc = _step_index(job_steps, uses("aws-actions/configure-aws-credentials"))
    render = _step_index(job_steps, uses("aws-actions/amazon-ecs-render-task-definition"))
    deploy = _step_index(job_steps, uses("aws-actions/amazon-ecs-deploy-task-definition"))
    build = _step_index(job_steps, uses("docker/build-push-action"))
    verify = _step_index(job_steps, lambda s: "scripts/deploy/verify-deployment.py" in str(s.get("run", "")))
    smoke = _step_index(job_steps, lambda s: "scripts/deploy/smoke-test.sh" in str(s.get("run", "")))
    ca = _step_index(job_steps, lambda s: "scripts/deploy/fetch-rds-ca-bundle.sh" in str(s.get("run", "")))

    if oidc is None:
        problems.append("deploy: no configure-aws-credentials (OIDC) step")
    else:
        given = job_steps[oidc].get("with") or {}
        if given.get("role-to-assume") != "${{ vars.AWS_DEPLOY_ROLE_ARN }}":
            problems.append(f"deploy: role-to-assume is {given.get('role-to-assume')!r}, not the repository variable")
        if given.get("aws-region") != "${{ vars.AWS_REGION }}":
            problems.append(f"deploy: aws-region is {given.get('aws-region')!r}, not the repository variable")
        stored = {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"} & set(given)
        if stored:
            problems.append(f"deploy: stored credentials passed to the OIDC step: {sorted(stored)}")
    if build is not None:
        build_with = job_steps[build].get("with") or {}
        if "cache-from" in build_with or "cache-to" in build_with:
            problems.append("deploy: the production build reads or writes a shared build cache")
        if ca is None or ca > build:
            problems.append("deploy: the RDS CA bundle is not downloaded before the image build")
    if render is None or (job_steps[render].get("with") or {}).get("task-definition-family") is None:
        problems.append("deploy: the task definition is not rendered from the live family")
    if deploy is None:
        problems.append("deploy: no amazon-ecs-deploy-task-definition step")
    elif str((job_steps[deploy].get("with") or {}).get("wait-for-service-stability")).lower() != "true":
        problems.append("deploy: the deploy step does not wait for service stability")
    if verify is None:
        problems.append("deploy: no rollback verification (scripts/deploy/verify-deployment.py) step")
    elif "--task-definition-arn" not in str(job_steps[verify].get("run")):
        problems.append("deploy: the verification does not name the task definition this run registered")
    if smoke is None:
        problems.append("deploy: no smoke test through the load balancer")
    order = [("OIDC", oidc), ("render", render), ("deploy", deploy), ("verify", verify), ("smoke test", smoke)]
    present = [(name, index) for name, index in order if index is not None]
    if [index for _, index in present] != sorted(index for _, index in present):
        problems.append(f"deploy: steps out of order: {present}")
    if "GITHUB_STEP_SUMMARY" not in workflow.text:
        problems.append("deploy: no job summary")
    return problems
