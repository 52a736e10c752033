"""The drills' timings: config/timings.json, every value multiplied by one time scale factor.

With production values a rolling deploy of two instances takes more than a minute (deregistration
delay, drain delay and healthy threshold x interval, per instance). The drills multiply every
duration they read by DRILL_TIME_SCALE (default 0.25, so the longest drill's load lasts under 30 s).
One factor for all of them keeps every relation the deployment depends on, because each relation
compares sums of these durations; counts (healthy and unhealthy thresholds) are not scaled.
`relations()` checks them again on the scaled values, with the start-up time measured here (which
does not shrink with the scale), so a scale too small to keep them fails the run before any drill.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TIMINGS_FILE = ROOT / "config" / "timings.json"

DEFAULT_SCALE = 0.25
# Below this HAProxy's and the scheduler's own granularity (milliseconds, but a loaded machine
# delays timers by tens of them) would be a visible share of every interval.
MIN_SCALE = 0.1

# The durations of config/timings.json the drills use, each scaled; the counts are taken as they are.
SCALED_KEYS = (
    "health_check_interval_seconds",
    "health_check_timeout_seconds",
    "request_timeout_seconds",
    "deregistration_delay_seconds",
    "drain_delay_seconds",
    "shutdown_timeout_seconds",
    "stop_timeout_seconds",
    "health_check_grace_period_seconds",
    "alb_idle_timeout_seconds",
    "keep_alive_idle_timeout_seconds",
)
COUNT_KEYS = ("healthy_threshold", "unhealthy_threshold")

FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class DrillTimings:
    """Scaled durations in seconds, and the unscaled thresholds."""

    scale: float
    interval: float
    check_timeout: float
    request_timeout: float
    deregistration_delay: float
    drain_delay: float
    shutdown_timeout: float
    stop_timeout: float
    grace_period: float
    balancer_idle_timeout: float
    keep_alive_idle_timeout: float
    healthy_threshold: int
    unhealthy_threshold: int
    production: dict

    @property
    def detection_window(self) -> float:
        """Longest time the balancer's checks take to mark a failed instance down."""
        return self.interval * self.unhealthy_threshold + self.check_timeout

    @property
    def time_to_healthy(self) -> float:
        """Longest time from an instance's first answer to the balancer marking it up."""
        return self.interval * self.healthy_threshold

    def relations(self, startup_seconds: float) -> list[tuple[str, bool]]:
        """The timing relations of docs/contract.md, evaluated on the scaled values."""
        return [
            (
                f"deregistration delay {self.deregistration_delay:g} s >= request timeout {self.request_timeout:g} s",
                self.deregistration_delay >= self.request_timeout,
            ),
            (
                f"drain delay {self.drain_delay:g} s > interval x unhealthy threshold + timeout "
                f"{self.detection_window:g} s",
                self.drain_delay > self.detection_window,
            ),
            (
                f"drain delay + shutdown bound {self.drain_delay + self.shutdown_timeout:g} s < stopTimeout "
                f"{self.stop_timeout:g} s <= {FARGATE_MAX_STOP_TIMEOUT_SECONDS} s",
                self.drain_delay + self.shutdown_timeout < self.stop_timeout <= FARGATE_MAX_STOP_TIMEOUT_SECONDS,
            ),
            (
                f"shutdown bound {self.shutdown_timeout:g} s >= request timeout {self.request_timeout:g} s",
                self.shutdown_timeout >= self.request_timeout,
            ),
            (
                f"grace period {self.grace_period:g} s >= healthy threshold x interval {self.time_to_healthy:g} s "
                f"+ measured start-up {startup_seconds:.2f} s",
                self.grace_period >= self.time_to_healthy + startup_seconds,
            ),
            (
                f"balancer idle timeout {self.balancer_idle_timeout:g} s < service keep-alive "
                f"{self.keep_alive_idle_timeout:g} s",
                self.balancer_idle_timeout < self.keep_alive_idle_timeout,
            ),
        ]

    def table(self) -> str:
        """The scaled values beside production's, for the drill output."""
        rows = [
            ("health check interval", "health_check_interval_seconds", self.interval),
            ("health check timeout", "health_check_timeout_seconds", self.check_timeout),
            ("request timeout", "request_timeout_seconds", self.request_timeout),
            ("deregistration delay", "deregistration_delay_seconds", self.deregistration_delay),
            ("drain delay", "drain_delay_seconds", self.drain_delay),
            ("shutdown bound", "shutdown_timeout_seconds", self.shutdown_timeout),
            ("stopTimeout", "stop_timeout_seconds", self.stop_timeout),
            ("grace period", "health_check_grace_period_seconds", self.grace_period),
            ("balancer idle timeout", "alb_idle_timeout_seconds", self.balancer_idle_timeout),
            ("service keep-alive", "keep_alive_idle_timeout_seconds", self.keep_alive_idle_timeout),
        ]
        lines = [f"Timings: config/timings.json x DRILL_TIME_SCALE={self.scale:g} (thresholds unscaled)"]
        lines.append(f"  {'':<24}{'production':>12}{'drill':>10}")
        for label, key, value in rows:
            lines.append(f"  {label:<24}{self.production[key]:>10g} s{value:>8.3g} s")
        lines.append(
            f"  {'healthy / unhealthy':<24}{self.healthy_threshold:>7} / {self.unhealthy_threshold:<4}"
            f"{self.healthy_threshold:>5} / {self.unhealthy_threshold}"
        )
        return "\n".join(lines)

    def service_environment(self) -> dict[str, str]:
        """The instances' timing settings (docs/contract.md names), at the drill's scale."""
        return {
            "DRAIN_DELAY_SECONDS": _seconds(self.drain_delay),
            "SHUTDOWN_TIMEOUT_SECONDS": _seconds(self.shutdown_timeout),
            "REQUEST_TIMEOUT_SECONDS": _seconds(self.request_timeout),
            "HTTP_IDLE_TIMEOUT_SECONDS": _seconds(self.keep_alive_idle_timeout),
        }


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def scale_from_environment() -> float:
    """DRILL_TIME_SCALE, validated: a number in [MIN_SCALE, 1]."""
    raw = os.environ.get("DRILL_TIME_SCALE", str(DEFAULT_SCALE))
    try:
        scale = float(raw)
    except ValueError:
        raise SystemExit(f"DRILL_TIME_SCALE={raw!r} is not a number") from None
    if not MIN_SCALE <= scale <= 1:
        raise SystemExit(f"DRILL_TIME_SCALE={raw} must be between {MIN_SCALE} and 1")
    return scale


def load(scale: float, source: Path = TIMINGS_FILE) -> DrillTimings:
    """Reads the timing source and scales every duration by `scale`."""
    production = json.loads(source.read_text(encoding="utf-8"))
    missing = [key for key in SCALED_KEYS + COUNT_KEYS if key not in production]
    if missing:
        raise SystemExit(f"{source} lacks {', '.join(missing)}")
    scaled = {key: production[key] * scale for key in SCALED_KEYS}
    return DrillTimings(
        scale=scale,
        interval=scaled["health_check_interval_seconds"],
        check_timeout=scaled["health_check_timeout_seconds"],
        request_timeout=scaled["request_timeout_seconds"],
        deregistration_delay=scaled["deregistration_delay_seconds"],
        drain_delay=scaled["drain_delay_seconds"],
        shutdown_timeout=scaled["shutdown_timeout_seconds"],
        stop_timeout=scaled["stop_timeout_seconds"],
        grace_period=scaled["health_check_grace_period_seconds"],
        balancer_idle_timeout=scaled["alb_idle_timeout_seconds"],
        keep_alive_idle_timeout=scaled["keep_alive_idle_timeout_seconds"],
        healthy_threshold=int(production["healthy_threshold"]),
        unhealthy_threshold=int(production["unhealthy_threshold"]),
        production=production,
    )
