#!/usr/bin/env python3
"""Where the service's CPU goes, one workload at a time: CPU time per request and a perf profile.

The service runs pinned to CPU 0 and wrk drives it from CPU 1 (1 thread, 32 connections), as in
`make bench`. Two figures come out of each run:

- CPU time per request: the process's user + system time over the run, divided by the requests wrk
  completed. On a shared machine it moves far less than requests per second, so two builds (or the
  service and nginx, `--nginx`) compare well on it; run them one after the other, twice.
- Per thread (`--threads`): CPU time, time spent runnable but waiting for the CPU, and blocking and
  preempting switches, each per request (benchlib/threads.py says how they are read).
- A sampled profile (`perf record -e cpu-clock --call-graph dwarf`, from Debian's linux-perf) of a few
  seconds in the middle of the run, reported by symbol, with and without the callees' share.

  bench/profile.py --workload order                     the release build, GET /orders/{id} on SQLite
  bench/profile.py --workload list --store postgres     a page of 20 on PostgreSQL
  bench/profile.py --nginx                              nginx's fixed body, for scale
  bench/profile.py --workload health --no-perf          CPU time per request only

Reports go to out/bench/profile/<name>.txt. valgrind's callgrind would count instructions instead,
but the valgrind in Debian 12 cannot read the DWARF 5 debug information of this toolchain's binaries.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import load, seed, threads  # noqa: E402
from benchlib.processes import ROOT, Nginx, PostgresSandbox, Service, peak_rss_kib  # noqa: E402

# workload id -> (wrk script, path), as `make bench` drives them
WORKLOADS = {workload[0]: (workload[3], workload[4]) for workload in [load.HEALTH, *load.ORDERS]}
SERVICE_CPUS = {0}
LOAD = load.LoadSettings(connections=32, load_cpus={1})


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=ROOT / "app/.build/release/orders-service")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="order")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--access-log", action="store_true", help="LOG_LEVEL=info, as in production")
    parser.add_argument("--nginx", action="store_true", help="measure nginx serving the order-sized body instead")
    parser.add_argument("--seconds", type=int, default=12, help="length of the load (the profile takes the middle)")
    parser.add_argument("--no-perf", action="store_true", help="CPU time per request only, no profile")
    parser.add_argument("--threads", action="store_true", help="add each thread's CPU and run-queue wait per request")
    parser.add_argument("--out", type=Path, default=ROOT / "out/bench/profile")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra environment variable for the service (repeatable), e.g. MALLOC_ARENA_MAX=2")
    return parser.parse_args()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def perf_report(data: Path, children: bool) -> str:
    command = ["perf", "report", "-i", str(data), "--stdio", "--sort", "symbol", "-g", "none",
               "--percent-limit", "0.5", "--children" if children else "--no-children"]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()
    return "\n".join(line.rstrip() for line in lines if re.match(r"^\s+\d", line))


def main() -> int:
    arguments = parse_arguments()
    if len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("profile: needs two CPUs (one for the service, one for wrk)")
    if not arguments.no_perf and shutil.which("perf") is None:
        raise SystemExit("profile: perf is not installed (apt-get install linux-perf), or use --no-perf")
    arguments.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="orders-profile-"))
    name = "nginx" if arguments.nginx else f"{arguments.workload}-{arguments.store}" + (
        "-access-log" if arguments.access_log else "")
    postgres = PostgresSandbox(55434) if arguments.store == "postgres" and not arguments.nginx else None
    service: Service | None = None
    nginx: Nginx | None = None
    try:
        store_env = {"STORE": "sqlite", "SQLITE_PATH": str(workdir / "orders.sqlite")}
        if postgres is not None:
            postgres.start()
            store_env = {"STORE": "postgres", "DATABASE_URL": postgres.url, "DATABASE_TLS": "disable"}
        store_env.update(dict(setting.split("=", 1) for setting in arguments.env))
        service = Service(arguments.binary.resolve(), store_env, workdir, SERVICE_CPUS,
                          access_log=arguments.access_log)
        key = seed.create_key(service)
        service.start()
        ids = seed.seed_orders(service.port, key, 200)
        (workdir / "ids").write_text("\n".join(ids))
        script, path = WORKLOADS[arguments.workload]
        port, pid = service.port, service.process.pid
        if arguments.nginx:
            body = seed.fetch(service.port, key, f"/orders/{ids[0]}")
            service.stop()
            service = None
            nginx = Nginx(workdir, body, SERVICE_CPUS)
            nginx.start()
            script, path, port, pid = "get.lua", Nginx.path, nginx.port, nginx.worker_pid()

        env = {"BENCH_API_KEY": key, "BENCH_IDS_FILE": str(workdir / "ids"),
               "BENCH_RUN_ID": f"profile-{time.time_ns()}", "BENCH_CUSTOMER": seed.CUSTOMER}
        before = cpu_seconds(pid)
        threads_before = threads.snapshot(pid)
        wrk = load.start_wrk(f"http://127.0.0.1:{port}{path}", script, arguments.seconds, LOAD, env)
        data = arguments.out / f"{name}.perf.data"
        if not arguments.no_perf:
            time.sleep(arguments.seconds / 4)
            subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "499", "--call-graph", "dwarf,16384",
                            "-p", str(pid), "-o", str(data), "--", "sleep", str(arguments.seconds / 2)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        figures = load.finish_wrk(wrk, arguments.seconds)
        requests = figures.requests
        used = cpu_seconds(pid) - before
        threads_after = threads.snapshot(pid)
        # Sampling costs the profiled process some CPU of its own: compare figures taken with --no-perf.
        profiled = "" if arguments.no_perf else ", sampled by perf"
        summary = (f"{name}: {requests} requests in {arguments.seconds} s, {1e6 * used / requests:.1f} us of "
                   f"CPU per request ({used:.2f} s of CPU{profiled}), peak resident memory "
                   f"{peak_rss_kib(pid) / 1024:.1f} MiB; latency p50 {figures.p50_ms:.2f} ms, p99 "
                   f"{figures.p99_ms:.2f} ms, p99.9 {figures.p999_ms:.2f} ms")
        if arguments.threads:
            summary += "\n" + threads.report(threads_before, threads_after, requests)
        print(summary, flush=True)
        report = arguments.out / f"{name}.txt"
        text = summary + "\n"
        if not arguments.no_perf:
            text += (f"\n== self (perf, cpu-clock) ==\n{perf_report(data, children=False)}\n"
                     f"\n== with callees ==\n{perf_report(data, children=True)}\n")
        report.write_text(text)
        print(f"report: {report}")
    finally:
        if service is not None:
            service.stop()
        if nginx is not None:
            nginx.stop()
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
