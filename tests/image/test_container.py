"""The image run as production runs it: read-only root, its own non-root user, /data as the only
writable directory besides a tmpfs /tmp, and SIGTERM to stop it.

One container serves every test of this module, in order; the last one stops it. It uses host
networking (an engine started by scripts/docker-engine.sh has no bridge) and is told to listen on
127.0.0.1 only, on a free port, so nothing outside the machine can reach it.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from image_support import (
    IMAGE_UID,
    TIMINGS,
    docker,
    free_loopback_port,
    health_status,
    image_under_test,
    inspect,
    request,
    wait_for,
)

# Short on purpose: the test checks that the drain happens and ends, not how long production waits.
DRAIN_DELAY_SECONDS = 1
SHUTDOWN_TIMEOUT_SECONDS = 5
START_BOUND_SECONDS = 30


@dataclass
class RunningService:
    name: str
    port: int
    api_key: str
    startup_seconds: float


def run_flags(volume: str, port: int) -> list[str]:
    """The production posture: read-only root, writable /data volume and /tmp tmpfs only."""
    return [
        "--network=host",
        "--read-only",
        "--tmpfs=/tmp:rw,noexec,nosuid,size=16m",
        f"--volume={volume}:/data",
        "--env=HTTP_HOST=127.0.0.1",
        f"--env=HTTP_PORT={port}",
        f"--env=DRAIN_DELAY_SECONDS={DRAIN_DELAY_SECONDS}",
        f"--env=SHUTDOWN_TIMEOUT_SECONDS={SHUTDOWN_TIMEOUT_SECONDS}",
        "--env=LOG_FORMAT=json",
    ]


@pytest.fixture(scope="module")
def service(image: dict, figures: dict):
    suffix = uuid.uuid4().hex[:8]
    name, volume, port = f"orders-image-test-{suffix}", f"orders-image-test-{suffix}", free_loopback_port()
    docker("volume", "create", volume)
    try:
        # An API key in the embedded store, created by the image's own CLI on the same volume.
        created = docker(
            "run", "--rm", *run_flags(volume, port), image_under_test(),
            "keys", "create", "--customer", "image-test", "--to-stdout",
        )  # fmt: skip
        api_key = created.stdout.strip()
        assert api_key.startswith("ord_"), created.stderr

        docker("create", "--name", name, *run_flags(volume, port), image_under_test())
        started = time.monotonic()
        docker("start", name)
        status, _ = wait_for(lambda: health_status(port) == 200, timeout=START_BOUND_SECONDS)
        startup = time.monotonic() - started
        if not status:
            logs = docker("logs", name, check=False)
            pytest.fail(f"/health never answered 200 within {START_BOUND_SECONDS} s:\n{logs.stdout}{logs.stderr}")
        figures["start-up (docker start -> first 200 on /health)"] = f"{startup * 1000:.0f} ms"
        yield RunningService(name=name, port=port, api_key=api_key, startup_seconds=startup)
    finally:
        docker("rm", "--force", "--volumes", name, check=False)
        docker("volume", "rm", "--force", volume, check=False)


def test_starts_within_the_budget_the_grace_period_covers(service: RunningService) -> None:
    """ECS's health-check grace period is sized for this budget (tests/infra: check_timing_relations)."""
    budget = TIMINGS["startup_budget_seconds"]
    assert service.startup_seconds <= budget, (
        f"docker start -> first 200 on /health took {service.startup_seconds:.2f} s, over the "
        f"{budget} s start-up budget of config/timings.json that the grace period is sized for"
    )


def test_health_answers_200(service: RunningService) -> None:
    status, headers, body = request("GET", service.port, "/health")
    assert status == 200
    assert json.loads(body)["status"] == "pass"
    assert headers.get("x-request-id")


def test_order_round_trip_on_the_embedded_store(service: RunningService) -> None:
    auth = {"Authorization": f"Bearer {service.api_key}"}
    new_order = {"currency": "EUR", "items": [{"sku": "image-test", "quantity": 2, "unit_price_cents": 150}]}
    status, headers, body = request("POST", service.port, "/orders", body=new_order, headers=auth)
    assert status == 201, body
    created = json.loads(body)
    assert created["total_cents"] == 300
    status, _, body = request("GET", service.port, f"/orders/{created['id']}", headers=auth)
    assert status == 200, body
    assert json.loads(body) == created


def test_healthcheck_reaches_healthy(service: RunningService) -> None:
    # Docker runs the first probe one interval after the start; allow one more for slack.
    bound = (
        TIMINGS["container_health_check_start_period_seconds"]
        + 2 * TIMINGS["container_health_check_interval_seconds"]
        + TIMINGS["container_health_check_timeout_seconds"]
    )

    def health() -> str | None:
        state = inspect("container", service.name)["State"]["Health"]
        return state["Status"] if state["Status"] == "healthy" else None

    status, waited = wait_for(health, timeout=bound, interval=0.5)
    log = inspect("container", service.name)["State"]["Health"]["Log"]
    assert status == "healthy", f"not healthy after {waited:.0f} s: {log}"
    assert log[-1]["ExitCode"] == 0


def test_process_runs_as_the_image_user(service: RunningService) -> None:
    pid = inspect("container", service.name)["State"]["Pid"]
    status = Path(f"/proc/{pid}/status").read_text()
    ids = {line.split(":")[0]: line.split()[1:] for line in status.splitlines() if line.startswith(("Uid", "Gid"))}
    assert ids == {"Uid": [str(IMAGE_UID)] * 4, "Gid": [str(IMAGE_UID)] * 4}


def test_root_filesystem_is_read_only(service: RunningService) -> None:
    container = inspect("container", service.name)
    assert container["HostConfig"]["ReadonlyRootfs"] is True
    # Even root inside the container cannot write outside /data and /tmp.
    attempt = docker("exec", "--user", "0", service.name, "touch", "/usr/local/bin/planted", check=False)
    assert attempt.returncode != 0
    assert "Read-only file system" in attempt.stderr


def test_sigterm_drains_then_exits_zero_within_the_bound(service: RunningService, figures: dict) -> None:
    """Runs last: it stops the shared container."""
    bound = DRAIN_DELAY_SECONDS + SHUTDOWN_TIMEOUT_SECONDS
    signalled = time.monotonic()
    docker("kill", "--signal=SIGTERM", service.name)
    draining, _ = wait_for(lambda: health_status(service.port) == 503, timeout=DRAIN_DELAY_SECONDS)

    def stopped() -> dict | None:
        state = inspect("container", service.name)["State"]
        return None if state["Running"] else state

    state, _ = wait_for(stopped, timeout=bound + 2, interval=0.05)
    elapsed = time.monotonic() - signalled
    assert state, f"still running {bound + 2} s after SIGTERM"
    figures["SIGTERM -> exit"] = f"{elapsed:.2f} s (drain delay {DRAIN_DELAY_SECONDS} s, bound {bound} s)"
    assert draining, "/health did not turn 503 during the drain delay"
    assert state["ExitCode"] == 0
    assert state["OOMKilled"] is False
    assert DRAIN_DELAY_SECONDS <= elapsed <= bound
