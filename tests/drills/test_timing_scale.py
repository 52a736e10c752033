"""The drills' time scale: every duration of config/timings.json scaled, every relation kept.

Runs first in `make drills`, before anything starts: a scale (or a timing source) that breaks a
relation must stop the drills, since a drill on broken timings would prove nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import timings  # noqa: E402
from harness.haproxy import render_config  # noqa: E402

# A start-up time in the range the drills measure (container start to first answer).
STARTUP_SECONDS = 1.5


@pytest.mark.parametrize("scale", [timings.DEFAULT_SCALE, 0.5, 1.0])
def test_every_relation_holds_at_the_scales_the_drills_use(scale):
    scaled = timings.load(scale)
    broken = [text for text, holds in scaled.relations(STARTUP_SECONDS) if not holds]
    assert not broken


def test_every_duration_is_scaled_and_no_count_is():
    production = json.loads(timings.TIMINGS_FILE.read_text())
    scaled = timings.load(0.25)
    assert scaled.interval == production["health_check_interval_seconds"] * 0.25
    assert scaled.drain_delay == production["drain_delay_seconds"] * 0.25
    assert scaled.deregistration_delay == production["deregistration_delay_seconds"] * 0.25
    assert scaled.stop_timeout == production["stop_timeout_seconds"] * 0.25
    assert scaled.healthy_threshold == production["healthy_threshold"]
    assert scaled.unhealthy_threshold == production["unhealthy_threshold"]


def test_the_instances_get_the_scaled_drain_and_shutdown_bound():
    scaled = timings.load(0.25)
    environment = scaled.service_environment()
    assert float(environment["DRAIN_DELAY_SECONDS"]) == scaled.drain_delay
    assert float(environment["SHUTDOWN_TIMEOUT_SECONDS"]) == scaled.shutdown_timeout
    assert float(environment["REQUEST_TIMEOUT_SECONDS"]) == scaled.request_timeout


def test_a_timing_source_that_breaks_a_relation_is_caught(tmp_path):
    production = json.loads(timings.TIMINGS_FILE.read_text())
    production["drain_delay_seconds"] = production["health_check_interval_seconds"]  # shorter than detection
    broken_source = tmp_path / "timings.json"
    broken_source.write_text(json.dumps(production))
    relations = dict(timings.load(0.25, broken_source).relations(STARTUP_SECONDS))
    assert [text for text, holds in relations.items() if not holds][0].startswith("drain delay")


def test_a_start_up_slower_than_the_scaled_grace_period_is_caught():
    scaled = timings.load(0.25)
    slow = scaled.grace_period - scaled.time_to_healthy + 0.1
    assert not all(holds for _, holds in scaled.relations(slow))


def test_the_balancer_checks_with_the_scaled_interval_and_the_thresholds(tmp_path):
    scaled = timings.load(0.25)
    config = render_config(
        timings=scaled, listen_port=18000, server_ports=[18001, 18002], socket_path=tmp_path / "s", retry_idempotent=False
    )
    assert f"inter {round(scaled.interval * 1000)}ms rise {scaled.healthy_threshold} fall {scaled.unhealthy_threshold}" in config
    assert f"timeout check {round(scaled.check_timeout * 1000)}ms" in config
    assert "http-check send meth GET uri /health\n" in config
    assert "retry-on none" in config
    assert "127.0.0.1:18001" in config and "0.0.0.0" not in config


@pytest.mark.parametrize("raw", ["0.01", "2", "fast"])
def test_a_scale_out_of_range_is_refused(monkeypatch, raw):
    monkeypatch.setenv("DRILL_TIME_SCALE", raw)
    with pytest.raises(SystemExit):
        timings.scale_from_environment()
