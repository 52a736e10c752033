"""pgbench, the database's own ceiling: the service's statements run by PostgreSQL's benchmark client,
pinned to the load CPU like wrk, with one thread and as many clients as wrk has connections."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .load import LoadSettings, RunFigures, pinned

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
POINT_READ_TEMPLATE = TEMPLATES / "pgbench_select_order.sql"
# pgbench takes at most 128 scripts; 100 ids spread the reads over 100 rows and their index pages.
POINT_READ_IDS = 100
QUERY_MODES = ("simple", "extended", "prepared")

_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.MULTILINE)
_PROCESSED = re.compile(r"^number of transactions actually processed: (\d+)", re.MULTILINE)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class PgbenchJob:
    """What one pgbench workload runs: its script files (each at weight 1, so chosen at random with equal
    chances), the string variables they read (`-D name=value`) and the query protocol (`-M`)."""

    name: str
    scripts: list[Path]
    mode: str = "extended"
    variables: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in QUERY_MODES:
            raise ValueError(f"pgbench query mode {self.mode!r} is not one of {QUERY_MODES}")
        if not 1 <= len(self.scripts) <= 128:
            raise ValueError(f"pgbench runs 1 to 128 scripts, not {len(self.scripts)}")

    def options(self) -> list[str]:
        """The pgbench options that say what runs and how it is sent."""
        options = ["-M", self.mode]
        for name, value in self.variables.items():
            options += ["-D", f"{name}={value}"]
        for script in self.scripts:
            options += ["-f", f"{script}@1"]
        return options


def insert_job(template: str) -> PgbenchJob:
    """One of the insert scripts in bench/templates, with the extended protocol and an unnamed statement
    per query: what postgres-nio sends for the service's INSERT."""
    return PgbenchJob(name=f"pgbench {template}", scripts=[TEMPLATES / template], mode="extended")


def point_read_job(ids: list[str], customer: str, directory: Path) -> PgbenchJob:
    """The service's point read (`GET /orders/{id}` with an API key: `WHERE id = $1 AND customer_id = $2`)
    as pgbench scripts, one per order id (the first 100 of `ids`), written into `directory`.

    pgbench's own variables are numbers, so each script reads its id from a string variable of its own
    given with `-D` (`order_id_7`), and the customer from `customer`. With `-M prepared` each script's
    statement is parsed and planned once per connection with two parameters, and every transaction binds
    the id and the customer and executes it: the same statement text and parameters as the service's.
    """
    chosen = ids[:POINT_READ_IDS]
    if not chosen:
        raise ValueError("the point read needs at least one order id")
    template = POINT_READ_TEMPLATE.read_text()
    if template.count(":order_id ") != 1:
        raise RuntimeError(f"{POINT_READ_TEMPLATE} must use :order_id exactly once")
    directory.mkdir(parents=True, exist_ok=True)
    scripts, variables = [], {"customer": customer}
    for index, order_id in enumerate(chosen):
        if not _UUID.match(order_id):
            raise ValueError(f"not an order id the service wrote: {order_id!r}")
        variable = f"order_id_{index}"
        script = directory / f"select_order_{index:03d}.sql"
        script.write_text(template.replace(":order_id ", f":{variable} "))
        scripts.append(script)
        variables[variable] = order_id
    return PgbenchJob(name=f"pgbench {POINT_READ_TEMPLATE.name} x {len(chosen)} ids", scripts=scripts,
                      mode="prepared", variables=variables)


def check_point_read_rows(psql: Path, url: str, job: PgbenchJob) -> None:
    """Fails unless every id of a point-read job is an order of its customer: a SELECT that finds no row
    is cheaper than one that does, and would make the ceiling too high."""
    ids = [value for name, value in job.variables.items() if name.startswith("order_id_")]
    listed = ", ".join(f"'{order_id}'" for order_id in ids)  # checked to be UUIDs by point_read_job
    customer = job.variables["customer"].replace("'", "''")
    query = f"SELECT count(*) FROM orders WHERE customer_id = '{customer}' AND id IN ({listed})"
    result = subprocess.run([str(psql), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", query],
                            capture_output=True, text=True, timeout=60, check=False)
    found = result.stdout.strip()
    if result.returncode != 0 or found != str(len(ids)):
        raise RuntimeError(f"point read: {found or '?'} of {len(ids)} ids are orders of the customer "
                           f"({result.stderr.strip()})")


def transaction_latencies_us(log_lines: list[str]) -> list[int]:
    """Each transaction's latency in microseconds, from pgbench's per-transaction log (`-l`), whose lines
    read `client transaction latency script epoch_seconds microseconds`, in the order they finished.

    The latency is the time between the ends of a client's consecutive transactions, not the log's third
    field: pgbench 15 logs that field as 0 for most short transactions once a run is under way (measured
    with `SELECT 1` and one client: 19,259 of 23,202 transactions logged at 0 us while their ends were
    20-70 us apart). A client starts its next transaction as soon as one ends, so the gap is the latency
    a client saw, as wrk measures it. A client's first transaction has no predecessor and is left out;
    failed ones (a word instead of a number) are left out too.
    """
    last_end: dict[str, int] = {}
    latencies = []
    for line in log_lines:
        fields = line.split()
        if len(fields) < 6:
            continue
        client, outcome = fields[0], fields[2]
        end_us = int(fields[4]) * 1_000_000 + int(fields[5])
        if outcome.isdigit() and client in last_end:
            latencies.append(end_us - last_end[client])
        last_end[client] = end_us
    return sorted(latencies)


def percentile(sorted_values: list[int], percent: float) -> float:
    """The nearest-rank percentile of values sorted in ascending order."""
    index = min(len(sorted_values) - 1, max(0, round(percent / 100 * len(sorted_values)) - 1))
    return float(sorted_values[index])


def _command(pgbench: Path, url: str, job: PgbenchJob, seconds: int, settings: LoadSettings,
             extra: list[str]) -> list[str]:
    return pinned([str(pgbench), "-n", "-j", "1", "-c", str(settings.connections), "-T", str(seconds),
                   *extra, *job.options(), url], settings.load_cpus)


def run_pgbench(pgbench: Path, url: str, job: PgbenchJob, seconds: int, settings: LoadSettings,
                log_dir: Path) -> RunFigures:
    """One pgbench run: 1 thread, `settings.connections` clients, latencies from its per-transaction log."""
    for old in log_dir.glob("pgbench_log.*"):
        old.unlink()
    command = _command(pgbench, url, job, seconds, settings, ["-l", "--log-prefix", str(log_dir / "pgbench_log")])
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    tps = _TPS.search(result.stdout)
    processed = _PROCESSED.search(result.stdout)
    if result.returncode != 0 or tps is None or processed is None:
        errors = "\n".join(result.stderr.splitlines()[-12:])
        raise RuntimeError(f"{job.name} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{errors}")
    failed = _FAILED.search(result.stdout)
    latencies_us = transaction_latencies_us(
        [line for log in log_dir.glob("pgbench_log.*") for line in log.read_text().splitlines()])
    if not latencies_us:
        raise RuntimeError(f"{job.name}: pgbench wrote no per-transaction log")
    return RunFigures(
        requests=int(processed.group(1)),
        seconds=float(seconds),
        rps=float(tps.group(1)),
        p50_ms=percentile(latencies_us, 50) / 1000,
        p99_ms=percentile(latencies_us, 99) / 1000,
        p999_ms=percentile(latencies_us, 99.9) / 1000,
        errors=int(failed.group(1)) if failed else 0,
    )


def drive_pgbench(pgbench: Path, url: str, job: PgbenchJob, settings: LoadSettings,
                  log_dir: Path) -> list[RunFigures]:
    """A warm-up, then the timed runs, as for wrk."""
    if settings.warmup_seconds > 0:
        # Opening 32 connections (SCRAM authentication each) can take most of a short warm-up, which
        # may then finish no transaction: only its exit status counts.
        command = _command(pgbench, url, job, settings.warmup_seconds, settings, [])
        warm = subprocess.run(command, capture_output=True, text=True, timeout=settings.warmup_seconds + 60,
                              check=False)
        if warm.returncode != 0:
            raise RuntimeError(f"{job.name} warm-up failed:\n" + "\n".join(warm.stderr.splitlines()[-12:]))
    # pgbench's -T clock includes opening the connections (about a second for 32 on a busy machine),
    # which a very short run would spend entirely on them.
    seconds = max(settings.run_seconds, 5)
    return [run_pgbench(pgbench, url, job, seconds, settings, log_dir) for _ in range(settings.runs)]
