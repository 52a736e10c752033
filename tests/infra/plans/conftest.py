"""The plans the emulator lifecycle kept (`make infra-apply-test` runs it first, then these tests).

INFRA_PLANS_DIR names the directory of `terraform show -json` files (<stack>-<case>.json). Without it
the tests fail under CI=true and are skipped, loudly, elsewhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
for path in (HERE, REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from plan_model import Plan  # noqa: E402


@pytest.fixture(scope="session")
def plans_dir() -> Path:
    configured = os.environ.get("INFRA_PLANS_DIR")
    if configured and Path(configured, "ecs-applied.json").is_file():
        return Path(configured)
    message = f"NO PLANS FROM THE EMULATOR LIFECYCLE (INFRA_PLANS_DIR={configured!r}): run `make infra-apply-test`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so the plan-level tests may not be skipped")
    pytest.skip(f"PLAN-LEVEL TESTS SKIPPED: {message}")


@pytest.fixture(scope="session")
def plan(plans_dir: Path):
    """plan("ecs-applied") -> the Plan of plans/ecs-applied.json."""
    cache: dict[str, Plan] = {}

    def load(name: str) -> Plan:
        if name not in cache:
            cache[name] = Plan.load(plans_dir / f"{name}.json")
        return cache[name]

    return load
