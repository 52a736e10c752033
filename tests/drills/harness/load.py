"""Steady load through the balancer with `hey`, bounded in count and time, and what it saw.

hey's CSV output has one row per response (status, latency, offset from the start) but leaves out
requests that got no response at all (connection refused, timeouts). So each stream sends a fixed
number of requests (`-n`) at a fixed rate (`-q` per worker): every request hey was told to send and
that has no row is a failure too, and is counted as one ("no response").
"""

from __future__ import annotations

import csv
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# hey gives up on a request after this long; the drills' requests take milliseconds.
REQUEST_TIMEOUT_SECONDS = 5


@dataclass
class Stream:
    """One hey process: a method and path at `rate` requests per second for `seconds`."""

    label: str
    method: str
    path: str
    rate: int
    seconds: float
    workers: int = 2
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """A multiple of the workers: hey gives each worker n / c requests and drops the rest."""
        per_worker = max(1, int(self.rate * self.seconds) // self.workers)
        return per_worker * self.workers


@dataclass
class Response:
    at: float  # wall-clock seconds when the request was sent
    status: int
    latency: float
    stream: str


@dataclass
class LoadResult:
    started_at: float
    finished_at: float
    sent: int
    responses: list[Response]
    unanswered: int  # sent, but hey recorded no response (connection error or timeout)

    @property
    def failed(self) -> list[Response]:
        return [r for r in self.responses if not 200 <= r.status < 300]

    @property
    def failed_count(self) -> int:
        return len(self.failed) + self.unanswered

    def statuses(self) -> Counter:
        return Counter(r.status for r in self.responses)

    def per_second(self) -> list[tuple[int, int, int]]:
        """(second since start, successful responses, failed responses) for each second."""
        seconds = int(self.finished_at - self.started_at) + 1
        ok = [0] * seconds
        bad = [0] * seconds
        for response in self.responses:
            index = min(seconds - 1, max(0, int(response.at - self.started_at)))
            if 200 <= response.status < 300:
                ok[index] += 1
            else:
                bad[index] += 1
        return [(second, ok[second], bad[second]) for second in range(seconds)]


class Load:
    """Starts the streams together; `wait()` collects them."""

    def __init__(self, base_url: str, streams: list[Stream], workdir: Path, niceness: int = 10) -> None:
        self.base_url = base_url
        self.streams = streams
        self.workdir = workdir
        self.niceness = niceness
        self.processes: list[tuple[Stream, subprocess.Popen, Path, float]] = []
        self.started_at = 0.0

    @property
    def duration(self) -> float:
        return max(stream.seconds for stream in self.streams)

    def start(self) -> "Load":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.started_at = time.time()
        for stream in self.streams:
            workers = stream.workers
            command = [
                "nice", "-n", str(self.niceness), "hey",
                "-n", str(stream.count), "-c", str(workers), "-q", f"{stream.rate / workers:g}",
                "-t", str(REQUEST_TIMEOUT_SECONDS), "-m", stream.method, "-o", "csv",
            ]  # fmt: skip
            for key, value in stream.headers.items():
                command += ["-H", f"{key}: {value}"]
            if stream.body is not None:
                command += ["-d", stream.body, "-T", "application/json"]
            command.append(self.base_url + stream.path)
            output = self.workdir / f"hey-{stream.label}.csv"
            with open(output, "wb") as sink:
                process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
            self.processes.append((stream, process, output, time.time()))
        return self

    def wait(self) -> LoadResult:
        responses: list[Response] = []
        sent = 0
        unanswered = 0
        for stream, process, output, launched in self.processes:
            process.wait(timeout=stream.seconds * 3 + REQUEST_TIMEOUT_SECONDS + 30)
            if process.returncode != 0:
                raise RuntimeError(f"hey exited {process.returncode}; see {output}")
            rows = list(csv.DictReader(output.open(encoding="utf-8")))
            for row in rows:
                responses.append(
                    Response(
                        at=launched + float(row["offset"]),
                        status=int(row["status-code"]),
                        latency=float(row["response-time"]),
                        stream=stream.label,
                    )
                )
            sent += stream.count
            unanswered += stream.count - len(rows)
        finished = max([r.at + r.latency for r in responses], default=time.time())
        responses.sort(key=lambda r: r.at)
        return LoadResult(self.started_at, finished, sent, responses, unanswered)
