"""Copies of the real workflows with one fault planted each: the checks must catch every one.

This is what makes a green `make workflow-check` mean something: the structural rules, zizmor and
actionlint are each shown failing on a workflow that breaks what they guard.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline_rules as pipeline
import rollback_rules
import workflow_rules as rules
from workflow_support import ROOT, VERIFIED_PINS, WORKFLOWS, admin_container_of_terraform

DEPLOY_TEXT = (WORKFLOWS / "deploy.yml").read_text()
ROLLBACK_TEXT = (WORKFLOWS / "rollback.yml").read_text()
CI_TEXT = (WORKFLOWS / "ci.yml").read_text()
CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
BUILD_PUSH = "docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a # v7.3.0"
# Built at run time so no key-shaped string sits in the repository for scanners to trip on.
FAKE_ACCESS_KEY = "AKIA" + "IOSFODNN7" + "EXAMPLE"
FAKE_ACCOUNT = "1234" + "5678" + "9012"


def mutate(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, f"the workflow no longer contains {old!r}; update this mutation"
    return text.replace(old, new, count)


def job_span(text: str, job_id: str) -> tuple[int, int]:
    """Where a job's block starts and ends in the workflow's text (jobs sit at two spaces)."""
    start = text.index(f"\n  {job_id}:\n") + 1
    following = re.search(r"^  [A-Za-z0-9_-]+:\n", text[start + 1:], re.M)
    return start, (start + 1 + following.start()) if following else len(text)


def mutate_job(text: str, job_id: str, old: str, new: str) -> str:
    """Replace the first `old` inside one job only (staging and production share their steps' text)."""
    start, end = job_span(text, job_id)
    return text[:start] + mutate(text[start:end], old, new) + text[end:]


def remove_step(text: str, first_line: str, job_id: str | None = None) -> str:
    """Drop the step that starts with `first_line` (up to the next step at the same indent)."""
    start_of_job, end_of_job = job_span(text, job_id) if job_id else (0, len(text))
    lines = text[start_of_job:end_of_job].splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == first_line.strip())
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and not (lines[end].strip().startswith("- ") and
                                    len(lines[end]) - len(lines[end].lstrip()) == indent):
        end += 1
    return text[:start_of_job] + "".join(lines[:start] + lines[end:]) + text[end_of_job:]


def add_step(text: str, job_id: str, before_line: str, step: str) -> str:
    """Insert a step (YAML at the steps' indent) before the step starting with `before_line`, in one job."""
    return mutate_job(text, job_id, before_line, step + before_line)


VERIFY_STEP = "      - name: Verify the deployment completed (no rollback)"
OIDC_STEP = "      - name: Configure AWS credentials (OIDC, no stored key)"
GUARD_STEP = "      - name: Refuse to deploy over a newer commit"
ROLLBACK_STEP = "      - name: Roll back to the revision this run replaced"
ADMIN_RENDER_STEP = "      - name: Render the admin task definition with the deployed image"
RENDER_STEP = "      - name: Render the task definition from the live one"
TARGET_STEP = "      - name: Check the target"
BUILD_IN_PRODUCTION = f"""      - name: Build here too
        uses: {BUILD_PUSH}
        with:
          context: app
          push: true
"""

# (name, workflow text after mutation, file name, words one of the problems must contain)
MUTATIONS = [
    # Every workflow
    ("top-level permissions write-all",
     mutate(DEPLOY_TEXT, "permissions: {}\n", "permissions: write-all\n"), "deploy.yml", "top-level permissions"),
    ("top-level permissions removed",
     mutate(CI_TEXT, "permissions: {}\n", ""), "ci.yml", "no top-level permissions"),
    ("action pinned by tag",
     mutate(CI_TEXT, CHECKOUT, "actions/checkout@v7.0.1"), "ci.yml", "not pinned to a full 40-hex commit"),
    ("action pinned to an unverified commit",
     mutate(CI_TEXT, CHECKOUT, "actions/checkout@" + "0" * 40 + " # v7.0.1"), "ci.yml", "not in the verified pins"),
    ("pin comment names another tag",
     mutate(CI_TEXT, CHECKOUT, CHECKOUT.replace("v7.0.1", "v6.0.0")), "ci.yml", "the verified tag is 'v7.0.1'"),
    ("checkout keeps credentials",
     mutate(CI_TEXT, "          persist-credentials: false\n", "          persist-credentials: true\n"),
     "ci.yml", "persist-credentials: false"),
    ("expression inside run",
     mutate(DEPLOY_TEXT, 'python3 scripts/deploy/verify-deployment.py --cluster "$ECS_CLUSTER"',
            "python3 scripts/deploy/verify-deployment.py --cluster ${{ vars.ECS_CLUSTER }}"),
     "deploy.yml", "inside run:"),
    ("rollback input inside run",
     mutate(ROLLBACK_TEXT, '--target "$ROLLBACK_TARGET"', "--target ${{ inputs.target }}"), "rollback.yml", "inside run:"),
    ("access key literal",
     mutate(DEPLOY_TEXT, "mask-aws-account-id: true", f"mask-aws-account-id: true\n          aws-access-key-id: {FAKE_ACCESS_KEY}"),
     "deploy.yml", "AWS access key id literal"),
    ("role ARN written out",
     mutate(DEPLOY_TEXT, "role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}",
            f"role-to-assume: arn:aws:iam::{FAKE_ACCOUNT}:role/orders-deploy"),
     "deploy.yml", "ARN literal"),
    ("private key literal",
     mutate(CI_TEXT, "POSTGRES_PASSWORD: orders-ci", "POSTGRES_PASSWORD: |\n            -----BEGIN " + "PRIVATE KEY-----"),
     "ci.yml", "private key literal"),
    ("secret in a job-wide env",
     mutate_job(DEPLOY_TEXT, "production", "      AWS_REGION: ${{ vars.AWS_REGION }}\n",
                "      AWS_REGION: ${{ vars.AWS_REGION }}\n      SMOKE_TEST_API_KEY: ${{ secrets.SMOKE_TEST_API_KEY }}\n"),
     "deploy.yml", "secret in the job's env"),
    ("credentials shorter than the job",
     mutate_job(DEPLOY_TEXT, "production", "role-duration-seconds: 7200", "role-duration-seconds: 3600"), "deploy.yml",
     "production may run 7200 s but its credentials last 3600 s"),
    ("credentials longer than the role allows",
     mutate(ROLLBACK_TEXT, "role-duration-seconds: 5400", "role-duration-seconds: 43200"), "rollback.yml",
     "more than the deploy role's max_session_duration"),
    ("job without a time limit",
     mutate(CI_TEXT, "    timeout-minutes: 15\n", ""), "ci.yml", "no timeout-minutes"),

    # The pipeline's jobs
    ("deploy on every branch",
     mutate(DEPLOY_TEXT, "  push:\n    branches: [main]\n", "  push:\n"), "deploy.yml", "expected ['main'] only"),
    ("production job in the staging environment",
     mutate_job(DEPLOY_TEXT, "production", "name: production\n", "name: staging\n"), "deploy.yml",
     "production job environment is 'staging'"),
    ("production job may write packages",
     mutate_job(DEPLOY_TEXT, "production", "      contents: read # the checkout, and the re-run guard's reading of main\n",
                "      contents: read\n      packages: write\n"),
     "deploy.yml", "production job permissions"),
    ("production deploys cancel each other",
     mutate_job(DEPLOY_TEXT, "production", "cancel-in-progress: false", "cancel-in-progress: true"), "deploy.yml",
     "no cancelling"),
    ("no rollback verification", remove_step(DEPLOY_TEXT, VERIFY_STEP, "production"), "deploy.yml",
     "production: no rollback verification"),
    ("no OIDC step", remove_step(DEPLOY_TEXT, OIDC_STEP, "staging"), "deploy.yml",
     "staging: no configure-aws-credentials (OIDC) step"),
    ("stored keys beside the role",
     mutate_job(DEPLOY_TEXT, "production", "mask-aws-account-id: true",
                "mask-aws-account-id: true\n          aws-secret-access-key: ${{ secrets.AWS_SECRET }}"),
     "deploy.yml", "stored credentials"),
    ("no wait for stability",
     mutate_job(DEPLOY_TEXT, "production", "wait-for-service-stability: true", "wait-for-service-stability: false"),
     "deploy.yml", "production: the deploy step does not wait for service stability"),
    ("staging and production drift apart",
     mutate_job(DEPLOY_TEXT, "production", "wait-for-minutes: 30", "wait-for-minutes: 5"), "deploy.yml",
     "do not run the same steps"),

    # The one build
    ("release build uses the shared cache",
     mutate(DEPLOY_TEXT, "          provenance: false\n", "          provenance: false\n          cache-from: type=gha\n"),
     "deploy.yml", "shared build cache"),
    ("release build without the CA bundle",
     remove_step(DEPLOY_TEXT, "      - name: Download the RDS CA bundle into the build context", "build"), "deploy.yml",
     "the RDS CA bundle is not downloaded before the image build"),

    # Production never builds, and deploys what staging verified
    ("production builds the image", add_step(DEPLOY_TEXT, "production", RENDER_STEP, BUILD_IN_PRODUCTION),
     "deploy.yml", "production builds"),
    ("production runs docker build",
     add_step(DEPLOY_TEXT, "production", RENDER_STEP, "      - name: Build\n        run: docker build --tag orders app\n"),
     "deploy.yml", "production builds"),
    ("production prepares a build context",
     add_step(DEPLOY_TEXT, "production", RENDER_STEP,
              "      - name: CA bundle\n        run: scripts/deploy/fetch-rds-ca-bundle.sh --output app/certs/rds-ca-bundle.pem\n"),
     "deploy.yml", "production builds"),
    ("production takes the build's digest",
     mutate_job(DEPLOY_TEXT, "production", "IMAGE_DIGEST: ${{ needs.staging.outputs.digest }}",
                "IMAGE_DIGEST: ${{ needs.build.outputs.digest }}"),
     "deploy.yml", "production.env.IMAGE_DIGEST"),
    ("staging hands on the digest it was given, not the one it verified",
     mutate_job(DEPLOY_TEXT, "staging", "digest: ${{ steps.verified.outputs.digest }}", "digest: ${{ needs.build.outputs.digest }}"),
     "deploy.yml", "staging.outputs.digest"),
    ("the render takes the digest without making it available",
     mutate_job(DEPLOY_TEXT, "production", "image: ${{ steps.image.outputs.image }}", "image: ${{ env.IMAGE_DIGEST }}"),
     "deploy.yml", "production.steps.render.with.image"),
    ("the verified digest is not checked against ECS",
     mutate_job(DEPLOY_TEXT, "staging", ' --expect-digest "$IMAGE_DIGEST"', ""), "deploy.yml", "staging.steps.verified.run"),

    # A release that fails in staging never reaches production
    ("production runs whatever staging did",
     mutate_job(DEPLOY_TEXT, "production", "    needs: [runner, staging]\n", "    needs: [runner, staging]\n    if: ${{ always() }}\n"),
     "deploy.yml", "production runs although staging failed"),
    ("production does not wait for staging",
     mutate_job(DEPLOY_TEXT, "production", "    needs: [runner, staging]\n", "    needs: [runner, build]\n"),
     "deploy.yml", "production does not need staging"),
    ("staging verification may fail",
     mutate_job(DEPLOY_TEXT, "staging", "        id: verify\n", "        id: verify\n        continue-on-error: true\n"),
     "deploy.yml", "staging stays green when verify fails"),
    ("staging smoke test may fail",
     mutate_job(DEPLOY_TEXT, "staging", "        id: smoke\n", "        id: smoke\n        continue-on-error: true\n"),
     "deploy.yml", "staging step smoke has continue-on-error"),
    ("staging hands on a digest after a failure",
     mutate_job(DEPLOY_TEXT, "staging", "        id: verified\n", "        id: verified\n        if: ${{ always() }}\n"),
     "deploy.yml", "staging hands a digest on although verify failed"),
    ("the whole staging job may fail",
     mutate_job(DEPLOY_TEXT, "staging", "    timeout-minutes: 120\n", "    timeout-minutes: 120\n    continue-on-error: true\n"),
     "deploy.yml", "staging job has continue-on-error"),

    # runs-on cannot read an environment's variables
    ("runs-on reads the variable",
     mutate(DEPLOY_TEXT, "runs-on: ${{ needs.runner.outputs.runner }}",
            "runs-on: ${{ vars.CPU_ARCHITECTURE == 'ARM64' && 'ubuntu-24.04-arm' || 'ubuntu-24.04' }}"),
     "deploy.yml", "runs-on cannot read an environment's variables"),
    ("the runner job reads an environment",
     mutate_job(DEPLOY_TEXT, "runner", "    timeout-minutes: 5\n", "    timeout-minutes: 5\n    environment: staging\n"),
     "deploy.yml", "the runner job names an environment"),
    ("the build does not check its runner",
     mutate_job(DEPLOY_TEXT, "build", ' --runner-arch "$RUNNER_ARCH"', ""), "deploy.yml",
     "does not check its runner's architecture"),
    ("production does not check the architecture",
     remove_step(DEPLOY_TEXT, "      - name: Check the task definition against the image's architecture", "production"),
     "deploy.yml", "production does not check its task definition's architecture"),

    # The re-run guard
    ("no re-run guard", remove_step(DEPLOY_TEXT, GUARD_STEP, "production"), "deploy.yml", "production: no re-run guard"),
    ("the guard is not told what runs",
     mutate_job(DEPLOY_TEXT, "production", "DEPLOYED_COMMIT: ${{ steps.before.outputs.commit }}", "DEPLOYED_COMMIT: ''"),
     "deploy.yml", "is not told the commit the environment runs"),
    ("the guard may fail",
     mutate_job(DEPLOY_TEXT, "staging", "        id: order\n", "        id: order\n        continue-on-error: true\n"),
     "deploy.yml", "the re-run guard can be skipped or ignored"),

    # A failed smoke test rolls back
    ("no rollback after a failed smoke test", remove_step(DEPLOY_TEXT, ROLLBACK_STEP, "production"), "deploy.yml",
     "production: no rollback step"),
    ("rollback to the revision just deployed",
     mutate_job(DEPLOY_TEXT, "production", "PREVIOUS_TASK_DEFINITION_ARN: ${{ steps.before.outputs.task-definition-arn }}",
                "PREVIOUS_TASK_DEFINITION_ARN: ${{ steps.deploy.outputs.task-definition-arn }}"),
     "deploy.yml", "not the revision read before the deploy"),
    ("a rollback that turns the job green",
     mutate_job(DEPLOY_TEXT, "production", "        id: smoke\n", "        id: smoke\n        continue-on-error: true\n"),
     "deploy.yml", "production: smoke has continue-on-error"),

    # The admin task follows the image
    ("the admin task keeps Terraform's image", remove_step(DEPLOY_TEXT, ADMIN_RENDER_STEP, "production"), "deploy.yml",
     "production: the admin task definition is not rendered"),
    ("the admin task gets another image",
     mutate_job(DEPLOY_TEXT, "staging", "          container-name: ${{ env.ECS_ADMIN_CONTAINER_NAME }}\n          image: ${{ steps.image.outputs.image }}",
                "          container-name: ${{ env.ECS_ADMIN_CONTAINER_NAME }}\n          image: ${{ steps.before.outputs.image }}"),
     "deploy.yml", "staging: the admin container does not get the deployed image"),

    # The rollback workflow
    ("rollback target not checked", remove_step(ROLLBACK_TEXT, TARGET_STEP), "rollback.yml", "the target is not checked"),
    ("rollback of a digest not verified", remove_step(ROLLBACK_TEXT, VERIFY_STEP), "rollback.yml",
     "a deployed digest is not verified"),
    ("rollback beside a running deploy",
     mutate(ROLLBACK_TEXT, "group: deploy-${{ inputs.environment }}", "group: rollback-${{ inputs.environment }}"),
     "rollback.yml", "share the deploy's group"),
    ("rollback outside the environment",
     mutate(ROLLBACK_TEXT, "      name: ${{ inputs.environment }}\n", "      name: production\n"), "rollback.yml",
     "its deploy role and approval must apply"),
    ("rollback input read in with:",
     mutate(ROLLBACK_TEXT, "image: ${{ steps.target.outputs.image }}", "image: ${{ inputs.target }}"), "rollback.yml",
     "reads an input outside its env"),
]


def all_problems(workflow: rules.Workflow) -> list[str]:
    verified = rules.read_verified_pins(VERIFIED_PINS)
    problems = []
    for rule in (rules.top_level_permissions_empty, rules.checkout_without_credentials, rules.no_expressions_in_run,
                 rules.no_secret_shaped_literals, rules.jobs_are_bounded, rules.secrets_only_in_step_env,
                 rules.credentials_outlast_the_job):
        problems += rule(workflow)
    problems += rules.uses_pinned_and_verified(workflow, verified)
    if workflow.name == "deploy.yml":
        problems += pipeline.deploy_triggers(workflow) + pipeline.pipeline_jobs(workflow)
        problems += pipeline.environment_jobs_identical(workflow) + pipeline.only_the_build_job_builds(workflow, ROOT)
        problems += pipeline.release_build(workflow)
        problems += pipeline.digest_flow(workflow) + pipeline.promotion_gate(workflow) + pipeline.runner_choice(workflow)
        for job_id in pipeline.ENVIRONMENT_JOBS:
            problems += pipeline.deploy_steps(workflow, job_id) + pipeline.release_order_guard(workflow, job_id)
            problems += pipeline.smoke_failure_rolls_back(workflow, job_id)
            problems += pipeline.admin_follows_image(workflow, job_id, admin_container_of_terraform())
    if workflow.name == "rollback.yml":
        problems += rollback_rules.rollback_shape(workflow) + rollback_rules.rollback_steps(workflow)
    return problems


def test_unmutated_workflows_have_no_problems():
    for name, text in (("deploy.yml", DEPLOY_TEXT), ("rollback.yml", ROLLBACK_TEXT), ("ci.yml", CI_TEXT)):
        assert all_problems(rules.Workflow.parse(Path(name), text)) == []


@pytest.mark.parametrize(("case", "text", "name", "words"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_structural_rules_catch_the_fault(case, text, name, words, capsys):
    problems = all_problems(rules.Workflow.parse(Path(name), text))
    with capsys.disabled():
        print(f"\n  [{case}] caught: {[p for p in problems if words in p][:1]}")
    assert any(words in problem for problem in problems), f"{case}: not caught; problems: {problems}"


# --- the external linters -------------------------------------------------------------------------


def tool(name: str) -> str:
    """The linter from the project's environment; missing is a failure, never a skip."""
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert found, f"{name} is not installed: run `make venv` (tools/requirements.txt pins it)"
    return found


def planted_workflow(tmp_path: Path, text: str, name: str = "planted.yml") -> Path:
    directory = tmp_path / ".github" / "workflows"
    directory.mkdir(parents=True)
    path = directory / name
    path.write_text(text)
    return path


def test_zizmor_finds_planted_faults(tmp_path: Path):
    text = mutate(CI_TEXT, CHECKOUT, "actions/checkout@v7.0.1", count=-1)
    # Left unset, checkout keeps the token in .git/config (artipacked).
    text = mutate(text, "        with:\n          persist-credentials: false\n", "", count=-1)
    text = mutate(text, "run: make workflow-check", "run: echo ${{ github.head_ref }} && make workflow-check")
    path = planted_workflow(tmp_path, text)
    result = subprocess.run([tool("zizmor"), "--offline", "--format", "json", str(path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0, "zizmor passed a workflow with planted faults"
    found = {finding["ident"] for finding in json.loads(result.stdout)}
    print(f"\n  zizmor on the planted workflow: {sorted(found)}")
    assert {"unpinned-uses", "artipacked", "template-injection"} <= found


def test_zizmor_passes_the_real_workflows():
    result = subprocess.run([tool("zizmor"), "--offline", "--format", "json", str(WORKFLOWS)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_actionlint_finds_planted_faults(tmp_path: Path):
    text = mutate(DEPLOY_TEXT, "run: scripts/deploy/smoke-test.sh",
                  "run: |\n          scripts/deploy/smoke-test.sh $SMOKE_TEST_CUSTOMER_ID")  # unquoted: SC2086
    text = mutate(text, "${{ steps.render.outputs.task-definition }}", "${{ steps.rendered.outputs.task-definition }}")
    path = planted_workflow(tmp_path, text)
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    result = subprocess.run([tool("actionlint"), "-no-color", "-oneline", str(path)],
                            capture_output=True, text=True, timeout=120, check=False, env=env)
    print(f"\n  actionlint on the planted workflow:\n{result.stdout}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SC2086" in result.stdout, "shellcheck did not run inside actionlint"
    assert 'property "rendered" is not defined' in result.stdout
