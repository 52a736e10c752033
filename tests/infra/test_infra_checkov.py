"""checkov's part of the suite: skips are inline, justified and in a resource; checkov can fail.

`make infra-check` runs checkov over terraform/ and requires 0 failed checks; these tests keep the
skips honest and show, on a fixture with every control missing, that the same invocation fails.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tools.infra import load_stacks
from tools.infra.check import local_modules

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
SKIP = re.compile(r"#\s*checkov:skip=(?P<id>CKV2?_[A-Z]+_\d+)(?::(?P<reason>.*))?$")
# The invocation mk/infra.mk uses, offline: no platform download, no API key, no update check.
CHECKOV_ARGS = ["--framework", "terraform", "--skip-download", "--compact", "--quiet"]


def checkov_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("BC_API_KEY", "PRISMA_API_URL")}
    env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"
    return env


def skips() -> list[tuple[Path, int, str, str]]:
    found = []
    # The stacks' files and their own modules' (terraform/ecs/web-acl), never Terraform's working dirs.
    for path in sorted(p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = SKIP.search(line.strip())
            if match:
                found.append((path, number, match.group("id"), (match.group("reason") or "").strip()))
    return found


def test_there_are_skips_to_review():
    assert len(skips()) >= 5


@pytest.mark.parametrize("path,line,check_id,reason", skips(), ids=lambda v: str(v) if isinstance(v, str) else None)
def test_each_skip_gives_a_reason(path, line, check_id, reason):
    assert len(reason.split()) >= 8, f"{path.name}:{line} {check_id}: say why in a sentence a reviewer accepts"


def test_each_skip_sits_inside_the_resource_it_exempts():
    stacks = load_stacks(TERRAFORM)
    parts = [part for stack in stacks.values() for part in (stack, *local_modules(stack))]
    blocks = [block for part in parts for block in part.blocks if block.type in ("resource", "data", "module")]
    for path, line, check_id, _ in skips():
        owners = [b for b in blocks if b.file == path and b.line < line < b.end_line]
        assert owners, f"{path.name}:{line}: {check_id} skip is outside any resource, so it exempts nothing"


def run_checkov(directory: Path) -> subprocess.CompletedProcess:
    if not CHECKOV.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHECKOV} missing: make checkov-venv")
        pytest.skip(f"SKIPPED LOCALLY: {CHECKOV} missing; run `make checkov-venv`")
    return subprocess.run(
        [str(CHECKOV), "--directory", str(directory), *CHECKOV_ARGS],
        capture_output=True, text=True, env=checkov_env(), timeout=300, check=False,
    )


def test_checkov_fails_a_bucket_and_security_group_with_every_control_missing():
    result = run_checkov(Path(__file__).parent / "fixtures" / "checkov_open_bucket")
    assert result.returncode == 1, result.stdout + result.stderr
    failed = set(re.findall(r"Check: (CKV2?_AWS_\d+):", result.stdout))
    # versioning, KMS encryption, public access block, SSH open to the world
    assert {"CKV_AWS_21", "CKV_AWS_145", "CKV2_AWS_6", "CKV_AWS_24"} <= failed, sorted(failed)
    counts = re.search(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)", result.stdout)
    assert counts and int(counts.group(2)) >= 4
