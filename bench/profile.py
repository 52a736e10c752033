#!/usr/bin/env python3
"""Where one request's instructions go: the service under valgrind's callgrind, one workload at a time.

Callgrind counts executed instructions (Ir), which repeat to within a fraction of a percent from run to
run, unlike timings on a shared machine. Instrumentation is off while the service starts and while a
warm-up runs, then on for exactly N sequential requests on one keep-alive connection; the report is
instructions per request, by function (self and inclusive), from callgrind_annotate.

  bench/profile.py --binary app/.build/release/orders-service --workload order --requests 2000
  bench/profile.py --nginx --requests 2000        the same count for nginx's fixed body, for scale

Only user space is counted (valgrind does not see the kernel); `perf record -e cpu-clock` shows the
kernel's share. Output goes to out/bench/profile/<workload>-<store>.{callgrind,txt}.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import seed  # noqa: E402
from benchlib.processes import ROOT, Nginx, PostgresSandbox, Service, stop_process, wait_for_200  # noqa: E402

WORKLOADS = {
    "health": ("GET", "/health"),
    "order": ("GET", None),  # one of the seeded ids, cycling
    "list": ("GET", "/orders"),
    "create": ("POST", "/orders"),
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=ROOT / "app/.build/release/orders-service")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="order")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--access-log", action="store_true", help="LOG_LEVEL=info, as in production")
    parser.add_argument("--nginx", action="store_true", help="profile nginx serving the order-sized body instead")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "out/bench/profile")
    return parser.parse_args()


class Client:
    """Sequential requests on one keep-alive connection."""

    def __init__(self, port: int, key: str | None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.counter = 0

    def send(self, method: str, path: str) -> None:
        self.counter += 1
        body = None
        headers = dict(self.headers)
        if method == "POST":
            body = seed.order_body(900000 + self.counter)
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = f"profile-{time.time_ns()}-{self.counter}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} answered {response.status}")


def callgrind_command(output: Path) -> list[str]:
    return ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={output}",
            "--dump-instr=no", "--collect-systime=no"]


def control(pid: int, *arguments: str) -> None:
    subprocess.run(["callgrind_control", *arguments, str(pid)], check=True, capture_output=True, timeout=120)


def drive(port: int, key: str | None, method: str, paths: list[str], count: int) -> None:
    client = Client(port, key)
    for index in range(count):
        client.send(method, paths[index % len(paths)])


def annotate(callgrind_file: Path, requests: int, report: Path) -> int:
    """Writes the annotated report with per-request figures on top; returns instructions per request."""
    inclusive = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99", str(callgrind_file)],
                               capture_output=True, text=True, check=True).stdout
    exclusive = subprocess.run(["callgrind_annotate", "--threshold=95", str(callgrind_file)],
                               capture_output=True, text=True, check=True).stdout
    total = re.search(r"^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", inclusive, re.MULTILINE)
    total_ir = int(total.group(1).replace(",", "")) if total else 0
    per_request = total_ir // requests if requests else 0
    report.write_text(f"{requests} requests, {total_ir:,} instructions, {per_request:,} per request\n\n"
                      f"== self cost ==\n{exclusive}\n== inclusive cost ==\n{inclusive}")
    return per_request


def main() -> int:
    arguments = parse_arguments()
    if shutil.which("valgrind") is None:
        raise SystemExit("profile: valgrind is not installed (apt-get install valgrind)")
    arguments.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="orders-profile-"))
    name = "nginx" if arguments.nginx else f"{arguments.workload}-{arguments.store}" + (
        "-access-log" if arguments.access_log else "")
    callgrind_file = arguments.out / f"{name}.callgrind"
    postgres = PostgresSandbox(55434) if arguments.store == "postgres" and not arguments.nginx else None
    helper: Service | None = None
    profiled: subprocess.Popen | None = None
    try:
        env = {"STORE": "sqlite", "SQLITE_PATH": str(workdir / "orders.sqlite")}
        if postgres is not None:
            postgres.start()
            env = {"STORE": "postgres", "DATABASE_URL": postgres.url, "DATABASE_TLS": "disable"}
        # An uninstrumented service creates the key and the orders the reads need.
        helper = Service(arguments.binary.resolve(), env, workdir, None)
        key = seed.create_key(helper)
        helper.start()
        ids = seed.seed_orders(helper.port, key, 200)
        body = seed.fetch(helper.port, key, f"/orders/{ids[0]}")
        helper.stop()

        if arguments.nginx:
            nginx = Nginx(workdir, body, None)
            command = [*callgrind_command(callgrind_file), "nginx", "-p", str(nginx.prefix), "-e",
                       str(nginx.prefix / "error.log"), "-c", str(nginx.config_path), "-g", "master_process off;"]
            profiled = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            port, method, paths, key_for_requests = nginx.port, "GET", [Nginx.path], None
        else:
            service = Service(arguments.binary.resolve(), env, workdir, None, access_log=arguments.access_log)
            command = [*callgrind_command(callgrind_file), str(service.binary)]
            profiled = subprocess.Popen(command, env=service.env, stdout=subprocess.DEVNULL,
                                        stderr=open(service.stderr_path, "ab"))
            method, path = WORKLOADS[arguments.workload]
            port, paths, key_for_requests = service.port, ([f"/orders/{i}" for i in ids] if path is None
                                                           else [path]), key
        wait_for_200(port, "/health" if not arguments.nginx else Nginx.path, 120, profiled)
        drive(port, key_for_requests, method, paths, arguments.warmup)
        control(profiled.pid, "--zero")
        control(profiled.pid, "--instr=on")
        drive(port, key_for_requests, method, paths, arguments.requests)
        control(profiled.pid, "--instr=off")
        control(profiled.pid, "--dump")
        stop_process(profiled, seconds=60)
        profiled = None
        dumps = sorted(arguments.out.glob(f"{name}.callgrind*"), key=lambda p: p.stat().st_mtime)
        dump = next((d for d in reversed(dumps) if d.stat().st_size > 0 and d != callgrind_file), callgrind_file)
        per_request = annotate(dump, arguments.requests, arguments.out / f"{name}.txt")
        print(f"{name}: {per_request:,} instructions per request (user space); "
              f"report {arguments.out / (name + '.txt')}")
    finally:
        if profiled is not None:
            stop_process(profiled, seconds=60)
        if helper is not None:
            helper.stop()
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
