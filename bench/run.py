#!/usr/bin/env python3
"""Benchmarks orders-service against the ceiling of the machine it runs on.

The service runs pinned to one CPU and wrk drives it from another (1 thread, 32 connections): GET
/health, GET /orders/{id}, GET /orders (a page of 20) and POST /orders, on SQLite and on PostgreSQL,
and on SQLite once more with the production access log on; p50, p99 and p99.9 latency of each. In the
same run nginx, pinned like the service, serves a fixed body the size of an order (the HTTP ceiling), and
pgbench runs the service's point read (prepared, over the seeded orders) and its INSERT with as many
clients (the database's ceilings). Then start-up time, and peak memory.

  bench/run.py                           full run: docs/benchmarks.md, docs/benchmarks.png, out/bench/
  bench/run.py --smoke --binary DEBUG    a few seconds per workload; fails on any error or missing figure

Everything listens on 127.0.0.1; PostgreSQL is the project's sandbox on its own port (55434 unless
SANDBOX_POSTGRES_PORT says otherwise), started and removed by the run when it was not running before.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import load, pgbench, report, seed, startup, targets  # noqa: E402
from benchlib.processes import ROOT, Nginx, PostgresSandbox, Service  # noqa: E402

# The OTLP receiver of the tracing tests (tests/support/otlp.py) takes the traced runs' spans.
sys.path.insert(0, str(ROOT / "tests"))
from support.otlp import OTLPReceiver, spans_dropped  # noqa: E402

# The service processes of a run: (store, access log, tracing, workloads). Tracing "off" sets no OTLP
# endpoint (the service as `make run` starts it); "default" exports with the default sampler (5 % of new
# traces) and "full" with every trace sampled, both to an OTLP receiver on loopback.
PROCESSES = [("sqlite", False, "off", [load.HEALTH, *load.ORDERS]), ("sqlite", True, "off", load.ORDERS),
             ("postgres", False, "off", load.ORDERS),
             ("sqlite", False, "default", load.TRACED), ("sqlite", False, "full", load.TRACED)]
EXPECTED_WORKLOADS = sum(len(workloads) for _, _, _, workloads in PROCESSES)
TRACING_SAMPLERS = {"default": {}, "full": {"OTEL_TRACES_SAMPLER": "always_on"}}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=ROOT / "app/.build/release/orders-service",
                        help="the orders-service executable (default: the release build)")
    parser.add_argument("--smoke", action="store_true",
                        help="short runs; check that every figure is produced with 0 errors; write no docs")
    parser.add_argument("--warmup", type=int, help="warm-up seconds per workload (default 3; smoke 1)")
    parser.add_argument("--duration", type=int, help="seconds per timed run (default 10; smoke 2)")
    parser.add_argument("--runs", type=int, help="timed runs per workload (default 3; smoke 1)")
    parser.add_argument("--startups", type=int, help="start-ups measured per store (default 30; smoke 3)")
    parser.add_argument("--seed-orders", type=int, help="orders created before the reads (default 500; smoke 40)")
    parser.add_argument("--out", type=Path, default=ROOT / "out/bench", help="raw results directory")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md",
                        help="document whose results section is rewritten (not in smoke mode)")
    parser.add_argument("--no-doc", action="store_true", help="write the JSON only (for experiments)")
    parser.add_argument("--label", default="", help="a name for this run in the JSON (for experiments)")
    return parser.parse_args()


def cpu_plan(smoke: bool) -> tuple[set[int] | None, set[int] | None]:
    """CPU 0 for the service, CPU 1 for the load; unpinned (said loudly) on a one-CPU machine."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) >= 2:
        return {available[0]}, {available[1]}
    if not smoke:
        raise SystemExit("bench: needs two CPUs (one for the service, one for the load generator)")
    print("bench: WARNING: one CPU only; the smoke runs unpinned", file=sys.stderr, flush=True)
    return None, None


def progress(message: str) -> None:
    print(f"==> {message}", flush=True)


def commit() -> str:
    result = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--exclude", "*"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def latencies(figures: dict) -> str:
    """The latency percentiles of a workload's figures, for the progress lines."""
    return f"p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms, p99.9 {figures['p999_ms']:.2f} ms"


def process_label(store: str, access_log: bool, tracing: str) -> str:
    return store + (" (access log on)" if access_log else "") + (f" (tracing {tracing})" if tracing != "off" else "")


def measure_workloads(service: Service, store: str, access_log: bool, tracing: str, workloads: list, key: str,
                      ids_file: Path, settings: load.LoadSettings, run_id: str) -> list[dict]:
    measured = []
    for workload_id, name, method, script, path, needs_key in workloads:
        tag = f"{name} on {process_label(store, access_log, tracing)}"
        progress(tag)
        env = {"BENCH_API_KEY": key if needs_key else "", "BENCH_IDS_FILE": str(ids_file),
               "BENCH_RUN_ID": f"{run_id}-{store}-{int(access_log)}-{tracing}", "BENCH_CUSTOMER": seed.CUSTOMER}
        runs = load.drive(f"http://127.0.0.1:{service.port}{path}", script, settings, env)
        figures = load.summarize(runs)
        print(f"    {figures['rps']:,.0f} req/s, {latencies(figures)}, {figures['errors']} errors", flush=True)
        measured.append({"id": workload_id, "name": name, "method": method, "store": store,
                         "access_log": access_log, "tracing": tracing, **figures})
    return measured


def store_environment(store: str, workdir: Path, postgres: PostgresSandbox) -> dict[str, str]:
    if store == "sqlite":
        return {"STORE": "sqlite", "SQLITE_PATH": str(workdir / "orders.sqlite")}
    return {"STORE": "postgres", "DATABASE_URL": postgres.url, "DATABASE_TLS": "disable"}


def measure_ceiling(nginx: Nginx, settings: load.LoadSettings, key: str) -> list[load.RunFigures]:
    progress(f"nginx ceiling: GET {nginx.path}")
    runs = load.drive(f"http://127.0.0.1:{nginx.port}{nginx.path}", "get.lua", settings,
                      {"BENCH_API_KEY": key})
    print(f"    {max(r.rps for r in runs):,.0f} req/s (best of {len(runs)})", flush=True)
    return runs


def measure_pgbench(postgres: PostgresSandbox, ids_file: Path, settings: load.LoadSettings,
                    workdir: Path) -> dict[str, dict]:
    """The database's ceilings: the service's point read (prepared, against the seeded orders), then its
    INSERT in a transaction and alone."""
    read = pgbench.point_read_job(ids_file.read_text().split(), seed.CUSTOMER, workdir / "pgbench-select")
    pgbench.check_point_read_rows(postgres.pg_bin / "psql", postgres.url, read)
    jobs = {"select": read,
            "transaction": pgbench.insert_job("pgbench_insert_transaction.sql"),
            "statement": pgbench.insert_job("pgbench_insert_statement.sql")}
    measured = {}
    for key, job in jobs.items():
        progress(f"{job.name}, -M {job.mode}, {settings.connections} clients")
        runs = pgbench.drive_pgbench(postgres.pg_bin / "pgbench", postgres.url, job, settings, workdir)
        measured[key] = {"name": job.name, "store": "postgres", "mode": job.mode, "scripts": len(job.scripts),
                         **load.summarize(runs)}
        print(f"    {measured[key]['rps']:,.0f} tx/s, {latencies(measured[key])}", flush=True)
    return measured


def run(arguments: argparse.Namespace) -> dict:
    smoke = arguments.smoke
    service_cpus, load_cpus = cpu_plan(smoke)
    if load_cpus is not None:
        # The harness itself (seeding, the start-up poll loop) stays off the service's CPU.
        os.sched_setaffinity(0, load_cpus)
    settings = load.LoadSettings(
        warmup_seconds=arguments.warmup if arguments.warmup is not None else (1 if smoke else 3),
        run_seconds=arguments.duration or (2 if smoke else 10),
        runs=arguments.runs or (1 if smoke else 3),
        load_cpus=load_cpus,
    )
    startups = arguments.startups or (3 if smoke else 30)
    seed_count = arguments.seed_orders or (40 if smoke else 500)
    binary = arguments.binary.resolve()
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"bench: no executable at {binary}")
    for tool in ("wrk", "nginx", "taskset"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench: {tool} is not installed (apt-get install wrk nginx util-linux)")

    results: dict = {
        "label": arguments.label,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "binary": str(binary),
        "build": "release" if "/release/" in str(binary) else ("debug" if "/debug/" in str(binary) else "custom"),
        "load_before": report.load_average(),
        "settings": {"connections": settings.connections, "warmup_seconds": settings.warmup_seconds,
                     "run_seconds": settings.run_seconds, "runs": settings.runs, "seed_orders": seed_count,
                     "service_cpus": sorted(service_cpus) if service_cpus else "any",
                     "load_cpus": sorted(load_cpus) if load_cpus else "any"},
        "workloads": [],
        "peak_rss_mib": {},
        "startup": {},
    }
    run_id = secrets.token_hex(4)
    workdir = Path(tempfile.mkdtemp(prefix="orders-bench-"))
    postgres = PostgresSandbox(int(os.environ.get("SANDBOX_POSTGRES_PORT", "55434")))
    nginx: Nginx | None = None
    services: list[Service] = []
    ceiling_runs: list[load.RunFigures] = []
    receiver = OTLPReceiver().start()
    results["tracing"] = {}
    try:
        progress(f"PostgreSQL sandbox on port {os.environ.get('SANDBOX_POSTGRES_PORT', '55434')}")
        postgres.start()
        results["machine"] = report.machine_facts(postgres.version())
        keys: dict[str, str] = {}
        ids_files: dict[str, Path] = {}
        for store, access_log, tracing, workloads in PROCESSES:
            env = store_environment(store, workdir, postgres)
            tracing_env = None if tracing == "off" else {
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, **TRACING_SAMPLERS[tracing]}
            service = Service(binary, env, workdir, service_cpus, access_log=access_log, tracing_env=tracing_env)
            services.append(service)
            if store not in keys:
                keys[store] = seed.create_key(service)
            progress(f"orders-service on {store}, port {service.port}"
                     + (", access log on" if access_log else ", access log off") + f", tracing {tracing}")
            service.start()
            spans_before = len(receiver.spans)
            if store not in ids_files:
                progress(f"seeding {seed_count} orders through the API")
                ids = seed.seed_orders(service.port, keys[store], seed_count)
                ids_files[store] = workdir / f"ids-{store}.txt"
                ids_files[store].write_text("\n".join(ids) + "\n")
            if nginx is None:
                body = seed.fetch(service.port, keys[store], f"/orders/{ids_files[store].read_text().split()[0]}")
                nginx = Nginx(workdir, body, service_cpus).start()
                ceiling_runs += measure_ceiling(nginx, settings, keys[store])
                results["ceiling_body_bytes"] = len(body)
            results["workloads"] += measure_workloads(service, store, access_log, tracing, workloads, keys[store],
                                                      ids_files[store], settings, run_id)
            results["peak_rss_mib"][process_label(store, access_log, tracing)] = service.peak_rss_kib() / 1024
            dropped = None
            if tracing != "off":
                exposition = seed.fetch(service.port, "", "/metrics").decode()
                dropped = {reason: int(count) for reason, count in spans_dropped(exposition).items()}
            service.stop()  # a traced process sends the spans it still holds before it ends
            if dropped is not None:
                results["tracing"][tracing] = {"spans_received": len(receiver.spans) - spans_before,
                                               "spans_dropped": dropped}

        results["pgbench"] = measure_pgbench(postgres, ids_files["postgres"], settings, workdir)

        assert nginx is not None
        ceiling_runs += measure_ceiling(nginx, settings, keys["sqlite"])
        nginx.stop()
        half = len(ceiling_runs) // 2
        results["ceiling"] = {"name": "nginx", "store": "-", "body_bytes": results.pop("ceiling_body_bytes"),
                              **load.summarize(ceiling_runs),
                              "first_rps": load.summarize(ceiling_runs[:half])["rps"],
                              "last_rps": load.summarize(ceiling_runs[half:])["rps"]}
        for workload in results["workloads"]:
            workload["ratio_nginx"] = workload["rps"] / results["ceiling"]["rps"]

        for store in ("sqlite", "postgres"):
            progress(f"start-up to first 200 on /health, {store}, {startups} times")
            env = store_environment(store, workdir, postgres)
            results["startup"][store] = startup.measure(
                lambda env=env: Service(binary, env, workdir, service_cpus), startups)
            print(f"    median {results['startup'][store]['median_ms']:.1f} ms", flush=True)
    finally:
        receiver.stop()
        for service in services:
            service.stop()
        if nginx is not None:
            nginx.stop()
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    results["load_after"] = report.load_average()
    results["targets"] = targets.evaluate(results)
    return results


def main() -> int:
    arguments = parse_arguments()
    results = run(arguments)
    arguments.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = "smoke.json" if arguments.smoke else f"results-{stamp}.json"
    (arguments.out / name).write_text(json.dumps(results, indent=2) + "\n")
    if not arguments.smoke:
        (arguments.out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nraw results: {arguments.out / name}")
    if arguments.smoke:
        problems = targets.missing_figures(results, EXPECTED_WORKLOADS)
        if problems:
            print("bench-smoke: FAILED\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        print(f"bench-smoke: {EXPECTED_WORKLOADS} workloads, the nginx ceiling, {len(results['pgbench'])} pgbench "
              "workloads (the point read and both inserts), p50, p99 and p99.9 of each, start-up and peak memory "
              "on both stores all measured with 0 errors (targets are not checked here)")
        return 0
    for target in results["targets"]:
        print(f"  {'met   ' if target['met'] else 'MISSED'}  {target['target']}: {target['measured']}")
    if not arguments.no_doc:
        chart = arguments.doc.with_suffix(".png")
        report.write_chart(chart, results)
        report.write_document(arguments.doc, results, chart.name)
        print(f"wrote {arguments.doc} and {chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
