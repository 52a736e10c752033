"""Fixtures of the workflow and deploy-script tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow_support import FakeAws


@pytest.fixture
def fake_aws(tmp_path: Path) -> FakeAws:
    """A fake `aws` command in a fresh state directory; plan its answers with fake_aws.plan()."""
    state = tmp_path / "fake-aws"
    state.mkdir()
    return FakeAws(state_dir=state, plan_file=state / "plan.json")
