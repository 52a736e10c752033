"""Every variable validation of every stack is exercised by a terraform test run that expects it to fail.

A stack's tests/*.tftest.hcl and tests/environment/*.tftest.hcl (the validations that only an
environment's workspace can trip) must hold at least as many `expect_failures = [var.NAME]` runs for a
variable as the variable has validation blocks, so a validation cannot be added, or loosened to
accept everything, without a test that shows it refusing a bad value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.infra.stack import load_stacks

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
STACKS = load_stacks(TERRAFORM)


@pytest.mark.parametrize("name", sorted(STACKS))
def test_each_validation_has_an_expected_failure(name):
    stack = STACKS[name]
    tests = "\n".join(path.read_text() for path in sorted((stack.path / "tests").glob("**/*.tftest.hcl")))
    expected: dict[str, int] = {}
    for entries in re.findall(r"expect_failures\s*=\s*\[([^\]]*)\]", tests):
        for variable in re.findall(r"var\.(\w+)", entries):
            expected[variable] = expected.get(variable, 0) + 1
    missing = {variable: (len(block.children("validation")), expected.get(variable, 0))
               for variable, block in stack.variables.items()
               if len(block.children("validation")) > expected.get(variable, 0)}
    assert missing == {}, f"{name}: variable -> (validations, runs expecting them to fail): {missing}"
    assert set(expected) <= set(stack.variables), f"{name}: tests expect failures of undeclared variables"
