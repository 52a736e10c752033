"""The processes a benchmark run starts and owns: the service, nginx, and a throwaway PostgreSQL.

Every one listens on 127.0.0.1 only, lives in a temporary directory, and is stopped by the run that
started it (by its own process id, never by name).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_SCRIPT = ROOT / "scripts" / "postgres-sandbox.sh"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def free_port() -> int:
    """A port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def own_affinity(cpus: set[int] | None):
    """Runs the body with this process pinned to `cpus`, so that a child started inside inherits the
    pinning from its first instruction (no `taskset` exec between the clock and the service)."""
    if cpus is None:
        yield
        return
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, previous)


def get_status(port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """One GET on a fresh connection: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for_200(port: int, path: str, seconds: float, process: subprocess.Popen | None = None) -> None:
    """Polls `path` until it answers 200; fails after `seconds` or when `process` exits first."""
    deadline = time.monotonic() + seconds
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {path} answered 200")
        try:
            status, _ = get_status(port, path, timeout=1.0)
            if status == 200:
                return
            last_error = f"status {status}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.02)
    raise RuntimeError(f"{path} on port {port} did not answer 200 within {seconds} s ({last_error})")


def peak_rss_kib(pid: int) -> int:
    """VmHWM: the most resident memory the process has held since it started, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM")


def stop_process(process: subprocess.Popen, seconds: float = 20.0) -> int:
    """SIGTERM, then SIGKILL after `seconds`; returns the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    return process.returncode


class Service:
    """One orders-service process pinned to a CPU, with the environment the benchmark gives it.

    `access_log` True runs it as production does (LOG_LEVEL=info, one JSON line per request), with
    standard output sent to /dev/null; False sets LOG_LEVEL=warning. Standard error goes to a file.
    `tracing_env` holds the OTEL_* settings of a run with tracing on; without it tracing is off.
    """

    def __init__(self, binary: Path, store_env: dict[str, str], workdir: Path, cpus: set[int] | None,
                 access_log: bool = False, tracing_env: dict[str, str] | None = None):
        self.binary = binary
        self.port = free_port()
        self.cpus = cpus
        self.access_log = access_log
        self.stderr_path = workdir / f"service-{self.port}.stderr"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "LOG_LEVEL": "info" if access_log else "warning",
            "LOG_FORMAT": "json",
            # The benchmark stops its services itself; no load balancer needs time to notice.
            "DRAIN_DELAY_SECONDS": "0",
            **store_env,
            **(tracing_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def command(self, *arguments: str) -> str:
        """Runs a CLI mode of the same binary with the same environment (e.g. `keys create`); stdout."""
        result = subprocess.run([str(self.binary), *arguments], env=self.env, capture_output=True,
                                text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"orders-service {' '.join(arguments)} failed: {result.stderr.strip()}")
        return result.stdout

    def spawn(self) -> subprocess.Popen:
        """Starts the process without waiting for it."""
        with own_affinity(self.cpus), open(self.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen([str(self.binary)], env=self.env, stdout=subprocess.DEVNULL,
                                            stderr=stderr, stdin=subprocess.DEVNULL)
        return self.process

    def start(self) -> Service:
        """Starts the process and waits until `/health` answers 200."""
        self.spawn()
        try:
            wait_for_200(self.port, "/health", 60, self.process)
        except RuntimeError as error:
            self.stop()
            raise RuntimeError(f"{error}; its standard error:\n{self.stderr_tail()}") from error
        return self

    def stderr_tail(self) -> str:
        try:
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def peak_rss_kib(self) -> int:
        return peak_rss_kib(self.pid)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        return stop_process(self.process)


class Nginx:
    """nginx serving `body` at /order.json from its own prefix and configuration, pinned like the service."""

    path = "/order.json"

    def __init__(self, workdir: Path, body: bytes, cpus: set[int] | None):
        self.prefix = workdir / "nginx"
        self.port = free_port()
        self.cpus = cpus
        (self.prefix / "www").mkdir(parents=True, exist_ok=True)
        (self.prefix / "www" / "order.json").write_bytes(body)
        # The worker runs as an unprivileged user when nginx starts as root: it must be able to read the body.
        for path in (workdir, self.prefix, self.prefix / "www"):
            path.chmod(0o755)
        (self.prefix / "www" / "order.json").chmod(0o644)
        config = (TEMPLATES / "nginx.conf").read_text()
        config = config.replace("@PREFIX@", str(self.prefix)).replace("@PORT@", str(self.port))
        self.config_path = self.prefix / "nginx.conf"
        self.config_path.write_text(config)
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        command = ["nginx", "-p", str(self.prefix), "-e", str(self.prefix / "error.log"),
                   "-c", str(self.config_path)]
        with own_affinity(self.cpus):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                            stdin=subprocess.DEVNULL)
        try:
            wait_for_200(self.port, self.path, 10, self.process)
        except RuntimeError as error:
            self.stop()
            log = (self.prefix / "error.log")
            raise RuntimeError(f"nginx: {error}\n{log.read_text() if log.exists() else ''}") from error
        return self

    def worker_pid(self) -> int:
        """The one worker process, which serves every request (the master only supervises it)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"nginx master {self.process.pid} has {len(children)} workers, expected 1")
        return int(children[0])

    def stop(self) -> None:
        if self.process is not None:
            # SIGQUIT is nginx's graceful stop; the master takes its worker down with it.
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGQUIT)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)


class PostgresSandbox:
    """The project's throwaway PostgreSQL (scripts/postgres-sandbox.sh) on its own port, with a fresh
    database for this run. A server this run started is stopped and deleted at the end; one that was
    already running is left running, and only the run's database is dropped."""

    database = "orders_bench"

    def __init__(self, port: int):
        self.env = {**os.environ, "SANDBOX_POSTGRES_PORT": str(port)}
        self.started_here = False
        self.pg_bin = self._pg_bin()

    @staticmethod
    def _pg_bin() -> Path:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not candidates:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)")
        return candidates[-1]

    def _sandbox(self, action: str) -> str:
        result = subprocess.run([str(SANDBOX_SCRIPT), action], env=self.env, capture_output=True, text=True,
                                timeout=120, check=False)
        if result.returncode != 0 and action != "status":
            raise RuntimeError(f"postgres-sandbox.sh {action}: {result.stderr.strip()}")
        return result.stdout.strip() if result.returncode == 0 else ""

    def _is_up(self) -> bool:
        return subprocess.run([str(SANDBOX_SCRIPT), "status"], env=self.env, capture_output=True,
                              timeout=30, check=False).returncode == 0

    def _admin_sql(self, statement: str) -> None:
        subprocess.run([str(self.pg_bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self._sandbox("admin-url"),
                        "-c", statement], check=True, capture_output=True, timeout=60)

    def start(self) -> PostgresSandbox:
        if not self._is_up():
            self._sandbox("start")
            self.started_here = True
        self._admin_sql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        self._admin_sql(f"CREATE DATABASE {self.database} OWNER orders")
        return self

    @property
    def url(self) -> str:
        """The application role's URL, pointed at this run's database."""
        base = self._sandbox("url")
        return base.rsplit("/", 1)[0] + "/" + self.database

    def version(self) -> str:
        result = subprocess.run([str(self.pg_bin / "postgres"), "--version"], capture_output=True, text=True,
                                check=False)
        return result.stdout.strip()

    def stop(self) -> None:
        if self.started_here:
            self._sandbox("stop")
        elif self._is_up():
            self._admin_sql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
