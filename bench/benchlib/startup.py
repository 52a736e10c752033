"""Start-up time: from the exec of the binary to the first 200 on /health, the moment a load balancer
could start sending it traffic.

The clock starts just before the process is spawned (already pinned to the service CPU, inherited
from this process, so no `taskset` exec sits inside the measurement). A tight loop on the load CPU
then tries to connect and sends `GET /health` until the answer is 200: connection refused costs a few
microseconds, so the loop resolves the moment the listener opens to well under a millisecond.
"""

from __future__ import annotations

import socket
import statistics
import time

from .processes import Service

REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def _health_is_200(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            sock.sendall(REQUEST)
            head = sock.recv(64)
    except OSError:
        return False
    return head.startswith(b"HTTP/1.1 200")


def time_to_first_200(service: Service, limit_seconds: float = 30.0) -> float:
    """Starts `service`, returns milliseconds from spawn to the first 200, then stops it."""
    start = time.perf_counter_ns()
    process = service.spawn()
    deadline = start + int(limit_seconds * 1e9)
    try:
        while True:
            if _health_is_200(service.port):
                return (time.perf_counter_ns() - start) / 1e6
            if process.poll() is not None:
                raise RuntimeError(f"the service exited with {process.returncode} before /health answered:\n"
                                   f"{service.stderr_tail()}")
            if time.perf_counter_ns() > deadline:
                raise RuntimeError(f"/health did not answer 200 within {limit_seconds} s")
    finally:
        service.stop()


def measure(make_service, repetitions: int) -> dict:
    """Median (and spread) of `repetitions` cold starts; `make_service()` gives a fresh, unstarted Service."""
    samples = [time_to_first_200(make_service()) for _ in range(repetitions)]
    return {
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "max_ms": max(samples),
        "repetitions": repetitions,
        "samples_ms": samples,
    }
