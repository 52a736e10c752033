"""Fixtures of the image tests: the engine, the image under test, and the figures they report."""

from __future__ import annotations

import os

import pytest

from image_support import docker, engine_answers, image_under_test, inspect, runtime_files_image

# Figures the tests measure, printed together at the end of the run (docs/container.md quotes them).
FIGURES: dict[str, str] = {}


@pytest.fixture(scope="session")
def engine() -> None:
    """A Docker engine that answers; without one the run fails in CI and skips, loudly, elsewhere."""
    if engine_answers():
        return
    message = "NO DOCKER ENGINE ANSWERS (start one with scripts/docker-engine.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so the image tests cannot be skipped")
    pytest.skip(f"IMAGE TESTS SKIPPED: {message}")


@pytest.fixture(scope="session")
def image(engine: None) -> dict:
    """`docker image inspect` of the image `make image` built."""
    name = image_under_test()
    if docker("image", "inspect", name, check=False).returncode != 0:
        pytest.fail(f"image {name} does not exist; build it with `make image` (make image-test does)")
    return inspect("image", name)


@pytest.fixture(scope="session")
def files_image(engine: None) -> dict:
    """`docker image inspect` of the image the runtime files come from, pulled if the engine lacks it."""
    name = runtime_files_image()
    if docker("image", "inspect", name, check=False).returncode != 0:
        docker("pull", "--quiet", name, timeout=300)
    return inspect("image", name)


@pytest.fixture(scope="session")
def figures() -> dict[str, str]:
    return FIGURES


def pytest_terminal_summary(terminalreporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("image figures")
    width = max(len(name) for name in FIGURES)
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name:<{width}}  {value}")
