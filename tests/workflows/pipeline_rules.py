"""The rules of the release pipeline (deploy.yml), each a function that lists what breaks it.

test_pipeline.py applies them to the real workflow, test_workflow_mutations.py to copies with one
fault planted. The pipeline's jobs: `runner` (picks the build runner), `build` (the only build),
`staging` and `production` (the same steps, each in its own environment).
"""

from __future__ import annotations

import re
from pathlib import Path

import job_model as jm
from workflow_rules import Workflow, jobs, triggers

PIPELINE_JOBS = ["runner", "build", "staging", "production"]
ENVIRONMENT_JOBS = ("staging", "production")
DEPLOY_JOB_PERMISSIONS = {"id-token": "write", "contents": "read"}
# Job-level env entries allowed to differ between staging and production.
PER_ENVIRONMENT_ENV = {"DEPLOY_ENVIRONMENT", "IMAGE_DIGEST"}
# What building an image looks like, in a step or in a script a step runs.
BUILD_ACTIONS = ("docker/build-push-action", "docker/setup-buildx-action", "docker/setup-qemu-action")
BUILD_COMMANDS = re.compile(r"\b(docker\s+(image\s+)?build|buildx\s+build|podman\s+build|buildah\s+bud|fetch-rds-ca-bundle)\b")
SCRIPT = re.compile(r"(?<![\w/.-])(scripts/[\w./-]+)")


def environment_name(job: dict) -> str | None:
    """The name of the environment a job runs in (`environment:` as a string or a mapping)."""
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


def deploy_triggers(workflow: Workflow) -> list[str]:
    """Pushes to main and a manual run, nothing else."""
    on = triggers(workflow)
    problems = []
    if set(on) != {"push", "workflow_dispatch"}:
        problems.append(f"deploy triggers are {sorted(map(str, on))}, expected push and workflow_dispatch")
    push = on.get("push") or {}
    if push.get("branches") != ["main"]:
        problems.append(f"deploy runs on pushes to {push.get('branches')!r}, expected ['main'] only")
    return problems


def pipeline_jobs(workflow: Workflow) -> list[str]:
    """The four jobs, their permissions, environments and concurrency."""
    all_jobs = jobs(workflow)
    if list(all_jobs) != PIPELINE_JOBS:
        return [f"deploy workflow jobs are {list(all_jobs)}, expected {PIPELINE_JOBS}"]
    problems = []
    expected_permissions = {"runner": {"contents": "read"}, "build": DEPLOY_JOB_PERMISSIONS,
                            "staging": DEPLOY_JOB_PERMISSIONS, "production": DEPLOY_JOB_PERMISSIONS}
    expected_environment = {"runner": None, "build": "staging", "staging": "staging", "production": "production"}
    for job_id, job in all_jobs.items():
        if job.get("permissions") != expected_permissions[job_id]:
            problems.append(f"{job_id} job permissions are {job.get('permissions')!r}, expected {expected_permissions[job_id]}")
        if environment_name(job) != expected_environment[job_id]:
            problems.append(f"{job_id} job environment is {environment_name(job)!r}; the deploy roles' trust "
                            f"policies expect {expected_environment[job_id]!r}")
        if jm.continues_on_error(job):
            problems.append(f"{job_id} job has continue-on-error: a failure there must stop the pipeline")
    for job_id in ENVIRONMENT_JOBS:
        concurrency = all_jobs[job_id].get("concurrency") or {}
        if concurrency.get("group") != f"deploy-{job_id}" or concurrency.get("cancel-in-progress") is not False:
            problems.append(f"{job_id} concurrency is {concurrency!r}; expected group deploy-{job_id}, no cancelling")
    return problems


def deploy_steps(workflow: Workflow, job_id: str) -> list[str]:
    """OIDC credentials, render from the live family, deploy with a wait, verify, smoke test: in order."""
    job = jobs(workflow).get(job_id) or {}
    problems = []
    oidc = jm.index_of(job, jm.uses("aws-actions/configure-aws-credentials"))
    render = jm.id_index(job, "render")
    deploy = jm.id_index(job, "deploy")
    verify = jm.index_of(job, jm.runs_script("scripts/deploy/verify-deployment.py"))
    smoke = jm.id_index(job, "smoke")
    if oidc is None:
        problems.append(f"{job_id}: no configure-aws-credentials (OIDC) step")
    else:
        given = jm.job_steps(job)[oidc].get("with") or {}
        if given.get("role-to-assume") != "${{ vars.AWS_DEPLOY_ROLE_ARN }}":
            problems.append(f"{job_id}: role-to-assume is {given.get('role-to-assume')!r}, not the environment's variable")
        if given.get("aws-region") != "${{ vars.AWS_REGION }}":
            problems.append(f"{job_id}: aws-region is {given.get('aws-region')!r}, not the environment's variable")
        stored = {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"} & set(given)
        if stored:
            problems.append(f"{job_id}: stored credentials passed to the OIDC step: {sorted(stored)}")
    render_step = jm.step_by_id(job, "render") or {}
    if not str(render_step.get("uses", "")).startswith("aws-actions/amazon-ecs-render-task-definition@") or \
            (render_step.get("with") or {}).get("task-definition-family") != "${{ vars.ECS_TASK_FAMILY }}":
        problems.append(f"{job_id}: the task definition is not rendered from the live family")
    deploy_step = jm.step_by_id(job, "deploy") or {}
    if not str(deploy_step.get("uses", "")).startswith("aws-actions/amazon-ecs-deploy-task-definition@"):
        problems.append(f"{job_id}: no amazon-ecs-deploy-task-definition step")
    elif str((deploy_step.get("with") or {}).get("wait-for-service-stability")).lower() != "true":
        problems.append(f"{job_id}: the deploy step does not wait for service stability")
    if verify is None:
        problems.append(f"{job_id}: no rollback verification (scripts/deploy/verify-deployment.py) step")
    elif "--task-definition-arn" not in str(jm.job_steps(job)[verify].get("run")):
        problems.append(f"{job_id}: the verification does not name the task definition this run registered")
    if smoke is None or "scripts/deploy/smoke-test.sh" not in str((jm.step_by_id(job, "smoke") or {}).get("run")):
        problems.append(f"{job_id}: no smoke test through the load balancer")
    order = [("OIDC", oidc), ("render", render), ("deploy", deploy), ("verify", verify), ("smoke test", smoke)]
    present = [(name, index) for name, index in order if index is not None]
    if [index for _, index in present] != sorted(index for _, index in present):
        problems.append(f"{job_id}: steps out of order: {present}")
    if "GITHUB_STEP_SUMMARY" not in str([step.get("run") for step in jm.job_steps(job)]):
        problems.append(f"{job_id}: no job summary")
    return problems


def environment_jobs_identical(workflow: Workflow) -> list[str]:
    """Staging and production run the same steps; their job env differs only where it must."""
    staging, production = (jobs(workflow).get(job_id) or {} for job_id in ENVIRONMENT_JOBS)
    problems = []
    if jm.job_steps(staging) != jm.job_steps(production):
        differing = [f"step {i + 1} ({(a or b).get('name')})" for i, (a, b) in
                     enumerate(zip(jm.job_steps(staging), jm.job_steps(production))) if a != b]
        if len(jm.job_steps(staging)) != len(jm.job_steps(production)):
            differing.append(f"{len(jm.job_steps(staging))} steps against {len(jm.job_steps(production))}")
        problems.append(f"staging and production do not run the same steps: {differing}")
    staging_env, production_env = staging.get("env") or {}, production.get("env") or {}
    if set(staging_env) != set(production_env):
        problems.append(f"staging and production set different env names: {sorted(set(staging_env) ^ set(production_env))}")
    drift = sorted(name for name in set(staging_env) & set(production_env) - PER_ENVIRONMENT_ENV
                   if staging_env[name] != production_env[name])
    if drift:
        problems.append(f"staging and production env differ in {drift} (only {sorted(PER_ENVIRONMENT_ENV)} may)")
    return problems


def build_steps(job: dict, root: Path) -> list[str]:
    """Every step of a job that builds an image or prepares a build, itself or in a script it runs."""
    found = []
    for index, step in enumerate(jm.job_steps(job)):
        label = f"step {index + 1} ({step.get('name', step.get('uses', 'unnamed'))})"
        run = str(step.get("run", ""))
        scripts = "\n".join((root / script).read_text() for script in SCRIPT.findall(run) if (root / script).is_file())
        action = next((a for a in BUILD_ACTIONS if str(step.get("uses", "")).startswith(a + "@")), None)
        command = BUILD_COMMANDS.search(run) or BUILD_COMMANDS.search(scripts)
        if action:
            found.append(f"{label} uses {action}")
        elif command:
            found.append(f"{label} runs {command.group(0)!r}")
    return found


def release_build(workflow: Workflow) -> list[str]:
    """The one build: no shared cache, the CA bundle fetched first, the image tagged with the commit."""
    build = jobs(workflow).get("build") or {}
    step = jm.step_by_id(build, "build") or {}
    given = step.get("with") or {}
    problems = []
    if not str(step.get("uses", "")).startswith("docker/build-push-action@"):
        return ["the build job's build step is not docker/build-push-action"]
    if "cache-from" in given or "cache-to" in given:
        problems.append("the release build reads or writes a shared build cache")
    if given.get("provenance") is not False or given.get("sbom") is not False:
        problems.append("the release build writes provenance or SBOM manifests (an index ECR's lifecycle rule can take apart)")
    if not str(given.get("tags", "")).endswith(":${{ github.sha }}"):
        problems.append(f"the release build is tagged {given.get('tags')!r}, not with the commit")
    ca = jm.index_of(build, jm.runs_script("scripts/deploy/fetch-rds-ca-bundle.sh"))
    if ca is None or ca > (jm.id_index(build, "build") or 0):
        problems.append("the RDS CA bundle is not downloaded before the image build")
    return problems


def only_the_build_job_builds(workflow: Workflow, root: Path) -> list[str]:
    """No build in staging or production (production never builds); the build job does build."""
    problems = [f"{job_id} builds: {found}" for job_id in ("runner", *ENVIRONMENT_JOBS)
                for found in [build_steps(jobs(workflow).get(job_id) or {}, root)] if found]
    if not build_steps(jobs(workflow).get("build") or {}, root):
        problems.append("the build job has no build step")
    return problems


def digest_hops(workflow: Workflow) -> list[tuple[str, str, str]]:
    """The digest's path through the pipeline: (where, what is there, what must be there)."""
    all_jobs = jobs(workflow)
    build, staging, production = (all_jobs.get(j) or {} for j in ("build", "staging", "production"))
    pick = jm.step_by_id(build, "digest") or {}
    hops = [
        ("build.steps.digest.env.BUILT_DIGEST", (pick.get("env") or {}).get("BUILT_DIGEST"), "${{ steps.build.outputs.digest }}"),
        ("build.outputs.digest", (build.get("outputs") or {}).get("digest"), "${{ steps.digest.outputs.digest }}"),
        ("staging.env.IMAGE_DIGEST", (staging.get("env") or {}).get("IMAGE_DIGEST"), "${{ needs.build.outputs.digest }}"),
        ("production.env.IMAGE_DIGEST", (production.get("env") or {}).get("IMAGE_DIGEST"), "${{ needs.staging.outputs.digest }}"),
    ]
    for job_id, job in (("staging", staging), ("production", production)):
        step = {step_id: jm.step_by_id(job, step_id) or {} for step_id in ("image", "render", "deploy", "verify", "verified")}
        hops += [
            (f"{job_id}.steps.image.run", _run_call(step["image"], "scripts/deploy/promote-image.sh", '--digest "$IMAGE_DIGEST"'),
             'scripts/deploy/promote-image.sh --digest "$IMAGE_DIGEST"'),
            (f"{job_id}.steps.render.with.image", (step["render"].get("with") or {}).get("image"), "${{ steps.image.outputs.image }}"),
            (f"{job_id}.steps.deploy.with.task-definition", (step["deploy"].get("with") or {}).get("task-definition"),
             "${{ steps.render.outputs.task-definition }}"),
            (f"{job_id}.steps.verify.env.TASK_DEFINITION_ARN", (step["verify"].get("env") or {}).get("TASK_DEFINITION_ARN"),
             "${{ steps.deploy.outputs.task-definition-arn }}"),
            (f"{job_id}.steps.verified.run",
             _run_call(step["verified"], "scripts/deploy/current-release.py", '--expect-digest "$IMAGE_DIGEST"'),
             'scripts/deploy/current-release.py --expect-digest "$IMAGE_DIGEST"'),
            (f"{job_id}.outputs.digest", (job.get("outputs") or {}).get("digest"), "${{ steps.verified.outputs.digest }}"),
        ]
    return hops


def _run_call(step: dict, script: str, argument: str) -> str:
    """`script argument` when the step's run: calls the script with that argument, else the run: itself."""
    run = str(step.get("run", ""))
    return f"{script} {argument}" if script in run and argument in run else run


def digest_flow(workflow: Workflow) -> list[str]:
    """Production deploys the digest staging read back after its smoke test, and nothing else."""
    problems = [f"{where} is {found!r}, expected {wanted!r}" for where, found, wanted in digest_hops(workflow) if found != wanted]
    all_jobs = jobs(workflow)
    for job_id, source in (("staging", "build"), ("production", "staging")):
        job = all_jobs.get(job_id) or {}
        if source not in jm.needs_of(job):
            problems.append(f"{job_id} does not need {source}, where its digest comes from")
        for name, order in (("verify", "smoke"), ("smoke", "verified")):
            first, then = jm.id_index(job, name), jm.id_index(job, order)
            if first is None or then is None or first > then:
                problems.append(f"{job_id}: step {name} does not come before step {order}")
    production_refs = set().union(*(jm.references(value) for value in _values(all_jobs.get("production") or {})))
    if any(ref.startswith("needs.build.") for ref in production_refs):
        problems.append("production reads the build job's outputs: it must deploy what staging verified")
    return problems


def _values(node):
    """Every scalar in a parsed YAML node."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    else:
        yield node


def promotion_gate(workflow: Workflow) -> list[str]:
    """A failed staging verification (or smoke test, or guard) stops the run before production."""
    all_jobs = jobs(workflow)
    staging, production = all_jobs.get("staging") or {}, all_jobs.get("production") or {}
    problems = []
    for step_id in ("order", "image", "verify", "smoke", "verified"):
        step = jm.step_by_id(staging, step_id)
        if step is None:
            problems.append(f"staging has no step {step_id}")
        elif jm.continues_on_error(step):
            problems.append(f"staging step {step_id} has continue-on-error: its failure would not stop production")
    verified = jm.step_by_id(staging, "verified") or {}
    if jm.may_run_after_failure(verified.get("if")):
        problems.append(f"staging's verified digest is recorded even after a failure (if: {verified.get('if')})")
    for failing in ("verify", "smoke"):
        run = jm.simulate(staging, failing)
        if run.result != "failure":
            problems.append(f"staging stays green when {failing} fails")
        if "verified" in run.ran:
            problems.append(f"staging hands a digest on although {failing} failed")
        if jm.job_runs_after(production, {need: "success" for need in jm.needs_of(production)} | {"staging": run.result}):
            problems.append(f"production runs although staging failed ({failing}): needs {jm.needs_of(production)}, "
                            f"if {production.get('if')!r}")
    return problems


def runner_choice(workflow: Workflow) -> list[str]:
    """runs-on never reads a variable (it cannot see an environment's); the build checks its runner."""
    all_jobs = jobs(workflow)
    problems = [f"{job_id}: runs-on reads {sorted(jm.references(job.get('runs-on')))}; runs-on cannot read an "
                "environment's variables, so it may read only another job's outputs"
                for job_id, job in all_jobs.items()
                if any(ref.startswith(("vars.", "env.")) for ref in jm.references(job.get("runs-on")))]
    runner, build = all_jobs.get("runner") or {}, all_jobs.get("build") or {}
    if build.get("runs-on") != "${{ needs.runner.outputs.runner }}":
        problems.append(f"the build job's runs-on is {build.get('runs-on')!r}, not the runner job's output")
    if runner.get("environment") is not None:
        problems.append("the runner job names an environment: it would read variables runs-on cannot see")
    choose = jm.step_by_id(runner, "choose") or {}
    if "scripts/deploy/build-runner.sh" not in str(choose.get("run")) or \
            (choose.get("env") or {}).get("CPU_ARCHITECTURE") != "${{ vars.CPU_ARCHITECTURE }}":
        problems.append("the runner job does not choose from the repository variable CPU_ARCHITECTURE")
    check = jm.index_of(build, lambda s: "scripts/deploy/check-architecture.sh" in str(s.get("run")) and
                        '--runner-arch "$RUNNER_ARCH"' in str(s.get("run")))
    built = jm.index_of(build, jm.uses("docker/build-push-action"))
    if check is None or built is None or check > built:
        problems.append("the build job does not check its runner's architecture against the task definition before building")
    for job_id in ENVIRONMENT_JOBS:
        job = all_jobs.get(job_id) or {}
        check = jm.index_of(job, jm.runs_script("scripts/deploy/check-architecture.sh"))
        deploy = jm.id_index(job, "deploy")
        if check is None or deploy is None or check > deploy:
            problems.append(f"{job_id} does not check its task definition's architecture before deploying")
    return problems


def release_order_guard(workflow: Workflow, job_id: str) -> list[str]:
    """Before any change, the job refuses a commit older than the one the environment runs."""
    job = jobs(workflow).get(job_id) or {}
    problems = []
    before, guard = jm.id_index(job, "before"), jm.id_index(job, "order")
    first_change = min(i for i in (jm.id_index(job, "image"), jm.id_index(job, "render"), jm.id_index(job, "deploy"),
                                   len(jm.job_steps(job))) if i is not None)
    if before is None or "scripts/deploy/current-release.py" not in str(jm.job_steps(job)[before].get("run")):
        problems.append(f"{job_id}: no step reads what the environment runs before deploying")
    if guard is None:
        return problems + [f"{job_id}: no re-run guard (scripts/deploy/check-release-order.py) step"]
    step = jm.job_steps(job)[guard]
    env = step.get("env") or {}
    if "scripts/deploy/check-release-order.py" not in str(step.get("run")) or '--commit "$GITHUB_SHA"' not in str(step.get("run")):
        problems.append(f"{job_id}: the re-run guard does not check this run's commit")
    if env.get("DEPLOYED_COMMIT") != "${{ steps.before.outputs.commit }}" or '--deployed-commit "$DEPLOYED_COMMIT"' not in str(step.get("run")):
        problems.append(f"{job_id}: the re-run guard is not told the commit the environment runs")
    if env.get("GH_TOKEN") != "${{ github.token }}":
        problems.append(f"{job_id}: the re-run guard has no token to read main")
    if before is not None and guard < before or guard > first_change:
        problems.append(f"{job_id}: the re-run guard runs after a change (or before reading the environment)")
    if jm.continues_on_error(step) or jm.may_run_after_failure(step.get("if")) or step.get("if"):
        problems.append(f"{job_id}: the re-run guard can be skipped or ignored")
    return problems


def smoke_failure_rolls_back(workflow: Workflow, job_id: str) -> list[str]:
    """A failed smoke test rolls back to the revision read before the deploy, verified, and stays red."""
    job = jobs(workflow).get(job_id) or {}
    rollback = jm.step_by_id(job, "rollback")
    if rollback is None:
        return [f"{job_id}: no rollback step after a failed smoke test"]
    problems = []
    run, env, condition = str(rollback.get("run")), rollback.get("env") or {}, str(rollback.get("if"))
    if "scripts/deploy/roll-back-service.sh" not in run or '--task-definition-arn "$PREVIOUS_TASK_DEFINITION_ARN"' not in run:
        problems.append(f"{job_id}: the rollback step does not run roll-back-service.sh with the replaced revision")
    if env.get("PREVIOUS_TASK_DEFINITION_ARN") != "${{ steps.before.outputs.task-definition-arn }}":
        problems.append(f"{job_id}: the rollback goes to {env.get('PREVIOUS_TASK_DEFINITION_ARN')!r}, not the revision "
                        "read before the deploy")
    if "failure()" not in condition or "steps.smoke.outcome == 'failure'" not in condition:
        problems.append(f"{job_id}: the rollback does not run when the smoke test fails (if: {condition})")
    if (jm.id_index(job, "rollback") or 0) < (jm.id_index(job, "smoke") or 0):
        problems.append(f"{job_id}: the rollback comes before the smoke test")
    for step_id in ("smoke", "rollback"):
        if jm.continues_on_error(jm.step_by_id(job, step_id) or {}):
            problems.append(f"{job_id}: {step_id} has continue-on-error: the job must go red")
    simulated = jm.simulate(job, "smoke")
    if "rollback" not in simulated.ran or simulated.result != "failure":
        problems.append(f"{job_id}: a failed smoke test gives {simulated.result} with steps {simulated.ran}")
    return problems


def admin_follows_image(workflow: Workflow, job_id: str, admin_container: str) -> list[str]:
    """After the release is verified, the admin task family gets a revision with the deployed image."""
    job = jobs(workflow).get(job_id) or {}
    render, register = jm.step_by_id(job, "admin-render") or {}, jm.step_by_id(job, "admin") or {}
    given, service_image = render.get("with") or {}, ((jm.step_by_id(job, "render") or {}).get("with") or {}).get("image")
    problems = []
    if not str(render.get("uses", "")).startswith("aws-actions/amazon-ecs-render-task-definition@") or \
            given.get("task-definition-family") != "${{ vars.ECS_ADMIN_TASK_FAMILY }}":
        problems.append(f"{job_id}: the admin task definition is not rendered from its live family")
    if given.get("image") != service_image or given.get("container-name") != "${{ env.ECS_ADMIN_CONTAINER_NAME }}":
        problems.append(f"{job_id}: the admin container does not get the deployed image ({given.get('image')!r})")
    if (job.get("env") or {}).get("ECS_ADMIN_CONTAINER_NAME") != admin_container:
        problems.append(f"{job_id}: ECS_ADMIN_CONTAINER_NAME is not {admin_container!r}, the admin container of terraform/ecs")
    register_with = register.get("with") or {}
    if not str(register.get("uses", "")).startswith("aws-actions/amazon-ecs-deploy-task-definition@") or \
            register_with.get("task-definition") != "${{ steps.admin-render.outputs.task-definition }}":
        problems.append(f"{job_id}: the admin revision is not registered")
    if {"service", "cluster"} & set(register_with):
        problems.append(f"{job_id}: the admin registration names a service: it must only register")
    if (jm.id_index(job, "admin-render") or -1) < (jm.id_index(job, "verified") or 0):
        problems.append(f"{job_id}: the admin revision is registered before the release is verified")
    return problems
