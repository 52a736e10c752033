"""Programs a suite drives (hey, promtool): found on PATH, or the suite does not run.

Under CI=true a missing program fails the test, since a suite skipped in CI proves nothing; elsewhere
the test is skipped with a message in capitals, so nobody mistakes the skip for a pass.
"""
from __future__ import annotations

import os
import shutil

import pytest


def required_program(name: str, debian_package: str) -> str:
    """The path of `name`, or a failure (CI) or a loud skip (locally) naming the package to install."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name.upper()} IS NOT INSTALLED (apt-get install {debian_package})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so this test may not be skipped")
    pytest.skip(f"SKIPPED: {message}")
