"""Fixtures of the workflow and deploy-script tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import workflow_rules as rules
from workflow_support import WORKFLOWS, FakeCli


@pytest.fixture(scope="session")
def deploy() -> rules.Workflow:
    """The release pipeline, .github/workflows/deploy.yml, parsed."""
    return rules.Workflow.load(WORKFLOWS / "deploy.yml")


@pytest.fixture(scope="session")
def rollback() -> rules.Workflow:
    """The manual rollback workflow, .github/workflows/rollback.yml, parsed."""
    return rules.Workflow.load(WORKFLOWS / "rollback.yml")


@pytest.fixture(scope="session")
def ci() -> rules.Workflow:
    """The checks workflow, .github/workflows/ci.yml, parsed."""
    return rules.Workflow.load(WORKFLOWS / "ci.yml")


def _fake(tmp_path: Path, name: str) -> FakeCli:
    state = tmp_path / f"fake-{name}"
    state.mkdir()
    fake = FakeCli(state_dir=state)
    fake.plan({})
    return fake


@pytest.fixture
def fake_aws(tmp_path: Path) -> FakeCli:
    """A fake `aws` command in a fresh state directory; plan its answers with fake_aws.plan()."""
    return _fake(tmp_path, "aws")


@pytest.fixture
def fake_gh(tmp_path: Path) -> FakeCli:
    """A fake `gh` command (GH_CLI); its plan keys are "api <path>"."""
    return _fake(tmp_path, "gh")


@pytest.fixture
def fake_docker(tmp_path: Path) -> FakeCli:
    """A fake `docker` command (DOCKER); its plan keys are e.g. "buildx imagetools" and "login --username"."""
    return _fake(tmp_path, "docker")
