"""Shared helpers of the infrastructure tests: the repository on sys.path, fixture roots."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture
def broken_root(tmp_path: Path):
    """Build a Terraform root: fixtures/valid with one broken fixture's files laid over it."""

    def build(case: str) -> Path:
        root = tmp_path / case
        shutil.copytree(FIXTURES / "valid", root)
        overlay = FIXTURES / case
        assert overlay.is_dir(), f"no fixture {case}"
        for source in overlay.rglob("*"):
            if source.is_file():
                target = root / source.relative_to(overlay)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        return root

    return build
