"""Real Terraform over every stack: `python -m tools.infra.terraform_checks` (part of `make infra-check`).

1. `terraform fmt -check -recursive` over terraform/ (stacks and their tests);
2. per stack, `terraform init -backend=false -lockfile=readonly` (the committed lock file decides the
   provider version) and `terraform validate`;
3. per stack, `terraform test`: its tests/*.tftest.hcl. The database stack's tests run the real
   provider against the AWS emulator (Terraform 1.11's mocks refuse its ephemeral password), which
   this module starts on loopback for them and stops after; the others use mock providers;
4. per stack and per environment (terraform/environments/<name>/<stack>.tfvars), its
   tests/environment/*.tftest.hcl in that environment's workspace with that file.

Prints one line per step with its figures. A stack's tests are counted by their run blocks, assert
blocks and expect_failures entries. Without terraform on PATH it fails under CI=true, and says so in
capitals and exits 0 elsewhere.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.infra.emulator import MotoServer, client_environment
from tools.infra.terraform_cli import (
    STACKS, TERRAFORM_ROOT, TerraformMissing, provider_source, run_terraform, terraform_version,
)  # fmt: skip

# Stacks whose tests run the real provider against the emulator (named by AWS_ENDPOINT_URL).
EMULATOR_TESTED = ("database",)
# Longest one stack's `terraform test` may run before it counts as hung.
TEST_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class TestFileCounts:
    """What a stack's test files hold."""

    runs: int
    asserts: int
    expected_failures: int


ENVIRONMENT_TESTS = "tests/environment"


def count_tests(stack_dir: Path, tests: str = "tests") -> TestFileCounts:
    """Run blocks, assert blocks and expect_failures entries of the test directory's *.tftest.hcl."""
    text = "\n".join(path.read_text() for path in sorted((stack_dir / tests).glob("*.tftest.hcl")))
    expected = sum(len(re.findall(r"\bvar\.\w+|\b\w+\.\w+\.\w+", entries))
                   for entries in re.findall(r"expect_failures\s*=\s*\[([^\]]*)\]", text))
    return TestFileCounts(len(re.findall(r'^run "', text, flags=re.MULTILINE)),
                          len(re.findall(r"^\s*assert\s*\{", text, flags=re.MULTILINE)), expected)


def _passed(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) passed, (\d+) failed", output)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def run_checks(stacks: tuple[str, ...] = STACKS, root: Path = TERRAFORM_ROOT) -> list[str]:
    """Every check, in order; returns the failures (empty when all passed)."""
    failures: list[str] = []
    fmt = run_terraform(["fmt", "-check", "-recursive", "-diff", "-no-color"], root, check=False)
    if fmt.returncode == 0:
        print("  terraform fmt -check -recursive: every file formatted")
    else:
        failures.append(f"terraform fmt would rewrite: {' '.join(fmt.stdout.split()[:20])}")
        print(f"  terraform fmt -check -recursive: FAILED\n{fmt.stdout}")
    for stack in stacks:
        directory = root / stack
        init = run_terraform(["init", "-backend=false", "-input=false", "-no-color", "-lockfile=readonly"],
                             directory, check=False)
        if init.returncode != 0:
            failures.append(f"{stack}: terraform init failed:\n{init.stderr}")
            print(f"  {stack}: terraform init FAILED\n{init.stderr}")
            continue
        validate = run_terraform(["validate", "-no-color"], directory, check=False)
        if validate.returncode != 0:
            failures.append(f"{stack}: terraform validate failed:\n{validate.stderr}")
        print(f"  {stack}: terraform validate: {'valid' if validate.returncode == 0 else 'FAILED'}"
              + ("" if validate.returncode == 0 else f"\n{validate.stderr}"))
        failures += run_stack_tests(stack, directory)
        for environment in environments(stack, root):
            failures += run_stack_tests(stack, directory, environment)
    return failures


def environments(stack: str, root: Path = TERRAFORM_ROOT) -> list[str]:
    """The environments with a variables file for the stack, when the stack has environment tests."""
    if not (root / stack / ENVIRONMENT_TESTS).is_dir():
        return []
    return sorted(path.parent.name for path in (root / "environments").glob(f"*/{stack}.tfvars"))


def run_stack_tests(stack: str, directory: Path, environment: str | None = None) -> list[str]:
    """`terraform test` in one stack, against the emulator where EMULATOR_TESTED says so; with an
    environment, its tests/environment in that workspace with that environment's variables file."""
    tests = ENVIRONMENT_TESTS if environment else "tests"
    label = f"{stack} in {environment}" if environment else stack
    counts = count_tests(directory, tests)
    if counts.runs == 0:
        print(f"  {label}: terraform test: NO TESTS")
        return [f"{label}: no {tests}/*.tftest.hcl"]
    arguments = ["test", "-no-color"]
    extra_env: dict[str, str] = {}
    if environment:
        arguments += [f"-test-directory={tests}", f"-var-file=../environments/{environment}/{stack}.tfvars"]
        extra_env["TF_WORKSPACE"] = environment
    # The bound only stops a hung run: the ecs stack's 71 runs took over 900 s on a two-core machine
    # while a release image build held both CPUs, so it leaves room for a busy machine.
    if stack in EMULATOR_TESTED:
        with tempfile.TemporaryDirectory(prefix="terraform-test-emulator-") as work, MotoServer(Path(work)) as server:
            result = run_terraform(arguments, directory,
                                   extra_env=extra_env | client_environment(server), check=False, timeout=TEST_TIMEOUT_SECONDS)
        where = "real provider against the AWS emulator"
    else:
        result = run_terraform(arguments, directory, extra_env=extra_env, check=False, timeout=TEST_TIMEOUT_SECONDS)
        where = "mocked provider"
    passed, failed = _passed(result.stdout)
    ok = result.returncode == 0 and failed == 0 and passed == counts.runs
    print(f"  {label}: terraform test ({where}): {passed} of {counts.runs} runs passed, "
          f"{counts.asserts} assertions, {counts.expected_failures} expected failures"
          + ("" if ok else f" FAILED\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"))
    return [] if ok else [f"{label}: terraform test: {failed} failed, {passed} of {counts.runs} passed"]


def main() -> int:
    try:
        version = terraform_version()
    except TerraformMissing as missing:
        if os.environ.get("CI") == "true":
            print(f"infra-check: {missing}; CI=true, so the Terraform checks may not be skipped", file=sys.stderr)
            return 1
        print(f"TERRAFORM CHECKS SKIPPED: {missing}. fmt, validate and terraform test did not run.")
        return 0
    print(f"==> {version}; AWS provider from {provider_source().description}")
    failures = run_checks()
    if failures:
        print("terraform checks FAILED:\n  " + "\n  ".join(failure.splitlines()[0] for failure in failures), file=sys.stderr)
        return 1
    print("terraform checks: fmt, validate and terraform test passed for " + ", ".join(STACKS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
