"""The rules of the manual rollback workflow (rollback.yml), each a function that lists what breaks it."""

from __future__ import annotations

import job_model as jm
from pipeline_rules import DEPLOY_JOB_PERMISSIONS, environment_name
from workflow_rules import Workflow, jobs, triggers

INPUTS = {"environment": "environment", "target": "string", "reason": "string"}


def rollback_shape(workflow: Workflow) -> list[str]:
    """Dispatched by hand with an environment, a target and a reason; in that environment's deploy slot."""
    on = triggers(workflow)
    problems = []
    if set(on) != {"workflow_dispatch"}:
        return [f"rollback triggers are {sorted(map(str, on))}, expected workflow_dispatch only"]
    inputs = (on["workflow_dispatch"] or {}).get("inputs") or {}
    for name, kind in INPUTS.items():
        given = inputs.get(name) or {}
        if given.get("type") != kind or given.get("required") is not True:
            problems.append(f"rollback input {name} is {given!r}, expected a required {kind}")
    all_jobs = jobs(workflow)
    if list(all_jobs) != ["rollback"]:
        return problems + [f"rollback workflow jobs are {list(all_jobs)}, expected one job 'rollback'"]
    job = all_jobs["rollback"]
    if job.get("permissions") != DEPLOY_JOB_PERMISSIONS:
        problems.append(f"rollback job permissions are {job.get('permissions')!r}, expected {DEPLOY_JOB_PERMISSIONS}")
    if environment_name(job) != "${{ inputs.environment }}":
        problems.append(f"rollback job environment is {environment_name(job)!r}: its deploy role and approval must apply")
    concurrency = job.get("concurrency") or {}
    if concurrency.get("group") != "deploy-${{ inputs.environment }}" or concurrency.get("cancel-in-progress") is not False:
        problems.append(f"rollback concurrency is {concurrency!r}; it must share the deploy's group deploy-<environment>")
    for index, step in enumerate(jm.job_steps(job)):
        outside_env = {key: value for key, value in step.items() if key != "env"}
        if any(ref.startswith("inputs.") for value in outside_env.values() for ref in jm.references(value)):
            problems.append(f"rollback step {index + 1} reads an input outside its env:")
    return problems


def rollback_steps(workflow: Workflow) -> list[str]:
    """Target checked before any change; a revision or a digest deployed, verified, smoke-tested; admin follows."""
    job = jobs(workflow).get("rollback") or {}
    problems = []
    target = jm.id_index(job, "target")
    revision, render, deploy = (jm.step_by_id(job, step_id) or {} for step_id in ("revision", "render", "deploy"))
    verify, smoke = jm.step_by_id(job, "verify") or {}, jm.id_index(job, "smoke")
    changes = [i for i in (jm.id_index(job, "revision"), jm.id_index(job, "render"), jm.id_index(job, "deploy")) if i is not None]
    if target is None or "scripts/deploy/resolve-rollback-target.py" not in str(jm.job_steps(job)[target].get("run")):
        problems.append("rollback: the target is not checked (scripts/deploy/resolve-rollback-target.py)")
    elif not changes or target > min(changes):
        problems.append("rollback: the target is checked after the service was changed")
    if "scripts/deploy/roll-back-service.sh" not in str(revision.get("run")) or \
            revision.get("if") != "steps.target.outputs.mode == 'revision'" or \
            (revision.get("env") or {}).get("TASK_DEFINITION_ARN") != "${{ steps.target.outputs.task-definition-arn }}":
        problems.append("rollback: a revision is not put back with roll-back-service.sh (update-service and verification)")
    if (render.get("with") or {}).get("image") != "${{ steps.target.outputs.image }}" or \
            (render.get("with") or {}).get("task-definition-family") != "${{ vars.ECS_TASK_FAMILY }}" or \
            render.get("if") != "steps.target.outputs.mode == 'digest'":
        problems.append("rollback: a digest is not rendered into the live task definition")
    if str((deploy.get("with") or {}).get("wait-for-service-stability")).lower() != "true" or \
            deploy.get("if") != "steps.target.outputs.mode == 'digest'":
        problems.append("rollback: a digest is not deployed with a stability wait")
    if "scripts/deploy/verify-deployment.py" not in str(verify.get("run")) or \
            (verify.get("env") or {}).get("TASK_DEFINITION_ARN") != "${{ steps.deploy.outputs.task-definition-arn }}":
        problems.append("rollback: a deployed digest is not verified by verify-deployment.py")
    if smoke is None or not changes or smoke < max(changes):
        problems.append("rollback: no smoke test after the rollback")
    admin = (jm.step_by_id(job, "admin-render") or {}).get("with") or {}
    if admin.get("image") != "${{ steps.target.outputs.image }}" or jm.step_by_id(job, "admin") is None:
        problems.append("rollback: the admin task definition does not follow the restored image")
    for step_id in ("target", "revision", "verify", "smoke"):
        if jm.continues_on_error(jm.step_by_id(job, step_id) or {}):
            problems.append(f"rollback: {step_id} has continue-on-error")
    return problems
