"""Each broken fixture fails where it must: in real Terraform when Terraform can see the fault, in
tools/infra's checker when only the checker can (across stacks, the 6.x schema, conventions).

fixtures/valid passes both; every other fixture changes one thing (fixtures/README.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tools.infra.check import CHECKS, main, run_checks
from tools.infra.terraform_cli import TerraformMissing, run_terraform, terraform_binary

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# fixture -> (Terraform command, stack, words Terraform's message must hold). Terraform owns these.
TERRAFORM_CATCHES = {
    "syntax_error": ("validate", "network", "Unclosed configuration block"),
    "misformatted": ("fmt", "network", "main.tf"),
    "unknown_argument": ("validate", "network", 'An argument named "enable_dns" is not expected here'),
    "missing_required_argument": ("validate", "database", 'The argument "secret_id" is required'),
    "block_as_attribute": ("validate", "network", 'An argument named "versioning_configuration" is not expected here'),
    "dangling_reference": ("validate", "database", "Reference to undeclared input variable"),
    "unknown_attribute": ("validate", "network", 'exported attribute named "arnn"'),
}

# fixture -> (checker check, file relative to the root, line, words). Either Terraform cannot see the
# fault (remote state, conventions), or the checker also holds the stack to the 6.25 schema.
CHECKER_CATCHES = {
    "syntax_error": ("syntax", "network/main.tf", 8, "does not parse"),
    "unknown_argument": ("schema", "network/main.tf", 4, 'unknown argument "enable_dns"'),
    "missing_required_argument": ("schema", "database/main.tf", 16, 'missing required argument "secret_id"'),
    "block_as_attribute": ("schema", "network/main.tf", 13, '"versioning_configuration" is a block'),
    "unknown_attribute": ("references", "network/outputs.tf", 3, 'has no attribute "arnn"'),
    "missing_remote_output": ("references", "database/main.tf", 9, 'stack "network" has no output "subnet_ids"'),
    "remote_state_cycle": ("references", "network/data.tf", 1, "no order can apply them"),
    "unpinned_provider": ("conventions", "network/versions.tf", 1, 'found "~> 5.0"'),
    "unencrypted_state": ("conventions", "network/versions.tf", 11, "must set encrypt = true"),
    "remote_state_any_environment": ("conventions", "database/data.tf", 1, "must set workspace = terraform.workspace"),
}


@pytest.fixture(scope="module")
def terraform() -> str:
    try:
        return terraform_binary()
    except TerraformMissing as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; CI=true, so the fixtures' Terraform checks may not be skipped")
        pytest.skip(f"TERRAFORM FIXTURE CHECKS SKIPPED: {missing}")


def test_valid_fixture_passes_every_check():
    result = run_checks(FIXTURES / "valid")
    assert result.findings == []
    assert result.stacks == ["database", "network"]
    assert result.files_parsed == 13
    assert sum(result.schema.checked.values()) == 10
    assert result.references.resolved["remote-state output"] == 1
    assert result.order == ["network", "database"]


@pytest.mark.parametrize("case", sorted(CHECKER_CATCHES))
def test_checker_catches_what_only_it_can_see(case, broken_root):
    check, file, line, words = CHECKER_CATCHES[case]
    root = broken_root(case)
    result = run_checks(root)

    found = result.of(check)
    assert any(
        f.file == root / file and f.line == line and words in f.message for f in found
    ), f"expected {check} at {file}:{line} with {words!r}, got {[f.render() for f in result.findings]}"
    others = [f.render() for f in result.findings if f.check != check]
    assert others == [], f"{case} should fail only {check}"


@pytest.mark.parametrize("case", ["dangling_reference", "misformatted"])
def test_checker_leaves_to_terraform_what_terraform_checks(case, broken_root):
    assert run_checks(broken_root(case)).findings == []


def _terraform_result(case: str, root: Path, tmp_path: Path) -> tuple[int, str]:
    command, stack, _ = TERRAFORM_CATCHES[case]
    directory = root / stack
    if command == "fmt":
        result = run_terraform(["fmt", "-check", "-no-color"], directory, check=False)
        return result.returncode, result.stdout + result.stderr
    init = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], directory, check=False)
    if init.returncode != 0:
        return init.returncode, init.stdout + init.stderr
    result = run_terraform(["validate", "-no-color"], directory, check=False)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("case", sorted(TERRAFORM_CATCHES))
def test_real_terraform_catches_its_kind_of_fault(case, broken_root, terraform, tmp_path):
    status, output = _terraform_result(case, broken_root(case), tmp_path)
    words = TERRAFORM_CATCHES[case][2]
    assert status != 0 and words in " ".join(output.split()), f"terraform {TERRAFORM_CATCHES[case][0]}: {output}"


@pytest.mark.parametrize("stack", ["network", "database"])
def test_real_terraform_accepts_the_valid_fixture(stack, terraform, tmp_path):
    root = tmp_path / "valid"
    shutil.copytree(FIXTURES / "valid", root)
    assert run_terraform(["fmt", "-check", "-no-color"], root / stack, check=False).returncode == 0
    assert run_terraform(["init", "-backend=false", "-input=false", "-no-color"], root / stack, check=False).returncode == 0
    validate = run_terraform(["validate", "-no-color"], root / stack, check=False)
    assert validate.returncode == 0, validate.stderr


def test_every_broken_fixture_is_tested():
    on_disk = {path.name for path in FIXTURES.iterdir() if path.is_dir()} - {"valid", "checkov_open_bucket"}
    assert on_disk == set(CHECKER_CATCHES) | set(TERRAFORM_CATCHES)


def test_every_check_has_a_failing_fixture():
    assert {check for check, *_ in CHECKER_CATCHES.values()} == set(CHECKS)


def test_conventions_fixture_reports_the_missing_description_too(broken_root):
    result = run_checks(broken_root("unpinned_provider"))
    assert any('variable "aws_region" has no description' in f.message for f in result.of("conventions"))


def test_cli_exits_1_and_prints_findings_then_summary(broken_root, capsys):
    status = main(["--root", str(broken_root("unknown_argument"))])
    out = capsys.readouterr().out
    assert status == 1
    assert '[schema] resource.aws_vpc.main: unknown argument "enable_dns"' in out
    assert "findings     schema 1" in out


def test_cli_exits_0_on_the_valid_fixture(capsys):
    assert main(["--root", str(FIXTURES / "valid")]) == 0
    out = capsys.readouterr().out
    assert "13 files parsed" in out
    assert "findings     none" in out
