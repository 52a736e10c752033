"""Each check of tools/infra fails on its broken fixture, and only there, with file and line.

fixtures/valid passes every check; every other fixture changes one thing (fixtures/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.infra.check import CHECKS, main, run_checks

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# fixture -> (check that must fail, file relative to the root, line, words the message must hold)
BROKEN = {
    "syntax_error": ("syntax", "network/main.tf", 8, "does not parse"),
    "unknown_argument": ("schema", "network/main.tf", 4, 'unknown argument "enable_dns"'),
    "missing_required_argument": ("schema", "database/main.tf", 16, 'missing required argument "secret_id"'),
    "block_as_attribute": ("schema", "network/main.tf", 13, '"versioning_configuration" is a block'),
    "dangling_reference": ("references", "database/main.tf", 2, 'no variable "vpc_name"'),
    "unknown_attribute": ("references", "network/outputs.tf", 3, 'has no attribute "arnn"'),
    "missing_remote_output": ("references", "database/main.tf", 9, 'stack "network" has no output "subnet_ids"'),
    "remote_state_cycle": ("references", "network/data.tf", 1, "no order can apply them"),
    "unpinned_provider": ("conventions", "network/versions.tf", 1, 'found "~> 5.0"'),
    "unencrypted_state": ("conventions", "network/versions.tf", 11, "must set encrypt = true"),
    "misformatted": ("format", "network/main.tf", 2, "terraform fmt would write"),
}


def test_valid_fixture_passes_every_check():
    result = run_checks(FIXTURES / "valid")
    assert result.findings == []
    assert result.stacks == ["database", "network"]
    assert result.files_parsed == 13
    assert sum(result.schema.checked.values()) == 10
    assert result.references.resolved["remote-state output"] == 1
    assert result.order == ["network", "database"]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_fixture_fails_its_check_only(case, broken_root):
    check, file, line, words = BROKEN[case]
    root = broken_root(case)
    result = run_checks(root)

    found = result.of(check)
    assert any(
        f.file == root / file and f.line == line and words in f.message for f in found
    ), f"expected {check} at {file}:{line} with {words!r}, got {[f.render() for f in result.findings]}"
    others = [f.render() for f in result.findings if f.check != check]
    assert others == [], f"{case} should fail only {check}"


def test_every_broken_fixture_is_tested():
    on_disk = {path.name for path in FIXTURES.iterdir() if path.is_dir()} - {"valid", "checkov_open_bucket"}
    assert on_disk == set(BROKEN)


def test_every_check_has_a_failing_fixture():
    assert {check for check, *_ in BROKEN.values()} == set(CHECKS)


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
