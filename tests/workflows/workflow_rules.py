"""The rules every workflow of this repository keeps, as functions that list what breaks them.

Each rule takes a parsed workflow (and its text where comments matter) and returns a list of
problems; an empty list means the rule holds. test_workflow_structure.py applies them to the real
workflows, test_workflow_mutations.py to copies with one fault planted, so a rule that cannot fail
is noticed. The release pipeline's own rules are in pipeline_rules.py, the rollback workflow's in
rollback_rules.py.

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




# IAM's upper bound for a role session is the role's max_session_duration; terraform/ecs sets the
# deploy role's to two hours.
DEPLOY_ROLE_MAX_SESSION_SECONDS = 7200


def credentials_outlast_the_job(workflow: Workflow) -> list[str]:
    """A job that assumes a role asks for credentials at least as long as the job may run."""
    problems = []
    for job_id, index, step in steps(workflow):
        if not str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
            continue
        job = jobs(workflow)[job_id]
        needed = int(job.get("timeout-minutes", 360)) * 60
        asked = int((step.get("with") or {}).get("role-duration-seconds", 3600))
        if asked < needed:
            problems.append(f"{workflow.name}: {job_id} may run {needed} s but its credentials last {asked} s "
                            "(role-duration-seconds)")
        if asked > DEPLOY_ROLE_MAX_SESSION_SECONDS:
            problems.append(f"{workflow.name}: {job_id} asks for {asked} s of credentials, more than the deploy "
                            f"role's max_session_duration ({DEPLOY_ROLE_MAX_SESSION_SECONDS} s)")
    return problems
