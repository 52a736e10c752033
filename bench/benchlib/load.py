"""wrk, the HTTP load generator: pinned to the load CPU, one thread, 32 connections; and the figures every
workload reports (pgbench, the database's ceiling, is in pgbench.py and reports the same figures)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parents[1] / "lua"

# The service's workloads: (id, name, method, wrk script, path, needs an API key).
HEALTH = ("health", "GET /health", "GET", "get.lua", "/health", False)
ORDERS = [
    ("order", "GET /orders/{id}", "GET", "get_order.lua", "/", True),
    ("list", "GET /orders (page of 20)", "GET", "get.lua", "/orders", True),
    ("create", "POST /orders", "POST", "post_orders.lua", "/", True),
]
# What tracing is measured on: the point read (a server span, the key lookup, one SELECT) and the create
# (a server span, the key lookup, one INSERT).
TRACED = [ORDERS[0], ORDERS[2]]


@dataclass
class LoadSettings:
    """How hard and how long each workload is driven."""

    connections: int = 32
    warmup_seconds: int = 3
    run_seconds: int = 10
    runs: int = 3
    load_cpus: set[int] | None = None


@dataclass
class RunFigures:
    """One timed run of one workload."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    errors: int
    error_detail: dict = field(default_factory=dict)


def pinned(command: list[str], cpus: set[int] | None) -> list[str]:
    """`command` run under taskset on `cpus`, or as it is when there is no plan."""
    if cpus is None:
        return command
    return ["taskset", "-c", ",".join(str(cpu) for cpu in sorted(cpus)), *command]


def start_wrk(url: str, script: str, seconds: int, settings: LoadSettings, env: dict[str, str]) -> subprocess.Popen:
    """Starts one wrk run (1 thread, `settings.connections` connections) and returns at once."""
    command = pinned(["wrk", "-t1", f"-c{settings.connections}", f"-d{seconds}s", "--timeout", "2s",
                       "-s", str(LUA_DIR / script), url], settings.load_cpus)
    return subprocess.Popen(command, env={**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_wrk(process: subprocess.Popen, seconds: int) -> RunFigures:
    """Waits for a run `start_wrk` began; its figures, from bench/lua/report.lua."""
    stdout, stderr = process.communicate(timeout=seconds + 60)
    line = next((line for line in stdout.splitlines() if line.startswith("BENCH_RESULT ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk {' '.join(process.args)} failed ({process.returncode}):\n{stdout}\n{stderr}")
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    run_seconds = raw["duration_us"] / 1e6
    return RunFigures(
        requests=raw["requests"],
        seconds=run_seconds,
        rps=raw["requests"] / run_seconds if run_seconds else 0.0,
        p50_ms=raw["latency_p50_us"] / 1000,
        p99_ms=raw["latency_p99_us"] / 1000,
        p999_ms=raw["latency_p999_us"] / 1000,
        errors=sum(raw["errors"].values()),
        error_detail=raw["errors"],
    )


def run_wrk(url: str, script: str, seconds: int, settings: LoadSettings, env: dict[str, str]) -> RunFigures:
    """One wrk run, start to finish."""
    return finish_wrk(start_wrk(url, script, seconds, settings, env), seconds)


def drive(url: str, script: str, settings: LoadSettings, env: dict[str, str]) -> list[RunFigures]:
    """A warm-up (not kept), then `settings.runs` timed runs."""
    if settings.warmup_seconds > 0:
        warm = run_wrk(url, script, settings.warmup_seconds, settings, env)
        if warm.errors:
            raise RuntimeError(f"{script} on {url}: {warm.errors} errors during the warm-up {warm.error_detail}")
    return [run_wrk(url, script, settings.run_seconds, settings, env) for _ in range(settings.runs)]


def summarize(runs: list[RunFigures]) -> dict:
    """The figures reported for a workload: medians over the timed runs, errors summed, every run kept."""
    return {
        "rps": statistics.median(run.rps for run in runs),
        "p50_ms": statistics.median(run.p50_ms for run in runs),
        "p99_ms": statistics.median(run.p99_ms for run in runs),
        "p999_ms": statistics.median(run.p999_ms for run in runs),
        "errors": sum(run.errors for run in runs),
        "requests": sum(run.requests for run in runs),
        "runs": [run.__dict__ for run in runs],
    }
