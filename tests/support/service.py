"""Runs the real orders-service binary as a child process on a loopback port, for tests that need the
process itself: signals, exit codes, start-up, several instances, command-line modes."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("ORDERS_SERVICE_BINARY", ROOT / "app/.build/debug/orders-service"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Reply:
    """An HTTP answer: status, headers (lower-case names) and body text."""

    def __init__(self, status: int, headers: dict[str, str], body: str):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body[:200]!r})"


def request(url: str, method: str = "GET", body: str | None = None, headers: dict[str, str] | None = None,
            timeout: float = 10) -> Reply:
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode())


class Service:
    """One orders-service process. Settings are environment variables, exactly as in production."""

    def __init__(self, env: dict[str, str] | None = None, port: int | None = None):
        self.port = port or free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="orders-service-test-"))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HTTP_PORT": str(self.port),
            "SQLITE_PATH": str(self.directory / "orders.sqlite"),
            "LOG_FORMAT": "json",
            "DRAIN_DELAY_SECONDS": "0",
        }
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None
        self.log_path = self.directory / "service.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_for: str | None = "/health/live", timeout: float = 15) -> "Service":
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen([str(BINARY)], env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        if wait_for:
            self.wait_for(wait_for, 200, timeout)
        return self

    def wait_for(self, path: str, status: int, timeout: float) -> float:
        """Polls until `path` answers `status`; returns the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process and self.process.poll() is not None:
                raise AssertionError(f"the service exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if request(self.base_url + path, timeout=1).status == status:
                    return time.monotonic() - start
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{path} did not answer {status} within {timeout} s:\n{self.logs()[-3000:]}")

    def get(self, path: str, token: str | None = None, headers: dict[str, str] | None = None, timeout: float = 10) -> Reply:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return request(self.base_url + path, headers=all_headers, timeout=timeout)

    def post_order(self, token: str, body: dict | str, key: str | None = None, timeout: float = 10,
                   headers: dict[str, str] | None = None) -> Reply:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})}
        if key:
            headers["Idempotency-Key"] = key
        text = body if isinstance(body, str) else json.dumps(body)
        return request(self.base_url + "/orders", method="POST", body=text, headers=headers, timeout=timeout)

    def command(self, *arguments: str, timeout: float = 30) -> subprocess.CompletedProcess:
        """Runs a command-line mode of the binary with this service's settings."""
        return subprocess.run([str(BINARY), *arguments], env=self.env, capture_output=True, text=True, timeout=timeout)

    def create_key(self, customer: str | None = "c-1") -> str:
        # The test captures standard output itself, so it says so (a pipe is no terminal).
        arguments = ["keys", "create", "--to-stdout"]
        arguments += ["--admin"] if customer is None else ["--customer", customer]
        result = self.command(*arguments)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def signal(self, number: int = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def signal_and_wait(self, number: int, timeout: float) -> tuple[int, float]:
        """Sends `number`, waits for the process to end; its exit status and the seconds it took."""
        sent = time.monotonic()
        self.signal(number)
        code = self.wait(timeout=timeout)
        return code, time.monotonic() - sent

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *_) -> None:
        self.stop()

    def stop(self, timeout: float = 20) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.logs().splitlines():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return lines


def order_body(customer: str | None = "c-1", sku: str = "SKU-1", quantity: int = 2, price: int = 1250) -> dict:
    body = {"currency": "EUR", "items": [{"sku": sku, "quantity": quantity, "unit_price_cents": price}]}
    if customer is not None:
        body["customer_id"] = customer
    return body
