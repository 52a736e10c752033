"""Instances of the service for the drills: containers of the image, or the built binary.

A container runs as production runs it (read-only root, tmpfs /tmp, its non-root user, host
networking on a loopback port) with a restart policy, which plays ECS replacing a stopped task. ECS
takes tens of seconds to place and start a replacement; Docker restarts a container within a second,
before any balancer could notice the crash. So a restarted instance waits `replacement_delay` before
the service starts again (a marker in its /data volume tells a restart from the first start), which
keeps the drill honest about detection: the balancer must find the dead instance on its own.

Without a container engine (outside CI only) the binary runs directly and this module restarts it
after the same delay when it dies of anything but a stop it was asked for.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .timings import ROOT

BINARY = ROOT / "app" / ".build" / "debug" / "orders-service"
LABEL = "cloud-app-platform.drill-run"

# The image's entrypoint, wrapped: the first start is immediate, a restart waits like a replacement.
ENTRY_SCRIPT = (
    'if [ -e /data/.drill-started ]; then sleep "$DRILL_REPLACEMENT_DELAY_SECONDS"; fi; '
    ": > /data/.drill-started; exec /usr/local/bin/orders-service"
)


def http_status(url: str, timeout: float = 1.0, headers: dict | None = None) -> tuple[int, dict, float]:
    """GET `url`: (status or 0 when nothing answered, headers with lower-case names, seconds taken).
    Names are lowered because HAProxy, like HTTP/2, forwards them in lower case."""
    started = time.monotonic()
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status, _lower(response.headers), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers), time.monotonic() - started
    except (OSError, urllib.error.URLError):
        return 0, {}, time.monotonic() - started


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@dataclass
class Instance:
    """One instance of the service on a loopback port."""

    name: str
    port: int
    environment: dict[str, str]
    replacement_delay: float
    started_at: float = 0.0
    sigterm_at: float | None = None
    exited_at: float | None = None
    exit_code: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_answering(self, timeout: float, path: str = "/health/live") -> float | None:
        """Seconds from start until `path` answered 200, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if http_status(self.url + path, timeout=0.5)[0] == 200:
                return time.time() - self.started_at
            time.sleep(0.05)
        return None

    # Implemented by the two kinds below.
    def start(self) -> None: ...
    def terminate(self, stop_timeout: float) -> None: ...
    def kill_main_process(self) -> None: ...
    def restart_count(self) -> int: ...
    def main_pid(self) -> int: ...
    def remove(self) -> None: ...
    def logs(self) -> str: ...

    def wait_exited(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.exited_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.exited_at is not None


@dataclass
class ContainerInstance(Instance):
    image: str = "orders-service:local"
    run_id: str = ""

    def start(self) -> None:
        env_args = []
        for key, value in {
            **self.environment,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.environment.get("HTTP_PORT", self.port)),
            "DRILL_REPLACEMENT_DELAY_SECONDS": f"{self.replacement_delay:.3f}",
        }.items():
            env_args += ["--env", f"{key}={value}"]
        self.started_at = time.time()
        subprocess.run(
            ["docker", "run", "--detach", "--name", self.name, "--label", f"{LABEL}={self.run_id}",
             "--network=host", "--read-only", "--tmpfs", "/tmp", "--restart=on-failure",
             "--entrypoint", "/bin/sh", *env_args, self.image, "-c", ENTRY_SCRIPT],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    def terminate(self, stop_timeout: float) -> None:
        """SIGTERM as ECS sends it (docker stop), SIGKILL after `stop_timeout`; returns at once."""
        self.sigterm_at = time.time()

        def stop() -> None:
            subprocess.run(
                ["docker", "stop", "--time", str(max(1, round(stop_timeout))), self.name],
                capture_output=True, timeout=stop_timeout + 30,
            )  # fmt: skip
            self.exit_code = self._inspect()["State"]["ExitCode"]
            finished = self._inspect()["State"]["FinishedAt"]
            self.exited_at = _docker_time(finished) or time.time()

        threading.Thread(target=stop, name=f"stop-{self.name}", daemon=True).start()

    def kill_main_process(self) -> None:
        """SIGKILL to the service's process from the host; `docker kill` would also switch off the
        restart policy, which is exactly what must not happen here."""
        os.kill(self.main_pid(), signal.SIGKILL)

    def _inspect(self) -> dict:
        answer = subprocess.run(
            ["docker", "inspect", self.name], check=True, capture_output=True, text=True, timeout=30
        )
        return json.loads(answer.stdout)[0]

    def restart_count(self) -> int:
        return int(self._inspect()["RestartCount"])

    def main_pid(self) -> int:
        return int(self._inspect()["State"]["Pid"])

    def remove(self) -> None:
        subprocess.run(["docker", "rm", "--force", "--volumes", self.name], capture_output=True, timeout=60)

    def logs(self) -> str:
        answer = subprocess.run(["docker", "logs", self.name], capture_output=True, text=True, timeout=30)
        return answer.stdout + answer.stderr


def _docker_time(value: str) -> float | None:
    """Docker's RFC 3339 time with nanoseconds, as epoch seconds."""
    from datetime import datetime

    if not value or value.startswith("0001"):
        return None
    trimmed = value[:26].rstrip("Z") if "." in value else value.rstrip("Z")
    try:
        return datetime.fromisoformat(trimmed + "+00:00").timestamp()
    except ValueError:
        return None


@dataclass
class BinaryInstance(Instance):
    """The built binary, supervised here: restarted after `replacement_delay` when it dies unasked."""

    workdir: Path = Path(".")
    process: subprocess.Popen | None = None
    restarts: int = 0
    _stopping: bool = False
    _log: Path | None = None
    _supervisor: threading.Thread | None = field(default=None, repr=False)

    def _spawn(self) -> None:
        environment = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")},
            **self.environment,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.environment.get("HTTP_PORT", self.port)),
            "SQLITE_PATH": str(self.workdir / f"{self.name}.sqlite"),
        }
        self._log = self.workdir / f"{self.name}.log"
        with open(self._log, "ab") as log:
            self.process = subprocess.Popen([str(BINARY)], env=environment, stdout=log, stderr=log)

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.started_at = time.time()
        self._spawn()
        self._supervisor = threading.Thread(target=self._supervise, name=f"supervise-{self.name}", daemon=True)
        self._supervisor.start()

    def _supervise(self) -> None:
        while True:
            assert self.process is not None
            code = self.process.wait()
            if self._stopping or code == 0:
                self.exit_code = code
                self.exited_at = time.time()
                return
            time.sleep(self.replacement_delay)
            if self._stopping:
                return
            self.restarts += 1
            self._spawn()

    def terminate(self, stop_timeout: float) -> None:
        self.sigterm_at = time.time()
        self._stopping = True
        assert self.process is not None
        process = self.process
        process.send_signal(signal.SIGTERM)

        def enforce() -> None:
            try:
                process.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()

        threading.Thread(target=enforce, name=f"stop-{self.name}", daemon=True).start()

    def kill_main_process(self) -> None:
        assert self.process is not None
        self.process.kill()

    def restart_count(self) -> int:
        return self.restarts

    def main_pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def remove(self) -> None:
        self._stopping = True
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def logs(self) -> str:
        return self._log.read_text(errors="replace") if self._log and self._log.exists() else ""


def remove_run_containers(run_id: str) -> None:
    """Removes every container this run started (by its label), and nothing else."""
    listed = subprocess.run(
        ["docker", "ps", "--all", "--quiet", "--filter", f"label={LABEL}={run_id}"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    ids = listed.stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "--force", "--volumes", *ids], capture_output=True, timeout=60)
