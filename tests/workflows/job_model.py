"""How GitHub Actions runs the steps of a job and the jobs of a workflow, as far as the rules need it.

- A step without `if:` runs only while every earlier step succeeded (`success()` is implied).
- A step whose `if:` calls always(), failure() or cancelled() may run after a failure; the rest of
  its condition is not evaluated here, so it counts as "may run" (the safe reading for rules that
  forbid a step to run after a failure).
- A failed step fails the job unless it has `continue-on-error: true`.
- A job runs only when every job it needs succeeded, unless its `if:` calls one of those functions.

Steps are named by their `id:` (their `name:` when they have none), jobs by their key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATUS_FUNCTION = re.compile(r"\b(always|failure|cancelled)\(\)")
# A context reference inside ${{ }}: needs.build.outputs.digest, steps.image.outputs.image, ...
REFERENCE = re.compile(r"\b(?:needs|steps|jobs|inputs|vars|env|github)\.[A-Za-z0-9_.-]+")


def job_steps(job: dict) -> list[dict]:
    """A job's steps (none for a job that calls a reusable workflow)."""
    return job.get("steps") or []


def step_by_id(job: dict, step_id: str) -> dict | None:
    """The step with this `id:`, if any."""
    return next((step for step in job_steps(job) if step.get("id") == step_id), None)


def index_of(job: dict, predicate) -> int | None:
    """The position of the first step the predicate accepts, if any."""
    return next((i for i, step in enumerate(job_steps(job)) if predicate(step)), None)


def id_index(job: dict, step_id: str) -> int | None:
    """The position of the step with this `id:`, if any."""
    return index_of(job, lambda step: step.get("id") == step_id)


def uses(action: str):
    """A predicate: the step uses this action (any pinned version)."""
    return lambda step: str(step.get("uses", "")).startswith(action + "@")


def runs_script(script: str):
    """A predicate: the step's run: calls this script."""
    return lambda step: script in str(step.get("run", ""))


def references(value) -> set[str]:
    """The context references in a value's ${{ }} expressions."""
    return set(REFERENCE.findall(str(value or "")))


def may_run_after_failure(condition) -> bool:
    """Whether an `if:` calls a status function, so the step or job may run after a failure."""
    return bool(STATUS_FUNCTION.search(str(condition or "")))


def continues_on_error(step_or_job: dict) -> bool:
    """Whether a failure there is ignored (an expression counts as "may be")."""
    value = step_or_job.get("continue-on-error", False)
    return value is True or str(value).lower() == "true" or "${{" in str(value)


def needs_of(job: dict) -> list[str]:
    """The jobs a job needs, as a list."""
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


@dataclass(frozen=True)
class JobRun:
    """What happened in one simulated run of a job: its result and the steps that ran (or may have)."""

    result: str
    ran: list[str]


def simulate(job: dict, failing: str) -> JobRun:
    """Run a job's steps in the model above, with the step whose id is `failing` failing."""
    failed = False
    ran = []
    for index, step in enumerate(job_steps(job)):
        name = step.get("id") or step.get("name") or f"step {index + 1}"
        condition = step.get("if")
        runs = (not failed) or may_run_after_failure(condition)
        if not runs:
            continue
        ran.append(name)
        if name == failing and not continues_on_error(step):
            failed = True
    return JobRun(result="failure" if failed else "success", ran=ran)


def job_runs_after(job: dict, results: dict[str, str]) -> bool:
    """Whether a job starts, given the results of the jobs it needs."""
    if may_run_after_failure(job.get("if")):
        return True
    return all(results.get(need) == "success" for need in needs_of(job))
