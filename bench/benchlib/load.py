"""The load generators: wrk for HTTP, pgbench for the database's own ceiling. Both run pinned to the
load CPU with one thread and the same number of connections."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parents[1] / "lua"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# The service's workloads: (id, name, method, wrk script, path, needs an API key).
HEALTH = ("health", "GET /health", "GET", "get.lua", "/health", False)
ORDERS = [
    ("order", "GET /orders/{id}", "GET", "get_order.lua", "/", True),
    ("list", "GET /orders (page of 20)", "GET", "get.lua", "/orders", True),
    ("create", "POST /orders", "POST", "post_orders.lua", "/", True),
]


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
    errors: int
    error_detail: dict = field(default_factory=dict)


def _pinned(command: list[str], cpus: set[int] | None) -> list[str]:
    if cpus is None:
        return command
    return ["taskset", "-c", ",".join(str(cpu) for cpu in sorted(cpus)), *command]


def start_wrk(url: str, script: str, seconds: int, settings: LoadSettings, env: dict[str, str]) -> subprocess.Popen:
    """Starts one wrk run (1 thread, `settings.connections` connections) and returns at once."""
    command = _pinned(["wrk", "-t1", f"-c{settings.connections}", f"-d{seconds}s", "--timeout", "2s",
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
        "errors": sum(run.errors for run in runs),
        "requests": sum(run.requests for run in runs),
        "runs": [run.__dict__ for run in runs],
    }


_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.MULTILINE)
_PROCESSED = re.compile(r"^number of transactions actually processed: (\d+)", re.MULTILINE)


def run_pgbench(pgbench: Path, url: str, script: str, seconds: int, settings: LoadSettings,
                log_dir: Path) -> RunFigures:
    """One pgbench run: 1 thread, `settings.connections` clients, the extended query protocol with an
    unnamed statement per query (what postgres-nio sends), latencies from its per-transaction log."""
    for old in log_dir.glob("pgbench_log.*"):
        old.unlink()
    command = _pinned([str(pgbench), "-n", "-j", "1", "-c", str(settings.connections), "-T", str(seconds),
                       "-M", "extended", "-l", "--log-prefix", str(log_dir / "pgbench_log"),
                       "-f", str(TEMPLATES / script), url], settings.load_cpus)
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    tps = _TPS.search(result.stdout)
    processed = _PROCESSED.search(result.stdout)
    if result.returncode != 0 or tps is None or processed is None:
        errors = "\n".join(result.stderr.splitlines()[-12:])
        raise RuntimeError(f"pgbench {script} failed ({result.returncode}):\n{result.stdout}\n{errors}")
    failed = _FAILED.search(result.stdout)
    # Each line: client, transaction number, latency in microseconds (or a word for a failed one), ...
    fields = [line.split()[2] for log in log_dir.glob("pgbench_log.*") for line in log.read_text().splitlines()
              if line.strip()]
    latencies_us = sorted(int(value) for value in fields if value.isdigit())
    if not latencies_us:
        raise RuntimeError("pgbench wrote no per-transaction log")
    return RunFigures(
        requests=int(processed.group(1)),
        seconds=float(seconds),
        rps=float(tps.group(1)),
        p50_ms=_percentile(latencies_us, 50) / 1000,
        p99_ms=_percentile(latencies_us, 99) / 1000,
        errors=int(failed.group(1)) if failed else 0,
    )


def drive_pgbench(pgbench: Path, url: str, script: str, settings: LoadSettings, log_dir: Path) -> list[RunFigures]:
    """A warm-up, then the timed runs, as for wrk."""
    if settings.warmup_seconds > 0:
        # Opening 32 connections (SCRAM authentication each) can take most of a short warm-up, which
        # may then finish no transaction: only its exit status counts.
        command = _pinned([str(pgbench), "-n", "-j", "1", "-c", str(settings.connections), "-T",
                           str(settings.warmup_seconds), "-M", "extended", "-f", str(TEMPLATES / script), url],
                          settings.load_cpus)
        warm = subprocess.run(command, capture_output=True, text=True, timeout=settings.warmup_seconds + 60,
                              check=False)
        if warm.returncode != 0:
            raise RuntimeError(f"pgbench {script} warm-up failed:\n" + "\n".join(warm.stderr.splitlines()[-12:]))
    # pgbench's -T clock includes opening the connections (about a second for 32 on a busy machine),
    # which a very short run would spend entirely on them.
    seconds = max(settings.run_seconds, 5)
    return [run_pgbench(pgbench, url, script, seconds, settings, log_dir) for _ in range(settings.runs)]


def _percentile(sorted_values: list[int], percent: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(percent / 100 * len(sorted_values)) - 1))
    return float(sorted_values[index])
