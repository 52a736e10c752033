"""Structural checks of .github/workflows (PyYAML): the rules of workflow_rules.py hold for each file."""

from __future__ import annotations

import re

import pytest

import workflow_rules as rules
from workflow_support import ROOT, SHARED_PINS_REFERENCE, VERIFIED_PINS, WORKFLOWS

WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


@pytest.fixture(scope="module")
def verified() -> dict:
    return rules.read_verified_pins(VERIFIED_PINS)


def test_the_workflows_exist():
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", "deploy.yml", "rollback.yml"}


GENERAL_RULES = [
    rules.top_level_permissions_empty,
    rules.checkout_without_credentials,
    rules.no_expressions_in_run,
    rules.no_secret_shaped_literals,
    rules.jobs_are_bounded,
    rules.secrets_only_in_step_env,
    rules.credentials_outlast_the_job,
]


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("rule", GENERAL_RULES, ids=lambda r: r.__name__)
def test_general_rule(rule, path):
    assert rule(rules.Workflow.load(path)) == []


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_verified_commit(path, verified):
    workflow = rules.Workflow.load(path)
    assert rules.uses_pinned_and_verified(workflow, verified) == []
    assert any(step.get("uses") for _, _, step in rules.steps(workflow)), "no action found: parsing broke?"


def test_verified_pins_match_the_team_reference(verified):
    """The in-repository list agrees with the team's verified list wherever that list is at hand."""
    if not SHARED_PINS_REFERENCE.exists():
        # On GitHub's runners the team's reference is not beside the checkout; the list in the
        # repository is then the reference, and its form is what can be checked.
        assert all(rules.FULL_SHA.match(commit) and tag.startswith("v") for (_, commit), tag in verified.items())
        return
    reference = SHARED_PINS_REFERENCE.read_text()
    rows = set(re.findall(r"^\|\s*([\w.-]+/[\w.-]+)\s*\|\s*(v[\d.]+)\s*\|\s*([0-9a-f]{40})\s*\|", reference, re.M))
    missing = [(action, tag, commit) for (action, commit), tag in verified.items() if (action, tag, commit) not in rows]
    assert not missing, f"pins not in {SHARED_PINS_REFERENCE}: {missing}"


def test_ci_runs_on_pull_requests_and_main(ci):
    on = rules.triggers(ci)
    assert "pull_request" in on and on["push"]["branches"] == ["main"]
    assert "pull_request_target" not in on and "workflow_run" not in on


def test_ci_jobs_only_read(ci):
    for job_id, job in rules.jobs(ci).items():
        assert job.get("permissions") in rules.READ_ONLY_PERMISSIONS, job_id


def make_targets_run_by(workflow: rules.Workflow) -> set[str]:
    targets = set()
    for _, _, step in rules.steps(workflow):
        for command in re.findall(r"^\s*make\s+([^\n#;&|]+)", str(step.get("run", "")), re.M):
            targets.update(word for word in command.split() if "=" not in word and not word.startswith("-"))
    return targets


def test_ci_runs_every_check_of_make_test(ci):
    """Whatever `make test` checks, a CI job checks too (CI may run more, never less)."""
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(r"^TEST_TARGETS\s*:=\s*(.*)$", makefile, re.M)
    assert line, "TEST_TARGETS not found in the Makefile"
    test_targets = set(line.group(1).split())
    run = make_targets_run_by(ci)
    # A *-start target only starts what a later target collects; running any target that collects it covers
    # both (the debug build is collected by `build`, which the Swift, contract and service tests run first).
    collected_by = {"infra-apply-start": {"infra-apply-test"}, "platform-rehearsal-start": {"platform-rehearsal"},
                    "build-start": {"build", "swift-test", "contract-test", "service-test", "bench-smoke"}}
    covered = run | {start for start, collectors in collected_by.items() if collectors & run}
    assert test_targets <= covered, f"make test checks that no CI job runs: {sorted(test_targets - covered)}"
    print(f"\n  make test: {sorted(test_targets)}\n  ci.yml runs: {sorted(run)}")


def test_ci_runs_real_terraform_and_hadolint(ci):
    runs = "\n".join(str(step.get("run", "")) for _, _, step in rules.steps(ci))
    assert "terraform fmt -check -recursive" in runs
    # make infra-check runs terraform init, validate and test in every stack (tools/infra/terraform_checks.py).
    assert "make infra-check" in runs and "make infra-apply-test" in runs
    assert all(s["with"]["terraform_version"] == "1.11.4" for _, _, s in rules.steps(ci)
               if str(s.get("uses", "")).startswith("hashicorp/setup-terraform@"))
    assert "hadolint app/Dockerfile" in runs
    terraform_setup = [s for _, _, s in rules.steps(ci) if str(s.get("uses", "")).startswith("hashicorp/setup-terraform@")]
    assert terraform_setup and terraform_setup[0]["with"]["terraform_wrapper"] is False


def test_ci_swift_job_has_postgres_and_its_url(ci):
    job = rules.jobs(ci)["swift"]
    assert job["container"]["image"] == "swift:6.3-bookworm"
    assert "postgres" in job["services"]
    assert job["env"]["POSTGRES_TEST_URL"].startswith("postgres://") and "@postgres:5432/" in job["env"]["POSTGRES_TEST_URL"]


def test_ci_image_build_uses_buildx_with_the_actions_cache(ci):
    builds = [s for _, _, s in rules.steps(ci) if str(s.get("uses", "")).startswith("docker/build-push-action@")]
    assert builds, "no Buildx build in ci.yml"
    given = builds[0]["with"]
    assert given["push"] is False and given["cache-from"] == "type=gha" and given["cache-to"].startswith("type=gha")


def test_docs_name_every_variable_and_the_output_it_comes_from():
    """docs/deploy.md's variable table covers every vars.X of the workflows, from outputs terraform/ecs has."""
    docs = (ROOT / "docs" / "deploy.md").read_text()
    rows = dict(re.findall(r"^\s*\| `([A-Z_]+)` \| (.*?) \|", docs, re.M))
    used = {name for path in WORKFLOW_FILES for name in re.findall(r"vars\.([A-Z_]+)", path.read_text())}
    assert used <= set(rows), f"variables the workflows use but docs/deploy.md does not document: {sorted(used - set(rows))}"
    outputs_tf = (ROOT / "terraform" / "ecs" / "outputs.tf").read_text()
    outputs = set(re.findall(r'^output "([a-z_]+)"', outputs_tf, re.M))
    named = {match for cell in rows.values() for match in re.findall(r"^`([a-z_]+)`$", cell.strip())}
    assert named, "no terraform output named in the variable table"
    assert named <= outputs, f"outputs named in docs/deploy.md that terraform/ecs lacks: {sorted(named - outputs)}"


def test_deploy_build_args_are_arguments_of_the_dockerfile(deploy):
    """A misspelt build argument is silently ignored by the build; hold the names to app/Dockerfile."""
    dockerfile = (ROOT / "app" / "Dockerfile").read_text()
    declared = set(re.findall(r"^ARG\s+([A-Z_]+)", dockerfile, re.M))
    build = next(s for _, _, s in rules.steps(deploy) if str(s.get("uses", "")).startswith("docker/build-push-action@"))
    given = {line.split("=", 1)[0].strip() for line in build["with"]["build-args"].splitlines() if line.strip()}
    assert given, "the deploy build passes no build arguments"
    assert given <= declared, f"build arguments app/Dockerfile does not declare: {sorted(given - declared)}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_scripts_the_workflows_run_exist_and_are_executable(path):
    workflow = rules.Workflow.load(path)
    runs = "\n".join(str(step.get("run", "")) for _, _, step in rules.steps(workflow))
    for script in sorted(set(re.findall(r"(?<![\w/.-])(scripts/[\w./-]+)", runs))):
        file = ROOT / script
        assert file.is_file(), f"{path.name} runs {script}, which does not exist"
        assert file.stat().st_mode & 0o111, f"{path.name} runs {script}, which is not executable"
