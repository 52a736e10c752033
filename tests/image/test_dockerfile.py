"""Checks of app/Dockerfile and the image scripts that need no container engine."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from image_support import (
    BUILDER_STAND_IN_DOCKERFILE,
    DOCKERFILE,
    ROOT,
    TIMINGS,
    dockerfile_healthcheck_flags,
    dockerfile_stages,
    seconds,
)

VENV_BIN = Path(sys.executable).parent
IMAGE_SCRIPTS = [
    ROOT / "scripts" / "docker-engine.sh",
    ROOT / "scripts" / "offline-base-images.sh",
    ROOT / "tests" / "image" / "run.sh",
]


def run_tool(*command: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("dockerfile", [DOCKERFILE, BUILDER_STAND_IN_DOCKERFILE], ids=lambda path: path.name)
def test_hadolint_reports_nothing(dockerfile: Path) -> None:
    result = run_tool(VENV_BIN / "hadolint", dockerfile)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("script", IMAGE_SCRIPTS, ids=lambda path: path.name)
def test_shellcheck_reports_nothing(script: Path) -> None:
    result = run_tool(VENV_BIN / "shellcheck", script)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_healthcheck_timings_come_from_the_timing_source() -> None:
    flags = dockerfile_healthcheck_flags()
    declared = {
        "interval": seconds(flags["interval"]),
        "timeout": seconds(flags["timeout"]),
        "retries": int(flags["retries"]),
        "start-period": seconds(flags["start-period"]),
    }
    assert declared == {
        "interval": TIMINGS["container_health_check_interval_seconds"],
        "timeout": TIMINGS["container_health_check_timeout_seconds"],
        "retries": TIMINGS["container_health_check_retries"],
        "start-period": TIMINGS["container_health_check_start_period_seconds"],
    }


def test_only_classic_builder_syntax() -> None:
    """The engine on machines without BuildKit must build the same file."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert not re.search(r"^#\s*syntax=", text, flags=re.MULTILINE), "a # syntax= directive needs BuildKit"
    assert not re.search(r"^RUN\s+--(mount|network|security)", text, flags=re.MULTILINE), "RUN flags need BuildKit"
    assert not re.search(r"<<-?\s*['\"]?[A-Z]+", text), "heredocs need BuildKit"
    assert not re.search(r"^(COPY|ADD)\s+--(link|parents|exclude)", text, flags=re.MULTILINE), "needs BuildKit"


def test_builder_and_runtime_files_images_are_pinned_and_the_runtime_starts_empty() -> None:
    assert dockerfile_stages() == [
        ("swift:6.3-bookworm", "build"),
        ("gcr.io/distroless/cc-debian12:debug", "runtime-files"),
        ("scratch", ""),
    ], "builder, runtime files, then the runtime stage last, on an empty base"
