"""The release pipeline (deploy.yml) and the rollback workflow (rollback.yml), read with PyYAML.

Each test applies a rule of pipeline_rules.py or rollback_rules.py to the real workflow and prints
what it traced; test_workflow_mutations.py shows every rule failing on a planted fault.
"""

from __future__ import annotations

import re

import pytest

import job_model as jm
import pipeline_rules as pipeline
import rollback_rules
from workflow_support import ROOT, WORKFLOWS, admin_container_of_terraform


def test_triggers_and_jobs(deploy):
    assert pipeline.deploy_triggers(deploy) == []
    assert pipeline.pipeline_jobs(deploy) == []


@pytest.mark.parametrize("job_id", pipeline.ENVIRONMENT_JOBS)
def test_environment_job_deploys_verifies_and_smoke_tests(deploy, job_id):
    assert pipeline.deploy_steps(deploy, job_id) == []


def test_staging_and_production_run_the_same_steps(deploy, capsys):
    assert pipeline.environment_jobs_identical(deploy) == []
    staging, production = (deploy.data["jobs"][job_id] for job_id in pipeline.ENVIRONMENT_JOBS)
    differing = {name: (staging["env"][name], production["env"][name]) for name in pipeline.PER_ENVIRONMENT_ENV}
    with capsys.disabled():
        print(f"\n  {len(staging['steps'])} identical steps; env that differs: {differing}")


def test_the_one_build(deploy):
    assert pipeline.release_build(deploy) == []


def test_production_job_has_no_build_step(deploy, capsys):
    assert pipeline.only_the_build_job_builds(deploy, ROOT) == []
    production = deploy.data["jobs"]["production"]
    with capsys.disabled():
        print("\n  production steps: " + "; ".join(s.get("id") or s["name"] for s in production["steps"]))
        print(f"  build steps of the build job: {pipeline.build_steps(deploy.data['jobs']['build'], ROOT)}")


def test_production_deploys_the_digest_staging_verified(deploy, capsys):
    assert pipeline.digest_flow(deploy) == []
    with capsys.disabled():
        print()
        for where, found, _ in pipeline.digest_hops(deploy):
            print(f"  {where} = {found}")


def test_failed_staging_verification_stops_the_run_before_production(deploy, capsys):
    assert pipeline.promotion_gate(deploy) == []
    staging, production = deploy.data["jobs"]["staging"], deploy.data["jobs"]["production"]
    run = jm.simulate(staging, "verify")
    assert run.result == "failure" and "verified" not in run.ran and "smoke" not in run.ran
    assert not jm.job_runs_after(production, {"runner": "success", "staging": run.result})
    with capsys.disabled():
        print(f"\n  staging with verify failing: {run.result}; steps that run or may run: {run.ran}")
        print(f"  production needs {jm.needs_of(production)}, if {production.get('if')!r}: skipped")


def test_runs_on_reads_only_job_outputs_and_the_build_checks_its_runner(deploy):
    assert pipeline.runner_choice(deploy) == []


@pytest.mark.parametrize("job_id", pipeline.ENVIRONMENT_JOBS)
def test_rerun_guard_runs_before_any_change(deploy, job_id):
    assert pipeline.release_order_guard(deploy, job_id) == []


@pytest.mark.parametrize("job_id", pipeline.ENVIRONMENT_JOBS)
def test_smoke_failure_rolls_back_and_stays_red(deploy, job_id, capsys):
    assert pipeline.smoke_failure_rolls_back(deploy, job_id) == []
    run = jm.simulate(deploy.data["jobs"][job_id], "smoke")
    with capsys.disabled():
        print(f"\n  {job_id} with the smoke test failing: {run.result}; steps that run or may run: {run.ran}")


@pytest.mark.parametrize("job_id", pipeline.ENVIRONMENT_JOBS)
def test_admin_task_definition_follows_the_deployed_image(deploy, job_id):
    assert pipeline.admin_follows_image(deploy, job_id, admin_container_of_terraform()) == []


def test_environment_variables_come_from_the_environment(deploy):
    for job_id in pipeline.ENVIRONMENT_JOBS:
        env = deploy.data["jobs"][job_id]["env"]
        for name in ("AWS_REGION", "AWS_DEPLOY_ROLE_ARN", "ECR_REPOSITORY", "ECS_CLUSTER", "ECS_SERVICE", "ECS_TASK_FAMILY",
                     "ECS_CONTAINER_NAME", "ECS_ADMIN_TASK_FAMILY", "SERVICE_URL", "PROMOTE_FROM_ECR_REPOSITORY_URL"):
            assert env.get(name) == f"${{{{ vars.{name} }}}}", (job_id, name)
    # The only secret is the smoke test's API key, and only the smoke test steps see it.
    for path in (WORKFLOWS / "deploy.yml", WORKFLOWS / "rollback.yml"):
        assert set(re.findall(r"secrets\.\w+", path.read_text())) == {"secrets.SMOKE_TEST_API_KEY"}


def test_rollback_workflow_shape(rollback):
    assert rollback_rules.rollback_shape(rollback) == []


def test_rollback_workflow_checks_deploys_and_verifies(rollback):
    assert rollback_rules.rollback_steps(rollback) == []


def test_rollback_shares_each_environments_deploy_slot(deploy, rollback):
    group = rollback.data["jobs"]["rollback"]["concurrency"]["group"]
    for job_id in pipeline.ENVIRONMENT_JOBS:
        environment = pipeline.environment_name(deploy.data["jobs"][job_id])
        assert deploy.data["jobs"][job_id]["concurrency"]["group"] == group.replace("${{ inputs.environment }}", environment)
