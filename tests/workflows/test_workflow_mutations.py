"""Copies of the real workflows with one fault planted each: the checks must catch every one.

This is what makes a green `make workflow-check` mean something: the structural rules, zizmor and
actionlint are each shown failing on a workflow that breaks what they guard.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import workflow_rules as rules
from workflow_support import VERIFIED_PINS, WORKFLOWS

DEPLOY_TEXT = (WORKFLOWS / "deploy.yml").read_text()
CI_TEXT = (WORKFLOWS / "ci.yml").read_text()
CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
# Built at run time so no key-shaped string sits in the repository for scanners to trip on.
FAKE_ACCESS_KEY = "AKIA" + "IOSFODNN7" + "EXAMPLE"
FAKE_ACCOUNT = "1234" + "5678" + "9012"


def mutate(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, f"the workflow no longer contains {old!r}; update this mutation"
    return text.replace(old, new, count)


def remove_step(text: str, first_line: str) -> str:
    """Drop the step that starts with `first_line` (up to the next step at the same indent)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == first_line.strip())
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and not (lines[end].strip().startswith("- ") and
                                    len(lines[end]) - len(lines[end].lstrip()) == indent):
        end += 1
    return "".join(lines[:start] + lines[end:])


VERIFY_STEP = "- name: Verify the deployment completed (no rollback)"
OIDC_STEP = "- name: Configure AWS credentials (OIDC, no stored key)"

# (name, workflow text after mutation, file name, words one of the problems must contain)
MUTATIONS = [
    ("top-level permissions write-all",
     mutate(DEPLOY_TEXT, "permissions: {}\n", "permissions: write-all\n"), "deploy.yml", "top-level permissions"),
    ("top-level permissions removed",
     mutate(CI_TEXT, "permissions: {}\n", ""), "ci.yml", "no top-level permissions"),
    ("deploy job may write packages",
     mutate(DEPLOY_TEXT, "      contents: read # the checkout\n", "      contents: read\n      packages: write\n"),
     "deploy.yml", "deploy job permissions"),
    ("deploy job environment staging",
     mutate(DEPLOY_TEXT, "name: production\n", "name: staging\n"), "deploy.yml", "'staging'"),
    ("deploys cancel each other",
     mutate(DEPLOY_TEXT, "cancel-in-progress: false", "cancel-in-progress: true"), "deploy.yml", "no cancelling"),
    ("deploy on every branch",
     mutate(DEPLOY_TEXT, "  push:\n    branches: [main]\n", "  push:\n"), "deploy.yml", "expected ['main'] only"),
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
    ("no rollback verification", remove_step(DEPLOY_TEXT, VERIFY_STEP), "deploy.yml", "no rollback verification"),
    ("no OIDC step", remove_step(DEPLOY_TEXT, OIDC_STEP), "deploy.yml", "no configure-aws-credentials (OIDC) step"),
    ("stored keys beside the role",
     mutate(DEPLOY_TEXT, "mask-aws-account-id: true", "mask-aws-account-id: true\n          aws-secret-access-key: ${{ secrets.AWS_SECRET }}"),
     "deploy.yml", "stored credentials"),
    ("secret in a job-wide env",
     mutate(DEPLOY_TEXT, "      AWS_REGION: ${{ vars.AWS_REGION }}\n",
            "      AWS_REGION: ${{ vars.AWS_REGION }}\n      SMOKE_TEST_API_KEY: ${{ secrets.SMOKE_TEST_API_KEY }}\n"),
     "deploy.yml", "secret in the job's env"),
    ("production build uses the shared cache",
     mutate(DEPLOY_TEXT, "          provenance: false\n", "          provenance: false\n          cache-from: type=gha\n"),
     "deploy.yml", "shared build cache"),
    ("no wait for stability",
     mutate(DEPLOY_TEXT, "wait-for-service-stability: true", "wait-for-service-stability: false"),
     "deploy.yml", "does not wait for service stability"),
    ("job without a time limit",
     mutate(CI_TEXT, "    timeout-minutes: 15\n", ""), "ci.yml", "no timeout-minutes"),
]


def all_problems(workflow: rules.Workflow) -> list[str]:
    verified = rules.read_verified_pins(VERIFIED_PINS)
    problems = []
    for rule in (rules.top_level_permissions_empty, rules.checkout_without_credentials, rules.no_expressions_in_run,
                 rules.no_secret_shaped_literals, rules.jobs_are_bounded, rules.secrets_only_in_step_env):
        problems += rule(workflow)
    problems += rules.uses_pinned_and_verified(workflow, verified)
    if workflow.name == "deploy.yml":
        problems += rules.deploy_triggers(workflow) + rules.deploy_job_shape(workflow) + rules.deploy_steps(workflow)
    return problems


def test_unmutated_workflows_have_no_problems():
    for name, text in (("deploy.yml", DEPLOY_TEXT), ("ci.yml", CI_TEXT)):
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
